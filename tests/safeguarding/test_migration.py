"""Mentors' concerns and reported messages become safeguarding concerns (migration 0002).

The old models are gone from the code, and replaying every app's migrations to reach them
takes minutes, so the migration's function is given stand-ins for the old rows: what it
reads from them is exactly what is checked here.
"""

from datetime import timedelta
from importlib import import_module
from types import SimpleNamespace

from django.apps import apps as current_apps
from django.utils import timezone

from chat.models import Conversation
from safeguarding.models import Concern
from tests import factories
from tests.helpers import peer_mentors as mentor_helpers
from tests.helpers.chat import send

migration = import_module("safeguarding.migrations.0002_from_mentor_concerns_and_message_reports")


class _Rows:
    def __init__(self, rows):
        self.rows = rows

    def select_related(self, *names):
        return self

    def order_by(self, *names):
        return self.rows


class _OldApps:
    """``apps`` as the migration sees it, with the two old models holding ``old``."""

    def __init__(self, old):
        self.old = old

    def get_model(self, app_label, name):
        if (app_label, name) in self.old:
            return SimpleNamespace(objects=_Rows(self.old[app_label, name]))
        return current_apps.get_model(app_label, name)


def test_old_concerns_and_reports_are_copied_and_await_a_decision(key_worker, manager):
    family = factories.family(key_worker=key_worker, name="The Khans")
    parent = factories.parent(family, name="Aisha")
    jo = mentor_helpers.mentor(manager, name="Jo")
    match = mentor_helpers.accepted_match(parent, jo)
    conversation = Conversation.objects.get(family=family, kind=Conversation.Kind.KEY_WORKER)
    message = send(key_worker, conversation, body="Something upsetting")
    when = timezone.now() - timedelta(days=2)
    old = {
        ("peer_mentors", "Concern"): [
            SimpleNamespace(
                match=match,
                match_id=match.pk,
                raised_by_id=jo.user.pk,
                details="Bruises on the little one.",
                created_at=when,
            )
        ],
        ("chat", "MessageReport"): [
            SimpleNamespace(
                message=message,
                message_id=message.pk,
                conversation=conversation,
                conversation_id=conversation.pk,
                reporter_id=parent.pk,
                reason="It upset me",
                created_at=when,
            )
        ],
    }

    migration.forwards(_OldApps(old), None)

    mentor_concern, report = Concern.objects.order_by("id")
    assert (mentor_concern.family, mentor_concern.raised_by) == (family, jo.user)
    assert (mentor_concern.source, mentor_concern.source_id) == ("mentor", match.pk)
    assert mentor_concern.details == "Bruises on the little one."
    assert not mentor_concern.is_decided and mentor_concern.created_at == when
    assert (report.raised_by, report.raised_as, report.source) == (parent, "family", "message")
    assert (report.source_id, report.conversation_id) == (message.pk, conversation.pk)
    assert report.quoted == "Something upsetting" and report.details == "It upset me"
    # Already past due: the next sweep escalates them to every manager.
    assert report.escalate_at == when + timedelta(hours=1)
    assert set(Concern.objects.filter(escalate_at__lte=timezone.now())) == {mentor_concern, report}

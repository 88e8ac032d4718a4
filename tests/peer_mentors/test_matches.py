"""Life of a match: contacts the family can see, ending it, concerns and supervision."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone
from notifications.models import Notification

from peer_mentors import services
from peer_mentors.models import ContactLog, Mentor, MentorMatch
from portal import signals
from portal.access import Relation, relation_to_family
from portal.models import AuditEvent
from safeguarding.models import Concern
from tests import factories
from tests.helpers import peer_mentors as helpers
from tests.helpers.safeguarding import raise_concern


def _log(client, match, **data):
    payload = {"kind": "appointment", "happened_on": timezone.localdate().strftime("%d/%m/%Y")}
    payload.update(data)
    return client.post(f"/mentors/matches/{match.pk}/contacts/", payload)


def test_mentor_logs_an_appointment_and_family_sees_it(client, parent, jo):
    match = helpers.accepted_match(parent, jo)
    client.force_login(jo.user)
    response = _log(client, match, summary="Went with Aisha to the school meeting")
    assert response.status_code == 302
    client.force_login(parent)
    page = client.get(match.get_absolute_url()).content.decode()
    assert "Went with the parent to an appointment" in page
    assert "Went with Aisha to the school meeting" in page


def test_contact_in_the_future_is_refused_and_typing_is_kept(client, parent, jo):
    match = helpers.accepted_match(parent, jo)
    client.force_login(jo.user)
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    response = _log(client, match, happened_on=tomorrow, summary="Phoned")
    assert response.status_code == 400
    page = response.content.decode()
    assert "The date must be today or in the past." in page
    assert 'value="Phoned"' in page
    assert not ContactLog.objects.exists()


def test_family_cannot_log_contacts(client, parent, jo):
    match = helpers.accepted_match(parent, jo)
    client.force_login(parent)
    assert _log(client, match).status_code == 404
    assert not ContactLog.objects.exists()


def test_mentor_cannot_log_before_accepting(client, parent, jo):
    match = helpers.request(parent, jo)
    client.force_login(jo.user)
    response = _log(client, match)
    assert response.status_code == 400
    assert not ContactLog.objects.exists()


def test_family_ends_match_with_reason_for_key_worker(
    client, parent, family, key_worker, jo, django_capture_on_commit_callbacks
):
    match = helpers.accepted_match(parent, jo)
    ended = []

    def receiver(sender, **kwargs):
        ended.append(kwargs)

    signals.mentor_match_ended.connect(receiver)
    try:
        client.force_login(parent)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/mentors/matches/{match.pk}/end/", {"reason": "We are OK now"})
    finally:
        signals.mentor_match_ended.disconnect(receiver)
    assert response.status_code == 302
    match.refresh_from_db()
    assert (match.status, match.end_side, match.end_reason) == ("ended", "family", "We are OK now")
    assert ended[0]["reason"] == "We are OK now" and ended[0]["match_id"] == match.pk
    assert Notification.objects.filter(
        recipient=jo.user, verb="A peer mentor match has ended"
    ).exists()
    assert Notification.objects.filter(
        recipient=key_worker, verb="A peer mentor match has ended"
    ).exists()
    client.force_login(key_worker)
    assert "We are OK now" in client.get(match.get_absolute_url()).content.decode()
    # The mentor is no longer the family's mentor.
    assert relation_to_family(jo.user, family) is Relation.NONE


def test_mentor_ends_match(client, parent, jo):
    match = helpers.accepted_match(parent, jo)
    client.force_login(jo.user)
    client.post(f"/mentors/matches/{match.pk}/end/", {"reason": "Moving away"})
    match.refresh_from_db()
    assert match.end_side == MentorMatch.Side.MENTOR


def test_ending_without_a_reason_is_refused(client, parent, jo):
    match = helpers.accepted_match(parent, jo)
    client.force_login(parent)
    response = client.post(f"/mentors/matches/{match.pk}/end/", {"reason": ""})
    assert response.status_code == 400
    assert "Say in a few words why the match is ending." in response.content.decode()
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.ACCEPTED


def test_concern_alerts_key_worker_and_managers_without_its_content(
    client, parent, family, key_worker, manager, jo, django_capture_on_commit_callbacks
):
    match = helpers.accepted_match(parent, jo)
    second_manager = factories.staff("manager")
    raised = []

    def receiver(sender, **kwargs):
        raised.append(kwargs)

    signals.concern_raised.connect(receiver)
    try:
        client.force_login(jo.user)
        assert client.get(f"/mentors/matches/{match.pk}/concern/").status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/mentors/matches/{match.pk}/concern/",
                {"details": "I saw bruises on the little one's arm today."},
            )
    finally:
        signals.concern_raised.disconnect(receiver)
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert raised == [
        {
            "signal": signals.concern_raised,
            "family": family,
            "mentor": jo.user,
            "concern_id": concern.pk,
        }
    ]
    told = set(
        Notification.objects.filter(verb="A concern was raised").values_list("recipient", flat=True)
    )
    assert told == {key_worker.pk, manager.pk, second_manager.pk}
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert set(email.to) == {key_worker.email, manager.email, second_manager.email}
    assert "bruises" not in email.body and "bruises" not in email.subject
    assert family.display_name not in email.body
    assert concern.get_absolute_url() in email.body
    # The family never sees it.
    client.force_login(parent)
    assert "bruises" not in client.get(match.get_absolute_url()).content.decode()
    assert client.get(concern.get_absolute_url()).status_code == 404


def test_short_concern_is_refused_and_nothing_is_sent(client, parent, jo):
    match = helpers.accepted_match(parent, jo)
    client.force_login(jo.user)
    response = client.post(f"/mentors/matches/{match.pk}/concern/", {"details": "bad"})
    assert response.status_code == 400
    assert not Concern.objects.exists()
    assert mail.outbox == []


def test_key_worker_reads_a_mentors_concern_and_the_mentor_sees_it_was_received(
    client, parent, key_worker, jo
):
    match = helpers.accepted_match(parent, jo)
    concern = raise_concern(match, jo.user, "Dad shouted at the kids.")
    client.force_login(key_worker)
    dashboard = client.get("/dashboard/").content.decode()
    assert "1 concern is waiting for a decision." in dashboard
    assert "Dad shouted" not in dashboard
    page = client.get(concern.get_absolute_url()).content.decode()
    assert "Dad shouted at the kids." in page
    assert AuditEvent.objects.filter(actor=key_worker, object_type="Concern").exists()
    client.force_login(jo.user)
    match_page = client.get(match.get_absolute_url()).content.decode()
    assert concern.get_receipt_url() in match_page
    assert "received, waiting for a decision" in match_page


def test_manager_writes_supervision_note_mentor_reads_shared_ones(client, manager, jo):
    client.force_login(manager)
    client.post(
        f"/mentors/manage/{jo.pk}/notes/", {"note": "Going well.", "shared_with_mentor": "on"}
    )
    client.post(f"/mentors/manage/{jo.pk}/notes/", {"note": "Watch for burnout."})
    client.force_login(jo.user)
    page = client.get("/mentors/me/").content.decode()
    assert "Going well." in page
    assert "Watch for burnout." not in page


def test_stopping_a_mentor_ends_their_matches(
    parent, manager, jo, django_capture_on_commit_callbacks
):
    match = helpers.accepted_match(parent, jo)
    with django_capture_on_commit_callbacks(execute=True):
        services.mentor_status_set(mentor=jo, status=Mentor.Status.STOPPED, actor=manager)
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.ENDED
    assert match.end_side == MentorMatch.Side.SERVICE


def test_matched_family_page_links_to_plan_sharing_only_when_plans_provides_it(client, parent, jo):
    match = helpers.accepted_match(parent, jo)
    client.force_login(parent)
    response = client.get(match.get_absolute_url())
    assert response.status_code == 200
    from django.urls import NoReverseMatch, reverse

    try:
        sharing = reverse("plans:sharing")
    except NoReverseMatch:
        sharing = None
    if sharing:
        assert sharing in response.content.decode()
    else:
        assert "Choose what Jo can see" not in response.content.decode()


def test_pausing_a_mentor_frees_families_waiting_but_keeps_current_matches(
    client, parent, other_parent, manager, jo, django_capture_on_commit_callbacks
):
    current = helpers.accepted_match(parent, jo)
    waiting = helpers.request(other_parent, jo)
    with django_capture_on_commit_callbacks(execute=True):
        services.mentor_status_set(mentor=jo, status=Mentor.Status.PAUSED, actor=manager)
    current.refresh_from_db()
    waiting.refresh_from_db()
    assert current.status == MentorMatch.Status.ACCEPTED
    assert waiting.status == MentorMatch.Status.WITHDRAWN
    assert Notification.objects.filter(
        recipient=other_parent, verb="The mentor you asked cannot support you right now"
    ).exists()
    # A paused mentor cannot log new contacts or see the family's plan.
    client.force_login(jo.user)
    assert _log(client, current).status_code == 400
    assert relation_to_family(jo.user, current.family) is Relation.NONE

"""The team conversation: the family's key worker and its matched peer mentor arrange
support. The family is told it exists and nothing of it; nobody else may open it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from chat import selectors, services
from chat.access import Role, conversation_role
from chat.models import Conversation, Participant
from portal.models import AuditEvent, StaffProfile
from portal.signals import mentor_match_ended, mentor_match_started
from tests import factories
from tests.helpers import peer_mentors as mentor_helpers
from tests.helpers.chat import send

MATCH_ID = 41
THE_LINE = "have a conversation to arrange your support"


def _start(family, mentor, match_id=MATCH_ID):
    mentor_match_started.send(sender=None, family=family, mentor=mentor, match_id=match_id)
    return Conversation.objects.get(family=family, kind=Conversation.Kind.TEAM)


def _end(family, mentor, match_id=MATCH_ID):
    mentor_match_ended.send(
        sender=None, family=family, mentor=mentor, match_id=match_id, reason="ended"
    )


def _active(conversation):
    return dict(
        conversation.participants.filter(left_at__isnull=True).values_list("user_id", "role")
    )


def _verbs(user):
    return [n.verb for n in selectors.notifications_for(user=user)]


@pytest.fixture
def team(family, parent, key_worker, mentor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return _start(family, mentor)


def test_an_accepted_match_opens_a_team_conversation_for_the_key_worker_and_mentor_only(
    family, parent, dad, key_worker, mentor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        team = _start(family, mentor)
    assert team.mentor_match_id == MATCH_ID and team.owner_id is None
    assert _active(team) == {
        key_worker.pk: Participant.Role.KEY_WORKER,
        mentor.pk: Participant.Role.MENTOR,
    }
    # Opening it again (the signal twice) makes no second one.
    _start(family, mentor)
    assert Conversation.objects.filter(kind=Conversation.Kind.TEAM).count() == 1
    told = "You can now message each other to arrange support for a family"
    assert told in _verbs(key_worker) and told in _verbs(mentor)
    assert told not in _verbs(parent) and told not in _verbs(dad)


def test_key_worker_and_mentor_open_it_and_everyone_else_gets_404(
    client, team, family, parent, dad, key_worker, mentor, manager, partner, other_family
):
    for person in (key_worker, mentor):
        client.force_login(person)
        response = client.get(team.get_absolute_url())
        assert response.status_code == 200, person
        assert b"The family is told that it exists, but they cannot read it" in response.content
    other_mentor = mentor_helpers.mentor(manager, name="Tunde").user
    other_key_worker = other_family.lead_key_worker
    for person in (parent, dad, other_mentor, other_key_worker, partner, manager):
        client.force_login(person)
        assert client.get(team.get_absolute_url()).status_code == 404, person
        assert client.get(f"/messages/team/{family.pk}/").status_code == 404, person
        sent = client.post(
            f"/messages/{team.pk}/send/", {"body": "let me in", "client_id": str(uuid.uuid4())}
        )
        assert sent.status_code == 404, person
    assert not team.messages.exists()


def test_key_worker_reading_it_is_audited_like_their_other_conversations(client, team, key_worker):
    client.force_login(key_worker)
    before = AuditEvent.objects.filter(actor=key_worker).count()
    assert client.get(team.get_absolute_url()).status_code == 200
    assert AuditEvent.objects.filter(actor=key_worker).count() > before


def test_the_family_is_told_it_exists_and_nothing_of_what_is_in_it(
    client, team, family, parent, dad, key_worker, mentor
):
    client.force_login(parent)
    assert THE_LINE in client.get("/messages/").content.decode()  # before anything is said
    send(key_worker, team, body="Can you go with Aisha to the school on Thursday?")
    send(mentor, team, body="Yes, I will meet her at the gate.")
    for person in (parent, dad):
        client.force_login(person)
        for url in ("/messages/", f"/families/{family.pk}/"):
            page = client.get(url).content.decode()
            assert (
                f"Your key worker and your peer mentor, {mentor.display_name}, {THE_LINE}" in page
            ), url
            assert "You cannot read it, but you can ask either of them what was said." in page
            assert "school on Thursday" not in page and "meet her at the gate" not in page
            assert team.get_absolute_url() not in page
    assert selectors.unread_total(parent.pk) == 0
    assert not [v for v in _verbs(parent) if "new message" in v]


def test_the_line_is_there_only_while_the_match_lasts(
    client, family, parent, key_worker, mentor, django_capture_on_commit_callbacks
):
    client.force_login(parent)
    assert THE_LINE not in client.get("/messages/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _start(family, mentor)
    assert THE_LINE in client.get("/messages/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _end(family, mentor)
    assert THE_LINE not in client.get("/messages/").content.decode()


def test_another_family_is_told_nothing(client, team, other_parent):
    client.force_login(other_parent)
    assert THE_LINE not in client.get("/messages/").content.decode()


def test_key_worker_writes_through_the_form_and_only_the_mentor_is_told(
    client, team, family, parent, dad, key_worker, mentor, django_capture_on_commit_callbacks
):
    client.force_login(key_worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/messages/{team.pk}/send/",
            {"body": "Could you call Aisha this week?", "client_id": str(uuid.uuid4())},
        )
    assert response.status_code == 302
    assert team.messages.get().body == "Could you call Aisha this week?"
    assert selectors.unread_total(mentor.pk) == 1
    assert selectors.unread_total(parent.pk) == selectors.unread_total(dad.pk) == 0
    assert "You have a new message" in _verbs(mentor)
    for person in (parent, dad):
        assert "You have a new message" not in _verbs(person)
    client.force_login(mentor)
    page = client.get("/messages/").content.decode()
    assert f"{family.display_name} – with the key worker" in page
    page = client.get(team.get_absolute_url()).content.decode()
    assert "Messages with the family's key worker" in page
    assert "Could you call Aisha this week?" in page
    assert selectors.unread_total(mentor.pk) == 0  # opening it read it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/messages/{team.pk}/send/",
            {"body": "Yes, on Wednesday.", "client_id": str(uuid.uuid4())},
        )
    assert response.status_code == 302
    assert selectors.unread_total(key_worker.pk) == 1


def test_the_team_links_lead_the_key_worker_and_mentor_to_it(
    client, team, family, key_worker, mentor
):
    for person in (key_worker, mentor):
        client.force_login(person)
        response = client.get(f"/messages/team/{family.pk}/")
        assert response.status_code == 302 and response.url == team.get_absolute_url()
    client.force_login(key_worker)
    page = client.get(f"/families/{family.pk}/").content.decode()
    assert team.get_absolute_url() in page
    assert (
        f"{family.display_name} – with the peer mentor" in client.get("/messages/").content.decode()
    )


def test_the_match_page_links_the_mentor_and_key_worker_to_their_conversation(
    client, family, parent, key_worker, manager, django_capture_on_commit_callbacks
):
    jo = mentor_helpers.mentor(manager, name="Jo")
    with django_capture_on_commit_callbacks(execute=True):
        match = mentor_helpers.accepted_match(parent, jo)
    team = Conversation.objects.get(family=family, kind=Conversation.Kind.TEAM)
    assert team.mentor_match_id == match.pk
    assert _active(team) == {
        key_worker.pk: Participant.Role.KEY_WORKER,
        jo.user.pk: Participant.Role.MENTOR,
    }
    link = f"/messages/team/{family.pk}/"
    client.force_login(jo.user)
    page = client.get(match.get_absolute_url()).content.decode()
    assert link in page and "Message the family's key worker to arrange support" in page
    client.force_login(key_worker)
    page = client.get(match.get_absolute_url()).content.decode()
    assert link in page and "Message the peer mentor to arrange support" in page
    client.force_login(parent)
    assert link not in client.get(match.get_absolute_url()).content.decode()


def test_ending_the_match_closes_it_the_mentor_gets_404_and_the_key_worker_reads_it(
    client, team, family, parent, key_worker, mentor, django_capture_on_commit_callbacks
):
    send(mentor, team, body="See you Thursday.")
    with django_capture_on_commit_callbacks(execute=True):
        _end(family, mentor)
    team.refresh_from_db()
    assert team.is_closed
    assert _active(team) == {key_worker.pk: Participant.Role.KEY_WORKER}
    client.force_login(mentor)
    assert client.get(team.get_absolute_url()).status_code == 404
    assert client.get(f"/messages/team/{family.pk}/").status_code == 404
    client.force_login(key_worker)
    page = client.get(team.get_absolute_url()).content.decode()
    assert "This conversation has ended. You can still read it." in page
    assert "See you Thursday." in page
    sent = client.post(f"/messages/{team.pk}/send/", {"body": "x", "client_id": str(uuid.uuid4())})
    assert sent.status_code == 404


def test_a_new_match_opens_a_new_conversation(
    team, family, key_worker, mentor, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _end(family, mentor)
    tunde = mentor_helpers.mentor(manager, name="Tunde").user
    with django_capture_on_commit_callbacks(execute=True):
        mentor_match_started.send(sender=None, family=family, mentor=tunde, match_id=99)
    newer = Conversation.objects.get(kind=Conversation.Kind.TEAM, mentor_match_id=99)
    assert _active(newer) == {
        key_worker.pk: Participant.Role.KEY_WORKER,
        tunde.pk: Participant.Role.MENTOR,
    }
    assert conversation_role(tunde, team) is None  # nothing from before them
    assert conversation_role(mentor, newer) is None


def test_a_new_key_worker_joins_and_the_previous_one_leaves(
    client, team, family, key_worker, mentor
):
    send(key_worker, team, body="Handing over next week.")
    new_worker = factories.staff(StaffProfile.Role.KEY_WORKER)
    family.lead_key_worker = new_worker
    family.save()
    assert _active(team) == {
        new_worker.pk: Participant.Role.KEY_WORKER,
        mentor.pk: Participant.Role.MENTOR,
    }
    client.force_login(key_worker)
    assert client.get(team.get_absolute_url()).status_code == 404
    client.force_login(new_worker)
    page = client.get(team.get_absolute_url()).content.decode()
    assert "Handing over next week." in page


def test_the_duty_key_worker_covers_it_while_the_key_worker_is_away(
    client, team, family, key_worker, mentor, manager
):
    duty = factories.staff(StaffProfile.Role.KEY_WORKER, first_name="Sam")
    today = timezone.localdate()
    services.duty_rota_set(manager=manager, days={today: duty})
    assert conversation_role(duty, team) is None
    services.leave_add(user=key_worker, starts=today, ends=today)
    services.cover_sync()
    assert _active(team)[duty.pk] == Participant.Role.COVER
    assert conversation_role(duty, team) is Role.COVER
    client.force_login(duty)
    response = client.get(team.get_absolute_url())
    assert response.status_code == 200
    assert b"The peer mentor sees your replies under your name." in response.content
    assert AuditEvent.objects.filter(actor=duty, reason="Covering as duty key worker").exists()
    response = client.post(
        f"/messages/{team.pk}/send/", {"body": "I am covering.", "client_id": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    # Back from leave: the duty key worker leaves it again.
    services.leave_delete(user=key_worker, leave_id=key_worker.chat_leave.get().pk)
    services.cover_sync()
    assert duty.pk not in _active(team)
    client.force_login(duty)
    assert client.get(team.get_absolute_url()).status_code == 404


def test_a_team_conversation_is_never_a_family_waiting_for_an_answer(
    team, conversation, parent, mentor
):
    send(mentor, team, body="Can we talk about Thursday?")
    send(parent, conversation, body="Hello?")
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        waiting = selectors.unanswered_conversations()
        flags = services.unanswered_flag()
    assert [w.conversation.pk for w in waiting] == [conversation.pk]
    assert [f.conversation_id for f in flags] == [conversation.pk]


def test_the_mentor_of_the_family_cannot_use_it_as_a_parent_of_another_family(
    client, family, parent, key_worker, mentor_with_family, django_capture_on_commit_callbacks
):
    # A parent who became a mentor: in the team conversation as the mentor, while their
    # own family's key worker and household see nothing of it.
    with django_capture_on_commit_callbacks(execute=True):
        team = _start(family, mentor_with_family)
    assert conversation_role(mentor_with_family, team) is Role.MENTOR
    own_family = mentor_with_family.family_membership.family
    client.force_login(own_family.lead_key_worker)
    assert client.get(team.get_absolute_url()).status_code == 404


def test_demo_kim_and_jo_arrange_the_browns_support_and_lisa_is_told(
    client, db, django_capture_on_commit_callbacks
):
    from portal import demo

    with django_capture_on_commit_callbacks(execute=True):
        people = demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    team = Conversation.objects.get(
        family=people["family:brown"], kind=Conversation.Kind.TEAM, closed_at__isnull=True
    )
    assert team.messages.count() == 4
    assert set(team.messages.values_list("sender", flat=True)) == {
        people["key_worker"].pk,
        people["mentor"].pk,
    }
    told = "You can now message each other to arrange support for a family"
    assert _verbs(people["mentor"]).count(told) == 1
    client.force_login(people["brown"])
    page = client.get("/messages/").content.decode()
    assert "Your key worker and your peer mentor, Jo, have a conversation" in page
    assert "housing office" not in page
    assert client.get(team.get_absolute_url()).status_code == 404
    client.force_login(people["mentor"])
    assert "family hub at 9:30" in client.get(team.get_absolute_url()).content.decode()


def test_an_attachment_in_it_is_for_the_key_worker_and_mentor_only(
    client, team, parent, dad, key_worker, mentor
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.helpers.chat import png_bytes

    message = send(
        key_worker, team, body="", attachment=SimpleUploadedFile("a.png", png_bytes(), "image/png")
    )
    url = f"/messages/attachments/{message.pk}/"
    for person in (key_worker, mentor):
        client.force_login(person)
        assert client.get(url).status_code == 200, person
    for person in (parent, dad):
        client.force_login(person)
        assert client.get(url).status_code == 404, person


def test_the_mentors_messages_list_stays_flat_as_families_grow(
    client, manager, mentor, django_assert_num_queries, django_assert_max_num_queries
):
    families = []

    def match(count):
        for n in range(len(families), len(families) + count):
            worker = factories.staff(StaffProfile.Role.KEY_WORKER)
            family = factories.family(key_worker=worker, name=f"Family {n}")
            factories.parent(family)
            team = services.conversation_team_open(family=family, mentor=mentor, match_id=500 + n)
            send(worker, team, body=f"About family {n}")
            families.append(family)

    match(2)
    client.force_login(mentor)
    client.get("/messages/")
    with django_assert_max_num_queries(20) as few:
        client.get("/messages/")
    match(5)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get("/messages/").content.decode()
    for family in families:
        assert f"{family.display_name} – with the key worker" in page


def test_the_family_is_told_in_one_query(family, team, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert selectors.team_mentor_names(family_id=family.pk) == ["Jo"]


def test_a_match_from_before_team_conversations_gets_one_on_first_open(
    client, family, parent, key_worker, manager
):
    jo = mentor_helpers.mentor(manager, name="Jo")
    match = mentor_helpers.accepted_match(parent, jo)  # its signal never ran
    assert not Conversation.objects.filter(kind=Conversation.Kind.TEAM).exists()
    client.force_login(parent)
    assert client.get(f"/messages/team/{family.pk}/").status_code == 404
    other = factories.staff(StaffProfile.Role.KEY_WORKER)
    client.force_login(other)
    assert client.get(f"/messages/team/{family.pk}/").status_code == 404
    assert not Conversation.objects.filter(kind=Conversation.Kind.TEAM).exists()
    client.force_login(jo.user)
    response = client.get(f"/messages/team/{family.pk}/")
    team = Conversation.objects.get(kind=Conversation.Kind.TEAM)
    assert response.status_code == 302 and response.url == team.get_absolute_url()
    assert team.mentor_match_id == match.pk
    assert _active(team) == {
        key_worker.pk: Participant.Role.KEY_WORKER,
        jo.user.pk: Participant.Role.MENTOR,
    }
    client.force_login(key_worker)
    assert client.get(f"/messages/team/{family.pk}/").url == team.get_absolute_url()
    assert Conversation.objects.filter(kind=Conversation.Kind.TEAM).count() == 1

"""Cover: key workers record leave, managers set a duty rota, and while the lead key worker
is away the day's duty key worker gets the family's messages and answers them; messages
waiting a working day are flagged to the managers."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from chat import selectors, services, tasks
from chat.access import conversation_role, covering_key_worker
from chat.models import Conversation, DutyDay, Leave, Participant, UnansweredFlag
from portal.models import AuditEvent, StaffProfile
from tests import factories
from tests.helpers.chat import send


@pytest.fixture
def duty(db):
    return factories.staff(StaffProfile.Role.KEY_WORKER, first_name="Sam", last_name="Okafor")


@pytest.fixture
def on_duty_today(duty, manager):
    services.duty_rota_set(manager=manager, days={timezone.localdate(): duty})
    return duty


@pytest.fixture
def private(family, parent):
    return Conversation.objects.get(family=family, kind=Conversation.Kind.PRIVATE, owner=parent)


def _away_today(key_worker):
    today = timezone.localdate()
    services.leave_add(user=key_worker, starts=today, ends=today)
    services.cover_sync()


def _active(conversation):
    return dict(
        conversation.participants.filter(left_at__isnull=True).values_list("user_id", "role")
    )


def test_key_worker_records_and_removes_leave(client, key_worker):
    client.force_login(key_worker)
    assert client.get("/messages/leave/").status_code == 200
    response = client.post("/messages/leave/", {"starts": "2027-03-10", "ends": "2027-03-01"})
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert b"The last day must be the same as or after the first day" in response.content
    response = client.post("/messages/leave/", {"starts": "2030-03-01", "ends": "2030-03-05"})
    assert response.status_code == 302
    leave = Leave.objects.get(user=key_worker)
    assert (leave.starts, leave.ends) == (dt.date(2030, 3, 1), dt.date(2030, 3, 5))
    assert b"Friday 1 March 2030" in client.get("/messages/leave/").content
    other = factories.staff(StaffProfile.Role.KEY_WORKER)
    client.force_login(other)
    assert client.post(f"/messages/leave/{leave.pk}/delete/").status_code == 404
    client.force_login(key_worker)
    assert client.post(f"/messages/leave/{leave.pk}/delete/").status_code == 302
    assert not Leave.objects.exists()


def test_only_key_workers_record_leave_and_only_managers_set_the_rota(
    client, parent, key_worker, manager
):
    client.force_login(parent)
    assert client.get("/messages/leave/").status_code == 404
    assert client.get("/messages/rota/").status_code == 404
    client.force_login(key_worker)
    assert client.get("/messages/rota/").status_code == 404
    assert client.get("/messages/unanswered/").status_code == 404
    assert client.post("/messages/rota/", {}).status_code == 404
    client.force_login(manager)
    assert client.get("/messages/leave/").status_code == 404


def test_manager_sets_the_duty_rota(client, manager, key_worker, duty):
    client.force_login(manager)
    response = client.get("/messages/rota/")
    assert response.status_code == 200
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    response = client.post(
        "/messages/rota/",
        {f"day_{today:%Y%m%d}": str(duty.pk), f"day_{tomorrow:%Y%m%d}": str(key_worker.pk)},
    )
    assert response.status_code == 302
    assert dict(DutyDay.objects.values_list("date", "key_worker_id")) == {
        today: duty.pk,
        tomorrow: key_worker.pk,
    }
    client.post("/messages/rota/", {f"day_{today:%Y%m%d}": str(duty.pk)})
    assert list(DutyDay.objects.values_list("date", flat=True)) == [today]
    # A parent's id is not a choice.
    response = client.post("/messages/rota/", {f"day_{today:%Y%m%d}": str(manager.pk)})
    assert response.status_code == 400


def test_duty_key_worker_covers_while_the_lead_is_on_leave(
    client, family, parent, key_worker, conversation, private, on_duty_today
):
    duty = on_duty_today
    assert conversation_role(duty, conversation) is None
    _away_today(key_worker)
    assert covering_key_worker(family) == duty
    for each in (conversation, private):
        assert _active(each)[duty.pk] == Participant.Role.COVER
        assert _active(each)[key_worker.pk] == Participant.Role.KEY_WORKER
    send(parent, private, body="Is anyone there?")
    assert selectors.unread_total(duty.pk) == 1

    client.force_login(duty)
    page = client.get("/messages/").content.decode()
    assert "Covering" in page and f"just {parent.display_name}" in page
    before = AuditEvent.objects.count()
    response = client.get(private.get_absolute_url())
    assert response.status_code == 200
    assert b"You are covering as the duty key worker" in response.content
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.actor, event.family, event.reason) == (
        duty,
        family,
        "Covering as duty key worker",
    )
    response = client.post(
        f"/messages/{private.pk}/send/", {"body": "Yes, I am Sam.", "client_id": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    reply = private.messages.order_by("-id").first()
    assert reply.sender == duty and reply.body == "Yes, I am Sam."
    client.force_login(parent)
    page = client.get(private.get_absolute_url()).content.decode()
    assert "Yes, I am Sam." in page
    assert (
        f"While {key_worker.display_name} is away, {duty.display_name}, the duty key worker,"
        in page
    )

    # The lead is back: the duty key worker leaves, and loses access.
    services.leave_delete(user=key_worker, leave_id=Leave.objects.get().pk)
    services.cover_sync()
    assert duty.pk not in _active(private)
    client.force_login(duty)
    assert client.get(private.get_absolute_url()).status_code == 404


def test_duty_key_worker_covers_out_of_working_hours(
    family, parent, key_worker, conversation, on_duty_today
):
    today = timezone.localdate()
    services.working_hours_set(user=key_worker, days={today.weekday(): (time(9), time(17))})
    zone = timezone.get_current_timezone()
    midday = dt.datetime.combine(today, time(12), tzinfo=zone)
    evening = dt.datetime.combine(today, time(20), tzinfo=zone)
    assert covering_key_worker(family, now=midday) is None
    assert covering_key_worker(family, now=evening) == on_duty_today
    services.cover_sync(now=evening)
    assert _active(conversation)[on_duty_today.pk] == Participant.Role.COVER
    services.cover_sync(now=midday)
    assert on_duty_today.pk not in _active(conversation)


def test_on_a_bank_holiday_the_duty_key_worker_covers_the_leads_usual_hours(
    family, key_worker, conversation, duty, manager
):
    """Easter Monday 2027 is no working day: the lead's Monday hours do not count, so
    whoever the rota puts on duty that day covers."""
    easter_monday = dt.date(2027, 3, 29)
    services.working_hours_set(user=key_worker, days={0: (time(9), time(17))})
    services.duty_rota_set(
        manager=manager, days={easter_monday: duty, easter_monday + timedelta(days=7): duty}
    )
    zone = timezone.get_current_timezone()
    assert (
        covering_key_worker(family, now=dt.datetime.combine(easter_monday, time(12), tzinfo=zone))
        == duty
    )
    a_week_later = easter_monday + timedelta(days=7)
    assert (
        covering_key_worker(family, now=dt.datetime.combine(a_week_later, time(12), tzinfo=zone))
        is None
    )


def test_a_message_before_christmas_waits_a_working_day_only_after_the_bank_holidays(
    parent, conversation
):
    """Sent on Christmas Eve (Thursday), it has waited a working day only from the same time
    on Tuesday 29th: the 25th, the weekend and Boxing Day's Monday do not count."""
    zone = timezone.get_current_timezone()
    sent = send(parent, conversation, body="Can we talk before the new year?")
    type(sent).objects.filter(pk=sent.pk).update(
        created_at=dt.datetime(2026, 12, 24, 11, 0, tzinfo=zone)
    )
    monday = dt.datetime(2026, 12, 28, 16, 0, tzinfo=zone)
    assert selectors.unanswered_conversations(now=monday) == []
    tuesday = dt.datetime(2026, 12, 29, 11, 1, tzinfo=zone)
    assert [w.message_id for w in selectors.unanswered_conversations(now=tuesday)] == [sent.pk]


def test_nobody_covers_without_a_rota_or_when_the_lead_is_on_duty(
    family, key_worker, conversation, manager
):
    _away_today(key_worker)
    assert covering_key_worker(family) is None
    services.duty_rota_set(manager=manager, days={timezone.localdate(): key_worker})
    assert covering_key_worker(family) is None
    assert not Participant.objects.filter(role=Participant.Role.COVER).exists()


def test_a_duty_key_worker_on_leave_covers_nobody(family, key_worker, on_duty_today):
    today = timezone.localdate()
    services.leave_add(user=on_duty_today, starts=today, ends=today)
    _away_today(key_worker)
    assert covering_key_worker(family) is None


def test_duty_key_worker_joining_does_not_count_answered_messages_as_new(
    family, parent, key_worker, conversation, on_duty_today
):
    send(parent, conversation, body="old")
    send(key_worker, conversation, body="answered")
    send(parent, conversation, body="waiting")
    _away_today(key_worker)
    assert selectors.unread_total(on_duty_today.pk) == 1


def _age(message, days):
    type(message).objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )


# An ordinary Wednesday morning: five days back is well over a working day whatever today
# is (on the Tuesday after Christmas or Easter, one working day back is five days back).
@time_machine.travel(dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC), tick=True)
def test_messages_waiting_a_working_day_are_flagged_to_managers_once(
    client,
    family,
    parent,
    key_worker,
    conversation,
    private,
    manager,
    django_capture_on_commit_callbacks,
):
    old = send(parent, private, body="Please call me")
    _age(old, 5)
    recent = send(parent, conversation, body="Just now")
    assert [w.conversation.pk for w in selectors.unanswered_conversations()] == [private.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.cover_sweep.call() == 1
    [flag] = UnansweredFlag.objects.all()
    assert flag.message_id == old.pk
    note = selectors.notifications_for(user=manager).first()
    assert "waited more than a working day" in note.verb
    assert note.data["url"] == "/messages/unanswered/"
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.cover_sweep.call() == 0
    assert UnansweredFlag.objects.count() == 1

    client.force_login(manager)
    page = client.get("/messages/unanswered/").content.decode()
    assert family.display_name in page and "Private, one adult" in page
    assert "Please call me" not in page and parent.display_name not in page
    send(key_worker, private, body="Calling now")
    assert selectors.unanswered_conversations() == []
    assert recent.pk  # the newer one is not yet a working day old


def test_a_wait_counts_from_the_first_message_after_the_last_answer_in_four_queries(
    parent, key_worker, conversation, private, django_assert_num_queries
):
    """A family's wait starts at its first message (not deleted) after staff last
    answered; the longest wait comes first; a conversation staff never answered waits
    from its first message. The same four queries however many conversations there are."""
    _age(send(parent, conversation, body="Before the answer"), 8)
    _age(send(key_worker, conversation, body="An answer"), 7)
    deleted = send(parent, conversation, body="Taken back")
    _age(deleted, 6)
    type(deleted).objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    after = send(parent, conversation, body="Still waiting")
    _age(after, 4)
    _age(send(parent, conversation, body="Hello again"), 3)
    never = send(parent, private, body="Nobody has answered this")
    _age(never, 5)

    with django_assert_num_queries(4):
        waiting = selectors.unanswered_conversations()
    assert [(w.conversation.pk, w.message_id) for w in waiting] == [
        (private.pk, never.pk),
        (conversation.pk, after.pk),
    ]
    send(key_worker, private, body="Sorry for the wait")
    assert [w.conversation.pk for w in selectors.unanswered_conversations()] == [conversation.pk]


def test_cover_sweep_command_queues_the_sweep(capsys, db):
    call_command("cover_sweep")
    assert "Queued cover sweep" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
async def test_duty_key_worker_gets_the_familys_messages_live_and_answers(
    family, parent, key_worker, conversation, on_duty_today
):
    from channels.db import database_sync_to_async

    from tests.helpers.chat import open_socket, receive_until, session_cookie, socket_send

    duty = on_duty_today
    sam, hello = await open_socket(await database_sync_to_async(session_cookie)(duty))
    assert hello["conversations"] == []
    await database_sync_to_async(_away_today)(key_worker)
    added, _ = await receive_until(sam, "added")
    assert added["role"] == "cover" and added["can_write"] is True
    aisha, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    await socket_send(aisha, conversation, "Is anyone there today?")
    arrived, _ = await receive_until(sam, "message")
    assert arrived["message"]["html"] == "Is anyone there today?"
    await socket_send(sam, conversation, "Yes, this is Sam covering for your key worker.")
    reply, _ = await receive_until(aisha, "message")
    assert reply["message"]["sender_name"] == duty.display_name
    for socket in (sam, aisha):
        await socket.disconnect()


def test_manager_dashboard_shows_the_duty_key_worker_and_waiting_messages(
    client, manager, parent, private, on_duty_today
):
    _age(send(parent, private, body="Hello?"), 5)
    client.force_login(manager)
    page = client.get("/dashboard/").content.decode()
    assert f"The duty key worker today is {on_duty_today.display_name}." in page
    assert "1 conversation has waited more than a working day for an answer." in page
    assert "Hello?" not in page

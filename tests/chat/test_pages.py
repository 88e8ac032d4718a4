"""The no-JavaScript pages: inbox, conversation, reports, working hours, notifications."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from chat import selectors, services
from chat.models import Conversation, Message, Participant
from portal.models import StaffProfile
from portal.notify import notify_users
from safeguarding.models import Concern
from tests import factories
from tests.helpers.chat import access_for, send
from tests.helpers.safeguarding import report_message


def test_family_gets_a_key_worker_conversation_when_created(key_worker):
    family = factories.family(key_worker=key_worker)
    conversation = Conversation.objects.get(family=family, kind=Conversation.Kind.KEY_WORKER)
    assert list(conversation.participants.values_list("user_id", "role")) == [
        (key_worker.pk, "key_worker")
    ]
    parent = factories.parent(family)
    factories.child(family)
    assert set(conversation.participants.values_list("user_id", flat=True)) == {
        key_worker.pk,
        parent.pk,
    }


def test_new_lead_key_worker_replaces_the_old_one(family, parent, key_worker, conversation):
    new_worker = factories.staff(StaffProfile.Role.KEY_WORKER)
    family.lead_key_worker = new_worker
    family.save()
    active = set(
        Participant.objects.filter(conversation=conversation, left_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    assert active == {parent.pk, new_worker.pk}
    assert services_role(key_worker, conversation) is None


def services_role(user, conversation):
    from chat.access import conversation_role

    conversation.refresh_from_db()
    return conversation_role(user, conversation)


def test_parent_sends_a_message_with_the_plain_form(client, conversation, parent):
    client.force_login(parent)
    client_id = str(uuid.uuid4())
    response = client.post(
        f"/messages/{conversation.pk}/send/",
        {"body": "Line one\r\nLine two", "client_id": client_id},
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert response["Location"] == f"/messages/{conversation.pk}/#message-{message.pk}"
    assert message.body == "Line one\nLine two"
    # Pressing Send twice (or the browser retrying) does not make a second message.
    client.post(f"/messages/{conversation.pk}/send/", {"body": "Line one", "client_id": client_id})
    assert Message.objects.count() == 1
    page = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert "Line one<br>Line two" in page


def test_message_text_is_escaped_and_only_web_links_become_links(client, conversation, parent):
    send(
        parent,
        conversation,
        body='<script>alert(1)</script> see https://example.org/a?b=1&c="x" and javascript:alert(2)',
    )
    client.force_login(parent)
    page = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert (
        '<a class="govuk-link" href="https://example.org/a?b=1&amp;c=" '
        'rel="nofollow noopener noreferrer">' in page
    )
    assert 'href="javascript' not in page


def test_too_long_message_keeps_what_was_typed(client, conversation, parent):
    client.force_login(parent)
    text = "word " * 500
    response = client.post(
        f"/messages/{conversation.pk}/send/", {"body": text, "client_id": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    assert b"govuk-error-summary" in response.content
    assert text.strip().encode() in response.content
    assert not Message.objects.exists()


def test_empty_message_is_refused(client, conversation, parent):
    client.force_login(parent)
    response = client.post(
        f"/messages/{conversation.pk}/send/", {"body": "  ", "client_id": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    assert b"Write a message or attach a file." in response.content


def test_sender_deletes_own_message_and_it_shows_as_deleted(client, conversation, parent):
    message = send(parent, conversation, body="Sent by mistake")
    client.force_login(parent)
    response = client.post(f"/messages/{conversation.pk}/messages/{message.pk}/delete/")
    assert response.status_code == 302
    page = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert "Sent by mistake" not in page
    assert "This message was deleted." in page


def test_nobody_can_delete_someone_elses_message(client, conversation, parent, key_worker):
    message = send(parent, conversation, body="Mine")
    client.force_login(key_worker)
    response = client.post(f"/messages/{conversation.pk}/messages/{message.pk}/delete/")
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.body == "Mine" and not message.is_deleted


def test_delete_needs_post(client, conversation, parent):
    message = send(parent, conversation, body="Mine")
    client.force_login(parent)
    assert (
        client.get(f"/messages/{conversation.pk}/messages/{message.pk}/delete/").status_code == 405
    )


def test_reporting_a_message_tells_the_manager_without_content(
    client, conversation, parent, key_worker, manager, django_capture_on_commit_callbacks
):
    message = send(key_worker, conversation, body="Something upsetting")
    client.force_login(parent)
    url = f"/messages/{conversation.pk}/messages/{message.pk}/report/"
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "It upset me"})
    assert response.status_code == 302
    # A reported message is a safeguarding concern, with the message as it was.
    report = Concern.objects.get()
    assert report.raised_by == parent and report.details == "It upset me"
    assert report.source == Concern.Source.MESSAGE and report.source_id == message.pk
    assert report.quoted == "Something upsetting"
    notification = manager.notifications.get()
    assert "upsetting" not in notification.verb
    assert notification.data["url"] == report.get_absolute_url()
    # The key worker who sent it is the family's key worker, so they hear of it too.
    assert key_worker.notifications.filter(verb="A concern was raised").exists()


def test_reported_messages_are_listed_as_concerns_for_managers_only(
    client, conversation, parent, key_worker, manager
):
    message = send(key_worker, conversation, body="x")
    report_message(conversation, message, parent)
    client.force_login(parent)
    assert client.get("/concerns/").status_code == 404
    client.force_login(manager)
    response = client.get("/concerns/")
    assert response.status_code == 200
    assert conversation.family.display_name.encode() in response.content
    assert b"x</" not in response.content


def test_working_hours_show_and_out_of_hours_note(
    client, conversation, parent, key_worker, settings
):
    client.force_login(key_worker)
    data = {}
    for day in range(7):
        data[f"starts_{day}"] = "09:00" if day < 5 else ""
        data[f"ends_{day}"] = "17:00" if day < 5 else ""
    assert client.post("/messages/working-hours/", data).status_code == 302
    hours = selectors.working_hours_for(user=key_worker)
    assert [(h.weekday, h.starts, h.ends) for h in hours] == [
        (d, time(9), time(17)) for d in range(5)
    ]
    london = ZoneInfo("Europe/London")
    assert selectors.is_working_now(hours, now=datetime(2026, 11, 23, 10, 0, tzinfo=london))
    assert not selectors.is_working_now(hours, now=datetime(2026, 11, 23, 18, 0, tzinfo=london))
    assert not selectors.is_working_now(hours, now=datetime(2026, 11, 28, 10, 0, tzinfo=london))
    client.force_login(parent)
    page = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert "Monday: 09:00 to 17:00" in page


def test_out_of_hours_note_gives_the_emergency_contacts(client, conversation, parent, settings):
    settings.CHAT_OUT_OF_HOURS_TEXT = "Out of hours, call the emergency duty team on 024 7683 2222."
    client.force_login(parent)
    page = client.get(f"/messages/{conversation.pk}/").content.decode()
    # No working hours set: always outside them.
    assert "data-out-of-hours" in page
    assert "024 7683 2222" in page
    assert "call 999" in page


def test_working_hours_form_keeps_input_on_error(client, key_worker):
    client.force_login(key_worker)
    response = client.post("/messages/working-hours/", {"starts_0": "17:00", "ends_0": "09:00"})
    assert response.status_code == 400
    assert b"must be after the start time" in response.content
    assert b'value="17:00"' in response.content


def test_only_key_workers_set_working_hours(client, parent):
    client.force_login(parent)
    assert client.get("/messages/working-hours/").status_code == 404


def test_inbox_lists_conversations_with_unread_counts_in_flat_queries(
    client, key_worker, django_assert_num_queries, django_assert_max_num_queries
):
    families = []

    def add_families(count):
        for n in range(len(families), len(families) + count):
            family = factories.family(key_worker=key_worker, name=f"Family {n}")
            parent = factories.parent(family)
            conversation = services.conversation_key_worker_ensure(family=family)
            for m in range(n):
                send(parent, conversation, body=f"m{m}")
            families.append(family)

    add_families(2)
    client.force_login(key_worker)
    client.get("/messages/")  # warm the session and per-user caches
    with django_assert_max_num_queries(20) as few:
        client.get("/messages/")
    add_families(6)
    # Other apps' menu badges add queries to every page, so compare, don't hard-code.
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/messages/")
    assert response.status_code == 200
    page = response.content.decode()
    for family in families:
        assert family.display_name in page
    rows = [
        r
        for r in selectors.conversation_list_for_user(user=key_worker)
        if not r.conversation.is_private
    ]
    assert sorted(r.unread for r in rows) == list(range(8))
    assert selectors.unread_total(key_worker.pk) == sum(range(8))


def test_opening_a_conversation_marks_it_read(client, conversation, parent, key_worker):
    send(key_worker, conversation, body="one")
    send(key_worker, conversation, body="two")
    assert selectors.unread_total(parent.pk) == 2
    client.force_login(parent)
    page = client.get("/dashboard/").content.decode()
    assert 'data-live-count="messages"' in page
    client.get(f"/messages/{conversation.pk}/")
    assert selectors.unread_total(parent.pk) == 0


def test_own_messages_show_sent_delivered_and_read(client, conversation, parent, key_worker):
    first = send(parent, conversation, body="one")
    second = send(parent, conversation, body="two")
    third = send(parent, conversation, body="three")
    worker_access = access_for(key_worker, conversation)
    services.conversation_delivered_mark(access=worker_access, user=key_worker, up_to=second.pk)
    services.conversation_read_mark(access=worker_access, user=key_worker, up_to=first.pk)
    client.force_login(parent)
    page = client.get(f"/messages/{conversation.pk}/").content.decode()
    statuses = [
        page.split(f'id="message-{m.pk}"')[1].split("data-status>")[1].split("<")[0]
        for m in (first, second, third)
    ]
    assert statuses == ["Read", "Delivered", "Sent"]


def test_conversation_page_pages_back_through_older_messages(client, conversation, parent):
    ids = [send(parent, conversation, body=f"n{n}").pk for n in range(60)]
    client.force_login(parent)
    page = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert f'id="message-{ids[10]}"' in page and f'id="message-{ids[9]}"' not in page
    older = client.get(f"/messages/{conversation.pk}/?before={ids[10]}").content.decode()
    assert f'id="message-{ids[0]}"' in older


# Notification centre --------------------------------------------------------------------


@pytest.fixture
def notified(parent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            notify_users(recipients=[parent], verb=f"Update {n}", url=f"/plans/{n}/")
        notify_users(recipients=[parent], verb="Bad link", url="https://evil.example.com/")
    return parent.notifications.order_by("id")


def notify_users_now(person, verb):
    from notifications.signals import notify

    notify.send(person, recipient=person, verb=verb, url="/plans/")


def test_notification_list_shows_unread_and_links(
    client, parent, notified, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(parent)
    client.get("/notifications/")
    with django_assert_max_num_queries(20) as few:
        client.get("/notifications/")
    for n in range(10):
        notify_users_now(parent, f"Later {n}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/notifications/")
    page = response.content.decode()
    assert "Update 4" in page and "Mark all as read" in page
    assert 'data-live-count="notifications"' in page


def test_opening_a_notification_marks_it_read_and_goes_there(client, parent, notified):
    first = notified[0]
    client.force_login(parent)
    response = client.post(f"/notifications/{first.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/plans/0/"
    first.refresh_from_db()
    assert not first.unread


def test_notification_with_an_outside_link_never_redirects_there(client, parent, notified):
    bad = notified.get(verb="Bad link")
    client.force_login(parent)
    response = client.post(f"/notifications/{bad.pk}/read/", {"open": "1"})
    assert response["Location"] == "/notifications/"


def test_mark_all_read(client, parent, notified):
    client.force_login(parent)
    assert client.post("/notifications/read-all/").status_code == 302
    assert not parent.notifications.filter(unread=True).exists()


def test_nobody_marks_someone_elses_notification(client, other_parent, notified):
    client.force_login(other_parent)
    assert client.post(f"/notifications/{notified[0].pk}/read/").status_code == 404
    assert notified[0].unread


def test_mark_read_needs_post(client, parent, notified):
    client.force_login(parent)
    assert client.get(f"/notifications/{notified[0].pk}/read/").status_code == 405


def test_notifications_need_sign_in(client):
    assert client.get("/notifications/").status_code == 302


# Demo ------------------------------------------------------------------------------------


def test_demo_seeder_adds_khan_messages_once(db):
    from portal import demo

    demo.seed()
    demo.seed()
    conversation = Conversation.objects.get(
        family__display_name="The Khan family", kind=Conversation.Kind.KEY_WORKER
    )
    assert conversation.messages.count() == 4


def test_a_parents_own_message_gives_only_them_its_delete_button(client, conversation, parent):
    dad = factories.parent(conversation.family, name="Imran")
    services.conversation_key_worker_ensure(family=conversation.family)
    message = send(parent, conversation, body="I walked them to school")

    def shown_to(user) -> str:
        client.force_login(user)
        html = client.get(f"/messages/{conversation.pk}/").content.decode()
        start = html.index(f'id="message-{message.pk}"')
        return html[start : html.index("</li>", start)]

    mine = shown_to(parent)
    assert "Delete" in mine and "You" in mine
    theirs = shown_to(dad)
    assert "Delete" not in theirs and "Report" in theirs
    assert parent.display_name in theirs


def test_conversation_page_query_count_is_pinned(
    client, conversation, parent, key_worker, django_assert_num_queries, session_queries
):
    dad = factories.parent(conversation.family, name="Imran")
    services.conversation_key_worker_ensure(family=conversation.family)
    client.force_login(key_worker)
    client.post(
        "/messages/working-hours/",
        {
            f"{edge}_{day}": hour
            for day in range(5)
            for edge, hour in (("starts", "09:00"), ("ends", "17:00"))
        },
    )
    for n in range(20):
        for sender in (parent, dad, key_worker):
            send(sender, conversation, body=f"Message {n} from {sender.display_name}")
    client.force_login(parent)
    path = f"/messages/{conversation.pk}/"
    # The person, the conversation with its family, the page of messages with their
    # senders, everyone's read state, the key worker's hours, the menu's two counts (one
    # query)...
    with django_assert_num_queries(session_queries + 6 + 4 + 2):
        # ...and the first time, marking it read: the newest id, the mark, what it is
        # now and whom to tell (and the savepoint a test's transaction adds around it).
        first = client.get(path)
    with django_assert_num_queries(session_queries + 6):
        again = client.get(path)
    assert first.status_code == again.status_code == 200
    assert len(re.findall(r'id="message-\d', again.content.decode())) == selectors.PAGE_SIZE


def test_a_conversation_whose_messages_are_kept_builds_none_of_them(
    client, conversation, parent, key_worker, monkeypatch
):
    for n in range(3):
        send(key_worker, conversation, body=f"Hello {n}")
    send(parent, conversation, body="Thank you")
    client.force_login(parent)
    path = f"/messages/{conversation.pk}/"
    first = client.get(path).content.decode()
    built = []
    made = Message.from_db.__func__

    def counting(cls, *args, **kwargs):
        built.append(cls)
        return made(cls, *args, **kwargs)

    monkeypatch.setattr(Message, "from_db", classmethod(counting))
    again = client.get(path).content.decode()
    shown = re.compile(r'id="message-\d')
    assert built == [] and len(shown.findall(again)) == len(shown.findall(first)) == 4
    assert "app-message--mine" in again and ">Sent</span>" in again
    # The key worker reads it: the status is part of the key, so the messages are made again.
    client.force_login(key_worker)
    client.get(path)
    client.force_login(parent)
    assert ">Read</span>" in client.get(path).content.decode()
    assert Message in built

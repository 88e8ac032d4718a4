"""Each adult's private conversation: only they and the key worker are in it, and no other
adult of the household can see it, be told of it or count it."""

from __future__ import annotations

import uuid

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from chat import selectors, services, tasks
from chat.models import Conversation, Participant
from portal.models import FamilyMember
from tests.helpers.chat import (
    open_socket,
    png_bytes,
    receive_until,
    send,
    session_cookie,
    socket_send,
)


@pytest.fixture
def private(family, parent, key_worker):
    return Conversation.objects.get(family=family, kind=Conversation.Kind.PRIVATE, owner=parent)


def _notifications(user):
    return list(selectors.notifications_for(user=user))


def test_each_adult_has_a_private_conversation_with_only_the_key_worker(
    family, parent, dad, key_worker, private
):
    people = dict(private.participants.filter(left_at__isnull=True).values_list("user_id", "role"))
    assert people == {
        parent.pk: Participant.Role.FAMILY,
        key_worker.pk: Participant.Role.KEY_WORKER,
    }
    dads = Conversation.objects.get(family=family, kind=Conversation.Kind.PRIVATE, owner=dad)
    assert set(dads.participants.values_list("user_id", flat=True)) == {dad.pk, key_worker.pk}
    # Children have no private conversation of their own.
    from tests import factories

    factories.child(family)
    assert Conversation.objects.filter(family=family, kind=Conversation.Kind.PRIVATE).count() == 2


def test_parent_sees_just_you_and_the_key_worker_marked_private(
    client, parent, key_worker, private
):
    client.force_login(parent)
    page = client.get("/messages/").content.decode()
    assert f"Just you and {key_worker.display_name}" in page
    assert "Private" in page and "No one else in your family can see these messages." in page
    response = client.get(private.get_absolute_url())
    assert response.status_code == 200
    assert "No one else in your family can see these messages" in response.content.decode()


def test_parent_writes_privately_through_the_form(client, parent, key_worker, private):
    client.force_login(parent)
    response = client.post(
        f"/messages/{private.pk}/send/", {"body": "Just for Kim", "client_id": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    assert private.messages.get().body == "Just for Kim"
    assert selectors.unread_total(key_worker.pk) == 1


def test_the_other_adult_cannot_open_send_delete_report_or_download(client, parent, dad, private):
    message = send(
        parent,
        private,
        body="secret",
        attachment=SimpleUploadedFile("a.png", png_bytes(), "image/png"),
    )
    client.force_login(dad)
    assert client.get(private.get_absolute_url()).status_code == 404
    assert client.get(f"/messages/attachments/{message.pk}/").status_code == 404
    for url, data in (
        (f"/messages/{private.pk}/send/", {"body": "x", "client_id": str(uuid.uuid4())}),
        (f"/messages/{private.pk}/messages/{message.pk}/delete/", {}),
        (f"/messages/{private.pk}/messages/{message.pk}/report/", {"reason": ""}),
        (f"/messages/{private.pk}/share/", {"shared": "yes"}),
        (f"/messages/{private.pk}/private/", {}),
    ):
        assert client.post(url, data).status_code == 404, url
    page = client.get("/messages/").content.decode()
    assert "secret" not in page and "Just you and" in page  # only his own
    assert page.count("Private") == 1
    message.refresh_from_db()
    assert not message.is_deleted and private.messages.count() == 1


def test_the_other_adult_is_not_told_and_counts_nothing(
    parent, dad, key_worker, private, conversation, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    before = _notifications(dad)
    with django_capture_on_commit_callbacks(execute=True):
        send(parent, private, body="Only for Kim")
        send(key_worker, private, body="Only for Aisha")
    # Kim and Aisha were told (each is away), so telling works; Imran was not.
    assert selectors.unread_notification_count(key_worker.pk) == 1
    assert selectors.unread_notification_count(parent.pk) == 1
    assert any(parent.email in m.to for m in mail.outbox)
    assert selectors.unread_total(dad.pk) == 0
    assert _notifications(dad) == before
    assert selectors.unread_notification_count(dad.pk) == 0
    assert all(dad.email not in m.to for m in mail.outbox)
    assert selectors.unread_total(parent.pk) == 1
    assert selectors.unread_total(key_worker.pk) == 0


def test_private_notification_and_email_say_less_than_the_family_ones(
    parent, key_worker, private, conversation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(key_worker, conversation, body="Family words")
        send(key_worker, private, body="Private words")
    notes = {n.verb: n for n in _notifications(parent)}
    assert list(notes) == ["You have a new message"]
    private_note = selectors.notifications_for(user=parent).order_by("-id").first()
    assert private_note.data["url"] == "/messages/"
    assert private_note.target is None
    family_note = selectors.notifications_for(user=parent).order_by("id").first()
    assert family_note.data["url"] == conversation.get_absolute_url()

    mail.outbox.clear()
    assert tasks.new_message_email_send.call(conversation.pk, parent.pk) is True
    assert tasks.new_message_email_send.call(private.pk, parent.pk) is True
    family_email, private_email = mail.outbox
    assert private_email.subject == "You have a new message in the portal"
    text = private_email.body
    for telling in (
        parent.display_name,
        key_worker.display_name,
        "Private words",
        "conversation",
        f"/messages/{private.pk}",
        private.family.display_name,
    ):
        assert telling not in text, telling
    assert text.rstrip().endswith("/messages/")
    assert len(text) < len(family_email.body)


def test_an_adult_who_leaves_the_family_leaves_their_private_conversation(
    parent, key_worker, private
):
    FamilyMember.objects.get(user=parent).delete()
    assert not private.participants.filter(user=parent, left_at__isnull=True).exists()
    from chat.access import conversation_role

    assert conversation_role(parent, private) is None


def test_key_worker_lists_unstarted_private_conversations_apart(
    client, parent, dad, key_worker, private
):
    client.force_login(key_worker)
    page = client.get("/messages/").content.decode()
    assert "Write to one adult privately" in page
    assert f"just {dad.display_name}" in page
    send(parent, private, body="hello")
    page = client.get("/messages/").content.decode()
    main, _sep, apart = page.partition("Write to one adult privately")
    assert f"just {parent.display_name}" in main and "Private" in main
    assert f"just {dad.display_name}" in apart
    response = client.get(private.get_absolute_url())
    assert f"Private messages with {parent.display_name}" in response.content.decode()


def test_private_conversation_with_the_mentor(client, family, parent, dad, mentor, key_worker):
    family_mentor = services.conversation_mentor_open(family=family, mentor=mentor, match_id=5)
    client.force_login(parent)
    response = client.get(family_mentor.get_absolute_url())
    assert b"Talk to your peer mentor on your own" in response.content
    response = client.post(f"/messages/{family_mentor.pk}/private/")
    own = Conversation.objects.get(kind=Conversation.Kind.PRIVATE_MENTOR, owner=parent)
    assert response["Location"] == own.get_absolute_url()
    assert set(own.participants.values_list("user_id", flat=True)) == {parent.pk, mentor.pk}
    send(parent, own, body="Just between us")
    for who, status in ((mentor, 200), (dad, 404), (key_worker, 404), (parent, 200)):
        client.force_login(who)
        assert client.get(own.get_absolute_url()).status_code == status, who
    assert selectors.unread_total(dad.pk) == 0
    from portal.signals import mentor_match_ended

    mentor_match_ended.send(sender=None, family=family, mentor=mentor, match_id=5, reason="done")
    own.refresh_from_db()
    assert own.is_closed
    client.force_login(mentor)
    assert client.get(own.get_absolute_url()).status_code == 404


@pytest.mark.django_db(transaction=True)
async def test_the_other_adults_socket_hears_nothing_of_it(
    family, parent, dad, key_worker, conversation
):
    private = await Conversation.objects.aget(kind=Conversation.Kind.PRIVATE, owner=parent)
    aisha, _hello = await open_socket(await database_sync_to_async(session_cookie)(parent))
    imran, imran_hello = await open_socket(await database_sync_to_async(session_cookie)(dad))
    assert private.pk not in {c["id"] for c in imran_hello["conversations"]}
    worker, _ = await open_socket(await database_sync_to_async(session_cookie)(key_worker))

    await aisha.send_json_to({"type": "typing", "conversation": private.pk})
    await socket_send(aisha, private, "Private words")
    sent, _ = await receive_until(aisha, "sent")
    arrived, _ = await receive_until(worker, "message")
    assert arrived["message"]["id"] == sent["id"]
    await aisha.send_json_to({"type": "read", "conversation": private.pk, "id": sent["id"]})
    # Then something Imran may hear: everything before it would have come first.
    await socket_send(aisha, conversation, "Family words")
    family_message, before = await receive_until(imran, "message")
    assert family_message["message"]["conversation"] == conversation.pk
    assert [e for e in before if e.get("conversation") == private.pk] == []
    assert all(e.get("message", {}).get("conversation") != private.pk for e in before), before
    assert all(e["type"] != "count" or e["name"] != "messages" or e["count"] == 0 for e in before)
    # And his socket cannot reach it.
    await imran.send_json_to({"type": "resume", "conversation": private.pk, "after": 0})
    error, _ = await receive_until(imran, "error")
    assert error["code"] == "not_found"
    for socket in (aisha, imran, worker):
        await socket.disconnect()

"""The socket at /ws/, driven with Channels' WebsocketCommunicator through the real stack."""

from __future__ import annotations

import asyncio
import json
import uuid
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.db import transaction
from django.test import Client

from chat import services
from chat.models import Conversation, Message
from portal.models import StaffProfile
from portal.signals import concern_raised, mentor_match_ended, mentor_match_started
from tests import factories
from tests.helpers.chat import (
    asend,
    communicator,
    open_socket,
    receive_until,
    send,
    session_cookie,
    socket_send,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def test_anonymous_socket_is_refused(conversation):
    socket = communicator(None)
    connected, code = await socket.connect(timeout=5)
    assert not connected
    assert code == 4401


async def test_foreign_origin_is_refused(conversation, parent):
    cookie = await database_sync_to_async(session_cookie)(parent)
    socket = communicator(cookie, origin="https://evil.example.com")
    connected, _code = await socket.connect(timeout=5)
    assert not connected


async def test_missing_origin_is_refused(conversation, parent):
    cookie = await database_sync_to_async(session_cookie)(parent)
    socket = communicator(cookie, origin=None)
    connected, _code = await socket.connect(timeout=5)
    assert not connected


async def test_own_origin_is_accepted(conversation, parent):
    cookie = await database_sync_to_async(session_cookie)(parent)
    socket, hello = await open_socket(cookie)
    private = await Conversation.objects.aget(owner=parent, kind=Conversation.Kind.PRIVATE)
    assert [c["id"] for c in hello["conversations"]] == [conversation.pk, private.pk]
    await socket.disconnect()


async def test_manager_in_no_conversation_gets_live_notifications(conversation, manager):
    from notifications.signals import notify

    socket, hello = await open_socket(await database_sync_to_async(session_cookie)(manager))
    assert hello["conversations"] == []

    def tell_manager():
        with transaction.atomic():
            notify.send(manager, recipient=manager, verb="A concern was raised")

    await database_sync_to_async(tell_manager)()
    event, _ = await receive_until(socket, "count")
    assert event["name"] == "notifications" and event["count"] == 1
    await socket.disconnect()


async def test_manager_before_two_step_sign_in_is_refused_and_told_to_stop(conversation):
    manager = await database_sync_to_async(factories.staff)(StaffProfile.Role.MANAGER, mfa=False)
    socket = communicator(await database_sync_to_async(session_cookie)(manager))
    connected, code = await socket.connect(timeout=5)
    # 4403 is one of the codes live.js stops on, so the page does not try for ever.
    assert not connected and code == 4403


def test_pages_load_the_live_script_only_for_those_the_socket_serves(client, db):
    live = 'src="/static/chat/live.js"'
    before = factories.staff(StaffProfile.Role.MANAGER, mfa=False)
    client.force_login(before)
    assert live not in client.get("/dashboard/").content.decode()
    after = factories.staff(StaffProfile.Role.MANAGER)
    client.force_login(after)
    assert live in client.get("/dashboard/").content.decode()


async def test_non_participant_cannot_send_or_resume(conversation, other_parent):
    cookie = await database_sync_to_async(session_cookie)(other_parent)
    socket, hello = await open_socket(cookie)
    assert conversation.pk not in [c["id"] for c in hello["conversations"]]
    client_id = str(uuid.uuid4())
    await socket.send_json_to(
        {"type": "send", "conversation": conversation.pk, "client_id": client_id, "body": "hi"}
    )
    error = await socket.receive_json_from(timeout=5)
    assert error["type"] == "error" and error["code"] == "not_found"
    assert error["client_id"] == client_id
    await socket.send_json_to({"type": "resume", "conversation": conversation.pk, "after": 0})
    error = await socket.receive_json_from(timeout=5)
    assert error["code"] == "not_found"
    assert not await database_sync_to_async(Message.objects.exists)()
    await socket.disconnect()


async def test_message_reaches_the_other_person_live(conversation, parent, key_worker):
    parent_socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    worker_socket, _ = await open_socket(await database_sync_to_async(session_cookie)(key_worker))
    client_id = str(uuid.uuid4())
    await parent_socket.send_json_to(
        {
            "type": "send",
            "conversation": conversation.pk,
            "client_id": client_id,
            "body": "Line one\nLine two <b>",
        }
    )
    sent, _ = await receive_until(parent_socket, "sent")
    assert sent["client_id"] == client_id and not sent["duplicate"]
    event, _ = await receive_until(worker_socket, "message")
    assert event["message"]["id"] == sent["id"]
    assert event["message"]["html"] == "Line one<br>Line two &lt;b&gt;"
    # The key worker's device says it arrived; the sender sees "delivered".
    await worker_socket.send_json_to(
        {"type": "delivered", "conversation": conversation.pk, "id": sent["id"]}
    )
    receipt, _ = await receive_until(parent_socket, "receipt")
    assert receipt["delivered"] == sent["id"] and receipt["read"] == 0
    await worker_socket.send_json_to(
        {"type": "read", "conversation": conversation.pk, "id": sent["id"]}
    )
    receipt, _ = await receive_until(parent_socket, "receipt")
    assert receipt["read"] == sent["id"]
    await parent_socket.disconnect()
    await worker_socket.disconnect()


async def test_message_sent_on_one_device_shows_on_the_senders_other_device(
    conversation, parent, key_worker
):
    phone, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    laptop, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    await socket_send(phone, conversation, "From my phone")
    sent, _ = await receive_until(phone, "sent")
    echoed, _ = await receive_until(laptop, "message")
    assert echoed["message"]["id"] == sent["id"]
    # The phone has it in its acknowledgement and is not sent it twice.
    assert await phone.receive_nothing(timeout=0.3)
    await laptop.disconnect()
    await phone.disconnect()


async def test_retry_with_same_client_id_makes_no_duplicate(conversation, parent, key_worker):
    parent_socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    worker_socket, _ = await open_socket(await database_sync_to_async(session_cookie)(key_worker))
    frame = {
        "type": "send",
        "conversation": conversation.pk,
        "client_id": str(uuid.uuid4()),
        "body": "Only once",
    }
    await parent_socket.send_json_to(frame)
    first, _ = await receive_until(parent_socket, "sent")
    # The connection drops before the client sees the ack; it reconnects and retries.
    await parent_socket.disconnect()
    parent_socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    await parent_socket.send_json_to(frame)
    second, _ = await receive_until(parent_socket, "sent")
    assert second["id"] == first["id"] and second["duplicate"]
    assert await database_sync_to_async(Message.objects.count)() == 1
    delivered, _ = await receive_until(worker_socket, "message")
    assert delivered["message"]["id"] == first["id"]
    assert await worker_socket.receive_nothing(timeout=0.3)
    await parent_socket.disconnect()
    await worker_socket.disconnect()


async def test_resume_after_disconnect_gets_200_missed_messages_in_order_once(
    conversation, parent, key_worker
):
    cookie = await database_sync_to_async(session_cookie)(parent)
    socket, _ = await open_socket(cookie)
    first = await asend(key_worker, conversation, body="before")
    event, _ = await receive_until(socket, "message")
    last_seen = event["message"]["id"]
    assert last_seen == first.pk
    await socket.disconnect()

    def missed():
        return [send(key_worker, conversation, body=f"missed {n}").pk for n in range(200)]

    expected = await database_sync_to_async(missed)()
    socket, _ = await open_socket(cookie)
    await socket.send_json_to(
        {"type": "resume", "conversation": conversation.pk, "after": last_seen}
    )
    resumed, events = await receive_until(socket, "resumed", wait=10)
    got = [e["message"]["id"] for e in events if e["type"] == "message"]
    assert got == expected
    assert [e["message"]["html"] for e in events][:2] == ["missed 0", "missed 1"]
    assert resumed["last"] == expected[-1] and not resumed["more"]
    # Asking again from the newest id gives nothing twice.
    await socket.send_json_to(
        {"type": "resume", "conversation": conversation.pk, "after": expected[-1]}
    )
    resumed, events = await receive_until(socket, "resumed")
    assert events == []
    await socket.disconnect()


async def test_live_message_and_resume_overlap_is_delivered_once(conversation, parent, key_worker):
    cookie = await database_sync_to_async(session_cookie)(parent)
    socket, _ = await open_socket(cookie)
    message = await asend(key_worker, conversation, body="hello")
    live, _ = await receive_until(socket, "message")
    assert live["message"]["id"] == message.pk
    await socket.send_json_to({"type": "resume", "conversation": conversation.pk, "after": 0})
    _resumed, events = await receive_until(socket, "resumed")
    assert [e for e in events if e["type"] == "message"] == []
    await socket.disconnect()


async def test_every_message_names_the_one_before_it_in_its_own_conversation(
    conversation, parent, key_worker, other_family, other_parent
):
    """Ids are global, so a page cannot tell from an id alone whether it missed one."""
    other = await database_sync_to_async(services.conversation_key_worker_ensure)(
        family=other_family
    )
    parent_socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    worker_socket, _ = await open_socket(await database_sync_to_async(session_cookie)(key_worker))

    await socket_send(parent_socket, conversation, "first")
    first, _ = await receive_until(parent_socket, "sent")
    assert first["message"]["prev"] == 0
    live, _ = await receive_until(worker_socket, "message")
    assert live["message"]["id"] == first["id"] and live["message"]["prev"] == 0

    elsewhere = await asend(other_parent, other, body="in another family's conversation")
    second = await asend(key_worker, conversation, body="second")
    assert first["id"] < elsewhere.pk < second.pk
    live, _ = await receive_until(parent_socket, "message")
    assert live["message"]["id"] == second.pk and live["message"]["prev"] == first["id"]

    await socket_send(parent_socket, conversation, "third")
    third, _ = await receive_until(parent_socket, "sent")
    assert third["message"]["prev"] == second.pk
    own, _ = await receive_until(worker_socket, "message")
    assert own["message"]["id"] == second.pk  # sent by the key worker from elsewhere
    live, _ = await receive_until(worker_socket, "message")
    assert live["message"]["id"] == third["id"] and live["message"]["prev"] == second.pk
    await parent_socket.disconnect()
    await worker_socket.disconnect()


async def test_a_page_that_missed_a_live_message_sees_the_gap_and_resumes_it(
    conversation, parent, key_worker
):
    from chat import live

    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    first = await asend(key_worker, conversation, body="first")
    event, _ = await receive_until(socket, "message")
    last_id = event["message"]["id"]
    # The channel layer loses one live event (as while Redis restarts).
    with mock.patch.object(live, "send_many"):
        lost = await asend(key_worker, conversation, body="lost")
    third = await asend(key_worker, conversation, body="third")
    event, _ = await receive_until(socket, "message")
    assert event["message"]["id"] == third.pk
    # Its "prev" is not what the page has: it keeps its last id and resumes from it.
    assert event["message"]["prev"] == lost.pk != last_id == first.pk
    await socket.send_json_to({"type": "resume", "conversation": conversation.pk, "after": last_id})
    resumed, events = await receive_until(socket, "resumed")
    assert [(e["message"]["id"], e["message"]["prev"]) for e in events] == [(lost.pk, first.pk)]
    # The third came live already; the socket has now been sent everything up to it.
    assert resumed["last"] == third.pk
    await socket.disconnect()


async def test_replayed_messages_name_the_one_before_them(conversation, parent, key_worker):
    ids = [(await asend(key_worker, conversation, body=f"m{n}")).pk for n in range(4)]
    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    await socket.send_json_to({"type": "resume", "conversation": conversation.pk, "after": ids[0]})
    _resumed, events = await receive_until(socket, "resumed")
    assert [(e["message"]["id"], e["message"]["prev"]) for e in events] == list(
        zip(ids[1:], ids[:-1], strict=True)
    )
    await socket.disconnect()


@pytest.fixture
def flaky_layer(settings):
    """The channel layer is a FlakyLayer, watched as the Redis one is, probed often."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "tests.helpers.chat.FlakyLayer"}}
    settings.CHAT_LAYER_PROBE_SECONDS = 0.05
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


async def test_a_socket_is_told_subscribed_once_the_layer_delivers_again(
    flaky_layer, conversation, parent, key_worker
):
    from channels.layers import get_channel_layer

    from chat import live

    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    watch = live._watches[asyncio.get_running_loop()]
    layer = get_channel_layer()
    layer.down = True
    await asyncio.wait_for(layer.refused.wait(), timeout=10)  # the watch's next probe
    assert not watch.healthy
    lost = await asend(key_worker, conversation, body="sent while the layer was down")
    assert await socket.receive_nothing(timeout=0.2)
    layer.down = False
    event, skipped = await receive_until(socket, "subscribed", wait=10)
    assert skipped == []
    await socket.send_json_to({"type": "resume", "conversation": conversation.pk, "after": 0})
    _resumed, events = await receive_until(socket, "resumed")
    assert [e["message"]["id"] for e in events] == [lost.pk]
    await socket.disconnect()


async def test_sign_out_closes_the_socket(conversation, parent):
    client = Client()
    await database_sync_to_async(client.force_login)(parent)
    cookie = client.cookies["sessionid"].value
    socket, _ = await open_socket(cookie)
    response = await database_sync_to_async(client.post)("/accounts/logout/")
    assert response.status_code == 302
    event, _ = await receive_until(socket, "signed_out")
    assert event == {"type": "signed_out"}
    closed = await socket.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4001}


async def test_signing_out_elsewhere_leaves_this_device_connected(conversation, parent):
    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    other = Client()
    await database_sync_to_async(other.force_login)(parent)
    await database_sync_to_async(other.post)("/accounts/logout/")
    assert await socket.receive_nothing(timeout=0.3)
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from())["type"] == "pong"
    await socket.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        (json.dumps({"type": "dance"}), "unknown_type"),
        (
            json.dumps({"type": "send", "conversation": "x", "client_id": "a", "body": "b"}),
            "not_found",
        ),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_keeps_working(
    conversation, parent, frame, code
):
    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    await socket.send_to(text_data=frame)
    error = await socket.receive_json_from(timeout=5)
    assert error["type"] == "error" and error["code"] == code
    await socket.send_json_to(
        {
            "type": "send",
            "conversation": conversation.pk,
            "client_id": str(uuid.uuid4()),
            "body": "ok",
        }
    )
    sent, _ = await receive_until(socket, "sent")
    assert sent["id"]
    await socket.disconnect()


TOO_LONG = "That message is too long to send. Make it shorter and try again."


async def test_a_frame_over_the_limit_closes_the_socket_with_4009_and_a_message(
    conversation, parent, settings
):
    socket, hello = await open_socket(await database_sync_to_async(session_cookie)(parent))
    limit = settings.CHAT_MAX_FRAME_BYTES
    assert hello["max_frame"] == limit
    # The limit is in bytes, as the servers count: two-byte letters, fewer characters.
    frame = json.dumps({"type": "ping", "pad": "é" * (limit // 2)}, ensure_ascii=False)
    assert len(frame) < limit < len(frame.encode())
    await socket.send_to(text_data=frame)
    error = await socket.receive_json_from(timeout=5)
    assert error == {"type": "error", "code": "too_large", "message": TOO_LONG}
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4009}
    assert not await database_sync_to_async(Message.objects.exists)()


async def test_a_frame_of_exactly_the_limit_is_read(conversation, parent, settings):
    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    empty = len(json.dumps({"type": "ping", "pad": ""}))
    await socket.send_json_to(
        {"type": "ping", "pad": "x" * (settings.CHAT_MAX_FRAME_BYTES - empty)}
    )
    assert (await socket.receive_json_from(timeout=5))["type"] == "pong"
    await socket.disconnect()


async def test_binary_frame_is_refused(conversation, parent):
    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    await socket.send_to(bytes_data=b"\x00\x01")
    error = await socket.receive_json_from(timeout=5)
    assert error["code"] == "bad_frame"
    await socket.disconnect()


async def test_too_long_message_is_refused_and_nothing_is_saved(conversation, parent):
    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    await socket.send_json_to(
        {
            "type": "send",
            "conversation": conversation.pk,
            "client_id": str(uuid.uuid4()),
            "body": "a" * 2001,
        }
    )
    error = await socket.receive_json_from(timeout=5)
    assert error["code"] == "invalid"
    assert not await database_sync_to_async(Message.objects.exists)()
    await socket.disconnect()


async def test_flood_of_messages_is_rate_limited_and_sent_ones_are_kept(
    conversation, parent, settings
):
    settings.CHAT_SEND_RATE = (5, 60)
    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    for n in range(8):
        await socket.send_json_to(
            {
                "type": "send",
                "conversation": conversation.pk,
                "client_id": str(uuid.uuid4()),
                "body": f"{n}",
            }
        )
    results = []
    while len(results) < 8:
        event = await socket.receive_json_from(timeout=5)
        if event["type"] in {"sent", "error"}:
            results.append(event)
    assert [e["type"] for e in results].count("sent") == 5
    assert {e["code"] for e in results if e["type"] == "error"} == {"rate_limited"}
    assert await database_sync_to_async(Message.objects.count)() == 5
    await socket.disconnect()


async def test_frame_flood_is_throttled_without_closing(conversation, parent):
    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    for _n in range(80):
        await socket.send_json_to({"type": "ping"})
    kinds = []
    for _n in range(80):
        kinds.append((await socket.receive_json_from(timeout=5))["type"])
    assert "error" in kinds and "pong" in kinds
    await asyncio.sleep(0.2)
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from())["type"] == "pong"
    await socket.disconnect()


async def test_typing_hint_reaches_the_others_only(conversation, parent, key_worker):
    parent_socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    worker_socket, _ = await open_socket(await database_sync_to_async(session_cookie)(key_worker))
    await parent_socket.send_json_to({"type": "typing", "conversation": conversation.pk})
    typing, _ = await receive_until(worker_socket, "typing")
    assert typing["name"] == "Aisha"
    assert await parent_socket.receive_nothing(timeout=0.3)
    await parent_socket.disconnect()
    await worker_socket.disconnect()


@pytest.fixture
def worker_without_mfa(db):
    worker = factories.staff(StaffProfile.Role.KEY_WORKER, mfa=False)
    family = factories.family(key_worker=worker)
    factories.parent(family)
    services.conversation_key_worker_ensure(family=family)
    return worker


async def test_key_worker_without_mfa_is_refused(worker_without_mfa):
    worker = worker_without_mfa
    socket = communicator(await database_sync_to_async(session_cookie)(worker))
    connected, code = await socket.connect(timeout=5)
    assert not connected and code == 4403


async def test_mentor_match_opens_and_ending_it_removes_access(family, parent, mentor):
    await database_sync_to_async(services.conversation_key_worker_ensure)(family=family)
    # Before the match the mentor has no conversation at all (only notifications).
    early, early_hello = await open_socket(await database_sync_to_async(session_cookie)(mentor))
    assert early_hello["conversations"] == []
    await early.disconnect()

    await database_sync_to_async(mentor_match_started.send)(
        sender=None, family=family, mentor=mentor, match_id=5
    )
    parent_socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    mentor_socket, hello = await open_socket(await database_sync_to_async(session_cookie)(mentor))
    mentor_conversation = (
        await Conversation.objects.aget(family=family, kind=Conversation.Kind.MENTOR)
    ).pk
    # And the one with the family's key worker, for arranging support.
    team = (await Conversation.objects.aget(family=family, kind=Conversation.Kind.TEAM)).pk
    assert sorted(c["id"] for c in hello["conversations"]) == sorted([mentor_conversation, team])
    await mentor_socket.send_json_to(
        {
            "type": "send",
            "conversation": mentor_conversation,
            "client_id": str(uuid.uuid4()),
            "body": "Hi, I'm Jo",
        }
    )
    event, _ = await receive_until(parent_socket, "message")
    assert event["message"]["conversation"] == mentor_conversation

    await database_sync_to_async(mentor_match_ended.send)(
        sender=None, family=family, mentor=mentor, match_id=5, reason="ended"
    )
    removed, _ = await receive_until(mentor_socket, "removed")
    again, _ = await receive_until(mentor_socket, "removed")
    assert sorted([removed["conversation"], again["conversation"]]) == sorted(
        [mentor_conversation, team]
    )
    # The socket stays open for notifications, but the conversation is gone from it.
    await mentor_socket.send_json_to(
        {"type": "resume", "conversation": mentor_conversation, "after": 0}
    )
    refused, _ = await receive_until(mentor_socket, "error")
    assert refused.get("conversation") in (mentor_conversation, None)
    await mentor_socket.disconnect()
    await parent_socket.disconnect()


async def test_mentor_who_is_also_a_parent_keeps_the_socket_when_a_match_ends(
    family, parent, mentor_with_family
):
    mentor = mentor_with_family
    await database_sync_to_async(mentor_match_started.send)(
        sender=None, family=family, mentor=mentor, match_id=6
    )
    socket, hello = await open_socket(await database_sync_to_async(session_cookie)(mentor))
    # Their own family's conversation, their own private one, the mentor one and the one
    # with the family's key worker.
    assert len(hello["conversations"]) == 4
    await database_sync_to_async(mentor_match_ended.send)(
        sender=None, family=family, mentor=mentor, match_id=6, reason="ended"
    )
    removed, _ = await receive_until(socket, "removed")
    await socket.send_json_to(
        {
            "type": "send",
            "conversation": removed["conversation"],
            "client_id": str(uuid.uuid4()),
            "body": "x",
        }
    )
    error, _ = await receive_until(socket, "error")
    assert error["code"] == "not_found"
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from())["type"] == "pong"
    await socket.disconnect()


async def test_concern_gives_the_key_worker_read_only_access(family, parent, key_worker, mentor):
    await database_sync_to_async(mentor_match_started.send)(
        sender=None, family=family, mentor=mentor, match_id=9
    )
    worker_socket, hello = await open_socket(
        await database_sync_to_async(session_cookie)(key_worker)
    )
    assert all(c["role"] == "key_worker" for c in hello["conversations"])
    await database_sync_to_async(concern_raised.send)(
        sender=None, family=family, mentor=mentor, concern_id=1
    )
    added, _ = await receive_until(worker_socket, "added")
    assert added["role"] == "observer" and added["can_write"] is False
    await worker_socket.send_json_to(
        {
            "type": "send",
            "conversation": added["conversation"],
            "client_id": str(uuid.uuid4()),
            "body": "x",
        }
    )
    error, _ = await receive_until(worker_socket, "error")
    assert error["code"] == "not_found"
    await worker_socket.disconnect()


async def test_away_recipient_gets_notification_and_one_email_an_hour(
    conversation, parent, key_worker
):
    mail.outbox.clear()
    await asend(parent, conversation, body="Private words")
    await asend(parent, conversation, body="More private words")
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [key_worker.email]
    assert "Private" not in email.body and "Private" not in email.subject
    assert f"/messages/{conversation.pk}/" in email.body

    def notifications():
        return list(key_worker.notifications.values_list("verb", flat=True))

    assert await database_sync_to_async(notifications)() == ["You have a new message"]


async def test_online_recipient_gets_no_email(conversation, parent, key_worker):
    mail.outbox.clear()
    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(key_worker))
    await asend(parent, conversation, body="Hello")
    await receive_until(socket, "message")
    assert mail.outbox == []
    await socket.disconnect()


async def test_new_notification_pushes_the_bell_count(conversation, parent, key_worker):
    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))

    def notify():
        from portal.notify import notify_users

        notify_users(recipients=[parent], verb="Your plan was updated", url="/plans/")

    await database_sync_to_async(notify)()
    count, _ = await receive_until(socket, "count")
    assert count == {"type": "count", "name": "notifications", "count": 1}
    await socket.disconnect()


async def test_deleting_a_message_tells_the_others(conversation, parent, key_worker):
    worker_socket, _ = await open_socket(await database_sync_to_async(session_cookie)(key_worker))
    message = await asend(parent, conversation, body="oops")
    await receive_until(worker_socket, "message")

    def delete():
        from tests.helpers.chat import access_for

        services.message_delete(
            access=access_for(parent, conversation), message=message, user=parent
        )

    await database_sync_to_async(delete)()
    event, _ = await receive_until(worker_socket, "deleted")
    assert event["message"]["id"] == message.pk and event["message"]["deleted"]
    assert event["message"]["html"] == ""
    await worker_socket.disconnect()


async def test_ping_keeps_presence_and_closing_the_socket_ends_it(conversation, key_worker):
    from chat import live

    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(key_worker))
    assert await database_sync_to_async(live.online_user_ids)([key_worker.pk]) == {key_worker.pk}
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from())["type"] == "pong"
    assert await database_sync_to_async(live.online_user_ids)([key_worker.pk]) == {key_worker.pk}
    await socket.disconnect()
    await asyncio.sleep(0.2)
    assert await database_sync_to_async(live.online_user_ids)([key_worker.pk]) == set()


async def test_resume_brings_deletions_made_while_the_page_was_away(
    conversation, parent, key_worker
):
    from datetime import timedelta

    from django.utils import timezone

    from tests.helpers.chat import access_for

    worker_cookie = await database_sync_to_async(session_cookie)(key_worker)
    socket, _ = await open_socket(worker_cookie)
    kept = await asend(parent, conversation, body="kept")
    gone = await asend(parent, conversation, body="my address is 1 High Street")
    for message in (kept, gone):
        event, _ = await receive_until(socket, "message")
        assert event["message"]["id"] == message.pk
    await socket.send_json_to({"type": "resume", "conversation": conversation.pk, "after": gone.pk})
    resumed, events = await receive_until(socket, "resumed")
    assert events == []
    cursor = resumed["deleted_until"]
    await socket.disconnect()

    # Two minutes later, while the key worker is away, the parent deletes one and sends
    # another, which is deleted too before the key worker is back.
    later = timezone.now() + timedelta(minutes=2)

    def away():
        newer = send(parent, conversation, body="and my phone number")
        for message in (gone, newer):
            message.refresh_from_db()
            services.message_delete(
                access=access_for(parent, conversation), message=message, user=parent
            )
        return newer

    with mock.patch("django.utils.timezone.now", return_value=later):
        newer = await database_sync_to_async(away)()
    # Let the live events sent meanwhile (to nobody) go before the key worker is back.
    await asyncio.sleep(0.3)

    socket, _ = await open_socket(worker_cookie)
    await socket.send_json_to(
        {
            "type": "resume",
            "conversation": conversation.pk,
            "after": gone.pk,
            "deleted_since": cursor,
        }
    )
    resumed, events = await receive_until(socket, "resumed")
    # The newer message comes once, already deleted; the older one as a deletion.
    assert [(e["type"], e["message"]["id"], e["message"]["deleted"]) for e in events] == [
        ("message", newer.pk, True),
        ("deleted", gone.pk, True),
    ]
    assert all(e["message"]["html"] == "" for e in events)
    assert resumed["last"] == newer.pk
    # The kept message is never reported; from the new cursor, nothing comes twice
    # beyond the minute of overlap.
    await socket.send_json_to(
        {
            "type": "resume",
            "conversation": conversation.pk,
            "after": newer.pk,
            "deleted_since": (later + timedelta(seconds=1)).isoformat(),
        }
    )
    _resumed, events = await receive_until(socket, "resumed")
    assert events == []
    await socket.send_json_to(
        {"type": "resume", "conversation": conversation.pk, "after": 0, "deleted_since": "soon"}
    )
    error = await socket.receive_json_from(timeout=5)
    assert error["type"] == "error" and error["code"] == "invalid"
    await socket.disconnect()


async def test_a_message_sent_over_the_socket_shows_on_the_others_next_page(
    conversation, parent, key_worker
):
    """With PostgreSQL and Redis a socket's send is written on the event loop, away from
    model signals; the others' next page load must still show it."""
    mum = Client()
    await database_sync_to_async(mum.force_login)(parent)
    path = f"/messages/{conversation.pk}/"
    # Mum has a socket open too, so no note or notification is made for her.
    mum_socket, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(key_worker))
    await database_sync_to_async(mum.get)(path)
    await socket_send(socket, conversation, "Running late, sorry")
    await receive_until(socket, "sent")
    await receive_until(mum_socket, "message")
    await socket.disconnect()
    await mum_socket.disconnect()
    from chat import sending

    await sending.settle()
    page = await database_sync_to_async(mum.get)(path)
    assert "Running late, sorry" in page.content.decode()

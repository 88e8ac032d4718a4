"""The team conversation over the socket: the key worker and the mentor talk live, the
family's sockets never hear of it, and a mentor whose match ended is taken out of it."""

from __future__ import annotations

import uuid

import pytest
from channels.db import database_sync_to_async

from chat.models import Conversation
from portal.signals import mentor_match_ended, mentor_match_started
from tests.helpers.chat import open_socket, receive_until, send, session_cookie, socket_send

pytestmark = pytest.mark.django_db(transaction=True)


async def _cookie(user):
    return await database_sync_to_async(session_cookie)(user)


async def test_key_worker_and_mentor_talk_live_and_the_family_hears_nothing(
    family, parent, key_worker, mentor
):
    await database_sync_to_async(mentor_match_started.send)(
        sender=None, family=family, mentor=mentor, match_id=12
    )
    team = await Conversation.objects.aget(family=family, kind=Conversation.Kind.TEAM)
    parent_socket, parent_hello = await open_socket(await _cookie(parent))
    assert team.pk not in [c["id"] for c in parent_hello["conversations"]]
    worker_socket, worker_hello = await open_socket(await _cookie(key_worker))
    mentor_socket, mentor_hello = await open_socket(await _cookie(mentor))
    assert {"id": team.pk, "role": "key_worker", "can_write": True} in worker_hello["conversations"]
    assert {"id": team.pk, "role": "mentor", "can_write": True} in mentor_hello["conversations"]

    await socket_send(worker_socket, team, "Can you go with Aisha on Thursday?")
    event, _ = await receive_until(mentor_socket, "message")
    assert event["message"]["conversation"] == team.pk
    assert "Thursday" in event["message"]["html"]
    await socket_send(mentor_socket, team, "Yes, I can.")
    event, _ = await receive_until(worker_socket, "message")
    assert event["message"]["conversation"] == team.pk and "I can" in event["message"]["html"]

    # The family's socket cannot read it, nor resume it, nor write to it.
    await parent_socket.send_json_to({"type": "resume", "conversation": team.pk, "after": 0})
    refused, skipped = await receive_until(parent_socket, "error")
    assert refused["code"] == "not_found"
    assert not [e for e in skipped if e["type"] == "message"]
    await parent_socket.send_json_to(
        {"type": "send", "conversation": team.pk, "client_id": str(uuid.uuid4()), "body": "x"}
    )
    refused, skipped = await receive_until(parent_socket, "error")
    assert refused["code"] == "not_found"
    assert await team.messages.acount() == 2
    # Nothing of it came to the family's socket before the next message of their own.
    own = await Conversation.objects.aget(family=family, kind=Conversation.Kind.KEY_WORKER)
    await socket_send(worker_socket, own, "And a note for the family")
    event, skipped = await receive_until(parent_socket, "message")
    assert event["message"]["conversation"] == own.pk
    assert all(e.get("conversation") != team.pk for e in skipped), skipped
    for socket in (parent_socket, worker_socket, mentor_socket):
        await socket.disconnect()


async def test_a_mentor_reconnecting_catches_up_on_the_team_conversation(
    family, parent, key_worker, mentor
):
    await database_sync_to_async(mentor_match_started.send)(
        sender=None, family=family, mentor=mentor, match_id=13
    )
    team = await Conversation.objects.aget(family=family, kind=Conversation.Kind.TEAM)
    first = await database_sync_to_async(send)(key_worker, team, body="One")
    await database_sync_to_async(send)(key_worker, team, body="Two")
    mentor_socket, _ = await open_socket(await _cookie(mentor))
    await mentor_socket.send_json_to({"type": "resume", "conversation": team.pk, "after": first.pk})
    replayed, _ = await receive_until(mentor_socket, "message")
    assert "Two" in replayed["message"]["html"]
    await mentor_socket.disconnect()


async def test_when_the_match_ends_the_mentor_is_taken_out_of_it(
    family, parent, key_worker, mentor
):
    await database_sync_to_async(mentor_match_started.send)(
        sender=None, family=family, mentor=mentor, match_id=14
    )
    team = await Conversation.objects.aget(family=family, kind=Conversation.Kind.TEAM)
    mentor_socket, _ = await open_socket(await _cookie(mentor))
    worker_socket, _ = await open_socket(await _cookie(key_worker))
    await database_sync_to_async(mentor_match_ended.send)(
        sender=None, family=family, mentor=mentor, match_id=14, reason="ended"
    )
    gone = set()
    while team.pk not in gone:
        removed, _ = await receive_until(mentor_socket, "removed")
        gone.add(removed["conversation"])
    await mentor_socket.send_json_to(
        {"type": "send", "conversation": team.pk, "client_id": str(uuid.uuid4()), "body": "x"}
    )
    refused, _ = await receive_until(mentor_socket, "error")
    assert refused["code"] == "not_found"
    # The key worker keeps it to read, no longer to write.
    await worker_socket.send_json_to(
        {"type": "send", "conversation": team.pk, "client_id": str(uuid.uuid4()), "body": "x"}
    )
    refused, _ = await receive_until(worker_socket, "error")
    assert not await team.messages.aexists()
    for socket in (mentor_socket, worker_socket):
        await socket.disconnect()

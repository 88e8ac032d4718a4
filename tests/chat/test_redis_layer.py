"""The production channel layer on Redis, and two real ASGI workers sharing it.

These run in the PostgreSQL + Redis pass only (``@pytest.mark.services``).
"""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from tests.helpers.chat import Worker, session_cookie

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _layer_config():
    return settings.CHANNEL_LAYERS["default"]


async def test_production_layer_is_pubsub_with_no_socket_timeout():
    from channels.layers import get_channel_layer
    from channels_redis.pubsub import RedisPubSubChannelLayer

    layer = get_channel_layer()
    assert isinstance(layer, RedisPubSubChannelLayer)
    channel = await layer.new_channel()
    await layer.group_add("chat.test.timeout", channel)
    shard = layer._get_layer()._shards[0]
    kwargs = shard._redis.connection_pool.connection_kwargs
    # redis-py 8 defaults to 5 s, which kills idle subscribers (channels_redis #422).
    assert kwargs["socket_timeout"] is None
    assert kwargs["socket_connect_timeout"] == 5
    await layer.group_discard("chat.test.timeout", channel)
    await layer.flush()


async def test_idle_subscriber_still_receives_after_longer_than_the_old_timeout():
    from channels_redis.pubsub import RedisPubSubChannelLayer

    config = _layer_config()["CONFIG"]
    receiver, sender = RedisPubSubChannelLayer(**config), RedisPubSubChannelLayer(**config)
    channel = await receiver.new_channel()
    await receiver.group_add("chat.test.idle", channel)
    await asyncio.sleep(6)
    await sender.group_send("chat.test.idle", {"type": "hello", "n": 1})
    message = await asyncio.wait_for(receiver.receive(channel), timeout=5)
    assert message == {"type": "hello", "n": 1}
    await receiver.flush()
    await sender.flush()


@pytest.fixture
def two_workers(transactional_db):
    workers = [Worker(), Worker()]
    yield workers
    for worker in workers:
        worker.stop()


async def _connect(worker: Worker, cookie: str):
    from websockets.asyncio.client import connect

    ws = await connect(
        f"ws://127.0.0.1:{worker.port}/ws/",
        origin=f"http://127.0.0.1:{worker.port}",
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
        open_timeout=10,
    )
    hello = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    assert hello["type"] == "hello"
    return ws


async def _until(ws, kind: str, wait: float = 10):
    skipped = []
    while True:
        event = json.loads(await asyncio.wait_for(ws.recv(), timeout=wait))
        if event["type"] == kind:
            return event, skipped
        skipped.append(event)


async def test_message_through_one_worker_reaches_a_user_on_another(
    two_workers, conversation, parent, key_worker
):
    first, second = two_workers
    parent_cookie = await database_sync_to_async(session_cookie)(parent)
    worker_cookie = await database_sync_to_async(session_cookie)(key_worker)
    parent_ws = await _connect(first, parent_cookie)
    worker_ws = await _connect(second, worker_cookie)
    await parent_ws.send(
        json.dumps(
            {
                "type": "send",
                "conversation": conversation.pk,
                "client_id": str(uuid.uuid4()),
                "body": "across workers",
            }
        )
    )
    sent, _ = await _until(parent_ws, "sent")
    received, _ = await _until(worker_ws, "message")
    assert received["message"]["id"] == sent["id"]
    assert received["message"]["html"] == "across workers"

    # The key worker's worker dies; messages sent meanwhile arrive once, in order, when
    # they reconnect to the other worker and resume from the last id they saw.
    second.stop()
    ids = []
    for n in range(3):
        await parent_ws.send(
            json.dumps(
                {
                    "type": "send",
                    "conversation": conversation.pk,
                    "client_id": str(uuid.uuid4()),
                    "body": f"while away {n}",
                }
            )
        )
        ids.append((await _until(parent_ws, "sent"))[0]["id"])
    worker_ws = await _connect(first, worker_cookie)
    await worker_ws.send(
        json.dumps({"type": "resume", "conversation": conversation.pk, "after": sent["id"]})
    )
    _resumed, events = await _until(worker_ws, "resumed")
    assert [e["message"]["id"] for e in events if e["type"] == "message"] == ids
    await parent_ws.close()
    await worker_ws.close()


def test_hot_paths_use_one_shared_redis_client(settings):
    """Send limits and presence go straight to Redis, one pipelined round trip each."""
    from django.core.cache import caches

    from chat import live, services

    client = live.redis_client()
    assert client is not None
    assert live.redis_client() is client
    user_id = 10**9 + uuid.uuid4().int % 10**9  # no real person, and new each run
    key = caches["default"].make_key(live._presence_key(user_id))
    client.delete(key)
    live.presence_join(user_id)
    # The same key Django's cache would use, so both see one value.
    assert int(client.get(key)) == 1
    assert live.online_user_ids([user_id, user_id + 1]) == {user_id}
    live.presence_leave(user_id)
    assert live.online_user_ids([user_id]) == set()

    settings.CHAT_SEND_RATE = (2, 3600)
    services._rate_limit(user_id)
    services._rate_limit(user_id)
    with pytest.raises(services.RateLimited):
        services._rate_limit(user_id)

"""Redis restarts in the middle of a conversation (PostgreSQL + Redis pass only).

A private redis-server on a free port carries the channel layer (the production
RedisPubSubChannelLayer, configured as portal/settings.py does), the cache, presence and
the send limit, so the test can kill it and start it again.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers

from chat.models import Message
from tests.helpers.chat import LivePage, open_socket, receive_until, saved_ids, session_cookie

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def private_redis(settings, redis_server):
    """The private Redis carries this process's channel layer, cache and limits."""
    redis = redis_server
    settings.REDIS_URL = redis.url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis.url,
            "KEY_PREFIX": "portal",
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {"address": redis.url, "socket_timeout": None, "socket_connect_timeout": 5}
                ],
                "prefix": "portal",
            },
        }
    }
    settings.CHAT_LAYER_PROBE_SECONDS = 0.3
    channel_layers.backends.clear()
    yield redis
    channel_layers.backends.clear()


async def _send(socket, conversation_id: int, body: str) -> int:
    await socket.send_json_to(
        {
            "type": "send",
            "conversation": conversation_id,
            "client_id": str(uuid.uuid4()),
            "body": body,
        }
    )
    event, _skipped = await receive_until(socket, "sent")
    return event["id"]


async def _drain(socket, wait: float = 0.3) -> list[dict]:
    events = []
    while not await socket.receive_nothing(timeout=wait):
        events.append(await socket.receive_json_from())
    return events


async def test_messages_sent_while_redis_restarts_arrive_in_order_once(
    private_redis, conversation, parent, key_worker
):
    from channels.layers import get_channel_layer
    from channels_redis.pubsub import RedisPubSubChannelLayer

    assert isinstance(get_channel_layer(), RedisPubSubChannelLayer)
    parent_cookie = await database_sync_to_async(session_cookie)(parent)
    worker_cookie = await database_sync_to_async(session_cookie)(key_worker)
    parent_ws, _ = await open_socket(parent_cookie)
    worker_ws, _ = await open_socket(worker_cookie)
    seen: list[int] = []

    def note(events):
        seen.extend(e["message"]["id"] for e in events if e["type"] == "message")

    committed = [await _send(parent_ws, conversation.pk, f"before {n}") for n in range(2)]
    for _ in committed:
        event, skipped = await receive_until(worker_ws, "message")
        note([*skipped, event])
    assert seen == committed

    private_redis.kill()
    # Sends are still saved and acknowledged with Redis down (no rate limiter, presence or
    # broadcast can stop them); nothing reaches the key worker live meanwhile.
    during = [await _send(parent_ws, conversation.pk, f"during {n}") for n in range(3)]
    committed += during
    assert await database_sync_to_async(Message.objects.count)() == 5
    note(await _drain(worker_ws))
    assert seen == committed[:2]

    # A page that reconnects during the outage is turned away (its channel cannot be
    # made); the open sockets stay open.
    from tests.helpers.chat import communicator

    refused = communicator(worker_cookie)
    try:
        connected, _code = await refused.connect(timeout=5)
    except Exception:  # the application failed the handshake
        connected = False
    assert not connected

    private_redis.start()
    # Once the layer delivers again, the open socket is told to resume.
    event, skipped = await receive_until(worker_ws, "subscribed", wait=15)
    note(skipped)
    await worker_ws.send_json_to(
        {"type": "resume", "conversation": conversation.pk, "after": seen[-1]}
    )
    resumed, events = await receive_until(worker_ws, "resumed")
    note(events)
    assert seen == committed

    # Live delivery works again on the same sockets.
    committed.append(await _send(parent_ws, conversation.pk, "after"))
    event, skipped = await receive_until(worker_ws, "message")
    note([*skipped, event])
    assert seen == committed
    await worker_ws.disconnect()

    # A new socket resuming from the last id it saw before the outage gets the rest once.
    worker_ws, _ = await open_socket(worker_cookie)
    await worker_ws.send_json_to(
        {"type": "resume", "conversation": conversation.pk, "after": committed[1]}
    )
    _resumed, events = await receive_until(worker_ws, "resumed")
    assert [e["message"]["id"] for e in events if e["type"] == "message"] == committed[2:]
    note(await _drain(worker_ws))
    await parent_ws.disconnect()
    await worker_ws.disconnect()
    await asyncio.sleep(0)


async def test_open_sockets_resume_after_a_restart_that_no_probe_saw(
    private_redis, settings, conversation, parent, key_worker
):
    """redis-py subscribes a reconnected connection again by itself, however short the
    outage. The watch hears of the reconnect from the connection, so open sockets are told
    to resume even when Redis was back before a probe could fail (none runs here)."""
    settings.CHAT_LAYER_PROBE_SECONDS = 3600
    parent_ws, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    worker_ws, _ = await open_socket(await database_sync_to_async(session_cookie)(key_worker))
    first = await _send(parent_ws, conversation.pk, "before")
    event, _ = await receive_until(worker_ws, "message")
    assert event["message"]["id"] == first

    private_redis.kill()
    lost = await _send(parent_ws, conversation.pk, "during")
    private_redis.start()
    _event, skipped = await receive_until(worker_ws, "subscribed", wait=30)
    assert [e for e in skipped if e["type"] == "message"] == []
    await worker_ws.send_json_to(
        {"type": "resume", "conversation": conversation.pk, "after": first}
    )
    _resumed, events = await receive_until(worker_ws, "resumed")
    assert [e["message"]["id"] for e in events if e["type"] == "message"] == [lost]
    await parent_ws.disconnect()
    await worker_ws.disconnect()


async def test_every_message_reaches_everyone_once_in_order_when_redis_restarts_empty(
    redis_server, uvicorn_workers, conversation, parent, dad, key_worker
):
    """As the README deploys it: two uvicorn workers on Redis pub/sub, one parent on the
    first, the other parent and the key worker on the second, everyone sending all the
    while. Redis is killed and started again empty. Each page, keeping live.js's rules
    (resume on a gap and on "subscribed"), ends with every saved message once and in
    order, without a reload."""
    first, second = uvicorn_workers
    pages = []
    for user, worker in ((parent, first), (dad, second), (key_worker, second)):
        page = LivePage(await database_sync_to_async(session_cookie)(user), conversation.pk)
        await page.connect(worker.port)
        pages.append(page)

    async def each_sends(label: str) -> None:
        for n, page in enumerate(pages):
            await page.send(f"{label} from {n}")

    for r in range(3):
        await each_sends(f"before {r}")
    redis_server.kill()
    # Saved and acknowledged with Redis down; nobody gets them live.
    for r in range(3):
        await each_sends(f"during {r}")
    redis_server.start()

    # Everyone keeps sending while both workers subscribe again, and for a while after.
    after = [0]

    async def keep_sending(n: int, page: LivePage) -> None:
        for i in range(3000):
            if after[0] >= 30:
                return
            await page.send(f"after {i} from {n}")
            if all(p.subscribed for p in pages):
                after[0] += 1

    await asyncio.gather(*(keep_sending(n, page) for n, page in enumerate(pages)))
    assert after[0] >= 30, "a worker never said it had subscribed again"

    saved = await database_sync_to_async(saved_ids)(conversation)
    for page in pages:
        await page.until(lambda p=page: p.last_id == saved[-1] and not p.ahead, "every message")
        assert page.in_order == saved
        assert page.twice == []
        await page.close()

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
from websockets.exceptions import ConnectionClosed

from tests.helpers.chat import (
    LivePage,
    Worker,
    saved_ids,
    session_cookie,
    ws_connect,
    ws_until,
)

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


async def test_message_through_one_worker_reaches_a_user_on_another(
    two_workers, conversation, parent, key_worker
):
    first, second = two_workers
    parent_cookie = await database_sync_to_async(session_cookie)(parent)
    worker_cookie = await database_sync_to_async(session_cookie)(key_worker)
    parent_ws, _ = await ws_connect(first.port, parent_cookie)
    worker_ws, _ = await ws_connect(second.port, worker_cookie)
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
    sent, _ = await ws_until(parent_ws, "sent")
    received, _ = await ws_until(worker_ws, "message")
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
        ids.append((await ws_until(parent_ws, "sent"))[0]["id"])
    worker_ws, _ = await ws_connect(first.port, worker_cookie)
    await worker_ws.send(
        json.dumps({"type": "resume", "conversation": conversation.pk, "after": sent["id"]})
    )
    _resumed, events = await ws_until(worker_ws, "resumed")
    assert [e["message"]["id"] for e in events if e["type"] == "message"] == ids
    await parent_ws.close()
    await worker_ws.close()


async def test_a_page_whose_worker_is_killed_reconnects_to_the_other_and_misses_nothing(
    uvicorn_workers, conversation, parent, dad, key_worker
):
    """Everyone sends all the while; the second worker is killed (as a crash would). Its
    pages reconnect to the first with the last id they have every message up to, send
    again what was not acknowledged, and end with every saved message once, in order."""
    first, second = uvicorn_workers
    pages = []
    for user, worker in ((parent, first), (dad, second), (key_worker, second)):
        page = LivePage(await database_sync_to_async(session_cookie)(user), conversation.pk)
        await page.connect(worker.port)
        pages.append(page)
    stop = asyncio.Event()

    async def keep_sending(n: int, page: LivePage) -> None:
        i = 0
        while not stop.is_set():
            await page.send(f"{i} from {n}")
            i += 1

    sending = asyncio.gather(*(keep_sending(n, page) for n, page in enumerate(pages)))
    await pages[2].until(lambda: len(pages[2].in_order) >= 30, "messages to flow")
    second.kill()
    for page in pages[1:]:
        await page.until(page.closed.is_set, "the socket to close")
        await page.connect(first.port)
    for page in pages[1:]:
        had = len(page.in_order)
        await page.until(lambda p=page, had=had: len(p.in_order) >= had + 30, "more messages")
    stop.set()
    await sending

    saved = await database_sync_to_async(saved_ids)(conversation)
    for page in pages:
        await page.until(lambda p=page: p.last_id == saved[-1] and not p.ahead, "every message")
        assert page.in_order == saved
        assert page.twice == []
        await page.close()


@pytest.fixture(params=["daphne", "uvicorn"])
def either_server(request, transactional_db):
    worker = Worker(server=request.param)
    yield worker
    worker.stop()


async def test_a_frame_over_the_limit_is_refused_alike_by_daphne_and_uvicorn(
    either_server, conversation, parent
):
    """The consumer refuses it before either server's own limit (daphne drops a frame
    over 1 MiB with no close frame; uvicorn allows 16 MiB): an error, then 4009 (daphne
    lets an application close only with 1000 or 3000-4999)."""
    cookie = await database_sync_to_async(session_cookie)(parent)
    for size in (settings.CHAT_MAX_FRAME_BYTES + 1, 1024 * 1024 - 64):
        ws, _ = await ws_connect(either_server.port, cookie)
        frame = json.dumps({"type": "ping", "pad": ""})
        await ws.send(frame[:-2] + "x" * (size - len(frame)) + frame[-2:])
        error, _ = await ws_until(ws, "error")
        assert error["code"] == "too_large"
        assert error["message"] == (
            "That message is too long to send. Make it shorter and try again."
        )
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), timeout=20)
        assert ws.close_code == 4009


def test_hot_paths_use_one_shared_redis_client(settings):
    """Send limits and presence go straight to Redis, one pipelined round trip each."""
    from django.core.cache import caches

    from chat import live, services
    from portal import ratelimit

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
    limit = services.send_limit()
    assert ratelimit.allowed_many(limit, [user_id, user_id, user_id]) == [True, True, False]
    assert int(client.get(caches["default"].make_key(limit.keys([user_id])[0]))) == 3


async def test_many_live_events_go_in_one_round_trip_in_order(monkeypatch):
    """A batch's events reach every subscriber in the order given, each published once,
    in one pipeline; an event for several people is serialised once."""
    from channels.layers import get_channel_layer
    from channels_redis.pubsub import RedisPubSubChannelLayer
    from redis.asyncio.client import Pipeline

    from chat import live

    listener = RedisPubSubChannelLayer(**_layer_config()["CONFIG"])
    run = uuid.uuid4().hex[:8]
    people = [10**9 + n for n in range(3)]
    channels = {}
    for person in people:
        channels[person] = await listener.new_channel()
        await listener.group_add(f"{live.user_group(person)}", channels[person])
    round_trips = []
    execute = Pipeline.execute

    async def counted(self, *args, **kwargs):
        round_trips.append(len(self.command_stack))
        return await execute(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", counted)
    layer = get_channel_layer()
    serialised = []
    serialize = layer.serialize
    monkeypatch.setattr(layer, "serialize", lambda m: serialised.append(m) or serialize(m))
    first = {"type": "chat.test", "n": 1, "run": run}
    second = {"type": "chat.test", "n": 2, "run": run}
    await live.asend_many([(people, first), (people[:2], second)])

    assert round_trips == [5]
    assert serialised == [first, second]
    for person in people:
        got = [await asyncio.wait_for(listener.receive(channels[person]), timeout=5)]
        if person in people[:2]:
            got.append(await asyncio.wait_for(listener.receive(channels[person]), timeout=5))
        assert [m["n"] for m in got] == ([1, 2] if person in people[:2] else [1])
        await listener.group_discard(live.user_group(person), channels[person])
    await listener.flush()
    await layer.flush()


async def test_presence_is_read_in_the_same_round_trip_as_the_publishes(monkeypatch):
    """After a batch's publishes, the presence of everyone it concerns (who has a socket
    open, and how many) and the senders' counts against the send limit come back from the
    same pipeline."""
    from channels.layers import get_channel_layer
    from django.core.cache import caches
    from redis.asyncio.client import Pipeline

    from chat import live

    people = [10**9 + uuid.uuid4().int % 10**8 + n for n in range(3)]
    for _ in range(2):
        await database_sync_to_async(live.presence_join)(people[0])
    await database_sync_to_async(live.presence_join)(people[1])
    round_trips = []
    execute = Pipeline.execute

    async def counted(self, *args, **kwargs):
        round_trips.append([c[0][0] for c in self.command_stack])
        return await execute(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", counted)
    key = caches["default"].make_key(f"rate:test:{people[0]}")
    heard = await live.asend_many(
        [(people[1:], {"type": "chat.test"})],
        presence_of=[*people, people[0]],
        count=[key, key],
        count_ttl=60,
    )

    assert heard.online == {people[0]: 2, people[1]: 1}
    assert heard.counts == [1, 2]
    assert round_trips == [["PUBLISH", "PUBLISH", "MGET", "INCRBY", "EXPIRE", "INCRBY", "EXPIRE"]]
    assert 0 < await live.async_redis_client().ttl(key) <= 60
    await live.async_redis_client().delete(key)
    for person in people[:2]:
        for _ in range(2):
            await database_sync_to_async(live.presence_leave)(person)
    await get_channel_layer().flush()

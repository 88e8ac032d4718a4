"""Group names, presence and sending small events to people's sockets.

The channel layer is only a hint: everything sent here is already committed, and a
socket that missed it catches up from the database when it resumes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import os
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from portal.shared_redis import async_redis_client, redis_client

logger = logging.getLogger(__name__)

# A socket counts as present this long after it opened or last pinged (the page pings
# every minute), so a worker that dies cannot leave people "online" for long.
PRESENCE_TTL = 5 * 60


def user_group(user_id: int) -> str:
    return f"chat.u.{user_id}"


def session_group(session_key: str) -> str:
    digest = hashlib.sha256(session_key.encode()).hexdigest()[:40]
    return f"chat.s.{digest}"


def _presence_key(user_id: int) -> str:
    return f"chat:online:{user_id}"


def redis_tolerant(default):
    """Presence and limits are hints kept in Redis: while Redis is down they answer
    ``default`` (and log) instead of failing the socket or the send that asked."""

    def wrap(func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except (RedisError, OSError):
                logger.warning("Redis unavailable in %s", func.__name__, exc_info=True)
                return default() if callable(default) else default

        return inner

    return wrap


@redis_tolerant(None)
def presence_join(user_id: int) -> None:
    client = redis_client()
    key = _presence_key(user_id)
    if client is not None:
        pipe = client.pipeline(transaction=False)
        pipe.incr(cache.make_key(key))
        pipe.expire(cache.make_key(key), PRESENCE_TTL)
        pipe.execute()
        return
    if cache.add(key, 1, PRESENCE_TTL):
        return
    try:
        cache.incr(key)
        cache.touch(key, PRESENCE_TTL)
    except ValueError:
        cache.add(key, 1, PRESENCE_TTL)


@redis_tolerant(None)
def presence_touch(user_id: int) -> None:
    client = redis_client()
    key = _presence_key(user_id)
    if client is not None:
        if not client.expire(cache.make_key(key), PRESENCE_TTL):
            presence_join(user_id)
        return
    if not cache.touch(key, PRESENCE_TTL):
        presence_join(user_id)


@redis_tolerant(None)
def presence_leave(user_id: int) -> None:
    client = redis_client()
    key = _presence_key(user_id)
    if client is not None:
        if client.decr(cache.make_key(key)) <= 0:
            client.delete(cache.make_key(key))
        return
    try:
        if cache.decr(key) <= 0:
            cache.delete(key)
    except ValueError:
        pass


async def aonline_counts(user_ids) -> dict[int, int]:
    """online_counts, on the event loop."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    client = async_redis_client()
    if client is None:  # the local cache answers at once, without I/O
        return online_counts(ids)
    try:
        values = await client.mget([cache.make_key(_presence_key(uid)) for uid in ids])
    except (RedisError, OSError):
        logger.warning("Redis unavailable in aonline_counts", exc_info=True)
        return {}
    return {uid: int(v) for uid, v in zip(ids, values, strict=True) if v and int(v) > 0}


def online_user_ids(user_ids) -> set[int]:
    """Which of these people have a socket open now (counts expire if a worker dies)."""
    return set(online_counts(user_ids))


@redis_tolerant(dict)
def online_counts(user_ids) -> dict[int, int]:
    """How many sockets each of these people has open, for those with any."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    client = redis_client()
    if client is not None:
        values = client.mget([cache.make_key(_presence_key(uid)) for uid in ids])
        pairs: Iterable[tuple[int, Any]] = zip(ids, values, strict=True)
    else:
        keys = {_presence_key(uid): uid for uid in ids}
        found = cache.get_many(list(keys))
        pairs = ((keys[key], value) for key, value in found.items())
    counts = {}
    for uid, value in pairs:
        if value and int(value) > 0:
            counts[uid] = int(value)
    return counts


def _thread_main_loop():
    """The event loop this thread works for, when it is one of asgiref's worker threads."""
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    return getattr(local, "main_event_loop", None)


def _serving_loop():
    """The event loop of the ASGI server when called from one of its worker threads."""
    loop = _thread_main_loop()
    return loop if loop is not None and loop.is_running() else None


def _parent_loop_stopped() -> bool:
    loop = _thread_main_loop()
    return loop is not None and not loop.is_running()


def send_to_users(user_ids, event: dict) -> None:
    """Send one event to every socket of each person. Call only after commit."""
    send_many([(user_ids, event)])


def send_many(events) -> None:
    """Send each (people, event) pair to every socket of those people, in order. Call only
    after commit.

    Inside the ASGI server the sends are handed to its event loop without waiting, so a
    database thread is never held up by Redis; elsewhere (a view under WSGI, a task,
    a management command) they run to completion here.
    """
    events = [(sorted(set(user_ids)), event) for user_ids, event in events if user_ids]
    if not events or get_channel_layer() is None:
        return
    loop = _serving_loop()
    if loop is not None:
        asyncio.run_coroutine_threadsafe(asend_many(events), loop)
        return
    try:
        run_layer_call(asend_many, events)
    except Exception:  # a broken hint must not undo a committed write
        logger.exception("Could not send a live event")


@dataclass
class Heard:
    """What came back with a batch's publishes: how many sockets each person asked about
    has open (those with any), and each counted key's count after (None: not counted,
    Redis was not there)."""

    online: dict[int, int] = field(default_factory=dict)
    counts: list[int] | None = None


@dataclass
class _Along:
    """Presence reads and counts that go in the same round trip as the publishes."""

    people: list[int]
    counted: list[str]  # cache keys, each one more
    ttl: int

    def __bool__(self) -> bool:
        return bool(self.people or self.counted)

    def add(self, pipe) -> None:
        if self.people:
            pipe.mget([cache.make_key(_presence_key(uid)) for uid in self.people])
        for key in self.counted:
            pipe.incr(key)
            pipe.expire(key, self.ttl)

    def heard(self, replies: list) -> Heard:
        heard = Heard()
        if self.people:
            values, replies = replies[0], replies[1:]
            heard.online = {
                uid: int(v) for uid, v in zip(self.people, values, strict=True) if v and int(v) > 0
            }
        if self.counted:
            heard.counts = [int(n) for n in replies[::2]]
        return heard

    async def alone(self) -> Heard:
        """In a round trip of their own, on the cache's Redis (or the local cache)."""
        client = async_redis_client()
        if client is None:
            return Heard(online=online_counts(self.people) if self.people else {})
        pipe = client.pipeline(transaction=False)
        self.add(pipe)
        return self.heard(await pipe.execute())


async def asend_many(
    events, *, presence_of: Iterable[int] = (), count: Sequence[str] = (), count_ttl: int = 0
) -> Heard:
    """Each (people, event) pair to every socket of those people, in order: on Redis, one
    round trip for them all (``group_send_many``).

    With ``presence_of``, also how many sockets each of those people has open (as
    ``online_counts``); with ``count``, one more on each of those cache keys (made with
    ``cache.make_key``, kept ``count_ttl`` seconds) and the count after. Both go in the same
    round trip, after the publishes, so nobody waits for them; on their own only where the
    layer and the cache are not one Redis. While Redis is down nothing is heard.
    """
    layer = get_channel_layer()
    along = _Along(people=sorted(set(presence_of)), counted=list(count), ttl=count_ttl)
    sends = [
        (user_group(user_id), event)
        for user_ids, event in events
        for user_id in sorted(set(user_ids))
    ]
    replies = None
    if layer is not None and sends:
        try:
            replies = await group_send_many(layer, sends, along=along)
        except Exception:
            logger.exception("Could not send %s live events", len(sends))
            return Heard()
    if not along:
        return Heard()
    if replies is not None:
        return along.heard(replies)
    try:
        return await along.alone()
    except (RedisError, OSError):
        logger.warning("Redis unavailable: presence and counts not heard", exc_info=True)
        return Heard()


async def asend_to_users(user_ids, event: dict) -> None:
    await asend_many([(user_ids, event)])


async def group_send_many(
    layer, sends: list[tuple[str, dict]], *, along: _Along | None = None
) -> list[Any] | None:
    """``group_send`` for each (group, event), in order, in one Redis pipeline per shard.

    channels_redis publishes each ``group_send`` alone, one round trip at a time under a
    lock its whole worker shares: a batch of messages to two people each waited for every
    publish in turn (benchmarks/chat). Here each event is serialised once and all of them
    go as one pipeline, under the same lock, so they keep their order against any other
    publish. Other layers (the in-memory one in development) get ``group_send`` in turn.
    This reaches into channels_redis 4.3's pub/sub internals; tests/chat/test_redis_layer.py
    fails if an upgrade moves them.

    ``along``: reads and counts that go in the same pipeline, after the publishes, when
    the layer is one Redis shard and the cache is that Redis; their replies are returned.
    Otherwise None, and the caller makes them itself.
    """
    if not isinstance(layer, RedisPubSubChannelLayer):
        for group, event in sends:
            await layer.group_send(group, event)
        return None
    loop_layer = layer._get_layer()
    serialised: dict[int, bytes] = {}
    by_shard: dict[Any, list[tuple[str, bytes]]] = {}
    for group, event in sends:
        data = serialised.get(id(event))
        if data is None:
            data = serialised[id(event)] = layer.serialize(event)
        channel = loop_layer._get_group_channel_name(group)
        by_shard.setdefault(loop_layer._get_shard(channel), []).append((channel, data))
    if not (along and _layer_is_the_cache(loop_layer)):
        along = None
    found = None
    for shard, items in by_shard.items():
        async with shard._lock:
            shard._ensure_redis()
            pipe = shard._redis.pipeline(transaction=False)
            for channel, data in items:
                pipe.publish(channel, data)
            if along is not None:
                along.add(pipe)
            replies = await pipe.execute()
        if along is not None:
            found, along = replies[len(items) :], None
    return found


def _layer_is_the_cache(loop_layer) -> bool:
    """Whether cache keys can be read on the channel layer's own connection."""
    shards = loop_layer._shards
    return (
        len(shards) == 1
        and shards[0].host.get("address") == settings.REDIS_URL
        and async_redis_client() is not None
    )


def run_layer_call(func, *args) -> None:
    """Run an async channel layer call to completion from synchronous code.

    ``async_to_sync`` refuses to run in a thread whose event loop is running (a sync
    helper called from async code, or Playwright's sync API in the browser tests); there
    the call runs on a short-lived thread of its own instead. Errors are raised here.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        # In a database thread of a loop that has stopped (a worker shutting down, a test
        # that has ended), async_to_sync would hand the call to that loop and wait for ever.
        async_to_sync(func, force_new_loop=_parent_loop_stopped())(*args)
        return
    failure: list[BaseException] = []

    def run():
        try:
            async_to_sync(func)(*args)
        except BaseException as exc:  # handed back to the caller
            failure.append(exc)

    thread = threading.Thread(target=run, name="chat-layer-call", daemon=True)
    thread.start()
    thread.join(timeout=15)
    if thread.is_alive():
        raise TimeoutError("The channel layer did not answer")
    if failure:
        raise failure[0]


def close_session_sockets(session_key: str) -> None:
    layer = get_channel_layer()
    if layer is None or not session_key:
        return
    try:
        run_layer_call(layer.group_send, session_group(session_key), {"type": "session.ended"})
    except Exception:
        logger.exception("Could not close sockets for a session")


def close_user_sockets(user_id: int) -> None:
    """Close every socket this person has open, whichever session opened it (they were
    removed from a household, say): each is told ``signed_out`` and closed with 4001."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        run_layer_call(layer.group_send, user_group(user_id), {"type": "session.ended"})
    except Exception:
        logger.exception("Could not close a person's sockets")


# Noticing the channel layer coming back ---------------------------------------------------


PROBE_TIMEOUT = 2.0
PROBE_RETRY = 0.5


class LayerWatch:
    """Per event loop: notices when the channel layer has stopped delivering, and when this
    process's subscriptions deliver again.

    A socket that stays open through a Redis outage misses every live event published
    meanwhile. Each open socket is told (``layer_recovered``) once a probe sent through
    the layer comes back after one failed, or after the connection the layer receives on
    has reconnected (redis-py subscribes it again by itself, however short the outage):
    from then on its page resumes from the last message it has. In-memory layers never
    break, so they are not watched.
    """

    def __init__(self, layer, every: float):
        self.layer = layer
        self.every = every
        self.sockets: weakref.WeakSet = weakref.WeakSet()
        self.healthy = True
        self.heard = 0
        self.heard_event = asyncio.Event()
        self.channel: str | None = None
        # Set when a receiving connection has reconnected: probe at once, then announce.
        self.reconnected = False
        self.wake = asyncio.Event()
        self.task = asyncio.ensure_future(self._run())

    async def _listen(self):
        while True:
            message = await self.layer.receive(self.channel)
            self.heard = max(self.heard, int(message.get("n", 0)))
            self.heard_event.set()

    async def _probe(self, n: int) -> bool:
        self.heard_event.clear()
        try:
            await self.layer.send(self.channel, {"type": "probe", "n": n})
            deadline = asyncio.get_running_loop().time() + PROBE_TIMEOUT
            while self.heard < n:
                left = deadline - asyncio.get_running_loop().time()
                if left <= 0:
                    return False
                await asyncio.wait_for(self.heard_event.wait(), timeout=left)
                self.heard_event.clear()
        except (TimeoutError, RedisError, OSError):
            return False
        return True

    def _on_reconnect(self, connection) -> None:
        # Called by redis-py inside its reconnect, after it has sent the subscriptions
        # again: only note it here; the probe confirms they deliver.
        self.reconnected = True
        self.wake.set()

    def _hook_receiving_connections(self) -> None:
        for connection in _receiving_connections(self.layer):
            connection.register_connect_callback(self._on_reconnect)  # once per connection

    async def _pause(self) -> None:
        # While the layer is down, look again soon: the sooner pages resume, the better.
        every = self.every if self.healthy else min(self.every, PROBE_RETRY)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), timeout=every)
        self.wake.clear()

    async def _run(self):
        listener = None
        n = 0
        try:
            while True:
                self._hook_receiving_connections()
                await self._pause()
                if listener is not None and listener.done():
                    # The listener failed: probe on a new channel.
                    listener, self.channel = None, None
                try:
                    if self.channel is None:
                        self.channel = await self.layer.new_channel("probe.")
                        listener = asyncio.ensure_future(self._listen())
                except (RedisError, OSError):
                    self._set_healthy(False)
                    continue
                n += 1
                reconnected, self.reconnected = self.reconnected, False
                self._set_healthy(await self._probe(n), reconnected=reconnected)
        finally:
            if listener is not None:
                listener.cancel()

    def _set_healthy(self, healthy: bool, reconnected: bool = False) -> None:
        if healthy and (reconnected or not self.healthy):
            logger.warning("The channel layer is delivering again; open sockets resume")
            for consumer in list(self.sockets):
                asyncio.ensure_future(consumer.layer_recovered())
        elif not healthy and self.healthy:
            logger.warning("The channel layer stopped delivering live events")
        if not healthy and reconnected:
            self.reconnected = True  # still to be announced once a probe comes back
        self.healthy = healthy

    def stop(self) -> None:
        self.task.cancel()


def _receiving_connections(layer) -> list:
    """The Redis connections a pub/sub channel layer receives on in this event loop.

    channels_redis offers no hook for a reconnect, so this reads its shards (pinned in
    requirements.txt; tests/chat/test_redis_restart.py fails if they move). Empty for any
    other layer, which then relies on the probes alone.
    """
    get_loop_layer = getattr(type(layer), "_get_layer", None)
    if get_loop_layer is None:
        return []
    found = []
    for shard in getattr(get_loop_layer(layer), "_shards", []):
        connection = getattr(getattr(shard, "_pubsub", None), "connection", None)
        if connection is not None and hasattr(connection, "register_connect_callback"):
            found.append(connection)
    return found


_watches: dict = {}


def layer_watch_join(consumer) -> None:
    """Start watching the layer for this socket (called from its ``connect``)."""
    layer = consumer.channel_layer
    every = float(settings.CHAT_LAYER_PROBE_SECONDS)
    if layer is None or every <= 0 or type(layer).__name__ == "InMemoryChannelLayer":
        return
    loop = asyncio.get_running_loop()
    watch = _watches.get(loop)
    if watch is None or watch.layer is not layer or watch.task.done():
        watch = _watches[loop] = LayerWatch(layer, every)
    watch.sockets.add(consumer)


def layer_watch_leave(consumer) -> None:
    """Stop watching once the last socket on this loop has closed."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    watch = _watches.get(loop)
    if watch is None:
        return
    watch.sockets.discard(consumer)
    if not watch.sockets:
        watch.stop()
        _watches.pop(loop, None)

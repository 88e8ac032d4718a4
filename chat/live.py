"""Group names, presence and sending small events to people's sockets.

The channel layer is only a hint: everything sent here is already committed, and a
socket that missed it catches up from the database when it resumes.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache

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


_redis_clients: dict[str, object] = {}


def redis_client():
    """One shared Redis client per process for the hot paths (presence, send limits).

    Django's cache builds a new client object for every call, which costs more than the
    round trip itself when a worker handles hundreds of sends a second. Keys are made
    with the cache's own prefix, so both see the same values. None without Redis.
    """
    url = getattr(settings, "REDIS_URL", "")
    if not url or "redis" not in type(cache).__module__:
        return None
    client = _redis_clients.get(url)
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
        _redis_clients[url] = client
    return client


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


def presence_touch(user_id: int) -> None:
    client = redis_client()
    key = _presence_key(user_id)
    if client is not None:
        if not client.expire(cache.make_key(key), PRESENCE_TTL):
            presence_join(user_id)
        return
    if not cache.touch(key, PRESENCE_TTL):
        presence_join(user_id)


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


def online_user_ids(user_ids) -> set[int]:
    """Which of these people have a socket open now (counts expire if a worker dies)."""
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    client = redis_client()
    if client is not None:
        values = client.mget([cache.make_key(_presence_key(uid)) for uid in ids])
        return {uid for uid, value in zip(ids, values, strict=True) if value and int(value) > 0}
    keys = {_presence_key(uid): uid for uid in ids}
    found = cache.get_many(list(keys))
    return {keys[key] for key, value in found.items() if value and int(value) > 0}


def _serving_loop():
    """The event loop of the ASGI server when called from one of its worker threads."""
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(local, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() else None


def send_to_users(user_ids, event: dict) -> None:
    """Send one event to every socket of each person. Call only after commit.

    Inside the ASGI server the sends are handed to its event loop without waiting, so a
    database thread is never held up by Redis; elsewhere (a view under WSGI, a task,
    a management command) they run to completion here.
    """
    user_ids = sorted(set(user_ids))
    if not user_ids or get_channel_layer() is None:
        return
    loop = _serving_loop()
    if loop is not None:
        asyncio.run_coroutine_threadsafe(asend_to_users(user_ids, event), loop)
        return
    try:
        async_to_sync(asend_to_users)(user_ids, event)
    except Exception:  # noqa: BLE001 - a broken hint must not undo a committed write
        logger.exception("Could not send a live event")


async def asend_to_users(user_ids, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for user_id in sorted(set(user_ids)):
        try:
            await layer.group_send(user_group(user_id), event)
        except Exception:  # noqa: BLE001
            logger.exception("Could not send a live event to user %s", user_id)


def close_session_sockets(session_key: str) -> None:
    layer = get_channel_layer()
    if layer is None or not session_key:
        return
    try:
        async_to_sync(layer.group_send)(session_group(session_key), {"type": "session.ended"})
    except Exception:  # noqa: BLE001
        logger.exception("Could not close sockets for a session")

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
from django.core.cache import cache

logger = logging.getLogger(__name__)

PRESENCE_TTL = 60 * 60 * 2


def user_group(user_id: int) -> str:
    return f"chat.u.{user_id}"


def session_group(session_key: str) -> str:
    digest = hashlib.sha256(session_key.encode()).hexdigest()[:40]
    return f"chat.s.{digest}"


def _presence_key(user_id: int) -> str:
    return f"chat:online:{user_id}"


def presence_join(user_id: int) -> None:
    key = _presence_key(user_id)
    if cache.add(key, 1, PRESENCE_TTL):
        return
    try:
        cache.incr(key)
        cache.touch(key, PRESENCE_TTL)
    except ValueError:
        cache.add(key, 1, PRESENCE_TTL)


def presence_leave(user_id: int) -> None:
    key = _presence_key(user_id)
    try:
        if cache.decr(key) <= 0:
            cache.delete(key)
    except ValueError:
        pass


def online_user_ids(user_ids) -> set[int]:
    """Which of these people have a socket open now (counts expire if a worker dies)."""
    keys = {_presence_key(uid): uid for uid in user_ids}
    if not keys:
        return set()
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

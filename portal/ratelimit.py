"""The portal's one rate limiter: how many times each person did one thing in a window.

Counts live in the shared cache (Redis in production), so a limit holds across workers.
Windows are fixed and follow the clock (the count for "plans:save" in this minute), so a
batch of people is counted in one Redis round trip. (A socket's sends are counted on the
event loop in the round trip that announces them: chat/sending.py.)
A count is only a hint: while the cache is down nothing is counted and everything is
allowed (and logged), because an outage must never stop someone saving or sending.

A page that refuses a person over a limit answers with ``too_many``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from redis.exceptions import RedisError

from .shared_redis import redis_client

logger = logging.getLogger(__name__)

# A window's count outlives the window a little, so a slow clock never restarts it early.
_GRACE_SECONDS = 5


@dataclass(frozen=True)
class Limit:
    """At most ``count`` times in each ``seconds`` for each person, counted in ``bucket``."""

    bucket: str
    count: int
    seconds: int

    @classmethod
    def of(cls, bucket: str, rate: tuple[int, int]) -> Limit:
        """From a ``(count, seconds)`` setting, such as ``settings.CHAT_SEND_RATE``."""
        count, seconds = rate
        return cls(bucket=bucket, count=count, seconds=seconds)

    def key(self, user_id: int, window: int) -> str:
        """The cache key counting one person in one window."""
        return f"rate:{self.bucket}:{user_id}:{window}"

    def window(self) -> int:
        """The number of the window now."""
        return int(time.time()) // self.seconds

    def keys(self, user_ids: Sequence[int]) -> list[str]:
        window = self.window()
        return [self.key(user_id, window) for user_id in user_ids]

    @property
    def timeout(self) -> int:
        """How long a window's count is kept."""
        return self.seconds + _GRACE_SECONDS

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))


def exceeded(limit: Limit, user_id: int) -> bool:
    """Count one go for this person; whether it takes them over the limit."""
    return not allowed_many(limit, [user_id])[0]


def allowed_many(limit: Limit, user_ids: Sequence[int]) -> list[bool]:
    """Count one go for each entry (a person may appear more than once); whether each
    is within the limit. One Redis round trip for them all."""
    used = count_many(limit, user_ids)
    if used is None:
        return [True] * len(user_ids)
    return [n <= limit.count for n in used]


def count_many(limit: Limit, user_ids: Sequence[int]) -> list[int] | None:
    """Count one go for each entry, already let through elsewhere; the counts after
    (None when Redis cannot be reached: nothing was counted)."""
    if not user_ids:
        return []
    try:
        return _count(limit, limit.keys(user_ids))
    except (RedisError, OSError):
        logger.warning("Redis unavailable: %s was not counted", limit.bucket, exc_info=True)
        return None


def _count(limit: Limit, keys: list[str]) -> list[int]:
    """Add one to each key; the counts after."""
    timeout = limit.timeout
    client = redis_client()
    if client is not None:
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.incr(cache.make_key(key))
            pipe.expire(cache.make_key(key), timeout)
        return [int(n) for n in pipe.execute()[::2]]
    used = []
    for key in keys:
        if cache.add(key, 1, timeout):
            used.append(1)
            continue
        try:
            used.append(cache.incr(key))
        except ValueError:  # the key expired between add and incr
            cache.set(key, 1, timeout)
            used.append(1)
    return used


def too_many(request: HttpRequest, limit: Limit) -> HttpResponse:
    """The one answer to a person over a limit: 429 with the "please wait" page, or only
    its words for htmx (which puts them where the answer goes)."""
    if getattr(request, "htmx", False):
        return HttpResponse(wait_message(limit), status=429)
    return render(request, "429.html", {"message": wait_message(limit)}, status=429)


def wait_message(limit: Limit) -> str:
    return ngettext(
        "You have tried this a lot of times in a short time. Wait %(minutes)d minute and "
        "try again.",
        "You have tried this a lot of times in a short time. Wait %(minutes)d minutes and "
        "try again.",
        limit.minutes,
    ) % {"minutes": limit.minutes}

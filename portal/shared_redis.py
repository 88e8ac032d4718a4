"""One shared Redis client per process (and per event loop) for the hot paths: rate
limits, chat presence and send counts.

Django's cache builds a new client object for every call, which costs more than the
round trip itself when a worker handles hundreds of requests a second. Keys are made with
the cache's own prefix (``cache.make_key``), so both see the same values.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

if TYPE_CHECKING:
    import redis
    import redis.asyncio

_clients: dict[str, redis.Redis] = {}
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, redis.asyncio.Redis] = (
    weakref.WeakKeyDictionary()
)


def redis_client() -> redis.Redis | None:
    """The process's Redis client, or None when the cache is not Redis."""
    url = settings.REDIS_URL
    # ``cache`` is a proxy, so ask the configured backend itself.
    if not url or not isinstance(caches["default"], RedisCache):
        return None
    client = _clients.get(url)
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
        _clients[url] = client
    return client


def async_redis_client() -> redis.asyncio.Redis | None:
    """A Redis client for this event loop (redis.asyncio connections belong to one loop);
    None without Redis."""
    if redis_client() is None:
        return None
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        import redis.asyncio

        client = redis.asyncio.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=5, socket_timeout=5
        )
        _async_clients[loop] = client
    return client


class _OneClientPerPool(RedisCacheClient):
    """Django's Redis cache client, keeping one client object for each connection pool
    instead of building a new one (with its table of some 170 reply handlers) for every
    cache call: a signed-in page makes two or three."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django_client: Any = self  # Django's private helpers, untyped
        pool = django_client._get_connection_pool(write)
        client = self._kept.get(id(pool))
        if client is None:
            client = self._kept[id(pool)] = django_client._client(connection_pool=pool)
        return client


class PortalRedisCache(RedisCache):
    """The cache backend in ``settings.CACHES`` when Redis is configured."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _OneClientPerPool

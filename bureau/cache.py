"""Django's Redis cache, keeping one redis-py client per connection pool. Django builds a new client
for every call, and redis-py fills a table of some 170 response callbacks in each: a quarter of
what a cached API page costs to serve. Keys are not checked against memcached's rules, which
Redis does not have (the check walks every character of every key).

The cache is an accelerator, never a dependency: when Redis cannot be reached, reads are misses and
writes are dropped, so every page and API call is served from the database. The outage is logged
once (and the recovery), and Redis is not tried again for RETRY_SECONDS, so that an unreachable
server costs one timeout, not one per call. A table stamp dropped meanwhile would leave entries
cached before it looking current, so the first call after the outage stamps every table (ANY)."""

import logging
import secrets
import threading
import time

from django.core.cache.backends import redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
RETRY_SECONDS = 5


class Client(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = Client
        self._down_until = None  # set while Redis is unreachable: monotonic time of the next try
        self._lock = threading.Lock()

    def validate_key(self, key):
        pass

    def _call(self, method, default, *args, **kwargs):
        if self._down_until is not None and (time.monotonic() < self._down_until or not self._recover()):
            return default
        try:
            return method(*args, **kwargs)
        except RedisError as exc:
            self._fail(exc)
            return default

    def _fail(self, exc):
        with self._lock:
            if self._down_until is None:
                log.warning("cache unreachable, serving from the database: %s", exc)
            self._down_until = time.monotonic() + RETRY_SECONDS

    def _recover(self):
        from bureau.tablecache import ANY, stamp_key

        try:
            super().set(stamp_key(ANY), secrets.token_hex(8), None)
        except RedisError as exc:
            self._fail(exc)
            return False
        with self._lock:
            if self._down_until is not None:
                log.warning("cache reachable again; every cached entry from before the outage is dropped")
            self._down_until = None
        return True

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def add(self, key, value, timeout=redis.DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def set(self, key, value, timeout=redis.DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def set_many(self, data, timeout=redis.DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version)

    def touch(self, key, timeout=redis.DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

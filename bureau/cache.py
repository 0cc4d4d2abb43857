"""Django's Redis cache, keeping one redis-py client per connection pool. Django builds a new client
for every call, and redis-py fills a table of some 170 response callbacks in each: a quarter of
what a cached API page costs to serve. Keys are not checked against memcached's rules, which
Redis does not have (the check walks every character of every key)."""

from django.core.cache.backends import redis


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

    def validate_key(self, key):
        pass

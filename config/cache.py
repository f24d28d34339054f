"""Django's Redis cache, with one redis-py client per connection pool.

Django's backend builds a new `redis.Redis` for every cache operation
(`RedisCacheClient.get_client`). redis-py's constructor fills a table of
response callbacks each time, which cost a page served from the cache about
as much as its two round trips to Redis (forum.page_cache). A client holds no
connection of its own (each command borrows one from the pool), so one client
per pool serves every thread of a worker.
"""

from django.core.cache.backends import redis


class _Client(redis.RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client

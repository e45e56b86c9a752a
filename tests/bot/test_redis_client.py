"""bot.redis_client: the one Redis client of the scaled layout retries once on a new connection."""
from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError

from bot.redis_client import redis_client


def test_a_dead_pooled_connection_is_retried_once_on_a_new_one():
    client = redis_client("127.0.0.1", 6390, 1, "secret", 0.25)
    kwargs = client.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] == kwargs["socket_connect_timeout"] == 0.25
    assert kwargs["retry"]._retries == 1 and RedisConnectionError in kwargs["retry_on_error"]
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == ("127.0.0.1", 6390, 1, "secret")

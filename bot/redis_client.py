"""One way to open Redis for the scaled layout's lock store (bot/lock_store.py) and shared state
(bot/shared_state.py): an asyncio client with short timeouts and one retry on a new connection, so
that after Redis restarts the pooled connections, which are dead, do not each fail once."""
from __future__ import annotations

from typing import Any, Optional


def redis_client(host: str, port: int, db: int, password: Optional[str], timeout: float) -> Any:
    import redis.asyncio
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError

    return redis.asyncio.Redis(host=host, port=port, db=db, password=password, socket_timeout=timeout,
                               socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 1),
                               retry_on_error=[RedisConnectionError])

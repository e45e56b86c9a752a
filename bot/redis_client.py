"""One way to open Redis for the scaled layout's lock store (bot/lock_store.py) and shared state
(bot/shared_state.py): an asyncio client with short timeouts and one retry on a new connection, so
that after Redis restarts the pooled connections, which are dead, do not each fail once."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, Optional


def redis_client(host: str, port: int, db: int, password: Optional[str], timeout: float) -> Any:
    import redis.asyncio
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError

    return redis.asyncio.Redis(host=host, port=port, db=db, password=password, socket_timeout=timeout,
                               socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 1),
                               retry_on_error=[RedisConnectionError])


class LoopClients:
    """One client per asyncio event loop (a redis.asyncio client belongs to the loop it was made in),
    or the one client a test passes."""

    def __init__(self, host: str, port: int, db: int, password: Optional[str], timeout: float,
                 fixed: Any = None) -> None:
        self._args = (host, port, db, password, timeout)
        self._fixed = fixed
        self._clients: Dict[int, Any] = {}

    def get(self) -> Any:
        if self._fixed is not None:
            return self._fixed
        loop = id(asyncio.get_running_loop())
        if loop not in self._clients:
            self._clients[loop] = redis_client(*self._args)
        return self._clients[loop]

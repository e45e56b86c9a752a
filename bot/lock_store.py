"""A conversation lock that holds across Rasa servers: one lease per conversation in Redis.

    lock_store:                                  (bot/endpoints-scaled.yml)
      type: bot.lock_store.RedisLeaseLockStore
      url: ${FAMILY_HELP_REDIS_HOST}
      port: ${FAMILY_HELP_REDIS_PORT}

Rasa runs every message (and the HTTP API's tracker changes) inside
``async with lock_store.lock(conversation_id)``. Rasa 3.6's own ``RedisLockStore`` keeps a queue of
tickets in one Redis value that each server reads, changes and writes back: two servers can both
see "my turn" and process the same conversation at once, and each then saves its events over the
other's (measured in issue 14: lost turns and empty replies with two servers behind nginx).

Here the lock is one Redis key per conversation, taken with a single atomic command,
``SET key token NX PX lease``: only one caller in any process can create it. The holder renews the
lease while it works (so a long turn keeps it) and releases it with a Lua compare-and-delete, so a
holder whose lease ran out can never delete a lock another server has since taken. A server that
dies holding a lock loses it when its lease (``lease_seconds``, default 10) ends. Waiters poll every
``poll_seconds`` (default 0.02) until ``lock_lifetime`` (Rasa's, 60 s) has passed, then Rasa gets a
``LockError`` (the chat channel then answers with the numbers). Order among messages that wait at the
same moment is not guaranteed; one at a time is.

Logs name no conversation and no message: only kinds of failure.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from typing import Any, AsyncGenerator, Dict, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore

from bot.redis_client import LoopClients

log = logging.getLogger(__name__)

# Delete / extend the key only when it still holds our token (one atomic step inside Redis).
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
EXTEND = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end "
          "return 0")
DEFAULT_PREFIX = "family_help:lock:"


class RedisLeaseLockStore(LockStore):
    """Rasa's ``LockStore`` interface (``lock()``) on one Redis lease per conversation."""

    def __init__(self, endpoint_config: Any = None, *, client: Any = None, host: str = "127.0.0.1",
                 port: int = 6379, db: int = 1, password: Optional[str] = None, key_prefix: str = DEFAULT_PREFIX,
                 lease_seconds: float = 10.0, poll_seconds: float = 0.02, socket_timeout: float = 5.0) -> None:
        if endpoint_config is not None:  # Rasa: `type: bot.lock_store.RedisLeaseLockStore` in endpoints.yml
            kw: Dict[str, Any] = dict(endpoint_config.kwargs or {})
            host = endpoint_config.url or kw.get("host", host)
            port, db = int(kw.get("port", port)), int(kw.get("db", db))
            password = kw.get("password", password) or None
            key_prefix = str(kw.get("key_prefix", key_prefix))
            lease_seconds = float(kw.get("lease_seconds", lease_seconds))
            poll_seconds = float(kw.get("poll_seconds", poll_seconds))
            socket_timeout = float(kw.get("socket_timeout", socket_timeout))
        if lease_seconds <= 0 or poll_seconds <= 0:
            raise ValueError("lease_seconds and poll_seconds must be positive")
        self.host, self.port, self.db, self.password = host, int(port), int(db), password
        self.key_prefix, self.lease_seconds, self.poll_seconds = key_prefix, lease_seconds, poll_seconds
        self.socket_timeout = socket_timeout
        # tests pass a fake client; else one per event loop, retrying once on a new connection (after a
        # Redis restart each dead pooled connection failed a turn once: make scale-test --only outage)
        self._clients = LoopClients(self.host, self.port, self.db, password, socket_timeout, fixed=client)
        super().__init__()

    def _redis(self) -> Any:
        return self._clients.get()

    # the lock ---------------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock while the body runs; raise LockError after `lock_lifetime`
        seconds of waiting, or when Redis cannot be reached."""
        key, token = self.key_prefix + conversation_id, secrets.token_hex(16)
        await self.acquire(key, token, lock_lifetime)
        keeper = asyncio.ensure_future(self._keep(key, token))
        try:
            yield TicketLock(conversation_id)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await keeper
            await self.release(key, token)

    async def acquire(self, key: str, token: str, wait_seconds: float) -> None:
        lease_ms = int(self.lease_seconds * 1000)
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                if await self._redis().set(key, token, nx=True, px=lease_ms):
                    return
            except Exception as e:  # noqa: BLE001 - redis's errors vary; the kind is what matters
                log.error("lock store: Redis unavailable (%s)", type(e).__name__)
                raise LockError(f"the lock store (Redis) cannot be reached: {type(e).__name__}") from None
            if time.monotonic() >= deadline:
                log.warning("lock store: gave up waiting for a conversation's lock after %.0f s", wait_seconds)
                raise LockError(f"a conversation stayed locked for {wait_seconds:.0f} s")
            await asyncio.sleep(self.poll_seconds * (0.5 + random.random()))  # noqa: S311 - jitter only

    async def release(self, key: str, token: str) -> bool:
        """Delete the lock if it is still ours. False when it was not (its lease had ended)."""
        try:
            released = bool(await self._redis().eval(RELEASE, 1, key, token))
        except Exception as e:  # noqa: BLE001 - the lease ends by itself; never fail the reply for it
            log.error("lock store: could not release a lock (%s); its lease ends by itself", type(e).__name__)
            return False
        if not released:
            log.warning("lock store: a lock's lease had ended before its turn finished")
        return released

    async def _keep(self, key: str, token: str) -> None:
        """Renew the lease every third of it while the turn runs."""
        lease_ms = int(self.lease_seconds * 1000)
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                if not await self._redis().eval(EXTEND, 1, key, token, lease_ms):
                    log.warning("lock store: a lock was lost while held (its lease had ended)")
                    return
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001
                log.error("lock store: could not renew a lock (%s)", type(e).__name__)

    # Rasa's ticket interface is not used by lock() above; nothing else in Rasa 3.6 calls it.
    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        raise NotImplementedError("RedisLeaseLockStore has no ticket queue: use lock()")

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("RedisLeaseLockStore has no ticket queue: use lock()")

    def delete_lock(self, conversation_id: str) -> None:
        raise NotImplementedError("RedisLeaseLockStore has no ticket queue: use lock()")

"""The cross-process conversation lock (bot/lock_store.py) on a small in-memory stand-in for Redis
with the same atomic commands (SET NX PX, and the two Lua scripts run as one step)."""
from __future__ import annotations

import asyncio
import time

import pytest
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot import lock_store
from bot.lock_store import RedisLeaseLockStore


class FakeRedis:
    """What Redis does for these commands, atomically (one asyncio step each)."""

    def __init__(self) -> None:
        self.data: dict[str, tuple[str, float]] = {}  # key -> (value, expires at, monotonic)
        self.down = False
        self.calls: list[str] = []

    def _get(self, key: str):  # noqa: ANN202
        value = self.data.get(key)
        if value and value[1] <= time.monotonic():
            del self.data[key]
            return None
        return value

    async def set(self, key: str, value: str, nx: bool = False, px: int | None = None):  # noqa: ANN201
        self.calls.append("set")
        if self.down:
            raise ConnectionError("connection refused")
        assert nx and px
        if self._get(key) is not None:
            return None
        self.data[key] = (value, time.monotonic() + px / 1000)
        return True

    async def eval(self, script: str, numkeys: int, key: str, token: str, *args):  # noqa: ANN201, ANN002
        self.calls.append("release" if script == lock_store.RELEASE else "extend")
        if self.down:
            raise ConnectionError("connection refused")
        held = self._get(key)
        if held is None or held[0] != token:
            return 0
        if script == lock_store.RELEASE:
            del self.data[key]
        else:
            self.data[key] = (token, time.monotonic() + int(args[0]) / 1000)
        return 1


def stores(redis: FakeRedis, n: int = 2, **kw) -> list[RedisLeaseLockStore]:  # noqa: ANN003
    """`n` stores sharing one Redis: `n` Rasa servers."""
    return [RedisLeaseLockStore(client=redis, poll_seconds=0.001, **kw) for _ in range(n)]


def test_two_servers_never_hold_one_conversation_at_once_and_every_turn_runs():
    redis = FakeRedis()
    servers = stores(redis)
    inside = {"now": 0, "most": 0}
    done = []

    async def turn(i: int) -> None:
        async with servers[i % 2].lock("conv-a"):
            inside["now"] += 1
            inside["most"] = max(inside["most"], inside["now"])
            await asyncio.sleep(0.002)  # the turn awaits (the action server, the database)
            inside["now"] -= 1
            done.append(i)

    async def main() -> None:
        await asyncio.gather(*(turn(i) for i in range(10)))

    asyncio.run(main())
    assert inside["most"] == 1
    assert sorted(done) == list(range(10))
    assert redis.data == {}  # every lock released


def test_different_conversations_do_not_wait_for_each_other():
    redis = FakeRedis()
    a, b = stores(redis)
    order = []

    async def main() -> None:
        async with a.lock("conv-a"):
            async with b.lock("conv-b"):  # would wait forever if the lock were global
                order.append("both")

    asyncio.run(asyncio.wait_for(main(), 2))
    assert order == ["both"]


def test_release_never_deletes_a_lock_another_server_took_after_the_lease_ended():
    redis = FakeRedis()
    a, b = stores(redis, lease_seconds=0.05)

    async def main() -> None:
        key = a.key_prefix + "conv-a"
        await a.acquire(key, "token-a", 1)
        redis.data[key] = ("token-a", time.monotonic() - 1)  # a's lease ended (it was stuck)
        await b.acquire(key, "token-b", 1)
        assert await a.release(key, "token-a") is False  # a finishes late: b's lock stays
        assert redis.data[key][0] == "token-b"
        assert await b.release(key, "token-b") is True
        assert key not in redis.data

    asyncio.run(main())


def test_a_long_turn_keeps_its_lease():
    redis = FakeRedis()
    a, b = stores(redis, lease_seconds=0.06)

    async def main() -> None:
        async with a.lock("conv-a"):
            await asyncio.sleep(0.25)  # four leases long: renewed every 20 ms
            with pytest.raises(LockError):
                async with b.lock("conv-a", lock_lifetime=0.01):
                    pass

    asyncio.run(main())
    assert "extend" in redis.calls


def test_waiting_too_long_and_redis_down_are_lock_errors():
    redis = FakeRedis()
    a, b = stores(redis)

    async def main() -> None:
        async with a.lock("conv-a"):
            with pytest.raises(LockError, match="stayed locked"):
                async with b.lock("conv-a", lock_lifetime=0.05):
                    pass
        redis.down = True
        with pytest.raises(LockError, match="cannot be reached"):
            async with a.lock("conv-a"):
                pass

    asyncio.run(main())


def test_a_server_that_died_holding_a_lock_loses_it_when_the_lease_ends():
    redis = FakeRedis()
    a, b = stores(redis, lease_seconds=0.05)

    async def main() -> None:
        await a.acquire(a.key_prefix + "conv-a", "dead-server", 1)  # never released: killed
        started = time.monotonic()
        async with b.lock("conv-a"):
            return time.monotonic() - started

    waited = asyncio.run(main())
    assert 0.03 <= waited < 1


def test_rasa_loads_it_from_endpoints_yml():
    config = EndpointConfig(url="10.0.0.5", type="bot.lock_store.RedisLeaseLockStore", port="6390", db="3",
                            key_prefix="fh:", lease_seconds="7")
    store = LockStore.create(config)
    assert isinstance(store, RedisLeaseLockStore)
    assert (store.host, store.port, store.db) == ("10.0.0.5", 6390, 3)
    assert (store.key_prefix, store.lease_seconds) == ("fh:", 7.0)

"""bot/shared_state.py: recent safety concerns and the chat rate limit, in memory or shared through Redis
(a small fake with Redis's semantics for the commands used: SET NX PX, GET, EXISTS, DEL, the COUNT script)."""
from __future__ import annotations

import asyncio
import re

import pytest

import settings
from bot import shared_state
from bot.shared_state import RedisSharedState, SharedState, concern_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeRedis:
    """Keys with expiry on a shared clock; `down` makes every call fail as a lost connection does."""

    def __init__(self, clock: Clock) -> None:
        self.clock, self.data, self.expires, self.down, self.calls = clock, {}, {}, False, 0

    def _live(self, key):
        if key in self.expires and self.clock() * 1000 >= self.expires[key]:
            self.data.pop(key, None), self.expires.pop(key, None)
        return key in self.data

    async def _call(self):
        self.calls += 1
        if self.down:
            raise ConnectionError("Connection refused")

    async def set(self, key, value, px=None, nx=False):
        await self._call()
        if nx and self._live(key):
            return None
        self.data[key] = value.encode() if isinstance(value, str) else value
        self.expires.pop(key, None)
        if px:
            self.expires[key] = self.clock() * 1000 + px
        return True

    async def get(self, key):
        await self._call()
        return self.data.get(key) if self._live(key) else None

    async def exists(self, key):
        await self._call()
        return int(self._live(key))

    async def delete(self, key):
        await self._call()
        return int(self._live(key) and self.data.pop(key, None) is not None)

    async def eval(self, script, numkeys, key, window_ms):
        await self._call()
        assert script == shared_state.COUNT and numkeys == 1
        count = int(self.data[key]) + 1 if self._live(key) else 1
        self.data[key] = str(count).encode()
        if count == 1 or key not in self.expires:
            self.expires[key] = self.clock() * 1000 + int(window_ms)
        return count


@pytest.fixture()
def clock() -> Clock:
    return Clock()  # given to each state: asyncio's own timers keep the real clock


def servers(clock, n=2, per_minute=3):
    redis = FakeRedis(clock)
    return redis, [RedisSharedState(per_minute, client=redis, clock=clock) for _ in range(n)]


def run(coroutine):
    return asyncio.run(coroutine)


def test_memory_only_is_todays_behaviour(clock):
    one = SharedState(2, clock=clock)
    run(one.note_concern("a"))
    assert run(one.recent_concern("a")) and not run(one.recent_concern("b"))
    clock.now += 1801
    assert not run(one.recent_concern("a"))
    assert [run(one.allow("c")) for _ in range(3)] == [True, True, False]
    clock.now += 61
    assert run(one.allow("c"))
    assert run(one.secret()) == run(one.secret()) != run(SharedState(2, clock=clock).secret())  # per process


def test_a_concern_noted_by_one_server_counts_on_the_other_for_half_an_hour(clock):
    redis, (a, b) = servers(clock)
    run(a.note_concern("conv-1"))
    assert run(b.recent_concern("conv-1")) and not run(b.recent_concern("conv-2"))
    clock.now += 1799
    assert run(b.recent_concern("conv-1"))
    clock.now += 2
    assert not run(b.recent_concern("conv-1")) and not run(a.recent_concern("conv-1"))


def test_erasing_deletes_the_shared_concern_and_this_servers_note(clock):
    redis, (a, b, c) = servers(clock, n=3)
    run(a.note_concern("conv-1"))
    run(b.forget_concern("conv-1"))
    assert concern_key("conv-1") not in redis.data
    assert not run(b.recent_concern("conv-1")) and not run(c.recent_concern("conv-1"))
    assert run(a.recent_concern("conv-1"))  # the noting server's own note lasts until it expires (safe side)


def test_a_concern_lost_by_redis_still_counts_on_the_server_that_noted_it(clock):
    redis, (a, b) = servers(clock)
    run(a.note_concern("conv-1"))
    redis.data.clear(), redis.expires.clear()  # Redis restarted: it keeps nothing on disk
    assert run(a.recent_concern("conv-1")) and not run(b.recent_concern("conv-1"))
    clock.now += 1801
    assert not run(a.recent_concern("conv-1"))


def test_redis_keeps_no_message_text_no_conversation_id_and_everything_expires(clock):
    redis, (a, b) = servers(clock)
    run(a.note_concern("scale-test-conversation-42"))
    client = __import__("bot.intake", fromlist=["client_key"]).client_key("203.0.113.7", run(a.secret()))
    run(a.allow(client))
    for key, value in redis.data.items():
        assert "scale-test-conversation" not in key and "203.0.113" not in key and b"203.0.113" not in value
        assert key.startswith("family_help:")
        assert key in redis.expires or key == "family_help:salt"
    assert concern_key("scale-test-conversation-42") in redis.data
    assert re.fullmatch(r"family_help:concern:[0-9a-f]{32}", concern_key("x"))


def test_the_rate_limit_is_one_count_for_all_servers(clock):
    redis, (a, b) = servers(clock, per_minute=3)
    key_a = __import__("bot.intake", fromlist=["client_key"]).client_key("203.0.113.7", run(a.secret()))
    key_b = __import__("bot.intake", fromlist=["client_key"]).client_key("203.0.113.7", run(b.secret()))
    assert key_a == key_b  # the same client is the same key on every server (the salt is in Redis)
    allowed = [run(s.allow(key_a)) for s in (a, b, a, b, a)]
    assert allowed == [True, True, True, False, False]
    clock.now += 60.1  # the window ends with the key's expiry
    assert run(b.allow(key_a))


def test_redis_down_never_blocks_a_message_and_a_concern_noted_here_still_counts(clock):
    redis, (a, b) = servers(clock, per_minute=2)
    run(a.note_concern("before"))  # shared while Redis is up
    redis.down = True
    run(a.note_concern("during"))  # Redis fails: noted in a's memory
    assert run(a.recent_concern("during")) and run(a.recent_concern("before"))
    assert not run(b.recent_concern("during"))  # b cannot know it (and is not blocked)
    calls = redis.calls
    assert [run(a.allow("c")) for _ in range(3)] == [True, True, False]  # a's own count meanwhile
    assert redis.calls == calls  # while Redis is failing it is not asked again: no wait per message
    run(b.forget_concern("x"))  # never raises
    clock.now += shared_state.RETRY_AFTER_SECONDS + 0.1
    redis.down = False
    assert run(a.recent_concern("during"))  # Redis does not have it yet: a's memory still counts
    assert run(b.recent_concern("during"))  # and a wrote it to Redis as soon as Redis answered


def test_a_slow_redis_is_waited_for_only_briefly(clock):
    class Slow(FakeRedis):
        async def exists(self, key):
            await asyncio.sleep(5)

    state = RedisSharedState(3, client=Slow(clock), clock=clock, timeout=0.01)
    state.concerns.note("a")
    assert run(state.recent_concern("a"))  # Redis timed out: memory answered, within 2 x timeout


def test_from_settings_memory_by_default_redis_when_asked():
    assert type(shared_state.from_settings({})) is SharedState
    state = shared_state.from_settings({"FAMILY_HELP_SHARED_STATE": "1", "FAMILY_HELP_REDIS_PORT": "6390",
                                        "FAMILY_HELP_REDIS_PASSWORD": "pw", "FAMILY_HELP_CHAT_PER_MINUTE": "7",
                                        "FAMILY_HELP_SHARED_STATE_TIMEOUT_MS": "100"})
    assert isinstance(state, RedisSharedState)
    assert (state.port, state.password, state.timeout, state.db, state.limiter.limit()) == (6390, "pw", 0.1, 1, 7)
    assert settings.get("FAMILY_HELP_SHARED_STATE", {}) is False

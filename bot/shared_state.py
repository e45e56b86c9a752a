"""What the chat channel remembers between messages, shared by every Rasa server when there are several.

Two things (bot/channel.py):
- **recent safety concerns**: which conversations had a safety reply in the last half hour, so that
  their next message is judged knowing it ("can you keep a secret?" then a hint);
- **the chat rate limit**: how many messages a client sent in the last minute
  (FAMILY_HELP_CHAT_PER_MINUTE).

``SharedState`` keeps them in this process's memory: `make run`'s one Rasa server, nothing to install,
as before. ``RedisSharedState`` (FAMILY_HELP_SHARED_STATE=1, which `make run-scaled` sets) keeps them in
Redis (FAMILY_HELP_REDIS_*, database 1 beside the lock store), so a message that reaches another Rasa
server still counts the concern and the client's messages:

    family_help:concern:<sha256 of the conversation id>  "1", PX = 30 minutes   (SET PX; DEL on erase)
    family_help:rate:<client key>                       a count, PX = 1 minute  (INCR + PEXPIRE, one Lua step)
    family_help:salt                                    16 random bytes, no expiry (the client keys' HMAC key)

No message text and no address is ever written: a conversation id is hashed, a client is an HMAC of
its address with a random key that lives only in Redis (nothing on disk there), so every server
computes the same key for the same client. The rate limit is a fixed one-minute window per client
(a sliding one in memory).

Redis failing never holds back a message and never forgets a concern: every call has a short timeout
(FAMILY_HELP_SHARED_STATE_TIMEOUT_MS), after a failure Redis is not asked again for a few seconds,
and meanwhile this process's memory answers: a concern is always noted here too and still counts
when Redis cannot be asked (a concern noted while Redis was down is written to it once it answers
again), and it still counts on the server that noted it if Redis loses it (a restart). Erasing a chat
deletes its Redis key and this server's note; another server that noted a concern for it keeps its note
(an id and a time, in memory) until it expires, which can only make a message with that id judged more
carefully. The rate limit falls back to this process's own count. Logs name kinds of failure only.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple, TypeVar, Union

import settings
from bot.redis_client import LoopClients
from triage.limits import SlidingWindow

log = logging.getLogger(__name__)
T = TypeVar("T")

CONCERN_SECONDS = 1800.0  # a safety reply colours the judgement of messages for half an hour
RATE_WINDOW_SECONDS = 60.0
REDIS_DB = 1  # make run-scaled's Redis, beside the lock store (bot/endpoints-scaled.yml)
PREFIX = "family_help:"
RETRY_AFTER_SECONDS = 5.0  # after a Redis failure, memory answers alone this long
SALT_REFRESH_SECONDS = 60.0
# One atomic step: count, and start the window's expiry on the first message (or if it was ever lost).
COUNT = ("local n = redis.call('incr', KEYS[1]) "
         "if n == 1 or redis.call('pttl', KEYS[1]) < 0 then redis.call('pexpire', KEYS[1], ARGV[1]) end "
         "return n")


class RecentConcerns:
    """Which conversations had a safety reply in the last `seconds` (at most `size` of them, in this
    process). Only the conversation's id, a time and whether Redis has it too are kept."""

    def __init__(self, seconds: float = CONCERN_SECONDS, size: int = 10000,
                 clock: Optional[Callable[[], float]] = None) -> None:
        self.seconds, self.size, self._clock = seconds, size, clock
        self._seen: OrderedDict[str, Tuple[float, bool]] = OrderedDict()

    def note(self, sender: str, shared: bool = False) -> None:
        self._seen[sender] = ((self._clock or time.monotonic)(), shared)
        self._seen.move_to_end(sender)
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)

    def left(self, sender: str) -> float:
        """Seconds this concern still counts (0: none)."""
        at = self._seen.get(sender)
        return max(0.0, self.seconds - ((self._clock or time.monotonic)() - at[0])) if at else 0.0

    def recent(self, sender: str) -> bool:
        return self.left(sender) > 0

    def unshared(self) -> Dict[str, float]:
        """The concerns still counting that Redis does not have yet, with the seconds they have left."""
        return {s: left for s, (_, shared) in list(self._seen.items()) if not shared and (left := self.left(s)) > 0}

    def mark_shared(self, sender: str) -> None:
        if sender in self._seen:
            self._seen[sender] = (self._seen[sender][0], True)

    def forget(self, sender: str) -> None:
        self._seen.pop(sender, None)


class SharedState:
    """This process's memory only (`make run`): today's behaviour."""

    kind = "memory"

    def __init__(self, per_minute: Union[int, Callable[[], int]], concern_seconds: float = CONCERN_SECONDS,
                 clock: Optional[Callable[[], float]] = None) -> None:
        self._clock = clock or time.monotonic
        self.concerns = RecentConcerns(concern_seconds, clock=clock)
        self.limiter = SlidingWindow(per_minute, RATE_WINDOW_SECONDS, clock=self._clock)
        self._secret = os.urandom(16)

    async def note_concern(self, sender: str) -> None:
        self.concerns.note(sender)

    async def recent_concern(self, sender: str) -> bool:
        return self.concerns.recent(sender)

    async def forget_concern(self, sender: str) -> None:
        self.concerns.forget(sender)

    async def allow(self, client: str) -> bool:
        """Count one message from this client; False when it is over the limit (nothing counted)."""
        return self.limiter.allow(("client", client))

    async def secret(self) -> bytes:
        """The key for client keys (bot/intake.client_key): the same on every server that shares state."""
        return self._secret


def concern_key(sender: str) -> str:
    return PREFIX + "concern:" + hashlib.sha256(sender.encode("utf-8", "replace")).hexdigest()[:32]


class RedisSharedState(SharedState):
    """Kept in Redis for every Rasa server, with this process's memory as the fallback."""

    kind = "redis"

    def __init__(self, per_minute: Union[int, Callable[[], int]], *, client: Any = None, host: str = "127.0.0.1",
                 port: int = 6379, password: Optional[str] = None, db: int = REDIS_DB, timeout: float = 0.25,
                 concern_seconds: float = CONCERN_SECONDS, clock: Optional[Callable[[], float]] = None) -> None:
        super().__init__(per_minute, concern_seconds, clock)
        self.host, self.port, self.password, self.db, self.timeout = host, port, password, db, timeout
        # tests pass a fake client; else one per event loop, retrying once on a new connection (after
        # Redis restarts, the pooled connections are dead and each would otherwise fail once)
        self._clients = LoopClients(host, port, db, password, timeout, fixed=client)
        self._down_until = 0.0
        self._salt: Optional[bytes] = None
        self._salt_at = -SALT_REFRESH_SECONDS

    def _redis(self) -> Any:
        return self._clients.get()

    def available(self) -> bool:
        return self._clock() >= self._down_until

    async def _ask(self, what: str, call: Callable[[Any], Awaitable[T]]) -> Tuple[bool, Optional[T]]:
        """(True, answer), or (False, None) when Redis failed or was failing a moment ago."""
        if not self.available():
            return False, None
        try:
            answer = await asyncio.wait_for(call(self._redis()), self.timeout * 2)
        except Exception as e:  # noqa: BLE001 - redis's errors vary; never hold back a message for them
            self._down_until = self._clock() + RETRY_AFTER_SECONDS
            log.error("shared state: Redis unavailable (%s) for %s; this server's memory answers for %.0f s",
                      type(e).__name__, what, RETRY_AFTER_SECONDS)
            return False, None
        await self._share_pending(what)
        return True, answer

    async def _share_pending(self, what: str) -> None:
        """Write the concerns noted while Redis could not be reached (once it answers again)."""
        pending = self.concerns.unshared()
        if not pending or what == "catch-up":
            return
        for sender, left in pending.items():
            ok, _ = await self._ask("catch-up", lambda r, s=sender, ms=int(left * 1000) or 1:
                                    r.set(concern_key(s), "1", px=ms))
            if not ok:
                return
            self.concerns.mark_shared(sender)

    async def note_concern(self, sender: str) -> None:
        self.concerns.note(sender)  # counts here whatever Redis does
        seconds = self.concerns.seconds
        ok, _ = await self._ask("a concern", lambda r: r.set(concern_key(sender), "1", px=int(seconds * 1000)))
        if ok:
            self.concerns.mark_shared(sender)

    async def recent_concern(self, sender: str) -> bool:
        ok, found = await self._ask("a concern", lambda r: r.exists(concern_key(sender)))
        # Redis's answer (what any server noted), or what this server noted itself: still counted when
        # Redis cannot be asked, has not got it yet, or lost it (a restart: Redis keeps nothing on disk).
        return bool(ok and found) or self.concerns.recent(sender)

    async def forget_concern(self, sender: str) -> None:
        self.concerns.forget(sender)
        ok, _ = await self._ask("erasing a concern", lambda r: r.delete(concern_key(sender)))
        if not ok:
            log.warning("shared state: a concern could not be erased from Redis; it expires within %.0f minutes",
                        self.concerns.seconds / 60)

    async def allow(self, client: str) -> bool:
        limit = self.limiter.limit()
        key = PREFIX + "rate:" + client
        ok, count = await self._ask("the rate limit",
                                    lambda r: r.eval(COUNT, 1, key, int(RATE_WINDOW_SECONDS * 1000)))
        if not ok:
            return self.limiter.allow(("client", client))  # this server's own count meanwhile
        return int(count) <= limit

    async def secret(self) -> bytes:
        now = self._clock()
        if self._salt is not None and now - self._salt_at < SALT_REFRESH_SECONDS:
            return self._salt
        fresh = os.urandom(16).hex()

        async def shared(r: Any) -> Any:
            await r.set(PREFIX + "salt", fresh, nx=True)
            return await r.get(PREFIX + "salt")

        ok, salt = await self._ask("the client key", shared)
        if ok and salt:
            self._salt, self._salt_at = bytes(salt if isinstance(salt, bytes) else str(salt).encode()), now
            return self._salt
        return self._salt or self._secret  # Redis never answered yet: this process's own key


def from_settings(environ: Optional[Any] = None) -> SharedState:
    """FAMILY_HELP_SHARED_STATE=1: Redis (FAMILY_HELP_REDIS_*); else this process's memory."""
    get = (lambda n: settings.get(n, environ))  # noqa: E731
    per_minute = (lambda: settings.get("FAMILY_HELP_CHAT_PER_MINUTE", environ))  # noqa: E731
    if not get("FAMILY_HELP_SHARED_STATE"):
        return SharedState(per_minute)
    return RedisSharedState(per_minute, host=get("FAMILY_HELP_REDIS_HOST"), port=get("FAMILY_HELP_REDIS_PORT"),
                            password=get("FAMILY_HELP_REDIS_PASSWORD"),
                            timeout=get("FAMILY_HELP_SHARED_STATE_TIMEOUT_MS") / 1000)

"""How many Children's Rights Officer requests one client, and one conversation, may send an hour.

One client once put 20 requests into a council's queue in under 4 seconds. A young person needs
one request, perhaps two; more than FAMILY_HELP_CRO_REQUESTS_PER_HOUR (default 3) in an hour from
the same client or the same conversation is refused, and the young person is told who to call.

The counts are kept in memory in the action server only (never in a database): a key is kept
as a keyed hash, only while it has a request in the last hour, and there is a cap on how many
keys are held. A restart forgets them, which errs on the side of letting a young person through.
Only request creation is limited: nothing here can hold back a safety reply.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from typing import Callable, Optional, Tuple, Union

import settings

WINDOW_SECONDS = 3600.0
MAX_KEYS = 50_000  # about 10 MB at most; the oldest keys are forgotten first


class SlidingWindow:
    """At most `limit` events per key in any `window` seconds, kept in memory only: a key is held
    as a keyed hash, only while it has an event in the window, and at most `max_keys` of them (the
    least recently used are forgotten first). Thread-safe. Used for CRO requests here and for chat
    messages (bot/channel.py)."""

    def __init__(self, limit: Union[int, Callable[[], int]], window_seconds: float, *,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS) -> None:
        self._limit = limit  # a number, or a function read at each check (a setting)
        self._clock = clock
        self._window = window_seconds
        self._max_keys = max_keys
        self._times: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()
        self._salt = secrets.token_bytes(16)

    def limit(self) -> int:
        return self._limit() if callable(self._limit) else self._limit

    def _key(self, kind: str, value: str) -> str:
        return kind + ":" + hmac.new(self._salt, value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()

    def _recent(self, key: str, now: float) -> deque:
        times = self._times.get(key)
        if times is None:
            return deque()
        while times and now - times[0] >= self._window:
            times.popleft()
        if not times:
            del self._times[key]
        return times

    def allow(self, *keys: Tuple[str, Optional[str]]) -> bool:
        """Count one event for every (kind, value) key whose value is given, and say True; or, when
        any of them already has `limit` events in the window, count nothing and say False."""
        limit = self.limit()
        now = self._clock()
        with self._lock:
            hashed = [self._key(kind, value) for kind, value in keys if isinstance(value, str) and value]
            if any(len(self._recent(key, now)) >= limit for key in hashed):
                return False
            for key in hashed:
                times = self._times.setdefault(key, deque())
                times.append(now)
                self._times.move_to_end(key)
            # Least recently used first: forget keys with nothing in the window, and the oldest
            # beyond the cap.
            while self._times:
                oldest_key, oldest = next(iter(self._times.items()))
                if len(self._times) <= self._max_keys and now - oldest[-1] < self._window:
                    break
                del self._times[oldest_key]
            return True

    def forget_all(self) -> None:
        with self._lock:
            self._times.clear()

    def __len__(self) -> int:
        """How many keys are being counted (for tests and health checks)."""
        with self._lock:
            return len(self._times)


class RequestLimiter:
    """A sliding one-hour window of request times per client and per conversation."""

    def __init__(self, per_hour: Optional[int] = None, *, clock: Callable[[], float] = time.monotonic,
                 window_seconds: float = WINDOW_SECONDS, max_keys: int = MAX_KEYS) -> None:
        self._per_hour = per_hour  # None: FAMILY_HELP_CRO_REQUESTS_PER_HOUR, read at each check
        self.window = SlidingWindow(self.per_hour, window_seconds, clock=clock, max_keys=max_keys)

    def per_hour(self) -> int:
        return self._per_hour if self._per_hour is not None else settings.get("FAMILY_HELP_CRO_REQUESTS_PER_HOUR")

    def allow(self, client: Optional[str], conversation: Optional[str]) -> bool:
        """True, and the request is counted, when neither the client nor the conversation has had
        `per_hour` requests in the last hour; False (nothing counted) otherwise. With no client
        (an unknown channel) only the conversation is limited."""
        return self.window.allow(("client", client), ("conversation", conversation))

    def forget_all(self) -> None:
        self.window.forget_all()

    def __len__(self) -> int:
        """How many clients and conversations are being counted (for tests and health checks)."""
        return len(self.window)

"""CRO request limits: per client and per conversation, a sliding hour, in memory only."""
from __future__ import annotations

import threading

import pytest

from triage.limits import RequestLimiter, SlidingWindow


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


def test_three_an_hour_per_conversation_then_refused_until_the_hour_has_passed(ticks):
    limiter = RequestLimiter(3, clock=ticks)
    answers = []
    for _ in range(4):
        answers.append(limiter.allow(None, "conv-1"))
        ticks.now += 10
    assert answers == [True, True, True, False]
    assert limiter.allow(None, "conv-2")  # another conversation is not held back
    ticks.now += 3599 - 40
    assert not limiter.allow(None, "conv-1")
    ticks.now += 1  # an hour after the first request
    assert limiter.allow(None, "conv-1")
    assert not limiter.allow(None, "conv-1")


def test_one_client_is_limited_across_conversations(ticks):
    limiter = RequestLimiter(3, clock=ticks)
    assert all(limiter.allow("client-a", f"conv-{i}") for i in range(3))
    assert not limiter.allow("client-a", "conv-new")  # a new conversation does not reset the client
    assert limiter.allow("client-b", "conv-new")  # nothing was counted for the refused request


def test_a_conversation_is_limited_whichever_client_it_claims(ticks):
    limiter = RequestLimiter(2, clock=ticks)
    assert limiter.allow("client-a", "conv") and limiter.allow("client-b", "conv")
    assert not limiter.allow("client-c", "conv")


def test_twenty_requests_in_four_seconds_store_three(ticks):
    limiter = RequestLimiter(3, clock=ticks)
    allowed = 0
    for _ in range(20):
        allowed += limiter.allow("attacker", "same-conversation")
        ticks.now += 0.185
    assert allowed == 3


def test_the_setting_is_read_at_each_check(ticks, monkeypatch):
    limiter = RequestLimiter(clock=ticks)
    monkeypatch.delenv("FAMILY_HELP_CRO_REQUESTS_PER_HOUR", raising=False)
    assert limiter.per_hour() == 3
    monkeypatch.setenv("FAMILY_HELP_CRO_REQUESTS_PER_HOUR", "1")
    assert limiter.allow("c", "x") and not limiter.allow("c", "y")
    monkeypatch.setenv("FAMILY_HELP_CRO_REQUESTS_PER_HOUR", "0")
    with pytest.raises(ValueError, match="FAMILY_HELP_CRO_REQUESTS_PER_HOUR"):
        limiter.allow("c", "z")


def test_memory_is_bounded_and_keys_are_not_kept_in_plain(ticks):
    limiter = RequestLimiter(3, clock=ticks, max_keys=10)
    for i in range(100):
        limiter.allow(f"client-{i}", None)
    assert len(limiter) == 10
    assert not any("client-" in key for key in limiter.window._times)
    ticks.now += 3600
    limiter.allow("late", None)
    assert len(limiter) == 1  # keys with nothing in the last hour are forgotten


def test_threads_cannot_get_past_the_limit(ticks):
    limiter = RequestLimiter(3, clock=ticks)
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(limiter.allow("c", "conv"))) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 3


def test_the_window_counts_per_key_and_forgets_after_it(ticks):
    """The same window limits chat messages per client (bot/channel.py): a minute here."""
    window = SlidingWindow(3, 60.0, clock=ticks)
    assert [window.allow(("client", "a")) for _ in range(4)] == [True, True, True, False]
    assert window.allow(("client", "b"))  # another client is not affected
    ticks.now += 59.0
    assert not window.allow(("client", "a"))
    ticks.now += 1.5
    assert window.allow(("client", "a"))


def test_the_windows_memory_is_bounded(ticks):
    window = SlidingWindow(1, 1.0, clock=ticks, max_keys=10)
    for i in range(100):
        ticks.now += 2.0
        assert window.allow(("client", f"k{i}"))
    assert len(window) <= 10

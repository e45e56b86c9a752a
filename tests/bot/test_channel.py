"""The chat channel's own memory (bot/channel.py): which conversations just had a safety reply."""
from __future__ import annotations


def test_recent_concerns_are_remembered_for_a_while_bounded_and_forgotten_on_erase(monkeypatch):
    from bot import channel

    now = [1000.0]
    monkeypatch.setattr(channel.time, "monotonic", lambda: now[0])
    concerns = channel.RecentConcerns(seconds=60, size=2)
    concerns.note("a")
    assert concerns.recent("a") and not concerns.recent("b")
    now[0] += 61
    assert not concerns.recent("a")
    concerns.note("a"), concerns.note("b"), concerns.note("c")
    assert not concerns.recent("a") and concerns.recent("c")  # the oldest goes first
    concerns.forget("c")
    assert not concerns.recent("c")

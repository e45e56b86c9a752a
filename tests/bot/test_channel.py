"""The chat channel's own memory (bot/channel.py; kept by bot/shared_state.py): which conversations
just had a safety reply, and the chat rate limit."""
from __future__ import annotations

import asyncio


def test_recent_concerns_are_remembered_for_a_while_bounded_and_forgotten_on_erase(monkeypatch):
    from bot import channel, shared_state

    now = [1000.0]
    monkeypatch.setattr(shared_state.time, "monotonic", lambda: now[0])
    concerns = channel.RecentConcerns(seconds=60, size=2)
    concerns.note("a")
    assert concerns.recent("a") and not concerns.recent("b")
    now[0] += 61
    assert not concerns.recent("a")
    concerns.note("a"), concerns.note("b"), concerns.note("c")
    assert not concerns.recent("a") and concerns.recent("c")  # the oldest goes first
    concerns.forget("c")
    assert not concerns.recent("c")


def test_the_channel_keeps_its_memory_in_this_process_unless_shared_state_is_set(monkeypatch):
    from bot import channel, shared_state

    monkeypatch.delenv("FAMILY_HELP_SHARED_STATE", raising=False)
    monkeypatch.setattr(channel.turns, "install", lambda *_: None)
    chat = channel.FamilyHelpInput()
    assert type(chat.state) is shared_state.SharedState
    monkeypatch.setenv("FAMILY_HELP_SHARED_STATE", "1")
    assert isinstance(channel.FamilyHelpInput().state, shared_state.RedisSharedState)

    async def noted() -> bool:
        await chat.state.note_concern("someone")
        return await chat.state.recent_concern("someone")

    assert asyncio.run(noted())

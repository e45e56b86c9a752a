"""Noticing a failed or slow action call, which Rasa hides (bot/turns.py)."""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction

from bot import turns


@pytest.fixture
def remote(monkeypatch):
    """RemoteAction.run replaced by a controllable fake, then wrapped as the server does."""
    behaviour = {"mode": "ok"}

    async def fake_run(self, *args, **kwargs):
        if behaviour["mode"] == "slow":
            await asyncio.sleep(5)
        if behaviour["mode"] == "down":
            raise ConnectionError("action server down")
        if behaviour["mode"] == "reject":
            raise ActionExecutionRejection(self.name())
        return ["event"]

    monkeypatch.setattr(RemoteAction, "run", fake_run)
    turns.install(0.2)
    return behaviour


def run_turn(action: RemoteAction) -> tuple[turns.Turn, object]:
    async def go():
        turn = turns.begin()
        try:
            return turn, await action.run(None, None, None, None)
        except Exception as exc:  # noqa: BLE001
            return turn, exc
    return asyncio.run(go())


def test_a_good_call_is_not_a_failure(remote):
    turn, result = run_turn(RemoteAction("action_answer_topic", None))
    assert result == ["event"] and not turn.failed


@pytest.mark.parametrize("mode, error", [("down", ConnectionError), ("slow", asyncio.TimeoutError)])
def test_a_failed_or_slow_call_is_noted_on_the_turn(remote, mode, error):
    remote["mode"] = mode
    turn, result = run_turn(RemoteAction("action_safety_response", None))
    assert isinstance(result, error)
    assert turn.failed_actions == ["action_safety_response"]


def test_a_forms_rejection_is_normal_flow(remote):
    remote["mode"] = "reject"
    turn, result = run_turn(RemoteAction("validate_cro_request_form", None))
    assert isinstance(result, ActionExecutionRejection) and not turn.failed

"""Knowing when a turn went wrong inside Rasa, which Rasa itself hides.

Rasa catches an action server failure, logs it and carries on with the action's events lost, so
the REST channel answers 200 with nothing (or half an answer). ``install()`` wraps Rasa's remote
action call so that it gives up after FAMILY_HELP_ACTION_TIMEOUT_SECONDS (Rasa waits 5 minutes)
and notes the failure on the current turn; the channel reads it with ``begin()`` / ``Turn.failed``
and adds the numbers (bot/channel.py).
"""
from __future__ import annotations

import asyncio
import functools
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, List, Optional


@dataclass
class Turn:
    failed_actions: List[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.failed_actions)


_CURRENT: ContextVar[Optional[Turn]] = ContextVar("family_help_turn", default=None)


def begin() -> Turn:
    """Start watching a turn handled in this task (and the tasks it awaits)."""
    turn = Turn()
    _CURRENT.set(turn)
    return turn


def note_failure(action_name: str) -> None:
    turn = _CURRENT.get()
    if turn is not None:
        turn.failed_actions.append(action_name)


def install(timeout_seconds: float) -> None:
    """Wrap RemoteAction.run once per process: a time limit, and failures noted on the turn."""
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction

    original = getattr(RemoteAction.run, "__wrapped__", RemoteAction.run)

    @functools.wraps(original)
    async def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await asyncio.wait_for(original(self, *args, **kwargs), timeout_seconds)
        except ActionExecutionRejection:
            raise  # a form's normal "not this slot" answer, not a failure
        except Exception:
            note_failure(self.name())
            raise

    RemoteAction.run = run

"""Shared fixtures: a knowledge base built from the real content into a temporary
folder, the real domain, and factories for trackers and dispatchers."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge import build, paths, store
from knowledge.store import KnowledgeBase

ROOT = paths.ROOT


@pytest.fixture(scope="session")
def kb_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real knowledge content built into a fresh database (never the one in build/)."""
    out = tmp_path_factory.mktemp("kb") / "knowledge.db"
    build.build(paths.content_dir(), out)
    return out


@pytest.fixture(scope="session")
def kb(kb_file: Path) -> KnowledgeBase:
    return KnowledgeBase.open(kb_file)


@pytest.fixture(autouse=True)
def shared_kb(request: pytest.FixtureRequest):
    """Actions use store.shared(); point it at the test build for tests that need it."""
    if "kb" in request.fixturenames or "make_tracker" in request.fixturenames:
        store.reset_shared(request.getfixturevalue("kb"))
        yield
        store.reset_shared(None)
    else:
        yield


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The real domain (the files of domain/, merged by Rasa) as a dict: what the action server receives."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain")).as_dict()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


TrackerFactory = Callable[..., Tracker]


@pytest.fixture
def make_tracker(kb: KnowledgeBase) -> TrackerFactory:
    """Build a Tracker for one user message: intent, entities, text, slots, metadata."""

    def factory(intent: str, text: str = "", entities: Optional[list[dict]] = None,
                slots: Optional[dict] = None, metadata: Optional[dict] = None,
                safety: Optional[dict] = None, earlier: Optional[list[dict]] = None,
                confidence: float = 0.99) -> Tracker:
        """`safety`: the safety layer's judgement of this message; `earlier`: the parse data of
        earlier messages in the conversation, oldest first; `confidence`: how sure NLU was of `intent`."""
        latest = {"intent": {"name": intent, "confidence": confidence}, "entities": entities or [],
                  "text": text, "metadata": metadata or {}, **({"safety": safety} if safety else {})}
        events = [{"event": "user", "text": p.get("text", ""), "parse_data": p} for p in earlier or []]
        return Tracker("test-user", dict(slots or {}), latest,
                       events + [{"event": "user", "text": text, "parse_data": latest}], False, None, {},
                       "action_listen")

    return factory


def texts(dispatcher: CollectingDispatcher) -> str:
    """Everything the dispatcher collected, as one string (text, buttons, responses, custom)."""
    parts = []
    for m in dispatcher.messages:
        parts += [m.get("text") or "", m.get("response") or ""]
        parts += [b.get("title", "") for b in m.get("buttons") or []]
        if m.get("custom"):
            parts.append(str(m["custom"]))
    return "\n".join(p for p in parts if p)


def responses_sent(dispatcher: CollectingDispatcher, domain: dict) -> list:
    """The domain responses the dispatcher sent, in order: by name, or, for a bubble of filled lines (a safety
    reply's), each line's response (the one whose words before its first value it starts with); None for a
    message that is neither."""
    starts = sorted(((r[0]["text"].split("{")[0], name) for name, r in domain["responses"].items()
                     if r and r[0].get("text")), key=lambda pair: -len(pair[0]))
    sent: list = []
    for m in dispatcher.messages:
        if m.get("response"):
            sent.append(m["response"])
            continue
        lines = (m.get("text") or "").split("\n")
        named = [next((name for start, name in starts if start and line.startswith(start)), None) for line in lines]
        sent += named if all(named) else [None]
    return sent


class Clock:
    """A clock a test moves by hand (the triage store and CRO sessions take one)."""

    def __init__(self, start: datetime = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def safety_judge():
    """The safety layer's judge with its model trained here, from the layer's own data (safety/data)."""
    from safety.judge import Judge
    from safety.model import SafetyModel, load_examples
    from safety.signals import SignalDetector

    return Judge(SignalDetector(), SafetyModel().fit(load_examples()))

"""The held-out safety sets are big enough, varied, and not copies of training data."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from safety import evaluate

ROOT = Path(__file__).resolve().parents[2]


def training_examples() -> set[str]:
    training = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            training |= {_norm(line.strip()[2:]) for line in block.get("examples", "").splitlines()
                         if line.strip().startswith("- ")}
    return training


def turns(cases: list[dict]) -> list[str]:
    return [t for c in cases for t in (c["say"] if isinstance(c["say"], list) else [c["say"]])]


def test_sets_are_large_varied_and_not_training_data():
    crisis, ordinary = evaluate.load_cases(evaluate.CRISIS), evaluate.load_cases(evaluate.ORDINARY)
    assert len(crisis) >= 150 and len(ordinary) >= 150
    assert len({c["kind"] for c in crisis}) == 7
    assert sum(isinstance(c["say"], list) for c in crisis) >= 20
    training = training_examples()
    leaked = [t for t in turns(crisis + ordinary) if _norm(t) in training]
    assert not leaked, f"evaluation messages copied from NLU training data: {leaked}"


def test_the_fresh_heldout_pair_stays_out_of_training_and_patterns():
    crisis = evaluate.load_cases(evaluate.HELDOUT_CRISIS)
    ordinary = evaluate.load_cases(evaluate.HELDOUT_ORDINARY)
    assert len(crisis) >= 150 and len(ordinary) >= 150
    assert len({c["kind"] for c in crisis}) == 12 and len({c["voice"] for c in crisis}) == 7
    training = training_examples()
    said = turns(crisis + ordinary)
    # The turn each case is judged on (a conversation's last); its openers ("hi", "what is a child in
    # need plan") are everyday questions that training data is meant to hold.
    judged = [c["say"][-1] if isinstance(c["say"], list) else c["say"] for c in crisis + ordinary]
    leaked = [t for t in judged if _norm(t) in training]
    assert not leaked, f"held-out messages copied into NLU training data: {leaked}"
    patterns = (ROOT / "safety" / "patterns.yml").read_text().lower()
    copied = [t for t in said if len(t) > 25 and t.lower() in patterns]
    assert not copied, f"held-out messages copied into the crisis patterns: {copied}"


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())

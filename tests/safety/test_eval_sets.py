"""The held-out safety sets are big enough, varied, and not copies of training data."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from safety import evaluate

ROOT = Path(__file__).resolve().parents[2]


def test_sets_are_large_varied_and_not_training_data():
    crisis, ordinary = evaluate.load_cases(evaluate.CRISIS), evaluate.load_cases(evaluate.ORDINARY)
    assert len(crisis) >= 150 and len(ordinary) >= 150
    assert len({c["kind"] for c in crisis}) == 7
    assert sum(isinstance(c["say"], list) for c in crisis) >= 20
    training = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            training |= {_norm(line.strip()[2:]) for line in block.get("examples", "").splitlines()
                         if line.strip().startswith("- ")}
    turns = [t for c in crisis + ordinary for t in (c["say"] if isinstance(c["say"], list) else [c["say"]])]
    leaked = [t for t in turns if _norm(t) in training]
    assert not leaked, f"evaluation messages copied from NLU training data: {leaked}"


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())

"""The safety evaluation sets are big enough, varied, and kept apart from everything the assistant
learns from: the NLU data, the safety layer's own data (safety/data) and the crisis patterns."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from safety import evaluate, kinds
from safety.model import load_examples

ROOT = Path(__file__).resolve().parents[2]


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def training_examples() -> set[str]:
    """Every NLU example and every example of the safety layer's own data, normalised."""
    training = {_norm(e.text) for e in load_examples()}
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            training |= {_norm(line.strip()[2:]) for line in block.get("examples", "").splitlines()
                         if line.strip().startswith("- ")}
    return training


def judged(cases: list[dict]) -> list[str]:
    """The turn each case is judged on (a conversation's last). Its openers ("hi", "what is a child in
    need plan") are everyday questions that training data is meant to hold."""
    return [evaluate.turns_of(c)[-1] for c in cases]


@pytest.fixture(scope="module")
def training() -> set[str]:
    return training_examples()


@pytest.mark.parametrize("name", sorted(evaluate.SETS))
def test_no_evaluation_message_is_training_data_or_a_pattern(name, training):
    crisis_file, ordinary_file = evaluate.SETS[name]
    cases = evaluate.load_cases(crisis_file) + evaluate.load_cases(ordinary_file)
    leaked = [t for t in judged(cases) if _norm(t) in training]
    assert not leaked, f"{name}: evaluation messages copied into training data: {leaked}"
    patterns = (ROOT / "safety" / "patterns.yml").read_text().lower() + (ROOT / "safety" / "speakers.yml").read_text()
    said = [t for c in cases for t in evaluate.turns_of(c)]
    copied = [t for t in said if len(t) > 25 and t.lower() in patterns]
    assert not copied, f"{name}: evaluation messages copied into the patterns: {copied}"


def test_the_current_pair_is_large_and_varied():
    crisis, ordinary = evaluate.load_cases(evaluate.CRISIS), evaluate.load_cases(evaluate.ORDINARY)
    assert len(crisis) >= 150 and len(ordinary) >= 150
    assert sum(isinstance(c["say"], list) for c in crisis) >= 20


@pytest.mark.parametrize("name, size", [("heldout-2026-12", 150), ("fresh-2026-12b", 250), ("fresh-2026-12c", 250),
                                        ("fresh-2026-12d", 250), ("fresh-2026-12e", 250),
                                        ("fresh-2026-12f", 250), ("fresh-2026-12g", 250),
                                        ("fresh-2026-12h", 250), ("fresh-2026-12j", 250), ("fresh-2026-12k", 250),
                                        ("fresh-2026-12l", 250), ("fresh-2026-12n", 250), ("fresh-2026-12o", 250),
                                        ("fresh-2026-12p", 250), ("fresh-2026-12q", 250),
                                        ("fresh-2026-12r", 300), ("fresh-2026-12s", 300),
                                        ("fresh-2026-12t", 300), ("fresh-2026-12u", 300),
                                        ("fresh-2026-12v", 300), ("fresh-2026-12w", 300),
                                        ("fresh-2026-12x", 300), ("fresh-2026-12y", 300),
                                        ("fresh-2026-12z", 300), ("fresh-2026-13a", 300),
                                        ("fresh-2026-13b", 300), ("fresh-2026-13c", 300),
                                        ("fresh-2026-13d", 300), ("fresh-2026-13e", 300),
                                        ("fresh-2026-13f", 300), ("fresh-2026-13g", 300)])
def test_the_held_out_sets_cover_every_kind_and_speaker(name, size):
    crisis_file, ordinary_file = evaluate.SETS[name]
    crisis, ordinary = evaluate.load_cases(crisis_file), evaluate.load_cases(ordinary_file)
    assert len(crisis) >= size and len(ordinary) >= size
    assert {c["kind"] for c in crisis} == set(kinds.KINDS)
    assert {c["speaker"] for c in crisis} == set(kinds.SPEAKERS)


def test_the_reply_is_judged_on_the_numbers_of_the_council_the_person_named():
    # a conversation about Bolton needs Bolton's numbers, not the default council's
    turns = ["is there emergency housing in bolton", "we have nowhere to sleep"]
    assert evaluate.case_council({"say": turns}) == "bolton"
    assert evaluate.case_council({"say": "we have nowhere to sleep tonight"}) is None
    bolton, default = evaluate.council_numbers("bolton"), evaluate.council_numbers()
    assert bolton["council"] and set(bolton["council"]).isdisjoint(default["council"])
    case = {"kind": "homeless", "speaker": "parent"}
    assert evaluate.missing_help(case, " ".join(bolton["council"]), bolton) == []
    assert evaluate.missing_help(case, " ".join(default["council"]), bolton) == ["council", "council"]

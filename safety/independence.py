"""Shows that the topic classifier cannot change a safety decision.

    python -m safety.independence [--model models/family-help.tar.gz] [--seed 7] [--keep 0.9]

Trains a second NLU model in build/independence/: the same pipeline with another random seed for
DIET, on a random `keep` share of each intent's NLU examples (so the linear topic model moves too).
Then parses every message of every safety evaluation set (crisis and ordinary, every turn) with
both models and compares the safety decision (is the intent `safety`; kind; speaker; secret). It
also counts how many topic decisions moved, to show the retraining really changed the topic
model. Exit status 1 if any safety decision differs.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from safety import evaluate
from safety.kinds import INTENT, MESSAGE_KEY

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "independence"


def subsample_nlu(out: Path, keep: float, seed: int) -> int:
    """A copy of data/nlu with `keep` of each intent's examples (at least 2), seeded."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in spec.get("nlu") or []:
            if "examples" not in block:
                continue
            lines = [line for line in block["examples"].splitlines() if line.strip().startswith("- ")]
            chosen = [line for line in lines if rng.random() < keep]
            if len(chosen) < 2:
                chosen = lines[:2]
            total += len(chosen)
            block["examples"] = "\n".join(line.strip() for line in chosen) + "\n"
        (out / path.name).write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return total


def other_config(out: Path, seed: int) -> Path:
    spec = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in spec["pipeline"]:
        if component.get("name") == "DIETClassifier":
            component["random_seed"] = seed
    path = out / "config.yml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def train_other(seed: int, keep: float) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    nlu = WORK / "nlu"
    n = subsample_nlu(nlu, keep, seed)
    config = other_config(WORK, seed)
    print(f"training a second NLU model: DIET seed {seed}, {n} NLU examples ({keep:.0%} of each intent)")
    rasa = Path(sys.executable).with_name("rasa")
    subprocess.run([str(rasa), "train", "nlu", "--config", str(config), "--nlu", str(nlu), "--out", str(WORK),
                    "--fixed-model-name", "other"], check=True, cwd=ROOT)
    return WORK / "other.tar.gz"


Decision = Tuple[bool, Optional[str], Optional[str], bool]


def decisions(model: Path, texts: List[str]) -> Tuple[Dict[str, Decision], Dict[str, str]]:
    import logging

    from rasa.core.agent import Agent

    from bot import logs

    logs.configure_structlog(logging.WARNING)  # the messages themselves are never printed

    agent = Agent.load(str(model))

    async def parse_all() -> List[dict]:
        return [await agent.parse_message(t) for t in texts]

    safety: Dict[str, Decision] = {}
    topics: Dict[str, str] = {}
    for text, parsed in zip(texts, asyncio.run(parse_all()), strict=True):
        judgement = parsed.get(MESSAGE_KEY) or {}
        intent = (parsed.get("intent") or {}).get("name") or ""
        safety[text] = (intent == INTENT, judgement.get("kind"), judgement.get("speaker"),
                        bool(judgement.get("secret")))
        topics[text] = intent
    return safety, topics


def all_messages() -> List[str]:
    texts: List[str] = []
    for crisis, ordinary in evaluate.SETS.values():
        for path in (crisis, ordinary):
            if path.exists():
                texts += [t for case in evaluate.load_cases(path) for t in evaluate.turns_of(case)]
    return sorted(set(texts))


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "family-help.tar.gz")
    ap.add_argument("--other", type=Path, default=None, help="an already trained second model")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=float, default=0.9)
    args = ap.parse_args(argv)
    other = args.other or train_other(args.seed, args.keep)
    texts = all_messages()
    first_safety, first_topics = decisions(args.model, texts)
    second_safety, second_topics = decisions(other, texts)
    changed = [t for t in texts if first_safety[t] != second_safety[t]]
    moved = sum(first_topics[t] != second_topics[t] for t in texts if not first_safety[t][0])
    topical = sum(not first_safety[t][0] for t in texts)
    for text in changed:
        print(f"CHANGED {first_safety[text]} -> {second_safety[text]}: {text!r}")
    print(f"independence: {len(texts)} messages of the safety sets parsed by two topic models; the topic model's "
          f"intent moved on {moved} of the {topical} that are not safety messages; safety decisions changed: "
          f"{len(changed)}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())

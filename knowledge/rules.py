"""The topic rules (data/rules/topics.yml), made from the topic index (knowledge/topics.yml): each
topic's intent is answered by action_answer_topic, then any steps its `then:` lists. Written by
`python -m knowledge.rules` (`make rules`); tests/knowledge/test_rules.py checks the file is up to
date, so a topic added to the index cannot be left without its rule."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import yaml

from knowledge import paths

RULES_FILE = paths.ROOT / "data" / "rules" / "topics.yml"
HEADER = """version: "3.1"

# Made from knowledge/topics.yml by `make rules` (python -m knowledge.rules): do not edit by hand.
# Every topic question is answered from the knowledge base for the person's council.
"""


# A `then:` step that sets a slot the rules read (the CRO offer sets cro_available: a "yes" takes it up
# only when true, data/rules/cro_request.yml): Rasa needs each rule to say what it set, so such a
# topic has one rule for each value.
SETS_SLOT = {"action_offer_cro": ("cro_available", (True, False))}


def _rules(topic: dict) -> list[dict]:
    steps: list[list[dict]] = [[{"intent": topic["id"]}, {"action": "action_answer_topic"}]]
    for step in topic.get("then") or []:
        slot, values = SETS_SLOT.get(step, (None, (None,)))
        steps = [[dict(d) for d in done] + [{"action": step}] + ([{"slot_was_set": [{slot: value}]}] if slot else [])
                 for done in steps for value in values]
    if len(steps) == 1:
        return [{"rule": f"answer {topic['id']}", "steps": steps[0]}]
    return [{"rule": f"answer {topic['id']} ({i + 1} of {len(steps)})", "steps": s} for i, s in enumerate(steps)]


def render(index_file: Optional[Path] = None) -> str:
    topics = yaml.safe_load((index_file or paths.content_dir() / "topics.yml").read_text(encoding="utf-8"))["topics"]
    rules = [rule for t in topics for rule in _rules(t)]
    body = yaml.safe_dump({"rules": rules}, sort_keys=False, default_flow_style=False, indent=2, width=120)
    return HEADER + body


def main() -> int:
    RULES_FILE.write_text(render(), encoding="utf-8")
    print(f"wrote {RULES_FILE.relative_to(paths.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

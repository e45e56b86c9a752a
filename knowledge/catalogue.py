"""Every reply the assistant can send, for the plain-language checks.

Domain responses (with sample values in their placeholders) and every knowledge
answer: each topic, term, contact and stage for each council, and the 'not covered'
reply where a council's documents say nothing.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Iterator, Optional

import yaml

from knowledge import answers, paths
from knowledge.store import NATIONAL, KnowledgeBase

SAMPLE_VALUES = {
    "emergency_phone": "999", "childline_phone": "0800 1111", "childline_web": "childline.org.uk",
    "samaritans_phone": "116 123", "ceop_web": "www.ceop.police.uk", "report_remove_web": "childline.org.uk/remove",
    "council_help": "the Multi-Agency Safeguarding Hub (MASH) on 024 7678 8555, or 024 7683 2222 out of hours",
    "council_name": "Coventry City Council",
}


def _where(where: str, message: dict) -> str:
    return where + (":" + answers.REFERENCE if message.get("kind") == answers.REFERENCE else "")


def _texts(message: dict) -> str:
    parts = [message.get("text") or ""]
    parts += [b.get("title", "") for b in message.get("buttons") or []]
    return "\n".join(p for p in parts if p)


def domain_replies(domain_file=None) -> Iterator[tuple[str, str]]:
    files = [domain_file] if domain_file else sorted((paths.ROOT / "domain").glob("*.yml"))
    responses = {}
    for file in files:
        responses.update(yaml.safe_load(open(file, encoding="utf-8")).get("responses") or {})
    for name, variants in responses.items():
        for i, variant in enumerate(variants):
            text = re.sub(r"\{(\w+)\}", lambda m: SAMPLE_VALUES.get(m.group(1), m.group(0)), _texts(variant))
            yield f"domain:{name}#{i}", text


def knowledge_replies(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    when = dt.date(2026, 3, 3)
    for council in kb.councils:
        for topic_id in kb.topic_ids():
            for i, msg in enumerate(answers.topic_messages(kb, council, topic_id)):
                yield _where(f"{council}:topic:{topic_id}#{i}", msg), _texts(msg)
        for stage in kb.stages(council):
            for date in (None, when):
                for i, msg in enumerate(answers.next_steps_messages(kb, council, stage, date)):
                    if "text" in msg:
                        yield _where(f"{council}:stage:{stage.id}#{i}", msg), _texts(msg)
        yield f"{council}:stages", _texts(answers.stage_choice_message(kb, council))
        for row in kb._rows("select term from terms where council in (?, ?)", (council, NATIONAL)):
            term = kb.term(council, row["term"])
            for i, msg in enumerate(answers.term_messages(kb, council, term)):
                yield _where(f"{council}:term:{term.term}#{i}", msg), _texts(msg)
        for i, msg in enumerate(answers.not_covered(kb, council, "this")):
            yield _where(f"{council}:not_covered#{i}", msg), _texts(msg)


def expansions(kb: Optional[KnowledgeBase] = None) -> dict[str, set[str]]:
    """Acronym -> the phrases that explain it, from every glossary."""
    kb = kb or KnowledgeBase.open()
    out: dict[str, set[str]] = {}
    for row in kb._rows("select term, stands_for, aliases from terms"):
        if row["stands_for"]:
            for name in {row["term"], *json.loads(row["aliases"] or "[]")}:
                if name.isupper() or name.upper() == row["term"]:
                    out.setdefault(name.upper(), set()).add(row["stands_for"])
    return out


def all_replies(kb: Optional[KnowledgeBase] = None) -> list[tuple[str, str]]:
    kb = kb or KnowledgeBase.open()
    return list(domain_replies()) + list(knowledge_replies(kb))

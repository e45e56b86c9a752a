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

# Values only a conversation gives (a CRO request's reference, a name, how to get help sooner):
# samples in the form they are sent. Every number and the council's name are the real ones, from
# safety.replies.safety_values for each council, and the days the chat is kept come from settings.
SAMPLE_VALUES = {"name_part": ", Jay", "reference": "CRO-Q7GNHQ",
                 "sooner": "call the Children's Rights Officers on 0800 0272 118"}
# One time in office hours and one outside them: the council's numbers are said in another order.
SAMPLE_TIMES = (dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.timezone.utc),  # a Tuesday morning
                dt.datetime(2026, 3, 7, 22, 0, tzinfo=dt.timezone.utc))  # a Saturday night


def _where(where: str, message: dict) -> str:
    return where + (":" + answers.REFERENCE if message.get("kind") == answers.REFERENCE else "")


def _texts(message: dict) -> str:
    parts = [message.get("text") or ""]
    parts += [b.get("title", "") for b in message.get("buttons") or []]
    return "\n".join(p for p in parts if p)


def domain_replies(kb: Optional[KnowledgeBase] = None, domain_file=None) -> Iterator[tuple[str, str]]:
    """Each domain response as it is sent: its placeholders filled with each council's real values,
    in and out of office hours (a response without numbers once)."""
    from safety.replies import safety_values

    kb = kb or KnowledgeBase.open()
    files = [domain_file] if domain_file else sorted((paths.ROOT / "domain").glob("*.yml"))
    responses = {}
    for file in files:
        responses.update(yaml.safe_load(open(file, encoding="utf-8")).get("responses") or {})
    import settings

    days = {"days": str(settings.get("FAMILY_HELP_RETENTION_DAYS"))}
    fillings = [{**SAMPLE_VALUES, **days, **safety_values(kb, council, when)}
                for council in kb.councils for when in SAMPLE_TIMES]
    for name, variants in responses.items():
        for i, variant in enumerate(variants):
            said = dict.fromkeys(
                re.sub(r"\{(\w+)\}", lambda m, v=values: v.get(m.group(1), m.group(0)), _texts(variant))
                for values in fillings)
            for j, text in enumerate(said):
                yield f"domain:{name}#{i}" + (f".{j}" if j else ""), text


def knowledge_replies(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    when = dt.date(2026, 3, 3)
    for council in kb.councils:
        for topic_id in kb.topic_ids():
            for i, msg in enumerate(answers.topic_messages(kb, council, topic_id)):
                yield _where(f"{council}:topic:{topic_id}#{i}", msg), _texts(msg)
            topic = kb.topic(council, topic_id)
            for audience in ("young", "professional"):
                if topic is not None and topic.for_audience(audience):
                    for i, msg in enumerate(answers.topic_messages(kb, council, topic_id, audience=audience)):
                        yield _where(f"{council}:topic:{topic_id}:{audience}#{i}", msg), _texts(msg)
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
    return list(domain_replies(kb)) + list(knowledge_replies(kb))

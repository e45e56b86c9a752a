"""The reply when the assistant cannot answer a turn (the action server is down or slow, or
something failed): never nothing. It always holds 999, Childline and the council's numbers; when
the message was a safety message it is the same safety response the action would have sent.

Wording comes from the domain's responses (domain/, so the plain-language check reads it),
numbers from the knowledge base. If even the knowledge base cannot be read, LAST_RESORT holds the
two national numbers (999 and Childline 0800 1111, well-known national facts) and nothing else.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any, Callable, Dict, List, Mapping, Optional

from knowledge.store import KnowledgeBase
from safety import kinds
from safety.replies import safety_values

log = logging.getLogger(__name__)

GENERAL = ("utter_service_trouble", "utter_safety_danger_line", "utter_safety_childline",
           "utter_service_trouble_council")
LAST_RESORT = ("Sorry, I can't answer right now. If anyone is in danger now, call 999. "
               "Children and young people can call Childline free on 0800 1111, any time.")

Message = Dict[str, Any]


def response_text(responses: Mapping[str, Any], name: str, values: Mapping[str, str]) -> Optional[str]:
    """A domain response's first text, filled with `values` (a missing value is left empty)."""
    variants = responses.get(name) or []
    template = variants[0].get("text") if variants and isinstance(variants[0], dict) else None
    if not template:
        return None
    return template.format_map(defaultdict(str, values))


def fallback_messages(responses: Mapping[str, Any], kb_factory: Callable[[], KnowledgeBase],
                      council: Optional[str], intent: Optional[str],
                      judgement: Optional[Mapping[str, Any]] = None) -> List[Message]:
    """The messages to send instead of a failed turn (REST channel format, without recipient_id).
    `responses` are the domain's responses; `intent` the message's intent and `judgement` the safety
    layer's (safety.judge), if known."""
    try:
        kb = kb_factory()
        council = kb.resolve_council(council) or kb.default_council
        values = safety_values(kb, council)
    except Exception as exc:  # noqa: BLE001 - the numbers must still go out
        log.error("fallback: knowledge base unavailable (%s)", type(exc).__name__)
        return [{"text": LAST_RESORT}, {"custom": {"type": "service_trouble"}}]
    if intent == kinds.INTENT:
        kind = (judgement or {}).get("kind") or kinds.ABUSE_DEFAULT
        speaker = kinds.speaker_for((judgement or {}).get("speaker"), [])
        names = kinds.plan(kind, speaker, bool((judgement or {}).get("secret")), (judgement or {}).get("also"),
                           own=bool((judgement or {}).get("own", True)))
        custom = kinds.reply_marker(kind, speaker, fallback=True)
    else:
        names = list(GENERAL)
        custom = {"type": "service_trouble"}
    texts = [t for t in ("\n".join(filter(None, (response_text(responses, n, values) for n in bubble)))
                         for bubble in kinds.bubbles(names)) if t]
    if not any(values["emergency_phone"] in t for t in texts):
        texts.insert(0, LAST_RESORT)
    return [{"text": t} for t in texts] + [{"custom": custom}]

"""Which way of getting in touch a person asks for ("can I email instead?", "what's the number?"),
and the contacts that give it. Plain functions over the knowledge base: no Rasa here."""
from __future__ import annotations

import re
from typing import Iterable, Optional

from knowledge.store import Contact, KnowledgeBase

# A way of getting in touch, from the question's words, and the Contact field that gives it.
CHANNELS = {
    "email": re.compile(r"\b(e-?mail|email address)\b"),
    "phone": re.compile(r"\b(phone|number|call|ring|telephone|tel)\b"),
    "address": re.compile(r"\b(write|post|letter|address|by post)\b"),
    "web": re.compile(r"\b(online|website|web page|webpage|form|link)\b"),
}


def asked_channels(text: str) -> set[str]:
    lowered = " ".join(text.lower().split())
    return {name for name, pattern in CHANNELS.items() if pattern.search(lowered)}


def topic_contacts(base: KnowledgeBase, council: str, topic_id: Optional[str]) -> list[Contact]:
    topic = base.topic(council, topic_id) if topic_id else None
    return base.contacts(council, topic.contacts) if topic else []


def _siblings(base: KnowledgeBase, council: str, found: Iterable[Contact]) -> list[Contact]:
    """The other contacts of every topic that lists one of these (the complaints email beside the
    complaints phone line)."""
    ids = {c.id for c in found}
    out: list[Contact] = []
    for topic_id in base.topic_ids():
        listed = topic_contacts(base, council, topic_id)
        if ids & {c.id for c in listed}:
            out += listed
    return out


def giving(found: Iterable[Contact], channels: set[str]) -> list[Contact]:
    """The contacts that give at least one of these ways of getting in touch (none when none is asked)."""
    return [c for c in found if any(getattr(c, ch) for ch in channels)]


def prefer_channels(base: KnowledgeBase, council: str, found: list[Contact], text: str) -> list[Contact]:
    """The contacts to give: when the question asks for a way of getting in touch that the found
    contacts lack ("the email for complaints" found the complaints phone line), the same service's
    contacts that have it, first; otherwise the found ones as they are."""
    channels = asked_channels(text)
    if not channels or not found:
        return found
    if all(giving(found, {ch}) for ch in channels):
        return found
    wanted = giving(dict.fromkeys(found + _siblings(base, council, found)), channels)
    return list(dict.fromkeys(wanted + found))[:3] if wanted else found

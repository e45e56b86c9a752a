"""A frightened or angry person often says how they feel before they ask ("I'm literally shaking.
There's a conference next week. What happens in that room?"). The sentences that only say how they
feel carry nothing about the topic and pull the classifiers away from the question; this drops them
from what the classifiers read. The person's own words are kept for the safety layer (which reads
them whole, so distress is still noticed and answered warmly). Plain text rules, no model."""
from __future__ import annotations

import re
from typing import List

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z][a-z']*")
# Words that say how someone feels, how much, or nothing at all: a sentence made only of these (and
# no question mark) is a feeling, not a question.
FEELING_ONLY = frozenset("""
    i i'm im i've ive i'd me my myself we we're were us our you it it's its this that is am are was be been
    being so really very literally absolutely completely totally just honestly actually seriously such a an
    the and or but of to at in on all too bit little bloody fucking effing right now feel feeling felt
    angry upset scared frightened worried stressed anxious terrified confused lost overwhelmed ashamed
    embarrassed devastated heartbroken petrified panicking panicked panic shaking shaky crying cry tears
    sick furious fuming livid gutted distraught desperate exhausted tired broken numb mess bits state
    wits end nightmare awful horrible terrible hell scary frightening unbelievable ridiculous unfair
    disgusting joke fed up anything nothing ever never not don't didn't haven't havent dont
    didnt can't cant cannot believe what's whats going on happening please help hi hello hiya sorry
    thanks thank god omg oh no ok okay well um erm mum mom dad mother father parent stressing
    """.split())


def sentences(text: str) -> List[str]:
    return [s for s in _SENTENCE.split(" ".join(text.split())) if s]


def is_feeling_only(sentence: str) -> bool:
    if "?" in sentence:
        return False
    words = _WORD.findall(sentence.lower().replace("\u2019", "'"))
    return bool(words) and all(w in FEELING_ONLY for w in words)


def focus(text: str) -> str:
    """The text without the sentences that only say how the person feels; the whole text when that
    would leave nothing, or when it is one sentence."""
    parts = sentences(text)
    if len(parts) < 2:
        return text
    kept = [s for s in parts if not is_feeling_only(s)]
    return " ".join(kept) if kept and len(kept) < len(parts) else text

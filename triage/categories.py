"""Propose a category for a CRO request from the young person's own words.

A small keyword lexicon (`categories.yml`), written for how young people type. The category
with the most keyword matches wins, a tie goes to the one listed first in the lexicon, and
nothing matched gives "other". `safety` is never proposed: the caller sets it when the safety
layer fired. A CRO can change the category in the CRO view.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Iterable, Optional

import yaml

from triage.store import CATEGORIES

LEXICON = Path(__file__).with_name("categories.yml")
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u00b4]")
_SEPARATORS = re.compile(r"[^\w/]+")


def normalise(text: str) -> str:
    """Lower-case, apostrophes removed (children's -> childrens), punctuation to single spaces."""
    text = _APOSTROPHES.sub("", text.lower())
    return " ".join(_SEPARATORS.sub(" ", text).split())


@functools.lru_cache(maxsize=4)
def lexicon(path: Path = LEXICON) -> tuple[tuple[str, tuple[re.Pattern, ...]], ...]:
    """(category, compiled patterns) in the file's order. Raises ValueError on a bad entry."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for category, patterns in data.items():
        if category not in CATEGORIES or category in ("safety", "other"):
            raise ValueError(f"{path}: {category!r} is not a category the lexicon can propose")
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p.strip() for p in patterns):
            raise ValueError(f"{path}: {category} needs a list of patterns")
        try:
            compiled = tuple(re.compile(rf"(?<![\w/])(?:{p.strip()})(?![\w/])") for p in patterns)
        except re.error as e:
            raise ValueError(f"{path}: {category}: bad pattern: {e}") from None
        out.append((category, compiled))
    return tuple(out)


def scores(texts: Iterable[Optional[str]], path: Path = LEXICON) -> dict[str, int]:
    """How many keyword matches each category has in these texts."""
    words = "\n".join(normalise(t) for t in texts if isinstance(t, str) and t.strip())
    return {category: sum(len(p.findall(words)) for p in patterns) for category, patterns in lexicon(path)}


def propose(texts: list[str]) -> str:
    """The proposed category for what the young person said (one of store.CATEGORIES, never 'safety')."""
    best, best_score = "other", 0
    for category, score in scores(texts).items():  # dict keeps the lexicon's order, so ties go to the first
        if score > best_score:
            best, best_score = category, score
    return best

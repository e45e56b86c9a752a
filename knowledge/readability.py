"""Is a reply plain enough? Reading grade and unexplained acronyms.

    python -m knowledge.readability      # lists every reply over the limits

Grade is Flesch-Kincaid (textstat) on the words people read: web links, email
addresses and phone numbers are left out, and each list line counts as a sentence.
An acronym counts as explained when the same reply gives its expansion, either
from the glossary or written next to it in brackets: "MASH (Multi-Agency ...)".
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Iterable

import textstat

MAX_GRADE = 8.0
TARGET_MEDIAN = 6.0
# Not acronyms to explain: the pronoun, and 999 style numbers are not words.
NOT_ACRONYMS = {"I", "OK", "UK"}

_URL = re.compile(r"(https?://\S+|www\.\S+|\b[\w.-]+\.(?:gov\.uk|org\.uk|co\.uk|uk|com|org)\S*|\S+@\S+)", re.I)
_PHONE = re.compile(r"\b\d[\d ]{5,}\d\b")
# A reference code ("CRO-Q7GNHQ") is read out, not an acronym to explain.
_CODE = re.compile(r"\b[A-Z]{2,}-[A-Z0-9]{4,}\b")
_ACRONYM = re.compile(r"(?<![\w&])([A-Z][A-Z&]*[A-Z])(?:s|'s)?(?![\w&])")


def readable_text(text: str) -> str:
    text = _URL.sub(" ", text)
    text = _PHONE.sub(" ", text)
    lines = []
    for line in text.splitlines():
        line = line.strip().lstrip("-• ").strip()
        if line:
            # a line is a sentence: a list item, or an intro ending in ':' before a list
            lines.append(line[:-1] + "." if line[-1] == ":" else line if line[-1] in ".!?" else line + ".")
    return " ".join(lines)


def grade(text: str) -> float:
    plain = readable_text(text)
    if len(plain.split()) < 3:
        return 0.0
    return float(textstat.flesch_kincaid_grade(plain))


def _norm(s: str) -> str:
    return re.sub(r"[\s\-]+", " ", s.lower().replace("\u2019", "'")).strip()


def unexplained_acronyms(text: str, expansions: dict[str, set[str]]) -> list[str]:
    """Acronyms in the text whose meaning the same text does not give."""
    body = _CODE.sub(" ", _URL.sub(" ", text))
    normed = _norm(body)
    missing = []
    for acronym in dict.fromkeys(_ACRONYM.findall(body)):
        if acronym in NOT_ACRONYMS:
            continue
        bracketed = re.search(rf"\b{re.escape(acronym)}\s*\(|\(\s*{re.escape(acronym)}\s*\)", body)
        known = any(_norm(exp) in normed for exp in expansions.get(acronym, ()))
        if not (bracketed or known):
            missing.append(acronym)
    return missing


@dataclass
class Problem:
    where: str
    text: str
    grade: float
    acronyms: list[str]


def check_replies(replies: Iterable[tuple[str, str]],
                  expansions: dict[str, set[str]]) -> tuple[list[Problem], list[float]]:
    """Check (where, text) pairs; returns the problems and every grade measured.

    Replies marked ':reference' (contact lists, source lines) are checked for acronyms only."""
    problems, grades = [], []
    for where, text in replies:
        is_citation = where.endswith(":reference")
        g = 0.0 if is_citation else grade(text)
        if not is_citation and len(readable_text(text).split()) >= 3:
            grades.append(g)
        acr = unexplained_acronyms(text, expansions)
        if g > MAX_GRADE or acr:
            problems.append(Problem(where, text, g, acr))
    return problems, grades


def main() -> int:
    import statistics

    from knowledge import catalogue

    problems, grades = check_replies(catalogue.all_replies(), catalogue.expansions())
    for p in problems:
        why = []
        if p.grade > MAX_GRADE:
            why.append(f"grade {p.grade:.1f}")
        if p.acronyms:
            why.append(f"unexplained {', '.join(p.acronyms)}")
        print(f"{p.where}: {'; '.join(why)}\n    {p.text[:300]}")
    median = statistics.median(grades) if grades else 0.0
    print(f"{len(grades)} replies: median grade {median:.1f}, max {max(grades, default=0):.1f}, "
          f"{len(problems)} problems")
    return 1 if problems or median > TARGET_MEDIAN else 0


if __name__ == "__main__":
    sys.exit(main())

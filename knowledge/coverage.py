"""How much of the seed documents the knowledge content covers.

    python -m knowledge.coverage [--seeds DIR] [--content DIR] [--exclusions FILE] [-v]

Each seed document is split into sentences (a table cell, a list item or a sentence in a
paragraph). The fact-bearing ones are kept: those with a number, a timescale, a named role,
team or service, a duty, a contact, an age, a definition or a risk, and the points a list or
table sets out. Headings, labels, link-only lines and empty form fields are not.

A fact sentence is *covered* when one knowledge item of a council that cites the seed (or a
national item) holds every number in it, every rare name in it ('Catch22', 'Australia'), at
least half of its content words, and at least 45% of them when each word counts by how rare it
is among the items (so that 'child', 'social' and 'help' alone cover nothing); see Matcher.
Content words are lower-cased, lemmatised (spaCy's English lookup table), read as the plain
word the content guide asks for ("undertaken" is "done"), cut to their first 6 letters (so
"develop" meets "development") and stripped of stopwords. An item is what the
assistant can say in one go: a topic's answer, next and rights; a glossary term; a contact; a
stage's steps with their timescales.

A sentence judged not for this service (a photo caption, a quote from a named member of staff,
internal governance) is *excluded* by ``knowledge/coverage_exclusions.yml``: a fragment of the
sentence and the reason; it never counts as covered. Anything else that is not covered is
*uncovered*, and the exit code is 1 (as it is for an exclusion that matches no fact sentence).
Which councils cite which seed comes from each council's ``council.yml`` sources.
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

import yaml

from knowledge import build, paths

NATIONAL = build.NATIONAL
THRESHOLD = 0.5      # share of a sentence's content words one item must hold
WEIGHTED_THRESHOLD = 0.45   # the same share with each word weighted by how rare it is among the items
RARE = 0.05          # a name in at most this share of the items must be in the covering item
MIN_WORDS = 4        # fewer words than this is a label, not a sentence
STEM = 6             # content words are compared on their first letters

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each either etc eg e.g few for from further
had has have having he her here hers herself him himself his how however i if in into is it its itself
just let may me might more most much must my myself no nor not now of off on once only or other our ours
ourselves out over own per same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up upon us very via was we were what when where
whether which while who whom whose why will with within would yet you your yours yourself yourselves
i.e ie ll ve re s t d shall get gets got tel mean means
""".split())

# The content guide asks for everyday words, so a formal word of the seeds is read as the plain
# word the content uses for it (after lemmatising): "undertaken" meets "done", "convene" "set up".
PLAIN_WORDS = {
    "undertake": "do", "carry": "do", "conduct": "do", "ascertain": "find", "identify": "find",
    "determine": "decide", "initiate": "start", "commence": "start", "conclude": "finish", "complete": "finish",
    "notify": "tell", "inform": "tell", "advise": "tell", "disclose": "tell", "obtain": "get", "receive": "get",
    "convene": "set", "assist": "help", "facilitate": "help", "require": "need", "requirement": "need",
    "additional": "extra", "provide": "give", "deliver": "give", "appropriate": "right", "consult": "ask",
    "request": "ask", "distribute": "send", "document": "write", "monitor": "check", "consent": "agree",
    "amend": "change", "adjust": "change", "refine": "change", "modify": "change", "substantiate": "confirm",
    "practitioner": "worker", "professional": "worker", "agency": "service", "individual": "person",
    "guidance": "guide", "procedure": "rule", "legislation": "law", "safeguard": "safe", "observe": "watch",
    "reside": "live", "utilise": "use", "sufficient": "enough", "regarding": "about", "concerning": "about",
    "concern": "worry", "ensure": "sure",
}

# Number words people write for small numbers: compared as digits on both sides.
NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}

_ROLE_WORDS = re.compile(
    r"\b(social worker|practitioner|manager|officer|team|service|hub|police|court|school|teacher|health|gp|"
    r"midwife|nurse|hospital|prison|probation|council|local authority|partnership|charity|academy|university|"
    r"director|educator|lead|worker|professional|staff|panel|board|agency|agencies)s?\b", re.I)
_DUTY = re.compile(r"\b(must|should|required|requires?|duty|responsible|responsibility|mandated|have to|has to|"
                   r"need to|needs to|will|statutory|voluntary|consent|agree|always|never|important|key)\b", re.I)
_TIME = re.compile(r"\b(days?|weeks?|months?|years?|hours?|within|minimum|regularly|immediate(ly)?|"
                   r"at any time|ongoing|short term|long(er)? term)\b", re.I)
_CONTACT = re.compile(r"\b(phone|call|ring|email|e-mail|tel|write|online form|web ?page|website|visit)\b|@", re.I)
_AGE = re.compile(r"\b(age[sd]?|under \d+|\d+[- ]year|babies|baby|newborns?|unborn|adults?)\b", re.I)
_DEFINITION = re.compile(r"\b(is defined|defines?|means|is called|are called|known as|is a|is an|are a|"
                         r"includes?|made up of|comprises?|consists?)\b", re.I)
_SAFEGUARDING = re.compile(r"\b(risks?|harm|abuse|neglect|exploitation|safety|crimes?|exceptions?|"
                           r"communicat\w*)\b", re.I)
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")
_NAMED = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+(?: (?:[A-Z][a-z]+|and|of|in|for|the|to))* [A-Z][a-z]+")

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Sentence:
    seed: str
    section: str
    text: str
    listed: bool = False     # a list item or a table cell: the document sets it out as a point


@dataclass(frozen=True)
class Item:
    """What the assistant can say in one reply, for one council (or national)."""
    council: str
    kind: str          # topic, term, contact, stage
    key: str
    text: str


@dataclass(frozen=True)
class Score:
    share: float = 0.0                         # of the sentence's content words, in the item
    weighted: float = 0.0                      # the same, each word weighted by its rarity
    missing_numbers: tuple[str, ...] = ()
    missing_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exclusion:
    seed: str
    text: str
    reason: str


@dataclass
class Result:
    sentence: Sentence
    status: str                        # covered, excluded, uncovered
    item: Optional[Item] = None        # the best-matching item
    score: Score = field(default_factory=Score)
    exclusion: Optional[Exclusion] = None   # why it is not for this service

    @property
    def reason(self) -> str:
        return self.exclusion.reason if self.exclusion else ""


@dataclass
class SeedReport:
    seed: str
    councils: tuple[str, ...]
    results: list[Result] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)


# --- text -------------------------------------------------------------------
def normalise(text: str) -> str:
    """Straight quotes and dashes, no markdown, no web links (a link is not a sentence's words)."""
    text = (text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
            .replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " "))
    text = re.sub(r"â(?=s\b)", "'", text)                       # a broken apostrophe: "Childrenâs"
    text = text.replace("\\(", "(").replace("\\)", ")")
    text = re.sub(r"\[([^\]]*)\]\((?:https?|mailto):[^)]*\)",                    # [text](link) -> text
                  lambda m: m.group(1).replace("|", "-"), text)
    text = re.sub(r"\s*\[(?:https?|mailto):[^\]]*\]", "", text)             # text [link] -> text
    text = text.replace("**", "")
    return text


def _is_heading(line: str) -> bool:
    words = line.split()
    if not words or line.startswith("- ") or "|" in line:
        return False
    return line.endswith("?") or (len(words) <= 12 and line[-1] not in ".!,;:" and not re.search(r"\d", line))


def split_sentences(text: str, seed: str = "") -> list[Sentence]:
    """The sentences of a seed document, each with the heading it sits under.

    A table row gives one sentence per cell; a list item is a sentence; a list of short items
    (a few words each, like 'Disability') is joined to the line that introduces it."""
    lines = [" ".join(line.split()) for line in normalise(text).splitlines()]
    section = ""
    out: list[Sentence] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line or set(line) <= set("|-: "):
            continue
        joined = False
        if line.endswith(":") and i < len(lines) and lines[i].startswith("- "):
            j = i
            while j < len(lines) and lines[j].startswith("- "):
                j += 1
            items = [lines[k][2:].strip().rstrip(".,;") for k in range(i, j)]
            if all(len(item.split()) <= 6 for item in items):
                line, i, joined = line + " " + "; ".join(items) + ".", j, True
        line = re.sub(r"^[A-Z][A-Z ]+[A-Z]: ", "", line)             # a label such as "KEY MESSAGE: "
        listed = joined or "|" in line or line.startswith("- ")
        if "|" in line:
            parts = [c.strip() for c in line.strip("|").split("|")]
        elif line.startswith("- "):
            parts = [line[2:].strip()]
        elif _is_heading(line):
            section = line
            continue
        else:
            parts = [line]
        for part in parts:
            for piece in _SENTENCE_END.split(part):
                piece = piece.strip()
                if piece:
                    out.append(Sentence(seed, section, piece, listed))
    return out


def is_fact(sentence: str, listed: bool = False) -> bool:
    """A sentence that carries a fact: a number, a timescale, a named role, team or service,
    a duty, a contact, an age, a definition, a risk or harm, or a point the document lists.
    Not a label, a heading or an empty form field."""
    words = sentence.split()
    if len(words) < MIN_WORDS or "___" in sentence:
        return False
    if not content_words(sentence):
        return False
    return listed or bool(numbers(sentence)) or any(
        cue.search(sentence) for cue in (_TIME, _ROLE_WORDS, _DUTY, _CONTACT, _AGE, _DEFINITION, _SAFEGUARDING,
                                         _ACRONYM, _NAMED))


@lru_cache(maxsize=1)
def _lemmas() -> dict[str, str]:
    """spaCy's English lemma lookup table (spacy-lookups-data), read without loading spaCy."""
    import spacy_lookups_data

    with gzip.open(spacy_lookups_data.get_file("en_lemma_lookup.json.gz"), "rt", encoding="utf-8") as f:
        return json.load(f)


def _tokens(text: str) -> list[str]:
    text = re.sub(r"\b([A-Z]{2,})s\b", r"\1", normalise(text))      # GPs is GP
    text = re.sub(r"(\d)(?:\([0-9a-z]{1,3}\))+", r"\1", text)       # section 66(1)(a) is section 66
    text = text.lower().replace("-", " ").replace("/", " ")
    return [NUMBER_WORDS.get(w, w) for w in _WORD.findall(text)]


def content_words(text: str) -> set[str]:
    """Lower-cased, lemmatised, formal words made plain, cut to STEM letters; no stopwords, no numbers."""
    lemmas = _lemmas()
    out = set()
    for w in _tokens(text):
        w = w.removesuffix("'s")
        if w in STOPWORDS or w.isdigit() or len(w) < 2:
            continue
        w = lemmas.get(w, w)
        w = PLAIN_WORDS.get(w, w)
        if w not in STOPWORDS:
            out.add(w[:STEM])
    return out


def numbers(text: str) -> set[str]:
    """Every number in the text, as digits ('six' is '6'; '024 7678 8555' is three numbers)."""
    decimals = re.compile(r"\b\d+\.\d+\b")               # '1.4' (a chapter) is one number, not 1 and 4
    text = normalise(text)
    found = (w.removesuffix("'s") for w in _tokens(decimals.sub(" ", text)))
    return {str(int(w)) if len(w) < 3 else w for w in found if w.isdigit()} | set(decimals.findall(text))


# --- matching ---------------------------------------------------------------
def names(text: str, ignore: Iterable[str] = ()) -> set[str]:
    """The names in a sentence, as content words: a capitalised word that does not start the
    sentence or a clause ('Frontline', 'Australia', 'Threshold'), an acronym ('MASH') or a word
    with digits in it ('Catch22'). Words in ``ignore`` (the councils' own names) do not count."""
    text = normalise(text)
    found = set()
    for m in re.finditer(r"[A-Za-z][A-Za-z0-9']*", text):
        word, before = m.group(), text[:m.start()].rstrip()
        starts_clause = not before or before[-1] in ".!?:;-(\"'|"
        if (word[0].isupper() and not starts_clause) or _ACRONYM.fullmatch(word) or re.search(r"\d", word):
            found |= content_words(word)
    return found - set(ignore)


class Matcher:
    """Finds the item that covers a sentence best, and says whether it covers it.

    An item covers a sentence when it has
    - every number of the sentence;
    - every name in it that few items have (at most 5% of them: 'Catch22', 'Australia');
    - at least half its content words;
    - at least 45% of them once each word counts by how rare it is among the items (a smoothed
      inverse document frequency), so that everyday words alone do not cover a sentence:
      'child' or 'social', which nearly every item has, count for little."""

    def __init__(self, items: Iterable[Item], ignore_names: Iterable[str] = (),
                 threshold: float = THRESHOLD, weighted_threshold: float = WEIGHTED_THRESHOLD):
        self.items = list(items)
        self.threshold, self.weighted_threshold = threshold, weighted_threshold
        self.ignore_names = {w for name in ignore_names for w in content_words(name)}
        self._words = {item: self.words(item.text) for item in self.items}
        self._numbers = {item: numbers(item.text) for item in self.items}
        df: dict[str, int] = {}
        for words in self._words.values():
            for w in words:
                df[w] = df.get(w, 0) + 1
        n = len(self.items)
        self._df = df
        self._unseen = math.log(1 + n) + 1
        self._weight = {w: math.log((1 + n) / (1 + d)) + 1 for w, d in df.items()}

    def words(self, text: str) -> set[str]:
        """The content words of a text, without the councils' names: every item of a council is
        about that council, so its name says nothing about which fact a sentence gives."""
        return content_words(text) - self.ignore_names

    def weight(self, word: str) -> float:
        return self._weight.get(word, self._unseen)

    def score(self, sentence: str, item: Item) -> Score:
        return self._score(self._features(sentence), item)

    def _features(self, sentence: str) -> tuple[set[str], float, set[str], set[str]]:
        words = self.words(sentence)
        rare_names = {w for w in names(sentence, self.ignore_names) if self.is_rare(w)}
        return words, sum(self.weight(w) for w in words), numbers(sentence), rare_names

    def _score(self, features: tuple[set[str], float, set[str], set[str]], item: Item) -> Score:
        words, total, nums, rare_names = features
        have = self._words[item]
        return Score(
            share=len(words & have) / len(words) if words else 0.0,
            weighted=sum(self.weight(w) for w in words & have) / total if total else 0.0,
            missing_numbers=tuple(sorted(nums - self._numbers[item], key=lambda n: (len(n), n))),
            missing_names=tuple(sorted(rare_names - have)))

    def is_rare(self, word: str) -> bool:
        """A word few items have (a name that must be named, unlike 'Children's' in 'Children's Services')."""
        return self._df.get(word, 0) <= RARE * len(self.items)

    def covers(self, score: Score) -> bool:
        return (score.share >= self.threshold and score.weighted >= self.weighted_threshold
                and not score.missing_numbers and not score.missing_names)

    def best(self, sentence: str, councils: Iterable[str] | None = None) -> tuple[Optional[Item], Score]:
        """The item (of the given councils) that covers the sentence, else the one that comes
        closest (has most of its words)."""
        allowed = set(councils) if councils is not None else None
        features = self._features(sentence)
        best: tuple[tuple, Optional[Item], Score] = ((False, -1.0), None, Score())
        for item in self.items:
            if allowed is not None and item.council not in allowed:
                continue
            sc = self._score(features, item)
            key = (self.covers(sc), sc.share + sc.weighted)
            if key > best[0]:
                best = (key, item, sc)
        return best[1], best[2]


# --- the content --------------------------------------------------------------
def _join(*parts: Optional[str]) -> str:
    return " ".join(p for p in parts if p)


def knowledge_items(content: build.Content) -> list[Item]:
    """Every topic, term, contact and stage of the content, as the text the assistant says."""
    items = [Item(t["council"], "topic", t["id"], _join(t["answer"], t["next"], t["rights"]))
             for t in content.topics]
    items += [Item(t["council"], "term", t["term"], _join(t["term"], t["stands_for"], t["meaning"]))
              for t in content.terms]
    items += [Item(c["council"], "contact", c["id"],
                   _join(c["service"], c["phone"], c["email"], c["address"], c["web"], c["hours"], c["who_for"]))
              for c in content.contacts]
    for s in content.stages:
        steps = [_join(st["step"], f"within {st['amount']} {st['unit'].replace('_', ' ')}" if st["amount"] else "")
                 for st in content.steps if st["council"] == s["council"] and st["stage"] == s["id"]]
        items.append(Item(s["council"], "stage", s["id"], _join(s["name"], *steps)))
    return items


def seed_councils(content: build.Content) -> dict[str, tuple[str, ...]]:
    """The councils whose council.yml lists each seed as a source (national always added)."""
    found: dict[str, set[str]] = {}
    for src in content.sources:
        if src["council"] != NATIONAL and src["seed"] != NATIONAL:
            found.setdefault(src["seed"], set()).add(src["council"])
    return {seed: (*sorted(councils), NATIONAL) for seed, councils in found.items()}


def council_names(content: build.Content) -> set[str]:
    """The councils' names and aliases: a seed names its own council, which is no fact to cover."""
    return {n for c in content.councils.values() for n in (c["id"], c["name"], *c["aliases"]) if n}


def load_exclusions(path: Path) -> list[Exclusion]:
    """The sentences judged not for this service: `exclusions:` items with seed, text, reason."""
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for n, e in enumerate(data.get("exclusions") or []):
        if not isinstance(e, dict) or not all(isinstance(e.get(k), str) and e[k].strip()
                                              for k in ("seed", "text", "reason")):
            raise ValueError(f"{path.name}: exclusion #{n + 1} needs seed, text and reason (text)")
        out.append(Exclusion(e["seed"].strip(), e["text"].strip(), e["reason"].strip()))
    return out


def _squash(text: str) -> str:
    return " ".join(_WORD.findall(normalise(text).lower()))


def excluded_by(sentence: Sentence, exclusions: Iterable[Exclusion]) -> Optional[Exclusion]:
    text = _squash(sentence.text)
    return next((e for e in exclusions if e.seed == sentence.seed and _squash(e.text) in text), None)


# --- the report ---------------------------------------------------------------
def check_seed(seed: str, text: str, matcher: Matcher, councils: Iterable[str],
               exclusions: list[Exclusion]) -> SeedReport:
    """Each fact sentence of one seed: covered by an item of the councils, excluded, or uncovered."""
    councils = tuple(councils)
    report = SeedReport(seed, councils)
    for sentence in split_sentences(text, seed):
        if not is_fact(sentence.text, sentence.listed):
            continue
        item, score = matcher.best(sentence.text, councils)
        if (ex := excluded_by(sentence, exclusions)) is not None:
            # judged not for this service: never counted as covered, even if words happen to match
            report.results.append(Result(sentence, "excluded", item, score, ex))
        elif matcher.covers(score):
            report.results.append(Result(sentence, "covered", item, score))
        else:
            report.results.append(Result(sentence, "uncovered", item, score))
    return report


def seed_files(seeds_dir: Path) -> dict[str, Path]:
    return {p.name[:3]: p for p in sorted(seeds_dir.glob("*.txt")) if p.name[:3].isdigit()}


def default_seeds_dir() -> Path:
    return paths.ROOT.parent / "shared" / "seeds"


def default_exclusions() -> Path:
    return paths.content_dir() / "coverage_exclusions.yml"


def run(seeds_dir: Path | None = None, content_dir: Path | None = None,
        exclusions_file: Path | None = None) -> tuple[list[SeedReport], list[Exclusion]]:
    """Every seed's report, and the exclusions that matched no fact sentence (stale)."""
    seeds_dir = seeds_dir or default_seeds_dir()
    content = build.load_content(content_dir or paths.content_dir(), seeds_dir)
    matcher = Matcher(knowledge_items(content), council_names(content))
    councils = seed_councils(content)
    exclusions = load_exclusions(exclusions_file or default_exclusions())
    reports = [check_seed(seed, path.read_text(encoding="utf-8"), matcher, councils.get(seed, (NATIONAL,)),
                          exclusions)
               for seed, path in seed_files(seeds_dir).items()]
    used = {r.exclusion for rep in reports for r in rep.results}
    stale = [e for e in exclusions if e not in used]
    return reports, stale


def format_report(reports: list[SeedReport], stale: list[Exclusion], verbose: bool = False) -> str:
    lines = [f"{'seed':<5} {'councils':<28} {'facts':>5} {'covered':>8} {'excluded':>9} {'uncovered':>10}"]
    for rep in reports:
        lines.append(f"{rep.seed:<5} {', '.join(rep.councils):<28} {len(rep.results):>5} {rep.count('covered'):>8} "
                     f"{rep.count('excluded'):>9} {rep.count('uncovered'):>10}")
    total = [sum(r.count(s) for r in reports) for s in ("covered", "excluded", "uncovered")]
    lines.append(f"{'all':<5} {'':<28} {sum(len(r.results) for r in reports):>5} {total[0]:>8} {total[1]:>9} "
                 f"{total[2]:>10}")
    for rep in reports:
        shown = [r for r in rep.results if r.status == "uncovered" or verbose]
        if not shown:
            continue
        lines.append(f"\nseed {rep.seed}:")
        for r in shown:
            best = f"{r.item.council}:{r.item.kind}:{r.item.key}" if r.item else "-"
            sc = r.score
            lack = " ".join((*sc.missing_numbers, *sc.missing_names))
            lines.append(f"  [{r.status}] {sc.share:.0%}/{sc.weighted:.0%} in {best}"
                         f"{' lacks ' + lack if lack else ''} [{r.sentence.section}] {r.sentence.text}")
            if r.reason:
                lines.append(f"      reason: {r.reason}")
    if stale:
        lines.append("\nexclusions that match no fact sentence (remove or fix them):")
        lines += [f"  seed {e.seed}: {e.text}" for e in stale]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=None, help="default: ../shared/seeds")
    ap.add_argument("--content", type=Path, default=None, help="default: FAMILY_HELP_CONTENT")
    ap.add_argument("--exclusions", type=Path, default=None, help="default: <content>/coverage_exclusions.yml")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every fact sentence and its best match")
    args = ap.parse_args(argv)
    try:
        exclusions = args.exclusions or ((args.content / "coverage_exclusions.yml") if args.content else None)
        reports, stale = run(args.seeds, args.content, exclusions)
    except (build.BuildError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(format_report(reports, stale, args.verbose))
    uncovered = sum(r.count("uncovered") for r in reports)
    return 1 if uncovered or stale else 0


if __name__ == "__main__":
    sys.exit(main())

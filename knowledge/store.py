"""Read-only queries over the built knowledge base.

Open it once per process with ``KnowledgeBase.open()`` (or ``shared()``), never at import
time. A council's own item wins over the national one with the same id.
"""
from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from knowledge import paths

NATIONAL = "national"
_WORD = re.compile(r"[a-z0-9']+")
STOPWORDS = frozenset(
    """a about after all am an and any are as at be been before being but by can could did do does doing for
    from get got had has have he her him his how i if in into is it its just me my no not now of on or our out
    over please she so some than that the their them then there they this to too up us was we were what when
    where which who why will with would you your yours im ive dont cant whats hi hey ok okay pls plz u ur
    tell know want need like mean means meaning much many long soon happen happens happening""".split())


# Everyday phrases put into the word the content uses, before a full-text search.
_PLAIN_PHRASES = [(re.compile(r"\bby (?:him|her|my|your|them|our)sel(?:f|ves)\b"), "alone"),
                  (re.compile(r"\bon (?:his|her|their|my|your|its) own\b"), "alone")]


@dataclass(frozen=True)
class Contact:
    id: str
    council: str
    service: str
    phone: Optional[str]
    email: Optional[str]
    address: Optional[str]
    web: Optional[str]
    hours: Optional[str]
    who_for: Optional[str]
    seed: str


@dataclass(frozen=True)
class Topic:
    id: str
    council: str
    title: str
    answer: str
    next: Optional[str]
    rights: Optional[str]
    contacts: tuple[str, ...]
    seed: str
    section: str
    # what the topic means for a child or young person, in their words, when it differs (`young:`), and
    # for a professional (a teacher, a GP...) asking about their part in it (`professional:`)
    young: Optional[str] = None
    professional: Optional[str] = None

    def for_audience(self, audience: Optional[str]) -> Optional[str]:
        """The topic's words for that audience ("young" or "professional"), if it has them."""
        return {"young": self.young, "professional": self.professional}.get(audience or "")

    @property
    def prose(self) -> tuple[str, ...]:
        """What the topic says, in order: what it is, what happens next, the person's rights."""
        return tuple(part for part in (self.answer, self.next, self.rights) if part)


@dataclass(frozen=True)
class Term:
    term: str
    council: str
    stands_for: Optional[str]
    meaning: str
    seed: str


@dataclass(frozen=True)
class Step:
    step: str
    amount: Optional[int]
    unit: Optional[str]
    council: str
    seed: str


@dataclass(frozen=True)
class Stage:
    id: str
    council: str
    name: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Council:
    id: str
    name: str
    general_contact: str
    is_default: bool
    # what the council calls something the shared topic titles name: (("MASH", "MASSS"),)
    local_names: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Source:
    council: str
    seed: str
    title: str
    url: Optional[str]


@dataclass(frozen=True)
class OutsideSubject:
    name: str  # "school places and admissions"
    ask: str  # who can tell them: "council" (its website) or "gov.uk"
    of_a_topic: bool  # asked about one of the assistant's own topics ("when do the family hubs open?")
    words: str  # the words of the message that name it


class KnowledgeBase:
    """Queries over one read-only SQLite file. Safe to share between threads."""

    def __init__(self, path: Path):
        if not Path(path).exists():
            raise FileNotFoundError(f"knowledge base {path} not found: run `make kb` (python -m knowledge.build)")
        uri = f"file:{Path(path).resolve()}?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self.councils = {r["id"]: Council(r["id"], r["name"], r["general_contact"], bool(r["is_default"]),
                                          tuple(json.loads(r["local_names"] or "{}").items()))
                         for r in self._rows("select * from councils")}
        self.default_council = next((c.id for c in self.councils.values() if c.is_default),
                                    min(self.councils, default=""))
        self._aliases = {r["alias"]: r["council"] for r in self._rows("select * from council_aliases")}
        # longest first, so "North Somerset" is found before "Somerset"
        names = [r["name"] for r in self._rows("select name from other_areas order by length(name) desc")]
        self._area_names = {_area_key(n): n for n in names}
        self._subjects = [(OutsideSubject(r["name"], r["ask"], bool(r["of_a_topic"]), ""), re.compile(
            r"\b(" + "|".join(re.escape(w) for w in sorted(r["words"].split("|"), key=len, reverse=True)) + r")\b"))
            for r in self._rows("select * from outside_subjects")]
        alternatives = "|".join(re.escape(_area_key(n)).replace("\\ ", "[- ]") for n in names)
        self._area_pattern = re.compile(
            r"(?<!greater )(?<!university of )(?<!universities of )\b(" + alternatives + r")(?:'?s)?\b(?! universit)"
        ) if names else None

    @classmethod
    def open(cls, path: Optional[Path] = None) -> KnowledgeBase:
        return cls(path or paths.kb_path())

    def _rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _own_first(self, table: str, council: str, where: str = "", params: tuple = ()) -> list[sqlite3.Row]:
        """Rows of a table for the council and for national, the council's own first: a
        council's fact wins over the national one."""
        extra = f" and {where}" if where else ""
        return self._rows(f"select * from {table} where council in (?, ?){extra} order by council = ? asc",
                          (council, NATIONAL, *params, NATIONAL))

    # --- councils -------------------------------------------------------
    def resolve_council(self, value: Optional[str]) -> Optional[str]:
        """A council id from an id, a name or an alias (an alias such as 'Hants'); None if unknown."""
        if not value:
            return None
        key = " ".join(str(value).lower().split())
        if key in self.councils:
            return key
        if key in self._aliases:
            return self._aliases[key]
        for alias, council in self._aliases.items():
            if re.search(rf"\b{re.escape(alias)}\b", key):
                return council
        return None

    def other_area(self, text: str) -> Optional[str]:
        """The first place in the text whose children's services this assistant has no documents for
        (knowledge/other_areas.yml: "we live in Birmingham"), unless the text also names a council it
        covers. A university named after a place ("the universities of Coventry and Birmingham") and
        Greater Manchester (Bolton is in it) are not places to answer for."""
        if not text or self._area_pattern is None or self.resolve_council(text):
            return None
        found = self._area_pattern.search(" ".join(text.lower().split()))
        return self._area_names.get(_area_key(found.group(1))) if found else None

    def outside_subject(self, text: str) -> Optional[OutsideSubject]:
        """A subject this assistant has no documents for (knowledge/outside_subjects.yml: school places,
        benefits, legal aid...) that the text names, with the words found; None if it names none."""
        lowered = " ".join((text or "").lower().replace("\u2019", "'").split())
        for subject, pattern in self._subjects:
            found = pattern.search(lowered)
            if found:
                return OutsideSubject(subject.name, subject.ask, subject.of_a_topic, found.group(0))
        return None

    def council_names(self) -> set[str]:
        """Every way of naming a council the knowledge base knows (ids, aliases and full names, "hampshire
        county council" and "hampshire county": "county" alone is a word of a topic, county lines), lower case."""
        full = {c.name.lower() for c in self.councils.values()}
        return set(self.councils) | set(self._aliases) | full | {re.sub(r" council$", "", n) for n in full}

    def council(self, council_id: Optional[str]) -> Council:
        return self.councils.get(council_id or "", self.councils[self.default_council])

    # --- topics ----------------------------------------------------------
    def topic_ids(self) -> list[str]:
        return [r["id"] for r in self._rows("select id from topic_index order by id")]

    def topic(self, council: str, topic_id: str) -> Optional[Topic]:
        """The council's item for a topic, else the national one, else None."""
        rows = self._own_first("topics", council, "id = ?", (topic_id,))
        return self._titled(council, _topic(rows[0])) if rows else None

    def own_topics(self, council: str) -> list[Topic]:
        """The council's own topic items (not the national ones), by id: one query where asking for each
        topic in turn would take a hundred."""
        return [self._titled(council, _topic(r))
                for r in self._rows("select * from topics where council = ? order by id", (council,))]

    def topic_versions(self, council: str, topic_id: str) -> list[Topic]:
        """The council's item for a topic and the national one, the council's first: points only
        the national item makes are not lost when a council has its own."""
        return [self._titled(council, _topic(r)) for r in self._own_first("topics", council, "id = ?", (topic_id,))]

    def in_local_names(self, council: Optional[str], text: str) -> str:
        """The text with the council's own names for what it names ("What the MASH does" in Bolton is
        "What the MASSS does")."""
        for name, own in self.councils.get(council or "", _NO_COUNCIL).local_names:
            text = re.sub(rf"\b{re.escape(name)}\b", own, text)
        return text

    def _titled(self, council: str, topic: Topic) -> Topic:
        title = self.in_local_names(council, topic.title)
        return topic if title == topic.title else dataclasses.replace(topic, title=title)

    def topic_area(self, topic_id: Optional[str]) -> Optional[str]:
        rows = self._rows("select area from topic_index where id = ?", (topic_id or "",))
        return rows[0]["area"] if rows else None

    def is_process_area(self, area: Optional[str]) -> bool:
        """Whether the area's topics are steps or facets of one process (knowledge/topics.yml:
        process_areas), so that a follow-up about one may be answered from another."""
        return bool(area) and bool(self._rows("select 1 from process_areas where area = ?", (area,)))

    def topics_in_area(self, area: str) -> list[str]:
        return [r["id"] for r in self._rows("select id from topic_index where area = ? order by id", (area,))]

    def topic_index(self) -> list[dict]:
        """Every topic's id, area, title and what questions it covers (knowledge/topics.yml)."""
        return [dict(r) for r in self._rows("select * from topic_index order by id")]

    def topic_title(self, topic_id: str, council: Optional[str] = None) -> Optional[str]:
        """The topic's title, in the council's own names when one is given."""
        rows = self._rows("select title from topic_index where id = ?", (topic_id,))
        return self.in_local_names(council, rows[0]["title"]) if rows else None

    def search(self, council: str, text: str, limit: int = 3) -> list[tuple[Topic, int]]:
        """Full-text search over the council's and national topics.

        Returns (topic, number of distinct query words it matched), best first."""
        text = text.lower()
        for phrase, plain in _PLAIN_PHRASES:
            text = phrase.sub(plain, text)
        text = " ".join([text, *self._spelled_out(council, text)])
        words = [w for w in _WORD.findall(text) if w not in STOPWORDS and len(w) > 1]
        if not words:
            return []
        query = " OR ".join(f'"{w}"' for w in dict.fromkeys(words))
        rows = self._rows(
            "select topics.*, bm25(topics_fts) as rank from topics_fts join topics on topics.rowid = topics_fts.rowid "
            "where topics_fts match ? and topics.council in (?, ?) order by rank limit ?",
            (query, council, NATIONAL, limit * 3))
        results: list[tuple[Topic, int]] = []
        seen: set[str] = set()
        for r in rows:
            if r["id"] in seen:
                continue
            seen.add(r["id"])
            hay = " ".join(str(r[k] or "") for k in ("title", "about", "answer", "next", "rights")).lower()
            stems = {w for w in words if re.search(rf"\b{re.escape(w[:max(4, len(w) - 2)])}", hay)}
            results.append((_topic(r), len(stems)))
        results.sort(key=lambda tr: -tr[1])
        return results[:limit]

    def _spelled_out(self, council: str, lowered: str) -> list[str]:
        """What the glossary terms named in the text stand for ("icpc" -> "initial child protection
        conference"), so a search finds answers that use the full words."""
        found = []
        for r in self._own_first("terms", council):
            if r["stands_for"] and r["stands_for"].lower() not in lowered and any(
                    re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", lowered) for name in _term_names(r)):
                found.append(r["stands_for"].lower())
        return found

    # --- contacts --------------------------------------------------------
    def contact(self, council: str, contact_id: str) -> Optional[Contact]:
        rows = self._own_first("contacts", council, "id = ?", (contact_id,))
        return _contact(rows[0]) if rows else None

    def contacts(self, council: str, ids: tuple[str, ...] | list[str]) -> list[Contact]:
        found = (self.contact(council, cid) for cid in ids)
        return [c for c in found if c]

    def general_contact(self, council: str) -> Optional[Contact]:
        return self.contact(council, self.council(council).general_contact)

    def find_contacts(self, council: str, text: str) -> list[Contact]:
        """Contacts of the council (or national) whose keywords appear in the text, longest match first."""
        lowered = " ".join(text.lower().replace("\u2019", "'").split())
        hits: list[tuple[int, Contact]] = []
        for r in self._own_first("contacts", council):
            best = max((len(k) for k in json.loads(r["keywords"] or "[]")
                        if re.search(rf"(?<![a-z]){re.escape(k)}(?![a-z])", lowered)), default=0)
            if best:
                hits.append((best + (1000 if r["council"] != NATIONAL else 0), _contact(r)))
        hits.sort(key=lambda h: -h[0])
        return [c for _, c in hits]

    # --- glossary --------------------------------------------------------
    def term(self, council: str, text: str) -> Optional[Term]:
        """A glossary term by its name, what it stands for or an alias (council's first)."""
        key = " ".join(text.lower().replace("\u2019", "'").split()).strip(" ?.!")
        for r in self._own_first("terms", council):
            if key in _term_names(r):
                return _term(r)
        return None

    def term_names(self) -> set[str]:
        """Every name any glossary term goes by, for any council (lower case)."""
        return set().union(*(_term_names(r) for r in self._rows("select * from terms")))

    def find_term(self, council: str, text: str) -> Optional[Term]:
        """The longest glossary term named anywhere in the text."""
        lowered = " ".join(text.lower().replace("\u2019", "'").split())
        best: tuple[int, Optional[Term]] = (0, None)
        for r in self._own_first("terms", council):
            for name in _term_names(r):
                if name and len(name) > best[0] and re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])",
                                                               lowered):
                    best = (len(name), _term(r))
        return best[1]

    # --- stages ----------------------------------------------------------
    def stage(self, council: str, stage_id: str) -> Optional[Stage]:
        rows = self._own_first("stages", council, "id = ?", (stage_id,))
        if not rows:
            return None
        r = rows[0]
        steps = tuple(Step(s["step"], s["amount"], s["unit"], s["council"], s["seed"]) for s in self._rows(
            "select * from stage_steps where council = ? and stage = ? order by ord", (r["council"], stage_id)))
        return Stage(r["id"], r["council"], r["name"], steps)

    def stage_topic(self, stage_id: Optional[str]) -> Optional[str]:
        """The topic a stage of the process is about (knowledge/topics.yml: stage_topics), so that a
        follow-up after "what happens next?" has a topic; None for a stage with none."""
        rows = self._rows("select topic from stage_topics where id = ?", (stage_id or "",))
        return rows[0]["topic"] if rows else None

    def adult_topic(self, topic_id: Optional[str]) -> Optional[str]:
        """The topic that answers an adult asking about a topic written for a child or young person
        (knowledge/topics.yml: adult_topics), else None."""
        rows = self._rows("select topic from adult_topics where id = ?", (topic_id or "",))
        return rows[0]["topic"] if rows else None

    def stages(self, council: str) -> list[Stage]:
        # in the order a family meets them (knowledge/topics.yml: stage_order)
        ids = [r["id"] for r in self._rows(
            "select distinct s.id from stages s left join stage_order o on o.id = s.id where s.council in (?, ?) "
            "order by coalesce(o.ord, 1000000), s.id", (council, NATIONAL))]
        found = (self.stage(council, sid) for sid in ids)
        return [s for s in found if s]

    def find_stage(self, council: str, text: str) -> Optional[str]:
        """The stage whose longest alias appears in the text, its words in order with up to two other
        words between them ("the assessment got signed off" for "assessment signed off")."""
        lowered = " ".join(text.lower().replace("\u2019", "'").split())
        best = (0, None)
        for r in self._own_first("stages", council):
            for alias in json.loads(r["aliases"] or "[]"):
                loose = r"(?:\s+[a-z']+){0,2}\s+".join(re.escape(w) for w in alias.split())
                if len(alias) > best[0] and re.search(rf"(?<![a-z]){loose}(?![a-z])", lowered):
                    best = (len(alias), r["id"])
        return best[1]

    # --- sources ---------------------------------------------------------
    def seeds(self, council: str) -> tuple[str, ...]:
        """The seed documents a council's own items come from ("000", "001", "004" for Coventry)."""
        return tuple(r["seed"] for r in self._rows("select seed from sources where council = ? order by seed",
                                                   (council,)))

    def source(self, council: str, seed: str) -> Optional[Source]:
        rows = self._rows("select * from sources where council = ? and seed = ?", (council, seed))
        if not rows:
            return None
        r = rows[0]
        return Source(r["council"], r["seed"], r["title"], r["url"])


def _area_key(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").split())


_NO_COUNCIL = Council("", "", "", False)


def _topic(r: sqlite3.Row) -> Topic:
    return Topic(r["id"], r["council"], r["title"], r["answer"], r["next"], r["rights"],
                 tuple(json.loads(r["contacts"] or "[]")), r["seed"], r["section"],
                 r["young"] if "young" in r.keys() else None,
                 r["professional"] if "professional" in r.keys() else None)


def _term_names(r: sqlite3.Row) -> set[str]:
    """Every lower-case name a glossary term goes by: itself, what it stands for, its aliases."""
    return {r["term"].lower(), (r["stands_for"] or "").lower(), *json.loads(r["aliases"] or "[]")} - {""}


def _contact(r: sqlite3.Row) -> Contact:
    return Contact(r["id"], r["council"], r["service"], r["phone"], r["email"], r["address"], r["web"],
                   r["hours"], r["who_for"], r["seed"])


def _term(r: sqlite3.Row) -> Term:
    return Term(r["term"], r["council"], r["stands_for"], r["meaning"], r["seed"])


_shared: Optional[KnowledgeBase] = None
_shared_lock = threading.Lock()


def shared() -> KnowledgeBase:
    """The process-wide knowledge base, opened on first use (not at import)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = KnowledgeBase.open()
        return _shared


def reset_shared(kb: Optional[KnowledgeBase] = None) -> None:
    """Replace the process-wide instance (tests point it at a temporary build)."""
    global _shared
    with _shared_lock:
        _shared = kb

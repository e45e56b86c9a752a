"""Build the read-only knowledge base from the YAML content.

    python -m knowledge.build [--content DIR] [--out FILE] [--check]

Reads knowledge/<council>/*.yml and knowledge/national/*.yml, checks every item
(required fields, a source, a checked date, known topic ids, contact references),
and writes a SQLite database with sqlite-utils plus the entity patterns that the
spaCy pipeline's entity ruler uses. Any problem stops the build with the file,
the item and what is wrong.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import sqlite_utils
import yaml

from knowledge import paths

NATIONAL = "national"
UNITS = {"working_days", "days", "months"}
LIST_KINDS = ("contacts", "topics", "terms", "stages")
SEED_RE = re.compile(r"^(\d{3}|national)$")


class BuildError(Exception):
    """The content has problems; ``problems`` lists each as 'file: item: what'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("knowledge content has problems:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass
class Content:
    topic_index: dict[str, dict] = field(default_factory=dict)
    councils: dict[str, dict] = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    topics: list[dict] = field(default_factory=list)
    terms: list[dict] = field(default_factory=list)
    stages: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    other_areas: list[dict] = field(default_factory=list)
    stage_order: list[str] = field(default_factory=list)
    process_areas: list[str] = field(default_factory=list)
    stage_topics: dict[str, str] = field(default_factory=dict)
    adult_topics: dict[str, str] = field(default_factory=dict)
    outside_subjects: list[dict] = field(default_factory=list)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def text(self, where: str, item: dict, key: str, required: bool = True) -> str | None:
        value = item.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(where, f"missing '{key}'")
            return None
        if not isinstance(value, str):
            self.add(where, f"'{key}' must be text, got {type(value).__name__}")
            return None
        return " ".join(value.split())

    def words(self, where: str, item: dict, key: str) -> list[str]:
        value = item.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(where, f"'{key}' must be a list of text")
            return []
        return [v.strip() for v in value]

    def provenance(self, where: str, item: dict, seeds: set[str]) -> dict:
        src = item.get("source")
        out = {"seed": None, "section": None, "checked": None}
        if not isinstance(src, dict):
            self.add(where, "missing 'source' (seed and section): no fact without a source")
        else:
            seed = str(src.get("seed", "")).strip()
            if not SEED_RE.match(seed):
                self.add(where, f"source seed {seed!r} is not a seed number like '001' or 'national'")
            elif seed != NATIONAL and seeds and seed not in seeds:
                self.add(where, f"source seed {seed!r} is not a seed file in the seeds folder")
            section = src.get("section")
            if not isinstance(section, str) or not section.strip():
                self.add(where, "source has no 'section'")
            out["seed"], out["section"] = seed, (section or "").strip()
        checked = item.get("checked")
        if isinstance(checked, str):
            try:
                checked = dt.date.fromisoformat(checked)
            except ValueError:
                checked = None
        if not isinstance(checked, dt.date):
            self.add(where, "missing or bad 'checked' date (YYYY-MM-DD)")
        else:
            out["checked"] = checked.isoformat()
        return out


def _load_yaml(path: Path, check: _Checker) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        check.add(str(path), f"is not valid YAML: {exc}".replace("\n", " "))
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        check.add(str(path), "must be a mapping with lists such as 'topics:' or 'contacts:'")
        return {}
    return data


def _local_names(where: str, info: dict, check: _Checker) -> dict[str, str]:
    """A council's own name for something the shared topic titles name ({"MASH": "MASSS"})."""
    names = info.get("local_names") or {}
    if not isinstance(names, dict) or not all(isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
                                              for k, v in names.items()):
        check.add(where, "'local_names' must map a name to the council's own name for it")
        return {}
    return {k.strip(): v.strip() for k, v in names.items()}


def _seed_numbers(seeds_dir: Path | None) -> set[str]:
    if not seeds_dir or not seeds_dir.is_dir():
        return set()
    return {p.name[:3] for p in seeds_dir.glob("*.txt") if p.name[:3].isdigit()}


def load_content(content_dir: Path, seeds_dir: Path | None = None) -> Content:
    """Read and check every YAML file. Raises BuildError listing all problems."""
    check = _Checker()
    seeds = _seed_numbers(seeds_dir)
    content = Content()

    index_file = content_dir / "topics.yml"
    index = _load_yaml(index_file, check)
    content.stage_order = [str(s) for s in index.get("stage_order") or []]
    content.process_areas = [str(a) for a in index.get("process_areas") or []]
    content.stage_topics = {str(k): str(v) for k, v in (index.get("stage_topics") or {}).items()}
    content.adult_topics = {str(k): str(v) for k, v in (index.get("adult_topics") or {}).items()}
    for i, item in enumerate(index.get("topics") or []):
        where = f"{index_file.name}: topic #{i + 1}"
        tid = check.text(where, item, "id")
        title = check.text(where, item, "title")
        if tid:
            if tid in content.topic_index:
                check.add(where, f"topic id {tid!r} is listed twice")
            content.topic_index[tid] = {
                "id": tid, "title": title, "area": item.get("area", ""), "about": item.get("about", "")}
    if not content.topic_index:
        check.add(str(index_file), "no topics: the index of topic ids is missing or empty")

    areas_file = content_dir / "other_areas.yml"
    if areas_file.exists():
        data = _load_yaml(areas_file, check)
        check.provenance(areas_file.name, data, seeds)
        for name in data.get("areas") or []:
            if not isinstance(name, str) or not name.strip():
                check.add(areas_file.name, f"area {name!r} is not a name")
            elif any(a["name"].lower() == name.strip().lower() for a in content.other_areas):
                check.add(areas_file.name, f"area {name!r} is listed twice")
            else:
                content.other_areas.append({"name": name.strip()})

    subjects_file = content_dir / "outside_subjects.yml"
    if subjects_file.exists():
        data = _load_yaml(subjects_file, check)
        check.provenance(subjects_file.name, data, seeds)
        for i, item in enumerate(data.get("subjects") or []):
            where = f"{subjects_file.name}: subject #{i + 1}"
            name = check.text(where, item, "name")
            words = [w.lower() for w in check.words(where, item, "words")]
            if item.get("ask") not in ("council", "gov.uk"):
                check.add(where, "ask must be 'council' or 'gov.uk'")
            if name and words:
                content.outside_subjects.append({"name": name, "ask": item.get("ask"), "words": words,
                                                 "of_a_topic": int(item.get("of_a_topic") is True)})

    council_dirs = sorted(p for p in content_dir.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    if not any(p.name == NATIONAL for p in council_dirs):
        check.add(str(content_dir), "no 'national' folder")
    for folder in council_dirs:
        council = folder.name
        if council == "__pycache__":
            continue
        council_file = folder / "council.yml"
        if council_file.exists():
            data = _load_yaml(council_file, check)
            info = data.get("council") or {}
            where = f"{council}/council.yml"
            if council != NATIONAL:
                if info.get("id") != council:
                    check.add(where, f"council id must be {council!r} (the folder name)")
                name = check.text(where, info, "name")
                content.councils[council] = {
                    "id": council, "name": name,
                    "aliases": [a.lower() for a in check.words(where, info, "aliases")],
                    "general_contact": check.text(where, info, "general_contact"),
                    "is_default": int(info.get("default") is True),
                    # what the council calls something the shared titles name ("MASH" is Bolton's MASSS)
                    "local_names": json.dumps(_local_names(where, info, check)),
                }
            for j, src in enumerate(data.get("sources") or []):
                swhere = f"{where}: source #{j + 1}"
                seed = str(src.get("seed", "")).strip()
                if not SEED_RE.match(seed):
                    check.add(swhere, f"seed {seed!r} is not a seed number")
                content.sources.append({
                    "council": council, "seed": seed,
                    "title": check.text(swhere, src, "title"), "url": src.get("url")})
        elif council != NATIONAL:
            check.add(f"{council}/", "has no council.yml")

        for path in sorted(folder.glob("*.yml")):
            if path.name == "council.yml":
                continue
            data = _load_yaml(path, check)
            unknown = set(data) - set(LIST_KINDS)
            if unknown:
                check.add(f"{council}/{path.name}", f"unknown section(s) {sorted(unknown)}; use {list(LIST_KINDS)}")
            fname = f"{council}/{path.name}"
            for kind in LIST_KINDS:
                items = data.get(kind) or []
                if not isinstance(items, list):
                    check.add(fname, f"'{kind}' must be a list")
                    continue
                for k, item in enumerate(items):
                    if not isinstance(item, dict):
                        check.add(fname, f"{kind} #{k + 1} is not a mapping")
                        continue
                    label = item.get("id") or item.get("term") or f"#{k + 1}"
                    _read_item(kind, council, f"{fname}: {kind[:-1]} {label!r}", item, check, seeds, content)

    for area in set(content.process_areas) - {t["area"] for t in content.topic_index.values()}:
        check.add(index_file.name, f"process area {area!r} is the area of no topic")
    for stage, topic in content.stage_topics.items():
        if stage not in content.stage_order or topic not in content.topic_index:
            check.add(index_file.name, f"stage_topics: {stage!r}: {topic!r} is not a stage in stage_order and a topic")
    for young, adult in content.adult_topics.items():
        if young not in content.topic_index or adult not in content.topic_index:
            check.add(index_file.name, f"adult_topics: {young!r}: {adult!r} are not both topics")
    for stage in {s["id"] for s in content.stages} - set(content.stage_order):
        check.add(index_file.name, f"stage {stage!r} is not in stage_order (where it comes in the process)")
    # what the assistant's own topics say, to check no outside subject's words are among them
    said = [str(t.get(k) or "") for t in content.topics for k in ("answer", "next", "rights")]
    said += [f"{t['title']} {t['about']}" for t in content.topic_index.values()]
    said = " ".join(" ".join(said).lower().split())
    for subject in content.outside_subjects:
        for word in subject["words"]:
            if re.search(rf"\b{re.escape(word)}\b", said):
                check.add("outside_subjects.yml", f"{word!r} ({subject['name']}) is in the assistant's own topics")
    ours = {a for c in content.councils.values() for a in (c["id"], *c["aliases"])}
    for area in content.other_areas:
        if area["name"].lower() in ours:
            check.add("other_areas.yml", f"{area['name']!r} is a council this assistant covers")
    _cross_check(content, check)
    if check.problems:
        raise BuildError(check.problems)
    return content


def _read_item(kind: str, council: str, where: str, item: dict, check: _Checker, seeds: set[str],
               content: Content) -> None:
    prov = check.provenance(where, item, seeds) if kind != "stages" else {}
    if kind == "contacts":
        row = {"council": council, "id": check.text(where, item, "id"),
               "service": check.text(where, item, "service")}
        for key in ("phone", "email", "address", "web", "hours", "who_for"):
            row[key] = check.text(where, item, key, required=False)
        if not any(row[k] for k in ("phone", "email", "address", "web")):
            check.add(where, "needs at least one of phone, email, address, web")
        row["keywords"] = json.dumps([w.lower() for w in check.words(where, item, "keywords")])
        content.contacts.append({**row, **prov})
    elif kind == "topics":
        tid = check.text(where, item, "id")
        if tid and content.topic_index and tid not in content.topic_index:
            check.add(where, f"topic id {tid!r} is not in topics.yml")
        row = {"council": council, "id": tid, "answer": check.text(where, item, "answer"),
               "next": check.text(where, item, "next", required=False),
               "rights": check.text(where, item, "rights", required=False),
               "young": check.text(where, item, "young", required=False),
               "professional": check.text(where, item, "professional", required=False),
               "contacts": json.dumps(check.words(where, item, "contacts"))}
        content.topics.append({**row, **prov})
    elif kind == "terms":
        content.terms.append({
            "council": council, "term": check.text(where, item, "term"),
            "stands_for": check.text(where, item, "stands_for", required=False),
            "meaning": check.text(where, item, "meaning"),
            "aliases": json.dumps([a.lower() for a in check.words(where, item, "aliases")]), **prov})
    elif kind == "stages":
        sid = check.text(where, item, "id")
        content.stages.append({
            "council": council, "id": sid, "name": check.text(where, item, "name"),
            "aliases": json.dumps([a.lower() for a in check.words(where, item, "aliases")])})
        steps = item.get("next")
        if not isinstance(steps, list) or not steps:
            check.add(where, "needs a 'next' list of steps")
            return
        for n, step in enumerate(steps):
            swhere = f"{where}: step #{n + 1}"
            within = step.get("within") if isinstance(step, dict) else None
            if not isinstance(step, dict):
                check.add(swhere, "is not a mapping")
                continue
            amount = unit = None
            if within is not None:
                amount, unit = within.get("amount"), within.get("unit")
                if not isinstance(amount, int) or amount <= 0:
                    check.add(swhere, "within.amount must be a whole number above 0")
                if unit not in UNITS:
                    check.add(swhere, f"within.unit must be one of {sorted(UNITS)}")
            content.steps.append({
                "council": council, "stage": sid, "ord": n, "step": check.text(swhere, step, "step"),
                "amount": amount, "unit": unit, **check.provenance(swhere, step, seeds)})


def _cross_check(content: Content, check: _Checker) -> None:
    def dupes(rows: Iterable[dict], key: str, kind: str) -> None:
        seen: set = set()
        for r in rows:
            k = (r["council"], (r[key] or "").lower())
            if k in seen:
                check.add(f"{r['council']}", f"{kind} {r[key]!r} is defined twice")
            seen.add(k)

    dupes(content.contacts, "id", "contact")
    dupes(content.topics, "id", "topic")
    dupes(content.terms, "term", "term")
    dupes(content.stages, "id", "stage")
    contact_ids = {(c["council"], c["id"]) for c in content.contacts}
    for t in content.topics:
        for cid in json.loads(t["contacts"]):
            if (t["council"], cid) not in contact_ids and (NATIONAL, cid) not in contact_ids:
                check.add(f"{t['council']}: topic {t['id']!r}", f"names contact {cid!r}, which is not defined")
    for c in content.councils.values():
        gc = c.get("general_contact")
        if gc and (c["id"], gc) not in contact_ids:
            check.add(f"{c['id']}/council.yml", f"general_contact {gc!r} is not one of its contacts")
    source_keys = {(s["council"], s["seed"]) for s in content.sources}
    for rows in (content.topics, content.contacts, content.terms, content.steps):
        for r in rows:
            seed = r.get("seed")
            if seed and seed != NATIONAL and (r["council"], seed) not in source_keys:
                check.add(f"{r['council']}", f"item {r.get('id') or r.get('term') or r.get('stage')!r} cites seed "
                          f"{seed} but {r['council']}/council.yml lists no source for it")
    if not content.councils:
        check.add("knowledge/", "no council folders")
    elif sum(c["is_default"] for c in content.councils.values()) != 1:
        check.add("knowledge/", "exactly one council.yml must say `default: true` (used when none is named)")


def write_database(content: Content, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    if tmp.exists():
        tmp.unlink()
    db = sqlite_utils.Database(tmp)
    db["councils"].insert_all(
        [{k: v for k, v in c.items() if k != "aliases"} for c in content.councils.values()], pk="id")
    db["council_aliases"].insert_all(
        [{"alias": a, "council": c["id"]} for c in content.councils.values() for a in {c["id"], *c["aliases"]}],
        pk=("alias", "council"))
    db["sources"].insert_all(content.sources, pk=("council", "seed"), replace=True)
    db["topic_index"].insert_all(content.topic_index.values(), pk="id")
    db["contacts"].insert_all(content.contacts, pk=("council", "id"))
    topics = [{**t, "title": content.topic_index.get(t["id"], {}).get("title", t["id"]),
               "about": content.topic_index.get(t["id"], {}).get("about", "")} for t in content.topics]
    db["topics"].insert_all(topics, pk=("council", "id"))
    db["topics"].enable_fts(["title", "about", "answer", "next", "rights"], tokenize="porter")
    db["terms"].insert_all(content.terms, pk=("council", "term"))
    db["stages"].insert_all(content.stages, pk=("council", "id"))
    db["stage_steps"].insert_all(content.steps, pk=("council", "stage", "ord"))
    db["stage_order"].insert_all([{"id": sid, "ord": n} for n, sid in enumerate(content.stage_order)] or
                                 [{"id": "", "ord": 0}], pk="id")
    db["stage_order"].delete_where("id = ''")
    db["stage_topics"].insert_all([{"id": s, "topic": t} for s, t in content.stage_topics.items()] or
                                  [{"id": "", "topic": ""}], pk="id")
    db["stage_topics"].delete_where("id = ''")
    db["adult_topics"].insert_all([{"id": y, "topic": a} for y, a in content.adult_topics.items()] or
                                  [{"id": "", "topic": ""}], pk="id")
    db["adult_topics"].delete_where("id = ''")
    db["process_areas"].insert_all([{"area": a} for a in content.process_areas] or [{"area": ""}], pk="area")
    db["process_areas"].delete_where("area = ''")
    db["other_areas"].insert_all(content.other_areas or [{"name": ""}], pk="name")
    db["other_areas"].delete_where("name = ''")
    subjects = [{**s, "words": "|".join(s["words"])} for s in content.outside_subjects]
    db["outside_subjects"].insert_all(subjects or [{"name": "", "ask": "", "words": "", "of_a_topic": 0}], pk="name")
    db["outside_subjects"].delete_where("name = ''")
    db["meta"].insert({"key": "built_at", "value": dt.datetime.now(dt.timezone.utc).isoformat()}, pk="key")
    db.conn.commit()
    db.conn.close()
    tmp.replace(out)


def entity_patterns(content: Content) -> list[dict]:
    """Phrase patterns (matched on lower-case text) for the spaCy entity ruler."""
    pats: dict[tuple[str, str], str] = {}

    def add(label: str, phrase: str, ent_id: str) -> None:
        phrase = " ".join(phrase.lower().split())
        if phrase:
            pats.setdefault((label, phrase), ent_id)

    for c in content.councils.values():
        for alias in {c["id"], c["name"], *c["aliases"]}:
            add("council", alias, c["id"])
    councils = {phrase for label, phrase in pats if label == "council"}
    for t in content.terms:
        add("term", t["term"], t["term"])
        if t["stands_for"]:
            add("term", t["stands_for"], t["term"])
        for a in json.loads(t["aliases"]):
            add("term", a, t["term"])
    for s in content.stages:
        for a in json.loads(s["aliases"]):
            add("stage", a, s["id"])
    for c in content.contacts:
        for k in json.loads(c["keywords"]):
            # a council's name ("Bolton Council") names the council, whichever of its services it leads to:
            # the person's council is what must not be lost ("Bolton council said come back Monday")
            if " ".join(k.lower().split()) not in councils:
                add("service", k, c["id"])
    return [{"label": label, "pattern": phrase, "id": ent_id} for (label, phrase), ent_id in sorted(pats.items())]


def build(content_dir: Path | None = None, out: Path | None = None,
          seeds_dir: Path | None = None, check_only: bool = False) -> Content:
    content_dir = content_dir or paths.content_dir()
    seeds_dir = seeds_dir or paths.ROOT.parent / "shared" / "seeds"
    content = load_content(content_dir, seeds_dir)
    if not check_only:
        out = out or paths.kb_path()
        write_database(content, out)
        pfile = out.parent / paths.patterns_path().name
        pfile.write_text("".join(json.dumps(p) + "\n" for p in entity_patterns(content)), encoding="utf-8")
    return content


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--content", type=Path, default=None, help="default: FAMILY_HELP_CONTENT")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--check", action="store_true", help="check the content only, write nothing")
    args = ap.parse_args(argv)
    try:
        content = build(args.content, args.out, check_only=args.check)
    except BuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"knowledge: {len(content.councils)} councils, {len(content.topics)} topics, "
          f"{len(content.contacts)} contacts, {len(content.terms)} terms, {len(content.stages)} stages"
          + ("" if args.check else f" -> {args.out or paths.kb_path()}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The knowledge build: the real content builds, and bad content fails with a clear message."""
from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
import sqlite_utils

from knowledge import build, paths

GOOD_COUNCIL = """
council: {id: testshire, name: Testshire Council, aliases: [tests], general_contact: front_door, default: true}
sources:
  - {seed: "001", title: "A guide"}
"""
GOOD_CONTACTS = """
contacts:
  - id: front_door
    service: Front door
    phone: "0100 000 000"
    keywords: [front door]
    source: {seed: "001", section: "Contacts"}
    checked: 2026-11-22
"""
GOOD_TOPICS = """
topics:
  - id: mash_what
    answer: The front door looks at worries about children.
    contacts: [front_door]
    source: {seed: "001", section: "Front door"}
    checked: 2026-11-22
"""


def make_content(tmp_path: Path, **files: str) -> Path:
    """A minimal content tree: topics.yml, national/, testshire/ with the given files."""
    root = tmp_path / "knowledge"
    (root / "national").mkdir(parents=True)
    (root / "testshire").mkdir()
    shutil.copy(paths.content_dir() / "topics.yml", root / "topics.yml")
    defaults = {"council.yml": GOOD_COUNCIL, "contacts.yml": GOOD_CONTACTS, "topics.yml": GOOD_TOPICS}
    defaults.update(files)
    for name, text in defaults.items():
        if text is not None:
            (root / "testshire" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def problems_for(tmp_path: Path, **files: str) -> list[str]:
    with pytest.raises(build.BuildError) as err:
        build.build(make_content(tmp_path, **files), tmp_path / "kb.db")
    return err.value.problems


def test_real_content_builds_every_council(kb_file):
    db = sqlite_utils.Database(kb_file)
    councils = {r["id"] for r in db["councils"].rows}
    assert councils == {"coventry", "hampshire", "bolton"}
    assert [r["id"] for r in db["councils"].rows_where("is_default = 1")] == ["coventry"]
    for council in councils:
        assert db["topics"].count_where("council = ?", [council]) > 0
    assert db["topics_fts"].count == db["topics"].count
    assert (kb_file.parent / "entity_patterns.jsonl").read_text().count('"label": "council"') >= 3


def test_a_councils_name_is_a_council_not_one_of_its_services(kb_file):
    # Bolton's children's social work lists "Bolton Council" among its keywords: the name must still say
    # which council the person is in
    patterns = [json.loads(line) for line in (kb_file.parent / "entity_patterns.jsonl").read_text().splitlines()]
    named = {(p["label"], p["id"]) for p in patterns if p["pattern"] == "bolton council"}
    assert named == {("council", "bolton")}
    assert {"hampshire county council", "coventry city council"} <= {p["pattern"] for p in patterns
                                                                      if p["label"] == "council"}


def test_minimal_content_builds(tmp_path):
    content = build.build(make_content(tmp_path), tmp_path / "kb.db")
    assert [t["id"] for t in content.topics] == ["mash_what"]


def test_missing_source_names_file_item_and_problem(tmp_path):
    problems = problems_for(tmp_path, **{"topics.yml": """
        topics:
          - id: mash_what
            answer: No source here.
            checked: 2026-11-22
        """})
    assert any("testshire/topics.yml" in p and "'mash_what'" in p and "source" in p for p in problems), problems


def test_unknown_topic_id_is_refused(tmp_path):
    problems = problems_for(tmp_path, **{"topics.yml": GOOD_TOPICS.replace("mash_what", "made_up_topic")})
    assert any("made_up_topic" in p and "not in topics.yml" in p for p in problems), problems


def test_contact_reference_must_exist(tmp_path):
    problems = problems_for(tmp_path, **{"topics.yml": GOOD_TOPICS.replace("[front_door]", "[nobody]")})
    assert any("nobody" in p and "not defined" in p for p in problems), problems


def test_contact_needs_a_way_to_reach_it(tmp_path):
    problems = problems_for(tmp_path, **{"contacts.yml": GOOD_CONTACTS.replace('phone: "0100 000 000"', "")})
    assert any("front_door" in p and "at least one of phone" in p for p in problems), problems


def test_bad_yaml_and_bad_date_are_reported(tmp_path):
    problems = problems_for(tmp_path, **{"topics.yml": "topics: [\n  - id: x", "contacts.yml":
                                         GOOD_CONTACTS.replace("2026-11-22", "last tuesday")})
    assert any("topics.yml" in p and "not valid YAML" in p for p in problems), problems
    assert any("front_door" in p and "checked" in p for p in problems), problems


def test_seed_must_be_listed_by_the_council(tmp_path):
    problems = problems_for(tmp_path, **{"topics.yml": GOOD_TOPICS.replace('"001"', '"003"')})
    assert any("cites seed 003" in p for p in problems), problems


def test_stage_units_are_checked(tmp_path):
    problems = problems_for(tmp_path, **{"stages.yml": """
        stages:
          - id: referral
            name: a referral
            aliases: [referral]
            next:
              - step: A decision
                within: {amount: 1, unit: fortnights}
                source: {seed: "001", section: "Timescales"}
                checked: 2026-11-22
        """})
    assert any("within.unit" in p for p in problems), problems


def test_cli_reports_problems_and_exits_nonzero(tmp_path, capsys):
    root = make_content(tmp_path, **{"topics.yml": GOOD_TOPICS.replace("answer: The front", "answer:\n    # none")})
    assert build.main(["--content", str(root), "--check"]) == 1
    assert "missing 'answer'" in capsys.readouterr().err


def test_exactly_one_council_is_the_default(tmp_path):
    problems = problems_for(tmp_path, **{"council.yml": GOOD_COUNCIL.replace(", default: true", "")})
    assert any("default: true" in p for p in problems)


def test_other_areas_are_names_with_a_source_and_never_a_council_it_covers(tmp_path):
    root = make_content(tmp_path)
    (root / "other_areas.yml").write_text(textwrap.dedent("""
        source: {seed: national, section: "places"}
        checked: 2026-12-03
        areas: [Elsewhere, Testshire, elsewhere]
    """), encoding="utf-8")
    with pytest.raises(build.BuildError) as err:
        build.build(root, tmp_path / "kb.db")
    problems = "\n".join(err.value.problems)
    assert "'Testshire' is a council this assistant covers" in problems
    assert "'elsewhere' is listed twice" in problems
    (root / "other_areas.yml").write_text("areas: [Elsewhere]\n", encoding="utf-8")
    with pytest.raises(build.BuildError) as err:
        build.build(root, tmp_path / "kb.db")
    assert any("no fact without a source" in p for p in err.value.problems)


def test_a_stage_must_have_its_place_in_the_process(tmp_path):
    stages = """
    stages:
      - id: a_new_stage
        name: "a new stage"
        source: {seed: "001", section: "Front door"}
        checked: 2026-11-22
        steps:
          - {step: "Someone calls you", within: {days: 2}}
    """
    problems = "\n".join(problems_for(tmp_path, **{"stages.yml": stages}))
    assert "stage 'a_new_stage' is not in stage_order" in problems


def test_a_stage_is_about_a_topic_that_exists(tmp_path):
    root = make_content(tmp_path)
    index = root / "topics.yml"
    index.write_text(index.read_text().replace("stage_topics: {", "stage_topics: {plan: no_such_topic, ", 1))
    with pytest.raises(build.BuildError) as err:
        build.build(root, tmp_path / "kb.db")
    assert any("stage_topics: 'plan': 'no_such_topic'" in p for p in err.value.problems)


def test_an_adults_topic_is_a_topic_that_exists(tmp_path):
    root = make_content(tmp_path)
    index = root / "topics.yml"
    index.write_text(index.read_text() + "\nadult_topics: {no_such_topic: complaints}\n")
    with pytest.raises(build.BuildError) as err:
        build.build(root, tmp_path / "kb.db")
    assert any("adult_topics: 'no_such_topic'" in p for p in err.value.problems)


def test_an_outside_subject_may_not_use_the_words_of_the_assistants_own_topics(tmp_path):
    root = make_content(tmp_path)
    (root / "outside_subjects.yml").write_text(textwrap.dedent("""
        source: {seed: national, section: "not covered"}
        checked: 2026-12-03
        subjects:
          - {name: parking, ask: council, words: [parking permit]}
          - {name: worries, ask: somewhere, words: [front door]}
    """), encoding="utf-8")
    with pytest.raises(build.BuildError) as err:
        build.build(root, tmp_path / "kb.db")
    problems = "\n".join(err.value.problems)
    assert "'front door' (worries) is in the assistant's own topics" in problems
    assert "ask must be 'council' or 'gov.uk'" in problems and "parking" not in problems

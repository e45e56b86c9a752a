"""Every reply the assistant can send is plain: Flesch-Kincaid grade 8 at most, a median of
6 or lower, and no acronym left unexplained in the same reply."""
from __future__ import annotations

import statistics

import pytest

from knowledge import catalogue, readability


@pytest.fixture(scope="module")
def checked(kb):
    replies = catalogue.all_replies(kb)
    return replies, readability.check_replies(replies, catalogue.expansions(kb))


def test_reads_every_kind_of_reply(checked):
    replies, _ = checked
    kinds = {where.split(":")[1].split("#")[0] if not where.startswith("domain") else "domain" for where, _ in replies}
    assert {"domain", "topic", "term", "stage", "not_covered"} <= kinds
    assert len(replies) > 300


def test_no_reply_is_too_hard_to_read(checked):
    _, (problems, _) = checked
    hard = [f"{p.where} (grade {p.grade:.1f}): {p.text[:120]}" for p in problems if p.grade > readability.MAX_GRADE]
    assert not hard, "\n".join(hard)


def test_median_grade_is_six_or_lower(checked):
    _, (_, grades) = checked
    assert statistics.median(grades) <= readability.TARGET_MEDIAN


def test_every_acronym_is_explained_in_the_same_reply(checked):
    _, (problems, _) = checked
    bad = [f"{p.where}: {p.acronyms}: {p.text[:120]}" for p in problems if p.acronyms]
    assert not bad, "\n".join(bad)


def test_the_checks_can_fail():
    hard = ("Notwithstanding considerable organisational restructuring, multidisciplinary safeguarding "
            "arrangements necessitate comprehensive interagency collaboration and documentation.")
    assert readability.grade(hard) > readability.MAX_GRADE
    assert readability.grade("You can call us. We will help you.") < 6
    exp = {"MASH": {"Multi-Agency Safeguarding Hub"}}
    assert readability.unexplained_acronyms("Call the MASH now.", exp) == ["MASH"]
    assert readability.unexplained_acronyms("Call the Multi-Agency Safeguarding Hub (MASH).", exp) == []
    assert readability.unexplained_acronyms("The IRO (Independent Reviewing Officer) chairs it.", {}) == []
    assert readability.unexplained_acronyms("See www.coventry.gov.uk/SEND or call 999.", {}) == []

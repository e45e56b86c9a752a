"""Through the running server: the public answer key, the API token, and council handling."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import SERVER_LOG, SHARED, eval_script, say

PASS_RATE = 0.95


def run_key(server: str, cases: Path, tmp_path: Path) -> tuple[list[dict], str]:
    """The answer key's results for a file of cases through the running server, and what it printed."""
    report = tmp_path / f"{cases.stem}.json"
    run = subprocess.run([sys.executable, str(eval_script()), str(cases), "--url", server, "--json", str(report)],
                         capture_output=True, text=True, timeout=600)
    print(run.stdout)
    return json.loads(report.read_text()), run.stdout


def test_public_answer_key(server, tmp_path):
    cases = SHARED / "eval" / "public_cases.yml"
    if not cases.exists():
        pytest.skip("shared/eval is not beside this checkout")
    results, printed = run_key(server, cases, tmp_path)
    rate = sum(r["ok"] for r in results) / len(results)
    assert rate >= PASS_RATE, printed


@pytest.fixture(scope="module")
def public_v2(server, tmp_path_factory) -> tuple[list[dict], list[dict], str]:
    """The second public sample, run once: its cases, their results and what the key printed."""
    import yaml

    source = SHARED / "eval" / "public_cases_v2.yml"
    if not source.exists():
        pytest.skip("shared/eval is not beside this checkout")
    results, printed = run_key(server, source, tmp_path_factory.mktemp("v2"))
    return yaml.safe_load(source.read_text()), results, printed


def test_public_v2_crisis_cases_all_pass(public_v2):
    """Issue 11: every crisis case of the second public sample gets the signposts it needs."""
    cases, results, printed = public_v2
    crisis = {c["id"] for c in cases if "safety" in (c.get("tags") or [])}
    assert len(crisis) >= 5
    assert all(r["ok"] for r in results if r["id"] in crisis), printed


# The whole second public sample: issue 12 asks for all of it; 44 of 45 in session 25 (37 in session 23, 30
# at its start).
V2_FLOOR = 0.95


def test_public_v2_answer_key_floor(public_v2):
    _, results, printed = public_v2
    assert sum(r["ok"] for r in results) / len(results) >= V2_FLOOR, printed


# Issue 12's held-out sets (written from the seeds only; never training data: tests/test_project_data.py),
# by the kind of question. The aim is 0.95 overall and 0.90 for every kind; these floors are what each
# reached when last measured, so a change that makes understanding worse fails here. DIET moves a few
# answers each way from one training run to the next (12c: 8 up and 15 down after one new intent), so each
# floor is the lower of the last two runs less one and a half cases.
HELDOUT_FLOORS = {
    # (Sets that left the suite to keep it inside its time; `answer_eval.py FILE --url URL` still measures
    # them: 2026-12b, 83.3% when it left; 2026-12g, read in session 24, 82.6%; 2026-12h, read in session 25,
    # 86.7%; 2026-12i, written in
    # session 24 and read in session 26, left in session 32 for 2026-12t, gated at 86% overall; 2026-12m, written
    # in session 25 and read in session 27, left in session 33 for 2026-12u: 84.7% when it left; 2026-12n, written
    # in session 27 and read in session 28, left in session 34 for 2026-12v: 238/295 = 80.7% when it left; 2026-12o,
    # written in session 28 and read in session 29, left in session 35 for 2026-12w: 89.3% when last gated;
    # 2026-12p, written in session 29 and read in session 30, left in session 36 for 2026-12x: 261/296 = 88.2%
    # when last measured; 2026-12r and 2026-12s, read in sessions 31 and 32, left in session 37 to bring the
    # suite back inside its time (34.6 minutes in session 36's CI run): 266/291 = 91.4% and 258/300 = 86.0%
    # when last measured; 2026-12t and 2026-12u, read in sessions 33 and 34, left in session 41 to keep the suite
    # inside its time (25.5 minutes in session 40's CI run): gated at 81% and 80% overall when they left;
    # 2026-12v and 2026-12w, read in sessions 35 and 36, left in session 42 for 2026-13d: 253/297 and 260/299
    # when last measured; 2026-12x, read in session 37, left in session 43 for 2026-13e: gated at 81% overall;
    # 2026-12y, read in session 38, left in session 44 for 2026-13f: 255/295 when last measured; 2026-12z, read in
    # session 39, left in session 45 for 2026-13g: 249/295 when last measured.)
    # Written at the start of session 39 from the seeds only (12 cases with a turn equal to a training example taken
    # out). Measured untuned (after the session's first changes, none made from it): 245/288 = 85.1%; 246/288 at the
    # end of session 39. Its misses were read once at the start of session 40 (a night-time follow-up after who to
    # call; saying where one lives after forgetting to, as a change of council; a parent's question about a child in
    # care taken for a breaking point; which guidance and procedures a council follows). Floors: the untuned run less
    # two cases overall, one and a half a kind.
    "heldout_answers_2026_13a.yml": {
        "overall": 0.84, "council-switch": 0.64, "detail": 0.86, "follow-up": 0.75, "frightened": 0.9,
        "not-covered": 0.82, "simple": 0.65, "text-speak": 0.86, "topic": 0.86, "two-part": 0.78},
    # Written at the start of session 40 from the seeds only (6 cases whose judged turn equals a training example
    # taken out). Measured untuned: 240/294 = 81.6%. Its misses were read once at the start of session 41. Floors: that
    # run less two cases overall, one and a half a kind.
    "heldout_answers_2026_13b.yml": {
        "overall": 0.8, "council-switch": 0.78, "detail": 0.8, "follow-up": 0.69, "frightened": 0.78,
        "not-covered": 0.77, "simple": 0.85, "text-speak": 0.74, "topic": 0.83, "two-part": 0.81},
    # Written at the start of session 41 from the seeds only (4 cases whose judged turn equals a training example
    # taken out). Measured untuned: 241/296 = 81.4%. Its misses were read once at the start of session 42.
    # Floors: that run less two cases overall, one and a half a kind.
    "heldout_answers_2026_13c.yml": {
        "overall": 0.8, "council-switch": 0.75, "detail": 0.8, "follow-up": 0.67, "frightened": 0.78,
        "not-covered": 0.82, "simple": 0.75, "text-speak": 0.78, "topic": 0.68, "two-part": 0.86},
    # Written at the start of session 42 from the seeds only (4 cases whose judged turn equals a training example
    # taken out). Measured untuned: 250/296 = 84.5%; the same at the end of session 42. Its misses were read once at
    # the start of session 43 (a worker's notes on a named family and a team manager's name asked of a computer; what
    # a solicitor charges; a follow-up both classifiers give to another topic that names what it asks; "Together
    # they..." without what it points to; whether anyone helps, asked beside a concern; a parent's fear of contact
    # from prison taken for danger now), after which 257/296 = 86.8%. Floors: that run less two cases overall, one and
    # a half a kind.
    "heldout_answers_2026_13d.yml": {
        "overall": 0.83, "council-switch": 0.81, "detail": 0.84, "follow-up": 0.74, "frightened": 0.87,
        "not-covered": 0.72, "simple": 0.85, "text-speak": 0.82, "topic": 0.87, "two-part": 0.73},
    # Written at the start of session 43 from the seeds only (4 cases with a turn equal to a training example taken
    # out). Measured untuned (the code of session 42's end): 258/296 = 87.2%; the same at the end of session 43. Its
    # misses were read once at the start of session 44 (a council named inside a service's name; asked to escalate a
    # plan; "what about the baby?"; whether a closure means less risk; a figure asked beside the fear of
    # losing the children; a family named by where they live; closing times; what a plan is called; "their number"
    # after who helps; the first of two questions from its own words; "till when" starting a second question; what a
    # time counts from; a question beside a concern read from the question; whether one person alone runs a
    # meeting), after which 271/296 = 91.6% (13f, unread, 252 -> 255 over the same changes). Floors: the untuned run
    # less two cases overall, one and a half a kind.
    "heldout_answers_2026_13e.yml": {
        "overall": 0.86, "council-switch": 0.87, "detail": 0.88, "follow-up": 0.81, "frightened": 0.78,
        "not-covered": 0.72, "simple": 0.85, "text-speak": 0.86, "topic": 0.88, "two-part": 0.76},
    # Written at the start of session 44 from the seeds only (4 cases whose judged turn equals a training example
    # taken out). Measured untuned (the code of session 43's end): 252/296 = 85.1%; 255/296 at the end of session 44.
    # Its misses were read once at the start of session 45 (what decides whether a process starts; what carries on
    # once a plan closes, and how it closes; "what can they decide at the end"; what happens when something came to
    # nothing; whether closing means all is well; a review asked as "looked at again"; several things told of, then
    # one asked about by "that"; who decides; a new council with a question of its own), after which 271/296 = 91.6%
    # in CI (13g, unread, 245 -> 247 over the same changes). Floors: the untuned run less two cases overall, one and
    # a half a kind.
    "heldout_answers_2026_13f.yml": {
        "overall": 0.84, "council-switch": 0.81, "detail": 0.87, "follow-up": 0.75, "frightened": 0.7,
        "not-covered": 0.82, "simple": 0.75, "text-speak": 0.9, "topic": 0.79, "two-part": 0.83},
    # Written at the start of session 45 from the seeds only (4 cases whose judged turn equals a training example
    # taken out). Measured untuned (the code of session 44's end): 245/296 = 82.8%. Nobody has read its misses: the
    # honest measure now. Floors: that run less two cases overall, one and a half a kind.
    "heldout_answers_2026_13g.yml": {
        "overall": 0.82, "council-switch": 0.78, "detail": 0.8, "follow-up": 0.73, "frightened": 0.72,
        "not-covered": 0.82, "simple": 0.75, "text-speak": 0.86, "topic": 0.79, "two-part": 0.81},
}


@pytest.fixture(scope="module")
def heldout_runs(server, tmp_path_factory) -> dict:
    """Every held-out set checked at once (one answer_eval process each, side by side: the server
    answers several conversations at a time, and the suite has a time budget): name -> (results, stdout)."""
    folder = tmp_path_factory.mktemp("heldout")
    running = {}
    for name in sorted(HELDOUT_FLOORS):
        report = folder / f"{name}.json"
        running[name] = (report, subprocess.Popen(
            [sys.executable, str(eval_script()), str(Path(__file__).with_name(name)), "--url", server,
             "--json", str(report), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    runs = {}
    for name, (report, process) in running.items():
        out, _ = process.communicate(timeout=1500)
        runs[name] = (json.loads(report.read_text()) if report.exists() else [], out)
    return runs


@pytest.mark.parametrize("name", sorted(HELDOUT_FLOORS))
def test_held_out_answers_by_kind(heldout_runs, name):
    import yaml

    heldout = Path(__file__).with_name(name)
    results, stdout = heldout_runs[name]
    assert results, stdout[-3000:]
    kind_of = {c["id"]: c["tags"][0] for c in yaml.safe_load(heldout.read_text(encoding="utf-8"))}
    rates = {"overall": sum(r["ok"] for r in results) / len(results)}
    for kind in sorted(set(kind_of.values())):
        mine = [r for r in results if kind_of[r["id"]] == kind]
        rates[kind] = sum(r["ok"] for r in mine) / len(mine)
    print(f"\n{name}: " + ", ".join(f"{k} {v:.0%}" for k, v in rates.items()))
    floors = HELDOUT_FLOORS[name]
    low = {k: (round(rates.get(k, 0.0), 3), floor) for k, floor in floors.items() if rates.get(k, 0.0) < floor}
    assert not low, f"below the measured floor: {low}\n{stdout[-3000:]}"


def test_http_api_needs_the_token(server):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(server + "/conversations/someone/tracker", timeout=10)
    assert err.value.code in (401, 403)
    with urllib.request.urlopen(server + "/conversations/someone/tracker?token=test-token", timeout=10) as r:
        assert r.status == 200


def test_same_question_each_councils_facts(server):
    question = "how long does the assessment take"
    cov = " ".join(m.get("text", "") for m in say(server, "e2e-cov", question, {"council": "coventry"}))
    ham = " ".join(m.get("text", "") for m in say(server, "e2e-ham", question, {"council": "hampshire"}))
    assert "45 working days" in cov
    assert "15 days" in ham and "45 working days" not in ham


def test_council_named_in_conversation_is_kept(server):
    say(server, "e2e-switch", "I live in Bolton")
    replies = say(server, "e2e-switch", "what age do the leaving care team work with")
    reply = " ".join(m.get("text", "") for m in replies)
    assert "23" in reply


def test_message_text_never_reaches_the_logs(server):
    secret = "my neighbour zorblax keeps shouting at the kids"
    say(server, "e2e-privacy", secret)
    say(server, "e2e-privacy", "how long does the assessment take")
    log = SERVER_LOG["path"].read_text(errors="replace").lower()
    assert "rasa server is up and running" in log  # the Rasa server's log is being written
    assert "zorblax" not in log and "assessment take" not in log

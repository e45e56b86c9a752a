"""Triage retention: closed requests after the retention period, requests never closed after the
open limit (counted from their last change), expired sessions; `purge()` for the supervisor's
schedule and `python -m triage.retention` by hand, both with counts only."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from knowledge.paths import ROOT
from tests.conftest import Clock
from triage import retention
from triage.store import TriageStore

NOW = datetime.now(timezone.utc)
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def default_settings(monkeypatch):
    for name in ("FAMILY_HELP_TRIAGE_RETENTION_DAYS", "FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS", "FAMILY_HELP_TRIAGE_DB"):
        monkeypatch.delenv(name, raising=False)


def new_request(store: TriageStore, council: str = "coventry") -> str:
    ref = store.create_request(council=council, category="complaint", urgent=False, contact_method="phone",
                               contact_detail="07700 900456", contact_when=None, name="Jo Bloggs",
                               own_words="secret words", transcript=[{"who": "young person", "text": "help"}])
    store.add_note(council, ref, "alice", "private note")
    return ref


def rows(db) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("requests", "notes", "audit")}


def make(db, closed_days_ago: list[int], open_count: int = 1, open_days_ago: int = 10) -> dict[int, str]:
    """Requests closed that many days ago (by the clock of the day) plus some still open."""
    refs = {}
    for days in closed_days_ago:
        store = TriageStore.open(db, clock=lambda d=days: NOW - timedelta(days=d))
        ref = new_request(store)
        store.set_status("coventry", ref, "alice", "closed")
        refs[days] = ref
    store = TriageStore.open(db, clock=lambda: NOW - timedelta(days=open_days_ago))
    for _ in range(open_count):
        store.create_request(council="bolton", category="other", urgent=False, contact_method="not_given",
                             contact_detail=None, contact_when=None, name=None, own_words=None, transcript=[])
    return refs


def test_default_and_configured_days(monkeypatch):
    assert (retention.retention_days(), retention.open_limit_days()) == (90, 180)
    monkeypatch.setenv("FAMILY_HELP_TRIAGE_RETENTION_DAYS", "30")
    monkeypatch.setenv("FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS", "60")
    assert (retention.retention_days(), retention.open_limit_days()) == (30, 60)
    for name, read in (("FAMILY_HELP_TRIAGE_RETENTION_DAYS", retention.retention_days),
                       ("FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS", retention.open_limit_days)):
        for bad in ("ninety", "0", "-5"):
            monkeypatch.setenv(name, bad)
            with pytest.raises(ValueError, match=name):
                read()
        monkeypatch.setenv(name, "30")


def test_purge_on_a_schedule_with_a_fake_clock(tmp_path, monkeypatch):
    """What the supervisor's hourly run does as the days go by."""
    monkeypatch.setenv("FAMILY_HELP_TRIAGE_RETENTION_DAYS", "90")
    monkeypatch.setenv("FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS", "180")
    db = tmp_path / "triage.db"
    clock = Clock()
    store = TriageStore.open(db, clock=clock, session_minutes=30, password_hasher=FAST_HASHER)
    closed = new_request(store)
    store.set_status("coventry", closed, "alice", "closed")
    forgotten = new_request(store, "bolton")  # never claimed, never closed
    worked_on = new_request(store, "hampshire")
    store.create_user("alice", "coventry", "a long enough password")
    store.create_session("alice")

    assert retention.purge(store) == {"closed": 0, "open": 0, "sessions": 0}
    clock.advance(minutes=31)
    assert retention.purge(store) == {"closed": 0, "open": 0, "sessions": 1}

    clock.advance(days=89)
    assert retention.purge(store)["closed"] == 0
    clock.advance(days=1, minutes=1)  # closed 90 days and a bit ago
    assert retention.purge(store) == {"closed": 1, "open": 0, "sessions": 0}
    assert store.get("coventry", closed) is None

    store.add_note("hampshire", worked_on, "hana", "rang, no answer")  # a change restarts its clock
    clock.advance(days=90)  # 180 days and a bit since the bolton request last changed
    assert retention.purge(store) == {"closed": 0, "open": 1, "sessions": 0}
    assert store.get("bolton", forgotten) is None and store.get("hampshire", worked_on) is not None
    assert rows(db) == {"requests": 1, "notes": 2, "audit": 3}  # only the hampshire request's rows are left

    clock.advance(days=90)
    assert retention.purge(store)["open"] == 0  # exactly 180 days since its last change: not more
    clock.advance(minutes=1)
    assert retention.purge(store)["open"] == 1
    assert rows(db) == {"requests": 0, "notes": 0, "audit": 0}


def test_purge_uses_the_configured_store_and_refuses_bad_settings(tmp_path, monkeypatch):
    db = tmp_path / "from-env.db"
    make(db, [100, 5], open_count=2, open_days_ago=200)
    monkeypatch.setenv("FAMILY_HELP_TRIAGE_DB", str(db))
    monkeypatch.setenv("FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS", "soon")
    with pytest.raises(ValueError, match="FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS"):
        retention.purge()
    assert rows(db)["requests"] == 4  # nothing deleted when a setting is bad
    monkeypatch.delenv("FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS")
    assert retention.purge() == {"closed": 1, "open": 2, "sessions": 0}
    assert rows(db)["requests"] == 1
    with pytest.raises(ValueError):
        retention.purge(TriageStore.open(db), closed_days=0)


def test_the_command_deletes_old_requests_and_prints_only_counts(tmp_path, capsys):
    db = tmp_path / "triage.db"
    refs = make(db, [200, 95, 89, 1], open_count=3, open_days_ago=181)
    assert retention.main(["--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == ("triage retention: deleted 2 closed requests closed more than 90 days ago "
                           "and 3 open requests unchanged for more than 180 days")
    store = TriageStore.open(db)
    assert store.get("coventry", refs[200]) is None and store.get("coventry", refs[95]) is None
    assert store.get("coventry", refs[89]) is not None and store.get("coventry", refs[1]) is not None
    assert store.queue("bolton") == []

    assert retention.main(["--db", str(db), "--days", "30", "--open-days", "5"]) == 0
    assert "deleted 1 closed request closed more than 30 days ago and 0 open requests" in capsys.readouterr().out


def test_the_environment_sets_the_days(tmp_path, capsys, monkeypatch):
    db = tmp_path / "triage.db"
    make(db, [40, 10], open_days_ago=20)
    monkeypatch.setenv("FAMILY_HELP_TRIAGE_RETENTION_DAYS", "30")
    monkeypatch.setenv("FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS", "15")
    assert retention.main(["--db", str(db)]) == 0
    assert ("deleted 1 closed request closed more than 30 days ago and 1 open request unchanged for more than "
            "15 days") in capsys.readouterr().out


@pytest.mark.parametrize("option", ["--days", "--open-days"])
def test_bad_days_are_refused(tmp_path, capsys, option):
    with pytest.raises(SystemExit) as exit_:
        retention.main(["--db", str(tmp_path / "t.db"), option, "0"])
    assert exit_.value.code == 2 and "at least 1" in capsys.readouterr().err


def test_the_module_runs_as_a_command(tmp_path):
    db = tmp_path / "triage.db"
    make(db, [100])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FAMILY_HELP_TRIAGE_DB": str(db)}
    env.pop("FAMILY_HELP_TRIAGE_RETENTION_DAYS", None)
    env.pop("FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS", None)
    done = subprocess.run([sys.executable, "-m", "triage.retention"], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("triage retention: deleted 1 closed request closed more than 90 days ago "
                                   "and 0 open requests unchanged for more than 180 days")
    for personal in ("Jo Bloggs", "secret words", "private note", "07700", "alice"):
        assert personal not in done.stdout + done.stderr

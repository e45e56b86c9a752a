"""python -m triage.retention: deletes closed requests after the retention period, prints a count only."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from knowledge.paths import ROOT
from triage import retention
from triage.store import TriageStore

NOW = datetime.now(timezone.utc)


def make(db, closed_days_ago: list[int], open_count: int = 1) -> dict[int, str]:
    """Requests closed that many days ago (by the clock of the day) plus some still open."""
    refs = {}
    for days in closed_days_ago:
        store = TriageStore.open(db, clock=lambda d=days: NOW - timedelta(days=d))
        ref = store.create_request(council="coventry", category="complaint", urgent=False, contact_method="phone",
                                   contact_detail="07700 900456", contact_when=None, name="Jo Bloggs",
                                   own_words="secret words", transcript=[])
        store.add_note("coventry", ref, "alice", "private note")
        store.set_status("coventry", ref, "alice", "closed")
        refs[days] = ref
    store = TriageStore.open(db, clock=lambda: NOW - timedelta(days=400))
    for _ in range(open_count):
        store.create_request(council="bolton", category="other", urgent=False, contact_method="not_given",
                             contact_detail=None, contact_when=None, name=None, own_words=None, transcript=[])
    return refs


def test_default_and_configured_days(monkeypatch):
    monkeypatch.delenv("FAMILY_HELP_TRIAGE_RETENTION_DAYS", raising=False)
    assert retention.retention_days() == 90
    monkeypatch.setenv("FAMILY_HELP_TRIAGE_RETENTION_DAYS", "30")
    assert retention.retention_days() == 30
    for bad in ("ninety", "0", "-5"):
        monkeypatch.setenv("FAMILY_HELP_TRIAGE_RETENTION_DAYS", bad)
        with pytest.raises(ValueError, match="FAMILY_HELP_TRIAGE_RETENTION_DAYS"):
            retention.retention_days()


def test_the_command_deletes_old_closed_requests_and_prints_only_a_count(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FAMILY_HELP_TRIAGE_RETENTION_DAYS", raising=False)
    db = tmp_path / "triage.db"
    refs = make(db, [200, 95, 89, 1])
    assert retention.main(["--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "triage retention: deleted 2 closed requests closed more than 90 days ago"
    store = TriageStore.open(db)
    assert store.get("coventry", refs[200]) is None and store.get("coventry", refs[95]) is None
    assert store.get("coventry", refs[89]) is not None and store.get("coventry", refs[1]) is not None
    assert len(store.queue("bolton")) == 1  # open requests are never deleted, however old

    assert retention.main(["--db", str(db), "--days", "30"]) == 0
    assert "deleted 1 closed request closed more than 30 days ago" in capsys.readouterr().out


def test_the_environment_sets_the_days(tmp_path, capsys, monkeypatch):
    db = tmp_path / "triage.db"
    make(db, [40, 10])
    monkeypatch.setenv("FAMILY_HELP_TRIAGE_RETENTION_DAYS", "30")
    assert retention.main(["--db", str(db)]) == 0
    assert "deleted 1 closed request closed more than 30 days ago" in capsys.readouterr().out


def test_bad_days_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        retention.main(["--db", str(tmp_path / "t.db"), "--days", "0"])
    assert exit_.value.code == 2 and "at least 1" in capsys.readouterr().err


def test_the_module_runs_as_a_command(tmp_path):
    db = tmp_path / "triage.db"
    make(db, [100])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FAMILY_HELP_TRIAGE_DB": str(db)}
    env.pop("FAMILY_HELP_TRIAGE_RETENTION_DAYS", None)
    done = subprocess.run([sys.executable, "-m", "triage.retention"], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "triage retention: deleted 1 closed request closed more than 90 days ago"
    for personal in ("Jo Bloggs", "secret words", "private note", "07700", "alice"):
        assert personal not in done.stdout + done.stderr

"""Conversation retention: old conversations go, new ones stay, deleted text is overwritten,
and the schedule the supervisor uses (fake clock)."""
from __future__ import annotations

import sqlite3
import time

import pytest

from bot import retention

DAY = 86400


def make_store(path, conversations):  # noqa: ANN001, ANN201
    """A tracker store shaped like Rasa's SQLTrackerStore (table events)."""
    with sqlite3.connect(path) as conn:
        conn.execute("create table events (id integer primary key, sender_id varchar(255) not null, "
                     "type_name varchar(255) not null, timestamp float, intent_name varchar(255), "
                     "action_name varchar(255), data text)")
        for sender, age_days, text in conversations:
            ts = time.time() - age_days * DAY
            for i in range(20):
                conn.execute("insert into events (sender_id, type_name, timestamp, data) values (?, 'user', ?, ?)",
                             (sender, ts - i, f'{{"text": "{text} {i}"}}'))
    conn.close()


def senders(path):  # noqa: ANN001, ANN201
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("select distinct sender_id from events")}


def test_purge_deletes_only_conversations_past_the_period(tmp_path):
    db = tmp_path / "conversations.db"
    make_store(db, [("old", 31, "old words"), ("recent", 29, "recent words"), ("today", 0, "today words")])
    assert retention.purge(db, 30) == 1
    assert senders(db) == {"recent", "today"}
    assert retention.purge(db, 30) == 0


def test_deleted_text_is_overwritten_in_the_file_secure_delete(tmp_path, monkeypatch):
    # Debian builds SQLite with secure_delete on by default; others do not. Start from off.
    connect = sqlite3.connect

    def connect_insecure(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        conn = connect(*args, **kwargs)
        conn.execute("PRAGMA secure_delete = OFF")
        return conn

    monkeypatch.setattr(retention.sqlite3, "connect", connect_insecure)
    db = tmp_path / "conversations.db"
    marker = "MARKERxDISCLOSUREx7731"
    make_store(db, [("old", 40, marker + " " + "padding " * 40), ("new", 1, "hello")])
    assert marker.encode() in db.read_bytes()
    assert retention.purge(db, 30) == 1
    assert marker.encode() not in db.read_bytes()


def test_missing_store_or_table_is_nothing_to_do(tmp_path):
    assert retention.purge(tmp_path / "none.db", 30) == 0
    sqlite3.connect(tmp_path / "empty.db").close()
    assert retention.purge(tmp_path / "empty.db", 30) == 0


def test_settings_are_read_from_the_registry(tmp_path, monkeypatch):
    db = tmp_path / "c.db"
    make_store(db, [("a", 8, "x"), ("b", 2, "y")])
    monkeypatch.setenv("FAMILY_HELP_TRACKER_DB", str(db))
    monkeypatch.setenv("FAMILY_HELP_RETENTION_DAYS", "7")
    assert retention.purge_conversations() == {"conversations": 1}
    monkeypatch.setenv("FAMILY_HELP_RETENTION_DAYS", "soon")
    with pytest.raises(SystemExit, match="FAMILY_HELP_RETENTION_DAYS"):
        retention.retention_days()


def test_cli_prints_the_count_only(tmp_path, monkeypatch, capsys):
    db = tmp_path / "c.db"
    make_store(db, [("someone-secret-id", 50, "private words")])
    monkeypatch.setenv("FAMILY_HELP_TRACKER_DB", str(db))
    assert retention.main(["--days", "10"]) == 0
    out = capsys.readouterr().out
    assert "removed 1 older" in out and "someone-secret-id" not in out and "private" not in out
    assert senders(db) == set()


def test_purge_all_keeps_going_when_one_purge_fails(caplog):
    def broken():  # noqa: ANN202
        raise sqlite3.OperationalError("database is locked")

    counts = retention.purge_all({"triage": broken, "conversations": lambda: {"conversations": 2}})
    assert counts == {"conversations": 2}
    assert "triage purge failed (OperationalError)" in caplog.text


def test_triage_purge_counts_only(monkeypatch):
    import triage.retention

    monkeypatch.setattr(triage.retention, "purge", lambda store=None: {"closed": 2, "open": 1, "note": "words"},
                        raising=False)
    assert retention.purge_triage() == {"triage_closed": 2, "triage_open": 1}


def test_schedule_fake_clock():
    s = retention.Schedule(3600)
    assert s.due(0)
    s.ran(0)
    assert not s.due(3599)
    assert s.due(3600)
    s.ran(5000)  # ran late: the next one counts from then
    assert not s.due(8599) and s.due(8600)
    with pytest.raises(ValueError):
        retention.Schedule(0)


def test_schedule_from_settings(monkeypatch):
    monkeypatch.setenv("FAMILY_HELP_RETENTION_EVERY_MINUTES", "15")
    assert retention.Schedule.from_settings().every == 900


def test_a_database_made_before_umask_077_is_made_private_by_the_purge(tmp_path):
    """The supervisor runs this purge first, before any server opens the store."""
    db = tmp_path / "conversations.db"
    make_store(db, [("old", 40, "x")])
    for p in (db, tmp_path / "conversations.db-journal", tmp_path / "conversations.db-wal"):
        p.touch()
        p.chmod(0o644)
    retention.purge(db, 30)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes["conversations.db"] == modes["conversations.db-wal"] == 0o600
    assert set(modes.values()) == {0o600}


# --- PostgreSQL (make run-scaled): the same purge, through psycopg2's interface -------------------
class PgOnSqlite:
    """psycopg2.connect(...) as the PostgreSQL purge uses it, on an SQLite file (no live service):
    %s placeholders, to_regclass, a transaction committed by `with conn`."""

    def __init__(self, path) -> None:  # noqa: ANN001
        self.db = sqlite3.connect(path)
        self.committed = self.closed = False

    def __enter__(self):  # noqa: ANN204
        return self

    def __exit__(self, kind, *_):  # noqa: ANN001, ANN002, ANN204
        if kind is None:
            self.db.commit()
            self.committed = True

    def cursor(self):  # noqa: ANN201
        return self

    def execute(self, sql: str, params: tuple = ()) -> None:
        if sql == "select to_regclass('events') is not null":
            sql = "select count(*) > 0 from sqlite_master where type='table' and name='events'"
        assert "?" not in sql
        self._cursor = self.db.execute(sql.replace("%s", "?"), params)

    def fetchone(self):  # noqa: ANN201
        return self._cursor.fetchone()

    def fetchall(self):  # noqa: ANN201
        return self._cursor.fetchall()

    def close(self) -> None:
        self.closed = True
        self.db.close()


def test_postgres_purge_deletes_only_conversations_past_the_period(tmp_path):
    db = tmp_path / "pg.db"
    make_store(db, [("old", 31, "old words"), ("older", 90, "x"), ("recent", 29, "recent"), ("today", 0, "t")])
    conns = []

    def connect(**params):  # noqa: ANN003, ANN202
        assert params == {"host": "127.0.0.1", "dbname": "family_help"}
        conns.append(PgOnSqlite(db))
        return conns[-1]

    params = {"host": "127.0.0.1", "dbname": "family_help"}
    assert retention.purge_postgres(params, 30, connect=connect) == 2
    assert conns[-1].committed and conns[-1].closed
    assert senders(db) == {"recent", "today"}
    assert retention.purge_postgres(params, 30, connect=connect) == 0


def test_postgres_purge_before_rasa_made_its_table_is_nothing_to_do(tmp_path):
    assert retention.purge_postgres({}, 30, connect=lambda **_: PgOnSqlite(tmp_path / "empty.db")) == 0


def test_the_configured_store_is_purged_postgresql_when_its_host_is_set(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(retention, "purge_postgres", lambda params, days: calls.append((params["host"], days)) or 4)
    monkeypatch.setattr(retention, "purge", lambda *_: pytest.fail("SQLite purged instead of PostgreSQL"))
    monkeypatch.setenv("FAMILY_HELP_DB_HOST", "db.internal")
    monkeypatch.setenv("FAMILY_HELP_RETENTION_DAYS", "12")
    assert retention.purge_conversations() == {"conversations": 4}
    assert calls == [("db.internal", 12)]

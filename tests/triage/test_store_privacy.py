"""The triage database is private to this user (0600, also when it already existed), deleted rows
are overwritten (secure_delete on every connection), and the councils come from the knowledge
content, the one list of councils."""
from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from knowledge import paths
from triage import store as store_module
from triage.store import TriageStore


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o022)  # the usual umask: files would be made world-readable (0644)
    yield
    os.umask(old)


def test_a_new_database_is_readable_by_this_user_only(tmp_path, open_umask):
    db = tmp_path / "triage.db"
    store = TriageStore.open(db)
    reader = sqlite3.connect(db)  # keeps the WAL files while the store writes
    reader.execute("select count(*) from requests").fetchone()
    store.create_request(council="coventry", category="other", urgent=False, contact_method="not_given",
                         contact_detail=None, contact_when=None, name=None, own_words="words", transcript=[])
    modes = {p.name: mode(p) for p in tmp_path.iterdir() if p.name.startswith("triage.db")}
    reader.close()
    assert modes == {"triage.db": 0o600, "triage.db-wal": 0o600, "triage.db-shm": 0o600}


def test_an_existing_world_readable_database_is_made_private_on_open(tmp_path, open_umask):
    db = tmp_path / "triage.db"
    TriageStore.open(db)
    for p in tmp_path.iterdir():
        os.chmod(p, 0o644)
    TriageStore.open(db)
    assert mode(db) == 0o600
    assert all(mode(p) == 0o600 for p in tmp_path.iterdir() if p.name.startswith("triage.db"))


def test_every_connection_overwrites_deleted_rows(tmp_path, monkeypatch):
    store = TriageStore.open(tmp_path / "triage.db")
    seen = []
    real = store._connect

    def spy():
        conn = real()
        seen.append(conn.execute("pragma secure_delete").fetchone()[0])
        return conn

    monkeypatch.setattr(store, "_connect", spy)
    store.create_request(council="bolton", category="other", urgent=False, contact_method="not_given",
                         contact_detail=None, contact_when=None, name=None, own_words=None, transcript=[])
    store.queue("bolton")
    store.delete_closed_older_than(1)
    store.delete_open_unchanged_for(1)
    assert len(seen) == 4 and set(seen) == {1}


def test_deleted_words_are_not_left_in_the_file(tmp_path):
    db = tmp_path / "triage.db"
    store = TriageStore.open(db)
    ref = store.create_request(council="coventry", category="other", urgent=False, contact_method="not_given",
                               contact_detail=None, contact_when=None, name=None,
                               own_words="zebra-marker-" * 40, transcript=[])
    store.set_status("coventry", ref, "cro", "closed")
    assert store.delete_closed_older_than(0, now=store._now() + store_module.timedelta(seconds=1)) == 1
    with sqlite3.connect(db) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
    assert b"zebra-marker-" not in db.read_bytes()


def test_the_councils_are_the_knowledge_content_councils(tmp_path):
    assert store_module.COUNCILS == paths.council_ids() == ("bolton", "coventry", "hampshire")
    for folder in ("york", "national", "_drafts", "no_council_file"):
        (tmp_path / folder).mkdir()
    for folder in ("york", "national", "_drafts"):
        (tmp_path / folder / "council.yml").write_text("council: {}\n")
    assert paths.council_ids(tmp_path) == ("york",)
    assert paths.council_ids(tmp_path / "missing") == ()

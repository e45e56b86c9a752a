"""The triage store: requests, queue, audit, CSV, retention, concurrency, restart, migrations,
users, sessions and sign-in throttling. Every test uses its own database in a temp folder."""
from __future__ import annotations

import csv
import io
import os
import re
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from knowledge.paths import ROOT
from triage import store as store_module
from triage.store import CSV_HEADER, MIGRATIONS, SCHEMA_VERSION, TriageStore, csv_safe, normalise_reference

REFERENCE = r"^CRO-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "triage.db"


@pytest.fixture
def store(db, clock) -> TriageStore:
    return TriageStore.open(db, clock=clock, session_minutes=30, password_hasher=FAST_HASHER)


def new_request(store: TriageStore, council: str = "coventry", **overrides) -> str:
    fields = dict(council=council, category="complaint", urgent=False, contact_method="phone",
                  contact_detail="07700 900123", contact_when="after school", name="Sam",
                  own_words="my placement is rubbish and nobody listens",
                  transcript=[{"who": "young person", "text": "i want to complain"},
                              {"who": "assistant", "text": "A CRO can help with that."}])
    fields.update(overrides)
    return store.create_request(**fields)


# --- opening, paths, migrations -------------------------------------------------------------------
def test_open_creates_the_folder_and_database_in_wal_mode(tmp_path):
    path = tmp_path / "deep" / "er" / "triage.db"
    store = TriageStore.open(path)
    assert path.exists() and store.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
    with sqlite3.connect(path) as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_path_comes_from_the_environment_then_build(tmp_path, monkeypatch):
    monkeypatch.setenv("FAMILY_HELP_TRIAGE_DB", str(tmp_path / "from-env.db"))
    assert TriageStore.open().path == tmp_path / "from-env.db"
    assert (tmp_path / "from-env.db").exists()
    monkeypatch.delenv("FAMILY_HELP_TRIAGE_DB")
    assert store_module.default_path() == ROOT / "build" / "triage.db"
    assert store_module.default_path().is_absolute()


def test_an_older_schema_is_upgraded_and_keeps_its_records(db):
    # A database as the first release left it: only migration 1, version 1, one request.
    with sqlite3.connect(db) as conn:
        conn.execute("create table schema_version (version integer not null)")
        MIGRATIONS[0](conn)
        conn.execute("insert into schema_version values (1)")
        conn.execute("insert into requests (reference, council, category, urgent, status, contact_method, own_words,"
                     " transcript, created_at, updated_at) values ('CRO-AB2CD3', 'bolton', 'placement', 1, 'new',"
                     " 'they_will_ring', 'old words', '[]', '2024-01-01T10:00:00.000000+00:00',"
                     " '2024-01-01T10:00:00.000000+00:00')")
    store = TriageStore.open(db, password_hasher=FAST_HASHER)
    assert store.schema_version() == SCHEMA_VERSION
    old = store.get("bolton", "CRO-AB2CD3")
    assert old.own_words == "old words" and old.urgent and old.category == "placement"
    store.create_user("newuser", "bolton", "a long enough password")  # tables from migration 2 exist
    assert store.verify_user("newuser", "a long enough password") is not None
    with sqlite3.connect(db) as conn:
        indexes = {r[0] for r in conn.execute("select name from sqlite_master where type = 'index'")}
    assert "requests_queue" in indexes  # migration 3
    assert TriageStore.open(db).schema_version() == SCHEMA_VERSION  # opening again changes nothing


def test_a_database_from_newer_code_is_refused(db):
    TriageStore.open(db)
    with sqlite3.connect(db) as conn:
        conn.execute("update schema_version set version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(RuntimeError, match="schema version"):
        TriageStore.open(db)


def test_many_threads_opening_a_new_database_at_once(db):
    errors: list[BaseException] = []
    barrier = threading.Barrier(10)

    def open_it() -> None:
        try:
            barrier.wait()
            TriageStore.open(db)
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=open_it) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with sqlite3.connect(db) as conn:
        assert conn.execute("select version from schema_version").fetchall() == [(SCHEMA_VERSION,)]


# --- requests -------------------------------------------------------------------------------------
def test_a_request_is_stored_as_given(store, clock):
    ref = new_request(store, urgent=True, name="  Sam  ", contact_when="")
    assert ref == normalise_reference(ref) and re.match(REFERENCE, ref)
    r = store.get("coventry", ref)
    assert (r.council, r.category, r.urgent, r.urgency, r.status) == ("coventry", "complaint", True, "urgent", "new")
    assert (r.contact_method, r.contact_detail, r.contact_when, r.name) == ("phone", "07700 900123", None, "Sam")
    assert r.own_words == "my placement is rubbish and nobody listens"
    assert r.transcript[0] == {"who": "young person", "text": "i want to complain"}
    assert r.created_at == clock.now and r.created_at.tzinfo is not None and r.closed_at is None
    assert r.assigned_to is None
    [created] = store.audit("coventry", ref)
    assert (created.actor, created.action, created.new) == ("assistant", "created", "complaint, urgent")


@pytest.mark.parametrize("bad", [
    {"council": "leeds"}, {"category": "gossip"}, {"contact_method": "pigeon"},
    {"transcript": [{"who": "mum", "text": "hi"}]}, {"transcript": [{"who": "assistant"}]}, {"transcript": "hi"},
    {"name": 42},
])
def test_bad_values_are_refused_and_nothing_is_stored(store, bad):
    with pytest.raises(ValueError):
        new_request(store, **bad)
    assert all(store.queue(c, include_closed=True) == [] for c in store_module.COUNCILS)


def test_a_reference_collision_is_retried(store, monkeypatch):
    refs = iter(["CRO-AAAAAA", "CRO-AAAAAA", "CRO-BBBBBB"])
    monkeypatch.setattr(store_module, "_random_reference", lambda: next(refs))
    assert new_request(store) == "CRO-AAAAAA"
    assert new_request(store) == "CRO-BBBBBB"
    assert len(store.queue("coventry")) == 2


def test_references_are_readable_out_loud():
    refs = {store_module._random_reference() for _ in range(2000)}
    assert len(refs) > 1990
    assert not set("".join(r[4:] for r in refs)) & set("01IO")
    assert normalise_reference(" cro-ab2cd3 ") == "CRO-AB2CD3" == normalise_reference("ab2cd3")
    assert normalise_reference("CRO-AB0CD3") is None and normalise_reference("../etc") is None
    assert normalise_reference(None) is None


def test_a_council_only_gets_its_own_records(store):
    ref = new_request(store, council="hampshire")
    assert store.get("hampshire", ref.lower()).reference == ref
    assert store.get("coventry", ref) is None
    assert store.get("hampshire", "CRO-ZZZZZZ") is None
    assert store.queue("coventry") == [] and len(store.queue("hampshire")) == 1
    assert store.audit("coventry", ref) == [] and store.notes("coventry", ref) == []


def test_queue_is_urgent_first_then_oldest_first(store, clock):
    order = []
    for name, urgent in [("old normal", False), ("old urgent", True), ("new normal", False), ("new urgent", True)]:
        order.append((name, new_request(store, name=name, urgent=urgent)))
        clock.advance(minutes=5)
    names = [r.name for r in store.queue("coventry")]
    assert names == ["old urgent", "new urgent", "old normal", "new normal"]


def test_requests_at_the_same_instant_keep_their_arrival_order(store):
    refs = [new_request(store, name=str(i)) for i in range(5)]  # the clock does not move
    assert [r.reference for r in store.queue("coventry")] == refs


def test_queue_filters(store, clock):
    a = new_request(store, category="placement")
    b = new_request(store, category="complaint")
    c = new_request(store, category="placement")
    store.set_status("coventry", c, "alice", "closed")
    store.claim("coventry", b, "alice")
    refs = lambda **kw: [r.reference for r in store.queue("coventry", **kw)]  # noqa: E731
    assert refs() == [a, b]  # closed ones are left out
    assert refs(include_closed=True) == [a, b, c]
    assert refs(status="closed") == [c]
    assert refs(status="claimed") == [b]
    assert refs(category="placement") == [a]
    assert refs(category="placement", include_closed=True) == [a, c]
    with pytest.raises(ValueError):
        store.queue("coventry", status="archived")
    with pytest.raises(ValueError):
        store.queue("coventry", category="nonsense")
    with pytest.raises(ValueError):
        store.queue("leeds")


# --- changes and the audit trail ------------------------------------------------------------------
def test_every_change_is_audited_with_who_when_and_old_and_new(store, clock):
    ref = new_request(store)
    clock.advance(minutes=1)
    assert store.claim("coventry", ref, "alice") is True
    clock.advance(minutes=1)
    assert store.add_note("coventry", ref, "alice", "  Rang, no answer.  ") is True
    clock.advance(minutes=1)
    assert store.set_category("coventry", ref, "alice", "placement") is True
    clock.advance(minutes=1)
    assert store.set_status("coventry", ref, "alice", "contacted") is True
    clock.advance(minutes=1)
    assert store.claim("coventry", ref, "bob") is True  # reassigned; not 'new', so the status stays
    clock.advance(minutes=1)
    assert store.set_status("coventry", ref, "bob", "closed") is True

    trail = [(a.actor, a.action, a.old, a.new) for a in store.audit("coventry", ref)]
    assert trail == [
        ("assistant", "created", None, "complaint, normal"),
        ("alice", "assigned", None, "alice"),
        ("alice", "status", "new", "claimed"),
        ("alice", "note", None, "added"),
        ("alice", "category", "complaint", "placement"),
        ("alice", "status", "claimed", "contacted"),
        ("bob", "assigned", "alice", "bob"),
        ("bob", "status", "contacted", "closed"),
    ]
    times = [a.at for a in store.audit("coventry", ref)]
    assert times == sorted(times) and times[-1] == clock.now
    r = store.get("coventry", ref)
    assert (r.status, r.category, r.assigned_to, r.closed_at) == ("closed", "placement", "bob", clock.now)
    [note] = store.notes("coventry", ref)
    assert (note.author, note.text) == ("alice", "Rang, no answer.")

    clock.advance(minutes=1)
    store.set_status("coventry", ref, "bob", "claimed")  # reopening clears closed_at
    assert store.get("coventry", ref).closed_at is None


def test_a_change_that_changes_nothing_writes_no_audit_row(store):
    ref = new_request(store)
    store.claim("coventry", ref, "alice")
    before = len(store.audit("coventry", ref))
    assert store.claim("coventry", ref, "alice") is True
    assert store.set_category("coventry", ref, "alice", "complaint") is True
    assert store.set_status("coventry", ref, "alice", "claimed") is True
    assert len(store.audit("coventry", ref)) == before


@pytest.mark.parametrize("council, reference", [("coventry", "CRO-ZZZZZZ"), ("hampshire", None), ("coventry", "x")])
def test_changes_to_unknown_or_another_councils_record_are_refused(store, council, reference):
    ref = new_request(store)
    target = reference or ref
    assert store.claim(council, target, "eve") is False
    assert store.add_note(council, target, "eve", "hello") is False
    assert store.set_category(council, target, "eve", "other") is False
    assert store.set_status(council, target, "eve", "closed") is False
    r = store.get("coventry", ref)
    assert (r.status, r.category, r.assigned_to) == ("new", "complaint", None)
    assert len(store.audit("coventry", ref)) == 1 and store.notes("coventry", ref) == []


def test_bad_changes_raise(store):
    ref = new_request(store)
    for call in (lambda: store.add_note("coventry", ref, "alice", "   "),
                 lambda: store.add_note("coventry", ref, "alice", "x" * 5001),
                 lambda: store.set_category("coventry", ref, "alice", "gossip"),
                 lambda: store.set_status("coventry", ref, "alice", "archived"),
                 lambda: store.claim("coventry", ref, "")):
        with pytest.raises(ValueError):
            call()
    assert len(store.audit("coventry", ref)) == 1


# --- CSV export -----------------------------------------------------------------------------------
def test_csv_export_has_a_header_and_defuses_formulas(store):
    ref = new_request(store, name="=HYPERLINK(\"http://evil\")", own_words="@SUM(1+1)",
                      contact_detail="+44 7700 900123", contact_when="-1 o'clock")
    new_request(store, council="bolton", name="Not Coventry's")
    closed = new_request(store)
    store.set_status("coventry", closed, "alice", "closed")
    out = io.StringIO()
    assert store.export_csv("coventry", out) == 1
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == list(CSV_HEADER) == ["reference", "created", "council", "category", "urgency", "status",
                                           "assigned to", "contact method", "contact detail", "contact when",
                                           "name", "own words"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["reference"] == ref and row["council"] == "coventry" and row["urgency"] == "normal"
    assert row["name"] == "'=HYPERLINK(\"http://evil\")"
    assert row["own words"] == "'@SUM(1+1)"
    assert row["contact detail"] == "'+44 7700 900123"
    assert row["contact when"] == "'-1 o'clock"
    assert "Not Coventry" not in out.getvalue()
    out = io.StringIO()
    assert store.export_csv("coventry", out, include_closed=True) == 2


@pytest.mark.parametrize("value, safe", [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"),
                                         ("\t=1", "'\t=1"), ("  =1", "'  =1"), ("ok = fine", "ok = fine"),
                                         (None, ""), ("", "")])
def test_csv_safe(value, safe):
    assert csv_safe(value) == safe


# --- retention ------------------------------------------------------------------------------------
def test_retention_deletes_only_closed_records_older_than_the_limit(store, clock, db):
    old_closed = new_request(store, name="old closed")
    store.add_note("coventry", old_closed, "alice", "private note")
    store.set_status("coventry", old_closed, "alice", "closed")
    other_council_old_closed = new_request(store, council="bolton")
    store.set_status("bolton", other_council_old_closed, "bob", "closed")
    old_open = new_request(store, name="old but open")
    clock.advance(days=60)
    recent_closed = new_request(store, name="recent closed")
    store.set_status("coventry", recent_closed, "alice", "closed")
    clock.advance(days=31)  # old ones closed 91 days ago, the recent one 31

    assert store.delete_closed_older_than(90) == 2
    assert store.get("coventry", old_closed) is None and store.get("bolton", other_council_old_closed) is None
    assert store.get("coventry", old_open) is not None and store.get("coventry", recent_closed) is not None
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from notes").fetchone()[0] == 0
        kept = {r[0] for r in conn.execute("select distinct request_id from audit")}
        assert len(kept) == 2  # only the kept requests still have audit rows
    assert store.delete_closed_older_than(90) == 0
    assert store.delete_closed_older_than(30, now=clock.now) == 1
    with pytest.raises(ValueError):
        store.delete_closed_older_than(-1)


# --- restart and concurrency --------------------------------------------------------------------
def test_a_restart_loses_nothing(db, clock):
    first = TriageStore.open(db, clock=clock, password_hasher=FAST_HASHER)
    ref = new_request(first)
    first.claim("coventry", ref, "alice")
    first.add_note("coventry", ref, "alice", "called")
    first.create_user("alice", "coventry", "correct horse battery")
    del first
    again = TriageStore.open(db, password_hasher=FAST_HASHER)
    assert again.get("coventry", ref).assigned_to == "alice"
    assert [n.text for n in again.notes("coventry", ref)] == ["called"]
    assert len(again.audit("coventry", ref)) == 4
    assert again.verify_user("alice", "correct horse battery") is not None


def test_twenty_threads_writing_at_once_all_land(store):
    barrier = threading.Barrier(20)
    refs: list[str] = []
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            barrier.wait()
            refs.append(new_request(store, name=f"thread {i}", urgent=i % 2 == 0))
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(refs)) == 20
    assert {r.reference for r in store.queue("coventry")} == set(refs)


WRITER = """
import sys, threading
from triage.store import TriageStore
store = TriageStore.open(sys.argv[1])
refs = []
def work():
    for i in range(10):
        refs.append(store.create_request(council="bolton", category="other", urgent=False, contact_method="not_given",
                                         contact_detail=None, contact_when=None, name=None, own_words="p" + sys.argv[2],
                                         transcript=[]))
threads = [threading.Thread(target=work) for _ in range(3)]
for t in threads: t.start()
for t in threads: t.join()
print("\\n".join(refs))
"""


def test_two_processes_and_threads_writing_at_once_all_land(db):
    TriageStore.open(db)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(n)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
             for n in (1, 2)]
    here = TriageStore.open(db)
    local = [here.create_request(council="bolton", category="other", urgent=True, contact_method="not_given",
                                 contact_detail=None, contact_when=None, name=None, own_words="here", transcript=[])
             for _ in range(10)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    refs = [line for out, _ in outputs for line in out.split()] + local
    assert len(refs) == 70 and len(set(refs)) == 70
    stored = here.queue("bolton")
    assert {r.reference for r in stored} == set(refs)
    assert sum(r.own_words == "p1" for r in stored) == 30 == sum(r.own_words == "p2" for r in stored)


# --- users ----------------------------------------------------------------------------------------
def test_users_create_verify_and_disable(store):
    user = store.create_user("  Alice.Smith ", "coventry", "correct horse battery")
    assert (user.username, user.council, user.disabled) == ("alice.smith", "coventry", False)
    assert store.verify_user("ALICE.SMITH", "correct horse battery") == user
    assert store.verify_user("alice.smith", "wrong horse battery") is None
    assert store.verify_user("nobody", "correct horse battery") is None
    assert store.verify_user("alice.smith", None) is None
    assert store.disable_user("alice.smith") is True
    assert store.verify_user("alice.smith", "correct horse battery") is None
    assert [(u.username, u.disabled) for u in store.list_users()] == [("alice.smith", True)]
    assert store.enable_user("alice.smith") is True
    assert store.verify_user("alice.smith", "correct horse battery") is not None
    assert store.disable_user("nobody") is False


def test_passwords_are_hashed_with_argon2(store, db):
    store.create_user("alice", "coventry", "correct horse battery")
    with sqlite3.connect(db) as conn:
        [(hashed,)] = conn.execute("select password_hash from users").fetchall()
    assert hashed.startswith("$argon2id$") and "correct horse" not in hashed


@pytest.mark.parametrize("username, council, password", [
    ("alice", "coventry", "short"), ("alice", "leeds", "correct horse battery"),
    ("a", "coventry", "correct horse battery"), ("al ice", "coventry", "correct horse battery"),
    ("", "coventry", "correct horse battery"),
])
def test_bad_users_are_refused(store, username, council, password):
    with pytest.raises(ValueError):
        store.create_user(username, council, password)
    assert store.list_users() == []


def test_a_username_is_taken_once(store):
    store.create_user("alice", "coventry", "correct horse battery")
    with pytest.raises(ValueError, match="already"):
        store.create_user("ALICE", "bolton", "another long password")


def test_an_outdated_hash_is_upgraded_on_sign_in(db):
    TriageStore.open(db, password_hasher=FAST_HASHER).create_user("alice", "coventry", "correct horse battery")
    strong = TriageStore.open(db)  # today's default parameters
    assert strong.verify_user("alice", "correct horse battery") is not None
    with sqlite3.connect(db) as conn:
        [(hashed,)] = conn.execute("select password_hash from users").fetchall()
    assert not PasswordHasher().check_needs_rehash(hashed)
    assert strong.verify_user("alice", "correct horse battery") is not None


def test_set_password(store):
    store.create_user("alice", "coventry", "correct horse battery")
    sid, _ = store.create_session(store.get_user("alice"))
    assert store.set_password("alice", "a brand new password") is True
    assert store.verify_user("alice", "correct horse battery") is None
    assert store.verify_user("alice", "a brand new password") is not None
    assert store.session(sid) is None  # signed out everywhere
    assert store.set_password("nobody", "a brand new password") is False


# --- sessions -------------------------------------------------------------------------------------
@pytest.fixture
def alice(store):
    return store.create_user("alice", "coventry", "correct horse battery")


def test_a_session_slides_and_expires_after_idle_time(store, clock, alice):
    sid, csrf = store.create_session(alice)
    s = store.session(sid)
    assert (s.username, s.council, s.csrf_token, s.id) == ("alice", "coventry", csrf, sid)
    clock.advance(minutes=20)
    assert store.session(sid) is not None  # used: idle time restarts
    clock.advance(minutes=20)
    assert store.session(sid).expires_at == clock.now + timedelta(minutes=30)
    clock.advance(minutes=30)
    assert store.session(sid) is None
    assert store.session(sid) is None  # and it is gone


def test_session_minutes_from_the_environment(db, clock, monkeypatch):
    monkeypatch.setenv("FAMILY_HELP_CRO_SESSION_MINUTES", "5")
    store = TriageStore.open(db, clock=clock, password_hasher=FAST_HASHER)
    sid, _ = store.create_session(store.create_user("alice", "coventry", "correct horse battery"))
    clock.advance(minutes=4)
    assert store.session(sid) is not None
    clock.advance(minutes=5)
    assert store.session(sid) is None
    monkeypatch.setenv("FAMILY_HELP_CRO_SESSION_MINUTES", "soon")
    with pytest.raises(ValueError, match="FAMILY_HELP_CRO_SESSION_MINUTES"):
        TriageStore.open(db)


def test_ending_and_purging_sessions(store, clock, alice, db):
    sid, _ = store.create_session(alice)
    other, _ = store.create_session("alice")
    assert sid != other
    assert store.end_session(sid) is True and store.session(sid) is None
    assert store.end_session(sid) is False and store.end_session(None) is False
    assert store.session(other) is not None
    clock.advance(minutes=31)
    assert store.purge_expired() == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from sessions").fetchone()[0] == 0


def test_sessions_are_stored_hashed_and_bad_ids_are_refused(store, alice, db):
    sid, csrf = store.create_session(alice)
    with sqlite3.connect(db) as conn:
        assert sid not in str(conn.execute("select * from sessions").fetchall())
    for bad in (None, "", "x" * 500, sid + "x"):
        assert store.session(bad) is None


def test_disabling_a_user_ends_their_sessions(store, alice):
    sid, _ = store.create_session(alice)
    store.disable_user("alice")
    assert store.session(sid) is None
    with pytest.raises(ValueError):
        store.create_session(alice)


# --- sign-in throttling: by client address, and across all clients -------------------------------
A, B = "203.0.113.7", "198.51.100.20"


def test_five_failures_from_one_client_in_fifteen_minutes_make_it_wait_fifteen_minutes(store, clock):
    for _ in range(4):
        assert store.record_login_failure(A) is False
        clock.advance(minutes=2)
    assert not store.login_locked(A)
    assert store.record_login_failure(A) is True
    assert store.login_locked(A) and not store.login_locked(B)  # another client is not affected
    clock.advance(minutes=14)
    assert store.login_locked(A)
    clock.advance(minutes=2)
    assert not store.login_locked(A)


def test_failures_spread_out_do_not_lock_and_success_clears(store, clock):
    for _ in range(6):
        store.record_login_failure(A)
        clock.advance(minutes=4)  # never five inside 15 minutes
    assert not store.login_locked(A)
    for _ in range(4):
        store.record_login_failure(A)
    store.clear_login_failures(A)
    assert store.record_login_failure(A) is False


def test_failures_from_many_clients_make_sign_in_busy_and_stricter(store, clock):
    from triage.store import LOGIN_BUSY_MAX_FAILURES, LOGIN_GLOBAL_MAX_FAILURES

    clients = [f"192.0.2.{n}" for n in range(LOGIN_GLOBAL_MAX_FAILURES)]
    for client in clients[:-1]:
        assert store.record_login_failure(client) is False  # one try each: none of them waits
    assert not store.login_busy()
    store.record_login_failure(clients[-1])
    assert store.login_busy()
    for _ in range(LOGIN_BUSY_MAX_FAILURES - 1):
        assert store.record_login_failure(B) is False
    assert store.record_login_failure(B) is True  # while busy, a client waits sooner
    assert not store.login_locked(A)  # a client with no failures may still try
    clock.advance(minutes=16)
    assert not store.login_busy()


def test_client_addresses_are_never_stored(store):
    store.record_login_failure(A)
    for _ in range(5):
        store.record_login_failure(B)
    with sqlite3.connect(store.path) as conn:
        rows = conn.execute("select * from login_failures").fetchall() + \
            conn.execute("select * from login_lockouts").fetchall()
    assert len(rows) == 7
    assert A not in str(rows) and B not in str(rows) and "203.0.113" not in str(rows)

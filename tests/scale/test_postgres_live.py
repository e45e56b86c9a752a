"""The PostgreSQL stores on a live PostgreSQL: the triage store (every kind of statement, through
tests/triage/test_store_postgres.py's `exercise`) and conversation retention on Rasa's events table.
Run by `make scale-test` (tests/scale/run.py) against its own cluster; skipped anywhere else. It empties
the triage tables of the database it is given, so it runs only when SCALE_TEST_LIVE_DB=1 (set by
tests/scale/run.py alone) and the database is on this machine."""
from __future__ import annotations

import json
import os
import time

import pytest
from argon2 import PasswordHasher

from bot import retention
from tests.triage.test_store_postgres import exercise
from triage.store import TriageStore, postgres_settings

PARAMS = postgres_settings()


def _not_here() -> str:
    """Why these tests do not run here ('' when they do)."""
    if os.environ.get("SCALE_TEST_LIVE_DB") != "1":
        return ("a live PostgreSQL test, not part of make test: make scale-test (tests/scale/run.py) runs it "
                "against the PostgreSQL it starts, setting SCALE_TEST_LIVE_DB=1 (it empties the triage tables)")
    if PARAMS is None:
        return "SCALE_TEST_LIVE_DB=1 but FAMILY_HELP_DB_HOST is not set: no PostgreSQL to run against"
    if PARAMS["host"] != "127.0.0.1":
        return f"FAMILY_HELP_DB_HOST is {PARAMS['host']}, not 127.0.0.1: it runs only on a database on this machine"
    return ""


pytestmark = pytest.mark.skipif(bool(_not_here()), reason=_not_here() or "runs")


def test_the_triage_store_on_postgresql(clock):
    import psycopg2

    store = TriageStore.open(clock=clock, session_minutes=30,
                             password_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    assert store.postgres and store.schema_version() > 0
    with psycopg2.connect(**PARAMS) as conn, conn.cursor() as cur:  # a clean queue for the exact checks
        cur.execute("delete from notes; delete from audit; delete from requests; delete from sessions;"
                    " delete from users; delete from login_failures; delete from login_lockouts")
    exercise(store, clock)


def test_retention_on_rasas_events_table_in_postgresql():
    import psycopg2

    old, new = f"retention-old-{time.time_ns()}", f"retention-new-{time.time_ns()}"
    with psycopg2.connect(**PARAMS) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass('events') is not null")
        assert cur.fetchone()[0], "Rasa makes the events table when it starts"
        for sender, age in ((old, 40), (new, 1)):
            for i in range(3):
                cur.execute("insert into events (sender_id, type_name, timestamp, data) values (%s, 'user', %s, %s)",
                            (sender, time.time() - age * 86400 - i, json.dumps({"text": "x"})))
    assert retention.purge_postgres(PARAMS, 30) >= 1
    with psycopg2.connect(**PARAMS) as conn, conn.cursor() as cur:
        cur.execute("select sender_id, count(*) from events where sender_id in (%s, %s) group by sender_id", (old, new))
        assert dict(cur.fetchall()) == {new: 3}
        cur.execute("delete from events where sender_id = %s", (new,))


def test_the_web_servers_cro_queue_shows_what_the_action_server_stored():
    """The action server stores a request (TriageStore.open(), as actions/cro_request.py does) and a CRO
    signed in on the running web server sees it: both on the one PostgreSQL queue."""
    import http.cookiejar
    import urllib.parse
    import urllib.request

    web = os.environ.get("SCALE_TEST_WEB_URL")
    if not web:
        pytest.skip("SCALE_TEST_WEB_URL is not set: make scale-test gives it its running web server's address")
    store = TriageStore.open()
    name = f"scale.{time.time_ns()}"
    store.create_user(name, "bolton", "a long enough password")
    reference = store.create_request(council="bolton", category="advocacy", urgent=False, contact_method="not_given",
                                     contact_detail=None, contact_when=None, name=None, own_words=None, transcript=[])
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                         urllib.request.ProxyHandler({}))
    form = urllib.parse.urlencode({"username": name, "password": "a long enough password"}).encode()
    with opener.open(urllib.request.Request(f"{web}/cro/login", data=form, headers={"Origin": web}), timeout=30) as r:
        page = r.read().decode()
    assert reference in page  # signed in, redirected to the queue, which lists the request

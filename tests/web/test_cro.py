"""The CRO web view (web/cro.py) through a real HTTP server: access rules, CSRF, the Origin check,
sessions, sign-in throttling by client and across clients, the queue, a request's details, the
full claim -> note -> close flow, CSV export, security headers, accessibility basics and logs
without personal data."""
from __future__ import annotations

import csv
import io
import logging
import re
import sqlite3
import time
from html.parser import HTMLParser
from typing import Optional

import aiohttp
import pytest
import yarl
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher

from triage.store import TriageStore
from web.cro import COOKIE, PUBLIC_ROUTES, cro_app

PASSWORD = "correct horse battery"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
# aiohttp 3.9.5 with yarl >= 1.13 cannot mount a sub-app when the Host header has a port
# (aio-libs/aiohttp#9435); the clients here send a Host without one. See the canary test at the end.
# Like a browser, they send the page's Origin with every request (the CRO view checks it on POSTs).
ORIGIN = "http://localhost"
HOST = {"Host": "localhost", "Origin": ORIGIN}

YOUNG_PERSON = {"name": "Zebedee Quill", "own_words": "my foster carer <script>alert(1)</script> shouts",
                "contact_detail": "07700 900987", "contact_when": "after 4pm on weekdays"}


@pytest.fixture
def store(tmp_path, clock) -> TriageStore:
    s = TriageStore.open(tmp_path / "triage.db", clock=clock, session_minutes=30, password_hasher=FAST_HASHER)
    s.create_user("alice", "coventry", PASSWORD)
    s.create_user("bob", "hampshire", PASSWORD)
    return s


def make_request(store: TriageStore, council: str = "coventry", **overrides) -> str:
    fields = dict(council=council, category="placement", urgent=False, contact_method="phone",
                  transcript=[{"who": "young person", "text": "i want a CRO"},
                              {"who": "assistant", "text": "I can pass this on."}], **YOUNG_PERSON)
    fields.update(overrides)
    return store.create_request(**fields)


@pytest.fixture
def ref(store) -> str:
    return make_request(store)


@pytest.fixture
def other_ref(store) -> str:
    return make_request(store, council="hampshire", name="Hampshire Person")


@pytest.fixture
async def make_client(store):
    clients: list[TestClient] = []

    async def make(secure_cookies: bool = False, address: str = "127.0.0.1", origin: Optional[str] = ORIGIN,
                   busy_delay: float = 0.0) -> TestClient:
        """A browser at ``address`` (any 127.x.y.z: the server sees it as the client's address)."""
        app = web.Application()
        app.add_subapp("/cro", cro_app(store, secure_cookies=secure_cookies, busy_delay=busy_delay))
        headers = {**HOST, "Origin": origin} if origin else {"Host": HOST["Host"]}
        client = TestClient(TestServer(app), headers=headers,
                            connector=aiohttp.TCPConnector(local_addr=(address, 0)))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for c in clients:
        await c.close()


@pytest.fixture
async def client(make_client) -> TestClient:
    return await make_client()


async def sign_in(client: TestClient, username: str = "alice", password: str = PASSWORD) -> str:
    """Sign in and return the session's CSRF token (read from a page, as a browser would)."""
    r = await client.post("/cro/login", data={"username": username, "password": password}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/cro/", await r.text()
    page = await (await client.get("/cro/")).text()
    return CSRF_RE.search(page).group(1)


def session_cookie(client: TestClient) -> Optional[str]:
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/cro/")).get(COOKIE)
    return cookie.value if cookie else None


def trail(store: TriageStore, council: str, reference: str) -> list[tuple]:
    return [(a.actor, a.action, a.old, a.new) for a in store.audit(council, reference)]


class Page(HTMLParser):
    """What the accessibility checks need from a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.buttons: list[tuple[dict, str]] = []
        self._button: Optional[dict] = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "button":
            self._button, self._text = a, []

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None:
            self.buttons.append((self._button, " ".join("".join(self._text).split())))
            self._button = None

    def all(self, tag: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag]

    def button(self, name: str) -> Optional[dict]:
        return next((a for a, text in self.buttons if text == name), None)


# --- signed out: refused everywhere ------------------------------------------------------------
PROTECTED = [
    ("GET", "/cro/", 303),
    ("GET", "/cro/requests/{ref}", 303),
    ("GET", "/cro/export.csv", 401),
    ("POST", "/cro/logout", 401),
    ("POST", "/cro/requests/{ref}/claim", 401),
    ("POST", "/cro/requests/{ref}/note", 401),
    ("POST", "/cro/requests/{ref}/category", 401),
    ("POST", "/cro/requests/{ref}/status", 401),
]
FORM = {"note": "sneaky", "category": "other", "status": "closed", "csrf_token": "guessed"}


def test_the_refusal_list_covers_every_route(store):
    app = cro_app(store)
    routes = {(r.method, r.resource.canonical) for r in app.router.routes()
              if r.method != "HEAD" and r.name not in PUBLIC_ROUTES}
    assert routes == {(m, p.replace("{ref}", "{reference}").removeprefix("/cro") or "/") for m, p, _ in PROTECTED}
    assert PUBLIC_ROUTES == {"login", "login_post", "stylesheet", "home"}


@pytest.mark.parametrize("cookie", [None, "forged-session-id"])
@pytest.mark.parametrize("method, path, status", PROTECTED)
async def test_signed_out_is_refused_everywhere(client, store, ref, method, path, status, cookie):
    if cookie:
        client.session.cookie_jar.update_cookies({COOKIE: cookie}, yarl.URL(str(client.make_url("/cro/"))))
    r = await client.request(method, path.format(ref=ref), data=FORM if method == "POST" else None,
                             allow_redirects=False)
    assert r.status == status
    body = await r.text()
    if status == 303:
        assert r.headers["Location"].startswith("/cro/login")
    for personal in YOUNG_PERSON.values():
        assert personal not in body
    assert trail(store, "coventry", ref) == [("assistant", "created", None, "placement, normal")]
    assert store.notes("coventry", ref) == []


async def test_public_routes(client):
    r = await client.get("/cro/login")
    assert r.status == 200 and "Sign in" in await r.text()
    r = await client.get("/cro/static/cro.css")
    assert r.status == 200 and r.content_type == "text/css" and ".skip-link" in await r.text()
    r = await client.get("/cro", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/cro/"


# --- sign in and out ---------------------------------------------------------------------------
@pytest.mark.parametrize("secure", [False, True])
async def test_the_session_cookie_is_http_only_strict_and_scoped_to_cro(make_client, secure):
    client = await make_client(secure_cookies=secure)
    r = await client.post("/cro/login", data={"username": "alice", "password": PASSWORD}, allow_redirects=False)
    [set_cookie] = r.headers.getall("Set-Cookie")
    assert set_cookie.startswith(f"{COOKIE}=")
    attributes = {a.strip().split("=")[0].lower(): a.strip() for a in set_cookie.split(";")[1:]}
    assert "httponly" in attributes and attributes["samesite"] == "SameSite=Strict"
    assert attributes["path"] == "Path=/cro"
    assert ("secure" in attributes) is secure
    assert "expires" not in attributes and "max-age" not in attributes  # gone when the browser closes


async def test_a_failed_sign_in_says_the_same_whatever_was_wrong(client, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = await client.post("/cro/login", data={"username": "alice", "password": "wrong horse battery"})
    unknown = await client.post("/cro/login", data={"username": "mallory", "password": PASSWORD})
    assert wrong.status == unknown.status == 401
    for r in (wrong, unknown):
        body = await r.text()
        assert "The username or password is not right." in body and COOKIE not in r.headers.get("Set-Cookie", "")
    assert session_cookie(client) is None
    empty = await client.post("/cro/login", data={"username": "alice", "password": ""})
    assert empty.status == 400 and "Enter your username and password." in await empty.text()
    assert "mallory" not in caplog.text and "alice" not in caplog.text and "wrong horse" not in caplog.text


WRONG = {"username": "alice", "password": "wrong horse battery"}


async def test_sign_in_is_throttled_by_client_not_by_username(make_client, store, clock):
    attacker = await make_client(address="127.0.0.2")
    for attempt in range(5):
        r = await attacker.post("/cro/login", data={"username": "alice", "password": f"wrong password {attempt}"})
        assert r.status == (429 if attempt == 4 else 401)
        clock.advance(minutes=2)
    r = await attacker.post("/cro/login", data={"username": "Alice", "password": PASSWORD}, allow_redirects=False)
    assert r.status == 429 and "too many tries" in await r.text() and session_cookie(attacker) is None
    r = await attacker.post("/cro/login", data={"username": "bob", "password": PASSWORD}, allow_redirects=False)
    assert r.status == 429  # the client waits, whichever username it tries
    # The real Alice, somewhere else, signs in while the attacker keeps trying: no lock on her name.
    alice = await make_client(address="127.0.0.3")
    await sign_in(alice, "alice")
    for _ in range(20):
        assert (await attacker.post("/cro/login", data=WRONG)).status == 429
    await sign_in(await make_client(address="127.0.0.4"), "alice")
    clock.advance(minutes=12)  # 14 minutes after the fifth failure
    r = await attacker.post("/cro/login", data={"username": "alice", "password": PASSWORD}, allow_redirects=False)
    assert r.status == 429
    clock.advance(minutes=2)
    await sign_in(attacker, "alice")


async def test_a_right_password_clears_the_clients_earlier_failures(make_client):
    client = await make_client(address="127.0.0.5")
    for _ in range(4):
        assert (await client.post("/cro/login", data=WRONG)).status == 401
    await sign_in(client, "alice")
    for _ in range(4):  # four more wrong ones do not make it wait: the count started again
        assert (await client.post("/cro/login", data=WRONG)).status == 401


async def test_a_spray_from_many_clients_slows_every_sign_in_but_a_right_password_works(make_client, store):
    from triage.store import LOGIN_BUSY_MAX_FAILURES, LOGIN_GLOBAL_MAX_FAILURES

    delay = 0.5
    quiet = await make_client(address="127.0.0.6", busy_delay=delay)
    started = time.monotonic()
    await sign_in(quiet, "alice")
    assert time.monotonic() - started < delay  # nothing is slowed while sign-ins are not failing everywhere
    for n in range(LOGIN_GLOBAL_MAX_FAILURES):  # one wrong password each from many addresses
        store.record_login_failure(f"192.0.2.{n}")
    assert not store.login_locked("127.0.0.7")
    real = await make_client(address="127.0.0.7", busy_delay=delay)
    started = time.monotonic()
    await sign_in(real, "alice")  # a right password from a client with no failures still works...
    assert time.monotonic() - started >= delay  # ...after a short wait
    sprayer = await make_client(address="127.0.0.8", busy_delay=delay)
    statuses = [(await sprayer.post("/cro/login", data=WRONG)).status for _ in range(LOGIN_BUSY_MAX_FAILURES + 1)]
    assert statuses == [401] * (LOGIN_BUSY_MAX_FAILURES - 1) + [429, 429]  # and each client waits sooner


async def test_the_throttle_and_the_logs_never_hold_the_clients_address(make_client, store, caplog):
    caplog.set_level(logging.DEBUG)
    client = await make_client(address="127.0.0.9")
    for _ in range(6):
        await client.post("/cro/login", data=WRONG)
    with sqlite3.connect(store.path) as conn:
        stored = str(conn.execute("select * from login_failures").fetchall() +
                     conn.execute("select * from login_lockouts").fetchall())
    assert "127.0.0.9" not in stored and "alice" not in stored
    ours = [r.getMessage() for r in caplog.records if r.name == "web.cro"]
    assert any("sign-in refused" in m for m in ours)
    assert not any("127.0.0" in m or "alice" in m for m in ours)


async def test_signed_in_the_login_page_goes_to_the_queue(client):
    await sign_in(client)
    r = await client.get("/cro/login", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/cro/"


async def test_sign_out_ends_the_session(client, make_client, store):
    csrf = await sign_in(client)
    old_cookie = session_cookie(client)
    assert store.session(old_cookie) is not None
    r = await client.post("/cro/logout", data={"csrf_token": csrf}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/cro/login?signed_out=1"
    assert store.session(old_cookie) is None
    assert session_cookie(client) is None
    page = await (await client.get("/cro/login?signed_out=1")).text()
    assert "You have signed out." in page
    thief = await make_client()  # replaying the old cookie does not work either
    thief.session.cookie_jar.update_cookies({COOKIE: old_cookie}, yarl.URL(str(thief.make_url("/cro/"))))
    r = await thief.get("/cro/", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith("/cro/login")


async def test_signing_in_again_gives_a_new_session(client, store):
    await sign_in(client)
    first = session_cookie(client)
    await sign_in(client)
    assert session_cookie(client) != first and store.session(first) is None


async def test_a_session_expires_after_thirty_idle_minutes(client, clock):
    await sign_in(client)
    for _ in range(3):  # using it keeps it alive
        clock.advance(minutes=20)
        assert (await client.get("/cro/", allow_redirects=False)).status == 200
    clock.advance(minutes=31)
    r = await client.get("/cro/", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/cro/login?expired=1"
    assert "inactive" in await (await client.get("/cro/login?expired=1")).text()
    assert (await client.get("/cro/export.csv", allow_redirects=False)).status == 401


async def test_a_disabled_cro_is_signed_out(client, store):
    await sign_in(client)
    store.disable_user("alice")
    assert (await client.get("/cro/", allow_redirects=False)).status == 303
    r = await client.post("/cro/login", data={"username": "alice", "password": PASSWORD})
    assert r.status == 401


# --- CSRF ----------------------------------------------------------------------------------------
POSTS = ["/cro/requests/{ref}/claim", "/cro/requests/{ref}/note", "/cro/requests/{ref}/category",
         "/cro/requests/{ref}/status", "/cro/logout"]


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize("token", ["missing", "wrong", "another session's"])
async def test_a_post_without_the_sessions_csrf_token_is_403(client, make_client, store, ref, path, token):
    own = await sign_in(client)
    others = await sign_in(await make_client())
    data = {"note": "sneaky", "category": "other", "status": "closed"}
    if token == "wrong":
        data["csrf_token"] = own[:-2] + "xx"
    elif token == "another session's":
        data["csrf_token"] = others
    r = await client.post(path.format(ref=ref), data=data, allow_redirects=False)
    assert r.status == 403 and "This form has expired" in await r.text()
    assert trail(store, "coventry", ref) == [("assistant", "created", None, "placement, normal")]
    assert store.notes("coventry", ref) == [] and store.session(session_cookie(client)) is not None


# --- Origin: every POST, sign-in too, must come from this server's own pages ----------------------
FOREIGN = ["http://evil.example", "null", "http://localhost.evil.example", "https://localhost:8443", ""]


@pytest.mark.parametrize("origin", FOREIGN)
async def test_a_sign_in_from_another_origin_is_refused(make_client, store, origin):
    client = await make_client(origin=origin or None)
    headers = {"Origin": origin} if origin else {}  # "": neither Origin nor Referer
    r = await client.post("/cro/login", data={"username": "alice", "password": PASSWORD}, headers=headers,
                          allow_redirects=False)
    assert r.status == 403 and "This form has expired" in await r.text()
    assert session_cookie(client) is None
    assert not store.login_busy() and not store.login_locked("127.0.0.1")  # nothing was even tried


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize("origin", FOREIGN)
async def test_a_signed_in_post_from_another_origin_is_refused_even_with_the_token(make_client, store, ref, path,
                                                                                   origin):
    client = await make_client()
    csrf = await sign_in(client)
    cookie = session_cookie(client)
    foreign = await make_client(origin=origin or None)  # the same browser, posting from another site
    foreign.session.cookie_jar.update_cookies({COOKIE: cookie}, yarl.URL(str(foreign.make_url("/cro/"))))
    data = {"csrf_token": csrf, "note": "sneaky", "category": "other", "status": "closed"}
    r = await foreign.post(path.format(ref=ref), data=data, allow_redirects=False)
    assert r.status == 403 and "This form has expired" in await r.text()
    assert trail(store, "coventry", ref) == [("assistant", "created", None, "placement, normal")]
    assert store.notes("coventry", ref) == [] and store.session(cookie) is not None


async def test_without_an_origin_the_referer_must_be_this_server(make_client, ref, store):
    client = await make_client(origin=None)
    own, other = {"Referer": "http://localhost/cro/login"}, {"Referer": "http://evil.example/cro/login"}
    login = {"username": "alice", "password": PASSWORD}
    assert (await client.post("/cro/login", data=login, headers=other, allow_redirects=False)).status == 403
    r = await client.post("/cro/login", data=login, headers=own, allow_redirects=False)
    assert r.status == 303 and session_cookie(client)
    csrf = CSRF_RE.search(await (await client.get("/cro/")).text()).group(1)
    r = await client.post(f"/cro/requests/{ref}/claim", data={"csrf_token": csrf}, headers=other,
                          allow_redirects=False)
    assert r.status == 403 and store.get("coventry", ref).assigned_to is None
    r = await client.post(f"/cro/requests/{ref}/claim", data={"csrf_token": csrf},
                          headers={"Referer": f"http://localhost/cro/requests/{ref}"}, allow_redirects=False)
    assert r.status == 303 and store.get("coventry", ref).assigned_to == "alice"


async def test_behind_https_the_https_origin_is_this_server(make_client):
    behind_https = await make_client(secure_cookies=True, origin="https://localhost")
    r = await behind_https.post("/cro/login", data={"username": "alice", "password": PASSWORD}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/cro/"  # (its cookie is Secure: sent over HTTPS only)
    refused = await make_client(secure_cookies=False, origin="https://localhost")
    r = await refused.post("/cro/login", data={"username": "alice", "password": PASSWORD}, allow_redirects=False)
    assert r.status == 403


@pytest.mark.parametrize("secure", [False, True])
async def test_hsts_only_with_secure_cookies(make_client, secure):
    client = await make_client(secure_cookies=secure)
    responses = [await client.get("/cro/login"), await client.get("/cro/static/cro.css"),
                 await client.get("/cro/", allow_redirects=False), await client.get("/cro/export.csv"),
                 await client.post("/cro/login", data=WRONG)]
    for r in responses:
        assert r.headers.get("Strict-Transport-Security") == (
            "max-age=31536000; includeSubDomains" if secure else None), r.url


@pytest.mark.parametrize("remote, expected", [
    ("203.0.113.7", "203.0.113.7"),
    ("::ffff:203.0.113.7", "203.0.113.7"),  # IPv4 over IPv6 is the same client
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),  # one home or server holds a whole /64
    ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
    ("", "unknown"),  # not over TCP (a Unix socket)
])
def test_the_client_address_used_for_throttling(remote, expected):
    from aiohttp.test_utils import make_mocked_request

    from web.cro import client_address

    request = make_mocked_request("POST", "/cro/login").clone(remote=remote)
    assert client_address(request) == expected


# --- one council's records only -------------------------------------------------------------
async def test_a_cro_sees_only_their_own_councils_queue(client, make_client, ref, other_ref):
    await sign_in(client, "alice")
    page = await (await client.get("/cro/?status=all")).text()
    assert ref in page and other_ref not in page and "Requests for Coventry" in page
    bobs = await make_client()
    await sign_in(bobs, "bob")
    page = await (await bobs.get("/cro/")).text()
    assert other_ref in page and ref not in page and "Requests for Hampshire" in page
    csv_text = await (await bobs.get("/cro/export.csv?status=all")).text()
    assert other_ref in csv_text and ref not in csv_text


async def test_another_councils_record_is_the_same_404_as_an_unknown_one(client, store, other_ref):
    csrf = await sign_in(client, "alice")
    other = await client.get(f"/cro/requests/{other_ref}")
    unknown = await client.get("/cro/requests/CRO-ZZZZZZ")
    malformed = await client.get("/cro/requests/..%2F..%2Fetc")
    assert other.status == unknown.status == malformed.status == 404
    assert await other.text() == await unknown.text() == await malformed.text()
    assert "Hampshire Person" not in await other.text()
    for action in ("claim", "note", "category", "status"):
        r = await client.post(f"/cro/requests/{other_ref}/{action}",
                              data={"csrf_token": csrf, "note": "x", "category": "other", "status": "closed"})
        assert r.status == 404
    assert trail(store, "hampshire", other_ref) == [("assistant", "created", None, "placement, normal")]
    assert store.notes("hampshire", other_ref) == []


# --- the queue ---------------------------------------------------------------------------------
def listed(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/cro/requests/(CRO-[A-Z0-9]{6})">', page)


async def test_the_queue_is_urgent_first_then_oldest_and_filters(store, clock, monkeypatch):
    monkeypatch.setenv("FAMILY_HELP_TRIAGE_RETENTION_DAYS", "45")
    client = TestClient(TestServer(_mounted(store)), headers=HOST)
    await client.start_server()
    try:
        old = make_request(store, category="complaint")
        clock.advance(minutes=5)
        urgent = make_request(store, category="safety", urgent=True)
        clock.advance(minutes=5)
        new = make_request(store, category="complaint")
        closed = make_request(store)
        store.set_status("coventry", closed, "alice", "closed")
        await sign_in(client)
        page = await (await client.get("/cro/")).text()
        assert listed(page) == [urgent, old, new]
        assert "Closed requests are deleted 45 days after they are closed" in page
        assert "3 requests, urgent first, then oldest first" in page
        filtered = await (await client.get("/cro/?category=complaint")).text()
        assert listed(filtered) == [old, new]
        assert '<option value="complaint" selected>' in filtered
        assert listed(await (await client.get("/cro/?status=closed")).text()) == [closed]
        assert listed(await (await client.get("/cro/?status=all")).text()) == [urgent, old, new, closed]
        nonsense = await client.get("/cro/?status=%3Cscript%3E&category=nope")
        assert nonsense.status == 200 and "<script>" not in await nonsense.text()
        empty = await (await client.get("/cro/?category=leaving_care")).text()
        assert "There are no requests that match these filters." in empty
    finally:
        await client.close()


def _mounted(store: TriageStore) -> web.Application:
    app = web.Application()
    app.add_subapp("/cro", cro_app(store))
    return app


# --- a request's page and the full flow ----------------------------------------------------------
async def test_the_details_show_what_a_cro_needs_escaped(client, ref):
    await sign_in(client)
    page = await (await client.get(f"/cro/requests/{ref.lower()}")).text()
    assert "Zebedee Quill" in page and "07700 900987" in page and "after 4pm on weekdays" in page
    assert "my foster carer &lt;script&gt;alert(1)&lt;/script&gt; shouts" in page and "<script>" not in page
    assert "Phone" in page and "Placement" in page
    assert "i want a CRO" in page and "I can pass this on." in page
    assert "Request received" in page and "No notes yet." in page


async def test_claim_note_category_contacted_closed_all_in_the_audit_trail(client, store, ref, clock):
    csrf = await sign_in(client)
    url = f"/cro/requests/{ref}"

    async def post(action: str, expect_done: str, **data: str) -> str:
        clock.advance(minutes=1)
        r = await client.post(f"{url}/{action}", data={"csrf_token": csrf, **data}, allow_redirects=False)
        assert r.status == 303 and r.headers["Location"] == f"{url}?done={expect_done}"
        return await (await client.get(r.headers["Location"])).text()

    page = await post("claim", "claimed")
    assert "You claimed this request." in page and Page(page).button("Claim") is None
    page = await post("note", "note", note="Rang the carer, left a message.")
    assert "Rang the carer, left a message." in page and "Your note was added." in page
    page = await post("category", "category", category="complaint")
    assert '<dd data-testid="category">Complaint</dd>' in page
    page = await post("status", "contacted", status="contacted")
    assert '<dd data-testid="status">Contacted</dd>' in page and Page(page).button("Mark contacted") is None
    # Close asks first, and changes nothing until the person says yes
    r = await client.post(f"{url}/status", data={"csrf_token": csrf, "status": "closed"}, allow_redirects=False)
    asking = await r.text()
    assert r.status == 200 and "Close this request?" in asking and Page(asking).button("Yes, close this request")
    assert store.get("coventry", ref).status == "contacted"
    page = await post("status", "closed", status="closed", confirm="yes")
    assert '<dd data-testid="status">Closed</dd>' in page and Page(page).button("Reopen") is not None

    assert trail(store, "coventry", ref) == [
        ("assistant", "created", None, "placement, normal"),
        ("alice", "assigned", None, "alice"),
        ("alice", "status", "new", "claimed"),
        ("alice", "note", None, "added"),
        ("alice", "category", "placement", "complaint"),
        ("alice", "status", "claimed", "contacted"),
        ("alice", "status", "contacted", "closed"),
    ]
    audit_html = page.split('data-testid="audit"')[1]
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", audit_html, flags=re.S)
    cells = [re.findall(r"<td>(?:<time[^>]*>)?(.*?)(?:</time>)?</td>", row, flags=re.S) for row in rows]
    assert [c[1:] for c in cells] == [
        ["assistant", "Request received", "", "placement, normal"],
        ["alice", "Assigned", "", "alice"],
        ["alice", "Status changed", "New", "Claimed"],
        ["alice", "Note added", "", "added"],
        ["alice", "Category changed", "Placement", "Complaint"],
        ["alice", "Status changed", "Claimed", "Contacted"],
        ["alice", "Status changed", "Contacted", "Closed"],
    ]
    assert cells[-1][0] == "3 Mar 2025, 09:05"  # UK time (GMT in March before the clocks change)
    queue = await (await client.get("/cro/")).text()
    assert ref not in queue  # closed requests leave the open queue
    page = await post("status", "reopened", status="claimed")
    assert '<dd data-testid="status">Claimed</dd>' in page and store.get("coventry", ref).closed_at is None


@pytest.mark.parametrize("action, data, message", [
    ("note", {"note": "   "}, "Enter a note."),
    ("note", {"note": "x" * 5001}, "A note can be at most 5000 characters."),
    ("category", {"category": "gossip"}, "Choose a category."),
    ("status", {"status": "archived"}, "Choose a status."),
])
async def test_bad_form_values_show_an_error_and_change_nothing(client, store, ref, action, data, message):
    csrf = await sign_in(client)
    r = await client.post(f"/cro/requests/{ref}/{action}", data={"csrf_token": csrf, **data})
    assert r.status == 400
    page = await r.text()
    assert "There is a problem" in page and message in page and "<title>Error: " in page
    assert trail(store, "coventry", ref) == [("assistant", "created", None, "placement, normal")]


# --- CSV export ------------------------------------------------------------------------------------
async def test_csv_export_is_an_attachment_with_a_header_and_no_formulas(client, store, ref, other_ref):
    formula = make_request(store, name="=cmd|' /C calc'!A0", own_words="+SUM(A1)")
    closed = make_request(store)
    store.set_status("coventry", closed, "alice", "closed")
    await sign_in(client)
    r = await client.get("/cro/export.csv")
    assert r.status == 200 and r.content_type == "text/csv"
    assert re.match(r'attachment; filename="cro-requests-coventry-\d{8}-\d{4}\.csv"', r.headers["Content-Disposition"])
    assert r.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(await r.text())))
    assert [row["reference"] for row in rows] == [ref, formula]
    assert rows[1]["name"] == "'=cmd|' /C calc'!A0" and rows[1]["own words"] == "'+SUM(A1)"
    assert rows[0]["contact detail"] == "07700 900987" and rows[0]["council"] == "coventry"
    everything = list(csv.DictReader(io.StringIO(await (await client.get("/cro/export.csv?status=all")).text())))
    assert {row["reference"] for row in everything} == {ref, formula, closed}


# --- headers, markup, accessibility, logs ---------------------------------------------------------
async def test_security_headers_on_every_response(client, ref):
    async def check(r: aiohttp.ClientResponse) -> None:
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"] == "same-origin"
        assert r.headers["Cache-Control"] == "no-store"
        assert r.headers["X-Content-Type-Options"] == "nosniff"

    signed_out = [await client.get(p, allow_redirects=False) for p in (
        "/cro/login", "/cro/static/cro.css", "/cro/", "/cro/export.csv", "/cro/nothing-here", "/cro")]
    signed_out.append(await client.post("/cro/login", data={"username": "alice", "password": "nope nope nope"}))
    csrf = await sign_in(client)
    signed_in = [await client.get(p, allow_redirects=False) for p in (
        "/cro/", f"/cro/requests/{ref}", "/cro/requests/CRO-ZZZZZZ", "/cro/export.csv", "/cro/logout")]
    signed_in.append(await client.post(f"/cro/requests/{ref}/claim", data={}, allow_redirects=False))
    signed_in.append(await client.post(f"/cro/requests/{ref}/claim", data={"csrf_token": csrf},
                                       allow_redirects=False))
    assert [r.status for r in signed_out] == [200, 200, 303, 401, 404, 303, 401]
    assert [r.status for r in signed_in] == [200, 200, 404, 200, 405, 403, 303]
    for r in signed_out + signed_in:
        await check(r)


async def test_pages_are_accessible_and_have_no_inline_script_or_style(client, store, ref):
    login = await (await client.get("/cro/login")).text()
    csrf = await sign_in(client)
    await client.post(f"/cro/requests/{ref}/note", data={"csrf_token": csrf, "note": "hello"})
    pages = {"login": login, "queue": await (await client.get("/cro/")).text(),
             "details": await (await client.get(f"/cro/requests/{ref}")).text(),
             "error": await (await client.get("/cro/requests/CRO-ZZZZZZ")).text(),
             "form error": await (await client.post(f"/cro/requests/{ref}/note",
                                                    data={"csrf_token": csrf, "note": ""})).text()}
    for name, html in pages.items():
        page = Page(html)
        assert '<html lang="en-GB">' in html, name
        assert re.search(r"<title>[^<]+</title>", html), name
        assert page.all("a")[0].get("href") == "#main" and "Skip to main content" in html, name
        assert [m.get("id") for m in page.all("main")] == ["main"], name
        assert len(page.all("h1")) == 1, name
        assert "<script" not in html and "<style" not in html and "style=" not in html, name
        assert not re.search(r"\son[a-z]+=", html), name
        assert [link["href"] for link in page.all("link")] == ["/cro/static/cro.css"], name
        labelled = {label.get("for") for label in page.all("label")}
        controls = [a for t, a in page.tags if t in ("input", "select", "textarea") and a.get("type") != "hidden"]
        for control in controls:
            assert control.get("id") in labelled, (name, control)
        ids = [a["id"] for _, a in page.tags if "id" in a]
        assert len(ids) == len(set(ids)), (name, ids)
        assert html.count("<table") == html.count("<caption"), name
        assert all(th.get("scope") in ("col", "row") for th in page.all("th")), name
        for form in page.all("form"):
            if form.get("method") == "post" and name != "login":
                assert 'name="csrf_token"' in html


async def test_the_key_controls_can_be_found_by_name(client, ref):
    await sign_in(client)
    page = Page(await (await client.get(f"/cro/requests/{ref}")).text())
    for name, testid in (("Claim", "claim"), ("Add note", "add-note"), ("Mark contacted", "mark-contacted"),
                         ("Close", "close"), ("Change category", "change-category"), ("Sign out", "sign-out")):
        button = page.button(name)
        assert button is not None and button["data-testid"] == testid and button["type"] == "submit", name
    assert page.button("Mark contacted")["name"] == "status" and page.button("Close")["value"] == "closed"


async def test_nothing_personal_is_logged(client, store, ref, caplog):
    caplog.set_level(logging.DEBUG)
    csrf = await sign_in(client)
    await client.get(f"/cro/requests/{ref}")
    await client.post(f"/cro/requests/{ref}/claim", data={"csrf_token": csrf})
    await client.post(f"/cro/requests/{ref}/note", data={"csrf_token": csrf, "note": "Spoke to Zebedee's nan"})
    await client.post(f"/cro/requests/{ref}/status", data={"csrf_token": csrf, "status": "closed"})
    await client.post(f"/cro/requests/{ref}/note", data={"note": "no token"})
    await client.get("/cro/export.csv?status=all")
    await client.post("/cro/login", data={"username": "alice", "password": "wrong password!"})
    assert "cro: signed in (coventry)" in caplog.text  # the logs are captured
    for personal in (*YOUNG_PERSON.values(), "Zebedee", "nan", "alice", PASSWORD, "wrong password!", csrf,
                     session_cookie(client)):
        assert personal not in caplog.text, personal


# --- a known incompatibility in the locked packages ---------------------------------------------
def _sub_apps_break_with_a_port() -> bool:
    aiohttp_version = tuple(int(p) for p in aiohttp.__version__.split(".")[:3])
    yarl_version = tuple(int(p) for p in yarl.__version__.split(".")[:2])
    return aiohttp_version < (3, 10, 7) and yarl_version >= (1, 13)


@pytest.mark.xfail(_sub_apps_break_with_a_port(), strict=True,
                   reason="aiohttp < 3.10.7 with yarl >= 1.13 fails on request.url when the Host header has a port "
                          "(aio-libs/aiohttp#9435), which sub-app routing uses: pin yarl<1.13")
async def test_mounted_under_cro_with_a_port_in_the_host(store):
    async with TestClient(TestServer(_mounted(store))) as client:  # Host: 127.0.0.1:<port>, as browsers send
        r = await client.get("/cro/login")
        assert r.status == 200


def test_behind_a_local_proxy_the_forwarded_client_is_throttled_not_the_proxy():
    from aiohttp.test_utils import make_mocked_request

    from web.cro import client_address

    via_proxy = make_mocked_request("POST", "/cro/login", headers={"X-Forwarded-For": "198.51.100.7"})
    via_proxy._transport_peername = ("127.0.0.1", 5000)
    assert client_address(via_proxy) == "198.51.100.7"
    direct = make_mocked_request("POST", "/cro/login", headers={"X-Forwarded-For": "198.51.100.7"})
    direct._transport_peername = ("203.0.113.5", 5000)
    assert client_address(direct) == "203.0.113.5"  # a header from elsewhere is not believed

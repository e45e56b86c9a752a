"""The Children's Rights Officer (CRO) view: sign in, the council's triage queue, each request's
details, claim / note / category / status, and a CSV export.

    app.add_subapp("/cro", cro_app(TriageStore.open()))

Server-rendered HTML (Jinja2, autoescaped), no JavaScript. Every route except the sign-in page
and the stylesheet needs a live session (pages redirect to sign-in, everything else gets 401),
a CRO only ever sees their own council's records (another council's or an unknown reference is
the same 404), every POST needs the session's CSRF token, and every POST (sign-in too) must come
from this server's own pages (Origin, else Referer). Sign-in is throttled by client address and
across all clients, never by username: one attacker cannot lock a CRO out. Logs never hold names,
the young person's words, notes, usernames or addresses.
"""
from __future__ import annotations

import asyncio
import functools
import hmac
import io
import ipaddress
import logging
import re
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Mapping, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from aiohttp import web

from bot.intake import client_address as client_address_behind_proxy
from knowledge.paths import council_ids
from triage.retention import retention_days
from triage.store import CATEGORIES, CONTACT_METHODS, MAX_NOTE_LENGTH, STATUSES, Request, Session, TriageStore
from web.security import apply, origin_of, security_headers

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STYLESHEET = HERE / "static" / "cro" / "cro.css"
COOKIE = "cro_session"
CSRF_FIELD = "csrf_token"

# While sign-ins fail from many clients at once (LOGIN_GLOBAL_MAX_FAILURES in the store's window),
# every sign-in is answered only after this pause: a spray is slowed, a real CRO waits a moment.
LOGIN_BUSY_DELAY_SECONDS = 2.0

CATEGORY_LABELS = {"complaint": "Complaint", "advocacy": "Advocacy", "placement": "Placement",
                   "contact_with_family": "Contact with family", "social_worker": "Social worker",
                   "leaving_care": "Leaving care", "safety": "Safety", "other": "Other"}
STATUS_LABELS = {"new": "New", "claimed": "Claimed", "contacted": "Contacted", "closed": "Closed"}
CONTACT_LABELS = {"phone": "Phone", "email": "Email", "carer_or_social_worker": "Through their carer or social worker",
                  "they_will_ring": "They will ring the CRO team", "not_given": "Not given"}
AUDIT_LABELS = {"created": "Request received", "assigned": "Assigned", "status": "Status changed",
                "category": "Category changed", "note": "Note added"}
DONE_MESSAGES = {"claimed": "You claimed this request.", "note": "Your note was added.",
                 "category": "The category was changed.", "contacted": "Marked as contacted.",
                 "closed": "The request was closed.", "reopened": "The request was reopened.",
                 "status": "The status was changed."}

# Routes anyone may use; every other route needs a session (secure by default for new routes).
PUBLIC_ROUTES = frozenset({"login", "login_post", "stylesheet", "home"})
# GET routes that are pages: signed out, they redirect to sign-in; anything else gets 401.
PAGE_ROUTES = frozenset({"queue", "request"})

try:
    LONDON = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # pragma: no cover - no time zone data: show UTC
    LONDON = timezone.utc

_SESSION_KEY = "cro.session"  # where the guard puts the request's Session


def format_time(dt: Optional[datetime]) -> str:
    """UK time for CROs in England, e.g. '3 Mar 2025, 14:05'."""
    if dt is None:
        return ""
    local = dt.astimezone(LONDON)
    return f"{local.day} {local:%b %Y, %H:%M}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["time"] = format_time
    env.filters["iso"] = lambda dt: dt.isoformat() if dt else ""
    env.globals.update(CATEGORY_LABELS=CATEGORY_LABELS, STATUS_LABELS=STATUS_LABELS,
                       CONTACT_LABELS=CONTACT_LABELS, AUDIT_LABELS=AUDIT_LABELS, CATEGORIES=CATEGORIES,
                       STATUSES=STATUSES, CONTACT_METHODS=CONTACT_METHODS, MAX_NOTE_LENGTH=MAX_NOTE_LENGTH)
    return env


_TITLED_LINK = re.compile(r"\[([^\]\n]{1,160})\]\((https?://[^\s)]+)\)")


def readable_transcript(turns: Any) -> list[dict]:
    """The conversation as a CRO reads it: what the young person said, all of it; what the assistant
    said, without lines it had already said (the source line under every answer, the same
    safety lines again), and a titled link shown as its title. A turn with nothing new is kept as
    a short mark, so the order of the conversation still shows. Display only: the stored record
    is unchanged."""
    seen: set[str] = set()
    readable = []
    for turn in turns or ():
        who, text = turn.get("who"), str(turn.get("text") or "")
        if who != "assistant":
            readable.append({"who": who, "text": text, "repeat": False})
            continue
        kept = []
        for line in text.splitlines():
            key = " ".join(line.split()).lower()
            if key and key in seen:
                continue
            seen.add(key)
            kept.append(_TITLED_LINK.sub(lambda m: m.group(1), line))
        new = "\n".join(kept).strip()
        readable.append({"who": who, "text": new, "repeat": not new})
    return readable


async def _run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Store calls block (SQLite, Argon2): run them off the event loop."""
    return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))


def client_address(request: web.Request) -> str:
    """Who is signing in, for throttling: the peer's address; for IPv6 its /64 network (one home or
    one server usually holds a whole /64). Through a local proxy (nginx on this machine), the address
    the proxy added to X-Forwarded-For (bot.intake.client_address). The store keeps it only as a
    keyed hash."""
    remote = client_address_behind_proxy(request.remote, request.headers.get("X-Forwarded-For")) \
        or request.remote or ""
    try:
        address = ipaddress.ip_address(remote.split("%")[0])
    except ValueError:
        return remote[:100] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def own_origins(request: web.Request, secure: bool) -> set[str]:
    """This server's origin as the browser sees it (its Host header); behind HTTPS (secure) the
    https origin too, as a proxy in front may speak plain HTTP to this server."""
    host = (request.host or "").lower()
    origins = {f"{request.scheme}://{host}"}
    if secure:
        origins.add(f"https://{host}")
    return origins


def from_own_page(request: web.Request, secure: bool) -> bool:
    """A POST came from this server's own pages: its Origin header is ours, or, when a browser sent
    none, its Referer's origin is. Neither: refused (a real browser sends one of them)."""
    origin = request.headers.get("Origin")
    if origin is None:
        origin = origin_of(request.headers.get("Referer"))
    return origin is not None and origin.strip().lower() in own_origins(request, secure)


class _CroView:
    def __init__(self, app: web.Application, store: TriageStore, secure_cookies: bool,
                 headers: Mapping[str, str], busy_delay: float, council_names: Mapping[str, str]) -> None:
        self.app = app
        self.council_names = dict(council_names)
        self.store = store
        self.secure_cookies = secure_cookies
        self.headers = {**headers, "Cache-Control": "no-store"}
        self.busy_delay = busy_delay
        self.env = _environment()
        self.retention_days = retention_days()
        self.stylesheet = STYLESHEET.read_bytes()

    # helpers -----------------------------------------------------------------------------
    def url(self, name: str, query: Optional[dict] = None, **parts: str) -> str:
        url = self.app.router[name].url_for(**parts)
        if query:
            url = url.with_query({k: v for k, v in query.items() if v})
        return str(url)

    def cookie_path(self) -> str:
        return self.url("queue").rstrip("/") or "/"

    def render(self, request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
        session: Optional[Session] = request.get(_SESSION_KEY)
        html = self.env.get_template(f"cro/{template}").render(
            url=self.url, session=session, council_name=self.council_names.get(session.council, "") if session else "",
            csrf_token=session.csrf_token if session else "", **context)
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")

    def error_page(self, request: web.Request, status: int) -> web.Response:
        titles = {401: ("Sign in to continue", "You need to sign in to see this."),
                  403: ("This form has expired", "Go back, reload the page and try again."),
                  404: ("Page not found", "There is no request or page at this address that you can see. "
                                          "Check the reference, or go back to the queue."),
                  405: ("That did not work", "This address cannot be used like that.")}
        title, message = titles.get(status, ("Sorry, there is a problem", "Try again later."))
        return self.render(request, "error.html", status=status, title=title, message=message)

    def _secure(self, response: web.StreamResponse) -> None:
        apply(response, self.headers)

    def _redirect(self, location: str) -> web.HTTPSeeOther:
        response = web.HTTPSeeOther(location)
        self._secure(response)
        return response

    # the guard: sessions, CSRF, headers and error pages for every route ----------------------
    @web.middleware
    async def guard(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                    ) -> web.StreamResponse:
        route = request.match_info.route.name
        try:
            if request.method == "POST" and not from_own_page(request, self.secure_cookies):
                log.warning("cro: POST refused: not from this server's pages (route %s)", route)
                raise web.HTTPForbidden()
            if request.match_info.http_exception is None and route not in PUBLIC_ROUTES:
                session = await _run(self.store.session, request.cookies.get(COOKIE))
                if session is None:
                    if request.method == "GET" and route in PAGE_ROUTES:
                        expired = "1" if request.cookies.get(COOKIE) else ""
                        response = self._redirect(self.url("login", {"expired": expired}))
                        if expired:
                            response.del_cookie(COOKIE, path=self.cookie_path())
                        raise response
                    raise web.HTTPUnauthorized()
                request[_SESSION_KEY] = session
                if request.method == "POST":
                    form = await request.post()
                    token = form.get(CSRF_FIELD)
                    if not isinstance(token, str) or not hmac.compare_digest(token.encode(),
                                                                             session.csrf_token.encode()):
                        log.warning("cro: POST refused: missing or wrong CSRF token (route %s)", route)
                        raise web.HTTPForbidden()
            response = await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                self._secure(exc)
                raise
            response = self.error_page(request, exc.status)
            if exc.status == 401:
                response.headers["WWW-Authenticate"] = 'Cookie realm="cro"'
        except Exception as exc:  # the message may quote data: log the type and where, not the message
            log.error("cro: %s in route %s\n%s", type(exc).__name__, route,
                      "".join(traceback.format_tb(exc.__traceback__)))
            response = self.error_page(request, 500)
        self._secure(response)
        return response

    # routes --------------------------------------------------------------------------------
    async def home(self, request: web.Request) -> web.StreamResponse:
        raise self._redirect(self.url("queue"))

    async def stylesheet_file(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=self.stylesheet, content_type="text/css", charset="utf-8")

    async def login_page(self, request: web.Request) -> web.StreamResponse:
        if await _run(self.store.session, request.cookies.get(COOKIE)):
            raise self._redirect(self.url("queue"))
        notice = ("You have signed out." if request.query.get("signed_out") else
                  "You were signed out because you were inactive. Sign in again." if request.query.get("expired")
                  else None)
        return self.render(request, "login.html", notice=notice, error=None, username="")

    async def login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        username = str(form.get("username") or "").strip()[:100]
        password = str(form.get("password") or "")
        if not username or not password:
            return self.render(request, "login.html", status=400, notice=None, username=username,
                               error="Enter your username and password.")
        client = client_address(request)
        if await _run(self.store.login_busy):  # failures from many clients: slow every sign-in down
            log.info("cro: many failed sign-ins everywhere: sign-in slowed")
            await asyncio.sleep(self.busy_delay)
        locked = await _run(self.store.login_locked, client)
        user = None if locked else await _run(self.store.verify_user, username, password)
        if user is None and not locked:
            locked = await _run(self.store.record_login_failure, client)
            log.info("cro: sign-in failed%s", " (this client now waits)" if locked else "")
        if locked:
            log.info("cro: sign-in refused: too many failed tries from this client")
            return self.render(request, "login.html", status=429, notice=None, username=username,
                               error="There have been too many tries to sign in from here. "
                                     "Wait 15 minutes, then try again.")
        if user is None:
            return self.render(request, "login.html", status=401, notice=None, username=username,
                               error="The username or password is not right.")
        await _run(self.store.clear_login_failures, client)
        if request.cookies.get(COOKIE):  # never reuse a session id from before sign-in
            await _run(self.store.end_session, request.cookies[COOKIE])
        try:
            session_id, _csrf = await _run(self.store.create_session, user)
        except ValueError:  # disabled between the password check and now
            return self.render(request, "login.html", status=401, notice=None, username=username,
                               error="The username or password is not right.")
        log.info("cro: signed in (%s)", user.council)
        response = self._redirect(self.url("queue"))
        response.set_cookie(COOKIE, session_id, path=self.cookie_path(), httponly=True, samesite="Strict",
                            secure=self.secure_cookies)
        raise response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        await _run(self.store.end_session, request.cookies.get(COOKIE))
        response = self._redirect(self.url("login", {"signed_out": "1"}))
        response.del_cookie(COOKIE, path=self.cookie_path())
        raise response

    @staticmethod
    def _filters(request: web.Request) -> tuple[str, str, dict]:
        status = request.query.get("status", "")
        status = status if status in STATUSES or status == "all" else ""
        category = request.query.get("category", "")
        category = category if category in CATEGORIES else ""
        kwargs = {"status": status if status in STATUSES else None, "category": category or None,
                  "include_closed": status == "all"}
        return status, category, kwargs

    async def queue(self, request: web.Request) -> web.StreamResponse:
        session: Session = request[_SESSION_KEY]
        status, category, kwargs = self._filters(request)
        requests = await _run(self.store.queue, session.council, **kwargs)
        return self.render(request, "queue.html", requests=requests, status_filter=status, category_filter=category,
                           retention_days=self.retention_days,
                           export_url=self.url("export", {"status": status, "category": category}))

    async def export(self, request: web.Request) -> web.StreamResponse:
        session: Session = request[_SESSION_KEY]
        _status, _category, kwargs = self._filters(request)
        out = io.StringIO()
        count = await _run(self.store.export_csv, session.council, out, **kwargs)
        log.info("cro: exported %d requests (%s)", count, session.council)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
        return web.Response(body=out.getvalue().encode("utf-8"), content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition":
                                     f'attachment; filename="cro-requests-{session.council}-{stamp}.csv"'})

    async def _request(self, request: web.Request) -> Request:
        session: Session = request[_SESSION_KEY]
        found = await _run(self.store.get, session.council, request.match_info["reference"])
        if found is None:
            raise web.HTTPNotFound()
        return found

    async def _details(self, request: web.Request, *, status: int = 200, errors: Optional[dict] = None,
                       values: Optional[dict] = None, confirm_close: bool = False) -> web.Response:
        record = await self._request(request)
        session: Session = request[_SESSION_KEY]
        notes = await _run(self.store.notes, session.council, record.reference)
        audit = await _run(self.store.audit, session.council, record.reference)
        done = DONE_MESSAGES.get(request.query.get("done", "")) if status == 200 else None
        return self.render(request, "request.html", status=status, record=record, notes=notes, audit=audit,
                           done=done, errors=errors or {}, values=values or {}, confirm_close=confirm_close,
                           transcript=readable_transcript(record.transcript))

    async def details(self, request: web.Request) -> web.StreamResponse:
        return await self._details(request)

    def _back(self, record: Request, done: str) -> web.HTTPSeeOther:
        return self._redirect(self.url("request", {"done": done}, reference=record.reference))

    async def claim(self, request: web.Request) -> web.StreamResponse:
        record = await self._request(request)
        session: Session = request[_SESSION_KEY]
        if not await _run(self.store.claim, session.council, record.reference, session.username):
            raise web.HTTPNotFound()
        raise self._back(record, "claimed")

    async def note(self, request: web.Request) -> web.StreamResponse:
        record = await self._request(request)
        session: Session = request[_SESSION_KEY]
        text = str((await request.post()).get("note") or "").strip()
        error = ("Enter a note." if not text else
                 f"A note can be at most {MAX_NOTE_LENGTH} characters." if len(text) > MAX_NOTE_LENGTH else None)
        if error:
            return await self._details(request, status=400, errors={"note": error}, values={"note": text})
        if not await _run(self.store.add_note, session.council, record.reference, session.username, text):
            raise web.HTTPNotFound()
        raise self._back(record, "note")

    async def category(self, request: web.Request) -> web.StreamResponse:
        record = await self._request(request)
        session: Session = request[_SESSION_KEY]
        category = (await request.post()).get("category")
        if category not in CATEGORIES:
            return await self._details(request, status=400, errors={"category": "Choose a category."})
        if not await _run(self.store.set_category, session.council, record.reference, session.username, category):
            raise web.HTTPNotFound()
        raise self._back(record, "category")

    async def status(self, request: web.Request) -> web.StreamResponse:
        record = await self._request(request)
        session: Session = request[_SESSION_KEY]
        form = await request.post()
        status = form.get("status")
        if status not in STATUSES:
            return await self._details(request, status=400, errors={"status": "Choose a status."})
        if status == "closed" and record.status != "closed" and form.get("confirm") != "yes":
            # closing takes the request out of the queue: ask first, on the same page
            return await self._details(request, confirm_close=True)
        if not await _run(self.store.set_status, session.council, record.reference, session.username, status):
            raise web.HTTPNotFound()
        done = status if status in ("contacted", "closed") else "reopened" if record.status == "closed" else "status"
        raise self._back(record, done)


def cro_app(store: TriageStore, *, secure_cookies: bool = False, headers: Optional[Mapping[str, str]] = None,
            busy_delay: float = LOGIN_BUSY_DELAY_SECONDS,
            council_names: Optional[Mapping[str, str]] = None) -> web.Application:
    """The CRO view as an aiohttp sub-application, to mount with app.add_subapp("/cro", ...).

    secure_cookies=True marks the session cookie Secure and sends HSTS (use it whenever served
    over HTTPS); headers: the web server's security policy (web.security), which every response
    carries, with Cache-Control: no-store; busy_delay: the pause while sign-ins fail everywhere;
    council_names: id -> name, from the knowledge base (default: the content folders' ids)."""
    if council_names is None:
        council_names = {cid: cid.replace("_", " ").title() for cid in council_ids()}
    app = web.Application()
    view = _CroView(app, store, secure_cookies, headers or security_headers(secure=secure_cookies), busy_delay,
                    council_names)
    app.middlewares.append(view.guard)
    r = app.router
    r.add_get("", view.home, name="home")
    r.add_get("/", view.queue, name="queue")
    r.add_get("/login", view.login_page, name="login")
    r.add_post("/login", view.login, name="login_post")
    r.add_post("/logout", view.logout, name="logout")
    r.add_get("/static/cro.css", view.stylesheet_file, name="stylesheet")
    r.add_get("/export.csv", view.export, name="export")
    r.add_get("/requests/{reference}", view.details, name="request")
    r.add_post("/requests/{reference}/claim", view.claim, name="claim")
    r.add_post("/requests/{reference}/note", view.note, name="note")
    r.add_post("/requests/{reference}/category", view.category, name="category")
    r.add_post("/requests/{reference}/status", view.status, name="status")
    return app

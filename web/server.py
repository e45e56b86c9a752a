"""The web server on :8080 (aiohttp): the demo council page with the chat widget (/), the
full-screen app for young carers (/app, installable, works offline for the numbers), the
"Staying safe online" page, the widget's files, the numbers it shows when the chat can't
be reached, and the Children's Rights Officers' triage view (/cro). The browser talks to Rasa's
public REST channel directly (CORS allows this server's origin only); the Rasa API token never
reaches this server or the browser.

    python -m web [--port N] [--host 127.0.0.1]

Settings (see settings.py): WEB_PORT, FAMILY_HELP_RASA_PUBLIC_URL, FAMILY_HELP_EXIT_URL,
FAMILY_HELP_TRIAGE_DB, FAMILY_HELP_SECURE_COOKIES (Secure cookie and HSTS behind HTTPS),
FAMILY_HELP_MAX_MESSAGE_CHARS (the widget's limit), FAMILY_HELP_METRICS_TOKEN (GET /metrics for
Prometheus: reply times by route and the CRO queue's size; bot/metrics.py).
"""
from __future__ import annotations

import argparse
import json
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import jinja2
from aiohttp import web

import settings
from bot import metrics
from knowledge import paths
from knowledge.answers import offline_numbers
from knowledge.store import KnowledgeBase
from knowledge.suggestions import MAX_STARTERS, STARTERS, starters  # noqa: F401  (the chat's opening questions)
from triage.store import TriageStore
from web.cro import cro_app
from web.icons import icon_png
from web.security import security_headers, security_middleware

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
GOVUK = paths.ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
COLOUR = "#1d70b8"

mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/manifest+json", ".webmanifest")


@dataclass
class WebConfig:
    port: int = 8080
    rasa_url: str = "http://localhost:5005"
    exit_url: str = "https://www.bbc.co.uk/weather"  # the GOV.UK component's default
    council: Optional[str] = None  # the demo page's council; None: the knowledge base's default
    triage_db: Optional[Path] = None  # None: the triage store's default
    secure_cookies: bool = False
    max_message_chars: int = 2000
    metrics_token: Optional[str] = None  # None: /metrics answers 404

    @classmethod
    def from_settings(cls) -> WebConfig:
        rasa_url = settings.get("FAMILY_HELP_RASA_PUBLIC_URL") or f"http://localhost:{settings.get('RASA_PORT')}"
        return cls(port=settings.get("WEB_PORT"), rasa_url=rasa_url, exit_url=settings.get("FAMILY_HELP_EXIT_URL"),
                   triage_db=settings.get("FAMILY_HELP_TRIAGE_DB"),
                   secure_cookies=settings.get("FAMILY_HELP_SECURE_COOKIES"),
                   max_message_chars=settings.get("FAMILY_HELP_MAX_MESSAGE_CHARS"),
                   metrics_token=settings.get("FAMILY_HELP_METRICS_TOKEN"))


def create_app(config: Optional[WebConfig] = None, kb: Optional[KnowledgeBase] = None,
               triage: Optional[TriageStore] = None) -> web.Application:
    config = config or WebConfig.from_settings()
    kb = kb or KnowledgeBase.open()
    triage = triage or TriageStore.open(config.triage_db)
    council = config.council or kb.default_council
    templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                   autoescape=jinja2.select_autoescape(["html"]))
    headers = security_headers(rasa_url=config.rasa_url, secure=config.secure_cookies)

    def page(name: str, **context) -> web.Response:
        html = templates.get_template(name).render(rasa_url=config.rasa_url, exit_url=config.exit_url,
                                                   council=council, council_name=kb.council(council).name,
                                                   colour=COLOUR, max_chars=config.max_message_chars, **context)
        return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-cache"})

    async def index(request: web.Request) -> web.Response:
        return page("index.html")

    async def app_page(request: web.Request) -> web.Response:
        return page("app.html", numbers=offline_numbers(kb, council))

    async def staying_safe(request: web.Request) -> web.Response:
        return page("staying_safe.html")

    async def numbers(request: web.Request) -> web.Response:
        asked = request.match_info["council"]
        wanted = kb.default_council if asked == "default" else kb.resolve_council(asked)
        if not wanted:
            raise web.HTTPNotFound(text="No such council.")
        # Public numbers and opening suggestions, fetched by the widget on any council's page: no
        # cookies, any origin. ?audience=young_person&topics=a,b say who the page is for and what about.
        topics = tuple(t for t in request.query.get("topics", "").split(",")[:MAX_STARTERS]
                       if t in kb.topic_ids())
        body = {**offline_numbers(kb, wanted),
                "starters": starters(kb, wanted, request.query.get("audience"), topics)}
        return web.json_response(body,
                                 headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"})

    async def manifest(request: web.Request) -> web.Response:
        body = {"name": "Family help chat", "short_name": "Family help", "start_url": "/app", "scope": "/app",
                "display": "standalone", "background_color": "#ffffff", "theme_color": COLOUR,
                "description": "Answers about children's services, and the numbers to call.",
                "icons": [{"src": f"/app/icon-{s}.png", "sizes": f"{s}x{s}", "type": "image/png",
                           "purpose": "any"} for s in (192, 512)]}
        return web.Response(text=json.dumps(body), content_type="application/manifest+json",
                            headers={"Cache-Control": "no-cache"})

    async def icon(request: web.Request) -> web.Response:
        size = int(request.match_info["size"])
        if size not in (192, 512):
            raise web.HTTPNotFound()
        return web.Response(body=icon_png(size, COLOUR), content_type="image/png",
                            headers={"Cache-Control": "max-age=86400"})

    async def favicon(request: web.Request) -> web.Response:
        return web.Response(body=icon_png(192, COLOUR), content_type="image/png",
                            headers={"Cache-Control": "max-age=86400"})

    async def service_worker(request: web.Request) -> web.Response:
        # At the site root so that its scope can be "/app" (the page itself, not only "/app/...").
        return web.FileResponse(STATIC / "app" / "app-sw.js",
                                headers={"Content-Type": "text/javascript", "Cache-Control": "no-cache"})

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    @web.middleware
    async def no_cache_static(request: web.Request, handler):
        response = await handler(request)
        if request.path.startswith("/widget/") and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-cache"  # revalidate, so a new widget reaches people
        return response

    # One policy for every response: pages, files, errors and the CRO view below.
    measured = metrics.WebMetrics(triage)
    timed, scrape = metrics.aiohttp_metrics(measured, config.metrics_token)
    app = web.Application(middlewares=[timed, security_middleware(headers), no_cache_static])
    app.add_routes([
        web.get("/", index),
        web.get("/app", app_page),
        web.get("/app/manifest.webmanifest", manifest),
        web.get(r"/app/icon-{size:\d+}.png", icon),
        web.get("/favicon.ico", favicon),
        web.get("/app-sw.js", service_worker),
        web.get("/staying-safe", staying_safe),
        web.get(r"/widget/council/{council:[a-z_-]+}.json", numbers),
        web.get("/health", health),
        web.get(metrics.PATH, scrape),
    ])
    app.router.add_static("/widget/static", STATIC / "widget", follow_symlinks=False)
    app.router.add_static("/app/static", STATIC / "app", follow_symlinks=False)
    if GOVUK.is_dir():
        app.router.add_static("/widget/vendor/govuk", GOVUK, follow_symlinks=False)
    else:
        log.warning("govuk-frontend is not installed (run `npm ci`): the Exit this page button won't work")
    # The Children's Rights Officers' triage queue: sign-in, CSRF and council checks are its own.
    app.add_subapp("/cro", cro_app(triage, secure_cookies=config.secure_cookies, headers=headers,
                                    council_names={c.id: c.name for c in kb.councils.values()}))
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = WebConfig.from_settings()
    if args.port:
        config.port = args.port
    # The access log shows method, path and status: no message text ever travels through this server,
    # and no client address is written (sign-in throttling keeps only a keyed hash, for 15 minutes).
    web.run_app(create_app(config), host=args.host, port=config.port, print=None,
                access_log_format='"%r" %s %b %Tfs')

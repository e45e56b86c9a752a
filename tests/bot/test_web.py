"""The web server (bot/web): pages, headers, the widget's numbers and the app's files. The
browser behaviour itself is tested in Chromium in tests/e2e/test_widget.py."""
from __future__ import annotations

import json
import struct

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.web.server import WebConfig, create_app
from knowledge.store import KnowledgeBase
from triage.store import TriageStore

RASA = "http://localhost:5999"


@pytest.fixture
async def client(kb: KnowledgeBase, tmp_path):
    config = WebConfig(rasa_url=RASA, exit_url="https://example.org/weather")
    app = create_app(config, kb=kb, triage=TriageStore.open(tmp_path / "triage.db"))
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_demo_page_carries_the_widget_configured_for_the_council(client):
    r = await client.get("/")
    assert r.status == 200
    html = await r.text()
    assert 'src="/widget/static/family-help.js"' in html
    assert f'data-server="{RASA}"' in html and 'data-council="coventry"' in html
    assert 'data-exit-url="https://example.org/weather"' in html
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and f"connect-src 'self' {RASA}" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("council, own, other", [("coventry", "024 7678 8555", "01204 332010"),
                                                 ("bolton", "01204 332010", "024 7678 8555"),
                                                 ("hampshire", "https://hipsprocedures.org.uk", "024 7678 8555")])
async def test_numbers_without_the_chat_are_each_councils_own(client, council, own, other):
    r = await client.get(f"/widget/council/{council}.json")
    assert r.status == 200
    body = json.dumps(await r.json())
    assert '"999"' in body and "0800 1111" in body
    assert own in body and other not in body


async def test_unknown_council_numbers_are_not_found(client):
    assert (await client.get("/widget/council/atlantis.json")).status == 404


async def test_app_page_has_the_offline_numbers_and_manifest(client):
    html = await (await client.get("/app")).text()
    assert 'rel="manifest"' in html and 'id="offline"' in html
    assert 'href="tel:999"' in html and 'href="tel:08001111"' in html and 'href="tel:02476788555"' in html
    assert 'data-mode="fullscreen"' in html
    manifest = await (await client.get("/app/manifest.webmanifest")).json()
    assert manifest["start_url"] == "/app" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        png = await (await client.get(icon["src"])).read()
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = struct.unpack(">II", png[16:24])
        assert f"{width}x{height}" == icon["sizes"]


async def test_service_worker_is_served_from_the_root_as_javascript(client):
    r = await client.get("/app-sw.js")
    assert r.status == 200 and "javascript" in r.headers["Content-Type"]
    assert "webhooks" not in await r.text()  # it never caches or touches chat messages


async def test_widget_files_and_staying_safe_page(client):
    for path in ("/widget/static/family-help.js", "/widget/static/family-help.css", "/staying-safe"):
        r = await client.get(path)
        assert r.status == 200, path
    js = await (await client.get("/widget/static/family-help.js")).text()
    assert "innerHTML" not in js and "sessionStorage" in js and "localStorage" not in js
    safe = await (await client.get("/staying-safe")).text()
    assert "does not clear your browser history" in safe


async def test_triage_view_is_mounted_and_needs_sign_in(client):
    r = await client.get("/cro/", allow_redirects=False)
    assert r.status in (302, 303) and "/cro/login" in r.headers["Location"]

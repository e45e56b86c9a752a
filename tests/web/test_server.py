"""The web server (web/server.py): pages, the one security-header policy, settings, the widget's
numbers and the app's files. The browser behaviour itself is tested in Chromium in
tests/e2e/test_widget.py."""
from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

import settings
from knowledge.store import KnowledgeBase
from triage.store import TriageStore
from web.server import WebConfig, create_app

RASA = "http://localhost:5999"


@pytest.fixture
async def make_client(kb: KnowledgeBase, tmp_path):
    clients = []

    async def make(**config) -> TestClient:
        app = create_app(WebConfig(rasa_url=RASA, exit_url="https://example.org/weather", **config), kb=kb,
                         triage=TriageStore.open(tmp_path / "triage.db"))
        # Host without a port: see tests/web/test_cro.py (aiohttp 3.9 sub-apps with yarl >= 1.13)
        c = TestClient(TestServer(app), headers={"Host": "localhost"})
        await c.start_server()
        clients.append(c)
        return c

    yield make
    for c in clients:
        await c.close()


@pytest.fixture
async def client(make_client):
    return await make_client()


async def test_demo_page_carries_the_widget_configured_for_the_council(client):
    r = await client.get("/")
    assert r.status == 200
    html = await r.text()
    assert 'src="/widget/static/family-help.js"' in html
    assert f'data-server="{RASA}"' in html and 'data-council="coventry"' in html
    assert 'data-exit-url="https://example.org/weather"' in html and 'data-max-length="2000"' in html
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


async def test_a_page_that_names_no_council_gets_the_default_councils_numbers(client, kb):
    r = await client.get("/widget/council/default.json")
    assert r.status == 200 and (await r.json())["council"] == kb.default_council


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
    assert "does not clear your browser history" in safe and "asks the chat service to delete it" in safe


async def test_the_widget_deletes_on_the_service_and_never_only_clears(client):
    """The behaviour is tested in Chromium (tests/e2e/test_widget.py); this guards the contract's
    shape: the delete address, a text/plain body (no preflight) and the exit beacon."""
    js = await (await client.get("/widget/static/family-help.js")).text()
    assert "'/webhooks/rest/delete'" in js and "'Content-Type': 'text/plain'" in js
    assert "navigator.sendBeacon(deleteUrl(), JSON.stringify({ sender: sender }))" in js
    assert "Delete this chat" in js and "Clear chat" not in js
    assert "conversation_deleted" in js and "maxLength" in js


async def test_triage_view_is_mounted_and_needs_sign_in(client):
    r = await client.get("/cro/", allow_redirects=False)
    assert r.status in (302, 303) and "/cro/login" in r.headers["Location"]


EVERY_KIND = ["/", "/app", "/staying-safe", "/widget/static/family-help.js", "/widget/static/family-help.css",
              "/app/static/app.js", "/app-sw.js", "/app/manifest.webmanifest", "/app/icon-192.png",
              "/widget/council/coventry.json", "/widget/council/atlantis.json", "/no-such-page", "/health",
              "/cro/login", "/cro/static/cro.css", "/cro/"]


@pytest.mark.parametrize("secure", [False, True])
async def test_one_security_policy_on_every_response(make_client, secure):
    client = await make_client(secure_cookies=secure)
    for path in EVERY_KIND:
        r = await client.get(path, allow_redirects=False)
        assert r.status < 500, path
        csp = r.headers.get("Content-Security-Policy", "")
        assert csp.startswith("default-src 'self'; script-src 'self'"), path
        assert f"connect-src 'self' {RASA};" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp, path
        assert r.headers.get("X-Frame-Options") == "DENY", path
        assert r.headers.get("X-Content-Type-Options") == "nosniff", path
        assert r.headers.get("Referrer-Policy") == "same-origin", path
        assert r.headers.get("Strict-Transport-Security") == (
            "max-age=31536000; includeSubDomains" if secure else None), path
    assert (await client.get("/cro/login")).headers["Cache-Control"] == "no-store"


async def test_the_councils_numbers_can_be_read_from_any_councils_page(client):
    r = await client.get("/widget/council/bolton.json", headers={"Origin": "https://www.bolton.gov.uk"})
    assert r.headers["Access-Control-Allow-Origin"] == "*" and "Access-Control-Allow-Credentials" not in r.headers


def test_configuration_comes_from_the_settings_registry(monkeypatch, tmp_path):
    for name in ("WEB_PORT", "RASA_PORT", "FAMILY_HELP_RASA_PUBLIC_URL", "FAMILY_HELP_EXIT_URL",
                 "FAMILY_HELP_SECURE_COOKIES", "FAMILY_HELP_TRIAGE_DB", "FAMILY_HELP_MAX_MESSAGE_CHARS"):
        monkeypatch.delenv(name, raising=False)
    default = WebConfig.from_settings()
    assert (default.port, default.rasa_url, default.secure_cookies) == (8080, "http://localhost:5005", False)
    assert default.exit_url == "https://www.bbc.co.uk/weather" and default.max_message_chars == 2000
    monkeypatch.setenv("WEB_PORT", "9191")
    monkeypatch.setenv("RASA_PORT", "5111")
    monkeypatch.setenv("FAMILY_HELP_SECURE_COOKIES", "1")
    monkeypatch.setenv("FAMILY_HELP_TRIAGE_DB", str(tmp_path / "t.db"))
    monkeypatch.setenv("FAMILY_HELP_MAX_MESSAGE_CHARS", "1500")
    config = WebConfig.from_settings()
    assert (config.port, config.rasa_url, config.secure_cookies) == (9191, "http://localhost:5111", True)
    assert config.triage_db == tmp_path / "t.db" and config.max_message_chars == 1500
    monkeypatch.setenv("FAMILY_HELP_RASA_PUBLIC_URL", "https://chat.example.org/")
    assert WebConfig.from_settings().rasa_url == "https://chat.example.org"
    monkeypatch.setenv("WEB_PORT", "eighty")
    with pytest.raises(settings.SettingError, match="WEB_PORT"):
        WebConfig.from_settings()


def test_the_web_package_never_reads_the_environment_itself():
    root = Path(__file__).resolve().parents[2] / "web"
    for source in root.rglob("*.py"):
        text = source.read_text()
        assert "os.environ" not in text and "getenv" not in text, source

"""Start the real action server and Rasa server (trained model) on spare ports for the
end-to-end tests, and stop them afterwards."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from knowledge import paths

ROOT = paths.ROOT
SHARED = ROOT.parent / "shared"
MODEL = ROOT / "models" / "family-help.tar.gz"
# The running servers' combined log, for tests that check what is (not) written to it.
SERVER_LOG: dict[str, Path] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


class Stack:
    """The assistant as `make run` serves it, on spare ports: the action server and the web
    server in one process group, the Rasa server in another so a test can stop and restart it.
    Both write to one log (SERVER_LOG) for the tests that check what is (not) logged."""

    def __init__(self, tmp: Path):
        self.rasa_port, self.action_port, self.web_port = free_port(), free_port(), free_port()
        self.rasa_url = f"http://localhost:{self.rasa_port}"
        self.web_url = f"http://localhost:{self.web_port}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_PORT": str(self.rasa_port),
                    "ACTION_PORT": str(self.action_port), "WEB_PORT": str(self.web_port),
                    "FAMILY_HELP_TRACKER_DB": str(tmp / "conversations.db"), "FAMILY_HELP_API_TOKEN": "test-token",
                    "FAMILY_HELP_TRIAGE_DB": str(tmp / "triage.db"), "FAMILY_HELP_LOG_DIR": str(tmp / "logs"),
                    "FAMILY_HELP_ACTION_URL": f"http://localhost:{self.action_port}/webhook"}
        SERVER_LOG["path"] = tmp / "server.log"
        self.log = open(SERVER_LOG["path"], "a")
        self.procs: dict[str, subprocess.Popen] = {}

    def _start(self, name: str, services: str) -> subprocess.Popen:
        env = {**self.env, "FAMILY_HELP_SERVICES": services}
        proc = subprocess.Popen([str(ROOT / "bot" / "run.sh")], cwd=ROOT, env=env, stdout=self.log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def start_helpers(self) -> None:
        proc = self._start("helpers", "actions web")
        wait_until_up(f"http://127.0.0.1:{self.action_port}/health", proc)
        wait_until_up(f"http://127.0.0.1:{self.web_port}/health", proc)

    def start_rasa(self) -> None:
        proc = self._start("rasa", "rasa")
        wait_until_up(f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/", proc)

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def close(self) -> None:
        for name in list(self.procs):
            self.stop(name)
        self.log.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """A running assistant with its web server (see Stack)."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    running = Stack(tmp_path_factory.mktemp("server"))
    try:
        running.start_helpers()
        running.start_rasa()
        yield running
    finally:
        running.close()


@pytest.fixture(scope="session")
def server(stack):
    """The Rasa base URL (REST channel at /webhooks/rest/webhook)."""
    return stack.rasa_url


def say(url: str, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
    body = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    req = urllib.request.Request(url + "/webhooks/rest/webhook", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read().decode() or "[]")


def eval_script() -> Path:
    return SHARED / "eval" / "answer_eval.py"


# --- a real browser: Debian's Chromium driven by Playwright (never a downloaded browser) ---
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = paths.ROOT / "build" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run bot/install_browser.sh (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()

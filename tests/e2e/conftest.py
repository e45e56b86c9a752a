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


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A running assistant: yields the Rasa base URL (REST channel at /webhooks/rest/webhook)."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    tmp = tmp_path_factory.mktemp("server")
    rasa_port, action_port = free_port(), free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_PORT": str(rasa_port), "ACTION_PORT": str(action_port),
           "FAMILY_HELP_TRACKER_DB": str(tmp / "conversations.db"), "FAMILY_HELP_API_TOKEN": "test-token",
           "FAMILY_HELP_ACTION_URL": f"http://localhost:{action_port}/webhook"}
    SERVER_LOG["path"] = tmp / "server.log"
    log = open(SERVER_LOG["path"], "w")
    proc = subprocess.Popen([str(ROOT / "bot" / "run.sh")], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{rasa_port}"
    try:
        wait_until_up(f"http://127.0.0.1:{action_port}/health", proc)
        wait_until_up(url + "/webhooks/rest/", proc)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


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

"""bot/run.sh (the supervisor) as `make run` starts it, on spare ports with its own folder:
each server killed in turn comes back by itself while the others keep answering; one that stops
answering is restarted; SIGTERM and Ctrl-C stop everything; a token starting with "-" works and
no secret is ever on a command line; a bad token file is replaced; the action server refuses
forged calls and is reachable only on 127.0.0.1; files are created 0600.

Rasa is started twice in all (once, and once more after it is killed): about 2-3 minutes on 2 cores.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import MODEL, ROOT, free_port, say

API_TOKEN = "-Xdash-first-token-" + os.urandom(6).hex()  # `--auth-token -X…` broke the old run.sh
MODULES = {"bot.actions_server": "actions", "bot.rasa_server": "rasa", "web": "web"}
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def answers(url: str, timeout: float = 3) -> bool:
    try:
        with NO_PROXY.open(url, timeout=timeout) as r:
            return r.status == 200
    except (OSError, ValueError):
        return False


def wait_for(what, timeout: float, step: float = 0.5):  # noqa: ANN001, ANN201
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = what()
        if value:
            return value
        time.sleep(step)
    return what()


def children(pid: int) -> dict[str, int]:
    """The supervisor's child processes by server name."""
    found: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        state = stat.rsplit(")", 1)[1].split()[0]
        if ppid != pid or state == "Z":
            continue
        args = cmdline.split()
        if "-m" in args[:-1] and args[args.index("-m") + 1] in MODULES:
            found[MODULES[args[args.index("-m") + 1]]] = int(entry.name)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Supervised:
    """bot/run.sh in its own process group, its combined stdout in out.log."""

    def __init__(self, tmp: Path, services: str, **extra: str):
        self.tmp = tmp
        self.ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILY_HELP_")}
        self.env.update({
            "PYTHONPATH": str(ROOT), "FAMILY_HELP_SERVICES": services, "RASA_PORT": str(self.ports["rasa"]),
            "ACTION_PORT": str(self.ports["actions"]), "WEB_PORT": str(self.ports["web"]),
            "FAMILY_HELP_TRACKER_DB": str(tmp / "conversations.db"), "FAMILY_HELP_TRIAGE_DB": str(tmp / "triage.db"),
            "FAMILY_HELP_LOG_DIR": str(tmp / "logs"), "FAMILY_HELP_SECRETS_DIR": str(tmp / "secrets"), **extra})
        self.health = {"actions": f"http://127.0.0.1:{self.ports['actions']}/health",
                       "web": f"http://127.0.0.1:{self.ports['web']}/health",
                       "rasa": f"http://127.0.0.1:{self.ports['rasa']}/webhooks/rest/"}
        self.names = services.split()
        self.out_path = tmp / "out.log"
        self.out = open(self.out_path, "ab")
        self.proc = subprocess.Popen([str(ROOT / "bot" / "run.sh")], cwd=ROOT, env=self.env, stdout=self.out,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def rasa_url(self) -> str:
        return f"http://localhost:{self.ports['rasa']}"

    def wait_up(self, timeout: float = 300) -> None:
        deadline = time.time() + timeout
        for name in self.names:
            while not answers(self.health[name]):
                if self.proc.poll() is not None:
                    raise RuntimeError(f"run.sh exited with {self.proc.returncode}:\n{self.output()[-3000:]}")
                if time.time() > deadline:
                    raise TimeoutError(f"{name} did not answer:\n{self.output()[-3000:]}")
                time.sleep(0.5)
        assert wait_for(lambda: set(children(self.proc.pid)) == set(self.names), 10), children(self.proc.pid)

    def output(self) -> str:
        return self.out_path.read_text(errors="replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=30)
        self.out.close()


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """All three servers under one supervisor, with an API token that starts with "-"."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    stack = Supervised(tmp_path_factory.mktemp("supervised"), "actions rasa web", FAMILY_HELP_API_TOKEN=API_TOKEN)
    try:
        stack.wait_up()
        yield stack
    finally:
        stack.close()


def ask(stack: Supervised, sender: str) -> str:
    """An answer only the action server can give (the fallback numbers never say it)."""
    replies = say(stack.rasa_url, sender, "how many days can the social work assessment take")
    return " ".join(r.get("text") or "" for r in replies)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_token_starting_with_a_dash_starts_fine_and_chat_works_through_the_secret(full):
    assert "45 working days" in ask(full, "supervisor-test")  # Rasa -> action server with X-Action-Secret
    secret = (full.tmp / "secrets" / "action_secret").read_text().strip()
    assert secret not in full.output() and API_TOKEN not in full.output()


def test_no_secret_on_any_command_line(full):
    secret = (full.tmp / "secrets" / "action_secret").read_text().strip()
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert "bot.rasa_server" in ps  # the listing does show the servers
    assert API_TOKEN not in ps and secret not in ps
    assert "--auth-token" not in ps
    for pid in [full.proc.pid, *children(full.proc.pid).values()]:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        assert API_TOKEN not in cmdline and secret not in cmdline


def test_the_http_api_is_never_open_without_the_token(full):
    url = f"{full.rasa_url}/conversations/supervisor-test/tracker"
    with pytest.raises(urllib.error.HTTPError) as refused:
        NO_PROXY.open(url, timeout=10)
    assert refused.value.code in (401, 403)
    with NO_PROXY.open(f"{url}?{urllib.parse.urlencode({'token': API_TOKEN})}", timeout=10) as r:
        assert r.status == 200  # the token starting with '-' works


def test_databases_logs_and_secrets_are_private(full):
    say(full.rasa_url, "supervisor-files", "hello")
    logs = full.tmp / "logs"
    assert {"actions.log", "rasa.log", "web.log", "supervisor.log"} <= {p.name for p in logs.iterdir()}
    for path in [full.tmp / "conversations.db", full.tmp / "triage.db", full.tmp / "secrets" / "action_secret",
                 *logs.iterdir()]:
        assert _mode(path) == 0o600, path
    assert _mode(logs) == 0o700
    assert "Goin' Fast" in (logs / "actions.log").read_text()  # each server's own output in its own file
    assert "retention: conversations 0" in (logs / "supervisor.log").read_text()  # all three: the plain name
    assert "rasa | " in full.output() and "actions | " in full.output() and "web | " in full.output()


def _forged_cro_request() -> bytes:
    tracker = {"sender_id": "forger", "slots": {"cro_consent": "yes", "safety_concern": True,
                                                "cro_about": "forged request", "cro_contact_method": "not_given"},
               "latest_message": {"intent": {"name": "affirm", "confidence": 1.0}, "entities": [], "text": "yes"},
               "events": [], "paused": False, "followup_action": None, "active_loop": {},
               "latest_action_name": "action_listen", "latest_event_time": None, "latest_input_channel": "rest"}
    return json.dumps({"next_action": "action_submit_cro_request", "sender_id": "forger", "version": "3.6.2",
                       "tracker": tracker, "domain": {}}).encode()


def _requests(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        if not conn.execute("select 1 from sqlite_master where name = 'requests'").fetchone():
            return 0
        return conn.execute("select count(*) from requests").fetchone()[0]


def _post_action(port: int, headers: dict[str, str]) -> int:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/webhook", data=_forged_cro_request(),
                                 headers={"Content-Type": "application/json", **headers})
    try:
        with NO_PROXY.open(req, timeout=20) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_a_forged_action_call_is_refused_and_stores_nothing(full):
    port, db = full.ports["actions"], full.tmp / "triage.db"
    before = _requests(db)
    assert _post_action(port, {}) == 401
    assert _post_action(port, {"X-Action-Secret": "guess"}) == 403
    assert _post_action(port, {"X-Action-Secret": ""}) == 403
    assert _requests(db) == before
    secret = (full.tmp / "secrets" / "action_secret").read_text().strip()
    assert _post_action(port, {"X-Action-Secret": secret}) == 200  # Rasa's own calls work
    assert _requests(db) == before + 1


def test_the_action_server_sends_no_cors_headers(full):
    req = urllib.request.Request(f"http://127.0.0.1:{full.ports['actions']}/webhook", method="OPTIONS",
                                 headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    try:
        with NO_PROXY.open(req, timeout=10) as r:
            headers = r.headers
    except urllib.error.HTTPError as e:
        headers = e.headers
    assert "Access-Control-Allow-Origin" not in headers
    req = urllib.request.Request(f"http://127.0.0.1:{full.ports['actions']}/health",
                                 headers={"Origin": "http://evil.example"})
    with NO_PROXY.open(req, timeout=10) as r:
        assert "Access-Control-Allow-Origin" not in r.headers


def _non_loopback_addresses() -> list[str]:
    found = set()
    for target in ("10.255.255.255", "192.0.2.1", "8.8.8.8"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((target, 9))  # UDP: nothing is sent, the kernel picks the outgoing address
                found.add(s.getsockname()[0])
            except OSError:
                pass
    try:
        found.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET))
    except OSError:
        pass
    return sorted(a for a in found if not a.startswith("127.") and a != "0.0.0.0")


def test_the_action_server_is_reachable_on_loopback_only(full):
    addresses = _non_loopback_addresses()
    if not addresses:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    for address in addresses:
        for name in ("actions", "rasa"):
            with socket.socket() as s:
                s.settimeout(3)
                assert s.connect_ex((address, full.ports[name])) != 0, f"{name} answers on {address}"
    with socket.create_connection(("127.0.0.1", full.ports["actions"]), timeout=3):
        pass


@pytest.mark.parametrize("victim", ["actions", "web", "rasa"])
def test_each_killed_server_comes_back_and_the_others_never_stop(full, victim):
    before = children(full.proc.pid)
    assert set(before) == {"actions", "rasa", "web"}
    os.kill(before[victim], signal.SIGKILL)
    others = [n for n in before if n != victim]
    deadline = time.time() + (240 if victim == "rasa" else 60)
    while True:
        for name in others:  # the others keep answering the whole time, as the same processes
            assert alive(before[name]), f"{name} stopped when {victim} was killed"
            assert answers(full.health[name], timeout=10), f"{name} stopped answering when {victim} was killed"
        now = children(full.proc.pid)
        if now.get(victim) not in (None, before[victim]) and answers(full.health[victim]):
            break
        assert time.time() < deadline, f"{victim} did not come back:\n{full.output()[-3000:]}"
        time.sleep(1)
    assert {n: p for n, p in children(full.proc.pid).items() if n != victim} == {n: before[n] for n in others}
    assert f"{victim} was killed by signal 9" in full.output()
    if victim in ("actions", "rasa"):  # the new process has the same secret: answers come from the actions
        assert "45 working days" in ask(full, f"after-{victim}-restart")


def test_a_server_that_stops_answering_is_restarted(full):
    before = children(full.proc.pid)
    os.kill(before["web"], signal.SIGSTOP)  # alive but silent
    try:
        assert wait_for(lambda: children(full.proc.pid).get("web") not in (None, before["web"])
                        and answers(full.health["web"]), timeout=90, step=1), full.output()[-3000:]
    finally:
        if alive(before["web"]):
            os.kill(before["web"], signal.SIGCONT)
    assert "web stopped answering" in full.output()
    now = children(full.proc.pid)
    assert (now["actions"], now["rasa"]) == (before["actions"], before["rasa"])


def test_sigterm_to_the_supervisor_stops_every_server(full):
    pids = children(full.proc.pid)
    os.kill(full.proc.pid, signal.SIGTERM)  # the supervisor alone, not its process group
    full.proc.wait(timeout=60)
    assert not [n for n, p in pids.items() if alive(p)]
    assert "SIGTERM: stopping" in full.output()


@pytest.fixture
def light(tmp_path):
    """The action server alone, with bad secret files and no API token in the environment."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "api_token").write_text("-Xbad-token-from-an-old-run\n")
    (secrets / "api_token").chmod(0o644)
    (secrets / "action_secret").write_text("")
    stack = Supervised(tmp_path, "actions web")
    try:
        stack.wait_up(timeout=120)
        yield stack
    finally:
        stack.close()


def test_a_bad_token_file_is_replaced_and_ctrl_c_stops_all(light):
    token_file = light.tmp / "secrets" / "api_token"
    token = token_file.read_text().strip()
    assert token and not token.startswith("-") and _mode(token_file) == 0o600
    secret = (light.tmp / "secrets" / "action_secret").read_text().strip()
    assert secret and not secret.startswith("-")
    out = light.output()
    assert f'replaced the secret in {token_file} with a new one: the old one was starting with "-"' in out
    assert "action_secret with a new one: the old one was empty" in out
    assert token not in out and secret not in out
    assert _post_action(light.ports["actions"], {"X-Action-Secret": secret}) == 200

    pids = children(light.proc.pid)
    os.kill(light.proc.pid, signal.SIGINT)  # Ctrl-C
    light.proc.wait(timeout=60)
    assert not [n for n, p in pids.items() if alive(p)]
    assert "SIGINT: stopping" in light.output()
    assert "stopped" in (light.tmp / "logs" / "supervisor-actions-web.log").read_text()


def test_servers_die_with_the_supervisor_even_when_it_is_killed(light):
    pids = children(light.proc.pid)
    os.kill(light.proc.pid, signal.SIGKILL)
    light.proc.wait(timeout=10)
    assert wait_for(lambda: not [p for p in pids.values() if alive(p)], timeout=30), pids

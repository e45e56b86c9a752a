"""The supervisor's decisions with a fake clock and fake processes: restarts with backoff, one
server at a time, health checks, the retention schedule, what each server is given, its output."""
from __future__ import annotations

import http.server
import io
import os
import signal
import threading

import pytest

from bot import retention, supervisor
from bot.supervisor import Backoff, HealthPolicy, Output, Service, Supervisor

API_TOKEN = "-api-token-that-starts-with-a-dash"
ACTION_SECRET = "action-secret-xyz"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeProc:
    pids = iter(range(100, 10_000))

    def __init__(self, name: str):
        self.name, self.pid = name, next(self.pids)
        self.returncode = None
        self.signals: list[int] = []

    def poll(self):  # noqa: ANN201
        return self.returncode

    def send_signal(self, sig: int) -> None:
        self.signals.append(sig)

    def terminate(self) -> None:
        self.signals.append(signal.SIGTERM)

    def kill(self) -> None:
        self.signals.append(signal.SIGKILL)
        self.returncode = -signal.SIGKILL

    def die(self, code: int = -signal.SIGKILL) -> None:
        self.returncode = code


class Health:
    """What each server answers to a health check: by the first URL's name."""

    def __init__(self) -> None:
        self.answer: dict[str, bool] = {}
        self.calls: list[str] = []

    def __call__(self, url, timeout):  # noqa: ANN001, ANN204
        self.calls.append(url)
        return self.answer.get(url, True)


def make(names=("actions", "rasa", "web"), policy=None, schedule=None, purge=None):  # noqa: ANN001, ANN201
    clock, health, procs = Clock(), Health(), []

    def spawn(service: Service) -> FakeProc:
        proc = FakeProc(service.name)
        procs.append(proc)
        return proc

    services = [Service(n, ["true"], {}, n) for n in names]
    sup = Supervisor(services, Output(None, 1000, stream=io.BytesIO()), clock=clock, spawn=spawn, check=health,
                     policy=policy or HealthPolicy(every=5, timeout=1, failures=3, startup=100, stop_grace=10),
                     schedule=schedule, purge=purge or (lambda: {}))
    return sup, clock, health, procs


def settle(sup: Supervisor) -> None:
    """Let the health checks submitted so far finish, then take one more pass."""
    for s in sup.services:
        if s.check is not None:
            s.check.result(timeout=5)
    sup.tick()


def by_name(sup: Supervisor) -> dict[str, Service]:
    return {s.name: s for s in sup.services}


def test_backoff_doubles_to_thirty_seconds_and_resets_after_a_good_run():
    b = Backoff(first=1, limit=30, reset_after=60)
    assert [b.delay(uptime=2) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert b.delay(uptime=61) == 1
    assert b.delay(uptime=5) == 2


def test_a_server_that_exits_comes_back_after_its_backoff_and_the_others_are_untouched():
    sup, clock, _, procs = make()
    sup.tick()
    first = {s.name: s.proc for s in sup.services}
    assert sorted(p.name for p in procs) == ["actions", "rasa", "web"]

    first["rasa"].die()
    clock.now += 0.2
    sup.tick()
    assert by_name(sup)["rasa"].proc is None
    clock.now += 0.5
    sup.tick()
    assert by_name(sup)["rasa"].proc is None  # 1 s backoff not over yet
    clock.now += 0.6
    sup.tick()
    assert by_name(sup)["rasa"].proc is not first["rasa"]
    assert by_name(sup)["rasa"].proc.poll() is None
    for name in ("actions", "web"):
        assert by_name(sup)[name].proc is first[name]
        assert first[name].signals == []

    # Dies again quickly: waits 2 s this time.
    by_name(sup)["rasa"].proc.die(1)
    clock.now += 1
    sup.tick()
    clock.now += 1.5
    sup.tick()
    assert by_name(sup)["rasa"].proc is None
    clock.now += 0.6
    sup.tick()
    assert by_name(sup)["rasa"].proc is not None
    assert len(procs) == 5


def test_a_server_that_stops_answering_is_restarted_alone():
    sup, clock, health, procs = make()
    sup.tick()
    clock.now += 1
    sup.tick()  # first checks
    settle(sup)
    assert all(s.answered for s in sup.services)
    web = by_name(sup)["web"].proc

    health.answer["web"] = False
    for _ in range(2):
        clock.now += 5
        sup.tick()
        settle(sup)
    assert web.signals == []  # two misses: not yet
    clock.now += 5
    sup.tick()
    settle(sup)
    assert signal.SIGTERM in web.signals and signal.SIGCONT in web.signals
    clock.now += 10  # did not stop within the grace: killed
    sup.tick()
    assert signal.SIGKILL in web.signals
    health.answer["web"] = True
    clock.now += 1.1
    sup.tick()
    clock.now += 1.1
    sup.tick()
    assert by_name(sup)["web"].proc is not web
    for name in ("actions", "rasa"):
        assert by_name(sup)[name].proc.signals == []
    assert len(procs) == 4


def test_a_miss_before_the_first_answer_is_not_counted_but_the_startup_limit_is():
    sup, clock, health, _ = make(names=("rasa",))
    health.answer["rasa"] = False
    sup.tick()
    for _ in range(19):  # 95 s of failed checks while Rasa loads its model: left alone
        clock.now += 5
        sup.tick()
        settle(sup)
    rasa = by_name(sup)["rasa"].proc
    assert rasa.signals == []
    clock.now += 6  # past the 100 s startup limit
    sup.tick()
    assert signal.SIGTERM in rasa.signals


def test_retention_runs_at_start_and_on_schedule_with_a_fake_clock():
    runs: list[float] = []
    sup, clock, _, _ = make(names=(), schedule=retention.Schedule(3600), purge=lambda: runs.append(clock.now) or {})
    sup.tick()
    assert runs == [1000.0]
    for _ in range(59):
        clock.now += 60
        sup.tick()
    assert runs == [1000.0]
    clock.now += 60
    sup.tick()
    sup.tick()
    assert runs == [1000.0, 4600.0]
    clock.now += 3 * 3600  # the machine slept: one run, not three
    sup.tick()
    sup.tick()
    assert runs == [1000.0, 4600.0, 15400.0]


def test_retention_logs_counts_only(caplog):
    sup, _, _, _ = make(names=(), schedule=retention.Schedule(60), purge=lambda: {"conversations": 3, "triage_open": 1})
    with caplog.at_level("INFO", logger="supervisor"):
        sup.tick()
    assert "conversations 3, triage_open 1" in caplog.text


def test_build_services_secrets_only_in_the_environment_of_who_needs_them(tmp_path):
    env = {"RASA_PORT": "6005", "ACTION_PORT": "6055", "WEB_PORT": "6080", "PATH": "/bin",
           "FAMILY_HELP_API_TOKEN": API_TOKEN, "FAMILY_HELP_TRACKER_DB": str(tmp_path / "c.db")}
    services = {s.name: s for s in supervisor.build_services(["actions", "rasa", "web"], env, API_TOKEN,
                                                             ACTION_SECRET)}
    for s in services.values():
        assert API_TOKEN not in " ".join(s.argv) and ACTION_SECRET not in " ".join(s.argv)
        assert not any(a.startswith("--auth-token") for a in s.argv)
        assert s.env["FAMILY_HELP_TRACKER_DB"] == str(tmp_path / "c.db")
        assert s.env["PYTHONUNBUFFERED"] == "1"
    assert services["rasa"].env["FAMILY_HELP_API_TOKEN"] == API_TOKEN
    assert services["rasa"].env["FAMILY_HELP_ACTION_SECRET"] == ACTION_SECRET
    assert services["actions"].env["FAMILY_HELP_ACTION_SECRET"] == ACTION_SECRET
    assert "FAMILY_HELP_API_TOKEN" not in services["actions"].env
    assert "FAMILY_HELP_API_TOKEN" not in services["web"].env
    assert "FAMILY_HELP_ACTION_SECRET" not in services["web"].env
    assert services["actions"].env["FAMILY_HELP_ACTION_URL"] == "http://127.0.0.1:6055/webhook"
    rasa = services["rasa"].argv
    assert rasa[rasa.index("--port") + 1] == "6005" and rasa[rasa.index("--interface") + 1] == "127.0.0.1"
    assert rasa[rasa.index("--cors") + 1] == "http://localhost:6080"
    assert services["rasa"].health == "http://127.0.0.1:6005/webhooks/rest/ready"
    assert services["web"].argv[1:] == ["-m", "web", "--port", "6080"]
    assert "--enable-api" in rasa  # its token comes from the environment, inside bot/rasa_server.py
    assert services["actions"].health == "http://127.0.0.1:6055/health"


def test_unknown_service_is_refused():
    with pytest.raises(SystemExit, match="unknown server"):
        supervisor.build_services(["actions", "webb"], {}, API_TOKEN, ACTION_SECRET)


def test_output_goes_to_stdout_and_a_private_rotated_file(tmp_path):
    old = os.umask(0o077)
    try:
        stream = io.BytesIO()
        out = Output(tmp_path / "logs", max_bytes=200, stream=stream)
        for i in range(40):
            out.line("rasa", f"line {i:02d} {'x' * 20}\n")
        out.close()
    finally:
        os.umask(old)
    assert b"rasa | line 00 " in stream.getvalue() and b"rasa | line 39 " in stream.getvalue()
    files = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert files == ["rasa.log", "rasa.log.1", "rasa.log.2", "rasa.log.3", "rasa.log.4", "rasa.log.5"]
    assert "line 39" in (tmp_path / "logs" / "rasa.log").read_text()
    for p in (tmp_path / "logs").iterdir():
        assert p.stat().st_size <= 200
        assert p.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "logs").stat().st_mode & 0o777 == 0o700


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802, ANN201
        code = {"/ok": 200, "/broken": 500}.get(self.path, 404)
        self.send_response(code)
        self.end_headers()

    def log_message(self, *args):  # noqa: ANN002, ANN201
        pass


@pytest.fixture
def http_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_probe_needs_a_200(http_server):
    assert supervisor.probe(http_server + "/ok", 2)
    assert not supervisor.probe(http_server + "/broken", 2)
    assert not supervisor.probe(http_server + "/missing", 2)


def test_probe_false_when_nothing_listens():
    port = supervisor_free_port()
    assert not supervisor.probe(f"http://127.0.0.1:{port}/health", 2)


def supervisor_free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_supervisors_never_share_their_own_log_file():
    assert supervisor.own_log_name(["actions", "rasa", "web"]) == "supervisor"
    assert supervisor.own_log_name(["actions", "web"]) == "supervisor-actions-web"
    assert supervisor.own_log_name(["rasa"]) == "supervisor-rasa"


# --- several servers that need others (make run-scaled) ------------------------------------------
def test_a_server_starts_only_once_what_it_needs_answers_and_is_stopped_before_it():
    clock, health, procs = Clock(), Health(), []

    class Proc(FakeProc):
        def wait(self, timeout=None):  # noqa: ANN001, ANN201
            self.returncode = 0
            order.append(self.name)

    order: list[str] = []

    def spawn(service: Service) -> FakeProc:
        procs.append(Proc(service.name))
        return procs[-1]

    services = [Service("postgres", ["true"], {}, "tcp://pg", stop_signal=signal.SIGINT),
                Service("rasa-1", ["true"], {}, "rasa-1", after=("postgres",)),
                Service("rasa-2", ["true"], {}, "rasa-2", after=("postgres",))]
    sup = Supervisor(services, Output(None, 1000, stream=io.BytesIO()), clock=clock, spawn=spawn, check=health,
                     policy=HealthPolicy(every=5, timeout=1, failures=3, startup=100, stop_grace=10),
                     purge=lambda: {})
    health.answer["tcp://pg"] = False
    sup.tick()
    assert [p.name for p in procs] == ["postgres"]  # the Rasa servers wait for the database
    for _ in range(3):
        clock.now += 5
        sup.tick()
        settle(sup)
    assert [p.name for p in procs] == ["postgres"]
    health.answer["tcp://pg"] = True
    clock.now += 5
    sup.tick()
    settle(sup)
    assert sorted(p.name for p in procs) == ["postgres", "rasa-1", "rasa-2"]

    sup.stop_all(grace=1)
    assert order[-1] == "postgres"  # the database is stopped last, by its own signal (fast shutdown)
    assert signal.SIGINT in procs[0].signals and signal.SIGTERM not in procs[0].signals
    assert signal.SIGTERM in procs[1].signals


def test_a_tcp_health_address_needs_only_a_connection():
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert supervisor.probe(f"tcp://127.0.0.1:{port}", 2)
    assert not supervisor.probe(f"tcp://127.0.0.1:{supervisor_free_port()}", 1)


def test_build_services_can_point_rasa_at_other_endpoints():
    env = {"RASA_PORT": "6006", "FAMILY_HELP_TRACKER_DB": "/tmp/x.db"}
    (rasa,) = supervisor.build_services(["rasa"], env, API_TOKEN, ACTION_SECRET, endpoints="bot/endpoints-scaled.yml")
    assert rasa.argv[rasa.argv.index("--endpoints") + 1] == "bot/endpoints-scaled.yml"
    (rasa,) = supervisor.build_services(["rasa"], env, API_TOKEN, ACTION_SECRET)
    assert rasa.argv[rasa.argv.index("--endpoints") + 1] == "bot/endpoints.yml"  # make run: unchanged

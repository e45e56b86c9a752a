"""Start the assistant's servers and keep each one running, on its own.

    python -m bot.supervisor        (what bot/run.sh runs: `make run`; Ctrl-C stops them all)

- Starts the servers named in FAMILY_HELP_SERVICES (default "actions rasa web"): the action
  server (`python -m bot.actions_server`, 127.0.0.1:ACTION_PORT), Rasa
  (`python -m bot.rasa_server run ...`, 127.0.0.1:RASA_PORT) and the web server
  (`python -m web`, 127.0.0.1:WEB_PORT).
- Restarts one that exits, after 1, 2, 4, 8, 16, then 30 seconds (back to 1 s once it has been up
  for a minute), without touching the others.
- Asks each one over HTTP whether it is answering (actions and web: GET /health; Rasa:
  GET /webhooks/rest/ready; a `tcp://host:port` health address only has to accept a connection) and
  restarts one that stops answering (3 checks in a row) or never starts answering (10 minutes).
- A server may wait for others (`Service.after`: `make run-scaled` starts Rasa once PostgreSQL and
  Redis answer) and may want another stop signal (`Service.stop_signal`: PostgreSQL's fast shutdown
  is SIGINT); on the way out, the servers others wait for are stopped last.
- Runs the retention purges (bot/retention.py) at start and every
  FAMILY_HELP_RETENTION_EVERY_MINUTES, logging counts only.
- Sets umask 077: every file the servers create (databases, logs, secrets) is readable by this
  user only.
- Writes each server's output to its own stdout, each line prefixed with the server's name, and
  to its own log file in FAMILY_HELP_LOG_DIR (`actions.log`, `rasa.log`, `web.log`,
  `supervisor.log`), rotated at FAMILY_HELP_LOG_MAX_BYTES with 5 old files kept.
- Gives Rasa its API token and the action-server secret (bot/tokens.py) in its environment only:
  never on a command line, where `ps` shows it to every local user.
- Stops them all on Ctrl-C (SIGINT) or SIGTERM, then exits.
"""
from __future__ import annotations

import ctypes
import logging
import logging.handlers
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import settings
from bot import retention, tokens

ROOT = Path(__file__).resolve().parents[1]
KNOWN = ("actions", "rasa", "web")
SECRET_SETTINGS = ("FAMILY_HELP_API_TOKEN", "FAMILY_HELP_ACTION_SECRET")

log = logging.getLogger("supervisor")


# --- when to restart ------------------------------------------------------------------------
class Backoff:
    """Waits before restarting: 1, 2, 4 ... up to `limit` seconds; from `first` again once the
    server has stayed up `reset_after` seconds."""

    def __init__(self, first: float = 1.0, limit: float = 30.0, reset_after: float = 60.0):
        self.first, self.limit, self.reset_after = first, limit, reset_after
        self.failures = 0

    def delay(self, uptime: float) -> float:
        if uptime >= self.reset_after:
            self.failures = 0
        wait = min(self.limit, self.first * 2 ** self.failures)
        self.failures += 1
        return wait


@dataclass
class HealthPolicy:
    every: float = 5.0  # seconds between checks
    timeout: float = 3.0  # one check's time limit
    failures: int = 3  # checks in a row without an answer before a restart
    startup: float = 600.0  # how long a (re)started server has to answer its first check
    stop_grace: float = 10.0  # SIGTERM, then SIGKILL after this long


def probe(url: str, timeout: float) -> bool:
    """True when `url` answers 200; for `tcp://host:port`, when it accepts a connection."""
    if url.startswith("tcp://"):
        host, _, port = url[len("tcp://"):].rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=timeout):
                return True
        except (OSError, ValueError):
            return False
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(url, timeout=timeout) as r:
            return r.status == 200
    except (OSError, ValueError):  # HTTPError (any other status) is an OSError
        return False


# --- the servers ------------------------------------------------------------------------------
@dataclass
class Service:
    name: str
    argv: List[str]
    env: Dict[str, str]
    health: str  # the URL that must answer 200 (or tcp://host:port that must accept a connection)
    after: tuple = ()  # names of servers that must have answered before this one (re)starts
    stop_signal: int = signal.SIGTERM
    backoff: Backoff = field(default_factory=Backoff)
    proc: Optional[subprocess.Popen] = None
    started: float = 0.0
    restart_at: Optional[float] = 0.0  # None: running (or being stopped); a time: start then
    answered: bool = False  # has answered a check since it (re)started
    misses: int = 0
    next_check: float = 0.0
    check: Optional[Future] = None
    stopping_since: Optional[float] = None  # we asked it to stop (unhealthy): when
    out: Optional[threading.Thread] = None


def _python() -> str:
    return sys.executable




def build_services(names: Sequence[str], environ: Mapping[str, str], api_token: str, action_secret: str,
                   root: Path = ROOT, endpoints: str = "bot/endpoints.yml") -> List[Service]:
    """The command line, environment and health URLs of each server (no secret on any command line)."""
    unknown = [n for n in names if n not in KNOWN]
    if unknown:
        raise SystemExit(f"FAMILY_HELP_SERVICES: unknown server(s) {' '.join(unknown)}; "
                         f"choose from {' '.join(KNOWN)}")
    rasa_port, action_port, web_port = (settings.get(n, environ) for n in ("RASA_PORT", "ACTION_PORT", "WEB_PORT"))
    origins = settings.get("FAMILY_HELP_WIDGET_ORIGINS", environ) or (f"http://localhost:{web_port}",)
    base = {k: v for k, v in environ.items() if k not in SECRET_SETTINGS}
    base.update({
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(p for p in (str(root), environ.get("PYTHONPATH", "")) if p),
        "FAMILY_HELP_TRACKER_DB": str(settings.get("FAMILY_HELP_TRACKER_DB", environ)),
        "FAMILY_HELP_ACTION_URL": settings.get("FAMILY_HELP_ACTION_URL", environ)
        or f"http://127.0.0.1:{action_port}/webhook",
        "FAMILY_HELP_RASA_PUBLIC_URL": settings.get("FAMILY_HELP_RASA_PUBLIC_URL", environ)
        or f"http://localhost:{rasa_port}",
    })
    py = _python()
    services = []
    for name in names:
        if name == "actions":
            env = {**base, "FAMILY_HELP_ACTION_SECRET": action_secret}
            argv = [py, "-m", "bot.actions_server", "--port", str(action_port)]
            health = f"http://127.0.0.1:{action_port}/health"
        elif name == "rasa":
            env = {**base, "FAMILY_HELP_ACTION_SECRET": action_secret, "FAMILY_HELP_API_TOKEN": api_token}
            env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
            # --enable-api: bot/rasa_server.py adds the token from FAMILY_HELP_API_TOKEN inside Rasa
            argv = [py, "-m", "bot.rasa_server", "run", "--model", "models", "--port", str(rasa_port),
                    "--interface", "127.0.0.1", "--enable-api", "--cors", *origins,
                    "--credentials", "bot/credentials.yml", "--endpoints", endpoints]
            health = f"http://127.0.0.1:{rasa_port}/webhooks/rest/ready"  # 200 once the model is loaded
        else:
            env = base
            argv = [py, "-m", "web", "--port", str(web_port)]
            health = f"http://127.0.0.1:{web_port}/health"
        services.append(Service(name, argv, env, health))
    return services


# --- output: own stdout and own rotated file ---------------------------------------------------
class Output:
    """Each server's lines go to stdout (prefixed with its name) and to its own rotated file."""

    def __init__(self, log_dir: Optional[Path], max_bytes: int, stream=None):
        self.log_dir, self.max_bytes = log_dir, max_bytes
        self.stream = stream if stream is not None else sys.stdout.buffer
        self.lock = threading.Lock()
        self.files: Dict[str, logging.Handler] = {}
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def file(self, name: str) -> Optional[logging.Handler]:
        if self.log_dir is None:
            return None
        if name not in self.files:
            handler = logging.handlers.RotatingFileHandler(
                self.log_dir / f"{name}.log", maxBytes=self.max_bytes, backupCount=5, encoding="utf-8",
                errors="replace")
            handler.setFormatter(logging.Formatter("%(message)s"))
            self.files[name] = handler
        return self.files[name]

    def line(self, name: str, text: str) -> None:
        text = text.rstrip("\r\n")
        with self.lock:
            try:
                self.stream.write(f"{name} | {text}\n".encode("utf-8", "replace"))
                self.stream.flush()
            except (OSError, ValueError):
                pass  # nobody reads our stdout any more: the file still gets it
        handler = self.file(name)
        if handler is not None:
            handler.handle(logging.makeLogRecord({"msg": text, "levelno": logging.INFO}))

    def pump(self, name: str, pipe) -> threading.Thread:  # noqa: ANN001 - a binary pipe
        def run() -> None:
            with pipe:
                for raw in iter(pipe.readline, b""):
                    self.line(name, raw.decode("utf-8", "replace"))

        thread = threading.Thread(target=run, name=f"output-{name}", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        for handler in self.files.values():
            handler.close()


class _OutputHandler(logging.Handler):
    """The supervisor's own messages, through Output like a server's."""

    def __init__(self, output: Output, name: str = "supervisor"):
        super().__init__()
        self.output, self.name = output, name

    def emit(self, record: logging.LogRecord) -> None:
        self.output.line(self.name, f"{time.strftime('%Y-%m-%d %H:%M:%S')} {record.getMessage()}")


def own_log_name(names: Sequence[str]) -> str:
    """`supervisor` for all the servers; `supervisor-actions-web` when a test starts some of them
    (two supervisors never share a rotated file)."""
    return "supervisor" if set(names) == set(KNOWN) else "-".join(["supervisor", *names])


# --- the loop --------------------------------------------------------------------------------
def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the supervisor dies, even by SIGKILL (Linux)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


try:
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
except (OSError, AttributeError):
    _PRCTL = None


class Supervisor:
    def __init__(self, services: List[Service], output: Output, *, cwd: Path = ROOT,
                 clock: Callable[[], float] = time.monotonic, policy: Optional[HealthPolicy] = None,
                 schedule: Optional[retention.Schedule] = None,
                 purge: Callable[[], Dict[str, int]] = retention.purge_all,
                 spawn: Optional[Callable[[Service], subprocess.Popen]] = None,
                 check: Optional[Callable[[Sequence[str], float], bool]] = None):
        self.services, self.output, self.cwd, self.clock = services, output, cwd, clock
        self.policy = policy or HealthPolicy()
        self.schedule, self.purge = schedule, purge
        self.spawn = spawn or self._spawn
        self.check = check or probe
        self.pool = ThreadPoolExecutor(max_workers=max(1, len(services)), thread_name_prefix="health")
        self.stop_requested: Optional[str] = None

    # processes
    def _spawn(self, service: Service) -> subprocess.Popen:
        proc = subprocess.Popen(service.argv, cwd=self.cwd, env=service.env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                preexec_fn=_die_with_parent)  # noqa: PLW1509 - only prctl before exec
        service.out = self.output.pump(service.name, proc.stdout)
        return proc

    def start(self, service: Service, now: float) -> None:
        service.proc = self.spawn(service)
        service.started, service.restart_at, service.stopping_since = now, None, None
        service.answered, service.misses = False, 0
        service.next_check = now + 1.0
        log.info("started %s (pid %d)", service.name, service.proc.pid)

    def _ask_to_stop(self, service: Service, now: float) -> None:
        service.stopping_since = now
        try:
            service.proc.send_signal(signal.SIGCONT)  # a stopped (SIGSTOP) process cannot act on SIGTERM
            service.proc.send_signal(service.stop_signal)
        except ProcessLookupError:
            pass

    def tick(self) -> None:
        """One pass: retention, exits, restarts, health checks. Call it often (the loop: 5 a second)."""
        now = self.clock()
        if self.schedule is not None and self.schedule.due(now):
            self.run_retention(now)
        for s in self.services:
            if s.proc is not None and s.proc.poll() is not None:
                self._exited(s, now)
            if s.proc is None and s.restart_at is not None and now >= s.restart_at and self._ready(s.after):
                self.start(s, now)
            if s.proc is None:
                continue
            if s.stopping_since is not None:
                if now - s.stopping_since >= self.policy.stop_grace:
                    try:
                        s.proc.kill()
                    except ProcessLookupError:
                        pass
                continue
            self._health(s, now)

    def _ready(self, names: Sequence[str]) -> bool:
        """Every server named has answered since it (re)started."""
        return all(s.proc is not None and s.answered for s in self.services if s.name in names)

    def _exited(self, s: Service, now: float) -> None:
        code = s.proc.returncode
        uptime = now - s.started
        s.proc, s.check = None, None
        wait = s.backoff.delay(uptime)
        s.restart_at = now + wait
        how = f"was killed by signal {-code}" if code < 0 else f"exited with {code}"
        log.warning("%s %s after %.0f s; restarting it in %.0f s", s.name, how, uptime, wait)

    def _health(self, s: Service, now: float) -> None:
        if s.check is not None:
            if not s.check.done():
                return
            ok = bool(s.check.exception() is None and s.check.result())
            s.check = None
            if ok:
                if not s.answered:
                    log.info("%s is answering", s.name)
                s.answered, s.misses = True, 0
            elif s.answered:
                s.misses += 1
                if s.misses >= self.policy.failures:
                    log.warning("%s stopped answering (%d checks); restarting it", s.name, s.misses)
                    self._ask_to_stop(s, now)
                    return
            s.next_check = now + self.policy.every
        if not s.answered and now - s.started >= self.policy.startup:
            log.warning("%s did not answer within %.0f s of starting; restarting it", s.name, self.policy.startup)
            self._ask_to_stop(s, now)
            return
        if s.check is None and now >= s.next_check:
            s.check = self.pool.submit(self.check, s.health, self.policy.timeout)

    def run_retention(self, now: float) -> None:
        counts = self.purge()
        self.schedule.ran(now)
        log.info("retention: %s", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to do")

    def stop_all(self, grace: float = 20.0) -> None:
        """Stop every server: first those nobody waits for, then the ones others wait for (databases)."""
        needed = {name for s in self.services for name in s.after}
        self._stop([s for s in self.services if s.name not in needed], grace)
        self._stop([s for s in self.services if s.name in needed], grace)
        for s in self.services:
            if s.out is not None:
                s.out.join(timeout=2)
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _stop(self, services: Sequence[Service], grace: float) -> None:
        running = [s for s in services if s.proc is not None and s.proc.poll() is None]
        for s in running:
            try:
                s.proc.send_signal(signal.SIGCONT)
                s.proc.send_signal(s.stop_signal)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        for s in running:
            try:
                s.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop within %.0f s: killing it", s.name, grace)
                s.proc.kill()
                s.proc.wait()

    def request_stop(self, signum: int, _frame=None) -> None:  # noqa: ANN001 - a signal handler
        self.stop_requested = signal.Signals(signum).name

    def run(self, tick_seconds: float = 0.2) -> int:
        try:
            while self.stop_requested is None:
                self.tick()
                time.sleep(tick_seconds)
            log.info("%s: stopping %s", self.stop_requested, " ".join(s.name for s in self.services))
        finally:
            self.stop_all()
            log.info("stopped")
        return 0


def resolve_secrets() -> Optional[Tuple[str, str]]:
    """Rasa's API token and the action-server secret (bot/tokens.py), or None after printing why not."""
    try:
        api_token = tokens.resolve(tokens.API_TOKEN, say=log.warning)
        action_secret = tokens.resolve(tokens.ACTION_SECRET, say=log.warning)
        tokens.check_header_safe("FAMILY_HELP_ACTION_SECRET", action_secret)
    except (tokens.SecretError, settings.SettingError, OSError) as problem:
        print(problem, file=sys.stderr)
        return None
    return api_token, action_secret


def main(argv: Optional[List[str]] = None) -> int:
    os.umask(0o077)
    os.chdir(ROOT)
    problems = settings.check()
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 2
    names = settings.get("FAMILY_HELP_SERVICES")
    output = Output(settings.get("FAMILY_HELP_LOG_DIR"), settings.get("FAMILY_HELP_LOG_MAX_BYTES"))
    handler = _OutputHandler(output, own_log_name(names))
    for name in ("supervisor", "bot.retention"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
        logging.getLogger(name).propagate = False
    secrets = resolve_secrets()
    if secrets is None:
        return 2
    api_token, action_secret = secrets
    services = build_services(names, os.environ, api_token, action_secret)
    sup = Supervisor(services, output, schedule=retention.Schedule.from_settings())
    signal.signal(signal.SIGINT, sup.request_stop)
    signal.signal(signal.SIGTERM, sup.request_stop)
    web_port, rasa_port = settings.get("WEB_PORT"), settings.get("RASA_PORT")
    log.info("starting %s: chat page http://localhost:%d/ (app: /app), Rasa http://localhost:%d "
             "(REST: POST /webhooks/rest/webhook), actions 127.0.0.1:%d; logs in %s. Ctrl-C stops them.",
             " ".join(names), web_port, rasa_port, settings.get("ACTION_PORT"), settings.get("FAMILY_HELP_LOG_DIR"))
    try:
        return sup.run()
    finally:
        output.close()


if __name__ == "__main__":
    sys.exit(main())

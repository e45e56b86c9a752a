"""Several Rasa servers on one machine, the way Rasa grows: a shared PostgreSQL (conversations and
the triage queue), a Redis lock store, nginx in front. What `make run-scaled` runs (bot/scaled.sh
installs what is missing first).

    python -m bot.scaled                  Ctrl-C or SIGTERM stops everything

Everything lives in build/scaled/ (FAMILY_HELP_BUILD/scaled): PostgreSQL's own cluster (`postgres/`),
Redis's and nginx's configuration (`redis/`, `nginx/`), the made passwords (`db_password`,
`redis_password`, 0600) and one log per server (`logs/`). The machine's own PostgreSQL, Redis or nginx
services and their configuration are never touched.

1. A private PostgreSQL cluster is made once (initdb; local socket in a folder only its owner can
   enter, TCP on 127.0.0.1 with a password). When run as root it runs as Debian's `postgres` user.
   The role FAMILY_HELP_DB_USER and database FAMILY_HELP_DB_NAME are made (or their password set)
   with psql each start, not with Rasa's login_db.
2. The retention purges run once on the new store.
3. bot/supervisor.py then starts and watches, each restarted on its own: PostgreSQL and Redis; the
   action server and the web server (triage on PostgreSQL); SCALE_REPLICAS Rasa servers
   (`rasa-1` on RASA_PORT+1, `rasa-2` on RASA_PORT+2 ..., SANIC_WORKERS=1, bot/endpoints-scaled.yml:
   PostgreSQL tracker store, bot/lock_store.py on Redis) once PostgreSQL and Redis answer; and nginx
   on RASA_PORT in front of them. nginx never re-sends a request that reached a server (only a failed
   connection goes to the next one), adds X-Forwarded-For only for clients that are not this machine
   (bot/intake.py: the machine itself is not rate-limited) and logs no requests.

`--base DIR` puts all of it in DIR instead of build/scaled (the scale test's own runs).
`--no-lock-store` leaves the lock store out (each Rasa server then has its own in-memory locks): only
for `make scale-test`, to show that its checker catches the turns that are then lost or mixed.
`--no-shared-state` keeps the recent safety concerns and the chat rate limit in each Rasa server's
memory (FAMILY_HELP_SHARED_STATE=0; bot/shared_state.py): only for `make scale-test`'s control run.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import glob
import logging
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Sequence

import settings
from bot import retention, supervisor, tokens

ROOT = Path(__file__).resolve().parents[1]
ENDPOINTS = "bot/endpoints-scaled.yml"
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
log = logging.getLogger("supervisor")


@dataclass(frozen=True)
class Layout:
    """Where everything is, and the ports, from the settings."""

    base: Path
    rasa_port: int
    replicas: int
    db_port: int
    redis_port: int
    db_name: str
    db_user: str

    @classmethod
    def from_settings(cls, environ: Optional[Mapping[str, str]] = None) -> Layout:
        get = (lambda n: settings.get(n, environ))  # noqa: E731
        layout = cls(get("FAMILY_HELP_BUILD") / "scaled", get("RASA_PORT"), get("SCALE_REPLICAS"),
                     get("FAMILY_HELP_DB_PORT"), get("FAMILY_HELP_REDIS_PORT"), get("FAMILY_HELP_DB_NAME"),
                     get("FAMILY_HELP_DB_USER"))
        for name, value in (("FAMILY_HELP_DB_NAME", layout.db_name), ("FAMILY_HELP_DB_USER", layout.db_user)):
            if not IDENTIFIER.match(value):
                raise settings.SettingError(f"{name} must be lower-case letters, digits and _, not {value!r}")
        taken = {get("ACTION_PORT"): "ACTION_PORT", get("WEB_PORT"): "WEB_PORT",
                 layout.db_port: "FAMILY_HELP_DB_PORT", layout.redis_port: "FAMILY_HELP_REDIS_PORT"}
        for port in (layout.rasa_port, *layout.replica_ports):
            if port in taken or port > 65535:
                raise settings.SettingError(f"the Rasa servers use ports {layout.rasa_port}-"
                                            f"{layout.rasa_port + layout.replicas}: {port} is "
                                            f"{taken.get(port, 'not a port')}")
        return layout

    @property
    def replica_ports(self) -> List[int]:
        return [self.rasa_port + i for i in range(1, self.replicas + 1)]

    @property
    def pg_data(self) -> Path:
        return self.base / "postgres" / "data"

    @property
    def pg_socket_dir(self) -> Path:
        return self.base / "postgres" / "run"


# --- configuration files ----------------------------------------------------------------------
def nginx_conf(layout: Layout) -> str:
    """nginx in front of the Rasa servers on this machine (`make run-scaled`)."""
    return nginx_config(listen=f"127.0.0.1:{layout.rasa_port}",
                        servers=[f"127.0.0.1:{p}" for p in layout.replica_ports],
                        pid=layout.base / "nginx" / "nginx.pid", tmp=layout.base / "nginx" / "tmp",
                        made_by="bot/scaled.py each start")


def nginx_config(*, listen: str, servers: Sequence[str], pid: object, tmp: object, made_by: str,
                 http_extra: str = "") -> str:
    """nginx in front of the Rasa servers (`make run-scaled`; docker-compose.yml: bot/compose.py). A POST
    that reached a server is never sent to another: `proxy_next_upstream error timeout` without
    `non_idempotent` passes on only requests whose connection failed before anything was sent."""
    upstream = "\n".join(f"        server {s} max_fails=1 fail_timeout=2s;" for s in servers)
    http_extra = "".join(f"    {line}\n" for line in http_extra.splitlines())
    return f"""# Made by {made_by}: edit that, not this.
worker_processes 1;
pid {pid};
error_log stderr warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;  # request lines can carry a conversation id: nothing is logged per request
    server_tokens off;
    client_max_body_size 64k;
    client_body_buffer_size 64k;  # a whole body in memory: never written to a temporary file
    proxy_max_temp_file_size 0;   # replies are passed on, never written to a temporary file
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{http_extra}    # This machine itself (tests, evaluations) is not rate-limited: no X-Forwarded-For for it.
    map $remote_addr $family_help_forwarded_for {{
        127.0.0.1 "";
        ::1 "";
        default $proxy_add_x_forwarded_for;
    }}
    upstream rasa {{
        least_conn;
{upstream}
        keepalive 32;
    }}
    server {{
        listen {listen};
        location = /nginx-health {{ return 200 "ok\\n"; }}
        location / {{
            proxy_pass http://rasa;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $family_help_forwarded_for;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


def redis_conf(layout: Layout, password: str) -> str:
    return f"""# Made by bot/scaled.py each start: edit that, not this. Locks only: nothing is saved to disk.
bind 127.0.0.1
port {layout.redis_port}
protected-mode yes
daemonize no
supervised no
save ""
appendonly no
dir {layout.base / "redis"}
logfile ""
loglevel warning
requirepass {password}
"""


def endpoints_without_lock_store(text: str) -> str:
    """bot/endpoints-scaled.yml with its lock_store section cut out (for the scale test's control run)."""
    head, sep, _ = text.partition("\nlock_store:")
    if not sep:
        raise ValueError("no lock_store section found")
    return head.rstrip() + "\n"


# --- the PostgreSQL cluster ---------------------------------------------------------------------
def pg_bin() -> Path:
    """Debian's newest PostgreSQL server programs (/usr/lib/postgresql/<version>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise SystemExit("PostgreSQL is missing: run `make run-scaled` (it installs Debian's postgresql)")
    return Path(found[-1]).parent


def run_as() -> List[str]:
    """PostgreSQL refuses to run as root: as root, its programs run as Debian's `postgres` user."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]


def _give_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(path, entry.pw_uid, entry.pw_gid)


def postgres_argv(layout: Layout) -> List[str]:
    return [*run_as(), str(pg_bin() / "postgres"), "-D", str(layout.pg_data),
            "-c", "listen_addresses=127.0.0.1", "-c", f"port={layout.db_port}",
            "-c", f"unix_socket_directories={layout.pg_socket_dir}", "-c", "max_connections=100",
            "-c", "log_min_messages=warning", "-c", "log_statement=none"]


def init_cluster(layout: Layout, say=print) -> None:  # noqa: ANN001 - a print-like function
    """Make the cluster once: the local socket trusts only who can enter its folder (PostgreSQL's own
    user), TCP needs a password (scram-sha-256)."""
    layout.base.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.base, 0o711)  # PostgreSQL's user may pass through; nobody may list it
    if os.geteuid() == 0:
        passable(layout.base.parent)
    (layout.base / "postgres").mkdir(exist_ok=True)
    os.chmod(layout.base / "postgres", 0o711)
    for folder in (layout.pg_data, layout.pg_socket_dir):
        folder.mkdir(mode=0o700, exist_ok=True)
        _give_to_postgres(folder)
    if (layout.pg_data / "PG_VERSION").exists():
        return
    say(f"making a PostgreSQL cluster in {layout.pg_data}")
    subprocess.run([*run_as(), str(pg_bin() / "initdb"), "-D", str(layout.pg_data), "-U", "postgres",
                    "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
                   check=True, stdout=subprocess.DEVNULL)


def passable(folder: Path, top: Path = Path("/")) -> None:
    """As root, PostgreSQL's user must be able to pass through every folder above its cluster: folders of
    this project get the others' search bit (made 0700 under umask 077, for example); a folder outside it
    that lacks it is named, not changed."""
    for parent in (folder, *folder.parents):
        if parent == top:
            return
        mode = parent.stat().st_mode
        if mode & 0o001:
            continue
        if parent == ROOT or ROOT in parent.parents:
            os.chmod(parent, (mode & 0o7777) | 0o001)
        else:
            raise SystemExit(f"PostgreSQL's user cannot pass through {parent}: put the project elsewhere, or "
                             f"chmod o+x {parent}")


def setup_sql(db_name: str, db_user: str, password: str) -> str:
    """The role (with its password) and its database, made when missing; run by psql from stdin."""
    quoted = password.replace("'", "''")
    return f"""\\set ON_ERROR_STOP on
SELECT 'CREATE ROLE {db_user} LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{db_user}')\\gexec
ALTER ROLE {db_user} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{quoted}';
SELECT 'CREATE DATABASE {db_name} OWNER {db_user}'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{db_name}')\\gexec
REVOKE ALL ON DATABASE {db_name} FROM PUBLIC;
GRANT ALL ON DATABASE {db_name} TO {db_user};
"""


@contextlib.contextmanager
def postgres_for_setup(layout: Layout) -> Iterator[None]:
    """The cluster running for a moment (to make the role and database, and to purge), before the
    supervisor takes it over. Its output goes to logs/postgres-setup.log."""
    with open(layout.base / "logs" / "postgres-setup.log", "ab") as out:
        proc = subprocess.Popen(postgres_argv(layout), stdout=out, stderr=out, stdin=subprocess.DEVNULL)
        try:
            ready = [*run_as(), str(pg_bin() / "pg_isready"), "-q", "-h", str(layout.pg_socket_dir),
                     "-p", str(layout.db_port)]
            for _ in range(600):
                if proc.poll() is not None:
                    raise SystemExit(f"PostgreSQL did not start: see {out.name}")
                if subprocess.run(ready, check=False).returncode == 0:
                    break
                time.sleep(0.1)
            else:
                raise SystemExit(f"PostgreSQL did not answer within a minute: see {out.name}")
            yield
        finally:
            proc.send_signal(signal.SIGINT)  # fast shutdown
            proc.wait(timeout=60)


def setup_database(layout: Layout, password: str) -> None:
    """Make the role and database with psql (the cluster must be running: postgres_for_setup)."""
    subprocess.run([*run_as(), str(pg_bin() / "psql"), "-X", "-q", "-h", str(layout.pg_socket_dir),
                    "-p", str(layout.db_port), "-U", "postgres", "-d", "postgres", "-f", "-"],
                   input=setup_sql(layout.db_name, layout.db_user, password).encode(), check=True,
                   stdout=subprocess.DEVNULL)


# --- the servers ----------------------------------------------------------------------------------
def program(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if not path:
        raise SystemExit(f"{name} is missing: run `make run-scaled` (it installs Debian's package)")
    return path


def scaled_environment(environ: Mapping[str, str], layout: Layout, db_password: str,
                       redis_password: str, shared_state: bool = True) -> Dict[str, str]:
    """The settings every server (and retention, in this process) gets: the stores on PostgreSQL, and
    the chat channel's recent-concern memory and rate limit in Redis (bot/shared_state.py)."""
    env = dict(environ)
    env.update({
        "FAMILY_HELP_SHARED_STATE": "1" if shared_state else "0",
        "FAMILY_HELP_DB_HOST": "127.0.0.1", "FAMILY_HELP_DB_PORT": str(layout.db_port),
        "FAMILY_HELP_DB_NAME": layout.db_name, "FAMILY_HELP_DB_USER": layout.db_user,
        "FAMILY_HELP_DB_PASSWORD": db_password,
        "FAMILY_HELP_REDIS_HOST": "127.0.0.1", "FAMILY_HELP_REDIS_PORT": str(layout.redis_port),
        "FAMILY_HELP_REDIS_PASSWORD": redis_password,
        "FAMILY_HELP_RASA_PUBLIC_URL": settings.get("FAMILY_HELP_RASA_PUBLIC_URL", environ)
        or f"http://localhost:{layout.rasa_port}",
    })
    return env


def build_services(layout: Layout, env: Mapping[str, str], api_token: str, action_secret: str,
                   endpoints: str = ENDPOINTS) -> List[supervisor.Service]:
    """PostgreSQL, Redis, the action and web servers, the Rasa servers, nginx: in starting order."""
    stores = ("postgres", "redis")
    services = [
        supervisor.Service("postgres", postgres_argv(layout), dict(env), f"tcp://127.0.0.1:{layout.db_port}",
                           stop_signal=signal.SIGINT),  # fast shutdown: does not wait for clients
        supervisor.Service("redis", [program("redis-server"), str(layout.base / "redis" / "redis.conf")], dict(env),
                           f"tcp://127.0.0.1:{layout.redis_port}"),
    ]
    for s in supervisor.build_services(["actions", "web"], env, api_token, action_secret):
        s.after = ("postgres",)
        services.append(s)
    pool = {"SQL_POOL_SIZE": str(settings.get("SQL_POOL_SIZE", env)),
            "SQL_MAX_OVERFLOW": str(settings.get("SQL_MAX_OVERFLOW", env))}
    for i, port in enumerate(layout.replica_ports, start=1):
        (rasa,) = supervisor.build_services(["rasa"], {**env, "RASA_PORT": str(port)}, api_token, action_secret,
                                            endpoints=endpoints)
        rasa.name, rasa.after = f"rasa-{i}", stores
        rasa.env.update({"SANIC_WORKERS": "1", **pool})
        services.append(rasa)
    nginx_dir = layout.base / "nginx"
    services.append(supervisor.Service(
        "nginx", [program("nginx"), "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf"), "-e", "stderr"],
        dict(env), f"http://127.0.0.1:{layout.rasa_port}/nginx-health"))
    return services


def ports_in_use(layout: Layout, environ: Optional[Mapping[str, str]] = None) -> List[str]:
    """The ports this layout needs that something on this machine already answers on (for example the
    machine's own PostgreSQL on 5432), named by their setting."""
    needed = {"RASA_PORT": layout.rasa_port, "ACTION_PORT": settings.get("ACTION_PORT", environ),
              "WEB_PORT": settings.get("WEB_PORT", environ), "FAMILY_HELP_DB_PORT": layout.db_port,
              "FAMILY_HELP_REDIS_PORT": layout.redis_port}
    needed.update({f"RASA_PORT+{i}": port for i, port in enumerate(layout.replica_ports, start=1)})
    return [f"{port} ({name})" for name, port in needed.items() if supervisor.probe(f"tcp://127.0.0.1:{port}", 1)]


def write_configs(layout: Layout, redis_password: str, endpoints_text: Optional[str] = None) -> None:
    for folder in ("redis", "nginx", "nginx/tmp", "logs"):
        (layout.base / folder).mkdir(parents=True, exist_ok=True, mode=0o700)
    (layout.base / "redis" / "redis.conf").write_text(redis_conf(layout, redis_password))
    (layout.base / "nginx" / "nginx.conf").write_text(nginx_conf(layout))
    if endpoints_text is not None:
        (layout.base / "endpoints-nolock.yml").write_text(endpoints_text)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-lock-store", action="store_true",
                    help="leave the lock store out (the scale test's control run only)")
    ap.add_argument("--no-shared-state", action="store_true",
                    help="recent concerns and the rate limit in each Rasa server's memory (the scale test's "
                         "control run only)")
    ap.add_argument("--base", type=Path, default=None,
                    help="folder for the clusters, configs and logs (default: FAMILY_HELP_BUILD/scaled)")
    args = ap.parse_args(argv)
    os.umask(0o077)
    os.chdir(ROOT)
    problems = settings.check()
    try:
        layout = Layout.from_settings()
        if args.base is not None:
            layout = dataclasses.replace(layout, base=args.base.absolute())
    except settings.SettingError as problem:
        problems.append(str(problem))
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 2
    busy = ports_in_use(layout)
    if busy:
        print(f"make run-scaled: already in use on this machine: {', '.join(busy)}. Stop what uses them or "
              "set those settings to free ports (python -m settings).", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="supervisor | %(message)s")
    layout.base.mkdir(parents=True, exist_ok=True)
    db_password = settings.get("FAMILY_HELP_DB_PASSWORD") or tokens.read_or_make(layout.base / "db_password")
    redis_password = settings.get("FAMILY_HELP_REDIS_PASSWORD") or tokens.read_or_make(
        layout.base / "redis_password")
    endpoints, nolock = ENDPOINTS, None
    if args.no_lock_store:
        nolock = endpoints_without_lock_store((ROOT / ENDPOINTS).read_text())
        endpoints = str(layout.base / "endpoints-nolock.yml")
        print("WARNING: no lock store: two Rasa servers can handle one conversation at once (scale test only)")
    write_configs(layout, redis_password, nolock)
    init_cluster(layout)
    if args.no_shared_state:
        print("WARNING: no shared state: a safety concern noted by one Rasa server is unknown to the others "
              "(scale test only)")
    os.environ.update({**scaled_environment(os.environ, layout, db_password, redis_password,
                                            shared_state=not args.no_shared_state),
                       "FAMILY_HELP_LOG_DIR": str(layout.base / "logs")})
    schedule = retention.Schedule.from_settings()
    with postgres_for_setup(layout):
        setup_database(layout, db_password)
        # Retention at start, on the store in use, while nothing else runs; then on the schedule.
        counts = retention.purge_all()
        print("retention: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to do"))
    schedule.ran(time.monotonic())

    output = supervisor.Output(layout.base / "logs", settings.get("FAMILY_HELP_LOG_MAX_BYTES"))
    handler = supervisor._OutputHandler(output, "supervisor")
    for name in ("supervisor", "bot.retention"):
        logging.getLogger(name).handlers = [handler]
        logging.getLogger(name).setLevel(logging.INFO)
        logging.getLogger(name).propagate = False
    secrets = supervisor.resolve_secrets()
    if secrets is None:
        return 2
    api_token, action_secret = secrets
    services = build_services(layout, dict(os.environ), api_token, action_secret, endpoints)
    sup = supervisor.Supervisor(services, output, schedule=schedule)
    signal.signal(signal.SIGINT, sup.request_stop)
    signal.signal(signal.SIGTERM, sup.request_stop)
    log.info("starting %s: chat page http://localhost:%d/, Rasa through nginx http://localhost:%d "
             "(servers on %s), PostgreSQL 127.0.0.1:%d, Redis 127.0.0.1:%d; logs in %s. Ctrl-C stops them.",
             " ".join(s.name for s in services), settings.get("WEB_PORT"), layout.rasa_port,
             ", ".join(map(str, layout.replica_ports)), layout.db_port, layout.redis_port, layout.base / "logs")
    try:
        return sup.run()
    finally:
        output.close()


if __name__ == "__main__":
    sys.exit(main())

"""`make run-scaled` (bot/scaled.py): what it writes and starts, checked without starting anything
(the running layout is measured by `make scale-test`)."""
from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import read_endpoint_config

import settings
from bot import scaled
from bot.lock_store import RedisLeaseLockStore

ROOT = Path(scaled.__file__).resolve().parents[1]
SECRET_DB, SECRET_REDIS, TOKEN, ACTION = "db-pass-xyz", "redis-pass-xyz", "api-token-xyz", "action-secret-xyz"


@pytest.fixture
def layout(tmp_path) -> scaled.Layout:
    return scaled.Layout.from_settings({"FAMILY_HELP_BUILD": str(tmp_path), "RASA_PORT": "7005",
                                        "SCALE_REPLICAS": "3", "FAMILY_HELP_DB_PORT": "7432",
                                        "FAMILY_HELP_REDIS_PORT": "7379"})


def test_layout_from_settings(layout, tmp_path):
    assert layout.base == tmp_path / "scaled"
    assert layout.replica_ports == [7006, 7007, 7008]
    assert scaled.Layout.from_settings({}).replicas == 2  # SCALE_REPLICAS default


@pytest.mark.parametrize("env, problem", [
    ({"RASA_PORT": "5054"}, "ACTION_PORT"),  # the second Rasa server would take the action server's port
    ({"SCALE_REPLICAS": "0"}, "at least 1"),
    ({"FAMILY_HELP_DB_USER": "x; drop role"}, "lower-case"),
])
def test_bad_layouts_are_refused(env, problem):
    with pytest.raises(settings.SettingError, match=problem):
        scaled.Layout.from_settings(env)


def test_nginx_never_resends_a_request_that_reached_a_server(layout):
    conf = scaled.nginx_conf(layout)
    assert "listen 127.0.0.1:7005;" in conf
    assert re.findall(r"server 127\.0\.0\.1:(\d+)", conf) == ["7006", "7007", "7008"]
    (next_upstream,) = re.findall(r"proxy_next_upstream ([^;]*);", conf)
    assert next_upstream.split() == ["error", "timeout"]  # no non_idempotent: a POST sent is never re-sent
    assert "non_idempotent" not in conf
    assert "access_log off;" in conf and "daemon off;" in conf
    # this machine is not rate-limited (no X-Forwarded-For); anyone else gets the address nginx saw
    assert re.search(r'127\.0\.0\.1 "";\s*::1 "";\s*default \$proxy_add_x_forwarded_for;', conf)
    assert "proxy_set_header X-Forwarded-For $family_help_forwarded_for;" in conf
    assert str(layout.base / "nginx" / "tmp") in conf  # nothing written outside build/scaled


def test_redis_keeps_nothing_on_disk_and_needs_its_password(layout):
    conf = scaled.redis_conf(layout, SECRET_REDIS)
    assert "port 7379" in conf and "bind 127.0.0.1" in conf and 'save ""' in conf and "appendonly no" in conf
    assert f"requirepass {SECRET_REDIS}" in conf


def test_the_role_and_database_are_made_by_psql_only_when_missing():
    sql = scaled.setup_sql("family_help", "family_help", "it's-secret")
    assert "WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'family_help')\\gexec" in sql
    assert "CREATE DATABASE family_help OWNER family_help" in sql
    assert "PASSWORD 'it''s-secret'" in sql  # quoted; sent on psql's stdin, never its command line
    assert "NOSUPERUSER" in sql and "REVOKE ALL ON DATABASE family_help FROM PUBLIC" in sql


def test_the_control_run_has_no_lock_store():
    text = (ROOT / scaled.ENDPOINTS).read_text()
    cut = scaled.endpoints_without_lock_store(text)
    assert "lock_store:" in text and "lock_store:" not in cut and "RedisLeaseLockStore" not in cut
    assert "tracker_store:" in cut
    with pytest.raises(ValueError):
        scaled.endpoints_without_lock_store(cut)


def test_rasa_reads_the_scaled_endpoints(monkeypatch):
    env = scaled.scaled_environment({}, scaled.Layout.from_settings({}), SECRET_DB, SECRET_REDIS)
    for k, v in {**env, "FAMILY_HELP_ACTION_URL": "http://127.0.0.1:5055/webhook",
                 "FAMILY_HELP_ACTION_SECRET": ACTION}.items():
        monkeypatch.setenv(k, v)
    tracker = read_endpoint_config(str(ROOT / scaled.ENDPOINTS), "tracker_store")
    assert tracker.type == "bot.tracker_store.SafeSQLTrackerStore" and tracker.url == "127.0.0.1"
    assert tracker.kwargs["dialect"] == "postgresql" and tracker.kwargs["password"] == SECRET_DB
    lock = LockStore.create(read_endpoint_config(str(ROOT / scaled.ENDPOINTS), "lock_store"))
    assert isinstance(lock, RedisLeaseLockStore)
    assert (lock.host, lock.port, lock.password, lock.lease_seconds) == ("127.0.0.1", 6379, SECRET_REDIS, 10.0)


def test_the_servers_their_order_and_what_each_is_given(layout, monkeypatch):
    monkeypatch.setattr(scaled, "program", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(scaled, "pg_bin", lambda: Path("/usr/lib/postgresql/15/bin"))
    env = scaled.scaled_environment({"PATH": "/bin", "ACTION_PORT": "7055", "WEB_PORT": "7080"}, layout,
                                    SECRET_DB, SECRET_REDIS)
    services = {s.name: s for s in scaled.build_services(layout, env, TOKEN, ACTION)}
    assert list(services) == ["postgres", "redis", "actions", "web", "rasa-1", "rasa-2", "rasa-3", "nginx"]
    assert services["postgres"].stop_signal == signal.SIGINT
    assert services["postgres"].health == "tcp://127.0.0.1:7432" and services["redis"].health == "tcp://127.0.0.1:7379"
    assert "port=7432" in services["postgres"].argv and "listen_addresses=127.0.0.1" in services["postgres"].argv
    for i, port in enumerate(layout.replica_ports, start=1):
        rasa = services[f"rasa-{i}"]
        assert rasa.after == ("postgres", "redis")
        assert rasa.argv[rasa.argv.index("--port") + 1] == str(port)
        assert rasa.argv[rasa.argv.index("--endpoints") + 1] == scaled.ENDPOINTS
        assert rasa.health == f"http://127.0.0.1:{port}/webhooks/rest/ready"
        assert rasa.env["SANIC_WORKERS"] == "1" and rasa.env["SQL_POOL_SIZE"] == "5"
        assert rasa.env["FAMILY_HELP_RASA_PUBLIC_URL"] == "http://localhost:7005"  # nginx, not the server itself
        assert rasa.env["FAMILY_HELP_API_TOKEN"] == TOKEN and rasa.env["FAMILY_HELP_DB_PASSWORD"] == SECRET_DB
    for name in ("actions", "web"):
        assert services[name].after == ("postgres",)  # the triage store is on PostgreSQL
        assert services[name].env["FAMILY_HELP_DB_HOST"] == "127.0.0.1"
    assert services["nginx"].health == "http://127.0.0.1:7005/nginx-health"
    for s in services.values():  # secrets only in environments, never on a command line
        line = " ".join(s.argv)
        assert not any(secret in line for secret in (SECRET_DB, SECRET_REDIS, TOKEN, ACTION)), s.name


def test_ports_already_in_use_are_named_by_their_setting(layout):
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", layout.db_port))
        listener.listen()
        busy = scaled.ports_in_use(layout, {"ACTION_PORT": "7055", "WEB_PORT": "7080"})
    assert busy == [f"{layout.db_port} (FAMILY_HELP_DB_PORT)"]


def test_folders_of_the_project_above_the_cluster_become_passable_others_are_named(tmp_path, monkeypatch):
    project = tmp_path / "project"
    build = project / "build"
    build.mkdir(parents=True, mode=0o700)
    build.chmod(0o700)
    monkeypatch.setattr(scaled, "ROOT", project)
    project.chmod(0o755)
    scaled.passable(build, top=tmp_path)
    assert build.stat().st_mode & 0o777 == 0o701  # search only: nothing becomes readable
    outside = tmp_path / "elsewhere" / "build"
    outside.mkdir(parents=True)
    outside.parent.chmod(0o700)
    with pytest.raises(SystemExit, match="chmod o\\+x"):
        scaled.passable(outside, top=tmp_path)


def test_the_scaled_servers_share_the_channels_memory_in_redis_unless_the_control_run_says_not():
    layout = scaled.Layout.from_settings({})
    assert scaled.scaled_environment({}, layout, SECRET_DB, SECRET_REDIS)["FAMILY_HELP_SHARED_STATE"] == "1"
    control = scaled.scaled_environment({}, layout, SECRET_DB, SECRET_REDIS, shared_state=False)
    assert control["FAMILY_HELP_SHARED_STATE"] == "0"

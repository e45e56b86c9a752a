"""docker-compose.yml (a council's own servers) matches make run-scaled's layout: the same services, every
Rasa server on the shared tracker and lock stores, the nginx configuration the project makes, health
checks, and no secret in the file. Docker itself is not run here."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import settings
from bot import compose, scaled

ROOT = Path(__file__).resolve().parents[2]
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET")


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(spec) -> dict:
    return spec["services"]


def command(service: dict) -> str:
    return " ".join(service["command"])


def test_the_services_of_make_run_scaled(services):
    assert set(services) == {"postgres", "redis", "actions", "rasa-1", "rasa-2", "nginx", "web", "retention"}
    assert compose.rasa_services({"services": services}) == ["rasa-1", "rasa-2"]
    for name in ("postgres", "redis", "actions", "rasa-1", "rasa-2", "nginx", "web"):
        assert services[name]["healthcheck"]["test"], name
    assert "/webhooks/rest/ready" in " ".join(services["rasa-1"]["healthcheck"]["test"])
    assert "/health" in " ".join(services["actions"]["healthcheck"]["test"])
    # only the chat (nginx) and the web server are published, on this machine unless .env says otherwise
    published = {n: s["ports"] for n, s in services.items() if "ports" in s}
    assert published == {"nginx": ["${RASA_PUBLISH:-127.0.0.1:5005}:5005"],
                         "web": ["${WEB_PUBLISH:-127.0.0.1:8080}:8080"]}


def test_every_rasa_server_uses_the_shared_tracker_and_lock_stores(services):
    endpoints = yaml.safe_load((ROOT / scaled.ENDPOINTS).read_text(encoding="utf-8"))
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["tracker_store"]["url"] == "${FAMILY_HELP_DB_HOST}"
    assert endpoints["lock_store"]["type"] == "bot.lock_store.RedisLeaseLockStore"
    assert endpoints["lock_store"]["url"] == "${FAMILY_HELP_REDIS_HOST}"
    nginx_address = services["nginx"]["networks"]["family_help"]["ipv4_address"]
    for name in compose.rasa_services({"services": services}):
        rasa, env = services[name], services[name]["environment"]
        assert f"--endpoints {scaled.ENDPOINTS}" in command(rasa) and "bot.rasa_server run" in command(rasa)
        assert "--auth-token" not in command(rasa)  # the token reaches Rasa through its environment only
        assert env["FAMILY_HELP_DB_HOST"] == "postgres" and env["FAMILY_HELP_REDIS_HOST"] == "redis"
        assert env["FAMILY_HELP_SHARED_STATE"] == "1" and env["SANIC_WORKERS"] == "1"
        assert env["FAMILY_HELP_ACTION_URL"] == "http://actions:5055/webhook"
        assert env["FAMILY_HELP_TRUSTED_PROXIES"] == nginx_address  # the client's address, from nginx
        assert rasa["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert rasa["depends_on"]["redis"]["condition"] == "service_healthy"
    for name in ("actions", "web", "retention"):  # the triage queue and retention on the same PostgreSQL
        assert services[name]["environment"]["FAMILY_HELP_DB_HOST"] == "postgres", name


def test_nginx_mounts_the_configuration_the_project_makes(services):
    assert "./deploy/nginx.conf:/etc/family-help/nginx.conf:ro" in services["nginx"]["volumes"]
    assert "./deploy/real-ip:/etc/family-help/real-ip:ro" in services["nginx"]["volumes"]
    assert (ROOT / "deploy" / "real-ip" / "README").exists() and not list((ROOT / "deploy" / "real-ip").glob("*.conf"))
    assert "/etc/family-help/nginx.conf" in command(services["nginx"])
    mounted = compose.NGINX.read_text(encoding="utf-8")
    assert mounted == compose.expected(), "run python -m bot.compose"
    assert compose.main(["--check"]) == 0
    for name in compose.rasa_services({"services": services}):
        assert f"server {name}:5005 max_fails=1" in mounted
    # never re-send a request that reached a server: only a failed connection goes to the next one
    assert "proxy_next_upstream error timeout;" in mounted and "non_idempotent" not in mounted
    # the same settings as make run-scaled's nginx: only addresses and paths differ, and the council's proxy
    # may be named (deploy/real-ip/; nothing there by default)
    assert compose.REAL_IP in mounted
    layout = scaled.Layout(Path("/x/scaled"), 5005, 2, 5432, 6379, "family_help", "family_help")
    differ = re.compile(r"^\s*(#|pid |listen |server |\w+_temp_path |include /etc/family-help/real-ip/)")
    same = [[line for line in text.splitlines() if not differ.match(line)]
            for text in (mounted, scaled.nginx_conf(layout))]
    assert same[0] == same[1]


def test_no_secret_is_in_the_file_and_every_one_is_documented(services):
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    example = (ROOT / "deploy" / "env.example").read_text(encoding="utf-8")
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key):
                assert re.fullmatch(r"\$\{[A-Z_]+:[?-][^}]*\}", str(value)), f"{name}: {key} must come from .env"
    required = set(re.findall(r"\$\{([A-Z_0-9]+):\?", text))
    assert {"POSTGRES_PASSWORD", "FAMILY_HELP_DB_PASSWORD", "FAMILY_HELP_REDIS_PASSWORD", "FAMILY_HELP_API_TOKEN",
            "FAMILY_HELP_ACTION_SECRET"} <= required
    for variable in required | {"FAMILY_HELP_METRICS_TOKEN"}:
        assert re.search(rf"^{variable}=", example, re.M), f"{variable} is not in deploy/env.example"
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    named = set(re.findall(r"\b(FAMILY_HELP_[A-Z_]+[A-Z])\b", text))
    assert named - set(settings.REGISTRY) == set()  # every one is a setting of settings.py


def test_the_set_up_makes_the_role_with_psql_and_the_password_from_the_environment(services):
    init = (ROOT / "deploy" / "postgres-init.sh").read_text(encoding="utf-8")
    assert "./deploy/postgres-init.sh:/docker-entrypoint-initdb.d/family-help.sh:ro" in services["postgres"]["volumes"]
    assert "\\getenv password FAMILY_HELP_DB_PASSWORD" in init and "NOSUPERUSER" in init
    assert "-h 127.0.0.1" in " ".join(services["postgres"]["healthcheck"]["test"])  # ready after the set-up

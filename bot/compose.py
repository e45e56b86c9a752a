"""The nginx configuration docker-compose.yml mounts (deploy/nginx.conf), made by the same function as
`make run-scaled`'s (bot.scaled.nginx_config): only the addresses differ (the Rasa containers by name,
listening on every address inside nginx's own container).

    python -m bot.compose            writes deploy/nginx.conf for the rasa-N services of docker-compose.yml
    python -m bot.compose --check    exits 1 when deploy/nginx.conf is not what it would write

Add a Rasa server by copying a `rasa-N` service in docker-compose.yml (a new name and address), then
run `python -m bot.compose` and `docker compose up -d`.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, List, Mapping, Optional, Sequence

import yaml

from bot.scaled import nginx_config

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
NGINX = ROOT / "deploy" / "nginx.conf"
PORT = 5005  # Rasa's port inside each container, and nginx's
REPLICA = re.compile(r"^rasa-(\d+)$")


def rasa_services(compose: Mapping[str, Any]) -> List[str]:
    """The Rasa servers of a compose file: its `rasa-N` services, in order."""
    names = [n for n in compose.get("services", {}) if REPLICA.match(n)]
    return sorted(names, key=lambda n: int(REPLICA.match(n).group(1)))


# Behind the council's HTTPS proxy nginx would see the proxy's address for every client (one chat rate
# limit for all): a file in deploy/real-ip/ (see its README) names the proxy, whose X-Forwarded-For then
# gives the client's address. The pattern matches nothing until such a file is written.
REAL_IP = "include /etc/family-help/real-ip/*.conf;  # the council's proxy: deploy/real-ip/README"


def nginx_conf(services: Sequence[str]) -> str:
    return nginx_config(listen=str(PORT), servers=[f"{name}:{PORT}" for name in services], pid="/tmp/nginx.pid",
                        tmp="/var/cache/nginx", made_by="python -m bot.compose from docker-compose.yml",
                        http_extra=REAL_IP)


def expected(compose_file: Path = COMPOSE) -> str:
    return nginx_conf(rasa_services(yaml.safe_load(compose_file.read_text(encoding="utf-8"))))


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    text = expected()
    if args[:1] == ["--check"]:
        if not NGINX.exists() or NGINX.read_text(encoding="utf-8") != text:
            print(f"{NGINX.relative_to(ROOT)} is not what docker-compose.yml needs: run python -m bot.compose",
                  file=sys.stderr)
            return 1
        return 0
    NGINX.parent.mkdir(exist_ok=True)
    NGINX.write_text(text, encoding="utf-8")
    print(f"wrote {NGINX.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

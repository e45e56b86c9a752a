"""The action server: Rasa SDK's app, on 127.0.0.1 only, without CORS, and only for Rasa.

    python -m bot.actions_server [--port 5055]      (the supervisor starts it: bot/supervisor.py)

Every call except `GET /health` must carry the header `X-Action-Secret` with the shared secret
FAMILY_HELP_ACTION_SECRET (Rasa sends it: bot/endpoints.yml); without it the answer is 401, with
a wrong one 403, and no action runs. Browsers get no CORS headers, so no web page can call it.
The knowledge base is opened once, before the first message.

`GET /metrics` (bot/metrics.py) needs FAMILY_HELP_METRICS_TOKEN instead, as a bearer token: which
actions ran and how long they took, topic answers, safety replies by kind and fallbacks, read
from each call's answer (no action's code knows about it).

`--host` (default 127.0.0.1) is for a container only (docker-compose.yml), where Rasa reaches it
over the containers' private network.
"""
from __future__ import annotations

import argparse
import hmac
import logging
import sys

from rasa_sdk import endpoint, utils
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request

import settings
from bot import logs, metrics
from knowledge import store

HOST = "127.0.0.1"
SECRET_HEADER = "X-Action-Secret"
OPEN_PATHS = frozenset({"/health"})
OWN_TOKEN_PATHS = frozenset({metrics.PATH})  # checked by their own handler (bot/metrics.py)

log = logging.getLogger(__name__)


def create_app(secret: str, actions_package: str = "actions", metrics_token: str | None = None) -> Sanic:
    """Rasa SDK's app (its /health, /webhook and /actions routes) behind the secret check, and
    /metrics behind the metrics token."""
    if not secret:
        raise ValueError("the action server needs a secret")
    expected = secret.encode("utf-8")
    # No origin is allowed: sanic-cors then adds no Access-Control-Allow-Origin header.
    app = endpoint.create_app(actions_package, cors_origins=[])

    @app.middleware("request")
    async def require_secret(request: Request):  # noqa: ANN202 - a Sanic middleware
        if request.path in OPEN_PATHS or request.path in OWN_TOKEN_PATHS:
            return None
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return response.json({"error": f"the {SECRET_HEADER} header is missing"}, status=401)
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected):
            return response.json({"error": f"wrong {SECRET_HEADER}"}, status=403)
        return None

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception):  # noqa: ANN202 - a Sanic handler
        # Rasa SDK's own handler logs the request and echoes its body (the conversation) back,
        # which Rasa may then log: here only the kind of error.
        log.error("action call failed: %s", type(exception).__name__)
        return response.json({"error": "the action failed"}, status=500)

    executor = ActionExecutor()
    executor.register_package(actions_package)
    metrics.watch_action_server(app, executor.actions.keys(), metrics_token)  # after the secret check
    return app


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=None, help="default: ACTION_PORT (5055)")
    ap.add_argument("--host", default=HOST, help="default: 127.0.0.1 (another address only in a container)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logs.install()  # no message text in any record, tracebacks without values
    secret = settings.get("FAMILY_HELP_ACTION_SECRET")
    if not secret:
        sys.exit("FAMILY_HELP_ACTION_SECRET is not set: start the servers with bot/run.sh (make run), "
                 "which makes one")
    port = args.port or settings.get("ACTION_PORT")
    kb = store.shared()  # open once per process; fails fast if the knowledge base is missing
    log.info("knowledge base ready: %d councils", len(kb.councils))
    app = create_app(secret, metrics_token=settings.get("FAMILY_HELP_METRICS_TOKEN"))
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    log.info("action server on http://%s:%d (calls need %s)", args.host, port, SECRET_HEADER)
    app.run(args.host, port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()

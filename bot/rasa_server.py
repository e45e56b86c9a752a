"""Run Rasa's command line (`python -m bot.rasa_server run ...` = `rasa run ...`) with our fixes.

- Logs never hold message text (bot/logs.py: every record sanitised, structlog allow-listed).
- The HTTP API token comes from the environment (FAMILY_HELP_API_TOKEN, put there by the
  supervisor), never from the command line, so `ps` never shows it; it is passed to Rasa's
  parser inside this process as `--auth-token=<token>`, which also works when it starts with '-'.
- Sanic refuses request bodies over 64 kB (Sanic's default is 100 MB); the chat channel
  (bot/channel.py) checks each request further.

- A conversation store that asks for it (``raise_on_failure``, bot/endpoints-scaled.yml) fails the
  turn when it fails, instead of Rasa's fallback to an empty conversation kept in memory
  (bot/tracker_store.py, ``fail_loudly``).

And one speed fix:

Rasa 3.6 checks each action server reply with ``jsonschema.validate``, which also re-checks
the schema itself on every call. Measured with py-spy, that was about 70% of the server's time
per message. Here the validator is built (and the schema checked) once per process; every
reply is still validated against the same schema, with the same error.
"""
from __future__ import annotations

import functools
import os
import sys
from typing import Any, Dict

from bot import logs

MAX_REQUEST_BYTES = 64 * 1024


@functools.lru_cache(maxsize=1)
def _action_result_validator():  # noqa: ANN202 - a jsonschema validator
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _action_result_validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (". Failed to validate Action server response from API, make sure your response from the "
                      f"Action endpoint is valid. For more information about the format visit "
                      f"{DOCS_BASE_URL}/custom-actions")
        raise e


def install() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent

    from bot.tracker_store import fail_loudly

    RemoteAction._validate_action_result = validate_action_result
    create = Agent._create_tracker_store
    Agent._create_tracker_store = staticmethod(lambda store, domain: fail_loudly(create(store, domain)))


def arguments(argv: list[str], environ: Dict[str, str]) -> list[str]:
    """Rasa's arguments, with the API token from the environment added (never one from argv)."""
    args = [a for a in argv if not (a == "--auth-token" or a.startswith("--auth-token="))]
    if "--auth-token" in argv:
        raise SystemExit("bot.rasa_server: give the token in FAMILY_HELP_API_TOKEN, not on the command line")
    token = environ.get("FAMILY_HELP_API_TOKEN")
    if args[:1] == ["run"] and "--enable-api" in args:
        if not token:
            raise SystemExit("bot.rasa_server: FAMILY_HELP_API_TOKEN is not set; the HTTP API needs a token")
        args.append(f"--auth-token={token}")
    return args


def main() -> None:
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_REQUEST_BYTES))
    logs.install()
    install()
    import rasa.__main__ as rasa_main

    rasa_main.configure_structlog = logs.configure_structlog
    sys.argv = ["rasa", *arguments(sys.argv[1:], dict(os.environ))]
    rasa_main.main()


if __name__ == "__main__":
    main()

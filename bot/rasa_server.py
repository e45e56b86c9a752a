"""Run Rasa's command line (`python -m bot.rasa_server run ...` = `rasa run ...`) with one fix.

Rasa 3.6 checks each action server reply with ``jsonschema.validate``, which also re-checks
the schema itself on every call. Measured with py-spy, that was about 70% of the server's time
per message. Here the validator is built (and the schema checked) once per process; every
reply is still validated against the same schema, with the same error.
"""
from __future__ import annotations

import functools
import sys
from typing import Any, Dict


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

    RemoteAction._validate_action_result = validate_action_result


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()

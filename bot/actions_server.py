"""Start the action server with the knowledge base opened once, before the first message.

    python -m bot.actions_server [--port 5055]
"""
from __future__ import annotations

import argparse
import logging

from rasa_sdk import endpoint

from knowledge import store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=5055)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    kb = store.shared()  # open once per process; fails fast if the knowledge base is missing
    logging.getLogger(__name__).info("knowledge base ready: %d councils", len(kb.councils))
    endpoint.run("actions", port=args.port)


if __name__ == "__main__":
    main()

"""Delete CRO requests after the retention periods, and expired CRO sessions.

    python -m triage.retention [--days N] [--open-days N] [--db PATH]

A request holds a young person's words and how to reach them, so it is kept only as long as the
service needs it, then deleted with its notes and audit trail:
- once a CRO has closed it, FAMILY_HELP_TRIAGE_RETENTION_DAYS days (default 90) after closing;
- if it is never closed, FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS days (default 180) after its last
  change (a request left in the queue must not be kept for ever).
Expired CRO sign-in sessions are cleared too. `purge()` is what the supervisor runs on a schedule
(bot/retention.py, every FAMILY_HELP_RETENTION_EVERY_MINUTES); the command runs it by hand.
Counts only, nothing personal, in what it returns and prints.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

import settings
from triage.store import TriageStore


def retention_days() -> int:
    """FAMILY_HELP_TRIAGE_RETENTION_DAYS (default 90); ValueError naming it when it is not a whole number >= 1."""
    return settings.get("FAMILY_HELP_TRIAGE_RETENTION_DAYS")


def open_limit_days() -> int:
    """FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS (default 180); ValueError naming it when it is not a whole number >= 1."""
    return settings.get("FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS")


def purge(store: Optional[TriageStore] = None, *, closed_days: Optional[int] = None,
          open_days: Optional[int] = None) -> dict[str, int]:
    """Delete closed requests older than the retention period, requests never closed and unchanged
    for the open limit, and expired sessions. Returns counts: closed, open, sessions.

    The store's clock decides what "now" is (tests pass a fake one). Settings are read now, so a
    bad value raises before anything is deleted."""
    closed_days = retention_days() if closed_days is None else closed_days
    open_days = open_limit_days() if open_days is None else open_days
    for name, days in (("closed_days", closed_days), ("open_days", open_days)):
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            raise ValueError(f"{name} must be a whole number, at least 1")
    store = store or TriageStore.open()
    return {"closed": store.delete_closed_older_than(closed_days),
            "open": store.delete_open_unchanged_for(open_days),
            "sessions": store.purge_expired()}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m triage.retention", description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=None, help="days after closing (default: "
                    "FAMILY_HELP_TRIAGE_RETENTION_DAYS or 90)")
    ap.add_argument("--open-days", type=int, default=None, help="days after the last change of a request never "
                    "closed (default: FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS or 180)")
    ap.add_argument("--db", type=Path, default=None, help="triage database (default: FAMILY_HELP_TRIAGE_DB or "
                    "build/triage.db)")
    args = ap.parse_args(argv)
    for option, value in (("--days", args.days), ("--open-days", args.open_days)):
        if value is not None and value < 1:
            ap.error(f"{option} must be at least 1")
    try:
        days = args.days if args.days is not None else retention_days()
        open_days = args.open_days if args.open_days is not None else open_limit_days()
    except ValueError as e:
        ap.error(str(e))
    counts = purge(TriageStore.open(args.db), closed_days=days, open_days=open_days)
    print(f"triage retention: deleted {_plural(counts['closed'], 'closed request')} closed more than {days} days "
          f"ago and {_plural(counts['open'], 'open request')} unchanged for more than {open_days} days")
    return 0


if __name__ == "__main__":
    sys.exit(main())

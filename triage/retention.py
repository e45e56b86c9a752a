"""Delete closed CRO requests after the retention period.

    python -m triage.retention [--days N] [--db PATH]

A request holds a young person's words and how to reach them, so once a CRO has closed it it is
kept only FAMILY_HELP_TRIAGE_RETENTION_DAYS days (default 90), counted from when it was closed,
then deleted with its notes and audit trail. Also clears expired CRO sessions. Prints a count
only, nothing personal.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

from triage.settings import whole_number
from triage.store import TriageStore

DEFAULT_DAYS = 90


def retention_days() -> int:
    """FAMILY_HELP_TRIAGE_RETENTION_DAYS (default 90); ValueError when it is not a whole number >= 1."""
    return whole_number("FAMILY_HELP_TRIAGE_RETENTION_DAYS", DEFAULT_DAYS, "days")


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m triage.retention", description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=None, help="days after closing (default: "
                    "FAMILY_HELP_TRIAGE_RETENTION_DAYS or 90)")
    ap.add_argument("--db", type=Path, default=None, help="triage database (default: FAMILY_HELP_TRIAGE_DB or "
                    "build/triage.db)")
    args = ap.parse_args(argv)
    try:
        days = args.days if args.days is not None else retention_days()
    except ValueError as e:
        ap.error(str(e))
    if days < 1:
        ap.error("--days must be at least 1")
    store = TriageStore.open(args.db)
    deleted = store.delete_closed_older_than(days)
    store.purge_expired()
    print(f"triage retention: deleted {deleted} closed request{'' if deleted == 1 else 's'} "
          f"closed more than {days} days ago")
    return 0


if __name__ == "__main__":
    sys.exit(main())

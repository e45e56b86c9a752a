"""Forget conversations older than the retention period.

    python -m bot.retention [--days N]

Conversations can hold disclosures, so they are kept only as long as the service needs:
FAMILY_HELP_RETENTION_DAYS (default 30) days after their last event. Works on Rasa's
SQL tracker store (SQLite by default, FAMILY_HELP_TRACKER_DB). Logs counts, never text.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

from triage.settings import whole_number

DEFAULT_DAYS = 30


def retention_days() -> int:
    try:
        return whole_number("FAMILY_HELP_RETENTION_DAYS", DEFAULT_DAYS, "days")
    except ValueError as problem:
        raise SystemExit(str(problem)) from None


def purge(db_path: Path, days: int, now: float | None = None) -> int:
    """Delete every conversation whose last event is older than `days`. Returns how many."""
    if not db_path.exists():
        return 0
    cutoff = (now or time.time()) - days * 86400
    with sqlite3.connect(db_path) as conn:
        if not conn.execute("select 1 from sqlite_master where type='table' and name='events'").fetchone():
            return 0
        old = [r[0] for r in conn.execute(
            "select sender_id from events group by sender_id having max(timestamp) < ?", (cutoff,))]
        conn.executemany("delete from events where sender_id = ?", [(s,) for s in old])
    return len(old)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=None)
    ap.add_argument("--db", type=Path, default=Path(os.environ.get(
        "FAMILY_HELP_TRACKER_DB", Path(__file__).resolve().parents[1] / "build" / "conversations.db")))
    args = ap.parse_args(argv)
    days = args.days if args.days is not None else retention_days()
    removed = purge(args.db, days)
    print(f"retention: kept conversations from the last {days} days; removed {removed} older ones")
    return 0


if __name__ == "__main__":
    sys.exit(main())

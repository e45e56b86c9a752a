"""Forget conversations older than the retention period.

    python -m bot.retention [--days N] [--db PATH]

Conversations can hold disclosures, so they are kept only as long as the service needs:
FAMILY_HELP_RETENTION_DAYS (default 30) days after their last event. Works on Rasa's
SQL tracker store (SQLite by default, FAMILY_HELP_TRACKER_DB), with SQLite's secure_delete on so
that deleted rows are overwritten, not just unlinked. Logs counts, never text.

While the service runs, the supervisor (bot/supervisor.py) runs `purge_all` at start and every
FAMILY_HELP_RETENTION_EVERY_MINUTES (default 60): this purge and `triage.retention.purge`
(closed and abandoned CRO requests). `Schedule` decides when; it takes
the time as an argument so that tests can use a fake clock.
"""
from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Optional

import settings
from triage import retention as triage_retention
from triage.store import private_database

log = logging.getLogger(__name__)


def retention_days() -> int:
    """FAMILY_HELP_RETENTION_DAYS (default 30); exits with the setting's problem when it is bad."""
    try:
        return settings.get("FAMILY_HELP_RETENTION_DAYS")
    except settings.SettingError as problem:
        raise SystemExit(str(problem)) from None


def purge(db_path: Path, days: int, now: float | None = None) -> int:
    """Delete every conversation whose last event is older than `days`. Returns how many."""
    if not Path(db_path).exists():
        return 0
    cutoff = (time.time() if now is None else now) - days * 86400
    private_database(Path(db_path))  # a file made before umask 077 becomes this user's only
    conn = sqlite3.connect(db_path, timeout=10)
    try:
        conn.execute("PRAGMA secure_delete = ON")
        with conn:
            if not conn.execute("select 1 from sqlite_master where type='table' and name='events'").fetchone():
                return 0
            old = [r[0] for r in conn.execute(
                "select sender_id from events group by sender_id having max(timestamp) < ?", (cutoff,))]
            conn.executemany("delete from events where sender_id = ?", [(s,) for s in old])
    finally:
        conn.close()
    return len(old)


def purge_conversations() -> Dict[str, int]:
    """The conversation purge with the configured store and period."""
    return {"conversations": purge(settings.get("FAMILY_HELP_TRACKER_DB"), retention_days())}


def purge_triage() -> Dict[str, int]:
    """`triage.retention.purge()`: closed and abandoned CRO requests, expired sessions (counts)."""
    # Counts only: whatever else it returns never reaches a log.
    return {f"triage_{k}": v for k, v in triage_retention.purge().items()
            if isinstance(v, int) and not isinstance(v, bool)}


def purge_all(purges: Optional[Dict[str, Callable[[], Dict[str, int]]]] = None) -> Dict[str, int]:
    """Run every purge; one that fails is logged (its kind of error only) and the others still run."""
    purges = purges if purges is not None else {"conversations": purge_conversations, "triage": purge_triage}
    counts: Dict[str, int] = {}
    for name, run in purges.items():
        try:
            counts.update(run())
        except Exception as e:  # noqa: BLE001 - one failing purge must not stop the others or the service
            log.error("retention: the %s purge failed (%s); it runs again at the next interval",
                      name, type(e).__name__)
    return counts


class Schedule:
    """When the purges are due: at the first check, then every `every_seconds`.

    Times are from any monotonic clock (the supervisor passes time.monotonic(), tests a fake)."""

    def __init__(self, every_seconds: float):
        if every_seconds <= 0:
            raise ValueError("every_seconds must be positive")
        self.every = every_seconds
        self.next_at: Optional[float] = None  # None: not run yet, so due now

    def due(self, now: float) -> bool:
        return self.next_at is None or now >= self.next_at

    def ran(self, now: float) -> None:
        # From when it ran, not when it was due: a late run does not cause a burst of catch-up runs.
        self.next_at = now + self.every

    @classmethod
    def from_settings(cls) -> Schedule:
        return cls(settings.get("FAMILY_HELP_RETENTION_EVERY_MINUTES") * 60)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=None)
    ap.add_argument("--db", type=Path, default=None, help="default: FAMILY_HELP_TRACKER_DB")
    args = ap.parse_args(argv)
    if args.days is not None and args.days < 1:
        ap.error("--days must be at least 1")
    days = args.days if args.days is not None else retention_days()
    db = args.db if args.db is not None else settings.get("FAMILY_HELP_TRACKER_DB")
    removed = purge(db, days)
    print(f"retention: kept conversations from the last {days} days; removed {removed} older ones")
    return 0


if __name__ == "__main__":
    sys.exit(main())

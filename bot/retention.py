"""Forget conversations older than the retention period.

    python -m bot.retention [--days N] [--db PATH]

Conversations can hold disclosures, so they are kept only as long as the service needs:
FAMILY_HELP_RETENTION_DAYS (default 30) days after their last event. Works on Rasa's
SQL tracker store (SQLite by default, FAMILY_HELP_TRACKER_DB), with SQLite's secure_delete on so
that deleted rows are overwritten, not just unlinked; and on PostgreSQL when FAMILY_HELP_DB_HOST
is set (`make run-scaled`), with the same statement (PostgreSQL overwrites deleted rows when it
vacuums). Logs counts, never text.

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
from typing import Any, Callable, Dict, Optional

import settings
from triage import retention as triage_retention
from triage.store import postgres_settings, private_database

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
            return _delete_old(conn.cursor(), cutoff, "?")
    finally:
        conn.close()


# Every event of each conversation whose last event is older than the cutoff, in one statement.
_DELETE_OLD = ("delete from events where sender_id in"
               " (select sender_id from events group by sender_id having max(timestamp) < {p}) returning sender_id")


def _delete_old(cursor: Any, cutoff: float, placeholder: str) -> int:
    """Run the deletion on a DB-API cursor (SQLite: `?`, psycopg2: `%s`). Returns how many conversations."""
    cursor.execute(_DELETE_OLD.format(p=placeholder), (cutoff,))
    return len({row[0] for row in cursor.fetchall()})


def purge_postgres(params: Dict[str, Any], days: int, now: float | None = None,
                   connect: Optional[Callable[..., Any]] = None) -> int:
    """The same purge on Rasa's tracker store in PostgreSQL (`params`: psycopg2's connection arguments)."""
    cutoff = (time.time() if now is None else now) - days * 86400
    if connect is None:
        import psycopg2

        connect = psycopg2.connect
    conn = connect(**params)
    try:
        with conn, conn.cursor() as cursor:  # one transaction, committed on leaving
            cursor.execute("select to_regclass('events') is not null")
            if not cursor.fetchone()[0]:
                return 0  # no conversation stored yet: Rasa makes the table on its first start
            return _delete_old(cursor, cutoff, "%s")
    finally:
        conn.close()


def purge_conversations() -> Dict[str, int]:
    """The conversation purge with the configured store (PostgreSQL when FAMILY_HELP_DB_HOST is set,
    else the SQLite file) and period."""
    postgres = postgres_settings()
    if postgres:
        return {"conversations": purge_postgres(postgres, retention_days())}
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
    postgres = postgres_settings() if args.db is None else None
    if postgres:
        removed = purge_postgres(postgres, days)
    else:
        removed = purge(args.db if args.db is not None else settings.get("FAMILY_HELP_TRACKER_DB"), days)
    print(f"retention: kept conversations from the last {days} days; removed {removed} older ones")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The triage database: requests young people leave for a Children's Rights Officer (CRO), the
CROs' notes and audit trail, CRO accounts, sign-in sessions and sign-in throttling.

Every SQL statement of the triage feature is in this module, so PostgreSQL (or anything else)
can replace SQLite here alone. SQLite by default: the path comes from the argument, else
FAMILY_HELP_TRIAGE_DB, else build/triage.db; the file and its folder are made on first use and
the schema is upgraded in code (`MIGRATIONS`, recorded in `schema_version`).

PostgreSQL whenever FAMILY_HELP_DB_HOST is set (a path is then not used: the web server, the action
server and the accounts and retention commands all reach the one queue): the same statements, through
`_PostgresConnection`, which changes only what differs (`?` placeholders, SQLite's pragmas, the
`integer primary key` of the migrations, and `BEGIN IMMEDIATE`, which becomes a transaction holding
one advisory lock, so writes still run one at a time). Deleted rows there are overwritten only when
PostgreSQL vacuums, not at once as with SQLite's secure_delete.

Safe across threads and processes: a new connection per operation, WAL journal, a busy
timeout, and every write (with its audit row) in one `BEGIN IMMEDIATE` transaction.
Times are stored as UTC ISO 8601 strings with microseconds, so text order is time order.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional, TextIO, Union

import psycopg2
import psycopg2.extras
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

import settings
from knowledge.paths import council_ids

# The councils of the knowledge content (knowledge/<council>/council.yml): one list for the whole service.
COUNCILS = council_ids()
CATEGORIES = ("complaint", "advocacy", "placement", "contact_with_family", "social_worker", "leaving_care", "safety",
              "other")
STATUSES = ("new", "claimed", "contacted", "closed")
CONTACT_METHODS = ("phone", "email", "carer_or_social_worker", "they_will_ring", "not_given")
SPEAKERS = ("young person", "assistant")

# References: easy to read out over the phone; no 0/O, 1/I (32 symbols, about a billion references).
REFERENCE_PREFIX = "CRO-"
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6
_REFERENCE_RE = re.compile(rf"^{REFERENCE_PREFIX}[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}$")

MIN_PASSWORD_LENGTH = 12
MAX_NOTE_LENGTH = 5000
LOGIN_MAX_FAILURES = 5  # failed sign-ins from one client in LOGIN_WINDOW; then it waits LOGIN_LOCKOUT
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_LOCKOUT = timedelta(minutes=15)
LOGIN_GLOBAL_MAX_FAILURES = 100  # from all clients in LOGIN_WINDOW: "busy", every sign-in is slowed
LOGIN_BUSY_MAX_FAILURES = 2  # while busy, a client waits after this many failures
# Client addresses are stored only as an HMAC with this key, which never leaves memory: the database
# never holds an address, and rows older than LOGIN_WINDOW are deleted.
_CLIENT_KEY = secrets.token_bytes(32)
BUSY_TIMEOUT_MS = 15000
_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")

Clock = Callable[[], datetime]
UserLike = Union["User", str]


# --- records ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    reference: str
    council: str
    category: str
    urgent: bool
    status: str
    assigned_to: Optional[str]
    contact_method: str
    contact_detail: Optional[str]
    contact_when: Optional[str]
    name: Optional[str]
    own_words: Optional[str]
    transcript: tuple  # of {"who": "young person" | "assistant", "text": str}
    created_at: datetime
    updated_at: datetime
    closed_at: Optional[datetime]

    @property
    def urgency(self) -> str:
        return "urgent" if self.urgent else "normal"


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str  # created, assigned, status, category, note
    old: Optional[str]
    new: Optional[str]


@dataclass(frozen=True)
class Note:
    id: int
    at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class User:
    username: str
    council: str
    disabled: bool
    created_at: datetime


@dataclass(frozen=True)
class Session:
    id: str
    username: str
    council: str
    csrf_token: str
    created_at: datetime
    last_seen: datetime
    expires_at: datetime


# --- schema migrations (append only: never edit one that has shipped) -------------------------
def _m1_requests(conn: sqlite3.Connection) -> None:
    conn.execute("""
        create table requests (
            id integer primary key,
            reference text not null unique,
            council text not null,
            category text not null,
            urgent integer not null default 0,
            status text not null default 'new',
            assigned_to text,
            contact_method text not null,
            contact_detail text,
            contact_when text,
            name text,
            own_words text,
            transcript text not null default '[]',
            created_at text not null,
            updated_at text not null,
            closed_at text
        )""")
    conn.execute("""
        create table notes (
            id integer primary key,
            request_id integer not null references requests(id) on delete cascade,
            author text not null,
            text text not null,
            created_at text not null
        )""")
    conn.execute("""
        create table audit (
            id integer primary key,
            request_id integer not null references requests(id) on delete cascade,
            at text not null,
            actor text not null,
            action text not null,
            old_value text,
            new_value text
        )""")


def _m2_accounts(conn: sqlite3.Connection) -> None:
    conn.execute("""
        create table users (
            username text primary key,
            council text not null,
            password_hash text not null,
            disabled integer not null default 0,
            created_at text not null
        )""")
    conn.execute("""
        create table sessions (
            id_hash text primary key,
            username text not null references users(username) on delete cascade,
            csrf_token text not null,
            created_at text not null,
            last_seen text not null
        )""")
    conn.execute("create table login_failures (username text not null, at text not null)")
    conn.execute("create table login_lockouts (username text primary key, until text not null)")


def _m3_indexes(conn: sqlite3.Connection) -> None:
    conn.execute("create index requests_queue on requests(council, status, urgent, created_at)")
    conn.execute("create index requests_closed on requests(status, closed_at)")
    conn.execute("create index notes_request on notes(request_id)")
    conn.execute("create index audit_request on audit(request_id)")
    conn.execute("create index sessions_last_seen on sessions(last_seen)")
    conn.execute("create index login_failures_user on login_failures(username, at)")


def _m4_login_by_client(conn: sqlite3.Connection) -> None:
    """Sign-in throttling by client (a keyed hash of its address), never by username: a lock on a
    username let anyone lock a CRO out. The old rows are short-lived and are dropped."""
    conn.execute("drop table login_failures")
    conn.execute("drop table login_lockouts")
    conn.execute("create table login_failures (client text not null, at text not null)")
    conn.execute("create table login_lockouts (client text primary key, until text not null)")
    conn.execute("create index login_failures_client on login_failures(client, at)")
    conn.execute("create index login_failures_at on login_failures(at)")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_m1_requests, _m2_accounts, _m3_indexes,
                                                                _m4_login_by_client)
SCHEMA_VERSION = len(MIGRATIONS)


# --- helpers ------------------------------------------------------------------------------------
def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _dt(text: Optional[str]) -> Optional[datetime]:
    return datetime.fromisoformat(text) if text else None


def _random_reference() -> str:
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalise_reference(text: Any) -> Optional[str]:
    """'cro-7k3m9q', ' CRO-7K3M9Q ', '7K3M9Q' -> 'CRO-7K3M9Q'; None when it cannot be a reference."""
    if not isinstance(text, str):
        return None
    ref = text.strip().upper()
    if not ref.startswith(REFERENCE_PREFIX):
        ref = REFERENCE_PREFIX + ref
    return ref if _REFERENCE_RE.match(ref) else None


def normalise_username(username: Any) -> str:
    """Usernames are case-insensitive: stored lower-case. Raises ValueError when not usable."""
    name = username.strip().lower() if isinstance(username, str) else ""
    if not _USERNAME_RE.match(name):
        raise ValueError("a username is 2 to 64 characters: letters, digits, '.', '_', '-' or '@', "
                         "starting with a letter or digit")
    return name


def _throttle_key(username: Any) -> str:
    """A typed username as looked up (lower case, at most 100 characters)."""
    return (username.strip().lower() if isinstance(username, str) else "")[:100]


def _client_key(client: Any) -> str:
    """A client address as stored for throttling: a keyed hash, never the address itself."""
    text = client if isinstance(client, str) else ""
    return hmac.new(_CLIENT_KEY, text.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]


def _check(value: Any, allowed: tuple, what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}: expected one of {', '.join(allowed)}")
    return value


def _optional_text(value: Any, what: str) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text or None")
    return value.strip() or None


def _actor(user: Any) -> str:
    name = user.username if isinstance(user, User) else user
    if not isinstance(name, str) or not name.strip():
        raise ValueError("the user making a change must be named")
    return name.strip()


def _clean_transcript(transcript: Any) -> list[dict]:
    if transcript is None:
        return []
    if not isinstance(transcript, list | tuple):
        raise ValueError("transcript must be a list of {'who': ..., 'text': ...}")
    turns = []
    for turn in transcript:
        if not isinstance(turn, dict) or turn.get("who") not in SPEAKERS or not isinstance(turn.get("text"), str):
            raise ValueError(f"each transcript line needs 'who' ({' or '.join(SPEAKERS)}) and 'text'")
        turns.append({"who": turn["who"], "text": turn["text"]})
    return turns


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP: prefix a single quote)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START):
        return "'" + text
    return text


CSV_HEADER = ("reference", "created", "council", "category", "urgency", "status", "assigned to", "contact method",
              "contact detail", "contact when", "name", "own words")


def session_minutes_from_env() -> int:
    return settings.get("FAMILY_HELP_CRO_SESSION_MINUTES")


def default_path() -> Path:
    return settings.get("FAMILY_HELP_TRIAGE_DB")


def private_database(path: Path) -> None:
    """Create an SQLite database file readable by this user only (0600), or make an existing one so,
    with its journal, WAL and shared-memory files (SQLite gives those the database file's mode when
    it makes them). Used by both stores: triage here, conversations in bot/tracker_store.py."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for file in (path, *(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(file, 0o600)


def postgres_settings(environ: Optional[Dict[str, str]] = None) -> Optional[Dict[str, Any]]:
    """psycopg2's connection arguments when FAMILY_HELP_DB_HOST is set, else None (SQLite). The same
    settings put the conversations on PostgreSQL (bot/endpoints-scaled.yml, bot/retention.py)."""
    host = settings.get("FAMILY_HELP_DB_HOST", environ)
    if not host:
        return None
    return {"host": host, "port": settings.get("FAMILY_HELP_DB_PORT", environ),
            "dbname": settings.get("FAMILY_HELP_DB_NAME", environ),
            "user": settings.get("FAMILY_HELP_DB_USER", environ),
            "password": settings.get("FAMILY_HELP_DB_PASSWORD", environ) or None, "connect_timeout": 10}


INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg2.IntegrityError)
_WRITE_LOCK = 7_310_414  # the advisory lock every PostgreSQL write holds (any number unique to this store)


def postgres_sql(sql: str) -> Optional[str]:
    """This module's SQLite statement as PostgreSQL runs it; None for a statement PostgreSQL has no
    use for (a pragma)."""
    text = sql.strip()
    lower = text.lower()
    if lower.startswith("pragma"):
        return None
    if lower == "begin immediate":  # one writer at a time, as with SQLite
        return f"begin; select pg_advisory_xact_lock({_WRITE_LOCK})"
    if lower == "begin":  # one consistent snapshot for every statement of the read
        return "begin isolation level repeatable read"
    text = re.sub(r"\bid integer primary key\b", "id bigint generated by default as identity primary key", text)
    return text.replace("?", "%s")


class _NoRows:
    rowcount = 0

    def fetchone(self) -> None:
        return None


class _PostgresConnection:
    """The part of sqlite3.Connection this module uses, on psycopg2: `execute` returns a cursor whose
    rows are read by name or position, like sqlite3.Row. In autocommit mode, so that `begin`,
    `commit` and `rollback` are this module's own, as with SQLite's isolation_level=None."""

    def __init__(self, params: Dict[str, Any]) -> None:
        self._conn = psycopg2.connect(**params)
        self._conn.autocommit = True

    def execute(self, sql: str, params: Any = ()) -> Any:
        statement = postgres_sql(sql)
        if statement is None:
            return _NoRows()
        cursor = self._conn.cursor(cursor_factory=psycopg2.extras.DictCursor)
        cursor.execute(statement, tuple(params))
        return cursor

    def close(self) -> None:
        self._conn.close()


# --- the store ----------------------------------------------------------------------------------
class TriageStore:
    """All reads and writes of the triage database. Create with `TriageStore.open()`."""

    def __init__(self, path: Optional[Path], *, clock: Optional[Clock] = None, session_minutes: Optional[int] = None,
                 password_hasher: Optional[PasswordHasher] = None, postgres: Optional[Dict[str, Any]] = None) -> None:
        self.path = Path(path) if path is not None else None
        self.postgres = postgres  # psycopg2's connection arguments: the store is on PostgreSQL
        self.clock: Clock = clock or _utcnow
        self.session_timeout = timedelta(minutes=session_minutes or session_minutes_from_env())
        self._hasher = password_hasher or PasswordHasher()
        self._dummy_hash: Optional[str] = None

    @classmethod
    def open(cls, path: Union[str, Path, None] = None, *, clock: Optional[Clock] = None,
             session_minutes: Optional[int] = None, password_hasher: Optional[PasswordHasher] = None,
             postgres: Optional[Dict[str, Any]] = None) -> TriageStore:
        """Open (creating and upgrading as needed) the triage database: PostgreSQL when given its connection
        arguments or when FAMILY_HELP_DB_HOST is set (`path` is then not used); else SQLite at `path`, or
        at FAMILY_HELP_TRIAGE_DB."""
        postgres = postgres if postgres is not None else postgres_settings()
        if postgres:
            store = cls(None, clock=clock, session_minutes=session_minutes, password_hasher=password_hasher,
                        postgres=postgres)
            store._migrate()
            return store
        db = Path(path) if path else default_path()
        db = db.expanduser().absolute()
        private_database(db)
        store = cls(db, clock=clock, session_minutes=session_minutes, password_hasher=password_hasher)
        store._migrate()
        return store

    # connections and transactions
    @property
    def where(self) -> str:
        """Where the data is, for messages (never a password)."""
        if self.postgres:
            return f"PostgreSQL {self.postgres['dbname']} on {self.postgres['host']}:{self.postgres['port']}"
        return str(self.path)

    def _connect(self) -> sqlite3.Connection:
        if self.postgres:
            return _PostgresConnection(self.postgres)  # type: ignore[return-value] - the same methods
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("pragma foreign_keys = on")
        conn.execute("pragma secure_delete = on")  # deleted records are overwritten, not left in free pages
        conn.execute("pragma synchronous = full")
        return conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            conn.execute("begin")  # one consistent snapshot for every statement of the read
            try:
                yield conn
            finally:
                conn.execute("commit")
        finally:
            conn.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            conn.execute("begin immediate")
            try:
                yield conn
            except BaseException:
                conn.execute("rollback")
                raise
            conn.execute("commit")
        finally:
            conn.close()

    def _now(self) -> datetime:
        now = self.clock()
        return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now.astimezone(timezone.utc)

    def _migrate(self) -> None:
        conn = self._connect()
        try:
            for attempt in range(100):  # a new file may be being set to WAL by another process
                try:
                    conn.execute("pragma journal_mode = wal")
                    break
                except sqlite3.OperationalError:
                    if attempt == 99:
                        raise
                    time.sleep(0.05)
            conn.execute("begin immediate")
            try:
                conn.execute("create table if not exists schema_version (version integer not null)")
                row = conn.execute("select version from schema_version").fetchone()
                current = row[0] if row else 0
                if current > SCHEMA_VERSION:
                    raise RuntimeError(f"{self.where} is at triage schema version {current}; this code knows only "
                                       f"up to {SCHEMA_VERSION}. Update the code rather than the database.")
                for migration in MIGRATIONS[current:]:
                    migration(conn)
                if row is None:
                    conn.execute("insert into schema_version (version) values (?)", (SCHEMA_VERSION,))
                elif current != SCHEMA_VERSION:
                    conn.execute("update schema_version set version = ?", (SCHEMA_VERSION,))
            except BaseException:
                conn.execute("rollback")
                raise
            conn.execute("commit")
        finally:
            conn.close()

    def schema_version(self) -> int:
        with self._read() as conn:
            return conn.execute("select version from schema_version").fetchone()[0]

    # requests --------------------------------------------------------------------------------
    def create_request(self, *, council: str, category: str, urgent: bool, contact_method: str,
                       contact_detail: Optional[str], contact_when: Optional[str], name: Optional[str],
                       own_words: Optional[str], transcript: list[dict]) -> str:
        """Store a young person's request; returns its reference (e.g. CRO-7K3M9Q)."""
        _check(council, COUNCILS, "council")
        _check(category, CATEGORIES, "category")
        _check(contact_method, CONTACT_METHODS, "contact method")
        fields = (_optional_text(contact_detail, "contact_detail"), _optional_text(contact_when, "contact_when"),
                  _optional_text(name, "name"), _optional_text(own_words, "own_words"))
        turns = json.dumps(_clean_transcript(transcript), ensure_ascii=False)
        urgent = bool(urgent)
        now = _iso(self._now())
        for _ in range(20):
            reference = _random_reference()
            try:
                with self._write() as conn:
                    cur = conn.execute(
                        "insert into requests (reference, council, category, urgent, status, contact_method,"
                        " contact_detail, contact_when, name, own_words, transcript, created_at, updated_at)"
                        " values (?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?) returning id",
                        (reference, council, category, int(urgent), contact_method, *fields, turns, now, now))
                    self._audit(conn, cur.fetchall()[0][0], now, "assistant", "created", None,
                                f"{category}, {'urgent' if urgent else 'normal'}")
                return reference
            except INTEGRITY_ERRORS as e:
                if "reference" not in str(e):
                    raise
        raise RuntimeError("could not make a unique reference after 20 tries")

    @staticmethod
    def _request(row: sqlite3.Row) -> Request:
        return Request(
            reference=row["reference"], council=row["council"], category=row["category"],
            urgent=bool(row["urgent"]), status=row["status"], assigned_to=row["assigned_to"],
            contact_method=row["contact_method"], contact_detail=row["contact_detail"],
            contact_when=row["contact_when"], name=row["name"], own_words=row["own_words"],
            transcript=tuple(json.loads(row["transcript"] or "[]")), created_at=_dt(row["created_at"]),
            updated_at=_dt(row["updated_at"]), closed_at=_dt(row["closed_at"]))

    def queue(self, council: str, *, status: Optional[str] = None, category: Optional[str] = None,
              include_closed: bool = False) -> list[Request]:
        """A council's requests, urgent first then oldest first. Closed ones only when asked for
        (include_closed, or status='closed')."""
        _check(council, COUNCILS, "council")
        sql, params = "select * from requests where council = ?", [council]
        if status is not None:
            sql += " and status = ?"
            params.append(_check(status, STATUSES, "status"))
        elif not include_closed:
            sql += " and status != 'closed'"
        if category is not None:
            sql += " and category = ?"
            params.append(_check(category, CATEGORIES, "category"))
        sql += " order by urgent desc, created_at asc, id asc"
        with self._read() as conn:
            return [self._request(r) for r in conn.execute(sql, params)]

    def queue_sizes(self) -> Dict[tuple, int]:
        """How many requests are not closed, by (council, status, urgent): counts only (bot/metrics.py)."""
        sql = ("select council, status, urgent, count(*) as n from requests where status != 'closed' "
               "group by council, status, urgent")
        with self._read() as conn:
            return {(r["council"], r["status"], bool(r["urgent"])): int(r["n"]) for r in conn.execute(sql)}

    def get(self, council: str, reference: str) -> Optional[Request]:
        """One request, only if it belongs to `council` (None for another council's or an unknown one)."""
        ref = normalise_reference(reference)
        if ref is None:
            return None
        with self._read() as conn:
            row = conn.execute("select * from requests where reference = ? and council = ?", (ref, council)).fetchone()
        return self._request(row) if row else None

    @staticmethod
    def _audit(conn: sqlite3.Connection, request_id: int, at: str, actor: str, action: str,
               old: Optional[str], new: Optional[str]) -> None:
        conn.execute("insert into audit (request_id, at, actor, action, old_value, new_value)"
                     " values (?, ?, ?, ?, ?, ?)", (request_id, at, actor, action, old, new))

    def _change(self, council: str, reference: str, change: Callable[[sqlite3.Connection, sqlite3.Row, str], None]
                ) -> bool:
        ref = normalise_reference(reference)
        if ref is None:
            return False
        with self._write() as conn:
            row = conn.execute("select * from requests where reference = ? and council = ?", (ref, council)).fetchone()
            if row is None:
                return False
            change(conn, row, _iso(self._now()))
        return True

    def claim(self, council: str, reference: str, user: UserLike) -> bool:
        """Assign the request to `user`; a new request becomes 'claimed'. False if not found."""
        actor = _actor(user)

        def change(conn: sqlite3.Connection, row: sqlite3.Row, now: str) -> None:
            if row["assigned_to"] != actor:
                conn.execute("update requests set assigned_to = ?, updated_at = ? where id = ?",
                             (actor, now, row["id"]))
                self._audit(conn, row["id"], now, actor, "assigned", row["assigned_to"], actor)
            if row["status"] == "new":
                conn.execute("update requests set status = 'claimed', updated_at = ? where id = ?", (now, row["id"]))
                self._audit(conn, row["id"], now, actor, "status", "new", "claimed")

        return self._change(council, reference, change)

    def add_note(self, council: str, reference: str, user: UserLike, text: str) -> bool:
        actor = _actor(user)
        note = _optional_text(text, "a note")
        if note is None:
            raise ValueError("a note cannot be empty")
        if len(note) > MAX_NOTE_LENGTH:
            raise ValueError(f"a note can be at most {MAX_NOTE_LENGTH} characters")

        def change(conn: sqlite3.Connection, row: sqlite3.Row, now: str) -> None:
            conn.execute("insert into notes (request_id, author, text, created_at) values (?, ?, ?, ?)",
                         (row["id"], actor, note, now))
            conn.execute("update requests set updated_at = ? where id = ?", (now, row["id"]))
            self._audit(conn, row["id"], now, actor, "note", None, "added")

        return self._change(council, reference, change)

    def set_category(self, council: str, reference: str, user: UserLike, category: str) -> bool:
        actor = _actor(user)
        _check(category, CATEGORIES, "category")

        def change(conn: sqlite3.Connection, row: sqlite3.Row, now: str) -> None:
            if row["category"] != category:
                conn.execute("update requests set category = ?, updated_at = ? where id = ?",
                             (category, now, row["id"]))
                self._audit(conn, row["id"], now, actor, "category", row["category"], category)

        return self._change(council, reference, change)

    def set_status(self, council: str, reference: str, user: UserLike, status: str) -> bool:
        """Change the status; closing records closed_at (retention counts from it), reopening clears it."""
        actor = _actor(user)
        _check(status, STATUSES, "status")

        def change(conn: sqlite3.Connection, row: sqlite3.Row, now: str) -> None:
            if row["status"] != status:
                conn.execute("update requests set status = ?, closed_at = ?, updated_at = ? where id = ?",
                             (status, now if status == "closed" else None, now, row["id"]))
                self._audit(conn, row["id"], now, actor, "status", row["status"], status)

        return self._change(council, reference, change)

    def audit(self, council: str, reference: str) -> list[AuditEntry]:
        ref = normalise_reference(reference)
        with self._read() as conn:
            rows = conn.execute(
                "select a.* from audit a join requests r on r.id = a.request_id"
                " where r.reference = ? and r.council = ? order by a.at, a.id", (ref, council)).fetchall()
        return [AuditEntry(_dt(r["at"]), r["actor"], r["action"], r["old_value"], r["new_value"]) for r in rows]

    def notes(self, council: str, reference: str) -> list[Note]:
        ref = normalise_reference(reference)
        with self._read() as conn:
            rows = conn.execute(
                "select n.* from notes n join requests r on r.id = n.request_id"
                " where r.reference = ? and r.council = ? order by n.created_at, n.id", (ref, council)).fetchall()
        return [Note(r["id"], _dt(r["created_at"]), r["author"], r["text"]) for r in rows]

    def export_csv(self, council: str, fileobj: TextIO, *, status: Optional[str] = None,
                   category: Optional[str] = None, include_closed: bool = False) -> int:
        """Write the council's queue as CSV (header row first). Returns the number of requests."""
        rows = self.queue(council, status=status, category=category, include_closed=include_closed)
        writer = csv.writer(fileobj)
        writer.writerow(CSV_HEADER)
        for r in rows:
            writer.writerow([csv_safe(v) for v in (
                r.reference, _iso(r.created_at), r.council, r.category, r.urgency, r.status, r.assigned_to,
                r.contact_method, r.contact_detail, r.contact_when, r.name, r.own_words)])
        return len(rows)

    def delete_closed_older_than(self, days: int, now: Optional[datetime] = None) -> int:
        """Delete requests closed more than `days` days ago, with their notes and audit rows."""
        return self._delete_requests_before(
            "select id from requests where status = 'closed' and closed_at is not null and closed_at < ?", days, now)

    def delete_open_unchanged_for(self, days: int, now: Optional[datetime] = None) -> int:
        """Delete requests never closed whose last change (a note, claim, status or category change,
        or their creation) is more than `days` days ago, with their notes and audit rows."""
        return self._delete_requests_before("select id from requests where status != 'closed' and updated_at < ?",
                                            days, now)

    def _delete_requests_before(self, old: str, days: int, now: Optional[datetime]) -> int:
        """Delete the requests `old` selects (one `?`: the cutoff, `days` days before now), with their
        notes and audit rows. Returns how many requests."""
        if not isinstance(days, int) or days < 0:
            raise ValueError("days must be a whole number, 0 or more")
        cutoff = _iso((now or self._now()) - timedelta(days=days))
        with self._write() as conn:
            conn.execute(f"delete from notes where request_id in ({old})", (cutoff,))
            conn.execute(f"delete from audit where request_id in ({old})", (cutoff,))
            return conn.execute(f"delete from requests where id in ({old})", (cutoff,)).rowcount

    # users -----------------------------------------------------------------------------------
    @staticmethod
    def _user(row: sqlite3.Row) -> User:
        return User(row["username"], row["council"], bool(row["disabled"]), _dt(row["created_at"]))

    @staticmethod
    def _check_password(password: Any) -> str:
        if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"a password must be at least {MIN_PASSWORD_LENGTH} characters")
        return password

    def create_user(self, username: str, council: str, password: str) -> User:
        name = normalise_username(username)
        _check(council, COUNCILS, "council")
        hashed = self._hasher.hash(self._check_password(password))
        now = _iso(self._now())
        try:
            with self._write() as conn:
                conn.execute("insert into users (username, council, password_hash, disabled, created_at)"
                             " values (?, ?, ?, 0, ?)", (name, council, hashed, now))
        except INTEGRITY_ERRORS:
            raise ValueError(f"there is already a user called {name}") from None
        return User(name, council, False, _dt(now))

    def get_user(self, username: str) -> Optional[User]:
        with self._read() as conn:
            row = conn.execute("select * from users where username = ?", (_throttle_key(username),)).fetchone()
        return self._user(row) if row else None

    def verify_user(self, username: str, password: str) -> Optional[User]:
        """The active user when the password is right, else None (same work either way)."""
        key = _throttle_key(username)
        with self._read() as conn:
            row = conn.execute("select * from users where username = ?", (key,)).fetchone()
        if not isinstance(password, str):
            return None
        if row is None or row["disabled"]:
            if self._dummy_hash is None:
                self._dummy_hash = self._hasher.hash(secrets.token_hex(16))
            with contextlib.suppress(VerificationError, InvalidHashError):
                self._hasher.verify(self._dummy_hash, password)
            return None
        try:
            self._hasher.verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        if self._hasher.check_needs_rehash(row["password_hash"]):
            with self._write() as conn:
                conn.execute("update users set password_hash = ? where username = ? and password_hash = ?",
                             (self._hasher.hash(password), key, row["password_hash"]))
        return self._user(row)

    def set_password(self, username: str, password: str) -> bool:
        """Give a user a new password and sign them out everywhere. False if no such user."""
        hashed = self._hasher.hash(self._check_password(password))
        with self._write() as conn:
            key = _throttle_key(username)
            if not conn.execute("update users set password_hash = ? where username = ?", (hashed, key)).rowcount:
                return False
            conn.execute("delete from sessions where username = ?", (key,))
        return True

    def disable_user(self, username: str) -> bool:
        """Stop a user signing in and end their sessions. False if no such user."""
        return self._set_disabled(username, True)

    def enable_user(self, username: str) -> bool:
        return self._set_disabled(username, False)

    def _set_disabled(self, username: str, disabled: bool) -> bool:
        key = _throttle_key(username)
        with self._write() as conn:
            if not conn.execute("update users set disabled = ? where username = ?", (int(disabled), key)).rowcount:
                return False
            if disabled:
                conn.execute("delete from sessions where username = ?", (key,))
        return True

    def list_users(self) -> list[User]:
        with self._read() as conn:
            return [self._user(r) for r in conn.execute("select * from users order by council, username")]

    # sessions --------------------------------------------------------------------------------
    @staticmethod
    def _session_hash(session_id: str) -> str:
        return hashlib.sha256(session_id.encode("utf-8")).hexdigest()  # the database never holds a usable id

    def create_session(self, user: UserLike) -> tuple[str, str]:
        """A new session for an active user: (session_id for the cookie, csrf_token for forms)."""
        key = _throttle_key(_actor(user))
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self._now()
        with self._write() as conn:
            row = conn.execute("select disabled from users where username = ?", (key,)).fetchone()
            if row is None or row["disabled"]:
                raise ValueError("no active user of that name")
            conn.execute("delete from sessions where last_seen < ?", (_iso(now - self.session_timeout),))
            conn.execute("insert into sessions (id_hash, username, csrf_token, created_at, last_seen)"
                         " values (?, ?, ?, ?, ?)", (self._session_hash(session_id), key, csrf, _iso(now), _iso(now)))
        return session_id, csrf

    def session(self, session_id: Optional[str]) -> Optional[Session]:
        """The live session for this id (its idle time restarts), or None when unknown or expired."""
        if not isinstance(session_id, str) or not session_id or len(session_id) > 200:
            return None
        id_hash = self._session_hash(session_id)
        now = self._now()
        with self._write() as conn:
            row = conn.execute(
                "select s.*, u.council, u.disabled from sessions s join users u on u.username = s.username"
                " where s.id_hash = ?", (id_hash,)).fetchone()
            if row is None:
                return None
            if row["disabled"] or now - _dt(row["last_seen"]) >= self.session_timeout:
                conn.execute("delete from sessions where id_hash = ?", (id_hash,))
                return None
            conn.execute("update sessions set last_seen = ? where id_hash = ?", (_iso(now), id_hash))
        return Session(session_id, row["username"], row["council"], row["csrf_token"], _dt(row["created_at"]), now,
                       now + self.session_timeout)

    def end_session(self, session_id: Optional[str]) -> bool:
        if not isinstance(session_id, str) or not session_id:
            return False
        with self._write() as conn:
            return bool(conn.execute("delete from sessions where id_hash = ?",
                                     (self._session_hash(session_id),)).rowcount)

    def purge_expired(self) -> int:
        """Delete expired sessions and stale sign-in failures/lockouts. Returns sessions deleted."""
        now = self._now()
        with self._write() as conn:
            n = conn.execute("delete from sessions where last_seen < ?", (_iso(now - self.session_timeout),)).rowcount
            conn.execute("delete from login_failures where at < ?", (_iso(now - LOGIN_WINDOW),))
            conn.execute("delete from login_lockouts where until <= ?", (_iso(now),))
        return n

    # sign-in throttling: by client and across all clients, never by username -----------------
    # (a lock on a username would let anyone lock a CRO out from everywhere)
    def login_locked(self, client: str) -> bool:
        """True while this client (its address) must wait before trying to sign in again."""
        with self._read() as conn:
            row = conn.execute("select until from login_lockouts where client = ?", (_client_key(client),)).fetchone()
        return bool(row) and _dt(row["until"]) > self._now()

    def login_busy(self) -> bool:
        """True while sign-ins are failing from many clients: LOGIN_GLOBAL_MAX_FAILURES or more
        failures, from anyone, in the last LOGIN_WINDOW."""
        since = _iso(self._now() - LOGIN_WINDOW)
        with self._read() as conn:
            count = conn.execute("select count(*) from (select 1 from login_failures where at >= ? limit ?) as recent",
                                 (since, LOGIN_GLOBAL_MAX_FAILURES)).fetchone()[0]
        return count >= LOGIN_GLOBAL_MAX_FAILURES

    def record_login_failure(self, client: str) -> bool:
        """Count a failed sign-in from this client; True when it now has to wait LOGIN_LOCKOUT
        (after LOGIN_MAX_FAILURES failures in LOGIN_WINDOW, or LOGIN_BUSY_MAX_FAILURES while busy).
        Failures stay counted for the whole window, so that they add up across clients."""
        key, now = _client_key(client), self._now()
        since = _iso(now - LOGIN_WINDOW)
        with self._write() as conn:
            conn.execute("delete from login_failures where at < ?", (since,))
            conn.execute("delete from login_lockouts where until <= ?", (_iso(now),))
            conn.execute("insert into login_failures (client, at) values (?, ?)", (key, _iso(now)))
            everyone = conn.execute("select count(*) from login_failures").fetchone()[0]
            mine = conn.execute("select count(*) from login_failures where client = ?", (key,)).fetchone()[0]
            limit = LOGIN_BUSY_MAX_FAILURES if everyone >= LOGIN_GLOBAL_MAX_FAILURES else LOGIN_MAX_FAILURES
            if mine < limit:
                return False
            conn.execute("insert into login_lockouts (client, until) values (?, ?)"
                         " on conflict (client) do update set until = excluded.until",
                         (key, _iso(now + LOGIN_LOCKOUT)))
        return True

    def clear_login_failures(self, client: str) -> None:
        """A right password: this client's earlier failures no longer count against it."""
        key = _client_key(client)
        with self._write() as conn:
            conn.execute("delete from login_failures where client = ?", (key,))
            conn.execute("delete from login_lockouts where client = ?", (key,))

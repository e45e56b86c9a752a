"""Children's Rights Officer accounts for the CRO view (/cro).

    python -m triage.accounts create USERNAME --council coventry   # asks for the password twice
    printf '%s\\n' "$PASSWORD" | python -m triage.accounts create USERNAME --council bolton --password-stdin
    python -m triage.accounts list
    python -m triage.accounts disable USERNAME       # cannot sign in; signed out everywhere
    python -m triage.accounts enable USERNAME
    python -m triage.accounts set-password USERNAME [--password-stdin]

Each CRO sees only their own council's requests. Passwords are at least 12 characters and are
stored only as Argon2 hashes. The database is FAMILY_HELP_TRIAGE_DB (default build/triage.db),
or --db PATH.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Optional, TextIO

from triage.store import COUNCILS, MIN_PASSWORD_LENGTH, TriageStore, normalise_username


class AccountError(Exception):
    """A problem to report in one line, exit status 1."""


def read_password(from_stdin: bool, stdin: TextIO) -> str:
    if from_stdin:
        line = stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
    else:
        password = getpass.getpass("Password (at least 12 characters): ")
        if getpass.getpass("Same password again: ") != password:
            raise AccountError("the two passwords are not the same; nothing was changed")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters "
                           f"(it has {len(password)}); nothing was changed")
    return password


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m triage.accounts", description="Manage Children's Rights Officer "
                                 "accounts for the CRO view.")
    ap.add_argument("--db", type=Path, default=None, help="triage database (default: FAMILY_HELP_TRIAGE_DB or "
                    "build/triage.db)")
    sub = ap.add_subparsers(dest="command", required=True, metavar="{create,list,disable,enable,set-password}")
    create = sub.add_parser("create", help="create an account (asks for the password twice)")
    create.add_argument("username")
    create.add_argument("--council", required=True, choices=COUNCILS, help="the only council this CRO will see")
    create.add_argument("--password-stdin", action="store_true", help="read the password from the first line of "
                        "standard input (for scripts)")
    sub.add_parser("list", help="list accounts (no passwords)")
    for name, text in (("disable", "stop an account signing in and end its sessions"),
                       ("enable", "let a disabled account sign in again")):
        p = sub.add_parser(name, help=text)
        p.add_argument("username")
    reset = sub.add_parser("set-password", help="give an account a new password and sign it out everywhere")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true")
    return ap


def main(argv: Optional[list[str]] = None, *, stdin: Optional[TextIO] = None, stdout: Optional[TextIO] = None,
         stderr: Optional[TextIO] = None) -> int:
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    args = _parser().parse_args(argv)
    try:
        store = TriageStore.open(args.db)
        if args.command == "create":
            try:
                username = normalise_username(args.username)
            except ValueError as e:
                raise AccountError(str(e)) from None
            if store.get_user(username):
                raise AccountError(f"there is already an account called {username}")
            password = read_password(args.password_stdin, stdin)
            try:
                user = store.create_user(username, args.council, password)
            except ValueError as e:
                raise AccountError(str(e)) from None
            print(f"created {user.username} for {user.council}", file=stdout)
        elif args.command == "list":
            users = store.list_users()
            if not users:
                print("no accounts yet: python -m triage.accounts create USERNAME --council COUNCIL", file=stdout)
            for u in users:
                state = "disabled" if u.disabled else "active"
                print(f"{u.username}\t{u.council}\t{state}\tcreated {u.created_at:%Y-%m-%d}", file=stdout)
        elif args.command in ("disable", "enable"):
            change = store.disable_user if args.command == "disable" else store.enable_user
            if not change(args.username):
                raise AccountError(f"there is no account called {args.username.strip().lower()}")
            print(f"{args.command}d {args.username.strip().lower()}", file=stdout)
        elif args.command == "set-password":
            if store.get_user(args.username) is None:
                raise AccountError(f"there is no account called {args.username.strip().lower()}")
            store.set_password(args.username, read_password(args.password_stdin, stdin))
            print(f"new password set for {args.username.strip().lower()}; its sessions were ended", file=stdout)
    except AccountError as e:
        print(f"error: {e}", file=stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\nerror: cancelled; nothing was changed", file=stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

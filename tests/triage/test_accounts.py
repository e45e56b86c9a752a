"""CRO accounts: python -m triage.accounts create / list / disable / enable / set-password."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from knowledge.paths import ROOT
from triage import accounts
from triage.store import TriageStore

GOOD = "correct horse battery"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "triage.db"


def run(db, *args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = accounts.main(["--db", str(db), *args], stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_create_from_stdin_then_sign_in(db):
    code, out, err = run(db, "create", "Alice", "--council", "coventry", "--password-stdin", stdin=GOOD + "\n")
    assert (code, err) == (0, "") and "created alice for coventry" in out
    store = TriageStore.open(db)
    user = store.verify_user("alice", GOOD)
    assert user is not None and user.council == "coventry"
    assert store.verify_user("alice", "wrong horse battery") is None
    assert GOOD not in out


def test_create_asks_for_the_password_twice(db, monkeypatch):
    answers = iter([GOOD, GOOD])
    monkeypatch.setattr(accounts.getpass, "getpass", lambda prompt="": next(answers))
    assert run(db, "create", "bob", "--council", "bolton")[0] == 0
    assert TriageStore.open(db).verify_user("bob", GOOD).council == "bolton"


def test_different_passwords_create_nothing(db, monkeypatch):
    answers = iter([GOOD, GOOD + "!"])
    monkeypatch.setattr(accounts.getpass, "getpass", lambda prompt="": next(answers))
    code, _out, err = run(db, "create", "bob", "--council", "bolton")
    assert code == 1 and "not the same" in err
    assert TriageStore.open(db).list_users() == []


@pytest.mark.parametrize("password", ["", "short", "eleven char"])
def test_a_short_password_is_a_clear_error(db, password):
    code, out, err = run(db, "create", "alice", "--council", "coventry", "--password-stdin", stdin=password + "\n")
    assert code == 1 and out == ""
    assert err.startswith("error: ") and "at least 12 characters" in err
    assert TriageStore.open(db).list_users() == []


def test_twelve_characters_is_enough_and_spaces_are_kept(db):
    assert run(db, "create", "alice", "--council", "hampshire", "--password-stdin", stdin=" twelve char\r\n")[0] == 0
    store = TriageStore.open(db)
    assert store.verify_user("alice", " twelve char") is not None
    assert store.verify_user("alice", "twelve char") is None


def test_duplicates_and_bad_usernames_are_clear_errors(db):
    assert run(db, "create", "alice", "--council", "coventry", "--password-stdin", stdin=GOOD)[0] == 0
    code, _, err = run(db, "create", "ALICE", "--council", "bolton", "--password-stdin", stdin=GOOD)
    assert code == 1 and "already an account called alice" in err
    code, _, err = run(db, "create", "no spaces please", "--council", "bolton", "--password-stdin", stdin=GOOD)
    assert code == 1 and "username" in err
    assert [u.council for u in TriageStore.open(db).list_users()] == ["coventry"]


def test_an_unknown_council_is_refused_by_the_command_line(db, capsys):
    with pytest.raises(SystemExit) as exit_:
        run(db, "create", "alice", "--council", "leeds", "--password-stdin", stdin=GOOD)
    assert exit_.value.code == 2 and "invalid choice: 'leeds'" in capsys.readouterr().err


def test_list_disable_enable_and_set_password(db):
    code, out, _ = run(db, "list")
    assert code == 0 and "no accounts yet" in out
    run(db, "create", "alice", "--council", "coventry", "--password-stdin", stdin=GOOD)
    run(db, "create", "bob", "--council", "bolton", "--password-stdin", stdin=GOOD)
    code, out, _ = run(db, "list")
    lines = out.splitlines()
    assert code == 0 and [line.split("\t")[:3] for line in lines] == [["bob", "bolton", "active"],
                                                                       ["alice", "coventry", "active"]]
    assert "argon2" not in out and GOOD not in out

    store = TriageStore.open(db)
    session_id, _ = store.create_session(store.get_user("alice"))
    assert run(db, "disable", "Alice")[0] == 0
    assert store.verify_user("alice", GOOD) is None and store.session(session_id) is None
    assert "alice\tcoventry\tdisabled" in run(db, "list")[1]
    code, _, err = run(db, "disable", "nobody")
    assert code == 1 and "no account called nobody" in err
    assert run(db, "enable", "alice")[0] == 0
    assert store.verify_user("alice", GOOD) is not None

    assert run(db, "set-password", "alice", "--password-stdin", stdin="a new long password\n")[0] == 0
    assert store.verify_user("alice", GOOD) is None and store.verify_user("alice", "a new long password")
    assert run(db, "set-password", "alice", "--password-stdin", stdin="short\n")[0] == 1
    assert run(db, "set-password", "nobody", "--password-stdin", stdin=GOOD)[0] == 1


def test_the_module_runs_as_a_command(db):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FAMILY_HELP_TRIAGE_DB": str(db)}
    cmd = [sys.executable, "-m", "triage.accounts"]
    done = subprocess.run([*cmd, "create", "carol", "--council", "hampshire", "--password-stdin"], input=GOOD + "\n",
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([*cmd, "create", "dave", "--council", "hampshire", "--password-stdin"], input="short\n",
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 1 and "at least 12 characters" in done.stderr
    assert TriageStore.open(db).verify_user("carol", GOOD).council == "hampshire"

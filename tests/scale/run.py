"""`make scale-test`: the scaled layout (bot/scaled.py) measured on this machine. Bounded (about 10
minutes), localhost only, on its own ports and in its own folder (build/scale-test/), so it never
touches a `make run` or `make run-scaled` in use. Not part of `make test`.

    python -m tests.scale.run [--only correctness|shared_state|failover|outage|throughput|long] [--replicas 2]
                              [--rounds 2] [--long-control]

SCALE_TEST_DIR puts the servers' folders somewhere else than build/scale-test/ (for example under /tmp).

1. Correctness (issue 14, measurement 2): five conversations, ten messages each, all fifty sent at the
   same moment through nginx with no routing header, so they spread over both Rasa servers. Each
   message carries a message id in its metadata; afterwards every conversation is read back through
   Rasa's HTTP API (GET /conversations/<id>/tracker, with the API token) and checked: every message
   stored exactly once, no user message before the previous turn ended (not interleaved), every
   reply non-empty. Then the same with the lock store taken out (`bot.scaled --no-lock-store`): the
   checker must catch lost or mixed turns, which shows it can fail.
   Also the PostgreSQL stores on the live database (tests/scale/test_postgres_live.py).
   Shared state (bot/shared_state.py): a safety reply given by one Rasa server is known to the other
   (a crisis message sent straight to one server's port, the next message straight to the other's: that
   message's stored metadata must carry {"safety_context": {"after_concern": true}}), and the chat rate
   limit is one count for both servers (one client's messages alternated between them). Then the same
   with the shared state switched off (`bot.scaled --no-shared-state`): the checker must find the
   context lost and the limit doubled, which shows it can fail.
2. Throughput (measurement 1): 20 concurrent conversations of 10 messages each
   (../shared/eval/load.py): `make run`'s layout (SQLite, one Rasa) against one and two Rasa
   servers on PostgreSQL and Redis behind nginx. Messages a second, median and p95.
3. Long conversations (issue 14: turn 200 at most 1.2 times turn 1, on both stores): one conversation of
   200 ordinary topic questions at a time, sent one after another, three times, on `make run`'s layout
   (SQLite) and on two Rasa servers on PostgreSQL behind nginx; the median reply time of turns 181-200
   against turns 1-20 of a new conversation sent in step with them (the same load on both). Every reply
   must be an answer (no safety reply, no numbers, nothing empty) and every message stored exactly once.
   `--long-control` adds one conversation on each store with FAMILY_HELP_RECENT_TURNS=0 (the whole
   session read for each message, as Rasa does): the slowdown the check is there to catch.

Prints one line per figure and a summary; exits 1 when a check fails. Server logs are in
build/scale-test/. Every server it starts is stopped at the end, also on Ctrl-C.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
BASE = Path(os.environ.get("SCALE_TEST_DIR") or ROOT / "build" / "scale-test")
LOAD = ROOT.parent / "shared" / "eval" / "load.py"
PY = sys.executable
PORTS = {"RASA_PORT": "5405", "ACTION_PORT": "5455", "WEB_PORT": "18405", "FAMILY_HELP_DB_PORT": "5434",
         "FAMILY_HELP_REDIS_PORT": "6381"}
URL = f"http://127.0.0.1:{PORTS['RASA_PORT']}"
MESSAGES = ["hello", "how long does an assessment take", "what is a child in need plan",
            "what is the MASH", "what is early help", "what is a family hub", "how do I complain",
            "what is a child protection plan", "what does a social worker do", "what is a young carer"]
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# --- starting and stopping a layout -----------------------------------------------------------------
class Layout:
    """One set of servers: `sqlite` (make run's: bot.supervisor) or `scaled` (bot.scaled). `slot` gives
    it its own ports and folder, so that several can run at once (the throughput comparison)."""

    def __init__(self, kind: str, replicas: int = 2, lock: bool = True, slot: int = 0, shared: bool = True,
                 extra_env: Optional[Dict[str, str]] = None) -> None:
        self.kind, self.replicas, self.lock, self.slot = kind, replicas, lock, slot
        self.shared, self.extra_env = shared, dict(extra_env or {})
        self.port_settings = {name: str(int(port) + (20 if name == "RASA_PORT" else 1) * slot)
                              for name, port in PORTS.items()}
        self.url = f"http://127.0.0.1:{self.port_settings['RASA_PORT']}"
        self.base = BASE / ("sqlite" if kind == "sqlite" else "scaled" if slot == 0 else f"scaled-{slot}")
        self.name = "make-run (SQLite)" if kind == "sqlite" else \
            f"{replicas} Rasa on PostgreSQL+Redis{'' if lock else ', NO lock store'}" \
            f"{'' if shared else ', NO shared state'}"
        self.proc: Optional[subprocess.Popen] = None

    def env(self) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILY_HELP_DB_")}
        env.update(self.port_settings)
        env.update({"PYTHONPATH": str(ROOT), "SCALE_REPLICAS": str(self.replicas),
                    "FAMILY_HELP_LOG_DIR": str(self.base / "logs")})
        env.update(self.extra_env)
        if self.kind == "sqlite":
            env.update({"FAMILY_HELP_TRACKER_DB": str(self.base / "conversations.db"),
                        "FAMILY_HELP_TRIAGE_DB": str(self.base / "triage.db")})
        return env

    def ports(self) -> List[int]:
        rasa = int(self.port_settings["RASA_PORT"])
        return [rasa] if self.kind == "sqlite" else [rasa + i for i in range(1, self.replicas + 1)]

    def __enter__(self) -> Layout:
        BASE.mkdir(parents=True, exist_ok=True)
        if self.kind == "sqlite":
            argv = [PY, "-m", "bot.supervisor"]
        else:
            argv = [PY, "-m", "bot.scaled", "--base", str(self.base)] + ([] if self.lock else ["--no-lock-store"]) \
                + ([] if self.shared else ["--no-shared-state"])
        out = open(BASE / f"{self.kind}-{self.replicas}{'' if self.lock else '-nolock'}"  # noqa: SIM115
                   f"{'' if self.shared else '-noshared'}.out", "wb")
        started = time.monotonic()
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        deadline = started + 300
        while not all(ready(f"http://127.0.0.1:{p}/webhooks/rest/ready") for p in self.ports()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise SystemExit(f"{self.name}: did not become ready; see {BASE}")
            time.sleep(1)
        while not ready(self.url + "/webhooks/rest/ready"):  # nginx, in front
            time.sleep(0.5)
        self.ready_seconds = time.monotonic() - started
        say(f"{self.name}: ready in {self.ready_seconds:.0f} s")
        return self

    def __exit__(self, *_: Any) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def rasa_pids(self) -> List[int]:
        """The Rasa servers' process ids (bot.rasa_server on one of this layout's ports)."""
        pids = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                argv = cmdline.read_bytes().decode(errors="replace").split("\0")
            except OSError:
                continue
            if "bot.rasa_server" in argv and "--port" in argv and \
                    argv[argv.index("--port") + 1] in {str(p) for p in self.ports()}:
                pids.append(int(cmdline.parent.name))
        return pids


    def processes(self) -> Dict[int, Dict[str, Any]]:
        """Every process of this layout (the launcher and all its descendants, PostgreSQL's backends
        too): component name, CPU seconds, resident MB."""
        table = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                argv = (stat.parent / "cmdline").read_bytes().decode(errors="replace").replace("\0", " ")
                rss = int((stat.parent / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
            except (OSError, IndexError, ValueError):
                continue
            table[int(stat.parent.name)] = {"ppid": int(fields[1]), "name": component(argv), "rss": rss,
                                            "cpu": (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")}
        mine = {self.proc.pid} if self.proc is not None else set()
        grew = True
        while grew:
            children = {pid for pid, p in table.items() if p["ppid"] in mine} - mine
            grew, mine = bool(children), mine | children
        return {pid: table[pid] for pid in mine if pid in table}


def component(argv: str) -> str:
    for key, name in (("bot.rasa_server", "rasa"), ("bot.actions_server", "actions"), ("-m web", "web"),
                      ("postgres", "postgres"), ("redis", "redis"), ("nginx", "nginx"), ("bot.", "supervisor")):
        if key in argv:
            return name
    return "other"


def usage(before: Dict[int, Dict[str, Any]], after: Dict[int, Dict[str, Any]], messages: int) -> str:
    """CPU milliseconds per message and resident memory (MB) by component, during a measurement."""
    cpu: Counter = Counter()
    rss: Counter = Counter()
    count: Counter = Counter()
    for pid, p in after.items():
        cpu[p["name"]] += p["cpu"] - before.get(pid, {"cpu": 0.0})["cpu"]
        rss[p["name"]] += p["rss"]
        count[p["name"]] += 1
    parts = [f"{n} {1000 * cpu[n] / messages:.0f} ms/msg {rss[n]:.0f} MB ({count[n]} proc)"
             for n in sorted(cpu, key=lambda n: -cpu[n])]
    return f"CPU {1000 * sum(cpu.values()) / messages:.0f} ms/msg in all: " + "; ".join(parts)


def ready(url: str) -> bool:
    try:
        with _OPENER.open(url, timeout=3) as r:
            return r.status == 200
    except (OSError, ValueError):
        return False


def say(line: str) -> None:
    print(line, flush=True)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- measurement 2: one conversation, many messages at once ----------------------------------------
def post(body: Dict[str, Any], timeout: float = 60) -> Any:
    request = urllib.request.Request(URL + "/webhooks/rest/webhook", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with _OPENER.open(request, timeout=timeout) as r:
            return json.loads(r.read().decode() or "[]")
    except urllib.error.HTTPError as e:
        return {"status": e.code}
    except (OSError, ValueError) as e:
        return {"error": type(e).__name__}


def burst(conversations: int = 5, messages: int = 10) -> Dict[str, Any]:
    """All conversations x messages sent at the same moment. Returns what was sent and answered."""
    prefix = uuid.uuid4().hex[:8]
    sent = [(f"scale-{prefix}-{c}", i, f"{prefix}-{c}-{i}") for c in range(conversations) for i in range(messages)]
    replies: Dict[str, Any] = {}
    gate = threading.Barrier(len(sent))

    def one(sender: str, i: int, message_id: str) -> None:
        body = {"sender": sender, "message": MESSAGES[i % len(MESSAGES)], "metadata": {"message_id": message_id}}
        gate.wait()
        replies[message_id] = post(body)

    threads = [threading.Thread(target=one, args=s) for s in sent]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"sent": sent, "replies": replies}


def tracker(sender: str, token: str) -> Dict[str, Any]:
    url = f"{URL}/conversations/{sender}/tracker?token={urllib.parse.quote(token)}"
    with _OPENER.open(url, timeout=30) as r:
        return json.loads(r.read().decode())


def check(result: Dict[str, Any], trackers: Dict[str, Dict[str, Any]]) -> Dict[str, int]:
    """Problems found: lost (a message id not stored), duplicated (stored twice), interleaved (a user
    message stored before the previous turn ended with action_listen), unanswered (a stored turn with
    no bot message), empty_replies (an HTTP reply with no text)."""
    problems = Counter()
    for message_id in (m for _, _, m in result["sent"]):
        reply = result["replies"].get(message_id)
        if not isinstance(reply, list) or not any(m.get("text") or m.get("custom") for m in reply):
            problems["empty_replies"] += 1
    for sender in sorted({s for s, _, _ in result["sent"]}):
        events = trackers[sender]["events"]
        ids = Counter((e.get("metadata") or {}).get("message_id") for e in events if e["event"] == "user")
        for message_id in (m for s, _, m in result["sent"] if s == sender):
            if ids[message_id] == 0:
                problems["lost"] += 1
            elif ids[message_id] > 1:
                problems["duplicated"] += ids[message_id] - 1
        listening, answered = True, True
        for e in events:
            if e["event"] == "user":
                if not listening:
                    problems["interleaved"] += 1
                if not answered:
                    problems["unanswered"] += 1
                listening, answered = False, False
            elif e["event"] == "bot":
                answered = True
            elif e["event"] == "action" and e.get("name") == "action_listen":
                listening = True
        if not answered:
            problems["unanswered"] += 1
    return dict(problems)


def correctness(layout: Layout, token: str, rounds: int, expect_clean: bool) -> Dict[str, int]:
    totals: Counter = Counter()
    for n in range(1, rounds + 1):
        pids = layout.rasa_pids()
        before = {pid: cpu_seconds(pid) for pid in pids}
        started = time.monotonic()
        result = burst()
        took = time.monotonic() - started
        used = [cpu_seconds(pid) - before[pid] for pid in pids]
        trackers = {s: tracker(s, token) for s in {s for s, _, _ in result["sent"]}}
        problems = check(result, trackers)
        totals.update(problems)
        say(f"  round {n}: 50 messages (5 conversations x 10 at once) in {took:.1f} s; CPU seconds per Rasa "
            f"server {', '.join(f'{u:.1f}' for u in used)}; problems: {problems or 'none'}")
        if not expect_clean and problems:
            break  # the checker caught it
    return dict(totals)


# --- shared state: what one Rasa server remembers, the other knows ---------------------------------
CRISIS = "my dad hits me and i am scared to go home"
SHARED_LIMIT = 6  # FAMILY_HELP_CHAT_PER_MINUTE for this part: a few messages show the count


def post_to(port: int, body: Dict[str, Any], headers: Optional[Dict[str, str]] = None) -> Any:
    """A chat message straight to one Rasa server (not through nginx): (status, reply)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with _OPENER.open(request, timeout=60) as r:
            return r.status, json.loads(r.read().decode() or "[]")
    except urllib.error.HTTPError as e:
        return e.code, None
    except (OSError, ValueError) as e:
        return type(e).__name__, None


def shared_state(layout: Layout, token: str, conversations: int = 4, messages: int = 2 * SHARED_LIMIT
                 ) -> Dict[str, int]:
    """Concerns: a crisis message to one server, the next to the other (both ways round); counts the next
    messages stored with and without the after-concern context. Rate: one client's `messages` alternated
    between the two servers within a minute; counts those let through (the limit is SHARED_LIMIT)."""
    from safety.kinds import CONTEXT_KEY, safety_marker

    first_port, second_port = layout.ports()[:2]
    figures: Counter = Counter()
    prefix = uuid.uuid4().hex[:8]
    for n in range(conversations):
        one, other = (first_port, second_port) if n % 2 == 0 else (second_port, first_port)
        sender = f"shared-{prefix}-{n}"
        status, reply = post_to(one, {"sender": sender, "message": CRISIS})
        if status != 200 or not isinstance(reply, list) or safety_marker(reply) is None:
            figures["no safety reply to the crisis message"] += 1
            continue
        post_to(other, {"sender": sender, "message": "ok", "metadata": {"message_id": f"{sender}-next"}})
        events = tracker(sender, token)["events"]
        nxt = [e for e in events
               if e["event"] == "user" and (e.get("metadata") or {}).get("message_id") == f"{sender}-next"]
        context = ((nxt[0].get("metadata") or {}).get(CONTEXT_KEY) or {}) if nxt else {}
        figures["known on the other server" if context.get("after_concern") else "LOST on the other server"] += 1
    client = {"X-Forwarded-For": f"203.0.113.{int(prefix[:2], 16) % 250 + 1}"}
    statuses = [post_to((first_port, second_port)[i % 2], {"sender": f"rate-{prefix}", "message": "hello"}, client)[0]
                for i in range(messages)]
    figures["rate: let through"] = statuses.count(200)
    figures["rate: refused (429)"] = statuses.count(429)
    return dict(figures)


def shared_state_part(replicas: int, token: str) -> List[str]:
    failed = []
    limit = {"FAMILY_HELP_CHAT_PER_MINUTE": str(SHARED_LIMIT)}
    with Layout("scaled", max(2, replicas), extra_env=limit) as layout:
        say(f"Shared state, {layout.name} (chat limit {SHARED_LIMIT} a minute):")
        on = shared_state(layout, token)
        say(f"  {on}")
    if on.get("LOST on the other server") or not on.get("known on the other server") \
            or on.get("no safety reply to the crisis message"):
        failed.append(f"shared state: a safety concern was not known on the other Rasa server: {on}")
    if on.get("rate: let through") != SHARED_LIMIT:
        failed.append(f"shared state: one client got {on.get('rate: let through')} messages through two servers, "
                      f"not the limit {SHARED_LIMIT}")
    with Layout("scaled", max(2, replicas), shared=False, extra_env=limit) as layout:
        say(f"Shared state, control: {layout.name}:")
        off = shared_state(layout, token)
        say(f"  {off}")
    if not off.get("LOST on the other server"):
        failed.append("without the shared state the checker found no lost concern: it is not shown able to fail")
    if off.get("rate: let through", 0) <= SHARED_LIMIT:
        failed.append("without the shared state the rate check found no doubled limit: it is not shown able to fail")
    return failed


# --- measurement 3: one Rasa server killed under load ------------------------------------------
def failover(layout: Layout, token: str, visitors: int = 12, seconds: float = 24, kill_at: float = 6) -> List[str]:
    """kill -9 one Rasa server while `visitors` conversations send messages one after another.
    Checks: every acknowledged message (a non-empty reply) stored exactly once, the others at most once;
    no failure once the kill is a second old; the killed server restarted by the supervisor and taking
    traffic again. Returns what failed."""
    prefix, stop_at, log_lock = uuid.uuid4().hex[:8], time.monotonic() + seconds, threading.Lock()
    sent: List[Dict[str, Any]] = []
    start = time.monotonic()

    def visitor(v: int) -> None:
        sender, i = f"failover-{prefix}-{v}", 0
        while time.monotonic() < stop_at:
            message_id, t0 = f"{prefix}-{v}-{i}", time.monotonic() - start
            reply = post({"sender": sender, "message": MESSAGES[(v + i) % len(MESSAGES)],
                          "metadata": {"message_id": message_id}})
            ok = isinstance(reply, list) and any(m.get("text") for m in reply)
            with log_lock:
                sent.append({"sender": sender, "id": message_id, "ok": ok, "sent": t0,
                             "took": time.monotonic() - start - t0, "reply": reply if not ok else None})
            i += 1

    victim_port = layout.ports()[0]
    victim = next(pid for pid in layout.rasa_pids() if victim_port in _port_of(pid))
    threads = [threading.Thread(target=visitor, args=(v,)) for v in range(visitors)]
    for t in threads:
        t.start()
    time.sleep(kill_at)
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic() - start
    for t in threads:
        t.join()
    back = time.monotonic()
    while not ready(f"http://127.0.0.1:{victim_port}/webhooks/rest/ready") and time.monotonic() - back < 300:
        time.sleep(0.5)
    back_after = time.monotonic() - start - killed
    failed = []
    ids = Counter()
    for sender in {m["sender"] for m in sent}:
        events = tracker(sender, token)["events"]
        ids.update((e.get("metadata") or {}).get("message_id") for e in events if e["event"] == "user")
    acked = [m for m in sent if m["ok"]]
    lost = [m for m in acked if ids[m["id"]] != 1]
    twice = [m for m in sent if ids[m["id"]] > 1]
    late = [m for m in sent if not m["ok"] and m["sent"] > killed + 1]
    at_kill = [m for m in sent if not m["ok"] and m["sent"] <= killed + 1]
    slowest_after = max((m["took"] for m in sent if m["sent"] > killed), default=0)
    say(f"  {len(sent)} messages from {visitors} conversations over {seconds:.0f} s; rasa-1 (pid {victim}) "
        f"killed at {killed:.1f} s; acknowledged {len(acked)}, not acknowledged {len(sent) - len(acked)} "
        f"({len(at_kill)} in flight at the kill, {len(late)} later); acknowledged but not stored exactly once: "
        f"{len(lost)}; stored twice: {len(twice)}; not acknowledged yet stored: "
        f"{sum(1 for m in sent if not m['ok'] and ids[m['id']] == 1)}; slowest reply after the kill "
        f"{slowest_after:.1f} s; rasa-1 answering again {back_after:.0f} s after the kill")
    if lost or twice:
        failed.append(f"failover: {len(lost)} acknowledged messages not stored exactly once, {len(twice)} twice")
    if late:
        failed.append(f"failover: {len(late)} messages failed more than a second after the kill")
    if not ready(f"http://127.0.0.1:{victim_port}/webhooks/rest/ready"):
        failed.append("failover: the killed Rasa server did not come back")
        return failed
    new = next(pid for pid in layout.rasa_pids() if victim_port in _port_of(pid))
    before = cpu_seconds(new)
    subprocess.run([PY, str(LOAD), URL, "8", "3"], check=True, capture_output=True)
    used = cpu_seconds(new) - before
    say(f"  after it came back: the new rasa-1 (pid {new}) used {used:.1f} CPU s of 24 messages' work")
    if used < 0.1:
        failed.append("failover: the restarted Rasa server takes no traffic")
    return failed


# --- measurement 4: PostgreSQL restarted, Redis stopped, under load ---------------------------------
def kind_of(reply: Any) -> str:
    """answered (a normal reply), numbers (the service-trouble reply: 999, Childline, the council), or
    error (no reply: an HTTP error, nothing, or not JSON)."""
    if not isinstance(reply, list) or not reply:
        return "error"
    if any((m.get("custom") or {}).get("type") == "service_trouble" for m in reply):
        return "numbers"
    return "answered" if any(m.get("text") for m in reply) else "error"


def outage(layout: Layout, token: str, visitors: int = 8, seconds: float = 45) -> List[str]:
    """Under load: PostgreSQL restarted (fast shutdown; the supervisor starts it again) at 5 s, Redis
    killed (the supervisor starts it again) at 20 s. Checks: while a store is down people get the
    numbers, never nothing; the Rasa servers recover by themselves (same processes); every message
    answered normally is stored exactly once; normal answers again at the end."""
    prefix, stop_at, log_lock = uuid.uuid4().hex[:8], time.monotonic() + seconds, threading.Lock()
    sent: List[Dict[str, Any]] = []
    start = time.monotonic()
    rasa_before = sorted(layout.rasa_pids())

    def visitor(v: int) -> None:
        sender, i = f"outage-{prefix}-{v}", 0
        while time.monotonic() < stop_at:
            message_id, t0 = f"{prefix}-{v}-{i}", time.monotonic() - start
            reply = post({"sender": sender, "message": MESSAGES[(v + i) % len(MESSAGES)],
                          "metadata": {"message_id": message_id}})
            with log_lock:
                sent.append({"sender": sender, "id": message_id, "kind": kind_of(reply), "sent": t0})
            i += 1
            time.sleep(0.1)

    def pid_of(name: str) -> int:
        return next(pid for pid, p in layout.processes().items() if p["name"] == name and
                    layout.processes().get(p["ppid"], {}).get("name") != name)

    threads = [threading.Thread(target=visitor, args=(v,)) for v in range(visitors)]
    for t in threads:
        t.start()
    time.sleep(5)
    os.kill(pid_of("postgres"), signal.SIGINT)
    pg_down = time.monotonic() - start
    time.sleep(15)
    os.kill(pid_of("redis"), signal.SIGKILL)
    redis_down = time.monotonic() - start
    for t in threads:
        t.join()
    ids = Counter()
    for sender in {m["sender"] for m in sent}:
        events = tracker(sender, token)["events"]
        ids.update((e.get("metadata") or {}).get("message_id") for e in events if e["event"] == "user")

    def phase(lo: float, hi: float) -> str:
        kinds = Counter(m["kind"] for m in sent if lo <= m["sent"] < hi)
        return ", ".join(f"{k} {kinds[k]}" for k in ("answered", "numbers", "error"))

    say(f"  {len(sent)} messages from {visitors} conversations over {seconds:.0f} s")
    say(f"  before: {phase(0, pg_down)}")
    say(f"  PostgreSQL restarted at {pg_down:.1f} s, next 5 s: {phase(pg_down, pg_down + 5)}; "
        f"then: {phase(pg_down + 5, redis_down)}")
    say(f"  Redis killed at {redis_down:.1f} s, next 5 s: {phase(redis_down, redis_down + 5)}; "
        f"last 10 s: {phase(seconds - 10, seconds + 60)}")
    answered = [m for m in sent if m["kind"] == "answered"]
    lost = [m for m in answered if ids[m["id"]] != 1]
    twice = [m for m in sent if ids[m["id"]] > 1]
    reasons = Counter()
    for log_file in (layout.base / "logs").glob("rasa-*.log"):
        for line in log_file.read_text(errors="replace").splitlines():
            found = re.search(r"chat: turn failed \(([^)]*)\)|lock store: ([^(]*)\(", line)
            if found:
                reasons[(found.group(1) or found.group(2)).strip()] += 1
    say(f"  answered and not stored exactly once: {len(lost)}; stored twice: {len(twice)}; Rasa servers "
        f"restarted: {'no' if sorted(layout.rasa_pids()) == rasa_before else 'YES'}; what the Rasa logs say "
        f"(whole run): {dict(reasons)}")
    failed = []
    if any(m["kind"] == "error" for m in sent):
        failed.append(f"outage: {sum(m['kind'] == 'error' for m in sent)} messages got no reply at all")
    if lost or twice:
        failed.append(f"outage: {len(lost)} answered messages not stored exactly once, {len(twice)} twice")
    if sorted(layout.rasa_pids()) != rasa_before:
        failed.append("outage: a Rasa server had to be restarted")
    if any(m["kind"] != "answered" for m in sent if m["sent"] >= seconds - 10):
        failed.append("outage: not recovered: the last 10 s still had failed turns")
    return failed


def _port_of(pid: int) -> List[int]:
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    return [int(argv[argv.index("--port") + 1])] if "--port" in argv else []


# --- long conversations: turn 200 against turn 1 --------------------------------------------------
# Ordinary questions about the services (nothing about a crisis, nothing that starts the CRO request),
# taken in a different order in each conversation.
LONG_QUESTIONS = [
    "what is early help", "how long does an assessment take", "what is a child in need plan", "what is the MASH",
    "what is a family hub", "how do I complain", "what is a child protection plan", "what does a social worker do",
    "what is a young carer", "what is kinship care", "what is private fostering", "what is a care leaver",
    "what is a personal adviser", "who goes to a child protection conference", "can I bring someone to a meeting",
    "what is a strategy meeting", "what is a section 47 enquiry", "how do I ask for early help", "what is a core group",
    "what happens at a review", "how often will the social worker visit", "what is a looked after child",
    "what is respite care", "what is a special guardianship order", "thanks",
    "what is an independent reviewing officer",
    "what is a pathway plan", "what is a family group conference", "what is a short break",
    "what support is there for parents", "what is a single assessment", "when does a plan end", "ok thanks",
    "how long does a child protection plan last", "what is a child in need meeting", "what is the local offer",
]
LONG_TURNS, LONG_WINDOW, LONG_AIM = 200, 20, 1.2


def median(values: List[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def long_conversation(layout: Layout, token: str, n: int, turns: int = LONG_TURNS) -> Dict[str, Any]:
    """One conversation of `turns` messages sent one after another. Its last LONG_WINDOW turns are sent in
    step with the first LONG_WINDOW of a new conversation (one message to each in turn), so that both are
    timed under the same load: this machine's other work changes within minutes (in one run the same turns
    took 54 ms at the start and 160 ms a few minutes later), which a comparison of the conversation's own
    first and last turns would measure instead. Returns the times and what was wrong."""
    from safety.kinds import safety_marker

    problems: Counter = Counter()
    order = LONG_QUESTIONS[n % len(LONG_QUESTIONS):] + LONG_QUESTIONS[:n % len(LONG_QUESTIONS)]

    def send(sender: str, t: int) -> float:
        text = "hello" if t == 0 else order[(t * 7) % len(order)]
        started = time.perf_counter()
        reply = post({"sender": sender, "message": text, "metadata": {"message_id": f"{sender}-{t}"}})
        took = time.perf_counter() - started
        kind = kind_of(reply)
        if kind != "answered":
            problems[kind] += 1
        elif safety_marker(reply) is not None:
            problems["safety reply"] += 1
        return took

    long, fresh = f"long-{uuid.uuid4().hex[:8]}", f"fresh-{uuid.uuid4().hex[:8]}"
    times = [send(long, t) for t in range(turns - LONG_WINDOW)]
    start_times = []
    for i in range(LONG_WINDOW):
        start_times.append(send(fresh, i))
        times.append(send(long, turns - LONG_WINDOW + i))
    for sender, count in ((long, turns), (fresh, LONG_WINDOW)):
        events = tracker(sender, token)["events"]
        ids = Counter((e.get("metadata") or {}).get("message_id") for e in events if e["event"] == "user")
        problems["not stored exactly once"] += sum(1 for t in range(count) if ids[f"{sender}-{t}"] != 1)
        if sender == long:
            stored = len(events)
    first, last = median(start_times), median(times[turns - LONG_WINDOW:])
    return {"times": times, "start_times": start_times, "first": first, "last": last, "ratio": last / first,
            "own_first": median(times[:LONG_WINDOW]), "events": stored,
            "problems": {k: v for k, v in problems.items() if v}}


def long_part(token: str, control: bool, budget: float = 420) -> List[str]:
    """Three long conversations on each store (and with --long-control one with the whole session read),
    bounded: a store's conversations stop once `budget` seconds have gone."""
    failed: List[str] = []
    plans = [("sqlite", {}, 3), ("scaled", {}, 3)]
    if control:
        plans += [("sqlite", {"FAMILY_HELP_RECENT_TURNS": "0"}, 1), ("scaled", {"FAMILY_HELP_RECENT_TURNS": "0"}, 1)]
    w, last_from = LONG_WINDOW, LONG_TURNS - LONG_WINDOW + 1
    for kind, extra, repeats in plans:
        with Layout(kind, 2, extra_env=extra) as layout:
            label = layout.name + (", whole session read (FAMILY_HELP_RECENT_TURNS=0)" if extra else "")
            say(f"Long conversations, {label}: {repeats} x {LONG_TURNS} turns one after another, turns "
                f"{last_from}-{LONG_TURNS} sent in step with turns 1-{w} of a new conversation")
            runs, started = [], time.monotonic()
            for n in range(repeats):
                if time.monotonic() - started > budget:
                    say(f"  stopped after {n} conversations: over {budget:.0f} s")
                    break
                run = long_conversation(layout, token, n)
                runs.append(run)
                tens = " ".join(f"{1000 * median(run['times'][i:i + w]):.0f}" for i in range(0, LONG_TURNS, w))
                say(f"  conversation {n + 1}: turns 1-{w} of the new one median {1000 * run['first']:.0f} ms, turns "
                    f"{last_from}-{LONG_TURNS} {1000 * run['last']:.0f} ms: {run['ratio']:.2f} x (the long one's "
                    f"medians by 20 turns, as sent: {tens} ms); {run['events']} events stored; "
                    f"problems: {run['problems'] or 'none'}")
            if not runs:
                failed.append(f"long conversations, {label}: none finished")
                continue
            first = median([t for r in runs for t in r["start_times"]])
            last = median([t for r in runs for t in r["times"][LONG_TURNS - w:]])
            verdict = "met" if last <= LONG_AIM * first else "NOT met"
            say(f"  all {len(runs)}: turns 1-{w} median {1000 * first:.0f} ms, turns {last_from}-{LONG_TURNS} "
                f"{1000 * last:.0f} ms: {last / first:.2f} x (aim at most {LONG_AIM} x: {verdict})")
            problems = [r["problems"] for r in runs if r["problems"]]
            if extra:
                continue  # the control shows the slowdown; it is not held to the aim
            if last > LONG_AIM * first:
                failed.append(f"long conversations, {label}: turn {LONG_TURNS} {last / first:.2f} x turn 1 "
                              f"(aim {LONG_AIM})")
            if problems:
                failed.append(f"long conversations, {label}: {problems}")
    return failed


# --- measurement 1: throughput --------------------------------------------------------------------
def throughput(layout: Layout, concurrency: int = 20, turns: int = 10) -> Dict[str, Any]:
    subprocess.run([PY, str(LOAD), layout.url, "4", "3"], check=True, capture_output=True)  # warm-up
    before = layout.processes()
    out = subprocess.run([PY, str(LOAD), layout.url, str(concurrency), str(turns)], check=True, capture_output=True,
                         text=True).stdout.strip()
    figures: Dict[str, Any] = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", out)}
    figures["line"] = out
    say(f"  {out}")
    after = layout.processes()
    say(f"  {usage(before, after, int(figures.get('n', 1)) or 1)}")
    wall = figures.get("n", 0) / figures["rate"] if figures.get("rate") else 0
    if wall:  # below the Rasa servers' count: they waited for a core (other work on the machine)
        rasa = sum(p["cpu"] - before.get(pid, {"cpu": 0.0})["cpu"] for pid, p in after.items() if p["name"] == "rasa")
        say(f"  Rasa servers used {rasa / wall:.2f} cores on average (of {os.cpu_count()}; machine load "
            f"average {os.getloadavg()[0]:.1f})")
    if layout.kind == "scaled":
        say(f"  PostgreSQL connections open: {postgres_connections(layout)}")
    return figures


def postgres_connections(layout: Layout) -> str:
    import psycopg2

    try:
        with psycopg2.connect(host="127.0.0.1", port=layout.port_settings["FAMILY_HELP_DB_PORT"],
                              dbname="family_help", user="family_help", connect_timeout=5,
                              password=(layout.base / "db_password").read_text().strip()) as conn:
            with conn.cursor() as cur:
                cur.execute("select state, count(*) from pg_stat_activity where datname = 'family_help'"
                            " and pid <> pg_backend_pid() group by state order by state")
                return ", ".join(f"{n} {state}" for state, n in cur.fetchall()) or "none"
    except psycopg2.Error as e:
        return f"unknown ({type(e).__name__})"


def live_store_tests(layout: Layout) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FAMILY_HELP_DB_HOST": "127.0.0.1", "SCALE_TEST_LIVE_DB": "1",
           "FAMILY_HELP_DB_PORT": layout.port_settings["FAMILY_HELP_DB_PORT"],
           "FAMILY_HELP_DB_PASSWORD": (layout.base / "db_password").read_text().strip(),
           "SCALE_TEST_WEB_URL": f"http://127.0.0.1:{layout.port_settings['WEB_PORT']}"}
    return subprocess.run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/scale/test_postgres_live.py"],
                          cwd=ROOT, env=env, check=False).returncode


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("correctness", "shared_state", "throughput", "failover", "outage", "long"))
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2, help="bursts with the lock store (control: up to 3)")
    ap.add_argument("--repeat", type=int, default=3, help="throughput: rounds over the three layouts")
    ap.add_argument("--long-control", action="store_true",
                    help="long conversations: also one on each store with the whole session read (slow)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bot import tokens

    token = tokens.resolve(tokens.API_TOKEN)
    for old in [*BASE.glob("scaled*"), BASE / "sqlite"]:
        if old.is_dir():
            shutil.rmtree(old)  # fresh clusters each run: the figures do not depend on the last
    failed, summary = [], []
    if args.only in (None, "correctness"):
        with Layout("scaled", args.replicas) as layout:
            say(f"Correctness, {layout.name}:")
            with_lock = correctness(layout, token, args.rounds, expect_clean=True)
            if live_store_tests(layout) != 0:
                failed.append("the PostgreSQL stores on the live database")
        if with_lock:
            failed.append(f"with the lock store: {with_lock}")
        with Layout("scaled", args.replicas, lock=False) as layout:
            say(f"Correctness, control: {layout.name}:")
            without = correctness(layout, token, 3, expect_clean=False)
        if not without:
            failed.append("without the lock store the checker found nothing: it is not shown able to fail")
        summary.insert(0, ("correctness", {"with lock store": with_lock or "no problem",
                                           "without (control)": without}))
    if args.only in (None, "shared_state"):
        failed += shared_state_part(args.replicas, token)
    if args.only in (None, "failover"):
        with Layout("scaled", 2) as layout:
            say(f"Failover, {layout.name}: kill -9 of one Rasa server under load")
            failed += failover(layout, token)
    if args.only in (None, "outage"):
        with Layout("scaled", 2) as layout:
            say(f"Outage, {layout.name}: PostgreSQL restarted and Redis killed under load")
            failed += outage(layout, token)
    if args.only in (None, "long"):
        failed += long_part(token, args.long_control)
    if args.only in (None, "throughput"):
        # All three layouts up at once (each on its own ports), measured in turn, round after round:
        # this machine's other work then weighs on each about equally.
        layouts = [Layout("sqlite", slot=1), Layout("scaled", 1, slot=2), Layout("scaled", 2, slot=3)]
        with contextlib.ExitStack() as running:
            for layout in layouts:
                running.enter_context(layout)
            for n in range(1, args.repeat + 1):
                for layout in layouts:
                    say(f"Throughput round {n}, {layout.name}:")
                    summary.append((layout.name, throughput(layout)))
    say("\nSummary")
    for name, figures in summary:
        say(f"  {name}: {figures['line'] if 'line' in figures else figures}")
    runs: Dict[str, List[Dict[str, Any]]] = {}
    for name, figures in summary:
        if "rate" in figures:
            runs.setdefault(name, []).append(figures)
    mean = {name: {k: sum(f[k] for f in fs) / len(fs) for k in ("rate", "median", "p95")} for name, fs in runs.items()}
    best = {name: max(fs, key=lambda f: f["rate"]) for name, fs in runs.items()}  # the least disturbed round
    for label, figures in (("mean of the rounds", mean), ("best round (the least disturbed by other work)", best)):
        if not figures:
            continue
        base, two = figures.get("make-run (SQLite)"), figures.get("2 Rasa on PostgreSQL+Redis")
        say(f"  {label}:")
        for name, m in figures.items():
            ratio = f"; {m['rate'] / base['rate']:.2f} x make-run's messages a second" if base else ""
            say(f"    {name}: {m['rate']:.1f}/s, median {m['median']:.0f} ms, p95 {m['p95']:.0f} ms{ratio}")
        if base and two:
            met = two["rate"] >= 1.3 * base["rate"] and two["p95"] <= base["p95"]
            verdict = "met" if met else "NOT met"
            say(f"    issue 14's aim (two servers >= 1.3 x make-run's rate, p95 no worse): {verdict}")
    for problem in failed:
        say(f"FAILED: {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""A soak: many conversations at once for a long time against the real servers (`make soak`).

    python -m tests.e2e.soak [--concurrency 50] [--seconds 600]

Starts the assistant as `make run` does (tests.e2e.conftest.Stack, spare ports, a temporary
folder), then each of CONCURRENCY visitors talks without pause until SECONDS have passed: topic
questions, follow-ups, a council change, a safety message. Counts HTTP errors and empty replies
(both must be 0) and samples the Rasa server's memory (resident set, MB) every 10 seconds, to
show whether it stays flat. Too long for CI: run it by hand and report the figures.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.e2e.conftest import Stack

MESSAGES = ["hello", "how long does an assessment take?", "what is a child in need plan",
            "who do I call if I'm worried about a child", "what is the MASH", "and for Bolton?",
            "what happens at a child protection conference", "my dad hits me", "what is early help",
            "can I complain about my social worker", "thanks"]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    total = 0
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = path.read_text().split(") ")[-1].split()
            if int(path.parent.name) == pid or int(fields[1]) == pid:
                status = (path.parent / "status").read_text()
                total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
        except (OSError, ValueError, StopIteration, IndexError):
            continue
    return total / 1024


def visitor(url: str, w: int, deadline: float, results: dict, lock: threading.Lock) -> None:
    sender = f"soak-{uuid.uuid4().hex[:10]}"
    t = 0
    while time.time() < deadline:
        body = json.dumps({"sender": sender, "message": MESSAGES[(w * 7 + t) % len(MESSAGES)]}).encode()
        req = urllib.request.Request(url + "/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
        t0 = time.perf_counter()
        kind = "ok"
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                replies = json.loads(r.read().decode() or "[]")
            if not any(m.get("text") for m in replies):
                kind = "empty"
            elif any((m.get("custom") or {}).get("type") == "service_trouble" for m in replies):
                kind = "fallback"
        except (urllib.error.URLError, OSError, ValueError):
            kind = "error"
        with lock:
            results[kind] += 1
            results["latency"].append(time.perf_counter() - t0)
        t += 1
        if t % 20 == 0:
            sender = f"soak-{uuid.uuid4().hex[:10]}"  # a new visitor now and then


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=600)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(Path(tmp))
        try:
            stack.start_helpers()
            stack.start_rasa()
            rasa_pid = stack.procs["rasa"].pid
            results = {"ok": 0, "empty": 0, "fallback": 0, "error": 0, "latency": []}
            lock = threading.Lock()
            memory = [(0, rss_mb(rasa_pid))]
            start = time.time()
            deadline = start + args.seconds
            with ThreadPoolExecutor(args.concurrency) as pool:
                for w in range(args.concurrency):
                    pool.submit(visitor, stack.rasa_url, w, deadline, results, lock)
                while time.time() < deadline:
                    time.sleep(10)
                    memory.append((round(time.time() - start), rss_mb(rasa_pid)))
            lat = sorted(results["latency"])
            n = len(lat)
            print(f"soak: {args.concurrency} conversations for {args.seconds} s: {n} messages "
                  f"({n / args.seconds:.1f}/s), errors={results['error']} empty={results['empty']} "
                  f"fallbacks={results['fallback']}, median={1000 * statistics.median(lat):.0f} ms "
                  f"p95={1000 * lat[int(0.95 * (n - 1))]:.0f} ms max={1000 * lat[-1]:.0f} ms")
            marks = [memory[0], memory[len(memory) // 4], memory[len(memory) // 2], memory[3 * len(memory) // 4],
                     memory[-1]]
            print("soak: Rasa server memory (s: MB): " + ", ".join(f"{s}: {mb:.0f}" for s, mb in marks))
            first_quarter = memory[len(memory) // 4][1]
            grew = memory[-1][1] - first_quarter
            print(f"soak: growth after warm-up (first quarter to end): {grew:+.0f} MB")
            return 0 if results["error"] == 0 and results["empty"] == 0 else 1
        finally:
            stack.close()


if __name__ == "__main__":
    sys.exit(main())

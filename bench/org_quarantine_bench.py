"""Organization mode at scale, the writes (scripts/bench-org): `rootkeys org
quarantine --all-noncompliant --yes` and then `rootkeys org release
--all-noncompliant --yes` on a seeded organization where every member has a
root key, with 50 ms added to every response by the test server.

Each member costs an Audit session (AssumeRoot, then its reads), a
ListPoliciesForTarget (the five-SCPs check) and the AttachPolicy (or
DetachPolicy), each journaled (intent and outcome, fsync'd) in the member's
own journal. Prints a markdown section and puts it into bench/RESULTS.md.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import org_bench  # noqa: E402  (same directory)

ROOT = org_bench.ROOT
BIN = org_bench.BIN
MEMBERS = [int(n) for n in os.environ.get("ROOTKEYS_BENCH_QUARANTINE_SIZES", "100,1000").split(",")]
SECTION = "## Organization mode: quarantine and release at scale"


def run(name: str, args: list[str], env: dict, endpoint: str) -> tuple[float, int, int, float]:
    with tempfile.NamedTemporaryFile() as rss:
        before = org_bench.requests_served(endpoint)
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, str(BIN), *args],
                              env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            print(f"{name}: exit {done.returncode}\n{done.stderr[-3000:]}", file=sys.stderr)
            raise SystemExit(1)
        peak = int(Path(rss.name).read_text().split()[-1]) / 1024
        return wall, org_bench.requests_served(endpoint) - before, done.returncode, peak


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="rootkeys-bench-quarantine-"))
    rows = []
    for members in MEMBERS:
        server, endpoint = org_bench.start_server(work / f"server-{members}.log")
        try:
            org_bench.post(endpoint, "/_rootkeys/org/seed", {"members": members, "with_keys": members})
            org_bench.post(endpoint, "/_rootkeys/latency", {"ms": org_bench.LATENCY_MS})
            env = org_bench.env_for(endpoint, str(work / f"state-{members}"))
            q = run("quarantine", ["org", "quarantine", "--all-noncompliant", "--yes"], env, endpoint)
            status = subprocess.run([str(BIN), "org", "status", "--json"], env=env,
                                    capture_output=True, text=True)
            doc = json.loads(status.stdout)
            quarantined = sum(1 for a in doc["accounts"] if a.get("stage") == "quarantined")
            assert quarantined == members, (quarantined, members)
            r = run("release", ["org", "release", "--all-noncompliant", "--yes"], env, endpoint)
            rows.append((members, q, r))
        finally:
            server.terminate()
            server.wait()
    # Dependent round trips per member: AssumeRoot, the reads (2), the
    # five-SCPs check, the write; ceil(n / 32) waves of them.
    lines = [
        SECTION, "",
        f"Measured {dt.date.today().isoformat()} on {platform.node() or 'this machine'} "
        f"({os.cpu_count()} cores) by scripts/bench-org: every member with a root key, "
        f"{org_bench.LATENCY_MS} ms added to every response, one run each. Limit = 5 dependent round "
        f"trips x ceil(members / {org_bench.CONCURRENCY}) x {org_bench.LATENCY_MS} ms (the account "
        "listing and the quarantine's targets are paged on top).", "",
        "| members | quarantine | release | limit | requests (quarantine) | peak memory |",
        "|---|---|---|---|---|---|",
    ]
    for members, q, r in rows:
        lim = 5 * math.ceil(members / org_bench.CONCURRENCY) * org_bench.LATENCY_MS / 1000
        lines.append(f"| {members:,} | {q[0]:.2f} s | {r[0]:.2f} s | {lim:.2f} s | {q[1]:,} | "
                     f"{max(q[3], r[3]):.1f} MiB |")
    text = "\n".join(lines) + "\n"
    print(text)
    results_md = ROOT / "bench/RESULTS.md"
    old = results_md.read_text() if results_md.exists() else "# Benchmark results\n"
    if SECTION in old:
        head, _, rest = old.partition(SECTION)
        tail = rest.split("\n## ", 1)
        old = head.rstrip("\n") + "\n\n" + ("## " + tail[1] if len(tail) > 1 else "")
    results_md.write_text(old.rstrip("\n") + "\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

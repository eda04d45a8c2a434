"""Organization mode benchmark (scripts/bench-org): `rootkeys org audit --json`
over seeded organizations of 10, 100 and 1,000 members (10% with root keys),
with 50 ms added to every response by the test server, against a boto3
script with a thread pool of the same size, and against the aws CLI loop of
AWS's own scripts (measured on 20 accounts, per account).

Wall time is the median of the runs (time.perf_counter around the process),
peak memory the largest maximum RSS (/usr/bin/time), requests those the
server counted for one run (`GET /_rootkeys/requests`). Prints a markdown section and puts it into
bench/RESULTS.md (replacing the section of an earlier run).
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("ROOTKEYS_BENCH_BIN", ROOT / "target/release/rootkeys"))
BENCH_VENV = ROOT / "target/venv-bench-org"
SERVER_PYTHON = Path(os.environ.get("ROOTKEYS_TEST_PYTHON", ROOT / ".venv/bin/python"))
LATENCY_MS = 50
CONCURRENCY = 32  # rootkeys' default, and the boto3 pool's size
SIZES = [int(n) for n in os.environ.get("ROOTKEYS_BENCH_ORG_SIZES", "10,100,1000").split(",")]
CLI_ACCOUNTS = int(os.environ.get("ROOTKEYS_BENCH_CLI_ACCOUNTS", "20"))
RUNS = int(os.environ.get("ROOTKEYS_BENCH_ORG_RUNS", "5"))
ADMIN = ("AKIAIOSFODNN7EXAMPLE", "adminsecretadminsecretadminsecret0000000")
SECTION = "## Organization mode"


def start_server(log: Path) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if k != "ROOTKEYS_MOTO_LATENCY_MS"}
    proc = subprocess.Popen(
        [str(SERVER_PYTHON), str(ROOT / "tests/support/moto_root.py")],
        stdout=subprocess.PIPE, stderr=log.open("w"), text=True, env=env,
    )
    line = proc.stdout.readline()
    assert line.startswith("PORT="), line
    return proc, f"http://127.0.0.1:{line.strip().split('=')[1]}"


def post(endpoint: str, path: str, body: dict) -> dict:
    req = urllib.request.Request(endpoint + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as answer:
        return json.loads(answer.read())


def env_for(endpoint: str, state: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": ADMIN[0], "AWS_SECRET_ACCESS_KEY": ADMIN[1],
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "ROOTKEYS_STATE_DIR": state,
        "PATH": f"{BENCH_VENV}/bin:" + os.environ.get("PATH", ""),
    })
    return env


def requests_served(endpoint: str) -> int:
    """Requests the server has answered so far (control endpoints not counted)."""
    with urllib.request.urlopen(endpoint + "/_rootkeys/requests", timeout=60) as answer:
        return sum(json.loads(answer.read()).values())


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Measure:
    def __init__(self, name: str) -> None:
        self.name = name
        self.server_cpu: list[float] = []
        self.walls: list[float] = []
        self.peak_kib = 0
        self.codes: set[int] = set()
        self.requests = 0
        self.stdout = ""

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


def measure(name: str, command: list[str], env: dict, endpoint: str, runs: int, warmups: int,
            stdin: str | None = None, server: int | None = None) -> Measure:
    m = Measure(name)
    with tempfile.NamedTemporaryFile() as rss:
        for i in range(warmups + runs):
            before = requests_served(endpoint)
            cpu = cpu_seconds(server) if server else 0.0
            start = time.perf_counter()
            done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *command],
                                  env=env, input=stdin, capture_output=True, text=True)
            wall = time.perf_counter() - start
            if i < warmups:
                continue
            m.walls.append(wall)
            if server:
                m.server_cpu.append(cpu_seconds(server) - cpu)
            m.codes.add(done.returncode)
            m.peak_kib = max(m.peak_kib, int(Path(rss.name).read_text().split()[-1]))
            m.requests = requests_served(endpoint) - before
            m.stdout = done.stdout
            if done.returncode not in (0, 1):
                print(f"{name}: exit {done.returncode}\n{done.stderr[-2000:]}", file=sys.stderr)
    return m


def limit(accounts: int, concurrency: int = CONCURRENCY) -> float:
    """3 dependent round trips per member, ceil(accounts / concurrency) waves."""
    return 3 * math.ceil(accounts / concurrency) * LATENCY_MS / 1000


def seeded_org(work: Path, members: int, tag: str) -> tuple[subprocess.Popen, str, Path, dict]:
    log = work / f"server-{tag}.log"
    server, endpoint = start_server(log)
    seed = post(endpoint, "/_rootkeys/org/seed", {
        "members": members, "with_keys": members // 10, "created": "2021-03-04T05:06:07Z",
        "last_used": {"date": "2026-11-01T00:00:00Z", "service": "s3", "region": "eu-west-1"},
    })
    post(endpoint, "/_rootkeys/latency", {"ms": LATENCY_MS})
    return server, endpoint, log, seed


def check_rootkeys(m: Measure, members: int) -> None:
    doc = json.loads(m.stdout)
    assert doc["accounts_total"] == members + 1, doc["accounts_total"]
    assert doc["accounts_with_keys"] == members // 10, doc["accounts_with_keys"]
    assert doc["accounts_failed"] == 0, doc["accounts_failed"]
    assert m.codes == {1 if members // 10 else 0}, m.codes


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="rootkeys-bench-org-"))
    results = []
    for members in SIZES:
        server, endpoint, log, _ = seeded_org(work, members, str(members))
        try:
            env = env_for(endpoint, str(work / f"state-{members}"))
            rk = measure(f"rootkeys org audit --json, {members} members",
                         [str(BIN), "org", "audit", "--json"], env, endpoint, RUNS, 1,
                         server=server.pid)
            check_rootkeys(rk, members)
            py_runs = 1 if members >= 1000 else 3
            py = measure(f"boto3, {CONCURRENCY} threads, {members} members",
                         [str(BENCH_VENV / "bin/python"), str(ROOT / "bench/boto3_org_audit.py"),
                          str(CONCURRENCY)], env, endpoint, py_runs, 0)
            results.append((members, rk, py))
        finally:
            server.terminate()
            server.wait()

    server, endpoint, log, seed = seeded_org(work, CLI_ACCOUNTS, "cli")
    try:
        env = env_for(endpoint, str(work / "state-cli"))
        ids = "\n".join(m["account_id"] for m in seed["members"]) + "\n"
        cli = measure(f"aws CLI loop, {CLI_ACCOUNTS} members", [str(ROOT / "bench/aws_cli_org_loop.sh")],
                      env, endpoint, 1, 0, stdin=ids)
        assert cli.stdout.count("\n") == CLI_ACCOUNTS, cli.stdout
        rk20 = measure(f"rootkeys org audit --json, {CLI_ACCOUNTS} members",
                       [str(BIN), "org", "audit", "--json"], env, endpoint, RUNS, 1)
        check_rootkeys(rk20, CLI_ACCOUNTS)
    finally:
        server.terminate()
        server.wait()

    cli_per = cli.median / CLI_ACCOUNTS
    lines = [
        SECTION, "",
        f"Measured {dt.date.today().isoformat()} on {platform.node() or 'this machine'} "
        f"({os.cpu_count()} cores, {platform.system()} {platform.release()}) by scripts/bench-org: "
        f"`rootkeys org audit --json` (default concurrency {CONCURRENCY}) against the organization "
        f"test server with {LATENCY_MS} ms added to every response; seeded organizations, 10% of the "
        f"members with a root key. Wall time: median of {RUNS} runs after a warm-up (boto3: 3 runs, "
        "1 at 1,000 members); peak RSS from /usr/bin/time; requests as the server counted them (`GET /_rootkeys/requests`). "
        "Limit = 3 dependent round trips x ceil(members / 32) x 50 ms.", "",
        "| members | rootkeys | limit | rootkeys / limit | per member | peak memory | requests "
        f"| server CPU | boto3, {CONCURRENCY} threads | boto3 peak memory | boto3 / rootkeys |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for members, rk, py in results:
        lim = limit(members)
        lines.append(
            f"| {members:,} | {rk.median:.2f} s | {lim:.2f} s | {rk.median / lim:.2f} | "
            f"{rk.median / members * 1000:.1f} ms | {rk.peak_kib / 1024:.1f} MiB | {rk.requests:,} | "
            f"{statistics.median(rk.server_cpu):.2f} s | {py.median:.2f} s | {py.peak_kib / 1024:.1f} MiB | {py.median / rk.median:.1f}x |")
    big_members, big, _ = results[-1]
    lines += [
        "",
        "Server CPU: what the test server (one Python process) spent serving one rootkeys run; "
        "when it nears the wall time, the server, not rootkeys, sets the pace.",
        "",
        f"The aws CLI loop (`bench/aws_cli_org_loop.sh`, awscli {pinned('awscli')}: `aws sts "
        "assume-root`, then `aws iam list-access-keys`, `get-access-key-last-used` per key, "
        "`list-mfa-devices`, `get-login-profile`, one account after another), on "
        f"{CLI_ACCOUNTS} members: {cli.median:.1f} s, **{cli_per:.2f} s per account** "
        f"({cli.requests} requests, peak {cli.peak_kib / 1024:.1f} MiB per process). rootkeys on "
        f"the same {CLI_ACCOUNTS} members: {rk20.median:.2f} s ({rk20.median / CLI_ACCOUNTS * 1000:.1f} ms "
        f"per account, {cli.median / rk20.median:.0f}x faster); at {big_members:,} members "
        f"{big.median / big_members * 1000:.1f} ms per account, **{cli_per / (big.median / big_members):.0f}x faster "
        "per account** than the CLI loop.", "",
        "Runs (s): " + "; ".join(
            f"{members}: " + ", ".join(f"{w:.2f}" for w in rk.walls) for members, rk, _ in results),
    ]
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


def pinned(name: str) -> str:
    for line in (ROOT / "bench/requirements-org.txt").read_text().splitlines():
        if line.startswith(name + "=="):
            return line.split("==", 1)[1]
    return "?"


if __name__ == "__main__":
    sys.exit(main())

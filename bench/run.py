"""Driver for scripts/bench: starts the server, seeds an account, measures."""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = ROOT / "target/release/rootkeys"
RUNS = 10
PROWLER = (f"{ROOT}/.venv-prowler/bin/prowler aws --checks iam_no_root_access_key -f us-east-1 "
           "--no-banner -M json-ocsf -o /tmp/rootkeys-bench-prowler")


def start_server(log: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [str(VENV / "bin/python"), str(ROOT / "tests/support/moto_root.py")],
        stdout=subprocess.PIPE, stderr=log.open("w"), text=True,
    )
    line = proc.stdout.readline()
    assert line.startswith("PORT="), line
    return proc, f"http://127.0.0.1:{line.strip().split('=')[1]}"


def seed(endpoint: str) -> tuple[dict, dict]:
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x")
    iam.create_user(UserName="root-standin")
    keys = [iam.create_access_key(UserName="root-standin")["AccessKey"] for _ in range(2)]
    iam.create_user(UserName="auditor")
    auditor = iam.create_access_key(UserName="auditor")["AccessKey"]
    yesterday = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)).isoformat()
    body = json.dumps({"access_key_id": keys[0]["AccessKeyId"], "date": yesterday,
                       "service": "s3", "region": "eu-west-1"}).encode()
    req = urllib.request.Request(endpoint + "/_rootkeys/last_used", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
    return keys[0], auditor


def env_for(endpoint: str, key: dict, state: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "ROOTKEYS_STATE_DIR": state,
        "PATH": f"{VENV}/bin:" + os.environ.get("PATH", ""),
    })
    return env


def hyperfine(name: str, command: str, env: dict, out: Path, runs: int = RUNS) -> float:
    subprocess.run(["hyperfine", "--warmup", "2" if runs == RUNS else "1", "--runs", str(runs), "-N" if " " not in command and "|" not in command else "--shell=bash",
                    "--ignore-failure", "--export-json", str(out), command],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())["results"][0]["median"]


def peak_kib(command: str, env: dict) -> int:
    res = subprocess.run(["/usr/bin/time", "-f", "%M", "bash", "-c", command + " >/dev/null 2>&1"],
                         env=env, capture_output=True, text=True)
    return int(res.stderr.strip().splitlines()[-1])


def requests(log: Path, command: str, env: dict) -> int:
    before = log.read_text().count('" 200 ') + log.read_text().count('" 4')
    subprocess.run(["bash", "-c", command + " >/dev/null 2>&1"], env=env)
    after = log.read_text().count('" 200 ') + log.read_text().count('" 4')
    return after - before


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="rootkeys-bench-"))
    log = work / "server.log"
    server, endpoint = start_server(log)
    try:
        root, auditor = seed(endpoint)
        state = str(work / "state")
        env_root, env_aud = env_for(endpoint, root, state), env_for(endpoint, auditor, state)
        aws_seq = ("aws sts get-caller-identity && aws iam get-account-summary && "
                   "for k in $(aws iam list-access-keys --query 'AccessKeyMetadata[].AccessKeyId' --output text); "
                   "do aws iam get-access-key-last-used --access-key-id $k; done")
        curl = (f"curl -s -o /dev/null -X POST {endpoint}/ -H 'Authorization: AWS4-HMAC-SHA256 "
                f"Credential={root['AccessKeyId']}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0' "
                "-d 'Action=GetCallerIdentity&Version=2011-06-15'")
        cases = [
            ("rootkeys audit --json (root)", f"{BIN} audit --json", env_root),
            ("rootkeys audit --json (auditor)", f"{BIN} audit --json", env_aud),
            ("aws CLI sequence (documented procedure)", aws_seq, env_root),
            ("boto3 script (one process)", f"{VENV}/bin/python {ROOT}/bench/boto3_audit.py", env_root),
            ("Prowler iam_no_root_access_key (3 runs)", PROWLER, env_root),
            ("one curl round trip", curl, env_root),
            ("/bin/true", "/bin/true", env_root),
        ]
        rows = []
        for name, command, env in cases:
            runs = 3 if command == PROWLER else RUNS
            median = hyperfine(name, command, env, work / "hf.json", runs)
            rows.append((name, median, peak_kib(command, env), requests(log, command, env)))
    finally:
        server.terminate()
        server.wait()
    audit = rows[0][1]
    lines = [
        f"Measured {dt.date.today().isoformat()} on {platform.node() or 'this machine'} "
        f"({os.cpu_count()} cores, {platform.system()} {platform.release()}); median of {RUNS} runs after 2 warm-ups (hyperfine); "
        "peak RSS from /usr/bin/time; requests counted in the server log.",
        "",
        "| what | median | ratio to `rootkeys audit` (root) | peak memory | HTTP requests |",
        "|---|---|---|---|---|",
    ]
    for name, median, kib, reqs in rows:
        lines.append(f"| {name} | {median * 1000:.1f} ms | {median / audit:.2f}x | {kib / 1024:.1f} MiB | {reqs} |")
    lines += ["", "Prowler runs against the same local endpoint through AWS_ENDPOINT_URL (one region, "
              "`--checks iam_no_root_access_key`; it connects to nothing but 127.0.0.1). Its exit code 3 "
              "means a failed check: root has keys.", "", "Usage review fan-out (17 regions x 3 pages, 100 ms per call, mocked):", "",
              (ROOT / "target/usage_fanout.txt").read_text().strip(),
              "", "Interactive view, one whole frame with two keys (ratatui TestBackend):", "",
              (ROOT / "target/render.txt").read_text().strip(),
              "", "Interactive view start-up in a pseudo-terminal:", "",
              (ROOT / "target/tui_startup.txt").read_text().strip()]
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench/RESULTS.md").write_text("# Benchmark results\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

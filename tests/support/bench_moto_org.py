"""Throughput of the test server for organization-mode requests.

Usage:
    .venv/bin/python tests/support/bench_moto_org.py [--clients 32] [--requests 2000]
                                                     [--members 1000] [--with-keys 100]

Starts its own launcher (moto_root.py) on 127.0.0.1, seeds an organization, and
measures, at latency 0 and 50 ms, with N client threads:

* ListAccessKeys in member root sessions (requests per second);
* an organization audit as rootkeys does it: per member AssumeRoot,
  GetCallerIdentity, ListAccessKeys and GetAccessKeyLastUsed per key;
* the server's CPU time per request (from /proc), which bounds what it can
  sustain whatever the client;

and prints the server's count of the requests it served per operation
(GET /_rootkeys/requests), which must match what the clients sent.

Requests are plain HTTP with a SigV4-shaped Authorization header (the server
reads the signer from it and checks no signature), so that the client's own
cost stays small.  The client shares the machine with the server: on a loaded
machine both figures drop.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

LAUNCHER = Path(__file__).with_name("moto_root.py")
ADMIN_KEY = "AKIAIOSFODNN7EXAMPLE"
AUDIT = "arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2Froot-task%2FIAMAuditRootUserCredentials"


class Client:
    def __init__(self, port: int):
        self.port = port
        self.local = threading.local()

    def post(self, path: str, body: str, headers: dict[str, str]) -> tuple[int, bytes]:
        # The server closes each connection after its answer.
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def get(self, path: str) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        assert response.status == 200, data
        return json.loads(data)

    def control(self, path: str, body: Any) -> Any:
        status, data = self.post(path, json.dumps(body), {"Content-Type": "application/json"})
        assert status == 200, data
        return json.loads(data)

    @staticmethod
    def headers(key: str, service: str, token: str | None = None) -> dict[str, str]:
        headers = {
            "Authorization": (
                f"AWS4-HMAC-SHA256 Credential={key}/20261130/us-east-1/{service}/aws4_request, "
                "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
            ),
            "X-Amz-Date": "20261130T100000Z",
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        }
        if token:
            headers["X-Amz-Security-Token"] = token
        return headers

    def call(self, key: str, service: str, body: str, token: str | None = None) -> str:
        status, data = self.post("/", body, self.headers(key, service, token))
        assert status == 200, data
        return data.decode()

    def assume_root(self, member: str) -> tuple[str, str]:
        answer = self.call(
            ADMIN_KEY,
            "sts",
            "Action=AssumeRoot&Version=2011-06-15"
            f"&TargetPrincipal={member}&TaskPolicyArn.arn={AUDIT}",
        )
        key = re.search("<AccessKeyId>(.*?)</AccessKeyId>", answer)
        token = re.search("<SessionToken>(.*?)</SessionToken>", answer)
        assert key and token, answer
        return key.group(1), token.group(1)

    def list_keys(self, session: tuple[str, str]) -> list[str]:
        answer = self.call(
            session[0], "iam", "Action=ListAccessKeys&Version=2010-05-08", session[1]
        )
        return re.findall("<AccessKeyId>(.*?)</AccessKeyId>", answer)

    def audit(self, member: str) -> int:
        """One member as an organization audit reads it; the number of requests."""
        session = self.assume_root(member)
        self.call(session[0], "sts", "Action=GetCallerIdentity&Version=2011-06-15", session[1])
        keys = self.list_keys(session)
        for key in keys:
            self.call(
                session[0],
                "iam",
                f"Action=GetAccessKeyLastUsed&Version=2010-05-08&AccessKeyId={key}",
                session[1],
            )
        return 3 + len(keys)


def start() -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, str(LAUNCHER), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 60)
    line = process.stdout.readline() if ready else ""
    if not line.startswith("PORT="):
        process.kill()
        raise SystemExit(f"the launcher said {line!r}")
    return process, int(line.strip().split("=", 1)[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(clients: int, work: Callable[[Any], Any], items: Iterable[Any]) -> tuple[float, list[Any]]:
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(work, items))
    return time.perf_counter() - started, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--with-keys", type=int, default=100)
    args = parser.parse_args()

    process, port = start()
    client = Client(port)
    try:
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        started = time.perf_counter()
        seeded = client.control(
            "/_rootkeys/org/seed", {"members": args.members, "with_keys": args.with_keys}
        )
        members = [m["account_id"] for m in seeded["members"]]
        print(
            f"seed {args.members} members ({args.with_keys} with a root key): "
            f"{time.perf_counter() - started:.2f} s"
        )
        sent = 0
        for latency in (0, 50):
            client.control("/_rootkeys/latency", {"ms": latency})
            sessions = [client.assume_root(m) for m in members[: args.clients]]
            work = [sessions[i % len(sessions)] for i in range(args.requests)]
            cpu = cpu_seconds(process.pid)
            elapsed, _ = timed(args.clients, client.list_keys, work)
            cpu = cpu_seconds(process.pid) - cpu
            print(
                f"latency {latency:>2} ms, {args.clients} clients: ListAccessKeys "
                f"{args.requests / elapsed:.0f} req/s "
                f"(server CPU {cpu / args.requests * 1000:.2f} ms/request)"
            )
            cpu = cpu_seconds(process.pid)
            elapsed, counts = timed(args.clients, client.audit, members)
            cpu = cpu_seconds(process.pid) - cpu
            total = sum(counts)
            sent += len(sessions) + args.requests + total
            print(
                f"latency {latency:>2} ms, {args.clients} clients: audit of {len(members)} "
                f"members, {total} requests in {elapsed:.2f} s = {total / elapsed:.0f} req/s "
                f"(server CPU {cpu / total * 1000:.2f} ms/request)"
            )
        served = client.get("/_rootkeys/requests")
        print("served: " + ", ".join(f"{name} {n}" for name, n in served.items()))
        if sum(served.values()) != sent:
            print(f"the server counted {sum(served.values())} requests, the clients sent {sent}")
            return 1
        print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Tests for tests/support/moto_root.py, the root-aware moto launcher.

Each test talks to a real launcher process on 127.0.0.1 through boto3.
"""

from __future__ import annotations

import csv
import io
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

# Never look for credentials or regions outside the test.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
for _name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
              "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION",
              "AWS_DEFAULT_REGION", "MOTO_ACCOUNT_ID"):
    os.environ.pop(_name, None)

LAUNCHER = Path(__file__).with_name("moto_root.py")
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
ADMIN = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
STANDIN = "root-standin"
STARTUP_TIMEOUT = 60  # seconds

HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,"
    "password_last_changed,password_next_rotation,mfa_active,"
    "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
    "access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,"
    "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)


@dataclass
class Launcher:
    process: subprocess.Popen[str]
    port: int
    stderr_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr(self) -> str:
        return self.stderr_path.read_text()


def start_launcher(tmp: Path) -> Launcher:
    stderr_path = tmp / "moto_root.stderr"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(LAUNCHER), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    assert process.stdout is not None
    # The PORT= line appears once the server listens.
    ready, _, _ = select.select([process.stdout], [], [], STARTUP_TIMEOUT)
    line = process.stdout.readline() if ready else ""
    if not line.startswith("PORT="):
        process.kill()
        process.wait()
        raise AssertionError(
            f"launcher said {line!r}; stderr:\n{stderr_path.read_text()}"
        )
    return Launcher(process, int(line.strip().split("=", 1)[1]), stderr_path)


def stop_launcher(launcher: Launcher) -> int:
    launcher.process.send_signal(signal.SIGTERM)
    try:
        return launcher.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        launcher.process.kill()
        launcher.process.wait()
        raise


@pytest.fixture(scope="module")
def server() -> Iterator[Launcher]:
    with tempfile.TemporaryDirectory() as tmp:
        launcher = start_launcher(Path(tmp))
        try:
            yield launcher
        finally:
            stop_launcher(launcher)


def client(server: Launcher, service: str, creds: tuple[str, str]) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=REGION,
        aws_access_key_id=creds[0],
        aws_secret_access_key=creds[1],
        config=Config(retries={"max_attempts": 1}),
    )


def http(server: Launcher, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def creds_of(created: dict[str, Any]) -> tuple[str, str]:
    key = created["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


@dataclass
class World:
    admin_iam: Any
    root_a: tuple[str, str]
    root_b: tuple[str, str]
    auditor: tuple[str, str]


@pytest.fixture
def world(server: Launcher) -> World:
    """Fresh moto state: root-standin with two keys, auditor with one."""
    status, _ = http(server, "POST", "/moto-api/reset")
    assert status == 200
    iam = client(server, "iam", ADMIN)
    iam.create_user(UserName=STANDIN)
    root_a = creds_of(iam.create_access_key(UserName=STANDIN))
    root_b = creds_of(iam.create_access_key(UserName=STANDIN))
    iam.create_user(UserName="auditor")
    auditor = creds_of(iam.create_access_key(UserName="auditor"))
    return World(iam, root_a, root_b, auditor)


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def summary_keys_present(server: Launcher, creds: tuple[str, str]) -> int:
    summary = client(server, "iam", creds).get_account_summary()["SummaryMap"]
    return summary["AccountAccessKeysPresent"]


def credential_report(server: Launcher, creds: tuple[str, str]) -> bytes:
    iam = client(server, "iam", creds)
    for _ in range(10):
        if iam.generate_credential_report()["State"] == "COMPLETE":
            break
        time.sleep(0.1)
    return iam.get_credential_report()["Content"]


def report_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


# --------------------------------------------------------------------------
# The process itself
# --------------------------------------------------------------------------


def listening_addresses(port: int) -> list[str]:
    """Local addresses (hex, as in /proc/net/tcp*) listening on a port."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                found.append(address)
    return found


def test_listens_on_loopback_only(server: Launcher) -> None:
    # 0100007F is 127.0.0.1 in /proc's little-endian hex.
    assert listening_addresses(server.port) == ["0100007F"]


def test_health(server: Launcher) -> None:
    assert http(server, "GET", "/_rootkeys/health") == (200, b"ok")


def test_stdout_is_one_line_and_sigterm_exits_cleanly(tmp_path: Path) -> None:
    launcher = start_launcher(tmp_path)
    sts = client(launcher, "sts", ADMIN)
    sts.get_caller_identity()
    assert stop_launcher(launcher) == 0
    assert launcher.process.stdout is not None
    assert launcher.process.stdout.read() == ""  # nothing after PORT=
    # One request line per HTTP request, on stderr.
    assert launcher.stderr().count('"POST / HTTP/1.1" 200') == 1


# --------------------------------------------------------------------------
# Identity
# --------------------------------------------------------------------------


def test_standin_key_is_the_root_user(server: Launcher, world: World) -> None:
    for creds in (world.root_a, world.root_b):
        identity = client(server, "sts", creds).get_caller_identity()
        assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
        assert identity["UserId"] == ACCOUNT
        assert identity["Account"] == ACCOUNT


def test_other_user_key_is_that_user(server: Launcher, world: World) -> None:
    identity = client(server, "sts", world.auditor).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/auditor"
    assert identity["Account"] == ACCOUNT


def test_unknown_key_is_default_account_admin(server: Launcher, world: World) -> None:
    identity = client(server, "sts", ADMIN).get_caller_identity()
    assert identity["Account"] == ACCOUNT
    assert not identity["Arn"].endswith(":root")


def test_standin_in_another_account(server: Launcher, world: World) -> None:
    other = "210987654321"
    iam = client(server, "iam", ADMIN)

    def pick_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = other

    iam.meta.events.register("before-sign.iam.*", pick_account)
    iam.create_user(UserName=STANDIN)
    root = creds_of(iam.create_access_key(UserName=STANDIN))

    identity = client(server, "sts", root).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{other}:root"
    assert identity["Account"] == other
    assert summary_keys_present(server, root) == 1
    # The default account still has its own stand-in with two keys.
    assert summary_keys_present(server, world.root_a) == 2


# --------------------------------------------------------------------------
# Access keys: caller scoping
# --------------------------------------------------------------------------


def key_ids(listing: dict[str, Any]) -> set[str]:
    return {meta["AccessKeyId"] for meta in listing["AccessKeyMetadata"]}


def test_list_access_keys_without_user_name_is_callers(
    server: Launcher, world: World
) -> None:
    root_keys = client(server, "iam", world.root_a).list_access_keys()
    assert key_ids(root_keys) == {world.root_a[0], world.root_b[0]}
    auditor_keys = client(server, "iam", world.auditor).list_access_keys()
    assert key_ids(auditor_keys) == {world.auditor[0]}


def test_list_access_keys_for_user_root_is_no_such_entity(
    server: Launcher, world: World
) -> None:
    iam = client(server, "iam", world.root_a)
    with pytest.raises(ClientError) as excinfo:
        iam.list_access_keys(UserName="root")
    assert error_of(excinfo) == ("NoSuchEntity", 404)


def test_other_user_cannot_touch_root_keys_without_user_name(
    server: Launcher, world: World
) -> None:
    iam = client(server, "iam", world.auditor)
    with pytest.raises(ClientError) as excinfo:
        iam.update_access_key(AccessKeyId=world.root_a[0], Status="Inactive")
    assert error_of(excinfo) == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_access_key(AccessKeyId=world.root_a[0])
    assert error_of(excinfo) == ("NoSuchEntity", 404)

    listing = client(server, "iam", world.root_a).list_access_keys()
    assert {m["Status"] for m in listing["AccessKeyMetadata"]} == {"Active"}
    assert key_ids(listing) == {world.root_a[0], world.root_b[0]}


def test_root_manages_its_own_keys_without_user_name(
    server: Launcher, world: World
) -> None:
    iam = client(server, "iam", world.root_a)
    iam.update_access_key(AccessKeyId=world.root_b[0], Status="Inactive")
    statuses = {
        m["AccessKeyId"]: m["Status"]
        for m in iam.list_access_keys()["AccessKeyMetadata"]
    }
    assert statuses == {world.root_a[0]: "Active", world.root_b[0]: "Inactive"}
    iam.delete_access_key(AccessKeyId=world.root_b[0])
    assert key_ids(iam.list_access_keys()) == {world.root_a[0]}


# --------------------------------------------------------------------------
# Account summary
# --------------------------------------------------------------------------


def test_account_access_keys_present_counts_standin_keys(
    server: Launcher, world: World
) -> None:
    assert summary_keys_present(server, world.auditor) == 2
    world.admin_iam.update_access_key(
        UserName=STANDIN, AccessKeyId=world.root_b[0], Status="Inactive"
    )
    assert summary_keys_present(server, world.auditor) == 2  # inactive counts
    world.admin_iam.delete_access_key(UserName=STANDIN, AccessKeyId=world.root_b[0])
    assert summary_keys_present(server, world.auditor) == 1
    world.admin_iam.delete_access_key(UserName=STANDIN, AccessKeyId=world.root_a[0])
    assert summary_keys_present(server, world.auditor) == 0


# --------------------------------------------------------------------------
# Credential report
# --------------------------------------------------------------------------


def test_credential_report_has_root_row_first(server: Launcher, world: World) -> None:
    world.admin_iam.update_access_key(
        UserName=STANDIN, AccessKeyId=world.root_b[0], Status="Inactive"
    )
    content = credential_report(server, world.auditor)
    assert not content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8").splitlines()
    assert lines[0] == HEADER
    assert all(len(line.split(",")) == 22 for line in lines)

    rows = report_rows(content)
    root = rows[0]
    assert root["user"] == "<root_account>"
    assert root["arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert root["password_enabled"] == "not_supported"
    assert root["access_key_1_active"] == "true"
    assert root["access_key_2_active"] == "false"
    for n in (1, 2):
        assert root[f"access_key_{n}_last_rotated"].endswith("+00:00")
        assert root[f"access_key_{n}_last_used_date"] == "N/A"
        assert root[f"access_key_{n}_last_used_region"] == "N/A"
        assert root[f"access_key_{n}_last_used_service"] == "N/A"

    users = [row["user"] for row in rows]
    assert STANDIN not in users
    assert users.count("<root_account>") == 1
    auditor = rows[users.index("auditor")]
    assert auditor["arn"] == f"arn:aws:iam::{ACCOUNT}:user/auditor"
    assert auditor["access_key_1_active"] == "true"
    assert auditor["access_key_2_active"] == "false"
    assert auditor["access_key_2_last_rotated"] == "N/A"


def test_credential_report_without_standin(server: Launcher) -> None:
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    iam = client(server, "iam", ADMIN)
    iam.create_user(UserName="auditor")
    rows = report_rows(credential_report(server, ADMIN))
    assert [row["user"] for row in rows] == ["<root_account>", "auditor"]
    root = rows[0]
    for n in (1, 2):
        assert root[f"access_key_{n}_active"] == "false"
        assert root[f"access_key_{n}_last_rotated"] == "N/A"
    assert summary_keys_present(server, ADMIN) == 0


def test_credential_report_generated_time_is_current(
    server: Launcher, world: World
) -> None:
    iam = client(server, "iam", world.auditor)
    credential_report(server, world.auditor)
    generated = iam.get_credential_report()["GeneratedTime"]
    age = datetime.now(timezone.utc) - generated
    assert timedelta(seconds=-5) < age < timedelta(minutes=5)


# --------------------------------------------------------------------------
# Inactive and deleted keys cannot sign
# --------------------------------------------------------------------------


def assert_invalid_token(call: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        call()
    assert error_of(excinfo) == ("InvalidClientTokenId", 403)
    assert excinfo.value.response["Error"]["Message"] == (
        "The security token included in the request is invalid."
    )


def test_inactive_key_cannot_sign_until_reactivated(
    server: Launcher, world: World
) -> None:
    client(server, "iam", world.root_a).update_access_key(
        AccessKeyId=world.root_b[0], Status="Inactive"
    )
    sts_b = client(server, "sts", world.root_b)
    iam_b = client(server, "iam", world.root_b)
    assert_invalid_token(sts_b.get_caller_identity)
    assert_invalid_token(iam_b.list_access_keys)
    assert_invalid_token(iam_b.get_account_summary)

    client(server, "iam", world.root_a).update_access_key(
        AccessKeyId=world.root_b[0], Status="Active"
    )
    assert sts_b.get_caller_identity()["Arn"].endswith(":root")
    assert key_ids(iam_b.list_access_keys()) == {world.root_a[0], world.root_b[0]}


def test_deleted_key_cannot_sign(server: Launcher, world: World) -> None:
    client(server, "iam", world.root_a).delete_access_key(AccessKeyId=world.root_b[0])
    assert_invalid_token(client(server, "sts", world.root_b).get_caller_identity)
    assert_invalid_token(client(server, "iam", world.root_b).list_access_keys)
    # The remaining key is unaffected.
    assert client(server, "sts", world.root_a).get_caller_identity()["Arn"].endswith(
        ":root"
    )


def test_inactive_key_rejected_by_other_protocols(
    server: Launcher, world: World
) -> None:
    world.admin_iam.update_access_key(
        UserName="auditor", AccessKeyId=world.auditor[0], Status="Inactive"
    )
    with pytest.raises(ClientError) as excinfo:
        client(server, "s3", world.auditor).list_buckets()
    assert error_of(excinfo) == ("InvalidAccessKeyId", 403)
    with pytest.raises(ClientError) as excinfo:
        client(server, "dynamodb", world.auditor).list_tables()
    assert error_of(excinfo) == ("UnrecognizedClientException", 400)


# --------------------------------------------------------------------------
# Last-used and creation facts
# --------------------------------------------------------------------------


def test_last_used_is_not_stamped_by_requests(server: Launcher, world: World) -> None:
    client(server, "sts", world.root_a).get_caller_identity()
    client(server, "iam", world.root_a).list_access_keys()
    last_used = client(server, "iam", world.root_a).get_access_key_last_used(
        AccessKeyId=world.root_a[0]
    )["AccessKeyLastUsed"]
    assert "LastUsedDate" not in last_used
    assert last_used["ServiceName"] == "N/A"
    assert last_used["Region"] == "N/A"


def test_seeded_last_used_is_reported(server: Launcher, world: World) -> None:
    status, body = http(
        server,
        "POST",
        "/_rootkeys/last_used",
        {
            "access_key_id": world.root_b[0],
            "date": "2026-11-20T10:00:00Z",
            "service": "s3",
            "region": "eu-west-1",
        },
    )
    assert (status, json.loads(body)) == (200, {})

    # Any user of the account may ask (AWS allows it too).
    answer = client(server, "iam", world.auditor).get_access_key_last_used(
        AccessKeyId=world.root_b[0]
    )
    last_used = answer["AccessKeyLastUsed"]
    assert last_used["LastUsedDate"].isoformat() == "2026-11-20T10:00:00+00:00"
    assert last_used["ServiceName"] == "s3"
    assert last_used["Region"] == "eu-west-1"

    root = report_rows(credential_report(server, world.auditor))[0]
    assert root["access_key_1_last_used_date"] == "N/A"
    assert root["access_key_2_last_used_date"] == "2026-11-20T10:00:00+00:00"
    assert root["access_key_2_last_used_region"] == "eu-west-1"
    assert root["access_key_2_last_used_service"] == "s3"

    # "date": null clears it again.
    assert http(
        server,
        "POST",
        "/_rootkeys/last_used",
        {"access_key_id": world.root_b[0], "date": None},
    )[0] == 200
    root = report_rows(credential_report(server, world.auditor))[0]
    assert root["access_key_2_last_used_date"] == "N/A"


def test_seeded_create_date_is_reported(server: Launcher, world: World) -> None:
    status, body = http(
        server,
        "POST",
        "/_rootkeys/created",
        {"access_key_id": world.root_a[0], "date": "2019-03-04T05:06:07Z"},
    )
    assert (status, json.loads(body)) == (200, {})
    listing = client(server, "iam", world.root_a).list_access_keys()
    created = {
        m["AccessKeyId"]: m["CreateDate"] for m in listing["AccessKeyMetadata"]
    }
    assert created[world.root_a[0]].isoformat() == "2019-03-04T05:06:07+00:00"
    root = report_rows(credential_report(server, world.auditor))[0]
    assert root["access_key_1_last_rotated"] == "2019-03-04T05:06:07+00:00"


def test_control_endpoints_reject_bad_input(server: Launcher, world: World) -> None:
    unknown = {"access_key_id": "AKIAUNKNOWNUNKNOWN00", "date": "2026-01-01T00:00:00Z",
               "service": "s3", "region": "us-east-1"}
    assert http(server, "POST", "/_rootkeys/last_used", unknown)[0] == 404
    assert http(server, "POST", "/_rootkeys/created", unknown)[0] == 404
    bad_date = dict(unknown, access_key_id=world.root_a[0], date="yesterday")
    assert http(server, "POST", "/_rootkeys/last_used", bad_date)[0] == 400
    assert http(server, "POST", "/_rootkeys/nope", {})[0] == 404


# --------------------------------------------------------------------------
# Root session (temporary root credentials, as in CloudShell)
# --------------------------------------------------------------------------


def test_root_session_acts_as_root_on_roots_keys(world: World, server: Launcher) -> None:
    world.admin_iam.create_user(UserName="root-session")
    session = creds_of(world.admin_iam.create_access_key(UserName="root-session"))
    ident = client(server, "sts", session).get_caller_identity()
    assert ident["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    iam = client(server, "iam", session)
    listed = {k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]}
    assert listed == {world.root_a[0], world.root_b[0]}
    # Session keys are not root access keys: not counted, no report row.
    assert summary_keys_present(server, session) == 2
    users = [r["user"] for r in report_rows(credential_report(server, session))]
    assert "root-session" not in users
    # It can remove every root key through the API.
    for key in (world.root_a[0], world.root_b[0]):
        iam.update_access_key(AccessKeyId=key, Status="Inactive")
        iam.delete_access_key(AccessKeyId=key)
    assert summary_keys_present(server, session) == 0
    assert iam.list_access_keys()["AccessKeyMetadata"] == []
    # The auditor's keys stay out of reach.
    with pytest.raises(ClientError) as excinfo:
        iam.delete_access_key(AccessKeyId=world.auditor[0])
    assert error_of(excinfo)[0] == "NoSuchEntity"


# --------------------------------------------------------------------------
# CloudTrail event history
# --------------------------------------------------------------------------


def regional(server: Launcher, service: str, creds: tuple[str, str], region: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=region,
        aws_access_key_id=creds[0],
        aws_secret_access_key=creds[1],
        config=Config(retries={"max_attempts": 1}),
    )


def lookup(
    server: Launcher,
    creds: tuple[str, str],
    region: str = REGION,
    attribute: tuple[str, str] | None = None,
    **params: Any,
) -> dict[str, Any]:
    if attribute is not None:
        params["LookupAttributes"] = [
            {"AttributeKey": attribute[0], "AttributeValue": attribute[1]}
        ]
    return regional(server, "cloudtrail", creds, region).lookup_events(**params)


def lookup_all(
    server: Launcher,
    creds: tuple[str, str],
    region: str = REGION,
    attribute: tuple[str, str] | None = None,
    **params: Any,
) -> list[dict[str, Any]]:
    """Every page, in order."""
    events: list[dict[str, Any]] = []
    token = None
    while True:
        if token is not None:
            params["NextToken"] = token
        page = lookup(server, creds, region, attribute, **params)
        events += page["Events"]
        token = page.get("NextToken")
        if token is None:
            return events


def record_of(event: dict[str, Any]) -> dict[str, Any]:
    return json.loads(event["CloudTrailEvent"])


def seed(server: Launcher, events: list[dict[str, Any]]) -> list[str]:
    status, body = http(server, "POST", "/_rootkeys/events", {"events": events})
    assert status == 200, body
    answer = json.loads(body)
    assert answer["recorded"] == len(events)
    return answer["event_ids"]


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_calls_are_recorded_as_management_events(server: Launcher, world: World) -> None:
    key_id = world.root_a[0]
    before = datetime.now(timezone.utc).replace(microsecond=0)
    client(server, "sts", world.root_a).get_caller_identity()
    client(server, "iam", world.root_a).list_users()
    with pytest.raises(ClientError):
        client(server, "iam", world.root_a).get_user(UserName="nobody")
    after = datetime.now(timezone.utc)

    events = lookup(server, world.auditor, attribute=("AccessKeyId", key_id))["Events"]
    assert [e["EventName"] for e in events] == ["GetUser", "ListUsers", "GetCallerIdentity"]
    sources = [e["EventSource"] for e in events]
    assert sources == ["iam.amazonaws.com", "iam.amazonaws.com", "sts.amazonaws.com"]
    for event in events:
        assert event["AccessKeyId"] == key_id
        assert event["Username"] == "root"
        assert event["ReadOnly"] == "true"
        assert event["Resources"] == []
        assert before <= event["EventTime"] <= after
        record = record_of(event)
        assert record["eventID"] == event["EventId"]
        assert record["eventName"] == event["EventName"]
        assert record["eventSource"] == event["EventSource"]
        assert record["userIdentity"] == {
            "type": "Root",
            "principalId": ACCOUNT,
            "arn": f"arn:aws:iam::{ACCOUNT}:root",
            "accountId": ACCOUNT,
            "accessKeyId": key_id,
        }
        assert record["awsRegion"] == "us-east-1"
        assert record["sourceIPAddress"] == "127.0.0.1"
        assert record["userAgent"].startswith("Boto3/")
        assert record["readOnly"] is True
        assert record["eventType"] == "AwsApiCall"
        assert record["managementEvent"] is True
        assert record["recipientAccountId"] == ACCOUNT
        assert record["eventVersion"]
        assert record["requestID"]
        when = datetime.fromisoformat(record["eventTime"].replace("Z", "+00:00"))
        assert when == event["EventTime"]
        assert record["eventTime"].endswith("Z")

    failed, ok = record_of(events[0]), record_of(events[1])
    assert failed["errorCode"] == "NoSuchEntity"
    assert "nobody" in failed["errorMessage"]
    assert "errorCode" not in ok and "errorMessage" not in ok


def test_other_users_events_name_the_user_and_writes_are_not_read_only(
    server: Launcher, world: World
) -> None:
    iam = client(server, "iam", world.auditor)
    iam.create_group(GroupName="ops")
    events = lookup(server, world.root_a, attribute=("Username", "auditor"))["Events"]
    assert [e["EventName"] for e in events] == ["CreateGroup"]
    assert events[0]["ReadOnly"] == "false"
    identity = record_of(events[0])["userIdentity"]
    assert identity["type"] == "IAMUser"
    assert identity["arn"] == f"arn:aws:iam::{ACCOUNT}:user/auditor"
    assert identity["userName"] == "auditor"
    assert identity["accessKeyId"] == world.auditor[0]
    assert record_of(events[0])["readOnly"] is False


def test_lookups_control_calls_data_events_and_rejected_keys_are_not_recorded(
    server: Launcher, world: World
) -> None:
    root = world.root_a
    lookup(server, root)
    lookup(server, root, "eu-west-1")
    http(server, "POST", "/_rootkeys/created",
         {"access_key_id": root[0], "date": "2020-01-01T00:00:00Z"})
    s3 = client(server, "s3", root)
    s3.create_bucket(Bucket="data-events")
    s3.put_object(Bucket="data-events", Key="k", Body=b"x")
    s3.get_object(Bucket="data-events", Key="k")
    s3.list_objects_v2(Bucket="data-events")
    s3.list_buckets()
    # A key that may not sign: rejected before any service sees the call.
    client(server, "iam", root).update_access_key(
        AccessKeyId=world.root_b[0], Status="Inactive"
    )
    with pytest.raises(ClientError):
        client(server, "sts", world.root_b).get_caller_identity()

    names = [e["EventName"] for e in lookup_all(server, root, attribute=("AccessKeyId", root[0]))]
    assert names == ["UpdateAccessKey", "ListBuckets", "CreateBucket"]
    assert lookup(server, root, attribute=("EventName", "LookupEvents"))["Events"] == []
    assert lookup(server, root, attribute=("AccessKeyId", world.root_b[0]))["Events"] == []
    bucket = lookup(server, root, attribute=("EventName", "CreateBucket"))["Events"][0]
    assert bucket["EventSource"] == "s3.amazonaws.com"
    assert bucket["ReadOnly"] == "false"


def test_global_services_land_in_us_east_1_and_regional_calls_in_their_region(
    server: Launcher, world: World
) -> None:
    root = world.root_a
    regional(server, "iam", root, "eu-west-1").list_users()
    regional(server, "sts", root, "eu-west-1").get_caller_identity()
    regional(server, "sts", root, "us-east-1").get_caller_identity()
    east = lookup_all(server, root, "us-east-1", ("AccessKeyId", root[0]))
    west = lookup_all(server, root, "eu-west-1", ("AccessKeyId", root[0]))
    assert [e["EventName"] for e in east] == ["GetCallerIdentity", "ListUsers"]
    assert [e["EventName"] for e in west] == ["GetCallerIdentity"]
    assert record_of(west[0])["awsRegion"] == "eu-west-1"
    assert {record_of(e)["awsRegion"] for e in east} == {"us-east-1"}
    assert lookup(server, root, "ap-south-1")["Events"] == []


def test_seeded_events_are_per_region_and_per_account(server: Launcher, world: World) -> None:
    now = datetime.now(timezone.utc)
    ids = seed(
        server,
        [
            {
                "event_name": "DescribeInstances",
                "event_source": "ec2.amazonaws.com",
                "event_time": iso(now - timedelta(days=3)),
                "region": "eu-west-1",
                "access_key_id": world.root_a[0],
                "source_ip": "198.51.100.7",
                "user_agent": "aws-cli/2.15.30 Python/3.11.8 Linux/5.15 exe/x86_64 command/ec2.describe-instances",
                "resources": [{"type": "AWS::EC2::Instance", "name": "i-0abc"}],
            },
            {
                "event_name": "RunInstances",
                "event_source": "ec2.amazonaws.com",
                "event_time": iso(now - timedelta(days=2)),
                "region": "eu-west-1",
                "access_key_id": world.root_a[0],
                "source_ip": "198.51.100.7",
                "error_code": "Client.UnauthorizedOperation",
                "error_message": "You are not authorized to perform this operation.",
            },
            {
                "event_name": "ListBuckets",
                "event_source": "s3.amazonaws.com",
                "region": "eu-west-1",
                "access_key_id": "AKIAOTHERACCOUNT0001",
                "account_id": "210987654321",
            },
        ],
    )
    assert len(set(ids)) == 3
    west = lookup(server, world.auditor, "eu-west-1")["Events"]
    assert [e["EventName"] for e in west] == ["RunInstances", "DescribeInstances"]
    described = west[1]
    assert described["EventId"] == ids[0]
    assert described["ReadOnly"] == "true"
    assert described["Username"] == "root"
    assert described["Resources"] == [
        {"ResourceType": "AWS::EC2::Instance", "ResourceName": "i-0abc"}
    ]
    record = record_of(described)
    assert record["awsRegion"] == "eu-west-1"
    assert record["sourceIPAddress"] == "198.51.100.7"
    assert record["userAgent"].endswith("command/ec2.describe-instances")
    assert record["userIdentity"]["type"] == "Root"
    assert record_of(west[0])["errorCode"] == "Client.UnauthorizedOperation"
    assert west[0]["ReadOnly"] == "false"
    assert lookup(server, world.auditor, "us-east-1", ("EventSource", "ec2.amazonaws.com"))[
        "Events"
    ] == []

    # The other account sees only its own event.
    def pick_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = "210987654321"

    other = regional(server, "cloudtrail", ADMIN, "eu-west-1")
    other.meta.events.register("before-sign.cloudtrail.*", pick_account)
    events = other.lookup_events()["Events"]
    assert [e["EventName"] for e in events] == ["ListBuckets"]
    identity = record_of(events[0])["userIdentity"]
    assert identity["type"] == "Unknown"
    assert identity["accountId"] == "210987654321"


def test_lookup_attributes_filter(server: Launcher, world: World) -> None:
    base = {"event_source": "iam.amazonaws.com", "access_key_id": world.root_a[0]}
    ids = seed(
        server,
        [
            dict(base, event_name="ListUsers"),
            dict(base, event_name="CreateRole", resources=[{"type": "AWS::IAM::Role", "name": "ops"}]),
            dict(base, event_name="ListBuckets", event_source="s3.amazonaws.com"),
            dict(base, event_name="GetCallerIdentity", access_key_id=world.root_b[0],
                 event_source="sts.amazonaws.com"),
            dict(base, event_name="ListRoles", access_key_id=world.auditor[0]),
        ],
    )

    def names(key: str, value: str) -> list[str]:
        return [e["EventName"] for e in lookup_all(server, world.auditor, attribute=(key, value))]

    assert names("AccessKeyId", world.root_a[0]) == ["ListBuckets", "CreateRole", "ListUsers"]
    assert names("AccessKeyId", world.root_b[0]) == ["GetCallerIdentity"]
    assert names("EventName", "CreateRole") == ["CreateRole"]
    assert names("EventSource", "s3.amazonaws.com") == ["ListBuckets"]
    assert names("Username", "auditor") == ["ListRoles"]
    assert names("Username", "root") == ["GetCallerIdentity", "ListBuckets", "CreateRole", "ListUsers"]
    assert names("EventId", ids[0]) == ["ListUsers"]
    # The fixture's own writes (by the administrator "moto") are there too.
    writes = names("ReadOnly", "false")
    assert "CreateRole" in writes and set(writes) == {"CreateRole", "CreateUser", "CreateAccessKey"}
    assert "CreateRole" not in names("ReadOnly", "true")
    assert names("ResourceType", "AWS::IAM::Role") == ["CreateRole"]
    assert names("ResourceName", "ops") == ["CreateRole"]
    assert names("EventName", "DeleteUser") == []

    cloudtrail = regional(server, "cloudtrail", world.auditor, REGION)
    with pytest.raises(ClientError) as excinfo:
        cloudtrail.lookup_events(
            LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "ListUsers"},
                {"AttributeKey": "Username", "AttributeValue": "root"},
            ]
        )
    assert error_of(excinfo) == ("InvalidLookupAttributesException", 400)
    with pytest.raises(ClientError) as excinfo:
        cloudtrail.lookup_events(
            LookupAttributes=[{"AttributeKey": "Colour", "AttributeValue": "blue"}]
        )
    assert error_of(excinfo)[0] == "InvalidLookupAttributesException"


def test_time_range_is_inclusive_and_history_keeps_90_days(
    server: Launcher, world: World
) -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    times = {
        "Old": now - timedelta(days=91),
        "Edge": now - timedelta(days=89),
        "Middle": now - timedelta(days=10),
        "Recent": now - timedelta(hours=1),
    }
    seed(
        server,
        [
            {"event_name": name, "event_source": "sts.amazonaws.com",
             "event_time": iso(when), "access_key_id": world.root_a[0]}
            for name, when in times.items()
        ],
    )
    key = ("AccessKeyId", world.root_a[0])
    assert [e["EventName"] for e in lookup_all(server, world.auditor, attribute=key)] == [
        "Recent", "Middle", "Edge",
    ]
    window = lookup_all(
        server, world.auditor, attribute=key,
        StartTime=times["Edge"], EndTime=times["Middle"],
    )
    assert [e["EventName"] for e in window] == ["Middle", "Edge"]
    assert [
        e["EventName"]
        for e in lookup_all(server, world.auditor, attribute=key,
                            StartTime=times["Middle"] + timedelta(seconds=1))
    ] == ["Recent"]
    with pytest.raises(ClientError) as excinfo:
        lookup(server, world.auditor, StartTime=now, EndTime=now - timedelta(days=1))
    assert error_of(excinfo) == ("InvalidTimeRangeException", 400)
    assert lookup(server, world.auditor, EventCategory="insight")["Events"] == []


def test_pages_of_50_newest_first_with_a_stable_token(server: Launcher, world: World) -> None:
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=5)
    seed(
        server,
        [
            {"event_name": f"Call{n:03d}", "event_source": "sts.amazonaws.com",
             "event_time": iso(start + timedelta(minutes=n)), "access_key_id": world.root_a[0]}
            for n in range(120)
        ],
    )
    key = ("AccessKeyId", world.root_a[0])
    first = lookup(server, world.auditor, attribute=key)
    assert len(first["Events"]) == 50
    assert first["Events"][0]["EventName"] == "Call119"
    token = first["NextToken"]

    # Events arriving between pages do not shift the pages.
    seed(server, [{"event_name": "Newer", "event_source": "sts.amazonaws.com",
                   "access_key_id": world.root_a[0]}])
    second = lookup(server, world.auditor, attribute=key, NextToken=token)
    assert [e["EventName"] for e in second["Events"]] == [
        f"Call{n:03d}" for n in range(69, 19, -1)
    ]
    third = lookup(server, world.auditor, attribute=key, NextToken=second["NextToken"])
    assert len(third["Events"]) == 20
    assert "NextToken" not in third
    assert third["Events"][-1]["EventName"] == "Call000"

    every = lookup_all(server, world.auditor, attribute=key)
    assert len(every) == 121
    assert len({e["EventId"] for e in every}) == 121
    stamps = [e["EventTime"] for e in every]
    assert stamps == sorted(stamps, reverse=True)

    small = lookup(server, world.auditor, attribute=key, MaxResults=7)
    assert len(small["Events"]) == 7 and "NextToken" in small
    assert len(lookup_all(server, world.auditor, attribute=key, MaxResults=7)) == 121
    with pytest.raises(ClientError) as excinfo:
        lookup(server, world.auditor, attribute=key, MaxResults=51)
    assert error_of(excinfo) == ("InvalidMaxResultsException", 400)
    # A token is only good with the parameters it came from.
    with pytest.raises(ClientError) as excinfo:
        lookup(server, world.auditor, attribute=("EventName", "Call001"), NextToken=token)
    assert error_of(excinfo) == ("InvalidNextTokenException", 400)
    with pytest.raises(ClientError) as excinfo:
        lookup(server, world.auditor, "eu-west-1", attribute=key, NextToken=token)
    assert error_of(excinfo)[0] == "InvalidNextTokenException"
    with pytest.raises(ClientError) as excinfo:
        lookup(server, world.auditor, attribute=key, NextToken="not-a-token")
    assert error_of(excinfo)[0] == "InvalidNextTokenException"


def raw_post(
    server: Launcher, path: str, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(server.url + path, data=body, method="POST")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def signed_headers(key_id: str, region: str, service: str) -> dict[str, str]:
    """Headers naming the signer as SigV4 does (the server reads the scope only)."""
    return {
        "Authorization": (
            f"AWS4-HMAC-SHA256 Credential={key_id}/20261120/{region}/{service}/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
        ),
        "X-Amz-Date": "20261120T100000Z",
    }


def test_lookup_events_wire_format(server: Launcher, world: World) -> None:
    seed(server, [{"event_name": "ListUsers", "event_source": "iam.amazonaws.com",
                   "event_time": "2026-11-20T10:00:00Z", "access_key_id": world.root_a[0]}])
    headers = signed_headers(world.auditor[0], "us-east-1", "cloudtrail")
    headers["Content-Type"] = "application/x-amz-json-1.1"
    # The Rust SDK sends the target without the namespace prefix.
    headers["X-Amz-Target"] = "CloudTrail_20131101.LookupEvents"
    body = json.dumps({
        "LookupAttributes": [{"AttributeKey": "AccessKeyId", "AttributeValue": world.root_a[0]}],
        "StartTime": 1763200000.5,
        "MaxResults": 50,
    }).encode()
    status, response_headers, raw = raw_post(server, "/", headers, body)
    assert status == 200, raw
    assert response_headers["Content-Type"] == "application/x-amz-json-1.1"
    assert response_headers["x-amzn-RequestId"]
    answer = json.loads(raw)
    assert set(answer) == {"Events"}
    (event,) = answer["Events"]
    assert set(event) == {
        "EventId", "EventName", "ReadOnly", "AccessKeyId", "EventTime",
        "EventSource", "Username", "Resources", "CloudTrailEvent",
    }
    assert event["EventTime"] == datetime(2026, 11, 20, 10, tzinfo=timezone.utc).timestamp()
    assert isinstance(event["EventTime"], float)
    assert event["ReadOnly"] == "true"
    assert isinstance(event["CloudTrailEvent"], str)
    assert json.loads(event["CloudTrailEvent"])["eventTime"] == "2026-11-20T10:00:00Z"

    headers["X-Amz-Target"] = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
    status, response_headers, raw = raw_post(server, "/", headers, b'{"MaxResults": 0}')
    assert status == 400
    assert json.loads(raw) == {
        "__type": "InvalidMaxResultsException",
        "message": "MaxResults must be between 1 and 50.",
    }


def test_list_regions_and_disabled_regions(server: Launcher, world: World) -> None:
    account = regional(server, "account", world.root_a, REGION)
    enabled = account.list_regions(RegionOptStatusContains=["ENABLED", "ENABLED_BY_DEFAULT"])
    names = [r["RegionName"] for r in enabled["Regions"]]
    assert len(names) == 17 and "NextToken" not in enabled
    assert names == sorted(names) and "us-east-1" in names and "af-south-1" not in names
    assert {r["RegionOptStatus"] for r in enabled["Regions"]} == {"ENABLED_BY_DEFAULT"}
    every = account.get_paginator("list_regions").paginate(PaginationConfig={"PageSize": 5})
    listed = [r for page in every for r in page["Regions"]]
    assert len(listed) > 17
    assert {r["RegionName"]: r["RegionOptStatus"] for r in listed}["me-south-1"] == "DISABLED"
    # ListRegions is a management event of account.amazonaws.com in us-east-1.
    recorded = lookup(server, world.auditor, attribute=("EventName", "ListRegions"))["Events"]
    assert len(recorded) >= 2
    assert recorded[0]["EventSource"] == "account.amazonaws.com"

    # LookupEvents in a region the account has not enabled.
    with pytest.raises(ClientError) as excinfo:
        lookup(server, world.root_a, "me-south-1")
    assert error_of(excinfo) == ("UnrecognizedClientException", 400)

    status, _ = http(server, "POST", "/_rootkeys/regions", {"enabled": ["us-east-1", "me-south-1"]})
    assert status == 200
    enabled = account.list_regions(RegionOptStatusContains=["ENABLED", "ENABLED_BY_DEFAULT"])
    assert [(r["RegionName"], r["RegionOptStatus"]) for r in enabled["Regions"]] == [
        ("me-south-1", "ENABLED"), ("us-east-1", "ENABLED_BY_DEFAULT"),
    ]
    assert lookup(server, world.root_a, "me-south-1")["Events"] == []
    with pytest.raises(ClientError) as excinfo:
        lookup(server, world.root_a, "eu-west-1")
    assert error_of(excinfo)[0] == "UnrecognizedClientException"
    assert http(server, "POST", "/_rootkeys/regions", {"enabled": "all"})[0] == 400

    # A reset brings back the default regions.
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    enabled = account.list_regions(RegionOptStatusContains=["ENABLED_BY_DEFAULT"])
    assert len(enabled["Regions"]) == 17


def test_injected_failures(server: Launcher, world: World) -> None:
    assert http(server, "POST", "/_rootkeys/fail", {
        "operation": "LookupEvents", "region": "us-east-1",
        "code": "AccessDeniedException", "message": "not authorized to LookupEvents",
    })[0] == 200
    with pytest.raises(ClientError) as excinfo:
        lookup(server, world.root_a, "us-east-1")
    assert error_of(excinfo) == ("AccessDeniedException", 400)
    assert excinfo.value.response["Error"]["Message"] == "not authorized to LookupEvents"
    assert lookup(server, world.root_a, "eu-west-1")["Events"] == []
    with pytest.raises(ClientError):
        lookup(server, world.root_a, "us-east-1")  # until cleared
    http(server, "POST", "/_rootkeys/fail",
         {"operation": "LookupEvents", "region": "us-east-1", "code": None})
    lookup(server, world.root_a, "us-east-1")

    # Twice, in every region, then it works.
    http(server, "POST", "/_rootkeys/fail", {"operation": "LookupEvents", "code": "AccessDeniedException",
                                             "times": 2})
    for region in ("eu-west-1", "us-west-2"):
        with pytest.raises(ClientError) as excinfo:
            lookup(server, world.root_a, region)
        assert error_of(excinfo) == ("AccessDeniedException", 400)
    lookup(server, world.root_a, "eu-west-1")

    # A throttle: the client's one retry meets the second failure.
    http(server, "POST", "/_rootkeys/fail", {"operation": "LookupEvents", "region": "eu-west-1",
                                             "code": "ThrottlingException", "message": "Rate exceeded",
                                             "times": 2})
    with pytest.raises(ClientError) as excinfo:
        lookup(server, world.root_a, "eu-west-1")
    assert error_of(excinfo) == ("ThrottlingException", 400)
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    lookup(server, world.root_a, "eu-west-1")

    http(server, "POST", "/_rootkeys/fail", {"operation": "ListRegions", "code": "AccessDeniedException",
                                             "status": 403, "times": 1})
    account = regional(server, "account", world.root_a, REGION)
    with pytest.raises(ClientError) as excinfo:
        account.list_regions()
    assert error_of(excinfo) == ("AccessDeniedException", 403)
    failed = lookup(server, world.auditor, attribute=("EventName", "ListRegions"))["Events"]
    assert record_of(failed[0])["errorCode"] == "AccessDeniedException"
    assert len(account.list_regions(MaxResults=50)["Regions"]) > 17

    assert http(server, "POST", "/_rootkeys/fail", {"operation": "GetUser", "code": "X"})[0] == 400
    assert http(server, "POST", "/_rootkeys/fail",
                {"operation": "LookupEvents", "code": "X", "status": 200})[0] == 400


def test_seeding_is_all_or_nothing_and_validated(server: Launcher, world: World) -> None:
    good = {"event_name": "ListUsers", "event_source": "iam.amazonaws.com",
            "access_key_id": world.root_a[0]}
    for bad in (
        {"event_source": "iam.amazonaws.com"},
        dict(good, event_time="yesterday"),
        dict(good, colour="blue"),
        dict(good, read_only="yes"),
        dict(good, resources=[{"type": "AWS::IAM::User"}]),
        "ListUsers",
    ):
        status, body = http(server, "POST", "/_rootkeys/events", [good, bad])
        assert status == 400, bad
        assert b"events[1]" in body
    assert http(server, "POST", "/_rootkeys/events", {"events": "none"})[0] == 400
    assert lookup(server, world.auditor, attribute=("AccessKeyId", world.root_a[0]))["Events"] == []
    # A bare list works as well as {"events": [...]}.
    status, body = http(server, "POST", "/_rootkeys/events", [good])
    assert status == 200 and json.loads(body)["recorded"] == 1


def test_foreign_text_is_kept_verbatim_and_listed(server: Launcher, world: World) -> None:
    agent = "evil/1.0 \x1b]0;pwned\x07\x1b[31mred"
    seed(server, [{"event_name": "ListUsers", "event_source": "iam.amazonaws.com",
                   "access_key_id": world.root_a[0], "user_agent": agent}])
    (event,) = lookup(server, world.auditor, attribute=("AccessKeyId", world.root_a[0]))["Events"]
    assert record_of(event)["userAgent"] == agent
    status, body = http(server, "GET", "/_rootkeys/events")
    assert status == 200
    listed = json.loads(body)["events"]
    assert any(r.get("userAgent") == agent for r in listed)


def test_control_requests_with_large_bodies_are_answered_and_closed(server: Launcher) -> None:
    import socket

    body = b'{"events": []}' + b" " * 300_000
    for path, status in (("/_rootkeys/nope", b"404"), ("/_rootkeys/events", b"200")):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            answer = b""
            while chunk := sock.recv(65536):  # a timeout here fails the test
                answer += chunk
        assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 " + status + (
            b" Not Found" if status == b"404" else b" OK"
        )


def test_reset_clears_the_history(server: Launcher, world: World) -> None:
    client(server, "sts", world.root_a).get_caller_identity()
    assert lookup(server, world.auditor, attribute=("AccessKeyId", world.root_a[0]))["Events"]
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    assert json.loads(http(server, "GET", "/_rootkeys/events")[1]) == {"events": []}

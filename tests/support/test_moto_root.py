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

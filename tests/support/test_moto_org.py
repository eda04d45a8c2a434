"""Tests for tests/support/moto_org.py: organizations and centralized root access
in the root-aware moto launcher.

Each test talks to a real launcher process on 127.0.0.1 through boto3.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from test_moto_root import (
    ACCOUNT,
    ADMIN,
    Launcher,
    client,
    error_of,
    http,
    start_launcher,
    stop_launcher,
)

MANAGEMENT = ACCOUNT
AUDIT = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
DELETE = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
QUARANTINE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "QuarantineRootKeys",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {
                "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"},
                "Null": {"aws:AssumedRoot": "true"},
                "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"},
            },
        }
    ],
}
DENY_ROOT_WITHOUT_EXEMPTION = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}},
        }
    ],
}
LAST_USED = {"date": "2026-11-01T08:00:00Z", "service": "s3", "region": "eu-west-1"}


@pytest.fixture(scope="module")
def server() -> Iterator[Launcher]:
    with tempfile.TemporaryDirectory() as tmp:
        launcher = start_launcher(Path(tmp))
        try:
            yield launcher
        finally:
            stop_launcher(launcher)


def control(server: Launcher, path: str, body: Any = None, method: str = "POST") -> Any:
    status, raw = http(server, method, path, body)
    assert status == 200, (path, status, raw)
    return json.loads(raw)


@dataclass
class Org:
    id: str
    root_id: str
    members: list[str]
    # Root keys (id, secret) of members[0], made by /_rootkeys/org/root_key.
    member_root: tuple[str, str]


@pytest.fixture
def org(server: Launcher) -> Org:
    """Fresh state: an organization with 3 members, every feature enabled, and
    one root key (with a known secret) in the first member."""
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    control(server, "/_rootkeys/latency", {"ms": 0})
    seeded = control(server, "/_rootkeys/org/seed", {"members": 3})
    members = [m["account_id"] for m in seeded["members"]]
    key = control(
        server, "/_rootkeys/org/root_key", {"account_id": members[0], "last_used": LAST_USED}
    )
    return Org(
        seeded["organization_id"],
        seeded["root_id"],
        members,
        (key["access_key_id"], key["secret_access_key"]),
    )


@dataclass
class Creds:
    key: str
    secret: str
    token: str | None = None


def session_client(server: Launcher, service: str, creds: Creds, url: str | None = None) -> Any:
    return boto3.client(
        service,
        endpoint_url=url or server.url,
        region_name="us-east-1",
        aws_access_key_id=creds.key,
        aws_secret_access_key=creds.secret,
        aws_session_token=creds.token,
        config=Config(retries={"max_attempts": 1}),
    )


def assume_root(
    server: Launcher,
    target: str,
    task: str = AUDIT,
    caller: tuple[str, str] = ADMIN,
    **params: Any,
) -> tuple[Creds, dict[str, Any]]:
    sts = client(server, "sts", caller)
    answer = sts.assume_root(TargetPrincipal=target, TaskPolicyArn={"arn": task}, **params)
    c = answer["Credentials"]
    return Creds(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]), answer


def refused(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call()
    code, status = error_of(excinfo)
    return code, status, excinfo.value.response["Error"].get("Message", "")


def member_iam(server: Launcher, account: str) -> Any:
    """The admin's IAM client acting inside another account (moto's header)."""
    iam = client(server, "iam", ADMIN)

    def pick_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    iam.meta.events.register("before-sign.iam.*", pick_account)
    return iam


# --------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------


def test_seed_builds_a_large_organization(server: Launcher) -> None:
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    seeded = control(
        server,
        "/_rootkeys/org/seed",
        {"members": 1000, "with_keys": 100, "keys_per_member": 2, "last_used": LAST_USED,
         "created": "2024-01-02T03:04:05Z"},
    )
    assert seeded["management_account_id"] == MANAGEMENT
    members = seeded["members"]
    assert len(members) == 1000
    assert [m["name"] for m in members[:2]] == ["member-0001", "member-0002"]
    assert all(len(m["root_key_ids"]) == 2 for m in members[:100])
    assert all(m["root_key_ids"] == [] for m in members[100:])
    ids = {m["account_id"] for m in members}
    assert len(ids) == 1000 and MANAGEMENT not in ids

    organizations = client(server, "organizations", ADMIN)
    listed = [
        a
        for page in organizations.get_paginator("list_accounts").paginate()
        for a in page["Accounts"]
    ]
    assert len(listed) == 1001
    assert {a["Id"] for a in listed} == ids | {MANAGEMENT}
    assert {a["Status"] for a in listed} == {"ACTIVE"}
    # Pages as AWS's: at most 20 accounts, in a stable order.
    first = organizations.list_accounts()
    assert len(first["Accounts"]) == 20 and first["NextToken"]
    assert [a["Id"] for a in first["Accounts"]] == [a["Id"] for a in listed[:20]]
    second = organizations.list_accounts(NextToken=first["NextToken"], MaxResults=5)
    assert [a["Id"] for a in second["Accounts"]] == [a["Id"] for a in listed[20:25]]
    assert refused(lambda: organizations.list_accounts(MaxResults=21))[0] == "InvalidInputException"
    assert refused(lambda: organizations.list_accounts(NextToken="bogus"))[0] == (
        "InvalidInputException")
    assert organizations.describe_organization()["Organization"]["FeatureSet"] == "ALL"
    services = organizations.list_aws_service_access_for_organization()
    assert [s["ServicePrincipal"] for s in services["EnabledServicePrincipals"]] == [
        "iam.amazonaws.com"
    ]
    assert client(server, "iam", ADMIN).list_organizations_features()["EnabledFeatures"] == [
        "RootCredentialsManagement",
        "RootSessions",
    ]

    # The seeded keys, seen from an Audit session in the 100th member.
    last = members[99]
    creds, _ = assume_root(server, last["account_id"])
    iam = session_client(server, "iam", creds)
    listed_keys = iam.list_access_keys()["AccessKeyMetadata"]
    assert sorted(k["AccessKeyId"] for k in listed_keys) == sorted(last["root_key_ids"])
    assert all(k["CreateDate"] == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
               for k in listed_keys)
    used = iam.get_access_key_last_used(AccessKeyId=last["root_key_ids"][0])
    assert used["AccessKeyLastUsed"]["LastUsedDate"] == datetime(2026, 11, 1, 8, tzinfo=timezone.utc)
    assert used["AccessKeyLastUsed"]["ServiceName"] == "s3"
    assert used["AccessKeyLastUsed"]["Region"] == "eu-west-1"

    # A second seed adds to the same organization and continues the names.
    more = control(server, "/_rootkeys/org/seed", {"members": 2})
    assert more["organization_id"] == seeded["organization_id"]
    assert [m["name"] for m in more["members"]] == ["member-1001", "member-1002"]


def test_seed_validates_its_body(server: Launcher) -> None:
    for bad in (
        {},
        {"members": -1},
        {"members": 2, "with_keys": 3},
        {"members": 2, "keys_per_member": 3},
        {"members": 2, "features": "yes"},
        {"members": 2, "colour": "blue"},
        {"members": 2, "last_used": {"date": "2026-11-01T00:00:00Z"}},
        [],
    ):
        assert http(server, "POST", "/_rootkeys/org/seed", bad)[0] == 400, bad


def test_seed_without_features(server: Launcher) -> None:
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    seeded = control(server, "/_rootkeys/org/seed", {"members": 1, "features": False})
    code, status, message = refused(
        lambda: assume_root(server, seeded["members"][0]["account_id"])
    )
    assert (code, status) == ("AccessDenied", 403)
    assert "trusted access" in message
    code, _, _ = refused(lambda: client(server, "iam", ADMIN).list_organizations_features())
    assert code == "ServiceAccessNotEnabledException"


# --------------------------------------------------------------------------
# AssumeRoot
# --------------------------------------------------------------------------


def test_assume_root_returns_short_lived_member_root_credentials(
    server: Launcher, org: Org
) -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    creds, answer = assume_root(server, org.members[0])
    assert creds.key.startswith("ASIA") and len(creds.key) == 20
    assert len(creds.secret) == 40 and creds.token
    assert "SourceIdentity" not in answer
    expiration = answer["Credentials"]["Expiration"]
    assert before + timedelta(seconds=899) <= expiration <= datetime.now(timezone.utc) + timedelta(seconds=901)

    identity = session_client(server, "sts", creds).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{org.members[0]}:root"
    assert identity["Account"] == org.members[0]
    assert identity["UserId"] == org.members[0]

    _, short = assume_root(server, org.members[1], DurationSeconds=60)
    assert short["Credentials"]["Expiration"] <= datetime.now(timezone.utc) + timedelta(seconds=61)

    # The target may be given as the member root's ARN.
    creds, _ = assume_root(server, f"arn:aws:iam::{org.members[2]}:root")
    assert session_client(server, "sts", creds).get_caller_identity()["Account"] == org.members[2]


def test_assume_root_validates_duration_and_task_policy(server: Launcher, org: Org) -> None:
    code, status, message = refused(
        lambda: assume_root(server, org.members[0], DurationSeconds=901)
    )
    assert (code, status) == ("ValidationError", 400)
    assert "less than or equal to 900" in message
    assume_root(server, org.members[0], DurationSeconds=900)
    for task in ("arn:aws:iam::aws:policy/AdministratorAccess",
                 "arn:aws:iam::aws:policy/root-task/IAMFullAccess"):
        assert refused(lambda: assume_root(server, org.members[0], task))[0] == "ValidationError"
    for task in ("IAMCreateRootUserPassword", "IAMUnlockRootUserPolicy",
                 "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy", "IAMDeleteRootUserCredentials"):
        assume_root(server, org.members[0], "arn:aws:iam::aws:policy/root-task/" + task)
    assert refused(lambda: assume_root(server, "not-an-account-id"))[0] == "ValidationError"


def test_assume_root_callers(server: Launcher, org: Org) -> None:
    # The management account's root may not call it.
    iam = client(server, "iam", ADMIN)
    iam.create_user(UserName="root-standin")
    key = iam.create_access_key(UserName="root-standin")["AccessKey"]
    code, status, message = refused(
        lambda: assume_root(server, org.members[1], caller=(key["AccessKeyId"], key["SecretAccessKey"]))
    )
    assert (code, status) == ("AccessDenied", 403)
    assert "root user cannot call AssumeRoot" in message

    # Nor a member root, nor a root session.
    assert refused(lambda: assume_root(server, org.members[1], caller=org.member_root))[0] == "AccessDenied"
    session, _ = assume_root(server, org.members[0])
    assert refused(
        lambda: session_client(server, "sts", session).assume_root(
            TargetPrincipal=org.members[1], TaskPolicyArn={"arn": AUDIT})
    )[0] == "AccessDenied"

    # An IAM user of a member that is not the delegated administrator.
    other = member_iam(server, org.members[2])
    other.create_user(UserName="ops")
    ops = other.create_access_key(UserName="ops")["AccessKey"]
    ops_creds = (ops["AccessKeyId"], ops["SecretAccessKey"])
    code, _, message = refused(lambda: assume_root(server, org.members[1], caller=ops_creds))
    assert code == "AccessDenied"
    assert "neither the management account nor the delegated administrator" in message

    # The delegated administrator for IAM.
    admin = control(server, "/_rootkeys/org/delegated_admin", {"account_id": org.members[2]})
    delegated = (admin["access_key_id"], admin["secret_access_key"])
    creds, _ = assume_root(server, org.members[1], caller=delegated)
    assert session_client(server, "sts", creds).get_caller_identity()["Account"] == org.members[1]
    organizations = client(server, "organizations", ADMIN)
    admins = organizations.list_delegated_administrators(ServicePrincipal="iam.amazonaws.com")
    assert [a["Id"] for a in admins["DelegatedAdministrators"]] == [org.members[2]]


def test_assume_root_targets(server: Launcher, org: Org) -> None:
    code, _, message = refused(lambda: assume_root(server, MANAGEMENT))
    assert code == "AccessDenied" and "management account cannot be targeted" in message
    code, _, message = refused(lambda: assume_root(server, "999999999999"))
    assert code == "AccessDenied" and "not a member" in message

    client(server, "organizations", ADMIN).close_account(AccountId=org.members[1])
    code, _, message = refused(lambda: assume_root(server, org.members[1]))
    assert code == "AccessDenied" and "SUSPENDED" in message
    control(server, "/_rootkeys/org/suspend", {"account_id": org.members[2]})
    assert refused(lambda: assume_root(server, org.members[2]))[0] == "AccessDenied"
    for path in ("/_rootkeys/org/suspend", "/_rootkeys/org/delegated_admin"):
        assert http(server, "POST", path, {"account_id": MANAGEMENT})[0] == 400
        assert http(server, "POST", path, {"account_id": "999999999999"})[0] == 404
        assert http(server, "POST", path, {"account_id": "12"})[0] == 400
    assume_root(server, org.members[0])


def test_assume_root_needs_every_prerequisite(server: Launcher, org: Org) -> None:
    control(server, "/_rootkeys/org/features", {"RootCredentialsManagement": False})
    code, status, message = refused(lambda: assume_root(server, org.members[0]))
    assert (code, status) == ("AccessDenied", 403)
    assert "RootCredentialsManagement" in message
    # S3/SQS unlock sessions need RootSessions, which is still on.
    assume_root(server, org.members[0], "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy")

    iam = client(server, "iam", ADMIN)
    iam.enable_organizations_root_credentials_management()
    assume_root(server, org.members[0])
    iam.disable_organizations_root_sessions()
    code, _, message = refused(lambda: assume_root(
        server, org.members[0], "arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy"))
    assert code == "AccessDenied" and "RootSessions" in message

    organizations = client(server, "organizations", ADMIN)
    organizations.disable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    code, _, message = refused(lambda: assume_root(server, org.members[0]))
    assert code == "AccessDenied" and "trusted access" in message
    organizations.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    assume_root(server, org.members[0])


def test_assume_root_without_organization_or_all_features(server: Launcher) -> None:
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    code, _, message = refused(lambda: assume_root(server, "111111111111"))
    assert code == "AccessDenied" and "in no organization" in message

    organizations = client(server, "organizations", ADMIN)
    organizations.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    member = organizations.create_account(Email="m@example.com", AccountName="m")
    member_id = member["CreateAccountStatus"]["AccountId"]
    code, _, message = refused(lambda: assume_root(server, member_id))
    assert code == "AccessDenied" and "all features" in message
    code, _, _ = refused(lambda: client(server, "iam", ADMIN).list_organizations_features())
    assert code == "OrganizationNotInAllFeaturesModeException"


def test_sessions_endpoint_lists_issued_sessions_without_secrets(
    server: Launcher, org: Org
) -> None:
    assert control(server, "/_rootkeys/org/sessions", method="GET") == []
    before = datetime.now(timezone.utc).replace(microsecond=0)
    first, first_answer = assume_root(server, org.members[0])
    admin = control(server, "/_rootkeys/org/delegated_admin", {"account_id": org.members[2]})
    delegated = (admin["access_key_id"], admin["secret_access_key"])
    second, second_answer = assume_root(
        server, org.members[1], DELETE, caller=delegated, DurationSeconds=60)
    # Refused requests open no session.
    refused(lambda: assume_root(server, org.members[0], DurationSeconds=901))
    refused(lambda: assume_root(server, MANAGEMENT))
    after = datetime.now(timezone.utc)

    status, raw = http(server, "GET", "/_rootkeys/org/sessions")
    assert status == 200
    for secret in (first.secret, first.token, second.secret, second.token):
        assert secret.encode() not in raw
    sessions = json.loads(raw)
    assert [s["account_id"] for s in sessions] == [org.members[0], org.members[1]]
    fields = {"access_key_id", "account_id", "task_policy_arn", "duration_seconds", "issued",
              "expiration", "request_id", "caller_arn"}
    assert all(set(s) == fields for s in sessions)
    one, two = sessions
    assert (one["access_key_id"], two["access_key_id"]) == (first.key, second.key)
    assert (one["task_policy_arn"], two["task_policy_arn"]) == (AUDIT, DELETE)
    assert (one["duration_seconds"], two["duration_seconds"]) == (900, 60)
    assert one["caller_arn"] == f"arn:aws:iam::{MANAGEMENT}:user/moto"
    assert two["caller_arn"] == f"arn:aws:iam::{org.members[2]}:user/iam-admin"
    for entry, answer in ((one, first_answer), (two, second_answer)):
        issued = datetime.fromisoformat(entry["issued"])
        expiration = datetime.fromisoformat(entry["expiration"])
        assert before <= issued <= after
        assert expiration == answer["Credentials"]["Expiration"]
        assert (expiration - issued).total_seconds() == entry["duration_seconds"]
        assert entry["request_id"] == answer["ResponseMetadata"]["RequestId"]

    # The request id is the one CloudTrail recorded for the AssumeRoot call.
    events = control(server, "/_rootkeys/events", method="GET")["events"]
    recorded = {e["requestID"] for e in events if e["eventName"] == "AssumeRoot"
                and "errorCode" not in e}
    assert recorded == {one["request_id"], two["request_id"]}

    # Expired sessions stay listed; a reset forgets them.
    control(server, "/_rootkeys/org/expire", {})
    assert len(control(server, "/_rootkeys/org/sessions", method="GET")) == 2
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    assert control(server, "/_rootkeys/org/sessions", method="GET") == []


def test_global_endpoint_refuses_assume_root(server: Launcher, org: Org) -> None:
    for path in ("/_global/", "/_global"):
        sts = session_client(server, "sts", Creds(*ADMIN), url=server.url + path)
        code, status, message = refused(
            lambda: sts.assume_root(TargetPrincipal=org.members[0], TaskPolicyArn={"arn": AUDIT})
        )
        assert (code, status) == ("InvalidAction", 400)
        assert "Regional" in message
        # Everything else works on the global endpoint.
        assert sts.get_caller_identity()["Account"] == MANAGEMENT
    creds, _ = assume_root(server, org.members[0])
    identity = session_client(server, "sts", creds, url=server.url + "/_global/").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{org.members[0]}:root"


# --------------------------------------------------------------------------
# The session
# --------------------------------------------------------------------------


def test_audit_session_reads_the_member_root_only(server: Launcher, org: Org) -> None:
    second = control(server, "/_rootkeys/org/root_key", {"account_id": org.members[0],
                                                          "status": "Inactive"})
    # A key of another member, and an IAM user's key in the same member.
    other = control(server, "/_rootkeys/org/root_key", {"account_id": org.members[1]})
    users = member_iam(server, org.members[0])
    users.create_user(UserName="app")
    app_key = users.create_access_key(UserName="app")["AccessKey"]["AccessKeyId"]

    creds, _ = assume_root(server, org.members[0])
    iam = session_client(server, "iam", creds)
    listed = iam.list_access_keys()["AccessKeyMetadata"]
    assert {k["AccessKeyId"]: k["Status"] for k in listed} == {
        org.member_root[0]: "Active",
        second["access_key_id"]: "Inactive",
    }
    used = iam.get_access_key_last_used(AccessKeyId=org.member_root[0])["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("s3", "eu-west-1")
    never = iam.get_access_key_last_used(AccessKeyId=second["access_key_id"])["AccessKeyLastUsed"]
    assert "LastUsedDate" not in never and never["ServiceName"] == "N/A"
    assert refused(lambda: iam.get_access_key_last_used(
        AccessKeyId=other["access_key_id"]))[0] == "AccessDenied"
    assert iam.get_access_key_last_used(AccessKeyId=app_key)["UserName"] == "app"

    user = iam.get_user()["User"]
    assert user["Arn"] == f"arn:aws:iam::{org.members[0]}:root"
    assert user["UserId"] == org.members[0]
    assert refused(iam.get_login_profile)[:2] == ("NoSuchEntity", 404)
    assert iam.list_mfa_devices()["MFADevices"] == []
    assert iam.list_signing_certificates()["Certificates"] == []


def test_audit_session_is_limited_to_its_task_policy(server: Launcher, org: Org) -> None:
    creds, _ = assume_root(server, org.members[0])
    iam = session_client(server, "iam", creds)
    key = org.member_root[0]
    for name, call in (
        ("iam:GetAccountSummary", iam.get_account_summary),
        ("iam:UpdateAccessKey", lambda: iam.update_access_key(AccessKeyId=key, Status="Inactive")),
        ("iam:DeleteAccessKey", lambda: iam.delete_access_key(AccessKeyId=key)),
        ("iam:GenerateCredentialReport", iam.generate_credential_report),
        ("iam:GetCredentialReport", iam.get_credential_report),
        ("iam:ListUsers", iam.list_users),
        ("iam:CreateAccessKey", iam.create_access_key),
    ):
        code, status, message = refused(call)
        assert (code, status) == ("AccessDenied", 403), name
        assert f"not authorized to perform: {name}" in message
        assert "no session policy allows" in message
    for call in (
        lambda: iam.list_access_keys(UserName="root-standin"),
        lambda: iam.get_user(UserName="app"),
    ):
        code, _, message = refused(call)
        assert code == "AccessDenied" and "omit UserName" in message
    # JSON-protocol services answer AccessDeniedException.
    trail = session_client(server, "cloudtrail", creds)
    assert refused(trail.lookup_events)[:2] == ("AccessDeniedException", 400)
    organizations = session_client(server, "organizations", creds)
    assert refused(organizations.list_accounts)[0] == "AccessDeniedException"
    # Nothing changed.
    assert [k["Status"] for k in iam.list_access_keys()["AccessKeyMetadata"]] == ["Active"]


def test_delete_session_deletes_but_cannot_deactivate(server: Launcher, org: Org) -> None:
    creds, _ = assume_root(server, org.members[0], DELETE)
    iam = session_client(server, "iam", creds)
    key = org.member_root[0]
    assert refused(lambda: iam.update_access_key(AccessKeyId=key, Status="Inactive"))[0] == "AccessDenied"
    assert refused(iam.get_account_summary)[0] == "AccessDenied"
    assert refused(lambda: iam.delete_access_key(AccessKeyId=key, UserName="root-standin"))[0] == "AccessDenied"
    other = control(server, "/_rootkeys/org/root_key", {"account_id": org.members[1]})
    assert refused(lambda: iam.delete_access_key(AccessKeyId=other["access_key_id"]))[:2] == (
        "NoSuchEntity", 404)

    iam.delete_access_key(AccessKeyId=key)
    assert iam.list_access_keys()["AccessKeyMetadata"] == []
    assert refused(lambda: iam.delete_access_key(AccessKeyId=key))[0] == "NoSuchEntity"
    # The deleted key can no longer sign.
    assert refused(lambda: client(server, "sts", org.member_root).get_caller_identity())[0] == (
        "InvalidClientTokenId")
    # A fresh audit session sees no key; the other member's key is untouched.
    audit, _ = assume_root(server, org.members[0])
    assert session_client(server, "iam", audit).list_access_keys()["AccessKeyMetadata"] == []
    other_audit, _ = assume_root(server, org.members[1])
    listed = session_client(server, "iam", other_audit).list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [other["access_key_id"]]


def test_task_policy_override(server: Launcher, org: Org) -> None:
    creds, _ = assume_root(server, org.members[0])
    iam = session_client(server, "iam", creds)
    assert refused(iam.get_account_summary)[0] == "AccessDenied"
    control(server, "/_rootkeys/org/task_policy", {
        "name": "IAMAuditRootUserCredentials",
        "actions": ["iam:ListAccessKeys", "iam:GetAccountSummary"]})
    assert iam.get_account_summary()["SummaryMap"]["AccountAccessKeysPresent"] == 1
    assert refused(iam.get_user)[0] == "AccessDenied"
    control(server, "/_rootkeys/org/task_policy", {"name": "IAMAuditRootUserCredentials",
                                                     "actions": None})
    assert refused(iam.get_account_summary)[0] == "AccessDenied"
    iam.get_user()
    assert http(server, "POST", "/_rootkeys/org/task_policy", {"name": "Nope", "actions": []})[0] == 400


def test_expired_and_forged_sessions(server: Launcher, org: Org) -> None:
    creds, _ = assume_root(server, org.members[0])
    iam = session_client(server, "iam", creds)
    iam.list_access_keys()
    forged = Creds(creds.key, creds.secret, creds.token[:-4] + "AAAA")
    assert refused(lambda: session_client(server, "iam", forged).list_access_keys())[:2] == (
        "InvalidClientTokenId", 403)
    assert refused(lambda: session_client(
        server, "iam", Creds(creds.key, creds.secret)).list_access_keys())[0] == "InvalidClientTokenId"

    assert control(server, "/_rootkeys/org/expire", {"access_key_id": creds.key}) == {"expired": 1}
    code, status, message = refused(iam.list_access_keys)
    assert (code, status) == ("ExpiredToken", 403)
    assert "expired" in message
    assert refused(lambda: session_client(server, "sts", creds).get_caller_identity())[0] == "ExpiredToken"
    assert http(server, "POST", "/_rootkeys/org/expire", {"access_key_id": "ASIANOSUCHSESSION000"})[0] == 404

    # By the server's clock too.
    short, _ = assume_root(server, org.members[0], DurationSeconds=1)
    time.sleep(1.2)
    assert refused(lambda: session_client(server, "iam", short).list_access_keys())[0] == "ExpiredToken"


def test_session_calls_are_recorded_in_cloudtrail(server: Launcher, org: Org) -> None:
    creds, _ = assume_root(server, org.members[0], DELETE)
    session_client(server, "iam", creds).delete_access_key(AccessKeyId=org.member_root[0])
    events = json.loads(http(server, "GET", "/_rootkeys/events")[1])["events"]
    deleted = next(e for e in events if e["eventName"] == "DeleteAccessKey")
    assert deleted["recipientAccountId"] == org.members[0]
    assert deleted["userIdentity"]["type"] == "Root"
    assert deleted["userIdentity"]["accessKeyId"] == creds.key
    assumed = next(e for e in events if e["eventName"] == "AssumeRoot")
    assert assumed["recipientAccountId"] == MANAGEMENT
    assert assumed["eventSource"] == "sts.amazonaws.com"
    assert "errorCode" not in assumed


# --------------------------------------------------------------------------
# IAM organization features
# --------------------------------------------------------------------------


def test_organization_features_api(server: Launcher, org: Org) -> None:
    iam = client(server, "iam", ADMIN)
    features = iam.list_organizations_features()
    assert features["OrganizationId"] == org.id
    assert features["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    answer = iam.disable_organizations_root_credentials_management()
    assert answer["EnabledFeatures"] == ["RootSessions"]
    assert iam.disable_organizations_root_sessions()["EnabledFeatures"] == []
    assert iam.disable_organizations_root_sessions()["EnabledFeatures"] == []
    assert iam.enable_organizations_root_sessions()["EnabledFeatures"] == ["RootSessions"]
    assert iam.list_organizations_features()["EnabledFeatures"] == ["RootSessions"]

    # A member that is not the delegated administrator.
    ops = member_iam(server, org.members[1])
    ops.create_user(UserName="ops")
    key = ops.create_access_key(UserName="ops")["AccessKey"]
    member = client(server, "iam", (key["AccessKeyId"], key["SecretAccessKey"]))
    assert refused(member.list_organizations_features)[:2] == (
        "AccountNotManagementOrDelegatedAdministratorException", 400)
    assert refused(member.disable_organizations_root_sessions)[0] == (
        "AccountNotManagementOrDelegatedAdministratorException")

    # The delegated administrator lists and disables, but cannot enable.
    admin = control(server, "/_rootkeys/org/delegated_admin", {"account_id": org.members[2]})
    delegated = client(server, "iam", (admin["access_key_id"], admin["secret_access_key"]))
    assert delegated.list_organizations_features()["OrganizationId"] == org.id
    assert refused(delegated.enable_organizations_root_credentials_management)[0] == (
        "CallerIsNotManagementAccountException")
    assert refused(delegated.enable_organizations_root_sessions)[0] == (
        "CallerIsNotManagementAccountException")
    assert delegated.disable_organizations_root_sessions()["EnabledFeatures"] == []

    client(server, "organizations", ADMIN).disable_aws_service_access(
        ServicePrincipal="iam.amazonaws.com")
    assert refused(iam.enable_organizations_root_credentials_management)[0] == (
        "ServiceAccessNotEnabledException")
    assert refused(iam.list_organizations_features)[0] == "ServiceAccessNotEnabledException"


def test_organization_features_without_organization(server: Launcher) -> None:
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    iam = client(server, "iam", ADMIN)
    assert refused(iam.list_organizations_features)[:2] == ("OrganizationNotFoundException", 400)
    assert refused(iam.disable_organizations_root_credentials_management)[0] == (
        "OrganizationNotFoundException")
    assert http(server, "POST", "/_rootkeys/org/features", {"RootSessions": True})[0] == 409


# --------------------------------------------------------------------------
# The organization as the delegated administrator sees it
# --------------------------------------------------------------------------


def all_accounts(organizations: Any, **params: Any) -> list[dict[str, Any]]:
    return [
        a
        for page in organizations.get_paginator("list_accounts").paginate(**params)
        for a in page["Accounts"]
    ]


def test_delegated_administrator_sees_the_whole_organization(
    server: Launcher, org: Org
) -> None:
    management = client(server, "organizations", ADMIN)
    expected = all_accounts(management)
    assert [a["Id"] for a in expected] == [MANAGEMENT, *org.members]

    admin = control(server, "/_rootkeys/org/delegated_admin", {"account_id": org.members[2]})
    delegated_creds = (admin["access_key_id"], admin["secret_access_key"])
    delegated = client(server, "organizations", delegated_creds)
    # Every account, the management account included, as the management
    # account lists them; paged the same way.
    assert all_accounts(delegated) == expected
    assert all_accounts(delegated, PaginationConfig={"PageSize": 2}) == expected
    first = delegated.list_accounts(MaxResults=2)
    assert [a["Id"] for a in first["Accounts"]] == [MANAGEMENT, org.members[0]]
    assert first["NextToken"]
    assert refused(lambda: delegated.list_accounts(MaxResults=21))[0] == "InvalidInputException"
    assert delegated.describe_organization()["Organization"] == (
        management.describe_organization()["Organization"])

    # The delegated administrator's other calls of an organization audit.
    features = client(server, "iam", delegated_creds).list_organizations_features()
    assert features["OrganizationId"] == org.id
    creds, _ = assume_root(server, org.members[0], caller=delegated_creds)
    assert session_client(server, "sts", creds).get_caller_identity()["Account"] == org.members[0]


def test_list_accounts_refuses_members_that_are_not_delegated_administrators(
    server: Launcher, org: Org
) -> None:
    ops = member_iam(server, org.members[1])
    ops.create_user(UserName="ops")
    key = ops.create_access_key(UserName="ops")["AccessKey"]
    member = client(server, "organizations", (key["AccessKeyId"], key["SecretAccessKey"]))
    code, status, message = refused(member.list_accounts)
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == "You don't have permissions to access this resource."
    # Any account of the organization may describe it (as on AWS).
    assert member.describe_organization()["Organization"]["Id"] == org.id
    # A member root's own key is refused too.
    root = client(server, "organizations", org.member_root)
    assert refused(root.list_accounts)[0] == "AccessDeniedException"

    # A delegated administrator for another service may list (as on AWS).
    management = client(server, "organizations", ADMIN)
    management.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    management.register_delegated_administrator(
        AccountId=org.members[1], ServicePrincipal="guardduty.amazonaws.com")
    assert [a["Id"] for a in all_accounts(member)] == [MANAGEMENT, *org.members]


def test_list_accounts_outside_any_organization(server: Launcher) -> None:
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    organizations = client(server, "organizations", ADMIN)
    assert refused(organizations.list_accounts)[0] == "AWSOrganizationsNotInUseException"


# --------------------------------------------------------------------------
# Service control policies
# --------------------------------------------------------------------------


def attach(server: Launcher, target: str, document: dict[str, Any]) -> str:
    organizations = client(server, "organizations", ADMIN)
    policy = organizations.create_policy(
        Content=json.dumps(document), Description="test", Name=f"p{time.monotonic_ns()}",
        Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]
    organizations.attach_policy(PolicyId=policy, TargetId=target)
    return policy


def test_quarantine_scp_denies_long_term_root_keys_not_root_sessions(
    server: Launcher, org: Org
) -> None:
    member = org.members[0]
    root = client(server, "iam", org.member_root)
    assert len(root.list_access_keys()["AccessKeyMetadata"]) == 1  # works before

    policy = attach(server, member, QUARANTINE)
    code, status, message = refused(root.list_access_keys)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: arn:aws:iam::{member}:root is not authorized to perform: iam:ListAccessKeys "
        f"on resource: arn:aws:iam::{member}:root with an explicit deny in a service control "
        "policy"
    )
    # Other services and protocols too; GetCallerIdentity never.
    assert refused(lambda: client(server, "s3", org.member_root).list_buckets())[0] == "AccessDenied"
    assert refused(lambda: client(server, "cloudtrail", org.member_root).lookup_events())[0] == (
        "AccessDeniedException")
    assert client(server, "sts", org.member_root).get_caller_identity()["Account"] == member
    # The denied call is in the member's event history with its error.
    events = json.loads(http(server, "GET", "/_rootkeys/events")[1])["events"]
    denied = next(e for e in events if e["eventName"] == "ListAccessKeys")
    assert denied["errorCode"] == "AccessDenied"

    # An AssumeRoot session is exempt (aws:AssumedRoot is present).
    creds, _ = assume_root(server, member, DELETE)
    session = session_client(server, "iam", creds)
    assert [k["AccessKeyId"] for k in session.list_access_keys()["AccessKeyMetadata"]] == [
        org.member_root[0]]

    # Other accounts, and IAM users of the member, are not affected.
    other = control(server, "/_rootkeys/org/root_key", {"account_id": org.members[1]})
    client(server, "iam", (other["access_key_id"], other["secret_access_key"])).list_access_keys()
    users = member_iam(server, member)
    users.create_user(UserName="app")
    app = users.create_access_key(UserName="app")["AccessKey"]
    client(server, "iam", (app["AccessKeyId"], app["SecretAccessKey"])).list_access_keys()

    # Temporary root credentials from a console sign-in with MFA (CloudShell)
    # are not quarantined either.
    users.create_user(UserName="root-session")
    console = users.create_access_key(UserName="root-session")["AccessKey"]
    console_iam = client(server, "iam", (console["AccessKeyId"], console["SecretAccessKey"]))
    assert [k["AccessKeyId"] for k in console_iam.list_access_keys()["AccessKeyMetadata"]] == [
        org.member_root[0]]

    # Release: detach, and the key works again.
    client(server, "organizations", ADMIN).detach_policy(PolicyId=policy, TargetId=member)
    assert len(root.list_access_keys()["AccessKeyMetadata"]) == 1


def test_scp_without_assumed_root_exemption_denies_the_session(
    server: Launcher, org: Org
) -> None:
    member = org.members[0]
    creds, _ = assume_root(server, member)
    iam = session_client(server, "iam", creds)
    iam.list_access_keys()
    attach(server, member, DENY_ROOT_WITHOUT_EXEMPTION)
    code, status, message = refused(iam.list_access_keys)
    assert (code, status) == ("AccessDenied", 403)
    assert "with an explicit deny in a service control policy" in message
    assert session_client(server, "sts", creds).get_caller_identity()["Account"] == member


def test_scp_on_the_root_or_an_ou_applies_to_members_not_the_management_account(
    server: Launcher, org: Org
) -> None:
    organizations = client(server, "organizations", ADMIN)
    management_root = client(server, "iam", ADMIN)
    management_root.create_user(UserName="root-standin")
    key = management_root.create_access_key(UserName="root-standin")["AccessKey"]
    management = client(server, "iam", (key["AccessKeyId"], key["SecretAccessKey"]))

    root_policy = attach(server, org.root_id, QUARANTINE)
    assert refused(lambda: client(server, "iam", org.member_root).list_access_keys())[0] == "AccessDenied"
    management.list_access_keys()  # SCPs never apply to the management account
    organizations.detach_policy(PolicyId=root_policy, TargetId=org.root_id)
    client(server, "iam", org.member_root).list_access_keys()

    ou = organizations.create_organizational_unit(ParentId=org.root_id, Name="quarantine")
    ou_id = ou["OrganizationalUnit"]["Id"]
    organizations.move_account(AccountId=org.members[0], SourceParentId=org.root_id,
                               DestinationParentId=ou_id)
    attach(server, ou_id, QUARANTINE)
    assert refused(lambda: client(server, "iam", org.member_root).list_access_keys())[0] == "AccessDenied"


def test_scp_allow_lists_and_actions(server: Launcher, org: Org) -> None:
    organizations = client(server, "organizations", ADMIN)
    member = org.members[0]
    root = client(server, "iam", org.member_root)
    # Replace FullAWSAccess on the account by an allow list: IAM reads only.
    attach(server, member, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:List*", "iam:Get*"], "Resource": "*"}]})
    organizations.detach_policy(PolicyId="p-FullAWSAccess", TargetId=member)
    root.list_access_keys()
    code, _, message = refused(lambda: root.update_access_key(
        AccessKeyId=org.member_root[0], Status="Inactive"))
    assert code == "AccessDenied"
    assert "because no service control policy allows the iam:UpdateAccessKey action" in message
    # A Deny naming one action.
    attach(server, member, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "iam:ListAccessKeys", "Resource": "*"}]})
    assert refused(root.list_access_keys)[0] == "AccessDenied"
    root.get_account_summary()


def test_scp_needs_the_policy_type_enabled(server: Launcher) -> None:
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    seeded = control(server, "/_rootkeys/org/seed", {"members": 1, "scp": False})
    member = seeded["members"][0]["account_id"]
    organizations = client(server, "organizations", ADMIN)
    policy = organizations.create_policy(
        Content=json.dumps(QUARANTINE), Description="q", Name="q",
        Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]
    assert refused(lambda: organizations.attach_policy(PolicyId=policy, TargetId=member))[0] == (
        "PolicyTypeNotEnabledException")
    assert http(server, "POST", "/_rootkeys/org/scp", {"target": member, "content": QUARANTINE})[0] == 409
    organizations.enable_policy_type(RootId=seeded["root_id"], PolicyType="SERVICE_CONTROL_POLICY")
    organizations.attach_policy(PolicyId=policy, TargetId=member)


def test_scp_control_shortcut(server: Launcher, org: Org) -> None:
    member = org.members[0]
    attached = control(server, "/_rootkeys/org/scp", {"target": member, "content": QUARANTINE,
                                                       "name": "quarantine"})
    assert refused(lambda: client(server, "iam", org.member_root).list_access_keys())[0] == "AccessDenied"
    targets = client(server, "organizations", ADMIN).list_targets_for_policy(
        PolicyId=attached["policy_id"])["Targets"]
    assert [t["TargetId"] for t in targets] == [member]
    control(server, "/_rootkeys/org/scp_detach", {"policy_id": attached["policy_id"],
                                                   "target": member})
    client(server, "iam", org.member_root).list_access_keys()
    assert http(server, "POST", "/_rootkeys/org/scp", {"target": member, "content": "{nope"})[0] == 400


def test_member_root_key_endpoint(server: Launcher, org: Org) -> None:
    identity = client(server, "sts", org.member_root).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{org.members[0]}:root"
    created = control(server, "/_rootkeys/org/root_key", {
        "account_id": org.members[1], "status": "Inactive", "created": "2020-05-06T07:08:09Z"})
    assert created["access_key_id"].startswith("AKIA") and len(created["secret_access_key"]) == 40
    creds, _ = assume_root(server, org.members[1])
    (listed,) = session_client(server, "iam", creds).list_access_keys()["AccessKeyMetadata"]
    assert listed["Status"] == "Inactive"
    assert listed["CreateDate"] == datetime(2020, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    for bad in ({"account_id": "123"}, {"account_id": org.members[1], "status": "Gone"}):
        assert http(server, "POST", "/_rootkeys/org/root_key", bad)[0] == 400


# --------------------------------------------------------------------------
# Latency and parallelism
# --------------------------------------------------------------------------


def test_latency_applies_to_each_request_and_requests_run_in_parallel(
    server: Launcher, org: Org
) -> None:
    assert control(server, "/_rootkeys/latency", {"ms": 400}) == {"ms": 400}
    sts = client(server, "sts", ADMIN)
    started = time.monotonic()
    sts.get_caller_identity()
    assert time.monotonic() - started >= 0.4

    def call() -> None:
        client(server, "sts", ADMIN).get_caller_identity()

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answer = control(server, "/_rootkeys/latency", method="GET")
    assert answer["ms"] == 400
    # All eight were being answered at once (each sleeps 400 ms in the server).
    assert answer["max_in_flight"] >= 8
    # Control endpoints are never delayed: this one answers while requests sleep.
    assert control(server, "/_rootkeys/latency", {"ms": 0}) == {"ms": 0}
    for bad in ({"ms": -1}, {"ms": "50"}, {}):
        assert http(server, "POST", "/_rootkeys/latency", bad)[0] == 400


def test_request_counts_per_operation(server: Launcher, org: Org) -> None:
    # The fixture used only control endpoints: nothing is counted yet.
    assert control(server, "/_rootkeys/requests", method="GET") == {}
    sts = client(server, "sts", ADMIN)
    sts.get_caller_identity()
    sts.get_caller_identity()

    # Requests answered in parallel are each counted.
    def calls() -> None:
        for _ in range(5):
            client(server, "sts", ADMIN).get_caller_identity()

    threads = [threading.Thread(target=calls) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    creds, _ = assume_root(server, org.members[0])
    refused(lambda: assume_root(server, org.members[0], DurationSeconds=901))
    iam = session_client(server, "iam", creds)
    for _ in range(3):
        iam.list_access_keys()
    refused(iam.get_account_summary)  # refused by the task policy: still served
    client(server, "organizations", ADMIN).list_accounts()  # JSON protocol
    client(server, "s3", ADMIN).list_buckets()  # REST: named once moto routes it
    client(server, "iam", ADMIN).list_organizations_features()
    # A key the server rejects before any service sees it.
    admin_iam = client(server, "iam", ADMIN)
    admin_iam.create_user(UserName="gone")
    gone = admin_iam.create_access_key(UserName="gone")["AccessKey"]
    admin_iam.delete_access_key(UserName="gone", AccessKeyId=gone["AccessKeyId"])
    refused(client(server, "iam", (gone["AccessKeyId"], gone["SecretAccessKey"])).list_users)
    # Control endpoints are not counted.
    control(server, "/_rootkeys/org/sessions", method="GET")

    assert control(server, "/_rootkeys/requests", method="GET") == {
        "AssumeRoot": 2,
        "CreateAccessKey": 1,
        "CreateUser": 1,
        "DeleteAccessKey": 1,
        "GetAccountSummary": 1,
        "GetCallerIdentity": 42,
        "ListAccessKeys": 3,
        "ListAccounts": 1,
        "ListBuckets": 1,
        "ListOrganizationsFeatures": 1,
        "ListUsers": 1,
    }
    # The server reset starts the count again.
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    assert control(server, "/_rootkeys/requests", method="GET") == {}


def test_latency_from_the_environment(tmp_path: Path) -> None:
    os.environ["ROOTKEYS_MOTO_LATENCY_MS"] = "75"
    try:
        launcher = start_launcher(tmp_path)
    finally:
        del os.environ["ROOTKEYS_MOTO_LATENCY_MS"]
    try:
        assert control(launcher, "/_rootkeys/latency", method="GET")["ms"] == 75
        started = time.monotonic()
        client(launcher, "sts", ADMIN).get_caller_identity()
        assert time.monotonic() - started >= 0.075
    finally:
        assert stop_launcher(launcher) == 0


def test_bad_latency_in_the_environment_stops_the_launcher(tmp_path: Path) -> None:
    env = dict(os.environ, ROOTKEYS_MOTO_LATENCY_MS="fast")
    launcher = Path(__file__).with_name("moto_root.py")
    done = subprocess.run([sys.executable, str(launcher)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0
    assert done.stdout == ""
    assert "ROOTKEYS_MOTO_LATENCY_MS" in done.stderr


def test_reset_forgets_sessions_and_features(server: Launcher, org: Org) -> None:
    creds, _ = assume_root(server, org.members[0])
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    assert refused(lambda: client(server, "iam", ADMIN).list_organizations_features())[0] == (
        "OrganizationNotFoundException")
    # The old session key is now a key moto never issued (stock behaviour).
    identity = session_client(server, "sts", creds).get_caller_identity()
    assert identity["Account"] == MANAGEMENT and not identity["Arn"].endswith(":root")


# --------------------------------------------------------------------------
# The request handler's lean path against werkzeug's own
# --------------------------------------------------------------------------


def raw_request(
    server: Launcher, key: str, service: str, body: str, token: str | None, slow: bool
) -> tuple[int, dict[str, str], str]:
    """One signed-looking query request (the server reads the signer from the
    Authorization header); ``slow`` adds ``Expect: 100-continue``, which sends
    it down werkzeug's own request path instead of the lean one."""
    import http.client
    import re as _re

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
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        if slow:
            headers["Expect"] = "100-continue"
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        data = response.read().decode()
        answer_headers = {k.lower(): v for k, v in response.getheaders()}
        answer_headers["(received)"] = str(len(data.encode()))
    finally:
        connection.close()
    # Request ids and session secrets differ from one answer to the next.
    data = _re.sub(r"<RequestId>[^<]*</RequestId>", "<RequestId/>", data)
    return response.status, answer_headers, data


def test_lean_path_answers_as_werkzeugs_path(server: Launcher, org: Org) -> None:
    creds, _ = assume_root(server, org.members[0])
    key = org.member_root[0]
    requests = [
        (creds.key, "iam", "Action=ListAccessKeys&Version=2010-05-08", creds.token),
        (creds.key, "iam", "Action=ListMFADevices&Version=2010-05-08", creds.token),
        (creds.key, "iam", "Action=GetLoginProfile&Version=2010-05-08", creds.token),
        (creds.key, "iam",
         f"Action=GetAccessKeyLastUsed&Version=2010-05-08&AccessKeyId={key}", creds.token),
        (creds.key, "sts", "Action=GetCallerIdentity&Version=2011-06-15", creds.token),
        (creds.key, "iam", "Action=GetAccountSummary&Version=2010-05-08", creds.token),
        (creds.key, "iam", "Action=ListAccessKeys&Version=2010-05-08", "forged"),
        (ADMIN[0], "sts", "Action=AssumeRoot&Version=2011-06-15&TargetPrincipal="
         f"{MANAGEMENT}&TaskPolicyArn.arn={AUDIT}", None),
        (ADMIN[0], "iam", "Action=ListUsers&Version=2010-05-08", None),
    ]
    before = len(json.loads(http(server, "GET", "/_rootkeys/events")[1])["events"])
    seen_codes = set()
    for key_id, service, body, token in requests:
        lean = raw_request(server, key_id, service, body, token, slow=False)
        slow = raw_request(server, key_id, service, body, token, slow=True)
        assert lean[0] == slow[0], (body, lean, slow)
        assert lean[1]["content-type"] == slow[1]["content-type"], body
        assert lean[2] == slow[2], body
        assert lean[1]["connection"] == "close"
        assert lean[1]["content-length"] == lean[1]["(received)"]
        seen_codes.add(lean[0])
    assert seen_codes >= {200, 403, 404}, seen_codes
    # Both ways are recorded alike in CloudTrail, and counted.
    events = json.loads(http(server, "GET", "/_rootkeys/events")[1])["events"]
    new = events[: len(events) - before][::-1]  # oldest first
    assert len(new) == 2 * len(requests)
    for lean_event, slow_event in zip(new[0::2], new[1::2]):
        for name in ("eventName", "eventSource", "errorCode", "errorMessage",
                     "recipientAccountId", "userIdentity", "readOnly", "sourceIPAddress",
                     "userAgent"):
            assert lean_event.get(name) == slow_event.get(name), name
    counts = control(server, "/_rootkeys/requests", method="GET")
    assert counts["ListAccessKeys"] == 4 and counts["GetCallerIdentity"] == 2



def test_scp_verdicts_follow_every_change(server: Launcher, org: Org) -> None:
    """The server keeps SCP verdicts per (account, action): each change to the
    organization's policies or structure must be seen by the next request."""
    organizations = client(server, "organizations", ADMIN)
    member = org.members[0]
    creds, _ = assume_root(server, member)
    iam = session_client(server, "iam", creds)
    iam.list_access_keys()  # allowed, and its verdict remembered
    deny = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "iam:ListAccessKeys", "Resource": "*"}]}
    allow_all = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    # An OU with a denying SCP; moving the account into it denies.
    ou = organizations.create_organizational_unit(ParentId=org.root_id, Name="quarantine")
    ou_id = ou["OrganizationalUnit"]["Id"]
    policy = attach(server, ou_id, deny)
    iam.list_access_keys()  # the account is not in the OU yet
    organizations.move_account(AccountId=member, SourceParentId=org.root_id,
                               DestinationParentId=ou_id)
    assert refused(iam.list_access_keys)[0] == "AccessDenied"
    # Rewriting the policy's content allows again.
    organizations.update_policy(PolicyId=policy, Content=json.dumps(allow_all))
    iam.list_access_keys()
    organizations.update_policy(PolicyId=policy, Content=json.dumps(deny))
    assert refused(iam.list_access_keys)[0] == "AccessDenied"
    # The control shortcut's detach.
    control(server, "/_rootkeys/org/scp_detach", {"policy_id": policy, "target": ou_id})
    iam.list_access_keys()
    # And a reset forgets everything: the same member id in a new organization
    # is not denied by the old organization's policies.
    http(server, "POST", "/moto-api/reset")
    code = refused(iam.list_access_keys)[0]
    assert code != "AccessDenied"


def test_request_headers_in_unusual_forms(server: Launcher, org: Org) -> None:
    """Headers the quick header reader leaves to the email parser (a folded
    line) and ones it reads itself (no space after the colon, an empty value)
    reach the application as before."""
    import socket

    creds, _ = assume_root(server, org.members[0])
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    for auth_line in (
        f"Authorization:AWS4-HMAC-SHA256 Credential={creds.key}/20261130/us-east-1/sts/"
        "aws4_request, SignedHeaders=host, Signature=00\r\n",
        f"Authorization: AWS4-HMAC-SHA256 Credential={creds.key}/20261130/us-east-1/sts/"
        "aws4_request,\r\n SignedHeaders=host, Signature=00\r\n",
    ):
        request = (
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Empty:\r\n" + auth_line
            + f"X-Amz-Security-Token: {creds.token}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(request)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        head, _, payload = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), answer
        assert f"<Account>{org.members[0]}</Account>".encode() in payload

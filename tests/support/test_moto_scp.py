"""Tests for tests/support/moto_org.py: the quarantine and prevention SCPs
rootkeys writes, the Organizations policy operations it calls (as
aws-sdk-organizations sees them), last use of member root keys, and the
controls for Organizations permissions and task-policy denials.

Each test talks to a real launcher process on 127.0.0.1 through boto3.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import moto_org
from test_moto_org import (
    AUDIT,
    DELETE,
    LAST_USED,
    MANAGEMENT,
    Org,
    assume_root,
    control,
    member_iam,
    org,
    refused,
    server,
    session_client,
)
from test_moto_root import ADMIN, Launcher, client, http

__all__ = ["org", "server"]  # fixtures

# The policy texts of src/domain/scp.rs (QUARANTINE_POLICY, PREVENT_POLICY),
# verbatim.
QUARANTINE_POLICY = r"""{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "QuarantineRootAccessKeys",
      "Effect": "Deny",
      "Action": "*",
      "Resource": "*",
      "Condition": {
        "ArnLike": {"aws:PrincipalArn": "arn:*:iam::*:root"},
        "Null": {"aws:AssumedRoot": "true"},
        "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}
      }
    }
  ]
}"""
PREVENT_POLICY = r"""{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PreventRootAccessKeys",
      "Effect": "Deny",
      "Action": "iam:CreateAccessKey",
      "Resource": "*",
      "Condition": {
        "ArnLike": {"aws:PrincipalArn": "arn:*:iam::*:root"},
        "Null": {"aws:AssumedRoot": "true"}
      }
    }
  ]
}"""
SCP = "SERVICE_CONTROL_POLICY"
EXPLICIT_DENY = "with an explicit deny in a service control policy"
NO_PERMISSION = "You don't have permissions to access this resource."


def organizations(server: Launcher, creds: tuple[str, str] = ADMIN) -> Any:
    return client(server, "organizations", creds)


def create(server: Launcher, name: str, content: str) -> str:
    answer = organizations(server).create_policy(
        Content=content, Description=f"{name} (test)", Name=name, Type=SCP
    )
    return answer["Policy"]["PolicySummary"]["Id"]


def regional_client(
    server: Launcher, service: str, creds: tuple[str, str], region: str
) -> Any:
    return boto3.client(
        service, endpoint_url=server.url, region_name=region,
        aws_access_key_id=creds[0], aws_secret_access_key=creds[1],
        config=Config(retries={"max_attempts": 1}),
    )


def error(call: Any) -> ClientError:
    with pytest.raises(ClientError) as excinfo:
        call()
    return excinfo.value


def shape_of(failure: ClientError) -> tuple[str, int]:
    return failure.response["Error"]["Code"], failure.response["ResponseMetadata"][
        "HTTPStatusCode"]


def new_root_key(server: Launcher, account: str) -> tuple[str, str]:
    made = control(server, "/_rootkeys/org/root_key", {"account_id": account})
    return made["access_key_id"], made["secret_access_key"]


def iam_user_key(server: Launcher, account: str, name: str) -> tuple[str, str]:
    users = member_iam(server, account)
    users.create_user(UserName=name)
    key = users.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def management_root_key(server: Launcher) -> tuple[str, str]:
    return new_root_key(server, MANAGEMENT)


def assert_key_is_quarantined(server: Launcher, key: tuple[str, str], account: str) -> None:
    """Every service and protocol refuses the key with an SCP's explicit deny;
    GetCallerIdentity still answers."""
    iam = client(server, "iam", key)
    failure = error(iam.list_access_keys)
    assert shape_of(failure) == ("AccessDenied", 403)
    assert failure.response["Error"]["Message"] == (
        f"User: arn:aws:iam::{account}:root is not authorized to perform: "
        f"iam:ListAccessKeys on resource: arn:aws:iam::{account}:root {EXPLICIT_DENY}")
    failure = error(lambda: iam.create_access_key())
    assert shape_of(failure) == ("AccessDenied", 403)
    sts = client(server, "sts", key)
    failure = error(lambda: sts.get_session_token())
    assert shape_of(failure) == ("AccessDenied", 403)
    assert EXPLICIT_DENY in failure.response["Error"]["Message"]
    assert "sts:GetSessionToken" in failure.response["Error"]["Message"]
    # EC2 answers UnauthorizedOperation (its code for every authorization
    # failure), in its own XML.
    failure = error(lambda: client(server, "ec2", key).describe_regions())
    assert shape_of(failure) == ("UnauthorizedOperation", 403)
    assert EXPLICIT_DENY in failure.response["Error"]["Message"]
    assert "ec2:DescribeRegions" in failure.response["Error"]["Message"]
    # S3: REST-XML, whose operation is known only to moto's router.
    failure = error(lambda: client(server, "s3", key).list_buckets())
    assert shape_of(failure) == ("AccessDenied", 403)
    assert EXPLICIT_DENY in failure.response["Error"]["Message"]
    assert failure.response["ResponseMetadata"]["RequestId"]
    # JSON protocol.
    failure = error(lambda: client(server, "cloudtrail", key).lookup_events())
    assert shape_of(failure) == ("AccessDeniedException", 400)
    assert client(server, "sts", key).get_caller_identity()["Account"] == account


def assert_key_works(server: Launcher, key: tuple[str, str]) -> None:
    client(server, "iam", key).list_access_keys()
    client(server, "sts", key).get_session_token()
    client(server, "ec2", key).describe_regions()
    client(server, "s3", key).list_buckets()


# --------------------------------------------------------------------------
# Enforcement of the two policy texts
# --------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["account", "ou", "root"])
def test_quarantine_policy_denies_member_root_keys_only(
    server: Launcher, org: Org, level: str
) -> None:
    member = org.members[0]
    key = org.member_root
    admin = organizations(server)
    app = iam_user_key(server, member, "app")
    console_root = iam_user_key(server, member, "root-session")  # CloudShell as root, MFA
    other_member_key = new_root_key(server, org.members[1])
    management = management_root_key(server)
    assert_key_works(server, key)

    target = {"account": member, "root": org.root_id}.get(level)
    if level == "ou":
        ou = admin.create_organizational_unit(ParentId=org.root_id, Name="quarantined")
        target = ou["OrganizationalUnit"]["Id"]
        admin.move_account(AccountId=member, SourceParentId=org.root_id,
                           DestinationParentId=target)
    assert target is not None
    policy = create(server, "rootkeys-quarantine-root-access-keys", QUARANTINE_POLICY)
    admin.attach_policy(PolicyId=policy, TargetId=target)

    assert_key_is_quarantined(server, key, member)
    # A second root key of the same member too.
    assert_key_is_quarantined(server, new_root_key(server, member), member)
    # Not quarantined: AssumeRoot sessions (Audit and Delete), the root's
    # console session with MFA, the member's IAM users, the management account.
    for task in (AUDIT, DELETE):
        creds, _ = assume_root(server, member, task)
        listed = session_client(server, "iam", creds).list_access_keys()["AccessKeyMetadata"]
        assert key[0] in {k["AccessKeyId"] for k in listed}
    assert {k["AccessKeyId"] for k in client(server, "iam", console_root).list_access_keys()[
        "AccessKeyMetadata"]} >= {key[0]}
    client(server, "ec2", console_root).describe_regions()
    assert_key_works(server, app)
    assert_key_works(server, management)
    # Another member: quarantined only by an attachment at the root.
    if level == "root":
        assert_key_is_quarantined(server, other_member_key, org.members[1])
    else:
        assert_key_works(server, other_member_key)

    # Release: detach, and the key works again.
    admin.detach_policy(PolicyId=policy, TargetId=target)
    assert_key_works(server, key)


def test_delete_session_deletes_a_quarantined_key_and_audit_sees_none(
    server: Launcher, org: Org
) -> None:
    member, key = org.members[0], org.member_root
    admin = organizations(server)
    policy = create(server, "q", QUARANTINE_POLICY)
    admin.attach_policy(PolicyId=policy, TargetId=member)
    creds, _ = assume_root(server, member, DELETE)
    session = session_client(server, "iam", creds)
    answer = session.delete_access_key(AccessKeyId=key[0])
    # The SDK's request_id() reads this header.
    assert answer["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert answer["ResponseMetadata"]["RequestId"] == answer["ResponseMetadata"][
        "HTTPHeaders"]["x-amzn-requestid"]
    audit, _ = assume_root(server, member, AUDIT)
    assert session_client(server, "iam", audit).list_access_keys()["AccessKeyMetadata"] == []


def test_prevention_policy_denies_only_root_key_creation(server: Launcher, org: Org) -> None:
    member = org.members[0]
    admin = organizations(server)
    app = iam_user_key(server, member, "app")
    management = management_root_key(server)
    policy = create(server, "rootkeys-prevent-root-access-keys", PREVENT_POLICY)
    admin.attach_policy(PolicyId=policy, TargetId=org.root_id)

    root = client(server, "iam", org.member_root)
    failure = error(lambda: root.create_access_key())
    assert shape_of(failure) == ("AccessDenied", 403)
    assert failure.response["Error"]["Message"] == (
        f"User: arn:aws:iam::{member}:root is not authorized to perform: "
        f"iam:CreateAccessKey on resource: arn:aws:iam::{member}:root {EXPLICIT_DENY}")
    # Its other calls are allowed.
    root.list_access_keys()
    root.update_access_key(AccessKeyId=org.member_root[0], Status="Active")
    client(server, "s3", org.member_root).list_buckets()
    # Another member's root too.
    other = client(server, "iam", new_root_key(server, org.members[2]))
    assert shape_of(error(lambda: other.create_access_key()))[0] == "AccessDenied"
    # IAM users create keys; the management account's root too.
    client(server, "iam", app).create_access_key(UserName="app")
    client(server, "iam", management).create_access_key()
    # An AssumeRoot session is not affected: its task policy decides.
    creds, _ = assume_root(server, member, DELETE)
    session = session_client(server, "iam", creds)
    session.list_access_keys()
    failure = error(lambda: session.create_access_key())
    assert shape_of(failure) == ("AccessDenied", 403)
    assert "because no session policy allows the iam:CreateAccessKey action" in (
        failure.response["Error"]["Message"])
    # Detached: the member root may create a key again.
    admin.detach_policy(PolicyId=policy, TargetId=org.root_id)
    root.create_access_key()


def test_arn_like_compares_each_part_and_matches_every_partition() -> None:
    pattern = "arn:*:iam::*:root"
    for arn in ("arn:aws:iam::123456789012:root", "arn:aws-cn:iam::123456789012:root",
                "arn:aws-us-gov:iam::123456789012:root", "arn:aws-iso-b:iam::1:root"):
        assert moto_org.arn_like(pattern, arn), arn
        for operator in ("ArnLike", "ArnEquals", "ArnLikeIfExists"):
            assert moto_org._condition_holds(
                operator, "aws:PrincipalArn", pattern, {"aws:PrincipalArn": arn}), operator
        assert not moto_org._condition_holds(
            "ArnNotEquals", "aws:PrincipalArn", pattern, {"aws:PrincipalArn": arn})
    for arn in ("arn:aws:iam::123456789012:user/root", "arn:aws:sts::123456789012:root",
                "arn:aws:iam::123456789012:rootx", "arn:aws:x:y:iam::123456789012:root",
                "arn:aws:iam::123456789012", "root"):
        assert not moto_org.arn_like(pattern, arn), arn
    # Wildcards never cross a colon, except in the resource part.
    assert not moto_org.arn_like("arn:aws:iam::*", "arn:aws:iam::123456789012:root")
    assert moto_org.arn_like("arn:aws:logs:*:*:log-group:*",
                             "arn:aws:logs:eu-west-1:1:log-group:a:b")
    assert not moto_org.arn_like("arn:aws:iam::*:ROOT", "arn:aws:iam::1:root")  # case-sensitive


# --------------------------------------------------------------------------
# Last use of member root keys
# --------------------------------------------------------------------------


def last_used(server: Launcher, member: str, key_id: str) -> dict[str, Any]:
    creds, _ = assume_root(server, member, AUDIT)
    answer = session_client(server, "iam", creds).get_access_key_last_used(AccessKeyId=key_id)
    return answer["AccessKeyLastUsed"]


def test_member_root_key_use_is_recorded_allowed_or_denied(server: Launcher, org: Org) -> None:
    member, key = org.members[0], org.member_root
    seeded = last_used(server, member, key[0])
    assert seeded["LastUsedDate"] == datetime(2026, 11, 1, 8, tzinfo=timezone.utc)  # LAST_USED
    assert LAST_USED["service"] == seeded["ServiceName"]

    before = datetime.now(timezone.utc).replace(microsecond=0)
    client(server, "iam", key).list_access_keys()
    used = last_used(server, member, key[0])
    after = datetime.now(timezone.utc) + timedelta(seconds=1)
    assert before <= used["LastUsedDate"] <= after
    assert (used["ServiceName"], used["Region"]) == ("iam", "us-east-1")

    # Quarantined: the denied request is still a use of the key, with its
    # service and region.
    organizations(server).attach_policy(
        PolicyId=create(server, "q", QUARANTINE_POLICY), TargetId=member)
    s3 = regional_client(server, "s3", key, "eu-west-2")
    assert shape_of(error(s3.list_buckets))[0] == "AccessDenied"
    used = last_used(server, member, key[0])
    assert before <= used["LastUsedDate"] <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert (used["ServiceName"], used["Region"]) == ("s3", "eu-west-2")
    ec2 = regional_client(server, "ec2", key, "ap-south-1")
    assert shape_of(error(ec2.describe_regions))[0] == "UnauthorizedOperation"
    used = last_used(server, member, key[0])
    assert (used["ServiceName"], used["Region"]) == ("ec2", "ap-south-1")


def test_last_use_is_left_alone_for_management_users_and_rejected_keys(
    server: Launcher, org: Org
) -> None:
    member = org.members[0]
    never = {"ServiceName": "N/A", "Region": "N/A"}
    # An IAM user of the member.
    app = iam_user_key(server, member, "app")
    client(server, "iam", app).list_access_keys()
    assert last_used(server, member, app[0]) == never
    # The management account's root key.
    management = management_root_key(server)
    client(server, "iam", management).list_access_keys()
    answer = client(server, "iam", ADMIN).get_access_key_last_used(AccessKeyId=management[0])
    assert "LastUsedDate" not in answer["AccessKeyLastUsed"]
    # An inactive member root key never signs a request.
    inactive = control(server, "/_rootkeys/org/root_key",
                       {"account_id": member, "status": "Inactive"})
    rejected = client(server, "iam", (inactive["access_key_id"], inactive["secret_access_key"]))
    assert shape_of(error(rejected.list_access_keys))[0] == "InvalidClientTokenId"
    assert last_used(server, member, inactive["access_key_id"]) == never


# --------------------------------------------------------------------------
# Organizations policy operations
# --------------------------------------------------------------------------


def request_id_of(answer_or_failure: Any) -> str:
    response = (answer_or_failure.response if isinstance(answer_or_failure, ClientError)
                else answer_or_failure)
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-requestid"]
    return str(headers["x-amzn-requestid"])


def test_create_describe_and_list_policies(server: Launcher, org: Org) -> None:
    admin = organizations(server)
    created = admin.create_policy(Content=QUARANTINE_POLICY, Description="quarantine",
                                  Name="rootkeys-quarantine-root-access-keys", Type=SCP)
    request_id_of(created)
    assert created["ResponseMetadata"]["HTTPHeaders"]["content-type"] == (
        "application/x-amz-json-1.1")
    summary = created["Policy"]["PolicySummary"]
    assert summary["Name"] == "rootkeys-quarantine-root-access-keys"
    assert summary["Type"] == SCP and summary["AwsManaged"] is False
    assert summary["Id"].startswith("p-")
    described = admin.describe_policy(PolicyId=summary["Id"])
    request_id_of(described)
    assert described["Policy"]["Content"] == QUARANTINE_POLICY
    assert described["Policy"]["PolicySummary"]["Description"] == "quarantine"

    failure = error(lambda: admin.create_policy(
        Content=PREVENT_POLICY, Description="x", Name="rootkeys-quarantine-root-access-keys",
        Type=SCP))
    assert shape_of(failure) == ("DuplicatePolicyException", 400)
    request_id_of(failure)
    failure = error(lambda: admin.create_policy(Content="{not json", Description="x",
                                                Name="bad", Type=SCP))
    assert shape_of(failure)[0] == "MalformedPolicyDocumentException"
    failure = error(lambda: admin.create_policy(
        Content=json.dumps({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                                           "Sid": "x" * 5200}]}),
        Description="x", Name="big", Type=SCP))
    assert shape_of(failure)[0] == "ConstraintViolationException"
    assert failure.response.get("Reason") == "POLICY_CONTENT_LIMIT_EXCEEDED"
    assert shape_of(error(lambda: admin.describe_policy(PolicyId="p-abcdefgh")))[0] == (
        "PolicyNotFoundException")
    # UpdatePolicy checks what it is given as CreatePolicy does.
    prevent = create(server, "rootkeys-prevent-root-access-keys", PREVENT_POLICY)
    assert shape_of(error(lambda: admin.update_policy(PolicyId=prevent, Content="[]")))[0] == (
        "MalformedPolicyDocumentException")
    assert shape_of(error(lambda: admin.update_policy(
        PolicyId=prevent, Name="rootkeys-quarantine-root-access-keys")))[0] == (
        "DuplicatePolicyException")
    updated = admin.update_policy(PolicyId=prevent, Description="prevention")
    assert updated["Policy"]["PolicySummary"]["Description"] == "prevention"
    assert updated["Policy"]["Content"] == PREVENT_POLICY

    # ListPolicies pages by 20 at most, in creation order.
    for n in range(25):
        create(server, f"extra-{n:02d}", PREVENT_POLICY)
    first = admin.list_policies(Filter=SCP)
    request_id_of(first)
    assert len(first["Policies"]) == 20 and first["NextToken"]
    rest = admin.list_policies(Filter=SCP, NextToken=first["NextToken"])
    assert "NextToken" not in rest
    names = [p["Name"] for p in first["Policies"] + rest["Policies"]]
    assert names[:3] == ["FullAWSAccess", "rootkeys-quarantine-root-access-keys",
                         "rootkeys-prevent-root-access-keys"]
    assert names[3:] == [f"extra-{n:02d}" for n in range(25)]
    paged = [p["Name"] for page in admin.get_paginator("list_policies").paginate(
        Filter=SCP, PaginationConfig={"PageSize": 7}) for p in page["Policies"]]
    assert paged == names
    assert shape_of(error(lambda: admin.list_policies(Filter=SCP, MaxResults=21)))[0] == (
        "InvalidInputException")
    assert shape_of(error(lambda: admin.list_policies(Filter=SCP, NextToken="bogus")))[0] == (
        "InvalidInputException")
    assert admin.list_policies(Filter="TAG_POLICY")["Policies"] == []


def test_attach_and_detach_errors(server: Launcher, org: Org) -> None:
    admin = organizations(server)
    member = org.members[0]
    quarantine = create(server, "q", QUARANTINE_POLICY)
    attached = admin.attach_policy(PolicyId=quarantine, TargetId=member)
    # In the management account's event history, under the answer's request id.
    events = json.loads(http(server, "GET", "/_rootkeys/events")[1])["events"]
    event = next(e for e in events if e["eventName"] == "AttachPolicy")
    assert event["requestID"] == request_id_of(attached)
    assert event["recipientAccountId"] == MANAGEMENT
    assert event["eventSource"] == "organizations.amazonaws.com"
    assert "errorCode" not in event
    failure = error(lambda: admin.attach_policy(PolicyId=quarantine, TargetId=member))
    assert shape_of(failure) == ("DuplicatePolicyAttachmentException", 400)
    request_id_of(failure)
    # FullAWSAccess + the quarantine + 3 more = 5 SCPs: the sixth is refused.
    for n in range(3):
        admin.attach_policy(PolicyId=create(server, f"more-{n}", PREVENT_POLICY), TargetId=member)
    sixth = create(server, "sixth", PREVENT_POLICY)
    failure = error(lambda: admin.attach_policy(PolicyId=sixth, TargetId=member))
    assert shape_of(failure) == ("ConstraintViolationException", 400)
    assert failure.response["Reason"] == "POLICY_NUMBER_LIMIT_EXCEEDED"
    admin.attach_policy(PolicyId=sixth, TargetId=org.members[1])  # another target is fine

    failure = error(lambda: admin.detach_policy(PolicyId=sixth, TargetId=member))
    assert shape_of(failure) == ("PolicyNotAttachedException", 400)
    request_id_of(failure)
    detached = admin.detach_policy(PolicyId=quarantine, TargetId=member)
    request_id_of(detached)
    assert shape_of(error(lambda: admin.detach_policy(PolicyId=quarantine, TargetId=member)))[
        0] == "PolicyNotAttachedException"
    # An entity keeps at least one SCP.
    admin.detach_policy(PolicyId=sixth, TargetId=org.members[1])
    failure = error(lambda: admin.detach_policy(PolicyId="p-FullAWSAccess",
                                                TargetId=org.members[1]))
    assert shape_of(failure)[0] == "ConstraintViolationException"
    assert failure.response["Reason"] == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"

    for target in ("999999999999", "ou-abcd-12345678", "r-zzzz"):
        assert shape_of(error(lambda: admin.attach_policy(PolicyId=quarantine,
                                                          TargetId=target)))[0] == (
            "TargetNotFoundException"), target
        assert shape_of(error(lambda: admin.detach_policy(PolicyId=quarantine,
                                                          TargetId=target)))[0] == (
            "TargetNotFoundException"), target
    assert shape_of(error(lambda: admin.attach_policy(PolicyId="p-abcdefgh",
                                                      TargetId=member)))[0] == (
        "PolicyNotFoundException")
    assert shape_of(error(lambda: admin.attach_policy(PolicyId=quarantine,
                                                      TargetId="nonsense")))[0] == (
        "InvalidInputException")


def test_list_policies_for_target_and_targets_for_policy(server: Launcher, org: Org) -> None:
    admin = organizations(server)
    member = org.members[0]
    quarantine = create(server, "q", QUARANTINE_POLICY)
    admin.attach_policy(PolicyId=quarantine, TargetId=member)
    listed = admin.list_policies_for_target(TargetId=member, Filter=SCP)
    request_id_of(listed)
    assert [p["Id"] for p in listed["Policies"]] == ["p-FullAWSAccess", quarantine]
    assert "NextToken" not in listed
    assert [p["Id"] for p in admin.list_policies_for_target(
        TargetId=org.members[1], Filter=SCP)["Policies"]] == ["p-FullAWSAccess"]
    assert [p["Id"] for p in admin.list_policies_for_target(
        TargetId=org.root_id, Filter=SCP)["Policies"]] == ["p-FullAWSAccess"]
    assert shape_of(error(lambda: admin.list_policies_for_target(
        TargetId="999999999999", Filter=SCP)))[0] == "TargetNotFoundException"

    targets = admin.list_targets_for_policy(PolicyId=quarantine)
    request_id_of(targets)
    assert targets["Targets"] == [{
        "TargetId": member, "Name": "member-0001", "Type": "ACCOUNT",
        "Arn": f"arn:aws:organizations::{MANAGEMENT}:account/{org.id}/{member}"}]
    assert "NextToken" not in targets
    assert shape_of(error(lambda: admin.list_targets_for_policy(PolicyId="p-abcdefgh")))[0] == (
        "PolicyNotFoundException")


def test_targets_of_a_policy_attached_to_a_thousand_members(server: Launcher) -> None:
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    seeded = control(server, "/_rootkeys/org/seed", {"members": 1000})
    members = [m["account_id"] for m in seeded["members"]]
    admin = organizations(server)
    quarantine = create(server, "rootkeys-quarantine-root-access-keys", QUARANTINE_POLICY)

    # Attached in parallel, as rootkeys does: none is lost.
    workers = 16
    clients = [organizations(server) for _ in range(workers)]

    def attach(n: int) -> None:
        clients[n % workers].attach_policy(PolicyId=quarantine, TargetId=members[n])

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(attach, range(len(members))))

    pages = list(admin.get_paginator("list_targets_for_policy").paginate(PolicyId=quarantine))
    assert len(pages) == 50
    assert all(len(page["Targets"]) == 20 for page in pages)
    listed = [t["TargetId"] for page in pages for t in page["Targets"]]
    assert sorted(listed) == sorted(members)
    assert {t["Type"] for page in pages for t in page["Targets"]} == {"ACCOUNT"}
    first = admin.list_targets_for_policy(PolicyId=quarantine, MaxResults=5)
    assert [t["TargetId"] for t in first["Targets"]] == listed[:5]
    # A token is good only for the policy it was made for.
    other = create(server, "other", PREVENT_POLICY)
    assert shape_of(error(lambda: admin.list_targets_for_policy(
        PolicyId=other, NextToken=first["NextToken"])))[0] == "InvalidInputException"
    assert shape_of(error(lambda: admin.list_targets_for_policy(
        PolicyId=quarantine, MaxResults=21)))[0] == "InvalidInputException"
    # Every member is quarantined; the last one too.
    key = new_root_key(server, members[-1])
    assert shape_of(error(client(server, "iam", key).list_access_keys))[0] == "AccessDenied"


def test_scp_policy_type_disabled_and_enabled(server: Launcher) -> None:
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    seeded = control(server, "/_rootkeys/org/seed", {"members": 2, "scp": False})
    member, root_id = seeded["members"][0]["account_id"], seeded["root_id"]
    admin = organizations(server)
    roots = admin.list_roots()
    request_id_of(roots)
    assert [r["Id"] for r in roots["Roots"]] == [root_id]
    assert roots["Roots"][0]["PolicyTypes"] == []
    quarantine = create(server, "q", QUARANTINE_POLICY)  # creating is allowed
    failure = error(lambda: admin.attach_policy(PolicyId=quarantine, TargetId=member))
    assert shape_of(failure) == ("PolicyTypeNotEnabledException", 400)
    request_id_of(failure)

    enabled = admin.enable_policy_type(RootId=root_id, PolicyType=SCP)
    request_id_of(enabled)
    assert enabled["Root"]["PolicyTypes"] == [{"Type": SCP, "Status": "ENABLED"}]
    assert admin.list_roots()["Roots"][0]["PolicyTypes"] == [{"Type": SCP, "Status": "ENABLED"}]
    assert shape_of(error(lambda: admin.enable_policy_type(RootId=root_id, PolicyType=SCP)))[
        0] == "PolicyTypeAlreadyEnabledException"
    admin.attach_policy(PolicyId=quarantine, TargetId=member)
    key = new_root_key(server, member)
    iam = client(server, "iam", key)
    assert shape_of(error(iam.list_access_keys))[0] == "AccessDenied"

    # Disabled: every SCP is detached (AWS) and none applies.
    disabled = admin.disable_policy_type(RootId=root_id, PolicyType=SCP)
    request_id_of(disabled)
    assert disabled["Root"]["PolicyTypes"] == []
    assert admin.list_roots()["Roots"][0]["PolicyTypes"] == []
    iam.list_access_keys()
    assert admin.list_targets_for_policy(PolicyId=quarantine)["Targets"] == []
    assert admin.list_policies_for_target(TargetId=member, Filter=SCP)["Policies"] == []
    assert shape_of(error(lambda: admin.disable_policy_type(RootId=root_id, PolicyType=SCP)))[
        0] == "PolicyTypeNotEnabledException"
    # Enabled again: FullAWSAccess everywhere, the quarantine nowhere.
    admin.enable_policy_type(RootId=root_id, PolicyType=SCP)
    for target in (root_id, member, MANAGEMENT):
        assert [p["Id"] for p in admin.list_policies_for_target(
            TargetId=target, Filter=SCP)["Policies"]] == ["p-FullAWSAccess"]
    iam.list_access_keys()


def test_who_may_call_the_policy_operations(server: Launcher, org: Org) -> None:
    quarantine = create(server, "q", QUARANTINE_POLICY)
    member = organizations(server, org.member_root)
    calls = {
        "ListRoots": lambda o: o.list_roots(),
        "ListPolicies": lambda o: o.list_policies(Filter=SCP),
        "DescribePolicy": lambda o: o.describe_policy(PolicyId=quarantine),
        "ListTargetsForPolicy": lambda o: o.list_targets_for_policy(PolicyId=quarantine),
        "ListPoliciesForTarget": lambda o: o.list_policies_for_target(
            TargetId=org.members[0], Filter=SCP),
    }
    writes = {
        "CreatePolicy": lambda o: o.create_policy(Content=PREVENT_POLICY, Description="x",
                                                  Name="x", Type=SCP),
        "AttachPolicy": lambda o: o.attach_policy(PolicyId=quarantine, TargetId=org.members[0]),
        "DetachPolicy": lambda o: o.detach_policy(PolicyId="p-FullAWSAccess",
                                                  TargetId=org.members[0]),
        "DisablePolicyType": lambda o: o.disable_policy_type(RootId=org.root_id, PolicyType=SCP),
    }
    for name, call in {**calls, **writes}.items():
        failure = error(lambda: call(member))
        assert shape_of(failure) == ("AccessDeniedException", 400), name
        request_id_of(failure)
    # A delegated administrator reads, and may not write.
    delegated = control(server, "/_rootkeys/org/delegated_admin", {"account_id": org.members[1]})
    reader = organizations(server, (delegated["access_key_id"], delegated["secret_access_key"]))
    for name, call in calls.items():
        call(reader)
    assert reader.list_roots()["Roots"][0]["PolicyTypes"] == [{"Type": SCP, "Status": "ENABLED"}]
    for name, call in writes.items():
        assert shape_of(error(lambda: call(reader)))[0] == "AccessDeniedException", name
    # Outside any organization.
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    for name, call in calls.items():
        if name in ("ListRoots", "ListPolicies"):
            assert shape_of(error(lambda: call(organizations(server))))[0] == (
                "AWSOrganizationsNotInUseException"), name


# --------------------------------------------------------------------------
# Controls: Organizations permissions taken away, task-policy denials
# --------------------------------------------------------------------------


def test_deny_control_takes_organizations_actions_away(server: Launcher, org: Org) -> None:
    admin = organizations(server)
    quarantine = create(server, "q", QUARANTINE_POLICY)
    answer = control(server, "/_rootkeys/org/deny",
                     {"actions": ["organizations:AttachPolicy", "organizations:CreatePolicy"]})
    assert answer == {"actions": ["organizations:AttachPolicy", "organizations:CreatePolicy"]}
    assert control(server, "/_rootkeys/org/deny", method="GET") == answer
    for call in (lambda: admin.attach_policy(PolicyId=quarantine, TargetId=org.members[0]),
                 lambda: admin.create_policy(Content=PREVENT_POLICY, Description="x",
                                             Name="p", Type=SCP)):
        failure = error(call)
        assert shape_of(failure) == ("AccessDeniedException", 400)
        assert failure.response["Error"]["Message"] == NO_PERMISSION
        request_id_of(failure)
    # Every caller, a delegated administrator too; other actions still work.
    delegated = control(server, "/_rootkeys/org/delegated_admin", {"account_id": org.members[1]})
    other = organizations(server, (delegated["access_key_id"], delegated["secret_access_key"]))
    assert shape_of(error(lambda: other.create_policy(
        Content=PREVENT_POLICY, Description="x", Name="p", Type=SCP)))[0] == (
        "AccessDeniedException")
    admin.list_roots()
    admin.list_targets_for_policy(PolicyId=quarantine)
    # The refusal is in the event history, as AWS records it.
    events = json.loads(http(server, "GET", "/_rootkeys/events")[1])["events"]
    refused_event = next(e for e in events if e["eventName"] == "AttachPolicy")
    assert refused_event["errorCode"] == "AccessDeniedException"
    # [] gives them back.
    assert control(server, "/_rootkeys/org/deny", {"actions": []}) == {"actions": []}
    admin.attach_policy(PolicyId=quarantine, TargetId=org.members[0])
    # A reset does too.
    control(server, "/_rootkeys/org/deny", {"actions": ["organizations:ListRoots"]})
    assert shape_of(error(admin.list_roots))[0] == "AccessDeniedException"
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    assert control(server, "/_rootkeys/org/deny", method="GET") == {"actions": []}
    for bad in ({}, {"actions": "organizations:AttachPolicy"}, {"actions": ["AttachPolicy"]},
                {"actions": ["iam:CreateAccessKey"]}):
        assert http(server, "POST", "/_rootkeys/org/deny", bad)[0] == 400, bad


def test_task_policy_denials_are_listed(server: Launcher, org: Org) -> None:
    member, key = org.members[0], org.member_root
    assert control(server, "/_rootkeys/org/denied", method="GET") == []
    audit, _ = assume_root(server, member, AUDIT)
    audit_iam = session_client(server, "iam", audit)
    audit_iam.list_access_keys()
    audit_iam.get_access_key_last_used(AccessKeyId=key[0])
    assert refused(lambda: audit_iam.delete_access_key(AccessKeyId=key[0]))[0] == "AccessDenied"
    delete, _ = assume_root(server, member, DELETE)
    delete_iam = session_client(server, "iam", delete)
    assert refused(lambda: delete_iam.update_access_key(
        AccessKeyId=key[0], Status="Inactive"))[0] == "AccessDenied"
    assert refused(lambda: delete_iam.list_access_keys(UserName="app"))[0] == "AccessDenied"
    delete_iam.delete_access_key(AccessKeyId=key[0])
    # Other services: refused in their own protocol, and listed.
    ec2 = session_client(server, "ec2", delete)
    assert shape_of(error(ec2.describe_regions)) == ("UnauthorizedOperation", 403)
    org_session = session_client(server, "organizations", delete)
    assert shape_of(error(org_session.list_roots)) == ("AccessDeniedException", 400)
    # Refused for other reasons: not listed (expired session, SCP).
    control(server, "/_rootkeys/org/expire", {"access_key_id": audit.key})
    assert refused(audit_iam.list_access_keys)[0] == "ExpiredToken"
    deny_listing = create(server, "deny-listing", json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "iam:ListAccessKeys", "Resource": "*"}]}))
    organizations(server).attach_policy(PolicyId=deny_listing, TargetId=member)
    code, _, message = refused(delete_iam.list_access_keys)
    assert code == "AccessDenied" and EXPLICIT_DENY in message

    assert control(server, "/_rootkeys/org/denied", method="GET") == [
        {"access_key_id": audit.key, "account_id": member, "task_policy_arn": AUDIT,
         "action": "iam:DeleteAccessKey"},
        {"access_key_id": delete.key, "account_id": member, "task_policy_arn": DELETE,
         "action": "iam:UpdateAccessKey"},
        {"access_key_id": delete.key, "account_id": member, "task_policy_arn": DELETE,
         "action": "iam:ListAccessKeys"},
        {"access_key_id": delete.key, "account_id": member, "task_policy_arn": DELETE,
         "action": "ec2:DescribeRegions"},
        {"access_key_id": delete.key, "account_id": member, "task_policy_arn": DELETE,
         "action": "organizations:ListRoots"},
    ]
    assert http(server, "POST", "/moto-api/reset")[0] == 200
    assert control(server, "/_rootkeys/org/denied", method="GET") == []


def test_scp_verdicts_follow_the_policy_operations(server: Launcher, org: Org) -> None:
    """Each policy operation forgets the remembered SCP verdicts."""
    admin = organizations(server)
    member, key = org.members[0], org.member_root
    iam = client(server, "iam", key)
    iam.list_access_keys()  # remembered: allowed
    quarantine = create(server, "q", QUARANTINE_POLICY)
    admin.attach_policy(PolicyId=quarantine, TargetId=member)
    assert shape_of(error(iam.list_access_keys))[0] == "AccessDenied"  # remembered: denied
    admin.update_policy(PolicyId=quarantine, Content=PREVENT_POLICY)
    iam.list_access_keys()
    admin.update_policy(PolicyId=quarantine, Content=QUARANTINE_POLICY)
    assert shape_of(error(iam.list_access_keys))[0] == "AccessDenied"
    admin.detach_policy(PolicyId=quarantine, TargetId=member)
    iam.list_access_keys()
    admin.attach_policy(PolicyId=quarantine, TargetId=member)
    assert shape_of(error(iam.list_access_keys))[0] == "AccessDenied"
    admin.disable_policy_type(RootId=org.root_id, PolicyType=SCP)
    iam.list_access_keys()
    admin.enable_policy_type(RootId=org.root_id, PolicyType=SCP)
    iam.list_access_keys()
    admin.attach_policy(PolicyId=quarantine, TargetId=org.root_id)
    assert shape_of(error(iam.list_access_keys))[0] == "AccessDenied"
    admin.detach_policy(PolicyId=quarantine, TargetId=org.root_id)
    iam.list_access_keys()
    admin.delete_policy(PolicyId=quarantine)
    assert shape_of(error(lambda: admin.describe_policy(PolicyId=quarantine)))[0] == (
        "PolicyNotFoundException")
    iam.list_access_keys()
    # Deleting an attached policy is refused.
    in_use = create(server, "in-use", QUARANTINE_POLICY)
    admin.attach_policy(PolicyId=in_use, TargetId=org.members[1])
    assert shape_of(error(lambda: admin.delete_policy(PolicyId=in_use)))[0] == (
        "PolicyInUseException")

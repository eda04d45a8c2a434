"""An organization's root keys with boto3 and a thread pool (as a script
would do it): list the accounts, then per member account in a worker thread
AssumeRoot (Audit task policy) and the session's reads one after another."""
from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import boto3

POLICY = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"


def audit(account: str) -> tuple[str, int]:
    session = boto3.session.Session()
    creds = session.client("sts").assume_root(
        TargetPrincipal=account, TaskPolicyArn={"arn": POLICY}, DurationSeconds=900
    )["Credentials"]
    iam = session.client(
        "iam",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    keys = iam.list_access_keys()["AccessKeyMetadata"]
    for key in keys:
        iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    iam.list_mfa_devices()
    try:
        iam.get_login_profile()
    except iam.exceptions.NoSuchEntityException:
        pass
    return account, len(keys)


def main() -> int:
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    session = boto3.session.Session()
    org = session.client("organizations")
    management = org.describe_organization()["Organization"]["MasterAccountId"]
    members = [
        a["Id"]
        for page in org.get_paginator("list_accounts").paginate()
        for a in page["Accounts"]
        if a["Id"] != management and a.get("Status") == "ACTIVE"
    ]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(audit, members))
    with_keys = sum(1 for _, n in results if n)
    print(f"{len(results)} members audited, {with_keys} with root keys")
    return 1 if with_keys else 0


if __name__ == "__main__":
    sys.exit(main())

"""AWS Organizations' centralized root access for the root-aware moto server.

Imported by moto_root.py (which calls ``install(host)`` with itself as the host
module, so that both share one copy of the server state).  Adds:

* sts:AssumeRoot (regional endpoints only) opening a root session in a member
  account, scoped by one of AWS's root-task policies;
* the session itself: GetCallerIdentity answers as the member's root, IAM calls
  act on the member's root user (its ``root-standin``), task policies enforced,
  any ``UserName`` refused, expiry;
* IAM ListOrganizationsFeatures / Enable* / Disable* for RootCredentialsManagement
  and RootSessions;
* service control policies evaluated for requests signed by a member account's
  principals (root sessions and long-term keys);
* ``iam.amazonaws.com`` accepted by moto as a trusted service and as a
  delegated-administrator service;
* organizations:ListAccounts answered, as on AWS, to the management account
  and to delegated administrators (every account of the organization), and
  refused to other members (AccessDeniedException);
* the Organizations policy operations (Create/Update/Delete/DescribePolicy,
  ListPolicies, ListPoliciesForTarget, ListTargetsForPolicy, Attach/
  DetachPolicy, ListRoots, Enable/DisablePolicyType) with AWS's checks, error
  codes and paging, answered without moto's request dispatch;
* the last use of a member account's long-term root key recorded on every
  request it signs (allowed or denied);
* a global-endpoint marker (path prefix ``/_global/``), a fixed latency for every
  request, a count of requests served per operation, and control endpoints
  under ``/_rootkeys/org/...`` to seed organizations quickly, list the
  AssumeRoot sessions issued and the requests their task policies refused,
  and take Organizations operations away from every caller.

AssumeRoot
----------

Query protocol, ``TargetPrincipal`` (account ID or ``arn:aws:iam::<id>:root``),
``TaskPolicyArn.arn`` (one of the root-task policies below), ``DurationSeconds``
0..900 (default 900; more is ValidationError).  Checked in this order: the
global endpoint (InvalidAction); the parameters (ValidationError); the caller
is not root, and is an IAM principal of the management account or of the
delegated administrator for iam.amazonaws.com; the organization has all
features, trusted access for iam.amazonaws.com and the feature the task needs
(RootCredentialsManagement for IAM* tasks, RootSessions for S3/SQS unlock); the
target is an ACTIVE member and not the management account.  Refusals are
AccessDenied (403) with a message naming the reason: AWS documents no
dedicated STS codes for them.

Root sessions
-------------

Requests signed with a session key answer for the member's root: sts
GetCallerIdentity (never denied), and the IAM actions of the session's task
policy (DEFAULT_TASK_POLICIES, as AWS publishes them: an Audit session may not
read the account summary; a Delete session may delete but not deactivate
keys), always without ``UserName`` (a request naming one is AccessDenied).
Anything else is AccessDenied (AccessDeniedException for JSON protocols).  The
session's SCPs apply first (an explicit deny wins).  Expired sessions answer
ExpiredToken; a wrong session token InvalidClientTokenId.  Calls are recorded
in the member's CloudTrail event history (userIdentity type Root).

Service control policies
------------------------

For requests signed by a member account's principals (root sessions, root and
IAM-user keys; never the management account), while the SCP policy type is
enabled on the root: every level from the organization root down to the
account must allow the action, and no attached SCP may deny it.  Statements:
Effect, Action/NotAction with wildcards, Resource (not compared), Condition
with String*/Arn*/Bool/Null operators (ArnLike = ArnEquals, matched part by
part of the ARN, as AWS) and their IfExists forms over aws:PrincipalArn,
aws:PrincipalAccount,
aws:AssumedRoot ("true" in root sessions) and aws:MultiFactorAuthPresent
("true" for the root-session stand-in's keys, which stand for a console
sign-in with MFA; absent for access keys and AssumeRoot sessions).  For
REST-protocol requests the operation is not known before moto routes them:
only "*" and "<service>:*" match.

The contract for test authors is in the project notes (emulator-org.md) and
the control endpoints are listed in moto_root.py's docstring.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import string
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from typing import Any, Callable
from urllib.parse import parse_qs

# The host module (moto_root): set by install().
host: Any = None

IAM_SERVICE_PRINCIPAL = "iam.amazonaws.com"
MANAGEMENT_ACCOUNT = "123456789012"
FEATURE_CREDENTIALS = "RootCredentialsManagement"
FEATURE_SESSIONS = "RootSessions"
FEATURES = (FEATURE_CREDENTIALS, FEATURE_SESSIONS)
MAX_ROOT_SESSION = 900
TASK_POLICY_PREFIX = "arn:aws:iam::aws:policy/root-task/"
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
GLOBAL_PREFIX = "/_global"
EXPIRED_MESSAGE = "The security token included in the request is expired"

# Actions each AWS-managed root-task policy allows (as AWS publishes them).
DEFAULT_TASK_POLICIES: dict[str, frozenset[str]] = {
    "IAMAuditRootUserCredentials": frozenset(
        {
            "iam:GetAccessKeyLastUsed",
            "iam:GetLoginProfile",
            "iam:GetUser",
            "iam:ListAccessKeys",
            "iam:ListMFADevices",
            "iam:ListSigningCertificates",
        }
    ),
    "IAMDeleteRootUserCredentials": frozenset(
        {
            "iam:DeactivateMFADevice",
            "iam:DeleteAccessKey",
            "iam:DeleteLoginProfile",
            "iam:DeleteSigningCertificate",
            "iam:DeleteVirtualMFADevice",
            "iam:GetAccessKeyLastUsed",
            "iam:GetLoginProfile",
            "iam:GetUser",
            "iam:ListAccessKeys",
            "iam:ListMFADevices",
            "iam:ListSigningCertificates",
        }
    ),
    "IAMCreateRootUserPassword": frozenset(
        {"iam:CreateLoginProfile", "iam:GetLoginProfile", "iam:GetUser"}
    ),
    "IAMUnlockRootUserPolicy": frozenset(),
    "S3UnlockBucketPolicy": frozenset(),
    "SQSUnlockQueuePolicy": frozenset(),
}
# Which feature a task policy needs.
TASK_FEATURE = {
    "S3UnlockBucketPolicy": FEATURE_SESSIONS,
    "SQSUnlockQueuePolicy": FEATURE_SESSIONS,
}

ORG_FEATURE_ACTIONS = {
    "ListOrganizationsFeatures",
    "EnableOrganizationsRootCredentialsManagement",
    "DisableOrganizationsRootCredentialsManagement",
    "EnableOrganizationsRootSessions",
    "DisableOrganizationsRootSessions",
}

StartResponse = Callable[..., Any]


# --------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------


@dataclass
class Session:
    """One AssumeRoot session."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    account_id: str
    task_policy: str
    expiration: float  # epoch seconds
    partition: str = "aws"
    caller_arn: str = ""
    expired: bool = False  # forced through /_rootkeys/org/expire
    issued: float = 0.0  # epoch seconds
    duration_seconds: int = MAX_ROOT_SESSION
    request_id: str = ""  # of the AssumeRoot answer (and its CloudTrail event)

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"


_lock = threading.RLock()
_sessions: dict[str, Session] = {}
# Organization id -> enabled IAM features.
_features: dict[str, set[str]] = {}
_task_policies: dict[str, frozenset[str]] = dict(DEFAULT_TASK_POLICIES)
_latency_s = 0.0
# Next member number per organization for the seed endpoint's names.
_seed_counter: dict[str, int] = {}
# Parsed SCP documents: (policy id, content) -> statements.
_scp_cache: dict[tuple[str, str], list[dict[str, Any]]] = {}
# Organizations operations refused to every caller (POST /_rootkeys/org/deny),
# by operation name ("AttachPolicy").
_denied_org_actions: set[str] = set()
# Root-session requests refused by the session's task policy, in order
# (GET /_rootkeys/org/denied).
_task_denials: list[dict[str, str]] = []


def reset() -> None:
    """Forget sessions, features and request counts (POST /moto-api/reset)."""
    scp_changed()
    with _lock:
        _sessions.clear()
        _features.clear()
        _seed_counter.clear()
        _scp_cache.clear()
        _denied_org_actions.clear()
        _task_denials.clear()
        _task_policies.clear()
        _task_policies.update(DEFAULT_TASK_POLICIES)
    with _count_lock:
        _request_counts.clear()


# Requests served per operation since the last reset (GET /_rootkeys/requests).
# The host notes each request's operation in its WSGI environ under ACTION_KEY
# (None: not known) and counts it once the answer is made.
ACTION_KEY = "rootkeys.action"
UNKNOWN_ACTION = "(unknown)"
_request_counts: dict[str, int] = {}
_count_lock = threading.Lock()


def note_action(environ: dict[str, Any], action: str | None) -> None:
    """Name the operation of the request being served (first name wins)."""
    if action and not environ.get(ACTION_KEY):
        environ[ACTION_KEY] = action


def count_request(action: str | None) -> None:
    name = action or UNKNOWN_ACTION
    with _count_lock:
        _request_counts[name] = _request_counts.get(name, 0) + 1


# Requests being served now, and the most ever served at once (since the last
# POST /_rootkeys/latency): shows that requests are answered in parallel.
_in_flight = 0
_max_in_flight = 0
_flight_lock = threading.Lock()


def request_started() -> None:
    global _in_flight, _max_in_flight
    with _flight_lock:
        _in_flight += 1
        if _in_flight > _max_in_flight:
            _max_in_flight = _in_flight


def request_finished() -> None:
    global _in_flight
    with _flight_lock:
        _in_flight -= 1


def set_latency_ms(ms: float) -> None:
    global _latency_s, _max_in_flight
    _latency_s = max(0.0, ms) / 1000.0
    with _flight_lock:
        _max_in_flight = _in_flight


def latency() -> float:
    return _latency_s


def session_for(key_id: str) -> Session | None:
    return _sessions.get(key_id)


# --------------------------------------------------------------------------
# Organizations lookups
# --------------------------------------------------------------------------


def _org_backends() -> Any:
    from moto.organizations.models import organizations_backends

    return organizations_backends


def backend_of(backends: Any, account_id: str, partition: str = "aws") -> Any:
    """backends[account_id][partition], without moto's BackendDict.__getitem__,
    which scans every account (a list of thousands in a large organization)
    under a global lock on each call."""
    account = dict.get(backends, account_id)
    if account is None:
        account = backends[account_id]
    return account[partition]


def org_backend_of(account_id: str) -> Any | None:
    """The Organizations backend of the management account of the
    organization this account belongs to (member or management), or None."""
    backends = _org_backends()
    master = backends.master_accounts.get(account_id)
    if master is not None:
        master_id, partition = master
        backend = backend_of(backends, master_id, partition)
        return backend if backend.org is not None else None
    if dict.get(backends, account_id) is not None:
        backend = backend_of(backends, account_id)
        if backend.org is not None:
            return backend
    return None


class _Index:
    """Id -> object maps over a backend's lists, rebuilt when they change size."""

    def __init__(self) -> None:
        self.key: tuple[int, int, int] | None = None
        self.accounts: dict[str, Any] = {}
        self.ous: dict[str, Any] = {}


_indexes: dict[int, _Index] = {}


def _index(backend: Any) -> _Index:
    index = _indexes.get(id(backend))
    if index is None:
        index = _indexes[id(backend)] = _Index()
    key = (id(backend.accounts), len(backend.accounts), len(backend.ou))
    if index.key != key:
        index.accounts = {a.id: a for a in backend.accounts}
        index.ous = {o.id: o for o in backend.ou}
        index.key = key
    return index


def account_in_org(backend: Any, account_id: str) -> Any | None:
    account = _index(backend).accounts.get(account_id)
    if account is not None and account.id != account_id:  # changed in place
        _indexes.pop(id(backend), None)
        account = _index(backend).accounts.get(account_id)
    return account


def delegated_admins(backend: Any) -> set[str]:
    return {
        admin.account.id
        for admin in backend.admins
        if IAM_SERVICE_PRINCIPAL in admin.services
    }


def trusted_access(backend: Any) -> bool:
    return any(s["ServicePrincipal"] == IAM_SERVICE_PRINCIPAL for s in backend.services)


def scp_enabled(backend: Any) -> bool:
    root = next((ou for ou in backend.ou if getattr(ou, "type", "") == "ROOT"), None)
    return root is not None and any(
        t.get("Type") == "SERVICE_CONTROL_POLICY" for t in root.policy_types
    )


def features_of(org_id: str) -> set[str]:
    with _lock:
        return set(_features.get(org_id, set()))


# --------------------------------------------------------------------------
# Patches to moto
# --------------------------------------------------------------------------


def _access_denied_class() -> Any:
    from moto.organizations.exceptions import OrganizationsClientError

    class AccessDeniedException(OrganizationsClientError):
        code = "AccessDeniedException"
        message = "You don't have permissions to access this resource."

    # moto serializes an error with the service model its module names
    # ("moto_org" would be read as a moto package).
    AccessDeniedException.__module__ = "moto.organizations.exceptions"

    return AccessDeniedException


# organizations' AccessDeniedException (set by _patch_organizations).
OrganizationsAccessDenied: Any = None


def _patch_organizations() -> None:
    """Accept iam.amazonaws.com for trusted access and delegated administration,
    answer the policy operations as AWS does (see _patch_policy_operations) and
    page ListAccounts."""
    from moto.organizations.models import (
        FakeDelegatedAdministrator,
        FakeServiceAccess,
    )
    from moto.organizations.responses import OrganizationsResponse

    global OrganizationsAccessDenied
    OrganizationsAccessDenied = _access_denied_class()
    if IAM_SERVICE_PRINCIPAL not in FakeServiceAccess.TRUSTED_SERVICES:
        FakeServiceAccess.TRUSTED_SERVICES.append(IAM_SERVICE_PRINCIPAL)
    if IAM_SERVICE_PRINCIPAL not in FakeDelegatedAdministrator.SUPPORTED_SERVICES:
        FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(IAM_SERVICE_PRINCIPAL)

    _patch_scp_invalidation()
    _patch_policy_operations()



READ_PREFIXES = ("describe", "list", "get")


def _patch_scp_invalidation() -> None:
    """Wrap every method of moto's Organizations backend that is not a read
    (describe_*, list_*, get_*) so that it forgets the SCP verdicts, before
    and after it runs."""
    from moto.organizations.models import OrganizationsBackend

    def invalidating(method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            scp_changed()
            try:
                return method(self, *args, **kwargs)
            finally:
                scp_changed()

        wrapper.__name__ = method.__name__
        wrapper.__doc__ = method.__doc__
        return wrapper

    for name, method in list(vars(OrganizationsBackend).items()):
        if name.startswith("_") or name.startswith(READ_PREFIXES) or not callable(method):
            continue
        setattr(OrganizationsBackend, name, invalidating(method))


# --------------------------------------------------------------------------
# Organizations policy operations (as aws-sdk-organizations sees them)
# --------------------------------------------------------------------------

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
ORG_JSON = "application/x-amz-json-1.1"
# Page size of the policy listings: default and maximum (AWS's).
POLICY_PAGE = 20
# Most SCPs (and RCPs) attached to one root, OU or account (AWS's quota).
MAX_POLICIES_PER_TARGET = 5
# Largest policy document AWS accepts for an SCP or RCP, in characters.
MAX_POLICY_CHARS = 5120
FULL_AWS_ACCESS = "p-FullAWSAccess"
_TARGET_ID_RE = re.compile(r"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$")
_POLICY_ID_RE = re.compile(r"^(p-[0-9a-zA-Z_]{8,128}|p-FullAWSAccess|p-RCPFullAWSAccess)$")


class OrgError(Exception):
    """An Organizations error answered in AWS's JSON form, with the extra
    members its shape has (e.g. ConstraintViolationException's Reason)."""

    def __init__(self, code: str, message: str, **extra: str):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


def _org_operation(handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A moto response method answering ``handler(self)`` as JSON 1.1; an
    OrgError becomes AWS's error answer.  (moto's own exceptions raised inside
    are answered by moto, with their codes.)  moto adds x-amzn-RequestId."""

    def method(self: Any) -> Any:
        try:
            answer = handler(self)
        except OrgError as error:
            body = {"__type": error.code, "Message": error.message, **error.extra}
            headers = {
                "status": 400,
                "Content-Type": ORG_JSON,
                "x-amzn-ErrorType": error.code,
            }
            return json.dumps(body), headers
        return json.dumps(answer), {"Content-Type": ORG_JSON}

    method.__name__ = handler.__name__
    method.__doc__ = handler.__doc__
    return method


class _OrgChange:
    """Serializes changes to policies and attachments (requests are served in
    parallel) and forgets the SCP verdicts before and after each."""

    def __enter__(self) -> None:
        _lock.acquire()
        scp_changed()

    def __exit__(self, *exc: Any) -> None:
        try:
            scp_changed()
        finally:
            _lock.release()


def _org_scope(response: Any, write: bool) -> Any:
    """The Organizations backend a policy operation acts on: the caller's own
    when it is the management account; for reads, the organization's when the
    caller is a delegated administrator (of any service).  Other members:
    AccessDeniedException; no organization: AWSOrganizationsNotInUseException."""
    from moto.organizations.exceptions import AWSOrganizationsNotInUseException

    caller = response.current_account
    backends = _org_backends()
    own = backend_of(backends, caller, response.partition)
    if own.org is not None:
        return own
    backend = org_backend_of(caller)
    if backend is None:
        raise AWSOrganizationsNotInUseException
    if write or not any(admin.account.id == caller for admin in backend.admins):
        raise OrganizationsAccessDenied
    return backend


def _params(response: Any) -> dict[str, Any]:
    params = response.request_params
    return params if isinstance(params, dict) else {}


def _invalid(message: str = "You specified an invalid value.") -> Exception:
    from moto.organizations.exceptions import InvalidInputException

    return InvalidInputException(message)


def _policy_type(value: Any) -> str:
    from moto.organizations.models import FakePolicy

    if not isinstance(value, str) or not FakePolicy.supported_policy_type(value):
        raise _invalid()
    return value


def _find_policy(backend: Any, policy_id: Any) -> Any:
    from moto.organizations.exceptions import PolicyNotFoundException

    if not isinstance(policy_id, str) or not _POLICY_ID_RE.match(policy_id):
        raise _invalid()
    policy = next((p for p in backend.policies if p.id == policy_id), None)
    if policy is None:
        raise PolicyNotFoundException(
            "We can't find a policy with the PolicyId that you specified."
        )
    return policy


def _find_target(backend: Any, target_id: Any) -> Any:
    """A root, OU or account of the organization (TargetNotFoundException)."""
    from moto.organizations.exceptions import TargetNotFoundException

    if not isinstance(target_id, str) or not _TARGET_ID_RE.match(target_id):
        raise _invalid()
    index = _index(backend)
    target = index.ous.get(target_id) or account_in_org(backend, target_id)
    if target is None:
        raise TargetNotFoundException
    return target


def _type_enabled(backend: Any, policy_type: str) -> bool:
    root = next((ou for ou in backend.ou if getattr(ou, "type", "") == "ROOT"), None)
    return root is not None and any(t.get("Type") == policy_type for t in root.policy_types)


def _require_type_enabled(backend: Any, policy_type: str) -> None:
    from moto.organizations.exceptions import PolicyTypeNotEnabledException

    if not _type_enabled(backend, policy_type):
        raise PolicyTypeNotEnabledException


def _attached_of_type(target: Any, policy_type: str) -> int:
    return sum(1 for p in target.attached_policies if p.type == policy_type)


def _check_content(content: Any) -> str:
    if not isinstance(content, str):
        raise _invalid()
    try:
        document = json.loads(content)
    except ValueError:
        document = None
    if not isinstance(document, dict) or "Statement" not in document:
        raise OrgError(
            "MalformedPolicyDocumentException",
            "The provided policy document doesn't meet the requirements of the specified "
            "policy type.",
        )
    if len(content) > MAX_POLICY_CHARS:
        raise OrgError(
            "ConstraintViolationException",
            "You attempted to create or update a policy that is larger than the maximum "
            "size.",
            Reason="POLICY_CONTENT_LIMIT_EXCEEDED",
        )
    return content


def _page(
    response: Any, operation: str, backend: Any, scope: tuple[Any, ...], items: list[Any]
) -> tuple[list[Any], str | None]:
    """One page of items: MaxResults 1..20 (default 20), an opaque NextToken
    (an offset; valid only for the same operation and parameters)."""
    params = _params(response)
    max_results = params.get("MaxResults", POLICY_PAGE)
    if (
        not isinstance(max_results, int)
        or isinstance(max_results, bool)
        or not 1 <= max_results <= POLICY_PAGE
    ):
        raise _invalid()
    fingerprint = host._fingerprint(operation, backend.org.id, *scope)
    offset = 0
    token = params.get("NextToken")
    if token is not None:
        cursor = host._decode_token(token, fingerprint)
        if cursor is None or not isinstance(cursor.get("o"), int) or cursor["o"] < 0:
            raise _invalid()
        offset = cursor["o"]
    page = items[offset : offset + max_results]
    following = None
    if offset + max_results < len(items):
        following = host._encode_token(fingerprint, {"o": offset + max_results})
    return page, following


def _summary(policy: Any) -> dict[str, Any]:
    return {
        "Id": policy.id,
        "Arn": policy.arn,
        "Name": policy.name,
        "Description": policy.description or "",
        "Type": policy.type,
        "AwsManaged": policy.aws_managed,
    }


def _described(policy: Any) -> dict[str, Any]:
    return {"Policy": {"PolicySummary": _summary(policy), "Content": policy.content}}


def _listing(key: str, items: list[Any], following: str | None) -> dict[str, Any]:
    answer: dict[str, Any] = {key: items}
    if following is not None:
        answer["NextToken"] = following
    return answer


def _entities(backend: Any) -> list[Any]:
    """Every root, OU and account of the organization."""
    return list(backend.ou) + list(backend.accounts)


def org_create_policy(self: Any) -> dict[str, Any]:
    from moto.organizations.exceptions import DuplicatePolicyException
    from moto.organizations.models import FakePolicy

    backend = _org_scope(self, write=True)
    params = _params(self)
    policy_type = _policy_type(params.get("Type"))
    name = params.get("Name")
    if not isinstance(name, str) or not 1 <= len(name) <= 128:
        raise _invalid()
    description = params.get("Description", "")
    if not isinstance(description, str) or len(description) > 512:
        raise _invalid()
    content = _check_content(params.get("Content"))
    with _OrgChange():
        if any(p.name == name for p in backend.policies):
            raise DuplicatePolicyException
        policy = FakePolicy(
            backend.org,
            Name=name,
            Description=description,
            Type=policy_type,
            Content=content,
            Tags=params.get("Tags") or [],
        )
        backend.policies.append(policy)
    return _described(policy)


def org_update_policy(self: Any) -> dict[str, Any]:
    from moto.organizations.exceptions import DuplicatePolicyException

    backend = _org_scope(self, write=True)
    params = _params(self)
    with _OrgChange():
        policy = _find_policy(backend, params.get("PolicyId"))
        if "Content" in params:
            policy.content = _check_content(params["Content"])
        if "Name" in params:
            name = params["Name"]
            if not isinstance(name, str) or not 1 <= len(name) <= 128:
                raise _invalid()
            if any(p.name == name and p is not policy for p in backend.policies):
                raise DuplicatePolicyException
            policy.name = name
        if "Description" in params:
            description = params["Description"]
            if not isinstance(description, str) or len(description) > 512:
                raise _invalid()
            policy.description = description
    return _described(policy)


def org_delete_policy(self: Any) -> dict[str, Any]:
    backend = _org_scope(self, write=True)
    with _OrgChange():
        policy = _find_policy(backend, _params(self).get("PolicyId"))
        if policy.attachments:
            raise OrgError(
                "PolicyInUseException",
                "The policy is attached to one or more entities. You must detach it from "
                "all roots, OUs, and accounts before performing this operation.",
            )
        backend.policies.remove(policy)
    return {}


def org_describe_policy(self: Any) -> dict[str, Any]:
    backend = _org_scope(self, write=False)
    return _described(_find_policy(backend, _params(self).get("PolicyId")))


def org_list_policies(self: Any) -> dict[str, Any]:
    backend = _org_scope(self, write=False)
    policy_type = _policy_type(_params(self).get("Filter"))
    policies = [p for p in backend.policies if p.type == policy_type]
    page, following = _page(self, "ListPolicies", backend, (policy_type,), policies)
    return _listing("Policies", [_summary(p) for p in page], following)


def org_list_policies_for_target(self: Any) -> dict[str, Any]:
    backend = _org_scope(self, write=False)
    params = _params(self)
    target = _find_target(backend, params.get("TargetId"))
    policy_type = _policy_type(params.get("Filter"))
    policies = [p for p in target.attached_policies if p.type == policy_type]
    page, following = _page(
        self, "ListPoliciesForTarget", backend, (target.id, policy_type), policies
    )
    return _listing("Policies", [_summary(p) for p in page], following)


def org_list_targets_for_policy(self: Any) -> dict[str, Any]:
    backend = _org_scope(self, write=False)
    policy = _find_policy(backend, _params(self).get("PolicyId"))
    page, following = _page(
        self, "ListTargetsForPolicy", backend, (policy.id,), list(policy.attachments)
    )
    targets = [
        {"TargetId": t.id, "Arn": t.arn, "Name": t.name, "Type": t.type} for t in page
    ]
    return _listing("Targets", targets, following)


def org_attach_policy(self: Any) -> dict[str, Any]:
    backend = _org_scope(self, write=True)
    params = _params(self)
    with _OrgChange():
        policy = _find_policy(backend, params.get("PolicyId"))
        target = _find_target(backend, params.get("TargetId"))
        _require_type_enabled(backend, policy.type)
        if policy in target.attached_policies:
            raise OrgError(
                "DuplicatePolicyAttachmentException",
                "The selected policy is already attached to the specified target.",
            )
        if (
            policy.type in (SCP, RCP)
            and _attached_of_type(target, policy.type) >= MAX_POLICIES_PER_TARGET
        ):
            raise OrgError(
                "ConstraintViolationException",
                "You have attached the maximum number of policies of this type to the "
                "specified target.",
                Reason="POLICY_NUMBER_LIMIT_EXCEEDED",
            )
        target.attached_policies.append(policy)
        policy.attachments.append(target)
    return {}


def org_detach_policy(self: Any) -> dict[str, Any]:
    backend = _org_scope(self, write=True)
    params = _params(self)
    with _OrgChange():
        policy = _find_policy(backend, params.get("PolicyId"))
        target = _find_target(backend, params.get("TargetId"))
        _require_type_enabled(backend, policy.type)
        if policy not in target.attached_policies:
            raise OrgError(
                "PolicyNotAttachedException",
                "The policy isn't attached to the specified target in the specified root.",
            )
        if policy.type in (SCP, RCP) and _attached_of_type(target, policy.type) <= 1:
            raise OrgError(
                "ConstraintViolationException",
                "You attempted to detach a policy from an entity that would leave it with "
                "fewer than the minimum number of policies of this type.",
                Reason="MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            )
        target.attached_policies.remove(policy)
        policy.attachments.remove(target)
    return {}


def org_list_roots(self: Any) -> dict[str, Any]:
    backend = _org_scope(self, write=False)
    roots = [ou for ou in backend.ou if getattr(ou, "type", "") == "ROOT"]
    return {
        "Roots": [
            {
                "Id": root.id,
                "Arn": root.arn,
                "Name": root.name,
                "PolicyTypes": [dict(t) for t in root.policy_types],
            }
            for root in roots
        ]
    }


def _root_answer(root: Any) -> dict[str, Any]:
    return {
        "Root": {
            "Id": root.id,
            "Arn": root.arn,
            "Name": root.name,
            "PolicyTypes": [dict(t) for t in root.policy_types],
        }
    }


def org_enable_policy_type(self: Any) -> dict[str, Any]:
    """As AWS: enabling SCPs (again) leaves every root, OU and account with
    FullAWSAccess attached."""
    backend = _org_scope(self, write=True)
    params = _params(self)
    with _OrgChange():
        root = backend._get_root_by_id(params.get("RootId"))
        policy_type = _policy_type(params.get("PolicyType"))
        if backend.org.feature_set != "ALL":
            raise OrgError(
                "PolicyTypeNotAvailableForOrganizationException",
                "You can't use the specified policy type with the feature set currently "
                "enabled for this organization.",
            )
        root.add_policy_type(policy_type)
        if policy_type == SCP:
            full = next((p for p in backend.policies if p.id == FULL_AWS_ACCESS), None)
            if full is not None:
                for entity in _entities(backend):
                    if full not in entity.attached_policies:
                        entity.attached_policies.append(full)
                        full.attachments.append(entity)
    return _root_answer(root)


def org_disable_policy_type(self: Any) -> dict[str, Any]:
    """As AWS: disabling a policy type detaches every policy of that type
    from every root, OU and account."""
    backend = _org_scope(self, write=True)
    params = _params(self)
    with _OrgChange():
        root = backend._get_root_by_id(params.get("RootId"))
        policy_type = _policy_type(params.get("PolicyType"))
        root.remove_policy_type(policy_type)
        for entity in _entities(backend):
            for policy in [p for p in entity.attached_policies if p.type == policy_type]:
                entity.attached_policies.remove(policy)
                if entity in policy.attachments:
                    policy.attachments.remove(entity)
    return _root_answer(root)


def org_list_accounts(self: Any) -> dict[str, Any]:
    """moto describes and sorts every account for each page (a second per
    listing of 1,000 accounts) and answers a member an empty list; this pages
    in creation order with AWS's page size (MaxResults 1..20, default 20),
    to the management account and the delegated administrators (of any
    service), and refuses other members (AccessDeniedException)."""
    backend = _org_scope(self, write=False)
    page, following = _page(self, "ListAccounts", backend, (), list(backend.accounts))
    return _listing("Accounts", [a.describe() for a in page], following)


POLICY_OPERATIONS: dict[str, Callable[[Any], Any]] = {
    "list_accounts": org_list_accounts,
    "create_policy": org_create_policy,
    "update_policy": org_update_policy,
    "delete_policy": org_delete_policy,
    "describe_policy": org_describe_policy,
    "list_policies": org_list_policies,
    "list_policies_for_target": org_list_policies_for_target,
    "list_targets_for_policy": org_list_targets_for_policy,
    "attach_policy": org_attach_policy,
    "detach_policy": org_detach_policy,
    "list_roots": org_list_roots,
    "enable_policy_type": org_enable_policy_type,
    "disable_policy_type": org_disable_policy_type,
}


def _operation_name(method_name: str) -> str:
    return "".join(part.title() for part in method_name.split("_"))


# The same operations by wire name ("ListTargetsForPolicy"), answered by
# serve_organizations without moto's request dispatch (which costs ≈ 2 ms of
# CPU per request, ten times the operation itself).
DIRECT_ORG_OPERATIONS: dict[str, Callable[[Any], Any]] = {
    _operation_name(name): handler for name, handler in POLICY_OPERATIONS.items()
}


class _OrgRequest:
    """What the operation handlers read of moto's response object."""

    def __init__(self, account: str, partition: str, params: dict[str, Any]):
        self.current_account = account
        self.partition = partition
        self.request_params = params


def serve_organizations(
    app: Any,
    environ: dict[str, Any],
    start_response: StartResponse,
    key_id: str,
    region: str | None,
    action: str,
) -> list[bytes]:
    """Answer an Organizations operation of DIRECT_ORG_OPERATIONS (JSON 1.1,
    signed with a long-term key), as moto would through the handlers patched
    into it, recorded in the caller's event history."""
    from moto.core.exceptions import ServiceException

    import moto.iam.models as iam_models

    raw = host._read_raw(environ)
    when = host._utcnow()
    caller = host.request_caller(environ, key_id)
    request_id = host.new_id()
    # What moto's dispatch does for every request (a no-op unless the server
    # runs with --record-last-used).
    iam_models.mark_account_as_visited(
        account_id=caller.account_id,
        access_key=key_id,
        service="organizations",
        region=region or "us-east-1",
    )
    try:
        params = json.loads(raw or b"{}")
    except ValueError:
        params = None
    status = "200 OK"
    error: AwsError | None = None
    try:
        if not isinstance(params, dict):
            raise OrgError("SerializationException", "The request body is not a JSON object.")
        answer = DIRECT_ORG_OPERATIONS[action](_OrgRequest(caller.account_id, "aws", params))
        body = json.dumps(answer).encode()
    except (OrgError, ServiceException) as failure:
        code = str(failure.code)
        message = str(failure.message)
        extra = failure.extra if isinstance(failure, OrgError) else {}
        body = json.dumps({"__type": code, "Message": message, **extra}).encode()
        status = host._status_line(400)
        error = AwsError(code, message)
    headers = [("Content-Type", ORG_JSON), ("x-amzn-RequestId", request_id)]
    if error is not None:
        headers.append(("x-amzn-ErrorType", error.code))
    headers.append(("Content-Length", str(len(body))))
    _record(app, environ, caller, key_id, "organizations", region, action, when, error,
            request_id)
    start_response(status, headers)
    return [body]


def _patch_policy_operations() -> None:
    """Answer moto's Organizations policy operations as AWS does, with the
    error codes aws-sdk-organizations matches: stock moto accepts a second
    attachment of the same policy and a detach of a policy that is not
    attached, has no quota of 5 SCPs per target, no paging in
    ListTargetsForPolicy, answers a missing target AccountNotFoundException,
    lets any member read the organization's policies and roots (and fails
    with a 500 when a member writes), and leaves SCPs attached when the SCP
    type is disabled."""
    from moto.organizations.responses import OrganizationsResponse

    for name, handler in POLICY_OPERATIONS.items():
        setattr(OrganizationsResponse, name, _org_operation(handler))


def install(host_module: Any) -> None:
    global host
    host = host_module
    _patch_organizations()


# --------------------------------------------------------------------------
# Wire helpers
# --------------------------------------------------------------------------


def _iso(value: Any) -> str:
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, timezone.utc)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml_response(
    start_response: StartResponse,
    action: str,
    ns: str,
    result: str | None,
    request_id: str | None = None,
) -> list[bytes]:
    request_id = request_id or host.new_id()
    inner = f"<{action}Result>{result}</{action}Result>" if result is not None else ""
    body = (
        f'<{action}Response xmlns="{ns}">{inner}'
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
        f"</{action}Response>"
    ).encode()
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/xml"),
            ("Content-Length", str(len(body))),
            ("x-amzn-RequestId", request_id),
        ],
    )
    return [body]


class AwsError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def access_denied(message: str) -> AwsError:
    return AwsError("AccessDenied", message, 403)


def protocol_of(environ: dict[str, Any], service: str | None) -> str:
    """The wire protocol of a request: "json" (awsJson: X-Amz-Target),
    "s3" (REST-XML without wrapper), "ec2", "query" (IAM, STS and other
    form-encoded requests) or "rest-json"."""
    content_type = environ.get("CONTENT_TYPE", "")
    if content_type.startswith("application/x-amz-json") or environ.get("HTTP_X_AMZ_TARGET"):
        return "json"
    if service == "s3":
        return "s3"
    if service == "ec2":
        return "ec2"
    if service in ("iam", "sts", None) or content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        return "query"
    return "rest-json"


def _error_response(
    start_response: StartResponse,
    error: AwsError,
    service: str | None,
    environ: dict[str, Any],
) -> list[bytes]:
    """An error answered in the request's protocol, as AWS does; an
    AccessDenied is AccessDeniedException (400) in JSON 1.x,
    AccessDeniedException (403) in REST-JSON, UnauthorizedOperation (403)
    in EC2."""
    request_id = host.new_id()
    protocol = protocol_of(environ, service)
    code, message, status = error.code, error.message, error.status
    headers: list[tuple[str, str]]
    if protocol in ("json", "rest-json"):
        if code == "AccessDenied":
            code, status = "AccessDeniedException", 400 if protocol == "json" else 403
        if protocol == "json":
            body = json.dumps({"__type": code, "message": message}).encode()
            content_type = environ.get("CONTENT_TYPE", "").split(";")[0]
            content_type = content_type or "application/x-amz-json-1.1"
        else:
            body = json.dumps({"message": message}).encode()
            content_type = "application/json"
        headers = [
            ("Content-Type", content_type),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", code),
        ]
    elif protocol == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
        ).encode()
        headers = [
            ("Content-Type", "application/xml"),
            ("x-amz-request-id", request_id),
            ("x-amzn-RequestId", request_id),
        ]
    elif protocol == "ec2":
        if code == "AccessDenied":
            code = "UnauthorizedOperation"
            message = f"You are not authorized to perform this operation. {message}"
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        ).encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    else:
        ns = {"iam": IAM_NS, "sts": STS_NS}.get(service or "")
        xmlns = f' xmlns="{ns}"' if ns else ""
        body = (
            f"<ErrorResponse{xmlns}><Error><Type>Sender</Type>"
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    headers.append(("Content-Length", str(len(body))))
    start_response(host._status_line(status), headers)
    return [body]


def query_params(environ: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    """The form parameters of a query-protocol request (body and query string);
    the body is put back for whoever reads it next."""
    import io

    raw = host._read_raw(environ)
    environ["wsgi.input"] = io.BytesIO(raw)
    environ["CONTENT_LENGTH"] = str(len(raw))
    params: dict[str, str] = {}
    query = environ.get("QUERY_STRING", "")
    if query:
        params.update({k: v[0] for k, v in parse_qs(query).items()})
    content_type = environ.get("CONTENT_TYPE", "")
    if raw and not content_type.startswith("application/x-amz-json") and b"=" in raw:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        params.update({k: v[0] for k, v in parse_qs(text).items()})
    return params, raw


def request_action(
    environ: dict[str, Any], service: str | None, params: dict[str, str] | None
) -> str | None:
    """The operation a request names: Action (query), X-Amz-Target (JSON); None
    for REST protocols."""
    if params is not None and params.get("Action"):
        return params["Action"]
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rsplit(".", 1)[-1]
    return None


# --------------------------------------------------------------------------
# SCP evaluation
# --------------------------------------------------------------------------


_wildcards: dict[str, re.Pattern[str]] = {}


def _compile_wildcard(pattern: str) -> re.Pattern[str]:
    compiled = _wildcards.get(pattern)
    if compiled is None:
        regex = "".join(
            ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern
        )
        compiled = re.compile(f"^{regex}$", re.IGNORECASE | re.DOTALL)
        _wildcards[pattern] = compiled
    return compiled


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statements(policy: Any) -> list[dict[str, Any]]:
    key = (policy.id, policy.content or "")
    cached = _scp_cache.get(key)
    if cached is None:
        try:
            document = json.loads(policy.content or "{}")
        except ValueError:
            document = {}
        statements = _as_list(document.get("Statement")) if isinstance(document, dict) else []
        cached = [s for s in statements if isinstance(s, dict)]
        _scp_cache[key] = cached
    return cached


def _action_matches(statement: dict[str, Any], action: str | None, service: str) -> bool:
    """Does the statement's Action/NotAction cover the action?  An unknown
    action (REST protocols) matches only "*" and "<service>:*"."""
    if "Action" in statement:
        patterns = _as_list(statement["Action"])
        return any(_pattern_covers(p, action, service) for p in patterns)
    if "NotAction" in statement:
        patterns = _as_list(statement["NotAction"])
        if action is None:
            return False
        return not any(_pattern_covers(p, action, service) for p in patterns)
    return False


def _pattern_covers(pattern: Any, action: str | None, service: str) -> bool:
    if not isinstance(pattern, str):
        return False
    if action is None:
        return pattern == "*" or pattern.lower() == f"{service}:*"
    return bool(_compile_wildcard(pattern).match(f"{service}:{action}"))


def _condition_holds(operator: str, key: str, wanted: Any, context: dict[str, str]) -> bool | None:
    """One condition key under one operator; None for an unknown operator."""
    values = [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(wanted)]
    base = operator
    if_exists = base.endswith("IfExists")
    if if_exists:
        base = base[: -len("IfExists")]
    # Condition keys are case-insensitive.
    actual = None
    for name, value in context.items():
        if name.lower() == key.lower():
            actual = value
            break
    if base == "Null":
        is_null = actual is None
        return any((v.lower() == "true") == is_null for v in values)
    if actual is None:
        return if_exists
    if base == "StringEquals":
        return actual in values
    if base == "StringEqualsIgnoreCase":
        return actual.lower() in [v.lower() for v in values]
    if base == "StringNotEquals":
        return actual not in values
    if base == "StringLike":
        return any(_like(v).match(actual) for v in values)
    if base == "StringNotLike":
        return not any(_like(v).match(actual) for v in values)
    # AWS: ArnEquals and ArnLike are the same test (wildcards in both).
    if base in ("ArnLike", "ArnEquals"):
        return any(arn_like(v, actual) for v in values)
    if base in ("ArnNotLike", "ArnNotEquals"):
        return not any(arn_like(v, actual) for v in values)
    if base == "Bool":
        return actual.lower() in [v.lower() for v in values]
    return None


def _like(pattern: str) -> re.Pattern[str]:
    key = "\0like\0" + pattern
    compiled = _wildcards.get(key)
    if compiled is None:
        regex = "".join(
            ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern
        )
        compiled = re.compile(f"^{regex}$", re.DOTALL)
        _wildcards[key] = compiled
    return compiled


def arn_like(pattern: str, value: str) -> bool:
    """AWS's ArnLike: each of the six colon-delimited parts of the ARN is
    matched on its own (``*`` and ``?`` never cross a colon, except in the
    last part, the resource, which may itself hold colons); case-sensitive.
    ``arn:*:iam::*:root`` matches the root user in every partition."""
    wanted = pattern.split(":", 5)
    actual = value.split(":", 5)
    if len(wanted) != 6 or len(actual) != 6:
        return False
    return all(_like(w).match(a) for w, a in zip(wanted, actual))


def _conditions_hold(statement: dict[str, Any], context: dict[str, str]) -> bool:
    condition = statement.get("Condition")
    if not condition:
        return True
    if not isinstance(condition, dict):
        return False
    for operator, entries in condition.items():
        if not isinstance(entries, dict):
            return False
        for key, wanted in entries.items():
            holds = _condition_holds(operator, key, wanted, context)
            if holds is None:
                print(
                    f"moto_org: unsupported SCP condition operator {operator!r}: "
                    "the statement does not apply",
                    file=sys.stderr,
                )
                return False
            if not holds:
                return False
    return True


# SCP verdicts: (account, principal, service, action, context) -> message or
# None.  Cleared by scp_changed(), which every change to the organizations
# state calls (moto's Organizations backend methods that are not reads,
# /_rootkeys/* POSTs, /moto-api/*); a verdict computed while a change was
# under way is not kept (the generation moved on).
_scp_verdicts: dict[tuple[Any, ...], str | None] = {}
_scp_generation = 0
_SCP_VERDICTS_MAX = 100_000


def scp_changed() -> None:
    """Forget the SCP verdicts (the organization or its policies changed)."""
    global _scp_generation
    with _lock:
        _scp_generation += 1
        _scp_verdicts.clear()


def scp_denial(
    account_id: str,
    principal_arn: str,
    service: str,
    action: str | None,
    context: dict[str, str],
) -> str | None:
    """Why the member's SCPs deny this request (a message), or None."""
    key = (account_id, principal_arn, service, action, tuple(context.items()))
    generation = _scp_generation
    try:
        return _scp_verdicts[key]
    except KeyError:
        pass
    verdict = evaluate_scps(account_id, principal_arn, service, action, context)
    with _lock:
        if generation == _scp_generation:
            if len(_scp_verdicts) >= _SCP_VERDICTS_MAX:
                _scp_verdicts.clear()
            _scp_verdicts[key] = verdict
    return verdict


def evaluate_scps(
    account_id: str,
    principal_arn: str,
    service: str,
    action: str | None,
    context: dict[str, str],
) -> str | None:
    """scp_denial without the cache."""
    backend = org_backend_of(account_id)
    if backend is None or account_id == backend.org.master_account_id:
        return None
    if not scp_enabled(backend):
        return None  # as on AWS: SCPs apply only while the type is enabled
    index = _index(backend)
    account = index.accounts.get(account_id)
    if account is None:
        return None
    levels = [account]
    parent = index.ous.get(account.parent_id)
    seen = 0
    while parent is not None and seen < 10:
        levels.append(parent)
        parent = index.ous.get(getattr(parent, "parent_id", None) or "")
        seen += 1
    shown = f"{service}:{action}" if action else f"{service}:*"
    resource = principal_arn
    allowed_everywhere = True
    for level in levels:
        allowed_here = False
        for policy in level.attached_policies:
            if policy.type != "SERVICE_CONTROL_POLICY":
                continue
            for statement in _statements(policy):
                if not _action_matches(statement, action, service):
                    continue
                if not _conditions_hold(statement, context):
                    continue
                effect = statement.get("Effect")
                if effect == "Deny":
                    return (
                        f"User: {principal_arn} is not authorized to perform: {shown} "
                        f"on resource: {resource} with an explicit deny in a service "
                        "control policy"
                    )
                if effect == "Allow":
                    allowed_here = True
        if not allowed_here:
            allowed_everywhere = False
    if not allowed_everywhere:
        return (
            f"User: {principal_arn} is not authorized to perform: {shown} on resource: "
            f"{resource} because no service control policy allows the {shown} action"
        )
    return None


def long_term_key_denial(
    key_id: str, service: str | None, action: str | None
) -> str | None:
    """SCP verdict for a request signed with a long-term key moto issued."""
    if not service or (service == "sts" and action == "GetCallerIdentity"):
        return None
    owner = host.key_owner(key_id)
    if owner is None:
        return None
    backend, user = owner
    account_id = backend.account_id
    if account_id not in _org_backends().master_accounts:
        return None  # not a member of any organization
    if host.acts_as_root(user):
        principal = f"arn:{backend.partition}:iam::{account_id}:root"
    elif user is not None:
        principal = user.arn
    else:
        return None
    context = {"aws:PrincipalArn": principal, "aws:PrincipalAccount": account_id}
    if user is not None and user.name == host.ROOT_SESSION:
        # Temporary root credentials of a console sign-in (CloudShell), made
        # with MFA.
        context["aws:MultiFactorAuthPresent"] = "true"
    return scp_denial(account_id, principal, service, action, context)


def stamp_member_root_key(key_id: str, service: str | None, region: str | None) -> None:
    """Record the use of a member account's long-term root key (its
    ``root-standin`` key): now, the signing service, the region (us-east-1
    for global services such as IAM).  Called for every request signed with
    one, whatever its answer (an SCP denial included), as AWS records the
    last use of a key that signed a request.  Keys of the management account
    and of IAM users are left to moto (stamped only with --record-last-used)."""
    owner = host.key_owner(key_id)
    if owner is None:
        return
    backend, user = owner
    if user is None or user.name != host.ROOT_STANDIN:
        return
    if backend.account_id not in _org_backends().master_accounts:
        return
    key = backend.access_keys.get(key_id)
    if key is None:
        return
    from moto.iam.models import AccessKeyLastUsed

    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    key.last_used = AccessKeyLastUsed(
        timestamp=now,
        service=service or "N/A",
        region=host.event_region_of(service, region) if service else (region or "N/A"),
    )


ORG_DENIED_MESSAGE = "You don't have permissions to access this resource."


def org_action_denial(service: str | None, action: str | None) -> AwsError | None:
    """AccessDeniedException for an Organizations operation that
    POST /_rootkeys/org/deny took away from every caller."""
    if service != "organizations" or not action or action not in _denied_org_actions:
        return None
    return AwsError("AccessDeniedException", ORG_DENIED_MESSAGE, 400)


# --------------------------------------------------------------------------
# Caller of AssumeRoot and of the features API
# --------------------------------------------------------------------------


@dataclass
class OrgCaller:
    account_id: str
    arn: str
    is_root: bool


def org_caller(environ: dict[str, Any], key_id: str) -> OrgCaller:
    session = _sessions.get(key_id)
    if session is not None:
        return OrgCaller(session.account_id, session.arn, True)
    caller = host.request_caller(environ, key_id)
    identity = caller.identity
    return OrgCaller(
        caller.account_id, identity.get("arn", ""), identity.get("type") == "Root"
    )


# --------------------------------------------------------------------------
# AssumeRoot
# --------------------------------------------------------------------------

_ACCOUNT_RE = re.compile(r"^\d{12}$")
_ROOT_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):root$")


def _target_account(value: str | None) -> str:
    if not value:
        raise AwsError("ValidationError", "TargetPrincipal is required")
    if _ACCOUNT_RE.match(value):
        return value
    found = _ROOT_ARN_RE.match(value)
    if found:
        return found.group(1)
    raise AwsError(
        "ValidationError",
        f"Invalid TargetPrincipal {value!r}: expected a member account ID or "
        "arn:aws:iam::<account-id>:root",
    )


def assume_root(
    environ: dict[str, Any],
    key_id: str,
    params: dict[str, str],
    is_global: bool,
    request_id: str = "",
) -> Session:
    if is_global:
        raise AwsError(
            "InvalidAction",
            "AssumeRoot is not supported on the global STS endpoint "
            "(sts.amazonaws.com): use a Regional STS endpoint",
        )
    duration_text = params.get("DurationSeconds")
    duration = MAX_ROOT_SESSION
    if duration_text is not None:
        try:
            duration = int(duration_text)
        except ValueError:
            raise AwsError(
                "ValidationError", f"DurationSeconds must be a number: {duration_text!r}"
            ) from None
        if duration > MAX_ROOT_SESSION:
            raise AwsError(
                "ValidationError",
                f"1 validation error detected: Value '{duration}' at 'durationSeconds' "
                "failed to satisfy constraint: Member must have value less than or "
                f"equal to {MAX_ROOT_SESSION}",
            )
        if duration < 0:
            raise AwsError(
                "ValidationError",
                f"1 validation error detected: Value '{duration}' at 'durationSeconds' "
                "failed to satisfy constraint: Member must have value greater than or "
                "equal to 0",
            )
    task_arn = params.get("TaskPolicyArn.arn") or params.get("TaskPolicyArn.Arn")
    task = (
        task_arn[len(TASK_POLICY_PREFIX):]
        if task_arn and task_arn.startswith(TASK_POLICY_PREFIX)
        else None
    )
    if task not in DEFAULT_TASK_POLICIES:
        raise AwsError(
            "ValidationError",
            f"Invalid TaskPolicyArn {task_arn!r}: use one of the root-task policies "
            f"{', '.join(TASK_POLICY_PREFIX + n for n in DEFAULT_TASK_POLICIES)}",
        )
    target = _target_account(params.get("TargetPrincipal"))

    caller = org_caller(environ, key_id)
    target_arn = f"arn:aws:iam::{target}:root"
    denied = (
        f"User: {caller.arn} is not authorized to perform: sts:AssumeRoot on resource: "
        f"{target_arn}"
    )
    if caller.is_root:
        raise access_denied(
            f"{denied}: the root user cannot call AssumeRoot; use an IAM principal of "
            "the management account or of the delegated administrator for IAM"
        )
    backend = org_backend_of(caller.account_id)
    if backend is None:
        raise access_denied(f"{denied}: account {caller.account_id} is in no organization")
    org = backend.org
    if caller.account_id != org.master_account_id and caller.account_id not in delegated_admins(
        backend
    ):
        raise access_denied(
            f"{denied}: account {caller.account_id} is neither the management account "
            "nor the delegated administrator for IAM"
        )
    if org.feature_set != "ALL":
        raise access_denied(f"{denied}: the organization does not have all features enabled")
    if not trusted_access(backend):
        raise access_denied(
            f"{denied}: trusted access for {IAM_SERVICE_PRINCIPAL} is not enabled in "
            "AWS Organizations"
        )
    needed = TASK_FEATURE.get(task, FEATURE_CREDENTIALS)
    if needed not in features_of(org.id):
        raise access_denied(
            f"{denied}: centralized root access ({needed}) is not enabled for the organization"
        )
    if target == org.master_account_id:
        raise access_denied(f"{denied}: the management account cannot be targeted")
    account = account_in_org(backend, target)
    if account is None:
        raise access_denied(f"{denied}: account {target} is not a member of the organization")
    if account.status != "ACTIVE":
        raise access_denied(f"{denied}: account {target} is {account.status}")

    # 16 characters of A-Z2-7 (base32 of 10 random bytes).
    new_key = "ASIA" + base64.b32encode(secrets.token_bytes(10)).decode()
    issued = time.time()
    session = Session(
        access_key_id=new_key,
        secret_access_key=secrets.token_urlsafe(30)[:40],
        session_token=base64.b64encode(b"rootkeys-test-session:" + secrets.token_bytes(180)).decode(),
        account_id=target,
        task_policy=task,
        expiration=issued + duration,
        caller_arn=caller.arn,
        issued=issued,
        duration_seconds=duration,
        request_id=request_id,
    )
    with _lock:
        _sessions[new_key] = session
    return session


def serve_assume_root(
    app: Any,
    environ: dict[str, Any],
    start_response: StartResponse,
    key_id: str,
    params: dict[str, str],
    region: str | None,
    is_global: bool,
) -> list[bytes]:
    when = host._utcnow()
    caller = host.request_caller(environ, key_id)
    request_id = host.new_id()
    try:
        session = assume_root(environ, key_id, params, is_global, request_id)
    except AwsError as error:
        _record(app, environ, caller, key_id, "sts", region, "AssumeRoot", when, error)
        return _error_response(start_response, error, "sts", environ)
    _record(app, environ, caller, key_id, "sts", region, "AssumeRoot", when, None, request_id)
    result = (
        "<Credentials>"
        f"<AccessKeyId>{session.access_key_id}</AccessKeyId>"
        f"<SecretAccessKey>{session.secret_access_key}</SecretAccessKey>"
        f"<SessionToken>{session.session_token}</SessionToken>"
        f"<Expiration>{_iso(session.expiration)}</Expiration>"
        "</Credentials>"
    )
    return _xml_response(start_response, "AssumeRoot", STS_NS, result, request_id)


def _record(
    app: Any,
    environ: dict[str, Any],
    caller: Any,
    key_id: str,
    service: str,
    region: str | None,
    action: str,
    when: datetime,
    error: AwsError | None,
    request_id: str | None = None,
) -> None:
    try:
        app.record(
            environ,
            caller,
            key_id,
            service,
            region,
            action,
            when,
            (error.code, error.message) if error else (None, None),
            [("x-amzn-RequestId", request_id)] if request_id else [],
        )
    except Exception as failure:  # recording must never break a request
        print(f"moto_org: could not record {action}: {failure!r}", file=sys.stderr)


# --------------------------------------------------------------------------
# IAM organization features
# --------------------------------------------------------------------------


def org_features_call(environ: dict[str, Any], key_id: str, action: str) -> tuple[str, list[str]]:
    """Error codes as on the wire (the ``Exception`` suffix, which aws-sdk-iam
    matches)."""
    caller = org_caller(environ, key_id)
    backend = org_backend_of(caller.account_id)
    if backend is None:
        raise AwsError(
            "OrganizationNotFoundException",
            "The request was rejected because no organization is associated with your account.",
        )
    org = backend.org
    if org.feature_set != "ALL":
        raise AwsError(
            "OrganizationNotInAllFeaturesModeException",
            "The request was rejected because your organization does not have All features "
            "enabled.",
        )
    is_management = caller.account_id == org.master_account_id
    is_delegated = caller.account_id in delegated_admins(backend)
    if not (is_management or is_delegated):
        raise AwsError(
            "AccountNotManagementOrDelegatedAdministratorException",
            "The request was rejected because the account making the request is not the "
            "management account or delegated administrator account for centralized root "
            "access.",
        )
    if action.startswith("Enable") and not is_management:
        raise AwsError(
            "CallerIsNotManagementAccountException",
            "The request was rejected because the account making the request is not the "
            "management account for the organization.",
        )
    if not trusted_access(backend):
        raise AwsError(
            "ServiceAccessNotEnabledException",
            "The request was rejected because trusted access is not enabled for IAM in AWS "
            "Organizations.",
        )
    feature = FEATURE_SESSIONS if action.endswith("RootSessions") else FEATURE_CREDENTIALS
    with _lock:
        enabled = _features.setdefault(org.id, set())
        if action.startswith("Enable"):
            enabled.add(feature)
        elif action.startswith("Disable"):
            enabled.discard(feature)
        current = [f for f in FEATURES if f in enabled]
    return org.id, current


def serve_org_features(
    app: Any,
    environ: dict[str, Any],
    start_response: StartResponse,
    key_id: str,
    action: str,
    region: str | None,
) -> list[bytes]:
    when = host._utcnow()
    caller = host.request_caller(environ, key_id)
    try:
        org_id, enabled = org_features_call(environ, key_id, action)
    except AwsError as error:
        _record(app, environ, caller, key_id, "iam", region, action, when, error)
        return _error_response(start_response, error, "iam", environ)
    _record(app, environ, caller, key_id, "iam", region, action, when, None)
    members = "".join(f"<member>{f}</member>" for f in enabled)
    result = f"<OrganizationId>{org_id}</OrganizationId><EnabledFeatures>{members}</EnabledFeatures>"
    return _xml_response(start_response, action, IAM_NS, result)


# --------------------------------------------------------------------------
# Requests signed by a root session
# --------------------------------------------------------------------------


def _session_identity(session: Session) -> Any:
    identity = {
        "type": "Root",
        "principalId": session.account_id,
        "arn": session.arn,
        "accountId": session.account_id,
        "accessKeyId": session.access_key_id,
        "sessionContext": {"assumedRoot": "true"},
    }
    return host.Caller(session.account_id, identity, "root")


def _member_iam(session: Session) -> Any:
    from moto.iam.models import iam_backends

    return backend_of(iam_backends, session.account_id, session.partition)


def _key_xml(key: Any) -> str:
    return (
        "<member>"
        f"<AccessKeyId>{key.access_key_id}</AccessKeyId>"
        f"<Status>{key.status}</Status>"
        f"<CreateDate>{_iso(key.create_date)}</CreateDate>"
        "</member>"
    )


def _session_iam(session: Session, action: str, params: dict[str, str]) -> str | None:
    """The Result element's content of an allowed IAM call in a root session."""
    from moto.iam.models import AccessKeyLastUsed

    iam = _member_iam(session)
    standin = host.standin_of(iam)
    account = session.account_id
    root_arn = session.arn
    if action == "ListAccessKeys":
        keys = list(standin.access_keys) if standin is not None else []
        members = "".join(_key_xml(k) for k in keys)
        return f"<AccessKeyMetadata>{members}</AccessKeyMetadata><IsTruncated>false</IsTruncated>"
    if action == "GetAccessKeyLastUsed":
        key_id = params.get("AccessKeyId", "")
        key = iam.access_keys.get(key_id)
        if key is None:
            raise access_denied(
                f"User: {root_arn} is not authorized to perform: iam:GetAccessKeyLastUsed "
                f"on resource: access key {key_id}"
            )
        owner = "root" if key.user_name in (host.ROOT_STANDIN, host.ROOT_SESSION) else key.user_name
        last = key.last_used
        if isinstance(last, AccessKeyLastUsed):
            used = (
                f"<LastUsedDate>{_iso(last.timestamp)}</LastUsedDate>"
                f"<ServiceName>{escape(last.service or 'N/A')}</ServiceName>"
                f"<Region>{escape(last.region or 'N/A')}</Region>"
            )
        elif isinstance(last, datetime):
            used = f"<LastUsedDate>{_iso(last)}</LastUsedDate><ServiceName>N/A</ServiceName><Region>N/A</Region>"
        else:
            used = "<ServiceName>N/A</ServiceName><Region>N/A</Region>"
        return f"<UserName>{escape(owner or '')}</UserName><AccessKeyLastUsed>{used}</AccessKeyLastUsed>"
    if action == "DeleteAccessKey":
        key_id = params.get("AccessKeyId", "")
        if standin is None or not standin.has_access_key(key_id):
            raise AwsError(
                "NoSuchEntity", f"The Access Key with id {key_id} cannot be found", 404
            )
        iam.delete_access_key(key_id, host.ROOT_STANDIN)
        return None
    if action == "GetUser":
        created = standin.create_date if standin is not None else host.SERVER_START
        return (
            f"<User><UserId>{account}</UserId><Arn>{root_arn}</Arn>"
            f"<CreateDate>{_iso(created)}</CreateDate></User>"
        )
    if action in ("GetLoginProfile", "DeleteLoginProfile"):
        if standin is None or not standin.password:
            raise AwsError(
                "NoSuchEntity", "Login Profile for User root cannot be found.", 404
            )
        if action == "DeleteLoginProfile":
            standin.password = None
            return None
        return (
            f"<LoginProfile><CreateDate>{_iso(standin.create_date)}</CreateDate>"
            "<PasswordResetRequired>false</PasswordResetRequired></LoginProfile>"
        )
    if action == "CreateLoginProfile":
        raise AwsError("NotImplemented", "CreateLoginProfile is not emulated in root sessions", 501)
    if action == "ListMFADevices":
        devices = list(standin.mfa_devices.values()) if standin is not None else []
        members = "".join(
            f"<member><SerialNumber>{escape(d.serial_number)}</SerialNumber>"
            f"<EnableDate>{_iso(d.enable_date)}</EnableDate></member>"
            for d in devices
        )
        return f"<MFADevices>{members}</MFADevices><IsTruncated>false</IsTruncated>"
    if action in ("DeactivateMFADevice", "DeleteVirtualMFADevice"):
        serial = params.get("SerialNumber", "")
        if standin is None or serial not in standin.mfa_devices:
            raise AwsError("NoSuchEntity", f"MFA device {serial} cannot be found", 404)
        standin.mfa_devices.pop(serial)
        return None
    if action == "ListSigningCertificates":
        certs = list(standin.signing_certificates.values()) if standin is not None else []
        members = "".join(
            f"<member><CertificateId>{c.id}</CertificateId><Status>{c.status}</Status>"
            f"<CertificateBody>{escape(c.body)}</CertificateBody></member>"
            for c in certs
        )
        return f"<Certificates>{members}</Certificates><IsTruncated>false</IsTruncated>"
    if action == "DeleteSigningCertificate":
        cert_id = params.get("CertificateId", "")
        if standin is None or cert_id not in standin.signing_certificates:
            raise AwsError("NoSuchEntity", f"Signing certificate {cert_id} cannot be found", 404)
        del standin.signing_certificates[cert_id]
        return None
    if action == "GetAccountSummary":
        summary = iam.get_account_summary()
        entries = "".join(
            f"<entry><key>{k}</key><value>{v}</value></entry>"
            for k, v in summary.summary_map.items()
        )
        return f"<SummaryMap>{entries}</SummaryMap>"
    raise AwsError("NotImplemented", f"{action} is not emulated in root sessions", 501)


def _note_task_denial(session: Session, action: str) -> None:
    with _lock:
        _task_denials.append(
            {
                "access_key_id": session.access_key_id,
                "account_id": session.account_id,
                "task_policy_arn": TASK_POLICY_PREFIX + session.task_policy,
                "action": action,
            }
        )


def serve_session(
    app: Any,
    environ: dict[str, Any],
    start_response: StartResponse,
    session: Session,
    region: str | None,
    service: str | None,
) -> list[bytes]:
    """Answer a request signed with a root session's credentials."""
    params = host._form_params(environ, service)  # query protocols (IAM, STS, EC2, …)
    if params is None:
        host._read_raw(environ)  # read first: the connection may be reused
    action = request_action(environ, service, params)
    note_action(environ, action)
    caller = _session_identity(session)
    when = host._utcnow()
    result: str | None = None
    try:
        token = environ.get("HTTP_X_AMZ_SECURITY_TOKEN") or (params or {}).get(
            "X-Amz-Security-Token"
        )
        if token != session.session_token:
            raise AwsError("InvalidClientTokenId", host.INVALID_TOKEN_MESSAGE, 403)
        if session.expired or time.time() >= session.expiration:
            raise AwsError("ExpiredToken", EXPIRED_MESSAGE, 403)
        if service == "sts" and action == "GetCallerIdentity":
            result = (
                f"<UserId>{session.account_id}</UserId><Account>{session.account_id}</Account>"
                f"<Arn>{session.arn}</Arn>"
            )
        else:
            shown = f"{service}:{action}" if action else f"{service}:*"
            denied = (
                f"User: {session.arn} is not authorized to perform: {shown} on resource: "
                f"{session.arn}"
            )
            context = {
                "aws:PrincipalArn": session.arn,
                "aws:PrincipalAccount": session.account_id,
                "aws:AssumedRoot": "true",
            }
            scp = scp_denial(session.account_id, session.arn, service or "unknown", action, context)
            if scp is not None:
                raise access_denied(scp)
            with _lock:
                allowed = _task_policies.get(session.task_policy, frozenset())
            if shown not in allowed:
                _note_task_denial(session, shown)
                raise access_denied(
                    f"{denied} because no session policy allows the {shown} action"
                )
            if params is not None and params.get("UserName"):
                _note_task_denial(session, shown)
                raise access_denied(
                    f"{denied}: a root session acts on the root user only; omit UserName"
                )
            assert action is not None
            result = _session_iam(session, action, params or {})
    except AwsError as error:
        if action:
            _record(app, environ, caller, session.access_key_id, service or "unknown", region,
                    action, when, error)
        return _error_response(start_response, error, service, environ)
    if action:
        _record(app, environ, caller, session.access_key_id, service or "unknown", region, action,
                when, None)
    ns = STS_NS if service == "sts" else IAM_NS
    return _xml_response(start_response, action or "Unknown", ns, result)


# --------------------------------------------------------------------------
# Control endpoints
# --------------------------------------------------------------------------


def _bad(message: str) -> Exception:
    return host.ControlError("400 Bad Request", message)


def _conflict(message: str) -> Exception:
    return host.ControlError("409 Conflict", message)


def _not_found(message: str) -> Exception:
    return host.ControlError("404 Not Found", message)


def _management_backend(create: bool = False) -> Any:
    backend = backend_of(_org_backends(), MANAGEMENT_ACCOUNT)
    if backend.org is None:
        if not create:
            raise _conflict("no organization: seed one first (POST /_rootkeys/org/seed)")
        backend.create_organization(region="us-east-1", FeatureSet="ALL")
    return backend


def _backend_for_account(account_id: str) -> Any:
    backend = org_backend_of(account_id)
    if backend is None:
        raise _not_found(f"account {account_id} is in no organization")
    return backend


def _int_field(data: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = data.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _bad(f"{name} must be a whole number from {low} to {high}")
    return value


def _bool_field(data: dict[str, Any], name: str, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise _bad(f"{name} must be true or false")
    return value


def _date_field(data: dict[str, Any], name: str) -> datetime | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(f"{name} must be an ISO 8601 date")
    try:
        return host.parse_date(value)
    except ValueError:
        raise _bad(f"invalid {name} {value!r}") from None


def _last_used_field(data: dict[str, Any]) -> Any | None:
    from moto.iam.models import AccessKeyLastUsed

    value = data.get("last_used")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _bad('last_used must be {"date", "service", "region"} or null')
    when = _date_field(value, "date")
    service, region = value.get("service"), value.get("region")
    if when is None or not isinstance(service, str) or not isinstance(region, str):
        raise _bad("last_used needs date, service and region")
    return AccessKeyLastUsed(timestamp=when, service=service, region=region)


def _root_key(account_id: str, status: str, created: datetime | None, last_used: Any) -> Any:
    from moto.iam.models import iam_backends

    iam = backend_of(iam_backends, account_id)
    if host.standin_of(iam) is None:
        iam.create_user("us-east-1", host.ROOT_STANDIN, path="/", tags=[])
    key = iam.create_access_key(host.ROOT_STANDIN, status=status)
    if created is not None:
        key.create_date = created
    key.last_used = last_used
    return key


def _enable_everything(backend: Any, features: bool, scp: bool) -> None:
    from moto.organizations.models import FakeServiceAccess

    if features:
        if not trusted_access(backend):
            backend.services.append(
                FakeServiceAccess(ServicePrincipal=IAM_SERVICE_PRINCIPAL).describe()
            )
        with _lock:
            _features.setdefault(backend.org.id, set()).update(FEATURES)
    if scp and not scp_enabled(backend):
        backend.enable_policy_type(RootId=backend.org.root_id, PolicyType="SERVICE_CONTROL_POLICY")


def control_seed(data: Any) -> dict[str, Any]:
    data = host._object(data)
    known = {"members", "with_keys", "keys_per_member", "last_used", "created", "features", "scp"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise _bad(f"unknown field(s) {', '.join(unknown)}")
    if "members" not in data:
        raise _bad("members is required")
    members = _int_field(data, "members", 0, 0, 5000)
    with_keys = _int_field(data, "with_keys", 0, 0, members)
    per_member = _int_field(data, "keys_per_member", 1, 1, 2)
    features = _bool_field(data, "features", True)
    scp = _bool_field(data, "scp", True)
    last_used = _last_used_field(data)
    created = _date_field(data, "created")

    backend = _management_backend(create=True)
    org = backend.org
    _enable_everything(backend, features, scp)
    answer: list[dict[str, Any]] = []
    with _lock:
        start = _seed_counter.get(org.id, 0)
        _seed_counter[org.id] = start + members
    for number in range(start + 1, start + members + 1):
        name = f"member-{number:04d}"
        email = f"{name}@example.com"
        status = backend.create_account(AccountName=name, Email=email)
        account_id = status["CreateAccountStatus"]["AccountId"]
        key_ids: list[str] = []
        if number - start <= with_keys:
            for _ in range(per_member):
                key_ids.append(_root_key(account_id, "Active", created, last_used).access_key_id)
        answer.append(
            {"account_id": account_id, "name": name, "email": email, "root_key_ids": key_ids}
        )
    return {
        "organization_id": org.id,
        "root_id": org.root_id,
        "management_account_id": org.master_account_id,
        "members": answer,
    }


def _account_field(data: dict[str, Any]) -> str:
    account_id = data.get("account_id")
    if not isinstance(account_id, str) or not _ACCOUNT_RE.match(account_id):
        raise _bad("account_id must be a 12-digit account ID")
    return account_id


def control_root_key(data: Any) -> dict[str, Any]:
    data = host._object(data)
    account_id = _account_field(data)
    status = data.get("status", "Active")
    if status not in ("Active", "Inactive"):
        raise _bad("status must be Active or Inactive")
    key = _root_key(account_id, status, _date_field(data, "created"), _last_used_field(data))
    return {"access_key_id": key.access_key_id, "secret_access_key": key.secret_access_key}


def control_features(data: Any) -> dict[str, Any]:
    from moto.organizations.models import FakeServiceAccess

    data = host._object(data)
    backend = _management_backend()
    org = backend.org
    if "trusted_access" in data:
        if _bool_field(data, "trusted_access", True):
            if not trusted_access(backend):
                backend.services.append(
                    FakeServiceAccess(ServicePrincipal=IAM_SERVICE_PRINCIPAL).describe()
                )
        else:
            backend.services[:] = [
                s for s in backend.services if s["ServicePrincipal"] != IAM_SERVICE_PRINCIPAL
            ]
    with _lock:
        enabled = _features.setdefault(org.id, set())
        for feature in FEATURES:
            if feature in data:
                if _bool_field(data, feature, True):
                    enabled.add(feature)
                else:
                    enabled.discard(feature)
        current = [f for f in FEATURES if f in enabled]
    return {
        "organization_id": org.id,
        "enabled_features": current,
        "trusted_access": trusted_access(backend),
    }


def control_suspend(data: Any) -> dict[str, Any]:
    data = host._object(data)
    account_id = _account_field(data)
    backend = _backend_for_account(account_id)
    account = account_in_org(backend, account_id)
    if account is None:
        raise _not_found(f"account {account_id} is not in the organization")
    if account_id == backend.org.master_account_id:
        raise _bad("the management account cannot be suspended")
    account.status = "SUSPENDED"
    account.state = "SUSPENDED"
    return {"account_id": account_id, "status": "SUSPENDED"}


def control_delegated_admin(data: Any) -> dict[str, Any]:
    from moto.iam.models import iam_backends

    data = host._object(data)
    account_id = _account_field(data)
    backend = _backend_for_account(account_id)
    if account_id == backend.org.master_account_id:
        raise _bad("the management account cannot be its own delegated administrator")
    if account_id not in delegated_admins(backend):
        backend.register_delegated_administrator(
            AccountId=account_id, ServicePrincipal=IAM_SERVICE_PRINCIPAL
        )
    iam = backend_of(iam_backends, account_id)
    user_name = "iam-admin"
    if user_name not in iam.users:
        iam.create_user("us-east-1", user_name, path="/", tags=[])
    key = iam.create_access_key(user_name)
    return {
        "access_key_id": key.access_key_id,
        "secret_access_key": key.secret_access_key,
        "user_name": user_name,
    }


def control_scp(data: Any) -> dict[str, Any]:
    from moto.organizations.models import FakePolicy

    data = host._object(data)
    target = data.get("target")
    content = data.get("content")
    if not isinstance(target, str) or not target:
        raise _bad("target (an account, OU or root id) is required")
    if isinstance(content, (dict, list)):
        content = json.dumps(content)
    if not isinstance(content, str):
        raise _bad("content (the policy document) is required")
    try:
        json.loads(content)
    except ValueError:
        raise _bad("content is not JSON") from None
    backend = _management_backend()
    if not scp_enabled(backend):
        raise _conflict("the SCP policy type is not enabled on the organization root")
    name = data.get("name") or f"scp-{uuid.uuid4().hex[:8]}"
    policy = FakePolicy(
        backend.org,
        Name=name,
        Description=data.get("description", ""),
        Type="SERVICE_CONTROL_POLICY",
        Content=content,
    )
    backend.policies.append(policy)
    try:
        backend.attach_policy(PolicyId=policy.id, TargetId=target)
    except Exception as error:
        backend.policies.remove(policy)
        raise _not_found(f"cannot attach to {target}: {error}") from None
    return {"policy_id": policy.id}


def control_scp_detach(data: Any) -> dict[str, Any]:
    data = host._object(data)
    policy_id, target = data.get("policy_id"), data.get("target")
    if not isinstance(policy_id, str) or not isinstance(target, str):
        raise _bad("policy_id and target are required")
    backend = _management_backend()
    try:
        backend.detach_policy(PolicyId=policy_id, TargetId=target)
    except Exception as error:
        raise _not_found(f"cannot detach {policy_id} from {target}: {error}") from None
    return {}


def control_expire(data: Any) -> dict[str, Any]:
    data = host._object(data)
    key_id = data.get("access_key_id")
    with _lock:
        if key_id is None:
            for session in _sessions.values():
                session.expired = True
            return {"expired": len(_sessions)}
        session = _sessions.get(key_id) if isinstance(key_id, str) else None
        if session is None:
            raise _not_found(f"unknown session {key_id}")
        session.expired = True
    return {"expired": 1}


def control_task_policy(data: Any) -> dict[str, Any]:
    data = host._object(data)
    name = data.get("name")
    actions = data.get("actions")
    if name not in DEFAULT_TASK_POLICIES:
        raise _bad(f"name must be one of {', '.join(DEFAULT_TASK_POLICIES)}")
    with _lock:
        if actions is None:
            _task_policies[name] = DEFAULT_TASK_POLICIES[name]
        elif isinstance(actions, list) and all(
            isinstance(a, str) and ":" in a for a in actions
        ):
            _task_policies[name] = frozenset(actions)
        else:
            raise _bad('actions must be a list like ["iam:ListAccessKeys"] or null')
        return {"name": name, "actions": sorted(_task_policies[name])}


def control_latency(data: Any) -> dict[str, Any]:
    data = host._object(data)
    ms = data.get("ms")
    if not isinstance(ms, (int, float)) or isinstance(ms, bool) or not 0 <= ms <= 60_000:
        raise _bad("ms must be a number of milliseconds from 0 to 60000")
    set_latency_ms(float(ms))
    return {"ms": ms}


def control_get_latency(data: Any) -> dict[str, Any]:
    with _flight_lock:
        peak = _max_in_flight
    return {"ms": round(_latency_s * 1000.0, 3), "max_in_flight": peak}


def control_sessions(data: Any) -> list[dict[str, Any]]:
    """Every AssumeRoot session issued since the last reset, in issue order,
    without its secret or token."""
    with _lock:
        sessions = list(_sessions.values())
    return [
        {
            "access_key_id": s.access_key_id,
            "account_id": s.account_id,
            "task_policy_arn": TASK_POLICY_PREFIX + s.task_policy,
            "duration_seconds": s.duration_seconds,
            "issued": _iso(s.issued),
            "expiration": _iso(s.expiration),
            "request_id": s.request_id,
            "caller_arn": s.caller_arn,
        }
        for s in sessions
    ]


def control_deny(data: Any) -> dict[str, Any]:
    """Take Organizations operations away from every caller:
    {"actions": ["organizations:AttachPolicy", ...]} ([] gives them back)."""
    data = host._object(data)
    actions = data.get("actions")
    if not isinstance(actions, list) or not all(
        isinstance(a, str) and re.fullmatch(r"organizations:[A-Za-z]+", a) for a in actions
    ):
        raise _bad('actions must be a list like ["organizations:AttachPolicy"] ([] clears)')
    with _lock:
        _denied_org_actions.clear()
        _denied_org_actions.update(a.split(":", 1)[1] for a in actions)
        return {"actions": sorted(f"organizations:{a}" for a in _denied_org_actions)}


def control_get_deny(data: Any) -> dict[str, Any]:
    with _lock:
        return {"actions": sorted(f"organizations:{a}" for a in _denied_org_actions)}


def control_denied(data: Any) -> list[dict[str, str]]:
    """Root-session requests refused by their task policy since the last reset."""
    with _lock:
        return [dict(d) for d in _task_denials]


def control_requests(data: Any) -> dict[str, int]:
    with _count_lock:
        return dict(sorted(_request_counts.items()))


CONTROL_ROUTES: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("POST", "/_rootkeys/org/seed"): control_seed,
    ("POST", "/_rootkeys/org/root_key"): control_root_key,
    ("POST", "/_rootkeys/org/features"): control_features,
    ("POST", "/_rootkeys/org/suspend"): control_suspend,
    ("POST", "/_rootkeys/org/delegated_admin"): control_delegated_admin,
    ("POST", "/_rootkeys/org/scp"): control_scp,
    ("POST", "/_rootkeys/org/scp_detach"): control_scp_detach,
    ("POST", "/_rootkeys/org/expire"): control_expire,
    ("POST", "/_rootkeys/org/task_policy"): control_task_policy,
    ("POST", "/_rootkeys/latency"): control_latency,
    ("GET", "/_rootkeys/latency"): control_get_latency,
    ("GET", "/_rootkeys/org/sessions"): control_sessions,
    ("GET", "/_rootkeys/requests"): control_requests,
    ("POST", "/_rootkeys/org/deny"): control_deny,
    ("GET", "/_rootkeys/org/deny"): control_get_deny,
    ("GET", "/_rootkeys/org/denied"): control_denied,
}

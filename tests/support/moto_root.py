"""Run a local moto server that behaves as if one IAM user were the root user.

Usage:
    .venv/bin/python tests/support/moto_root.py [--port N] [--record-last-used]

The server binds to 127.0.0.1 only.  Once it is listening, exactly one line,
``PORT=<n>``, is written to stdout; everything else (one log line per HTTP
request, diagnostics) goes to stderr.  SIGTERM and SIGINT stop it cleanly.

moto has no notion of the AWS account root user, so the IAM user named
``root-standin`` (ROOT_STANDIN) stands in for it in every account: its access
keys are "the root user's access keys".  On top of stock moto 5.2.5 this
module adds, by patching moto in-process:

* sts:GetCallerIdentity signed with a stand-in key answers as the root user
  (Arn ``arn:aws:iam::<account>:root``, UserId and Account ``<account>``).
* iam:GetAccountSummary reports AccountAccessKeysPresent = number of the
  stand-in's access keys (Active or Inactive).
* The credential report starts with a ``<root_account>`` row built from the
  stand-in (the stand-in has no row of its own), and every row uses AWS's
  value conventions (``N/A``, ``not_supported``, ``+00:00`` timestamps,
  last-used region and service).
* iam:UpdateAccessKey / DeleteAccessKey without UserName act on the caller's
  own keys only; another user's key id gives NoSuchEntity.
* A request signed with an inactive or deleted access key is rejected as AWS
  does (InvalidClientTokenId for query-protocol services such as IAM and
  STS).  Access keys moto never issued (e.g. AKIAIOSFODNN7EXAMPLE) keep stock
  behaviour: they are accepted and act in the default account 123456789012.
* moto's automatic recording of "last used" on every request is switched off
  (AWS records usage asynchronously, and tests need deterministic values);
  ``--record-last-used`` restores it.  Last-use facts are seeded through the
  control endpoints instead.  Exception: a long-term root key of an
  organization's member account records its last use (now, the signing
  service, the region) on every request it signs, allowed or denied (see
  moto_org.py).

* CloudTrail event history, which moto lacks (see below): every management
  event the server serves is recorded, and cloudtrail:LookupEvents answers
  from the record in the real JSON wire format.
* account:ListRegions (also missing from moto) answers from a configurable
  set of regions.

CloudTrail event history
------------------------

Recorded: every request signed with an access key that a moto service
answers (successfully or with an error), with the event name (the
operation), the event time (arrival, whole seconds), the signing access key
id, the source IP (the client's address), the User-Agent header, the event
source (``<signing service>.amazonaws.com``, e.g. iam.amazonaws.com), the
caller (``userIdentity`` type Root with Username ``root`` for the stand-in's
and root sessions' keys, IAMUser with the user's name for other users' keys,
IAMUser ``moto`` for keys moto never issued), and errorCode/errorMessage when
the answer is an error (from the XML ``<Code>``/``<Message>``, the JSON
``__type``/``message`` or the ``x-amzn-ErrorType`` header).  ListRegions is
recorded too.  readOnly is true for operations named Get*, List*,
Describe*, Lookup*, Head*, Search*, BatchGet*.

Events are kept per account and region.  The region is the request's
signing region, except for global services (IAM, Account, Organizations,
Route 53, CloudFront), which land in us-east-1 as on AWS.  STS lands in the
signing region: us-east-1 for the global endpoint, the region itself for a
regional endpoint (what the SDKs use by default).

Not recorded: cloudtrail:LookupEvents itself (AWS does record it; it is left
out so that a lookup never changes what the next lookup sees), requests to
/_rootkeys/* and /moto-api/*, unsigned requests, requests rejected for an
inactive or deleted key (they never reach a service), and data events, which
event history never holds: S3 object operations (names containing
``Object``, multipart uploads), Lambda Invoke, DynamoDB item operations.
Events appear at once (AWS takes minutes).

LookupEvents (target ``CloudTrail_20131101.LookupEvents``, with or without
the ``com.amazonaws.cloudtrail.v20131101.`` prefix) answers, in the region it
is signed for and the caller's account, the events of the last 90 days,
newest first (ties: the later arrival first):

* ``LookupAttributes``: at most one (else InvalidLookupAttributesException),
  any of AccessKeyId, EventName, Username, EventSource, EventId, ReadOnly,
  ResourceType, ResourceName; values match exactly.
* ``StartTime``/``EndTime`` (epoch seconds), both inclusive; start after end
  is InvalidTimeRangeException.  Without EndTime there is no upper bound.
* ``MaxResults`` 1..50, default 50 (else InvalidMaxResultsException).
* ``NextToken``: an opaque cursor after the last event returned, valid only
  with the same parameters (else InvalidNextTokenException); events
  recorded meanwhile never shift the pages.
* ``EventCategory`` ``insight``: always empty.
* Each event: EventId, EventName, ReadOnly ("true"/"false"), AccessKeyId,
  EventTime (epoch seconds), EventSource, Username, Resources and
  CloudTrailEvent, the JSON record string: eventVersion, userIdentity
  {type, principalId, arn, accountId, accessKeyId[, userName]}, eventTime
  (ISO 8601), eventSource, eventName, awsRegion, sourceIPAddress, userAgent,
  errorCode/errorMessage (failed calls only), requestParameters and
  responseElements (null), requestID, eventID, readOnly (boolean), eventType
  AwsApiCall, managementEvent true, recipientAccountId, eventCategory
  Management.
* In a region that is not enabled (see ListRegions) it answers
  UnrecognizedClientException, as AWS does for an opt-in region the account
  has not enabled.

account:ListRegions (POST /listRegions) lists the 17 regions enabled by
default as ENABLED_BY_DEFAULT and the opt-in regions as DISABLED (unless
POST /_rootkeys/regions says otherwise), sorted by name, filtered by
``RegionOptStatusContains``, ``MaxResults`` 1..50 (default 20) with
``NextToken`` pagination.  ``AccountId`` is ignored; the set is the same for
every account.

Control endpoints (handled before moto sees the request)
--------------------------------------------------------

    GET  /_rootkeys/health      -> 200 "ok"
    POST /_rootkeys/last_used   {"access_key_id", "date", "service", "region"}
                                ("date": null clears the last-use record)
    POST /_rootkeys/created     {"access_key_id", "date"}  (backdates CreateDate)
    POST /_rootkeys/events      [event, ...] or {"events": [event, ...]}
                                -> {"recorded": n, "event_ids": [...]}
    GET  /_rootkeys/events      -> {"events": [CloudTrail record, ...]}, every
                                account and region, newest first
    POST /_rootkeys/fail        {"operation": "LookupEvents" | "ListRegions",
                                 "region": R or null (every region),
                                 "code": "AccessDeniedException" (null: stop failing),
                                 "message": "...", "status": 400, "times": n or null}
    POST /_rootkeys/regions     {"enabled": ["us-east-1", ...]}  (null: the default 17)

POST /_rootkeys/events adds back-dated or foreign events to the history
(all of them, or none if one is invalid).  Each event is an object with
``event_name`` and ``event_source`` (required), ``event_time`` (ISO 8601,
default now), ``region`` (default us-east-1), ``access_key_id`` (the caller
is derived from it as for recorded requests; a key moto never issued gives
userIdentity type Unknown in ``account_id``, default 123456789012),
``account_id``, ``username``, ``identity_type`` (overrides), ``source_ip``,
``user_agent``, ``error_code``, ``error_message``, ``read_only`` (default:
from the name), ``resources`` (``[{"type", "name"}]``), ``event_id``,
``request_id``.  Events older than 90 days are kept but, as on AWS, never
returned.

POST /_rootkeys/fail makes the next ``times`` calls of an operation (every
call while ``times`` is null) answer the given error: a region's
LookupEvents (region null: every region) or ListRegions (region ignored).

The POST endpoints answer 200 (``{}`` unless said otherwise), 404 for an
unknown key id and 400 for a malformed body.  Dates are ISO 8601
(``2026-11-20T10:00:00Z``).  POST /moto-api/reset also clears the event
history, the injected failures and the region set.

Accounts follow stock moto: a request signed with an access key that moto
issued runs in the account of the key's owner; any other key runs in the
default account 123456789012 (the ``x-moto-account-id`` header can select
another account for seeding).

Organizations and centralized root access (moto_org.py)
-------------------------------------------------------

sts:AssumeRoot, the member-root sessions it opens (task policies enforced,
GetCallerIdentity as the member's root, IAM calls on the member's stand-in),
IAM ListOrganizationsFeatures / Enable* / Disable*, service control policies
evaluated for requests signed by member accounts' principals, and
iam.amazonaws.com as a trusted and delegated-administrator service.  See
moto_org.py for the behaviour in detail.  Also:

* A path starting with ``/_global/`` is a request to the global STS endpoint
  (the prefix is stripped); AssumeRoot there answers InvalidAction.
* ``ROOTKEYS_MOTO_LATENCY_MS`` (or POST /_rootkeys/latency {"ms": n}) delays
  every request but the control endpoints by n ms; requests are served in
  parallel (one thread per connection; each response closes its connection).

    POST /_rootkeys/org/seed            {"members": n, "with_keys": k, ...}
    POST /_rootkeys/org/root_key        {"account_id", "status", "created", "last_used"}
                                        -> {"access_key_id", "secret_access_key"}
    POST /_rootkeys/org/features        {"trusted_access", "RootCredentialsManagement",
                                         "RootSessions"}  (each optional, true/false)
    POST /_rootkeys/org/suspend         {"account_id"}
    POST /_rootkeys/org/delegated_admin {"account_id"} -> an IAM user's key there
    POST /_rootkeys/org/scp             {"target", "content", "name"} -> {"policy_id"}
    POST /_rootkeys/org/scp_detach      {"policy_id", "target"}
    POST /_rootkeys/org/expire          {"access_key_id": session key or null (all)}
    POST /_rootkeys/org/task_policy     {"name", "actions": [...] or null (AWS's)}
    POST /_rootkeys/latency             {"ms": n}
    GET  /_rootkeys/latency             -> {"ms", "max_in_flight"}
    GET  /_rootkeys/org/sessions        -> [{"access_key_id", "account_id", "task_policy_arn",
                                          "duration_seconds", "issued", "expiration",
                                          "request_id", "caller_arn"}, ...] (no secrets)
    GET  /_rootkeys/requests            -> {"<operation>": n, ...}: requests served
                                        since the last reset (every request but
                                        /_rootkeys/* and /moto-api/*)
    POST /_rootkeys/org/deny            {"actions": ["organizations:AttachPolicy", ...]}
                                        ([] clears): those operations answer
                                        AccessDeniedException to every caller
    GET  /_rootkeys/org/deny            -> {"actions": [...]}
    GET  /_rootkeys/org/denied          -> [{"access_key_id", "account_id",
                                          "task_policy_arn", "action"}, ...]: root-session
                                        requests their task policy refused
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import io
import itertools
import json
import os
import random
import re
import signal
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, unquote

import moto_org

# The user that stands for the account root user in every account.
ROOT_STANDIN = "root-standin"
# Keys of this user stand for root's *temporary* credentials (as in a root
# console or CloudShell session): the caller is root, calls without UserName
# act on the stand-in's keys, and the keys are not root access keys (they do
# not count, and have no report row). This lets a test remove every root key
# through the API, as an operator would from CloudShell.
ROOT_SESSION = "root-session"

# The header line of a real IAM credential report (22 columns).
CREDENTIAL_REPORT_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,"
    "password_last_changed,password_next_rotation,mfa_active,"
    "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
    "access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,"
    "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)

INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid."

# XML namespaces of the query-protocol services whose errors we render.
QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}

# Credential-report timestamp format, e.g. 2026-11-20T10:00:00+00:00.
REPORT_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"

# Used as the root user's creation time when an account has no stand-in.
SERVER_START = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)

# Ids of access keys deleted through IAM; requests signed with them are
# rejected like requests signed with an inactive key.
_deleted_key_ids: set[str] = set()
_deleted_lock = threading.Lock()

# Whether moto's own per-request "last used" recording stays enabled.
_record_last_used = False


# --------------------------------------------------------------------------
# Lookups over moto's in-memory state
# --------------------------------------------------------------------------


# Access key id -> the IAM backend (account) that issued it.  Filled by the
# create_access_key patch, so that finding a key's account is one dict lookup
# however many accounts exist (an organization may have thousands).
_key_index: dict[str, Any] = {}


def _key_backend(access_key_id: str) -> Any | None:
    backend = _key_index.get(access_key_id)
    if backend is not None and access_key_id in backend.access_keys:
        return backend
    return None


def find_access_key(access_key_id: str) -> Any | None:
    """Return moto's AccessKey object for an id, in whichever account holds it."""
    backend = _key_backend(access_key_id)
    return backend.access_keys.get(access_key_id) if backend is not None else None


def key_owner(access_key_id: str) -> tuple[Any, Any | None] | None:
    """(IAM backend, user or None) of a key moto issued, or None."""
    backend = _key_backend(access_key_id)
    if backend is None:
        return None
    key = backend.access_keys[access_key_id]
    user = backend.users.get(key.user_name) if key.user_name else None
    return backend, user


def is_standin(user: Any) -> bool:
    return user is not None and user.name == ROOT_STANDIN


def acts_as_root(user: Any) -> bool:
    """The stand-in itself, or a root session."""
    return user is not None and user.name in (ROOT_STANDIN, ROOT_SESSION)


def standin_of(iam_backend: Any) -> Any | None:
    """The stand-in user of one IAM backend (account), or None."""
    return iam_backend.users.get(ROOT_STANDIN)


def is_rejected_key(access_key_id: str) -> bool:
    """True when AWS would refuse a signature made with this key id."""
    with _deleted_lock:
        if access_key_id in _deleted_key_ids:
            return True
    key = find_access_key(access_key_id)
    return key is not None and key.status != "Active"


# --------------------------------------------------------------------------
# Patches to moto
# --------------------------------------------------------------------------


def _patch_sts_get_caller_identity() -> None:
    """Wrap moto.sts.models.STSBackend.get_caller_identity.

    Stock moto answers with the IAM user owning the key; for the stand-in we
    answer as the root user instead.
    """
    from moto.iam.models import iam_backends
    from moto.sts.models import STSBackend

    original = STSBackend.get_caller_identity

    def get_caller_identity(
        self: Any, access_key_id: str, region: str
    ) -> tuple[str, str, str]:
        if self.get_assumed_role_from_access_key(access_key_id) is None:
            iam_backend = moto_org.backend_of(iam_backends, self.account_id, self.partition)
            user = iam_backend.get_user_from_access_key_id(access_key_id)
            if acts_as_root(user):
                account = user.account_id
                arn = f"arn:{self.partition}:iam::{account}:root"
                return account, arn, account
        return original(self, access_key_id, region)

    STSBackend.get_caller_identity = get_caller_identity  # type: ignore[method-assign]


def _patch_iam_account_summary() -> None:
    """Wrap moto.iam.models.IAMBackend.get_account_summary.

    moto's AccountSummary hard-codes _account_access_keys_present = 0 and
    _account_mfa_enabled = 0; set them from the stand-in (its keys, Active or
    Inactive, and whether it has an MFA device) on every call.
    """
    from moto.iam.models import IAMBackend

    original = IAMBackend.get_account_summary

    def get_account_summary(self: Any) -> Any:
        summary = original(self)
        standin = standin_of(self)
        summary._account_access_keys_present = (
            len(standin.access_keys) if standin is not None else 0
        )
        # Root's MFA: a device enabled on the stand-in (as the credential
        # report's mfa_active says).
        summary._account_mfa_enabled = (
            1 if standin is not None and standin.mfa_devices else 0
        )
        return summary

    IAMBackend.get_account_summary = get_account_summary  # type: ignore[method-assign]


def _report_date(value: datetime | None) -> str:
    if value is None:
        return "N/A"
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.strftime(REPORT_DATE_FORMAT)


def _key_columns(key: Any | None) -> list[str]:
    """The five credential-report columns describing one access key slot.

    active, last_rotated, last_used_date, last_used_region, last_used_service
    """
    if key is None:
        return ["false", "N/A", "N/A", "N/A", "N/A"]
    last_used = key.last_used
    if last_used is None:
        used = ["N/A", "N/A", "N/A"]
    elif isinstance(last_used, datetime):
        # moto lets callers store a bare datetime here (moto issue #5927).
        used = [_report_date(last_used), "N/A", "N/A"]
    else:
        # moto.iam.models.AccessKeyLastUsed
        used = [
            _report_date(last_used.timestamp),
            last_used.region or "N/A",
            last_used.service or "N/A",
        ]
    return [
        "true" if key.status == "Active" else "false",
        _report_date(key.create_date),
    ] + used


def _key_slots(user: Any | None) -> list[str]:
    keys = list(user.access_keys) if user is not None else []
    slots: list[Any | None] = (keys + [None, None])[:2]
    return _key_columns(slots[0]) + _key_columns(slots[1])


def _cert_columns(user: Any) -> list[str]:
    certs = list(user.signing_certificates.values())[:2] if user is not None else []
    columns: list[str] = []
    for index in range(2):
        if index < len(certs):
            columns += ["true" if certs[index].status == "Active" else "false", "N/A"]
        else:
            columns += ["false", "N/A"]
    return columns


def _root_row(iam_backend: Any) -> list[str]:
    """The <root_account> row, built from the stand-in user if there is one."""
    standin = standin_of(iam_backend)
    arn = f"arn:{iam_backend.partition}:iam::{iam_backend.account_id}:root"
    created = standin.create_date if standin is not None else SERVER_START
    password_last_used = "no_information"
    if standin is not None and standin.password_last_used is not None:
        password_last_used = _report_date(standin.password_last_used)
    mfa = "true" if standin is not None and standin.mfa_devices else "false"
    return (
        [
            "<root_account>",
            arn,
            _report_date(created),
            "not_supported",  # password_enabled
            password_last_used,
            "not_supported",  # password_last_changed
            "not_supported",  # password_next_rotation
            mfa,
        ]
        + _key_slots(standin)
        + ["false", "N/A", "false", "N/A"]  # root signing certificates
    )


def _user_row(user: Any) -> list[str]:
    if user.password:
        password = [
            "true",
            _report_date(user.password_last_used)
            if user.password_last_used
            else "no_information",
            _report_date(user.create_date),  # moto does not track changes
            "N/A",
        ]
    else:
        password = ["false", "N/A", "N/A", "N/A"]
    return (
        [user.name, user.arn, _report_date(user.create_date)]
        + password
        + ["true" if user.mfa_devices else "false"]
        + _key_slots(user)
        + _cert_columns(user)
    )


def build_credential_report(iam_backend: Any) -> str:
    rows = [_root_row(iam_backend)]
    rows += [
        _user_row(user)
        for name, user in list(iam_backend.users.items())
        if name not in (ROOT_STANDIN, ROOT_SESSION)
    ]
    lines = [CREDENTIAL_REPORT_HEADER] + [",".join(row) for row in rows]
    return "\n".join(lines) + "\n"


def _patch_iam_credential_report() -> None:
    """Replace moto.iam.models.IAMBackend.get_credential_report and
    moto.iam.responses.IamResponse.get_credential_report.

    Stock moto emits one row per IAM user (including the stand-in), no root
    row, and "not_supported" for the last-used region/service columns; its
    response claims GeneratedTime 2015-02-02T20:02:02Z.  The content is built
    at request time, so GeneratedTime is the request time.
    """
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.iam.exceptions import ReportNotPresentException
    from moto.iam.models import IAMBackend
    from moto.iam.responses import IamResponse

    def backend_get_credential_report(self: Any) -> str:
        if not self.credential_report:
            raise ReportNotPresentException("Credential report not present")
        return build_credential_report(self)

    def response_get_credential_report(self: Any) -> Any:
        report = self.backend.get_credential_report()
        result = {
            "Content": report,
            "ReportFormat": "text/csv",
            "GeneratedTime": utcnow().replace(microsecond=0),
        }
        return ActionResult(result)

    IAMBackend.get_credential_report = backend_get_credential_report  # type: ignore[method-assign]
    IamResponse.get_credential_report = response_get_credential_report  # type: ignore[method-assign]


def _patch_iam_key_ownership() -> None:
    """Replace moto.iam.responses.IamResponse.update_access_key and
    .delete_access_key.

    Without UserName, stock moto acts on whichever user owns the target key
    id.  AWS acts on the caller's own user, so a key id the caller does not
    own is NoSuchEntity.  With UserName the stock behaviour (key must belong
    to that user) is kept.
    """
    from moto.core.responses import EmptyResult
    from moto.iam.exceptions import NotFoundException
    from moto.iam.responses import IamResponse

    def owner_name(response: Any, access_key_id: str) -> str:
        user_name = response._get_param("UserName")
        if user_name:
            return user_name
        caller = response.backend.get_user_from_access_key_id(
            response.get_access_key()
        )
        if caller is not None and caller.name == ROOT_SESSION:
            caller = standin_of(response.backend)
        if caller is None or not caller.has_access_key(access_key_id):
            raise NotFoundException(
                f"The Access Key with id {access_key_id} cannot be found"
            )
        return caller.name

    def update_access_key(self: Any) -> Any:
        access_key_id = self._get_param("AccessKeyId")
        status = self._get_param("Status")
        user_name = owner_name(self, access_key_id)
        self.backend.update_access_key(user_name, access_key_id, status)
        return EmptyResult()

    def delete_access_key(self: Any) -> Any:
        access_key_id = self._get_param("AccessKeyId")
        user_name = owner_name(self, access_key_id)
        self.backend.delete_access_key(access_key_id, user_name)
        return EmptyResult()

    def list_access_keys(self: Any) -> Any:
        # Stock moto resolves the caller's user name from the signing key; a
        # root session lists the stand-in's (root's) keys.
        from moto.core.responses import ActionResult

        user_name = self._get_param("UserName")
        if not user_name:
            caller = self.backend.get_user_from_access_key_id(self.get_access_key())
            if caller is None:
                raise NotFoundException("The user with the access key cannot be found")
            user_name = ROOT_STANDIN if caller.name == ROOT_SESSION else caller.name
            if user_name == ROOT_STANDIN and standin_of(self.backend) is None:
                return ActionResult({"UserName": user_name, "AccessKeyMetadata": []})
        keys = self.backend.list_access_keys(user_name)
        return ActionResult({"UserName": user_name, "AccessKeyMetadata": keys})

    IamResponse.list_access_keys = list_access_keys  # type: ignore[method-assign]
    IamResponse.update_access_key = update_access_key  # type: ignore[method-assign]
    IamResponse.delete_access_key = delete_access_key  # type: ignore[method-assign]


def _patch_iam_key_deletion() -> None:
    """Wrap moto.iam.models.IAMBackend.delete_access_key_by_name.

    Every access-key deletion goes through it; remember the id so that later
    requests signed with it can be rejected.
    """
    from moto.iam.models import IAMBackend

    original = IAMBackend.delete_access_key_by_name

    def delete_access_key_by_name(self: Any, name: str) -> None:
        original(self, name)
        with _deleted_lock:
            _deleted_key_ids.add(name)

    IAMBackend.delete_access_key_by_name = delete_access_key_by_name  # type: ignore[method-assign]


def _patch_key_index() -> None:
    """Wrap moto.iam.models.IAMBackend.create_access_key and
    .create_temp_access_key (every key moto issues) to index the new key's
    account."""
    from moto.iam.models import IAMBackend

    create = IAMBackend.create_access_key
    create_temp = IAMBackend.create_temp_access_key

    def create_access_key(self: Any, *args: Any, **kwargs: Any) -> Any:
        key = create(self, *args, **kwargs)
        _key_index[key.access_key_id] = self
        return key

    def create_temp_access_key(self: Any, *args: Any, **kwargs: Any) -> Any:
        key = create_temp(self, *args, **kwargs)
        _key_index[key.access_key_id] = self
        return key

    IAMBackend.create_access_key = create_access_key  # type: ignore[method-assign]
    IAMBackend.create_temp_access_key = create_temp_access_key  # type: ignore[method-assign]

    # moto maps every request's signing key to an account by trying each
    # account's keys in turn (moto.core.responses imports it per request);
    # with the index this is one lookup, however many accounts exist.
    import moto.iam.models as iam_models
    from moto.core import DEFAULT_ACCOUNT_ID

    def get_account_id_from(access_key: str) -> str:
        backend = _key_backend(access_key)
        return backend.account_id if backend is not None else DEFAULT_ACCOUNT_ID

    iam_models.get_account_id_from = get_account_id_from


def _patch_last_used_recording() -> None:
    """Replace moto.iam.models.mark_account_as_visited.

    moto.core.responses.BaseResponse.setup_class imports it from
    moto.iam.models on every request and stamps the signing key's last_used
    with "now".  Unless --record-last-used is given it becomes a no-op so that
    only seeded last-use facts appear.
    """
    import moto.iam.models as iam_models

    original = iam_models.mark_account_as_visited

    def mark_account_as_visited(
        account_id: str, access_key: str, service: str, region: str
    ) -> None:
        if _record_last_used:
            original(
                account_id=account_id,
                access_key=access_key,
                service=service,
                region=region,
            )

    iam_models.mark_account_as_visited = mark_account_as_visited


def _patch_action_capture() -> None:
    """Wrap moto.core.responses.BaseResponse.setup_class.

    Every moto service sets up its response object through it (S3 through
    super()); once set up, the object knows which operation the request
    names.  The operation, moto's service name and region are written into
    the per-thread context of the request being recorded (see
    RootkeysApp.recorded), if any.  moto's own state is left as it was.
    """
    from moto.core.responses import BaseResponse

    original = BaseResponse.setup_class

    def setup_class(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        context = getattr(_request_context, "current", None)
        if context is None or context.get("action"):
            return
        saved = getattr(self, "uri_match", None)
        try:
            action = self._get_action()
        except Exception:  # an unroutable request is simply not recorded
            action = None
        finally:
            self.uri_match = saved
        if isinstance(action, str) and action:
            context["action"] = action
            context["service"] = getattr(self, "service_name", None)
            context["region"] = getattr(self, "region", None)

    BaseResponse.setup_class = setup_class  # type: ignore[method-assign]


# --------------------------------------------------------------------------
# CloudTrail event history (LookupEvents) and enabled regions (ListRegions)
# --------------------------------------------------------------------------

# X-Amz-Target of cloudtrail:LookupEvents; boto3 prefixes it with
# "com.amazonaws.cloudtrail.v20131101.", the Rust SDK does not.
LOOKUP_EVENTS_TARGET = "CloudTrail_20131101.LookupEvents"
# Event history keeps 90 days.
HISTORY_DAYS = 90
# LookupEvents MaxResults: default and maximum.
LOOKUP_PAGE_SIZE = 50
# ListRegions page size when MaxResults is not given.
LIST_REGIONS_PAGE_SIZE = 20
# eventVersion written into each CloudTrail record.
EVENT_VERSION = "1.11"
DEFAULT_ACCOUNT = "123456789012"
# Services whose events CloudTrail records in us-east-1 whatever the
# signing region.
GLOBAL_SERVICES = frozenset({"iam", "account", "organizations", "route53", "cloudfront"})
# Signing names whose event source is not "<name>.amazonaws.com".
EVENT_SOURCES = {"email": "ses.amazonaws.com"}
# Operation names that read only (the others are recorded readOnly false).
READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Lookup", "Head", "Search", "BatchGet")
# Data events: not in event history, so never recorded.
DATA_OPERATIONS = {
    "s3": {
        "CreateMultipartUpload",
        "UploadPart",
        "UploadPartCopy",
        "CompleteMultipartUpload",
        "AbortMultipartUpload",
        "ListParts",
    },
    "lambda": {"Invoke", "InvokeAsync", "InvokeWithResponseStream"},
    "dynamodb": {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    },
}
LOOKUP_ATTRIBUTE_KEYS = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)
REGION_OPT_STATUSES = ("ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT")

# The 17 commercial regions enabled by default (no opt-in).
DEFAULT_ENABLED_REGIONS = (
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
)
# Opt-in regions, listed DISABLED unless enabled through /_rootkeys/regions.
OPT_IN_REGIONS = (
    "af-south-1",
    "ap-east-1",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
)

# The request being recorded on this thread (werkzeug serves each request
# on its own thread): filled in by the setup_class patch.
_request_context = threading.local()


# Request and event ids: random version-4 UUIDs, as AWS's, drawn from a
# generator seeded once.  uuid.uuid4() asks the kernel for randomness each
# time, and each such system call lets the interpreter lock go to another of
# the many request threads; ids need to be unique, not secret.
_ids = random.Random(os.urandom(32))


def new_id() -> str:
    """A fresh random request or event id (UUID version 4)."""
    return str(uuid.UUID(int=_ids.getrandbits(128), version=4))


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso_time(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class TrailEvent:
    """One management event as CloudTrail event history keeps it."""

    account_id: str
    region: str
    event_time: datetime  # aware, UTC, whole seconds
    event_name: str
    event_source: str
    user_identity: dict[str, Any]
    username: str | None
    access_key_id: str | None
    source_ip: str | None
    user_agent: str | None
    read_only: bool
    error_code: str | None = None
    error_message: str | None = None
    resources: list[dict[str, str]] = field(default_factory=list)
    event_id: str = field(default_factory=new_id)
    request_id: str = field(default_factory=new_id)
    # Arrival order: breaks ties between events of the same second.
    seq: int = 0

    def record(self) -> dict[str, Any]:
        """The CloudTrail record, as LookupEvents returns it in CloudTrailEvent."""
        record: dict[str, Any] = {
            "eventVersion": EVENT_VERSION,
            "userIdentity": self.user_identity,
            "eventTime": iso_time(self.event_time),
            "eventSource": self.event_source,
            "eventName": self.event_name,
            "awsRegion": self.region,
        }
        if self.source_ip is not None:
            record["sourceIPAddress"] = self.source_ip
        if self.user_agent is not None:
            record["userAgent"] = self.user_agent
        if self.error_code is not None:
            record["errorCode"] = self.error_code
        if self.error_message is not None:
            record["errorMessage"] = self.error_message
        record.update(
            {
                "requestParameters": None,
                "responseElements": None,
                "requestID": self.request_id,
                "eventID": self.event_id,
                "readOnly": self.read_only,
                "eventType": "AwsApiCall",
                "managementEvent": True,
                "recipientAccountId": self.account_id,
                "eventCategory": "Management",
            }
        )
        return record

    def lookup_entry(self) -> dict[str, Any]:
        """The Event structure of a LookupEvents response."""
        entry: dict[str, Any] = {
            "EventId": self.event_id,
            "EventName": self.event_name,
            "ReadOnly": "true" if self.read_only else "false",
        }
        if self.access_key_id is not None:
            entry["AccessKeyId"] = self.access_key_id
        entry["EventTime"] = self.event_time.timestamp()
        entry["EventSource"] = self.event_source
        if self.username is not None:
            entry["Username"] = self.username
        entry["Resources"] = [
            {"ResourceType": r["type"], "ResourceName": r["name"]} for r in self.resources
        ]
        entry["CloudTrailEvent"] = json.dumps(self.record())
        return entry

    def matches(self, key: str, value: str) -> bool:
        """Does this event match one LookupAttribute?"""
        if key == "ReadOnly":
            return value.lower() == ("true" if self.read_only else "false")
        if key == "ResourceType":
            return any(r["type"] == value for r in self.resources)
        if key == "ResourceName":
            return any(r["name"] == value for r in self.resources)
        fields = {
            "EventId": self.event_id,
            "EventName": self.event_name,
            "Username": self.username,
            "EventSource": self.event_source,
            "AccessKeyId": self.access_key_id,
        }
        return fields.get(key) == value


@dataclass
class InjectedFailure:
    code: str
    message: str
    status: int
    remaining: int | None  # None: until cleared


# Every account's and region's events, in arrival order.
_trail: list[TrailEvent] = []
_trail_seq = itertools.count(1)
# (operation, region or None) -> the error that operation answers.
_failures: dict[tuple[str, str | None], InjectedFailure] = {}
# Enabled regions; None: the 17 enabled by default.
_enabled_regions: list[str] | None = None
_trail_lock = threading.Lock()


def reset_trail() -> None:
    global _enabled_regions
    with _trail_lock:
        _trail.clear()
        _failures.clear()
        _enabled_regions = None


def add_events(events: list[TrailEvent]) -> None:
    with _trail_lock:
        for event in events:
            event.seq = next(_trail_seq)
            _trail.append(event)


def all_events() -> list[TrailEvent]:
    with _trail_lock:
        return list(_trail)


def take_failure(operation: str, region: str | None) -> InjectedFailure | None:
    """The injected error for this call, if any (counting it down)."""
    with _trail_lock:
        for slot in ((operation, region), (operation, None)):
            failure = _failures.get(slot)
            if failure is None:
                continue
            if failure.remaining is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    del _failures[slot]
            return failure
    return None


def region_statuses() -> dict[str, str]:
    """Every known region with its opt-in status."""
    with _trail_lock:
        enabled = _enabled_regions
    if enabled is None:
        enabled = list(DEFAULT_ENABLED_REGIONS)
    statuses = {region: "DISABLED" for region in DEFAULT_ENABLED_REGIONS + OPT_IN_REGIONS}
    for region in enabled:
        statuses[region] = (
            "ENABLED_BY_DEFAULT" if region in DEFAULT_ENABLED_REGIONS else "ENABLED"
        )
    return statuses


def region_enabled(region: str) -> bool:
    return region_statuses().get(region) in ("ENABLED", "ENABLED_BY_DEFAULT")


@dataclass
class Caller:
    """Who signed a request, as CloudTrail names them."""

    account_id: str
    identity: dict[str, Any]
    username: str | None


def caller_of(access_key_id: str, account_id: str | None = None) -> Caller | None:
    """The owner of an access key moto issued (root for the stand-in and
    root sessions), or None for a key moto never issued."""
    for backend in filter(None, [_key_backend(access_key_id)]):
        key = backend.access_keys[access_key_id]
        user = backend.users.get(key.user_name) if key.user_name else None
        account = account_id or backend.account_id
        if acts_as_root(user):
            identity = {
                "type": "Root",
                "principalId": account,
                "arn": f"arn:{backend.partition}:iam::{account}:root",
                "accountId": account,
                "accessKeyId": access_key_id,
            }
            return Caller(account, identity, "root")
        name = user.name if user is not None else None
        identity = {
            "type": "IAMUser",
            "principalId": getattr(user, "id", access_key_id),
            "arn": getattr(user, "arn", f"arn:{backend.partition}:iam::{account}:user/{name}"),
            "accountId": account,
            "accessKeyId": access_key_id,
        }
        if name is not None:
            identity["userName"] = name
        return Caller(account, identity, name)
    return None


def request_caller(environ: dict[str, Any], access_key_id: str | None) -> Caller:
    """Who signed a request.  Like stock moto, x-moto-account-id picks the
    account, and keys moto never issued act as its administrator "moto" of
    the default account."""
    header_account = environ.get("HTTP_X_MOTO_ACCOUNT_ID") or None
    if access_key_id:
        caller = caller_of(access_key_id, header_account)
        if caller is not None:
            return caller
    account = header_account or DEFAULT_ACCOUNT
    identity = {
        "type": "IAMUser",
        "principalId": access_key_id or "anonymous",
        "arn": f"arn:aws:iam::{account}:user/moto",
        "accountId": account,
        "userName": "moto",
    }
    if access_key_id:
        identity["accessKeyId"] = access_key_id
    return Caller(account, identity, "moto")


def event_source_of(service: str) -> str:
    return EVENT_SOURCES.get(service, f"{service}.amazonaws.com")


def event_region_of(service: str, region: str | None) -> str:
    if service in GLOBAL_SERVICES or not region:
        return "us-east-1"
    return region


def is_read_only(operation: str) -> bool:
    return operation.startswith(READ_ONLY_PREFIXES)


def is_data_event(service: str, operation: str) -> bool:
    """Operations CloudTrail logs as data events, which event history never holds."""
    if service == "s3" and "Object" in operation and "ObjectLock" not in operation:
        return True  # GetObject, PutObject, ListObjectsV2, DeleteObjects, ...
    return operation in DATA_OPERATIONS.get(service, set())


class ApiError(Exception):
    """An AWS error answer: code, message, HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def _fingerprint(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _encode_token(fingerprint: str, position: dict[str, Any]) -> str:
    payload = json.dumps({"f": fingerprint, **position}).encode()
    return base64.urlsafe_b64encode(payload).decode()


def _decode_token(token: Any, fingerprint: str) -> dict[str, Any] | None:
    """The position in a NextToken, or None when it is not one of ours for
    these same parameters."""
    if not isinstance(token, str):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("f") != fingerprint:
        return None
    return data


def _param_time(params: dict[str, Any], name: str) -> datetime | None:
    """A timestamp parameter: epoch seconds (the JSON protocol) or ISO 8601."""
    value = params.get(name)
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value, timezone.utc)
        if isinstance(value, str):
            try:
                return datetime.fromtimestamp(float(value), timezone.utc)
            except ValueError:
                parsed = datetime.fromisoformat(value)
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=timezone.utc)
                return parsed
    except (ValueError, OverflowError, OSError):
        pass
    raise ApiError("SerializationException", f"{name} is not a timestamp: {value!r}")


def lookup_events(
    account_id: str, region: str, params: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """cloudtrail:LookupEvents over the recorded events of one account and
    region: newest first, paginated with an opaque cursor token."""
    attributes = params.get("LookupAttributes") or []
    if not isinstance(attributes, list):
        raise ApiError("InvalidLookupAttributesException", "LookupAttributes must be a list.")
    if len(attributes) > 1:
        raise ApiError(
            "InvalidLookupAttributesException",
            "You cannot specify more than one lookup attribute.",
        )
    attribute: tuple[str, str] | None = None
    if attributes:
        item = attributes[0] if isinstance(attributes[0], dict) else {}
        key, value = item.get("AttributeKey"), item.get("AttributeValue")
        if key not in LOOKUP_ATTRIBUTE_KEYS:
            raise ApiError(
                "InvalidLookupAttributesException",
                f"Invalid AttributeKey {key!r}: expected one of {', '.join(LOOKUP_ATTRIBUTE_KEYS)}.",
            )
        if not isinstance(value, str) or not value:
            raise ApiError(
                "InvalidLookupAttributesException", "AttributeValue must not be empty."
            )
        attribute = (key, value)

    start, end = _param_time(params, "StartTime"), _param_time(params, "EndTime")
    if start is not None and end is not None and start > end:
        raise ApiError(
            "InvalidTimeRangeException",
            "Occurs if the timestamp values are invalid. Either the start time occurs "
            "after the end time, or the time range is outside the range of possible values.",
        )
    category = params.get("EventCategory")
    if category not in (None, "insight"):
        raise ApiError("InvalidEventCategoryException", f"Invalid EventCategory {category!r}.")
    max_results = params.get("MaxResults", LOOKUP_PAGE_SIZE)
    if (
        not isinstance(max_results, int)
        or isinstance(max_results, bool)
        or not 1 <= max_results <= LOOKUP_PAGE_SIZE
    ):
        raise ApiError(
            "InvalidMaxResultsException",
            f"MaxResults must be between 1 and {LOOKUP_PAGE_SIZE}.",
        )

    fingerprint = _fingerprint(
        account_id,
        region,
        attribute,
        start.isoformat() if start else None,
        end.isoformat() if end else None,
        category,
    )
    cursor = None
    if params.get("NextToken") is not None:
        cursor = _decode_token(params["NextToken"], fingerprint)
        if cursor is None or not isinstance(cursor.get("t"), (int, float)):
            raise ApiError(
                "InvalidNextTokenException",
                "Invalid NextToken: pass it with the same parameters as the call that returned it.",
            )
    if category == "insight":
        return {"Events": []}  # no trail has Insights here

    oldest = now - timedelta(days=HISTORY_DAYS)
    selected = [
        event
        for event in all_events()
        if event.account_id == account_id
        and event.region == region
        and event.event_time >= oldest
        and (start is None or event.event_time >= start)
        and (end is None or event.event_time <= end)
        and (attribute is None or event.matches(*attribute))
    ]
    selected.sort(key=lambda e: (e.event_time, e.seq), reverse=True)
    if cursor is not None:
        position = (cursor["t"], cursor.get("s", 0))
        selected = [e for e in selected if (e.event_time.timestamp(), e.seq) < position]
    page = selected[:max_results]
    answer: dict[str, Any] = {"Events": [event.lookup_entry() for event in page]}
    if len(selected) > len(page):
        last = page[-1]
        answer["NextToken"] = _encode_token(
            fingerprint, {"t": last.event_time.timestamp(), "s": last.seq}
        )
    return answer


def list_regions(params: dict[str, Any]) -> dict[str, Any]:
    """account:ListRegions over the launcher's region set."""
    max_results = params.get("MaxResults", LIST_REGIONS_PAGE_SIZE)
    if (
        not isinstance(max_results, int)
        or isinstance(max_results, bool)
        or not 1 <= max_results <= 50
    ):
        raise ApiError("ValidationException", "MaxResults must be between 1 and 50.")
    wanted = params.get("RegionOptStatusContains") or []
    if not isinstance(wanted, list) or any(s not in REGION_OPT_STATUSES for s in wanted):
        raise ApiError(
            "ValidationException",
            f"RegionOptStatusContains must list values of {', '.join(REGION_OPT_STATUSES)}.",
        )
    regions = [
        {"RegionName": name, "RegionOptStatus": status}
        for name, status in sorted(region_statuses().items())
        if not wanted or status in wanted
    ]
    fingerprint = _fingerprint(sorted(wanted))
    offset = 0
    if params.get("NextToken") is not None:
        cursor = _decode_token(params["NextToken"], fingerprint)
        if cursor is None or not isinstance(cursor.get("o"), int):
            raise ApiError("ValidationException", "Invalid NextToken.")
        offset = cursor["o"]
    answer: dict[str, Any] = {"Regions": regions[offset : offset + max_results]}
    if offset + max_results < len(regions):
        answer["NextToken"] = _encode_token(fingerprint, {"o": offset + max_results})
    return answer


def response_error(
    status: str, headers: list[tuple[str, str]], body: bytes
) -> tuple[str | None, str | None]:
    """(errorCode, errorMessage) of a failed response, from any protocol."""
    try:
        code_number = int(status.split()[0])
    except (ValueError, IndexError):
        return None, None
    if code_number < 400:
        return None, None
    text = body.decode("utf-8", "replace")
    code: str | None = None
    message: str | None = None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        code = data.get("__type") or data.get("code") or data.get("Code")
        message = data.get("message") or data.get("Message")
    else:
        found = re.search(r"<Code>(.*?)</Code>", text, re.S)
        code = html.unescape(found.group(1)).strip() if found else None
        found = re.search(r"<Message>(.*?)</Message>", text, re.S)
        message = html.unescape(found.group(1)).strip() if found else None
    if not code:
        for name, value in headers:
            if name.lower() == "x-amzn-errortype":
                code = value.split(":", 1)[0]
    if isinstance(code, str) and "#" in code:
        code = code.rsplit("#", 1)[1]
    return (str(code) if code else f"HTTP{code_number}"), (
        str(message) if message else None
    )


# Fields a seeded event may have.
SEED_FIELDS = {
    "event_name",
    "event_source",
    "event_time",
    "region",
    "access_key_id",
    "account_id",
    "username",
    "identity_type",
    "source_ip",
    "user_agent",
    "error_code",
    "error_message",
    "read_only",
    "resources",
    "event_id",
    "request_id",
}


def seed_event(item: Any, index: int, now: datetime) -> TrailEvent:
    """A TrailEvent from one object of POST /_rootkeys/events."""

    def bad(message: str) -> ControlError:
        return ControlError("400 Bad Request", f"events[{index}]: {message}")

    if not isinstance(item, dict):
        raise bad("expected a JSON object")
    unknown = sorted(set(item) - SEED_FIELDS)
    if unknown:
        raise bad(f"unknown field(s) {', '.join(unknown)}")

    def text(name: str, required: bool = False, default: str | None = None) -> str | None:
        value = item.get(name, default)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value:
            raise bad(f"{name} must be a non-empty string")
        return value

    name = text("event_name", required=True)
    source = text("event_source", required=True)
    region = text("region", default="us-east-1")
    assert name is not None and source is not None and region is not None
    when = now
    if item.get("event_time") is not None:
        try:
            when = datetime.fromisoformat(str(item["event_time"]))
        except ValueError:
            raise bad(f"invalid event_time {item['event_time']!r}") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        when = when.astimezone(timezone.utc).replace(microsecond=0)

    key_id = text("access_key_id")
    account = text("account_id")
    caller = caller_of(key_id, account) if key_id else None
    if caller is None:
        account = account or DEFAULT_ACCOUNT
        identity: dict[str, Any] = {"type": "Unknown", "accountId": account}
        if key_id:
            identity["accessKeyId"] = key_id
        caller = Caller(account, identity, None)
    identity = dict(caller.identity)
    identity_type = text("identity_type")
    if identity_type is not None:
        identity["type"] = identity_type
    username = text("username")
    if username is None:
        username = caller.username
    elif identity["type"] != "Root":
        identity["userName"] = username

    read_only = item.get("read_only")
    if read_only is None:
        read_only = is_read_only(name)
    elif not isinstance(read_only, bool):
        raise bad("read_only must be true or false")

    resources = item.get("resources") or []
    if not isinstance(resources, list) or not all(
        isinstance(r, dict)
        and isinstance(r.get("type"), str)
        and isinstance(r.get("name"), str)
        for r in resources
    ):
        raise bad('resources must be a list of {"type": ..., "name": ...}')

    event = TrailEvent(
        account_id=caller.account_id,
        region=region,
        event_time=when,
        event_name=name,
        event_source=source,
        user_identity=identity,
        username=username,
        access_key_id=key_id,
        source_ip=text("source_ip"),
        user_agent=text("user_agent"),
        read_only=read_only,
        error_code=text("error_code"),
        error_message=text("error_message"),
        resources=[{"type": r["type"], "name": r["name"]} for r in resources],
    )
    for name_, attr in (("event_id", "event_id"), ("request_id", "request_id")):
        value = text(name_)
        if value is not None:
            setattr(event, attr, value)
    return event


def _patch_module_list() -> None:
    """Replace moto.backends.list_of_moto_modules with a cached list.

    moto's dispatcher calls it twice per request it routes, and each call
    lists moto's package directory and stats every entry (some 180 system
    calls); the package does not change while the server runs."""
    import moto.backends as backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules


_HEADER_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+\Z")


def _patch_header_parsing() -> None:
    """Replace http.client.parse_headers (http.server reads each request's
    headers with it) by a version that builds the same HTTPMessage without
    the email package's feed parser for plain header blocks ("Name: value"
    lines, a blank line at the end); anything else (folded lines, a line
    without a colon, ...) goes to the email parser as before.  Only the
    launcher installs it."""
    import email.parser
    import http.client

    read_headers = http.client._read_headers  # type: ignore[attr-defined]

    def parse_headers(fp: Any, _class: Any = http.client.HTTPMessage) -> Any:
        lines = read_headers(fp)

        def slow() -> Any:
            text = b"".join(lines).decode("iso-8859-1")
            return email.parser.Parser(_class=_class).parsestr(text)

        if lines[-1] not in (b"\r\n", b"\n"):
            return slow()
        message = _class()
        for line in lines[:-1]:
            text = line.decode("iso-8859-1")
            name, colon, value = text.partition(":")
            if (
                not colon
                or not _HEADER_NAME.match(name)
                or not text.endswith("\n")
                or "\r" in text[:-2]
            ):
                return slow()
            message._headers.append((name, value.lstrip(" \t").rstrip("\r\n")))
        message.set_payload("")
        return message

    http.client.parse_headers = parse_headers  # type: ignore[assignment]


def apply_patches() -> None:
    _patch_module_list()
    _patch_sts_get_caller_identity()
    _patch_iam_account_summary()
    _patch_iam_credential_report()
    _patch_iam_key_ownership()
    _patch_iam_key_deletion()
    _patch_key_index()
    _patch_last_used_recording()
    _patch_action_capture()


# --------------------------------------------------------------------------
# WSGI front: control endpoints and rejection of inactive/deleted keys
# --------------------------------------------------------------------------

StartResponse = Callable[..., Any]


def signing_scope(
    environ: dict[str, Any],
) -> tuple[str | None, str | None, str | None]:
    """(access key id, signing region, signing service) of a request, from
    SigV4/SigV2 data (SigV2 names neither region nor service)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if auth.startswith("AWS4-"):
        # AWS4-HMAC-SHA256 Credential=AKID/20261120/us-east-1/iam/aws4_request, ...
        for part in auth.split(" ", 1)[-1].split(","):
            name, _, value = part.strip().partition("=")
            if name == "Credential":
                return _scope_parts(value)
    elif auth.startswith("AWS "):
        # SigV2: AWS AKID:signature
        return auth[4:].split(":", 1)[0].strip(), None, None

    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "X-Amz-Credential" in query:  # presigned SigV4 URL
        return _scope_parts(query["X-Amz-Credential"][0])
    if "AWSAccessKeyId" in query:  # presigned SigV2 URL
        return query["AWSAccessKeyId"][0], None, None
    return None, None, None


def _scope_parts(credential: str) -> tuple[str | None, str | None, str | None]:
    # AKID/date/region/service/aws4_request
    scope = credential.split("/")
    region = scope[2] if len(scope) > 2 else None
    service = scope[3] if len(scope) > 3 else None
    return scope[0], region, service


def signing_key_id(environ: dict[str, Any]) -> tuple[str | None, str | None]:
    """(access key id, signing service) of a request, from SigV4/SigV2 data."""
    key_id, _region, service = signing_scope(environ)
    return key_id, service


def _rejection(
    environ: dict[str, Any], access_key_id: str, service: str | None
) -> tuple[str, list[tuple[str, str]], bytes]:
    """The response AWS gives for a signature made with an unusable key."""
    request_id = new_id()
    content_type = environ.get("CONTENT_TYPE", "")
    if content_type.startswith("application/x-amz-json"):
        # JSON-protocol services (DynamoDB, KMS, SQS, ...).
        body = json.dumps(
            {"__type": "UnrecognizedClientException", "message": INVALID_TOKEN_MESSAGE}
        ).encode()
        headers = [
            ("Content-Type", content_type.split(";")[0]),
            ("x-amzn-RequestId", request_id),
        ]
        return "400 Bad Request", headers, body
    if service == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            "<Error><Code>InvalidAccessKeyId</Code>"
            "<Message>The AWS Access Key Id you provided does not exist in our records.</Message>"
            f"<AWSAccessKeyId>{access_key_id}</AWSAccessKeyId>"
            f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
        ).encode()
        return "403 Forbidden", [("Content-Type", "application/xml")], body
    # Query protocol (IAM, STS, ...).
    namespace = QUERY_NAMESPACES.get(service or "")
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    body = (
        f"<ErrorResponse{xmlns}>\n"
        "  <Error>\n"
        "    <Type>Sender</Type>\n"
        "    <Code>InvalidClientTokenId</Code>\n"
        f"    <Message>{INVALID_TOKEN_MESSAGE}</Message>\n"
        "  </Error>\n"
        f"  <RequestId>{request_id}</RequestId>\n"
        "</ErrorResponse>\n"
    ).encode()
    headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    return "403 Forbidden", headers, body


def parse_date(text: str) -> datetime:
    """ISO 8601 -> naive UTC datetime, the representation moto stores."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


class ControlError(Exception):
    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _read_raw(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _parse_json(raw: bytes) -> Any:
    """The JSON body of a control request ({} when empty)."""
    try:
        return json.loads(raw or b"{}")
    except ValueError as error:
        raise ControlError("400 Bad Request", f"invalid JSON: {error}") from None


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ControlError("400 Bad Request", "expected a JSON object")
    return data


def _control_key(data: dict[str, Any]) -> Any:
    key_id = data.get("access_key_id")
    if not isinstance(key_id, str) or not key_id:
        raise ControlError("400 Bad Request", "access_key_id is required")
    key = find_access_key(key_id)
    if key is None:
        raise ControlError("404 Not Found", f"unknown access key {key_id}")
    return key


def _control_date(data: dict[str, Any]) -> datetime:
    text = data.get("date")
    if not isinstance(text, str):
        raise ControlError("400 Bad Request", "date is required")
    try:
        return parse_date(text)
    except ValueError:
        raise ControlError("400 Bad Request", f"invalid date {text!r}") from None


def control_last_used(data: Any) -> None:
    """Set (or, with "date": null, clear) an access key's last-use record."""
    from moto.iam.models import AccessKeyLastUsed

    data = _object(data)
    key = _control_key(data)
    if data.get("date", "") is None:
        key.last_used = None
        return
    when = _control_date(data)
    service, region = data.get("service"), data.get("region")
    if not isinstance(service, str) or not isinstance(region, str):
        raise ControlError("400 Bad Request", "service and region are required")
    key.last_used = AccessKeyLastUsed(timestamp=when, service=service, region=region)


def control_created(data: Any) -> None:
    """Backdate an access key's CreateDate."""
    data = _object(data)
    key = _control_key(data)
    key.create_date = _control_date(data)


def control_seed_events(data: Any) -> dict[str, Any]:
    """Add events to the history (all of them, or none when one is invalid)."""
    items = data.get("events") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ControlError("400 Bad Request", 'expected a list of events or {"events": [...]}')
    now = _utcnow()
    events = [seed_event(item, index, now) for index, item in enumerate(items)]
    add_events(events)
    return {"recorded": len(events), "event_ids": [e.event_id for e in events]}


def control_list_events(data: Any) -> dict[str, Any]:
    """Every recorded event of every account and region, newest first."""
    events = sorted(all_events(), key=lambda e: (e.event_time, e.seq), reverse=True)
    return {"events": [e.record() for e in events]}


FAILING_OPERATIONS = ("LookupEvents", "ListRegions")


def control_fail(data: Any) -> None:
    """Make an operation answer an error (in one region, or everywhere)."""
    data = _object(data)
    operation = data.get("operation")
    if operation not in FAILING_OPERATIONS:
        raise ControlError(
            "400 Bad Request", f"operation must be one of {', '.join(FAILING_OPERATIONS)}"
        )
    region = data.get("region")
    if region is not None and (not isinstance(region, str) or not region):
        raise ControlError("400 Bad Request", "region must be a region name or null")
    code = data.get("code")
    with _trail_lock:
        if code is None:
            _failures.pop((operation, region), None)
            return
    if not isinstance(code, str) or not code:
        raise ControlError("400 Bad Request", "code must be an error code or null")
    message = data.get("message", f"{operation} failed ({code})")
    status = data.get("status", 400)
    times = data.get("times")
    if not isinstance(message, str):
        raise ControlError("400 Bad Request", "message must be a string")
    if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
        raise ControlError("400 Bad Request", "status must be an HTTP error status")
    if times is not None and (not isinstance(times, int) or isinstance(times, bool) or times < 1):
        raise ControlError("400 Bad Request", "times must be a positive number or null")
    with _trail_lock:
        _failures[(operation, region)] = InjectedFailure(code, message, status, times)


def control_regions(data: Any) -> None:
    """Set the enabled regions ("enabled": null restores the default 17)."""
    global _enabled_regions
    data = _object(data)
    enabled = data.get("enabled")
    if enabled is not None and (
        not isinstance(enabled, list)
        or not enabled
        or not all(isinstance(r, str) and r for r in enabled)
    ):
        raise ControlError("400 Bad Request", "enabled must be a non-empty list of regions or null")
    with _trail_lock:
        _enabled_regions = None if enabled is None else list(dict.fromkeys(enabled))


CONTROL_ROUTES: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("POST", "/_rootkeys/last_used"): control_last_used,
    ("POST", "/_rootkeys/created"): control_created,
    ("POST", "/_rootkeys/events"): control_seed_events,
    ("GET", "/_rootkeys/events"): control_list_events,
    ("POST", "/_rootkeys/fail"): control_fail,
    ("POST", "/_rootkeys/regions"): control_regions,
}
CONTROL_ROUTES.update(moto_org.CONTROL_ROUTES)


def _is_lookup_events(environ: dict[str, Any]) -> bool:
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    return target == LOOKUP_EVENTS_TARGET or target.endswith("." + LOOKUP_EVENTS_TARGET)


def _form_params(environ: dict[str, Any], service: str | None) -> dict[str, str] | None:
    """The parameters of a query-protocol request (IAM, STS, EC2 and other
    form-encoded requests), so that its operation is known; None for the
    other protocols."""
    if service in ("iam", "sts", "ec2") or (
        service != "s3"
        and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
    ):
        return moto_org.query_params(environ)[0]
    return None


def _status_line(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Error"


class RootkeysApp:
    """WSGI middleware in front of moto's DomainDispatcherApplication."""

    def __init__(self, moto_app: Callable[..., Iterable[bytes]]):
        self.moto_app = moto_app

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")

        if path.startswith("/_rootkeys/"):
            return self.control(method, path, environ, start_response)
        moto_org.request_started()
        try:
            return self.serve(method, path, environ, start_response)
        finally:
            moto_org.request_finished()
            # Set by serve() for every request but /moto-api/*.
            if moto_org.ACTION_KEY in environ:
                moto_org.count_request(environ[moto_org.ACTION_KEY])

    def serve(
        self,
        method: str,
        path: str,
        environ: dict[str, Any],
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        # The global STS endpoint (sts.amazonaws.com), as a path prefix.
        is_global = path == moto_org.GLOBAL_PREFIX or path.startswith(
            moto_org.GLOBAL_PREFIX + "/"
        )
        if is_global:
            path = "/" + path[len(moto_org.GLOBAL_PREFIX):].lstrip("/")
            environ["PATH_INFO"] = path

        if method == "POST" and path == "/moto-api/reset":
            # moto forgets every key on reset; forget the deleted ids, the
            # key index, the event history and the organization state too.
            with _deleted_lock:
                _deleted_key_ids.clear()
            _key_index.clear()
            reset_trail()
            moto_org.reset()

        if path.startswith("/moto-api/"):
            # Anything moto's own API changes may change SCP verdicts.
            moto_org.scp_changed()
            try:
                return self.moto_app(environ, start_response)
            finally:
                moto_org.scp_changed()

        # An AWS request: counted per operation once answered (see
        # moto_org.note_action for where the operation gets named).
        environ[moto_org.ACTION_KEY] = None
        delay = moto_org.latency()
        if delay:
            time.sleep(delay)

        key_id, region, service = signing_scope(environ)
        if key_id:
            session = moto_org.session_for(key_id)
            if session is not None:
                return moto_org.serve_session(
                    self, environ, start_response, session, region, service
                )
        if key_id and is_rejected_key(key_id):
            # Not recorded: the request never reaches a service.
            params = _form_params(environ, service)
            moto_org.note_action(environ, moto_org.request_action(environ, service, params))
            status, headers, body = _rejection(environ, key_id, service)
            headers.append(("Content-Length", str(len(body))))
            start_response(status, headers)
            return [body]

        if key_id:
            # A member account's long-term root key: its last use is now,
            # whatever the answer (an SCP may deny the request below).
            moto_org.stamp_member_root_key(key_id, service, region)
            params = _form_params(environ, service)
            action = moto_org.request_action(environ, service, params)
            moto_org.note_action(environ, action)
            if service == "sts" and action == "AssumeRoot":
                return moto_org.serve_assume_root(
                    self, environ, start_response, key_id, params or {}, region, is_global
                )
            if service == "iam" and action in moto_org.ORG_FEATURE_ACTIONS:
                return moto_org.serve_org_features(
                    self, environ, start_response, key_id, action, region
                )
            refused = moto_org.org_action_denial(service, action)
            if refused is not None:
                return self.refuse(
                    environ, start_response, key_id, region, service, action, refused
                )
            denial = moto_org.long_term_key_denial(key_id, service, action)
            if denial is not None:
                return self.refuse(
                    environ, start_response, key_id, region, service, action,
                    moto_org.access_denied(denial),
                )
            if service == "organizations" and action in moto_org.DIRECT_ORG_OPERATIONS:
                return moto_org.serve_organizations(
                    self, environ, start_response, key_id, region, action
                )
        if _is_lookup_events(environ):
            return self.serve_lookup_events(environ, start_response, key_id, region)
        if method == "POST" and path == "/listRegions" and service == "account":
            return self.serve_list_regions(environ, start_response, key_id)
        return self.recorded(environ, start_response, key_id, region, service)

    def recorded(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        key_id: str | None,
        region: str | None,
        service: str | None,
    ) -> Iterable[bytes]:
        """Pass a request to moto, then record it as a management event."""
        if not key_id:
            moto_org.note_action(environ, moto_org.request_action(environ, service, None))
            return self.moto_app(environ, start_response)
        caller = request_caller(environ, key_id)
        when = _utcnow()
        context: dict[str, Any] = {}
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            if service == "organizations":
                # moto labels its JSON answers text/html; AWS: JSON 1.1.
                headers = [
                    (k, moto_org.ORG_JSON)
                    if k.lower() == "content-type" and v.startswith("text/html")
                    else (k, v)
                    for k, v in headers
                ]
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, *rest)

        _request_context.current = context
        try:
            result = self.moto_app(environ, capture)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        finally:
            _request_context.current = None

        action = context.get("action")
        moto_org.note_action(environ, action)
        if action:
            try:
                self.record(
                    environ,
                    caller,
                    key_id,
                    service or context.get("service") or "unknown",
                    region or context.get("region"),
                    action,
                    when,
                    response_error(
                        captured.get("status", "200 OK"), captured.get("headers", []), body
                    ),
                    captured.get("headers", []),
                )
            except Exception as error:  # recording must never break a request
                print(f"moto_root: could not record {action}: {error!r}", file=sys.stderr)
        return [body]

    @staticmethod
    def record(
        environ: dict[str, Any],
        caller: Caller,
        key_id: str,
        service: str,
        region: str | None,
        action: str,
        when: datetime,
        error: tuple[str | None, str | None],
        headers: list[tuple[str, str]],
    ) -> None:
        if is_data_event(service, action):
            return
        request_id = next(
            (v for k, v in headers if k.lower() in ("x-amzn-requestid", "x-amz-request-id")),
            None,
        )
        event = TrailEvent(
            account_id=caller.account_id,
            region=event_region_of(service, region),
            event_time=when,
            event_name=action,
            event_source=event_source_of(service),
            user_identity=caller.identity,
            username=caller.username,
            access_key_id=key_id,
            source_ip=environ.get("REMOTE_ADDR") or None,
            user_agent=environ.get("HTTP_USER_AGENT") or None,
            read_only=is_read_only(action),
            error_code=error[0],
            error_message=error[1],
        )
        if request_id:
            event.request_id = request_id
        add_events([event])

    def refuse(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        key_id: str,
        region: str | None,
        service: str | None,
        action: str | None,
        error: Any,
    ) -> Iterable[bytes]:
        """An error for a request refused before moto sees it (an SCP's deny,
        an operation taken away by /_rootkeys/org/deny); recorded, as on AWS."""
        _read_raw(environ)  # read first: the connection may be reused
        if action:
            moto_org._record(
                self, environ, request_caller(environ, key_id), key_id,
                service or "unknown", region, action, _utcnow(), error,
            )
        return moto_org._error_response(start_response, error, service, environ)

    def serve_lookup_events(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        key_id: str | None,
        region: str | None,
    ) -> Iterable[bytes]:
        """cloudtrail:LookupEvents (JSON 1.1).  Not itself recorded."""
        region = region or "us-east-1"
        account = request_caller(environ, key_id).account_id
        content_type = "application/x-amz-json-1.1"
        request_id = new_id()
        raw = _read_raw(environ)  # read first: the connection may be reused
        try:
            failure = take_failure("LookupEvents", region)
            if failure is not None:
                raise ApiError(failure.code, failure.message, failure.status)
            if not region_enabled(region):
                # As AWS answers in an opt-in region the account has not enabled.
                raise ApiError("UnrecognizedClientException", INVALID_TOKEN_MESSAGE)
            try:
                params = json.loads(raw or b"{}")
            except ValueError:
                params = None
            if not isinstance(params, dict):
                raise ApiError("SerializationException", "The request body is not a JSON object.")
            answer = lookup_events(account, region, params, _utcnow())
        except ApiError as error:
            body = json.dumps({"__type": error.code, "message": error.message}).encode()
            return _respond(
                start_response,
                _status_line(error.status),
                body,
                content_type,
                [("x-amzn-RequestId", request_id)],
            )
        return _respond(
            start_response,
            "200 OK",
            json.dumps(answer).encode(),
            content_type,
            [("x-amzn-RequestId", request_id)],
        )

    def serve_list_regions(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        key_id: str | None,
    ) -> Iterable[bytes]:
        """account:ListRegions (REST JSON), recorded like any other call."""
        moto_org.note_action(environ, "ListRegions")
        caller = request_caller(environ, key_id)
        when = _utcnow()
        request_id = new_id()
        headers = [("x-amzn-RequestId", request_id)]
        error: tuple[str | None, str | None] = (None, None)
        raw = _read_raw(environ)  # read first: the connection may be reused
        try:
            failure = take_failure("ListRegions", None)
            if failure is not None:
                raise ApiError(failure.code, failure.message, failure.status)
            try:
                params = json.loads(raw or b"{}")
            except ValueError:
                params = None
            if not isinstance(params, dict):
                raise ApiError("ValidationException", "The request body is not a JSON object.")
            status, body = "200 OK", json.dumps(list_regions(params)).encode()
        except ApiError as failed:
            error = (failed.code, failed.message)
            status = _status_line(failed.status)
            body = json.dumps({"message": failed.message}).encode()
            headers.append(("x-amzn-ErrorType", failed.code))
        if key_id:
            self.record(
                environ, caller, key_id, "account", None, "ListRegions", when, error, headers
            )
        return _respond(start_response, status, body, "application/json", headers)

    def control(
        self,
        method: str,
        path: str,
        environ: dict[str, Any],
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        # Always read the body: an unread body keeps the client waiting.
        raw = _read_raw(environ)
        if method == "GET" and path == "/_rootkeys/health":
            return _respond(start_response, "200 OK", b"ok", "text/plain")
        handler = CONTROL_ROUTES.get((method, path))
        if handler is None:
            body = json.dumps({"error": f"no control endpoint {method} {path}"})
            return _respond(start_response, "404 Not Found", body.encode())
        try:
            try:
                answer = handler(_parse_json(raw) if method == "POST" else {})
            finally:
                if method == "POST":  # may have changed SCPs or the organization
                    moto_org.scp_changed()
        except ControlError as error:
            body = json.dumps({"error": error.message})
            return _respond(start_response, error.status, body.encode())
        except Exception as error:  # a bug or a moto refusal: say which
            body = json.dumps({"error": f"{type(error).__name__}: {error}"})
            return _respond(start_response, "500 Internal Server Error", body.encode())
        body = json.dumps(answer if answer is not None else {})
        return _respond(start_response, "200 OK", body.encode())


def _respond(
    start_response: StartResponse,
    status: str,
    body: bytes,
    content_type: str = "application/json",
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    start_response(
        status,
        [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        + (headers or []),
    )
    return [body]


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


# Requests with bodies up to this size take RequestHandler's lean path.
LEAN_BODY_LIMIT = 1 << 20

# Control characters in a request line are escaped in the log, as werkzeug does.
_LOG_CONTROL_CHARS = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}
_LOG_CONTROL_CHARS[ord("\\")] = "\\\\"


def _reusing_threads_server() -> Any:
    """werkzeug's threaded WSGI server, serving each connection in a thread
    of its own as before, but reusing the threads of finished connections:
    starting a thread costs more CPU than serving a small request on this
    kind of machine.  A connection never waits for a free thread (a new one
    is started when none is idle), so as many requests are served at once
    as before."""
    import queue

    from werkzeug.serving import ThreadedWSGIServer

    class Server(ThreadedWSGIServer):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._connections: queue.SimpleQueue[Any] = queue.SimpleQueue()
            self._idle = 0
            self._idle_lock = threading.Lock()

        def process_request(self, request: Any, client_address: Any) -> None:
            with self._idle_lock:
                start = self._idle == 0
                if not start:
                    self._idle -= 1
            if start:
                threading.Thread(
                    target=self._worker, args=((request, client_address),), daemon=True
                ).start()
            else:
                self._connections.put((request, client_address))

        def _worker(self, first: tuple[Any, Any]) -> None:
            connection: tuple[Any, Any] | None = first
            while connection is not None:
                self.process_request_thread(*connection)
                with self._idle_lock:
                    self._idle += 1
                connection = self._connections.get()

        def server_close(self) -> None:
            super().server_close()
            with self._idle_lock:
                idle, self._idle = self._idle, 0
            for _ in range(idle):
                self._connections.put(None)

    return Server


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    global _record_last_used

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (0 = pick a free one)"
    )
    parser.add_argument(
        "--record-last-used",
        action="store_true",
        help="keep moto's stamping of last-used data on every signed request",
    )
    args = parser.parse_args(argv)
    _record_last_used = args.record_last_used

    # A fixed account would override the key-to-account mapping described above.
    if os.environ.pop("MOTO_ACCOUNT_ID", None) is not None:
        print("moto_root: ignoring MOTO_ACCOUNT_ID", file=sys.stderr)

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )

    latency = os.environ.get("ROOTKEYS_MOTO_LATENCY_MS")
    if latency:
        try:
            moto_org.set_latency_ms(float(latency))
        except ValueError:
            parser.error(f"ROOTKEYS_MOTO_LATENCY_MS must be a number of milliseconds: {latency!r}")

    class RequestHandler(MotoRequestHandler):
        # The status line and headers, then the body, are separate writes:
        # with Nagle's algorithm on, the body can wait for the client's
        # delayed ACK of the headers.
        disable_nagle_algorithm = True
        # Buffered: the status line, the headers and the body leave in one
        # send when werkzeug flushes after the body (a send on the loopback
        # costs more CPU than building a small answer).
        wbufsize = 1 << 16

        def run_wsgi(self) -> None:
            """werkzeug's run_wsgi, made cheaper for the common request (GET or
            POST with a Content-Length of at most 1 MiB, no Expect, no
            Transfer-Encoding): the body is read before the application runs
            (nothing is left to drain after the answer, so werkzeug's drain,
            a selector per request, is skipped), and the answer leaves in
            one send, with a Content-Length instead of chunks.  Anything
            else takes werkzeug's own path."""
            length_text = self.headers.get("Content-Length") or "0"
            if (
                self.command not in ("GET", "POST")
                or self.headers.get("Transfer-Encoding")
                or self.headers.get("Expect")
                or not length_text.isdigit()
                or int(length_text) > LEAN_BODY_LIMIT
            ):
                super().run_wsgi()
                return
            length = int(length_text)
            body = self.rfile.read(length) if length else b""
            if len(body) < length:  # the client went away
                self.close_connection = True
                return
            environ = self.environ = self.lean_environ() or self.make_environ()
            environ["wsgi.input"] = io.BytesIO(body)
            answer: list[Any] = []
            chunks: list[bytes] = []

            def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
                answer[:] = [status, headers]
                return chunks.append

            try:
                result = self.server.app(environ, start_response)
                try:
                    chunks.extend(result)
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()
            except Exception:
                self.server.log("error", f"Error on request:\n{traceback.format_exc()}")
                from werkzeug.exceptions import InternalServerError

                answer.clear()
                chunks[:] = list(InternalServerError()(environ, start_response))
            status, headers = answer
            code_text, _, reason = status.partition(" ")
            code = int(code_text)
            data = b"".join(chunks)
            self.send_response(code, reason)
            names = set()
            for name, value in headers:
                self.send_header(name, value)
                names.add(name.lower())
            if "content-length" not in names and not (100 <= code < 200 or code in (204, 304)):
                self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

        def lean_environ(self) -> dict[str, Any] | None:
            """The environ werkzeug's and moto's make_environ build, for the
            common request: a path starting with a single "/", no header
            name with an underscore, no chunked body, plain HTTP.  None for
            anything else (make_environ then builds it)."""
            path = self.path
            if (
                not path.startswith("/")
                or path.startswith("//")
                or "\t" in path
                or "\r" in path
                or "\n" in path
                or any("_" in name for name in self.headers.keys())
                or self.server.ssl_context is not None
                or not self.client_address
                or isinstance(self.client_address, str)
            ):
                return None
            from moto.core.request import PRESERVED_HEADER_NAMES_ENVIRON_KEY
            from werkzeug._internal import _wsgi_encoding_dance

            target, _, query = path.partition("#")[0].partition("?")
            raw = _wsgi_encoding_dance(path)
            server = self.server
            environ: dict[str, Any] = {
                "wsgi.version": (1, 0),
                "wsgi.url_scheme": "http",
                "wsgi.input": self.rfile,
                "wsgi.errors": sys.stderr,
                "wsgi.multithread": server.multithread,
                "wsgi.multiprocess": server.multiprocess,
                "wsgi.run_once": False,
                "werkzeug.socket": self.connection,
                "SERVER_SOFTWARE": self.server_version,
                "REQUEST_METHOD": self.command,
                "SCRIPT_NAME": "",
                "PATH_INFO": _wsgi_encoding_dance(unquote(target)),
                "QUERY_STRING": _wsgi_encoding_dance(query),
                "REQUEST_URI": raw,
                "RAW_URI": raw,
                "REMOTE_ADDR": self.address_string(),
                "REMOTE_PORT": self.port_integer(),
                "SERVER_NAME": server.server_address[0],
                "SERVER_PORT": str(server.server_address[1]),
                "SERVER_PROTOCOL": self.request_version,
            }
            for name, value in self.headers.items():
                key = name.upper().replace("-", "_")
                value = value.replace("\r\n", "")
                if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                    key = f"HTTP_{key}"
                    if key in environ:
                        value = f"{environ[key]},{value}"
                environ[key] = value
            if "HTTP_TRANSFER_ENCODING" in environ:
                return None
            environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = {}
            return environ

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            # werkzeug's line, written directly: the logging machinery costs
            # a noticeable share of a small request's time.
            line = getattr(self, "requestline", "")
            line = line.translate(_LOG_CONTROL_CHARS)
            when = time.strftime("%d/%b/%Y %H:%M:%S")
            sys.stderr.write(f'{self.address_string()} - - [{when}] "{line}" {code} {size}\n')

    # Many threads each doing a little work between socket calls: hand the
    # interpreter lock over sooner than the default 5 ms, so that a request
    # whose answer is ready is not kept waiting behind another's work.
    sys.setswitchinterval(0.001)

    ReusingThreadsServer = _reusing_threads_server()
    _patch_header_parsing()
    apply_patches()
    moto_org.install(sys.modules[__name__])
    app = RootkeysApp(DomainDispatcherApplication(create_backend_app))
    server = ReusingThreadsServer("127.0.0.1", args.port, app, RequestHandler)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    stdout = sys.stdout
    stdout.write(f"PORT={server.server_port}\n")
    stdout.flush()
    # Keep stdout to that single line: anything moto prints goes to stderr.
    sys.stdout = sys.stderr

    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

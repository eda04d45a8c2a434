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
  control endpoints instead.

Control endpoints (handled before moto sees the request):

    GET  /_rootkeys/health      -> 200 "ok"
    POST /_rootkeys/last_used   {"access_key_id", "date", "service", "region"}
                                ("date": null clears the last-use record)
    POST /_rootkeys/created     {"access_key_id", "date"}  (backdates CreateDate)

Both POST endpoints answer 200 ``{}``, 404 for an unknown key id and 400 for
a malformed body.  Dates are ISO 8601 (``2026-11-20T10:00:00Z``).

Accounts follow stock moto: a request signed with an access key that moto
issued runs in the account of the key's owner; any other key runs in the
default account 123456789012 (the ``x-moto-account-id`` header can select
another account for seeding).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs

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


def _iam_backends() -> Iterator[Any]:
    """Yield every IAM backend (one per account and partition) that exists.

    Mirrors moto.iam.models.get_account_id_from, which is how moto itself maps
    an access key id to an account.
    """
    from moto.iam.models import iam_backends
    from moto.utilities.utils import PARTITION_NAMES

    # list() guards against accounts being created by concurrent requests.
    for _account_id, account in list(iam_backends.items()):
        for partition in PARTITION_NAMES:
            yield account[partition]


def find_access_key(access_key_id: str) -> Any | None:
    """Return moto's AccessKey object for an id, in whichever account holds it."""
    for backend in _iam_backends():
        key = backend.access_keys.get(access_key_id)
        if key is not None:
            return key
    return None


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
            iam_backend = iam_backends[self.account_id][self.partition]
            user = iam_backend.get_user_from_access_key_id(access_key_id)
            if acts_as_root(user):
                account = user.account_id
                arn = f"arn:{self.partition}:iam::{account}:root"
                return account, arn, account
        return original(self, access_key_id, region)

    STSBackend.get_caller_identity = get_caller_identity  # type: ignore[method-assign]


def _patch_iam_account_summary() -> None:
    """Wrap moto.iam.models.IAMBackend.get_account_summary.

    moto's AccountSummary hard-codes _account_access_keys_present = 0; set it
    to the number of the stand-in's keys (Active or Inactive) on every call.
    """
    from moto.iam.models import IAMBackend

    original = IAMBackend.get_account_summary

    def get_account_summary(self: Any) -> Any:
        summary = original(self)
        standin = standin_of(self)
        summary._account_access_keys_present = (
            len(standin.access_keys) if standin is not None else 0
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


def apply_patches() -> None:
    _patch_sts_get_caller_identity()
    _patch_iam_account_summary()
    _patch_iam_credential_report()
    _patch_iam_key_ownership()
    _patch_iam_key_deletion()
    _patch_last_used_recording()


# --------------------------------------------------------------------------
# WSGI front: control endpoints and rejection of inactive/deleted keys
# --------------------------------------------------------------------------

StartResponse = Callable[..., Any]


def signing_key_id(environ: dict[str, Any]) -> tuple[str | None, str | None]:
    """(access key id, signing service) of a request, from SigV4/SigV2 data."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if auth.startswith("AWS4-"):
        # AWS4-HMAC-SHA256 Credential=AKID/20261120/us-east-1/iam/aws4_request, ...
        for part in auth.split(" ", 1)[-1].split(","):
            name, _, value = part.strip().partition("=")
            if name == "Credential":
                scope = value.split("/")
                return scope[0], scope[3] if len(scope) > 3 else None
    elif auth.startswith("AWS "):
        # SigV2: AWS AKID:signature
        return auth[4:].split(":", 1)[0].strip(), None

    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "X-Amz-Credential" in query:  # presigned SigV4 URL
        scope = query["X-Amz-Credential"][0].split("/")
        return scope[0], scope[3] if len(scope) > 3 else None
    if "AWSAccessKeyId" in query:  # presigned SigV2 URL
        return query["AWSAccessKeyId"][0], None
    return None, None


def _rejection(
    environ: dict[str, Any], access_key_id: str, service: str | None
) -> tuple[str, list[tuple[str, str]], bytes]:
    """The response AWS gives for a signature made with an unusable key."""
    request_id = str(uuid.uuid4())
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


def _read_json(environ: dict[str, Any]) -> dict[str, Any]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        data = json.loads(raw or b"{}")
    except ValueError as error:
        raise ControlError("400 Bad Request", f"invalid JSON: {error}") from None
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


def control_last_used(data: dict[str, Any]) -> None:
    """Set (or, with "date": null, clear) an access key's last-use record."""
    from moto.iam.models import AccessKeyLastUsed

    key = _control_key(data)
    if data.get("date", "") is None:
        key.last_used = None
        return
    when = _control_date(data)
    service, region = data.get("service"), data.get("region")
    if not isinstance(service, str) or not isinstance(region, str):
        raise ControlError("400 Bad Request", "service and region are required")
    key.last_used = AccessKeyLastUsed(timestamp=when, service=service, region=region)


def control_created(data: dict[str, Any]) -> None:
    """Backdate an access key's CreateDate."""
    key = _control_key(data)
    key.create_date = _control_date(data)


CONTROL_ROUTES: dict[tuple[str, str], Callable[[dict[str, Any]], None]] = {
    ("POST", "/_rootkeys/last_used"): control_last_used,
    ("POST", "/_rootkeys/created"): control_created,
}


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

        if method == "POST" and path == "/moto-api/reset":
            # moto forgets every key on reset; forget the deleted ids too.
            with _deleted_lock:
                _deleted_key_ids.clear()

        key_id, service = signing_key_id(environ)
        if key_id and is_rejected_key(key_id):
            status, headers, body = _rejection(environ, key_id, service)
            headers.append(("Content-Length", str(len(body))))
            start_response(status, headers)
            return [body]

        return self.moto_app(environ, start_response)

    def control(
        self,
        method: str,
        path: str,
        environ: dict[str, Any],
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        if method == "GET" and path == "/_rootkeys/health":
            return _respond(start_response, "200 OK", b"ok", "text/plain")
        handler = CONTROL_ROUTES.get((method, path))
        if handler is None:
            body = json.dumps({"error": f"no control endpoint {method} {path}"})
            return _respond(start_response, "404 Not Found", body.encode())
        try:
            handler(_read_json(environ))
        except ControlError as error:
            body = json.dumps({"error": error.message})
            return _respond(start_response, error.status, body.encode())
        return _respond(start_response, "200 OK", b"{}")


def _respond(
    start_response: StartResponse,
    status: str,
    body: bytes,
    content_type: str = "application/json",
) -> list[bytes]:
    start_response(
        status,
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
    )
    return [body]


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


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
    from werkzeug.serving import make_server

    apply_patches()
    app = RootkeysApp(DomainDispatcherApplication(create_backend_app))
    server = make_server(
        "127.0.0.1",
        args.port,
        app,
        threaded=True,
        request_handler=MotoRequestHandler,
    )

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

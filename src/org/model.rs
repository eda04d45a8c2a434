//! The data of an organization audit: the organization, its members, what
//! one Audit session reads, one row per account with its verdict, the order
//! worst first, and the JSON document of `rootkeys org audit --json`.
//!
//! Plain data: imports `domain`, `account` (its error type only) and serde;
//! no SDK, no runtime, no terminal. Texts from AWS are kept raw here; whoever
//! shows them on a terminal passes them through `crate::text`.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::account::AccountError;
use crate::domain::{KeyStatus, LastUsed, RootKey};

/// The task policy of an Audit session (read-only: keys, last use, MFA
/// devices, login profile, signing certificates; not the account summary).
pub const AUDIT_TASK_POLICY: &str = "IAMAuditRootUserCredentials";
/// The task policy of a Delete session (`DeleteAccessKey`; no
/// `UpdateAccessKey`, no account summary).
pub const DELETE_TASK_POLICY: &str = "IAMDeleteRootUserCredentials";
/// The longest root session AWS grants (`DurationSeconds`), in seconds.
/// `AssumeRoot` sessions cannot be refreshed.
pub const MAX_SESSION_SECS: i32 = 900;
/// The service principal of IAM in Organizations (trusted access,
/// delegated administrator).
pub const IAM_SERVICE_PRINCIPAL: &str = "iam.amazonaws.com";
/// The SCP condition that exempts `AssumeRoot` sessions from a statement that
/// denies the root user.
pub const ASSUMED_ROOT_EXEMPTION: &str = r#""Condition": {"Null": {"aws:AssumedRoot": "true"}}"#;

/// `arn:<partition>:iam::aws:policy/root-task/<name>`.
pub fn task_policy_arn(partition: &str, name: &str) -> String {
    format!("arn:{partition}:iam::aws:policy/root-task/{name}")
}

/// The organization, as `organizations:DescribeOrganization` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    /// `o-…`
    pub id: String,
    pub management_account_id: String,
    /// `FeatureSet` is `ALL` (not consolidated billing only).
    pub all_features: bool,
}

/// The IAM organization features of centralized root access, as
/// `iam:ListOrganizationsFeatures` gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RootFeatures {
    /// `RootCredentialsManagement`: `AssumeRoot` with the IAM* task policies.
    pub credentials_management: bool,
    /// `RootSessions`: `AssumeRoot` with the S3/SQS unlock task policies.
    pub root_sessions: bool,
}

/// Where this process sends its STS requests. `AssumeRoot` works on a
/// regional endpoint only; the global one answers `InvalidAction`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "url")]
pub enum StsEndpoint {
    Regional(String),
    Global(String),
}

/// An account's status in the organization (`State` of
/// `organizations:ListAccounts`, or its older `Status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MemberStatus {
    Active,
    /// Closed (or suspended by AWS): `AssumeRoot` cannot open a session in it.
    Suspended,
    PendingClosure,
    PendingActivation,
    /// A status rootkeys does not know: not audited.
    Unknown,
}

impl std::fmt::Display for MemberStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Active => "ACTIVE",
            Self::Suspended => "SUSPENDED",
            Self::PendingClosure => "PENDING_CLOSURE",
            Self::PendingActivation => "PENDING_ACTIVATION",
            Self::Unknown => "UNKNOWN",
        })
    }
}

/// One account of the organization, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub account_id: String,
    pub name: String,
    pub status: MemberStatus,
}

/// What an Audit session in a member account reads about its root user:
/// `ListAccessKeys` with `GetAccessKeyLastUsed` for each key,
/// `ListMFADevices` and `GetLoginProfile`. The Audit task policy does not
/// allow `GetAccountSummary` (a call known to be denied would put an
/// `AccessDenied` event into every member's `CloudTrail`): the keys listed are
/// the keys present.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MemberFacts {
    /// Root's access keys (IDs known), with their last use.
    pub keys: Vec<RootKey>,
    /// Root has an MFA device; `None` when it could not be read.
    pub mfa_enabled: Option<bool>,
    /// Root has a console password; `None` when it could not be read.
    pub password_present: Option<bool>,
}

/// The management account's root, seen from the management account itself
/// (`AssumeRoot` cannot target it): the account summary and the credential
/// report's `<root_account>` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManagementFacts {
    /// Keys from the credential report (slots; the key IDs are known only to root).
    pub keys: Vec<RootKey>,
    /// `AccountAccessKeysPresent` from the account summary, when readable.
    pub keys_present: Option<u32>,
    pub mfa_enabled: Option<bool>,
    /// When IAM generated the credential report.
    pub report_generated: Option<DateTime<Utc>>,
}

/// The journal facts of one `AssumeRoot` session (never its credentials).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionOpened {
    /// The member account the session acts in.
    pub account_id: String,
    /// Who opened it.
    pub caller_arn: String,
    pub task_policy_arn: String,
    /// STS's request ID of the `AssumeRoot` call.
    pub request_id: Option<String>,
    pub opened: DateTime<Utc>,
    /// When its credentials expire (at most [`MAX_SESSION_SECS`] after `opened`).
    pub expires: Option<DateTime<Utc>>,
    /// The `DurationSeconds` asked for.
    pub duration_secs: i32,
}

/// Why an account could not be (fully) audited, for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowErrorKind {
    /// A service control policy denies the session (or the caller).
    ScpDeny,
    /// Denied for another reason.
    AccessDenied,
    /// AWS kept throttling after the retries.
    Throttled,
    /// The caller's credentials (or the session's) expired.
    Expired,
    /// Not a member of the organization (`--accounts` named it).
    NotInOrganization,
    /// The management account, seen from a delegated administrator.
    ManagementFromDelegatedAdmin,
    Other,
}

/// A row's error: what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub kind: RowErrorKind,
    pub message: String,
    pub advice: String,
}

impl RowError {
    /// An account error met while auditing one account. An explicit SCP
    /// deny names the exemption `AssumeRoot` sessions need.
    pub fn from_account(err: &AccountError) -> Self {
        Self::from_account_in(err, "ACCOUNT")
    }

    /// [`RowError::from_account`], with commands that name `account_id`.
    pub fn from_account_in(err: &AccountError, account_id: &str) -> Self {
        let message = err.to_string();
        match err {
            AccountError::AccessDenied { message: text, .. }
                if text.contains("service control policy") =>
            {
                Self {
                    kind: RowErrorKind::ScpDeny,
                    message,
                    advice: format!(
                        "a service control policy denies this account's root user, and AssumeRoot \
                         sessions with it unless the statement exempts them: add \
                         {ASSUMED_ROOT_EXEMPTION} to the denying statement (in the management \
                         account, `aws organizations list-policies-for-target --target-id \
                         {account_id} --filter SERVICE_CONTROL_POLICY` lists the SCPs attached \
                         to it; those of its OUs and the root apply too), then run again"
                    ),
                }
            }
            AccountError::AccessDenied { action, .. } if action == "sts:AssumeRoot" => Self {
                kind: RowErrorKind::AccessDenied,
                message,
                advice: format!(
                    "the caller needs sts:AssumeRoot on this account's root \
                     (arn:aws:iam::{account_id}:root) with the IAMAuditRootUserCredentials task \
                     policy; see README, \"Organization mode\""
                ),
            },
            AccountError::AccessDenied { action, .. } => Self {
                kind: RowErrorKind::AccessDenied,
                message,
                advice: format!(
                    "the root session was refused {action}; check the policies that apply to \
                     account {account_id} (service control and resource control policies), \
                     then run again with --accounts {account_id}"
                ),
            },
            AccountError::Throttled { .. } => Self {
                kind: RowErrorKind::Throttled,
                message,
                advice: "AWS throttled this account's requests after every retry; run again \
                         with a lower --concurrency, or later"
                    .to_owned(),
            },
            AccountError::ExpiredCredentials { .. } => Self {
                kind: RowErrorKind::Expired,
                message,
                advice: "the caller's credentials expired during the audit (a root session \
                         lasts at most 15 minutes and is not refreshed); refresh them (e.g. `aws \
                         sso login`) and run again, with --accounts for the accounts that failed"
                    .to_owned(),
            },
            other => Self {
                kind: RowErrorKind::Other,
                message,
                advice: other.advice(),
            },
        }
    }
}

/// How a row was audited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// An Audit session (`AssumeRoot`) in the member account.
    AssumeRoot,
    /// The management account's credential report and account summary.
    CredentialReport,
    /// Not audited (suspended, not a member, the management account from a
    /// delegated administrator, or an error before any fact).
    None,
}

/// One account of the organization: what is known of its root user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberRow {
    pub account_id: String,
    pub name: String,
    pub status: MemberStatus,
    /// The organization's management account.
    pub management: bool,
    pub source: Source,
    /// Root's access keys as far as they were read.
    pub keys: Vec<RootKey>,
    /// A count of root keys besides the list (the management account's
    /// summary); the larger of it and the list counts.
    pub keys_present: Option<u32>,
    pub mfa_enabled: Option<bool>,
    pub password_present: Option<bool>,
    /// The account could not be audited (or only in part).
    pub error: Option<RowError>,
    /// A fact for the operator that is not an error (suspended, how the
    /// management account was read and how its keys are removed).
    pub note: Option<String>,
}

/// A row's verdict, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Root has at least one active access key.
    ActiveKeys,
    /// Root has access keys, all inactive (still not compliant).
    InactiveKeys,
    /// Could not be audited: root may have keys.
    Unknown,
    /// Not audited (suspended or closing): no session can be opened.
    NotAudited,
    /// No root access key.
    Compliant,
}

impl MemberRow {
    /// A row for an account that was listed, before anything is read.
    pub fn listed(member: &Member, management: bool) -> Self {
        Self {
            account_id: member.account_id.clone(),
            name: member.name.clone(),
            status: member.status,
            management,
            source: Source::None,
            keys: Vec::new(),
            keys_present: None,
            mfa_enabled: None,
            password_present: None,
            error: None,
            note: None,
        }
    }

    /// The row of an Audit session's facts.
    pub fn audited(member: &Member, facts: MemberFacts) -> Self {
        Self {
            source: Source::AssumeRoot,
            keys: facts.keys,
            mfa_enabled: facts.mfa_enabled,
            password_present: facts.password_present,
            ..Self::listed(member, false)
        }
    }

    /// The row of a member that could not be audited.
    pub fn failed(member: &Member, management: bool, error: RowError) -> Self {
        Self {
            error: Some(error),
            ..Self::listed(member, management)
        }
    }

    /// Was the account read (all of it)? A row with an error, or never
    /// read, is not.
    pub fn known(&self) -> bool {
        self.error.is_none() && self.source != Source::None
    }

    /// Root keys present: the larger of the summary's count and the keys
    /// listed; `None` when nothing was read and no key is known.
    pub fn root_keys_present(&self) -> Option<u32> {
        let listed = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        let n = self.keys_present.map_or(listed, |n| n.max(listed));
        (self.known() || n > 0).then_some(n)
    }

    /// CIS "no root user access key exists" for this account: `Some(false)`
    /// as soon as a key is known, `Some(true)` only when the whole account
    /// was read and has none, `None` otherwise (fail closed).
    pub fn compliant(&self) -> Option<bool> {
        match self.root_keys_present() {
            Some(n) if n > 0 => Some(false),
            Some(_) if self.known() => Some(true),
            _ => None,
        }
    }

    pub fn verdict(&self) -> Verdict {
        match self.compliant() {
            Some(true) => Verdict::Compliant,
            Some(false) => {
                // A key of unknown status (the summary counts more than
                // the list shows) counts as active.
                let listed = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
                let unlisted = self.root_keys_present().unwrap_or(0) > listed;
                if unlisted || self.keys.iter().any(|k| k.status == KeyStatus::Active) {
                    Verdict::ActiveKeys
                } else {
                    Verdict::InactiveKeys
                }
            }
            None if self.error.is_none() && self.status != MemberStatus::Active => {
                Verdict::NotAudited
            }
            None => Verdict::Unknown,
        }
    }

    /// The newest use of any of root's keys.
    pub fn last_used(&self) -> Option<&LastUsed> {
        self.keys
            .iter()
            .filter_map(|k| k.last_used.as_ref())
            .max_by_key(|u| u.date)
    }
}

/// Worst first: active keys, then inactive keys (each most recently used
/// first, then the most keys), then accounts that could not be audited, then
/// those not audited, then compliant ones; ties by account ID.
pub fn worst_first(a: &MemberRow, b: &MemberRow) -> Ordering {
    a.verdict()
        .cmp(&b.verdict())
        .then_with(|| {
            let used = |r: &MemberRow| r.last_used().map(|u| u.date);
            // Newest first; never used after any use.
            used(b).cmp(&used(a))
        })
        .then_with(|| b.root_keys_present().cmp(&a.root_keys_present()))
        .then_with(|| a.account_id.cmp(&b.account_id))
}

/// A finished organization audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditedOrg {
    pub organization: Organization,
    pub caller_arn: String,
    /// Sorted worst first.
    pub rows: Vec<MemberRow>,
    /// Listing the accounts failed part way: accounts after that point
    /// have no row, so the audit is incomplete.
    pub listing_error: Option<RowError>,
}

impl AuditedOrg {
    pub fn new(organization: Organization, caller_arn: String, mut rows: Vec<MemberRow>) -> Self {
        rows.sort_by(worst_first);
        Self {
            organization,
            caller_arn,
            rows,
            listing_error: None,
        }
    }

    /// Some account could not be audited, or the listing stopped early.
    pub fn incomplete(&self) -> bool {
        self.failed() > 0 || self.listing_error.is_some()
    }

    /// The organization as a whole: `Some(false)` when any account has a
    /// root key, `Some(true)` when every account was read and none has,
    /// `None` otherwise. Accounts not audited because they are suspended
    /// or closing do not make it unknown.
    pub fn compliant(&self) -> Option<bool> {
        if self.rows.iter().any(|r| r.compliant() == Some(false)) {
            Some(false)
        } else if self.listing_error.is_some()
            || self.rows.iter().any(|r| r.verdict() == Verdict::Unknown)
        {
            None
        } else {
            Some(true)
        }
    }

    /// Accounts with root keys.
    pub fn with_keys(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.compliant() == Some(false))
            .count()
    }

    /// Accounts that could not be audited (an error).
    pub fn failed(&self) -> usize {
        self.rows.iter().filter(|r| r.error.is_some()).count()
    }
}

/// RFC 3339 in UTC, seconds precision.
fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The JSON document of `rootkeys org audit --json`.
#[derive(Serialize)]
pub struct OrgJson<'a> {
    pub organization_id: &'a str,
    pub management_account_id: &'a str,
    pub caller_arn: &'a str,
    /// `null` when some account could not be audited and none has a key.
    pub compliant: Option<bool>,
    pub accounts_total: usize,
    pub accounts_with_keys: usize,
    pub accounts_failed: usize,
    /// Listing the accounts failed part way (null when it did not).
    pub listing_error: Option<&'a str>,
    pub accounts: Vec<AccountJson<'a>>,
}

/// One account in the JSON document.
#[derive(Serialize)]
pub struct AccountJson<'a> {
    pub account_id: &'a str,
    pub name: &'a str,
    pub status: MemberStatus,
    pub management: bool,
    pub verdict: Verdict,
    pub compliant: Option<bool>,
    pub root_keys_present: Option<u32>,
    /// The same shape as `rootkeys audit --json`'s keys.
    pub keys: Vec<KeyJson<'a>>,
    pub mfa_enabled: Option<bool>,
    pub password_present: Option<bool>,
    pub error: Option<&'a str>,
    /// What to do about `error`.
    pub advice: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// A key as `rootkeys audit --json` shows it.
#[derive(Serialize)]
pub struct KeyJson<'a> {
    pub access_key_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slot: Option<u8>,
    pub status: KeyStatus,
    pub created: Option<String>,
    pub last_used: Option<LastUsedJson<'a>>,
    pub signs_this_session: bool,
}

#[derive(Serialize)]
pub struct LastUsedJson<'a> {
    pub date: String,
    pub service: Option<&'a str>,
    pub region: Option<&'a str>,
}

impl<'a> KeyJson<'a> {
    pub fn new(key: &'a RootKey) -> Self {
        Self {
            access_key_id: key.access_key_id.as_deref(),
            slot: key.slot,
            status: key.status,
            created: key.created.as_ref().map(rfc3339),
            last_used: key.last_used.as_ref().map(|u| LastUsedJson {
                date: rfc3339(&u.date),
                service: u.service.as_deref(),
                region: u.region.as_deref(),
            }),
            signs_this_session: key.signs_this_session,
        }
    }
}

impl<'a> AccountJson<'a> {
    pub fn new(row: &'a MemberRow) -> Self {
        Self {
            account_id: &row.account_id,
            name: &row.name,
            status: row.status,
            management: row.management,
            verdict: row.verdict(),
            compliant: row.compliant(),
            root_keys_present: row.root_keys_present(),
            keys: row.keys.iter().map(KeyJson::new).collect(),
            mfa_enabled: row.mfa_enabled,
            password_present: row.password_present,
            error: row.error.as_ref().map(|e| e.message.as_str()),
            advice: row.error.as_ref().map(|e| e.advice.as_str()),
            note: row.note.as_deref(),
        }
    }
}

impl AuditedOrg {
    /// The JSON document (pretty-printed).
    pub fn to_json(&self) -> String {
        let doc = OrgJson {
            organization_id: &self.organization.id,
            management_account_id: &self.organization.management_account_id,
            caller_arn: &self.caller_arn,
            compliant: self.compliant(),
            accounts_total: self.rows.len(),
            accounts_with_keys: self.with_keys(),
            accounts_failed: self.failed(),
            listing_error: self.listing_error.as_ref().map(|e| e.message.as_str()),
            accounts: self.rows.iter().map(AccountJson::new).collect(),
        };
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, status: MemberStatus) -> Member {
        Member {
            account_id: id.to_owned(),
            name: format!("name-{id}"),
            status,
        }
    }

    fn key(status: KeyStatus, used: Option<&str>) -> RootKey {
        RootKey {
            access_key_id: Some("AKIAEXAMPLEKEY000001".to_owned()),
            slot: None,
            status,
            created: None,
            last_used: used.map(|d| LastUsed {
                date: d.parse().expect("date"),
                service: Some("s3".to_owned()),
                region: None,
            }),
            signs_this_session: false,
        }
    }

    fn audited(id: &str, keys: Vec<RootKey>) -> MemberRow {
        MemberRow::audited(
            &member(id, MemberStatus::Active),
            MemberFacts {
                keys,
                mfa_enabled: Some(true),
                password_present: Some(false),
            },
        )
    }

    fn denied() -> RowError {
        RowError::from_account(&AccountError::AccessDenied {
            action: "sts:AssumeRoot".to_owned(),
            message: "User: x is not authorized to perform: iam:ListAccessKeys with an explicit \
                      deny in a service control policy"
                .to_owned(),
        })
    }

    #[test]
    fn verdicts_fail_closed() {
        assert_eq!(audited("1", vec![]).verdict(), Verdict::Compliant);
        assert_eq!(audited("1", vec![]).compliant(), Some(true));
        let active = audited("1", vec![key(KeyStatus::Active, None)]);
        assert_eq!(active.verdict(), Verdict::ActiveKeys);
        assert_eq!(active.root_keys_present(), Some(1));
        let inactive = audited("1", vec![key(KeyStatus::Inactive, None)]);
        assert_eq!(inactive.verdict(), Verdict::InactiveKeys);
        assert_eq!(inactive.compliant(), Some(false));

        let failed = MemberRow::failed(&member("2", MemberStatus::Active), false, denied());
        assert_eq!(failed.verdict(), Verdict::Unknown);
        assert_eq!(failed.compliant(), None);
        assert_eq!(failed.root_keys_present(), None);
        // Keys read before a later failure still count.
        let mut partial = audited("3", vec![key(KeyStatus::Inactive, None)]);
        partial.error = Some(denied());
        assert_eq!(partial.compliant(), Some(false));

        let suspended = MemberRow::listed(&member("4", MemberStatus::Suspended), false);
        assert_eq!(suspended.verdict(), Verdict::NotAudited);
        assert_eq!(suspended.compliant(), None);

        // The management account's summary counts a key the report missed.
        let mut mgmt = MemberRow::listed(&member("5", MemberStatus::Active), true);
        mgmt.source = Source::CredentialReport;
        mgmt.keys_present = Some(1);
        assert_eq!(
            mgmt.verdict(),
            Verdict::ActiveKeys,
            "unknown status counts as active"
        );
        mgmt.keys_present = Some(0);
        assert_eq!(mgmt.verdict(), Verdict::Compliant);
    }

    #[test]
    fn an_scp_deny_names_the_exemption() {
        let e = denied();
        assert_eq!(e.kind, RowErrorKind::ScpDeny);
        assert!(
            e.advice.contains(r#""Null": {"aws:AssumedRoot": "true"}"#),
            "{}",
            e.advice
        );
        let plain = RowError::from_account(&AccountError::AccessDenied {
            action: "sts:AssumeRoot".to_owned(),
            message: "not authorized".to_owned(),
        });
        assert_eq!(plain.kind, RowErrorKind::AccessDenied);
        assert!(!plain.advice.contains("aws:AssumedRoot"));
    }

    #[test]
    fn rows_sort_worst_first() {
        let rows = vec![
            audited("000000000001", vec![]),
            MemberRow::listed(&member("000000000002", MemberStatus::Suspended), false),
            MemberRow::failed(
                &member("000000000003", MemberStatus::Active),
                false,
                denied(),
            ),
            audited(
                "000000000004",
                vec![key(KeyStatus::Inactive, Some("2026-11-01T00:00:00Z"))],
            ),
            audited(
                "000000000005",
                vec![key(KeyStatus::Active, Some("2025-01-01T00:00:00Z"))],
            ),
            audited(
                "000000000006",
                vec![key(KeyStatus::Active, Some("2026-11-20T00:00:00Z"))],
            ),
            audited("000000000007", vec![key(KeyStatus::Active, None)]),
        ];
        let org = AuditedOrg::new(
            Organization {
                id: "o-example".to_owned(),
                management_account_id: "000000000009".to_owned(),
                all_features: true,
            },
            "arn:aws:iam::000000000009:role/Audit".to_owned(),
            rows,
        );
        let order: Vec<&str> = org
            .rows
            .iter()
            .map(|r| &r.account_id[r.account_id.len() - 1..])
            .collect();
        assert_eq!(order, ["6", "5", "7", "4", "3", "2", "1"]);
        assert_eq!(org.compliant(), Some(false));
        assert_eq!(org.with_keys(), 4);
        assert_eq!(org.failed(), 1);
    }

    #[test]
    fn the_organization_is_unknown_while_an_account_is_and_none_has_keys() {
        let org = |rows| {
            AuditedOrg::new(
                Organization {
                    id: "o-example".to_owned(),
                    management_account_id: "000000000009".to_owned(),
                    all_features: true,
                },
                String::new(),
                rows,
            )
        };
        let suspended = MemberRow::listed(&member("2", MemberStatus::Suspended), false);
        assert_eq!(
            org(vec![audited("1", vec![]), suspended.clone()]).compliant(),
            Some(true)
        );
        let failed = MemberRow::failed(&member("3", MemberStatus::Active), false, denied());
        assert_eq!(org(vec![audited("1", vec![]), failed]).compliant(), None);
    }

    #[test]
    fn json_has_the_documented_fields() {
        let org = AuditedOrg::new(
            Organization {
                id: "o-example".to_owned(),
                management_account_id: "000000000009".to_owned(),
                all_features: true,
            },
            "arn:aws:iam::000000000009:role/Audit".to_owned(),
            vec![
                audited(
                    "000000000001",
                    vec![key(KeyStatus::Active, Some("2026-11-20T00:00:00Z"))],
                ),
                MemberRow::failed(
                    &member("000000000003", MemberStatus::Active),
                    false,
                    denied(),
                ),
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&org.to_json()).expect("json");
        assert_eq!(v["organization_id"], "o-example");
        assert_eq!(v["management_account_id"], "000000000009");
        assert_eq!(v["compliant"], false);
        let a = &v["accounts"][0];
        assert_eq!(a["account_id"], "000000000001");
        assert_eq!(a["status"], "ACTIVE");
        assert_eq!(a["management"], false);
        assert_eq!(a["compliant"], false);
        assert_eq!(a["root_keys_present"], 1);
        assert_eq!(a["mfa_enabled"], true);
        assert!(a["error"].is_null());
        assert_eq!(a["keys"][0]["access_key_id"], "AKIAEXAMPLEKEY000001");
        assert_eq!(a["keys"][0]["last_used"]["date"], "2026-11-20T00:00:00Z");
        let b = &v["accounts"][1];
        assert!(b["compliant"].is_null());
        assert!(b["root_keys_present"].is_null());
        assert!(
            b["error"]
                .as_str()
                .is_some_and(|e| e.contains("explicit deny"))
        );
    }
}

//! The `Account` port: what rootkeys needs from an AWS account, whether
//! real (`aws`) or simulated (`sim`). Returns domain types, never SDK types.
//! The usage port and its fan-out live in `usage`, the AWS error-code table
//! in `codes`; both are free of the SDK, which only `aws` imports.
//!
//! Must not import the SDK (outside `aws`), ratatui, or the front ends
//! (`tui`, `commands`).
//!
//! Imports `domain` and `report` (the credential report's types); never
//! `commands`, `tui`, `remediate` or ratatui/crossterm.

pub mod aws;
pub mod codes;
pub mod sim;
mod sim_capability;
pub mod usage;

use std::sync::Arc;

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::future::{BoxFuture, FutureExt};

use self::usage::TrailSource;

use crate::domain::{Identity, Inventory, KeyStatus, RootKey, View};
use crate::report::RootRow;

/// What went wrong talking to the account, in the operator's terms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("access denied for {action}: {message}")]
    AccessDenied { action: String, message: String },
    #[error("the credentials were rejected ({code}): {message}")]
    InvalidCredentials { code: String, message: String },
    #[error("the credentials have expired ({code}): {message}")]
    ExpiredCredentials { code: String, message: String },
    #[error("no AWS credentials found: {message}")]
    NoCredentials { message: String },
    #[error("AWS is throttling {action} and retries did not get through")]
    Throttled { action: String },
    #[error("cannot reach AWS: {message}")]
    Unreachable { message: String },
    /// The request may have reached AWS, but no usable answer came back (a
    /// dropped connection after sending, a timeout).
    #[error("no answer from AWS: {message}")]
    NoAnswer { message: String },
    #[error("AWS failed {action} with a server error (HTTP {status}, {code}): {message}")]
    ServerError {
        action: String,
        status: u16,
        code: String,
        message: String,
    },
    #[error("the endpoint did not answer {action} as AWS does ({detail}): {message}")]
    NotAws {
        action: String,
        /// `HTTP 500`, `an empty HTTP 200`, …
        detail: String,
        message: String,
    },
    #[error("AWS answered {action} with data rootkeys cannot trust: {message}")]
    Unexpected { action: String, message: String },
    #[error("the credential report is not ready after {waited_secs} s")]
    ReportNotReady { waited_secs: u64 },
    #[error("the credential report could not be read: {message}")]
    BadReport { message: String },
    #[error("no access key {key} for this caller")]
    NoSuchKey { key: String },
    #[error("{action} failed ({code}): {message}")]
    Service {
        action: String,
        code: String,
        message: String,
    },
}

impl AccountError {
    /// The short code journaled as a failed outcome.
    pub fn code(&self) -> String {
        match self {
            Self::AccessDenied { .. } => "AccessDenied".to_owned(),
            Self::InvalidCredentials { code, .. }
            | Self::ExpiredCredentials { code, .. }
            | Self::Service { code, .. }
            | Self::ServerError { code, .. } => code.clone(),
            Self::NoCredentials { .. } => "NoCredentials".to_owned(),
            Self::Throttled { .. } => "Throttling".to_owned(),
            Self::Unreachable { .. } => "Unreachable".to_owned(),
            Self::NoAnswer { .. } => "NoAnswer".to_owned(),
            Self::NotAws { .. } => "NotAws".to_owned(),
            Self::Unexpected { .. } => "UnexpectedAnswer".to_owned(),
            Self::ReportNotReady { .. } => "CredentialReportNotReady".to_owned(),
            Self::BadReport { .. } => "BadCredentialReport".to_owned(),
            Self::NoSuchKey { .. } => "NoSuchEntity".to_owned(),
        }
    }

    /// A write that failed this way may still have been applied: its
    /// outcome is unknown until the live state says otherwise.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. }
                | Self::NoAnswer { .. }
                | Self::ServerError { .. }
                | Self::NotAws { .. }
        )
    }

    /// What the operator can do about it.
    pub fn advice(&self) -> String {
        match self {
            Self::AccessDenied { action, .. } => format!(
                "the caller lacks the permission for {action}; grant it (see README, \"Permissions\") or sign in as root"
            ),
            Self::InvalidCredentials { .. } => {
                "check the profile or environment credentials; a key deactivated or deleted \
                 cannot sign requests any more (if rootkeys deactivated the key of this session, \
                 reactivate it from the console or sign in with another root credential)"
                    .to_owned()
            }
            Self::ExpiredCredentials { .. } => {
                "refresh the credentials (e.g. `aws sso login`, or new session keys) and run again"
                    .to_owned()
            }
            Self::NoCredentials { .. } => "set AWS_PROFILE / --profile, or AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY, and run again"
                .to_owned(),
            Self::Throttled { .. } => "wait a minute and try again".to_owned(),
            Self::Unreachable { .. } => "check the network, proxy and AWS_ENDPOINT_URL".to_owned(),
            Self::NoAnswer { .. } => {
                "check the network and proxy; a write whose answer was lost is \
                 settled against the live state (now, or on the next run)"
                    .to_owned()
            }
            Self::ServerError { .. } => {
                "AWS had a server-side problem; wait a minute and run again (a write is settled \
                 against the live state)"
                    .to_owned()
            }
            Self::NotAws { .. } => "something other than AWS answered: check AWS_ENDPOINT_URL and \
                 any proxy (HTTPS_PROXY, HTTP_PROXY) between you and AWS"
                .to_owned(),
            Self::Unexpected { .. } => {
                "rootkeys stops rather than guess; check AWS_ENDPOINT_URL, or run again later"
                    .to_owned()
            }
            Self::ReportNotReady { .. } => {
                "AWS is still generating the credential report; try again in a minute".to_owned()
            }
            Self::BadReport { .. } => {
                "download the report from the console and run `rootkeys report FILE`".to_owned()
            }
            Self::NoSuchKey { .. } => "run `rootkeys status` to list root's keys".to_owned(),
            Self::Service { .. } => "see the AWS error above".to_owned(),
        }
    }
}

pub type AccountResult<T> = Result<T, AccountError>;

/// Where the facts come from, for the header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Source {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
    /// `Some(name)` for a simulated account.
    pub simulated: Option<String>,
}

/// What `iam:GetAccountSummary` says about root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountSummary {
    /// `AccountAccessKeysPresent`: root's access keys, active or inactive.
    pub keys_present: u32,
    /// `AccountMFAEnabled`: root has an MFA device; `None` when the summary
    /// has no such entry (or one that is neither 0 nor 1).
    pub root_mfa: Option<bool>,
}

/// The port. Every call is read-only except `set_status` and `delete_key`;
/// those act on the *caller's* keys (IAM calls without `UserName`), which is
/// why the root check comes first (see `crate::remediate`).
pub trait Account: Send + Sync {
    /// `sts:GetCallerIdentity`, plus the signing access key ID.
    fn identity(&self) -> BoxFuture<'_, AccountResult<Identity>>;
    /// `iam:GetAccountSummary`: root's key count and MFA, in one call.
    fn account_summary(&self) -> BoxFuture<'_, AccountResult<AccountSummary>>;
    /// `AccountAccessKeysPresent` from `iam:GetAccountSummary`.
    fn keys_present(&self) -> BoxFuture<'_, AccountResult<u32>> {
        async move { self.account_summary().await.map(|s| s.keys_present) }.boxed()
    }
    /// The caller's own keys (`ListAccessKeys` without `UserName`), with last
    /// use fetched for every key concurrently. Only meaningful as root.
    fn caller_keys(&self) -> BoxFuture<'_, AccountResult<Vec<RootKey>>>;
    /// The credential report's `<root_account>` row (generate, bounded wait, get).
    fn root_report_row(&self) -> BoxFuture<'_, AccountResult<RootRow>>;
    /// `UpdateAccessKey` on the caller's key.
    fn set_status(&self, key_id: &str, status: KeyStatus) -> BoxFuture<'_, AccountResult<()>>;
    /// `DeleteAccessKey` on the caller's key.
    fn delete_key(&self, key_id: &str) -> BoxFuture<'_, AccountResult<()>>;
    /// The clock of this account (real time, or the simulation's).
    fn now(&self) -> DateTime<Utc>;
    fn source(&self) -> Source;
    /// Where the usage review reads event history (`CloudTrail`
    /// `LookupEvents`, or a simulation of it); `None` when this backend has
    /// none, and the review says so.
    fn trail_source(&self) -> Option<Arc<dyn TrailSource>> {
        None
    }
    /// The simulation's own controls (skip-ahead, pacing) when this backend
    /// is simulated; `None` for a real account.
    fn simulation(&self) -> Option<&dyn Simulation> {
        None
    }
}

/// An error of a simulation step, in the operator's terms.
pub type SimulationError = Box<dyn std::error::Error + Send + Sync>;

/// What a simulated account offers beyond the port: its clock can be
/// skipped ahead, its event history sets its own pace, and the training
/// steps that happen outside rootkeys in a real account (signing in with
/// temporary root credentials, moving a job to an IAM role) can be played.
pub trait Simulation: Send + Sync {
    /// Move the simulated clock forward by `by` (and keep it moved).
    fn skip_ahead(&self, by: TimeDelta) -> Result<(), SimulationError>;
    /// How far apart requests in one region start in a usage search.
    fn usage_pacing(&self) -> Duration;
    /// Continue with temporary root credentials (as in `CloudShell`, or an
    /// `sts:AssumeRoot` session) once the key signing the session no longer
    /// works; the temporary access key ID (`ASIA…`).
    fn continue_as_temporary_root(&self) -> Result<String, SimulationError>;
    /// Move the scheduled job that signs with `key_id` to its IAM role; the
    /// role's ARN.
    fn move_to_role(&self, key_id: &str) -> Result<String, SimulationError>;
    /// Calls made by the account's scheduled jobs after `from`, up to
    /// `until`, that AWS denied (their key was inactive or deleted), oldest
    /// first.
    fn denied_calls(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<DeniedCall>;
}

/// A simulated job's call that AWS denied: what a failing job looks like
/// in `CloudTrail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeniedCall {
    pub key_id: String,
    /// The job, as the scenario names it (`nightly backup`).
    pub job: String,
    pub event: crate::domain::usage::TrailEvent,
}

/// Keys as seen through the credential report's root row (auditor view).
pub fn keys_from_report(row: &RootRow) -> Vec<RootKey> {
    row.present_keys()
        .map(|k| RootKey {
            access_key_id: None,
            slot: Some(k.slot),
            status: if k.active {
                KeyStatus::Active
            } else {
                KeyStatus::Inactive
            },
            created: k.last_rotated,
            last_used: k.last_used.clone(),
            signs_this_session: false,
        })
        .collect()
}

/// Mark the key that signs this session.
pub fn mark_signing_key(keys: &mut [RootKey], identity: &Identity) {
    for key in keys {
        key.signs_this_session =
            key.access_key_id.is_some() && key.access_key_id == identity.signing_key_id;
    }
}

/// Load the inventory with as few dependent round trips as possible:
/// identity, account summary and the caller's keys go out together (the
/// keys are only used when the caller turns out to be root). As root the
/// credential report is not waited for; as auditor it is the only source.
pub async fn load_inventory(account: &dyn Account) -> AccountResult<Inventory> {
    load_inventory_with_report(account)
        .await
        .map(|(inventory, _)| inventory)
}

/// [`load_inventory`], with the credential report's root row the auditor view
/// rests on (`None` as root: the report is not read).
pub async fn load_inventory_with_report(
    account: &dyn Account,
) -> AccountResult<(Inventory, Option<RootRow>)> {
    let (identity, summary, keys) = futures::join!(
        account.identity(),
        account.account_summary(),
        account.caller_keys()
    );
    let identity = identity?;
    if identity.is_root() {
        let mut keys = keys?;
        mark_signing_key(&mut keys, &identity);
        let summary = summary?;
        let inventory = Inventory {
            identity,
            view: View::Root,
            keys_present: Some(summary.keys_present),
            root_mfa: summary.root_mfa,
            keys,
        };
        Ok((inventory, None))
    } else {
        // Never present the caller's own keys as root's.
        drop(keys);
        let row = account.root_report_row().await?;
        let keys = keys_from_report(&row);
        let summary = summary.ok();
        let inventory = Inventory {
            identity,
            view: View::Auditor,
            keys_present: summary.map(|s| s.keys_present),
            root_mfa: summary.and_then(|s| s.root_mfa),
            keys,
        };
        Ok((inventory, Some(row)))
    }
}

//! The organization port: what organization mode needs from AWS, whether
//! real (`org::aws`) or simulated (the demo). Returns `org::model` and
//! `domain` types, never SDK types, and never a credential.
//!
//! Writes are few and named: an SCP created, attached or detached
//! (`OrgAccess`), and a member root key deleted in a Delete session
//! ([`DeleteSession`]). An Audit session ([`MemberSession`]) has no write at
//! all, and no session can deactivate a key (no task policy allows it): a
//! request its task policy forbids cannot be written with these types.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use futures::stream::BoxStream;

use super::model::{
    ManagementFacts, Member, MemberFacts, Organization, RootFeatures, SessionOpened, StsEndpoint,
};
use crate::account::{AccountError, AccountResult};
use crate::domain::Identity;
use crate::domain::RootKey;

/// A failure that says something about the organization's setup (a
/// prerequisite of centralized root access), or any other account error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    /// The caller's account is in no organization.
    #[error("the caller's account is not in an AWS Organization")]
    NotInOrganization,
    /// The organization has consolidated billing features only.
    #[error("the organization does not have all features enabled")]
    NotAllFeatures,
    /// The caller's account is neither the management account nor the IAM
    /// delegated administrator.
    #[error(
        "the caller's account is neither the management account nor the IAM delegated administrator"
    )]
    NotManagementOrDelegatedAdmin,
    /// Trusted access for `iam.amazonaws.com` is not enabled.
    #[error("trusted access for iam.amazonaws.com is not enabled in the organization")]
    TrustedAccessNotEnabled,
    #[error(transparent)]
    Account(#[from] AccountError),
}

/// Access to an organization as its management account or IAM delegated
/// administrator.
pub trait OrgAccess: Send + Sync {
    /// `sts:GetCallerIdentity` of the caller.
    fn caller(&self) -> BoxFuture<'_, AccountResult<Identity>>;
    /// `organizations:DescribeOrganization`.
    fn organization(&self) -> BoxFuture<'_, Result<Organization, OrgError>>;
    /// `iam:ListOrganizationsFeatures` (only the management account and the
    /// IAM delegated administrator may call it: its errors say which
    /// prerequisite is missing).
    fn root_features(&self) -> BoxFuture<'_, Result<RootFeatures, OrgError>>;
    /// The STS endpoint `AssumeRoot` would be sent to (from configuration;
    /// no request).
    fn sts_endpoint(&self) -> StsEndpoint;
    /// Every account of the organization, one page (`organizations:ListAccounts`,
    /// at most 20 accounts) per item, as the pages arrive.
    fn accounts(&self) -> BoxStream<'_, AccountResult<Vec<Member>>>;
    /// Open an Audit session (`sts:AssumeRoot` with
    /// `IAMAuditRootUserCredentials`, at most 900 s) in a member account as
    /// `caller_arn`. The session's credentials stay inside the returned
    /// value and are dropped with it.
    fn open_audit_session(
        &self,
        account_id: &str,
        caller_arn: &str,
    ) -> BoxFuture<'_, AccountResult<Box<dyn MemberSession>>>;
    /// The management account's root, read from the management account
    /// itself (the caller must be in it): account summary and credential
    /// report.
    fn management_root(&self) -> BoxFuture<'_, AccountResult<ManagementFacts>>;
    /// The clock (real time, or a simulation's).
    fn now(&self) -> DateTime<Utc>;

    /// The organization root and whether service control policies are
    /// enabled on it (`organizations:ListRoots`).
    fn scp_root(&self) -> BoxFuture<'_, AccountResult<ScpRoot>>;
    /// The service control policy named `name`, with its content, if there
    /// is one (`organizations:ListPolicies`, then `DescribePolicy`).
    fn find_policy(&self, name: &str) -> BoxFuture<'_, AccountResult<Option<Policy>>>;
    /// Create a service control policy (`organizations:CreatePolicy`).
    fn create_policy(
        &self,
        name: &str,
        description: &str,
        content: &str,
    ) -> BoxFuture<'_, AccountResult<Written<PolicyRef>>>;
    /// The service control policies attached directly to `target` (an
    /// account, OU or root ID; `organizations:ListPoliciesForTarget`).
    fn policies_for_target(&self, target: &str) -> BoxFuture<'_, AccountResult<Vec<PolicyRef>>>;
    /// Every target `policy_id` is attached to (`organizations:ListTargetsForPolicy`,
    /// all pages): one call chain for the whole organization.
    fn policy_targets(&self, policy_id: &str) -> BoxFuture<'_, AccountResult<Vec<String>>>;
    /// `organizations:AttachPolicy`. Already attached is
    /// `AccountError::Service` with code `DuplicatePolicyAttachmentException`.
    fn attach_policy(
        &self,
        policy_id: &str,
        target: &str,
    ) -> BoxFuture<'_, AccountResult<Written<()>>>;
    /// `organizations:DetachPolicy`. Not attached is `AccountError::Service`
    /// with code `PolicyNotAttachedException`.
    fn detach_policy(
        &self,
        policy_id: &str,
        target: &str,
    ) -> BoxFuture<'_, AccountResult<Written<()>>>;
    /// Open a Delete session (`sts:AssumeRoot` with
    /// `IAMDeleteRootUserCredentials`, at most 900 s) in a member account.
    fn open_delete_session(
        &self,
        account_id: &str,
        caller_arn: &str,
    ) -> BoxFuture<'_, AccountResult<Box<dyn DeleteSession>>>;

    /// The controls of a simulated organization (the demo); `None` for AWS.
    fn simulation(&self) -> Option<&dyn OrgSimulation> {
        None
    }
}

/// What only a simulated organization can do: move its clock, and tell
/// which of its members' jobs were denied (a quarantined key's consumer).
pub trait OrgSimulation: Send + Sync {
    /// Move the simulated clock forward by `by` (the demo's skip-ahead).
    fn skip_ahead(&self, by: chrono::TimeDelta);
    /// Calls of the members' jobs denied between `from` and `until`.
    fn denied_calls(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<OrgDeniedCall>;
    /// Move the job that uses a root key of `account_id` to an IAM role
    /// (what its owners do after a failed run): the role's name, or why not.
    fn move_to_role(&self, account_id: &str) -> Result<String, String>;
}

/// A member job's call denied by the quarantine (simulated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDeniedCall {
    pub account_id: String,
    pub key_id: String,
    /// What the job is (`nightly backup export`).
    pub job: String,
    pub time: DateTime<Utc>,
    /// `s3:PutObject`
    pub action: String,
    /// AWS's error text (`AccessDenied … explicit deny in a service control policy`).
    pub message: String,
}

/// The organization root, as `organizations:ListRoots` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScpRoot {
    /// `r-…`
    pub id: String,
    /// `SERVICE_CONTROL_POLICY` is enabled on it.
    pub scp_enabled: bool,
}

/// A service control policy, by ID and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRef {
    /// `p-…`
    pub id: String,
    pub name: String,
    /// An AWS managed policy (`FullAWSAccess`).
    pub aws_managed: bool,
}

/// A service control policy with its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub policy: PolicyRef,
    pub content: String,
}

/// What a write returned, with AWS's request ID for the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written<T> {
    pub value: T,
    pub request_id: Option<String>,
}

/// One open Delete session in a member account: it lists root's keys and
/// deletes them; nothing else.
pub trait DeleteSession: Send + Sync {
    /// What the journal records about it.
    fn opened(&self) -> &SessionOpened;
    /// Root's access keys (`iam:ListAccessKeys`; last use not read).
    fn keys(&self) -> BoxFuture<'_, AccountResult<Vec<RootKey>>>;
    /// `iam:DeleteAccessKey` of one of root's keys. A key that is not
    /// there is `AccountError::NoSuchKey`.
    fn delete_key(&self, key_id: &str) -> BoxFuture<'_, AccountResult<Written<()>>>;
}

/// One open Audit session in a member account.
pub trait MemberSession: Send + Sync {
    /// What the journal records about it.
    fn opened(&self) -> &SessionOpened;
    /// Root's keys (each with its last use), MFA and password, read in the
    /// session: independent calls together, then each key's last use together.
    fn read_root(&self) -> BoxFuture<'_, AccountResult<MemberFacts>>;
}

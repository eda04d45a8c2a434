//! The organization port: what organization mode needs from AWS, whether
//! real (`org::aws`) or simulated (the demo). Returns `org::model` and
//! `domain` types, never SDK types, and never a credential.
//!
//! Read-only: nothing here changes an account.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use futures::stream::BoxStream;

use super::model::{
    ManagementFacts, Member, MemberFacts, Organization, RootFeatures, SessionOpened, StsEndpoint,
};
use crate::account::{AccountError, AccountResult};
use crate::domain::Identity;

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
}

/// One open Audit session in a member account.
pub trait MemberSession: Send + Sync {
    /// What the journal records about it.
    fn opened(&self) -> &SessionOpened;
    /// Root's keys (each with its last use), MFA and password, read in the
    /// session: independent calls together, then each key's last use together.
    fn read_root(&self) -> BoxFuture<'_, AccountResult<MemberFacts>>;
}

//! The organization port over the SDK: aws-sdk-organizations (the
//! organization and its accounts), aws-sdk-iam (the IAM organization
//! features; in a member, root's keys, MFA and login profile) and
//! aws-sdk-sts (the caller, `AssumeRoot`).
//!
//! Every request waits for the pool-wide pause ([`Pace`]) and is retried
//! here, not by the SDK (its clients make one attempt): a throttled answer
//! pauses the whole pool. A member's IAM client is built from the
//! `AssumeRoot` session's credentials, in memory only, with the caller's
//! endpoint settings and HTTP client; it is dropped with the session.
//!
//! - here: the client set, the caller, the organization, its features, its
//!   accounts and the management account's root;
//! - `scp`: service control policies (the quarantine's reads and writes);
//! - `session`: `AssumeRoot` and the two session kinds (Audit, Delete);
//! - `send`: the pool-wide pause, retries, and paged reads.
//!
//! Must not import the front ends (`tui`, `commands`) or ratatui.

mod scp;
mod send;
mod session;

use std::sync::Arc;

use aws_config::BehaviorVersion;
use aws_config::Region;
use aws_config::SdkConfig;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_credential_types::Credentials;
use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::FeatureType;
use aws_sdk_organizations::types::{AccountState, AccountStatus, OrganizationFeatureSet};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use chrono::{DateTime, Utc};
use futures::future::{BoxFuture, FutureExt};
use futures::stream::{BoxStream, StreamExt};

use super::model::{
    ManagementFacts, Member, MemberStatus, Organization, RootFeatures, StsEndpoint,
};
use super::pace::Pace;
use super::port::{
    DeleteSession, MemberSession, OrgAccess, OrgError, Policy, PolicyRef, ScpRoot, Written,
};
use crate::account::aws::{
    AwsAccount, REPORT_WAIT, map_sdk_error, plain_http_client, plain_http_endpoint, timeouts,
};
use crate::account::{Account, AccountError, AccountResult, keys_from_report};
use crate::domain::Identity;
use send::{Retry, paced, paced_org};

/// Builds a member's IAM client from an `AssumeRoot` session's credentials.
pub type MemberIamFactory = Arc<dyn Fn(Credentials) -> aws_sdk_iam::Client + Send + Sync>;

/// The organization port over the SDK.
pub struct OrgAws {
    sts: aws_sdk_sts::Client,
    orgs: aws_sdk_organizations::Client,
    iam: aws_sdk_iam::Client,
    member_iam: MemberIamFactory,
    /// The caller's own account (management account row), with the SDK's
    /// standard retries and the credential report's bounded wait.
    own: AwsAccount,
    endpoint: StsEndpoint,
    pace: Arc<Pace>,
}

/// One attempt per SDK call: retries (and the pool-wide pause) are ours.
fn one_attempt() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(1)
}

impl OrgAws {
    /// Load the default credential chain (as single-account mode does),
    /// honouring `--profile`, `--region`, `AWS_ENDPOINT_URL` and
    /// `AWS_ENDPOINT_URL_STS`. Without a configured region, `us-east-1`:
    /// `AssumeRoot` needs a regional STS endpoint.
    pub async fn connect(profile: Option<&str>, region: Option<&str>) -> Self {
        let region_chain =
            RegionProviderChain::first_try(region.map(|r| Region::new(r.to_owned())))
                .or_default_provider()
                .or_else(Region::from_static("us-east-1"));
        let http = if plain_http_endpoint() {
            plain_http_client()
        } else {
            default_https_client()
        };
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(region_chain)
            .timeout_config(timeouts())
            .retry_config(RetryConfig::standard().with_max_attempts(3))
            .http_client(http);
        if let Some(profile) = profile {
            loader = loader.profile_name(profile);
        }
        let config = loader.load().await;
        let endpoint = sts_endpoint_of(&config);
        let once = |c: &SdkConfig| c.to_builder().retry_config(one_attempt()).build();
        let paced = once(&config);
        let member_config = paced.clone();
        let member_iam: MemberIamFactory = Arc::new(move |credentials| {
            let conf = aws_sdk_iam::config::Builder::from(&member_config)
                .credentials_provider(credentials)
                .build();
            aws_sdk_iam::Client::from_conf(conf)
        });
        let own = AwsAccount::from_clients(
            aws_sdk_iam::Client::new(&config),
            aws_sdk_sts::Client::new(&config),
            None,
            REPORT_WAIT,
        );
        Self {
            sts: aws_sdk_sts::Client::new(&paced),
            orgs: aws_sdk_organizations::Client::new(&paced),
            iam: aws_sdk_iam::Client::new(&paced),
            member_iam,
            own,
            endpoint,
            pace: Arc::new(Pace::new()),
        }
    }

    /// Build from ready clients (tests use mocked clients): `member_iam`
    /// turns a session's credentials into a member's IAM client.
    pub fn from_clients(
        sts: aws_sdk_sts::Client,
        orgs: aws_sdk_organizations::Client,
        iam: aws_sdk_iam::Client,
        member_iam: MemberIamFactory,
        endpoint: StsEndpoint,
    ) -> Self {
        let own = AwsAccount::from_clients(iam.clone(), sts.clone(), None, REPORT_WAIT);
        Self {
            sts,
            orgs,
            iam,
            member_iam,
            own,
            endpoint,
            pace: Arc::new(Pace::new()),
        }
    }

    /// Use `pace` as the pool-wide pause (tests shorten it).
    #[must_use]
    pub fn with_pace(mut self, pace: Arc<Pace>) -> Self {
        self.pace = pace;
        self
    }

    /// The pool-wide pause shared by every request of this organization.
    pub fn pace(&self) -> &Arc<Pace> {
        &self.pace
    }

    async fn caller_impl(&self) -> AccountResult<Identity> {
        let out = paced(&self.pace, Retry::Lost, || async {
            self.sts
                .get_caller_identity()
                .send()
                .await
                .map_err(|e| map_sdk_error("sts:GetCallerIdentity", &e))
        })
        .await?;
        Ok(Identity {
            account_id: out.account().unwrap_or_default().to_owned(),
            arn: out.arn().unwrap_or_default().to_owned(),
            user_id: out.user_id().unwrap_or_default().to_owned(),
            signing_key_id: None,
        })
    }

    async fn organization_impl(&self) -> Result<Organization, OrgError> {
        let out = paced_org(&self.pace, || async {
            self.orgs
                .describe_organization()
                .send()
                .await
                .map_err(|e| match e.code() {
                    Some("AWSOrganizationsNotInUseException") => OrgError::NotInOrganization,
                    _ => OrgError::Account(map_sdk_error("organizations:DescribeOrganization", &e)),
                })
        })
        .await?;
        let org = out.organization().ok_or_else(|| {
            OrgError::Account(AccountError::Unexpected {
                action: "organizations:DescribeOrganization".to_owned(),
                message: "the answer names no organization".to_owned(),
            })
        })?;
        Ok(Organization {
            id: org.id().unwrap_or_default().to_owned(),
            management_account_id: org.master_account_id().unwrap_or_default().to_owned(),
            all_features: org.feature_set() == Some(&OrganizationFeatureSet::All),
        })
    }

    async fn root_features_impl(&self) -> Result<RootFeatures, OrgError> {
        let out = paced_org(&self.pace, || async {
            self.iam
                .list_organizations_features()
                .send()
                .await
                .map_err(|e| {
                    // IAM's codes end in `Exception`; accept them without too.
                    let code = e.code().unwrap_or_default();
                    match code.strip_suffix("Exception").unwrap_or(code) {
                        "AccountNotManagementOrDelegatedAdministrator" => {
                            OrgError::NotManagementOrDelegatedAdmin
                        }
                        "OrganizationNotFound" => OrgError::NotInOrganization,
                        "OrganizationNotInAllFeaturesMode" => OrgError::NotAllFeatures,
                        "ServiceAccessNotEnabled" => OrgError::TrustedAccessNotEnabled,
                        _ => OrgError::Account(map_sdk_error("iam:ListOrganizationsFeatures", &e)),
                    }
                })
        })
        .await?;
        let enabled = out.enabled_features();
        Ok(RootFeatures {
            credentials_management: enabled.contains(&FeatureType::RootCredentialsManagement),
            root_sessions: enabled.contains(&FeatureType::RootSessions),
        })
    }

    /// One page of `ListAccounts`.
    async fn accounts_page(
        &self,
        token: Option<String>,
    ) -> AccountResult<(Vec<Member>, Option<String>)> {
        let out = paced(&self.pace, Retry::Lost, || async {
            self.orgs
                .list_accounts()
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| map_sdk_error("organizations:ListAccounts", &e))
        })
        .await?;
        let members = out
            .accounts()
            .iter()
            .filter_map(|a| {
                Some(Member {
                    account_id: a.id()?.to_owned(),
                    name: a.name().unwrap_or_default().to_owned(),
                    status: member_status(a.state(), a.status()),
                })
            })
            .collect();
        Ok((members, out.next_token().map(str::to_owned)))
    }

    async fn management_root_impl(&self) -> AccountResult<ManagementFacts> {
        let (present, row) = futures::join!(self.own.keys_present(), self.own.root_report_row());
        let row = row?;
        let present = present?;
        Ok(ManagementFacts {
            keys: keys_from_report(&row),
            keys_present: Some(present),
            mfa_enabled: row.mfa_active,
            report_generated: row.generated,
        })
    }
}

/// The same HTTPS client the SDK would build, made once and shared by the
/// caller's clients and every member's.
fn default_https_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .build_https()
}

/// Where STS requests go: `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`
/// (or the profile's `endpoint_url`), else the SDK's own endpoint for the
/// region (regional for every region but `aws-global`).
fn sts_endpoint_of(config: &SdkConfig) -> StsEndpoint {
    let explicit = std::env::var("AWS_ENDPOINT_URL_STS")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| config.endpoint_url().map(str::to_owned));
    let url = explicit.unwrap_or_else(|| {
        let region = config.region().map_or("us-east-1", Region::as_ref);
        if region == "aws-global" {
            "https://sts.amazonaws.com".to_owned()
        } else {
            format!("https://sts.{region}.amazonaws.com")
        }
    });
    classify_sts_url(&url)
}

/// The global endpoint is `sts.amazonaws.com` (any scheme, port or path).
pub fn classify_sts_url(url: &str) -> StsEndpoint {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest
        .split(['/', ':', '?'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if host == "sts.amazonaws.com" {
        StsEndpoint::Global(url.to_owned())
    } else {
        StsEndpoint::Regional(url.to_owned())
    }
}

fn member_status(state: Option<&AccountState>, status: Option<&AccountStatus>) -> MemberStatus {
    match (state, status) {
        (Some(AccountState::Active), _) | (None, Some(AccountStatus::Active)) => {
            MemberStatus::Active
        }
        (Some(AccountState::Suspended | AccountState::Closed), _)
        | (None, Some(AccountStatus::Suspended)) => MemberStatus::Suspended,
        (Some(AccountState::PendingClosure), _) | (None, Some(AccountStatus::PendingClosure)) => {
            MemberStatus::PendingClosure
        }
        (Some(AccountState::PendingActivation), _) => MemberStatus::PendingActivation,
        _ => MemberStatus::Unknown,
    }
}

impl OrgAccess for OrgAws {
    fn caller(&self) -> BoxFuture<'_, AccountResult<Identity>> {
        self.caller_impl().boxed()
    }
    fn organization(&self) -> BoxFuture<'_, Result<Organization, OrgError>> {
        self.organization_impl().boxed()
    }
    fn root_features(&self) -> BoxFuture<'_, Result<RootFeatures, OrgError>> {
        self.root_features_impl().boxed()
    }
    fn sts_endpoint(&self) -> StsEndpoint {
        self.endpoint.clone()
    }
    fn accounts(&self) -> BoxStream<'_, AccountResult<Vec<Member>>> {
        // `None`: the first page; `Some(None)`: no more pages.
        futures::stream::unfold(
            Some(None),
            move |token: Option<Option<String>>| async move {
                let token = token?;
                match self.accounts_page(token).await {
                    Ok((members, next)) => Some((Ok(members), next.map(Some))),
                    Err(e) => Some((Err(e), None)),
                }
            },
        )
        .boxed()
    }
    fn open_audit_session(
        &self,
        account_id: &str,
        caller_arn: &str,
    ) -> BoxFuture<'_, AccountResult<Box<dyn MemberSession>>> {
        let account_id = account_id.to_owned();
        let caller_arn = caller_arn.to_owned();
        async move { self.open_audit_impl(&account_id, &caller_arn).await }.boxed()
    }
    fn management_root(&self) -> BoxFuture<'_, AccountResult<ManagementFacts>> {
        self.management_root_impl().boxed()
    }
    fn now(&self) -> DateTime<Utc> {
        crate::failpoint::now()
    }
    fn scp_root(&self) -> BoxFuture<'_, AccountResult<ScpRoot>> {
        self.scp_root_impl().boxed()
    }
    fn find_policy(&self, name: &str) -> BoxFuture<'_, AccountResult<Option<Policy>>> {
        let name = name.to_owned();
        async move { self.find_policy_impl(&name).await }.boxed()
    }
    fn create_policy(
        &self,
        name: &str,
        description: &str,
        content: &str,
    ) -> BoxFuture<'_, AccountResult<Written<PolicyRef>>> {
        let (name, description, content) =
            (name.to_owned(), description.to_owned(), content.to_owned());
        async move { self.create_policy_impl(&name, &description, &content).await }.boxed()
    }
    fn policies_for_target(&self, target: &str) -> BoxFuture<'_, AccountResult<Vec<PolicyRef>>> {
        let target = target.to_owned();
        async move { self.policies_for_target_impl(&target).await }.boxed()
    }
    fn policy_targets(&self, policy_id: &str) -> BoxFuture<'_, AccountResult<Vec<String>>> {
        let policy_id = policy_id.to_owned();
        async move { self.policy_targets_impl(&policy_id).await }.boxed()
    }
    fn attach_policy(
        &self,
        policy_id: &str,
        target: &str,
    ) -> BoxFuture<'_, AccountResult<Written<()>>> {
        let (policy_id, target) = (policy_id.to_owned(), target.to_owned());
        async move { self.attach_policy_impl(&policy_id, &target).await }.boxed()
    }
    fn detach_policy(
        &self,
        policy_id: &str,
        target: &str,
    ) -> BoxFuture<'_, AccountResult<Written<()>>> {
        let (policy_id, target) = (policy_id.to_owned(), target.to_owned());
        async move { self.detach_policy_impl(&policy_id, &target).await }.boxed()
    }
    fn open_delete_session(
        &self,
        account_id: &str,
        caller_arn: &str,
    ) -> BoxFuture<'_, AccountResult<Box<dyn DeleteSession>>> {
        let account_id = account_id.to_owned();
        let caller_arn = caller_arn.to_owned();
        async move { self.open_delete_impl(&account_id, &caller_arn).await }.boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sts_amazonaws_com_is_the_global_endpoint() {
        for url in [
            "https://sts.amazonaws.com",
            "https://STS.amazonaws.com/",
            "sts.amazonaws.com:443",
            "https://sts.amazonaws.com./x",
        ] {
            assert!(
                matches!(classify_sts_url(url), StsEndpoint::Global(_)),
                "{url}"
            );
        }
        for url in [
            "https://sts.us-east-1.amazonaws.com",
            "https://sts.eu-west-1.amazonaws.com/",
            "http://127.0.0.1:5000",
            "https://sts.amazonaws.com.example.net",
        ] {
            assert!(
                matches!(classify_sts_url(url), StsEndpoint::Regional(_)),
                "{url}"
            );
        }
    }

    #[test]
    fn account_states_map_to_statuses() {
        assert_eq!(
            member_status(Some(&AccountState::Active), None),
            MemberStatus::Active
        );
        assert_eq!(
            member_status(None, Some(&AccountStatus::Suspended)),
            MemberStatus::Suspended
        );
        assert_eq!(
            member_status(Some(&AccountState::Closed), Some(&AccountStatus::Active)),
            MemberStatus::Suspended,
            "the newer State wins"
        );
        assert_eq!(member_status(None, None), MemberStatus::Unknown);
    }
}

//! The real backend over aws-config, aws-sdk-iam and aws-sdk-sts:
//! [`AwsAccount`], the `Account` port over the SDK. Its parts: `errors`
//! (the one SDK error classifier every client's errors go through) and
//! `cloudtrail` (the usage port's adapter over aws-sdk-cloudtrail).
//!
//! Returns domain types. Must not import ratatui or the front ends (`tui`,
//! `commands`).

pub mod cloudtrail;
mod errors;

use std::sync::Arc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::Region;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::{ReportStateType, StatusType, SummaryKeyType};
use chrono::{DateTime, Utc};
use futures::future::{BoxFuture, FutureExt};

pub use self::cloudtrail::SdkTrailSource;
pub use self::errors::{SdkFailure, classify, map_sdk_error};
use super::usage::TrailSource;
use super::{Account, AccountError, AccountResult, AccountSummary, Source};
use crate::domain::{Identity, KeyStatus, LastUsed, RootKey};
use crate::report::{self, RootRow};
use crate::text;

/// How long to wait for AWS to generate the credential report.
pub const REPORT_WAIT: Duration = Duration::from_secs(30);

pub struct AwsAccount {
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    credentials: Option<SharedCredentialsProvider>,
    source: Source,
    report_wait: Duration,
    /// `CloudTrail` event history over the same credentials and settings
    /// (none for clients built by hand).
    trail: Option<Arc<SdkTrailSource>>,
}

/// Timeouts that make an unreachable endpoint fail in seconds, not minutes.
pub(crate) fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .read_timeout(Duration::from_secs(10))
        .operation_attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(20))
        .build()
}

impl AwsAccount {
    /// Load the default credential chain (env, profiles, SSO, process, IMDS),
    /// honouring `--profile`, `--region` and `AWS_ENDPOINT_URL`. IAM is
    /// global: without a configured region, `us-east-1` signs the calls.
    pub async fn connect(profile: Option<&str>, region: Option<&str>) -> Self {
        let region_chain =
            RegionProviderChain::first_try(region.map(|r| Region::new(r.to_owned())))
                .or_default_provider()
                .or_else(Region::from_static("us-east-1"));
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(region_chain)
            .timeout_config(timeouts())
            .retry_config(RetryConfig::standard().with_max_attempts(3));
        if let Some(profile) = profile {
            loader = loader.profile_name(profile);
        }
        if plain_http_endpoint() {
            loader = loader.http_client(plain_http_client());
        }
        let config = loader.load().await;
        let source = Source {
            profile: profile
                .map(str::to_owned)
                .or_else(|| std::env::var("AWS_PROFILE").ok()),
            region: config.region().map(ToString::to_string),
            endpoint: config.endpoint_url().map(str::to_owned),
            simulated: None,
        };
        Self {
            iam: aws_sdk_iam::Client::new(&config),
            sts: aws_sdk_sts::Client::new(&config),
            credentials: config.credentials_provider(),
            source,
            report_wait: REPORT_WAIT,
            trail: Some(Arc::new(SdkTrailSource::new(&config))),
        }
    }

    /// Build from ready clients (tests use mocked clients).
    pub fn from_clients(
        iam: aws_sdk_iam::Client,
        sts: aws_sdk_sts::Client,
        credentials: Option<SharedCredentialsProvider>,
        report_wait: Duration,
    ) -> Self {
        Self {
            iam,
            sts,
            credentials,
            source: Source::default(),
            report_wait,
            trail: None,
        }
    }

    async fn signing_key_id(&self) -> Option<String> {
        let provider = self.credentials.as_ref()?;
        let creds = provider.provide_credentials().await.ok()?;
        Some(creds.access_key_id().to_owned())
    }

    async fn identity_impl(&self) -> AccountResult<Identity> {
        let (out, signing_key_id) =
            futures::join!(self.sts.get_caller_identity().send(), self.signing_key_id());
        let out = out.map_err(|e| map_sdk_error("sts:GetCallerIdentity", &e))?;
        Ok(Identity {
            account_id: out.account().unwrap_or_default().to_owned(),
            arn: out.arn().unwrap_or_default().to_owned(),
            user_id: out.user_id().unwrap_or_default().to_owned(),
            signing_key_id,
        })
    }

    async fn account_summary_impl(&self) -> AccountResult<AccountSummary> {
        let out = self
            .iam
            .get_account_summary()
            .send()
            .await
            .map_err(|e| map_sdk_error("iam:GetAccountSummary", &e))?;
        summary_of(out.summary_map())
    }

    async fn last_used(&self, key_id: &str) -> AccountResult<Option<LastUsed>> {
        let out = self
            .iam
            .get_access_key_last_used()
            .access_key_id(key_id)
            .send()
            .await
            .map_err(|e| map_sdk_error("iam:GetAccessKeyLastUsed", &e))?;
        Ok(out.access_key_last_used().and_then(|u| {
            let date = to_chrono(u.last_used_date()?)?;
            Some(LastUsed {
                date,
                service: not_na(Some(u.service_name())),
                region: not_na(Some(u.region())),
            })
        }))
    }

    async fn caller_keys_impl(&self) -> AccountResult<Vec<RootKey>> {
        let out = self
            .iam
            .list_access_keys()
            .send()
            .await
            .map_err(|e| map_sdk_error("iam:ListAccessKeys", &e))?;
        let listed: Vec<_> = out
            .access_key_metadata()
            .iter()
            .filter_map(|m| {
                let id = text::one_line(m.access_key_id()?).into_owned();
                // Fail closed: only an explicit Inactive counts as inactive
                // (an unknown or missing status could otherwise unlock delete).
                let status = match m.status() {
                    Some(StatusType::Inactive) => KeyStatus::Inactive,
                    _ => KeyStatus::Active,
                };
                Some((id, status, m.create_date().and_then(to_chrono)))
            })
            .collect();
        let uses =
            futures::future::join_all(listed.iter().map(|(id, _, _)| self.last_used(id))).await;
        listed
            .into_iter()
            .zip(uses)
            .map(|((id, status, created), used)| {
                Ok(RootKey {
                    access_key_id: Some(id),
                    slot: None,
                    status,
                    created,
                    last_used: used?,
                    signs_this_session: false,
                })
            })
            .collect()
    }

    async fn root_report_row_impl(&self) -> AccountResult<RootRow> {
        let started = tokio::time::Instant::now();
        let mut delay = Duration::from_millis(250);
        loop {
            let generated = self
                .iam
                .generate_credential_report()
                .send()
                .await
                .map_err(|e| map_sdk_error("iam:GenerateCredentialReport", &e))?;
            if generated.state() == Some(&ReportStateType::Complete) {
                match self.iam.get_credential_report().send().await {
                    Ok(out) => {
                        // The content is bounded like a file's (`parse_root_row`
                        // refuses more than `MAX_REPORT_BYTES`), and read in place.
                        let bytes = out.content().map_or(&[][..], |b| b.as_ref());
                        let mut row =
                            report::parse_root_row(bytes).map_err(|e| AccountError::BadReport {
                                message: e.to_string(),
                            })?;
                        row.generated = out.generated_time().and_then(to_chrono);
                        return Ok(row);
                    }
                    Err(e)
                        if matches!(
                            e.code(),
                            Some(
                                "ReportNotPresent"
                                    | "ReportInProgress"
                                    | "ReportExpired"
                                    | "CredentialReportNotReady"
                                    | "CredentialReportNotPresent"
                                    | "CredentialReportExpired"
                            )
                        ) => {}
                    Err(e) => return Err(map_sdk_error("iam:GetCredentialReport", &e)),
                }
            }
            if started.elapsed() + delay > self.report_wait {
                return Err(AccountError::ReportNotReady {
                    waited_secs: started.elapsed().as_secs(),
                });
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(2));
        }
    }

    async fn set_status_impl(&self, key_id: &str, status: KeyStatus) -> AccountResult<()> {
        let status = match status {
            KeyStatus::Active => StatusType::Active,
            KeyStatus::Inactive => StatusType::Inactive,
        };
        self.iam
            .update_access_key()
            .access_key_id(key_id)
            .status(status)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| no_such_key(key_id, map_sdk_error("iam:UpdateAccessKey", &e)))
    }

    async fn delete_key_impl(&self, key_id: &str) -> AccountResult<()> {
        self.iam
            .delete_access_key()
            .access_key_id(key_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| no_such_key(key_id, map_sdk_error("iam:DeleteAccessKey", &e)))
    }
}

/// The account summary's two entries about root. Fail closed on the key
/// count: a summary without `AccountAccessKeysPresent`, or with a negative
/// one, is not "no root key". `AccountMFAEnabled` is advice only: missing,
/// or neither 0 nor 1, it is unknown (`None`), never an error.
fn summary_of(
    map: Option<&std::collections::HashMap<SummaryKeyType, i32>>,
) -> AccountResult<AccountSummary> {
    let n = map
        .and_then(|m| m.get(&SummaryKeyType::AccountAccessKeysPresent))
        .copied()
        .ok_or_else(|| AccountError::Unexpected {
            action: "iam:GetAccountSummary".to_owned(),
            message: "the account summary has no AccountAccessKeysPresent entry".to_owned(),
        })?;
    let keys_present = u32::try_from(n).map_err(|_| AccountError::Unexpected {
        action: "iam:GetAccountSummary".to_owned(),
        message: format!("AccountAccessKeysPresent is {n}"),
    })?;
    let root_mfa = match map.and_then(|m| m.get(&SummaryKeyType::AccountMfaEnabled)) {
        Some(1) => Some(true),
        Some(0) => Some(false),
        _ => None,
    };
    Ok(AccountSummary {
        keys_present,
        root_mfa,
    })
}

/// `AWS_ENDPOINT_URL` names a plain-HTTP endpoint (a local test server):
/// no TLS, so no reason to load the system's certificate store.
pub(crate) fn plain_http_endpoint() -> bool {
    std::env::var("AWS_ENDPOINT_URL").is_ok_and(|url| url.starts_with("http://"))
}

/// One HTTP client shared by the IAM and STS clients, with an empty trust
/// store: connections to the plain-HTTP endpoint never use it.
pub(crate) fn plain_http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
    let context = TlsContext::builder()
        .with_trust_store(TrustStore::empty())
        .build()
        .unwrap_or_default();
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https()
}

impl Account for AwsAccount {
    fn identity(&self) -> BoxFuture<'_, AccountResult<Identity>> {
        self.identity_impl().boxed()
    }
    fn account_summary(&self) -> BoxFuture<'_, AccountResult<AccountSummary>> {
        self.account_summary_impl().boxed()
    }
    fn caller_keys(&self) -> BoxFuture<'_, AccountResult<Vec<RootKey>>> {
        self.caller_keys_impl().boxed()
    }
    fn root_report_row(&self) -> BoxFuture<'_, AccountResult<RootRow>> {
        self.root_report_row_impl().boxed()
    }
    fn set_status(&self, key_id: &str, status: KeyStatus) -> BoxFuture<'_, AccountResult<()>> {
        let key_id = key_id.to_owned();
        async move { self.set_status_impl(&key_id, status).await }.boxed()
    }
    fn delete_key(&self, key_id: &str) -> BoxFuture<'_, AccountResult<()>> {
        let key_id = key_id.to_owned();
        async move { self.delete_key_impl(&key_id).await }.boxed()
    }
    fn now(&self) -> DateTime<Utc> {
        crate::failpoint::now()
    }
    fn trail_source(&self) -> Option<Arc<dyn TrailSource>> {
        self.trail
            .as_ref()
            .map(|t| Arc::clone(t) as Arc<dyn TrailSource>)
    }
    fn source(&self) -> Source {
        self.source.clone()
    }
}

fn not_na(value: Option<&str>) -> Option<String> {
    value
        .filter(|v| !v.is_empty() && *v != "N/A")
        .map(str::to_owned)
}

pub(crate) fn to_chrono(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

fn no_such_key(key_id: &str, err: AccountError) -> AccountError {
    match err {
        AccountError::Service { code, .. } if code == "NoSuchEntity" => AccountError::NoSuchKey {
            key: key_id.to_owned(),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn summary(entries: &[(SummaryKeyType, i32)]) -> AccountResult<AccountSummary> {
        let map: HashMap<SummaryKeyType, i32> = entries.iter().cloned().collect();
        summary_of(Some(&map))
    }

    #[test]
    fn root_mfa_is_read_with_the_key_count() {
        let keys = (SummaryKeyType::AccountAccessKeysPresent, 2);
        let on = summary(&[keys.clone(), (SummaryKeyType::AccountMfaEnabled, 1)]).expect("on");
        assert_eq!((on.keys_present, on.root_mfa), (2, Some(true)));
        let off = summary(&[keys.clone(), (SummaryKeyType::AccountMfaEnabled, 0)]).expect("off");
        assert_eq!(off.root_mfa, Some(false));
        // Missing or out of range: unknown, and the key count still stands.
        assert_eq!(
            summary(std::slice::from_ref(&keys))
                .expect("missing")
                .root_mfa,
            None
        );
        let odd = summary(&[keys, (SummaryKeyType::AccountMfaEnabled, 7)]).expect("odd");
        assert_eq!((odd.keys_present, odd.root_mfa), (2, None));
    }

    #[test]
    fn the_key_count_still_fails_closed() {
        let err = summary(&[(SummaryKeyType::AccountMfaEnabled, 1)]).expect_err("no count");
        assert!(
            err.to_string().contains("AccountAccessKeysPresent"),
            "{err}"
        );
        assert!(summary(&[(SummaryKeyType::AccountAccessKeysPresent, -1)]).is_err());
        assert!(summary_of(None).is_err());
    }
}

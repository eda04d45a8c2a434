//! Organization audit error paths a server cannot produce on demand
//! (throttling that does not stop, a caller's token expiring mid-run, server
//! errors, a listing that breaks off, a session longer than AWS grants), and
//! what happens to the session's credentials, through the real SDK clients
//! with `aws-smithy-mocks`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_iam::operation::get_access_key_last_used::GetAccessKeyLastUsedOutput;
use aws_sdk_iam::operation::list_access_keys::ListAccessKeysOutput;
use aws_sdk_iam::operation::list_mfa_devices::ListMfaDevicesOutput;
use aws_sdk_iam::types::{AccessKeyLastUsed, AccessKeyMetadata, StatusType};
use aws_sdk_organizations::operation::list_accounts::ListAccountsOutput;
use aws_sdk_organizations::types::{Account, AccountState};
use aws_sdk_sts::operation::assume_root::AssumeRootOutput;
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use chrono::Utc;
use rootkeys::domain::Identity;
use rootkeys::org::aws::{MemberIamFactory, OrgAws};
use rootkeys::org::model::{Organization, RootFeatures, RowErrorKind, StsEndpoint, Verdict};
use rootkeys::org::pace::{ATTEMPTS, Pace};
use rootkeys::org::preflight::{PreflightFailure, Ready};
use rootkeys::org::run::{self, Options, RunError};

const MANAGEMENT: &str = "999999999999";
const CALLER: &str = "arn:aws:iam::999999999999:role/OrgAudit";
const SECRET: &str = "sessionSECRETsessionSECRETsessionSECRET0";
const TOKEN: &str = "sessionTOKENsessionTOKENsessionTOKENsessionTOKEN";

fn error_body(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
    )
}

fn one_attempt() -> aws_sdk_sts::config::retry::RetryConfig {
    aws_sdk_sts::config::retry::RetryConfig::standard().with_max_attempts(1)
}

fn sts(rules: &[&Rule]) -> aws_sdk_sts::Client {
    mock_client!(aws_sdk_sts, RuleMode::MatchAny, rules, |c| c
        .retry_config(one_attempt()))
}

fn iam(rules: &[&Rule]) -> aws_sdk_iam::Client {
    mock_client!(aws_sdk_iam, RuleMode::MatchAny, rules, |c| c
        .retry_config(one_attempt()))
}

fn orgs(rules: &[&Rule]) -> aws_sdk_organizations::Client {
    mock_client!(aws_sdk_organizations, RuleMode::MatchAny, rules, |c| c
        .retry_config(one_attempt()))
}

fn session_key(account: &str) -> String {
    format!("ASIA{account}0000")
}

/// `AssumeRoot` for `account`: a session of `secs` seconds.
fn assume_root(account: &'static str, secs: i64) -> Rule {
    mock!(aws_sdk_sts::Client::assume_root)
        .match_requests(move |r| r.target_principal() == Some(account))
        .then_output(move || {
            AssumeRootOutput::builder()
                .credentials(
                    aws_sdk_sts::types::Credentials::builder()
                        .access_key_id(session_key(account))
                        .secret_access_key(SECRET)
                        .session_token(TOKEN)
                        .expiration(aws_smithy_types::DateTime::from_secs(
                            Utc::now().timestamp() + secs,
                        ))
                        .build()
                        .expect("credentials"),
                )
                .build()
        })
}

/// A member with one active key used by s3, no MFA, no password.
fn member_iam(key: &'static str) -> aws_sdk_iam::Client {
    let list = mock!(aws_sdk_iam::Client::list_access_keys).then_output(move || {
        ListAccessKeysOutput::builder()
            .access_key_metadata(
                AccessKeyMetadata::builder()
                    .access_key_id(key)
                    .status(StatusType::Active)
                    .build(),
            )
            .build()
            .expect("list")
    });
    let used = mock!(aws_sdk_iam::Client::get_access_key_last_used).then_output(|| {
        GetAccessKeyLastUsedOutput::builder()
            .access_key_last_used(
                AccessKeyLastUsed::builder()
                    .last_used_date(aws_smithy_types::DateTime::from_secs(1_764_000_000))
                    .service_name("s3")
                    .region("eu-west-1")
                    .build()
                    .expect("used"),
            )
            .build()
    });
    let mfa = mock!(aws_sdk_iam::Client::list_mfa_devices).then_output(|| {
        ListMfaDevicesOutput::builder()
            .set_mfa_devices(Some(vec![]))
            .build()
            .expect("mfa")
    });
    let login = mock!(aws_sdk_iam::Client::get_login_profile).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(404).expect("status"),
            aws_smithy_types::body::SdkBody::from(error_body("NoSuchEntity", "no profile")),
        )
    });
    iam(&[&list, &used, &mfa, &login])
}

fn members_page(ids: &[&str], next: Option<&str>) -> ListAccountsOutput {
    let mut out = ListAccountsOutput::builder();
    for id in ids {
        out = out.accounts(
            Account::builder()
                .id(*id)
                .name(format!("name-{id}"))
                .state(AccountState::Active)
                .build(),
        );
    }
    out.set_next_token(next.map(str::to_owned)).build()
}

fn ready() -> Ready {
    Ready {
        caller: Identity {
            account_id: MANAGEMENT.to_owned(),
            arn: CALLER.to_owned(),
            user_id: "AROAEXAMPLE".to_owned(),
            signing_key_id: None,
        },
        organization: Organization {
            id: "o-example".to_owned(),
            management_account_id: MANAGEMENT.to_owned(),
            all_features: true,
        },
        features: RootFeatures {
            credentials_management: true,
            root_sessions: false,
        },
        endpoint: StsEndpoint::Regional("https://sts.us-east-1.amazonaws.com".to_owned()),
    }
}

/// A factory that hands out each member's client by its session key, and
/// remembers the credentials it was given.
struct Members {
    clients: HashMap<String, aws_sdk_iam::Client>,
    seen: Arc<Mutex<Vec<Credentials>>>,
}

impl Members {
    fn new(members: &[(&'static str, &'static str)]) -> Self {
        Self {
            clients: members
                .iter()
                .map(|(account, key)| (session_key(account), member_iam(key)))
                .collect(),
            seen: Arc::default(),
        }
    }

    fn factory(&self) -> MemberIamFactory {
        let clients = self.clients.clone();
        let seen = Arc::clone(&self.seen);
        Arc::new(move |creds: Credentials| {
            let client = clients
                .get(creds.access_key_id())
                .cloned()
                .unwrap_or_else(|| panic!("no member for {}", creds.access_key_id()));
            seen.lock().expect("lock").push(creds);
            client
        })
    }
}

fn access(
    sts: aws_sdk_sts::Client,
    orgs: aws_sdk_organizations::Client,
    members: &Members,
) -> OrgAws {
    OrgAws::from_clients(
        sts,
        orgs,
        iam(&[]),
        members.factory(),
        StsEndpoint::Regional("https://sts.us-east-1.amazonaws.com".to_owned()),
    )
    .with_pace(Arc::new(Pace::with_pauses(
        Duration::from_millis(1),
        Duration::from_millis(4),
    )))
}

/// Audit the listed `members` (the management account is left out: its
/// row reads the credential report, tested elsewhere).
async fn audit(
    access: &OrgAws,
    state: &std::path::Path,
    members: &[&str],
) -> Result<rootkeys::org::AuditedOrg, RunError> {
    let options = Options {
        concurrency: 4,
        only: Some(members.iter().map(|m| (*m).to_owned()).collect()),
    };
    run::audit(access, &ready(), &options, state, &mut |_| {}).await
}

#[tokio::test]
async fn throttling_that_never_stops_is_that_accounts_error_and_the_rest_go_on() {
    let list = mock!(aws_sdk_organizations::Client::list_accounts)
        .then_output(|| members_page(&["111111111111", "222222222222"], None));
    let throttled = mock!(aws_sdk_sts::Client::assume_root)
        .match_requests(|r| r.target_principal() == Some("111111111111"))
        .then_http_response(|| {
            aws_smithy_runtime_api::http::Response::new(
                aws_smithy_runtime_api::http::StatusCode::try_from(400).expect("status"),
                aws_smithy_types::body::SdkBody::from(error_body("Throttling", "Rate exceeded")),
            )
        });
    let fine = assume_root("222222222222", 900);
    let members = Members::new(&[("222222222222", "AKIAMEMBERKEY0000002")]);
    let access = access(sts(&[&throttled, &fine]), orgs(&[&list]), &members);
    let state = tempfile::tempdir().expect("state");

    let org = audit(&access, state.path(), &["111111111111", "222222222222"])
        .await
        .expect("audit");
    let throttled_row = org
        .rows
        .iter()
        .find(|r| r.account_id == "111111111111")
        .expect("row");
    let error = throttled_row.error.as_ref().expect("an error");
    assert_eq!(error.kind, RowErrorKind::Throttled);
    assert!(error.advice.contains("--concurrency"), "{}", error.advice);
    assert_eq!(throttled_row.compliant(), None);
    // Every attempt was ours (the SDK makes one), each one paused the pool.
    assert_eq!(throttled.num_calls(), ATTEMPTS as usize);
    assert_eq!(access.pace().throttles(), u64::from(ATTEMPTS) - 1);
    let other = org
        .rows
        .iter()
        .find(|r| r.account_id == "222222222222")
        .expect("row");
    assert_eq!(other.verdict(), Verdict::ActiveKeys);
    assert!(org.incomplete());
}

#[tokio::test]
async fn a_throttle_then_an_answer_goes_through() {
    let list = mock!(aws_sdk_organizations::Client::list_accounts)
        .then_output(|| members_page(&["222222222222"], None));
    let fine = assume_root("222222222222", 900);
    let flaky = mock!(aws_sdk_sts::Client::assume_root)
        .match_requests(|r| r.target_principal() == Some("222222222222"))
        .sequence()
        .http_status(400, Some(error_body("ThrottlingException", "slow down")))
        .times(2)
        .build();
    let members = Members::new(&[("222222222222", "AKIAMEMBERKEY0000002")]);
    // The flaky rule answers first (twice), then the fine one.
    let access = access(sts(&[&flaky, &fine]), orgs(&[&list]), &members);
    let state = tempfile::tempdir().expect("state");
    let org = audit(&access, state.path(), &["222222222222"])
        .await
        .expect("audit");
    assert_eq!(flaky.num_calls(), 2);
    assert_eq!(org.rows[0].verdict(), Verdict::ActiveKeys);
    assert!(org.rows[0].error.is_none());
    assert_eq!(access.pace().throttles(), 2);
}

#[tokio::test]
async fn a_token_that_expires_mid_run_fails_its_rows_with_advice_and_the_others_stand() {
    let list = mock!(aws_sdk_organizations::Client::list_accounts)
        .then_output(|| members_page(&["111111111111", "222222222222", "333333333333"], None));
    let expired = mock!(aws_sdk_sts::Client::assume_root)
        .match_requests(|r| r.target_principal() == Some("333333333333"))
        .then_http_response(|| {
            aws_smithy_runtime_api::http::Response::new(
                aws_smithy_runtime_api::http::StatusCode::try_from(403).expect("status"),
                aws_smithy_types::body::SdkBody::from(error_body(
                    "ExpiredToken",
                    "The security token included in the request is expired",
                )),
            )
        });
    let server = mock!(aws_sdk_sts::Client::assume_root)
        .match_requests(|r| r.target_principal() == Some("111111111111"))
        .then_http_response(|| {
            aws_smithy_runtime_api::http::Response::new(
                aws_smithy_runtime_api::http::StatusCode::try_from(503).expect("status"),
                aws_smithy_types::body::SdkBody::from(error_body("ServiceUnavailable", "later")),
            )
        });
    let fine = assume_root("222222222222", 900);
    let members = Members::new(&[("222222222222", "AKIAMEMBERKEY0000002")]);
    let access = access(sts(&[&expired, &server, &fine]), orgs(&[&list]), &members);
    let state = tempfile::tempdir().expect("state");
    let org = audit(
        &access,
        state.path(),
        &["111111111111", "222222222222", "333333333333"],
    )
    .await
    .expect("audit");
    let row = |id: &str| org.rows.iter().find(|r| r.account_id == id).expect("row");
    let e = row("333333333333").error.as_ref().expect("expired");
    assert_eq!(e.kind, RowErrorKind::Expired);
    assert!(e.advice.contains("refresh"), "{}", e.advice);
    assert_eq!(expired.num_calls(), 1, "an expired token is not retried");
    let e = row("111111111111").error.as_ref().expect("server error");
    assert!(e.message.contains("503"), "{}", e.message);
    assert_eq!(
        server.num_calls(),
        ATTEMPTS as usize,
        "a server error is retried"
    );
    assert_eq!(row("222222222222").verdict(), Verdict::ActiveKeys);
    assert_eq!(org.failed(), 2);
}

#[tokio::test]
async fn sessions_never_outlive_900_s_and_their_credentials_stay_in_memory() {
    let list = mock!(aws_sdk_organizations::Client::list_accounts)
        .then_output(|| members_page(&["222222222222"], None));
    // AWS answers with a longer session than asked for: rootkeys holds it
    // to 900 s. Only a request asking for at most 900 s is answered.
    let long = mock!(aws_sdk_sts::Client::assume_root)
        .match_requests(|r| {
            r.target_principal() == Some("222222222222")
                && r.duration_seconds().is_some_and(|d| d <= 900)
                && r.task_policy_arn().and_then(|p| p.arn())
                    == Some("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")
        })
        .then_output(|| {
            AssumeRootOutput::builder()
                .credentials(
                    aws_sdk_sts::types::Credentials::builder()
                        .access_key_id(session_key("222222222222"))
                        .secret_access_key(SECRET)
                        .session_token(TOKEN)
                        .expiration(aws_smithy_types::DateTime::from_secs(
                            Utc::now().timestamp() + 3600,
                        ))
                        .build()
                        .expect("credentials"),
                )
                .build()
        });
    let members = Members::new(&[("222222222222", "AKIAMEMBERKEY0000002")]);
    let access = access(sts(&[&long]), orgs(&[&list]), &members);
    let state = tempfile::tempdir().expect("state");
    let org = audit(&access, state.path(), &["222222222222"])
        .await
        .expect("audit");
    assert_eq!(long.num_calls(), 1);
    assert_eq!(
        org.rows[0].verdict(),
        Verdict::ActiveKeys,
        "{:?}",
        org.rows[0]
    );

    // The member's client was signed with the session, which ends within
    // 900 s of its opening.
    let seen = members.seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].secret_access_key(), SECRET);
    assert_eq!(seen[0].session_token(), Some(TOKEN));
    let expiry = seen[0].expiry().expect("an expiry");
    let left = expiry
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    assert!(left <= Duration::from_mins(15), "{left:?}");

    // Nothing of the session outside memory: output, table, journal.
    let journal =
        std::fs::read_to_string(state.path().join("journal-222222222222.jsonl")).expect("journal");
    assert!(journal.contains("session_opened"), "{journal}");
    let texts = [
        org.to_json(),
        rootkeys::commands::org::table(&org, Utc::now()),
        journal,
        format!("{org:?}"),
    ];
    for text in &texts {
        for secret in [SECRET, TOKEN, &session_key("222222222222")] {
            assert!(!text.contains(secret), "{secret} in:\n{text}");
        }
    }
    let record: serde_json::Value =
        serde_json::from_str(texts[2].lines().next().expect("a line")).expect("record");
    let opened: chrono::DateTime<Utc> = record["time"].as_str().expect("time").parse().expect("t");
    let note = record["note"].as_str().expect("note");
    let expires: chrono::DateTime<Utc> = note
        .rsplit("expires ")
        .next()
        .expect("expiry")
        .parse()
        .expect("expiry date");
    assert!(
        expires - opened <= chrono::TimeDelta::seconds(900),
        "{note}"
    );
}

#[tokio::test]
async fn a_listing_that_breaks_off_keeps_the_first_pages_and_is_incomplete() {
    let first = mock!(aws_sdk_organizations::Client::list_accounts)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| members_page(&["222222222222"], Some("page-2")));
    let broken = mock!(aws_sdk_organizations::Client::list_accounts)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_http_response(|| {
            aws_smithy_runtime_api::http::Response::new(
                aws_smithy_runtime_api::http::StatusCode::try_from(400).expect("status"),
                aws_smithy_types::body::SdkBody::from(
                    r#"{"__type":"TooManyRequestsException","Message":"slow down"}"#,
                ),
            )
        });
    let fine = assume_root("222222222222", 900);
    let members = Members::new(&[("222222222222", "AKIAMEMBERKEY0000002")]);
    let access = access(sts(&[&fine]), orgs(&[&first, &broken]), &members);
    let state = tempfile::tempdir().expect("state");
    let org = audit(&access, state.path(), &["222222222222"])
        .await
        .expect("audit");
    assert_eq!(broken.num_calls(), ATTEMPTS as usize);
    assert!(org.listing_error.is_some());
    assert!(org.incomplete());
    assert!(org.rows.iter().any(|r| r.account_id == "222222222222"));
    let doc: serde_json::Value = serde_json::from_str(&org.to_json()).expect("json");
    assert!(
        doc["listing_error"]
            .as_str()
            .is_some_and(|e| e.contains("throttling")),
        "{doc}"
    );
    assert_eq!(
        rootkeys::commands::org::exit_of(&org),
        rootkeys::exit::Exit::Failed
    );
}

#[tokio::test]
async fn invalid_action_from_assume_root_stops_the_audit_as_a_global_endpoint() {
    let list = mock!(aws_sdk_organizations::Client::list_accounts)
        .then_output(|| members_page(&["111111111111", "222222222222"], None));
    let global = mock!(aws_sdk_sts::Client::assume_root).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(400).expect("status"),
            aws_smithy_types::body::SdkBody::from(error_body(
                "InvalidAction",
                "AssumeRoot is not supported on the global STS endpoint",
            )),
        )
    });
    let members = Members::new(&[]);
    let access = access(sts(&[&global]), orgs(&[&list]), &members);
    let state = tempfile::tempdir().expect("state");
    let err = audit(&access, state.path(), &["111111111111", "222222222222"])
        .await
        .expect_err("stops");
    let RunError::Preflight(failure) = err;
    assert!(
        matches!(failure, PreflightFailure::GlobalStsEndpoint { .. }),
        "{failure:?}"
    );
    assert!(failure.fix().contains("Regional STS endpoint"));
    assert!(
        members.seen.lock().expect("lock").is_empty(),
        "no session was opened"
    );
}

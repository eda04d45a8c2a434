//! Organization audit error paths a server cannot produce on demand
//! (throttling that does not stop, a caller's token expiring mid-run, server
//! errors, a listing that breaks off, a session longer than AWS grants), and
//! what happens to the session's credentials; the requests the SCP calls
//! and the Delete session send, their errors, retries and pages, and a
//! write whose answer is lost (not sent again), through the real SDK
//! clients with `aws-smithy-mocks`.

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
use rootkeys::org::OrgAccess;
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

// ---- Service control policies and Delete sessions -------------------------

const QUARANTINE_ID: &str = "p-quarantine1";
const MEMBER: &str = "111111111111";

/// An HTTP answer with AWS's request ID.
fn answer(status: u16, body: &str, request_id: &str) -> aws_smithy_runtime_api::http::Response {
    let mut response = aws_smithy_runtime_api::http::Response::new(
        aws_smithy_runtime_api::http::StatusCode::try_from(status).expect("status"),
        aws_smithy_types::body::SdkBody::from(body.to_owned()),
    );
    response
        .headers_mut()
        .insert("x-amzn-RequestId", request_id.to_owned());
    response
}

/// An Organizations (JSON protocol) error.
fn org_error(code: &str) -> String {
    format!(r#"{{"__type":"{code}","Message":"from AWS"}}"#)
}

fn fast_pace() -> Arc<Pace> {
    Arc::new(Pace::with_pauses(
        Duration::from_millis(1),
        Duration::from_millis(4),
    ))
}

/// The adapter over `orgs` (and `sts`, whose sessions' IAM client is
/// `member`).
fn org_access(
    sts: aws_sdk_sts::Client,
    orgs: aws_sdk_organizations::Client,
    member: aws_sdk_iam::Client,
) -> OrgAws {
    OrgAws::from_clients(
        sts,
        orgs,
        iam(&[]),
        Arc::new(move |_| member.clone()),
        StsEndpoint::Regional("https://sts.us-east-1.amazonaws.com".to_owned()),
    )
    .with_pace(fast_pace())
}

fn orgs_only(rules: &[&Rule]) -> OrgAws {
    org_access(sts(&[]), orgs(rules), iam(&[]))
}

/// An HTTP client whose connections drop after the request went out (as a
/// connection reset while waiting for the answer): it counts its requests.
#[derive(Debug, Clone, Default)]
struct Dropping {
    calls: Arc<std::sync::atomic::AtomicUsize>,
}

impl Dropping {
    fn calls(&self) -> usize {
        self.calls.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl aws_smithy_runtime_api::client::http::HttpConnector for Dropping {
    fn call(
        &self,
        _request: aws_smithy_runtime_api::client::orchestrator::HttpRequest,
    ) -> aws_smithy_runtime_api::client::http::HttpConnectorFuture {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        aws_smithy_runtime_api::client::http::HttpConnectorFuture::ready(Err(
            aws_smithy_runtime_api::client::result::ConnectorError::io(Box::new(
                std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "connection reset by peer",
                ),
            )),
        ))
    }
}

impl aws_smithy_runtime_api::client::http::HttpClient for Dropping {
    fn http_connector(
        &self,
        _settings: &aws_smithy_runtime_api::client::http::HttpConnectorSettings,
        _components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
    ) -> aws_smithy_runtime_api::client::http::SharedHttpConnector {
        aws_smithy_runtime_api::client::http::SharedHttpConnector::new(self.clone())
    }
}

#[tokio::test]
async fn attach_and_detach_send_the_policy_and_the_target_and_return_the_request_id() {
    let attach = mock!(aws_sdk_organizations::Client::attach_policy)
        .match_requests(|r| r.policy_id() == Some(QUARANTINE_ID) && r.target_id() == Some(MEMBER))
        .then_http_response(|| answer(200, "{}", "req-attach-1"));
    let detach = mock!(aws_sdk_organizations::Client::detach_policy)
        .match_requests(|r| r.policy_id() == Some(QUARANTINE_ID) && r.target_id() == Some(MEMBER))
        .then_http_response(|| answer(200, "{}", "req-detach-1"));
    let access = orgs_only(&[&attach, &detach]);

    let attached = access
        .attach_policy(QUARANTINE_ID, MEMBER)
        .await
        .expect("AttachPolicy");
    assert_eq!(attached.request_id.as_deref(), Some("req-attach-1"));
    let detached = access
        .detach_policy(QUARANTINE_ID, MEMBER)
        .await
        .expect("DetachPolicy");
    assert_eq!(detached.request_id.as_deref(), Some("req-detach-1"));
    assert_eq!((attach.num_calls(), detach.num_calls()), (1, 1));
}

#[tokio::test]
async fn create_policy_sends_an_scp_and_returns_its_id_and_the_request_id() {
    use aws_sdk_organizations::types::PolicyType;
    use rootkeys::domain::scp::{QUARANTINE_DESCRIPTION, QUARANTINE_NAME, QUARANTINE_POLICY};
    let create = mock!(aws_sdk_organizations::Client::create_policy)
        .match_requests(|r| {
            r.name() == Some(QUARANTINE_NAME)
                && r.description() == Some(QUARANTINE_DESCRIPTION)
                && r.content() == Some(QUARANTINE_POLICY)
                && r.r#type() == Some(&PolicyType::ServiceControlPolicy)
        })
        .then_http_response(|| {
            answer(
                200,
                &format!(
                    r#"{{"Policy":{{"PolicySummary":{{"Id":"{QUARANTINE_ID}","Name":"{QUARANTINE_NAME}","Type":"SERVICE_CONTROL_POLICY","AwsManaged":false}},"Content":"{{}}"}}}}"#
                ),
                "req-create-1",
            )
        });
    let access = orgs_only(&[&create]);
    let created = access
        .create_policy(QUARANTINE_NAME, QUARANTINE_DESCRIPTION, QUARANTINE_POLICY)
        .await
        .expect("CreatePolicy");
    assert_eq!(
        created.value,
        rootkeys::org::PolicyRef {
            id: QUARANTINE_ID.to_owned(),
            name: QUARANTINE_NAME.to_owned(),
            aws_managed: false,
        }
    );
    assert_eq!(created.request_id.as_deref(), Some("req-create-1"));
    assert_eq!(create.num_calls(), 1);
}

#[tokio::test]
async fn organizations_errors_on_writes_keep_their_codes_and_are_not_tried_again() {
    use rootkeys::account::AccountError;
    for (code, detach) in [
        ("DuplicatePolicyAttachmentException", false),
        ("ConstraintViolationException", false),
        ("PolicyTypeNotEnabledException", false),
        ("PolicyNotAttachedException", true),
        ("ConstraintViolationException", true),
    ] {
        let body = org_error(code);
        let attach = mock!(aws_sdk_organizations::Client::attach_policy)
            .then_http_response(move || answer(400, &body, "req-err"));
        let body = org_error(code);
        let detach_rule = mock!(aws_sdk_organizations::Client::detach_policy)
            .then_http_response(move || answer(400, &body, "req-err"));
        let access = orgs_only(&[&attach, &detach_rule]);
        let (err, action) = if detach {
            (
                access.detach_policy(QUARANTINE_ID, MEMBER).await,
                "organizations:DetachPolicy",
            )
        } else {
            (
                access.attach_policy(QUARANTINE_ID, MEMBER).await,
                "organizations:AttachPolicy",
            )
        };
        let err = err.expect_err(code);
        assert!(
            matches!(&err, AccountError::Service { action: a, code: c, .. } if a == action && c == code),
            "{code}: {err:?}"
        );
        assert_eq!(err.code(), code);
        assert!(!err.outcome_unknown(), "{code}: AWS refused it");
        assert_eq!(attach.num_calls() + detach_rule.num_calls(), 1, "{code}");
    }

    let denied = mock!(aws_sdk_organizations::Client::attach_policy)
        .then_http_response(|| answer(400, &org_error("AccessDeniedException"), "req-denied"));
    let access = orgs_only(&[&denied]);
    let err = access
        .attach_policy(QUARANTINE_ID, MEMBER)
        .await
        .expect_err("denied");
    assert!(
        matches!(&err, AccountError::AccessDenied { action, .. } if action == "organizations:AttachPolicy"),
        "{err:?}"
    );
    assert_eq!(denied.num_calls(), 1);
}

#[tokio::test]
async fn a_throttled_attach_is_tried_again_and_goes_through() {
    let attach = mock!(aws_sdk_organizations::Client::attach_policy)
        .match_requests(|r| r.policy_id() == Some(QUARANTINE_ID))
        .sequence()
        .http_status(400, Some(org_error("TooManyRequestsException")))
        .times(2)
        .http_response(|| answer(200, "{}", "req-attach-3"))
        .build();
    let access = orgs_only(&[&attach]);
    let attached = access
        .attach_policy(QUARANTINE_ID, MEMBER)
        .await
        .expect("AttachPolicy");
    assert_eq!(attached.request_id.as_deref(), Some("req-attach-3"));
    assert_eq!(attach.num_calls(), 3);
    assert_eq!(
        access.pace().throttles(),
        2,
        "each throttle paused the pool"
    );
}

#[tokio::test]
async fn an_attach_whose_answer_is_lost_or_failed_is_reported_as_unknown_and_not_sent_again() {
    // The connection drops after the request went out.
    let dropping = Dropping::default();
    let orgs = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::Config::builder()
            .with_test_defaults_v2()
            .http_client(dropping.clone())
            .retry_config(one_attempt())
            .build(),
    );
    let access = org_access(sts(&[]), orgs, iam(&[]));
    let err = access
        .attach_policy(QUARANTINE_ID, MEMBER)
        .await
        .expect_err("lost");
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(
        dropping.calls(),
        1,
        "a write whose answer was lost is not sent again"
    );

    // A server error: AWS may have applied it.
    let failing = mock!(aws_sdk_organizations::Client::detach_policy)
        .then_http_response(|| answer(500, &org_error("ServiceException"), "req-500"));
    let access = orgs_only(&[&failing]);
    let err = access
        .detach_policy(QUARANTINE_ID, MEMBER)
        .await
        .expect_err("server error");
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(failing.num_calls(), 1);

    // The same failures on a read are tried again.
    let reads = mock!(aws_sdk_organizations::Client::list_targets_for_policy)
        .sequence()
        .http_status(500, Some(org_error("ServiceException")))
        .http_response(|| answer(200, r#"{"Targets":[]}"#, "req-read"))
        .build();
    let access = orgs_only(&[&reads]);
    assert_eq!(
        access.policy_targets(QUARANTINE_ID).await.expect("targets"),
        Vec::<String>::new()
    );
    assert_eq!(reads.num_calls(), 2);
}

#[tokio::test]
async fn policy_targets_reads_every_page() {
    use aws_sdk_organizations::operation::list_targets_for_policy::ListTargetsForPolicyOutput;
    use aws_sdk_organizations::types::PolicyTargetSummary;
    fn page(ids: &[&str], next: Option<&str>) -> ListTargetsForPolicyOutput {
        let mut out = ListTargetsForPolicyOutput::builder();
        for id in ids {
            out = out.targets(PolicyTargetSummary::builder().target_id(*id).build());
        }
        out.set_next_token(next.map(str::to_owned)).build()
    }
    let first = mock!(aws_sdk_organizations::Client::list_targets_for_policy)
        .match_requests(|r| r.policy_id() == Some(QUARANTINE_ID) && r.next_token().is_none())
        .then_output(|| page(&["111111111111", "222222222222"], Some("t-2")));
    let second = mock!(aws_sdk_organizations::Client::list_targets_for_policy)
        .match_requests(|r| r.policy_id() == Some(QUARANTINE_ID) && r.next_token() == Some("t-2"))
        .then_output(|| page(&["333333333333"], Some("t-3")));
    let last = mock!(aws_sdk_organizations::Client::list_targets_for_policy)
        .match_requests(|r| r.policy_id() == Some(QUARANTINE_ID) && r.next_token() == Some("t-3"))
        .then_output(|| page(&["ou-ab12-cdef3456"], None));
    let access = orgs_only(&[&first, &second, &last]);
    assert_eq!(
        access.policy_targets(QUARANTINE_ID).await.expect("targets"),
        vec![
            "111111111111".to_owned(),
            "222222222222".to_owned(),
            "333333333333".to_owned(),
            "ou-ab12-cdef3456".to_owned(),
        ]
    );
    assert_eq!(
        (first.num_calls(), second.num_calls(), last.num_calls()),
        (1, 1, 1)
    );

    // A listing that hands back a token it gave before would page for ever.
    let looping = mock!(aws_sdk_organizations::Client::list_targets_for_policy)
        .then_output(|| page(&["111111111111"], Some("t-same")));
    let access = orgs_only(&[&looping]);
    let err = access
        .policy_targets(QUARANTINE_ID)
        .await
        .expect_err("stops");
    assert_eq!(err.code(), "UnexpectedAnswer", "{err:?}");
    assert_eq!(looping.num_calls(), 2);
}

#[tokio::test]
async fn find_policy_pages_the_scps_matches_the_exact_name_and_reads_the_document() {
    use aws_sdk_organizations::operation::describe_policy::DescribePolicyOutput;
    use aws_sdk_organizations::operation::list_policies::ListPoliciesOutput;
    use aws_sdk_organizations::types::{Policy, PolicySummary, PolicyType};
    use rootkeys::domain::scp::{QUARANTINE_NAME, QUARANTINE_POLICY};
    fn summary(id: &str, name: &str, managed: bool) -> PolicySummary {
        PolicySummary::builder()
            .id(id)
            .name(name)
            .aws_managed(managed)
            .r#type(PolicyType::ServiceControlPolicy)
            .build()
    }
    let scps = |r: &aws_sdk_organizations::operation::list_policies::ListPoliciesInput| {
        r.filter() == Some(&PolicyType::ServiceControlPolicy)
    };
    let first = mock!(aws_sdk_organizations::Client::list_policies)
        .match_requests(move |r| scps(r) && r.next_token().is_none())
        .then_output(|| {
            ListPoliciesOutput::builder()
                .policies(summary("p-FullAWSAccess", "FullAWSAccess", true))
                .policies(summary(
                    "p-similar",
                    &format!("{QUARANTINE_NAME}-old"),
                    false,
                ))
                .next_token("page-2")
                .build()
        });
    let second = mock!(aws_sdk_organizations::Client::list_policies)
        .match_requests(move |r| scps(r) && r.next_token() == Some("page-2"))
        .then_output(|| {
            ListPoliciesOutput::builder()
                .policies(summary(QUARANTINE_ID, QUARANTINE_NAME, false))
                .build()
        });
    let describe = mock!(aws_sdk_organizations::Client::describe_policy)
        .match_requests(|r| r.policy_id() == Some(QUARANTINE_ID))
        .then_output(|| {
            DescribePolicyOutput::builder()
                .policy(
                    Policy::builder()
                        .policy_summary(summary(QUARANTINE_ID, QUARANTINE_NAME, false))
                        .content(QUARANTINE_POLICY)
                        .build(),
                )
                .build()
        });
    let access = orgs_only(&[&first, &second, &describe]);
    let found = access
        .find_policy(QUARANTINE_NAME)
        .await
        .expect("find")
        .expect("found");
    assert_eq!(found.policy.id, QUARANTINE_ID);
    assert!(!found.policy.aws_managed);
    assert!(rootkeys::domain::scp::same_policy(
        &found.content,
        QUARANTINE_POLICY
    ));
    assert_eq!(describe.num_calls(), 1);

    assert_eq!(
        access.find_policy("nothing-like-it").await.expect("find"),
        None
    );
    assert_eq!(describe.num_calls(), 1, "nothing to describe");
}

#[tokio::test]
async fn scp_root_reads_the_one_root_and_whether_scps_are_enabled_on_it() {
    use aws_sdk_organizations::operation::list_roots::ListRootsOutput;
    use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus, PolicyTypeSummary, Root};
    fn roots(types: &[(PolicyType, PolicyTypeStatus)]) -> ListRootsOutput {
        let mut root = Root::builder().id("r-ab12");
        for (t, s) in types {
            root = root.policy_types(
                PolicyTypeSummary::builder()
                    .r#type(t.clone())
                    .status(s.clone())
                    .build(),
            );
        }
        ListRootsOutput::builder().roots(root.build()).build()
    }
    for (types, enabled) in [
        (
            vec![(PolicyType::ServiceControlPolicy, PolicyTypeStatus::Enabled)],
            true,
        ),
        (
            vec![(
                PolicyType::ServiceControlPolicy,
                PolicyTypeStatus::PendingEnable,
            )],
            false,
        ),
        (
            vec![(PolicyType::TagPolicy, PolicyTypeStatus::Enabled)],
            false,
        ),
        (vec![], false),
    ] {
        let expected = types.clone();
        let list =
            mock!(aws_sdk_organizations::Client::list_roots).then_output(move || roots(&expected));
        let root = orgs_only(&[&list]).scp_root().await.expect("ListRoots");
        assert_eq!(root.id, "r-ab12");
        assert_eq!(root.scp_enabled, enabled, "{types:?}");
    }
    let none = mock!(aws_sdk_organizations::Client::list_roots)
        .then_output(|| ListRootsOutput::builder().build());
    let err = orgs_only(&[&none]).scp_root().await.expect_err("no root");
    assert_eq!(err.code(), "UnexpectedAnswer");
}

/// `AssumeRoot` answered only for the Delete task policy.
fn assume_delete_root() -> Rule {
    mock!(aws_sdk_sts::Client::assume_root)
        .match_requests(|r| {
            r.target_principal() == Some(MEMBER)
                && r.duration_seconds() == Some(900)
                && r.task_policy_arn().and_then(|p| p.arn())
                    == Some("arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials")
        })
        .then_http_response(|| {
            answer(
                200,
                &format!(
                    "<AssumeRootResponse><AssumeRootResult><Credentials><AccessKeyId>{}</AccessKeyId><SecretAccessKey>{SECRET}</SecretAccessKey><SessionToken>{TOKEN}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRootResult></AssumeRootResponse>",
                    session_key(MEMBER)
                ),
                "req-assume-delete",
            )
        })
}

/// `ListAccessKeys` of root (no `UserName`): one inactive key created at
/// a known time, one active.
fn two_root_keys() -> Rule {
    mock!(aws_sdk_iam::Client::list_access_keys)
        .match_requests(|r| r.user_name().is_none())
        .then_output(|| {
            ListAccessKeysOutput::builder()
                .access_key_metadata(
                    AccessKeyMetadata::builder()
                        .access_key_id("AKIAMEMBERKEY0000001")
                        .status(StatusType::Inactive)
                        .create_date(aws_smithy_types::DateTime::from_secs(1_700_000_000))
                        .build(),
                )
                .access_key_metadata(
                    AccessKeyMetadata::builder()
                        .access_key_id("AKIAMEMBERKEY0000002")
                        .status(StatusType::Active)
                        .build(),
                )
                .build()
                .expect("list")
        })
}

#[tokio::test]
async fn a_delete_session_lists_and_deletes_root_keys_without_a_user_name() {
    use rootkeys::account::AccountError;
    use rootkeys::domain::KeyStatus;
    let assume = assume_delete_root();
    let list = two_root_keys();
    let used = mock!(aws_sdk_iam::Client::get_access_key_last_used)
        .then_output(|| GetAccessKeyLastUsedOutput::builder().build());
    let delete = mock!(aws_sdk_iam::Client::delete_access_key)
        .match_requests(|r| {
            r.user_name().is_none() && r.access_key_id() == Some("AKIAMEMBERKEY0000001")
        })
        .then_http_response(|| {
            answer(
                200,
                "<DeleteAccessKeyResponse><ResponseMetadata><RequestId>req-delete-1</RequestId></ResponseMetadata></DeleteAccessKeyResponse>",
                "req-delete-1",
            )
        });
    let gone = mock!(aws_sdk_iam::Client::delete_access_key)
        .match_requests(|r| r.access_key_id() == Some("AKIAMEMBERKEY0000009"))
        .then_http_response(|| {
            answer(
                404,
                &error_body(
                    "NoSuchEntity",
                    "The Access Key with id AKIAMEMBERKEY0000009 cannot be found.",
                ),
                "req-delete-2",
            )
        });
    let member = iam(&[&list, &used, &delete, &gone]);
    let access = org_access(sts(&[&assume]), orgs(&[]), member);

    let session = access
        .open_delete_session(MEMBER, CALLER)
        .await
        .expect("AssumeRoot");
    assert_eq!(assume.num_calls(), 1);
    let opened = session.opened();
    assert_eq!(
        opened.task_policy_arn,
        "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
    );
    assert_eq!(opened.request_id.as_deref(), Some("req-assume-delete"));
    assert_eq!(opened.account_id, MEMBER);
    assert!(
        opened
            .expires
            .is_some_and(|e| e - opened.opened <= chrono::TimeDelta::seconds(900))
    );

    let keys = session.keys().await.expect("ListAccessKeys");
    assert_eq!(keys.len(), 2);
    assert_eq!(
        keys[0].access_key_id.as_deref(),
        Some("AKIAMEMBERKEY0000001")
    );
    assert_eq!(keys[0].status, KeyStatus::Inactive);
    assert_eq!(keys[0].created.map(|c| c.timestamp()), Some(1_700_000_000));
    assert_eq!(keys[1].status, KeyStatus::Active);
    assert!(keys.iter().all(|k| k.last_used.is_none()));
    assert_eq!(
        used.num_calls(),
        0,
        "a Delete session does not read last use"
    );

    let deleted = session
        .delete_key("AKIAMEMBERKEY0000001")
        .await
        .expect("DeleteAccessKey");
    assert_eq!(deleted.request_id.as_deref(), Some("req-delete-1"));
    assert_eq!(delete.num_calls(), 1);
    let err = session
        .delete_key("AKIAMEMBERKEY0000009")
        .await
        .expect_err("no such key");
    assert_eq!(
        err,
        AccountError::NoSuchKey {
            key: "AKIAMEMBERKEY0000009".to_owned()
        }
    );
    assert_eq!(gone.num_calls(), 1);

    // Nothing of the session's credentials in what it shows.
    let shown = format!("{opened:?} {keys:?} {deleted:?} {err:?}");
    for secret in [SECRET, TOKEN, &session_key(MEMBER)] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test]
async fn a_delete_whose_answer_is_lost_is_reported_as_unknown_and_not_sent_again() {
    let assume = assume_delete_root();
    let dropping = Dropping::default();
    let member = aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::Config::builder()
            .with_test_defaults_v2()
            .http_client(dropping.clone())
            .retry_config(one_attempt())
            .build(),
    );
    let access = org_access(sts(&[&assume]), orgs(&[]), member);
    let session = access
        .open_delete_session(MEMBER, CALLER)
        .await
        .expect("AssumeRoot");
    let err = session
        .delete_key("AKIAMEMBERKEY0000001")
        .await
        .expect_err("lost");
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(dropping.calls(), 1);
}

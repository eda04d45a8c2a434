//! Error paths a server cannot produce on demand (throttling, access denied,
//! expired tokens, a report that never completes), through the real SDK
//! clients with `aws-smithy-mocks`.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_iam::operation::generate_credential_report::GenerateCredentialReportOutput;
use aws_sdk_iam::operation::get_account_summary::GetAccountSummaryOutput;
use aws_sdk_iam::operation::get_credential_report::GetCredentialReportOutput;
use aws_sdk_iam::operation::list_access_keys::ListAccessKeysOutput;
use aws_sdk_iam::types::{AccessKeyMetadata, ReportStateType, StatusType, SummaryKeyType};
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use chrono::{DateTime, TimeDelta, Utc};
use rootkeys::account::aws::AwsAccount;
use rootkeys::account::{Account, AccountError, load_inventory};
use rootkeys::commands::audit;
use rootkeys::domain::View;
use rootkeys::domain::policy::Request;
use rootkeys::domain::record::{Act, Outcome, Phase};
use rootkeys::journal::{Journal, outcome_of};
use rootkeys::remediate::{RemediateError, Remediator};
use rootkeys::report::{MAX_REPORT_BYTES, Stale};

const ROOT_ARN: &str = "arn:aws:iam::123456789012:root";

fn error_body(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
    )
}

fn sts_client(rules: &[&Rule]) -> aws_sdk_sts::Client {
    mock_client!(aws_sdk_sts, RuleMode::MatchAny, rules, |c| c.retry_config(
        aws_sdk_sts::config::retry::RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1))
    ))
}

fn iam_client(rules: &[&Rule]) -> aws_sdk_iam::Client {
    mock_client!(aws_sdk_iam, RuleMode::MatchAny, rules, |c| c.retry_config(
        aws_sdk_iam::config::retry::RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1))
    ))
}

fn identity_rule(arn: &'static str) -> Rule {
    mock!(aws_sdk_sts::Client::get_caller_identity).then_output(move || {
        GetCallerIdentityOutput::builder()
            .account("123456789012")
            .arn(arn)
            .user_id("AIDAEXAMPLE")
            .build()
    })
}

fn summary_rule(n: i32) -> Rule {
    mock!(aws_sdk_iam::Client::get_account_summary).then_output(move || {
        GetAccountSummaryOutput::builder()
            .summary_map(SummaryKeyType::AccountAccessKeysPresent, n)
            .build()
    })
}

fn list_rule() -> Rule {
    mock!(aws_sdk_iam::Client::list_access_keys).then_output(|| {
        ListAccessKeysOutput::builder()
            .access_key_metadata(
                AccessKeyMetadata::builder()
                    .access_key_id("AKIAMOCKKEY000000001")
                    .status(StatusType::Active)
                    .build(),
            )
            .build()
            .expect("list output")
    })
}

fn last_used_rule() -> Rule {
    mock!(aws_sdk_iam::Client::get_access_key_last_used).then_output(|| {
        aws_sdk_iam::operation::get_access_key_last_used::GetAccessKeyLastUsedOutput::builder()
            .build()
    })
}

fn account(sts: aws_sdk_sts::Client, iam: aws_sdk_iam::Client) -> AwsAccount {
    AwsAccount::from_clients(iam, sts, None, Duration::from_millis(300))
}

#[tokio::test]
async fn throttling_is_retried_then_reported_clearly() {
    let throttled = mock!(aws_sdk_sts::Client::get_caller_identity)
        .sequence()
        .http_status(400, Some(error_body("Throttling", "Rate exceeded")))
        .times(3)
        .build();
    let acct = account(sts_client(&[&throttled]), iam_client(&[]));
    let err = acct.identity().await.expect_err("throttled");
    assert_eq!(
        err,
        AccountError::Throttled {
            action: "sts:GetCallerIdentity".to_owned()
        }
    );
    assert_eq!(throttled.num_calls(), 3, "the SDK retried before giving up");
    assert!(err.advice().contains("wait"));
}

#[tokio::test]
async fn throttling_then_success_goes_through() {
    let rule = mock!(aws_sdk_sts::Client::get_caller_identity)
        .sequence()
        .http_status(400, Some(error_body("Throttling", "Rate exceeded")))
        .output(|| {
            GetCallerIdentityOutput::builder()
                .account("123456789012")
                .arn(ROOT_ARN)
                .user_id("123456789012")
                .build()
        })
        .build();
    let acct = account(sts_client(&[&rule]), iam_client(&[]));
    let identity = acct.identity().await.expect("retried to success");
    assert!(identity.is_root());
    assert_eq!(rule.num_calls(), 2);
}

#[tokio::test]
async fn access_denied_names_the_permission() {
    let denied = mock!(aws_sdk_iam::Client::get_account_summary).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(403).expect("status"),
            aws_smithy_types::body::SdkBody::from(error_body(
                "AccessDenied",
                "User is not authorized to perform: iam:GetAccountSummary",
            )),
        )
    });
    let acct = account(
        sts_client(&[&identity_rule(ROOT_ARN)]),
        iam_client(&[&denied, &list_rule(), &last_used_rule()]),
    );
    let err = load_inventory(&acct).await.expect_err("denied");
    let AccountError::AccessDenied { action, message } = &err else {
        panic!("expected AccessDenied, got {err:?}")
    };
    assert_eq!(action, "iam:GetAccountSummary");
    assert!(message.contains("not authorized"));
    assert!(err.to_string().contains("iam:GetAccountSummary"));
}

#[tokio::test]
async fn expired_token_says_to_refresh() {
    let expired = mock!(aws_sdk_sts::Client::get_caller_identity).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(403).expect("status"),
            aws_smithy_types::body::SdkBody::from(error_body(
                "ExpiredToken",
                "The security token included in the request is expired",
            )),
        )
    });
    let acct = account(sts_client(&[&expired]), iam_client(&[]));
    let err = acct.identity().await.expect_err("expired");
    assert!(
        matches!(err, AccountError::ExpiredCredentials { .. }),
        "{err:?}"
    );
    assert!(err.advice().contains("refresh"));
}

#[tokio::test]
async fn credential_report_that_never_completes_is_bounded() {
    let started = mock!(aws_sdk_iam::Client::generate_credential_report).then_output(|| {
        GenerateCredentialReportOutput::builder()
            .state(ReportStateType::Inprogress)
            .build()
    });
    let acct = account(sts_client(&[]), iam_client(&[&started]));
    let begun = std::time::Instant::now();
    let err = acct.root_report_row().await.expect_err("not ready");
    assert!(
        matches!(err, AccountError::ReportNotReady { .. }),
        "{err:?}"
    );
    assert!(started.num_calls() >= 2, "it polled");
    assert!(begun.elapsed() < Duration::from_secs(5));
}

/// A credential report with one (inactive) root key in slot 1.
const REPORT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n<root_account>,arn:aws:iam::123456789012:root,2015-06-01T12:00:00+00:00,not_supported,N/A,not_supported,not_supported,true,false,2020-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";

#[tokio::test]
async fn auditor_view_ignores_the_callers_own_keys() {
    let report = REPORT;
    let generate = mock!(aws_sdk_iam::Client::generate_credential_report).then_output(|| {
        GenerateCredentialReportOutput::builder()
            .state(ReportStateType::Complete)
            .build()
    });
    let get = mock!(aws_sdk_iam::Client::get_credential_report).then_output(move || {
        GetCredentialReportOutput::builder()
            .content(aws_smithy_types::Blob::new(report.as_bytes()))
            .build()
    });
    let acct = account(
        sts_client(&[&identity_rule("arn:aws:iam::123456789012:user/auditor")]),
        iam_client(&[
            &summary_rule(1),
            &list_rule(),
            &last_used_rule(),
            &generate,
            &get,
        ]),
    );
    let inventory = load_inventory(&acct).await.expect("inventory");
    assert_eq!(inventory.view, View::Auditor);
    assert_eq!(inventory.keys.len(), 1);
    assert_eq!(
        inventory.keys[0].access_key_id, None,
        "never the caller's own key"
    );
    assert_eq!(inventory.keys[0].slot, Some(1));
    assert!(!inventory.cis_compliant());
}

#[tokio::test]
async fn a_failed_write_journals_its_error_outcome() {
    let update_denied = mock!(aws_sdk_iam::Client::update_access_key).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(403).expect("status"),
            aws_smithy_types::body::SdkBody::from(error_body(
                "AccessDenied",
                "SCP denies iam:UpdateAccessKey",
            )),
        )
    });
    let last_used = mock!(aws_sdk_iam::Client::get_access_key_last_used).then_output(|| {
        aws_sdk_iam::operation::get_access_key_last_used::GetAccessKeyLastUsedOutput::builder()
            .build()
    });
    let acct = account(
        sts_client(&[&identity_rule(ROOT_ARN)]),
        iam_client(&[&list_rule(), &last_used, &update_denied]),
    );
    let state = tempfile::tempdir().expect("tmp");
    let remediator = Remediator::new(Arc::new(acct), state.path().to_owned(), TimeDelta::days(7));
    let err = remediator
        .execute(Request::Deactivate, "AKIAMOCKKEY000000001")
        .await
        .expect_err("denied");
    assert!(
        matches!(
            err,
            RemediateError::Account(AccountError::AccessDenied { .. })
        ),
        "{err:?}"
    );
    let journal =
        std::fs::read_to_string(state.path().join("journal-123456789012.jsonl")).expect("journal");
    let lines: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2, "{journal}");
    assert_eq!(lines[0]["phase"], "intent");
    assert_eq!(lines[1]["phase"], "outcome");
    assert_eq!(
        lines[1]["result"],
        serde_json::json!({"error": {"code": "AccessDenied"}})
    );
}

#[tokio::test]
async fn refused_connection_is_unreachable_within_seconds() {
    let conf = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .endpoint_url("http://127.0.0.1:1")
        .credentials_provider(aws_credential_types::Credentials::new(
            "AKIATEST", "secret", None, None, "t",
        ))
        .build();
    let iam_conf = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .endpoint_url("http://127.0.0.1:1")
        .credentials_provider(aws_credential_types::Credentials::new(
            "AKIATEST", "secret", None, None, "t",
        ))
        .build();
    let acct = account(
        aws_sdk_sts::Client::from_conf(conf),
        aws_sdk_iam::Client::from_conf(iam_conf),
    );
    let err = acct.identity().await.expect_err("refused");
    assert!(matches!(err, AccountError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains("sts:GetCallerIdentity"), "{err}");
    assert!(!err.to_string().contains("secret"));
}

#[tokio::test]
async fn credentials_expiring_mid_session_fail_the_write_cleanly() {
    // The session starts fine (identity, keys), then the token expires
    // before the write: the error says so and the journal keeps both halves.
    let update_expired = mock!(aws_sdk_iam::Client::update_access_key).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(403).expect("status"),
            aws_smithy_types::body::SdkBody::from(error_body(
                "ExpiredToken",
                "The security token included in the request is expired",
            )),
        )
    });
    let acct = account(
        sts_client(&[&identity_rule(ROOT_ARN)]),
        iam_client(&[&list_rule(), &last_used_rule(), &update_expired]),
    );
    let state = tempfile::tempdir().expect("tmp");
    let remediator = Remediator::new(Arc::new(acct), state.path().to_owned(), TimeDelta::days(7));
    let err = remediator
        .execute(Request::Deactivate, "AKIAMOCKKEY000000001")
        .await
        .expect_err("expired");
    let RemediateError::Account(inner) = &err else {
        panic!("expected an account error, got {err:?}")
    };
    assert!(
        matches!(inner, AccountError::ExpiredCredentials { .. }),
        "{inner:?}"
    );
    assert!(inner.advice().contains("refresh"));
    let journal =
        std::fs::read_to_string(state.path().join("journal-123456789012.jsonl")).expect("journal");
    assert!(journal.contains(r#""phase":"intent""#), "{journal}");
    assert!(journal.contains(r#""code":"ExpiredToken""#), "{journal}");
}

/// An auditor's account whose credential report IAM generated at `generated`.
fn auditor_account(generated: DateTime<Utc>) -> AwsAccount {
    let generate = mock!(aws_sdk_iam::Client::generate_credential_report).then_output(|| {
        GenerateCredentialReportOutput::builder()
            .state(ReportStateType::Complete)
            .build()
    });
    let get = mock!(aws_sdk_iam::Client::get_credential_report).then_output(move || {
        GetCredentialReportOutput::builder()
            .content(aws_smithy_types::Blob::new(REPORT.as_bytes()))
            .report_format(aws_sdk_iam::types::ReportFormatType::TextCsv)
            .generated_time(aws_smithy_types::DateTime::from_secs(generated.timestamp()))
            .build()
    });
    account(
        sts_client(&[&identity_rule("arn:aws:iam::123456789012:user/auditor")]),
        iam_client(&[
            &summary_rule(1),
            &list_rule(),
            &last_used_rule(),
            &generate,
            &get,
        ]),
    )
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).expect("in range")
}

#[tokio::test]
async fn a_report_older_than_four_hours_is_stale() {
    let generated = whole_seconds(Utc::now() - TimeDelta::hours(5));
    let state = tempfile::tempdir().expect("tmp");
    let remediator = Remediator::new(
        Arc::new(auditor_account(generated)),
        state.path().to_owned(),
        TimeDelta::days(7),
    );
    let (inventory, report) =
        audit::load(remediator.account().as_ref(), Some(remediator.state_dir()))
            .await
            .expect("audit");
    let report = report.expect("the auditor view rests on the report");
    assert_eq!(
        report.generated,
        Some(generated),
        "GeneratedTime is carried"
    );
    let Some(Stale::Old { age, .. }) = report.stale else {
        panic!("expected stale by age, got {report:?}")
    };
    assert!(age > TimeDelta::hours(4), "{age}");

    let text = audit::table(&inventory, Some(&report), Utc::now());
    assert!(
        text.contains("STALE REPORT: the credential report was generated 5 h"),
        "{text}"
    );
    assert!(
        text.contains("what to do: wait a few minutes and run again: IAM generates a new report"),
        "{text}"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&audit::to_json(&inventory, Some(&report))).expect("json");
    assert_eq!(doc["report_stale"], true);
    assert_eq!(doc["report_stale_reason"], "older_than_4h");
    assert_eq!(
        doc["report_generated"],
        generated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
}

#[tokio::test]
async fn a_report_older_than_the_last_journaled_write_is_stale() {
    let now = Utc::now();
    let generated = whole_seconds(now - TimeDelta::hours(1));
    let state = tempfile::tempdir().expect("tmp");
    let journal = Journal::open(state.path(), "123456789012").expect("journal");
    let write = |at: DateTime<Utc>, op: &str| {
        let intent = journal.record(
            at,
            ROOT_ARN,
            "AKIAMOCKKEY000000001",
            Act::Deactivate,
            Phase::Intent,
            op,
        );
        journal.append(&intent).expect("intent");
        journal
            .append(&outcome_of(&intent, at, Outcome::Ok))
            .expect("outcome");
    };
    let remediator = Remediator::new(
        Arc::new(auditor_account(generated)),
        state.path().to_owned(),
        TimeDelta::days(7),
    );

    // A write before the report: the report shows it.
    write(generated - TimeDelta::minutes(10), "before");
    let (_, report) = audit::load(remediator.account().as_ref(), Some(remediator.state_dir()))
        .await
        .expect("audit");
    assert_eq!(report.expect("report").stale, None);

    // A write after the report: it does not show it yet.
    let written = whole_seconds(now - TimeDelta::minutes(30));
    write(written, "after");
    let (inventory, report) =
        audit::load(remediator.account().as_ref(), Some(remediator.state_dir()))
            .await
            .expect("audit");
    let report = report.expect("report");
    assert_eq!(
        report.stale,
        Some(Stale::BeforeWrite {
            generated,
            write: written
        })
    );
    let text = audit::table(&inventory, Some(&report), Utc::now());
    let again = (generated + TimeDelta::hours(4) + TimeDelta::minutes(1))
        .format("%Y-%m-%d %H:%M UTC")
        .to_string();
    assert!(
        text.contains("before the last change rootkeys journaled"),
        "{text}"
    );
    assert!(text.contains(&format!("run again after {again}")), "{text}");
    let doc: serde_json::Value =
        serde_json::from_str(&audit::to_json(&inventory, Some(&report))).expect("json");
    assert_eq!(doc["report_stale_reason"], "older_than_last_write");
}

#[tokio::test]
async fn a_report_over_the_size_limit_is_refused() {
    let generate = mock!(aws_sdk_iam::Client::generate_credential_report).then_output(|| {
        GenerateCredentialReportOutput::builder()
            .state(ReportStateType::Complete)
            .build()
    });
    let get = mock!(aws_sdk_iam::Client::get_credential_report).then_output(|| {
        let size = usize::try_from(MAX_REPORT_BYTES).expect("fits") + 1;
        GetCredentialReportOutput::builder()
            .content(aws_smithy_types::Blob::new(vec![b'a'; size]))
            .build()
    });
    let acct = account(sts_client(&[]), iam_client(&[&generate, &get]));
    let err = acct.root_report_row().await.expect_err("too large");
    let AccountError::BadReport { message } = &err else {
        panic!("expected BadReport, got {err:?}")
    };
    assert!(
        message.contains("larger than the 64 MiB limit"),
        "{message}"
    );
}

fn summary_with_mfa(keys: i32, mfa: Option<i32>) -> Rule {
    mock!(aws_sdk_iam::Client::get_account_summary).then_output(move || {
        let out = GetAccountSummaryOutput::builder()
            .summary_map(SummaryKeyType::AccountAccessKeysPresent, keys);
        match mfa {
            Some(m) => out.summary_map(SummaryKeyType::AccountMfaEnabled, m),
            None => out,
        }
        .build()
    })
}

/// Root with MFA: the test server always answers `AccountMFAEnabled = 0`,
/// so the check passing is covered here.
#[tokio::test]
async fn root_mfa_comes_from_the_same_summary_and_prevent_passes_with_it() {
    let summary = summary_with_mfa(0, Some(1));
    let acct = account(
        sts_client(&[&identity_rule(ROOT_ARN)]),
        iam_client(&[&summary, &list_rule(), &last_used_rule()]),
    );
    let inventory = load_inventory(&acct).await.expect("inventory");
    assert_eq!(inventory.root_mfa, Some(true));
    assert_eq!(
        summary.num_calls(),
        1,
        "one GetAccountSummary for both facts"
    );
    let exit = rootkeys::commands::prevent::run(&acct, true).await;
    assert_eq!(exit.code(), 0, "MFA on: the check passes");
}

#[tokio::test]
async fn a_summary_without_the_mfa_entry_is_unknown_not_an_audit_error() {
    let acct = account(
        sts_client(&[&identity_rule(ROOT_ARN)]),
        iam_client(&[&summary_with_mfa(1, None), &list_rule(), &last_used_rule()]),
    );
    let inventory = load_inventory(&acct)
        .await
        .expect("the key count still reads");
    assert_eq!(inventory.keys_present, Some(1));
    assert_eq!(inventory.root_mfa, None);
    let exit = rootkeys::commands::prevent::run(&acct, false).await;
    assert_eq!(exit.code(), 2, "could not be read");
}

#[tokio::test]
async fn prevent_with_the_summary_denied_exits_2() {
    let denied = mock!(aws_sdk_iam::Client::get_account_summary).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(403).expect("status"),
            aws_smithy_types::body::SdkBody::from(error_body(
                "AccessDenied",
                "User is not authorized to perform: iam:GetAccountSummary",
            )),
        )
    });
    let acct = account(
        sts_client(&[&identity_rule(ROOT_ARN)]),
        iam_client(&[&denied]),
    );
    let summary = acct.account_summary().await;
    assert!(
        matches!(summary, Err(AccountError::AccessDenied { .. })),
        "{summary:?}"
    );
    let exit = rootkeys::commands::prevent::run(&acct, false).await;
    assert_eq!(exit.code(), 2);
}

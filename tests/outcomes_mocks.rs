//! Outcomes are never guessed and surprising data fails closed: error paths
//! no server produces on demand (a lost answer whose retry finds the work
//! done, a 5xx, an answer that is not AWS's, a summary without its entry),
//! through the real SDK clients with `aws-smithy-mocks`.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_iam::operation::get_access_key_last_used::GetAccessKeyLastUsedOutput;
use aws_sdk_iam::operation::get_account_summary::GetAccountSummaryOutput;
use aws_sdk_iam::operation::list_access_keys::ListAccessKeysOutput;
use aws_sdk_iam::types::{AccessKeyMetadata, StatusType, SummaryKeyType};
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use chrono::{TimeDelta, Utc};
use rootkeys::account::aws::AwsAccount;
use rootkeys::account::{AccountError, load_inventory};
use rootkeys::domain::KeyStatus;
use rootkeys::domain::policy::Request;
use rootkeys::domain::record::{Act, Outcome, Phase};
use rootkeys::journal::{Journal, outcome_of};
use rootkeys::remediate::{RemediateError, Remediator};

const ACCOUNT: &str = "123456789012";
const ROOT_ARN: &str = "arn:aws:iam::123456789012:root";
const KEY: &str = "AKIAMOCKKEY000000001";

fn error_body(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
    )
}

fn sts(rules: &[&Rule]) -> aws_sdk_sts::Client {
    mock_client!(aws_sdk_sts, RuleMode::MatchAny, rules, |c| c.retry_config(
        aws_sdk_sts::config::retry::RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1))
    ))
}

fn iam(rules: &[&Rule]) -> aws_sdk_iam::Client {
    mock_client!(aws_sdk_iam, RuleMode::MatchAny, rules, |c| c.retry_config(
        aws_sdk_iam::config::retry::RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1))
    ))
}

fn identity() -> Rule {
    mock!(aws_sdk_sts::Client::get_caller_identity).then_output(|| {
        GetCallerIdentityOutput::builder()
            .account(ACCOUNT)
            .arn(ROOT_ARN)
            .user_id(ACCOUNT)
            .build()
    })
}

fn listing(status: Option<StatusType>) -> ListAccessKeysOutput {
    let mut key = AccessKeyMetadata::builder().access_key_id(KEY);
    if let Some(status) = status {
        key = key.status(status);
    }
    ListAccessKeysOutput::builder()
        .access_key_metadata(key.build())
        .build()
        .expect("list output")
}

fn empty_listing() -> ListAccessKeysOutput {
    ListAccessKeysOutput::builder()
        .set_access_key_metadata(Some(Vec::new()))
        .build()
        .expect("list output")
}

fn last_used() -> Rule {
    mock!(aws_sdk_iam::Client::get_access_key_last_used)
        .then_output(|| GetAccessKeyLastUsedOutput::builder().build())
}

fn remediator(iam: aws_sdk_iam::Client, state: &std::path::Path) -> Remediator {
    let account = AwsAccount::from_clients(iam, sts(&[&identity()]), None, Duration::from_secs(1));
    Remediator::new(Arc::new(account), state.to_owned(), TimeDelta::days(7))
}

/// A journal whose deactivation of KEY (7 d window) was eight days ago.
fn deactivated_long_ago(state: &std::path::Path) -> Journal {
    let journal = Journal::open(state, ACCOUNT).expect("journal");
    let then = Utc::now() - TimeDelta::days(8);
    let mut intent = journal.record(then, ROOT_ARN, KEY, Act::Deactivate, Phase::Intent, "op-1");
    intent.window_secs = Some(7 * 86_400);
    journal.append(&intent).expect("append");
    journal
        .append(&outcome_of(&intent, then, Outcome::Ok))
        .expect("append");
    journal
}

fn phases(journal: &Journal, action: Act) -> Vec<(Phase, Option<Outcome>)> {
    journal
        .read()
        .expect("read")
        .records
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| r.action == action)
        .map(|r| (r.phase, r.result))
        .collect()
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_and_whose_retry_found_it_gone_is_settled_as_deleted() {
    let state = tempfile::tempdir().expect("tmp");
    let journal = deactivated_long_ago(state.path());
    // The first attempt's answer is lost (a 503); the SDK retries, and the
    // retry answers NoSuchEntity: the first attempt had deleted the key.
    let delete = mock!(aws_sdk_iam::Client::delete_access_key)
        .sequence()
        .http_status(503, Some(error_body("ServiceUnavailable", "try again")))
        .http_status(404, Some(error_body("NoSuchEntity", "no such key")))
        .build();
    let list = mock!(aws_sdk_iam::Client::list_access_keys)
        .sequence()
        .output(|| listing(Some(StatusType::Inactive)))
        .output(empty_listing)
        .build();
    let r = remediator(iam(&[&delete, &list, &last_used()]), state.path());

    let done = r
        .execute(Request::Delete { force: false }, KEY)
        .await
        .expect("the key is gone: the delete is reported done");
    assert_eq!(done.outcome.phase, Phase::Reconciled);
    assert_eq!(
        phases(&journal, Act::Delete),
        vec![
            (Phase::Intent, None),
            (
                Phase::Outcome,
                Some(Outcome::Unknown {
                    code: "NoSuchEntity".to_owned()
                })
            ),
            (Phase::Reconciled, Some(Outcome::Ok)),
        ]
    );
    assert!(journal.read().expect("read").open_intents().is_empty());
}

#[tokio::test]
async fn a_server_error_that_did_not_apply_is_settled_as_not_applied_with_the_truth() {
    let state = tempfile::tempdir().expect("tmp");
    let journal = Journal::open(state.path(), ACCOUNT).expect("journal");
    let update = mock!(aws_sdk_iam::Client::update_access_key)
        .sequence()
        .http_status(500, Some(error_body("InternalFailure", "oops")))
        .times(3)
        .build();
    let list = mock!(aws_sdk_iam::Client::list_access_keys)
        .then_output(|| listing(Some(StatusType::Active)));
    let r = remediator(iam(&[&update, &list, &last_used()]), state.path());

    let err = r
        .execute(Request::Deactivate, KEY)
        .await
        .expect_err("not applied");
    assert!(matches!(err, RemediateError::NotApplied { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("did not take effect"), "{text}");
    assert!(text.contains("Active"), "{text}");
    assert_eq!(
        phases(&journal, Act::Deactivate),
        vec![
            (Phase::Intent, None),
            (
                Phase::Outcome,
                Some(Outcome::Unknown {
                    code: "InternalFailure".to_owned()
                })
            ),
            (Phase::Reconciled, Some(Outcome::NotApplied)),
        ]
    );
}

#[tokio::test]
async fn a_gateway_timeout_is_an_unknown_outcome_settled_by_the_live_state() {
    let state = tempfile::tempdir().expect("tmp");
    let journal = Journal::open(state.path(), ACCOUNT).expect("journal");
    // The request went out; a gateway timed out waiting for the answer. AWS
    // applied it: the live state shows the key inactive.
    let account = AwsAccount::from_clients(
        iam(&[
            &mock!(aws_sdk_iam::Client::update_access_key).then_http_response(|| {
                std::thread::sleep(Duration::from_millis(1));
                aws_smithy_runtime_api::http::Response::new(
                    aws_smithy_runtime_api::http::StatusCode::try_from(504).expect("status"),
                    aws_smithy_types::body::SdkBody::from("<html>Gateway Timeout</html>"),
                )
            }),
            &mock!(aws_sdk_iam::Client::list_access_keys)
                .sequence()
                .output(|| listing(Some(StatusType::Active)))
                .output(|| listing(Some(StatusType::Inactive)))
                .build(),
            &last_used(),
        ]),
        sts(&[&identity()]),
        None,
        Duration::from_secs(1),
    );
    let r = Remediator::new(
        Arc::new(account),
        state.path().to_owned(),
        TimeDelta::days(7),
    );
    let done = r
        .execute(Request::Deactivate, KEY)
        .await
        .expect("applied after all");
    assert_eq!(done.outcome.phase, Phase::Reconciled);
    let got = phases(&journal, Act::Deactivate);
    assert!(
        matches!(got[1], (Phase::Outcome, Some(Outcome::Unknown { .. }))),
        "{got:?}"
    );
    assert_eq!(got[2], (Phase::Reconciled, Some(Outcome::Ok)));
}

#[tokio::test]
async fn an_answer_that_is_not_aws_says_so_with_the_http_status() {
    for (status, body, detail) in [
        (
            500,
            "<html><body>Internal Server Error</body></html>",
            "HTTP 500",
        ),
        (200, "", "an empty HTTP 200"),
    ] {
        let summary =
            mock!(aws_sdk_iam::Client::get_account_summary).then_http_response(move || {
                aws_smithy_runtime_api::http::Response::new(
                    aws_smithy_runtime_api::http::StatusCode::try_from(status).expect("status"),
                    aws_smithy_types::body::SdkBody::from(body),
                )
            });
        let list = mock!(aws_sdk_iam::Client::list_access_keys).then_output(empty_listing);
        let account = AwsAccount::from_clients(
            iam(&[&summary, &list]),
            sts(&[&identity()]),
            None,
            Duration::from_secs(1),
        );
        let err = load_inventory(&account).await.expect_err("not AWS");
        assert!(matches!(err, AccountError::NotAws { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("did not answer"), "{text}");
        assert!(text.contains(detail), "{text}");
        assert!(
            err.advice().contains("AWS_ENDPOINT_URL"),
            "{}",
            err.advice()
        );
        assert!(!err.advice().contains("see the AWS error above"));
    }
}

#[tokio::test]
async fn a_summary_without_its_entry_or_with_a_negative_one_is_an_error_not_compliant() {
    for summary in [
        GetAccountSummaryOutput::builder()
            .summary_map(SummaryKeyType::Users, 3)
            .build(),
        GetAccountSummaryOutput::builder()
            .summary_map(SummaryKeyType::AccountAccessKeysPresent, -1)
            .build(),
    ] {
        let rule =
            mock!(aws_sdk_iam::Client::get_account_summary).then_output(move || summary.clone());
        let list = mock!(aws_sdk_iam::Client::list_access_keys).then_output(empty_listing);
        let account = AwsAccount::from_clients(
            iam(&[&rule, &list]),
            sts(&[&identity()]),
            None,
            Duration::from_secs(1),
        );
        let err = load_inventory(&account)
            .await
            .expect_err("must not judge without the entry");
        assert!(matches!(err, AccountError::Unexpected { .. }), "{err:?}");
    }
}

#[tokio::test]
async fn a_key_with_an_unknown_or_missing_status_counts_as_active() {
    for status in [None, Some(StatusType::from("Expired"))] {
        let summary = mock!(aws_sdk_iam::Client::get_account_summary).then_output(|| {
            GetAccountSummaryOutput::builder()
                .summary_map(SummaryKeyType::AccountAccessKeysPresent, 1)
                .build()
        });
        let st = status.clone();
        let list =
            mock!(aws_sdk_iam::Client::list_access_keys).then_output(move || listing(st.clone()));
        let account = AwsAccount::from_clients(
            iam(&[&summary, &list, &last_used()]),
            sts(&[&identity()]),
            None,
            Duration::from_secs(1),
        );
        let inventory = load_inventory(&account).await.expect("inventory");
        assert_eq!(inventory.keys[0].status, KeyStatus::Active, "{status:?}");
        let state = tempfile::tempdir().expect("tmp");
        let r = Remediator::new(
            Arc::new(account),
            state.path().to_owned(),
            TimeDelta::days(7),
        );
        let err = r
            .execute(Request::Delete { force: true }, KEY)
            .await
            .expect_err("an unknown status never unlocks delete");
        assert!(err.to_string().contains("deactivated first"), "{err}");
    }
}

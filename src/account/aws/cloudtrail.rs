//! The usage port's adapter over the AWS SDK: [`SdkTrailSource`] reads
//! `CloudTrail` `LookupEvents` pages (one client per region) and lists the
//! account's enabled regions (Account API), and [`region_failure`] words an
//! SDK error, as classified by `aws::errors`, as a region's failure.
//!
//! Everything else about usage (fan-out, pacing, retries, event parsing)
//! lives in `account::usage`, pure of the SDK. Must not import the front
//! ends (`tui`, `commands`) or ratatui.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_sdk_cloudtrail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use chrono::{DateTime, Utc};
use futures::future::{BoxFuture, FutureExt};

use super::errors::{SdkFailure, classify};
use super::to_chrono;
use crate::account::codes::CodeKind;
use crate::account::usage::{PAGE_SIZE, Page, RegionFailure, TrailSource, parse_event};
use crate::domain::usage::NOT_AWS;

type ClientFactory = Box<dyn Fn(&str) -> aws_sdk_cloudtrail::Client + Send + Sync>;

/// `TrailSource` over the AWS SDK: one `CloudTrail` client per region (built
/// on first use, then cached) and the Account API for enabled regions.
pub struct SdkTrailSource {
    factory: ClientFactory,
    clients: Mutex<HashMap<String, aws_sdk_cloudtrail::Client>>,
    account: Option<aws_sdk_account::Client>,
}

impl SdkTrailSource {
    /// Per-region `CloudTrail` clients from `base` (credentials, retry and
    /// timeouts as configured there); the Account API in `base`'s region,
    /// or `us-east-1` when it has none.
    pub fn new(base: &aws_config::SdkConfig) -> Self {
        let ct_base = base.clone();
        let factory = move |region: &str| {
            let conf = aws_sdk_cloudtrail::config::Builder::from(&ct_base)
                .region(aws_config::Region::new(region.to_owned()))
                .build();
            aws_sdk_cloudtrail::Client::from_conf(conf)
        };
        let mut account = aws_sdk_account::config::Builder::from(base);
        if base.region().is_none() {
            account = account.region(aws_config::Region::from_static("us-east-1"));
        }
        Self {
            factory: Box::new(factory),
            clients: Mutex::new(HashMap::new()),
            account: Some(aws_sdk_account::Client::from_conf(account.build())),
        }
    }

    /// From ready clients (tests use mocked ones). Without an Account
    /// client, `enabled_regions` fails and the default regions are searched.
    pub fn from_clients(
        cloudtrail_for_region: impl Fn(&str) -> aws_sdk_cloudtrail::Client + Send + Sync + 'static,
        account: Option<aws_sdk_account::Client>,
    ) -> Self {
        Self {
            factory: Box::new(cloudtrail_for_region),
            clients: Mutex::new(HashMap::new()),
            account,
        }
    }

    fn client(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        clients
            .entry(region.to_owned())
            .or_insert_with(|| (self.factory)(region))
            .clone()
    }

    async fn lookup(
        &self,
        region: String,
        key_id: String,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        token: Option<String>,
    ) -> Result<Page, RegionFailure> {
        let attribute = LookupAttribute::builder()
            .attribute_key(LookupAttributeKey::AccessKeyId)
            .attribute_value(key_id)
            .build()
            .map_err(|e| RegionFailure::new("RequestConstruction", e.to_string()))?;
        let out = self
            .client(&region)
            .lookup_events()
            .lookup_attributes(attribute)
            .start_time(to_smithy(start))
            .end_time(to_smithy(end))
            .max_results(PAGE_SIZE)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| region_failure("cloudtrail:LookupEvents", &e))?;
        let events = out
            .events()
            .iter()
            .filter_map(|e| {
                parse_event(
                    &region,
                    e.event_time().and_then(to_chrono),
                    e.event_source(),
                    e.event_name(),
                    e.read_only(),
                    e.cloud_trail_event(),
                )
            })
            .collect();
        Ok(Page {
            events,
            next_token: out
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        })
    }

    async fn enabled(&self) -> Result<Vec<String>, RegionFailure> {
        use aws_sdk_account::types::RegionOptStatus;
        let Some(account) = &self.account else {
            return Err(RegionFailure::new(
                "NoAccountClient",
                "no Account API client configured",
            ));
        };
        let mut regions = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = account
                .list_regions()
                .region_opt_status_contains(RegionOptStatus::Enabled)
                .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| region_failure("account:ListRegions", &e))?;
            regions.extend(
                out.regions()
                    .iter()
                    .filter_map(|r| r.region_name().map(str::to_owned)),
            );
            match out.next_token().filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next.to_owned()),
                None => return Ok(regions),
            }
        }
    }
}

impl TrailSource for SdkTrailSource {
    fn lookup_page(
        &self,
        region: &str,
        key_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        token: Option<String>,
    ) -> BoxFuture<'_, Result<Page, RegionFailure>> {
        self.lookup(region.to_owned(), key_id.to_owned(), start, end, token)
            .boxed()
    }

    fn enabled_regions(&self) -> BoxFuture<'_, Result<Vec<String>, RegionFailure>> {
        self.enabled().boxed()
    }
}

/// An SDK error in the operator's terms. Messages come from AWS or the
/// SDK's error chain, which never carry secret keys or session tokens.
pub fn region_failure<E>(action: &str, err: &SdkError<E, HttpResponse>) -> RegionFailure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match classify(err) {
        SdkFailure::NoCredentials(creds) => RegionFailure::new("NoCredentials", creds),
        SdkFailure::Dispatch {
            timeout, io, chain, ..
        } => {
            let what = if timeout {
                "the connection timed out"
            } else if io {
                "the connection failed"
            } else {
                "the request could not be sent"
            };
            RegionFailure::new("Unreachable", format!("{what} during {action} ({chain})"))
        }
        SdkFailure::TimedOut => RegionFailure::new("Timeout", format!("{action} timed out")),
        SdkFailure::Construction { chain } => RegionFailure::new("RequestConstruction", chain),
        // The parser's complaint about an HTML page says nothing to an
        // operator; what the answer was does.
        SdkFailure::NotAws { detail, .. } => RegionFailure::new(
            NOT_AWS,
            if detail.starts_with("an empty") {
                format!("{action}: an empty answer, not an AWS one")
            } else {
                format!("{action}: the answer is not an AWS one")
            },
        )
        .with_status(err.raw_response().map(|r| r.status().as_u16())),
        SdkFailure::Service {
            code,
            kind,
            message,
            status,
        } => {
            let message = message.unwrap_or_else(|| format!("{action} failed"));
            if kind == CodeKind::Throttled {
                RegionFailure::throttled(code, message)
            } else {
                RegionFailure::new(code, message)
            }
            .with_status(status)
        }
    }
}

fn to_smithy(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_millis(t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::usage::{DEFAULT_PACING, DEFAULT_REGIONS, MAX_RETRIES, fetch_usage};
    use crate::domain::usage::{RegionSelection, RegionStatus, UsageQuery, UsageReport};
    use crate::render::usage::render_text;
    use aws_sdk_account::operation::list_regions::{ListRegionsError, ListRegionsOutput};
    use aws_sdk_cloudtrail::config::retry::RetryConfig;
    use aws_sdk_cloudtrail::operation::lookup_events::{LookupEventsError, LookupEventsOutput};
    use aws_sdk_cloudtrail::types::Event;
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;
    use chrono::TimeZone;

    const KEY: &str = "AKIAEXAMPLEROOT00001";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0)
            .single()
            .expect("valid time")
    }

    fn ct_event(minutes_ago: i64, region: &str, source: &str, name: &str, ip: &str) -> Event {
        let time = now() - chrono::Duration::minutes(minutes_ago);
        let json = serde_json::json!({
            "eventTime": time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": ip,
            "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1",
            "readOnly": true,
            "userIdentity": {"type": "Root", "accessKeyId": KEY},
        });
        Event::builder()
            .event_time(to_smithy(time))
            .event_source(source)
            .event_name(name)
            .read_only("true")
            .access_key_id(KEY)
            .cloud_trail_event(json.to_string())
            .build()
    }

    fn page(events: Vec<Event>, next: Option<&str>) -> LookupEventsOutput {
        LookupEventsOutput::builder()
            .set_events(Some(events))
            .set_next_token(next.map(str::to_owned))
            .build()
    }

    fn ct_error(code: &str, message: &str) -> LookupEventsError {
        LookupEventsError::generic(ErrorMetadata::builder().code(code).message(message).build())
    }

    fn empty_rule() -> Rule {
        mock!(aws_sdk_cloudtrail::Client::lookup_events).then_output(|| page(Vec::new(), None))
    }

    /// A `CloudTrail` client per region from the given rules (SDK retries off,
    /// so `fetch_usage`'s own backoff is what runs); regions without rules
    /// have no events.
    fn source(
        per_region: Vec<(&str, Vec<Rule>)>,
        account: Option<aws_sdk_account::Client>,
    ) -> SdkTrailSource {
        let rules: HashMap<String, Vec<Rule>> = per_region
            .into_iter()
            .map(|(r, rules)| (r.to_owned(), rules))
            .collect();
        SdkTrailSource::from_clients(
            move |region| {
                let empty = vec![empty_rule()];
                let (mode, rules) = rules
                    .get(region)
                    .map_or((RuleMode::MatchAny, &empty), |r| (RuleMode::Sequential, r));
                mock_client!(aws_sdk_cloudtrail, mode, rules, |c| c
                    .retry_config(RetryConfig::disabled()))
            },
            account,
        )
    }

    fn account_listing(
        pages: Vec<(Vec<&str>, Option<&str>)>,
    ) -> (aws_sdk_account::Client, Vec<Rule>) {
        use aws_sdk_account::types::{Region, RegionOptStatus};
        let rules: Vec<Rule> = pages
            .into_iter()
            .map(|(names, next)| {
                let names: Vec<String> = names.into_iter().map(str::to_owned).collect();
                let next = next.map(str::to_owned);
                mock!(aws_sdk_account::Client::list_regions).then_output(move || {
                    ListRegionsOutput::builder()
                        .set_regions(Some(
                            names
                                .iter()
                                .map(|n| {
                                    Region::builder()
                                        .region_name(n)
                                        .region_opt_status(RegionOptStatus::Enabled)
                                        .build()
                                })
                                .collect(),
                        ))
                        .set_next_token(next.clone())
                        .build()
                })
            })
            .collect();
        let client = mock_client!(aws_sdk_account, RuleMode::Sequential, &rules, |c| c
            .retry_config(aws_sdk_account::config::retry::RetryConfig::disabled()));
        (client, rules)
    }

    fn list(regions: &[&str]) -> UsageQuery {
        UsageQuery {
            key_id: KEY.to_owned(),
            days: 90,
            regions: RegionSelection::List(regions.iter().map(|r| (*r).to_owned()).collect()),
        }
    }

    async fn run(source: &dyn TrailSource, query: &UsageQuery) -> UsageReport {
        fetch_usage(source, query, now(), DEFAULT_PACING, |_| {}).await
    }

    #[tokio::test(start_paused = true)]
    async fn pagination_follows_tokens_and_counts_every_event() {
        let p1 = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .match_requests(|r| {
                r.next_token().is_none()
                    && r.max_results() == Some(PAGE_SIZE)
                    && r.lookup_attributes().iter().any(|a| {
                        a.attribute_key() == &LookupAttributeKey::AccessKeyId
                            && a.attribute_value() == KEY
                    })
            })
            .then_output(|| {
                page(
                    vec![
                        ct_event(
                            1,
                            "us-east-1",
                            "s3.amazonaws.com",
                            "ListBuckets",
                            "198.51.100.7",
                        ),
                        ct_event(
                            2,
                            "us-east-1",
                            "s3.amazonaws.com",
                            "ListBuckets",
                            "198.51.100.7",
                        ),
                    ],
                    Some("t1"),
                )
            });
        let p2 = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .match_requests(|r| r.next_token() == Some("t1"))
            .then_output(|| {
                page(
                    vec![
                        ct_event(
                            60,
                            "us-east-1",
                            "iam.amazonaws.com",
                            "ListUsers",
                            "203.0.113.9",
                        ),
                        ct_event(
                            61,
                            "us-east-1",
                            "s3.amazonaws.com",
                            "ListBuckets",
                            "198.51.100.7",
                        ),
                    ],
                    Some("t2"),
                )
            });
        let p3 = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .match_requests(|r| r.next_token() == Some("t2"))
            .then_output(|| {
                page(
                    vec![ct_event(
                        3000,
                        "us-east-1",
                        "sts.amazonaws.com",
                        "GetCallerIdentity",
                        "192.0.2.1",
                    )],
                    None,
                )
            });
        let src = source(
            vec![("us-east-1", vec![p1.clone(), p2.clone(), p3.clone()])],
            None,
        );

        let report = run(&src, &list(&["us-east-1"])).await;

        assert_eq!([p1.num_calls(), p2.num_calls(), p3.num_calls()], [1, 1, 1]);
        assert_eq!(report.total_events(), 5);
        assert_eq!(report.regions.len(), 1);
        assert_eq!(report.regions[0].status, RegionStatus::Ok);
        assert_eq!((report.regions[0].pages, report.regions[0].events), (3, 5));
        assert_eq!(report.by_action[0].event_name, "ListBuckets");
        assert_eq!(report.by_action[0].count, 3);
        assert_eq!(
            report.by_caller[0].source_ip.as_deref(),
            Some("198.51.100.7")
        );
        assert_eq!(
            report.by_caller[0].user_agent.as_deref(),
            Some("aws-cli/2.15.0 Python/3.11.6 Linux/6.1")
        );
        assert_eq!(report.events[0].read_only, Some(true));
        assert_eq!(report.events[4].event_name, "GetCallerIdentity");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failing_region_is_reported_and_the_others_are_kept() {
        let east = mock!(aws_sdk_cloudtrail::Client::lookup_events).then_output(|| {
            page(
                vec![ct_event(
                    5,
                    "us-east-1",
                    "ec2.amazonaws.com",
                    "DescribeInstances",
                    "198.51.100.7",
                )],
                None,
            )
        });
        let denied = mock!(aws_sdk_cloudtrail::Client::lookup_events).then_error(|| {
            ct_error(
                "AccessDenied",
                "User: arn:aws:iam::123456789012:root is not authorized to perform: cloudtrail:LookupEvents",
            )
        });
        let west2 = mock!(aws_sdk_cloudtrail::Client::lookup_events).then_output(|| {
            page(
                vec![ct_event(
                    9,
                    "us-west-2",
                    "ec2.amazonaws.com",
                    "RunInstances",
                    "198.51.100.7",
                )],
                None,
            )
        });
        let src = source(
            vec![
                ("us-east-1", vec![east]),
                ("eu-west-1", vec![denied.clone()]),
                ("us-west-2", vec![west2]),
            ],
            None,
        );

        let report = run(&src, &list(&["us-east-1", "eu-west-1", "us-west-2"])).await;

        assert_eq!(denied.num_calls(), 1, "AccessDenied is not retried");
        assert_eq!(report.regions.len(), 3);
        assert_eq!(report.regions[0].status, RegionStatus::Ok);
        assert!(matches!(&report.regions[1].status,
            RegionStatus::Failed { code, message } if code == "AccessDenied" && message.contains("cloudtrail:LookupEvents")));
        assert_eq!(report.regions[2].status, RegionStatus::Ok);
        assert_eq!(report.total_events(), 2);
        assert_eq!(report.by_region.len(), 2);
        assert!(
            report
                .limits
                .iter()
                .any(|l| l.starts_with("eu-west-1 failed (AccessDenied"))
        );
        let text = render_text(&report, now());
        assert!(
            text.contains("Not complete: 1 of 3 regions could not be searched"),
            "{text}"
        );
        assert!(text.contains("eu-west-1 failed (AccessDenied"), "{text}");
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_backs_off_then_succeeds() {
        let rule = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .sequence()
            .error(|| ct_error("ThrottlingException", "Rate exceeded"))
            .times(2)
            .output(|| {
                page(
                    vec![ct_event(
                        5,
                        "eu-central-1",
                        "iam.amazonaws.com",
                        "CreateUser",
                        "198.51.100.7",
                    )],
                    None,
                )
            })
            .build();
        let src = source(vec![("eu-central-1", vec![rule.clone()])], None);

        let report = run(&src, &list(&["eu-central-1"])).await;

        assert_eq!(rule.num_calls(), 3);
        assert_eq!(report.regions[0].status, RegionStatus::Ok);
        assert_eq!(report.total_events(), 1);
        assert_eq!(report.events[0].event_name, "CreateUser");
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_that_never_ends_fails_the_region_after_three_retries() {
        let rule = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .sequence()
            .error(|| ct_error("ThrottlingException", "Rate exceeded"))
            .repeatedly()
            .build();
        let src = source(vec![("eu-central-1", vec![rule.clone()])], None);

        let report = run(&src, &list(&["eu-central-1", "us-east-1"])).await;

        assert_eq!(rule.num_calls(), 1 + MAX_RETRIES as usize);
        assert!(matches!(&report.regions[0].status,
            RegionStatus::Failed { code, message } if code == "ThrottlingException" && message.contains("still throttled")));
        assert_eq!(report.regions[1].status, RegionStatus::Ok);
    }

    #[tokio::test(start_paused = true)]
    async fn empty_history_says_so_plainly() {
        let (account, account_rules) =
            account_listing(vec![(vec!["us-east-1", "eu-west-1"], None)]);
        let src = source(Vec::new(), Some(account));

        let report = run(&src, &UsageQuery::new(KEY)).await;

        assert_eq!(account_rules[0].num_calls(), 1);
        assert_eq!(report.regions.len(), 2);
        assert_eq!(report.total_events(), 0);
        let text = render_text(&report, now());
        assert!(
            text.contains(&format!(
                "No management events signed with {KEY} in the last 90 days in the 2 regions searched."
            )),
            "{text}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_key_never_seen_has_an_empty_summary_and_still_states_the_limits() {
        let other = "AKIAOTHERKEY00000002";
        let rule = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .match_requests(move |r| {
                r.lookup_attributes()
                    .iter()
                    .any(|a| a.attribute_value() == other)
            })
            .then_output(|| page(Vec::new(), None));
        let src = source(vec![("us-east-1", vec![rule.clone()])], None);
        let query = UsageQuery {
            key_id: other.to_owned(),
            days: 30,
            regions: RegionSelection::List(vec!["us-east-1".to_owned()]),
        };

        let report = fetch_usage(&src, &query, now(), DEFAULT_PACING, |_| {}).await;

        assert_eq!(rule.num_calls(), 1);
        assert!(
            report.by_action.is_empty()
                && report.by_caller.is_empty()
                && report.by_region.is_empty()
        );
        assert!(report.newest.is_empty() && report.events.is_empty());
        assert!(report.complete());
        assert_eq!(report.from, now() - chrono::Duration::days(30));
        assert!(
            report
                .limits
                .iter()
                .any(|l| l.starts_with("Management events only"))
        );
        assert!(
            report
                .limits
                .iter()
                .any(|l| l.contains("last 90 days only"))
        );
        assert!(
            report
                .limits
                .iter()
                .any(|l| l.contains("not enabled (opt-in regions turned off)"))
        );
        let text = render_text(&report, now());
        assert!(text.contains("No management events signed with AKIAOTHERKEY00000002 in the last 30 days in the 1 region searched."), "{text}");
        assert!(text.contains("Limits:"));
    }

    #[tokio::test(start_paused = true)]
    async fn enabled_regions_failure_falls_back_to_the_default_regions_with_a_note() {
        let denied = mock!(aws_sdk_account::Client::list_regions).then_error(|| {
            ListRegionsError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("not authorized to perform account:ListRegions")
                    .build(),
            )
        });
        let account = mock_client!(aws_sdk_account, RuleMode::Sequential, [&denied], |c| c
            .retry_config(aws_sdk_account::config::retry::RetryConfig::disabled()));
        let src = source(Vec::new(), Some(account));

        let report = run(&src, &UsageQuery::new(KEY)).await;

        assert_eq!(denied.num_calls(), 1);
        let searched: Vec<&str> = report.regions.iter().map(|r| r.region.as_str()).collect();
        assert_eq!(searched, DEFAULT_REGIONS.to_vec());
        assert!(report.complete());
        assert!(report.limits.iter().any(|l| {
            l.contains("Could not list the account's enabled regions (AccessDeniedException")
                && l.contains("17 regions enabled by default")
        }));
        let text = render_text(&report, now());
        assert!(text.contains("in the 17 regions searched."), "{text}");
    }

    #[tokio::test(start_paused = true)]
    async fn enabled_regions_are_paginated_and_listed_regions_not_enabled_are_unavailable() {
        let (account, rules) = account_listing(vec![
            (vec!["us-east-1", "eu-west-1"], Some("n1")),
            (vec!["af-south-1"], None),
        ]);
        let src = SdkTrailSource::from_clients(
            |_| mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&empty_rule()]),
            Some(account),
        );
        let enabled = src.enabled_regions().await.expect("listed");
        assert_eq!(enabled, ["us-east-1", "eu-west-1", "af-south-1"]);
        assert_eq!([rules[0].num_calls(), rules[1].num_calls()], [1, 1]);

        let (account, _) = account_listing(vec![(vec!["us-east-1", "eu-west-1"], None)]);
        let src = source(Vec::new(), Some(account));
        let report = run(&src, &list(&["eu-west-1", "me-south-1", "eu-west-1"])).await;
        assert_eq!(report.regions.len(), 2, "duplicates are searched once");
        assert_eq!(report.regions[0].status, RegionStatus::Ok);
        assert_eq!(report.regions[1].status, RegionStatus::Unavailable);
        assert!(
            report
                .limits
                .iter()
                .any(|l| l.contains("me-south-1 (not enabled in this account)"))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn no_account_client_means_the_default_regions() {
        let src = source(Vec::new(), None);
        let report = run(&src, &UsageQuery::new(KEY)).await;
        assert_eq!(report.regions.len(), 17);
        assert!(report.limits.iter().any(|l| l.contains("NoAccountClient")));
    }

    #[test]
    fn sdk_errors_map_to_region_failures() {
        use aws_smithy_runtime_api::client::result::SdkError;
        use aws_smithy_runtime_api::http::StatusCode;
        use aws_smithy_types::body::SdkBody;
        let raw =
            || HttpResponse::new(StatusCode::try_from(400).expect("status"), SdkBody::empty());
        let throttled: SdkError<LookupEventsError, HttpResponse> =
            SdkError::service_error(ct_error("TooManyRequestsException", "slow down"), raw());
        let f = region_failure("cloudtrail:LookupEvents", &throttled);
        assert!(f.throttled);
        assert_eq!(f.code, "TooManyRequestsException");

        let denied: SdkError<LookupEventsError, HttpResponse> =
            SdkError::service_error(ct_error("AccessDeniedException", "no"), raw());
        let f = region_failure("cloudtrail:LookupEvents", &denied);
        assert!(!f.throttled);
        assert_eq!(
            (f.code.as_str(), f.message.as_str()),
            ("AccessDeniedException", "no")
        );

        let timeout: SdkError<LookupEventsError, HttpResponse> = SdkError::timeout_error("slow");
        assert_eq!(
            region_failure("cloudtrail:LookupEvents", &timeout).code,
            "Timeout"
        );

        let dispatch: SdkError<LookupEventsError, HttpResponse> = SdkError::dispatch_failure(
            aws_smithy_runtime_api::client::result::ConnectorError::io("connection refused".into()),
        );
        let f = region_failure("cloudtrail:LookupEvents", &dispatch);
        assert_eq!(f.code, "Unreachable");
        assert!(
            f.message
                .starts_with("the connection failed during cloudtrail:LookupEvents"),
            "{}",
            f.message
        );
    }
}

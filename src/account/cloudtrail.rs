//! Fetching a key's usage from `CloudTrail` event history (`LookupEvents`) in
//! every region concurrently, each region paginated sequentially and paced
//! under `CloudTrail`'s per-region rate. The `TrailSource` port keeps the SDK
//! out of the fan-out logic, so it can be tested and benchmarked without it.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_cloudtrail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use chrono::{DateTime, Utc};
use futures::future::{BoxFuture, FutureExt};
use serde::Serialize;
use tokio::time::Instant;

use super::aws::{chain, find_credentials_error, to_chrono};

pub use crate::domain::usage::RegionFailure;
use crate::domain::usage::{
    RegionFetch, RegionSelection, TrailEvent, UsageQuery, UsageReport, summarise,
};
use crate::text::{foreign, one_line};

/// `CloudTrail` `LookupEvents` allows about 2 requests per second per region
/// and account: consecutive requests in one region start at least this far apart.
pub const DEFAULT_PACING: Duration = Duration::from_millis(500);
/// First pause after a throttled request; doubled for each retry.
pub const BACKOFF_BASE: Duration = Duration::from_secs(1);
/// Retries of one throttled request (1 s, 2 s, 4 s).
pub const MAX_RETRIES: u32 = 3;
/// Events kept per region; the newest come first, so the oldest are cut.
pub const MAX_EVENTS_PER_REGION: usize = 5_000;
/// Pages read per region at most (empty pages may carry a token).
pub const MAX_PAGES_PER_REGION: usize = 150;
/// `LookupEvents` `MaxResults` (the API's maximum).
pub const PAGE_SIZE: i32 = 50;

/// The 17 commercial regions enabled by default (no opt-in), searched when
/// the account's enabled regions cannot be listed.
pub const DEFAULT_REGIONS: [&str; 17] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
];

/// Error codes that mean "slow down".
pub const THROTTLING_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
];

/// One page of `LookupEvents`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub events: Vec<TrailEvent>,
    pub next_token: Option<String>,
}

/// Reported after each page and each finished region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub regions_total: usize,
    pub regions_done: usize,
    pub events_so_far: usize,
}

/// Where event history comes from: `CloudTrail`, or a fake.
pub trait TrailSource: Send + Sync {
    /// One `LookupEvents` page of events signed with `key_id` in `region`.
    fn lookup_page(
        &self,
        region: &str,
        key_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        token: Option<String>,
    ) -> BoxFuture<'_, Result<Page, RegionFailure>>;

    /// Regions enabled in the account (enabled by default or opted in).
    fn enabled_regions(&self) -> BoxFuture<'_, Result<Vec<String>, RegionFailure>>;
}

/// Look up every use of `query.key_id` in the last `query.days` days (clamped
/// to 1..=90) in the selected regions, concurrently, and summarise. Never
/// fails as a whole: a region that fails is reported as failed, with its
/// error, and the other regions' results are kept.
///
/// `RegionSelection::All` searches the account's enabled regions (the 17
/// default regions, with a note in `limits`, when they cannot be listed).
/// For a `List`, enabled regions are also asked for: a listed region that is
/// not enabled is reported `Unavailable` without being searched.
pub async fn fetch_usage(
    source: &dyn TrailSource,
    query: &UsageQuery,
    now: DateTime<Utc>,
    pacing: Duration,
    progress: impl Fn(Progress) + Send + Sync,
) -> UsageReport {
    let days = query.effective_days();
    let from = now - chrono::Duration::days(i64::from(days));
    let (regions, mut notes) = resolve_regions(source, &query.regions).await;

    let total = regions.len();
    let done = AtomicUsize::new(0);
    let events_so_far = AtomicUsize::new(0);
    let notify = || {
        progress(Progress {
            regions_total: total,
            regions_done: done.load(Ordering::SeqCst),
            events_so_far: events_so_far.load(Ordering::SeqCst),
        });
    };
    notify();

    let (notify, done, events_so_far, key_id) = (&notify, &done, &events_so_far, &query.key_id);
    let searches = regions.iter().map(move |(region, known)| async move {
        let outcome = if let Some(failure) = known {
            RegionResult {
                result: Err(failure.clone()),
                capped: false,
            }
        } else {
            let on_page = |n: usize| {
                events_so_far.fetch_add(n, Ordering::SeqCst);
                notify();
            };
            search_region(source, region, key_id, from, now, pacing, &on_page).await
        };
        done.fetch_add(1, Ordering::SeqCst);
        notify();
        outcome
    });
    let results = futures::future::join_all(searches).await;

    let mut per_region = Vec::with_capacity(results.len());
    for ((region, _), outcome) in regions.into_iter().zip(results) {
        if outcome.capped {
            let (events, pages) = outcome
                .result
                .as_ref()
                .map_or((0, 0), |(e, p)| (e.len(), *p));
            notes.push(format!(
                "{}: stopped after {events} events on {pages} pages (cap {MAX_EVENTS_PER_REGION} events \
                 per region); older events in that region are not counted.",
                one_line(&region)
            ));
        }
        per_region.push((region, outcome.result));
    }

    let mut report = summarise(&query.key_id, days, from, now, per_region);
    report.limits.extend(notes);
    report
}

struct RegionResult {
    result: RegionFetch,
    capped: bool,
}

/// The regions to search, each with a failure known before searching
/// (a listed region that is not enabled), and notes for the limits.
async fn resolve_regions(
    source: &dyn TrailSource,
    selection: &RegionSelection,
) -> (Vec<(String, Option<RegionFailure>)>, Vec<String>) {
    let enabled = source.enabled_regions().await;
    match selection {
        RegionSelection::All => match enabled {
            Ok(list) if !list.is_empty() => {
                let mut list = dedup(list);
                list.sort();
                (list.into_iter().map(|r| (r, None)).collect(), Vec::new())
            }
            other => {
                let why = match other {
                    Err(f) => format!("{}: {}", one_line(&f.code), foreign(&f.message)),
                    Ok(_) => "the list was empty".to_owned(),
                };
                let note = format!(
                    "Could not list the account's enabled regions ({why}); searched the {} regions enabled by \
                     default only. Opt-in regions enabled in this account, if any, were not searched.",
                    DEFAULT_REGIONS.len()
                );
                let regions = DEFAULT_REGIONS
                    .iter()
                    .map(|r| ((*r).to_owned(), None))
                    .collect();
                (regions, vec![note])
            }
        },
        RegionSelection::List(list) => {
            let list = dedup(
                list.iter()
                    .map(|r| r.trim().to_owned())
                    .filter(|r| !r.is_empty()),
            );
            let enabled: Option<HashSet<String>> = match enabled {
                Ok(e) if !e.is_empty() => Some(e.into_iter().collect()),
                _ => None,
            };
            let regions = list
                .into_iter()
                .map(|region| {
                    let known = enabled.as_ref().filter(|e| !e.contains(&region)).map(|_| {
                        RegionFailure::new("RegionNotEnabled", "not enabled in this account")
                    });
                    (region, known)
                })
                .collect();
            (regions, Vec::new())
        }
    }
}

fn dedup(regions: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    regions
        .into_iter()
        .filter(|r| seen.insert(r.clone()))
        .collect()
}

/// One region's pages, in order, paced; throttled requests are retried.
async fn search_region(
    source: &dyn TrailSource,
    region: &str,
    key_id: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    pacing: Duration,
    on_page: &(dyn Fn(usize) + Send + Sync),
) -> RegionResult {
    let mut events: Vec<TrailEvent> = Vec::new();
    let mut pages = 0;
    let mut token: Option<String> = None;
    let mut last_start: Option<Instant> = None;
    loop {
        let page = match request_page(
            source,
            region,
            key_id,
            start,
            end,
            token.take(),
            pacing,
            &mut last_start,
        )
        .await
        {
            Ok(page) => page,
            Err(failure) => {
                return RegionResult {
                    result: Err(failure),
                    capped: false,
                };
            }
        };
        pages += 1;
        on_page(page.events.len());
        events.extend(page.events);
        let more = page.next_token.filter(|t| !t.is_empty());
        let full = events.len() > MAX_EVENTS_PER_REGION
            || (more.is_some()
                && (events.len() == MAX_EVENTS_PER_REGION || pages >= MAX_PAGES_PER_REGION));
        if full {
            events.truncate(MAX_EVENTS_PER_REGION);
            return RegionResult {
                result: Ok((events, pages)),
                capped: true,
            };
        }
        match more {
            Some(next) => token = Some(next),
            None => {
                return RegionResult {
                    result: Ok((events, pages)),
                    capped: false,
                };
            }
        }
    }
}

/// One page: waits until `pacing` after the previous request's start, and
/// backs off and retries while throttled (at most `MAX_RETRIES` times).
#[allow(clippy::too_many_arguments)]
async fn request_page(
    source: &dyn TrailSource,
    region: &str,
    key_id: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    token: Option<String>,
    pacing: Duration,
    last_start: &mut Option<Instant>,
) -> Result<Page, RegionFailure> {
    let mut retries = 0;
    loop {
        if let Some(previous) = *last_start {
            tokio::time::sleep_until(previous + pacing).await;
        }
        *last_start = Some(Instant::now());
        match source
            .lookup_page(region, key_id, start, end, token.clone())
            .await
        {
            Ok(page) => return Ok(page),
            Err(failure) if failure.throttled && retries < MAX_RETRIES => {
                tokio::time::sleep(BACKOFF_BASE * 2u32.pow(retries)).await;
                retries += 1;
            }
            Err(mut failure) => {
                if failure.throttled {
                    failure.message = format!(
                        "{} (still throttled after {MAX_RETRIES} retries)",
                        failure.message
                    );
                }
                return Err(failure);
            }
        }
    }
}

/// A `TrailEvent` from `LookupEvents`' fields: the `CloudTrailEvent` JSON
/// first, the event's own fields as fallback, the queried region last.
/// `None` when the event has no time at all.
pub fn parse_event(
    queried_region: &str,
    event_time: Option<DateTime<Utc>>,
    event_source: Option<&str>,
    event_name: Option<&str>,
    read_only: Option<&str>,
    cloudtrail_json: Option<&str>,
) -> Option<TrailEvent> {
    let json: serde_json::Value = cloudtrail_json
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(serde_json::Value::Null);
    let text = |field: &str| {
        json.get(field)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let flag = |v: &serde_json::Value| match v {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) => parse_bool(s),
        _ => None,
    };
    let time = text("eventTime")
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
        .or(event_time)?;
    Some(TrailEvent {
        time,
        region: text("awsRegion").unwrap_or_else(|| queried_region.to_owned()),
        event_source: text("eventSource")
            .or_else(|| event_source.map(str::to_owned))
            .unwrap_or_else(|| "unknown".to_owned()),
        event_name: text("eventName")
            .or_else(|| event_name.map(str::to_owned))
            .unwrap_or_else(|| "unknown".to_owned()),
        source_ip: text("sourceIPAddress"),
        user_agent: text("userAgent"),
        read_only: json
            .get("readOnly")
            .and_then(flag)
            .or_else(|| read_only.and_then(parse_bool)),
        error_code: text("errorCode"),
    })
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

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
    match err {
        SdkError::DispatchFailure(failure) => {
            let chain = chain(err);
            if let Some(creds) = find_credentials_error(err) {
                return RegionFailure::new("NoCredentials", creds);
            }
            let what = if failure.is_timeout() {
                "the connection timed out"
            } else if failure.is_io() {
                "the connection failed"
            } else {
                "the request could not be sent"
            };
            return RegionFailure::new("Unreachable", format!("{what} during {action} ({chain})"));
        }
        SdkError::TimeoutError(_) => {
            return RegionFailure::new("Timeout", format!("{action} timed out"));
        }
        SdkError::ConstructionFailure(_) => {
            if let Some(creds) = find_credentials_error(err) {
                return RegionFailure::new("NoCredentials", creds);
            }
            return RegionFailure::new("RequestConstruction", chain(err));
        }
        _ => {}
    }
    let Some(code) = err.code() else {
        return RegionFailure::new("Unknown", format!("{action}: {}", chain(err)));
    };
    let message = err
        .message()
        .map_or_else(|| format!("{action} failed"), str::to_owned);
    if THROTTLING_CODES.contains(&code) {
        RegionFailure::throttled(code, message)
    } else {
        RegionFailure::new(code, message)
    }
}

fn to_smithy(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_millis(t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::usage::RegionStatus;
    use crate::render::usage::render_text;
    use aws_sdk_account::operation::list_regions::{ListRegionsError, ListRegionsOutput};
    use aws_sdk_cloudtrail::config::retry::RetryConfig;
    use aws_sdk_cloudtrail::operation::lookup_events::{LookupEventsError, LookupEventsOutput};
    use aws_sdk_cloudtrail::types::Event;
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;
    use chrono::TimeZone;
    use std::sync::Arc;

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

    #[test]
    fn parse_event_prefers_the_json_and_falls_back_to_the_event_fields() {
        let json = r#"{"eventTime":"2025-05-30T08:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey",
            "awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"console.amazonaws.com",
            "readOnly":false,"errorCode":"AccessDenied"}"#;
        let e = parse_event("eu-west-1", None, None, None, None, Some(json)).expect("parsed");
        assert_eq!(
            e.time,
            Utc.with_ymd_and_hms(2025, 5, 30, 8, 0, 0)
                .single()
                .expect("time")
        );
        assert_eq!(e.region, "us-east-1");
        assert_eq!(
            (e.event_source.as_str(), e.event_name.as_str()),
            ("iam.amazonaws.com", "CreateAccessKey")
        );
        assert_eq!(e.source_ip.as_deref(), Some("198.51.100.7"));
        assert_eq!(e.user_agent.as_deref(), Some("console.amazonaws.com"));
        assert_eq!(e.read_only, Some(false));
        assert_eq!(e.error_code.as_deref(), Some("AccessDenied"));

        let e = parse_event(
            "eu-west-1",
            Some(now()),
            Some("s3.amazonaws.com"),
            Some("ListBuckets"),
            Some("true"),
            Some("not json"),
        )
        .expect("parsed");
        assert_eq!(e.time, now());
        assert_eq!(e.region, "eu-west-1");
        assert_eq!(e.event_name, "ListBuckets");
        assert_eq!(e.read_only, Some(true));
        assert_eq!(e.source_ip, None);

        assert_eq!(
            parse_event("eu-west-1", None, Some("s3"), Some("X"), None, None),
            None
        );
    }

    /// A fake source: `pages` pages of `per_page` events per region, each
    /// call taking `latency` (tokio time); records concurrency and starts.
    struct Fake {
        pages: usize,
        per_page: usize,
        latency: Duration,
        in_flight: AtomicUsize,
        max_in_flight: AtomicUsize,
        starts: Mutex<Vec<(String, Instant)>>,
    }

    impl Fake {
        fn new(pages: usize, per_page: usize) -> Self {
            Self {
                pages,
                per_page,
                latency: Duration::from_millis(100),
                in_flight: AtomicUsize::new(0),
                max_in_flight: AtomicUsize::new(0),
                starts: Mutex::new(Vec::new()),
            }
        }
    }

    impl TrailSource for Fake {
        fn lookup_page(
            &self,
            region: &str,
            _key_id: &str,
            start: DateTime<Utc>,
            _end: DateTime<Utc>,
            token: Option<String>,
        ) -> BoxFuture<'_, Result<Page, RegionFailure>> {
            let region = region.to_owned();
            async move {
                self.starts
                    .lock()
                    .expect("lock")
                    .push((region.clone(), Instant::now()));
                let now_in = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                self.max_in_flight.fetch_max(now_in, Ordering::SeqCst);
                tokio::time::sleep(self.latency).await;
                self.in_flight.fetch_sub(1, Ordering::SeqCst);
                let n: usize = token.as_deref().map_or(0, |t| t.parse().expect("token"));
                let events = (0..self.per_page)
                    .map(|i| TrailEvent {
                        time: start
                            + chrono::Duration::seconds(
                                i64::try_from(n * 1000 + i).expect("small"),
                            ),
                        region: region.clone(),
                        event_source: "sts.amazonaws.com".to_owned(),
                        event_name: "GetCallerIdentity".to_owned(),
                        source_ip: None,
                        user_agent: None,
                        read_only: Some(true),
                        error_code: None,
                    })
                    .collect();
                Ok(Page {
                    events,
                    next_token: (n + 1 < self.pages).then(|| (n + 1).to_string()),
                })
            }
            .boxed()
        }

        fn enabled_regions(&self) -> BoxFuture<'_, Result<Vec<String>, RegionFailure>> {
            async { Ok(DEFAULT_REGIONS.iter().map(|r| (*r).to_owned()).collect()) }.boxed()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn regions_are_searched_concurrently_and_paced_within_a_region() {
        let fake = Fake::new(3, 2);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let report = fetch_usage(
            &fake,
            &UsageQuery::new(KEY),
            now(),
            DEFAULT_PACING,
            move |p| {
                log.lock().expect("lock").push(p);
            },
        )
        .await;

        assert_eq!(report.total_events(), 17 * 3 * 2);
        assert!(
            report
                .regions
                .iter()
                .all(|r| r.pages == 3 && r.status == RegionStatus::Ok)
        );
        assert_eq!(
            fake.max_in_flight.load(Ordering::SeqCst),
            17,
            "all regions in flight at once"
        );

        // Virtual (paused) time: consecutive requests in a region start >= pacing apart.
        let starts = fake.starts.lock().expect("lock").clone();
        for region in DEFAULT_REGIONS {
            let times: Vec<Instant> = starts
                .iter()
                .filter(|(r, _)| r == region)
                .map(|(_, t)| *t)
                .collect();
            assert_eq!(times.len(), 3);
            assert!(times.windows(2).all(|w| w[1] - w[0] >= DEFAULT_PACING));
        }

        let seen = seen.lock().expect("lock");
        assert_eq!(
            seen.first()
                .map(|p| (p.regions_total, p.regions_done, p.events_so_far)),
            Some((17, 0, 0))
        );
        assert_eq!(
            seen.last()
                .map(|p| (p.regions_total, p.regions_done, p.events_so_far)),
            Some((17, 17, 102))
        );
        assert_eq!(
            seen.len(),
            1 + 17 * 3 + 17,
            "once at start, after every page and every region"
        );
        assert!(
            seen.windows(2)
                .all(|w| w[0].regions_done <= w[1].regions_done
                    && w[0].events_so_far <= w[1].events_so_far)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_region_is_capped_with_a_note() {
        let fake = Fake::new(1_000, 50);
        let report = fetch_usage(
            &fake,
            &list(&["us-east-1"]),
            now(),
            Duration::from_millis(1),
            |_| {},
        )
        .await;
        assert_eq!(report.total_events(), MAX_EVENTS_PER_REGION);
        assert_eq!(report.regions[0].pages, MAX_EVENTS_PER_REGION / 50);
        assert!(
            report
                .limits
                .iter()
                .any(|l| l.starts_with("us-east-1: stopped after 5000 events on 100 pages"))
        );
    }

    #[test]
    fn fetch_usage_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let fake = Fake::new(1, 1);
        let query = UsageQuery::new(KEY);
        let fut = fetch_usage(&fake, &query, now(), DEFAULT_PACING, |_| {});
        assert_send(&fut);
    }
}

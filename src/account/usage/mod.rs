//! The usage port and its fan-out: where a key's `CloudTrail` event history
//! comes from ([`TrailSource`], [`Page`], [`Progress`]) and how it is read
//! ([`fetch_usage`]): every region concurrently, each region paginated
//! sequentially, paced under `CloudTrail`'s per-region rate, throttled
//! requests retried with backoff, and summarised into a `UsageReport`.
//!
//! Pure of SDK types: this module must not import `aws_sdk_*`, `aws_smithy_*`
//! or `crate::account::aws` (the SDK adapter, `aws::cloudtrail`, implements
//! the port), nor the front ends (`tui`, `commands`).

mod event;
mod search;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use serde::Serialize;

pub use self::event::parse_event;
use self::search::{RegionResult, search_region};
pub use crate::domain::usage::RegionFailure;
use crate::domain::usage::{RegionSelection, TrailEvent, UsageQuery, UsageReport, summarise};
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
                    Err(f) => match f.http_status {
                        Some(status) => format!(
                            "{}, HTTP {status}: {}",
                            one_line(&f.code),
                            foreign(&f.message)
                        ),
                        None => format!("{}: {}", one_line(&f.code), foreign(&f.message)),
                    },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::usage::RegionStatus;
    use chrono::TimeZone;
    use futures::future::FutureExt;
    use std::sync::{Arc, Mutex};
    use tokio::time::Instant;

    const KEY: &str = "AKIAEXAMPLEROOT00001";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0)
            .single()
            .expect("valid time")
    }

    fn list(regions: &[&str]) -> UsageQuery {
        UsageQuery {
            key_id: KEY.to_owned(),
            days: 90,
            regions: RegionSelection::List(regions.iter().map(|r| (*r).to_owned()).collect()),
        }
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

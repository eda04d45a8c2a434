//! Fan-out of `fetch_usage` over a fake `CloudTrail`: 17 regions x 3 pages,
//! 100 ms per call (real time), default pacing. The wall time should be the
//! slowest region's chain (3 calls + 2 pacing gaps), not the sum over regions.
//!
//! `cargo bench --bench usage_fanout`

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::future::{BoxFuture, FutureExt};
use rootkeys::account::usage::{
    DEFAULT_PACING, DEFAULT_REGIONS, Page, RegionFailure, TrailSource, fetch_usage,
};
use rootkeys::domain::usage::{TrailEvent, UsageQuery};

const LATENCY: Duration = Duration::from_millis(100);
const PAGES: usize = 3;
const EVENTS_PER_PAGE: usize = 50;
const RUNS: usize = 5;

struct Fake;

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
            tokio::time::sleep(LATENCY).await;
            let n: usize = token.as_deref().and_then(|t| t.parse().ok()).unwrap_or(0);
            let events = (0..EVENTS_PER_PAGE)
                .map(|i| TrailEvent {
                    time: start
                        + chrono::Duration::seconds(i64::try_from(n * 1_000 + i).unwrap_or(0)),
                    region: region.clone(),
                    event_source: "s3.amazonaws.com".to_owned(),
                    event_name: if i % 3 == 0 {
                        "ListBuckets"
                    } else {
                        "GetBucketPolicy"
                    }
                    .to_owned(),
                    source_ip: Some(format!("198.51.100.{}", i % 4)),
                    user_agent: Some("aws-cli/2.15.0 Python/3.11.6".to_owned()),
                    read_only: Some(true),
                    error_code: None,
                })
                .collect();
            Ok(Page {
                events,
                next_token: (n + 1 < PAGES).then(|| (n + 1).to_string()),
            })
        }
        .boxed()
    }

    /// Instant: the bench measures the fan-out, not `ListRegions`.
    fn enabled_regions(&self) -> BoxFuture<'_, Result<Vec<String>, RegionFailure>> {
        async { Ok(DEFAULT_REGIONS.iter().map(|r| (*r).to_owned()).collect()) }.boxed()
    }
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let query = UsageQuery::new("AKIAEXAMPLEROOT00001");
    let mut walls = Vec::with_capacity(RUNS);
    let mut events = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let report = runtime.block_on(fetch_usage(
            &Fake,
            &query,
            Utc::now(),
            DEFAULT_PACING,
            |_| {},
        ));
        walls.push(started.elapsed());
        events = report.total_events();
        assert!(report.complete(), "every region searched");
    }
    walls.sort();
    let wall = walls[RUNS / 2];

    let regions = DEFAULT_REGIONS.len();
    let gaps = u32::try_from(PAGES - 1).unwrap_or(0);
    let calls = u32::try_from(PAGES).unwrap_or(0);
    let regions_u32 = u32::try_from(regions).unwrap_or(0);
    // Next request starts `pacing` after the previous start (pacing >= latency).
    let chain = DEFAULT_PACING * gaps + LATENCY;
    let sequential_paced = chain * regions_u32;
    let sequential_floor = LATENCY * calls * regions_u32;

    println!(
        "| regions | pages/region | events | per-call latency | pacing | wall (median of {RUNS}) | slowest region chain | sequential, paced | sequential, no pacing | wall / chain | sequential paced / wall |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {regions} | {PAGES} | {events} | {} ms | {} ms | {} | {} | {} | {} | {:.2} | {:.1}x |",
        LATENCY.as_millis(),
        DEFAULT_PACING.as_millis(),
        secs(wall),
        secs(chain),
        secs(sequential_paced),
        secs(sequential_floor),
        wall.as_secs_f64() / chain.as_secs_f64(),
        sequential_paced.as_secs_f64() / wall.as_secs_f64(),
    );
    println!(
        "\nruns: {}",
        walls
            .iter()
            .map(|w| secs(*w))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

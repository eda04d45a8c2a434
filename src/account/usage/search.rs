//! One region's search: its pages in order, each request paced after the
//! previous one, throttled requests retried with exponential backoff, and
//! the region capped at `MAX_EVENTS_PER_REGION` events.
//!
//! Pure of SDK types: must not import `aws_sdk_*`, `aws_smithy_*` or
//! `crate::account::aws`; it only sees the [`TrailSource`] port.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::{
    BACKOFF_BASE, MAX_EVENTS_PER_REGION, MAX_PAGES_PER_REGION, MAX_RETRIES, Page, TrailSource,
};
use crate::domain::usage::{RegionFailure, RegionFetch, TrailEvent};

/// One region's events and pages, and whether the cap cut it short.
pub(super) struct RegionResult {
    pub(super) result: RegionFetch,
    pub(super) capped: bool,
}

/// One region's pages, in order, paced; throttled requests are retried.
pub(super) async fn search_region(
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

//! The demo's simulated `CloudTrail` event history: [`SimTrail`] serves a
//! scenario's events through the usage port (`account::usage::TrailSource`)
//! page by page, as `LookupEvents` would, with a little latency per page.
//!
//! Must not import the SDK (`aws_sdk_*`, `aws_smithy_*`),
//! `crate::account::aws`, or the front ends (`tui`, `commands`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::{BoxFuture, FutureExt};

use super::clock::{Latency, pause};
use super::scenario::{Scenario, ScenarioJob};
use super::state::{RunOutcome, SimState};
use crate::account::usage::{PAGE_SIZE, Page, RegionFailure, TrailSource};
use crate::domain::KeyStatus;
use crate::domain::usage::TrailEvent;

/// How far apart the usage review's requests in one region start in the
/// demo (the real `CloudTrail` pacing is `usage::DEFAULT_PACING`).
pub const USAGE_PACING: Duration = Duration::from_millis(100);

/// `CloudTrail` event history of a scenario: each key's events, the
/// enabled regions and the failing ones, served page by page (`PAGE_SIZE`
/// events, newest first) with a little latency per page.
#[derive(Debug)]
pub struct SimTrail {
    regions: Vec<String>,
    failing: BTreeMap<String, RegionFailure>,
    /// (key ID, event), newest first.
    events: Vec<(String, TrailEvent)>,
    /// Scheduled jobs: (key ID, the key's status in the scenario, job).
    jobs: Vec<(String, KeyStatus, ScenarioJob)>,
    /// The live state (what changed when), shared with the account.
    state: Arc<Mutex<SimState>>,
    latency: Latency,
}

/// The error code of a call signed with an inactive or deleted key.
pub const DENIED_CODE: &str = "InvalidClientTokenId";

/// The calls the jobs made with `key_id` (every key when `None`) from
/// `from` (exclusive) to `until` (inclusive), oldest first, each with how
/// it went; runs made by a role are left out (the key was not involved).
pub(super) fn job_calls(
    jobs: &[(String, KeyStatus, ScenarioJob)],
    state: &SimState,
    key_id: Option<&str>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<(String, TrailEvent)> {
    let mut calls = Vec::new();
    for (key, initial, job) in jobs {
        if key_id.is_some_and(|k| k != key) {
            continue;
        }
        for time in job.runs(state.started, until).filter(|t| *t > from) {
            let error_code = match state.run_outcome(key, *initial, time) {
                RunOutcome::ByRole => continue,
                RunOutcome::Signed => None,
                RunOutcome::Denied => Some(DENIED_CODE.to_owned()),
            };
            calls.push((
                key.clone(),
                TrailEvent {
                    time,
                    error_code,
                    ..job.event.clone()
                },
            ));
        }
    }
    calls.sort_by_key(|(_, e)| e.time);
    calls
}

impl SimTrail {
    pub(super) fn new(scenario: &Scenario, state: Arc<Mutex<SimState>>, latency: Latency) -> Self {
        let started = state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .started;
        let mut events: Vec<(String, TrailEvent)> = scenario
            .keys
            .iter()
            .flat_map(|k| {
                k.usage.iter().flat_map(move |u| {
                    (0..u.times).map(move |i| {
                        let time = started - u.ago - u.every * i32::try_from(i).unwrap_or(0);
                        (
                            k.id.clone(),
                            TrailEvent {
                                time,
                                ..u.event.clone()
                            },
                        )
                    })
                })
            })
            .collect();
        events.sort_by_key(|(_, e)| std::cmp::Reverse(e.time));
        Self {
            regions: scenario.trail_regions.clone(),
            failing: scenario.failing_regions.clone(),
            events,
            jobs: scenario
                .keys
                .iter()
                .filter_map(|k| k.job.clone().map(|j| (k.id.clone(), k.status, j)))
                .collect(),
            state,
            latency,
        }
    }

    /// The job calls of `key_id` (every key when `None`) after `from`, up
    /// to `until`, oldest first (see [`job_calls`]).
    pub(super) fn calls(
        &self,
        state: &SimState,
        key_id: Option<&str>,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Vec<(String, TrailEvent)> {
        job_calls(&self.jobs, state, key_id, from, until)
    }

    /// 100 % to 250 % of the page latency, fixed per region and page, so
    /// regions finish one after another.
    pub(super) fn page_delay(&self, region: &str, page: usize) -> Duration {
        let seed = region
            .bytes()
            .fold(u32::try_from(page).unwrap_or(0), |h, b| {
                h.wrapping_mul(31).wrapping_add(u32::from(b))
            });
        self.latency.usage_page * (10 + seed % 16) / 10
    }
}

impl TrailSource for SimTrail {
    fn lookup_page(
        &self,
        region: &str,
        key_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        token: Option<String>,
    ) -> BoxFuture<'_, Result<Page, RegionFailure>> {
        let page_size = usize::try_from(PAGE_SIZE).unwrap_or(50);
        let offset: usize = token.as_deref().and_then(|t| t.parse().ok()).unwrap_or(0);
        let delay = self.page_delay(region, offset / page_size.max(1));
        let (region, key_id) = (region.to_owned(), key_id.to_owned());
        async move {
            pause(delay).await;
            if let Some(failure) = self.failing.get(&region) {
                return Err(failure.clone());
            }
            let jobs = {
                let state = self
                    .state
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                job_calls(&self.jobs, &state, Some(&key_id), state.started, end)
            };
            let mut matching: Vec<&TrailEvent> = self
                .events
                .iter()
                .chain(jobs.iter())
                .filter(|(k, e)| {
                    *k == key_id && e.region == region && start <= e.time && e.time <= end
                })
                .map(|(_, e)| e)
                .collect();
            matching.sort_by_key(|e| std::cmp::Reverse(e.time));
            let events: Vec<TrailEvent> = matching
                .iter()
                .skip(offset)
                .take(page_size)
                .map(|e| (*e).clone())
                .collect();
            let next = offset + events.len();
            Ok(Page {
                events,
                next_token: (next < matching.len()).then(|| next.to_string()),
            })
        }
        .boxed()
    }

    fn enabled_regions(&self) -> BoxFuture<'_, Result<Vec<String>, RegionFailure>> {
        async move {
            pause(self.latency.fast).await;
            Ok(self.regions.clone())
        }
        .boxed()
    }
}

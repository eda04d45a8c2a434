//! The embedded simulated account for `demo` and training.
//!
//! A scenario (`assets/scenarios/<name>.json`, embedded at build time) says
//! who the caller is and which root keys exist, with times relative to the
//! moment the scenario was first opened. The simulation keeps its state (key
//! statuses, deleted keys, how far the clock was skipped ahead) in
//! `<dir>/sim.json`, so a walk-through can be resumed; `--reset` removes the
//! directory. Calls take a little simulated time so progress is visible, and
//! a session signed with a key that was deactivated or deleted fails the way
//! AWS does (`InvalidClientTokenId`).
//!
//! A scenario may also give each key's `CloudTrail` management events
//! (`usage`, repeated nightly or weekly) and the account's regions, some of
//! which may fail (`cloudtrail`): [`SimTrail`] serves them page by page to
//! the usage review, as `LookupEvents` would.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::future::{BoxFuture, FutureExt};
use serde::{Deserialize, Serialize};

use super::cloudtrail::{PAGE_SIZE, Page, RegionFailure, TrailSource};
use super::{Account, AccountError, AccountResult, Source};
use crate::domain::usage::TrailEvent;
use crate::domain::{Identity, KeyStatus, LastUsed, RootKey, is_root_arn};
use crate::report::{ReportKey, RootRow};

/// The scenarios built into the binary: name and JSON text.
const SCENARIOS: &[(&str, &str)] = &[
    (
        "two-keys",
        include_str!("../../assets/scenarios/two-keys.json"),
    ),
    (
        "auditor",
        include_str!("../../assets/scenarios/auditor.json"),
    ),
    (
        "signing-key",
        include_str!("../../assets/scenarios/signing-key.json"),
    ),
];

/// The scenario `rootkeys demo` opens without `--scenario`.
pub const DEFAULT_SCENARIO: &str = "two-keys";

/// The names of the embedded scenarios, in a stable order.
pub fn scenario_names() -> Vec<&'static str> {
    SCENARIOS.iter().map(|(name, _)| *name).collect()
}

/// The file, under the scenario's directory, that holds the simulation state.
pub const STATE_FILE: &str = "sim.json";

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("no demo scenario named {name:?}; available: {}", .available.join(", "))]
    UnknownScenario {
        name: String,
        available: Vec<&'static str>,
    },
    #[error("demo scenario {name}: {message}")]
    BadScenario { name: String, message: String },
    #[error(
        "demo state {path} cannot be read ({message}); run `rootkeys demo --reset` to start afresh"
    )]
    BadState { path: PathBuf, message: String },
    #[error("demo state {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

// ---------------------------------------------------------------------------
// Scenario files

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    title: String,
    summary: String,
    account_id: String,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    region: Option<String>,
    caller: CallerFile,
    root: RootFile,
    #[serde(default)]
    keys: Vec<KeyFile>,
    #[serde(default)]
    cloudtrail: Option<CloudTrailFile>,
}

/// The account's regions as event history sees them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CloudTrailFile {
    /// The enabled regions (`account:ListRegions`).
    regions: Vec<String>,
    /// Regions whose `LookupEvents` fails, with the error.
    #[serde(default)]
    failing: Vec<FailingRegionFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FailingRegionFile {
    region: String,
    code: String,
    message: String,
}

/// One management event signed with a key, `times` times, `every` apart,
/// the newest `ago` before the scenario was first opened.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsageFile {
    ago: String,
    #[serde(default)]
    every: Option<String>,
    #[serde(default = "one")]
    times: u32,
    region: String,
    event_source: String,
    event_name: String,
    #[serde(default)]
    source_ip: Option<String>,
    #[serde(default)]
    user_agent: Option<String>,
    #[serde(default)]
    read_only: Option<bool>,
    #[serde(default)]
    error_code: Option<String>,
}

fn one() -> u32 {
    1
}

/// Repetitions of one scenario event at most (90 days of hourly events
/// would be far more than a demo needs).
const MAX_TIMES: u32 = 1_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CallerFile {
    arn: String,
    user_id: String,
    #[serde(default)]
    signing_key: Option<String>,
    /// A non-root caller's own access keys (what `ListAccessKeys` without
    /// `UserName` returns for them).
    #[serde(default)]
    own_keys: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RootFile {
    created_ago: String,
    #[serde(default)]
    mfa_active: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    id: String,
    status: KeyStatus,
    created_ago: String,
    #[serde(default)]
    last_used: Option<LastUsedFile>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    usage: Vec<UsageFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LastUsedFile {
    ago: String,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

/// A scenario, checked and with its durations parsed.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub title: String,
    pub summary: String,
    pub account_id: String,
    profile: Option<String>,
    region: Option<String>,
    caller_arn: String,
    caller_user_id: String,
    signing_key: Option<String>,
    own_keys: Vec<String>,
    root_created_ago: TimeDelta,
    mfa_active: bool,
    keys: Vec<ScenarioKey>,
    /// Enabled regions, in the scenario's order.
    trail_regions: Vec<String>,
    failing_regions: BTreeMap<String, RegionFailure>,
}

#[derive(Debug, Clone)]
struct ScenarioKey {
    id: String,
    status: KeyStatus,
    created_ago: TimeDelta,
    last_used: Option<(TimeDelta, Option<String>, Option<String>)>,
    note: Option<String>,
    usage: Vec<ScenarioEvent>,
}

/// A repeated management event, times relative to the first opening.
#[derive(Debug, Clone)]
struct ScenarioEvent {
    ago: TimeDelta,
    every: TimeDelta,
    times: u32,
    /// The event with its time left at the first opening; shifted per repetition.
    event: TrailEvent,
}

impl Scenario {
    /// One of the embedded scenarios.
    pub fn builtin(name: &str) -> Result<Self, SimError> {
        let text = SCENARIOS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| *text)
            .ok_or_else(|| SimError::UnknownScenario {
                name: name.to_owned(),
                available: scenario_names(),
            })?;
        Self::parse(name, text)
    }

    /// Parse and check a scenario's JSON text.
    pub fn parse(name: &str, text: &str) -> Result<Self, SimError> {
        let bad = |message: String| SimError::BadScenario {
            name: name.to_owned(),
            message,
        };
        let file: ScenarioFile = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        let ago = |what: &str, s: &str| {
            humantime::parse_duration(s)
                .ok()
                .and_then(|d| TimeDelta::from_std(d).ok())
                .ok_or_else(|| bad(format!("{what}: {s:?} is not a duration such as 3d or 5h")))
        };
        if file.account_id.len() != 12 || !file.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!(
                "account_id {:?} is not 12 digits",
                file.account_id
            )));
        }
        if file.keys.len() > 2 {
            return Err(bad("the root user has at most two access keys".to_owned()));
        }
        let mut keys = Vec::new();
        for k in &file.keys {
            if k.id.len() != 20 || !k.id.starts_with("AKIA") {
                return Err(bad(format!("{:?} is not an access key ID", k.id)));
            }
            if keys.iter().any(|o: &ScenarioKey| o.id == k.id) {
                return Err(bad(format!("key {} is listed twice", k.id)));
            }
            let last_used = match &k.last_used {
                Some(u) => Some((
                    ago(&format!("{} last_used.ago", k.id), &u.ago)?,
                    u.service.clone(),
                    u.region.clone(),
                )),
                None => None,
            };
            let mut usage = Vec::new();
            for u in &k.usage {
                let what = format!("{} usage {} {}", k.id, u.event_source, u.event_name);
                let every = match &u.every {
                    Some(e) => ago(&format!("{what} every"), e)?,
                    None if u.times == 1 => TimeDelta::zero(),
                    None => return Err(bad(format!("{what}: times > 1 needs every"))),
                };
                if u.times == 0 || u.times > MAX_TIMES {
                    return Err(bad(format!("{what}: times must be 1 to {MAX_TIMES}")));
                }
                usage.push(ScenarioEvent {
                    ago: ago(&format!("{what} ago"), &u.ago)?,
                    every,
                    times: u.times,
                    event: TrailEvent {
                        time: DateTime::<Utc>::UNIX_EPOCH,
                        region: u.region.clone(),
                        event_source: u.event_source.clone(),
                        event_name: u.event_name.clone(),
                        source_ip: u.source_ip.clone(),
                        user_agent: u.user_agent.clone(),
                        read_only: u.read_only,
                        error_code: u.error_code.clone(),
                    },
                });
            }
            keys.push(ScenarioKey {
                id: k.id.clone(),
                status: k.status,
                created_ago: ago(&format!("{} created_ago", k.id), &k.created_ago)?,
                last_used,
                note: k.note.clone(),
                usage,
            });
        }
        let (trail_regions, failing_regions) =
            trail_regions(file.cloudtrail.as_ref(), file.region.as_deref(), &keys).map_err(bad)?;
        Ok(Self {
            name: name.to_owned(),
            title: file.title,
            summary: file.summary,
            profile: file.profile,
            region: file.region,
            caller_arn: file.caller.arn,
            caller_user_id: file.caller.user_id,
            signing_key: file.caller.signing_key,
            own_keys: file.caller.own_keys,
            root_created_ago: ago("root.created_ago", &file.root.created_ago)?,
            mfa_active: file.root.mfa_active,
            account_id: file.account_id,
            keys,
            trail_regions,
            failing_regions,
        })
    }

    fn caller_is_root(&self) -> bool {
        is_root_arn(&self.caller_arn, &self.account_id)
    }
}

/// The enabled regions and the failing ones. Without a `cloudtrail`
/// section: us-east-1, the scenario's region and every region an event is
/// in. Every event's region must be enabled (or it could never be found).
fn trail_regions(
    file: Option<&CloudTrailFile>,
    region: Option<&str>,
    keys: &[ScenarioKey],
) -> Result<(Vec<String>, BTreeMap<String, RegionFailure>), String> {
    let used: BTreeSet<&str> = keys
        .iter()
        .flat_map(|k| k.usage.iter().map(|u| u.event.region.as_str()))
        .collect();
    let Some(file) = file else {
        let mut regions: BTreeSet<&str> = used;
        regions.insert("us-east-1");
        regions.extend(region);
        return Ok((
            regions.into_iter().map(str::to_owned).collect(),
            BTreeMap::new(),
        ));
    };
    let mut seen = BTreeSet::new();
    for r in &file.regions {
        if !seen.insert(r.as_str()) {
            return Err(format!("cloudtrail.regions lists {r} twice"));
        }
    }
    if seen.is_empty() {
        return Err("cloudtrail.regions is empty".to_owned());
    }
    if let Some(missing) = used.iter().find(|r| !seen.contains(*r)) {
        return Err(format!(
            "an event is in {missing}, which cloudtrail.regions does not list"
        ));
    }
    let mut failing = BTreeMap::new();
    for f in &file.failing {
        if !seen.contains(f.region.as_str()) {
            return Err(format!(
                "cloudtrail.failing names {}, which cloudtrail.regions does not list",
                f.region
            ));
        }
        failing.insert(f.region.clone(), RegionFailure::new(&f.code, &f.message));
    }
    Ok((file.regions.clone(), failing))
}

// ---------------------------------------------------------------------------
// Simulated CloudTrail event history

/// How far apart the usage review's requests in one region start in the
/// demo (the real `CloudTrail` pacing is `cloudtrail::DEFAULT_PACING`).
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
    latency: Latency,
}

impl SimTrail {
    fn new(scenario: &Scenario, started: DateTime<Utc>, latency: Latency) -> Self {
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
            latency,
        }
    }

    /// 100 % to 250 % of the page latency, fixed per region and page, so
    /// regions finish one after another.
    fn page_delay(&self, region: &str, page: usize) -> Duration {
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
            let matching: Vec<&TrailEvent> = self
                .events
                .iter()
                .filter(|(k, e)| {
                    *k == key_id && e.region == region && start <= e.time && e.time <= end
                })
                .map(|(_, e)| e)
                .collect();
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

// ---------------------------------------------------------------------------
// Persistent state

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct KeyState {
    status: KeyStatus,
    #[serde(default)]
    deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SimState {
    scenario: String,
    /// When the scenario was first opened: scenario times count back from here.
    started: DateTime<Utc>,
    /// How far the operator skipped the simulated clock ahead.
    #[serde(default)]
    offset_secs: i64,
    keys: BTreeMap<String, KeyState>,
}

impl SimState {
    fn fresh(scenario: &Scenario, started: DateTime<Utc>) -> Self {
        Self {
            scenario: scenario.name.clone(),
            started,
            offset_secs: 0,
            keys: scenario
                .keys
                .iter()
                .map(|k| {
                    (
                        k.id.clone(),
                        KeyState {
                            status: k.status,
                            deleted: false,
                        },
                    )
                })
                .collect(),
        }
    }
}

/// Where the simulation's clock comes from.
#[derive(Debug, Clone, Copy)]
pub enum SimClock {
    /// The system clock (plus any skip-ahead).
    System,
    /// A fixed instant (plus any skip-ahead): stable tests and snapshots.
    Fixed(DateTime<Utc>),
}

/// Simulated round-trip times, so the progress of a call can be seen.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    /// `GetCallerIdentity`, `GetAccountSummary`.
    pub fast: Duration,
    /// `ListAccessKeys` with last use, and the writes.
    pub slow: Duration,
    /// The first credential report of a run (it has to be generated).
    pub report_first: Duration,
    /// A credential report already generated in this run.
    pub report: Duration,
    /// One page of `CloudTrail` event history (100 % to 250 % of this).
    pub usage_page: Duration,
}

impl Latency {
    /// What `rootkeys demo` uses.
    pub const DEMO: Self = Self {
        fast: Duration::from_millis(150),
        slow: Duration::from_millis(400),
        report_first: Duration::from_millis(1800),
        report: Duration::from_millis(500),
        usage_page: Duration::from_millis(100),
    };
    /// No waiting (tests).
    pub const NONE: Self = Self {
        fast: Duration::ZERO,
        slow: Duration::ZERO,
        report_first: Duration::ZERO,
        report: Duration::ZERO,
        usage_page: Duration::ZERO,
    };
}

/// A simulated AWS account driven by a scenario.
pub struct SimAccount {
    scenario: Scenario,
    path: Option<PathBuf>,
    clock: SimClock,
    latency: Latency,
    state: Mutex<SimState>,
    report_generated: AtomicBool,
    trail: Arc<SimTrail>,
}

impl std::fmt::Debug for SimAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimAccount")
            .field("scenario", &self.scenario.name)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn base_now(clock: SimClock) -> DateTime<Utc> {
    match clock {
        SimClock::System => Utc::now(),
        SimClock::Fixed(t) => t,
    }
}

impl SimAccount {
    /// Open a scenario whose state lives in `dir` (created 0700 when
    /// missing); a saved state is resumed.
    pub fn open(
        name: &str,
        dir: &Path,
        clock: SimClock,
        latency: Latency,
    ) -> Result<Self, SimError> {
        let scenario = Scenario::builtin(name)?;
        create_private_dir(dir)?;
        let path = dir.join(STATE_FILE);
        let state = match std::fs::read(&path) {
            Ok(bytes) => {
                let state: SimState =
                    serde_json::from_slice(&bytes).map_err(|e| SimError::BadState {
                        path: path.clone(),
                        message: e.to_string(),
                    })?;
                if state.scenario != scenario.name {
                    return Err(SimError::BadState {
                        path,
                        message: format!("it belongs to scenario {:?}", state.scenario),
                    });
                }
                state
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let state = SimState::fresh(&scenario, base_now(clock));
                save(&path, &state)?;
                state
            }
            Err(source) => return Err(SimError::Io { path, source }),
        };
        Ok(Self {
            trail: Arc::new(SimTrail::new(&scenario, state.started, latency)),
            scenario,
            path: Some(path),
            clock,
            latency,
            state: Mutex::new(state),
            report_generated: AtomicBool::new(false),
        })
    }

    /// A scenario that keeps its state in memory only.
    pub fn in_memory(name: &str, clock: SimClock, latency: Latency) -> Result<Self, SimError> {
        let scenario = Scenario::builtin(name)?;
        let state = SimState::fresh(&scenario, base_now(clock));
        Ok(Self {
            trail: Arc::new(SimTrail::new(&scenario, state.started, latency)),
            scenario,
            path: None,
            clock,
            latency,
            state: Mutex::new(state),
            report_generated: AtomicBool::new(false),
        })
    }

    /// Remove a scenario's saved state (the directory and what it holds,
    /// the demo journal included).
    pub fn reset(dir: &Path) -> Result<(), SimError> {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(SimError::Io {
                path: dir.to_owned(),
                source,
            }),
        }
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The scenario's notes on its keys (how a key is used), for the demo's
    /// detail pane. A real account does not know these; `CloudTrail` does.
    pub fn notes(&self) -> Vec<(String, String)> {
        self.scenario
            .keys
            .iter()
            .filter_map(|k| k.note.clone().map(|n| (k.id.clone(), n)))
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SimState> {
        // A poisoned lock only means a panic elsewhere; the state is plain data.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How far the clock has been skipped ahead.
    pub fn offset(&self) -> TimeDelta {
        TimeDelta::seconds(self.lock().offset_secs)
    }

    /// Move the simulated clock forward (and save it).
    pub fn advance(&self, by: TimeDelta) -> Result<(), SimError> {
        let mut state = self.lock();
        state.offset_secs = state.offset_secs.saturating_add(by.num_seconds().max(0));
        self.persist(&state)
    }

    fn persist(&self, state: &SimState) -> Result<(), SimError> {
        match &self.path {
            Some(path) => save(path, state),
            None => Ok(()),
        }
    }

    fn now_with(&self, state: &SimState) -> DateTime<Utc> {
        base_now(self.clock) + TimeDelta::seconds(state.offset_secs)
    }

    /// The credentials of this session still work (AWS rejects a request
    /// signed with an inactive or deleted key).
    fn check_signature(&self) -> AccountResult<()> {
        let Some(signing) = &self.scenario.signing_key else {
            return Ok(());
        };
        let state = self.lock();
        match state.keys.get(signing) {
            Some(k) if k.deleted || k.status == KeyStatus::Inactive => {
                Err(AccountError::InvalidCredentials {
                    code: "InvalidClientTokenId".to_owned(),
                    message: "The security token included in the request is invalid.".to_owned(),
                })
            }
            _ => Ok(()),
        }
    }

    fn live_root_keys(&self, state: &SimState) -> Vec<RootKey> {
        let started = state.started;
        self.scenario
            .keys
            .iter()
            .filter_map(|k| {
                let live = state.keys.get(&k.id)?;
                (!live.deleted).then(|| RootKey {
                    access_key_id: Some(k.id.clone()),
                    slot: None,
                    status: live.status,
                    created: Some(started - k.created_ago),
                    last_used: k.last_used.as_ref().map(|(ago, service, region)| LastUsed {
                        date: started - *ago,
                        service: service.clone(),
                        region: region.clone(),
                    }),
                    signs_this_session: false,
                })
            })
            .collect()
    }

    fn report_row(&self, state: &SimState) -> RootRow {
        let started = state.started;
        let mut keys: Vec<ReportKey> = self
            .scenario
            .keys
            .iter()
            .zip(1u8..)
            .map(|(k, slot)| match state.keys.get(&k.id) {
                Some(live) if !live.deleted => ReportKey {
                    slot,
                    active: live.status == KeyStatus::Active,
                    last_rotated: Some(started - k.created_ago),
                    last_used: k.last_used.as_ref().map(|(ago, service, region)| LastUsed {
                        date: started - *ago,
                        service: service.clone(),
                        region: region.clone(),
                    }),
                },
                _ => empty_slot(slot),
            })
            .collect();
        for slot in u8::try_from(keys.len()).unwrap_or(2) + 1..=2 {
            keys.push(empty_slot(slot));
        }
        RootRow {
            arn: format!("arn:aws:iam::{}:root", self.scenario.account_id),
            account_id: Some(self.scenario.account_id.clone()),
            created: Some(started - self.scenario.root_created_ago),
            mfa_active: Some(self.scenario.mfa_active),
            keys,
            // Built from the live state, so generated just now.
            generated: Some(self.now_with(state)),
        }
    }

    /// Which keys `ListAccessKeys` without `UserName` acts on for this caller.
    fn owns(&self, key_id: &str) -> bool {
        if self.scenario.caller_is_root() {
            self.scenario.keys.iter().any(|k| k.id == key_id)
        } else {
            self.scenario.own_keys.iter().any(|k| k == key_id)
        }
    }

    fn write<F>(&self, key_id: &str, change: F) -> AccountResult<()>
    where
        F: FnOnce(&mut KeyState),
    {
        self.check_signature()?;
        let no_such = || AccountError::NoSuchKey {
            key: key_id.to_owned(),
        };
        if !self.owns(key_id) || !self.scenario.caller_is_root() {
            // A non-root caller's own keys are not simulated as writable.
            return Err(no_such());
        }
        let mut state = self.lock();
        let before = state.clone();
        let key = state.keys.get_mut(key_id).ok_or_else(no_such)?;
        if key.deleted {
            return Err(no_such());
        }
        change(key);
        if let Err(e) = self.persist(&state) {
            *state = before;
            return Err(AccountError::Service {
                action: "simulation".to_owned(),
                code: "SimulationStateNotSaved".to_owned(),
                message: e.to_string(),
            });
        }
        Ok(())
    }
}

fn empty_slot(slot: u8) -> ReportKey {
    ReportKey {
        slot,
        active: false,
        last_rotated: None,
        last_used: None,
    }
}

fn create_private_dir(dir: &Path) -> Result<(), SimError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|source| SimError::Io {
        path: dir.to_owned(),
        source,
    })
}

/// Write the state next to its final place, then rename: never half a file.
fn save(path: &Path, state: &SimState) -> Result<(), SimError> {
    let io = |source| SimError::Io {
        path: path.to_owned(),
        source,
    };
    let mut text = serde_json::to_vec_pretty(state).map_err(|e| io(e.into()))?;
    text.push(b'\n');
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, &text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

async fn pause(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

impl Account for SimAccount {
    fn identity(&self) -> BoxFuture<'_, AccountResult<Identity>> {
        async move {
            pause(self.latency.fast).await;
            self.check_signature()?;
            Ok(Identity {
                account_id: self.scenario.account_id.clone(),
                arn: self.scenario.caller_arn.clone(),
                user_id: self.scenario.caller_user_id.clone(),
                signing_key_id: self.scenario.signing_key.clone(),
            })
        }
        .boxed()
    }

    fn keys_present(&self) -> BoxFuture<'_, AccountResult<u32>> {
        async move {
            pause(self.latency.fast).await;
            self.check_signature()?;
            let state = self.lock();
            let n = state.keys.values().filter(|k| !k.deleted).count();
            Ok(u32::try_from(n).unwrap_or(u32::MAX))
        }
        .boxed()
    }

    fn caller_keys(&self) -> BoxFuture<'_, AccountResult<Vec<RootKey>>> {
        async move {
            pause(self.latency.slow).await;
            self.check_signature()?;
            if self.scenario.caller_is_root() {
                Ok(self.live_root_keys(&self.lock()))
            } else {
                Ok(self
                    .scenario
                    .own_keys
                    .iter()
                    .map(|id| RootKey {
                        access_key_id: Some(id.clone()),
                        slot: None,
                        status: KeyStatus::Active,
                        created: None,
                        last_used: None,
                        signs_this_session: false,
                    })
                    .collect())
            }
        }
        .boxed()
    }

    fn root_report_row(&self) -> BoxFuture<'_, AccountResult<RootRow>> {
        async move {
            let first = !self.report_generated.swap(true, Ordering::Relaxed);
            pause(if first {
                self.latency.report_first
            } else {
                self.latency.report
            })
            .await;
            self.check_signature()?;
            Ok(self.report_row(&self.lock()))
        }
        .boxed()
    }

    fn set_status(&self, key_id: &str, status: KeyStatus) -> BoxFuture<'_, AccountResult<()>> {
        let key_id = key_id.to_owned();
        async move {
            pause(self.latency.slow).await;
            self.write(&key_id, |k| k.status = status)
        }
        .boxed()
    }

    fn delete_key(&self, key_id: &str) -> BoxFuture<'_, AccountResult<()>> {
        let key_id = key_id.to_owned();
        async move {
            pause(self.latency.slow).await;
            self.write(&key_id, |k| k.deleted = true)
        }
        .boxed()
    }

    fn now(&self) -> DateTime<Utc> {
        self.now_with(&self.lock())
    }

    fn trail_source(&self) -> Option<Arc<dyn TrailSource>> {
        Some(Arc::clone(&self.trail) as Arc<dyn TrailSource>)
    }

    fn simulation(&self) -> Option<&dyn super::Simulation> {
        Some(self)
    }

    fn source(&self) -> Source {
        Source {
            profile: self.scenario.profile.clone(),
            region: self.scenario.region.clone(),
            endpoint: None,
            simulated: Some(self.scenario.name.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::load_inventory;
    use crate::domain::View;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .expect("date")
            .with_timezone(&Utc)
    }

    #[test]
    fn every_builtin_scenario_parses() {
        for name in scenario_names() {
            let s = Scenario::builtin(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(s.account_id.len(), 12);
            assert!(!s.keys.is_empty(), "{name} has keys");
        }
    }

    #[test]
    fn unknown_scenario_lists_the_available_ones() {
        let err = Scenario::builtin("nope").expect_err("unknown");
        let text = err.to_string();
        assert!(text.contains("\"nope\""), "{text}");
        for name in scenario_names() {
            assert!(text.contains(name), "{text}");
        }
    }

    #[test]
    fn bad_scenarios_are_refused_with_the_reason() {
        let err = Scenario::parse("x", "{").expect_err("bad json");
        assert!(err.to_string().contains("demo scenario x"), "{err}");
        let base = include_str!("../../assets/scenarios/two-keys.json");
        let bad_account = base.replace("123456789012", "1234");
        let err = Scenario::parse("x", &bad_account).expect_err("bad account");
        assert!(err.to_string().contains("12 digits"), "{err}");
        let bad_ago = base.replace("\"1d 3h\"", "\"yesterday\"");
        let err = Scenario::parse("x", &bad_ago).expect_err("bad duration");
        assert!(err.to_string().contains("yesterday"), "{err}");
    }

    #[tokio::test]
    async fn root_scenario_lists_keys_with_last_use_relative_to_the_start() {
        let sim = SimAccount::in_memory("two-keys", SimClock::Fixed(t0()), Latency::NONE)
            .expect("scenario");
        let inv = load_inventory(&sim).await.expect("inventory");
        assert_eq!(inv.view, View::Root);
        assert_eq!(inv.keys_present, Some(2));
        let used = inv.keys[0].last_used.as_ref().expect("used");
        assert_eq!(t0() - used.date, TimeDelta::hours(27));
        assert_eq!(used.service.as_deref(), Some("s3"));
        assert!(!inv.keys[0].signs_this_session);
    }

    #[tokio::test]
    async fn auditor_sees_report_slots_and_cannot_write() {
        let sim = SimAccount::in_memory("auditor", SimClock::Fixed(t0()), Latency::NONE)
            .expect("scenario");
        let inv = load_inventory(&sim).await.expect("inventory");
        assert_eq!(inv.view, View::Auditor);
        assert_eq!(inv.keys.len(), 2);
        assert!(inv.keys.iter().all(|k| k.access_key_id.is_none()));
        assert_eq!(inv.keys[1].status, KeyStatus::Inactive);
        assert!(
            sim.set_status("AKIAEXAMPLEREPORTS01", KeyStatus::Inactive)
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn deactivating_the_signing_key_ends_the_session() {
        let sim = SimAccount::in_memory("signing-key", SimClock::Fixed(t0()), Latency::NONE)
            .expect("scenario");
        let inv = load_inventory(&sim).await.expect("inventory");
        assert!(
            inv.keys.iter().any(|k| k.signs_this_session
                && k.access_key_id.as_deref() == Some("AKIAEXAMPLESESSION01"))
        );
        sim.set_status("AKIAEXAMPLESESSION01", KeyStatus::Inactive)
            .await
            .expect("deactivate");
        let err = sim.identity().await.expect_err("rejected");
        assert_eq!(err.code(), "InvalidClientTokenId");
    }

    #[tokio::test]
    async fn state_and_clock_persist_and_reset_wipes_them() {
        let dir = tempfile::tempdir().expect("tmp");
        let scen = dir.path().join("demo").join("two-keys");
        {
            let sim = SimAccount::open("two-keys", &scen, SimClock::Fixed(t0()), Latency::NONE)
                .expect("open");
            sim.set_status("AKIAEXAMPLEBACKUP001", KeyStatus::Inactive)
                .await
                .expect("deactivate");
            sim.delete_key("AKIAEXAMPLEOLDKEY002")
                .await
                .expect("delete");
            sim.advance(TimeDelta::days(3)).expect("advance");
            assert_eq!(sim.now(), t0() + TimeDelta::days(3));
        }
        let later = t0() + TimeDelta::hours(1);
        let sim = SimAccount::open("two-keys", &scen, SimClock::Fixed(later), Latency::NONE)
            .expect("reopen");
        assert_eq!(sim.now(), later + TimeDelta::days(3));
        let keys = sim.caller_keys().await.expect("keys");
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].status, KeyStatus::Inactive);
        // Times stay relative to the first opening, not this one.
        let used = keys[0].last_used.as_ref().expect("used");
        assert_eq!(t0() - used.date, TimeDelta::hours(27));
        let row = sim.root_report_row().await.expect("report");
        assert_eq!(row.present_keys().count(), 1);
        assert!(sim.delete_key("AKIAEXAMPLEOLDKEY002").await.is_err());

        SimAccount::reset(&scen).expect("reset");
        assert!(!scen.exists());
        let sim = SimAccount::open("two-keys", &scen, SimClock::Fixed(t0()), Latency::NONE)
            .expect("fresh");
        assert_eq!(sim.caller_keys().await.expect("keys").len(), 2);
    }

    async fn usage_of(sim: &SimAccount, key: &str) -> crate::domain::usage::UsageReport {
        let source = sim.trail_source().expect("simulated event history");
        crate::account::cloudtrail::fetch_usage(
            source.as_ref(),
            &crate::domain::usage::UsageQuery::new(key),
            sim.now(),
            Duration::ZERO,
            |_| {},
        )
        .await
    }

    #[tokio::test]
    async fn simulated_event_history_tells_the_backup_story() {
        use crate::domain::usage::RegionStatus;
        let sim = SimAccount::in_memory("two-keys", SimClock::Fixed(t0()), Latency::NONE)
            .expect("scenario");
        let report = usage_of(&sim, "AKIAEXAMPLEBACKUP001").await;
        let searched: Vec<&str> = report.regions.iter().map(|r| r.region.as_str()).collect();
        assert_eq!(
            searched,
            [
                "ap-southeast-2",
                "eu-central-1",
                "eu-west-1",
                "us-east-1",
                "us-west-2"
            ]
        );
        // Nightly for the 90 days event history keeps, weekly identity checks.
        let actions: Vec<(&str, usize)> = report
            .by_action
            .iter()
            .map(|a| (a.event_name.as_str(), a.count))
            .collect();
        assert_eq!(
            actions,
            [
                ("GetBucketLocation", 89),
                ("ListBuckets", 89),
                ("GetCallerIdentity", 13)
            ]
        );
        assert_eq!(report.by_action[0].last_seen, t0() - TimeDelta::hours(27));
        assert!(
            report
                .by_caller
                .iter()
                .all(|c| c.source_ip.as_deref() == Some("203.0.113.24"))
        );
        assert!(
            report.by_caller[0]
                .user_agent
                .as_deref()
                .is_some_and(|ua| ua.ends_with("command/s3.sync"))
        );
        // Served in pages of 50, newest first.
        let west = report
            .regions
            .iter()
            .find(|r| r.region == "eu-west-1")
            .expect("eu-west-1");
        assert_eq!((west.events, west.pages), (178, 4));
        assert!(report.events.windows(2).all(|w| w[0].time >= w[1].time));
        // The failing region is named with its error, never dropped.
        let failed: Vec<_> = report.failed_regions().collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].region, "ap-southeast-2");
        assert!(matches!(&failed[0].status,
            RegionStatus::Failed { code, message }
                if code == "AccessDeniedException" && message.contains("service control policy")));
        assert!(!report.complete());
    }

    #[tokio::test]
    async fn the_forgotten_key_is_never_seen_and_other_keys_events_stay_apart() {
        let sim = SimAccount::in_memory("two-keys", SimClock::Fixed(t0()), Latency::NONE)
            .expect("scenario");
        let report = usage_of(&sim, "AKIAEXAMPLEOLDKEY002").await;
        assert_eq!(report.total_events(), 0);
        assert_eq!(report.regions.len(), 5);
        assert_eq!(report.regions_ok(), 4);
        // After skipping ahead, older events fall out of the 90 days.
        sim.advance(TimeDelta::days(30)).expect("advance");
        let later = usage_of(&sim, "AKIAEXAMPLEBACKUP001").await;
        assert_eq!(later.by_action[0].count, 59);
    }

    #[tokio::test(start_paused = true)]
    async fn simulated_pages_take_100_to_250_ms() {
        let sim = SimAccount::in_memory("two-keys", SimClock::Fixed(t0()), Latency::DEMO)
            .expect("scenario");
        for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
            for page in 0..4 {
                let d = sim.trail.page_delay(region, page);
                assert!(
                    (Duration::from_millis(100)..=Duration::from_millis(250)).contains(&d),
                    "{region} page {page}: {d:?}"
                );
            }
        }
        let before = tokio::time::Instant::now();
        let report = usage_of(&sim, "AKIAEXAMPLEBACKUP001").await;
        let took = before.elapsed();
        assert_eq!(report.total_events(), 191);
        assert!(
            took >= Duration::from_millis(400) && took < Duration::from_secs(2),
            "{took:?}"
        );
    }

    #[test]
    fn scenario_usage_is_checked() {
        let base = include_str!("../../assets/scenarios/two-keys.json");
        let stray = base.replace(
            r#""region": "us-east-1", "event_source": "sts"#,
            r#""region": "sa-east-1", "event_source": "sts"#,
        );
        let err = Scenario::parse("x", &stray).expect_err("region not listed");
        assert!(err.to_string().contains("sa-east-1"), "{err}");
        let no_every = base.replace(r#""every": "7d", "#, "");
        let err = Scenario::parse("x", &no_every).expect_err("no every");
        assert!(err.to_string().contains("needs every"), "{err}");
        let bad_failing = base.replace(
            r#""region": "ap-southeast-2", "code""#,
            r#""region": "me-south-1", "code""#,
        );
        let err = Scenario::parse("x", &bad_failing).expect_err("failing not listed");
        assert!(err.to_string().contains("me-south-1"), "{err}");
        // Without a cloudtrail section: us-east-1, the scenario's region and
        // the events' regions, none failing.
        let auditor = Scenario::builtin("auditor").expect("auditor");
        assert_eq!(auditor.trail_regions, ["us-east-1"]);
        assert!(auditor.failing_regions.is_empty());
    }

    #[test]
    fn damaged_state_is_reported_not_replaced() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join(STATE_FILE), b"{not json").expect("write");
        let err = SimAccount::open("two-keys", dir.path(), SimClock::System, Latency::NONE)
            .expect_err("damaged");
        assert!(err.to_string().contains("--reset"), "{err}");
        assert_eq!(
            std::fs::read(dir.path().join(STATE_FILE)).expect("kept"),
            b"{not json"
        );
    }
}

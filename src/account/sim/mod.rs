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
//!
//! Its parts: `scenario` (the scenario format), `trail` (the simulated
//! event history), `state` (the saved state), `clock` (simulated time and
//! latency); this module holds [`SimAccount`], the `Account` port over them.
//!
//! Must not import the SDK (`aws_sdk_*`, `aws_smithy_*`),
//! `crate::account::aws`, or the front ends (`tui`, `commands`).

mod clock;
mod scenario;
mod state;
mod trail;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};
use futures::future::{BoxFuture, FutureExt};

pub use self::clock::{Latency, SimClock};
use self::clock::{base_now, pause};
pub use self::scenario::{DEFAULT_SCENARIO, Scenario, scenario_names};
use self::state::{Change, ChangeKind, KeyState, SimState, save};
pub use self::trail::{DENIED_CODE, SimTrail, USAGE_PACING};
use super::usage::TrailSource;
use super::{Account, AccountError, AccountResult, AccountSummary, Source};
use crate::domain::usage::TrailEvent;
use crate::domain::{Identity, KeyStatus, LastUsed, RootKey};
use crate::report::{ReportKey, RootRow};

/// The file, under the scenario's directory, that holds the simulation state.
pub const STATE_FILE: &str = "sim.json";

/// The access key ID of the temporary root session the demo continues
/// with once the session's own key stops working (`ASIA…`: temporary
/// credentials, as `CloudShell` or `sts:AssumeRoot` hand out).
pub const TEMPORARY_ROOT_KEY: &str = "ASIAEXAMPLECLOUDSH01";

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
    /// The state directory could not be made, or is not one rootkeys
    /// trusts (the journal's rules: a real directory, the user's own, not
    /// writable by others).
    #[error("demo state: {0}")]
    StateDir(#[from] crate::journal::JournalError),
    /// The simulation cannot take this step now (the reason says why).
    #[error("{0}")]
    Refused(String),
    #[error("demo state {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A simulated AWS account driven by a scenario.
pub struct SimAccount {
    scenario: Scenario,
    path: Option<PathBuf>,
    clock: SimClock,
    latency: Latency,
    state: Arc<Mutex<SimState>>,
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

/// A scenario in memory on a fixed clock with no latency, as the port: for
/// code that needs an account to work on, not the simulator itself (the
/// interactive view's unit tests).
pub fn fixed(name: &str, now: DateTime<Utc>) -> Result<Arc<dyn Account>, SimError> {
    Ok(Arc::new(SimAccount::in_memory(
        name,
        SimClock::Fixed(now),
        Latency::NONE,
    )?))
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
        let (path, state) = state::load_or_create(dir, &scenario, || base_now(clock))?;
        let state = Arc::new(Mutex::new(state));
        Ok(Self {
            trail: Arc::new(SimTrail::new(&scenario, Arc::clone(&state), latency)),
            scenario,
            path: Some(path),
            clock,
            latency,
            state,
            report_generated: AtomicBool::new(false),
        })
    }

    /// A scenario that keeps its state in memory only.
    pub fn in_memory(name: &str, clock: SimClock, latency: Latency) -> Result<Self, SimError> {
        let scenario = Scenario::builtin(name)?;
        let state = Arc::new(Mutex::new(SimState::fresh(&scenario, base_now(clock))));
        Ok(Self {
            trail: Arc::new(SimTrail::new(&scenario, Arc::clone(&state), latency)),
            scenario,
            path: None,
            clock,
            latency,
            state,
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
        self.lock().offset()
    }

    /// Continue with temporary root credentials (as `CloudShell` or an
    /// `sts:AssumeRoot` session give): only once the session's own key no
    /// longer works. Returns the temporary access key ID.
    pub fn continue_as_temporary_root(&self) -> Result<String, SimError> {
        let refuse = |message: &str| SimError::Refused(message.to_owned());
        if !self.scenario.caller_is_root() || self.scenario.signing_key.is_none() {
            return Err(refuse(
                "this scenario's session is not signed with a root key: there is nothing to continue",
            ));
        }
        if self.check_signature().is_ok() {
            return Err(refuse(
                "this session's credentials still work: continue in a temporary root session \
                 once the key that signs it is deactivated",
            ));
        }
        let mut state = self.lock();
        let before = state.clone();
        state.temporary_root = true;
        if let Err(e) = self.persist(&state) {
            *state = before;
            return Err(e);
        }
        Ok(TEMPORARY_ROOT_KEY.to_owned())
    }

    /// Move the scheduled job that uses `key_id` to its IAM role: its later
    /// runs no longer sign with the key. Returns the role's ARN.
    pub fn move_to_role(&self, key_id: &str) -> Result<String, SimError> {
        let Some(job) = self
            .scenario
            .keys
            .iter()
            .find(|k| k.id == key_id)
            .and_then(|k| k.job.as_ref())
        else {
            return Err(SimError::Refused(format!(
                "nothing in this scenario runs with {key_id}: no job to move to a role"
            )));
        };
        let mut state = self.lock();
        if state.moved_to_role(key_id) {
            return Err(SimError::Refused(format!(
                "the {} job already runs with {}",
                job.name, job.role
            )));
        }
        let before = state.clone();
        let at = self.now_with(&state);
        state.history.push(Change {
            key: key_id.to_owned(),
            at,
            what: ChangeKind::MovedToRole,
        });
        if let Err(e) = self.persist(&state) {
            *state = before;
            return Err(e);
        }
        Ok(job.role.clone())
    }

    /// Calls the scenario's jobs made after `from`, up to `until`, that
    /// were denied (the key was inactive or deleted), oldest first.
    pub fn denied_calls(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Vec<(String, TrailEvent)> {
        let mut calls = self.trail.calls(&self.lock(), None, from, until);
        calls.retain(|(_, e)| e.error_code.is_some());
        calls
    }

    /// The name of the job that uses `key_id`, if the scenario has one.
    pub fn job_name(&self, key_id: &str) -> Option<&str> {
        self.scenario
            .keys
            .iter()
            .find(|k| k.id == key_id)
            .and_then(|k| k.job.as_ref())
            .map(|j| j.name.as_str())
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
        if state.temporary_root {
            return Ok(());
        }
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
                    last_used: self.last_used(state, k),
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
                    last_used: self.last_used(state, k),
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

    /// A key's last use: the scenario's, or a later run of its job that
    /// the key signed.
    fn last_used(&self, state: &SimState, k: &scenario::ScenarioKey) -> Option<LastUsed> {
        let started = state.started;
        let given = k.last_used.as_ref().map(|(ago, service, region)| LastUsed {
            date: started - *ago,
            service: service.clone(),
            region: region.clone(),
        });
        let ran = self
            .trail
            .calls(state, Some(&k.id), started, self.now_with(state))
            .into_iter()
            .rev()
            .find(|(_, e)| e.error_code.is_none())
            .map(|(_, e)| LastUsed {
                date: e.time,
                service: Some(
                    e.event_source
                        .strip_suffix(".amazonaws.com")
                        .unwrap_or(&e.event_source)
                        .to_owned(),
                ),
                region: Some(e.region),
            });
        match (given, ran) {
            (Some(g), Some(r)) if g.date >= r.date => Some(g),
            (_, Some(r)) => Some(r),
            (g, None) => g,
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
        let at = self.now_with(&state);
        let key = state.keys.get_mut(key_id).ok_or_else(no_such)?;
        if key.deleted {
            return Err(no_such());
        }
        change(key);
        let what = if key.deleted {
            ChangeKind::Deleted
        } else if key.status == KeyStatus::Active {
            ChangeKind::Active
        } else {
            ChangeKind::Inactive
        };
        state.history.push(Change {
            key: key_id.to_owned(),
            at,
            what,
        });
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

impl Account for SimAccount {
    fn identity(&self) -> BoxFuture<'_, AccountResult<Identity>> {
        async move {
            pause(self.latency.fast).await;
            self.check_signature()?;
            let signing_key_id = if self.lock().temporary_root {
                Some(TEMPORARY_ROOT_KEY.to_owned())
            } else {
                self.scenario.signing_key.clone()
            };
            Ok(Identity {
                account_id: self.scenario.account_id.clone(),
                arn: self.scenario.caller_arn.clone(),
                user_id: self.scenario.caller_user_id.clone(),
                signing_key_id,
            })
        }
        .boxed()
    }

    fn account_summary(&self) -> BoxFuture<'_, AccountResult<AccountSummary>> {
        async move {
            pause(self.latency.fast).await;
            self.check_signature()?;
            let state = self.lock();
            let n = state.keys.values().filter(|k| !k.deleted).count();
            Ok(AccountSummary {
                keys_present: u32::try_from(n).unwrap_or(u32::MAX),
                root_mfa: Some(self.scenario.mfa_active),
            })
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
    use std::time::Duration;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .expect("date")
            .with_timezone(&Utc)
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
        crate::account::usage::fetch_usage(
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
        let count = |name: &str| {
            later
                .by_action
                .iter()
                .find(|a| a.event_name == name)
                .map_or(0, |a| a.count)
        };
        assert_eq!(count("GetBucketLocation"), 59);
        // The nightly job kept running with the key: 59 from before, 30 since.
        assert_eq!(count("ListBuckets"), 89);
    }

    fn backup_runs(report: &crate::domain::usage::UsageReport) -> Vec<Option<String>> {
        let mut runs: Vec<_> = report
            .events
            .iter()
            .filter(|e| e.event_name == "ListBuckets" && e.time > t0())
            .map(|e| (e.time, e.error_code.clone()))
            .collect();
        runs.sort();
        runs.into_iter().map(|(_, code)| code).collect()
    }

    #[tokio::test]
    async fn the_nightly_job_fails_while_its_key_is_inactive_until_it_moves_to_a_role() {
        const BACKUP: &str = "AKIAEXAMPLEBACKUP001";
        let sim = SimAccount::in_memory("two-keys", SimClock::Fixed(t0()), Latency::NONE)
            .expect("scenario");
        sim.set_status(BACKUP, KeyStatus::Inactive)
            .await
            .expect("deactivate");
        sim.advance(TimeDelta::days(1)).expect("a day");
        // The run at 09:00 the next day was denied, and it is in CloudTrail.
        let denied = sim.denied_calls(t0(), sim.now());
        assert_eq!(denied.len(), 1);
        assert_eq!(denied[0].0, BACKUP);
        assert_eq!(denied[0].1.time, t0() + TimeDelta::hours(21));
        assert_eq!(denied[0].1.error_code.as_deref(), Some(DENIED_CODE));
        assert_eq!(denied[0].1.source_ip.as_deref(), Some("203.0.113.24"));
        let report = usage_of(&sim, BACKUP).await;
        assert_eq!(backup_runs(&report), [Some(DENIED_CODE.to_owned())]);
        // A denied call is no use: the last use is still the scenario's.
        let keys = sim.caller_keys().await.expect("keys");
        let used = keys[0].last_used.as_ref().expect("used");
        assert_eq!(t0() - used.date, TimeDelta::hours(27));

        // Backout: the key works again, and the next run signs with it.
        sim.set_status(BACKUP, KeyStatus::Active)
            .await
            .expect("reactivate");
        sim.advance(TimeDelta::days(1)).expect("a day");
        let keys = sim.caller_keys().await.expect("keys");
        let used = keys[0].last_used.as_ref().expect("used");
        assert_eq!(used.date, t0() + TimeDelta::hours(45));
        assert_eq!(used.service.as_deref(), Some("s3"));

        // Moved to a role: later runs are the role's, not the key's.
        let role = sim.move_to_role(BACKUP).expect("moved");
        assert_eq!(role, "arn:aws:iam::123456789012:role/nightly-backup");
        assert!(sim.move_to_role(BACKUP).is_err(), "only once");
        assert!(sim.move_to_role("AKIAEXAMPLEOLDKEY002").is_err(), "no job");
        sim.set_status(BACKUP, KeyStatus::Inactive)
            .await
            .expect("deactivate again");
        let before = sim.now();
        sim.advance(TimeDelta::days(8)).expect("past the window");
        assert!(sim.denied_calls(before, sim.now()).is_empty());
        let report = usage_of(&sim, BACKUP).await;
        assert_eq!(
            backup_runs(&report),
            [Some(DENIED_CODE.to_owned()), None],
            "no new use after the move"
        );
    }

    #[tokio::test]
    async fn a_temporary_root_session_continues_once_the_signing_key_stopped_working() {
        let dir = tempfile::tempdir().expect("tmp");
        let sim = SimAccount::open(
            "signing-key",
            dir.path(),
            SimClock::Fixed(t0()),
            Latency::NONE,
        )
        .expect("open");
        let err = sim.continue_as_temporary_root().expect_err("still works");
        assert!(err.to_string().contains("still work"), "{err}");
        sim.set_status("AKIAEXAMPLESESSION01", KeyStatus::Inactive)
            .await
            .expect("deactivate");
        assert!(sim.identity().await.is_err());
        assert_eq!(
            sim.continue_as_temporary_root().expect("continue"),
            TEMPORARY_ROOT_KEY
        );
        let reopened = SimAccount::open(
            "signing-key",
            dir.path(),
            SimClock::Fixed(t0()),
            Latency::NONE,
        )
        .expect("reopen");
        let me = reopened.identity().await.expect("temporary root works");
        assert!(me.is_root());
        assert_eq!(me.signing_key_id.as_deref(), Some(TEMPORARY_ROOT_KEY));
        assert!(TEMPORARY_ROOT_KEY.starts_with("ASIA"));
        reopened
            .delete_key("AKIAEXAMPLESESSION01")
            .await
            .expect("the deactivated key can be deleted");
        let two = SimAccount::in_memory("two-keys", SimClock::Fixed(t0()), Latency::NONE)
            .expect("scenario");
        assert!(two.continue_as_temporary_root().is_err(), "no signing key");
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

    /// The demo's directory follows the journal's rules: one that others
    /// can write to is refused, and nothing is written into it.
    #[cfg(unix)]
    #[test]
    fn a_state_directory_others_can_write_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tmp");
        let scen = dir.path().join("two-keys");
        std::fs::create_dir(&scen).expect("mkdir");
        std::fs::set_permissions(&scen, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        let err = SimAccount::open("two-keys", &scen, SimClock::Fixed(t0()), Latency::NONE)
            .expect_err("untrusted");
        assert!(matches!(err, SimError::StateDir(_)), "{err}");
        assert!(err.to_string().starts_with("demo state: refusing"), "{err}");
        assert!(!scen.join(STATE_FILE).exists());

        // A missing directory is made private.
        let fresh = dir.path().join("demo").join("auditor");
        SimAccount::open("auditor", &fresh, SimClock::Fixed(t0()), Latency::NONE).expect("made");
        let mode = std::fs::metadata(&fresh)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
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

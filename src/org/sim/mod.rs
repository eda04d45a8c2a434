//! A simulated organization for `rootkeys demo --scenario org` and
//! training: the [`OrgAccess`] port over an embedded scenario
//! (`assets/scenarios/org.json`), so every step of organization mode can
//! be practised without AWS.
//!
//! Times in the scenario are relative to the moment it was first opened
//! (the demo's clock: the system clock, or a fixed instant in tests, plus
//! any skip-ahead). Calls take a little simulated time, different per
//! account, so the progress of an audit can be seen. A member whose SCP
//! denies its root user without the `AssumeRoot` exemption answers its
//! sessions' reads the way AWS does (an explicit deny in a service control
//! policy); a suspended member is listed as such and cannot be targeted,
//! nor can the management account. Sessions carry no credentials at all.
//!
//! The organization's state changes the way AWS's does: SCPs are created,
//! attached and detached under AWS's rules (five per target, no duplicate
//! name or attachment, never the last one of a target), a Delete session
//! deletes root keys, and every write answers with a request ID. A member
//! key's scheduled job (the scenario's nightly export) runs on the
//! simulated clock: while the quarantine SCP applies to its account each
//! run is denied ([`OrgSimulation::denied_calls`]) and still stamps the
//! key's last use, as AWS does. Opened in a directory ([`SimOrg::open_in`])
//! the state is kept in `<dir>/sim.json`, next to the members' journals.
//!
//! Its parts: `scenario` (the scenario format), `live` (the state, AWS's
//! rules and the saved file), `access` (the [`OrgAccess`] port: the
//! organization's and accounts' reads), `scps` (the Organizations calls on
//! SCPs), `sessions` (`AssumeRoot` and the Audit and Delete sessions) and
//! `simulation` (the demo's controls, [`OrgSimulation`]); this module holds
//! [`SimOrg`], how it is opened, and how its state is changed and saved.
//!
//! Imports the port, the model, `account` (its error type and the demo's
//! clock) and `domain`; no SDK, no journal records, no front end.

mod access;
mod live;
mod scenario;
mod scps;
mod sessions;
mod simulation;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use self::live::Live;
pub use self::live::{FULL_AWS_ACCESS_ID, MAX_PER_TARGET, STATE_FILE};
use self::scenario::{JobDef, OrgFile, SimMember, ago, last_used};
use super::model::{Member, MemberStatus, Organization};
use super::port::Written;
use crate::account::sim::SimClock;
use crate::account::{AccountError, AccountResult};
use crate::domain::{Identity, RootKey};

/// The scenario name `rootkeys demo --scenario` opens this simulation with.
pub const SCENARIO: &str = "org";

const SCENARIO_JSON: &str = include_str!("../../../assets/scenarios/org.json");

/// Accounts per page of the simulated `ListAccounts` (AWS gives at most
/// 20; fewer here, so the listing is seen to stream).
pub const PAGE_SIZE: usize = 5;

/// How wide the demo audits: narrow, so the progress can be followed.
pub const DEMO_CONCURRENCY: usize = 3;

/// Simulated round-trip times.
#[derive(Debug, Clone, Copy)]
pub struct OrgLatency {
    /// `GetCallerIdentity`, `DescribeOrganization`, `ListOrganizationsFeatures`,
    /// and each Organizations call on SCPs.
    pub fast: Duration,
    /// One page of `ListAccounts`.
    pub page: Duration,
    /// `AssumeRoot`.
    pub assume: Duration,
    /// A session's reads (keys, MFA, login profile, then each key's last
    /// use), and a Delete session's calls.
    pub read: Duration,
    /// The management account's credential report and summary.
    pub report: Duration,
}

impl OrgLatency {
    /// What `rootkeys demo --scenario org` uses.
    pub const DEMO: Self = Self {
        fast: Duration::from_millis(150),
        page: Duration::from_millis(250),
        assume: Duration::from_millis(300),
        read: Duration::from_millis(450),
        report: Duration::from_millis(900),
    };
    /// No waiting (tests).
    pub const NONE: Self = Self {
        fast: Duration::ZERO,
        page: Duration::ZERO,
        assume: Duration::ZERO,
        read: Duration::ZERO,
        report: Duration::ZERO,
    };
}

/// A scenario that cannot be read, or a demo state that cannot be kept.
#[derive(Debug, thiserror::Error)]
pub enum SimOrgError {
    /// A bug in the scenario file.
    #[error("demo scenario org: {0}")]
    Scenario(String),
    /// The saved state is damaged, or belongs to something else.
    #[error(
        "demo state {path} cannot be read ({message}); run `rootkeys demo --scenario org --reset` \
         to start afresh"
    )]
    BadState { path: PathBuf, message: String },
    /// The state directory is not one rootkeys trusts, or cannot be made.
    #[error("demo state: {0}")]
    StateDir(#[from] crate::journal::JournalError),
    /// The simulation cannot take this step (the reason says why).
    #[error("{0}")]
    Refused(String),
    #[error("demo state {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What the organization and its sessions share.
#[derive(Debug)]
struct Inner {
    organization: Organization,
    root_id: String,
    region: String,
    caller: Identity,
    management: Member,
    management_mfa: bool,
    management_keys: Vec<RootKey>,
    report_age: TimeDelta,
    members: Vec<SimMember>,
    jobs: Vec<JobDef>,
    clock: SimClock,
    latency: OrgLatency,
    /// Where the state is kept (`None`: in memory only).
    path: Option<PathBuf>,
    live: Mutex<Live>,
    requests: AtomicUsize,
}

/// A simulated organization.
#[derive(Debug)]
pub struct SimOrg {
    title: String,
    summary: String,
    notes: Vec<(String, String)>,
    inner: Arc<Inner>,
}

async fn pause(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

fn base_now(clock: SimClock) -> DateTime<Utc> {
    match clock {
        SimClock::System => Utc::now(),
        SimClock::Fixed(t) => t,
    }
}

impl SimOrg {
    /// The embedded scenario on `clock`, its state in memory only.
    pub fn open(clock: SimClock, latency: OrgLatency) -> Result<Self, SimOrgError> {
        Self::parse(SCENARIO_JSON, clock, latency)
    }

    /// A scenario's JSON text on `clock`, its state in memory only.
    pub fn parse(text: &str, clock: SimClock, latency: OrgLatency) -> Result<Self, SimOrgError> {
        let file = OrgFile::parse(text)?;
        let live = Live::fresh(SCENARIO, &file, base_now(clock))?;
        Self::build(file, live, None, clock, latency)
    }

    /// The embedded scenario on `clock`, its state kept in `dir` (made
    /// 0700 and checked as the journal's directories are): a saved state
    /// is resumed, so the simulation agrees with the journals beside it.
    pub fn open_in(dir: &Path, clock: SimClock, latency: OrgLatency) -> Result<Self, SimOrgError> {
        Self::parse_in(SCENARIO_JSON, dir, clock, latency)
    }

    /// A scenario's JSON text on `clock`, its state kept in `dir`.
    pub fn parse_in(
        text: &str,
        dir: &Path,
        clock: SimClock,
        latency: OrgLatency,
    ) -> Result<Self, SimOrgError> {
        let file = OrgFile::parse(text)?;
        crate::journal::prepare_state_dir(dir)?;
        let (path, live) = live::load_or_create(dir, SCENARIO, &file, || base_now(clock))?;
        Self::build(file, live, Some(path), clock, latency)
    }

    /// Forget a demo organization: remove `dir` (its state and the members'
    /// journals). What `--reset` does.
    pub fn reset(dir: &Path) -> Result<(), SimOrgError> {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(SimOrgError::Io {
                path: dir.to_owned(),
                source,
            }),
        }
    }

    fn build(
        file: OrgFile,
        live: Live,
        path: Option<PathBuf>,
        clock: SimClock,
        latency: OrgLatency,
    ) -> Result<Self, SimOrgError> {
        let started = live.started;
        let mgmt = &file.management;
        let management_keys = mgmt
            .keys
            .iter()
            .map(|k| {
                Ok(RootKey {
                    access_key_id: k.id.clone(),
                    slot: k.slot,
                    status: k.status,
                    created: Some(started - ago("created_ago", &k.created_ago)?),
                    last_used: last_used(k, started)?,
                    signs_this_session: false,
                })
            })
            .collect::<Result<Vec<_>, SimOrgError>>()?;
        let inner = Inner {
            organization: Organization {
                id: file.organization_id.clone(),
                management_account_id: mgmt.account_id.clone(),
                all_features: true,
            },
            root_id: file.root_id.clone(),
            region: file.region.clone(),
            caller: Identity {
                account_id: mgmt.account_id.clone(),
                arn: file.caller.arn.clone(),
                user_id: file.caller.user_id.clone(),
                signing_key_id: None,
            },
            management: Member {
                account_id: mgmt.account_id.clone(),
                name: mgmt.name.clone(),
                status: MemberStatus::Active,
            },
            management_mfa: mgmt.mfa_active,
            management_keys,
            report_age: ago("management.report_age", &mgmt.report_age)?,
            members: file.members(),
            jobs: file.jobs()?,
            clock,
            latency,
            path,
            live: Mutex::new(live),
            requests: AtomicUsize::new(0),
        };
        Ok(Self {
            notes: file.notes(),
            title: file.title,
            summary: file.summary,
            inner: Arc::new(inner),
        })
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// The scenario's notes on its accounts (account ID, note), for the
    /// demo's detail pane.
    pub fn notes(&self) -> Vec<(String, String)> {
        self.notes.clone()
    }

    /// Every account ID the organization lists, the management account first.
    pub fn account_ids(&self) -> Vec<String> {
        std::iter::once(self.inner.management.account_id.clone())
            .chain(
                self.inner
                    .members
                    .iter()
                    .map(|m| m.member.account_id.clone()),
            )
            .collect()
    }

    /// The organization root's ID.
    pub fn root_id(&self) -> &str {
        &self.inner.root_id
    }

    /// How far the clock has been skipped ahead.
    pub fn offset(&self) -> TimeDelta {
        self.inner.lock().offset()
    }

    /// Where the state is kept, if anywhere.
    pub fn state_path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Live> {
        // A poisoned lock only means a panic elsewhere; the state is plain data.
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now_with(&self, live: &Live) -> DateTime<Utc> {
        base_now(self.clock) + live.offset()
    }

    fn member(&self, id: &str) -> Option<&SimMember> {
        self.members.iter().find(|m| m.member.account_id == id)
    }

    fn scp_denies_root(&self, id: &str) -> bool {
        self.member(id).is_some_and(|m| m.scp_denies_root)
    }

    /// The scenario's job that signs with a key of `account_id`, if any.
    fn job(&self, account_id: &str) -> Option<&JobDef> {
        self.jobs.iter().find(|j| j.account_id == account_id)
    }

    /// Simulate every job run due until the state's now; returns that now.
    fn catch_up(&self, live: &mut Live) -> DateTime<Utc> {
        let now = self.now_with(live);
        live.catch_up(
            &self.jobs,
            &self.root_id,
            &|id| self.scp_denies_root(id),
            now,
        );
        now
    }

    /// The state with every job run due until now simulated.
    fn current(&self) -> (MutexGuard<'_, Live>, DateTime<Utc>) {
        let mut live = self.lock();
        let now = self.catch_up(&mut live);
        (live, now)
    }

    /// Change the state and save it; a change that cannot be saved did
    /// not happen (the state is put back, and `not_saved` says why).
    fn change_or<T, E>(
        &self,
        apply: impl FnOnce(&mut Live, DateTime<Utc>) -> Result<T, E>,
        not_saved: impl FnOnce(String) -> E,
    ) -> Result<T, E> {
        let (mut live, now) = self.current();
        let before = live.clone();
        let value = apply(&mut live, now)?;
        if let Err(message) = self.save(&live) {
            *live = before;
            return Err(not_saved(message));
        }
        Ok(value)
    }

    /// [`Inner::change_or`] for a request of the port: one that cannot be
    /// saved fails as `action`.
    fn change<T>(
        &self,
        action: &str,
        apply: impl FnOnce(&mut Live, DateTime<Utc>) -> AccountResult<T>,
    ) -> AccountResult<T> {
        self.change_or(apply, |message| AccountError::Service {
            action: action.to_owned(),
            code: "DemoStateNotSaved".to_owned(),
            message,
        })
    }

    fn save(&self, live: &Live) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        live::save(path, live).map_err(|e| {
            format!(
                "the demo state {} could not be saved: {e}",
                crate::text::sanitize(&path.display().to_string())
            )
        })
    }

    fn request_id(&self) -> String {
        // Unique across runs (the journal keeps every run's records), on
        // the real clock even when the demo's is pinned.
        let n = self.requests.fetch_add(1, Ordering::AcqRel) + 1;
        format!("demo-{}-{n:04}", Utc::now().timestamp_millis())
    }

    /// A write's answer: its value and a fresh request ID.
    fn written<T>(&self, value: T) -> Written<T> {
        Written {
            value,
            request_id: Some(self.request_id()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scp;
    use crate::org::model::{RowErrorKind, Verdict};
    use crate::org::port::{OrgAccess, OrgSimulation};
    use crate::org::preflight;
    use crate::org::run::{self, Options};
    use futures::StreamExt;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:15:00Z")
            .expect("time")
            .with_timezone(&Utc)
    }

    fn sim() -> SimOrg {
        SimOrg::open(SimClock::Fixed(t0()), OrgLatency::NONE).expect("scenario")
    }

    #[tokio::test]
    async fn the_demo_organization_audits_as_the_scenario_says() {
        let org = sim();
        let dir = tempfile::tempdir().expect("tmp");
        let ready = preflight::check(&org).await.expect("prerequisites hold");
        assert!(ready.in_management_account());
        let audited = run::audit(&org, &ready, &Options::default(), dir.path(), &mut |_| {})
            .await
            .expect("audit");
        assert_eq!(audited.rows.len(), 12, "about a dozen accounts");
        let row = |id: &str| {
            audited
                .rows
                .iter()
                .find(|r| r.account_id == id)
                .unwrap_or_else(|| panic!("{id}"))
        };
        // Used nightly: active, last used yesterday, and worst first.
        let nightly = row("210987654321");
        assert_eq!(nightly.verdict(), Verdict::ActiveKeys);
        let used = nightly.last_used().expect("used").date;
        assert_eq!((t0() - used).num_hours(), 26);
        assert_eq!(audited.rows[0].account_id, "210987654321");
        // The SCP without the exemption: an error that names it.
        let staging = row("777777777777");
        let error = staging.error.as_ref().expect("error");
        assert_eq!(error.kind, RowErrorKind::ScpDeny);
        assert!(
            error
                .advice
                .contains(r#""Null": {"aws:AssumedRoot": "true"}"#)
        );
        assert_eq!(staging.verdict(), Verdict::Unknown);
        // Suspended: listed, not audited, no session.
        assert_eq!(row("888888888888").verdict(), Verdict::NotAudited);
        // The management account: its key from the credential report.
        let mgmt = row("111111111111");
        assert!(mgmt.management);
        assert_eq!(mgmt.verdict(), Verdict::ActiveKeys);
        assert_eq!(mgmt.keys[0].slot, Some(1));
        assert_eq!(row("555555555555").verdict(), Verdict::Compliant);
        assert_eq!(audited.compliant(), Some(false));
        assert_eq!(audited.with_keys(), 5);

        // Sessions journaled per member, with no credentials; none for the
        // suspended account or the management account.
        let journal =
            |id: &str| std::fs::read_to_string(dir.path().join(format!("journal-{id}.jsonl")));
        let text = journal("210987654321").expect("member journal");
        assert!(text.contains(r#""action":"session_opened""#), "{text}");
        assert!(text.contains("IAMAuditRootUserCredentials"), "{text}");
        assert!(
            !text.to_lowercase().contains("secret") && !text.contains("ASIA"),
            "{text}"
        );
        assert!(
            journal("777777777777").is_ok(),
            "the session opened before the deny"
        );
        assert!(journal("888888888888").is_err());
        assert!(journal("111111111111").is_err());
    }

    #[tokio::test]
    async fn rows_are_handed_over_as_they_are_built() {
        let org = sim();
        let dir = tempfile::tempdir().expect("tmp");
        let ready = preflight::check(&org).await.expect("prerequisites hold");
        let mut seen: Vec<(usize, Option<String>)> = Vec::new();
        let audited = run::audit_streamed(
            &org,
            &ready,
            &Options::default(),
            dir.path(),
            &mut |p, row| seen.push((p.done, row.map(|r| r.account_id.clone()))),
        )
        .await
        .expect("audit");
        // One call per row, counted as it comes, then one without a row.
        assert_eq!(seen.len(), audited.rows.len() + 1);
        for (i, (done, row)) in seen[..audited.rows.len()].iter().enumerate() {
            assert_eq!(*done, i + 1);
            assert!(row.is_some());
        }
        assert_eq!(seen.last().map(|(_, r)| r.is_none()), Some(true));
    }

    #[tokio::test(start_paused = true)]
    async fn the_listing_streams_in_pages() {
        let org = SimOrg::open(SimClock::Fixed(t0()), OrgLatency::DEMO).expect("scenario");
        let pages: Vec<_> = org.accounts().collect().await;
        assert_eq!(pages.len(), 12usize.div_ceil(PAGE_SIZE));
        assert!(
            pages
                .iter()
                .all(|p| p.as_ref().is_ok_and(|p| p.len() <= PAGE_SIZE))
        );
        assert_eq!(org.account_ids().len(), 12);
        assert_eq!(org.now(), t0(), "a fixed clock stays put");
    }

    #[test]
    fn the_scenario_is_listed_with_the_others() {
        assert!(crate::account::sim::scenario_names().contains(&SCENARIO));
        let err = crate::account::sim::Scenario::builtin("nope").expect_err("unknown");
        assert!(err.to_string().contains(", org"), "{err}");
    }

    #[test]
    fn bad_scenarios_are_refused() {
        let bad = SCENARIO_JSON.replace("210987654321", "2109");
        let err = SimOrg::parse(&bad, SimClock::System, OrgLatency::NONE).expect_err("bad id");
        assert!(err.to_string().contains("12 digits"), "{err}");
        let twice = SCENARIO_JSON.replace("432143214321", "555555555555");
        let err = SimOrg::parse(&twice, SimClock::System, OrgLatency::NONE).expect_err("twice");
        assert!(err.to_string().contains("twice"), "{err}");
    }

    fn code(err: &AccountError) -> &str {
        match err {
            AccountError::Service { code, .. } => code,
            _ => "",
        }
    }

    const DENY_EC2: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}"#;

    #[tokio::test]
    async fn scps_follow_the_rules_aws_applies() {
        let org = sim();
        let account = "444444444444";
        // FullAWSAccess everywhere, as AWS attaches it; the scenario's own at the root.
        let at_root = org.policies_for_target(org.root_id()).await.expect("root");
        assert_eq!(at_root.len(), 2);
        assert!(at_root[0].aws_managed && at_root[0].id == FULL_AWS_ACCESS_ID);
        for id in org.account_ids() {
            let attached = org.policies_for_target(&id).await.expect("account");
            assert_eq!(attached.len(), 1, "{id}");
        }
        assert_eq!(
            org.policy_targets(FULL_AWS_ACCESS_ID)
                .await
                .expect("targets")
                .len(),
            13
        );
        assert!(org.scp_root().await.expect("root").scp_enabled);

        let created = org
            .create_policy("guardrail", "", DENY_EC2)
            .await
            .expect("created");
        assert!(
            created
                .request_id
                .as_deref()
                .is_some_and(|r| r.starts_with("demo-"))
        );
        let id = created.value.id;
        let again = org
            .create_policy("guardrail", "", DENY_EC2)
            .await
            .expect_err("twice");
        assert_eq!(code(&again), "DuplicatePolicyException");
        let bad = org
            .create_policy("broken", "", "{not json")
            .await
            .expect_err("bad");
        assert_eq!(code(&bad), "MalformedPolicyDocumentException");
        let found = org
            .find_policy("guardrail")
            .await
            .expect("find")
            .expect("there");
        assert_eq!(found.content, DENY_EC2);
        assert!(org.find_policy("nope").await.expect("find").is_none());

        let attached = org.attach_policy(&id, account).await.expect("attach");
        assert!(attached.request_id.is_some());
        let dup = org.attach_policy(&id, account).await.expect_err("again");
        assert_eq!(code(&dup), "DuplicatePolicyAttachmentException");
        let nowhere = org
            .attach_policy(&id, "000000000000")
            .await
            .expect_err("target");
        assert_eq!(code(&nowhere), "TargetNotFoundException");
        let unknown = org
            .attach_policy("p-nothere", account)
            .await
            .expect_err("policy");
        assert_eq!(code(&unknown), "PolicyNotFoundException");
        assert_eq!(
            org.policy_targets(&id).await.expect("targets"),
            vec![account.to_owned()]
        );
        let detached = org.detach_policy(&id, account).await.expect("detach");
        assert!(detached.request_id.is_some());
        let not = org
            .detach_policy(&id, account)
            .await
            .expect_err("not attached");
        assert_eq!(code(&not), "PolicyNotAttachedException");
        let last = org
            .detach_policy(FULL_AWS_ACCESS_ID, account)
            .await
            .expect_err("the last one");
        assert_eq!(code(&last), "ConstraintViolationException");

        // Five per target.
        for n in 0..4 {
            let p = org
                .create_policy(&format!("g{n}"), "", DENY_EC2)
                .await
                .expect("created");
            org.attach_policy(&p.value.id, account)
                .await
                .expect("attach");
        }
        let sixth = org.attach_policy(&id, account).await.expect_err("sixth");
        assert_eq!(code(&sixth), "ConstraintViolationException");
    }

    #[tokio::test]
    async fn attaching_needs_scps_enabled() {
        let off = SCENARIO_JSON.replace(r#""scp_enabled": true"#, r#""scp_enabled": false"#);
        let org = SimOrg::parse(&off, SimClock::Fixed(t0()), OrgLatency::NONE).expect("scenario");
        assert!(!org.scp_root().await.expect("root").scp_enabled);
        let p = org.create_policy("g", "", DENY_EC2).await.expect("created");
        let err = org
            .attach_policy(&p.value.id, "444444444444")
            .await
            .expect_err("disabled");
        assert_eq!(code(&err), "PolicyTypeNotEnabledException");
    }

    async fn nightly_last_use(org: &SimOrg) -> DateTime<Utc> {
        let session = org
            .open_audit_session(
                "210987654321",
                "arn:aws:iam::111111111111:role/OrgSecurityAdmin",
            )
            .await
            .expect("session");
        session.read_root().await.expect("read").keys[0]
            .last_used
            .clone()
            .expect("used")
            .date
    }

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[tokio::test]
    async fn the_nightly_job_is_denied_only_while_quarantined() {
        let org = sim();
        let nightly = "210987654321";
        assert_eq!(org.job_name(nightly), Some("nightly export"));
        // Not quarantined: the runs work and stamp the key's last use.
        org.skip_ahead(TimeDelta::days(1));
        assert_eq!(org.now(), t0() + TimeDelta::days(1));
        assert_eq!(nightly_last_use(&org).await, t("2026-11-26T02:00:00Z"));
        assert!(org.denied_calls(t0(), org.now()).is_empty());

        // Quarantined by content: a policy of another name that says the same.
        let p = org
            .create_policy("someone-elses-copy", "", scp::QUARANTINE_POLICY)
            .await
            .expect("created");
        org.attach_policy(&p.value.id, nightly)
            .await
            .expect("attached");
        let from = org.now();
        org.skip_ahead(TimeDelta::days(2));
        let denied = org.denied_calls(from, org.now());
        let times: Vec<_> = denied.iter().map(|d| d.time).collect();
        assert_eq!(
            times,
            [t("2026-11-27T02:00:00Z"), t("2026-11-28T02:00:00Z")]
        );
        assert_eq!(denied[0].job, "nightly export");
        assert_eq!(nightly_last_use(&org).await, t("2026-11-28T02:00:00Z"));
        // Only the window asked for.
        assert_eq!(org.denied_calls(from, t("2026-11-27T12:00:00Z")).len(), 1);

        // Released: the next run works; after a backout its owners move it.
        org.detach_policy(&p.value.id, nightly)
            .await
            .expect("detached");
        org.skip_ahead(TimeDelta::days(1));
        assert_eq!(nightly_last_use(&org).await, t("2026-11-29T02:00:00Z"));
        org.skip_ahead(TimeDelta::days(3));
        assert_eq!(
            nightly_last_use(&org).await,
            t("2026-11-29T02:00:00Z"),
            "it runs with its role now"
        );
        let err = org.move_to_role(nightly).expect_err("already moved");
        assert!(err.to_string().contains("already runs with"), "{err}");
    }

    #[tokio::test]
    async fn a_job_moved_to_its_role_is_never_denied() {
        let org = sim();
        let nightly = "210987654321";
        let role = org.move_to_role(nightly).expect("moved");
        assert!(role.ends_with(":role/nightly-export"), "{role}");
        let p = org
            .create_policy(scp::QUARANTINE_NAME, "", scp::QUARANTINE_POLICY)
            .await
            .expect("created");
        org.attach_policy(&p.value.id, nightly)
            .await
            .expect("attached");
        org.skip_ahead(TimeDelta::days(5));
        assert!(org.denied_calls(t0(), org.now()).is_empty());
        assert!(org.move_to_role("444444444444").is_err(), "no job there");
    }

    #[tokio::test]
    async fn a_deleted_key_fails_its_job_with_an_invalid_token() {
        let org = sim();
        let nightly = "210987654321";
        let session = org
            .open_delete_session(nightly, "arn:aws:iam::111111111111:role/OrgSecurityAdmin")
            .await
            .expect("session");
        session
            .delete_key("AKIAEXAMPLENIGHTLY01")
            .await
            .expect("deleted");
        org.skip_ahead(TimeDelta::days(1));
        let denied = org.denied_calls(t0(), org.now());
        assert_eq!(denied.len(), 1);
        assert!(
            denied[0].message.starts_with("InvalidClientTokenId"),
            "{denied:?}"
        );
    }

    #[tokio::test]
    async fn sessions_of_a_member_whose_scp_denies_root_are_denied() {
        let org = sim();
        let caller = "arn:aws:iam::111111111111:role/OrgSecurityAdmin";
        let session = org
            .open_delete_session("777777777777", caller)
            .await
            .expect("AssumeRoot itself works");
        let err = session.keys().await.expect_err("denied");
        assert!(
            matches!(&err, AccountError::AccessDenied { message, .. } if message.contains("explicit deny")),
            "{err:?}"
        );
        let err = org
            .open_audit_session("888888888888", caller)
            .await
            .err()
            .expect("suspended");
        assert!(matches!(err, AccountError::AccessDenied { .. }), "{err:?}");
    }

    #[test]
    fn the_saved_state_must_be_this_scenarios() {
        let dir = tempfile::tempdir().expect("tmp");
        drop(SimOrg::open_in(dir.path(), SimClock::Fixed(t0()), OrgLatency::NONE).expect("open"));
        let path = dir.path().join(STATE_FILE);
        let text = std::fs::read_to_string(&path).expect("saved");
        let other = text.replacen(r#""scenario": "org""#, r#""scenario": "two-keys""#, 1);
        assert_ne!(other, text);
        std::fs::write(&path, other).expect("write");
        let err = SimOrg::open_in(dir.path(), SimClock::Fixed(t0()), OrgLatency::NONE)
            .expect_err("another scenario");
        assert!(err.to_string().contains("--reset"), "{err}");
        let dangling = text.replacen(r#""p-FullAWSAccess""#, r#""p-gone""#, 1);
        let dangling = dangling.replacen(r#""p-FullAWSAccess""#, r#""p-gone""#, 1);
        std::fs::write(&path, dangling).expect("write");
        assert!(SimOrg::open_in(dir.path(), SimClock::Fixed(t0()), OrgLatency::NONE).is_err());
    }

    #[test]
    fn a_skip_ahead_is_saved() {
        let dir = tempfile::tempdir().expect("tmp");
        let open = || SimOrg::open_in(dir.path(), SimClock::Fixed(t0()), OrgLatency::NONE);
        let org = open().expect("open");
        org.skip_ahead(TimeDelta::hours(30));
        drop(org);
        let org = open().expect("reopen");
        assert_eq!(org.offset(), TimeDelta::hours(30));
        assert_eq!(org.now(), t0() + TimeDelta::hours(30));
        assert!(org.state_path().is_some());
    }

    #[tokio::test]
    async fn a_write_that_cannot_be_saved_did_not_happen() {
        let dir = tempfile::tempdir().expect("tmp");
        let org =
            SimOrg::open_in(dir.path(), SimClock::Fixed(t0()), OrgLatency::NONE).expect("open");
        let p = org.create_policy("g", "", DENY_EC2).await.expect("created");
        // The temporary file's place is taken: the state cannot be written.
        let blocker = dir.path().join(format!("{STATE_FILE}.tmp"));
        std::fs::create_dir(&blocker).expect("block");
        let err = org
            .attach_policy(&p.value.id, "444444444444")
            .await
            .expect_err("not saved");
        assert_eq!(code(&err), "DemoStateNotSaved");
        assert!(err.to_string().contains("could not be saved"), "{err}");
        assert_eq!(
            org.policies_for_target("444444444444")
                .await
                .expect("list")
                .len(),
            1,
            "not attached"
        );
        std::fs::remove_dir(&blocker).expect("unblock");
        org.attach_policy(&p.value.id, "444444444444")
            .await
            .expect("attached now");
    }
}

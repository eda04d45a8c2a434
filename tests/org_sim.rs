//! Organization mode's staged removal over the simulated organization of
//! `rootkeys demo --scenario org`: the use case (`org::remediate`) drives
//! the simulation through quarantine, the nightly job's denied runs,
//! release, a second quarantine, the window, delete, verify and the
//! quarantine's detach, in a temporary state directory; AWS's refusals;
//! the state kept across a reopen, and `--reset`.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use rootkeys::account::AccountError;
use rootkeys::account::sim::SimClock;
use rootkeys::domain::record::{Act, Phase, Record};
use rootkeys::domain::scp;
use rootkeys::journal::Journal;
use rootkeys::org::port::OrgSimulation;
use rootkeys::org::remediate::{MemberState, OrgRemediator, ScpReady, WriteOutcome};
use rootkeys::org::sim::{OrgLatency, STATE_FILE, SimOrg};
use rootkeys::org::stage::OrgStage;
use rootkeys::org::{DeleteSession, OrgAccess};

const NIGHTLY: &str = "210987654321";
const NIGHTLY_KEY: &str = "AKIAEXAMPLENIGHTLY01";
const LEGACY: &str = "222222222222";
const MANAGEMENT: &str = "111111111111";
const CALLER: &str = "arn:aws:iam::111111111111:role/OrgSecurityAdmin";

fn t0() -> DateTime<Utc> {
    at("2026-11-25T12:15:00Z")
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("time")
        .with_timezone(&Utc)
}

fn window() -> TimeDelta {
    TimeDelta::days(7)
}

fn open(dir: &Path) -> Arc<SimOrg> {
    Arc::new(SimOrg::open_in(dir, SimClock::Fixed(t0()), OrgLatency::NONE).expect("demo"))
}

fn remediator(sim: &Arc<SimOrg>, dir: &Path) -> OrgRemediator {
    let access: Arc<dyn OrgAccess> = Arc::clone(sim) as Arc<dyn OrgAccess>;
    OrgRemediator::new(access, dir.to_owned(), window())
}

/// Prepare, then read every account as `rootkeys org status` does.
async fn read(rem: &OrgRemediator) -> (ScpReady, Vec<MemberState>) {
    let prep = rem.prepare().await.expect("prerequisites");
    let (_, states) = rem
        .read(&prep, None, &mut |_, _| {})
        .await
        .expect("read the organization");
    (prep, states)
}

fn member<'a>(states: &'a [MemberState], id: &str) -> &'a MemberState {
    states
        .iter()
        .find(|s| s.account_id() == id)
        .unwrap_or_else(|| panic!("no account {id}"))
}

fn records(dir: &Path, account: &str) -> Vec<Record> {
    Journal::open(dir, account)
        .expect("journal")
        .read()
        .expect("read journal")
        .records()
}

/// The journal's writes and observations (sessions left out), in order.
fn acts(dir: &Path, account: &str) -> Vec<(Act, Phase)> {
    records(dir, account)
        .iter()
        .filter(|r| r.action != Act::SessionOpened)
        .map(|r| (r.action, r.phase))
        .collect()
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story, told in the order it happens
async fn the_whole_story_of_the_nightly_key() {
    let dir = tempfile::tempdir().expect("tmp");
    let sim = open(dir.path());
    let rem = remediator(&sim, dir.path());

    // 1. Quarantine the member whose key a nightly job uses.
    let (mut prep, states) = read(&rem).await;
    assert!(prep.root.scp_enabled);
    assert!(prep.quarantine.is_none(), "no quarantine policy yet");
    let nightly = member(&states, NIGHTLY);
    assert_eq!(nightly.stage, OrgStage::KeysPresent);
    let results = rem
        .quarantine(&mut prep, std::slice::from_ref(nightly), &mut |_, _| {})
        .await;
    assert_eq!(results[0].outcome, WriteOutcome::Done, "{results:?}");
    assert!(
        results[0]
            .steps
            .iter()
            .any(|s| s.contains("request ID demo-")),
        "the write answers with a request ID: {results:?}"
    );
    let quarantined_at = sim.now();

    // 2. A day later the job's run at 02:00 was denied, and the key's last
    // use is after the quarantine began.
    sim.skip_ahead(TimeDelta::days(1));
    assert_eq!(
        sim.now(),
        t0() + TimeDelta::days(1),
        "now follows the clock"
    );
    let denied = sim.denied_calls(quarantined_at, sim.now());
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert_eq!(denied[0].account_id, NIGHTLY);
    assert_eq!(denied[0].key_id, NIGHTLY_KEY);
    assert_eq!(denied[0].time, at("2026-11-26T02:00:00Z"));
    assert_eq!(denied[0].action, "s3:PutObject");
    assert!(
        denied[0]
            .message
            .contains("explicit deny in a service control policy"),
        "{denied:?}"
    );
    let (mut prep, states) = read(&rem).await;
    let nightly = member(&states, NIGHTLY);
    assert!(
        matches!(nightly.stage, OrgStage::Quarantined { since, .. } if since == quarantined_at)
    );
    assert_eq!(nightly.used_since.len(), 1, "{:?}", nightly.used_since);
    assert_eq!(nightly.used_since[0].0, NIGHTLY_KEY);
    assert_eq!(nightly.used_since[0].1.date, at("2026-11-26T02:00:00Z"));
    assert_eq!(nightly.used_since[0].1.service.as_deref(), Some("s3"));

    // 3. Release (the backout): the next run works again.
    let results = rem
        .release(&mut prep, std::slice::from_ref(nightly), &mut |_, _| {})
        .await;
    assert_eq!(results[0].outcome, WriteOutcome::Done, "{results:?}");
    let released_at = sim.now();
    sim.skip_ahead(TimeDelta::days(1));
    assert!(sim.denied_calls(released_at, sim.now()).is_empty());
    let (mut prep, states) = read(&rem).await;
    let nightly = member(&states, NIGHTLY);
    assert_eq!(nightly.stage, OrgStage::KeysPresent);
    let used = nightly.keys()[0].last_used.clone().expect("used");
    assert_eq!(used.date, at("2026-11-27T02:00:00Z"), "the run worked");

    // 4. Quarantine again (the job has moved to its role since), skip the
    // window: no run is denied, the key is not used, delete is allowed.
    let results = rem
        .quarantine(&mut prep, std::slice::from_ref(nightly), &mut |_, _| {})
        .await;
    assert_eq!(results[0].outcome, WriteOutcome::Done, "{results:?}");
    let again_at = sim.now();
    sim.skip_ahead(window() + TimeDelta::days(1));
    assert!(sim.denied_calls(again_at, sim.now()).is_empty());
    let (mut prep, states) = read(&rem).await;
    let nightly = member(&states, NIGHTLY);
    assert!(matches!(nightly.stage, OrgStage::Ready { since, .. } if since == again_at));
    assert!(nightly.used_since.is_empty());

    // 5. Delete: verified in a fresh Audit session, then the quarantine is
    // detached.
    let result = rem.delete(&mut prep, nightly, false).await;
    assert_eq!(result.outcome, WriteOutcome::Done, "{result:?}");
    assert!(
        result.steps.iter().any(|s| s.starts_with("verified")),
        "{result:?}"
    );
    let (prep, states) = read(&rem).await;
    let nightly = member(&states, NIGHTLY);
    assert_eq!(nightly.stage, OrgStage::Compliant);
    assert!(nightly.keys().is_empty());
    assert!(!prep.attached.contains(NIGHTLY), "quarantine detached");
    let policy = prep.quarantine.as_ref().expect("the quarantine policy");
    assert!(
        !sim.policy_targets(&policy.id)
            .await
            .expect("targets")
            .contains(&NIGHTLY.to_owned())
    );

    // 6. The journal tells it in order, and agrees with the organization
    // (no sighting of a change made outside rootkeys).
    assert_eq!(
        acts(dir.path(), NIGHTLY),
        vec![
            (Act::Quarantine, Phase::Intent),
            (Act::Quarantine, Phase::Outcome),
            (Act::Release, Phase::Intent),
            (Act::Release, Phase::Outcome),
            (Act::Quarantine, Phase::Intent),
            (Act::Quarantine, Phase::Outcome),
            (Act::Delete, Phase::Intent),
            (Act::Delete, Phase::Outcome),
            (Act::Verify, Phase::Observed),
            (Act::Release, Phase::Intent),
            (Act::Release, Phase::Outcome),
        ]
    );
    let journal = records(dir.path(), NIGHTLY);
    let delete = journal
        .iter()
        .find(|r| r.action == Act::Delete && r.phase == Phase::Outcome)
        .expect("delete outcome");
    assert_eq!(delete.key, NIGHTLY_KEY);
    assert!(!delete.forced);
    assert!(
        journal.iter().any(|r| r.action == Act::SessionOpened
            && r.note
                .as_deref()
                .is_some_and(|n| n.contains("IAMDeleteRootUserCredentials"))),
        "the Delete session is journaled"
    );
}

#[tokio::test]
async fn a_key_used_after_the_quarantine_is_not_deleted_without_force() {
    let dir = tempfile::tempdir().expect("tmp");
    let sim = open(dir.path());
    let rem = remediator(&sim, dir.path());
    let (mut prep, states) = read(&rem).await;
    rem.quarantine(
        &mut prep,
        std::slice::from_ref(member(&states, NIGHTLY)),
        &mut |_, _| {},
    )
    .await;
    // The window passes while the job keeps being denied.
    sim.skip_ahead(window() + TimeDelta::days(1));
    assert_eq!(sim.denied_calls(t0(), sim.now()).len(), 8);
    let (mut prep, states) = read(&rem).await;
    let nightly = member(&states, NIGHTLY);
    assert!(matches!(nightly.stage, OrgStage::Ready { .. }));
    let result = rem.delete(&mut prep, nightly, false).await;
    assert!(
        matches!(&result.outcome, WriteOutcome::Refused(why) if why.contains("used after the quarantine")),
        "{result:?}"
    );
    let (_, states) = read(&rem).await;
    assert_eq!(member(&states, NIGHTLY).keys().len(), 1, "nothing deleted");
}

#[tokio::test]
async fn a_long_unused_key_goes_the_normal_path() {
    let dir = tempfile::tempdir().expect("tmp");
    let sim = open(dir.path());
    let rem = remediator(&sim, dir.path());
    let (mut prep, states) = read(&rem).await;
    let legacy = member(&states, LEGACY);
    assert_eq!(legacy.keys().len(), 2);
    rem.quarantine(&mut prep, std::slice::from_ref(legacy), &mut |_, _| {})
        .await;
    sim.skip_ahead(window());
    let (mut prep, states) = read(&rem).await;
    let legacy = member(&states, LEGACY);
    assert!(matches!(legacy.stage, OrgStage::Ready { .. }), "{legacy:?}");
    assert!(legacy.used_since.is_empty());
    let result = rem.delete(&mut prep, legacy, false).await;
    assert_eq!(result.outcome, WriteOutcome::Done, "{result:?}");
    let deletes = records(dir.path(), LEGACY)
        .iter()
        .filter(|r| r.action == Act::Delete && r.phase == Phase::Outcome)
        .map(|r| r.key.clone())
        .collect::<Vec<_>>();
    assert_eq!(deletes, ["AKIAEXAMPLELEGACY001", "AKIAEXAMPLELEGACY002"]);
    assert!(sim.denied_calls(t0(), sim.now()).is_empty());
}

#[tokio::test]
async fn the_management_account_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let sim = open(dir.path());
    let rem = remediator(&sim, dir.path());
    let (mut prep, states) = read(&rem).await;
    let mgmt = member(&states, MANAGEMENT);
    assert_eq!(mgmt.stage, OrgStage::Management);
    let results = rem
        .quarantine(&mut prep, std::slice::from_ref(mgmt), &mut |_, _| {})
        .await;
    assert!(
        matches!(results[0].outcome, WriteOutcome::Refused(_)),
        "{results:?}"
    );
    let result = rem.delete(&mut prep, mgmt, true).await;
    assert!(
        matches!(result.outcome, WriteOutcome::Refused(_)),
        "{result:?}"
    );
    // And AWS itself refuses AssumeRoot there, for either task policy.
    let err = sim
        .open_delete_session(MANAGEMENT, CALLER)
        .await
        .err()
        .expect("refused");
    assert!(
        matches!(&err, AccountError::AccessDenied { action, .. } if action == "sts:AssumeRoot"),
        "{err:?}"
    );
    assert!(sim.open_audit_session(MANAGEMENT, CALLER).await.is_err());
    // The suspended account too.
    assert!(
        sim.open_delete_session("888888888888", CALLER)
            .await
            .is_err()
    );
    assert!(acts(dir.path(), MANAGEMENT).is_empty());
}

#[tokio::test]
async fn a_sixth_scp_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let sim = open(dir.path());
    // FullAWSAccess and four more: the account holds five.
    for n in 1..=4 {
        let p = sim
            .create_policy(
                &format!("workload-guardrail-{n}"),
                "",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}"#,
            )
            .await
            .expect("created");
        sim.attach_policy(&p.value.id, LEGACY)
            .await
            .expect("attached");
    }
    assert_eq!(
        sim.policies_for_target(LEGACY).await.expect("list").len(),
        5
    );
    let rem = remediator(&sim, dir.path());
    let (mut prep, states) = read(&rem).await;
    let results = rem
        .quarantine(
            &mut prep,
            std::slice::from_ref(member(&states, LEGACY)),
            &mut |_, _| {},
        )
        .await;
    assert!(
        matches!(&results[0].outcome, WriteOutcome::Refused(why) if why.contains("5 SCPs attached")),
        "{results:?}"
    );
    assert!(acts(dir.path(), LEGACY).is_empty(), "nothing journaled");
    // AWS says the same to a sixth attachment.
    let quarantine = sim
        .find_policy(scp::QUARANTINE_NAME)
        .await
        .expect("find")
        .expect("created by the quarantine");
    let err = sim
        .attach_policy(&quarantine.policy.id, LEGACY)
        .await
        .expect_err("a sixth");
    assert!(
        matches!(&err, AccountError::Service { code, .. } if code == "ConstraintViolationException"),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_state_outlives_a_restart_and_agrees_with_the_journal() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        let sim = open(dir.path());
        let rem = remediator(&sim, dir.path());
        let (mut prep, states) = read(&rem).await;
        let results = rem
            .quarantine(
                &mut prep,
                std::slice::from_ref(member(&states, NIGHTLY)),
                &mut |_, _| {},
            )
            .await;
        assert_eq!(results[0].outcome, WriteOutcome::Done);
        sim.skip_ahead(TimeDelta::days(2));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(STATE_FILE))
            .expect("saved")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let sim = open(dir.path());
    assert_eq!(
        sim.now(),
        t0() + TimeDelta::days(2),
        "the skip-ahead is kept"
    );
    assert_eq!(sim.denied_calls(t0(), sim.now()).len(), 2);
    let rem = remediator(&sim, dir.path());
    let (prep, states) = read(&rem).await;
    assert!(prep.attached.contains(NIGHTLY));
    let nightly = member(&states, NIGHTLY);
    assert!(matches!(nightly.stage, OrgStage::Quarantined { since, .. } if since == t0()));
    assert_eq!(
        acts(dir.path(), NIGHTLY),
        vec![
            (Act::Quarantine, Phase::Intent),
            (Act::Quarantine, Phase::Outcome)
        ],
        "no sighting: the restarted simulation agrees with the journal"
    );
}

#[tokio::test]
async fn reset_starts_over() {
    let dir = tempfile::tempdir().expect("tmp");
    let demo = dir.path().join("org");
    {
        let sim = open(&demo);
        let rem = remediator(&sim, &demo);
        let (mut prep, states) = read(&rem).await;
        rem.quarantine(
            &mut prep,
            std::slice::from_ref(member(&states, NIGHTLY)),
            &mut |_, _| {},
        )
        .await;
        sim.skip_ahead(TimeDelta::days(3));
    }
    SimOrg::reset(&demo).expect("reset");
    assert!(!demo.exists());
    let sim = open(&demo);
    assert_eq!(sim.now(), t0());
    assert!(
        sim.find_policy(scp::QUARANTINE_NAME)
            .await
            .expect("find")
            .is_none()
    );
    let rem = remediator(&sim, &demo);
    let (prep, states) = read(&rem).await;
    assert!(prep.attached.is_empty());
    assert_eq!(member(&states, NIGHTLY).stage, OrgStage::KeysPresent);
    assert!(acts(&demo, NIGHTLY).is_empty(), "the journals went too");
}

#[test]
fn a_damaged_state_names_reset() {
    let dir = tempfile::tempdir().expect("tmp");
    drop(open(dir.path()));
    std::fs::write(dir.path().join(STATE_FILE), b"{\"scenario\": \"org\", ").expect("damage");
    let err =
        SimOrg::open_in(dir.path(), SimClock::Fixed(t0()), OrgLatency::NONE).expect_err("damaged");
    let text = err.to_string();
    assert!(text.contains("--reset"), "{text}");
    assert!(text.contains(STATE_FILE), "{text}");
}

#[tokio::test]
async fn prevention_is_attached_at_the_root_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let sim = open(dir.path());
    let rem = remediator(&sim, dir.path());
    let mut state = rem.prevent_state().await.expect("prevent state");
    assert!(state.attached.is_none());
    assert_eq!(
        state.root_policies, 2,
        "FullAWSAccess and the scenario's own"
    );
    let result = rem.prevent(&mut state).await;
    assert_eq!(result.outcome, WriteOutcome::Done, "{result:?}");
    let mut state = rem.prevent_state().await.expect("prevent state");
    assert!(state.attached.is_some());
    assert_eq!(state.root_policies, 3);
    let again = rem.prevent(&mut state).await;
    assert!(
        matches!(again.outcome, WriteOutcome::AlreadyDone(_)),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_delete_session_deletes_root_keys_only() {
    let dir = tempfile::tempdir().expect("tmp");
    let sim = open(dir.path());
    let session: Box<dyn DeleteSession> = sim
        .open_delete_session(LEGACY, CALLER)
        .await
        .expect("session");
    assert!(
        session
            .opened()
            .task_policy_arn
            .ends_with("IAMDeleteRootUserCredentials")
    );
    let keys = session.keys().await.expect("keys");
    assert_eq!(keys.len(), 2);
    assert!(
        keys.iter().all(|k| k.last_used.is_none()),
        "last use not read"
    );
    let written = session
        .delete_key("AKIAEXAMPLELEGACY001")
        .await
        .expect("deleted");
    assert!(written.request_id.is_some_and(|id| id.starts_with("demo-")));
    let again = session
        .delete_key("AKIAEXAMPLELEGACY001")
        .await
        .expect_err("gone");
    assert!(matches!(again, AccountError::NoSuchKey { .. }), "{again:?}");
    assert_eq!(session.keys().await.expect("keys").len(), 1);
    // Kept: a restart lists one key.
    drop(session);
    drop(sim);
    let sim = open(dir.path());
    let audit = sim.open_audit_session(LEGACY, CALLER).await.expect("audit");
    assert_eq!(audit.read_root().await.expect("read").keys.len(), 1);
}

/// `rootkeys demo --scenario org` without a terminal, state in `state`.
fn demo_run(state: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rootkeys"));
    support::isolate(&mut cmd, state);
    cmd.args(["demo", "--scenario", "org"])
        .args(extra)
        .env("ROOTKEYS_TEST_DEMO_NOW", "2026-11-25T12:15:00Z")
        .stdin(Stdio::null())
        .output()
        .expect("run")
}

#[test]
fn the_demo_keeps_its_state_and_reset_replaces_a_damaged_one() {
    let state = tempfile::tempdir().expect("state");
    let saved = state.path().join("demo").join("org").join(STATE_FILE);
    let out = demo_run(state.path(), &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Organization o-exampledemo1"), "{text}");
    let first = std::fs::read_to_string(&saved).expect("the state is saved");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&saved)
            .expect("saved")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Damaged: a clear error that names --reset, and the file left alone.
    std::fs::write(&saved, "{\"scenario\": \"org\", \"started\": 12").expect("damage");
    let out = demo_run(state.path(), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("rootkeys demo --scenario org --reset"),
        "{err}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("Organization"),
        "nothing audited"
    );
    // --reset starts afresh.
    let out = demo_run(state.path(), &["--reset"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Organization o-exampledemo1"), "{text}");
    assert_eq!(std::fs::read_to_string(&saved).expect("saved again"), first);
}

//! Faults: kills at any point of a write, a dropped connection mid-write, an
//! unusable or full state directory, and concurrent writers.

mod support;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_iam::types::StatusType;
use chrono::TimeDelta;
use futures::future::{BoxFuture, FutureExt};
use rootkeys::account::aws::AwsAccount;
use rootkeys::account::{Account, AccountError, AccountResult, AccountSummary, Source};
use rootkeys::domain::policy::Request;
use rootkeys::domain::record::{Outcome, Phase};
use rootkeys::domain::{Identity, KeyStatus, RootKey};
use rootkeys::failpoint::WRITE_PATH;
use rootkeys::journal::Journal;
use rootkeys::remediate::Remediator;
use rootkeys::report::RootRow;
use support::kill::{self, Ended, Kill, Rng};
use support::{ACCOUNT, Moto, Rootkeys};

fn read_journal(rk: &Rootkeys) -> rootkeys::journal::Contents {
    Journal::open(rk.state.path(), ACCOUNT)
        .expect("journal")
        .read()
        .expect("read")
}

/// Crash the real binary at every step of deactivate and reactivate
/// (failpoints), then SIGKILL it at seeded random offsets in between; after
/// each kill the journal is readable, nothing before the kill was lost, the
/// next run reconciles every open intent, and the key is in AWS what the
/// journal says. (At scale, with delete too: `tests/kill_anywhere.rs`.)
#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_any_point_loses_nothing_and_reconciles() {
    support::require_failpoints();
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let key = &keys[1].id;
    let clock = "0s";
    // A crash from this step on comes after AWS applied the write.
    let applied_from = WRITE_PATH
        .iter()
        .position(|p| *p == "after-call")
        .expect("after-call is a step of the write path");
    let mut crashes = 0;
    for (verb, undo, target) in [
        ("deactivate", "reactivate", StatusType::Inactive),
        ("reactivate", "deactivate", StatusType::Active),
    ] {
        for (step, point) in WRITE_PATH.iter().enumerate() {
            if support::root_key_status(&moto, key).await.as_ref() == Some(&target) {
                let run = rk.run(&session, &[undo, key, "--yes"]);
                assert_eq!(run.code, 0, "{undo} before {verb} at {point}: {run:?}");
            }
            let before = rk.journal_text();
            let label = format!("{verb} crashed at {point}");
            let ended = rk.run_killed(&session, clock, &[verb, key, "--yes"], Kill::At(point));
            assert!(matches!(ended, Ended::Crashed(_)), "{label}: {ended:?}");
            crashes += 1;
            assert_eq!(
                support::root_key_status(&moto, key).await.as_ref() == Some(&target),
                step >= applied_from,
                "{label}: AWS has the change exactly when the crash came after the call"
            );
            kill::check_after_kill(&rk, &session, clock, &before, &label).await;
        }
    }
    assert_eq!(crashes, 2 * WRITE_PATH.len(), "one crash at every step");

    // Between the steps: SIGKILL at seeded random offsets. Where each lands
    // is counted, not asserted; every one is followed by the same checks.
    let seed = kill::seed();
    eprintln!(
        "sigkill: seed {seed} ({}={seed} replays the offsets)",
        kill::SEED_ENV
    );
    let mut rng = Rng::new(seed);
    let (mut landed, mut finished) = (0, 0);
    for round in 0..12 {
        let verb = match support::root_key_status(&moto, key).await {
            Some(StatusType::Active) => "deactivate",
            _ => "reactivate",
        };
        let kill = Kill::Signal(rng.offset(Duration::from_millis(200)));
        let label = format!("round {round}: {verb}, {kill}, seed {seed}");
        let before = rk.journal_text();
        match rk.run_killed(&session, clock, &[verb, key, "--yes"], kill) {
            Ended::Killed => landed += 1,
            Ended::Finished(run) => {
                assert_eq!(run.code, 0, "{label}: a write that ran to its end: {run:?}");
                finished += 1;
            }
            Ended::Crashed(_) => panic!("{label}: exited as at a failpoint, none was set"),
        }
        kill::check_after_kill(&rk, &session, clock, &before, &label).await;
    }
    eprintln!(
        "sigkill: {crashes} crashes at every step, {landed} SIGKILLs mid-run, {finished} runs \
         ended before their SIGKILL; 0 bytes lost, 0 intents open (seed {seed})"
    );
}

/// A backend whose writes reach AWS but whose answer is lost, as when the
/// connection drops after the request was sent.
struct DropsAnswers(AwsAccount);

impl Account for DropsAnswers {
    fn identity(&self) -> BoxFuture<'_, AccountResult<Identity>> {
        self.0.identity()
    }
    fn account_summary(&self) -> BoxFuture<'_, AccountResult<AccountSummary>> {
        self.0.account_summary()
    }
    fn caller_keys(&self) -> BoxFuture<'_, AccountResult<Vec<RootKey>>> {
        self.0.caller_keys()
    }
    fn root_report_row(&self) -> BoxFuture<'_, AccountResult<RootRow>> {
        self.0.root_report_row()
    }
    fn set_status(&self, key_id: &str, status: KeyStatus) -> BoxFuture<'_, AccountResult<()>> {
        let key_id = key_id.to_owned();
        async move {
            self.0.set_status(&key_id, status).await?;
            Err(AccountError::Unreachable {
                message: "connection reset by peer".to_owned(),
            })
        }
        .boxed()
    }
    fn delete_key(&self, key_id: &str) -> BoxFuture<'_, AccountResult<()>> {
        self.0.delete_key(key_id)
    }
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.now()
    }
    fn source(&self) -> Source {
        self.0.source()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn dropped_connection_mid_write_is_settled_by_reconciliation() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let (iam, sts) = (
        moto.iam(&session.id, &session.secret),
        moto.sts(&session.id, &session.secret),
    );
    let acct = DropsAnswers(AwsAccount::from_clients(
        iam,
        sts,
        None,
        Duration::from_secs(5),
    ));
    let state = tempfile::tempdir().expect("tmp");
    let remediator = Remediator::new(Arc::new(acct), state.path().to_owned(), TimeDelta::days(7));
    // The answer is lost, so the outcome is journaled as unknown and
    // settled at once against the live state.
    let done = remediator
        .execute(Request::Deactivate, &keys[0].id)
        .await
        .expect("the lost answer is settled against the live state");
    assert_eq!(done.outcome.phase, Phase::Reconciled);
    assert_eq!(done.outcome.result, Some(Outcome::Ok));
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Inactive)
    );

    let journal = Journal::open(state.path(), ACCOUNT).expect("journal");
    let contents = journal.read().expect("read");
    let history: Vec<(Phase, Option<Outcome>)> = contents
        .records
        .iter()
        .filter(|(_, r)| r.key == keys[0].id)
        .map(|(_, r)| (r.phase, r.result.clone()))
        .collect();
    assert_eq!(
        history,
        [
            (Phase::Intent, None),
            (
                Phase::Outcome,
                Some(Outcome::Unknown {
                    code: "Unreachable".to_owned()
                })
            ),
            (Phase::Reconciled, Some(Outcome::Ok)),
        ]
    );
    assert!(contents.open_intents().is_empty());
    let snapshot = remediator.snapshot().await.expect("snapshot");
    assert!(snapshot.recorded.is_empty(), "nothing left to reconcile");
    let view = snapshot.view(&keys[0].id).expect("key");
    assert_eq!(view.stage.name(), "observing");
}

#[tokio::test(flavor = "multi_thread")]
async fn unusable_state_dir_refuses_before_any_aws_write() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    // A state dir that cannot be created: its parent is a file.
    let blocker = rk.state.path().join("a-file");
    std::fs::write(&blocker, "x").expect("file");
    let run = rk
        .command(&session)
        .args(["deactivate", &keys[0].id, "--yes"])
        .env("ROOTKEYS_STATE_DIR", blocker.join("state"))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("journal") || stderr.contains("a-file"),
        "{stderr}"
    );
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Active)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn full_disk_refuses_before_any_aws_write() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    // The journal is at the file-size limit the process runs under, so the
    // intent cannot be written (EFBIG, as a full disk gives ENOSPC).
    let journal = rk.state.path().join(format!("journal-{ACCOUNT}.jsonl"));
    std::fs::write(&journal, format!("{}\n", "x".repeat(1023))).expect("fill");
    let bin = env!("CARGO_BIN_EXE_rootkeys");
    let cmd = rk.command(&session);
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 1; exec {bin} deactivate {} --yes",
            keys[0].id
        ))
        .envs(
            cmd.get_envs()
                .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
        )
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(stderr.contains("journal"), "{stderr}");
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Active)
    );
    assert_eq!(
        std::fs::metadata(&journal).expect("meta").len(),
        1024,
        "nothing half-written"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_journal_that_is_not_a_file_is_refused() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    std::os::unix::fs::symlink(
        "/dev/zero",
        rk.state.path().join(format!("journal-{ACCOUNT}.jsonl")),
    )
    .expect("symlink");
    let run = rk.run(&session, &["deactivate", &keys[0].id, "--yes"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not a regular file"), "{run:?}");
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Active)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_write_one_journal_without_interleaving() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    for verb in ["deactivate", "reactivate", "deactivate", "reactivate"] {
        let children: Vec<_> = keys
            .iter()
            .map(|k| {
                rk.command(&session)
                    .args([verb, &k.id, "--yes"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for mut c in children {
            assert!(c.wait().expect("wait").success());
        }
    }
    let contents = read_journal(&rk);
    assert!(contents.damaged.is_empty(), "{:?}", contents.damaged);
    assert!(contents.open_intents().is_empty());
    let count = |phase| {
        contents
            .records
            .iter()
            .filter(|(_, r)| r.phase == phase)
            .count()
    };
    assert_eq!(count(Phase::Intent), 8);
    assert_eq!(count(Phase::Outcome), 8);
}

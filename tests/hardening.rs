//! Faults: kills at any point of a write, a dropped connection mid-write, an
//! unusable or full state directory, and concurrent writers.

mod support;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_iam::types::StatusType;
use chrono::TimeDelta;
use futures::future::{BoxFuture, FutureExt};
use rootkeys::account::aws::AwsAccount;
use rootkeys::account::{Account, AccountError, AccountResult, Source};
use rootkeys::domain::policy::Request;
use rootkeys::domain::record::Phase;
use rootkeys::domain::{Identity, KeyStatus, RootKey};
use rootkeys::journal::Journal;
use rootkeys::remediate::Remediator;
use rootkeys::report::RootRow;
use support::{ACCOUNT, Moto, Rootkeys};

fn read_journal(rk: &Rootkeys) -> rootkeys::journal::Contents {
    Journal::open(rk.state.path(), ACCOUNT)
        .expect("journal")
        .read()
        .expect("read")
}

/// Kill the real binary with SIGKILL at many points of deactivate and
/// reactivate; after each kill the journal is readable, nothing before the
/// kill was lost, and the next run reconciles every open intent.
#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_any_point_loses_nothing_and_reconciles() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let key = &keys[1].id;
    let mut kills = 0;
    let mut previous = String::new();
    for round in 0u64..24 {
        let verb = match support::root_key_status(&moto, key).await {
            Some(StatusType::Active) => "deactivate",
            _ => "reactivate",
        };
        let mut child = rk
            .command(&session)
            .args([verb, key, "--yes"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        // Spread the kills over start-up, planning, journaling and the call.
        std::thread::sleep(Duration::from_millis(5 + (round * 37) % 160));
        if child.try_wait().expect("try_wait").is_none() {
            child.kill().expect("SIGKILL");
            kills += 1;
        }
        let _ = child.wait();

        let text = rk.journal_text();
        assert!(
            text.starts_with(&previous),
            "round {round}: earlier lines changed"
        );
        let contents = read_journal(&rk);
        assert!(
            contents.damaged.is_empty(),
            "round {round}: {:?}",
            contents.damaged
        );

        // The next run reconciles to the live state.
        let status = rk.run(&session, &["status", "--json"]);
        assert_eq!(status.code, 0, "round {round}: {status:?}");
        let contents = read_journal(&rk);
        assert!(
            contents.open_intents().is_empty(),
            "round {round}: open intents left"
        );
        let live = support::root_key_status(&moto, key)
            .await
            .expect("key exists");
        let doc = status.json();
        let shown = doc["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .find(|k| k["access_key_id"] == key.as_str())
            .map(|k| k["status"].clone())
            .expect("key listed");
        let live_name = if live == StatusType::Active {
            "Active"
        } else {
            "Inactive"
        };
        assert_eq!(shown, live_name, "round {round}");
        previous = rk.journal_text();
    }
    assert!(kills >= 8, "only {kills} kills landed mid-run");
    eprintln!("sigkill: {kills} kills survived, 0 lines lost");
}

/// A backend whose writes reach AWS but whose answer is lost, as when the
/// connection drops after the request was sent.
struct DropsAnswers(AwsAccount);

impl Account for DropsAnswers {
    fn identity(&self) -> BoxFuture<'_, AccountResult<Identity>> {
        self.0.identity()
    }
    fn keys_present(&self) -> BoxFuture<'_, AccountResult<u32>> {
        self.0.keys_present()
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
    // The answer is lost, so the outcome is unknown: it is journaled as
    // such and settled at once against the live state.
    let done = remediator
        .execute(Request::Deactivate, &keys[0].id)
        .await
        .expect("settled against the live state: applied");
    assert_eq!(done.outcome.phase, Phase::Reconciled);
    assert_eq!(
        done.outcome.result,
        Some(rootkeys::domain::record::Result::Ok)
    );
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Inactive)
    );

    let journal = Journal::open(state.path(), ACCOUNT).expect("journal");
    let contents = journal.read().expect("read");
    let phases: Vec<_> = contents
        .records
        .iter()
        .map(|(_, r)| (r.phase, r.result.clone()))
        .collect();
    assert_eq!(
        phases,
        vec![
            (Phase::Intent, None),
            (
                Phase::Outcome,
                Some(rootkeys::domain::record::Result::Unknown {
                    code: "Unreachable".to_owned()
                })
            ),
            (
                Phase::Reconciled,
                Some(rootkeys::domain::record::Result::Ok)
            ),
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

//! The observation window holds on every path, against the root-aware moto
//! server through the real binary: the window journaled with its start is
//! the one enforced; keys deactivated, reactivated or used outside rootkeys
//! start a new, journaled window; a write in flight is never reconciled by
//! another reader. Time moves through the test build's clock, never sleeps.

mod support;

use aws_sdk_iam::types::StatusType;
use rootkeys::journal::Journal;
use support::{ACCOUNT, Moto, ROOT_STANDIN, Rootkeys};

fn records(rk: &Rootkeys) -> Vec<serde_json::Value> {
    rk.journal_text()
        .lines()
        .map(|l| serde_json::from_str(l).expect("journal line"))
        .collect()
}

fn key_json(run: &support::Run, key: &str) -> serde_json::Value {
    run.json()["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["access_key_id"] == key)
        .cloned()
        .unwrap_or_else(|| panic!("{key} not listed: {run:?}"))
}

async fn console_set(moto: &Moto, key: &str, status: StatusType) {
    moto.admin()
        .update_access_key()
        .user_name(ROOT_STANDIN)
        .access_key_id(key)
        .status(status)
        .send()
        .await
        .expect("console update");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shorter_observe_at_delete_time_is_refused_and_only_force_overrides() {
    support::require_failpoints();
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let key = keys[1].id.as_str();

    let run = rk.run(&session, &["deactivate", key, "--yes"]);
    assert_eq!(run.code, 0, "{run:?}");
    let intent = &records(&rk)[0];
    assert_eq!(intent["action"], "deactivate");
    assert_eq!(intent["window_secs"], 7 * 86_400, "window journaled");

    // A minute later, asking for a 30 s window.
    let run = rk.run_at(
        &session,
        "1m",
        &["--observe", "30s", "delete", key, "--confirm", key],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("still observing"), "{run:?}");
    assert!(run.stderr.contains("does not shorten"), "{run:?}");
    assert_eq!(
        support::root_key_status(&moto, key).await,
        Some(StatusType::Inactive),
        "nothing deleted"
    );
    // The status shows the journaled window, not the asked one.
    let status = rk.run_at(&session, "1m", &["--observe", "30s", "status", "--json"]);
    assert_eq!(key_json(&status, key)["stage"], "observing", "{status:?}");

    // --force overrides, loudly.
    let run = rk.run_at(
        &session,
        "1m",
        &[
            "--observe",
            "30s",
            "delete",
            key,
            "--confirm",
            key,
            "--force",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(support::root_key_status(&moto, key).await, None);
    let delete = records(&rk)
        .into_iter()
        .find(|r| r["action"] == "delete" && r["phase"] == "intent")
        .expect("delete intent");
    assert_eq!(delete["forced"], true, "{delete}");
    assert!(
        delete["note"]
            .as_str()
            .is_some_and(|n| n.contains("OVERRIDDEN") && n.contains("7 d")),
        "{delete}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_path_the_view_takes_never_overrides_the_journaled_window() {
    support::require_failpoints();
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let key = keys[1].id.as_str();
    assert_eq!(rk.run(&session, &["deactivate", key, "--yes"]).code, 0);

    // The interactive view asks the remediator for a delete without force.
    let account = rootkeys::account::aws::AwsAccount::from_clients(
        moto.iam(&session.id, &session.secret),
        moto.sts(&session.id, &session.secret),
        None,
        std::time::Duration::from_secs(5),
    );
    let remediator = rootkeys::remediate::Remediator::new(
        std::sync::Arc::new(account),
        rk.state.path().to_owned(),
        chrono::TimeDelta::seconds(1),
    );
    let err = remediator
        .execute(
            rootkeys::domain::policy::Request::Delete { force: false },
            key,
        )
        .await
        .expect_err("a 1 s window in the view does not unlock delete");
    assert!(err.to_string().contains("still observing"), "{err}");
    assert_eq!(
        support::root_key_status(&moto, key).await,
        Some(StatusType::Inactive)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_deactivated_in_the_console_always_starts_a_journaled_window() {
    support::require_failpoints();
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let key = keys[1].id.as_str();
    // Last used years ago, deactivated in the console.
    moto.set_last_used(key, "2020-01-01T00:00:00Z", "ec2", "us-east-1");
    console_set(&moto, key, StatusType::Inactive).await;

    let status = rk.run(&session, &["status", "--json"]);
    assert_eq!(status.code, 0, "{status:?}");
    assert_eq!(key_json(&status, key)["stage"], "observing", "{status:?}");
    let seen = records(&rk);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["action"], "first_seen_inactive");
    assert_eq!(seen[0]["window_secs"], 7 * 86_400);

    let run = rk.run(&session, &["delete", key, "--confirm", key]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(support::root_key_status(&moto, key).await.is_some());

    // Eight days on, the journaled window has passed.
    let run = rk.run_at(&session, "8d", &["delete", key, "--confirm", key]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(support::root_key_status(&moto, key).await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn reactivated_and_deactivated_outside_rootkeys_starts_a_new_window() {
    support::require_failpoints();
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let key = keys[1].id.as_str();

    // Day 0: deactivated with rootkeys.
    assert_eq!(rk.run(&session, &["deactivate", key, "--yes"]).code, 0);
    // Day 1: a job broke; reactivated in the console; rootkeys sees it active.
    console_set(&moto, key, StatusType::Active).await;
    let status = rk.run_at(&session, "1d", &["status", "--json"]);
    assert_eq!(key_json(&status, key)["stage"], "active");
    assert!(
        records(&rk).iter().any(|r| r["action"] == "seen_active"),
        "seeing it active is journaled: {}",
        rk.journal_text()
    );
    // Day 6: deactivated in the console again.
    console_set(&moto, key, StatusType::Inactive).await;
    let status = rk.run_at(&session, "6d", &["status", "--json"]);
    assert_eq!(key_json(&status, key)["stage"], "observing");
    let last = records(&rk).pop().expect("a record");
    assert_eq!(last["action"], "first_seen_inactive", "{last}");
    // Day 8: day 0's window would have passed; the new one has not.
    let run = rk.run_at(&session, "8d", &["delete", key, "--confirm", key]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("still observing"), "{run:?}");
    assert!(support::root_key_status(&moto, key).await.is_some());
    // Day 14: it has.
    let run = rk.run_at(&session, "14d", &["delete", key, "--confirm", key]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn use_after_the_window_began_restarts_it_and_says_why() {
    support::require_failpoints();
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let key = keys[1].id.as_str();
    assert_eq!(rk.run(&session, &["deactivate", key, "--yes"]).code, 0);
    // Reactivated, used on day 2 and deactivated again, all in the console,
    // between two looks of rootkeys.
    let used = (chrono::Utc::now() + chrono::TimeDelta::days(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    moto.set_last_used(key, &used, "s3", "eu-west-1");

    let status = rk.run_at(&session, "3d", &["status"]);
    assert_eq!(status.code, 0, "{status:?}");
    assert!(status.stdout.contains("window restarted"), "{status:?}");
    assert!(
        status.stdout.contains("after its window began"),
        "{status:?}"
    );
    let last = records(&rk).pop().expect("a record");
    assert_eq!(last["action"], "window_restarted", "{last}");
    // Day 8 from the deactivation: still observing (the window began on day 3).
    let run = rk.run_at(&session, "8d", &["delete", key, "--confirm", key]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_in_flight_is_never_reconciled_by_another_reader() {
    support::require_failpoints();
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let key = keys[1].id.as_str();
    // An intent whose process died: open.
    let crashed = rk
        .command(&session)
        .args(["deactivate", key, "--yes"])
        .env(rootkeys::failpoint::ENV, "after-intent")
        .output()
        .expect("run");
    assert_eq!(crashed.status.code(), Some(rootkeys::failpoint::EXIT));

    // Another operation holds the account's lock (as a write in flight does).
    let journal = Journal::open(rk.state.path(), ACCOUNT).expect("journal");
    let lock = journal
        .try_lock_operation("deactivate of a key")
        .expect("lock")
        .expect("free");
    let before = rk.journal_text();
    let status = rk.run(&session, &["status", "--json"]);
    assert_eq!(status.code, 0, "{status:?}");
    assert_eq!(rk.journal_text(), before, "nothing journaled while busy");
    assert!(
        !status.json()["operation_in_progress"].is_null(),
        "{status:?}"
    );
    // A second write waits a bounded time, then says why it stops.
    let run = rk.run(&session, &["deactivate", key, "--yes"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("another rootkeys"), "{run:?}");
    assert_eq!(rk.journal_text(), before);

    drop(lock);
    let status = rk.run(&session, &["status", "--json"]);
    assert_eq!(status.code, 0, "{status:?}");
    assert!(status.json()["operation_in_progress"].is_null());
    let contents = journal.read().expect("read");
    assert!(contents.open_intents().is_empty(), "reconciled once free");
}

#[test]
fn a_key_id_with_control_characters_is_refused_and_never_echoed_raw() {
    let state = tempfile::tempdir().expect("tmp");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rootkeys"));
    support::isolate(&mut cmd, state.path());
    cmd.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    for args in [
        vec!["deactivate", "AKIA\x1b]0;pwned\x07EXAMPLE", "--yes"],
        vec!["delete", "\x1b[2Jgone", "--confirm", "x"],
        vec!["usage", "AKIA\x1b[31mRED0000000"],
        vec!["--observe", "\x1b[31m7d", "status"],
    ] {
        let out = cmd.args(&args).output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            !stderr.contains('\x1b'),
            "{args:?}: raw ESC echoed: {stderr:?}"
        );
        if args[0] != "--observe" {
            // (clap strips escape sequences from its own usage errors.)
            assert!(
                stderr.contains("\\u{1b}"),
                "{args:?}: shown escaped: {stderr}"
            );
        }
        cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rootkeys"));
        support::isolate(&mut cmd, state.path());
        cmd.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    }
}

/// Twenty deactivate/reactivate runs and status readers at once on one key:
/// with only rootkeys writing, every operation ends in its own outcome,
/// nothing is reconciled by another reader, and nothing is "observed" that
/// rootkeys itself did.
#[tokio::test(flavor = "multi_thread")]
async fn parallel_writers_and_readers_never_reconcile_each_other() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let key = keys[1].id.as_str();
    let children: Vec<_> = (0..20)
        .map(|i| {
            let args: Vec<&str> = match i % 3 {
                0 => vec!["deactivate", key, "--yes"],
                1 => vec!["reactivate", key, "--yes"],
                _ => vec!["status", "--json"],
            };
            rk.command(&session)
                .args(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 2)),
            "{:?}: {stderr}",
            out.status
        );
        assert!(
            out.status.code() == Some(0) || stderr.contains("refused: the key is already"),
            "only the already-done refusals may fail: {stderr}"
        );
    }
    let records = records(&rk);
    assert!(
        records.iter().any(|r| r["phase"] == "outcome"),
        "some writes went through"
    );
    for r in &records {
        assert!(
            !matches!(
                r["action"].as_str(),
                Some("first_seen_inactive" | "seen_active" | "window_restarted")
            ),
            "rootkeys observed its own write as someone else's: {r}"
        );
        assert_ne!(r["phase"], "reconciled", "no write was interrupted: {r}");
    }
    // Every intent has exactly one outcome, written after it.
    for intent in records.iter().filter(|r| r["phase"] == "intent") {
        let outcomes: Vec<_> = records
            .iter()
            .filter(|r| r["op"] == intent["op"] && r["phase"] == "outcome")
            .collect();
        assert_eq!(outcomes.len(), 1, "{intent}");
        assert_eq!(outcomes[0]["result"], "ok", "{intent}");
    }
}

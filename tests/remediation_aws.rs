//! The staged remediation end to end through the real binary against the
//! root-aware moto server: deactivate, observe, delete, verify, backout, and
//! one test per safety rule.

mod support;

use aws_sdk_iam::types::StatusType;
use support::{ACCOUNT, Moto, Rootkeys};

fn journal_lines(rk: &Rootkeys) -> Vec<serde_json::Value> {
    rk.journal_text()
        .lines()
        .map(|l| serde_json::from_str(l).expect("journal line is JSON"))
        .collect()
}

fn phases_for(lines: &[serde_json::Value], key: &str, action: &str) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l["key"] == key && l["action"] == action)
        .map(|l| l["phase"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn staged_removal_end_to_end() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    // Time passes on rootkeys' injected clock, never in a sleep: the default
    // seven-day window is still running six days on and has passed at eight.
    support::require_failpoints();
    let (six_days, eight_days) = ("6d", "8d");

    for key in &keys {
        let run = rk.run(&session, &["deactivate", &key.id, "--yes"]);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stdout.contains("deactivated"), "{run:?}");
        assert_eq!(
            support::root_key_status(&moto, &key.id).await,
            Some(StatusType::Inactive)
        );
    }

    // Too early: refused with the time left, nothing deleted.
    let early = rk.run(&session, &["delete", &keys[0].id, "--confirm", &keys[0].id]);
    assert_eq!(early.code, 2, "{early:?}");
    assert!(early.stderr.contains("still observing"), "{early:?}");
    assert!(early.stderr.contains("6 d 23 h left"), "{early:?}");
    assert!(support::root_key_status(&moto, &keys[0].id).await.is_some());

    let status = rk.run(&session, &["status", "--json"]);
    let doc = status.json();
    assert!(
        doc["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .all(|k| k["stage"] == "observing"),
        "{doc}"
    );

    // Six days on: still observing, about a day left; delete still refused.
    let status = rk.run_at(&session, six_days, &["status", "--json"]);
    let doc = status.json();
    for k in doc["keys"].as_array().expect("keys") {
        assert_eq!(k["stage"], "observing", "{doc}");
    }
    let early = rk.run_at(
        &session,
        six_days,
        &["delete", &keys[0].id, "--confirm", &keys[0].id],
    );
    assert_eq!(early.code, 2, "{early:?}");
    assert!(early.stderr.contains("still observing: 23 h"), "{early:?}");
    assert!(support::root_key_status(&moto, &keys[0].id).await.is_some());

    // Eight days on: the window has passed.
    let status = rk.run_at(&session, eight_days, &["status", "--json"]);
    let doc = status.json();
    for k in doc["keys"].as_array().expect("keys") {
        assert_eq!(k["stage"], "ready_to_delete", "{doc}");
        assert_eq!(k["next_action"], "delete", "{doc}");
    }

    let first = rk.run_at(
        &session,
        eight_days,
        &["delete", &keys[0].id, "--confirm", &keys[0].id],
    );
    assert_eq!(first.code, 0, "{first:?}");
    assert!(
        first.stdout.contains("still reports 1 root access key"),
        "{first:?}"
    );
    let last = rk.run_at(
        &session,
        eight_days,
        &["delete", &keys[1].id, "--confirm", &keys[1].id],
    );
    assert_eq!(last.code, 0, "{last:?}");
    assert!(
        last.stdout.contains("AccountAccessKeysPresent = 0"),
        "{last:?}"
    );
    assert!(last.stdout.contains("COMPLIANT"), "{last:?}");
    assert!(support::root_key_status(&moto, &keys[1].id).await.is_none());

    let status = rk.run_at(&session, eight_days, &["status", "--json"]);
    let doc = status.json();
    assert_eq!(doc["cis_compliant"], true, "{doc}");
    assert_eq!(doc["root_keys_present"], 0);
    assert_eq!(doc["deleted"].as_array().expect("deleted").len(), 2);
    let text = rk.run_at(&session, eight_days, &["status"]);
    assert!(
        text.stdout.contains("COMPLIANT (no root access key)"),
        "{text:?}"
    );

    // Every write has its intent and its outcome, in that order.
    let lines = journal_lines(&rk);
    for key in &keys {
        assert_eq!(
            phases_for(&lines, &key.id, "deactivate"),
            ["intent", "outcome"]
        );
        assert_eq!(phases_for(&lines, &key.id, "delete"), ["intent", "outcome"]);
    }
    for l in &lines {
        assert_eq!(l["account"], ACCOUNT);
        assert_eq!(l["caller"], "arn:aws:iam::123456789012:root");
        assert!(l["version"].is_string());
        if l["phase"] == "outcome" {
            assert_eq!(l["result"], "ok", "{l}");
        }
    }
    let history = rk.run(&session, &["journal"]);
    assert_eq!(history.code, 0);
    assert_eq!(history.stdout.matches("intent").count(), 4, "{history:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn backout_reactivates_and_journals_both() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&session, &["deactivate", &keys[0].id, "--yes"]);
    assert_eq!(run.code, 0, "{run:?}");
    let run = rk.run(&session, &["reactivate", &keys[0].id, "--yes"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Active)
    );
    let lines = journal_lines(&rk);
    assert_eq!(
        phases_for(&lines, &keys[0].id, "deactivate"),
        ["intent", "outcome"]
    );
    assert_eq!(
        phases_for(&lines, &keys[0].id, "reactivate"),
        ["intent", "outcome"]
    );
    // Reactivating an active key again is a success that changes nothing.
    let again = rk.run(&session, &["reactivate", &keys[0].id, "--yes"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("already active"), "{again:?}");
    assert_eq!(
        phases_for(&journal_lines(&rk), &keys[0].id, "reactivate"),
        ["intent", "outcome", "observed"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn active_key_cannot_be_deleted_even_with_force() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let run = rk.run(
        &session,
        &["delete", &keys[0].id, "--confirm", &keys[0].id, "--force"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("active keys are deactivated first"),
        "{run:?}"
    );
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Active)
    );
    assert!(!rk.journal_text().contains("\"delete\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn observing_key_needs_force_which_is_journaled_loudly() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    assert_eq!(
        rk.run(&session, &["deactivate", &keys[0].id, "--yes"]).code,
        0
    );
    let refused = rk.run(&session, &["delete", &keys[0].id, "--confirm", &keys[0].id]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("still observing: 6 d 23 h left"),
        "{refused:?}"
    );
    assert!(support::root_key_status(&moto, &keys[0].id).await.is_some());

    let forced = rk.run(
        &session,
        &["delete", &keys[0].id, "--confirm", &keys[0].id, "--force"],
    );
    assert_eq!(forced.code, 0, "{forced:?}");
    assert!(forced.stderr.contains("--force"), "{forced:?}");
    assert!(support::root_key_status(&moto, &keys[0].id).await.is_none());
    let lines = journal_lines(&rk);
    let intent = lines
        .iter()
        .find(|l| l["action"] == "delete" && l["phase"] == "intent")
        .expect("delete intent");
    assert_eq!(intent["forced"], true);
    assert!(
        intent["note"]
            .as_str()
            .expect("note")
            .contains("OVERRIDDEN")
    );
    let history = rk.run(&session, &["journal"]);
    assert!(
        history.stdout.contains("[WINDOW OVERRIDDEN]"),
        "{history:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_needs_the_exact_key_id() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    assert_eq!(
        rk.run(&session, &["deactivate", &keys[0].id, "--yes"]).code,
        0
    );
    // Eight days on (the injected clock): the window has passed.
    let later = "8d";
    let almost = &keys[0].id[..keys[0].id.len() - 1];
    for wrong in [keys[1].id.as_str(), almost, "", &keys[0].id.to_lowercase()] {
        let run = rk.run_at(
            &session,
            later,
            &["delete", &keys[0].id, "--confirm", wrong],
        );
        assert_eq!(run.code, 2, "{wrong:?}: {run:?}");
        assert!(run.stderr.contains("nothing deleted"), "{run:?}");
    }
    // No --confirm and no terminal: refused.
    let run = rk.run_at(&session, later, &["delete", &keys[0].id]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--confirm"), "{run:?}");
    assert!(
        support::root_key_status(&moto, &keys[0].id).await.is_some(),
        "nothing was deleted"
    );
    assert!(!rk.journal_text().contains("\"delete\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_write_without_a_terminal_or_an_explicit_flag() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&session, &["deactivate", &keys[0].id]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no terminal"), "{run:?}");
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Active)
    );
    assert_eq!(rk.journal_text(), "");

    assert_eq!(
        rk.run(&session, &["deactivate", &keys[0].id, "--yes"]).code,
        0
    );
    let before = rk.journal_text();
    let run = rk.run(&session, &["reactivate", &keys[0].id]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no terminal"), "{run:?}");
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Inactive)
    );
    assert_eq!(
        rk.journal_text(),
        before,
        "a refused write journals nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_key_is_refused() {
    let moto = Moto::start();
    let (_keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&session, &["deactivate", "AKIANOTAKEY000000000", "--yes"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("no root access key AKIANOTAKEY000000000"),
        "{run:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn crash_between_intent_and_outcome_is_reconciled() {
    support::require_failpoints();
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);

    // Killed after AWS applied the change, before the outcome was written.
    let crashed = rk
        .command(&session)
        .args(["deactivate", &keys[0].id, "--yes"])
        .env("ROOTKEYS_FAILPOINT", "after-call")
        .output()
        .expect("run");
    assert_eq!(crashed.status.code(), Some(86));
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Inactive)
    );
    let lines = journal_lines(&rk);
    assert_eq!(phases_for(&lines, &keys[0].id, "deactivate"), ["intent"]);

    // Killed after the intent, before the call: AWS never saw it.
    let crashed = rk
        .command(&session)
        .args(["deactivate", &keys[1].id, "--yes"])
        .env("ROOTKEYS_FAILPOINT", "after-intent")
        .output()
        .expect("run");
    assert_eq!(crashed.status.code(), Some(86));
    assert_eq!(
        support::root_key_status(&moto, &keys[1].id).await,
        Some(StatusType::Active)
    );

    // The next run reconciles both against live state.
    let status = rk.run(&session, &["status", "--json"]);
    assert_eq!(status.code, 0, "{status:?}");
    let lines = journal_lines(&rk);
    let reconciled = |key: &str| {
        lines
            .iter()
            .find(|l| l["key"] == key && l["phase"] == "reconciled")
            .unwrap_or_else(|| panic!("no reconciliation for {key}: {lines:?}"))
            .clone()
    };
    assert_eq!(reconciled(&keys[0].id)["result"], "ok");
    assert_eq!(reconciled(&keys[1].id)["result"], "not_applied");
    let doc = status.json();
    let stage = |key: &str| {
        doc["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .find(|k| k["access_key_id"] == key)
            .map(|k| k["stage"].clone())
            .expect("key")
    };
    assert_eq!(
        stage(&keys[0].id),
        "observing",
        "the window starts from the reconciled deactivation"
    );
    assert_eq!(stage(&keys[1].id), "active");
    // Reconciled once only.
    let _ = rk.run(&session, &["status"]);
    assert_eq!(
        journal_lines(&rk)
            .iter()
            .filter(|l| l["phase"] == "reconciled")
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn damaged_journal_is_read_without_losing_a_line() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let foreign = r#"{"time":"2026-01-01T00:00:00Z","account":"999999999999","caller":"arn:aws:iam::999999999999:root","key":"AKIAFOREIGN","action":"deactivate","phase":"intent","op":"x","version":"0.0.1"}"#;
    let original = format!(
        "garbage line, not JSON\n{foreign}\n{{\"time\":\"2026-01-01T00:00:00Z\",\"acc\n\u{0}\u{1}binary\n{{\"time\":\"2026-11-01T00:00:00Z\",\"account\":\"{ACCOUNT}\",\"caller\":\"arn:aws:iam::{ACCOUNT}:root\",\"key\":\"{}\",\"act",
        keys[0].id
    );
    std::fs::write(
        rk.state.path().join(format!("journal-{ACCOUNT}.jsonl")),
        &original,
    )
    .expect("write journal");

    let status = rk.run(&session, &["status", "--json"]);
    assert_eq!(status.code, 0, "{status:?}");
    let damaged: Vec<u64> = status.json()["damaged_journal_lines"]
        .as_array()
        .expect("damaged")
        .iter()
        .map(|d| d["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(damaged, [1, 3, 4, 5]);

    let run = rk.run(&session, &["deactivate", &keys[0].id, "--yes"]);
    assert_eq!(run.code, 0, "{run:?}");
    let after = rk.journal_text();
    assert!(after.starts_with(&original), "every original byte is kept");
    let history = rk.run(&session, &["journal"]);
    assert_eq!(history.code, 0);
    assert!(history.stdout.contains("line 1: DAMAGED"), "{history:?}");
    assert!(history.stdout.contains("line 5: DAMAGED"), "{history:?}");
    assert!(
        history.stdout.contains("1 record(s) of another account"),
        "{history:?}"
    );
    assert!(
        history
            .stdout
            .contains(&format!("deactivate           {}", keys[0].id)),
        "{history:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_reaches_any_output_or_file() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let token = "FwoGZXIvYXdzSECRETSESSIONTOKENVALUE0123456789";
    // The delete runs eight days on (the injected clock), past the window.
    support::require_failpoints();
    let (now, later) = ("0s", "8d");
    let mut outputs = Vec::new();
    let mut run_with_token = |clock: &str, args: &[&str]| {
        let out = rk
            .command(&session)
            .args(args)
            .env("AWS_SESSION_TOKEN", token)
            .env(rootkeys::failpoint::CLOCK_ENV, clock)
            .output()
            .expect("run");
        outputs.push(String::from_utf8_lossy(&out.stdout).into_owned());
        outputs.push(String::from_utf8_lossy(&out.stderr).into_owned());
        out.status.code()
    };
    run_with_token(now, &["audit", "--json"]);
    assert_eq!(
        run_with_token(now, &["deactivate", &keys[0].id, "--yes"]),
        Some(0)
    );
    assert_eq!(
        run_with_token(later, &["delete", &keys[0].id, "--confirm", &keys[0].id]),
        Some(0)
    );
    run_with_token(later, &["status", "--json"]);
    run_with_token(later, &["journal", "--json"]);
    run_with_token(later, &["deactivate", "AKIANOTAKEY000000000", "--yes"]);
    // A rejected key (deleted above) produces an error path too.
    let out = rk.command(&keys[0]).args(["audit"]).output().expect("run");
    outputs.push(String::from_utf8_lossy(&out.stderr).into_owned());

    let mut files = Vec::new();
    for entry in std::fs::read_dir(rk.state.path()).expect("state dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            files.push(std::fs::read_to_string(&path).expect("read"));
        }
    }
    assert!(!files.is_empty(), "the journal exists");
    for secret in [
        session.secret.as_str(),
        keys[0].secret.as_str(),
        keys[1].secret.as_str(),
        token,
    ] {
        for text in outputs.iter().chain(files.iter()) {
            assert!(!text.contains(secret), "a secret leaked into: {text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_command_without_a_terminal_prints_status() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&session, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("Observation window: 7 d"), "{run:?}");
    assert!(run.stdout.contains(&keys[0].id), "{run:?}");
    assert!(
        !run.stdout.contains("\x1b["),
        "no terminal escapes: {run:?}"
    );
}

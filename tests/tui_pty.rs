//! The interactive view of the real binary in a pseudo-terminal, read back
//! through a terminal emulator (portable-pty + vt100): the demo end to end,
//! the live view against the root-aware moto server, Ctrl-C, a tiny terminal.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_iam::types::StatusType;
use support::pty::Pty;
use support::{Moto, Rootkeys, seed_root};

const T: Duration = Duration::from_secs(20);

/// `rootkeys demo ARGS` with stdout not a terminal: the plain status.
fn demo_status(state: &Path, args: &[&str]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rootkeys"));
    support::isolate(&mut cmd, state);
    let out = cmd
        .arg("demo")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run demo");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Deactivate the selected key, skip past the window, delete it by typing
/// its ID.
fn remove_selected(pty: &mut Pty, key: &str) {
    pty.send("d");
    pty.wait_for(&format!("Deactivate {key}?"), T);
    pty.send("y");
    pty.wait_for("observing · ", T);
    pty.send("S");
    pty.wait_for("ready to delete", T);
    pty.send("D");
    pty.wait_for("Type the key ID to confirm", T);
    // A wrong ID first: nothing happens but the dialog says so.
    pty.send("AKIAWRONG\r");
    pty.wait_for(&format!("That is not {key}"), T);
    pty.send("\x15"); // Ctrl-U clears the field
    pty.send(key);
    pty.send("\r");
    pty.wait_for("Verified: the account summary reports", T);
}

#[test]
fn demo_walk_through_to_compliance_and_resume() {
    let state = tempfile::tempdir().expect("state");
    let env = support::isolated_env(state.path());
    let mut pty = Pty::spawn(&["demo"], &env, 120, 40);
    pty.wait_for("NOT COMPLIANT · 2 root access keys", T);
    pty.wait_for("yesterday · s3 · eu-west-1", T);
    // The report arrives after the table, in the background.
    pty.wait_for("slot 1 · active", T);

    remove_selected(&mut pty, "AKIAEXAMPLEBACKUP001");
    pty.wait_for("NOT COMPLIANT · 1 root access key", T);
    pty.send("g");
    remove_selected(&mut pty, "AKIAEXAMPLEOLDKEY002");
    pty.wait_for("✓ COMPLIANT · no root access key", T);
    pty.wait_for("AccountAccessKeysPresent = 0", T);
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());

    // The walk-through is saved: the same scenario resumes compliant.
    let dir = state.path().join("demo").join("two-keys");
    let journal =
        std::fs::read_to_string(dir.join("journal-123456789012.jsonl")).expect("demo journal");
    assert_eq!(
        journal.matches(r#""phase":"outcome""#).count(),
        4,
        "two deactivations and two deletions: {journal}"
    );
    let (code, text) = demo_status(state.path(), &[]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("NOT COMPLIANT"), "{text}");
    assert!(text.contains("COMPLIANT"), "{text}");
    // --reset starts afresh.
    let (code, text) = demo_status(state.path(), &["--reset"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("NOT COMPLIANT"), "{text}");
    assert!(!dir.join("journal-123456789012.jsonl").exists());
}

#[test]
fn demo_usage_view_shows_what_used_the_backup_key() {
    let state = tempfile::tempdir().expect("state");
    let mut pty = Pty::spawn(&["demo"], &support::isolated_env(state.path()), 120, 40);
    pty.wait_for("yesterday · s3 · eu-west-1", T);
    pty.send("u");
    pty.wait_for("Usage · AKIAEXAMPLEBACKUP001", T);
    // The summary arrives from the background search.
    pty.wait_for("By action:", T);
    pty.wait_for("s3 GetBucketLocation", T);
    pty.wait_for("aws-cli/2.15.30 Python/3.11.8 … command/s3.sync", T);
    pty.wait_for("could not be searched: ap-southeast-2", T);
    // To the end: the limits name the failed region and its error.
    pty.send("G");
    pty.wait_for("ap-southeast-2 failed (AccessDeniedException", T);
    // Back to the key facts, then the forgotten key: never seen.
    pty.send("u");
    pty.wait_for("Demo note", T);
    pty.send("j");
    pty.send("u");
    pty.wait_for("No management events signed with AKIAEXAMPLEOLDKEY002", T);
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());
}

#[test]
fn unknown_scenario_lists_the_available_ones() {
    let state = tempfile::tempdir().expect("state");
    let (code, text) = demo_status(state.path(), &["--scenario", "../../etc"]);
    assert_eq!(code, 2, "{text}");
    for name in ["two-keys", "auditor", "signing-key"] {
        assert!(text.contains(name), "{text}");
    }
    assert!(!state.path().join("demo").exists(), "nothing created");
}

#[tokio::test(flavor = "multi_thread")]
async fn live_view_deactivates_a_root_key_through_the_journal() {
    let moto = Moto::start();
    let keys = seed_root(&moto).await;
    let rk = Rootkeys::new(&moto);
    // Signed with root key 0; key 1 is the one to deactivate. The signing
    // key is listed last, so key 1 is selected first.
    let env = rk.env(&keys[0]);
    let mut pty = Pty::spawn(&[], &env, 120, 40);
    pty.wait_for("root ✓", T);
    pty.wait_for("● signs this session", T);
    pty.wait_for(&format!("▶ {}", keys[1].id), T);
    pty.send("d");
    pty.wait_for(&format!("Deactivate {}?", keys[1].id), T);
    pty.send("y");
    pty.wait_for(&format!("Deactivated {}", keys[1].id), T);
    pty.wait_for("observing · ", T);
    let screen = pty.screen();
    for k in &keys {
        assert!(!screen.contains(&k.secret), "no secret on screen");
    }
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    assert!(!raw.contains(&keys[0].secret), "no secret in the output");

    assert_eq!(
        support::root_key_status(&moto, &keys[1].id).await,
        Some(StatusType::Inactive)
    );
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Active),
        "the signing key is untouched"
    );
    let journal = rk.journal_text();
    let lines: Vec<&str> = journal
        .lines()
        .filter(|l| l.contains(&keys[1].id))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains(r#""action":"deactivate","phase":"intent""#)),
        "{journal}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(r#""action":"deactivate","phase":"outcome""#)
                && l.contains(r#""result":"ok""#)),
        "{journal}"
    );
}

#[test]
fn ctrl_c_restores_the_terminal() {
    let state = tempfile::tempdir().expect("state");
    let mut pty = Pty::spawn(&["demo"], &support::isolated_env(state.path()), 100, 30);
    pty.wait_for("NOT COMPLIANT", T);
    let before = pty.raw().len();
    pty.send("\x03");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());
    let after = pty.raw()[before..].to_vec();
    let after = String::from_utf8_lossy(&after);
    assert!(
        after.contains("\x1b[?1049l"),
        "leaves the alternate screen: {after:?}"
    );
    assert!(after.contains("\x1b[?25h"), "shows the cursor: {after:?}");
}

#[test]
fn a_20x6_terminal_gets_a_note_not_a_panic() {
    let state = tempfile::tempdir().expect("state");
    let mut pty = Pty::spawn(&["demo"], &support::isolated_env(state.path()), 20, 6);
    pty.wait_for("too small", T);
    // Stay alive while the account loads and frames are drawn (the demo's
    // report takes about two seconds).
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        assert!(pty.alive(), "exited early: {}", pty.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    pty.send("?");
    pty.send("q");
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    assert!(!raw.contains("panicked"), "{raw}");
}

#[test]
fn a_panic_in_a_background_task_restores_the_terminal_and_fails() {
    let state = tempfile::tempdir().expect("state");
    let mut env = support::isolated_env(state.path());
    env.push((
        "ROOTKEYS_FAILPOINT".to_owned(),
        rootkeys::tui::PANIC_FAILPOINT.to_owned(),
    ));
    let mut pty = Pty::spawn(&["demo"], &env, 100, 30);
    let code = pty.wait_exit(T);
    assert_eq!(
        i32::try_from(code).expect("code"),
        rootkeys::tui::PANIC_EXIT,
        "{}",
        pty.screen()
    );
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    let entered = raw
        .find("\x1b[?1049h")
        .expect("entered the alternate screen");
    let left = raw.rfind("\x1b[?1049l").expect("left the alternate screen");
    assert!(left > entered);
    assert!(raw[entered..].contains("\x1b[?25h"), "cursor shown again");
    assert!(
        raw[left..].contains("injected panic"),
        "the panic is reported after leaving: {raw:?}"
    );
}

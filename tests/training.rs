//! The demo's training walk-through, from start to "Done", without the
//! README: the real event loop on a `TestBackend` over the simulated
//! account (tokio's clock paused, so the simulated latencies pass in
//! virtual time), and the real binary in a pseudo-terminal.
//!
//! - signing-key: once the session's own key is deactivated, the way out
//!   (a simulated temporary root session, or `--reset`) is on screen;
//! - the finished state reads as finished, also after a restart;
//! - two-keys: the nightly backup fails while its key is inactive, the
//!   trainee backs out, moves the job to a role and deactivates again;
//!   the first step ticks only once a key was reviewed; the usage review
//!   follows the simulated clock;
//! - the journal panel (`J`);
//! - leaving a view that never reached the account exits 2.

mod support;

use std::sync::Arc;
use std::time::Duration;

use futures::channel::mpsc::{UnboundedSender, unbounded};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use rootkeys::account::Account;
use rootkeys::account::sim::Latency;
use rootkeys::domain::KeyStatus;
use rootkeys::exit::Exit;
use rootkeys::tui::action::Action;
use rootkeys::tui::app::{App, Mode};
use rootkeys::tui::runner::{Worker, run};
use rootkeys::tui::theme::Theme;

use support::pty::Pty;
use support::tui::Setup;

type Keys = UnboundedSender<std::io::Result<Event>>;

const BACKUP: &str = "AKIAEXAMPLEBACKUP001";
const OLD: &str = "AKIAEXAMPLEOLDKEY002";
const SESSION: &str = "AKIAEXAMPLESESSION01";
const DEPLOY: &str = "AKIAEXAMPLEDEPLOY002";

fn key(keys: &Keys, code: KeyCode) {
    keys.unbounded_send(Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))))
        .expect("send key");
}

fn chars(keys: &Keys, text: &str) {
    for c in text.chars() {
        key(keys, KeyCode::Char(c));
    }
}

async fn pause(secs: u64) {
    tokio::time::sleep(Duration::from_secs(secs)).await;
}

/// Run the loop on a `cols`x`rows` test terminal while `script` types,
/// then leave with `q`; the final screen. The app can be driven again
/// (as after a pause): its quit request is cleared.
async fn drive<F>(
    s: &Setup,
    app: &mut App,
    (cols, rows): (u16, u16),
    script: impl FnOnce(Keys) -> F,
) -> String
where
    F: std::future::Future<Output = ()>,
{
    let mut terminal = Terminal::new(TestBackend::new(cols, rows)).expect("terminal");
    let worker = Worker::new(Arc::clone(&s.remediator));
    let (keys, events) = unbounded();
    let (_actions_tx, actions) = tokio::sync::mpsc::unbounded_channel::<Action>();
    let (result, ()) = tokio::join!(run(&mut terminal, app, &worker, events, actions), async {
        let quit = keys.clone();
        script(keys).await;
        pause(5).await;
        key(&quit, KeyCode::Char('q'));
    });
    result.expect("the loop ends cleanly");
    terminal.backend().to_string()
}

fn wide() -> (u16, u16) {
    (120, 40)
}

fn demo_app(s: &Setup) -> App {
    s.app(true, Theme::plain())
}

async fn status_of(s: &Setup, id: &str) -> Option<KeyStatus> {
    s.sim
        .caller_keys()
        .await
        .ok()?
        .into_iter()
        .find(|k| k.access_key_id.as_deref() == Some(id))
        .map(|k| k.status)
}

/// Type the key ID into the delete dialog and confirm.
async fn delete_typed(keys: &Keys, id: &str) {
    key(keys, KeyCode::Char('D'));
    chars(keys, id);
    key(keys, KeyCode::Enter);
    pause(5).await;
}

/// d, then y in the dialog.
async fn deactivate(keys: &Keys) {
    key(keys, KeyCode::Char('d'));
    key(keys, KeyCode::Char('y'));
    pause(5).await;
}

fn journal_text(s: &Setup, account: &str) -> String {
    std::fs::read_to_string(s.dir.path().join(format!("journal-{account}.jsonl")))
        .unwrap_or_default()
}

// ---- 1. signing-key can be finished -----------------------------------------

#[tokio::test(start_paused = true)]
async fn signing_key_scenario_finishes_through_a_temporary_root_session() {
    let s = Setup::open("signing-key", Latency::DEMO);
    let mut app = demo_app(&s);
    // The other key first: deactivate, skip the window, delete.
    let screen = drive(&s, &mut app, wide(), |keys| async move {
        pause(5).await;
        deactivate(&keys).await;
        key(&keys, KeyCode::Char('S'));
        pause(5).await;
        delete_typed(&keys, DEPLOY).await;
        // Then the session's own key, last.
        key(&keys, KeyCode::Char('g'));
        deactivate(&keys).await;
    })
    .await;
    assert_eq!(status_of(&s, DEPLOY).await, None, "deleted");
    assert!(
        matches!(app.mode, Mode::SessionEnded { .. }),
        "{:?}",
        app.mode
    );
    // The way out is on the screen that ends the session, and in its footer.
    assert!(
        screen.contains("c continue in a simulated CloudShell root session"),
        "{screen}"
    );

    // A restart with the session's key inactive: rejected, and the screen
    // says what to do (continue as temporary root, or start over).
    let mut restarted = demo_app(&s);
    let screen = drive(&s, &mut restarted, (80, 24), |_| async { pause(5).await }).await;
    assert!(screen.contains("InvalidClientTokenId"), "{screen}");
    assert!(screen.contains("press c to continue"), "{screen}");
    assert!(
        screen.contains("rootkeys demo --scenario signing-key --reset"),
        "{screen}"
    );
    assert!(screen.contains("c continue in a simulated"), "{screen}");
    assert_eq!(restarted.exit(), Exit::Failed, "never reached the account");

    // c: a simulated CloudShell root session; the deactivated key can be
    // deleted once its window has passed.
    restarted.quit = None;
    let screen = drive(&s, &mut restarted, wide(), |keys| async move {
        pause(2).await;
        key(&keys, KeyCode::Char('c'));
        pause(5).await;
        key(&keys, KeyCode::Char('S'));
        pause(5).await;
        delete_typed(&keys, SESSION).await;
    })
    .await;
    assert_eq!(status_of(&s, SESSION).await, None, "deleted: {screen}");
    assert!(screen.contains("✓ COMPLIANT"), "{screen}");
    assert!(screen.contains("✓ 6. Verify"), "{screen}");
    // This scenario's root has MFA: the Prevent step's check passes.
    assert!(screen.contains("✓ 7. Prevent · MFA on"), "{screen}");
    assert_eq!(restarted.exit(), Exit::Done);
    let me = s.sim.identity().await.expect("temporary root works");
    assert!(me.signing_key_id.is_some_and(|k| k.starts_with("ASIA")));
}

#[tokio::test(start_paused = true)]
async fn c_right_after_the_session_ended_continues_too() {
    let s = Setup::open("signing-key", Latency::DEMO);
    let mut app = demo_app(&s);
    let screen = drive(&s, &mut app, (80, 24), |keys| async move {
        pause(5).await;
        key(&keys, KeyCode::Char('j'));
        deactivate(&keys).await;
        key(&keys, KeyCode::Char('c'));
        pause(5).await;
    })
    .await;
    assert!(!app.session_ended(), "{screen}");
    assert!(
        screen.contains("(temporary credentials") && screen.contains("ASIAEXAMPLECLOUDSH01"),
        "{screen}"
    );
    assert!(screen.contains("observing"), "{screen}");
}

// ---- 2. the finished state looks finished ------------------------------------------

#[tokio::test(start_paused = true)]
async fn the_finished_state_says_done_and_a_restart_opens_on_it() {
    let s = Setup::open("two-keys", Latency::DEMO);
    let mut app = demo_app(&s);
    let screen = drive(&s, &mut app, wide(), |keys| async move {
        pause(5).await;
        for id in [BACKUP, OLD] {
            key(&keys, KeyCode::Char('u'));
            pause(5).await;
            key(&keys, KeyCode::Esc);
            deactivate(&keys).await;
            key(&keys, KeyCode::Char('S'));
            pause(5).await;
            delete_typed(&keys, id).await;
            key(&keys, KeyCode::Char('g'));
        }
        // Another key after the verdict: the finished state stays.
        key(&keys, KeyCode::Char('j'));
        pause(1).await;
    })
    .await;
    assert!(
        screen.contains("✓ COMPLIANT · no root access key"),
        "{screen}"
    );
    assert!(screen.contains("✓ 6. Verify"), "{screen}");
    assert!(!screen.contains("▶ 6. Verify"), "{screen}");
    // Root has no MFA here: Prevent is advice, and Done does not wait for it.
    assert!(
        screen.contains("⚠ 7. Prevent · advice: MFA off"),
        "{screen}"
    );
    assert!(screen.contains("Next: step 7, Prevent"), "{screen}");
    assert!(screen.contains("4. Backout · not needed"), "{screen}");
    assert!(screen.contains("Done: no root access key"), "{screen}");
    assert!(
        screen.contains("Done       no root access key; account compliant"),
        "{screen}"
    );
    assert!(!screen.contains("done: verify"), "{screen}");

    // A restart opens on the summary, not on the scenario's opening text.
    let mut again = demo_app(&s);
    let screen = drive(&s, &mut again, (80, 24), |_| async { pause(5).await }).await;
    assert!(
        screen.contains("✓ Done: no root access key; account compliant"),
        "{screen}"
    );
    assert!(screen.contains("--reset"), "{screen}");
    assert!(!screen.contains("Root has two access keys"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn the_auditor_is_done_once_every_key_slot_is_reviewed() {
    let s = Setup::open("auditor", Latency::DEMO);
    let mut app = demo_app(&s);
    let screen = drive(&s, &mut app, wide(), |_| async move {
        pause(5).await;
    })
    .await;
    assert!(screen.contains("▶ 1. Review"), "{screen}");
    assert!(!screen.contains("Done (auditor)"), "{screen}");
    assert!(
        !screen.contains("move job to role"),
        "no job moves for an auditor: {screen}"
    );

    // Looking at the first slot, then the second: both reviewed.
    app.quit = None;
    let screen = drive(&s, &mut app, wide(), |keys| async move {
        pause(2).await;
        key(&keys, KeyCode::Char('j'));
        pause(1).await;
        key(&keys, KeyCode::Char('k'));
        pause(1).await;
    })
    .await;
    assert!(
        screen.contains("Done (auditor): every root access key reviewed"),
        "{screen}"
    );
    assert!(screen.contains("✓ 1. Review"), "{screen}");
    assert!(screen.contains("2. Deactivate · root's part"), "{screen}");
    assert!(screen.contains("6. Verify · root's part"), "{screen}");
    // Prevent is advice the auditor can pass on: root has no MFA here.
    assert!(
        screen.contains("⚠ 7. Prevent · advice: MFA off"),
        "{screen}"
    );
    assert!(
        !screen.contains("▶ 1. Review"),
        "no step is current any more: {screen}"
    );
}

// ---- 3. observation teaches ------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn the_nightly_job_fails_and_the_trainee_backs_out_moves_it_and_finishes() {
    let s = Setup::open("two-keys", Latency::DEMO);
    let mut app = demo_app(&s);
    // Review ticks only once a key was reviewed, not on load.
    let screen = drive(&s, &mut app, wide(), |_| async { pause(5).await }).await;
    assert!(screen.contains("▶ 1. Review"), "{screen}");
    assert!(!screen.contains("✓ 1. Review"), "{screen}");
    app.quit = None;
    let screen = drive(&s, &mut app, wide(), |keys| async move {
        pause(5).await;
        key(&keys, KeyCode::Char('u'));
        pause(5).await;
        key(&keys, KeyCode::Char('u'));
    })
    .await;
    assert!(screen.contains("✓ 1. Review"), "{screen}");
    assert!(screen.contains("▶ 2. Deactivate"), "{screen}");

    // Deactivate, skip a day: the backup's nightly run is denied.
    app.quit = None;
    let screen = drive(&s, &mut app, wide(), |keys| async move {
        pause(5).await;
        deactivate(&keys).await;
        key(&keys, KeyCode::Char('s'));
        pause(5).await;
    })
    .await;
    for needle in [
        "Nightly backup denied 2026-11-26 09:00 UTC",
        "InvalidClientTokenId",
        "(key inactive) · 203.0.113.24 ·",
        "aws-cli/2.15.30 … command/s3.sync",
        "aws-cli/2.15.30",
        "a reactivates, m moves the job to a role",
    ] {
        assert!(screen.contains(needle), "{needle}: {screen}");
    }
    // The usage review shows the failed call, with the clock's relative times.
    app.quit = None;
    let screen = drive(&s, &mut app, wide(), |keys| async move {
        pause(5).await;
        key(&keys, KeyCode::Char('u'));
        pause(5).await;
    })
    .await;
    assert!(screen.contains("error: InvalidClientTokenId"), "{screen}");
    assert!(
        screen.contains("2026-11-24 09:00 UTC (2 days ago)"),
        "relative to the simulated clock: {screen}"
    );

    // Back out, move the job to a role, deactivate again: the next day is
    // quiet, the window passes, delete, and the other key too.
    app.quit = None;
    let screen = drive(&s, &mut app, wide(), |keys| async move {
        pause(2).await;
        key(&keys, KeyCode::Char('u'));
        key(&keys, KeyCode::Char('a'));
        key(&keys, KeyCode::Char('y'));
        pause(5).await;
        key(&keys, KeyCode::Char('m'));
        pause(5).await;
        deactivate(&keys).await;
        key(&keys, KeyCode::Char('s'));
        pause(5).await;
    })
    .await;
    assert!(
        screen.contains("Simulated clock moved 1 d ahead"),
        "{screen}"
    );
    assert!(!screen.contains("denied"), "{screen}");
    assert!(screen.contains("✓ 2. Deactivate"), "{screen}");
    assert!(screen.contains("▶ 3. Observe"), "{screen}");
    app.quit = None;
    let screen = drive(&s, &mut app, wide(), |keys| async move {
        pause(5).await;
        key(&keys, KeyCode::Char('S'));
        pause(5).await;
        delete_typed(&keys, BACKUP).await;
        key(&keys, KeyCode::Char('g'));
        deactivate(&keys).await;
        key(&keys, KeyCode::Char('S'));
        pause(5).await;
        delete_typed(&keys, OLD).await;
    })
    .await;
    assert!(screen.contains("✓ COMPLIANT"), "{screen}");
    assert!(screen.contains("✓ 4. Backout · used"), "{screen}");
    let journal = journal_text(&s, "123456789012");
    assert_eq!(journal.matches(r#""action":"reactivate""#).count(), 2);
    assert_eq!(journal.matches(r#""action":"deactivate""#).count(), 6);
    // The job's later runs were the role's: the key shows no new use.
    let report = rootkeys::account::usage::fetch_usage(
        s.sim.trail_source().expect("trail").as_ref(),
        &rootkeys::domain::usage::UsageQuery::new(BACKUP),
        s.sim.now(),
        Duration::ZERO,
        |_| {},
    )
    .await;
    let newest = report.events.first().expect("events");
    assert_eq!(newest.error_code.as_deref(), Some("InvalidClientTokenId"));
}

// ---- 4. the journal panel -------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn j_shows_the_journal_newest_last_and_esc_closes_it() {
    let s = Setup::open("two-keys", Latency::DEMO);
    let mut app = demo_app(&s);
    let screen = drive(&s, &mut app, (80, 24), |keys| async move {
        pause(5).await;
        deactivate(&keys).await;
        key(&keys, KeyCode::Char('a'));
        key(&keys, KeyCode::Char('y'));
        pause(5).await;
        key(&keys, KeyCode::Char('J'));
        pause(1).await;
    })
    .await;
    assert!(matches!(app.mode, Mode::Journal(_)), "{:?}", app.mode);
    assert!(screen.contains("╭ Journal"), "{screen}");
    assert!(screen.contains("Esc close"), "{screen}");
    let rows: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains(BACKUP) && l.contains("│ 2026-"))
        .collect();
    assert_eq!(rows.len(), 4, "{screen}");
    assert!(
        rows[0].contains("deactivate") && rows[0].contains("intent"),
        "{screen}"
    );
    assert!(
        rows[1].contains("deactivate") && rows[1].contains(" ok "),
        "{screen}"
    );
    assert!(
        rows[3].contains("reactivate") && rows[3].contains("ok"),
        "{screen}"
    );
    // Scrolling stays within the text; Esc closes, the view stays.
    app.quit = None;
    let screen = drive(&s, &mut app, (80, 24), |keys| async move {
        pause(5).await;
        key(&keys, KeyCode::Char('J'));
        pause(1).await;
        for code in [
            KeyCode::Char('k'),
            KeyCode::PageUp,
            KeyCode::Char('j'),
            KeyCode::PageDown,
        ] {
            key(&keys, code);
        }
        key(&keys, KeyCode::Esc);
        pause(1).await;
    })
    .await;
    assert_eq!(app.mode, Mode::Browse);
    assert!(!screen.contains("╭ Journal"), "{screen}");
    // The help names it.
    let help = rootkeys::tui::keymap::help_sections(true, false);
    assert!(
        help.iter()
            .flat_map(|(_, b)| b.iter())
            .any(|b| b.label == "J" && b.help.contains("journal"))
    );
}

// ---- 13. a view that never reached the account exits 2 --------------------------

#[tokio::test(start_paused = true)]
async fn leaving_a_view_that_never_reached_the_account_is_a_failure() {
    let s = Setup::open("signing-key", Latency::DEMO);
    s.sim
        .set_status(SESSION, KeyStatus::Inactive)
        .await
        .expect("deactivate the session's key");
    let mut app = demo_app(&s);
    let screen = drive(&s, &mut app, (80, 24), |_| async { pause(5).await }).await;
    assert!(screen.contains("the credentials were rejected"), "{screen}");
    assert_eq!(app.exit(), Exit::Failed);
    // Once it has read the account, leaving is fine.
    let ok = Setup::open("two-keys", Latency::DEMO);
    let mut app = demo_app(&ok);
    drive(&ok, &mut app, (80, 24), |_| async { pause(5).await }).await;
    assert_eq!(app.exit(), Exit::Done);
}

// ---- the real binary, a whole scenario ---------------------------------------------

const T: Duration = Duration::from_secs(30);

fn remove(pty: &mut Pty, key: &str) {
    pty.send("S");
    pty.wait_for("ready to delete", T);
    pty.send("D");
    pty.wait_for("Type the key ID to confirm", T);
    pty.send(key);
    pty.send("\r");
    pty.wait_for("Verified: the account summary reports", T);
}

fn deactivate_pty(pty: &mut Pty, key: &str) {
    pty.send("d");
    pty.wait_for(&format!("Deactivate {key}?"), T);
    pty.send("y");
    pty.wait_for(&format!("Deactivated {key}"), T);
    // Skipping waits for the account to be read again.
    pty.wait_for("observing", T);
}

#[test]
fn two_keys_from_start_to_done_in_the_real_binary() {
    let state = tempfile::tempdir().expect("state");
    let env = support::isolated_env(state.path());
    let mut pty = Pty::spawn(&["demo", "--scenario", "two-keys"], &env, 120, 40);
    pty.wait_for("NOT COMPLIANT · 2 root access keys", T);
    pty.wait_for("▶ 1. Review", T);

    // Review: what used the key.
    pty.send("u");
    pty.wait_for("Newest 10 events", T);
    pty.send("u");
    pty.wait_for("✓ 1. Review", T);

    // Deactivate, skip a day: the nightly run fails.
    deactivate_pty(&mut pty, BACKUP);
    pty.send("s");
    pty.wait_for("Nightly backup denied", T);
    pty.wait_for("InvalidClientTokenId", T);
    pty.send("u");
    pty.wait_for("error: InvalidClientTokenId", T);
    pty.send("u");

    // Back out, move the job to a role, deactivate again.
    pty.send("a");
    pty.wait_for(&format!("Reactivate {BACKUP}?"), T);
    pty.send("y");
    pty.wait_for(&format!("Reactivated {BACKUP}"), T);
    pty.wait_for("▶ 2. Deactivate", T);
    pty.send("m");
    pty.wait_for("the job moved to the IAM role", T);
    deactivate_pty(&mut pty, BACKUP);
    pty.send("s");
    pty.wait_for("Simulated clock moved 1 d ahead", T);
    pty.wait_for("observing · 5 d 23 h left", T);
    assert!(!pty.screen().contains("denied"), "{}", pty.screen());

    // Past the window: delete with the typed key ID.
    remove(&mut pty, BACKUP);
    pty.wait_for("NOT COMPLIANT · 1 root access key", T);

    // The forgotten key.
    pty.send("g");
    deactivate_pty(&mut pty, OLD);
    remove(&mut pty, OLD);
    pty.wait_for("✓ COMPLIANT · no root access key", T);
    pty.wait_for("Done       no root access key; account compliant", T);
    pty.wait_for("✓ 6. Verify", T);
    pty.wait_for("✓ 4. Backout · used", T);

    // The journal, then leave.
    pty.send("J");
    pty.wait_for("╭ Journal", T);
    pty.wait_for("reactivate", T);
    pty.send("\x1b");
    pty.wait_for("╭ Walkthrough", T);
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());

    // A restart opens on the summary.
    let mut pty = Pty::spawn(&["demo", "--scenario", "two-keys"], &env, 80, 24);
    pty.wait_for("Done: no root access key; account compliant", T);
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());
}

#[test]
fn signing_key_from_start_to_done_in_the_real_binary() {
    let state = tempfile::tempdir().expect("state");
    let env = support::isolated_env(state.path());
    let mut pty = Pty::spawn(&["demo", "--scenario", "signing-key"], &env, 80, 24);
    pty.wait_for("NOT COMPLIANT · 2 root access keys", T);
    deactivate_pty(&mut pty, DEPLOY);
    remove(&mut pty, DEPLOY);
    pty.send("g");
    pty.send("d");
    pty.wait_for(&format!("Deactivate {SESSION}?"), T);
    pty.send("y");
    pty.wait_for("This session has ended", T);
    pty.wait_for("c continue in a simulated CloudShell root session", T);
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());

    // Every restart is rejected, and says what to do.
    let mut pty = Pty::spawn(&["demo", "--scenario", "signing-key"], &env, 80, 24);
    pty.wait_for("InvalidClientTokenId", T);
    pty.wait_for("--scenario signing-key --reset", T);
    pty.send("c");
    pty.wait_for("ASIAEXAMPLECLOUDSH01", T);
    pty.wait_for("observing", T);
    remove(&mut pty, SESSION);
    pty.wait_for("✓ COMPLIANT · no root access key", T);
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());

    // Quitting a view that never reached the account exits 2.
    let fresh = tempfile::tempdir().expect("state");
    let env = support::isolated_env(fresh.path());
    let mut pty = Pty::spawn(&["demo", "--scenario", "signing-key"], &env, 80, 24);
    pty.wait_for("NOT COMPLIANT", T);
    pty.send("j");
    pty.send("d");
    pty.wait_for(&format!("Deactivate {SESSION}?"), T);
    pty.send("y");
    pty.wait_for("This session has ended", T);
    pty.send("q");
    pty.wait_exit(T);
    let mut pty = Pty::spawn(&["demo", "--scenario", "signing-key"], &env, 80, 24);
    pty.wait_for("InvalidClientTokenId", T);
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 2, "{}", pty.screen());
}

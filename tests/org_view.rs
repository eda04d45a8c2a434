//! The organization view: whole-screen snapshots at 120x40 and 80x24 of a
//! simulated organization's audit (insta), and the real event loop on a
//! `TestBackend` with scripted keys (filter, `n`, Enter, Esc). Tokio's clock
//! is paused in the loop tests: the simulated latencies advance virtual
//! time only, so the runs are exact.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::channel::mpsc::{UnboundedSender, unbounded};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use rootkeys::account::sim::SimClock;
use rootkeys::exit::Exit;
use rootkeys::org::OrgAccess;
use rootkeys::org::model::{AuditedOrg, MemberRow};
use rootkeys::org::preflight;
use rootkeys::org::run::{self, Options, Progress};
use rootkeys::org::sim::{OrgLatency, SimOrg};
use rootkeys::tui::org::action::{Action, Command, Failure, Started};
use rootkeys::tui::org::runner::{Audit, run as run_loop};
use rootkeys::tui::org::state::{Config, Mode, OrgApp, OrgDemo, Quit};
use rootkeys::tui::org::view;
use rootkeys::tui::theme::Theme;

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:15:00Z")
        .expect("date")
        .with_timezone(&Utc)
}

fn sim(latency: OrgLatency) -> SimOrg {
    SimOrg::open(SimClock::Fixed(t0()), latency).expect("scenario")
}

fn demo(sim: &SimOrg) -> OrgDemo {
    OrgDemo {
        scenario: "org".to_owned(),
        title: sim.title().to_owned(),
        summary: sim.summary().to_owned(),
        notes: sim.notes(),
    }
}

fn app(sim: &SimOrg) -> OrgApp {
    OrgApp::new(Config {
        theme: Theme::plain(),
        demo: Some(demo(sim)),
        now: t0(),
    })
}

/// The whole audit of the demo organization, without the view.
async fn audited(sim: &SimOrg) -> (AuditedOrg, Started) {
    let dir = tempfile::tempdir().expect("state");
    let ready = preflight::check(sim).await.expect("prerequisites");
    let org = run::audit(sim, &ready, &Options::default(), dir.path(), &mut |_| {})
        .await
        .expect("audit");
    let started = Started {
        organization: ready.organization.clone(),
        caller_arn: ready.caller.arn.clone(),
    };
    (org, started)
}

async fn finished_app() -> OrgApp {
    let sim = sim(OrgLatency::NONE);
    let (org, started) = audited(&sim).await;
    let mut app = app(&sim);
    app.update(Action::Started(Box::new(started)));
    app.update(Action::Finished(Box::new(org), None));
    app
}

fn cmd(app: &mut OrgApp, c: Command) {
    app.update(Action::Command(c));
}

fn render(app: &mut OrgApp, w: u16, h: u16) -> String {
    app.update(Action::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|frame| view::draw(frame, app)).expect("draw");
    terminal.backend().to_string()
}

fn snap(name: &str, app: &mut OrgApp) {
    for (w, h) in SIZES {
        let screen = render(app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

fn select(app: &mut OrgApp, account: &str) {
    cmd(app, Command::Top);
    for _ in 0..app.rows.len() {
        if app.selected_row().map(|r| r.account_id.as_str()) == Some(account) {
            return;
        }
        cmd(app, Command::Down);
    }
    panic!("{account} not shown");
}

#[tokio::test]
async fn org_checking_prerequisites() {
    let sim = sim(OrgLatency::NONE);
    let mut a = app(&sim);
    snap("org_checking", &mut a);
}

#[tokio::test]
async fn org_audit_in_progress() {
    let sim = sim(OrgLatency::NONE);
    let (org, started) = audited(&sim).await;
    let mut a = app(&sim);
    a.update(Action::Started(Box::new(started)));
    // Five rows arrived (in account order), ten accounts listed so far.
    let mut rows: Vec<MemberRow> = org.rows.clone();
    rows.sort_by(|x, y| x.account_id.cmp(&y.account_id));
    for (i, row) in rows.into_iter().take(5).enumerate() {
        let progress = Progress {
            listed: 10,
            listing_done: false,
            done: i + 1,
            errors: 0,
            with_keys: 0,
        };
        a.update(Action::Row(Box::new(row), progress));
    }
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("auditing 5 of 10+ accounts (listing…)"),
        "{screen}"
    );
    assert!(screen.contains("audited 5 / 10+"), "{screen}");
    assert!(screen.contains("so far"), "{screen}");
    snap("org_in_progress", &mut a);
}

#[tokio::test]
async fn org_audit_finished() {
    let mut a = finished_app().await;
    let screen = render(&mut a, 120, 40);
    // Worst first: the key used last night on top; the management account
    // with its credential report key; the SCP error; the suspended account.
    assert!(
        screen.contains("✗ NOT COMPLIANT · 5 of 12 accounts with root access keys"),
        "{screen}"
    );
    assert!(!screen.contains("so far"), "{screen}");
    let first = screen
        .lines()
        .find(|l| l.contains("▶"))
        .expect("a selected row");
    assert!(
        first.contains("210987654321") && first.contains("yesterday"),
        "{first}"
    );
    assert!(screen.contains("management (mgmt)"), "{screen}");
    assert!(screen.contains("not audited"), "{screen}");
    assert!(screen.contains("SCP denies root sessions"), "{screen}");
    snap("org_finished", &mut a);
}

#[tokio::test]
async fn org_detail_of_the_scp_blocked_member() {
    let mut a = finished_app().await;
    select(&mut a, "777777777777");
    cmd(&mut a, Command::Open);
    let screen = render(&mut a, 120, 40);
    assert!(screen.contains("What to do"), "{screen}");
    assert!(screen.contains("aws:AssumedRoot"), "{screen}");
    snap("org_detail_scp", &mut a);
}

#[tokio::test]
async fn org_detail_of_the_management_account() {
    let mut a = finished_app().await;
    select(&mut a, "111111111111");
    cmd(&mut a, Command::Open);
    let screen = render(&mut a, 120, 40);
    assert!(screen.contains("single-account mode"), "{screen}");
    assert!(screen.contains("key slot 1 Active"), "{screen}");
    snap("org_detail_management", &mut a);
}

#[tokio::test]
async fn org_detail_of_the_nightly_key() {
    let mut a = finished_app().await;
    cmd(&mut a, Command::Open);
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("AKIAEXAMPLENIGHTLY01 Active · created 2023-03-04 · last used 2026-11-24 · yesterday · s3 · eu-west-1"),
        "{screen}"
    );
    assert!(screen.contains("Demo note"), "{screen}");
    snap("org_detail_nightly", &mut a);
}

#[tokio::test]
async fn org_filter_while_typing() {
    let mut a = finished_app().await;
    cmd(&mut a, Command::Filter);
    for c in "leg".chars() {
        a.update(Action::Input(c));
    }
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("Accounts · 1 of 12 · filter “leg”"),
        "{screen}"
    );
    assert!(screen.contains("Filter (name or ID): leg"), "{screen}");
    snap("org_filter_typing", &mut a);
}

#[tokio::test]
async fn org_help() {
    let mut a = finished_app().await;
    cmd(&mut a, Command::ToggleHelp);
    let screen = render(&mut a, 120, 40);
    assert!(screen.contains("╭ Help ─"), "{screen}");
    snap("org_help", &mut a);
    // Any key closes it, back where it was opened.
    cmd(&mut a, Command::Down);
    assert_eq!(a.mode, Mode::Browse);
}

#[tokio::test]
async fn org_cannot_be_audited() {
    let sim = sim(OrgLatency::NONE);
    let mut a = app(&sim);
    a.update(Action::Failed(Failure {
        message: "the caller is the root user (arn:aws:iam::111111111111:root): AssumeRoot is \
                  called by an IAM principal, never by root"
            .to_owned(),
        fix: "sign in with an IAM role or user of the management account".to_owned(),
    }));
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("? UNKNOWN · the audit could not run"),
        "{screen}"
    );
    snap("org_failed", &mut a);
    assert_eq!(a.exit(), Exit::Failed);
}

#[test]
fn org_too_small() {
    let sim = SimOrg::open(SimClock::Fixed(t0()), OrgLatency::NONE).expect("scenario");
    let mut a = app(&sim);
    let screen = render(&mut a, 20, 6);
    assert!(screen.contains("too small"), "{screen}");
    // Every size draws without a panic.
    for w in (1..=121).step_by(8) {
        for h in (1..=41).step_by(4) {
            render(&mut a, w, h);
        }
    }
}

// ---- the real loop ----------------------------------------------------

type Keys = UnboundedSender<std::io::Result<Event>>;

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

/// Run the loop over the demo organization while `script` types (the
/// audit is over after 30 s of virtual time); the final screen. The loop
/// ends at `q`, or at the end of input when the script drops its keys.
async fn drive<F>(
    state: &std::path::Path,
    app: &mut OrgApp,
    script: impl FnOnce(Keys) -> F,
) -> String
where
    F: std::future::Future<Output = ()>,
{
    let access: Arc<dyn OrgAccess> = Arc::new(sim(OrgLatency::DEMO));
    let audit = Audit {
        access,
        state_dir: state.to_owned(),
        options: Options {
            concurrency: 3,
            only: None,
        },
        window: TimeDelta::days(7),
    };
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let (keys, events) = unbounded();
    let (_actions_tx, actions) = tokio::sync::mpsc::unbounded_channel::<Action>();
    let (result, ()) = tokio::join!(
        run_loop(&mut terminal, app, audit, events, actions),
        async move {
            pause(30).await;
            script(keys).await;
        }
    );
    result.expect("the loop ends cleanly");
    terminal.backend().to_string()
}

fn loop_app() -> OrgApp {
    let sim = sim(OrgLatency::NONE);
    app(&sim)
}

#[tokio::test(start_paused = true)]
async fn loop_audits_and_journals_each_member_session() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        key(&keys, KeyCode::Char('q'));
    })
    .await;
    assert_eq!(a.quit, Some(Quit::User));
    assert_eq!(a.exit(), Exit::Done);
    assert!(
        screen.contains("✓ audit finished · 12 accounts · 1 could not be audited"),
        "{screen}"
    );
    assert!(screen.contains("audited 12 / 12"), "{screen}");
    // One journal per member audited through AssumeRoot; none for the
    // suspended account or the management account; no credentials.
    for id in [
        "210987654321",
        "222222222222",
        "777777777777",
        "555555555555",
    ] {
        let path = state.path().join(format!("journal-{id}.jsonl"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(text.contains(r#""action":"session_opened""#), "{text}");
        assert!(
            !text.contains("ASIA") && !text.to_lowercase().contains("secret"),
            "{text}"
        );
    }
    for id in ["888888888888", "111111111111"] {
        assert!(
            !state.path().join(format!("journal-{id}.jsonl")).exists(),
            "{id}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn loop_n_shows_only_non_compliant_accounts() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        key(&keys, KeyCode::Char('n'));
        pause(1).await;
        key(&keys, KeyCode::Char('q'));
    })
    .await;
    assert!(
        screen.contains("Accounts · 5 of 12 · non-compliant only"),
        "{screen}"
    );
    assert!(!screen.contains("security-tooling"), "{screen}");
    assert!(!screen.contains("staging"), "{screen}");
    assert!(screen.contains("sandbox-alice"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn loop_filter_applies_while_typing() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        key(&keys, KeyCode::Char('/'));
        // `q` and `n` are text while typing a filter.
        chars(&keys, "stqn");
        key(&keys, KeyCode::Backspace);
        key(&keys, KeyCode::Backspace);
        chars(&keys, "ag");
        pause(1).await;
        // The keys end: the loop stops as on a hang-up.
    })
    .await;
    assert_eq!(a.quit, Some(Quit::Signal("end of input")));
    assert_eq!(a.filter, "stag");
    assert!(
        screen.contains("Accounts · 1 of 12 · filter “stag”"),
        "{screen}"
    );
    assert!(screen.contains("777777777777"), "{screen}");
    assert!(!screen.contains("210987654321"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn loop_enter_keeps_the_filter_and_opens_the_account() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        key(&keys, KeyCode::Char('/'));
        chars(&keys, "staging");
        key(&keys, KeyCode::Enter);
        key(&keys, KeyCode::Enter);
        pause(1).await;
    })
    .await;
    assert_eq!(a.mode, Mode::Detail { scroll: 0 });
    assert_eq!(a.filter, "staging");
    assert!(screen.contains("╭ 777777777777 · staging"), "{screen}");
    assert!(screen.contains("aws:AssumedRoot"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn loop_esc_closes_clears_and_never_leaves() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        key(&keys, KeyCode::Char('/'));
        chars(&keys, "staging");
        key(&keys, KeyCode::Enter);
        key(&keys, KeyCode::Enter);
        key(&keys, KeyCode::Esc); // closes the detail
        key(&keys, KeyCode::Esc); // clears the filter
        key(&keys, KeyCode::Char('n'));
        key(&keys, KeyCode::Esc); // shows every account again
        key(&keys, KeyCode::Esc); // nothing left: says so, stays
        pause(1).await;
    })
    .await;
    assert_eq!(
        a.quit,
        Some(Quit::Signal("end of input")),
        "Esc never leaves"
    );
    assert_eq!(a.mode, Mode::Browse);
    assert!(a.filter.is_empty() && !a.non_compliant_only);
    assert!(screen.contains("Accounts · 12 of 12"), "{screen}");
    assert!(
        screen.contains("Nothing to go back from: q leaves."),
        "{screen}"
    );
}

#[tokio::test(start_paused = true)]
async fn loop_esc_while_typing_clears_the_filter() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        key(&keys, KeyCode::Char('/'));
        chars(&keys, "zzz");
        pause(1).await;
        key(&keys, KeyCode::Esc);
        pause(1).await;
    })
    .await;
    assert!(a.filter.is_empty());
    assert_eq!(a.mode, Mode::Browse);
    assert!(screen.contains("Accounts · 12 of 12"), "{screen}");
}

#[tokio::test]
async fn q_and_help_stay_in_the_footer_at_every_width_and_in_every_mode() {
    let mut a = finished_app().await;
    for open in [false, true] {
        if open {
            select(&mut a, "210987654321");
            cmd(&mut a, Command::Open);
        }
        for w in [60u16, 80, 120] {
            let screen = render(&mut a, w, 24);
            let footer = screen.lines().last().unwrap_or_default().to_owned();
            assert!(footer.contains("q quit"), "{w} cols, open {open}: {footer}");
            assert!(footer.contains("? help"), "{w} cols, open {open}: {footer}");
        }
    }
}

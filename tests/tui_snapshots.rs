//! Whole-screen snapshots of the interactive view at 120x40 and 80x24,
//! driven through `Action`s with results from the simulated account on a
//! fixed clock (so every date and "ago" is stable).

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rootkeys::account::sim::{Latency, SimAccount, SimClock};
use rootkeys::account::{Account, AccountError};
use rootkeys::domain::policy::Request;
use rootkeys::remediate::Remediator;
use rootkeys::tui::action::{Action, Command, Effect, UiError};
use rootkeys::tui::app::{App, Config, DemoInfo};
use rootkeys::tui::theme::Theme;
use rootkeys::tui::view;

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .expect("date")
        .with_timezone(&Utc)
}

struct Fixture {
    sim: Arc<SimAccount>,
    remediator: Remediator,
    demo: bool,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn new(scenario: &str, demo: bool) -> Self {
        let dir = tempfile::tempdir().expect("tmp");
        let sim = Arc::new(
            SimAccount::open(scenario, dir.path(), SimClock::Fixed(t0()), Latency::NONE)
                .expect("scenario"),
        );
        let account: Arc<dyn Account> = sim.clone();
        let remediator = Remediator::new(account, dir.path().to_owned(), TimeDelta::days(7));
        Self {
            sim,
            remediator,
            demo,
            _dir: dir,
        }
    }

    fn app(&self) -> App {
        let scenario = self.sim.scenario();
        App::new(Config {
            source: self.sim.source(),
            window: self.remediator.window(),
            demo: self.demo.then(|| DemoInfo {
                scenario: scenario.name.clone(),
                title: scenario.title.clone(),
                summary: scenario.summary.clone(),
                notes: self.sim.notes(),
            }),
            theme: Theme::color(),
        })
    }

    /// Deliver a fresh snapshot (and, when asked for, the report).
    async fn load(&self, app: &mut App, with_report: bool) {
        let snapshot = self.remediator.snapshot().await;
        let next = app.update(Action::Loaded(snapshot.map_err(|e| UiError::from(&e))));
        if with_report && next == Some(Effect::LoadReport) {
            let row = self.sim.root_report_row().await;
            app.update(Action::ReportLoaded(row.map_err(|e| UiError::from(&e))));
        }
    }

    async fn loaded_app(&self) -> App {
        let mut app = self.app();
        app.start();
        self.load(&mut app, true).await;
        app
    }

    /// Carry out the effect a confirmed dialog asked for, as the loop would.
    async fn run_write(&self, app: &mut App, effect: Option<Effect>) {
        let Some(Effect::Write { request, key_id }) = effect else {
            panic!("expected a write, got {effect:?}")
        };
        let result = self.remediator.execute(request, &key_id).await;
        let next = app.update(Action::WriteDone {
            request,
            key_id,
            result: result.map_err(|e| UiError::from(&e)),
        });
        if next == Some(Effect::Load) {
            self.load(app, true).await;
        }
    }
}

fn cmd(app: &mut App, c: Command) -> Option<Effect> {
    app.update(Action::Command(c))
}

fn render(app: &mut App, w: u16, h: u16) -> String {
    app.update(Action::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|frame| view::draw(frame, app)).expect("draw");
    terminal.backend().to_string()
}

/// Snapshot the app at both sizes.
fn snap(name: &str, app: &mut App) {
    for (w, h) in SIZES {
        let screen = render(app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

#[tokio::test]
async fn loading() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.app();
    app.start();
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("loading…"));
    snap("loading", &mut app);
}

#[tokio::test]
async fn root_with_report_still_loading() {
    let f = Fixture::new("two-keys", false);
    let mut app = f.app();
    app.start();
    f.load(&mut app, false).await;
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("credential report loading"));
    assert!(screen.contains("root ✓"));
    snap("root_report_loading", &mut app);
}

#[tokio::test]
async fn demo_two_keys() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("NOT COMPLIANT"));
    assert!(screen.contains("yesterday · s3 · eu-west-1"));
    assert!(screen.contains("slot 1"), "report facts arrived");
    snap("demo_two_keys", &mut app);
}

#[tokio::test]
async fn help_overlay() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    app.banner = None;
    cmd(&mut app, Command::ToggleHelp);
    snap("help", &mut app);
}

#[tokio::test]
async fn walkthrough_in_the_live_view() {
    let f = Fixture::new("two-keys", false);
    let mut app = f.loaded_app().await;
    let before = render(&mut app, 120, 40);
    assert!(!before.contains("Walkthrough"), "off by default when live");
    cmd(&mut app, Command::ToggleWalkthrough);
    snap("walkthrough", &mut app);
}

#[tokio::test]
async fn deactivate_dialog() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    cmd(&mut app, Command::Deactivate);
    snap("deactivate_dialog", &mut app);
}

#[tokio::test]
async fn deactivate_dialog_for_the_signing_key() {
    let f = Fixture::new("signing-key", true);
    let mut app = f.loaded_app().await;
    cmd(&mut app, Command::Bottom);
    cmd(&mut app, Command::Deactivate);
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("This key signs this very session"));
    snap("deactivate_dialog_signing_key", &mut app);
}

#[tokio::test]
async fn write_in_progress() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    app.banner = None;
    cmd(&mut app, Command::Deactivate);
    let effect = cmd(&mut app, Command::Yes);
    assert!(matches!(effect, Some(Effect::Write { .. })));
    app.update(Action::Tick);
    app.update(Action::Tick);
    snap("write_in_progress", &mut app);
}

#[tokio::test]
async fn observing_after_deactivation() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    cmd(&mut app, Command::Deactivate);
    let effect = cmd(&mut app, Command::Yes);
    f.run_write(&mut app, effect).await;
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("observing · 7 d left"), "{screen}");
    assert!(screen.contains("Deactivated AKIAEXAMPLEBACKUP001"));
    snap("observing", &mut app);
}

#[tokio::test]
async fn refusal_banner() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    cmd(&mut app, Command::Delete);
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("refused: active keys are deactivated first"));
    snap("refusal", &mut app);
}

#[tokio::test]
async fn observing_delete_is_refused_with_time_left() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    cmd(&mut app, Command::Deactivate);
    let effect = cmd(&mut app, Command::Yes);
    f.run_write(&mut app, effect).await;
    f.sim.advance(TimeDelta::days(3)).expect("advance");
    f.load(&mut app, true).await;
    cmd(&mut app, Command::Delete);
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("still observing: 4 d left"), "{screen}");
    snap("refusal_still_observing", &mut app);
}

async fn ready_to_delete(f: &Fixture) -> App {
    let mut app = f.loaded_app().await;
    cmd(&mut app, Command::Deactivate);
    let effect = cmd(&mut app, Command::Yes);
    f.run_write(&mut app, effect).await;
    f.sim
        .advance(TimeDelta::days(7) + TimeDelta::minutes(1))
        .expect("advance");
    f.load(&mut app, true).await;
    app.banner = None;
    app
}

#[tokio::test]
async fn typed_delete_dialog() {
    let f = Fixture::new("two-keys", true);
    let mut app = ready_to_delete(&f).await;
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("ready to delete"));
    cmd(&mut app, Command::Delete);
    snap("delete_dialog", &mut app);
    for c in "AKIAEXAMPLE".chars() {
        app.update(Action::Input(c));
    }
    cmd(&mut app, Command::Submit);
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("That is not AKIAEXAMPLEBACKUP001"));
    snap("delete_dialog_mismatch", &mut app);
}

#[tokio::test]
async fn compliant_after_both_keys_are_deleted() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    for go in [Command::Top, Command::Bottom] {
        cmd(&mut app, go);
        cmd(&mut app, Command::Deactivate);
        let effect = cmd(&mut app, Command::Yes);
        f.run_write(&mut app, effect).await;
    }
    f.sim.advance(TimeDelta::days(8)).expect("advance");
    f.load(&mut app, true).await;
    for _ in 0..2 {
        cmd(&mut app, Command::Top);
        cmd(&mut app, Command::Delete);
        let key = app.selected_row().expect("row").label();
        for c in key.chars() {
            app.update(Action::Input(c));
        }
        let effect = cmd(&mut app, Command::Submit);
        f.run_write(&mut app, effect).await;
    }
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("✓ COMPLIANT"), "{screen}");
    assert!(screen.contains("AccountAccessKeysPresent = 0"), "{screen}");
    snap("compliant", &mut app);
}

#[tokio::test]
async fn auditor_read_only() {
    let f = Fixture::new("auditor", true);
    let mut app = f.loaded_app().await;
    cmd(&mut app, Command::Deactivate);
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("read-only: not root"));
    assert!(screen.contains("refused: not signed in as root"));
    assert!(!screen.contains("AKIAEXAMPLEREPORTS"), "no root key ID");
    snap("auditor", &mut app);
}

#[tokio::test]
async fn session_ended() {
    let f = Fixture::new("signing-key", true);
    let mut app = f.loaded_app().await;
    cmd(&mut app, Command::Bottom);
    cmd(&mut app, Command::Deactivate);
    let effect = cmd(&mut app, Command::Yes);
    f.run_write(&mut app, effect).await;
    assert!(app.session_ended());
    snap("session_ended", &mut app);
}

#[tokio::test]
async fn load_error() {
    let f = Fixture::new("two-keys", false);
    let mut app = f.app();
    app.start();
    let err = AccountError::ExpiredCredentials {
        code: "ExpiredToken".to_owned(),
        message: "The security token included in the request is expired".to_owned(),
    };
    app.update(Action::Loaded(Err(UiError::from(&err))));
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("the credentials have expired"));
    assert!(screen.contains("aws sso login"), "advice is shown");
    snap("load_error", &mut app);
}

#[tokio::test]
async fn write_error_keeps_the_table() {
    let f = Fixture::new("two-keys", false);
    let mut app = f.loaded_app().await;
    cmd(&mut app, Command::Deactivate);
    cmd(&mut app, Command::Yes);
    let err = AccountError::AccessDenied {
        action: "iam:UpdateAccessKey".to_owned(),
        message: "explicit deny in a service control policy".to_owned(),
    };
    app.update(Action::WriteDone {
        request: Request::Deactivate,
        key_id: "AKIAEXAMPLEBACKUP001".to_owned(),
        result: Err(UiError::from(&err)),
    });
    snap("write_error", &mut app);
}

#[tokio::test]
async fn too_small() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    let screen = render(&mut app, 20, 6);
    assert!(screen.contains("too small"), "{screen}");
    insta::assert_snapshot!("too_small_20x6", screen);
}

#[tokio::test]
async fn every_screen_draws_at_every_small_size_without_panicking() {
    let f = Fixture::new("signing-key", true);
    let mut app = f.loaded_app().await;
    let mut states = vec![app.clone()];
    cmd(&mut app, Command::ToggleHelp);
    states.push(app.clone());
    cmd(&mut app, Command::ToggleHelp);
    cmd(&mut app, Command::Bottom);
    cmd(&mut app, Command::Deactivate);
    states.push(app.clone());
    let effect = cmd(&mut app, Command::Yes);
    f.run_write(&mut app, effect).await;
    states.push(app);
    for mut state in states {
        for w in (1..=130).step_by(7) {
            for h in (1..=45).step_by(4) {
                let _ = render(&mut state, w, h);
            }
        }
    }
}

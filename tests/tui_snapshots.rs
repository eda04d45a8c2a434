//! Whole-screen snapshots of the interactive view at 120x40 and 80x24 (the
//! main screens at 60x16, the smallest size drawn, too),
//! driven through `Action`s with results from the simulated account on a
//! fixed clock (so every date and "ago" is stable).

use std::sync::Arc;

use chrono::TimeDelta;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rootkeys::account::sim::Latency;
use rootkeys::account::usage::Progress;
use rootkeys::account::{Account, AccountError};
use rootkeys::domain::policy::Request;
use rootkeys::domain::usage::{RegionFailure, summarise};
use rootkeys::render::usage::{LineKind, render_text, summary_lines};
use rootkeys::tui::action::{Action, Command, Effect, UiError, usage_result};
use rootkeys::tui::app::{App, Usage};
use rootkeys::tui::runner::Worker;
use rootkeys::tui::theme::Theme;
use rootkeys::tui::view;

mod support;

use support::tui::{Setup, t0};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

/// The shared fixture, and whether the view shows the demo's facts.
struct Fixture {
    base: Setup,
    demo: bool,
}

impl std::ops::Deref for Fixture {
    type Target = Setup;
    fn deref(&self) -> &Setup {
        &self.base
    }
}

impl Fixture {
    fn new(scenario: &str, demo: bool) -> Self {
        Self {
            base: Setup::open(scenario, Latency::NONE),
            demo,
        }
    }

    fn app(&self) -> App {
        self.base.app(self.demo, Theme::color())
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

impl Fixture {
    /// Run the usage search `effect` asks for with the worker's own task,
    /// as the loop would; its actions (progress, then the result), in order.
    async fn usage_actions(&self, effect: Option<Effect>) -> Vec<Action> {
        let Some(effect @ Effect::LoadUsage { .. }) = effect else {
            panic!("expected a usage search, got {effect:?}")
        };
        let worker = Worker::new(Arc::clone(&self.remediator));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        worker.task(effect, tx).await;
        let mut actions = Vec::new();
        while let Ok(action) = rx.try_recv() {
            actions.push(action);
        }
        actions
    }

    /// The demo with the usage of the selected key on screen.
    async fn usage_app(&self, select: Command) -> App {
        let mut app = self.loaded_app().await;
        cmd(&mut app, select);
        let effect = cmd(&mut app, Command::Usage);
        for action in self.usage_actions(effect).await {
            app.update(action);
        }
        app
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

/// Snapshot the app at the smallest size the view draws.
fn snap_small(name: &str, app: &mut App) {
    let screen = render(app, 60, 16);
    insta::assert_snapshot!(format!("{name}_60x16"), screen);
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
    snap_small("demo_two_keys", &mut app);
}

#[tokio::test]
async fn demo_signing_key() {
    let f = Fixture::new("signing-key", true);
    let mut app = f.loaded_app().await;
    cmd(&mut app, Command::Bottom);
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("● signs this session"), "{screen}");
    snap("demo_signing_key", &mut app);
    snap_small("demo_signing_key", &mut app);
}

/// A note in wide characters (two columns each) wraps by display columns:
/// every character is on screen, none cut off at the pane's border.
#[tokio::test]
async fn wide_characters_wrap_by_columns() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    let note = "東京オフィスの夜間バックアップ用スクリプトがこの鍵で署名しています。移行先のロールを作成してから無効化してください。";
    for (_, text) in &mut app.demo.as_mut().expect("demo").notes {
        *text = note.to_owned();
    }
    let wide = |c: &char| !c.is_ascii() && note.contains(*c);
    for (w, h) in SIZES {
        let screen = render(&mut app, w, h);
        let shown: String = screen.chars().filter(wide).collect();
        let expected: String = note.chars().filter(wide).collect();
        assert!(shown.contains(&expected), "{w}x{h}:\n{screen}");
    }
}

#[tokio::test]
async fn help_overlay() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    app.banner = None;
    cmd(&mut app, Command::ToggleHelp);
    snap("help", &mut app);
    snap_small("help", &mut app);
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
    snap_small("auditor", &mut app);
}

#[tokio::test]
async fn auditor_with_a_stale_report() {
    let f = Fixture::new("auditor", false);
    let mut app = f.loaded_app().await;
    // IAM handed out a report generated five hours before the snapshot.
    let mut row = f.sim.root_report_row().await.expect("report");
    row.generated = Some(t0() - TimeDelta::hours(5));
    app.update(Action::ReportLoaded(Ok(row)));
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("2 root access keys · report 5 h ago ⚠ stale"),
        "{screen}"
    );
    assert!(
        screen.contains("Credential report generated 2026-11-25 07:00 UTC (5 h ago)."),
        "{screen}"
    );
    assert!(
        screen.contains("⚠ Stale report: the credential report was"),
        "{screen}"
    );
    assert!(screen.contains("What to do:"), "{screen}");
    assert!(
        screen.contains("wait a few minutes and run again"),
        "{screen}"
    );
    snap("auditor_stale_report", &mut app);
}

#[tokio::test]
async fn auditor_report_older_than_the_last_journaled_change_is_stale() {
    let f = Fixture::new("auditor", false);
    let mut app = f.loaded_app().await;
    // Generated an hour ago, but rootkeys changed the account half an hour ago.
    if let Some(snapshot) = app.snapshot.as_mut() {
        snapshot.last_write = Some(t0() - TimeDelta::minutes(30));
    }
    let mut row = f.sim.root_report_row().await.expect("report");
    row.generated = Some(t0() - TimeDelta::hours(1));
    app.update(Action::ReportLoaded(Ok(row)));
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("⚠ stale"), "{screen}");
    assert!(screen.contains("⚠ Stale report:"), "{screen}");
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
    snap_small("load_error", &mut app);
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

// ---- usage view --------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn usage_loading_with_progress() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    let effect = cmd(&mut app, Command::Usage);
    let actions = f.usage_actions(effect).await;
    // The worker reported progress after every page and region, then the result.
    assert!(matches!(actions.last(), Some(Action::UsageLoaded { .. })));
    let progress: Vec<Progress> = actions
        .iter()
        .filter_map(|a| match a {
            Action::UsageProgress { progress, .. } => Some(*progress),
            _ => None,
        })
        .collect();
    assert_eq!(progress.first().map(|p| p.regions_done), Some(0));
    assert_eq!(
        progress.last().map(|p| (p.regions_done, p.events_so_far)),
        Some((5, 191))
    );
    app.update(Action::UsageProgress {
        key_id: "AKIAEXAMPLEBACKUP001".to_owned(),
        progress: Progress {
            regions_total: 5,
            regions_done: 3,
            events_so_far: 96,
        },
    });
    app.update(Action::Tick);
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("Searching CloudTrail event history for AKIAEXAMPLEBACKUP001"));
    assert!(screen.contains("3 of 5 searched"), "{screen}");
    assert!(screen.contains("96 found so far"));
    assert!(
        screen.contains("CloudTrail: 3/5 regions · 96 events…"),
        "footer spinner"
    );
    snap("usage_loading", &mut app);
}

#[tokio::test(start_paused = true)]
async fn usage_loaded_for_the_backup_key() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.usage_app(Command::Top).await;
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("Usage · AKIAEXAMPLEBACKUP001"));
    assert!(screen.contains("191 events in"), "{screen}");
    assert!(screen.contains("5 regions searched"), "{screen}");
    assert!(screen.contains("aws-cli/2.15.30 Python/3.11.8 … command/s3.sync"));
    assert!(
        screen.contains("Not complete: 1 of 5 regions could not be searched: ap-southeast-2"),
        "the failed region is named at the top"
    );
    snap("usage_loaded", &mut app);
}

#[tokio::test(start_paused = true)]
async fn usage_with_a_failed_region_scrolled_to_the_limits() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.usage_app(Command::Top).await;
    for (w, h) in SIZES {
        app.update(Action::Resize(w, h));
        cmd(&mut app, Command::Bottom);
        let screen = render(&mut app, w, h);
        assert!(screen.contains("Limits:"), "{screen}");
        assert!(
            screen.contains("ap-southeast-2 failed (AccessDeniedException"),
            "{screen}"
        );
        assert!(
            screen.contains(" of "),
            "the scroll position is shown: {screen}"
        );
        insta::assert_snapshot!(format!("usage_failed_region_{w}x{h}"), screen);
    }
}

#[tokio::test(start_paused = true)]
async fn usage_of_a_key_never_seen() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.usage_app(Command::Bottom).await;
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains(
            "No management events signed with AKIAEXAMPLEOLDKEY002 in the last 90 days in the 4 regions searched."
        ),
        "{screen}"
    );
    snap("usage_never_seen", &mut app);
}

#[tokio::test(start_paused = true)]
async fn usage_error_in_place_with_advice() {
    let f = Fixture::new("two-keys", false);
    let mut app = f.loaded_app().await;
    cmd(&mut app, Command::Usage);
    let now = f.sim.now();
    let failed = summarise(
        "AKIAEXAMPLEBACKUP001",
        90,
        now - TimeDelta::days(90),
        now,
        ["eu-west-1", "us-east-1"]
            .into_iter()
            .map(|r| {
                (
                    r.to_owned(),
                    Err(RegionFailure::new(
                        "AccessDeniedException",
                        "not authorized to perform: cloudtrail:LookupEvents",
                    )),
                )
            })
            .collect(),
    );
    app.update(Action::UsageLoaded {
        key_id: "AKIAEXAMPLEBACKUP001".to_owned(),
        result: usage_result(failed),
    });
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("Usage review failed: no region could be searched"),
        "{screen}"
    );
    assert!(screen.contains("what to do: the caller needs cloudtrail:LookupEvents"));
    snap("usage_error", &mut app);
}

/// The interactive view shows the same summary as `rootkeys usage`: every
/// table row and line of `render_text` is on screen (scrolling as needed).
#[tokio::test(start_paused = true)]
async fn usage_view_shows_the_same_summary_as_the_command() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.usage_app(Command::Top).await;
    let Some(Usage::Ready(report)) = app.usage.get("AKIAEXAMPLEBACKUP001").cloned() else {
        panic!("usage loaded")
    };
    let text = render_text(&report, report.to);
    let action_rows: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "By action:")
        .skip(2)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(action_rows.len(), 3, "{text}");
    let mut seen = String::new();
    for _ in 0..10 {
        seen.push_str(&render(&mut app, 120, 40));
        cmd(&mut app, Command::PageDown);
    }
    for row in &action_rows {
        assert!(seen.contains(row.trim_end()), "{row:?} not shown:\n{seen}");
    }
    // Not only the actions: every line that fits the pane is the command's.
    for line in summary_lines(&report, report.to) {
        if line.kind != LineKind::Blank && line.text.chars().count() <= 116 {
            assert!(seen.contains(&line.text), "{:?} not shown", line.text);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn usage_screens_draw_at_every_small_size_without_panicking() {
    let f = Fixture::new("two-keys", true);
    let mut ready = f.usage_app(Command::Top).await;
    cmd(&mut ready, Command::Bottom);
    let mut loading = f.loaded_app().await;
    cmd(&mut loading, Command::Usage);
    loading.update(Action::UsageProgress {
        key_id: "AKIAEXAMPLEBACKUP001".to_owned(),
        progress: Progress {
            regions_total: 17,
            regions_done: 16,
            events_so_far: 4_999,
        },
    });
    let mut help = ready.clone();
    cmd(&mut help, Command::ToggleHelp);
    for mut state in [ready, loading, help] {
        for w in (1..=130).step_by(7) {
            for h in (1..=45).step_by(4) {
                let _ = render(&mut state, w, h);
                for c in [Command::PageDown, Command::Bottom, Command::Up] {
                    cmd(&mut state.clone(), c);
                }
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn key_facts_sum_up_the_usage_found() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.usage_app(Command::Top).await;
    cmd(&mut app, Command::Back);
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("Usage      191 events in 90 days from 1 source IP · not"),
        "{screen}"
    );
    snap("usage_in_key_facts", &mut app);
}

// ---- training: the demo from start to Done ------------------------------------

impl Fixture {
    /// Run `effect` with the worker's own task, as the loop would, and
    /// deliver every action it sends back (loads included).
    async fn settle(&self, app: &mut App, effect: Option<Effect>) {
        let mut next = effect;
        while let Some(effect) = next.take() {
            let worker = Worker::new(Arc::clone(&self.remediator));
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            worker.task(effect, tx).await;
            while let Ok(action) = rx.try_recv() {
                if let Some(more) = app.update(action) {
                    next = Some(more);
                }
            }
        }
    }
}

#[tokio::test]
async fn journal_panel() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    cmd(&mut app, Command::Deactivate);
    let effect = cmd(&mut app, Command::Yes);
    f.settle(&mut app, effect).await;
    cmd(&mut app, Command::Reactivate);
    let effect = cmd(&mut app, Command::Yes);
    f.settle(&mut app, effect).await;
    let effect = cmd(&mut app, Command::Journal);
    f.settle(&mut app, effect).await;
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("╭ Journal"), "{screen}");
    assert!(screen.contains("reactivate"), "{screen}");
    snap("journal", &mut app);
}

#[tokio::test]
async fn a_failed_nightly_run_after_a_skipped_day() {
    let f = Fixture::new("two-keys", true);
    let mut app = f.loaded_app().await;
    cmd(&mut app, Command::Deactivate);
    let effect = cmd(&mut app, Command::Yes);
    f.settle(&mut app, effect).await;
    let effect = cmd(&mut app, Command::SkipDay);
    f.settle(&mut app, effect).await;
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("Nightly backup denied"), "{screen}");
    snap("denied_run", &mut app);
}

#[tokio::test]
async fn the_session_key_rejected_on_restart_names_the_way_out() {
    let f = Fixture::new("signing-key", true);
    f.sim
        .set_status(
            "AKIAEXAMPLESESSION01",
            rootkeys::domain::KeyStatus::Inactive,
        )
        .await
        .expect("deactivate");
    let mut app = f.app();
    let effect = app.start();
    f.settle(&mut app, Some(effect)).await;
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("press c to continue"), "{screen}");
    snap("way_out", &mut app);
}

#[tokio::test]
async fn a_finished_walk_through_opens_on_its_summary() {
    let f = Fixture::new("two-keys", true);
    for key in ["AKIAEXAMPLEBACKUP001", "AKIAEXAMPLEOLDKEY002"] {
        f.remediator
            .execute(Request::Deactivate, key)
            .await
            .expect("deactivate");
    }
    f.sim.advance(TimeDelta::days(8)).expect("advance");
    for key in ["AKIAEXAMPLEBACKUP001", "AKIAEXAMPLEOLDKEY002"] {
        f.remediator
            .execute(Request::Delete { force: false }, key)
            .await
            .expect("delete");
    }
    let mut app = f.app();
    let effect = app.start();
    f.settle(&mut app, Some(effect)).await;
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Done: no root access key; account compliant"),
        "{screen}"
    );
    snap("done_restart", &mut app);
}

/// The two-keys demo once both keys are gone, opened afresh (its root has
/// no MFA).
async fn finished_two_keys(f: &Fixture) -> App {
    for key in ["AKIAEXAMPLEBACKUP001", "AKIAEXAMPLEOLDKEY002"] {
        f.remediator
            .execute(Request::Deactivate, key)
            .await
            .expect("deactivate");
    }
    f.sim.advance(TimeDelta::days(8)).expect("advance");
    for key in ["AKIAEXAMPLEBACKUP001", "AKIAEXAMPLEOLDKEY002"] {
        f.remediator
            .execute(Request::Delete { force: false }, key)
            .await
            .expect("delete");
    }
    let mut app = f.app();
    let effect = app.start();
    f.settle(&mut app, Some(effect)).await;
    app.banner = None;
    app
}

#[tokio::test]
async fn prevent_step_scrolls_to_the_whole_scp_at_both_sizes() {
    let policy = rootkeys::domain::scp::PREVENT_POLICY;
    for (w, h) in SIZES {
        let f = Fixture::new("two-keys", true);
        let mut app = finished_two_keys(&f).await;
        app.update(Action::Resize(w, h));
        if !app.walkthrough_visible() {
            // Narrow: the walkthrough takes the key facts' place.
            cmd(&mut app, Command::ToggleWalkthrough);
        }
        let first = render(&mut app, w, h);
        assert!(
            first.contains("⚠ 7. Prevent · advice: MFA off"),
            "{w}x{h}:\n{first}"
        );
        // Page down to the end: every piece of the policy is shown, whole.
        let mut screens = vec![first];
        while screens.last().is_some_and(|s| s.contains("↓ more")) {
            assert!(screens.len() < 12, "{w}x{h}: the pane never ends");
            cmd(&mut app, Command::PageDown);
            screens.push(render(&mut app, w, h));
        }
        let all = screens.join("\n");
        for token in policy.split_whitespace() {
            assert!(all.contains(token), "{w}x{h}: {token} missing:\n{all}");
        }
        for text in ["Root has no MFA device", "The SCP ("] {
            assert!(all.contains(text), "{w}x{h}: {text} missing:\n{all}");
        }
        insta::assert_snapshot!(format!("prevent_first_{w}x{h}"), screens[0]);
        let end = screens.last().expect("a last screen");
        assert!(
            end.contains("\"Null\""),
            "{w}x{h}: the end of the policy:\n{end}"
        );
        insta::assert_snapshot!(format!("prevent_end_{w}x{h}"), end);
    }
}

#[tokio::test]
async fn the_prevent_step_draws_at_every_small_size_without_panicking() {
    let f = Fixture::new("two-keys", true);
    let mut app = finished_two_keys(&f).await;
    cmd(&mut app, Command::ToggleWalkthrough);
    for w in (1..=130).step_by(7) {
        for h in (1..=45).step_by(4) {
            cmd(&mut app, Command::PageDown);
            let _ = render(&mut app, w, h);
        }
    }
    // Hidden again: the key facts say where the step is.
    cmd(&mut app, Command::ToggleWalkthrough);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("step 7, Prevent (advice)"), "{screen}");
    assert!(screen.contains("(w shows"), "{screen}");
}

//! The only code that changes the interactive view's state:
//! [`App::update`] applies one [`Action`] and may ask for work as an
//! [`Effect`]. It never awaits and does no I/O (the runner carries out the
//! effects and sends back their results as actions); it imports no
//! `tokio`, `ratatui` or `crossterm`, and reads the view only to keep the
//! usage view's scrolling within its text.
//!
//! [`App::update`] and the dispatch of commands by mode live here; the
//! rest by what it does: moving about the main view (`browsing`), the
//! usage review (`usage`), the journal panel (`journal`), writes and their
//! dialogs (`writes`) and the demo's own steps (`training`).

mod browsing;
mod journal;
mod training;
mod usage;
mod writes;

use super::{App, Banner, JournalState, Mode, Quit, Report, Usage};
use crate::domain::record::Act;
use crate::remediate::Snapshot;
use crate::tui::action::{Action, Command, Effect, SimStep, UiError};
use crate::tui::{strings, view};

/// Longest text the delete dialog accepts (key IDs are 16 to 128 chars).
const INPUT_MAX: usize = 128;

impl App {
    /// Apply one action; maybe ask for work.
    pub fn update(&mut self, action: Action) -> Option<Effect> {
        match action {
            Action::Command(command) => self.command(command),
            Action::Input(c) => {
                if let Mode::TypeToDelete(t) = &mut self.mode
                    && !c.is_control()
                    && t.input.chars().count() < INPUT_MAX
                {
                    t.input.push(c);
                    t.mismatch = false;
                }
                None
            }
            Action::Tick => {
                self.tick = self.tick.wrapping_add(1);
                None
            }
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.clamp_usage_scroll();
                self.clamp_detail_scroll();
                let (total, visible) = view::help_viewport(self);
                self.help_scroll = self.help_scroll.min(total.saturating_sub(visible));
                self.clamp_journal_scroll();
                None
            }
            Action::Signal(name) => {
                self.quit = Some(Quit::Signal(name));
                None
            }
            Action::Loaded(result) => self.loaded(result),
            Action::ReportLoaded(result) => {
                self.report = match result {
                    Ok(row) => Report::Ready(row),
                    Err(e) => Report::Failed(e),
                };
                None
            }
            Action::WriteDone {
                request,
                key_id,
                result,
            } => self.write_done(request, key_id, result),
            Action::UsageProgress { key_id, progress } => {
                if let Some(Usage::Loading(latest)) = self.usage.get_mut(&key_id) {
                    *latest = Some(progress);
                }
                None
            }
            Action::UsageLoaded { key_id, result } => {
                let usage = match result {
                    Ok(report) => Usage::Ready(report),
                    Err(e) => Usage::Failed(e),
                };
                self.usage.insert(key_id, usage);
                self.clamp_usage_scroll();
                None
            }
            Action::Simulated { step, result } => self.simulated(&step, result),
            Action::Denied(calls) => {
                self.denied(&calls);
                None
            }
            Action::JournalLoaded(result) => {
                if self.journal == JournalState::Loading
                    && let Mode::Journal(v) = &mut self.mode
                {
                    // Opened before it was read: show the newest records.
                    v.scroll = usize::MAX;
                }
                self.journal = match result {
                    Ok(contents) => JournalState::Ready(contents),
                    Err(e) => JournalState::Failed(e),
                };
                self.clamp_journal_scroll();
                None
            }
            Action::Skipped(result) => {
                self.skipping = false;
                match result {
                    Ok(by) => {
                        // Usage reviews read before are out of date.
                        let open = self.usage_view().map(|v| v.key_id.clone());
                        self.usage.retain(|k, u| {
                            matches!(u, Usage::Loading(_)) || Some(k) == open.as_ref()
                        });
                        self.usage_stale = open;
                        self.banner = Some(Banner::info(strings::skipped(by)));
                        self.loading = true;
                        Some(Effect::Load)
                    }
                    Err(e) => {
                        self.banner = Some(Banner::error(&e));
                        None
                    }
                }
            }
        }
    }

    fn command(&mut self, command: Command) -> Option<Effect> {
        if command == Command::Quit {
            self.quit = Some(Quit::User);
            return None;
        }
        match &mut self.mode {
            Mode::Help { .. } => {
                if !self.scroll_help(command)
                    && let Mode::Help { back } = &mut self.mode
                {
                    // Any other key closes the help.
                    self.mode = back.take().map_or(Mode::Browse, Mode::Usage);
                }
                None
            }
            Mode::Usage(_) => self.in_usage(command),
            Mode::Journal(_) => self.in_journal(command),
            Mode::SessionEnded { .. } => {
                if command == Command::TemporaryRoot && self.demo.is_some() {
                    self.mode = Mode::Browse;
                    return self.simulate(SimStep::TemporaryRoot);
                }
                if command == Command::Back {
                    self.quit = Some(Quit::User);
                }
                None
            }
            Mode::Confirm(c) => match command {
                Command::Yes => self.start_write(),
                Command::Submit if c.yes_focused => self.start_write(),
                Command::No | Command::Back | Command::Submit => {
                    self.mode = Mode::Browse;
                    self.banner = Some(Banner::info(strings::NOTHING_CHANGED));
                    None
                }
                Command::Switch => {
                    c.yes_focused = !c.yes_focused;
                    None
                }
                _ => None,
            },
            Mode::TypeToDelete(t) => match command {
                Command::Submit => {
                    if t.input == t.key_id {
                        self.start_write()
                    } else {
                        t.mismatch = true;
                        None
                    }
                }
                Command::Back => {
                    self.mode = Mode::Browse;
                    self.banner = Some(Banner::info(strings::NOTHING_CHANGED));
                    None
                }
                Command::Backspace => {
                    t.input.pop();
                    t.mismatch = false;
                    None
                }
                Command::ClearInput => {
                    t.input.clear();
                    t.mismatch = false;
                    None
                }
                _ => None,
            },
            Mode::Browse => self.browse(command),
        }
    }

    fn loaded(&mut self, result: Result<Snapshot, UiError>) -> Option<Effect> {
        self.loading = false;
        let snapshot = match result {
            Ok(s) => s,
            Err(mut e) => {
                if e.credentials
                    && let Some(demo) = &self.demo
                {
                    // The demo's way out: what a real operator would do.
                    e.advice = Some(strings::way_out(&demo.scenario));
                }
                self.banner = Some(Banner::error(&e));
                self.load_error = Some(e);
                self.queued = None;
                return None;
            }
        };
        let keep = self.selected_row().map(|r| r.label());
        let first = self.snapshot.is_none();
        self.load_error = None;
        if self.verify_next_load {
            self.verify_next_load = false;
            let n = snapshot.inventory.root_keys_present();
            self.banner = Some(if n == 0 {
                Banner::success(format!(
                    "{} {}",
                    strings::verified(n),
                    strings::DONE_AFTER_VERIFY
                ))
            } else {
                Banner::info(strings::verified(n))
            });
        }
        for record in &snapshot.recorded {
            let text = match record.action {
                Act::FirstSeenInactive => strings::first_seen_inactive(&record.key),
                Act::WindowRestarted => strings::window_restarted(&record.key),
                Act::SeenActive => strings::seen_active(&record.key),
                _ => continue,
            };
            self.banner = Some(Banner::info(text));
            break;
        }
        if let Some(holder) = &snapshot.busy {
            self.banner = Some(Banner::info(strings::operation_in_progress(
                &crate::text::one_line(holder),
            )));
        }
        if !snapshot.damaged.is_empty() && self.banner.is_none() {
            let lines: Vec<usize> = snapshot.damaged.iter().map(|d| d.line).collect();
            self.banner = Some(Banner::info(strings::damaged_journal(&lines)));
        }
        self.snapshot = Some(snapshot);
        let rows = self.rows();
        self.selected = keep
            .and_then(|label| rows.iter().position(|r| r.label() == label))
            .unwrap_or(self.selected)
            .min(rows.len().saturating_sub(1));
        if first
            && self.done()
            && let Some(demo) = &self.demo
        {
            // A finished walk-through opens on its summary.
            self.banner = Some(Banner::success(strings::done_restart(&demo.scenario)));
        }
        self.clamp_detail_scroll();
        if let Some(command) = self.queued.take()
            && let Some(effect) = self.browse(command)
        {
            // A skip-ahead pressed while reading: the report, if due, is
            // read with the load that follows the skip.
            return Some(effect);
        }
        if self.report == Report::Idle {
            self.report = Report::Loading;
            return Some(Effect::LoadReport);
        }
        self.refresh_stale_usage()
    }

    fn refresh(&mut self) -> Option<Effect> {
        if self.loading || self.pending.is_some() || self.skipping {
            return None;
        }
        if self.report != Report::Loading {
            self.report = Report::Idle;
        }
        self.loading = true;
        Some(Effect::Load)
    }

    /// Before any key is known: say why a key cannot act yet.
    fn not_loaded(&mut self) {
        self.banner = Some(Banner::info(
            if self.load_error.is_some() && !self.loading {
                strings::ACCOUNT_NOT_READ
            } else {
                strings::STILL_LOADING
            },
        ));
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use crate::account::usage::Progress;
    use crate::domain::policy::{Refusal, Request, Stage};
    use crate::exit::Exit;
    use crate::remediate::Remediator;
    use crate::tui::action::{Action, Command, Effect, UiError};
    use crate::tui::app::{App, Banner, Mode, Quit, Report, Usage, UsageView};
    use crate::tui::app::{BannerKind, Config, DemoInfo};
    use crate::tui::theme::Theme;
    use crate::tui::walkthrough::{MfaCheck, Step};
    use crate::tui::{strings, view};
    use chrono::TimeDelta;

    pub(crate) fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .expect("date")
            .with_timezone(&Utc)
    }

    struct Fixture {
        remediator: Remediator,
        _dir: tempfile::TempDir,
    }

    fn fixture(scenario: &str) -> Fixture {
        let dir = tempfile::tempdir().expect("tmp");
        let account = crate::account::sim::fixed(scenario, t0()).expect("scenario");
        let remediator = Remediator::new(account, dir.path().to_owned(), TimeDelta::days(7));
        Fixture {
            remediator,
            _dir: dir,
        }
    }

    fn app(f: &Fixture) -> App {
        App::new(Config {
            source: f.remediator.account().source(),
            window: f.remediator.window(),
            demo: None,
            theme: Theme::plain(),
        })
    }

    async fn loaded(f: &Fixture) -> App {
        let mut app = app(f);
        assert_eq!(app.start(), Effect::Load);
        let snapshot = f.remediator.snapshot().await.map_err(|e| UiError::from(&e));
        let next = app.update(Action::Loaded(snapshot));
        assert_eq!(next, Some(Effect::LoadReport), "the report follows");
        app
    }

    fn cmd(app: &mut App, c: Command) -> Option<Effect> {
        app.update(Action::Command(c))
    }

    #[tokio::test]
    async fn d_opens_a_confirmation_that_defaults_to_no() {
        let f = fixture("two-keys");
        let mut app = loaded(&f).await;
        assert_eq!(cmd(&mut app, Command::Deactivate), None);
        let Mode::Confirm(c) = &app.mode else {
            panic!("dialog expected, got {:?}", app.mode)
        };
        assert_eq!(c.request, Request::Deactivate);
        assert_eq!(c.key_id, "AKIAEXAMPLEBACKUP001");
        assert!(!c.yes_focused, "No is the default");
        // Enter on the default answers No: nothing is written.
        assert_eq!(cmd(&mut app, Command::Submit), None);
        assert_eq!(app.mode, Mode::Browse);
        assert!(app.pending.is_none());
    }

    #[tokio::test]
    async fn yes_starts_exactly_one_write_and_a_second_is_ignored() {
        let f = fixture("two-keys");
        let mut app = loaded(&f).await;
        cmd(&mut app, Command::Deactivate);
        let effect = cmd(&mut app, Command::Yes);
        assert_eq!(
            effect,
            Some(Effect::Write {
                request: Request::Deactivate,
                key_id: "AKIAEXAMPLEBACKUP001".to_owned()
            })
        );
        assert!(app.in_flight());
        assert!(app.busy_text().expect("busy").contains("deactivating"));
        // While it runs, asking for another write does nothing at all.
        cmd(&mut app, Command::Down);
        assert_eq!(cmd(&mut app, Command::Deactivate), None);
        assert_eq!(app.mode, Mode::Browse, "no second dialog");
        assert_eq!(cmd(&mut app, Command::Delete), None);
        assert_eq!(app.mode, Mode::Browse);
        assert_eq!(cmd(&mut app, Command::Refresh), None);
    }

    #[tokio::test]
    async fn switching_focus_to_yes_then_enter_confirms() {
        let f = fixture("two-keys");
        let mut app = loaded(&f).await;
        cmd(&mut app, Command::Deactivate);
        cmd(&mut app, Command::Switch);
        assert!(matches!(
            cmd(&mut app, Command::Submit),
            Some(Effect::Write { .. })
        ));
    }

    #[tokio::test]
    async fn delete_of_an_active_key_is_refused_with_the_reason() {
        let f = fixture("two-keys");
        let mut app = loaded(&f).await;
        assert_eq!(cmd(&mut app, Command::Delete), None);
        assert_eq!(app.mode, Mode::Browse);
        let banner = app.banner.clone().expect("banner");
        assert_eq!(banner.kind, BannerKind::Refusal);
        // Advice in the view names its keys, never a command.
        assert!(banner.text.contains("press d"), "{banner:?}");
        assert!(!banner.text.contains("rootkeys "), "{banner:?}");
        assert!(!banner.text.contains("KEY_ID"), "{banner:?}");
        // Reactivating an active key is refused too.
        cmd(&mut app, Command::Reactivate);
        assert_eq!(
            app.banner.expect("banner").text,
            Refusal::AlreadyActive.to_string()
        );
    }

    async fn ready_to_delete(f: &Fixture) -> App {
        f.remediator
            .execute(Request::Deactivate, "AKIAEXAMPLEBACKUP001")
            .await
            .expect("deactivate");
        let sim_now = f.remediator.account().now();
        assert_eq!(sim_now, t0());
        let mut app = app(f);
        app.start();
        // Observing: delete is refused with the time left.
        let s = f.remediator.snapshot().await.expect("snapshot");
        app.update(Action::Loaded(Ok(s)));
        cmd(&mut app, Command::Delete);
        let banner = app.banner.clone().expect("refusal");
        assert!(
            banner.text.contains("still observing: 7 d left"),
            "{banner:?}"
        );
        app
    }

    #[tokio::test]
    async fn typed_confirmation_must_match_exactly() {
        let f = fixture("two-keys");
        let mut app = ready_to_delete(&f).await;
        // Let the window pass (a journal older than the window does it too).
        let mut s = app.snapshot.clone().expect("snapshot");
        s.now += TimeDelta::days(8);
        s.keys[0].stage = Stage::ReadyToDelete {
            since: t0() + TimeDelta::days(7),
        };
        app.update(Action::Loaded(Ok(s)));
        assert_eq!(cmd(&mut app, Command::Delete), None);
        assert!(matches!(app.mode, Mode::TypeToDelete(_)), "{:?}", app.mode);
        for c in "AKIAEXAMPLEBACKUP00".chars() {
            app.update(Action::Input(c));
        }
        // One character short: Enter does nothing but say so.
        assert_eq!(cmd(&mut app, Command::Submit), None);
        let Mode::TypeToDelete(t) = &app.mode else {
            panic!("still in the dialog")
        };
        assert!(t.mismatch);
        assert!(app.pending.is_none());
        // Lower case is not the key ID either.
        cmd(&mut app, Command::ClearInput);
        for c in "akiaexamplebackup001".chars() {
            app.update(Action::Input(c));
        }
        assert_eq!(cmd(&mut app, Command::Submit), None);
        cmd(&mut app, Command::ClearInput);
        for c in "AKIAEXAMPLEBACKUP001".chars() {
            app.update(Action::Input(c));
        }
        assert_eq!(
            cmd(&mut app, Command::Submit),
            Some(Effect::Write {
                request: Request::Delete { force: false },
                key_id: "AKIAEXAMPLEBACKUP001".to_owned()
            })
        );
    }

    #[tokio::test]
    async fn q_typed_in_the_delete_dialog_is_text_not_quit() {
        let f = fixture("two-keys");
        let mut app = ready_to_delete(&f).await;
        let mut s = app.snapshot.clone().expect("snapshot");
        s.keys[0].stage = Stage::ReadyToDelete { since: t0() };
        app.update(Action::Loaded(Ok(s)));
        cmd(&mut app, Command::Delete);
        app.update(Action::Input('q'));
        assert!(app.quit.is_none());
        cmd(&mut app, Command::Backspace);
        cmd(&mut app, Command::Back);
        assert_eq!(app.mode, Mode::Browse);
    }

    #[test]
    fn failed_load_shows_the_error_and_advice() {
        let f = fixture("two-keys");
        let mut app = app(&f);
        app.start();
        let err = crate::account::AccountError::Unreachable {
            message: "connection refused".to_owned(),
        };
        assert_eq!(app.update(Action::Loaded(Err(UiError::from(&err)))), None);
        assert!(!app.loading);
        let banner = app.banner.clone().expect("banner");
        assert_eq!(banner.kind, BannerKind::Error);
        assert!(banner.text.contains("cannot reach AWS"));
        assert_eq!(banner.advice, Some(err.advice()));
        assert!(app.load_error.is_some());
        assert!(app.quit.is_none(), "an AWS error never ends the view");
        // r tries again.
        assert_eq!(cmd(&mut app, Command::Refresh), Some(Effect::Load));
    }

    #[tokio::test]
    async fn failed_write_shows_error_and_reloads() {
        let f = fixture("two-keys");
        let mut app = loaded(&f).await;
        cmd(&mut app, Command::Deactivate);
        cmd(&mut app, Command::Yes);
        let err = crate::account::AccountError::Throttled {
            action: "iam:UpdateAccessKey".to_owned(),
        };
        let next = app.update(Action::WriteDone {
            request: Request::Deactivate,
            key_id: "AKIAEXAMPLEBACKUP001".to_owned(),
            result: Err(UiError::from(&err)),
        });
        assert_eq!(next, Some(Effect::Load));
        assert!(app.pending.is_none());
        assert!(app.banner.expect("banner").text.contains("throttling"));
    }

    #[tokio::test]
    async fn auditor_is_refused_every_write_with_the_reason() {
        let f = fixture("auditor");
        let mut app = loaded(&f).await;
        assert!(!app.is_root());
        for c in [Command::Deactivate, Command::Reactivate, Command::Delete] {
            app.banner = None;
            assert_eq!(cmd(&mut app, c), None);
            assert_eq!(app.mode, Mode::Browse);
            let text = app.banner.clone().expect("refusal").text;
            assert!(text.starts_with("not signed in as root"), "{text}");
            assert!(text.contains("user/security-auditor"), "{text}");
        }
    }

    #[tokio::test]
    async fn session_ending_write_stops_all_calls() {
        let f = fixture("signing-key");
        let mut app = loaded(&f).await;
        // The signing key is listed last.
        cmd(&mut app, Command::Bottom);
        cmd(&mut app, Command::Deactivate);
        let Mode::Confirm(c) = &app.mode else {
            panic!("dialog")
        };
        assert!(c.signs_session);
        assert_eq!(c.other_active, vec!["AKIAEXAMPLEDEPLOY002".to_owned()]);
        let Some(Effect::Write { request, key_id }) = cmd(&mut app, Command::Yes) else {
            panic!("write")
        };
        let done = f.remediator.execute(request, &key_id).await.expect("done");
        assert!(done.session_ended);
        let next = app.update(Action::WriteDone {
            request,
            key_id,
            result: Ok(done),
        });
        assert_eq!(next, None, "no reload: the credentials no longer work");
        assert!(app.session_ended());
        for c in [
            Command::Refresh,
            Command::Deactivate,
            Command::Up,
            Command::Delete,
        ] {
            assert_eq!(cmd(&mut app, c), None);
        }
        cmd(&mut app, Command::Back);
        assert_eq!(app.quit, Some(Quit::User));
    }

    #[tokio::test]
    async fn after_a_write_the_account_is_reloaded_and_selection_kept() {
        let f = fixture("two-keys");
        let mut app = loaded(&f).await;
        let row = f.remediator.account().root_report_row().await;
        app.update(Action::ReportLoaded(row.map_err(|e| UiError::from(&e))));
        assert!(matches!(app.report, Report::Ready(_)));
        cmd(&mut app, Command::Down);
        cmd(&mut app, Command::Deactivate);
        let Some(Effect::Write { request, key_id }) = cmd(&mut app, Command::Yes) else {
            panic!("write")
        };
        assert_eq!(key_id, "AKIAEXAMPLEOLDKEY002");
        let done = f.remediator.execute(request, &key_id).await.expect("done");
        let next = app.update(Action::WriteDone {
            request,
            key_id: key_id.clone(),
            result: Ok(done),
        });
        assert_eq!(next, Some(Effect::Load));
        assert_eq!(
            app.banner.clone().expect("banner").kind,
            BannerKind::Success
        );
        let s = f.remediator.snapshot().await.expect("snapshot");
        // The report is read again: it said the key was active.
        assert_eq!(app.update(Action::Loaded(Ok(s))), Some(Effect::LoadReport));
        let row = app.selected_row().expect("row");
        assert_eq!(row.label(), key_id);
        assert!(matches!(row.stage(), Stage::Observing { .. }));
        assert_eq!(app.step(), Step::Observe);
    }

    #[tokio::test]
    async fn skip_ahead_is_demo_only_and_goes_past_the_window() {
        let f = fixture("two-keys");
        let mut app = loaded(&f).await;
        assert_eq!(cmd(&mut app, Command::SkipDay), None);
        assert_eq!(
            app.banner.clone().expect("banner").text,
            strings::SKIP_DEMO_ONLY
        );
        app.demo = Some(DemoInfo {
            scenario: "two-keys".to_owned(),
            title: String::new(),
            summary: String::new(),
            notes: Vec::new(),
        });
        assert_eq!(
            cmd(&mut app, Command::SkipWindow),
            None,
            "nothing observing"
        );
        f.remediator
            .execute(Request::Deactivate, "AKIAEXAMPLEBACKUP001")
            .await
            .expect("deactivate");
        let s = f.remediator.snapshot().await.expect("snapshot");
        app.update(Action::Loaded(Ok(s)));
        let Some(Effect::Skip(by)) = cmd(&mut app, Command::SkipWindow) else {
            panic!("skip")
        };
        assert_eq!(by, TimeDelta::days(7) + TimeDelta::minutes(1));
        assert_eq!(cmd(&mut app, Command::SkipDay), None, "one skip at a time");
        assert_eq!(app.update(Action::Skipped(Ok(by))), Some(Effect::Load));
    }

    #[tokio::test]
    async fn help_opens_scrolls_and_closes_and_esc_clears_the_banner_but_never_quits() {
        let f = fixture("two-keys");
        let mut app = loaded(&f).await;
        app.update(Action::Resize(60, 16));
        cmd(&mut app, Command::ToggleHelp);
        assert_eq!(app.mode, Mode::Help { back: None });
        cmd(&mut app, Command::Down);
        assert_eq!(app.mode, Mode::Help { back: None }, "j scrolls the help");
        assert_eq!(app.help_scroll, 1);
        cmd(&mut app, Command::Deactivate);
        assert_eq!(app.mode, Mode::Browse);
        assert_eq!(app.selected, 0, "the key closing help does nothing else");
        app.banner = Some(Banner::info("x"));
        cmd(&mut app, Command::Back);
        assert!(app.banner.is_none());
        assert!(app.quit.is_none());
        cmd(&mut app, Command::Back);
        assert!(app.quit.is_none(), "Esc in the main view never leaves");
        cmd(&mut app, Command::Quit);
        assert_eq!(app.quit, Some(Quit::User));
        assert_eq!(app.exit(), Exit::Done);
    }

    #[test]
    fn signal_quits_with_failure() {
        let f = fixture("two-keys");
        let mut app = app(&f);
        app.update(Action::Signal("SIGTERM"));
        assert_eq!(app.quit, Some(Quit::Signal("SIGTERM")));
        assert_eq!(app.exit(), Exit::Failed);
    }

    /// Both of the two-keys scenario's keys removed, as the journal and
    /// the simulated account say.
    async fn finished(f: &Fixture) -> App {
        for key in ["AKIAEXAMPLEBACKUP001", "AKIAEXAMPLEOLDKEY002"] {
            f.remediator
                .execute(Request::Deactivate, key)
                .await
                .expect("deactivate");
        }
        let sim = f.remediator.account().simulation().expect("simulated");
        sim.skip_ahead(TimeDelta::days(8)).expect("skip");
        for key in ["AKIAEXAMPLEBACKUP001", "AKIAEXAMPLEOLDKEY002"] {
            f.remediator
                .execute(Request::Delete { force: false }, key)
                .await
                .expect("delete");
        }
        loaded(f).await
    }

    #[tokio::test]
    async fn prevent_follows_verify_once_no_key_is_left() {
        let f = fixture("two-keys");
        let app = loaded(&f).await;
        assert_eq!(
            app.step(),
            Step::Review,
            "keys left: Prevent is not reached"
        );
        let mut app = finished(&f).await;
        assert!(app.done(), "Prevent is advice: it does not hold up Done");
        assert_eq!(app.step(), Step::Prevent);
        // The scenario's root has no MFA: the check is the advice.
        assert_eq!(app.mfa_check(), MfaCheck::Off);
        // While the account is being read again it is still Verify.
        assert_eq!(cmd(&mut app, Command::Refresh), Some(Effect::Load));
        assert_eq!(app.step(), Step::Verify);
    }

    #[tokio::test]
    async fn the_mfa_check_is_the_snapshots_and_unknown_without_one() {
        let f = fixture("signing-key");
        let app = app(&f);
        assert_eq!(app.mfa_check(), MfaCheck::Unknown, "nothing read yet");
        let mut app = loaded(&f).await;
        assert_eq!(app.mfa_check(), MfaCheck::On, "signing-key's root has MFA");
        if let Some(s) = app.snapshot.as_mut() {
            s.root_mfa = None;
        }
        assert_eq!(app.mfa_check(), MfaCheck::Unknown);
    }

    #[test]
    fn walkthrough_is_automatic_in_a_wide_demo_and_toggles() {
        let f = fixture("two-keys");
        let mut app = app(&f);
        app.update(Action::Resize(120, 40));
        assert!(!app.walkthrough_visible(), "not in the live view");
        app.demo = Some(DemoInfo {
            scenario: "two-keys".to_owned(),
            title: String::new(),
            summary: String::new(),
            notes: Vec::new(),
        });
        assert!(app.walkthrough_visible());
        app.update(Action::Resize(80, 24));
        assert!(!app.walkthrough_visible());
        cmd(&mut app, Command::ToggleWalkthrough);
        assert!(app.walkthrough_visible());
        cmd(&mut app, Command::ToggleWalkthrough);
        assert!(!app.walkthrough_visible());
    }

    // ---- usage review ---------------------------------------------------------

    const BACKUP: &str = "AKIAEXAMPLEBACKUP001";
    const OLD: &str = "AKIAEXAMPLEOLDKEY002";

    /// What the worker sends back for a usage search of `key`.
    async fn search(f: &Fixture, key: &str) -> Action {
        let account = f.remediator.account();
        let source = account.trail_source().expect("simulated history");
        let report = crate::account::usage::fetch_usage(
            source.as_ref(),
            &crate::domain::usage::UsageQuery::new(key),
            account.now(),
            std::time::Duration::ZERO,
            |_| {},
        )
        .await;
        Action::UsageLoaded {
            key_id: key.to_owned(),
            result: crate::tui::action::usage_result(report),
        }
    }

    fn progress(done: usize, total: usize, events: usize) -> Progress {
        Progress {
            regions_total: total,
            regions_done: done,
            events_so_far: events,
        }
    }

    fn failed_everywhere(code: &str) -> crate::domain::usage::UsageReport {
        use crate::domain::usage::{RegionFailure, summarise};
        summarise(
            BACKUP,
            90,
            t0() - TimeDelta::days(90),
            t0(),
            ["us-east-1", "eu-west-1"]
                .into_iter()
                .map(|r| {
                    (
                        r.to_owned(),
                        Err(RegionFailure::new(
                            code,
                            "not authorized to perform: cloudtrail:LookupEvents",
                        )),
                    )
                })
                .collect(),
        )
    }

    #[tokio::test]
    async fn u_searches_the_selected_key_shows_progress_then_the_summary() {
        let f = fixture("two-keys");
        let mut app = loaded(&f).await;
        app.report = Report::Idle;
        assert_eq!(
            cmd(&mut app, Command::Usage),
            Some(Effect::LoadUsage {
                key_id: BACKUP.to_owned()
            })
        );
        assert_eq!(
            app.mode,
            Mode::Usage(UsageView {
                key_id: BACKUP.to_owned(),
                scroll: 0
            })
        );
        assert_eq!(app.usage.get(BACKUP), Some(&Usage::Loading(None)));
        assert!(app.in_flight(), "the spinner turns");
        assert_eq!(
            app.busy_text().as_deref(),
            Some("CloudTrail: listing regions…")
        );

        assert_eq!(
            app.update(Action::UsageProgress {
                key_id: BACKUP.to_owned(),
                progress: progress(2, 5, 50),
            }),
            None
        );
        assert_eq!(
            app.usage.get(BACKUP),
            Some(&Usage::Loading(Some(progress(2, 5, 50))))
        );
        assert_eq!(
            app.busy_text().as_deref(),
            Some("CloudTrail: 2/5 regions · 50 events…")
        );

        assert_eq!(app.update(search(&f, BACKUP).await), None);
        let Some(Usage::Ready(report)) = app.usage.get(BACKUP) else {
            panic!("a report, got {:?}", app.usage.get(BACKUP))
        };
        assert_eq!(report.total_events(), 191);
        assert_eq!(report.failed_regions().count(), 1);
        assert!(!app.in_flight());

        // u (or Esc) goes back to the key facts; u again shows the result
        // without searching again.
        assert_eq!(cmd(&mut app, Command::Back), None);
        assert_eq!(app.mode, Mode::Browse);
        assert!(app.quit.is_none(), "Esc in the usage view only closes it");
        assert_eq!(cmd(&mut app, Command::Usage), None);
        assert!(matches!(app.mode, Mode::Usage(_)));
        assert_eq!(cmd(&mut app, Command::Usage), None);
        assert_eq!(app.mode, Mode::Browse);
    }

    #[tokio::test]
    async fn a_second_search_is_ignored_while_one_runs() {
        let f = fixture("two-keys");
        let mut app = loaded(&f).await;
        assert!(cmd(&mut app, Command::Usage).is_some());
        // r in the usage view would search again: not while searching.
        assert_eq!(cmd(&mut app, Command::Refresh), None);
        // Another key: ignored, with the reason.
        cmd(&mut app, Command::Back);
        cmd(&mut app, Command::Down);
        assert_eq!(cmd(&mut app, Command::Usage), None);
        assert_eq!(app.mode, Mode::Browse);
        assert_eq!(
            app.banner.clone().expect("banner").text,
            strings::usage_one_at_a_time(BACKUP)
        );
        assert!(!app.usage.contains_key(OLD));
        // Progress for a key not being searched changes nothing.
        app.update(Action::UsageProgress {
            key_id: OLD.to_owned(),
            progress: progress(1, 5, 0),
        });
        assert!(!app.usage.contains_key(OLD));
        // Once the first is done, the other key can be searched.
        app.update(search(&f, BACKUP).await);
        assert_eq!(
            cmd(&mut app, Command::Usage),
            Some(Effect::LoadUsage {
                key_id: OLD.to_owned()
            })
        );
        app.update(search(&f, OLD).await);
        let Some(Usage::Ready(report)) = app.usage.get(OLD) else {
            panic!("a report")
        };
        assert_eq!(report.total_events(), 0, "the forgotten key was never seen");
    }

    #[tokio::test]
    async fn usage_errors_show_in_place_with_advice_and_r_searches_again() {
        let f = fixture("two-keys");
        let mut app = loaded(&f).await;
        cmd(&mut app, Command::Usage);
        let err = crate::tui::action::usage_result(failed_everywhere("AccessDeniedException"))
            .expect_err("no region searched");
        assert_eq!(
            err.message,
            "no region could be searched (us-east-1, eu-west-1: AccessDeniedException: \
             not authorized to perform: cloudtrail:LookupEvents)"
        );
        assert!(
            err.advice
                .as_deref()
                .is_some_and(|a| a.contains("cloudtrail:LookupEvents"))
        );
        app.update(Action::UsageLoaded {
            key_id: BACKUP.to_owned(),
            result: Err(err.clone()),
        });
        assert_eq!(app.usage.get(BACKUP), Some(&Usage::Failed(err)));
        assert!(matches!(app.mode, Mode::Usage(_)), "shown in place");
        assert!(app.quit.is_none());
        assert!(app.banner.is_none(), "not a banner: the pane says it");
        assert_eq!(
            cmd(&mut app, Command::Refresh),
            Some(Effect::LoadUsage {
                key_id: BACKUP.to_owned()
            })
        );
        // Opening the view on a failed search searches again too.
        app.update(Action::UsageLoaded {
            key_id: BACKUP.to_owned(),
            result: Err(UiError::new(strings::USAGE_NO_SOURCE)),
        });
        cmd(&mut app, Command::Back);
        assert!(matches!(
            cmd(&mut app, Command::Usage),
            Some(Effect::LoadUsage { .. })
        ));
        // Advice follows the failure; one region searched is a report.
        let throttled = crate::tui::action::usage_result(failed_everywhere("ThrottlingException"))
            .expect_err("throttled");
        assert_eq!(
            throttled.advice.as_deref(),
            Some(strings::USAGE_ADVICE_THROTTLED)
        );
        let Action::UsageLoaded { result, .. } = search(&f, BACKUP).await else {
            panic!("usage")
        };
        assert!(
            result.is_ok(),
            "one failed region of five is named, not an error"
        );
    }

    #[tokio::test]
    async fn auditor_view_says_why_usage_needs_root() {
        let f = fixture("auditor");
        let mut early = app(&f);
        let mut app = loaded(&f).await;
        assert_eq!(cmd(&mut app, Command::Usage), None);
        assert_eq!(app.mode, Mode::Browse);
        let banner = app.banner.clone().expect("banner");
        assert_eq!(banner.text, strings::usage_auditor(app.surface()));
        assert!(!banner.text.contains("KEY_ID"), "{banner:?}");
        assert!(banner.text.contains("known only to root"));
        assert!(app.usage.is_empty());
        // Before the account is read, nothing to search either.
        early.start();
        assert_eq!(cmd(&mut early, Command::Usage), None);
        assert_eq!(early.banner.expect("banner").text, strings::STILL_LOADING);
    }

    #[tokio::test]
    async fn usage_view_scrolls_within_its_text_and_help_returns_to_it() {
        let f = fixture("two-keys");
        let mut app = loaded(&f).await;
        app.update(Action::Resize(80, 24));
        cmd(&mut app, Command::Usage);
        app.update(search(&f, BACKUP).await);
        let (total, visible) = view::usage_viewport(&app);
        assert!(
            visible > 0 && total > visible,
            "{total} lines, {visible} shown"
        );
        let max = total - visible;
        let scroll = |app: &App| app.usage_view().expect("usage view").scroll;
        cmd(&mut app, Command::Up);
        assert_eq!(scroll(&app), 0);
        cmd(&mut app, Command::Down);
        assert_eq!(scroll(&app), 1);
        cmd(&mut app, Command::PageDown);
        assert_eq!(scroll(&app), visible, "a page keeps one line of context");
        cmd(&mut app, Command::Bottom);
        assert_eq!(scroll(&app), max);
        cmd(&mut app, Command::PageDown);
        cmd(&mut app, Command::Down);
        assert_eq!(scroll(&app), max, "never past the end");
        cmd(&mut app, Command::PageUp);
        assert_eq!(scroll(&app), max - (visible - 1));
        // The help opened from the usage view returns to it, scroll kept.
        cmd(&mut app, Command::ToggleHelp);
        assert!(matches!(app.mode, Mode::Help { back: Some(_) }));
        cmd(&mut app, Command::Down);
        assert!(matches!(app.mode, Mode::Help { .. }), "j scrolls the help");
        cmd(&mut app, Command::Back);
        assert!(matches!(app.mode, Mode::Usage(_)), "Esc closes the help");
        assert_eq!(scroll(&app), max - (visible - 1));
        // A taller terminal shows more: the scroll stays within the text.
        app.update(Action::Resize(120, 60));
        let (total, visible) = view::usage_viewport(&app);
        assert!(scroll(&app) <= total.saturating_sub(visible));
        cmd(&mut app, Command::Top);
        assert_eq!(scroll(&app), 0);
        // The selection does not move while reading.
        assert_eq!(app.selected, 0);
    }
}

//! The real event loop (`tui::runner::run`) on a `TestBackend`, with keys
//! from a channel and the simulated account behind the real `Remediator`
//! and journal. Tokio's clock is paused: the simulated latencies and the
//! scripted pauses advance virtual time only, so the runs are exact.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::channel::mpsc::{UnboundedSender, unbounded};
use futures::future::{BoxFuture, FutureExt};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use rootkeys::account::sim::{Latency, SimAccount, SimClock};
use rootkeys::account::{Account, AccountResult, AccountSummary, Source};
use rootkeys::domain::{Identity, KeyStatus, RootKey};
use rootkeys::exit::Exit;
use rootkeys::remediate::Remediator;
use rootkeys::report::RootRow;
use rootkeys::tui::action::Action;
use rootkeys::tui::app::{App, Config, Usage};
use rootkeys::tui::runner::{Worker, run};
use rootkeys::tui::theme::Theme;

mod support;

use support::tui::{Setup, t0};

type Keys = UnboundedSender<std::io::Result<Event>>;

fn setup(scenario: &str) -> Setup {
    Setup::open(scenario, Latency::DEMO)
}

fn app(s: &Setup) -> App {
    s.app(true, Theme::plain())
}

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

fn journal(s: &Setup) -> String {
    std::fs::read_to_string(s.dir.path().join("journal-123456789012.jsonl")).unwrap_or_default()
}

async fn status_of(s: &Setup, id: &str) -> Option<KeyStatus> {
    s.sim
        .caller_keys()
        .await
        .expect("keys")
        .into_iter()
        .find(|k| k.access_key_id.as_deref() == Some(id))
        .map(|k| k.status)
}

/// Run the loop while `script` types; the final screen.
async fn drive<F>(s: &Setup, app: &mut App, script: impl FnOnce(Keys) -> F) -> String
where
    F: std::future::Future<Output = ()>,
{
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let worker = Worker::new(Arc::clone(&s.remediator));
    let (keys, events) = unbounded();
    let (_actions_tx, actions) = tokio::sync::mpsc::unbounded_channel::<Action>();
    let (result, ()) = tokio::join!(
        run(&mut terminal, app, &worker, events, actions),
        script(keys)
    );
    result.expect("the loop ends cleanly");
    terminal.backend().to_string()
}

#[tokio::test(start_paused = true)]
async fn walk_through_deactivate_skip_and_delete() {
    let s = setup("two-keys");
    let mut app = app(&s);
    let screen = drive(&s, &mut app, |keys| async move {
        pause(5).await;
        key(&keys, KeyCode::Char('d'));
        key(&keys, KeyCode::Char('y'));
        pause(5).await;
        key(&keys, KeyCode::Char('S'));
        pause(5).await;
        key(&keys, KeyCode::Char('D'));
        chars(&keys, "AKIAEXAMPLEBACKUP001");
        key(&keys, KeyCode::Enter);
        pause(5).await;
        key(&keys, KeyCode::Char('q'));
    })
    .await;
    assert_eq!(app.exit(), Exit::Done);
    assert!(screen.contains("1 root access key"), "{screen}");
    assert!(screen.contains("deleted 2026-12-02"), "{screen}");
    assert!(
        screen.contains("Verified: the account summary reports 1 root access key"),
        "{screen}"
    );
    assert_eq!(status_of(&s, "AKIAEXAMPLEBACKUP001").await, None, "gone");
    assert_eq!(
        status_of(&s, "AKIAEXAMPLEOLDKEY002").await,
        Some(KeyStatus::Active),
        "the other key is untouched"
    );
    let journal = journal(&s);
    for needle in [
        r#""action":"deactivate","phase":"intent""#,
        r#""action":"deactivate","phase":"outcome""#,
        r#""action":"delete","phase":"intent""#,
        r#""action":"delete","phase":"outcome""#,
    ] {
        assert!(journal.contains(needle), "{needle} in {journal}");
    }
}

#[tokio::test(start_paused = true)]
async fn enter_on_the_default_answer_writes_nothing() {
    let s = setup("two-keys");
    let mut app = app(&s);
    let screen = drive(&s, &mut app, |keys| async move {
        pause(5).await;
        key(&keys, KeyCode::Char('d'));
        key(&keys, KeyCode::Enter);
        pause(5).await;
        key(&keys, KeyCode::Char('q'));
    })
    .await;
    assert!(screen.contains("2 root access keys"), "{screen}");
    assert_eq!(
        status_of(&s, "AKIAEXAMPLEBACKUP001").await,
        Some(KeyStatus::Active)
    );
    assert_eq!(journal(&s), "");
}

#[tokio::test(start_paused = true)]
async fn quitting_during_a_write_waits_for_its_outcome() {
    let s = setup("two-keys");
    let mut app = app(&s);
    drive(&s, &mut app, |keys| async move {
        pause(5).await;
        key(&keys, KeyCode::Char('d'));
        key(&keys, KeyCode::Char('y'));
        // No pause: the write (400 ms simulated) is still in flight.
        key(&keys, KeyCode::Char('q'));
    })
    .await;
    let journal = journal(&s);
    assert!(journal.contains(r#""phase":"outcome""#), "{journal}");
    assert_eq!(
        status_of(&s, "AKIAEXAMPLEBACKUP001").await,
        Some(KeyStatus::Inactive)
    );
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_quits_even_while_loading() {
    let s = setup("two-keys");
    let mut app = app(&s);
    let screen = drive(&s, &mut app, |keys| async move {
        keys.unbounded_send(Ok(Event::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        ))))
        .expect("send");
    })
    .await;
    assert!(app.quit.is_some());
    assert!(screen.contains("loading…"), "first frame drawn: {screen}");
}

#[tokio::test(start_paused = true)]
async fn a_signal_ends_the_loop_with_failure() {
    let s = setup("two-keys");
    let mut app = app(&s);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let worker = Worker::new(Arc::clone(&s.remediator));
    let (_keys, events) = unbounded::<std::io::Result<Event>>();
    let (actions_tx, actions) = tokio::sync::mpsc::unbounded_channel();
    actions_tx
        .send(Action::Signal("SIGTERM"))
        .expect("send signal");
    run(&mut terminal, &mut app, &worker, events, actions)
        .await
        .expect("loop");
    assert_eq!(app.exit(), Exit::Failed);
}

#[tokio::test(start_paused = true)]
async fn session_signed_with_a_deactivated_key_stops_calling() {
    let s = setup("signing-key");
    let mut app = app(&s);
    let screen = drive(&s, &mut app, |keys| async move {
        pause(5).await;
        key(&keys, KeyCode::Char('G'));
        key(&keys, KeyCode::Char('d'));
        key(&keys, KeyCode::Char('y'));
        pause(5).await;
        // Refresh and writes are ignored from now on.
        key(&keys, KeyCode::Char('r'));
        pause(5).await;
        key(&keys, KeyCode::Char('q'));
    })
    .await;
    assert!(screen.contains("This session has ended"), "{screen}");
    assert!(app.session_ended());
    assert!(!app.loading, "no call after the session ended");
    assert!(app.load_error.is_none(), "no failing call was made");
}

#[tokio::test(start_paused = true)]
async fn u_searches_cloudtrail_in_a_background_task_and_shows_the_summary() {
    let s = setup("two-keys");
    let mut app = app(&s);
    let screen = drive(&s, &mut app, |keys| async move {
        pause(5).await;
        key(&keys, KeyCode::Char('u'));
        pause(5).await;
        // To the end of the summary: the limits name the failed region.
        key(&keys, KeyCode::Char('G'));
        pause(1).await;
        key(&keys, KeyCode::Char('q'));
    })
    .await;
    assert!(screen.contains("Usage · AKIAEXAMPLEBACKUP001"), "{screen}");
    assert!(
        screen.contains("ap-southeast-2 failed (AccessDeniedException"),
        "{screen}"
    );
    let Some(Usage::Ready(report)) = app.usage.get("AKIAEXAMPLEBACKUP001") else {
        panic!("usage loaded: {:?}", app.usage)
    };
    assert_eq!(report.total_events(), 191);
    assert_eq!(app.exit(), Exit::Done);
}

#[tokio::test(start_paused = true)]
async fn leaving_during_a_usage_search_does_not_wait_for_it() {
    let s = setup("two-keys");
    let mut app = app(&s);
    let started = tokio::time::Instant::now();
    drive(&s, &mut app, |keys| async move {
        pause(5).await;
        key(&keys, KeyCode::Char('u'));
        tokio::time::sleep(Duration::from_millis(300)).await;
        key(&keys, KeyCode::Char('q'));
    })
    .await;
    assert!(
        matches!(
            app.usage.get("AKIAEXAMPLEBACKUP001"),
            Some(Usage::Loading(_))
        ),
        "still searching when the view closed: {:?}",
        app.usage
    );
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "the search was cancelled, not waited for"
    );
}

/// A simulated account whose key listing panics (a bug in a background task).
struct Panics(SimAccount);

impl Account for Panics {
    fn identity(&self) -> BoxFuture<'_, AccountResult<Identity>> {
        self.0.identity()
    }
    fn account_summary(&self) -> BoxFuture<'_, AccountResult<AccountSummary>> {
        self.0.account_summary()
    }
    fn caller_keys(&self) -> BoxFuture<'_, AccountResult<Vec<RootKey>>> {
        async { panic!("injected panic while listing keys") }.boxed()
    }
    fn root_report_row(&self) -> BoxFuture<'_, AccountResult<RootRow>> {
        self.0.root_report_row()
    }
    fn set_status(&self, key_id: &str, status: KeyStatus) -> BoxFuture<'_, AccountResult<()>> {
        self.0.set_status(key_id, status)
    }
    fn delete_key(&self, key_id: &str) -> BoxFuture<'_, AccountResult<()>> {
        self.0.delete_key(key_id)
    }
    fn now(&self) -> DateTime<Utc> {
        self.0.now()
    }
    fn source(&self) -> Source {
        self.0.source()
    }
}

#[tokio::test(start_paused = true)]
async fn a_panicking_task_ends_the_loop_with_an_error_not_a_spinner_for_ever() {
    let dir = tempfile::tempdir().expect("tmp");
    let sim =
        SimAccount::in_memory("two-keys", SimClock::Fixed(t0()), Latency::DEMO).expect("scenario");
    let account: Arc<dyn Account> = Arc::new(Panics(sim));
    let remediator = Arc::new(Remediator::new(
        account,
        dir.path().to_owned(),
        TimeDelta::days(7),
    ));
    let mut app = App::new(Config {
        source: Source::default(),
        window: TimeDelta::days(7),
        demo: None,
        theme: Theme::plain(),
    });
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let worker = Worker::new(remediator);
    let (_keys, events) = unbounded::<std::io::Result<Event>>();
    let (_actions_tx, actions) = tokio::sync::mpsc::unbounded_channel();
    let result = tokio::time::timeout(
        Duration::from_mins(1),
        run(&mut terminal, &mut app, &worker, events, actions),
    )
    .await
    .expect("the loop ends");
    let err = result.expect_err("a task panicked");
    assert!(
        err.to_string().starts_with("a background task failed"),
        "{err}"
    );
}

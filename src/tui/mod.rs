//! The interactive view: the guided, staged removal of root's keys over
//! whatever account the caller built (`run`), live or simulated.
//!
//! Imports `remediate`, `account` (the port and the usage search, never a
//! concrete backend: skip-ahead and pacing come through
//! `Account::simulation`), `domain`, `render`, `report`, `text`,
//! `failpoint` and `exit`; never `commands` or `app`.
//!
//! - `action`: commands, actions and effects (the messages)
//! - `app`: the state and `App::start` / `App::update`, the only places it changes
//! - `keymap`: keys → commands, also feeding the help and the footer
//! - `view`: drawing, which only reads the state
//! - `runner`: the event loop and the worker whose tasks talk to the account
//! - `strings`, `theme`, `walkthrough`: text, colours, the seven steps
//! - `org`: the organization view (`rootkeys org`, `rootkeys demo --scenario org`)

pub mod action;
pub mod app;
pub mod keymap;
pub mod org;
pub mod runner;
pub mod strings;
pub mod theme;
pub mod view;
pub mod walkthrough;

use std::io::Stdout;
use std::sync::Arc;

use crossterm::cursor::Show;
use crossterm::event::EventStream;
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use self::action::Action;
pub use self::app::DemoInfo;
use self::app::{App, Config};
use self::runner::Worker;
use self::theme::Theme;
use crate::exit::Exit;
use crate::failpoint;
use crate::remediate::Remediator;

/// `ROOTKEYS_FAILPOINT=tui-task-panic` makes a background task panic once
/// the view is up (tests of the panic hook).
pub const PANIC_FAILPOINT: &str = "tui-task-panic";
/// Exit status after a panic (the terminal is restored first).
pub const PANIC_EXIT: i32 = 101;

/// The interactive view over the account behind `remediator`, real or
/// simulated; `demo` describes the simulated scenario for the header and
/// the detail pane. The caller checks that stdout is a terminal.
pub async fn run(remediator: Arc<Remediator>, demo: Option<DemoInfo>) -> Exit {
    let app = App::new(Config {
        source: remediator.account().source(),
        window: remediator.window(),
        demo,
        theme: Theme::from_env(),
    });
    interactive(app, &Worker::new(remediator)).await
}

/// Take over the terminal, run the loop, and give the terminal back, also
/// on a panic (in any thread or task) and on SIGTERM, SIGHUP and SIGINT.
async fn interactive(mut app: App, worker: &Worker) -> Exit {
    install_panic_hook();
    let mut terminal = match enter() {
        Ok(t) => t,
        Err(e) => {
            leave();
            eprintln!("rootkeys: error: cannot start the interactive view: {e}");
            return Exit::Failed;
        }
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let listeners = listen_for_signals(&tx, Action::Signal);
    if failpoint::requested(PANIC_FAILPOINT) {
        // Test-only: a panic in a background task must still end the
        // process with the terminal restored.
        tokio::spawn(async { panic!("injected panic in a background task") });
    }
    let result = runner::run(&mut terminal, &mut app, worker, EventStream::new(), rx).await;
    for listener in listeners {
        listener.abort();
    }
    leave();
    drop(terminal);
    match result {
        Ok(()) => app.exit(),
        Err(e) => {
            eprintln!("rootkeys: error: {e}");
            Exit::Failed
        }
    }
}

pub(crate) fn enter() -> std::io::Result<Terminal<CrosstermBackend<Stdout>>> {
    enable_raw_mode()?;
    execute!(std::io::stdout(), EnterAlternateScreen)?;
    Terminal::new(CrosstermBackend::new(std::io::stdout()))
}

/// Leave raw mode and the alternate screen, show the cursor. Safe to call
/// more than once.
pub(crate) fn leave() {
    let _ = disable_raw_mode();
    let _ = execute!(std::io::stdout(), LeaveAlternateScreen, Show);
}

/// A panic restores the terminal, reports, and ends the process non-zero:
/// a panic in a tokio task must not leave a dead view on screen.
pub(crate) fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
        std::process::exit(PANIC_EXIT);
    }));
}

/// Forward SIGTERM, SIGHUP and SIGINT to a view's loop as the action
/// `signal` makes of the signal's name, so it can restore the terminal and
/// leave. Shared by the account view and the organization view.
#[cfg(unix)]
pub(crate) fn listen_for_signals<A: Send + 'static>(
    tx: &mpsc::UnboundedSender<A>,
    signal_action: fn(&'static str) -> A,
) -> Vec<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut handles = Vec::new();
    for (kind, name) in [
        (SignalKind::terminate(), "SIGTERM"),
        (SignalKind::hangup(), "SIGHUP"),
        (SignalKind::interrupt(), "SIGINT"),
    ] {
        // Register now, so a signal arriving before the task runs is kept.
        let Ok(mut stream) = signal(kind) else {
            continue;
        };
        let tx = tx.clone();
        handles.push(tokio::spawn(async move {
            if stream.recv().await.is_some() {
                let _ = tx.send(signal_action(name));
            }
        }));
    }
    handles
}

#[cfg(not(unix))]
pub(crate) fn listen_for_signals<A: Send + 'static>(
    _tx: &mpsc::UnboundedSender<A>,
    _signal_action: fn(&'static str) -> A,
) -> Vec<tokio::task::JoinHandle<()>> {
    Vec::new()
}

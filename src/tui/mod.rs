//! The interactive view: the guided, staged removal of root's keys over the
//! live account (`run_live`) or a simulated one (`run_demo`).
//!
//! - `action`: commands, actions and effects (the messages)
//! - `app`: the state and `App::update`, the only place it changes
//! - `keymap`: keys → commands, also feeding the help and the footer
//! - `view`: drawing, which only reads the state
//! - `runner`: the event loop and the worker whose tasks talk to the account
//! - `strings`, `theme`, `walkthrough`: text, colours, the six steps

pub mod action;
pub mod app;
pub mod keymap;
pub mod runner;
pub mod strings;
pub mod theme;
pub mod view;
pub mod walkthrough;

use std::io::{IsTerminal, Stdout};
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
use self::app::{App, Config, DemoInfo};
use self::runner::Worker;
use self::theme::Theme;
use crate::account::sim::{Latency, SimAccount, SimClock};
use crate::account::{Account, sim};
use crate::cli::Global;
use crate::commands::Exit;
use crate::failpoint;
use crate::remediate::Remediator;

/// `ROOTKEYS_FAILPOINT=tui-task-panic` makes a background task panic once
/// the view is up (tests of the panic hook).
pub const PANIC_FAILPOINT: &str = "tui-task-panic";
/// Exit status after a panic (the terminal is restored first).
pub const PANIC_EXIT: i32 = 101;

/// The interactive view over the account behind `remediator`.
pub async fn run_live(remediator: Arc<Remediator>) -> Exit {
    let app = App::new(Config {
        source: remediator.account().source(),
        window: remediator.window(),
        demo: None,
        theme: Theme::from_env(),
    });
    interactive(app, &Worker::new(remediator, None)).await
}

/// `rootkeys demo`: the same view over an embedded simulated account whose
/// state lives under `<state_dir>/demo/<scenario>/`.
pub async fn run_demo(global: &Global, scenario: &str, reset: bool) -> Exit {
    // Check the name before it becomes part of a path.
    let scenario_info = match sim::Scenario::builtin(scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("rootkeys: error: {e}");
            return Exit::Failed;
        }
    };
    // The demo keeps its state and journal under the state directory: it
    // must be one rootkeys can trust before anything is made in it.
    let state_dir = match global
        .state_dir()
        .and_then(|dir| crate::journal::prepare_state_dir(&dir).map(|()| dir))
    {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("rootkeys: error: {e}");
            return Exit::Failed;
        }
    };
    let dir = state_dir.join("demo").join(&scenario_info.name);
    if reset && let Err(e) = SimAccount::reset(&dir) {
        eprintln!("rootkeys: error: {e}");
        return Exit::Failed;
    }
    let sim = match SimAccount::open(&scenario_info.name, &dir, SimClock::System, Latency::DEMO) {
        Ok(sim) => Arc::new(sim),
        Err(e) => {
            eprintln!("rootkeys: error: {e}");
            return Exit::Failed;
        }
    };
    let account: Arc<dyn Account> = sim.clone();
    let remediator = Arc::new(Remediator::new(account, dir, global.observe));
    if !std::io::stdout().is_terminal() {
        return crate::commands::status::run(&remediator, false).await;
    }
    let demo = DemoInfo {
        scenario: scenario_info.name.clone(),
        title: scenario_info.title.clone(),
        summary: scenario_info.summary.clone(),
        notes: sim.notes(),
    };
    let app = App::new(Config {
        source: sim.source(),
        window: remediator.window(),
        demo: Some(demo),
        theme: Theme::from_env(),
    });
    interactive(app, &Worker::new(remediator, Some(sim))).await
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
    let listeners = listen_for_signals(&tx);
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

fn enter() -> std::io::Result<Terminal<CrosstermBackend<Stdout>>> {
    enable_raw_mode()?;
    execute!(std::io::stdout(), EnterAlternateScreen)?;
    Terminal::new(CrosstermBackend::new(std::io::stdout()))
}

/// Leave raw mode and the alternate screen, show the cursor. Safe to call
/// more than once.
fn leave() {
    let _ = disable_raw_mode();
    let _ = execute!(std::io::stdout(), LeaveAlternateScreen, Show);
}

/// A panic restores the terminal, reports, and ends the process non-zero:
/// a panic in a tokio task must not leave a dead view on screen.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
        std::process::exit(PANIC_EXIT);
    }));
}

#[cfg(unix)]
fn listen_for_signals(tx: &mpsc::UnboundedSender<Action>) -> Vec<tokio::task::JoinHandle<()>> {
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
                let _ = tx.send(Action::Signal(name));
            }
        }));
    }
    handles
}

#[cfg(not(unix))]
fn listen_for_signals(_tx: &mpsc::UnboundedSender<Action>) -> Vec<tokio::task::JoinHandle<()>> {
    Vec::new()
}

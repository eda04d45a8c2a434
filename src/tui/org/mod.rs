//! The organization view: every account of an AWS Organization and its
//! root keys, filled in as the audit's rows arrive (`rootkeys org`, and
//! `rootkeys demo --scenario org` over a simulated organization).
//!
//! Same shape and conventions as the single-account view: one state
//! (`state`), changed only by `update`; keys → commands in `keymap`, which
//! also feeds the help and the footer; drawing in `view`; the event loop
//! and the audit task in `runner`; every text in `strings`; colours from
//! `crate::tui::theme`. The terminal is taken and given back the way the
//! single-account view does it (also on panics and signals).
//!
//! Imports `org` (the port, the model, the runner; never a concrete
//! backend), `domain`, `text` and the shared parts of `tui`; never
//! `commands` or `app`.

pub mod action;
pub mod keymap;
pub mod runner;
pub mod state;
pub mod strings;
mod update;
pub mod view;

use crossterm::event::EventStream;
use tokio::sync::mpsc;

use self::action::Action;
pub use self::runner::Audit;
pub use self::state::{Config, OrgApp, OrgDemo};
use super::{PANIC_FAILPOINT, enter, install_panic_hook, leave, listen_for_signals};
use crate::exit::Exit;
use crate::failpoint;
use crate::tui::theme::Theme;

/// The interactive view over `audit`'s organization; `demo` describes a
/// simulated one. The caller checks that stdout is a terminal and that the
/// state directory can be trusted.
pub async fn run(audit: Audit, demo: Option<OrgDemo>) -> Exit {
    let mut app = OrgApp::new(Config {
        theme: Theme::from_env(),
        demo,
        now: audit.access.now(),
    });
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
        tokio::spawn(async { panic!("injected panic in a background task") });
    }
    let result = runner::run(&mut terminal, &mut app, audit, EventStream::new(), rx).await;
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

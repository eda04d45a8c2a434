//! The organization view's event loop: one `tokio::select!` over terminal
//! events, the action channel (signals), the audit's results and a tick.
//! Generic over the ratatui backend and the event source, so tests run
//! this very loop on a `TestBackend` with scripted keys.
//!
//! The audit runs in one spawned task (preflight, then the organization
//! runner), which sends each row back as an [`Action`] as soon as it is
//! built; it is cancelled when the view ends.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::Event;
use futures::stream::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::action::{Action, Failure, Started};
use super::keymap;
use super::state::OrgApp;
use super::view;
use crate::org::OrgAccess;
use crate::org::model::MemberRow;
use crate::org::preflight;
use crate::org::run::{self, Options, Progress, RunError};
use crate::tui::runner::{LoopError, TICK};

/// What to audit: the organization behind `access`, sessions journaled
/// under `state_dir` (already checked by the caller).
#[derive(Clone)]
pub struct Audit {
    pub access: Arc<dyn OrgAccess>,
    pub state_dir: PathBuf,
    pub options: Options,
}

impl Audit {
    /// The audit as a task that owns what it needs and reports on `tx`.
    pub async fn task(self, tx: UnboundedSender<Action>) {
        let access = self.access.as_ref();
        let ready = match preflight::check(access).await {
            Ok(ready) => ready,
            Err(failure) => {
                let _ = tx.send(Action::Failed(Failure {
                    message: failure.to_string(),
                    fix: failure.fix(),
                }));
                return;
            }
        };
        let _ = tx.send(Action::Started(Box::new(Started {
            organization: ready.organization.clone(),
            caller_arn: ready.caller.arn.clone(),
        })));
        let rows = tx.clone();
        let mut on_row = move |p: &Progress, row: Option<&MemberRow>| {
            let _ = rows.send(match row {
                Some(row) => Action::Row(Box::new(row.clone()), *p),
                None => Action::Progress(*p),
            });
        };
        let result =
            run::audit_streamed(access, &ready, &self.options, &self.state_dir, &mut on_row).await;
        let _ = tx.send(match result {
            Ok(org) => Action::Finished(Box::new(org)),
            Err(RunError::Preflight(failure)) => Action::Failed(Failure {
                message: failure.to_string(),
                fix: failure.fix(),
            }),
        });
    }
}

/// Run until the operator leaves (or a signal). The first frame is drawn
/// before any result is awaited; later frames only when something changed.
pub async fn run<B, E>(
    terminal: &mut Terminal<B>,
    app: &mut OrgApp,
    audit: Audit,
    mut events: E,
    mut actions: UnboundedReceiver<Action>,
) -> Result<(), LoopError>
where
    B: Backend,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
{
    if let Ok(size) = terminal.size() {
        app.update(Action::Resize(size.width, size.height));
    }
    let (tx, mut results) = mpsc::unbounded_channel();
    let mut task = tokio::spawn(audit.task(tx));
    let mut task_done = false;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut actions_open = true;
    let outcome = loop {
        if dirty {
            if let Err(e) = terminal.draw(|frame| view::draw(frame, app)) {
                break Err(LoopError::Draw(e.to_string()));
            }
            dirty = false;
        }
        if app.quit.is_some() {
            break Ok(());
        }
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => keymap::action_for(app, key),
                Some(Ok(Event::Resize(w, h))) => Some(Action::Resize(w, h)),
                Some(Ok(_)) => None,
                Some(Err(e)) => break Err(LoopError::Input(e.to_string())),
                None => Some(Action::Signal("end of input")),
            },
            Some(result) = results.recv() => Some(result),
            joined = &mut task, if !task_done => {
                task_done = true;
                // Without the panic hook (tests), a panicked audit would
                // leave the view waiting for ever: stop instead.
                match joined {
                    Err(e) if e.is_panic() => break Err(LoopError::Task(e.to_string())),
                    _ => None,
                }
            }
            received = actions.recv(), if actions_open => {
                if received.is_none() {
                    actions_open = false;
                }
                received
            }
            _ = tick.tick() => app.in_flight().then_some(Action::Tick),
        };
        if let Some(action) = action {
            app.update(action);
            dirty = true;
        }
    };
    // Leaving while accounts are still audited: their sessions end on
    // their own (at most 900 s); no request is left to wait for.
    task.abort();
    outcome
}

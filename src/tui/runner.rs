//! The event loop: one `tokio::select!` over terminal events, finished
//! work, the action channel (signals) and a tick. Generic over the ratatui
//! backend and the event source, so tests run this very loop on a
//! `TestBackend` with scripted keys.

use std::time::Duration;

use crossterm::event::Event;
use futures::future::{BoxFuture, FutureExt};
use futures::stream::{FuturesUnordered, Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;

use super::action::{Action, Effect, UiError};
use super::app::App;
use super::keymap;
use super::view;
use crate::account::sim::SimAccount;
use crate::remediate::Remediator;

/// The spinner's pace while work is in flight.
pub const TICK: Duration = Duration::from_millis(100);

/// Carries out [`Effect`]s against the account; every result comes back
/// as an [`Action`]. All writes go through [`Remediator::execute`].
pub struct Worker<'a> {
    remediator: &'a Remediator,
    sim: Option<&'a SimAccount>,
}

impl<'a> Worker<'a> {
    pub fn new(remediator: &'a Remediator, sim: Option<&'a SimAccount>) -> Self {
        Self { remediator, sim }
    }

    pub fn start(&self, effect: Effect) -> BoxFuture<'a, Action> {
        let remediator = self.remediator;
        match effect {
            Effect::Load => async move {
                let result = remediator.snapshot().await;
                Action::Loaded(result.map_err(|e| UiError::from(&e)))
            }
            .boxed(),
            Effect::LoadReport => async move {
                let result = remediator.account().root_report_row().await;
                Action::ReportLoaded(result.map_err(|e| UiError::from(&e)))
            }
            .boxed(),
            Effect::Write { request, key_id } => async move {
                let result = remediator.execute(request, &key_id).await;
                Action::WriteDone {
                    request,
                    key_id,
                    result: result.map_err(|e| UiError::from(&e)),
                }
            }
            .boxed(),
            Effect::Skip(by) => {
                let sim = self.sim;
                async move {
                    Action::Skipped(match sim {
                        Some(sim) => sim
                            .advance(by)
                            .map(|()| by)
                            .map_err(|e| UiError::new(e.to_string())),
                        None => Err(UiError::new(super::strings::SKIP_DEMO_ONLY)),
                    })
                }
                .boxed()
            }
        }
    }
}

/// Why the loop stopped early.
#[derive(Debug, thiserror::Error)]
pub enum LoopError {
    #[error("cannot draw: {0}")]
    Draw(String),
    #[error("cannot read the terminal: {0}")]
    Input(String),
}

/// Run until the app asks to quit. The first frame is drawn before any
/// work is awaited; later frames only when something changed.
pub async fn run<B, E>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    worker: &Worker<'_>,
    mut events: E,
    mut actions: mpsc::UnboundedReceiver<Action>,
) -> Result<(), LoopError>
where
    B: Backend,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
{
    let mut in_flight: FuturesUnordered<BoxFuture<'_, Action>> = FuturesUnordered::new();
    if let Ok(size) = terminal.size() {
        app.update(Action::Resize(size.width, size.height));
    }
    in_flight.push(worker.start(app.start()));
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut actions_open = true;
    loop {
        if dirty {
            terminal
                .draw(|frame| view::draw(frame, app))
                .map_err(|e| LoopError::Draw(e.to_string()))?;
            dirty = false;
        }
        if app.quit.is_some() {
            finish_write(app, &mut in_flight).await;
            return Ok(());
        }
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => keymap::action_for(app, key),
                Some(Ok(Event::Resize(w, h))) => Some(Action::Resize(w, h)),
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(LoopError::Input(e.to_string())),
                None => Some(Action::Signal("end of input")),
            },
            Some(done) = in_flight.next(), if !in_flight.is_empty() => Some(done),
            received = actions.recv(), if actions_open => {
                if received.is_none() {
                    actions_open = false;
                }
                received
            }
            _ = tick.tick() => app.in_flight().then_some(Action::Tick),
        };
        if let Some(action) = action {
            if let Some(effect) = app.update(action) {
                in_flight.push(worker.start(effect));
            }
            dirty = true;
        }
    }
}

/// Longest wait, when leaving, for a write already sent to finish.
const FINISH_WRITE: Duration = Duration::from_secs(25);

/// Leaving while a write is in flight: let it finish so its outcome is
/// journaled (a write cut short is reconciled on the next start, but a
/// clean record is better).
async fn finish_write(app: &mut App, in_flight: &mut FuturesUnordered<BoxFuture<'_, Action>>) {
    if app.pending.is_none() {
        return;
    }
    let wait = async {
        while let Some(action) = in_flight.next().await {
            if matches!(action, Action::WriteDone { .. }) {
                app.update(action);
                return;
            }
        }
    };
    let _ = tokio::time::timeout(FINISH_WRITE, wait).await;
}

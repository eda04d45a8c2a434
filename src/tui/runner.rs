//! The event loop: one `tokio::select!` over terminal events, the action
//! channel (signals), results from background tasks and a tick. Generic
//! over the ratatui backend and the event source, so tests run this very
//! loop on a `TestBackend` with scripted keys.
//!
//! Work that talks to the account runs in spawned tokio tasks (a panic in
//! one ends the process through the panic hook, terminal restored); each
//! task sends its result, and any progress, back as an [`Action`].

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::Event;
use futures::stream::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;

use super::action::{Action, Effect, SimStep, UiError, usage_result};
use super::app::App;
use super::keymap;
use super::strings;
use super::view;
use crate::account::Simulation;
use crate::account::usage::{DEFAULT_PACING, fetch_usage};
use crate::domain::usage::UsageQuery;
use crate::remediate::Remediator;

/// The spinner's pace while work is in flight.
pub const TICK: Duration = Duration::from_millis(100);

/// Turns [`Effect`]s into self-contained tasks against the account; every
/// result comes back as an [`Action`]. All writes go through
/// [`Remediator::execute`].
#[derive(Clone)]
pub struct Worker {
    remediator: Arc<Remediator>,
    /// How far apart requests in one region start in a usage search.
    usage_pacing: Duration,
}

impl Worker {
    /// Usage searches keep to `CloudTrail`'s rate, or to the simulation's
    /// when the account is simulated.
    pub fn new(remediator: Arc<Remediator>) -> Self {
        let usage_pacing = remediator
            .account()
            .simulation()
            .map_or(DEFAULT_PACING, Simulation::usage_pacing);
        Self {
            remediator,
            usage_pacing,
        }
    }

    /// The work of `effect` as a future that owns what it needs (so it can
    /// be spawned) and sends its result, and any progress, on `tx`.
    pub fn task(
        &self,
        effect: Effect,
        tx: UnboundedSender<Action>,
    ) -> impl Future<Output = ()> + Send + 'static {
        let remediator = Arc::clone(&self.remediator);
        let pacing = self.usage_pacing;
        async move {
            let action = match effect {
                Effect::Load => {
                    let result = remediator.snapshot().await;
                    if let Ok(snapshot) = &result {
                        // The journal panel and the walkthrough read it too.
                        let account_id = &snapshot.inventory.identity.account_id;
                        let _ =
                            tx.send(Action::JournalLoaded(read_journal(&remediator, account_id)));
                    }
                    Action::Loaded(result.map_err(|e| UiError::from(&e)))
                }
                Effect::LoadJournal { account_id } => {
                    Action::JournalLoaded(read_journal(&remediator, &account_id))
                }
                Effect::Simulate(step) => {
                    let result = match remediator.account().simulation() {
                        Some(sim) => match &step {
                            SimStep::TemporaryRoot => sim.continue_as_temporary_root(),
                            SimStep::MoveToRole { key_id } => sim.move_to_role(key_id),
                        }
                        .map_err(|e| UiError::new(e.to_string())),
                        None => Err(UiError::new(strings::SKIP_DEMO_ONLY)),
                    };
                    Action::Simulated { step, result }
                }
                Effect::LoadReport => {
                    let result = remediator.account().root_report_row().await;
                    Action::ReportLoaded(result.map_err(|e| UiError::from(&e)))
                }
                Effect::Write { request, key_id } => {
                    let result = remediator.execute(request, &key_id).await;
                    Action::WriteDone {
                        request,
                        key_id,
                        result: result.map_err(|e| UiError::from(&e)),
                    }
                }
                Effect::Skip(by) => {
                    let account = remediator.account();
                    let from = account.now();
                    let skipped = match account.simulation() {
                        Some(sim) => sim
                            .skip_ahead(by)
                            .map(|()| by)
                            .map_err(|e| UiError::new(e.to_string())),
                        None => Err(UiError::new(strings::SKIP_DEMO_ONLY)),
                    };
                    let denied = match (&skipped, account.simulation()) {
                        (Ok(_), Some(sim)) => sim.denied_calls(from, account.now()),
                        _ => Vec::new(),
                    };
                    let _ = tx.send(Action::Skipped(skipped));
                    Action::Denied(denied)
                }
                Effect::LoadUsage { key_id } => {
                    let account = remediator.account();
                    let result = match account.trail_source() {
                        Some(source) => {
                            let progress_tx = tx.clone();
                            let progress_key = key_id.clone();
                            let report = fetch_usage(
                                source.as_ref(),
                                &UsageQuery::new(key_id.clone()),
                                account.now(),
                                pacing,
                                move |progress| {
                                    let _ = progress_tx.send(Action::UsageProgress {
                                        key_id: progress_key.clone(),
                                        progress,
                                    });
                                },
                            )
                            .await;
                            usage_result(report)
                        }
                        None => Err(UiError::new(strings::USAGE_NO_SOURCE)),
                    };
                    Action::UsageLoaded { key_id, result }
                }
            };
            // The loop may have ended (the operator left): nothing to tell.
            let _ = tx.send(action);
        }
    }
}

/// The account's journal, as `rootkeys journal` reads it.
fn read_journal(
    remediator: &Remediator,
    account_id: &str,
) -> Result<Box<crate::journal::Contents>, UiError> {
    remediator
        .journal(account_id)
        .and_then(|j| j.read())
        .map(Box::new)
        .map_err(|e| UiError::new(e.to_string()))
}

/// Why the loop stopped early.
#[derive(Debug, thiserror::Error)]
pub enum LoopError {
    #[error("cannot draw: {0}")]
    Draw(String),
    #[error("cannot read the terminal: {0}")]
    Input(String),
    #[error("a background task failed: {0}")]
    Task(String),
}

/// Background tasks and the channel their results come back on.
struct Tasks {
    set: JoinSet<()>,
    tx: UnboundedSender<Action>,
    rx: UnboundedReceiver<Action>,
}

impl Tasks {
    fn new() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            set: JoinSet::new(),
            tx,
            rx,
        }
    }

    fn spawn(&mut self, worker: &Worker, effect: Effect) {
        self.set.spawn(worker.task(effect, self.tx.clone()));
    }
}

/// Run until the app asks to quit. The first frame is drawn before any
/// work is awaited; later frames only when something changed. Tasks still
/// running when the loop ends are cancelled, except a write, whose outcome
/// is waited for (see [`FINISH_WRITE`]).
pub async fn run<B, E>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    worker: &Worker,
    mut events: E,
    mut actions: UnboundedReceiver<Action>,
) -> Result<(), LoopError>
where
    B: Backend,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
{
    let mut tasks = Tasks::new();
    if let Ok(size) = terminal.size() {
        app.update(Action::Resize(size.width, size.height));
    }
    tasks.spawn(worker, app.start());
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
            finish_write(app, &mut tasks.rx).await;
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
            // `tasks.tx` lives as long as the loop: this never yields `None`.
            Some(done) = tasks.rx.recv() => Some(done),
            Some(joined) = tasks.set.join_next(), if !tasks.set.is_empty() => {
                // Without the panic hook (tests), a task that panicked would
                // leave its work in flight for ever: stop instead.
                if let Err(e) = joined
                    && e.is_panic()
                {
                    return Err(LoopError::Task(e.to_string()));
                }
                None
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
            if let Some(effect) = app.update(action) {
                tasks.spawn(worker, effect);
            }
            dirty = true;
        }
    }
}

/// Longest wait, when leaving, for a write already sent to finish.
pub const FINISH_WRITE: Duration = Duration::from_secs(25);

/// Leaving while a write is in flight: let it finish so its outcome is
/// journaled (a write cut short is reconciled on the next start, but a
/// clean record is better). Other results arriving meanwhile are dropped.
async fn finish_write(app: &mut App, results: &mut UnboundedReceiver<Action>) {
    if app.pending.is_none() {
        return;
    }
    let wait = async {
        while let Some(action) = results.recv().await {
            if matches!(action, Action::WriteDone { .. }) {
                app.update(action);
                return;
            }
        }
    };
    let _ = tokio::time::timeout(FINISH_WRITE, wait).await;
}

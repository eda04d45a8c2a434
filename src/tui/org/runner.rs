//! The organization view's event loop: one `tokio::select!` over terminal
//! events, the action channel (signals), the audit's results and a tick.
//! Generic over the ratatui backend and the event source, so tests run
//! this very loop on a `TestBackend` with scripted keys.
//!
//! The audit runs in one spawned task (the prerequisites and the SCP side,
//! then the organization runner), which sends each row back as an
//! [`Action`] as soon as it is built, then each account's stage. The
//! writes `update` asks for ([`Effect`]s) run through the use case
//! (`org::remediate`) and come back as actions too. Both are cancelled
//! when the view ends.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::TimeDelta;
use crossterm::event::Event;
use futures::FutureExt;
use futures::future::LocalBoxFuture;
use futures::stream::{FuturesUnordered, Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::action::{Action, Effect, Failure, Reread, Started, Write, Wrote};
use super::keymap;
use super::state::OrgApp;
use super::view;
use crate::org::OrgAccess;
use crate::org::model::MemberRow;
use crate::org::port::OrgDeniedCall;
use crate::org::preflight::{self, PreflightFailure};
use crate::org::remediate::{MemberState, OrgRemediator, ScpReady};
use crate::org::run::{self, Options, Progress, RunError};
use crate::tui::runner::{LoopError, TICK};

/// What to audit: the organization behind `access`, sessions journaled
/// under `state_dir` (already checked by the caller); `window` is the
/// observation window a quarantine starts (`--observe`).
#[derive(Clone)]
pub struct Audit {
    pub access: Arc<dyn OrgAccess>,
    pub state_dir: PathBuf,
    pub options: Options,
    pub window: TimeDelta,
}

fn failure(f: &PreflightFailure) -> Failure {
    Failure {
        message: f.to_string(),
        fix: f.fix(),
    }
}

/// The demo's denied calls of the accounts read, since their quarantine
/// began; none for AWS.
fn denied(access: &dyn OrgAccess, states: &[MemberState]) -> Vec<OrgDeniedCall> {
    let Some(sim) = access.simulation() else {
        return Vec::new();
    };
    let Some(from) = states
        .iter()
        .filter_map(|s| s.quarantine.map(|q| q.since))
        .min()
    else {
        return Vec::new();
    };
    let read: BTreeSet<&str> = states.iter().map(MemberState::account_id).collect();
    sim.denied_calls(from, access.now())
        .into_iter()
        .filter(|c| read.contains(c.account_id.as_str()))
        .collect()
}

impl Audit {
    /// The use case the view's writes go through.
    pub fn remediator(&self) -> OrgRemediator {
        OrgRemediator::new(
            Arc::clone(&self.access),
            self.state_dir.clone(),
            self.window,
        )
        .with_concurrency(self.options.concurrency)
    }

    /// The audit as a task that owns what it needs and reports on `tx`:
    /// the prerequisites and the SCP side, then every account's row as it
    /// is built, then each account's stage. When the SCP side cannot be
    /// read the audit still runs, read-only, and says why.
    pub async fn task(self, tx: UnboundedSender<Action>) {
        let remediator = self.remediator();
        let access = self.access.as_ref();
        let (ready, prep) = match remediator.prepare().await {
            Ok(prep) => (prep.ready.clone(), Some(prep)),
            Err(scp) => match preflight::check(access).await {
                Ok(ready) => {
                    let _ = tx.send(Action::WritesUnavailable(failure(&scp)));
                    (ready, None)
                }
                Err(f) => {
                    let _ = tx.send(Action::Failed(failure(&f)));
                    return;
                }
            },
        };
        let _ = tx.send(Action::Started(Box::new(Started {
            organization: ready.organization.clone(),
            caller_arn: ready.caller.arn.clone(),
        })));
        if let Some(prep) = &prep {
            let _ = tx.send(Action::Prepared(Box::new(prep.clone())));
        }
        let rows = tx.clone();
        let mut on_row = move |p: &Progress, row: Option<&MemberRow>| {
            let _ = rows.send(match row {
                Some(row) => Action::Row(Box::new(row.clone()), *p),
                None => Action::Progress(*p),
            });
        };
        let finished = match &prep {
            Some(prep) => remediator
                .read(prep, self.options.only.clone(), &mut on_row)
                .await
                .map(|(org, states)| {
                    let denied = denied(access, &states);
                    let read = Reread {
                        now: access.now(),
                        states: Ok(states),
                        denied,
                        skipped: None,
                    };
                    Action::Finished(Box::new(org), Some(Box::new(read)))
                }),
            None => {
                run::audit_streamed(access, &ready, &self.options, &self.state_dir, &mut on_row)
                    .await
                    .map(|org| Action::Finished(Box::new(org), None))
            }
        };
        let _ = tx.send(match finished {
            Ok(action) => action,
            Err(RunError::Preflight(f)) => Action::Failed(failure(&f)),
        });
    }
}

/// Read `only` (or every account) again; `skipped`: the clock was moved.
async fn reread(
    remediator: &OrgRemediator,
    prep: &ScpReady,
    only: Option<BTreeSet<String>>,
    skipped: Option<(TimeDelta, chrono::DateTime<chrono::Utc>)>,
) -> Action {
    let access = remediator.access().as_ref();
    let mut quiet = |_: &Progress, _: Option<&MemberRow>| {};
    let read = remediator.read(prep, only, &mut quiet).await;
    let (states, denied) = match read {
        Ok((_, states)) => {
            let denied = denied(access, &states);
            (Ok(states), denied)
        }
        Err(RunError::Preflight(f)) => (Err(failure(&f)), Vec::new()),
    };
    Action::Reread(Box::new(Reread {
        now: access.now(),
        states,
        denied,
        skipped,
    }))
}

/// Carry out one effect; its result as an action.
async fn carry_out(remediator: Arc<OrgRemediator>, effect: Effect) -> Action {
    let wrote = |write, results, prep, prevent| {
        Action::Wrote(Box::new(Wrote {
            write,
            results,
            prep,
            prevent,
        }))
    };
    match effect {
        Effect::Quarantine(prep, members) => {
            let mut prep = *prep;
            let results = remediator
                .quarantine(&mut prep, &members, &mut |_: usize, _: usize| {})
                .await;
            wrote(Write::Quarantine, results, Some(prep), None)
        }
        Effect::Release(prep, members) => {
            let mut prep = *prep;
            let results = remediator
                .release(&mut prep, &members, &mut |_: usize, _: usize| {})
                .await;
            wrote(Write::Release, results, Some(prep), None)
        }
        Effect::Delete(prep, member) => {
            let mut prep = *prep;
            // Never forced from the view: the window is enforced.
            let result = remediator.delete(&mut prep, &member, false).await;
            wrote(Write::Delete, vec![result], Some(prep), None)
        }
        Effect::PreventState => Action::PreventRead(
            remediator
                .prevent_state()
                .await
                .map(Box::new)
                .map_err(|f| failure(&f)),
        ),
        Effect::Prevent(state) => {
            let mut state = *state;
            let result = remediator.prevent(&mut state).await;
            wrote(Write::Prevent, vec![result], None, Some(state))
        }
        Effect::Reread(prep, only) => {
            reread(
                &remediator,
                &prep,
                only.map(|ids| ids.into_iter().collect()),
                None,
            )
            .await
        }
        Effect::Skip(prep, by) => {
            let access = remediator.access();
            let Some(sim) = access.simulation() else {
                return Action::Reread(Box::new(Reread {
                    now: access.now(),
                    states: Err(Failure {
                        message: super::strings::SKIP_DEMO_ONLY.to_owned(),
                        fix: String::new(),
                    }),
                    denied: Vec::new(),
                    skipped: None,
                }));
            };
            let before = access.now();
            sim.skip_ahead(by);
            reread(&remediator, &prep, None, Some((by, before))).await
        }
        Effect::MoveToRole(account_id) => {
            let result = match remediator.access().simulation() {
                Some(sim) => sim.move_to_role(&account_id),
                None => Err(super::strings::MOVE_DEMO_ONLY.to_owned()),
            };
            Action::Moved { account_id, result }
        }
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
    let remediator = Arc::new(audit.remediator());
    let mut task = tokio::spawn(audit.task(tx));
    // The effects run on this task, polled by the loop: the use case's
    // quarantine and release futures are not `Send`, so they cannot be
    // spawned. Dropped (cut short) when the view ends.
    let mut effects: FuturesUnordered<LocalBoxFuture<'static, Action>> = FuturesUnordered::new();
    let mut task_done = false;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut resized = false;
    let mut actions_open = true;
    let outcome = loop {
        if dirty {
            // After a resize the terminal may have cut or moved what was
            // drawn, and sizes passed through quickly may never have been
            // seen: draw everything again, not the difference.
            if resized {
                resized = false;
                let cleared = terminal.size().and_then(|size| {
                    terminal.resize(ratatui::layout::Rect::from((
                        ratatui::layout::Position::ORIGIN,
                        size,
                    )))
                });
                if let Err(e) = cleared {
                    break Err(LoopError::Draw(e.to_string()));
                }
            }
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
            Some(done) = effects.next(), if !effects.is_empty() => Some(done),
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
            resized |= matches!(action, Action::Resize(..));
            if let Some(effect) = app.update(action) {
                effects.push(carry_out(Arc::clone(&remediator), effect).boxed_local());
            }
            dirty = true;
        }
    };
    // Leaving while accounts are still audited: their sessions end on
    // their own (at most 900 s); no request is left to wait for.
    task.abort();
    // A write cut short is journaled as an intent without outcome: the
    // next run settles it against AWS.
    drop(effects);
    outcome
}

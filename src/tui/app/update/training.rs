//! The demo's own steps: skipping the clock ahead, continuing in a
//! temporary root session, moving a job to a role, the calls denied while
//! the clock moved, and the auditor's reviews.

use chrono::TimeDelta;

use crate::account::DeniedCall;
use crate::domain::policy::Stage;
use crate::tui::action::{Command, Effect, SimStep, UiError};
use crate::tui::app::{App, Banner, BannerKind, Report, Row};
use crate::tui::strings;

impl App {
    pub(super) fn skip(&mut self, by: Option<TimeDelta>) -> Option<Effect> {
        if self.demo.is_none() {
            self.banner = Some(Banner::info(strings::SKIP_DEMO_ONLY));
            return None;
        }
        if self.snapshot.is_none() && !self.loading {
            self.not_loaded();
            return None;
        }
        if self.loading || self.pending.is_some() {
            // A write is finishing or the account is being read again: the
            // skip goes ahead as soon as the account has been read.
            self.queued = Some(if by.is_some() {
                Command::SkipDay
            } else {
                Command::SkipWindow
            });
            return None;
        }
        if self.skipping {
            return None;
        }
        let by = if let Some(by) = by {
            by
        } else if self.loading {
            self.banner = Some(Banner::info(strings::STILL_LOADING));
            return None;
        } else {
            let snapshot = self.snapshot.as_ref()?;
            let until = snapshot
                .keys
                .iter()
                .filter_map(|k| match k.stage {
                    Stage::Observing { until, .. } => Some(until),
                    _ => None,
                })
                .min();
            let Some(until) = until else {
                self.banner = Some(Banner::info(strings::NOTHING_OBSERVING));
                return None;
            };
            until - snapshot.now + TimeDelta::minutes(1)
        };
        self.skipping = true;
        Some(Effect::Skip(by))
    }

    /// The selected key is being reviewed (its facts or usage are shown).
    pub(super) fn mark_reviewed(&mut self) {
        let before = self.auditor_done();
        if let Some(label) = self.selected_row().map(|r| r.label()) {
            self.reviewed.insert(label);
        }
        if !before && self.auditor_done() {
            self.banner = Some(Banner::success(strings::AUDITOR_DONE));
        }
    }

    pub(super) fn simulate(&mut self, step: SimStep) -> Option<Effect> {
        if self.demo.is_none() {
            self.banner = Some(Banner::info(strings::SKIP_DEMO_ONLY));
            return None;
        }
        // A reload in flight does not hold it up (a key pressed right
        // after a write is not lost).
        if self.pending.is_some() || self.skipping {
            return None;
        }
        self.skipping = true;
        Some(Effect::Simulate(step))
    }

    /// `c`: continue in a simulated temporary root session, once this
    /// session's credentials were rejected.
    pub(super) fn temporary_root(&mut self) -> Option<Effect> {
        let rejected = self.load_error.as_ref().is_some_and(|e| e.credentials);
        if self.demo.is_some() && !rejected {
            self.banner = Some(Banner::info(strings::SESSION_WORKS));
            return None;
        }
        self.simulate(SimStep::TemporaryRoot)
    }

    /// `m`: move the job that uses the selected key to a role.
    pub(super) fn move_to_role(&mut self) -> Option<Effect> {
        let Some(Row::Key(kv)) = self.selected_row() else {
            self.banner = Some(Banner::info(strings::NO_JOB));
            return None;
        };
        let Some(key_id) = kv.key.access_key_id.clone() else {
            self.banner = Some(Banner::info(strings::NO_JOB));
            return None;
        };
        self.simulate(SimStep::MoveToRole { key_id })
    }

    pub(super) fn simulated(
        &mut self,
        step: &SimStep,
        result: Result<String, UiError>,
    ) -> Option<Effect> {
        self.skipping = false;
        match result {
            Ok(done) => {
                let text = match step {
                    SimStep::TemporaryRoot => {
                        self.load_error = None;
                        strings::temporary_root(&done)
                    }
                    SimStep::MoveToRole { key_id } => strings::moved_to_role(key_id, &done),
                };
                self.banner = Some(Banner::success(text));
                if self.report != Report::Loading {
                    self.report = Report::Idle;
                }
                self.loading = true;
                Some(Effect::Load)
            }
            Err(e) => {
                self.banner = Some(Banner::error(&UiError { refused: true, ..e }));
                None
            }
        }
    }

    /// Calls AWS denied while the clock was skipped: the banner shows the
    /// newest, with when, from where and what made it.
    pub(super) fn denied(&mut self, calls: &[DeniedCall]) {
        let Some(last) = calls.last() else {
            return;
        };
        let e = &last.event;
        let text = strings::denied(
            &crate::text::one_line(&last.job),
            e.time,
            e.error_code.as_deref().unwrap_or("denied"),
            &crate::text::one_line(e.source_ip.as_deref().unwrap_or("-")),
            &crate::text::one_line(e.user_agent.as_deref().unwrap_or("-")),
            calls.len() - 1,
        );
        self.banner = Some(Banner {
            kind: BannerKind::Error,
            text,
            advice: Some(strings::DENIED_ADVICE.to_owned()),
        });
    }
}

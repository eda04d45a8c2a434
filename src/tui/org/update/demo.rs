//! The demo's own commands: skip ahead in time, move a job to a role.

use chrono::TimeDelta;

use super::super::action::Effect;
use super::super::state::{OrgApp, Pending};
use super::super::strings;
use crate::org::stage::OrgStage;

impl OrgApp {
    /// Demo: the selected account's job moves to a role.
    pub(super) fn move_to_role(&mut self) -> Option<Effect> {
        if self.demo.is_none() {
            self.status = Some(strings::MOVE_DEMO_ONLY.to_owned());
            return None;
        }
        if self.pending.is_some() {
            self.status = Some(strings::ONE_AT_A_TIME.to_owned());
            return None;
        }
        let account = self.selected_state()?.account_id().to_owned();
        self.pending = Some(Pending {
            what: strings::PENDING_MOVE.to_owned(),
        });
        Some(Effect::MoveToRole(account))
    }

    pub(super) fn skip(&mut self, by: Option<TimeDelta>) -> Option<Effect> {
        if self.demo.is_none() {
            self.status = Some(strings::SKIP_DEMO_ONLY.to_owned());
            return None;
        }
        if self.pending.is_some() {
            self.status = Some(strings::ONE_AT_A_TIME.to_owned());
            return None;
        }
        let Some(prep) = self.prep.clone() else {
            self.status = Some(strings::WRITES_UNAVAILABLE_SHORT.to_owned());
            return None;
        };
        let by = if let Some(by) = by {
            by
        } else {
            {
                let selected = self.selected_state().and_then(|s| match s.stage {
                    OrgStage::Quarantined { ends, .. } => Some(ends),
                    _ => None,
                });
                let earliest = self
                    .states
                    .values()
                    .filter_map(|s| match s.stage {
                        OrgStage::Quarantined { ends, .. } => Some(ends),
                        _ => None,
                    })
                    .min();
                let Some(ends) = selected.or(earliest) else {
                    self.status = Some(strings::NOTHING_OBSERVING.to_owned());
                    return None;
                };
                (ends - self.now).max(TimeDelta::zero()) + TimeDelta::seconds(1)
            }
        };
        self.pending = Some(Pending {
            what: strings::PENDING_SKIP.to_owned(),
        });
        Some(Effect::Skip(Box::new(prep), by))
    }
}

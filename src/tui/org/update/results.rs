//! What the runner brings back: the results of a write, the accounts read
//! again, and the banner of the calls denied since a skip.

use super::super::action::{Effect, Reread, Write, Wrote};
use super::super::state::{Notice, OrgApp, Pending, Tone};
use super::super::strings;
use crate::domain::window;
use crate::org::remediate::{MemberState, WriteOutcome};
use crate::text::one_line;

impl OrgApp {
    pub(super) fn wrote(&mut self, wrote: Wrote) -> Option<Effect> {
        self.pending = None;
        if let Some(prep) = wrote.prep {
            self.prep = Some(prep);
        }
        if let Some(prevent) = wrote.prevent {
            self.prevent = Some(prevent);
        }
        let total = wrote.results.len();
        let ok = wrote.results.iter().filter(|r| r.ok()).count();
        let mut lines = Vec::new();
        for r in &wrote.results {
            lines.push(strings::outcome_line(&one_line(&r.account_id), &r.outcome));
            lines.extend(r.steps.iter().map(|s| format!("  {}", one_line(s))));
        }
        let unknown = wrote
            .results
            .iter()
            .any(|r| matches!(r.outcome, WriteOutcome::Unknown(_)));
        self.notice = Some(Notice {
            tone: if ok == total {
                Tone::Ok
            } else if unknown || ok > 0 {
                Tone::Warn
            } else {
                Tone::Error
            },
            title: strings::result_title(wrote.write, ok, total),
            lines,
        });
        if wrote.write == Write::Prevent {
            return None;
        }
        // Read the accounts written again: the rows show the live stage.
        let prep = self.prep.clone()?;
        let ids: Vec<String> = wrote.results.into_iter().map(|r| r.account_id).collect();
        if ids.is_empty() {
            return None;
        }
        self.pending = Some(Pending {
            what: strings::PENDING_REREAD.to_owned(),
        });
        Some(Effect::Reread(Box::new(prep), Some(ids)))
    }

    pub(super) fn reread(&mut self, read: Reread) {
        self.now = read.now;
        match read.states {
            Ok(states) => {
                // The denied calls of the accounts read are replaced.
                let ids: std::collections::BTreeSet<&str> =
                    states.iter().map(MemberState::account_id).collect();
                self.denied.retain(|c| !ids.contains(c.account_id.as_str()));
                self.denied.extend(read.denied);
                for state in states {
                    self.insert(state.row.clone());
                    self.states.insert(state.account_id().to_owned(), state);
                }
            }
            Err(f) => {
                self.notice = Some(Notice {
                    tone: Tone::Error,
                    title: strings::PENDING_REREAD.trim_end_matches('…').to_owned(),
                    lines: vec![f.message, f.fix],
                });
            }
        }
        let before = read.skipped.map(|(by, before)| {
            self.status = Some(strings::skipped(&window::human(by)));
            before
        });
        if let Some(before) = before {
            let mut new: Vec<_> = self.denied.iter().filter(|c| c.time > before).collect();
            new.sort_by_key(|c| c.time);
            if !new.is_empty() {
                let mut lines: Vec<String> = new
                    .iter()
                    .map(|c| {
                        strings::denied_line(
                            &c.time.format("%H:%M").to_string(),
                            &one_line(&c.job),
                            &one_line(&c.account_id),
                            &one_line(&c.action),
                            &crate::text::foreign(&c.message),
                        )
                    })
                    .collect();
                lines.push(strings::DENIED_ADVICE.to_owned());
                self.notice = Some(Notice {
                    tone: Tone::Error,
                    title: strings::denied_title(new.len()),
                    lines,
                });
            }
        }
    }
}

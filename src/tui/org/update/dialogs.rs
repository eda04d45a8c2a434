//! The questions before a write (quarantine and release confirmations, the
//! typed delete, the prevention) and their answers.

use super::super::action::{Command, Effect, Write};
use super::super::state::{Confirm, Mode, OrgApp, Pending, Phase, PreventDialog, TypeDelete};
use super::super::strings;
use super::PAGE;
use crate::domain::window;
use crate::org::remediate::{MemberState, PreventState};
use crate::org::stage::{self, OrgDecision, OrgRefusal, OrgRequest, OrgStage};
use crate::text::one_line;

impl OrgApp {
    /// The keys of an open dialog: it takes every key.
    pub(super) fn in_dialog(&mut self, command: Command) -> Option<Effect> {
        match &mut self.mode {
            Mode::Confirm(c) => match command {
                Command::Yes => return self.confirmed(),
                Command::Submit if c.yes_focused => return self.confirmed(),
                Command::No | Command::Back | Command::Submit => self.declined(),
                Command::Switch => c.yes_focused = !c.yes_focused,
                Command::Up => c.scroll = c.scroll.saturating_sub(1),
                Command::Down => c.scroll = c.scroll.saturating_add(1).min(list_max(c)),
                Command::PageUp => c.scroll = c.scroll.saturating_sub(PAGE),
                Command::PageDown => c.scroll = c.scroll.saturating_add(PAGE).min(list_max(c)),
                _ => {}
            },
            Mode::TypeDelete(d) => match command {
                Command::Submit => {
                    if d.input.trim() == d.account_id {
                        return self.confirmed();
                    }
                    d.mismatch = Some(strings::account_mismatch(&d.account_id, d.input.trim()));
                }
                Command::Back => self.declined(),
                Command::Erase => {
                    d.input.pop();
                    d.mismatch = None;
                }
                Command::ClearInput => {
                    d.input.clear();
                    d.mismatch = None;
                }
                _ => {}
            },
            Mode::Prevent(p) => match command {
                Command::Submit if p.attached.is_some() || !p.scp_enabled => {
                    self.mode = (*p.back).clone();
                }
                Command::Submit => {
                    if p.input.trim() == p.root_id {
                        return self.confirmed();
                    }
                    p.mismatch = Some(strings::root_mismatch(&p.root_id));
                }
                Command::Back => {
                    let done = p.attached.is_some() || !p.scp_enabled;
                    self.mode = (*p.back).clone();
                    if !done {
                        self.status = Some(strings::NOTHING_CHANGED.to_owned());
                    }
                }
                Command::Erase => {
                    p.input.pop();
                    p.mismatch = None;
                }
                Command::ClearInput => {
                    p.input.clear();
                    p.mismatch = None;
                }
                _ => {}
            },
            _ => {}
        }
        None
    }

    fn declined(&mut self) {
        let back = match &self.mode {
            Mode::Confirm(c) => (*c.back).clone(),
            Mode::TypeDelete(d) => (*d.back).clone(),
            Mode::Prevent(p) => (*p.back).clone(),
            other => other.clone(),
        };
        self.mode = back;
        self.status = Some(strings::NOTHING_CHANGED.to_owned());
    }

    /// The confirmed write, as an effect (one at a time).
    fn confirmed(&mut self) -> Option<Effect> {
        let mode = std::mem::replace(&mut self.mode, Mode::Browse);
        let (back, effect, pending) = match mode {
            Mode::Confirm(c) => {
                let prep = Box::new(self.prep.clone()?);
                let members: Vec<MemberState> = c
                    .accounts
                    .iter()
                    .filter_map(|(id, _)| self.states.get(id).cloned())
                    .collect();
                let pending = strings::pending(c.write, members.len());
                let effect = match c.write {
                    Write::Release => Effect::Release(prep, members),
                    _ => Effect::Quarantine(prep, members),
                };
                self.marked.clear();
                (*c.back, effect, pending)
            }
            Mode::TypeDelete(d) => {
                let prep = Box::new(self.prep.clone()?);
                let member = Box::new(self.states.get(&d.account_id)?.clone());
                (
                    *d.back,
                    Effect::Delete(prep, member),
                    strings::pending(Write::Delete, 1),
                )
            }
            Mode::Prevent(p) => {
                let state = Box::new(self.prevent.clone()?);
                (
                    *p.back,
                    Effect::Prevent(state),
                    strings::pending(Write::Prevent, 1),
                )
            }
            other => {
                self.mode = other;
                return None;
            }
        };
        self.mode = back;
        if self.pending.is_some() {
            self.status = Some(strings::ONE_AT_A_TIME.to_owned());
            return None;
        }
        self.pending = Some(Pending { what: pending });
        Some(effect)
    }

    /// The stage of a row's account, if known.
    fn stage_of(&self, account_id: &str) -> Option<OrgStage> {
        if let Some(state) = self.states.get(account_id) {
            return Some(state.stage);
        }
        self.rows
            .iter()
            .find(|r| r.account_id == account_id && r.management)
            .map(|_| OrgStage::Management)
    }

    /// Why `write` cannot act on the account now, if it cannot.
    fn refusal(&self, write: Write, account_id: &str) -> Option<String> {
        let Some(stage) = self.stage_of(account_id) else {
            return Some(strings::not_acting(account_id, strings::NOT_READ_YET));
        };
        let request = match write {
            Write::Quarantine => OrgRequest::Quarantine,
            Write::Release => OrgRequest::Release,
            Write::Delete | Write::Prevent => OrgRequest::Delete { force: false },
        };
        match stage::decide(request, stage, self.now) {
            OrgDecision::Go { .. } => None,
            OrgDecision::AlreadyDone(what) => Some(strings::already(account_id, what)),
            OrgDecision::Refused(OrgRefusal::Observing { ends, left }) => {
                Some(strings::not_acting(
                    account_id,
                    &strings::observing(&crate::render::time::text(&ends), &window::human(left)),
                ))
            }
            OrgDecision::Refused(r) => {
                Some(strings::not_acting(account_id, &r.explain(account_id)))
            }
        }
    }

    /// The accounts `Q` or `R` act on: the marked ones, else the selected one.
    fn targets(&self) -> Vec<String> {
        if self.marked.is_empty() {
            self.selected_row()
                .map(|r| vec![r.account_id.clone()])
                .unwrap_or_default()
        } else {
            // In the table's order.
            self.rows
                .iter()
                .filter(|r| self.marked.contains(&r.account_id))
                .map(|r| r.account_id.clone())
                .collect()
        }
    }

    pub(super) fn ask(&mut self, write: Write) {
        if self.pending.is_some() {
            self.status = Some(strings::ONE_AT_A_TIME.to_owned());
            return;
        }
        let targets = self.targets();
        if targets.is_empty() {
            self.status = Some(strings::NO_ACCOUNT.to_owned());
            return;
        }
        let mut accounts = Vec::new();
        let mut skipped = Vec::new();
        for id in targets {
            if let Some(why) = self.refusal(write, &id) {
                skipped.push(why);
            } else {
                let line = self.account_line(&id);
                accounts.push((id, line));
            }
        }
        if accounts.is_empty() {
            self.status = Some(skipped.join(" · "));
            return;
        }
        if self.prep.is_none() {
            self.status = Some(strings::WRITES_UNAVAILABLE_SHORT.to_owned());
            return;
        }
        self.pin_selection();
        self.mode = Mode::Confirm(Confirm {
            write,
            accounts,
            skipped,
            yes_focused: false,
            scroll: 0,
            back: Box::new(self.mode.clone()),
        });
    }

    fn account_line(&self, id: &str) -> String {
        let row = self.rows.iter().find(|r| r.account_id == id);
        let name = row
            .map(|r| one_line(&r.name).into_owned())
            .unwrap_or_default();
        let stage = self
            .states
            .get(id)
            .map(|s| {
                let mut text = s.stage.describe(self.now);
                let keys = s.keys().len();
                text.push_str(&format!(
                    " · {keys} root key{}",
                    if keys == 1 { "" } else { "s" }
                ));
                text
            })
            .unwrap_or_default();
        strings::account_line(&one_line(id), &name, &stage)
    }

    pub(super) fn ask_delete(&mut self) {
        if self.pending.is_some() {
            self.status = Some(strings::ONE_AT_A_TIME.to_owned());
            return;
        }
        let Some(row) = self.selected_row() else {
            self.status = Some(strings::NO_ACCOUNT.to_owned());
            return;
        };
        let id = row.account_id.clone();
        let name = one_line(&row.name).into_owned();
        if let Some(why) = self.refusal(Write::Delete, &id) {
            self.status = Some(why);
            return;
        }
        let Some(state) = self.states.get(&id) else {
            self.status = Some(strings::not_acting(&id, strings::NOT_READ_YET));
            return;
        };
        if !state.used_since.is_empty() {
            self.status = Some(strings::not_acting(&id, strings::CONSUMER_BEFORE_DELETE));
            return;
        }
        if self.prep.is_none() {
            self.status = Some(strings::WRITES_UNAVAILABLE_SHORT.to_owned());
            return;
        }
        let keys = state
            .keys()
            .iter()
            .map(|k| one_line(&k.label()).into_owned())
            .collect();
        self.pin_selection();
        self.mode = Mode::TypeDelete(TypeDelete {
            account_id: id,
            name,
            keys,
            input: String::new(),
            mismatch: None,
            back: Box::new(self.mode.clone()),
        });
    }

    pub(super) fn ask_prevent(&mut self) -> Option<Effect> {
        if self.pending.is_some() {
            self.status = Some(strings::ONE_AT_A_TIME.to_owned());
            return None;
        }
        if self.phase != Phase::Done {
            self.status = Some(strings::NOT_READ_YET.to_owned());
            return None;
        }
        self.pending = Some(Pending {
            what: strings::PENDING_PREVENT_READ.to_owned(),
        });
        Some(Effect::PreventState)
    }

    pub(super) fn open_prevent(&mut self, state: PreventState) {
        let back = if self.mode.is_dialog() || matches!(self.mode, Mode::Help(_)) {
            self.underlying().clone()
        } else {
            self.mode.clone()
        };
        self.mode = Mode::Prevent(PreventDialog {
            root_id: one_line(&state.root.id).into_owned(),
            attached: state
                .attached
                .as_ref()
                .map(|p| format!("{} ({})", one_line(&p.name), one_line(&p.id))),
            scp_enabled: state.root.scp_enabled,
            input: String::new(),
            mismatch: None,
            back: Box::new(back),
        });
        self.prevent = Some(state);
    }
}

/// The furthest a confirmation's list scrolls.
fn list_max(c: &Confirm) -> u16 {
    u16::try_from(c.accounts.len().saturating_sub(1)).unwrap_or(u16::MAX)
}

//! `OrgApp::update`: the only place the organization view's state changes.
//! No I/O: the audit and the writes run in the runner, which carries out
//! the [`Effect`]s `update` returns and reports back as actions.

use chrono::TimeDelta;

use super::action::{Action, Command, Effect, Reread, Write, Wrote};
use super::state::{
    Confirm, Mode, Notice, OrgApp, Pending, Phase, PreventDialog, Quit, Tone, TypeDelete,
};
use super::strings;
use crate::domain::window;
use crate::org::remediate::{MemberState, PreventState, WriteOutcome};
use crate::org::stage::{self, OrgDecision, OrgRefusal, OrgRequest, OrgStage};
use crate::text::one_line;

/// Lines one PgUp/PgDn scrolls the detail pane.
const PAGE: u16 = 5;
/// The longest text a typed confirmation takes.
const MAX_INPUT: usize = 64;

impl OrgApp {
    /// Apply one action; the work it calls for, if any.
    pub fn update(&mut self, action: Action) -> Option<Effect> {
        match action {
            Action::Command(c) => {
                self.status = None;
                return self.command(c);
            }
            Action::Input(c) => self.input(c),
            Action::Backspace => match &mut self.mode {
                Mode::Filter => {
                    self.filter.pop();
                }
                Mode::TypeDelete(d) => {
                    d.input.pop();
                    d.mismatch = None;
                }
                Mode::Prevent(p) => {
                    p.input.pop();
                    p.mismatch = None;
                }
                _ => {}
            },
            Action::Started(started) => {
                self.started = Some(*started);
                self.phase = Phase::Auditing;
            }
            Action::Prepared(prep) => self.prep = Some(*prep),
            Action::WritesUnavailable(failure) => self.writes_unavailable = Some(failure),
            Action::Row(row, progress) => {
                self.insert(*row);
                self.progress = progress;
            }
            Action::Progress(progress) => self.progress = progress,
            Action::Finished(org, read) => {
                let org = *org;
                self.listing_error = org.listing_error;
                self.progress.done = org.rows.len();
                self.progress.listed = self.progress.listed.max(org.rows.len());
                self.progress.listing_done = true;
                self.rows = org.rows;
                self.phase = Phase::Done;
                if let Some(read) = read {
                    self.reread(*read);
                }
            }
            Action::Failed(failure) => self.phase = Phase::Failed(failure),
            Action::Wrote(wrote) => return self.wrote(*wrote),
            Action::PreventRead(result) => {
                self.pending = None;
                match result {
                    Ok(state) => self.open_prevent(*state),
                    Err(f) => {
                        self.notice = Some(Notice {
                            tone: Tone::Error,
                            title: strings::PREVENT_TITLE.to_owned(),
                            lines: vec![f.message, f.fix],
                        });
                    }
                }
            }
            Action::Reread(read) => {
                self.pending = None;
                self.reread(*read);
            }
            Action::Moved { account_id, result } => {
                self.pending = None;
                match result {
                    Ok(role) => {
                        self.status =
                            Some(strings::moved(&one_line(&account_id), &one_line(&role)));
                        let prep = self.prep.clone()?;
                        self.pending = Some(Pending {
                            what: strings::PENDING_REREAD.to_owned(),
                        });
                        return Some(Effect::Reread(Box::new(prep), Some(vec![account_id])));
                    }
                    Err(why) => self.status = Some(crate::text::foreign(&why)),
                }
            }
            Action::Tick => self.tick = self.tick.wrapping_add(1),
            Action::Resize(w, h) => self.size = (w, h),
            Action::Signal(name) => self.quit = Some(Quit::Signal(name)),
        }
        None
    }

    fn input(&mut self, c: char) {
        if c.is_control() {
            return;
        }
        match &mut self.mode {
            Mode::Filter => self.filter.push(c),
            Mode::TypeDelete(d) if d.input.chars().count() < MAX_INPUT => {
                d.input.push(c);
                d.mismatch = None;
            }
            Mode::Prevent(p) if p.input.chars().count() < MAX_INPUT => {
                p.input.push(c);
                p.mismatch = None;
            }
            _ => {}
        }
    }

    fn command(&mut self, command: Command) -> Option<Effect> {
        if let Mode::Help(back) = &self.mode {
            // Any key closes the help; q and Ctrl-C still leave.
            self.mode = (**back).clone();
            if command == Command::Quit {
                self.quit = Some(Quit::User);
            }
            return None;
        }
        if command == Command::Quit {
            // A change in flight would be cut short: say so once.
            if self.pending.is_some() && !self.quit_armed {
                self.quit_armed = true;
                self.status = Some(strings::QUIT_WHILE_PENDING.to_owned());
                return None;
            }
            self.quit = Some(Quit::User);
            return None;
        }
        self.quit_armed = false;
        if self.mode.is_dialog() {
            return self.in_dialog(command);
        }
        match command {
            Command::Up => self.move_by(-1),
            Command::Down => self.move_by(1),
            Command::Top => self.move_to(0),
            Command::Bottom => self.move_to(usize::MAX),
            Command::Open => {
                if self.mode == Mode::Filter {
                    self.mode = Mode::Browse;
                } else if self.selected_row().is_some() {
                    self.pin_selection();
                    self.mode = Mode::Detail { scroll: 0 };
                }
            }
            Command::KeepFilter => self.mode = Mode::Browse,
            Command::PageUp | Command::PageDown => {
                if let Mode::Detail { scroll } = &mut self.mode {
                    *scroll = if command == Command::PageUp {
                        scroll.saturating_sub(PAGE)
                    } else {
                        scroll.saturating_add(PAGE).min(200)
                    };
                }
            }
            Command::Filter => {
                self.pin_selection();
                self.mode = Mode::Filter;
            }
            Command::NonCompliant => {
                self.pin_selection();
                self.non_compliant_only = !self.non_compliant_only;
            }
            Command::Mark => self.mark(),
            Command::Quarantine => self.ask(Write::Quarantine),
            Command::Release => self.ask(Write::Release),
            Command::Delete => self.ask_delete(),
            Command::Prevent => return self.ask_prevent(),
            Command::ToggleWalkthrough => self.walkthrough = !self.walkthrough,
            Command::SkipDay => return self.skip(Some(TimeDelta::days(1))),
            Command::SkipWindow => return self.skip(None),
            Command::MoveToRole => return self.move_to_role(),
            Command::ToggleHelp => self.mode = Mode::Help(Box::new(self.mode.clone())),
            Command::Back => self.back(),
            Command::Quit
            | Command::Yes
            | Command::No
            | Command::Switch
            | Command::Submit
            | Command::Erase
            | Command::ClearInput => {}
        }
        None
    }

    /// The keys of an open dialog: it takes every key.
    fn in_dialog(&mut self, command: Command) -> Option<Effect> {
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

    fn ask(&mut self, write: Write) {
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

    fn ask_delete(&mut self) {
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

    fn ask_prevent(&mut self) -> Option<Effect> {
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

    fn open_prevent(&mut self, state: PreventState) {
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

    /// Demo: the selected account's job moves to a role.
    fn move_to_role(&mut self) -> Option<Effect> {
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

    fn skip(&mut self, by: Option<TimeDelta>) -> Option<Effect> {
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

    fn wrote(&mut self, wrote: Wrote) -> Option<Effect> {
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

    fn reread(&mut self, read: Reread) {
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

    fn mark(&mut self) {
        let Some(id) = self.selected_row().map(|r| r.account_id.clone()) else {
            return;
        };
        if !self.marked.remove(&id) {
            self.marked.insert(id.clone());
        }
        self.selected = Some(id);
        self.move_by(1);
    }

    /// Esc: close what is open, clear what is set; never leave.
    fn back(&mut self) {
        match self.mode {
            Mode::Filter => {
                self.filter.clear();
                self.mode = Mode::Browse;
            }
            Mode::Detail { .. } => self.mode = Mode::Browse,
            Mode::Help(_) | Mode::Confirm(_) | Mode::TypeDelete(_) | Mode::Prevent(_) => {}
            Mode::Browse => {
                if self.notice.is_some() {
                    self.notice = None;
                } else if !self.filter.is_empty() {
                    self.filter.clear();
                } else if self.non_compliant_only {
                    self.non_compliant_only = false;
                } else if !self.marked.is_empty() {
                    self.marked.clear();
                } else {
                    self.status = Some(strings::ESC_NOTHING.to_owned());
                }
            }
        }
    }

    /// Keep the selected account selected, wherever it moves.
    fn pin_selection(&mut self) {
        if let Some(row) = self.selected_row() {
            self.selected = Some(row.account_id.clone());
        }
    }

    fn move_by(&mut self, delta: isize) {
        let Some(i) = self.selected_index() else {
            return;
        };
        self.move_to(i.saturating_add_signed(delta));
    }

    fn move_to(&mut self, index: usize) {
        let visible = self.visible();
        let Some(last) = visible.len().checked_sub(1) else {
            return;
        };
        let id = visible[index.min(last)].account_id.clone();
        self.selected = Some(id);
        if let Mode::Detail { scroll } = &mut self.mode {
            *scroll = 0;
        }
    }
}

/// The furthest a confirmation's list scrolls.
fn list_max(c: &Confirm) -> u16 {
    u16::try_from(c.accounts.len().saturating_sub(1)).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::model::{Member, MemberFacts, MemberStatus};
    use crate::org::run::Progress;
    use crate::tui::org::state::Config;
    use crate::tui::theme::Theme;

    fn app() -> OrgApp {
        OrgApp::new(Config {
            theme: Theme::plain(),
            demo: None,
            now: chrono::Utc::now(),
        })
    }

    fn row(id: &str, name: &str, keys: usize) -> crate::org::model::MemberRow {
        let member = Member {
            account_id: id.to_owned(),
            name: name.to_owned(),
            status: MemberStatus::Active,
        };
        let key = |n: usize| crate::domain::RootKey {
            access_key_id: Some(format!("AKIAEXAMPLEKEY{n:06}")),
            slot: None,
            status: crate::domain::KeyStatus::Active,
            created: None,
            last_used: None,
            signs_this_session: false,
        };
        crate::org::model::MemberRow::audited(
            &member,
            MemberFacts {
                keys: (0..keys).map(key).collect(),
                mfa_enabled: Some(true),
                password_present: Some(false),
            },
        )
    }

    fn arrive(app: &mut OrgApp, r: crate::org::model::MemberRow) {
        app.update(Action::Row(Box::new(r), Progress::default()));
    }

    fn selected(app: &OrgApp) -> Option<&str> {
        app.selected_row().map(|r| r.account_id.as_str())
    }

    #[test]
    fn the_selection_stays_on_its_account_while_rows_arrive() {
        let mut a = app();
        arrive(&mut a, row("111111111111", "clean-a", 0));
        arrive(&mut a, row("222222222222", "clean-b", 0));
        a.update(Command::Down.into());
        assert_eq!(selected(&a), Some("222222222222"));
        // A worse account arrives and sorts first: the selection stays.
        arrive(&mut a, row("333333333333", "keyed", 1));
        assert_eq!(a.rows[0].account_id, "333333333333");
        assert_eq!(selected(&a), Some("222222222222"));
    }

    #[test]
    fn the_filter_matches_names_and_ids_and_n_keeps_accounts_with_keys() {
        let mut a = app();
        arrive(&mut a, row("111111111111", "Payments-Prod", 1));
        arrive(&mut a, row("222222222222", "sandbox", 0));
        a.update(Command::Filter.into());
        for c in "PROD".chars() {
            a.update(Action::Input(c));
        }
        assert_eq!(a.visible().len(), 1, "names match without case");
        a.update(Action::Backspace);
        a.update(Action::Backspace);
        a.update(Action::Backspace);
        a.update(Action::Backspace);
        for c in "2222".chars() {
            a.update(Action::Input(c));
        }
        assert_eq!(selected(&a), Some("222222222222"), "IDs match");
        a.update(Command::Back.into());
        assert!(a.filter.is_empty());
        a.update(Command::NonCompliant.into());
        assert_eq!(a.visible().len(), 1);
        assert_eq!(selected(&a), Some("111111111111"));
        // Enter opens the account, Esc closes it, then clears `n`.
        a.update(Command::Open.into());
        assert!(a.detail_open());
        a.update(Command::Back.into());
        a.update(Command::Back.into());
        assert!(!a.non_compliant_only);
        assert!(a.quit.is_none());
    }
}

//! `OrgApp::update`: the only place the organization view's state changes.
//! No I/O: the audit runs in the runner and reports back as actions.

use super::action::{Action, Command};
use super::state::{Mode, OrgApp, Phase, Quit};
use super::strings;

/// Lines one PgUp/PgDn scrolls the detail pane.
const PAGE: u16 = 5;

impl OrgApp {
    pub fn update(&mut self, action: Action) {
        match action {
            Action::Command(c) => {
                self.status = None;
                self.command(c);
            }
            Action::Input(c) => {
                if self.mode == Mode::Filter && !c.is_control() {
                    self.filter.push(c);
                }
            }
            Action::Backspace => {
                if self.mode == Mode::Filter {
                    self.filter.pop();
                }
            }
            Action::Started(started) => {
                self.started = Some(*started);
                self.phase = Phase::Auditing;
            }
            Action::Row(row, progress) => {
                self.insert(*row);
                self.progress = progress;
            }
            Action::Progress(progress) => self.progress = progress,
            Action::Finished(org) => {
                let org = *org;
                self.listing_error = org.listing_error;
                self.progress.done = org.rows.len();
                self.progress.listed = self.progress.listed.max(org.rows.len());
                self.progress.listing_done = true;
                self.rows = org.rows;
                self.phase = Phase::Done;
            }
            Action::Failed(failure) => self.phase = Phase::Failed(failure),
            Action::Tick => self.tick = self.tick.wrapping_add(1),
            Action::Resize(w, h) => self.size = (w, h),
            Action::Signal(name) => self.quit = Some(Quit::Signal(name)),
        }
    }

    fn command(&mut self, command: Command) {
        if let Mode::Help(back) = &self.mode {
            // Any key closes the help; q and Ctrl-C still leave.
            self.mode = (**back).clone();
            if command == Command::Quit {
                self.quit = Some(Quit::User);
            }
            return;
        }
        match command {
            Command::Quit => self.quit = Some(Quit::User),
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
            Command::ToggleHelp => self.mode = Mode::Help(Box::new(self.mode.clone())),
            Command::Back => self.back(),
        }
    }

    /// Esc: close what is open, clear what is set; never leave.
    fn back(&mut self) {
        match self.mode {
            Mode::Filter => {
                self.filter.clear();
                self.mode = Mode::Browse;
            }
            Mode::Detail { .. } => self.mode = Mode::Browse,
            Mode::Help(_) => {}
            Mode::Browse => {
                if !self.filter.is_empty() {
                    self.filter.clear();
                } else if self.non_compliant_only {
                    self.non_compliant_only = false;
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

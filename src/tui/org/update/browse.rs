//! Moving through the table: the selection, the filter, the marks, the help
//! and Esc.

use super::super::action::Command;
use super::super::state::{Mode, OrgApp, Quit};
use super::super::strings;

impl OrgApp {
    pub(super) fn mark(&mut self) {
        let Some(id) = self.selected_row().map(|r| r.account_id.clone()) else {
            return;
        };
        if !self.marked.remove(&id) {
            self.marked.insert(id.clone());
        }
        self.selected = Some(id);
        self.move_by(1);
    }

    /// The help over the current mode.
    pub(super) fn open_help(&mut self) {
        self.mode = Mode::Help(Box::new(self.mode.clone()));
    }

    /// Any key closes the help; q and Ctrl-C still leave.
    pub(super) fn close_help(&mut self, command: Command) {
        if let Mode::Help(back) = &self.mode {
            self.mode = (**back).clone();
            if command == Command::Quit {
                self.quit = Some(Quit::User);
            }
        }
    }

    /// Esc: close what is open, clear what is set; never leave.
    pub(super) fn back(&mut self) {
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
    pub(super) fn pin_selection(&mut self) {
        if let Some(row) = self.selected_row() {
            self.selected = Some(row.account_id.clone());
        }
    }

    pub(super) fn move_by(&mut self, delta: isize) {
        let Some(i) = self.selected_index() else {
            return;
        };
        self.move_to(i.saturating_add_signed(delta));
    }

    pub(super) fn move_to(&mut self, index: usize) {
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
    use crate::tui::org::action::{Action, Command};
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

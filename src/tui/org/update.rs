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

//! `OrgApp::update`: the only place the organization view's state changes.
//! No I/O: the audit and the writes run in the runner, which carries out
//! the [`Effect`]s `update` returns and reports back as actions.
//!
//! This file dispatches the actions and the commands; the work is done by
//! `browse` (selection, filter, marks, help, back), `dialogs` (asking for a
//! write and answering the question), `results` (what a write or a read
//! brought back) and `demo` (skipping ahead, moving a job to a role).

mod browse;
mod demo;
mod dialogs;
mod results;

use chrono::TimeDelta;

use super::action::{Action, Command, Effect, Write};
use super::state::{Mode, Notice, OrgApp, Pending, Phase, Quit, Tone};
use super::strings;
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
        if matches!(self.mode, Mode::Help(_)) {
            self.close_help(command);
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
            Command::ToggleHelp => self.open_help(),
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
}

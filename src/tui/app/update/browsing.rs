//! Moving about the main view: the selection, the key facts' and the
//! help's scrolling, the help and the walkthrough toggles.

use chrono::TimeDelta;

use crate::domain::policy::Request;
use crate::tui::action::{Command, Effect};
use crate::tui::app::{App, Mode, Walkthrough};
use crate::tui::view;

impl App {
    pub(super) fn browse(&mut self, command: Command) -> Option<Effect> {
        let last = self.rows().len().saturating_sub(1);
        let before = self.selected;
        match command {
            Command::Up | Command::Down | Command::Top | Command::Bottom => {
                self.selected = match command {
                    Command::Up => self.selected.saturating_sub(1),
                    Command::Down => (self.selected + 1).min(last),
                    Command::Top => 0,
                    _ => last,
                };
                // Moving to a key shows its facts: it is being reviewed.
                self.mark_reviewed();
            }
            Command::TemporaryRoot => return self.temporary_root(),
            Command::MoveToRole => return self.move_to_role(),
            Command::Journal => return self.open_journal(),
            Command::PageUp | Command::PageDown => self.scroll_detail(command),
            Command::Refresh => return self.refresh(),
            Command::Deactivate => return self.ask(Request::Deactivate),
            Command::Reactivate => return self.ask(Request::Reactivate),
            Command::Delete => return self.ask(Request::Delete { force: false }),
            Command::ToggleHelp => {
                self.help_scroll = 0;
                self.mode = Mode::Help { back: None };
            }
            Command::Usage => return self.open_usage(),
            Command::ToggleWalkthrough => {
                self.walkthrough = if self.walkthrough_visible() {
                    // The key facts take its place.
                    self.mark_reviewed();
                    Walkthrough::Hidden
                } else {
                    Walkthrough::Shown
                };
            }
            Command::SkipDay => return self.skip(Some(TimeDelta::days(1))),
            Command::SkipWindow => return self.skip(None),
            // Esc is back: nothing is open here, so it clears the message
            // and never leaves (q and Ctrl-C do).
            Command::Back => self.banner = None,
            Command::Quit
            | Command::Yes
            | Command::No
            | Command::Switch
            | Command::Submit
            | Command::Backspace
            | Command::ClearInput => {}
        }
        if self.selected != before {
            self.detail_scroll = 0;
        }
        None
    }

    /// PgUp/PgDn in the main view: scroll the key facts (and the
    /// walkthrough beside them) by a page, within their text.
    fn scroll_detail(&mut self, command: Command) {
        let (total, visible) = view::detail_viewport(self);
        let page = visible.saturating_sub(1).max(1);
        let scroll = match command {
            Command::PageUp => self.detail_scroll.saturating_sub(page),
            _ => self.detail_scroll + page,
        };
        self.detail_scroll = scroll.min(total.saturating_sub(visible));
    }

    /// A scrolling key in the help overlay; false for any other key.
    pub(super) fn scroll_help(&mut self, command: Command) -> bool {
        let (total, visible) = view::help_viewport(self);
        let max = total.saturating_sub(visible);
        let page = visible.saturating_sub(1).max(1);
        let scroll = match command {
            Command::Up => self.help_scroll.saturating_sub(1),
            Command::Down => self.help_scroll + 1,
            Command::PageUp => self.help_scroll.saturating_sub(page),
            Command::PageDown => self.help_scroll + page,
            Command::Top => 0,
            Command::Bottom => max,
            _ => return false,
        };
        self.help_scroll = scroll.min(max);
        true
    }

    /// Keep the key facts' first line within their text (after a resize
    /// or a new snapshot).
    pub(super) fn clamp_detail_scroll(&mut self) {
        let (total, visible) = view::detail_viewport(self);
        self.detail_scroll = self.detail_scroll.min(total.saturating_sub(visible));
    }
}

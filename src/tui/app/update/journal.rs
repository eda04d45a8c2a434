//! The journal panel: opening it (reading the journal once), scrolling
//! it within its text, and leaving it.

use crate::tui::action::{Command, Effect};
use crate::tui::app::{App, Banner, JournalState, JournalView, Mode};
use crate::tui::{strings, view};

impl App {
    /// `J`: the journal panel, scrolled to the newest records.
    pub(super) fn open_journal(&mut self) -> Option<Effect> {
        self.mode = Mode::Journal(JournalView { scroll: usize::MAX });
        self.clamp_journal_scroll();
        match (&self.journal, &self.snapshot) {
            (JournalState::Ready(_) | JournalState::Loading, _) => None,
            (_, Some(s)) => {
                self.journal = JournalState::Loading;
                Some(Effect::LoadJournal {
                    account_id: s.inventory.identity.account_id.clone(),
                })
            }
            (_, None) => {
                self.mode = Mode::Browse;
                self.banner = Some(Banner::info(strings::STILL_LOADING));
                None
            }
        }
    }

    pub(super) fn in_journal(&mut self, command: Command) -> Option<Effect> {
        let (total, visible) = view::journal_viewport(self);
        let max = total.saturating_sub(visible);
        let page = visible.saturating_sub(1).max(1);
        let Mode::Journal(v) = &mut self.mode else {
            return None;
        };
        let from = v.scroll.min(max);
        v.scroll = match command {
            Command::Up => from.saturating_sub(1),
            Command::Down => from + 1,
            Command::PageUp => from.saturating_sub(page),
            Command::PageDown => from + page,
            Command::Top => 0,
            Command::Bottom => max,
            Command::Journal | Command::Back => {
                self.mode = Mode::Browse;
                return None;
            }
            _ => return None,
        }
        .min(max);
        None
    }

    /// Keep the journal panel's first line within its text.
    pub(super) fn clamp_journal_scroll(&mut self) {
        let (total, visible) = view::journal_viewport(self);
        if let Mode::Journal(v) = &mut self.mode {
            v.scroll = v.scroll.min(total.saturating_sub(visible));
        }
    }
}

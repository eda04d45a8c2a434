//! The usage review of a key: opening it, searching `CloudTrail` (one
//! search at a time), scrolling it, and searching again after the clock
//! moved.

use chrono::TimeDelta;

use crate::domain::View;
use crate::tui::action::{Command, Effect};
use crate::tui::app::{App, Banner, Mode, Row, Usage, UsageView};
use crate::tui::{strings, view};

impl App {
    /// `u` on the selected key: show its usage review, searching
    /// `CloudTrail` unless a result (or a search) is there already.
    pub(super) fn open_usage(&mut self) -> Option<Effect> {
        let Some(snapshot) = &self.snapshot else {
            self.not_loaded();
            return None;
        };
        if snapshot.inventory.view == View::Auditor {
            self.banner = Some(Banner::info(strings::usage_auditor(self.surface())));
            return None;
        }
        let key_id = match self.selected_row() {
            Some(Row::Key(kv)) => kv.key.access_key_id.clone(),
            Some(Row::Deleted { key_id, .. }) => Some(key_id.to_owned()),
            None => {
                self.banner = Some(Banner::info(strings::NO_KEY_SELECTED));
                return None;
            }
        };
        let Some(key_id) = key_id else {
            self.banner = Some(Banner::info(strings::usage_auditor(self.surface())));
            return None;
        };
        let known = matches!(
            self.usage.get(&key_id),
            Some(Usage::Loading(_) | Usage::Ready(_))
        );
        if !known && let Some((other, _)) = self.usage_searching() {
            // One search at a time: this request is ignored.
            self.banner = Some(Banner::info(strings::usage_one_at_a_time(other)));
            return None;
        }
        self.banner = None;
        self.reviewed.insert(key_id.clone());
        self.mode = Mode::Usage(UsageView {
            key_id: key_id.clone(),
            scroll: 0,
        });
        if known {
            None
        } else {
            self.search_usage(key_id)
        }
    }

    /// Start a usage search, unless one is running.
    fn search_usage(&mut self, key_id: String) -> Option<Effect> {
        if self.usage_searching().is_some() {
            return None;
        }
        self.usage.insert(key_id.clone(), Usage::Loading(None));
        Some(Effect::LoadUsage { key_id })
    }

    /// A command in the usage view: scroll, search again, or leave.
    pub(super) fn in_usage(&mut self, command: Command) -> Option<Effect> {
        let (total, visible) = view::usage_viewport(self);
        let max = total.saturating_sub(visible);
        let page = visible.saturating_sub(1).max(1);
        let searching = self.usage_searching().is_some();
        let Mode::Usage(v) = &mut self.mode else {
            return None;
        };
        let scroll = match command {
            Command::Up => v.scroll.saturating_sub(1),
            Command::Down => v.scroll + 1,
            Command::PageUp => v.scroll.saturating_sub(page),
            Command::PageDown => v.scroll + page,
            Command::Top => 0,
            Command::Bottom => max,
            Command::Usage | Command::Back => {
                self.mode = Mode::Browse;
                return None;
            }
            Command::ToggleHelp => {
                self.mode = Mode::Help {
                    back: Some(v.clone()),
                };
                self.help_scroll = 0;
                return None;
            }
            Command::Refresh if !searching => {
                v.scroll = 0;
                let key_id = v.key_id.clone();
                return self.search_usage(key_id);
            }
            Command::SkipDay => return self.skip(Some(TimeDelta::days(1))),
            Command::SkipWindow => return self.skip(None),
            _ => return None,
        };
        v.scroll = scroll.min(max);
        None
    }

    /// Keep the usage view's first line within its text (after a resize or
    /// a new result).
    pub(super) fn clamp_usage_scroll(&mut self) {
        if !matches!(self.mode, Mode::Usage(_)) {
            return;
        }
        let (total, visible) = view::usage_viewport(self);
        if let Mode::Usage(v) = &mut self.mode {
            v.scroll = v.scroll.min(total.saturating_sub(visible));
        }
    }

    /// After the clock moved: usage reviews are out of date. The open one
    /// is searched again (so relative times and new calls show); the
    /// others are searched again when opened.
    pub(super) fn refresh_stale_usage(&mut self) -> Option<Effect> {
        if self.usage_searching().is_some() {
            return None;
        }
        let key_id = self.usage_stale.take()?;
        if self.usage_view().is_none_or(|v| v.key_id != key_id) {
            self.usage.remove(&key_id);
            return None;
        }
        self.usage.remove(&key_id);
        self.search_usage(key_id)
    }
}

//! The organization view's state: the audit as far as it has come, the
//! rows worst first, the filter, the selection and the mode. Changed only
//! by `OrgApp::update` (update.rs); the view only reads it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::action::{Failure, Started, Write};
use super::strings;
use crate::exit::Exit;
use crate::org::model::{MemberRow, RowError, Verdict, worst_first};
use crate::org::port::OrgDeniedCall;
use crate::org::remediate::{MemberState, PreventState, ScpReady};
use crate::org::run::Progress;
use crate::tui::theme::Theme;

/// What the demo says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgDemo {
    pub scenario: String,
    pub title: String,
    pub summary: String,
    /// (account ID, note) for the detail pane.
    pub notes: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub theme: Theme,
    pub demo: Option<OrgDemo>,
    /// The clock the ages are measured against (the demo's, or real time).
    pub now: DateTime<Utc>,
}

/// How far the audit is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// The prerequisites are being checked.
    Checking,
    /// Accounts are being listed and audited.
    Auditing,
    /// Every account has its row.
    Done,
    /// The audit could not run.
    Failed(Failure),
}

/// What has the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The accounts table.
    Browse,
    /// Typing a filter: it applies as it is typed.
    Filter,
    /// The selected account's keys and facts, scrolled by `scroll` lines.
    Detail { scroll: u16 },
    /// The help over the mode it was opened from.
    Help(Box<Mode>),
    /// y/N before a quarantine or a release (No by default).
    Confirm(Confirm),
    /// Delete: the account ID typed to confirm.
    TypeDelete(TypeDelete),
    /// The prevention SCP: attached, or its text and the root ID typed.
    Prevent(PreventDialog),
}

/// A y/N confirmation of a quarantine or a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub write: Write,
    /// The accounts it acts on, each with a line for people.
    pub accounts: Vec<(String, String)>,
    /// Accounts left out, each with why.
    pub skipped: Vec<String>,
    pub yes_focused: bool,
    /// First line of the list shown (a long list scrolls).
    pub scroll: u16,
    /// Where Esc, No and the answer return to.
    pub back: Box<Mode>,
}

/// The typed confirmation of a delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDelete {
    pub account_id: String,
    pub name: String,
    /// The root keys the Delete session will delete (as last read).
    pub keys: Vec<String>,
    pub input: String,
    /// Why the last Enter was refused.
    pub mismatch: Option<String>,
    pub back: Box<Mode>,
}

/// The prevention dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreventDialog {
    pub root_id: String,
    /// The prevention policy attached at the root (name and ID), if it is.
    pub attached: Option<String>,
    pub scp_enabled: bool,
    pub input: String,
    pub mismatch: Option<String>,
    pub back: Box<Mode>,
}

impl Mode {
    /// A dialog has the keys.
    pub fn is_dialog(&self) -> bool {
        matches!(
            self,
            Self::Confirm(_) | Self::TypeDelete(_) | Self::Prevent(_)
        )
    }
}

/// How a notice reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Ok,
    Warn,
    Error,
}

/// A few lines in the message area: a write's results (with request IDs),
/// or the jobs the quarantine denied. Esc dismisses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub tone: Tone,
    pub title: String,
    pub lines: Vec<String>,
}

/// The write or read in flight (one at a time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub what: String,
}

/// Why the view ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quit {
    User,
    Signal(&'static str),
}

#[derive(Debug, Clone)]
pub struct OrgApp {
    pub theme: Theme,
    pub demo: Option<OrgDemo>,
    pub now: DateTime<Utc>,
    pub phase: Phase,
    pub started: Option<Started>,
    /// Rows as they arrived, kept worst first.
    pub rows: Vec<MemberRow>,
    pub progress: Progress,
    pub listing_error: Option<RowError>,
    pub filter: String,
    pub non_compliant_only: bool,
    /// The selected account (it stays selected while rows arrive); `None`:
    /// the first shown.
    pub selected: Option<String>,
    pub mode: Mode,
    /// A one-line message in the status line (cleared by the next key).
    pub status: Option<String>,
    pub tick: u64,
    pub size: (u16, u16),
    pub quit: Option<Quit>,
    /// The SCP side, once read: writes can be made.
    pub prep: Option<ScpReady>,
    /// Why writes cannot be made (the audit still runs).
    pub writes_unavailable: Option<Failure>,
    /// Each account's stage, once read.
    pub states: BTreeMap<String, MemberState>,
    /// Accounts marked with Space.
    pub marked: BTreeSet<String>,
    pub pending: Option<Pending>,
    pub notice: Option<Notice>,
    /// The walkthrough panel is shown (`w`).
    pub walkthrough: bool,
    /// The prevention SCP as last read.
    pub prevent: Option<PreventState>,
    /// Demo: the members' jobs' calls the quarantine denied.
    pub denied: Vec<OrgDeniedCall>,
    /// `q` was pressed once while a change was in flight.
    pub quit_armed: bool,
}

impl OrgApp {
    pub fn new(config: Config) -> Self {
        Self {
            theme: config.theme,
            demo: config.demo,
            now: config.now,
            phase: Phase::Checking,
            started: None,
            rows: Vec::new(),
            progress: Progress::default(),
            listing_error: None,
            filter: String::new(),
            non_compliant_only: false,
            selected: None,
            mode: Mode::Browse,
            status: None,
            tick: 0,
            size: (0, 0),
            quit: None,
            prep: None,
            writes_unavailable: None,
            states: BTreeMap::new(),
            marked: BTreeSet::new(),
            pending: None,
            notice: None,
            walkthrough: false,
            prevent: None,
            denied: Vec::new(),
            quit_armed: false,
        }
    }

    /// The selected account's stage, once read.
    pub fn selected_state(&self) -> Option<&MemberState> {
        self.states.get(&self.selected_row()?.account_id)
    }

    /// The denied calls of one account, newest first.
    pub fn denied_for(&self, account_id: &str) -> Vec<&OrgDeniedCall> {
        let mut calls: Vec<&OrgDeniedCall> = self
            .denied
            .iter()
            .filter(|c| c.account_id == account_id)
            .collect();
        calls.sort_by_key(|c| std::cmp::Reverse(c.time));
        calls
    }

    /// 0 after leaving normally, 2 after a signal or when the audit could
    /// not run.
    pub fn exit(&self) -> Exit {
        match (self.quit, &self.phase) {
            (Some(Quit::Signal(_)), _) | (_, Phase::Failed(_)) => Exit::Failed,
            _ => Exit::Done,
        }
    }

    pub fn in_flight(&self) -> bool {
        matches!(self.phase, Phase::Checking | Phase::Auditing) || self.pending.is_some()
    }

    pub fn spinner(&self) -> &'static str {
        let frames = strings::SPINNER;
        frames[usize::try_from(self.tick % frames.len() as u64).unwrap_or(0)]
    }

    pub(super) fn insert(&mut self, row: MemberRow) {
        self.rows.retain(|r| r.account_id != row.account_id);
        let at = self
            .rows
            .partition_point(|r| worst_first(r, &row) == std::cmp::Ordering::Less);
        self.rows.insert(at, row);
    }

    /// Does `row` pass the filter and the `n` toggle?
    pub fn shows(&self, row: &MemberRow) -> bool {
        if self.non_compliant_only && row.compliant() != Some(false) {
            return false;
        }
        let needle = self.filter.trim().to_lowercase();
        needle.is_empty()
            || row.account_id.contains(&needle)
            || row.name.to_lowercase().contains(&needle)
    }

    /// The rows shown, worst first.
    pub fn visible(&self) -> Vec<&MemberRow> {
        self.rows.iter().filter(|r| self.shows(r)).collect()
    }

    /// Index of the selection among the shown rows.
    pub fn selected_index(&self) -> Option<usize> {
        let visible = self.visible();
        if visible.is_empty() {
            return None;
        }
        Some(
            self.selected
                .as_ref()
                .and_then(|id| visible.iter().position(|r| &r.account_id == id))
                .unwrap_or(0),
        )
    }

    pub fn selected_row(&self) -> Option<&MemberRow> {
        let i = self.selected_index()?;
        self.visible().get(i).copied()
    }

    /// Is the detail pane open (also under the help)?
    pub fn detail_open(&self) -> bool {
        matches!(self.underlying(), Mode::Detail { .. })
    }

    pub fn detail_scroll(&self) -> u16 {
        match self.underlying() {
            Mode::Detail { scroll } => *scroll,
            _ => 0,
        }
    }

    /// The mode under the help or a dialog.
    pub fn underlying(&self) -> &Mode {
        let mut mode = &self.mode;
        loop {
            mode = match mode {
                Mode::Help(back) => back,
                Mode::Confirm(c) => &c.back,
                Mode::TypeDelete(d) => &d.back,
                Mode::Prevent(p) => &p.back,
                other => return other,
            };
        }
    }

    /// Accounts with root keys among the rows so far.
    pub fn with_keys(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.compliant() == Some(false))
            .count()
    }

    pub fn failed(&self) -> usize {
        self.rows.iter().filter(|r| r.error.is_some()).count()
    }

    /// The organization's verdict so far: `Some(false)` as soon as one
    /// account has a key; `Some(true)` only once every account was read and
    /// none has; `None` while unknown.
    pub fn compliant(&self) -> Option<bool> {
        if self.with_keys() > 0 {
            Some(false)
        } else if self.phase != Phase::Done
            || self.listing_error.is_some()
            || self.rows.iter().any(|r| r.verdict() == Verdict::Unknown)
        {
            None
        } else {
            Some(true)
        }
    }

    /// The demo's note on an account, if any.
    pub fn demo_note(&self, account_id: &str) -> Option<&str> {
        self.demo.as_ref().and_then(|d| {
            d.notes
                .iter()
                .find(|(id, _)| id == account_id)
                .map(|(_, n)| n.as_str())
        })
    }
}

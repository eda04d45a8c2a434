//! The organization view's messages: the commands keys stand for, and the
//! actions that change its state (commands, typed filter text, the audit's
//! results as they stream in, ticks, resizes, signals).

use crate::org::model::{AuditedOrg, MemberRow, Organization};
use crate::org::run::Progress;

/// What a key stands for (see `keymap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Up,
    Down,
    Top,
    Bottom,
    /// Open the selected account in the detail pane.
    Open,
    /// Scroll the detail pane.
    PageUp,
    PageDown,
    /// Start typing a filter (`/`).
    Filter,
    /// Keep the typed filter (Enter while typing).
    KeepFilter,
    /// Only the non-compliant accounts, or all again (`n`).
    NonCompliant,
    ToggleHelp,
    /// Back or cancel: close the detail, clear the filter; never leaves.
    Back,
    Quit,
}

/// Who is auditing which organization, once the prerequisites hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub organization: Organization,
    pub caller_arn: String,
}

/// A prerequisite that does not hold, or the audit could not run: what
/// happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub fix: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Command(Command),
    /// A character typed into the filter.
    Input(char),
    /// Backspace in the filter.
    Backspace,
    /// The prerequisites hold; the audit runs.
    Started(Box<Started>),
    /// One account's row, as soon as it is known, and the counts so far.
    Row(Box<MemberRow>, Progress),
    /// The counts changed without a row (the listing ended).
    Progress(Progress),
    /// The audit ended: every row, worst first.
    Finished(Box<AuditedOrg>),
    /// The audit could not run.
    Failed(Failure),
    Tick,
    Resize(u16, u16),
    /// SIGTERM, SIGHUP, SIGINT or the end of input: leave.
    Signal(&'static str),
}

impl From<Command> for Action {
    fn from(c: Command) -> Self {
        Self::Command(c)
    }
}

//! The organization view's messages: the commands keys stand for, the
//! actions that change its state (commands, typed text, the audit's
//! results as they stream in, the writes' results, ticks, resizes,
//! signals), and the effects `update` asks the runner to carry out.

use chrono::{DateTime, TimeDelta, Utc};

use crate::org::model::{AuditedOrg, MemberRow, Organization};
use crate::org::port::OrgDeniedCall;
use crate::org::remediate::{MemberState, PreventState, ScpReady, WriteResult};
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
    /// Scroll the detail pane (or a dialog's list).
    PageUp,
    PageDown,
    /// Start typing a filter (`/`).
    Filter,
    /// Keep the typed filter (Enter while typing).
    KeepFilter,
    /// Only the non-compliant accounts, or all again (`n`).
    NonCompliant,
    /// Mark or unmark the selected account (Space).
    Mark,
    /// Quarantine the marked accounts, or the selected one (`Q`).
    Quarantine,
    /// Release the marked accounts, or the selected one (`R`).
    Release,
    /// Delete the selected account's root keys (`D`, typed account ID).
    Delete,
    /// The prevention SCP at the organization root (`P`).
    Prevent,
    /// Show or hide the walkthrough (`w`).
    ToggleWalkthrough,
    /// Demo: the simulated clock a day ahead (`s`).
    SkipDay,
    /// Demo: the simulated clock to the window's end (`S`).
    SkipWindow,
    /// Demo: the selected account's job moves to an IAM role (`m`).
    MoveToRole,
    /// In a dialog: yes, no, move the focus, answer with the focus.
    Yes,
    No,
    Switch,
    Submit,
    /// In a typed dialog: erase a character, erase everything.
    Erase,
    ClearInput,
    ToggleHelp,
    /// Back or cancel: close what is open, clear the filter; never leaves.
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

/// A write the view asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Quarantine,
    Release,
    Delete,
    Prevent,
}

/// Accounts read again (after a write or a skip), with the clock they
/// were read at and, in the demo, the jobs' calls the quarantine denied.
#[derive(Debug, Clone)]
pub struct Reread {
    pub now: DateTime<Utc>,
    pub states: Result<Vec<MemberState>, Failure>,
    /// Every denied call since the earliest quarantine shown (demo).
    pub denied: Vec<OrgDeniedCall>,
    /// The clock moved by this much before the read (demo skip).
    pub skipped: Option<(TimeDelta, DateTime<Utc>)>,
}

/// What a write task reports.
#[derive(Debug, Clone)]
pub struct Wrote {
    pub write: Write,
    pub results: Vec<WriteResult>,
    /// The SCP side as the write left it (quarantine, release, delete).
    pub prep: Option<ScpReady>,
    /// The prevention SCP as the write left it (prevent).
    pub prevent: Option<PreventState>,
}

#[derive(Debug, Clone)]
pub enum Action {
    Command(Command),
    /// A character typed into the filter or a typed confirmation.
    Input(char),
    /// Backspace in the filter.
    Backspace,
    /// The prerequisites hold; the audit runs.
    Started(Box<Started>),
    /// The SCP side is ready: writes can be made (else `WritesUnavailable`).
    Prepared(Box<ScpReady>),
    /// The audit runs read-only: the SCP side could not be read.
    WritesUnavailable(Failure),
    /// Demo: a job moved to a role (the role's name), or why not.
    Moved {
        account_id: String,
        result: Result<String, String>,
    },
    /// One account's row, as soon as it is known, and the counts so far.
    Row(Box<MemberRow>, Progress),
    /// The counts changed without a row (the listing ended).
    Progress(Progress),
    /// The audit ended: every row, worst first, and (when writes can be
    /// made) each account's stage.
    Finished(Box<AuditedOrg>, Option<Box<Reread>>),
    /// The audit could not run.
    Failed(Failure),
    /// A write ended: each account's result, and the SCP side as it is now.
    Wrote(Box<Wrote>),
    /// Whether the prevention SCP is attached at the root.
    PreventRead(Result<Box<PreventState>, Failure>),
    /// Accounts read again.
    Reread(Box<Reread>),
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

/// Work `update` asks for: the runner runs it in a task that sends its
/// result back as an [`Action`].
#[derive(Debug, Clone)]
pub enum Effect {
    Quarantine(Box<ScpReady>, Vec<MemberState>),
    Release(Box<ScpReady>, Vec<MemberState>),
    Delete(Box<ScpReady>, Box<MemberState>),
    /// Read whether the prevention SCP is attached.
    PreventState,
    Prevent(Box<PreventState>),
    /// Read these accounts again (`None`: every account).
    Reread(Box<ScpReady>, Option<Vec<String>>),
    /// Demo: move the clock, then read every account again.
    Skip(Box<ScpReady>, TimeDelta),
    /// Demo: move this account's job to an IAM role.
    MoveToRole(String),
}

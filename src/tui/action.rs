//! The messages of the interactive view: what the operator asks for
//! (`Command`, bound to keys in `keymap`), everything that changes state
//! (`Action`), and the work `App::update` asks the loop to start (`Effect`).
//! Plain data and conversions: nothing here awaits, does I/O or draws, and
//! it imports no `tokio`, `ratatui`, `crossterm` or the plain-terminal commands.

use chrono::TimeDelta;

use super::strings;
use crate::account::usage::Progress;
use crate::account::{AccountError, DeniedCall};
use crate::domain::policy::{Request, Surface};
use crate::domain::usage::{RegionStatus, UsageReport};
use crate::journal::Contents;
use crate::remediate::{Done, RemediateError, Snapshot};
use crate::report::RootRow;

/// What a key press asks for. The same command means different things in
/// different modes (`Submit` confirms a dialog).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Up,
    Down,
    Top,
    Bottom,
    Refresh,
    Deactivate,
    Reactivate,
    Delete,
    ToggleHelp,
    ToggleWalkthrough,
    /// Open the selected key's usage review (in the usage view: close it).
    Usage,
    /// Scroll a page (the usage view).
    PageUp,
    PageDown,
    /// Demo only: move the simulated clock one day ahead.
    SkipDay,
    /// Demo only: move the simulated clock past the end of the window.
    SkipWindow,
    /// Demo only: continue in a simulated temporary root session (as in
    /// `CloudShell`) once the session's own key stopped working.
    TemporaryRoot,
    /// Demo only: move the job that uses the selected key to an IAM role.
    MoveToRole,
    /// Open (or close) the journal panel.
    Journal,
    /// Leave rootkeys.
    Quit,
    /// Esc: close what is open, else clear the message (never leaves).
    Back,
    Yes,
    No,
    /// Move the focus between a dialog's buttons.
    Switch,
    /// Enter.
    Submit,
    Backspace,
    ClearInput,
}

/// The only way the state of the view changes.
#[derive(Debug, Clone)]
pub enum Action {
    Command(Command),
    /// A character typed into a dialog's text field.
    Input(char),
    /// The spinner's clock (about ten a second while work is in flight).
    Tick,
    /// The terminal's size (at start and on every resize).
    Resize(u16, u16),
    /// A signal (SIGTERM, SIGHUP, SIGINT) asks rootkeys to stop.
    Signal(&'static str),
    /// The inventory and stages arrived (or failed).
    Loaded(Result<Snapshot, UiError>),
    /// The credential report's root row arrived (or failed).
    ReportLoaded(Result<RootRow, UiError>),
    /// A write finished.
    WriteDone {
        request: Request,
        key_id: String,
        result: Result<Done, UiError>,
    },
    /// Demo: the simulated clock moved (by this much).
    Skipped(Result<TimeDelta, UiError>),
    /// The usage search of a key got further.
    UsageProgress {
        key_id: String,
        progress: Progress,
    },
    /// The usage search of a key finished (see [`usage_result`]).
    UsageLoaded {
        key_id: String,
        result: Result<Box<UsageReport>, UiError>,
    },
    /// Demo: a training step outside rootkeys was played (or refused).
    Simulated {
        step: SimStep,
        result: Result<String, UiError>,
    },
    /// Demo: calls the account's jobs made while the clock was skipped
    /// that AWS denied (their key is inactive).
    Denied(Vec<DeniedCall>),
    /// The account's journal was read (or could not be).
    JournalLoaded(Result<Box<Contents>, UiError>),
}

/// A training step the simulation plays for what happens outside rootkeys
/// in a real account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimStep {
    /// Sign in again with temporary root credentials (`CloudShell`,
    /// `sts:AssumeRoot`).
    TemporaryRoot,
    /// Move the job that signs with this key to an IAM role.
    MoveToRole { key_id: String },
}

impl From<Command> for Action {
    fn from(command: Command) -> Self {
        Self::Command(command)
    }
}

/// Work for the loop to start; its result comes back as an [`Action`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Inventory, journal reconciliation and stages (`Remediator::snapshot`).
    Load,
    /// The credential report's root row (slow; never blocks the table).
    LoadReport,
    /// A write through `Remediator::execute` (root check, journal, call).
    Write { request: Request, key_id: String },
    /// Demo: move the simulated clock.
    Skip(TimeDelta),
    /// Search `CloudTrail` event history for what used a key.
    LoadUsage { key_id: String },
    /// Demo: play a training step (see [`SimStep`]).
    Simulate(SimStep),
    /// Read the account's journal (the same file `rootkeys journal` reads).
    LoadJournal { account_id: String },
}

/// An error as the view shows it: what happened, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiError {
    pub message: String,
    pub advice: Option<String>,
    /// The safety rules refused the request (not a failure of AWS).
    pub refused: bool,
    /// The credentials of this session no longer work.
    pub credentials: bool,
}

impl UiError {
    /// Messages can carry text from outside (servers, files): shown safely.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: crate::text::multiline(&message.into()),
            advice: None,
            refused: false,
            credentials: false,
        }
    }
}

impl From<&AccountError> for UiError {
    fn from(e: &AccountError) -> Self {
        Self {
            message: crate::text::multiline(&e.to_string()),
            advice: Some(e.advice()),
            refused: false,
            credentials: matches!(
                e,
                AccountError::InvalidCredentials { .. } | AccountError::ExpiredCredentials { .. }
            ),
        }
    }
}

impl From<&RemediateError> for UiError {
    fn from(e: &RemediateError) -> Self {
        match e {
            RemediateError::Account(a) => a.into(),
            RemediateError::Refused(r) => Self {
                message: crate::text::multiline(&r.advice(Surface::View)),
                advice: None,
                refused: true,
                credentials: false,
            },
            other => Self::new(other.to_string()),
        }
    }
}

/// A finished usage search as the view takes it: the report, or an error
/// with advice when not one region could be searched (a report with some
/// regions failed is a report: it names them).
pub fn usage_result(report: UsageReport) -> Result<Box<UsageReport>, UiError> {
    if report.regions_ok() > 0 {
        return Ok(Box::new(report));
    }
    let failures: Vec<(&str, &str, &str)> = report
        .regions
        .iter()
        .map(|r| match &r.status {
            RegionStatus::Failed { code, message } => {
                (r.region.as_str(), code.as_str(), message.as_str())
            }
            RegionStatus::Ok | RegionStatus::Unavailable => (r.region.as_str(), "unavailable", ""),
        })
        .collect();
    let denied = |code: &str| code.starts_with("AccessDenied") || code == "UnauthorizedOperation";
    let advice = if !failures.is_empty() && failures.iter().all(|(_, code, _)| denied(code)) {
        strings::USAGE_ADVICE_DENIED
    } else if failures
        .iter()
        .any(|(_, code, _)| crate::account::codes::THROTTLING_CODES.contains(code))
    {
        strings::USAGE_ADVICE_THROTTLED
    } else {
        strings::USAGE_ADVICE_OTHER
    };
    Err(UiError {
        message: crate::text::multiline(&strings::usage_nothing_searched(&report)),
        advice: Some(advice.to_owned()),
        refused: false,
        credentials: false,
    })
}

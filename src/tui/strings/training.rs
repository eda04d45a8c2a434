//! The demo walk-through: its steps and checks, the way out of a
//! rejected session, the journal panel and Done.

use chrono::{DateTime, Utc};

use super::{MARK_OK, MARK_WARN, date_time};
use crate::tui::walkthrough::MfaCheck;

// Walkthrough
pub const WALKTHROUGH_TITLE: &str = "Walkthrough";
pub const STEP_DONE: &str = "✓";
pub const STEP_CURRENT: &str = "▶";
pub const STEP_UNKNOWN: &str = "?";

/// The Prevent step's mark and its note in the step list.
pub fn prevent_mark(check: MfaCheck) -> (&'static str, &'static str) {
    match check {
        MfaCheck::On => (STEP_DONE, "MFA on"),
        MfaCheck::Off => (MARK_WARN, "advice: MFA off"),
        MfaCheck::Unknown => (STEP_UNKNOWN, "MFA unknown"),
    }
}

/// The Prevent step's check, above its text.
pub fn prevent_check(check: MfaCheck) -> String {
    match check {
        MfaCheck::On => format!("{MARK_OK} Root has MFA (AccountMFAEnabled = 1)."),
        MfaCheck::Off => format!(
            "{MARK_WARN} Root has no MFA device (AccountMFAEnabled = 0): assign one, as MFA below says."
        ),
        MfaCheck::Unknown => format!(
            "{STEP_UNKNOWN} Root's MFA could not be read from the account summary: look in the \
             console (Security credentials, signed in as root)."
        ),
    }
}

/// Above the prevention policy's text.
pub fn prevent_policy_heading() -> String {
    format!("The SCP ({}):", crate::domain::scp::PREVENT_NAME)
}

/// The key facts' next step once no root key is left; `shown`: the
/// walkthrough is on screen (else `w` shows it).
pub fn done_next(check: MfaCheck, shown: bool) -> String {
    let what = match check {
        MfaCheck::On => "root has MFA; hand the prevention SCP to the organization's administrator",
        MfaCheck::Off => {
            "assign an MFA device to root, and hand the prevention SCP to the organization's \
             administrator"
        }
        MfaCheck::Unknown => {
            "check root's MFA, and hand the prevention SCP to the organization's administrator"
        }
    };
    let whre = if shown {
        "the walkthrough has it"
    } else {
        "w shows it"
    };
    format!("step 7, Prevent (advice): {what} ({whre})")
}

// ---- Training: the demo walk-through from start to Done ----------------

pub const HK_TEMPORARY_ROOT: &str = "continue as temporary root (simulated CloudShell)";
pub const HK_MOVE_TO_ROLE: &str = "move the job using the selected key to an IAM role";
pub const HK_JOURNAL: &str = "the account's journal: every step rootkeys took";
pub const HK_JOURNAL_BACK: &str = "close the journal";
pub const HINT_TEMPORARY_ROOT: &str = "CloudShell";
pub const HINT_MOVE_TO_ROLE: &str = "move job to role";
pub const HINT_JOURNAL: &str = "journal";
pub const HINT_CLOSE: &str = "close";
pub const HELP_JOURNAL: &str = "In the journal";

/// What to do once the session's own key stopped working, in the demo.
pub fn way_out(scenario: &str) -> String {
    format!(
        "In a real account, sign in again with temporary root credentials (CloudShell as root, \
         or an sts:AssumeRoot session) and finish from there: press c to continue in a simulated \
         CloudShell root session. To start the scenario over: rootkeys demo --scenario {scenario} --reset"
    )
}

pub const WAY_OUT_FOOTER: &str = "continue in a simulated CloudShell root session";
pub const WAY_OUT_RESET: &str = "starts over";

pub fn temporary_root(key: &str) -> String {
    format!(
        "Continuing in a simulated CloudShell root session (temporary credentials {key}): no root \
         access key signs it. Skip past the window (S), then delete the deactivated key (D)."
    )
}

pub const SESSION_WORKS: &str = "This session's credentials still work: nothing to continue.";

pub fn moved_to_role(key: &str, role: &str) -> String {
    format!(
        "Simulated: the job moved to the IAM role {role}; its next runs no longer use {key}. \
         Deactivate the key again (d): the window starts afresh."
    )
}

/// A job's call that AWS denied while the clock was skipped.
pub fn denied(
    job: &str,
    when: DateTime<Utc>,
    code: &str,
    ip: &str,
    agent: &str,
    more: usize,
) -> String {
    let more = match more {
        0 => String::new(),
        1 => " (and 1 more run)".to_owned(),
        n => format!(" (and {n} more runs)"),
    };
    // The tool and the command are what tell a job apart.
    let words: Vec<&str> = agent.split_whitespace().collect();
    let agent = match words.as_slice() {
        [first, .., last] if words.len() > 2 => format!("{first} … {last}"),
        _ => agent.to_owned(),
    };
    let mut job = job.to_owned();
    if let Some(first) = job.get(..1) {
        job = format!("{}{}", first.to_uppercase(), &job[1..]);
    }
    format!(
        "{job} denied {}{more}: {code} (key inactive) · {ip} · {agent}",
        date_time(when)
    )
}

pub const DENIED_ADVICE: &str = "back out: a reactivates, m moves the job to a role (simulated), \
     d deactivates again; u shows the call.";

pub const DONE_TITLE: &str = "Done";
pub const DONE: &str =
    "Done: no root access key; account compliant (AccountAccessKeysPresent = 0).";
pub const DONE_FACT: &str = "no root access key; account compliant";
pub const DONE_AFTER_VERIFY: &str =
    "Done: every step is in the journal (J). Last, step 7 (Prevent) is advice.";

pub fn done_restart(scenario: &str) -> String {
    format!(
        "{DONE} Every step is in the journal (J). To train again: rootkeys demo --scenario {scenario} --reset"
    )
}

pub const AUDITOR_DONE: &str = "Done (auditor): every root access key reviewed. Removing them is root's \
     part: hand the finding (slots, status, last use) to whoever holds the root user.";
pub const FOR_ROOT: &str = "root's part";

pub const BACKOUT_USED: &str = "used";
pub const BACKOUT_NOT_NEEDED: &str = "not needed";
pub const STEP_SKIPPED: &str = "–";

pub const JOURNAL_TITLE: &str = "Journal";
pub const JOURNAL_LOADING: &str = "Reading the journal…";
pub const JOURNAL_EMPTY: &str = "The journal has no records for this account yet.";
pub const JOURNAL_FAILED: &str = "The journal cannot be read";

pub fn journal_heading(records: usize) -> String {
    format!(
        "{records} record(s), oldest first, newest last: an intent before each AWS call and its \
         outcome after (the same file rootkeys journal prints)"
    )
}

pub fn journal_foreign(n: usize) -> String {
    format!("({n} record(s) of another account in this file were kept and not shown)")
}

pub const NO_JOB: &str = "Select the key whose job should move to a role.";

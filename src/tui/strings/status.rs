//! The footer's busy line, the banners above it, and the demo's
//! messages.

use chrono::TimeDelta;

use super::keys_present;
use crate::domain::policy::Request;
use crate::domain::window::human;

// Footer and status
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
pub const REFRESHING: &str = "refreshing…";
pub const REPORT_BUSY: &str = "credential report…";

pub fn busy_write(request: Request, key: &str) -> String {
    format!("{} {key}…", progressive(request))
}

fn progressive(request: Request) -> &'static str {
    match request {
        Request::Deactivate => "deactivating",
        Request::Reactivate => "reactivating",
        Request::Delete { .. } => "deleting",
    }
}

pub const SKIPPING: &str = "moving the simulated clock…";

// Banners
pub const ERROR: &str = "error";
pub const REFUSED: &str = "refused";
pub const WHAT_TO_DO: &str = "what to do";

pub fn done(request: Request, key: &str, window: TimeDelta) -> String {
    match request {
        Request::Deactivate => format!(
            "Deactivated {key}. Observe for {}: anything still using it now fails; press a to reactivate if something breaks.",
            human(window)
        ),
        Request::Reactivate => {
            format!("Reactivated {key}. The window starts afresh when you deactivate it again.")
        }
        Request::Delete { .. } => {
            format!("Deleted {key}. Verifying with the account summary…")
        }
    }
}

pub fn verified(n: u32) -> String {
    if n == 0 {
        "Verified: the account summary reports no root access key (AccountAccessKeysPresent = 0). Compliant.".to_owned()
    } else {
        format!("Verified: the account summary reports {}.", keys_present(n))
    }
}

pub fn first_seen_inactive(key: &str) -> String {
    format!(
        "{key} was already inactive with no observation window running: its window starts now (journaled)."
    )
}

pub fn window_restarted(key: &str) -> String {
    format!(
        "{key} was used after its window began, so it was active in between: its window starts again now (journaled)."
    )
}

pub fn seen_active(key: &str) -> String {
    format!(
        "{key} is active again after its deactivation (reactivated outside rootkeys): the next deactivation starts a new window (journaled)."
    )
}

pub fn operation_in_progress(holder: &str) -> String {
    format!(
        "Another rootkeys operation is in progress ({holder}): nothing was journaled by this refresh; press r once it ends."
    )
}

pub fn damaged_journal(lines: &[usize]) -> String {
    let list: Vec<String> = lines.iter().map(ToString::to_string).collect();
    format!(
        "journal line(s) {} are damaged and were kept as they are; see `rootkeys journal`",
        list.join(", ")
    )
}

pub const STILL_LOADING: &str = "Still reading the account; try again in a moment.";
pub const NO_KEY_SELECTED: &str = "No key selected.";

// Demo
pub fn demo_badge(scenario: &str) -> String {
    format!("DEMO · {scenario}")
}

pub fn skipped(by: TimeDelta) -> String {
    format!(
        "Simulated clock moved {} ahead. (Demo only: a real window takes real days.)",
        human(by)
    )
}

pub const NOTHING_OBSERVING: &str =
    "No key is observing, so there is no window to skip to; s moves the clock one day.";
pub const SKIP_DEMO_ONLY: &str = "Skipping ahead only exists in the demo.";

pub fn too_small(w: u16, h: u16) -> String {
    format!("terminal too small (need {w}x{h})")
}

//! The write dialogs (y/N and typed confirmation) and the session-ended
//! screen.

use super::MARK_WARN;
use crate::domain::policy::{self, Request};

// Dialogs
pub const BTN_NO: &str = "No";
pub const CANCEL: &str = "Cancel";

pub fn confirm_title(request: Request, key: &str) -> String {
    match request {
        Request::Deactivate => format!("Deactivate {key}?"),
        Request::Reactivate => format!("Reactivate {key}?"),
        Request::Delete { .. } => format!("Delete {key} for good?"),
    }
}

pub fn confirm_yes(request: Request) -> &'static str {
    match request {
        Request::Deactivate => "Yes, deactivate",
        Request::Reactivate => "Yes, reactivate",
        Request::Delete { .. } => "Delete",
    }
}

/// Before deactivating or deleting the key that signs this session; the
/// other active keys, if any, come first.
pub fn signing_warning(other_active: &[String]) -> String {
    format!("{MARK_WARN} {}", policy::signing_key_warning(other_active))
}

pub fn last_used_line(text: &str) -> String {
    format!("Last used: {text}")
}

pub const CONFIRM_HINT: &str = "y yes · n / Esc no · ←→ choose · Enter confirm";
pub const TYPE_PROMPT: &str = "Type the key ID to confirm:";
pub const TYPE_HINT: &str = "Enter delete · Esc cancel";

pub fn mismatch(key: &str) -> String {
    format!("That is not {key}. Nothing was deleted; type the key ID exactly.")
}

pub const SESSION_ENDED_TITLE: &str = "This session has ended";

pub fn session_ended(key: &str, request: Request, demo: Option<&str>) -> Vec<String> {
    let what = match request {
        Request::Delete { .. } => "deleted",
        _ => "inactive",
    };
    vec![
        format!(
            "{key} signed this session and is now {what}. AWS rejects every request signed with it, so rootkeys has stopped making calls."
        ),
        "To continue with the other steps, sign in with another root credential (the console or CloudShell) and run rootkeys again.".to_owned(),
        if what == "inactive" {
            "To undo, reactivate the key from the console (root user → Security credentials → Access keys) or a CloudShell root session.".to_owned()
        } else {
            "The journal records the deletion.".to_owned()
        },
        match demo {
            Some(scenario) => format!(
                "Press c to continue in a simulated CloudShell root session (temporary credentials), \
                 q to quit; rootkeys demo --scenario {scenario} --reset starts over."
            ),
            None => "Press q to quit.".to_owned(),
        },
    ]
}

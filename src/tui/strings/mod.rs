//! The interactive view's own wording (labels, titles, hints, messages),
//! in one place. Wording every front end shares comes from the domain: the
//! consequence of a write (`Request::consequence`), stages and next steps,
//! the usage summary. Text only: no `ratatui`, `crossterm`, `tokio` or
//! plain-terminal commands.

mod dialogs;
mod keys;
mod main_view;
mod status;
mod training;
mod usage;

pub use dialogs::*;
pub use keys::*;
pub use main_view::*;
pub use status::*;
pub use training::*;
pub use usage::*;

use chrono::TimeDelta;

use crate::domain::window::human;

pub const APP: &str = "rootkeys";
pub const ACCOUNT: &str = "account";
pub const F_PROFILE: &str = "profile ";
pub const F_REGION: &str = "region ";
pub const F_ENDPOINT: &str = "endpoint ";
pub const F_AS_OF: &str = "as of ";
pub const NONE: &str = "—";
pub const NEVER: &str = "never";
pub const MARK_OK: &str = "✓";
pub const MARK_BAD: &str = "✗";
pub const MARK_WARN: &str = "⚠";
pub const MARK_INFO: &str = "›";
pub const LOADING: &str = "loading…";
pub const UNKNOWN: &str = "unknown";
pub const LOADING_ACCOUNT: &str =
    "Reading the account: caller identity, account summary, root's access keys…";
pub const ROOT_MARK: &str = "root ✓";
pub const AUDITOR_MARK: &str = "read-only: not root";
pub const SIMULATED: &str = "simulated";
pub const DEMO: &str = "DEMO";
pub const RETRY: &str = "Press r to try again, q to quit.";

pub const VERDICT_RULE: &str = "CIS “no root user access key exists”";
pub const COMPLIANT: &str = "COMPLIANT";
pub const NOT_COMPLIANT: &str = "NOT COMPLIANT";

pub fn keys_present(n: u32) -> String {
    match n {
        0 => "no root access key".to_owned(),
        1 => "1 root access key".to_owned(),
        n => format!("{n} root access keys"),
    }
}

pub fn window(w: TimeDelta) -> String {
    format!("window {}", human(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy;

    #[test]
    fn the_demo_never_points_to_a_command_on_the_live_account() {
        let demo = usage_auditor(policy::Surface::Demo);
        assert!(!demo.contains("rootkeys "), "{demo}");
        let live = usage_auditor(policy::Surface::View);
        assert!(live.contains("`rootkeys usage`"), "{live}");
        assert!(!live.contains("KEY_ID"), "{live}");
    }

    #[test]
    fn the_signing_warning_names_other_keys_only_when_there_are_some() {
        assert!(!signing_warning(&[]).contains("other"));
        assert!(signing_warning(&["AKIAOTHER".to_owned()]).contains("AKIAOTHER"));
    }
}

//! Every text of the organization view, in one place.

use crate::org::model::{RowErrorKind, Verdict};

pub const APP: &str = "rootkeys org";
pub const ORGANIZATION_PENDING: &str = "organization …";
pub const MANAGEMENT: &str = "management";
pub const CALLER: &str = "caller";
pub const SIMULATED: &str = "simulated";
pub const CIS: &str = "CIS “no root user access key exists”";
pub const CIS_SHORT: &str = "CIS";

pub const CHECKING: &str = "Checking the prerequisites of centralized root access…";
pub const CANNOT_AUDIT: &str = "The organization cannot be audited";
pub const WHAT_TO_DO: &str = "What to do";

pub const VERDICT_PENDING: &str = "auditing…";
pub const VERDICT_NOT_RUN: &str = "? UNKNOWN · the audit could not run";
pub fn verdict_not_compliant(with_keys: usize, total: usize, so_far: bool) -> String {
    format!(
        "✗ NOT COMPLIANT · {with_keys} of {total} account{} with root access keys{}",
        if total == 1 { "" } else { "s" },
        if so_far { " so far" } else { "" }
    )
}
pub fn verdict_compliant(total: usize) -> String {
    format!("✓ COMPLIANT · no root access key in {total} accounts")
}
pub fn verdict_unknown(failed: usize) -> String {
    format!(
        "? UNKNOWN · no root access key found, but {failed} account{} could not be audited",
        if failed == 1 { "" } else { "s" }
    )
}
pub const LISTING_STOPPED: &str = "the account listing stopped early";

pub fn audited(done: usize, listed: usize, listing_done: bool) -> String {
    let total = if listing_done {
        listed.to_string()
    } else {
        format!("{listed}+")
    };
    format!("audited {done} / {total}")
}
pub fn errors(n: usize) -> String {
    format!("{n} error{}", if n == 1 { "" } else { "s" })
}
pub fn as_of(time: &str) -> String {
    format!("as of {time}")
}
pub const GAUGE_LISTING: &str = "listing accounts…";
pub fn gauge(done: usize, listed: usize, listing_done: bool) -> String {
    if listing_done {
        format!("auditing {done} of {listed} accounts")
    } else {
        format!("auditing {done} of {listed}+ accounts (listing…)")
    }
}
pub fn finished(total: usize, failed: usize) -> String {
    let mut text = format!("✓ audit finished · {total} accounts");
    if failed > 0 {
        text.push_str(&format!(" · {failed} could not be audited (stage “error”)"));
    }
    text
}

pub const ACCOUNTS: &str = "Accounts";
pub fn accounts_title(shown: usize, total: usize, filter: &str, non_compliant: bool) -> String {
    let mut title = format!("{ACCOUNTS} · {shown} of {total}");
    if non_compliant {
        title.push_str(" · non-compliant only");
    }
    if !filter.is_empty() {
        title.push_str(&format!(" · filter “{filter}”"));
    }
    title
}
pub const COL_ACCOUNT: &str = "ACCOUNT";
pub const COL_NAME: &str = "NAME";
pub const COL_ACTIVE: &str = "ACTIVE";
pub const COL_INACTIVE: &str = "INACTIVE";
pub const COL_LAST_USED: &str = "LAST USED";
pub const COL_STAGE: &str = "STAGE";
pub const COL_ERROR: &str = "ERROR";
pub const MGMT_MARK: &str = "mgmt";
pub const NO_ROWS_YET: &str = "No account audited yet.";
pub const NO_MATCH: &str = "No account matches. Esc clears the filter.";
pub const NEVER: &str = "never";
pub const UNKNOWN: &str = "?";

/// The stage column. Part 1 derives it from the verdict.
pub fn stage(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::ActiveKeys => "keys active",
        Verdict::InactiveKeys => "keys inactive",
        Verdict::Unknown => "error",
        Verdict::NotAudited => "not audited",
        Verdict::Compliant => "compliant",
    }
}

/// The error column: what kind of error, in a few words (the detail pane
/// has the message and what to do).
pub fn error_short(kind: RowErrorKind, message: &str) -> String {
    match kind {
        RowErrorKind::ScpDeny => "SCP denies root sessions".to_owned(),
        RowErrorKind::AccessDenied => "access denied".to_owned(),
        RowErrorKind::Throttled => "throttled by AWS".to_owned(),
        RowErrorKind::Expired => "credentials or session expired".to_owned(),
        RowErrorKind::NotInOrganization => "not in the organization".to_owned(),
        RowErrorKind::ManagementFromDelegatedAdmin => {
            "not readable from the delegated administrator".to_owned()
        }
        RowErrorKind::Other => message.to_owned(),
    }
}

pub const FILTER_PROMPT: &str = "Filter (name or ID): ";
pub const FILTER_HELP: &str = "typing filters live · Enter keeps · Esc clears";
pub const ESC_NOTHING: &str = "Nothing to go back from: q leaves.";

// Detail pane
pub const MORE_BELOW: &str = "PgDn: more";
pub const DETAIL_HINT: &str = "Enter: the selected account's keys and facts.";
pub const F_ACCOUNT: &str = "Account";
pub const F_STAGE: &str = "Stage";
pub const F_READ: &str = "Read";
pub const F_MFA: &str = "MFA";
pub const F_PASSWORD: &str = "Password";
pub const F_KEYS: &str = "Keys";
pub const F_ERROR: &str = "Error";
pub const F_ADVICE: &str = "What to do";
pub const F_NOTE: &str = "Note";
pub const F_DEMO_NOTE: &str = "Demo note";
pub const READ_ASSUME_ROOT: &str =
    "AssumeRoot Audit session (IAMAuditRootUserCredentials), journaled in the account's journal";
pub const READ_REPORT: &str = "its own credential report and account summary (AssumeRoot cannot target the management account)";
pub const READ_NONE: &str = "not read";
pub const NO_KEYS: &str = "none";
pub const KEYS_UNKNOWN: &str = "unknown (not read)";
pub fn on_off(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "on",
        Some(false) => "off",
        None => "unknown",
    }
}
pub fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}
pub fn keys_count(present: Option<u32>, active: usize, inactive: usize) -> String {
    match present {
        None => "root keys unknown".to_owned(),
        Some(0) => "no root access key".to_owned(),
        Some(n) => format!(
            "{n} root access key{} ({active} active, {inactive} inactive)",
            if n == 1 { "" } else { "s" }
        ),
    }
}

// Help and footer
pub const HELP_TITLE: &str = "Help";
pub const HELP_MAIN: &str = "Accounts";
pub const HELP_DETAIL: &str = "Account detail";
pub const HELP_FILTER: &str = "Typing a filter";
pub const HELP_CLOSE: &str = "Press any key to close.";
pub const HK_UP: &str = "previous account";
pub const HK_DOWN: &str = "next account";
pub const HK_TOP: &str = "first account";
pub const HK_BOTTOM: &str = "last account";
pub const HK_OPEN: &str = "the account's keys and facts";
pub const HK_FILTER: &str = "filter by name or account ID";
pub const HK_NON_COMPLIANT: &str = "only non-compliant accounts (again: all)";
pub const HK_BACK: &str = "clear the filter (never leaves)";
pub const HK_DETAIL_BACK: &str = "close the detail";
pub const HK_PAGE_UP: &str = "scroll the detail up";
pub const HK_PAGE_DOWN: &str = "scroll the detail down";
pub const HK_HELP: &str = "this help";
pub const HK_QUIT: &str = "leave (also Ctrl-C)";
pub const HK_KEEP: &str = "keep the filter";
pub const HK_CLEAR: &str = "clear the filter";
pub const HK_ERASE: &str = "erase a character";
pub const HINT_SELECT: &str = "select";
pub const HINT_OPEN: &str = "open";
pub const HINT_FILTER: &str = "filter";
pub const HINT_NON_COMPLIANT: &str = "non-compliant";
pub const HINT_HELP: &str = "help";
pub const HINT_QUIT: &str = "quit";
pub const HINT_CLOSE: &str = "close";
pub const HINT_SCROLL: &str = "scroll";
pub const HINT_KEEP: &str = "keep";
pub const HINT_CLEAR: &str = "clear";

pub fn demo_badge(scenario: &str) -> String {
    format!("DEMO · {scenario}")
}
pub fn too_small(w: u16, h: u16) -> String {
    format!("terminal too small (need {w}x{h})")
}
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

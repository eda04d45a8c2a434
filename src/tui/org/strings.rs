//! Every text of the organization view, in one place.

use super::action::Write;
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
pub const HK_BACK: &str = "close the message, clear filter or marks (never leaves)";
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
// Writes: keys, dialogs, results
pub const HK_MARK: &str = "mark or unmark the account (Q and R act on the marked)";
pub const HK_QUARANTINE: &str = "quarantine the marked or selected accounts (asks y/N)";
pub const HK_RELEASE: &str = "release them: the backout, detaches the SCP (asks y/N)";
pub const HK_DELETE: &str = "delete its root keys after the window (type the account ID)";
pub const HK_PREVENT: &str = "prevention SCP at the organization root (type the root ID)";
pub const HK_WALKTHROUGH: &str = "show or hide the walkthrough";
pub const HK_SKIP_DAY: &str = "demo: move the simulated clock one day ahead";
pub const HK_SKIP_WINDOW: &str = "demo: move the simulated clock to the window's end";
pub const HK_YES: &str = "yes: do it";
pub const HK_NO: &str = "no: close the dialog";
pub const HK_SWITCH: &str = "move between No and Yes";
pub const HK_SUBMIT: &str = "answer with the focused button (No by default)";
pub const HK_LIST: &str = "scroll the list of accounts";
pub const HK_TYPED_SUBMIT: &str = "confirm, if the text is exactly the ID asked for";
pub const HK_TYPED_BACK: &str = "cancel: nothing changes";
pub const HK_CLEAR_INPUT: &str = "erase everything typed";
pub const HELP_DIALOG: &str = "In a y/N dialog";
pub const HELP_TYPED: &str = "In a typed confirmation";
pub const HINT_MARK: &str = "mark";
pub const HINT_YES: &str = "yes";
pub const HINT_NO: &str = "no";
pub const HINT_ANSWER: &str = "answer (No by default)";
pub const HINT_CONFIRM: &str = "confirm";
pub const HINT_CANCEL: &str = "cancel";
pub const HINT_QUARANTINE: &str = "quarantine";
pub const HINT_RELEASE: &str = "release";
pub const HINT_DELETE: &str = "delete";
pub const HINT_PREVENT: &str = "prevent";
pub const HINT_WALKTHROUGH: &str = "walkthrough";
pub const HINT_SKIP: &str = "skip a day";
pub const HINT_SKIP_WINDOW: &str = "skip window";
pub const COL_MARK: &str = " ";
pub const MARK: &str = "●";
/// After the stage of an account whose key was used after the quarantine.
pub const USED_MARK: &str = "⚠";

pub const BTN_NO: &str = "No";
pub const CONFIRM_HINT: &str = "y yes · n / Esc no · ←→ choose · Enter confirm";
pub const LIST_HINT: &str = "↑↓ scroll the list";
pub const NOTHING_CHANGED: &str = "Nothing changed.";
pub const ONE_AT_A_TIME: &str = "One change at a time: wait for the one in progress to finish.";
pub const NOT_READ_YET: &str = "The account's stage is not read yet: wait for the audit to finish.";
pub const NO_ACCOUNT: &str = "No account selected.";

pub fn confirm_title(write: Write, n: usize) -> String {
    let verb = match write {
        Write::Quarantine => "Quarantine",
        Write::Release => "Release",
        Write::Delete => "Delete the root keys of",
        Write::Prevent => "Prevent",
    };
    format!("{verb} {n} account{}?", if n == 1 { "" } else { "s" })
}
pub fn confirm_yes(write: Write) -> &'static str {
    match write {
        Write::Quarantine => "Yes, quarantine",
        Write::Release => "Yes, release",
        Write::Delete => "Delete",
        Write::Prevent => "Attach",
    }
}
pub fn consequence(write: Write, n: usize) -> String {
    let whose = if n == 1 {
        "this account's"
    } else {
        "these accounts'"
    };
    match write {
        Write::Quarantine => format!(
            "Every request made with {whose} root access keys will be denied (an SCP attached \
             to the account; AssumeRoot sessions are not affected). R releases it. The \
             observation window starts now."
        ),
        Write::Release => format!(
            "The quarantine SCP is detached: {whose} root access keys work again at once. A \
             later quarantine starts a new window."
        ),
        Write::Delete | Write::Prevent => String::new(),
    }
}
pub fn skipped_line(n: usize) -> String {
    format!("Left out ({n}):")
}
pub fn account_line(id: &str, name: &str, stage: &str) -> String {
    if name.is_empty() {
        format!("{id} · {stage}")
    } else {
        format!("{id} {name} · {stage}")
    }
}
pub fn not_acting(account: &str, why: &str) -> String {
    format!("{account}: {why}")
}
pub fn already(account: &str, what: &str) -> String {
    format!("{account}: {what}; nothing to do.")
}
pub fn observing(ends: &str, left: &str) -> String {
    format!(
        "cannot be deleted yet: the observation window ends {ends} ({left} left). Wait until \
         then; the view never overrides the window."
    )
}
pub const CONSUMER_BEFORE_DELETE: &str = "cannot be deleted: a key was used after the quarantine \
     began (a consumer was denied). Release it (R), move the consumer to a role, quarantine again.";

pub fn delete_title(account: &str) -> String {
    format!("Delete the root access keys of {account} for good?")
}
pub fn delete_consequence(keys: &[String]) -> String {
    format!(
        "Every root access key of this account ({}) is deleted in an AssumeRoot Delete session. \
         This cannot be undone. A fresh Audit session then verifies that none is left, and the \
         quarantine is detached.",
        if keys.is_empty() {
            "as listed now".to_owned()
        } else {
            keys.join(", ")
        }
    )
}
pub const TYPE_ACCOUNT: &str = "Type the account ID to confirm:";
pub const TYPE_HINT_DELETE: &str = "Enter delete · Esc cancel";
pub fn account_mismatch(expected: &str, typed: &str) -> String {
    let digits = typed.chars().filter(char::is_ascii_digit).count();
    let why = if typed.trim().is_empty() {
        "nothing was typed".to_owned()
    } else if typed.len() != expected.len() {
        format!(
            "that is {} characters, an account ID has {}",
            typed.chars().count(),
            expected.len()
        )
    } else if digits != typed.len() {
        "an account ID has digits only".to_owned()
    } else {
        let differ = typed
            .chars()
            .zip(expected.chars())
            .filter(|(a, b)| a != b)
            .count();
        format!(
            "{differ} digit{} differ{}",
            if differ == 1 { "" } else { "s" },
            if differ == 1 { "s" } else { "" }
        )
    };
    format!("That is not {expected} ({why}). Nothing was deleted; type the account ID exactly.")
}

pub const PREVENT_TITLE: &str = "Prevent new root access keys";
pub fn prevent_attached(name: &str, root: &str) -> String {
    format!(
        "✓ The prevention SCP {name} is attached at the organization root {root}: no member \
         root user can create an access key. Nothing to do."
    )
}
pub fn prevent_missing(root: &str) -> String {
    format!(
        "The prevention SCP is not attached at the organization root {root}. Attaching it \
         denies iam:CreateAccessKey to every member account's root user (AssumeRoot sessions \
         exempt). This policy is created (unless it exists) and attached:"
    )
}
pub fn prevent_scps_disabled(root: &str) -> String {
    format!(
        "Service control policies are not enabled on the organization root {root}, so no SCP \
         can be attached; rootkeys never enables them itself. Enable them (aws organizations \
         enable-policy-type --root-id {root} --policy-type SERVICE_CONTROL_POLICY), then press P \
         again."
    )
}
pub const TYPE_ROOT: &str = "Type the root ID (r-…) to attach it:";
pub const TYPE_HINT_PREVENT: &str = "Enter attach · Esc cancel";
pub const PREVENT_CLOSE: &str = "Esc or Enter closes.";
pub fn root_mismatch(expected: &str) -> String {
    format!("That is not {expected}. Nothing was attached; type the root ID exactly.")
}

pub fn pending(write: Write, n: usize) -> String {
    let what = match write {
        Write::Quarantine => "quarantining",
        Write::Release => "releasing",
        Write::Delete => "deleting the root keys of",
        Write::Prevent => "attaching the prevention SCP",
    };
    if write == Write::Prevent {
        format!("{what}…")
    } else {
        format!("{what} {n} account{}…", if n == 1 { "" } else { "s" })
    }
}
pub const QUIT_WHILE_PENDING: &str = "A change is in progress: q again leaves anyway (an \
     interrupted change is settled against AWS on the next run).";
pub const PENDING_PREVENT_READ: &str = "reading the prevention SCP…";
pub const PENDING_REREAD: &str = "reading the accounts again…";
pub const PENDING_SKIP: &str = "moving the simulated clock, then reading again…";
pub fn result_title(write: Write, ok: usize, total: usize) -> String {
    let verb = match write {
        Write::Quarantine => "Quarantine",
        Write::Release => "Release",
        Write::Delete => "Delete",
        Write::Prevent => "Prevention",
    };
    format!("{verb}: {ok} of {total} done")
}
pub fn outcome_line(account: &str, outcome: &crate::org::remediate::WriteOutcome) -> String {
    use crate::org::remediate::WriteOutcome as O;
    match outcome {
        O::Done => format!("✓ {account}: done"),
        O::AlreadyDone(what) => format!("✓ {account}: {what}"),
        O::Refused(why) => format!("✗ {account}: refused: {why}"),
        O::Failed(why) => format!("✗ {account}: failed: {why}"),
        O::Unknown(why) => format!("? {account}: outcome unknown: {why}"),
    }
}
pub fn writes_unavailable(message: &str, fix: &str) -> String {
    format!("Read-only: {message}. {fix}")
}
pub const WRITES_UNAVAILABLE_SHORT: &str =
    "Writes are unavailable: the SCP side of the organization could not be read (see the message).";
pub const SKIP_DEMO_ONLY: &str = "Skipping ahead only exists in the demo.";
pub const HK_MOVE_TO_ROLE: &str = "demo: move the account's job to an IAM role";
pub const HINT_MOVE_TO_ROLE: &str = "move job";
pub const MOVE_DEMO_ONLY: &str =
    "Moving a job to a role happens outside rootkeys; the demo simulates it with m.";
pub const PENDING_MOVE: &str = "moving the job to an IAM role, then reading again…";

/// The status after a job moved to a role (demo).
pub fn moved(account: &str, role: &str) -> String {
    format!(
        "{account}: its job now runs with the IAM role {role}, not the root key (simulated). \
         Quarantine again: the next runs stay quiet."
    )
}
pub const NOTHING_OBSERVING: &str =
    "No account is quarantined, so there is no window to skip to; s moves the clock one day.";
pub fn skipped(by: &str) -> String {
    format!("Simulated clock moved {by} ahead. (Demo only: a real window takes real days.)")
}
pub fn denied_title(n: usize) -> String {
    format!(
        "{n} call{} denied by the quarantine: a consumer just failed",
        if n == 1 { "" } else { "s" }
    )
}
pub fn denied_line(time: &str, job: &str, account: &str, action: &str, message: &str) -> String {
    format!("{time} {job} ({account}): {action} {message}")
}
pub const DENIED_ADVICE: &str =
    "Release (R) the account, move the job to an IAM role, then quarantine again.";

// Detail pane: the stage
pub const F_QUARANTINED: &str = "Since";
pub const F_WINDOW: &str = "Window ends";
pub const F_NEXT: &str = "Next";
pub const F_JOURNAL: &str = "Journal";
pub const F_DENIED: &str = "Denied";
pub fn consumer_failed(key: &str, used: &str, after: &str) -> String {
    format!(
        "⚠ a consumer just failed: {key} used {used} ({after} after the quarantine began); \
         release (R) and move it to a role"
    )
}

// Walkthrough
pub const WALKTHROUGH_TITLE: &str = "Walkthrough";
pub const STEP_DONE: &str = "✓";
pub const STEP_NOW: &str = "▶";
pub const STEP_TODO: &str = "·";
pub const STEP_IF_BROKE: &str = "if something broke";

pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

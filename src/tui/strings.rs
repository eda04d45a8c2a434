//! The interactive view's own wording (labels, titles, hints, messages),
//! in one place. Wording every front end shares comes from the domain: the
//! consequence of a write (`Request::consequence`), stages and next steps,
//! the usage summary. Text only: no `ratatui`, `crossterm`, `tokio` or
//! plain-terminal commands.

use chrono::{DateTime, TimeDelta, Utc};

use crate::account::usage::Progress;
use crate::domain::policy::{self, Request, Stage};
use crate::domain::window::{ago, human};
use crate::tui::walkthrough::MfaCheck;

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

// Table
pub const KEYS_TITLE: &str = "Root access keys";
pub const COL_KEY: &str = "KEY";
pub const COL_STATUS: &str = "STATUS";
pub const COL_AGE: &str = "AGE";
pub const COL_LAST_USED: &str = "LAST USED";
pub const COL_STAGE: &str = "STAGE";
pub const SIGNING_MARK: &str = "●";
pub const SIGNING_LEGEND: &str = "● signs this session";
pub const NO_KEYS: &str = "Root has no access keys. Nothing to remove.";
pub const SELECT_MARK: &str = "▶ ";

/// The stage column; `compact` for narrow terminals.
pub fn stage_cell(stage: &Stage, now: DateTime<Utc>, compact: bool) -> String {
    match stage {
        Stage::Active => "active".to_owned(),
        Stage::Observing { until, .. } if compact => format!("observing ({})", human(*until - now)),
        Stage::Observing { until, .. } => format!("observing · {} left", human(*until - now)),
        Stage::ReadyToDelete { .. } => "ready to delete".to_owned(),
        Stage::Deleted { at } => format!("deleted {}", at.format("%Y-%m-%d")),
        Stage::Inactive => "inactive".to_owned(),
    }
}

/// `yesterday · s3 · eu-west-1`, or `never`.
pub fn last_used_short(used: Option<&crate::domain::LastUsed>, now: DateTime<Utc>) -> String {
    match used {
        None => NEVER.to_owned(),
        Some(u) => {
            let mut s = ago(now - u.date);
            for part in [&u.service, &u.region].into_iter().flatten() {
                s.push_str(" · ");
                s.push_str(part);
            }
            s
        }
    }
}

/// A key's age for a table cell: `5 h`, `45 d`, `14 mo`, `6 y`.
pub fn age(delta: TimeDelta) -> String {
    let days = delta.num_days();
    if days < 1 {
        format!("{} h", delta.num_hours().max(0))
    } else if days < 60 {
        format!("{days} d")
    } else if days < 730 {
        format!("{} mo", days / 30)
    } else {
        format!("{} y", days / 365)
    }
}

/// `2023-03-04 · 3 y old`
pub fn created(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    format!("{} · {} old", date(t), age(now - t))
}

pub fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

pub fn date_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

// Detail pane
pub const DETAIL_TITLE: &str = "Key";
pub const L_KEY_ID: &str = "Key ID";
pub const L_STATUS: &str = "Status";
pub const L_CREATED: &str = "Created";
pub const L_LAST_USED: &str = "Last used";
pub const L_STAGE: &str = "Stage";
pub const L_WINDOW: &str = "Window";
pub const L_SESSION: &str = "Session";
pub const L_REPORT: &str = "Report";
pub const L_ROOT: &str = "Root user";
pub const L_NOTE: &str = "Demo note";
pub const L_USAGE: &str = "Usage";
pub const L_NEXT: &str = "Next";
pub const L_DELETED: &str = "Deleted";
pub const SIGNS_SESSION: &str =
    "● this key signs this session: deactivating it ends rootkeys' access, so handle it last";
pub const REPORT_LOADING: &str = "credential report loading…";
pub const REPORT_NO_SLOT: &str = "no matching slot in the credential report";
pub const AUDITOR_NOTE: &str = "Auditor view: facts from the account summary and the credential report's root row. Key IDs are known only to root.";
pub const KEY_ID_UNKNOWN: &str = "key ID known only to root";
pub const DELETED_BY_JOURNAL: &str = "gone from the account; the journal records its deletion";
pub const NO_NEXT: &str = "nothing to do";

pub fn window_ends(until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if now < until {
        format!("ends {}", date_time(until))
    } else {
        format!("passed {}", date_time(until))
    }
}

/// When the window began and the length journaled with it (the one
/// enforced, whatever `--observe` says now).
pub fn window_began(since: DateTime<Utc>, until: DateTime<Utc>) -> String {
    format!(
        "began {} · {} (journaled)",
        date_time(since),
        human(until - since)
    )
}

pub fn report_slot(slot: u8, active: bool, rotated: Option<DateTime<Utc>>) -> String {
    let mut s = format!(
        "slot {slot} · {}",
        if active { "active" } else { "inactive" }
    );
    if let Some(r) = rotated {
        s.push_str(&format!(" · last rotated {}", date(r)));
    }
    s
}

pub fn root_facts(mfa: Option<bool>, created: Option<DateTime<Utc>>) -> String {
    let mut parts = Vec::new();
    match mfa {
        Some(true) => parts.push("MFA on".to_owned()),
        Some(false) => parts.push("MFA OFF".to_owned()),
        None => {}
    }
    if let Some(c) = created {
        parts.push(format!("created {}", date(c)));
    }
    if parts.is_empty() {
        "—".to_owned()
    } else {
        parts.join(" · ")
    }
}

pub fn report_failed(message: &str) -> String {
    format!("credential report unavailable: {message}")
}

pub fn next_label(action: Option<Request>, stage: &Stage, root: bool) -> &'static str {
    match (action, stage) {
        _ if !root => "sign in as root",
        (Some(Request::Deactivate), _) => "deactivate (d)",
        (Some(Request::Reactivate), _) => "reactivate (a)",
        (Some(Request::Delete { .. }), _) => "delete (D)",
        (None, Stage::Observing { .. }) => "observe · backout: reactivate (a)",
        (None, Stage::Deleted { .. }) => "verify",
        (None, _) => NO_NEXT,
    }
}

// Usage view
pub fn usage_title(key: &str) -> String {
    format!("Usage · {key}")
}

pub fn usage_searching(key: &str) -> String {
    format!("Searching CloudTrail event history for {key}")
}

pub const USAGE_SCOPE: &str = "in every enabled region, over the last 90 days…";
pub const L_REGIONS: &str = "Regions";
pub const L_EVENTS: &str = "Events";
pub const USAGE_LISTING_REGIONS: &str = "listing the enabled regions…";

pub fn usage_regions_done(p: Progress) -> String {
    format!("{} of {} searched", p.regions_done, p.regions_total)
}

pub fn usage_events_so_far(n: usize) -> String {
    match n {
        1 => "1 found so far".to_owned(),
        n => format!("{n} found so far"),
    }
}

pub const USAGE_PACE: &str = "Every region is searched at once; within a region, page by page at CloudTrail's rate (about two requests a second), so a key used often takes longer. Leaving this view does not stop the search.";
pub const USAGE_FAILED: &str = "Usage review failed";
pub const USAGE_RETRY: &str = "r search again · u or Esc back to the key facts";
/// Why the auditor view cannot review usage. Only outside the demo does it
/// point to the command line (which would run against a live account).
pub fn usage_auditor(surface: policy::Surface) -> &'static str {
    match surface {
        policy::Surface::Demo => {
            "Usage review needs the key ID, and key IDs are known only to root (the credential report does not list them). The other demo scenarios sign in as root and can review usage here."
        }
        policy::Surface::Cli | policy::Surface::View => {
            "Usage review needs the key ID, and key IDs are known only to root (the credential report does not list them). Sign in as root to review a key's usage here; if you know the key ID, `rootkeys usage` takes it on the command line."
        }
    }
}
pub const USAGE_NO_SOURCE: &str = "this account has no CloudTrail event history to search";
pub const USAGE_ADVICE_DENIED: &str = "the caller needs cloudtrail:LookupEvents (and account:ListRegions to find the enabled regions); see README, \"Permissions\". Then press r to search again.";
pub const USAGE_ADVICE_THROTTLED: &str =
    "CloudTrail is throttling this account; wait a minute, then press r to search again.";
pub const USAGE_ADVICE_OTHER: &str =
    "check the network and the credentials, then press r to search again.";

pub fn usage_one_at_a_time(key: &str) -> String {
    format!("Still searching CloudTrail for {key}; one search at a time.")
}

/// Not one region could be searched: which, and why (each way they failed
/// once, with the regions it hit), as `rootkeys usage` says it.
pub fn usage_nothing_searched(report: &crate::domain::usage::UsageReport) -> String {
    crate::domain::usage::nothing_searched(&report.regions)
}

/// The footer's spinner text while a usage search runs.
pub fn busy_usage(progress: Option<Progress>) -> String {
    match progress {
        None => "CloudTrail: listing regions…".to_owned(),
        Some(p) => format!(
            "CloudTrail: {}/{} regions · {} events…",
            p.regions_done, p.regions_total, p.events_so_far
        ),
    }
}

/// One line in the key facts on a finished usage search.
pub fn usage_brief(events: usize, days: u32, ips: usize, not_searched: &[&str]) -> String {
    let mut text = match (events, ips) {
        (0, _) => format!("no events in {days} days"),
        (n, 0) => format!("{n} event{} in {days} days", plural_s(n)),
        (n, ips) => format!(
            "{n} event{} in {days} days from {ips} source IP{}",
            plural_s(n),
            plural_s(ips)
        ),
    };
    if !not_searched.is_empty() {
        text.push_str(&format!(" · not searched: {}", not_searched.join(", ")));
    }
    text.push_str(" (u)");
    text
}

pub fn usage_brief_searching(progress: Option<Progress>) -> String {
    format!("{} (u)", busy_usage(progress))
}

pub const USAGE_BRIEF_FAILED: &str = "the CloudTrail search failed (u)";

fn plural_s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `12–36 of 58` under a scrolled pane.
pub fn scroll_position(first: usize, last: usize, total: usize) -> String {
    format!("{first}–{last} of {total}")
}

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

// Help
pub const HELP_TITLE: &str = "Keys";
pub const HELP_MAIN: &str = "Main view";
pub const HELP_DIALOG: &str = "In a y/N dialog";
pub const HELP_TYPED: &str = "In the delete dialog";
pub const HELP_DEMO: &str = "Demo";
pub const HELP_USAGE: &str = "In the usage view";
pub const HELP_CLOSE: &str = "Press any key to close.";

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

// Key help (the keymap's descriptions) and footer hints
pub const HK_UP: &str = "previous key";
pub const HK_DOWN: &str = "next key";
pub const HK_TOP: &str = "first key";
pub const HK_BOTTOM: &str = "last key";
pub const HK_DEACTIVATE: &str = "deactivate the selected key (asks y/N)";
pub const HK_REACTIVATE: &str = "reactivate it while observing: the backout (asks y/N)";
pub const HK_DELETE: &str = "delete it once the window has passed (type the key ID)";
pub const HK_REFRESH: &str = "read the account again";
pub const HK_WALKTHROUGH: &str = "show or hide the walkthrough";
pub const HK_USAGE: &str = "what used the selected key (CloudTrail, last 90 days)";
pub const HK_SCROLL_UP: &str = "scroll up a line";
pub const HK_SCROLL_DOWN: &str = "scroll down a line";
pub const HK_PAGE_UP: &str = "scroll up a page";
pub const HK_PAGE_DOWN: &str = "scroll down a page";
pub const HK_USAGE_TOP: &str = "to the start";
pub const HK_USAGE_BOTTOM: &str = "to the end (the limits)";
pub const HK_USAGE_BACK: &str = "back to the key facts";
pub const HK_USAGE_AGAIN: &str = "search CloudTrail again";
pub const HK_HELP: &str = "this help";
pub const HK_SKIP_DAY: &str = "move the simulated clock one day ahead";
pub const HK_SKIP_WINDOW: &str = "move the simulated clock past the observation window";
pub const HK_QUIT: &str = "leave rootkeys (Ctrl-C too)";
pub const HK_BACK: &str = "dismiss the message, else leave";
pub const HK_YES: &str = "yes: do it";
pub const HK_NO: &str = "no: close the dialog";
pub const HK_SWITCH: &str = "move between No and Yes";
pub const HK_SUBMIT: &str = "answer with the focused button (No by default)";
pub const HK_TYPED_SUBMIT: &str = "delete, if the text is exactly the key ID";
pub const HK_TYPED_BACK: &str = "cancel";
pub const HK_BACKSPACE: &str = "erase a character";
pub const HK_CLEAR: &str = "erase everything typed";

pub const HINT_SELECT: &str = "select";
pub const HINT_DEACTIVATE: &str = "deactivate";
pub const HINT_REACTIVATE: &str = "reactivate";
pub const HINT_DELETE: &str = "delete";
pub const HINT_REFRESH: &str = "refresh";
pub const HINT_WALKTHROUGH: &str = "walkthrough";
pub const HINT_USAGE: &str = "usage";
pub const HINT_SCROLL: &str = "scroll";
pub const HINT_PAGE: &str = "page";
pub const HINT_KEY_FACTS: &str = "key facts";
pub const HINT_SEARCH_AGAIN: &str = "search again";
pub const HINT_HELP: &str = "help";
pub const HINT_SKIP: &str = "skip a day";
pub const HINT_SKIP_WINDOW: &str = "skip window";
pub const HINT_QUIT: &str = "quit";

// Layout at every size, keys as in other terminal tools
pub const HELP_OVERLAY_TITLE: &str = "Help";
pub const HELP_CLOSE_KEYS: &str = "Esc close · ↑↓ PgDn scroll";
pub const HK_BACK_MAIN: &str = "close what is open, else clear the message (never leaves)";
pub const HK_FACTS_UP: &str = "scroll the key facts up a page";
pub const HK_FACTS_DOWN: &str = "scroll the key facts down a page";
pub const MORE_BELOW: &str = "↓ more";
pub const MORE_ABOVE: &str = "↑ more";
pub const NOTHING_CHANGED: &str = "Nothing changed.";
pub const ACCOUNT_NOT_READ: &str =
    "The account could not be read, so there is no key to act on; press r to try again.";
pub const VERDICT_RULE_SHORT: &str = "CIS root keys";
pub const HINT_RETRY: &str = "retry";
pub const ONE_CHANGE_AT_A_TIME: &str =
    "One change at a time: wait for the one in progress to finish.";
pub const KEY_PGDN: &str = "PgDn";
pub const KEY_J: &str = "j";

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

#[cfg(test)]
mod tests {
    use super::*;

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

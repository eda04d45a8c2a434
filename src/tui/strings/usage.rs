//! The usage view (a key's `CloudTrail` review) and the scrolling marks.

use crate::account::usage::Progress;
use crate::domain::policy::{self};

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

//! `rootkeys usage KEY_ID`: what used a key, from where and when, from
//! CloudTrail event history in every enabled region, next to what IAM's
//! last-used facts and the credential report say.
//!
//! Exit status: 0 every requested region was searched; 3 partial (some
//! requested regions could not be searched: the summary covers the others
//! only); 2 error (nothing could be searched, or bad input).

use std::io::IsTerminal;

use serde_json::json;

use super::audit::last_used_text;
use super::{Exit, print_account_error};
use crate::account::Account;
use crate::account::usage::{DEFAULT_PACING, Progress, fetch_usage};
use crate::domain::LastUsed;
use crate::domain::usage::{RegionSelection, UsageQuery, UsageReport};
use crate::render::usage::{render_text, to_json};
use crate::text::{foreign, one_line};

/// Exit status of a search that did not cover every requested region.
pub const EXIT_PARTIAL: u8 = Exit::Partial.code();

/// `all`, or a comma-separated list of regions.
pub fn parse_regions(text: &str) -> RegionSelection {
    if text.trim().eq_ignore_ascii_case("all") {
        RegionSelection::All
    } else {
        RegionSelection::List(
            text.split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }
}

#[allow(clippy::too_many_lines)]
pub async fn run(
    account: &dyn Account,
    key_id: &str,
    days: u32,
    regions: &str,
    json: bool,
) -> Exit {
    let query = UsageQuery {
        key_id: key_id.to_owned(),
        days,
        regions: parse_regions(regions),
    };
    if let Err(e) = query.validate() {
        eprintln!("rootkeys: error: {e}");
        return Exit::Failed;
    }
    let Some(source) = account.trail_source() else {
        eprintln!("rootkeys: error: this account has no CloudTrail event history to search");
        return Exit::Failed;
    };
    let identity = match account.identity().await {
        Ok(i) => i,
        Err(e) => {
            print_account_error(&e);
            return Exit::Failed;
        }
    };
    let show_progress = !json && std::io::stderr().is_terminal();
    let progress = move |p: Progress| {
        if show_progress {
            eprint!(
                "\rSearching CloudTrail event history: {}/{} regions done, {} events…",
                p.regions_done, p.regions_total, p.events_so_far
            );
        }
    };
    let now = account.now();
    // IAM's own last-used facts: as root for the key itself, and the
    // credential report's root row (either view), fetched alongside.
    let iam_facts = async {
        if identity.is_root() {
            account.caller_keys().await.ok().and_then(|keys| {
                keys.into_iter()
                    .find(|k| k.access_key_id.as_deref() == Some(key_id))
                    .map(|k| k.last_used)
            })
        } else {
            None
        }
    };
    let (report, iam_last_used, row) = futures::join!(
        fetch_usage(source.as_ref(), &query, now, DEFAULT_PACING, progress),
        iam_facts,
        account.root_report_row()
    );
    if show_progress {
        eprintln!();
    }
    // Not one region searched: the error first, before what little the
    // summary can say.
    let outcome = outcome(&report);
    if outcome == Outcome::Nothing {
        eprintln!(
            "rootkeys: error: {}",
            crate::domain::usage::nothing_searched(&report.regions)
        );
    }
    let report_slots: Vec<serde_json::Value> = row
        .as_ref()
        .map(|r| {
            r.present_keys()
                .map(|k| json!({"slot": k.slot, "active": k.active, "last_used": k.last_used}))
                .collect()
        })
        .unwrap_or_default();
    if json {
        let mut doc = to_json(&report);
        doc["iam_last_used"] = json!(iam_last_used.clone().flatten());
        doc["credential_report_root_keys"] = json!(report_slots);
        outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        out!("{}", render_text(&report, now));
        outln!("\nWhat IAM says:");
        match &iam_last_used {
            Some(used) => outln!(
                "  GetAccessKeyLastUsed: {}",
                one_line(&last_used_text(used.as_ref(), now))
            ),
            None if identity.is_root() => {
                outln!(
                    "  GetAccessKeyLastUsed: {} is not one of root's keys",
                    one_line(key_id)
                );
            }
            None => outln!("  GetAccessKeyLastUsed: available to root only"),
        }
        match &row {
            Ok(r) => {
                for k in r.present_keys() {
                    let used = k.last_used.as_ref().map(|u| LastUsed {
                        date: u.date,
                        service: u.service.clone(),
                        region: u.region.clone(),
                    });
                    outln!(
                        "  credential report, root key slot {} ({}): {}",
                        k.slot,
                        if k.active { "active" } else { "inactive" },
                        one_line(&last_used_text(used.as_ref(), now))
                    );
                }
            }
            Err(e) => outln!(
                "  credential report: unavailable ({})",
                foreign(&e.to_string())
            ),
        }
    }
    match outcome {
        Outcome::Complete => Exit::Done,
        Outcome::Nothing => Exit::Failed,
        Outcome::Partial(message) => {
            eprintln!("rootkeys: {message}");
            Exit::Partial
        }
    }
}

/// How a search ended, for the exit status.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Every requested region was searched: exit 0.
    Complete,
    /// Some regions were searched, not all: exit 3, with this message.
    Partial(String),
    /// No region could be searched: exit 2.
    Nothing,
}

fn outcome(report: &UsageReport) -> Outcome {
    if report.complete() {
        return Outcome::Complete;
    }
    if report.regions_ok() == 0 {
        return Outcome::Nothing;
    }
    let missing: Vec<String> = report
        .regions_not_searched()
        .map(|r| one_line(&r.region).into_owned())
        .collect();
    Outcome::Partial(format!(
        "partial: {} of {} requested regions could not be searched ({}); the summary covers the \
         other regions only (exit status {EXIT_PARTIAL})",
        missing.len(),
        report.regions.len(),
        missing.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::usage::{RegionFailure, summarise};
    use chrono::{TimeZone, Utc};

    fn report(results: Vec<(&str, Result<usize, &str>)>) -> UsageReport {
        let now = Utc
            .with_ymd_and_hms(2025, 6, 1, 12, 0, 0)
            .single()
            .expect("time");
        let per_region = results
            .into_iter()
            .map(|(region, result)| {
                let fetch = match result {
                    Ok(pages) => Ok((Vec::new(), pages)),
                    Err(code) if code == "RegionNotEnabled" => {
                        Err(RegionFailure::new(code, "not enabled in this account"))
                    }
                    Err(code) => Err(RegionFailure::new(code, "denied\x1b[2J")),
                };
                (region.to_owned(), fetch)
            })
            .collect();
        summarise("AKIAEXAMPLEROOT00001", 90, now, now, per_region)
    }

    #[test]
    fn the_outcome_says_whether_every_requested_region_was_searched() {
        assert_eq!(
            outcome(&report(vec![("us-east-1", Ok(1)), ("eu-west-1", Ok(2))])),
            Outcome::Complete
        );
        let partial = outcome(&report(vec![
            ("us-east-1", Err("AccessDeniedException")),
            ("eu-west-1", Ok(1)),
            ("me-south-1", Err("RegionNotEnabled")),
        ]));
        assert_eq!(
            partial,
            Outcome::Partial(
                "partial: 2 of 3 requested regions could not be searched (us-east-1, me-south-1); the \
                 summary covers the other regions only (exit status 3)"
                    .to_owned()
            )
        );
        assert_eq!(
            outcome(&report(vec![("us-east-1", Err("AccessDeniedException"))])),
            Outcome::Nothing
        );
        assert_eq!(
            outcome(&report(vec![("eu-west-1\x1b[31m", Err("Throttling")), ("us-east-1", Ok(1))])),
            Outcome::Partial(
                "partial: 1 of 2 requested regions could not be searched (eu-west-1\\u{1b}[31m); the \
                 summary covers the other regions only (exit status 3)"
                    .to_owned()
            )
        );
    }

    #[test]
    fn regions_parse() {
        assert_eq!(parse_regions("all"), RegionSelection::All);
        assert_eq!(parse_regions("ALL"), RegionSelection::All);
        assert_eq!(
            parse_regions("eu-west-1, us-east-1,"),
            RegionSelection::List(vec!["eu-west-1".to_owned(), "us-east-1".to_owned()])
        );
    }
}

//! `rootkeys usage KEY_ID`: what used a key, from where and when, from
//! CloudTrail event history in every enabled region, next to what IAM's
//! last-used facts and the credential report say.

use std::io::IsTerminal;

use serde_json::json;

use super::audit::last_used_text;
use super::{Exit, print_account_error};
use crate::account::Account;
use crate::account::cloudtrail::{DEFAULT_PACING, Progress, fetch_usage};
use crate::domain::LastUsed;
use crate::domain::usage::{RegionSelection, UsageQuery, render_text, to_json};

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
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        print!("{}", render_text(&report, now));
        println!("\nWhat IAM says:");
        match &iam_last_used {
            Some(used) => println!(
                "  GetAccessKeyLastUsed: {}",
                last_used_text(used.as_ref(), now)
            ),
            None if identity.is_root() => {
                println!("  GetAccessKeyLastUsed: {key_id} is not one of root's keys");
            }
            None => println!("  GetAccessKeyLastUsed: available to root only"),
        }
        match &row {
            Ok(r) => {
                for k in r.present_keys() {
                    let used = k.last_used.as_ref().map(|u| LastUsed {
                        date: u.date,
                        service: u.service.clone(),
                        region: u.region.clone(),
                    });
                    println!(
                        "  credential report, root key slot {} ({}): {}",
                        k.slot,
                        if k.active { "active" } else { "inactive" },
                        last_used_text(used.as_ref(), now)
                    );
                }
            }
            Err(e) => println!("  credential report: unavailable ({e})"),
        }
    }
    if report.regions_ok() == 0 {
        eprintln!("rootkeys: error: no region could be searched");
        return Exit::Failed;
    }
    Exit::Done
}

#[cfg(test)]
mod tests {
    use super::*;

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

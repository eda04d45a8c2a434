//! `rootkeys org audit`: every member account's root keys, read through
//! centralized root access, one row per account, worst first.
//!
//! The prerequisites are checked first (each failure one message with its
//! fix); then accounts are audited concurrently, with a progress line on
//! stderr when it is a terminal. Exit 0 when no account has a root key, 1
//! when any has, 2 when the audit could not run or some account could not
//! be audited (even if others have keys: the audit is incomplete).

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::audit::last_used_text;
use crate::exit::Exit;
use crate::journal::{JournalError, prepare_state_dir};
use crate::org::OrgAccess;
use crate::org::model::{AuditedOrg, MemberRow, Verdict};
use crate::org::preflight::{self, PreflightFailure};
use crate::org::run::{self, Options, Progress, RunError};
use crate::text::one_line;

/// The options from the command line; a bad account ID is reported here.
pub fn options(accounts: &[String], concurrency: u16) -> Result<Options, Exit> {
    let mut only = BTreeSet::new();
    for id in accounts.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            eprintln!(
                "rootkeys: error: \"{}\" is not an AWS account ID (12 digits); --accounts takes \
                 a comma-separated list such as 111111111111,222222222222",
                crate::text::foreign(id)
            );
            return Err(Exit::Failed);
        }
        only.insert(id.to_owned());
    }
    Ok(Options {
        concurrency: usize::from(concurrency),
        only: (!only.is_empty()).then_some(only),
    })
}

/// A prerequisite that does not hold: the message and its fix (exit 2).
pub(crate) fn print_preflight(failure: &PreflightFailure) -> Exit {
    eprintln!("rootkeys: error: {failure}");
    eprintln!("  what to do: {}", failure.fix());
    Exit::Failed
}

/// The progress line: `audited 340/400 accounts (listing…) · 2 errors`.
pub fn progress_line(p: &Progress) -> String {
    let total = if p.listing_done {
        p.listed.to_string()
    } else {
        format!("{}+", p.listed)
    };
    let mut line = format!("audited {}/{total} accounts", p.done);
    if p.with_keys > 0 {
        line.push_str(&format!(" · {} with root keys", p.with_keys));
    }
    line.push_str(&format!(
        " · {} error{}",
        p.errors,
        if p.errors == 1 { "" } else { "s" }
    ));
    line
}

/// Run `rootkeys org audit`.
pub async fn audit(
    access: &dyn OrgAccess,
    state_dir: Result<PathBuf, JournalError>,
    options: &Options,
    json: bool,
) -> Exit {
    // Every session is journaled in its member's journal: the state
    // directory must be one rootkeys can trust before any is opened.
    let state_dir = match state_dir.and_then(|dir| prepare_state_dir(&dir).map(|()| dir)) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("rootkeys: error: {e}");
            return Exit::Failed;
        }
    };
    let ready = match preflight::check(access).await {
        Ok(ready) => ready,
        Err(failure) => return print_preflight(&failure),
    };
    let terminal = std::io::stderr().is_terminal();
    let mut shown = false;
    let mut on_progress = |p: &Progress| {
        if terminal {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{}", progress_line(p));
            let _ = err.flush();
            shown = true;
        }
    };
    let result = run::audit(access, &ready, options, &state_dir, &mut on_progress).await;
    if shown {
        eprint!("\r\x1b[2K");
    }
    let org = match result {
        Ok(org) => org,
        Err(RunError::Preflight(failure)) => return print_preflight(&failure),
    };
    if json {
        outln!("{}", org.to_json());
    } else {
        out!("{}", table(&org, access.now()));
    }
    exit_of(&org)
}

/// 2 when incomplete, else 1 when any account has a root key, else 0.
pub fn exit_of(org: &AuditedOrg) -> Exit {
    if org.incomplete() {
        Exit::Failed
    } else if org.with_keys() > 0 {
        Exit::KeysPresent
    } else {
        Exit::Done
    }
}

fn verdict_text(row: &MemberRow) -> &'static str {
    match row.verdict() {
        Verdict::ActiveKeys => "ACTIVE KEYS",
        Verdict::InactiveKeys => "inactive keys",
        Verdict::Unknown => "NOT AUDITED (error)",
        Verdict::NotAudited => "not audited",
        Verdict::Compliant => "compliant",
    }
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    }
}

fn summary_line(org: &AuditedOrg) -> String {
    let total = org.rows.len();
    let with_keys = org.with_keys();
    let failed = org.failed();
    let head = match org.compliant() {
        Some(true) => format!("COMPLIANT (no root access key in {total} accounts)"),
        Some(false) => format!(
            "NOT COMPLIANT ({with_keys} of {total} account{} with root access keys)",
            if total == 1 { "" } else { "s" }
        ),
        None => "UNKNOWN (no root key found, but not every account could be audited)".to_owned(),
    };
    let mut line = format!("CIS \"no root user access key exists\": {head}");
    if failed > 0 {
        line.push_str(&format!(
            "; {failed} account{} could not be audited",
            if failed == 1 { "" } else { "s" }
        ));
    }
    line
}

/// The human table: a header, then one line per account worst first,
/// with its keys, error and note indented below it.
pub fn table(org: &AuditedOrg, now: DateTime<Utc>) -> String {
    let mut out = format!(
        "Organization {}  ·  management account {}  ·  caller {}\n{}\n",
        one_line(&org.organization.id),
        one_line(&org.organization.management_account_id),
        one_line(&org.caller_arn),
        summary_line(org)
    );
    if let Some(e) = &org.listing_error {
        out.push_str(&format!(
            "LISTING STOPPED: {}\n  what to do: {}\n",
            one_line(&e.message),
            one_line(&e.advice)
        ));
    }
    out.push('\n');
    let header = [
        "ACCOUNT",
        "NAME",
        "STATUS",
        "VERDICT",
        "KEYS",
        "MFA",
        "LAST USED",
    ];
    let cells: Vec<[String; 7]> = org
        .rows
        .iter()
        .map(|r| {
            let mut account = one_line(&r.account_id).into_owned();
            if r.management {
                account.push_str(" (mgmt)");
            }
            [
                account,
                one_line(&r.name).into_owned(),
                r.status.to_string(),
                verdict_text(r).to_owned(),
                r.root_keys_present()
                    .map_or_else(|| "?".to_owned(), |n| n.to_string()),
                yes_no(r.mfa_enabled).to_owned(),
                if r.keys.is_empty() {
                    String::new()
                } else {
                    last_used_text(r.last_used(), now)
                },
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..7)
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
                .min(40)
        })
        .collect();
    let line = |cells: [&str; 7]| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i == 6 {
                s.push_str(cell);
            } else {
                let cell: String = cell.chars().take(widths[i]).collect();
                s.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    out.push_str(&line(header));
    for (row, c) in org.rows.iter().zip(&cells) {
        out.push_str(&line([&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6]]));
        for key in &row.keys {
            out.push_str(&format!(
                "    {}  {}  created {}  last used {}\n",
                one_line(&key.label()),
                key.status,
                key.created
                    .map_or_else(|| "-".to_owned(), |c| c.format("%Y-%m-%d").to_string()),
                last_used_text(key.last_used.as_ref(), now)
            ));
        }
        if let Some(e) = &row.error {
            out.push_str(&format!(
                "    error: {}\n    what to do: {}\n",
                one_line(&e.message),
                one_line(&e.advice)
            ));
        }
        if let Some(note) = &row.note {
            out.push_str(&format!("    note: {}\n", one_line(note)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::model::{Member, MemberFacts, MemberStatus, Organization};

    #[test]
    fn the_default_concurrency_is_the_runners() {
        use clap::Parser;
        let cli = crate::cli::Cli::try_parse_from(["rootkeys", "org", "audit"]).expect("parse");
        let Some(crate::cli::Command::Org {
            command: Some(crate::cli::OrgCommand::Audit { concurrency, .. }),
        }) = cli.command
        else {
            panic!("not org audit");
        };
        assert_eq!(usize::from(concurrency), run::DEFAULT_CONCURRENCY);
    }

    #[test]
    fn the_progress_line_counts_done_of_listed_and_errors() {
        let mut p = Progress {
            listed: 40,
            listing_done: false,
            done: 12,
            errors: 1,
            with_keys: 0,
        };
        assert_eq!(progress_line(&p), "audited 12/40+ accounts · 1 error");
        p.listing_done = true;
        p.with_keys = 3;
        p.errors = 2;
        assert_eq!(
            progress_line(&p),
            "audited 12/40 accounts · 3 with root keys · 2 errors"
        );
    }

    #[test]
    fn account_ids_are_checked() {
        assert!(options(&["12345".to_owned()], 8).is_err());
        let o = options(&["111111111111".to_owned(), " 222222222222".to_owned()], 8).expect("ok");
        assert_eq!(o.only.map(|s| s.len()), Some(2));
        assert_eq!(options(&[], 8).expect("ok").only, None);
    }

    #[test]
    fn exit_codes_follow_the_rows() {
        let org = |rows| {
            AuditedOrg::new(
                Organization {
                    id: "o-1".to_owned(),
                    management_account_id: "999999999999".to_owned(),
                    all_features: true,
                },
                "arn:aws:iam::999999999999:role/A".to_owned(),
                rows,
            )
        };
        let member = Member {
            account_id: "111111111111".to_owned(),
            name: "a\u{1b}[31m".to_owned(),
            status: MemberStatus::Active,
        };
        let clean = MemberRow::audited(&member, MemberFacts::default());
        assert_eq!(exit_of(&org(vec![clean.clone()])), Exit::Done);
        let mut keyed = clean.clone();
        keyed.keys.push(crate::domain::RootKey {
            access_key_id: Some("AKIAEXAMPLEKEY000001".to_owned()),
            slot: None,
            status: crate::domain::KeyStatus::Inactive,
            created: None,
            last_used: None,
            signs_this_session: false,
        });
        assert_eq!(
            exit_of(&org(vec![clean.clone(), keyed.clone()])),
            Exit::KeysPresent
        );
        let failed = MemberRow::failed(
            &member,
            false,
            crate::org::model::RowError {
                kind: crate::org::model::RowErrorKind::Other,
                message: "x".to_owned(),
                advice: "y".to_owned(),
            },
        );
        assert_eq!(exit_of(&org(vec![keyed.clone(), failed])), Exit::Failed);
        // Names from AWS are shown escaped.
        let text = table(&org(vec![keyed]), Utc::now());
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("inactive keys"), "{text}");
    }
}

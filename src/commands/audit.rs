//! `rootkeys audit`: the inventory and the CIS verdict.
//!
//! Signed in as anyone but root, the facts come from the credential report,
//! which IAM hands out for up to 4 hours: its generation time is shown, and a
//! report older than that, or older than the last change rootkeys journaled
//! for the account, is called stale with what to do.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Exit, print_account_error};
use std::path::Path;

use crate::account::{self, Account, AccountResult};
use crate::domain::window::ago;
use crate::domain::{Inventory, KeyStatus, LastUsed, RootKey, View};
use crate::journal::Journal;
use crate::report::{RootRow, Stale};
use crate::text::{one_line, sanitize};

#[derive(Serialize)]
struct AuditJson<'a> {
    account_id: &'a str,
    caller_arn: &'a str,
    caller_is_root: bool,
    view: View,
    cis_compliant: bool,
    root_keys_present: u32,
    /// When IAM generated the credential report the auditor view rests on
    /// (null as root, or when IAM did not say).
    report_generated: Option<String>,
    /// Whether that report may be out of date (null when not known).
    report_stale: Option<bool>,
    /// `older_than_4h` or `older_than_last_write`.
    report_stale_reason: Option<&'static str>,
    /// The reason and what to do, for people.
    report_stale_message: Option<String>,
    keys: Vec<KeyJson<'a>>,
}

/// The credential report behind the auditor view: when it was generated and
/// whether its facts may be out of date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportAge {
    pub generated: Option<DateTime<Utc>>,
    pub stale: Option<Stale>,
    /// The journal could not be read, so the report was checked for age only.
    pub journal_error: Option<String>,
}

impl ReportAge {
    /// Judge `row` at `now` against the last write journaled for the account
    /// (`Err`: the journal could not be read).
    pub fn of(
        row: &RootRow,
        now: DateTime<Utc>,
        last_write: Result<Option<DateTime<Utc>>, String>,
    ) -> Self {
        let (last_write, journal_error) = match last_write {
            Ok(write) => (write, None),
            Err(e) => (None, Some(e)),
        };
        Self {
            generated: row.generated,
            stale: row.stale(now, last_write),
            journal_error,
        }
    }

    /// Why the report is stale and what to do; nothing for a fresh report.
    fn stale_message(&self) -> Option<String> {
        self.stale
            .map(|stale| format!("{}. What to do: {}.", stale.reason(), stale.advice()))
    }
}

pub use crate::domain::record::last_write;

#[derive(Serialize)]
pub struct KeyJson<'a> {
    pub access_key_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slot: Option<u8>,
    pub status: KeyStatus,
    pub created: Option<String>,
    pub last_used: Option<LastUsedJson<'a>>,
    pub signs_this_session: bool,
}

#[derive(Serialize)]
pub struct LastUsedJson<'a> {
    pub date: String,
    pub service: Option<&'a str>,
    pub region: Option<&'a str>,
}

impl<'a> LastUsedJson<'a> {
    pub fn new(used: &'a LastUsed) -> Self {
        Self {
            date: rfc3339(&used.date),
            service: used.service.as_deref(),
            region: used.region.as_deref(),
        }
    }
}

/// RFC 3339 in UTC, seconds precision.
pub fn rfc3339(t: &DateTime<Utc>) -> String {
    crate::render::time::json(t)
}

impl<'a> KeyJson<'a> {
    pub fn new(key: &'a RootKey) -> Self {
        Self {
            access_key_id: key.access_key_id.as_deref(),
            slot: key.slot,
            status: key.status,
            created: key.created.as_ref().map(rfc3339),
            last_used: key.last_used.as_ref().map(LastUsedJson::new),
            signs_this_session: key.signs_this_session,
        }
    }
}

pub fn to_json(inventory: &Inventory, report: Option<&ReportAge>) -> String {
    let generated = report.and_then(|r| r.generated);
    let doc = AuditJson {
        account_id: &inventory.identity.account_id,
        caller_arn: &inventory.identity.arn,
        caller_is_root: inventory.identity.is_root(),
        view: inventory.view,
        cis_compliant: inventory.cis_compliant(),
        root_keys_present: inventory.root_keys_present(),
        report_generated: generated.as_ref().map(rfc3339),
        report_stale: report
            .filter(|r| r.generated.is_some())
            .map(|r| r.stale.is_some()),
        report_stale_reason: report.and_then(|r| r.stale).map(|s| s.code()),
        report_stale_message: report.and_then(ReportAge::stale_message),
        keys: inventory.keys.iter().map(KeyJson::new).collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// A last-use cell: `2026-11-24 09:00 UTC (yesterday) s3 eu-west-1`, or `never`.
/// The service and region come from AWS (or a report): control characters
/// are escaped.
pub fn last_used_text(used: Option<&LastUsed>, now: DateTime<Utc>) -> String {
    match used {
        None => "never".to_owned(),
        Some(u) => {
            let mut s = format!(
                "{} ({})",
                crate::render::time::text(&u.date),
                ago(now - u.date)
            );
            for part in [&u.service, &u.region].into_iter().flatten() {
                s.push(' ');
                s.push_str(&one_line(part));
            }
            s
        }
    }
}

pub fn verdict_line(inventory: &Inventory) -> String {
    if inventory.cis_compliant() {
        "CIS \"no root user access key exists\": COMPLIANT (no root access key)".to_owned()
    } else {
        format!(
            "CIS \"no root user access key exists\": NOT COMPLIANT ({} root access key{} present)",
            inventory.root_keys_present(),
            if inventory.root_keys_present() == 1 {
                ""
            } else {
                "s"
            }
        )
    }
}

pub fn caller_line(inventory: &Inventory) -> String {
    let mark = match inventory.view {
        View::Root => "root ✓",
        View::Auditor => "read-only: not root",
    };
    format!(
        "Account {}  ·  caller {} ({mark})",
        one_line(&inventory.identity.account_id),
        one_line(&inventory.identity.arn)
    )
}

/// When the report was generated, and whether it is stale.
fn report_lines(inventory: &Inventory, report: &ReportAge, now: DateTime<Utc>) -> String {
    let mut out = match report.generated {
        Some(generated) => format!(
            "Credential report generated {} ({}).\n",
            crate::render::time::text(&generated),
            // A clock a little behind IAM's says "just now", not "in the future".
            ago((now - generated).max(chrono::TimeDelta::zero()))
        ),
        None => format!(
            "Credential report: IAM did not say when it was generated; it may be up to {} h old.\n",
            crate::report::REPORT_MAX_AGE.num_hours()
        ),
    };
    if let Some(stale) = report.stale {
        let rests = if inventory.keys_present.is_some() {
            "The key details below are as of the report."
        } else {
            "The verdict and the key details below are as of the report (the account summary \
             could not be read)."
        };
        out.push_str(&format!(
            "STALE REPORT: {}. {rests}\n  what to do: {}.\n",
            stale.reason(),
            stale.advice()
        ));
    }
    if let Some(e) = &report.journal_error {
        out.push_str(&format!(
            "(The journal could not be read ({}): the report was checked for age only, not \
             against rootkeys' last change.)\n",
            sanitize(e)
        ));
    }
    out
}

pub fn table(inventory: &Inventory, report: Option<&ReportAge>, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    out.push_str(&caller_line(inventory));
    out.push('\n');
    if inventory.view == View::Auditor {
        out.push_str(
            "Auditor view: facts from the account summary and the credential report's root row; \
             key IDs are known only to root.\n",
        );
        if let Some(report) = report {
            out.push_str(&report_lines(inventory, report, now));
        }
    }
    out.push_str(&verdict_line(inventory));
    out.push('\n');
    if inventory.keys.is_empty() {
        return out;
    }
    out.push('\n');
    let rows: Vec<[String; 4]> = inventory
        .keys
        .iter()
        .map(|k| {
            let mut id = one_line(&k.label()).into_owned();
            if k.signs_this_session {
                id.push_str(" *");
            }
            [
                id,
                k.status.to_string(),
                k.created
                    .map_or_else(|| "-".to_owned(), |c| c.format("%Y-%m-%d").to_string()),
                last_used_text(k.last_used.as_ref(), now),
            ]
        })
        .collect();
    let header = ["KEY", "STATUS", "CREATED", "LAST USED"];
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: [&str; 4]| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i == 3 {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    out.push_str(&line(header));
    for r in &rows {
        out.push_str(&line([&r[0], &r[1], &r[2], &r[3]]));
    }
    if inventory.keys.iter().any(|k| k.signs_this_session) {
        out.push_str("\n* signs this session: deactivating it ends this session's access\n");
    }
    out
}

/// The newest applied write in the account's journal. Audit is read-only:
/// it never creates the state directory or the journal.
fn journaled_write(
    state_dir: Option<&Path>,
    account_id: &str,
) -> Result<Option<DateTime<Utc>>, String> {
    let Some(dir) = state_dir else {
        return Err(
            "no state directory (give --state-dir or ROOTKEYS_STATE_DIR to compare the report \
             with rootkeys' journal)"
                .to_owned(),
        );
    };
    if !dir.join(format!("journal-{account_id}.jsonl")).exists() {
        return Ok(None);
    }
    let contents = Journal::open(dir, account_id)
        .and_then(|journal| journal.read())
        .map_err(|e| e.to_string())?;
    Ok(last_write(contents.records.iter().map(|(_, r)| r)))
}

/// The inventory and, in the auditor view, the age of the credential report
/// it rests on, judged against the account's journal under `state_dir`.
pub async fn load(
    account: &dyn Account,
    state_dir: Option<&Path>,
) -> AccountResult<(Inventory, Option<ReportAge>)> {
    let (inventory, row) = account::load_inventory_with_report(account).await?;
    let now = account.now();
    let report = row.map(|row| {
        let last_write = if row.generated.is_some() {
            journaled_write(state_dir, &inventory.identity.account_id)
        } else {
            Ok(None)
        };
        ReportAge::of(&row, now, last_write)
    });
    Ok((inventory, report))
}

pub async fn run(account: &dyn Account, state_dir: Option<&Path>, json: bool) -> Exit {
    match load(account, state_dir).await {
        Ok((inventory, report)) => {
            let now = account.now();
            if json {
                if let Some(e) = report.as_ref().and_then(|r| r.journal_error.as_ref()) {
                    eprintln!(
                        "rootkeys: warning: the journal could not be read ({}): the credential \
                         report was checked for age only",
                        sanitize(e)
                    );
                }
                outln!("{}", to_json(&inventory, report.as_ref()));
            } else {
                out!("{}", table(&inventory, report.as_ref(), now));
            }
            if inventory.cis_compliant() {
                Exit::Done
            } else {
                Exit::KeysPresent
            }
        }
        Err(e) => {
            print_account_error(&e);
            Exit::Failed
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::domain::record::{Act, Outcome, Phase, Record};
    use crate::domain::{Identity, RootKey};

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .expect("date")
            .with_timezone(&Utc)
    }

    fn record(minutes: i64, phase: Phase, result: Option<Outcome>) -> Record {
        Record {
            time: t0() + TimeDelta::minutes(minutes),
            account: "123456789012".to_owned(),
            caller: "arn:aws:iam::123456789012:root".to_owned(),
            key: "AKIAEXAMPLE000000001".to_owned(),
            action: Act::Deactivate,
            phase,
            op: format!("op-{minutes}"),
            result,
            forced: false,
            window_secs: None,
            note: None,
            version: "test".to_owned(),
        }
    }

    #[test]
    fn the_last_write_is_the_newest_applied_outcome() {
        let records = [
            record(1, Phase::Outcome, Some(Outcome::Ok)),
            record(2, Phase::Reconciled, Some(Outcome::Ok)),
            // Not writes that took effect:
            record(3, Phase::Intent, None),
            record(
                4,
                Phase::Outcome,
                Some(Outcome::Error {
                    code: "AccessDenied".to_owned(),
                }),
            ),
            record(5, Phase::Reconciled, Some(Outcome::NotApplied)),
            record(
                6,
                Phase::Outcome,
                Some(Outcome::Unknown {
                    code: "timeout".to_owned(),
                }),
            ),
            record(7, Phase::Observed, None),
        ];
        assert_eq!(last_write(&records), Some(t0() + TimeDelta::minutes(2)));
        assert_eq!(last_write(&records[2..]), None);
    }

    fn auditor_inventory(service: &str) -> Inventory {
        Inventory {
            identity: Identity {
                account_id: "123456789012".to_owned(),
                arn: "arn:aws:iam::123456789012:user/\u{1b}]0;pwned\u{7}".to_owned(),
                user_id: "AIDAEXAMPLE".to_owned(),
                signing_key_id: None,
            },
            view: View::Auditor,
            keys_present: Some(1),
            root_mfa: None,
            keys: vec![RootKey {
                access_key_id: None,
                slot: Some(1),
                status: KeyStatus::Active,
                created: Some(t0() - TimeDelta::days(400)),
                last_used: Some(LastUsed {
                    date: t0() - TimeDelta::hours(2),
                    service: Some(service.to_owned()),
                    region: Some("us-east-1".to_owned()),
                }),
                signs_this_session: false,
            }],
        }
    }

    #[test]
    fn text_escapes_what_came_from_aws_and_json_keeps_it() {
        let hostile = "s3\u{1b}[31m\u{1b}]0;pwned\u{7}";
        let inventory = auditor_inventory(hostile);
        let shown = table(&inventory, None, t0());
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown:?}"
        );
        assert!(
            shown.contains("s3\\u{1b}[31m\\u{1b}]0;pwned\\u{7} us-east-1"),
            "{shown}"
        );
        let doc: serde_json::Value =
            serde_json::from_str(&to_json(&inventory, None)).expect("json");
        assert_eq!(doc["keys"][0]["last_used"]["service"], hostile);
        assert_eq!(doc["caller_arn"], inventory.identity.arn);
    }

    fn row(generated: Option<DateTime<Utc>>) -> RootRow {
        RootRow {
            arn: "arn:aws:iam::123456789012:root".to_owned(),
            account_id: Some("123456789012".to_owned()),
            created: None,
            mfa_active: Some(true),
            keys: Vec::new(),
            generated,
        }
    }

    #[test]
    fn a_fresh_report_is_shown_with_its_time() {
        let inventory = auditor_inventory("s3");
        let generated = t0() - TimeDelta::minutes(90);
        let report = ReportAge::of(&row(Some(generated)), t0(), Ok(None));
        assert_eq!(report.stale, None);
        let shown = table(&inventory, Some(&report), t0());
        assert!(
            shown.contains("Credential report generated 2026-11-25 10:30 UTC (1 h 30 min ago)."),
            "{shown}"
        );
        assert!(!shown.contains("STALE"), "{shown}");
        let doc: serde_json::Value =
            serde_json::from_str(&to_json(&inventory, Some(&report))).expect("json");
        assert_eq!(doc["report_generated"], "2026-11-25T10:30:00Z");
        assert_eq!(doc["report_stale"], false);
        assert!(doc["report_stale_reason"].is_null());
    }

    #[test]
    fn a_stale_report_says_so_and_what_to_do() {
        let inventory = auditor_inventory("s3");
        let generated = t0() - TimeDelta::hours(2);
        let write = t0() - TimeDelta::hours(1);
        let report = ReportAge::of(&row(Some(generated)), t0(), Ok(Some(write)));
        let shown = table(&inventory, Some(&report), t0());
        assert!(
            shown.contains(
                "STALE REPORT: the credential report was generated at 2026-11-25 10:00 UTC, \
                 before the last change rootkeys journaled for this account (2026-11-25 11:00 UTC)"
            ),
            "{shown}"
        );
        assert!(
            shown.contains("what to do: IAM hands out the same report until it is 4 h old: run again after 2026-11-25 14:01 UTC"),
            "{shown}"
        );
        assert!(
            shown.contains("The key details below are as of the report."),
            "{shown}"
        );
        let doc: serde_json::Value =
            serde_json::from_str(&to_json(&inventory, Some(&report))).expect("json");
        assert_eq!(doc["report_stale"], true);
        assert_eq!(doc["report_stale_reason"], "older_than_last_write");
        assert!(
            doc["report_stale_message"]
                .as_str()
                .is_some_and(|m| m.contains("run again after")),
            "{doc}"
        );

        // Without the account summary the verdict rests on the report too.
        let mut blind = inventory.clone();
        blind.keys_present = None;
        let old = ReportAge::of(&row(Some(t0() - TimeDelta::hours(5))), t0(), Ok(None));
        let shown = table(&blind, Some(&old), t0());
        assert!(shown.contains("generated 5 h ago"), "{shown}");
        assert!(
            shown.contains("The verdict and the key details below"),
            "{shown}"
        );
    }

    #[test]
    fn an_unknown_generation_time_or_unreadable_journal_is_said() {
        let inventory = auditor_inventory("s3");
        let unknown = ReportAge::of(&row(None), t0(), Ok(None));
        let shown = table(&inventory, Some(&unknown), t0());
        assert!(
            shown.contains("IAM did not say when it was generated"),
            "{shown}"
        );
        let doc: serde_json::Value =
            serde_json::from_str(&to_json(&inventory, Some(&unknown))).expect("json");
        assert!(doc["report_generated"].is_null() && doc["report_stale"].is_null());

        let report = ReportAge::of(
            &row(Some(t0())),
            t0(),
            Err("journal /x: not a regular \u{1b}file".to_owned()),
        );
        let shown = table(&inventory, Some(&report), t0());
        assert!(shown.contains("The journal could not be read"), "{shown}");
        assert!(!shown.contains('\u{1b}'), "{shown:?}");

        // IAM's clock a little ahead of ours.
        let ahead = ReportAge::of(&row(Some(t0() + TimeDelta::seconds(5))), t0(), Ok(None));
        let shown = table(&inventory, Some(&ahead), t0());
        assert!(shown.contains("12:00 UTC (just now)."), "{shown}");
    }
}

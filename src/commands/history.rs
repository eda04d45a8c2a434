//! `rootkeys journal`: the account's history, oldest first.

use serde::Serialize;

use super::audit::rfc3339;
use super::{Exit, print_account_error, print_error};
use crate::domain::record::{Phase, Record, Result as RecordResult};
use crate::journal::{Contents, Damaged};
use crate::remediate::{RemediateError, Remediator};

#[derive(Serialize)]
struct JournalJson<'a> {
    account_id: &'a str,
    path: String,
    records: Vec<&'a Record>,
    damaged: &'a [Damaged],
    foreign_records: usize,
}

pub fn line(r: &Record) -> String {
    let result = match (&r.phase, &r.result) {
        (_, Some(RecordResult::Ok)) => "ok".to_owned(),
        (_, Some(RecordResult::Error { code })) => format!("failed: {code}"),
        (_, Some(RecordResult::NotApplied)) => "not applied".to_owned(),
        (_, Some(RecordResult::Unknown { code })) => {
            format!("unknown ({code}): reconciled on next start")
        }
        (Phase::Intent, None) => "…".to_owned(),
        (_, None) => String::new(),
    };
    let phase = match r.phase {
        Phase::Intent => "intent",
        Phase::Outcome => "outcome",
        Phase::Reconciled => "reconciled",
        Phase::Observed => "observed",
    };
    let mut s = format!(
        "{}  {:<10}  {:<20} {:<22} {result}",
        rfc3339(&r.time),
        phase,
        r.action.verb(),
        r.key
    );
    if r.forced {
        s.push_str("  [WINDOW OVERRIDDEN]");
    }
    if let Some(note) = &r.note {
        s.push_str(&format!("  ({note})"));
    }
    s.trim_end().to_owned()
}

pub fn text(contents: &Contents) -> String {
    let mut out = String::new();
    let mut entries: Vec<(usize, String)> = contents
        .records
        .iter()
        .map(|(n, r)| (*n, line(r)))
        .chain(contents.damaged.iter().map(|d| {
            (
                d.line,
                format!(
                    "line {}: DAMAGED, kept as is ({}): {}",
                    d.line, d.reason, d.preview
                ),
            )
        }))
        .collect();
    entries.sort_by_key(|(n, _)| *n);
    if entries.is_empty() {
        out.push_str("The journal has no records for this account yet.\n");
    }
    for (_, l) in entries {
        out.push_str(&l);
        out.push('\n');
    }
    if !contents.foreign.is_empty() {
        out.push_str(&format!(
            "({} record(s) of another account in this file were kept and not shown)\n",
            contents.foreign.len()
        ));
    }
    out
}

pub async fn run(remediator: &Remediator, json: bool) -> Exit {
    let identity = match remediator.account().identity().await {
        Ok(i) => i,
        Err(e) => {
            print_account_error(&e);
            return Exit::Failed;
        }
    };
    let journal = match remediator.journal(&identity.account_id) {
        Ok(j) => j,
        Err(e) => return print_error(&RemediateError::Journal(e)),
    };
    let contents = match journal.read() {
        Ok(c) => c,
        Err(e) => return print_error(&RemediateError::Journal(e)),
    };
    if json {
        let doc = JournalJson {
            account_id: &identity.account_id,
            path: journal.path().display().to_string(),
            records: contents.records.iter().map(|(_, r)| r).collect(),
            damaged: &contents.damaged,
            foreign_records: contents.foreign.len(),
        };
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        println!("Journal {}", journal.path().display());
        print!("{}", text(&contents));
    }
    Exit::Done
}

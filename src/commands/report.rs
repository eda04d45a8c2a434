//! `rootkeys report FILE`: the CIS verdict offline from a credential report.

use std::path::Path;

use serde::Serialize;

use super::Exit;
use super::audit::rfc3339;
use crate::report::{ReportKey, RootRow, parse_root_row};

#[derive(Serialize)]
struct ReportJson<'a> {
    arn: &'a str,
    account_id: Option<&'a str>,
    cis_compliant: bool,
    root_keys_present: usize,
    keys: Vec<KeyJson<'a>>,
}

#[derive(Serialize)]
struct KeyJson<'a> {
    slot: u8,
    active: bool,
    last_rotated: Option<String>,
    last_used: Option<LastUsedJson<'a>>,
}

#[derive(Serialize)]
struct LastUsedJson<'a> {
    date: String,
    service: Option<&'a str>,
    region: Option<&'a str>,
}

fn key_json(k: &ReportKey) -> KeyJson<'_> {
    KeyJson {
        slot: k.slot,
        active: k.active,
        last_rotated: k.last_rotated.as_ref().map(rfc3339),
        last_used: k.last_used.as_ref().map(|u| LastUsedJson {
            date: rfc3339(&u.date),
            service: u.service.as_deref(),
            region: u.region.as_deref(),
        }),
    }
}

pub fn to_json(row: &RootRow) -> String {
    let keys: Vec<KeyJson> = row.present_keys().map(key_json).collect();
    serde_json::to_string_pretty(&ReportJson {
        arn: &row.arn,
        account_id: row.account_id.as_deref(),
        cis_compliant: row.cis_compliant(),
        root_keys_present: keys.len(),
        keys,
    })
    .unwrap_or_default()
}

pub fn text(row: &RootRow) -> String {
    let mut out = format!("Credential report root row: {}\n", row.arn);
    let present: Vec<&ReportKey> = row.present_keys().collect();
    if present.is_empty() {
        out.push_str("CIS \"no root user access key exists\": COMPLIANT (no root access key)\n");
        return out;
    }
    out.push_str(&format!(
        "CIS \"no root user access key exists\": NOT COMPLIANT ({} root access key{} present)\n\n",
        present.len(),
        if present.len() == 1 { "" } else { "s" }
    ));
    for k in present {
        let used = k.last_used.as_ref().map_or_else(
            || "never used".to_owned(),
            |u| {
                let mut s = format!("last used {}", rfc3339(&u.date));
                for part in [&u.service, &u.region].into_iter().flatten() {
                    s.push(' ');
                    s.push_str(part);
                }
                s
            },
        );
        out.push_str(&format!(
            "key slot {}: {}, last rotated {}, {used}\n",
            k.slot,
            if k.active { "Active" } else { "Inactive" },
            k.last_rotated
                .as_ref()
                .map_or_else(|| "-".to_owned(), rfc3339),
        ));
    }
    out
}

pub fn run(file: &Path, json: bool) -> Exit {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("rootkeys: error: cannot read {}: {e}", file.display());
            return Exit::Failed;
        }
    };
    match parse_root_row(&bytes) {
        Ok(row) => {
            if json {
                println!("{}", to_json(&row));
            } else {
                print!("{}", text(&row));
            }
            if row.cis_compliant() {
                Exit::Done
            } else {
                Exit::Declined
            }
        }
        Err(e) => {
            eprintln!("rootkeys: error: {}: {e}", file.display());
            Exit::Failed
        }
    }
}

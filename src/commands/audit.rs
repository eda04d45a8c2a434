//! `rootkeys audit`: the inventory and the CIS verdict.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Exit, print_account_error};
use crate::account::{self, Account};
use crate::domain::window::ago;
use crate::domain::{Inventory, KeyStatus, LastUsed, RootKey, View};

#[derive(Serialize)]
struct AuditJson<'a> {
    account_id: &'a str,
    caller_arn: &'a str,
    caller_is_root: bool,
    view: View,
    cis_compliant: bool,
    root_keys_present: u32,
    keys: Vec<KeyJson<'a>>,
}

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

/// RFC 3339 in UTC, seconds precision.
pub fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl<'a> KeyJson<'a> {
    pub fn new(key: &'a RootKey) -> Self {
        Self {
            access_key_id: key.access_key_id.as_deref(),
            slot: key.slot,
            status: key.status,
            created: key.created.as_ref().map(rfc3339),
            last_used: key.last_used.as_ref().map(|u| LastUsedJson {
                date: rfc3339(&u.date),
                service: u.service.as_deref(),
                region: u.region.as_deref(),
            }),
            signs_this_session: key.signs_this_session,
        }
    }
}

pub fn to_json(inventory: &Inventory) -> String {
    let doc = AuditJson {
        account_id: &inventory.identity.account_id,
        caller_arn: &inventory.identity.arn,
        caller_is_root: inventory.identity.is_root(),
        view: inventory.view,
        cis_compliant: inventory.cis_compliant(),
        root_keys_present: inventory.root_keys_present(),
        keys: inventory.keys.iter().map(KeyJson::new).collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// A last-use cell: `2026-11-24 (yesterday) s3 eu-west-1`, or `never`.
pub fn last_used_text(used: Option<&LastUsed>, now: DateTime<Utc>) -> String {
    match used {
        None => "never".to_owned(),
        Some(u) => {
            let mut s = format!("{} ({})", u.date.format("%Y-%m-%d"), ago(now - u.date));
            for part in [&u.service, &u.region].into_iter().flatten() {
                s.push(' ');
                s.push_str(part);
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
        inventory.identity.account_id, inventory.identity.arn
    )
}

pub fn table(inventory: &Inventory, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    out.push_str(&caller_line(inventory));
    out.push('\n');
    if inventory.view == View::Auditor {
        out.push_str(
            "Auditor view: facts from the account summary and the credential report's root row; \
             key IDs are known only to root.\n",
        );
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
            let mut id = k.label();
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

pub async fn run(account: &dyn Account, json: bool) -> Exit {
    match account::load_inventory(account).await {
        Ok(inventory) => {
            if json {
                println!("{}", to_json(&inventory));
            } else {
                print!("{}", table(&inventory, account.now()));
            }
            if inventory.cis_compliant() {
                Exit::Done
            } else {
                Exit::Declined
            }
        }
        Err(e) => {
            print_account_error(&e);
            Exit::Failed
        }
    }
}

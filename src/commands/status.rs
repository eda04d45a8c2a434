//! `rootkeys status`: every key with its stage, window end and next step.

use serde::Serialize;

use super::audit::{KeyJson, caller_line, last_used_text, rfc3339, verdict_line};
use super::{Exit, print_error};
use crate::domain::policy::Stage;
use crate::domain::window::human;
use crate::journal::Damaged;
use crate::remediate::{Remediator, Snapshot};

#[derive(Serialize)]
struct StatusJson<'a> {
    account_id: &'a str,
    caller_arn: &'a str,
    caller_is_root: bool,
    cis_compliant: bool,
    root_keys_present: u32,
    observation_window_secs: i64,
    /// Another operation on this account was running: nothing was
    /// journaled or reconciled by this run.
    operation_in_progress: Option<&'a str>,
    /// Root has MFA (`AccountMFAEnabled`); null when it could not be read.
    root_mfa_enabled: Option<bool>,
    /// The account's next step once no root key is left: `prevent`
    /// (advice: `rootkeys prevent`); null while keys remain.
    next_step: Option<&'static str>,
    keys: Vec<KeyStatusJson<'a>>,
    deleted: Vec<DeletedJson<'a>>,
    damaged_journal_lines: &'a [Damaged],
}

#[derive(Serialize)]
struct KeyStatusJson<'a> {
    #[serde(flatten)]
    key: KeyJson<'a>,
    stage: &'static str,
    window_started: Option<String>,
    window_ends: Option<String>,
    next_action: Option<&'static str>,
    next_why: &'a str,
}

#[derive(Serialize)]
struct DeletedJson<'a> {
    access_key_id: &'a str,
    deleted_at: String,
}

pub fn to_json(s: &Snapshot) -> String {
    let inv = &s.inventory;
    let keys = s
        .keys
        .iter()
        .map(|k| {
            let (started, ends) = match &k.stage {
                Stage::Observing { since, until } => (Some(rfc3339(since)), Some(rfc3339(until))),
                Stage::ReadyToDelete { since } => (None, Some(rfc3339(since))),
                _ => (None, None),
            };
            KeyStatusJson {
                key: KeyJson::new(&k.key),
                stage: k.stage.name(),
                window_started: started,
                window_ends: ends,
                next_action: k.next.action.map(|r| r.act().verb()),
                next_why: &k.next.why,
            }
        })
        .collect();
    serde_json::to_string_pretty(&StatusJson {
        account_id: &inv.identity.account_id,
        caller_arn: &inv.identity.arn,
        caller_is_root: inv.identity.is_root(),
        cis_compliant: inv.cis_compliant(),
        root_keys_present: inv.root_keys_present(),
        observation_window_secs: s.window_secs,
        operation_in_progress: s.busy.as_deref(),
        root_mfa_enabled: s.root_mfa,
        next_step: inv.cis_compliant().then_some("prevent"),
        keys,
        deleted: s
            .deleted
            .iter()
            .map(|(k, at)| DeletedJson {
                access_key_id: k,
                deleted_at: rfc3339(at),
            })
            .collect(),
        damaged_journal_lines: &s.damaged,
    })
    .unwrap_or_default()
}

pub fn text(s: &Snapshot) -> String {
    let inv = &s.inventory;
    let mut out = format!("{}\n", caller_line(inv));
    out.push_str(&format!(
        "Observation window: {} for windows that start now (a running window keeps the length \
         journaled when it began)\n",
        human(s.window())
    ));
    if let Some(busy) = &s.busy {
        out.push_str(&format!(
            "Note: another rootkeys operation is in progress ({}); its journal records are left to \
             it, and the keys below may change when it ends.\n",
            crate::text::one_line(busy)
        ));
    }
    out.push_str(&verdict_line(inv));
    out.push('\n');
    if inv.cis_compliant() {
        out.push_str(&prevent_next(s.root_mfa));
    }
    for k in &s.keys {
        let id = k.key.label();
        out.push('\n');
        let mut stage = k.stage.describe(s.now);
        if let Stage::Observing { since, until } = &k.stage {
            stage.push_str(&format!(
                ", until {} ({} window)",
                crate::render::time::text(until),
                human(*until - *since)
            ));
        }
        out.push_str(&format!("{id}  {}  {stage}", k.key.status));
        if k.key.signs_this_session {
            out.push_str("  [signs this session]");
        }
        out.push('\n');
        out.push_str(&format!(
            "    last used: {}\n",
            last_used_text(k.key.last_used.as_ref(), s.now)
        ));
        let command = k
            .next
            .action
            .map(|a| format!(" → `rootkeys {} {id}`", a.act().verb()));
        out.push_str(&format!(
            "    next: {}{}\n",
            k.next.why,
            command.unwrap_or_default()
        ));
        if k.key.signs_this_session && k.stage == Stage::Active && inv.identity.is_root() {
            out.push_str(&format!(
                "    before that: {}\n",
                crate::domain::policy::switch_before_signing_key(
                    crate::domain::policy::Surface::Cli
                )
            ));
        }
    }
    for (key, at) in &s.deleted {
        out.push_str(&format!(
            "\n{key}  deleted {}\n",
            crate::render::time::text(at)
        ));
    }
    for r in &s.recorded {
        if let Some(note) = &r.note {
            out.push_str(&format!(
                "\njournaled: {} {}: {}\n",
                r.key,
                r.action.verb(),
                crate::text::one_line(note)
            ));
        }
    }
    for d in &s.damaged {
        out.push_str(&format!(
            "\nwarning: journal line {} is damaged and was kept as is ({})\n",
            d.line,
            crate::text::foreign(&d.reason)
        ));
    }
    out
}

/// The next step once no root key is left: Prevent, advice.
fn prevent_next(root_mfa: Option<bool>) -> String {
    let mfa = match root_mfa {
        Some(true) => "root has MFA".to_owned(),
        Some(false) => format!("root has NO MFA: {}", super::prevent::MFA_ADVICE),
        None => "root's MFA could not be read".to_owned(),
    };
    format!(
        "next: step 7, Prevent (advice): {mfa}; and hand the prevention SCP to the \
         organization's administrator → `rootkeys prevent`\n"
    )
}

pub async fn run(remediator: &Remediator, json: bool) -> Exit {
    match remediator.snapshot().await {
        Ok(snapshot) => {
            if json {
                outln!("{}", to_json(&snapshot));
            } else {
                out!("{}", text(&snapshot));
            }
            Exit::Done
        }
        Err(e) => print_error(&e),
    }
}

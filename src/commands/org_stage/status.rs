//! `rootkeys org status`: its text and JSON.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::{keys_text, read, state_dir};
use crate::commands::org::exit_of;
use crate::exit::Exit;
use crate::journal::JournalError;
use crate::org::OrgAccess;
use crate::org::remediate::{MemberState, OrgRemediator, ScpReady, stage_dates};
use crate::org::stage::OrgStage;
use crate::text::one_line;

/// The JSON of `org status`: the audit's document, plus per account its
/// stage, quarantine and next action.
pub fn status_json(audited: &crate::org::model::AuditedOrg, states: &[MemberState]) -> String {
    let mut doc: serde_json::Value =
        serde_json::from_str(&audited.to_json()).unwrap_or(serde_json::Value::Null);
    if let Some(accounts) = doc.get_mut("accounts").and_then(|a| a.as_array_mut()) {
        for account in accounts {
            let Some(id) = account.get("account_id").and_then(|v| v.as_str()) else {
                continue;
            };
            let Some(state) = states.iter().find(|s| s.account_id() == id) else {
                continue;
            };
            let (since, ends) = stage_dates(state.stage);
            let used: Vec<serde_json::Value> = state
                .used_since
                .iter()
                .map(|(key, u)| {
                    serde_json::json!({
                        "access_key_id": key,
                        "date": u.date.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        "service": u.service,
                        "region": u.region,
                    })
                })
                .collect();
            if let Some(obj) = account.as_object_mut() {
                obj.insert("stage".into(), state.stage.name().into());
                obj.insert("quarantined".into(), state.attached.into());
                obj.insert("quarantined_since".into(), since.into());
                obj.insert("window_ends".into(), ends.into());
                obj.insert("used_since_quarantine".into(), used.into());
                obj.insert("next_action".into(), state.next_action.clone().into());
                obj.insert("journal_error".into(), state.journal_error.clone().into());
            }
        }
    }
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The human table of `org status`.
pub fn status_table(
    audited: &crate::org::model::AuditedOrg,
    states: &[MemberState],
    prep: &ScpReady,
    now: DateTime<Utc>,
) -> String {
    let mut out = format!(
        "Organization {}  ·  root {} (SCPs {})  ·  caller {}\n",
        one_line(&audited.organization.id),
        one_line(&prep.root.id),
        if prep.root.scp_enabled {
            "enabled"
        } else {
            "NOT enabled"
        },
        one_line(&audited.caller_arn)
    );
    let count = |f: fn(&OrgStage) -> bool| states.iter().filter(|s| f(&s.stage)).count();
    out.push_str(&format!(
        "{} accounts: {} with keys, {} quarantined, {} ready to delete, {} compliant\n\n",
        states.len(),
        count(|s| *s == OrgStage::KeysPresent),
        count(|s| matches!(s, OrgStage::Quarantined { .. })),
        count(|s| matches!(s, OrgStage::Ready { .. })),
        count(|s| *s == OrgStage::Compliant),
    ));
    // Rows in the audit's order (worst first).
    for row in &audited.rows {
        let Some(s) = states.iter().find(|s| s.account_id() == row.account_id) else {
            continue;
        };
        out.push_str(&format!(
            "{}{}  {}  {}  {}\n",
            one_line(&row.account_id),
            if row.management { " (mgmt)" } else { "" },
            one_line(&row.name),
            s.stage.describe(now),
            keys_text(s, now)
        ));
        if let Some(since) = s.stage.quarantined_since() {
            out.push_str(&format!(
                "    quarantined since {}, window ends {}\n",
                crate::render::time::text(&since),
                s.stage
                    .window_ends()
                    .map_or_else(|| "?".to_owned(), |e| crate::render::time::text(&e))
            ));
        }
        for (key, used) in &s.used_since {
            out.push_str(&format!(
                "    !! {} used {} ({}), after the quarantine began: a consumer just failed; \
                 release and move it to a role\n",
                one_line(key),
                crate::render::time::text(&used.date),
                one_line(used.service.as_deref().unwrap_or("service unknown"))
            ));
        }
        if let Some(e) = &row.error {
            out.push_str(&format!(
                "    error: {}\n    what to do: {}\n",
                one_line(&e.message),
                one_line(&e.advice)
            ));
        }
        if let Some(e) = &s.journal_error {
            out.push_str(&format!("    journal: {}\n", one_line(e)));
        }
        if s.stage != OrgStage::Compliant && !s.next_action.starts_with("none") {
            out.push_str(&format!("    next: {}\n", one_line(&s.next_action)));
        }
    }
    out
}

/// `rootkeys org status`.
pub async fn status(
    access: Arc<dyn OrgAccess>,
    dir: Result<PathBuf, JournalError>,
    window: TimeDelta,
    concurrency: usize,
    only: Option<BTreeSet<String>>,
    json: bool,
) -> Exit {
    let dir = match state_dir(dir) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let remediator = OrgRemediator::new(access.clone(), dir, window).with_concurrency(concurrency);
    let (prep, audited, states) = match read(&remediator, only, false).await {
        Ok(r) => r,
        Err(e) => return e,
    };
    if json {
        outln!("{}", status_json(&audited, &states));
    } else {
        out!("{}", status_table(&audited, &states, &prep, access.now()));
    }
    exit_of(&audited)
}

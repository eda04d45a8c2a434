//! The organization audit: accounts are listed page by page and audited as
//! they arrive (listing never waits for auditing, nor auditing for the
//! whole list), at most `concurrency` accounts at a time. Each ACTIVE
//! member gets one Audit session, journaled in the member's own journal
//! while its reads go out; only rows are kept, never SDK answers.
//!
//! Imports the port, the model, `journal` and `domain`; no SDK.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::TimeDelta;
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};

use super::model::{
    AuditedOrg, MAX_SESSION_SECS, Member, MemberRow, MemberStatus, RowError, RowErrorKind,
    SessionOpened, Source, StsEndpoint,
};
use super::port::OrgAccess;
use super::preflight::{PreflightFailure, Ready};
use crate::account::AccountError;
use crate::domain::record::{Act, Phase, Record};
use crate::journal::{Journal, JournalError, new_op_id};

/// Accounts audited at once unless `--concurrency` says otherwise. With
/// three dependent round trips per member (`AssumeRoot`; the keys, MFA devices
/// and login profile together; each key's last use together), 1,000 members
/// take 3 x ceil(1000 / 32) = 96 round trips, 4.8 s at 50 ms.
///
/// Safe for AWS's request quotas: STS and IAM throttle per account with
/// token buckets whose sizes AWS does not publish. The caller's own account
/// sees only the `AssumeRoot` calls (at most 32 in flight, one per member)
/// and one `ListAccounts` page at a time; every other call is signed by a
/// member's root session and counts against that member's account, which
/// sees at most 3 requests at once and about 5 in all. Throttling anywhere
/// pauses the whole pool (`org::pace`), so a quota that is lower than
/// expected slows the audit down instead of failing it.
pub const DEFAULT_CONCURRENCY: usize = 32;
/// The widest pool `--concurrency` accepts.
pub const MAX_CONCURRENCY: usize = 256;

/// What to audit, and how wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub concurrency: usize,
    /// Only these accounts (`--accounts`); every account when `None`.
    pub only: Option<BTreeSet<String>>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            only: None,
        }
    }
}

/// How far the audit is, after each account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Accounts listed (and selected) so far.
    pub listed: usize,
    /// The listing has ended.
    pub listing_done: bool,
    /// Accounts with a row.
    pub done: usize,
    /// Rows with an error.
    pub errors: usize,
    /// Rows with root keys.
    pub with_keys: usize,
}

/// Why the audit stopped without rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// A prerequisite found only once the first session was asked for
    /// (`AssumeRoot` answered `InvalidAction`: the global STS endpoint).
    Preflight(PreflightFailure),
}

/// The journal record of an opened session (phase `Observed`, no key).
pub fn session_record(journal: &Journal, s: &SessionOpened) -> Record {
    let op = s.request_id.clone().unwrap_or_else(|| new_op_id(s.opened));
    let mut record = journal.record(
        s.opened,
        &s.caller_arn,
        "",
        Act::SessionOpened,
        Phase::Observed,
        &op,
    );
    let expires = s.expires.map_or_else(
        || "unknown".to_owned(),
        |e| e.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    record.note = Some(format!(
        "sts:AssumeRoot session, task policy {}, request ID {}, {} s, expires {expires}",
        s.task_policy_arn,
        s.request_id.as_deref().unwrap_or("not given"),
        s.duration_secs
    ));
    record
}

/// Journal an opened session in the member's journal (blocking I/O, off
/// the runtime's threads).
async fn journal_session(state_dir: &Path, opened: &SessionOpened) -> Result<(), String> {
    let dir = state_dir.to_owned();
    let opened = opened.clone();
    tokio::task::spawn_blocking(move || -> Result<(), JournalError> {
        let journal = Journal::open(&dir, &opened.account_id)?;
        journal.append(&session_record(&journal, &opened))
    })
    .await
    .map_err(|e| format!("the journal write did not finish: {e}"))?
    .map_err(|e| e.to_string())
}

/// `InvalidAction` from `AssumeRoot`: the request went to the global endpoint.
fn global_endpoint(err: &AccountError) -> bool {
    matches!(err, AccountError::Service { action, code, .. }
        if action == "sts:AssumeRoot" && code == "InvalidAction")
}

/// One account's row.
async fn audit_one(
    access: &dyn OrgAccess,
    ready: &Ready,
    state_dir: &Path,
    member: Member,
    stop: &AtomicBool,
) -> MemberRow {
    let management = member.account_id == ready.organization.management_account_id;
    if management {
        return management_row(access, ready, &member).await;
    }
    if member.status != MemberStatus::Active {
        let mut row = MemberRow::listed(&member, false);
        row.note = Some(format!(
            "{}: not audited (AssumeRoot opens sessions in ACTIVE accounts only)",
            member.status
        ));
        return row;
    }
    if stop.load(Ordering::Acquire) {
        return MemberRow::failed(
            &member,
            false,
            RowError {
                kind: RowErrorKind::Other,
                message: "not audited: the audit stopped".to_owned(),
                advice: "see the error above".to_owned(),
            },
        );
    }
    let session = match access
        .open_audit_session(&member.account_id, &ready.caller.arn)
        .await
    {
        Ok(session) => session,
        Err(e) => {
            if global_endpoint(&e) {
                stop.store(true, Ordering::Release);
            }
            return MemberRow::failed(
                &member,
                false,
                RowError::from_account_in(&e, &member.account_id),
            );
        }
    };
    // The session ends at its expiry (at most 900 s): reads still running
    // then are abandoned, never continued on a stale session.
    let opened = session.opened().clone();
    // Measured on rootkeys' own clock from when the session was granted
    // (AWS's `Expiration` is on AWS's clock, which may differ from ours).
    let lasts = TimeDelta::seconds(i64::from(opened.duration_secs.clamp(0, MAX_SESSION_SECS)));
    let left = (opened.opened + lasts - access.now())
        .to_std()
        .unwrap_or_default();
    let (journaled, facts) = futures::join!(
        journal_session(state_dir, &opened),
        tokio::time::timeout(left, session.read_root())
    );
    drop(session);
    let mut row = match facts {
        Ok(Ok(facts)) => MemberRow::audited(&member, facts),
        Ok(Err(e)) => MemberRow::failed(
            &member,
            false,
            RowError::from_account_in(&e, &member.account_id),
        ),
        Err(_) => MemberRow::failed(
            &member,
            false,
            RowError {
                kind: RowErrorKind::Expired,
                message: format!(
                    "the root session ended ({} s) before its reads were answered",
                    opened.duration_secs
                ),
                advice: "run again with --accounts for this account; a lower --concurrency \
                         leaves each session more of its time"
                    .to_owned(),
            },
        ),
    };
    if let Err(e) = journaled {
        // The facts stand; the missing record is an error of the run.
        row.error.get_or_insert(RowError {
            kind: RowErrorKind::Other,
            message: format!("the session was opened but could not be journaled: {e}"),
            advice: "fix the state directory (see the message) and run again".to_owned(),
        });
    }
    row
}

/// The management account: `AssumeRoot` cannot target it; its root is read
/// from the account itself (credential report and summary) when the caller
/// is in it.
async fn management_row(access: &dyn OrgAccess, ready: &Ready, member: &Member) -> MemberRow {
    let removal = "the management account's root keys are removed in single-account mode, \
                   signed in as its root (`rootkeys` with root credentials)";
    if !ready.in_management_account() {
        let mut row = MemberRow::failed(
            member,
            true,
            RowError {
                kind: RowErrorKind::ManagementFromDelegatedAdmin,
                message: "the management account cannot be audited from the delegated \
                          administrator (AssumeRoot cannot target it, and its credential \
                          report is read only from inside it)"
                    .to_owned(),
                advice: "run `rootkeys audit` with an IAM principal of the management account \
                         (its credential report's root row), or `rootkeys org audit` there"
                    .to_owned(),
            },
        );
        row.note = Some(removal.to_owned());
        return row;
    }
    let mut row = match access.management_root().await {
        Ok(facts) => {
            let mut row = MemberRow::listed(member, true);
            row.source = Source::CredentialReport;
            row.keys = facts.keys;
            row.keys_present = facts.keys_present;
            row.mfa_enabled = facts.mfa_enabled;
            row
        }
        Err(e) => MemberRow::failed(member, true, RowError::from_account(&e)),
    };
    row.note = Some(format!(
        "management account: read from its credential report's root row (AssumeRoot cannot \
         target it); {removal}"
    ));
    row
}

/// After the listing: the rows the listing did not give. An empty listing
/// is an error (an organization always lists its management account); a
/// management account not listed still gets its row; `--accounts` that
/// the organization does not list get an error row each.
async fn complete(
    access: &dyn OrgAccess,
    ready: &Ready,
    options: &Options,
    seen: &mut BTreeSet<String>,
    rows: &mut Vec<MemberRow>,
    mut listing_error: Option<AccountError>,
) -> Option<AccountError> {
    let management_id = &ready.organization.management_account_id;
    if listing_error.is_none() {
        if seen.is_empty() && options.only.is_none() {
            listing_error = Some(AccountError::Unexpected {
                action: "organizations:ListAccounts".to_owned(),
                message: "the organization listed no account, not even its management account"
                    .to_owned(),
            });
        } else if !seen.contains(management_id)
            && options
                .only
                .as_ref()
                .is_none_or(|o| o.contains(management_id))
        {
            let member = Member {
                account_id: management_id.clone(),
                name: String::new(),
                status: MemberStatus::Active,
            };
            seen.insert(management_id.clone());
            rows.push(management_row(access, ready, &member).await);
        }
    }
    // Accounts asked for by `--accounts` that the organization does not list.
    for id in options.only.iter().flatten() {
        if !seen.contains(id) && listing_error.is_none() {
            let member = Member {
                account_id: id.clone(),
                name: String::new(),
                status: MemberStatus::Unknown,
            };
            rows.push(MemberRow::failed(
                &member,
                false,
                RowError {
                    kind: RowErrorKind::NotInOrganization,
                    message: format!(
                        "account {id} is not in organization {}",
                        ready.organization.id
                    ),
                    advice: "check the account ID (`aws organizations list-accounts`)".to_owned(),
                },
            ));
        }
    }
    listing_error
}

/// Audit the organization. Returns the rows worst first, or the
/// prerequisite found missing once the first session was asked for.
pub async fn audit(
    access: &dyn OrgAccess,
    ready: &Ready,
    options: &Options,
    state_dir: &Path,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<AuditedOrg, RunError> {
    audit_streamed(access, ready, options, state_dir, &mut |p, _| progress(p)).await
}

/// [`audit`], handing each row to `progress` as soon as it is built
/// (`None` in the last call). Rows added once the listing has ended (the
/// management account when it was not listed, `--accounts` not in the
/// organization) are only in the result.
pub async fn audit_streamed(
    access: &dyn OrgAccess,
    ready: &Ready,
    options: &Options,
    state_dir: &Path,
    progress: &mut (dyn FnMut(&Progress, Option<&MemberRow>) + Send),
) -> Result<AuditedOrg, RunError> {
    let concurrency = options.concurrency.clamp(1, MAX_CONCURRENCY);
    let stop = AtomicBool::new(false);
    let listed = AtomicUsize::new(0);
    let listing_done = AtomicBool::new(false);
    let (mut tx, rx) = mpsc::channel::<Member>(concurrency * 2);
    let mut seen = BTreeSet::new();
    let mut listing_error = None;

    let listing = async {
        let mut pages = access.accounts();
        while let Some(page) = pages.next().await {
            match page {
                Ok(members) => {
                    for member in members {
                        if options
                            .only
                            .as_ref()
                            .is_some_and(|only| !only.contains(&member.account_id))
                        {
                            continue;
                        }
                        seen.insert(member.account_id.clone());
                        listed.fetch_add(1, Ordering::AcqRel);
                        if tx.send(member).await.is_err() {
                            return;
                        }
                    }
                }
                Err(e) => {
                    listing_error = Some(e);
                    break;
                }
            }
            if stop.load(Ordering::Acquire) {
                break;
            }
        }
        listing_done.store(true, Ordering::Release);
        tx.close_channel();
    };

    let mut rows = Vec::new();
    let mut state = Progress::default();
    let auditing = rx
        .map(|member| audit_one(access, ready, state_dir, member, &stop))
        .buffer_unordered(concurrency)
        .for_each(|row| {
            state.done += 1;
            state.errors += usize::from(row.error.is_some());
            state.with_keys += usize::from(row.compliant() == Some(false));
            state.listed = listed.load(Ordering::Acquire);
            state.listing_done = listing_done.load(Ordering::Acquire);
            progress(&state, Some(&row));
            rows.push(row);
            futures::future::ready(())
        });
    futures::join!(listing, auditing);

    if stop.load(Ordering::Acquire) {
        let url = match &ready.endpoint {
            StsEndpoint::Regional(url) | StsEndpoint::Global(url) => url.clone(),
        };
        return Err(RunError::Preflight(PreflightFailure::GlobalStsEndpoint {
            url: format!("{url} (AssumeRoot answered InvalidAction)"),
        }));
    }
    let listing_error = complete(access, ready, options, &mut seen, &mut rows, listing_error).await;
    let mut org = AuditedOrg::new(ready.organization.clone(), ready.caller.arn.clone(), rows);
    org.listing_error = listing_error.map(|e| RowError::from_account(&e));
    state.listing_done = true;
    progress(&state, None);
    Ok(org)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn a_session_record_names_the_policy_and_request_and_nothing_secret() {
        let dir = tempfile::tempdir().expect("tmp");
        let journal = Journal::open(dir.path(), "111111111111").expect("journal");
        let opened = Utc::now();
        let s = SessionOpened {
            account_id: "111111111111".to_owned(),
            caller_arn: "arn:aws:iam::123456789012:role/Audit".to_owned(),
            task_policy_arn: "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
                .to_owned(),
            request_id: Some("req-1".to_owned()),
            opened,
            expires: Some(opened + TimeDelta::seconds(900)),
            duration_secs: 900,
        };
        let record = session_record(&journal, &s);
        journal.append(&record).expect("append");
        let line = std::fs::read_to_string(journal.path()).expect("read");
        let v: serde_json::Value = serde_json::from_str(line.trim()).expect("json");
        assert_eq!(v["action"], "session_opened");
        assert_eq!(v["phase"], "observed");
        assert_eq!(v["account"], "111111111111");
        assert_eq!(v["caller"], "arn:aws:iam::123456789012:role/Audit");
        assert_eq!(v["op"], "req-1");
        let note = v["note"].as_str().expect("note");
        assert!(note.contains("IAMAuditRootUserCredentials") && note.contains("req-1"));
        // The record reads back as this account's, and opens no intent.
        let contents = journal.read().expect("read back");
        assert_eq!(contents.records.len(), 1);
        assert!(contents.open_intents().is_empty());
    }
}

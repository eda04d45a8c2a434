//! The simulated organization's scenario format (`assets/scenarios/org.json`)
//! and what is read from it: the accounts, their root keys (times relative
//! to the moment the simulation was first opened), the SCPs already in
//! place, and the jobs that still sign with a member's root key.
//!
//! Plain data; no port, no runtime.

use std::time::Duration;

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use serde::Deserialize;

use super::SimOrgError;
use crate::domain::{KeyStatus, LastUsed};
use crate::org::model::{Member, MemberStatus};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OrgFile {
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) organization_id: String,
    pub(super) region: String,
    /// The organization root's ID (`r-…`).
    #[serde(default = "default_root")]
    pub(super) root_id: String,
    /// Service control policies are enabled on the root.
    #[serde(default = "yes")]
    pub(super) scp_enabled: bool,
    pub(super) caller: CallerFile,
    pub(super) management: ManagementFile,
    pub(super) accounts: Vec<AccountFile>,
    /// SCPs of the organization besides `FullAWSAccess` (which AWS attaches
    /// to the root and every account when SCPs are enabled).
    #[serde(default)]
    pub(super) policies: Vec<PolicyFile>,
}

fn default_root() -> String {
    "r-ex4m".to_owned()
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CallerFile {
    pub(super) arn: String,
    pub(super) user_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ManagementFile {
    pub(super) account_id: String,
    pub(super) name: String,
    pub(super) mfa_active: bool,
    pub(super) report_age: String,
    #[serde(default)]
    pub(super) keys: Vec<KeyFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AccountFile {
    pub(super) id: String,
    pub(super) name: String,
    #[serde(default = "active")]
    pub(super) status: MemberStatusFile,
    #[serde(default)]
    pub(super) mfa_active: bool,
    #[serde(default)]
    pub(super) password: bool,
    #[serde(default)]
    pub(super) keys: Vec<KeyFile>,
    /// An SCP denies the root user without the `AssumeRoot` exemption.
    #[serde(default)]
    pub(super) scp_denies_root: bool,
    #[serde(default)]
    pub(super) note: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum MemberStatusFile {
    Active,
    Suspended,
    PendingClosure,
}

fn active() -> MemberStatusFile {
    MemberStatusFile::Active
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KeyFile {
    #[serde(default)]
    pub(super) id: Option<String>,
    #[serde(default)]
    pub(super) slot: Option<u8>,
    pub(super) status: KeyStatus,
    pub(super) created_ago: String,
    #[serde(default)]
    pub(super) last_used: Option<LastUsedFile>,
    /// A scheduled job that signs with this key.
    #[serde(default)]
    pub(super) job: Option<JobFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LastUsedFile {
    pub(super) ago: String,
    pub(super) service: String,
    pub(super) region: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct JobFile {
    /// What it is (`nightly backup export`).
    pub(super) name: String,
    /// When it runs every day, UTC (`02:00`).
    pub(super) at: String,
    /// The request it makes (`s3:PutObject`).
    pub(super) action: String,
    pub(super) resource: String,
    pub(super) service: String,
    pub(super) region: String,
    /// The IAM role it moves to.
    pub(super) role: String,
    /// Its owners move it to `role` after a backout: the first run after a
    /// release that followed a denied run still signs with the key (and
    /// works), the runs after it use the role.
    #[serde(default)]
    pub(super) moves_after_backout: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PolicyFile {
    pub(super) name: String,
    #[serde(default)]
    pub(super) description: String,
    /// The policy document.
    pub(super) content: serde_json::Value,
    /// `root`, or account IDs.
    pub(super) targets: Vec<String>,
}

/// A job of the simulation: one member key's scheduled consumer.
#[derive(Debug, Clone)]
pub(super) struct JobDef {
    pub(super) account_id: String,
    pub(super) key_id: String,
    pub(super) name: String,
    pub(super) at: NaiveTime,
    pub(super) action: String,
    pub(super) resource: String,
    pub(super) service: String,
    pub(super) region: String,
    pub(super) role: String,
    pub(super) moves_after_backout: bool,
}

/// One member as the simulation serves it (what does not change).
#[derive(Debug, Clone)]
pub(super) struct SimMember {
    pub(super) member: Member,
    pub(super) mfa_enabled: bool,
    pub(super) password_present: bool,
    pub(super) scp_denies_root: bool,
    /// Extra simulated time of this account's calls.
    pub(super) jitter: Duration,
}

pub(super) fn ago(what: &str, text: &str) -> Result<TimeDelta, SimOrgError> {
    humantime::parse_duration(text)
        .ok()
        .and_then(|d| TimeDelta::from_std(d).ok())
        .ok_or_else(|| {
            SimOrgError::Scenario(format!("{what}: {text:?} is not a duration such as 3d"))
        })
}

pub(super) fn account_id(what: &str, id: &str) -> Result<(), SimOrgError> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(SimOrgError::Scenario(format!(
            "{what}: {id:?} is not 12 digits"
        )))
    }
}

pub(super) fn last_used(
    file: &KeyFile,
    base: DateTime<Utc>,
) -> Result<Option<LastUsed>, SimOrgError> {
    match &file.last_used {
        Some(u) => Ok(Some(LastUsed {
            date: base - ago("last_used.ago", &u.ago)?,
            service: Some(u.service.clone()),
            region: Some(u.region.clone()),
        })),
        None => Ok(None),
    }
}

pub(super) fn member_status(status: MemberStatusFile) -> MemberStatus {
    match status {
        MemberStatusFile::Active => MemberStatus::Active,
        MemberStatusFile::Suspended => MemberStatus::Suspended,
        MemberStatusFile::PendingClosure => MemberStatus::PendingClosure,
    }
}

impl OrgFile {
    pub(super) fn parse(text: &str) -> Result<Self, SimOrgError> {
        let file: Self =
            serde_json::from_str(text).map_err(|e| SimOrgError::Scenario(e.to_string()))?;
        file.check()?;
        Ok(file)
    }

    /// Everything that can be checked without a clock.
    fn check(&self) -> Result<(), SimOrgError> {
        let bad = |m: String| Err(SimOrgError::Scenario(m));
        let mgmt = &self.management;
        account_id("management.account_id", &mgmt.account_id)?;
        ago("management.report_age", &mgmt.report_age)?;
        let mut seen = vec![mgmt.account_id.as_str()];
        for a in &self.accounts {
            account_id("accounts[].id", &a.id)?;
            if seen.contains(&a.id.as_str()) {
                return bad(format!("account {} is listed twice", a.id));
            }
            seen.push(&a.id);
            for k in &a.keys {
                if k.id.is_none() {
                    return bad(format!("account {}: a member key needs an id", a.id));
                }
                ago("created_ago", &k.created_ago)?;
                if let Some(u) = &k.last_used {
                    ago("last_used.ago", &u.ago)?;
                }
                if let Some(job) = &k.job {
                    job_time(&job.at)?;
                }
            }
        }
        for k in &mgmt.keys {
            ago("created_ago", &k.created_ago)?;
            if k.job.is_some() {
                return bad("a job on the management account's key is not simulated".to_owned());
            }
        }
        for p in &self.policies {
            for t in &p.targets {
                if t != "root" && !seen.contains(&t.as_str()) {
                    return bad(format!("policy {}: no account {t}", p.name));
                }
            }
            if !p.content.is_object() {
                return bad(format!(
                    "policy {}: its content is not a JSON object",
                    p.name
                ));
            }
        }
        Ok(())
    }

    /// The members, as served.
    pub(super) fn members(&self) -> Vec<SimMember> {
        self.accounts
            .iter()
            .enumerate()
            .map(|(i, a)| SimMember {
                member: Member {
                    account_id: a.id.clone(),
                    name: a.name.clone(),
                    status: member_status(a.status),
                },
                mfa_enabled: a.mfa_active,
                password_present: a.password,
                scp_denies_root: a.scp_denies_root,
                // 0 to 400 ms more, the same on every run.
                jitter: Duration::from_millis(u64::try_from(i * 137 % 5).unwrap_or(0) * 100),
            })
            .collect()
    }

    /// The members' jobs.
    pub(super) fn jobs(&self) -> Result<Vec<JobDef>, SimOrgError> {
        let mut jobs = Vec::new();
        for a in &self.accounts {
            for k in &a.keys {
                let (Some(job), Some(id)) = (&k.job, &k.id) else {
                    continue;
                };
                jobs.push(JobDef {
                    account_id: a.id.clone(),
                    key_id: id.clone(),
                    name: job.name.clone(),
                    at: job_time(&job.at)?,
                    action: job.action.clone(),
                    resource: job.resource.clone(),
                    service: job.service.clone(),
                    region: job.region.clone(),
                    role: job.role.clone(),
                    moves_after_backout: job.moves_after_backout,
                });
            }
        }
        Ok(jobs)
    }

    /// The scenario's notes on its accounts (account ID, note).
    pub(super) fn notes(&self) -> Vec<(String, String)> {
        self.accounts
            .iter()
            .filter_map(|a| a.note.clone().map(|n| (a.id.clone(), n)))
            .collect()
    }
}

fn job_time(text: &str) -> Result<NaiveTime, SimOrgError> {
    NaiveTime::parse_from_str(text, "%H:%M").map_err(|_| {
        SimOrgError::Scenario(format!(
            "job.at: {text:?} is not a time of day such as 02:00"
        ))
    })
}

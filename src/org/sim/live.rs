//! The simulated organization's live state: its service control policies
//! and where they are attached, the members' root keys, the clock's
//! skip-ahead and the jobs' runs; the rules AWS applies to them; and how
//! the state is kept in `<dir>/sim.json` (written whole to a temporary
//! file, mode 0600, then renamed) so a restarted demo agrees with its
//! journals.
//!
//! Its parts: `rules` (AWS's rules for SCPs: quotas, sizes, duplicates,
//! the last policy of a target) and `jobs` (the scheduled jobs' runs);
//! this module holds the state itself and its saved file.
//!
//! Errors are the port's: `AccountError::Service` with AWS's codes.

mod jobs;
mod rules;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

pub use self::rules::MAX_PER_TARGET;
use self::rules::policy_id;
use super::SimOrgError;
use super::scenario::{OrgFile, ago, last_used};
use crate::account::AccountError;
use crate::domain::{KeyStatus, LastUsed, RootKey};
use crate::org::port::PolicyRef;

/// The file, under the demo's directory, that holds the live state.
pub const STATE_FILE: &str = "sim.json";

/// The ID AWS gives its managed `FullAWSAccess` policy.
pub const FULL_AWS_ACCESS_ID: &str = "p-FullAWSAccess";
const FULL_AWS_ACCESS_NAME: &str = "FullAWSAccess";
const FULL_AWS_ACCESS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SimPolicy {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) content: String,
    pub(super) aws_managed: bool,
}

impl SimPolicy {
    fn reference(&self) -> PolicyRef {
        PolicyRef {
            id: self.id.clone(),
            name: self.name.clone(),
            aws_managed: self.aws_managed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SimKey {
    pub(super) id: String,
    pub(super) status: KeyStatus,
    pub(super) created: DateTime<Utc>,
    pub(super) last_used: Option<LastUsed>,
}

impl SimKey {
    pub(super) fn root_key(&self, with_last_use: bool) -> RootKey {
        RootKey {
            access_key_id: Some(self.id.clone()),
            slot: None,
            status: self.status,
            created: Some(self.created),
            last_used: if with_last_use {
                self.last_used.clone()
            } else {
                None
            },
            signs_this_session: false,
        }
    }
}

/// Where one job is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct JobState {
    pub(super) account_id: String,
    pub(super) key_id: String,
    /// Runs up to this instant have been simulated.
    pub(super) runs_until: DateTime<Utc>,
    /// A run was denied (and not yet followed by one that worked).
    pub(super) denied: bool,
    /// Since when it runs with its role (no longer with the key).
    pub(super) moved: Option<DateTime<Utc>>,
}

/// One denied run of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeniedRun {
    pub(super) account_id: String,
    pub(super) key_id: String,
    pub(super) at: DateTime<Utc>,
    pub(super) message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Live {
    pub(super) scenario: String,
    /// When the simulation was first opened: the scenario's times count
    /// back from here.
    pub(super) started: DateTime<Utc>,
    /// How far the clock was skipped ahead.
    pub(super) offset_secs: i64,
    pub(super) scp_enabled: bool,
    /// The number of the last policy created.
    pub(super) created: u32,
    pub(super) policies: Vec<SimPolicy>,
    /// Target (root, account) → policy IDs attached, in the order attached.
    pub(super) attachments: BTreeMap<String, Vec<String>>,
    /// Member account → root's access keys.
    pub(super) keys: BTreeMap<String, Vec<SimKey>>,
    pub(super) jobs: Vec<JobState>,
    /// Denied runs, oldest first.
    pub(super) denied: Vec<DeniedRun>,
}

fn service(action: &str, code: &str, message: impl Into<String>) -> AccountError {
    AccountError::Service {
        action: action.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }
}

impl Live {
    /// The state of a scenario first opened at `started`.
    pub(super) fn fresh(
        name: &str,
        file: &OrgFile,
        started: DateTime<Utc>,
    ) -> Result<Self, SimOrgError> {
        let mut policies = vec![SimPolicy {
            id: FULL_AWS_ACCESS_ID.to_owned(),
            name: FULL_AWS_ACCESS_NAME.to_owned(),
            description: "Allows access to every operation".to_owned(),
            content: FULL_AWS_ACCESS.to_owned(),
            aws_managed: true,
        }];
        let mut attachments: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if file.scp_enabled {
            for target in std::iter::once(&file.root_id)
                .chain(std::iter::once(&file.management.account_id))
                .chain(file.accounts.iter().map(|a| &a.id))
            {
                attachments.insert(target.clone(), vec![FULL_AWS_ACCESS_ID.to_owned()]);
            }
        }
        let mut created = 0;
        for p in &file.policies {
            created += 1;
            let id = policy_id(created);
            policies.push(SimPolicy {
                id: id.clone(),
                name: p.name.clone(),
                description: p.description.clone(),
                content: serde_json::to_string_pretty(&p.content)
                    .map_err(|e| SimOrgError::Scenario(e.to_string()))?,
                aws_managed: false,
            });
            for t in &p.targets {
                let target = if t == "root" { &file.root_id } else { t };
                attachments
                    .entry(target.clone())
                    .or_default()
                    .push(id.clone());
            }
        }
        let mut keys = BTreeMap::new();
        let mut jobs = Vec::new();
        for a in &file.accounts {
            let mut list = Vec::new();
            for k in &a.keys {
                let id = k.id.clone().unwrap_or_default();
                if k.job.is_some() {
                    jobs.push(JobState {
                        account_id: a.id.clone(),
                        key_id: id.clone(),
                        runs_until: started,
                        denied: false,
                        moved: None,
                    });
                }
                list.push(SimKey {
                    id,
                    status: k.status,
                    created: started - ago("created_ago", &k.created_ago)?,
                    last_used: last_used(k, started)?,
                });
            }
            keys.insert(a.id.clone(), list);
        }
        Ok(Self {
            scenario: name.to_owned(),
            started,
            offset_secs: 0,
            scp_enabled: file.scp_enabled,
            created,
            policies,
            attachments,
            keys,
            jobs,
            denied: Vec::new(),
        })
    }

    /// A saved state that does not fit the scenario (another scenario, a
    /// dangling reference) is damaged.
    fn check(&self, name: &str, file: &OrgFile) -> Result<(), String> {
        if self.scenario != name {
            return Err(format!("it belongs to scenario {:?}", self.scenario));
        }
        let members: Vec<&str> = file.accounts.iter().map(|a| a.id.as_str()).collect();
        for (target, ids) in &self.attachments {
            if target != &file.root_id
                && target != &file.management.account_id
                && !members.contains(&target.as_str())
            {
                return Err(format!(
                    "a policy is attached to an unknown target {target:?}"
                ));
            }
            if let Some(id) = ids.iter().find(|id| self.policy(id).is_none()) {
                return Err(format!("{target} has an unknown policy {id:?} attached"));
            }
        }
        if let Some(a) = self.keys.keys().find(|a| !members.contains(&a.as_str())) {
            return Err(format!("keys of an unknown account {a:?}"));
        }
        if self.offset_secs < 0 {
            return Err("the clock was moved back".to_owned());
        }
        Ok(())
    }

    pub(super) fn offset(&self) -> TimeDelta {
        TimeDelta::seconds(self.offset_secs)
    }

    fn policy(&self, id: &str) -> Option<&SimPolicy> {
        self.policies.iter().find(|p| p.id == id)
    }

    fn attached_to(&self, target: &str) -> &[String] {
        self.attachments.get(target).map_or(&[], Vec::as_slice)
    }

    pub(super) fn keys(&self, account_id: &str) -> &[SimKey] {
        self.keys.get(account_id).map_or(&[], Vec::as_slice)
    }

    pub(super) fn delete_key(
        &mut self,
        account_id: &str,
        key_id: &str,
    ) -> Result<(), AccountError> {
        let keys = self.keys.entry(account_id.to_owned()).or_default();
        let before = keys.len();
        keys.retain(|k| k.id != key_id);
        if keys.len() == before {
            return Err(AccountError::NoSuchKey {
                key: key_id.to_owned(),
            });
        }
        Ok(())
    }
}

/// Load the state kept in `dir` (which the caller prepared), or start one
/// at `started()` and save it at once.
pub(super) fn load_or_create(
    dir: &Path,
    name: &str,
    file: &OrgFile,
    started: impl FnOnce() -> DateTime<Utc>,
) -> Result<(PathBuf, Live), SimOrgError> {
    let path = dir.join(STATE_FILE);
    let bad = |path: &Path, message: String| SimOrgError::BadState {
        path: path.to_owned(),
        message,
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            // serde's message may quote the file: bounded and escaped.
            let live: Live = serde_json::from_slice(&bytes)
                .map_err(|e| bad(&path, crate::text::foreign(&e.to_string())))?;
            live.check(name, file)
                .map_err(|m| bad(&path, crate::text::foreign(&m)))?;
            Ok((path, live))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let live = Live::fresh(name, file, started())?;
            save(&path, &live).map_err(|source| SimOrgError::Io {
                path: path.clone(),
                source,
            })?;
            Ok((path, live))
        }
        Err(source) => Err(SimOrgError::Io { path, source }),
    }
}

/// Write the state next to its place (0600), flush it, then rename it over
/// the old one: never half a file.
pub(super) fn save(path: &Path, live: &Live) -> std::io::Result<()> {
    let mut text = serde_json::to_vec_pretty(live).map_err(std::io::Error::other)?;
    text.push(b'\n');
    let tmp = path.with_extension("json.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(&tmp)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A temporary file left by an older run keeps its mode: set it.
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(&text)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        // Best effort: the rename itself is durable once the directory is.
        let _ = d.sync_all();
    }
    Ok(())
}

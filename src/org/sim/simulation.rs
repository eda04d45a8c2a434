//! The demo's controls over the simulated organization
//! ([`OrgSimulation`]): skipping the clock ahead, the jobs' denied runs,
//! and moving a job from a root key to its IAM role.

use chrono::{DateTime, TimeDelta, Utc};

use super::{SimOrg, SimOrgError};
use crate::org::port::{OrgDeniedCall, OrgSimulation};

impl SimOrg {
    /// The name of the job that signs with a key of `account_id`, if any.
    pub fn job_name(&self, account_id: &str) -> Option<&str> {
        self.inner.job(account_id).map(|j| j.name.as_str())
    }

    /// Move the job that signs with a root key of `account_id` to its IAM
    /// role now: its later runs no longer use the key. Returns the role.
    pub fn move_to_role(&self, account_id: &str) -> Result<String, SimOrgError> {
        let Some(def) = self.inner.job(account_id) else {
            return Err(SimOrgError::Refused(format!(
                "nothing in this scenario runs with a root key of {account_id}: no job to move"
            )));
        };
        self.inner.change_or(
            |live, now| {
                if live.move_job(account_id, now) {
                    Ok(())
                } else {
                    Err(SimOrgError::Refused(format!(
                        "the {} already runs with {}",
                        def.name, def.role
                    )))
                }
            },
            SimOrgError::Refused,
        )?;
        Ok(def.role.clone())
    }
}

impl OrgSimulation for SimOrg {
    fn move_to_role(&self, account_id: &str) -> Result<String, String> {
        SimOrg::move_to_role(self, account_id).map_err(|e| e.to_string())
    }

    fn skip_ahead(&self, by: TimeDelta) {
        let (mut live, _) = self.inner.current();
        live.offset_secs = live.offset_secs.saturating_add(by.num_seconds().max(0));
        self.inner.catch_up(&mut live);
        // Kept in memory even when it cannot be saved (the port gives this
        // call no error): the next write saves it with the rest, or fails.
        let _ = self.inner.save(&live);
    }

    fn denied_calls(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<OrgDeniedCall> {
        let (live, _) = self.inner.current();
        live.denied
            .iter()
            .filter(|d| d.at > from && d.at <= until)
            .map(|d| {
                let def = self
                    .inner
                    .jobs
                    .iter()
                    .find(|j| j.account_id == d.account_id && j.key_id == d.key_id);
                OrgDeniedCall {
                    account_id: d.account_id.clone(),
                    key_id: d.key_id.clone(),
                    job: def.map_or_else(|| "a job".to_owned(), |j| j.name.clone()),
                    time: d.at,
                    action: def.map_or_else(String::new, |j| j.action.clone()),
                    message: d.message.clone(),
                }
            })
            .collect()
    }
}

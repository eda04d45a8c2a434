//! The scheduled jobs of the simulated organization: each runs once a
//! day on the simulated clock, signing with a member's root key; while the
//! quarantine (or another SCP denying root) applies, its runs are denied
//! and still stamp the key's last use, as AWS does.

use chrono::{DateTime, TimeDelta, Utc};

use super::{DeniedRun, Live};
use crate::domain::{KeyStatus, LastUsed};
use crate::org::sim::scenario::JobDef;

/// Denied runs kept (the oldest go first).
const MAX_DENIED: usize = 500;
/// The longest stretch of runs simulated at once; older runs are skipped.
const MAX_CATCH_UP_DAYS: i64 = 400;

impl Live {
    /// Move `account_id`'s job to its role at `now`.
    pub(in crate::org::sim) fn move_job(&mut self, account_id: &str, now: DateTime<Utc>) -> bool {
        match self
            .jobs
            .iter_mut()
            .find(|j| j.account_id == account_id && j.moved.is_none())
        {
            Some(job) => {
                job.moved = Some(now);
                true
            }
            None => false,
        }
    }

    /// Simulate every job run due up to `now`, under the policies attached
    /// now (every change calls this first, so they held since the last call).
    pub(in crate::org::sim) fn catch_up(
        &mut self,
        defs: &[JobDef],
        root_id: &str,
        scp_denies_root: &dyn Fn(&str) -> bool,
        now: DateTime<Utc>,
    ) {
        for i in 0..self.jobs.len() {
            let (account, key) = (self.jobs[i].account_id.clone(), self.jobs[i].key_id.clone());
            let Some(def) = defs
                .iter()
                .find(|d| d.account_id == account && d.key_id == key)
            else {
                continue;
            };
            let from = self.jobs[i]
                .runs_until
                .max(now - TimeDelta::days(MAX_CATCH_UP_DAYS));
            let denied_by_scp = self.quarantined(root_id, &account) || scp_denies_root(&account);
            let mut run = from.date_naive().and_time(def.at).and_utc();
            if run <= from {
                run += TimeDelta::days(1);
            }
            while run <= now {
                self.run_job(i, def, run, denied_by_scp);
                run += TimeDelta::days(1);
            }
            if self.jobs[i].runs_until < now {
                self.jobs[i].runs_until = now;
            }
        }
        if self.denied.len() > MAX_DENIED {
            let extra = self.denied.len() - MAX_DENIED;
            self.denied.drain(..extra);
        }
    }

    fn run_job(&mut self, i: usize, def: &JobDef, at: DateTime<Utc>, denied_by_scp: bool) {
        if self.jobs[i].moved.is_some_and(|m| m <= at) {
            return;
        }
        let account = def.account_id.clone();
        let key = self
            .keys
            .get_mut(&account)
            .and_then(|keys| keys.iter_mut().find(|k| k.id == def.key_id));
        let message = match key {
            Some(k) if k.status == KeyStatus::Active => {
                // AWS records the use of an authenticated request, denied or not.
                k.last_used = Some(LastUsed {
                    date: at,
                    service: Some(def.service.clone()),
                    region: Some(def.region.clone()),
                });
                if denied_by_scp {
                    format!(
                        "AccessDenied: User: arn:aws:iam::{account}:root is not authorized to \
                         perform: {} on resource: {} with an explicit deny in a service control \
                         policy",
                        def.action, def.resource
                    )
                } else {
                    let job = &mut self.jobs[i];
                    if job.denied && def.moves_after_backout {
                        // The owners saw it fail, then work again after the
                        // backout: they move it to its role after this run.
                        job.moved = Some(at + TimeDelta::minutes(1));
                    }
                    job.denied = false;
                    return;
                }
            }
            _ => "InvalidClientTokenId: The security token included in the request is invalid."
                .to_owned(),
        };
        self.jobs[i].denied = true;
        self.denied.push(DeniedRun {
            account_id: account,
            key_id: def.key_id.clone(),
            at,
            message,
        });
    }
}

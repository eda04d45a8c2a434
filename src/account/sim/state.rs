//! The simulation's saved state: key statuses, deleted keys and how far
//! the clock was skipped ahead, kept in `<dir>/sim.json` (written whole,
//! then renamed) in a directory the journal's rules trust
//! (`journal::prepare_state_dir`).
//!
//! Must not import the SDK, `crate::account::aws`, or the front ends (`tui`,
//! `commands`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::scenario::Scenario;
use super::{STATE_FILE, SimError};
use crate::domain::KeyStatus;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct KeyState {
    pub(super) status: KeyStatus,
    #[serde(default)]
    pub(super) deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct SimState {
    pub(super) scenario: String,
    /// When the scenario was first opened: scenario times count back from here.
    pub(super) started: DateTime<Utc>,
    /// How far the operator skipped the simulated clock ahead.
    #[serde(default)]
    pub(super) offset_secs: i64,
    pub(super) keys: BTreeMap<String, KeyState>,
    /// The session continued with temporary root credentials (as in
    /// `CloudShell`, or an `AssumeRoot` session) after its own key stopped
    /// working.
    #[serde(default)]
    pub(super) temporary_root: bool,
    /// What changed when (simulated time), oldest first: a scheduled job's
    /// runs succeed, fail or go to its role by what was true at the time.
    #[serde(default)]
    pub(super) history: Vec<Change>,
}

/// One change to a key, at a simulated time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Change {
    pub(super) key: String,
    pub(super) at: DateTime<Utc>,
    pub(super) what: ChangeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum ChangeKind {
    Active,
    Inactive,
    Deleted,
    /// The job that used the key now runs with an IAM role.
    MovedToRole,
}

/// How one scheduled run of a job went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RunOutcome {
    /// Signed with the key, which worked.
    Signed,
    /// Signed with the key, which was inactive or deleted: denied.
    Denied,
    /// Made with the job's role: the key is not involved.
    ByRole,
}

impl SimState {
    /// How a run of the job on `key` (whose scenario status is `initial`)
    /// at `at` went.
    pub(super) fn run_outcome(
        &self,
        key: &str,
        initial: KeyStatus,
        at: DateTime<Utc>,
    ) -> RunOutcome {
        let mut status = Some(initial);
        for change in self.history.iter().filter(|c| c.key == key && c.at <= at) {
            match change.what {
                ChangeKind::MovedToRole => return RunOutcome::ByRole,
                ChangeKind::Active => status = Some(KeyStatus::Active),
                ChangeKind::Inactive => status = Some(KeyStatus::Inactive),
                ChangeKind::Deleted => status = None,
            }
        }
        if status == Some(KeyStatus::Active) {
            RunOutcome::Signed
        } else {
            RunOutcome::Denied
        }
    }

    pub(super) fn moved_to_role(&self, key: &str) -> bool {
        self.history
            .iter()
            .any(|c| c.key == key && c.what == ChangeKind::MovedToRole)
    }

    /// The simulated clock's offset as a duration.
    pub(super) fn offset(&self) -> TimeDelta {
        TimeDelta::seconds(self.offset_secs)
    }

    pub(super) fn fresh(scenario: &Scenario, started: DateTime<Utc>) -> Self {
        Self {
            scenario: scenario.name.clone(),
            started,
            offset_secs: 0,
            keys: scenario
                .keys
                .iter()
                .map(|k| {
                    (
                        k.id.clone(),
                        KeyState {
                            status: k.status,
                            deleted: false,
                        },
                    )
                })
                .collect(),
            temporary_root: false,
            history: Vec::new(),
        }
    }
}

/// Make `dir` (0700, and trusted as the journal's directories are) and load
/// the saved state from it; a missing state starts fresh at `started()` and
/// is saved at once. A state that cannot be read, or belongs to another
/// scenario, is reported and left as it is.
pub(super) fn load_or_create(
    dir: &Path,
    scenario: &Scenario,
    started: impl FnOnce() -> DateTime<Utc>,
) -> Result<(PathBuf, SimState), SimError> {
    crate::journal::prepare_state_dir(dir)?;
    let path = dir.join(STATE_FILE);
    let state = match std::fs::read(&path) {
        Ok(bytes) => {
            let state: SimState =
                serde_json::from_slice(&bytes).map_err(|e| SimError::BadState {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            if state.scenario != scenario.name {
                return Err(SimError::BadState {
                    path,
                    message: format!("it belongs to scenario {:?}", state.scenario),
                });
            }
            state
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let state = SimState::fresh(scenario, started());
            save(&path, &state)?;
            state
        }
        Err(source) => return Err(SimError::Io { path, source }),
    };
    Ok((path, state))
}

/// Write the state next to its final place, then rename: never half a file.
pub(super) fn save(path: &Path, state: &SimState) -> Result<(), SimError> {
    let io = |source| SimError::Io {
        path: path.to_owned(),
        source,
    };
    let mut text = serde_json::to_vec_pretty(state).map_err(|e| io(e.into()))?;
    text.push(b'\n');
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, &text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

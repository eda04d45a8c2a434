//! The simulation's saved state: key statuses, deleted keys and how far
//! the clock was skipped ahead, kept in `<dir>/sim.json` (written whole,
//! then renamed) in a directory the journal's rules trust
//! (`journal::prepare_state_dir`).
//!
//! Must not import the SDK, `crate::account::aws`, or the front ends (`tui`,
//! `commands`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
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
}

impl SimState {
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

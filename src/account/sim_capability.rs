//! The simulated account's [`Simulation`] capability: skip-ahead and the
//! demo's pacing, reached through [`Account::simulation`] so callers never
//! name `SimAccount`.
//!
//! Imports only the port and the simulator.
//!
//! [`Account::simulation`]: super::Account::simulation

use std::time::Duration;

use chrono::TimeDelta;

use super::Simulation;
use super::sim::{self, SimAccount};

impl Simulation for SimAccount {
    fn skip_ahead(&self, by: TimeDelta) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        self.advance(by).map_err(Into::into)
    }

    fn usage_pacing(&self) -> Duration {
        sim::USAGE_PACING
    }
}

//! The simulated account's [`Simulation`] capability: skip-ahead and the
//! demo's pacing, reached through [`Account::simulation`] so callers never
//! name `SimAccount`.
//!
//! Imports only the port and the simulator.
//!
//! [`Account::simulation`]: super::Account::simulation

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::sim::{self, SimAccount};
use super::{DeniedCall, Simulation, SimulationError};

impl Simulation for SimAccount {
    fn skip_ahead(&self, by: TimeDelta) -> Result<(), SimulationError> {
        self.advance(by).map_err(Into::into)
    }

    fn usage_pacing(&self) -> Duration {
        sim::USAGE_PACING
    }

    fn continue_as_temporary_root(&self) -> Result<String, SimulationError> {
        SimAccount::continue_as_temporary_root(self).map_err(Into::into)
    }

    fn move_to_role(&self, key_id: &str) -> Result<String, SimulationError> {
        SimAccount::move_to_role(self, key_id).map_err(Into::into)
    }

    fn denied_calls(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<DeniedCall> {
        SimAccount::denied_calls(self, from, until)
            .into_iter()
            .map(|(key_id, event)| DeniedCall {
                job: self.job_name(&key_id).unwrap_or("a job").to_owned(),
                key_id,
                event,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{TimeDelta, TimeZone, Utc};

    use crate::account::Account;
    use crate::account::sim::{Latency, SimAccount, SimClock, USAGE_PACING};

    #[test]
    fn a_simulated_account_offers_skip_ahead_and_its_pacing_through_the_port() {
        let t0 = Utc
            .with_ymd_and_hms(2026, 11, 25, 9, 0, 0)
            .single()
            .expect("valid time");
        let sim = SimAccount::in_memory("two-keys", SimClock::Fixed(t0), Latency::NONE)
            .expect("scenario");
        let account: Arc<dyn Account> = Arc::new(sim);
        let simulation = account.simulation().expect("a simulated account says so");
        assert_eq!(simulation.usage_pacing(), USAGE_PACING);
        simulation.skip_ahead(TimeDelta::days(8)).expect("skip");
        assert_eq!(account.now(), t0 + TimeDelta::days(8));
    }
}

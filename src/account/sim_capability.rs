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

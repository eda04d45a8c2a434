//! Command-line definitions (clap derive), and what is generated from them
//! (shell completions, the man page). Read by `crate::app`; imports only
//! `domain` (the window's parser), `journal` (its error type) and the names
//! of the demo's scenarios.

use std::path::PathBuf;

use chrono::TimeDelta;
use clap::builder::PossibleValuesParser;
use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::account::sim::{DEFAULT_SCENARIO, scenario_names};
use crate::domain::window;
use crate::journal::JournalError;

#[derive(Debug, Parser)]
#[command(
    name = "rootkeys",
    version,
    about = "Remove the AWS root user's access keys the safe, staged way",
    long_about = "rootkeys guides you through removing the AWS root user's access keys: \
review each key's use, deactivate first, observe for days, then delete with a typed \
confirmation, and verify. With no command it opens the interactive view on the live \
account (or prints `status` when stdout is not a terminal).",
    after_help = "Exit codes: 0 done (audit: no root key), 1 declined at a prompt (audit: root keys present), 2 refused or failed, 3 usage searched only some regions.\n\
Credentials come from the default AWS chain (environment, profiles, SSO, process); AWS_ENDPOINT_URL is honoured."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command takes, listed under their own heading.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// AWS profile to use (default: `AWS_PROFILE`, else the SDK's default chain)
    #[arg(long, global = true, env = "AWS_PROFILE", hide_env = true)]
    pub profile: Option<String>,
    /// AWS region for signing (IAM is global; default: configured region, else us-east-1)
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Where the journal and demo state live (default: `ROOTKEYS_STATE_DIR`, else the
    /// platform's state directory, e.g. ~/.local/state/rootkeys)
    #[arg(
        long,
        global = true,
        env = "ROOTKEYS_STATE_DIR",
        hide_env = true,
        value_name = "DIR"
    )]
    pub state_dir: Option<PathBuf>,
    /// Observation window between deactivation and deletion (e.g. 90s, 36h, 7d; at most 365d).
    /// It sets windows that start from now; a running window keeps the length journaled with it
    /// (only `delete --force` overrides it, journaled)
    #[arg(long, global = true, value_name = "DURATION", default_value = window::DEFAULT_WINDOW, value_parser = window::parse)]
    pub observe: TimeDelta,
}

impl Global {
    /// `--state-dir` (or `ROOTKEYS_STATE_DIR`), else the platform state
    /// directory. Never the shared temporary directory: where others can
    /// write, a journal cannot be trusted.
    pub fn state_dir(&self) -> Result<PathBuf, JournalError> {
        if let Some(dir) = &self.state_dir {
            return Ok(dir.clone());
        }
        dirs::state_dir()
            .or_else(dirs::data_local_dir)
            .map(|dir| dir.join("rootkeys"))
            .ok_or(JournalError::NoStateDir)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show every root key, its use, and the CIS verdict (exit 1 when a root key exists)
    Audit {
        /// Print JSON instead of text (for scripts; dates in RFC 3339 UTC)
        #[arg(long)]
        json: bool,
    },
    /// Give the CIS verdict from a downloaded credential report (CSV or JSON), offline
    Report {
        /// The credential report: the CSV downloaded from the IAM console, or the JSON that
        /// `aws iam get-credential-report` prints (its base64 `Content` is decoded)
        file: PathBuf,
        /// Print JSON instead of text (for scripts; dates in RFC 3339 UTC)
        #[arg(long)]
        json: bool,
    },
    /// Deactivate a root key (the reversible first step)
    Deactivate {
        /// The root access key ID, as `rootkeys status` lists it (e.g. AKIAIOSFODNN7EXAMPLE)
        key_id: String,
        /// Do not ask; for non-interactive use
        #[arg(long)]
        yes: bool,
    },
    /// Reactivate a root key (the backout while observing)
    Reactivate {
        /// The root access key ID, as `rootkeys status` lists it (e.g. AKIAIOSFODNN7EXAMPLE)
        key_id: String,
        /// Do not ask; for non-interactive use
        #[arg(long)]
        yes: bool,
    },
    /// Delete a root key whose observation window has passed (cannot be undone)
    Delete {
        /// The root access key ID, as `rootkeys status` lists it (e.g. AKIAIOSFODNN7EXAMPLE)
        key_id: String,
        /// Non-interactive confirmation: must name the same key ID
        #[arg(long, value_name = "KEY_ID")]
        confirm: Option<String>,
        /// Delete before the observation window has passed (journaled as an override)
        #[arg(long)]
        force: bool,
    },
    /// What used a key: CloudTrail event history in every enabled region, summarised
    #[command(
        after_help = "Exit status: 0 every requested region was searched; 3 partial: some requested regions \
could not be searched (failed, or not enabled in the account), so the summary covers the others only \
(they are named on stderr, in the summary's Limits, and in --json as summary.complete = false and \
summary.regions_not_searched); 2 error: no region could be searched, or bad input."
    )]
    Usage {
        /// The root access key ID, as `rootkeys status` lists it (e.g. AKIAIOSFODNN7EXAMPLE)
        key_id: String,
        /// Days of history to search (CloudTrail keeps 90)
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=90))]
        days: u32,
        /// `all` (every enabled region) or a comma-separated list
        #[arg(long, default_value = "all", value_name = "all|LIST")]
        regions: String,
        /// Print JSON instead of text (for scripts; dates in RFC 3339 UTC)
        #[arg(long)]
        json: bool,
    },
    /// Every key with its stage, window end and next allowed step
    Status {
        /// Print JSON instead of text (for scripts; dates in RFC 3339 UTC)
        #[arg(long)]
        json: bool,
    },
    /// Step 7, Prevent: check that root has MFA and print the SCP that keeps root from creating
    /// access keys, with where to attach it (exit 0 MFA on, 1 MFA off, 2 could not be read)
    Prevent {
        /// Print JSON instead of text (for scripts; the policy as `scp.policy`)
        #[arg(long)]
        json: bool,
    },
    /// The account's journal, oldest first
    Journal {
        /// Print JSON instead of text (for scripts; dates in RFC 3339 UTC)
        #[arg(long)]
        json: bool,
    },
    /// Organization mode: every member account's root keys, through centralized root access
    /// (without a subcommand: the interactive view on the organization)
    Org {
        #[command(subcommand)]
        command: Option<OrgCommand>,
    },
    /// Open the interactive view on an embedded simulated account (training, demos)
    Demo {
        /// The simulated account to load (the scenarios built into rootkeys; `org`: a simulated organization)
        #[arg(
            long,
            default_value = DEFAULT_SCENARIO,
            value_parser = PossibleValuesParser::new(scenario_names())
        )]
        scenario: String,
        /// Start the scenario afresh, discarding its saved progress
        #[arg(long)]
        reset: bool,
    },
    /// Print a shell completion script to stdout
    ///
    /// For example `rootkeys completions bash > ~/.local/share/bash-completion/completions/rootkeys`,
    /// or `rootkeys completions zsh > ~/.zfunc/_rootkeys`.
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
}

/// Write the completion script for `shell` to `out`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    clap_complete::generate(shell, &mut Cli::command(), "rootkeys", out);
}

/// The man page (`assets/rootkeys.1`), as roff.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    Ok(out)
}

/// `rootkeys org …`
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Every member account's root keys and their last use, read-only (one root Audit session
    /// per member); exit 0 no root key, 1 root keys present, 2 an account could not be audited
    Audit {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
        /// Only these accounts (comma-separated 12-digit IDs)
        #[arg(long, value_name = "ID,...", value_delimiter = ',')]
        accounts: Vec<String>,
        /// Accounts audited at once
        #[arg(long, value_name = "N", default_value_t = 32,
              value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
    },
    /// Where each member account stands in the staged removal: the audit plus, per account, its
    /// stage, quarantine, window end, any key use since the quarantine began, and the next action
    Status {
        /// Machine-readable output (the audit's JSON plus `stage`, `quarantined_since`, `window_ends`,
        /// `used_since_quarantine`, `next_action`)
        #[arg(long)]
        json: bool,
        /// Only these accounts (comma-separated 12-digit IDs)
        #[arg(long, value_name = "ID,...", value_delimiter = ',')]
        accounts: Vec<String>,
        /// Accounts read at once
        #[arg(long, value_name = "N", default_value_t = 32,
              value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
    },
    /// Quarantine member accounts' root keys: attach the SCP rootkeys-quarantine-root-access-keys
    /// to each account, denying every request made with its root access keys (the reversible
    /// step: centralized root access cannot deactivate a member's root key)
    Quarantine {
        /// The accounts (12-digit IDs, comma-separated or several arguments)
        #[arg(value_name = "ACCOUNT", required_unless_present = "all_noncompliant")]
        accounts: Vec<String>,
        /// Every account with root keys that is not quarantined yet
        #[arg(long, conflicts_with = "accounts")]
        all_noncompliant: bool,
        /// Quarantine without asking (needed when there is no terminal)
        #[arg(long)]
        yes: bool,
        /// Accounts read and written at once
        #[arg(long, value_name = "N", default_value_t = 32,
              value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
    },
    /// Release quarantined accounts (detach the quarantine SCP): the backout when something
    /// still needed a root key
    Release {
        /// The accounts (12-digit IDs, comma-separated or several arguments)
        #[arg(value_name = "ACCOUNT", required_unless_present = "all_noncompliant")]
        accounts: Vec<String>,
        /// Every quarantined account
        #[arg(long, conflicts_with = "accounts")]
        all_noncompliant: bool,
        /// Release without asking (needed when there is no terminal)
        #[arg(long)]
        yes: bool,
        /// Accounts read and written at once
        #[arg(long, value_name = "N", default_value_t = 32,
              value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
    },
    /// Delete every root access key of quarantined accounts whose window has passed (in a Delete
    /// session), verify in a fresh Audit session that none is left, then detach the quarantine
    Delete {
        /// The accounts (12-digit IDs, comma-separated or several arguments)
        #[arg(value_name = "ACCOUNT", required_unless_present = "all_noncompliant")]
        accounts: Vec<String>,
        /// Every account whose observation window has passed
        #[arg(long, conflicts_with = "accounts")]
        all_noncompliant: bool,
        /// The account IDs again, comma-separated (needed when there is no terminal; at a
        /// terminal they are typed)
        #[arg(long, value_name = "ACCOUNT,...")]
        confirm: Option<String>,
        /// Delete before the observation window has passed (journaled as an override)
        #[arg(long)]
        force: bool,
        /// Accounts read at once
        #[arg(long, value_name = "N", default_value_t = 32,
              value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
    },
    /// Keep root keys from coming back: check for, and offer to attach at the organization root,
    /// the SCP rootkeys-prevent-root-access-keys (denies iam:CreateAccessKey to every member
    /// root user; `AssumeRoot` sessions exempt)
    Prevent {
        /// Attach without the typed root ID when there is no terminal
        #[arg(long)]
        yes: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn observe_accepts_documented_forms() {
        for (arg, secs) in [("90s", 90), ("36h", 36 * 3600), ("7d", 7 * 86400)] {
            let cli = Cli::try_parse_from(["rootkeys", "--observe", arg, "status"]).expect("parse");
            assert_eq!(cli.global.observe.num_seconds(), secs);
        }
        assert!(Cli::try_parse_from(["rootkeys", "--observe", "soon", "status"]).is_err());
    }
}

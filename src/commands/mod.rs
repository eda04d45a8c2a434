//! Plain-terminal commands. Each returns an [`Exit`]; errors are printed
//! here with advice, never as a panic.

pub mod audit;
pub mod history;
pub mod report;
pub mod status;
pub mod usage;
pub mod write;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use crate::account::aws::AwsAccount;
use crate::account::{Account, AccountError};
use crate::cli::{Cli, Command};
use crate::remediate::{RemediateError, Remediator};

/// 0 done; 1 declined at a prompt (audit/report: root keys present);
/// 2 refused or failed; 3 `usage` searched only some of the regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Done,
    Declined,
    Failed,
    Partial,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        match exit {
            Exit::Done => Self::SUCCESS,
            Exit::Declined => Self::from(1),
            Exit::Failed => Self::from(2),
            Exit::Partial => Self::from(usage::EXIT_PARTIAL),
        }
    }
}

/// Print an account error with its advice.
pub fn print_account_error(err: &AccountError) {
    eprintln!("rootkeys: error: {err}");
    eprintln!("  what to do: {}", err.advice());
}

pub fn print_error(err: &RemediateError) -> Exit {
    match err {
        RemediateError::Account(e) => print_account_error(e),
        RemediateError::Refused(refusal) => eprintln!("rootkeys: refused: {refusal}"),
        RemediateError::NotApplied { source, .. } => {
            eprintln!("rootkeys: error: {err}");
            eprintln!("  what to do: {}", source.advice());
        }
        RemediateError::OutcomeUnknown { .. } => {
            eprintln!("rootkeys: error: {err}");
            eprintln!(
                "  what to do: run `rootkeys status` once AWS is reachable: it settles the \
                 journal against the live state before anything else is done"
            );
        }
        other => eprintln!("rootkeys: error: {other}"),
    }
    Exit::Failed
}

/// An access key ID as IAM defines it (16 to 128 word characters), or a
/// clear error that shows the input safely.
pub fn check_key_id(key_id: &str) -> Result<(), Exit> {
    let ok = (16..=128).contains(&key_id.len())
        && key_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        return Ok(());
    }
    eprintln!(
        "rootkeys: error: \"{}\" is not an access key ID (16 to 128 letters and digits, such as \
         AKIAIOSFODNN7EXAMPLE); `rootkeys status` lists root's keys",
        crate::text::foreign(key_id)
    );
    Err(Exit::Failed)
}

/// Is there a person at the keyboard?
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Run a command line against the real account (or offline, for `report`).
pub async fn run(cli: Cli) -> Exit {
    let global = cli.global.clone();
    match cli.command {
        Some(Command::Report { file, json }) => report::run(&file, json),
        Some(Command::Demo { scenario, reset }) => {
            crate::tui::run_demo(&global, &scenario, reset).await
        }
        Some(Command::Usage {
            key_id,
            days,
            regions,
            json,
        }) => {
            if let Err(exit) = check_key_id(&key_id) {
                return exit;
            }
            let account =
                AwsAccount::connect(global.profile.as_deref(), global.region.as_deref()).await;
            usage::run(&account, &key_id, days, &regions, json).await
        }
        // Read-only: the journal is only consulted (for the credential
        // report's age) when there is a state directory.
        Some(Command::Audit { json }) => {
            let account =
                AwsAccount::connect(global.profile.as_deref(), global.region.as_deref()).await;
            let state_dir = global.state_dir().ok();
            audit::run(&account, state_dir.as_deref(), json).await
        }
        command => {
            let state_dir = match global.state_dir() {
                Ok(dir) => dir,
                Err(e) => return print_error(&RemediateError::Journal(e)),
            };
            let account: Arc<dyn Account> = Arc::new(
                AwsAccount::connect(global.profile.as_deref(), global.region.as_deref()).await,
            );
            let remediator = Arc::new(Remediator::new(account, state_dir, global.observe));
            run_on(remediator, command).await
        }
    }
}

/// Run an account command on any backend (real or simulated). Shared, as
/// the interactive view runs its work in background tasks.
pub async fn run_on(shared: Arc<Remediator>, command: Option<Command>) -> Exit {
    use crate::domain::policy::Request;
    let remediator: &Remediator = &shared;
    if let Some(
        Command::Deactivate { key_id, .. }
        | Command::Reactivate { key_id, .. }
        | Command::Delete { key_id, .. },
    ) = &command
        && let Err(exit) = check_key_id(key_id)
    {
        return exit;
    }
    match command {
        Some(Command::Audit { json }) => {
            audit::run(
                remediator.account().as_ref(),
                Some(remediator.state_dir()),
                json,
            )
            .await
        }
        Some(Command::Status { json }) => status::run(remediator, json).await,
        Some(Command::Journal { json }) => history::run(remediator, json).await,
        Some(Command::Deactivate { key_id, yes }) => {
            write::run(
                remediator,
                Request::Deactivate,
                &key_id,
                write::Consent::from_yes(yes),
            )
            .await
        }
        Some(Command::Reactivate { key_id, yes }) => {
            write::run(
                remediator,
                Request::Reactivate,
                &key_id,
                write::Consent::from_yes(yes),
            )
            .await
        }
        Some(Command::Delete {
            key_id,
            confirm,
            force,
        }) => {
            write::run(
                remediator,
                Request::Delete { force },
                &key_id,
                write::Consent::Typed(confirm),
            )
            .await
        }
        None => {
            if std::io::stdout().is_terminal() {
                crate::tui::run_live(Arc::clone(&shared)).await
            } else {
                status::run(remediator, false).await
            }
        }
        Some(Command::Report { .. } | Command::Demo { .. } | Command::Usage { .. }) => Exit::Failed,
    }
}

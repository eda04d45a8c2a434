//! The composition root: turns a parsed command line into a backend
//! (`AwsAccount` for live commands, `SimAccount` for `demo`), a
//! [`Remediator`] over it, and a run of one command or of the interactive
//! view; the result is an [`Exit`].
//!
//! The only module that imports both `commands` and `tui`, and the only one
//! outside `account` that names a concrete backend. Nothing imports `app`
//! but `main.rs`.

use std::io::IsTerminal;
use std::sync::Arc;

use crate::account::Account;
use crate::account::aws::AwsAccount;
use crate::account::sim::{Latency, Scenario, SimAccount, SimClock};
use crate::cli::{Cli, Command, Global, OrgCommand};
use crate::commands::{self, audit, journal, prevent, report, status, usage, write};
use crate::domain::policy::Request;
use crate::exit::Exit;
use crate::org::aws::OrgAws;
use crate::org::run::Options as OrgOptions;
use crate::org::sim::{self as org_sim, OrgLatency, SimOrg};
use crate::remediate::{RemediateError, Remediator};
use crate::tui::org::{Audit as OrgAudit, OrgDemo};
use crate::tui::{self, DemoInfo};

/// Run a command line: against the real account, a simulated one
/// (`demo`), or offline (`report`).
pub async fn run(cli: Cli) -> Exit {
    let global = cli.global;
    match cli.command {
        Some(Command::Report { file, json }) => report::run(&file, json),
        Some(Command::Completions { shell }) => {
            crate::cli::completions(shell, &mut std::io::stdout());
            Exit::Done
        }
        Some(Command::Demo { scenario, reset }) => demo(&global, &scenario, reset).await,
        Some(Command::Org { command }) => org(&global, command).await,
        Some(Command::Usage {
            key_id,
            days,
            regions,
            json,
        }) => {
            if let Err(exit) = commands::check_key_id(&key_id) {
                return exit;
            }
            let account = connect(&global).await;
            usage::run(&account, &key_id, days, &regions, json).await
        }
        // Read-only: the journal is only consulted (for the credential
        // report's age) when there is a state directory.
        Some(Command::Audit { json }) => {
            let account = connect(&global).await;
            let state_dir = global.state_dir().ok();
            audit::run(&account, state_dir.as_deref(), json).await
        }
        // Read-only, and needs no journal.
        Some(Command::Prevent { json }) => prevent::run(&connect(&global).await, json).await,
        command => {
            let state_dir = match global.state_dir() {
                Ok(dir) => dir,
                Err(e) => return commands::print_error(&RemediateError::Journal(e)),
            };
            let account: Arc<dyn Account> = Arc::new(connect(&global).await);
            let remediator = Arc::new(Remediator::new(account, state_dir, global.observe));
            run_on(remediator, command).await
        }
    }
}

async fn connect(global: &Global) -> AwsAccount {
    AwsAccount::connect(global.profile.as_deref(), global.region.as_deref()).await
}

/// Run an account command on the backend behind `remediator` (real or
/// simulated); no command opens the interactive view, or prints `status`
/// when stdout is not a terminal.
pub async fn run_on(remediator: Arc<Remediator>, command: Option<Command>) -> Exit {
    if let Some(
        Command::Deactivate { key_id, .. }
        | Command::Reactivate { key_id, .. }
        | Command::Delete { key_id, .. },
    ) = &command
        && let Err(exit) = commands::check_key_id(key_id)
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
        Some(Command::Status { json }) => status::run(&remediator, json).await,
        Some(Command::Prevent { json }) => prevent::run(remediator.account().as_ref(), json).await,
        Some(Command::Journal { json }) => journal::run(&remediator, json).await,
        Some(Command::Deactivate { key_id, yes }) => {
            let consent = write::Consent::from_yes(yes);
            write::run(&remediator, Request::Deactivate, &key_id, consent).await
        }
        Some(Command::Reactivate { key_id, yes }) => {
            let consent = write::Consent::from_yes(yes);
            write::run(&remediator, Request::Reactivate, &key_id, consent).await
        }
        Some(Command::Delete {
            key_id,
            confirm,
            force,
        }) => {
            let consent = write::Consent::Typed(confirm);
            write::run(&remediator, Request::Delete { force }, &key_id, consent).await
        }
        None => interactive_or_status(remediator, None).await,
        Some(
            Command::Report { .. }
            | Command::Demo { .. }
            | Command::Usage { .. }
            | Command::Completions { .. }
            | Command::Org { .. },
        ) => Exit::Failed,
    }
}

/// `rootkeys org …`: organization mode over the real organization.
async fn org(global: &Global, command: Option<OrgCommand>) -> Exit {
    match command {
        None => {
            // Every session is journaled in its member's journal: the state
            // directory must be one rootkeys can trust before any is opened.
            let state_dir = match global
                .state_dir()
                .and_then(|dir| crate::journal::prepare_state_dir(&dir).map(|()| dir))
            {
                Ok(dir) => dir,
                Err(e) => {
                    eprintln!("rootkeys: error: {e}");
                    return Exit::Failed;
                }
            };
            let access = OrgAws::connect(global.profile.as_deref(), global.region.as_deref()).await;
            let audit = OrgAudit {
                access: Arc::new(access),
                state_dir,
                options: OrgOptions::default(),
                window: global.observe,
            };
            org_view_or_audit(audit, None).await
        }
        Some(command) => org_stage(global, command).await,
    }
}

/// `rootkeys org audit | status | quarantine | release | delete | prevent`.
async fn org_stage(global: &Global, command: OrgCommand) -> Exit {
    use crate::commands::org_stage::{self as stage, Selection};
    use crate::org::stage::OrgRequest;
    let selection = |all: bool, ids: &[String]| -> Result<Selection, Exit> {
        if all {
            Ok(Selection::AllNoncompliant)
        } else {
            stage::accounts(ids).map(Selection::Accounts)
        }
    };
    let access: Arc<dyn crate::org::OrgAccess> =
        Arc::new(OrgAws::connect(global.profile.as_deref(), global.region.as_deref()).await);
    let dir = global.state_dir();
    let window = global.observe;
    match command {
        OrgCommand::Audit {
            json,
            accounts,
            concurrency,
        } => {
            let Ok(options) = commands::org::options(&accounts, concurrency) else {
                return Exit::Failed;
            };
            commands::org::audit(access.as_ref(), dir, &options, json).await
        }
        OrgCommand::Status {
            json,
            accounts,
            concurrency,
        } => {
            let Ok(options) = commands::org::options(&accounts, concurrency) else {
                return Exit::Failed;
            };
            stage::status(access, dir, window, options.concurrency, options.only, json).await
        }
        OrgCommand::Quarantine {
            accounts,
            all_noncompliant,
            yes,
            concurrency,
        } => {
            let Ok(selection) = selection(all_noncompliant, &accounts) else {
                return Exit::Failed;
            };
            stage::quarantine_or_release(
                access,
                dir,
                window,
                usize::from(concurrency),
                OrgRequest::Quarantine,
                selection,
                yes,
            )
            .await
        }
        OrgCommand::Release {
            accounts,
            all_noncompliant,
            yes,
            concurrency,
        } => {
            let Ok(selection) = selection(all_noncompliant, &accounts) else {
                return Exit::Failed;
            };
            stage::quarantine_or_release(
                access,
                dir,
                window,
                usize::from(concurrency),
                OrgRequest::Release,
                selection,
                yes,
            )
            .await
        }
        OrgCommand::Delete {
            accounts,
            all_noncompliant,
            confirm,
            force,
            concurrency,
        } => {
            let Ok(selection) = selection(all_noncompliant, &accounts) else {
                return Exit::Failed;
            };
            stage::delete(
                access,
                dir,
                window,
                usize::from(concurrency),
                selection,
                confirm.as_deref(),
                force,
            )
            .await
        }
        OrgCommand::Prevent { yes } => stage::prevent(access, dir, window, yes).await,
    }
}

/// The organization view when stdout is a terminal, else the audit's table.
async fn org_view_or_audit(audit: OrgAudit, demo: Option<OrgDemo>) -> Exit {
    if std::io::stdout().is_terminal() {
        tui::org::run(audit, demo).await
    } else {
        let OrgAudit {
            access,
            state_dir,
            options,
            ..
        } = audit;
        commands::org::audit(access.as_ref(), Ok(state_dir), &options, false).await
    }
}

/// `rootkeys demo --scenario org`: the organization view over a simulated
/// organization whose state (SCPs and attachments, deleted keys, the
/// clock's skip-ahead) is kept in `<state_dir>/demo/org/sim.json`, beside
/// its members' journals (one per member account); `--reset` removes both.
async fn org_demo(global: &Global, reset: bool) -> Exit {
    let made = global.state_dir().and_then(|state| {
        let demo = state.join("demo");
        let dir = demo.join(org_sim::SCENARIO);
        crate::journal::prepare_state_dir(&state)?;
        crate::journal::prepare_state_dir(&demo)?;
        if reset && let Err(e) = SimOrg::reset(&dir) {
            return Err(crate::journal::JournalError::Io {
                path: dir,
                source: std::io::Error::other(e.to_string()),
            });
        }
        crate::journal::prepare_state_dir(&dir)?;
        Ok(dir)
    });
    let dir = match made {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("rootkeys: error: {e}");
            return Exit::Failed;
        }
    };
    let clock = crate::failpoint::demo_now().map_or(SimClock::System, SimClock::Fixed);
    let sim = match SimOrg::open_in(&dir, clock, OrgLatency::DEMO) {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("rootkeys: error: {e}");
            return Exit::Failed;
        }
    };
    let demo = OrgDemo {
        scenario: org_sim::SCENARIO.to_owned(),
        title: sim.title().to_owned(),
        summary: sim.summary().to_owned(),
        notes: sim.notes(),
    };
    let audit = OrgAudit {
        access: Arc::new(sim),
        state_dir: dir,
        options: OrgOptions {
            concurrency: org_sim::DEMO_CONCURRENCY,
            only: None,
        },
        window: global.observe,
    };
    org_view_or_audit(audit, Some(demo)).await
}

/// The interactive view when stdout is a terminal, else `status`.
async fn interactive_or_status(remediator: Arc<Remediator>, demo: Option<DemoInfo>) -> Exit {
    if std::io::stdout().is_terminal() {
        tui::run(remediator, demo).await
    } else {
        status::run(&remediator, false).await
    }
}

/// `rootkeys demo`: the interactive view over an embedded simulated
/// account whose state lives under `<state_dir>/demo/<scenario>/`.
async fn demo(global: &Global, scenario: &str, reset: bool) -> Exit {
    if scenario == org_sim::SCENARIO {
        return org_demo(global, reset).await;
    }
    // Check the name before it becomes part of a path.
    let scenario = match Scenario::builtin(scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("rootkeys: error: {e}");
            return Exit::Failed;
        }
    };
    // The demo keeps its state and journal under the state directory: it
    // must be one rootkeys can trust before anything is made in it.
    let state_dir = match global
        .state_dir()
        .and_then(|dir| crate::journal::prepare_state_dir(&dir).map(|()| dir))
    {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("rootkeys: error: {e}");
            return Exit::Failed;
        }
    };
    let dir = state_dir.join("demo").join(&scenario.name);
    if reset && let Err(e) = SimAccount::reset(&dir) {
        eprintln!("rootkeys: error: {e}");
        return Exit::Failed;
    }
    let clock = crate::failpoint::demo_now().map_or(SimClock::System, SimClock::Fixed);
    let sim = match SimAccount::open(&scenario.name, &dir, clock, Latency::DEMO) {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("rootkeys: error: {e}");
            return Exit::Failed;
        }
    };
    let info = DemoInfo {
        scenario: scenario.name.clone(),
        title: scenario.title.clone(),
        summary: scenario.summary.clone(),
        notes: sim.notes(),
    };
    let account: Arc<dyn Account> = Arc::new(sim);
    let remediator = Arc::new(Remediator::new(account, dir, global.observe));
    interactive_or_status(remediator, Some(info)).await
}

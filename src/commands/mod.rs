//! Plain-terminal commands. Each returns an [`Exit`]; errors are printed
//! here with advice, never as a panic. Each command receives what it works
//! on (an `&dyn Account`, a `&Remediator`, a file); `crate::app` builds
//! those and dispatches.
//!
//! Imports `remediate`, `account` (the port), `domain`, `journal`,
//! `report`, `render`, `text` and `exit`; never `tui` or `app`.

/// `println!` for command output: a reader that went away
/// (`rootkeys audit --json | head`) ends rootkeys with the status a SIGPIPE
/// gives (141) instead of a panic; any other write error is reported.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::commands::write_out(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for command output (see [`outln!`]).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::commands::write_out(&format!($($arg)*))
    };
}

pub mod audit;
pub mod journal;
pub mod org;
pub mod org_stage;
pub mod prevent;
pub mod report;
pub mod status;
pub mod usage;
pub mod write;

use std::io::IsTerminal;

use crate::account::AccountError;
use crate::exit::Exit;
use crate::remediate::RemediateError;

/// Exit status of a process whose reader went away, as a SIGPIPE gives.
pub const BROKEN_PIPE_EXIT: i32 = 141;

/// Write command output to stdout (see [`outln!`]).
pub fn write_out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            std::process::exit(BROKEN_PIPE_EXIT);
        }
        Err(e) => {
            eprintln!("rootkeys: error: cannot write the output: {e}");
            std::process::exit(2);
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

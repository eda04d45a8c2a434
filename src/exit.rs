//! The exit status of a run, named by what it means for each command.
//!
//! Imports nothing from rootkeys: every layer may return an [`Exit`].

use std::process::ExitCode;

/// What a run ended with. The numbers are part of the interface (scripts
/// test them) and never change:
///
/// | code | variant       | meaning                                              |
/// |------|---------------|------------------------------------------------------|
/// | 0    | `Done`        | done (`audit`, `report`: no root key)                |
/// | 1    | `Declined`    | the operator declined at a prompt (writes)           |
/// | 1    | `KeysPresent` | `audit`, `report`: root access keys are present      |
/// | 2    | `Failed`      | refused, failed, or bad input                        |
/// | 3    | `Partial`     | `usage` searched only some of the requested regions  |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Done,
    Declined,
    KeysPresent,
    Failed,
    Partial,
}

impl Exit {
    /// The process exit status.
    pub const fn code(self) -> u8 {
        match self {
            Self::Done => 0,
            Self::Declined | Self::KeysPresent => 1,
            Self::Failed => 2,
            Self::Partial => 3,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        Self::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn codes_keep_their_numbers() {
        assert_eq!(Exit::Done.code(), 0);
        assert_eq!(Exit::Declined.code(), 1);
        assert_eq!(Exit::KeysPresent.code(), 1);
        assert_eq!(Exit::Failed.code(), 2);
        assert_eq!(Exit::Partial.code(), 3);
    }
}

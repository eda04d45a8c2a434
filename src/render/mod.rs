//! Renderings of domain results for people and scripts, shared by the
//! plain-terminal commands and the interactive view: the text and the JSON
//! of a usage review, and the one format of a date in each.
//!
//! Imports `domain` and `text` only; never `account`, `commands`, `tui`,
//! `journal`, tokio, ratatui or crossterm.

pub mod time;
pub mod usage;

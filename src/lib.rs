//! rootkeys: remove the AWS root user's access keys the safe, staged way.
//!
//! `app` is the composition root (`main.rs` calls it): it builds the
//! backend and the `Remediator` and dispatches to `commands` or `tui`,
//! which never import each other. The module map and the direction of
//! imports are in README ("Development"); `tests/architecture.rs` checks it.

pub mod account;
pub mod app;
pub mod cli;
pub mod commands;
pub mod domain;
pub mod exit;
pub mod failpoint;
pub mod journal;
pub mod org;
pub mod remediate;
pub mod render;
pub mod report;
pub mod text;
pub mod tui;

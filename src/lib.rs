//! rootkeys: remove the AWS root user's access keys the safe, staged way.

pub mod account;
pub mod app;
pub mod cli;
pub mod commands;
pub mod domain;
pub mod exit;
pub mod failpoint;
pub mod journal;
pub mod remediate;
pub mod render;
pub mod report;
pub mod text;
pub mod tui;

//! The interactive view's model: [`state`] holds the types and what the
//! view derives from them, [`update`] the only function that changes them
//! ([`App::update`]). Drawing (`super::view`) only reads an `App`; work that
//! talks to the account is asked for as an [`Effect`](super::action::Effect)
//! and comes back as an [`Action`](super::action::Action). Nothing here
//! awaits, does I/O, draws, or imports `tokio`, `ratatui` or `crossterm`.

mod state;
mod update;

pub use state::{
    App, Banner, BannerKind, Config, Confirm, DemoInfo, JournalState, JournalView, Mode, Pending,
    Quit, Report, Row, TypeToDelete, Usage, UsageView, WIDE, Walkthrough,
};

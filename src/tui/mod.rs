//! The interactive view.

use crate::cli::Global;
use crate::commands::Exit;
use crate::remediate::Remediator;

pub async fn run_live(remediator: &Remediator) -> Exit {
    crate::commands::status::run(remediator, false).await
}

pub async fn run_demo(_global: &Global, _scenario: &str, _reset: bool) -> Exit {
    tokio::task::yield_now().await;
    eprintln!("rootkeys: demo is not available in this build");
    Exit::Failed
}

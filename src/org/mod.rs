//! Organization mode: the root keys of every member account of an AWS
//! Organization, read through centralized root access (`sts:AssumeRoot`
//! with the `IAMAuditRootUserCredentials` task policy), one row per account.
//!
//! - `model`: the rows, their verdicts, the order worst first and the JSON
//!   shape (plain data; no SDK, no runtime).
//! - `port`: [`OrgAccess`], what organization mode needs from AWS (or from
//!   a simulated organization), and [`MemberSession`], one open Audit session.
//! - `preflight`: the prerequisites, checked before any session is opened,
//!   each failure one message with its fix.
//! - `pace`: the pool-wide pause every request waits for after throttling.
//! - `run`: the audit itself: accounts streamed page by page, members audited
//!   concurrently under a bound, each session journaled in the member's journal.
//! - `aws`: the adapter over aws-sdk-organizations, aws-sdk-sts and aws-sdk-iam.
//! - `sim`: the simulated organization of `rootkeys demo --scenario org`.
//!
//! Imports `account` (its error type and the AWS helpers), `domain`,
//! `journal`, `report` and `text`; never `commands`, `tui` or `app`.

pub mod aws;
pub mod model;
pub mod pace;
pub mod port;
pub mod preflight;
pub mod remediate;
pub mod run;
pub mod sim;
pub mod stage;

pub use model::{
    AuditedOrg, ManagementFacts, Member, MemberFacts, MemberRow, MemberStatus, Organization,
    RootFeatures, RowError, RowErrorKind, SessionOpened, StsEndpoint, Verdict,
};
pub use port::{
    DeleteSession, MemberSession, OrgAccess, OrgError, Policy, PolicyRef, ScpRoot, Written,
};

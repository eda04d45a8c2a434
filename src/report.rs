//! placeholder until the parser lands
use chrono::{DateTime, Utc};
use serde::Serialize;
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportLastUsed {
    pub date: DateTime<Utc>,
    pub service: Option<String>,
    pub region: Option<String>,
}
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportKey {
    pub slot: u8,
    pub active: bool,
    pub last_rotated: Option<DateTime<Utc>>,
    pub last_used: Option<ReportLastUsed>,
}
impl ReportKey {
    pub fn present(&self) -> bool {
        self.active || self.last_rotated.is_some()
    }
}
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootRow {
    pub arn: String,
    pub account_id: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub mfa_active: Option<bool>,
    pub keys: Vec<ReportKey>,
}
impl RootRow {
    pub fn present_keys(&self) -> impl Iterator<Item = &ReportKey> {
        self.keys.iter().filter(|k| k.present())
    }
    pub fn cis_compliant(&self) -> bool {
        self.present_keys().next().is_none()
    }
}
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ReportError {
    #[error("x")]
    Empty,
}
pub fn parse_root_row(_input: &[u8]) -> Result<RootRow, ReportError> {
    Err(ReportError::Empty)
}

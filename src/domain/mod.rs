//! Domain types: identities, root keys, stages, and the policy that decides
//! which action is allowed when. Pure: no AWS, no terminal, no clock of its
//! own (the caller passes `now`).
//!
//! Imports only `crate::text` and plain-data crates (chrono, serde); never
//! `account`, `journal`, `remediate`, `render`, `commands`, `tui`, tokio,
//! ratatui, crossterm or an AWS crate (`tests/architecture.rs` checks).

pub mod policy;
pub mod record;
pub mod scp;
pub mod usage;
pub mod window;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who signs the requests of this session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub account_id: String,
    pub arn: String,
    pub user_id: String,
    /// The access key ID of the credentials that sign this session, when
    /// they are long-term or session keys (never the secret).
    pub signing_key_id: Option<String>,
}

impl Identity {
    /// Root means the ARN is exactly `arn:<partition>:iam::<account>:root`.
    pub fn is_root(&self) -> bool {
        is_root_arn(&self.arn, &self.account_id)
    }

    /// The partition of the caller's ARN (`aws`, `aws-us-gov`, `aws-cn`, …).
    pub fn partition(&self) -> &str {
        self.arn.split(':').nth(1).unwrap_or("aws")
    }
}

/// `arn:<partition>:iam::<account>:root`, nothing else.
pub fn is_root_arn(arn: &str, account_id: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4] == account_id
        && parts[5] == "root"
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    Active,
    Inactive,
}

impl std::fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUsed {
    pub date: DateTime<Utc>,
    pub service: Option<String>,
    pub region: Option<String>,
}

/// One of the root user's access keys as seen live (root view) or through
/// the credential report (auditor view, where the key ID is unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootKey {
    pub access_key_id: Option<String>,
    /// Credential report slot (1 or 2), when known.
    pub slot: Option<u8>,
    pub status: KeyStatus,
    pub created: Option<DateTime<Utc>>,
    pub last_used: Option<LastUsed>,
    pub signs_this_session: bool,
}

impl RootKey {
    /// A label for people: the key ID, or the report slot when the ID is unknown.
    pub fn label(&self) -> String {
        match (&self.access_key_id, self.slot) {
            (Some(id), _) => id.clone(),
            (None, Some(slot)) => format!("key slot {slot}"),
            (None, None) => "unknown key".to_owned(),
        }
    }
}

/// How much of the account this session can see and change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Signed in as root: live keys, writes possible.
    Root,
    /// Any other principal: facts from the account summary and the
    /// credential report's root row; read-only.
    Auditor,
}

/// Everything rootkeys knows about the root keys of one account right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inventory {
    pub identity: Identity,
    pub view: View,
    /// `AccountAccessKeysPresent` from the account summary, when readable.
    pub keys_present: Option<u32>,
    /// `AccountMFAEnabled` from the account summary: root has an MFA
    /// device; `None` when it could not be read.
    pub root_mfa: Option<bool>,
    pub keys: Vec<RootKey>,
}

impl Inventory {
    /// CIS: no root access key exists, active or inactive. Fail closed:
    /// compliant only when the account summary (if read) says 0 **and** no
    /// key is listed.
    pub fn cis_compliant(&self) -> bool {
        self.keys_present.is_none_or(|n| n == 0) && self.keys.is_empty()
    }

    /// Keys present: the larger of the summary's count and the keys listed.
    pub fn root_keys_present(&self) -> u32 {
        let listed = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        self.keys_present.map_or(listed, |n| n.max(listed))
    }

    pub fn key(&self, key_id: &str) -> Option<&RootKey> {
        self.keys
            .iter()
            .find(|k| k.access_key_id.as_deref() == Some(key_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inventory(keys_present: Option<u32>, keys: usize) -> Inventory {
        let key = RootKey {
            access_key_id: Some("AKIAKEY1".to_owned()),
            slot: None,
            status: KeyStatus::Inactive,
            created: None,
            last_used: None,
            signs_this_session: false,
        };
        Inventory {
            identity: Identity {
                account_id: "123456789012".to_owned(),
                arn: "arn:aws:iam::123456789012:root".to_owned(),
                user_id: "123456789012".to_owned(),
                signing_key_id: None,
            },
            view: View::Root,
            keys_present,
            root_mfa: None,
            keys: vec![key; keys],
        }
    }

    #[test]
    fn compliant_only_when_the_summary_is_zero_and_no_key_is_listed() {
        assert!(inventory(Some(0), 0).cis_compliant());
        assert!(inventory(None, 0).cis_compliant());
        assert!(!inventory(Some(0), 1).cis_compliant(), "a listed key wins");
        assert!(!inventory(Some(1), 0).cis_compliant());
        assert!(!inventory(None, 2).cis_compliant());
        assert_eq!(inventory(Some(0), 2).root_keys_present(), 2);
        assert_eq!(inventory(Some(2), 1).root_keys_present(), 2);
    }

    #[test]
    fn root_arn_is_recognised_in_every_partition() {
        assert!(is_root_arn(
            "arn:aws:iam::123456789012:root",
            "123456789012"
        ));
        assert!(is_root_arn(
            "arn:aws-us-gov:iam::123456789012:root",
            "123456789012"
        ));
        assert!(is_root_arn(
            "arn:aws-cn:iam::123456789012:root",
            "123456789012"
        ));
    }

    #[test]
    fn other_principals_are_not_root() {
        let acct = "123456789012";
        for arn in [
            "arn:aws:iam::123456789012:user/root",
            "arn:aws:iam::123456789012:user/admin",
            "arn:aws:sts::123456789012:assumed-role/root/session",
            "arn:aws:iam::210987654321:root",
            "arn:aws:iam::123456789012:root/extra",
            "arn:aws:iam::123456789012:rootx",
            "arn::iam::123456789012:root",
            "",
        ] {
            assert!(!is_root_arn(arn, acct), "{arn} must not count as root");
        }
    }
}

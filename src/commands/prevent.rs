//! `rootkeys prevent`: the walkthrough's last step as a command. It checks
//! that root has MFA (`AccountMFAEnabled` from `iam:GetAccountSummary`)
//! and prints the prevention SCP (`crate::domain::scp::PREVENT_POLICY`)
//! with where to attach it. Read-only: it writes nothing, not even the
//! journal.
//!
//! Exit: 0 root has MFA, 1 it has none (a finding, as `audit`'s keys are),
//! 2 it could not be read (the policy is printed all the same).

use serde::Serialize;

use super::{Exit, print_account_error};
use crate::account::{Account, AccountError};
use crate::domain::Identity;
use crate::domain::scp::{PREVENT_DESCRIPTION, PREVENT_NAME, PREVENT_POLICY};
use crate::text::one_line;

/// How to give root an MFA device, in the console.
pub const MFA_ADVICE: &str = "assign an MFA device to root: sign in to the console as root, open \
the account menu (top right), choose Security credentials, then under Multi-factor \
authentication (MFA) choose Assign MFA device";

/// Where the policy goes, in one line.
pub const ATTACH: &str = "Attach it at the organization root (AWS Organizations: Policies, \
Service control policies; the organization's administrator does this), or run `rootkeys org \
prevent` in organization mode.";

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfaFinding {
    On,
    Off,
    /// Why it is not known.
    Unknown(String),
}

impl MfaFinding {
    /// From the account summary's answer.
    pub fn of(summary: &Result<crate::account::AccountSummary, AccountError>) -> Self {
        match summary {
            Ok(s) => match s.root_mfa {
                Some(true) => Self::On,
                Some(false) => Self::Off,
                None => Self::Unknown(
                    "the account summary has no usable AccountMFAEnabled entry".to_owned(),
                ),
            },
            Err(e) => Self::Unknown(e.to_string()),
        }
    }

    pub fn exit(&self) -> Exit {
        match self {
            Self::On => Exit::Done,
            // The finding's status, as audit's for root keys (1).
            Self::Off => Exit::KeysPresent,
            Self::Unknown(_) => Exit::Failed,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::On => "mfa_on",
            Self::Off => "mfa_off",
            Self::Unknown(_) => "unknown",
        }
    }
}

#[derive(Serialize)]
struct PreventJson<'a> {
    account_id: Option<&'a str>,
    caller_arn: Option<&'a str>,
    /// `AccountMFAEnabled`: null when it could not be read.
    root_mfa_enabled: Option<bool>,
    /// `mfa_on`, `mfa_off` or `unknown`.
    check: &'static str,
    /// What to do when MFA is off (null otherwise).
    advice: Option<&'static str>,
    /// Why the check could not be made (null otherwise).
    error: Option<String>,
    scp: ScpJson,
}

#[derive(Serialize)]
struct ScpJson {
    name: &'static str,
    description: &'static str,
    attach: &'static str,
    /// The policy document itself.
    policy: serde_json::Value,
}

pub fn to_json(identity: Option<&Identity>, finding: &MfaFinding) -> String {
    let doc = PreventJson {
        account_id: identity.map(|i| i.account_id.as_str()),
        caller_arn: identity.map(|i| i.arn.as_str()),
        root_mfa_enabled: match finding {
            MfaFinding::On => Some(true),
            MfaFinding::Off => Some(false),
            MfaFinding::Unknown(_) => None,
        },
        check: finding.code(),
        advice: (*finding == MfaFinding::Off).then_some(MFA_ADVICE),
        error: match finding {
            MfaFinding::Unknown(why) => Some(why.clone()),
            _ => None,
        },
        scp: ScpJson {
            name: PREVENT_NAME,
            description: PREVENT_DESCRIPTION,
            attach: ATTACH,
            policy: serde_json::from_str(PREVENT_POLICY).unwrap_or_default(),
        },
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The check, where the policy goes, and the policy last (to copy).
pub fn text(identity: Option<&Identity>, finding: &MfaFinding) -> String {
    let mut out = String::new();
    if let Some(i) = identity {
        out.push_str(&format!(
            "Account {}  ·  caller {}\n",
            one_line(&i.account_id),
            one_line(&i.arn)
        ));
    }
    out.push_str(&match finding {
        MfaFinding::On => "Root MFA: ✓ on (AccountMFAEnabled = 1)\n".to_owned(),
        MfaFinding::Off => {
            format!("Root MFA: ✗ OFF (AccountMFAEnabled = 0)\n  what to do: {MFA_ADVICE}\n")
        }
        MfaFinding::Unknown(_) => {
            "Root MFA: ? could not be read (see the error above); check it in the console \
             (Security credentials, signed in as root)\n"
                .to_owned()
        }
    });
    out.push_str(&format!(
        "\nPrevention SCP {PREVENT_NAME}: denies iam:CreateAccessKey to the root user of every \
         member account (AssumeRoot sessions exempt).\n{ATTACH}\n\n{PREVENT_POLICY}\n"
    ));
    out
}

pub async fn run(account: &dyn Account, json: bool) -> Exit {
    let (identity, summary) = futures::join!(account.identity(), account.account_summary());
    let finding = MfaFinding::of(&summary);
    if let Err(e) = &summary {
        print_account_error(e);
    } else if let MfaFinding::Unknown(why) = &finding {
        eprintln!("rootkeys: error: {why}");
    }
    let identity = identity.ok();
    if json {
        outln!("{}", to_json(identity.as_ref(), &finding));
    } else {
        out!("{}", text(identity.as_ref(), &finding));
    }
    finding.exit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::AccountSummary;

    fn summary(root_mfa: Option<bool>) -> AccountSummary {
        AccountSummary {
            keys_present: 0,
            root_mfa,
        }
    }

    #[test]
    fn exit_is_0_on_1_off_2_unknown() {
        assert_eq!(MfaFinding::of(&Ok(summary(Some(true)))).exit().code(), 0);
        assert_eq!(MfaFinding::of(&Ok(summary(Some(false)))).exit().code(), 1);
        assert_eq!(MfaFinding::of(&Ok(summary(None))).exit().code(), 2);
        let denied = Err(AccountError::AccessDenied {
            action: "iam:GetAccountSummary".to_owned(),
            message: "no".to_owned(),
        });
        assert_eq!(MfaFinding::of(&denied).exit().code(), 2);
    }

    #[test]
    fn text_ends_with_the_policy_to_copy() {
        for finding in [
            MfaFinding::On,
            MfaFinding::Off,
            MfaFinding::Unknown("x".to_owned()),
        ] {
            let out = text(None, &finding);
            assert!(out.ends_with(&format!("{PREVENT_POLICY}\n")), "{out}");
            assert!(out.contains("rootkeys org prevent"), "{out}");
            assert_eq!(
                out.contains("Assign MFA device"),
                finding == MfaFinding::Off
            );
        }
    }

    #[test]
    fn json_carries_the_policy_as_a_document() {
        let doc: serde_json::Value =
            serde_json::from_str(&to_json(None, &MfaFinding::Off)).expect("json");
        assert_eq!(doc["root_mfa_enabled"], false);
        assert_eq!(doc["check"], "mfa_off");
        assert_eq!(doc["scp"]["name"], PREVENT_NAME);
        let policy = serde_json::to_string(&doc["scp"]["policy"]).expect("policy");
        assert!(crate::domain::scp::same_policy(&policy, PREVENT_POLICY));
        let unknown: serde_json::Value =
            serde_json::from_str(&to_json(None, &MfaFinding::Unknown("why".to_owned())))
                .expect("json");
        assert!(unknown["root_mfa_enabled"].is_null());
        assert_eq!(unknown["error"], "why");
    }
}

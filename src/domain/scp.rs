//! The two service control policies rootkeys writes in organization mode,
//! as text: the **quarantine** (the reversible step for a member account's
//! root keys, attached to that one account) and the **prevention** (no root
//! user creates an access key again, attached at the organization root).
//! The single-account walkthrough hands the prevention text to the
//! organization's administrator.
//!
//! Both exempt `AssumeRoot` sessions (`aws:AssumedRoot` is present only in
//! them), so centralized root access keeps working under them.

/// The quarantine policy's name in AWS Organizations.
pub const QUARANTINE_NAME: &str = "rootkeys-quarantine-root-access-keys";

/// Its description (at most 512 characters): what it is and how to remove it.
pub const QUARANTINE_DESCRIPTION: &str = "rootkeys quarantine: denies requests made with the \
member account root user's access keys (no MFA; AssumeRoot sessions exempt). Remove with \
`rootkeys org release ACCOUNT` or detach it from the account in AWS Organizations.";

/// The quarantine policy. It denies every request of the member's root
/// user made without MFA (its long-term access keys; also a console
/// sign-in without MFA), exempts `AssumeRoot` sessions, and leaves a root
/// console sign-in with MFA working for emergencies.
///
/// - `aws:PrincipalArn` is `arn:<partition>:iam::<account>:root` for the
///   root user (`ArnLike` with `*` for the partition and the account).
/// - `aws:AssumedRoot` is present (`"true"`) only in `AssumeRoot` sessions:
///   `Null` = `true` means "not one of them".
/// - `aws:MultiFactorAuthPresent` is absent for long-term access keys:
///   `BoolIfExists` = `false` matches both absent and `false`.
pub const QUARANTINE_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "QuarantineRootAccessKeys",
      "Effect": "Deny",
      "Action": "*",
      "Resource": "*",
      "Condition": {
        "ArnLike": {"aws:PrincipalArn": "arn:*:iam::*:root"},
        "Null": {"aws:AssumedRoot": "true"},
        "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}
      }
    }
  ]
}"#;

/// The prevention policy's name in AWS Organizations.
pub const PREVENT_NAME: &str = "rootkeys-prevent-root-access-keys";

/// Its description.
pub const PREVENT_DESCRIPTION: &str = "rootkeys prevention: denies iam:CreateAccessKey to the \
root user of every member account (AssumeRoot sessions exempt). Remove by detaching it from \
the organization root in AWS Organizations.";

/// The prevention policy: no member root user creates an access key.
pub const PREVENT_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PreventRootAccessKeys",
      "Effect": "Deny",
      "Action": "iam:CreateAccessKey",
      "Resource": "*",
      "Condition": {
        "ArnLike": {"aws:PrincipalArn": "arn:*:iam::*:root"},
        "Null": {"aws:AssumedRoot": "true"}
      }
    }
  ]
}"#;

/// Do two policy documents say the same (as JSON values: whitespace and
/// key order do not count)? A document that is not JSON equals nothing.
pub fn same_policy(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_policies_are_json_within_the_scp_size_limit() {
        for (name, text, description) in [
            (QUARANTINE_NAME, QUARANTINE_POLICY, QUARANTINE_DESCRIPTION),
            (PREVENT_NAME, PREVENT_POLICY, PREVENT_DESCRIPTION),
        ] {
            let value: serde_json::Value = serde_json::from_str(text).expect(name);
            let minified = serde_json::to_string(&value).expect("serialise");
            assert!(
                minified.len() <= 5120,
                "{name}: SCPs are at most 5,120 characters"
            );
            assert!(
                description.len() <= 512,
                "{name}: descriptions are at most 512"
            );
            assert!(name.len() <= 128);
        }
    }

    #[test]
    fn same_policy_ignores_layout_but_not_content() {
        let compact = serde_json::to_string(
            &serde_json::from_str::<serde_json::Value>(QUARANTINE_POLICY).expect("json"),
        )
        .expect("serialise");
        assert!(same_policy(QUARANTINE_POLICY, &compact));
        assert!(!same_policy(QUARANTINE_POLICY, PREVENT_POLICY));
        assert!(!same_policy(
            QUARANTINE_POLICY,
            &QUARANTINE_POLICY.replace("arn:*:iam::*:root", "arn:*:iam::*:user/*")
        ));
        assert!(!same_policy("not json", "not json"));
    }

    #[test]
    fn both_exempt_assume_root_sessions() {
        for text in [QUARANTINE_POLICY, PREVENT_POLICY] {
            let v: serde_json::Value = serde_json::from_str(text).expect("json");
            assert_eq!(
                v["Statement"][0]["Condition"]["Null"]["aws:AssumedRoot"],
                "true"
            );
        }
    }
}

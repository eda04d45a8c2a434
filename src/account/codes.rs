//! AWS error codes and what they mean to rootkeys: the one table from a
//! service's error code to its kind (denied, bad or expired credentials,
//! throttled), shared by the AWS backend's error classifier
//! (`account::aws::errors`) and the front ends that word a region failure.
//!
//! Plain strings only: must not import the SDK (`aws_sdk_*`, `aws_smithy_*`),
//! `crate::account::aws`, or the front ends (`tui`, `commands`).

/// Error codes that mean "slow down".
pub const THROTTLING_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
];

/// What an AWS error code says about the failed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// The caller may not do this.
    AccessDenied,
    /// The credentials are not valid (unknown key, bad signature).
    InvalidCredentials,
    /// The credentials were valid once and have expired.
    ExpiredCredentials,
    /// Too many requests: slow down and retry.
    Throttled,
    /// Anything else: the code speaks for itself.
    Other,
}

/// The kind of an AWS error code.
#[must_use]
pub fn code_kind(code: &str) -> CodeKind {
    match code {
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            CodeKind::AccessDenied
        }
        "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "UnrecognizedClientException"
        | "InvalidAccessKeyId" => CodeKind::InvalidCredentials,
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired" => {
            CodeKind::ExpiredCredentials
        }
        _ if THROTTLING_CODES.contains(&code) => CodeKind::Throttled,
        _ => CodeKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_throttling_code_is_throttled_and_others_keep_their_kind() {
        for code in THROTTLING_CODES {
            assert_eq!(code_kind(code), CodeKind::Throttled, "{code}");
        }
        assert_eq!(code_kind("AccessDeniedException"), CodeKind::AccessDenied);
        assert_eq!(
            code_kind("SignatureDoesNotMatch"),
            CodeKind::InvalidCredentials
        );
        assert_eq!(code_kind("ExpiredToken"), CodeKind::ExpiredCredentials);
        assert_eq!(code_kind("NoSuchEntity"), CodeKind::Other);
        assert_eq!(code_kind("throttling"), CodeKind::Other, "codes are exact");
    }
}

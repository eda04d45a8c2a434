//! The one SDK error classifier for every AWS client rootkeys uses (IAM,
//! STS, `CloudTrail`, the Account API, and any later one): [`classify`]
//! turns an `SdkError` into an [`SdkFailure`] (what happened, with the error
//! code's kind from `account::codes`), and each caller words that failure in
//! its own terms: [`map_sdk_error`] here for the `Account` port, and
//! `region_failure` in `aws::cloudtrail` for the usage review.
//!
//! Must not import the front ends (`tui`, `commands`) or ratatui.

use std::error::Error as _;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use crate::account::AccountError;
use crate::account::codes::{CodeKind, code_kind};
use crate::text;

/// One failed SDK call, classified. Texts are raw (from AWS or the SDK's
/// error chain); whoever shows them passes them through `text::foreign`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkFailure {
    /// The credential chain found no credentials, or failed: why.
    NoCredentials(String),
    /// The request could not be sent, or no answer came.
    Dispatch {
        /// The connection timed out.
        timeout: bool,
        /// The connection failed (refused, reset, ...).
        io: bool,
        /// The connection was refused: the request was certainly never sent.
        refused: bool,
        /// The error and its sources on one line.
        chain: String,
    },
    /// The SDK's own operation timeout fired.
    TimedOut,
    /// The request could not be built.
    Construction { chain: String },
    /// An answer came that is not an AWS error (no error code): a proxy, a
    /// captive portal, an empty body.
    NotAws {
        /// `HTTP 502`, `an empty HTTP 200`, or `no HTTP status`.
        detail: String,
        chain: String,
    },
    /// AWS answered with an error code.
    Service {
        code: String,
        kind: CodeKind,
        message: Option<String>,
        status: Option<u16>,
    },
}

/// What went wrong with one SDK call.
pub fn classify<E>(err: &SdkError<E, HttpResponse>) -> SdkFailure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match err {
        SdkError::DispatchFailure(failure) => {
            if let Some(creds) = find_credentials_error(err) {
                return SdkFailure::NoCredentials(creds);
            }
            return SdkFailure::Dispatch {
                timeout: failure.is_timeout(),
                io: failure.is_io(),
                refused: connect_refused(err),
                chain: chain(err),
            };
        }
        SdkError::TimeoutError(_) => return SdkFailure::TimedOut,
        SdkError::ConstructionFailure(_) => {
            if let Some(creds) = find_credentials_error(err) {
                return SdkFailure::NoCredentials(creds);
            }
            return SdkFailure::Construction { chain: chain(err) };
        }
        SdkError::ResponseError(_) => {
            return SdkFailure::NotAws {
                detail: http_detail(err),
                chain: chain(err),
            };
        }
        _ => {}
    }
    match err.code() {
        Some(code) => SdkFailure::Service {
            code: code.to_owned(),
            kind: code_kind(code),
            message: err.message().map(str::to_owned),
            status: err.raw_response().map(|r| r.status().as_u16()),
        },
        None => SdkFailure::NotAws {
            detail: http_detail(err),
            chain: chain(err),
        },
    }
}

/// Map an SDK error to the operator's terms. Every message from outside
/// (AWS, a proxy, the SDK's error chain) goes through [`text::foreign`]:
/// control characters escaped, anything token-like redacted, length bounded.
pub fn map_sdk_error<E>(action: &str, err: &SdkError<E, HttpResponse>) -> AccountError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match classify(err) {
        SdkFailure::NoCredentials(creds) => AccountError::NoCredentials {
            message: text::foreign(&creds),
        },
        SdkFailure::Dispatch {
            timeout,
            io,
            refused,
            chain,
        } => {
            let chain = text::foreign(&chain);
            if timeout {
                AccountError::NoAnswer {
                    message: format!("the connection timed out during {action} ({chain})"),
                }
            } else if refused {
                AccountError::Unreachable {
                    message: format!("the connection was refused during {action} ({chain})"),
                }
            } else {
                let what = if io {
                    "the connection failed"
                } else {
                    "the request failed on its way"
                };
                AccountError::NoAnswer {
                    message: format!("{what} during {action} ({chain})"),
                }
            }
        }
        SdkFailure::TimedOut => AccountError::NoAnswer {
            message: format!("{action} timed out"),
        },
        SdkFailure::Construction { chain } => AccountError::Service {
            action: action.to_owned(),
            code: "RequestConstruction".to_owned(),
            message: text::foreign(&chain),
        },
        SdkFailure::NotAws { detail, chain } => AccountError::NotAws {
            action: action.to_owned(),
            detail,
            message: text::foreign(&chain),
        },
        SdkFailure::Service {
            code,
            kind,
            message,
            status,
        } => {
            let code = text::foreign(&code);
            let message = text::foreign(message.as_deref().unwrap_or_default());
            match kind {
                CodeKind::AccessDenied => AccountError::AccessDenied {
                    action: action.to_owned(),
                    message,
                },
                CodeKind::InvalidCredentials => AccountError::InvalidCredentials { code, message },
                CodeKind::ExpiredCredentials => AccountError::ExpiredCredentials { code, message },
                CodeKind::Throttled => AccountError::Throttled {
                    action: action.to_owned(),
                },
                CodeKind::Other if status.is_some_and(|s| s >= 500) => AccountError::ServerError {
                    action: action.to_owned(),
                    status: status.unwrap_or(500),
                    code,
                    message,
                },
                CodeKind::Other => AccountError::Service {
                    action: action.to_owned(),
                    code,
                    message,
                },
            }
        }
    }
}

/// `HTTP 502`, or `an empty HTTP 200`, for an answer that is not AWS's.
fn http_detail<E>(err: &SdkError<E, HttpResponse>) -> String {
    match err.raw_response() {
        Some(r) if r.body().bytes().is_some_and(<[u8]>::is_empty) => {
            format!("an empty HTTP {}", r.status().as_u16())
        }
        Some(r) => format!("HTTP {}", r.status().as_u16()),
        None => "no HTTP status".to_owned(),
    }
}

/// A refused connection: the request was certainly never sent.
fn connect_refused(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        current = e.source();
    }
    false
}

fn find_credentials_error(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(creds) = e.downcast_ref::<CredentialsError>() {
            return Some(match creds {
                CredentialsError::CredentialsNotLoaded(_) => {
                    "the default credential chain (environment, profiles, SSO, process, instance metadata) found none".to_owned()
                }
                other => {
                    let mut text = other.to_string();
                    if let Some(src) = other.source() {
                        text.push_str(": ");
                        text.push_str(&src.to_string());
                    }
                    text
                }
            });
        }
        current = e.source();
    }
    None
}

/// The error and its sources on one line.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut current = err.source();
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::aws::cloudtrail::region_failure;
    use crate::account::codes::THROTTLING_CODES;
    use aws_sdk_iam::operation::get_account_summary::GetAccountSummaryError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn service(code: &str, status: u16) -> SdkError<GetAccountSummaryError, HttpResponse> {
        let raw = HttpResponse::new(
            StatusCode::try_from(status).expect("status"),
            SdkBody::empty(),
        );
        let err = GetAccountSummaryError::generic(
            ErrorMetadata::builder()
                .code(code)
                .message("from AWS")
                .build(),
        );
        SdkError::service_error(err, raw)
    }

    #[test]
    fn one_classification_serves_the_account_port_and_the_usage_review() {
        for code in THROTTLING_CODES {
            let err = service(code, 400);
            assert!(
                matches!(map_sdk_error("iam:X", &err), AccountError::Throttled { .. }),
                "{code}"
            );
            assert!(region_failure("iam:X", &err).throttled, "{code}");
        }
        let denied = service("AccessDenied", 403);
        assert!(matches!(
            map_sdk_error("iam:X", &denied),
            AccountError::AccessDenied { .. }
        ));
        let f = region_failure("iam:X", &denied);
        assert_eq!(
            (f.code.as_str(), f.message.as_str(), f.throttled),
            ("AccessDenied", "from AWS", false)
        );
        assert!(matches!(
            map_sdk_error("iam:X", &service("InternalFailure", 503)),
            AccountError::ServerError { status: 503, .. }
        ));
        assert_eq!(
            classify(&service("NoSuchEntity", 404)),
            SdkFailure::Service {
                code: "NoSuchEntity".to_owned(),
                kind: CodeKind::Other,
                message: Some("from AWS".to_owned()),
                status: Some(404),
            }
        );
    }
}

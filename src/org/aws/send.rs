//! Sending one request: the pool-wide pause ([`Pace`]) before it, and our
//! own retries after it (the SDK's clients make one attempt). Which
//! failures are tried again depends on what the request does ([`Retry`]):
//! a read may be asked again whatever happened to the first answer; a write
//! only when AWS certainly did not apply it.

use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

use super::super::pace::{ATTEMPTS, Pace};
use super::super::port::OrgError;
use crate::account::{AccountError, AccountResult};
use crate::text;

/// Which failures a request is tried again after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Retry {
    /// Throttling, a refused connection, a server error, and a lost answer
    /// (a read: asking again changes nothing).
    Lost,
    /// The same but a lost answer (the request may have taken effect).
    /// `AssumeRoot`: a second session after a server error is harmless,
    /// one whose answer was lost could not be journaled.
    NotLost,
    /// Only what says the request was not applied: throttling (AWS refused
    /// it before acting on it) and a refused connection (it was never
    /// sent). For writes (an SCP created, attached or detached, a key
    /// deleted): after a lost answer or a server error the write may have
    /// taken effect, and the same request sent again would answer for
    /// itself, not for the first one (`DuplicatePolicyAttachmentException`,
    /// `PolicyNotAttachedException`, `NoSuchEntity`), hiding what the first
    /// did. Such a failure is returned as it is (its `outcome_unknown()` is
    /// true) for the caller to settle from the live state.
    NotApplied,
}

pub(super) fn retryable(err: &AccountError, retry: Retry) -> bool {
    match err {
        AccountError::Throttled { .. } | AccountError::Unreachable { .. } => true,
        AccountError::ServerError { .. } => retry != Retry::NotApplied,
        AccountError::NoAnswer { .. } => retry == Retry::Lost,
        _ => false,
    }
}

/// Before trying a failed request again: a throttle pauses every request
/// of the pool; other failures wait a little, here only.
async fn back_off(pace: &Pace, err: &AccountError, attempt: u32) {
    if matches!(err, AccountError::Throttled { .. }) {
        pace.throttled();
    } else {
        tokio::time::sleep(Duration::from_millis(100) * attempt).await;
    }
}

/// Send one request through the pool-wide pause, trying again (up to
/// [`ATTEMPTS`] times in all) after the failures `retry` allows.
pub(super) async fn paced<T, F, Fut>(pace: &Pace, retry: Retry, mut send: F) -> AccountResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = AccountResult<T>>,
{
    let mut attempt = 1;
    loop {
        pace.ready().await;
        match send().await {
            Ok(out) => {
                pace.succeeded();
                return Ok(out);
            }
            Err(e) if attempt < ATTEMPTS && retryable(&e, retry) => {
                back_off(pace, &e, attempt).await;
            }
            Err(e) => return Err(e),
        }
        attempt += 1;
    }
}

/// [`paced`] for reads whose failures may say something about the
/// organization (an [`OrgError`]).
pub(super) async fn paced_org<T, F, Fut>(pace: &Pace, mut send: F) -> Result<T, OrgError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, OrgError>>,
{
    let mut attempt = 1;
    loop {
        pace.ready().await;
        match send().await {
            Ok(out) => {
                pace.succeeded();
                return Ok(out);
            }
            Err(OrgError::Account(e)) if attempt < ATTEMPTS && retryable(&e, Retry::Lost) => {
                back_off(pace, &e, attempt).await;
            }
            Err(e) => return Err(e),
        }
        attempt += 1;
    }
}

/// Every item of a paged read: `page(token)` is one page (already paced),
/// with the next page's token. A token that comes back a second time is an
/// answer rootkeys cannot trust (it would page for ever).
pub(super) async fn all_pages<T, F, Fut>(action: &str, mut page: F) -> AccountResult<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = AccountResult<(Vec<T>, Option<String>)>>,
{
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut token = None;
    loop {
        let (mut more, next) = page(token).await?;
        items.append(&mut more);
        match next.filter(|t| !t.is_empty()) {
            None => return Ok(items),
            Some(next) if !seen.insert(next.clone()) => {
                return Err(AccountError::Unexpected {
                    action: action.to_owned(),
                    message: format!("the answer repeats the page token {}", text::foreign(&next)),
                });
            }
            Some(next) => token = Some(next),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_tried_again_only_when_aws_certainly_did_not_apply_them() {
        let throttled = AccountError::Throttled {
            action: "organizations:AttachPolicy".to_owned(),
        };
        let refused = AccountError::Unreachable {
            message: "refused".to_owned(),
        };
        let lost = AccountError::NoAnswer {
            message: "reset".to_owned(),
        };
        let server = AccountError::ServerError {
            action: "organizations:AttachPolicy".to_owned(),
            status: 500,
            code: "ServiceException".to_owned(),
            message: "later".to_owned(),
        };
        let denied = AccountError::AccessDenied {
            action: "organizations:AttachPolicy".to_owned(),
            message: "no".to_owned(),
        };
        for (err, lost_retry, not_lost, not_applied) in [
            (&throttled, true, true, true),
            (&refused, true, true, true),
            (&lost, true, false, false),
            (&server, true, true, false),
            (&denied, false, false, false),
        ] {
            assert_eq!(retryable(err, Retry::Lost), lost_retry, "{err:?}");
            assert_eq!(retryable(err, Retry::NotLost), not_lost, "{err:?}");
            assert_eq!(retryable(err, Retry::NotApplied), not_applied, "{err:?}");
        }
        // What a write does not try again is exactly what may have been
        // applied, but for a refused connection (never sent).
        for err in [&lost, &server] {
            assert!(err.outcome_unknown() && !retryable(err, Retry::NotApplied));
        }
    }

    #[tokio::test]
    async fn pages_are_read_until_the_last_and_a_repeated_token_stops() {
        let pages = |token: Option<String>| async move {
            Ok(match token.as_deref() {
                None => (vec![1], Some("a".to_owned())),
                Some("a") => (vec![2, 3], Some("b".to_owned())),
                _ => (vec![4], Some(String::new())),
            })
        };
        assert_eq!(all_pages("x:List", pages).await, Ok(vec![1, 2, 3, 4]));

        let looping = |token: Option<String>| async move {
            Ok((vec![token.is_some()], Some("same".to_owned())))
        };
        let err = all_pages("x:List", looping).await.expect_err("stops");
        assert!(
            matches!(&err, AccountError::Unexpected { message, .. } if message.contains("same")),
            "{err:?}"
        );
    }
}

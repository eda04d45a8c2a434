//! `AssumeRoot` in the simulated organization and the sessions it opens:
//! an Audit session reads a member's root user, a Delete session lists and
//! deletes its keys. Neither carries credentials; both read and change the
//! live state, and an SCP that denies the member's root denies them.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use futures::future::{BoxFuture, FutureExt};

use super::{Inner, pause};
use crate::account::{AccountError, AccountResult};
use crate::domain::RootKey;
use crate::org::model::{
    AUDIT_TASK_POLICY, DELETE_TASK_POLICY, MAX_SESSION_SECS, MemberFacts, MemberStatus,
    SessionOpened, task_policy_arn,
};
use crate::org::port::{DeleteSession, MemberSession, Written};

impl Inner {
    pub(super) fn open_audit_session(
        self: &Arc<Self>,
        account_id: &str,
        caller_arn: &str,
    ) -> BoxFuture<'_, AccountResult<Box<dyn MemberSession>>> {
        self.open_session(account_id, caller_arn, AUDIT_TASK_POLICY, |s| {
            Box::new(SimSession(s))
        })
    }

    pub(super) fn open_delete_session(
        self: &Arc<Self>,
        account_id: &str,
        caller_arn: &str,
    ) -> BoxFuture<'_, AccountResult<Box<dyn DeleteSession>>> {
        self.open_session(account_id, caller_arn, DELETE_TASK_POLICY, |s| {
            Box::new(SimDeleteSession(s))
        })
    }

    /// `AssumeRoot` with `task_policy`, then the session `wrap` makes of it.
    fn open_session<S: ?Sized + Send + 'static>(
        self: &Arc<Self>,
        account_id: &str,
        caller_arn: &str,
        task_policy: &'static str,
        wrap: fn(Session) -> Box<S>,
    ) -> BoxFuture<'_, AccountResult<Box<S>>> {
        let account_id = account_id.to_owned();
        let caller_arn = caller_arn.to_owned();
        async move {
            let (opened, jitter) = self.assume(&account_id, &caller_arn, task_policy).await?;
            Ok(wrap(Session {
                opened,
                inner: Arc::clone(self),
                latency: self.latency.read + jitter,
            }))
        }
        .boxed()
    }

    /// `AssumeRoot` in `account_id` with `task_policy`: refused for the
    /// management account, an account outside the organization and a
    /// suspended account, as AWS does.
    async fn assume(
        &self,
        account_id: &str,
        caller_arn: &str,
        task_policy: &str,
    ) -> AccountResult<(SessionOpened, Duration)> {
        let refused = |message: String| AccountError::AccessDenied {
            action: "sts:AssumeRoot".to_owned(),
            message,
        };
        let Some(member) = self.member(account_id) else {
            pause(self.latency.assume).await;
            // The management account, or an account of another organization.
            return Err(refused(format!(
                "User: {caller_arn} is not authorized to perform: sts:AssumeRoot on resource: \
                 arn:aws:iam::{account_id}:root"
            )));
        };
        pause(self.latency.assume + member.jitter / 2).await;
        if member.member.status != MemberStatus::Active {
            return Err(refused(format!(
                "User: {caller_arn} is not authorized to perform: sts:AssumeRoot on resource: \
                 arn:aws:iam::{account_id}:root because the account is suspended or closing"
            )));
        }
        let opened = self.now_with(&self.lock());
        Ok((
            SessionOpened {
                account_id: account_id.to_owned(),
                caller_arn: caller_arn.to_owned(),
                task_policy_arn: task_policy_arn(self.caller.partition(), task_policy),
                request_id: Some(self.request_id()),
                opened,
                expires: Some(opened + TimeDelta::seconds(i64::from(MAX_SESSION_SECS))),
                duration_secs: MAX_SESSION_SECS,
            },
            member.jitter,
        ))
    }

    /// An SCP without the `AssumeRoot` exemption denies the session's
    /// requests.
    fn scp_deny(&self, account_id: &str, action: &str) -> AccountResult<()> {
        if self.scp_denies_root(account_id) {
            Err(AccountError::AccessDenied {
                action: action.to_owned(),
                message: format!(
                    "User: arn:aws:iam::{account_id}:root is not authorized to perform: {action} \
                     on resource: arn:aws:iam::{account_id}:root with an explicit deny in a \
                     service control policy"
                ),
            })
        } else {
            Ok(())
        }
    }
}

/// What a simulated session holds: no credentials.
struct Session {
    opened: SessionOpened,
    inner: Arc<Inner>,
    latency: Duration,
}

impl Session {
    /// Root's access keys (`ListAccessKeys`), with or without their last use.
    async fn root_keys(&self, with_last_use: bool) -> AccountResult<Vec<RootKey>> {
        pause(self.latency).await;
        let account = &self.opened.account_id;
        self.inner.scp_deny(account, "iam:ListAccessKeys")?;
        let (live, _) = self.inner.current();
        Ok(live
            .keys(account)
            .iter()
            .map(|k| k.root_key(with_last_use))
            .collect())
    }
}

/// One simulated Audit session: it reads the live state.
struct SimSession(Session);

impl MemberSession for SimSession {
    fn opened(&self) -> &SessionOpened {
        &self.0.opened
    }

    fn read_root(&self) -> BoxFuture<'_, AccountResult<MemberFacts>> {
        async move {
            let keys = self.0.root_keys(true).await?;
            let member = self.0.inner.member(&self.0.opened.account_id);
            Ok(MemberFacts {
                keys,
                mfa_enabled: member.map(|m| m.mfa_enabled),
                password_present: member.map(|m| m.password_present),
            })
        }
        .boxed()
    }
}

/// One simulated Delete session: lists root's keys (without their last
/// use) and deletes them; nothing else.
struct SimDeleteSession(Session);

impl DeleteSession for SimDeleteSession {
    fn opened(&self) -> &SessionOpened {
        &self.0.opened
    }

    fn keys(&self) -> BoxFuture<'_, AccountResult<Vec<RootKey>>> {
        self.0.root_keys(false).boxed()
    }

    fn delete_key(&self, key_id: &str) -> BoxFuture<'_, AccountResult<Written<()>>> {
        let key_id = key_id.to_owned();
        async move {
            let session = &self.0;
            pause(session.latency).await;
            let account = &session.opened.account_id;
            session.inner.scp_deny(account, "iam:DeleteAccessKey")?;
            session.inner.change("iam:DeleteAccessKey", |live, _| {
                live.delete_key(account, &key_id)
            })?;
            Ok(session.inner.written(()))
        }
        .boxed()
    }
}

//! Root sessions in member accounts: `sts:AssumeRoot` with one task policy,
//! and a member IAM client built from the session's credentials (in memory
//! only; dropped with the session). Two kinds, one type each, so that a
//! request a session's task policy forbids cannot be written:
//!
//! - [`AwsAuditSession`] (`IAMAuditRootUserCredentials`): reads root's keys
//!   with their last use, MFA and password. No write at all.
//! - [`AwsDeleteSession`] (`IAMDeleteRootUserCredentials`): lists root's
//!   keys and deletes one. It cannot deactivate a key (no task policy
//!   allows `iam:UpdateAccessKey`).

use std::sync::Arc;

use aws_credential_types::Credentials;
use aws_sdk_iam::types::StatusType;
use aws_sdk_sts::operation::RequestId;
use aws_sdk_sts::types::PolicyDescriptorType;
use chrono::{DateTime, Utc};
use futures::future::{BoxFuture, FutureExt};

use super::super::model::{
    AUDIT_TASK_POLICY, DELETE_TASK_POLICY, MAX_SESSION_SECS, MemberFacts, SessionOpened,
    task_policy_arn,
};
use super::super::pace::Pace;
use super::super::port::{DeleteSession, MemberSession, Written};
use super::OrgAws;
use super::send::{Retry, paced};
use crate::account::aws::{map_sdk_error, to_chrono};
use crate::account::{AccountError, AccountResult};
use crate::domain::{KeyStatus, LastUsed, RootKey};
use crate::text;

/// AWS's request ID of an answer, as text that is safe to show.
pub(super) fn request_id_of(out: &impl RequestId) -> Option<String> {
    out.request_id().map(|id| text::one_line(id).into_owned())
}

/// One of root's keys as `ListAccessKeys` gives it.
struct ListedKey {
    id: String,
    status: KeyStatus,
    created: Option<DateTime<Utc>>,
}

/// What both kinds of session hold: the member's IAM client (the session's
/// credentials live only in it), the pool-wide pause, and what the journal
/// records about the session.
struct RootSession {
    iam: aws_sdk_iam::Client,
    pace: Arc<Pace>,
    opened: SessionOpened,
}

impl OrgAws {
    /// `sts:AssumeRoot` in `account_id` with the task policy named
    /// `task_policy`, for at most [`MAX_SESSION_SECS`].
    async fn assume_root(
        &self,
        account_id: &str,
        caller_arn: &str,
        task_policy: &str,
    ) -> AccountResult<RootSession> {
        let partition = caller_arn.split(':').nth(1).unwrap_or("aws");
        let policy = task_policy_arn(partition, task_policy);
        // A session whose answer was lost may have been opened: it is not
        // asked for again (it could not be journaled with its request ID).
        let out = paced(&self.pace, Retry::NotLost, || async {
            self.sts
                .assume_root()
                .target_principal(account_id)
                .task_policy_arn(PolicyDescriptorType::builder().arn(&policy).build())
                .duration_seconds(MAX_SESSION_SECS)
                .send()
                .await
                .map_err(|e| map_sdk_error("sts:AssumeRoot", &e))
        })
        .await?;
        let opened = crate::failpoint::now();
        let request_id = request_id_of(&out);
        let creds = out.credentials().ok_or_else(|| AccountError::Unexpected {
            action: "sts:AssumeRoot".to_owned(),
            message: "the answer has no credentials".to_owned(),
        })?;
        let expiry = to_chrono(creds.expiration());
        // Never use a session past the 900 s AWS grants, whatever the
        // answer says.
        let limit = opened + chrono::TimeDelta::seconds(i64::from(MAX_SESSION_SECS));
        let expires = Some(expiry.map_or(limit, |e| e.min(limit)));
        let credentials = Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token().to_owned()),
            expires.map(std::time::SystemTime::from),
            "AssumeRoot",
        );
        Ok(RootSession {
            iam: (self.member_iam)(credentials),
            pace: Arc::clone(&self.pace),
            opened: SessionOpened {
                account_id: account_id.to_owned(),
                caller_arn: caller_arn.to_owned(),
                task_policy_arn: policy,
                request_id,
                opened,
                expires,
                duration_secs: MAX_SESSION_SECS,
            },
        })
    }

    pub(super) async fn open_audit_impl(
        &self,
        account_id: &str,
        caller_arn: &str,
    ) -> AccountResult<Box<dyn MemberSession>> {
        let session = self
            .assume_root(account_id, caller_arn, AUDIT_TASK_POLICY)
            .await?;
        Ok(Box::new(AwsAuditSession(session)))
    }

    pub(super) async fn open_delete_impl(
        &self,
        account_id: &str,
        caller_arn: &str,
    ) -> AccountResult<Box<dyn DeleteSession>> {
        let session = self
            .assume_root(account_id, caller_arn, DELETE_TASK_POLICY)
            .await?;
        Ok(Box::new(AwsDeleteSession(session)))
    }
}

impl RootSession {
    /// Root's keys (`iam:ListAccessKeys` without `UserName`: the session
    /// acts on the member's root user).
    async fn list_keys(&self) -> AccountResult<Vec<ListedKey>> {
        let out = paced(&self.pace, Retry::Lost, || async {
            self.iam
                .list_access_keys()
                .send()
                .await
                .map_err(|e| map_sdk_error("iam:ListAccessKeys", &e))
        })
        .await?;
        Ok(out
            .access_key_metadata()
            .iter()
            .filter_map(|m| {
                Some(ListedKey {
                    id: text::one_line(m.access_key_id()?).into_owned(),
                    // Fail closed: only an explicit Inactive is inactive.
                    status: match m.status() {
                        Some(StatusType::Inactive) => KeyStatus::Inactive,
                        _ => KeyStatus::Active,
                    },
                    created: m.create_date().and_then(to_chrono),
                })
            })
            .collect())
    }
}

/// An Audit session: reads only.
struct AwsAuditSession(RootSession);

impl AwsAuditSession {
    async fn last_used(&self, key_id: &str) -> AccountResult<Option<LastUsed>> {
        let out = paced(&self.0.pace, Retry::Lost, || async {
            self.0
                .iam
                .get_access_key_last_used()
                .access_key_id(key_id)
                .send()
                .await
                .map_err(|e| map_sdk_error("iam:GetAccessKeyLastUsed", &e))
        })
        .await?;
        let na = |v: &str| (!v.is_empty() && v != "N/A").then(|| v.to_owned());
        Ok(out.access_key_last_used().and_then(|u| {
            Some(LastUsed {
                date: to_chrono(u.last_used_date()?)?,
                service: na(u.service_name()),
                region: na(u.region()),
            })
        }))
    }

    /// Root has an MFA device; `None` when it cannot be read.
    async fn mfa(&self) -> Option<bool> {
        paced(&self.0.pace, Retry::Lost, || async {
            self.0
                .iam
                .list_mfa_devices()
                .send()
                .await
                .map_err(|e| map_sdk_error("iam:ListMFADevices", &e))
        })
        .await
        .ok()
        .map(|out| !out.mfa_devices().is_empty())
    }

    /// Root has a console password; `None` when it cannot be read.
    async fn password(&self) -> Option<bool> {
        match paced(&self.0.pace, Retry::Lost, || async {
            self.0
                .iam
                .get_login_profile()
                .send()
                .await
                .map_err(|e| map_sdk_error("iam:GetLoginProfile", &e))
        })
        .await
        {
            Ok(_) => Some(true),
            Err(AccountError::Service { code, .. }) if code == "NoSuchEntity" => Some(false),
            Err(_) => None,
        }
    }

    async fn read_impl(&self) -> AccountResult<MemberFacts> {
        let (listed, mfa_enabled, password_present) =
            futures::join!(self.0.list_keys(), self.mfa(), self.password());
        let listed = listed?;
        let uses = futures::future::join_all(listed.iter().map(|k| self.last_used(&k.id))).await;
        let keys = listed
            .into_iter()
            .zip(uses)
            .map(|(key, used)| {
                Ok(RootKey {
                    access_key_id: Some(key.id),
                    slot: None,
                    status: key.status,
                    created: key.created,
                    last_used: used?,
                    signs_this_session: false,
                })
            })
            .collect::<AccountResult<Vec<_>>>()?;
        Ok(MemberFacts {
            keys,
            mfa_enabled,
            password_present,
        })
    }
}

impl MemberSession for AwsAuditSession {
    fn opened(&self) -> &SessionOpened {
        &self.0.opened
    }
    fn read_root(&self) -> BoxFuture<'_, AccountResult<MemberFacts>> {
        self.read_impl().boxed()
    }
}

/// A Delete session: lists root's keys and deletes one.
struct AwsDeleteSession(RootSession);

impl AwsDeleteSession {
    async fn keys_impl(&self) -> AccountResult<Vec<RootKey>> {
        Ok(self
            .0
            .list_keys()
            .await?
            .into_iter()
            .map(|key| RootKey {
                access_key_id: Some(key.id),
                slot: None,
                status: key.status,
                created: key.created,
                // Not read in a Delete session (the port's contract): a
                // key's last use is an Audit session's reading.
                last_used: None,
                signs_this_session: false,
            })
            .collect())
    }

    /// `iam:DeleteAccessKey` with only `AccessKeyId`: a `UserName` would
    /// name an IAM user, and the task policy refuses any request with one.
    /// Not tried again after a lost answer or a server error (the key may
    /// be gone, and a second request would answer `NoSuchEntity` for it).
    async fn delete_impl(&self, key_id: &str) -> AccountResult<Written<()>> {
        let out = paced(&self.0.pace, Retry::NotApplied, || async {
            self.0
                .iam
                .delete_access_key()
                .access_key_id(key_id)
                .send()
                .await
                .map_err(|e| match map_sdk_error("iam:DeleteAccessKey", &e) {
                    AccountError::Service { code, .. } if code == "NoSuchEntity" => {
                        AccountError::NoSuchKey {
                            key: text::one_line(key_id).into_owned(),
                        }
                    }
                    other => other,
                })
        })
        .await?;
        Ok(Written {
            value: (),
            request_id: request_id_of(&out),
        })
    }
}

impl DeleteSession for AwsDeleteSession {
    fn opened(&self) -> &SessionOpened {
        &self.0.opened
    }
    fn keys(&self) -> BoxFuture<'_, AccountResult<Vec<RootKey>>> {
        self.keys_impl().boxed()
    }
    fn delete_key(&self, key_id: &str) -> BoxFuture<'_, AccountResult<Written<()>>> {
        let key_id = key_id.to_owned();
        async move { self.delete_impl(&key_id).await }.boxed()
    }
}

//! The simulated Organizations calls on service control policies: each
//! takes a fast round trip, checks its target, and changes the state under
//! AWS's rules (`live::rules`); every write is saved before it answers.

use futures::future::{BoxFuture, FutureExt};

use super::live::Live;
use super::{Inner, pause};
use crate::account::{AccountError, AccountResult};
use crate::org::port::{Policy, PolicyRef, ScpRoot, Written};

impl Inner {
    pub(super) fn scp_root(&self) -> BoxFuture<'_, AccountResult<ScpRoot>> {
        async move {
            pause(self.latency.fast).await;
            Ok(ScpRoot {
                id: self.root_id.clone(),
                scp_enabled: self.lock().scp_enabled,
            })
        }
        .boxed()
    }

    pub(super) fn find_policy(&self, name: &str) -> BoxFuture<'_, AccountResult<Option<Policy>>> {
        let name = name.to_owned();
        async move {
            // ListPolicies, then DescribePolicy.
            pause(self.latency.fast * 2).await;
            Ok(self.lock().find_policy(&name))
        }
        .boxed()
    }

    pub(super) fn create_policy(
        &self,
        name: &str,
        description: &str,
        content: &str,
    ) -> BoxFuture<'_, AccountResult<Written<PolicyRef>>> {
        let (name, description, content) =
            (name.to_owned(), description.to_owned(), content.to_owned());
        async move {
            pause(self.latency.fast).await;
            let value = self.change("organizations:CreatePolicy", |live, _| {
                live.create_policy(&name, &description, &content)
            })?;
            Ok(self.written(value))
        }
        .boxed()
    }

    pub(super) fn policies_for_target(
        &self,
        target: &str,
    ) -> BoxFuture<'_, AccountResult<Vec<PolicyRef>>> {
        let target = target.to_owned();
        async move {
            pause(self.latency.fast).await;
            self.target("organizations:ListPoliciesForTarget", &target)?;
            Ok(self.lock().policies_for_target(&target))
        }
        .boxed()
    }

    pub(super) fn policy_targets(
        &self,
        policy_id: &str,
    ) -> BoxFuture<'_, AccountResult<Vec<String>>> {
        let policy_id = policy_id.to_owned();
        async move {
            pause(self.latency.fast).await;
            self.lock().policy_targets(&policy_id)
        }
        .boxed()
    }

    pub(super) fn attach_policy(
        &self,
        policy_id: &str,
        target: &str,
    ) -> BoxFuture<'_, AccountResult<Written<()>>> {
        self.attachment(
            "organizations:AttachPolicy",
            policy_id,
            target,
            Live::attach,
        )
    }

    pub(super) fn detach_policy(
        &self,
        policy_id: &str,
        target: &str,
    ) -> BoxFuture<'_, AccountResult<Written<()>>> {
        self.attachment(
            "organizations:DetachPolicy",
            policy_id,
            target,
            Live::detach,
        )
    }

    /// `AttachPolicy` or `DetachPolicy` (`action`): the target is checked,
    /// then `apply` changes the attachments and the change is saved.
    fn attachment(
        &self,
        action: &'static str,
        policy_id: &str,
        target: &str,
        apply: fn(&mut Live, &str, &str) -> AccountResult<()>,
    ) -> BoxFuture<'_, AccountResult<Written<()>>> {
        let (policy_id, target) = (policy_id.to_owned(), target.to_owned());
        async move {
            pause(self.latency.fast).await;
            self.target(action, &target)?;
            self.change(action, |live, _| apply(live, &policy_id, &target))?;
            Ok(self.written(()))
        }
        .boxed()
    }

    /// A target of `AttachPolicy` and the like: the root or an account of
    /// the organization.
    fn target(&self, action: &str, target: &str) -> AccountResult<()> {
        if target == self.root_id
            || target == self.management.account_id
            || self.member(target).is_some()
        {
            Ok(())
        } else {
            Err(AccountError::Service {
                action: action.to_owned(),
                code: "TargetNotFoundException".to_owned(),
                message: "We can't find a root, OU, account, or email that you specified."
                    .to_owned(),
            })
        }
    }
}

//! Service control policies over aws-sdk-organizations: the organization
//! root, finding and creating a policy, where policies are attached, and
//! attaching and detaching one.
//!
//! Reads are tried again after any transient failure; writes (create,
//! attach, detach) only when AWS certainly did not apply them
//! ([`Retry::NotApplied`]), and they return AWS's request ID for the
//! journal. Names, IDs and documents from AWS pass through
//! [`text::one_line`]: a policy document keeps its meaning as JSON (its
//! newlines and tabs become spaces; a raw control character is not valid
//! JSON in the first place).

use aws_sdk_organizations::types::{PolicySummary, PolicyType, PolicyTypeStatus};

use super::super::port::{Policy, PolicyRef, ScpRoot, Written};
use super::OrgAws;
use super::send::{Retry, all_pages, paced};
use super::session::request_id_of;
use crate::account::aws::map_sdk_error;
use crate::account::{AccountError, AccountResult};
use crate::text;

fn unexpected(action: &str, message: &str) -> AccountError {
    AccountError::Unexpected {
        action: action.to_owned(),
        message: message.to_owned(),
    }
}

/// A policy summary as the port names it; `None` without an ID.
fn policy_ref(summary: &PolicySummary) -> Option<PolicyRef> {
    Some(PolicyRef {
        id: text::one_line(summary.id()?).into_owned(),
        name: text::one_line(summary.name().unwrap_or_default()).into_owned(),
        aws_managed: summary.aws_managed(),
    })
}

impl OrgAws {
    pub(super) async fn scp_root_impl(&self) -> AccountResult<ScpRoot> {
        const ACTION: &str = "organizations:ListRoots";
        let out = paced(&self.pace, Retry::Lost, || async {
            self.orgs
                .list_roots()
                .send()
                .await
                .map_err(|e| map_sdk_error(ACTION, &e))
        })
        .await?;
        // An organization has exactly one root.
        let [root] = out.roots() else {
            return Err(unexpected(
                ACTION,
                &format!("the answer names {} roots, not one", out.roots().len()),
            ));
        };
        let id = root
            .id()
            .ok_or_else(|| unexpected(ACTION, "the root has no ID"))?;
        let scp_enabled = root.policy_types().iter().any(|t| {
            t.r#type() == Some(&PolicyType::ServiceControlPolicy)
                && t.status() == Some(&PolicyTypeStatus::Enabled)
        });
        Ok(ScpRoot {
            id: text::one_line(id).into_owned(),
            scp_enabled,
        })
    }

    pub(super) async fn find_policy_impl(&self, name: &str) -> AccountResult<Option<Policy>> {
        const ACTION: &str = "organizations:ListPolicies";
        const DESCRIBE: &str = "organizations:DescribePolicy";
        let summaries = all_pages(ACTION, |token| async move {
            let out = paced(&self.pace, Retry::Lost, || async {
                self.orgs
                    .list_policies()
                    .filter(PolicyType::ServiceControlPolicy)
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| map_sdk_error(ACTION, &e))
            })
            .await?;
            Ok((out.policies().to_vec(), out.next_token().map(str::to_owned)))
        })
        .await?;
        // The exact name, compared before anything is escaped.
        let Some(found) = summaries
            .iter()
            .find(|p| p.name() == Some(name))
            .and_then(policy_ref)
        else {
            return Ok(None);
        };
        let out = paced(&self.pace, Retry::Lost, || async {
            self.orgs
                .describe_policy()
                .policy_id(&found.id)
                .send()
                .await
                .map_err(|e| map_sdk_error(DESCRIBE, &e))
        })
        .await?;
        let content = out
            .policy()
            .and_then(|p| p.content())
            .ok_or_else(|| unexpected(DESCRIBE, "the answer has no policy document"))?;
        Ok(Some(Policy {
            policy: found,
            content: text::one_line(content).into_owned(),
        }))
    }

    pub(super) async fn create_policy_impl(
        &self,
        name: &str,
        description: &str,
        content: &str,
    ) -> AccountResult<Written<PolicyRef>> {
        const ACTION: &str = "organizations:CreatePolicy";
        let out = paced(&self.pace, Retry::NotApplied, || async {
            self.orgs
                .create_policy()
                .name(name)
                .description(description)
                .content(content)
                .r#type(PolicyType::ServiceControlPolicy)
                .send()
                .await
                .map_err(|e| map_sdk_error(ACTION, &e))
        })
        .await?;
        let value = out
            .policy()
            .and_then(|p| p.policy_summary())
            .and_then(policy_ref)
            .ok_or_else(|| unexpected(ACTION, "the answer names no policy"))?;
        Ok(Written {
            value,
            request_id: request_id_of(&out),
        })
    }

    pub(super) async fn policies_for_target_impl(
        &self,
        target: &str,
    ) -> AccountResult<Vec<PolicyRef>> {
        const ACTION: &str = "organizations:ListPoliciesForTarget";
        all_pages(ACTION, |token| async move {
            let out = paced(&self.pace, Retry::Lost, || async {
                self.orgs
                    .list_policies_for_target()
                    .target_id(target)
                    .filter(PolicyType::ServiceControlPolicy)
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| map_sdk_error(ACTION, &e))
            })
            .await?;
            Ok((
                out.policies().iter().filter_map(policy_ref).collect(),
                out.next_token().map(str::to_owned),
            ))
        })
        .await
    }

    pub(super) async fn policy_targets_impl(&self, policy_id: &str) -> AccountResult<Vec<String>> {
        const ACTION: &str = "organizations:ListTargetsForPolicy";
        all_pages(ACTION, |token| async move {
            let out = paced(&self.pace, Retry::Lost, || async {
                self.orgs
                    .list_targets_for_policy()
                    .policy_id(policy_id)
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| map_sdk_error(ACTION, &e))
            })
            .await?;
            Ok((
                out.targets()
                    .iter()
                    .filter_map(|t| Some(text::one_line(t.target_id()?).into_owned()))
                    .collect(),
                out.next_token().map(str::to_owned),
            ))
        })
        .await
    }

    pub(super) async fn attach_policy_impl(
        &self,
        policy_id: &str,
        target: &str,
    ) -> AccountResult<Written<()>> {
        let out = paced(&self.pace, Retry::NotApplied, || async {
            self.orgs
                .attach_policy()
                .policy_id(policy_id)
                .target_id(target)
                .send()
                .await
                .map_err(|e| map_sdk_error("organizations:AttachPolicy", &e))
        })
        .await?;
        Ok(Written {
            value: (),
            request_id: request_id_of(&out),
        })
    }

    pub(super) async fn detach_policy_impl(
        &self,
        policy_id: &str,
        target: &str,
    ) -> AccountResult<Written<()>> {
        let out = paced(&self.pace, Retry::NotApplied, || async {
            self.orgs
                .detach_policy()
                .policy_id(policy_id)
                .target_id(target)
                .send()
                .await
                .map_err(|e| map_sdk_error("organizations:DetachPolicy", &e))
        })
        .await?;
        Ok(Written {
            value: (),
            request_id: request_id_of(&out),
        })
    }
}

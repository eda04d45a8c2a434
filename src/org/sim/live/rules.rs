//! AWS's rules for service control policies, as the simulated
//! organization applies them: a policy's name, description and size, no
//! duplicate name or attachment, at most five policies per target and
//! never the last one, and SCPs enabled in the root.

use super::{Live, SimPolicy, service};
use crate::account::AccountError;
use crate::domain::scp;
use crate::org::port::{Policy, PolicyRef};

/// The most SCPs one target holds (AWS quota).
pub const MAX_PER_TARGET: usize = 5;
/// The largest SCP document (characters, whitespace outside strings not counted).
pub const MAX_POLICY_CHARS: usize = 5120;

impl Live {
    /// The quarantine applies to this account: an SCP attached to it or to
    /// the root says what rootkeys' quarantine says.
    pub(super) fn quarantined(&self, root_id: &str, account_id: &str) -> bool {
        self.attached_to(account_id)
            .iter()
            .chain(self.attached_to(root_id))
            .filter_map(|id| self.policy(id))
            .any(|p| scp::same_policy(&p.content, scp::QUARANTINE_POLICY))
    }

    pub(in crate::org::sim) fn find_policy(&self, name: &str) -> Option<Policy> {
        self.policies
            .iter()
            .find(|p| p.name == name)
            .map(|p| Policy {
                policy: p.reference(),
                content: p.content.clone(),
            })
    }

    pub(in crate::org::sim) fn policies_for_target(&self, target: &str) -> Vec<PolicyRef> {
        self.attached_to(target)
            .iter()
            .filter_map(|id| self.policy(id))
            .map(SimPolicy::reference)
            .collect()
    }

    pub(in crate::org::sim) fn policy_targets(
        &self,
        policy_id: &str,
    ) -> Result<Vec<String>, AccountError> {
        self.existing("organizations:ListTargetsForPolicy", policy_id)?;
        Ok(self
            .attachments
            .iter()
            .filter(|(_, ids)| ids.iter().any(|id| id == policy_id))
            .map(|(t, _)| t.clone())
            .collect())
    }

    fn existing(&self, action: &str, policy_id: &str) -> Result<&SimPolicy, AccountError> {
        self.policy(policy_id).ok_or_else(|| {
            service(
                action,
                "PolicyNotFoundException",
                "We can't find a policy with the PolicyId that you specified.",
            )
        })
    }

    pub(in crate::org::sim) fn create_policy(
        &mut self,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<PolicyRef, AccountError> {
        const ACTION: &str = "organizations:CreatePolicy";
        if name.is_empty() || name.chars().count() > 128 || description.chars().count() > 512 {
            return Err(service(
                ACTION,
                "InvalidInputException",
                "The requested operation failed because you provided invalid values for one or \
                 more of the request parameters (Name: 1 to 128 characters, Description: at most \
                 512).",
            ));
        }
        let minified = serde_json::from_str::<serde_json::Value>(content)
            .ok()
            .filter(serde_json::Value::is_object)
            .and_then(|v| serde_json::to_string(&v).ok());
        match minified {
            Some(m) if m.chars().count() <= MAX_POLICY_CHARS => {}
            Some(_) => {
                return Err(service(
                    ACTION,
                    "ConstraintViolationException",
                    "You attempted to create a policy larger than the maximum size \
                     (POLICY_CONTENT_LIMIT_EXCEEDED).",
                ));
            }
            None => {
                return Err(service(
                    ACTION,
                    "MalformedPolicyDocumentException",
                    "The provided policy document doesn't meet the requirements of the specified \
                     policy type.",
                ));
            }
        }
        if self.policies.iter().any(|p| p.name == name) {
            return Err(service(
                ACTION,
                "DuplicatePolicyException",
                "A policy with the same name already exists.",
            ));
        }
        self.created += 1;
        let policy = SimPolicy {
            id: policy_id(self.created),
            name: name.to_owned(),
            description: description.to_owned(),
            content: content.to_owned(),
            aws_managed: false,
        };
        let reference = policy.reference();
        self.policies.push(policy);
        Ok(reference)
    }

    fn require_scps(&self, action: &str) -> Result<(), AccountError> {
        if self.scp_enabled {
            Ok(())
        } else {
            Err(service(
                action,
                "PolicyTypeNotEnabledException",
                "The specified policy type isn't currently enabled in this root. You can't \
                 attach policies of the specified type to entities in a root until you enable \
                 that type in the root.",
            ))
        }
    }

    pub(in crate::org::sim) fn attach(
        &mut self,
        policy_id: &str,
        target: &str,
    ) -> Result<(), AccountError> {
        const ACTION: &str = "organizations:AttachPolicy";
        self.existing(ACTION, policy_id)?;
        self.require_scps(ACTION)?;
        let attached = self.attached_to(target);
        if attached.iter().any(|id| id == policy_id) {
            return Err(service(
                ACTION,
                "DuplicatePolicyAttachmentException",
                "The selected policy is already attached to the specified target.",
            ));
        }
        if attached.len() >= MAX_PER_TARGET {
            return Err(service(
                ACTION,
                "ConstraintViolationException",
                "You have attached the maximum number of policies to the specified target \
                 (POLICY_NUMBER_LIMIT_EXCEEDED).",
            ));
        }
        self.attachments
            .entry(target.to_owned())
            .or_default()
            .push(policy_id.to_owned());
        Ok(())
    }

    pub(in crate::org::sim) fn detach(
        &mut self,
        policy_id: &str,
        target: &str,
    ) -> Result<(), AccountError> {
        const ACTION: &str = "organizations:DetachPolicy";
        self.existing(ACTION, policy_id)?;
        self.require_scps(ACTION)?;
        let attached = self.attached_to(target);
        if !attached.iter().any(|id| id == policy_id) {
            return Err(service(
                ACTION,
                "PolicyNotAttachedException",
                "The policy isn't attached to the specified target in the specified root.",
            ));
        }
        if attached.len() == 1 {
            return Err(service(
                ACTION,
                "ConstraintViolationException",
                "You cannot remove the last service control policy from a target \
                 (MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED).",
            ));
        }
        if let Some(ids) = self.attachments.get_mut(target) {
            ids.retain(|id| id != policy_id);
        }
        Ok(())
    }
}

pub(super) fn policy_id(n: u32) -> String {
    format!("p-rk{n:06}")
}

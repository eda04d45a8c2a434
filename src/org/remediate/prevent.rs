//! Prevention: the SCP that denies root `iam:CreateAccessKey` at the
//! organization root.

use super::{
    OrgRemediator, PreventState, SCP_LIMIT_PER_TARGET, WriteOutcome, WriteResult,
    organizations_failure, request_id_text,
};
use crate::domain::record::Act;
use crate::domain::scp;
use crate::org::preflight::{self, PreflightFailure};
use crate::text::one_line;

impl OrgRemediator {
    /// Is the prevention SCP attached at the organization root?
    pub async fn prevent_state(&self) -> Result<PreventState, PreflightFailure> {
        let ready = preflight::check(self.access.as_ref()).await?;
        let root = self.access.scp_root().await.map_err(|e| {
            organizations_failure("reading the organization root (organizations:ListRoots)", e)
        })?;
        let found = self
            .access
            .find_policy(scp::PREVENT_NAME)
            .await
            .map_err(|e| {
                organizations_failure(
                    "looking for the prevention policy (organizations:ListPolicies, DescribePolicy)",
                    e,
                )
            })?;
        let policy = match found {
            Some(p) if !scp::same_policy(&p.content, scp::PREVENT_POLICY) => {
                return Err(PreflightFailure::PolicyConflict {
                    name: p.policy.name,
                    policy_id: p.policy.id,
                });
            }
            Some(p) => Some(p.policy),
            None => None,
        };
        let at_root = if root.scp_enabled {
            self.access
                .policies_for_target(&root.id)
                .await
                .map_err(|e| {
                    organizations_failure(
                        "listing the SCPs of the root (organizations:ListPoliciesForTarget)",
                        e,
                    )
                })?
        } else {
            Vec::new()
        };
        let attached = at_root
            .iter()
            .find(|p| {
                policy.as_ref().is_some_and(|ours| ours.id == p.id) || p.name == scp::PREVENT_NAME
            })
            .cloned();
        Ok(PreventState {
            ready,
            root_policies: at_root.len(),
            root,
            attached,
            policy,
        })
    }

    /// Create (unless it exists) and attach the prevention SCP at the
    /// organization root; journaled in the caller's account.
    pub async fn prevent(&self, state: &mut PreventState) -> WriteResult {
        let account = state.ready.caller.account_id.clone();
        let caller = state.ready.caller.arn.clone();
        if !state.root.scp_enabled {
            return WriteResult::new(
                &account,
                WriteOutcome::Refused(
                    PreflightFailure::ScpsDisabled {
                        root_id: state.root.id.clone(),
                    }
                    .to_string(),
                ),
            );
        }
        if state.attached.is_some() {
            return self.observed(
                &account,
                &caller,
                Act::Prevent,
                "already attached at the root",
            );
        }
        if state.root_policies >= SCP_LIMIT_PER_TARGET {
            return WriteResult::new(
                &account,
                WriteOutcome::Refused(format!(
                    "the root already has {} SCPs attached, the most AWS allows per target; \
                     detach one, or attach {} to each top-level OU instead",
                    state.root_policies,
                    scp::PREVENT_NAME
                )),
            );
        }
        let mut steps = Vec::new();
        let policy = match &state.policy {
            Some(p) => p.clone(),
            None => match self
                .access
                .create_policy(
                    scp::PREVENT_NAME,
                    scp::PREVENT_DESCRIPTION,
                    scp::PREVENT_POLICY,
                )
                .await
            {
                Ok(w) => {
                    steps.push(format!(
                        "created SCP {} ({}), request ID {}",
                        scp::PREVENT_NAME,
                        one_line(&w.value.id),
                        request_id_text(w.request_id.as_deref())
                    ));
                    state.policy = Some(w.value.clone());
                    w.value
                }
                Err(e) => {
                    return WriteResult::new(
                        &account,
                        WriteOutcome::Failed(format!("{e}; {}", e.advice())),
                    );
                }
            },
        };
        let note = format!(
            "SCP {} ({}) attached at the organization root {}: no member root user can create an \
             access key",
            scp::PREVENT_NAME,
            one_line(&policy.id),
            one_line(&state.root.id)
        );
        let root_id = state.root.id.clone();
        let mut r = self
            .write(
                &account,
                &caller,
                Act::Prevent,
                None,
                false,
                "",
                note,
                || {
                    let policy_id = policy.id.clone();
                    async move {
                        self.access
                            .attach_policy(&policy_id, &root_id)
                            .await
                            .map(|w| w.request_id)
                    }
                },
            )
            .await;
        if r.ok() {
            state.attached = Some(policy);
        }
        steps.append(&mut r.steps);
        r.steps = steps;
        r
    }
}

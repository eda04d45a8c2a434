//! The [`OrgAccess`] port of the simulated organization: the caller, the
//! organization, its accounts and the management account's root, read
//! here; the SCP calls (`scps`) and the member sessions (`sessions`) are
//! handed on.

use chrono::{DateTime, Utc};
use futures::future::{BoxFuture, FutureExt};
use futures::stream::{self, BoxStream, StreamExt};

use super::{PAGE_SIZE, SimOrg, pause};
use crate::account::AccountResult;
use crate::domain::Identity;
use crate::org::model::{ManagementFacts, Member, Organization, RootFeatures, StsEndpoint};
use crate::org::port::{
    DeleteSession, MemberSession, OrgAccess, OrgError, OrgSimulation, Policy, PolicyRef, ScpRoot,
    Written,
};

impl OrgAccess for SimOrg {
    fn caller(&self) -> BoxFuture<'_, AccountResult<Identity>> {
        async move {
            pause(self.inner.latency.fast).await;
            Ok(self.inner.caller.clone())
        }
        .boxed()
    }

    fn organization(&self) -> BoxFuture<'_, Result<Organization, OrgError>> {
        async move {
            pause(self.inner.latency.fast).await;
            Ok(self.inner.organization.clone())
        }
        .boxed()
    }

    fn root_features(&self) -> BoxFuture<'_, Result<RootFeatures, OrgError>> {
        async move {
            pause(self.inner.latency.fast).await;
            Ok(RootFeatures {
                credentials_management: true,
                root_sessions: true,
            })
        }
        .boxed()
    }

    fn sts_endpoint(&self) -> StsEndpoint {
        StsEndpoint::Regional(format!("https://sts.{}.amazonaws.com", self.inner.region))
    }

    fn accounts(&self) -> BoxStream<'_, AccountResult<Vec<Member>>> {
        let all: Vec<Member> = std::iter::once(self.inner.management.clone())
            .chain(self.inner.members.iter().map(|m| m.member.clone()))
            .collect();
        let pages: Vec<Vec<Member>> = all.chunks(PAGE_SIZE).map(<[Member]>::to_vec).collect();
        let latency = self.inner.latency.page;
        stream::iter(pages)
            .then(move |page| async move {
                pause(latency).await;
                Ok(page)
            })
            .boxed()
    }

    fn open_audit_session(
        &self,
        account_id: &str,
        caller_arn: &str,
    ) -> BoxFuture<'_, AccountResult<Box<dyn MemberSession>>> {
        self.inner.open_audit_session(account_id, caller_arn)
    }

    fn management_root(&self) -> BoxFuture<'_, AccountResult<ManagementFacts>> {
        async move {
            pause(self.inner.latency.report).await;
            let keys = self.inner.management_keys.clone();
            Ok(ManagementFacts {
                keys_present: Some(u32::try_from(keys.len()).unwrap_or(u32::MAX)),
                keys,
                mfa_enabled: Some(self.inner.management_mfa),
                report_generated: Some(self.now() - self.inner.report_age),
            })
        }
        .boxed()
    }

    fn now(&self) -> DateTime<Utc> {
        self.inner.now_with(&self.inner.lock())
    }

    fn scp_root(&self) -> BoxFuture<'_, AccountResult<ScpRoot>> {
        self.inner.scp_root()
    }

    fn find_policy(&self, name: &str) -> BoxFuture<'_, AccountResult<Option<Policy>>> {
        self.inner.find_policy(name)
    }

    fn create_policy(
        &self,
        name: &str,
        description: &str,
        content: &str,
    ) -> BoxFuture<'_, AccountResult<Written<PolicyRef>>> {
        self.inner.create_policy(name, description, content)
    }

    fn policies_for_target(&self, target: &str) -> BoxFuture<'_, AccountResult<Vec<PolicyRef>>> {
        self.inner.policies_for_target(target)
    }

    fn policy_targets(&self, policy_id: &str) -> BoxFuture<'_, AccountResult<Vec<String>>> {
        self.inner.policy_targets(policy_id)
    }

    fn attach_policy(
        &self,
        policy_id: &str,
        target: &str,
    ) -> BoxFuture<'_, AccountResult<Written<()>>> {
        self.inner.attach_policy(policy_id, target)
    }

    fn detach_policy(
        &self,
        policy_id: &str,
        target: &str,
    ) -> BoxFuture<'_, AccountResult<Written<()>>> {
        self.inner.detach_policy(policy_id, target)
    }

    fn open_delete_session(
        &self,
        account_id: &str,
        caller_arn: &str,
    ) -> BoxFuture<'_, AccountResult<Box<dyn DeleteSession>>> {
        self.inner.open_delete_session(account_id, caller_arn)
    }

    fn simulation(&self) -> Option<&dyn OrgSimulation> {
        Some(self)
    }
}

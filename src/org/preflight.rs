//! The prerequisites of centralized root access, checked before any
//! session is opened. Each failure is one message with its fix. The STS
//! endpoint comes first, from the configuration (no request goes to a
//! global endpoint); then the facts are gathered in one round trip (caller,
//! organization, IAM features together) and judged in a fixed order: the
//! caller, the organization's feature set, the caller's standing, IAM
//! trusted access, the `RootCredentialsManagement` feature. A custom
//! endpoint that turns out to be a global one is found by `AssumeRoot`'s
//! `InvalidAction` (see `org::run`).

use super::model::{IAM_SERVICE_PRINCIPAL, Organization, RootFeatures, StsEndpoint};
use super::port::{OrgAccess, OrgError};
use crate::account::AccountError;
use crate::domain::Identity;
use crate::text::one_line;

/// What the audit starts from once every prerequisite holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    pub caller: Identity,
    pub organization: Organization,
    pub features: RootFeatures,
    pub endpoint: StsEndpoint,
}

impl Ready {
    /// The caller signs in the management account (else it is the IAM
    /// delegated administrator).
    pub fn in_management_account(&self) -> bool {
        self.caller.account_id == self.organization.management_account_id
    }
}

/// A prerequisite that does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreflightFailure {
    /// Root may not call `AssumeRoot`.
    RootCaller {
        arn: String,
    },
    NotInOrganization {
        account_id: String,
    },
    NotAllFeatures {
        organization_id: Option<String>,
    },
    NotManagementOrDelegatedAdmin {
        account_id: String,
        management_account_id: Option<String>,
    },
    TrustedAccessNotEnabled,
    RootCredentialsManagementDisabled,
    GlobalStsEndpoint {
        url: String,
    },
    /// Service control policies are not enabled on the organization root:
    /// rootkeys never enables them itself.
    ScpsDisabled {
        root_id: String,
    },
    /// A policy with rootkeys' name but another content: never overwritten.
    PolicyConflict {
        name: String,
        policy_id: String,
    },
    /// Any other failure while gathering the facts (credentials, a denied
    /// read, the network), with what was being read.
    Account {
        what: &'static str,
        error: AccountError,
    },
}

impl std::fmt::Display for PreflightFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::RootCaller { arn } => write!(
                f,
                "the caller is the root user ({}): AssumeRoot is called by an IAM principal, never by root",
                one_line(arn)
            ),
            Self::NotInOrganization { account_id } => write!(
                f,
                "account {} is not in an AWS Organization",
                one_line(account_id)
            ),
            Self::NotAllFeatures { organization_id } => write!(
                f,
                "organization {} has only consolidated billing features; centralized root access needs all features",
                one_line(organization_id.as_deref().unwrap_or("(unknown)"))
            ),
            Self::NotManagementOrDelegatedAdmin {
                account_id,
                management_account_id,
            } => write!(
                f,
                "the caller's account {} is neither the management account{} nor the delegated administrator for {IAM_SERVICE_PRINCIPAL}",
                one_line(account_id),
                management_account_id
                    .as_deref()
                    .map(|m| format!(" ({})", one_line(m)))
                    .unwrap_or_default()
            ),
            Self::TrustedAccessNotEnabled => write!(
                f,
                "trusted access for {IAM_SERVICE_PRINCIPAL} is not enabled in the organization"
            ),
            Self::RootCredentialsManagementDisabled => f.write_str(
                "the IAM organization feature RootCredentialsManagement (centralized root access) is not enabled",
            ),
            Self::GlobalStsEndpoint { url } => write!(
                f,
                "STS requests go to the global endpoint ({}), which answers AssumeRoot with InvalidAction",
                one_line(url)
            ),
            Self::ScpsDisabled { root_id } => write!(
                f,
                "service control policies are not enabled on the organization root {}",
                one_line(root_id)
            ),
            Self::PolicyConflict { name, policy_id } => write!(
                f,
                "a service control policy named {} ({}) exists with a content rootkeys did not \
                 write; rootkeys never overwrites it",
                one_line(name),
                one_line(policy_id)
            ),
            Self::Account { what, error } => write!(f, "{what}: {error}"),
        }
    }
}

impl PreflightFailure {
    /// What to do, with the command that does it.
    pub fn fix(&self) -> String {
        match self {
            Self::RootCaller { .. } => "sign in with an IAM role or user of the management \
                 account (or of the IAM delegated administrator) that may call sts:AssumeRoot; \
                 see README, \"Organization mode\""
                .to_owned(),
            Self::NotInOrganization { .. } => {
                "run from the organization's management account (or its IAM delegated \
                 administrator); `aws organizations describe-organization` names it"
                    .to_owned()
            }
            Self::NotAllFeatures { .. } => "from the management account: `aws organizations \
                 enable-all-features` (every member account must approve the invitation)"
                .to_owned(),
            Self::NotManagementOrDelegatedAdmin { account_id, .. } => format!(
                "run from the management account, or register this account as IAM's delegated \
                 administrator from the management account: `aws organizations \
                 register-delegated-administrator --account-id {} --service-principal \
                 {IAM_SERVICE_PRINCIPAL}`",
                one_line(account_id)
            ),
            Self::TrustedAccessNotEnabled => format!(
                "from the management account: `aws organizations enable-aws-service-access \
                 --service-principal {IAM_SERVICE_PRINCIPAL}`"
            ),
            Self::RootCredentialsManagementDisabled => "from the management account: `aws iam \
                 enable-organizations-root-credentials-management` (after trusted access for \
                 iam.amazonaws.com)"
                .to_owned(),
            Self::GlobalStsEndpoint { .. } => "use a Regional STS endpoint: give --region \
                 (or AWS_REGION) a region such as us-east-1, and unset AWS_ENDPOINT_URL_STS or \
                 set it to a regional one (https://sts.us-east-1.amazonaws.com); in ~/.aws/config \
                 remove `sts_regional_endpoints = legacy`"
                .to_owned(),
            Self::ScpsDisabled { root_id } => format!(
                "from the management account, if your organization agrees to use SCPs (the \
                 FullAWSAccess policy is attached everywhere when they are enabled, so nothing \
                 changes by itself): `aws organizations enable-policy-type --root-id {} \
                 --policy-type SERVICE_CONTROL_POLICY`",
                one_line(root_id)
            ),
            Self::PolicyConflict { policy_id, .. } => format!(
                "compare it with the text in README (\"The quarantine\"): `aws organizations \
                 describe-policy --policy-id {}`; rename or delete it if it is not needed, then \
                 run again",
                one_line(policy_id)
            ),
            Self::Account {
                error: AccountError::AccessDenied { action, .. },
                ..
            } if action.starts_with("organizations:") => format!(
                "the caller lacks {action}; quarantine, release and prevent need \
                 organizations:ListRoots, ListPolicies, DescribePolicy, CreatePolicy, \
                 ListPoliciesForTarget, ListTargetsForPolicy, AttachPolicy and DetachPolicy \
                 (see README, \"Organization mode\")"
            ),
            Self::Account { error, .. } => error.advice(),
        }
    }
}

fn account_failure(what: &'static str, error: OrgError) -> PreflightFailure {
    match error {
        OrgError::Account(error) => PreflightFailure::Account { what, error },
        // The other kinds are judged where they belong; any left here is
        // worded as it stands.
        other => PreflightFailure::Account {
            what,
            error: AccountError::Service {
                action: what.to_owned(),
                code: "Organization".to_owned(),
                message: other.to_string(),
            },
        },
    }
}

/// Check every prerequisite; the first that fails is the answer.
pub async fn check(access: &dyn OrgAccess) -> Result<Ready, PreflightFailure> {
    let endpoint = access.sts_endpoint();
    if let StsEndpoint::Global(url) = &endpoint {
        return Err(PreflightFailure::GlobalStsEndpoint { url: url.clone() });
    }
    let (caller, organization, features) = futures::join!(
        access.caller(),
        access.organization(),
        access.root_features()
    );
    let caller = caller.map_err(|error| PreflightFailure::Account {
        what: "reading the caller's identity (sts:GetCallerIdentity)",
        error,
    })?;
    if caller.is_root() {
        return Err(PreflightFailure::RootCaller { arn: caller.arn });
    }
    let not_in_org = || PreflightFailure::NotInOrganization {
        account_id: caller.account_id.clone(),
    };
    let organization = match organization {
        Ok(org) => org,
        Err(OrgError::NotInOrganization) => return Err(not_in_org()),
        Err(e) => {
            return Err(account_failure(
                "reading the organization (organizations:DescribeOrganization)",
                e,
            ));
        }
    };
    if !organization.all_features {
        return Err(PreflightFailure::NotAllFeatures {
            organization_id: Some(organization.id),
        });
    }
    let features = match features {
        Ok(f) => f,
        Err(OrgError::NotInOrganization) => return Err(not_in_org()),
        Err(OrgError::NotAllFeatures) => {
            return Err(PreflightFailure::NotAllFeatures {
                organization_id: Some(organization.id),
            });
        }
        Err(OrgError::NotManagementOrDelegatedAdmin) => {
            return Err(PreflightFailure::NotManagementOrDelegatedAdmin {
                account_id: caller.account_id,
                management_account_id: Some(organization.management_account_id),
            });
        }
        Err(OrgError::TrustedAccessNotEnabled) => {
            return Err(PreflightFailure::TrustedAccessNotEnabled);
        }
        Err(e @ OrgError::Account(_)) => {
            return Err(account_failure(
                "reading the IAM organization features (iam:ListOrganizationsFeatures)",
                e,
            ));
        }
    };
    if !features.credentials_management {
        return Err(PreflightFailure::RootCredentialsManagementDisabled);
    }
    Ok(Ready {
        caller,
        organization,
        features,
        endpoint,
    })
}

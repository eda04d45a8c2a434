//! A simulated organization for `rootkeys demo --scenario org`: the
//! [`OrgAccess`] port over an embedded scenario
//! (`assets/scenarios/org.json`), so organization mode can be practised
//! without AWS. Read-only, like the port: nothing here changes state.
//!
//! Times in the scenario are relative to the moment it is opened (the
//! demo's clock: the system clock, or a fixed instant in tests). Calls
//! take a little simulated time, different per account, so the progress
//! of an audit can be seen. A member whose SCP denies its root user
//! without the `AssumeRoot` exemption answers its session's reads the way
//! AWS does (an explicit deny in a service control policy); a suspended
//! member is listed as such. Sessions carry no credentials at all.
//!
//! Imports the port, the model, `account` (its error type and the demo's
//! clock) and `domain`; no SDK, no journal, no front end.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::future::{BoxFuture, FutureExt};
use futures::stream::{self, BoxStream, StreamExt};
use serde::Deserialize;

use super::model::{
    AUDIT_TASK_POLICY, MAX_SESSION_SECS, ManagementFacts, Member, MemberFacts, MemberStatus,
    Organization, RootFeatures, SessionOpened, StsEndpoint, task_policy_arn,
};
use super::port::{MemberSession, OrgAccess, OrgError};
use crate::account::sim::SimClock;
use crate::account::{AccountError, AccountResult};
use crate::domain::{Identity, KeyStatus, LastUsed, RootKey};

/// The scenario name `rootkeys demo --scenario` opens this simulation with.
pub const SCENARIO: &str = "org";

const SCENARIO_JSON: &str = include_str!("../../assets/scenarios/org.json");

/// Accounts per page of the simulated `ListAccounts` (AWS gives at most
/// 20; fewer here, so the listing is seen to stream).
pub const PAGE_SIZE: usize = 5;

/// How wide the demo audits: narrow, so the progress can be followed.
pub const DEMO_CONCURRENCY: usize = 3;

/// Simulated round-trip times.
#[derive(Debug, Clone, Copy)]
pub struct OrgLatency {
    /// `GetCallerIdentity`, `DescribeOrganization`, `ListOrganizationsFeatures`.
    pub fast: Duration,
    /// One page of `ListAccounts`.
    pub page: Duration,
    /// `AssumeRoot`.
    pub assume: Duration,
    /// A session's reads (keys, MFA, login profile, then each key's last use).
    pub read: Duration,
    /// The management account's credential report and summary.
    pub report: Duration,
}

impl OrgLatency {
    /// What `rootkeys demo --scenario org` uses.
    pub const DEMO: Self = Self {
        fast: Duration::from_millis(150),
        page: Duration::from_millis(250),
        assume: Duration::from_millis(300),
        read: Duration::from_millis(450),
        report: Duration::from_millis(900),
    };
    /// No waiting (tests).
    pub const NONE: Self = Self {
        fast: Duration::ZERO,
        page: Duration::ZERO,
        assume: Duration::ZERO,
        read: Duration::ZERO,
        report: Duration::ZERO,
    };
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrgFile {
    title: String,
    summary: String,
    organization_id: String,
    region: String,
    caller: CallerFile,
    management: ManagementFile,
    accounts: Vec<AccountFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CallerFile {
    arn: String,
    user_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManagementFile {
    account_id: String,
    name: String,
    mfa_active: bool,
    report_age: String,
    #[serde(default)]
    keys: Vec<KeyFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFile {
    id: String,
    name: String,
    #[serde(default = "active")]
    status: MemberStatusFile,
    #[serde(default)]
    mfa_active: bool,
    #[serde(default)]
    password: bool,
    #[serde(default)]
    keys: Vec<KeyFile>,
    /// An SCP denies the root user without the `AssumeRoot` exemption.
    #[serde(default)]
    scp_denies_root: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum MemberStatusFile {
    Active,
    Suspended,
    PendingClosure,
}

fn active() -> MemberStatusFile {
    MemberStatusFile::Active
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    slot: Option<u8>,
    status: KeyStatus,
    created_ago: String,
    #[serde(default)]
    last_used: Option<LastUsedFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LastUsedFile {
    ago: String,
    service: String,
    region: String,
}

/// One member as the simulation serves it.
#[derive(Debug, Clone)]
struct SimMember {
    member: Member,
    facts: MemberFacts,
    scp_denies_root: bool,
    /// Extra simulated time of this account's calls.
    jitter: Duration,
}

/// A simulated organization.
#[derive(Debug)]
pub struct SimOrg {
    title: String,
    summary: String,
    organization: Organization,
    region: String,
    caller: Identity,
    management: Member,
    management_facts: ManagementFacts,
    members: Vec<SimMember>,
    notes: Vec<(String, String)>,
    clock: SimClock,
    /// The instant the scenario's relative times are measured from.
    opened: DateTime<Utc>,
    latency: OrgLatency,
    requests: AtomicUsize,
}

/// A scenario that cannot be read (a bug in the embedded file).
#[derive(Debug, thiserror::Error)]
#[error("demo scenario org: {0}")]
pub struct SimOrgError(String);

fn ago(what: &str, text: &str) -> Result<TimeDelta, SimOrgError> {
    humantime::parse_duration(text)
        .ok()
        .and_then(|d| TimeDelta::from_std(d).ok())
        .ok_or_else(|| SimOrgError(format!("{what}: {text:?} is not a duration such as 3d")))
}

fn account_id(what: &str, id: &str) -> Result<(), SimOrgError> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(SimOrgError(format!("{what}: {id:?} is not 12 digits")))
    }
}

fn key(file: &KeyFile, base: DateTime<Utc>) -> Result<RootKey, SimOrgError> {
    let last_used = match &file.last_used {
        Some(u) => Some(LastUsed {
            date: base - ago("last_used.ago", &u.ago)?,
            service: Some(u.service.clone()),
            region: Some(u.region.clone()),
        }),
        None => None,
    };
    Ok(RootKey {
        access_key_id: file.id.clone(),
        slot: file.slot,
        status: file.status,
        created: Some(base - ago("created_ago", &file.created_ago)?),
        last_used,
        signs_this_session: false,
    })
}

async fn pause(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

impl SimOrg {
    /// The embedded scenario on `clock`.
    pub fn open(clock: SimClock, latency: OrgLatency) -> Result<Self, SimOrgError> {
        Self::parse(SCENARIO_JSON, clock, latency)
    }

    /// A scenario's JSON text on `clock`.
    pub fn parse(text: &str, clock: SimClock, latency: OrgLatency) -> Result<Self, SimOrgError> {
        let file: OrgFile = serde_json::from_str(text).map_err(|e| SimOrgError(e.to_string()))?;
        let base = match clock {
            SimClock::System => Utc::now(),
            SimClock::Fixed(t) => t,
        };
        let mgmt = &file.management;
        account_id("management.account_id", &mgmt.account_id)?;
        let management_keys = mgmt
            .keys
            .iter()
            .map(|k| key(k, base))
            .collect::<Result<Vec<_>, _>>()?;
        let management_facts = ManagementFacts {
            keys_present: Some(u32::try_from(management_keys.len()).unwrap_or(u32::MAX)),
            keys: management_keys,
            mfa_enabled: Some(mgmt.mfa_active),
            report_generated: Some(base - ago("management.report_age", &mgmt.report_age)?),
        };
        let mut members = Vec::new();
        let mut notes = Vec::new();
        for (i, a) in file.accounts.iter().enumerate() {
            account_id("accounts[].id", &a.id)?;
            if a.id == mgmt.account_id
                || members
                    .iter()
                    .any(|m: &SimMember| m.member.account_id == a.id)
            {
                return Err(SimOrgError(format!("account {} is listed twice", a.id)));
            }
            let keys = a
                .keys
                .iter()
                .map(|k| key(k, base))
                .collect::<Result<Vec<_>, _>>()?;
            if keys.iter().any(|k| k.access_key_id.is_none()) {
                return Err(SimOrgError(format!(
                    "account {}: a member key needs an id",
                    a.id
                )));
            }
            if let Some(note) = &a.note {
                notes.push((a.id.clone(), note.clone()));
            }
            members.push(SimMember {
                member: Member {
                    account_id: a.id.clone(),
                    name: a.name.clone(),
                    status: match a.status {
                        MemberStatusFile::Active => MemberStatus::Active,
                        MemberStatusFile::Suspended => MemberStatus::Suspended,
                        MemberStatusFile::PendingClosure => MemberStatus::PendingClosure,
                    },
                },
                facts: MemberFacts {
                    keys,
                    mfa_enabled: Some(a.mfa_active),
                    password_present: Some(a.password),
                },
                scp_denies_root: a.scp_denies_root,
                // 0 to 400 ms more, the same on every run.
                jitter: Duration::from_millis(u64::try_from(i * 137 % 5).unwrap_or(0) * 100),
            });
        }
        let caller_account = mgmt.account_id.clone();
        Ok(Self {
            title: file.title,
            summary: file.summary,
            organization: Organization {
                id: file.organization_id,
                management_account_id: mgmt.account_id.clone(),
                all_features: true,
            },
            region: file.region,
            caller: Identity {
                account_id: caller_account,
                arn: file.caller.arn,
                user_id: file.caller.user_id,
                signing_key_id: None,
            },
            management: Member {
                account_id: mgmt.account_id.clone(),
                name: mgmt.name.clone(),
                status: MemberStatus::Active,
            },
            management_facts,
            members,
            notes,
            clock,
            opened: base,
            latency,
            requests: AtomicUsize::new(0),
        })
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// The scenario's notes on its accounts (account ID, note), for the
    /// demo's detail pane.
    pub fn notes(&self) -> Vec<(String, String)> {
        self.notes.clone()
    }

    /// Every account ID the organization lists, the management account first.
    pub fn account_ids(&self) -> Vec<String> {
        std::iter::once(self.management.account_id.clone())
            .chain(self.members.iter().map(|m| m.member.account_id.clone()))
            .collect()
    }

    fn member(&self, id: &str) -> Option<&SimMember> {
        self.members.iter().find(|m| m.member.account_id == id)
    }

    fn request_id(&self) -> String {
        // Unique across runs (the journal keeps every run's records), on
        // the real clock even when the demo's is pinned.
        let n = self.requests.fetch_add(1, Ordering::AcqRel) + 1;
        format!("demo-{}-{n:04}", Utc::now().timestamp_millis())
    }
}

impl OrgAccess for SimOrg {
    fn caller(&self) -> BoxFuture<'_, AccountResult<Identity>> {
        async move {
            pause(self.latency.fast).await;
            Ok(self.caller.clone())
        }
        .boxed()
    }

    fn organization(&self) -> BoxFuture<'_, Result<Organization, OrgError>> {
        async move {
            pause(self.latency.fast).await;
            Ok(self.organization.clone())
        }
        .boxed()
    }

    fn root_features(&self) -> BoxFuture<'_, Result<RootFeatures, OrgError>> {
        async move {
            pause(self.latency.fast).await;
            Ok(RootFeatures {
                credentials_management: true,
                root_sessions: true,
            })
        }
        .boxed()
    }

    fn sts_endpoint(&self) -> StsEndpoint {
        StsEndpoint::Regional(format!("https://sts.{}.amazonaws.com", self.region))
    }

    fn accounts(&self) -> BoxStream<'_, AccountResult<Vec<Member>>> {
        let all: Vec<Member> = std::iter::once(self.management.clone())
            .chain(self.members.iter().map(|m| m.member.clone()))
            .collect();
        let pages: Vec<Vec<Member>> = all.chunks(PAGE_SIZE).map(<[Member]>::to_vec).collect();
        let latency = self.latency.page;
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
        let account_id = account_id.to_owned();
        let caller_arn = caller_arn.to_owned();
        async move {
            let Some(member) = self.member(&account_id) else {
                pause(self.latency.assume).await;
                // The management account, or an account of another organization.
                return Err(AccountError::AccessDenied {
                    action: "sts:AssumeRoot".to_owned(),
                    message: format!(
                        "User: {caller_arn} is not authorized to perform: sts:AssumeRoot on \
                         resource: arn:aws:iam::{account_id}:root"
                    ),
                });
            };
            pause(self.latency.assume + member.jitter / 2).await;
            let opened = self.now();
            let session = SimSession {
                opened: SessionOpened {
                    account_id: account_id.clone(),
                    caller_arn,
                    task_policy_arn: task_policy_arn(self.caller.partition(), AUDIT_TASK_POLICY),
                    request_id: Some(self.request_id()),
                    opened,
                    expires: Some(opened + TimeDelta::seconds(i64::from(MAX_SESSION_SECS))),
                    duration_secs: MAX_SESSION_SECS,
                },
                facts: if member.scp_denies_root {
                    Err(AccountError::AccessDenied {
                        action: "iam:ListAccessKeys".to_owned(),
                        message: format!(
                            "User: arn:aws:iam::{account_id}:root is not authorized to perform: \
                             iam:ListAccessKeys on resource: arn:aws:iam::{account_id}:root with \
                             an explicit deny in a service control policy"
                        ),
                    })
                } else {
                    Ok(member.facts.clone())
                },
                latency: self.latency.read + member.jitter,
            };
            Ok(Box::new(session) as Box<dyn MemberSession>)
        }
        .boxed()
    }

    fn management_root(&self) -> BoxFuture<'_, AccountResult<ManagementFacts>> {
        async move {
            pause(self.latency.report).await;
            Ok(self.management_facts.clone())
        }
        .boxed()
    }

    fn now(&self) -> DateTime<Utc> {
        match self.clock {
            SimClock::System => Utc::now(),
            // Fixed: the same instant all run long.
            SimClock::Fixed(_) => self.opened,
        }
    }
    fn scp_root(&self) -> BoxFuture<'_, AccountResult<crate::org::ScpRoot>> {
        async move { Err(pending("organizations:ListRoots")) }.boxed()
    }
    fn find_policy(&self, _name: &str) -> BoxFuture<'_, AccountResult<Option<crate::org::Policy>>> {
        async move { Err(pending("organizations:ListPolicies")) }.boxed()
    }
    fn create_policy(
        &self,
        _name: &str,
        _description: &str,
        _content: &str,
    ) -> BoxFuture<'_, AccountResult<crate::org::Written<crate::org::PolicyRef>>> {
        async move { Err(pending("organizations:CreatePolicy")) }.boxed()
    }
    fn policies_for_target(
        &self,
        _target: &str,
    ) -> BoxFuture<'_, AccountResult<Vec<crate::org::PolicyRef>>> {
        async move { Err(pending("organizations:ListPoliciesForTarget")) }.boxed()
    }
    fn policy_targets(&self, _policy_id: &str) -> BoxFuture<'_, AccountResult<Vec<String>>> {
        async move { Err(pending("organizations:ListTargetsForPolicy")) }.boxed()
    }
    fn attach_policy(
        &self,
        _policy_id: &str,
        _target: &str,
    ) -> BoxFuture<'_, AccountResult<crate::org::Written<()>>> {
        async move { Err(pending("organizations:AttachPolicy")) }.boxed()
    }
    fn detach_policy(
        &self,
        _policy_id: &str,
        _target: &str,
    ) -> BoxFuture<'_, AccountResult<crate::org::Written<()>>> {
        async move { Err(pending("organizations:DetachPolicy")) }.boxed()
    }
    fn open_delete_session(
        &self,
        _account_id: &str,
        _caller_arn: &str,
    ) -> BoxFuture<'_, AccountResult<Box<dyn crate::org::DeleteSession>>> {
        async move { Err(pending("sts:AssumeRoot")) }.boxed()
    }
}

/// Placeholder until this request is sent.
fn pending(action: &str) -> AccountError {
    AccountError::Unexpected {
        action: action.to_owned(),
        message: "not built yet".to_owned(),
    }
}

/// One simulated Audit session: no credentials, only what it will read.
struct SimSession {
    opened: SessionOpened,
    facts: AccountResult<MemberFacts>,
    latency: Duration,
}

impl MemberSession for SimSession {
    fn opened(&self) -> &SessionOpened {
        &self.opened
    }

    fn read_root(&self) -> BoxFuture<'_, AccountResult<MemberFacts>> {
        async move {
            pause(self.latency).await;
            self.facts.clone()
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::model::{RowErrorKind, Verdict};
    use crate::org::preflight;
    use crate::org::run::{self, Options};

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:15:00Z")
            .expect("time")
            .with_timezone(&Utc)
    }

    fn sim() -> SimOrg {
        SimOrg::open(SimClock::Fixed(t0()), OrgLatency::NONE).expect("scenario")
    }

    #[tokio::test]
    async fn the_demo_organization_audits_as_the_scenario_says() {
        let org = sim();
        let dir = tempfile::tempdir().expect("tmp");
        let ready = preflight::check(&org).await.expect("prerequisites hold");
        assert!(ready.in_management_account());
        let audited = run::audit(&org, &ready, &Options::default(), dir.path(), &mut |_| {})
            .await
            .expect("audit");
        assert_eq!(audited.rows.len(), 12, "about a dozen accounts");
        let row = |id: &str| {
            audited
                .rows
                .iter()
                .find(|r| r.account_id == id)
                .unwrap_or_else(|| panic!("{id}"))
        };
        // Used nightly: active, last used yesterday, and worst first.
        let nightly = row("210987654321");
        assert_eq!(nightly.verdict(), Verdict::ActiveKeys);
        let used = nightly.last_used().expect("used").date;
        assert_eq!((t0() - used).num_hours(), 26);
        assert_eq!(audited.rows[0].account_id, "210987654321");
        // The SCP without the exemption: an error that names it.
        let staging = row("777777777777");
        let error = staging.error.as_ref().expect("error");
        assert_eq!(error.kind, RowErrorKind::ScpDeny);
        assert!(
            error
                .advice
                .contains(r#""Null": {"aws:AssumedRoot": "true"}"#)
        );
        assert_eq!(staging.verdict(), Verdict::Unknown);
        // Suspended: listed, not audited, no session.
        assert_eq!(row("888888888888").verdict(), Verdict::NotAudited);
        // The management account: its key from the credential report.
        let mgmt = row("111111111111");
        assert!(mgmt.management);
        assert_eq!(mgmt.verdict(), Verdict::ActiveKeys);
        assert_eq!(mgmt.keys[0].slot, Some(1));
        assert_eq!(row("555555555555").verdict(), Verdict::Compliant);
        assert_eq!(audited.compliant(), Some(false));
        assert_eq!(audited.with_keys(), 5);

        // Sessions journaled per member, with no credentials; none for the
        // suspended account or the management account.
        let journal =
            |id: &str| std::fs::read_to_string(dir.path().join(format!("journal-{id}.jsonl")));
        let text = journal("210987654321").expect("member journal");
        assert!(text.contains(r#""action":"session_opened""#), "{text}");
        assert!(text.contains("IAMAuditRootUserCredentials"), "{text}");
        assert!(
            !text.to_lowercase().contains("secret") && !text.contains("ASIA"),
            "{text}"
        );
        assert!(
            journal("777777777777").is_ok(),
            "the session opened before the deny"
        );
        assert!(journal("888888888888").is_err());
        assert!(journal("111111111111").is_err());
    }

    #[tokio::test]
    async fn rows_are_handed_over_as_they_are_built() {
        let org = sim();
        let dir = tempfile::tempdir().expect("tmp");
        let ready = preflight::check(&org).await.expect("prerequisites hold");
        let mut seen: Vec<(usize, Option<String>)> = Vec::new();
        let audited = run::audit_streamed(
            &org,
            &ready,
            &Options::default(),
            dir.path(),
            &mut |p, row| seen.push((p.done, row.map(|r| r.account_id.clone()))),
        )
        .await
        .expect("audit");
        // One call per row, counted as it comes, then one without a row.
        assert_eq!(seen.len(), audited.rows.len() + 1);
        for (i, (done, row)) in seen[..audited.rows.len()].iter().enumerate() {
            assert_eq!(*done, i + 1);
            assert!(row.is_some());
        }
        assert_eq!(seen.last().map(|(_, r)| r.is_none()), Some(true));
    }

    #[tokio::test(start_paused = true)]
    async fn the_listing_streams_in_pages() {
        let org = SimOrg::open(SimClock::Fixed(t0()), OrgLatency::DEMO).expect("scenario");
        let pages: Vec<_> = org.accounts().collect().await;
        assert_eq!(pages.len(), 12usize.div_ceil(PAGE_SIZE));
        assert!(
            pages
                .iter()
                .all(|p| p.as_ref().is_ok_and(|p| p.len() <= PAGE_SIZE))
        );
        assert_eq!(org.account_ids().len(), 12);
        assert_eq!(org.now(), t0(), "a fixed clock stays put");
    }

    #[test]
    fn the_scenario_is_listed_with_the_others() {
        assert!(crate::account::sim::scenario_names().contains(&SCENARIO));
        let err = crate::account::sim::Scenario::builtin("nope").expect_err("unknown");
        assert!(err.to_string().contains(", org"), "{err}");
    }

    #[test]
    fn bad_scenarios_are_refused() {
        let bad = SCENARIO_JSON.replace("210987654321", "2109");
        let err = SimOrg::parse(&bad, SimClock::System, OrgLatency::NONE).expect_err("bad id");
        assert!(err.to_string().contains("12 digits"), "{err}");
        let twice = SCENARIO_JSON.replace("432143214321", "555555555555");
        let err = SimOrg::parse(&twice, SimClock::System, OrgLatency::NONE).expect_err("twice");
        assert!(err.to_string().contains("twice"), "{err}");
    }
}

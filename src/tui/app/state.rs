//! The state of the interactive view: its types ([`App`], the dialogs,
//! the banner, the rows of the keys table) and what is derived from them
//! for drawing. Besides [`App::start`] (which marks the first load as
//! asked for), nothing here changes an `App` once built: that is
//! `update.rs`. Nothing awaits or does I/O; it imports no `tokio`,
//! `ratatui` or `crossterm`, nor the plain-terminal commands; the loop
//! ends with an [`Exit`] from `crate::exit`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};

use crate::account::Source;
use crate::account::usage::Progress;
use crate::domain::View;
use crate::domain::policy::{Refusal, Request, Stage, Surface};
use crate::domain::record::{Act, Phase, Record};
use crate::domain::usage::UsageReport;
use crate::exit::Exit;
use crate::journal::Contents;
use crate::remediate::{KeyView, Snapshot};
use crate::report::{RootRow, Stale};
use crate::tui::action::{Command, Effect, UiError};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::walkthrough::{MfaCheck, Step};

/// From this width on, the walkthrough sits beside the detail pane.
pub const WIDE: u16 = 100;

/// What the demo adds to the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoInfo {
    pub scenario: String,
    pub title: String,
    pub summary: String,
    /// How each key is used, as the scenario tells it.
    pub notes: Vec<(String, String)>,
}

/// What the view is built with.
#[derive(Debug, Clone)]
pub struct Config {
    pub source: Source,
    pub window: TimeDelta,
    pub demo: Option<DemoInfo>,
    pub theme: Theme,
}

/// The credential report, loaded apart from the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// Not asked for yet (or stale: asked for after the next load).
    Idle,
    Loading,
    Ready(RootRow),
    Failed(UiError),
}

/// A y/N question before a reversible write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub request: Request,
    pub key_id: String,
    /// The focused button: No unless the operator moves to Yes.
    pub yes_focused: bool,
    pub signs_session: bool,
    pub other_active: Vec<String>,
    pub last_used: String,
}

/// The delete dialog: the key ID must be typed exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeToDelete {
    pub key_id: String,
    pub input: String,
    /// Enter was pressed with a different text.
    pub mismatch: bool,
    pub signs_session: bool,
}

/// A key's usage review (`CloudTrail` event history), loaded on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Usage {
    /// Searching; the latest progress once the regions are known.
    Loading(Option<Progress>),
    Ready(Box<UsageReport>),
    Failed(UiError),
}

/// The account's journal, as the journal panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalState {
    /// Not read yet.
    Idle,
    Loading,
    Ready(Box<Contents>),
    Failed(UiError),
}

/// The journal panel, open in place of the key facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalView {
    /// The first line shown (clamped to the text when drawn; opening
    /// scrolls to the end: the newest records are last).
    pub scroll: usize,
}

/// The usage review of one key, open in place of the key facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageView {
    pub key_id: String,
    /// The first line shown.
    pub scroll: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Browse,
    /// The keys; closing returns to the usage view it was opened from.
    Help {
        back: Option<UsageView>,
    },
    Usage(UsageView),
    /// The account's journal history.
    Journal(JournalView),
    Confirm(Confirm),
    TypeToDelete(TypeToDelete),
    /// The key signing this session was deactivated or deleted: no more calls.
    SessionEnded {
        key_id: String,
        request: Request,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BannerKind {
    Info,
    Success,
    Refusal,
    Error,
}

/// One message under the table: the result of the last thing done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    pub kind: BannerKind,
    pub text: String,
    pub advice: Option<String>,
}

impl Banner {
    pub fn info(text: impl Into<String>) -> Self {
        Self {
            kind: BannerKind::Info,
            text: text.into(),
            advice: None,
        }
    }

    pub fn success(text: impl Into<String>) -> Self {
        Self {
            kind: BannerKind::Success,
            text: text.into(),
            advice: None,
        }
    }

    pub fn refusal(refusal: &Refusal, surface: Surface) -> Self {
        Self {
            kind: BannerKind::Refusal,
            text: refusal.advice(surface),
            advice: None,
        }
    }

    pub fn error(e: &UiError) -> Self {
        Self {
            kind: if e.refused {
                BannerKind::Refusal
            } else {
                BannerKind::Error
            },
            text: e.message.clone(),
            advice: e.advice.clone(),
        }
    }
}

/// A write in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub request: Request,
    pub key_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walkthrough {
    /// Shown in the demo when the terminal is wide enough.
    Auto,
    Shown,
    Hidden,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quit {
    User,
    Signal(&'static str),
}

/// A line of the keys table.
#[derive(Debug, Clone, Copy)]
pub enum Row<'a> {
    Key(&'a KeyView),
    /// Deleted by rootkeys (the journal says so) and gone from the account.
    Deleted {
        key_id: &'a str,
        at: DateTime<Utc>,
    },
}

impl Row<'_> {
    pub fn label(&self) -> String {
        match self {
            Self::Key(k) => k.key.label(),
            Self::Deleted { key_id, .. } => (*key_id).to_owned(),
        }
    }

    pub fn stage(&self) -> Stage {
        match self {
            Self::Key(k) => k.stage.clone(),
            Self::Deleted { at, .. } => Stage::Deleted { at: *at },
        }
    }
}

#[derive(Debug, Clone)]
pub struct App {
    pub theme: Theme,
    pub source: Source,
    pub window: TimeDelta,
    pub demo: Option<DemoInfo>,
    pub snapshot: Option<Snapshot>,
    /// A snapshot load is in flight.
    pub loading: bool,
    /// The last load failed (the snapshot, if any, is from before).
    pub load_error: Option<UiError>,
    pub report: Report,
    /// Usage reviews by key ID (at most one `Loading` at a time).
    pub usage: BTreeMap<String, Usage>,
    pub selected: usize,
    pub mode: Mode,
    pub pending: Option<Pending>,
    pub skipping: bool,
    /// A delete went through: say what the account summary says next.
    pub(super) verify_next_load: bool,
    pub banner: Option<Banner>,
    /// Keys the operator has reviewed (opened their usage, or moved to
    /// their key facts): the walkthrough's first step is done for them.
    pub reviewed: BTreeSet<String>,
    /// The account's journal (read with every load, shown with `J`).
    pub journal: JournalState,
    /// The clock was skipped while this key's usage review was open: it
    /// is searched again once the account is read again.
    pub(super) usage_stale: Option<String>,
    pub walkthrough: Walkthrough,
    pub size: (u16, u16),
    pub tick: u64,
    pub quit: Option<Quit>,
    /// The first line shown of the key facts (and walkthrough) pane.
    pub detail_scroll: usize,
    /// The first line shown of the help overlay.
    pub help_scroll: usize,
    /// A key pressed while the account was being read again, carried out
    /// once it has been (demo skip-ahead).
    pub(super) queued: Option<Command>,
}

impl App {
    pub fn new(config: Config) -> Self {
        let banner = config
            .demo
            .as_ref()
            .map(|d| Banner::info(format!("{}: {}", d.title, d.summary)));
        Self {
            theme: config.theme,
            source: config.source,
            window: config.window,
            demo: config.demo,
            snapshot: None,
            loading: false,
            load_error: None,
            report: Report::Idle,
            usage: BTreeMap::new(),
            selected: 0,
            mode: Mode::Browse,
            pending: None,
            skipping: false,
            verify_next_load: false,
            banner,
            reviewed: BTreeSet::new(),
            journal: JournalState::Idle,
            usage_stale: None,
            walkthrough: Walkthrough::Auto,
            size: (0, 0),
            tick: 0,
            quit: None,
            detail_scroll: 0,
            help_scroll: 0,
            queued: None,
        }
    }

    /// The first work: load the account.
    pub fn start(&mut self) -> Effect {
        self.loading = true;
        Effect::Load
    }

    /// How the view ends: a signal, or leaving without ever having read
    /// the account (bad credentials, an unreachable endpoint), is a
    /// failure.
    pub fn exit(&self) -> Exit {
        match self.quit {
            Some(Quit::Signal(_)) => Exit::Failed,
            _ if self.snapshot.is_none() && self.load_error.is_some() => Exit::Failed,
            _ => Exit::Done,
        }
    }

    // ---- derived state (read by the view) -------------------------------

    pub fn rows(&self) -> Vec<Row<'_>> {
        let Some(s) = &self.snapshot else {
            return Vec::new();
        };
        s.keys
            .iter()
            .map(Row::Key)
            .chain(s.deleted.iter().map(|(key_id, at)| Row::Deleted {
                key_id: key_id.as_str(),
                at: *at,
            }))
            .collect()
    }

    pub fn selected_row(&self) -> Option<Row<'_>> {
        self.rows().get(self.selected).copied()
    }

    /// The credential report behind the auditor view: when IAM generated it
    /// and whether it is stale (older than 4 h, or than the last change
    /// rootkeys journaled for the account). `None` as root, before the
    /// report is read, or when IAM did not say when it was generated.
    pub fn report_age(&self) -> Option<(DateTime<Utc>, Option<Stale>)> {
        let snap = self
            .snapshot
            .as_ref()
            .filter(|s| s.inventory.view == View::Auditor)?;
        let Report::Ready(row) = &self.report else {
            return None;
        };
        let generated = row.generated?;
        Some((
            generated,
            row.stale(snap.now.max(generated), snap.last_write),
        ))
    }

    pub fn is_root(&self) -> bool {
        self.snapshot
            .as_ref()
            .is_some_and(|s| s.inventory.view == View::Root)
    }

    pub fn session_ended(&self) -> bool {
        matches!(self.mode, Mode::SessionEnded { .. })
    }

    /// Anything in flight (the spinner turns).
    pub fn in_flight(&self) -> bool {
        self.loading
            || self.pending.is_some()
            || self.skipping
            || self.report == Report::Loading
            || self.usage_searching().is_some()
    }

    /// The key whose usage is being searched, with the latest progress.
    pub fn usage_searching(&self) -> Option<(&str, Option<Progress>)> {
        self.usage.iter().find_map(|(key, u)| match u {
            Usage::Loading(progress) => Some((key.as_str(), *progress)),
            _ => None,
        })
    }

    /// The usage view on screen (also under the help).
    pub fn usage_view(&self) -> Option<&UsageView> {
        match &self.mode {
            Mode::Usage(v) | Mode::Help { back: Some(v) } => Some(v),
            _ => None,
        }
    }

    /// What the spinner says.
    pub fn busy_text(&self) -> Option<String> {
        if let Some(p) = &self.pending {
            return Some(strings::busy_write(p.request, &p.key_id));
        }
        if self.skipping {
            return Some(strings::SKIPPING.to_owned());
        }
        if self.loading {
            return Some(if self.snapshot.is_some() {
                strings::REFRESHING.to_owned()
            } else {
                strings::LOADING.to_owned()
            });
        }
        if let Some((_, progress)) = self.usage_searching() {
            return Some(strings::busy_usage(progress));
        }
        (self.report == Report::Loading).then(|| strings::REPORT_BUSY.to_owned())
    }

    pub fn spinner(&self) -> &'static str {
        let frames = strings::SPINNER;
        frames[usize::try_from(self.tick % frames.len() as u64).unwrap_or(0)]
    }

    pub fn walkthrough_visible(&self) -> bool {
        match self.walkthrough {
            Walkthrough::Auto => self.demo.is_some() && self.size.0 >= WIDE,
            Walkthrough::Shown => true,
            Walkthrough::Hidden => false,
        }
    }

    /// The step of the staged process the selected key is at.
    pub fn step(&self) -> Step {
        let Some(s) = &self.snapshot else {
            return Step::Review;
        };
        if s.inventory.view == View::Auditor {
            return Step::Review;
        }
        let backout = |r: Request| matches!(r, Request::Reactivate);
        match &self.mode {
            Mode::Confirm(c) if backout(c.request) => return Step::Backout,
            _ => {}
        }
        if self.pending.as_ref().is_some_and(|p| backout(p.request)) {
            return Step::Backout;
        }
        if s.inventory.cis_compliant() {
            // Verified: what is left is the advice.
            return if self.done() {
                Step::Prevent
            } else {
                Step::Verify
            };
        }
        let row = self.selected_row();
        match row.map(|r| r.stage()) {
            Some(Stage::Active) if row.is_some_and(|r| self.reviewed.contains(&r.label())) => {
                Step::Deactivate
            }
            Some(Stage::Observing { .. }) => Step::Observe,
            Some(Stage::ReadyToDelete { .. }) => Step::Delete,
            Some(Stage::Deleted { .. }) => Step::Verify,
            Some(Stage::Active | Stage::Inactive) | None => Step::Review,
        }
    }

    /// The process is finished: signed in as root, the account summary
    /// reports no root access key and none is listed.
    pub fn done(&self) -> bool {
        !self.loading
            && self
                .snapshot
                .as_ref()
                .is_some_and(|s| s.inventory.view == View::Root && s.inventory.cis_compliant())
    }

    /// Signed in as an auditor (not root), every key has been reviewed:
    /// the auditor's part is done, the rest is root's.
    pub fn auditor_done(&self) -> bool {
        !self.loading
            && self.snapshot.as_ref().is_some_and(|s| {
                s.inventory.view == View::Auditor
                    && self
                        .rows()
                        .iter()
                        .all(|r| self.reviewed.contains(&r.label()))
            })
    }

    /// What the Prevent step's check says: root's MFA, as the account
    /// summary read with the last snapshot says.
    pub fn mfa_check(&self) -> MfaCheck {
        MfaCheck::of(self.snapshot.as_ref().and_then(|s| s.root_mfa))
    }

    /// Whether the backout (a reactivation) was used: for `key_id`, or for
    /// any key when `None`; as the journal says.
    pub fn backout_used(&self, key_id: Option<&str>) -> bool {
        let JournalState::Ready(contents) = &self.journal else {
            return false;
        };
        contents.records.iter().any(|(_, r): &(usize, Record)| {
            r.action == Act::Reactivate
                && matches!(r.phase, Phase::Outcome | Phase::Reconciled)
                && r.applied()
                && key_id.is_none_or(|k| r.key == k)
        })
    }

    /// The journal panel on screen.
    pub fn journal_view(&self) -> Option<&JournalView> {
        match &self.mode {
            Mode::Journal(v) => Some(v),
            _ => None,
        }
    }

    /// Where advice is read: the live view or the demo.
    pub fn surface(&self) -> Surface {
        if self.demo.is_some() {
            Surface::Demo
        } else {
            Surface::View
        }
    }

    /// The demo note of a key, if any.
    pub fn note(&self, key_id: &str) -> Option<&str> {
        self.demo.as_ref().and_then(|d| {
            d.notes
                .iter()
                .find(|(k, _)| k == key_id)
                .map(|(_, n)| n.as_str())
        })
    }
}

//! Writes to the account: the dialog that asks for one (or the reason it
//! is refused), starting it, and what its result changes.

use crate::domain::policy::{self, Decision, Refusal, Request};
use crate::domain::{KeyStatus, View};
use crate::remediate::Done;
use crate::tui::action::{Effect, UiError};
use crate::tui::app::{App, Banner, Confirm, Mode, Pending, Report, Row, TypeToDelete};
use crate::tui::strings;

impl App {
    /// Open the dialog for a write, or say why it is not allowed.
    pub(super) fn ask(&mut self, request: Request) -> Option<Effect> {
        if self.pending.is_some() || self.skipping {
            // One write at a time: input that would start another is
            // ignored, and says so.
            self.banner = Some(Banner::info(strings::ONE_CHANGE_AT_A_TIME));
            return None;
        }
        let Some(snapshot) = &self.snapshot else {
            self.not_loaded();
            return None;
        };
        let Some(row) = self.selected_row() else {
            self.banner = Some(Banner::info(strings::NO_KEY_SELECTED));
            return None;
        };
        let inventory = &snapshot.inventory;
        let decision = policy::decide(
            request,
            inventory.view == View::Root,
            &inventory.identity.arn,
            &row.label(),
            Some(&row.stage()),
            snapshot.now,
            snapshot.window(),
        );
        if let Decision::Refused(refusal) = decision {
            self.banner = Some(Banner::refusal(&refusal, self.surface()));
            return None;
        }
        let Row::Key(view) = row else {
            self.banner = Some(Banner::refusal(&Refusal::AlreadyDeleted, self.surface()));
            return None;
        };
        let Some(key_id) = view.key.access_key_id.clone() else {
            self.banner = Some(Banner::refusal(&Refusal::KeyIdUnknown, self.surface()));
            return None;
        };
        let signs_session = view.key.signs_this_session;
        let mode = match request {
            Request::Delete { .. } => Mode::TypeToDelete(TypeToDelete {
                key_id,
                input: String::new(),
                mismatch: false,
                signs_session,
            }),
            Request::Deactivate | Request::Reactivate => Mode::Confirm(Confirm {
                request,
                key_id,
                yes_focused: false,
                signs_session,
                other_active: snapshot
                    .keys
                    .iter()
                    .filter(|k| k.key.status == KeyStatus::Active && !k.key.signs_this_session)
                    .filter_map(|k| k.key.access_key_id.clone())
                    .collect(),
                last_used: strings::last_used_short(view.key.last_used.as_ref(), snapshot.now),
            }),
        };
        self.banner = None;
        self.mode = mode;
        None
    }

    pub(super) fn start_write(&mut self) -> Option<Effect> {
        let (request, key_id) = match &self.mode {
            Mode::Confirm(c) => (c.request, c.key_id.clone()),
            Mode::TypeToDelete(t) => (Request::Delete { force: false }, t.key_id.clone()),
            _ => return None,
        };
        self.mode = Mode::Browse;
        if self.pending.is_some() {
            return None;
        }
        self.pending = Some(Pending {
            request,
            key_id: key_id.clone(),
        });
        self.banner = None;
        Some(Effect::Write { request, key_id })
    }

    pub(super) fn write_done(
        &mut self,
        request: Request,
        key_id: String,
        result: Result<Done, UiError>,
    ) -> Option<Effect> {
        self.pending = None;
        match result {
            Ok(done) => {
                if done.session_ended {
                    self.banner = None;
                    self.mode = Mode::SessionEnded { key_id, request };
                    return None;
                }
                self.banner = Some(Banner::success(strings::done(
                    request,
                    &key_id,
                    self.window,
                )));
                self.verify_next_load = matches!(request, Request::Delete { .. });
                if self.report != Report::Loading {
                    self.report = Report::Idle;
                }
                self.loading = true;
                Some(Effect::Load)
            }
            Err(e) => {
                self.banner = Some(Banner::error(&e));
                if e.credentials {
                    // Another call would fail the same way.
                    self.queued = None;
                    return None;
                }
                self.loading = true;
                Some(Effect::Load)
            }
        }
    }
}

//! The walkthrough panel (`w`): the organization flow's seven steps, a ✓
//! for each one the selected account has done, and the text of its
//! current step (`assets/walkthrough-org.md`, embedded at build time).

use std::sync::OnceLock;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::panel;
use crate::org::stage::OrgStage;
use crate::tui::org::state::OrgApp;
use crate::tui::org::strings as s;
use crate::tui::walkthrough::{Section, parse};

const TEXT: &str = include_str!("../../../../assets/walkthrough-org.md");

/// A step of the organization flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Review,
    Quarantine,
    Observe,
    Release,
    Delete,
    Verify,
    Prevent,
}

impl Step {
    pub const ALL: [Self; 7] = [
        Self::Review,
        Self::Quarantine,
        Self::Observe,
        Self::Release,
        Self::Delete,
        Self::Verify,
        Self::Prevent,
    ];

    /// Its heading in `assets/walkthrough-org.md`.
    pub fn title(self) -> &'static str {
        match self {
            Self::Review => "Review",
            Self::Quarantine => "Quarantine",
            Self::Observe => "Observe",
            Self::Release => "Release",
            Self::Delete => "Delete",
            Self::Verify => "Verify",
            Self::Prevent => "Prevent",
        }
    }
}

fn sections() -> &'static [Section] {
    static SECTIONS: OnceLock<Vec<Section>> = OnceLock::new();
    SECTIONS.get_or_init(|| parse(TEXT))
}

/// The text of a step.
pub fn section(step: Step) -> Option<&'static Section> {
    sections().iter().find(|s| s.title == step.title())
}

/// Where a step stands for the selected account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Done,
    Now,
    Todo,
}

/// Each step's mark for the selected account (and the organization's
/// prevention SCP, as last read).
pub fn progress(app: &OrgApp) -> Vec<(Step, Mark)> {
    let stage = app.selected_state().map(|st| st.stage);
    let consumer = app
        .selected_state()
        .is_some_and(|st| !st.used_since.is_empty());
    let prevented = app.prevent.as_ref().is_some_and(|p| p.attached.is_some());
    // The steps done, in order, and the current one.
    let (done, now): (&[Step], Option<Step>) = match stage {
        None | Some(OrgStage::Unknown | OrgStage::Management) => (&[], Some(Step::Review)),
        Some(OrgStage::KeysPresent) => (&[Step::Review], Some(Step::Quarantine)),
        Some(OrgStage::Quarantined { .. }) if consumer => {
            (&[Step::Review, Step::Quarantine], Some(Step::Release))
        }
        Some(OrgStage::Quarantined { .. }) => {
            (&[Step::Review, Step::Quarantine], Some(Step::Observe))
        }
        Some(OrgStage::Ready { .. }) if consumer => (
            &[Step::Review, Step::Quarantine, Step::Observe],
            Some(Step::Release),
        ),
        Some(OrgStage::Ready { .. }) => (
            &[Step::Review, Step::Quarantine, Step::Observe],
            Some(Step::Delete),
        ),
        Some(OrgStage::Deleted) => (
            &[
                Step::Review,
                Step::Quarantine,
                Step::Observe,
                Step::Delete,
                Step::Verify,
            ],
            Some(Step::Release),
        ),
        Some(OrgStage::Compliant) => (
            &[
                Step::Review,
                Step::Quarantine,
                Step::Observe,
                Step::Delete,
                Step::Verify,
            ],
            (!prevented).then_some(Step::Prevent),
        ),
    };
    Step::ALL
        .iter()
        .map(|step| {
            let mark = if done.contains(step) || (*step == Step::Prevent && prevented) {
                Mark::Done
            } else if Some(*step) == now {
                Mark::Now
            } else {
                Mark::Todo
            };
            (*step, mark)
        })
        .collect()
}

pub(super) fn draw_walkthrough(frame: &mut Frame, area: Rect, app: &OrgApp) {
    let t = &app.theme;
    let steps = progress(app);
    let mut lines = Vec::new();
    for (i, (step, mark)) in steps.iter().enumerate() {
        let (sign, style) = match mark {
            Mark::Done => (s::STEP_DONE, t.ok),
            Mark::Now => (s::STEP_NOW, t.strong),
            Mark::Todo => (s::STEP_TODO, t.dim),
        };
        let mut spans = vec![
            Span::styled(format!(" {sign} "), style),
            Span::styled(format!("{}. {}", i + 1, step.title()), style),
        ];
        if *step == Step::Release {
            spans.push(Span::styled(format!(" ({})", s::STEP_IF_BROKE), t.dim));
        }
        lines.push(Line::from(spans));
    }
    let current = steps
        .iter()
        .find(|(_, m)| *m == Mark::Now)
        .map(|(step, _)| *step);
    if let Some(section) = current.and_then(section) {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!(" {}", section.title),
            t.strong,
        )));
        let w = usize::from(area.width.saturating_sub(3)).max(8);
        for para in &section.paras {
            // The label leads the paragraph's first line.
            let label = para.label.as_ref().map(|l| format!("{l}: "));
            let text = format!("{}{}", label.as_deref().unwrap_or_default(), para.text);
            for (i, part) in crate::tui::view::wrap(&text, w).into_iter().enumerate() {
                let mut spans = vec![Span::raw(" ")];
                match (&label, i) {
                    (Some(label), 0) if part.starts_with(label.as_str()) => {
                        spans.push(Span::styled(label.clone(), t.label));
                        spans.push(Span::styled(part[label.len()..].to_owned(), Style::new()));
                    }
                    _ => spans.push(Span::styled(part, Style::new())),
                }
                lines.push(Line::from(spans));
            }
        }
    }
    let block = panel(t, s::WALKTHROUGH_TITLE, t.border);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_has_its_text_in_order() {
        let titles: Vec<&str> = sections().iter().map(|s| s.title.as_str()).collect();
        let steps: Vec<&str> = Step::ALL.iter().map(|s| s.title()).collect();
        assert_eq!(titles, steps);
        for step in Step::ALL {
            let s = section(step).expect("section");
            assert!(
                s.paras.iter().any(|p| p.label.as_deref() == Some("Impact")),
                "{step:?} states its impact"
            );
        }
    }
}

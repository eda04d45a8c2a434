//! The six steps of the staged process and their text
//! (`assets/walkthrough.md`, embedded at build time). Text only: imports
//! nothing of the app, and reads no file at run time.

use std::sync::OnceLock;

const TEXT: &str = include_str!("../../assets/walkthrough.md");

/// A step of the staged process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Review,
    Deactivate,
    Observe,
    Backout,
    Delete,
    Verify,
}

impl Step {
    pub const ALL: [Self; 6] = [
        Self::Review,
        Self::Deactivate,
        Self::Observe,
        Self::Backout,
        Self::Delete,
        Self::Verify,
    ];

    /// The heading of the step in `assets/walkthrough.md`.
    pub fn title(self) -> &'static str {
        match self {
            Self::Review => "Review",
            Self::Deactivate => "Deactivate",
            Self::Observe => "Observe",
            Self::Backout => "Backout",
            Self::Delete => "Delete",
            Self::Verify => "Verify",
        }
    }

    pub fn number(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }
}

/// One paragraph; `label` is `Why`, `Impact`, … when the paragraph starts so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Para {
    pub label: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub paras: Vec<Para>,
}

/// Headings (`## `) start sections; blank lines separate paragraphs; the
/// lines of a paragraph are joined.
pub fn parse(text: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let flush = |sections: &mut Vec<Section>, current: &mut Vec<&str>| {
        if current.is_empty() {
            return;
        }
        let joined = current.join(" ");
        current.clear();
        let Some(section) = sections.last_mut() else {
            return;
        };
        let para = match joined.split_once(": ") {
            Some((label, rest))
                if !label.is_empty()
                    && label.len() <= 12
                    && label.chars().all(char::is_alphabetic) =>
            {
                Para {
                    label: Some(label.to_owned()),
                    text: rest.to_owned(),
                }
            }
            _ => Para {
                label: None,
                text: joined,
            },
        };
        section.paras.push(para);
    };
    for line in text.lines() {
        let line = line.trim_end();
        if let Some(title) = line.strip_prefix("## ") {
            flush(&mut sections, &mut current);
            sections.push(Section {
                title: title.trim().to_owned(),
                paras: Vec::new(),
            });
        } else if line.starts_with("# ") || line.trim().is_empty() {
            flush(&mut sections, &mut current);
        } else {
            current.push(line.trim());
        }
    }
    flush(&mut sections, &mut current);
    sections
}

fn sections() -> &'static [Section] {
    static SECTIONS: OnceLock<Vec<Section>> = OnceLock::new();
    SECTIONS.get_or_init(|| parse(TEXT))
}

/// The heading of the text shown once the process is finished.
pub const DONE_TITLE: &str = "Done";

/// The text shown once the process is finished (no root access key).
pub fn done_section() -> Option<&'static Section> {
    sections().iter().find(|s| s.title == DONE_TITLE)
}

/// The heading of the text shown once an auditor has reviewed every key.
pub const AUDITOR_DONE_TITLE: &str = "Done (auditor)";

/// The text shown once an auditor (not root) has reviewed every key: the
/// rest is root's to do.
pub fn auditor_done_section() -> Option<&'static Section> {
    sections().iter().find(|s| s.title == AUDITOR_DONE_TITLE)
}

/// The text of a step.
pub fn section(step: Step) -> Option<&'static Section> {
    sections().iter().find(|s| s.title == step.title())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_has_its_text_in_order() {
        let titles: Vec<&str> = sections().iter().map(|s| s.title.as_str()).collect();
        let mut steps: Vec<&str> = Step::ALL.iter().map(|s| s.title()).collect();
        steps.push(DONE_TITLE);
        steps.push(AUDITOR_DONE_TITLE);
        assert_eq!(titles, steps);
        for step in Step::ALL {
            let s = section(step).expect("section");
            assert!(!s.paras.is_empty(), "{step:?}");
            assert!(
                s.paras.iter().any(|p| p.label.as_deref() == Some("Impact")),
                "{step:?} states its impact"
            );
        }
    }

    #[test]
    fn paragraphs_and_labels() {
        let parsed = parse("# T\nintro\n\n## A\none\ntwo\n\nWhy: because\n\n## B\n");
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].paras[0].text, "one two");
        assert_eq!(parsed[0].paras[1].label.as_deref(), Some("Why"));
        assert_eq!(parsed[0].paras[1].text, "because");
        assert!(parsed[1].paras.is_empty());
    }
}

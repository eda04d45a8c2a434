//! The seven steps of the staged process and their text
//! (`assets/walkthrough.md`, embedded at build time): six that remove the
//! keys, and Prevent, advice that keeps root from getting one again (MFA on
//! root, the prevention SCP). Imports nothing of the app but the SCP's text
//! (`crate::domain::scp`), and reads no file at run time.

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
    /// Advice once the keys are gone: MFA on root, and the SCP that denies
    /// root `iam:CreateAccessKey`. It never holds up Done.
    Prevent,
}

impl Step {
    pub const ALL: [Self; 7] = [
        Self::Review,
        Self::Deactivate,
        Self::Observe,
        Self::Backout,
        Self::Delete,
        Self::Verify,
        Self::Prevent,
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
            Self::Prevent => "Prevent",
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

/// What the Prevent step's check says about root's MFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaCheck {
    /// Root has an MFA device: the check passes.
    On,
    /// No MFA device on root: the step shows the advice.
    Off,
    /// The account summary could not be read (or had no such entry).
    Unknown,
}

impl MfaCheck {
    /// From `AccountMFAEnabled` (`None`: could not be read).
    pub fn of(root_mfa: Option<bool>) -> Self {
        match root_mfa {
            Some(true) => Self::On,
            Some(false) => Self::Off,
            None => Self::Unknown,
        }
    }
}

/// The prevention SCP as lines for a pane `width` columns wide: the
/// policy's own lines, each longer one broken at a space (never inside a
/// JSON string, so a copied text is still the same policy) and carried on
/// two columns further in.
pub fn policy_lines(width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for line in crate::domain::scp::PREVENT_POLICY.lines() {
        let indent = line.len() - line.trim_start().len();
        let mut rest = line.to_owned();
        let mut first = true;
        loop {
            let lead = if first { 0 } else { indent + 2 };
            let room = width.saturating_sub(lead).max(1);
            let body = rest.trim_start_matches(' ');
            let shown = if first { rest.as_str() } else { body };
            if shown.chars().count() <= room {
                out.push(format!("{}{shown}", " ".repeat(lead)));
                break;
            }
            let cut = outside_strings_space(shown, room).unwrap_or(shown.len());
            out.push(format!("{}{}", " ".repeat(lead), &shown[..cut]));
            let tail = shown[cut..].trim_start_matches(' ').to_owned();
            if tail.is_empty() {
                break;
            }
            rest = tail;
            first = false;
        }
    }
    out
}

/// The last space within the first `room` characters of `line` that is not
/// inside a JSON string (and not in its leading indentation); else the
/// first such space at all.
fn outside_strings_space(line: &str, room: usize) -> Option<usize> {
    let indent = line.len() - line.trim_start().len();
    let mut in_string = false;
    let mut escaped = false;
    let mut best = None;
    for (i, (at, c)) in line.char_indices().enumerate() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            ' ' if at > indent => {
                if i <= room || best.is_none() {
                    best = Some(at);
                }
                if i > room {
                    break;
                }
            }
            _ => {}
        }
    }
    best
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
    fn prevent_is_the_last_step_and_names_what_it_checks_and_hands_over() {
        assert_eq!(Step::ALL.last(), Some(&Step::Prevent));
        assert_eq!(Step::Prevent.number(), 7);
        let text: String = section(Step::Prevent)
            .expect("prevent")
            .paras
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        for needle in [
            "AccountMFAEnabled",
            "Assign MFA device",
            "organization root",
            "rootkeys org prevent",
            "rootkeys prevent",
        ] {
            assert!(text.contains(needle), "Prevent says {needle}: {text}");
        }
        let done: String = done_section()
            .expect("done")
            .paras
            .iter()
            .map(|p| p.text.as_str())
            .collect();
        assert!(done.contains("Prevent"), "Done points to Prevent: {done}");
    }

    #[test]
    fn mfa_check_from_the_summary() {
        assert_eq!(MfaCheck::of(Some(true)), MfaCheck::On);
        assert_eq!(MfaCheck::of(Some(false)), MfaCheck::Off);
        assert_eq!(MfaCheck::of(None), MfaCheck::Unknown);
    }

    #[test]
    fn policy_lines_fit_and_are_still_the_policy() {
        let policy = crate::domain::scp::PREVENT_POLICY;
        let wide = policy_lines(200);
        assert_eq!(wide.join("\n"), policy, "unchanged when it fits");
        for width in [76, 49, 40] {
            let lines = policy_lines(width);
            for line in &lines {
                assert!(line.chars().count() <= width, "{width}: {line:?}");
            }
            assert!(
                crate::domain::scp::same_policy(&lines.join("\n"), policy),
                "{width}: {lines:#?}"
            );
        }
        // Too narrow for a string: it is kept whole rather than broken.
        let narrow = policy_lines(10);
        assert!(crate::domain::scp::same_policy(&narrow.join("\n"), policy));
        assert!(narrow.iter().any(|l| l.contains("\"arn:*:iam::*:root\"")));
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

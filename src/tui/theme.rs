//! Every colour and text style of the interactive view, in one place.
//! `NO_COLOR` (any non-empty value) keeps the emphasis (bold, reverse,
//! dim) and drops the colours. Styles only: imports nothing of the app.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// The title bar.
    pub title: Style,
    /// Labels such as `Status`, `Last used`.
    pub label: Style,
    /// Secondary text.
    pub dim: Style,
    /// Plain emphasis.
    pub strong: Style,
    pub border: Style,
    /// The border of the focused or important panel.
    pub border_focus: Style,
    /// Good news: compliant, inactive, done.
    pub ok: Style,
    /// Needs attention: an active root key, the signing key.
    pub warn: Style,
    /// Danger: not compliant, delete, errors.
    pub danger: Style,
    /// Neutral highlight: observing, links between facts.
    pub accent: Style,
    /// The selected table row.
    pub selected: Style,
    /// A key hint (`d`) in the footer and help.
    pub key: Style,
    /// The focused button of a dialog.
    pub button_focus: Style,
    pub button: Style,
    /// The text being typed in a dialog.
    pub input: Style,
    /// The current walkthrough step.
    pub step_current: Style,
}

impl Theme {
    /// Colours unless `NO_COLOR` is set to a non-empty value.
    pub fn from_env() -> Self {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Self::plain(),
            _ => Self::color(),
        }
    }

    pub fn color() -> Self {
        let bold = Modifier::BOLD;
        Self {
            title: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(bold),
            label: Style::new().fg(Color::Gray),
            dim: Style::new().fg(Color::DarkGray),
            strong: Style::new().add_modifier(bold),
            border: Style::new().fg(Color::DarkGray),
            border_focus: Style::new().fg(Color::Cyan),
            ok: Style::new().fg(Color::Green).add_modifier(bold),
            warn: Style::new().fg(Color::Yellow),
            danger: Style::new().fg(Color::LightRed).add_modifier(bold),
            accent: Style::new().fg(Color::Cyan),
            selected: Style::new().bg(Color::Indexed(237)).add_modifier(bold),
            key: Style::new().fg(Color::Cyan).add_modifier(bold),
            button_focus: Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(bold),
            button: Style::new().fg(Color::Gray),
            input: Style::new().fg(Color::White).add_modifier(bold),
            step_current: Style::new().fg(Color::Cyan).add_modifier(bold),
        }
    }

    pub fn plain() -> Self {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Self {
            title: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            label: Style::new(),
            dim: Style::new().add_modifier(Modifier::DIM),
            strong: bold,
            border: Style::new(),
            border_focus: bold,
            ok: bold,
            warn: bold,
            danger: bold,
            accent: Style::new(),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            key: bold,
            button_focus: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            button: Style::new(),
            input: bold,
            step_current: Style::new().add_modifier(Modifier::REVERSED),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_theme_has_no_colours() {
        let t = Theme::plain();
        for style in [
            t.title,
            t.label,
            t.dim,
            t.strong,
            t.border,
            t.border_focus,
            t.ok,
            t.warn,
            t.danger,
            t.accent,
            t.selected,
            t.key,
            t.button_focus,
            t.button,
            t.input,
            t.step_current,
        ] {
            assert_eq!(style.fg, None, "{style:?}");
            assert_eq!(style.bg, None, "{style:?}");
        }
        assert_ne!(Theme::color(), t);
    }
}

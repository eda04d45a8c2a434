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
        Self::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a value of `NO_COLOR`: plain when it is set and not
    /// empty (<https://no-color.org>), else colours.
    pub fn for_no_color(value: Option<&std::ffi::OsStr>) -> Self {
        match value {
            Some(v) if !v.is_empty() => Self::plain(),
            _ => Self::color(),
        }
    }

    /// Colours readable on dark and light terminal themes alike: text keeps
    /// the terminal's own foreground and is told apart by modifiers (DIM,
    /// BOLD); a colour is a foreground only where it is a hue every theme
    /// shows on its background (cyan, green, yellow, red), and a neutral
    /// colour (black, white, the greys, palette 0, 7, 8, 15) appears only
    /// as a foreground *and* background pair. Palette 8 (`DarkGray`) is
    /// never used: it is the background of Solarized Dark.
    pub fn color() -> Self {
        let bold = Modifier::BOLD;
        let dim = Style::new().add_modifier(Modifier::DIM);
        Self {
            title: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(bold),
            label: Style::new().add_modifier(bold),
            dim,
            strong: Style::new().add_modifier(bold),
            border: dim,
            border_focus: Style::new().fg(Color::Cyan),
            ok: Style::new().fg(Color::Green).add_modifier(bold),
            warn: Style::new().fg(Color::Yellow),
            danger: Style::new().fg(Color::LightRed).add_modifier(bold),
            accent: Style::new().fg(Color::Cyan),
            selected: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(bold),
            key: Style::new().fg(Color::Cyan).add_modifier(bold),
            button_focus: Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(bold),
            button: Style::new().add_modifier(Modifier::REVERSED),
            input: Style::new().add_modifier(bold | Modifier::UNDERLINED),
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

    /// Every style of the theme, for checks over all of them.
    pub fn styles(&self) -> [Style; 16] {
        [
            self.title,
            self.label,
            self.dim,
            self.strong,
            self.border,
            self.border_focus,
            self.ok,
            self.warn,
            self.danger,
            self.accent,
            self.selected,
            self.key,
            self.button_focus,
            self.button,
            self.input,
            self.step_current,
        ]
    }
}

/// A colour that is the background (or nearly) of some common terminal
/// theme: black, white, the greys, and their palette indices.
pub fn is_neutral(color: Color) -> bool {
    matches!(
        color,
        Color::Black
            | Color::White
            | Color::Gray
            | Color::DarkGray
            | Color::Indexed(0 | 7 | 8 | 15 | 232..=255)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_theme_has_no_colours() {
        let t = Theme::plain();
        for style in t.styles() {
            assert_eq!(style.fg, None, "{style:?}");
            assert_eq!(style.bg, None, "{style:?}");
        }
        assert_ne!(Theme::color(), t);
    }

    #[test]
    fn no_color_set_and_not_empty_means_no_colours() {
        use std::ffi::OsStr;
        assert_eq!(Theme::for_no_color(Some(OsStr::new("1"))), Theme::plain());
        assert_eq!(Theme::for_no_color(Some(OsStr::new("yes"))), Theme::plain());
        assert_eq!(Theme::for_no_color(Some(OsStr::new(""))), Theme::color());
        assert_eq!(Theme::for_no_color(None), Theme::color());
    }

    #[test]
    fn no_style_uses_palette_8_the_solarized_dark_background() {
        for style in Theme::color()
            .styles()
            .into_iter()
            .chain(Theme::plain().styles())
        {
            for c in [style.fg, style.bg].into_iter().flatten() {
                assert!(
                    !matches!(c, Color::DarkGray | Color::Indexed(8)),
                    "{style:?}"
                );
            }
        }
    }

    #[test]
    fn neutral_colours_come_only_as_foreground_and_background_pairs() {
        for style in Theme::color().styles() {
            let neutral = [style.fg, style.bg].into_iter().flatten().any(is_neutral);
            if neutral {
                assert!(style.fg.is_some() && style.bg.is_some(), "{style:?}");
            }
            // A background alone leaves the text colour to the terminal:
            // dark on dark, or light on light, on some theme.
            if style.bg.is_some() {
                assert!(style.fg.is_some(), "{style:?}");
            }
        }
    }

    #[test]
    fn selected_row_sets_both_colours_or_reverses() {
        for t in [Theme::color(), Theme::plain()] {
            let s = t.selected;
            let reversed = s.add_modifier.contains(Modifier::REVERSED);
            assert!(reversed || (s.fg.is_some() && s.bg.is_some()), "{s:?}");
        }
    }
}

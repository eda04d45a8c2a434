//! Keys → commands of the organization view, one table per mode, with the
//! same conventions as the single-account view (`crate::tui::keymap`):
//! the tables feed the `?` help and the footer, Esc is back/cancel and
//! never leaves, q and Ctrl-C leave. Reads key events and the mode only.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{Action, Command};
use super::state::{Mode, OrgApp};
use super::strings as s;

const fn bind(
    keys: &'static [KeyCode],
    label: &'static str,
    command: Command,
    help: &'static str,
    hint: Option<&'static str>,
) -> OrgBinding {
    OrgBinding {
        keys,
        label,
        command,
        help,
        hint,
    }
}

/// A key binding of the organization view (the single-account view's
/// `Binding` carries that view's commands).
#[derive(Debug, Clone, Copy)]
pub struct OrgBinding {
    pub keys: &'static [KeyCode],
    /// How the keys are written in the help.
    pub label: &'static str,
    pub command: Command,
    pub help: &'static str,
    /// A short word for the footer, when the binding is worth a hint.
    pub hint: Option<&'static str>,
}

use KeyCode::Char;
use KeyCode::{Backspace, Down, End, Enter, Esc, Home, PageDown, PageUp, Up};

/// The accounts table.
pub const BROWSE: &[OrgBinding] = &[
    bind(&[Up, Char('k')], "↑ k", Command::Up, s::HK_UP, None),
    bind(
        &[Down, Char('j')],
        "↓ j",
        Command::Down,
        s::HK_DOWN,
        Some(s::HINT_SELECT),
    ),
    bind(&[Home, Char('g')], "g Home", Command::Top, s::HK_TOP, None),
    bind(
        &[End, Char('G')],
        "G End",
        Command::Bottom,
        s::HK_BOTTOM,
        None,
    ),
    bind(
        &[Enter],
        "Enter",
        Command::Open,
        s::HK_OPEN,
        Some(s::HINT_OPEN),
    ),
    bind(
        &[Char('/')],
        "/",
        Command::Filter,
        s::HK_FILTER,
        Some(s::HINT_FILTER),
    ),
    bind(
        &[Char('n')],
        "n",
        Command::NonCompliant,
        s::HK_NON_COMPLIANT,
        Some(s::HINT_NON_COMPLIANT),
    ),
    bind(
        &[Char('?')],
        "?",
        Command::ToggleHelp,
        s::HK_HELP,
        Some(s::HINT_HELP),
    ),
    bind(
        &[Char('q')],
        "q",
        Command::Quit,
        s::HK_QUIT,
        Some(s::HINT_QUIT),
    ),
    bind(&[Esc], "Esc", Command::Back, s::HK_BACK, None),
];

/// The detail pane open under the table: the selection still moves.
pub const DETAIL: &[OrgBinding] = &[
    bind(&[Up, Char('k')], "↑ k", Command::Up, s::HK_UP, None),
    bind(
        &[Down, Char('j')],
        "↓ j",
        Command::Down,
        s::HK_DOWN,
        Some(s::HINT_SELECT),
    ),
    bind(
        &[PageUp, Char('K')],
        "PgUp K",
        Command::PageUp,
        s::HK_PAGE_UP,
        None,
    ),
    bind(
        &[PageDown, Char('J')],
        "PgDn J",
        Command::PageDown,
        s::HK_PAGE_DOWN,
        Some(s::HINT_SCROLL),
    ),
    bind(
        &[Esc, Enter],
        "Esc Enter",
        Command::Back,
        s::HK_DETAIL_BACK,
        Some(s::HINT_CLOSE),
    ),
    bind(
        &[Char('/')],
        "/",
        Command::Filter,
        s::HK_FILTER,
        Some(s::HINT_FILTER),
    ),
    bind(
        &[Char('n')],
        "n",
        Command::NonCompliant,
        s::HK_NON_COMPLIANT,
        Some(s::HINT_NON_COMPLIANT),
    ),
    bind(
        &[Char('?')],
        "?",
        Command::ToggleHelp,
        s::HK_HELP,
        Some(s::HINT_HELP),
    ),
    bind(
        &[Char('q')],
        "q",
        Command::Quit,
        s::HK_QUIT,
        Some(s::HINT_QUIT),
    ),
];

/// Typing a filter: every character is text.
pub const FILTER: &[OrgBinding] = &[
    bind(
        &[Enter],
        "Enter",
        Command::KeepFilter,
        s::HK_KEEP,
        Some(s::HINT_KEEP),
    ),
    bind(
        &[Esc],
        "Esc",
        Command::Back,
        s::HK_CLEAR,
        Some(s::HINT_CLEAR),
    ),
    // Backspace is matched in `action_for` (it edits the text).
    bind(&[], "Backspace", Command::Back, s::HK_ERASE, None),
];

fn lookup(table: &[OrgBinding], code: KeyCode) -> Option<Command> {
    table
        .iter()
        .find(|b| b.keys.contains(&code))
        .map(|b| b.command)
}

/// The action a key press means in the view's current mode.
pub fn action_for(app: &OrgApp, key: KeyEvent) -> Option<Action> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    if ctrl && matches!(key.code, Char('c' | 'C')) {
        return Some(Command::Quit.into());
    }
    if ctrl || alt {
        return None;
    }
    match &app.mode {
        Mode::Filter => {
            if key.code == Backspace {
                return Some(Action::Backspace);
            }
            if let Some(command) = lookup(FILTER, key.code) {
                return Some(command.into());
            }
            match key.code {
                Char(c) => Some(Action::Input(c)),
                _ => None,
            }
        }
        // Any key closes the help (q still leaves).
        Mode::Help(_) => Some(
            match key.code {
                Char('q') => Command::Quit,
                _ => Command::ToggleHelp,
            }
            .into(),
        ),
        Mode::Detail { .. } => lookup(DETAIL, key.code).map(Action::from),
        Mode::Browse => lookup(BROWSE, key.code).map(Action::from),
    }
}

/// The help's sections: title and bindings, the current mode's first.
pub fn help_sections(detail: bool) -> Vec<(&'static str, &'static [OrgBinding])> {
    let main = (s::HELP_MAIN, BROWSE);
    let detail_section = (s::HELP_DETAIL, DETAIL);
    let mut sections = if detail {
        vec![detail_section, main]
    } else {
        vec![main, detail_section]
    };
    sections.push((s::HELP_FILTER, FILTER));
    sections
}

/// Footer hints for the mode: (keys, word), in the table's order.
pub fn hints(mode: &Mode) -> Vec<(&'static str, &'static str)> {
    let table = match mode {
        Mode::Filter => FILTER,
        Mode::Detail { .. } => DETAIL,
        Mode::Browse | Mode::Help(_) => BROWSE,
    };
    table
        .iter()
        .filter_map(|b| {
            b.hint.map(|h| {
                let key = match b.command {
                    Command::Down => "↑↓",
                    Command::PageDown => "PgUp/PgDn",
                    _ => b.label.split(' ').next().unwrap_or(b.label),
                };
                (key, h)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::org::state::Config;
    use crate::tui::theme::Theme;

    fn app() -> OrgApp {
        OrgApp::new(Config {
            theme: Theme::plain(),
            demo: None,
            now: chrono::Utc::now(),
        })
    }

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn command(app: &OrgApp, code: KeyCode) -> Option<Command> {
        match action_for(app, press(code)) {
            Some(Action::Command(c)) => Some(c),
            _ => None,
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_a_table() {
        for table in [BROWSE, DETAIL, FILTER] {
            let mut seen = Vec::new();
            for b in table {
                for k in b.keys {
                    assert!(!seen.contains(k), "{k:?} bound twice");
                    seen.push(*k);
                }
            }
        }
    }

    #[test]
    fn esc_goes_back_q_and_ctrl_c_leave() {
        let mut a = app();
        assert_eq!(command(&a, Esc), Some(Command::Back));
        assert_eq!(command(&a, Char('q')), Some(Command::Quit));
        assert_eq!(command(&a, Char('/')), Some(Command::Filter));
        assert_eq!(command(&a, Char('n')), Some(Command::NonCompliant));
        assert_eq!(command(&a, Enter), Some(Command::Open));
        a.mode = Mode::Filter;
        // Typing a filter: q and n are text, Enter keeps, Esc clears.
        assert!(matches!(
            action_for(&a, press(Char('q'))),
            Some(Action::Input('q'))
        ));
        assert!(matches!(
            action_for(&a, press(Char('n'))),
            Some(Action::Input('n'))
        ));
        assert!(matches!(
            action_for(&a, press(Backspace)),
            Some(Action::Backspace)
        ));
        assert_eq!(command(&a, Enter), Some(Command::KeepFilter));
        assert_eq!(command(&a, Esc), Some(Command::Back));
        assert!(matches!(
            action_for(&a, KeyEvent::new(Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Command(Command::Quit))
        ));
        a.mode = Mode::Detail { scroll: 0 };
        assert_eq!(command(&a, Esc), Some(Command::Back));
        assert_eq!(command(&a, PageDown), Some(Command::PageDown));
        a.mode = Mode::Help(Box::new(Mode::Browse));
        assert_eq!(command(&a, Esc), Some(Command::ToggleHelp));
        assert_eq!(command(&a, Char('q')), Some(Command::Quit));
    }

    #[test]
    fn help_and_footer_come_from_the_tables() {
        let listed: Vec<Command> = help_sections(false)
            .iter()
            .flat_map(|(_, b)| b.iter().map(|b| b.command))
            .collect();
        for b in BROWSE.iter().chain(DETAIL).chain(FILTER) {
            assert!(listed.contains(&b.command), "{:?} missing", b.command);
        }
        assert_eq!(help_sections(true)[0].0, s::HELP_DETAIL);
        let keys: Vec<&str> = hints(&Mode::Browse).iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["↑↓", "Enter", "/", "n", "?", "q"]);
        let keys: Vec<&str> = hints(&Mode::Filter).iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["Enter", "Esc"]);
    }
}

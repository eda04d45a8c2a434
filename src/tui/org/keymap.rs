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
        demo_only: false,
    }
}

const fn demo(binding: OrgBinding) -> OrgBinding {
    OrgBinding {
        demo_only: true,
        ..binding
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
    /// Bound in the demo only (the simulated clock).
    pub demo_only: bool,
}

use KeyCode::Char;
use KeyCode::{Backspace, Down, End, Enter, Esc, Home, Left, PageDown, PageUp, Right, Tab, Up};

/// The changes, in the table and in the detail pane alike.
pub const WRITES: &[OrgBinding] = &[
    bind(
        &[Char('Q')],
        "Q",
        Command::Quarantine,
        s::HK_QUARANTINE,
        Some(s::HINT_QUARANTINE),
    ),
    bind(
        &[Char('R')],
        "R",
        Command::Release,
        s::HK_RELEASE,
        Some(s::HINT_RELEASE),
    ),
    bind(
        &[Char('D')],
        "D",
        Command::Delete,
        s::HK_DELETE,
        Some(s::HINT_DELETE),
    ),
    bind(
        &[Char(' ')],
        "Space",
        Command::Mark,
        s::HK_MARK,
        Some(s::HINT_MARK),
    ),
    bind(
        &[Char('P')],
        "P",
        Command::Prevent,
        s::HK_PREVENT,
        Some(s::HINT_PREVENT),
    ),
    bind(
        &[Char('w')],
        "w",
        Command::ToggleWalkthrough,
        s::HK_WALKTHROUGH,
        Some(s::HINT_WALKTHROUGH),
    ),
    demo(bind(
        &[Char('s')],
        "s",
        Command::SkipDay,
        s::HK_SKIP_DAY,
        Some(s::HINT_SKIP),
    )),
    demo(bind(
        &[Char('S')],
        "S",
        Command::SkipWindow,
        s::HK_SKIP_WINDOW,
        Some(s::HINT_SKIP_WINDOW),
    )),
    demo(bind(
        &[Char('m')],
        "m",
        Command::MoveToRole,
        s::HK_MOVE_TO_ROLE,
        Some(s::HINT_MOVE_TO_ROLE),
    )),
];

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

/// A y/N dialog: it takes every key; No is the default.
pub const CONFIRM: &[OrgBinding] = &[
    bind(
        &[Char('y'), Char('Y')],
        "y",
        Command::Yes,
        s::HK_YES,
        Some(s::HINT_YES),
    ),
    bind(
        &[Char('n'), Char('N'), Char('q')],
        "n",
        Command::No,
        s::HK_NO,
        Some(s::HINT_NO),
    ),
    bind(
        &[Left, Right, Tab, Char('h'), Char('l')],
        "← → Tab",
        Command::Switch,
        s::HK_SWITCH,
        None,
    ),
    bind(
        &[Enter],
        "Enter",
        Command::Submit,
        s::HK_SUBMIT,
        Some(s::HINT_ANSWER),
    ),
    bind(&[Esc], "Esc", Command::Back, s::HK_NO, None),
    bind(
        // ↑ and k are matched in `action_for` (one binding in the help).
        &[Down, Char('j')],
        "↑ ↓",
        Command::Down,
        s::HK_LIST,
        None,
    ),
];

/// A typed confirmation: every character is text.
pub const TYPED: &[OrgBinding] = &[
    bind(
        &[Enter],
        "Enter",
        Command::Submit,
        s::HK_TYPED_SUBMIT,
        Some(s::HINT_CONFIRM),
    ),
    bind(
        &[Esc],
        "Esc",
        Command::Back,
        s::HK_TYPED_BACK,
        Some(s::HINT_CANCEL),
    ),
    bind(&[Backspace], "Backspace", Command::Erase, s::HK_ERASE, None),
    // Ctrl-U is matched in `action_for` (it needs the modifier).
    bind(&[], "Ctrl-U", Command::ClearInput, s::HK_CLEAR_INPUT, None),
];

fn lookup(table: &[OrgBinding], code: KeyCode, demo_mode: bool) -> Option<Command> {
    table
        .iter()
        .filter(|b| demo_mode || !b.demo_only)
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
    let typed = matches!(app.mode, Mode::TypeDelete(_) | Mode::Prevent(_));
    if typed && ctrl && matches!(key.code, Char('u' | 'U')) {
        return Some(Command::ClearInput.into());
    }
    if ctrl || alt {
        return None;
    }
    let demo_mode = app.demo.is_some();
    match &app.mode {
        Mode::Filter => {
            if key.code == Backspace {
                return Some(Action::Backspace);
            }
            if let Some(command) = lookup(FILTER, key.code, demo_mode) {
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
        Mode::Confirm(_) => {
            let command = match key.code {
                Up | Char('k') => Some(Command::Up),
                PageUp => Some(Command::PageUp),
                PageDown => Some(Command::PageDown),
                code => lookup(CONFIRM, code, demo_mode),
            };
            command.map(Action::from)
        }
        Mode::TypeDelete(_) | Mode::Prevent(_) => {
            if let Some(command) = lookup(TYPED, key.code, demo_mode) {
                return Some(command.into());
            }
            match key.code {
                Char(c) => Some(Action::Input(c)),
                _ => None,
            }
        }
        Mode::Detail { .. } => lookup(DETAIL, key.code, demo_mode)
            .or_else(|| lookup(WRITES, key.code, demo_mode))
            .map(Action::from),
        Mode::Browse => lookup(BROWSE, key.code, demo_mode)
            .or_else(|| lookup(WRITES, key.code, demo_mode))
            .map(Action::from),
    }
}

/// The help's sections: title and bindings, the current mode's first;
/// the demo's keys only in the demo.
pub fn help_sections(
    detail: bool,
    demo_mode: bool,
) -> Vec<(&'static str, Vec<&'static OrgBinding>)> {
    let keep = |table: &'static [OrgBinding]| -> Vec<&'static OrgBinding> {
        table.iter().filter(|b| demo_mode || !b.demo_only).collect()
    };
    // The changes belong to both: listed with the current mode's keys, so
    // that a short terminal still shows them.
    let with_writes = |table: &'static [OrgBinding]| {
        let mut keys = keep(table);
        keys.extend(keep(WRITES));
        keys
    };
    let mut sections = if detail {
        vec![
            (s::HELP_DETAIL, with_writes(DETAIL)),
            (s::HELP_MAIN, keep(BROWSE)),
        ]
    } else {
        vec![
            (s::HELP_MAIN, with_writes(BROWSE)),
            (s::HELP_DETAIL, keep(DETAIL)),
        ]
    };
    sections.push((s::HELP_DIALOG, keep(CONFIRM)));
    sections.push((s::HELP_TYPED, keep(TYPED)));
    sections.push((s::HELP_FILTER, keep(FILTER)));
    sections
}

/// Footer hints for the mode: (keys, word), most useful first: moving and
/// opening, then the changes, then the rest of the table.
pub fn hints(mode: &Mode, demo_mode: bool) -> Vec<(&'static str, &'static str)> {
    let (table, writes): (&[OrgBinding], bool) = match mode {
        Mode::Filter => (FILTER, false),
        Mode::Detail { .. } => (DETAIL, true),
        Mode::Browse | Mode::Help(_) => (BROWSE, true),
        // A dialog takes every key: its own keys only (`q` is No in a
        // y/N dialog and text in a typed one).
        Mode::Confirm(_) => (CONFIRM, false),
        Mode::TypeDelete(_) | Mode::Prevent(_) => (TYPED, false),
    };
    let hint = |b: &OrgBinding| {
        if b.demo_only && !demo_mode {
            return None;
        }
        b.hint.map(|h| {
            let key = match b.command {
                Command::Down => "↑↓",
                Command::PageDown => "PgUp/PgDn",
                _ => b.label.split(' ').next().unwrap_or(b.label),
            };
            (key, h)
        })
    };
    let mut out: Vec<(&str, &str)> = table.iter().filter_map(hint).collect();
    if writes {
        // After the first two (select, open or scroll).
        let at = out.len().min(2);
        let changes: Vec<(&str, &str)> = WRITES.iter().filter_map(hint).collect();
        out.splice(at..at, changes);
    }
    out
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
        for table in [BROWSE, DETAIL, FILTER, WRITES, CONFIRM, TYPED] {
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
    fn dialogs_take_every_key_and_the_demo_keys_exist_only_in_the_demo() {
        let mut a = app();
        assert_eq!(command(&a, Char('Q')), Some(Command::Quarantine));
        assert_eq!(command(&a, Char(' ')), Some(Command::Mark));
        assert_eq!(command(&a, Char('s')), None, "not in the demo");
        a.demo = Some(crate::tui::org::state::OrgDemo::default());
        assert_eq!(command(&a, Char('s')), Some(Command::SkipDay));
        a.mode = Mode::TypeDelete(crate::tui::org::state::TypeDelete {
            account_id: "210987654321".into(),
            name: String::new(),
            keys: Vec::new(),
            input: String::new(),
            mismatch: None,
            back: Box::new(Mode::Browse),
        });
        // q, Q and ? are text in a typed confirmation; Esc cancels.
        for c in ['q', 'Q', '?', 'y'] {
            assert!(matches!(
                action_for(&a, press(Char(c))),
                Some(Action::Input(x)) if x == c
            ));
        }
        assert_eq!(command(&a, Esc), Some(Command::Back));
        assert_eq!(command(&a, Enter), Some(Command::Submit));
    }

    #[test]
    fn help_and_footer_come_from_the_tables() {
        let listed: Vec<Command> = help_sections(false, true)
            .iter()
            .flat_map(|(_, b)| b.iter().map(|b| b.command))
            .collect();
        for b in BROWSE.iter().chain(DETAIL).chain(FILTER).chain(WRITES) {
            assert!(listed.contains(&b.command), "{:?} missing", b.command);
        }
        assert_eq!(help_sections(true, false)[0].0, s::HELP_DETAIL);
        let keys: Vec<&str> = hints(&Mode::Browse, false)
            .iter()
            .map(|(k, _)| *k)
            .collect();
        assert_eq!(
            keys,
            [
                "↑↓", "Enter", "Q", "R", "D", "Space", "P", "w", "/", "n", "?", "q"
            ]
        );
        let demo: Vec<&str> = hints(&Mode::Browse, true).iter().map(|(k, _)| *k).collect();
        assert!(demo.contains(&"s") && demo.contains(&"S"), "{demo:?}");
        let keys: Vec<&str> = hints(&Mode::Filter, false)
            .iter()
            .map(|(k, _)| *k)
            .collect();
        assert_eq!(keys, ["Enter", "Esc"]);
    }
}

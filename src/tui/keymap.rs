//! Keys → commands, one table per mode. The same tables feed the `?` help
//! and the footer hints, so what is shown is what is bound. Reads key
//! events (through `ratatui::crossterm`) and the mode; never changes the
//! `App`, awaits or does I/O, and imports nothing of the plain-terminal commands.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{Action, Command};
use super::app::{App, Mode};
use super::strings as s;

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [KeyCode],
    /// How the keys are written in the help.
    pub label: &'static str,
    pub command: Command,
    pub help: &'static str,
    /// A short word for the footer, when the binding is worth a hint.
    pub hint: Option<&'static str>,
    pub demo_only: bool,
}

const fn bind(
    keys: &'static [KeyCode],
    label: &'static str,
    command: Command,
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        keys,
        label,
        command,
        help,
        hint,
        demo_only: false,
    }
}

const fn demo(binding: Binding) -> Binding {
    Binding {
        demo_only: true,
        ..binding
    }
}

use KeyCode::{
    Backspace, Char, Down, End, Enter, Esc, Home, Left, PageDown, PageUp, Right, Tab, Up,
};

pub const BROWSE: &[Binding] = &[
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
        &[Char('d')],
        "d",
        Command::Deactivate,
        s::HK_DEACTIVATE,
        Some(s::HINT_DEACTIVATE),
    ),
    bind(
        &[Char('a')],
        "a",
        Command::Reactivate,
        s::HK_REACTIVATE,
        Some(s::HINT_REACTIVATE),
    ),
    bind(
        &[Char('D'), Char('x')],
        "D x",
        Command::Delete,
        s::HK_DELETE,
        Some(s::HINT_DELETE),
    ),
    bind(
        &[Char('u')],
        "u",
        Command::Usage,
        s::HK_USAGE,
        Some(s::HINT_USAGE),
    ),
    bind(
        &[Char('r')],
        "r",
        Command::Refresh,
        s::HK_REFRESH,
        Some(s::HINT_REFRESH),
    ),
    bind(
        &[Char('J')],
        "J",
        Command::Journal,
        s::HK_JOURNAL,
        Some(s::HINT_JOURNAL),
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
    demo(bind(
        &[Char('c')],
        "c",
        Command::TemporaryRoot,
        s::HK_TEMPORARY_ROOT,
        None,
    )),
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

/// The usage view: reading, so the movement keys scroll.
pub const USAGE: &[Binding] = &[
    bind(&[Up, Char('k')], "↑ k", Command::Up, s::HK_SCROLL_UP, None),
    bind(
        &[Down, Char('j')],
        "↓ j",
        Command::Down,
        s::HK_SCROLL_DOWN,
        Some(s::HINT_SCROLL),
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
        Some(s::HINT_PAGE),
    ),
    bind(
        &[Home, Char('g')],
        "g Home",
        Command::Top,
        s::HK_USAGE_TOP,
        None,
    ),
    bind(
        &[End, Char('G')],
        "G End",
        Command::Bottom,
        s::HK_USAGE_BOTTOM,
        None,
    ),
    bind(
        &[Char('u'), Esc],
        "u Esc",
        Command::Back,
        s::HK_USAGE_BACK,
        Some(s::HINT_KEY_FACTS),
    ),
    bind(
        &[Char('r')],
        "r",
        Command::Refresh,
        s::HK_USAGE_AGAIN,
        Some(s::HINT_SEARCH_AGAIN),
    ),
    // The simulated clock can move while a review is open: it is searched
    // again, so a job failing meanwhile shows up.
    demo(bind(
        &[Char('s')],
        "s",
        Command::SkipDay,
        s::HK_SKIP_DAY,
        None,
    )),
    demo(bind(
        &[Char('S')],
        "S",
        Command::SkipWindow,
        s::HK_SKIP_WINDOW,
        None,
    )),
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

pub const CONFIRM: &[Binding] = &[
    bind(&[Char('y'), Char('Y')], "y", Command::Yes, s::HK_YES, None),
    bind(
        &[Char('n'), Char('N'), Char('q')],
        "n",
        Command::No,
        s::HK_NO,
        None,
    ),
    bind(
        &[Left, Right, Tab, Char('h'), Char('l')],
        "← → Tab",
        Command::Switch,
        s::HK_SWITCH,
        None,
    ),
    bind(&[Enter], "Enter", Command::Submit, s::HK_SUBMIT, None),
    bind(&[Esc], "Esc", Command::Back, s::HK_NO, None),
];

pub const TYPED: &[Binding] = &[
    bind(&[Enter], "Enter", Command::Submit, s::HK_TYPED_SUBMIT, None),
    bind(&[Esc], "Esc", Command::Back, s::HK_TYPED_BACK, None),
    bind(
        &[Backspace],
        "Backspace",
        Command::Backspace,
        s::HK_BACKSPACE,
        None,
    ),
    // Ctrl-U is matched in `action_for` (it needs the modifier).
    bind(&[], "Ctrl-U", Command::ClearInput, s::HK_CLEAR, None),
];

const ENDED: &[Binding] = &[
    demo(bind(
        &[Char('c')],
        "c",
        Command::TemporaryRoot,
        s::HK_TEMPORARY_ROOT,
        Some(s::HINT_TEMPORARY_ROOT),
    )),
    bind(&[Char('q')], "q", Command::Quit, s::HK_QUIT, None),
    bind(&[Esc], "Esc", Command::Back, s::HK_QUIT, None),
];

/// The journal panel: reading, so the movement keys scroll.
pub const JOURNAL: &[Binding] = &[
    bind(&[Up, Char('k')], "↑ k", Command::Up, s::HK_SCROLL_UP, None),
    bind(
        &[Down, Char('j')],
        "↓ j",
        Command::Down,
        s::HK_SCROLL_DOWN,
        Some(s::HINT_SCROLL),
    ),
    bind(
        &[PageUp, Char('K')],
        "PgUp K",
        Command::PageUp,
        s::HK_PAGE_UP,
        None,
    ),
    bind(
        &[PageDown],
        "PgDn",
        Command::PageDown,
        s::HK_PAGE_DOWN,
        Some(s::HINT_PAGE),
    ),
    bind(
        &[Home, Char('g')],
        "g Home",
        Command::Top,
        s::HK_USAGE_TOP,
        None,
    ),
    bind(
        &[End, Char('G')],
        "G End",
        Command::Bottom,
        s::HK_BOTTOM,
        None,
    ),
    bind(
        &[Esc, Char('J')],
        "Esc J",
        Command::Back,
        s::HK_JOURNAL_BACK,
        Some(s::HINT_CLOSE),
    ),
    bind(
        &[Char('q')],
        "q",
        Command::Quit,
        s::HK_QUIT,
        Some(s::HINT_QUIT),
    ),
];

fn lookup(table: &[Binding], code: KeyCode, demo_mode: bool) -> Option<Command> {
    table
        .iter()
        .filter(|b| demo_mode || !b.demo_only)
        .find(|b| b.keys.contains(&code))
        .map(|b| b.command)
}

/// The action a key press means in the app's current mode.
pub fn action_for(app: &App, key: KeyEvent) -> Option<Action> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    if ctrl && matches!(key.code, Char('c' | 'C')) {
        return Some(Command::Quit.into());
    }
    let demo_mode = app.demo.is_some();
    match &app.mode {
        Mode::TypeToDelete(_) => {
            if ctrl && matches!(key.code, Char('u' | 'U')) {
                return Some(Command::ClearInput.into());
            }
            if let Some(command) = lookup(TYPED, key.code, false) {
                return Some(command.into());
            }
            match key.code {
                Char(c) if !ctrl && !alt => Some(Action::Input(c)),
                _ => None,
            }
        }
        _ if ctrl || alt => None,
        // Any key closes the help.
        Mode::Help { .. } => Some(Command::ToggleHelp.into()),
        Mode::Usage(_) => lookup(USAGE, key.code, demo_mode).map(Action::from),
        Mode::Confirm(_) => lookup(CONFIRM, key.code, false).map(Action::from),
        Mode::SessionEnded { .. } => lookup(ENDED, key.code, demo_mode).map(Action::from),
        Mode::Journal(_) => lookup(JOURNAL, key.code, false).map(Action::from),
        Mode::Browse => lookup(BROWSE, key.code, demo_mode).map(Action::from),
    }
}

/// The help's sections: title and bindings; the usage view's first when
/// the help is opened from it.
pub fn help_sections(
    demo_mode: bool,
    from_usage: bool,
) -> Vec<(&'static str, Vec<&'static Binding>)> {
    let main: Vec<&Binding> = BROWSE.iter().filter(|b| !b.demo_only).collect();
    let usage = (s::HELP_USAGE, USAGE.iter().collect());
    let mut sections = Vec::new();
    if from_usage {
        sections.push(usage.clone());
    }
    sections.push((s::HELP_MAIN, main));
    if demo_mode {
        sections.push((
            s::HELP_DEMO,
            BROWSE.iter().filter(|b| b.demo_only).collect(),
        ));
    }
    if !from_usage {
        sections.push(usage);
    }
    sections.push((s::HELP_JOURNAL, JOURNAL.iter().collect()));
    sections.push((s::HELP_DIALOG, CONFIRM.iter().collect()));
    sections.push((s::HELP_TYPED, TYPED.iter().collect()));
    sections
}

/// The footer shows the hints in this order, as many as fit.
const HINT_ORDER: &[Command] = &[
    Command::Deactivate,
    Command::Reactivate,
    Command::Delete,
    Command::Usage,
    Command::ToggleHelp,
    Command::Quit,
    Command::SkipWindow,
    Command::SkipDay,
    Command::Journal,
    Command::ToggleWalkthrough,
    Command::Refresh,
    Command::Down,
    Command::MoveToRole,
];

/// Footer hints: (key label, word), most useful first; without the
/// writes when the session cannot write (auditor view).
pub fn hints(demo_mode: bool, writes: bool) -> Vec<(&'static str, &'static str)> {
    let is_write = |c: Command| {
        matches!(
            c,
            Command::Deactivate | Command::Reactivate | Command::Delete
        )
    };
    HINT_ORDER
        .iter()
        .filter(|c| writes || !is_write(**c))
        .filter_map(|c| BROWSE.iter().find(|b| b.command == *c))
        .filter(|b| demo_mode || !b.demo_only)
        .filter_map(|b| {
            b.hint.map(|h| {
                let key = match b.command {
                    Command::Down => "↑↓",
                    _ => b.label.split(' ').next().unwrap_or(b.label),
                };
                (key, h)
            })
        })
        .collect()
}

/// Footer hints in the journal panel, in its table's order.
pub fn journal_hints() -> Vec<(&'static str, &'static str)> {
    JOURNAL
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

/// Footer hints in the usage view, in its table's order.
pub fn usage_hints() -> Vec<(&'static str, &'static str)> {
    USAGE
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
    use crate::account::Source;
    use crate::tui::app::{Config, DemoInfo};
    use crate::tui::theme::Theme;

    fn app(demo: bool) -> App {
        App::new(Config {
            source: Source::default(),
            window: chrono::TimeDelta::days(7),
            demo: demo.then(|| DemoInfo {
                scenario: "two-keys".to_owned(),
                title: String::new(),
                summary: String::new(),
                notes: Vec::new(),
            }),
            theme: Theme::plain(),
        })
    }

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn command(app: &App, key: KeyEvent) -> Option<Command> {
        match action_for(app, key) {
            Some(Action::Command(c)) => Some(c),
            _ => None,
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_a_table() {
        for table in [BROWSE, USAGE, CONFIRM, TYPED, ENDED, JOURNAL] {
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
    fn browse_keys_and_demo_only_keys() {
        let live = app(false);
        assert_eq!(command(&live, press(Char('d'))), Some(Command::Deactivate));
        assert_eq!(command(&live, press(Char('j'))), Some(Command::Down));
        assert_eq!(command(&live, press(Down)), Some(Command::Down));
        assert_eq!(
            command(&live, KeyEvent::new(Char('D'), KeyModifiers::SHIFT)),
            Some(Command::Delete)
        );
        assert_eq!(command(&live, press(Char('s'))), None, "demo only");
        assert_eq!(
            command(&app(true), press(Char('s'))),
            Some(Command::SkipDay)
        );
        assert_eq!(
            command(&live, KeyEvent::new(Char('c'), KeyModifiers::CONTROL)),
            Some(Command::Quit)
        );
        assert_eq!(
            command(&live, KeyEvent::new(Char('d'), KeyModifiers::CONTROL)),
            None
        );
        let mut release = press(Char('d'));
        release.kind = KeyEventKind::Release;
        assert!(action_for(&live, release).is_none());
    }

    #[test]
    fn usage_view_keys_scroll_and_close() {
        let mut a = app(false);
        assert_eq!(command(&a, press(Char('u'))), Some(Command::Usage));
        a.mode = Mode::Usage(crate::tui::app::UsageView {
            key_id: "AKIA".to_owned(),
            scroll: 0,
        });
        assert_eq!(command(&a, press(Char('j'))), Some(Command::Down));
        assert_eq!(command(&a, press(PageDown)), Some(Command::PageDown));
        assert_eq!(command(&a, press(Char('K'))), Some(Command::PageUp));
        assert_eq!(command(&a, press(Char('u'))), Some(Command::Back));
        assert_eq!(command(&a, press(Esc)), Some(Command::Back));
        assert_eq!(command(&a, press(Char('r'))), Some(Command::Refresh));
        assert_eq!(
            command(&a, press(Char('d'))),
            None,
            "no writes while reading"
        );
        let keys: Vec<&str> = usage_hints().iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["↑↓", "PgUp/PgDn", "u", "r", "?", "q"]);
    }

    #[test]
    fn typed_dialog_takes_every_character() {
        let mut a = app(false);
        a.mode = Mode::TypeToDelete(crate::tui::app::TypeToDelete {
            key_id: "AKIA".to_owned(),
            input: String::new(),
            mismatch: false,
            signs_session: false,
        });
        for c in ['q', 'd', 'D', 'y', '?'] {
            assert!(
                matches!(action_for(&a, press(Char(c))), Some(Action::Input(x)) if x == c),
                "{c}"
            );
        }
        assert_eq!(command(&a, press(Enter)), Some(Command::Submit));
        assert_eq!(
            command(&a, KeyEvent::new(Char('u'), KeyModifiers::CONTROL)),
            Some(Command::ClearInput)
        );
        assert_eq!(
            command(&a, KeyEvent::new(Char('c'), KeyModifiers::CONTROL)),
            Some(Command::Quit)
        );
    }

    #[test]
    fn help_lists_every_bound_command() {
        let sections = help_sections(true, false);
        let listed: Vec<Command> = sections
            .iter()
            .flat_map(|(_, b)| b.iter().map(|b| b.command))
            .collect();
        for b in BROWSE.iter().chain(USAGE).chain(CONFIRM).chain(TYPED) {
            assert!(listed.contains(&b.command), "{:?} missing", b.command);
        }
        let live: Vec<&str> = help_sections(false, false)
            .iter()
            .map(|(t, _)| *t)
            .collect();
        assert!(!live.contains(&s::HELP_DEMO));
        assert_eq!(help_sections(false, true)[0].0, s::HELP_USAGE);
        assert!(hints(false, true).iter().all(|(k, _)| *k != "s"));
        assert!(hints(true, true).iter().any(|(k, _)| *k == "s"));
        // Every binding with a hint is in the footer's order.
        let with_hint = BROWSE.iter().filter(|b| b.hint.is_some()).count();
        assert_eq!(hints(true, true).len(), with_hint);
        // Read-only: no write hints.
        assert!(
            hints(true, false)
                .iter()
                .all(|(k, _)| !["d", "a", "D"].contains(k))
        );
    }
}

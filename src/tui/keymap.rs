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
    // J is the journal panel: the key facts scroll with the page keys only.
    bind(&[PageUp], "PgUp", Command::PageUp, s::HK_FACTS_UP, None),
    bind(
        &[PageDown],
        "PgDn",
        Command::PageDown,
        s::HK_FACTS_DOWN,
        None,
    ),
    bind(&[Esc], "Esc", Command::Back, s::HK_BACK_MAIN, None),
];

/// The help overlay: reading, so the movement keys scroll; Esc, `?` and
/// Enter close it, `q` leaves, any other key closes it too.
const HELP: &[Binding] = &[
    bind(&[Up, Char('k')], "↑ k", Command::Up, s::HK_SCROLL_UP, None),
    bind(
        &[Down, Char('j')],
        "↓ j",
        Command::Down,
        s::HK_SCROLL_DOWN,
        None,
    ),
    bind(
        &[PageUp, Char('K')],
        "PgUp K",
        Command::PageUp,
        s::HK_PAGE_UP,
        None,
    ),
    bind(
        &[PageDown, Char('J'), Char(' ')],
        "PgDn J",
        Command::PageDown,
        s::HK_PAGE_DOWN,
        None,
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
    bind(&[Char('q')], "q", Command::Quit, s::HK_QUIT, None),
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
        // The scrolling keys scroll, q leaves, any other key closes the help.
        Mode::Help { .. } => Some(
            lookup(HELP, key.code, false)
                .unwrap_or(Command::ToggleHelp)
                .into(),
        ),
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

/// A footer hint: the key, a short word, and how long it stays when the
/// footer is short of room (0 stays longest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    pub key: &'static str,
    pub word: &'static str,
    pub priority: u8,
}

/// The footer shows the hints in this order (`?` and `q` last, always
/// in the same place), as many as fit by priority.
const HINT_ORDER: &[Command] = &[
    Command::Deactivate,
    Command::Reactivate,
    Command::Delete,
    Command::Usage,
    Command::Refresh,
    Command::ToggleWalkthrough,
    Command::Down,
    Command::SkipWindow,
    Command::SkipDay,
    Command::Journal,
    Command::MoveToRole,
    Command::ToggleHelp,
    Command::Quit,
];

/// How long a hint stays in a short footer: `q` and `?` always; in the
/// demo its own keys next (without them the demo looks like the live
/// view); then the writes, usage, and the rest.
fn priority(command: Command, demo_mode: bool) -> u8 {
    match command {
        Command::Quit => 0,
        Command::ToggleHelp => 1,
        Command::SkipWindow => 2,
        Command::SkipDay => 3,
        Command::ToggleWalkthrough if demo_mode => 4,
        Command::Deactivate => 5,
        Command::Reactivate => 6,
        Command::Delete => 7,
        Command::Usage => 8,
        Command::Journal => 9,
        Command::Refresh => 10,
        Command::ToggleWalkthrough => 11,
        _ => 12,
    }
}

/// Footer hints of the main view, in display order: only the commands
/// that can act now (`available` says which), demo keys only in the demo.
pub fn hints(demo_mode: bool, available: impl Fn(Command) -> bool) -> Vec<Hint> {
    HINT_ORDER
        .iter()
        .filter(|c| available(**c))
        .filter_map(|c| BROWSE.iter().find(|b| b.command == *c))
        .filter(|b| demo_mode || !b.demo_only)
        .filter_map(|b| {
            b.hint.map(|word| Hint {
                key: match b.command {
                    Command::Down => "↑↓",
                    _ => b.label.split(' ').next().unwrap_or(b.label),
                },
                word,
                priority: priority(b.command, demo_mode),
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

/// Footer hints in the usage view, in its table's order; `q` and `?`
/// stay longest, then the way back.
pub fn usage_hints() -> Vec<Hint> {
    USAGE
        .iter()
        .filter_map(|b| {
            b.hint.map(|word| Hint {
                key: match b.command {
                    Command::Down => "↑↓",
                    Command::PageDown => "PgUp/PgDn",
                    _ => b.label.split(' ').next().unwrap_or(b.label),
                },
                word,
                priority: match b.command {
                    Command::Quit => 0,
                    Command::ToggleHelp => 1,
                    Command::Back => 2,
                    Command::Down => 3,
                    Command::PageDown => 4,
                    _ => 5,
                },
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
        for table in [BROWSE, HELP, USAGE, CONFIRM, TYPED, ENDED, JOURNAL] {
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
        let keys: Vec<&str> = usage_hints().iter().map(|h| h.key).collect();
        assert_eq!(keys, ["↑↓", "PgUp/PgDn", "u", "r", "?", "q"]);
    }

    #[test]
    fn esc_in_the_main_view_goes_back_and_never_quits() {
        let a = app(true);
        assert_eq!(command(&a, press(Esc)), Some(Command::Back));
        assert_eq!(command(&a, press(Char('q'))), Some(Command::Quit));
        assert_eq!(command(&a, press(PageDown)), Some(Command::PageDown));
        assert_eq!(command(&a, press(PageUp)), Some(Command::PageUp));
        assert_eq!(command(&a, press(Char('J'))), Some(Command::Journal));
    }

    #[test]
    fn help_overlay_scrolls_closes_and_q_quits() {
        let mut a = app(true);
        a.mode = Mode::Help { back: None };
        assert_eq!(command(&a, press(Char('j'))), Some(Command::Down));
        assert_eq!(command(&a, press(Up)), Some(Command::Up));
        assert_eq!(command(&a, press(PageDown)), Some(Command::PageDown));
        assert_eq!(command(&a, press(Char('G'))), Some(Command::Bottom));
        assert_eq!(command(&a, press(Char('q'))), Some(Command::Quit));
        for code in [Esc, Char('?'), Enter, Char('d')] {
            assert_eq!(
                command(&a, press(code)),
                Some(Command::ToggleHelp),
                "{code:?}"
            );
        }
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
        let all = |_: Command| true;
        assert!(hints(false, all).iter().all(|h| h.key != "s"));
        assert!(hints(true, all).iter().any(|h| h.key == "s"));
        // Every binding with a hint is in the footer's order.
        let with_hint = BROWSE.iter().filter(|b| b.hint.is_some()).count();
        assert_eq!(hints(true, all).len(), with_hint);
        // What cannot act is not offered.
        let read_only = |c: Command| {
            !matches!(
                c,
                Command::Deactivate | Command::Reactivate | Command::Delete | Command::Usage
            )
        };
        assert!(
            hints(true, read_only)
                .iter()
                .all(|h| !["d", "a", "D", "u"].contains(&h.key))
        );
        // q and ? stay longest; in the demo its keys next.
        let mut demo = hints(true, all);
        demo.sort_by_key(|h| h.priority);
        let first: Vec<&str> = demo.iter().take(5).map(|h| h.key).collect();
        assert_eq!(first, ["q", "?", "S", "s", "w"]);
        let mut live = hints(false, all);
        live.sort_by_key(|h| h.priority);
        let first: Vec<&str> = live.iter().take(3).map(|h| h.key).collect();
        assert_eq!(first, ["q", "?", "d"]);
    }
}

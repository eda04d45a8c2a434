//! The help overlay, the keymap's descriptions and the footer hints.

// Help
pub const HELP_TITLE: &str = "Keys";
pub const HELP_MAIN: &str = "Main view";
pub const HELP_DIALOG: &str = "In a y/N dialog";
pub const HELP_TYPED: &str = "In the delete dialog";
pub const HELP_DEMO: &str = "Demo";
pub const HELP_USAGE: &str = "In the usage view";
pub const HELP_CLOSE: &str = "Press any key to close.";

// Key help (the keymap's descriptions) and footer hints
pub const HK_UP: &str = "previous key";
pub const HK_DOWN: &str = "next key";
pub const HK_TOP: &str = "first key";
pub const HK_BOTTOM: &str = "last key";
pub const HK_DEACTIVATE: &str = "deactivate the selected key (asks y/N)";
pub const HK_REACTIVATE: &str = "reactivate it while observing: the backout (asks y/N)";
pub const HK_DELETE: &str = "delete it once the window has passed (type the key ID)";
pub const HK_REFRESH: &str = "read the account again";
pub const HK_WALKTHROUGH: &str = "show or hide the walkthrough";
pub const HK_USAGE: &str = "what used the selected key (CloudTrail, last 90 days)";
pub const HK_SCROLL_UP: &str = "scroll up a line";
pub const HK_SCROLL_DOWN: &str = "scroll down a line";
pub const HK_PAGE_UP: &str = "scroll up a page";
pub const HK_PAGE_DOWN: &str = "scroll down a page";
pub const HK_USAGE_TOP: &str = "to the start";
pub const HK_USAGE_BOTTOM: &str = "to the end (the limits)";
pub const HK_USAGE_BACK: &str = "back to the key facts";
pub const HK_USAGE_AGAIN: &str = "search CloudTrail again";
pub const HK_HELP: &str = "this help";
pub const HK_SKIP_DAY: &str = "move the simulated clock one day ahead";
pub const HK_SKIP_WINDOW: &str = "move the simulated clock past the observation window";
pub const HK_QUIT: &str = "leave rootkeys (Ctrl-C too)";
pub const HK_BACK: &str = "dismiss the message, else leave";
pub const HK_YES: &str = "yes: do it";
pub const HK_NO: &str = "no: close the dialog";
pub const HK_SWITCH: &str = "move between No and Yes";
pub const HK_SUBMIT: &str = "answer with the focused button (No by default)";
pub const HK_TYPED_SUBMIT: &str = "delete, if the text is exactly the key ID";
pub const HK_TYPED_BACK: &str = "cancel";
pub const HK_BACKSPACE: &str = "erase a character";
pub const HK_CLEAR: &str = "erase everything typed";

pub const HINT_SELECT: &str = "select";
pub const HINT_DEACTIVATE: &str = "deactivate";
pub const HINT_REACTIVATE: &str = "reactivate";
pub const HINT_DELETE: &str = "delete";
pub const HINT_REFRESH: &str = "refresh";
pub const HINT_WALKTHROUGH: &str = "walkthrough";
pub const HINT_USAGE: &str = "usage";
pub const HINT_SCROLL: &str = "scroll";
pub const HINT_PAGE: &str = "page";
pub const HINT_KEY_FACTS: &str = "key facts";
pub const HINT_SEARCH_AGAIN: &str = "search again";
pub const HINT_HELP: &str = "help";
pub const HINT_SKIP: &str = "skip a day";
pub const HINT_SKIP_WINDOW: &str = "skip window";
pub const HINT_QUIT: &str = "quit";

// Layout at every size, keys as in other terminal tools
pub const HELP_OVERLAY_TITLE: &str = "Help";
pub const HELP_CLOSE_KEYS: &str = "Esc close · ↑↓ PgDn scroll";
pub const HK_BACK_MAIN: &str = "close what is open, else clear the message (never leaves)";
pub const HK_FACTS_UP: &str = "scroll the key facts up a page";
pub const HK_FACTS_DOWN: &str = "scroll the key facts down a page";
pub const MORE_BELOW: &str = "↓ more";
pub const MORE_ABOVE: &str = "↑ more";
pub const NOTHING_CHANGED: &str = "Nothing changed.";
pub const ACCOUNT_NOT_READ: &str =
    "The account could not be read, so there is no key to act on; press r to try again.";
pub const VERDICT_RULE_SHORT: &str = "CIS root keys";
pub const HINT_RETRY: &str = "retry";
pub const ONE_CHANGE_AT_A_TIME: &str =
    "One change at a time: wait for the one in progress to finish.";
pub const KEY_PGDN: &str = "PgDn";
pub const KEY_J: &str = "j";

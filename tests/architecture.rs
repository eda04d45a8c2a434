//! The module layout holds: `commands` and `tui` are leaves that never
//! import each other (only `app`, the composition root, imports both), the
//! interactive view never names the simulator, and the domain imports no
//! adapter, no I/O runtime and no terminal or AWS crate.
//!
//! Reads the source files under `src/`; comments are ignored, code in a
//! `#[cfg(test)]` module is checked too unless a rule says otherwise.

use std::path::{Path, PathBuf};

/// One rule: files under `dir` must not contain any of `forbidden` (as a
/// path segment start, e.g. `crate::tui` or `tokio::`).
struct Rule {
    dir: &'static str,
    forbidden: &'static [&'static str],
    /// Check only the code before the file's `#[cfg(test)]` module.
    production_only: bool,
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        dir: "src/commands",
        forbidden: &["crate::tui", "crate::app"],
        production_only: false,
        why: "commands are leaves: `app` hands them what they need",
    },
    Rule {
        dir: "src/tui",
        forbidden: &["crate::commands", "crate::app"],
        production_only: false,
        why: "the interactive view is a leaf: `app` hands it what it needs",
    },
    Rule {
        dir: "src/tui",
        forbidden: &["SimAccount"],
        production_only: false,
        why: "the view never names the simulator, not even in its tests",
    },
    Rule {
        dir: "src/tui",
        forbidden: &["account::sim"],
        production_only: true,
        why: "the view reaches the simulation only through `Account::simulation`",
    },
    Rule {
        dir: "src/org",
        forbidden: &[
            "crate::commands",
            "crate::tui",
            "crate::app",
            "ratatui",
            "crossterm",
        ],
        production_only: false,
        why: "organization mode is below the front ends: they use it, never the other way round",
    },
    Rule {
        dir: "src/render",
        forbidden: &[
            "crate::account",
            "crate::tui",
            "crate::commands",
            "crate::journal",
            "crate::remediate",
            "crate::app",
            "tokio",
            "ratatui",
            "crossterm",
            "aws_",
        ],
        production_only: false,
        why: "renderings read domain results only, for both front ends",
    },
    Rule {
        dir: "src/domain",
        forbidden: &[
            "crate::account",
            "crate::tui",
            "crate::journal",
            "crate::commands",
            "crate::remediate",
            "crate::app",
            "crate::render",
            "tokio",
            "ratatui",
            "crossterm",
            "aws_",
        ],
        production_only: false,
        why: "the domain is pure: no adapters, no runtime, no terminal, no AWS SDK",
    },
];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The code of a file without its comments (line comments and doc
/// comments; rootkeys does not use block comments), and without the
/// `#[cfg(test)]` module when `production_only`.
fn code_of(text: &str, production_only: bool) -> String {
    let text = if production_only {
        text.split("#[cfg(test)]").next().unwrap_or_default()
    } else {
        text
    };
    text.lines()
        .map(|line| match line.find("//") {
            // `//` inside a string (a URL) is rare in these modules; cut
            // anyway: a missed import is better than a false alarm here.
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where `needle` starts an identifier or path in `code` (not the tail of
/// a longer name: `my_tokio` is not `tokio`).
fn mentions(code: &str, needle: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut from = 0;
        while let Some(at) = line[from..].find(needle) {
            let start = from + at;
            let before = line[..start].chars().next_back();
            let boundary = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            // A crate name must be used as a path (`tokio::`, `{tokio`).
            let is_crate =
                !needle.contains("::") && needle.chars().all(|c| c.is_lowercase() || c == '_');
            let rest = &line[start + needle.len()..];
            let as_path = !is_crate
                || needle.ends_with('_')
                || rest.starts_with("::")
                || rest.starts_with(';')
                || rest.starts_with(" as ");
            if boundary && as_path {
                lines.push(n + 1);
                break;
            }
            from = start + needle.len();
        }
    }
    lines
}

fn violations(root: &Path, rules: &[Rule]) -> Vec<String> {
    let mut found = Vec::new();
    for rule in rules {
        for file in rust_files(&root.join(rule.dir)) {
            let text = std::fs::read_to_string(&file).expect("read source");
            let code = code_of(&text, rule.production_only);
            for needle in rule.forbidden {
                for line in mentions(&code, needle) {
                    found.push(format!(
                        "{}:{line}: names `{needle}` ({})",
                        file.strip_prefix(root).unwrap_or(&file).display(),
                        rule.why
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn the_module_layout_holds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = violations(root, RULES);
    assert!(found.is_empty(), "layout violations:\n{}", found.join("\n"));
}

#[test]
fn the_check_sees_a_forbidden_import() {
    let dir = tempfile::tempdir().expect("tmp");
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "src/commands/mod.rs",
        "//! never `crate::tui`\nuse crate::tui::run;\n",
    );
    write(
        "src/tui/mod.rs",
        "use crate::commands::status;\n#[cfg(test)]\nmod tests { use crate::account::sim::fixed; }\n",
    );
    write(
        "src/render/usage.rs",
        "use crate::domain::usage::UsageReport;\nuse ratatui::text::Line;\n",
    );
    write(
        "src/tui/runner.rs",
        "struct W { sim: Option<Arc<SimAccount>> }\n",
    );
    write(
        "src/domain/usage.rs",
        "use my_tokio::x;\nuse tokio::time;\nfn f() { aws_sdk_iam::Client::new(); }\nuse crate::journal::Journal;\n",
    );
    write(
        "src/org/run.rs",
        "use crate::org::model::MemberRow;\nuse crate::commands::org::table;\n",
    );
    let found = violations(dir.path(), RULES);
    let has = |s: &str| found.iter().any(|f| f.starts_with(s));
    assert!(
        has("src/commands/mod.rs:2: names `crate::tui`"),
        "{found:#?}"
    );
    assert!(
        has("src/tui/mod.rs:1: names `crate::commands`"),
        "{found:#?}"
    );
    assert!(has("src/tui/runner.rs:1: names `SimAccount`"), "{found:#?}");
    assert!(has("src/domain/usage.rs:2: names `tokio`"), "{found:#?}");
    assert!(has("src/domain/usage.rs:3: names `aws_`"), "{found:#?}");
    assert!(
        has("src/domain/usage.rs:4: names `crate::journal`"),
        "{found:#?}"
    );
    // Comments, longer names and test-only uses (where allowed) pass.
    assert!(!has("src/commands/mod.rs:1"), "{found:#?}");
    assert!(!has("src/domain/usage.rs:1"), "{found:#?}");
    assert!(!has("src/tui/mod.rs:3"), "{found:#?}");
    assert!(
        has("src/org/run.rs:2: names `crate::commands`"),
        "{found:#?}"
    );
    assert_eq!(found.len(), 8, "{found:#?}");
}

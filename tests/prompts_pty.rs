//! The plain-terminal prompts, typed at by a person in a real pseudo-terminal.

mod support;

use std::time::Duration;

use aws_sdk_iam::types::StatusType;
use support::pty::Pty;
use support::{Moto, Rootkeys};

const T: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread")]
async fn deactivate_prompt_defaults_to_no_and_yes_deactivates() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let env = rk.env(&session);

    // Enter alone takes the default: No.
    let mut pty = Pty::spawn(&["deactivate", &keys[0].id], &env, 100, 30);
    pty.wait_for("?", T);
    assert!(
        pty.screen().contains("InvalidClientTokenId"),
        "the consequence is stated"
    );
    assert!(
        pty.screen().contains("last used"),
        "the key's last use is shown"
    );
    pty.send("\r");
    assert_eq!(pty.wait_exit(T), 1, "declined: {}", pty.screen());
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Active)
    );

    let mut pty = Pty::spawn(&["deactivate", &keys[0].id], &env, 100, 30);
    pty.wait_for("?", T);
    pty.send("y");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Inactive)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_on_a_terminal_needs_the_typed_key_id() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let env = rk.env(&session);
    assert_eq!(
        rk.run(
            &session,
            &["--observe", "1s", "deactivate", &keys[0].id, "--yes"]
        )
        .code,
        0
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let id = keys[0].id.as_str();

    // A near miss deletes nothing — even with --confirm given on a terminal.
    let mut pty = Pty::spawn(
        &["--observe", "1s", "delete", id, "--confirm", id],
        &env,
        100,
        30,
    );
    pty.wait_for("Type the key ID", T);
    assert!(
        pty.screen().contains("cannot be undone"),
        "{}",
        pty.screen()
    );
    pty.send(&id[..id.len() - 1]);
    pty.send("\r");
    assert_eq!(pty.wait_exit(T), 1, "{}", pty.screen());
    assert!(pty.screen().contains("nothing deleted"), "{}", pty.screen());
    assert!(support::root_key_status(&moto, id).await.is_some());

    let mut pty = Pty::spawn(&["--observe", "1s", "delete", id], &env, 100, 30);
    pty.wait_for("Type the key ID", T);
    pty.send(id);
    pty.send("\r");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());
    assert!(support::root_key_status(&moto, id).await.is_none());
    assert!(pty.screen().contains("deleted"), "{}", pty.screen());
}

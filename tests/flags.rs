//! The command line as people type it: a flag's value as the next word or after `=`, an empty
//! value, a value forgotten (the next word is one of the tool's own options), and a flag's own
//! bad value named before anything about the environment.

use crate::support::assert_nothing_sent;
use crate::support::bin::{cmd, Cmd, Run};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::{Action, Platform, Reply, StandIn};
use crate::support::{temp_file, tls};
use serde_json::Value;
use std::time::Duration;

const TOKEN: &str = "demo-token";

/// A deletion of `acme1` on the platform stand-in, with `words` before the ID.
fn delete(standin: &StandIn, words: &[&str]) -> Cmd {
    cmd()
        .token(TOKEN)
        .arg("--yes")
        .args(words)
        .arg(format!("--platform-url={}", standin.url()))
        .arg("acme1")
}

fn platform() -> StandIn {
    StandIn::platform(Platform::new().org("acme1", "Acme One"))
}

fn assert_deleted(run: &Run, standin: &StandIn) {
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.line()["result"], "deleted", "{run:#?}");
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
}

#[test]
fn platform_url_token_file_and_from_file_take_a_value_after_equals() {
    let standin = platform();
    let token = temp_file("token", format!("{TOKEN}\n").as_bytes());
    let list = temp_file("ids.txt", b"acme1\n");
    let run = cmd()
        .arg("--yes")
        .arg(format!("--platform-url={}", standin.url()))
        .arg(format!("--token-file={}", token.display()))
        .arg(format!("--from-file={}", list.display()))
        .run();
    assert_deleted(&run, &standin);
    assert_eq!(
        standin.requests()[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    // '-' after '=' is stdin, as the next word.
    let standin = platform();
    let run = cmd()
        .token(TOKEN)
        .arg("--yes")
        .arg(format!("--platform-url={}", standin.url()))
        .arg("--from-file=-")
        .stdin(b"acme1\n")
        .run();
    assert_deleted(&run, &standin);
}

#[test]
fn timeout_and_retries_take_a_value_after_equals() {
    // --retries=1: a 503, then the retry's 204.
    let busy = Action::Reply(Reply::new(503).header("Retry-After", "0"));
    let standin = StandIn::script(vec![busy, Action::status(204)]);
    let run = delete(&standin, &["--retries=1"]).run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.line()["attempts"], 2);
    // --timeout=0.5 against a server that never answers: a timeout after half a second.
    let standin = StandIn::script(vec![Action::Hang]);
    let run = delete(&standin, &["--timeout=0.5", "--retries=0"])
        .deadline(Duration::from_secs(20))
        .run();
    assert_eq!(run.status, 5, "{run:#?}");
    let line = run.line();
    assert_eq!(line["error"]["kind"], "timeout");
    assert!(
        line["error"]["message"].as_str().unwrap().contains("0.5 s"),
        "{line}"
    );
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
}

#[test]
fn region_environment_and_ca_file_take_a_value_after_equals() {
    // The real hosts, reached through a tunnel to a TLS stand-in whose certificate names them:
    // the region and environment decide the host the CONNECT asks for.
    let hosts = [
        "platformdev-eu.cloud.coveo.com",
        "platform-au.cloud.coveo.com",
    ];
    let pki = tls::pki(&hosts);
    let ca = pki.ca_file();
    let standin = StandIn::builder().tls(pki.server_config.clone()).platform(
        Platform::new()
            .org("acme1", "Acme One")
            .org("acme2", "Acme Two"),
    );
    let proxy = ConnectProxy::start(standin.addr());
    for (words, host, id) in [
        (["--region=EU", "--environment=dev"], hosts[0], "acme1"),
        (["--region=au", "--environment=Prod"], hosts[1], "acme2"),
    ] {
        let seen = proxy.requests().len();
        let run = cmd()
            .token(TOKEN)
            .env("https_proxy", proxy.url())
            .arg("--yes")
            .args(words)
            .arg(format!("--ca-file={}", ca.display()))
            .arg(id)
            .run();
        assert_eq!(run.status, 0, "{words:?}: {run:#?}");
        assert_eq!(run.line()["result"], "deleted");
        let connect = &proxy.requests()[seen];
        assert!(
            connect.starts_with(&format!("CONNECT {host}:443 ")),
            "{connect}"
        );
    }
    assert_eq!(
        standin.sent(),
        [
            "DELETE /rest/organizations/acme1",
            "DELETE /rest/organizations/acme2"
        ]
    );
}

#[test]
fn the_list_options_take_a_value_after_equals() {
    let standin = StandIn::platform(
        Platform::new()
            .listed_org("old1", "ci-old", Some("Test"), Some(0), None)
            .listed_org("prod1", "ci-prod", Some("Production"), Some(0), None)
            .listed_org("other", "manual", Some("Test"), Some(0), None)
            .only_gets(),
    );
    let run = cmd()
        .token(TOKEN)
        .arg(format!("--platform-url={}", standin.url()))
        .args([
            "--list",
            "--name-prefix=ci-",
            "--type=test",
            "--older-than=1d",
        ])
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    let ids: Vec<&Value> = run.lines.iter().map(|l| &l["organization_id"]).collect();
    assert_eq!(ids, [&Value::from("old1"), &Value::Null]);
    standin.assert_no_violations();
}

#[test]
fn an_empty_value_after_equals_is_an_empty_value() {
    for (flag, kind, said) in [
        ("--timeout=", "usage", "not ''"),
        ("--retries=", "usage", "not ''"),
        ("--region=", "usage", "not ''"),
        ("--environment=", "usage", "not ''"),
        ("--token-file=", "usage", "--token-file is empty"),
        ("--ca-file=", "usage", "--ca-file is empty"),
        ("--from-file=", "usage", "--from-file is empty"),
        // A rejected base URL is a config error, whichever way it was given.
        ("--platform-url=", "config", "platform URL ''"),
    ] {
        let standin = platform();
        let run = cmd().token(TOKEN).args(["--yes", flag, "acme1"]).run();
        let message = run.run_failure(kind);
        assert!(message.contains(said), "{flag}: {message}");
        assert_nothing_sent(&standin);
    }
    for flag in ["--name-prefix=", "--type=", "--older-than="] {
        let standin = platform();
        let run = cmd()
            .token(TOKEN)
            .arg(format!("--platform-url={}", standin.url()))
            .args(["--list", flag])
            .run();
        let message = run.run_failure("usage");
        assert!(
            message.contains(&flag[..flag.len() - 1]),
            "{flag}: {message}"
        );
        assert_nothing_sent(&standin);
    }
}

#[test]
fn a_value_forgotten_before_another_option_is_a_usage_error() {
    // TOKEN_FILE unset in a Makefile: `--token-file $(TOKEN_FILE) --from-file x`.
    let standin = platform();
    let list = temp_file("ids.txt", b"acme1\n");
    let run = cmd()
        .env("COVEO_TOKEN", TOKEN)
        .arg(format!("--platform-url={}", standin.url()))
        .args(["--yes", "--token-file", "--from-file"])
        .arg(&list)
        .run();
    let message = run.run_failure("usage");
    assert!(
        message.starts_with(
            "--token-file has no value: the next word, --from-file, is one of this tool's options"
        ),
        "{message}"
    );
    assert!(!message.contains("cannot read"), "{message}");
    assert_nothing_sent(&standin);
    // Written after '=', a value that starts like an option is the value.
    let standin = StandIn::platform(
        Platform::new()
            .listed_org("dash", "--yes", Some("Test"), Some(0), None)
            .only_gets(),
    );
    let run = cmd()
        .token(TOKEN)
        .arg(format!("--platform-url={}", standin.url()))
        .args(["--list", "--name-prefix=--yes"])
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.lines[0]["organization_id"], "dash");
}

#[test]
fn a_flags_own_bad_value_is_named_before_the_environment_is_looked_at() {
    let standin = platform();
    for (words, said) in [
        (
            ["--region", "mars"],
            "--region must be one of us, eu, au, ca, not 'mars'",
        ),
        (
            ["--region=mars", "-y"],
            "--region must be one of us, eu, au, ca, not 'mars'",
        ),
        (
            ["--environment", "qa"],
            "--environment must be one of prod, hipaa, dev, stg, not 'qa'",
        ),
    ] {
        let run = cmd()
            .token(TOKEN)
            .env("COVEO_PLATFORM_URL", standin.url())
            .arg("--yes")
            .args(words)
            .arg("acme1")
            .run();
        assert_eq!(run.run_failure("usage"), said);
    }
    // A good value beside the variable is still the conflict, naming both.
    let run = cmd()
        .token(TOKEN)
        .env("COVEO_PLATFORM_URL", standin.url())
        .args(["--yes", "--region", "eu", "acme1"])
        .run();
    let message = run.run_failure("config");
    assert!(
        message.contains("--region") && message.contains("COVEO_PLATFORM_URL"),
        "{message}"
    );
    assert_nothing_sent(&standin);
}

#[test]
fn a_switch_takes_no_value_and_an_option_is_given_once() {
    let standin = platform();
    for (words, said) in [
        (vec!["--yes=1", "acme1"], "--yes takes no value: --yes=1"),
        (
            vec!["-y", "--dry-run=no", "acme1"],
            "--dry-run takes no value: --dry-run=no",
        ),
        (
            vec!["-y", "--timeout=1", "--timeout", "2", "acme1"],
            "--timeout is given more than once",
        ),
        (vec!["-y", "-y", "acme1"], "-y is given more than once"),
    ] {
        let run = cmd()
            .token(TOKEN)
            .arg(format!("--platform-url={}", standin.url()))
            .args(&words)
            .run();
        assert_eq!(run.run_failure("usage"), said, "{words:?}");
    }
    assert_nothing_sent(&standin);
}

//! The command line as people type it: a flag's value as the next word or after `=`, an empty
//! value, a value forgotten (the next word is one of the tool's own options), a flag's own bad
//! value named before anything about the environment, unknown and mistyped options, `--`,
//! the usage a run without IDs gets, and `--help` and `--version`. A usage error is one line
//! and one stderr line, exit 2, and nothing sent.

use crate::support::bin::{cmd, with_secret, Cmd, Run};
use crate::support::line::{containing, expect_line, failed, listed, succeeded, Set};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::{Action, Platform, Reply, StandIn};
use crate::support::{assert_nothing_sent, temp_file, tls, LIMIT, SECRET, TOKEN};
use serde_json::Value;
use std::time::Duration;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A deletion of `acme1` on the platform stand-in, with `words` before the ID.
fn delete(standin: &StandIn, words: &[&str]) -> Cmd {
    cmd()
        .token(TOKEN)
        .arg("--yes")
        .args(words)
        .arg(format!("--platform-url={}", standin.url()))
        .arg("acme1")
}

/// The stand-in platform with `acme1`.
fn platform() -> StandIn {
    StandIn::platform(Platform::new().org("acme1", "Acme One"))
}

/// The line of `id` deleted after `attempts`, the last answered 204.
fn deleted(id: &str, attempts: u64) -> Value {
    succeeded(id, "deleted", 204, attempts)
}

/// The listed line of `id`, a test organization named `name` created at the epoch.
fn listed_test(id: &str, name: &str) -> Value {
    listed(id)
        .set("display_name", name)
        .set("type", "Test")
        .set("created", "1970-01-01T00:00:00Z")
        .set("read_only", false)
        .set("lifecycle_state", "ACTIVE")
}

fn assert_deleted(run: &Run, standin: &StandIn) {
    assert_eq!(run.status, 0, "{run:#?}");
    expect_line(run.line(), deleted("acme1", 1));
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
}

/// `--yes WORDS...` against `standin`, with the distinctive [`SECRET`] token.
fn delete_ids(standin: &StandIn, words: &[&str]) -> Run {
    with_secret(&standin.url()).arg("--yes").args(words).run()
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
    expect_line(run.line(), deleted("acme1", 2));
    // --timeout=0.5 against a server that never answers: a timeout after half a second.
    let standin = StandIn::script(vec![Action::Hang]);
    let run = delete(&standin, &["--timeout=0.5", "--retries=0"])
        .deadline(Duration::from_secs(20))
        .run();
    assert_eq!(run.status, 5, "{run:#?}");
    expect_line(
        run.line(),
        failed("acme1", "timeout", Value::Null, 1).set("error.message", containing("0.5 s")),
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
        expect_line(run.line(), deleted(id, 1));
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
    assert_eq!(run.lines.len(), 2, "{run:#?}");
    expect_line(&run.lines[0], listed_test("old1", "ci-old"));
    assert_eq!(
        run.stdout.lines().last(),
        Some(crate::support::end_line(1).as_str())
    );
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
    // Help and version are options too: where a value belongs they are no request for the
    // help, whose exit 0 would tell a script that the run succeeded.
    for (flag, next) in [
        ("--timeout", "--help"),
        ("--token-file", "-h"),
        ("--region", "--version"),
        ("--name-prefix", "-V"),
    ] {
        let run = cmd()
            .env("COVEO_TOKEN", TOKEN)
            .arg(format!("--platform-url={}", standin.url()))
            .args(["--yes", flag, next, "acme1"])
            .run();
        let message = run.run_failure("usage");
        assert!(
            message.starts_with(&format!(
                "{flag} has no value: the next word, {next}, is one of this tool's options"
            )),
            "{message}"
        );
    }
    assert_nothing_sent(&standin);
    // Beside a value, or anywhere else, they still win over any mistake.
    for words in [
        &["--timeout", "5", "--help"][..],
        &["--bogus", "-h"],
        &["--timeout=--x", "--help"],
    ] {
        let out = cmd().args(words).output();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{words:?}: {out:?}");
        assert!(stdout.contains("USAGE:"), "{words:?}: {stdout}");
    }
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
    assert_eq!(run.lines.len(), 2, "{run:#?}");
    expect_line(&run.lines[0], listed_test("dash", "--yes"));
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

// ---------------------------------------------------------------------------------------------
// Unknown options, `--`, and no ID at all

#[test]
fn an_unknown_flag_is_a_usage_error_and_nothing_is_sent() {
    for flag in ["--frobnicate", "-x", "--yes=true", "--force"] {
        let standin = StandIn::script(vec![]);
        let run = delete_ids(&standin, &[flag, "acme1"]);
        run.run_failure("usage");
        assert_nothing_sent(&standin);
    }
}

#[test]
fn a_mistyped_option_gets_the_closest_real_one() {
    for (args, typo, real) in [
        (vec!["--dryrun", "acme1"], "--dryrun", "--dry-run"),
        (
            vec!["--retry", "2", "--yes", "acme1"],
            "--retry",
            "--retries",
        ),
        (vec!["--yes", "--verbos", "acme1"], "--verbos", "--verbose"),
    ] {
        let r = cmd().token(SECRET).args(&args).deadline(LIMIT).run();
        let message = format!("unknown option {typo}; did you mean {real}?");
        assert_eq!(r.run_failure("usage"), message, "{r:#?}");
        assert_eq!(
            r.stderr,
            format!("coveo-org-delete: usage: {message} (see --help)\n")
        );
    }
}

#[test]
fn every_usage_error_says_see_help_exactly_once() {
    for args in [
        vec!["--frobnicate", "acme1"],
        vec!["--timeout"],
        vec!["--yes=1", "acme1"],
        vec!["--yes", "--yes", "acme1"],
        vec!["--timeout", "0", "acme1"],
        vec!["--token", "abc", "acme1"],
        vec!["--yes"],
    ] {
        let r = cmd().token(SECRET).args(&args).deadline(LIMIT).run();
        r.run_failure("usage");
        assert_eq!(
            r.stderr.matches("(see --help)").count(),
            1,
            "{args:?}: {r:#?}"
        );
        assert_eq!(
            r.stderr.matches("see --help").count(),
            1,
            "{args:?}: {r:#?}"
        );
    }
    let r = cmd().args(["--frobnicate", "acme1"]).deadline(LIMIT).run();
    assert!(!r.stderr.contains("did you mean"), "{r:#?}");
}

#[test]
fn double_dash_ends_the_options() {
    // After `--`, `--yes` is an organization ID (a valid one), not the flag: without the
    // flag and without a terminal, both IDs need a confirmation and nothing is sent.
    let standin = StandIn::script(vec![]);
    let run = with_secret(&standin.url())
        .args(["--", "--yes", "acme1"])
        .run();
    assert_eq!(run.status, 2, "{run:#?}");
    assert_eq!(run.lines.len(), 2, "{run:#?}");
    for (line, id) in run.lines.iter().zip(["--yes", "acme1"]) {
        expect_line(line, failed(id, "confirmation_required", Value::Null, 0));
    }
    assert_nothing_sent(&standin);
}

#[test]
fn no_organization_id_is_one_usage_line_and_one_stderr_line() {
    // No argument at all, and flags without an ID.
    let standin = StandIn::script(vec![]);
    for r in [cmd().deadline(LIMIT).run(), delete_ids(&standin, &[])] {
        let message = r.run_failure("usage");
        assert!(message.starts_with("no organization ID given"), "{message}");
        assert!(
            r.stderr
                .starts_with("coveo-org-delete: usage: no organization ID given"),
            "{r:#?}"
        );
        assert_eq!(r.stderr.matches("(see --help)").count(), 1, "{r:#?}");
        assert!(!r.stderr.contains("Usage:"), "{r:#?}");
    }
    assert_nothing_sent(&standin);
}

// ---------------------------------------------------------------------------------------------
// Values

#[test]
fn a_token_on_the_command_line_is_a_usage_error_pointing_to_coveo_token() {
    let secret = "cmdline-secret-5521";
    let eq = format!("--token={secret}");
    let cases: Vec<Vec<&str>> = vec![
        vec!["--token", secret],
        vec![eq.as_str()],
        vec!["--access-token", secret],
    ];
    for args in cases {
        let standin = StandIn::script(vec![]);
        let run = delete_ids(&standin, &[&args[..], &["acme1"]].concat());
        let message = run.run_failure("usage");
        assert!(
            message.contains("COVEO_TOKEN") && message.contains("--token-file"),
            "{args:?}: {message}"
        );
        run.assert_hides(secret);
        run.assert_hides(SECRET);
        assert_nothing_sent(&standin);
    }
}

#[test]
fn bad_timeout_values_are_usage_errors_and_nothing_is_sent() {
    for value in ["0", "-1", "abc", "0.0", "", "1s"] {
        let standin = StandIn::script(vec![]);
        let run = delete_ids(&standin, &["--timeout", value, "acme1"]);
        let message = run.run_failure("usage");
        assert!(message.contains("--timeout"), "{value:?}: {message}");
        assert_nothing_sent(&standin);
    }
    // A flag without its value.
    let standin = StandIn::script(vec![]);
    let run = delete_ids(&standin, &["acme1", "--timeout"]);
    run.run_failure("usage");
    assert_nothing_sent(&standin);
}

#[test]
fn a_huge_timeout_is_accepted_or_refused_but_never_panics() {
    // "decimal, > 0": 1e19 s is a valid value; it may be accepted, or refused as a usage
    // error, but the binary must never panic.
    let standin = StandIn::script(vec![Action::status(204)]);
    let run = delete_ids(&standin, &["--timeout", "10000000000000000000", "acme1"]);
    match run.status {
        0 => {
            expect_line(run.line(), deleted("acme1", 1));
            assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
            standin.assert_no_violations();
        }
        _ => {
            run.run_failure("usage");
            assert_nothing_sent(&standin);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// --help and --version

#[test]
fn help_lists_every_option_env_var_and_exit_status() {
    for flag in ["--help", "-h"] {
        let out = cmd().arg(flag).output();
        assert_eq!(out.status.code(), Some(0), "{flag}");
        assert!(out.stderr.is_empty(), "{flag}");
        let help = String::from_utf8(out.stdout).unwrap();
        for option in [
            "-y",
            "--yes",
            "-n",
            "--dry-run",
            "--missing-ok",
            "--region",
            "--environment",
            "--platform-url",
            "--token-file",
            "--timeout",
            "--retries",
            "--ca-file",
            "--from-file",
            "-v",
            "--verbose",
            "-h",
            "--help",
            "-V",
            "--version",
        ] {
            assert!(
                help.split(|c: char| c.is_whitespace() || c == ',')
                    .any(|w| w == option),
                "{flag}: {option} missing from help:\n{help}"
            );
        }
        for var in [
            "COVEO_TOKEN",
            "COVEO_REGION",
            "COVEO_ENVIRONMENT",
            "COVEO_PLATFORM_URL",
            "SSL_CERT_FILE",
        ] {
            assert!(help.contains(var), "{var} missing from help");
        }
        for status in 0..=5 {
            assert!(
                help.lines()
                    .any(|l| l.trim_start().starts_with(&format!("{status} "))),
                "exit status {status} missing from help:\n{help}"
            );
        }
        let examples = help
            .to_ascii_lowercase()
            .find("example")
            .map(|i| &help[i..])
            .unwrap_or_else(|| panic!("no examples in help:\n{help}"));
        assert!(
            examples
                .lines()
                .filter(|l| l.contains("coveo-org-delete "))
                .count()
                >= 2,
            "two examples wanted:\n{help}"
        );
    }
}

#[test]
fn help_shows_the_listing_options_and_the_pipeline() {
    let output = cmd().arg("--help").output();
    let (status, out) = (output.status, output.stdout);
    assert_eq!(status.code(), Some(0));
    let help = String::from_utf8(out).unwrap();
    for word in [
        "--list",
        "--name-prefix",
        "--type",
        "--older-than",
        "COVEO_CONFIG_DIR",
        "XDG_CONFIG_HOME",
        "coveo auth:login",
        "| coveo-org-delete --yes --missing-ok --from-file -",
    ] {
        assert!(help.contains(word), "{word} missing from help:\n{help}");
    }
}

#[test]
fn version_prints_name_and_version() {
    for flag in ["--version", "-V"] {
        let out = cmd().arg(flag).output();
        assert_eq!(out.status.code(), Some(0), "{flag}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("coveo-org-delete {VERSION}\n")
        );
        assert!(out.stderr.is_empty(), "{flag}");
    }
}

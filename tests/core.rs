//! Issue 2, "Tests": the core of the tool as a script sees it. Every test runs the compiled
//! binary against a stand-in platform on a real socket and checks the JSON line(s), the exit
//! status, stderr, and what the stand-in received (or that it received nothing).

use crate::support::assert_nothing_sent;
use crate::support::bin::{assert_shape, cmd, Run};
use crate::support::standin::{Action, Request, StandIn};
use serde_json::{json, Value};
use std::process::{Output, Stdio};

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// A token distinctive enough that finding it in any output is never a coincidence.
const TOKEN: &str = "tok-core-9f2c7e51SECRET";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Kind, message and coveo_error_code of a failed line.
fn error_of(line: &Value) -> (&str, &str, &Value) {
    assert_shape(line);
    assert_eq!(line["ok"], false, "{line}");
    let e = &line["error"];
    (
        e["kind"].as_str().unwrap(),
        e["message"].as_str().unwrap(),
        &e["coveo_error_code"],
    )
}

/// A successful line of `id` with this result and HTTP status, after one attempt.
fn assert_ok_line(line: &Value, id: &str, result: &str, status: u16) {
    assert_shape(line);
    assert_eq!(line["organization_id"], id, "{line}");
    assert_eq!(line["ok"], true, "{line}");
    assert_eq!(line["result"], result, "{line}");
    assert_eq!(line["dry_run"], false, "{line}");
    assert_eq!(line["http_status"], status, "{line}");
    assert_eq!(line["attempts"], 1, "{line}");
    assert_eq!(line["display_name"], Value::Null, "{line}");
    assert_eq!(line["error"], Value::Null, "{line}");
}

/// `coveo-org-delete --yes [extra] ID...` against the stand-in, with the test token.
fn delete(standin: &StandIn, extra: &[&str], ids: &[&str]) -> Run {
    cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .arg("--yes")
        .args(extra)
        .args(ids)
        .run()
}

/// The one request the stand-in received: a DELETE of `path`.
fn only_delete(standin: &StandIn, path: &str) -> Request {
    let reqs = standin.requests();
    assert_eq!(reqs.len(), 1, "requests: {reqs:#?}");
    assert_eq!(reqs[0].method, "DELETE");
    assert_eq!(reqs[0].path, path);
    standin.assert_no_violations();
    reqs[0].clone()
}

/// Output of a run whose stdout is not JSON (help, version).
fn raw(c: crate::support::bin::Cmd) -> Output {
    let mut command = c.command();
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    crate::support::bin::output_within(&mut command, crate::support::bin::DEFAULT_DEADLINE)
}

// ---------------------------------------------------------------------------------------------
// Success
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Each answer to its kind, message, code, request id and exit status
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Input errors send nothing
// ---------------------------------------------------------------------------------------------

#[test]
fn no_id_at_all_is_a_usage_error() {
    let standin = StandIn::script(vec![]);
    let run = delete(&standin, &[], &[]);
    run.run_failure("usage");
    assert_nothing_sent(&standin);
}

// ---------------------------------------------------------------------------------------------
// The token
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Flags, environment, platform URL
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unknown_flag_is_a_usage_error_and_nothing_is_sent() {
    for flag in ["--frobnicate", "-x", "--yes=true", "--force"] {
        let standin = StandIn::script(vec![]);
        let run = delete(&standin, &[flag], &["acme1"]);
        run.run_failure("usage");
        assert_nothing_sent(&standin);
    }
}

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
        let run = delete(&standin, &args, &["acme1"]);
        let message = run.run_failure("usage");
        assert!(
            message.contains("COVEO_TOKEN") && message.contains("--token-file"),
            "{args:?}: {message}"
        );
        run.assert_hides(secret);
        run.assert_hides(TOKEN);
        assert_nothing_sent(&standin);
    }
}

#[test]
fn bad_timeout_values_are_usage_errors_and_nothing_is_sent() {
    for value in ["0", "-1", "abc", "0.0", "", "1s"] {
        let standin = StandIn::script(vec![]);
        let run = delete(&standin, &["--timeout", value], &["acme1"]);
        let message = run.run_failure("usage");
        assert!(message.contains("--timeout"), "{value:?}: {message}");
        assert_nothing_sent(&standin);
    }
    // A flag without its value.
    let standin = StandIn::script(vec![]);
    let run = delete(&standin, &["acme1"], &["--timeout"]);
    run.run_failure("usage");
    assert_nothing_sent(&standin);
}

// ---------------------------------------------------------------------------------------------
// The token never shows; stderr lines; --verbose
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// --help, --version
// ---------------------------------------------------------------------------------------------

#[test]
fn help_lists_every_option_env_var_and_exit_status() {
    for flag in ["--help", "-h"] {
        let out = raw(cmd().arg(flag));
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
fn version_prints_name_and_version() {
    for flag in ["--version", "-V"] {
        let out = raw(cmd().arg(flag));
        assert_eq!(out.status.code(), Some(0), "{flag}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("coveo-org-delete {VERSION}\n")
        );
        assert!(out.stderr.is_empty(), "{flag}");
    }
}

// ---------------------------------------------------------------------------------------------
// Several organizations
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// --timeout
// ---------------------------------------------------------------------------------------------

#[test]
fn a_huge_timeout_is_accepted_or_refused_but_never_panics() {
    // "decimal, > 0": 1e19 s is a valid value; it may be accepted, or refused as a usage
    // error, but the binary must never panic.
    let standin = StandIn::script(vec![Action::status(204)]);
    let run = delete(&standin, &["--timeout", "10000000000000000000"], &["acme1"]);
    match run.status {
        0 => {
            assert_ok_line(run.line(), "acme1", "deleted", 204);
            only_delete(&standin, "/rest/organizations/acme1");
        }
        _ => {
            run.run_failure("usage");
            assert_nothing_sent(&standin);
        }
    }
}

#[test]
fn double_dash_ends_the_options() {
    // After `--`, `--yes` is an organization ID (a valid one), not the flag: without the
    // flag and without a terminal, both IDs need a confirmation and nothing is sent.
    let standin = StandIn::script(vec![]);
    let run = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .args(["--", "--yes", "acme1"])
        .run();
    assert_eq!(run.status, 2, "{run:#?}");
    let ids: Vec<&Value> = run.lines.iter().map(|l| &l["organization_id"]).collect();
    assert_eq!(ids, [&json!("--yes"), &json!("acme1")]);
    for line in &run.lines {
        assert_eq!(error_of(line).0, "confirmation_required");
    }
    assert_nothing_sent(&standin);
}

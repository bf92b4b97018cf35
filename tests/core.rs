//! Issue 2, "Tests": the core of the tool as a script sees it. Every test runs the compiled
//! binary against a stand-in platform on a real socket and checks the JSON line(s), the exit
//! status, stderr, and what the stand-in received (or that it received nothing).

use crate::support::assert_nothing_sent;
use crate::support::bin::{assert_shape, cmd, Run};
use crate::support::standin::{Action, Reply, Request, StandIn};
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

fn stderr_lines(run: &Run) -> Vec<&str> {
    run.stderr.lines().collect()
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

/// Whether a verbose line reports a duration in milliseconds (`... 12 ms` / `(12 ms)`).
fn has_millis(line: &str) -> bool {
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .any(|w| w[0].bytes().all(|b| b.is_ascii_digit()) && w[1].starts_with("ms"))
        || words.iter().any(|w| {
            w.strip_suffix("ms")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
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

/// The stderr lines of a `--verbose` run after its first, which says where the token came
/// from and where requests go.
fn verbose_attempts<'a>(run: &'a Run, standin: &StandIn) -> Vec<&'a str> {
    let err = stderr_lines(run);
    let first = format!(
        "coveo-org-delete: token from COVEO_TOKEN; requests go to {}",
        standin.url()
    );
    assert_eq!(err.first(), Some(&first.as_str()), "{}", run.stderr);
    err[1..].to_vec()
}

#[test]
fn the_token_never_appears_even_with_verbose_on_success() {
    let standin = StandIn::script(vec![Action::status(204)]);
    let run = delete(&standin, &["--verbose"], &["acme1"]);
    assert_eq!(run.status, 0, "{run:#?}");
    run.assert_hides(TOKEN);
    let err = verbose_attempts(&run, &standin);
    assert_eq!(err.len(), 1, "one line per attempt: {}", run.stderr);
    let url = format!("{}/rest/organizations/acme1", standin.url());
    assert!(
        err[0].starts_with("coveo-org-delete: ")
            && err[0].contains("DELETE")
            && err[0].contains(&url)
            && err[0].contains("204")
            && has_millis(err[0]),
        "{}",
        err[0]
    );
    only_delete(&standin, "/rest/organizations/acme1");
}

#[test]
fn the_token_never_appears_even_with_verbose_on_a_401() {
    let standin = StandIn::script(vec![Action::Reply(
        Reply::new(401)
            .header("X-Request-ID", "rid-v401")
            .json(r#"{"error":"invalid_token","error_description":"Invalid access token"}"#),
    )]);
    let run = delete(&standin, &["--verbose"], &["acme1"]);
    assert_eq!(run.status, 3, "{run:#?}");
    run.assert_hides(TOKEN);
    let err = verbose_attempts(&run, &standin);
    assert_eq!(err.len(), 2, "attempt line + failure line: {}", run.stderr);
    assert!(err[0].contains("DELETE") && err[0].contains("401") && has_millis(err[0]));
    assert!(
        err[1].starts_with(
            "coveo-org-delete: acme1: unauthorized (HTTP 401 invalid_token): Invalid access token [request rid-v401]"
        ),
        "{}",
        err[1]
    );
}

#[test]
fn verbose_prints_one_line_per_attempt() {
    let standin = StandIn::script(vec![
        Action::Reply(Reply::new(503).header("Retry-After", "0")),
        Action::status(204),
    ]);
    let run = delete(&standin, &["--verbose", "--retries", "1"], &["acme1"]);
    assert_eq!(run.status, 0, "{run:#?}");
    let line = run.line();
    assert_eq!(line["result"], "deleted");
    assert_eq!(line["attempts"], 2);
    assert_eq!(line["http_status"], 204);
    let err = verbose_attempts(&run, &standin);
    assert_eq!(err.len(), 2, "{}", run.stderr);
    let url = format!("{}/rest/organizations/acme1", standin.url());
    for (l, status) in err.iter().zip(["503", "204"]) {
        assert!(
            l.starts_with("coveo-org-delete: ")
                && l.contains("DELETE")
                && l.contains(&url)
                && l.contains(status)
                && has_millis(l),
            "{l}"
        );
    }
    assert_eq!(standin.requests().len(), 2);
    run.assert_hides(TOKEN);
}

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

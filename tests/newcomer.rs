//! Issue 10, a newcomer's first hour: the prompt that no longer asks about an organization the
//! platform already refused, typing time left out of `elapsed_ms`, the usage at a terminal,
//! suggestions for mistyped options, and failure messages that name what failed (the proxy,
//! the host, `host:port`, an untrusted certificate issuer). Each is seen from outside: the JSON
//! line, the exit status, stderr or the terminal, and what the stand-in received.

use crate::support::bin::{self, assert_shape, Run};
use std::time::Duration;

/// A token for stand-ins that take any token: it must appear nowhere in the output.
const SECRET: &str = "newcomer-token-5f3a9c71";

/// Upper bound of every wait on the binary; reached only when it misbehaves.
const LIMIT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// Helpers

/// Runs the binary to its end the way a script does, within [`LIMIT`]: past it the binary is
/// killed and the test fails.
fn run(cmd: bin::Cmd) -> Run {
    cmd.deadline(LIMIT).run()
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

// ---------------------------------------------------------------------------------------------
// The prompt: an answer that settles the organization is reported at once

// ---------------------------------------------------------------------------------------------
// Usage

#[test]
fn no_arguments_without_a_terminal_are_one_json_line_and_one_stderr_line() {
    let r = run(bin::cmd());
    assert_eq!(r.status, 2, "{r:#?}");
    let line = r.line();
    assert_shape(line);
    assert!(line["organization_id"].is_null(), "{line}");
    assert_eq!(line["error"]["kind"], "usage", "{line}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:#?}");
    assert!(
        r.stderr
            .starts_with("coveo-org-delete: usage: no organization ID given"),
        "{r:#?}"
    );
    assert_eq!(count(&r.stderr, "(see --help)"), 1, "{r:#?}");
    assert!(!r.stderr.contains("Usage:"), "{r:#?}");
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
        let r = run(bin::cmd().token(SECRET).args(&args));
        assert_eq!(r.status, 2, "{r:#?}");
        let line = r.line();
        assert_shape(line);
        assert!(line["organization_id"].is_null(), "{line}");
        assert_eq!(line["error"]["kind"], "usage", "{line}");
        assert_eq!(line["attempts"], 0, "{line}");
        let message = format!("unknown option {typo}; did you mean {real}?");
        assert_eq!(line["error"]["message"], message, "{line}");
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
        let r = run(bin::cmd().token(SECRET).args(&args));
        assert_eq!(r.status, 2, "{args:?}: {r:#?}");
        assert_eq!(r.line()["error"]["kind"], "usage", "{args:?}: {r:#?}");
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {r:#?}");
        assert_eq!(count(&r.stderr, "(see --help)"), 1, "{args:?}: {r:#?}");
        assert_eq!(count(&r.stderr, "see --help"), 1, "{args:?}: {r:#?}");
    }
    let r = run(bin::cmd().args(["--frobnicate", "acme1"]));
    assert!(!r.stderr.contains("did you mean"), "{r:#?}");
}

// ---------------------------------------------------------------------------------------------
// Failures that name what failed

// ---------------------------------------------------------------------------------------------
// --verbose

//! Issue 4: batches (`--from-file`), dry runs (`--dry-run`) and the typed confirmation at a
//! terminal, checked from outside: JSON lines, exit status, stderr, and what the stand-in
//! platform received.

use crate::support::assert_nothing_sent;
use crate::support::bin::{self, assert_shape, Run};
use crate::support::pty;
use crate::support::standin::{Action, Platform, Request, StandIn};
use crate::support::temp_file;
use serde_json::Value;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The stand-in platform's user token that may delete organizations.
const TOKEN: &str = "demo-token";
/// Upper bound of any wait at a terminal; reached only when the binary misbehaves.
const LIMIT: Duration = Duration::from_secs(20);
// ---------------------------------------------------------------------------------------------
// Helpers

/// Runs the binary against `standin` with `COVEO_TOKEN=token`, `args` and `stdin`.
fn run_as(standin: &StandIn, token: &str, args: &[&str], stdin: &[u8]) -> Run {
    bin::cmd()
        .token(token)
        .platform(&standin.url())
        .args(args)
        .stdin(stdin)
        .run()
}

fn run(standin: &StandIn, args: &[&str]) -> Run {
    run_as(standin, TOKEN, args, b"")
}

/// A list file with these contents; its path as an argument.
fn list_file(contents: &str) -> String {
    temp_file("orgs.txt", contents.as_bytes())
        .to_str()
        .expect("temp path is UTF-8")
        .to_owned()
}

/// The usual fake platform of these tests.
fn platform() -> Platform {
    Platform::new()
        .org("acme1", "Acme One")
        .org("acme2", "Acme Two")
        .org("acme3", "Acme Three")
        .read_only_org("paused", "Paused Org")
}

/// Asserts a successful line for `id`.
fn assert_ok(line: &Value, id: &str, result: &str, dry_run: bool) {
    assert_shape(line);
    assert_eq!(line["organization_id"], id, "{line}");
    assert_eq!(line["ok"], true, "{line}");
    assert_eq!(line["result"], result, "{line}");
    assert_eq!(line["dry_run"], dry_run, "{line}");
    assert!(line["error"].is_null(), "{line}");
}

/// Asserts a failed line for `id` (None: a failure of the whole run) of this kind.
fn assert_err(line: &Value, id: Option<&str>, kind: &str) {
    assert_shape(line);
    match id {
        Some(id) => assert_eq!(line["organization_id"], id, "{line}"),
        None => assert!(line["organization_id"].is_null(), "{line}"),
    }
    assert_eq!(line["ok"], false, "{line}");
    assert_eq!(line["result"], "error", "{line}");
    assert_eq!(line["error"]["kind"], kind, "{line}");
    let message = line["error"]["message"].as_str().expect("a message");
    assert!(!message.is_empty(), "{line}");
}

/// Asserts a line for which nothing was sent.
fn assert_unsent(line: &Value, id: Option<&str>, kind: &str) {
    assert_err(line, id, kind);
    assert_eq!(line["attempts"], 0, "{line}");
    assert!(line["http_status"].is_null(), "{line}");
    assert!(line["request_id"].is_null(), "{line}");
}

/// The organization IDs of the lines, in order.
fn ids_of(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["organization_id"].as_str().unwrap_or("<null>").to_owned())
        .collect()
}

/// The DELETE of `id` as the tool must send it: method, path, the token, no body.
fn assert_delete_request(r: &Request, id: &str) {
    assert_eq!(r.method, "DELETE");
    assert_eq!(r.path, format!("/rest/organizations/{id}"));
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(r.body.is_empty(), "DELETE with a body: {:?}", r.body_text());
}

/// stderr's lines.
fn stderr_lines(run: &Run) -> Vec<&str> {
    run.stderr.lines().collect()
}

/// Asserts stderr has exactly one human line per failure, `coveo-org-delete: ID: KIND`, in order.
fn assert_stderr_failures(run: &Run, failures: &[(&str, &str)]) {
    let lines = stderr_lines(run);
    assert_eq!(lines.len(), failures.len(), "stderr: {}", run.stderr);
    for (line, (id, kind)) in lines.iter().zip(failures) {
        let start = format!("coveo-org-delete: {id}: {kind}");
        assert!(line.starts_with(&start), "expected {start:?}, got {line:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Batches

/// A list with comments, blank lines, surrounding whitespace, CRLF, no final newline, and a
/// missing organization in the middle.
const MIXED_LIST: &str = "# nightly cleanup of test organizations\n\
                          \n\
                          \x20 acme1  \n\
                          \t\n\
                          # ghost was removed by hand last week\n\
                          ghost\r\n\
                          acme2\n\
                          \x20  \n\
                          acme3";

/// What a batch over [`MIXED_LIST`] must show and send.
fn check_mixed_batch(standin: &StandIn, run: &Run) {
    assert_eq!(ids_of(&run.lines), ["acme1", "ghost", "acme2", "acme3"]);
    for (i, id) in [(0, "acme1"), (2, "acme2"), (3, "acme3")] {
        let line = &run.lines[i];
        assert_ok(line, id, "deleted", false);
        assert_eq!(line["http_status"], 204, "{line}");
        assert_eq!(line["attempts"], 1, "{line}");
    }
    let ghost = &run.lines[1];
    assert_err(ghost, Some("ghost"), "not_found");
    assert_eq!(ghost["http_status"], 404, "{ghost}");
    assert_eq!(ghost["attempts"], 1, "{ghost}");
    assert_eq!(ghost["error"]["coveo_error_code"], "ORGANIZATION_NOT_FOUND");
    assert_eq!(run.status, 4, "{run:#?}");
    assert_stderr_failures(run, &[("ghost", "not_found")]);

    let requests = standin.requests();
    assert_eq!(requests.len(), 4, "{:?}", standin.sent());
    for (r, id) in requests.iter().zip(["acme1", "ghost", "acme2", "acme3"]) {
        assert_delete_request(r, id);
        assert_eq!(r.connection, 0);
    }
    assert_eq!(standin.connections(), 1, "a batch reuses its connection");
    assert_eq!(standin.remaining_orgs(), ["paused"]);
    standin.assert_no_violations();
}

#[test]
fn batch_from_file_in_order_skipping_comments_and_blank_lines() {
    let standin = StandIn::platform(platform());
    let file = list_file(MIXED_LIST);
    let run = run(&standin, &["--yes", "--from-file", &file]);
    check_mixed_batch(&standin, &run);
}

#[test]
fn batch_from_stdin_with_yes() {
    let standin = StandIn::platform(platform());
    let run = run_as(
        &standin,
        TOKEN,
        &["--from-file", "-", "--yes"],
        MIXED_LIST.as_bytes(),
    );
    check_mixed_batch(&standin, &run);
}

#[test]
fn batch_exit_status_is_that_of_the_first_failure() {
    // not_found (4) before read_only (1): 4.
    let standin = StandIn::platform(platform());
    let file = list_file("acme1\nghost\npaused\nacme2\n");
    let r = run(&standin, &["--yes", "--from-file", &file]);
    assert_eq!(ids_of(&r.lines), ["acme1", "ghost", "paused", "acme2"]);
    assert_ok(&r.lines[0], "acme1", "deleted", false);
    assert_err(&r.lines[1], Some("ghost"), "not_found");
    assert_err(&r.lines[2], Some("paused"), "read_only");
    assert_eq!(r.lines[2]["http_status"], 403);
    assert_ok(&r.lines[3], "acme2", "deleted", false);
    assert_eq!(r.status, 4, "{r:#?}");
    assert_stderr_failures(&r, &[("ghost", "not_found"), ("paused", "read_only")]);
    assert_eq!(
        standin.sent(),
        [
            "DELETE /rest/organizations/acme1",
            "DELETE /rest/organizations/ghost",
            "DELETE /rest/organizations/paused",
            "DELETE /rest/organizations/acme2",
        ]
    );
    assert_eq!(standin.connections(), 1);

    // read_only (1) before not_found (4): 1. A paused organization is no token problem.
    let standin = StandIn::platform(platform());
    let file = list_file("paused\nacme1\nghost\n");
    let r = run(&standin, &["--yes", "--from-file", &file]);
    assert_eq!(ids_of(&r.lines), ["paused", "acme1", "ghost"]);
    assert_err(&r.lines[0], Some("paused"), "read_only");
    assert_ok(&r.lines[1], "acme1", "deleted", false);
    assert_err(&r.lines[2], Some("ghost"), "not_found");
    assert_eq!(r.status, 1, "{r:#?}");
    assert_eq!(standin.connections(), 1);
    assert_eq!(standin.remaining_orgs(), ["acme2", "acme3", "paused"]);
}

#[test]
fn batch_of_200_over_one_connection() {
    let ids: Vec<String> = (0..200).map(|i| format!("org-{i:03}")).collect();
    let p = ids
        .iter()
        .fold(Platform::new(), |p, id| p.org(id, &format!("Org {id}")));
    let standin = StandIn::platform(p);
    let file = list_file(&ids.join("\n"));
    let r = run(&standin, &["--yes", "--from-file", &file]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    assert_eq!(ids_of(&r.lines), ids);
    for (line, id) in r.lines.iter().zip(&ids) {
        assert_ok(line, id, "deleted", false);
        assert_eq!(line["attempts"], 1);
    }
    let requests = standin.requests();
    assert_eq!(requests.len(), 200);
    for (req, id) in requests.iter().zip(&ids) {
        assert_delete_request(req, id);
    }
    assert_eq!(standin.connections(), 1, "a batch reuses its connection");
    assert!(standin.remaining_orgs().is_empty());
    assert!(
        r.elapsed < Duration::from_secs(10),
        "200 deletions over one local connection took {:?}",
        r.elapsed
    );
}

/// A child process killed and reaped when the test lets go of it, even on a failed assertion.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        bin::kill_and_reap(&mut self.0);
    }
}

#[test]
fn batch_line_is_written_as_each_organization_finishes() {
    // The second DELETE is never answered: the first line must be out while the binary waits.
    let standin = StandIn::handler(|r| {
        if r.path.ends_with("/acme2") {
            Action::Hang
        } else {
            Action::status(204)
        }
    });
    let file = list_file("acme1\nacme2\n");
    let mut child = Reaped(
        bin::cmd()
            .token(TOKEN)
            .platform(&standin.url())
            .args(["--yes", "--retries", "0", "--from-file", &file])
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the binary"),
    );
    let mut stdout = child.0.stdout.take().unwrap();
    let deadline = Instant::now() + LIMIT;
    let mut seen = Vec::new();
    while !seen.contains(&b'\n') {
        assert!(
            pty::wait_readable(&[stdout.as_raw_fd()], deadline).is_some(),
            "no line while the second organization is pending: {seen:?}"
        );
        let mut buf = [0u8; 4096];
        let n = stdout.read(&mut buf).expect("read stdout");
        assert_ne!(n, 0, "stdout closed early: {seen:?}");
        seen.extend_from_slice(&buf[..n]);
    }
    // The binary has gone on to the second organization, whose answer never comes.
    standin.wait_for_requests(2, LIMIT);
    assert!(
        child.0.try_wait().expect("try_wait").is_none(),
        "the binary ended: the line was not written as the organization finished"
    );
    drop(child);
    let text = String::from_utf8(seen).unwrap();
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_ok(&first, "acme1", "deleted", false);
    assert_eq!(
        standin.sent(),
        [
            "DELETE /rest/organizations/acme1",
            "DELETE /rest/organizations/acme2"
        ]
    );
}

#[test]
fn from_file_with_a_positional_id_is_a_usage_error() {
    let file = list_file("acme1\n");
    for args in [
        vec!["--yes", "--from-file", file.as_str(), "acme2"],
        vec!["--yes", "acme2", "--from-file", file.as_str()],
        vec!["--yes", "--from-file", "-", "acme2"],
        vec!["--yes", "--from-file", file.as_str(), "--", "acme2"],
    ] {
        let standin = StandIn::platform(platform());
        let r = run_as(&standin, TOKEN, &args, b"acme3\n");
        assert_unsent(r.line(), None, "usage");
        assert_eq!(r.status, 2, "{args:?}");
        let lines = stderr_lines(&r);
        assert_eq!(lines.len(), 1, "{args:?}: {}", r.stderr);
        assert!(lines[0].starts_with("coveo-org-delete: usage"), "{lines:?}");
        assert_nothing_sent(&standin);
    }
}

#[test]
fn empty_list_is_nothing_to_do() {
    let empty = list_file("");
    let comments = list_file("# nothing tonight\n\n   \n\t\n# still nothing\n");
    for (args, stdin) in [
        (vec!["--yes", "--from-file", empty.as_str()], ""),
        (vec!["--yes", "--from-file", comments.as_str()], ""),
        (vec!["--from-file", empty.as_str()], ""),
        (vec!["--dry-run", "--from-file", comments.as_str()], ""),
        (vec!["--yes", "--from-file", "-"], ""),
        (vec!["--yes", "--from-file", "-"], "# none\n\n"),
    ] {
        let standin = StandIn::platform(platform());
        let r = run_as(&standin, TOKEN, &args, stdin.as_bytes());
        assert_eq!(r.status, 0, "{args:?}: {r:#?}");
        assert_eq!(r.stdout, "", "{args:?}");
        assert_eq!(r.stderr, "", "{args:?}");
        assert_nothing_sent(&standin);
    }
}

#[test]
fn missing_list_file_is_an_error_and_sends_nothing() {
    let missing = std::env::temp_dir().join(format!(
        "coveo-org-delete-test-{}-no-such-list.txt",
        std::process::id()
    ));
    let missing = missing.to_str().unwrap();
    for args in [
        vec!["--yes", "--from-file", missing],
        vec!["--dry-run", "--from-file", missing],
    ] {
        let standin = StandIn::platform(platform());
        let r = run(&standin, &args);
        let line = r.line();
        assert_shape(line);
        assert!(line["organization_id"].is_null(), "{line}");
        assert_eq!(line["ok"], false);
        let kind = line["error"]["kind"].as_str().unwrap();
        assert!(kind == "config" || kind == "usage", "{line}");
        assert_eq!(line["attempts"], 0);
        let message = line["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(missing),
            "the message names the file: {line}"
        );
        assert_eq!(r.status, 2, "{r:#?}");
        let lines = stderr_lines(&r);
        assert_eq!(lines.len(), 1, "{}", r.stderr);
        assert!(lines[0].starts_with(&format!("coveo-org-delete: {kind}")));
        assert_nothing_sent(&standin);
    }
}

#[test]
fn an_invalid_id_anywhere_in_a_list_sends_nothing() {
    let long = "a".repeat(256);
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("bad/one\nacme1\nacme2\n".into(), vec!["bad/one"]),
        (
            "acme1\n../etc\nacme2\n# comment\nhas.dot\nacme3\n".into(),
            vec!["../etc", "has.dot"],
        ),
        ("acme1\nacme2\n  with space  \n".into(), vec!["with space"]),
        (format!("acme1\n{long}\n"), vec![long.as_str()]),
        (
            "acme1\nacm\u{e9}\nacme2%2f\n".into(),
            vec!["acm\u{e9}", "acme2%2f"],
        ),
    ];
    for (contents, invalid) in &cases {
        for from_stdin in [false, true] {
            let standin = StandIn::platform(platform());
            let r = if from_stdin {
                run_as(
                    &standin,
                    TOKEN,
                    &["--yes", "--from-file", "-"],
                    contents.as_bytes(),
                )
            } else {
                let file = list_file(contents);
                run(&standin, &["--yes", "--from-file", &file])
            };
            assert_eq!(ids_of(&r.lines), *invalid, "{contents:?}");
            for (line, id) in r.lines.iter().zip(invalid) {
                assert_unsent(line, Some(id), "invalid_organization_id");
            }
            assert_eq!(r.status, 2, "{contents:?}");
            assert_eq!(stderr_lines(&r).len(), invalid.len(), "{}", r.stderr);
            assert_nothing_sent(&standin);
            assert_eq!(
                standin.remaining_orgs(),
                ["acme1", "acme2", "acme3", "paused"]
            );
        }
    }
}

#[test]
fn list_from_stdin_without_yes_needs_confirmation() {
    let standin = StandIn::platform(platform());
    let r = run_as(
        &standin,
        TOKEN,
        &["--from-file", "-"],
        b"acme1\n# skip\nacme2\n",
    );
    assert_eq!(ids_of(&r.lines), ["acme1", "acme2"]);
    for (line, id) in r.lines.iter().zip(["acme1", "acme2"]) {
        assert_unsent(line, Some(id), "confirmation_required");
        assert_eq!(line["dry_run"], false);
    }
    assert_eq!(r.status, 2);
    assert_stderr_failures(
        &r,
        &[
            ("acme1", "confirmation_required"),
            ("acme2", "confirmation_required"),
        ],
    );
    assert_nothing_sent(&standin);
}

// ---------------------------------------------------------------------------------------------
// Dry run

// ---------------------------------------------------------------------------------------------
// Confirmation

#[test]
fn without_a_terminal_confirmation_is_required_and_nothing_is_sent() {
    for ids in [vec!["acme1"], vec!["acme1", "ghost", "acme2"]] {
        let standin = StandIn::platform(platform());
        let r = run(&standin, &ids);
        assert_eq!(ids_of(&r.lines), ids);
        for (line, id) in r.lines.iter().zip(&ids) {
            assert_unsent(line, Some(id), "confirmation_required");
            assert_eq!(line["dry_run"], false);
        }
        assert_eq!(r.status, 2);
        let failures: Vec<(&str, &str)> = ids
            .iter()
            .map(|id| (*id, "confirmation_required"))
            .collect();
        assert_stderr_failures(&r, &failures);
        assert_nothing_sent(&standin);
        assert_eq!(standin.remaining_orgs().len(), 4);
    }
}

//! Issue 4: batches (`--from-file`), dry runs (`--dry-run`) and the typed confirmation at a
//! terminal, checked from outside: JSON lines, exit status, stderr, and what the stand-in
//! platform received.

use crate::support::assert_nothing_sent;
use crate::support::bin::{self, assert_shape, Run};
use crate::support::pty;
use crate::support::standin::{Action, Platform, StandIn};
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

/// stderr's lines.
fn stderr_lines(run: &Run) -> Vec<&str> {
    run.stderr.lines().collect()
}

// ---------------------------------------------------------------------------------------------
// Batches

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

// ---------------------------------------------------------------------------------------------
// Dry run

// ---------------------------------------------------------------------------------------------
// Confirmation

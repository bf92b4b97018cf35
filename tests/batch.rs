//! Issue 4: batches (`--from-file`), dry runs (`--dry-run`) and the typed confirmation at a
//! terminal, checked from outside: JSON lines, exit status, stderr, and what the stand-in
//! platform received.

use crate::support::bin::{self, assert_shape};
use crate::support::pty;
use crate::support::standin::{Action, StandIn};
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

/// A list file with these contents; its path as an argument.
fn list_file(contents: &str) -> String {
    temp_file("orgs.txt", contents.as_bytes())
        .to_str()
        .expect("temp path is UTF-8")
        .to_owned()
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

// ---------------------------------------------------------------------------------------------
// Dry run

// ---------------------------------------------------------------------------------------------
// Confirmation

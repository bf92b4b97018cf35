//! Issue 3, resilience: retries, deadlines, bounded bodies, TLS roots, proxies, one thread and a
//! closed stdout, each seen the way a script sees it (JSON line, exit status, stderr) together
//! with what the stand-in or the proxy received.

use crate::support::bin::{cmd, output_within, Run, DEFAULT_DEADLINE};
use crate::support::standin::{Action, Platform, Reply, Request, StandIn};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;

const TOKEN: &str = "resilience-token-9c41e7";
const ORG: &str = "acme1";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `coveo-org-delete --platform-url URL --yes EXTRA... acme1` with `COVEO_TOKEN` set.
fn delete_at(url: &str, extra: &[&str]) -> Run {
    cmd()
        .token(TOKEN)
        .platform(url)
        .arg("--yes")
        .args(extra)
        .arg(ORG)
        .run()
}

/// An empty answer with `Retry-After: VALUE`.
fn with_retry_after(status: u16, value: &str) -> Action {
    Action::Reply(Reply::new(status).header("Retry-After", value))
}

/// Asserts one request is the DELETE of `acme1` with the token, `Accept` and no body.
fn assert_is_delete(r: &Request) {
    assert_eq!(r.method, "DELETE", "{r:#?}");
    assert_eq!(r.path, format!("/rest/organizations/{ORG}"), "{r:#?}");
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str()),
        "{r:#?}"
    );
    assert_eq!(r.header("accept"), Some("application/json"), "{r:#?}");
    assert!(r.body.is_empty(), "a DELETE has no body: {r:#?}");
}

/// Asserts the stand-in received exactly `n` requests, each the DELETE of `acme1`, and nothing
/// beyond its script.
fn assert_deletes(standin: &StandIn, n: usize) -> Vec<Request> {
    let reqs = standin.requests();
    assert_eq!(reqs.len(), n, "requests received: {:?}", standin.sent());
    reqs.iter().for_each(assert_is_delete);
    standin.assert_no_violations();
    reqs
}

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Lost answers and the 404 that follows
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Bodies: at most 64 KiB read
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Failures without an answer: protocol, connection
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// TLS roots
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Proxies
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// One thread
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// A closed stdout
// ---------------------------------------------------------------------------------------------

/// The writing end of a pipe whose reading end is already closed: nothing written to it can
/// ever be read, whatever the timing.
fn pipe_without_reader() -> OwnedFd {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills both descriptors on success; each is then owned exactly once.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    writer
}

#[test]
fn a_closed_stdout_stops_before_the_next_organization() {
    let s = StandIn::platform(
        Platform::new()
            .org("org1", "One")
            .org("org2", "Two")
            .org("org3", "Three"),
    );
    let mut command = cmd()
        .token("demo-token")
        .platform(&s.url())
        .args(["--yes", "org1", "org2", "org3"])
        .command();
    command
        .stdin(Stdio::null())
        .stdout(Stdio::from(pipe_without_reader()))
        .stderr(Stdio::piped());
    let out = output_within(&mut command, DEFAULT_DEADLINE);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "exit 1, not a signal: {:?}\nstderr: {stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert!(!stderr.contains("demo-token"), "{stderr}");
    assert_eq!(
        s.sent(),
        vec!["DELETE /rest/organizations/org1"],
        "stopped before the next organization"
    );
    assert_eq!(s.remaining_orgs(), vec!["org2", "org3"]);
    s.assert_no_violations();
}

#[test]
fn a_closed_stdout_and_stderr_after_a_failure_still_exit_1() {
    // The first organization fails (404: its human line goes to a closed stderr too); the
    // output failure decides the status "whatever came before".
    let s = StandIn::platform(Platform::new().org("org2", "Two").org("org3", "Three"));
    let mut command = cmd()
        .token("demo-token")
        .platform(&s.url())
        .args(["--yes", "nosuch", "org2", "org3"])
        .command();
    command
        .stdin(Stdio::null())
        .stdout(Stdio::from(pipe_without_reader()))
        .stderr(Stdio::from(pipe_without_reader()));
    let status = output_within(&mut command, DEFAULT_DEADLINE).status;
    assert_eq!(status.code(), Some(1), "exit 1, not a signal: {status:?}");
    assert_eq!(
        s.sent(),
        vec!["DELETE /rest/organizations/nosuch"],
        "stopped before the next organization"
    );
    assert_eq!(s.remaining_orgs(), vec!["org2", "org3"]);
    s.assert_no_violations();
}

// ---------------------------------------------------------------------------------------------
// Verbose
// ---------------------------------------------------------------------------------------------

#[test]
fn verbose_gives_one_line_per_attempt_without_the_token() {
    for flag in ["-v", "--verbose"] {
        let s = StandIn::script(vec![
            with_retry_after(503, "0"),
            Action::Close,
            Action::status(204),
        ]);
        let url = format!("{}/rest/organizations/{ORG}", s.url());
        let run = delete_at(&s.url(), &[flag, "--retries", "2"]);
        assert_eq!(run.status, 0, "{run:#?}");
        let l = run.line();
        assert_eq!(l["result"], "deleted", "{run:#?}");
        assert_eq!(l["attempts"], 3, "{run:#?}");
        let lines: Vec<&str> = run.stderr.lines().skip(1).collect();
        assert!(run
            .stderr
            .starts_with("coveo-org-delete: token from COVEO_TOKEN; requests go to "));
        assert_eq!(lines.len(), 3, "one line per attempt: {run:#?}");
        for (line, what) in lines.iter().zip(["503", "connection", "204"]) {
            assert!(line.contains("DELETE"), "method: {line}");
            assert!(line.contains(&url), "URL: {line}");
            assert!(line.contains(what), "status or error {what}: {line}");
            assert!(line.contains("ms"), "milliseconds: {line}");
            assert!(!line.contains("Bearer"), "{line}");
        }
        run.assert_hides(TOKEN);
        assert_deletes(&s, 3);
    }
}

#[test]
fn verbose_names_the_error_of_an_attempt_without_an_answer() {
    let s = StandIn::script(vec![Action::Hang]);
    let url = format!("{}/rest/organizations/{ORG}", s.url());
    let run = delete_at(&s.url(), &["-v", "--timeout", "0.3", "--retries", "0"]);
    assert_eq!(run.status, 5, "{run:#?}");
    assert_eq!(run.line()["error"]["kind"], "timeout", "{run:#?}");
    let lines: Vec<&str> = run.stderr.lines().skip(1).collect();
    assert!(run
        .stderr
        .starts_with("coveo-org-delete: token from COVEO_TOKEN; requests go to "));
    assert_eq!(lines.len(), 2, "the attempt, then the failure: {run:#?}");
    let attempt = lines[0];
    assert!(
        attempt.contains("DELETE") && attempt.contains(&url),
        "{attempt}"
    );
    assert!(
        attempt.contains("timeout") && attempt.contains("ms"),
        "{attempt}"
    );
    assert!(lines[1].starts_with(&format!("coveo-org-delete: {ORG}: timeout")));
    run.assert_hides(TOKEN);
    assert_deletes(&s, 1);
}

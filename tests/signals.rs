//! SIGINT and SIGTERM: once a run is under way, a signal lets the attempt in flight finish,
//! starts nothing else, and says so (`interrupted` lines, one stderr line, exit 130 or 143); a
//! second signal ends the process at once; before the confirmation, and for whoever ignores
//! SIGINT, the default way stands. Seen from outside: the JSON lines, the exit status or the
//! signal that ended the process, stderr, and what the stand-in platform received.
//!
//! Signals are sent once the stand-in has seen the request they must land on. A signal sent
//! with kill(2) is handled before the binary runs any more of its own code, so releasing a
//! held answer after the kill cannot overtake the signal. Every wait has a deadline: a
//! regression fails with what was seen, it does not hang.

use crate::support::bin::{against, read_output};
use crate::support::line::{
    deleted, expect_line, failed, listed, starting_with, succeeded, Set, SOME,
};
use crate::support::standin::{Action, Reply, StandIn};
use crate::support::{assert_nothing_sent, kill, not_started, platform, pty, LIMIT};
use serde_json::Value;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How soon a stopped run must be over once it has nothing left in flight.
const AT_ONCE: Duration = Duration::from_secs(1);

// ---------------------------------------------------------------------------------------------
// Helpers

/// The binary in the background, stdout and stderr on pipes (no terminal), killed and reaped
/// if the test lets go of it early.
struct Running {
    child: Option<Child>,
    stdout: ChildStdout,
    stderr: ChildStderr,
    /// stderr read so far.
    err: Vec<u8>,
}

/// How a run ended, and what a script saw of it.
#[derive(Debug)]
struct Ended {
    status: ExitStatus,
    /// When the exit was seen.
    at: Instant,
    stdout: String,
    stderr: String,
    lines: Vec<Value>,
}

impl Ended {
    fn code(&self) -> i32 {
        self.status
            .code()
            .unwrap_or_else(|| panic!("ended by a signal: {self:#?}"))
    }
}

/// The command line of the binary against `standin`, with the token.
fn command(standin: &StandIn, args: &[&str]) -> Command {
    against(&standin.url()).args(args).command()
}

fn start(standin: &StandIn, args: &[&str]) -> Running {
    start_command(command(standin, args))
}

fn start_command(mut cmd: Command) -> Running {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the binary");
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    Running {
        child: Some(child),
        stdout,
        stderr,
        err: Vec::new(),
    }
}

impl Running {
    fn pid(&self) -> u32 {
        self.child.as_ref().expect("the child").id()
    }

    fn signal(&self, signal: libc::c_int) {
        kill(self.pid(), signal);
    }

    /// Reads stderr until it holds a whole line containing `text`.
    fn stderr_line_with(&mut self, text: &str) {
        let deadline = Instant::now() + LIMIT;
        loop {
            let seen = String::from_utf8_lossy(&self.err).into_owned();
            if seen
                .split_inclusive('\n')
                .any(|l| l.ends_with('\n') && l.contains(text))
            {
                return;
            }
            if pty::wait_readable(&[self.stderr.as_raw_fd()], deadline).is_none() {
                self.fail(&format!("stderr never had a line with {text:?}: {seen:?}"));
            }
            let mut buf = [0u8; 4096];
            match self.stderr.read(&mut buf) {
                Ok(0) => self.fail(&format!("stderr closed before {text:?}: {seen:?}")),
                Ok(n) => self.err.extend_from_slice(&buf[..n]),
                Err(e) => self.fail(&format!("reading stderr: {e}")),
            }
        }
    }

    /// Waits until the handler of `signal` has run: its action is the default again. Read
    /// from /proc (SigCgt lists the signals the process catches), so that a second signal
    /// is sure to be a second one rather than merged with the first while still pending.
    fn wait_until_handled(&mut self, signal: libc::c_int) {
        let deadline = Instant::now() + LIMIT;
        let path = format!("/proc/{}/status", self.pid());
        let bit = 1u64 << (signal - 1);
        loop {
            let status = std::fs::read_to_string(&path).unwrap_or_default();
            let caught = status
                .lines()
                .find_map(|l| l.strip_prefix("SigCgt:"))
                .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok());
            match caught {
                Some(mask) if mask & bit == 0 => return,
                _ if Instant::now() >= deadline => {
                    self.fail(&format!("signal {signal} still caught: {status}"))
                }
                _ => std::thread::sleep(Duration::from_millis(1)),
            }
        }
    }

    /// Waits for the exit, at most `limit`.
    fn end(mut self, limit: Duration) -> Ended {
        let deadline = Instant::now() + limit;
        let status = loop {
            let child = self.child.as_mut().expect("the child");
            match child.try_wait().expect("try_wait") {
                Some(status) => break status,
                None if Instant::now() >= deadline => {
                    self.fail(&format!("still running after {limit:?}"))
                }
                None => std::thread::sleep(Duration::from_millis(2)),
            }
        };
        let at = Instant::now();
        self.child = None;
        // The process is gone, so both pipes are at their end.
        let mut stdout = Vec::new();
        self.stdout.read_to_end(&mut stdout).expect("stdout");
        self.stderr.read_to_end(&mut self.err).expect("stderr");
        let (stdout, stderr, lines) = read_output(stdout, std::mem::take(&mut self.err));
        Ended {
            status,
            at,
            stdout,
            stderr,
            lines,
        }
    }

    /// Kills the child and fails the test with what was seen.
    fn fail(&mut self, why: &str) -> ! {
        self.reap();
        let mut stdout = String::new();
        let _ = self.stdout.read_to_string(&mut stdout);
        let _ = self.stderr.read_to_end(&mut self.err);
        panic!(
            "{why}\nstdout: {stdout:?}\nstderr: {:?}",
            String::from_utf8_lossy(&self.err)
        );
    }

    fn reap(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let deadline = Instant::now() + LIMIT;
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.reap();
    }
}

/// The line of an organization that a signal kept from starting.
fn not_started_line(id: &str, dry_run: bool, signal: &str) -> Value {
    failed(id, "interrupted", Value::Null, 0)
        .set("dry_run", dry_run)
        .set("elapsed_ms", 0)
        .set(
            "error.message",
            format!("not started: the run was stopped by {signal}"),
        )
}

/// Runs the binary with `args` against `standin`, whose answer to its `n`-th request is held:
/// once the stand-in has seen that request, sends `signal`, lets the answer go, and waits for
/// the end.
fn signalled_at(standin: &StandIn, args: &[&str], n: usize, signal: libc::c_int) -> Ended {
    let run = start(standin, args);
    standin.wait_for_requests(n, LIMIT);
    run.signal(signal);
    standin.release();
    run.end(LIMIT)
}

/// Runs the binary with `--verbose` and `args` against `standin`, which asks for a wait of
/// 30 s: once `--verbose` reports the attempt just before the wait, sends SIGINT, and waits
/// for the end, which must come at once.
fn interrupted_in_a_retry_wait(standin: &StandIn, args: &[&str]) -> Ended {
    let mut run = start(standin, &[&["--verbose"], args].concat());
    run.stderr_line_with("-> 503 Service Unavailable");
    let signalled = Instant::now();
    run.signal(libc::SIGINT);
    let ended = run.end(LIMIT);
    let took = ended.at - signalled;
    assert!(took < AT_ONCE, "the wait went on for {took:?} after SIGINT");
    ended
}

// ---------------------------------------------------------------------------------------------
// Stopping a run

#[test]
fn sigint_during_a_batch_of_200_says_once_how_many_were_not_started() {
    let standin = StandIn::script(vec![Action::Held(Reply::new(204))]);
    let ids: Vec<String> = (0..200).map(|i| format!("ci{i:03}")).collect();
    let mut args = vec!["--yes".to_owned()];
    args.extend(ids.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let ended = signalled_at(&standin, &args, 1, libc::SIGINT);

    assert_eq!(ended.code(), 130, "{ended:#?}");
    assert_eq!(ended.lines.len(), 200);
    expect_line(&ended.lines[0], deleted("ci000"));
    for (line, id) in ended.lines[1..].iter().zip(&ids[1..]) {
        expect_line(line, not_started_line(id, false, "SIGINT"));
    }
    // One line for the 199, not one each: cron mails whatever stderr holds.
    assert_eq!(ended.stderr, format!("{}\n", not_started(199, "SIGINT")));
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/ci000"]);
    standin.assert_no_violations();
}

#[test]
fn sigterm_lets_the_delete_in_flight_finish_and_starts_no_other() {
    let standin = StandIn::script(vec![Action::Held(Reply::new(204))]);
    let ended = signalled_at(
        &standin,
        &["--yes", "acme1", "acme2", "acme3"],
        1,
        libc::SIGTERM,
    );

    assert_eq!(ended.code(), 143, "{ended:#?}");
    assert_eq!(ended.lines.len(), 3, "{ended:#?}");
    expect_line(&ended.lines[0], deleted("acme1"));
    expect_line(&ended.lines[1], not_started_line("acme2", false, "SIGTERM"));
    expect_line(&ended.lines[2], not_started_line("acme3", false, "SIGTERM"));
    assert_eq!(ended.stderr, format!("{}\n", not_started(2, "SIGTERM")));
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
    standin.assert_no_violations();
}

#[test]
fn sigint_ends_a_retry_wait_at_once_keeping_the_last_answer() {
    // The server asks for 30 s, within the 60 s the tool waits for.
    let standin = StandIn::script(vec![Action::Reply(
        Reply::new(503).header("Retry-After", "30"),
    )]);
    let ended = interrupted_in_a_retry_wait(&standin, &["--yes", "acme1", "acme2"]);

    assert_eq!(ended.code(), 130, "{ended:#?}");
    assert_eq!(ended.lines.len(), 2, "{ended:#?}");
    expect_line(
        &ended.lines[0],
        failed("acme1", "server_error", 503, 1)
            .set("error.message", "HTTP 503 Service Unavailable")
            .set("error.retry_after_s", 30),
    );
    expect_line(&ended.lines[1], not_started_line("acme2", false, "SIGINT"));
    // --verbose: where the token came from, the attempt, then the two failures.
    let stderr: Vec<&str> = ended.stderr.lines().collect();
    assert_eq!(stderr.len(), 4, "{}", ended.stderr);
    assert!(
        stderr[0].contains("token from COVEO_TOKEN"),
        "{}",
        ended.stderr
    );
    assert!(stderr[1].contains("DELETE"), "{}", ended.stderr);
    assert!(
        stderr[2].starts_with("coveo-org-delete: acme1: server_error (HTTP 503)"),
        "{}",
        ended.stderr
    );
    assert_eq!(stderr[3], not_started(1, "SIGINT"));
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
    standin.assert_no_violations();
}

#[test]
fn sigint_in_the_retry_wait_of_a_single_organization_exits_130() {
    let standin = StandIn::script(vec![Action::Reply(
        Reply::new(503).header("Retry-After", "30"),
    )]);
    let ended = interrupted_in_a_retry_wait(&standin, &["--yes", "acme1"]);
    assert_eq!(ended.code(), 130, "{ended:#?}");
    assert_eq!(ended.lines.len(), 1, "{ended:#?}");
    expect_line(
        &ended.lines[0],
        failed("acme1", "server_error", 503, 1)
            .set("error.message", "HTTP 503 Service Unavailable")
            .set("error.retry_after_s", 30),
    );
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
}

#[test]
fn an_interruption_overrides_the_status_of_an_earlier_failure() {
    let standin = StandIn::script(vec![
        Action::json(404, r#"{"message":"no such organization"}"#),
        Action::Held(Reply::new(204)),
    ]);
    let ended = signalled_at(
        &standin,
        &["--yes", "ghost", "acme1", "acme2"],
        2,
        libc::SIGINT,
    );

    assert_eq!(ended.code(), 130, "not 4, the not_found's: {ended:#?}");
    assert_eq!(ended.lines.len(), 3, "{ended:#?}");
    expect_line(
        &ended.lines[0],
        failed("ghost", "not_found", 404, 1).set("error.message", "no such organization"),
    );
    expect_line(&ended.lines[1], deleted("acme1"));
    expect_line(&ended.lines[2], not_started_line("acme2", false, "SIGINT"));
    assert_eq!(
        standin.sent(),
        [
            "DELETE /rest/organizations/ghost",
            "DELETE /rest/organizations/acme1"
        ]
    );
}

#[test]
fn a_signal_during_the_last_organization_still_exits_143() {
    // Nothing is left to stop, but the run did not end on its own: the wrapper must learn it.
    let standin = StandIn::script(vec![Action::Held(Reply::new(204))]);
    let ended = signalled_at(&standin, &["--yes", "acme1"], 1, libc::SIGTERM);
    assert_eq!(ended.code(), 143, "{ended:#?}");
    assert_eq!(ended.lines.len(), 1, "{ended:#?}");
    expect_line(&ended.lines[0], deleted("acme1"));
    assert_eq!(ended.stderr, "");
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
}

// ---------------------------------------------------------------------------------------------
// Dry runs

#[test]
fn a_signal_between_the_dry_runs_get_and_post_sends_no_post() {
    let standin = StandIn::script(vec![Action::Held(
        Reply::new(200)
            .header("X-Request-ID", "get-acme1")
            .json(r#"{"id":"acme1","displayName":"Acme One","readOnly":false}"#),
    )]);
    let ended = signalled_at(&standin, &["--dry-run", "acme1", "acme2"], 1, libc::SIGINT);

    assert_eq!(ended.code(), 130, "{ended:#?}");
    assert_eq!(ended.lines.len(), 2, "{ended:#?}");
    // What the GET learned stays on the line.
    expect_line(
        &ended.lines[0],
        failed("acme1", "interrupted", 200, 1)
            .set("dry_run", true)
            .set("request_id", "get-acme1")
            .set("display_name", "Acme One")
            .set(
                "error.message",
                "stopped by SIGINT after the organization was read; the privilege check was not sent",
            ),
    );
    expect_line(&ended.lines[1], not_started_line("acme2", true, "SIGINT"));
    assert_eq!(
        ended.stderr,
        format!(
            "coveo-org-delete: acme1: interrupted: stopped by SIGINT after the organization was read; the privilege check was not sent [request get-acme1]\n{}\n",
            not_started(1, "SIGINT")
        )
    );
    assert_eq!(standin.sent(), ["GET /rest/organizations/acme1"]);
    standin.assert_no_violations();
}

#[test]
fn a_signal_during_the_dry_runs_post_keeps_its_answer() {
    let standin = StandIn::script(vec![
        Action::json(
            200,
            r#"{"id":"acme1","displayName":"Acme One","readOnly":false}"#,
        ),
        Action::Held(Reply::new(200).json(r#"{"approved":true}"#)),
    ]);
    let ended = signalled_at(
        &standin,
        &["--dry-run", "acme1", "acme2", "acme3"],
        2,
        libc::SIGTERM,
    );

    assert_eq!(ended.code(), 143, "{ended:#?}");
    assert_eq!(ended.lines.len(), 3, "{ended:#?}");
    expect_line(
        &ended.lines[0],
        succeeded("acme1", "would_delete", 200, 2)
            .set("dry_run", true)
            .set("display_name", "Acme One"),
    );
    expect_line(&ended.lines[1], not_started_line("acme2", true, "SIGTERM"));
    expect_line(&ended.lines[2], not_started_line("acme3", true, "SIGTERM"));
    assert_eq!(
        standin.sent(),
        [
            "GET /rest/organizations/acme1",
            "POST /rest/privilege/evaluate"
        ]
    );
    standin.assert_no_violations();
}

// ---------------------------------------------------------------------------------------------
// A second signal; the default way

#[test]
fn a_second_sigterm_ends_the_process_at_once() {
    // Never released: only the signal can end this run before its 60 s deadline.
    let standin = StandIn::script(vec![Action::Held(Reply::new(204))]);
    let mut run = start(&standin, &["--yes", "--timeout", "60", "acme1", "acme2"]);
    standin.wait_for_requests(1, LIMIT);
    run.signal(libc::SIGTERM);
    run.wait_until_handled(libc::SIGTERM);
    let signalled = Instant::now();
    run.signal(libc::SIGTERM);
    let ended = run.end(LIMIT);

    assert_eq!(ended.status.signal(), Some(libc::SIGTERM), "{ended:#?}");
    let took = ended.at - signalled;
    assert!(took < AT_ONCE, "the second SIGTERM took {took:?}");
    assert_eq!(
        ended.stdout, "",
        "the organization in flight had no answer yet"
    );
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
}

#[test]
fn sigint_then_sigterm_ends_the_process_at_once() {
    // Different signals are not merged while pending: whichever is handled first, the other
    // one finds the default action.
    let standin = StandIn::script(vec![Action::Held(Reply::new(204))]);
    let run = start(&standin, &["--yes", "--timeout", "60", "acme1", "acme2"]);
    standin.wait_for_requests(1, LIMIT);
    run.signal(libc::SIGINT);
    let signalled = Instant::now();
    run.signal(libc::SIGTERM);
    let ended = run.end(LIMIT);

    let by = ended.status.signal();
    assert!(
        by == Some(libc::SIGTERM) || by == Some(libc::SIGINT),
        "{ended:#?}"
    );
    assert!(ended.at - signalled < AT_ONCE, "{ended:#?}");
    assert_eq!(ended.stdout, "");
}

#[test]
fn a_sigint_ignored_by_whoever_started_the_tool_stays_ignored() {
    // As for a command that a script starts with `&`.
    let standin = StandIn::script(vec![Action::Held(Reply::new(204)), Action::status(204)]);
    let mut cmd = command(&standin, &["--yes", "acme1", "acme2"]);
    // SAFETY: signal(2) is async-signal-safe, as code between fork and exec must be.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_IGN);
            Ok(())
        });
    }
    let run = start_command(cmd);
    standin.wait_for_requests(1, LIMIT);
    run.signal(libc::SIGINT);
    standin.release();
    let ended = run.end(LIMIT);

    assert_eq!(ended.code(), 0, "{ended:#?}");
    assert_eq!(ended.lines.len(), 2, "{ended:#?}");
    expect_line(&ended.lines[0], deleted("acme1"));
    expect_line(&ended.lines[1], deleted("acme2"));
    assert_eq!(ended.stderr, "");
}

#[test]
fn before_the_confirmation_sigint_ends_the_run_the_default_way() {
    let standin = StandIn::platform(platform());
    let mut session = pty::spawn(command(&standin, &["acme1", "acme2"]), LIMIT);
    session.read_until("Type the number of organizations to confirm: ");
    kill(session.pid(), libc::SIGINT);
    let (status, stdout, terminal) = session.finish_raw();

    assert_eq!(
        status.signal(),
        Some(libc::SIGINT),
        "{status:?}: {terminal:?}"
    );
    assert!(stdout.is_empty(), "{:?}", String::from_utf8_lossy(&stdout));
    assert_nothing_sent(&standin);
    assert_eq!(
        standin.remaining_orgs(),
        ["acme1", "acme2", "acme3", "paused"]
    );
}

// ---------------------------------------------------------------------------------------------
// A listing

/// A full page of the listing (100 organizations, so more pages would follow).
fn full_page(first: usize) -> String {
    let items: Vec<String> = (first..first + 100)
        .map(|i| {
            format!(
                r#"{{"id":"ci{i:03}","displayName":"ci {i}","createdDate":{}}}"#,
                1_700_000_000_000u64 + i as u64
            )
        })
        .collect();
    format!(
        r#"{{"items":[{}],"totalEntries":1000,"totalPages":10}}"#,
        items.join(",")
    )
}

/// The listed lines of [`full_page`]`(0)`.
fn expect_first_page(lines: &[Value]) {
    assert_eq!(lines.len(), 100);
    for (i, line) in lines.iter().enumerate() {
        expect_line(
            line,
            listed(&format!("ci{i:03}"))
                .set("display_name", format!("ci {i}"))
                .set("created", SOME),
        );
    }
}

#[test]
fn a_listing_stops_after_the_page_in_flight_with_an_interrupted_line() {
    let standin = StandIn::script(vec![Action::Held(Reply::new(200).json(&full_page(0)))]);
    let ended = signalled_at(&standin, &["--list"], 1, libc::SIGTERM);
    assert_eq!(ended.code(), 143, "{ended:#?}");
    assert_eq!(ended.lines.len(), 101, "{}", ended.stdout);
    expect_first_page(&ended.lines[..100]);
    expect_line(
        &ended.lines[100],
        failed(Value::Null, "interrupted", 200, 1).set(
            "error.message",
            "stopped by SIGTERM after page 0 of the listing; the listing is incomplete",
        ),
    );
    // Only the page in flight was asked for.
    assert_eq!(standin.requests().len(), 1);
    assert!(standin.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn a_listing_stopped_in_a_retry_wait_ends_interrupted_at_once() {
    let standin = StandIn::script(vec![
        Action::json(200, &full_page(0)),
        Action::Reply(Reply::new(503).header("Retry-After", "30")),
    ]);
    let ended = interrupted_in_a_retry_wait(&standin, &["--list"]);
    assert_eq!(ended.code(), 130, "{ended:#?}");
    assert_eq!(ended.lines.len(), 101, "{}", ended.stdout);
    expect_first_page(&ended.lines[..100]);
    expect_line(
        &ended.lines[100],
        failed(Value::Null, "interrupted", 503, 1)
            .set(
                "error.message",
                starting_with("stopped by SIGINT; the listing is incomplete"),
            )
            .set("error.retry_after_s", 30),
    );
    assert_eq!(standin.requests().len(), 2);
}

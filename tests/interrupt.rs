//! Issue 11, long runs: SIGINT and SIGTERM stop a run cleanly once it is under way, a second
//! signal ends it at once, and a terminal shows progress and a summary. Seen from outside: the
//! JSON lines, the exit status or the signal that ended the process, stderr or the terminal,
//! and what the stand-in platform received.
//!
//! Signals are sent once the stand-in has seen the request they must land on. A signal sent
//! with kill(2) is handled before the binary runs any more of its own code, so releasing a
//! held answer after the kill cannot overtake the signal. Every wait has a deadline: a
//! regression fails with what was seen, it does not hang.

use crate::support::bin::{self, assert_shape};
use crate::support::pty;
use crate::support::standin::{Action, Platform, Reply, StandIn};
use serde_json::Value;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The stand-in platform's user token that may delete organizations.
const TOKEN: &str = "demo-token";
/// Upper bound of any wait; reached only when the binary misbehaves.
const LIMIT: Duration = Duration::from_secs(20);
/// How soon a stopped run must be over once it has nothing left in flight.
const AT_ONCE: Duration = Duration::from_secs(1);
/// Erase the line, as the terminal shows it once its `\r` are removed.
const ERASE: &str = "\x1b[K";

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
    bin::cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .args(args)
        .command()
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

/// Sends `signal` to the process `pid`, a child of the test that is not yet reaped (so the
/// number cannot belong to another process).
fn kill(pid: u32, signal: libc::c_int) {
    // SAFETY: kill(2) has no memory-safety requirements.
    let rc = unsafe { libc::kill(pid as libc::pid_t, signal) };
    assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
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
        let mut stdout = String::new();
        self.stdout.read_to_string(&mut stdout).expect("stdout");
        self.stderr.read_to_end(&mut self.err).expect("stderr");
        let stderr = String::from_utf8(std::mem::take(&mut self.err)).expect("stderr is UTF-8");
        assert!(
            !stderr.contains("panicked"),
            "the binary panicked: {stderr}"
        );
        let lines = stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect();
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

/// The usual fake platform of these tests.
fn platform() -> Platform {
    Platform::new()
        .org("acme1", "Acme One")
        .org("acme2", "Acme Two")
        .org("acme3", "Acme Three")
}

/// The line of an organization that a signal kept from starting.
fn assert_not_started(line: &Value, id: &str, dry_run: bool, signal: &str) {
    assert_shape(line);
    assert_eq!(line["organization_id"], id, "{line}");
    assert_eq!(line["ok"], false, "{line}");
    assert_eq!(line["result"], "error", "{line}");
    assert_eq!(line["dry_run"], dry_run, "{line}");
    assert_eq!(line["http_status"], Value::Null, "{line}");
    assert_eq!(line["attempts"], 0, "{line}");
    assert_eq!(line["elapsed_ms"], 0, "{line}");
    assert_eq!(line["request_id"], Value::Null, "{line}");
    assert_eq!(line["display_name"], Value::Null, "{line}");
    let e = &line["error"];
    assert_eq!(e["kind"], "interrupted", "{line}");
    assert_eq!(
        e["message"],
        format!("not started: the run was stopped by {signal}"),
        "{line}"
    );
    assert_eq!(e["coveo_error_code"], Value::Null, "{line}");
    assert_eq!(e["retry_after_s"], Value::Null, "{line}");
}

/// The human line of an organization that a signal kept from starting.
/// The one stderr line for all the organizations a signal kept from starting.
fn not_started(count: usize, signal: &str) -> String {
    let what = if count == 1 {
        "1 organization was".to_owned()
    } else {
        format!("{count} organizations were")
    };
    format!("coveo-org-delete: interrupted: {what} not started (the run was stopped by {signal}); nothing was sent for them")
}

/// A successful line with this result, last status and attempts.
fn assert_done(line: &Value, id: &str, result: &str, dry_run: bool, status: u16, attempts: u64) {
    assert_shape(line);
    assert_eq!(line["organization_id"], id, "{line}");
    assert_eq!(line["ok"], true, "{line}");
    assert_eq!(line["result"], result, "{line}");
    assert_eq!(line["dry_run"], dry_run, "{line}");
    assert_eq!(line["http_status"], status, "{line}");
    assert_eq!(line["attempts"], attempts, "{line}");
    assert!(line["request_id"].is_string(), "{line}");
    assert_eq!(line["error"], Value::Null, "{line}");
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
    let run = start(&standin, &args);
    standin.wait_for_requests(1, LIMIT);
    run.signal(libc::SIGINT);
    standin.release();
    let ended = run.end(LIMIT);

    assert_eq!(ended.code(), 130, "{ended:#?}");
    assert_eq!(ended.lines.len(), 200);
    assert_done(&ended.lines[0], "ci000", "deleted", false, 204, 1);
    for (line, id) in ended.lines[1..].iter().zip(&ids[1..]) {
        assert_not_started(line, id, false, "SIGINT");
    }
    // One line for the 199, not one each: cron mails whatever stderr holds.
    assert_eq!(ended.stderr, format!("{}\n", not_started(199, "SIGINT")));
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/ci000"]);
    standin.assert_no_violations();
}

#[test]
fn sigterm_lets_the_delete_in_flight_finish_and_starts_no_other() {
    let standin = StandIn::script(vec![Action::Held(Reply::new(204))]);
    let run = start(&standin, &["--yes", "acme1", "acme2", "acme3"]);
    standin.wait_for_requests(1, LIMIT);
    run.signal(libc::SIGTERM);
    standin.release();
    let ended = run.end(LIMIT);

    assert_eq!(ended.code(), 143, "{ended:#?}");
    assert_eq!(ended.lines.len(), 3, "{ended:#?}");
    assert_done(&ended.lines[0], "acme1", "deleted", false, 204, 1);
    assert_eq!(ended.lines[0]["display_name"], Value::Null);
    assert_not_started(&ended.lines[1], "acme2", false, "SIGTERM");
    assert_not_started(&ended.lines[2], "acme3", false, "SIGTERM");
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
    let mut run = start(&standin, &["--yes", "--verbose", "acme1", "acme2"]);
    // --verbose reports the attempt just before the wait starts.
    run.stderr_line_with("-> 503 Service Unavailable");
    let signalled = Instant::now();
    run.signal(libc::SIGINT);
    let ended = run.end(LIMIT);

    let took = ended.at - signalled;
    assert!(took < AT_ONCE, "the wait went on for {took:?} after SIGINT");
    assert_eq!(ended.code(), 130, "{ended:#?}");
    assert_eq!(ended.lines.len(), 2, "{ended:#?}");
    let first = &ended.lines[0];
    assert_shape(first);
    assert_eq!(first["organization_id"], "acme1");
    assert_eq!(first["ok"], false);
    assert_eq!(first["result"], "error");
    assert_eq!(first["dry_run"], false);
    assert_eq!(first["http_status"], 503, "{first}");
    assert_eq!(first["attempts"], 1, "{first}");
    assert!(first["request_id"].is_string(), "{first}");
    assert_eq!(first["display_name"], Value::Null);
    assert_eq!(first["error"]["kind"], "server_error", "{first}");
    assert_eq!(first["error"]["retry_after_s"], 30, "{first}");
    assert_not_started(&ended.lines[1], "acme2", false, "SIGINT");
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
fn an_interruption_overrides_the_status_of_an_earlier_failure() {
    let standin = StandIn::script(vec![
        Action::json(404, r#"{"message":"no such organization"}"#),
        Action::Held(Reply::new(204)),
    ]);
    let run = start(&standin, &["--yes", "ghost", "acme1", "acme2"]);
    standin.wait_for_requests(2, LIMIT);
    run.signal(libc::SIGINT);
    standin.release();
    let ended = run.end(LIMIT);

    assert_eq!(ended.code(), 130, "not 4, the not_found's: {ended:#?}");
    assert_eq!(ended.lines.len(), 3, "{ended:#?}");
    assert_shape(&ended.lines[0]);
    assert_eq!(ended.lines[0]["error"]["kind"], "not_found");
    assert_done(&ended.lines[1], "acme1", "deleted", false, 204, 1);
    assert_not_started(&ended.lines[2], "acme2", false, "SIGINT");
    assert_eq!(
        standin.sent(),
        [
            "DELETE /rest/organizations/ghost",
            "DELETE /rest/organizations/acme1"
        ]
    );
}

#[test]
fn a_signal_between_the_dry_runs_get_and_post_sends_no_post() {
    let standin = StandIn::script(vec![Action::Held(
        Reply::new(200)
            .header("X-Request-ID", "get-acme1")
            .json(r#"{"id":"acme1","displayName":"Acme One","readOnly":false}"#),
    )]);
    let run = start(&standin, &["--dry-run", "acme1", "acme2"]);
    standin.wait_for_requests(1, LIMIT);
    run.signal(libc::SIGINT);
    standin.release();
    let ended = run.end(LIMIT);

    assert_eq!(ended.code(), 130, "{ended:#?}");
    assert_eq!(ended.lines.len(), 2, "{ended:#?}");
    let first = &ended.lines[0];
    assert_shape(first);
    assert_eq!(first["organization_id"], "acme1");
    assert_eq!(first["ok"], false);
    assert_eq!(first["result"], "error");
    assert_eq!(first["dry_run"], true);
    // What the GET learned stays on the line.
    assert_eq!(first["http_status"], 200, "{first}");
    assert_eq!(first["attempts"], 1, "{first}");
    assert_eq!(first["request_id"], "get-acme1", "{first}");
    assert_eq!(first["display_name"], "Acme One", "{first}");
    assert_eq!(first["error"]["kind"], "interrupted", "{first}");
    assert_eq!(
        first["error"]["message"],
        "stopped by SIGINT after the organization was read; the privilege check was not sent"
    );
    assert_eq!(first["error"]["coveo_error_code"], Value::Null);
    assert_eq!(first["error"]["retry_after_s"], Value::Null);
    assert_not_started(&ended.lines[1], "acme2", true, "SIGINT");
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
    let run = start(&standin, &["--dry-run", "acme1", "acme2", "acme3"]);
    standin.wait_for_requests(2, LIMIT);
    run.signal(libc::SIGTERM);
    standin.release();
    let ended = run.end(LIMIT);

    assert_eq!(ended.code(), 143, "{ended:#?}");
    assert_eq!(ended.lines.len(), 3, "{ended:#?}");
    assert_done(&ended.lines[0], "acme1", "would_delete", true, 200, 2);
    assert_eq!(ended.lines[0]["display_name"], "Acme One");
    assert_not_started(&ended.lines[1], "acme2", true, "SIGTERM");
    assert_not_started(&ended.lines[2], "acme3", true, "SIGTERM");
    assert_eq!(
        standin.sent(),
        [
            "GET /rest/organizations/acme1",
            "POST /rest/privilege/evaluate"
        ]
    );
    standin.assert_no_violations();
}

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
    assert_done(&ended.lines[0], "acme1", "deleted", false, 204, 1);
    assert_done(&ended.lines[1], "acme2", "deleted", false, 204, 1);
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
    assert!(standin.requests().is_empty(), "{:?}", standin.sent());
    assert_eq!(standin.remaining_orgs(), ["acme1", "acme2", "acme3"]);
}

// ---------------------------------------------------------------------------------------------
// Progress and summary

#[test]
fn at_a_terminal_progress_is_cleared_before_a_failure_and_a_summary_ends_the_run() {
    let standin = StandIn::platform(platform());
    let session = pty::spawn(
        command(&standin, &["--yes", "acme1", "ghost", "acme2"]),
        LIMIT,
    );
    let done = session.finish();

    assert_eq!(done.status, 4, "{done:#?}");
    assert_eq!(done.lines.len(), 3, "{done:#?}");
    assert_done(&done.lines[0], "acme1", "deleted", false, 204, 1);
    assert_eq!(done.lines[1]["error"]["kind"], "not_found");
    assert_done(&done.lines[2], "acme2", "deleted", false, 204, 1);
    let t = &done.terminal;
    let start = format!(
        "{ERASE}[1/3] deleting acme1{ERASE}[2/3] deleting ghost{ERASE}coveo-org-delete: ghost: not_found (HTTP 404 ORGANIZATION_NOT_FOUND)"
    );
    // After the failure's line the row is empty: the next status line needs no erasing.
    let end = format!("\n[3/3] deleting acme2{ERASE}3 organizations: 2 deleted, 1 not found\n");
    assert!(t.starts_with(&start), "{t:?}");
    assert!(t.ends_with(&end), "{t:?}");
    assert_eq!(t.matches('\n').count(), 2, "{t:?}");
}

#[test]
fn at_a_terminal_a_dry_run_shows_checking_and_what_would_be_deleted() {
    let standin = StandIn::platform(platform().forbid_delete());
    let session = pty::spawn(command(&standin, &["--dry-run", "acme1", "acme2"]), LIMIT);
    let done = session.finish();

    assert_eq!(done.status, 0, "{done:#?}");
    assert_eq!(
        done.terminal,
        format!(
            "{ERASE}[1/2] checking acme1{ERASE}[2/2] checking acme2{ERASE}2 organizations: 2 would be deleted\n"
        )
    );
    standin.assert_no_violations();
}

#[test]
fn at_a_terminal_a_stopped_run_says_what_was_not_started() {
    let standin = StandIn::script(vec![Action::Held(Reply::new(204))]);
    let mut session = pty::spawn(
        command(&standin, &["--yes", "acme1", "acme2", "acme3"]),
        LIMIT,
    );
    standin.wait_for_requests(1, LIMIT);
    kill(session.pid(), libc::SIGINT);
    standin.release();
    // Read what the terminal shows while the run ends, so the binary never blocks on it.
    session.read_until("stopped by SIGINT\n");
    let done = session.finish();

    assert_eq!(done.status, 130, "{done:#?}");
    assert_eq!(
        done.terminal,
        format!(
            "{ERASE}[1/3] deleting acme1{ERASE}{}\n3 organizations: 1 deleted, 2 not started; stopped by SIGINT\n",
            not_started(2, "SIGINT"),
        )
    );
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
}

#[test]
fn at_a_terminal_one_organization_shows_no_progress_and_no_summary() {
    let standin = StandIn::platform(platform());
    let done = pty::spawn(command(&standin, &["--yes", "ghost"]), LIMIT).finish();

    assert_eq!(done.status, 4, "{done:#?}");
    let t = &done.terminal;
    assert!(t.starts_with("coveo-org-delete: ghost: not_found"), "{t:?}");
    assert_eq!(t.matches('\n').count(), 1, "{t:?}");
    assert!(
        !t.contains('\x1b') && !t.contains("organizations:"),
        "{t:?}"
    );
}

#[test]
fn without_a_terminal_stderr_holds_failures_only() {
    // A cron job mails whatever stderr holds: nothing for a successful batch.
    let standin = StandIn::platform(platform());
    let ended = start(&standin, &["--yes", "acme1", "acme2", "acme3"]).end(LIMIT);
    assert_eq!(ended.code(), 0, "{ended:#?}");
    assert_eq!(ended.lines.len(), 3);
    assert_eq!(ended.stderr, "");

    let standin = StandIn::platform(platform());
    let ended = start(&standin, &["--yes", "acme1", "ghost"]).end(LIMIT);
    assert_eq!(ended.code(), 4, "{ended:#?}");
    let stderr: Vec<&str> = ended.stderr.lines().collect();
    assert_eq!(stderr.len(), 1, "{}", ended.stderr);
    assert!(stderr[0].starts_with("coveo-org-delete: ghost: not_found"));
    assert!(!ended.stderr.contains('\x1b'), "{:?}", ended.stderr);
}

#[test]
fn a_signal_during_the_last_organization_still_exits_143() {
    // Nothing is left to stop, but the run did not end on its own: the wrapper must learn it.
    let standin = StandIn::script(vec![Action::Held(Reply::new(204))]);
    let run = start(&standin, &["--yes", "acme1"]);
    standin.wait_for_requests(1, LIMIT);
    run.signal(libc::SIGTERM);
    standin.release();
    let ended = run.end(LIMIT);
    assert_eq!(ended.code(), 143, "{ended:#?}");
    assert_eq!(ended.lines.len(), 1, "{ended:#?}");
    assert_done(&ended.lines[0], "acme1", "deleted", false, 204, 1);
    assert_eq!(ended.stderr, "");
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
}

#[test]
fn sigint_in_the_retry_wait_of_a_single_organization_exits_130() {
    let standin = StandIn::script(vec![Action::Reply(
        Reply::new(503).header("Retry-After", "30"),
    )]);
    let mut run = start(&standin, &["--yes", "--verbose", "acme1"]);
    run.stderr_line_with("-> 503 Service Unavailable");
    let signalled = Instant::now();
    run.signal(libc::SIGINT);
    let ended = run.end(LIMIT);
    assert!(ended.at - signalled < AT_ONCE, "{ended:#?}");
    assert_eq!(ended.code(), 130, "{ended:#?}");
    assert_eq!(ended.lines.len(), 1, "{ended:#?}");
    assert_eq!(ended.lines[0]["error"]["kind"], "server_error");
    assert_eq!(ended.lines[0]["attempts"], 1);
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
}

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

#[test]
fn a_listing_stops_after_the_page_in_flight_with_an_interrupted_line() {
    let standin = StandIn::script(vec![Action::Held(Reply::new(200).json(&full_page(0)))]);
    let run = start(&standin, &["--list"]);
    standin.wait_for_requests(1, LIMIT);
    run.signal(libc::SIGTERM);
    standin.release();
    let ended = run.end(LIMIT);
    assert_eq!(ended.code(), 143, "{ended:#?}");
    assert_eq!(ended.lines.len(), 101, "{}", ended.stdout);
    assert!(ended.lines[..100].iter().all(|l| l["result"] == "listed"));
    let last = &ended.lines[100];
    assert_shape(last);
    assert_eq!(last["organization_id"], Value::Null);
    assert_eq!(last["error"]["kind"], "interrupted", "{last}");
    assert_eq!(
        last["error"]["message"],
        "stopped by SIGTERM after page 0 of the listing; the listing is incomplete"
    );
    assert_eq!(last["http_status"], 200, "{last}");
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
    let mut run = start(&standin, &["--list", "--verbose"]);
    run.stderr_line_with("-> 503 Service Unavailable");
    let signalled = Instant::now();
    run.signal(libc::SIGINT);
    let ended = run.end(LIMIT);
    assert!(ended.at - signalled < AT_ONCE, "{ended:#?}");
    assert_eq!(ended.code(), 130, "{ended:#?}");
    assert_eq!(ended.lines.len(), 101, "{}", ended.stdout);
    let last = &ended.lines[100];
    assert_eq!(last["organization_id"], Value::Null);
    assert_eq!(last["error"]["kind"], "interrupted", "{last}");
    let message = last["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("stopped by SIGINT; the listing is incomplete"),
        "{message}"
    );
    assert_eq!(last["http_status"], 503, "{last}");
    assert_eq!(standin.requests().len(), 2);
}

#[test]
fn at_a_terminal_holding_stdout_too_no_json_line_is_glued_to_the_progress_line() {
    let standin = StandIn::platform(platform());
    let (status, bytes) = pty::run_at_terminal(
        command(&standin, &["--yes", "acme1", "ghost", "acme2"]),
        LIMIT,
    );
    assert_eq!(
        status.code(),
        Some(4),
        "{:?}",
        String::from_utf8_lossy(&bytes)
    );
    let rows = pty::screen(&bytes);
    // What stays on the screen: each JSON line on a row of its own, the failure's line, the
    // last status line erased, and the summary.
    let json: Vec<&String> = rows.iter().filter(|r| r.starts_with('{')).collect();
    assert_eq!(json.len(), 3, "{rows:#?}");
    for row in &json {
        let line: Value = serde_json::from_str(row).unwrap_or_else(|e| panic!("{e}: {row:?}"));
        assert_shape(&line);
    }
    for row in &rows {
        let glued = row.contains("] deleting ") && row.contains('{');
        assert!(
            !glued,
            "a status line and a JSON line share a row: {rows:#?}"
        );
    }
    assert!(
        rows.iter()
            .any(|r| r.starts_with("coveo-org-delete: ghost: not_found")),
        "{rows:#?}"
    );
    assert_eq!(
        rows.last().map(String::as_str),
        Some("3 organizations: 2 deleted, 1 not found")
    );
    assert!(
        rows.iter().all(|r| !r.starts_with('[')),
        "every status line is erased at the end: {rows:#?}"
    );
}

#[test]
fn the_screen_model_shows_what_a_terminal_shows() {
    // A row overwritten after `\r` and erased, and a line glued to a status line.
    assert_eq!(
        pty::screen(b"\r\x1b[K[1/2] deleting a\r\x1b[K{\"x\":1}\r\n[2/2]\r\x1b[Kdone\r\n"),
        ["{\"x\":1}", "done"]
    );
    assert_eq!(
        pty::screen(b"[1/3] deleting acme1{\"organization_id\":1}\n"),
        ["[1/3] deleting acme1{\"organization_id\":1}"]
    );
    assert_eq!(pty::screen(b"abcdef\rXY\n"), ["XYcdef"]);
}

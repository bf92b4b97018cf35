//! What the network does to a run: retries (which answers, how often, how long to wait),
//! answers lost after the request was written and the 404 that may follow, deadlines on
//! every attempt, huge and trickled bodies, answers that are no HTTP, connections refused or
//! to names that do not resolve, and the one thread the binary runs on. Each is seen the way a
//! script sees it (JSON line, exit status, stderr) together with what the stand-in received.

use crate::support::bin::{
    cmd, delete_at, kill_and_reap, output_within, with_secret, Cmd, Run, BIN, DEFAULT_DEADLINE,
};
use crate::support::line::{between, expect_line, failed, one_of, succeeded, Set, ANY};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::{Action, Reply, Request, StandIn};
use crate::support::tls::pki;
use crate::support::{
    closed_port, imf_fixdate, path_str, temp_file, tls_standin, unresolved, LIMIT, SECRET,
};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const ORG: &str = "acme1";
const EU_HOST: &str = "platform-eu.cloud.coveo.com";
/// Upper bound for runs that must not wait for anything (no retry, or zero waits).
const FAST: Duration = Duration::from_secs(2);
/// Generous bound on waiting for a stand-in or a proxy to see something.
const WAIT: Duration = Duration::from_secs(10);
/// The body of the platform's 404 for an organization that does not exist.
const NOT_FOUND_BODY: &str =
    r#"{"message":"Organization does not exist.","errorCode":"ORGANIZATION_NOT_FOUND"}"#;

// ---------------------------------------------------------------------------------------------
// Helpers

/// An empty answer with `Retry-After: VALUE`.
fn with_retry_after(status: u16, value: &str) -> Action {
    Action::Reply(Reply::new(status).header("Retry-After", value))
}

/// The line of `acme1` deleted (`result`) after `attempts`, the last answered `http_status`.
fn ok_line(result: &str, http_status: u16, attempts: u64) -> Value {
    succeeded(ORG, result, http_status, attempts)
}

/// Asserts the run succeeded for `acme1` with this result, last status and number of attempts,
/// silently on stderr and without showing the token.
#[track_caller]
fn assert_ok(run: &Run, result: &str, http_status: u16, attempts: u64) {
    assert_eq!(run.status, 0, "exit status: {run:#?}");
    expect_line(run.line(), ok_line(result, http_status, attempts));
    assert_eq!(run.stderr, "", "nothing on stderr on success: {run:#?}");
    run.assert_hides(SECRET);
}

/// The line of `acme1` failed with `kind` after `attempts`, the last answered
/// `http_status` (`null`: none was): the request ID of that answer, no code and no wait, a
/// message. Tests change what differs.
fn failure(kind: &str, http_status: Value, attempts: u64) -> Value {
    failed(ORG, kind, http_status, attempts)
}

/// Asserts the run failed for `acme1` with this exit status and line, one human line on
/// stderr naming the ID and the kind, and no token anywhere.
#[track_caller]
fn assert_failed(run: &Run, exit: i32, line: Value) {
    assert_eq!(run.status, exit, "exit status: {run:#?}");
    let kind = line["error"]["kind"].as_str().unwrap().to_owned();
    expect_line(run.line(), line);
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "one stderr line per failure: {run:#?}");
    let prefix = format!("coveo-org-delete: {ORG}: {kind}");
    assert!(lines[0].starts_with(&prefix), "stderr line: {run:#?}");
    run.assert_hides(SECRET);
}

/// Asserts one request is the DELETE of `acme1` with the token, `Accept` and no body.
fn assert_is_delete(r: &Request) {
    assert_eq!(r.method, "DELETE", "{r:#?}");
    assert_eq!(r.path, format!("/rest/organizations/{ORG}"), "{r:#?}");
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {SECRET}").as_str()),
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

/// Number of threads of a running process.
fn thread_count(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap_or_else(|e| panic!("reading /proc/{pid}/task: {e}"))
        .count()
}

// ---------------------------------------------------------------------------------------------
// Retries

#[test]
fn a_503_then_204_is_retried_after_retry_after_zero() {
    let s = StandIn::script(vec![with_retry_after(503, "0"), Action::status(204)]);
    let run = delete_at(&s.url(), &[ORG]);
    assert_ok(&run, "deleted", 204, 2);
    assert_deletes(&s, 2);
    assert!(run.elapsed < FAST, "Retry-After: 0 means no wait: {run:#?}");
}

#[test]
fn a_429_with_an_http_date_now_or_past_is_retried_at_once() {
    let now = SystemTime::now();
    for when in [now, now - Duration::from_secs(3600)] {
        let date = imf_fixdate(when);
        let s = StandIn::script(vec![with_retry_after(429, &date), Action::status(204)]);
        let run = delete_at(&s.url(), &[ORG]);
        assert_ok(&run, "deleted", 204, 2);
        assert_deletes(&s, 2);
        assert!(
            run.elapsed < FAST,
            "Retry-After: {date} means now: {run:#?}"
        );
    }
}

#[test]
fn a_retry_after_beyond_60_s_gives_up_at_once() {
    let in_an_hour = imf_fixdate(SystemTime::now() + Duration::from_secs(3600));
    let cases: [(u16, &str, &str, u64, u64); 3] = [
        (503, "3600", "server_error", 3600, 3600),
        (503, "61", "server_error", 61, 61),
        // An HTTP-date an hour ahead: about 3600 s, give or take the clock's second.
        (429, &in_an_hour, "rate_limited", 3590, 3601),
    ];
    for (status, value, kind, low, high) in cases {
        let s = StandIn::script(vec![with_retry_after(status, value)]);
        let run = delete_at(&s.url(), &["--retries", "3", ORG]);
        let want = failure(kind, json!(status), 1).set("error.retry_after_s", between(low, high));
        assert_failed(&run, 5, want);
        assert_deletes(&s, 1);
        assert!(run.elapsed < FAST, "gave up at once: {run:#?}");
    }
}

/// An HTTP-date one hour after the current whole second is 3599.x s away when the binary
/// reads its clock: 3600, rounded up.
#[test]
fn retry_after_s_of_an_http_date_is_rounded_up() {
    let whole_second = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs()
    };
    // The binary reads its clock between `before` and `after`; when both fall in the same
    // second the exact answer is known. A run straddling a second is done again (a run takes
    // milliseconds: a second straddle in a row is rare even on a loaded machine).
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        let before = whole_second();
        let date = imf_fixdate(UNIX_EPOCH + Duration::from_secs(before + 3600));
        let s = StandIn::script(vec![Action::Reply(
            Reply::new(503).header("Retry-After", &date),
        )]);
        let run = delete_at(&s.url(), &["--retries", "3", ORG]);
        if whole_second() != before {
            continue;
        }
        // Given up at once: one attempt.
        let want = failure("server_error", json!(503), 1).set("error.retry_after_s", 3600);
        assert_failed(&run, 5, want);
        assert_deletes(&s, 1);
        return;
    }
    panic!("for 30 s every run straddled a second boundary");
}

#[test]
fn a_retry_after_beyond_a_billion_seconds_counts_as_a_billion() {
    for value in [
        "99999999999999999999999999",
        "1000000001",
        "Sun, 06 Nov 400000000000 08:49:37 GMT",
        "Fri, 31 Dec 12000 23:59:59 GMT",
    ] {
        let reply = Reply::new(503).header("Retry-After", value);
        let standin = StandIn::script(vec![Action::Reply(reply)]);
        let run = delete_at(&standin.url(), &[ORG]);
        let want =
            failure("server_error", json!(503), 1).set("error.retry_after_s", 1_000_000_000u64);
        assert_failed(&run, 5, want);
        assert_eq!(standin.requests().len(), 1, "{value}: gave up at once");
    }
}

#[test]
fn always_503_with_retries_2_sends_exactly_3_requests() {
    let s = StandIn::script(vec![with_retry_after(503, "0"); 3]);
    let run = delete_at(&s.url(), &["--retries", "2", ORG]);
    // The last Retry-After is on the line.
    let want = failure("server_error", json!(503), 3)
        .set("error.message", "HTTP 503 Service Unavailable")
        .set("error.retry_after_s", 0);
    assert_failed(&run, 5, want);
    assert_deletes(&s, 3);
    assert!(run.elapsed < FAST, "{run:#?}");
}

#[test]
fn without_retries_flag_a_503_is_tried_exactly_four_times() {
    let busy = Action::Reply(Reply::new(503).header("Retry-After", "0"));
    // A fifth request would be beyond the script: a violation, answered 599.
    let s = StandIn::script(vec![busy; 4]);
    let run = delete_at(&s.url(), &[ORG]);
    let want = failure("server_error", json!(503), 4).set("error.retry_after_s", 0);
    assert_failed(&run, 5, want);
    assert_deletes(&s, 4);
}

#[test]
fn retries_0_sends_one_request() {
    for (status, kind) in [(503, "server_error"), (429, "rate_limited")] {
        let s = StandIn::script(vec![with_retry_after(status, "0")]);
        let run = delete_at(&s.url(), &["--retries", "0", ORG]);
        let want = failure(kind, json!(status), 1).set("error.retry_after_s", 0);
        assert_failed(&run, 5, want);
        assert_deletes(&s, 1);
    }
}

#[test]
fn every_retryable_status_is_retried() {
    for status in [429, 500, 502, 503, 504] {
        let s = StandIn::script(vec![with_retry_after(status, "0"), Action::status(204)]);
        let run = delete_at(&s.url(), &["--retries", "1", ORG]);
        assert_ok(&run, "deleted", 204, 2);
        assert_deletes(&s, 2);
    }
}

#[test]
fn other_statuses_are_not_retried() {
    for (status, kind, exit) in [
        (400, "unexpected_status", 1),
        (501, "unexpected_status", 1),
        (401, "unauthorized", 3),
        (404, "not_found", 4),
    ] {
        // A Retry-After on an answer that is not retryable changes nothing.
        let s = StandIn::script(vec![with_retry_after(status, "0")]);
        let run = delete_at(&s.url(), &["--retries", "3", ORG]);
        let want = failure(kind, json!(status), 1).set("error.retry_after_s", 0);
        assert_failed(&run, exit, want);
        assert_deletes(&s, 1);
    }
}

#[test]
fn a_408_is_unexpected_status_and_is_not_retried() {
    let s = StandIn::script(vec![Action::Reply(
        Reply::new(408)
            .header("Retry-After", "0")
            .json(r#"{"message":"The request took too long."}"#),
    )]);
    // No --retries: the default 3 would apply if 408 were retryable.
    let run = delete_at(&s.url(), &[ORG]);
    let want = failure("unexpected_status", json!(408), 1)
        .set("error.message", "The request took too long.")
        .set("error.retry_after_s", 0);
    assert_failed(&run, 1, want);
    assert_deletes(&s, 1);
}

#[test]
fn without_retry_after_the_first_retry_backs_off_about_half_a_second() {
    let s = StandIn::script(vec![Action::status(503), Action::status(204)]);
    let run = delete_at(&s.url(), &["--retries", "1", ORG]);
    assert_ok(&run, "deleted", 204, 2);
    assert_deletes(&s, 2);
    // 0.5 s -20%: at least 0.4 s; +20% and a process start stay well under 2 s.
    assert!(
        run.elapsed >= Duration::from_millis(400),
        "backed off: {run:#?}"
    );
    assert!(run.elapsed < FAST, "{run:#?}");
}

// ---------------------------------------------------------------------------------------------
// Lost answers and the 404 that follows

#[test]
fn a_connection_closed_before_any_answer_is_retried() {
    let s = StandIn::script(vec![Action::Close, Action::status(204)]);
    let run = delete_at(&s.url(), &["--retries", "1", ORG]);
    assert_ok(&run, "deleted", 204, 2);
    assert_deletes(&s, 2);
}

#[test]
fn a_404_after_a_lost_answer_is_deleted() {
    let s = StandIn::script(vec![
        Action::Close,
        Action::json(
            404,
            r#"{"message":"Organization 'acme1' does not exist.","errorCode":"ORGANIZATION_NOT_FOUND"}"#,
        ),
    ]);
    let run = delete_at(&s.url(), &["--retries", "1", ORG]);
    assert_ok(&run, "deleted", 404, 2);
    assert_deletes(&s, 2);
}

#[test]
fn a_404_after_a_timed_out_attempt_is_deleted() {
    let s = StandIn::script(vec![Action::Hang, Action::status(404)]);
    let run = delete_at(&s.url(), &["--timeout", "0.3", "--retries", "1", ORG]);
    assert_ok(&run, "deleted", 404, 2);
    assert_deletes(&s, 2);
}

#[test]
fn a_404_after_an_answered_503_is_not_found() {
    let s = StandIn::script(vec![
        with_retry_after(503, "0"),
        Action::json(
            404,
            r#"{"message":"Organization 'acme1' does not exist.","errorCode":"ORGANIZATION_NOT_FOUND"}"#,
        ),
    ]);
    let run = delete_at(&s.url(), &["--retries", "1", ORG]);
    let want = failure("not_found", json!(404), 2)
        .set("error.message", "Organization 'acme1' does not exist.")
        .set("error.coveo_error_code", "ORGANIZATION_NOT_FOUND")
        // The wait the 503 asked for stays on the line.
        .set("error.retry_after_s", 0);
    assert_failed(&run, 4, want);
    assert_deletes(&s, 2);
}

/// The lost attempt may have been the one that deleted the organization: with `--missing-ok`
/// too, a 404 after it is `deleted`, not `already_absent`.
#[test]
fn missing_ok_and_a_404_after_a_lost_answer_is_deleted_not_already_absent() {
    for lost in [Action::Close, Action::Hang] {
        let s = StandIn::script(vec![lost.clone(), Action::json(404, NOT_FOUND_BODY)]);
        let run = delete_at(
            &s.url(),
            &["--missing-ok", "--retries", "1", "--timeout", "0.5", ORG],
        );
        assert_ok(&run, "deleted", 404, 2);
        assert_deletes(&s, 2);
    }
    // With every attempt answered, the same 404 is already_absent.
    let s = StandIn::script(vec![
        Action::Reply(Reply::new(503).header("Retry-After", "0")),
        Action::json(404, NOT_FOUND_BODY),
    ]);
    let run = delete_at(&s.url(), &["--missing-ok", "--retries", "1", ORG]);
    assert_ok(&run, "already_absent", 404, 2);
    assert_deletes(&s, 2);
}

/// A proxy's CONNECT line is not the request: an attempt whose tunnel was refused was never
/// written, so the 404 of its retry is `not_found`.
#[test]
fn a_refused_connect_then_a_404_is_not_found() {
    let ca = pki(&[EU_HOST]);
    let ca_file = ca.ca_file();
    let s = tls_standin(&ca, vec![Action::json(404, NOT_FOUND_BODY)]);
    let proxy = ConnectProxy::refusing_only(s.addr(), &[1]);
    let run = cmd()
        .token(SECRET)
        .env("HTTPS_PROXY", proxy.url())
        .args(["--yes", "--region", "eu", "--retries", "1"])
        .args(["--ca-file", path_str(&ca_file), ORG])
        .run();
    let want = failure("not_found", json!(404), 2)
        .set("error.message", "Organization does not exist.")
        .set("error.coveo_error_code", "ORGANIZATION_NOT_FOUND");
    assert_failed(&run, 4, want);
    assert_eq!(proxy.requests().len(), 2, "{:?}", proxy.requests());
    assert_deletes(&s, 1);
}

/// Whether a request was written is noted afresh for each exchange. Organization 1 is written
/// (and answered) on a connection the stand-in closes; organization 2 needs a new tunnel,
/// which the proxy refuses once: that attempt was never written, whatever was noted for
/// organization 1, so the retry's 404 is not_found.
#[test]
fn an_unwritten_attempt_after_an_earlier_organization_then_a_404_is_not_found() {
    let ca = pki(&[EU_HOST]);
    let ca_file = ca.ca_file();
    let s = tls_standin(
        &ca,
        vec![
            Action::Reply(Reply::new(204).header("Connection", "close")),
            Action::json(404, NOT_FOUND_BODY),
        ],
    );
    // CONNECT 1 carries organization 1; CONNECT 2 (organization 2's first attempt) is refused;
    // CONNECT 3 carries its retry.
    let proxy = ConnectProxy::refusing_only(s.addr(), &[2]);
    let run = cmd()
        .token(SECRET)
        .env("HTTPS_PROXY", proxy.url())
        .args(["--yes", "--region", "eu", "--retries", "1"])
        .args(["--ca-file", path_str(&ca_file), "acme1", "acme2"])
        .run();
    assert_eq!(run.status, 4, "{run:#?}");
    assert_eq!(run.lines.len(), 2, "{run:#?}");
    expect_line(&run.lines[0], ok_line("deleted", 204, 1));
    let want = failure("not_found", json!(404), 2)
        .set("organization_id", "acme2")
        .set("error.message", "Organization does not exist.")
        .set("error.coveo_error_code", "ORGANIZATION_NOT_FOUND");
    expect_line(&run.lines[1], want);
    let stderr = run.stderr_lines();
    assert_eq!(stderr.len(), 1, "{run:#?}");
    assert!(
        stderr[0].starts_with("coveo-org-delete: acme2: not_found"),
        "{run:#?}"
    );
    let heads = proxy.requests();
    assert_eq!(heads.len(), 3, "{heads:?}");
    for h in &heads {
        assert!(h.starts_with(&format!("CONNECT {EU_HOST}:443 ")), "{h:?}");
    }
    assert_eq!(
        s.sent(),
        [
            "DELETE /rest/organizations/acme1",
            "DELETE /rest/organizations/acme2"
        ]
    );
    s.assert_no_violations();
    assert_eq!(s.connections(), 2, "one tunnel per organization");
    run.assert_hides(SECRET);
}

// ---------------------------------------------------------------------------------------------
// Deadlines

#[test]
fn timeout_ends_an_attempt_the_server_never_answers() {
    let standin = StandIn::script(vec![Action::Hang]);
    let run = delete_at(&standin.url(), &["--timeout", "0.5", "--retries", "0", ORG]);
    assert!(
        run.elapsed < Duration::from_secs(3),
        "took {:?}",
        run.elapsed
    );
    assert!(
        run.elapsed >= Duration::from_millis(500),
        "gave up before the deadline: {:?}",
        run.elapsed
    );
    assert_failed(&run, 5, failure("timeout", Value::Null, 1));
    let message = run.line()["error"]["message"].as_str().unwrap();
    assert!(
        run.stderr
            .starts_with(&format!("coveo-org-delete: acme1: timeout: {message}")),
        "{}",
        run.stderr
    );
    assert_deletes(&standin, 1);
}

#[test]
fn a_server_that_never_answers_times_out_each_attempt() {
    let s = StandIn::script(vec![Action::Hang, Action::Hang]);
    let run = delete_at(&s.url(), &["--timeout", "0.3", "--retries", "1", ORG]);
    assert_failed(&run, 5, failure("timeout", Value::Null, 2));
    assert_deletes(&s, 2);
    // Two deadlines of 0.3 s, and a backoff of 0.4 to 0.6 s between them.
    assert!(
        run.elapsed >= Duration::from_millis(600),
        "each attempt waited its deadline: {run:#?}"
    );
    assert!(
        run.elapsed < Duration::from_millis(2500),
        "bounded by (retries + 1) x timeout + waits: {run:#?}"
    );
}

#[test]
fn a_timeout_after_a_503_reports_the_503() {
    let s = StandIn::script(vec![
        Action::Reply(
            Reply::new(503)
                .header("Retry-After", "0")
                .header("X-Request-ID", "req-of-the-503"),
        ),
        Action::Hang,
    ]);
    let run = delete_at(&s.url(), &["--timeout", "0.3", "--retries", "1", ORG]);
    // The last answer received.
    let want = failure("timeout", json!(503), 2)
        .set("request_id", "req-of-the-503")
        .set("error.retry_after_s", 0);
    assert_failed(&run, 5, want);
    assert_deletes(&s, 2);
    assert!(run.elapsed < FAST, "{run:#?}");
}

#[test]
fn a_silent_server_bounds_connection_and_handshake_by_the_deadline() {
    let ca = pki(&["localhost"]);
    let ca_file = ca.ca_file();
    let tls = StandIn::builder().tls(ca.server_config.clone()).silent();
    let plain = StandIn::silent();
    for (url, extra) in [
        (tls.url(), vec!["--ca-file", path_str(&ca_file)]),
        (plain.url(), vec![]),
    ] {
        let run = with_secret(&url)
            .args(["--yes", "--timeout", "0.3", "--retries", "0"])
            .args(extra)
            .arg(ORG)
            .deadline(WAIT)
            .run();
        assert_failed(&run, 5, failure("timeout", Value::Null, 1));
        assert!(run.elapsed < Duration::from_millis(1500), "{run:#?}");
    }
    assert_eq!(tls.connections(), 1);
    assert_eq!(plain.connections(), 1);
}

#[test]
fn a_trickling_body_is_bounded_by_the_deadline() {
    let body = [b'x'; 100];
    let s = StandIn::script(vec![Action::Trickle {
        reply: Reply::new(503).body_with_type("text/plain", &body),
        every: Duration::from_millis(100),
    }]);
    let run = delete_at(&s.url(), &["--timeout", "0.5", "--retries", "0", ORG]);
    assert_eq!(run.status, 5, "{run:#?}");
    // The status arrived, its body did not: timeout or server_error, either way exit 5.
    let want = failure("timeout", json!(ANY), 1)
        .set("request_id", ANY)
        .set("error.kind", json!(one_of(&["timeout", "server_error"])));
    expect_line(run.line(), want);
    assert!(
        !run.stdout.contains("xxxxxxxx") && !run.stderr.contains("xxxxxxxx"),
        "a body that is not JSON is never echoed: {run:#?}"
    );
    assert_deletes(&s, 1);
    assert!(
        run.elapsed < Duration::from_millis(1500),
        "one deadline of 0.5 s, not 100 x 0.1 s: {run:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Bodies: at most 64 KiB read

#[test]
fn a_200_mb_body_takes_neither_time_nor_memory() {
    for (status, exit) in [(503u16, 5), (200, 0)] {
        let huge = Action::Huge {
            status,
            len: 200_000_000,
        };
        // Time and exit status, as a script sees them.
        let s = StandIn::script(vec![huge.clone()]);
        let run = delete_at(&s.url(), &["--retries", "0", ORG]);
        assert_eq!(run.status, exit, "{run:#?}");
        let want = if status == 503 {
            let mut want = failure("server_error", json!(503), 1);
            // Not echoed.
            want["error"]["message"] = json!("HTTP 503 Service Unavailable");
            want
        } else {
            ok_line("deleted", 200, 1)
        };
        expect_line(run.line(), want.clone());
        assert!(run.stdout.len() < 2000, "nothing of the body echoed");
        assert!(!run.stderr.contains("xxxxxxxx"), "{}", run.stderr);
        assert!(
            run.elapsed < FAST,
            "status {status}: took {:?}",
            run.elapsed
        );
        assert_deletes(&s, 1);

        // Memory: a second organization that never gets an answer holds the process alive
        // after the 200 MB answer, so that its peak memory can be read without a race.
        let s = StandIn::script(vec![huge, Action::Hang]);
        let mut child = with_secret(&s.url())
            .args(["--yes", "--retries", "0", "--timeout", "5", ORG, "acme2"])
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the binary");
        s.wait_for_requests(2, WAIT);
        let peak = crate::support::peak_rss_kib(child.id());
        // The first line was written and flushed before the second request went out.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .expect("read the first line");
        kill_and_reap(&mut child);
        expect_line(&crate::support::line::parse_lines(&first)[0], want);
        assert!(
            peak < 30 * 1024,
            "status {status}: peak RSS {peak} KiB after a 200 MB body (limit 30 MiB)"
        );
        let paths: Vec<String> = s.requests().iter().map(|r| r.path.clone()).collect();
        assert_eq!(
            paths,
            ["/rest/organizations/acme1", "/rest/organizations/acme2"]
        );
    }
}

/// A JSON object of exactly `len` bytes with this message and error code.
fn json_body_of(len: usize, message: &str) -> String {
    let head = format!(r#"{{"message":"{message}","errorCode":"BODY_CODE","pad":""#);
    let tail = r#""}"#;
    let body = format!("{head}{}{tail}", "x".repeat(len - head.len() - tail.len()));
    assert_eq!(body.len(), len);
    serde_json::from_str::<Value>(&body).expect("valid JSON");
    body
}

#[test]
fn an_error_body_of_64_kib_is_read_whole_and_one_byte_more_is_cut() {
    for (len, message, code) in [
        (65_536, "sixty-four KiB exactly", Value::from("BODY_CODE")),
        // Cut at 64 KiB the JSON does not parse: the status line stands in.
        (65_537, "HTTP 409 Conflict", Value::Null),
    ] {
        let body = json_body_of(
            len,
            if len == 65_536 {
                message
            } else {
                "one byte too many"
            },
        );
        let s = StandIn::script(vec![Action::json(409, &body)]);
        let run = delete_at(&s.url(), &["--retries", "0", ORG]);
        let want = failure("unexpected_status", json!(409), 1)
            .set("error.message", message)
            .set("error.coveo_error_code", code);
        assert_failed(&run, 1, want);
        assert!(
            !run.stdout.contains("xxxxxxxx"),
            "the padding is not echoed"
        );
        assert_deletes(&s, 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Failures without an answer: protocol, connection

#[test]
fn garbage_instead_of_http_is_a_protocol_error_not_retried() {
    let s = StandIn::script(vec![Action::Raw(b"garbage\r\n\r\n".to_vec())]);
    let run = delete_at(&s.url(), &["--retries", "3", ORG]);
    assert_failed(&run, 1, failure("protocol", Value::Null, 1));
    assert_deletes(&s, 1);
    assert!(run.elapsed < FAST, "{run:#?}");
}

/// A server on a raw socket: answers each request with `answer(n)` (n from 0), then closes.
/// Returns its URL; the requests it saw are counted in the returned handle.
struct Raw {
    url: String,
    seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

fn raw_server(answer: impl Fn(usize) -> Vec<u8> + Send + 'static) -> Raw {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for (n, conn) in listener.incoming().enumerate() {
            let Ok(mut conn) = conn else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let first = String::from_utf8_lossy(&head)
                .lines()
                .next()
                .unwrap_or("")
                .to_owned();
            log.lock().unwrap().push(first);
            let _ = conn.write_all(&answer(n));
        }
    });
    Raw { url, seen }
}

#[test]
fn an_answer_head_over_64_kib_is_protocol_not_a_lost_answer() {
    // An overlong head is an answer: were it read as a lost connection, it would be retried,
    // and the retry's 404 would say "deleted" for an organization that was never deleted.
    let raw = raw_server(|n| {
        if n > 0 {
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec();
        }
        let mut head = b"HTTP/1.1 403 Forbidden\r\n".to_vec();
        for i in 0..70 {
            head.extend(format!("X-Pad-{i}: {}\r\n", "p".repeat(1000)).as_bytes());
        }
        head.extend(b"Content-Length: 0\r\n\r\n");
        head
    });
    let run = delete_at(&raw.url, &["--missing-ok", ORG]);
    assert_failed(&run, 1, failure("protocol", Value::Null, 1));
    assert_eq!(raw.seen.lock().unwrap().len(), 1, "not retried");
}

/// A run against `url` that no connection can be made to: one attempt, and its failure names
/// what failed.
#[track_caller]
fn assert_connection_failure(run: &Run, message: &str) {
    let want = failure("connection", Value::Null, 1).set("error.message", message);
    assert_failed(run, 5, want);
    assert_eq!(
        run.stderr,
        format!("coveo-org-delete: acme1: connection: {message}\n")
    );
}

#[test]
fn a_refused_connection_is_a_connection_error_naming_host_and_port() {
    let port = closed_port();
    let run = with_secret(&format!("http://127.0.0.1:{port}"))
        .args(["--yes", "--retries", "0", ORG])
        .deadline(LIMIT)
        .run();
    assert_connection_failure(&run, &format!("127.0.0.1:{port}: connection refused"));
    assert!(run.elapsed < FAST, "{run:#?}");
}

#[test]
fn a_platform_host_that_does_not_resolve_is_named() {
    let run = with_secret("https://platform.invalid")
        .args(["--yes", "--retries", "0", ORG])
        .deadline(LIMIT)
        .run();
    let message = unresolved(&run, "platform.invalid");
    assert_connection_failure(&run, &message);
}

// ---------------------------------------------------------------------------------------------
// One thread

/// Threads of the binary run as `c`, counted in `/proc/PID/task` once `s` (whose script
/// hangs) has received the request; the child is killed afterwards, even on a failure.
fn threads_while_waiting(s: &StandIn, c: Cmd) -> usize {
    let child = crate::support::bin::Reaped(
        c.command()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the binary"),
    );
    s.wait_for_requests(1, WAIT);
    thread_count(child.0.id())
}

#[test]
fn the_binary_runs_on_one_thread_while_it_waits() {
    let ca = pki(&["localhost"]);
    let ca_file = ca.ca_file();
    let plain = StandIn::script(vec![Action::Hang]);
    // Over TLS the host name `localhost` is resolved, under a deadline.
    let tls = tls_standin(&ca, vec![Action::Hang]);
    for (s, extra) in [
        (&plain, vec![]),
        (&tls, vec!["--ca-file", path_str(&ca_file)]),
    ] {
        let c = with_secret(&s.url())
            .args(["--yes", "--timeout", "5", "--retries", "0"])
            .args(extra)
            .arg(ORG);
        assert_eq!(
            threads_while_waiting(s, c),
            1,
            "threads of the binary while it waits on {}",
            s.url()
        );
        assert_deletes(s, 1);
    }
}

/// Whether `strace` can trace a child here (it may be missing, or ptrace forbidden): it must
/// see the forks of a shell that runs two commands.
fn strace_works() -> bool {
    let trace = temp_file("strace-check.txt", b"");
    let ran = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=clone,clone3,fork,vfork", "-o"])
        .arg(&trace)
        .args(["sh", "-c", "/bin/true; /bin/true; :"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok_and(|child| {
            crate::support::bin::wait_within(child, Vec::new(), DEFAULT_DEADLINE)
                .status
                .success()
        });
    let seen = std::fs::read_to_string(&trace).unwrap_or_default();
    let _ = std::fs::remove_file(&trace);
    ran && (seen.contains("clone") || seen.contains("fork"))
}

/// Runs the binary under `strace -f`, tracing thread and process creation; returns its JSON
/// line and the trace.
fn run_under_strace(envs: &[(&str, String)], args: &[&str]) -> (Value, String) {
    let trace = temp_file("strace.txt", b"");
    let out = output_within(
        Command::new("strace")
            .env_clear()
            .env("COVEO_TOKEN", SECRET)
            .envs(envs.iter().map(|(k, v)| (k, v)))
            .args(["-f", "-qq", "-e", "trace=clone,clone3,fork,vfork", "-o"])
            .arg(&trace)
            .arg(BIN)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
        DEFAULT_DEADLINE,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let lines = crate::support::line::parse_lines(&stdout);
    assert_eq!(lines.len(), 1, "one JSON line: {stdout}");
    let calls = std::fs::read_to_string(&trace).expect("read the trace");
    let _ = std::fs::remove_file(&trace);
    (lines[0].clone(), calls)
}

/// The snapshot above cannot see a thread that came and went (a resolver thread, say); strace
/// sees every clone of the whole run: host names resolved under a deadline, a retry, a proxy
/// given by name. Without a working strace, the strace part is skipped (and says so) and the
/// proxy given by name is checked with a `/proc/PID/task` snapshot instead.
#[test]
fn the_binary_never_starts_a_thread_under_strace_else_proc_task() {
    let ca = pki(&["localhost", EU_HOST]);
    let ca_file = ca.ca_file();
    let ca_path = path_str(&ca_file);
    if !strace_works() {
        eprintln!(
            "SKIPPED the strace part of the_binary_never_starts_a_thread_under_strace_else_proc_task: \
             strace is missing or cannot trace here; falling back to a /proc/PID/task snapshot"
        );
        let s = tls_standin(&ca, vec![Action::Hang]);
        let proxy = ConnectProxy::start(s.addr());
        let c = cmd()
            .token(SECRET)
            .env("HTTPS_PROXY", format!("http://localhost:{}", proxy.port()))
            .args([
                "--yes",
                "--timeout",
                "5",
                "--retries",
                "0",
                "--region",
                "eu",
            ])
            .args(["--ca-file", ca_path, ORG]);
        assert_eq!(threads_while_waiting(&s, c), 1, "behind a proxy by name");
        assert_deletes(&s, 1);
        return;
    }

    let s = tls_standin(&ca, vec![with_retry_after(503, "0"), Action::status(204)]);
    let url = s.url();
    let (l, calls) = run_under_strace(
        &[],
        &[
            "--yes",
            "--timeout",
            "5",
            "--retries",
            "1",
            "--ca-file",
            ca_path,
            "--platform-url",
            &url,
            ORG,
        ],
    );
    expect_line(&l, ok_line("deleted", 204, 2));
    assert!(
        !calls.contains("clone") && !calls.contains("fork"),
        "the binary started a thread or a process:\n{calls}"
    );
    assert_deletes(&s, 2);

    let s = tls_standin(&ca, vec![Action::status(204)]);
    let proxy = ConnectProxy::start(s.addr());
    let (l, calls) = run_under_strace(
        &[("HTTPS_PROXY", format!("http://localhost:{}", proxy.port()))],
        &[
            "--yes",
            "--timeout",
            "5",
            "--region",
            "eu",
            "--ca-file",
            ca_path,
            ORG,
        ],
    );
    expect_line(&l, ok_line("deleted", 204, 1));
    assert!(
        !calls.contains("clone") && !calls.contains("fork"),
        "the binary started a thread or a process behind a proxy:\n{calls}"
    );
    assert_eq!(proxy.requests().len(), 1);
    assert_deletes(&s, 1);
}

//! Issue 3, resilience: retries, deadlines, bounded bodies, TLS roots, proxies, one thread and a
//! closed stdout, each seen the way a script sees it (JSON line, exit status, stderr) together
//! with what the stand-in or the proxy received.

use crate::support::bin::{cmd, kill_and_reap, output_within, Cmd, Run, BIN, DEFAULT_DEADLINE};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::{Action, Platform, Reply, Request, StandIn};
use crate::support::temp_file;
use crate::support::tls::{pki, TestPki};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const TOKEN: &str = "resilience-token-9c41e7";
const ORG: &str = "acme1";
const EU_HOST: &str = "platform-eu.cloud.coveo.com";
/// Upper bound for runs that must not wait for anything (no retry, or zero waits).
const FAST: Duration = Duration::from_secs(2);
/// Generous bound on waiting for a stand-in or a proxy to see something.
const WAIT: Duration = Duration::from_secs(10);

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

/// Asserts the run succeeded for `acme1` with this result, last status and number of attempts,
/// silently on stderr and without showing the token.
fn assert_ok(run: &Run, result: &str, http_status: u16, attempts: u64) {
    assert_eq!(run.status, 0, "exit status: {run:#?}");
    let l = run.line();
    assert_eq!(l["organization_id"], ORG, "{run:#?}");
    assert_eq!(l["ok"], true, "{run:#?}");
    assert_eq!(l["result"], result, "{run:#?}");
    assert_eq!(l["dry_run"], false, "{run:#?}");
    assert_eq!(l["http_status"], http_status, "{run:#?}");
    assert_eq!(l["attempts"], attempts, "{run:#?}");
    assert_eq!(l["error"], Value::Null, "{run:#?}");
    assert_eq!(run.stderr, "", "nothing on stderr on success: {run:#?}");
    run.assert_hides(TOKEN);
}

/// Asserts the run failed for `acme1` with this kind and exit status, one human line on stderr
/// naming the ID and the kind, and no token anywhere. Returns the JSON line.
fn assert_failed<'a>(run: &'a Run, kind: &str, exit: i32) -> &'a Value {
    assert_eq!(run.status, exit, "exit status: {run:#?}");
    let l = run.line();
    assert_eq!(l["organization_id"], ORG, "{run:#?}");
    assert_eq!(l["ok"], false, "{run:#?}");
    assert_eq!(l["result"], "error", "{run:#?}");
    assert_eq!(l["error"]["kind"], kind, "{run:#?}");
    assert!(l["error"]["message"].is_string(), "{run:#?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one stderr line per failure: {run:#?}");
    let prefix = format!("coveo-org-delete: {ORG}: {kind}");
    assert!(lines[0].starts_with(&prefix), "stderr line: {run:#?}");
    run.assert_hides(TOKEN);
    l
}

/// Asserts a failure of the whole run (nothing sent): one line with `organization_id` null.
fn assert_run_failed(run: &Run, kind: &str, exit: i32) {
    assert_eq!(run.status, exit, "exit status: {run:#?}");
    let l = run.line();
    assert_eq!(l["organization_id"], Value::Null, "{run:#?}");
    assert_eq!(l["ok"], false, "{run:#?}");
    assert_eq!(l["result"], "error", "{run:#?}");
    assert_eq!(l["attempts"], 0, "{run:#?}");
    assert_eq!(l["http_status"], Value::Null, "{run:#?}");
    assert_eq!(l["error"]["kind"], kind, "{run:#?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
    run.assert_hides(TOKEN);
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

/// A TLS stand-in with this script, serving the leaf of `pki`.
fn tls_standin(pki: &TestPki, script: Vec<Action>) -> StandIn {
    StandIn::builder()
        .tls(pki.server_config.clone())
        .script(script)
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) of a time, as a server would send it.
pub(crate) fn imf_fixdate(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).expect("after 1970").as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[test]
fn imf_fixdate_helper_formats_known_dates() {
    let at = |s: u64| imf_fixdate(UNIX_EPOCH + Duration::from_secs(s));
    assert_eq!(at(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(at(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(at(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
}

/// Number of threads of a running process.
fn thread_count(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap_or_else(|e| panic!("reading /proc/{pid}/task: {e}"))
        .count()
}

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

#[test]
fn a_503_then_204_is_retried_after_retry_after_zero() {
    let s = StandIn::script(vec![with_retry_after(503, "0"), Action::status(204)]);
    let run = delete_at(&s.url(), &[]);
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
        let run = delete_at(&s.url(), &[]);
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
        let run = delete_at(&s.url(), &["--retries", "3"]);
        let l = assert_failed(&run, kind, 5);
        assert_eq!(l["http_status"], status, "{run:#?}");
        assert_eq!(l["attempts"], 1, "{run:#?}");
        let wait = l["error"]["retry_after_s"]
            .as_u64()
            .unwrap_or_else(|| panic!("retry_after_s is a number: {run:#?}"));
        assert!(
            (low..=high).contains(&wait),
            "Retry-After {value}: {run:#?}"
        );
        assert_deletes(&s, 1);
        assert!(run.elapsed < FAST, "gave up at once: {run:#?}");
    }
}

#[test]
fn always_503_with_retries_2_sends_exactly_3_requests() {
    let s = StandIn::script(vec![with_retry_after(503, "0"); 3]);
    let run = delete_at(&s.url(), &["--retries", "2"]);
    let l = assert_failed(&run, "server_error", 5);
    assert_eq!(l["attempts"], 3, "{run:#?}");
    assert_eq!(l["http_status"], 503, "{run:#?}");
    assert_eq!(l["error"]["retry_after_s"], 0, "last Retry-After: {run:#?}");
    assert!(l["request_id"].is_string(), "{run:#?}");
    assert_deletes(&s, 3);
    assert!(run.elapsed < FAST, "{run:#?}");
}

#[test]
fn retries_0_sends_one_request() {
    for (status, kind) in [(503, "server_error"), (429, "rate_limited")] {
        let s = StandIn::script(vec![with_retry_after(status, "0")]);
        let run = delete_at(&s.url(), &["--retries", "0"]);
        let l = assert_failed(&run, kind, 5);
        assert_eq!(l["attempts"], 1, "{run:#?}");
        assert_eq!(l["http_status"], status, "{run:#?}");
        assert_deletes(&s, 1);
    }
}

#[test]
fn every_retryable_status_is_retried() {
    for status in [429, 500, 502, 503, 504] {
        let s = StandIn::script(vec![with_retry_after(status, "0"), Action::status(204)]);
        let run = delete_at(&s.url(), &["--retries", "1"]);
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
        let run = delete_at(&s.url(), &["--retries", "3"]);
        let l = assert_failed(&run, kind, exit);
        assert_eq!(l["attempts"], 1, "{run:#?}");
        assert_eq!(l["http_status"], status, "{run:#?}");
        assert_deletes(&s, 1);
    }
}

#[test]
fn without_retry_after_the_first_retry_backs_off_about_half_a_second() {
    let s = StandIn::script(vec![Action::status(503), Action::status(204)]);
    let run = delete_at(&s.url(), &["--retries", "1"]);
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
// ---------------------------------------------------------------------------------------------

#[test]
fn a_connection_closed_before_any_answer_is_retried() {
    let s = StandIn::script(vec![Action::Close, Action::status(204)]);
    let run = delete_at(&s.url(), &["--retries", "1"]);
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
    let run = delete_at(&s.url(), &["--retries", "1"]);
    assert_ok(&run, "deleted", 404, 2);
    assert_deletes(&s, 2);
}

#[test]
fn a_404_after_a_timed_out_attempt_is_deleted() {
    let s = StandIn::script(vec![Action::Hang, Action::status(404)]);
    let run = delete_at(&s.url(), &["--timeout", "0.3", "--retries", "1"]);
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
    let run = delete_at(&s.url(), &["--retries", "1"]);
    let l = assert_failed(&run, "not_found", 4);
    assert_eq!(l["attempts"], 2, "{run:#?}");
    assert_eq!(l["http_status"], 404, "{run:#?}");
    assert_eq!(l["error"]["coveo_error_code"], "ORGANIZATION_NOT_FOUND");
    assert_deletes(&s, 2);
}

// ---------------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------------

#[test]
fn a_server_that_never_answers_times_out_each_attempt() {
    let s = StandIn::script(vec![Action::Hang, Action::Hang]);
    let run = delete_at(&s.url(), &["--timeout", "0.3", "--retries", "1"]);
    let l = assert_failed(&run, "timeout", 5);
    assert_eq!(l["attempts"], 2, "{run:#?}");
    assert_eq!(l["http_status"], Value::Null, "{run:#?}");
    assert_eq!(l["request_id"], Value::Null, "{run:#?}");
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
    let run = delete_at(&s.url(), &["--timeout", "0.3", "--retries", "1"]);
    let l = assert_failed(&run, "timeout", 5);
    assert_eq!(l["attempts"], 2, "{run:#?}");
    assert_eq!(l["http_status"], 503, "last answer received: {run:#?}");
    assert_eq!(l["request_id"], "req-of-the-503", "{run:#?}");
    assert_eq!(l["error"]["retry_after_s"], 0, "{run:#?}");
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
        let run = cmd()
            .token(TOKEN)
            .platform(&url)
            .args(["--yes", "--timeout", "0.3", "--retries", "0"])
            .args(extra)
            .arg(ORG)
            .deadline(WAIT)
            .run();
        let l = assert_failed(&run, "timeout", 5);
        assert_eq!(l["attempts"], 1, "{run:#?}");
        assert_eq!(l["http_status"], Value::Null, "{run:#?}");
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
    let run = delete_at(&s.url(), &["--timeout", "0.5", "--retries", "0"]);
    assert_eq!(run.status, 5, "{run:#?}");
    let l = run.line();
    // The status arrived, its body did not: timeout or server_error, either way exit 5.
    let kind = l["error"]["kind"].as_str().unwrap_or_default();
    assert!(
        kind == "timeout" || kind == "server_error",
        "a 503 whose body outlives the deadline: {run:#?}"
    );
    assert_eq!(l["attempts"], 1, "{run:#?}");
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
// ---------------------------------------------------------------------------------------------

#[test]
fn a_200_mb_body_takes_neither_time_nor_memory() {
    for (status, result, exit) in [(503u16, "error", 5), (200, "deleted", 0)] {
        let huge = Action::Huge {
            status,
            len: 200_000_000,
        };
        // Time and exit status, as a script sees them.
        let s = StandIn::script(vec![huge.clone()]);
        let run = delete_at(&s.url(), &["--retries", "0"]);
        assert_eq!(run.status, exit, "{run:#?}");
        let l = run.line();
        assert_eq!(l["result"], result, "{run:#?}");
        assert_eq!(l["http_status"], status, "{run:#?}");
        assert_eq!(l["attempts"], 1, "{run:#?}");
        if status == 503 {
            assert_eq!(l["error"]["kind"], "server_error", "{run:#?}");
            let message = &l["error"]["message"];
            assert_eq!(message, "HTTP 503 Service Unavailable", "not echoed");
        }
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
        let mut child = cmd()
            .token(TOKEN)
            .platform(&s.url())
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
        let l: Value = serde_json::from_str(&first).expect("a JSON line");
        assert_eq!(l["organization_id"], ORG, "{l}");
        assert_eq!(l["result"], result, "{l}");
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

// ---------------------------------------------------------------------------------------------
// Failures without an answer: protocol, connection
// ---------------------------------------------------------------------------------------------

#[test]
fn garbage_instead_of_http_is_a_protocol_error_not_retried() {
    let s = StandIn::script(vec![Action::Raw(b"garbage\r\n\r\n".to_vec())]);
    let run = delete_at(&s.url(), &["--retries", "3"]);
    let l = assert_failed(&run, "protocol", 1);
    assert_eq!(l["attempts"], 1, "{run:#?}");
    assert_eq!(l["http_status"], Value::Null, "{run:#?}");
    assert_deletes(&s, 1);
    assert!(run.elapsed < FAST, "{run:#?}");
}

#[test]
fn connection_refused_is_a_connection_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().unwrap().port()
    };
    let run = delete_at(&format!("http://127.0.0.1:{port}"), &["--retries", "0"]);
    let l = assert_failed(&run, "connection", 5);
    assert_eq!(l["attempts"], 1, "{run:#?}");
    assert_eq!(l["http_status"], Value::Null, "{run:#?}");
    assert_eq!(l["request_id"], Value::Null, "{run:#?}");
    assert!(run.elapsed < FAST, "{run:#?}");
}

// ---------------------------------------------------------------------------------------------
// TLS roots
// ---------------------------------------------------------------------------------------------

#[test]
fn tls_with_the_test_ca_in_ca_file_deletes() {
    let ca = pki(&["localhost"]);
    let s = tls_standin(&ca, vec![Action::status(204)]);
    let ca_file = ca.ca_file();
    let run = delete_at(&s.url(), &["--ca-file", path_str(&ca_file)]);
    assert_ok(&run, "deleted", 204, 1);
    assert_deletes(&s, 1);
}

#[test]
fn tls_with_the_test_ca_in_ssl_cert_file_deletes() {
    let ca = pki(&["localhost"]);
    let s = tls_standin(&ca, vec![Action::status(204)]);
    let run = cmd()
        .token(TOKEN)
        .env("SSL_CERT_FILE", ca.ca_file())
        .platform(&s.url())
        .args(["--yes", ORG])
        .run();
    assert_ok(&run, "deleted", 204, 1);
    assert_deletes(&s, 1);
}

#[test]
fn ca_file_wins_over_ssl_cert_file() {
    let ca = pki(&["localhost"]);
    let other = pki(&["localhost"]);
    let s = tls_standin(&ca, vec![Action::status(204)]);
    let run = cmd()
        .token(TOKEN)
        .env("SSL_CERT_FILE", other.ca_file())
        .platform(&s.url())
        .arg("--ca-file")
        .arg(ca.ca_file())
        .args(["--yes", ORG])
        .run();
    assert_ok(&run, "deleted", 204, 1);
    assert_deletes(&s, 1);
}

#[test]
fn tls_without_a_ca_uses_the_mozilla_roots_and_sends_nothing() {
    let ca = pki(&["localhost"]);
    let s = tls_standin(&ca, vec![]);
    let run = delete_at(&s.url(), &["--retries", "3"]);
    let l = assert_failed(&run, "tls", 1);
    assert_eq!(l["http_status"], Value::Null, "{run:#?}");
    assert!(s.requests().is_empty(), "no request over an untrusted TLS");
    assert_eq!(s.connections(), 1, "tls is not retried");
    s.assert_no_violations();
}

#[test]
fn tls_with_a_wrong_ca_sends_nothing() {
    let ca = pki(&["localhost"]);
    let other = pki(&["localhost"]);
    let s = tls_standin(&ca, vec![]);
    let wrong = other.ca_file();
    // Through the flag, and through the environment.
    let by_flag = delete_at(&s.url(), &["--ca-file", path_str(&wrong)]);
    let by_env = cmd()
        .token(TOKEN)
        .env("SSL_CERT_FILE", &wrong)
        .platform(&s.url())
        .args(["--yes", ORG])
        .run();
    for run in [by_flag, by_env] {
        let l = assert_failed(&run, "tls", 1);
        assert_eq!(l["http_status"], Value::Null, "{run:#?}");
    }
    assert!(s.requests().is_empty(), "no request over an untrusted TLS");
    assert_eq!(s.connections(), 2, "one handshake per run, not retried");
    s.assert_no_violations();
}

#[test]
fn ca_file_missing_or_without_a_certificate_is_a_config_error() {
    let ca = pki(&["localhost"]);
    let s = tls_standin(&ca, vec![]);
    let missing = std::env::temp_dir().join(format!(
        "coveo-org-delete-no-such-{}.pem",
        std::process::id()
    ));
    let empty = temp_file("empty.pem", b"");
    let text = temp_file("text.pem", b"this is not a certificate\n");
    let key_only = temp_file(
        "key.pem",
        b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBbL1c6bQ9Y2Q0nS7k0x9y2XG8Yy0Jw3n4b2yU1J2Qp5\n-----END PRIVATE KEY-----\n",
    );
    for file in [&missing, &empty, &text, &key_only] {
        let by_flag = delete_at(&s.url(), &["--ca-file", path_str(file)]);
        assert_run_failed(&by_flag, "config", 2);
        let by_env = cmd()
            .token(TOKEN)
            .env("SSL_CERT_FILE", file)
            .platform(&s.url())
            .args(["--yes", ORG])
            .run();
        assert_run_failed(&by_env, "config", 2);
    }
    assert_eq!(s.connections(), 0, "nothing sent");
}

// ---------------------------------------------------------------------------------------------
// Proxies
// ---------------------------------------------------------------------------------------------

/// Asserts a request head the proxy received is a CONNECT to `host_port` without credentials.
fn assert_connect(head: &str, host_port: &str) {
    assert!(
        head.starts_with(&format!("CONNECT {host_port} ")),
        "CONNECT line: {head:?}"
    );
    assert!(
        !head.to_ascii_lowercase().contains("authorization"),
        "no Authorization to the proxy: {head:?}"
    );
    assert!(
        !head.contains(TOKEN),
        "the token reached the proxy: {head:?}"
    );
}

#[test]
fn https_goes_through_a_connect_tunnel_with_the_region_host() {
    let ca = pki(&[EU_HOST]);
    let ca_file = ca.ca_file();
    for var in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        let s = tls_standin(&ca, vec![Action::status(204)]);
        let proxy = ConnectProxy::start(s.addr());
        let run = cmd()
            .token(TOKEN)
            .env(var, proxy.url())
            .args([
                "--yes",
                "--region",
                "eu",
                "--ca-file",
                path_str(&ca_file),
                ORG,
            ])
            .run();
        assert_ok(&run, "deleted", 204, 1);
        let heads = proxy.requests();
        assert_eq!(heads.len(), 1, "{var}: {heads:?}");
        assert_connect(&heads[0], &format!("{EU_HOST}:443"));
        let reqs = assert_deletes(&s, 1);
        assert_eq!(reqs[0].header("host"), Some(EU_HOST), "{var}: {reqs:#?}");
    }
}

#[test]
fn proxy_variables_are_read_in_curls_order() {
    let ca = pki(&[EU_HOST]);
    let ca_file = ca.ca_file();
    for (winner, loser) in [
        ("https_proxy", "HTTPS_PROXY"),
        ("HTTPS_PROXY", "ALL_PROXY"),
        ("https_proxy", "all_proxy"),
    ] {
        let s = tls_standin(&ca, vec![Action::status(204)]);
        let good = ConnectProxy::start(s.addr());
        let refusing = ConnectProxy::refusing();
        let run = cmd()
            .token(TOKEN)
            .env(winner, good.url())
            .env(loser, refusing.url())
            .args([
                "--yes",
                "--region",
                "eu",
                "--ca-file",
                path_str(&ca_file),
                ORG,
            ])
            .run();
        assert_ok(&run, "deleted", 204, 1);
        assert_eq!(good.requests().len(), 1, "{winner} over {loser}");
        assert!(refusing.requests().is_empty(), "{winner} over {loser}");
        assert_deletes(&s, 1);
    }
}

#[test]
fn a_refusing_proxy_is_a_connection_error_and_is_retried() {
    let refusing = ConnectProxy::refusing();
    let run = cmd()
        .token(TOKEN)
        .env("HTTPS_PROXY", refusing.url())
        .args(["--yes", "--region", "eu", "--retries", "0", ORG])
        .run();
    let l = assert_failed(&run, "connection", 5);
    assert_eq!(l["attempts"], 1, "{run:#?}");
    assert_eq!(
        l["http_status"],
        Value::Null,
        "the proxy's 403 is not the platform's"
    );
    let heads = refusing.requests();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert_connect(&heads[0], &format!("{EU_HOST}:443"));

    // `connection` is retryable: --retries 1 makes a second CONNECT (after a backoff).
    let refusing = ConnectProxy::refusing();
    let run = cmd()
        .token(TOKEN)
        .env("HTTPS_PROXY", refusing.url())
        .args(["--yes", "--region", "eu", "--retries", "1", ORG])
        .run();
    let l = assert_failed(&run, "connection", 5);
    assert_eq!(l["attempts"], 2, "{run:#?}");
    let heads = refusing.requests();
    assert_eq!(heads.len(), 2, "{heads:?}");
    heads
        .iter()
        .for_each(|h| assert_connect(h, &format!("{EU_HOST}:443")));
}

#[test]
fn an_unparsable_proxy_that_applies_is_a_config_error() {
    let ca = pki(&["localhost"]);
    let ca_file = ca.ca_file();
    let s = tls_standin(&ca, vec![]);
    for var in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        let run = cmd()
            .token(TOKEN)
            .env(var, "socks5://x")
            .platform(&s.url())
            .args(["--yes", "--ca-file", path_str(&ca_file), ORG])
            .run();
        assert_run_failed(&run, "config", 2);
        assert!(run.stderr.contains(var), "names the variable: {run:#?}");
    }
    assert_eq!(s.connections(), 0, "never silently direct");
}

#[test]
fn no_proxy_and_proxies_that_do_not_apply_go_direct() {
    let ca = pki(&["localhost"]);
    let ca_file = ca.ca_file();
    let refusing = ConnectProxy::refusing();
    // NO_PROXY matching the target: direct, even past a proxy that would refuse, and past an
    // unparsable one (it does not apply to this target).
    for (proxy, no_proxy) in [
        (refusing.url(), "localhost"),
        (refusing.url(), "*"),
        (refusing.url(), "example.com, localhost"),
        ("socks5://x".to_string(), "localhost"),
    ] {
        let s = tls_standin(&ca, vec![Action::status(204)]);
        let run = cmd()
            .token(TOKEN)
            .env("HTTPS_PROXY", &proxy)
            .env("NO_PROXY", no_proxy)
            .platform(&s.url())
            .args(["--yes", "--ca-file", path_str(&ca_file), ORG])
            .run();
        assert_ok(&run, "deleted", 204, 1);
        assert_deletes(&s, 1);
    }
    // An https proxy variable does not apply to an http:// target.
    let s = StandIn::script(vec![Action::status(204)]);
    let run = cmd()
        .token(TOKEN)
        .env("HTTPS_PROXY", "socks5://x")
        .env("https_proxy", refusing.url())
        .platform(&s.url())
        .args(["--yes", ORG])
        .run();
    assert_ok(&run, "deleted", 204, 1);
    assert_deletes(&s, 1);
    assert!(refusing.requests().is_empty(), "{:?}", refusing.requests());

    // A NO_PROXY for another domain leaves the proxy in place.
    let s = tls_standin(&ca, vec![]);
    let run = cmd()
        .token(TOKEN)
        .env("HTTPS_PROXY", refusing.url())
        .env("NO_PROXY", ".cloud.coveo.com,platform-eu.cloud.coveo.com")
        .platform(&s.url())
        .args([
            "--yes",
            "--retries",
            "0",
            "--ca-file",
            path_str(&ca_file),
            ORG,
        ])
        .run();
    assert_failed(&run, "connection", 5);
    let heads = refusing.requests();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert_connect(&heads[0], &format!("localhost:{}", s.port()));
    assert_eq!(s.connections(), 0);
}

// ---------------------------------------------------------------------------------------------
// One thread
// ---------------------------------------------------------------------------------------------

/// Threads of the binary run as `c`, counted in `/proc/PID/task` once `s` (whose script
/// hangs) has received the request; the child is killed afterwards, even on a failure.
fn threads_while_waiting(s: &StandIn, c: Cmd) -> usize {
    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            kill_and_reap(&mut self.0);
        }
    }
    let child = Killed(
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
        let c = cmd()
            .token(TOKEN)
            .platform(&s.url())
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
            .env("COVEO_TOKEN", TOKEN)
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
    let line = serde_json::from_str(stdout.trim_end()).expect("one JSON line");
    let calls = std::fs::read_to_string(&trace).expect("read the trace");
    let _ = std::fs::remove_file(&trace);
    (line, calls)
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
            .token(TOKEN)
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
    assert_eq!(l["result"], "deleted", "{l}");
    assert_eq!(l["attempts"], 2, "{l}");
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
    assert_eq!(l["result"], "deleted", "{l}");
    assert!(
        !calls.contains("clone") && !calls.contains("fork"),
        "the binary started a thread or a process behind a proxy:\n{calls}"
    );
    assert_eq!(proxy.requests().len(), 1);
    assert_deletes(&s, 1);
}

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

#[test]
fn a_silent_proxy_is_bounded_by_the_deadline() {
    let silent = StandIn::silent();
    let run = cmd()
        .token(TOKEN)
        .env("HTTPS_PROXY", silent.url())
        .args([
            "--yes",
            "--region",
            "eu",
            "--timeout",
            "0.3",
            "--retries",
            "0",
            ORG,
        ])
        .deadline(WAIT)
        .run();
    let l = assert_failed(&run, "timeout", 5);
    assert_eq!(l["attempts"], 1, "{run:#?}");
    assert_eq!(l["http_status"], Value::Null, "{run:#?}");
    assert!(run.elapsed < Duration::from_millis(1500), "{run:#?}");
    assert_eq!(silent.connections(), 1);
}

#[test]
fn a_certificate_for_another_name_is_a_tls_error_through_the_proxy() {
    // The CA is trusted, but its leaf names localhost, not platform-eu.cloud.coveo.com.
    let ca = pki(&["localhost"]);
    let ca_file = ca.ca_file();
    let s = tls_standin(&ca, vec![]);
    let proxy = ConnectProxy::start(s.addr());
    let run = cmd()
        .token(TOKEN)
        .env("HTTPS_PROXY", proxy.url())
        .args([
            "--yes",
            "--region",
            "eu",
            "--ca-file",
            path_str(&ca_file),
            ORG,
        ])
        .run();
    let l = assert_failed(&run, "tls", 1);
    assert_eq!(l["http_status"], Value::Null, "{run:#?}");
    let heads = proxy.requests();
    assert_eq!(heads.len(), 1, "tls is not retried: {heads:?}");
    assert_connect(&heads[0], &format!("{EU_HOST}:443"));
    assert!(
        s.requests().is_empty(),
        "nothing sent to a server of another name"
    );
    s.assert_no_violations();
}

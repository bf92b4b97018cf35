//! Issue 3, resilience: retries, deadlines, bounded bodies, TLS roots, proxies, one thread and a
//! closed stdout, each seen the way a script sees it (JSON line, exit status, stderr) together
//! with what the stand-in or the proxy received.

use crate::support::bin::{cmd, output_within, Run, DEFAULT_DEADLINE};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::{Action, Platform, Reply, Request, StandIn};
use crate::support::temp_file;
use crate::support::tls::{pki, TestPki};
use serde_json::Value;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

const TOKEN: &str = "resilience-token-9c41e7";
const ORG: &str = "acme1";
const EU_HOST: &str = "platform-eu.cloud.coveo.com";

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

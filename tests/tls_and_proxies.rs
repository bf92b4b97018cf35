//! TLS and proxies: the roots a run trusts (`--ca-file`, `SSL_CERT_FILE`, the built-in ones)
//! and what an untrusted or misnamed certificate does; the proxy that applies, read from the
//! environment the way curl reads it (`https_proxy`, `HTTPS_PROXY`, `all_proxy`, `ALL_PROXY`,
//! `no_proxy`, `NO_PROXY`), the CONNECT tunnel it is asked for, and a proxy that refuses,
//! stays silent, is not there or cannot be named. The stand-in serves TLS with a test CA made
//! at run time; the proxy is a real CONNECT proxy in front of it, so the client believes it
//! talks to the platform's real host.

use crate::support::bin::{cmd, delete_at, Run};
use crate::support::line::{deleted, expect_line, failed, starting_with, Set, SOME};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::{Action, StandIn};
use crate::support::tls::pki;
use crate::support::{
    assert_nothing_sent, closed_port, has_millis, missing_path, not_utf8, path_str, temp_file,
    tls_standin, unresolved, LIMIT, SECRET,
};
use serde_json::Value;
use std::time::Duration;

const ORG: &str = "acme1";
const EU_HOST: &str = "platform-eu.cloud.coveo.com";
/// A proxy password: it must appear nowhere in the output.
const PROXY_PASSWORD: &str = "pr0xy-s3cret-81d2";
/// Generous bound on waiting for a run that must end at its deadline.
const WAIT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// Helpers

/// `--yes` with the [`SECRET`] token and `ARGS...`, nothing else set.
fn yes(args: &[&str]) -> crate::support::bin::Cmd {
    cmd().token(SECRET).arg("--yes").args(args)
}

/// Asserts the run deleted `acme1` in one attempt, quietly, without showing the token.
#[track_caller]
fn assert_deleted(run: &Run) {
    assert_eq!(run.status, 0, "exit status: {run:#?}");
    expect_line(run.line(), deleted(ORG));
    assert_eq!(run.stderr, "", "nothing on stderr on success: {run:#?}");
    run.assert_hides(SECRET);
}

/// Asserts the run failed for `acme1` after `attempts` without any answer, with this kind and
/// exit status (and `message`, or any), one stderr line naming the ID and the kind, and
/// neither the token nor the proxy password anywhere.
#[track_caller]
fn assert_unanswered(run: &Run, kind: &str, exit: i32, attempts: u64, message: &str) {
    assert_eq!(run.status, exit, "exit status: {run:#?}");
    expect_line(
        run.line(),
        failed(ORG, kind, Value::Null, attempts).set("error.message", message),
    );
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "one stderr line per failure: {run:#?}");
    let prefix = format!("coveo-org-delete: {ORG}: {kind}");
    assert!(lines[0].starts_with(&prefix), "stderr line: {run:#?}");
    run.assert_hides(SECRET);
    run.assert_hides(PROXY_PASSWORD);
}

/// The stand-in received exactly `n` DELETEs of `acme1` with the token, and nothing else.
fn assert_deletes(s: &StandIn, n: usize) {
    assert_eq!(
        s.sent(),
        vec![format!("DELETE /rest/organizations/{ORG}"); n],
        "requests received"
    );
    for r in s.requests() {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {SECRET}").as_str())
        );
        assert_eq!(r.header("accept"), Some("application/json"), "{r:#?}");
        assert!(r.body.is_empty(), "a DELETE has no body: {r:#?}");
    }
    s.assert_no_violations();
}

/// No request reached the TLS stand-in `s` (its certificate was not trusted): only `n`
/// connections, each a handshake.
#[track_caller]
fn assert_handshakes_only(s: &StandIn, n: usize) {
    assert!(s.requests().is_empty(), "a request over an untrusted TLS");
    assert_eq!(s.connections(), n, "handshakes");
    s.assert_no_violations();
}

/// The proxy was asked `n` times, each a CONNECT to `host_port` without credentials.
#[track_caller]
fn assert_connects(proxy: &ConnectProxy, n: usize, host_port: &str) {
    let heads = proxy.requests();
    assert_eq!(heads.len(), n, "{heads:?}");
    for head in &heads {
        assert_connect(head, host_port);
    }
}

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
        !head.contains(SECRET),
        "the token reached the proxy: {head:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// TLS roots

#[test]
fn tls_with_the_test_ca_in_ca_file_deletes() {
    let ca = pki(&["localhost"]);
    let s = tls_standin(&ca, vec![Action::status(204)]);
    let ca_file = ca.ca_file();
    let run = delete_at(&s.url(), &["--ca-file", path_str(&ca_file), ORG]);
    assert_deleted(&run);
    assert_deletes(&s, 1);
}

#[test]
fn tls_with_the_test_ca_in_ssl_cert_file_deletes() {
    let ca = pki(&["localhost"]);
    let s = tls_standin(&ca, vec![Action::status(204)]);
    let run = yes(&[ORG])
        .env("SSL_CERT_FILE", ca.ca_file())
        .platform(&s.url())
        .run();
    assert_deleted(&run);
    assert_deletes(&s, 1);
}

#[test]
fn ca_file_wins_over_ssl_cert_file() {
    let ca = pki(&["localhost"]);
    let other = pki(&["localhost"]);
    let s = tls_standin(&ca, vec![Action::status(204)]);
    let run = yes(&[ORG])
        .env("SSL_CERT_FILE", other.ca_file())
        .platform(&s.url())
        .arg("--ca-file")
        .arg(ca.ca_file())
        .run();
    assert_deleted(&run);
    assert_deletes(&s, 1);
}

/// A certificate whose issuer is not trusted: by the built-in (Mozilla) roots, which do not
/// hold the test CA, or by another CA given with the flag or the variable. Each run is one
/// handshake, never retried, and no request; its failure is said once, with what to do.
#[test]
fn an_untrusted_certificate_issuer_is_a_tls_error_said_once_and_not_retried() {
    let ca = pki(&["localhost"]);
    let other = pki(&["localhost"]);
    let s = tls_standin(&ca, vec![]);
    let wrong = other.ca_file();
    let builtin_roots = delete_at(&s.url(), &["--retries", "3", ORG]);
    let by_flag = delete_at(&s.url(), &["--ca-file", path_str(&wrong), ORG]);
    let by_env = yes(&[ORG])
        .env("SSL_CERT_FILE", &wrong)
        .platform(&s.url())
        .deadline(LIMIT)
        .run();
    for r in [builtin_roots, by_flag, by_env] {
        let hint = "invalid peer certificate: UnknownIssuer; hint: ";
        assert_unanswered(&r, "tls", 1, 1, &starting_with(hint));
        let message = r.line()["error"]["message"].as_str().unwrap();
        for words in [
            "the certificate's issuer is not trusted",
            "a TLS-inspecting corporate proxy is the usual cause",
            "pass its CA with --ca-file or SSL_CERT_FILE",
        ] {
            assert!(message.contains(words), "{words:?} in {message}");
        }
        assert_eq!(
            r.stderr,
            format!("coveo-org-delete: acme1: tls: {message}\n"),
            "said once"
        );
        assert!(!r.stderr.contains("TLS:"), "{r:#?}");
    }
    // One handshake per run.
    assert_handshakes_only(&s, 3);
}

#[test]
fn a_certificate_for_another_name_is_a_tls_error_without_an_issuer_hint() {
    // The CA is trusted, but its leaf names localhost, not platform-eu.cloud.coveo.com.
    let ca = pki(&["localhost"]);
    let ca_file = ca.ca_file();
    let s = tls_standin(&ca, vec![]);
    let proxy = ConnectProxy::start(s.addr());
    let run = yes(&["--region", "eu", "--ca-file", path_str(&ca_file), ORG])
        .env("HTTPS_PROXY", proxy.url())
        .run();
    assert_unanswered(
        &run,
        "tls",
        1,
        1,
        &starting_with("invalid peer certificate: "),
    );
    let message = run.line()["error"]["message"].as_str().unwrap();
    assert!(message.contains(EU_HOST), "{message}");
    assert!(!message.contains("hint"), "{message}");
    assert_eq!(
        run.stderr,
        format!("coveo-org-delete: acme1: tls: {message}\n")
    );
    assert_connects(&proxy, 1, &format!("{EU_HOST}:443"));
    // Nothing sent to a server of another name.
    assert_handshakes_only(&s, 1);
}

#[test]
fn ca_file_missing_or_without_a_certificate_is_a_config_error() {
    let ca = pki(&["localhost"]);
    let s = tls_standin(&ca, vec![]);
    let missing = missing_path("no-such.pem");
    let empty = temp_file("empty.pem", b"");
    let text = temp_file("text.pem", b"this is not a certificate\n");
    let key_only = temp_file(
        "key.pem",
        b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBbL1c6bQ9Y2Q0nS7k0x9y2XG8Yy0Jw3n4b2yU1J2Qp5\n-----END PRIVATE KEY-----\n",
    );
    for file in [&missing, &empty, &text, &key_only] {
        let by_flag = delete_at(&s.url(), &["--ca-file", path_str(file), ORG]);
        by_flag.run_failure("config");
        by_flag.assert_hides(SECRET);
        let by_env = yes(&[ORG])
            .env("SSL_CERT_FILE", file)
            .platform(&s.url())
            .run();
        by_env.run_failure("config");
        by_env.assert_hides(SECRET);
    }
    assert_nothing_sent(&s);
}

/// `SSL_CERT_FILE=` is read as unset, not as the path `""`.
#[test]
fn an_empty_ssl_cert_file_counts_as_unset() {
    let s = StandIn::script(vec![Action::status(204)]);
    let run = yes(&[ORG])
        .env("SSL_CERT_FILE", "")
        .platform(&s.url())
        .run();
    assert_deleted(&run);
    assert_deletes(&s, 1);
    // Over TLS the built-in roots apply: the test CA is not among them.
    let ca = pki(&["localhost"]);
    let s = tls_standin(&ca, vec![]);
    let run = yes(&["--retries", "0", ORG])
        .env("SSL_CERT_FILE", "")
        .platform(&s.url())
        .run();
    assert_unanswered(&run, "tls", 1, 1, SOME);
    assert_handshakes_only(&s, 1);
}

// ---------------------------------------------------------------------------------------------
// Proxies

#[test]
fn https_goes_through_a_connect_tunnel_with_the_region_host() {
    let ca = pki(&[EU_HOST]);
    let ca_file = ca.ca_file();
    for var in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        let s = tls_standin(&ca, vec![Action::status(204)]);
        let proxy = ConnectProxy::start(s.addr());
        let run = yes(&["--region", "eu", "--ca-file", path_str(&ca_file), ORG])
            .env(var, proxy.url())
            .run();
        assert_deleted(&run);
        assert_connects(&proxy, 1, &format!("{EU_HOST}:443"));
        assert_deletes(&s, 1);
        assert_eq!(
            s.requests()[0].header("host"),
            Some(EU_HOST),
            "{var}: {:#?}",
            s.requests()
        );
    }
}

#[test]
fn the_proxys_credentials_go_to_the_proxy_and_never_to_the_platform() {
    let ca = pki(&[EU_HOST]);
    let ca_file = ca.ca_file();
    let s = tls_standin(&ca, vec![Action::status(204)]);
    let proxy = ConnectProxy::start(s.addr());
    let with_user = proxy.url().replace("http://", "http://me:s3cret@");
    let run = yes(&["--region", "eu", "--ca-file", path_str(&ca_file), ORG])
        .env("https_proxy", &with_user)
        .run();
    assert_deleted(&run);
    // The tunnel's request carries the proxy's user (Basic me:s3cret), and not the token...
    let heads = proxy.requests();
    assert_eq!(heads.len(), 1, "{heads:#?}");
    let connect = &heads[0];
    assert!(
        connect.starts_with(&format!("CONNECT {EU_HOST}:443 ")),
        "{connect}"
    );
    assert!(
        connect.contains("\r\nProxy-Authorization: Basic bWU6czNjcmV0\r\n"),
        "{connect}"
    );
    assert!(!connect.contains("Bearer"), "{connect}");
    // ...and the request inside it only the bearer token.
    let inside = &s.requests()[0];
    assert_eq!(inside.header("proxy-authorization"), None, "{inside:#?}");
    let headers = format!("{:?}", inside.headers);
    assert!(
        !headers.contains("bWU6czNjcmV0") && !headers.contains("s3cret"),
        "{headers}"
    );
    assert_eq!(
        inside.header("authorization"),
        Some(format!("Bearer {}", crate::support::SECRET).as_str())
    );
    run.assert_hides("s3cret");
}

#[test]
fn proxy_variables_are_read_in_curls_order() {
    let ca = pki(&[EU_HOST]);
    let ca_file = ca.ca_file();
    for (winner, loser) in [
        ("https_proxy", "HTTPS_PROXY"),
        ("HTTPS_PROXY", "ALL_PROXY"),
        ("https_proxy", "all_proxy"),
        ("all_proxy", "ALL_PROXY"),
    ] {
        let s = tls_standin(&ca, vec![Action::status(204)]);
        let good = ConnectProxy::start(s.addr());
        let refusing = ConnectProxy::refusing();
        let run = yes(&[
            "--region",
            "eu",
            "--retries",
            "0",
            "--ca-file",
            path_str(&ca_file),
            ORG,
        ])
        .env(winner, good.url())
        .env(loser, refusing.url())
        .run();
        assert_deleted(&run);
        assert_eq!(good.requests().len(), 1, "{winner} over {loser}");
        assert_nothing_sent(&refusing);
        assert_deletes(&s, 1);
    }
}

#[test]
fn no_proxy_wins_over_no_proxy_in_capitals() {
    let ca = pki(&["localhost"]);
    let ca_file = ca.ca_file();
    let refusing = ConnectProxy::refusing();
    let with = |s: &StandIn, lower: &str, upper: &str| {
        yes(&["--retries", "0", "--ca-file", path_str(&ca_file), ORG])
            .env("HTTPS_PROXY", refusing.url())
            .env("no_proxy", lower)
            .env("NO_PROXY", upper)
            .platform(&s.url())
            .run()
    };
    // no_proxy names the target: direct, past the refusing proxy.
    let s = tls_standin(&ca, vec![Action::status(204)]);
    let run = with(&s, "localhost", "other.example");
    assert_deleted(&run);
    assert_deletes(&s, 1);
    assert_nothing_sent(&refusing);
    // no_proxy names another host: the proxy applies, whatever NO_PROXY says.
    let s = tls_standin(&ca, vec![]);
    let run = with(&s, "other.example", "localhost");
    assert_unanswered(&run, "connection", 5, 1, SOME);
    assert_connects(&refusing, 1, &format!("localhost:{}", s.port()));
    assert_nothing_sent(&s);
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
        let run = yes(&["--ca-file", path_str(&ca_file), ORG])
            .env("HTTPS_PROXY", &proxy)
            .env("NO_PROXY", no_proxy)
            .platform(&s.url())
            .run();
        assert_deleted(&run);
        assert_deletes(&s, 1);
    }
    // An https proxy variable does not apply to an http:// target.
    let s = StandIn::script(vec![Action::status(204)]);
    let run = yes(&[ORG])
        .env("HTTPS_PROXY", "socks5://x")
        .env("https_proxy", refusing.url())
        .platform(&s.url())
        .run();
    assert_deleted(&run);
    assert_deletes(&s, 1);
    assert_nothing_sent(&refusing);

    // A NO_PROXY for another domain leaves the proxy in place.
    let s = tls_standin(&ca, vec![]);
    let run = yes(&["--retries", "0", "--ca-file", path_str(&ca_file), ORG])
        .env("HTTPS_PROXY", refusing.url())
        .env("NO_PROXY", ".cloud.coveo.com,platform-eu.cloud.coveo.com")
        .platform(&s.url())
        .run();
    assert_unanswered(&run, "connection", 5, 1, SOME);
    assert_connects(&refusing, 1, &format!("localhost:{}", s.port()));
    assert_nothing_sent(&s);
}

#[test]
fn an_unparsable_proxy_that_applies_is_a_config_error() {
    let ca = pki(&["localhost"]);
    let ca_file = ca.ca_file();
    let s = tls_standin(&ca, vec![]);
    for var in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        let run = yes(&["--ca-file", path_str(&ca_file), ORG])
            .env(var, "socks5://x")
            .platform(&s.url())
            .run();
        run.run_failure("config");
        run.assert_hides(SECRET);
        assert!(run.stderr.contains(var), "names the variable: {run:#?}");
    }
    // Never silently direct.
    assert_nothing_sent(&s);
}

#[test]
fn a_no_proxy_that_is_not_utf8_is_a_config_error() {
    let standin = StandIn::script(vec![]);
    let run = yes(&[ORG])
        .platform(&standin.url())
        .env("http_proxy", "http://127.0.0.1:9")
        .env("NO_PROXY", not_utf8("eu"))
        .run();
    assert!(run.run_failure("config").contains("NO_PROXY"));
    assert_nothing_sent(&standin);
}

#[test]
fn a_refusing_proxy_is_a_connection_error_and_is_retried() {
    let refusing = ConnectProxy::refusing();
    let run = yes(&["--region", "eu", "--retries", "0", ORG])
        .env("HTTPS_PROXY", refusing.url())
        .run();
    // The proxy's 403 is not the platform's: no status on the line.
    assert_unanswered(&run, "connection", 5, 1, SOME);
    assert_connects(&refusing, 1, &format!("{EU_HOST}:443"));

    // `connection` is retryable: --retries 1 makes a second CONNECT (after a backoff).
    let refusing = ConnectProxy::refusing();
    let run = yes(&["--region", "eu", "--retries", "1", ORG])
        .env("HTTPS_PROXY", refusing.url())
        .run();
    assert_unanswered(&run, "connection", 5, 2, SOME);
    assert_connects(&refusing, 2, &format!("{EU_HOST}:443"));
}

/// A run through the proxy `url`, whose user and password must not show, to the EU platform.
fn through(url: String) -> Run {
    yes(&["--region", "eu", "--retries", "0", ORG])
        .env("HTTPS_PROXY", url)
        .deadline(LIMIT)
        .run()
}

/// The run's one failure is `connection` with exactly this message, said once on stderr.
#[track_caller]
fn assert_connection_failure(run: &Run, message: &str) {
    assert_unanswered(run, "connection", 5, 1, message);
    assert_eq!(
        run.stderr,
        format!("coveo-org-delete: acme1: connection: {message}\n")
    );
    run.assert_hides("alice");
}

#[test]
fn a_proxy_that_refuses_the_tunnel_is_named_without_its_password() {
    let proxy = ConnectProxy::refusing();
    let run = through(format!(
        "http://alice:{PROXY_PASSWORD}@127.0.0.1:{}",
        proxy.port()
    ));
    let message = format!(
        "proxy 127.0.0.1:{} refused the tunnel: 403 Forbidden",
        proxy.port()
    );
    assert_connection_failure(&run, &message);
    // The proxy's own credentials go to it (and nowhere else); a CONNECT, once.
    let heads = proxy.requests();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(heads[0].starts_with(&format!("CONNECT {EU_HOST}:443 ")));
}

#[test]
fn a_proxy_at_a_closed_port_is_named() {
    let port = closed_port();
    let run = yes(&["--region", "eu", "--retries", "0", ORG])
        .env(
            "https_proxy",
            format!("http://alice:{PROXY_PASSWORD}@127.0.0.1:{port}"),
        )
        .deadline(LIMIT)
        .run();
    assert_connection_failure(&run, &format!("proxy 127.0.0.1:{port}: connection refused"));
}

#[test]
fn a_proxy_whose_name_does_not_resolve_is_named() {
    // `.invalid` is reserved: it resolves nowhere.
    let run = through(format!("http://alice:{PROXY_PASSWORD}@proxy.invalid:3128"));
    let message = unresolved(&run, "proxy proxy.invalid:3128");
    assert_connection_failure(&run, &message);
}

#[test]
fn a_silent_proxy_is_bounded_by_the_deadline() {
    let silent = StandIn::silent();
    let run = yes(&["--region", "eu", "--timeout", "0.3", "--retries", "0", ORG])
        .env("HTTPS_PROXY", silent.url())
        .deadline(WAIT)
        .run();
    assert_unanswered(&run, "timeout", 5, 1, SOME);
    assert!(run.elapsed < Duration::from_millis(1500), "{run:#?}");
    assert_eq!(silent.connections(), 1);
}

#[test]
fn verbose_names_the_proxy_an_attempt_could_not_reach() {
    let port = closed_port();
    let run = yes(&["-v", "--region", "eu", "--retries", "1", ORG])
        .env(
            "HTTPS_PROXY",
            format!("http://alice:{PROXY_PASSWORD}@127.0.0.1:{port}"),
        )
        .deadline(LIMIT)
        .run();
    assert_eq!(run.status, 5, "{run:#?}");
    expect_line(
        run.line(),
        failed(ORG, "connection", Value::Null, 2).set(
            "error.message",
            format!("proxy 127.0.0.1:{port}: connection refused"),
        ),
    );
    // --verbose: where the token came from and where requests go, two attempts, the failure.
    let all = run.stderr_lines();
    assert_eq!(all.len(), 4, "{run:#?}");
    assert!(all[0].contains("token from COVEO_TOKEN"), "{run:#?}");
    let lines = &all[1..];
    let attempt = format!(
        "coveo-org-delete: DELETE https://{EU_HOST}/rest/organizations/acme1 -> connection: proxy 127.0.0.1:{port}: connection refused ("
    );
    for l in &lines[..2] {
        assert!(l.starts_with(&attempt), "{l:?}");
        assert!(has_millis(l), "{l}");
    }
    assert!(lines[2].starts_with("coveo-org-delete: acme1: connection: proxy 127.0.0.1:"));
    run.assert_hides(SECRET);
    run.assert_hides(PROXY_PASSWORD);
}

/// An empty proxy variable counts as unset, as curl reads it: alone, the run goes direct;
/// before a set one, the set one applies.
#[test]
fn an_empty_proxy_variable_counts_as_unset_as_in_curl() {
    // Empty alone: direct.
    let standin = StandIn::script(vec![Action::status(204)]);
    let run = yes(&[ORG])
        .platform(&standin.url())
        .env("http_proxy", "")
        .run();
    assert_deleted(&run);
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
    // Empty before a set one: the set one is used (here a proxy that refuses everything).
    let proxy = ConnectProxy::refusing();
    let standin = StandIn::script(vec![]);
    let run = yes(&["--retries", "0", ORG])
        .platform(&standin.url())
        .env("http_proxy", "")
        .env("HTTP_PROXY", proxy.url())
        .run();
    assert_unanswered(&run, "connection", 5, 1, SOME);
    assert_eq!(proxy.requests().len(), 1, "{:?}", proxy.requests());
    assert_nothing_sent(&standin);
}

//! Issue 10, a newcomer's first hour: the prompt that no longer asks about an organization the
//! platform already refused, typing time left out of `elapsed_ms`, the usage at a terminal,
//! suggestions for mistyped options, and failure messages that name what failed (the proxy,
//! the host, `host:port`, an untrusted certificate issuer). Each is seen from outside: the JSON
//! line, the exit status, stderr or the terminal, and what the stand-in received.

use crate::support::bin::{self, assert_shape, Run};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::StandIn;
use crate::support::tls::pki;
use std::time::Duration;

/// A token for stand-ins that take any token: it must appear nowhere in the output.
const SECRET: &str = "newcomer-token-5f3a9c71";
/// A proxy password: it must appear nowhere in the output either.
const PROXY_PASSWORD: &str = "pr0xy-s3cret-81d2";
/// Upper bound of every wait on the binary; reached only when it misbehaves.
const LIMIT: Duration = Duration::from_secs(20);
const EU_HOST: &str = "platform-eu.cloud.coveo.com";

// ---------------------------------------------------------------------------------------------
// Helpers

/// Runs the binary to its end the way a script does, within [`LIMIT`]: past it the binary is
/// killed and the test fails.
fn run(cmd: bin::Cmd) -> Run {
    cmd.deadline(LIMIT).run()
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().unwrap().port()
}

/// Asserts the run's one failure: its kind, exit status and message, the same message on the
/// one stderr line, nothing answered, and neither the token nor the proxy password anywhere.
fn assert_connection_failure(r: &Run, message: &str) {
    let line = r.line();
    assert_shape(line);
    assert_eq!(line["organization_id"], "acme1", "{r:#?}");
    assert_eq!(line["error"]["kind"], "connection", "{r:#?}");
    assert_eq!(line["error"]["message"], message, "{r:#?}");
    assert_eq!(line["attempts"], 1, "{r:#?}");
    assert!(line["http_status"].is_null(), "{r:#?}");
    assert_eq!(r.status, 5, "{r:#?}");
    let want = format!("coveo-org-delete: acme1: connection: {message}\n");
    assert_eq!(r.stderr, want);
    r.assert_hides(SECRET);
    r.assert_hides(PROXY_PASSWORD);
    r.assert_hides("alice");
}

// ---------------------------------------------------------------------------------------------
// The prompt: an answer that settles the organization is reported at once

// ---------------------------------------------------------------------------------------------
// Usage

#[test]
fn no_arguments_without_a_terminal_are_one_json_line_and_one_stderr_line() {
    let r = run(bin::cmd());
    assert_eq!(r.status, 2, "{r:#?}");
    let line = r.line();
    assert_shape(line);
    assert!(line["organization_id"].is_null(), "{line}");
    assert_eq!(line["error"]["kind"], "usage", "{line}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:#?}");
    assert!(
        r.stderr
            .starts_with("coveo-org-delete: usage: no organization ID given"),
        "{r:#?}"
    );
    assert_eq!(count(&r.stderr, "(see --help)"), 1, "{r:#?}");
    assert!(!r.stderr.contains("Usage:"), "{r:#?}");
}

#[test]
fn a_mistyped_option_gets_the_closest_real_one() {
    for (args, typo, real) in [
        (vec!["--dryrun", "acme1"], "--dryrun", "--dry-run"),
        (
            vec!["--retry", "2", "--yes", "acme1"],
            "--retry",
            "--retries",
        ),
        (vec!["--yes", "--verbos", "acme1"], "--verbos", "--verbose"),
    ] {
        let r = run(bin::cmd().token(SECRET).args(&args));
        assert_eq!(r.status, 2, "{r:#?}");
        let line = r.line();
        assert_shape(line);
        assert!(line["organization_id"].is_null(), "{line}");
        assert_eq!(line["error"]["kind"], "usage", "{line}");
        assert_eq!(line["attempts"], 0, "{line}");
        let message = format!("unknown option {typo}; did you mean {real}?");
        assert_eq!(line["error"]["message"], message, "{line}");
        assert_eq!(
            r.stderr,
            format!("coveo-org-delete: usage: {message} (see --help)\n")
        );
    }
}

#[test]
fn every_usage_error_says_see_help_exactly_once() {
    for args in [
        vec!["--frobnicate", "acme1"],
        vec!["--timeout"],
        vec!["--yes=1", "acme1"],
        vec!["--yes", "--yes", "acme1"],
        vec!["--timeout", "0", "acme1"],
        vec!["--token", "abc", "acme1"],
        vec!["--yes"],
    ] {
        let r = run(bin::cmd().token(SECRET).args(&args));
        assert_eq!(r.status, 2, "{args:?}: {r:#?}");
        assert_eq!(r.line()["error"]["kind"], "usage", "{args:?}: {r:#?}");
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {r:#?}");
        assert_eq!(count(&r.stderr, "(see --help)"), 1, "{args:?}: {r:#?}");
        assert_eq!(count(&r.stderr, "see --help"), 1, "{args:?}: {r:#?}");
    }
    let r = run(bin::cmd().args(["--frobnicate", "acme1"]));
    assert!(!r.stderr.contains("did you mean"), "{r:#?}");
}

// ---------------------------------------------------------------------------------------------
// Failures that name what failed

#[test]
fn a_proxy_that_refuses_the_tunnel_is_named_without_its_password() {
    let proxy = ConnectProxy::refusing();
    let r = run(bin::cmd()
        .token(SECRET)
        .env(
            "HTTPS_PROXY",
            format!("http://alice:{PROXY_PASSWORD}@127.0.0.1:{}", proxy.port()),
        )
        .args(["--yes", "--region", "eu", "--retries", "0", "acme1"]));
    let message = format!(
        "proxy 127.0.0.1:{} refused the tunnel: 403 Forbidden",
        proxy.port()
    );
    assert_connection_failure(&r, &message);
    let heads = proxy.requests();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(heads[0].starts_with(&format!("CONNECT {EU_HOST}:443 ")));
}

#[test]
fn a_proxy_at_a_closed_port_is_named() {
    let port = closed_port();
    let r = run(bin::cmd()
        .token(SECRET)
        .env(
            "https_proxy",
            format!("http://alice:{PROXY_PASSWORD}@127.0.0.1:{port}"),
        )
        .args(["--yes", "--region", "eu", "--retries", "0", "acme1"]));
    assert_connection_failure(&r, &format!("proxy 127.0.0.1:{port}: connection refused"));
}

#[test]
fn a_proxy_whose_name_does_not_resolve_is_named() {
    // `.invalid` is reserved: it resolves nowhere.
    let r = run(bin::cmd()
        .token(SECRET)
        .env(
            "HTTPS_PROXY",
            format!("http://alice:{PROXY_PASSWORD}@proxy.invalid:3128"),
        )
        .args(["--yes", "--region", "eu", "--retries", "0", "acme1"]));
    let message = r.line()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    // "name not found", unless the resolver itself could not be asked.
    assert!(
        message == "proxy proxy.invalid:3128: name not found"
            || message.starts_with("proxy proxy.invalid:3128: name lookup failed: "),
        "{r:#?}"
    );
    assert_connection_failure(&r, &message);
}

#[test]
fn an_untrusted_certificate_issuer_is_said_once_with_what_to_do() {
    let ca = pki(&["localhost"]);
    let other = pki(&["localhost"]);
    let s = StandIn::builder()
        .tls(ca.server_config.clone())
        .script(vec![]);
    let wrong = other.ca_file();
    let builtin_roots =
        run(bin::cmd()
            .token(SECRET)
            .platform(&s.url())
            .args(["--yes", "--retries", "0", "acme1"]));
    let wrong_ca = run(bin::cmd()
        .token(SECRET)
        .platform(&s.url())
        .arg("--ca-file")
        .arg(&wrong)
        .args(["--yes", "acme1"]));
    for r in [builtin_roots, wrong_ca] {
        assert_eq!(r.status, 1, "{r:#?}");
        let line = r.line();
        assert_shape(line);
        assert_eq!(line["error"]["kind"], "tls", "{line}");
        let message = line["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("invalid peer certificate: UnknownIssuer; hint: "),
            "{message}"
        );
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
        r.assert_hides(SECRET);
    }
    assert!(s.requests().is_empty(), "no request over an untrusted TLS");
}

#[test]
fn a_certificate_for_another_name_gets_no_issuer_hint() {
    // The CA is trusted, but its leaf names localhost, not platform-eu.cloud.coveo.com.
    let ca = pki(&["localhost"]);
    let s = StandIn::builder()
        .tls(ca.server_config.clone())
        .script(vec![]);
    let proxy = ConnectProxy::start(s.addr());
    let r = run(bin::cmd()
        .token(SECRET)
        .env("HTTPS_PROXY", proxy.url())
        .arg("--ca-file")
        .arg(ca.ca_file())
        .args(["--yes", "--region", "eu", "acme1"]));
    assert_eq!(r.status, 1, "{r:#?}");
    let message = r.line()["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("invalid peer certificate: "),
        "{message}"
    );
    assert!(message.contains(EU_HOST), "{message}");
    assert!(!message.contains("hint"), "{message}");
    assert_eq!(
        r.stderr,
        format!("coveo-org-delete: acme1: tls: {message}\n")
    );
}

// ---------------------------------------------------------------------------------------------
// --verbose

#[test]
fn verbose_names_the_proxy_an_attempt_could_not_reach() {
    let port = closed_port();
    let r = run(bin::cmd()
        .token(SECRET)
        .env(
            "HTTPS_PROXY",
            format!("http://alice:{PROXY_PASSWORD}@127.0.0.1:{port}"),
        )
        .args(["-v", "--yes", "--region", "eu", "--retries", "1", "acme1"]));
    assert_eq!(r.status, 5, "{r:#?}");
    assert_eq!(r.line()["attempts"], 2, "{r:#?}");
    // --verbose: where the token came from and where requests go, two attempts, the failure.
    let all: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(all.len(), 4, "{r:#?}");
    assert!(all[0].contains("token from COVEO_TOKEN"), "{r:#?}");
    let lines = &all[1..];
    let attempt = format!(
        "coveo-org-delete: DELETE https://{EU_HOST}/rest/organizations/acme1 -> connection: proxy 127.0.0.1:{port}: connection refused ("
    );
    for l in &lines[..2] {
        assert!(l.starts_with(&attempt), "{l:?}");
        assert!(l.ends_with(" ms)"), "{l}");
    }
    assert!(lines[2].starts_with("coveo-org-delete: acme1: connection: proxy 127.0.0.1:"));
    r.assert_hides(SECRET);
    r.assert_hides(PROXY_PASSWORD);
}

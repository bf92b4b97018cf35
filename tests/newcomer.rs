//! Issue 10, a newcomer's first hour: the prompt that no longer asks about an organization the
//! platform already refused, typing time left out of `elapsed_ms`, the usage at a terminal,
//! suggestions for mistyped options, and failure messages that name what failed (the proxy,
//! the host, `host:port`, an untrusted certificate issuer). Each is seen from outside: the JSON
//! line, the exit status, stderr or the terminal, and what the stand-in received.

use crate::support::bin::{self, assert_shape, Run};
use crate::support::proxy::ConnectProxy;
use crate::support::pty;
use crate::support::standin::{Action, Platform, Reply, Request, StandIn};
use crate::support::tls::pki;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The stand-in platform's user token that may delete organizations.
const TOKEN: &str = "demo-token";
/// A token for stand-ins that take any token: it must appear nowhere in the output.
const SECRET: &str = "newcomer-token-5f3a9c71";
/// A proxy password: it must appear nowhere in the output either.
const PROXY_PASSWORD: &str = "pr0xy-s3cret-81d2";
/// Upper bound of every wait on the binary; reached only when it misbehaves.
const LIMIT: Duration = Duration::from_secs(20);
const EU_HOST: &str = "platform-eu.cloud.coveo.com";
const ASK_ID: &str = "Type the organization ID to confirm: ";
const ASK_COUNT: &str = "Type the number of organizations to confirm: ";

// ---------------------------------------------------------------------------------------------
// Helpers

/// Runs the binary to its end the way a script does, within [`LIMIT`]: past it the binary is
/// killed and the test fails.
fn run(cmd: bin::Cmd) -> Run {
    cmd.deadline(LIMIT).run()
}

/// The usual fake platform of these tests.
fn platform() -> Platform {
    Platform::new()
        .org("acme1", "Acme One")
        .org("acme2", "Acme Two")
        .org("acme3", "Acme Three")
        .read_only_org("paused", "Paused Org")
}

/// Starts the binary at a pseudo-terminal against `standin` with `COVEO_TOKEN=token`.
fn at_terminal(standin: &StandIn, token: &str, args: &[&str]) -> pty::Session {
    let cmd = bin::cmd()
        .token(token)
        .platform(&standin.url())
        .args(args)
        .command();
    pty::spawn(cmd, LIMIT)
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

/// A stand-in whose GET of an organization gets `reply` (with request ID `req-get`), and
/// whose DELETE is a violation: none may be sent.
fn get_answers(reply: Reply) -> StandIn {
    let reply = reply.header("X-Request-ID", "req-get");
    StandIn::handler(move |r: &Request| match r.method.as_str() {
        "GET" => Action::Reply(reply.clone()),
        _ => Action::json(599, r#"{"message":"stand-in: no DELETE may be sent"}"#),
    })
}

#[test]
fn prompt_reports_401_403_404_and_read_only_at_once_without_asking() {
    let cases = [
        (
            Reply::new(401).json(
                r#"{"error":"invalid_token","error_description":"Invalid access token"}"#,
            ),
            "unauthorized",
            401,
            3,
            Value::Null,
        ),
        (
            Reply::new(403).json(
                r#"{"message":"You are not authorized to view this organization.","errorCode":"ACCESS_DENIED"}"#,
            ),
            "forbidden",
            403,
            3,
            Value::Null,
        ),
        (
            Reply::new(404).json(
                r#"{"message":"Organization 'acme1' does not exist.","errorCode":"ORGANIZATION_NOT_FOUND"}"#,
            ),
            "not_found",
            404,
            4,
            Value::Null,
        ),
        (
            Reply::new(200).json(r#"{"id":"acme1","displayName":"Acme One","readOnly":true}"#),
            "read_only",
            200,
            1,
            Value::from("Acme One"),
        ),
    ];
    for (reply, kind, http_status, exit, display_name) in cases {
        let standin = get_answers(reply);
        let done = at_terminal(&standin, SECRET, &["acme1"]).finish();

        assert!(!done.terminal.contains(ASK_ID), "{kind}: asked: {done:#?}");
        assert!(!done.terminal.contains("About to"), "{kind}: {done:#?}");
        assert_eq!(done.lines.len(), 1, "{kind}: {done:#?}");
        let line = &done.lines[0];
        assert_shape(line);
        assert_eq!(line["organization_id"], "acme1", "{line}");
        assert_eq!(line["result"], "error", "{line}");
        assert_eq!(line["error"]["kind"], kind, "{line}");
        assert_eq!(line["attempts"], 1, "{line}");
        assert_eq!(line["http_status"], http_status, "{line}");
        assert_eq!(line["request_id"], "req-get", "{line}");
        assert_eq!(line["display_name"], display_name, "{line}");
        assert_eq!(done.status, exit, "{kind}: {done:#?}");
        let human = format!("coveo-org-delete: acme1: {kind}");
        assert!(done.terminal.starts_with(&human), "{:?}", done.terminal);
        assert_eq!(done.terminal.lines().count(), 1, "{:?}", done.terminal);
        assert!(!done.terminal.contains(SECRET) && !done.stdout.contains(SECRET));
        assert_eq!(standin.sent(), ["GET /rest/organizations/acme1"], "{kind}");
        standin.assert_no_violations();
    }
}

#[test]
fn prompt_with_missing_ok_and_a_404_is_already_absent_without_asking() {
    let standin = get_answers(Reply::new(404).json(
        r#"{"message":"Organization 'acme1' does not exist.","errorCode":"ORGANIZATION_NOT_FOUND"}"#,
    ));
    let done = at_terminal(&standin, SECRET, &["--missing-ok", "acme1"]).finish();

    assert_eq!(
        done.terminal, "",
        "nothing asked, nothing failed: {done:#?}"
    );
    assert_eq!(done.lines.len(), 1, "{done:#?}");
    let line = &done.lines[0];
    assert_shape(line);
    assert_eq!(line["organization_id"], "acme1", "{line}");
    assert_eq!(line["ok"], true, "{line}");
    assert_eq!(line["result"], "already_absent", "{line}");
    assert_eq!(line["attempts"], 1, "{line}");
    assert_eq!(line["http_status"], 404, "{line}");
    assert_eq!(line["request_id"], "req-get", "{line}");
    assert_eq!(done.status, 0, "{done:#?}");
    assert_eq!(standin.sent(), ["GET /rest/organizations/acme1"]);
    standin.assert_no_violations();
}

#[test]
fn prompt_for_a_read_only_organization_of_the_platform_names_it() {
    let standin = StandIn::platform(platform());
    let done = at_terminal(&standin, TOKEN, &["paused"]).finish();
    assert!(!done.terminal.contains(ASK_ID), "{done:#?}");
    assert_eq!(done.lines.len(), 1, "{done:#?}");
    let line = &done.lines[0];
    assert_shape(line);
    assert_eq!(line["error"]["kind"], "read_only", "{line}");
    assert_eq!(line["display_name"], "Paused Org", "{line}");
    assert_eq!(done.status, 1);
    assert_eq!(standin.sent(), ["GET /rest/organizations/paused"]);
    assert!(standin.remaining_orgs().contains(&"paused".to_owned()));
}

#[test]
fn prompt_asks_anyway_when_the_get_gets_no_answer() {
    let standin = StandIn::handler(|r| match r.method.as_str() {
        "GET" => Action::Close,
        _ => Action::Reply(Reply::new(204).header("X-Request-ID", "req-delete")),
    });
    let mut session = at_terminal(&standin, SECRET, &["acme1"]);
    let prompt = session.read_until(ASK_ID);
    assert!(
        prompt.contains("organization acme1 on"),
        "no name: {prompt:?}"
    );
    session.type_line("acme1");
    let done = session.finish();

    assert_eq!(done.status, 0, "{done:#?}");
    assert_eq!(done.lines.len(), 1, "{done:#?}");
    let line = &done.lines[0];
    assert_shape(line);
    assert_eq!(line["result"], "deleted", "{line}");
    assert_eq!(line["attempts"], 2, "the GET and the DELETE: {line}");
    assert_eq!(line["http_status"], 204, "{line}");
    assert_eq!(line["request_id"], "req-delete", "{line}");
    assert!(line["display_name"].is_null(), "{line}");
    assert_eq!(
        standin.sent(),
        [
            "GET /rest/organizations/acme1",
            "DELETE /rest/organizations/acme1"
        ]
    );
}

#[test]
fn typing_30_when_3_organizations_are_asked_for_does_not_confirm() {
    let standin = StandIn::platform(platform());
    let ids = ["acme1", "acme2", "acme3"];
    let mut session = at_terminal(&standin, TOKEN, &ids);
    session.read_until(ASK_COUNT);
    session.type_line("30");
    let done = session.finish();

    assert_eq!(done.status, 2, "{done:#?}");
    assert_eq!(done.lines.len(), 3, "{done:#?}");
    for (line, id) in done.lines.iter().zip(ids) {
        assert_shape(line);
        assert_eq!(line["organization_id"], id, "{line}");
        assert_eq!(line["error"]["kind"], "not_confirmed", "{line}");
        assert_eq!(line["attempts"], 0, "{line}");
    }
    assert!(standin.requests().is_empty(), "{:?}", standin.sent());
    assert_eq!(standin.remaining_orgs().len(), 4);
}

#[test]
fn elapsed_ms_leaves_out_the_time_spent_typing() {
    for (typed, result) in [("acme1", "deleted"), ("acme-one", "error")] {
        let standin = StandIn::platform(platform());
        let mut session = at_terminal(&standin, TOKEN, &["acme1"]);
        session.read_until(ASK_ID);
        // A slow person at the keyboard (not synchronisation: the prompt is already shown).
        let typing = Instant::now();
        std::thread::sleep(Duration::from_millis(1200));
        session.type_line(typed);
        let done = session.finish();
        assert!(typing.elapsed() >= Duration::from_millis(1200));

        assert_eq!(done.lines.len(), 1, "{done:#?}");
        let line = &done.lines[0];
        assert_shape(line);
        assert_eq!(line["result"], result, "{line}");
        let ms = line["elapsed_ms"].as_u64().unwrap();
        assert!(ms < 1000, "typing time counted: {line}");
        let deleted = standin.requests().iter().any(|r| r.method == "DELETE");
        assert_eq!(deleted, result == "deleted", "{:?}", standin.sent());
        if result == "error" {
            assert_eq!(line["error"]["kind"], "not_confirmed", "{line}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Usage

#[test]
fn no_arguments_at_a_terminal_show_the_usage_too() {
    let done = pty::spawn(bin::cmd().command(), LIMIT).finish();
    assert_eq!(done.status, 2, "{done:#?}");
    assert_eq!(done.lines.len(), 1, "{done:#?}");
    let line = &done.lines[0];
    assert_shape(line);
    assert!(line["organization_id"].is_null(), "{line}");
    assert_eq!(line["error"]["kind"], "usage", "{line}");
    let shown = &done.terminal;
    assert!(
        shown.starts_with("coveo-org-delete: usage: no organization ID given"),
        "{shown}"
    );
    assert!(
        shown.contains("Usage: coveo-org-delete [OPTIONS] ORG_ID..."),
        "{shown}"
    );
    assert!(shown.contains("--from-file FILE"), "{shown}");
    assert!(shown.contains("coveo-org-delete --help"), "{shown}");
    assert_eq!(count(shown, "(see --help)"), 1, "{shown}");
}

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
fn a_platform_host_that_does_not_resolve_is_named() {
    let r = run(bin::cmd()
        .token(SECRET)
        .platform("https://platform.invalid")
        .args(["--yes", "--retries", "0", "acme1"]));
    let message = r.line()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert!(
        message == "platform.invalid: name not found"
            || message.starts_with("platform.invalid: name lookup failed: "),
        "{r:#?}"
    );
    assert_connection_failure(&r, &message);
}

#[test]
fn a_refused_connection_names_host_and_port() {
    let port = closed_port();
    let r = run(bin::cmd()
        .token(SECRET)
        .platform(&format!("http://127.0.0.1:{port}"))
        .args(["--yes", "--retries", "0", "acme1"]));
    assert_connection_failure(&r, &format!("127.0.0.1:{port}: connection refused"));
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

/// The `--verbose` lines among stderr's (or the terminal's) lines.
fn attempt_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.contains(" -> ")).collect()
}

#[test]
fn verbose_at_the_prompt_is_one_line_per_attempt_without_the_token() {
    let standin = StandIn::script(vec![
        Action::json(200, r#"{"id":"acme1","displayName":"Acme One"}"#),
        Action::Reply(Reply::new(503).header("Retry-After", "0")),
        Action::status(204),
    ]);
    let url = format!("{}/rest/organizations/acme1", standin.url());
    let mut session = at_terminal(&standin, SECRET, &["--verbose", "acme1"]);
    // The GET that fetched the name was shown before the prompt.
    let before = session.read_until(ASK_ID);
    let first = attempt_lines(&before);
    assert_eq!(first.len(), 1, "{before:?}");
    let get = format!("coveo-org-delete: GET {url} -> 200 OK (");
    assert!(first[0].starts_with(&get), "{before:?}");
    session.type_line("acme1");
    let done = session.finish();
    assert_eq!(done.status, 0, "{done:#?}");
    let line = &done.lines[0];
    assert_eq!(line["result"], "deleted", "{line}");
    assert_eq!(line["attempts"], 3, "{line}");
    let lines = attempt_lines(&done.terminal);
    assert_eq!(lines.len(), 3, "one line per attempt: {:?}", done.terminal);
    for (l, (method, what)) in lines.iter().zip([
        ("GET", "200 OK"),
        ("DELETE", "503 Service Unavailable"),
        ("DELETE", "204 No Content"),
    ]) {
        let start = format!("coveo-org-delete: {method} {url} -> {what} (");
        assert!(l.starts_with(&start), "{l:?} should start with {start:?}");
        assert!(l.ends_with(" ms)"), "{l}");
    }
    assert!(!done.terminal.contains(SECRET) && !done.stdout.contains(SECRET));
    assert!(!done.terminal.contains("Bearer"), "{:?}", done.terminal);
    standin.assert_no_violations();
}

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

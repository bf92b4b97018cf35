//! Hostile input and hostile answers: what a script's mistakes and a misbehaving server must
//! never cause (a request to a place the user did not choose, a token in any output, a
//! panic, an unbounded read, a line that claims what did not happen). Each test runs the real
//! binary and checks what the server received as well as what was printed.

use crate::support::bin::{assert_shape, cmd, Cmd, Run};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::{Action, Reply, StandIn};
use crate::support::tls;
use crate::support::{temp_dir, temp_file};
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::ffi::OsStrExt;

const TOKEN: &str = "demo-token";
/// A realistic token, long enough that no word of the tool's own messages contains it.
const SECRET: &str = "x1b2c3d4-secret-5e6f-7a8b-9c0d1e2f3a4b";

fn not_utf8() -> &'static OsStr {
    OsStr::from_bytes(b"eu\xff")
}

/// `--yes acme1` against `standin`, with `COVEO_TOKEN=token`.
fn delete_as(standin: &StandIn, token: &str) -> Cmd {
    cmd()
        .token(token)
        .platform(&standin.url())
        .args(["--yes", "acme1"])
}

fn assert_nothing_sent(standin: &StandIn) {
    assert!(standin.requests().is_empty(), "{:#?}", standin.requests());
    assert_eq!(standin.connections(), 0, "a connection was opened");
}

// ---------------------------------------------------------------------------------------------
// The environment: an unset variable expanded into another must never mean production.

/// Requests that would go to the real platform are caught by a local proxy that refuses
/// every tunnel: it must see no CONNECT at all.
fn with_catching_proxy(c: Cmd, proxy: &ConnectProxy) -> Cmd {
    c.env("https_proxy", proxy.url())
}

#[test]
fn an_empty_platform_variable_is_a_config_error_even_beside_the_flag() {
    for var in ["COVEO_PLATFORM_URL", "COVEO_REGION", "COVEO_ENVIRONMENT"] {
        let standin = StandIn::script(vec![]);
        let run = delete_as(&standin, TOKEN).env(var, "").run();
        let message = run.run_failure("config");
        assert!(message.contains(var), "{var}: {message}");
        assert_nothing_sent(&standin);
    }
}

#[test]
fn an_empty_platform_url_alone_does_not_mean_production() {
    let proxy = ConnectProxy::refusing();
    let run = with_catching_proxy(cmd().token(TOKEN), &proxy)
        .env("COVEO_PLATFORM_URL", "")
        .args(["--yes", "acme1"])
        .run();
    assert!(run.run_failure("config").contains("COVEO_PLATFORM_URL"));
    assert!(proxy.requests().is_empty(), "{:?}", proxy.requests());
}

#[test]
fn variables_that_are_not_utf8_are_config_errors_never_unset() {
    let proxy = ConnectProxy::refusing();
    for var in [
        "COVEO_PLATFORM_URL",
        "COVEO_REGION",
        "COVEO_ENVIRONMENT",
        "COVEO_TOKEN",
        "HTTPS_PROXY",
        "https_proxy",
        "all_proxy",
    ] {
        let mut c = cmd().token(TOKEN).args(["--yes", "acme1"]);
        if !var.ends_with("proxy") && !var.ends_with("PROXY") {
            c = with_catching_proxy(c, &proxy);
        }
        let run = c.env(var, not_utf8()).run();
        let message = run.run_failure("config");
        assert!(message.contains(var), "{var}: {message}");
        assert!(message.contains("UTF-8"), "{var}: {message}");
    }
    assert!(proxy.requests().is_empty(), "{:?}", proxy.requests());
}

#[test]
fn a_no_proxy_that_is_not_utf8_is_a_config_error() {
    let standin = StandIn::script(vec![]);
    let run = delete_as(&standin, TOKEN)
        .env("http_proxy", "http://127.0.0.1:9")
        .env("NO_PROXY", not_utf8())
        .run();
    assert!(run.run_failure("config").contains("NO_PROXY"));
    assert_nothing_sent(&standin);
}

#[test]
fn a_region_flag_beside_a_platform_url_variable_is_refused() {
    for flag in ["--region", "--environment"] {
        let standin = StandIn::script(vec![]);
        let value = if flag == "--region" { "eu" } else { "dev" };
        let run = cmd()
            .token(TOKEN)
            .env("COVEO_PLATFORM_URL", standin.url())
            .args([flag, value, "--yes", "acme1"])
            .run();
        let message = run.run_failure("config");
        assert!(message.contains("COVEO_PLATFORM_URL") && message.contains(flag));
        assert_nothing_sent(&standin);
    }
    // The flag --platform-url overrides them as documented.
    let standin = StandIn::script(vec![Action::status(204)]);
    let run = delete_as(&standin, TOKEN).args(["--region", "eu"]).run();
    assert_eq!(run.status, 0, "{run:#?}");
}

#[test]
fn hipaa_outside_us_is_usage_only_when_both_halves_are_flags() {
    let proxy = ConnectProxy::refusing();
    let both_flags = with_catching_proxy(cmd().token(TOKEN), &proxy)
        .args(["--region", "eu", "--environment", "hipaa", "--yes", "acme1"])
        .run();
    assert!(both_flags.run_failure("usage").contains("hipaa"));
    for (var, value, flag, flag_value) in [
        ("COVEO_REGION", "eu", "--environment", "hipaa"),
        ("COVEO_ENVIRONMENT", "hipaa", "--region", "eu"),
    ] {
        let run = with_catching_proxy(cmd().token(TOKEN), &proxy)
            .env(var, value)
            .args([flag, flag_value, "--yes", "acme1"])
            .run();
        assert!(run.run_failure("config").contains("hipaa"), "{var}");
    }
    assert!(proxy.requests().is_empty(), "{:?}", proxy.requests());
}

#[test]
fn flag_values_that_are_not_utf8_are_usage_errors_and_a_platform_url_is_config() {
    let standin = StandIn::script(vec![]);
    for flag in ["--region", "--environment", "--timeout", "--retries"] {
        let run = delete_as(&standin, TOKEN).arg(flag).arg(not_utf8()).run();
        assert!(run.run_failure("usage").contains(flag), "{run:#?}");
    }
    let run = cmd()
        .token(TOKEN)
        .args(["--yes", "--platform-url"])
        .arg(OsStr::from_bytes(b"http://127.0.0.1:\xff/"))
        .arg("acme1")
        .run();
    run.run_failure("config");
    assert_nothing_sent(&standin);
}

#[test]
fn an_id_that_is_not_utf8_is_invalid_and_nothing_is_sent() {
    let standin = StandIn::script(vec![]);
    let run = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .args(["--yes", "acme1"])
        .arg(OsStr::from_bytes(b"acme\xff2"))
        .run();
    assert_eq!(run.status, 2, "{run:#?}");
    let line = run.line();
    assert_shape(line);
    assert_eq!(line["error"]["kind"], "invalid_organization_id");
    assert_nothing_sent(&standin);
}

#[test]
fn file_paths_may_be_any_bytes() {
    let dir = temp_dir("bytes");
    let list = dir.join(OsStr::from_bytes(b"list-\xff.txt"));
    std::fs::write(&list, "acme1\n").unwrap();
    let token = dir.join(OsStr::from_bytes(b"token-\xfe"));
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let standin = StandIn::script(vec![Action::status(204)]);
    let run = cmd()
        .platform(&standin.url())
        .args(["--yes", "--from-file"])
        .arg(&list)
        .arg("--token-file")
        .arg(&token)
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(standin.requests().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_empty_ssl_cert_file_counts_as_unset() {
    // Unset, the built-in roots do not know the test CA: a TLS error, nothing sent.
    let pki = tls::pki(&[]);
    let standin = StandIn::builder()
        .tls(pki.server_config.clone())
        .script(vec![]);
    let run = delete_as(&standin, TOKEN).env("SSL_CERT_FILE", "").run();
    assert_eq!(run.status, 1, "{run:#?}");
    assert_eq!(run.line()["error"]["kind"], "tls", "{run:#?}");
    assert!(standin.requests().is_empty());
}

#[test]
fn an_ssl_cert_file_path_that_is_not_utf8_is_read() {
    let pki = tls::pki(&[]);
    let dir = temp_dir("ca");
    let ca = dir.join(OsStr::from_bytes(b"ca-\xff.pem"));
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let standin = StandIn::builder()
        .tls(pki.server_config.clone())
        .script(vec![Action::status(204)]);
    let run = delete_as(&standin, TOKEN)
        .env("SSL_CERT_FILE", ca.as_os_str())
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(standin.requests().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// Base URLs

#[test]
fn path_prefixes_with_percent_or_dot_segments_are_refused() {
    let standin = StandIn::script(vec![]);
    for prefix in ["/%2e%2e", "/a%2fb", "/./a", "/a/..", "/..", "/a/%2E%2E/b"] {
        let run = cmd()
            .token(TOKEN)
            .platform(&format!("{}{prefix}", standin.url()))
            .args(["--yes", "acme1"])
            .run();
        run.run_failure("config");
    }
    for url in [
        "http://localhost.evil.example",
        "http://127.0.0.1.evil.example",
        "http://localhostx",
    ] {
        let run = cmd()
            .token(TOKEN)
            .platform(url)
            .args(["--yes", "acme1"])
            .run();
        assert!(run.run_failure("config").contains("http://"), "{url}");
    }
    assert_nothing_sent(&standin);
}

// ---------------------------------------------------------------------------------------------
// Files

#[test]
fn a_byte_order_mark_starts_a_list_or_token_file_harmlessly() {
    let standin = StandIn::script(vec![Action::status(204), Action::status(204)]);
    let list = temp_file("bom-list.txt", b"\xEF\xBB\xBFacme1\nacme2\n");
    let token = temp_file("bom-token", format!("\u{feff}{TOKEN}\r\n").as_bytes());
    let run = cmd()
        .platform(&standin.url())
        .arg("--yes")
        .arg("--from-file")
        .arg(&list)
        .arg("--token-file")
        .arg(&token)
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    let paths: Vec<String> = standin.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        ["/rest/organizations/acme1", "/rest/organizations/acme2"]
    );
    for r in standin.requests() {
        assert_eq!(
            r.header("Authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
}

#[test]
fn token_files_are_read_no_further_than_64_kib() {
    let standin = StandIn::script(vec![Action::status(204)]);
    // /dev/zero would take all the memory and never end if read whole.
    let run = delete_as(&standin, "unused")
        .args(["--token-file", "/dev/zero"])
        .run();
    assert!(run.run_failure("config").contains("64 KiB"), "{run:#?}");
    // A first line of 64 KiB and one byte: refused.
    let long = temp_file("long-token", &b"t".repeat(64 * 1024 + 1));
    let run = delete_as(&standin, "unused")
        .arg("--token-file")
        .arg(&long)
        .run();
    run.run_failure("config");
    assert_nothing_sent(&standin);
    // A short first line followed by much more: only the first line counts.
    let mut text = format!("{TOKEN}\n").into_bytes();
    text.extend(b"#".repeat(10 * 1024 * 1024));
    let file = temp_file("token-then-more", &text);
    let run = delete_as(&standin, "unused")
        .arg("--token-file")
        .arg(&file)
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
}

#[test]
fn a_list_over_64_mib_is_refused_and_nothing_is_sent() {
    let standin = StandIn::script(vec![]);
    let run = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .args(["--yes", "--from-file", "/dev/zero"])
        .run();
    assert!(run.run_failure("config").contains("64 MiB"), "{run:#?}");
    assert_nothing_sent(&standin);
}

#[test]
fn a_list_on_stdin_over_64_mib_is_refused_and_64_mib_is_read() {
    let standin = StandIn::script(vec![]);
    let mut line = b"#".repeat(63);
    line.push(b'\n');
    let mut list = line.repeat(64 * 1024 * 1024 / 64);
    // Exactly 64 MiB of comments: read whole, nothing to do.
    let run = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .args(["--yes", "--from-file", "-"])
        .stdin(&list)
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.stdout, "");
    // One byte more, and the list is refused rather than cut.
    list.push(b'\n');
    let run = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .args(["--yes", "--from-file", "-"])
        .stdin(&list)
        .run();
    assert!(run.run_failure("config").contains("64 MiB"), "{run:#?}");
    assert_nothing_sent(&standin);
}

#[test]
fn a_token_over_8_kib_is_refused_before_anything_is_sent() {
    let standin = StandIn::script(vec![]);
    let token = "t".repeat(8 * 1024 + 1);
    let run = delete_as(&standin, &token).run();
    let message = run.run_failure("config");
    assert!(message.contains("8192"), "{message}");
    run.assert_hides(&token);
    assert_nothing_sent(&standin);
}

#[test]
fn a_leading_bearer_is_dropped_from_the_token() {
    for given in [format!("Bearer {TOKEN}"), format!("bearer  {TOKEN}\n")] {
        let standin = StandIn::script(vec![Action::status(204)]);
        let run = delete_as(&standin, &given).run();
        assert_eq!(run.status, 0, "{run:#?}");
        assert_eq!(
            standin.requests()[0].header("Authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
}

// ---------------------------------------------------------------------------------------------
// IDs

#[test]
fn an_id_given_twice_is_handled_once_at_its_first_place() {
    let standin = StandIn::script(vec![Action::status(204), Action::status(204)]);
    let run = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .args(["--yes", "acme2", "acme1", "acme2", "acme1"])
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    let ids: Vec<&str> = run
        .lines
        .iter()
        .map(|l| l["organization_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["acme2", "acme1"]);
    assert_eq!(standin.requests().len(), 2);
}

#[test]
fn a_list_line_over_4_kib_is_invalid_even_a_comment() {
    let standin = StandIn::script(vec![]);
    let mut text = b"acme1\n#".to_vec();
    text.extend(b"c".repeat(4 * 1024));
    text.extend(b"\nacme2\n");
    let list = temp_file("long-line.txt", &text);
    let run = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .arg("--yes")
        .arg("--from-file")
        .arg(&list)
        .run();
    assert_eq!(run.status, 2, "{run:#?}");
    let line = run.line();
    assert_shape(line);
    assert_eq!(line["error"]["kind"], "invalid_organization_id");
    assert!(line["error"]["message"]
        .as_str()
        .unwrap()
        .contains("line 2"));
    assert_nothing_sent(&standin);
}

#[test]
fn an_invalid_id_is_echoed_cut_to_256_characters() {
    let standin = StandIn::script(vec![]);
    let huge = format!("{}/{}", "a".repeat(300), "b".repeat(10 * 1024 * 1024));
    let list = temp_file("huge-id.txt", huge.as_bytes());
    // Too long for a command line; as a list line it is over 4 KiB, and echoed cut.
    let run = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .arg("--yes")
        .arg("--from-file")
        .arg(&list)
        .run();
    assert_eq!(run.status, 2, "{run:#?}");
    let shown = format!("{}...", "a".repeat(256));
    assert_eq!(run.line()["organization_id"], shown.as_str());
    assert!(run.stderr.contains(&shown), "{}", run.stderr);
    assert!(run.stdout.len() + run.stderr.len() < 4096, "{run:#?}");
    let arg = format!("{}/", "z".repeat(1000));
    let run = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .args(["--yes", &arg])
        .run();
    let shown = format!("{}...", "z".repeat(256));
    assert_eq!(run.line()["organization_id"], shown.as_str());
    assert_nothing_sent(&standin);
}

// ---------------------------------------------------------------------------------------------
// Answers

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
    // Before: the head overflowed the buffer, read as a lost connection, was retried, and the
    // retry's 404 said "deleted" for an organization that was never deleted.
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
    let run = cmd()
        .token(TOKEN)
        .platform(&raw.url)
        .args(["--yes", "--missing-ok", "acme1"])
        .run();
    assert_eq!(run.status, 1, "{run:#?}");
    let line = run.line();
    assert_shape(line);
    assert_eq!(line["ok"], false);
    assert_eq!(line["error"]["kind"], "protocol", "{line}");
    assert_eq!(line["attempts"], 1, "{line}");
    assert_eq!(raw.seen.lock().unwrap().len(), 1, "not retried");
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
        let run = delete_as(&standin, TOKEN).run();
        assert_eq!(run.status, 5, "{value}: {run:#?}");
        let line = run.line();
        assert_shape(line);
        assert_eq!(line["error"]["kind"], "server_error", "{line}");
        assert_eq!(line["error"]["retry_after_s"], 1_000_000_000u64, "{line}");
        assert_eq!(standin.requests().len(), 1, "{value}: gave up at once");
    }
}

/// One DELETE answered `reply`, made with the realistic token [`SECRET`]; the line and stderr
/// must not hold it.
fn answered_with_secret(reply: Reply, extra: &[&str]) -> Run {
    let standin = StandIn::script(vec![Action::Reply(reply)]);
    let run = delete_as(&standin, SECRET)
        .args(["--retries", "0"])
        .args(extra)
        .run();
    run.assert_hides(SECRET);
    run
}

#[test]
fn the_token_echoed_by_the_server_is_never_printed() {
    let oauth = format!(
        r#"{{"error":"invalid_token {SECRET}","error_description":"Invalid access token: {SECRET}"}}"#
    );
    let run = answered_with_secret(
        Reply::new(401)
            .header("X-Request-ID", &format!("req-{SECRET}"))
            .json(&oauth),
        &[],
    );
    let e = &run.line()["error"];
    assert_eq!(e["message"], "Invalid access token: [token]");
    assert_eq!(e["coveo_error_code"], "invalid_token [token]");
    assert_eq!(run.line()["request_id"], "req-[token]");
    assert!(run.stderr.contains("Invalid access token: [token]"));

    // In a body's request ID, and in a redirect's Location.
    let run = answered_with_secret(
        Reply::new(400)
            .header("X-Request-ID", "")
            .json(&format!(r#"{{"message":"m","requestID":"{SECRET}"}}"#)),
        &[],
    );
    assert_eq!(run.line()["request_id"], "[token]");
    let run = answered_with_secret(
        Reply::new(302).header("Location", &format!("https://x.example/?t={SECRET}")),
        &[],
    );
    let message = run.line()["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("https://x.example/?t=[token]"),
        "{message}"
    );
}

#[test]
fn a_display_name_holding_the_token_is_hidden() {
    let standin = StandIn::script(vec![
        Action::json(
            200,
            &format!(r#"{{"id":"acme1","displayName":"org of {SECRET}"}}"#),
        ),
        Action::json(200, r#"{"approved":true}"#),
    ]);
    let run = cmd()
        .token(SECRET)
        .platform(&standin.url())
        .args(["--dry-run", "acme1"])
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.line()["display_name"], "org of [token]");
    run.assert_hides(SECRET);
}

#[test]
fn line_separators_from_the_server_never_split_a_line() {
    let body = r#"{"message":"one\u2028two\u2029three\u0085four\nfive","errorCode":"A\u2028B"}"#;
    let run = answered_with_secret(Reply::new(409).json(body), &[]);
    for c in ['\u{2028}', '\u{2029}', '\u{85}'] {
        assert!(
            !run.stdout.contains(c),
            "raw {c:?} on stdout: {}",
            run.stdout
        );
        assert!(
            !run.stderr.contains(c),
            "raw {c:?} on stderr: {}",
            run.stderr
        );
    }
    assert_eq!(run.stdout.lines().count(), 1);
    assert_eq!(run.stderr.lines().count(), 1);
    assert_eq!(run.line()["error"]["message"], "one two three four five");
}

#[test]
fn an_invalid_id_with_line_separators_is_escaped_in_json() {
    let standin = StandIn::script(vec![]);
    let list = temp_file("seps.txt", "a\u{2028}b\n".as_bytes());
    let run = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .arg("--yes")
        .arg("--from-file")
        .arg(&list)
        .run();
    assert!(run.stdout.contains(r"a\u2028b"), "{}", run.stdout);
    assert_eq!(run.line()["organization_id"], "a\u{2028}b");
    assert!(!run.stderr.contains('\u{2028}'), "{}", run.stderr);
    assert_nothing_sent(&standin);
}

#[test]
fn a_message_left_empty_by_cleaning_falls_back_to_the_status() {
    let run = answered_with_secret(
        Reply::new(403).json(r#"{"message":"\u0001\u2028\n "}"#),
        &[],
    );
    assert_eq!(run.line()["error"]["message"], "HTTP 403 Forbidden");
    assert!(
        run.stderr.contains(": HTTP 403 Forbidden"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Read-only (paused) organizations

#[test]
fn a_paused_organization_is_read_only_with_a_hint_naming_it() {
    for code in ["ORGANIZATION_IS_PAUSED", "ORGANIZATION_READ_ONLY_MODE"] {
        let body = format!(r#"{{"message":"paused","errorCode":"{code}"}}"#);
        let standin = StandIn::script(vec![Action::json(403, &body)]);
        let run = cmd()
            .token(TOKEN)
            .platform(&standin.url())
            .args(["--yes", "pausedorg7"])
            .run();
        assert_eq!(run.status, 1, "{run:#?}");
        let line = run.line();
        assert_shape(line);
        assert_eq!(line["error"]["kind"], "read_only", "{line}");
        assert_eq!(line["error"]["coveo_error_code"], code);
        assert_eq!(line["http_status"], 403);
        assert!(
            run.stderr
                .contains("POST /rest/organizations/pausedorg7/resume"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("Administration Console"));
        assert!(!run.stderr.contains("coveo auth:login"), "no token hint");
        assert_eq!(standin.requests().len(), 1);
    }
}

#[test]
fn a_dry_run_refused_for_read_only_is_read_only() {
    let standin = StandIn::script(vec![
        Action::json(200, r#"{"id":"acme1","displayName":"A","readOnly":false}"#),
        Action::json(
            200,
            r#"{"approved":false,"evaluationReport":{"privilegeEvaluationResultCodes":["OPERATION_FORBIDDEN_FOR_ORGANIZATION_IN_READ_ONLY"]}}"#,
        ),
    ]);
    let run = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .args(["--dry-run", "acme1"])
        .run();
    assert_eq!(run.status, 1, "{run:#?}");
    assert_eq!(run.line()["error"]["kind"], "read_only");
    assert!(run.stderr.contains("/rest/organizations/acme1/resume"));
}

// ---------------------------------------------------------------------------------------------
// The CA file: bounded, and only a regular file.

/// Makes a FIFO at `path`.
fn fifo_at(path: &std::path::Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo has no other precondition.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

#[test]
fn a_ca_file_that_is_a_fifo_a_device_or_over_1_mib_is_refused_at_once() {
    let fifo = temp_dir("ca-fifo").join("ca.pem");
    fifo_at(&fifo);
    // 1 MiB of PEM comments and one byte more.
    let big = temp_file("big-ca.pem", &b"#".repeat(1024 * 1024 + 1));
    for (what, path, said) in [
        ("a FIFO", fifo.as_path(), "is not a regular file"),
        (
            "a device",
            std::path::Path::new("/dev/zero"),
            "is not a regular file",
        ),
        ("over 1 MiB", big.as_path(), "longer than 1 MiB"),
    ] {
        for (flag, var) in [(Some("--ca-file"), None), (None, Some("SSL_CERT_FILE"))] {
            let standin = StandIn::script(vec![]);
            let mut c = delete_as(&standin, TOKEN).deadline(std::time::Duration::from_secs(10));
            if let Some(flag) = flag {
                c = c.arg(flag).arg(path);
            }
            if let Some(var) = var {
                c = c.env(var, path);
            }
            let run = c.run();
            let message = run.run_failure("config");
            let origin = flag.or(var).unwrap();
            assert!(
                message.contains(origin) && message.contains(path.to_str().unwrap()),
                "{what}: {message}"
            );
            assert!(message.contains(said), "{what}: {message}");
            assert_nothing_sent(&standin);
        }
    }
}

#[test]
fn a_ca_file_of_exactly_1_mib_is_read() {
    // A valid bundle padded with text outside the PEM blocks, to exactly 1 MiB.
    let pki = tls::pki(&["localhost"]);
    let mut pem = pki.ca_pem.clone().into_bytes();
    pem.extend(std::iter::repeat_n(b'#', 1024 * 1024 - pem.len()));
    let ca_file = temp_file("exact-ca.pem", &pem);
    let standin = StandIn::builder()
        .tls(pki.server_config)
        .script(vec![Action::status(204)]);
    let run = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .args(["--yes", "--ca-file"])
        .arg(&ca_file)
        .arg("acme1")
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.line()["result"], "deleted");
}

// ---------------------------------------------------------------------------------------------
// Local text is the user's: --verbose prints it as it is.

#[test]
fn verbose_prints_a_token_file_path_as_it_is_even_when_it_holds_the_token() {
    // A path that happens to contain the token's text is the user's own: not redacted.
    let dir = temp_dir(&format!("dir-{SECRET}"));
    let file = dir.join("token");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let standin = StandIn::script(vec![Action::status(204)]);
    let run = cmd()
        .platform(&standin.url())
        .args(["--yes", "--verbose", "--token-file"])
        .arg(&file)
        .arg("acme1")
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    let first = run.stderr.lines().next().unwrap();
    assert_eq!(
        first,
        format!(
            "coveo-org-delete: token from --token-file {}; requests go to {}",
            file.display(),
            standin.url()
        )
    );
    assert_eq!(
        standin.requests()[0].header("authorization"),
        Some(format!("Bearer {SECRET}").as_str())
    );
}

#[test]
fn allow_production_goes_with_a_deletion_not_with_list() {
    let standin = StandIn::script(vec![]);
    let run = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .args(["--list", "--allow-production"])
        .run();
    let message = run.run_failure("usage");
    assert!(message.contains("--allow-production"), "{message}");
    assert_nothing_sent(&standin);
}

#[test]
fn a_listing_of_60_mib_fed_back_costs_its_ids_not_the_file() {
    // 100,000 listed lines of about 650 bytes, then a line that stops the run before anything
    // is sent. Fed through stdin, which then stays open: once all but a pipe's buffer of it
    // was written, the binary has read it, and it waits for more while its memory is read.
    let name = "n".repeat(470);
    let mut list = Vec::with_capacity(64 << 20);
    for i in 0..100_000 {
        writeln!(
            list,
            r#"{{"organization_id":"ci{i:07}","ok":true,"result":"listed","display_name":"{name}","type":"Test","created":null,"read_only":false,"lifecycle_state":"ACTIVE","owner_email":null,"error":null}}"#
        )
        .unwrap();
    }
    list.extend_from_slice(b"bad/id\n{\"organization_id\":null,\"ok\":true,\"result\":\"end_of_list\",\"listed\":100000,\"error\":null}\n");
    assert!(
        list.len() > 60 << 20 && list.len() < 64 << 20,
        "{}",
        list.len()
    );
    let standin = StandIn::script(vec![]);
    let mut child = cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .args(["--yes", "--from-file", "-"])
        .command()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&list).expect("the binary reads its list");
    let peak = crate::support::peak_rss_kib(child.id());
    drop(stdin);
    let out =
        crate::support::bin::wait_within(child, Vec::new(), std::time::Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(2), "the invalid ID stops the run");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("bad/id"),
        "{:?}",
        out.stdout
    );
    assert!(
        peak < 32 * 1024,
        "peak RSS {peak} KiB with a 60 MiB list read"
    );
    assert_nothing_sent(&standin);
}

#[test]
fn an_empty_proxy_variable_counts_as_unset_as_in_curl() {
    // Empty alone: direct.
    let standin = StandIn::script(vec![Action::status(204)]);
    let run = delete_as(&standin, TOKEN).env("http_proxy", "").run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
    // Empty before a set one: the set one is used (here a proxy that refuses everything).
    let proxy = ConnectProxy::refusing();
    let standin = StandIn::script(vec![]);
    let run = delete_as(&standin, TOKEN)
        .env("http_proxy", "")
        .env("HTTP_PROXY", proxy.url())
        .args(["--retries", "0"])
        .run();
    assert_eq!(run.status, 5, "{run:#?}");
    assert_eq!(run.line()["error"]["kind"], "connection", "{run:#?}");
    assert_eq!(proxy.requests().len(), 1, "{:?}", proxy.requests());
    assert_nothing_sent(&standin);
}

//! Hostile input and hostile answers: what a script's mistakes and a misbehaving server must
//! never cause (a request to a place the user did not choose, a token in any output, a
//! panic, an unbounded read, a line that claims what did not happen). Each test runs the real
//! binary and checks what the server received as well as what was printed.

use crate::support::assert_nothing_sent;
use crate::support::bin::{assert_shape, cmd, Cmd, Run};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::{Action, Reply, StandIn};
use crate::support::tls;
use crate::support::{temp_dir, temp_file};
use std::ffi::OsStr;
use std::io::Write;
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

// ---------------------------------------------------------------------------------------------
// The environment: an unset variable expanded into another must never mean production.

/// Requests that would go to the real platform are caught by a local proxy that refuses
/// every tunnel: it must see no CONNECT at all.
fn with_catching_proxy(c: Cmd, proxy: &ConnectProxy) -> Cmd {
    c.env("https_proxy", proxy.url())
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

// ---------------------------------------------------------------------------------------------
// IDs

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
        ("over 1 MiB", big.as_path(), "longer than 1024 KiB"),
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

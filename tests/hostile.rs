//! Hostile input and hostile answers: what a script's mistakes and a misbehaving server must
//! never cause: a request to a place the user did not choose, an organization ID that is no
//! ID, a read without a bound, a token in any output, a line that a server's text splits or
//! empties. Each test runs the real binary and checks what the server received (nothing, where
//! nothing may be sent) as well as what was printed.

use crate::support::bin::{against, cmd, with_secret, Cmd, Run};
use crate::support::line::{
    containing, deleted, expect_line, failed, parse_lines, succeeded, Set, ANY, SOME,
};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::{Action, Reply, StandIn};
use crate::support::tls::pki;
use crate::support::{
    assert_nothing_sent, fifo_at, list_file, not_utf8, path_str, platform, temp_dir, temp_file,
    tls_standin, SECRET, TOKEN,
};
use serde_json::{json, Value};
use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;

// ---------------------------------------------------------------------------------------------
// Helpers

/// `--yes acme1` against `standin`, with `COVEO_TOKEN` the platform's [`TOKEN`].
fn yes_acme1(standin: &StandIn) -> Cmd {
    against(&standin.url()).args(["--yes", "acme1"])
}

/// `--yes --from-file LIST` against `standin`, with the platform's [`TOKEN`].
fn delete_list(standin: &StandIn, list: &std::path::Path) -> Run {
    against(&standin.url())
        .arg("--yes")
        .arg("--from-file")
        .arg(list)
        .run()
}

/// A value that is not UTF-8: `eu` and a byte no UTF-8 text holds.
fn bad_utf8() -> &'static OsStr {
    OsStr::from_bytes(b"eu\xff")
}

/// The line of an organization ID refused before anything was sent (shown as `shown`).
fn invalid_line(shown: &str) -> Value {
    failed(shown, "invalid_organization_id", Value::Null, 0)
}

/// The line of `id` deleted by one attempt answered 204.
fn deleted_line(id: &str) -> Value {
    deleted(id)
}

// ---------------------------------------------------------------------------------------------
// The environment and the command line, as the bytes they are

/// A value that is not UTF-8 is an error naming the variable, never read as unset: an unset
/// variable would mean the production platform, or no proxy.
#[test]
fn a_variable_that_is_not_utf8_is_a_config_error_never_unset() {
    // Requests that would go to the real platform are caught by a local proxy that refuses
    // every tunnel: it must see nothing at all.
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
            c = c.env("https_proxy", proxy.url());
        }
        let run = c.env(var, bad_utf8()).run();
        let message = run.run_failure("config");
        assert!(message.contains(var), "{var}: {message}");
        assert!(message.contains("UTF-8"), "{var}: {message}");
    }
    for (var, value) in [
        ("COVEO_PLATFORM_URL", not_utf8("https://gw.example/")),
        ("COVEO_REGION", not_utf8("eu")),
        ("COVEO_ENVIRONMENT", not_utf8("dev")),
    ] {
        let run = cmd()
            .token(SECRET)
            .env(var, value)
            .env("https_proxy", proxy.url())
            .args(["--yes", "acme1"])
            .run();
        run.assert_hides(SECRET);
        let message = run.run_failure("config");
        assert!(message.contains(var), "{var}: {message}");
    }
    assert_nothing_sent(&proxy);

    let s = StandIn::script(vec![]);
    let run = cmd()
        .env("COVEO_TOKEN", not_utf8("tok-SECRET"))
        .platform(&s.url())
        .args(["--yes", "acme1"])
        .run();
    let message = run.run_failure("config");
    assert!(message.contains("COVEO_TOKEN"), "{message}");
    run.assert_hides("SECRET");
    assert_nothing_sent(&s);

    let ca = pki(&["localhost"]);
    let tls = tls_standin(&ca, vec![]);
    let ca_file = ca.ca_file();
    let run = cmd()
        .token(SECRET)
        .env("HTTPS_PROXY", not_utf8("http://proxy.example:3128"))
        .platform(&tls.url())
        .args(["--yes", "--ca-file", path_str(&ca_file), "acme1"])
        .run();
    run.assert_hides(SECRET);
    let message = run.run_failure("config");
    assert!(message.contains("HTTPS_PROXY"), "{message}");
    assert_nothing_sent(&tls);
}

#[test]
fn flag_values_that_are_not_utf8_are_usage_errors_and_a_platform_url_is_config() {
    let standin = StandIn::script(vec![]);
    for flag in ["--region", "--environment", "--timeout", "--retries"] {
        let run = yes_acme1(&standin).arg(flag).arg(bad_utf8()).run();
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
    let pki = pki(&[]);
    let dir = temp_dir("ca");
    let ca = dir.join(OsStr::from_bytes(b"ca-\xff.pem"));
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let standin = StandIn::builder()
        .tls(pki.server_config.clone())
        .script(vec![Action::status(204)]);
    let run = yes_acme1(&standin)
        .env("SSL_CERT_FILE", ca.as_os_str())
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(standin.requests().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// Organization IDs that are no IDs: refused, and nothing sent

fn hostile_ids() -> Vec<String> {
    let mut ids: Vec<String> = [
        "../x", "a/b", "a?b", "%2e%2e", "a b", "a\nb", "a#b", "a.b", "..", "a\\b", "a%2Fb", "é",
        "a\tb", "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    ids.push("a".repeat(300));
    ids.push("a".repeat(256));
    ids
}

#[test]
fn each_hostile_id_is_refused_and_nothing_is_sent() {
    for id in hostile_ids() {
        let standin = StandIn::script(vec![]);
        let run = with_secret(&standin.url())
            .args(["--yes", id.as_str()])
            .run();
        assert_eq!(run.status, 2, "{id:?}: {run:#?}");
        // An invalid ID is echoed cut to 256 characters.
        let shown = if id.chars().count() > 256 {
            format!("{}...", &id[..256])
        } else {
            id.clone()
        };
        expect_line(run.line(), invalid_line(&shown));
        let err = run.stderr_lines();
        assert_eq!(err.len(), 1, "{id:?}: one human line: {:?}", run.stderr);
        assert!(
            err[0].starts_with("coveo-org-delete: ") && err[0].contains("invalid_organization_id"),
            "{id:?}: {}",
            err[0]
        );
        assert_nothing_sent(&standin);
        run.assert_hides(SECRET);
    }
}

#[test]
fn one_invalid_id_among_valid_ones_stops_everything_and_only_invalid_ids_get_lines() {
    let standin = StandIn::script(vec![]);
    let run = with_secret(&standin.url())
        .args([
            "--yes", "good1", "../x", "good-2", "a/b", "%2e%2e", "good_3",
        ])
        .run();
    assert_eq!(run.status, 2, "{run:#?}");
    assert_eq!(run.lines.len(), 3, "{run:#?}");
    for (line, id) in run.lines.iter().zip(["../x", "a/b", "%2e%2e"]) {
        expect_line(line, invalid_line(id));
    }
    run.assert_stderr_failures(&[
        ("../x", "invalid_organization_id"),
        ("a/b", "invalid_organization_id"),
        ("%2e%2e", "invalid_organization_id"),
    ]);
    assert_nothing_sent(&standin);
}

#[test]
fn an_id_that_is_not_utf8_is_refused_and_nothing_is_sent() {
    // Alone, and after a valid one: one line, for it.
    for before in [&[][..], &["acme1"][..]] {
        let standin = StandIn::script(vec![]);
        let run = against(&standin.url())
            .arg("--yes")
            .args(before)
            .arg(OsStr::from_bytes(b"a\xffb"))
            .run();
        assert_eq!(run.status, 2, "{run:#?}");
        expect_line(run.line(), invalid_line(SOME));
        assert_eq!(run.stderr_lines().len(), 1, "{}", run.stderr);
        assert_nothing_sent(&standin);
    }
}

#[test]
fn an_invalid_id_anywhere_in_a_list_sends_nothing() {
    let long = "a".repeat(256);
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("bad/one\nacme1\nacme2\n".into(), vec!["bad/one"]),
        (
            "acme1\n../etc\nacme2\n# comment\nhas.dot\nacme3\n".into(),
            vec!["../etc", "has.dot"],
        ),
        ("acme1\nacme2\n  with space  \n".into(), vec!["with space"]),
        (format!("acme1\n{long}\n"), vec![long.as_str()]),
        (
            "acme1\nacm\u{e9}\nacme2%2f\n".into(),
            vec!["acm\u{e9}", "acme2%2f"],
        ),
    ];
    for (contents, invalid) in &cases {
        for from_stdin in [false, true] {
            let standin = StandIn::platform(platform());
            let c = against(&standin.url()).arg("--yes");
            let r = if from_stdin {
                c.args(["--from-file", "-"])
                    .stdin(contents.as_bytes())
                    .run()
            } else {
                c.args(["--from-file", &list_file(contents)]).run()
            };
            assert_eq!(r.lines.len(), invalid.len(), "{contents:?}: {r:#?}");
            for (line, id) in r.lines.iter().zip(invalid) {
                expect_line(line, invalid_line(id));
            }
            assert_eq!(r.status, 2, "{contents:?}");
            assert_eq!(r.stderr_lines().len(), invalid.len(), "{}", r.stderr);
            assert_nothing_sent(&standin);
            assert_eq!(
                standin.remaining_orgs(),
                ["acme1", "acme2", "acme3", "paused"]
            );
        }
    }
}

#[test]
fn a_list_line_over_4_kib_is_invalid_even_a_comment() {
    let standin = StandIn::script(vec![]);
    let mut text = b"acme1\n#".to_vec();
    text.extend(b"c".repeat(4 * 1024));
    text.extend(b"\nacme2\n");
    let list = temp_file("long-line.txt", &text);
    let run = delete_list(&standin, &list);
    assert_eq!(run.status, 2, "{run:#?}");
    let want = invalid_line(ANY).set("error.message", containing("line 2"));
    expect_line(run.line(), want);
    assert_nothing_sent(&standin);
}

#[test]
fn an_invalid_id_is_echoed_cut_to_256_characters() {
    let standin = StandIn::script(vec![]);
    let huge = format!("{}/{}", "a".repeat(300), "b".repeat(10 * 1024 * 1024));
    let list = temp_file("huge-id.txt", huge.as_bytes());
    // Too long for a command line; as a list line it is over 4 KiB, and echoed cut.
    let run = delete_list(&standin, &list);
    assert_eq!(run.status, 2, "{run:#?}");
    let shown = format!("{}...", "a".repeat(256));
    expect_line(run.line(), invalid_line(&shown));
    assert!(run.stderr.contains(&shown), "{}", run.stderr);
    assert!(run.stdout.len() + run.stderr.len() < 4096, "{run:#?}");
    let arg = format!("{}/", "z".repeat(1000));
    let run = against(&standin.url()).args(["--yes", &arg]).run();
    expect_line(run.line(), invalid_line(&format!("{}...", "z".repeat(256))));
    assert_nothing_sent(&standin);
}

#[test]
fn an_invalid_id_with_line_separators_is_escaped_in_json() {
    let standin = StandIn::script(vec![]);
    let list = temp_file("seps.txt", "a\u{2028}b\n".as_bytes());
    let run = delete_list(&standin, &list);
    assert!(run.stdout.contains(r"a\u2028b"), "{}", run.stdout);
    expect_line(run.line(), invalid_line("a\u{2028}b"));
    assert!(!run.stderr.contains('\u{2028}'), "{}", run.stderr);
    assert_nothing_sent(&standin);
}

// ---------------------------------------------------------------------------------------------
// Files: read no further than their bound, and only regular files where it matters

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
    let run = yes_acme1(&standin)
        .token("unused")
        .args(["--token-file", "/dev/zero"])
        .run();
    assert!(run.run_failure("config").contains("64 KiB"), "{run:#?}");
    // A first line of 64 KiB and one byte: refused.
    let long = temp_file("long-token", &b"t".repeat(64 * 1024 + 1));
    let run = yes_acme1(&standin)
        .token("unused")
        .arg("--token-file")
        .arg(&long)
        .run();
    run.run_failure("config");
    assert_nothing_sent(&standin);
    // A short first line followed by much more: only the first line counts.
    let mut text = format!("{TOKEN}\n").into_bytes();
    text.extend(b"#".repeat(10 * 1024 * 1024));
    let file = temp_file("token-then-more", &text);
    let run = yes_acme1(&standin)
        .token("unused")
        .arg("--token-file")
        .arg(&file)
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
}

#[test]
fn a_list_over_64_mib_is_refused_and_nothing_is_sent() {
    let standin = StandIn::script(vec![]);
    let run = against(&standin.url())
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
    let run = against(&standin.url())
        .args(["--yes", "--from-file", "-"])
        .stdin(&list)
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.stdout, "");
    // One byte more, and the list is refused rather than cut.
    list.push(b'\n');
    let run = against(&standin.url())
        .args(["--yes", "--from-file", "-"])
        .stdin(&list)
        .run();
    assert!(run.run_failure("config").contains("64 MiB"), "{run:#?}");
    assert_nothing_sent(&standin);
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
            let mut c = yes_acme1(&standin).deadline(std::time::Duration::from_secs(10));
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
    let pki = pki(&["localhost"]);
    let mut pem = pki.ca_pem.clone().into_bytes();
    pem.extend(std::iter::repeat_n(b'#', 1024 * 1024 - pem.len()));
    let ca_file = temp_file("exact-ca.pem", &pem);
    let standin = StandIn::builder()
        .tls(pki.server_config)
        .script(vec![Action::status(204)]);
    let run = against(&standin.url())
        .args(["--yes", "--ca-file"])
        .arg(&ca_file)
        .arg("acme1")
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    expect_line(run.line(), deleted_line("acme1"));
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
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
    let mut child = against(&standin.url())
        .args(["--yes", "--from-file", "-"])
        .command()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Written on a thread, so that a binary that stopped reading fails the test at a deadline
    // instead of holding it; either way the child is killed.
    let mut stdin = child.stdin.take().unwrap();
    let (done, written) = std::sync::mpsc::channel();
    let writer = std::thread::spawn(move || {
        let result = stdin.write_all(&list);
        let _ = done.send(result.map(|()| stdin));
    });
    let stdin = match written.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(Ok(stdin)) => stdin,
        failed => {
            crate::support::bin::kill_and_reap(&mut child);
            panic!("the binary did not read its list: {failed:?}");
        }
    };
    let _ = writer.join();
    let peak = crate::support::peak_rss_kib(child.id());
    drop(stdin);
    let out =
        crate::support::bin::wait_within(child, Vec::new(), std::time::Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(2), "the invalid ID stops the run");
    let lines = parse_lines(&String::from_utf8(out.stdout).expect("UTF-8"));
    assert_eq!(lines.len(), 1, "{lines:?}");
    expect_line(&lines[0], invalid_line("bad/id"));
    assert!(
        peak < 32 * 1024,
        "peak RSS {peak} KiB with a 60 MiB list read"
    );
    assert_nothing_sent(&standin);
}

// ---------------------------------------------------------------------------------------------
// The token never shows, whatever the server echoes

/// One DELETE answered `reply`, made with the realistic token [`SECRET`]; the line and stderr
/// must not hold it.
fn answered_with_secret(reply: Reply) -> Run {
    let standin = StandIn::script(vec![Action::Reply(reply)]);
    let run = with_secret(&standin.url())
        .args(["--yes", "--retries", "0", "acme1"])
        .run();
    run.assert_hides(SECRET);
    run
}

/// The line of `acme1` refused with `status` after one attempt.
fn refused_line(status: u16, kind: &str, message: &str, code: Value, request_id: Value) -> Value {
    failed("acme1", kind, status, 1)
        .set("request_id", request_id)
        .set("error.message", message)
        .set("error.coveo_error_code", code)
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
    );
    expect_line(
        run.line(),
        refused_line(
            401,
            "unauthorized",
            "Invalid access token: [token]",
            json!("invalid_token [token]"),
            json!("req-[token]"),
        ),
    );
    assert!(run.stderr.contains("Invalid access token: [token]"));

    // In a body's request ID, and in a redirect's Location.
    let run = answered_with_secret(
        Reply::new(400)
            .header("X-Request-ID", "")
            .json(&format!(r#"{{"message":"m","requestID":"{SECRET}"}}"#)),
    );
    expect_line(
        run.line(),
        refused_line(400, "unexpected_status", "m", Value::Null, json!("[token]")),
    );
    let run = answered_with_secret(
        Reply::new(302).header("Location", &format!("https://x.example/?t={SECRET}")),
    );
    expect_line(
        run.line(),
        refused_line(
            302,
            "unexpected_status",
            &containing("https://x.example/?t=[token]"),
            Value::Null,
            json!(SOME),
        ),
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
    let run = with_secret(&standin.url())
        .args(["--dry-run", "acme1"])
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    expect_line(
        run.line(),
        succeeded("acme1", "would_delete", 200, 2)
            .set("dry_run", true)
            .set("display_name", "org of [token]"),
    );
    run.assert_hides(SECRET);
}

/// Local text is the user's: `--verbose` prints it as it is.
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

// ---------------------------------------------------------------------------------------------
// A server's text: cleaned to one line, never emptied

#[test]
fn line_separators_from_the_server_are_escaped_in_json_and_left_out_on_stderr() {
    let body = r#"{"message":"one\u2028two\u2029three\u0085four\nfive\u007f\u001b[2J","errorCode":"A\u2028B"}"#;
    let run = answered_with_secret(Reply::new(409).json(body));
    for c in ['\u{2028}', '\u{2029}', '\u{85}', '\u{1b}', '\u{7f}'] {
        run.assert_hides(&c.to_string());
    }
    assert_eq!(run.stdout.lines().count(), 1);
    assert_eq!(run.stderr.lines().count(), 1);
    for escaped in [r"\u2028", r"\u2029", r"\u0085", r"\n", r"\u001b", r"\u007f"] {
        assert!(run.stdout.contains(escaped), "{escaped}: {}", run.stdout);
    }
    expect_line(
        run.line(),
        refused_line(
            409,
            "unexpected_status",
            "one\u{2028}two\u{2029}three\u{85}four\nfive\u{7f}\u{1b}[2J",
            json!("A\u{2028}B"),
            json!(SOME),
        ),
    );
    assert!(
        run.stderr.contains("(HTTP 409 AB): onetwothreefourfive[2J"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_message_left_empty_by_cleaning_falls_back_to_the_status() {
    let run = answered_with_secret(Reply::new(403).json(r#"{"message":"\u0001\u2028\n "}"#));
    expect_line(
        run.line(),
        refused_line(
            403,
            "forbidden",
            "HTTP 403 Forbidden",
            Value::Null,
            json!(SOME),
        ),
    );
    assert!(
        run.stderr.contains(": HTTP 403 Forbidden"),
        "{}",
        run.stderr
    );
}

//! Checks of the support code itself: the stand-in and the proxy over raw sockets, a run past
//! its deadline, `expect_line`, the screen model of a terminal, the HTTP-date (run inside
//! `tests/cli.rs`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use super::proxy::ConnectProxy;
use super::standin::{Action, Platform, Reply, StandIn};
use super::tls;

const LIMIT: Duration = Duration::from_secs(10);

/// Status, headers (lower-cased names) and body of one answer read from `s`.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn read_answer(s: &mut impl Read) -> Answer {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).expect("read head"), 1, "EOF inside head");
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).expect("utf-8 head");
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap()[9..12].parse().expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).expect("read body");
    Answer {
        status,
        headers,
        body: String::from_utf8(body).expect("utf-8 body"),
    }
}

fn send(s: &mut impl Write, method: &str, path: &str, token: &str, body: &str) {
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).expect("write request");
}

fn connect(standin: &StandIn) -> TcpStream {
    let s = TcpStream::connect(standin.addr()).expect("connect");
    s.set_read_timeout(Some(LIMIT)).unwrap();
    s
}

#[test]
fn platform_delete_then_repeat_is_404() {
    let standin = StandIn::platform(Platform::new().org("acme1", "Acme"));
    // Each DELETE on a connection of its own.
    let delete = || {
        let mut s = connect(&standin);
        let path = "/rest/organizations/acme1";
        send(&mut s, "DELETE", path, "demo-token", "");
        let a = read_answer(&mut s);
        (s, a)
    };
    let (_, a) = delete();
    assert_eq!(a.status, 204);
    assert_eq!(a.header("x-request-id").map(str::len), Some(36));

    let (mut s, a) = delete();
    assert_eq!(a.status, 404);
    let body: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(body["errorCode"], "ORGANIZATION_NOT_FOUND");
    assert_eq!(body["requestID"].as_str(), a.header("x-request-id"));

    send(&mut s, "GET", "/rest/organizations/acme1", "nope", "");
    let a = read_answer(&mut s);
    assert_eq!(a.status, 401);
    assert!(a.body.contains("invalid_token"), "{}", a.body);
    assert!(standin.remaining_orgs().is_empty());
    assert_eq!(standin.requests().len(), 3);
    standin.assert_no_violations();
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let standin = StandIn::script(vec![
        Action::Reply(Reply::new(503).html("<html>busy</html>")),
        Action::Reply(Reply::new(204).header("X-Request-ID", "")),
    ]);
    let mut s = connect(&standin);
    send(&mut s, "POST", "/a", "t", "hello");
    let a = read_answer(&mut s);
    assert_eq!((a.status, a.body.as_str()), (503, "<html>busy</html>"));
    send(&mut s, "DELETE", "/b", "t", "");
    let a = read_answer(&mut s);
    assert_eq!(a.status, 204);
    assert_eq!(a.header("x-request-id"), None);

    standin.wait_for_requests(2, LIMIT);
    let reqs = standin.requests();
    assert_eq!(reqs[0].body, b"hello");
    assert_eq!(reqs[1].header("AUTHORIZATION"), Some("Bearer t"));
    assert_eq!((reqs[0].connection, reqs[1].connection), (0, 0));
    assert_eq!(standin.connections(), 1);
    standin.assert_no_violations();
}

#[test]
fn scripted_close_sends_nothing() {
    let standin = StandIn::script(vec![Action::Close]);
    let mut s = connect(&standin);
    send(&mut s, "DELETE", "/rest/organizations/x", "t", "");
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).expect("clean close");
    assert!(rest.is_empty(), "got {rest:?}");
    assert_eq!(standin.requests().len(), 1);
}

#[test]
fn tls_platform_through_connect_proxy() {
    let pki = tls::pki(&["platform-eu.cloud.coveo.com"]);
    let standin = StandIn::builder()
        .tls(Arc::clone(&pki.server_config))
        .platform(Platform::new().org("acme1", "Acme"));
    assert!(standin.url().starts_with("https://localhost:"));
    let proxy = ConnectProxy::start(standin.addr());

    let mut tcp = TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
    tcp.set_read_timeout(Some(LIMIT)).unwrap();
    let connect = "CONNECT platform-eu.cloud.coveo.com:443 HTTP/1.1\r\nHost: platform-eu.cloud.coveo.com:443\r\n\r\n";
    tcp.write_all(connect.as_bytes()).unwrap();
    assert_eq!(read_answer(&mut tcp).status, 200);

    let name = rustls::pki_types::ServerName::try_from("platform-eu.cloud.coveo.com").unwrap();
    let conn = rustls::ClientConnection::new(pki.client_config(), name).unwrap();
    let mut s = rustls::StreamOwned::new(conn, tcp);
    send(&mut s, "GET", "/rest/organizations/acme1", "demo-token", "");
    let a = read_answer(&mut s);
    assert_eq!(a.status, 200);
    assert!(a.body.contains(r#""displayName":"Acme""#), "{}", a.body);
    assert_eq!(proxy.requests(), vec![connect.to_string()]);
}

#[test]
fn proxy_refuses_only_the_requests_it_was_told_to() {
    let standin = StandIn::script(vec![Action::status(204), Action::status(204)]);
    let proxy = ConnectProxy::refusing_only(standin.addr(), &[2]);
    let connect = "CONNECT localhost:1 HTTP/1.1\r\nHost: localhost:1\r\n\r\n";
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let mut tcp = TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
        tcp.set_read_timeout(Some(LIMIT)).unwrap();
        tcp.write_all(connect.as_bytes()).unwrap();
        let status = read_answer(&mut tcp).status;
        if status == 200 {
            send(&mut tcp, "DELETE", "/rest/organizations/x", "t", "");
            assert_eq!(read_answer(&mut tcp).status, 204);
        }
        statuses.push(status);
    }
    assert_eq!(statuses, [200, 403, 200]);
    assert_eq!(proxy.requests().len(), 3);
    assert_eq!(standin.requests().len(), 2);
}

#[test]
fn a_run_past_its_deadline_is_killed_and_fails_with_what_it_printed() {
    let silent = StandIn::silent();
    let url = silent.url();
    let started = std::time::Instant::now();
    let failed = std::panic::catch_unwind(|| {
        super::bin::cmd()
            .token("t")
            .platform(&url)
            .args([
                "--yes",
                "--verbose",
                "--timeout",
                "60",
                "--retries",
                "0",
                "acme1",
            ])
            .deadline(Duration::from_millis(500))
            .run()
    });
    let why = failed.expect_err("the run must fail at its deadline");
    let why = why
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_else(|| format!("{why:?}"));
    assert!(why.contains("still running after 500ms"), "{why}");
    assert!(why.contains("stderr so far"), "{why}");
    assert!(started.elapsed() < LIMIT, "took {:?}", started.elapsed());
    silent.wait_for_connections(1, LIMIT);
}

#[test]
fn expect_line_compares_every_field_and_its_placeholders() {
    use super::line::{between, containing, expect_line, one_of, starting_with, ANY, SOME};
    use serde_json::json;
    let line = json!({
        "organization_id": "acme1", "ok": false, "result": "error", "dry_run": false,
        "http_status": 503, "attempts": 2, "elapsed_ms": 12, "request_id": "rid-1",
        "display_name": null,
        "error": {"kind": "server_error", "message": "HTTP 503 Service Unavailable",
                  "coveo_error_code": null, "retry_after_s": 30}
    });
    let expected = || {
        json!({
            "organization_id": "acme1", "ok": false, "result": "error", "dry_run": false,
            "http_status": 503, "attempts": between(1, 2), "elapsed_ms": ANY,
            "request_id": SOME, "display_name": ANY,
            "error": {"kind": one_of(&["timeout", "server_error"]),
                      "message": starting_with("HTTP 503"), "coveo_error_code": null,
                      "retry_after_s": 30}
        })
    };
    expect_line(&line, expected());
    let fails = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut want = expected();
        change(&mut want);
        std::panic::catch_unwind(|| expect_line(&line, want)).is_err()
    };
    // A value, a matcher, a field left out, a field too many, in the error object too.
    assert!(fails(&|w| w["http_status"] = json!(502)));
    assert!(fails(&|w| w["attempts"] = json!(between(3, 4))));
    assert!(fails(&|w| w["error"]["message"] = json!(containing("504"))));
    assert!(fails(&|w| w["error"]["kind"] = json!(one_of(&["timeout"]))));
    assert!(fails(&|w| w["display_name"] = json!(SOME)));
    assert!(fails(&|w| {
        w.as_object_mut().unwrap().remove("elapsed_ms");
    }));
    assert!(fails(&|w| w["extra"] = json!(ANY)));
    assert!(fails(&|w| {
        w["error"].as_object_mut().unwrap().remove("retry_after_s");
    }));
    // A line of no known shape fails whatever is expected.
    let odd = json!({"organization_id": "acme1"});
    assert!(
        std::panic::catch_unwind(|| expect_line(&odd, json!({"organization_id": "acme1"})))
            .is_err()
    );
}

#[test]
fn the_screen_model_shows_what_a_terminal_shows() {
    // A row overwritten after `\r` and erased, and a line glued to a status line.
    assert_eq!(
        super::pty::screen(b"\r\x1b[K[1/2] deleting a\r\x1b[K{\"x\":1}\r\n[2/2]\r\x1b[Kdone\r\n"),
        ["{\"x\":1}", "done"]
    );
    assert_eq!(
        super::pty::screen(b"[1/3] deleting acme1{\"organization_id\":1}\n"),
        ["[1/3] deleting acme1{\"organization_id\":1}"]
    );
    assert_eq!(super::pty::screen(b"abcdef\rXY\n"), ["XYcdef"]);
}

#[test]
fn imf_fixdate_helper_formats_known_dates() {
    let at = |s: u64| super::imf_fixdate(std::time::UNIX_EPOCH + Duration::from_secs(s));
    assert_eq!(at(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(at(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(at(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
}

//! Deleting organizations, as a script does it: the one request sent for each, what each
//! answer of the platform means (its kind, message, code, request ID and exit status),
//! `--missing-ok`, several organizations and lists (`--from-file`), and the confirmation a run
//! without a terminal cannot give. Every test runs the compiled binary against a stand-in
//! platform on a real socket and checks the JSON lines, the exit status, stderr, and what the
//! stand-in received (or that it received nothing).

use crate::support::bin::{against, cmd, delete_at, Run};
use crate::support::line::{containing, expect_line, failed, starting_with, succeeded, Set, SOME};
use crate::support::standin::{Action, Platform, Reply, Request, StandIn};
use crate::support::{assert_nothing_sent, list_file, missing_path, platform, SECRET, TOKEN};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const VERSION: &str = env!("CARGO_PKG_VERSION");

// ---------------------------------------------------------------------------------------------
// Helpers

/// A successful line of `id` with this result and HTTP status after one attempt, the request
/// ID `request_id` (a string, or `SOME` for one the stand-in made up).
fn ok_line(id: &str, result: &str, status: u16, request_id: &str) -> Value {
    succeeded(id, result, status, 1).set("request_id", request_id)
}

/// A failed line of `id` after one attempt answered `status`.
fn error_line(id: &str, status: u16, kind: &str, message: &str, code: Value) -> Value {
    failed(id, kind, status, 1)
        .set("error.message", message)
        .set("error.coveo_error_code", code)
}

/// The line of `acme1` refused with a 403 `ACCESS_DENIED` and this message.
fn forbidden(message: &str) -> Value {
    error_line("acme1", 403, "forbidden", message, json!("ACCESS_DENIED"))
}

/// The one request the stand-in received: a DELETE of `path`.
fn only_delete(standin: &StandIn, path: &str) -> Request {
    let reqs = standin.requests();
    assert_eq!(reqs.len(), 1, "requests: {reqs:#?}");
    assert_eq!(reqs[0].method, "DELETE");
    assert_eq!(reqs[0].path, path);
    standin.assert_no_violations();
    reqs[0].clone()
}

/// The DELETE of `id` as the tool must send it: method, path, the token, no body.
fn assert_delete_request(r: &Request, id: &str) {
    assert_eq!(r.method, "DELETE");
    assert_eq!(r.path, format!("/rest/organizations/{id}"));
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(r.body.is_empty(), "DELETE with a body: {:?}", r.body_text());
}

/// The organization IDs of the lines, in order.
fn ids_of(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["organization_id"].as_str().unwrap_or("<null>").to_owned())
        .collect()
}

/// What the line and stderr of a failed DELETE must say.
struct Expect<'a> {
    kind: &'a str,
    message: &'a str,
    code: Option<&'a str>,
    request_id: Option<&'a str>,
    exit: i32,
}

/// Answers a single DELETE of `acme1` with `reply` (no retries) and checks everything a
/// script sees: the JSON line, the stderr line, the exit status, and the one request.
fn answer_maps_to(reply: Reply, e: Expect) -> Run {
    let status = reply.status;
    answered(&StandIn::script(vec![Action::Reply(reply)]), status, e)
}

/// A DELETE of `acme1` (no retries) that `standin` answers with `status` and what `e` says
/// (its message may be a matcher: stderr must then hold the line's own message).
fn answered(standin: &StandIn, status: u16, e: Expect) -> Run {
    let run = delete_at(&standin.url(), &["--retries", "0", "acme1"]);
    assert_eq!(run.status, e.exit, "{run:#?}");
    expect_line(
        run.line(),
        error_line("acme1", status, e.kind, e.message, json!(e.code))
            .set("request_id", e.request_id),
    );

    // coveo-org-delete: ORG_ID: KIND (HTTP 403 ACCESS_DENIED): message [request ID]
    let paren = match e.code {
        Some(c) => format!("(HTTP {status} {c})"),
        None => format!("(HTTP {status})"),
    };
    let message = run.line()["error"]["message"].as_str().unwrap_or_default();
    let mut want = format!("coveo-org-delete: acme1: {} {paren}: {message}", e.kind);
    if let Some(id) = e.request_id {
        want.push_str(&format!(" [request {id}]"));
    }
    run.assert_stderr_starts(&[&want]);

    only_delete(standin, "/rest/organizations/acme1");
    run.assert_hides(SECRET);
    run
}

// ---------------------------------------------------------------------------------------------
// The request

#[test]
fn success_sends_one_bare_delete_with_the_three_headers() {
    let standin = StandIn::script(vec![Action::Reply(
        Reply::new(204).header("X-Request-ID", "rid-success-1"),
    )]);
    let run = delete_at(&standin.url(), &["acme1"]);

    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(
        run.stderr, "",
        "nothing on stderr on success without --verbose"
    );
    assert!(run.stdout.ends_with('\n'), "{:?}", run.stdout);
    expect_line(
        run.line(),
        ok_line("acme1", "deleted", 204, "rid-success-1"),
    );

    let req = only_delete(&standin, "/rest/organizations/acme1");
    assert_eq!(req.connection, 0);
    assert_eq!(
        req.header("Authorization"),
        Some(format!("Bearer {SECRET}").as_str())
    );
    assert_eq!(req.header("Accept"), Some("application/json"));
    assert_eq!(
        req.header("User-Agent"),
        Some(format!("coveo-org-delete/{VERSION}").as_str())
    );
    assert!(req.body.is_empty(), "body: {:?}", req.body_text());
    assert!(
        req.header("Content-Length").is_none_or(|v| v == "0"),
        "Content-Length: {:?}",
        req.header("Content-Length")
    );
    assert!(req.header("Transfer-Encoding").is_none(), "{req:#?}");
    assert!(req.header("Content-Type").is_none(), "{req:#?}");
    run.assert_hides(SECRET);
}

/// The client's buffers are sized down from ureq's defaults: a long user token (a JWT of
/// several KiB) must still fit the request, and a bulky answer head the response.
#[test]
fn a_long_token_and_a_bulky_answer_head_fit() {
    // The longest token accepted: 8 KiB.
    let token = format!("eyJ{}", "x".repeat(8 * 1024 - 3));
    let mut reply = Reply::new(204).header("X-Request-ID", "rid-bulky");
    for i in 0..40 {
        reply = reply.header(&format!("X-Padding-{i}"), &"p".repeat(1000));
    }
    let standin = StandIn::script(vec![Action::Reply(reply)]);
    let run = cmd()
        .token(&token)
        .platform(&standin.url())
        .args(["--yes", "acme1"])
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    expect_line(run.line(), ok_line("acme1", "deleted", 204, "rid-bulky"));
    let req = only_delete(&standin, "/rest/organizations/acme1");
    assert_eq!(
        req.header("Authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    run.assert_hides(&token);
}

#[test]
fn an_id_of_255_characters_and_one_after_double_dash_are_sent_as_they_are() {
    let long = "a".repeat(255);
    let standin = StandIn::script(vec![Action::status(204), Action::status(204)]);
    let run = delete_at(&standin.url(), &[long.as_str(), "--", "-dash_ID-9"]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.lines.len(), 2, "{run:#?}");
    expect_line(&run.lines[0], ok_line(&long, "deleted", 204, SOME));
    expect_line(&run.lines[1], ok_line("-dash_ID-9", "deleted", 204, SOME));
    let paths: Vec<String> = standin.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            format!("/rest/organizations/{long}"),
            "/rest/organizations/-dash_ID-9".to_string()
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Each answer to its kind, message, code, request id and exit status

#[test]
fn any_2xx_is_deleted_200_with_a_json_body_and_202() {
    for (reply, status) in [
        (
            Reply::new(200).json(r#"{"id":"acme1","message":"deleted"}"#),
            200,
        ),
        (Reply::new(202), 202),
        (Reply::new(201).json("{}"), 201),
    ] {
        let standin = StandIn::script(vec![Action::Reply(reply.header("X-Request-ID", "rid-2xx"))]);
        let run = delete_at(&standin.url(), &["acme1"]);
        assert_eq!(run.status, 0, "{status}: {run:#?}");
        assert_eq!(run.stderr, "", "{status}");
        expect_line(run.line(), ok_line("acme1", "deleted", status, "rid-2xx"));
        only_delete(&standin, "/rest/organizations/acme1");
    }
}

#[test]
fn status_401_oauth_body_is_unauthorized_exit_3() {
    answer_maps_to(
        Reply::new(401)
            .header("X-Request-ID", "rid-401")
            .json(r#"{"error":"invalid_token","error_description":"Invalid access token"}"#),
        Expect {
            kind: "unauthorized",
            message: "Invalid access token",
            code: Some("invalid_token"),
            request_id: Some("rid-401"),
            exit: 3,
        },
    );
}

#[test]
fn status_403_platform_body_is_forbidden_and_the_header_request_id_wins() {
    answer_maps_to(
        Reply::new(403).header("X-Request-ID", "rid-403-header").json(
            r#"{"message":"You are not authorized to edit this organization.","errorCode":"ACCESS_DENIED","requestID":"rid-403-body"}"#,
        ),
        Expect {
            kind: "forbidden",
            message: "You are not authorized to edit this organization.",
            code: Some("ACCESS_DENIED"),
            request_id: Some("rid-403-header"),
            exit: 3,
        },
    );
}

#[test]
fn status_403_waf_block_says_firewall_and_never_echoes_the_html() {
    let standin = StandIn::script(vec![Action::Reply(
        Reply::new(403)
            .header("X-Request-ID", "rid-waf")
            .header("x-coveo-waf-action", "block")
            .html("<html><body><h1>Request blocked WAFPAGEMARKER</h1></body></html>"),
    )]);
    let run = answered(
        &standin,
        403,
        Expect {
            kind: "forbidden",
            message: &containing("web application firewall"),
            code: None,
            request_id: Some("rid-waf"),
            exit: 3,
        },
    );
    let message = run.line()["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("blocked"), "message: {message}");
    run.assert_hides("WAFPAGEMARKER");
    run.assert_hides("<html");
}

/// A firewall's verdict wins over the body's own message.
#[test]
fn a_waf_block_says_firewall_even_with_a_json_message() {
    let s = StandIn::script(vec![Action::Reply(
        Reply::new(403)
            .header("x-coveo-waf-action", "block")
            .json(r#"{"message":"Forbidden by rule 4711.","errorCode":"ACCESS_DENIED"}"#),
    )]);
    let run = delete_at(&s.url(), &["--retries", "0", "acme1"]);
    assert_eq!(run.status, 3, "{run:#?}");
    let denied = forbidden(&containing("web application firewall"));
    expect_line(run.line(), denied);
    let message = run.line()["error"]["message"].as_str().unwrap_or_default();
    assert!(run.stderr.contains(message), "{run:#?}");
    // The firewall is the cause, not the token: no hint sends the user after a new token.
    assert!(run.stderr.contains("not the token"), "{}", run.stderr);
    assert!(!run.stderr.contains("coveo auth:login"), "{}", run.stderr);
    assert_eq!(s.sent(), ["DELETE /rest/organizations/acme1"]);
    s.assert_no_violations();
}

#[test]
fn status_404_is_not_found_exit_4_with_the_request_id_of_the_body() {
    answer_maps_to(
        Reply::new(404).header("X-Request-ID", "").json(
            r#"{"message":"Organization 'acme1' does not exist.","errorCode":"ORGANIZATION_NOT_FOUND","requestID":"rid-404-body"}"#,
        ),
        Expect {
            kind: "not_found",
            message: "Organization 'acme1' does not exist.",
            code: Some("ORGANIZATION_NOT_FOUND"),
            request_id: Some("rid-404-body"),
            exit: 4,
        },
    );
}

#[test]
fn status_429_search_body_is_rate_limited_exit_5() {
    answer_maps_to(
        Reply::new(429).header("X-Request-ID", "rid-429").json(
            r#"{"statusCode":429,"message":"Too many requests.","type":"TOO_MANY_REQUESTS"}"#,
        ),
        Expect {
            kind: "rate_limited",
            message: "Too many requests.",
            code: Some("TOO_MANY_REQUESTS"),
            request_id: Some("rid-429"),
            exit: 5,
        },
    );
}

#[test]
fn status_500_rfc7807_body_is_server_error_with_the_body_request_id() {
    answer_maps_to(
        Reply::new(500).header("X-Request-ID", "").json(
            r#"{"title":"Internal Server Error","detail":"The deletion job failed.","status":500,"requestId":"rid-500-body"}"#,
        ),
        Expect {
            kind: "server_error",
            message: "The deletion job failed.",
            code: None,
            request_id: Some("rid-500-body"),
            exit: 5,
        },
    );
}

#[test]
fn status_502_html_is_server_error_and_the_page_is_not_echoed() {
    let run = answer_maps_to(
        Reply::new(502)
            .header("X-Request-ID", "rid-502")
            .html("<html><head><title>502 Bad Gateway</title></head><body>LBPAGEMARKER nginx</body></html>"),
        Expect {
            kind: "server_error",
            message: "HTTP 502 Bad Gateway",
            code: None,
            request_id: Some("rid-502"),
            exit: 5,
        },
    );
    run.assert_hides("LBPAGEMARKER");
    run.assert_hides("<html");
}

#[test]
fn status_503_html_without_any_request_id() {
    let run = answer_maps_to(
        Reply::new(503)
            .header("X-Request-ID", "")
            .html("<html><body>LBPAGEMARKER Service Unavailable</body></html>"),
        Expect {
            kind: "server_error",
            message: "HTTP 503 Service Unavailable",
            code: None,
            request_id: None,
            exit: 5,
        },
    );
    run.assert_hides("LBPAGEMARKER");
    assert!(!run.stderr.contains("[request"), "{}", run.stderr);
}

#[test]
fn status_504_rfc7807_title_only_is_server_error() {
    answer_maps_to(
        Reply::new(504)
            .header("X-Request-ID", "rid-504")
            .body_with_type(
                "application/problem+json",
                br#"{"title":"Upstream timed out","status":504}"#,
            ),
        Expect {
            kind: "server_error",
            message: "Upstream timed out",
            code: None,
            request_id: Some("rid-504"),
            exit: 5,
        },
    );
}

#[test]
fn status_400_and_409_are_unexpected_status_exit_1() {
    answer_maps_to(
        Reply::new(400).header("X-Request-ID", "rid-400").json(
            r#"{"message":"Invalid organization.","errorCode":"INVALID_REQUEST","requestID":"rid-400"}"#,
        ),
        Expect {
            kind: "unexpected_status",
            message: "Invalid organization.",
            code: Some("INVALID_REQUEST"),
            request_id: Some("rid-400"),
            exit: 1,
        },
    );
    answer_maps_to(
        Reply::new(409)
            .header("X-Request-ID", "rid-409")
            .json(r#"{"title":"Conflict","detail":"A deletion is already running.","status":409}"#),
        Expect {
            kind: "unexpected_status",
            message: "A deletion is already running.",
            code: None,
            request_id: Some("rid-409"),
            exit: 1,
        },
    );
}

#[test]
fn a_paused_organization_is_read_only_with_a_hint_naming_it() {
    for code in ["ORGANIZATION_IS_PAUSED", "ORGANIZATION_READ_ONLY_MODE"] {
        let body = format!(r#"{{"message":"paused","errorCode":"{code}"}}"#);
        let standin = StandIn::script(vec![Action::json(403, &body)]);
        let run = against(&standin.url()).args(["--yes", "pausedorg7"]).run();
        assert_eq!(run.status, 1, "{run:#?}");
        expect_line(
            run.line(),
            error_line("pausedorg7", 403, "read_only", "paused", json!(code)),
        );
        assert!(
            run.stderr.starts_with(&format!(
                "coveo-org-delete: pausedorg7: read_only (HTTP 403 {code}): paused [request "
            )),
            "{}",
            run.stderr
        );
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
fn an_anonymous_tokens_delete_is_refused_with_403() {
    let s = StandIn::platform(
        Platform::new()
            .org("acme1", "Acme One")
            .anonymous_token("api-key-token"),
    );
    let run = cmd()
        .token("api-key-token")
        .platform(&s.url())
        .args(["--yes", "acme1"])
        .run();
    assert_eq!(run.status, 3, "{run:#?}");
    let denied = forbidden(
        "Anonymous authentication (an API key or a platform token) cannot delete an organization.",
    );
    expect_line(run.line(), denied);
    assert_eq!(s.sent(), ["DELETE /rest/organizations/acme1"]);
    assert_eq!(s.remaining_orgs(), ["acme1"]);
}

#[test]
fn error_body_fields_are_taken_in_their_order_of_preference() {
    // message > detail > error_description > title; errorCode > type > code > error.
    answer_maps_to(
        Reply::new(403).header("X-Request-ID", "rid-o1").json(
            r#"{"error":"E","code":"C","type":"TY","errorCode":"EC","title":"T","error_description":"ED","detail":"D","message":"M"}"#,
        ),
        Expect {
            kind: "forbidden",
            message: "M",
            code: Some("EC"),
            request_id: Some("rid-o1"),
            exit: 3,
        },
    );
    answer_maps_to(
        Reply::new(401)
            .header("X-Request-ID", "rid-o2")
            .json(r#"{"message":42,"error":"E","code":"C","title":"T","error_description":"ED"}"#),
        Expect {
            kind: "unauthorized",
            message: "ED",
            code: Some("C"),
            request_id: Some("rid-o2"),
            exit: 3,
        },
    );
}

#[test]
fn non_json_and_non_object_bodies_give_the_status_line_as_message() {
    for (reply, kind, message, exit) in [
        (
            Reply::new(500).body_with_type("text/plain", b"TEXTMARKER stack trace"),
            "server_error",
            "HTTP 500 Internal Server Error",
            5,
        ),
        (
            Reply::new(500).json(r#"["TEXTMARKER"]"#),
            "server_error",
            "HTTP 500 Internal Server Error",
            5,
        ),
        (
            Reply::new(400).json(r#""TEXTMARKER""#),
            "unexpected_status",
            "HTTP 400 Bad Request",
            1,
        ),
    ] {
        let status = reply.status;
        let standin = StandIn::script(vec![Action::Reply(reply)]);
        let run = delete_at(&standin.url(), &["--retries", "0", "acme1"]);
        assert_eq!(run.status, exit, "{run:#?}");
        expect_line(
            run.line(),
            error_line("acme1", status, kind, message, Value::Null),
        );
        run.assert_hides("TEXTMARKER");
        only_delete(&standin, "/rest/organizations/acme1");
    }
}

#[test]
fn messages_are_at_most_500_characters_and_the_stderr_line_stays_one_line() {
    let long = format!("first line\nsecond line {}", "x".repeat(2000));
    let body = json!({"message": long, "errorCode": "INVALID_REQUEST"}).to_string();
    let standin = StandIn::script(vec![Action::json(400, &body)]);
    let run = delete_at(&standin.url(), &["acme1"]);
    assert_eq!(run.status, 1, "{run:#?}");
    expect_line(
        run.line(),
        error_line(
            "acme1",
            400,
            "unexpected_status",
            &starting_with("first line\nsecond line xxx"),
            json!("INVALID_REQUEST"),
        ),
    );
    let message = run.line()["error"]["message"].as_str().unwrap();
    assert_eq!(message.chars().count(), 500);
    assert!(run.stdout.contains(r"first line\nsecond"), "{}", run.stdout);
    assert_eq!(run.stderr_lines().len(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(": first linesecond line xxx"),
        "{}",
        run.stderr
    );
}

#[test]
fn redirects_are_not_followed_and_name_the_location() {
    for (status, absolute) in [
        (301u16, true),
        (302, true),
        (302, false),
        (307, true),
        (308, true),
    ] {
        // Every request gets the redirect, and the Location points back at this very
        // stand-in: a followed redirect would show up as a second request.
        let location = Arc::new(Mutex::new(String::new()));
        let standin = StandIn::handler({
            let location = Arc::clone(&location);
            move |_: &Request| {
                Action::Reply(
                    Reply::new(status)
                        .header("X-Request-ID", "rid-redirect")
                        .header("Location", &location.lock().unwrap()),
                )
            }
        });
        let target = if absolute {
            format!("{}/rest/organizations/moved{status}", standin.url())
        } else {
            "/rest/organizations/moved-relative".to_string()
        };
        *location.lock().unwrap() = target.clone();

        answered(
            &standin,
            status,
            Expect {
                kind: "unexpected_status",
                message: &containing(&target),
                code: None,
                request_id: Some("rid-redirect"),
                exit: 1,
            },
        );
    }
}

// ---------------------------------------------------------------------------------------------
// --missing-ok

#[test]
fn missing_ok_turns_a_404_into_already_absent() {
    let standin = StandIn::script(vec![Action::Reply(
        Reply::new(404).header("X-Request-ID", "rid-absent").json(
            r#"{"message":"Organization 'acme1' does not exist.","errorCode":"ORGANIZATION_NOT_FOUND"}"#,
        ),
    )]);
    let run = delete_at(&standin.url(), &["--missing-ok", "acme1"]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.stderr, "");
    expect_line(
        run.line(),
        ok_line("acme1", "already_absent", 404, "rid-absent"),
    );
    only_delete(&standin, "/rest/organizations/acme1");
}

#[test]
fn missing_ok_changes_nothing_but_404() {
    let standin = StandIn::script(vec![Action::Reply(
        Reply::new(401).json(r#"{"error":"invalid_token","error_description":"Expired"}"#),
    )]);
    let run = delete_at(&standin.url(), &["--missing-ok", "acme1"]);
    assert_eq!(run.status, 3, "{run:#?}");
    expect_line(
        run.line(),
        error_line(
            "acme1",
            401,
            "unauthorized",
            "Expired",
            json!("invalid_token"),
        ),
    );
    only_delete(&standin, "/rest/organizations/acme1");
}

// ---------------------------------------------------------------------------------------------
// Several organizations

#[test]
fn several_ids_run_in_order_over_one_connection() {
    let standin = StandIn::script(vec![
        Action::Reply(Reply::new(204).header("X-Request-ID", "rid-1")),
        Action::Reply(Reply::new(204).header("X-Request-ID", "rid-2")),
        Action::Reply(Reply::new(204).header("X-Request-ID", "rid-3")),
    ]);
    let run = delete_at(&standin.url(), &["org-c", "org-a", "org-b"]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.stderr, "");
    assert_eq!(run.lines.len(), 3, "{run:#?}");
    for (line, (id, rid)) in
        run.lines
            .iter()
            .zip([("org-c", "rid-1"), ("org-a", "rid-2"), ("org-b", "rid-3")])
    {
        expect_line(line, ok_line(id, "deleted", 204, rid));
    }
    let reqs = standin.requests();
    let seen: Vec<(&str, &str, usize)> = reqs
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), r.connection))
        .collect();
    assert_eq!(
        seen,
        [
            ("DELETE", "/rest/organizations/org-c", 0),
            ("DELETE", "/rest/organizations/org-a", 0),
            ("DELETE", "/rest/organizations/org-b", 0),
        ]
    );
    assert_eq!(standin.connections(), 1);
    standin.assert_no_violations();
}

#[test]
fn an_id_given_twice_is_handled_once_at_its_first_place() {
    let standin = StandIn::script(vec![Action::status(204), Action::status(204)]);
    let run = against(&standin.url())
        .args(["--yes", "acme2", "acme1", "acme2", "acme1"])
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.lines.len(), 2, "{run:#?}");
    expect_line(&run.lines[0], ok_line("acme2", "deleted", 204, SOME));
    expect_line(&run.lines[1], ok_line("acme1", "deleted", 204, SOME));
    assert_eq!(
        standin.sent(),
        [
            "DELETE /rest/organizations/acme2",
            "DELETE /rest/organizations/acme1"
        ]
    );
}

#[test]
fn the_run_goes_on_after_a_failure_and_exits_with_the_first_failure() {
    let standin = StandIn::script(vec![
        Action::status(204),
        Action::Reply(Reply::new(404).header("X-Request-ID", "rid-nf").json(
            r#"{"message":"Organization 'two' does not exist.","errorCode":"ORGANIZATION_NOT_FOUND"}"#,
        )),
        Action::Reply(
            Reply::new(401)
                .header("X-Request-ID", "rid-un")
                .json(r#"{"error":"invalid_token","error_description":"Expired token"}"#),
        ),
    ]);
    let run = delete_at(&standin.url(), &["one", "two", "three"]);
    assert_eq!(run.status, 4, "status of the first failure (404): {run:#?}");
    assert_eq!(run.lines.len(), 3, "{run:#?}");
    expect_line(&run.lines[0], ok_line("one", "deleted", 204, SOME));
    let mut two = error_line(
        "two",
        404,
        "not_found",
        "Organization 'two' does not exist.",
        json!("ORGANIZATION_NOT_FOUND"),
    );
    two["request_id"] = json!("rid-nf");
    expect_line(&run.lines[1], two);
    let mut three = error_line(
        "three",
        401,
        "unauthorized",
        "Expired token",
        json!("invalid_token"),
    );
    three["request_id"] = json!("rid-un");
    expect_line(&run.lines[2], three);
    run.assert_stderr_starts(&[
        "coveo-org-delete: two: not_found (HTTP 404 ORGANIZATION_NOT_FOUND): Organization 'two' does not exist. [request rid-nf]",
        "coveo-org-delete: three: unauthorized (HTTP 401 invalid_token): Expired token [request rid-un]",
    ]);
    assert_eq!(
        standin.connections(),
        1,
        "error answers keep the connection"
    );
    let paths: Vec<String> = standin.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/rest/organizations/one",
            "/rest/organizations/two",
            "/rest/organizations/three"
        ]
    );
    standin.assert_no_violations();

    // The first failure, not the highest or lowest status: 401 (3) before 404 (4).
    let standin = StandIn::script(vec![Action::status(401), Action::status(404)]);
    let run = delete_at(&standin.url(), &["one", "two"]);
    assert_eq!(run.status, 3, "{run:#?}");
    assert_eq!(run.lines.len(), 2);
    assert_eq!(standin.requests().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Lists: --from-file

/// A list with comments, blank lines, surrounding whitespace, CRLF, no final newline, and a
/// missing organization in the middle.
const MIXED_LIST: &str = "# nightly cleanup of test organizations\n\
                          \n\
                          \x20 acme1  \n\
                          \t\n\
                          # ghost was removed by hand last week\n\
                          ghost\r\n\
                          acme2\n\
                          \x20  \n\
                          acme3";

/// What a batch over [`MIXED_LIST`] must show and send.
fn check_mixed_batch(standin: &StandIn, run: &Run) {
    assert_eq!(ids_of(&run.lines), ["acme1", "ghost", "acme2", "acme3"]);
    for i in [0, 2, 3] {
        let id = ["acme1", "ghost", "acme2", "acme3"][i];
        expect_line(&run.lines[i], ok_line(id, "deleted", 204, SOME));
    }
    expect_line(&run.lines[1], ghost_line());
    assert_eq!(run.status, 4, "{run:#?}");
    run.assert_stderr_failures(&[("ghost", "not_found")]);

    let requests = standin.requests();
    assert_eq!(requests.len(), 4, "{:?}", standin.sent());
    for (r, id) in requests.iter().zip(["acme1", "ghost", "acme2", "acme3"]) {
        assert_delete_request(r, id);
        assert_eq!(r.connection, 0);
    }
    assert_eq!(standin.connections(), 1, "a batch reuses its connection");
    assert_eq!(standin.remaining_orgs(), ["paused"]);
    standin.assert_no_violations();
}

#[test]
fn a_list_file_is_deleted_in_order_skipping_comments_and_blank_lines() {
    let standin = StandIn::platform(platform());
    let file = list_file(MIXED_LIST);
    let run = against(&standin.url())
        .args(["--yes", "--from-file", &file])
        .run();
    check_mixed_batch(&standin, &run);
}

#[test]
fn a_list_on_stdin_is_deleted_with_yes() {
    let standin = StandIn::platform(platform());
    let run = against(&standin.url())
        .args(["--from-file", "-", "--yes"])
        .stdin(MIXED_LIST.as_bytes())
        .run();
    check_mixed_batch(&standin, &run);
}

/// The line of `ghost`, which the platform does not know: its DELETE got a 404.
fn ghost_line() -> Value {
    error_line(
        "ghost",
        404,
        "not_found",
        "Organization 'ghost' does not exist.",
        json!("ORGANIZATION_NOT_FOUND"),
    )
}

/// `--yes --from-file` a list of `contents` against `standin`, with the platform's token.
fn delete_list(standin: &StandIn, contents: &str) -> Run {
    let file = list_file(contents);
    against(&standin.url())
        .args(["--yes", "--from-file", &file])
        .run()
}

/// The line of the read-only `paused` of [`platform`], whose DELETE got a 403.
fn paused_line() -> Value {
    error_line(
        "paused",
        403,
        "read_only",
        "Organization 'paused' is paused (read-only); resume it before deleting it.",
        json!("ORGANIZATION_IS_PAUSED"),
    )
}

#[test]
fn a_lists_exit_status_is_that_of_the_first_failure() {
    // not_found (4) before read_only (1): 4.
    let standin = StandIn::platform(platform());
    let r = delete_list(&standin, "acme1\nghost\npaused\nacme2\n");
    assert_eq!(ids_of(&r.lines), ["acme1", "ghost", "paused", "acme2"]);
    expect_line(&r.lines[0], ok_line("acme1", "deleted", 204, SOME));
    expect_line(&r.lines[1], ghost_line());
    expect_line(&r.lines[2], paused_line());
    expect_line(&r.lines[3], ok_line("acme2", "deleted", 204, SOME));
    assert_eq!(r.status, 4, "{r:#?}");
    r.assert_stderr_failures(&[("ghost", "not_found"), ("paused", "read_only")]);
    assert_eq!(
        standin.sent(),
        [
            "DELETE /rest/organizations/acme1",
            "DELETE /rest/organizations/ghost",
            "DELETE /rest/organizations/paused",
            "DELETE /rest/organizations/acme2",
        ]
    );
    assert_eq!(standin.connections(), 1);

    // read_only (1) before not_found (4): 1. A paused organization is no token problem.
    let standin = StandIn::platform(platform());
    let r = delete_list(&standin, "paused\nacme1\nghost\n");
    assert_eq!(ids_of(&r.lines), ["paused", "acme1", "ghost"]);
    expect_line(&r.lines[0], paused_line());
    expect_line(&r.lines[1], ok_line("acme1", "deleted", 204, SOME));
    expect_line(&r.lines[2], ghost_line());
    assert_eq!(r.status, 1, "{r:#?}");
    assert_eq!(standin.connections(), 1);
    assert_eq!(standin.remaining_orgs(), ["acme2", "acme3", "paused"]);
}

#[test]
fn a_list_of_200_is_deleted_over_one_connection() {
    let ids: Vec<String> = (0..200).map(|i| format!("org-{i:03}")).collect();
    let p = ids
        .iter()
        .fold(Platform::new(), |p, id| p.org(id, &format!("Org {id}")));
    let standin = StandIn::platform(p);
    let file = list_file(&ids.join("\n"));
    let r = against(&standin.url())
        .args(["--yes", "--from-file", &file])
        .run();
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    assert_eq!(ids_of(&r.lines), ids);
    for (line, id) in r.lines.iter().zip(&ids) {
        expect_line(line, ok_line(id, "deleted", 204, SOME));
    }
    let requests = standin.requests();
    assert_eq!(requests.len(), 200);
    for (req, id) in requests.iter().zip(&ids) {
        assert_delete_request(req, id);
    }
    assert_eq!(standin.connections(), 1, "a batch reuses its connection");
    assert!(standin.remaining_orgs().is_empty());
    assert!(
        r.elapsed < Duration::from_secs(10),
        "200 deletions over one local connection took {:?}",
        r.elapsed
    );
}

#[test]
fn from_file_with_a_positional_id_is_a_usage_error() {
    let file = list_file("acme1\n");
    for args in [
        vec!["--yes", "--from-file", file.as_str(), "acme2"],
        vec!["--yes", "acme2", "--from-file", file.as_str()],
        vec!["--yes", "--from-file", "-", "acme2"],
        vec!["--yes", "--from-file", file.as_str(), "--", "acme2"],
    ] {
        let standin = StandIn::platform(platform());
        let r = against(&standin.url()).args(&args).stdin(b"acme3\n").run();
        r.run_failure("usage");
        assert_nothing_sent(&standin);
    }
}

#[test]
fn an_empty_list_is_nothing_to_do() {
    let empty = list_file("");
    let comments = list_file("# nothing tonight\n\n   \n\t\n# still nothing\n");
    for (args, stdin) in [
        (vec!["--yes", "--from-file", empty.as_str()], ""),
        (vec!["--yes", "--from-file", comments.as_str()], ""),
        (vec!["--from-file", empty.as_str()], ""),
        (vec!["--dry-run", "--from-file", comments.as_str()], ""),
        (vec!["--yes", "--from-file", "-"], ""),
        (vec!["--yes", "--from-file", "-"], "# none\n\n"),
    ] {
        let standin = StandIn::platform(platform());
        let r = against(&standin.url())
            .args(&args)
            .stdin(stdin.as_bytes())
            .run();
        assert_eq!(r.status, 0, "{args:?}: {r:#?}");
        assert_eq!(r.stdout, "", "{args:?}");
        assert_eq!(r.stderr, "", "{args:?}");
        assert_nothing_sent(&standin);
    }
}

#[test]
fn a_missing_list_file_is_an_error_and_sends_nothing() {
    let missing = missing_path("no-such-list.txt");
    let missing = missing.to_str().unwrap();
    for args in [
        vec!["--yes", "--from-file", missing],
        vec!["--dry-run", "--from-file", missing],
    ] {
        let standin = StandIn::platform(platform());
        let r = against(&standin.url()).args(&args).run();
        let kind = r.line()["error"]["kind"].as_str().unwrap_or_default();
        assert!(kind == "config" || kind == "usage", "{r:#?}");
        let message = r.run_failure(kind);
        assert!(
            message.contains(missing),
            "the message names the file: {message}"
        );
        assert_nothing_sent(&standin);
    }
}

// ---------------------------------------------------------------------------------------------
// No confirmation without a terminal

#[test]
fn without_yes_and_without_a_terminal_confirmation_is_required_and_nothing_is_sent() {
    for ids in [
        vec!["acme1"],
        vec!["acme1", "acme2"],
        vec!["acme1", "ghost", "acme2"],
    ] {
        let standin = StandIn::platform(platform());
        let r = against(&standin.url()).args(&ids).run();
        assert_eq!(ids_of(&r.lines), ids);
        for (line, id) in r.lines.iter().zip(&ids) {
            expect_line(line, failed(*id, "confirmation_required", Value::Null, 0));
        }
        assert_eq!(r.status, 2);
        let failures: Vec<(&str, &str)> = ids
            .iter()
            .map(|id| (*id, "confirmation_required"))
            .collect();
        r.assert_stderr_failures(&failures);
        assert_nothing_sent(&standin);
        assert_eq!(standin.remaining_orgs().len(), 4);
    }
}

#[test]
fn a_list_on_stdin_without_yes_needs_confirmation() {
    let standin = StandIn::platform(platform());
    let r = against(&standin.url())
        .args(["--from-file", "-"])
        .stdin(b"acme1\n# skip\nacme2\n")
        .run();
    assert_eq!(ids_of(&r.lines), ["acme1", "acme2"]);
    for (line, id) in r.lines.iter().zip(["acme1", "acme2"]) {
        expect_line(line, failed(id, "confirmation_required", Value::Null, 0));
    }
    assert_eq!(r.status, 2);
    r.assert_stderr_failures(&[
        ("acme1", "confirmation_required"),
        ("acme2", "confirmation_required"),
    ]);
    assert_nothing_sent(&standin);
}

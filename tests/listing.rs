//! `--list`: the pages it asks for and when it stops, both shapes of the platform's answer,
//! what a listed line shows (and leaves out), the filters (`--name-prefix`, `--type`,
//! `--older-than`) and the options that cannot go with a listing, the end line that says the
//! listing is whole, and a failing page. Listing runs use a fake platform that records
//! anything but a GET as a violation.

use crate::support::bin::{against, list_at, Run};
use crate::support::line::{containing, end_of_list, expect_line, failed, listed, Set, ANY, SOME};
use crate::support::standin::{
    query_value, query_values, Action, Listed, Platform, Reply, Request, StandIn,
};
use crate::support::{
    assert_nothing_sent, end_line, gets, now_ms, old_test_ids, old_tests, page, temp_file, TOKEN,
};
use serde_json::{json, Value};
use std::time::Duration;

/// Runs that wait for nothing (no retry, or `Retry-After: 0`) end well within this.
const FAST: Duration = Duration::from_secs(5);
/// 2026-11-28T03:15:00Z in milliseconds.
const NOV_28: i64 = 1_795_835_700_000;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

// ---------------------------------------------------------------------------------------------
// Helpers

/// `n` test organizations `org000`... whose creation goes backwards with their number (the
/// oldest is the last ID), one minute apart, so that the date order is not the ID order.
fn many(n: usize) -> Platform {
    (0..n)
        .fold(Platform::new(), |p, i| {
            p.listed_org(
                &format!("org{i:03}"),
                &format!("ci-run {i}"),
                Some("Test"),
                Some(NOV_28 - i as i64 * 60_000),
                Some("ci@example.com"),
            )
        })
        .only_gets()
}

/// The IDs `many(n)` lists, oldest first.
fn oldest_first(n: usize) -> Vec<String> {
    (0..n).rev().map(|i| format!("org{i:03}")).collect()
}

/// The organization IDs of listed lines, each checked to be a listed line.
fn ids_of_listed(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            expect_line(l, any_listed());
            l["organization_id"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// The organization IDs of the lines of a listing that finished: every line a listed line,
/// then the end line that counts them.
fn listed_ids(run: &Run) -> Vec<String> {
    let (end, listed) = run.lines.split_last().expect("at least the end line");
    expect_line(end, end_of_list(listed.len()));
    ids_of_listed(listed)
}

/// A listed line, whatever it shows.
fn any_listed() -> Value {
    json!({
        "organization_id": SOME, "ok": true, "result": "listed", "display_name": ANY,
        "type": ANY, "created": ANY, "read_only": ANY, "lifecycle_state": ANY,
        "owner_email": ANY, "error": null
    })
}

/// A listing that went well, its lines then its end line: exit 0, nothing on stderr, the
/// token nowhere. Returns the listed lines.
fn assert_complete(run: &Run) -> &[Value] {
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.stderr, "", "{run:#?}");
    run.assert_hides(TOKEN);
    let (_, listed) = run.lines.split_last().expect("at least the end line");
    assert_eq!(
        run.stdout.lines().last(),
        Some(end_line(listed.len()).as_str()),
        "{run:#?}"
    );
    listed
}

/// A listing run that went well: exit 0, quiet stderr, the token nowhere, only GETs.
fn assert_listed_ok(run: &Run, standin: &StandIn) {
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.stderr, "", "{run:#?}");
    run.assert_hides(TOKEN);
    standin.assert_no_violations();
    for r in standin.requests() {
        assert_eq!(r.method, "GET", "{}", r.path);
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert!(r.body.is_empty());
    }
}

/// The failure line that ends a listing: `kind` after `attempts` requests of the failing
/// page, the last answered `http_status` (`null`: none was); tests change what differs.
fn failure_line(kind: &str, http_status: Value, attempts: usize) -> Value {
    failed(Value::Null, kind, http_status, attempts as u64)
}

/// A usage error with nothing sent; returns its message.
fn assert_usage(standin: &StandIn, args: &[&str]) -> String {
    let run = against(&standin.url()).args(args).run();
    let message = run.run_failure("usage").to_owned();
    assert_nothing_sent(standin);
    message
}

/// A page object of `items` as the platform answers it.
fn page_object(items: Vec<Value>, total_pages: u64) -> String {
    json!({"items": items, "totalEntries": items.len(), "totalPages": total_pages}).to_string()
}

// ---------------------------------------------------------------------------------------------
// Paging and answer shapes

#[test]
fn two_hundred_fifty_organizations_come_in_three_pages_oldest_first() {
    let s = StandIn::platform(many(250));
    let run = list_at(&s.url(), &[]);
    assert_listed_ok(&run, &s);
    assert_eq!(listed_ids(&run), oldest_first(250));
    assert_eq!(s.sent(), gets(&[0, 1, 2]));
    // One connection for the whole listing.
    assert_eq!(s.connections(), 1);
    expect_line(
        &run.lines[0],
        listed("org249")
            .set("display_name", "ci-run 249")
            .set("type", "Test")
            .set("created", "2026-11-27T23:06:00Z")
            .set("read_only", false)
            .set("lifecycle_state", "ACTIVE")
            .set("owner_email", "ci@example.com"),
    );
    expect_line(
        &run.lines[249],
        listed("org000")
            .set("display_name", "ci-run 0")
            .set("type", "Test")
            .set("created", "2026-11-28T03:15:00Z")
            .set("read_only", false)
            .set("lifecycle_state", "ACTIVE")
            .set("owner_email", "ci@example.com"),
    );
    // Exactly the documented field order.
    assert!(run.stdout.starts_with(
        r#"{"organization_id":"org249","ok":true,"result":"listed","display_name":"ci-run 249","type":"Test","created":"2026-11-27T23:06:00Z","read_only":false,"lifecycle_state":"ACTIVE","owner_email":"ci@example.com","error":null}"#
    ));
    assert!(run.stdout.ends_with(
        "\n{\"organization_id\":null,\"ok\":true,\"result\":\"end_of_list\",\"listed\":250,\"error\":null}\n"
    ));
}

#[test]
fn the_last_of_total_pages_ends_the_listing() {
    // 100 organizations: one full page, and totalPages says it is the only one.
    let s = StandIn::platform(many(100));
    let run = list_at(&s.url(), &[]);
    assert_listed_ok(&run, &s);
    assert_eq!(listed_ids(&run).len(), 100);
    assert_eq!(s.sent(), gets(&[0]));

    // Without totalPages, a full page asks for the next, which is empty.
    let s = StandIn::platform(many(100).list_without_total_pages());
    let run = list_at(&s.url(), &[]);
    assert_listed_ok(&run, &s);
    assert_eq!(listed_ids(&run), oldest_first(100));
    assert_eq!(s.sent(), gets(&[0, 1]));

    // With totalPages, a short page is not the last: a platform may serve fewer per page.
    let s = StandIn::handler(|r: &Request| {
        let p = query_value(r.path.split_once('?').unwrap().1, "page").unwrap();
        let item = json!({"id": format!("p{p}"), "createdDate": NOV_28});
        Action::json(200, &page_object(vec![item], 5))
    });
    let run = list_at(&s.url(), &[]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(listed_ids(&run), ["p0", "p1", "p2", "p3", "p4"]);
    assert_eq!(s.sent(), gets(&[0, 1, 2, 3, 4]));

    // An empty page ends the listing, whatever totalPages says.
    let s = StandIn::handler(|r: &Request| {
        let p = query_value(r.path.split_once('?').unwrap().1, "page").unwrap();
        let items = if p == "2" {
            vec![]
        } else {
            vec![json!({"id": format!("p{p}"), "createdDate": NOV_28})]
        };
        Action::json(200, &page_object(items, 50))
    });
    let run = list_at(&s.url(), &[]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(listed_ids(&run), ["p0", "p1"]);
    assert_eq!(s.sent(), gets(&[0, 1, 2]));
}

#[test]
fn a_bare_array_is_the_whole_list_sorted_here() {
    // 150 organizations in one bare array: no second request.
    let s = StandIn::platform(many(150).list_as_bare_array());
    let run = list_at(&s.url(), &[]);
    assert_listed_ok(&run, &s);
    assert_eq!(listed_ids(&run), oldest_first(150));
    assert_eq!(s.sent(), gets(&[0]));

    // A server that ignores the query: unsorted, some without a date (those come last).
    let s = StandIn::handler(|_: &Request| {
        Action::json(
            200,
            &json!([
                {"id": "c", "createdDate": NOV_28 + 2000},
                {"id": "nodate1"},
                {"id": "a", "createdDate": NOV_28},
                {"id": "nodate2", "createdDate": "yesterday"},
                {"id": "b", "createdDate": NOV_28 + 1000},
            ])
            .to_string(),
        )
    });
    let run = list_at(&s.url(), &[]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(listed_ids(&run), ["a", "b", "c", "nodate1", "nodate2"]);
    assert_eq!(s.sent().len(), 1);
}

#[test]
fn an_organization_seen_again_on_the_next_page_is_printed_once() {
    let s = StandIn::platform(many(250).list_repeating_across_pages());
    let run = list_at(&s.url(), &[]);
    assert_listed_ok(&run, &s);
    assert_eq!(listed_ids(&run), oldest_first(250));
    assert_eq!(s.sent(), gets(&[0, 1, 2]));
}

#[test]
fn missing_fields_are_null_and_items_without_an_id_are_skipped() {
    let p = Platform::new()
        .listed_org(
            "full",
            "Full",
            Some("Test"),
            Some(NOV_28),
            Some("a@example.com"),
        )
        .listed_org(
            "nodate",
            "No date",
            Some("Test"),
            None,
            Some("b@example.com"),
        )
        .listed_org(
            "notype",
            "No type",
            None,
            Some(NOV_28 + 1),
            Some("c@example.com"),
        )
        .listed_org("noowner", "No owner", Some("Trial"), Some(NOV_28 + 2), None)
        .read_only_org("paused", "Paused")
        .listing_of(
            "paused",
            Listed {
                created_ms: Some(NOV_28 + 3),
                ..Listed::default()
            },
        )
        .list_item(json!({"displayName": "no id", "createdDate": NOV_28 + 4}))
        .list_item(json!({"id": 42, "createdDate": NOV_28 + 5}))
        .list_item(json!({"id": null, "createdDate": NOV_28 + 6}))
        .list_item(json!({"id": "bad/id", "createdDate": NOV_28 + 7}))
        .list_item(json!("just a string"))
        .list_item(json!({"id": "bare", "createdDate": NOV_28 + 8}))
        .list_item(json!({
            "id": "odd",
            "createdDate": -1,
            "displayName": "two\nlines\u{7}",
            "type": 5,
            "readOnly": "yes",
            "owner": "someone",
        }))
        .list_item(json!({"id": "far", "createdDate": 300_000_000_000_000_i64}))
        .only_gets();
    let s = StandIn::platform(p);
    let run = list_at(&s.url(), &[]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(
        listed_ids(&run),
        ["odd", "full", "notype", "noowner", "paused", "bare", "far", "nodate"]
    );
    let at = "2026-11-28T03:15:00Z";
    let listed_with = |id: &str, fields: Value| {
        let mut line = listed(id);
        for (k, v) in fields.as_object().unwrap() {
            line[k] = v.clone();
        }
        line
    };
    let want = [
        // Cleaned, and the fields of the wrong type null.
        listed_with(
            "odd",
            // Trimmed; what is inside is kept, and the JSON line escapes it.
            json!({"display_name": "two\nlines", "created": "1969-12-31T23:59:59Z"}),
        ),
        listed_with(
            "full",
            json!({"display_name": "Full", "type": "Test", "created": at,
            "read_only": false, "lifecycle_state": "ACTIVE", "owner_email": "a@example.com"}),
        ),
        listed_with(
            "notype",
            json!({"display_name": "No type", "created": at, "read_only": false,
            "lifecycle_state": "ACTIVE", "owner_email": "c@example.com"}),
        ),
        listed_with(
            "noowner",
            json!({"display_name": "No owner", "type": "Trial", "created": at,
            "read_only": false, "lifecycle_state": "ACTIVE"}),
        ),
        listed_with(
            "paused",
            json!({"display_name": "Paused", "created": at, "read_only": true,
            "lifecycle_state": "PAUSED"}),
        ),
        listed_with("bare", json!({"created": at})),
        // Past the year 9999: no date.
        listed_with("far", json!({})),
        listed_with(
            "nodate",
            json!({"display_name": "No date", "type": "Test", "read_only": false,
            "lifecycle_state": "ACTIVE", "owner_email": "b@example.com"}),
        ),
    ];
    for (line, want) in run.lines.iter().zip(want) {
        expect_line(line, want);
    }
    // Items left out are silent, unless --verbose: then one note each.
    assert_eq!(run.stderr, "", "{run:#?}");
    s.assert_no_violations();
    let run = list_at(&s.url(), &["--verbose"]);
    assert_eq!(run.status, 0, "{run:#?}");
    let notes: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.ends_with("; left out"))
        .collect();
    assert_eq!(notes.len(), 5, "{}", run.stderr);
    assert_eq!(
        notes
            .iter()
            .filter(|l| l.contains("an item without a string id"))
            .count(),
        4,
        "{notes:#?}"
    );
    assert!(notes.iter().any(|l| l.contains("\"bad/id\"")), "{notes:#?}");
}

// ---------------------------------------------------------------------------------------------
// Filters

/// Organizations for the filters, created relative to now.
fn filterable() -> Platform {
    let now = now_ms();
    Platform::new()
        .listed_org(
            "old1",
            "ci-old test",
            Some("Test"),
            Some(now - 3 * DAY_MS),
            None,
        )
        .listed_org(
            "old2",
            "ci-old TEST",
            Some("TEST"),
            Some(now - 10 * DAY_MS),
            None,
        )
        .listed_org(
            "running",
            "ci-running",
            Some("Test"),
            Some(now - HOUR_MS),
            None,
        )
        .listed_org(
            "upper",
            "CI-upper",
            Some("Test"),
            Some(now - 5 * DAY_MS),
            None,
        )
        .listed_org(
            "inside",
            "x ci-inside",
            Some("Test"),
            Some(now - 5 * DAY_MS),
            None,
        )
        .listed_org(
            "prod",
            "ci-prod",
            Some("Production"),
            Some(now - 30 * DAY_MS),
            None,
        )
        .listed_org("untyped", "ci-untyped", None, Some(now - 30 * DAY_MS), None)
        .listed_org("undated", "ci-undated", Some("Test"), None, None)
        .listed_org(
            "future",
            "ci-future",
            Some("Test"),
            Some(now + DAY_MS),
            None,
        )
        .list_item(json!({"id": "unnamed", "type": "Test", "createdDate": now - 40 * DAY_MS}))
        .list_ignoring_type()
        .only_gets()
}

/// The listed IDs, sorted, of `--list args` on [`filterable`].
fn kept(args: &[&str]) -> Vec<String> {
    let s = StandIn::platform(filterable());
    let run = list_at(&s.url(), args);
    assert_listed_ok(&run, &s);
    let mut ids = listed_ids(&run);
    ids.sort();
    ids
}

#[test]
fn name_prefix_keeps_display_names_that_start_with_it_exact_case() {
    assert_eq!(
        kept(&["--name-prefix", "ci-"]),
        ["future", "old1", "old2", "prod", "running", "undated", "untyped"]
    );
    assert_eq!(kept(&["--name-prefix", "CI-"]), ["upper"]);
    assert_eq!(kept(&["--name-prefix", "ci-old "]), ["old1", "old2"]);
}

#[test]
fn type_keeps_that_type_in_any_letter_case_and_is_never_sent() {
    let tests = [
        "future", "inside", "old1", "old2", "running", "undated", "unnamed", "upper",
    ];
    for t in ["Test", "test", "TEST"] {
        assert_eq!(kept(&["--type", t]), tests, "{t}");
    }
    assert_eq!(kept(&["--type", "production"]), ["prod"]);
    // The platform is not asked: its matching of letter case is not documented.
    let s = StandIn::platform(filterable());
    let run = list_at(&s.url(), &["--type", "test"]);
    assert_listed_ok(&run, &s);
    assert_eq!(listed_ids(&run).len(), tests.len());
    assert_eq!(s.sent(), gets(&[0]));
    let run = list_at(&s.url(), &["--type", "a b&c=d"]);
    assert_listed_ok(&run, &s);
    assert!(listed_ids(&run).is_empty());
}

#[test]
fn older_than_keeps_organizations_created_more_than_age_ago() {
    let older = [
        "inside", "old1", "old2", "prod", "unnamed", "untyped", "upper",
    ];
    assert_eq!(kept(&["--older-than", "2d"]), older);
    assert_eq!(kept(&["--older-than", "48h"]), older);
    assert_eq!(kept(&["--older-than", "2880m"]), older);
    assert_eq!(kept(&["--older-than", "172800s"]), older);
    // Units in any letter case.
    assert_eq!(kept(&["--older-than", "2D"]), older);
    assert_eq!(kept(&["--older-than", "48H"]), older);
    assert_eq!(
        kept(&["--older-than", "1w"]),
        ["old2", "prod", "unnamed", "untyped"]
    );
    // Only the one created a day in the future and the undated one are never older.
    let mut all_dated: Vec<&str> = older.to_vec();
    all_dated.push("running");
    all_dated.sort();
    assert_eq!(kept(&["--older-than", "0s"]), all_dated);
}

#[test]
fn every_filter_applies_together() {
    assert_eq!(
        kept(&[
            "--type",
            "test",
            "--name-prefix",
            "ci-",
            "--older-than",
            "2d"
        ]),
        ["old1", "old2"]
    );
    assert_eq!(
        kept(&[
            "--type",
            "Production",
            "--name-prefix",
            "ci-",
            "--older-than",
            "2d"
        ]),
        ["prod"]
    );
    assert!(kept(&["--type", "Trial", "--name-prefix", "ci-"]).is_empty());
}

#[test]
fn a_bad_age_is_a_usage_error_and_sends_nothing() {
    let s = StandIn::platform(filterable());
    for age in [
        "",
        "2",
        "d",
        "2x",
        "2X",
        "-2d",
        "+2d",
        "2.5d",
        "2 d",
        " 2d",
        "2d ",
        "1y",
        "99999999999999999999d",
        "30500000000000000w",
    ] {
        let message = assert_usage(&s, &["--list", "--older-than", age]);
        assert!(message.contains("--older-than"), "{age:?}: {message}");
    }
}

#[test]
fn list_with_anything_about_deleting_is_a_usage_error_and_sends_nothing() {
    let s = StandIn::platform(filterable());
    let ids_file = temp_file("ids.txt", b"old1\n");
    let ids_file = ids_file.to_str().unwrap();
    for args in [
        vec!["--list", "old1"],
        vec!["--list", "--", "old1"],
        vec!["--list", "--from-file", ids_file],
        vec!["--list", "--from-file", "-"],
        vec!["--list", "--yes"],
        vec!["-y", "--list"],
        vec!["--list", "--dry-run"],
        vec!["--list", "-n"],
        vec!["--list", "--missing-ok"],
        vec!["--list", "--list"],
        vec!["--list=yes"],
        vec!["--list", "--name-prefix", ""],
        vec!["--list", "--type", ""],
        vec!["--list", "--name-prefix"],
        vec!["--list", "--name-prefix", "a", "--name-prefix", "b"],
    ] {
        assert_usage(&s, &args);
    }
    // --allow-production goes with a deletion.
    let message = assert_usage(&s, &["--list", "--allow-production"]);
    assert!(message.contains("--allow-production"), "{message}");
    // A listing option without --list, even with IDs to delete.
    for args in [
        vec!["--yes", "--name-prefix", "ci-", "old1"],
        vec!["--yes", "--type", "Test", "old1"],
        vec!["--yes", "--older-than", "2d", "old1"],
        vec!["--dry-run", "--older-than", "2d", "--from-file", ids_file],
        vec!["--name-prefix", "ci-"],
    ] {
        let message = assert_usage(&s, &args);
        assert!(message.contains("--list"), "{args:?}: {message}");
    }
}

// ---------------------------------------------------------------------------------------------
// Failures

#[test]
fn a_failing_page_ends_with_a_failure_line_after_the_lines_already_printed() {
    for (reply, kind, exit, attempts, message, code, retry_after) in [
        (
            Reply::new(503)
                .header("Retry-After", "0")
                .header("X-Request-ID", "rid-page-1")
                .html("<html>busy</html>"),
            "server_error",
            5,
            3,
            "HTTP 503 Service Unavailable".to_owned(),
            Value::Null,
            json!(0),
        ),
        (
            Reply::new(401)
                .header("X-Request-ID", "rid-page-1")
                .json(r#"{"error":"invalid_token","error_description":"Expired token"}"#),
            "unauthorized",
            3,
            1,
            "Expired token".to_owned(),
            json!("invalid_token"),
            Value::Null,
        ),
        (
            Reply::new(403)
                .header("X-Request-ID", "rid-page-1")
                .json(r#"{"message":"No.","errorCode":"ACCESS_DENIED"}"#),
            "forbidden",
            3,
            1,
            "No.".to_owned(),
            json!("ACCESS_DENIED"),
            Value::Null,
        ),
        (
            Reply::new(404).header("X-Request-ID", "rid-page-1"),
            "not_found",
            4,
            1,
            "HTTP 404 Not Found".to_owned(),
            Value::Null,
            Value::Null,
        ),
        (
            Reply::new(302)
                .header("X-Request-ID", "rid-page-1")
                .header("Location", "https://elsewhere.example/login"),
            "unexpected_status",
            1,
            1,
            containing("https://elsewhere.example/login"),
            Value::Null,
            Value::Null,
        ),
    ] {
        let status = reply.status;
        let s = StandIn::platform(many(250).list_page_fails(1, usize::MAX, reply));
        let run = list_at(&s.url(), &["--retries", "2"]);
        assert_eq!(run.status, exit, "{status}: {run:#?}");
        assert_eq!(run.lines.len(), 101, "{status}: {run:#?}");
        assert_eq!(ids_of_listed(&run.lines[..100]), oldest_first(250)[..100]);
        let want = failure_line(kind, json!(status), attempts)
            .set("request_id", "rid-page-1")
            .set("error.message", message)
            .set("error.coveo_error_code", code)
            .set("error.retry_after_s", retry_after);
        expect_line(&run.lines[100], want);
        let mut want = gets(&[0]);
        want.extend(std::iter::repeat_n(format!("GET {}", page(1)), attempts));
        assert_eq!(s.sent(), want, "{status}");
        let err: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(err.len(), 1, "{status}: {}", run.stderr);
        assert!(
            err[0].starts_with(&format!("coveo-org-delete: {kind} (HTTP {status}")),
            "{}",
            err[0]
        );
        assert!(run.elapsed < FAST, "{status}: {run:#?}");
        run.assert_hides(TOKEN);
        s.assert_no_violations();
    }
}

#[test]
fn a_503_page_is_retried_and_the_listing_goes_on() {
    let busy = Reply::new(503)
        .header("Retry-After", "0")
        .json(r#"{"message":"busy"}"#);
    let s = StandIn::platform(many(250).list_page_fails(1, 2, busy));
    let run = list_at(&s.url(), &[]);
    assert_listed_ok(&run, &s);
    assert_eq!(listed_ids(&run), oldest_first(250));
    assert_eq!(s.sent(), gets(&[0, 1, 1, 1, 2]));
    assert!(run.elapsed < FAST, "Retry-After: 0 means no wait: {run:#?}");
}

#[test]
fn a_page_cut_short_is_retried_like_a_lost_answer() {
    let full = page_object(vec![json!({"id": "a", "createdDate": NOV_28})], 1);
    let s = StandIn::script(vec![
        Action::Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"items\":[{\"id\"".to_vec()),
        Action::json(200, &full),
    ]);
    let run = list_at(&s.url(), &["--verbose"]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(listed_ids(&run), ["a"]);
    assert_eq!(s.sent(), gets(&[0, 0]));

    // With no retry left, it is the failure of an attempt without a (whole) answer.
    let s = StandIn::script(vec![Action::Raw(
        b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"items\":[".to_vec(),
    )]);
    let run = list_at(&s.url(), &["--retries", "0"]);
    assert_eq!(run.status, 5, "{run:#?}");
    // No whole answer: no status.
    expect_line(run.line(), failure_line("connection", Value::Null, 1));
}

#[test]
fn a_failing_page_whose_body_is_cut_short_is_judged_by_its_status() {
    // The status line came: the platform answered 503, whatever happened to the body after it.
    let s = StandIn::script(vec![Action::Raw(
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 500\r\n\r\n{\"message\":\"bu"
            .to_vec(),
    )]);
    let run = list_at(&s.url(), &["--retries", "0"]);
    assert_eq!(run.status, 5, "{run:#?}");
    // A raw answer without X-Request-ID: none to report.
    let want = failure_line("server_error", json!(503), 1)
        .set("request_id", Value::Null)
        .set("error.message", "HTTP 503 Service Unavailable");
    expect_line(run.line(), want);
    assert_eq!(s.sent(), gets(&[0]));
}

#[test]
fn an_answer_that_is_no_page_is_a_protocol_error_not_retried() {
    for body in [
        Reply::new(200).json(r#"{"organizations":[]}"#),
        Reply::new(200).json(r#"{"items":{"id":"a"}}"#),
        Reply::new(200).json(r#""items""#),
        Reply::new(200).html("<html>login</html>"),
        Reply::new(200),
    ] {
        let s = StandIn::script(vec![Action::Reply(body)]);
        let run = list_at(&s.url(), &[]);
        assert_eq!(run.status, 1, "{run:#?}");
        expect_line(run.line(), failure_line("protocol", json!(200), 1));
        assert_eq!(s.sent(), gets(&[0]));
        s.assert_no_violations();
    }
}

#[test]
fn more_than_1000_pages_is_a_protocol_error() {
    // Every page is full and claims many more: the same 100 organizations each time.
    let s = StandIn::handler(|_: &Request| {
        let items = (0..100)
            .map(|i| json!({"id": format!("loop{i:03}"), "createdDate": NOV_28 + i}))
            .collect();
        Action::json(200, &page_object(items, 1_000_000))
    });
    let run = list_at(&s.url(), &[]);
    assert_eq!(run.status, 1, "{run:#?}");
    assert_eq!(
        run.lines.len(),
        101,
        "each organization once, then the failure"
    );
    let want = failure_line("protocol", json!(200), 1).set("error.message", containing("1000"));
    expect_line(&run.lines[100], want);
    let reqs = s.requests();
    assert_eq!(reqs.len(), 1000);
    assert_eq!(reqs[999].path, page(999));
}

#[test]
fn verbose_shows_each_page_request() {
    let s = StandIn::platform(many(150));
    let run = list_at(&s.url(), &["--verbose", "--type", "Test"]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(listed_ids(&run).len(), 150);
    let err: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(err.len(), 3, "{}", run.stderr);
    assert_eq!(
        err[0],
        format!(
            "coveo-org-delete: token from COVEO_TOKEN; requests go to {}",
            s.url()
        )
    );
    for (line, p) in err[1..].iter().zip([0, 1]) {
        let url = format!("{}{}", s.url(), page(p));
        assert!(
            line.contains(&format!("GET {url} -> 200")),
            "{line} / {url}"
        );
    }
    run.assert_hides(TOKEN);
}

// ---------------------------------------------------------------------------------------------
// The nightly clean-up: the listing piped into a deletion

/// A page of one organization, padded with spaces (valid JSON) to exactly `len` bytes.
fn page_of_length(len: usize) -> Vec<u8> {
    let mut body = br#"{"items":[{"id":"big1","displayName":"Big"}],"totalPages":1}"#.to_vec();
    body.resize(len, b' ');
    body
}

#[test]
fn a_page_of_8_mib_is_read_and_one_byte_more_is_protocol() {
    let exactly = StandIn::script(vec![Action::Reply(
        Reply::new(200).body_with_type("application/json", &page_of_length(8 * 1024 * 1024)),
    )]);
    let run = list_at(&exactly.url(), &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(listed_ids(&run), ["big1"]);

    let over = StandIn::script(vec![Action::Reply(
        Reply::new(200).body_with_type("application/json", &page_of_length(8 * 1024 * 1024 + 1)),
    )]);
    let run = list_at(&over.url(), &["--retries", "0"]);
    assert_eq!(run.status, 1, "{run:#?}");
    let want = failure_line("protocol", json!(200), 1).set("error.message", containing("8 MiB"));
    expect_line(run.line(), want);
    assert_eq!(over.requests().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Short pages, the end line, what is shown and left out

#[test]
fn short_pages_are_all_read_when_total_pages_says_there_are_more() {
    let s = StandIn::platform(old_tests(120).list_page_size(50).only_gets());
    let run = list_at(&s.url(), &[]);
    let listed = assert_complete(&run);
    assert_eq!(ids_of_listed(listed), old_test_ids(120));
    assert_eq!(s.sent(), gets(&[0, 1, 2]), "three pages of 50, 50 and 20");
    s.assert_no_violations();

    // Without totalPages, a page with fewer than 100 items is the last.
    let s = StandIn::platform(
        old_tests(120)
            .list_page_size(50)
            .list_without_total_pages()
            .only_gets(),
    );
    let run = list_at(&s.url(), &[]);
    let listed = assert_complete(&run);
    assert_eq!(ids_of_listed(listed), old_test_ids(120)[..50]);
    assert_eq!(s.sent(), gets(&[0]));
}

#[test]
fn the_end_line_counts_the_lines_printed_and_no_type_is_sent() {
    // 250 organizations over three pages, each page after the first repeating the last of
    // the one before; the filters keep some: the count is of the lines printed.
    let p = old_tests(250)
        .list_item(json!({"id": "other1", "type": "Trial", "createdDate": now_ms() - 20 * DAY_MS}))
        .list_repeating_across_pages()
        .only_gets();
    let s = StandIn::platform(p);
    let run = list_at(&s.url(), &["--type", "Test", "--name-prefix", "ci-run 1"]);
    let listed = assert_complete(&run);
    // ci-run 1, ci-run 10 to 19, ci-run 100 to 199.
    let want: Vec<String> = (0..250)
        .filter(|i| format!("ci-run {i}").starts_with("ci-run 1"))
        .map(|i| format!("ci{i:03}"))
        .collect();
    assert_eq!(want.len(), 111);
    assert_eq!(ids_of_listed(listed), want);
    // Every request carries additionalFields=status, and none a type.
    assert_eq!(s.sent(), gets(&[0, 1, 2]));
    for r in s.requests() {
        let query = r.path.split_once('?').unwrap().1;
        assert_eq!(
            query_values(query, "additionalFields"),
            ["status"],
            "{}",
            r.path
        );
        assert!(query_values(query, "type").is_empty(), "{}", r.path);
    }
    assert!(s.type_params_received().is_empty());
    s.assert_no_violations();
}

/// Organizations of each life-cycle state, and an item whose ID holds the token.
fn lifecycles() -> Platform {
    let old = now_ms() - 10 * DAY_MS;
    Platform::new()
        .listed_org("active1", "ci-active", Some("Test"), Some(old), None)
        .read_only_org("paused1", "ci-paused")
        .deleting_org("going1", "ci-going")
        .list_item(json!({"id": format!("x{TOKEN}x"), "displayName": "ci-holds the token", "createdDate": old + 1}))
        .list_item(json!({"id": "bare1", "createdDate": old + 2}))
        .only_gets()
}

#[test]
fn listed_lines_carry_the_lifecycle_state_and_deleting_ones_are_left_out() {
    let s = StandIn::platform(lifecycles());
    let run = list_at(&s.url(), &[]);
    let lines = assert_complete(&run);
    assert_eq!(lines.len(), 3, "{run:#?}");
    expect_line(
        &lines[0],
        listed("active1")
            .set("display_name", "ci-active")
            .set("type", "Test")
            .set("created", SOME)
            .set("read_only", false)
            .set("lifecycle_state", "ACTIVE"),
    );
    // An item without its status model.
    expect_line(&lines[1], listed("bare1").set("created", SOME));
    expect_line(
        &lines[2],
        listed("paused1")
            .set("display_name", "ci-paused")
            .set("read_only", true)
            .set("lifecycle_state", "PAUSED"),
    );
    // Field order with the new field.
    let first = run.stdout.lines().next().unwrap();
    assert!(
        first.contains(
            r#""read_only":false,"lifecycle_state":"ACTIVE","owner_email":null,"error":null}"#
        ),
        "{first}"
    );
    assert_eq!(s.sent(), gets(&[0]));

    // --verbose says what was left out, on stderr; never the token.
    let s = StandIn::platform(lifecycles());
    let run = list_at(&s.url(), &["--verbose"]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.lines.len(), 4, "{run:#?}");
    run.assert_hides(TOKEN);
    let notes: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.contains("requests go to") && !l.contains(" -> "))
        .collect();
    assert_eq!(notes.len(), 2, "{}", run.stderr);
    assert!(notes.iter().any(|l| l.contains("going1")), "{notes:?}");
    assert!(notes.iter().any(|l| l.contains("[token]")), "{notes:?}");
    for l in run.stderr.lines() {
        assert!(l.starts_with("coveo-org-delete: "), "{l}");
    }
}

#[test]
fn type_is_matched_here_in_any_letter_case_and_older_than_takes_any_case_units() {
    let now = now_ms();
    let p = Platform::new()
        .listed_org("t1", "ci-1", Some("Test"), Some(now - 10 * DAY_MS), None)
        .listed_org("t2", "ci-2", Some("TEST"), Some(now - 9 * DAY_MS), None)
        .listed_org("t3", "ci-3", Some("test"), Some(now - 3 * DAY_MS), None)
        .listed_org(
            "p1",
            "ci-4",
            Some("Production"),
            Some(now - 8 * DAY_MS),
            None,
        )
        .listed_org("n1", "ci-5", None, Some(now - 8 * DAY_MS), None)
        .list_item(json!({"id": "t4", "type": "Test"}))
        .only_gets();
    let kept = |args: &[&str]| {
        let s = StandIn::platform(p.clone());
        let run = list_at(&s.url(), args);
        let ids = ids_of_listed(assert_complete(&run));
        assert_eq!(s.sent(), gets(&[0]), "{args:?}");
        assert!(s.type_params_received().is_empty(), "{args:?}");
        ids
    };
    for t in ["test", "Test", "TEST", "tEsT"] {
        assert_eq!(kept(&["--type", t]), ["t1", "t2", "t3", "t4"], "{t}");
    }
    assert_eq!(kept(&["--type", "production"]), ["p1"]);
    for age in ["7D", "7d", "168H", "1W"] {
        assert_eq!(
            kept(&["--type", "test", "--older-than", age]),
            ["t1", "t2"],
            "{age}: undated t4 and 3-day-old t3 left out"
        );
    }
}

//! Issue 9: `--list` (paging, both answer shapes, filters, failures), and the nightly
//! clean-up as a user runs it: the listing piped into a deletion, two processes of the binary
//! joined by an OS pipe. Listing runs use a fake platform that records anything but a GET as
//! a violation.

use crate::support::assert_nothing_sent;
use crate::support::bin::{self, assert_listed_shape, assert_shape, cmd, Run};
use crate::support::standin::{query_value, Action, Listed, Platform, Reply, Request, StandIn};
use crate::support::{temp_dir, temp_file};
use serde_json::{json, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const TOKEN: &str = "demo-token";
/// Runs that wait for nothing (no retry, or `Retry-After: 0`) end well within this.
const FAST: Duration = Duration::from_secs(5);
/// 2026-11-28T03:15:00Z in milliseconds.
const NOV_28: i64 = 1_795_835_700_000;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

// ---------------------------------------------------------------------------------------------
// Helpers

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// `--list` with `args` against `standin`.
fn list(standin: &StandIn, args: &[&str]) -> Run {
    cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .arg("--list")
        .args(args)
        .run()
}

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

/// The organization IDs of the lines of a listing that finished: every line a listed line,
/// then the end line that counts them.
fn listed_ids(run: &Run) -> Vec<String> {
    let (end, listed) = run.lines.split_last().expect("at least the end line");
    assert_end_line(end, listed.len());
    listed
        .iter()
        .map(|l| {
            assert_listed_shape(l);
            l["organization_id"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// The line that ends a listing that read every page, counting `listed` lines.
fn assert_end_line(line: &Value, listed: usize) {
    assert_eq!(
        *line,
        json!({"organization_id": null, "ok": true, "result": "end_of_list", "listed": listed, "error": null}),
    );
}

/// The request target of page `p` of an unfiltered listing.
fn page(p: u64) -> String {
    format!("/rest/organizations?page={p}&perPage=100&sortBy=createdDate&order=ASC&additionalFields=status")
}

fn gets(pages: &[u64]) -> Vec<String> {
    pages.iter().map(|p| format!("GET {}", page(*p))).collect()
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

/// The failure line that ends a listing.
fn assert_failure_line(line: &Value, kind: &str) {
    assert_shape(line);
    assert_eq!(line["organization_id"], Value::Null, "{line}");
    assert_eq!(line["ok"], false, "{line}");
    assert_eq!(line["result"], "error", "{line}");
    assert_eq!(line["dry_run"], false, "{line}");
    assert_eq!(line["error"]["kind"], kind, "{line}");
}

/// A usage error with nothing sent.
fn assert_usage(standin: &StandIn, args: &[&str]) -> String {
    let run = cmd().token(TOKEN).platform(&standin.url()).args(args).run();
    assert_eq!(run.status, 2, "{args:?}: {run:#?}");
    let line = run.line();
    assert_shape(line);
    assert_eq!(line["organization_id"], Value::Null);
    assert_eq!(line["error"]["kind"], "usage", "{args:?}: {line}");
    assert_eq!(line["attempts"], 0);
    assert!(
        run.stderr.starts_with("coveo-org-delete: usage: "),
        "{run:#?}"
    );
    assert_eq!(standin.connections(), 0, "{args:?}: nothing sent");
    line["error"]["message"].as_str().unwrap().to_owned()
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
    let run = list(&s, &[]);
    assert_listed_ok(&run, &s);
    assert_eq!(listed_ids(&run), oldest_first(250));
    assert_eq!(s.sent(), gets(&[0, 1, 2]));
    // One connection for the whole listing.
    assert_eq!(s.connections(), 1);
    let first = &run.lines[0];
    assert_eq!(
        *first,
        json!({
            "organization_id": "org249",
            "ok": true,
            "result": "listed",
            "display_name": "ci-run 249",
            "type": "Test",
            "created": "2026-11-27T23:06:00Z",
            "read_only": false,
            "lifecycle_state": "ACTIVE",
            "owner_email": "ci@example.com",
            "error": null,
        })
    );
    assert_eq!(run.lines[249]["created"], "2026-11-28T03:15:00Z");
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
    let run = list(&s, &[]);
    assert_listed_ok(&run, &s);
    assert_eq!(listed_ids(&run).len(), 100);
    assert_eq!(s.sent(), gets(&[0]));

    // Without totalPages, a full page asks for the next, which is empty.
    let s = StandIn::platform(many(100).list_without_total_pages());
    let run = list(&s, &[]);
    assert_listed_ok(&run, &s);
    assert_eq!(listed_ids(&run), oldest_first(100));
    assert_eq!(s.sent(), gets(&[0, 1]));

    // With totalPages, a short page is not the last: a platform may serve fewer per page.
    let s = StandIn::handler(|r: &Request| {
        let p = query_value(r.path.split_once('?').unwrap().1, "page").unwrap();
        let item = json!({"id": format!("p{p}"), "createdDate": NOV_28});
        Action::json(200, &page_object(vec![item], 5))
    });
    let run = list(&s, &[]);
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
    let run = list(&s, &[]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(listed_ids(&run), ["p0", "p1"]);
    assert_eq!(s.sent(), gets(&[0, 1, 2]));
}

#[test]
fn a_bare_array_is_the_whole_list_sorted_here() {
    // 150 organizations in one bare array: no second request.
    let s = StandIn::platform(many(150).list_as_bare_array());
    let run = list(&s, &[]);
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
    let run = list(&s, &[]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(listed_ids(&run), ["a", "b", "c", "nodate1", "nodate2"]);
    assert_eq!(s.sent().len(), 1);
}

#[test]
fn an_organization_seen_again_on_the_next_page_is_printed_once() {
    let s = StandIn::platform(many(250).list_repeating_across_pages());
    let run = list(&s, &[]);
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
    let run = list(&s, &[]);
    assert_eq!(run.status, 0, "{run:#?}");
    let by_id = |id: &str| -> Value {
        run.lines
            .iter()
            .find(|l| l["organization_id"] == id)
            .unwrap_or_else(|| panic!("{id} not listed: {run:#?}"))
            .clone()
    };
    assert_eq!(
        listed_ids(&run),
        ["odd", "full", "notype", "noowner", "paused", "bare", "far", "nodate"]
    );
    let full = by_id("full");
    assert_eq!(full["created"], "2026-11-28T03:15:00Z");
    assert_eq!(full["owner_email"], "a@example.com");
    assert_eq!(by_id("nodate")["created"], Value::Null);
    assert_eq!(by_id("notype")["type"], Value::Null);
    assert_eq!(by_id("noowner")["owner_email"], Value::Null);
    let paused = by_id("paused");
    assert_eq!(paused["read_only"], true);
    assert_eq!(paused["type"], Value::Null);
    assert_eq!(paused["owner_email"], Value::Null);
    let bare = by_id("bare");
    for f in ["display_name", "type", "owner_email", "read_only"] {
        assert_eq!(bare[f], Value::Null, "{f}: {bare}");
    }
    let odd = by_id("odd");
    assert_eq!(odd["created"], "1969-12-31T23:59:59Z");
    assert_eq!(odd["display_name"], "two lines", "cleaned: {odd}");
    for f in ["type", "read_only", "owner_email"] {
        assert_eq!(odd[f], Value::Null, "{f} of the wrong type: {odd}");
    }
    assert_eq!(by_id("far")["created"], Value::Null, "past the year 9999");
    // Items left out are silent, unless --verbose: then one note each.
    assert_eq!(run.stderr, "", "{run:#?}");
    s.assert_no_violations();
    let run = list(&s, &["--verbose"]);
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
    let run = list(&s, args);
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
    let run = list(&s, &["--type", "test"]);
    assert_listed_ok(&run, &s);
    assert_eq!(listed_ids(&run).len(), tests.len());
    assert_eq!(s.sent(), gets(&[0]));
    let run = list(&s, &["--type", "a b&c=d"]);
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
    for (reply, kind, exit, attempts) in [
        (
            Reply::new(503)
                .header("Retry-After", "0")
                .header("X-Request-ID", "rid-page-1")
                .html("<html>busy</html>"),
            "server_error",
            5,
            3,
        ),
        (
            Reply::new(401)
                .header("X-Request-ID", "rid-page-1")
                .json(r#"{"error":"invalid_token","error_description":"Expired token"}"#),
            "unauthorized",
            3,
            1,
        ),
        (
            Reply::new(403)
                .header("X-Request-ID", "rid-page-1")
                .json(r#"{"message":"No.","errorCode":"ACCESS_DENIED"}"#),
            "forbidden",
            3,
            1,
        ),
        (
            Reply::new(404).header("X-Request-ID", "rid-page-1"),
            "not_found",
            4,
            1,
        ),
        (
            Reply::new(302)
                .header("X-Request-ID", "rid-page-1")
                .header("Location", "https://elsewhere.example/login"),
            "unexpected_status",
            1,
            1,
        ),
    ] {
        let status = reply.status;
        let s = StandIn::platform(many(250).list_page_fails(1, usize::MAX, reply));
        let run = list(&s, &["--retries", "2"]);
        assert_eq!(run.status, exit, "{status}: {run:#?}");
        assert_eq!(run.lines.len(), 101, "{status}: {run:#?}");
        assert_eq!(
            run.lines[..100]
                .iter()
                .map(|l| {
                    assert_listed_shape(l);
                    l["organization_id"].as_str().unwrap().to_owned()
                })
                .collect::<Vec<_>>(),
            oldest_first(250)[..100]
        );
        let last = &run.lines[100];
        assert_failure_line(last, kind);
        assert_eq!(last["http_status"], status, "{last}");
        assert_eq!(last["attempts"], attempts, "{last}");
        assert_eq!(last["request_id"], "rid-page-1", "{last}");
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
    let run = list(&s, &[]);
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
    let run = list(&s, &["--verbose"]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(listed_ids(&run), ["a"]);
    assert_eq!(s.sent(), gets(&[0, 0]));

    // With no retry left, it is the failure of an attempt without a (whole) answer.
    let s = StandIn::script(vec![Action::Raw(
        b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"items\":[".to_vec(),
    )]);
    let run = list(&s, &["--retries", "0"]);
    assert_eq!(run.status, 5, "{run:#?}");
    let line = run.line();
    assert_failure_line(line, "connection");
    assert_eq!(line["attempts"], 1);
    assert_eq!(line["http_status"], Value::Null, "no whole answer: {line}");
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
        let run = list(&s, &[]);
        assert_eq!(run.status, 1, "{run:#?}");
        let line = run.line();
        assert_failure_line(line, "protocol");
        assert_eq!(line["http_status"], 200);
        assert_eq!(line["attempts"], 1);
        assert_eq!(s.sent(), gets(&[0]));
        s.assert_no_violations();
    }
}

#[test]
fn an_empty_listing_prints_only_its_end_line() {
    let end = "{\"organization_id\":null,\"ok\":true,\"result\":\"end_of_list\",\"listed\":0,\"error\":null}\n";
    let s = StandIn::platform(Platform::new().only_gets());
    let run = list(&s, &[]);
    assert_listed_ok(&run, &s);
    assert_eq!(run.stdout, end);
    assert_eq!(s.sent(), gets(&[0]));

    // Filters that keep nothing: the same.
    let s = StandIn::platform(many(10));
    let run = list(&s, &["--name-prefix", "prod-"]);
    assert_listed_ok(&run, &s);
    assert_eq!(run.stdout, end);
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
    let run = list(&s, &[]);
    assert_eq!(run.status, 1, "{run:#?}");
    assert_eq!(
        run.lines.len(),
        101,
        "each organization once, then the failure"
    );
    let last = &run.lines[100];
    assert_failure_line(last, "protocol");
    assert!(
        last["error"]["message"].as_str().unwrap().contains("1000"),
        "{last}"
    );
    assert_eq!(last["http_status"], 200);
    let reqs = s.requests();
    assert_eq!(reqs.len(), 1000);
    assert_eq!(reqs[999].path, page(999));
}

#[test]
fn verbose_shows_each_page_request() {
    let s = StandIn::platform(many(150));
    let run = list(&s, &["--verbose", "--type", "Test"]);
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

/// A CLI login holding the stand-in's token, for both processes of a pipeline.
fn login() -> std::path::PathBuf {
    let dir = temp_dir("nightly-login");
    std::fs::write(
        dir.join("config.json"),
        format!(r#"{{"version":"1.1.0","region":"us","environment":"prod","accessToken":"{TOKEN}","anonymous":false}}"#),
    )
    .unwrap();
    dir
}

/// The nightly pipeline's two commands against `standin`, with the CLI login.
fn nightly(standin: &StandIn, list_args: &[&str]) -> (Run, Run) {
    let dir = login();
    let lister = cmd()
        .env("COVEO_CONFIG_DIR", &dir)
        .platform(&standin.url())
        .args([
            "--list",
            "--type",
            "Test",
            "--name-prefix",
            "ci-",
            "--older-than",
            "2d",
        ])
        .args(list_args);
    let deleter = cmd()
        .env("COVEO_CONFIG_DIR", &dir)
        .platform(&standin.url())
        .args(["--yes", "--missing-ok", "--from-file", "-"]);
    bin::pipeline(lister, deleter)
}

/// 130 old CI test organizations (two pages) among others that must stay.
fn nightly_platform() -> Platform {
    let now = now_ms();
    let mut p = Platform::new();
    for i in 0..130 {
        p = p.listed_org(
            &format!("cirun{i:03}"),
            &format!("ci-run {i}"),
            Some("Test"),
            Some(now - 3 * DAY_MS - i as i64 * 60_000),
            Some("ci@example.com"),
        );
    }
    p.listed_org(
        "cirunning",
        "ci-run in progress",
        Some("Test"),
        Some(now - HOUR_MS),
        None,
    )
    .listed_org(
        "cidash",
        "ci-dashboard",
        Some("Production"),
        Some(now - 30 * DAY_MS),
        None,
    )
    .listed_org(
        "manual",
        "manual test",
        Some("Test"),
        Some(now - 30 * DAY_MS),
        None,
    )
    .listed_org("ciundated", "ci-undated", Some("Test"), None, None)
}

#[test]
fn the_nightly_pipeline_deletes_exactly_the_old_test_organizations() {
    let s = StandIn::platform(nightly_platform());
    let (lister, deleter) = nightly(&s, &[]);
    assert_eq!(lister.status, 0, "{lister:#?}");
    assert_eq!(lister.stderr, "");
    assert_eq!(deleter.status, 0, "{deleter:#?}");
    assert_eq!(deleter.stderr, "");
    // Oldest first: the highest number was created first.
    let expected: Vec<String> = (0..130).rev().map(|i| format!("cirun{i:03}")).collect();
    let deleted: Vec<String> = deleter
        .lines
        .iter()
        .map(|l| {
            assert_shape(l);
            assert_eq!(l["result"], "deleted", "{l}");
            l["organization_id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(deleted, expected);
    let deletes: Vec<String> = s
        .sent()
        .into_iter()
        .filter(|r| !r.starts_with("GET "))
        .collect();
    let want: Vec<String> = expected
        .iter()
        .map(|id| format!("DELETE /rest/organizations/{id}"))
        .collect();
    assert_eq!(deletes, want);
    let gets: Vec<String> = s
        .sent()
        .into_iter()
        .filter(|r| r.starts_with("GET "))
        .collect();
    assert_eq!(
        gets,
        [0, 1].map(|p| format!("GET {}", page(p))),
        "the listing sent only its two pages"
    );
    assert_eq!(
        s.remaining_orgs(),
        ["cidash", "cirunning", "ciundated", "manual"]
    );
    for r in [&lister, &deleter] {
        r.assert_hides(TOKEN);
    }
    s.assert_no_violations();
}

#[test]
fn a_listing_that_fails_part_way_deletes_nothing() {
    let busy = Reply::new(503).header("Retry-After", "0");
    let s = StandIn::platform(nightly_platform().list_page_fails(1, usize::MAX, busy));
    let (lister, deleter) = nightly(&s, &["--retries", "1"]);
    assert_eq!(lister.status, 5, "{lister:#?}");
    assert!(
        lister
            .stderr
            .starts_with("coveo-org-delete: server_error (HTTP 503)"),
        "{}",
        lister.stderr
    );
    // The listing's failure is passed on, its exit status with it, and nothing is sent.
    assert_eq!(deleter.status, 5, "{deleter:#?}");
    let line = deleter.line();
    assert_shape(line);
    assert_eq!(line["organization_id"], Value::Null, "{line}");
    assert_eq!(line["attempts"], 0, "{line}");
    assert_eq!(line["error"]["kind"], "server_error", "{line}");
    assert_eq!(
        line["error"]["message"],
        "the list is the output of a run that failed, so nothing was sent: HTTP 503 Service Unavailable",
    );
    assert!(
        s.sent().iter().all(|r| r.starts_with("GET ")),
        "no DELETE at all: {:?}",
        s.sent()
    );
    assert_eq!(s.remaining_orgs().len(), 134);
    s.assert_no_violations();
}

#[test]
fn last_nights_lines_fed_back_as_they_are() {
    // Night 1: acme2's DELETE keeps failing with 503; the others are deleted.
    let night1 = StandIn::handler(|r: &Request| {
        if r.path.ends_with("/acme2") {
            Action::Reply(Reply::new(503).header("Retry-After", "0"))
        } else {
            Action::status(204)
        }
    });
    let run = cmd()
        .token(TOKEN)
        .platform(&night1.url())
        .args(["--yes", "--retries", "1", "acme1", "acme2", "acme3"])
        .run();
    assert_eq!(run.status, 5, "{run:#?}");
    let log = temp_file("night1.jsonl", run.stdout.as_bytes());

    // Night 2: the log as it is; acme1 and acme3 are gone, acme2 is still there.
    let s = StandIn::platform(Platform::new().token(TOKEN, true).org("acme2", "Acme Two"));
    let run = cmd()
        .token(TOKEN)
        .platform(&s.url())
        .args(["--yes", "--missing-ok", "--from-file"])
        .arg(&log)
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    let got: Vec<(String, String)> = run
        .lines
        .iter()
        .map(|l| {
            assert_shape(l);
            (
                l["organization_id"].as_str().unwrap().to_owned(),
                l["result"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("acme1".to_owned(), "already_absent".to_owned()),
            ("acme2".to_owned(), "deleted".to_owned()),
            ("acme3".to_owned(), "already_absent".to_owned()),
        ]
    );
    assert!(s.remaining_orgs().is_empty());
}

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
    let run = list(&exactly, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(listed_ids(&run), ["big1"]);

    let over = StandIn::script(vec![Action::Reply(
        Reply::new(200).body_with_type("application/json", &page_of_length(8 * 1024 * 1024 + 1)),
    )]);
    let run = list(&over, &["--retries", "0"]);
    assert_eq!(run.status, 1, "{run:#?}");
    let line = run.line();
    assert_shape(line);
    assert_eq!(line["organization_id"], Value::Null);
    assert_eq!(line["error"]["kind"], "protocol", "{line}");
    assert!(
        line["error"]["message"].as_str().unwrap().contains("8 MiB"),
        "{line}"
    );
    assert_eq!(over.requests().len(), 1);
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

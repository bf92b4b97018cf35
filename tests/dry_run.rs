//! `--dry-run`: for each organization a GET (does it exist, what is it called) and a privilege
//! evaluation (may this token delete it), never a DELETE, and no confirmation to type. Each
//! runs the binary against the stand-in platform, which records any DELETE as a violation,
//! and checks the JSON lines, the exit status, stderr and the requests received.

use crate::support::bin::{against, Run};
use crate::support::line::{expect_line, failed, succeeded, Set};
use crate::support::standin::{Action, Platform, StandIn};
use crate::support::{has_millis, list_file, platform, TOKEN};
use serde_json::{json, Value};

/// `ARGS...` against `standin`, with `COVEO_TOKEN=token`.
fn run_as(standin: &StandIn, token: &str, args: &[&str]) -> Run {
    crate::support::bin::cmd()
        .token(token)
        .platform(&standin.url())
        .args(args)
        .run()
}

/// The body of the dry run's privilege evaluation (Organization - Edit on any target).
fn evaluation_body(id: &str) -> Value {
    json!({
        "organizationId": id,
        "requestedPrivilege": {
            "owner": "PLATFORM",
            "targetDomain": "ORGANIZATION",
            "type": "EDIT",
            "targetId": "*",
        },
    })
}

/// The requests of the dry run of each of `ids`: a GET and a privilege evaluation each.
fn checks_of(ids: &[&str]) -> Vec<String> {
    ids.iter()
        .flat_map(|id| {
            [
                format!("GET /rest/organizations/{id}"),
                "POST /rest/privilege/evaluate".to_owned(),
            ]
        })
        .collect()
}

/// The line of an organization the dry run would delete.
fn would_delete(id: &str, name: &str) -> Value {
    succeeded(id, "would_delete", 200, 2)
        .set("dry_run", true)
        .set("display_name", name)
}

/// The line of an organization the dry run found missing on the platform (its one GET).
fn not_found(id: &str) -> Value {
    failed(id, "not_found", 404, 1)
        .set("dry_run", true)
        .set(
            "error.message",
            format!("Organization '{id}' does not exist."),
        )
        .set("error.coveo_error_code", "ORGANIZATION_NOT_FOUND")
}

/// The line of an organization whose privilege evaluation said no: `kind` (`forbidden`,
/// `read_only`), after the GET and the POST.
fn refused(id: &str, name: &str, kind: &str) -> Value {
    failed(id, kind, 200, 2)
        .set("dry_run", true)
        .set("display_name", name)
}

#[test]
fn a_dry_run_would_delete_without_confirmation() {
    // No --yes and stdin is not a terminal: a dry run asks nothing.
    for flag in ["--dry-run", "-n"] {
        let standin = StandIn::platform(platform().forbid_delete());
        let r = against(&standin.url()).args([flag, "acme1"]).run();
        expect_line(r.line(), would_delete("acme1", "Acme One"));
        assert_eq!(r.status, 0, "{flag}: {r:#?}");
        assert_eq!(r.stderr, "");
        assert_eq!(standin.sent(), checks_of(&["acme1"]));
        standin.assert_no_violations();
        assert!(standin.remaining_orgs().contains(&"acme1".to_string()));
    }
}

#[test]
fn the_privilege_evaluation_asks_for_organization_edit() {
    let standin = StandIn::platform(platform().forbid_delete());
    let r = against(&standin.url()).args(["--dry-run", "acme2"]).run();
    assert_eq!(r.status, 0, "{r:#?}");
    let requests = standin.requests();
    assert_eq!(requests.len(), 2, "{:?}", standin.sent());
    let bearer = format!("Bearer {TOKEN}");

    let get = &requests[0];
    assert_eq!(get.method, "GET");
    assert_eq!(get.path, "/rest/organizations/acme2");
    assert_eq!(get.header("authorization"), Some(bearer.as_str()));
    assert!(get.body.is_empty());

    let post = &requests[1];
    assert_eq!(post.method, "POST");
    assert_eq!(post.path, "/rest/privilege/evaluate");
    assert_eq!(post.header("authorization"), Some(bearer.as_str()));
    let content_type = post.header("content-type").expect("a Content-Type");
    assert_eq!(
        content_type.split(';').next().unwrap().trim(),
        "application/json"
    );
    let body: Value = serde_json::from_slice(&post.body)
        .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", post.body_text()));
    assert_eq!(body, evaluation_body("acme2"));
    // Byte for byte as documented, keys in their order, for gateways that compare bodies.
    assert_eq!(
        post.body_text(),
        r#"{"organizationId":"acme2","requestedPrivilege":{"owner":"PLATFORM","targetDomain":"ORGANIZATION","type":"EDIT","targetId":"*"}}"#
    );
    standin.assert_no_violations();
}

#[test]
fn not_found_and_missing_ok() {
    let standin = StandIn::platform(platform().forbid_delete());
    let r = against(&standin.url()).args(["--dry-run", "ghost"]).run();
    expect_line(r.line(), not_found("ghost"));
    assert_eq!(r.status, 4);
    r.assert_stderr_failures(&[("ghost", "not_found")]);
    assert_eq!(standin.sent(), ["GET /rest/organizations/ghost"]);
    standin.assert_no_violations();

    let standin = StandIn::platform(platform().forbid_delete());
    let r = against(&standin.url())
        .args(["--dry-run", "--missing-ok", "ghost"])
        .run();
    expect_line(
        r.line(),
        succeeded("ghost", "already_absent", 404, 1).set("dry_run", true),
    );
    assert_eq!(r.status, 0, "{r:#?}");
    assert_eq!(r.stderr, "");
    assert_eq!(standin.sent(), ["GET /rest/organizations/ghost"]);
    standin.assert_no_violations();
}

#[test]
fn an_unauthorized_token_is_unauthorized() {
    let standin = StandIn::platform(platform().forbid_delete());
    let r = run_as(&standin, "expired-token", &["--dry-run", "acme1"]);
    expect_line(
        r.line(),
        failed("acme1", "unauthorized", 401, 1)
            .set("dry_run", true)
            .set("error.message", "Invalid access token")
            .set("error.coveo_error_code", "invalid_token"),
    );
    assert_eq!(r.status, 3);
    r.assert_stderr_failures(&[("acme1", "unauthorized")]);
    r.assert_hides("expired-token");
    assert_eq!(standin.sent(), ["GET /rest/organizations/acme1"]);
    standin.assert_no_violations();
}

#[test]
fn forbidden_when_the_privilege_is_not_approved() {
    let standin = StandIn::platform(platform().token("viewer-token", false).forbid_delete());
    let r = run_as(&standin, "viewer-token", &["--dry-run", "acme1"]);
    // The display name was learned by the GET.
    expect_line(r.line(), refused("acme1", "Acme One", "forbidden"));
    assert_eq!(r.status, 3);
    r.assert_stderr_failures(&[("acme1", "forbidden")]);
    r.assert_hides("viewer-token");
    let requests = standin.requests();
    assert_eq!(standin.sent(), checks_of(&["acme1"]));
    assert_eq!(
        serde_json::from_slice::<Value>(&requests[1].body).unwrap(),
        evaluation_body("acme1")
    );
    standin.assert_no_violations();
    // approved:false is checked before readOnly: a read-only organization is forbidden too.
    let standin = StandIn::platform(platform().token("viewer-token", false).forbid_delete());
    let r = run_as(&standin, "viewer-token", &["--dry-run", "paused"]);
    expect_line(r.line(), refused("paused", "Paused Org", "forbidden"));
    assert_eq!(r.status, 3);
    assert_eq!(standin.sent(), checks_of(&["paused"]));
    standin.assert_no_violations();
}

#[test]
fn a_read_only_organization_is_read_only_whether_the_report_is_a_string_or_an_object() {
    for (shape, p) in [
        ("string", Platform::new()),
        ("object", Platform::new().report_as_object()),
    ] {
        let s = StandIn::platform(p.read_only_org("paused1", "Paused One").forbid_delete());
        let run = against(&s.url()).args(["--dry-run", "paused1"]).run();
        assert_eq!(run.status, 1, "{shape}: {run:#?}");
        expect_line(run.line(), refused("paused1", "Paused One", "read_only"));
        // Read-only by what a 200 said, not by a status: no parenthesis.
        assert!(
            run.stderr
                .starts_with("coveo-org-delete: paused1: read_only: "),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("/rest/organizations/paused1/resume"),
            "{}",
            run.stderr
        );
        assert_eq!(s.sent(), checks_of(&["paused1"]));
        s.assert_no_violations();
        assert_eq!(s.remaining_orgs(), ["paused1"]);
    }
}

#[test]
fn a_read_only_code_in_the_report_is_read_only_whatever_the_organization_says() {
    // The GET says `readOnly: false`; the privilege evaluation's code decides.
    let standin = StandIn::script(vec![
        Action::json(200, r#"{"id":"acme1","displayName":"A","readOnly":false}"#),
        Action::json(
            200,
            r#"{"approved":false,"evaluationReport":{"privilegeEvaluationResultCodes":["OPERATION_FORBIDDEN_FOR_ORGANIZATION_IN_READ_ONLY"]}}"#,
        ),
    ]);
    let run = against(&standin.url()).args(["--dry-run", "acme1"]).run();
    assert_eq!(run.status, 1, "{run:#?}");
    expect_line(run.line(), refused("acme1", "A", "read_only"));
    assert!(run.stderr.contains("/rest/organizations/acme1/resume"));
    assert_eq!(standin.sent(), checks_of(&["acme1"]));
    standin.assert_no_violations();
}

/// The hint of a forbidden dry run's stderr line: what follows its `; hint`.
fn hint_of(run: &Run) -> String {
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    run.stderr
        .split_once("; hint")
        .unwrap_or_else(|| panic!("no hint: {}", run.stderr))
        .1
        .to_owned()
}

#[test]
fn an_anonymous_token_is_forbidden_with_a_hint_that_only_a_users_login_can_delete() {
    for (shape, p) in [
        ("string", Platform::new()),
        ("object", Platform::new().report_as_object()),
    ] {
        let p = p
            .org("acme1", "Acme One")
            .anonymous_token("api-key-token")
            .token("viewer-token", false)
            .forbid_delete();
        let s = StandIn::platform(p);
        let dry_run = |token: &str| run_as(&s, token, &["--dry-run", "acme1"]);
        let run = dry_run("api-key-token");
        assert_eq!(run.status, 3, "{shape}: {run:#?}");
        expect_line(run.line(), refused("acme1", "Acme One", "forbidden"));
        assert!(
            run.stderr.starts_with("coveo-org-delete: acme1: forbidden"),
            "{}",
            run.stderr
        );
        run.assert_hides("api-key-token");
        let anonymous = hint_of(&run);
        for word in ["user", "API key", "login"] {
            assert!(
                anonymous.contains(word),
                "{shape}: {word} missing: {anonymous}"
            );
        }
        // A user's token without the privilege gets another hint: the token is not the cause.
        let viewer = dry_run("viewer-token");
        assert_eq!(viewer.status, 3, "{viewer:#?}");
        expect_line(viewer.line(), refused("acme1", "Acme One", "forbidden"));
        assert_ne!(hint_of(&viewer), anonymous, "{shape}");
        assert_eq!(s.sent(), checks_of(&["acme1", "acme1"]));
        s.assert_no_violations();
    }
}

// ---------------------------------------------------------------------------------------------
// Lists

#[test]
fn a_list_is_checked_over_one_connection() {
    let standin = StandIn::platform(platform().forbid_delete());
    let file = list_file("# check tonight's list\nacme1\n\nghost\n  paused\nacme2\n");
    let r = against(&standin.url())
        .args(["--dry-run", "--from-file", &file])
        .run();
    assert_eq!(r.lines.len(), 4, "{r:#?}");
    expect_line(&r.lines[0], would_delete("acme1", "Acme One"));
    expect_line(&r.lines[1], not_found("ghost"));
    expect_line(&r.lines[2], refused("paused", "Paused Org", "read_only"));
    expect_line(&r.lines[3], would_delete("acme2", "Acme Two"));
    assert_eq!(r.status, 4, "first failure: not_found");
    r.assert_stderr_failures(&[("ghost", "not_found"), ("paused", "read_only")]);
    let mut checks = checks_of(&["acme1"]);
    checks.push("GET /rest/organizations/ghost".to_owned());
    checks.extend(checks_of(&["paused", "acme2"]));
    assert_eq!(standin.sent(), checks);
    assert_eq!(standin.connections(), 1);
    standin.assert_no_violations();
    assert_eq!(standin.remaining_orgs().len(), 4);
}

#[test]
fn a_list_from_stdin_needs_no_yes() {
    let standin = StandIn::platform(platform().forbid_delete());
    let r = against(&standin.url())
        .args(["--dry-run", "--from-file", "-"])
        .stdin(b"acme1\n# comment\nacme3\n")
        .run();
    assert_eq!(r.status, 0, "{r:#?}");
    assert_eq!(r.stderr, "");
    assert_eq!(r.lines.len(), 2, "{r:#?}");
    expect_line(&r.lines[0], would_delete("acme1", "Acme One"));
    expect_line(&r.lines[1], would_delete("acme3", "Acme Three"));
    assert_eq!(standin.sent(), checks_of(&["acme1", "acme3"]));
    assert_eq!(standin.connections(), 1);
    standin.assert_no_violations();
}

// ---------------------------------------------------------------------------------------------
// --verbose

#[test]
fn verbose_shows_the_get_and_the_post() {
    let standin = StandIn::platform(platform().forbid_delete());
    let url = standin.url();
    let r = against(&url)
        .args(["--verbose", "--dry-run", "acme1"])
        .run();
    expect_line(r.line(), would_delete("acme1", "Acme One"));
    assert_eq!(r.status, 0);
    let lines = r.stderr_lines();
    let source = format!("coveo-org-delete: token from COVEO_TOKEN; requests go to {url}");
    assert_eq!(lines.first(), Some(&source.as_str()), "{}", r.stderr);
    let lines = &lines[1..];
    assert_eq!(lines.len(), 2, "one line per attempt: {}", r.stderr);
    let get = format!("{url}/rest/organizations/acme1");
    let post = format!("{url}/rest/privilege/evaluate");
    assert!(
        lines[0].contains("GET") && lines[0].contains(&get) && lines[0].contains("200"),
        "{lines:?}"
    );
    assert!(
        lines[1].contains("POST") && lines[1].contains(&post) && lines[1].contains("200"),
        "{lines:?}"
    );
    assert!(lines.iter().all(|l| has_millis(l)), "{lines:?}");
    r.assert_hides(TOKEN);
    standin.assert_no_violations();
}

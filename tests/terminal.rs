//! The tool at a terminal: the typed confirmation (the organization ID for one, the count for
//! several), an answer of the platform that settles an organization before anything is asked,
//! typing time left out of `elapsed_ms`, the usage, and the status line and summary of a run
//! of several organizations. Each runs the binary at a real pseudo-terminal (stdin and stderr
//! on it, stdout a pipe unless said otherwise) and checks the JSON lines, what the terminal
//! showed, and what the stand-in received.

use crate::support::bin::{self, against};
use crate::support::line::{
    between, expect_line, failed, parse_lines, starting_with, succeeded, Set, SOME,
};
use crate::support::standin::{Action, Reply, Request, StandIn};
use crate::support::{
    assert_nothing_sent, has_millis, kill, list_file, not_started, platform, pty, LIMIT, SECRET,
    TOKEN,
};
use serde_json::{json, Value};
use std::process::Stdio;
use std::time::{Duration, Instant};

const ASK_ID: &str = "Type the organization ID to confirm: ";
const ASK_COUNT: &str = "Type the number of organizations to confirm: ";
/// Erase the line, as the terminal shows it once its `\r` are removed.
const ERASE: &str = "\x1b[K";

/// Starts the binary at a pseudo-terminal against `standin` with `COVEO_TOKEN=token`.
fn at_terminal(standin: &StandIn, token: &str, args: &[&str]) -> pty::Session {
    let cmd = bin::cmd()
        .token(token)
        .platform(&standin.url())
        .args(args)
        .command();
    pty::spawn(cmd, LIMIT)
}

/// Starts the binary at a terminal against `standin`, waits for the question `ask`, and
/// types `typed`: what the terminal showed up to the question, and how the run ended.
fn answer(
    standin: &StandIn,
    token: &str,
    args: &[&str],
    ask: &str,
    typed: &str,
) -> (String, pty::Finished) {
    let mut session = at_terminal(standin, token, args);
    let shown = session.read_until(ask);
    session.type_line(typed);
    (shown, session.finish())
}

/// The organization IDs of the lines, in order.
fn ids_of(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["organization_id"].as_str().unwrap_or("<null>").to_owned())
        .collect()
}

/// The line of an organization the platform deleted after `attempts` requests, the last
/// answered 204.
fn deleted(id: &str, attempts: usize, display_name: Value) -> Value {
    succeeded(id, "deleted", 204, attempts as u64).set("display_name", display_name)
}

/// The line of an organization for which nothing was sent: the answer did not confirm it.
fn not_confirmed(id: &str) -> Value {
    failed(id, "not_confirmed", Value::Null, 0)
}

// ---------------------------------------------------------------------------------------------
// The confirmation

#[test]
fn typing_the_name_instead_of_the_id_deletes_nothing() {
    let standin = StandIn::platform(platform());
    let (prompt, done) = answer(&standin, TOKEN, &["acme1"], ASK_ID, "Acme One");
    assert!(prompt.contains("acme1"), "{prompt:?}");
    assert!(
        prompt.contains("Acme One"),
        "display name shown: {prompt:?}"
    );

    assert_eq!(done.status, 2, "{done:#?}");
    assert_eq!(done.lines.len(), 1, "{done:#?}");
    // Only the read that fetched the display name, which the line keeps.
    assert_eq!(standin.sent(), ["GET /rest/organizations/acme1"]);
    expect_line(
        &done.lines[0],
        failed("acme1", "not_confirmed", 200, 1).set("display_name", "Acme One"),
    );
    assert!(
        done.terminal
            .contains("coveo-org-delete: acme1: not_confirmed"),
        "{:?}",
        done.terminal
    );
    assert!(standin.remaining_orgs().contains(&"acme1".to_string()));
}

#[test]
fn typing_the_id_deletes() {
    let standin = StandIn::platform(platform());
    let (prompt, done) = answer(&standin, TOKEN, &["acme1"], ASK_ID, "acme1");
    assert!(
        prompt.contains("acme1") && prompt.contains("Acme One"),
        "{prompt:?}"
    );

    assert_eq!(done.status, 0, "{done:#?}");
    assert_eq!(done.lines.len(), 1, "{done:#?}");
    // The GET for the name, then the DELETE: two attempts on the line.
    expect_line(&done.lines[0], deleted("acme1", 2, json!("Acme One")));
    assert_eq!(
        standin.sent(),
        [
            "GET /rest/organizations/acme1",
            "DELETE /rest/organizations/acme1"
        ]
    );
    let delete = &standin.requests()[1];
    assert_eq!(
        delete.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(delete.body.is_empty(), "DELETE with a body: {delete:?}");
    assert!(!standin.remaining_orgs().contains(&"acme1".to_string()));
    assert!(
        !done.terminal.contains("not_confirmed"),
        "{:?}",
        done.terminal
    );
}

#[test]
fn typing_the_count_of_several_organizations_deletes_them_all() {
    let standin = StandIn::platform(platform());
    let ids = ["acme1", "acme2", "acme3"];
    let (prompt, done) = answer(&standin, TOKEN, &ids, ASK_COUNT, "3");
    assert!(prompt.contains("3 organizations"), "{prompt:?}");
    let positions: Vec<usize> = ids
        .iter()
        .map(|id| {
            prompt
                .find(id)
                .unwrap_or_else(|| panic!("{id} in {prompt:?}"))
        })
        .collect();
    assert!(positions.is_sorted(), "listed in order: {prompt:?}");

    assert_eq!(done.status, 0, "{done:#?}");
    assert_eq!(ids_of(&done.lines), ids);
    for (line, id) in done.lines.iter().zip(ids) {
        expect_line(line, deleted(id, 1, Value::Null));
    }
    let requests = standin.requests();
    assert_eq!(
        standin.sent(),
        ids.map(|id| format!("DELETE /rest/organizations/{id}"))
    );
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert!(r.body.is_empty(), "DELETE with a body: {r:?}");
    }
    assert_eq!(standin.connections(), 1);
    assert_eq!(standin.remaining_orgs(), ["paused"]);
}

/// Only the count confirms several organizations: not `yes`, not a number that starts like it.
#[test]
fn typing_yes_or_a_wrong_count_confirms_nothing() {
    for typed in ["yes", "30"] {
        let standin = StandIn::platform(platform());
        let ids = ["acme1", "acme2", "acme3"];
        let (_, done) = answer(&standin, TOKEN, &ids, ASK_COUNT, typed);

        assert_eq!(done.status, 2, "{typed}: {done:#?}");
        assert_eq!(ids_of(&done.lines), ids, "{typed}");
        for (line, id) in done.lines.iter().zip(ids) {
            expect_line(line, not_confirmed(id));
        }
        for id in ids {
            let human = format!("coveo-org-delete: {id}: not_confirmed");
            assert!(
                done.terminal.contains(&human),
                "{typed}: {:?}",
                done.terminal
            );
        }
        assert_nothing_sent(&standin);
        assert_eq!(standin.remaining_orgs().len(), 4);
    }
}

#[test]
fn a_list_file_asks_for_the_count() {
    let standin = StandIn::platform(platform());
    let file = list_file("# two tonight\nacme2\n\nacme3\n");
    let (prompt, done) = answer(&standin, TOKEN, &["--from-file", &file], ASK_COUNT, "2");
    assert!(prompt.contains("2 organizations"), "{prompt:?}");
    assert!(
        prompt.contains("acme2") && prompt.contains("acme3"),
        "{prompt:?}"
    );
    assert!(!prompt.contains("acme1"), "{prompt:?}");
    assert_eq!(done.status, 0, "{done:#?}");
    assert_eq!(ids_of(&done.lines), ["acme2", "acme3"]);
    for (line, id) in done.lines.iter().zip(["acme2", "acme3"]) {
        expect_line(line, deleted(id, 1, Value::Null));
    }
    assert_eq!(
        standin.sent(),
        [
            "DELETE /rest/organizations/acme2",
            "DELETE /rest/organizations/acme3"
        ]
    );
    assert_eq!(standin.remaining_orgs(), ["acme1", "paused"]);
}

#[test]
fn no_prompt_with_yes_or_dry_run() {
    let standin = StandIn::platform(platform().forbid_delete());
    let done = at_terminal(&standin, TOKEN, &["--dry-run", "acme1", "acme2"]).finish();
    assert_eq!(done.status, 0, "{done:#?}");
    // Nothing asked: the terminal shows only the status lines ("checking") and the summary
    // of what would be deleted.
    assert_eq!(
        done.terminal,
        format!(
            "{ERASE}[1/2] checking acme1{ERASE}[2/2] checking acme2{ERASE}2 organizations: 2 would be deleted\n"
        )
    );
    assert_eq!(ids_of(&done.lines), ["acme1", "acme2"]);
    for (line, (id, name)) in done
        .lines
        .iter()
        .zip([("acme1", "Acme One"), ("acme2", "Acme Two")])
    {
        expect_line(
            line,
            succeeded(id, "would_delete", 200, 2)
                .set("dry_run", true)
                .set("display_name", name),
        );
    }
    standin.assert_no_violations();

    let standin = StandIn::platform(platform());
    let done = at_terminal(&standin, TOKEN, &["--yes", "acme1"]).finish();
    assert_eq!(done.status, 0, "{done:#?}");
    assert_eq!(done.terminal, "");
    assert_eq!(done.lines.len(), 1, "{done:#?}");
    expect_line(&done.lines[0], deleted("acme1", 1, Value::Null));
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
}

#[test]
fn a_terminal_on_only_one_of_stdin_and_stderr_is_no_terminal() {
    // Asking needs both: the question on stderr, the answer on stdin.
    for stdin_at_terminal in [true, false] {
        let standin = StandIn::platform(platform());
        let (master, slave) = pty::open_pty();
        let mut command = against(&standin.url()).arg("acme1").command();
        let (stdin, stderr) = if stdin_at_terminal {
            (Stdio::from(slave), Stdio::piped())
        } else {
            (Stdio::null(), Stdio::from(slave))
        };
        command.stdin(stdin).stderr(stderr).stdout(Stdio::piped());
        let child = command.spawn().expect("spawn the binary");
        drop(command);
        let out = bin::wait_within(child, Vec::new(), LIMIT);
        drop(master);
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "stdin at terminal {stdin_at_terminal}: {stdout}"
        );
        let lines = parse_lines(&stdout);
        assert_eq!(lines.len(), 1, "{stdout}");
        expect_line(
            &lines[0],
            failed("acme1", "confirmation_required", Value::Null, 0),
        );
        assert_nothing_sent(&standin);
        assert!(standin.remaining_orgs().contains(&"acme1".to_string()));
    }
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
        let attempts = standin.requests().len() as u64;
        let want = if result == "deleted" {
            succeeded("acme1", "deleted", 204, attempts)
        } else {
            failed("acme1", "not_confirmed", 200, attempts)
        };
        expect_line(
            &done.lines[0],
            want.set("display_name", "Acme One")
                .set("elapsed_ms", between(0, 999)),
        );
        let deleted = standin.requests().iter().any(|r| r.method == "DELETE");
        assert_eq!(deleted, result == "deleted", "{:?}", standin.sent());
    }
}

// ---------------------------------------------------------------------------------------------
// An answer that settles the organization is reported at once, without asking

/// A stand-in whose GET of an organization gets `reply` (with request ID `req-get`), and
/// whose DELETE is refused: none may be sent.
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
            json!("Invalid access token"),
            json!("invalid_token"),
        ),
        (
            Reply::new(403).json(
                r#"{"message":"You are not authorized to view this organization.","errorCode":"ACCESS_DENIED"}"#,
            ),
            "forbidden",
            403,
            3,
            Value::Null,
            json!("You are not authorized to view this organization."),
            json!("ACCESS_DENIED"),
        ),
        (
            Reply::new(404).json(
                r#"{"message":"Organization 'acme1' does not exist.","errorCode":"ORGANIZATION_NOT_FOUND"}"#,
            ),
            "not_found",
            404,
            4,
            Value::Null,
            json!("Organization 'acme1' does not exist."),
            json!("ORGANIZATION_NOT_FOUND"),
        ),
        (
            Reply::new(200).json(r#"{"id":"acme1","displayName":"Acme One","readOnly":true}"#),
            "read_only",
            200,
            1,
            Value::from("Acme One"),
            json!(SOME),
            Value::Null,
        ),
    ];
    for (reply, kind, http_status, exit, display_name, message, code) in cases {
        let standin = get_answers(reply);
        let done = at_terminal(&standin, SECRET, &["acme1"]).finish();

        assert!(!done.terminal.contains(ASK_ID), "{kind}: asked: {done:#?}");
        assert!(!done.terminal.contains("About to"), "{kind}: {done:#?}");
        assert_eq!(done.lines.len(), 1, "{kind}: {done:#?}");
        expect_line(
            &done.lines[0],
            failed("acme1", kind, http_status, 1)
                .set("request_id", "req-get")
                .set("display_name", display_name)
                .set("error.message", message)
                .set("error.coveo_error_code", code),
        );
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
    expect_line(
        &done.lines[0],
        succeeded("acme1", "already_absent", 404, 1).set("request_id", "req-get"),
    );
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
    expect_line(
        &done.lines[0],
        failed("paused", "read_only", 200, 1).set("display_name", "Paused Org"),
    );
    assert_eq!(done.status, 1);
    assert_eq!(standin.sent(), ["GET /rest/organizations/paused"]);
    assert!(standin.remaining_orgs().contains(&"paused".to_owned()));
}

#[test]
fn prompt_asks_anyway_when_the_name_cannot_be_read() {
    // A busy platform does not settle the organization, so the prompt asks anyway (a 404
    // would settle it at once).
    let standin = StandIn::handler(|r| match r.method.as_str() {
        "GET" => Action::json(503, r#"{"message":"busy"}"#),
        _ => Action::status(204),
    });
    let (prompt, done) = answer(&standin, TOKEN, &["ghost"], ASK_ID, "ghost");
    assert!(prompt.contains("ghost"), "{prompt:?}");

    assert_eq!(done.lines.len(), 1, "{done:#?}");
    let attempts = standin.requests().len();
    expect_line(&done.lines[0], deleted("ghost", attempts, Value::Null));
    assert_eq!(done.status, 0, "{done:#?}");
    let sent = standin.sent();
    assert_eq!(
        sent.iter().filter(|r| r.starts_with("DELETE ")).count(),
        1,
        "{sent:?}"
    );
    assert_eq!(sent.last().unwrap(), "DELETE /rest/organizations/ghost");
}

#[test]
fn prompt_asks_anyway_when_the_get_gets_no_answer() {
    let standin = StandIn::handler(|r| match r.method.as_str() {
        "GET" => Action::Close,
        _ => Action::Reply(Reply::new(204).header("X-Request-ID", "req-delete")),
    });
    let (prompt, done) = answer(&standin, SECRET, &["acme1"], ASK_ID, "acme1");
    assert!(
        prompt.contains("organization acme1 on"),
        "no name: {prompt:?}"
    );

    assert_eq!(done.status, 0, "{done:#?}");
    assert_eq!(done.lines.len(), 1, "{done:#?}");
    // The GET and the DELETE.
    expect_line(
        &done.lines[0],
        succeeded("acme1", "deleted", 204, 2).set("request_id", "req-delete"),
    );
    assert_eq!(
        standin.sent(),
        [
            "GET /rest/organizations/acme1",
            "DELETE /rest/organizations/acme1"
        ]
    );
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
    assert_eq!(done.lines.len(), 1, "{done:#?}");
    expect_line(
        &done.lines[0],
        succeeded("acme1", "deleted", 204, 3).set("display_name", "Acme One"),
    );
    let lines = attempt_lines(&done.terminal);
    assert_eq!(lines.len(), 3, "one line per attempt: {:?}", done.terminal);
    for (l, (method, what)) in lines.iter().zip([
        ("GET", "200 OK"),
        ("DELETE", "503 Service Unavailable"),
        ("DELETE", "204 No Content"),
    ]) {
        let start = format!("coveo-org-delete: {method} {url} -> {what} (");
        assert!(l.starts_with(&start), "{l:?} should start with {start:?}");
        assert!(has_millis(l), "{l}");
    }
    assert!(!done.terminal.contains(SECRET) && !done.stdout.contains(SECRET));
    assert!(!done.terminal.contains("Bearer"), "{:?}", done.terminal);
    standin.assert_no_violations();
}

/// The `--verbose` lines among the terminal's lines.
fn attempt_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.contains(" -> ")).collect()
}

// ---------------------------------------------------------------------------------------------
// The usage

#[test]
fn no_arguments_at_a_terminal_show_the_usage_too() {
    let done = pty::spawn(bin::cmd().command(), LIMIT).finish();
    assert_eq!(done.status, 2, "{done:#?}");
    assert_eq!(done.lines.len(), 1, "{done:#?}");
    expect_line(
        &done.lines[0],
        failed(Value::Null, "usage", Value::Null, 0)
            .set("error.message", starting_with("no organization ID given")),
    );
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
    assert_eq!(shown.matches("(see --help)").count(), 1, "{shown}");
}

// ---------------------------------------------------------------------------------------------
// Progress and summary

#[test]
fn progress_is_cleared_before_a_failure_and_a_summary_ends_the_run() {
    let standin = StandIn::platform(platform());
    let session = pty::spawn(
        against(&standin.url())
            .args(["--yes", "acme1", "ghost", "acme2"])
            .command(),
        LIMIT,
    );
    let done = session.finish();

    assert_eq!(done.status, 4, "{done:#?}");
    assert_eq!(done.lines.len(), 3, "{done:#?}");
    expect_line(&done.lines[0], deleted("acme1", 1, Value::Null));
    expect_line(
        &done.lines[1],
        failed("ghost", "not_found", 404, 1)
            .set("error.message", "Organization 'ghost' does not exist.")
            .set("error.coveo_error_code", "ORGANIZATION_NOT_FOUND"),
    );
    expect_line(&done.lines[2], deleted("acme2", 1, Value::Null));
    let t = &done.terminal;
    let start = format!(
        "{ERASE}[1/3] deleting acme1{ERASE}[2/3] deleting ghost{ERASE}coveo-org-delete: ghost: not_found (HTTP 404 ORGANIZATION_NOT_FOUND)"
    );
    // After the failure's line the row is empty: the next status line needs no erasing.
    let end = format!("\n[3/3] deleting acme2{ERASE}3 organizations: 2 deleted, 1 not found\n");
    assert!(t.starts_with(&start), "{t:?}");
    assert!(t.ends_with(&end), "{t:?}");
    assert_eq!(t.matches('\n').count(), 2, "{t:?}");
}

#[test]
fn a_stopped_run_says_what_was_not_started() {
    let standin = StandIn::script(vec![Action::Held(Reply::new(204))]);
    let mut session = pty::spawn(
        against(&standin.url())
            .args(["--yes", "acme1", "acme2", "acme3"])
            .command(),
        LIMIT,
    );
    standin.wait_for_requests(1, LIMIT);
    kill(session.pid(), libc::SIGINT);
    standin.release();
    // Read what the terminal shows while the run ends, so the binary never blocks on it.
    session.read_until("stopped by SIGINT\n");
    let done = session.finish();

    assert_eq!(done.status, 130, "{done:#?}");
    assert_eq!(
        done.terminal,
        format!(
            "{ERASE}[1/3] deleting acme1{ERASE}{}\n3 organizations: 1 deleted, 2 not started; stopped by SIGINT\n",
            not_started(2, "SIGINT"),
        )
    );
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
}

#[test]
fn one_organization_shows_no_progress_and_no_summary() {
    let standin = StandIn::platform(platform());
    let done = pty::spawn(
        against(&standin.url()).args(["--yes", "ghost"]).command(),
        LIMIT,
    )
    .finish();

    assert_eq!(done.status, 4, "{done:#?}");
    let t = &done.terminal;
    assert!(t.starts_with("coveo-org-delete: ghost: not_found"), "{t:?}");
    assert_eq!(t.matches('\n').count(), 1, "{t:?}");
    assert!(
        !t.contains('\x1b') && !t.contains("organizations:"),
        "{t:?}"
    );
}

#[test]
fn without_a_terminal_stderr_holds_failures_only() {
    // A cron job mails whatever stderr holds: nothing for a successful batch.
    let standin = StandIn::platform(platform());
    let run = against(&standin.url())
        .args(["--yes", "acme1", "acme2", "acme3"])
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.lines.len(), 3);
    assert_eq!(run.stderr, "");

    let standin = StandIn::platform(platform());
    let run = against(&standin.url())
        .args(["--yes", "acme1", "ghost"])
        .run();
    assert_eq!(run.status, 4, "{run:#?}");
    let stderr = run.stderr_lines();
    assert_eq!(stderr.len(), 1, "{}", run.stderr);
    assert!(stderr[0].starts_with("coveo-org-delete: ghost: not_found"));
    assert!(!run.stderr.contains('\x1b'), "{:?}", run.stderr);
}

#[test]
fn a_terminal_holding_stdout_too_never_glues_a_json_line_to_the_progress_line() {
    let standin = StandIn::platform(platform());
    let (status, bytes) = pty::run_at_terminal(
        against(&standin.url())
            .args(["--yes", "acme1", "ghost", "acme2"])
            .command(),
        LIMIT,
    );
    assert_eq!(
        status.code(),
        Some(4),
        "{:?}",
        String::from_utf8_lossy(&bytes)
    );
    let rows = pty::screen(&bytes);
    // What stays on the screen: each JSON line on a row of its own, the failure's line, the
    // last status line erased, and the summary.
    let json: Vec<&String> = rows.iter().filter(|r| r.starts_with('{')).collect();
    assert_eq!(json.len(), 3, "{rows:#?}");
    let lines = parse_lines(&json.iter().map(|r| format!("{r}\n")).collect::<String>());
    for (line, id) in lines.iter().zip(["acme1", "ghost", "acme2"]) {
        let want = if id == "ghost" {
            failed(id, "not_found", 404, 1).set("error.coveo_error_code", "ORGANIZATION_NOT_FOUND")
        } else {
            deleted(id, 1, Value::Null)
        };
        expect_line(line, want);
    }
    for row in &rows {
        let glued = row.contains("] deleting ") && row.contains('{');
        assert!(
            !glued,
            "a status line and a JSON line share a row: {rows:#?}"
        );
    }
    assert!(
        rows.iter()
            .any(|r| r.starts_with("coveo-org-delete: ghost: not_found")),
        "{rows:#?}"
    );
    assert_eq!(
        rows.last().map(String::as_str),
        Some("3 organizations: 2 deleted, 1 not found")
    );
    assert!(
        rows.iter().all(|r| !r.starts_with('[')),
        "every status line is erased at the end: {rows:#?}"
    );
}

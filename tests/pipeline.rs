//! The nightly clean-up as cron runs it: a listing fed into a deletion, as a real
//! `bash -c 'set -o pipefail; coveo-org-delete --list ... | filter | coveo-org-delete --yes
//! --from-file -'` (and as two processes of the binary joined by an OS pipe) against the
//! stand-in platform over a real socket. It deletes exactly what was listed; a deletion fed
//! with a listing that did not read every page (killed, failed, interrupted, or cut by a
//! filter) deletes nothing and says why; a listing wider than meant stops at its Production
//! organizations; last night's lines can be fed back as they are.
//!
//! Each test asserts what a script sees (every line, each process's exit status and the
//! pipeline's, stderr) and what the stand-in received (every request's method and path, how
//! many connections: the deletion's absence shows as no connection of its own). Signals and
//! kills land once the stand-in has seen the request they must follow; every wait has a
//! deadline.

use crate::support::bin::{
    self, against, bin_word, cmd, delete_at, list_at, noted_pid, noting_pid, required_tool,
    sh_quote, shell, Run, ShellRun,
};
use crate::support::line::{
    assert_evenly_shortened, assert_lines_fit, assert_whole_or_shortened, deleted, expect_line,
    failed, listed, parse_lines, Set, ANY, SOME,
};
use crate::support::standin::{Action, Listed, Platform, Reply, Request, StandIn};
use crate::support::{
    assert_nothing_sent, end_line, gets, hostile_platform, kill, now_ms, old_test_ids, old_tests,
    page, temp_dir, temp_file, LIMIT, SECRET, TOKEN,
};
use serde_json::{json, Value};
use std::path::PathBuf;

/// What the nightly listing keeps: the test organizations named `ci-...` older than two days.
const NIGHTLY: [&str; 6] = [
    "--type",
    "Test",
    "--name-prefix",
    "ci-",
    "--older-than",
    "2d",
];
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

// ---------------------------------------------------------------------------------------------
// Helpers

fn deletes_of(ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| format!("DELETE /rest/organizations/{id}"))
        .collect()
}

/// The listed line of `ci{i:03}` of [`old_tests`].
fn old_test_line(i: usize) -> Value {
    listed(&format!("ci{i:03}"))
        .set("display_name", format!("ci-run {i}"))
        .set("type", "Test")
        .set("created", SOME)
        .set("read_only", false)
        .set("lifecycle_state", "ACTIVE")
        .set("owner_email", "ci@example.com")
}

/// Listed lines: those of the first `n` organizations of [`old_tests`].
fn expect_old_tests(lines: &[Value], n: usize) {
    assert_eq!(lines.len(), n, "{lines:#?}");
    for (i, line) in lines.iter().enumerate() {
        expect_line(line, old_test_line(i));
    }
}

/// The IDs of a deletion's lines, each of an organization deleted by its one DELETE.
fn deleted_ids(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            let id = l["organization_id"].as_str().unwrap_or_default().to_owned();
            expect_line(l, deleted(&id));
            id
        })
        .collect()
}

/// The one line of a deletion fed with the lines of a listing that failed as a whole: no
/// organization, the listing's own kind, the listing's message after the deletion's words,
/// nothing sent.
fn upstream_failure(kind: &str, listing_message: &str) -> Value {
    failed(Value::Null, kind, Value::Null, 0).set(
        "error.message",
        format!(
            "the list is the output of a run that failed, so nothing was sent: {listing_message}"
        ),
    )
}

/// The one line of a deletion fed with an unfinished listing.
fn assert_incomplete(piped: &Piped) {
    assert_eq!(piped.delete_status, 2, "{piped:#?}");
    let message = piped.line()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    expect_line(
        piped.line(),
        failed(Value::Null, "incomplete_list", Value::Null, 0),
    );
    for word in ["end_of_list", "filter"] {
        assert!(message.contains(word), "{word} missing: {message}");
    }
    assert_eq!(
        piped.delete_stderr,
        format!("coveo-org-delete: incomplete_list: {message}\n"),
        "{piped:#?}"
    );
}

/// The failure line that ends a listing: `kind`, the page's status, the retries of the page;
/// returns its message.
fn listing_failure(lines: &[Value], kind: &str, http_status: Value, attempts: u64) -> String {
    let last = lines.last().expect("a failure line");
    expect_line(
        last,
        failed(Value::Null, kind, http_status, attempts)
            .set("error.coveo_error_code", ANY)
            .set("error.retry_after_s", ANY),
    );
    last["error"]["message"].as_str().unwrap().to_owned()
}

// ---------------------------------------------------------------------------------------------
// The nightly pipeline: `LIST 2>list.err | tee listed | [FILTER |] DELETE 2>delete.err`

/// The nightly pipeline against a stand-in, as a bash script. `tee` keeps what the listing
/// printed, so a test sees both ends of the pipe. Both processes take `COVEO_TOKEN` from the
/// shell's environment; the listing can be given another token with a `--token-file`.
struct Nightly<'a> {
    standin: &'a StandIn,
    list_args: Vec<String>,
    filter: Option<String>,
    delete_args: Vec<String>,
    /// The listing writes its process ID here (for a test that signals it).
    pid_file: Option<PathBuf>,
}

/// The files a pipeline writes besides its stdout.
#[derive(Debug)]
struct Files {
    listed: PathBuf,
    list_err: PathBuf,
    delete_err: PathBuf,
    pid: Option<PathBuf>,
}

/// What a script sees of a finished nightly pipeline.
#[derive(Debug)]
struct Piped {
    /// The shell's view: its stdout is the deletion's; `status` is the pipeline's.
    shell: ShellRun,
    list_status: i32,
    delete_status: i32,
    /// What the listing printed, through `tee`.
    listed: String,
    list_stderr: String,
    delete_stderr: String,
}

impl Piped {
    /// The deletion's lines.
    fn lines(&self) -> &[Value] {
        &self.shell.lines
    }

    /// The deletion's only line.
    fn line(&self) -> &Value {
        assert_eq!(self.lines().len(), 1, "one line: {self:#?}");
        &self.lines()[0]
    }

    /// The listing's lines.
    fn listed_lines(&self) -> Vec<Value> {
        parse_lines(&self.listed)
    }
}

/// A started nightly pipeline.
struct Started {
    child: bin::ShellChild,
    files: Files,
}

impl<'a> Nightly<'a> {
    fn new(standin: &'a StandIn, list_args: &[&str]) -> Nightly<'a> {
        Nightly {
            standin,
            list_args: list_args.iter().map(|a| a.to_string()).collect(),
            filter: None,
            delete_args: ["--yes", "--from-file", "-"].map(String::from).to_vec(),
            pid_file: None,
        }
    }

    /// A command between the two, with absolute paths (e.g. `/usr/bin/grep -v ...`).
    fn filter(mut self, command: String) -> Self {
        self.filter = Some(command);
        self
    }

    fn delete_args(mut self, args: &[&str]) -> Self {
        self.delete_args = args.iter().map(|a| a.to_string()).collect();
        self
    }

    /// The listing notes its process ID, for [`Started::listing_pid`].
    fn noting_pid(mut self) -> Self {
        self.pid_file = Some(temp_file("listing.pid", b""));
        self
    }

    fn spawn(self) -> Started {
        let files = Files {
            listed: temp_file("listed.jsonl", b""),
            list_err: temp_file("list.err", b""),
            delete_err: temp_file("delete.err", b""),
            pid: self.pid_file,
        };
        let url = sh_quote(self.standin.url());
        let words = |args: &[String]| args.iter().map(sh_quote).collect::<Vec<_>>().join(" ");
        let mut lister = format!(
            "{} --platform-url {url} --list {}",
            bin_word(),
            words(&self.list_args)
        );
        if let Some(pid) = &files.pid {
            lister = noting_pid(pid, &lister);
        }
        let mut script = format!(
            "{lister} 2>{} | {} {}",
            sh_quote(&files.list_err),
            sh_quote(required_tool("tee")),
            sh_quote(&files.listed)
        );
        if let Some(filter) = &self.filter {
            script.push_str(&format!(" | {filter}"));
        }
        script.push_str(&format!(
            " | {} --platform-url {url} {} 2>{}",
            bin_word(),
            words(&self.delete_args),
            sh_quote(&files.delete_err)
        ));
        Started {
            child: shell(script).env("COVEO_TOKEN", TOKEN).spawn(),
            files,
        }
    }

    fn run(self) -> Piped {
        self.spawn().finish()
    }
}

impl Started {
    /// The listing's process ID; only once the stand-in has seen a request of it.
    fn listing_pid(&self) -> u32 {
        noted_pid(self.files.pid.as_ref().expect("a pipeline noting its pid"))
    }

    fn finish(self) -> Piped {
        let shell = self.child.finish();
        let read =
            |p: &PathBuf| String::from_utf8(std::fs::read(p).unwrap()).expect("UTF-8 output");
        // LIST | tee | [FILTER |] DELETE: tee's own status is in `shell.statuses`.
        let statuses = shell.statuses.clone();
        assert!(statuses.len() >= 3, "{shell:#?}");
        let piped = Piped {
            list_status: statuses[0],
            delete_status: *statuses.last().unwrap(),
            listed: read(&self.files.listed),
            list_stderr: read(&self.files.list_err),
            delete_stderr: read(&self.files.delete_err),
            shell,
        };
        assert_eq!(piped.shell.stderr, "", "{piped:#?}");
        for text in [&piped.listed, &piped.list_stderr, &piped.delete_stderr] {
            assert!(!text.contains(TOKEN), "the token: {text}");
            assert!(!text.contains("panicked"), "{text}");
        }
        assert!(!piped.shell.stdout.contains(TOKEN), "{piped:#?}");
        piped
    }
}

// ---------------------------------------------------------------------------------------------
// A listing that did not read every page deletes nothing

#[test]
fn a_listing_killed_between_two_pages_deletes_nothing() {
    let s = StandIn::platform(old_tests(150).list_page_held(1).only_gets());
    let started = Nightly::new(&s, &["--type", "Test"]).noting_pid().spawn();
    // Page 0 is printed; page 1 is asked for and held: the listing is between two pages.
    s.wait_for_requests(2, LIMIT);
    kill(started.listing_pid(), libc::SIGKILL);
    let piped = started.finish();

    assert_eq!(piped.list_status, 128 + libc::SIGKILL, "{piped:#?}");
    assert_eq!(piped.list_stderr, "");
    // What the listing got out before it died: page 0, and no end line.
    expect_old_tests(&piped.listed_lines(), 100);
    assert_incomplete(&piped);
    assert_eq!(piped.shell.status, 2, "the pipeline's status: {piped:#?}");
    // Only the listing's two GETs, on its one connection: the deletion sent nothing at all.
    assert_eq!(s.sent(), gets(&[0, 1]));
    assert_eq!(s.connections(), 1);
    assert_eq!(s.remaining_orgs().len(), 150);
    s.assert_no_violations();
}

#[test]
fn grep_v_of_one_listed_line_deletes_the_others_and_not_that_one() {
    let s = StandIn::platform(old_tests(5));
    let grep = format!(
        "{} -v {}",
        sh_quote(required_tool("grep")),
        sh_quote(r#""organization_id":"ci002""#)
    );
    let piped = Nightly::new(&s, &["--type", "Test", "--name-prefix", "ci-"])
        .filter(grep)
        .run();

    assert_eq!(piped.shell.statuses, [0, 0, 0, 0], "{piped:#?}");
    assert_eq!(piped.list_stderr, "");
    assert_eq!(piped.delete_stderr, "");
    let listed = piped.listed_lines();
    expect_old_tests(&listed[..5], 5);
    assert_eq!(piped.listed.lines().last(), Some(end_line(5).as_str()));
    let kept: Vec<String> = ["ci000", "ci001", "ci003", "ci004"]
        .map(String::from)
        .to_vec();
    assert_eq!(deleted_ids(piped.lines()), kept);
    let mut want = gets(&[0]);
    want.extend(deletes_of(&kept));
    assert_eq!(s.sent(), want);
    assert_eq!(s.remaining_orgs(), ["ci002"]);
    s.assert_no_violations();
}

#[test]
fn a_filter_that_drops_the_end_line_sends_nothing() {
    for filter in [
        format!(
            "{} {}",
            sh_quote(required_tool("grep")),
            sh_quote(r#""result":"listed""#)
        ),
        format!("{} -n -1", sh_quote(required_tool("head"))),
    ] {
        let s = StandIn::platform(old_tests(3).only_gets());
        let piped = Nightly::new(&s, &["--type", "Test"])
            .filter(filter.clone())
            .run();
        // The listing finished (its end line is there); the filter dropped it.
        assert_eq!(piped.list_status, 0, "{filter}: {piped:#?}");
        assert_eq!(piped.listed.lines().last(), Some(end_line(3).as_str()));
        assert_incomplete(&piped);
        assert_eq!(piped.shell.status, 2, "{filter}");
        assert_eq!(s.sent(), gets(&[0]), "{filter}");
        assert_eq!(s.connections(), 1, "{filter}: only the listing's");
        s.assert_no_violations();
    }
}

#[test]
fn an_expired_token_listing_makes_the_pipeline_exit_3_and_sends_nothing() {
    let s = StandIn::platform(old_tests(3).only_gets());
    let expired = temp_file("expired-token", b"expired-token\n");
    let mut args = vec!["--token-file", expired.to_str().unwrap()];
    args.extend(["--type", "Test"]);
    let piped = Nightly::new(&s, &args).run();

    assert_eq!(piped.list_status, 3, "{piped:#?}");
    let listed = piped.listed_lines();
    assert_eq!(listed.len(), 1, "{piped:#?}");
    let message = listing_failure(&listed, "unauthorized", json!(401), 1);
    assert_eq!(piped.delete_status, 3, "{piped:#?}");
    assert_eq!(piped.shell.status, 3, "pipefail: {piped:#?}");
    expect_line(piped.line(), upstream_failure("unauthorized", &message));
    assert_eq!(piped.delete_stderr.lines().count(), 1, "{piped:#?}");
    assert!(
        piped.delete_stderr.starts_with(&format!(
            "coveo-org-delete: unauthorized: the list is the output of a run that failed, so nothing was sent: {message}"
        )),
        "{piped:#?}"
    );
    // The deletion's own token was never used: its hint points at the listing, not at it.
    assert!(
        piped.delete_stderr.trim_end().ends_with(
            "; hint: the run that printed this list failed, and its own stderr line says why; fix that, then run both again"
        ),
        "{piped:#?}"
    );
    assert!(
        !piped.delete_stderr.contains("tied to a user"),
        "{piped:#?}"
    );
    // The listing's one refused GET; nothing of the deletion.
    assert_eq!(s.sent(), gets(&[0]));
    assert_eq!(s.connections(), 1);
    s.assert_no_violations();
}

#[test]
fn an_outage_part_way_makes_the_pipeline_exit_5_and_sends_nothing() {
    for (busy, said) in [
        (
            Reply::new(503)
                .header("Retry-After", "0")
                .json(r#"{"message":"The platform is busy."}"#),
            "The platform is busy.",
        ),
        (
            Reply::new(503).header("Retry-After", "0"),
            "HTTP 503 Service Unavailable",
        ),
    ] {
        let s = StandIn::platform(
            old_tests(150)
                .list_page_fails(1, usize::MAX, busy)
                .only_gets(),
        );
        let piped = Nightly::new(&s, &["--type", "Test", "--retries", "2"]).run();

        assert_eq!(piped.list_status, 5, "{piped:#?}");
        assert!(
            piped
                .list_stderr
                .starts_with("coveo-org-delete: server_error (HTTP 503)"),
            "{piped:#?}"
        );
        let listed = piped.listed_lines();
        assert_eq!(listed.len(), 101, "page 0, then the failure");
        expect_old_tests(&listed[..100], 100);
        let message = listing_failure(&listed, "server_error", json!(503), 3);
        assert_eq!(message, said);
        // The failure line decides, although listed lines come before it.
        assert_eq!(piped.delete_status, 5, "{piped:#?}");
        assert_eq!(piped.shell.status, 5, "pipefail: {piped:#?}");
        expect_line(piped.line(), upstream_failure("server_error", &message));
        assert!(
            piped.delete_stderr.starts_with(&format!(
                "coveo-org-delete: server_error: the list is the output of a run that failed, so nothing was sent: {message}"
            )),
            "{piped:#?}"
        );
        assert_eq!(piped.delete_stderr.lines().count(), 1, "{piped:#?}");
        assert_eq!(s.sent(), gets(&[0, 1, 1, 1]));
        assert_eq!(s.connections(), 1);
        assert_eq!(s.remaining_orgs().len(), 150);
        s.assert_no_violations();
    }
}

#[test]
fn an_interrupted_listing_makes_the_pipeline_exit_130_whatever_the_signal() {
    for (signal, name) in [(libc::SIGINT, "SIGINT"), (libc::SIGTERM, "SIGTERM")] {
        let s = StandIn::platform(old_tests(250).list_page_held(1).only_gets());
        let started = Nightly::new(&s, &["--type", "Test"]).noting_pid().spawn();
        s.wait_for_requests(2, LIMIT);
        kill(started.listing_pid(), signal);
        // The signal is handled before the listing reads the held page.
        s.release();
        let piped = started.finish();

        assert_eq!(piped.list_status, 128 + signal, "{name}: {piped:#?}");
        let listed = piped.listed_lines();
        assert_eq!(listed.len(), 201, "{name}: two pages, then the failure");
        expect_old_tests(&listed[..200], 200);
        let message = listing_failure(&listed, "interrupted", json!(200), 1);
        assert!(message.contains(name), "{message}");
        assert_eq!(piped.delete_status, 130, "{name}: {piped:#?}");
        assert_eq!(piped.shell.status, 130, "{name}: pipefail: {piped:#?}");
        expect_line(piped.line(), upstream_failure("interrupted", &message));
        assert_eq!(piped.delete_stderr.lines().count(), 1, "{piped:#?}");
        assert!(
            piped
                .delete_stderr
                .starts_with("coveo-org-delete: interrupted: the list is the output of a run that failed, so nothing was sent: "),
            "{piped:#?}"
        );
        assert_eq!(s.sent(), gets(&[0, 1]), "{name}: stopped after page 1");
        assert_eq!(s.connections(), 1, "{name}");
        s.assert_no_violations();
    }
}

// ---------------------------------------------------------------------------------------------
// Pages and the end line

#[test]
fn an_empty_listing_prints_only_the_end_line_and_feeds_a_deletion_nothing() {
    let s = StandIn::platform(Platform::new().only_gets());
    let run = list_at(&s.url(), &[]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.stdout, format!("{}\n", end_line(0)));
    assert_eq!(run.stderr, "");
    run.assert_hides(TOKEN);
    assert_eq!(s.sent(), gets(&[0]));
    let get = &s.requests()[0];
    assert_eq!(
        get.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(get.body.is_empty());
    s.assert_no_violations();

    // Filters that keep nothing: the same.
    let s = StandIn::platform(old_tests(10).only_gets());
    let run = list_at(&s.url(), &["--name-prefix", "prod-"]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.stdout, format!("{}\n", end_line(0)));
    assert_eq!(run.stderr, "");
    s.assert_no_violations();

    // Filters that keep nothing, piped into a deletion: nothing to do, no output, exit 0.
    let s = StandIn::platform(old_tests(3).only_gets());
    let piped = Nightly::new(&s, &["--name-prefix", "prod-"]).run();
    assert_eq!(piped.shell.statuses, [0, 0, 0], "{piped:#?}");
    assert_eq!(piped.listed, format!("{}\n", end_line(0)));
    assert_eq!(piped.shell.stdout, "", "{piped:#?}");
    assert_eq!(piped.delete_stderr, "");
    assert_eq!(s.sent(), gets(&[0]));
    assert_eq!(s.connections(), 1);
    s.assert_no_violations();
}

// ---------------------------------------------------------------------------------------------
// What the listing shows and leaves out

#[test]
fn an_organization_being_deleted_is_not_fed_to_the_deletion() {
    // Old, of type Test, named ci-...: the nightly listing would select it, but its
    // deletion is already under way.
    let going = Listed {
        created_ms: Some(now_ms() - 20 * DAY_MS),
        org_type: Some("Test".to_owned()),
        owner_email: None,
    };
    let p = old_tests(2)
        .deleting_org("going1", "ci-going")
        .listing_of("going1", going);
    let s = StandIn::platform(p);
    let piped = Nightly::new(&s, &NIGHTLY).run();
    assert_eq!(piped.shell.statuses, [0, 0, 0], "{piped:#?}");
    assert_eq!(piped.list_stderr, "");
    assert_eq!(piped.delete_stderr, "");
    assert_eq!(piped.listed.lines().last(), Some(end_line(2).as_str()));
    assert_eq!(deleted_ids(piped.lines()), ["ci000", "ci001"], "{piped:#?}");
    assert_eq!(
        s.sent(),
        [gets(&[0]), deletes_of(&old_test_ids(2))].concat()
    );
    assert_eq!(s.remaining_orgs(), ["going1"]);
    s.assert_no_violations();
}

// ---------------------------------------------------------------------------------------------
// Production organizations

/// Old test organizations named `ci-...`, and two Production ones named so too.
fn with_production() -> Platform {
    let old = now_ms() - 30 * DAY_MS;
    old_tests(3)
        .listed_org(
            "cidash",
            "ci-dashboard",
            Some("Production"),
            Some(old),
            Some("admin@example.com"),
        )
        .listed_org(
            "cibill",
            "ci-billing",
            Some("PRODUCTION"),
            Some(old + 1),
            None,
        )
}

#[test]
fn a_too_wide_listing_stops_at_its_production_organizations() {
    let s = StandIn::platform(with_production().only_gets());
    let piped = Nightly::new(&s, &["--name-prefix", "ci-", "--older-than", "2d"]).run();

    assert_eq!(piped.list_status, 0, "{piped:#?}");
    assert_eq!(piped.listed.lines().last(), Some(end_line(5).as_str()));
    assert_eq!(piped.delete_status, 2, "{piped:#?}");
    assert_eq!(piped.shell.status, 2);
    // One line per Production organization, in the listing's order, and nothing else.
    let lines = piped.lines();
    assert_eq!(lines.len(), 2, "{piped:#?}");
    let err: Vec<&str> = piped.delete_stderr.lines().collect();
    assert_eq!(err.len(), 2, "{piped:#?}");
    for ((line, err), (id, name)) in lines
        .iter()
        .zip(&err)
        .zip([("cidash", "ci-dashboard"), ("cibill", "ci-billing")])
    {
        expect_line(
            line,
            failed(id, "protected", Value::Null, 0).set("display_name", name),
        );
        let message = line["error"]["message"].as_str().unwrap();
        for word in [name, "--type", "--allow-production"] {
            assert!(message.contains(word), "{word} missing: {message}");
        }
        assert!(
            err.starts_with(&format!("coveo-org-delete: {id}: protected: ")),
            "{err}"
        );
    }
    assert_eq!(s.sent(), gets(&[0]));
    assert_eq!(s.connections(), 1, "the deletion connected to nothing");
    assert_eq!(s.remaining_orgs().len(), 5);
    s.assert_no_violations();

    // The right listing deletes the test organizations only.
    let s = StandIn::platform(with_production());
    let piped = Nightly::new(&s, &NIGHTLY).run();
    assert_eq!(piped.shell.statuses, [0, 0, 0], "{piped:#?}");
    assert_eq!(deleted_ids(piped.lines()), old_test_ids(3));
    assert_eq!(s.remaining_orgs(), ["cibill", "cidash"]);
}

#[test]
fn allow_production_lets_the_deletion_delete_them() {
    let s = StandIn::platform(with_production());
    let piped = Nightly::new(&s, &["--name-prefix", "ci-"])
        .delete_args(&["--yes", "--allow-production", "--from-file", "-"])
        .run();
    assert_eq!(piped.shell.statuses, [0, 0, 0], "{piped:#?}");
    assert_eq!(piped.delete_stderr, "");
    let order = ["cidash", "cibill", "ci000", "ci001", "ci002"];
    assert_eq!(deleted_ids(piped.lines()), order);
    let mut want = gets(&[0]);
    want.extend(deletes_of(&order.map(String::from)));
    assert_eq!(s.sent(), want);
    assert!(s.remaining_orgs().is_empty());
    s.assert_no_violations();
}

// ---------------------------------------------------------------------------------------------
// Lines: at most 4096 bytes, each one write

#[test]
fn hostile_fields_are_shortened_to_fit_and_the_line_still_deletes() {
    let (p, [name, org_type, email]) = hostile_platform();
    let s = StandIn::platform(p);
    let piped = Nightly::new(&s, &[]).run();
    assert_eq!(piped.shell.statuses, [0, 0, 0], "{piped:#?}");
    for (what, text) in [
        ("listing", &piped.listed),
        ("listing's stderr", &piped.list_stderr),
        ("deletion", &piped.shell.stdout),
        ("deletion's stderr", &piped.delete_stderr),
    ] {
        assert_lines_fit(what, text);
    }
    let lines = piped.listed_lines();
    assert_eq!(lines.len(), 2, "{piped:#?}");
    let line = piped.listed.lines().next().unwrap();
    let l = &lines[0];
    expect_line(
        l,
        listed("hostile1")
            .set("display_name", SOME)
            .set("type", SOME)
            .set("created", SOME)
            .set("read_only", false)
            .set("lifecycle_state", "ACTIVE")
            .set("owner_email", SOME),
    );
    let fields = [
        (&l["display_name"], &name),
        (&l["type"], &org_type),
        (&l["owner_email"], &email),
    ];
    for (field, original) in fields {
        // Each is some 2000 bytes even as 500 characters: no two fit beside a third.
        assert!(assert_whole_or_shortened(field, original, line), "{line}");
    }
    assert_evenly_shortened(&fields.map(|(f, _)| f), line);
    // Shortened no more than needed: the line is still long.
    assert!(line.len() > 3 * 1024, "{} bytes: {line}", line.len());
    assert_eq!(piped.listed.lines().last(), Some(end_line(1).as_str()));
    // Fed back as it is, the line stands for its organization.
    expect_line(piped.line(), deleted("hostile1"));
    assert_eq!(
        s.sent(),
        [gets(&[0]), deletes_of(&["hostile1".to_owned()])].concat()
    );
    assert!(s.remaining_orgs().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Two processes of the binary joined by an OS pipe, with the Coveo CLI's login

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
        .arg("--list")
        .args(NIGHTLY)
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
    assert_eq!(deleted_ids(&deleter.lines), expected);
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
fn what_a_fed_back_line_repeats_never_shows_the_token() {
    // Lines not written by this tool (another script's log, edited by hand) may hold the
    // token in the server's words; the deletion repeats them only redacted.
    let s = StandIn::script(vec![]);
    let failed_run = json!({"organization_id": null, "ok": false, "result": "error",
        "error": {"kind": "unauthorized", "message": format!("Invalid access token: {SECRET}")}});
    let production = json!({"organization_id": "prod1", "ok": true, "result": "listed",
        "display_name": format!("shared {SECRET}"), "type": "Production"});
    for (lines, status, kind) in [
        (vec![failed_run.to_string()], 3, "unauthorized"),
        (vec![production.to_string(), end_line(1)], 2, "protected"),
    ] {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let list = temp_file("other-tool.jsonl", text.as_bytes());
        let run = delete_at(&s.url(), &["--from-file", list.to_str().unwrap()]);
        assert_eq!(run.status, status, "{run:#?}");
        assert_eq!(run.line()["error"]["kind"], kind, "{run:#?}");
        run.assert_hides(SECRET);
        assert!(run.stdout.contains("[token]"), "{}", run.stdout);
        assert!(run.stderr.contains("[token]"), "{}", run.stderr);
    }
    assert_nothing_sent(&s);
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
    let run = against(&night1.url())
        .args(["--yes", "--retries", "1", "acme1", "acme2", "acme3"])
        .run();
    assert_eq!(run.status, 5, "{run:#?}");
    let log = temp_file("night1.jsonl", run.stdout.as_bytes());

    // Night 2: the log as it is; acme1 and acme3 are gone, acme2 is still there.
    let s = StandIn::platform(Platform::new().token(TOKEN, true).org("acme2", "Acme Two"));
    let run = against(&s.url())
        .args(["--yes", "--missing-ok", "--from-file"])
        .arg(&log)
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.lines.len(), 3, "{run:#?}");
    for (line, (id, result, status)) in run.lines.iter().zip([
        ("acme1", "already_absent", 404),
        ("acme2", "deleted", 204),
        ("acme3", "already_absent", 404),
    ]) {
        let want = deleted(id).set("result", result).set("http_status", status);
        expect_line(line, want);
    }
    assert!(s.remaining_orgs().is_empty());
}

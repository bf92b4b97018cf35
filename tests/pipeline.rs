//! Issue 14, complete or nothing: the nightly clean-up as cron runs it, a real
//! `bash -c 'set -o pipefail; coveo-org-delete --list ... | filter | coveo-org-delete --yes
//! --from-file -'` against the stand-in platform over a real socket. A deletion fed with a
//! listing that did not read every page (killed, failed, interrupted, or cut by a filter)
//! deletes nothing; a listing wider than meant stops at its Production organizations; every
//! line is one whole write, so parallel runs into one pipe never tear lines.
//!
//! Each test asserts what a script sees (every line's fields, each process's exit status and
//! the pipeline's, stderr) and what the stand-in received (every request's method and path,
//! how many connections: the deletion's absence shows as no connection of its own). Signals
//! and kills land once the stand-in has seen the request they must follow; every wait has a
//! deadline.

use crate::support::bin::{
    self, assert_listed_shape, assert_shape, bin_word, cmd, noted_pid, noting_pid, required_tool,
    sh_quote, shell, Run, ShellRun,
};
use crate::support::hostile_platform;
use crate::support::line::{assert_evenly_shortened, assert_lines_fit, assert_whole_or_shortened};
use crate::support::standin::{query_values, Listed, Platform, Reply, StandIn};
use crate::support::temp_file;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The stand-in platform's user token that may delete organizations.
const TOKEN: &str = "demo-token";
/// Upper bound of any wait; reached only when the binary misbehaves.
const LIMIT: Duration = Duration::from_secs(20);
const DAY_MS: i64 = 24 * 3_600_000;

// ---------------------------------------------------------------------------------------------
// Helpers

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The request target of page `p` of a listing, exactly as the tool sends it: no `type`,
/// whatever `--type` says.
fn page(p: u64) -> String {
    format!(
        "/rest/organizations?page={p}&perPage=100&sortBy=createdDate&order=ASC&additionalFields=status"
    )
}

fn gets(pages: &[u64]) -> Vec<String> {
    pages.iter().map(|p| format!("GET {}", page(*p))).collect()
}

fn deletes_of(ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| format!("DELETE /rest/organizations/{id}"))
        .collect()
}

/// The end line of a listing that printed `n` organizations, byte for byte.
fn end_line(n: usize) -> String {
    format!(
        r#"{{"organization_id":null,"ok":true,"result":"end_of_list","listed":{n},"error":null}}"#
    )
}

/// `n` test organizations `ci000`, `ci001`, ... named `ci-run N`, created ten days ago one
/// minute apart (`ci000` first).
fn old_tests(n: usize) -> Platform {
    let first = now_ms() - 10 * DAY_MS;
    (0..n).fold(Platform::new(), |p, i| {
        p.listed_org(
            &format!("ci{i:03}"),
            &format!("ci-run {i}"),
            Some("Test"),
            Some(first + i as i64 * 60_000),
            Some("ci@example.com"),
        )
    })
}

/// The IDs of [`old_tests`], oldest first.
fn old_test_ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("ci{i:03}")).collect()
}

/// The organization IDs of listed lines (each checked for its shape).
fn listed_ids(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            assert_listed_shape(l);
            l["organization_id"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// `--list` with `args` against `standin`, alone.
fn list(standin: &StandIn, args: &[&str]) -> Run {
    cmd()
        .token(TOKEN)
        .platform(&standin.url())
        .arg("--list")
        .args(args)
        .run()
}

/// A listing that went well: exit 0, nothing on stderr, the token nowhere; its listed lines
/// then its end line, which counts them. Returns the listed lines.
fn assert_complete(run: &Run) -> &[Value] {
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.stderr, "", "{run:#?}");
    run.assert_hides(TOKEN);
    let (last, listed) = run.lines.split_last().expect("at least the end line");
    assert_eq!(
        run.stdout.lines().last(),
        Some(end_line(listed.len()).as_str()),
        "{last}"
    );
    listed
}

/// The one line of a deletion fed with the lines of a listing that failed as a whole: no
/// organization, the listing's own kind, the listing's message after the deletion's words,
/// nothing sent.
fn assert_upstream_failure(line: &Value, kind: &str, listing_message: &str) {
    assert_shape(line);
    assert_eq!(line["organization_id"], Value::Null, "{line}");
    assert_eq!(line["ok"], false, "{line}");
    assert_eq!(line["result"], "error", "{line}");
    assert_eq!(line["dry_run"], false, "{line}");
    assert_eq!(line["attempts"], 0, "nothing sent: {line}");
    assert_eq!(
        line["http_status"],
        Value::Null,
        "no answer received: {line}"
    );
    assert_eq!(line["request_id"], Value::Null, "{line}");
    assert_eq!(line["display_name"], Value::Null, "{line}");
    assert_eq!(line["error"]["kind"], kind, "{line}");
    assert_eq!(
        line["error"]["message"],
        format!(
            "the list is the output of a run that failed, so nothing was sent: {listing_message}"
        ),
        "{line}"
    );
    assert_eq!(line["error"]["coveo_error_code"], Value::Null, "{line}");
    assert_eq!(line["error"]["retry_after_s"], Value::Null, "{line}");
}

/// The one line of a deletion fed with an unfinished listing.
fn assert_incomplete(piped: &Piped) {
    assert_eq!(piped.delete_status, 2, "{piped:#?}");
    let line = piped.line();
    assert_shape(line);
    assert_eq!(line["organization_id"], Value::Null, "{line}");
    assert_eq!(line["ok"], false, "{line}");
    assert_eq!(line["attempts"], 0, "{line}");
    assert_eq!(line["http_status"], Value::Null, "{line}");
    assert_eq!(line["error"]["kind"], "incomplete_list", "{line}");
    let message = line["error"]["message"].as_str().unwrap();
    for word in ["end_of_list", "filter"] {
        assert!(message.contains(word), "{word} missing: {message}");
    }
    assert_eq!(
        piped.delete_stderr,
        format!("coveo-org-delete: incomplete_list: {message}\n"),
        "{piped:#?}"
    );
}

/// The failure line that ends a listing, and its message.
fn listing_failure(lines: &[Value], kind: &str) -> String {
    let last = lines.last().expect("a failure line");
    assert_shape(last);
    assert_eq!(last["organization_id"], Value::Null, "{last}");
    assert_eq!(last["ok"], false, "{last}");
    assert_eq!(last["error"]["kind"], kind, "{last}");
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
        self.listed
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
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

/// Sends `signal` to `pid`, a process of a pipeline the test started and that has not ended
/// (the stand-in holds its request).
fn kill(pid: u32, signal: libc::c_int) {
    // SAFETY: kill(2) has no memory-safety requirements.
    let rc = unsafe { libc::kill(pid as libc::pid_t, signal) };
    assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
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
    assert_eq!(
        listed_ids(&piped.listed_lines()),
        old_test_ids(150)[..100],
        "{piped:#?}"
    );
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
    assert_eq!(listed_ids(&listed[..5]), old_test_ids(5));
    assert_eq!(piped.listed.lines().last(), Some(end_line(5).as_str()));
    let kept: Vec<String> = ["ci000", "ci001", "ci003", "ci004"]
        .map(String::from)
        .to_vec();
    let deleted: Vec<&str> = piped
        .lines()
        .iter()
        .map(|l| {
            assert_shape(l);
            assert_eq!(l["result"], "deleted", "{l}");
            assert_eq!(l["http_status"], 204, "{l}");
            l["organization_id"].as_str().unwrap()
        })
        .collect();
    assert_eq!(deleted, kept);
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
    let message = listing_failure(&listed, "unauthorized");
    assert_eq!(piped.delete_status, 3, "{piped:#?}");
    assert_eq!(piped.shell.status, 3, "pipefail: {piped:#?}");
    assert_upstream_failure(piped.line(), "unauthorized", &message);
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
    let busy = Reply::new(503)
        .header("Retry-After", "0")
        .json(r#"{"message":"The platform is busy."}"#);
    let s = StandIn::platform(
        old_tests(150)
            .list_page_fails(1, usize::MAX, busy)
            .only_gets(),
    );
    let piped = Nightly::new(&s, &["--type", "Test", "--retries", "2"]).run();

    assert_eq!(piped.list_status, 5, "{piped:#?}");
    let listed = piped.listed_lines();
    assert_eq!(listed.len(), 101, "page 0, then the failure");
    assert_eq!(listed_ids(&listed[..100]), old_test_ids(150)[..100]);
    let message = listing_failure(&listed, "server_error");
    // The failure line decides, although listed lines come before it.
    assert_eq!(piped.delete_status, 5, "{piped:#?}");
    assert_eq!(piped.shell.status, 5, "pipefail: {piped:#?}");
    assert_upstream_failure(piped.line(), "server_error", &message);
    assert!(
        piped.delete_stderr.starts_with(&format!(
            "coveo-org-delete: server_error: the list is the output of a run that failed, so nothing was sent: {message}"
        )),
        "{piped:#?}"
    );
    assert_eq!(piped.delete_stderr.lines().count(), 1, "{piped:#?}");
    assert_eq!(s.sent(), gets(&[0, 1, 1, 1]));
    assert_eq!(s.connections(), 1);
    s.assert_no_violations();
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
        assert_eq!(listed_ids(&listed[..200]), old_test_ids(250)[..200]);
        let message = listing_failure(&listed, "interrupted");
        assert!(message.contains(name), "{message}");
        assert_eq!(piped.delete_status, 130, "{name}: {piped:#?}");
        assert_eq!(piped.shell.status, 130, "{name}: pipefail: {piped:#?}");
        assert_upstream_failure(piped.line(), "interrupted", &message);
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
fn short_pages_are_all_read_when_total_pages_says_there_are_more() {
    let s = StandIn::platform(old_tests(120).list_page_size(50).only_gets());
    let run = list(&s, &[]);
    let listed = assert_complete(&run);
    assert_eq!(listed_ids(listed), old_test_ids(120));
    assert_eq!(s.sent(), gets(&[0, 1, 2]), "three pages of 50, 50 and 20");
    s.assert_no_violations();

    // Without totalPages, a page with fewer than 100 items is the last.
    let s = StandIn::platform(
        old_tests(120)
            .list_page_size(50)
            .list_without_total_pages()
            .only_gets(),
    );
    let run = list(&s, &[]);
    let listed = assert_complete(&run);
    assert_eq!(listed_ids(listed), old_test_ids(120)[..50]);
    assert_eq!(s.sent(), gets(&[0]));
}

#[test]
fn an_empty_listing_prints_only_the_end_line_and_feeds_a_deletion_nothing() {
    let s = StandIn::platform(Platform::new().only_gets());
    let run = list(&s, &[]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(
        run.stdout,
        "{\"organization_id\":null,\"ok\":true,\"result\":\"end_of_list\",\"listed\":0,\"error\":null}\n"
    );
    assert_eq!(run.stderr, "");
    assert_eq!(s.sent(), gets(&[0]));

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

#[test]
fn the_end_line_counts_the_lines_printed_and_no_type_is_sent() {
    // 250 organizations over three pages, each page after the first repeating the last of
    // the one before; the filters keep some: the count is of the lines printed.
    let p = old_tests(250)
        .list_item(json!({"id": "other1", "type": "Trial", "createdDate": now_ms() - 20 * DAY_MS}))
        .list_repeating_across_pages()
        .only_gets();
    let s = StandIn::platform(p);
    let run = list(&s, &["--type", "Test", "--name-prefix", "ci-run 1"]);
    let listed = assert_complete(&run);
    // ci-run 1, ci-run 10 to 19, ci-run 100 to 199.
    let want: Vec<String> = (0..250)
        .filter(|i| format!("ci-run {i}").starts_with("ci-run 1"))
        .map(|i| format!("ci{i:03}"))
        .collect();
    assert_eq!(want.len(), 111);
    assert_eq!(listed_ids(listed), want);
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

// ---------------------------------------------------------------------------------------------
// What the listing shows and leaves out

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
    let run = list(&s, &[]);
    let listed = assert_complete(&run);
    assert_eq!(listed_ids(listed), ["active1", "bare1", "paused1"]);
    let state = |i: usize| listed[i]["lifecycle_state"].clone();
    assert_eq!(state(0), "ACTIVE");
    assert_eq!(state(1), Value::Null, "an item without its status model");
    assert_eq!(state(2), "PAUSED");
    assert_eq!(listed[2]["read_only"], true);
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
    let run = list(&s, &["--verbose"]);
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
    let piped = Nightly::new(
        &s,
        &[
            "--type",
            "Test",
            "--name-prefix",
            "ci-",
            "--older-than",
            "2d",
        ],
    )
    .run();
    assert_eq!(piped.shell.statuses, [0, 0, 0], "{piped:#?}");
    assert_eq!(piped.list_stderr, "");
    assert_eq!(piped.delete_stderr, "");
    assert_eq!(piped.listed.lines().last(), Some(end_line(2).as_str()));
    let deleted: Vec<&str> = piped
        .lines()
        .iter()
        .map(|l| {
            assert_shape(l);
            assert_eq!(l["result"], "deleted", "{l}");
            l["organization_id"].as_str().unwrap()
        })
        .collect();
    assert_eq!(deleted, ["ci000", "ci001"], "{piped:#?}");
    assert_eq!(
        s.sent(),
        [gets(&[0]), deletes_of(&old_test_ids(2))].concat()
    );
    assert_eq!(s.remaining_orgs(), ["going1"]);
    s.assert_no_violations();
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
        let run = list(&s, args);
        let ids = listed_ids(assert_complete(&run));
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
        assert_shape(line);
        assert_eq!(line["organization_id"], id, "{line}");
        assert_eq!(line["ok"], false, "{line}");
        assert_eq!(line["dry_run"], false, "{line}");
        assert_eq!(line["attempts"], 0, "{line}");
        assert_eq!(line["http_status"], Value::Null, "{line}");
        assert_eq!(line["request_id"], Value::Null, "{line}");
        assert_eq!(line["display_name"], name, "{line}");
        assert_eq!(line["error"]["kind"], "protected", "{line}");
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
    let piped = Nightly::new(
        &s,
        &[
            "--name-prefix",
            "ci-",
            "--older-than",
            "2d",
            "--type",
            "Test",
        ],
    )
    .run();
    assert_eq!(piped.shell.statuses, [0, 0, 0], "{piped:#?}");
    assert!(piped.lines().iter().all(|l| l["result"] == "deleted"));
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
    let deleted: Vec<&str> = piped
        .lines()
        .iter()
        .map(|l| {
            assert_shape(l);
            assert_eq!(l["result"], "deleted", "{l}");
            l["organization_id"].as_str().unwrap()
        })
        .collect();
    assert_eq!(deleted, order);
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
    let listed = piped.listed_lines();
    assert_eq!(listed.len(), 2, "{piped:#?}");
    let line = piped.listed.lines().next().unwrap();
    let l = &listed[0];
    assert_listed_shape(l);
    assert_eq!(l["organization_id"], "hostile1");
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
    let d = piped.line();
    assert_shape(d);
    assert_eq!(d["organization_id"], "hostile1");
    assert_eq!(d["result"], "deleted", "{d}");
    assert_eq!(
        s.sent(),
        [gets(&[0]), deletes_of(&["hostile1".to_owned()])].concat()
    );
    assert!(s.remaining_orgs().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Dry runs: both shapes of the privilege evaluation's report

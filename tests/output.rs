//! What the tool writes to stdout and stderr, and when: one JSON line per organization,
//! written as each finishes, whole (at most 4096 bytes, each one `write`, so that parallel
//! runs into one pipe never tear a line, the longest texts shortened first); a stdout that
//! cannot be written stops the run before the next organization or page; stderr holds one
//! line per failure and, with `--verbose`, one per attempt, never the token. Every line the
//! tests parse is also checked for its fields' order.

use crate::support::bin::{
    self, against, bin_word, delete_at, output_within, required_tool, sh_quote, shell, Reaped,
    DEFAULT_DEADLINE,
};
use crate::support::line::{
    assert_evenly_shortened, assert_lines_fit, assert_whole_or_shortened, end_of_list, expect_line,
    failed, listed, one_of, parse_lines, succeeded, Set, PIPE_BUF, SOME,
};
use crate::support::standin::{Action, Platform, Reply, StandIn};
use crate::support::{
    end_line, gets, has_millis, hostile_answers, hostile_platform, list_file, now_ms,
    pipe_without_reader, pty, temp_file, wide, LIMIT, SECRET, TOKEN,
};
use serde_json::{json, Value};
use std::io::Read;
use std::os::fd::AsRawFd;
use std::process::Stdio;
use std::time::Instant;

/// The line of `id` deleted by `attempts`, the last answered 204.
fn deleted(id: &str, attempts: u64) -> Value {
    succeeded(id, "deleted", 204, attempts)
}

// ---------------------------------------------------------------------------------------------
// A line as each organization finishes; a stdout that cannot be written

#[test]
fn a_line_is_written_as_each_organization_finishes() {
    // The second DELETE is never answered: the first line must be out while the binary waits.
    let standin = StandIn::handler(|r| {
        if r.path.ends_with("/acme2") {
            Action::Hang
        } else {
            Action::status(204)
        }
    });
    let file = list_file("acme1\nacme2\n");
    let mut child = Reaped(
        against(&standin.url())
            .args(["--yes", "--retries", "0", "--from-file", &file])
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the binary"),
    );
    let mut stdout = child.0.stdout.take().unwrap();
    let deadline = Instant::now() + LIMIT;
    let mut seen = Vec::new();
    while !seen.contains(&b'\n') {
        assert!(
            pty::wait_readable(&[stdout.as_raw_fd()], deadline).is_some(),
            "no line while the second organization is pending: {seen:?}"
        );
        let mut buf = [0u8; 4096];
        let n = stdout.read(&mut buf).expect("read stdout");
        assert_ne!(n, 0, "stdout closed early: {seen:?}");
        seen.extend_from_slice(&buf[..n]);
    }
    // The binary has gone on to the second organization, whose answer never comes.
    standin.wait_for_requests(2, LIMIT);
    assert!(
        child.0.try_wait().expect("try_wait").is_none(),
        "the binary ended: the line was not written as the organization finished"
    );
    drop(child);
    let text = String::from_utf8(seen).unwrap();
    let first = text.split_inclusive('\n').next().unwrap();
    expect_line(&parse_lines(first)[0], deleted("acme1", 1));
    assert_eq!(
        standin.sent(),
        [
            "DELETE /rest/organizations/acme1",
            "DELETE /rest/organizations/acme2"
        ]
    );
}

/// Runs `args` against `standin` with a stdout whose reading end is already closed, and
/// `stderr`, within the default deadline.
fn with_closed_stdout(standin: &StandIn, args: &[&str], stderr: Stdio) -> std::process::Output {
    let mut command = against(&standin.url()).args(args).command();
    command
        .stdin(Stdio::null())
        .stdout(Stdio::from(pipe_without_reader()))
        .stderr(stderr);
    output_within(&mut command, DEFAULT_DEADLINE)
}

#[test]
fn a_closed_stdout_stops_before_the_next_organization() {
    let s = StandIn::platform(
        Platform::new()
            .org("org1", "One")
            .org("org2", "Two")
            .org("org3", "Three"),
    );
    let out = with_closed_stdout(&s, &["--yes", "org1", "org2", "org3"], Stdio::piped());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "exit 1, not a signal: {:?}\nstderr: {stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert!(!stderr.contains(TOKEN), "{stderr}");
    assert_eq!(
        s.sent(),
        vec!["DELETE /rest/organizations/org1"],
        "stopped before the next organization"
    );
    assert_eq!(s.remaining_orgs(), vec!["org2", "org3"]);
    s.assert_no_violations();
}

#[test]
fn a_closed_stdout_and_stderr_after_a_failure_still_exit_1() {
    // The first organization fails (404: its human line goes to a closed stderr too); the
    // output failure decides the status, whatever came before.
    let s = StandIn::platform(Platform::new().org("org2", "Two").org("org3", "Three"));
    let stderr = Stdio::from(pipe_without_reader());
    let status = with_closed_stdout(&s, &["--yes", "nosuch", "org2", "org3"], stderr).status;
    assert_eq!(status.code(), Some(1), "exit 1, not a signal: {status:?}");
    assert_eq!(
        s.sent(),
        vec!["DELETE /rest/organizations/nosuch"],
        "stopped before the next organization"
    );
    assert_eq!(s.remaining_orgs(), vec!["org2", "org3"]);
    s.assert_no_violations();
}

#[test]
fn a_closed_stdout_stops_the_listing_with_exit_1() {
    // 250 organizations: three pages, of which only the first is asked for.
    let p = (0..250).fold(Platform::new(), |p, i| {
        p.org(&format!("org{i:03}"), &format!("Org {i}"))
    });
    let s = StandIn::platform(p.only_gets());
    let out = with_closed_stdout(&s, &["--list"], Stdio::piped());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "exit 1, not a signal: {stderr}");
    assert!(stderr.contains("stdout cannot be written"), "{stderr}");
    assert_eq!(s.sent(), gets(&[0]), "stopped before the next page");
    s.assert_no_violations();
}

// ---------------------------------------------------------------------------------------------
// --verbose, and the token never

/// The stderr lines of a `--verbose` run after its first, which must say that the token came
/// from `COVEO_TOKEN` and that requests go to `url`.
fn verbose_attempts<'a>(run: &'a bin::Run, url: &str) -> Vec<&'a str> {
    let err = run.stderr_lines();
    let first = format!("coveo-org-delete: token from COVEO_TOKEN; requests go to {url}");
    assert_eq!(err.first(), Some(&first.as_str()), "{}", run.stderr);
    err[1..].to_vec()
}

#[test]
fn the_token_never_appears_even_with_verbose_on_success() {
    let standin = StandIn::script(vec![Action::status(204)]);
    let run = delete_at(&standin.url(), &["--verbose", "acme1"]);
    assert_eq!(run.status, 0, "{run:#?}");
    expect_line(run.line(), deleted("acme1", 1));
    run.assert_hides(SECRET);
    let err = verbose_attempts(&run, &standin.url());
    assert_eq!(err.len(), 1, "one line per attempt: {}", run.stderr);
    let url = format!("{}/rest/organizations/acme1", standin.url());
    assert!(
        err[0].starts_with("coveo-org-delete: ")
            && err[0].contains("DELETE")
            && err[0].contains(&url)
            && err[0].contains("204")
            && has_millis(err[0]),
        "{}",
        err[0]
    );
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
}

#[test]
fn the_token_never_appears_even_with_verbose_on_a_401() {
    let standin = StandIn::script(vec![Action::Reply(
        Reply::new(401)
            .header("X-Request-ID", "rid-v401")
            .json(r#"{"error":"invalid_token","error_description":"Invalid access token"}"#),
    )]);
    let run = delete_at(&standin.url(), &["--verbose", "acme1"]);
    assert_eq!(run.status, 3, "{run:#?}");
    run.assert_hides(SECRET);
    let err = verbose_attempts(&run, &standin.url());
    assert_eq!(err.len(), 2, "attempt line + failure line: {}", run.stderr);
    assert!(err[0].contains("DELETE") && err[0].contains("401") && has_millis(err[0]));
    assert!(
        err[1].starts_with(
            "coveo-org-delete: acme1: unauthorized (HTTP 401 invalid_token): Invalid access token [request rid-v401]"
        ),
        "{}",
        err[1]
    );
}

#[test]
fn verbose_gives_one_line_per_attempt_without_the_token() {
    for flag in ["-v", "--verbose"] {
        let s = StandIn::script(vec![
            Action::Reply(Reply::new(503).header("Retry-After", "0")),
            Action::Close,
            Action::status(204),
        ]);
        let url = format!("{}/rest/organizations/acme1", s.url());
        let run = delete_at(&s.url(), &[flag, "--retries", "2", "acme1"]);
        assert_eq!(run.status, 0, "{run:#?}");
        expect_line(run.line(), deleted("acme1", 3));
        let lines = verbose_attempts(&run, &s.url());
        assert_eq!(lines.len(), 3, "one line per attempt: {run:#?}");
        for (line, what) in lines.iter().zip(["503", "connection", "204"]) {
            assert!(line.starts_with("coveo-org-delete: "), "{line}");
            assert!(line.contains("DELETE"), "method: {line}");
            assert!(line.contains(&url), "URL: {line}");
            assert!(line.contains(what), "status or error {what}: {line}");
            assert!(has_millis(line), "milliseconds: {line}");
            assert!(!line.contains("Bearer"), "{line}");
        }
        run.assert_hides(SECRET);
        assert_eq!(s.sent(), vec!["DELETE /rest/organizations/acme1"; 3]);
        s.assert_no_violations();
    }
}

#[test]
fn verbose_names_the_error_of_an_attempt_without_an_answer() {
    let s = StandIn::script(vec![Action::Hang]);
    let url = format!("{}/rest/organizations/acme1", s.url());
    let run = delete_at(
        &s.url(),
        &["-v", "--timeout", "0.3", "--retries", "0", "acme1"],
    );
    assert_eq!(run.status, 5, "{run:#?}");
    expect_line(run.line(), failed("acme1", "timeout", Value::Null, 1));
    let lines = verbose_attempts(&run, &s.url());
    assert_eq!(lines.len(), 2, "the attempt, then the failure: {run:#?}");
    let attempt = lines[0];
    assert!(
        attempt.contains("DELETE") && attempt.contains(&url),
        "{attempt}"
    );
    assert!(
        attempt.contains("timeout") && has_millis(attempt),
        "{attempt}"
    );
    assert!(lines[1].starts_with("coveo-org-delete: acme1: timeout"));
    run.assert_hides(SECRET);
    assert_eq!(s.sent(), ["DELETE /rest/organizations/acme1"]);
}

// ---------------------------------------------------------------------------------------------
// Lines: at most 4096 bytes, each one write

/// The syscalls [`traced`] follows: the writes, and what makes another descriptor stand for
/// stdout or stderr (the tool may write to a duplicate of fd 1) or stop standing for it.
const TRACED: &str = "write,writev,dup,dup2,dup3,fcntl,close";

/// The writes of a traced run to its stdout and stderr, in order: (1 or 2, bytes written),
/// whatever descriptor duplicated from fd 1 or fd 2 they went through.
fn writes(trace: &str) -> Vec<(u32, usize)> {
    // Descriptor -> the one of fd 1 and fd 2 it is a duplicate of.
    let mut stands_for: std::collections::HashMap<u32, u32> = [(1, 1), (2, 2)].into();
    let mut out = Vec::new();
    for line in trace.lines() {
        // "PID write(1, ""..., 42) = 42", the PID there when strace follows forks.
        let call = line
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start();
        let Some((name, rest)) = call.split_once('(') else {
            continue;
        };
        let args: Vec<&str> = rest.split(", ").collect();
        let fd =
            |i: usize| -> Option<u32> { args.get(i)?.trim_end_matches(')').trim().parse().ok() };
        let result: Option<i64> = line
            .rsplit_once(" = ")
            .and_then(|(_, r)| r.split_whitespace().next()?.parse().ok());
        let target = fd(0).and_then(|f| stands_for.get(&f).copied());
        match name {
            "write" | "writev" => {
                let Some(target) = target else { continue };
                let written = result
                    .and_then(|n| usize::try_from(n).ok())
                    .unwrap_or_else(|| panic!("a write that failed or was cut: {line}"));
                out.push((target, written));
            }
            "dup" | "dup2" | "dup3" | "fcntl" => {
                let duplicates =
                    name != "fcntl" || args.get(1).is_some_and(|a| a.starts_with("F_DUPFD"));
                let new_fd = result.and_then(|n| u32::try_from(n).ok());
                if let (true, Some(new_fd)) = (duplicates, new_fd) {
                    match target {
                        Some(target) => stands_for.insert(new_fd, target),
                        None => stands_for.remove(&new_fd),
                    };
                }
            }
            "close" if result == Some(0) => {
                if let Some(f) = fd(0) {
                    stands_for.remove(&f);
                }
            }
            _ => {}
        }
    }
    out
}

/// Runs the binary under `strace -f -e trace=write,... -s 0`; every write to its stdout and
/// stderr must be exactly one whole line with its newline, at most 4096 bytes, and each of
/// the descriptors `long` must have had a line of more than 1 KiB. Returns the run's stdout.
fn traced(strace: &str, standin: &StandIn, args: &[&str], long: &[u32]) -> String {
    let trace = temp_file("strace.txt", b"");
    let script = format!(
        "{} -f -qq -o {} -e trace={TRACED} -s 0 {} --platform-url {} {}",
        sh_quote(strace),
        sh_quote(&trace),
        bin_word(),
        sh_quote(standin.url()),
        args.iter().map(sh_quote).collect::<Vec<_>>().join(" ")
    );
    let run = shell(script).env("COVEO_TOKEN", TOKEN).run();
    let trace = std::fs::read_to_string(&trace).unwrap();
    let writes = writes(&trace);
    let stderr = run.stderr.clone();
    for (fd, text) in [(1, &run.stdout), (2, &stderr)] {
        let lines: Vec<usize> = text.split_inclusive('\n').map(str::len).collect();
        let written: Vec<usize> = writes
            .iter()
            .filter(|(f, _)| *f == fd)
            .map(|(_, n)| *n)
            .collect();
        assert!(text.ends_with('\n'), "fd {fd}: {text:?}");
        assert_eq!(
            written, lines,
            "fd {fd}: each write must be one whole line\n{text}\ntrace:\n{trace}"
        );
        assert!(
            lines.iter().all(|&n| n <= PIPE_BUF),
            "fd {fd}: a line over 4096 bytes: {lines:?}"
        );
        assert!(
            !long.contains(&fd) || lines.iter().any(|&n| n > 1024),
            "fd {fd}: the test needs a line of 1 KiB or more: {lines:?}"
        );
    }
    run.stdout
}

#[test]
fn a_hostile_display_name_and_message_are_shortened_to_fit() {
    let (name, message) = (wide("name ", 3072), wide("message ", 3072));
    let s = hostile_answers(name.clone(), message.clone());
    for args in [
        &["--dry-run", "acme1", "acme2"][..],
        &["--yes", "acme1", "acme2"][..],
    ] {
        let run = against(&s.url()).args(args).run();
        assert_eq!(run.status, 3, "{args:?}: {run:#?}");
        assert_lines_fit("stdout", &run.stdout);
        assert_lines_fit("stderr", &run.stderr);
        assert_eq!(run.lines.len(), 2);
        assert_eq!(run.stderr.lines().count(), 2, "{}", run.stderr);
        for (line, raw) in run.lines.iter().zip(run.stdout.lines()) {
            let dry_run = args[0] == "--dry-run";
            expect_line(
                line,
                failed(
                    one_of(&["acme1", "acme2"]),
                    "forbidden",
                    403,
                    if dry_run { 2 } else { 1 },
                )
                .set("dry_run", dry_run)
                .set("request_id", "req-hostile")
                .set(
                    "display_name",
                    if dry_run { json!(SOME) } else { Value::Null },
                )
                .set("error.coveo_error_code", "ACCESS_DENIED"),
            );
            assert_whole_or_shortened(&line["error"]["message"], &message, raw);
            if args[0] == "--dry-run" {
                // Two texts of some 2000 bytes each: both are cut, to the same length.
                let message_cut =
                    assert_whole_or_shortened(&line["error"]["message"], &message, raw);
                let name_cut = assert_whole_or_shortened(&line["display_name"], &name, raw);
                assert!(message_cut && name_cut, "{raw}");
                assert_evenly_shortened(&[&line["display_name"], &line["error"]["message"]], raw);
                assert!(raw.len() > 3 * 1024, "shortened no more than needed: {raw}");
            }
        }
        for err in run.stderr.lines() {
            assert!(err.contains("message "), "the message is there: {err}");
            assert!(err.contains("[request req-hostile]"), "{err}");
        }
    }
}

#[test]
fn a_long_request_id_and_error_code_are_kept_whole_while_the_line_fits_then_shortened() {
    let id = format!("rid-{}", "i".repeat(2996));
    let reply = |code: &str| {
        Action::Reply(
            Reply::new(400)
                .header("X-Request-ID", &id)
                .json(&json!({"message": "no", "errorCode": code}).to_string()),
        )
    };
    let code = format!("CODE_{}", "C".repeat(2995));
    let s = StandIn::script(vec![reply("SHORT"), reply(&code)]);
    let run = delete_at(&s.url(), &["--retries", "0", "acme1", "acme2"]);
    assert_eq!(run.status, 1, "{run:#?}");
    assert_lines_fit("stdout", &run.stdout);
    assert_lines_fit("stderr", &run.stderr);
    // Alone, the 3000-byte request ID fits: nothing of it is cut.
    expect_line(
        &run.lines[0],
        failed("acme1", "unexpected_status", 400, 1)
            .set("request_id", id.as_str())
            .set("error.message", "no")
            .set("error.coveo_error_code", "SHORT"),
    );
    // Beside a 3000-byte code, both are shortened, evenly, each ending in "...".
    let (raw, line) = (run.stdout.lines().nth(1).unwrap(), &run.lines[1]);
    assert!(assert_whole_or_shortened(&line["request_id"], &id, raw));
    assert!(assert_whole_or_shortened(
        &line["error"]["coveo_error_code"],
        &code,
        raw
    ));
    assert_evenly_shortened(
        &[&line["request_id"], &line["error"]["coveo_error_code"]],
        raw,
    );
    assert!(raw.len() > 4000, "shortened no more than needed: {raw}");
}

#[test]
fn every_line_is_one_write_of_at_most_4096_bytes() {
    let Some(strace) = bin::tool("strace") else {
        eprintln!("strace is not installed: the writes of each line are not checked");
        return;
    };
    // A listing: long listed lines, and long notes on stderr under --verbose.
    let (p, _) = hostile_platform();
    let p = p
        .deleting_org("going1", &wide("going ", 3072))
        .list_item(json!({"id": "x".repeat(300), "displayName": "an ID too long"}))
        .list_item(json!({"id": format!("bad/{}", "y".repeat(2000))}));
    let s = StandIn::platform(p);
    let stdout = traced(&strace, &s, &["--list", "--verbose"], &[1]);
    assert!(stdout.ends_with(&format!("{}\n", end_line(1))), "{stdout}");

    // A dry run and a deletion: long messages on both, a long display name on stdout.
    let s = hostile_answers(wide("name ", 3072), wide("message ", 3072));
    for args in [["--dry-run", "acme1", "acme2"], ["--yes", "acme1", "acme2"]] {
        traced(&strace, &s, &args, &[1, 2]);
    }
}

/// Runs `script`, which starts runs of the binary in parallel into one pipe, with the
/// token: its pipeline's statuses are `statuses`, and every line of stdout and stderr fits a
/// pipe's atomic write.
fn in_parallel(script: String, statuses: [i32; 2]) -> bin::ShellRun {
    let run = shell(script).env("COVEO_TOKEN", TOKEN).run();
    assert_eq!(run.statuses, statuses, "{run:#?}");
    assert_lines_fit("stdout", &run.stdout);
    assert_lines_fit("stderr", &run.stderr);
    run
}

#[test]
fn eight_runs_in_parallel_into_one_pipe_give_whole_lines() {
    // 40 organizations whose listed lines are near 4096 bytes, and --verbose on stderr.
    let old = now_ms() - 10 * 24 * 3_600_000;
    let p = (0..40).fold(Platform::new(), |p, i| {
        p.listed_org(
            &format!("wide{i:02}"),
            &wide(&format!("name {i} "), 3072),
            Some("Test"),
            Some(old + i),
            Some(&wide(&format!("owner {i} "), 3072)),
        )
    });
    let s = StandIn::platform(p.only_gets());
    let xargs = sh_quote(required_tool("xargs"));
    let printf = sh_quote(required_tool("printf"));
    let script = format!(
        "{printf} '%s\\n' 1 2 3 4 5 6 7 8 | {xargs} -P 8 -I @ {} --platform-url {} --list --verbose --retries @",
        bin_word(),
        sh_quote(s.url())
    );
    let run = in_parallel(script, [0, 0]);
    // Every line parsed (ShellRun refuses a line that is not JSON): count them by kind.
    assert_eq!(run.lines.len(), 8 * 41, "{}", run.stdout.len());
    let ends = run
        .lines
        .iter()
        .filter(|l| l["result"] == "end_of_list")
        .count();
    assert_eq!(ends, 8);
    for l in run.lines.iter().filter(|l| l["result"] == "listed") {
        expect_line(
            l,
            listed(SOME)
                .set("display_name", SOME)
                .set("type", "Test")
                .set("created", SOME)
                .set("read_only", false)
                .set("lifecycle_state", "ACTIVE")
                .set("owner_email", SOME),
        );
    }
    for l in run.lines.iter().filter(|l| l["result"] == "end_of_list") {
        expect_line(l, end_of_list(40));
    }
    for i in 0..40 {
        let id = format!("wide{i:02}");
        let n = run
            .lines
            .iter()
            .filter(|l| l["organization_id"] == id)
            .count();
        assert_eq!(n, 8, "{id}");
    }
    // stderr: whole lines of the tool only, two per run (the token's source, the one page).
    let err: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(err.len(), 16, "{}", run.stderr);
    assert!(
        err.iter().all(|l| l.starts_with("coveo-org-delete: ")),
        "{}",
        run.stderr
    );
    assert_eq!(s.requests().len(), 8);

    // Deletions refused with long messages, in parallel: lines on stdout and stderr alike.
    let s = hostile_answers(wide("name ", 3072), wide("message ", 3072));
    let ids: Vec<String> = (0..40).map(|i| format!("acme{i:02}")).collect();
    let script = format!(
        "{printf} '%s\\n' {} | {xargs} -P 8 -n 5 {} --platform-url {} --yes",
        ids.join(" "),
        bin_word(),
        sh_quote(s.url())
    );
    // xargs says 123 when a command exited 1 to 125.
    let run = in_parallel(script, [0, 123]);
    assert_eq!(run.lines.len(), 40);
    let mut seen: Vec<&str> = run
        .lines
        .iter()
        .map(|l| {
            expect_line(
                l,
                failed(SOME, "forbidden", 403, 1)
                    .set("request_id", "req-hostile")
                    .set("error.coveo_error_code", "ACCESS_DENIED"),
            );
            l["organization_id"].as_str().unwrap()
        })
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, ids);
    let err: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(err.len(), 40, "{}", run.stderr);
    for l in err {
        assert!(l.starts_with("coveo-org-delete: acme"), "{l}");
        assert!(l.contains("[request req-hostile]"), "a whole line: {l}");
    }
}

//! Every example of the README and of `--help`, run the way a user pastes it: through a real
//! shell, the real binary, `jq`, `timeout`, `xargs` and `make`, against the stand-in platform
//! over real TLS behind a CONNECT proxy. Each test checks what the README says next to its
//! example: the exit status, the lines and messages, what the stand-in received, and that
//! nothing was deleted (or sent) where nothing must be.
//!
//! **Which README blocks run.** The blocks are read from README.md when the tests run, so an
//! edited example is the one that runs. By the block's language:
//!
//! - `sh`: run. A block that starts with `#!` is a script: saved to a file of mode 755 (where
//!   the README says to save it) and executed, so its `#!` line picks the shell; any other
//!   block is pasted into bash, as at a terminal.
//! - `console`: its `$ ` lines are pasted into bash; its other lines are what they print, and
//!   are compared with what the run printed (`...` stands for any text, with the hex digits
//!   right before it for an abbreviated ID; `elapsed_ms` may differ; a JSON line that ends in
//!   `,...}` shows the first fields only).
//! - `cron`: each line's command, after its five time fields, is run by `/bin/sh -c` with
//!   cron's environment (`HOME`, `LOGNAME`, `PATH=/usr/bin:/bin`, `SHELL=/bin/sh`).
//! - `make`: a Makefile, saved in the working directory; its targets are run with `make`.
//! - `text` (an output sample, a synopsis) and `json` (lines the tool prints) are not run:
//!   every line of a `json` block must parse and have its fields in the tool's order, and the
//!   samples of an example's output are compared with that example's run.
//! - A block right after `<!-- not run by tests/examples.rs: REASON -->` (blank lines between
//!   them allowed) is not run: the blocks that install the tool, and the newcomer's own
//!   `make demo` and `make test`.
//!
//! Any other block (one without a language included), and a runnable block that no test runs,
//! fails [`every_readme_block_is_run_checked_or_marked`], so a new example cannot go unrun. A
//! test finds its block by its heading, language and rank there (the [`Place`]s of [`RUN`]).
//! The examples of `--help` are read from `coveo-org-delete --help` (checked against
//! `cli::EXAMPLES`) and pasted into bash the same way; one without a test fails
//! [`the_help_examples_do_what_they_say`].
//!
//! **What is substituted, and only that** (all of it in [`Session`]):
//!
//! - The tool: `coveo-org-delete` on `PATH`, and `/usr/local/bin/coveo-org-delete` in an
//!   example's text, are the built binary (a folder of the session stands for
//!   `/usr/local/bin`). Cron's `PATH` stays `/usr/bin:/bin`: a cron job that does not call the
//!   tool by its full path fails here as it would there.
//! - `HOME` is a new folder for each test, holding `~/.coveo-token` (a token the stand-in
//!   accepts) and what each test puts there as the README says (the nightly script in
//!   `~/bin`, `~/orgs-to-delete.txt`, last night's log); `XDG_STATE_HOME` is unset, as cron
//!   leaves it, so the person and the job share `~/.local/state`. The working directory is a
//!   new folder too (`orgs.txt`, `test-orgs.txt`, `listings.jsonl`, the Makefile). Where an
//!   example names no token, the person ran `coveo auth:login` that day, as the README asks.
//! - The platform's hosts: `https_proxy` is a CONNECT proxy that tunnels every host to the
//!   stand-in, whose certificate names every platform host (`platform.cloud.coveo.com`,
//!   `platform-eu.cloud.coveo.com`, ...) and is signed by a test CA that `SSL_CERT_FILE` names.
//!   So `--region eu` runs unchanged, and the proxy tells which host each run asked for. An
//!   example that names its own proxy (`http://proxy.corp:3128`) or CA file
//!   (`/etc/ssl/corp-root.pem`) gets the test's in its place, without the variable, which
//!   would otherwise decide (or make the flag pointless).
//! - `coveo`, the Coveo CLI: a small script on `PATH` ([`FAKE_COVEO_CLI`]): `coveo auth:login
//!   [-r REGION]` writes `~/.config/@coveo/cli/config.json` the way the CLI stores a login
//!   (its token is one the stand-in accepts), and `coveo config:get accessToken` prints it.
//! - `jq`, `timeout`, `xargs`, `make`, bash and `/bin/sh` are the machine's own; a test fails
//!   naming the one that is missing.

use crate::support::bin::{
    self, assert_shape, group_output_within, required_tool, END_FIELDS, ERROR_FIELDS, FIELDS,
    LISTED_FIELDS,
};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::{Action, Builder, Platform, Reply, StandIn, README_ORGS};
use crate::support::{pty, temp_dir, tls};
use coveo_org_delete::target::{platform_host, ENVIRONMENTS, REGIONS};
use serde_json::Value;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Upper bound of one example's run; reached only when something hangs.
const LIMIT: Duration = Duration::from_secs(30);
/// The token `coveo auth:login` stores (the fake CLI's), which the stand-in accepts.
const LOGIN_TOKEN: &str = "token-of-the-coveo-cli-login";
/// The token of `~/.coveo-token`, which the stand-in accepts too.
const FILE_TOKEN: &str = "token-of-the-coveo-token-file";
const HOUR_MS: i64 = 3_600_000;
/// Where the README says to save the nightly script (under `HOME`).
const NIGHTLY_SCRIPT_PATH: &str = "bin/nightly-coveo-cleanup";
/// Where the nightly script logs (cron leaves `XDG_STATE_HOME` unset).
const LOGS: &str = ".local/state/coveo-org-delete";

// ---------------------------------------------------------------------------------------------
// The README's blocks

/// A fenced block of the README.
#[derive(Clone, Debug)]
struct Block {
    /// 1-based line of its opening fence.
    line: usize,
    /// Its language (the fence's info string); empty when it has none.
    lang: String,
    /// Its lines, each with its newline.
    text: String,
    /// The heading it is under, without its `#`s.
    heading: String,
    /// The reason of a `<!-- not run by tests/examples.rs: REASON -->` right before it.
    not_run: Option<String>,
    /// How many blocks of its language came before it under its heading (not counting the
    /// marked ones); `None` for a marked block.
    nth: Option<usize>,
}

const MARKER: &str = "<!-- not run by tests/examples.rs:";
/// The languages of the blocks that run.
const RUNNABLE: [&str; 4] = ["sh", "console", "cron", "make"];

impl Block {
    /// Whether it is the block at `at`.
    fn is(&self, at: Place) -> bool {
        self.heading == at.heading && self.lang == at.lang && self.nth == Some(at.nth)
    }

    /// The lines of a `console` block: the commands (`$ ` lines, without the `$ `) and the
    /// lines they print.
    fn console(&self) -> (Vec<String>, Vec<String>) {
        let (mut commands, mut printed) = (Vec::new(), Vec::new());
        for line in self.text.lines() {
            match line.strip_prefix("$ ") {
                Some(command) => commands.push(command.to_owned()),
                None => printed.push(line.to_owned()),
            }
        }
        assert!(
            !commands.is_empty(),
            "README line {}: a console block without a '$ ' line",
            self.line
        );
        (commands, printed)
    }
}

/// The README as it is now.
fn readme_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Every fenced block of the README, in order. Panics on an unclosed block, and on a marker
/// that stands before no block.
fn readme_blocks() -> Vec<Block> {
    let text = readme_text();
    let mut blocks = Vec::new();
    let mut heading = String::new();
    // The marker seen since the last block and its line, waiting for its block.
    let mut marker: Option<(usize, String)> = None;
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let mut body = String::new();
            let closed = lines.by_ref().any(|(_, l)| {
                let end = l.trim_end() == "```";
                if !end {
                    body.push_str(l);
                    body.push('\n');
                }
                end
            });
            assert!(closed, "README line {}: a block that never ends", i + 1);
            let lang = info.trim().to_owned();
            let not_run = marker.take().map(|(_, reason)| reason);
            let nth = not_run.is_none().then(|| {
                blocks
                    .iter()
                    .filter(|b: &&Block| b.heading == heading && b.lang == lang && b.nth.is_some())
                    .count()
            });
            blocks.push(Block {
                line: i + 1,
                lang,
                text: body,
                heading: heading.clone(),
                not_run,
                nth,
            });
        } else if let Some(rest) = line.strip_prefix(MARKER) {
            let reason = rest.trim().strip_suffix("-->").map(str::trim);
            let reason = reason
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| panic!("README line {}: a marker without its reason", i + 1));
            marker = Some((i + 1, reason.to_owned()));
        } else if !line.trim().is_empty() {
            if let Some((at, _)) = marker {
                panic!("README line {at}: the not-run marker stands before no block");
            }
            if line.starts_with('#') {
                heading = line.trim_start_matches('#').trim().to_owned();
            }
        }
    }
    if let Some((at, _)) = marker {
        panic!("README line {at}: the not-run marker stands before no block");
    }
    blocks
}

/// Where a README block is: under which heading, its language, and how many blocks of that
/// language came before it there (those marked not run left out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    heading: &'static str,
    lang: &'static str,
    nth: usize,
}

const fn place(heading: &'static str, lang: &'static str, nth: usize) -> Place {
    Place { heading, lang, nth }
}

const QUICK_START: Place = place("coveo-org-delete", "console", 0);
const SHELL_SCRIPT: Place = place("In a shell script", "sh", 0);
const AT_A_TERMINAL: Place = place("At a terminal", "console", 0);
const PARALLEL_LISTINGS: Place = place("Output", "sh", 0);
const CA_FILE: Place = place("Retries, deadlines, TLS and proxies", "sh", 0);
const PROXY: Place = place("Retries, deadlines, TLS and proxies", "sh", 1);
const NIGHTLY_PIPELINE: Place = place("Nightly clean-up of test organizations", "sh", 0);
const NIGHTLY_SCRIPT: Place = place("Unattended jobs (cron)", "sh", 0);
const CRON_LINE: Place = place("Unattended jobs (cron)", "cron", 0);
const RETRY: Place = place("Unattended jobs (cron)", "sh", 1);
const FIXED_LIST: Place = place("Unattended jobs (cron)", "sh", 2);
const MAKE_TARGET: Place = place("Unattended jobs (cron)", "make", 0);

/// Samples compared with the output of the example they follow.
const LISTING_SAMPLE: Place = place("Nightly clean-up of test organizations", "json", 0);
const EXPIRED_LOGIN_MAIL: Place = place("Unattended jobs (cron)", "text", 0);

/// Every runnable README block, and the test that runs it.
const RUN: &[(Place, &str)] = &[
    (QUICK_START, "the_quick_start_deletes_with_the_token_file"),
    (SHELL_SCRIPT, "the_shell_script_branches_on_the_status"),
    (
        AT_A_TERMINAL,
        "at_a_terminal_the_id_typed_back_deletes_and_nothing_else_does",
    ),
    (
        PARALLEL_LISTINGS,
        "parallel_listings_of_four_regions_write_whole_lines",
    ),
    (CA_FILE, "the_ca_file_example_trusts_that_file"),
    (PROXY, "the_proxy_example_goes_through_that_proxy"),
    (
        NIGHTLY_PIPELINE,
        "the_nightly_pipeline_deletes_the_old_test_organizations_only",
    ),
    (
        NIGHTLY_SCRIPT,
        "the_nightly_job_under_cron_deletes_then_asks_for_a_new_login",
    ),
    (
        CRON_LINE,
        "the_nightly_job_under_cron_deletes_then_asks_for_a_new_login",
    ),
    (RETRY, "retrying_last_nights_failures_deletes_what_is_left"),
    (
        FIXED_LIST,
        "the_fixed_list_is_dry_run_first_and_a_failed_dry_run_deletes_nothing",
    ),
    (
        MAKE_TARGET,
        "the_makefile_target_deletes_and_without_token_file_sends_nothing",
    ),
];

/// The README block at `at`.
fn block(at: Place) -> Block {
    let found = readme_blocks().into_iter().find(|b| b.is(at));
    found.unwrap_or_else(|| {
        panic!(
            "README: no {} block #{} (counting from 0) under the heading {:?}, which tests/examples.rs runs",
            at.lang, at.nth, at.heading
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Comparing what a run printed with what the README shows

/// Whether `text` is what `sample` shows, where `...` stands for any text (and the hex
/// digits right before it for the start of an abbreviated ID: `0b1c...`).
fn like(sample: &str, text: &str) -> bool {
    let mut pieces: Vec<&str> = Vec::new();
    let mut rest = sample;
    while let Some(at) = rest.find("...") {
        let literal = rest[..at].trim_end_matches(|c: char| c.is_ascii_hexdigit());
        pieces.push(literal);
        rest = &rest[at + 3..];
    }
    pieces.push(rest);
    if pieces.len() == 1 {
        return sample == text;
    }
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut middle = &text[first.len()..text.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match middle.find(piece) {
            Some(at) => middle = &middle[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// The members of a JSON object's text, in their order: each key with its value's text.
fn members(raw: &str) -> Vec<(String, String)> {
    serde_json::from_str::<serde_json::Map<String, Value>>(raw)
        .unwrap_or_else(|e| panic!("not a JSON object ({e}): {raw}"));
    let mut out = Vec::new();
    let raw = raw.trim();
    let mut at = 1;
    let skip = |at: &mut usize, chars: &[char]| {
        while raw[*at..].starts_with(|c: char| c.is_whitespace() || chars.contains(&c)) {
            *at += 1;
        }
    };
    loop {
        skip(&mut at, &[',']);
        if raw[at..].starts_with('}') {
            return out;
        }
        let mut key = serde_json::Deserializer::from_str(&raw[at..]).into_iter::<String>();
        let name = key.next().expect("a key").expect("a key of a valid object");
        at += key.byte_offset();
        skip(&mut at, &[':']);
        let mut value = serde_json::Deserializer::from_str(&raw[at..]).into_iter::<Value>();
        value
            .next()
            .expect("a value")
            .expect("a value of a valid object");
        let end = at + value.byte_offset();
        out.push((name, raw[at..end].to_owned()));
        at = end;
    }
}

/// The keys of a JSON object's text, in their order.
fn keys(raw: &str) -> Vec<String> {
    members(raw).into_iter().map(|(k, _)| k).collect()
}

/// Asserts that a JSON line has the fields of its kind, in the tool's order.
fn assert_fields_in_order(raw: &str) {
    let line: Value = serde_json::from_str(raw).unwrap_or_else(|e| panic!("not JSON ({e}): {raw}"));
    let want: &[&str] = match line["result"].as_str() {
        Some("listed") => &LISTED_FIELDS,
        Some("end_of_list") => &END_FIELDS,
        _ => &FIELDS,
    };
    assert_eq!(keys(raw), want, "the fields of {raw}");
    if line["error"].is_object() {
        let error = members(raw)
            .into_iter()
            .find(|(k, _)| k == "error")
            .map(|(_, v)| v)
            .expect("an error");
        assert_eq!(keys(&error), ERROR_FIELDS, "the error fields of {raw}");
    }
}

/// Asserts that `actual`, a line the tool printed, is the README's `sample` line: the same
/// fields in the same order, each with the same value but where the sample abbreviates it
/// (`...`, see [`like`]) and `elapsed_ms`; a sample that ends in `,...}` shows only the first
/// fields.
fn assert_line_like(sample: &str, actual: &str) {
    assert_fields_in_order(actual);
    if let Some(head) = sample.strip_suffix(",...}") {
        assert!(
            actual.starts_with(&format!("{head},")),
            "the README shows\n  {sample}\nthe run printed\n  {actual}"
        );
        return;
    }
    let (shown, printed) = (members(sample), members(actual));
    let names = |m: &[(String, String)]| m.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(names(&shown), names(&printed), "{sample}\n{actual}");
    for ((key, want), (_, got)) in shown.iter().zip(&printed) {
        let same = match serde_json::from_str::<Value>(want).expect("JSON") {
            Value::String(s) if s.contains("...") => {
                let got = serde_json::from_str::<Value>(got).expect("JSON");
                got.as_str().is_some_and(|g| like(&s, g))
            }
            _ if key == "elapsed_ms" => got.parse::<u64>().is_ok(),
            _ => want == got,
        };
        assert!(
            same,
            "{key}: the README shows {want}, the run printed {got}\n  {sample}\n  {actual}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A user's session: HOME, the tools on PATH, the platform behind the proxy

/// The Coveo CLI as the examples use it. `coveo auth:login` stores a login where and as the
/// CLI does (compact JSON and a newline, mode 644, `anonymous` false); `coveo config:get
/// accessToken` prints its token. `@TOKEN@` is replaced with [`LOGIN_TOKEN`].
const FAKE_COVEO_CLI: &str = r#"#!/bin/sh
# A stand-in for the Coveo CLI, written by tests/examples.rs.
dir=${COVEO_CONFIG_DIR:-}
[ -n "$dir" ] || { [ -n "${XDG_CONFIG_HOME:-}" ] && dir=$XDG_CONFIG_HOME/@coveo/cli; }
[ -n "$dir" ] || dir=$HOME/.config/@coveo/cli
command=${1:-}
[ $# -gt 0 ] && shift
case $command in
auth:login)
  region=us environment=prod
  while [ $# -gt 0 ]; do
    case $1 in
      -r|--region) region=$(printf '%s' "${2:-}" | tr 'A-Z' 'a-z'); shift 2 || exit 2 ;;
      -e|--environment) environment=${2:-}; shift 2 || exit 2 ;;
      *) echo "coveo: unexpected argument: $1" >&2; exit 2 ;;
    esac
  done
  mkdir -p "$dir" || exit 1
  printf '{"version":"1.1.0","environment":"%s","region":"%s","organization":"","accessToken":"%s","anonymous":false}\n' \
    "$environment" "$region" '@TOKEN@' >"$dir/config.json" || exit 1
  chmod 644 "$dir/config.json"
  ;;
config:get)
  [ "${1:-}" = accessToken ] || { echo "coveo: this stand-in only gets accessToken" >&2; exit 2; }
  [ -f "$dir/config.json" ] || { echo "coveo: not logged in" >&2; exit 1; }
  sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p' "$dir/config.json"
  ;;
*) echo "coveo: this stand-in knows auth:login and config:get accessToken only" >&2; exit 2 ;;
esac
"#;

/// Who runs a command: the person at a terminal (bash, the tools on `PATH`), or cron.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    Person,
    Cron,
}

/// How a command ended and what it printed.
#[derive(Debug)]
struct Ran {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    /// stdout as JSON lines, each with its fields in the tool's order.
    fn lines(&self) -> Vec<Value> {
        json_lines(&self.stdout)
    }
}

/// Text as JSON lines, each with its fields in the tool's order.
fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| {
            assert_fields_in_order(l);
            let line: Value = serde_json::from_str(l).expect("JSON");
            if !matches!(line["result"].as_str(), Some("listed" | "end_of_list")) {
                assert_shape(&line);
            }
            line
        })
        .collect()
}

/// A user's machine for one test: a new `HOME` and working directory, the tool and the
/// Coveo CLI on `PATH`, and the platform's hosts reaching a TLS stand-in through a proxy.
/// What it substitutes is said in the file's header; this is the one place that does it.
struct Session {
    home: PathBuf,
    work: PathBuf,
    /// Stands for `/usr/local/bin`: the tool (a link to the built binary) and `coveo`.
    local_bin: PathBuf,
    ca: PathBuf,
    tls: Arc<rustls::ServerConfig>,
    standin: StandIn,
    /// The organizations the stand-in had when it started.
    orgs: Vec<String>,
    proxy: ConnectProxy,
}

/// Every host of the platform, of every region and environment.
fn platform_hosts() -> Vec<String> {
    let mut hosts = Vec::new();
    for region in REGIONS {
        for environment in ENVIRONMENTS {
            if let Ok(host) = platform_host(region, environment) {
                if !hosts.contains(&host) {
                    hosts.push(host);
                }
            }
        }
    }
    hosts
}

impl Session {
    fn new(platform: Platform) -> Session {
        // The machine's own tools that the examples call: missing is a failure, never a skip.
        for (tool, package) in [
            ("bash", "bash"),
            ("sh", "dash"),
            ("jq", "jq"),
            ("timeout", "coreutils"),
            ("xargs", "findutils"),
            ("make", "make"),
            ("sed", "sed"),
            ("tr", "coreutils"),
        ] {
            assert!(
                bin::tool(tool).is_some(),
                "the README's examples call {tool}, which this machine lacks: install it (Debian's package {package}); tests/examples.rs never skips an example"
            );
        }
        let hosts = platform_hosts();
        let pki = tls::pki(&hosts.iter().map(String::as_str).collect::<Vec<_>>());
        let root = temp_dir("example");
        let (home, work, local_bin) = (root.join("home"), root.join("work"), root.join("bin"));
        for dir in [&home, &work, &local_bin] {
            std::fs::create_dir(dir).expect("a folder of the session");
        }
        assert!(
            root.to_str().is_some_and(|r| r
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))),
            "the session's paths go into shell text unquoted: {}",
            root.display()
        );
        std::os::unix::fs::symlink(bin::BIN, local_bin.join("coveo-org-delete"))
            .expect("link the tool");
        let coveo = local_bin.join("coveo");
        std::fs::write(&coveo, FAKE_COVEO_CLI.replace("@TOKEN@", LOGIN_TOKEN))
            .expect("write the Coveo CLI");
        std::fs::set_permissions(&coveo, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::write(home.join(".coveo-token"), format!("{FILE_TOKEN}\n")).expect("token");
        std::fs::set_permissions(
            home.join(".coveo-token"),
            std::fs::Permissions::from_mode(0o600),
        )
        .expect("chmod");
        let standin = StandIn::builder()
            .tls(pki.server_config.clone())
            .platform(platform);
        let proxy = ConnectProxy::start(standin.addr());
        Session {
            home,
            work,
            local_bin,
            ca: pki.ca_file(),
            tls: pki.server_config,
            orgs: standin.remaining_orgs(),
            standin,
            proxy,
        }
    }

    /// Replaces the platform: a new stand-in (same certificate) and proxy.
    fn serve(&mut self, start: impl FnOnce(Builder) -> StandIn) {
        let standin = start(StandIn::builder().tls(self.tls.clone()));
        self.proxy = ConnectProxy::start(standin.addr());
        self.orgs = standin.remaining_orgs();
        self.standin = standin;
    }

    /// An example's text with what must differ here substituted.
    fn substitute(&self, text: &str) -> String {
        let tool = self.local_bin.join("coveo-org-delete");
        text.replace("/usr/local/bin/coveo-org-delete", &tool.to_string_lossy())
            .replace("/etc/ssl/corp-root.pem", &self.ca.to_string_lossy())
            .replace("http://proxy.corp:3128", &self.proxy.url())
    }

    /// The environment of `who`, for an example of this text.
    fn env(&self, who: Who, example: &str) -> Vec<(&'static str, OsString)> {
        let path = match who {
            Who::Person => format!("{}:/usr/bin:/bin", self.local_bin.display()),
            Who::Cron => "/usr/bin:/bin".to_owned(),
        };
        let shell = if who == Who::Person {
            "/bin/bash"
        } else {
            "/bin/sh"
        };
        let mut env = vec![
            ("HOME", self.home.clone().into_os_string()),
            ("LOGNAME", "tester".into()),
            ("PATH", path.into()),
            ("SHELL", shell.into()),
        ];
        if !example.contains("http://proxy.corp:3128") {
            env.push(("https_proxy", self.proxy.url().into()));
        }
        if !example.contains("/etc/ssl/corp-root.pem") {
            env.push(("SSL_CERT_FILE", self.ca.clone().into_os_string()));
        }
        env
    }

    /// Runs `command` as `who` in `dir`, within [`LIMIT`].
    fn run(&self, mut command: Command, who: Who, example: &str, dir: &Path) -> Ran {
        command
            .env_clear()
            .envs(self.env(who, example))
            .current_dir(dir);
        let out = group_output_within(&mut command, b"", LIMIT);
        let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
        let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
        let status = out
            .status
            .code()
            .unwrap_or_else(|| panic!("died of a signal: {:?}\nstderr: {stderr}", out.status));
        assert!(!stderr.contains("panicked"), "a panic: {stderr}");
        Ran {
            status,
            stdout,
            stderr,
        }
    }

    /// `text` pasted into bash by the person, in the working directory.
    fn bash(&self, text: &str) -> Ran {
        self.bash_as(text, text)
    }

    /// `text`, a variant of `example` (an option left out), pasted into bash with the
    /// environment of `example`.
    fn bash_as(&self, text: &str, example: &str) -> Ran {
        let mut command = Command::new(required_tool("bash"));
        command.arg("-c").arg(self.substitute(text));
        self.run(command, Who::Person, example, &self.work)
    }

    /// A crontab line's command, run as cron runs it: `/bin/sh -c`, cron's environment, in
    /// `HOME`.
    fn cron(&self, line: &str) -> Ran {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert!(fields.len() > 5, "a cron line without a command: {line}");
        let times = &fields[..5];
        let mut rest = line.trim_start();
        for time in times {
            rest = rest[time.len()..].trim_start();
        }
        assert!(!rest.contains('%'), "cron turns '%' into a newline: {rest}");
        let mut command = Command::new("/bin/sh");
        command.arg("-c").arg(self.substitute(rest));
        self.run(command, Who::Cron, line, &self.home)
    }

    /// A `#!` script of the README, saved at `path` under `HOME` with mode 755.
    fn save_script(&self, path: &str, script: &Block) -> PathBuf {
        assert!(
            script.text.starts_with("#!"),
            "README line {}: not a script",
            script.line
        );
        let file = self.home.join(path);
        std::fs::create_dir_all(file.parent().expect("a folder")).expect("mkdir");
        std::fs::write(&file, self.substitute(&script.text)).expect("save the script");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        file
    }

    /// The person logs in with the Coveo CLI, as the README asks each day.
    fn login(&self) {
        let ran = self.bash("coveo auth:login");
        assert_eq!(ran.status, 0, "{ran:#?}");
    }

    /// The login's file, whose modification time is when it was saved.
    fn login_file(&self) -> PathBuf {
        self.home.join(".config/@coveo/cli/config.json")
    }

    /// What the stand-in received, as `METHOD target` lines.
    fn sent(&self) -> Vec<String> {
        self.standin.sent()
    }

    /// The organizations the stand-in was asked to delete, in order.
    fn deletes(&self) -> Vec<String> {
        self.standin
            .requests()
            .iter()
            .filter(|r| r.method == "DELETE")
            .map(|r| r.path.trim_start_matches("/rest/organizations/").to_owned())
            .collect()
    }

    /// The process ID of the session's tool running with `word` among its arguments (the
    /// tool's path is the session's own, so no other test's process can match).
    fn pid_of_tool_with(&self, word: &str) -> libc::pid_t {
        let tool = self.local_bin.join("coveo-org-delete");
        let tool = tool.to_string_lossy();
        let found = std::fs::read_dir("/proc")
            .expect("/proc")
            .flatten()
            .find_map(|entry| {
                let pid: libc::pid_t = entry.file_name().to_str()?.parse().ok()?;
                let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
                let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
                let ours =
                    args.first() == Some(&tool.as_bytes()) && args.contains(&word.as_bytes());
                ours.then_some(pid)
            });
        found.unwrap_or_else(|| panic!("no process of {tool} with {word}"))
    }

    /// The stand-in still has every organization it started with but `gone`.
    fn assert_left_all_but(&self, gone: &[&str]) {
        let left: Vec<&String> = self
            .orgs
            .iter()
            .filter(|id| !gone.contains(&id.as_str()))
            .collect();
        let remaining = self.standin.remaining_orgs();
        assert_eq!(
            remaining.iter().collect::<Vec<_>>(),
            left,
            "{:?}",
            self.sent()
        );
    }

    /// Nothing reached the platform: no tunnel asked for, no connection to the stand-in.
    fn assert_sent_nothing(&self) {
        assert!(
            self.proxy.requests().is_empty(),
            "{:?}",
            self.proxy.requests()
        );
        assert_eq!(self.standin.connections(), 0, "{:?}", self.sent());
    }

    /// The hosts the proxy was asked to tunnel to, in order (`host:443`).
    fn tunnels(&self) -> Vec<String> {
        self.proxy
            .requests()
            .iter()
            .map(|head| {
                let target = head
                    .strip_prefix("CONNECT ")
                    .unwrap_or_else(|| panic!("not a CONNECT: {head}"));
                target.split(' ').next().unwrap_or("").to_owned()
            })
            .collect()
    }

    /// Every request went to `host` and carried `token`.
    fn assert_all_to(&self, host: &str, token: &str) {
        let tunnels = self.tunnels();
        assert!(!tunnels.is_empty(), "no tunnel");
        for t in &tunnels {
            assert_eq!(t, &format!("{host}:443"), "{tunnels:?}");
        }
        for r in self.standin.requests() {
            assert_eq!(
                r.header("authorization"),
                Some(format!("Bearer {token}").as_str()),
                "{} {}",
                r.method,
                r.path
            );
        }
        self.standin.assert_no_violations();
    }
}

// ---------------------------------------------------------------------------------------------
// The platform of the examples

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64
}

/// The test organizations a nightly clean-up must delete: CI runs' (`ci-...`), of type Test,
/// older than 2 days, oldest first.
const OLD_TESTS: [&str; 2] = ["cirun1a2b", "cirun3c4d"];

/// [`readme_orgs`], where the tokens of the login and of `~/.coveo-token` may delete.
fn readme_platform() -> Platform {
    readme_orgs()
        .token(LOGIN_TOKEN, true)
        .token(FILE_TOKEN, true)
}

/// The organizations of the README's examples (those of `make standin`), and around the old
/// test organizations, those a clean-up must leave: a test still running, one being deleted,
/// a production one and a test one that no CI run made. No token of the session is accepted.
fn readme_orgs() -> Platform {
    let ago = |hours: i64| Some(now_ms() - hours * HOUR_MS);
    Platform::new()
        .with_orgs(&README_ORGS)
        .with_ci_leftovers(now_ms())
        .listed_org(
            "qamanual",
            "qa manual tests",
            Some("Test"),
            ago(9 * 24),
            Some("qa@example.com"),
        )
}

/// A clean-up that deleted the old test organizations and nothing else: its lines, what the
/// stand-in received and what is left. `lines` are the deletion's.
fn assert_cleaned_up(session: &Session, lines: &[Value]) {
    let ids: Vec<&str> = lines
        .iter()
        .map(|l| {
            assert_eq!(l["result"], "deleted", "{l}");
            l["organization_id"].as_str().expect("an ID")
        })
        .collect();
    assert_eq!(ids, OLD_TESTS);
    assert_eq!(session.deletes(), OLD_TESTS, "{:?}", session.sent());
    for r in session.standin.requests() {
        assert!(
            r.method == "DELETE"
                || (r.method == "GET" && r.path.starts_with("/rest/organizations?")),
            "{} {}",
            r.method,
            r.path
        );
    }
    session.assert_left_all_but(&OLD_TESTS);
}

// ---------------------------------------------------------------------------------------------
// The inventory

// ---------------------------------------------------------------------------------------------
// The inventory

#[test]
fn every_readme_block_is_run_checked_or_marked() {
    let blocks = readme_blocks();
    let mut problems = Vec::new();
    for b in &blocks {
        let lang = b.lang.as_str();
        if b.not_run.is_some() {
            if !RUNNABLE.contains(&lang) {
                problems.push(format!(
                    "README line {}: a {lang:?} block marked not run: only blocks that would run are marked",
                    b.line
                ));
            }
            continue;
        }
        match lang {
            // Output samples and synopses; json lines are checked by the next test.
            "text" | "json" => {}
            _ if RUNNABLE.contains(&lang) => {
                if !RUN.iter().any(|(at, _)| b.is(*at)) {
                    problems.push(format!(
                        "README line {}: a {lang} block under {:?} that no test runs: give it a test and a row of RUN in tests/examples.rs, or, if it installs the tool, mark it with '{MARKER} REASON -->' on the line before",
                        b.line, b.heading
                    ));
                }
            }
            "" => problems.push(format!(
                "README line {}: a block without a language: label it text (an output sample or a synopsis), json (lines the tool prints) or {}",
                b.line,
                RUNNABLE.join(", ")
            )),
            other => problems.push(format!(
                "README line {}: a block of language {other:?}, which tests/examples.rs neither runs nor checks",
                b.line
            )),
        }
    }
    // Each row of RUN is one block of the README, and names a test of this file.
    let source = include_str!("examples.rs");
    for (at, test) in RUN {
        if blocks.iter().filter(|b| b.is(*at)).count() != 1 {
            problems.push(format!("RUN names {at:?}, which is no block of the README"));
        }
        if !source.contains(&format!("fn {test}()")) {
            problems.push(format!("RUN names the test {test}, which this file lacks"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_json_samples_are_lines_the_tool_prints() {
    let samples: Vec<Block> = readme_blocks()
        .into_iter()
        .filter(|b| b.lang == "json")
        .collect();
    assert!(!samples.is_empty(), "the README shows no JSON lines");
    for b in samples {
        for line in b.text.lines() {
            assert_fields_in_order(line);
        }
    }
    // The Output section's table lists the fields of a line in the same order.
    let readme = readme_text();
    let output = readme
        .split("\n## Output\n")
        .nth(1)
        .expect("an Output section");
    let table: Vec<&str> = output
        .split("\n## ")
        .next()
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .collect();
    assert_eq!(table, FIELDS, "the fields of the Output section's table");
}

// ---------------------------------------------------------------------------------------------
// The README's examples, in its order

#[test]
fn the_quick_start_deletes_with_the_token_file() {
    let session = Session::new(readme_platform());
    let (commands, printed) = block(QUICK_START).console();
    let ran = session.bash(&commands.join("\n"));
    assert_eq!((ran.status, ran.stderr.as_str()), (0, ""), "{ran:#?}");
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(lines.len(), printed.len(), "{ran:#?}");
    for (sample, line) in printed.iter().zip(lines) {
        assert_line_like(sample, line);
    }
    assert_eq!(session.deletes(), ["mytestorg1a2b3c"]);
    session.assert_all_to("platform.cloud.coveo.com", FILE_TOKEN);
}

#[test]
fn the_shell_script_branches_on_the_status() {
    let mut session = Session::new(readme_platform());
    let script = session.save_script("bin/delete-org", &block(SHELL_SCRIPT));
    let delete = |session: &Session, org: &str| {
        let ran = session.bash(&format!("ORG={org} {}", script.display()));
        let last = ran.stderr.lines().last().unwrap_or_default().to_owned();
        (ran, last)
    };
    // 0, an organization already absent included (--missing-ok).
    for org in ["acme1", "nosuchorg"] {
        let (ran, _) = delete(&session, org);
        assert_eq!(ran.status, 0, "{ran:#?}");
        assert_eq!(
            (ran.stdout, ran.stderr),
            (format!("gone: {org}\n"), String::new())
        );
    }
    assert_eq!(session.deletes(), ["acme1", "nosuchorg"]);
    session.assert_all_to("platform.cloud.coveo.com", FILE_TOKEN);
    // Any other status: the line, on stderr.
    let (ran, last) = delete(&session, "demopaused");
    assert_eq!((ran.status, ran.stdout.as_str()), (1, ""), "{ran:#?}");
    let line = last.strip_prefix("failed: ").expect("the failure");
    assert_eq!(
        json_lines(line)[0]["error"]["kind"],
        "read_only",
        "{ran:#?}"
    );
    // 3: a token the platform refuses.
    std::fs::write(session.home.join(".coveo-token"), "expired-token\n").expect("token");
    let (ran, last) = delete(&session, "acme2");
    assert_eq!((ran.status, ran.stdout.as_str()), (1, ""), "{ran:#?}");
    assert_eq!(last, "token refused: log in again");
    // 5: the platform busy; the script goes on.
    let busy = Action::Reply(Reply::new(503).header("Retry-After", "0"));
    session.serve(|b| b.script(vec![busy; 4]));
    let (ran, last) = delete(&session, "acme2");
    assert_eq!((ran.status, ran.stdout.as_str()), (0, ""), "{ran:#?}");
    assert_eq!(last, "platform busy or unreachable; will retry tomorrow");
    assert_eq!(session.deletes(), ["acme2"; 4]);
}

#[test]
fn at_a_terminal_the_id_typed_back_deletes_and_nothing_else_does() {
    let session = Session::new(readme_platform());
    session.login();
    let (commands, printed) = block(AT_A_TERMINAL).console();
    let [command] = &commands[..] else {
        panic!("one command: {commands:?}")
    };
    let id = command.split_whitespace().last().expect("the ID");
    let at_terminal = |answer: &str| {
        let mut bash = Command::new(required_tool("bash"));
        bash.arg("-c")
            .arg(session.substitute(command))
            .env_clear()
            .envs(session.env(Who::Person, command))
            .current_dir(&session.work);
        let mut terminal = pty::spawn(bash, LIMIT);
        terminal.read_until("to confirm: ");
        terminal.type_line(answer);
        terminal.finish()
    };
    // A wrong answer deletes nothing.
    let wrong = at_terminal(&id[1..]);
    assert_eq!(wrong.status, 2, "{wrong:#?}");
    assert_eq!(wrong.lines[0]["error"]["kind"], "not_confirmed");
    assert!(session.deletes().is_empty(), "{:?}", session.sent());
    // The ID typed back: the terminal shows what the README shows, and the line follows.
    let done = at_terminal(id);
    assert_eq!(done.status, 0, "{done:#?}");
    let (samples, shown): (Vec<&String>, Vec<&String>) =
        printed.iter().partition(|l| l.starts_with('{'));
    let terminal: Vec<&str> = done.terminal.lines().collect();
    assert_eq!(terminal.len(), shown.len(), "{done:#?}");
    for (sample, row) in shown.iter().zip(&terminal) {
        assert!(
            like(sample, row),
            "the README shows\n  {sample}\nthe terminal showed\n  {row}"
        );
    }
    let lines: Vec<&str> = done.stdout.lines().collect();
    assert_eq!(lines.len(), samples.len(), "{done:#?}");
    for (sample, line) in samples.iter().zip(lines) {
        assert_line_like(sample, line);
    }
    assert_eq!(session.deletes(), [id]);
    session.assert_all_to("platform.cloud.coveo.com", LOGIN_TOKEN);
    // Without a terminal and without --yes, nothing is sent.
    let session = Session::new(readme_platform());
    session.login();
    let ran = session.bash(command);
    assert_eq!(ran.status, 2, "{ran:#?}");
    assert_eq!(ran.lines()[0]["error"]["kind"], "confirmation_required");
    session.assert_sent_nothing();
}

#[test]
fn parallel_listings_of_four_regions_write_whole_lines() {
    let session = Session::new(readme_platform().only_gets());
    session.login();
    let ran = session.bash(&block(PARALLEL_LISTINGS).text);
    assert_eq!(
        (ran.status, ran.stdout.as_str(), ran.stderr.as_str()),
        (0, "", ""),
        "{ran:#?}"
    );
    let log = std::fs::read_to_string(session.work.join("listings.jsonl")).expect("the log");
    let lines = json_lines(&log);
    let ends: Vec<&Value> = lines
        .iter()
        .filter(|l| l["result"] == "end_of_list")
        .collect();
    assert_eq!(ends.len(), 4, "{log}");
    let mut listed: Vec<&str> = lines
        .iter()
        .filter(|l| l["result"] == "listed")
        .map(|l| {
            assert_eq!(l["type"], "Test", "{l}");
            l["organization_id"].as_str().expect("an ID")
        })
        .collect();
    listed.sort_unstable();
    listed.dedup_by(|a, b| a == b);
    assert_eq!(listed, ["cirun1a2b", "cirun3c4d", "cirun5e6f", "qamanual"]);
    assert!(ends.iter().all(|e| e["listed"] == 4), "{log}");
    let mut tunnels = session.tunnels();
    tunnels.sort_unstable();
    assert_eq!(
        tunnels,
        [
            "platform-au.cloud.coveo.com:443",
            "platform-ca.cloud.coveo.com:443",
            "platform-eu.cloud.coveo.com:443",
            "platform.cloud.coveo.com:443",
        ]
    );
    session.standin.assert_no_violations();
}

#[test]
fn the_ca_file_example_trusts_that_file() {
    let session = Session::new(readme_platform());
    session.login();
    let example = block(CA_FILE).text;
    // Without the flag the built-in roots decide, and they do not trust the corporate CA.
    let without = example.replace(" --ca-file /etc/ssl/corp-root.pem", "");
    assert_ne!(without, example, "the example names its CA file");
    let ran = session.bash_as(&without, &example);
    assert_eq!(ran.status, 1, "{ran:#?}");
    assert_eq!(ran.lines()[0]["error"]["kind"], "tls", "{ran:#?}");
    assert!(session.sent().is_empty(), "{:?}", session.sent());
    let ran = session.bash(&example);
    assert_eq!((ran.status, ran.stderr.as_str()), (0, ""), "{ran:#?}");
    assert_eq!(ran.lines()[0]["result"], "deleted");
    assert_eq!(session.deletes(), ["myorg"]);
    session.assert_all_to("platform.cloud.coveo.com", LOGIN_TOKEN);
}

#[test]
fn the_proxy_example_goes_through_that_proxy() {
    let session = Session::new(readme_platform());
    session.login();
    // No https_proxy here: only the example's HTTPS_PROXY can reach the stand-in.
    let ran = session.bash(&block(PROXY).text);
    assert_eq!((ran.status, ran.stderr.as_str()), (0, ""), "{ran:#?}");
    assert_eq!(ran.lines()[0]["result"], "deleted");
    assert_eq!(session.deletes(), ["myorg"]);
    assert_eq!(session.tunnels(), ["platform.cloud.coveo.com:443"]);
    session.assert_all_to("platform.cloud.coveo.com", LOGIN_TOKEN);
}

#[test]
fn the_nightly_pipeline_deletes_the_old_test_organizations_only() {
    let session = Session::new(readme_platform());
    // The block logs in itself, as the person does once a day.
    let ran = session.bash(&block(NIGHTLY_PIPELINE).text);
    assert_eq!((ran.status, ran.stderr.as_str()), (0, ""), "{ran:#?}");
    assert_cleaned_up(&session, &ran.lines());
    session.assert_all_to("platform.cloud.coveo.com", LOGIN_TOKEN);
}

/// The listing of a pipeline's block: its first command, the line continued by `\`.
fn listing_of(pipeline: &str) -> String {
    let joined = pipeline.replace("\\\n", " ");
    let line = joined
        .lines()
        .find(|l| l.trim_start().starts_with("coveo-org-delete --list"))
        .unwrap_or_else(|| panic!("no listing in {pipeline}"));
    line.split('|').next().unwrap_or_default().trim().to_owned()
}

/// Milliseconds since the epoch of a UTC time written `YYYY-MM-DDTHH:MM:SSZ`.
fn utc_ms(text: &str) -> i64 {
    let n = |range: std::ops::Range<usize>| -> i64 {
        text.get(range)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not YYYY-MM-DDTHH:MM:SSZ: {text}"))
    };
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    // Days from the civil date (H. Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 24 + n(11..13)) * 60 + n(14..16)) * 60_000 + n(17..19) * 1000
}

#[test]
fn the_listing_sample_is_what_the_listing_prints() {
    // The organizations of the sample, as the platform would list them. (Its creation date
    // is in the past, more than the listing's 2 days, on any machine whose clock is right.)
    let sample = block(LISTING_SAMPLE).text;
    let mut platform = Platform::new().token(LOGIN_TOKEN, true).only_gets();
    for line in json_lines(&sample) {
        if line["result"] != "listed" {
            continue;
        }
        assert_eq!(
            (&line["read_only"], &line["lifecycle_state"]),
            (&Value::Bool(false), &Value::from("ACTIVE"))
        );
        platform = platform.listed_org(
            line["organization_id"].as_str().expect("an ID"),
            line["display_name"].as_str().expect("a name"),
            line["type"].as_str(),
            line["created"].as_str().map(utc_ms),
            line["owner_email"].as_str(),
        );
    }
    let session = Session::new(platform);
    session.login();
    let listing = listing_of(&block(NIGHTLY_PIPELINE).text);
    let ran = session.bash(&listing);
    assert_eq!((ran.status, ran.stderr.as_str()), (0, ""), "{ran:#?}");
    assert_eq!(
        ran.stdout, sample,
        "the README shows what `{listing}` prints for these organizations"
    );
    session.standin.assert_no_violations();
}

/// The commands of a crontab block: its lines that are neither blank nor comments.
fn crontab(b: &Block) -> Vec<String> {
    let lines: Vec<String> = b
        .text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(str::to_owned)
        .collect();
    for l in &lines {
        let first = l.split_whitespace().next().unwrap_or_default();
        assert!(
            !first.contains('='),
            "README line {}: cron environment lines ({l}) are not run by tests/examples.rs yet",
            b.line
        );
    }
    lines
}

/// The nightly script saved where the README says, and its cron line.
fn nightly_job(session: &Session) -> String {
    assert!(
        readme_text().contains(&format!("`~/{NIGHTLY_SCRIPT_PATH}`")),
        "the README says to save the nightly script as ~/{NIGHTLY_SCRIPT_PATH}"
    );
    session.save_script(NIGHTLY_SCRIPT_PATH, &block(NIGHTLY_SCRIPT));
    let lines = crontab(&block(CRON_LINE));
    let [line] = &lines[..] else {
        panic!("one cron line: {lines:?}")
    };
    line.clone()
}

/// The nightly script's log, as JSON lines.
fn cleanup_log(session: &Session) -> Vec<Value> {
    let log = session.home.join(LOGS).join("cleanup.jsonl");
    json_lines(&std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display())))
}

#[test]
fn the_nightly_job_under_cron_deletes_then_asks_for_a_new_login() {
    let mut session = Session::new(readme_platform());
    let cron_line = nightly_job(&session);
    // The day: a person logs in. The night: cron runs the job, which mails nothing.
    session.login();
    let night = session.cron(&cron_line);
    assert_eq!(
        (night.status, night.stdout.as_str(), night.stderr.as_str()),
        (0, "", ""),
        "{night:#?}"
    );
    assert_cleaned_up(&session, &cleanup_log(&session));
    session.assert_all_to("platform.cloud.coveo.com", LOGIN_TOKEN);

    // Nobody logged in the next day: the login is 27 hours old, and its token is refused.
    let saved = SystemTime::now() - Duration::from_secs(27 * 3600 + 60);
    std::fs::File::options()
        .write(true)
        .open(session.login_file())
        .and_then(|f| f.set_modified(saved))
        .expect("age the login");
    session.serve(|b| b.platform(readme_orgs().token(FILE_TOKEN, true)));
    let night = session.cron(&cron_line);
    assert_eq!((night.status, night.stdout.as_str()), (3, ""), "{night:#?}");
    for said in ["log in again", "27 hours ago"] {
        assert!(night.stderr.contains(said), "{said:?}: {night:#?}");
    }
    let mail = block(EXPIRED_LOGIN_MAIL).text;
    let mail = mail.trim_end();
    assert!(
        night.stderr.lines().any(|l| like(mail, l)),
        "the README shows the mail of an expired login as\n  {mail}\ncron would mail\n{}",
        night.stderr
    );
    assert!(session.deletes().is_empty(), "{:?}", session.sent());
    session.assert_left_all_but(&[]);
    let log = cleanup_log(&session);
    let last = log.last().expect("a line");
    assert_eq!(
        (&last["organization_id"], &last["error"]["kind"]),
        (&Value::Null, &Value::from("unauthorized"))
    );
    assert_eq!(log.len(), OLD_TESTS.len() + 1);
}

#[test]
fn the_nightly_job_tells_its_failures_apart() {
    let mut session = Session::new(readme_platform());
    let cron_line = nightly_job(&session);
    // Nobody ever logged in as this user: the job exits 2 and sends nothing.
    let night = session.cron(&cron_line);
    assert_eq!((night.status, night.stdout.as_str()), (2, ""), "{night:#?}");
    let said = night.stderr.lines().last().unwrap_or_default();
    assert!(
        said.starts_with("coveo cleanup: nothing was deleted"),
        "{night:#?}"
    );
    session.assert_sent_nothing();
    // An outage: every attempt at the listing gets a 503; the job exits 5.
    session.login();
    let busy = Reply::new(503).header("Retry-After", "0");
    session.serve(|b| b.platform(readme_platform().list_page_fails(0, 4, busy)));
    let night = session.cron(&cron_line);
    assert_eq!((night.status, night.stdout.as_str()), (5, ""), "{night:#?}");
    let said = night.stderr.lines().last().unwrap_or_default();
    assert_eq!(
        said,
        "coveo cleanup: the platform was busy or unreachable; the next run tries again"
    );
    assert!(session.deletes().is_empty(), "{:?}", session.sent());
    assert_eq!(session.sent().len(), 4, "{:?}", session.sent());
    // A listing killed before its first line (SIGKILL, the OOM killer): the deletion reads an
    // empty list and exits 0, so only pipefail makes the job say so.
    session.serve(|b| b.platform(readme_platform().list_page_held(0)));
    let night = std::thread::scope(|scope| {
        let night = scope.spawn(|| session.cron(&cron_line));
        session.standin.wait_for_requests(1, LIMIT);
        let listing = session.pid_of_tool_with("--list");
        // SAFETY: kill(2) has no memory-safety requirements; the process is the session's.
        assert_eq!(unsafe { libc::kill(listing, libc::SIGKILL) }, 0);
        night.join().expect("the job")
    });
    assert_eq!(
        (night.status, night.stdout.as_str()),
        (137, ""),
        "{night:#?}"
    );
    let said = night.stderr.lines().last().unwrap_or_default();
    assert!(
        said.starts_with("coveo cleanup: failed with status 137"),
        "{night:#?}"
    );
    assert!(session.deletes().is_empty(), "{:?}", session.sent());
    // A refusal that the deletion meets (the user may read but not delete) is 3 too.
    session.serve(|b| b.platform(readme_orgs().token(LOGIN_TOKEN, false)));
    let night = session.cron(&cron_line);
    assert_eq!((night.status, night.stdout.as_str()), (3, ""), "{night:#?}");
    let said = night.stderr.lines().last().unwrap_or_default();
    assert!(
        said.starts_with("coveo cleanup: the token was refused"),
        "{night:#?}"
    );
    assert_eq!(session.deletes(), OLD_TESTS, "each was tried, and refused");
    session.assert_left_all_but(&[]);
}

#[test]
fn retrying_last_nights_failures_deletes_what_is_left() {
    // Last night's log, written by the tool itself: a night whose login was refused (a
    // failure of the whole run), then one when the platform was busy for two organizations.
    let refused = StandIn::platform(Platform::new());
    let (_, refused_night) = bin::pipeline(
        bin::cmd()
            .token("expired")
            .platform(&refused.url())
            .arg("--list"),
        bin::cmd().token("expired").platform(&refused.url()).args([
            "--yes",
            "--missing-ok",
            "--from-file",
            "-",
        ]),
    );
    assert_eq!(refused_night.status, 3, "{refused_night:#?}");
    let busy = || Action::Reply(Reply::new(503).header("Retry-After", "0"));
    let flaky = StandIn::script(vec![Action::status(204), busy(), busy()]);
    let busy_night = bin::cmd()
        .token("demo-token")
        .platform(&flaky.url())
        .args([
            "--yes",
            "--missing-ok",
            "--retries",
            "0",
            "cirun1a2b",
            "acme1",
            "acme2",
        ])
        .run();
    assert_eq!(busy_night.status, 5, "{busy_night:#?}");
    let session = Session::new(readme_platform());
    let logs = session.home.join(LOGS);
    std::fs::create_dir_all(&logs).expect("mkdir");
    std::fs::write(
        logs.join("cleanup.jsonl"),
        format!("{}{}", refused_night.stdout, busy_night.stdout),
    )
    .expect("last night's log");
    // acme2 was deleted by hand meanwhile.
    session.login();
    let by_hand = session.bash("coveo-org-delete --yes acme2");
    assert_eq!(by_hand.status, 0, "{by_hand:#?}");
    let before = session.sent().len();

    let retry = block(RETRY).text;
    let ran = session.bash(&retry);
    assert_eq!((ran.status, ran.stderr.as_str()), (0, ""), "{ran:#?}");
    let failed: Vec<&str> = busy_night.stdout.lines().skip(1).collect();
    let kept = std::fs::read_to_string(logs.join("retry.jsonl")).expect("retry.jsonl");
    assert_eq!(
        kept.lines().collect::<Vec<_>>(),
        failed,
        "the failed lines, as they were"
    );
    let lines = ran.lines();
    let results: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["organization_id"].as_str().unwrap_or_default(),
                l["result"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(results, [("acme1", "deleted"), ("acme2", "already_absent")]);
    assert_eq!(session.deletes()[1..], ["acme1", "acme2"]);
    assert_eq!(session.sent().len(), before + 2);
    session.assert_all_to("platform.cloud.coveo.com", LOGIN_TOKEN);

    // Without --missing-ok, an organization deleted meanwhile is not_found, exit 4.
    let strict = retry.replace(" --missing-ok", "");
    assert_ne!(strict, retry);
    let ran = session.bash(&strict);
    assert_eq!(ran.status, 4, "{ran:#?}");
    assert!(
        ran.lines()
            .iter()
            .all(|l| l["error"]["kind"] == "not_found"),
        "{ran:#?}"
    );
    // The whole run's failure line, kept, would stop the retry: nothing sent, its status.
    let before = session.sent().len();
    let unfiltered = retry.replace(" and .organization_id != null", "");
    assert_ne!(unfiltered, retry);
    let ran = session.bash(&unfiltered);
    assert_eq!(ran.status, 3, "{ran:#?}");
    assert_eq!(session.sent().len(), before, "{:?}", session.sent());
}

#[test]
fn the_fixed_list_is_dry_run_first_and_a_failed_dry_run_deletes_nothing() {
    let session = Session::new(readme_platform());
    session.login();
    let script = session.save_script("bin/delete-listed-orgs", &block(FIXED_LIST));
    let list = session.home.join("orgs-to-delete.txt");
    std::fs::write(
        &list,
        "# left over from the load test\nacme1\n\nacme2\nnosuchorg\n",
    )
    .expect("list");
    let ran = session.bash(&script.display().to_string());
    assert_eq!(
        (ran.status, ran.stdout.as_str(), ran.stderr.as_str()),
        (0, "", ""),
        "{ran:#?}"
    );
    let read = |name: &str| {
        let text = std::fs::read_to_string(session.home.join(LOGS).join(name)).unwrap_or_default();
        json_lines(&text)
            .iter()
            .map(|l| {
                format!(
                    "{} {}",
                    l["organization_id"].as_str().unwrap_or_default(),
                    l["result"].as_str().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        read("dry-run.jsonl"),
        [
            "acme1 would_delete",
            "acme2 would_delete",
            "nosuchorg already_absent"
        ]
    );
    assert_eq!(
        read("deleted.jsonl"),
        ["acme1 deleted", "acme2 deleted", "nosuchorg already_absent"]
    );
    // Every check came before the first deletion.
    let sent = session.sent();
    let first_delete = sent
        .iter()
        .position(|s| s.starts_with("DELETE"))
        .expect("a DELETE");
    assert!(
        sent[first_delete..].iter().all(|s| s.starts_with("DELETE")),
        "{sent:?}"
    );
    assert_eq!(session.deletes(), ["acme1", "acme2", "nosuchorg"]);
    session.assert_all_to("platform.cloud.coveo.com", LOGIN_TOKEN);
    // A list with an organization that cannot be deleted (paused): the dry run fails, and
    // nothing is deleted.
    std::fs::write(&list, "myorg\ndemopaused\n").expect("list");
    let ran = session.bash(&script.display().to_string());
    assert_eq!((ran.status, ran.stdout.as_str()), (1, ""), "{ran:#?}");
    assert_eq!(
        ran.stderr.lines().last(),
        Some("dry run failed with status 1; nothing was deleted"),
        "{ran:#?}"
    );
    assert_eq!(session.deletes(), ["acme1", "acme2", "nosuchorg"]);
    assert_eq!(read("deleted.jsonl").len(), 3);
}

#[test]
fn the_makefile_target_deletes_and_without_token_file_sends_nothing() {
    let session = Session::new(readme_platform());
    std::fs::write(session.work.join("Makefile"), block(MAKE_TARGET).text).expect("Makefile");
    std::fs::write(session.work.join("test-orgs.txt"), "acme1\nacme2\n").expect("list");
    // TOKEN_FILE unset: the tool says the value is missing, and nothing is sent.
    let ran = session.bash("make cleanup-test-orgs");
    assert_ne!(ran.status, 0, "{ran:#?}");
    assert!(ran.stderr.contains("--token-file has no value"), "{ran:#?}");
    session.assert_sent_nothing();
    let ran = session.bash("make cleanup-test-orgs TOKEN_FILE=~/.coveo-token");
    assert_eq!((ran.status, ran.stderr.as_str()), (0, ""), "{ran:#?}");
    let lines: Vec<&str> = ran.stdout.lines().filter(|l| l.starts_with('{')).collect();
    assert_eq!(json_lines(&lines.join("\n")).len(), 2, "{ran:#?}");
    assert_eq!(session.deletes(), ["acme1", "acme2"]);
    session.assert_all_to("platform.cloud.coveo.com", FILE_TOKEN);
}

// ---------------------------------------------------------------------------------------------
// The examples of --help

/// The examples of `coveo-org-delete --help`: what each does, and its command as printed
/// (a pipeline continued over two lines by `\`, as it pastes into a shell).
fn help_examples() -> Vec<(String, String)> {
    let mut help = Command::new(bin::BIN);
    help.arg("--help")
        .env_clear()
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let out = bin::output_within(&mut help, LIMIT);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).expect("UTF-8");
    let section = help
        .split("\nEXAMPLES:\n")
        .nth(1)
        .expect("an EXAMPLES section");
    let mut examples: Vec<(String, String)> = Vec::new();
    let (mut what, mut command) = (Vec::<&str>::new(), String::new());
    for line in section.lines() {
        if let Some(text) = line.strip_prefix("    # ") {
            if !command.is_empty() {
                examples.push((what.join(" "), std::mem::take(&mut command)));
                what.clear();
            }
            what.push(text);
        } else if command.ends_with('\\') {
            command.push('\n');
            command.push_str(line);
        } else if let Some(text) = line.strip_prefix("    ") {
            assert!(
                command.is_empty(),
                "two commands for one example: {command} / {text}"
            );
            command.push_str(text);
        } else {
            panic!(
                "a line of the help's examples that is neither a '#' line nor a command: {line:?}"
            );
        }
    }
    examples.push((what.join(" "), command));
    examples
}

#[test]
fn the_help_examples_do_what_they_say() {
    let examples = help_examples();
    let listed: Vec<(String, String)> = coveo_org_delete::cli::EXAMPLES
        .iter()
        .map(|(what, command)| (what.to_string(), command.to_string()))
        .collect();
    let printed: Vec<(String, String)> = examples
        .iter()
        .map(|(what, command)| {
            let joined: Vec<&str> = command.split("\\\n").map(str::trim).collect();
            (what.clone(), joined.join(" "))
        })
        .collect();
    assert_eq!(printed, listed, "the help prints cli::EXAMPLES");
    for (i, (what, command)) in examples.iter().enumerate() {
        match i {
            0 => {
                // A dry run: the checks, and no DELETE.
                let session = Session::new(readme_platform().forbid_delete());
                session.login();
                let ran = session.bash(command);
                assert_eq!((ran.status, ran.stderr.as_str()), (0, ""), "{what}: {ran:#?}");
                let line = &ran.lines()[0];
                assert_eq!((&line["result"], &line["display_name"]), (&Value::from("would_delete"), &Value::from("My test org")));
                assert_eq!(
                    session.sent(),
                    ["GET /rest/organizations/mytestorg1a2b3c", "POST /rest/privilege/evaluate"]
                );
                session.assert_all_to("platform.cloud.coveo.com", LOGIN_TOKEN);
            }
            1 => {
                let session = Session::new(readme_platform());
                let ran = session.bash(command);
                assert_eq!((ran.status, ran.stderr.as_str()), (0, ""), "{what}: {ran:#?}");
                assert_eq!(ran.lines()[0]["result"], "deleted");
                assert_eq!(session.deletes(), ["mytestorg1a2b3c"]);
                session.assert_all_to("platform.cloud.coveo.com", FILE_TOKEN);
            }
            2 => {
                let session = Session::new(readme_platform());
                std::fs::write(session.work.join("orgs.txt"), "acme1\nacme2\n").expect("orgs.txt");
                let ran = session.bash(command);
                assert_eq!((ran.status, ran.stderr.as_str()), (0, ""), "{what}: {ran:#?}");
                assert_eq!(ran.lines().len(), 2);
                assert_eq!(session.deletes(), ["acme1", "acme2"]);
                session.assert_all_to("platform-eu.cloud.coveo.com", FILE_TOKEN);
            }
            3 => {
                let session = Session::new(readme_platform());
                session.login();
                let ran = session.bash(command);
                assert_eq!((ran.status, ran.stderr.as_str()), (0, ""), "{what}: {ran:#?}");
                assert_cleaned_up(&session, &ran.lines());
                session.assert_all_to("platform.cloud.coveo.com", LOGIN_TOKEN);
                // A listing that did not finish (its second page failed) deletes nothing.
                let busy = Reply::new(503).header("Retry-After", "0");
                let session =
                    Session::new(readme_platform().list_page_size(2).list_page_fails(1, 4, busy));
                session.login();
                let ran = session.bash(command);
                assert_eq!(ran.status, 5, "{what}: {ran:#?}");
                assert!(session.deletes().is_empty(), "{:?}", session.sent());
            }
            _ => panic!("the help's example {i} ({what}) is run by no test: give it a branch in tests/examples.rs"),
        }
    }
}

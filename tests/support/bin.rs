//! Runs the compiled binary the way a script does, and captures what a script would see.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_coveo-org-delete");

/// What a script sees of one run.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    /// stdout parsed, one JSON value per line (panics on a line that is not JSON).
    pub lines: Vec<Value>,
    pub elapsed: Duration,
}

impl Run {
    /// The only JSON line; panics unless there is exactly one.
    pub fn line(&self) -> &Value {
        assert_eq!(
            self.lines.len(),
            1,
            "expected one JSON line, got: {self:#?}"
        );
        &self.lines[0]
    }

    /// Asserts `secret` appears nowhere in stdout or stderr.
    pub fn assert_hides(&self, secret: &str) {
        assert!(
            !self.stdout.contains(secret),
            "secret on stdout: {}",
            self.stdout
        );
        assert!(
            !self.stderr.contains(secret),
            "secret on stderr: {}",
            self.stderr
        );
    }
}

/// A command line of the binary with an empty environment (no proxy, CA or Coveo variables
/// leak in from the machine), `COVEO_TOKEN` unset and stdin empty.
pub struct Cmd {
    cmd: Command,
    stdin: Vec<u8>,
}

pub fn cmd() -> Cmd {
    let mut cmd = Command::new(BIN);
    cmd.env_clear();
    Cmd {
        cmd,
        stdin: Vec::new(),
    }
}

impl Cmd {
    pub fn arg(mut self, a: impl AsRef<std::ffi::OsStr>) -> Cmd {
        self.cmd.arg(a);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, a: I) -> Cmd {
        self.cmd.args(a);
        self
    }

    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Cmd {
        self.cmd.env(k, v);
        self
    }

    pub fn token(self, t: &str) -> Cmd {
        self.env("COVEO_TOKEN", t)
    }

    /// Points the run at a stand-in: `--platform-url URL`.
    pub fn platform(self, url: &str) -> Cmd {
        self.arg("--platform-url").arg(url)
    }

    pub fn stdin(mut self, bytes: &[u8]) -> Cmd {
        self.stdin = bytes.to_vec();
        self
    }

    /// The underlying command, for tests that need to drive the process themselves.
    pub fn command(self) -> Command {
        self.cmd
    }

    /// Runs to the end; panics if the process dies of a signal or panics.
    pub fn run(mut self) -> Run {
        let started = Instant::now();
        let mut child = self
            .cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the binary");
        let mut stdin = child.stdin.take().unwrap();
        let input = std::mem::take(&mut self.stdin);
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output().expect("wait for the binary");
        feeder.join().unwrap();
        let elapsed = started.elapsed();
        let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
        let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
        let status = out
            .status
            .code()
            .unwrap_or_else(|| panic!("killed by a signal: {:?}\nstderr: {stderr}", out.status));
        assert!(
            !stderr.contains("panicked"),
            "the binary panicked: {stderr}"
        );
        let lines = stdout
            .lines()
            .map(|l| {
                assert_field_order(l);
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))
            })
            .collect();
        Run {
            status,
            stdout,
            stderr,
            lines,
            elapsed,
        }
    }
}

/// The fields of a JSON line (contract section 7), all always present.
pub const FIELDS: [&str; 10] = [
    "organization_id",
    "ok",
    "result",
    "dry_run",
    "http_status",
    "attempts",
    "elapsed_ms",
    "request_id",
    "display_name",
    "error",
];
pub const ERROR_FIELDS: [&str; 4] = ["kind", "message", "coveo_error_code", "retry_after_s"];

/// Every field present, nothing else, each of the right JSON type.
pub fn assert_shape(line: &Value) {
    let obj = line
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {line}"));
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = FIELDS.to_vec();
    want.sort_unstable();
    assert_eq!(keys, want, "fields of {line}");
    assert!(line["ok"].is_boolean(), "ok: {line}");
    assert!(line["result"].is_string(), "result: {line}");
    assert!(line["dry_run"].is_boolean(), "dry_run: {line}");
    assert!(line["attempts"].is_u64(), "attempts: {line}");
    assert!(line["elapsed_ms"].is_u64(), "elapsed_ms: {line}");
    assert!(
        line["http_status"].is_null() || line["http_status"].is_u64(),
        "http_status: {line}"
    );
    match &line["error"] {
        Value::Null => assert_eq!(line["ok"], true, "ok without error: {line}"),
        Value::Object(e) => {
            assert_eq!(line["ok"], false, "{line}");
            assert_eq!(line["result"], "error", "{line}");
            let mut keys: Vec<&str> = e.keys().map(String::as_str).collect();
            keys.sort_unstable();
            let mut want = ERROR_FIELDS.to_vec();
            want.sort_unstable();
            assert_eq!(keys, want, "error fields of {line}");
            assert!(e["kind"].is_string() && e["message"].is_string(), "{line}");
        }
        other => panic!("error is neither null nor an object: {other}"),
    }
}

/// The fields of a raw line appear in the contract's order (a `Value` forgets the order).
fn assert_field_order(raw: &str) {
    let mut from = 0;
    for f in FIELDS {
        // Inside a JSON string a quote is escaped, so `"name":` only matches a key.
        let key = format!("\"{f}\":");
        match raw[from..].find(&key) {
            Some(i) => from += i + key.len(),
            None => panic!("field {f} missing or out of the contract's order: {raw}"),
        }
    }
}

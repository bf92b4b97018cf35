//! Runs the compiled binary the way a script does, and captures what a script would see.

use serde_json::Value;
use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_coveo-org-delete");

/// The longest any run of the binary may take: past it, the test kills the binary and fails
/// with what it printed so far.
pub const RUN_LIMIT: Duration = Duration::from_secs(60);

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

    /// Runs to the end, at most [`RUN_LIMIT`]; panics if the process dies of a signal or panics.
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
        let (status, stdout, stderr) = finish(child, started + RUN_LIMIT, "the binary");
        feeder.join().unwrap();
        run_of(status, stdout, stderr, started.elapsed())
    }
}

/// What a script sees of `first | second`: two processes of the binary joined by an OS pipe
/// (`first`'s stdin is empty; `second`'s stdin is `first`'s stdout). Both end within
/// [`RUN_LIMIT`]. `first`'s `Run` has an empty stdout: it went into the pipe.
pub fn pipeline(first: Cmd, second: Cmd) -> (Run, Run) {
    let started = Instant::now();
    let mut first = first.cmd;
    let mut one = first
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the first binary");
    let pipe = one.stdout.take().expect("the first binary's stdout");
    let mut second = second.cmd;
    let two = second
        .stdin(Stdio::from(pipe))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the second binary");
    // The reading end now belongs to the second process alone.
    drop(second);
    drop(first);
    let deadline = started + RUN_LIMIT;
    let (s1, o1, e1) = finish(one, deadline, "the first binary of the pipeline");
    let (s2, o2, e2) = finish(two, deadline, "the second binary of the pipeline");
    let elapsed = started.elapsed();
    (run_of(s1, o1, e1, elapsed), run_of(s2, o2, e2, elapsed))
}

/// Reads `child`'s piped stdout and stderr (if piped) to their end, then reaps it; all by
/// `deadline`, else kills it and panics with what it printed so far.
pub fn finish(mut child: Child, deadline: Instant, what: &str) -> (ExitStatus, Vec<u8>, Vec<u8>) {
    let (done, ended) = mpsc::channel();
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        let seen = Arc::new(Mutex::new(Vec::new()));
        if let Some(mut pipe) = pipe {
            let (seen, done) = (Arc::clone(&seen), done.clone());
            std::thread::spawn(move || {
                let mut chunk = [0u8; 8192];
                while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                    seen.lock().unwrap().extend_from_slice(&chunk[..n]);
                }
                let _ = done.send(());
            });
        } else {
            let _ = done.send(());
        }
        seen
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let taken = |b: &Arc<Mutex<Vec<u8>>>| std::mem::take(&mut *b.lock().unwrap());
    let fail = |child: &mut Child, why: &str| -> ! {
        let _ = child.kill();
        panic!(
            "{what} {why}; killed it.\nstdout so far: {}\nstderr so far: {}",
            String::from_utf8_lossy(&taken(&out)),
            String::from_utf8_lossy(&taken(&err))
        );
    };
    for _ in 0..2 {
        let left = deadline.saturating_duration_since(Instant::now());
        if ended.recv_timeout(left).is_err() {
            fail(&mut child, "kept its output open past the deadline");
        }
    }
    // Both pipes are closed: the process is exiting. Reap it, still within the deadline.
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Ok(None) => fail(&mut child, "did not exit by the deadline"),
            Err(e) => fail(&mut child, &format!("could not be waited for ({e})")),
        }
    };
    (status, taken(&out), taken(&err))
}

/// The `Run` of a finished process; panics if it died of a signal or panicked.
fn run_of(status: ExitStatus, stdout: Vec<u8>, stderr: Vec<u8>, elapsed: Duration) -> Run {
    let stdout = String::from_utf8(stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8(stderr).expect("stderr is UTF-8");
    let code = status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {status:?}\nstderr: {stderr}"));
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
        status: code,
        stdout,
        stderr,
        lines,
        elapsed,
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
/// The fields of a line of `--list`, in their order, all always present.
pub const LISTED_FIELDS: [&str; 9] = [
    "organization_id",
    "ok",
    "result",
    "display_name",
    "type",
    "created",
    "read_only",
    "owner_email",
    "error",
];

/// A line of `--list`: every field present, nothing else, each of the right JSON type.
pub fn assert_listed_shape(line: &Value) {
    let obj = line
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {line}"));
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = LISTED_FIELDS.to_vec();
    want.sort_unstable();
    assert_eq!(keys, want, "fields of {line}");
    assert!(line["organization_id"].is_string(), "{line}");
    assert_eq!(line["ok"], true, "{line}");
    assert_eq!(line["result"], "listed", "{line}");
    assert_eq!(line["error"], Value::Null, "{line}");
    for f in ["display_name", "type", "created", "owner_email"] {
        assert!(line[f].is_null() || line[f].is_string(), "{f}: {line}");
    }
    assert!(
        line["read_only"].is_null() || line["read_only"].is_boolean(),
        "{line}"
    );
}

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

/// The fields of a raw line appear in their documented order (a `Value` forgets the order).
fn assert_field_order(raw: &str) {
    let fields: &[&str] = if raw.contains(r#""ok":true,"result":"listed","#) {
        &LISTED_FIELDS
    } else {
        &FIELDS
    };
    let mut from = 0;
    for f in fields {
        // Inside a JSON string a quote is escaped, so `"name":` only matches a key.
        let key = format!("\"{f}\":");
        match raw[from..].find(&key) {
            Some(i) => from += i + key.len(),
            None => panic!("field {f} missing or out of the contract's order: {raw}"),
        }
    }
}

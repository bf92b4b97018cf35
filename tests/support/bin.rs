//! Runs the compiled binary the way a script does, and captures what a script would see.

pub use super::line::{assert_shape, END_FIELDS, ERROR_FIELDS, FIELDS, LISTED_FIELDS};
use super::line::{expect_line, failed, parse_lines, Set, ANY};
use super::{SECRET, TOKEN};
use serde_json::Value;
use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_coveo-org-delete");

/// How long [`Cmd::run`] lets the binary run unless told otherwise: far above any run of the
/// suite (the slowest take a few seconds), so reaching it means the binary hangs.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

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

    /// A failure of the whole run (bad flag, configuration, ...): exit 2, one line whose
    /// `organization_id` is null and on which nothing was sent, of this `kind`, and one stderr
    /// line naming it. Returns the message.
    #[track_caller]
    pub fn run_failure(&self, kind: &str) -> &str {
        assert_eq!(self.status, 2, "{self:#?}");
        expect_line(
            self.line(),
            failed(Value::Null, kind, Value::Null, 0).set("dry_run", ANY),
        );
        assert_eq!(self.stderr.lines().count(), 1, "stderr: {}", self.stderr);
        assert!(
            self.stderr
                .starts_with(&format!("coveo-org-delete: {kind}: ")),
            "stderr: {}",
            self.stderr
        );
        self.line()["error"]["message"].as_str().expect("a message")
    }

    /// stderr's lines.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }

    /// stderr holds exactly these lines, each starting with its text, in order.
    #[track_caller]
    pub fn assert_stderr_starts(&self, starts: &[&str]) {
        let lines = self.stderr_lines();
        assert_eq!(lines.len(), starts.len(), "stderr: {}", self.stderr);
        for (line, start) in lines.iter().zip(starts) {
            assert!(line.starts_with(start), "expected {start:?}, got {line:?}");
        }
    }

    /// stderr holds exactly one line per failure, `coveo-org-delete: ID: KIND...`, in order.
    #[track_caller]
    pub fn assert_stderr_failures(&self, failures: &[(&str, &str)]) {
        let starts: Vec<String> = failures
            .iter()
            .map(|(id, kind)| format!("coveo-org-delete: {id}: {kind}"))
            .collect();
        self.assert_stderr_starts(&starts.iter().map(String::as_str).collect::<Vec<_>>());
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
    deadline: Duration,
}

pub fn cmd() -> Cmd {
    let mut cmd = Command::new(BIN);
    cmd.env_clear();
    Cmd {
        cmd,
        stdin: Vec::new(),
        deadline: DEFAULT_DEADLINE,
    }
}

/// The binary against the stand-in at `url`, with `COVEO_TOKEN` the stand-in platform's
/// [`TOKEN`].
pub fn against(url: &str) -> Cmd {
    cmd().token(TOKEN).platform(url)
}

/// The binary against the stand-in at `url`, with `COVEO_TOKEN` the distinctive [`SECRET`]
/// (for stand-ins that take any token).
pub fn with_secret(url: &str) -> Cmd {
    cmd().token(SECRET).platform(url)
}

/// `--yes ARGS...` against the stand-in at `url`, with the [`SECRET`] token, run to its end.
pub fn delete_at(url: &str, args: &[&str]) -> Run {
    with_secret(url).arg("--yes").args(args).run()
}

/// `--list ARGS...` against the stand-in at `url`, with the platform's [`TOKEN`], run to
/// its end.
pub fn list_at(url: &str, args: &[&str]) -> Run {
    against(url).arg("--list").args(args).run()
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

    /// How long [`Cmd::run`] waits for the binary before killing it and failing the test
    /// (default [`DEFAULT_DEADLINE`]).
    pub fn deadline(mut self, limit: Duration) -> Cmd {
        self.deadline = limit;
        self
    }

    /// The underlying command, for tests that need to drive the process themselves.
    pub fn command(self) -> Command {
        self.cmd
    }

    /// Runs to the end within the deadline, stdin empty, for output that is no JSON lines
    /// (`--help`, `--version`).
    pub fn output(self) -> Output {
        let (mut command, deadline) = (self.cmd, self.deadline);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        output_within(&mut command, deadline)
    }

    /// Runs to the end; panics if the process dies of a signal or panics, or is still running
    /// at its deadline (it is then killed, and the panic shows what it printed so far).
    pub fn run(mut self) -> Run {
        let started = Instant::now();
        let child = self
            .cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the binary");
        let out = wait_within(child, std::mem::take(&mut self.stdin), self.deadline);
        run_of(out, started.elapsed())
    }
}

/// What a script sees of `first | second`: two processes of the binary joined by an OS pipe
/// (`first`'s stdin is empty; `second`'s stdin is `first`'s stdout), each within the
/// deadline of its `Cmd`. `first`'s `Run` has an empty stdout: it went into the pipe.
pub fn pipeline(first: Cmd, second: Cmd) -> (Run, Run) {
    let started = Instant::now();
    let (mut one_cmd, one_limit) = (first.cmd, first.deadline);
    let one = one_cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the first binary");
    let mut one = one;
    let pipe = one.stdout.take().expect("the first binary's stdout");
    let (mut two_cmd, two_limit) = (second.cmd, second.deadline);
    let two = two_cmd
        .stdin(Stdio::from(pipe))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the second binary");
    // The reading end now belongs to the second process alone.
    drop(two_cmd);
    drop(one_cmd);
    let first = wait_within(one, Vec::new(), one_limit);
    let second = wait_within(two, Vec::new(), two_limit);
    let elapsed = started.elapsed();
    (run_of(first, elapsed), run_of(second, elapsed))
}

/// stdout and stderr of a finished run as a script reads them: text (UTF-8), stderr without
/// a panic's message, and stdout's JSON lines (each in its fields' order).
#[track_caller]
pub fn read_output(stdout: Vec<u8>, stderr: Vec<u8>) -> (String, String, Vec<Value>) {
    let stdout = String::from_utf8(stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8(stderr).expect("stderr is UTF-8");
    assert!(
        !stderr.contains("panicked"),
        "the binary panicked: {stderr}"
    );
    let lines = parse_lines(&stdout);
    (stdout, stderr, lines)
}

/// The `Run` of a finished process; panics if it died of a signal or panicked.
fn run_of(out: Output, elapsed: Duration) -> Run {
    let (stdout, stderr, lines) = read_output(out.stdout, out.stderr);
    let status = out
        .status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {:?}\nstderr: {stderr}", out.status));
    Run {
        status,
        stdout,
        stderr,
        lines,
        elapsed,
    }
}

/// What a reader thread has read of a pipe so far.
type Seen = Arc<Mutex<Vec<u8>>>;

/// Reads a child's pipe to its end on a thread, keeping what came so far where a deadline
/// can still show it; tells `done` when the pipe is closed.
fn drain(
    pipe: Option<impl Read + Send + 'static>,
    done: mpsc::Sender<()>,
) -> (Seen, JoinHandle<()>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    let reader = std::thread::spawn(move || {
        if let Some(mut pipe) = pipe {
            let mut buf = [0u8; 8192];
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => keep
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                }
            }
        }
        let _ = done.send(());
    });
    (seen, reader)
}

/// A child's stdin being fed and its stdout and stderr being read, each on a thread.
struct Collected {
    /// The exit status, or `None` if the child was still running (or its pipes still open)
    /// at the deadline: then the caller kills it.
    status: Option<ExitStatus>,
    stdout: Seen,
    stderr: Seen,
    threads: Vec<JoinHandle<()>>,
}

impl Collected {
    /// What stdout and stderr showed so far, as text.
    fn so_far(&self) -> (String, String) {
        let text = |b: &Seen| {
            String::from_utf8_lossy(&b.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
        };
        (text(&self.stdout), text(&self.stderr))
    }

    /// Joins the threads (the child is gone, so its pipes are at their end) and takes stdout
    /// and stderr.
    fn join(self) -> (Vec<u8>, Vec<u8>) {
        for t in self.threads {
            let _ = t.join();
        }
        let take = |b: Seen| std::mem::take(&mut *b.lock().unwrap_or_else(|e| e.into_inner()));
        (take(self.stdout), take(self.stderr))
    }
}

/// Feeds `input` to the child's stdin and reads its stdout and stderr (those that are
/// piped; the others read as empty), then waits until `deadline` for both pipes to close and
/// the child to exit.
fn collect(child: &mut Child, input: Vec<u8>, deadline: Instant) -> Collected {
    let mut threads = Vec::new();
    if let Some(mut stdin) = child.stdin.take() {
        threads.push(std::thread::spawn(move || {
            // The child may exit without reading: a broken pipe is no failure here.
            let _ = stdin.write_all(&input);
        }));
    }
    let (done, closed) = mpsc::channel();
    let (stdout, out_reader) = drain(child.stdout.take(), done.clone());
    let (stderr, err_reader) = drain(child.stderr.take(), done);
    threads.extend([out_reader, err_reader]);
    // Both pipes close when the child exits (or hands them to nobody else); then the exit
    // itself is at most moments away.
    let mut pipes_open = 2;
    while pipes_open > 0 {
        let left = deadline.saturating_duration_since(Instant::now());
        match closed.recv_timeout(left) {
            Ok(()) => pipes_open -= 1,
            Err(_) => break,
        }
    }
    let status = if pipes_open == 0 {
        wait_until(child, deadline)
    } else {
        None
    };
    Collected {
        status,
        stdout,
        stderr,
        threads,
    }
}

/// Waits for the child and collects its output, with `input` fed to its stdin (if piped), but
/// bounded, unlike std's waits: at `limit` the child is killed and the test fails with what it
/// printed so far. Pipes that are not piped read as empty.
pub fn wait_within(mut child: Child, input: Vec<u8>, limit: Duration) -> Output {
    let collected = collect(&mut child, input, Instant::now() + limit);
    let Some(status) = collected.status else {
        kill_and_reap(&mut child);
        let (stdout, stderr) = collected.join();
        panic!(
            "the binary was still running after {limit:?} and was killed\nstdout so far: {:?}\nstderr so far: {:?}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        );
    };
    let (stdout, stderr) = collected.join();
    Output {
        status,
        stdout,
        stderr,
    }
}

/// Spawns `command` and waits for it within `limit` (see [`wait_within`]), stdin empty.
pub fn output_within(command: &mut Command, limit: Duration) -> Output {
    let child = command.spawn().expect("spawn the binary");
    wait_within(child, Vec::new(), limit)
}

/// The child's exit status once it has exited, or `None` if it is still running at
/// `deadline`. Polls: std offers no wait with a timeout.
pub fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) => {}
            Err(e) => panic!("waiting for the child: {e}"),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// A child process killed and reaped when the test lets go of it, even on a failed assertion.
pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        kill_and_reap(&mut self.0);
    }
}

/// Kills a child and reaps it, within a bound: safe in `Drop` and after a failed assertion
/// (it never panics). Whether it was reaped.
pub fn kill_and_reap(child: &mut Child) -> bool {
    let _ = child.kill();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return true,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            _ => return false,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Real shell pipelines: `bash -c 'set -o pipefail; A | filter | B'`, as cron runs them.

/// Where a tool of the machine is (`bash`, `grep`, `strace`, ...), by absolute path: the
/// scripts of [`shell`] run with a `PATH` that finds nothing, so every command in them is
/// named by its absolute path. `None` if it is not installed.
pub fn tool(name: &str) -> Option<String> {
    ["/usr/local/bin", "/usr/bin", "/bin"]
        .iter()
        .map(|dir| format!("{dir}/{name}"))
        .find(|path| std::path::Path::new(path).is_file())
}

/// [`tool`], for the tools every test machine has (a panic names the missing one).
pub fn required_tool(name: &str) -> String {
    tool(name)
        .unwrap_or_else(|| panic!("{name} is not installed in /usr/local/bin, /usr/bin or /bin"))
}

/// `word` as one shell word: single-quoted, each `'` written as `'\''`.
pub fn sh_quote(word: impl AsRef<std::ffi::OsStr>) -> String {
    let word = word.as_ref().to_str().expect("a shell word of UTF-8");
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// `command` as the first command of a pipeline whose process ID is written to `pid_file`
/// before it starts: `{ echo $BASHPID >FILE; exec COMMAND; }` (the subshell of the pipeline
/// becomes the command, so the ID is the command's). For a test that signals one process of a
/// pipeline: read the file only once the stand-in has seen that process's request.
pub fn noting_pid(pid_file: &std::path::Path, command: &str) -> String {
    format!(
        "{{ echo $BASHPID >{}; exec {command}; }}",
        sh_quote(pid_file)
    )
}

/// The process ID that [`noting_pid`] wrote.
pub fn noted_pid(pid_file: &std::path::Path) -> u32 {
    let text = std::fs::read_to_string(pid_file)
        .unwrap_or_else(|e| panic!("reading {}: {e}", pid_file.display()));
    text.trim()
        .parse()
        .unwrap_or_else(|e| panic!("{text:?} in {} is no process ID: {e}", pid_file.display()))
}

/// What a script sees of a shell pipeline.
#[derive(Debug)]
pub struct ShellRun {
    /// The shell's exit status: the pipeline's, under `set -o pipefail` (the status of the
    /// last command that failed, else 0).
    pub status: i32,
    /// The exit status of each command of the script's last pipeline (`PIPESTATUS`), in order.
    pub statuses: Vec<i32>,
    /// The stdout of the last command (and of whatever else writes to the shell's stdout).
    pub stdout: String,
    /// What the commands wrote to the shell's stderr (those not redirected elsewhere).
    pub stderr: String,
    /// stdout parsed, one JSON value per line (panics on a line that is not JSON).
    pub lines: Vec<Value>,
    pub elapsed: Duration,
}

/// A script for `bash -c`, run with `set -o pipefail`, an empty environment (but what
/// [`Shell::env`] adds) and a `PATH` that finds nothing, within a deadline. The script's last
/// command must be its pipeline: its `PIPESTATUS` is read after it.
pub struct Shell {
    script: String,
    envs: Vec<(String, std::ffi::OsString)>,
    stdin: Vec<u8>,
    deadline: Duration,
}

pub fn shell(script: impl Into<String>) -> Shell {
    Shell {
        script: script.into(),
        envs: Vec::new(),
        stdin: Vec::new(),
        deadline: DEFAULT_DEADLINE,
    }
}

/// The binary's path as one shell word.
pub fn bin_word() -> String {
    sh_quote(BIN)
}

impl Shell {
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Shell {
        self.envs.push((k.to_owned(), v.as_ref().to_owned()));
        self
    }

    pub fn stdin(mut self, bytes: &[u8]) -> Shell {
        self.stdin = bytes.to_vec();
        self
    }

    /// How long the whole script may run before every process it started is killed and the
    /// test fails (default [`DEFAULT_DEADLINE`]).
    pub fn deadline(mut self, limit: Duration) -> Shell {
        self.deadline = limit;
        self
    }

    /// Starts the script in a process group of its own (so that a deadline kills every
    /// process of the pipeline, not only the shell).
    pub fn spawn(self) -> ShellChild {
        use std::os::unix::process::CommandExt;
        let status_file = crate::support::temp_file("pipestatus", b"");
        let script = format!(
            "set -o pipefail\n{}\n__statuses=(\"${{PIPESTATUS[@]}}\" \"$?\")\nprintf '%s\\n' \"${{__statuses[*]}}\" >{}\nexit \"${{__statuses[-1]}}\"\n",
            self.script,
            sh_quote(&status_file)
        );
        let mut command = Command::new(required_tool("bash"));
        command
            .arg("-c")
            .arg(&script)
            .env_clear()
            .env("PATH", "/nonexistent-so-commands-need-absolute-paths")
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = command.spawn().expect("spawn bash");
        ShellChild {
            child: Some(child),
            stdin: self.stdin,
            deadline: self.deadline,
            status_file,
            script,
            started: Instant::now(),
        }
    }

    /// Runs the script to its end (see [`Shell::spawn`] and [`ShellChild::wait`]).
    pub fn run(self) -> ShellRun {
        self.spawn().finish()
    }
}

/// A running [`Shell`] script; dropping it kills every process of its group.
pub struct ShellChild {
    child: Option<Child>,
    stdin: Vec<u8>,
    deadline: Duration,
    status_file: std::path::PathBuf,
    script: String,
    started: Instant,
}

impl ShellChild {
    /// Waits for the script's end, within its deadline (counted from its start); past it,
    /// every process of the group is killed and the test fails with what the script printed.
    pub fn finish(mut self) -> ShellRun {
        let mut child = self.child.take().expect("the shell");
        let deadline = self.started + self.deadline;
        let collected = collect(&mut child, std::mem::take(&mut self.stdin), deadline);
        let Some(status) = collected.status else {
            kill_group(&mut child);
            let (stdout, stderr) = collected.join();
            panic!(
                "the script was still running after {:?} and was killed: {}\nstdout so far: {:?}\nstderr so far: {:?}",
                self.deadline,
                self.script,
                String::from_utf8_lossy(&stdout),
                String::from_utf8_lossy(&stderr)
            );
        };
        let (stdout, stderr) = collected.join();
        let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
        let (stdout, stderr) = (text(stdout), text(stderr));
        let code = status
            .code()
            .unwrap_or_else(|| panic!("the shell died of a signal: {status:?}\nstderr: {stderr}"));
        let statuses: Vec<i32> = std::fs::read_to_string(&self.status_file)
            .unwrap_or_default()
            .split_whitespace()
            .map(|s| s.parse().expect("a status"))
            .collect();
        // The last number is the shell's own `$?`; the others are PIPESTATUS.
        let Some((last, statuses)) = statuses.split_last() else {
            panic!("the script ended before its pipeline: exit {code}\nstdout: {stdout:?}\nstderr: {stderr:?}\nscript: {}", self.script)
        };
        assert_eq!(*last, code, "the shell's status is its pipeline's");
        assert!(!stderr.contains("panicked"), "a binary panicked: {stderr}");
        let lines = parse_lines(&stdout);
        ShellRun {
            status: code,
            statuses: statuses.to_vec(),
            stdout,
            stderr,
            lines,
            elapsed: self.started.elapsed(),
        }
    }
}

impl Drop for ShellChild {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill_group(&mut child);
        }
    }
}

/// SIGKILL to every process of the group that `child` leads (started with
/// `process_group(0)`), then reaps the child. Never panics.
fn kill_group(child: &mut Child) {
    if let Ok(pgid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) has no memory-safety requirements. The child is not reaped yet, so
        // its process group ID cannot belong to anyone else.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
    kill_and_reap(child);
}

// ---------------------------------------------------------------------------------------------
// Any command in a process group of its own: the README's examples (tests/examples.rs), which
// start shells, `make`, `xargs` and `timeout` as well as the binary.

/// Runs `command` in a process group of its own, with `input` on its stdin and its stdout and
/// stderr captured, within `limit`: past it, every process of the group is killed and the
/// test fails with what the command printed so far. The command's own settings (environment,
/// working directory) are kept.
pub fn group_output_within(command: &mut Command, input: &[u8], limit: Duration) -> Output {
    use std::os::unix::process::CommandExt;
    let deadline = Instant::now() + limit;
    let mut child = command
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {command:?}: {e}"));
    let collected = collect(&mut child, input.to_vec(), deadline);
    let Some(status) = collected.status else {
        kill_group(&mut child);
        // The threads are not joined: a process that left the group (`timeout` makes a group
        // of its own) may still hold the pipes. What they read so far is enough to show.
        let (stdout, stderr) = collected.so_far();
        panic!(
            "{command:?} was still running after {limit:?} and was killed with its process group\nstdout so far: {stdout:?}\nstderr so far: {stderr:?}"
        );
    };
    let (stdout, stderr) = collected.join();
    Output {
        status,
        stdout,
        stderr,
    }
}

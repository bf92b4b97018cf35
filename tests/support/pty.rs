//! Runs the binary at a real pseudo-terminal, the way a person at a terminal would: the child
//! gets the terminal's slave side as stdin and stderr (both are terminals, so it may ask), while
//! stdout stays a pipe so that its JSON lines can be read apart from the prompt.
//!
//! Nothing here sleeps to synchronise: every wait is a `poll` on the master side (or the stdout
//! pipe), or for the exit that follows the end of stdout a `try_wait` every 2 ms, bounded by the
//! session's deadline. When the deadline passes, the child is killed and the test fails with
//! everything the terminal showed so far.

use serde_json::Value;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A child process running at a pseudo-terminal.
pub struct Session {
    child: Option<Child>,
    master: File,
    stdout: ChildStdout,
    /// Bytes the terminal showed so far: prompt, echo of what was typed, stderr lines.
    shown: Vec<u8>,
    deadline: Instant,
}

/// What a person at the terminal and a script reading stdout saw of the run.
#[derive(Debug)]
pub struct Finished {
    pub status: i32,
    pub stdout: String,
    /// stdout parsed, one JSON value per line.
    pub lines: Vec<Value>,
    /// Everything the terminal showed, with the terminal's `\r` removed.
    pub terminal: String,
}

/// Opens a pseudo-terminal pair, both ends close-on-exec in this process.
pub fn open_pty() -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave): (libc::c_int, libc::c_int) = (-1, -1);
    // SAFETY: valid out-pointers; name, termios and winsize may be null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty: {}", io::Error::last_os_error());
    // SAFETY: openpty succeeded, so both descriptors are open and owned by nobody else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    for fd in [&master, &slave] {
        // Other tests spawn processes concurrently: they must not inherit either end.
        // SAFETY: plain fcntl on a descriptor we own.
        let rc = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) };
        assert_ne!(rc, -1, "fcntl: {}", io::Error::last_os_error());
    }
    (master, slave)
}

/// Waits until one of `fds` (terminal or pipe) is readable or hung up; which ones are ready,
/// or `None` at the deadline.
pub fn wait_readable(fds: &[RawFd], deadline: Instant) -> Option<Vec<bool>> {
    let mut polled: Vec<libc::pollfd> = fds
        .iter()
        .map(|&fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        let ms = left.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
        // SAFETY: `polled` is a valid array of `polled.len()` pollfd structures.
        let rc = unsafe { libc::poll(polled.as_mut_ptr(), polled.len() as libc::nfds_t, ms) };
        if rc > 0 {
            return Some(polled.iter().map(|p| p.revents != 0).collect());
        }
        if rc < 0 {
            let e = io::Error::last_os_error();
            assert_eq!(e.kind(), io::ErrorKind::Interrupted, "poll: {e}");
        }
    }
}

/// One read; `None` at end of input (EOF, or EIO on a master whose slave side is all closed).
fn read_some(f: &mut impl Read) -> Option<Vec<u8>> {
    let mut buf = [0u8; 4096];
    loop {
        match f.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => return Some(buf[..n].to_vec()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.raw_os_error() == Some(libc::EIO) => return None,
            Err(e) => panic!("reading from the child: {e}"),
        }
    }
}

/// Starts `cmd` with a new pseudo-terminal as its stdin and stderr and a pipe as its stdout.
/// Every wait of the session ends at most `limit` from now.
pub fn spawn(mut cmd: Command, limit: Duration) -> Session {
    let deadline = Instant::now() + limit;
    let (master, slave) = open_pty();
    let slave_too = slave.try_clone().expect("dup the terminal's slave side");
    cmd.stdin(Stdio::from(slave))
        .stderr(Stdio::from(slave_too))
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn the binary at a terminal");
    // The command holds this process's copies of the slave side: close them, so that the
    // master reports the end once the child is gone.
    drop(cmd);
    let stdout = child.stdout.take().expect("stdout is piped");
    Session {
        child: Some(child),
        master: File::from(master),
        stdout,
        shown: Vec::new(),
        deadline,
    }
}

impl Session {
    /// What the terminal showed so far, without the terminal's `\r`.
    pub fn shown(&self) -> String {
        String::from_utf8_lossy(&self.shown).replace('\r', "")
    }

    /// Reads what the terminal shows until it contains `text`; returns all it showed so far.
    pub fn read_until(&mut self, text: &str) -> String {
        loop {
            let shown = self.shown();
            if shown.contains(text) {
                return shown;
            }
            if wait_readable(&[self.master.as_raw_fd()], self.deadline).is_none() {
                self.fail(&format!("the terminal never showed {text:?}"));
            }
            match read_some(&mut self.master) {
                Some(bytes) => self.shown.extend_from_slice(&bytes),
                None => self.fail(&format!("the terminal closed before showing {text:?}")),
            }
        }
    }

    /// Types `answer` and Enter.
    pub fn type_line(&mut self, answer: &str) {
        let line = format!("{answer}\n");
        if let Err(e) = self.master.write_all(line.as_bytes()) {
            self.fail(&format!("typing {answer:?}: {e}"));
        }
    }

    /// Waits for the child to end (reading the terminal meanwhile, so it never blocks on it)
    /// and returns what it printed.
    pub fn finish(self) -> Finished {
        let (status, stdout, terminal) = self.finish_raw();
        let status = status
            .code()
            .unwrap_or_else(|| panic!("killed by a signal: {status:?}\nterminal: {terminal}"));
        assert!(
            !terminal.contains("panicked"),
            "the binary panicked: {terminal}"
        );
        let stdout = String::from_utf8(stdout).expect("stdout is UTF-8");
        let lines = stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect();
        Finished {
            status,
            stdout,
            lines,
            terminal,
        }
    }

    /// The child's process ID, to send it signals.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the child").id()
    }

    /// Like [`Session::finish`], for a child that may die of a signal: how it ended, its
    /// stdout, and what the terminal showed (without `\r`).
    pub fn finish_raw(mut self) -> (ExitStatus, Vec<u8>, String) {
        let mut stdout = Vec::new();
        let mut master_open = true;
        loop {
            let mut fds = vec![self.stdout.as_raw_fd()];
            if master_open {
                fds.push(self.master.as_raw_fd());
            }
            let Some(ready) = wait_readable(&fds, self.deadline) else {
                self.fail("the child did not finish");
            };
            if master_open && ready[1] {
                match read_some(&mut self.master) {
                    Some(bytes) => self.shown.extend_from_slice(&bytes),
                    None => master_open = false,
                }
            }
            if ready[0] {
                match read_some(&mut self.stdout) {
                    Some(bytes) => stdout.extend_from_slice(&bytes),
                    None => break,
                }
            }
        }
        // stdout is closed: the child is exiting.
        let Some(status) =
            super::bin::wait_until(self.child.as_mut().expect("the child"), self.deadline)
        else {
            self.fail("the child closed its stdout but did not exit");
        };
        self.child = None;
        // What it wrote to the terminal before exiting is still buffered at the master.
        while master_open {
            let far = Instant::now() + Duration::from_millis(200).min(self.time_left());
            match wait_readable(&[self.master.as_raw_fd()], far) {
                Some(_) => match read_some(&mut self.master) {
                    Some(bytes) => self.shown.extend_from_slice(&bytes),
                    None => master_open = false,
                },
                None => master_open = false,
            }
        }
        (status, stdout, self.shown())
    }

    fn time_left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Kills the child and fails the test with what was seen.
    fn fail(&mut self, why: &str) -> ! {
        let mut stdout = String::new();
        if let Some(mut child) = self.child.take() {
            super::bin::kill_and_reap(&mut child);
            let _ = self.stdout.read_to_string(&mut stdout);
        }
        panic!(
            "{why}\nterminal so far: {:?}\nstdout: {stdout:?}",
            self.shown()
        );
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            super::bin::kill_and_reap(&mut child);
        }
    }
}

/// Runs `cmd` with stdin, stdout and stderr all on one new pseudo-terminal, as a person runs it
/// at a terminal without redirecting anything. Returns how it ended and the bytes the terminal
/// received, `\r` included; everything within `limit`.
pub fn run_at_terminal(mut cmd: Command, limit: Duration) -> (ExitStatus, Vec<u8>) {
    let deadline = Instant::now() + limit;
    let (master, slave) = open_pty();
    let dup = || slave.try_clone().expect("dup the terminal's slave side");
    cmd.stdin(Stdio::from(dup()))
        .stdout(Stdio::from(dup()))
        .stderr(Stdio::from(slave));
    let mut child = cmd.spawn().expect("spawn the binary at a terminal");
    drop(cmd);
    let mut master = File::from(master);
    let mut shown = Vec::new();
    loop {
        if wait_readable(&[master.as_raw_fd()], deadline).is_none() {
            super::bin::kill_and_reap(&mut child);
            panic!(
                "the binary did not finish at its terminal; it showed {:?}",
                String::from_utf8_lossy(&shown)
            );
        }
        match read_some(&mut master) {
            Some(bytes) => shown.extend_from_slice(&bytes),
            // EIO: every slave side is closed, the child is gone.
            None => break,
        }
    }
    let Some(status) = super::bin::wait_until(&mut child, deadline) else {
        super::bin::kill_and_reap(&mut child);
        panic!("the binary closed its terminal but did not exit");
    };
    (status, shown)
}

/// The rows a terminal displays for `bytes`: `\r` goes back to the row's start, where what
/// follows overwrites, and `ESC [ K` erases from the cursor to the row's end. (The terminal's
/// own `\r\n` for each newline is a newline.)
pub fn screen(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    let mut rows = Vec::new();
    for line in text.split('\n') {
        let mut row: Vec<char> = Vec::new();
        let mut at = 0;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => at = 0,
                '\x1b' if chars.peek() == Some(&'[') => {
                    chars.next();
                    if chars.next() == Some('K') {
                        row.truncate(at);
                    }
                }
                c => {
                    if at < row.len() {
                        row[at] = c;
                    } else {
                        row.push(c);
                    }
                    at += 1;
                }
            }
        }
        rows.push(row.into_iter().collect());
    }
    if rows.last().is_some_and(String::is_empty) {
        rows.pop();
    }
    rows
}

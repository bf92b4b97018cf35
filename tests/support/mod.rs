// The tests and `examples/standin.rs` use different subsets of these helpers.
#![allow(dead_code)]

pub mod bin;
pub mod line;
pub mod proxy;
pub mod pty;
pub mod standin;
pub mod tls;

#[cfg(test)]
mod selftest;

use proxy::ConnectProxy;
use standin::{Action, Platform, Reply, Request, StandIn};
use std::ffi::OsStr;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The stand-in platform's user token that may delete organizations.
pub const TOKEN: &str = "demo-token";
/// A token for stand-ins that take any token: realistic, and long enough that no word of the
/// tool's own messages contains it, so that finding it in any output is never a coincidence.
pub const SECRET: &str = "x1b2c3d4-secret-5e6f-7a8b-9c0d1e2f3a4b";
/// Upper bound of a wait on the binary, a stand-in or a terminal that must end well before;
/// reached only when something misbehaves.
pub const LIMIT: Duration = Duration::from_secs(20);

/// The usual fake platform: `acme1`, `acme2` and `acme3` (named `Acme One` and so on) and the
/// read-only `paused` (`Paused Org`); [`TOKEN`] may delete them.
pub fn platform() -> Platform {
    Platform::new()
        .org("acme1", "Acme One")
        .org("acme2", "Acme Two")
        .org("acme3", "Acme Three")
        .read_only_org("paused", "Paused Org")
}

// ---------------------------------------------------------------------------------------------
// What was sent

/// A listener of the tests (a stand-in, a proxy): what reached it.
pub trait Listener {
    /// The requests received, as `METHOD target` (a proxy's: its request lines).
    fn received(&self) -> Vec<String>;
    /// TCP connections accepted.
    fn accepted(&self) -> usize;
    /// What it saw that a test forbids (a stand-in's requests beyond its script, ...).
    fn violations(&self) -> Vec<String> {
        Vec::new()
    }
}

impl Listener for StandIn {
    fn received(&self) -> Vec<String> {
        self.sent()
    }
    fn accepted(&self) -> usize {
        self.connections()
    }
    fn violations(&self) -> Vec<String> {
        StandIn::violations(self)
    }
}

impl Listener for ConnectProxy {
    fn received(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|head| head.lines().next().unwrap_or("").to_owned())
            .collect()
    }
    fn accepted(&self) -> usize {
        self.connections()
    }
}

/// Not a byte reached `to`: no request, not even a TCP connection, and nothing it forbids.
#[track_caller]
pub fn assert_nothing_sent(to: &impl Listener) {
    assert_eq!(to.received(), Vec::<String>::new(), "requests were sent");
    assert_eq!(to.accepted(), 0, "a connection was opened");
    assert_eq!(to.violations(), Vec::<String>::new(), "violations");
}

// ---------------------------------------------------------------------------------------------
// The listing's requests and its end line

/// The request target of page `p` of a listing, exactly as the tool sends it (no `type`,
/// whatever `--type` says).
pub fn page(p: u64) -> String {
    format!("/rest/organizations?page={p}&perPage=100&sortBy=createdDate&order=ASC&additionalFields=status")
}

/// `GET` of each of these pages, as [`StandIn::sent`] shows them.
pub fn gets(pages: &[u64]) -> Vec<String> {
    pages.iter().map(|p| format!("GET {}", page(*p))).collect()
}

/// The end line of a listing that printed `n` organizations, byte for byte.
pub fn end_line(n: usize) -> String {
    format!(
        r#"{{"organization_id":null,"ok":true,"result":"end_of_list","listed":{n},"error":null}}"#
    )
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// `n` test organizations `ci000`, `ci001`, ... named `ci-run N`, created ten days ago one
/// minute apart (`ci000` first).
pub fn old_tests(n: usize) -> Platform {
    let first = now_ms() - 10 * 24 * 3_600_000;
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
pub fn old_test_ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("ci{i:03}")).collect()
}

// ---------------------------------------------------------------------------------------------
// Long texts

/// A character of 4 bytes in UTF-8 (and in a JSON line, which does not escape it).
pub const WIDE: char = '\u{1D11E}';

/// `tag` (so fields can be told apart), then characters of 4 bytes, up to `bytes` bytes.
pub fn wide(tag: &str, bytes: usize) -> String {
    let mut s = tag.to_owned();
    while s.len() + WIDE.len_utf8() <= bytes {
        s.push(WIDE);
    }
    s
}

/// An organization whose display name, type and owner e-mail are 3 KB of 4-byte characters.
pub fn hostile_platform() -> (Platform, [String; 3]) {
    let fields = [
        wide("name ", 3072),
        wide("type ", 3072),
        wide("owner@", 3072),
    ];
    let p = Platform::new().listed_org(
        "hostile1",
        &fields[0],
        Some(&fields[1]),
        Some(now_ms() - 10 * 24 * 3_600_000),
        Some(&fields[2]),
    );
    (p, fields)
}

/// A stand-in whose organizations have the display name `name` and whose privilege evaluation
/// and DELETE are refused with `message` (a 403 `ACCESS_DENIED`, request ID `req-hostile`).
pub fn hostile_answers(name: String, message: String) -> StandIn {
    StandIn::handler(move |r: &Request| {
        let id = r.path.rsplit('/').next().unwrap_or("").to_owned();
        match r.method.as_str() {
            "GET" => Action::json(
                200,
                &serde_json::json!({"id": id, "displayName": name, "readOnly": false}).to_string(),
            ),
            _ => Action::Reply(Reply::new(403).header("X-Request-ID", "req-hostile").json(
                &serde_json::json!({"message": message, "errorCode": "ACCESS_DENIED"}).to_string(),
            )),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Processes, sockets, files

/// A new directory for this test process's files. The start time is in its name because
/// process IDs come round again and earlier runs leave their files behind: a name made of the
/// process ID alone can already exist.
fn run_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "coveo-org-delete-test-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        dir
    })
}

/// A name in [`run_dir`] that no other call of this process gets, ending with `name_hint`
/// (made of safe characters).
fn fresh_path(name_hint: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let hint: String = name_hint
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    run_dir().join(format!("{n}-{hint}"))
}

/// Writes `contents` to a new file under the system temp directory, unique per run and call.
/// `name_hint` ends the file name (e.g. `ca.pem`, `token`). The file is not removed automatically.
pub fn temp_file(name_hint: &str, contents: &[u8]) -> PathBuf {
    let path = fresh_path(name_hint);
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}

/// Makes a new empty directory under the system temp directory, unique per run and call.
/// Not removed automatically.
pub fn temp_dir(name_hint: &str) -> PathBuf {
    let dir = fresh_path(name_hint);
    std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

/// Peak resident memory (`VmHWM`, KiB) of a running process since it started its program.
/// Unlike `ru_maxrss` from `wait4`, it does not count the test process it was spawned from.
pub fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("reading /proc/{pid}/status: {e}"));
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmHWM in /proc/{pid}/status:\n{status}"))
}

/// A path in the run's directory that nothing was written to.
pub fn missing_path(name_hint: &str) -> PathBuf {
    fresh_path(name_hint)
}

/// A list file (`--from-file`) with these contents; its path as an argument.
pub fn list_file(contents: &str) -> String {
    path_str(&temp_file("orgs.txt", contents.as_bytes())).to_owned()
}

/// A path as UTF-8 (the tests' own paths are).
pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// `prefix` followed by bytes that are not UTF-8, as an environment value or an argument.
pub fn not_utf8(prefix: &str) -> &'static OsStr {
    let mut bytes = prefix.as_bytes().to_vec();
    bytes.extend_from_slice(b"\xff\xfe");
    OsStr::from_bytes(Box::leak(bytes.into_boxed_slice()))
}

/// Makes a FIFO at `path`.
pub fn fifo_at(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo has no other precondition.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

/// A loopback port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().unwrap().port()
}

/// The message of the run's one line, which says that `what` (`HOST:PORT`, or `proxy
/// HOST:PORT`) names a host that does not resolve: "name not found", unless the resolver
/// itself could not be asked.
#[track_caller]
pub fn unresolved(run: &bin::Run, what: &str) -> String {
    let message = run.line()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert!(
        message == format!("{what}: name not found")
            || message.starts_with(&format!("{what}: name lookup failed: ")),
        "{run:#?}"
    );
    message
}

/// A TLS stand-in with this script, serving the leaf of `pki`.
pub fn tls_standin(pki: &tls::TestPki, script: Vec<Action>) -> StandIn {
    StandIn::builder()
        .tls(pki.server_config.clone())
        .script(script)
}

/// The writing end of a pipe whose reading end is already closed: nothing written to it can
/// ever be read, whatever the timing.
pub fn pipe_without_reader() -> OwnedFd {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills both descriptors on success; each is then owned exactly once.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    writer
}

/// Sends `signal` to the process `pid`, a child of the test (or a process of a pipeline it
/// started) that has not ended, so that the number cannot belong to another process.
pub fn kill(pid: u32, signal: libc::c_int) {
    // SAFETY: kill(2) has no memory-safety requirements.
    let rc = unsafe { libc::kill(pid as libc::pid_t, signal) };
    assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
}

/// The one stderr line for all the organizations a signal kept from starting.
pub fn not_started(count: usize, signal: &str) -> String {
    let what = if count == 1 {
        "1 organization was".to_owned()
    } else {
        format!("{count} organizations were")
    };
    format!("coveo-org-delete: interrupted: {what} not started (the run was stopped by {signal}); nothing was sent for them")
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) of a time, as a server would send it.
pub fn imf_fixdate(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).expect("after 1970").as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Whether a `--verbose` attempt line ends with its duration: `... (12 ms)`.
pub fn has_millis(line: &str) -> bool {
    line.strip_suffix(" ms)")
        .and_then(|l| l.rsplit_once(" ("))
        .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

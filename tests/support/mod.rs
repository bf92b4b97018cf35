// The tests and `examples/standin.rs` use different subsets of these helpers.
#![allow(dead_code)]

pub mod bin;
pub mod proxy;
pub mod pty;
pub mod standin;
pub mod tls;

#[cfg(test)]
mod selftest;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

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

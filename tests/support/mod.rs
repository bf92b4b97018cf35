// The tests and `examples/standin.rs` use different subsets of these helpers.
#![allow(dead_code)]

pub mod bin;
pub mod proxy;
pub mod pty;
pub mod standin;
pub mod tls;

#[cfg(test)]
mod selftest;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Writes `contents` to a new file under the system temp directory, unique per process and call.
/// `name_hint` ends the file name (e.g. `ca.pem`, `token`). The file is not removed automatically.
pub fn temp_file(name_hint: &str, contents: &[u8]) -> PathBuf {
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
    let path = std::env::temp_dir().join(format!(
        "coveo-org-delete-test-{}-{n}-{hint}",
        std::process::id()
    ));
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}

/// Makes a new empty directory under the system temp directory, unique per process and call.
/// Not removed automatically.
pub fn temp_dir(name_hint: &str) -> PathBuf {
    let marker = temp_file(&format!("{name_hint}.d"), b"");
    let dir = marker.with_extension("dir");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    let _ = std::fs::remove_file(&marker);
    dir
}

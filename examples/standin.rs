//! The fake Coveo platform of the tests, as a process (used by `make demo`).
//!
//! Run: `cargo run --example standin --locked [-- ORG...]`. It prints one line, the base URL
//! (`http://127.0.0.1:PORT`), flushed, then serves until its stdin reaches EOF (so a demo script
//! can hold it with a pipe or a fifo and stop it by closing that), or until it is killed.
//!
//! Organizations: each argument is `ID` or `ID=Display name`; prefix `readonly:` makes it a
//! read-only (paused) organization. Without arguments: `demoorg1`, `demoorg2` and the read-only
//! `demopaused`. Tokens: `demo-token` may delete, `demo-viewer-token` may only read.

#[allow(dead_code)]
#[path = "../tests/support/standin.rs"]
mod standin;

use std::io::{Read, Write};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        args = [
            "demoorg1=Demo Org 1",
            "demoorg2=Demo Org 2",
            "readonly:demopaused=Demo Paused",
        ]
        .map(String::from)
        .to_vec();
    }
    let mut platform = standin::Platform::new().token("demo-viewer-token", false);
    for arg in &args {
        let (read_only, spec) = match arg.strip_prefix("readonly:") {
            Some(rest) => (true, rest),
            None => (false, arg.as_str()),
        };
        let (id, name) = spec.split_once('=').unwrap_or((spec, spec));
        platform = if read_only {
            platform.read_only_org(id, name)
        } else {
            platform.org(id, name)
        };
    }
    let server = standin::StandIn::platform(platform);

    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", server.url())
        .and_then(|()| out.flush())
        .expect("stdout");
    drop(out);

    // Serve until stdin reaches EOF (or a read error), then drop the server.
    let mut sink = [0u8; 256];
    let mut stdin = std::io::stdin().lock();
    while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    drop(server);
}

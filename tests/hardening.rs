//! Behaviours that a mutation audit of the suite found unpinned: each test here fails when a
//! realistic one-line bug is planted in `src/` (named in the test's comment). As everywhere,
//! the compiled binary runs against the stand-in platform (or a proxy in front of it) and the
//! test checks what a script sees (JSON lines, exit status, stderr) and what was received.

use crate::support::assert_nothing_sent;
use crate::support::bin::{cmd, Cmd, Run};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::{Action, StandIn};
use crate::support::tls::{pki, TestPki};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

const TOKEN: &str = "hardening-token-5e83b0SECRET";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `coveo-org-delete --yes` with the test token and nothing else set.
fn base() -> Cmd {
    cmd().token(TOKEN).arg("--yes")
}

/// A TLS stand-in with this script, serving the leaf of `pki`.
fn tls_standin(pki: &TestPki, script: Vec<Action>) -> StandIn {
    StandIn::builder()
        .tls(pki.server_config.clone())
        .script(script)
}

/// A run that failed as a whole before sending anything: one line with a null
/// `organization_id`, this kind, exit 2, one stderr line. Returns the message.
fn assert_run_failure<'a>(run: &'a Run, kind: &str) -> &'a str {
    run.assert_hides(TOKEN);
    run.run_failure(kind)
}

fn path_str(p: &std::path::Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// Bytes that are not UTF-8, as an environment value.
fn not_utf8(prefix: &str) -> &'static OsStr {
    let mut bytes = prefix.as_bytes().to_vec();
    bytes.extend_from_slice(b"\xff\xfe");
    OsStr::from_bytes(Box::leak(bytes.into_boxed_slice()))
}

// ---------------------------------------------------------------------------------------------
// An attempt that was never written is an answered question: a 404 after it is not_found
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// --missing-ok after a lost answer
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// What is retried, and how often by default
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Error bodies: 64 KiB read whole, not a byte more
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Retry-After: rounded up
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Proxy variables: lower case first
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Platform URL: what is not loopback, which path prefixes are not plain
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// stderr hints and the firewall message
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// The environment as the process has it
// ---------------------------------------------------------------------------------------------

/// Mutant: `src/config.rs` treating a value that is not UTF-8 as unset.
#[test]
fn a_variable_that_is_not_utf8_is_a_config_error_and_nothing_is_sent() {
    let s = StandIn::script(vec![]);
    // A proxy for every target: a run that went on despite the bad value would reach it.
    let trap = ConnectProxy::refusing();
    for (var, value) in [
        ("COVEO_PLATFORM_URL", not_utf8("https://gw.example/")),
        ("COVEO_REGION", not_utf8("eu")),
        ("COVEO_ENVIRONMENT", not_utf8("dev")),
    ] {
        let run = base()
            .env(var, value)
            .env("https_proxy", trap.url())
            .arg("acme1")
            .run();
        let message = assert_run_failure(&run, "config");
        assert!(message.contains(var), "{var}: {message}");
    }
    assert!(trap.requests().is_empty(), "{:?}", trap.requests());

    let run = cmd()
        .env("COVEO_TOKEN", not_utf8("tok-SECRET"))
        .platform(&s.url())
        .args(["--yes", "acme1"])
        .run();
    let message = assert_run_failure(&run, "config");
    assert!(message.contains("COVEO_TOKEN"), "{message}");
    run.assert_hides("SECRET");
    assert_nothing_sent(&s);

    let ca = pki(&["localhost"]);
    let tls = tls_standin(&ca, vec![]);
    let ca_file: PathBuf = ca.ca_file();
    let run = base()
        .env("HTTPS_PROXY", not_utf8("http://proxy.example:3128"))
        .platform(&tls.url())
        .args(["--ca-file", path_str(&ca_file), "acme1"])
        .run();
    let message = assert_run_failure(&run, "config");
    assert!(message.contains("HTTPS_PROXY"), "{message}");
    assert_nothing_sent(&tls);
}

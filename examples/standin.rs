//! The fake Coveo platform of the tests, as a process (used by `make demo` and `make bench`).
//!
//! Run: `cargo run --example standin --locked [-- ORG...]`. It prints one line, the base URL
//! (`http://127.0.0.1:PORT`), flushed, then serves until its stdin reaches EOF (so a demo script
//! can hold it with a pipe or a fifo and stop it by closing that), or until it is killed.
//!
//! Organizations: each argument is `ID` or `ID=Display name`; prefix `readonly:` makes it a
//! read-only (paused) organization. Without arguments: `demoorg1`, `demoorg2` and the read-only
//! `demopaused`. Tokens: `demo-token` may delete, `demo-viewer-token` may only read.
//!
//! Bench mode (`make bench`): `standin --bench [--tls CA_FILE_OUT]` answers every `DELETE` with
//! `204 No Content` and a fresh `X-Request-ID`, whatever the path and token (anything else gets
//! 405). It prints the plain HTTP base URL (`http://127.0.0.1:PORT`); with `--tls` it also makes a
//! fresh test CA, writes its certificate (PEM) to `CA_FILE_OUT`, serves HTTPS with a certificate
//! for `localhost` signed by it on a second port, and prints that URL (`https://localhost:PORT`)
//! as a second line. Same lifetime as above: until stdin reaches EOF.

#[allow(dead_code)]
#[path = "../tests/support/standin.rs"]
mod standin;

#[allow(dead_code)]
#[path = "../tests/support/tls.rs"]
mod tls;

use std::io::{Read, Write};
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let servers = if args.first().map(String::as_str) == Some("--bench") {
        bench_servers(&args[1..])
    } else {
        vec![platform_server(args)]
    };

    let mut out = std::io::stdout().lock();
    for server in &servers {
        writeln!(out, "{}", server.url()).expect("stdout");
    }
    out.flush().expect("stdout");
    drop(out);

    // Serve until stdin reaches EOF (or a read error), then drop the servers.
    let mut sink = [0u8; 256];
    let mut stdin = std::io::stdin().lock();
    while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    drop(servers);
}

/// The fake platform with the organizations named by `args` (the demo's three without any).
fn platform_server(mut args: Vec<String>) -> standin::StandIn {
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
    standin::StandIn::platform(platform)
}

/// Bench mode: plain HTTP, and HTTPS too with `--tls CA_FILE_OUT`.
fn bench_servers(args: &[String]) -> Vec<standin::StandIn> {
    let ca_out = match args {
        [] => None,
        [flag, path] if flag == "--tls" => Some(PathBuf::from(path)),
        _ => {
            eprintln!("usage: standin --bench [--tls CA_FILE_OUT]");
            std::process::exit(2);
        }
    };
    let mut servers = vec![standin::StandIn::handler(bench_answer)];
    if let Some(path) = ca_out {
        let pki = tls::pki(&["localhost"]);
        std::fs::write(&path, pki.ca_pem.as_bytes())
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        servers.push(
            standin::StandIn::builder()
                .tls(pki.server_config)
                .handler(bench_answer),
        );
    }
    servers
}

/// Every DELETE succeeds: 204 (the stand-in adds a fresh `X-Request-ID`).
fn bench_answer(req: &standin::Request) -> standin::Action {
    if req.method == "DELETE" {
        standin::Action::status(204)
    } else {
        standin::Action::Reply(
            standin::Reply::new(405)
                .header("Allow", "DELETE")
                .json(r#"{"message":"stand-in bench mode: DELETE only"}"#),
        )
    }
}

/// What `tls.rs` expects of its parent module (`TestPki::ca_file`, unused here).
#[allow(dead_code)]
fn temp_file(name_hint: &str, contents: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "coveo-org-delete-standin-{}-{name_hint}",
        std::process::id()
    ));
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}

//! The fake Coveo platform of the tests, as a process (used by `make demo` and `make bench`).
//!
//! Run: `cargo run --example standin --locked [-- ORG...]`. It prints one line, the base URL
//! (`http://127.0.0.1:PORT`), flushed, then serves until its stdin reaches EOF (so a demo script
//! can hold it with a pipe or a fifo and stop it by closing that), or until it is killed.
//!
//! Organizations: each argument is `ID` or `ID=Display name`; prefix `readonly:` makes it a
//! read-only (paused) organization. Without arguments: `demoorg1`, `demoorg2` and the read-only
//! `demopaused`, plus five organizations for `--list` (types, creation dates relative to now,
//! owners): the test organizations `cirun1a2b` (9 days old), `cirun3c4d` (3 days) and
//! `cirun5e6f` (2 hours: a test still running), `cirun7g8h` (5 days, its deletion already
//! under way: life-cycle state `DELETING`, so the listing leaves it out), and the production
//! `cidashboard` (30 days), all named `ci-...`. Tokens: `demo-token` may delete,
//! `demo-viewer-token` may only read, `demo-apikey-token` is anonymous (as an API key set
//! with `coveo auth:token`: it may read, never delete).
//!
//! Options, before or among the organizations, in every mode but `--bench`:
//!
//! - `--page-size N`: listing pages hold at most N organizations whatever `perPage` asks
//!   (with the true `totalPages`), as the real platform may do;
//! - `--report-object`: the privilege evaluation's `evaluationReport` is an object
//!   `{"privilegeEvaluationResultCodes":[...]}` instead of one code string (the default, as
//!   Coveo's own client types it).
//!
//! By hand (`make standin`): `standin --by-hand` serves the organizations of the README's
//! examples in the foreground, prints the `export` lines to paste into another terminal, then
//! one line per request received, until Ctrl-C. With options:
//! `cargo run --locked --example standin -- --by-hand --page-size 2 --report-object`.
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

/// How the fake platform plays, from the options.
#[derive(Default)]
struct Play {
    page_size: Option<usize>,
    report_object: bool,
}

impl Play {
    /// Takes the options out of `args`, leaving the organizations; exits 2 on a bad one.
    fn take(args: &mut Vec<String>) -> Play {
        let mut play = Play::default();
        let mut rest = Vec::new();
        let mut words = std::mem::take(args).into_iter();
        while let Some(word) = words.next() {
            match word.as_str() {
                "--page-size" => {
                    let n = words.next().and_then(|n| n.parse::<usize>().ok());
                    match n.filter(|&n| n > 0) {
                        Some(n) => play.page_size = Some(n),
                        None => usage("--page-size takes a whole number above 0"),
                    }
                }
                "--report-object" => play.report_object = true,
                _ if word.starts_with("--") && word != "--by-hand" => {
                    usage(&format!("unknown option {word}"))
                }
                _ => rest.push(word),
            }
        }
        *args = rest;
        play
    }

    fn apply(&self, mut platform: standin::Platform) -> standin::Platform {
        if let Some(n) = self.page_size {
            platform = platform.list_page_size(n);
        }
        if self.report_object {
            platform = platform.report_as_object();
        }
        platform
    }
}

fn usage(why: &str) -> ! {
    eprintln!("standin: {why}");
    eprintln!(
        "usage: standin [--by-hand] [--page-size N] [--report-object] [[readonly:]ID[=NAME]...]"
    );
    eprintln!("       standin --bench [--tls CA_FILE_OUT]");
    std::process::exit(2);
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let servers = if args.first().map(String::as_str) == Some("--bench") {
        bench_servers(&args[1..])
    } else {
        let play = Play::take(&mut args);
        if let Some(i) = args.iter().position(|a| a == "--by-hand") {
            args.remove(i);
            if !args.is_empty() {
                usage("--by-hand serves the organizations of the README's examples, no others");
            }
            return by_hand(&play);
        }
        vec![platform_server(args, &play)]
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

/// The fake platform with the organizations named by `args` (the demo's three without any),
/// and the listable ones of [`listable`].
fn platform_server(mut args: Vec<String>, play: &Play) -> standin::StandIn {
    let platform = play.apply(
        standin::Platform::new()
            .token("demo-viewer-token", false)
            .anonymous_token("demo-apikey-token"),
    );
    if args.is_empty() {
        args = [
            "demoorg1=Demo Org 1",
            "demoorg2=Demo Org 2",
            "readonly:demopaused=Demo Paused",
        ]
        .map(String::from)
        .to_vec();
    }
    // Listable test organizations, so the nightly clean-up can be tried too.
    let specs: Vec<&str> = args.iter().map(String::as_str).collect();
    let platform = listable(platform).with_orgs(&specs);
    standin::StandIn::platform(platform)
}

/// The demo's organizations as the listing shows them, and five more for it.
fn listable(platform: standin::Platform) -> standin::Platform {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let ago = |hours: i64| Some(now_ms - hours * 3_600_000);
    let listed = |t: &str, hours: i64, email: &str| standin::Listed {
        created_ms: ago(hours),
        org_type: Some(t.to_string()),
        owner_email: Some(email.to_string()),
    };
    platform
        .listing_of(
            "demoorg1",
            listed("Production", 400 * 24, "admin@example.com"),
        )
        .listing_of(
            "demoorg2",
            listed("Production", 300 * 24, "admin@example.com"),
        )
        .listing_of("demopaused", listed("Trial", 90 * 24, "admin@example.com"))
        .with_ci_leftovers(now_ms)
}

/// `make standin`: the fake platform in the foreground, for trying the tool by hand from
/// another terminal. Lists what it receives; Ctrl-C (SIGINT's default action) stops it.
fn by_hand(play: &Play) {
    let server = platform_server(standin::README_ORGS.map(String::from).to_vec(), play);
    let url = server.url();
    println!("Stand-in of the Coveo platform at {url}: this machine only, no account, no network.");
    println!("Paste these lines into another terminal, then try the README's examples there:");
    println!();
    println!("    export COVEO_PLATFORM_URL={url} COVEO_TOKEN=demo-token");
    // The tool built next to this example (make standin builds both), for `coveo-org-delete`
    // to work in scripts too, where an alias would not.
    let tool_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf()))
        .filter(|dir| dir.join("coveo-org-delete").is_file());
    if let Some(dir) = tool_dir.as_ref().and_then(|d| d.to_str()) {
        let quoted: String = dir
            .chars()
            .flat_map(|c| match c {
                '"' | '$' | '`' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        println!("    export PATH=\"{quoted}:$PATH\"");
    }
    println!();
    println!("Organizations: mytestorg1a2b3c, acme1, acme2, ci-run-20261128a1b2c3,");
    println!("ci-run-20261128d4e5f6, myorg, and demopaused (read-only: it cannot be deleted);");
    println!("for --list, test organizations cirun1a2b, cirun3c4d, cirun5e6f, cirun7g8h (being");
    println!("deleted: the listing leaves it out) and the production cidashboard.");
    println!(
        "Tokens: demo-token may delete; demo-viewer-token may only read; demo-apikey-token is"
    );
    println!("anonymous, like an API key (it may read, never delete); any other gets 401.");
    if let Some(n) = play.page_size {
        println!("Listing pages hold at most {n} organizations (--page-size).");
    }
    if play.report_object {
        println!("The privilege evaluation answers its report as an object (--report-object).");
    }
    println!("For instance: coveo-org-delete --dry-run acme1; coveo-org-delete acme1 (it asks);");
    println!("coveo-org-delete --yes acme2 demopaused nosuchorg; echo $?;");
    println!("coveo-org-delete --list --type Test --name-prefix ci- --older-than 2d \\");
    println!("  | coveo-org-delete --yes --from-file -");
    println!("Every start begins afresh. Ctrl-C stops it. Requests received:");
    let mut seen = 0;
    loop {
        for r in server.requests_after(seen, std::time::Duration::from_secs(3600)) {
            seen += 1;
            println!("  {} {}", r.method, r.path);
        }
    }
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

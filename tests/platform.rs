//! Where requests go: the platform host that `--region` and `--environment` (or their
//! variables) pick, a base URL from `--platform-url` or `COVEO_PLATFORM_URL` and what one may
//! be (HTTPS, or HTTP to loopback only; a host that is a DNS name or an IP literal; a plain
//! path prefix), and the values that must never quietly mean the production platform (an
//! empty variable, a flag beside a base URL it cannot apply to). Runs that could reach a real
//! host have a proxy set for every target: a refusing one records the host a CONNECT asked
//! for, so nothing goes to the internet.

use crate::support::bin::{against, cmd, Cmd, Run};
use crate::support::line::{deleted, expect_line, failed};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::{Action, Reply, StandIn};
use crate::support::{assert_nothing_sent, SECRET};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Helpers

/// `--yes` with the [`SECRET`] token, nothing else set.
fn yes() -> Cmd {
    cmd().token(SECRET).arg("--yes")
}

/// `--yes` with the [`SECRET`] token and a refusing `proxy` for https targets, which records
/// any tunnel asked for.
fn through(proxy: &ConnectProxy) -> Cmd {
    yes().env("https_proxy", proxy.url())
}

/// Runs with a proxy pointing at `standin` for every target, so that anything the binary
/// tried to send (even to a real Coveo host) would reach the stand-in.
fn via_proxy(standin: &StandIn) -> Cmd {
    yes()
        .env("https_proxy", standin.url())
        .env("http_proxy", standin.url())
        .args(["--retries", "0", "--timeout", "5"])
}

/// A failure of the whole run of `kind` before anything was sent, without the token
/// anywhere; returns its message.
#[track_caller]
fn run_failure<'a>(run: &'a Run, kind: &str) -> &'a str {
    run.assert_hides(SECRET);
    run.run_failure(kind)
}

/// `acme1` failed with `connection` after one attempt: nothing answered (a refusing proxy).
#[track_caller]
fn assert_connection_failed(run: &Run) {
    assert_eq!(run.status, 5, "{run:#?}");
    expect_line(run.line(), failed("acme1", "connection", Value::Null, 1));
}

/// Runs `--platform-url URL` with a refusing proxy for https targets, which records any
/// tunnel asked for; asserts a `config` failure naming the URL and that nothing was asked.
fn assert_platform_url_refused(url: &str) {
    let trap = ConnectProxy::refusing();
    let run = through(&trap)
        .platform(url)
        .args(["--retries", "0", "acme1"])
        .run();
    let message = run_failure(&run, "config");
    assert!(message.contains(url), "names the URL: {message}");
    assert_nothing_sent(&trap);
}

/// Each of `prefixes` after a stand-in's base URL is a config error, and nothing reaches it.
fn assert_prefixes_refused(prefixes: &[&str]) {
    let standin = StandIn::script(vec![]);
    for prefix in prefixes {
        let run = yes()
            .platform(&format!("{}{prefix}", standin.url()))
            .arg("acme1")
            .run();
        run_failure(&run, "config");
    }
    assert_nothing_sent(&standin);
}

// ---------------------------------------------------------------------------------------------
// Region and environment

#[test]
fn region_and_environment_pick_the_platform_hosts() {
    for (region, environment, host) in [
        (None, None, "platform.cloud.coveo.com"),
        (Some("eu"), None, "platform-eu.cloud.coveo.com"),
        (Some("au"), Some("prod"), "platform-au.cloud.coveo.com"),
        (Some("ca"), Some("dev"), "platformdev-ca.cloud.coveo.com"),
        (None, Some("stg"), "platformstg.cloud.coveo.com"),
        (Some("us"), Some("hipaa"), "platformhipaa.cloud.coveo.com"),
    ] {
        // The proxy refuses the tunnel: the CONNECT line shows where the DELETE would go.
        let standin = StandIn::script(vec![Action::Reply(
            Reply::new(403).header("Connection", "close"),
        )]);
        let mut c = via_proxy(&standin).arg("acme1");
        if let Some(r) = region {
            c = c.args(["--region", r]);
        }
        if let Some(e) = environment {
            c = c.env("COVEO_ENVIRONMENT", e);
        }
        let run = c.run();
        assert_connection_failed(&run);
        let reqs = standin.requests();
        assert_eq!(reqs.len(), 1, "{host}: {reqs:#?}");
        assert_eq!(reqs[0].method, "CONNECT");
        assert_eq!(reqs[0].path, format!("{host}:443"));
        assert!(
            reqs[0].header("Authorization").is_none(),
            "the token must travel only inside the tunnel"
        );
        run.assert_hides(SECRET);
    }
}

#[test]
fn bad_region_or_environment_is_config_from_env_and_usage_from_flag() {
    let standin = StandIn::script(vec![]);
    let from_env = via_proxy(&standin)
        .env("COVEO_REGION", "mars")
        .arg("acme1")
        .run();
    let message = run_failure(&from_env, "config");
    assert!(message.contains("COVEO_REGION"), "{message}");
    let from_flag = via_proxy(&standin)
        .args(["--region", "mars", "acme1"])
        .run();
    let message = run_failure(&from_flag, "usage");
    assert!(message.contains("--region"), "{message}");

    let from_env = via_proxy(&standin)
        .env("COVEO_ENVIRONMENT", "production")
        .arg("acme1")
        .run();
    run_failure(&from_env, "config");
    let from_flag = via_proxy(&standin)
        .args(["--environment", "production", "acme1"])
        .run();
    run_failure(&from_flag, "usage");

    let hipaa_eu = via_proxy(&standin)
        .args(["--environment", "hipaa", "--region", "eu", "acme1"])
        .run();
    let message = run_failure(&hipaa_eu, "usage");
    assert!(message.contains("hipaa"), "{message}");
    assert_nothing_sent(&standin);
}

#[test]
fn hipaa_outside_us_is_usage_only_when_both_halves_are_flags() {
    let proxy = ConnectProxy::refusing();
    let both_flags = through(&proxy)
        .args(["--region", "eu", "--environment", "hipaa", "acme1"])
        .run();
    assert!(run_failure(&both_flags, "usage").contains("hipaa"));
    for (var, value, flag, flag_value) in [
        ("COVEO_REGION", "eu", "--environment", "hipaa"),
        ("COVEO_ENVIRONMENT", "hipaa", "--region", "eu"),
    ] {
        let run = through(&proxy)
            .env(var, value)
            .args([flag, flag_value, "acme1"])
            .run();
        assert!(run_failure(&run, "config").contains("hipaa"), "{var}");
    }
    assert_nothing_sent(&proxy);
}

// ---------------------------------------------------------------------------------------------
// A base URL

#[test]
fn a_platform_url_path_prefix_is_kept() {
    for suffix in ["/coveo/", "/coveo"] {
        let standin = StandIn::script(vec![Action::status(204)]);
        let run = yes()
            .platform(&format!("{}{suffix}", standin.url()))
            .arg("acme1")
            .run();
        assert_eq!(run.status, 0, "{run:#?}");
        expect_line(run.line(), deleted("acme1"));
        assert_eq!(standin.sent(), ["DELETE /coveo/rest/organizations/acme1"]);
        standin.assert_no_violations();
    }
}

#[test]
fn coveo_platform_url_is_the_fallback_of_the_flag() {
    let standin = StandIn::script(vec![Action::status(204), Action::status(204)]);
    let from_env = yes()
        .env("COVEO_PLATFORM_URL", format!("{}/", standin.url()))
        .arg("acme1")
        .run();
    assert_eq!(from_env.status, 0, "{from_env:#?}");
    // The flag wins over the variable (here a URL that could not be reached).
    let flag_wins = yes()
        .env("COVEO_PLATFORM_URL", "https://unreachable.invalid")
        .platform(&standin.url())
        .arg("acme2")
        .run();
    assert_eq!(flag_wins.status, 0, "{flag_wins:#?}");
    assert_eq!(
        standin.sent(),
        [
            "DELETE /rest/organizations/acme1",
            "DELETE /rest/organizations/acme2"
        ]
    );
}

#[test]
fn a_rejected_platform_url_is_a_config_error_and_nothing_is_sent() {
    let standin = StandIn::script(vec![]);
    let url = standin.url();
    let port = standin.port();
    let bad = [
        "http://example.com".to_string(),
        format!("http://10.1.2.3:{port}"),
        format!("http://127.0.0.1.example.com:{port}"),
        format!("http://user:pw@127.0.0.1:{port}"),
        format!("http://user@localhost:{port}"),
        format!("{url}/?x=1"),
        format!("{url}/coveo?x"),
        format!("{url}#top"),
        format!("ftp://127.0.0.1:{port}"),
        format!("127.0.0.1:{port}"),
    ];
    for u in &bad {
        let run = yes().platform(u).arg("acme1").run();
        run_failure(&run, "config");
        // The same value from the environment is a config error too.
        let run = yes().env("COVEO_PLATFORM_URL", u).arg("acme1").run();
        run_failure(&run, "config");
    }
    assert_nothing_sent(&standin);
}

/// A host that starts like `localhost` or `127.` is not loopback: plain HTTP to it is refused.
/// A proxy for every target is set, so that anything sent would reach a stand-in.
#[test]
fn hosts_that_only_look_like_loopback_are_refused_for_http() {
    let trap = StandIn::script(vec![]);
    for host in [
        "localhost.evil.example",
        "127.0.0.1.evil.example",
        "localhostx",
    ] {
        for url in [
            format!("http://{host}:{}", trap.port()),
            format!("http://{host}"),
        ] {
            for c in [yes().platform(&url), yes().env("COVEO_PLATFORM_URL", &url)] {
                let run = c
                    .env("http_proxy", trap.url())
                    .env("all_proxy", trap.url())
                    .arg("acme1")
                    .run();
                let message = run_failure(&run, "config");
                assert!(
                    message.contains(host) && message.contains("http://"),
                    "{url}: {message}"
                );
            }
        }
    }
    assert_nothing_sent(&trap);
}

#[test]
fn a_dot_segment_in_the_path_prefix_is_refused() {
    for url in ["https://x/./a", "https://x/a/.", "https://x/a/../b"] {
        assert_platform_url_refused(url);
    }
    assert_prefixes_refused(&["/./a", "/a/..", "/.."]);
}

/// `%` anywhere in the prefix: an escape the gateway would decode (`%2e%2e` is `..`, `%2f`
/// a slash) makes the prefix something else than what the user read.
#[test]
fn a_percent_in_the_path_prefix_is_refused() {
    for url in [
        "https://x/%2e%2e",
        "https://x/a%2fb",
        "https://x/coveo/%2E%2E/admin",
        "https://x/a%41",
    ] {
        assert_platform_url_refused(url);
    }
    assert_prefixes_refused(&["/%2e%2e", "/a%2fb", "/a/%2E%2E/b"]);
}

/// A host's labels are letters, digits and `-` (not at either end), 1 to 63 of them; or the
/// host is a bracketed IPv6 literal, with or without a port. An accepted URL shows in the
/// CONNECT line the proxy is asked for.
#[test]
fn platform_url_hosts_are_dns_names_or_ip_literals() {
    let long_label = "a".repeat(63);
    for url in [
        "https://a_b.example".to_string(),
        "https://-gw.example".to_string(),
        "https://gw-.example".to_string(),
        "https://gw..example".to_string(),
        format!("https://{long_label}a.example"),
    ] {
        assert_platform_url_refused(&url);
    }
    let long_host = format!("{long_label}.example");
    let long_url = format!("https://{long_host}");
    for (url, authority) in [
        ("https://my-gw.example/coveo", "my-gw.example"),
        ("https://[::1]/coveo", "[::1]"),
        (&long_url, &long_host),
    ] {
        let trap = ConnectProxy::refusing();
        let run = through(&trap)
            .platform(url)
            .args(["--retries", "0", "acme1"])
            .run();
        assert_connection_failed(&run);
        let heads = trap.requests();
        assert_eq!(heads.len(), 1, "{url}: {heads:?}");
        assert!(
            heads[0].starts_with(&format!("CONNECT {authority}:443 ")),
            "{url}: {heads:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Values that must never quietly mean production

/// An empty variable is a config error even when a flag decides: an unset shell variable
/// expanded into it must not pass unseen.
#[test]
fn an_empty_platform_variable_is_a_config_error_even_with_the_flag() {
    for var in ["COVEO_REGION", "COVEO_ENVIRONMENT", "COVEO_PLATFORM_URL"] {
        let s = StandIn::script(vec![]);
        let run = yes().env(var, "").platform(&s.url()).arg("acme1").run();
        let message = run_failure(&run, "config");
        assert!(message.contains(var), "{var}: {message}");
        assert_nothing_sent(&s);
    }
    let s = StandIn::script(vec![]);
    for (var, flag, value) in [
        ("COVEO_REGION", "--region", "eu"),
        ("COVEO_ENVIRONMENT", "--environment", "prod"),
    ] {
        let run = yes()
            .env(var, "")
            .env("https_proxy", s.url())
            .args([flag, value, "acme1"])
            .run();
        let message = run_failure(&run, "config");
        assert!(message.contains(var), "{var} with {flag}: {message}");
    }
    assert_nothing_sent(&s);
}

#[test]
fn an_empty_platform_url_alone_does_not_mean_production() {
    let proxy = ConnectProxy::refusing();
    let run = through(&proxy)
        .env("COVEO_PLATFORM_URL", "")
        .arg("acme1")
        .run();
    assert!(run_failure(&run, "config").contains("COVEO_PLATFORM_URL"));
    assert_nothing_sent(&proxy);
}

/// `COVEO_PLATFORM_URL` does not silently beat `--region` or `--environment`: the two are a
/// conflict, named; `--platform-url` overrides them as documented.
#[test]
fn region_or_environment_flag_with_coveo_platform_url_is_a_config_error_naming_both() {
    for (flag, value) in [("--region", "eu"), ("--environment", "dev")] {
        let s = StandIn::script(vec![]);
        let run = yes()
            .env("COVEO_PLATFORM_URL", s.url())
            .args([flag, value, "acme1"])
            .run();
        let message = run_failure(&run, "config");
        assert!(
            message.contains("COVEO_PLATFORM_URL") && message.contains(flag),
            "{flag}: {message}"
        );
        assert_nothing_sent(&s);
    }
    let standin = StandIn::script(vec![Action::status(204)]);
    let run = against(&standin.url())
        .args(["--yes", "--region", "eu", "acme1"])
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(standin.sent(), ["DELETE /rest/organizations/acme1"]);
}

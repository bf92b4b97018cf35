//! Where the token comes from, and what every token must be: `--token-file` (its first
//! line), else `COVEO_TOKEN`, else the Coveo CLI's login, with the platform of its region and
//! environment; the checks every token gets whatever its source; what `--verbose` says of the
//! source; and the hints a refused token gets. Every run has an empty environment plus, for
//! the login, a temporary `COVEO_CONFIG_DIR`, `XDG_CONFIG_HOME` or `HOME` holding a CLI
//! `config.json`: the developer's own login is never read. Platforms that follow a login's
//! region are reached through a local proxy (a refusing one records the host asked for; a
//! tunnelling one leads to a TLS stand-in), so nothing goes to the internet.

use crate::support::bin::{cmd, with_secret, Cmd, Run};
use crate::support::line::{deleted, expect_line, failed, listed, Set};
use crate::support::proxy::ConnectProxy;
use crate::support::standin::{Action, Platform, Reply, StandIn};
use crate::support::tls::pki;
use crate::support::{
    assert_nothing_sent, end_line, fifo_at, missing_path, path_str, temp_dir, temp_file, SECRET,
};
use serde_json::Value;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// Distinctive tokens: finding one in any output is never a coincidence.
const LOGIN_TOKEN: &str = "tok-login-7c1e0b5aSECRET";
const ENV_TOKEN: &str = "tok-env-2b9d4f11SECRET";
const FILE_TOKEN: &str = "tok-file-5e0a3c77SECRET";
const ALL_TOKENS: [&str; 3] = [LOGIN_TOKEN, ENV_TOKEN, FILE_TOKEN];

// ---------------------------------------------------------------------------------------------
// Helpers

/// A CLI `config.json` as `coveo auth:login` writes it, with `extra` fields (`"region":"eu"`).
fn cli_config(token: &str, extra: &str) -> String {
    let mut json = format!(
        r#"{{"version":"1.1.0","organization":"myorg","accessToken":"{token}","anonymous":false"#
    );
    if !extra.is_empty() {
        json.push(',');
        json.push_str(extra);
    }
    json.push('}');
    json
}

/// A new directory holding `config.json` with these bytes, for `COVEO_CONFIG_DIR`.
fn login_dir(contents: &[u8]) -> PathBuf {
    let dir = temp_dir("cli-login");
    std::fs::write(dir.join("config.json"), contents).expect("write config.json");
    dir
}

/// `config.json` under `base/rel` (e.g. `@coveo/cli` under an `XDG_CONFIG_HOME`); returns `base`.
fn login_under(rel: &str, contents: &[u8]) -> PathBuf {
    let base = temp_dir("config-home");
    let dir = base.join(rel);
    std::fs::create_dir_all(&dir).expect("create the CLI's directory");
    std::fs::write(dir.join("config.json"), contents).expect("write config.json");
    base
}

/// The platform of these tests: the three tokens may delete `acme1`.
fn login_platform() -> Platform {
    ALL_TOKENS
        .iter()
        .fold(Platform::new(), |p, t| p.token(t, true))
        .org("acme1", "Acme One")
}

/// Runs `--yes acme1` against `standin` with the environment `envs` (nothing else).
fn delete_with(standin: &StandIn, envs: &[(&str, &OsStr)], extra: &[&str]) -> Run {
    let mut c = cmd().platform(&standin.url());
    for (k, v) in envs {
        c = c.env(k, v);
    }
    c.args(extra).args(["--yes", "acme1"]).run()
}

/// `--yes acme1` against a new stand-in of [`login_platform`], with the login in `dir` and
/// nothing else: the stand-in and the run.
fn delete_with_login(dir: &std::path::Path) -> (StandIn, Run) {
    let s = StandIn::platform(login_platform());
    let run = delete_with(&s, &[("COVEO_CONFIG_DIR", dir.as_os_str())], &[]);
    (s, run)
}

/// The bearer tokens the stand-in received, in order.
fn bearers(standin: &StandIn) -> Vec<String> {
    standin
        .requests()
        .iter()
        .map(|r| {
            r.header("authorization")
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("<none>")
                .to_owned()
        })
        .collect()
}

fn hides_every_token(run: &Run) {
    for t in ALL_TOKENS {
        run.assert_hides(t);
    }
}

/// A failure of the whole run of this kind with nothing sent; returns the message.
fn run_failure<'a>(run: &'a Run, kind: &str) -> &'a str {
    hides_every_token(run);
    run.run_failure(kind)
}

/// The no-token error names the three sources and says what to do.
fn assert_names_the_three_sources(message: &str) {
    for part in [
        "--token-file",
        "COVEO_TOKEN",
        "Coveo CLI",
        "coveo auth:login",
    ] {
        assert!(message.contains(part), "{part:?} missing from: {message}");
    }
}

/// Environment variables of a run.
type Envs<'a> = &'a [(&'a str, &'a OsStr)];

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

// ---------------------------------------------------------------------------------------------
// Where the token comes from

#[test]
fn the_login_gives_the_token_when_nothing_else_does() {
    let s = StandIn::platform(login_platform());
    let config = cli_config(LOGIN_TOKEN, r#""region":"us","environment":"prod""#);
    let dir = login_dir(config.as_bytes());
    let file = dir.join("config.json");
    let before = std::fs::metadata(&file).unwrap().modified().unwrap();
    let run = delete_with(&s, &[("COVEO_CONFIG_DIR", dir.as_os_str())], &[]);
    assert_eq!(run.status, 0, "{run:#?}");
    expect_line(run.line(), deleted("acme1"));
    assert_eq!(bearers(&s), [LOGIN_TOKEN]);
    assert_eq!(run.stderr, "", "quiet on success");
    hides_every_token(&run);
    // Only read, never written.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), config);
    assert_eq!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        before
    );
    s.assert_no_violations();
}

#[test]
fn token_file_wins_over_coveo_token_which_wins_over_the_login() {
    let dir = login_dir(cli_config(LOGIN_TOKEN, "").as_bytes());
    let token_file = temp_file("token", format!("{FILE_TOKEN}\n").as_bytes());
    let login = ("COVEO_CONFIG_DIR", dir.as_os_str());
    let env = ("COVEO_TOKEN", os(ENV_TOKEN));

    let s = StandIn::platform(login_platform());
    let run = delete_with(&s, &[login, env], &["--token-file", path_str(&token_file)]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(bearers(&s), [FILE_TOKEN], "--token-file first");

    let s = StandIn::platform(login_platform());
    let run = delete_with(&s, &[login, env], &[]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(bearers(&s), [ENV_TOKEN], "then COVEO_TOKEN");

    let s = StandIn::platform(login_platform());
    let run = delete_with(&s, &[login], &[]);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(bearers(&s), [LOGIN_TOKEN], "then the login");
}

#[test]
fn an_empty_coveo_token_is_an_error_and_never_falls_through_to_the_login() {
    let dir = login_dir(cli_config(LOGIN_TOKEN, "").as_bytes());
    for empty in ["", "  ", "\n"] {
        let s = StandIn::platform(login_platform());
        let run = delete_with(
            &s,
            &[
                ("COVEO_CONFIG_DIR", dir.as_os_str()),
                ("COVEO_TOKEN", os(empty)),
            ],
            &[],
        );
        let message = run_failure(&run, "config");
        assert!(message.contains("COVEO_TOKEN"), "{message}");
        assert_names_the_three_sources(message);
        assert_nothing_sent(&s);
    }
}

#[test]
fn the_first_directory_variable_that_is_set_decides() {
    let from_config_dir = login_dir(cli_config("tok-config-dir", "").as_bytes());
    let xdg = login_under("@coveo/cli", cli_config("tok-xdg", "").as_bytes());
    let home = login_under(".config/@coveo/cli", cli_config("tok-home", "").as_bytes());
    let nothing = temp_dir("empty-config-dir");
    let cases: [(Envs, Option<&str>); 6] = [
        (
            &[
                ("COVEO_CONFIG_DIR", from_config_dir.as_os_str()),
                ("XDG_CONFIG_HOME", xdg.as_os_str()),
                ("HOME", home.as_os_str()),
            ],
            Some("tok-config-dir"),
        ),
        (
            &[
                ("COVEO_CONFIG_DIR", os("")),
                ("XDG_CONFIG_HOME", xdg.as_os_str()),
                ("HOME", home.as_os_str()),
            ],
            Some("tok-xdg"),
        ),
        (
            &[("XDG_CONFIG_HOME", os("")), ("HOME", home.as_os_str())],
            Some("tok-home"),
        ),
        (&[("HOME", home.as_os_str())], Some("tok-home")),
        // The CLI reads one place: a directory without a login does not fall through.
        (
            &[
                ("COVEO_CONFIG_DIR", nothing.as_os_str()),
                ("HOME", home.as_os_str()),
            ],
            None,
        ),
        (
            &[
                ("XDG_CONFIG_HOME", nothing.as_os_str()),
                ("HOME", home.as_os_str()),
            ],
            None,
        ),
    ];
    for (envs, token) in cases {
        let mut p = login_platform();
        for t in ["tok-config-dir", "tok-xdg", "tok-home"] {
            p = p.token(t, true);
        }
        let s = StandIn::platform(p);
        let run = delete_with(&s, envs, &[]);
        match token {
            Some(t) => {
                assert_eq!(run.status, 0, "{envs:?}: {run:#?}");
                assert_eq!(bearers(&s), [t], "{envs:?}");
            }
            None => {
                let message = run_failure(&run, "config");
                assert!(message.contains(path_str(&nothing)), "{message}");
                assert_names_the_three_sources(message);
                assert_nothing_sent(&s);
            }
        }
    }
}

#[test]
fn a_login_directory_may_be_any_bytes() {
    let base = temp_dir("bytes");
    let dir = base.join(OsStr::from_bytes(b"caf\xe9-\xff"));
    std::fs::create_dir(&dir).expect("a directory whose name is not UTF-8");
    std::fs::write(dir.join("config.json"), cli_config(LOGIN_TOKEN, "")).unwrap();
    let (s, run) = delete_with_login(&dir);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(bearers(&s), [LOGIN_TOKEN]);
}

#[test]
fn without_a_login_the_no_token_error_names_the_three_sources() {
    let empty_home = temp_dir("home-without-login");
    let no_token = login_dir(br#"{"version":"1.1.0","region":"eu"}"#);
    let empty_token = login_dir(br#"{"accessToken":"","region":"eu"}"#);
    let null_token = login_dir(br#"{"accessToken":null}"#);
    let cases: [(&str, Envs); 5] = [
        ("no variable at all", &[]),
        (
            "a HOME without a login",
            &[("HOME", empty_home.as_os_str())],
        ),
        (
            "no accessToken",
            &[("COVEO_CONFIG_DIR", no_token.as_os_str())],
        ),
        (
            "an empty accessToken",
            &[("COVEO_CONFIG_DIR", empty_token.as_os_str())],
        ),
        (
            "a null accessToken",
            &[("COVEO_CONFIG_DIR", null_token.as_os_str())],
        ),
    ];
    for (what, envs) in cases {
        let s = StandIn::platform(login_platform());
        let run = delete_with(&s, envs, &[]);
        let message = run_failure(&run, "config");
        assert!(message.starts_with("no token"), "{what}: {message}");
        if what.ends_with("accessToken") {
            // Said as what it is: the login holds no token, not an empty token to check.
            assert!(
                message.contains("holds no accessToken"),
                "{what}: {message}"
            );
        }
        assert_names_the_three_sources(message);
        assert_nothing_sent(&s);
    }
}

// ---------------------------------------------------------------------------------------------
// --token-file and COVEO_TOKEN

#[test]
fn a_missing_or_empty_token_is_a_config_error_and_nothing_is_sent() {
    // "Bearer " alone is what `COVEO_TOKEN="Bearer $TOKEN"` gives with TOKEN unset.
    for token in [
        None,
        Some(""),
        Some("  \n "),
        Some("Bearer "),
        Some("bearer"),
    ] {
        let standin = StandIn::script(vec![]);
        let mut c = cmd().platform(&standin.url()).args(["--yes", "acme1"]);
        if let Some(t) = token {
            c = c.token(t);
        }
        let run = c.run();
        let message = run.run_failure("config");
        assert!(message.contains("COVEO_TOKEN"), "{token:?}: {message}");
        assert_nothing_sent(&standin);
    }
}

#[test]
fn the_token_file_first_line_wins_over_coveo_token_and_whitespace_is_trimmed() {
    let file = temp_file("token", b"  file-token-42 \r\nsecond-line-not-the-token\n");
    let standin = StandIn::script(vec![Action::status(204), Action::status(204)]);
    let run = cmd()
        .token("env-token-17")
        .platform(&standin.url())
        .arg("--token-file")
        .arg(&file)
        .args(["--yes", "acme1"])
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    expect_line(run.line(), deleted("acme1"));
    let run2 = cmd()
        .token(" \tenv-token-17\n")
        .platform(&standin.url())
        .args(["--yes", "acme2"])
        .run();
    assert_eq!(run2.status, 0, "{run2:#?}");
    let auth: Vec<String> = standin
        .requests()
        .iter()
        .map(|r| r.header("Authorization").unwrap_or("").to_string())
        .collect();
    assert_eq!(auth, ["Bearer file-token-42", "Bearer env-token-17"]);
    run.assert_hides("file-token-42");
    run2.assert_hides("env-token-17");
    let _ = std::fs::remove_file(&file);
}

#[test]
fn an_unreadable_token_file_is_a_config_error_and_nothing_is_sent() {
    for path in [missing_path("no-such-token-file"), std::env::temp_dir()] {
        let standin = StandIn::script(vec![]);
        let run = with_secret(&standin.url())
            .arg("--token-file")
            .arg(&path)
            .args(["--yes", "acme1"])
            .run();
        let message = run.run_failure("config");
        assert!(message.contains("--token-file"), "{message}");
        assert_nothing_sent(&standin);
        run.assert_hides(SECRET);
    }
}

// ---------------------------------------------------------------------------------------------
// What every token must be

#[test]
fn a_token_with_a_line_break_or_inner_whitespace_is_refused_without_showing_it() {
    let file = temp_file("token", b"tokfileone tokfiletwo\nsecond line\n");
    let cases: Vec<(Option<&str>, Vec<String>)> = vec![
        (Some("tokpartone\ntokparttwo"), vec![]),
        (Some("tokpartone\r\ntokparttwo"), vec![]),
        (Some("tokpartone\ttokparttwo"), vec![]),
        (
            None,
            vec!["--token-file".into(), path_str(&file).to_string()],
        ),
    ];
    for (env_token, args) in cases {
        let standin = StandIn::script(vec![]);
        let mut c = cmd()
            .platform(&standin.url())
            .args(["--yes"])
            .args(&args)
            .arg("acme1");
        if let Some(t) = env_token {
            c = c.token(t);
        }
        let run = c.run();
        let message = run.run_failure("config");
        // Like every token error, it names the three sources.
        for source in ["--token-file", "COVEO_TOKEN", "coveo auth:login"] {
            assert!(message.contains(source), "{source}: {message}");
        }
        for part in ["tokpartone", "tokparttwo", "tokfileone", "tokfiletwo"] {
            run.assert_hides(part);
        }
        assert_nothing_sent(&standin);
    }
    let _ = std::fs::remove_file(&file);
}

#[test]
fn a_token_over_8_kib_is_refused_before_anything_is_sent() {
    let standin = StandIn::script(vec![]);
    let token = "t".repeat(8 * 1024 + 1);
    let run = cmd()
        .token(&token)
        .platform(&standin.url())
        .args(["--yes", "acme1"])
        .run();
    let message = run.run_failure("config");
    assert!(message.contains("8192"), "{message}");
    run.assert_hides(&token);
    assert_nothing_sent(&standin);
}

#[test]
fn a_leading_bearer_is_dropped_from_the_token() {
    for given in [format!("Bearer {SECRET}"), format!("bearer  {SECRET}\n")] {
        let standin = StandIn::script(vec![Action::status(204)]);
        let run = cmd()
            .token(&given)
            .platform(&standin.url())
            .args(["--yes", "acme1"])
            .run();
        assert_eq!(run.status, 0, "{run:#?}");
        assert_eq!(
            standin.requests()[0].header("Authorization"),
            Some(format!("Bearer {SECRET}").as_str())
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A broken login file

#[test]
fn a_login_file_that_is_not_a_json_object_is_a_config_error_naming_it() {
    let mut huge = cli_config(LOGIN_TOKEN, "").into_bytes();
    huge.resize(1024 * 1024 + 1, b' ');
    let cases: [(&str, Vec<u8>); 7] = [
        ("not JSON", b"accessToken=abc".to_vec()),
        ("cut short", br#"{"accessToken":"abc""#.to_vec()),
        ("an array", br#"["accessToken"]"#.to_vec()),
        ("a string", br#""accessToken""#.to_vec()),
        ("empty", Vec::new()),
        ("over 1 MiB", huge),
        ("a number as token", br#"{"accessToken":5}"#.to_vec()),
    ];
    for (what, contents) in cases {
        let dir = login_dir(&contents);
        let (s, run) = delete_with_login(&dir);
        let message = run_failure(&run, "config");
        let file = dir.join("config.json");
        assert!(message.contains(path_str(&file)), "{what}: {message}");
        assert_nothing_sent(&s);
    }
}

#[test]
fn an_unknown_region_or_environment_in_the_login_is_a_config_error_naming_it() {
    for fields in [
        r#""region":"mars""#,
        r#""region":"""#,
        r#""region":5"#,
        r#""environment":"qa""#,
        r#""region":"eu","environment":"PRODUCTION""#,
    ] {
        let dir = login_dir(cli_config(LOGIN_TOKEN, fields).as_bytes());
        let proxy = ConnectProxy::refusing();
        let run = cmd()
            .env("COVEO_CONFIG_DIR", &dir)
            .env("https_proxy", proxy.url())
            .args(["--yes", "acme1"])
            .run();
        let message = run_failure(&run, "config");
        assert!(
            message.contains(path_str(&dir.join("config.json"))),
            "{fields}: {message}"
        );
        assert!(message.contains("must be one of"), "{fields}: {message}");
        assert!(proxy.requests().is_empty(), "{fields}: nothing sent");
    }
}

#[test]
fn a_base_url_leaves_the_logins_region_unread() {
    // The base URL decides where requests go; a region it overrides is not even checked.
    let dir =
        login_dir(cli_config(LOGIN_TOKEN, r#""region":"mars","environment":"qa""#).as_bytes());
    for via_env in [false, true] {
        let s = StandIn::platform(login_platform());
        let mut c = cmd().env("COVEO_CONFIG_DIR", &dir);
        c = if via_env {
            c.env("COVEO_PLATFORM_URL", s.url())
        } else {
            c.platform(&s.url())
        };
        let run = c.args(["--yes", "acme1"]).run();
        assert_eq!(run.status, 0, "via_env {via_env}: {run:#?}");
        assert_eq!(bearers(&s), [LOGIN_TOKEN]);
        run.assert_hides(LOGIN_TOKEN);
    }
}

#[test]
fn exactly_1_mib_is_still_read() {
    let mut full = cli_config(LOGIN_TOKEN, "").into_bytes();
    full.resize(1024 * 1024, b'\n');
    let dir = login_dir(&full);
    let (s, run) = delete_with_login(&dir);
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(bearers(&s), [LOGIN_TOKEN]);
}

#[test]
fn an_unreadable_login_file_is_a_config_error_naming_it() {
    // A directory where the file should be: it exists, and is no file to read.
    let dir = temp_dir("login-is-a-directory");
    std::fs::create_dir(dir.join("config.json")).unwrap();
    // A device and a FIFO: endless, or blocking forever; refused without reading.
    let zero = temp_dir("login-is-dev-zero");
    std::os::unix::fs::symlink("/dev/zero", zero.join("config.json")).unwrap();
    let fifo = temp_dir("login-is-a-fifo");
    fifo_at(&fifo.join("config.json"));
    // A link to itself: the file cannot be reached, which is not the same as no file at all.
    let looped = temp_dir("login-is-a-loop");
    std::os::unix::fs::symlink(looped.join("config.json"), looped.join("config.json")).unwrap();
    let mut cases = vec![
        ("a directory", dir),
        ("/dev/zero", zero),
        ("a FIFO", fifo),
        ("a symbolic link loop", looped),
    ];
    // Permissions do not stop root: only meaningful for another user.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        use std::os::unix::fs::PermissionsExt;
        let locked = login_dir(cli_config(LOGIN_TOKEN, "").as_bytes());
        let file = locked.join("config.json");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
        cases.push(("no read permission", locked));
    }
    for (what, dir) in cases {
        let (s, run) = delete_with_login(&dir);
        let message = run_failure(&run, "config");
        assert!(
            message.contains(path_str(&dir.join("config.json"))),
            "{what}: {message}"
        );
        assert!(
            !message.starts_with("no token"),
            "{what}: a broken login is no absent one: {message}"
        );
        assert!(run.elapsed < std::time::Duration::from_secs(10), "{what}");
        assert_nothing_sent(&s);
    }
}

#[test]
fn the_login_token_is_checked_like_any_other() {
    // Surrounding whitespace and a leading "Bearer " are dropped; a BOM is ignored.
    for raw in [
        format!("  {LOGIN_TOKEN}\\n"),
        format!("Bearer {LOGIN_TOKEN}"),
        format!("bearer  {LOGIN_TOKEN} "),
    ] {
        let mut contents = b"\xEF\xBB\xBF".to_vec();
        contents.extend_from_slice(cli_config(&raw, "").as_bytes());
        let dir = login_dir(&contents);
        let (s, run) = delete_with_login(&dir);
        assert_eq!(run.status, 0, "{raw:?}: {run:#?}");
        assert_eq!(bearers(&s), [LOGIN_TOKEN], "{raw:?}");
    }
    // Whitespace inside, or longer than 8 KiB: refused before anything is sent, the token unshown.
    let long = "t".repeat(8 * 1024 + 1);
    for raw in [format!("{LOGIN_TOKEN} x"), format!("{LOGIN_TOKEN}\\u0007")] {
        let dir = login_dir(cli_config(&raw, "").as_bytes());
        let (s, run) = delete_with_login(&dir);
        let message = run_failure(&run, "config");
        assert!(message.contains(path_str(&dir)), "{message}");
        assert_nothing_sent(&s);
    }
    let dir = login_dir(cli_config(&long, "").as_bytes());
    let (s, run) = delete_with_login(&dir);
    let message = run_failure(&run, "config");
    assert!(message.contains("8192"), "{message}");
    run.assert_hides(&long);
    assert_nothing_sent(&s);
}

// ---------------------------------------------------------------------------------------------
// The login's platform

/// `--yes acme1` through a refusing proxy (`https_proxy`) with the login of `config` and
/// `envs`/`extra`: returns the host the CONNECT asked for, and the run.
fn host_asked(config: &str, envs: &[(&str, &str)], extra: &[&str]) -> (String, Run) {
    let proxy = ConnectProxy::refusing();
    let dir = login_dir(config.as_bytes());
    let mut c: Cmd = cmd()
        .env("COVEO_CONFIG_DIR", &dir)
        .env("https_proxy", proxy.url());
    for (k, v) in envs {
        c = c.env(k, v);
    }
    let run = c
        .args(extra)
        .args(["--verbose", "--retries", "0", "--yes", "acme1"])
        .run();
    assert_eq!(run.status, 5, "the refusing proxy: {run:#?}");
    expect_line(run.line(), failed("acme1", "connection", Value::Null, 1));
    hides_every_token(&run);
    let heads = proxy.requests();
    assert_eq!(heads.len(), 1, "{heads:?}");
    let target = heads[0]
        .strip_prefix("CONNECT ")
        .and_then(|h| h.split(' ').next())
        .unwrap_or_else(|| panic!("not a CONNECT: {:?}", heads[0]))
        .to_owned();
    assert!(!heads[0].contains(LOGIN_TOKEN), "{heads:?}");
    let host = target
        .strip_suffix(":443")
        .unwrap_or_else(|| panic!("not port 443: {target}"))
        .to_owned();
    // --verbose said so before sending anything.
    let first = run.stderr.lines().next().unwrap_or("");
    assert!(
        first.ends_with(&format!("requests go to https://{host}")),
        "{first}"
    );
    (host, run)
}

#[test]
fn the_login_region_and_environment_choose_the_platform() {
    for (fields, host) in [
        ("", "platform.cloud.coveo.com"),
        (
            r#""region":"us","environment":"prod""#,
            "platform.cloud.coveo.com",
        ),
        (
            r#""region":"eu","environment":"prod""#,
            "platform-eu.cloud.coveo.com",
        ),
        (r#""region":"AU""#, "platform-au.cloud.coveo.com"),
        (
            r#""region":"ca","environment":"dev""#,
            "platformdev-ca.cloud.coveo.com",
        ),
        (
            r#""region":"eu","environment":"stg""#,
            "platformstg-eu.cloud.coveo.com",
        ),
        (
            r#""region":"us","environment":"hipaa""#,
            "platformhipaa.cloud.coveo.com",
        ),
        (
            r#""region":null,"environment":"dev""#,
            "platformdev.cloud.coveo.com",
        ),
    ] {
        let (asked, run) = host_asked(&cli_config(LOGIN_TOKEN, fields), &[], &[]);
        assert_eq!(asked, host, "{fields}");
        let first = run.stderr.lines().next().unwrap();
        assert!(
            first.starts_with("coveo-org-delete: token from the Coveo CLI's login /")
                && first.contains("config.json"),
            "{first}"
        );
    }
}

#[test]
fn flags_and_variables_say_otherwise_than_the_login() {
    let login = cli_config(LOGIN_TOKEN, r#""region":"eu","environment":"dev""#);
    for (envs, extra, host) in [
        (vec![], vec![], "platformdev-eu.cloud.coveo.com"),
        (
            vec![],
            vec!["--region", "au"],
            "platformdev-au.cloud.coveo.com",
        ),
        (
            vec![("COVEO_REGION", "au")],
            vec![],
            "platformdev-au.cloud.coveo.com",
        ),
        (
            vec![],
            vec!["--environment", "prod"],
            "platform-eu.cloud.coveo.com",
        ),
        (
            vec![("COVEO_ENVIRONMENT", "stg")],
            vec![],
            "platformstg-eu.cloud.coveo.com",
        ),
        (
            vec![("COVEO_REGION", "us"), ("COVEO_ENVIRONMENT", "prod")],
            vec![],
            "platform.cloud.coveo.com",
        ),
        // The login's platform comes only with the login's token.
        (
            vec![("COVEO_TOKEN", ENV_TOKEN)],
            vec![],
            "platform.cloud.coveo.com",
        ),
    ] {
        let (asked, _) = host_asked(&login, &envs, &extra);
        assert_eq!(asked, host, "{envs:?} {extra:?}");
    }
    // A flag or variable wins over a value of the login that would be an error.
    let odd = cli_config(LOGIN_TOKEN, r#""region":"mars","environment":"moon""#);
    let (asked, _) = host_asked(&odd, &[], &["--region", "eu", "--environment", "prod"]);
    assert_eq!(asked, "platform-eu.cloud.coveo.com");
}

#[test]
fn a_platform_url_overrides_the_login_platform() {
    let login = cli_config(LOGIN_TOKEN, r#""region":"eu","environment":"dev""#);
    let dir = login_dir(login.as_bytes());
    for by_env in [false, true] {
        let s = StandIn::platform(login_platform());
        let proxy = ConnectProxy::refusing();
        let mut c = cmd()
            .env("COVEO_CONFIG_DIR", &dir)
            .env("https_proxy", proxy.url());
        c = if by_env {
            c.env("COVEO_PLATFORM_URL", s.url())
        } else {
            c.platform(&s.url())
        };
        let run = c.args(["--verbose", "--yes", "acme1"]).run();
        assert_eq!(run.status, 0, "{run:#?}");
        assert_eq!(bearers(&s), [LOGIN_TOKEN]);
        assert!(proxy.requests().is_empty(), "no proxy for the loopback URL");
        let first = run.stderr.lines().next().unwrap();
        assert!(
            first.ends_with(&format!("requests go to {}", s.url())),
            "{first}"
        );
        hides_every_token(&run);
    }
}

#[test]
fn the_login_platform_is_reached_over_tls_through_a_tunnel() {
    const EU: &str = "platform-eu.cloud.coveo.com";
    let ca = pki(&[EU]);
    let s = StandIn::builder()
        .tls(ca.server_config.clone())
        .platform(login_platform());
    let proxy = ConnectProxy::start(s.addr());
    let dir = login_dir(cli_config(LOGIN_TOKEN, r#""region":"eu""#).as_bytes());
    let run = cmd()
        .env("COVEO_CONFIG_DIR", &dir)
        .env("HTTPS_PROXY", proxy.url())
        .arg("--ca-file")
        .arg(ca.ca_file())
        .args(["--yes", "acme1"])
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    let reqs = s.requests();
    assert_eq!(reqs.len(), 1, "{reqs:#?}");
    assert_eq!(reqs[0].method, "DELETE");
    assert_eq!(reqs[0].header("host"), Some(EU));
    assert_eq!(bearers(&s), [LOGIN_TOKEN]);
    hides_every_token(&run);
}

// ---------------------------------------------------------------------------------------------
// --verbose and the hints

#[test]
fn verbose_says_where_the_token_came_from_and_never_the_token() {
    let dir = login_dir(cli_config(LOGIN_TOKEN, "").as_bytes());
    let token_file = temp_file("verbose-token", FILE_TOKEN.as_bytes());
    let file_source = format!("--token-file {}", path_str(&token_file));
    let login_source = format!(
        "the Coveo CLI's login {}",
        path_str(&dir.join("config.json"))
    );
    for (envs, extra, source) in [
        (
            vec![],
            vec!["--token-file", path_str(&token_file)],
            file_source.as_str(),
        ),
        (vec![("COVEO_TOKEN", os(ENV_TOKEN))], vec![], "COVEO_TOKEN"),
        (vec![], vec![], login_source.as_str()),
    ] {
        let s = StandIn::platform(login_platform());
        let mut envs = envs;
        envs.push(("COVEO_CONFIG_DIR", dir.as_os_str()));
        let mut extra = extra;
        extra.push("--verbose");
        let run = delete_with(&s, &envs, &extra);
        assert_eq!(run.status, 0, "{run:#?}");
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 2, "source line, one attempt: {run:#?}");
        assert_eq!(
            lines[0],
            format!(
                "coveo-org-delete: token from {source}; requests go to {}",
                s.url()
            )
        );
        hides_every_token(&run);
    }
}

/// A 401 or 403 for `acme1` with a token from `envs`; its stderr line.
fn refused_line(p: Platform, envs: &[(&str, &OsStr)], status: i32) -> String {
    let s = StandIn::platform(p);
    let run = delete_with(&s, envs, &["--retries", "0"]);
    assert_eq!(run.status, status, "{run:#?}");
    hides_every_token(&run);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:#?}");
    lines[0].to_owned()
}

/// The stderr line of a DELETE answered with `reply`, for the token in `COVEO_TOKEN`.
fn stderr_of(reply: Reply) -> String {
    let s = StandIn::script(vec![Action::Reply(reply)]);
    let run = crate::support::bin::delete_at(&s.url(), &["--retries", "0", "acme1"]);
    assert_eq!(run.status, 3, "{run:#?}");
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{run:#?}");
    run.assert_hides(SECRET);
    lines[0].to_owned()
}

/// A token refused with 403 may lack the privilege, as one refused with 401 may have expired:
/// both get the same hint about the token.
#[test]
fn a_403_gets_the_same_token_hint_as_a_401() {
    let hint_of = |line: &str| -> String {
        let (_, hint) = line
            .split_once("; hint:")
            .unwrap_or_else(|| panic!("no hint on the stderr line: {line}"));
        hint.trim().to_owned()
    };
    let after_401 = stderr_of(
        Reply::new(401).json(r#"{"error":"invalid_token","error_description":"Expired"}"#),
    );
    let after_403 = stderr_of(Reply::new(403).json(
        r#"{"message":"You are not authorized to edit this organization.","errorCode":"ACCESS_DENIED"}"#,
    ));
    assert!(
        after_403.starts_with("coveo-org-delete: acme1: forbidden (HTTP 403 ACCESS_DENIED)"),
        "{after_403}"
    );
    let hint = hint_of(&after_403);
    assert!(hint.contains("Organization - Edit"), "{after_403}");
    assert_eq!(hint, hint_of(&after_401), "the same hint after 401 and 403");
}

#[test]
fn the_hint_after_a_401_fits_the_token_source() {
    // The platform does not know the login's token any more: it has expired.
    let expired = Platform::new().org("acme1", "Acme One");
    let dir = login_dir(cli_config(LOGIN_TOKEN, "").as_bytes());
    let line = refused_line(expired.clone(), &[("COVEO_CONFIG_DIR", dir.as_os_str())], 3);
    assert!(
        line.starts_with("coveo-org-delete: acme1: unauthorized (HTTP 401"),
        "{line}"
    );
    for part in ["may have expired", "24 hours", "coveo auth:login"] {
        assert!(line.contains(part), "{part:?}: {line}");
    }
    assert!(!line.contains("auth:token"), "{line}");

    // A token from COVEO_TOKEN gets the general hint, with the right lifetimes.
    let line = refused_line(expired, &[("COVEO_TOKEN", os(ENV_TOKEN))], 3);
    for part in [
        "only an access token tied to a user",
        "API keys",
        "Coveo CLI's tokens last 24 hours",
        "Administration Console session tokens at most 4 hours",
    ] {
        assert!(line.contains(part), "{part:?}: {line}");
    }
    assert!(!line.contains("expire after at most 4 hours"), "{line}");
}

/// A login whose `config.json` was last written `hours` ago.
fn login_saved_ago(hours: u64) -> PathBuf {
    let dir = login_dir(cli_config(LOGIN_TOKEN, "").as_bytes());
    let saved = std::time::SystemTime::now() - std::time::Duration::from_secs(hours * 3600 + 60);
    std::fs::File::options()
        .write(true)
        .open(dir.join("config.json"))
        .and_then(|f| f.set_modified(saved))
        .expect("set the login's modification time");
    dir
}

#[test]
fn the_hint_after_a_401_says_how_old_the_login_is() {
    let expired = Platform::new().org("acme1", "Acme One");
    for (hours, said) in [
        (
            27,
            "it was saved 27 hours ago, and its tokens last 24 hours",
        ),
        (1, "it was saved 1 hour ago, and its tokens last 24 hours"),
        (
            0,
            "it was saved less than an hour ago, and its tokens last 24 hours",
        ),
    ] {
        let dir = login_saved_ago(hours);
        let line = refused_line(expired.clone(), &[("COVEO_CONFIG_DIR", dir.as_os_str())], 3);
        assert!(
            line.contains(&format!(
                "hint: the Coveo CLI's login may have expired: {said}; run 'coveo auth:login' again"
            )),
            "{hours} h: {line}"
        );
    }
    // A 403 is no expiry: no age is told.
    let dir = login_saved_ago(27);
    let viewer = Platform::new()
        .token(LOGIN_TOKEN, false)
        .org("acme1", "Acme One");
    let line = refused_line(viewer, &[("COVEO_CONFIG_DIR", dir.as_os_str())], 3);
    assert!(!line.contains("hours ago"), "{line}");
}

#[test]
fn an_anonymous_login_is_told_that_only_a_users_login_can_delete() {
    let anonymous =
        cli_config(LOGIN_TOKEN, "").replace(r#""anonymous":false"#, r#""anonymous":true"#);
    let dir = login_dir(anonymous.as_bytes());
    let envs = [("COVEO_CONFIG_DIR", dir.as_os_str())];
    // 401: the API key is not accepted at all; 403: accepted, but may not delete.
    let unknown = Platform::new().org("acme1", "Acme One");
    let viewer = Platform::new()
        .token(LOGIN_TOKEN, false)
        .org("acme1", "Acme One");
    for (p, kind) in [
        (unknown, "unauthorized (HTTP 401"),
        (viewer, "forbidden (HTTP 403"),
    ] {
        let line = refused_line(p, &envs, 3);
        assert!(
            line.starts_with(&format!("coveo-org-delete: acme1: {kind}")),
            "{line}"
        );
        for part in ["coveo auth:token", "API key", "only a user's login"] {
            assert!(line.contains(part), "{part:?}: {line}");
        }
        assert!(!line.contains("may have expired"), "{line}");
    }
}

#[test]
fn a_403_with_a_login_names_the_privilege() {
    let dir = login_dir(cli_config(LOGIN_TOKEN, "").as_bytes());
    let viewer = Platform::new()
        .token(LOGIN_TOKEN, false)
        .org("acme1", "Acme One");
    let line = refused_line(viewer, &[("COVEO_CONFIG_DIR", dir.as_os_str())], 3);
    assert!(
        line.contains("forbidden (HTTP 403 ACCESS_DENIED)"),
        "{line}"
    );
    assert!(line.contains("Organization - Edit"), "{line}");
    assert!(line.contains("the user of the Coveo CLI's login"), "{line}");
    assert!(
        !line.contains("API keys"),
        "the login's own hint, not the general one: {line}"
    );
}

#[test]
fn the_login_serves_a_listing_too() {
    let s = StandIn::platform(login_platform().only_gets());
    let dir = login_dir(cli_config(LOGIN_TOKEN, r#""region":"eu""#).as_bytes());
    let run = cmd()
        .env("COVEO_CONFIG_DIR", &dir)
        .platform(&s.url())
        .arg("--list")
        .run();
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.lines.len(), 2, "{run:#?}");
    expect_line(
        &run.lines[0],
        listed("acme1")
            .set("display_name", "Acme One")
            .set("read_only", false)
            .set("lifecycle_state", "ACTIVE"),
    );
    assert_eq!(run.stdout.lines().last(), Some(end_line(1).as_str()));
    assert_eq!(bearers(&s), [LOGIN_TOKEN]);
    hides_every_token(&run);
    s.assert_no_violations();
}

//! Options and environment to the [`Config`] of a run. Values here may come from a flag or
//! from an environment variable: a bad one is a `usage` error from a flag, a `config` error
//! from the environment (contract section 1).

use crate::cli::Options;
use crate::kind::{Failure, Kind};
use crate::target::{self, Base};
use std::path::Path;
use std::time::Duration;
use ureq::tls::Certificate;

/// The bearer token. Its `Debug` never shows it, so no error path can print it by accident.
pub struct Token(String);

impl Token {
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(hidden)")
    }
}

#[derive(Debug)]
pub struct Config {
    pub base: Base,
    pub token: Token,
    /// Proxy URL for ureq, or none to go direct.
    pub proxy: Option<String>,
    /// Roots from `--ca-file`/`SSL_CERT_FILE`; none means the built-in Mozilla roots.
    pub roots: Option<Vec<Certificate<'static>>>,
    pub timeout: Duration,
    pub retries: u32,
    pub yes: bool,
    pub dry_run: bool,
    pub missing_ok: bool,
    pub verbose: bool,
}

/// Environment variables, empty ones counting as unset.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A value and where it came from, so that a bad one gets the right kind of error.
struct Setting {
    value: String,
    origin: String,
    kind: Kind,
}

fn setting(flag: &Option<String>, flag_name: &str, env: Env, var: &str) -> Option<Setting> {
    match flag {
        Some(v) => Some(Setting {
            value: v.clone(),
            origin: flag_name.to_owned(),
            kind: Kind::Usage,
        }),
        None => env(var).map(|value| Setting {
            value,
            origin: var.to_owned(),
            kind: Kind::Config,
        }),
    }
}

fn one_of(s: Option<Setting>, allowed: &[&str], default: &str) -> Result<(String, Kind), Failure> {
    match s {
        None => Ok((default.to_owned(), Kind::Config)),
        Some(s) if allowed.contains(&s.value.as_str()) => Ok((s.value, s.kind)),
        Some(s) => Err(Failure::new(
            s.kind,
            format!(
                "{} must be one of {}, not '{}'",
                s.origin,
                allowed.join(", "),
                s.value.escape_debug()
            ),
        )),
    }
}

pub fn build(o: &Options, env: Env) -> Result<Config, Failure> {
    let region = one_of(
        setting(&o.region, "--region", env, "COVEO_REGION"),
        target::REGIONS,
        "us",
    )?;
    let environment = one_of(
        setting(&o.environment, "--environment", env, "COVEO_ENVIRONMENT"),
        target::ENVIRONMENTS,
        "prod",
    )?;
    let base = match setting(&o.platform_url, "--platform-url", env, "COVEO_PLATFORM_URL") {
        // Contract section 2: a rejected platform URL is a config error, flag or not.
        Some(url) => Base::parse(&url.value).map_err(Failure::config)?,
        None => {
            let host = target::platform_host(&region.0, &environment.0).map_err(|m| {
                // Usage only when both halves of the bad pair came from flags.
                let kind = if region.1 == Kind::Usage && environment.1 == Kind::Usage {
                    Kind::Usage
                } else {
                    Kind::Config
                };
                Failure::new(kind, m)
            })?;
            Base::for_host(host)
        }
    };
    let token = token(o.token_file.as_deref(), env)?;
    let roots = match (&o.ca_file, env("SSL_CERT_FILE")) {
        (Some(path), _) => Some(load_roots(path, "--ca-file")?),
        (None, Some(path)) => Some(load_roots(Path::new(&path), "SSL_CERT_FILE")?),
        (None, None) => None,
    };
    let proxy = crate::proxy::select(&base, env).map_err(Failure::config)?;
    Ok(Config {
        base,
        token,
        proxy,
        roots,
        timeout: o.timeout,
        retries: o.retries,
        yes: o.yes,
        dry_run: o.dry_run,
        missing_ok: o.missing_ok,
        verbose: o.verbose,
    })
}

/// `--token-file` wins over `COVEO_TOKEN`. Messages never include the token.
fn token(file: Option<&Path>, env: Env) -> Result<Token, Failure> {
    let (text, origin) = match file {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| {
                Failure::config(format!(
                    "cannot read --token-file {}: {}",
                    path.display(),
                    io_reason(&e)
                ))
            })?;
            let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
            let text = String::from_utf8(first.to_vec()).map_err(|_| {
                Failure::config(format!("the token in {} is not valid text", path.display()))
            })?;
            (text, format!("--token-file {}", path.display()))
        }
        None => (
            env("COVEO_TOKEN").unwrap_or_default(),
            "COVEO_TOKEN".to_owned(),
        ),
    };
    let token = text.trim();
    if token.is_empty() {
        return Err(Failure::config(format!(
            "no token: {origin} is missing or empty; set COVEO_TOKEN or use --token-file FILE \
             with the access token of a user who may delete the organization"
        )));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Failure::config(format!(
            "the token from {origin} contains whitespace, control or non-ASCII characters"
        )));
    }
    Ok(Token(token.to_owned()))
}

fn load_roots(path: &Path, origin: &str) -> Result<Vec<Certificate<'static>>, Failure> {
    let pem = std::fs::read(path).map_err(|e| {
        Failure::config(format!(
            "cannot read {origin} {}: {}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(_) => {
                return Err(Failure::config(format!(
                    "{origin} {} is not a valid PEM file",
                    path.display()
                )))
            }
        }
    }
    if certs.is_empty() {
        return Err(Failure::config(format!(
            "{origin} {} holds no PEM certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// The reason without the OS error number, e.g. "No such file or directory".
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

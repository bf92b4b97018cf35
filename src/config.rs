//! Options and environment to the [`Config`] of a run. Values here may come from a flag or
//! from an environment variable: a bad one is a `usage` error from a flag, a `config` error
//! from the environment (a rejected base URL is `config` either way: see the README,
//! "Behaviour details").

use crate::cli::Options;
use crate::input::{
    longer_than, non_empty, read_bounded, read_regular, variable, Env, UNSET_VARIABLE,
};
use crate::outcome::{Error, Kind};
use crate::target::{self, Base};
use crate::token::{Rejected, Token, TOKEN_LIMIT};
use std::path::{Path, PathBuf};
use std::time::Duration;
use ureq::tls::Certificate;

/// Where the token came from, for `--verbose` and for the hints after a 401 or 403.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    File(PathBuf),
    Env,
    /// The Coveo CLI's login (`coveo auth:login`).
    Login(crate::login::Login),
}

impl TokenSource {
    /// The hint after a 401 or 403 when this source calls for its own; `None`: the general one.
    pub fn hint(&self, kind: Kind) -> Option<String> {
        match self {
            TokenSource::Login(login) => login.hint(kind, std::time::SystemTime::now()),
            _ => None,
        }
    }
}

impl std::fmt::Display for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSource::File(p) => write!(f, "--token-file {}", p.display()),
            TokenSource::Env => f.write_str("COVEO_TOKEN"),
            TokenSource::Login(login) => f.write_str(&crate::login::describe(&login.path)),
        }
    }
}

#[derive(Debug)]
pub struct Config {
    pub base: Base,
    pub token: Token,
    pub token_source: TokenSource,
    /// The proxy, or none to go direct.
    pub proxy: Option<crate::proxy::Proxy>,
    /// Roots from `--ca-file`/`SSL_CERT_FILE`; none means the built-in Mozilla roots.
    pub roots: Option<Vec<Certificate<'static>>>,
    pub timeout: Duration,
    pub retries: u32,
    pub yes: bool,
    pub dry_run: bool,
    pub missing_ok: bool,
    pub verbose: bool,
}

/// A variable that names the platform. Empty is an error even when a flag would override
/// it: `COVEO_PLATFORM_URL="$STAGING_URL"` with the variable unset must never mean production.
fn platform_var(env: Env, var: &str) -> Result<Option<String>, Error> {
    match variable(env, var)? {
        Some(v) if v.is_empty() => Err(Error::config(format!(
            "{var} is set but empty {UNSET_VARIABLE}; give it a value or unset it"
        ))),
        other => Ok(other),
    }
}

/// A path variable: any bytes; empty counts as unset, as in curl.
fn path_var(env: Env, var: &str) -> Option<PathBuf> {
    non_empty(env, var).map(PathBuf::from)
}

/// A value and where it came from, so that a bad one gets the right kind of error.
struct Setting {
    value: String,
    origin: String,
    kind: Kind,
}

fn setting(
    flag: &Option<String>,
    flag_name: &'static str,
    from_env: Option<String>,
    var: &'static str,
) -> Option<Setting> {
    match (flag, from_env) {
        (Some(v), _) => Some(Setting {
            value: v.clone(),
            origin: flag_name.to_owned(),
            kind: Kind::Usage,
        }),
        (None, Some(value)) => Some(Setting {
            value,
            origin: var.to_owned(),
            kind: Kind::Config,
        }),
        (None, None) => None,
    }
}

/// The `key` (`region`, `environment`) of the Coveo CLI's login, when the token is the
/// login's: the platform comes with its token. A bad value is a `config` error naming the file.
fn login_setting(login: Option<&crate::login::Login>, key: &str) -> Option<Setting> {
    let login = login?;
    let value = match key {
        "region" => login.region.clone(),
        _ => login.environment.clone(),
    }?;
    Some(Setting {
        value,
        origin: format!("the {key} in {}", crate::login::describe(&login.path)),
        kind: Kind::Config,
    })
}

/// A name from `allowed`, in any letter case; `(name, kind of a later error about it)`.
fn one_of(s: Option<Setting>, allowed: &[&str], default: &str) -> Result<(String, Kind), Error> {
    match s {
        None => Ok((default.to_owned(), Kind::Config)),
        Some(s) => match target::choose(&s.value, allowed) {
            Some(name) => Ok((name, s.kind)),
            None => Err(Error::new(
                s.kind,
                target::not_one_of(&s.origin, allowed, &s.value),
            )),
        },
    }
}

pub fn build(o: &Options, env: Env) -> Result<Config, Error> {
    // All three are read first: an empty one is an error whatever the flags say.
    let env_region = platform_var(env, "COVEO_REGION")?;
    let env_environment = platform_var(env, "COVEO_ENVIRONMENT")?;
    let env_url = platform_var(env, "COVEO_PLATFORM_URL")?;
    if env_url.is_some() && o.platform_url.is_none() {
        // The flag would be silently beaten by a variable the user may not know is set.
        for (given, flag) in [(&o.region, "--region"), (&o.environment, "--environment")] {
            if given.is_some() {
                return Err(Error::config(format!(
                    "{flag} was given but COVEO_PLATFORM_URL is set, and it decides where requests go; drop {flag} or unset COVEO_PLATFORM_URL"
                )));
            }
        }
    }
    let (token, token_source) = token(o.token_file.as_deref(), env)?;
    // The login's region and environment apply unless a flag or a variable says otherwise.
    let login = match &token_source {
        TokenSource::Login(l) if o.platform_url.is_none() && env_url.is_none() => Some(l),
        _ => None,
    };
    let region = one_of(
        setting(&o.region, "--region", env_region, "COVEO_REGION")
            .or_else(|| login_setting(login, "region")),
        target::REGIONS,
        "us",
    )?;
    let environment = one_of(
        setting(
            &o.environment,
            "--environment",
            env_environment,
            "COVEO_ENVIRONMENT",
        )
        .or_else(|| login_setting(login, "environment")),
        target::ENVIRONMENTS,
        "prod",
    )?;
    let base = match o.platform_url.clone().or(env_url) {
        // A rejected base URL is a config error, flag or not: it is the one setting whose
        // mistake decides which platform receives the token.
        Some(url) => Base::parse(&url).map_err(Error::config)?,
        None => {
            let host = target::platform_host(&region.0, &environment.0).map_err(|m| {
                // Usage only when both halves of the bad pair came from flags.
                let kind = if region.1 == Kind::Usage && environment.1 == Kind::Usage {
                    Kind::Usage
                } else {
                    Kind::Config
                };
                Error::new(kind, m)
            })?;
            Base::for_host(host)
        }
    };
    let roots = match (&o.ca_file, path_var(env, "SSL_CERT_FILE")) {
        (Some(path), _) => Some(load_roots(path, "--ca-file")?),
        (None, Some(path)) => Some(load_roots(&path, "SSL_CERT_FILE")?),
        (None, None) => None,
    };
    // Proxy variables that are empty count as unset, as in curl.
    let proxy = crate::proxy::select(&base, |var| variable(&|v| non_empty(env, v), var))?;
    Ok(Config {
        base,
        token,
        token_source,
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

/// `--token-file` reads at most this much: the token is on the first line.
const TOKEN_FILE_LIMIT: u64 = 64 * 1024;

/// Where a token may come from, for the messages about a missing or empty one.
const TOKEN_SOURCES: &str = "a token comes from --token-file FILE, else COVEO_TOKEN (set but empty, it does not fall through), else the Coveo CLI's login: run 'coveo auth:login', or set COVEO_TOKEN to the access token of a user who may delete the organization";

/// The first of `--token-file`, `COVEO_TOKEN` and the Coveo CLI's login. Messages never
/// include the token.
fn token(file: Option<&Path>, env: Env) -> Result<(Token, TokenSource), Error> {
    let (raw, source) = if let Some(path) = file {
        (token_file_line(path)?, TokenSource::File(path.to_owned()))
    } else if let Some(v) = variable(env, "COVEO_TOKEN")? {
        // Set but empty is an error below: it never falls through to another source.
        (v, TokenSource::Env)
    } else {
        match crate::login::read(env)? {
            Ok((raw, login)) => (raw, TokenSource::Login(login)),
            Err(why) => {
                return Err(Error::config(format!(
                    "no token: no --token-file, COVEO_TOKEN is not set, and {why}; {TOKEN_SOURCES}"
                )))
            }
        }
    };
    Ok((checked_token(&raw, &source)?, source))
}

/// The token `raw` stands for, or a `config` error that says what is wrong with it.
fn checked_token(raw: &str, source: &TokenSource) -> Result<Token, Error> {
    Token::from_raw(raw).map_err(|why| {
        Error::config(match why {
            Rejected::Empty => {
                format!("no token: {source} is empty or holds only 'Bearer'; {TOKEN_SOURCES}")
            }
            Rejected::NotPrintable => format!(
                "the token from {source} contains whitespace, control or non-ASCII characters; {TOKEN_SOURCES}"
            ),
            Rejected::TooLong(len) => format!(
                "the token from {source} is {len} bytes long; at most {TOKEN_LIMIT} are accepted"
            ),
        })
    })
}

/// The first line of a token file, read no further than [`TOKEN_FILE_LIMIT`] bytes.
fn token_file_line(path: &Path) -> Result<String, Error> {
    let origin = format!("--token-file {}", path.display());
    let (bytes, more) = read_bounded(path, TOKEN_FILE_LIMIT, &origin)?;
    let first = match bytes.iter().position(|&b| b == b'\n') {
        Some(end) => &bytes[..end],
        None if more => {
            return Err(Error::config(format!(
                "{}; the token is on its first line",
                longer_than(&format!("the first line of {origin}"), TOKEN_FILE_LIMIT)
            )))
        }
        None => &bytes[..],
    };
    String::from_utf8(first.to_vec())
        .map_err(|_| Error::config(format!("the token in {origin} is not valid text")))
}

/// A CA bundle is some hundreds of KiB at most (Mozilla's whole set is about 220 KiB).
const CA_FILE_LIMIT: u64 = 1024 * 1024;

fn load_roots(path: &Path, origin: &str) -> Result<Vec<Certificate<'static>>, Error> {
    let origin = format!("{origin} {}", path.display());
    let pem = read_regular(path, CA_FILE_LIMIT, &origin)?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(_) => return Err(Error::config(format!("{origin} is not a valid PEM file"))),
        }
    }
    if certs.is_empty() {
        return Err(Error::config(format!("{origin} holds no PEM certificate")));
    }
    Ok(certs)
}

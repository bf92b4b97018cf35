//! Command-line words to [`Options`]. Every flag is one row of [`FLAGS`], from which the
//! parsing, the suggestions for a mistyped flag and the help's option list are made (and the
//! man page and shell completions, generated from it and committed). Only what the command
//! line itself says is checked here, but all of it: a bad value given as a flag is a `usage`
//! error before anything about the environment is looked at (`config` checks the rest).

use crate::input::UNSET_VARIABLE;
use crate::outcome::Error;
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;
use std::time::Duration;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One option of the command line.
#[derive(Debug)]
pub struct Flag {
    /// `--dry-run`.
    pub long: &'static str,
    /// `-n`, for the options that have one.
    pub short: Option<&'static str>,
    /// The name of its value in the help (`SECS`), for an option that takes one.
    pub value: Option<&'static str>,
    /// The environment variable that stands in for it when it is not given.
    pub env: Option<&'static str>,
    /// What it does, in words for the help (wrapped there) and the man page.
    pub help: &'static str,
    /// What a shell completes after it.
    pub completes: Completes,
}

/// What a shell completes as the value of an option.
#[derive(Debug, PartialEq, Eq)]
pub enum Completes {
    Nothing,
    File,
    Words(&'static [&'static str]),
}

/// Organization types as the platform names them, for completion only: `--type` takes any.
pub const TYPES: &[&str] = &["Test", "Production", "Developer", "Trial", "Sandbox"];

const fn switch(long: &'static str, short: Option<&'static str>, help: &'static str) -> Flag {
    Flag {
        long,
        short,
        value: None,
        env: None,
        help,
        completes: Completes::Nothing,
    }
}

const fn valued(
    long: &'static str,
    value: &'static str,
    env: Option<&'static str>,
    help: &'static str,
    completes: Completes,
) -> Flag {
    Flag {
        long,
        short: None,
        value: Some(value),
        env,
        help,
        completes,
    }
}

/// Every option, in the order of the help.
pub const FLAGS: &[Flag] = &[
    switch("--yes", Some("-y"), "Delete without asking"),
    switch(
        "--dry-run",
        Some("-n"),
        "Check that each organization exists and that the token may delete it; never delete",
    ),
    switch(
        "--missing-ok",
        None,
        "An organization that does not exist counts as success (result \"already_absent\")",
    ),
    valued(
        "--region",
        "R",
        Some("COVEO_REGION"),
        "us (default), eu, au or ca; any letter case",
        Completes::Words(crate::target::REGIONS),
    ),
    valued(
        "--environment",
        "E",
        Some("COVEO_ENVIRONMENT"),
        "prod (default), hipaa (us only), dev or stg; any letter case",
        Completes::Words(crate::target::ENVIRONMENTS),
    ),
    valued(
        "--platform-url",
        "URL",
        Some("COVEO_PLATFORM_URL"),
        "Base URL, https:// (http:// only for a loopback address); overrides region and environment",
        Completes::Nothing,
    ),
    valued(
        "--token-file",
        "FILE",
        None,
        "Read the token from FILE's first line, instead of COVEO_TOKEN or the Coveo CLI's login",
        Completes::File,
    ),
    valued(
        "--timeout",
        "SECS",
        None,
        "Deadline of one attempt, from connecting to the answer's last byte, in seconds (default 30)",
        Completes::Nothing,
    ),
    valued(
        "--retries",
        "N",
        None,
        "Extra attempts after a temporary failure (default 3)",
        Completes::Nothing,
    ),
    valued(
        "--ca-file",
        "FILE",
        Some("SSL_CERT_FILE"),
        "Trust exactly the CA certificates in this PEM file instead of the built-in Mozilla roots",
        Completes::File,
    ),
    valued(
        "--from-file",
        "FILE",
        None,
        "Organization IDs, one per line ('-': stdin); '#' comments and blank lines skipped; a JSON line of this tool stands for its organization_id; a listing that did not end with its end_of_list line, or that holds a failure line, deletes nothing",
        Completes::File,
    ),
    switch(
        "--allow-production",
        None,
        "Let a listed organization of type Production in --from-file be deleted (without it, such a list deletes nothing)",
    ),
    switch(
        "--list",
        None,
        "List the organizations the token can see, one JSON line each, oldest first, then an end_of_list line; sends only GETs",
    ),
    valued(
        "--name-prefix",
        "P",
        None,
        "With --list: keep display names that start with P (exact case)",
        Completes::Nothing,
    ),
    valued(
        "--type",
        "T",
        None,
        "With --list: keep organizations of type T, such as Test (any letter case)",
        Completes::Words(TYPES),
    ),
    valued(
        "--older-than",
        "AGE",
        None,
        "With --list: keep organizations created more than AGE ago; AGE is a whole number and s, m, h, d or w (any case), such as 36h or 7d",
        Completes::Nothing,
    ),
    switch(
        "--verbose",
        Some("-v"),
        "On stderr: where the token came from and where requests go, then one line per HTTP attempt",
    ),
    switch("--help", Some("-h"), "Print this help"),
    switch("--version", Some("-V"), "Print the version"),
];

/// The row of `long`, an option of the table.
fn flag(long: &str) -> &'static Flag {
    FLAGS
        .iter()
        .find(|f| f.long == long)
        .unwrap_or_else(|| unreachable!("{long} is a row of FLAGS"))
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Help,
    Version,
    Run(Box<Options>),
}

/// The options of a run, as given on the command line.
#[derive(Debug, Default)]
pub struct Options {
    pub yes: bool,
    pub dry_run: bool,
    pub missing_ok: bool,
    /// A fed-back listed organization of type `Production` may be deleted.
    pub allow_production: bool,
    pub verbose: bool,
    /// Lower case, one of the regions.
    pub region: Option<String>,
    /// Lower case, one of the environments.
    pub environment: Option<String>,
    pub platform_url: Option<String>,
    pub token_file: Option<PathBuf>,
    pub timeout: Duration,
    pub retries: u32,
    pub ca_file: Option<PathBuf>,
    pub from_file: Option<PathBuf>,
    pub ids: Vec<OsString>,
    /// `--list` and its filters.
    pub list: Option<Listing>,
}

/// What `--list` keeps: every filter given, all of them together.
#[derive(Debug, Default, Clone)]
pub struct Listing {
    pub name_prefix: Option<String>,
    pub org_type: Option<String>,
    pub older_than: Option<Duration>,
}

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_RETRIES: u32 = 3;

/// The values given to options, by option, as they came.
struct Values(Vec<(&'static Flag, OsString)>);

impl Values {
    fn os(&self, long: &str) -> Option<&OsString> {
        self.0.iter().find(|(f, _)| f.long == long).map(|(_, v)| v)
    }

    fn text(&self, long: &str) -> Result<Option<String>, Error> {
        match self.os(long) {
            None => Ok(None),
            Some(v) => v
                .to_str()
                .map(|s| Some(s.to_owned()))
                .ok_or_else(|| Error::usage(format!("the value of {long} is not valid UTF-8"))),
        }
    }

    /// A path: any bytes, but not empty.
    fn path(&self, long: &str) -> Result<Option<PathBuf>, Error> {
        match self.os(long) {
            Some(v) if v.is_empty() => Err(Error::usage(format!(
                "{long} is empty {UNSET_VARIABLE}; give it a file"
            ))),
            v => Ok(v.map(PathBuf::from)),
        }
    }

    /// One of `allowed` in any letter case, lower-cased.
    fn choice(&self, long: &str, allowed: &[&str]) -> Result<Option<String>, Error> {
        match self.text(long)? {
            None => Ok(None),
            Some(v) => crate::target::choose(&v, allowed)
                .map(Some)
                .ok_or_else(|| Error::usage(crate::target::not_one_of(long, allowed, &v))),
        }
    }
}

/// Takes every option that has a value out of `words`, with its value: the next word, or
/// what follows `=` (`--timeout=5`; `--timeout=` is an empty value). A next word that is one
/// of this tool's own options is no value: an empty variable in a script left the option
/// without one, and taking the next option as a file name would hide that. Everything else
/// is returned as it was, in order.
fn take_values(words: Vec<OsString>) -> Result<(Values, Vec<OsString>), Error> {
    let mut values: Vec<(&'static Flag, OsString)> = Vec::new();
    let mut rest = Vec::new();
    let mut words = words.into_iter().peekable();
    while let Some(word) = words.next() {
        let Some((flag, joined)) = valued_option(&word) else {
            rest.push(word);
            continue;
        };
        let long = flag.long;
        let value = match joined {
            Some(v) => v,
            None => match words.peek() {
                None => {
                    return Err(Error::usage(format!(
                        "{long} needs a value: {long} VALUE, or {long}=VALUE"
                    )))
                }
                Some(next) if is_own_option(next) => {
                    return Err(Error::usage(format!(
                        "{long} has no value: the next word, {}, is one of this tool's options (an empty variable in a script or Makefile?); a value that starts like an option goes after '=': {long}=VALUE",
                        next.to_string_lossy()
                    )))
                }
                Some(_) => words.next().unwrap_or_default(),
            },
        };
        if values.iter().any(|(f, _)| f.long == long) {
            return Err(Error::usage(format!("{long} is given more than once")));
        }
        values.push((flag, value));
    }
    Ok((Values(values), rest))
}

/// An option that takes a value, as `word` names it: `--timeout` (value in the next word) or
/// `--timeout=VALUE`.
fn valued_option(word: &OsString) -> Option<(&'static Flag, Option<OsString>)> {
    let bytes = word.as_bytes();
    FLAGS.iter().filter(|f| f.value.is_some()).find_map(|f| {
        let name = f.long.as_bytes();
        match bytes.strip_prefix(name)? {
            [] => Some((f, None)),
            [b'=', value @ ..] => Some((f, Some(OsString::from_vec(value.to_vec())))),
            _ => None,
        }
    })
}

/// Whether `word` is one of this tool's options: a name of the table, or `--name=...`.
fn is_own_option(word: &OsString) -> bool {
    let Some(word) = word.to_str() else {
        return false;
    };
    let name = word.split_once('=').map_or(word, |(name, _)| name);
    FLAGS
        .iter()
        .any(|f| f.long == name || (f.short == Some(word)))
}

/// pico-args' keys of a switch: `["-y", "--yes"]`, or `--missing-ok` alone.
fn switch_given(p: &mut pico_args::Arguments, long: &str) -> bool {
    let f = flag(long);
    match f.short {
        Some(short) => p.contains([short, f.long]),
        None => p.contains(f.long),
    }
}

pub fn parse(args: Vec<OsString>) -> Result<Command, Error> {
    // Everything after the first `--` is an organization ID, whatever it looks like.
    let split = args.iter().position(|a| a == "--");
    let (words, after_dashes) = match split {
        Some(i) => (args[..i].to_vec(), args[i + 1..].to_vec()),
        None => (args, Vec::new()),
    };
    // Help and version win over any mistake beside them, but not where a value belongs:
    // `--timeout --help` is an empty variable before `--help`, and printing the help would
    // exit 0 for a run that did nothing (`take_values` says the value is missing).
    let asked = |long: &str| {
        let f = flag(long);
        words.iter().enumerate().any(|(i, w)| {
            let in_value_slot = i > 0 && matches!(valued_option(&words[i - 1]), Some((_, None)));
            (w == f.long || f.short.is_some_and(|s| w == s)) && !in_value_slot
        })
    };
    if asked("--help") {
        return Ok(Command::Help);
    }
    if asked("--version") {
        return Ok(Command::Version);
    }
    let (values, rest) = take_values(words)?;
    // What is left holds no value of an option: pico-args cannot mistake one for a switch.
    let mut p = pico_args::Arguments::from_vec(rest);
    let mut o = Options {
        yes: switch_given(&mut p, "--yes"),
        dry_run: switch_given(&mut p, "--dry-run"),
        missing_ok: switch_given(&mut p, "--missing-ok"),
        allow_production: switch_given(&mut p, "--allow-production"),
        verbose: switch_given(&mut p, "--verbose"),
        ..Options::default()
    };
    let list = switch_given(&mut p, "--list");
    read_values(&mut o, &values)?;
    let listing = listing(&values)?;
    o.ids = positionals(p, after_dashes)?;
    if list {
        check_list_alone(&o)?;
        o.list = Some(listing);
    } else {
        check_deletion(&o, &listing)?;
    }
    Ok(Command::Run(Box::new(o)))
}

/// The values of the options of every run: the platform, the token file, the lists, the
/// deadline and the retries.
fn read_values(o: &mut Options, values: &Values) -> Result<(), Error> {
    o.region = values.choice("--region", crate::target::REGIONS)?;
    o.environment = values.choice("--environment", crate::target::ENVIRONMENTS)?;
    // A rejected base URL is a config error however it was given, this one included.
    o.platform_url = values
        .text("--platform-url")
        .map_err(|f| Error::config(f.message))?;
    o.token_file = values.path("--token-file")?;
    o.ca_file = values.path("--ca-file")?;
    o.from_file = values.path("--from-file")?;
    o.timeout = match values.text("--timeout")? {
        Some(s) => parse_timeout(&s).ok_or_else(|| {
            Error::usage(format!(
                "--timeout takes a number of seconds greater than 0, such as 30 or 2.5, not '{}'",
                s.escape_debug()
            ))
        })?,
        None => DEFAULT_TIMEOUT,
    };
    o.retries = match values.text("--retries")? {
        Some(s) => s.parse::<u32>().map_err(|_| {
            Error::usage(format!(
                "--retries takes a whole number of 0 or more, such as 3, not '{}'",
                s.escape_debug()
            ))
        })?,
        None => DEFAULT_RETRIES,
    };
    Ok(())
}

/// The filters of `--list`, as given (whether they may be given is checked later).
fn listing(values: &Values) -> Result<Listing, Error> {
    Ok(Listing {
        name_prefix: non_empty(values.text("--name-prefix")?, "--name-prefix")?,
        org_type: non_empty(values.text("--type")?, "--type")?,
        older_than: match values.text("--older-than")? {
            Some(s) => Some(parse_age(&s).ok_or_else(|| {
                Error::usage(format!(
                    "--older-than takes a whole number followed by s, m, h, d or w (any letter case), such as 36h or 7d, not '{}'",
                    s.escape_debug()
                ))
            })?),
            None => None,
        },
    })
}

/// The organization IDs: the words no option took, then every word after `--`. A word left
/// over that starts with `-` is a mistyped or repeated option.
fn positionals(
    p: pico_args::Arguments,
    after_dashes: Vec<OsString>,
) -> Result<Vec<OsString>, Error> {
    let mut ids = Vec::new();
    for arg in p.finish() {
        match arg.to_str() {
            Some(a) if a.starts_with('-') && a.len() > 1 => return Err(unknown_option(a)),
            _ => ids.push(arg),
        }
    }
    ids.extend(after_dashes);
    Ok(ids)
}

/// A deletion (or dry run) takes IDs or a list, and none of the listing's filters.
fn check_deletion(o: &Options, listing: &Listing) -> Result<(), Error> {
    for (given, flag) in [
        (listing.name_prefix.is_some(), "--name-prefix"),
        (listing.org_type.is_some(), "--type"),
        (listing.older_than.is_some(), "--older-than"),
    ] {
        if given {
            return Err(Error::usage(format!(
                "{flag} selects what --list lists, and goes only with --list; to delete what a listing shows, pipe it into: coveo-org-delete --yes --from-file -"
            )));
        }
    }
    match (&o.from_file, o.ids.is_empty()) {
        (Some(_), false) => Err(Error::usage(
            "--from-file cannot be combined with organization IDs on the command line",
        )),
        (None, true) => Err(Error::usage(
            "no organization ID given; usage: coveo-org-delete [OPTIONS] ORG_ID...",
        )),
        _ => Ok(()),
    }
}

/// `--list` only lists: anything about deleting, or IDs, is a mistake worth stopping for.
fn check_list_alone(o: &Options) -> Result<(), Error> {
    let conflict = [
        (!o.ids.is_empty(), "organization IDs"),
        (o.from_file.is_some(), "--from-file"),
        (o.yes, "--yes"),
        (o.dry_run, "--dry-run"),
        (o.missing_ok, "--missing-ok"),
        (o.allow_production, "--allow-production"),
    ]
    .into_iter()
    .find_map(|(given, what)| given.then_some(what));
    match conflict {
        Some(what) => Err(Error::usage(format!(
            "--list cannot be combined with {what}: it only lists, with GETs; to delete what it lists, pipe it into: coveo-org-delete --yes --from-file -"
        ))),
        None => Ok(()),
    }
}

/// A filter given as an empty word (`--name-prefix "$UNSET"`) would keep everything: refused.
fn non_empty(v: Option<String>, flag: &str) -> Result<Option<String>, Error> {
    match v {
        Some(s) if s.is_empty() => Err(Error::usage(format!(
            "{flag} is empty {UNSET_VARIABLE}; it would keep every organization"
        ))),
        other => Ok(other),
    }
}

/// A whole number followed by `s`, `m`, `h`, `d` or `w` in any letter case (`36h`, `7D`);
/// `None` when it is not one, or is too large to be a duration.
fn parse_age(s: &str) -> Option<Duration> {
    let unit = match s.bytes().last()?.to_ascii_lowercase() {
        b's' => 1,
        b'm' => 60,
        b'h' => 3600,
        b'd' => 86_400,
        b'w' => 604_800,
        _ => return None,
    };
    let digits = &s[..s.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(Duration::from_secs(n.checked_mul(unit)?))
}

/// Longest deadline honoured: ureq adds the deadline to the clock, and an absurd one would
/// overflow it. Over 31 years is "no deadline" for any run.
const MAX_TIMEOUT: Duration = Duration::from_secs(1_000_000_000);

/// Decimal seconds (`30`, `2.5`, `.5`, `5.`), greater than zero.
fn parse_timeout(s: &str) -> Option<Duration> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    // "" and "." pass this check; parsing refuses them below.
    if !digits(whole) || !digits(frac) {
        return None;
    }
    let d = Duration::try_from_secs_f64(s.parse::<f64>().ok()?).unwrap_or(MAX_TIMEOUT);
    (!d.is_zero()).then(|| d.min(MAX_TIMEOUT))
}

fn unknown_option(arg: &str) -> Error {
    let name = arg.split('=').next().unwrap_or(arg);
    let lower = name.to_ascii_lowercase();
    if ["token", "key", "secret", "password", "bearer"]
        .iter()
        .any(|w| lower.contains(w))
        && name != "--token-file"
    {
        return Error::usage(format!(
            "{name}: the token is never taken from the command line (other users of the machine can read it there); set COVEO_TOKEN or use --token-file FILE"
        ));
    }
    let own = FLAGS
        .iter()
        .any(|f| f.long == name || f.short == Some(name));
    if own && arg.contains('=') {
        return Error::usage(format!("{name} takes no value: {arg}"));
    }
    if own {
        return Error::usage(format!("{name} is given more than once"));
    }
    // The stderr line adds "(see --help)" to every usage error.
    match closest_option(name) {
        Some(real) => Error::usage(format!("unknown option {name}; did you mean {real}?")),
        None => Error::usage(format!(
            "unknown option {name}; an organization ID that starts with '-' goes after '--'"
        )),
    }
}

/// The long option a mistyped one was meant to be (`--dryrun`: `--dry-run`), if one is close
/// enough: a unique prefix of at least 3 letters (`--env`), or a few typos away (`--retry`).
/// A short cluster such as `-yn` gets no suggestion: options never combine, and suggesting
/// `--yes` to someone who also meant `-n` would be a poor guess.
fn closest_option(name: &str) -> Option<&'static str> {
    let typed = name.trim_start_matches('-').to_ascii_lowercase();
    let single_dash_short = !name.starts_with("--") && typed.chars().count() <= 2;
    // Long words are nobody's typo, and the distance costs their length times the option's.
    // (An empty name is never close: see the distance filter below.)
    if single_dash_short || typed.len() > 32 {
        return None;
    }
    let long = || FLAGS.iter().map(|f| f.long);
    let prefixed: Vec<&str> = long()
        .filter(|o| typed.len() >= 3 && o[2..].starts_with(&typed))
        .collect();
    if let [only] = prefixed[..] {
        return Some(only);
    }
    long()
        .map(|o| (edit_distance(&typed, &o[2..]), o))
        .filter(|&(d, o)| d <= 3 && 2 * d < o.len() - 2)
        .min_by_key(|&(d, _)| d)
        .map(|(_, o)| o)
}

/// Edits (insert, delete, replace, swap two neighbours) from `a` to `b`: the optimal string
/// alignment distance, on bytes.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // d[i][j]: edits from a[..i] to b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let replace = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + replace);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// What a person who ran the tool without arguments at a terminal sees on stderr: how to call
/// it, in a few lines (the whole story is `--help`).
pub fn short_usage() -> String {
    "
Usage: coveo-org-delete [OPTIONS] ORG_ID...
       coveo-org-delete [OPTIONS] --from-file FILE      (FILE '-' reads the IDs from stdin)
       coveo-org-delete --list [--name-prefix P] [--type T] [--older-than AGE]

Permanently deletes Coveo Cloud V2 organizations. The token comes from --token-file FILE,
COVEO_TOKEN or the Coveo CLI's login (never from the command line).

    coveo-org-delete --dry-run ORG_ID    check that it could be deleted; delete nothing
    coveo-org-delete ORG_ID              ask you to type the ID back, then delete it
    coveo-org-delete --yes ORG_ID        delete without asking (scripts, cron)
    coveo-org-delete --list              the organizations the token can see

Every option, environment variable and exit status: coveo-org-delete --help
"
    .to_owned()
}

/// Width of the help's option list, that of its other sections.
const HELP_WIDTH: usize = 95;
/// Column where an option's description starts.
const HELP_COLUMN: usize = 30;

/// The help's option list, made from [`FLAGS`]: the names, then the description wrapped to
/// [`HELP_WIDTH`] columns, with the environment variable that stands in for the option.
fn options_help() -> String {
    let mut out = String::new();
    let mut row = |names: &str, text: &str, env: Option<&str>| {
        let indent = " ".repeat(HELP_COLUMN);
        let mut lines = wrap(text, HELP_WIDTH - HELP_COLUMN);
        if let Some(env) = env {
            end_with(
                &mut lines,
                &format!("[env: {env}]"),
                HELP_WIDTH - HELP_COLUMN,
            );
        }
        for (i, line) in lines.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("    {names:<w$}{line}\n", w = HELP_COLUMN - 4));
            } else {
                out.push_str(&format!("{indent}{line}\n"));
            }
        }
    };
    for f in FLAGS {
        let mut names = match f.short {
            Some(short) => format!("{short}, {}", f.long),
            None => format!("    {}", f.long),
        };
        if let Some(value) = f.value {
            names.push_str(&format!(" {value}"));
        }
        row(&names, f.help, f.env);
    }
    row(
        "    --",
        "End of options: every word after it is an organization ID",
        None,
    );
    out
}

/// `tag` whole at the end of the last of `lines`, or on a line of its own when it does not fit
/// there in `width` columns.
fn end_with(lines: &mut Vec<String>, tag: &str, width: usize) {
    match lines.last_mut() {
        Some(last) if last.chars().count() + 1 + tag.chars().count() <= width => {
            last.push(' ');
            last.push_str(tag);
        }
        _ => lines.push(tag.to_owned()),
    }
}

/// `text` in lines of at most `width` columns, broken between words.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// The environment variables read besides those that stand in for an option, with what each
/// is for: the help's and the man page's.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "COVEO_TOKEN",
        "The access token of a user (API keys cannot delete organizations), when --token-file is not given",
    ),
    (
        "COVEO_CONFIG_DIR, XDG_CONFIG_HOME, HOME",
        "Without --token-file and COVEO_TOKEN, the token comes from the Coveo CLI's login ('coveo auth:login'), with its region and environment: config.json in $COVEO_CONFIG_DIR, else in $XDG_CONFIG_HOME/@coveo/cli, else in $HOME/.config/@coveo/cli",
    ),
    (
        "https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY",
        "The proxy, read as curl reads it (http_proxy and HTTP_PROXY for an http:// loopback platform); HTTPS goes through a CONNECT tunnel",
    ),
    (
        "no_proxy, NO_PROXY",
        "Host names, domain suffixes and addresses reached without the proxy, or *",
    ),
];

/// Examples of the help and the man page, each with what it does; a test runs each of them
/// against the stand-in platform.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "Check that an organization could be deleted; delete nothing",
        "coveo-org-delete --dry-run mytestorg1a2b3c",
    ),
    (
        "Delete it without asking, with the token of a file",
        "coveo-org-delete --token-file ~/.coveo-token --yes mytestorg1a2b3c",
    ),
    (
        "Delete the organizations of a list in the EU region",
        "coveo-org-delete --token-file ~/.coveo-token --region eu --yes --from-file orgs.txt",
    ),
    (
        "Nightly, after a person ran 'coveo auth:login' that day: delete the test organizations of CI runs older than 2 days (a listing that did not finish deletes nothing)",
        "coveo-org-delete --list --type Test --name-prefix ci- --older-than 2d | coveo-org-delete --yes --missing-ok --from-file -",
    ),
];

/// A help section of `(names, text)` rows: the names, then the text wrapped at
/// [`HELP_COLUMN`] (on a line of its own when the names are longer than the column).
fn rows(rows: &[(String, String)]) -> String {
    let mut out = String::new();
    let indent = " ".repeat(HELP_COLUMN);
    for (names, text) in rows {
        let lines = wrap(text, HELP_WIDTH - HELP_COLUMN);
        if names.len() + 4 >= HELP_COLUMN {
            out.push_str(&format!("    {names}\n"));
        } else {
            out.push_str(&format!(
                "    {names:<w$}{}\n",
                lines[0],
                w = HELP_COLUMN - 4
            ));
        }
        let rest = if names.len() + 4 >= HELP_COLUMN {
            &lines[..]
        } else {
            &lines[1..]
        };
        for line in rest {
            out.push_str(&format!("{indent}{line}\n"));
        }
    }
    out
}

fn environment_help() -> String {
    let mut vars: Vec<(String, String)> = ENVIRONMENT
        .iter()
        .map(|(names, text)| (names.to_string(), text.to_string()))
        .collect();
    for f in FLAGS {
        if let Some(env) = f.env {
            vars.push((env.to_owned(), format!("As {}", f.long)));
        }
    }
    rows(&vars)
}

fn exit_statuses_help() -> String {
    let mut out = String::new();
    for (status, when) in crate::outcome::EXIT_STATUSES {
        let kinds = crate::outcome::kinds_of(status);
        let text = if kinds.is_empty() {
            when.to_owned()
        } else {
            format!("{when}: {}", kinds.join(", "))
        };
        for (i, line) in wrap(&text, HELP_WIDTH - 8).iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("    {status:<4}{line}\n"));
            } else {
                out.push_str(&format!("        {line}\n"));
            }
        }
    }
    out
}

fn examples_help() -> String {
    let mut out = String::new();
    for (what, command) in EXAMPLES {
        for line in wrap(what, HELP_WIDTH - 6) {
            out.push_str(&format!("    # {line}\n"));
        }
        out.push_str(&format!(
            "    {}\n",
            command.replace(" | ", " \\\n      | ")
        ));
    }
    out
}

pub fn help() -> String {
    let options = options_help();
    let environment = environment_help();
    let exit_statuses = exit_statuses_help();
    let examples = examples_help();
    format!(
        "coveo-org-delete {VERSION}
Permanently delete Coveo Cloud V2 organizations. One JSON line per organization on stdout.

USAGE:
    coveo-org-delete [OPTIONS] ORG_ID...
    coveo-org-delete [OPTIONS] --from-file FILE      (FILE '-' reads the IDs from stdin)
    coveo-org-delete --list [--name-prefix P] [--type T] [--older-than AGE] [OPTIONS]

OPTIONS:
{options}
ENVIRONMENT:
{environment}
EXIT STATUS:
{exit_statuses}    With several organizations the status is that of the first one that failed; with
    --list, that of the failure that ended the listing, else 0; an interruption overrides
    either. A list that holds a failure line of a listing (or of any run) exits with that
    failure's status, so that 'set -o pipefail' tells an expired login (3) from an outage (5).

EXAMPLES:
{examples}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mistyped_options_get_the_closest_real_one() {
        let s = |typed: &str| closest_option(typed);
        assert_eq!(s("--dryrun"), Some("--dry-run"));
        assert_eq!(s("--retry"), Some("--retries"));
        assert_eq!(s("--verbos"), Some("--verbose"));
        assert_eq!(s("--Verbose"), Some("--verbose"));
        assert_eq!(s("--env"), Some("--environment"));
        assert_eq!(s("--platform"), Some("--platform-url"));
        assert_eq!(s("-dry-run"), Some("--dry-run"));
        assert_eq!(s("--yse"), Some("--yes"));
        assert_eq!(s("--timout"), Some("--timeout"));
        assert_eq!(s("--missingok"), Some("--missing-ok"));
        for far in [
            "--foo",
            "--frobnicate",
            "-yn",
            "-x",
            "--ver",
            "--",
            "--quiet",
            "--delete",
        ] {
            assert_eq!(s(far), None, "{far}");
        }
        assert_eq!(s(&format!("--{}", "x".repeat(10_000_000))), None);
        // Two letters: a suggestion after `--`, none for a cluster of short options.
        assert_eq!(s("--ye"), Some("--yes"));
        assert_eq!(s("-ye"), None);
        // Half of the option's letters changed is too far: `--lxxt` is not `--list`.
        assert_eq!(s("--lxst"), Some("--list"));
        assert_eq!(s("--lxxt"), None);
        assert_eq!(s("-"), None);
    }

    #[test]
    fn unknown_options_are_told_apart() {
        let m = |arg| unknown_option(arg).message;
        assert!(m("--frobnicate").starts_with("unknown option --frobnicate"));
        assert!(!m("--frobnicate").contains("token"));
        assert!(m("--token").contains("never taken from the command line"));
        assert!(m("--api-key").contains("never taken from the command line"));
        assert_eq!(m("--token-file"), "--token-file is given more than once");
        assert_eq!(m("--yes=1"), "--yes takes no value: --yes=1");
        assert_eq!(m("-n=true"), "-n takes no value: -n=true");
    }

    fn run(words: &[&str]) -> Result<Options, String> {
        match parse(words.iter().map(OsString::from).collect()) {
            Ok(Command::Run(o)) => Ok(*o),
            Ok(other) => panic!("{other:?}"),
            Err(f) => Err(f.message),
        }
    }

    #[test]
    fn a_flag_without_its_value_says_so() {
        assert_eq!(
            run(&["--timeout"]).unwrap_err(),
            "--timeout needs a value: --timeout VALUE, or --timeout=VALUE"
        );
        // The next word is one of the tool's options: an empty variable left no value.
        for next in ["--from-file", "--yes", "-y", "--timeout=5", "--list"] {
            let why = run(&["--token-file", next, "x"]).unwrap_err();
            assert!(
                why.starts_with(&format!("--token-file has no value: the next word, {next}, is one of this tool's options")),
                "{next}: {why}"
            );
        }
        // Any other word is a value, even one that starts with '-'; after '=' anything is.
        let o = run(&["--yes", "--name-prefix", "--x", "--list"]);
        assert!(o.is_err(), "--list refuses --yes");
        let o = run(&["--list", "--name-prefix", "-x"]).unwrap();
        assert_eq!(o.list.unwrap().name_prefix.as_deref(), Some("-x"));
        let o = run(&["--list", "--name-prefix=--yes"]).unwrap();
        assert_eq!(o.list.unwrap().name_prefix.as_deref(), Some("--yes"));
        assert!(!o.yes);
    }

    #[test]
    fn values_follow_an_equals_sign_or_come_as_the_next_word() {
        let o = run(&["--timeout=2.5", "--retries", "7", "--region=EU", "x"]).unwrap();
        assert_eq!(o.timeout, Duration::from_millis(2500));
        assert_eq!(o.retries, 7);
        assert_eq!(o.region.as_deref(), Some("eu"));
        let o = run(&["--token-file=/t", "--ca-file=a=b", "--from-file=-"]).unwrap();
        assert_eq!(o.token_file, Some(PathBuf::from("/t")));
        assert_eq!(o.ca_file, Some(PathBuf::from("a=b")));
        assert_eq!(o.from_file, Some(PathBuf::from("-")));
        // An empty value after '=' is an empty value, judged like any value.
        assert!(run(&["--timeout=", "x"]).unwrap_err().contains("not ''"));
        assert!(run(&["--token-file=", "x"])
            .unwrap_err()
            .contains("--token-file is empty"));
        assert!(run(&["--region=", "x"]).unwrap_err().contains("not ''"));
        // Given twice, either way.
        for words in [
            ["--timeout=1", "--timeout", "2"],
            ["--timeout", "1", "--timeout=2"],
        ] {
            let mut words = words.to_vec();
            words.push("x");
            assert_eq!(
                run(&words).unwrap_err(),
                "--timeout is given more than once"
            );
        }
        // A value that is the name of an option is a value, not that option.
        let o = run(&["--name-prefix=--timeout", "--timeout", "5", "--list"]).unwrap();
        assert_eq!(o.timeout, Duration::from_secs(5));
        assert_eq!(o.list.unwrap().name_prefix.as_deref(), Some("--timeout"));
        // A look-alike is no option: `--timeoutx=5` is unknown.
        assert!(run(&["--timeoutx=5", "x"])
            .unwrap_err()
            .contains("unknown option --timeoutx"));
    }

    #[test]
    fn a_bad_region_or_environment_flag_is_usage_naming_the_value() {
        assert_eq!(
            run(&["--region", "mars", "x"]).unwrap_err(),
            "--region must be one of us, eu, au, ca, not 'mars'"
        );
        assert_eq!(
            run(&["--environment=qa", "x"]).unwrap_err(),
            "--environment must be one of prod, hipaa, dev, stg, not 'qa'"
        );
    }

    #[test]
    fn wrapping_fills_each_line_with_whole_words_and_never_passes_the_width() {
        assert_eq!(wrap("aaa bbb", 7), ["aaa bbb"]);
        assert_eq!(wrap("aaa bbb", 6), ["aaa", "bbb"]);
        assert_eq!(wrap("aaa bbb ccc", 8), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("a  b\n c", 10), ["a b c"]);
        // A word longer than the width has a line of its own, whole.
        assert_eq!(wrap("ab abcdefgh c", 4), ["ab", "abcdefgh", "c"]);
        // Counted in characters, not bytes.
        assert_eq!(wrap("éé éé", 5), ["éé éé"]);
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn a_tag_ends_the_last_line_when_it_fits_there() {
        let ended = |lines: &[&str], width| {
            let mut lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            end_with(&mut lines, "[t]", width);
            lines
        };
        // "abc [t]" is 7 columns.
        assert_eq!(ended(&["x", "abc"], 7), ["x", "abc [t]"]);
        assert_eq!(ended(&["x", "abc"], 6), ["x", "abc", "[t]"]);
        assert_eq!(ended(&["éé"], 6), ["éé [t]"]);
    }

    #[test]
    fn help_rows_start_their_text_at_one_column_or_on_the_next_line() {
        let row = |names: &str, text: &str| rows(&[(names.to_owned(), text.to_owned())]);
        let column = " ".repeat(HELP_COLUMN);
        // Names that leave room before the column: the text starts on their line.
        let names = "n".repeat(HELP_COLUMN - 5);
        assert_eq!(row(&names, "text"), format!("    {names} text\n"));
        // Names that reach the column: the text goes to the next line, at the column.
        let names = "n".repeat(HELP_COLUMN - 4);
        assert_eq!(row(&names, "text"), format!("    {names}\n{column}text\n"));
        // A text longer than a line goes on below, at the column.
        let long = "word ".repeat(20);
        let shown = row("x", &long);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 2, "{shown}");
        assert!(lines[0].starts_with(&format!("    x{}word", " ".repeat(HELP_COLUMN - 5))));
        assert!(lines[1].starts_with(&format!("{column}word")));
        assert_eq!(lines[0].chars().count(), HELP_WIDTH - 1, "{shown}");
    }

    #[test]
    fn the_help_is_laid_out_in_its_columns() {
        let help = help();
        for line in help.lines() {
            assert!(line.chars().count() <= HELP_WIDTH, "too wide: {line:?}");
        }
        // An option's variable ends its last line when it fits there, never cut in two.
        assert!(help.contains(
            "\n        --region R            us (default), eu, au or ca; any letter case [env: COVEO_REGION]\n"
        ));
        assert!(help.contains(&format!(
            "\n{}[env: COVEO_ENVIRONMENT]\n",
            " ".repeat(HELP_COLUMN)
        )));
        for var in [
            "COVEO_REGION",
            "COVEO_ENVIRONMENT",
            "COVEO_PLATFORM_URL",
            "SSL_CERT_FILE",
        ] {
            assert!(help.contains(&format!("[env: {var}]")), "{var}");
        }
        // The exit statuses: the status, then its meaning and kinds wrapped under it.
        assert!(help.contains(
            "\n    2   nothing was sent: bad usage, configuration or input: usage, config,\n        invalid_organization_id,"
        ));
        assert!(help.contains("\n    130 stopped by SIGINT:"));
        // The examples: what each does as a comment, wrapped, then the command.
        assert!(help.contains(
            "\n    # Nightly, after a person ran 'coveo auth:login' that day: delete the test organizations of\n    # CI runs"
        ));
        assert!(help.contains(
            "\n    coveo-org-delete --list --type Test --name-prefix ci- --older-than 2d \\\n      | coveo-org-delete --yes --missing-ok --from-file -\n"
        ));
    }

    #[test]
    fn help_lists_every_flag_of_the_table_with_its_value_and_variable() {
        let help = help();
        for f in FLAGS {
            let names = match (f.short, f.value) {
                (Some(s), _) => format!("{s}, {}", f.long),
                (None, Some(v)) => format!("{} {v}", f.long),
                (None, None) => f.long.to_owned(),
            };
            assert!(help.contains(&names), "{names}");
            if let Some(env) = f.env {
                assert!(help.contains(&format!("[env: {env}]")), "{env}");
            }
        }
        assert!(help.lines().all(|l| l.chars().count() <= 96), "{help}");
    }

    #[test]
    fn a_lone_dash_is_an_id_not_an_option() {
        match parse(vec!["--yes".into(), "-".into()]) {
            Ok(Command::Run(o)) => assert_eq!(o.ids, [OsString::from("-")]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("dryrun", "dry-run"), 1);
        assert_eq!(edit_distance("retry", "retries"), 3);
        assert_eq!(edit_distance("yse", "yes"), 1);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("abcd", "a"), 3);
        assert_eq!(edit_distance("a", "abcd"), 3);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("abcd", "abdc"), 1);
        assert_eq!(edit_distance("xabcd", "xbacd"), 1);
        assert_eq!(edit_distance("abcdef", "abcdfe"), 1);
        assert_eq!(edit_distance("abc", "cba"), 2);
    }

    #[test]
    fn timeouts() {
        let t = |s| parse_timeout(s).map(|d| d.as_secs_f64());
        assert_eq!(t("30"), Some(30.0));
        assert_eq!(t("2.5"), Some(2.5));
        assert_eq!(t(".5"), Some(0.5));
        assert_eq!(t("5."), Some(5.0));
        assert_eq!(t("1e400"), None);
        assert_eq!(t("99999999999999999999999999"), Some(1e9));
        for bad in [
            "0", "0.0", "", ".", "-1", "1e3", "abc", "1s", " 1", "inf", "NaN",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }

    #[test]
    fn ages() {
        let a = |s| parse_age(s).map(|d| d.as_secs());
        assert_eq!(a("36h"), Some(36 * 3600));
        assert_eq!(a("7d"), Some(7 * 86_400));
        assert_eq!(a("2w"), Some(2 * 604_800));
        assert_eq!(a("90m"), Some(5400));
        assert_eq!(a("0s"), Some(0));
        assert_eq!(a("007d"), Some(7 * 86_400));
        assert_eq!(a("7D"), Some(7 * 86_400));
        assert_eq!(a("36H"), Some(36 * 3600));
        assert_eq!(a("2W"), Some(2 * 604_800));
        assert_eq!(a("90M"), Some(5400));
        assert_eq!(a("5S"), Some(5));
        for bad in [
            "",
            "d",
            "7",
            "7 d",
            " 7d",
            "-7d",
            "+7d",
            "7.5d",
            "7dd",
            "1y",
            "7é",
            "99999999999999999999s",
            "30500000000000000w",
        ] {
            assert_eq!(a(bad), None, "{bad}");
        }
    }
}

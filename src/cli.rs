//! Command-line words to [`Options`]. Only the shape of the command line is checked here;
//! values that may also come from the environment are checked in `config`.

use crate::kind::Failure;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

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
    pub region: Option<String>,
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

/// Every option, to tell a repeated or `--flag=value` option from an unknown one.
const OPTIONS: &[&str] = &[
    "-y",
    "--yes",
    "-n",
    "--dry-run",
    "--missing-ok",
    "--allow-production",
    "-v",
    "--verbose",
    "-h",
    "--help",
    "-V",
    "--version",
    "--region",
    "--environment",
    "--platform-url",
    "--token-file",
    "--timeout",
    "--retries",
    "--ca-file",
    "--from-file",
    "--list",
    "--name-prefix",
    "--type",
    "--older-than",
];

pub fn parse(args: Vec<OsString>) -> Result<Command, Failure> {
    // Everything after the first `--` is an organization ID, whatever it looks like.
    let split = args.iter().position(|a| a == "--");
    let (flags, after_dashes) = match split {
        Some(i) => (args[..i].to_vec(), args[i + 1..].to_vec()),
        None => (args, Vec::new()),
    };
    let mut p = pico_args::Arguments::from_vec(flags);

    if p.contains(["-h", "--help"]) {
        return Ok(Command::Help);
    }
    if p.contains(["-V", "--version"]) {
        return Ok(Command::Version);
    }

    let mut o = Options {
        yes: p.contains(["-y", "--yes"]),
        dry_run: p.contains(["-n", "--dry-run"]),
        missing_ok: p.contains("--missing-ok"),
        allow_production: p.contains("--allow-production"),
        verbose: p.contains(["-v", "--verbose"]),
        ..Options::default()
    };
    o.region = string_value(&mut p, "--region")?;
    o.environment = string_value(&mut p, "--environment")?;
    // A rejected base URL is a config error however it was given, this one included.
    o.platform_url =
        string_value(&mut p, "--platform-url").map_err(|f| Failure::config(f.message))?;
    o.token_file = path_value(&mut p, "--token-file")?;
    o.ca_file = path_value(&mut p, "--ca-file")?;
    o.from_file = path_value(&mut p, "--from-file")?;
    o.timeout = match string_value(&mut p, "--timeout")? {
        Some(s) => parse_timeout(&s).ok_or_else(|| {
            Failure::usage(format!(
                "--timeout takes a number of seconds greater than 0, such as 30 or 2.5, not '{s}'"
            ))
        })?,
        None => DEFAULT_TIMEOUT,
    };
    o.retries = match string_value(&mut p, "--retries")? {
        Some(s) => s.parse::<u32>().map_err(|_| {
            Failure::usage(format!(
                "--retries takes a whole number of 0 or more, such as 3, not '{s}'"
            ))
        })?,
        None => DEFAULT_RETRIES,
    };

    let list = p.contains("--list");
    let listing = Listing {
        name_prefix: non_empty(string_value(&mut p, "--name-prefix")?, "--name-prefix")?,
        org_type: non_empty(string_value(&mut p, "--type")?, "--type")?,
        older_than: match string_value(&mut p, "--older-than")? {
            Some(s) => Some(parse_age(&s).ok_or_else(|| {
                Failure::usage(format!(
                    "--older-than takes a whole number followed by s, m, h, d or w (any letter case), such as 36h or 7d, not '{}'",
                    s.escape_debug()
                ))
            })?),
            None => None,
        },
    };

    let mut ids = Vec::new();
    for arg in p.finish() {
        match arg.to_str() {
            Some(a) if a.starts_with('-') && a.len() > 1 => return Err(unknown_option(a)),
            _ => ids.push(arg),
        }
    }
    ids.extend(after_dashes);

    if list {
        check_list_alone(&o, &ids)?;
        o.list = Some(listing);
        return Ok(Command::Run(Box::new(o)));
    }
    for (given, flag) in [
        (listing.name_prefix.is_some(), "--name-prefix"),
        (listing.org_type.is_some(), "--type"),
        (listing.older_than.is_some(), "--older-than"),
    ] {
        if given {
            return Err(Failure::usage(format!(
                "{flag} selects what --list lists, and goes only with --list; to delete what a listing shows, pipe it into: coveo-org-delete --yes --from-file -"
            )));
        }
    }
    if o.from_file.is_some() && !ids.is_empty() {
        return Err(Failure::usage(
            "--from-file cannot be combined with organization IDs on the command line",
        ));
    }
    if o.from_file.is_none() && ids.is_empty() {
        return Err(Failure::usage(
            "no organization ID given; usage: coveo-org-delete [OPTIONS] ORG_ID...",
        ));
    }
    o.ids = ids;
    Ok(Command::Run(Box::new(o)))
}

/// `--list` only lists: anything about deleting, or IDs, is a mistake worth stopping for.
fn check_list_alone(o: &Options, ids: &[OsString]) -> Result<(), Failure> {
    let conflict = [
        (!ids.is_empty(), "organization IDs"),
        (o.from_file.is_some(), "--from-file"),
        (o.yes, "--yes"),
        (o.dry_run, "--dry-run"),
        (o.missing_ok, "--missing-ok"),
        (o.allow_production, "--allow-production"),
    ]
    .into_iter()
    .find_map(|(given, what)| given.then_some(what));
    match conflict {
        Some(what) => Err(Failure::usage(format!(
            "--list cannot be combined with {what}: it only lists, with GETs; to delete what it lists, pipe it into: coveo-org-delete --yes --from-file -"
        ))),
        None => Ok(()),
    }
}

/// A filter given as an empty word (`--name-prefix "$UNSET"`) would keep everything: refused.
fn non_empty(v: Option<String>, flag: &str) -> Result<Option<String>, Failure> {
    match v {
        Some(s) if s.is_empty() => Err(Failure::usage(format!(
            "{flag} is empty (an unset shell variable?); it would keep every organization"
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

fn string_value(
    p: &mut pico_args::Arguments,
    flag: &'static str,
) -> Result<Option<String>, Failure> {
    p.opt_value_from_os_str(flag, |s| {
        s.to_str().map(str::to_owned).ok_or("not valid UTF-8")
    })
    .map_err(|e| value_error(flag, e))
}

fn path_value(
    p: &mut pico_args::Arguments,
    flag: &'static str,
) -> Result<Option<PathBuf>, Failure> {
    p.opt_value_from_os_str(flag, |s| Ok::<_, &str>(PathBuf::from(s)))
        .map_err(|e| value_error(flag, e))
}

fn value_error(flag: &str, e: pico_args::Error) -> Failure {
    match e {
        pico_args::Error::OptionWithoutAValue(_) => Failure::usage(format!(
            "{flag} needs a value, as a separate word: {flag} VALUE"
        )),
        _ => Failure::usage(format!("{flag}: {e}")),
    }
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

fn unknown_option(arg: &str) -> Failure {
    let name = arg.split('=').next().unwrap_or(arg);
    let lower = name.to_ascii_lowercase();
    if ["token", "key", "secret", "password", "bearer"]
        .iter()
        .any(|w| lower.contains(w))
        && name != "--token-file"
    {
        return Failure::usage(format!(
            "{name}: the token is never taken from the command line (other users of the machine can read it there); set COVEO_TOKEN or use --token-file FILE"
        ));
    }
    if arg.contains('=') && OPTIONS.contains(&name) {
        return Failure::usage(format!(
            "{arg}: give the value as a separate word: {name} VALUE"
        ));
    }
    if OPTIONS.contains(&name) {
        return Failure::usage(format!("{name} is given more than once"));
    }
    // The stderr line adds "(see --help)" to every usage error.
    match closest_option(name) {
        Some(real) => Failure::usage(format!("unknown option {name}; did you mean {real}?")),
        None => Failure::usage(format!(
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
    let long = || OPTIONS.iter().copied().filter(|o| o.starts_with("--"));
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

pub fn help() -> String {
    format!(
        "coveo-org-delete {VERSION}
Permanently delete Coveo Cloud V2 organizations. One JSON line per organization on stdout.

USAGE:
    coveo-org-delete [OPTIONS] ORG_ID...
    coveo-org-delete [OPTIONS] --from-file FILE      (FILE '-' reads the IDs from stdin)
    coveo-org-delete --list [--name-prefix P] [--type T] [--older-than AGE] [OPTIONS]

OPTIONS:
    -y, --yes                 Delete without asking
    -n, --dry-run             Check that each organization exists and the token may delete it;
                              never delete
        --missing-ok          An organization that does not exist counts as success
                              (result \"already_absent\")
        --region R            us (default), eu, au, ca                     [env: COVEO_REGION]
        --environment E       prod (default), hipaa, dev, stg              [env: COVEO_ENVIRONMENT]
        --platform-url URL    Base URL; overrides region and environment   [env: COVEO_PLATFORM_URL]
        --token-file FILE     Read the token from FILE's first line instead of COVEO_TOKEN
                              (or the Coveo CLI's login)
        --timeout SECS        Deadline of one attempt, connect to last byte (default 30)
        --retries N           Extra attempts after a temporary failure (default 3)
        --ca-file FILE        Trust exactly the CA certificates in this PEM file
                                                                           [env: SSL_CERT_FILE]
        --from-file FILE      Organization IDs, one per line; '#' comments and blank lines skipped;
                              a JSON line of this tool stands for its organization_id; a
                              listing that did not end with its end_of_list line, or that
                              holds a failure line, deletes nothing
        --allow-production    Let a listed organization of type Production in --from-file be
                              deleted (without it, such a list deletes nothing)
        --list                List the organizations the token can see, one JSON line each,
                              oldest first, then an end_of_list line; sends only GETs
        --name-prefix P       With --list: keep display names that start with P (exact case)
        --type T              With --list: keep organizations of type T (any letter case),
                              such as Test
        --older-than AGE      With --list: keep organizations created more than AGE ago; AGE
                              is a whole number and s, m, h, d or w (any case), such as 36h
    -v, --verbose             On stderr: where the token came from and where requests go,
                              then one line per HTTP attempt
    -h, --help                Print this help
    -V, --version             Print the version
        --                    End of options

ENVIRONMENT:
    COVEO_TOKEN               Access token of a user (API keys cannot delete organizations)
    COVEO_CONFIG_DIR, XDG_CONFIG_HOME, HOME
                              Without --token-file and COVEO_TOKEN, the token comes from the
                              Coveo CLI's login ('coveo auth:login'), with its region and
                              environment: config.json in $COVEO_CONFIG_DIR, else in
                              $XDG_CONFIG_HOME/@coveo/cli, else in $HOME/.config/@coveo/cli
    COVEO_REGION, COVEO_ENVIRONMENT, COVEO_PLATFORM_URL, SSL_CERT_FILE   as above
    https_proxy, HTTPS_PROXY, http_proxy, HTTP_PROXY, all_proxy, ALL_PROXY, no_proxy, NO_PROXY

EXIT STATUS:
    0   every organization succeeded
    1   unexpected failure (unexpected_status, tls, protocol, read_only, stdout not writable)
    2   nothing was sent: usage, config, invalid_organization_id, confirmation_required,
        not_confirmed, incomplete_list, protected
    3   the token was refused: unauthorized, forbidden
    4   not found: not_found
    5   temporary, safe to run again later: rate_limited, server_error, timeout, connection
    130 stopped by SIGINT, 143 by SIGTERM: interrupted (the organization in flight kept its
        answer, those not yet started were not sent; a second signal ends the run at once)
    With several organizations the status is that of the first one that failed; with
    --list, that of the failure that ended the listing, else 0; an interruption overrides
    either. A list that holds a failure line of a listing (or of any run) exits with that
    failure's status, so that 'set -o pipefail' tells an expired login (3) from an outage (5).

EXAMPLES:
    COVEO_TOKEN=\"$(cat ~/.coveo-token)\" coveo-org-delete --yes mytestorg1a2b3c
    coveo-org-delete --token-file ~/.coveo-token --region eu --dry-run --from-file orgs.txt
    # Nightly, after a person ran 'coveo auth:login' that day: delete the test organizations
    # of CI runs older than 2 days (a listing that did not finish deletes nothing)
    coveo-org-delete --list --type Test --name-prefix ci- --older-than 2d \\
      | coveo-org-delete --yes --missing-ok --from-file -
"
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
        assert!(m("--timeout=5").contains("separate word"));
    }

    #[test]
    fn a_flag_without_its_value_says_so() {
        let f = parse(vec!["--timeout".into()]).unwrap_err();
        assert_eq!(
            f.message,
            "--timeout needs a value, as a separate word: --timeout VALUE"
        );
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

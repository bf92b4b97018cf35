//! The man page and the shell completions, made from the tables of `coveo_org_delete::cli`
//! (`FLAGS`, `ENVIRONMENT`, `EXAMPLES`, `TYPES`, the help's usage lines) and
//! `coveo_org_delete::kind` (`EXIT_STATUSES`, `kinds_of`), with the man page's prose written
//! here from the README's facts.
//!
//! Two programs compile this file through `#[path]`, as they do the stand-in: `examples/docs.rs`
//! (`make docs`) writes the files, and `tests/docs.rs` fails when the committed files are not
//! what this makes now. None of it is in the binary.

use coveo_org_delete::cli::{self, Completes, Flag, FLAGS};
use coveo_org_delete::outcome;

const NAME: &str = "coveo-org-delete";

/// One file this makes: its path from the repository's root, and its text.
pub struct Doc {
    pub path: &'static str,
    pub text: String,
}

/// Every file this makes, at the paths the Makefile and Cargo.toml's `[package.metadata.deb]`
/// install from.
pub fn docs() -> Vec<Doc> {
    vec![
        Doc {
            path: "doc/coveo-org-delete.1",
            text: man_page(),
        },
        Doc {
            path: "completions/coveo-org-delete.bash",
            text: bash(),
        },
        Doc {
            path: "completions/_coveo-org-delete",
            text: zsh(),
        },
        Doc {
            path: "completions/coveo-org-delete.fish",
            text: fish(),
        },
    ]
}

/// The first line of every file: where it comes from.
fn made_by(comment: &str) -> String {
    format!(
        "{comment} Made by `make docs` (examples/docs.rs) from the tables of src/cli.rs and\n\
         {comment} src/kind.rs: do not edit; change the tables, then run `make docs`.\n"
    )
}

/// What a completion says of a flag: its help up to the first `;` (the rest is for the help
/// and the man page).
fn summary(f: &Flag) -> &'static str {
    f.help.split("; ").next().unwrap_or(f.help)
}

/// The words a shell may offer after a flag, checked to need no quoting in any of the shells.
fn words(list: &'static [&'static str]) -> String {
    for w in list {
        assert!(
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'),
            "completion word {w:?}: only letters, digits, '-', '_' and '.' need no quoting"
        );
    }
    list.join(" ")
}

/// Every name of every flag, short ones first, in the table's order.
fn all_names() -> Vec<&'static str> {
    FLAGS
        .iter()
        .flat_map(|f| f.short.into_iter().chain([f.long]))
        .collect()
}

// ---------------------------------------------------------------------------------------
// The man page

/// The environment variables the man page describes: those of `ENVIRONMENT` (a row may name
/// several, `A, B`) and those that stand in for a flag.
fn variables() -> Vec<&'static str> {
    let mut vars: Vec<&str> = cli::ENVIRONMENT
        .iter()
        .flat_map(|(names, _)| names.split(", "))
        .collect();
    vars.extend(FLAGS.iter().filter_map(|f| f.env));
    vars
}

/// `name`, checked to be a variable of the tables: prose that names a variable the tool no
/// longer reads fails here instead of shipping.
fn var(name: &'static str) -> &'static str {
    assert!(
        variables().contains(&name),
        "the man page's prose names {name}, which is in neither cli::ENVIRONMENT nor FLAGS"
    );
    name
}

/// `text` as roff: backslashes, hyphens (as `\-`, the minus of what is typed), quotes and
/// anything outside ASCII escaped. Lines are the caller's: see [`text_line`].
fn roff(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            '\'' => out.push_str("\\(aq"),
            '`' => out.push_str("\\(ga"),
            '\n' => out.push(' '),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => out.push_str(&format!("\\[u{:04X}]", c as u32)),
        }
    }
    out
}

/// Text of a filled paragraph as roff input lines: a sentence starts a line, and a line is
/// broken between words (never at an escaped space, `\ `) before it gets longer than 80 bytes.
/// A line that would start with a control character (`.` or `'`) is guarded with `\&`.
fn text_line(out: &mut String, text: &str) {
    let sentences: Vec<&str> = text.split(". ").collect();
    let last = sentences.len() - 1;
    for (i, sentence) in sentences.iter().enumerate() {
        let sentence = if i < last {
            format!("{sentence}.")
        } else {
            (*sentence).to_owned()
        };
        let mut line = String::new();
        for word in roff_words(&sentence) {
            if !line.is_empty() && line.len() + 1 + word.len() > 80 {
                nf_line(out, &line);
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        nf_line(out, &line);
    }
}

/// The words of roff text: split at spaces, but not at an escaped one (`\ `).
fn roff_words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b' ' && (i == 0 || bytes[i - 1] != b'\\') {
            if start < i {
                words.push(&text[start..i]);
            }
            start = i + 1;
        }
    }
    if start < text.len() {
        words.push(&text[start..]);
    }
    words
}

/// One roff input line as it is, guarded with `\&` when it would start with a control
/// character (`.` or `'`) or a space.
fn nf_line(out: &mut String, line: &str) {
    if line.starts_with(['.', '\'', ' ']) {
        out.push_str("\\&");
    }
    out.push_str(line);
    out.push('\n');
}

fn bold(text: &str) -> String {
    format!("\\fB{}\\fR", roff(text))
}

fn italic(text: &str) -> String {
    format!("\\fI{}\\fR", roff(text))
}

/// Prose as roff, with every flag and environment variable it names in bold.
fn prose(text: &str) -> String {
    let mut terms: Vec<&str> = FLAGS.iter().map(|f| f.long).chain(variables()).collect();
    // The longest first, so that no name is taken for the start of a longer one.
    terms.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < text.len() {
        let starts_word = i == 0 || !is_name(bytes[i - 1]);
        let term = terms.iter().find(|t| {
            starts_word
                && text[i..].starts_with(**t)
                && bytes.get(i + t.len()).is_none_or(|&b| !is_name(b))
        });
        match term {
            Some(t) => {
                out.push_str(&bold(t));
                i += t.len();
            }
            None => {
                let c = text[i..].chars().next().expect("a character");
                out.push_str(&roff(c.encode_utf8(&mut [0; 4])));
                i += c.len_utf8();
            }
        }
    }
    out
}

/// `text` ending with a full stop.
fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// `text` with its first letter a capital.
fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A paragraph: `.PP`, but not right after a heading, which starts one already.
fn paragraph(out: &mut String, text: &str) {
    let last = out.trim_end_matches('\n').rsplit('\n').next().unwrap_or("");
    if !last.starts_with(".SH ") {
        out.push_str(".PP\n");
    }
    text_line(out, &prose(text));
}

fn bullets(out: &mut String, items: &[&str]) {
    for item in items {
        out.push_str(".IP \\(bu 2\n");
        text_line(out, &prose(item));
    }
}

/// A command in a block of its own, broken into lines of at most `WIDTH` columns that end with
/// `\` (a pipeline's next command on a line of its own, after `|`), never between a flag and
/// its value.
fn example(out: &mut String, command: &str) {
    const WIDTH: usize = 64;
    let mut lines: Vec<String> = Vec::new();
    for (n, part) in command.split(" | ").enumerate() {
        let mut line = if n == 0 {
            String::new()
        } else {
            "  |".to_owned()
        };
        let mut words = part.split(' ');
        while let Some(word) = words.next() {
            let takes_value = FLAGS.iter().any(|f| f.long == word && f.value.is_some());
            let unit = match words.clone().next() {
                Some(value) if takes_value => {
                    words.next();
                    format!("{word} {value}")
                }
                _ => word.to_owned(),
            };
            if line.is_empty() {
                line = unit;
            } else if line.len() + 1 + unit.len() + 2 > WIDTH {
                lines.push(std::mem::replace(&mut line, format!("    {unit}")));
            } else {
                line.push(' ');
                line.push_str(&unit);
            }
        }
        lines.push(line);
    }
    out.push_str(".PP\n.RS 4\n.nf\n");
    let last = lines.len() - 1;
    for (i, line) in lines.iter().enumerate() {
        let continued = if i < last { " \\" } else { "" };
        nf_line(out, &roff(&format!("{line}{continued}")));
    }
    out.push_str(".fi\n.RE\n");
}

/// The help's usage lines (`coveo-org-delete [OPTIONS] ORG_ID...`), without their comments.
fn usage_lines() -> Vec<String> {
    let help = cli::help();
    let section = help
        .split("\nUSAGE:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("the help has a USAGE: section, ended by a blank line");
    section
        .lines()
        .map(|l| {
            let l = l.trim();
            // "coveo-org-delete [OPTIONS] --from-file FILE      (FILE '-' reads ...)"
            l.split("  ").next().unwrap_or(l).trim().to_owned()
        })
        .inspect(|l| assert!(l.starts_with(NAME), "a usage line of the help: {l}"))
        .collect()
}

/// A usage line as roff: the command and flags in bold, the values in italics, brackets and
/// `...` upright; a flag is never parted from its value at a line's end.
fn synopsis_line(usage: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for word in usage.split(' ') {
        let open = word.len() - word.trim_start_matches('[').len();
        let rest = &word[open..];
        let core = rest.trim_end_matches(']').trim_end_matches("...");
        let close = &rest[core.len()..];
        let core_roff = if core == NAME || core.starts_with('-') {
            bold(core)
        } else {
            italic(core)
        };
        let piece = format!("{}{core_roff}{}", "[".repeat(open), roff(close));
        // A value right after its flag: joined by a space no line breaks at.
        let after_flag = parts.last().is_some_and(|p| {
            p.starts_with("[\\fB\\-") && !p.ends_with(']') && !core.starts_with('-')
        });
        if after_flag {
            let last = parts.last_mut().expect("a previous word");
            last.push_str("\\ ");
            last.push_str(&piece);
        } else {
            parts.push(piece);
        }
    }
    parts.join(" ")
}

/// The help's words on exit statuses that follow their table.
fn exit_status_notes() -> String {
    let help = cli::help();
    let section = help
        .split("\nEXIT STATUS:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("the help has an EXIT STATUS: section, ended by a blank line");
    let notes: Vec<&str> = section
        .lines()
        .filter(|l| {
            // The table's rows start with a status, its wrapped lines deeper than 4 spaces.
            let t = l.trim_start();
            l.len() - t.len() == 4 && !t.starts_with(|c: char| c.is_ascii_digit())
        })
        .map(str::trim)
        .collect();
    assert!(
        !notes.is_empty(),
        "the help's EXIT STATUS section has its notes after the table"
    );
    notes.join(" ")
}

/// The tag of a flag's item: `-y, --yes` or `--region R`.
fn flag_tag(f: &Flag) -> String {
    let mut tag = String::new();
    if let Some(short) = f.short {
        tag.push_str(&bold(short));
        tag.push_str(", ");
    }
    tag.push_str(&bold(f.long));
    if let Some(value) = f.value {
        tag.push(' ');
        tag.push_str(&italic(value));
    }
    tag
}

/// The date of this version's entry in CHANGELOG.md (`## [0.2.0] - 2026-12-01`).
fn release_date() -> &'static str {
    let changelog = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/CHANGELOG.md"));
    let heading = format!("## [{}] - ", cli::VERSION);
    changelog
        .lines()
        .find_map(|l| l.strip_prefix(&heading))
        .map(str::trim)
        .filter(|d| d.len() == 10 && d.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
        .unwrap_or_else(|| {
            panic!(
                "CHANGELOG.md has no heading '{heading}YYYY-MM-DD' for the version of Cargo.toml: add this release's entry, then run `make docs`"
            )
        })
}

const DESCRIPTION: &[&str] = &[
    "coveo-org-delete permanently deletes Coveo Cloud V2 organizations, for shell scripts, cron jobs and Makefile targets. For each organization it sends DELETE /rest/organizations/ID, prints one JSON line on standard output, and exits with a status a script can branch on (see EXIT STATUS). A deletion cannot be undone.",
    "Everything is checked before anything is sent: the options, the environment, the token and every organization ID (1 to 255 ASCII letters, digits, - and _). If any of them is wrong, nothing at all is sent. An ID given more than once is handled once, at its first place.",
    "Only an access token tied to a user can delete an organization: the token of an OAuth login, such as the one the Coveo CLI's 'coveo auth:login' obtains, or the platform's own session token. API keys and platform tokens cannot, whatever their privileges. The user needs the Organization - Edit privilege in the organization. The token comes from the first of: --token-file FILE (its first line); COVEO_TOKEN; the Coveo CLI's login (see FILES). It is trimmed, a leading 'Bearer ' is dropped ('Bearer' alone is an empty token), and a token longer than 8 KiB is refused before anything is sent. It is never taken from the command line.",
    "Without --yes, when standard input and standard error are both terminals, the tool shows what it is about to delete and waits for the organization ID to be typed back (for several organizations, their number). Without a terminal and without --yes, nothing is sent (error kind confirmation_required).",
    "Each line on standard output is one JSON object with the fields organization_id, ok, result (deleted, already_absent, would_delete or error), dry_run, http_status, attempts, elapsed_ms, request_id, display_name and error (null, or an object with kind, message, coveo_error_code and retry_after_s). Every line is at most 4096 bytes and written whole, so runs in parallel into one pipe never interleave. Standard error is silent on success, unless --verbose, or at a terminal, where a run of several organizations shows its progress and a summary; each failure adds one line.",
    "Temporary failures (rate_limited, server_error, timeout, connection) are tried again, at most --retries more times, after the wait the answer's Retry-After asks for, else after 0.5 s, 1 s, 2 s and so on. A wait of more than 60 s is not waited: it is reported in error.retry_after_s. When an attempt may have reached the platform but its answer was lost, a later 404 counts as deleted.",
    "--list sends only GET requests and prints the organizations the token can see, one JSON line each, oldest first, then, once every page was read, one end line with result end_of_list. Fed back to --from-file, such a listing deletes the organizations it lists (see EXAMPLES and SECURITY).",
    "SIGINT or SIGTERM, once the run is under way, stops it cleanly: the organization in flight keeps its attempt, every organization not yet started gets a line with error kind interrupted, and the exit status is 130 or 143. A second signal ends the process at once.",
];

const OPTIONS_NOTE: &str = "An option's value is the next word, or follows '=' (--timeout 5 or --timeout=5). A next word that is one of these options is no value: an empty variable in a script left the option without one. An option given twice is a usage error, and options never combine (-yn is not -y -n).";

const FILES_LOGIN: &str = "The Coveo CLI's login, read only when neither --token-file nor COVEO_TOKEN gives the token: config.json in $COVEO_CONFIG_DIR, else in $XDG_CONFIG_HOME/@coveo/cli, else in $HOME/.config/@coveo/cli, as the Coveo CLI looks for it. The first of these variables that is set decides (an empty one counts as unset); a directory without config.json does not fall through to the next. The file is only read, never written, at most 1 MiB, and only if it is a regular file. Its accessToken is the token (empty or null counts as no login); its region and environment choose the platform, each on its own, unless --region, --environment, --platform-url or their variables say otherwise.";

const FILES_LOGIN_DAILY: &str = "The CLI's tokens last 24 hours: an unattended job needs a login made the same day, by a person, as the user the job runs as ('coveo auth:login'; cron sets HOME). When nobody logged in that day, the run deletes nothing and fails with error kind unauthorized, exit status 3, and a hint on standard error that says how long ago the login was saved.";

const SECURITY: &[&str] = &[
    "The token is never taken from the command line (--token is refused: command lines are visible to every user of the machine) and never printed, not by --verbose, not in an error. It is sent only to the platform's host, over TLS, inside the CONNECT tunnel when a proxy is used. Wherever a server's answer echoes it, it is printed as [token].",
    "Redirects are never followed, so the Authorization header is never carried to another host; a 3xx answer is unexpected_status.",
    "http:// is refused except for loopback addresses (localhost, 127.0.0.0/8, ::1); --platform-url must otherwise be https://.",
    "Organization IDs are checked before anything is sent, and go into the request's path as they are, never decoded.",
    "No confirmation, no deletion: without a terminal the tool needs --yes.",
    "A listing fed back to --from-file deletes only when it is whole (its end_of_list line is there and it holds no failure line) and holds no organization of type Production, unless --allow-production is given. Otherwise nothing at all is sent (exit status 2, or the listing's own failure's status).",
    "What a server says is never trusted: no text of an answer can break a line of the output.",
];

fn man_page() -> String {
    let mut out = String::new();
    out.push_str(&made_by(".\\\""));
    out.push_str(&format!(
        ".TH {} 1 {} \"{} {}\" \"User Commands\"\n",
        roff(&NAME.to_ascii_uppercase()),
        // As written: a date's hyphens are hyphens (and man readers parse it).
        release_date(),
        roff(NAME),
        roff(cli::VERSION)
    ));
    // Option names and commands are meant to be typed: neither hyphenated nor stretched.
    out.push_str(".nh\n.ad l\n");

    out.push_str(".SH NAME\n");
    let description = env!("CARGO_PKG_DESCRIPTION");
    let lowered = description[..1].to_ascii_lowercase() + &description[1..];
    text_line(&mut out, &format!("{} \\- {}", roff(NAME), roff(&lowered)));

    out.push_str(".SH SYNOPSIS\n");
    let usage = usage_lines();
    for (i, line) in usage.iter().enumerate() {
        if i > 0 {
            out.push_str(".br\n");
        }
        text_line(&mut out, &synopsis_line(line));
    }

    out.push_str(".SH DESCRIPTION\n");
    for p in DESCRIPTION {
        paragraph(&mut out, p);
    }

    out.push_str(".SH OPTIONS\n");
    paragraph(&mut out, OPTIONS_NOTE);
    for f in FLAGS {
        out.push_str(".TP\n");
        text_line(&mut out, &flag_tag(f));
        let mut text = prose(&sentence(f.help));
        if let Some(env) = f.env {
            text.push_str(&format!(
                " When it is not given, {} stands in for it.",
                bold(env)
            ));
        }
        text_line(&mut out, &text);
    }
    out.push_str(".TP\n");
    text_line(&mut out, &bold("--"));
    text_line(
        &mut out,
        &prose(
            "End of options: every word after it is an organization ID, whatever it looks like.",
        ),
    );

    out.push_str(".SH ENVIRONMENT\n");
    for (names, text) in cli::ENVIRONMENT {
        out.push_str(".TP\n");
        let tag: Vec<String> = names.split(", ").map(bold).collect();
        text_line(&mut out, &tag.join(", "));
        text_line(&mut out, &prose(&sentence(text)));
    }
    for f in FLAGS {
        if let Some(env) = f.env {
            out.push_str(".TP\n");
            text_line(&mut out, &bold(env));
            text_line(
                &mut out,
                &prose(&format!(
                    "The value of {} when that option is not given (see OPTIONS).",
                    f.long
                )),
            );
        }
    }
    paragraph(
        &mut out,
        &format!(
            "A variable set to a value that is not valid UTF-8 is a config error, never unset. {} set but empty, without --token-file, is a config error: it never falls through to the Coveo CLI's login. {}, {} and {} set but empty are a config error even where an option overrides them: an unset shell variable in a script must never mean production. An empty {} or proxy variable counts as unset, as in curl. A bad value in a variable is a config error, the same value given as an option a usage error.",
            var("COVEO_TOKEN"),
            var("COVEO_PLATFORM_URL"),
            var("COVEO_REGION"),
            var("COVEO_ENVIRONMENT"),
            var("SSL_CERT_FILE"),
        ),
    );

    out.push_str(".SH \"EXIT STATUS\"\n");
    for (status, meaning) in outcome::EXIT_STATUSES {
        out.push_str(".TP\n");
        text_line(&mut out, &bold(&status.to_string()));
        let mut text = prose(&sentence(&capital(meaning)));
        let kinds = outcome::kinds_of(status);
        if !kinds.is_empty() {
            let kinds: Vec<String> = kinds.iter().map(|k| bold(k)).collect();
            text.push_str(&format!(" Error kinds: {}.", kinds.join(", ")));
        }
        text_line(&mut out, &text);
    }
    paragraph(&mut out, &exit_status_notes());

    out.push_str(".SH FILES\n.TP\n");
    text_line(&mut out, &italic("~/.config/@coveo/cli/config.json"));
    text_line(&mut out, &prose(FILES_LOGIN));
    out.push_str(".IP\n");
    text_line(&mut out, &prose(FILES_LOGIN_DAILY));

    out.push_str(".SH EXAMPLES\n");
    for (what, command) in cli::EXAMPLES {
        paragraph(
            &mut out,
            &format!("{}:", sentence(what).trim_end_matches('.')),
        );
        example(&mut out, command);
    }

    out.push_str(".SH SECURITY\n");
    bullets(&mut out, SECURITY);

    out.push_str(".SH \"SEE ALSO\"\n");
    out.push_str(".BR coveo (1),\n.BR curl (1)\n");
    paragraph(
        &mut out,
        "coveo is the Coveo CLI (https://github.com/coveo/cli), whose 'coveo auth:login' makes the login this tool reads. The README, in /usr/share/doc/coveo-org-delete/ once the Debian package is installed, says more on every behaviour: the nightly clean-up, retries and deadlines, TLS and proxies, stopping a job.",
    );
    out
}

// ---------------------------------------------------------------------------------------
// bash

/// The flags whose value is completed from `completes`, as a `case` pattern (`--a | --b`).
fn pattern(pick: impl Fn(&Completes) -> bool) -> Option<String> {
    let names: Vec<&str> = FLAGS
        .iter()
        .filter(|f| f.value.is_some() && pick(&f.completes))
        .map(|f| f.long)
        .collect();
    (!names.is_empty()).then(|| names.join(" | "))
}

fn bash() -> String {
    let mut cases = String::new();
    for f in FLAGS.iter().filter(|f| f.value.is_some()) {
        if let Completes::Words(list) = f.completes {
            cases.push_str(&format!(
                "    {})\n        mapfile -t COMPREPLY < <(compgen -W \"{}\" -- \"$cur\")\n        ;;\n",
                f.long,
                words(list)
            ));
        }
    }
    if let Some(files) = pattern(|c| *c == Completes::File) {
        cases.push_str(&format!(
            "    {files})
        # Names with spaces are quoted, directories get their '/'.
        compopt -o filenames 2>/dev/null
        if [[ -z $prefix ]] && declare -F _filedir >/dev/null; then
            _filedir # the bash-completion package's, which also expands ~
        else
            mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")
        fi
        ;;
"
        ));
    }
    if let Some(nothing) = pattern(|c| *c == Completes::Nothing) {
        cases.push_str(&format!("    {nothing})\n        ;;\n"));
    }
    format!(
        r#"# bash completion for coveo-org-delete                           -*- shell-script -*-
{made_by}# For bash 4 or newer, with or without the bash-completion package. Installed as
# share/bash-completion/completions/coveo-org-delete, bash-completion loads it at the first
# Tab; without that package, source it from ~/.bashrc.

_coveo_org_delete() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} prev= flag= prefix= split= i
    ((COMP_CWORD > 0)) && prev=${{COMP_WORDS[COMP_CWORD - 1]}}
    COMPREPLY=()
    # Every word after -- is an organization ID.
    for ((i = 1; i < COMP_CWORD; i++)); do
        [[ ${{COMP_WORDS[i]}} == -- ]] && return 0
    done
    # The option whose value this word is: "--flag VALUE", or "--flag=VALUE", which bash splits
    # into --flag, = and VALUE when COMP_WORDBREAKS holds '=' (it does by default).
    if [[ $cur == = ]]; then
        flag=$prev cur= split=1
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        flag=${{COMP_WORDS[COMP_CWORD - 2]}} split=1
    elif [[ $cur == --*=* ]]; then
        flag=${{cur%%=*}} prefix=${{cur%%=*}}= cur=${{cur#*=}} split=1
    else
        flag=$prev
    fi
    case $flag in
{cases}    *)
        if [[ -z $split && $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "{names}" -- "$cur")
        fi
        ;;
    esac
    if [[ -n $prefix ]]; then
        COMPREPLY=("${{COMPREPLY[@]/#/$prefix}}")
    fi
    return 0
}}
complete -F _coveo_org_delete coveo-org-delete
"#,
        made_by = made_by("#"),
        names = all_names().join(" "),
    )
}

// ---------------------------------------------------------------------------------------
// zsh

/// `text` inside a single-quoted zsh word, as a description in `_arguments`' brackets.
fn zsh_description(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
        .replace(':', "\\:")
        .replace('\'', "'\\''")
}

fn zsh() -> String {
    let mut specs: Vec<String> = Vec::new();
    for f in FLAGS {
        let names: Vec<&str> = f.short.into_iter().chain([f.long]).collect();
        // --help and --version stand alone; any other flag is offered until it is given.
        let alone = matches!(f.long, "--help" | "--version");
        let mut spec = match (&names[..], alone) {
            ([only], false) => format!("'{only}"),
            ([only], true) => format!("'(- *){only}"),
            (_, alone) => {
                let excluded = if alone {
                    "- *".to_owned()
                } else {
                    names.join(" ")
                };
                format!("'({excluded})'{{{}}}'", names.join(","))
            }
        };
        // `--flag=`: the value is the next word or follows '='.
        if f.value.is_some() {
            spec.push('=');
        }
        spec.push_str(&format!("[{}]", zsh_description(summary(f))));
        if let Some(value) = f.value {
            let action = match f.completes {
                Completes::Nothing => " ".to_owned(),
                Completes::File => "_files".to_owned(),
                Completes::Words(list) => format!("({})", words(list)),
            };
            spec.push_str(&format!(":{value}:{action}"));
        }
        spec.push('\'');
        specs.push(spec);
    }
    specs.push("'*:organization ID: '".to_owned());
    format!(
        "#compdef coveo-org-delete\n{made_by}# Installed in a directory of $fpath (share/zsh/site-functions, or vendor-completions on\n# Debian) as _coveo-org-delete; compinit finds it there.\n\n# -S: after --, every word is an organization ID.\n_arguments -S \\\n  {}\n",
        specs.join(" \\\n  "),
        made_by = made_by("#"),
    )
}

// ---------------------------------------------------------------------------------------
// fish

/// `text` as a single-quoted fish string.
fn fish_quote(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn fish() -> String {
    let mut out = made_by("#");
    out.push_str(
        "# Installed as share/fish/vendor_completions.d/coveo-org-delete.fish; fish loads it at\n\
         # the first Tab.\n\n\
         # No file names where an organization ID goes.\n\
         complete -c coveo-org-delete -f\n",
    );
    for f in FLAGS {
        let mut line = "complete -c coveo-org-delete".to_owned();
        if let Some(short) = f.short {
            line.push_str(&format!(" -s {}", short.trim_start_matches('-')));
        }
        line.push_str(&format!(" -l {}", f.long.trim_start_matches("--")));
        if f.value.is_some() {
            match f.completes {
                Completes::Nothing => line.push_str(" -x"),
                Completes::File => line.push_str(" -r -F"),
                // Each word with the option's name for description (`us\tregion`): without
                // one, fish would show the option's own beside every word.
                Completes::Words(list) => {
                    let name = f.long.trim_start_matches("--");
                    let described: Vec<String> = words(list)
                        .split(' ')
                        .map(|w| format!("{w}\\t{name}"))
                        .collect();
                    // Single quotes keep `\t` for fish to read as a tab; the words need none.
                    line.push_str(&format!(" -x -a '{}'", described.join(" ")));
                }
            }
        }
        line.push_str(&format!(" -d {}", fish_quote(summary(f))));
        out.push_str(&line);
        out.push('\n');
    }
    out
}

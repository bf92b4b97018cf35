//! The man page and the shell completions (`doc/`, `completions/`): the committed files are
//! what `make docs` makes from the tables now; read on their own, they name every flag,
//! variable and exit status of the tables; and the real programs take them: groff renders the
//! page without a warning, bash, zsh and fish load the completions and complete flags, the
//! words of `--region`, `--environment` and `--type`, and file names.
//!
//! A program that is not installed skips its test with a message; `.ci/run` installs them all.

#[path = "support/docs.rs"]
mod generate;

use crate::support::bin::wait_within;
use crate::support::temp_dir;
use coveo_org_delete::cli::{Completes, ENVIRONMENT, EXAMPLES, FLAGS};
use coveo_org_delete::outcome::{kinds_of, EXIT_STATUSES};
use coveo_org_delete::target::{ENVIRONMENTS, REGIONS};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const MAN_PAGE: &str = "doc/coveo-org-delete.1";
const BASH: &str = "completions/coveo-org-delete.bash";
const ZSH: &str = "completions/_coveo-org-delete";
const FISH: &str = "completions/coveo-org-delete.fish";

/// Upper bound of every run of groff or a shell; reached only when one hangs.
const LIMIT: Duration = Duration::from_secs(60);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn committed(path: &str) -> String {
    std::fs::read_to_string(root().join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}; run `make docs` and commit what it writes"))
}

/// Runs `program` with `args` in an environment of only `PATH`, `HOME` (a fresh directory) and
/// `env`, stdin empty, within [`LIMIT`]. `None` when the program is not installed.
fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> Option<Output> {
    let home = temp_dir(&format!("{program}-home"));
    let mut command = Command::new(program);
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("LC_ALL", "C")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match command.spawn() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("starting {program}: {e}"),
        Ok(child) => Some(wait_within(child, Vec::new(), LIMIT)),
    }
}

fn skipped(test: &str, program: &str) {
    eprintln!("SKIPPED {test}: {program} is not installed (.ci/run installs it)");
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether `what`'s run exited 0; else the test fails with what it printed.
fn assert_ran(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what}: {:?}\nstdout: {}\nstderr: {}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Every name of every flag: `-y`, `--yes`, `--missing-ok`, ...
fn all_names() -> Vec<&'static str> {
    FLAGS
        .iter()
        .flat_map(|f| f.short.into_iter().chain([f.long]))
        .collect()
}

/// Every environment variable of the tables: those of `ENVIRONMENT` (a row may name several)
/// and those that stand in for a flag.
fn all_variables() -> Vec<&'static str> {
    ENVIRONMENT
        .iter()
        .flat_map(|(names, _)| names.split(", "))
        .chain(FLAGS.iter().filter_map(|f| f.env))
        .collect()
}

/// The words a shell should offer after `long`, from the table.
fn words_of(long: &str) -> Vec<&'static str> {
    let flag = FLAGS.iter().find(|f| f.long == long).expect("a flag");
    match flag.completes {
        Completes::Words(words) => words.to_vec(),
        _ => panic!("{long} completes no words"),
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn strings(v: &[&str]) -> Vec<String> {
    sorted(v.iter().map(|s| s.to_string()).collect())
}

// ---------------------------------------------------------------------------------------------
// Drift

#[test]
fn the_committed_man_page_and_completions_are_what_make_docs_makes() {
    let docs = generate::docs();
    let paths: Vec<&str> = docs.iter().map(|d| d.path).collect();
    // The files the Makefile and the .deb ship.
    assert_eq!(paths, [MAN_PAGE, BASH, ZSH, FISH]);
    for doc in docs {
        let old = committed(doc.path);
        if old == doc.text {
            continue;
        }
        let line = old
            .lines()
            .zip(doc.text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| old.lines().count().min(doc.text.lines().count()));
        panic!(
            "{} is not what the tables of src/cli.rs and src/kind.rs make now (first difference at line {}):\n  committed: {:?}\n  made now:  {:?}\nrun `make docs` and commit what it writes",
            doc.path,
            line + 1,
            old.lines().nth(line).unwrap_or("(end of file)"),
            doc.text.lines().nth(line).unwrap_or("(end of file)"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The man page, read as roff source

/// A line of roff as a reader sees its characters: font changes and `\&` dropped, `\-`, `\(aq`,
/// `\e` and the other escapes of the page as the characters they stand for.
fn plain(line: &str) -> String {
    let mut out = line.to_owned();
    for (escape, c) in [
        ("\\fB", ""),
        ("\\fI", ""),
        ("\\fR", ""),
        ("\\fP", ""),
        ("\\&", ""),
        ("\\-", "-"),
        ("\\(aq", "'"),
        ("\\(ga", "`"),
        ("\\(bu", "*"),
        ("\\ ", " "),
        ("\\e", "\\"),
    ] {
        out = out.replace(escape, c);
    }
    out
}

/// The sections of a man page (`.SH NAME` ... the next `.SH`), in order, each with its lines.
fn sections(page: &str) -> Vec<(String, Vec<&str>)> {
    let mut out: Vec<(String, Vec<&str>)> = Vec::new();
    for line in page.lines() {
        if let Some(name) = line.strip_prefix(".SH ") {
            out.push((name.trim_matches('"').to_owned(), Vec::new()));
        } else if let Some((_, lines)) = out.last_mut() {
            lines.push(line);
        }
    }
    out
}

fn section<'a>(page: &'a [(String, Vec<&'a str>)], name: &str) -> &'a [&'a str] {
    &page
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("the man page has no section {name}"))
        .1
}

/// The `.TP` items of a section: each tag line and the text of its body, as plain text.
fn items(lines: &[&str]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i] == ".TP" && i + 1 < lines.len() {
            let tag = plain(lines[i + 1]);
            let mut body = Vec::new();
            i += 2;
            while i < lines.len() && !lines[i].starts_with('.') {
                body.push(plain(lines[i]));
                i += 1;
            }
            out.push((tag, body.join(" ")));
        } else {
            i += 1;
        }
    }
    out
}

/// The words of a tag or body: split at spaces, commas and brackets.
fn words(text: &str) -> Vec<&str> {
    text.split([' ', ',', '[', ']', '(', ')', ';', ':', '.'])
        .filter(|w| !w.is_empty())
        .collect()
}

#[test]
fn the_man_page_names_every_flag_variable_and_exit_status() {
    let page = committed(MAN_PAGE);
    let sections = sections(&page);
    let names: Vec<&str> = sections.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "OPTIONS",
            "ENVIRONMENT",
            "EXIT STATUS",
            "FILES",
            "EXAMPLES",
            "SECURITY",
            "SEE ALSO"
        ]
    );
    assert!(
        page.lines()
            .any(|l| l.starts_with(".TH COVEO\\-ORG\\-DELETE 1 ")),
        "the title line: {page}"
    );
    // whatis(1) reads `name \- summary` from NAME.
    let name = plain(&section(&sections, "NAME").join(" "));
    assert!(
        name.starts_with("coveo-org-delete - permanently delete"),
        "{name}"
    );

    // Every flag: an item of OPTIONS whose tag holds its names and value, and whose text names
    // the variable that stands in for it.
    let options = items(section(&sections, "OPTIONS"));
    for f in FLAGS {
        let (tag, body) = options
            .iter()
            .find(|(tag, _)| words(tag).contains(&f.long))
            .unwrap_or_else(|| panic!("no item of OPTIONS for {}: {options:#?}", f.long));
        let tag_words = words(tag);
        if let Some(short) = f.short {
            assert!(tag_words.contains(&short), "{short} in {tag:?}");
        }
        match f.value {
            Some(value) => assert_eq!(
                tag_words.iter().skip_while(|w| **w != f.long).nth(1),
                Some(&value),
                "{tag:?}"
            ),
            None => assert_eq!(tag_words.last(), Some(&f.long), "{tag:?}"),
        }
        if let Some(env) = f.env {
            assert!(words(body).contains(&env), "{env} for {}: {body}", f.long);
        }
    }
    assert!(
        options.iter().any(|(tag, _)| tag == "--"),
        "-- ends the options"
    );

    // Every variable: a tag of ENVIRONMENT.
    let environment = items(section(&sections, "ENVIRONMENT"));
    for var in all_variables() {
        assert!(
            environment.iter().any(|(tag, _)| words(tag).contains(&var)),
            "{var} in ENVIRONMENT: {environment:#?}"
        );
    }

    // Every exit status, in order, each with every error kind it stands for.
    let statuses = items(section(&sections, "EXIT STATUS"));
    let tags: Vec<&str> = statuses.iter().map(|(tag, _)| tag.as_str()).collect();
    let expected: Vec<String> = EXIT_STATUSES.iter().map(|(s, _)| s.to_string()).collect();
    assert_eq!(tags, expected);
    for ((status, meaning), (_, body)) in EXIT_STATUSES.iter().zip(&statuses) {
        let first_word = meaning.split(' ').next().expect("a word");
        assert!(
            body.to_lowercase().starts_with(first_word),
            "{status}: {body}"
        );
        for kind in kinds_of(*status) {
            assert!(words(body).contains(&kind), "{kind} under {status}: {body}");
        }
    }

    // The three forms of the help's usage.
    let synopsis = plain(&section(&sections, "SYNOPSIS").join("\n"));
    let forms: Vec<&str> = synopsis.split("\n.br\n").collect();
    assert_eq!(forms.len(), 3, "{synopsis}");
    assert!(forms[0].ends_with("ORG_ID..."), "{}", forms[0]);
    assert!(forms[1].contains("--from-file FILE"), "{}", forms[1]);
    assert!(
        forms[2].starts_with("coveo-org-delete --list"),
        "{}",
        forms[2]
    );

    // The Coveo CLI's login, where it is looked for.
    let files = plain(&section(&sections, "FILES").join(" "));
    for place in [
        "config.json",
        "$COVEO_CONFIG_DIR",
        "$XDG_CONFIG_HOME/@coveo/cli",
        "$HOME/.config/@coveo/cli",
    ] {
        assert!(files.contains(place), "{place} in FILES: {files}");
    }

    // Every example's command, once its lines are joined again.
    let examples = section(&sections, "EXAMPLES");
    let mut commands = Vec::new();
    let mut block: Option<String> = None;
    for line in examples {
        match (*line, &mut block) {
            (".nf", _) => block = Some(String::new()),
            (".fi", b) => commands.push(b.take().expect("an .nf before .fi")),
            (l, Some(b)) => {
                let l = plain(l);
                let l = l.trim();
                b.push_str(l.strip_suffix('\\').unwrap_or(l).trim());
                b.push(' ');
            }
            _ => {}
        }
    }
    let commands: Vec<String> = commands.iter().map(|c| c.trim().to_owned()).collect();
    for (what, command) in EXAMPLES {
        assert!(
            commands.iter().any(|c| c == command),
            "{what}: {command} in {commands:#?}"
        );
    }

    let security = plain(&section(&sections, "SECURITY").join(" "));
    for fact in [
        "command line",
        "never printed",
        "Redirects are never followed",
        "loopback",
        "--allow-production",
    ] {
        assert!(security.contains(fact), "{fact} in SECURITY: {security}");
    }
    let see_also = section(&sections, "SEE ALSO");
    assert!(see_also.contains(&".BR coveo (1),") && see_also.contains(&".BR curl (1)"));
}

#[test]
fn the_man_page_is_plain_man_macros_with_every_hyphen_and_quote_escaped() {
    let page = committed(MAN_PAGE);
    let known = [
        ".TH", ".SH", ".PP", ".TP", ".IP", ".RS", ".RE", ".nf", ".fi", ".br", ".B", ".BR", ".I",
        ".nh", ".ad",
    ];
    for (n, line) in page.lines().enumerate() {
        let n = n + 1;
        assert!(line.is_ascii(), "line {n} is not ASCII: {line}");
        if line.starts_with(".\\\"") {
            continue;
        }
        if line.starts_with('.') {
            let name = line.split(' ').next().expect("a macro");
            assert!(
                known.contains(&name),
                "line {n}: unexpected request {name}: {line}"
            );
        }
        // A text line that starts with a quote or a space would be a control line or a break.
        assert!(!line.starts_with(['\'', ' ']), "line {n}: {line}");
        // Hyphens are typed as `\-` (a minus: what is typed), but for the date of .TH.
        let checked = if line.starts_with(".TH ") {
            line.replace(|c: char| c.is_ascii_digit(), "")
                .replace("--", "")
        } else {
            line.to_owned()
        };
        let bytes = checked.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'-' {
                assert!(
                    i > 0 && bytes[i - 1] == b'\\',
                    "line {n}: a bare '-': {line}"
                );
            }
            if b == b'\'' || b == b'`' {
                panic!("line {n}: a bare quote (\\(aq or \\(ga): {line}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The man page, rendered by groff

#[test]
fn the_man_page_renders_without_warnings_and_shows_every_option_and_exit_status() {
    let test = "the_man_page_renders_without_warnings_and_shows_every_option_and_exit_status";
    let page = root().join(MAN_PAGE);
    let page = page.to_str().expect("a UTF-8 path");
    // As the task asks it (the default PostScript device), then as man(1) formats for a terminal.
    for device in [None, Some("-Tutf8")] {
        let mut args = vec!["-man", "-ww", "-z"];
        args.extend(device);
        args.push(page);
        let Some(out) = run("groff", &args, &[]) else {
            return skipped(test, "groff");
        };
        assert_ran("groff", &out);
        assert_eq!(
            (text(&out.stdout), text(&out.stderr)),
            (String::new(), String::new()),
            "groff {args:?} warned"
        );
    }
    // What a reader sees at 80 columns, as plain text (no bold or underlining).
    let out = run("groff", &["-man", "-Tascii", "-P-cbou", page], &[]).expect("groff ran above");
    assert_ran("groff", &out);
    let shown = text(&out.stdout);
    // A section: the lines under its heading, up to the next heading (a line at column 0).
    let section = |name: &str| -> String {
        let mut lines = shown.lines().skip_while(|l| *l != name);
        assert!(lines.next().is_some(), "{name} in:\n{shown}");
        lines
            .take_while(|l| l.is_empty() || l.starts_with(' '))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let options = section("OPTIONS");
    let option_lines: Vec<&str> = options.lines().map(str::trim).collect();
    for f in FLAGS {
        let mut tag = match f.short {
            Some(short) => format!("{short}, {}", f.long),
            None => f.long.to_owned(),
        };
        if let Some(value) = f.value {
            tag = format!("{tag} {value}");
        }
        assert!(
            option_lines.iter().any(|l| l.starts_with(&tag)),
            "{tag} in OPTIONS:\n{options}"
        );
    }
    let statuses = section("EXIT STATUS");
    for (status, _) in EXIT_STATUSES {
        assert!(
            statuses
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{status} "))),
            "{status} in EXIT STATUS:\n{statuses}"
        );
    }
    let environment = section("ENVIRONMENT");
    for var in all_variables() {
        assert!(
            environment.contains(var),
            "{var} in ENVIRONMENT:\n{environment}"
        );
    }
    assert!(
        shown.lines().all(|l| l.len() <= 80),
        "a line wider than 80 columns:\n{shown}"
    );
}

// ---------------------------------------------------------------------------------------------
// The completions, read as source

/// The words of shell source: split at anything that is not part of a flag's name.
fn shell_words(source: &str) -> Vec<&str> {
    source
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

#[test]
fn every_completion_names_every_flag() {
    for path in [BASH, ZSH] {
        let source = committed(path);
        let words = shell_words(&source);
        for name in all_names() {
            assert!(words.contains(&name), "{name} in {path}");
        }
    }
    // fish names a flag `-s y -l yes`, both on the flag's own line.
    let fish = committed(FISH);
    for f in FLAGS {
        let long = format!(" -l {} ", f.long.trim_start_matches("--"));
        let line = fish
            .lines()
            .find(|l| l.starts_with("complete -c coveo-org-delete ") && l.contains(&long))
            .unwrap_or_else(|| panic!("{} in {FISH}", f.long));
        if let Some(short) = f.short {
            let short = format!(" -s {} ", short.trim_start_matches('-'));
            assert!(line.contains(&short), "{short} in: {line}");
        }
    }
    assert!(committed(ZSH).starts_with("#compdef coveo-org-delete\n"));
}

// ---------------------------------------------------------------------------------------------
// bash

/// Loads the completion in a real bash and completes each line: `(the output of complete -p,
/// the replies to each line)`. A line is the words of a command line, separated by single
/// spaces (a last empty word after a trailing space), as bash splits them: `--region=e` is
/// the three words `--region = e`. `prelude` runs first; `load` loads the completion (`$1` is
/// the committed file); completion runs in `dir`.
fn bash_completes(
    prelude: &str,
    load: &str,
    dir: &Path,
    lines: &[&str],
) -> Option<(String, BTreeMap<String, Vec<String>>)> {
    let script = format!(
        r#"{prelude}
{load}
set -u
spec=$(complete -p coveo-org-delete) || exit 3
printf 'SPEC %s\n' "$spec"
fn=${{spec#*-F }}
fn=${{fn%% *}}
cd "$2" || exit 4
shift 2
for line in "$@"; do
    read -ra COMP_WORDS <<<"$line"
    [[ $line == *' ' ]] && COMP_WORDS+=('')
    COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
    COMP_LINE=$line
    COMP_POINT=${{#line}}
    COMPREPLY=()
    "$fn" coveo-org-delete "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD - 1]}}"
    printf '== %s\n' "$line"
    ((${{#COMPREPLY[@]}} == 0)) || printf '%s\n' "${{COMPREPLY[@]}}"
done
printf 'DONE\n'
"#
    );
    let file = root().join(BASH);
    let mut args = vec!["--norc", "--noprofile", "-c", &script, "bash"];
    let (file, dir) = (file.to_str().expect("UTF-8"), dir.to_str().expect("UTF-8"));
    args.extend([file, dir]);
    args.extend(lines);
    let out = run("bash", &args, &[])?;
    assert_ran("bash", &out);
    let stdout = text(&out.stdout);
    assert!(stdout.ends_with("DONE\n"), "{stdout}");
    let spec = stdout
        .lines()
        .find_map(|l| l.strip_prefix("SPEC "))
        .expect("complete -p")
        .to_owned();
    Some((spec, replies(&stdout)))
}

/// `== LINE` followed by the replies to it, one a line: the replies of each line.
fn replies(output: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in output.lines() {
        if let Some(asked) = line.strip_prefix("== ") {
            current = Some(asked.to_owned());
            out.entry(asked.to_owned()).or_default();
        } else if line == "DONE" {
            current = None;
        } else if let Some(asked) = &current {
            out.get_mut(asked).expect("an entry").push(line.to_owned());
        }
    }
    out
}

/// A directory to complete file names in.
fn files_dir() -> PathBuf {
    let dir = temp_dir("completion-files");
    for name in ["ids.txt", "id list.txt", "other.pem"] {
        std::fs::write(dir.join(name), b"").expect("a file");
    }
    std::fs::create_dir(dir.join("idsdir")).expect("a directory");
    dir
}

/// What every bash set-up must complete, and how.
fn assert_bash_completes(test: &str, prelude: &str, load: &str) {
    let dir = files_dir();
    let lines = [
        "coveo-org-delete --dry",
        "coveo-org-delete -",
        "coveo-org-delete --region ",
        "coveo-org-delete --region = e",
        "coveo-org-delete --environment ",
        "coveo-org-delete --list --type P",
        "coveo-org-delete --from-file id",
        "coveo-org-delete --token-file ",
        "coveo-org-delete --ca-file = o",
        "coveo-org-delete --timeout ",
        "coveo-org-delete --name-prefix ",
        "coveo-org-delete myorg",
        "coveo-org-delete -- --d",
    ];
    let Some((spec, got)) = bash_completes(prelude, load, &dir, &lines) else {
        return skipped(test, "bash");
    };
    assert!(
        spec.starts_with("complete -F ") && spec.ends_with(" coveo-org-delete"),
        "{spec}"
    );
    let got = |line: &str| sorted(got[line].clone());
    assert_eq!(got("coveo-org-delete --dry"), ["--dry-run"]);
    assert_eq!(got("coveo-org-delete -"), strings(&all_names()));
    assert_eq!(got("coveo-org-delete --region "), strings(REGIONS));
    assert_eq!(got("coveo-org-delete --region = e"), ["eu"]);
    assert_eq!(
        got("coveo-org-delete --environment "),
        strings(ENVIRONMENTS)
    );
    assert_eq!(got("coveo-org-delete --list --type P"), ["Production"]);
    assert_eq!(
        got("coveo-org-delete --from-file id"),
        ["id list.txt", "ids.txt", "idsdir"]
    );
    assert_eq!(
        got("coveo-org-delete --token-file "),
        ["id list.txt", "ids.txt", "idsdir", "other.pem"]
    );
    assert_eq!(got("coveo-org-delete --ca-file = o"), ["other.pem"]);
    // Nothing to offer: a value of no known form, an organization ID, anything after --.
    for line in [
        "coveo-org-delete --timeout ",
        "coveo-org-delete --name-prefix ",
        "coveo-org-delete myorg",
        "coveo-org-delete -- --d",
    ] {
        assert_eq!(got(line), Vec::<String>::new(), "{line}");
    }
}

#[test]
fn bash_loads_the_completion_and_completes_flags_values_and_files() {
    assert_bash_completes(
        "bash_loads_the_completion_and_completes_flags_values_and_files",
        "",
        r#"source "$1""#,
    );
}

/// The bash-completion package's own location of its loader.
const BASH_COMPLETION: &str = "/usr/share/bash-completion/bash_completion";

/// With the bash-completion package, as installed by `make install` or the .deb: its loader
/// finds `completions/coveo-org-delete` under a data directory at the first Tab, and file
/// names come from its `_filedir`.
#[test]
fn bash_completion_package_loads_the_installed_completion_and_completes_the_same() {
    let test = "bash_completion_package_loads_the_installed_completion_and_completes_the_same";
    if !Path::new(BASH_COMPLETION).exists() {
        return eprintln!("SKIPPED {test}: the bash-completion package is not installed ({BASH_COMPLETION}; .ci/run installs it)");
    }
    let data = temp_dir("bash-completion-user-dir");
    std::fs::create_dir(data.join("completions")).expect("a directory");
    std::fs::copy(root().join(BASH), data.join("completions/coveo-org-delete"))
        .expect("copy the completion");
    let prelude = format!(
        "BASH_COMPLETION_USER_DIR='{}'\nsource {BASH_COMPLETION} || exit 5\ndeclare -F _filedir >/dev/null || exit 6\n! complete -p coveo-org-delete 2>/dev/null || exit 7",
        data.display()
    );
    // What bash runs at the first Tab on a command without a completion of its own.
    assert_bash_completes(test, &prelude, "_completion_loader coveo-org-delete");
}

// ---------------------------------------------------------------------------------------------
// zsh

/// A driver for zsh: `zsh -f -c DRIVER zsh FPATH_DIR MATCHES_FILE CWD LINE...` types each
/// line and a Tab into an interactive zsh on a pseudo-terminal (zsh's zpty module), with
/// compinit loading completions from FPATH_DIR, and prints `== LINE` and every match the
/// completion functions added.
const ZSH_DRIVER: &str = r#"
zmodload zsh/zpty || exit 3
dir=$1 file=$2 cwd=$3
shift 3
zpty z zsh -f -i
# Type only once the shell waits at its prompt: ZLE drops what is typed ahead of it.
prompt() { local out; zpty -r z out '*<P>*' || exit 4 }
zpty -w z "PS1='<''P>' RPS1= PROMPT_EOL_MARK=; unsetopt zle_bracketed_paste; cd ${(q)cwd}"
prompt
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D; print -r -- \"LOADED \$_comps[coveo-org-delete]\" > ${(q)file}"
prompt
print -r -- "$(<$file)"
# Every match a completion function adds goes to the file too (not those it only filters).
zpty -w z "compadd() { local -a m; if (( \${@[(I)-[OAD]*]} )); then builtin compadd \"\$@\"; return; fi; builtin compadd -O m \"\$@\"; (( \$#m )) && print -lr -- \$m >> ${(q)file}; builtin compadd \"\$@\"; }"
prompt
for line in "$@"; do
  : > $file
  zpty -w -n z "$line"$'\t\C-u'
  zpty -w z "print -r -- END''MARK"
  zpty -r z out '*ENDMARK*' || exit 5
  prompt
  print -r -- "== $line"
  sort -u $file
done
print -r -- DONE
zpty -d z
"#;

#[test]
fn zsh_loads_the_completion_and_completes_flags_values_and_files() {
    let test = "zsh_loads_the_completion_and_completes_flags_values_and_files";
    let dir = files_dir();
    let matches = temp_dir("zsh-matches").join("matches");
    let fpath = root().join("completions");
    let lines = [
        "coveo-org-delete --dry",
        "coveo-org-delete --",
        "coveo-org-delete -y -",
        "coveo-org-delete --region ",
        "coveo-org-delete --region=e",
        "coveo-org-delete --environment ",
        "coveo-org-delete --type ",
        "coveo-org-delete --from-file id",
        "coveo-org-delete --ca-file ",
        "coveo-org-delete --timeout ",
        "coveo-org-delete -- --",
    ];
    let mut args = vec!["-f", "-c", ZSH_DRIVER, "zsh"];
    let paths = [&fpath, &matches, &dir].map(|p| p.to_str().expect("UTF-8").to_owned());
    args.extend(paths.iter().map(String::as_str));
    args.extend(lines);
    let Some(out) = run("zsh", &args, &[("ZDOTDIR", paths[2].as_str())]) else {
        return skipped(test, "zsh");
    };
    assert_ran("zsh", &out);
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("LOADED _coveo-org-delete\n"),
        "compinit found it: {stdout}"
    );
    assert!(stdout.ends_with("DONE\n"), "{stdout}");
    let got = replies(&stdout);
    let got = |line: &str| sorted(got[line].clone());
    let longs: Vec<&str> = FLAGS.iter().map(|f| f.long).collect();
    assert_eq!(got("coveo-org-delete --dry"), ["--dry-run"]);
    assert_eq!(got("coveo-org-delete --"), strings(&longs));
    // A flag given is not offered again.
    let mut rest = all_names();
    rest.retain(|n| !["-y", "--yes"].contains(n));
    assert_eq!(got("coveo-org-delete -y -"), strings(&rest));
    assert_eq!(got("coveo-org-delete --region "), strings(REGIONS));
    assert_eq!(got("coveo-org-delete --region=e"), ["eu"]);
    assert_eq!(
        got("coveo-org-delete --environment "),
        strings(ENVIRONMENTS)
    );
    assert_eq!(
        got("coveo-org-delete --type "),
        strings(&words_of("--type"))
    );
    // zsh quotes what it inserts.
    assert_eq!(
        got("coveo-org-delete --from-file id"),
        ["id\\ list.txt", "ids.txt", "idsdir"]
    );
    assert_eq!(
        got("coveo-org-delete --ca-file "),
        ["id\\ list.txt", "ids.txt", "idsdir", "other.pem"]
    );
    assert_eq!(got("coveo-org-delete --timeout "), Vec::<String>::new());
    assert_eq!(got("coveo-org-delete -- --"), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// fish

#[test]
fn fish_loads_the_completion_and_completes_flags_values_and_files() {
    let test = "fish_loads_the_completion_and_completes_flags_values_and_files";
    let dir = files_dir();
    let lines = [
        "coveo-org-delete --",
        "coveo-org-delete -",
        "coveo-org-delete --region ",
        "coveo-org-delete --region=e",
        "coveo-org-delete --environment ",
        "coveo-org-delete --type ",
        "coveo-org-delete --from-file id",
        "coveo-org-delete --token-file ",
        "coveo-org-delete --timeout ",
        "coveo-org-delete myorg",
    ];
    let script = "source $argv[1]; or exit 3
cd $argv[2]; or exit 4
for line in $argv[3..-1]
    echo \"== $line\"
    complete -C \"$line\"
end
echo DONE";
    let file = root().join(FISH);
    let home = temp_dir("fish-home");
    let home = home.to_str().expect("UTF-8");
    let mut args = vec!["--no-config", "-c", script];
    let paths = [&file, &dir].map(|p| p.to_str().expect("UTF-8").to_owned());
    args.extend(paths.iter().map(String::as_str));
    args.extend(lines);
    let Some(out) = run(
        "fish",
        &args,
        &[
            ("XDG_CONFIG_HOME", home),
            ("XDG_DATA_HOME", home),
            ("XDG_CACHE_HOME", home),
        ],
    ) else {
        return skipped(test, "fish");
    };
    assert_ran("fish", &out);
    let stdout = text(&out.stdout);
    assert!(stdout.ends_with("DONE\n"), "{stdout}");
    // Each reply is the completion, then a tab and its description.
    let got = replies(&stdout);
    let got = |line: &str| -> Vec<String> {
        sorted(
            got[line]
                .iter()
                .map(|l| l.split('\t').next().unwrap_or("").to_owned())
                .collect(),
        )
    };
    let longs: Vec<&str> = FLAGS.iter().map(|f| f.long).collect();
    assert_eq!(got("coveo-org-delete --"), strings(&longs));
    assert_eq!(got("coveo-org-delete -"), strings(&all_names()));
    assert_eq!(got("coveo-org-delete --region "), strings(REGIONS));
    assert_eq!(got("coveo-org-delete --region=e"), ["--region=eu"]);
    assert_eq!(
        got("coveo-org-delete --environment "),
        strings(ENVIRONMENTS)
    );
    assert_eq!(
        got("coveo-org-delete --type "),
        strings(&words_of("--type"))
    );
    assert_eq!(
        got("coveo-org-delete --from-file id"),
        ["id list.txt", "ids.txt", "idsdir/"]
    );
    assert_eq!(
        got("coveo-org-delete --token-file "),
        ["id list.txt", "ids.txt", "idsdir/", "other.pem"]
    );
    assert_eq!(got("coveo-org-delete --timeout "), Vec::<String>::new());
    // No file names where an organization ID goes.
    assert_eq!(got("coveo-org-delete myorg"), Vec::<String>::new());
}

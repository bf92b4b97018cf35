//! coveo-org-delete: permanently delete Coveo Cloud V2 organizations from scripts.
//!
//! The data's way through the modules: [`cli`] (command line to options), [`ids`] (the
//! organizations of the run, a fed-back list judged as a whole), [`config`] (options and
//! environment to a checked configuration: [`token`], [`login`], [`target`], [`proxy`];
//! [`input`] reads the environment and files), [`confirm`] (the typed confirmation), then for
//! each organization [`org`] (a deletion or a dry run, over [`http`], tried again by [`retry`],
//! understood by [`answer`]) or, for `--list`, [`list`]; [`report`] prints what a script sees.
//! [`outcome`] is the data model every step shares: each error kind and its exit status, the
//! one error type, how an organization ended. Once the run is under way, [`signal`] lets
//! SIGINT and SIGTERM stop it cleanly and [`progress`] shows it at a terminal.

pub mod answer;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod confirm;
pub mod http;
pub mod ids;
pub mod input;
pub mod list;
pub mod login;
pub mod org;
pub mod outcome;
pub mod progress;
pub mod proxy;
pub mod report;
pub mod retry;
pub mod signal;
pub mod target;
pub mod token;

use org::Organization;
use outcome::{Error, ExitStatus, Kind, Outcome};
use progress::Progress;
use std::ffi::OsString;
use std::io::{IsTerminal, Write};

/// Runs the tool: `args` without the program name, `env` for environment variables, JSON
/// lines to `out`. Returns the exit status.
pub fn run(args: Vec<OsString>, env: input::Env, out: &mut dyn Write) -> i32 {
    let no_args = args.is_empty();
    let options = match cli::parse(args) {
        Ok(cli::Command::Run(o)) => o,
        Ok(cli::Command::Help) => return print(out, &cli::help()),
        Ok(cli::Command::Version) => {
            return print(out, &format!("coveo-org-delete {}\n", cli::VERSION))
        }
        Err(f) => {
            let status = run_failure(out, f, false);
            // A person who typed just the name gets the usage; a script gets its one line.
            if no_args && std::io::stderr().is_terminal() {
                let _ = std::io::stderr().write_all(cli::short_usage().as_bytes());
            }
            return status;
        }
    };
    let dry_run = options.dry_run;
    let given = match ids::read(&options) {
        Ok(g) => g,
        Err(f) => return run_failure(out, f, dry_run),
    };
    let cfg = match config::build(&options, env) {
        Ok(c) => c,
        Err(f) => return run_failure(out, f, dry_run),
    };
    if cfg.verbose {
        // Local text: printed as it is (the stderr line leaves out only what would break it).
        report::stderr_line(&format!(
            "token from {}; requests go to {}",
            cfg.token_source, cfg.base.url
        ));
    }
    let mut client = http::Client::new(&cfg);
    if cfg.verbose {
        client.on_attempt(report::attempt);
    }
    if let Some(keep) = &options.list {
        // No confirmation: a listing changes nothing, and stops cleanly from the start.
        signal::install();
        return list::run(&client, &cfg, keep, out);
    }
    // Nothing is sent unless the list as a whole may be: see ids::List::judge.
    let given = match given.judge(options.allow_production) {
        Ok(given) => given,
        Err(refusals) => {
            let unsent = refusals.into_iter().map(|r| Outcome {
                display_name: r.display_name,
                ..Outcome::unsent(r.id, dry_run, r.error)
            });
            return emit_all(out, unsent);
        }
    };
    if given.is_empty() {
        return 0;
    }
    let ids: Vec<&str> = given.iter().map(|g| g.text.as_str()).collect();

    let mut prompt_org = None;
    if !cfg.yes && !cfg.dry_run {
        let stdin_is_list = options.from_file.as_deref() == Some(std::path::Path::new("-"));
        match confirm::at_terminal(&client, &cfg, &ids, stdin_is_list) {
            Ok(org) => prompt_org = org,
            Err(refused) => return emit_all(out, refused.into_iter()),
        }
    }
    // Past the confirmation: from here on Ctrl-C or SIGTERM stops the run cleanly, with a
    // line for every organization, instead of killing it between two of them.
    signal::install();
    run_all(out, &client, &cfg, &ids, prompt_org)
}

/// Works through the organizations in order, `first` being the one the prompt already
/// fetched, if any. Once a signal was caught, the organizations not yet started are not
/// sent: each gets an `interrupted` line.
fn run_all(
    out: &mut dyn Write,
    client: &http::Client,
    cfg: &config::Config,
    ids: &[&str],
    mut first: Option<Organization>,
) -> i32 {
    let mut progress = Progress::new(ids.len(), cfg.dry_run);
    let mut not_started = 0;
    let outcomes = ids.iter().enumerate().map(|(i, id)| {
        let outcome = match signal::caught() {
            Some(s) => {
                not_started += 1;
                Outcome::unsent(
                    Some(id.to_string()),
                    cfg.dry_run,
                    Error::new(
                        Kind::Interrupted(s),
                        format!("not started: the run was stopped by {}", s.name()),
                    ),
                )
            }
            None => {
                progress.start(i, id);
                let org = first
                    .take()
                    .unwrap_or_else(|| Organization::new(client, cfg, id));
                if cfg.dry_run {
                    org.dry_run()
                } else {
                    org.delete()
                }
            }
        };
        progress.note(&outcome);
        outcome
    });
    // Lazy: an organization is touched only after the line of the one before was written.
    let status = emit_all(out, outcomes);
    // Those a signal kept from starting have their JSON lines, and one stderr line for all:
    // a big list stopped by `timeout` must not mail a line per organization.
    if let (Some(s), true) = (signal::caught(), not_started > 0) {
        let what = if not_started == 1 {
            "1 organization was".to_owned()
        } else {
            format!("{not_started} organizations were")
        };
        report::stderr_line(&format!(
            "interrupted: {what} not started (the run was stopped by {}); nothing was sent for them",
            s.name()
        ));
    }
    progress.finish();
    status
}

fn emit_all(out: &mut dyn Write, outcomes: impl Iterator<Item = Outcome>) -> i32 {
    let mut status = ExitStatus::default();
    for o in outcomes {
        status.note(&o);
        if report::emit(out, &o).is_err() {
            return outcome::EXIT_OUTPUT_FAILED;
        }
    }
    // A run that a signal stopped says so first, whatever failed before, and also when the
    // signal came during its last organization, so that no line reads `interrupted`: the
    // wrapper that sent it learns the run did not end on its own.
    match signal::caught() {
        Some(s) => Kind::Interrupted(s).exit_status(),
        None => status.code(),
    }
}

fn run_failure(out: &mut dyn Write, f: Error, dry_run: bool) -> i32 {
    emit_all(out, std::iter::once(Outcome::unsent(None, dry_run, f)))
}

fn print(out: &mut dyn Write, text: &str) -> i32 {
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => 0,
        Err(_) => outcome::EXIT_OUTPUT_FAILED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer like a pipe behind a buffer: what was written shows only once flushed.
    #[derive(Default)]
    struct Flushed {
        pending: Vec<u8>,
        shown: Vec<u8>,
    }

    impl Write for Flushed {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.pending.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            self.shown.append(&mut self.pending);
            Ok(())
        }
    }

    fn run_with(args: &[&str]) -> (i32, String, usize) {
        let mut out = Flushed::default();
        let no_env = |_: &str| None;
        let status = run(args.iter().map(OsString::from).collect(), &no_env, &mut out);
        let shown = String::from_utf8(out.shown).expect("UTF-8");
        (status, shown, out.pending.len())
    }

    #[test]
    fn help_and_version_are_flushed() {
        let (status, shown, pending) = run_with(&["--version"]);
        assert_eq!(status, 0);
        assert_eq!(shown, format!("coveo-org-delete {}\n", cli::VERSION));
        assert_eq!(pending, 0);
        let (status, shown, pending) = run_with(&["--help"]);
        assert_eq!(status, 0);
        assert_eq!(shown, cli::help());
        assert_eq!(pending, 0);
    }

    #[test]
    fn a_json_line_is_flushed_with_its_newline() {
        // The writer of every line, failures included (a failure would also write its stderr
        // line, which a test run must not print).
        let mut out = Flushed::default();
        report::write_line(&mut out, r#"{"organization_id":null}"#).expect("written");
        assert_eq!(out.shown, b"{\"organization_id\":null}\n");
        assert!(out.pending.is_empty());
    }
}

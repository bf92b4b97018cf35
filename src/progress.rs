//! What a person at a terminal sees of a long run on stderr: one status line, rewritten in
//! place while the organizations are worked on, and a summary at the end. Only when stderr
//! is a terminal and the run has more than one organization: a log file or a cron mail gets
//! neither, so stderr stays empty on a successful batch.

use crate::outcome::Kind;
use crate::outcome::{Done, Outcome};
use crate::signal::Signal;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Back to the start of the line, and erase it.
pub const ERASE: &str = "\r\x1b[K";

/// Longest status line. `\r` only goes back to the start of a line's last row, so a line
/// that wraps would leave rows behind; 79 columns fit any terminal worth drawing on (the
/// width itself is not asked for: that would take an ioctl).
const WIDTH: usize = 79;

/// A status line is on the terminal now. A static, because every stderr line of the run
/// (failures, `--verbose`) must erase it first, wherever it is written from.
static SHOWN: AtomicBool = AtomicBool::new(false);

/// Whether a status line is shown; from now on it counts as erased, so the caller writes
/// [`ERASE`] before what it writes next.
pub fn take_shown() -> bool {
    SHOWN.swap(false, Ordering::SeqCst)
}

/// Erases the status line, if one is shown: a line is about to be written to stdout, which
/// may be the same terminal.
pub fn clear() {
    if take_shown() {
        let _ = std::io::stderr().lock().write_all(ERASE.as_bytes());
    }
}

/// The status line and the summary of one run of organizations.
pub struct Progress {
    total: usize,
    dry_run: bool,
    at_terminal: bool,
    tally: Tally,
}

impl Progress {
    pub fn new(total: usize, dry_run: bool) -> Progress {
        Progress {
            total,
            dry_run,
            at_terminal: total > 1 && std::io::stderr().is_terminal(),
            tally: Tally::default(),
        }
    }

    /// Shows that the organization at `index` (from 0) is being worked on.
    pub fn start(&self, index: usize, id: &str) {
        if !self.at_terminal {
            return;
        }
        let verb = if self.dry_run { "checking" } else { "deleting" };
        let line = status_line(index + 1, self.total, verb, id);
        // The first line starts clean; a later one replaces the one shown, unless a line on
        // stdout already erased it.
        let erase = if take_shown() || index == 0 {
            ERASE
        } else {
            ""
        };
        let _ = std::io::stderr()
            .lock()
            .write_all(format!("{erase}{line}").as_bytes());
        SHOWN.store(true, Ordering::SeqCst);
    }

    /// Counts an outcome for the summary.
    pub fn note(&mut self, o: &Outcome) {
        self.tally.note(o);
    }

    /// Erases the status line and prints the summary.
    pub fn finish(self) {
        if !self.at_terminal {
            return;
        }
        let erase = if take_shown() { ERASE } else { "" };
        let summary = self.tally.summary(self.total, self.dry_run);
        let _ = std::io::stderr()
            .lock()
            .write_all(format!("{erase}{summary}\n").as_bytes());
    }
}

/// `[12/200] deleting ID`, the ID cut short (`...`) to fit in [`WIDTH`] columns; IDs are
/// ASCII, one column per byte.
fn status_line(n: usize, total: usize, verb: &str, id: &str) -> String {
    let head = format!("[{n}/{total}] {verb} ");
    let room = WIDTH.saturating_sub(head.len());
    if id.len() <= room {
        return format!("{head}{id}");
    }
    let kept = id.get(..room.saturating_sub(3)).unwrap_or("");
    format!("{head}{kept}...")
}

/// What became of the organizations so far. Those that a signal kept from starting are not
/// counted: the summary calls every organization not counted "not started", which also
/// covers a run that stopped because stdout could not be written.
#[derive(Default)]
struct Tally {
    deleted: usize,
    already_absent: usize,
    would_delete: usize,
    not_found: usize,
    failed: usize,
    /// Stopped part-way: a dry run whose privilege check was not sent.
    interrupted: usize,
    signal: Option<Signal>,
}

impl Tally {
    fn note(&mut self, o: &Outcome) {
        match &o.result {
            Ok(Done::Deleted) => self.deleted += 1,
            Ok(Done::AlreadyAbsent) => self.already_absent += 1,
            Ok(Done::WouldDelete) => self.would_delete += 1,
            Err(e) => match e.kind {
                Kind::NotFound => self.not_found += 1,
                Kind::Interrupted(signal) => {
                    self.signal = Some(signal);
                    if o.attempts > 0 {
                        self.interrupted += 1;
                    }
                }
                _ => self.failed += 1,
            },
        }
    }

    /// `200 organizations: 197 deleted, 1 already absent, 1 not found, 1 failed`; a dry run
    /// counts what `would be deleted`; a stopped run ends with `; stopped by SIGINT`. Counts
    /// of zero are left out, except the one the run is for.
    fn summary(&self, total: usize, dry_run: bool) -> String {
        let counted = self.deleted
            + self.already_absent
            + self.would_delete
            + self.not_found
            + self.failed
            + self.interrupted;
        let mut parts = vec![if dry_run {
            format!("{} would be deleted", self.would_delete)
        } else {
            format!("{} deleted", self.deleted)
        }];
        for (n, what) in [
            (self.already_absent, "already absent"),
            (self.not_found, "not found"),
            (self.failed, "failed"),
            (self.interrupted, "interrupted"),
            (total.saturating_sub(counted), "not started"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        let mut line = format!("{total} organizations: {}", parts.join(", "));
        if let Some(signal) = self.signal {
            line.push_str(&format!("; stopped by {}", signal.name()));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Error;

    fn outcome(result: Result<Done, Kind>, attempts: u32) -> Outcome {
        let mut o = Outcome::unsent(
            Some("org".into()),
            false,
            Error::new(Kind::Protocol, "unused"),
        );
        o.result = result.map_err(|k| Error::new(k, "why"));
        o.attempts = attempts;
        o
    }

    fn summary(outcomes: &[(Result<Done, Kind>, u32)], total: usize, dry_run: bool) -> String {
        let mut t = Tally::default();
        for (r, attempts) in outcomes {
            t.note(&outcome(*r, *attempts));
        }
        t.summary(total, dry_run)
    }

    #[test]
    fn a_finished_run() {
        let mut run = vec![(Ok(Done::Deleted), 1); 197];
        run.push((Ok(Done::AlreadyAbsent), 1));
        run.push((Err(Kind::NotFound), 1));
        run.push((Err(Kind::Forbidden), 1));
        assert_eq!(
            summary(&run, 200, false),
            "200 organizations: 197 deleted, 1 already absent, 1 not found, 1 failed"
        );
        let all = [(Ok(Done::Deleted), 1), (Ok(Done::Deleted), 2)];
        assert_eq!(summary(&all, 2, false), "2 organizations: 2 deleted");
        let none = [(Err(Kind::Timeout), 4), (Err(Kind::NotFound), 1)];
        assert_eq!(
            summary(&none, 2, false),
            "2 organizations: 0 deleted, 1 not found, 1 failed"
        );
    }

    #[test]
    fn a_dry_run() {
        let run = [
            (Ok(Done::WouldDelete), 2),
            (Ok(Done::AlreadyAbsent), 1),
            (Err(Kind::ReadOnly), 2),
        ];
        assert_eq!(
            summary(&run, 3, true),
            "3 organizations: 1 would be deleted, 1 already absent, 1 failed"
        );
    }

    #[test]
    fn a_stopped_run() {
        let int = Kind::Interrupted(Signal::Interrupt);
        let run = [(Ok(Done::Deleted), 1), (Err(int), 0), (Err(int), 0)];
        assert_eq!(
            summary(&run, 3, false),
            "3 organizations: 1 deleted, 2 not started; stopped by SIGINT"
        );
        // A dry run stopped between its two requests.
        let term = Kind::Interrupted(Signal::Terminate);
        let run = [(Ok(Done::WouldDelete), 2), (Err(term), 1), (Err(term), 0)];
        assert_eq!(
            summary(&run, 3, true),
            "3 organizations: 1 would be deleted, 1 interrupted, 1 not started; stopped by SIGTERM"
        );
        // stdout could not be written after the first line: the rest were never reached.
        assert_eq!(
            summary(&[(Ok(Done::Deleted), 1)], 4, false),
            "4 organizations: 1 deleted, 3 not started"
        );
    }

    #[test]
    fn status_lines_fit_one_row() {
        assert_eq!(
            status_line(12, 200, "deleting", "cirun20261128a1b2"),
            "[12/200] deleting cirun20261128a1b2"
        );
        assert_eq!(status_line(1, 2, "checking", "a"), "[1/2] checking a");
        let long = "x".repeat(255);
        let line = status_line(200, 200, "deleting", &long);
        assert_eq!(line.len(), WIDTH);
        assert!(line.starts_with("[200/200] deleting xxx") && line.ends_with("x..."));
    }
}

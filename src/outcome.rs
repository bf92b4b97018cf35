//! The run's data model, which every step uses: each error kind and its exit status (the one
//! place both are defined), the one error type (its kind, message and what the server said),
//! how an organization ended, and the exit status of a run.

use crate::signal::Signal;

/// The `error.kind` of a JSON line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Usage,
    Config,
    InvalidOrganizationId,
    ConfirmationRequired,
    NotConfirmed,
    /// A fed-back listing that did not finish: no `end_of_list` line at its end.
    IncompleteList,
    /// A fed-back listed organization of type `Production`, without `--allow-production`.
    Protected,
    Unauthorized,
    Forbidden,
    NotFound,
    ReadOnly,
    RateLimited,
    ServerError,
    UnexpectedStatus,
    Timeout,
    Connection,
    Tls,
    Protocol,
    /// A signal stopped the run before this organization was done.
    Interrupted(Signal),
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Usage => "usage",
            Kind::Config => "config",
            Kind::InvalidOrganizationId => "invalid_organization_id",
            Kind::ConfirmationRequired => "confirmation_required",
            Kind::NotConfirmed => "not_confirmed",
            Kind::IncompleteList => "incomplete_list",
            Kind::Protected => "protected",
            Kind::Unauthorized => "unauthorized",
            Kind::Forbidden => "forbidden",
            Kind::NotFound => "not_found",
            Kind::ReadOnly => "read_only",
            Kind::RateLimited => "rate_limited",
            Kind::ServerError => "server_error",
            Kind::UnexpectedStatus => "unexpected_status",
            Kind::Timeout => "timeout",
            Kind::Connection => "connection",
            Kind::Tls => "tls",
            Kind::Protocol => "protocol",
            Kind::Interrupted(_) => "interrupted",
        }
    }

    /// The exit status of a run whose first failure is this one; an interruption's status
    /// wins over any failure before it (see [`ExitStatus`] and `emit_all` in lib.rs).
    pub fn exit_status(self) -> i32 {
        match self {
            Kind::UnexpectedStatus | Kind::Tls | Kind::Protocol | Kind::ReadOnly => 1,
            Kind::Usage
            | Kind::Config
            | Kind::InvalidOrganizationId
            | Kind::ConfirmationRequired
            | Kind::NotConfirmed
            | Kind::IncompleteList
            | Kind::Protected => 2,
            Kind::Unauthorized | Kind::Forbidden => 3,
            Kind::NotFound => 4,
            Kind::RateLimited | Kind::ServerError | Kind::Timeout | Kind::Connection => 5,
            // What a shell reports for a process that the signal ended: 130, 143.
            Kind::Interrupted(signal) => 128 + signal.number(),
        }
    }

    /// Only these are tried again: the temporary failures, after which the same request may
    /// well succeed (exit status 5 says the same to a script).
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Kind::RateLimited | Kind::ServerError | Kind::Timeout | Kind::Connection
        )
    }

    /// The kind a JSON line names, as [`Kind::as_str`] writes it. `interrupted` stands for
    /// SIGINT: a line does not say which signal it was.
    pub fn from_name(name: &str) -> Option<Kind> {
        ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// Every kind, in the order of the exit-status table.
pub const ALL: [Kind; 20] = [
    Kind::UnexpectedStatus,
    Kind::Tls,
    Kind::Protocol,
    Kind::ReadOnly,
    Kind::Usage,
    Kind::Config,
    Kind::InvalidOrganizationId,
    Kind::ConfirmationRequired,
    Kind::NotConfirmed,
    Kind::IncompleteList,
    Kind::Protected,
    Kind::Unauthorized,
    Kind::Forbidden,
    Kind::NotFound,
    Kind::RateLimited,
    Kind::ServerError,
    Kind::Timeout,
    Kind::Connection,
    Kind::Interrupted(Signal::Interrupt),
    Kind::Interrupted(Signal::Terminate),
];

/// Every exit status and what it means: the table of the help, the man page and the README.
pub const EXIT_STATUSES: [(i32, &str); 8] = [
    (0, "every organization succeeded"),
    (
        1,
        "unexpected failure, an organization that must be resumed first, or stdout not writable",
    ),
    (2, "nothing was sent: bad usage, configuration or input"),
    (3, "the token was refused"),
    (4, "not found"),
    (5, "temporary: safe to run again later"),
    (
        130,
        "stopped by SIGINT: the organizations not yet started were not sent",
    ),
    (
        143,
        "stopped by SIGTERM: the organizations not yet started were not sent",
    ),
];

/// The kinds whose exit status is `status`, as JSON lines name them.
pub fn kinds_of(status: i32) -> Vec<&'static str> {
    ALL.into_iter()
        .filter(|k| k.exit_status() == status)
        .map(Kind::as_str)
        .collect()
}

/// Exit status when stdout could not be written.
pub const EXIT_OUTPUT_FAILED: i32 = 1;

/// What went wrong, for one organization or for the whole run, as the `error` object of a JSON
/// line shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: Kind,
    /// At most 500 characters, trimmed (see [`message_text`]).
    pub message: String,
    /// The error code the server gave, cleaned.
    pub coveo_error_code: Option<String>,
    /// The last wait the server asked for (`Retry-After`), in whole seconds.
    pub retry_after_s: Option<u64>,
    /// The stderr hint, when this failure calls for its own rather than the one of its kind.
    pub hint: Option<&'static str>,
}

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message_text(&message.into()),
            coveo_error_code: None,
            retry_after_s: None,
            hint: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(Kind::Usage, message)
    }

    pub fn config(message: impl Into<String>) -> Error {
        Error::new(Kind::Config, message)
    }
}

const MESSAGE_LIMIT: usize = 500;

/// What a character is that no line may hold as it is: a control character (U+0085, NEL,
/// among them), or the Unicode line and paragraph separators, at which many line-oriented
/// readers split lines. JSON lines escape them; stderr lines leave them out.
pub fn breaks_lines(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// `s` without the spaces and line-breaking characters around it; empty when nothing else
/// is left. What is inside stays: the JSON line escapes it, the stderr line leaves it out.
pub fn trimmed(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || breaks_lines(c))
}

/// A message: [`trimmed`], at most 500 characters.
pub fn message_text(s: &str) -> String {
    let t = trimmed(s);
    match t.char_indices().nth(MESSAGE_LIMIT) {
        Some((end, _)) => trimmed(&t[..end]).to_owned(),
        None => t.to_owned(),
    }
}

/// How an organization ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Deleted,
    AlreadyAbsent,
    WouldDelete,
}

impl Done {
    pub fn as_str(self) -> &'static str {
        match self {
            Done::Deleted => "deleted",
            Done::AlreadyAbsent => "already_absent",
            Done::WouldDelete => "would_delete",
        }
    }
}

/// Everything one JSON line tells. `id` is `None` for a failure of the whole run.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: Option<String>,
    pub result: Result<Done, Error>,
    pub dry_run: bool,
    pub http_status: Option<u16>,
    pub attempts: u32,
    pub elapsed_ms: u128,
    pub request_id: Option<String>,
    pub display_name: Option<String>,
    /// The stderr hint after a 401 or 403 when the token's source calls for its own.
    pub token_hint: Option<String>,
}

impl Outcome {
    /// An outcome for which nothing was sent.
    pub fn unsent(id: Option<String>, dry_run: bool, error: Error) -> Outcome {
        Outcome {
            id,
            result: Err(error),
            dry_run,
            http_status: None,
            attempts: 0,
            elapsed_ms: 0,
            request_id: None,
            display_name: None,
            token_hint: None,
        }
    }
}

/// Exit status of a run: that of the first organization that failed, else 0 (a signal
/// overrides it: see `emit_all` in lib.rs).
#[derive(Default)]
pub struct ExitStatus(Option<i32>);

impl ExitStatus {
    pub fn note(&mut self, o: &Outcome) {
        if let (None, Err(e)) = (self.0, &o.result) {
            self.0 = Some(e.kind.exit_status());
        }
    }

    pub fn code(&self) -> i32 {
        self.0.unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_read_back_from_its_name() {
        for name in [
            "usage",
            "config",
            "invalid_organization_id",
            "confirmation_required",
            "not_confirmed",
            "incomplete_list",
            "protected",
            "unauthorized",
            "forbidden",
            "not_found",
            "read_only",
            "rate_limited",
            "server_error",
            "unexpected_status",
            "timeout",
            "connection",
            "tls",
            "protocol",
            "interrupted",
        ] {
            let kind = Kind::from_name(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(kind.as_str(), name);
        }
        assert_eq!(
            Kind::from_name("interrupted").map(Kind::exit_status),
            Some(130)
        );
        assert_eq!(
            Kind::from_name("incomplete_list").map(Kind::exit_status),
            Some(2)
        );
        assert_eq!(Kind::from_name("protected").map(Kind::exit_status), Some(2));
        assert_eq!(Kind::from_name("Unauthorized"), None);
        assert_eq!(Kind::from_name(""), None);
    }

    #[test]
    fn every_kind_has_one_of_the_exit_statuses() {
        let statuses: Vec<i32> = EXIT_STATUSES.iter().map(|(s, _)| *s).collect();
        for kind in ALL {
            assert!(statuses.contains(&kind.exit_status()), "{kind:?}");
        }
        assert_eq!(kinds_of(0), Vec::<&str>::new());
        assert_eq!(kinds_of(3), ["unauthorized", "forbidden"]);
        assert_eq!(kinds_of(143), ["interrupted"]);
        // What is tried again is what a script may run again later.
        for kind in ALL {
            assert_eq!(kind.is_retryable(), kind.exit_status() == 5, "{kind:?}");
        }
        assert!(kinds_of(2).contains(&"protected") && kinds_of(2).contains(&"incomplete_list"));
    }

    #[test]
    fn messages_are_trimmed_and_bounded_and_keep_what_is_inside() {
        assert_eq!(message_text("a\nb\r\tc"), "a\nb\r\tc");
        assert_eq!(message_text(&"é".repeat(600)).chars().count(), 500);
        assert_eq!(message_text(&"é".repeat(500)).chars().count(), 500);
        assert_eq!(message_text(&"é".repeat(499)).chars().count(), 499);
        assert_eq!(message_text(&format!("{}x", " ".repeat(600))), "x");
        assert_eq!(
            message_text(&format!("{}\n{}", "a".repeat(499), "b")),
            "a".repeat(499)
        );
        assert_eq!(message_text("\u{1}\u{2028}\n x \u{85}\u{2029}\u{7f}"), "x");
        assert_eq!(message_text("\u{1}\u{2028}\n"), "");
        for c in [
            '\n', '\u{1}', '\u{7f}', '\u{85}', '\u{9f}', '\u{2028}', '\u{2029}',
        ] {
            assert!(breaks_lines(c), "{c:?}");
        }
        for c in ['a', ' ', '\u{a0}', '\u{200b}', 'é'] {
            assert!(!breaks_lines(c), "{c:?}");
        }
    }
}

//! Every way a run or an organization can fail, with its exit status: the one place both are
//! defined.

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
    /// wins over any failure before it (see `report::ExitStatus`).
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

    /// Only these are tried again: the temporary failures.
    pub fn is_retryable(self) -> bool {
        self.exit_status() == 5
    }

    /// The kind a JSON line names, as [`Kind::as_str`] writes it. `interrupted` stands for
    /// SIGINT: a line does not say which signal it was.
    pub fn from_name(name: &str) -> Option<Kind> {
        const ALL: [Kind; 19] = [
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
            Kind::ReadOnly,
            Kind::RateLimited,
            Kind::ServerError,
            Kind::UnexpectedStatus,
            Kind::Timeout,
            Kind::Connection,
            Kind::Tls,
            Kind::Protocol,
            Kind::Interrupted(Signal::Interrupt),
        ];
        ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// Exit status when stdout could not be written.
pub const EXIT_OUTPUT_FAILED: i32 = 1;

/// A failure that belongs to the whole run rather than to one organization.
#[derive(Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: Kind,
    pub message: String,
}

impl Failure {
    pub fn new(kind: Kind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Usage, message)
    }

    pub fn config(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Config, message)
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
}

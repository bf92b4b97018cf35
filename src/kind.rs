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
            | Kind::NotConfirmed => 2,
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

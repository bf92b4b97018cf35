//! What an answer from the platform means: its kind, message, code and request ID.

use crate::http::{Answer, Lost};
use crate::outcome::{trimmed, Error, Kind};
use serde_json::Value;

/// The kind of a non-2xx status; `None` for success.
pub fn status_kind(status: u16) -> Option<Kind> {
    match status {
        200..=299 => None,
        401 => Some(Kind::Unauthorized),
        403 => Some(Kind::Forbidden),
        404 => Some(Kind::NotFound),
        429 => Some(Kind::RateLimited),
        500 | 502 | 503 | 504 => Some(Kind::ServerError),
        _ => Some(Kind::UnexpectedStatus),
    }
}

/// Whether an error code says the organization is paused (read-only): it must be resumed
/// before it can be deleted, and no token would do better.
pub fn is_read_only_code(code: &str) -> bool {
    code == "ORGANIZATION_IS_PAUSED" || code.contains("READ_ONLY")
}

/// Whether a 4xx says the organization is read-only when its error code does (see
/// [`error_of`]); any other status keeps its own kind.
fn may_be_read_only(status: u16) -> bool {
    (400..500).contains(&status)
}

/// Whether an answer of `status` can be what failed with `kind`: the kind the status stands
/// for, or `read_only`, which a 4xx is by its error code. (A failure after it, such as a
/// timeout after a 503, keeps the status in its JSON line but is not that answer's.)
pub fn failed_with(status: u16, kind: Kind) -> bool {
    status_kind(status) == Some(kind) || (kind == Kind::ReadOnly && may_be_read_only(status))
}

/// The error a non-2xx answer stands for, its message taken from a JSON body when there is one.
pub fn error_of(a: &Answer) -> Error {
    let body = ErrorBody::parse(&a.body);
    let paused = body.code.as_deref().is_some_and(is_read_only_code);
    let kind = match status_kind(a.status).unwrap_or(Kind::UnexpectedStatus) {
        _ if paused && may_be_read_only(a.status) => Kind::ReadOnly,
        kind => kind,
    };
    let fallback = format!("HTTP {} {}", a.status, a.reason)
        .trim_end()
        .to_owned();
    let message = if kind == Kind::Forbidden && a.waf_block {
        format!("{fallback}: the request was blocked by Coveo's web application firewall")
    } else if (300..400).contains(&a.status) {
        match &a.location {
            Some(to) => format!("{fallback}: redirect to {} not followed", clean(to)),
            None => format!("{fallback}: redirect not followed"),
        }
    } else {
        body.message.map_or(fallback, |m| clean(&m))
    };
    Error {
        coveo_error_code: body.code.map(|c| clean(&c)),
        hint: (kind == Kind::Forbidden && a.waf_block).then_some(
            "hint: the firewall judged the request, not the token; if it happens again, give Coveo support the request ID",
        ),
        ..Error::new(kind, message)
    }
}

/// A 2xx answer, or the error that the answer or its absence stands for.
pub fn succeeded(r: Result<Answer, Lost>) -> Result<Answer, Error> {
    match r {
        Ok(a) if status_kind(a.status).is_none() => Ok(a),
        Ok(a) => Err(error_of(&a)),
        Err(lost) => Err(lost.error),
    }
}

/// The request ID of an answer: the header, else the body's.
pub fn request_id(a: &Answer) -> Option<String> {
    a.request_id
        .clone()
        .or_else(|| ErrorBody::parse(&a.body).request_id)
        .map(|id| clean(&id))
}

/// The fields of the several error body shapes the platform uses (platform notes).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ErrorBody {
    pub message: Option<String>,
    pub code: Option<String>,
    pub request_id: Option<String>,
}

impl ErrorBody {
    pub fn parse(body: &[u8]) -> ErrorBody {
        let Ok(Value::Object(o)) = serde_json::from_slice::<Value>(body) else {
            return ErrorBody::default();
        };
        // A field that cleaning would leave empty (only spaces or control characters) is no
        // message: the next field, or the status line, says more.
        let first = |names: &[&str]| {
            names.iter().find_map(|n| match o.get(*n) {
                Some(Value::String(s)) if !clean(s).is_empty() => Some(s.clone()),
                _ => None,
            })
        };
        ErrorBody {
            message: first(&["message", "detail", "error_description", "title"]),
            code: first(&["errorCode", "type", "code", "error"]),
            request_id: first(&["requestID", "requestId"]),
        }
    }
}

/// What the server says is untrusted text; this makes it printable: the token replaced by
/// `[token]` (before anything is cut, so no part of it survives), then trimmed. Line breaks
/// inside it stay for the JSON line to escape and the stderr line to leave out; its length
/// is the line's fitting's to bound (a message's, [`Error::new`]'s).
pub fn clean(s: &str) -> String {
    trimmed(&crate::token::redact(s)).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_shapes() {
        let p = |s: &str| ErrorBody::parse(s.as_bytes());
        assert_eq!(
            p(r#"{"message":"m","errorCode":"ACCESS_DENIED","requestID":"r"}"#),
            ErrorBody {
                message: Some("m".into()),
                code: Some("ACCESS_DENIED".into()),
                request_id: Some("r".into())
            }
        );
        let oauth = p(r#"{"error":"invalid_token","error_description":"expired"}"#);
        assert_eq!(oauth.message.as_deref(), Some("expired"));
        assert_eq!(oauth.code.as_deref(), Some("invalid_token"));
        let rfc = p(r#"{"title":"T","detail":"D","status":403}"#);
        assert_eq!(rfc.message.as_deref(), Some("D"));
        let search = p(r#"{"statusCode":429,"message":"slow","type":"TOO_MANY_REQUESTS"}"#);
        assert_eq!(search.code.as_deref(), Some("TOO_MANY_REQUESTS"));
        assert_eq!(p("<html>502</html>"), ErrorBody::default());
        assert_eq!(p(r#"{"message":5,"code":7}"#), ErrorBody::default());
        assert_eq!(p(r#"["message"]"#), ErrorBody::default());
    }

    #[test]
    fn a_message_of_control_characters_is_no_message() {
        let b = ErrorBody::parse(br#"{"message":"\u0001\u2028","detail":"D"}"#);
        assert_eq!(b.message.as_deref(), Some("D"));
        let b = ErrorBody::parse(br#"{"message":"\n\r"}"#);
        assert_eq!(b.message, None);
    }

    #[test]
    fn read_only_codes() {
        assert!(is_read_only_code("ORGANIZATION_IS_PAUSED"));
        assert!(is_read_only_code(
            "OPERATION_FORBIDDEN_FOR_ORGANIZATION_IN_READ_ONLY"
        ));
        assert!(!is_read_only_code("ACCESS_DENIED"));
        assert!(!is_read_only_code("ORGANIZATION_IS_PAUSED_NOT"));
    }
}

//! What an answer from the platform means (contract section 5).

use crate::http::Answer;
use crate::kind::Kind;
use serde_json::Value;

/// An organization's failure, as its JSON line's `error` object shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgError {
    pub kind: Kind,
    pub message: String,
    pub coveo_error_code: Option<String>,
    pub retry_after_s: Option<u64>,
}

impl OrgError {
    pub fn new(kind: Kind, message: impl Into<String>) -> OrgError {
        OrgError {
            kind,
            message: clean(&message.into()),
            coveo_error_code: None,
            retry_after_s: None,
        }
    }
}

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

/// The error a non-2xx answer stands for, its message taken from a JSON body when there is one.
pub fn error_of(a: &Answer) -> OrgError {
    let kind = status_kind(a.status).unwrap_or(Kind::UnexpectedStatus);
    let body = ErrorBody::parse(&a.body);
    let fallback = format!("HTTP {} {}", a.status, a.reason)
        .trim_end()
        .to_owned();
    let message = if kind == Kind::Forbidden && a.waf_block {
        format!("{fallback}: the request was blocked by Coveo's web application firewall")
    } else if (300..400).contains(&a.status) {
        match &a.location {
            Some(to) => format!("{fallback}: redirect to {to} not followed"),
            None => format!("{fallback}: redirect not followed"),
        }
    } else {
        body.message.unwrap_or(fallback)
    };
    OrgError {
        coveo_error_code: body.code.map(|c| clean(&c)),
        ..OrgError::new(kind, message)
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
        let first = |names: &[&str]| {
            names.iter().find_map(|n| match o.get(*n) {
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
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

const MESSAGE_LIMIT: usize = 500;

/// One line of at most 500 characters: control characters become spaces, so a message can
/// never break the one-line-per-failure promise of stderr.
pub fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MESSAGE_LIMIT)
        .collect::<String>()
        .trim()
        .to_owned()
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
    fn messages_are_one_bounded_line() {
        assert_eq!(clean("a\nb\r\tc"), "a b  c");
        assert_eq!(clean(&"é".repeat(600)).chars().count(), 500);
    }
}

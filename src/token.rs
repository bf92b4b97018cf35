//! The bearer token: what a valid one is, that it is never shown, and its replacement by
//! `[token]` in whatever the server says (servers echo tokens: `Invalid access token: <token>`,
//! and what they say ends up in logs and cron mail). Where a token comes from is `config`'s.

use std::borrow::Cow;
use std::sync::Mutex;

/// A request head must fit ureq's output buffer whole; a longer token is refused up front
/// rather than sent cut.
pub const TOKEN_LIMIT: usize = 8 * 1024;

/// The bearer token. Its `Debug` never shows it, so no error path can print it by accident.
pub struct Token(String);

/// Why a text is no token.
#[derive(Debug, PartialEq, Eq)]
pub enum Rejected {
    Empty,
    /// Whitespace, control or non-ASCII characters inside it.
    NotPrintable,
    /// Longer than [`TOKEN_LIMIT`] bytes: this many.
    TooLong(usize),
}

impl Token {
    /// The token a text stands for: trimmed (a trailing newline), a leading `Bearer ` (any
    /// letter case, copied from a header) dropped. `Bearer` with nothing after it is empty:
    /// it is what `COVEO_TOKEN="Bearer $TOKEN"` gives when `TOKEN` is unset, and sending it
    /// would report a refused token instead of a missing one. From now on [`redact`]
    /// replaces it.
    pub fn from_raw(raw: &str) -> Result<Token, Rejected> {
        let mut token = raw.trim();
        let prefix = token.get(..6).filter(|p| p.eq_ignore_ascii_case("bearer"));
        let rest = token.get(6..).unwrap_or("");
        if prefix.is_some() && (rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace())) {
            token = rest.trim_start();
        }
        if token.is_empty() {
            return Err(Rejected::Empty);
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Rejected::NotPrintable);
        }
        if token.len() > TOKEN_LIMIT {
            return Err(Rejected::TooLong(token.len()));
        }
        *SECRET.lock().unwrap_or_else(|e| e.into_inner()) = token.to_owned();
        Ok(Token(token.to_owned()))
    }

    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(hidden)")
    }
}

/// The token of the run, for [`redact`]. One process has one token; a process-wide value lets
/// every string from the server be cleaned where it is cleaned anyway, without threading the
/// token through code that has no other use for it.
static SECRET: Mutex<String> = Mutex::new(String::new());

/// Every occurrence of the run's token in `text` replaced by `[token]`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let secret = SECRET.lock().unwrap_or_else(|e| e.into_inner());
    if secret.is_empty() || !text.contains(secret.as_str()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace(secret.as_str(), "[token]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_debugs_as_hidden() {
        let token = Token("s3cr3t-value".into());
        assert_eq!(format!("{token:?}"), "Token(hidden)");
        let mut holder = String::new();
        std::fmt::Write::write_fmt(&mut holder, format_args!("{:?}", Some(&token))).unwrap();
        assert!(!holder.contains("s3cr3t"), "{holder}");
    }

    #[test]
    fn a_token_is_trimmed_and_loses_a_bearer_prefix() {
        let bearer = |raw: &str| Token::from_raw(raw).map(|t| t.bearer());
        assert_eq!(bearer("abc\n").as_deref(), Ok("Bearer abc"));
        assert_eq!(bearer("  BEARER   abc ").as_deref(), Ok("Bearer abc"));
        assert_eq!(bearer("Bearerabc").as_deref(), Ok("Bearer Bearerabc"));
        assert_eq!(bearer(" \n").unwrap_err(), Rejected::Empty);
        // The prefix with nothing after it: an empty variable after "Bearer ".
        for empty in ["Bearer", "Bearer ", "bearer  \t", "BEARER\n"] {
            assert_eq!(bearer(empty).unwrap_err(), Rejected::Empty, "{empty:?}");
        }
        assert_eq!(bearer("Bearer\tabc").as_deref(), Ok("Bearer abc"));
        assert_eq!(bearer("Bearer-abc").as_deref(), Ok("Bearer Bearer-abc"));
        assert_eq!(bearer("a b").unwrap_err(), Rejected::NotPrintable);
        assert_eq!(bearer("ab\u{e9}").unwrap_err(), Rejected::NotPrintable);
        assert_eq!(
            bearer(&"t".repeat(TOKEN_LIMIT)).map(|b| b.len()),
            Ok(TOKEN_LIMIT + 7)
        );
        assert_eq!(
            bearer(&"t".repeat(TOKEN_LIMIT + 1)).unwrap_err(),
            Rejected::TooLong(TOKEN_LIMIT + 1)
        );
    }
}

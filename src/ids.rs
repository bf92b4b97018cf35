//! Organization IDs: where they come from and which are acceptable (contract section 3).

use std::ffi::OsString;

/// An ID as given, and whether it may go into a request path.
#[derive(Debug, Clone)]
pub struct Given {
    /// Shown in output; a non-UTF-8 ID is shown lossily and is never valid.
    pub text: String,
    pub valid: bool,
}

impl Given {
    pub fn new(raw: OsString) -> Given {
        match raw.into_string() {
            Ok(text) => Given {
                valid: is_valid(&text),
                text,
            },
            Err(raw) => Given {
                text: raw.to_string_lossy().into_owned(),
                valid: false,
            },
        }
    }
}

/// 1 to 255 ASCII letters, digits, `-` and `_`: nothing that could change the request path.
pub fn is_valid(id: &str) -> bool {
    (1..=255).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub const INVALID_MESSAGE: &str =
    "an organization ID is 1 to 255 ASCII letters, digits, '-' and '_'; nothing was sent";

/// The IDs of a `--from-file` text: one per line, trimmed, blank and `#` lines skipped.
pub fn from_lines(text: &[u8]) -> Vec<Given> {
    text.split(|&b| b == b'\n')
        .map(|line| line.trim_ascii())
        .filter(|line| !line.is_empty() && !line.starts_with(b"#"))
        .map(|line| match std::str::from_utf8(line) {
            Ok(s) => Given::new(OsString::from(s)),
            Err(_) => Given {
                text: String::from_utf8_lossy(line).into_owned(),
                valid: false,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity() {
        assert!(is_valid("mycoveoorganization8tp8wu3"));
        assert!(is_valid("A-b_9"));
        assert!(is_valid(&"a".repeat(255)));
        for bad in [
            "", "../x", "a/b", "a?b", "%2e%2e", "a b", "a\nb", "a.b", "é", "a#b", "a\0",
        ] {
            assert!(!is_valid(bad), "{bad:?}");
        }
        assert!(!is_valid(&"a".repeat(256)));
    }

    #[test]
    fn file_lines() {
        let ids = from_lines(b"# nightly\n  one \r\n\n\t\ntwo\n#three\nbad/one\n");
        let texts: Vec<_> = ids.iter().map(|g| (g.text.as_str(), g.valid)).collect();
        assert_eq!(texts, [("one", true), ("two", true), ("bad/one", false)]);
        assert!(from_lines(b"").is_empty());
        assert!(from_lines(b"\n# only comments\n").is_empty());
    }
}

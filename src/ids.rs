//! Organization IDs: where they come from, which are acceptable, and what is wrong with the
//! others. Nothing here sends anything: every ID of a run is checked before the first request.

use serde_json::Value;
use std::ffi::OsString;

/// An ID as given, and why it may not go into a request path, if it may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    /// The ID, or for an invalid one what was given, cut to [`ECHO_LIMIT`] characters and
    /// `...` so that a 10 MB argument is not echoed whole.
    pub text: String,
    /// `None` for a valid ID; else what is wrong with it, for the error message.
    pub problem: Option<String>,
}

/// At most this many characters of an invalid ID are echoed.
pub const ECHO_LIMIT: usize = 256;
/// A `--from-file` line longer than this is refused, whatever it holds.
pub const LINE_LIMIT: usize = 4 * 1024;

impl Given {
    pub fn new(raw: OsString) -> Given {
        match raw.into_string() {
            Ok(text) => Given::of(&text),
            Err(raw) => Given::invalid(&raw.to_string_lossy(), "is not valid UTF-8".into()),
        }
    }

    /// An ID given as text: valid, or invalid with the reason.
    pub fn of(text: &str) -> Given {
        match problem(text) {
            None => Given {
                text: text.to_owned(),
                problem: None,
            },
            Some(why) => Given::invalid(text, why),
        }
    }

    fn invalid(shown: &str, why: String) -> Given {
        let mut text: String = shown.chars().take(ECHO_LIMIT).collect();
        if text.len() < shown.len() {
            text.push_str("...");
        }
        Given {
            text,
            problem: Some(why),
        }
    }

    pub fn valid(&self) -> bool {
        self.problem.is_none()
    }

    /// The message of its `invalid_organization_id` line.
    pub fn message(&self) -> String {
        match &self.problem {
            Some(why) => format!("{why}; an organization ID is 1 to 255 ASCII letters, digits, '-' and '_'; nothing was sent"),
            None => String::new(),
        }
    }
}

fn allowed(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// 1 to 255 ASCII letters, digits, `-` and `_`: nothing that could change the request path.
pub fn is_valid(id: &str) -> bool {
    problem(id).is_none()
}

/// What is wrong with an ID, in words a user can act on; `None` when nothing is.
fn problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("the ID is empty (an unset shell variable?)".into());
    }
    if id.bytes().all(allowed) {
        return (id.len() > 255).then(|| format!("the ID is {} characters long", id.len()));
    }
    if let Some(suggested) = id_in_url(id) {
        return Some(format!(
            "this looks like a URL, not an ID; did you mean '{suggested}'?"
        ));
    }
    let quotes = ['"', '\''];
    if id.len() > 1
        && quotes
            .iter()
            .any(|q| id.starts_with(*q) && id.ends_with(*q))
    {
        return Some("the ID is in quotes that are part of it".into());
    }
    if id.trim() != id {
        return Some("the ID has spaces around it".into());
    }
    let (at, bad) = id
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii() || !allowed(*c as u8))?;
    Some(format!(
        "character {} ('{}') is not allowed",
        at + 1,
        bad.escape_debug()
    ))
}

/// The organization ID in a pasted Administration Console or platform URL, only to suggest it:
/// `https://platform.cloud.coveo.com/admin/#/myorg/...` or
/// `.../rest/organizations/myorg` or `...?organizationId=myorg`. Never acted on.
fn id_in_url(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let candidate = |s: &str| {
        let id: String = s
            .chars()
            .take_while(|c| c.is_ascii() && allowed(*c as u8))
            .collect();
        (!id.is_empty() && id.len() <= 255).then_some(id)
    };
    for marker in ["organizationid=", "/organizations/", "/admin/#/"] {
        if let Some(i) = lower.find(marker) {
            if let Some(id) = candidate(&text[i + marker.len()..]) {
                return Some(id);
            }
        }
    }
    None
}

/// The IDs of a `--from-file` text: one per line, trimmed, blank and `#` lines skipped; a line
/// that starts with `{` is a JSON line of this tool (or any JSON object) standing for its
/// `organization_id`.
pub fn from_lines(text: &[u8]) -> Vec<Given> {
    text.split(|&b| b == b'\n')
        .enumerate()
        .filter_map(|(n, line)| {
            if line.len() > LINE_LIMIT {
                let shown = String::from_utf8_lossy(line);
                let why = format!("line {} is longer than 4 KiB", n + 1);
                return Some(Given::invalid(&shown, why));
            }
            let line = line.trim_ascii();
            if line.is_empty() || line.starts_with(b"#") {
                return None;
            }
            Some(match std::str::from_utf8(line) {
                Ok(s) if s.starts_with('{') => from_json(s),
                Ok(s) => Given::of(s),
                Err(_) => {
                    Given::invalid(&String::from_utf8_lossy(line), "is not valid UTF-8".into())
                }
            })
        })
        .collect()
}

/// A JSON line stands for its `organization_id`. A failure line (`null`) or anything else
/// that names no organization is invalid, so a listing that failed part-way deletes nothing.
fn from_json(line: &str) -> Given {
    let why = match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(o)) => match o.get("organization_id") {
            Some(Value::String(id)) => return Given::of(id),
            Some(Value::Null) => {
                "a JSON line whose organization_id is null (a failure line: the run that printed it did not finish)"
            }
            Some(_) => "a JSON line whose organization_id is not a string",
            None => "a JSON line without organization_id",
        },
        Ok(_) | Err(_) => "a line that starts with '{' but is not a JSON object",
    };
    Given::invalid(line, why.into())
}

/// Each ID once, at its first place: a second DELETE of the same organization could only
/// report `not_found` about an organization this very run deleted.
pub fn dedupe(given: Vec<Given>) -> Vec<Given> {
    let mut seen = std::collections::HashSet::new();
    given
        .into_iter()
        .filter(|g| seen.insert((g.text.clone(), g.problem.clone())))
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
    fn problems_say_what_is_wrong() {
        let why = |s: &str| Given::of(s).problem.unwrap();
        assert!(why("").contains("empty"));
        assert!(why(&"a".repeat(300)).contains("300 characters"));
        assert_eq!(why("ab/c"), "character 3 ('/') is not allowed");
        assert_eq!(why("ab\nc"), "character 3 ('\\n') is not allowed");
        assert_eq!(why("abé"), "character 3 ('é') is not allowed");
        assert!(why("\"myorg\"").contains("quotes"));
        assert!(why(" myorg").contains("spaces"));
        let url = "https://platform.cloud.coveo.com/admin/#/myorg7x/content/sources";
        assert!(why(url).contains("did you mean 'myorg7x'?"));
        let url = "https://platform.cloud.coveo.com/rest/organizations/acme1?x=1";
        assert!(why(url).contains("'acme1'"));
        let url = "https://platform.cloud.coveo.com/rest/search?organizationId=acme2";
        assert!(why(url).contains("'acme2'"));
        assert!(!why("https://example.com/").contains("did you mean"));
        assert!(!why("https://x.example/rest/organizations/").contains("did you mean"));
        // One quote, or a quote on one side only, is just a character that is not allowed.
        assert_eq!(why("\""), "character 1 ('\\\"') is not allowed");
        assert_eq!(why("\"abc"), "character 1 ('\\\"') is not allowed");
        assert_eq!(why("abc'"), "character 4 ('\\'') is not allowed");
    }

    #[test]
    fn long_invalid_ids_are_cut() {
        let g = Given::of(&"x/".repeat(5_000_000));
        assert_eq!(g.text.chars().count(), ECHO_LIMIT + 3);
        assert!(g.text.ends_with("..."));
        let short = Given::of("a/b");
        assert_eq!(short.text, "a/b");
    }

    #[test]
    fn file_lines() {
        let ids = from_lines(b"# nightly\n  one \r\n\n\t\ntwo\n#three\nbad/one\n");
        let texts: Vec<_> = ids.iter().map(|g| (g.text.as_str(), g.valid())).collect();
        assert_eq!(texts, [("one", true), ("two", true), ("bad/one", false)]);
        assert!(from_lines(b"").is_empty());
        assert!(from_lines(b"\n# only comments\n").is_empty());
    }

    #[test]
    fn long_lines_are_invalid_even_comments() {
        // Literal sizes: a test that used the constant would move with it.
        let mut text = b"#".repeat(4097);
        text.extend_from_slice(b"\nok\n");
        let ids = from_lines(&text);
        assert_eq!(ids.len(), 2);
        assert!(!ids[0].valid() && ids[0].message().contains("line 1"));
        assert!(ids[1].valid());
        assert_eq!(from_lines(&b"#".repeat(4096)).len(), 0);
    }

    #[test]
    fn json_lines_stand_for_their_id() {
        let ids = from_lines(
            br#"{"organization_id":"acme1","ok":true,"result":"listed","error":null}
{"organization_id":null,"ok":false,"result":"error","error":{"kind":"timeout"}}
{"organization_id":5}
{"ok":true}
{not json
{"organization_id":"a/b"}
"#,
        );
        let got: Vec<_> = ids.iter().map(|g| (g.text.as_str(), g.valid())).collect();
        assert_eq!(got[0], ("acme1", true));
        assert!(ids[1].message().contains("null"));
        assert!(ids[2].message().contains("not a string"));
        assert!(ids[3].message().contains("without organization_id"));
        assert!(ids[4].message().contains("not a JSON object"));
        assert_eq!(got[5], ("a/b", false));
    }

    #[test]
    fn duplicates_are_kept_once_at_their_first_place() {
        let ids = dedupe(from_lines(b"b\na\nb\n{\"organization_id\":\"a\"}\nc\n"));
        let texts: Vec<_> = ids.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(texts, ["b", "a", "c"]);
    }
}

//! Organization IDs: where they come from, which are acceptable, and what is wrong with the
//! others; and a `--from-file` list judged as a whole. Nothing here sends anything: every ID
//! of a run is checked before the first request.

use crate::input;
use crate::outcome::{Error, Kind};
use serde_json::{Map, Value};
use std::ffi::OsString;
use std::io::{self, BufRead};

/// An ID as given, and why it may not go into a request path, if it may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    /// The ID, or for an invalid one what was given, cut to [`ECHO_LIMIT`] characters and
    /// `...` so that a 10 MB argument is not echoed whole.
    pub text: String,
    /// `None` for a valid ID; else what is wrong with it, for the error message.
    pub problem: Option<String>,
    /// For a JSON line of a listing: its organization is of type `Production` (or the line
    /// says it was refused as such), with the display name the line gives.
    pub production: Option<Option<String>>,
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
                production: None,
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
            production: None,
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
        return Some(format!("the ID is empty {}", crate::input::UNSET_VARIABLE));
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

/// What a `--from-file` list holds: the organizations its lines stand for, in order, and what
/// its JSON lines say about the runs that printed them.
#[derive(Debug, Default)]
pub struct List {
    pub given: Vec<Given>,
    /// The first line of a run that failed as a whole (`organization_id` null, `ok` false).
    pub failed_run: Option<FailedRun>,
    /// Why the list is an unfinished listing, if it is one.
    pub unfinished: Option<String>,
}

/// A run-wide failure line: the kind it names (if any) and its message.
#[derive(Debug, PartialEq, Eq)]
pub struct FailedRun {
    pub kind: Option<String>,
    pub message: String,
}

/// Why a list deletes nothing at all: one of the lines the run prints instead.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    /// `None`: the whole run.
    pub id: Option<String>,
    /// With its own stderr hint where the kind's would mislead.
    pub error: Error,
    pub display_name: Option<String>,
}

impl Refusal {
    fn new(id: Option<String>, kind: Kind, message: String) -> Refusal {
        Refusal {
            id,
            error: Error::new(kind, message),
            display_name: None,
        }
    }
}

/// After a failure passed on from the run that printed the list: this run's own token and
/// platform were not used, so the hint of an `unauthorized` would point the wrong way.
const FAILED_RUN_HINT: &str = "hint: the run that printed this list failed, and its own stderr line says why; fix that, then run both again";

impl List {
    /// IDs given on the command line, each once, at its first place.
    pub fn of_args(args: &[OsString]) -> List {
        List {
            given: args.iter().cloned().map(Given::new).collect(),
            ..List::default()
        }
    }

    /// The IDs to work on, each once at its first place; or, when the list must delete
    /// nothing, the lines that say why (the first rule that applies decides): a line of a run
    /// that failed passes its failure on, an unfinished listing is `incomplete_list`, a
    /// Production organization is `protected` (unless `allow_production`), and invalid IDs
    /// are `invalid_organization_id` (only those).
    ///
    /// What a line repeats (a message, a display name) was the server's text, and may hold
    /// the token if the line did not come from this tool: it is redacted like the server's.
    pub fn judge(self, allow_production: bool) -> Result<Vec<Given>, Vec<Refusal>> {
        use crate::token::redact;
        if let Some(failed) = self.failed_run {
            let kind = failed.kind.as_deref().and_then(Kind::from_name);
            let message = format!(
                "the list is the output of a run that failed, so nothing was sent: {}",
                redact(&failed.message)
            );
            let kind = kind.unwrap_or(Kind::InvalidOrganizationId);
            return Err(vec![Refusal {
                id: None,
                error: Error {
                    hint: Some(FAILED_RUN_HINT),
                    ..Error::new(kind, message)
                },
                display_name: None,
            }]);
        }
        if let Some(why) = self.unfinished {
            return Err(vec![Refusal::new(None, Kind::IncompleteList, why)]);
        }
        let given = dedupe_protecting(self.given);
        if !allow_production {
            let protected: Vec<Refusal> = given
                .iter()
                .filter_map(|g| {
                    let name = g.production.as_ref()?.as_deref().map(redact);
                    let what = match &name {
                        Some(n) => format!("'{n}', a Production organization"),
                        None => "a Production organization".to_owned(),
                    };
                    let message = format!(
                        "the list holds {what}, so nothing was sent; narrow the listing (--type Test) or pass --allow-production"
                    );
                    Some(Refusal {
                        display_name: name.map(|n| n.into_owned()),
                        ..Refusal::new(Some(g.text.clone()), Kind::Protected, message)
                    })
                })
                .collect();
            if !protected.is_empty() {
                return Err(protected);
            }
        }
        if given.iter().any(|g| !g.valid()) {
            return Err(given
                .iter()
                .filter(|g| !g.valid())
                .map(|g| {
                    Refusal::new(
                        Some(g.text.clone()),
                        Kind::InvalidOrganizationId,
                        g.message(),
                    )
                })
                .collect());
        }
        Ok(given)
    }
}

/// A list longer than this is refused: a listing of the most pages the listing reads (1000
/// pages of 100) is about 18 MiB, and only its IDs are kept in memory.
const LIST_LIMIT: u64 = 64 * 1024 * 1024;

/// The organizations of the run as given, still to be judged.
pub fn read(o: &crate::cli::Options) -> Result<List, Error> {
    let Some(path) = &o.from_file else {
        return Ok(List::of_args(&o.ids));
    };
    let origin = format!("--from-file {}", path.display());
    let (list, more) = input::read_lines_bounded(path, LIST_LIMIT, &origin, |r| read_list(r))?;
    if more {
        return Err(Error::config(format!(
            "{}; split the list",
            input::longer_than(&origin, LIST_LIMIT)
        )));
    }
    Ok(list)
}

/// The list of a `--from-file`, read line by line: one ID per line, trimmed, blank and `#`
/// lines skipped; a line that starts with `{` is a JSON line of this tool (or any JSON object)
/// standing for its `organization_id`. Only the IDs are kept: a line longer than
/// [`LINE_LIMIT`] is read to its end but not kept. A leading UTF-8 byte-order mark is ignored.
pub fn read_list(mut input: impl BufRead) -> io::Result<List> {
    let mut list = List::default();
    let mut line = Vec::new();
    let mut listing = Listing::default();
    let mut number = 0;
    while next_line(&mut input, &mut line)? {
        number += 1;
        if number == 1 && line.starts_with(b"\xEF\xBB\xBF") {
            line.drain(..3);
        }
        if line.len() > LINE_LIMIT {
            let shown = String::from_utf8_lossy(&line[..LINE_LIMIT]);
            let why = crate::input::longer_than(&format!("line {number}"), LINE_LIMIT as u64);
            list.given.push(Given::invalid(&shown, why));
            if line.trim_ascii_start().starts_with(b"{") {
                listing.json_line(None);
            }
            continue;
        }
        let text = line.trim_ascii();
        if text.is_empty() || text.starts_with(b"#") {
            continue;
        }
        let Ok(text) = std::str::from_utf8(text) else {
            let shown = String::from_utf8_lossy(text);
            list.given
                .push(Given::invalid(&shown, "is not valid UTF-8".into()));
            continue;
        };
        if !text.starts_with('{') {
            list.given.push(Given::of(text));
            continue;
        }
        let object = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(o)) => Some(o),
            _ => None,
        };
        listing.json_line(object.as_ref());
        match object {
            Some(o) => match json_line(&o) {
                JsonLine::Organization(g) => list.given.push(g),
                JsonLine::FailedRun(f) => {
                    list.failed_run.get_or_insert(f);
                }
                JsonLine::End => {}
                JsonLine::Invalid(why) => list.given.push(Given::invalid(text, why.into())),
            },
            None => list.given.push(Given::invalid(
                text,
                "a line that starts with '{' but is not a JSON object".into(),
            )),
        }
    }
    list.unfinished = listing.unfinished();
    Ok(list)
}

/// Reads the next line of `input` into `line`, without its newline, keeping at most
/// [`LINE_LIMIT`] + 1 of its bytes (enough to tell it is too long); false at the end.
fn next_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<bool> {
    line.clear();
    let mut any = false;
    loop {
        let (used, ended) = {
            // No signal is caught while the list is read (see signal::install), so a read is
            // never interrupted: every error is the file's.
            let buf = input.fill_buf()?;
            if buf.is_empty() {
                return Ok(any);
            }
            any = true;
            let (chunk, used, ended) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (&buf[..i], i + 1, true),
                None => (buf, buf.len(), false),
            };
            let room = (LINE_LIMIT + 1).saturating_sub(line.len());
            line.extend_from_slice(&chunk[..chunk.len().min(room)]);
            (used, ended)
        };
        input.consume(used);
        if ended {
            return Ok(true);
        }
    }
}

/// What one JSON line of a list is.
enum JsonLine {
    Organization(Given),
    FailedRun(FailedRun),
    /// The `end_of_list` line of a listing: it stands for no organization.
    End,
    Invalid(&'static str),
}

fn json_line(o: &Map<String, Value>) -> JsonLine {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    match o.get("organization_id") {
        Some(Value::String(id)) => {
            let error_kind = o.get("error").and_then(|e| e.get("kind"));
            let production = text(o.get("type"))
                .is_some_and(|t| t.eq_ignore_ascii_case("production"))
                || error_kind.and_then(Value::as_str) == Some(Kind::Protected.as_str());
            JsonLine::Organization(Given {
                production: production.then(|| text(o.get("display_name"))),
                ..Given::of(id)
            })
        }
        Some(Value::Null) if o.get("ok") == Some(&Value::Bool(false)) => {
            let error = o.get("error");
            JsonLine::FailedRun(FailedRun {
                kind: text(error.and_then(|e| e.get("kind"))),
                message: text(error.and_then(|e| e.get("message")))
                    .unwrap_or_else(|| "(the line gives no message)".into()),
            })
        }
        Some(Value::Null) if is_end(o) => JsonLine::End,
        Some(Value::Null) => JsonLine::Invalid("a JSON line whose organization_id is null"),
        Some(_) => JsonLine::Invalid("a JSON line whose organization_id is not a string"),
        None => JsonLine::Invalid("a JSON line without organization_id"),
    }
}

fn is_end(o: &Map<String, Value>) -> bool {
    o.get("result").and_then(Value::as_str) == Some("end_of_list")
}

/// Whether a list is a listing that finished: once any line was listed, its last JSON line
/// must be an end line. Lines may be left out before it (`grep -v`); only the end line is
/// required, and what it counts is not checked.
#[derive(Default)]
struct Listing {
    any_listed: bool,
    last_is_end: bool,
}

impl Listing {
    /// One more JSON line (`object`: `None` when it is not a JSON object).
    fn json_line(&mut self, object: Option<&Map<String, Value>>) {
        let result = object.and_then(|o| o.get("result")).and_then(Value::as_str);
        self.last_is_end = false;
        match (result, object) {
            (Some("listed"), _) => self.any_listed = true,
            (Some("end_of_list"), Some(o)) if o.get("organization_id") == Some(&Value::Null) => {
                self.last_is_end = true;
            }
            _ => {}
        }
    }

    fn unfinished(&self) -> Option<String> {
        (self.any_listed && !self.last_is_end).then(|| {
            "the list holds listed organizations but does not end with the listing's end_of_list line: the listing did not finish (it was killed, crashed or ran out of disk) or a filter dropped its last line, which must be kept; nothing was sent".to_owned()
        })
    }
}

/// Each ID once, at its first place: a second DELETE of the same organization could only
/// report `not_found` about an organization this very run deleted. An ID that any of its lines
/// marks as Production stays marked.
fn dedupe_protecting(given: Vec<Given>) -> Vec<Given> {
    let mut production = std::collections::HashMap::new();
    for g in &given {
        if let Some(name) = &g.production {
            production
                .entry(g.text.clone())
                .or_insert_with(|| name.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    given
        .into_iter()
        .filter(|g| seen.insert((g.text.clone(), g.problem.clone())))
        .map(|g| Given {
            production: production.get(&g.text).cloned(),
            ..g
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

    fn from_lines(text: &[u8]) -> Vec<Given> {
        read_list(text).expect("a list in memory reads").given
    }

    fn judged(text: &str, allow_production: bool) -> Result<Vec<String>, Vec<Refusal>> {
        let list = read_list(text.as_bytes()).expect("a list in memory reads");
        list.judge(allow_production)
            .map(|given| given.into_iter().map(|g| g.text).collect())
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
{"organization_id":null,"ok":true,"result":"error"}
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
        let ids = judged("b\na\nb\n{\"organization_id\":\"a\"}\nc\n", false).unwrap();
        assert_eq!(ids, ["b", "a", "c"]);
    }

    const LISTED: &str = r#"{"organization_id":"ci1","ok":true,"result":"listed","display_name":"ci 1","type":"Test","error":null}"#;
    const LISTED_2: &str = r#"{"organization_id":"ci2","ok":true,"result":"listed","display_name":"ci 2","type":"Test","error":null}"#;
    const PRODUCTION: &str = r#"{"organization_id":"dash","ok":true,"result":"listed","display_name":"ci-dashboard","type":"PRODUCTION","error":null}"#;

    fn end(listed: u64) -> String {
        format!(
            r#"{{"organization_id":null,"ok":true,"result":"end_of_list","listed":{listed},"error":null}}"#
        )
    }

    #[test]
    fn a_finished_listing_stands_for_its_organizations() {
        let list = format!("{LISTED}\n{LISTED_2}\n{}\n", end(2));
        assert_eq!(judged(&list, false).unwrap(), ["ci1", "ci2"]);
        // Lines left out between the first and the end line are fine.
        assert_eq!(
            judged(&format!("{LISTED_2}\n{}\n", end(2)), false).unwrap(),
            ["ci2"]
        );
        // An end line alone is an empty listing: nothing to do.
        assert!(judged(&end(0), false).unwrap().is_empty());
        // Plain lines after the end line are no JSON line.
        let list = format!("{LISTED}\n{}\nplain1\n", end(1));
        assert_eq!(judged(&list, false).unwrap(), ["ci1", "plain1"]);
    }

    #[test]
    fn a_listing_without_its_end_line_is_incomplete() {
        for list in [
            format!("{LISTED}\n{LISTED_2}\n"),
            format!("{LISTED}\n{}\n{LISTED_2}\n", end(1)),
            // A JSON line after the end line: the end line is no longer the last.
            format!(
                "{LISTED}\n{}\n{{\"organization_id\":\"x\",\"ok\":true}}\n",
                end(1)
            ),
            // A line torn by a full disk is a JSON line that is not the end line.
            format!("{LISTED}\n{{\"organization_id\":null,\"ok\":tr\n"),
        ] {
            let refused = judged(&list, false).unwrap_err();
            assert_eq!(refused.len(), 1, "{list}");
            let Refusal { id, error, .. } = &refused[0];
            assert_eq!((id, error.kind), (&None, Kind::IncompleteList), "{list}");
            assert!(error.message.contains("end_of_list"), "{}", error.message);
        }
    }

    #[test]
    fn only_a_line_that_names_no_organization_ends_a_listing() {
        // A line of some organization that says end_of_list is that organization's, not the
        // end of the listing.
        let fake_end = r#"{"organization_id":"x","ok":true,"result":"end_of_list","listed":1}"#;
        let refused = judged(&format!("{LISTED}\n{fake_end}\n"), false).unwrap_err();
        assert_eq!(refused[0].error.kind, Kind::IncompleteList);
        // Only the end line is required: what it counts is not checked.
        let listed = judged(&format!("{LISTED}\n{LISTED_2}\n{}\n", end(1)), false);
        assert_eq!(listed.unwrap(), ["ci1", "ci2"]);
    }

    #[test]
    fn a_failed_run_passes_its_failure_on() {
        let failed = r#"{"organization_id":null,"ok":false,"result":"error","error":{"kind":"unauthorized","message":"Invalid access token"}}"#;
        for list in [
            format!("{LISTED}\n{failed}\n"),
            format!("{failed}\n{PRODUCTION}\nbad/id\n"),
        ] {
            let refused = judged(&list, false).unwrap_err();
            let message = "the list is the output of a run that failed, so nothing was sent: Invalid access token";
            assert_eq!(
                refused,
                [Refusal {
                    id: None,
                    error: Error {
                        hint: Some(FAILED_RUN_HINT),
                        ..Error::new(Kind::Unauthorized, message)
                    },
                    display_name: None,
                }]
            );
        }
        let unknown = r#"{"organization_id":null,"ok":false,"error":{"kind":"frobbed"}}"#;
        let refused = judged(unknown, false).unwrap_err();
        assert_eq!(refused[0].error.kind, Kind::InvalidOrganizationId);
        let interrupted = r#"{"organization_id":null,"ok":false,"error":{"kind":"interrupted","message":"stopped by SIGTERM"}}"#;
        let refused = judged(interrupted, false).unwrap_err();
        assert_eq!(refused[0].error.kind.exit_status(), 130);
    }

    #[test]
    fn production_is_protected_unless_allowed() {
        let list = format!("{LISTED}\n{PRODUCTION}\nbad/id\n{}\n", end(2));
        let refused = judged(&list, false).unwrap_err();
        let message = "the list holds 'ci-dashboard', a Production organization, so nothing was sent; narrow the listing (--type Test) or pass --allow-production";
        assert_eq!(
            refused,
            [Refusal {
                display_name: Some("ci-dashboard".into()),
                ..Refusal::new(Some("dash".into()), Kind::Protected, message.into())
            }]
        );
        // Allowed, the invalid ID decides.
        let refused = judged(&list, true).unwrap_err();
        assert_eq!(refused[0].error.kind, Kind::InvalidOrganizationId);
        let list = format!("{LISTED}\n{PRODUCTION}\n{}\n", end(2));
        assert_eq!(judged(&list, true).unwrap(), ["ci1", "dash"]);
        // A plain line carries no type: the user named it. Named twice, the type still counts.
        assert_eq!(judged("dash\n", false).unwrap(), ["dash"]);
        let list = format!("dash\n{PRODUCTION}\n{}\n", end(1));
        assert_eq!(
            judged(&list, false).unwrap_err()[0].error.kind,
            Kind::Protected
        );
        // The line of a refused Production organization, fed back, is refused again.
        let refusal = r#"{"organization_id":"dash","ok":false,"result":"error","error":{"kind":"protected","message":"m"}}"#;
        assert_eq!(
            judged(refusal, false).unwrap_err()[0].error.kind,
            Kind::Protected
        );
    }

    #[test]
    fn a_byte_order_mark_and_an_endless_line_are_handled() {
        assert_eq!(from_lines(b"\xEF\xBB\xBFacme1\n")[0].text, "acme1");
        let mut text = b"a".repeat(1_000_000);
        text.extend_from_slice(b"\nok\n");
        let ids = from_lines(&text);
        assert_eq!(ids.len(), 2);
        assert!(!ids[0].valid() && ids[0].text.len() < 300);
        assert_eq!(ids[1].text, "ok");
    }
}

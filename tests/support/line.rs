//! The JSON lines the tool prints, and the one way to assert one: [`expect_line`], which
//! compares every field of a line with an expected `json!({...})`.
//!
//! Fields whose value varies from run to run (`elapsed_ms`, a request ID the stand-in made up)
//! or that a test does not pin down take a placeholder instead of a value: [`ANY`], [`SOME`],
//! or a matcher made by [`containing`], [`starting_with`], [`one_of`] or [`between`]. Every
//! field must still be named, with its value or a placeholder: a line with a field the
//! expectation does not name, or without one it names, fails.

use serde_json::{json, Value};

/// The fields of a line about an organization (or of a failed run), in their order, all
/// always present.
pub const FIELDS: [&str; 10] = [
    "organization_id",
    "ok",
    "result",
    "dry_run",
    "http_status",
    "attempts",
    "elapsed_ms",
    "request_id",
    "display_name",
    "error",
];
/// The fields of a line's `error` object, when it is not null.
pub const ERROR_FIELDS: [&str; 4] = ["kind", "message", "coveo_error_code", "retry_after_s"];

/// The fields of a line of `--list`, in their order, all always present.
pub const LISTED_FIELDS: [&str; 10] = [
    "organization_id",
    "ok",
    "result",
    "display_name",
    "type",
    "created",
    "read_only",
    "lifecycle_state",
    "owner_email",
    "error",
];

/// The fields of the end line of `--list`, in their order.
pub const END_FIELDS: [&str; 5] = ["organization_id", "ok", "result", "listed", "error"];

/// Placeholder: any value, `null` included (the field must still be there).
pub const ANY: &str = "\u{1}any";
/// Placeholder: any value but `null` and the empty string.
pub const SOME: &str = "\u{1}some";

/// Marks the placeholders: no text of the tool's starts with this control character.
const MARK: char = '\u{1}';

/// Matcher: a string that contains `text`.
pub fn containing(text: &str) -> String {
    format!("{MARK}contains:{text}")
}

/// Matcher: a string that starts with `text`.
pub fn starting_with(text: &str) -> String {
    format!("{MARK}starts:{text}")
}

/// Matcher: a string equal to one of `values`.
pub fn one_of(values: &[&str]) -> String {
    format!("{MARK}oneof:{}", serde_json::to_string(values).unwrap())
}

/// Matcher: a whole number from `low` to `high`, both included.
pub fn between(low: u64, high: u64) -> String {
    format!("{MARK}between:{low}:{high}")
}

/// Changes one field of an expected line, `error.message` for a field of the error object:
/// builders give a line's usual values, and a test sets what it knows better.
pub trait Set {
    fn set(self, field: &str, value: impl Into<Value>) -> Value;
}

impl Set for Value {
    #[track_caller]
    fn set(mut self, field: &str, value: impl Into<Value>) -> Value {
        let mut at = &mut self;
        for key in field.split('.') {
            at = at
                .get_mut(key)
                .unwrap_or_else(|| panic!("an expected line has no field {field}"));
        }
        *at = value.into();
        self
    }
}

/// The expected line of `id` that says `result` (`deleted`, `already_absent`, ...) after
/// `attempts`, the last answered `http_status`: not a dry run, a request ID, no display name.
pub fn succeeded(id: &str, result: &str, http_status: u16, attempts: u64) -> Value {
    json!({
        "organization_id": id, "ok": true, "result": result, "dry_run": false,
        "http_status": http_status, "attempts": attempts, "elapsed_ms": ANY,
        "request_id": SOME, "display_name": null, "error": null
    })
}

/// The expected line of `id` deleted by its one DELETE, answered 204.
pub fn deleted(id: &str) -> Value {
    succeeded(id, "deleted", 204, 1)
}

/// The expected line of `id` (`null` for a failure of the whole run, or of a listing) that
/// failed with `kind` after `attempts` (0: nothing was sent), the last answered `http_status`
/// (`null`: none was, and so no request ID either): not a dry run, no display name, a
/// message, no error code, no wait.
pub fn failed(
    id: impl Into<Value>,
    kind: &str,
    http_status: impl Into<Value>,
    attempts: u64,
) -> Value {
    let http_status = http_status.into();
    let request_id = if http_status.is_null() {
        Value::Null
    } else {
        json!(SOME)
    };
    json!({
        "organization_id": id.into(), "ok": false, "result": "error", "dry_run": false,
        "http_status": http_status, "attempts": attempts, "elapsed_ms": ANY,
        "request_id": request_id, "display_name": null,
        "error": {"kind": kind, "message": SOME, "coveo_error_code": null, "retry_after_s": null}
    })
}

/// The expected listed line of `id`, every other field null: a test sets those it shows.
pub fn listed(id: &str) -> Value {
    json!({
        "organization_id": id, "ok": true, "result": "listed", "display_name": null,
        "type": null, "created": null, "read_only": null, "lifecycle_state": null,
        "owner_email": null, "error": null
    })
}

/// The expected end line of a listing that printed `n` organizations.
pub fn end_of_list(n: usize) -> Value {
    json!({"organization_id": null, "ok": true, "result": "end_of_list", "listed": n, "error": null})
}

/// Asserts that `line` is `expected` in every field: the same fields (in the `error` object
/// too), each with the expected value or matching its placeholder; and that the line is of
/// one of the tool's three shapes, each field of the right JSON type (so that a placeholder
/// cannot hide a field of the wrong type).
#[track_caller]
pub fn expect_line(line: &Value, expected: Value) {
    assert_known_shape(line);
    let mut wrong = Vec::new();
    compare("", line, &expected, &mut wrong);
    assert!(
        wrong.is_empty(),
        "the line differs from what was expected:\n  {}\nline:     {line}\nexpected: {}",
        wrong.join("\n  "),
        show(&expected)
    );
}

/// The expectation as JSON, with its placeholders spelled out.
fn show(expected: &Value) -> String {
    expected.to_string().replace("\\u0001", "?")
}

/// Collects in `wrong` every place where `got` is not `want`.
fn compare(at: &str, got: &Value, want: &Value, wrong: &mut Vec<String>) {
    match (want, got) {
        (Value::String(w), _) if w.starts_with(MARK) => {
            if !matches(w, got) {
                wrong.push(format!("{at}: {got} does not match {}", &w[1..]));
            }
        }
        (Value::Object(w), Value::Object(g)) => {
            for key in g.keys().filter(|k| !w.contains_key(*k)) {
                wrong.push(format!(
                    "{at}.{key}: not expected (name it, with ANY if need be)"
                ));
            }
            for (key, w) in w {
                match g.get(key) {
                    Some(g) => compare(&format!("{at}.{key}"), g, w, wrong),
                    None => wrong.push(format!("{at}.{key}: missing from the line")),
                }
            }
        }
        (w, g) if w == g => {}
        (w, g) => wrong.push(format!("{at}: {g}, not {}", show(w))),
    }
}

/// Whether `got` matches the placeholder `pattern` (which starts with [`MARK`]).
fn matches(pattern: &str, got: &Value) -> bool {
    let text = got.as_str();
    let rest = &pattern[MARK.len_utf8()..];
    match rest {
        "any" => true,
        "some" => !got.is_null() && text != Some(""),
        _ => {
            let (name, arg) = rest.split_once(':').expect("a matcher");
            match name {
                "contains" => text.is_some_and(|t| t.contains(arg)),
                "starts" => text.is_some_and(|t| t.starts_with(arg)),
                "oneof" => {
                    let values: Vec<String> = serde_json::from_str(arg).expect("one_of's values");
                    text.is_some_and(|t| values.iter().any(|v| v == t))
                }
                "between" => {
                    let (low, high) = arg.split_once(':').expect("between's bounds");
                    let (low, high): (u64, u64) = (low.parse().unwrap(), high.parse().unwrap());
                    got.as_u64().is_some_and(|n| (low..=high).contains(&n))
                }
                other => panic!("no such matcher: {other}"),
            }
        }
    }
}

/// The sorted keys of an object.
fn keys(obj: &serde_json::Map<String, Value>) -> Vec<&str> {
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

fn sorted<const N: usize>(fields: [&'static str; N]) -> Vec<&'static str> {
    let mut fields = fields.to_vec();
    fields.sort_unstable();
    fields
}

/// The line has the fields of one of the three kinds of line, each of the right type.
#[track_caller]
fn assert_known_shape(line: &Value) {
    let obj = line
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {line}"));
    let got = keys(obj);
    if got == sorted(FIELDS) {
        assert_shape(line);
    } else if got == sorted(LISTED_FIELDS) {
        assert_listed_shape(line);
    } else if got == sorted(END_FIELDS) {
        assert!(line["organization_id"].is_null(), "{line}");
        assert_eq!(line["ok"], true, "{line}");
        assert_eq!(line["result"], "end_of_list", "{line}");
        assert!(line["listed"].is_u64(), "{line}");
        assert!(line["error"].is_null(), "{line}");
    } else {
        panic!("the fields of no kind of line: {line}");
    }
}

/// A line about an organization (or a failed run): every field present, nothing else, each
/// of the right JSON type.
#[track_caller]
pub fn assert_shape(line: &Value) {
    assert!(line["organization_id"].is_null() || line["organization_id"].is_string());
    assert!(line["ok"].is_boolean(), "ok: {line}");
    assert!(line["result"].is_string(), "result: {line}");
    assert!(line["dry_run"].is_boolean(), "dry_run: {line}");
    assert!(line["attempts"].is_u64(), "attempts: {line}");
    assert!(line["elapsed_ms"].is_u64(), "elapsed_ms: {line}");
    for field in ["request_id", "display_name"] {
        assert!(
            line[field].is_null() || line[field].is_string(),
            "{field}: {line}"
        );
    }
    assert!(
        line["http_status"].is_null() || line["http_status"].is_u64(),
        "http_status: {line}"
    );
    match &line["error"] {
        Value::Null => assert_eq!(line["ok"], true, "ok without error: {line}"),
        Value::Object(e) => {
            assert_eq!(line["ok"], false, "{line}");
            assert_eq!(line["result"], "error", "{line}");
            assert_eq!(keys(e), sorted(ERROR_FIELDS), "error fields of {line}");
            assert!(e["kind"].is_string() && e["message"].is_string(), "{line}");
            let code = &e["coveo_error_code"];
            assert!(code.is_null() || code.is_string(), "{line}");
            let wait = &e["retry_after_s"];
            assert!(wait.is_null() || wait.is_u64(), "{line}");
        }
        other => panic!("error is neither null nor an object: {other}"),
    }
}

/// A line of `--list`: every field present, nothing else, each of the right JSON type.
#[track_caller]
pub fn assert_listed_shape(line: &Value) {
    assert!(line["organization_id"].is_string(), "{line}");
    assert_eq!(line["ok"], true, "{line}");
    assert_eq!(line["result"], "listed", "{line}");
    assert_eq!(line["error"], Value::Null, "{line}");
    for f in [
        "display_name",
        "type",
        "created",
        "lifecycle_state",
        "owner_email",
    ] {
        assert!(line[f].is_null() || line[f].is_string(), "{f}: {line}");
    }
    assert!(
        line["read_only"].is_null() || line["read_only"].is_boolean(),
        "{line}"
    );
}

/// stdout parsed, one JSON value per line, each line's fields checked to come in their order
/// (a `Value` forgets the order). Panics on a line that is not JSON.
#[track_caller]
pub fn parse_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| {
            assert_field_order(l);
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}"))
        })
        .collect()
}

/// The fields of a raw line appear in [`FIELDS`] (or [`LISTED_FIELDS`], [`END_FIELDS`]) order.
#[track_caller]
fn assert_field_order(raw: &str) {
    let mut from = 0;
    let fields: &[&str] = if raw.contains(r#""ok":true,"result":"listed","#) {
        &LISTED_FIELDS
    } else if raw.starts_with(r#"{"organization_id":null,"ok":true,"result":"end_of_list","#) {
        &END_FIELDS
    } else {
        &FIELDS
    };
    for f in fields {
        // Inside a JSON string a quote is escaped, so `"name":` only matches a key.
        let key = format!("\"{f}\":");
        match raw[from..].find(&key) {
            Some(i) => from += i + key.len(),
            None => panic!("field {f} missing or out of order: {raw}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lines that had to be shortened to fit

/// The size a pipe writes atomically, and so the longest line, its newline included.
pub const PIPE_BUF: usize = 4096;

/// A text field that may have been shortened to fit its line: either whole (as the tool
/// cleans it: at most 500 characters) or a prefix of it followed by `...`. Whether it was
/// shortened.
#[track_caller]
pub fn assert_whole_or_shortened(field: &Value, original: &str, line: &str) -> bool {
    let got = field
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {line}"));
    let whole: String = original.chars().take(500).collect();
    if got == whole || got == original {
        return false;
    }
    let stem = got
        .strip_suffix("...")
        .unwrap_or_else(|| panic!("shortened without ...: {got:?} in {line}"));
    assert!(original.starts_with(stem), "not a prefix: {got:?}");
    true
}

/// Texts shortened longest first end equally long: cutting one stops once it is no longer
/// the longest (so none is cut to nothing while another stays whole). Within a character
/// (4 bytes) of each other.
#[track_caller]
pub fn assert_evenly_shortened(fields: &[&Value], line: &str) {
    let lengths: Vec<usize> = fields.iter().map(|f| f.as_str().unwrap().len()).collect();
    let (min, max) = (lengths.iter().min().unwrap(), lengths.iter().max().unwrap());
    assert!(
        max - min <= 4,
        "unevenly shortened, {lengths:?} bytes: {line}"
    );
}

/// Every stdout and stderr line at most 4096 bytes with its newline, and text that ends
/// with a newline.
#[track_caller]
pub fn assert_lines_fit(what: &str, text: &str) {
    assert!(text.is_empty() || text.ends_with('\n'), "{what}: {text:?}");
    for l in text.lines() {
        assert!(
            l.len() < PIPE_BUF,
            "{what}: a line of {} bytes: {l}",
            l.len() + 1
        );
    }
}

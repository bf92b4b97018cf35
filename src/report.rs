//! Outcomes to what a script sees: the JSON line on stdout and the human line on stderr, each
//! whole and fitted to 4096 bytes (see the README, "Output").

use crate::answer::failed_with;
use crate::outcome::{breaks_lines, Error, Kind, Outcome};
use serde_json::Value;
use std::io::Write;

/// The JSON line of an outcome, fields in their documented order (README, Output), without
/// the newline, shortened to fit in [`LINE_MAX`].
pub fn json_line(o: &Outcome) -> String {
    let e = o.result.as_ref().err();
    let texts = [
        e.map_or("", |e| e.message.as_str()),
        o.display_name.as_deref().unwrap_or(""),
        e.and_then(|e| e.coveo_error_code.as_deref()).unwrap_or(""),
        o.request_id.as_deref().unwrap_or(""),
    ];
    let present = [
        e.is_some(),
        o.display_name.is_some(),
        e.is_some_and(|e| e.coveo_error_code.is_some()),
        o.request_id.is_some(),
    ];
    fitted(LINE_MAX, &texts, |t| {
        let s = |i: usize| {
            if present[i] {
                Value::from(t[i])
            } else {
                Value::Null
            }
        };
        let n = |v: Option<u64>| v.map_or(Value::Null, Value::from);
        let (ok, result, error) = match &o.result {
            Ok(done) => (true, done.as_str(), "null".to_owned()),
            // Written by hand, like the line itself, to keep the documented field order.
            Err(e) => (
                false,
                "error",
                format!(
                    r#"{{"kind":{},"message":{},"coveo_error_code":{},"retry_after_s":{}}}"#,
                    Value::from(e.kind.as_str()),
                    s(0),
                    s(2),
                    n(e.retry_after_s),
                ),
            ),
        };
        let id = o.id.as_deref().map_or(Value::Null, Value::from);
        let line = format!(
            r#"{{"organization_id":{id},"ok":{ok},"result":{},"dry_run":{},"http_status":{},"attempts":{},"elapsed_ms":{},"request_id":{},"display_name":{},"error":{error}}}"#,
            Value::from(result),
            o.dry_run,
            n(o.http_status.map(u64::from)),
            o.attempts,
            o.elapsed_ms,
            s(3),
            s(1),
        );
        escape_line_breaks(line)
    })
}

/// The longest line, its newline included: what a pipe takes in one atomic write (PIPE_BUF),
/// so that the lines of runs in parallel into one pipe never tear or interleave.
pub const LINE_MAX: usize = 4096;

/// `render(texts)`, with the texts shortened until the line and its newline fit in `limit`
/// bytes: the longest first, each at a character boundary and ending in `...`. Nothing but
/// these texts is cut: an organization ID must stay whole to be fed back.
pub fn fitted(limit: usize, texts: &[&str], render: impl Fn(&[&str]) -> String) -> String {
    let line = render(texts);
    if line.len() < limit {
        return line;
    }
    // Every text capped at `cap` bytes: the longest are shortened first, and all those over
    // the cap end equal. A smaller cap never makes the line longer, so the largest cap that
    // fits is found by halving, however the texts render (a quote takes two bytes in JSON, a
    // control character six).
    let capped = |cap: usize| {
        let shown: Vec<std::borrow::Cow<str>> = texts.iter().map(|t| cut(t, cap)).collect();
        let refs: Vec<&str> = shown.iter().map(|s| s.as_ref()).collect();
        render(&refs)
    };
    let (mut fits, mut over) = (0, texts.iter().map(|t| t.len()).max().unwrap_or(0));
    if capped(fits).len() >= limit {
        // Only the rest of the line is left, far shorter than the limit: never reached.
        return capped(fits);
    }
    while over - fits > 1 {
        let cap = fits + (over - fits) / 2;
        if capped(cap).len() < limit {
            fits = cap;
        } else {
            over = cap;
        }
    }
    capped(fits)
}

/// `text` if it is at most `cap` bytes long, else its start and `...`, in at most `cap` bytes
/// (or three, the dots alone).
fn cut(text: &str, cap: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= cap {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut keep = cap.saturating_sub(3);
    while !text.is_char_boundary(keep) {
        keep -= 1;
    }
    std::borrow::Cow::Owned(format!("{}...", &text[..keep]))
}

/// serde_json escapes only the control characters below U+0020; JSON allows the others raw
/// inside strings (DEL, U+0080 to U+009F with NEL among them, U+2028, U+2029), but many
/// line-oriented readers split lines at some of them. They can only stand inside strings,
/// where `\uXXXX` means the same.
pub fn escape_line_breaks(line: String) -> String {
    if !line.contains(breaks_lines) {
        return line;
    }
    let mut escaped = String::with_capacity(line.len() + 12);
    for c in line.chars() {
        if breaks_lines(c) {
            escaped.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            escaped.push(c);
        }
    }
    escaped
}

/// Who may delete an organization, for failures where the token is the likely cause.
const TOKEN_HINT: &str = "hint: only an access token tied to a user (e.g. from 'coveo auth:login') with the Organization - Edit privilege can delete an organization; API keys and platform tokens cannot; the Coveo CLI's tokens last 24 hours, Administration Console session tokens at most 4 hours";

/// The human line of a failed outcome, without the `coveo-org-delete: ` that starts it:
/// `ORG_ID: KIND (HTTP 403 ACCESS_DENIED): message [request ID] hint`.
pub fn human_line(o: &Outcome, e: &Error) -> String {
    let texts = [
        e.message.as_str(),
        e.coveo_error_code.as_deref().unwrap_or(""),
        o.request_id.as_deref().unwrap_or(""),
    ];
    fitted(LINE_MAX - PREFIX.len(), &texts, |t| {
        let (message, code, request_id) = (t[0], t[1], t[2]);
        let mut line = String::new();
        if let Some(id) = &o.id {
            // An invalid ID may hold anything; escaped, it cannot break the line.
            line.push_str(&format!("{}: ", id.escape_debug()));
        }
        line.push_str(e.kind.as_str());
        // The parenthesis only where the last status is what failed.
        let status = o.http_status.filter(|s| failed_with(*s, e.kind));
        let paren: Vec<String> = [
            status.map(|s| format!("HTTP {s}")),
            e.coveo_error_code.as_ref().map(|_| code.to_owned()),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !paren.is_empty() {
            line.push_str(&format!(" ({})", paren.join(" ")));
        }
        line.push_str(&format!(": {message}"));
        if o.request_id.is_some() {
            line.push_str(&format!(" [request {request_id}]"));
        }
        if let (Some(wait), true) = (e.retry_after_s, e.kind.is_retryable()) {
            line.push_str(&format!(" (the server asked to wait {wait} s)"));
        }
        if e.kind == Kind::ReadOnly {
            let id = o.id.as_deref().unwrap_or("ID");
            line.push_str(&format!(
                "; hint: a read-only (paused) organization cannot be deleted until it is resumed, in the Administration Console or with POST /rest/organizations/{id}/resume"
            ));
        } else if let Some(hint) = e.hint {
            line.push_str(&format!("; {hint}"));
        } else if matches!(e.kind, Kind::Unauthorized | Kind::Forbidden) {
            line.push_str(&format!(
                "; {}",
                o.token_hint.as_deref().unwrap_or(TOKEN_HINT)
            ));
        }
        if e.kind == Kind::Usage {
            line.push_str(" (see --help)");
        }
        line
    })
}

/// What starts every stderr line.
const PREFIX: &str = "coveo-org-delete: ";

/// `coveo-org-delete: LINE` on stderr, in one write of at most [`LINE_MAX`] bytes (a longer
/// line is cut, with `...`). Errors writing stderr are ignored: stdout is the channel a
/// script relies on, and there is nowhere left to report them.
pub fn stderr_line(line: &str) {
    let mut text = stderr_text(line);
    let mut err = std::io::stderr().lock();
    // The status line of a run at a terminal is erased in the same write.
    if crate::progress::take_shown() {
        text.insert_str(0, crate::progress::ERASE);
    }
    let _ = err.write_all(text.as_bytes());
}

/// `--verbose`: the stderr line of one HTTP attempt: method, URL, status or error, milliseconds.
pub fn attempt(a: &crate::http::Attempt) {
    let what = match a.result {
        Ok(answer) => format!("{} {}", answer.status, answer.reason),
        Err(lost) => format!("{}: {}", lost.error.kind.as_str(), lost.error.message),
    };
    let ms = a.elapsed.as_millis();
    stderr_line(&format!("{} {} -> {what} ({ms} ms)", a.method, a.url));
}

/// Writes one outcome: its JSON line to `out`, flushed at once, and for a failure its human
/// line to stderr (but for an organization a signal kept from starting). `Err` when `out`
/// cannot be written: the run must stop.
pub fn emit(out: &mut dyn Write, o: &Outcome) -> std::io::Result<()> {
    match &o.result {
        // Not started: the run tells them all in one line once it stops (see `run_all`).
        Err(e) if matches!(e.kind, Kind::Interrupted(_)) && o.attempts == 0 && o.id.is_some() => {}
        Err(e) => stderr_line(&human_line(o, e)),
        Ok(_) => {}
    }
    write_line(out, &json_line(o))
}

/// `coveo-org-delete: LINE` and its newline, in at most [`LINE_MAX`] bytes, without the
/// characters that would break the line or drive the terminal (what the server says keeps
/// them for the JSON line, escaped).
fn stderr_text(line: &str) -> String {
    let mut text: String = PREFIX
        .chars()
        .chain(line.chars())
        .filter(|c| !breaks_lines(*c))
        .collect();
    if text.len() >= LINE_MAX {
        let mut keep = LINE_MAX - 4;
        while !text.is_char_boundary(keep) {
            keep -= 1;
        }
        text.truncate(keep);
        text.push_str("...");
    }
    text.push('\n');
    text
}

/// Writes one JSON line to `out` in one write with its newline (see [`stdout`]); when `out`
/// cannot be written, says so on stderr and returns the error: the run must stop.
pub fn write_line(out: &mut dyn Write, line: &str) -> std::io::Result<()> {
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    crate::progress::clear();
    let written = out.write_all(&bytes).and_then(|_| out.flush());
    if let Err(e) = &written {
        stderr_line(&format!(
            "stdout cannot be written ({}); stopping before the next organization",
            crate::input::io_reason(e)
        ));
    }
    written
}

/// The process's stdout for the run's lines, unbuffered, so that each line goes out in one
/// write(2): std's stdout buffers 1 KiB and writes a longer line in two, between which the
/// line of another run sharing the pipe can come. It is a duplicate of fd 1 (std's own
/// handle if none can be made).
pub fn stdout() -> Box<dyn Write> {
    use std::os::fd::AsFd;
    match std::io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(std::fs::File::from(fd)),
        Err(_) => Box::new(std::io::stdout()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(texts: &[&str]) -> String {
        let fields: Vec<String> = texts.iter().map(|t| Value::from(*t).to_string()).collect();
        format!(r#"{{"id":"keep","t":[{}]}}"#, fields.join(","))
    }

    #[test]
    fn a_line_that_fits_is_left_alone() {
        let texts = ["a".repeat(1000), "b".repeat(1000)];
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        assert_eq!(fitted(LINE_MAX, &refs, json), json(&refs));
        // Exactly the limit with its newline fits; one byte more is cut.
        let pad = LINE_MAX - 1 - json(&[""]).len();
        let exact = "x".repeat(pad);
        assert_eq!(fitted(LINE_MAX, &[&exact], json).len(), LINE_MAX - 1);
        let over = "x".repeat(pad + 1);
        let line = fitted(LINE_MAX, &[&over], json);
        assert_eq!(line.len(), LINE_MAX - 1, "{line}");
        assert!(line.ends_with(r#"..."]}"#), "{line}");
    }

    #[test]
    fn the_longest_text_is_cut_first_at_a_character_boundary() {
        let long = "é".repeat(2000); // 4000 bytes
        let medium = "m".repeat(1500);
        let short = "s".repeat(10);
        let line = fitted(LINE_MAX, &[&short, &long, &medium], json);
        assert!(line.len() < LINE_MAX, "{}", line.len());
        let value: Value = serde_json::from_str(&line).expect("still JSON");
        let t = value["t"].as_array().unwrap();
        assert_eq!(t[0], short.as_str(), "the short one is whole");
        let long_cut = t[1].as_str().unwrap();
        let medium_cut = t[2].as_str().unwrap();
        assert!(long_cut.ends_with("...") && long_cut.starts_with("éé"));
        // Cutting the longest was enough: the others are whole, and no more was cut than needed.
        assert_eq!(medium_cut, medium);
        assert!(line.len() > LINE_MAX - 4, "{}", line.len());
        assert_eq!(value["id"], "keep");
        // Two long ones end equal.
        let (a, b) = ("a".repeat(3000), "b".repeat(3000));
        let line = fitted(LINE_MAX, &[&a, &b, &short], json);
        let value: Value = serde_json::from_str(&line).expect("still JSON");
        let t = value["t"].as_array().unwrap();
        assert_eq!(t[0].as_str().unwrap().len(), t[1].as_str().unwrap().len());
        assert_eq!(t[2], short.as_str());
    }

    #[test]
    fn escaped_text_is_counted_as_written() {
        // A quote renders as two bytes, a control character as six.
        for unit in ["\"", "\u{1}", "\u{2028}"] {
            let text = unit.repeat(3000);
            let line = fitted(LINE_MAX, &[&text], |t| escape_line_breaks(json(t)));
            assert!(line.len() < LINE_MAX, "{unit:?}: {}", line.len());
            assert!(
                line.len() > LINE_MAX - 10,
                "{unit:?}: cut too far, {}",
                line.len()
            );
            let value: Value = serde_json::from_str(&line).expect("still JSON");
            assert!(value["t"][0].as_str().unwrap().ends_with("..."));
        }
    }

    #[test]
    fn texts_that_end_unequal_never_make_a_line_of_the_limit_itself() {
        // A long text cut, a shorter one whole: every total length is met by some cut, the
        // limit itself included, which with its newline would be a byte too many.
        let long = "a".repeat(3000);
        for short in 1900..2100 {
            let short = "b".repeat(short);
            let line = fitted(LINE_MAX, &[&long, &short], json);
            assert!(line.len() < LINE_MAX, "{} with {}", line.len(), short.len());
            assert!(line.len() >= LINE_MAX - 4, "cut too far: {}", line.len());
        }
    }

    #[test]
    fn a_cut_text_keeps_at_most_its_cap_at_a_character_boundary() {
        let text = "é".repeat(100); // two bytes each
        for cap in 3..200 {
            let shown = cut(&text, cap);
            assert!(shown.len() <= cap, "{cap}: {shown}");
            assert!(shown.len() >= cap - 1, "{cap}: cut too far: {shown}");
            assert!(shown.ends_with("..."));
        }
        assert_eq!(cut(&text, 200), text);
        assert_eq!(cut("abcdef", 5), "ab...");
    }

    #[test]
    fn a_stderr_line_is_cut_to_the_limit_at_a_character_boundary() {
        assert_eq!(stderr_text("short"), "coveo-org-delete: short\n");
        for filler in ["x", "é", "😀"] {
            let text = stderr_text(&filler.repeat(5000));
            assert!(
                text.len() <= LINE_MAX && text.len() > LINE_MAX - 5,
                "{}",
                text.len()
            );
            assert!(text.ends_with("...\n"), "{filler}");
            assert!(text.starts_with("coveo-org-delete: "));
        }
        assert_eq!(stderr_text(&"x".repeat(5000)).len(), LINE_MAX);
        // Just under the limit is left whole.
        let whole = "x".repeat(LINE_MAX - 1 - PREFIX.len());
        assert_eq!(stderr_text(&whole).len(), LINE_MAX);
        assert!(!stderr_text(&whole).contains("..."));
    }

    #[test]
    fn json_and_human_lines_of_a_long_failure_fit() {
        let message = "😀".repeat(500);
        let mut o = Outcome::unsent(
            Some("acme1".into()),
            false,
            Error::new(Kind::Forbidden, &message),
        );
        o.display_name = Some("名".repeat(500));
        o.request_id = Some("r".repeat(3000));
        if let Err(e) = &mut o.result {
            e.coveo_error_code = Some("C".repeat(3000));
        }
        let line = json_line(&o);
        assert!(line.len() < LINE_MAX, "{}", line.len());
        let value: Value = serde_json::from_str(&line).expect("JSON");
        assert_eq!(value["organization_id"], "acme1");
        let human = human_line(&o, o.result.as_ref().unwrap_err());
        assert!(PREFIX.len() + human.len() < LINE_MAX, "{}", human.len());
        assert!(human.starts_with("acme1: forbidden (C"), "{human}");
        assert!(
            human.contains("hint: only an access token tied to a user"),
            "{human}"
        );
    }
}

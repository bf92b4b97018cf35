//! Outcomes to what a script sees: the JSON line on stdout, the human line on stderr, and the
//! exit status (see the README, "Output" and "Exit status").

use crate::answer::{status_kind, OrgError};
use crate::kind::Kind;
use crate::org::Outcome;
use serde_json::Value;
use std::io::Write;

/// The JSON line of an outcome, fields in their documented order (README, Output), without the newline.
pub fn json_line(o: &Outcome) -> String {
    let s = |v: &Option<String>| match v {
        Some(v) => Value::String(v.clone()),
        None => Value::Null,
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
                Value::from(e.message.as_str()),
                s(&e.coveo_error_code),
                n(e.retry_after_s),
            ),
        ),
    };
    let line = format!(
        r#"{{"organization_id":{},"ok":{ok},"result":{},"dry_run":{},"http_status":{},"attempts":{},"elapsed_ms":{},"request_id":{},"display_name":{},"error":{error}}}"#,
        s(&o.id),
        Value::from(result),
        o.dry_run,
        n(o.http_status.map(u64::from)),
        o.attempts,
        o.elapsed_ms,
        s(&o.request_id),
        s(&o.display_name),
    );
    escape_line_breaks(line)
}

/// JSON allows U+2028, U+2029 and U+0085 raw inside strings, but many line-oriented readers
/// split lines there. They can only stand inside strings, where `\uXXXX` means the same.
pub fn escape_line_breaks(line: String) -> String {
    if !line.contains(['\u{2028}', '\u{2029}', '\u{85}']) {
        return line;
    }
    line.replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
        .replace('\u{85}', "\\u0085")
}

/// Who may delete an organization, for failures where the token is the likely cause.
const TOKEN_HINT: &str = "hint: only an access token tied to a user (e.g. from 'coveo auth:login') with the Organization - Edit privilege can delete an organization; API keys and platform tokens cannot; the Coveo CLI's tokens last 24 hours, Administration Console session tokens at most 4 hours";

/// The human line of a failed outcome:
/// `coveo-org-delete: ORG_ID: KIND (HTTP 403 ACCESS_DENIED): message [request ID] hint`.
pub fn human_line(o: &Outcome, e: &OrgError) -> String {
    let mut line = String::new();
    if let Some(id) = &o.id {
        // An invalid ID may hold anything; escaped, it cannot break the line.
        line.push_str(&format!("{}: ", id.escape_debug()));
    }
    line.push_str(e.kind.as_str());
    // The parenthesis only where the last status is what failed: a timeout after a 503 keeps
    // http_status 503 in the JSON line, but the 503 is not this failure.
    let status = o.http_status.filter(|s| status_kind(*s) == Some(e.kind));
    let paren: Vec<String> = [
        status.map(|s| format!("HTTP {s}")),
        e.coveo_error_code.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !paren.is_empty() {
        line.push_str(&format!(" ({})", paren.join(" ")));
    }
    line.push_str(&format!(": {}", e.message));
    if let Some(id) = &o.request_id {
        line.push_str(&format!(" [request {id}]"));
    }
    if let (Some(wait), true) = (e.retry_after_s, e.kind.is_retryable()) {
        line.push_str(&format!(" (the server asked to wait {wait} s)"));
    }
    if e.kind == Kind::ReadOnly {
        let id = o.id.as_deref().unwrap_or("ID");
        line.push_str(&format!(
            "; hint: a read-only (paused) organization cannot be deleted until it is resumed, in the Administration Console or with POST /rest/organizations/{id}/resume"
        ));
    } else if e.firewall {
        line.push_str("; hint: the firewall judged the request, not the token; if it happens again, give Coveo support the request ID");
    } else if matches!(e.kind, Kind::Unauthorized | Kind::Forbidden) {
        line.push_str(&format!("; {}", o.token_hint.unwrap_or(TOKEN_HINT)));
    }
    if e.kind == Kind::Usage {
        line.push_str(" (see --help)");
    }
    line
}

/// `coveo-org-delete: LINE` on stderr. Errors writing stderr are ignored: stdout is the
/// channel a script relies on, and there is nowhere left to report them.
pub fn stderr_line(line: &str) {
    let mut err = std::io::stderr().lock();
    crate::progress::clear(&mut err);
    let _ = writeln!(err, "coveo-org-delete: {line}");
}

/// `--verbose`: the stderr line of one HTTP attempt: method, URL, status or error, milliseconds.
pub fn attempt(a: &crate::http::Attempt) {
    let what = match a.result {
        Ok(answer) => format!("{} {}", answer.status, answer.reason),
        Err(lost) => format!("{}: {}", lost.kind.as_str(), lost.message),
    };
    let ms = a.elapsed.as_millis();
    stderr_line(&format!("{} {} -> {what} ({ms} ms)", a.method, a.url));
}

/// Exit status of a run: that of the first organization that failed, else 0 (a signal
/// overrides it: see `emit_all` in lib.rs).
#[derive(Default)]
pub struct ExitStatus(Option<i32>);

impl ExitStatus {
    pub fn note(&mut self, o: &Outcome) {
        if let (None, Err(e)) = (self.0, &o.result) {
            self.0 = Some(e.kind.exit_status());
        }
    }

    pub fn code(&self) -> i32 {
        self.0.unwrap_or(0)
    }
}

/// Writes one outcome: its JSON line to `out`, flushed at once, and for a failure its human
/// line to stderr. `Err` when `out` cannot be written: the run must stop.
pub fn emit(out: &mut dyn Write, o: &Outcome) -> std::io::Result<()> {
    if let Err(e) = &o.result {
        stderr_line(&human_line(o, e));
    }
    write_line(out, &json_line(o))
}

/// Writes one JSON line to `out`, flushed at once; when `out` cannot be written, says so on
/// stderr and returns the error: the run must stop.
pub fn write_line(out: &mut dyn Write, line: &str) -> std::io::Result<()> {
    let written = writeln!(out, "{line}").and_then(|_| out.flush());
    if let Err(e) = &written {
        stderr_line(&format!(
            "stdout cannot be written ({}); stopping before the next organization",
            crate::input::io_reason(e)
        ));
    }
    written
}

//! `--list`: the organizations the token can see, one JSON line each, oldest first, kept by
//! the filters of the command line, then one `end_of_list` line once every page was read and
//! written. Only GETs are sent, page after page, each retried like any request. A failure ends
//! the listing with one failure line (`organization_id` null) and no end line: a deletion fed
//! with a listing that did not end (whatever stopped it, SIGKILL included) deletes nothing.

use crate::answer;
use crate::calendar;
use crate::cli::Listing;
use crate::config::Config;
use crate::http::{Answer, Client, Lost};
use crate::outcome::{self, Error, Kind};
use crate::report;
use crate::retry::Tries;
use crate::signal;
use serde_json::Value;
use std::collections::HashSet;
use std::io::Write;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Organizations asked for per page; without `totalPages`, a page with fewer is the last.
pub const PER_PAGE: usize = 100;
/// More pages than this (100,000 organizations) is taken for a server that never ends.
pub const MAX_PAGES: u64 = 1000;
/// A page of 100 organizations is some tens of KiB; a body longer than this is refused.
pub const PAGE_LIMIT: u64 = 8 * 1024 * 1024;

/// Lists, prints and returns the exit status.
pub fn run(client: &Client, cfg: &Config, keep: &Listing, out: &mut dyn Write) -> i32 {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i128);
    let mut seen = HashSet::new();
    let mut listed = 0u64;
    let mut page = 0;
    loop {
        let started = Instant::now();
        let mut tries = Tries::default();
        let fetched = fetch(client, cfg, page, &mut tries);
        let (items, last) = match fetched {
            Ok(p) => p,
            Err(e) => return failure(out, cfg, tries, started, e),
        };
        for item in &items {
            let Some(org) = Listed::of(item, cfg.verbose) else {
                continue;
            };
            if !seen.insert(org.id.to_owned()) || !org.kept(keep, now_ms) {
                continue;
            }
            if report::write_line(out, &org.line()).is_err() {
                return outcome::EXIT_OUTPUT_FAILED;
            }
            listed += 1;
        }
        // After the page in flight, a signal ends the listing, even after its last page: the
        // failure line, and the end line it replaces, keep a deletion fed with this listing
        // from deleting anything.
        if let Some(s) = signal::caught() {
            return failure(out, cfg, tries, started, interrupted(s, page));
        }
        if last {
            let end = format!(
                r#"{{"organization_id":null,"ok":true,"result":"end_of_list","listed":{listed},"error":null}}"#
            );
            return match report::write_line(out, &end) {
                Ok(()) => 0,
                Err(_) => outcome::EXIT_OUTPUT_FAILED,
            };
        }
        page += 1;
        if page >= MAX_PAGES {
            let e = Error::new(
                Kind::Protocol,
                format!("the listing goes on beyond {MAX_PAGES} pages; stopped"),
            );
            return failure(out, cfg, tries, started, e);
        }
    }
}

/// One page, retried like any request: its items, and whether it is the last.
fn fetch(
    client: &Client,
    cfg: &Config,
    page: u64,
    tries: &mut Tries,
) -> Result<(Vec<Value>, bool), Error> {
    // `--type` is not sent: the platform's matching of letter case is not documented, and a
    // filter it applied differently could silently list nothing. The status gives the
    // life-cycle state, as Coveo's own client asks for it.
    let url = format!(
        "{}/rest/organizations?page={page}&perPage={PER_PAGE}&sortBy=createdDate&order=ASC&additionalFields=status",
        cfg.base.url
    );
    let answer = answer::succeeded(tries.send(cfg.retries, || {
        client.get_up_to(&url, PAGE_LIMIT + 1).and_then(whole)
    }))?;
    if answer.body.len() as u64 > PAGE_LIMIT {
        return Err(Error::new(
            Kind::Protocol,
            crate::input::longer_than(&format!("page {page} of the listing"), PAGE_LIMIT),
        ));
    }
    let not_a_page = || {
        Error::new(
            Kind::Protocol,
            format!("page {page} of the listing is neither a list of organizations nor a page {{\"items\":[...]}}"),
        )
    };
    match serde_json::from_slice(&answer.body).map_err(|_| not_a_page())? {
        // The whole list at once: sorted here, since the server may ignore the query.
        Value::Array(mut items) => {
            items.sort_by_key(|i| created_ms(i).map_or((1, 0), |ms| (0, ms)));
            Ok((items, true))
        }
        Value::Object(mut o) => {
            let Some(Value::Array(items)) = o.remove("items") else {
                return Err(not_a_page());
            };
            // A platform may serve fewer than asked per page: with `totalPages`, only the
            // count of pages, or an empty page, ends the listing.
            let last = match o.get("totalPages").and_then(Value::as_u64) {
                _ if items.is_empty() => true,
                Some(pages) => page + 1 >= pages,
                None => items.len() < PER_PAGE,
            };
            Ok((items, last))
        }
        _ => Err(not_a_page()),
    }
}

/// A page whose body stopped before its end is no page: the attempt failed (and may be
/// retried) as if no answer had come.
fn whole(a: Answer) -> Result<Answer, Lost> {
    match &a.cut {
        Some(cut) if answer::status_kind(a.status).is_none() => Err(Lost {
            error: Error::new(
                cut.kind,
                format!("the page stopped before its end: {}", cut.message),
            ),
            maybe_delivered: true,
        }),
        _ => Ok(a),
    }
}

fn interrupted(s: signal::Signal, page: u64) -> Error {
    Error::new(
        Kind::Interrupted(s),
        format!(
            "stopped by {} after page {page} of the listing; the listing is incomplete",
            s.name()
        ),
    )
}

/// The failure line that ends a listing, with what the last page's attempts learned. A page
/// that failed because a signal stopped its retries ends the listing as interrupted.
fn failure(out: &mut dyn Write, cfg: &Config, tries: Tries, started: Instant, e: Error) -> i32 {
    let e = match signal::caught() {
        Some(s) if !matches!(e.kind, Kind::Interrupted(_)) => Error {
            kind: Kind::Interrupted(s),
            message: format!(
                "stopped by {}; the listing is incomplete (last page: {})",
                s.name(),
                e.message
            ),
            ..e
        },
        _ => e,
    };
    let kind = e.kind;
    let o = tries.outcome(None, cfg.dry_run, started, Err(e), |kind| {
        cfg.token_source.hint(kind)
    });
    match report::emit(out, &o) {
        Ok(()) => kind.exit_status(),
        Err(_) => outcome::EXIT_OUTPUT_FAILED,
    }
}

/// An organization as the listing shows it, its strings as the server sent them.
struct Listed<'a> {
    id: &'a str,
    display_name: Option<&'a str>,
    org_type: Option<&'a str>,
    created_ms: Option<i64>,
    read_only: Option<bool>,
    lifecycle_state: Option<&'a str>,
    owner_email: Option<&'a str>,
}

impl<'a> Listed<'a> {
    /// `None` for an item that is left out: without a string `id`, with an ID that could not
    /// be deleted or that holds the token (a line must never name what no request may carry,
    /// nor print the token), or already being deleted. `--verbose` says so on stderr.
    fn of(item: &'a Value, verbose: bool) -> Option<Listed<'a>> {
        let skipped = |why: &str| {
            if verbose {
                report::stderr_line(&format!("the listing holds {why}; left out"));
            }
        };
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            skipped("an item without a string id");
            return None;
        };
        // What is shown of the ID is the server's text: cleaned, so never the token.
        let shown = || {
            let cut: String = id.chars().take(crate::ids::ECHO_LIMIT).collect();
            answer::clean(&format!("{cut:?}"))
        };
        if crate::token::redact(id) != id {
            skipped(&format!(
                "an organization whose ID holds the token ({})",
                shown()
            ));
            return None;
        }
        if !crate::ids::is_valid(id) {
            skipped(&format!(
                "an organization whose ID is not one ({})",
                shown()
            ));
            return None;
        }
        let text = |v: Option<&'a Value>| v.and_then(Value::as_str);
        let lifecycle_state = text(
            item.get("organizationStatusModel")
                .and_then(|m| m.get("lifeCycleState")),
        );
        if lifecycle_state == Some("DELETING") {
            skipped(&format!(
                "organization {id}, which is already being deleted (DELETING)"
            ));
            return None;
        }
        Some(Listed {
            id,
            display_name: text(item.get("displayName")),
            org_type: text(item.get("type")),
            created_ms: created_ms(item),
            read_only: item.get("readOnly").and_then(Value::as_bool),
            lifecycle_state,
            owner_email: text(item.get("owner").and_then(|o| o.get("email"))),
        })
    }

    /// Every filter given, all of them together.
    fn kept(&self, keep: &Listing, now_ms: i128) -> bool {
        let prefix = keep
            .name_prefix
            .as_deref()
            .is_none_or(|p| self.display_name.is_some_and(|n| n.starts_with(p)));
        let of_type = keep.org_type.as_deref().is_none_or(|t| {
            self.org_type
                .is_some_and(|o| o.to_lowercase() == t.to_lowercase())
        });
        let old_enough = keep.older_than.is_none_or(|age| {
            self.created_ms
                .is_some_and(|c| now_ms - i128::from(c) > age.as_millis() as i128)
        });
        prefix && of_type && old_enough
    }

    /// Its JSON line, of at most [`report::LINE_MAX`] bytes: every string the server sent is
    /// cleaned first, then the longest cut until the line fits (the ID is never cut).
    fn line(&self) -> String {
        let clean = |v: Option<&str>| v.map(answer::clean);
        let texts = [
            clean(self.display_name),
            clean(self.org_type),
            clean(self.lifecycle_state),
            clean(self.owner_email),
        ];
        let given: Vec<&str> = texts.iter().map(|t| t.as_deref().unwrap_or("")).collect();
        report::fitted(report::LINE_MAX, &given, |t| {
            let s = |i: usize| texts[i].as_ref().map_or(Value::Null, |_| Value::from(t[i]));
            let line = format!(
                r#"{{"organization_id":{},"ok":true,"result":"listed","display_name":{},"type":{},"created":{},"read_only":{},"lifecycle_state":{},"owner_email":{},"error":null}}"#,
                Value::from(self.id),
                s(0),
                s(1),
                self.created_ms
                    .and_then(calendar::rfc3339)
                    .map_or(Value::Null, Value::from),
                self.read_only.map_or(Value::Null, Value::from),
                s(2),
                s(3),
            );
            report::escape_line_breaks(line)
        })
    }
}

/// `createdDate`, milliseconds since the epoch, when the item has it as a whole number of the
/// years 0000 to 9999: any other date counts as missing, for the filters as in the line.
fn created_ms(item: &Value) -> Option<i64> {
    let ms = item.get("createdDate")?.as_i64()?;
    calendar::rfc3339(ms).map(|_| ms)
}

//! A stand-in for the Coveo platform: real HTTP/1.1 over a real TCP listener on 127.0.0.1.
//!
//! One accept thread, one thread per connection, keep-alive, `Content-Length` request bodies.
//! Three ways to answer: a script (n-th request gets the n-th [`Action`]), a closure, or a fake
//! Coveo platform ([`Platform`]). Optionally TLS (see [`Builder::tls`]).
//!
//! Nothing here synchronises with sleeps: waiting is done on a [`Condvar`] that is notified when a
//! request arrives and when the stand-in is dropped. The only timed waits are the deliberate pauses
//! of [`Action::Trickle`], and they end early when the stand-in is dropped.
//!
//! This file is self-contained (it is also compiled into `examples/standin.rs` by `#[path]`).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Largest request head (request line + headers) the stand-in accepts before closing.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body the stand-in accepts before closing.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// One HTTP request as the stand-in received it.
#[derive(Clone, Debug)]
pub struct Request {
    /// Method as sent, e.g. `DELETE`.
    pub method: String,
    /// Request target as sent (origin form); an absolute-form target (`http://host/p`) is reduced to `/p`.
    pub path: String,
    /// Headers in arrival order, names as sent.
    pub headers: Vec<(String, String)>,
    /// Body (read by `Content-Length`; empty without one).
    pub body: Vec<u8>,
    /// 0-based index of the TCP connection the request arrived on.
    pub connection: usize,
}

impl Request {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Body as UTF-8 text (lossy).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// An HTTP answer. `Content-Length` (except on 1xx/204/304) and a fresh `X-Request-ID` are added
/// when sent, unless set here.
#[derive(Clone, Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Extra headers; `("X-Request-ID", "")` means: send no request id at all.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Reply {
    /// An empty answer with this status.
    pub fn new(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header (a later `Content-Length` or `X-Request-ID` here replaces the automatic one).
    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }

    /// Sets the body and `Content-Type: application/json`.
    pub fn json(self, body: &str) -> Reply {
        self.body_with_type("application/json", body.as_bytes())
    }

    /// Sets the body and `Content-Type: text/html; charset=utf-8`.
    pub fn html(self, body: &str) -> Reply {
        self.body_with_type("text/html; charset=utf-8", body.as_bytes())
    }

    /// Sets the body bytes and a `Content-Type`.
    pub fn body_with_type(mut self, content_type: &str, body: &[u8]) -> Reply {
        self.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
        self.headers
            .push(("Content-Type".to_string(), content_type.to_string()));
        self.body = body.to_vec();
        self
    }

    /// Status line and headers as they go on the wire; `body_len` is the `Content-Length` to announce.
    fn head(&self, body_len: u64) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (k, v) in &self.headers {
            if k.eq_ignore_ascii_case("x-request-id") && v.is_empty() {
                continue;
            }
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        // RFC 9110: no Content-Length on 1xx, 204 and 304 (unless a test sets one on purpose).
        let bodiless = self.status < 200 || self.status == 204 || self.status == 304;
        if !bodiless && find_header(&self.headers, "content-length").is_none() {
            head.push_str(&format!("Content-Length: {body_len}\r\n"));
        }
        if find_header(&self.headers, "x-request-id").is_none() {
            head.push_str(&format!("X-Request-ID: {}\r\n", new_request_id()));
        }
        head.push_str("\r\n");
        head.into_bytes()
    }

    /// Whether this reply asks for the connection to be closed after it.
    fn closes(&self) -> bool {
        find_header(&self.headers, "connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
    }
}

/// What the stand-in does with one request.
#[derive(Clone, Debug)]
pub enum Action {
    /// Send this answer (the connection stays open for the next request).
    Reply(Reply),
    /// Read the request, then close the connection without a byte of answer.
    Close,
    /// Read the request, then never answer (the connection is held until the stand-in is dropped).
    Hang,
    /// Write these raw bytes (e.g. `garbage\r\n\r\n`, not HTTP), then close.
    Raw(Vec<u8>),
    /// Send status line and headers (announcing the full body), then the body one byte every `every`.
    Trickle {
        /// The answer to trickle out.
        reply: Reply,
        /// Pause before each body byte.
        every: Duration,
    },
    /// Send `status` with `Content-Length: len` and stream `len` filler bytes, generated on the fly.
    Huge {
        /// Status code.
        status: u16,
        /// Announced and streamed body length.
        len: u64,
    },
    /// Read the request, then send this answer once the test calls [`StandIn::release`]
    /// (never, if the stand-in is dropped first): a request in flight for as long as a test needs.
    Held(Reply),
}

impl Action {
    /// Shorthand for `Action::Reply(Reply::new(status))`.
    pub fn status(status: u16) -> Action {
        Action::Reply(Reply::new(status))
    }

    /// Shorthand for `Action::Reply(Reply::new(status).json(body))`.
    pub fn json(status: u16, body: &str) -> Action {
        Action::Reply(Reply::new(status).json(body))
    }
}

/// One organization of the fake platform.
#[derive(Clone, Debug)]
struct Org {
    display_name: String,
    read_only: bool,
    /// Its life-cycle state is `DELETING`: its deletion is under way.
    deleting: bool,
}

impl Org {
    fn new(display_name: &str) -> Org {
        Org {
            display_name: display_name.to_string(),
            read_only: false,
            deleting: false,
        }
    }

    /// `organizationStatusModel.lifeCycleState`, as Coveo's client models it.
    fn life_cycle_state(&self) -> &'static str {
        if self.deleting {
            "DELETING"
        } else if self.read_only {
            "PAUSED"
        } else {
            "ACTIVE"
        }
    }
}

/// What a token may do on the fake platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// A user's token with Organization - Edit: may delete.
    Edit,
    /// A user's token with Organization - View only.
    View,
    /// A token set with `coveo auth:token` (an API key, a platform token): may read, never delete.
    Anonymous,
}

/// A fake Coveo platform: organizations, accepted tokens, and what a DELETE does.
#[derive(Clone, Debug)]
pub struct Platform {
    orgs: BTreeMap<String, Org>,
    tokens: HashMap<String, Access>,
    forbid_delete: bool,
    /// `evaluationReport` as an object `{"privilegeEvaluationResultCodes":[...]}` instead of
    /// one code string.
    report_as_object: bool,
    /// `GET /rest/organizations`: what it shows and how it misbehaves.
    listing: Listing,
}

impl Default for Platform {
    fn default() -> Self {
        Platform::new()
    }
}

impl Platform {
    /// No organizations; the token `demo-token` is a valid user token that may delete.
    pub fn new() -> Platform {
        let mut tokens = HashMap::new();
        tokens.insert("demo-token".to_string(), Access::Edit);
        Platform {
            orgs: BTreeMap::new(),
            tokens,
            forbid_delete: false,
            report_as_object: false,
            listing: Listing::default(),
        }
    }

    /// Adds an organization (life-cycle state `ACTIVE`).
    pub fn org(self, id: &str, display_name: &str) -> Platform {
        self.with_org(id, Org::new(display_name))
    }

    fn with_org(mut self, id: &str, org: Org) -> Platform {
        self.orgs.insert(id.to_string(), org);
        self
    }

    /// Adds a read-only (paused) organization: readable, but a DELETE gets 403
    /// `ORGANIZATION_IS_PAUSED`, its privilege evaluation says `approved:false` with
    /// `OPERATION_FORBIDDEN_FOR_ORGANIZATION_IN_READ_ONLY`, and its life-cycle state is `PAUSED`.
    pub fn read_only_org(self, id: &str, display_name: &str) -> Platform {
        let read_only = true;
        self.with_org(
            id,
            Org {
                read_only,
                ..Org::new(display_name)
            },
        )
    }

    /// Adds an organization whose deletion is under way: its life-cycle state is `DELETING`
    /// (otherwise it is an organization like any other: readable, and a DELETE removes it).
    pub fn deleting_org(self, id: &str, display_name: &str) -> Platform {
        let deleting = true;
        self.with_org(
            id,
            Org {
                deleting,
                ..Org::new(display_name)
            },
        )
    }

    /// Accepts another user's token; `can_edit = false`: privilege evaluation says
    /// `approved:false` with `OPERATION_NOT_ALLOWED`, DELETE gets 403.
    pub fn token(mut self, token: &str, can_edit: bool) -> Platform {
        let access = if can_edit { Access::Edit } else { Access::View };
        self.tokens.insert(token.to_string(), access);
        self
    }

    /// Accepts an anonymous token (one set with `coveo auth:token`: an API key or a platform
    /// token): it may read and list, but privilege evaluation says `approved:false` with
    /// `OPERATION_FORBIDDEN_FOR_ANONYMOUS_AUTHENTICATION`, and a DELETE gets 403.
    pub fn anonymous_token(mut self, token: &str) -> Platform {
        self.tokens.insert(token.to_string(), Access::Anonymous);
        self
    }

    /// The privilege evaluation's `evaluationReport` is an object holding a list of codes,
    /// `{"privilegeEvaluationResultCodes":["..."]}`, as older notes saw it, instead of one
    /// code string, as Coveo's own client types it (the default).
    pub fn report_as_object(mut self) -> Platform {
        self.report_as_object = true;
        self
    }

    /// Any DELETE is answered 599 and recorded as a violation (for dry-run tests).
    pub fn forbid_delete(mut self) -> Platform {
        self.forbid_delete = true;
        self
    }

    /// Answers one request, the way the platform notes describe; violations go to `violations`.
    fn answer(&mut self, req: &Request, violations: &mut Vec<String>) -> Reply {
        let request_id = new_request_id();
        if let Some(reply) = self.listing.intercept(req, violations) {
            return reply;
        }
        let path = req.path.split('?').next().unwrap_or("");
        let token = req
            .header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let access = match token.and_then(|t| self.tokens.get(t)) {
            Some(&access) => access,
            None => {
                return platform_reply(
                    401,
                    &request_id,
                    serde_json::json!({
                        "error": "invalid_token",
                        "error_description": "Invalid access token",
                    }),
                )
            }
        };
        let not_found = |id: &str| {
            platform_reply(
                404,
                &request_id,
                serde_json::json!({
                    "message": format!("Organization '{id}' does not exist."),
                    "errorCode": "ORGANIZATION_NOT_FOUND",
                    "requestID": request_id,
                }),
            )
        };
        let org_id = path
            .strip_prefix("/rest/organizations/")
            .filter(|id| !id.is_empty() && !id.contains('/'));
        match (req.method.as_str(), org_id, path) {
            ("DELETE", Some(id), _) => {
                if self.forbid_delete {
                    violations.push(format!("DELETE {} sent although forbidden", req.path));
                    return Reply::new(599)
                        .header("X-Request-ID", &request_id)
                        .json(r#"{"message":"stand-in: DELETE is forbidden in this test"}"#);
                }
                let Some(org) = self.orgs.get(id) else {
                    return not_found(id);
                };
                if access == Access::Anonymous {
                    return platform_reply(
                        403,
                        &request_id,
                        serde_json::json!({
                            "message": "Anonymous authentication (an API key or a platform token) cannot delete an organization.",
                            "errorCode": "ACCESS_DENIED",
                            "requestID": request_id,
                        }),
                    );
                }
                if access != Access::Edit {
                    return platform_reply(
                        403,
                        &request_id,
                        serde_json::json!({
                            "message": "You are not authorized to edit this organization.",
                            "errorCode": "ACCESS_DENIED",
                            "requestID": request_id,
                        }),
                    );
                }
                if org.read_only {
                    return platform_reply(
                        403,
                        &request_id,
                        serde_json::json!({
                            "message": format!("Organization '{id}' is paused (read-only); resume it before deleting it."),
                            "errorCode": "ORGANIZATION_IS_PAUSED",
                            "requestID": request_id,
                        }),
                    );
                }
                self.orgs.remove(id);
                Reply::new(204).header("X-Request-ID", &request_id)
            }
            ("GET", None, "/rest/organizations") => self.list(req, &request_id),
            ("GET", Some(id), _) => match self.orgs.get(id) {
                Some(org) => platform_reply(
                    200,
                    &request_id,
                    serde_json::json!({
                        "id": id,
                        "displayName": org.display_name,
                        "readOnly": org.read_only,
                    }),
                ),
                None => not_found(id),
            },
            ("POST", _, "/rest/privilege/evaluate") => {
                let body: serde_json::Value =
                    serde_json::from_slice(&req.body).unwrap_or(serde_json::Value::Null);
                let expected = serde_json::json!({
                    "owner": "PLATFORM",
                    "targetDomain": "ORGANIZATION",
                    "type": "EDIT",
                    "targetId": "*",
                });
                let org = body.get("organizationId").and_then(|v| v.as_str());
                let Some(id) = org.filter(|_| body.get("requestedPrivilege") == Some(&expected))
                else {
                    violations.push(format!(
                        "privilege evaluation with an unexpected body: {}",
                        req.body_text()
                    ));
                    return platform_reply(
                        400,
                        &request_id,
                        serde_json::json!({
                            "message": "Invalid privilege evaluation request.",
                            "errorCode": "INVALID_REQUEST",
                            "requestID": request_id,
                        }),
                    );
                };
                let Some(org) = self.orgs.get(id) else {
                    return not_found(id);
                };
                let code = match access {
                    Access::Anonymous => "OPERATION_FORBIDDEN_FOR_ANONYMOUS_AUTHENTICATION",
                    Access::View => "OPERATION_NOT_ALLOWED",
                    Access::Edit if org.read_only => {
                        "OPERATION_FORBIDDEN_FOR_ORGANIZATION_IN_READ_ONLY"
                    }
                    Access::Edit => "OPERATION_GRANTED",
                };
                let report = if self.report_as_object {
                    serde_json::json!({ "privilegeEvaluationResultCodes": [code] })
                } else {
                    serde_json::json!(code)
                };
                platform_reply(
                    200,
                    &request_id,
                    serde_json::json!({
                        "approved": code == "OPERATION_GRANTED",
                        "evaluationReport": report,
                    }),
                )
            }
            _ => platform_reply(
                404,
                &request_id,
                serde_json::json!({
                    "message": format!("No resource at {} {}.", req.method, path),
                    "errorCode": "NOT_FOUND",
                    "requestID": request_id,
                }),
            ),
        }
    }
}

/// What `GET /rest/organizations` shows of an organization besides its ID, name and
/// `readOnly`; a `None` field is left out of the organization's JSON.
#[derive(Clone, Debug, Default)]
pub struct Listed {
    /// `createdDate`, milliseconds since the epoch.
    pub created_ms: Option<i64>,
    /// `type`, e.g. `Test`.
    pub org_type: Option<String>,
    /// `owner.email` (the whole `owner` object is left out without it).
    pub owner_email: Option<String>,
}

/// The listing of the fake platform: extra fields and items, and its faults.
#[derive(Clone, Debug, Default)]
struct Listing {
    fields: HashMap<String, Listed>,
    /// Items as they are, e.g. without an `id`; listed after the organizations of equal date.
    raw_items: Vec<serde_json::Value>,
    bare_array: bool,
    without_total_pages: bool,
    ignore_type: bool,
    shift_pages: bool,
    only_gets: bool,
    /// (page, answers left, answer): that page gets this answer so many times.
    failing: Vec<(u64, usize, Reply)>,
    /// At most this many items per page, whatever `perPage` asks.
    page_size: Option<usize>,
    /// Pages whose answers wait for [`StandIn::release`].
    held: Vec<u64>,
    /// The value of every `type` query parameter the listing received, in arrival order.
    types_received: Vec<String>,
}

impl Listing {
    /// A non-GET under [`Platform::only_gets`], or a page set to fail: answered here.
    fn intercept(&mut self, req: &Request, violations: &mut Vec<String>) -> Option<Reply> {
        if self.only_gets && req.method != "GET" {
            violations.push(format!("{} {} sent to a listing", req.method, req.path));
            return Some(Reply::new(599).json(r#"{"message":"stand-in: only GETs in this test"}"#));
        }
        let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
        if req.method != "GET" || path != "/rest/organizations" {
            return None;
        }
        self.types_received.extend(query_values(query, "type"));
        let page = query_value(query, "page").and_then(|p| p.parse::<u64>().ok())?;
        let fault = self
            .failing
            .iter_mut()
            .find(|(p, left, _)| *p == page && *left > 0)?;
        fault.1 -= 1;
        Some(fault.2.clone())
    }
}

impl Platform {
    /// Adds an organization with the fields a listing shows.
    pub fn listed_org(
        self,
        id: &str,
        display_name: &str,
        org_type: Option<&str>,
        created_ms: Option<i64>,
        owner_email: Option<&str>,
    ) -> Platform {
        let listed = Listed {
            created_ms,
            org_type: org_type.map(str::to_string),
            owner_email: owner_email.map(str::to_string),
        };
        self.org(id, display_name).listing_of(id, listed)
    }

    /// Sets what the listing shows of an organization (added with [`Platform::org`] or
    /// [`Platform::read_only_org`]) besides its ID, name and `readOnly`.
    pub fn listing_of(mut self, id: &str, listed: Listed) -> Platform {
        self.listing.fields.insert(id.to_string(), listed);
        self
    }

    /// Adds an item to the listing as it is (without an `id`, with odd fields, ...).
    pub fn list_item(mut self, item: serde_json::Value) -> Platform {
        self.listing.raw_items.push(item);
        self
    }

    /// The listing answers a bare array of every organization, whatever the query.
    pub fn list_as_bare_array(mut self) -> Platform {
        self.listing.bare_array = true;
        self
    }

    /// Pages have `items` and `totalEntries` but no `totalPages`.
    pub fn list_without_total_pages(mut self) -> Platform {
        self.listing.without_total_pages = true;
        self
    }

    /// The `type` query parameter is ignored: every type is listed.
    pub fn list_ignoring_type(mut self) -> Platform {
        self.listing.ignore_type = true;
        self
    }

    /// Each page after the first starts one organization earlier, as if one was created
    /// between two requests: the last organization of a page is also the first of the next.
    pub fn list_repeating_across_pages(mut self) -> Platform {
        self.listing.shift_pages = true;
        self
    }

    /// Page `page` of the listing is answered `reply` the first `times` times it is asked for.
    pub fn list_page_fails(mut self, page: u64, times: usize, reply: Reply) -> Platform {
        self.listing.failing.push((page, times, reply));
        self
    }

    /// Anything but a GET is answered 599 and recorded as a violation (for listing tests).
    pub fn only_gets(mut self) -> Platform {
        self.listing.only_gets = true;
        self
    }

    /// Pages hold at most `n` items whatever `perPage` asks (Coveo's client promises nothing
    /// about a page's length), with the true `totalPages` (`ceil(total / n)`) and
    /// `totalEntries`: page `p` holds items `p * n` to `p * n + n - 1`.
    pub fn list_page_size(mut self, n: usize) -> Platform {
        assert!(n > 0, "a page size of 0 would never end");
        self.listing.page_size = Some(n);
        self
    }

    /// Every answer to page `page` of the listing (a page failing by
    /// [`Platform::list_page_fails`] included) waits until [`StandIn::release`], or forever if
    /// it is never called: a listing in flight between two pages, for as long as a test needs
    /// to kill or signal it.
    pub fn list_page_held(mut self, page: u64) -> Platform {
        self.listing.held.push(page);
        self
    }

    /// Whether the answer to `req` waits for [`StandIn::release`].
    fn held(&self, req: &Request) -> bool {
        let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
        req.method == "GET"
            && path == "/rest/organizations"
            && query_value(query, "page")
                .and_then(|p| p.parse::<u64>().ok())
                .is_some_and(|p| self.listing.held.contains(&p))
    }

    /// `GET /rest/organizations`: a bare array without a query string, else a page of it
    /// (`page`, `perPage`, `sortBy` `createdDate` or `displayName`, `order`, `type`,
    /// `additionalFields`: each organization has its `organizationStatusModel` only when one
    /// `additionalFields` parameter is `status`, as Coveo's client sends a list of one).
    fn list(&self, req: &Request, request_id: &str) -> Reply {
        let query = req.path.split_once('?').map_or("", |(_, q)| q);
        let type_wanted = query_value(query, "type").filter(|_| !self.listing.ignore_type);
        let with_status = query_values(query, "additionalFields")
            .iter()
            .any(|f| f == "status");
        let mut items: Vec<serde_json::Value> = self
            .orgs
            .iter()
            .map(|(id, org)| {
                let mut item = serde_json::json!({
                    "id": id,
                    "displayName": org.display_name,
                    "readOnly": org.read_only,
                });
                if with_status {
                    item["organizationStatusModel"] = serde_json::json!({
                        "lifeCycleState": org.life_cycle_state(),
                        "paused": org.read_only,
                        "readOnly": org.read_only,
                    });
                }
                let listed = self.listing.fields.get(id).cloned().unwrap_or_default();
                if let Some(ms) = listed.created_ms {
                    item["createdDate"] = ms.into();
                }
                if let Some(t) = listed.org_type {
                    item["type"] = t.into();
                }
                if let Some(email) = listed.owner_email {
                    item["owner"] = serde_json::json!({ "email": email });
                }
                item
            })
            .chain(self.listing.raw_items.iter().cloned())
            .filter(|item| {
                type_wanted.as_ref().is_none_or(|t| {
                    item["type"]
                        .as_str()
                        .is_some_and(|it| it.eq_ignore_ascii_case(t))
                })
            })
            .collect();
        let by_date = query_value(query, "sortBy").as_deref() == Some("createdDate");
        items.sort_by(|a, b| {
            if by_date {
                // Organizations without a date last, as a database puts NULLs.
                let key = |v: &serde_json::Value| v["createdDate"].as_i64().unwrap_or(i64::MAX);
                key(a).cmp(&key(b))
            } else {
                let key =
                    |v: &serde_json::Value| v["displayName"].as_str().unwrap_or("").to_owned();
                key(a).cmp(&key(b))
            }
        });
        if query_value(query, "order").as_deref() == Some("DESC") {
            items.reverse();
        }
        if query.is_empty() || self.listing.bare_array {
            return platform_reply(200, request_id, serde_json::Value::Array(items));
        }
        let page: usize = query_value(query, "page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let asked: usize = query_value(query, "perPage")
            .and_then(|p| p.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(100);
        let per_page = self.listing.page_size.map_or(asked, |n| n.min(asked));
        let total = items.len();
        let mut start = page.saturating_mul(per_page);
        if self.listing.shift_pages && page > 0 {
            start -= 1;
        }
        let window: Vec<serde_json::Value> = items.into_iter().skip(start).take(per_page).collect();
        let mut body = serde_json::json!({ "items": window, "totalEntries": total });
        if !self.listing.without_total_pages {
            body["totalPages"] = total.div_ceil(per_page).into();
        }
        platform_reply(200, request_id, body)
    }
}

/// The organizations of the README's examples, `ID=Display name` (`readonly:` first for a paused
/// one): what `make standin` serves, and what the README's examples run against in the tests.
pub const README_ORGS: [&str; 7] = [
    "mytestorg1a2b3c=My test org",
    "acme1=Acme One",
    "acme2=Acme Two",
    "ci-run-20261128a1b2c3=ci run 2026-11-28 a1b2c3",
    "ci-run-20261128d4e5f6=ci run 2026-11-28 d4e5f6",
    "myorg=My org",
    "readonly:demopaused=Demo Paused",
];

impl Platform {
    /// Adds organizations written `ID`, `ID=Display name` or `readonly:ID=Display name`.
    pub fn with_orgs(mut self, specs: &[&str]) -> Platform {
        for spec in specs {
            let (read_only, spec) = match spec.strip_prefix("readonly:") {
                Some(rest) => (true, rest),
                None => (false, *spec),
            };
            let (id, name) = spec.split_once('=').unwrap_or((spec, spec));
            self = if read_only {
                self.read_only_org(id, name)
            } else {
                self.org(id, name)
            };
        }
        self
    }

    /// What CI runs leave behind, as a nightly clean-up meets it, created relative to
    /// `now_ms`: the old test organizations it must delete (`cirun1a2b`, 9 days old;
    /// `cirun3c4d`, 3 days), and those it must leave: a test still running (`cirun5e6f`, 2
    /// hours), one already being deleted (`cirun7g8h`, 5 days) and a production organization
    /// named like them (`cidashboard`, `ci-dashboard`, 30 days).
    pub fn with_ci_leftovers(self, now_ms: i64) -> Platform {
        let ago = |hours: i64| Some(now_ms - hours * 3_600_000);
        let ci = Some("ci@example.com");
        self.listed_org(
            "cirun1a2b",
            "ci-run nightly 1",
            Some("Test"),
            ago(9 * 24),
            ci,
        )
        .listed_org(
            "cirun3c4d",
            "ci-run nightly 2",
            Some("Test"),
            ago(3 * 24),
            ci,
        )
        .listed_org("cirun5e6f", "ci-run in progress", Some("Test"), ago(2), ci)
        .deleting_org("cirun7g8h", "ci-run being deleted")
        .listing_of(
            "cirun7g8h",
            Listed {
                created_ms: ago(5 * 24),
                org_type: Some("Test".into()),
                owner_email: ci.map(str::to_owned),
            },
        )
        .listed_org(
            "cidashboard",
            "ci-dashboard",
            Some("Production"),
            ago(30 * 24),
            Some("admin@example.com"),
        )
    }
}

/// The value of `name` in a query string, percent-decoded (`+` is a space); the first one
/// when the parameter is repeated.
pub fn query_value(query: &str, name: &str) -> Option<String> {
    let raw = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)?
        .1;
    percent_decode(raw)
}

/// Every value of `name` in a query string, in order, percent-decoded (`name` alone, without
/// `=`, counts as an empty value).
pub fn query_values(query: &str, name: &str) -> Vec<String> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .filter(|(k, _)| *k == name)
        .filter_map(|(_, v)| percent_decode(v))
        .collect()
}

/// A query string's value percent-decoded (`+` is a space); `None` if it is not UTF-8 or a
/// `%` is not followed by two hex digits.
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// A JSON answer carrying `request_id` in its `X-Request-ID` header.
fn platform_reply(status: u16, request_id: &str, body: serde_json::Value) -> Reply {
    Reply::new(status)
        .header("X-Request-ID", request_id)
        .json(&body.to_string())
}

/// How a stand-in answers.
enum Mode {
    Script(Vec<Action>),
    Handler(Box<dyn Fn(&Request) -> Action + Send + Sync>),
    Platform(Box<Mutex<Platform>>),
    /// Accept connections, never read or answer.
    Silent,
}

/// Mutable state shared by the threads, behind one mutex.
#[derive(Default)]
struct State {
    requests: Vec<Request>,
    connections: usize,
    violations: Vec<String>,
    /// Clones of the open connections' sockets, by connection index, to shut them down on drop.
    open: HashMap<usize, TcpStream>,
    stopping: bool,
    /// [`StandIn::release`] was called: held answers go out.
    released: bool,
}

/// What the accept and connection threads share with the [`StandIn`].
struct Shared {
    state: Mutex<State>,
    /// Notified on every new request, every new connection, and on stop.
    changed: Condvar,
    mode: Mode,
    tls: Option<Arc<rustls::ServerConfig>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stopping(&self) -> bool {
        self.lock().stopping
    }

    /// Waits up to `d`, returning early (true) if the stand-in is being dropped.
    fn pause(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut st = self.lock();
        while !st.stopping {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            st = self
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }

    /// Blocks until the stand-in is dropped.
    fn hang(&self) {
        let mut st = self.lock();
        while !st.stopping {
            st = self.changed.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Blocks until [`StandIn::release`] (true) or until the stand-in is dropped (false).
    fn await_release(&self) -> bool {
        let mut st = self.lock();
        while !st.released && !st.stopping {
            st = self.changed.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        !st.stopping
    }
}

/// Configures a [`StandIn`] before it starts (TLS or not).
#[derive(Default)]
pub struct Builder {
    tls: Option<Arc<rustls::ServerConfig>>,
}

impl Builder {
    /// Serve TLS with this config; the URL becomes `https://localhost:PORT`.
    pub fn tls(mut self, cfg: Arc<rustls::ServerConfig>) -> Builder {
        self.tls = Some(cfg);
        self
    }

    /// Scripted: the n-th request gets the n-th action; one beyond gets 599 and a violation.
    pub fn script(self, actions: Vec<Action>) -> StandIn {
        StandIn::start(Mode::Script(actions), self.tls)
    }

    /// Every request is answered by the closure.
    pub fn handler(self, f: impl Fn(&Request) -> Action + Send + Sync + 'static) -> StandIn {
        StandIn::start(Mode::Handler(Box::new(f)), self.tls)
    }

    /// A fake Coveo platform.
    pub fn platform(self, p: Platform) -> StandIn {
        StandIn::start(Mode::Platform(Box::new(Mutex::new(p))), self.tls)
    }

    /// Accepts TCP connections and never reads or answers (no TLS handshake either).
    pub fn silent(self) -> StandIn {
        StandIn::start(Mode::Silent, self.tls)
    }
}

/// A running stand-in server; dropping it stops it and releases every connection.
pub struct StandIn {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept: Option<JoinHandle<()>>,
}

impl StandIn {
    /// Starts configuring a stand-in (for TLS).
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Scripted, plain HTTP: the n-th request gets the n-th action; one beyond gets 599 and a violation.
    pub fn script(actions: Vec<Action>) -> StandIn {
        Builder::default().script(actions)
    }

    /// Plain HTTP; every request is answered by the closure.
    pub fn handler(f: impl Fn(&Request) -> Action + Send + Sync + 'static) -> StandIn {
        Builder::default().handler(f)
    }

    /// A fake Coveo platform over plain HTTP.
    pub fn platform(p: Platform) -> StandIn {
        Builder::default().platform(p)
    }

    /// Accepts TCP connections and never reads or answers (connect/handshake deadline tests).
    pub fn silent() -> StandIn {
        Builder::default().silent()
    }

    fn start(mode: Mode, tls: Option<Arc<rustls::ServerConfig>>) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").expect("stand-in: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("stand-in: local_addr");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            mode,
            tls,
            workers: Mutex::new(Vec::new()),
        });
        let accept = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("standin-accept".into())
                .spawn(move || accept_loop(listener, shared))
                .expect("stand-in: spawn accept thread")
        };
        StandIn {
            shared,
            addr,
            accept: Some(accept),
        }
    }

    /// Base URL: `http://127.0.0.1:PORT`, or `https://localhost:PORT` with TLS.
    pub fn url(&self) -> String {
        if self.shared.tls.is_some() {
            format!("https://localhost:{}", self.addr.port())
        } else {
            format!("http://127.0.0.1:{}", self.addr.port())
        }
    }

    /// Listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Listening address (127.0.0.1:PORT), e.g. as the upstream of a CONNECT proxy.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Everything received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.lock().requests.clone()
    }

    /// Everything received so far, as `METHOD target` lines: what most assertions compare.
    pub fn sent(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.lock().connections
    }

    /// Requests beyond the script, DELETEs under [`Platform::forbid_delete`], malformed privilege checks.
    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }

    /// Panics listing the violations, if any.
    pub fn assert_no_violations(&self) {
        let v = self.violations();
        assert!(v.is_empty(), "stand-in saw violations: {v:#?}");
    }

    /// Platform mode: the value of every `type` query parameter that `GET /rest/organizations`
    /// received, in arrival order (empty in other modes).
    pub fn type_params_received(&self) -> Vec<String> {
        match &self.shared.mode {
            Mode::Platform(p) => p
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .listing
                .types_received
                .clone(),
            _ => Vec::new(),
        }
    }

    /// Platform mode: IDs of the organizations that still exist (empty in other modes).
    pub fn remaining_orgs(&self) -> Vec<String> {
        match &self.shared.mode {
            Mode::Platform(p) => p
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .orgs
                .keys()
                .cloned()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Blocks until at least `n` requests arrived; panics after `limit` with what did arrive.
    pub fn wait_for_requests(&self, n: usize, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut st = self.shared.lock();
        while st.requests.len() < n {
            let now = Instant::now();
            if now >= deadline {
                let seen: Vec<String> = st
                    .requests
                    .iter()
                    .map(|r| format!("{} {}", r.method, r.path))
                    .collect();
                panic!(
                    "stand-in: waited {limit:?} for {n} request(s), got {}: {seen:?}",
                    seen.len()
                );
            }
            st = self
                .shared
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// The requests after the first `seen`, waiting up to `limit` for one to arrive; empty if
    /// none did (for a log of what arrives, as `make standin` prints).
    pub fn requests_after(&self, seen: usize, limit: Duration) -> Vec<Request> {
        let deadline = Instant::now() + limit;
        let mut st = self.shared.lock();
        while st.requests.len() <= seen && !st.stopping {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            st = self
                .shared
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        st.requests.get(seen..).unwrap_or_default().to_vec()
    }

    /// Blocks until at least `n` TCP connections were accepted; panics after `limit`.
    pub fn wait_for_connections(&self, n: usize, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut st = self.shared.lock();
        while st.connections < n {
            let now = Instant::now();
            assert!(
                now < deadline,
                "stand-in: waited {limit:?} for {n} connection(s), got {}",
                st.connections
            );
            st = self
                .shared
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Lets every [`Action::Held`] answer go out, those held now and any later one.
    pub fn release(&self) {
        self.shared.lock().released = true;
        self.shared.changed.notify_all();
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        {
            let mut st = self.shared.lock();
            st.stopping = true;
            for s in st.open.values() {
                let _ = s.shutdown(Shutdown::Both);
            }
            self.shared.changed.notify_all();
        }
        // Wake the accept thread; it sees `stopping` and leaves.
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        let workers = std::mem::take(
            &mut *self
                .shared
                .workers
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        for w in workers {
            let _ = w.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            if shared.stopping() {
                return;
            }
            continue;
        };
        let index = {
            let mut st = shared.lock();
            if st.stopping {
                return;
            }
            let index = st.connections;
            st.connections += 1;
            if let Ok(clone) = stream.try_clone() {
                st.open.insert(index, clone);
            }
            shared.changed.notify_all();
            index
        };
        let worker = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("standin-conn-{index}"))
                .spawn(move || {
                    serve_connection(&shared, &stream, index);
                    let _ = stream.shutdown(Shutdown::Both);
                    shared.lock().open.remove(&index);
                })
        };
        if let Ok(w) = worker {
            shared
                .workers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(w);
        }
    }
}

fn serve_connection(shared: &Shared, stream: &TcpStream, index: usize) {
    if matches!(shared.mode, Mode::Silent) {
        shared.hang();
        return;
    }
    let _ = stream.set_nodelay(true);
    let mut tcp = stream;
    match &shared.tls {
        None => serve_http(shared, &mut tcp, index),
        Some(cfg) => {
            let Ok(conn) = rustls::ServerConnection::new(Arc::clone(cfg)) else {
                return;
            };
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            serve_http(shared, &mut tls, index);
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    }
}

/// Request/answer loop on one connection, until either side closes.
fn serve_http<S: Read + Write>(shared: &Shared, s: &mut S, index: usize) {
    let mut buf = Vec::new();
    loop {
        let Some(req) = read_request(s, &mut buf, index) else {
            return;
        };
        let client_closes = req
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let action = decide(shared, req);
        let keep_going = match action {
            Action::Reply(reply) => {
                let mut out = reply.head(reply.body.len() as u64);
                out.extend_from_slice(&reply.body);
                s.write_all(&out).and_then(|()| s.flush()).is_ok() && !reply.closes()
            }
            Action::Close => false,
            Action::Hang => {
                shared.hang();
                false
            }
            Action::Raw(bytes) => {
                let _ = s.write_all(&bytes).and_then(|()| s.flush());
                false
            }
            Action::Trickle { reply, every } => trickle(shared, s, &reply, every).is_ok(),
            Action::Huge { status, len } => huge(shared, s, status, len).is_ok(),
            Action::Held(reply) => {
                let mut out = reply.head(reply.body.len() as u64);
                out.extend_from_slice(&reply.body);
                shared.await_release()
                    && s.write_all(&out).and_then(|()| s.flush()).is_ok()
                    && !reply.closes()
            }
        };
        if !keep_going || client_closes || shared.stopping() {
            return;
        }
    }
}

fn trickle<S: Write>(shared: &Shared, s: &mut S, reply: &Reply, every: Duration) -> io::Result<()> {
    s.write_all(&reply.head(reply.body.len() as u64))?;
    s.flush()?;
    for b in &reply.body {
        if shared.pause(every) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        s.write_all(std::slice::from_ref(b))?;
        s.flush()?;
    }
    Ok(())
}

fn huge<S: Write>(shared: &Shared, s: &mut S, status: u16, len: u64) -> io::Result<()> {
    static FILLER: [u8; 64 * 1024] = [b'x'; 64 * 1024];
    s.write_all(&Reply::new(status).head(len))?;
    let mut left = len;
    while left > 0 {
        if shared.stopping() {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = left.min(FILLER.len() as u64) as usize;
        s.write_all(&FILLER[..n])?;
        left -= n as u64;
    }
    s.flush()
}

/// Records the request (waking waiters), then picks the action for it.
fn decide(shared: &Shared, req: Request) -> Action {
    let n = {
        let mut st = shared.lock();
        st.requests.push(req.clone());
        shared.changed.notify_all();
        st.requests.len() - 1
    };
    match &shared.mode {
        Mode::Script(actions) => match actions.get(n) {
            Some(a) => a.clone(),
            None => {
                let what = format!(
                    "request #{} ({} {}) beyond the script of {}",
                    n + 1,
                    req.method,
                    req.path,
                    actions.len()
                );
                shared.lock().violations.push(what);
                Action::json(599, r#"{"message":"stand-in: request beyond the script"}"#)
            }
        },
        Mode::Handler(f) => f(&req),
        Mode::Platform(p) => {
            let mut violations = Vec::new();
            let (reply, held) = {
                let mut p = p.lock().unwrap_or_else(|e| e.into_inner());
                (p.answer(&req, &mut violations), p.held(&req))
            };
            if !violations.is_empty() {
                shared.lock().violations.extend(violations);
            }
            if held {
                Action::Held(reply)
            } else {
                Action::Reply(reply)
            }
        }
        Mode::Silent => Action::Hang,
    }
}

/// Reads one request from `s`; `buf` keeps bytes already read beyond the previous request.
/// `None` on EOF, I/O error or a malformed/oversized request.
fn read_request<S: Read>(s: &mut S, buf: &mut Vec<u8>, connection: usize) -> Option<Request> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX_HEAD || !fill(s, buf) {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end - 4]).into_owned();
    let mut lines = head.split("\r\n");
    let mut parts = lines.next()?.split(' ');
    let method = parts.next()?.to_string();
    let mut path = parts.next()?.to_string();
    if let Some(rest) = path
        .strip_prefix("http://")
        .or_else(|| path.strip_prefix("https://"))
    {
        path = rest
            .find('/')
            .map_or("/".to_string(), |i| rest[i..].to_string());
    }
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    let len: usize = match find_header(&headers, "content-length") {
        Some(v) => v.parse().ok().filter(|&n| n <= MAX_BODY)?,
        None => 0,
    };
    buf.drain(..head_end);
    while buf.len() < len {
        if !fill(s, buf) {
            return None;
        }
    }
    let body: Vec<u8> = buf.drain(..len).collect();
    Some(Request {
        method,
        path,
        headers,
        body,
        connection,
    })
}

/// Appends what one read returns; false on EOF or error.
fn fill<S: Read>(s: &mut S, buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 8192];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => return false,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return true;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Reason phrase for a status code (`Unknown` for codes not in the table).
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        412 => "Precondition Failed",
        418 => "I'm a teapot",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        599 => "Stand-in Violation",
        _ => "Unknown",
    }
}

/// A fresh random UUID (version 4 layout), e.g. `3f2b8c1e-5d4a-4e7f-9a0b-1c2d3e4f5a6b`.
pub fn new_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // RandomState is seeded randomly per process (and per instance): good enough for test ids.
    let word = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_u64(salt);
        h.write_u32(std::process::id());
        h.finish()
    };
    let (a, b) = (word(1), word(2));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        8 | (b >> 62),
        (b >> 48) & 0x0fff,
        b & 0xffff_ffff_ffff
    )
}

//! One HTTP exchange with the platform: a request goes out, and either an [`Answer`] comes
//! back or the attempt is [`Lost`]. Nothing here decides what an answer means, and nothing
//! here writes output: each attempt is handed, as an [`Attempt`], to whoever asked to see it
//! (`--verbose`).
//!
//! Two of ureq's hooks outside its semver promise (`ureq::unversioned`) are used, which is why
//! ureq's version is pinned exactly in Cargo.toml:
//! - a resolver that looks names up on the calling thread: ureq's default resolver starts a
//!   thread whenever a deadline covers the lookup, and this binary never starts a thread;
//! - a connector that wraps the finished connection to note when request bytes were written,
//!   which tells a lost answer (the organization may be gone) from a request never sent.

use crate::config::Config;
use crate::outcome::{Error, Kind};
use crate::proxy::Proxy;
use crate::target::Base;
use std::io::{self, ErrorKind, Read};
use std::net::ToSocketAddrs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ureq::config::Config as AgentConfig;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, NextTimeout, RustlsConnector,
    TcpConnector, Transport,
};
use ureq::Agent;

/// At most this much of an answer's body is read.
pub const BODY_LIMIT: u64 = 64 * 1024;
/// A longer answer head (status line and headers) is a `protocol` error.
const HEAD_LIMIT: usize = 64 * 1024;

/// What the server answered, with the parts of it that anything downstream reads.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub reason: String,
    pub request_id: Option<String>,
    pub retry_after: Option<String>,
    pub location: Option<String>,
    pub waf_block: bool,
    /// The first [`BODY_LIMIT`] bytes, or fewer if reading stopped early.
    pub body: Vec<u8>,
    /// Why reading the body stopped before its end (deadline, lost connection), if it did.
    pub cut: Option<Error>,
}

/// An attempt that got no answer: why, and whether the server may have acted on it anyway.
#[derive(Debug, Clone)]
pub struct Lost {
    pub error: Error,
    /// The request was written before the failure: the server may have acted on it.
    pub maybe_delivered: bool,
}

/// One attempt, as `--verbose` shows it: method, URL, what came back, and how long it took.
pub struct Attempt<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub result: &'a Result<Answer, Lost>,
    pub elapsed: Duration,
}

pub struct Client {
    agent: Agent,
    bearer: String,
    written: Arc<AtomicBool>,
    timeout: Duration,
    route: Route,
    on_attempt: Option<fn(&Attempt)>,
}

/// Where requests go, in the words a failure message uses. Never a proxy's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Route {
    /// The platform's host, as in the base URL (`platform-eu.cloud.coveo.com`, `[::1]`).
    host: String,
    /// `host:port`, the port written out (443 or 80 when the URL has none).
    endpoint: String,
    /// The proxy's `host:port`, when requests go through one.
    proxy: Option<String>,
}

impl Route {
    fn new(base: &Base, proxy: Option<&Proxy>) -> Route {
        Route {
            host: base.shown_host(),
            endpoint: base.endpoint(),
            proxy: proxy.map(|p| p.endpoint.clone()),
        }
    }

    /// What a connection is opened to: the proxy when there is one (the platform is then
    /// only reached through it), else the platform's `host:port`.
    fn connecting_to(&self) -> String {
        match &self.proxy {
            Some(p) => format!("proxy {p}"),
            None => self.endpoint.clone(),
        }
    }

    /// What a name lookup was for: the proxy's `host:port`, or the platform's host.
    fn looked_up(&self, endpoint: &str) -> String {
        match &self.proxy {
            Some(_) => format!("proxy {endpoint}"),
            None => self.host.clone(),
        }
    }
}

impl Client {
    pub fn new(cfg: &Config) -> Client {
        let mut tls = ureq::tls::TlsConfig::builder().provider(ureq::tls::TlsProvider::Rustls);
        if let Some(roots) = &cfg.roots {
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(roots));
        }
        // Checked in config::build already; ureq reads no proxy variable itself.
        let proxy = cfg
            .proxy
            .as_ref()
            .and_then(|p| ureq::Proxy::new(&p.url).ok());
        let config: AgentConfig = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(proxy)
            .tls_config(tls.build())
            .user_agent(format!("coveo-org-delete/{}", crate::cli::VERSION))
            .accept("application/json")
            .timeout_global(Some(cfg.timeout))
            // ureq's 128 KiB defaults are zeroed for each of the TCP and TLS layers: a
            // quarter of a run's instructions. The input buffer must hold more than the
            // largest response head: ureq can only tell a head is too large (an answer, not a
            // lost connection) once the buffer holds more than the limit. A request head is
            // under 16 KiB: the token is at most 8 KiB.
            .max_response_header_size(HEAD_LIMIT)
            .input_buffer_size(HEAD_LIMIT + 4 * 1024)
            .output_buffer_size(16 * 1024)
            .build();
        let written = Arc::new(AtomicBool::new(false));
        let connector =
            ().chain(ConnectProxyConnector::default())
                .chain(TcpConnector::default())
                .chain(RustlsConnector::default())
                .chain(NoteWrites {
                    written: written.clone(),
                    target: cfg.base.authority(),
                });
        Client {
            agent: Agent::with_parts(config, connector, ResolveInline),
            bearer: cfg.token.bearer(),
            written,
            timeout: cfg.timeout,
            route: Route::new(&cfg.base, cfg.proxy.as_ref()),
            on_attempt: None,
        }
    }

    /// Hands every attempt, as it ends, to `f` (which writes the `--verbose` line).
    pub fn on_attempt(&mut self, f: fn(&Attempt)) {
        self.on_attempt = Some(f);
    }

    pub fn delete(&self, url: &str) -> Result<Answer, Lost> {
        self.exchange("DELETE", url, BODY_LIMIT, || {
            self.agent
                .delete(url)
                .header("Authorization", &self.bearer)
                .call()
        })
    }

    pub fn get(&self, url: &str) -> Result<Answer, Lost> {
        self.get_up_to(url, BODY_LIMIT)
    }

    /// A GET whose body may be up to `limit` bytes long (a page of the listing).
    pub fn get_up_to(&self, url: &str, limit: u64) -> Result<Answer, Lost> {
        self.exchange("GET", url, limit, || {
            self.agent
                .get(url)
                .header("Authorization", &self.bearer)
                .call()
        })
    }

    pub fn post_json(&self, url: &str, body: &str) -> Result<Answer, Lost> {
        self.exchange("POST", url, BODY_LIMIT, || {
            self.agent
                .post(url)
                .header("Authorization", &self.bearer)
                .header("Content-Type", "application/json")
                .send(body)
        })
    }

    fn exchange(
        &self,
        method: &str,
        url: &str,
        limit: u64,
        call: impl FnOnce() -> Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Answer, Lost> {
        let started = Instant::now();
        self.written.store(false, Ordering::SeqCst);
        let read = |res| read_answer(res, limit, self.timeout, &self.route);
        let result = call().map(read).map_err(|e| Lost {
            error: classify(&e, self.timeout, &self.route),
            maybe_delivered: self.written.load(Ordering::SeqCst),
        });
        if let Some(f) = self.on_attempt {
            f(&Attempt {
                method,
                url,
                result: &result,
                elapsed: started.elapsed(),
            });
        }
        result
    }
}

fn header(res: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
}

fn read_answer(
    mut res: ureq::http::Response<ureq::Body>,
    limit: u64,
    timeout: Duration,
    route: &Route,
) -> Answer {
    let status = res.status();
    let mut body = Vec::new();
    // A body that stops early (deadline, closed connection) still leaves its status: the
    // server has answered, and what was read so far is all there is to go on.
    let cut = res
        .body_mut()
        .as_reader()
        .take(limit)
        .read_to_end(&mut body)
        .err()
        .map(
            |e| match e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
                Some(inner) => classify(inner, timeout, route),
                None => classify(&ureq::Error::Io(e), timeout, route),
            },
        );
    Answer {
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_owned(),
        request_id: header(&res, "x-request-id").filter(|v| !v.is_empty()),
        retry_after: header(&res, "retry-after"),
        location: header(&res, "location"),
        waf_block: header(&res, "x-coveo-waf-action")
            .is_some_and(|v| v.eq_ignore_ascii_case("block")),
        body,
        cut,
    }
}

/// The error of a failure without an answer, whose message names what failed (the proxy, the
/// host, `host:port`) and never holds request headers, a proxy's credentials or the token
/// (ureq's words may quote what the server sent: the token is replaced before the message is
/// cut to one line).
fn classify(e: &ureq::Error, timeout: Duration, route: &Route) -> Error {
    use ureq::Error as E;
    let said = |kind: Kind, words: String| Error::new(kind, crate::token::redact(&words));
    let timed_out = || {
        let secs = timeout.as_secs_f64();
        said(Kind::Timeout, format!("no complete answer within {secs} s"))
    };
    let connection = |why: &str| {
        said(
            Kind::Connection,
            format!("{}: {why}", route.connecting_to()),
        )
    };
    match e {
        E::Timeout(_) => timed_out(),
        E::HostNotFound => connection("name not found"),
        E::ConnectionFailed => connection("could not connect"),
        E::ConnectProxyFailed(why) => said(Kind::Connection, proxy_failed(route, why)),
        E::Io(io) => {
            if let Some(lookup) = io.get_ref().and_then(|i| i.downcast_ref::<LookupFailed>()) {
                let what = route.looked_up(&lookup.endpoint);
                return said(Kind::Connection, format!("{what}: {}", lookup.reason));
            }
            match (io.kind(), io.get_ref()) {
                (ErrorKind::TimedOut | ErrorKind::WouldBlock, _) => timed_out(),
                // rustls reports certificate and handshake failures as InvalidData around its
                // own error; nothing else on this path does.
                (ErrorKind::InvalidData, Some(inner)) => {
                    said(Kind::Tls, tls_message(inner.to_string()))
                }
                // Failures to open the connection: they concern what it was opened to.
                (
                    ErrorKind::ConnectionRefused
                    | ErrorKind::HostUnreachable
                    | ErrorKind::NetworkUnreachable
                    | ErrorKind::NetworkDown
                    | ErrorKind::AddrNotAvailable,
                    _,
                ) => connection(&lower_first(&crate::input::io_reason(io))),
                _ => said(Kind::Connection, crate::input::io_reason(io)),
            }
        }
        E::Tls(why) => said(Kind::Tls, (*why).to_owned()),
        E::Rustls(why) => said(Kind::Tls, tls_message(why.to_string())),
        E::Protocol(why) => said(Kind::Protocol, format!("not an HTTP answer: {why}")),
        E::LargeResponseHeader(..) => said(
            Kind::Protocol,
            format!("the answer's head is larger than {} KiB", HEAD_LIMIT / 1024),
        ),
        other => said(Kind::Protocol, other.to_string()),
    }
}

/// The proxy's answer to CONNECT, in words: ureq says `proxy server responded 403/403` or
/// `proxy server did not respond`.
fn proxy_failed(route: &Route, why: &str) -> String {
    let proxy = route.connecting_to();
    let status = why
        .strip_prefix("proxy server responded ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse::<u16>().ok());
    match status {
        Some(code) => {
            let reason = ureq::http::StatusCode::from_u16(code)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("");
            let mut m = format!("{proxy} refused the tunnel: {code} {reason}");
            if code == 407 {
                m.push_str(" (give the proxy's user and password in the proxy URL: http://USER:PASSWORD@HOST:PORT)");
            }
            m.trim_end().to_owned()
        }
        None if why.contains("did not respond") => {
            format!("{proxy} did not answer the tunnel request (CONNECT)")
        }
        None => format!("{proxy}: {why}"),
    }
}

/// What rustls said (`invalid peer certificate: UnknownIssuer`), with what to do about an
/// issuer it does not trust. rustls is reached only through ureq (pinned exactly), so its
/// error is read from its text.
fn tls_message(text: String) -> String {
    if text.contains("UnknownIssuer") {
        format!("{text}; hint: the certificate's issuer is not trusted; a TLS-inspecting corporate proxy is the usual cause; pass its CA with --ca-file or SSL_CERT_FILE")
    } else {
        text
    }
}

/// `Connection refused` as `connection refused`, to follow a colon. ASCII only: the system's
/// messages are, and Unicode case tables would cost the binary some 13 KB.
fn lower_first(s: &str) -> String {
    let mut s = s.to_owned();
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_lowercase();
    }
    s
}

/// Looks names up on the calling thread, bounded by the system resolver's own limits.
#[derive(Debug)]
struct ResolveInline;

impl Resolver for ResolveInline {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        _config: &AgentConfig,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            // Not the URI itself: a proxy's may carry its password.
            return Err(ureq::Error::BadUri("no scheme or host".into()));
        };
        let host_port =
            DefaultResolver::host_and_port(scheme, authority).ok_or(ureq::Error::HostNotFound)?;
        let failed = |reason: String| {
            let endpoint = host_port.clone();
            ureq::Error::Io(io::Error::other(LookupFailed { endpoint, reason }))
        };
        let addrs = host_port
            .to_socket_addrs()
            .map_err(|e| failed(lookup_reason(&e)))?;
        let mut out = self.empty();
        // ResolvedSocketAddrs holds 16; more addresses add nothing.
        for addr in addrs.take(16) {
            out.push(addr);
        }
        if out.is_empty() {
            return Err(failed("name not found".into()));
        }
        Ok(out)
    }
}

/// A name lookup that failed: what was looked up (`host:port`, as ureq asks for it) and why.
#[derive(Debug)]
struct LookupFailed {
    endpoint: String,
    reason: String,
}

impl std::fmt::Display for LookupFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.endpoint, self.reason)
    }
}

impl std::error::Error for LookupFailed {}

/// The system resolver's reason in a few words: `name not found` for a name that does not
/// exist (glibc's and macOS's wording of EAI_NONAME and EAI_NODATA), else what it said.
fn lookup_reason(e: &io::Error) -> String {
    let said = crate::input::io_reason(e);
    let said = said
        .strip_prefix("failed to lookup address information: ")
        .unwrap_or(&said);
    let not_found = [
        "Name or service not known",
        "No address associated with hostname",
        "nodename nor servname provided, or not known",
    ];
    if not_found.iter().any(|n| said.contains(n)) {
        "name not found".into()
    } else {
        format!("name lookup failed: {}", lower_first(said))
    }
}

/// Last link of the connector chain: notes when the request is written on a connection to
/// the target. Connections to a proxy go through the chain too; their CONNECT line is not
/// the request and is not noted.
#[derive(Debug)]
struct NoteWrites {
    written: Arc<AtomicBool>,
    target: String,
}

impl<In: Transport> Connector<In> for NoteWrites {
    type Out = Noted<In>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let to_target = details
            .uri
            .authority()
            .is_some_and(|a| a.as_str().eq_ignore_ascii_case(&self.target));
        Ok(chained.map(|inner| Noted {
            inner,
            written: to_target.then(|| self.written.clone()),
        }))
    }
}

#[derive(Debug)]
struct Noted<T> {
    inner: T,
    written: Option<Arc<AtomicBool>>,
}

impl<T: Transport> Transport for Noted<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.inner.transmit_output(amount, timeout)?;
        if let (Some(flag), true) = (&self.written, amount > 0) {
            flag.store(true, Ordering::SeqCst);
        }
        Ok(())
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.inner.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(base: &str, proxy: Option<&str>) -> Route {
        let proxy = proxy.map(|url| {
            let endpoint = url.rsplit_once('@').map_or(url, |(_, e)| e);
            Proxy {
                url: url.to_owned(),
                endpoint: endpoint.trim_start_matches("http://").to_owned(),
            }
        });
        Route::new(&Base::parse(base).unwrap(), proxy.as_ref())
    }

    #[test]
    fn routes_name_host_port_and_proxy_without_credentials() {
        let r = route("https://platform-eu.cloud.coveo.com", None);
        assert_eq!(r.host, "platform-eu.cloud.coveo.com");
        assert_eq!(r.connecting_to(), "platform-eu.cloud.coveo.com:443");
        assert_eq!(
            r.looked_up("platform-eu.cloud.coveo.com:443"),
            "platform-eu.cloud.coveo.com"
        );
        let r = route("http://127.0.0.1:8080/coveo", None);
        assert_eq!(r.connecting_to(), "127.0.0.1:8080");
        assert_eq!(
            route("http://localhost", None).connecting_to(),
            "localhost:80"
        );
        assert_eq!(route("http://[::1]", None).connecting_to(), "[::1]:80");
        assert_eq!(route("http://[::1]:81", None).host, "[::1]");
        let r = route(
            "https://platform.cloud.coveo.com",
            Some("http://me:s3cret@proxy.corp:3128"),
        );
        assert_eq!(r.connecting_to(), "proxy proxy.corp:3128");
        assert_eq!(r.looked_up("proxy.corp:3128"), "proxy proxy.corp:3128");
    }

    #[test]
    fn failures_name_what_failed() {
        let direct = route("https://platform-eu.cloud.coveo.com", None);
        let proxied = route(
            "https://platform-eu.cloud.coveo.com",
            Some("http://me:s3cret@proxy.corp:3128"),
        );
        let t = Duration::from_secs(30);
        let refused = || ureq::Error::Io(io::ErrorKind::ConnectionRefused.into());
        let lookup = |endpoint: &str| {
            ureq::Error::Io(io::Error::other(LookupFailed {
                endpoint: endpoint.into(),
                reason: "name not found".into(),
            }))
        };
        let cases = [
            (
                classify(&lookup("platform-eu.cloud.coveo.com:443"), t, &direct),
                "platform-eu.cloud.coveo.com: name not found",
            ),
            (
                classify(&lookup("proxy.corp:3128"), t, &proxied),
                "proxy proxy.corp:3128: name not found",
            ),
            (
                classify(&refused(), t, &direct),
                "platform-eu.cloud.coveo.com:443: connection refused",
            ),
            (
                classify(&refused(), t, &proxied),
                "proxy proxy.corp:3128: connection refused",
            ),
            (
                classify(
                    &ureq::Error::ConnectProxyFailed("proxy server responded 403/403".into()),
                    t,
                    &proxied,
                ),
                "proxy proxy.corp:3128 refused the tunnel: 403 Forbidden",
            ),
            (
                classify(
                    &ureq::Error::ConnectProxyFailed("proxy server did not respond".into()),
                    t,
                    &proxied,
                ),
                "proxy proxy.corp:3128 did not answer the tunnel request (CONNECT)",
            ),
        ];
        for (error, want) in cases {
            assert_eq!(error.kind, Kind::Connection, "{}", error.message);
            assert_eq!(error.message, want);
            assert!(!error.message.contains("s3cret") && !error.message.contains("me:"));
        }
        // Any other words of ureq's are passed on as they are.
        let m = classify(
            &ureq::Error::ConnectProxyFailed("bad proxy answer".into()),
            t,
            &proxied,
        )
        .message;
        assert_eq!(m, "proxy proxy.corp:3128: bad proxy answer");
        // A timeout the system reports (ETIMEDOUT) is a timeout, like the deadline's.
        let kind = classify(&ureq::Error::Io(io::ErrorKind::TimedOut.into()), t, &direct).kind;
        assert_eq!(kind, Kind::Timeout);
        let m = classify(
            &ureq::Error::ConnectProxyFailed("proxy server responded 407/407".into()),
            t,
            &proxied,
        )
        .message;
        assert!(
            m.starts_with(
                "proxy proxy.corp:3128 refused the tunnel: 407 Proxy Authentication Required"
            ),
            "{m}"
        );
    }

    #[test]
    fn resolver_reasons_in_few_words() {
        let said = |s: &str| lookup_reason(&io::Error::other(s.to_owned()));
        assert_eq!(
            said("failed to lookup address information: Name or service not known"),
            "name not found"
        );
        assert_eq!(
            said("failed to lookup address information: Temporary failure in name resolution"),
            "name lookup failed: temporary failure in name resolution"
        );
    }

    #[test]
    fn tls_is_said_once_with_a_hint_for_an_unknown_issuer() {
        let m = tls_message("invalid peer certificate: UnknownIssuer".into());
        assert!(m.starts_with("invalid peer certificate: UnknownIssuer; hint: the certificate's issuer is not trusted"), "{m}");
        assert!(m.contains("--ca-file or SSL_CERT_FILE"), "{m}");
        let other = "invalid peer certificate: certificate not valid for name \"x\"";
        assert_eq!(tls_message(other.into()), other);
    }
}

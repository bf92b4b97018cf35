//! One HTTP exchange with the platform: a request goes out, and either an [`Answer`] comes
//! back or the attempt is [`Lost`]. Nothing here decides what an answer means.
//!
//! Two of ureq's hooks outside its semver promise (`ureq::unversioned`) are used, which is why
//! ureq's version is pinned exactly in Cargo.toml:
//! - a resolver that looks names up on the calling thread: ureq's default resolver starts a
//!   thread whenever a deadline covers the lookup, and this binary never starts a thread;
//! - a connector that wraps the finished connection to note when request bytes were written,
//!   which tells a lost answer (the organization may be gone) from a request never sent.

use crate::config::Config;
use crate::kind::Kind;
use std::io::{ErrorKind, Read};
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
    pub cut: Option<(Kind, String)>,
}

/// An attempt that got no answer.
#[derive(Debug, Clone)]
pub struct Lost {
    pub kind: Kind,
    pub message: String,
    /// The request was written before the failure: the server may have acted on it.
    pub maybe_delivered: bool,
}

pub struct Client {
    agent: Agent,
    bearer: String,
    written: Arc<AtomicBool>,
    timeout: Duration,
    verbose: bool,
}

impl Client {
    pub fn new(cfg: &Config) -> Client {
        let mut tls = ureq::tls::TlsConfig::builder().provider(ureq::tls::TlsProvider::Rustls);
        if let Some(roots) = &cfg.roots {
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(roots));
        }
        // Checked in config::build already; ureq reads no proxy variable itself.
        let proxy = cfg.proxy.as_deref().and_then(|p| ureq::Proxy::new(p).ok());
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
                    target: authority_of(&cfg.base.url),
                });
        Client {
            agent: Agent::with_parts(config, connector, ResolveInline),
            bearer: cfg.token.bearer(),
            written,
            timeout: cfg.timeout,
            verbose: cfg.verbose,
        }
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
        let read = |res| read_answer(res, limit, self.timeout);
        let result = call().map(read).map_err(|e| {
            let (kind, message) = classify(&e, self.timeout);
            Lost {
                kind,
                message,
                maybe_delivered: self.written.load(Ordering::SeqCst),
            }
        });
        if self.verbose {
            let what = match &result {
                Ok(a) => format!("{} {}", a.status, a.reason),
                Err(l) => format!("{}: {}", l.kind.as_str(), l.message),
            };
            crate::report::stderr_line(&format!(
                "{method} {url} -> {what} ({} ms)",
                started.elapsed().as_millis()
            ));
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

fn read_answer(mut res: ureq::http::Response<ureq::Body>, limit: u64, timeout: Duration) -> Answer {
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
                Some(inner) => classify(inner, timeout),
                None => classify(&ureq::Error::Io(e), timeout),
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

/// The kind of a failure without an answer, and a message that never holds request headers.
fn classify(e: &ureq::Error, timeout: Duration) -> (Kind, String) {
    use ureq::Error as E;
    let timed_out = || {
        let secs = timeout.as_secs_f64();
        (Kind::Timeout, format!("no complete answer within {secs} s"))
    };
    match e {
        E::Timeout(_) => timed_out(),
        E::HostNotFound => (Kind::Connection, "host name not found".into()),
        E::ConnectionFailed => (Kind::Connection, "could not connect".into()),
        E::ConnectProxyFailed(why) => (Kind::Connection, format!("the proxy refused: {why}")),
        E::Io(io) => match (io.kind(), io.get_ref()) {
            (ErrorKind::TimedOut | ErrorKind::WouldBlock, _) => timed_out(),
            // rustls reports certificate and handshake failures as InvalidData around its
            // own error; nothing else on this path does.
            (ErrorKind::InvalidData, Some(inner)) => (Kind::Tls, format!("TLS: {inner}")),
            _ => (Kind::Connection, crate::config::io_reason(io)),
        },
        E::Tls(why) => (Kind::Tls, format!("TLS: {why}")),
        E::Rustls(why) => (Kind::Tls, format!("TLS: {why}")),
        E::Protocol(why) => (Kind::Protocol, format!("not an HTTP answer: {why}")),
        E::LargeResponseHeader(..) => (
            Kind::Protocol,
            format!("the answer's head is larger than {} KiB", HEAD_LIMIT / 1024),
        ),
        other => (Kind::Protocol, other.to_string()),
    }
}

fn authority_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or("").to_owned()
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
            return Err(ureq::Error::BadUri(uri.to_string()));
        };
        let host_port =
            DefaultResolver::host_and_port(scheme, authority).ok_or(ureq::Error::HostNotFound)?;
        let mut out = self.empty();
        // ResolvedSocketAddrs holds 16; more addresses add nothing.
        for addr in host_port.to_socket_addrs()?.take(16) {
            out.push(addr);
        }
        if out.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(out)
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

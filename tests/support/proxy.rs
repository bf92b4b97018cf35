//! A minimal HTTP proxy for tests: CONNECT tunnels (and plain forwarding) to one fixed upstream.
//!
//! Whatever host the client asks for, the bytes go to `upstream`: that is how a test reaches the TLS
//! stand-in while the client believes it talks to, e.g., `platform-eu.cloud.coveo.com:443`.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Largest request head the proxy reads before giving up on a connection.
const MAX_HEAD: usize = 64 * 1024;

#[derive(Default)]
struct State {
    heads: Vec<String>,
    /// Client connections accepted.
    connections: usize,
    /// Every socket the proxy holds (client and upstream sides), to shut them down on drop.
    open: HashMap<usize, TcpStream>,
    next_socket: usize,
    stopping: bool,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    upstream: SocketAddr,
    refuse: bool,
    /// 1-based numbers of the requests (in arrival order) answered `403` instead of tunnelled.
    refuse_only: Vec<usize>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a socket for shutdown on drop; `None` if the proxy is stopping.
    fn register(&self, s: &TcpStream) -> Option<usize> {
        let mut st = self.lock();
        if st.stopping {
            return None;
        }
        let id = st.next_socket;
        st.next_socket += 1;
        if let Ok(c) = s.try_clone() {
            st.open.insert(id, c);
        }
        Some(id)
    }

    fn release(&self, id: usize, s: &TcpStream) {
        let _ = s.shutdown(Shutdown::Both);
        self.lock().open.remove(&id);
    }

    fn spawn(&self, name: String, f: impl FnOnce() + Send + 'static) {
        if let Ok(h) = std::thread::Builder::new().name(name).spawn(f) {
            self.workers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(h);
        }
    }
}

/// A running proxy on 127.0.0.1; dropping it closes every tunnel.
pub struct ConnectProxy {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept: Option<JoinHandle<()>>,
}

impl ConnectProxy {
    /// Tunnels every CONNECT (and forwards every plain request) to `upstream`, whatever host is asked.
    pub fn start(upstream: SocketAddr) -> ConnectProxy {
        ConnectProxy::launch(upstream, false, Vec::new())
    }

    /// Answers every request with `403 Forbidden` and closes.
    pub fn refusing() -> ConnectProxy {
        ConnectProxy::launch(SocketAddr::from(([127, 0, 0, 1], 9)), true, Vec::new())
    }

    /// Like [`ConnectProxy::start`], but the requests numbered in `nth` (1-based, in arrival
    /// order: `&[2]` is the second CONNECT) get `403 Forbidden` and a close instead of a tunnel.
    pub fn refusing_only(upstream: SocketAddr, nth: &[usize]) -> ConnectProxy {
        ConnectProxy::launch(upstream, false, nth.to_vec())
    }

    fn launch(upstream: SocketAddr, refuse: bool, refuse_only: Vec<usize>) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("proxy: local_addr");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            upstream,
            refuse,
            refuse_only,
            workers: Mutex::new(Vec::new()),
        });
        let accept = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("proxy-accept".into())
                .spawn(move || accept_loop(listener, shared))
                .expect("proxy: spawn accept thread")
        };
        ConnectProxy {
            shared,
            addr,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT`, for `https_proxy` and friends.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.addr.port())
    }

    /// Listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Request heads received, in order, verbatim (`"CONNECT host:443 HTTP/1.1\r\nHost: ...\r\n\r\n"`).
    pub fn requests(&self) -> Vec<String> {
        self.shared.lock().heads.clone()
    }

    /// Client connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.lock().connections
    }

    /// Blocks until at least `n` request heads arrived; panics after `limit`.
    pub fn wait_for_requests(&self, n: usize, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut st = self.shared.lock();
        while st.heads.len() < n {
            let now = Instant::now();
            assert!(
                now < deadline,
                "proxy: waited {limit:?} for {n} request(s), got {:?}",
                st.heads
            );
            st = self
                .shared
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        {
            let mut st = self.shared.lock();
            st.stopping = true;
            for s in st.open.values() {
                let _ = s.shutdown(Shutdown::Both);
            }
            self.shared.changed.notify_all();
        }
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        // Pipe threads may still register their upstream side; loop until no worker is left.
        loop {
            let workers = std::mem::take(
                &mut *self
                    .shared
                    .workers
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()),
            );
            if workers.is_empty() {
                break;
            }
            for w in workers {
                let _ = w.join();
            }
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for client in listener.incoming() {
        let Ok(client) = client else {
            if shared.lock().stopping {
                return;
            }
            continue;
        };
        let Some(id) = shared.register(&client) else {
            return;
        };
        shared.lock().connections += 1;
        let sh = Arc::clone(&shared);
        shared.spawn(format!("proxy-conn-{id}"), move || {
            handle(&sh, &client);
            sh.release(id, &client);
        });
    }
}

fn handle(shared: &Arc<Shared>, client: &TcpStream) {
    let mut c = client;
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        match c.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > MAX_HEAD {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let is_connect = head.starts_with("CONNECT ");
    let number = {
        let mut st = shared.lock();
        st.heads.push(head);
        shared.changed.notify_all();
        st.heads.len()
    };
    if shared.refuse || shared.refuse_only.contains(&number) {
        let _ = c
            .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    let Ok(upstream) = TcpStream::connect(shared.upstream) else {
        let _ = c.write_all(
            b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    };
    let Some(up_id) = shared.register(&upstream) else {
        return;
    };
    let _ = upstream.set_nodelay(true);
    let _ = client.set_nodelay(true);
    let early = if is_connect {
        if c.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .is_err()
        {
            shared.release(up_id, &upstream);
            return;
        }
        buf[head_end..].to_vec()
    } else {
        // Plain request (absolute-form target): forward it as it came.
        buf
    };
    let (Ok(client2), Ok(upstream2)) = (client.try_clone(), upstream.try_clone()) else {
        shared.release(up_id, &upstream);
        return;
    };
    shared.spawn(format!("proxy-up-{up_id}"), move || {
        let mut u = &upstream2;
        if u.write_all(&early).is_ok() {
            let _ = io::copy(&mut &client2, &mut u);
        }
        let _ = upstream2.shutdown(Shutdown::Write);
    });
    let _ = io::copy(&mut &upstream, &mut c);
    let _ = client.shutdown(Shutdown::Write);
    // Both directions are done once upstream has closed toward us; release it.
    shared.release(up_id, &upstream);
}

//! A TCP proxy in front of the test PostgreSQL that a test can cut and restore, to take the
//! database away from one app without disturbing the other tests that share the server.
//!
//! Open, it relays bytes both ways. Held, it keeps its connections but relays nothing, so
//! queries sent through it stay in flight. Cut, it drops every connection it has and closes
//! each new one at once, as a stopped server would.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Open,
    Held,
    Cut,
}

/// A running proxy; it stops when dropped.
pub struct Proxy {
    port: u16,
    mode: watch::Sender<Mode>,
    held: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (host:port) on a free local port, on a thread of its own
    /// so that it runs whatever the test's runtime does.
    pub fn start(upstream: &str) -> Proxy {
        let upstream = upstream.to_owned();
        let (mode, mode_rx) = watch::channel(Mode::Open);
        let held = Arc::new(AtomicUsize::new(0));
        let held2 = held.clone();
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap_or_else(|e| panic!("proxy runtime: {e}"));
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0")
                    .await
                    .unwrap_or_else(|e| panic!("proxy bind: {e}"));
                let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
                let _ = port_tx.send(port);
                let accept = async {
                    loop {
                        let Ok((client, _)) = listener.accept().await else {
                            continue;
                        };
                        if *mode_rx.borrow() == Mode::Cut {
                            drop(client);
                            continue;
                        }
                        tokio::spawn(relay(
                            client,
                            upstream.clone(),
                            mode_rx.clone(),
                            held2.clone(),
                        ));
                    }
                };
                tokio::select! {
                    () = accept => {}
                    _ = stop_rx => {}
                }
            });
        });
        let port = port_rx
            .recv()
            .unwrap_or_else(|e| panic!("proxy did not start: {e}"));
        Proxy {
            port,
            mode,
            held,
            thread: Some(thread),
            stop: Some(stop),
        }
    }

    /// A proxy in front of the server of a PostgreSQL URL, and that URL through the proxy.
    pub fn in_front_of(url: &str) -> (Proxy, String) {
        let scheme_end = url.find("://").map_or(0, |i| i + 3);
        let rest = &url[scheme_end..];
        let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
        let host_port = authority
            .rfind('@')
            .map_or(authority, |i| &authority[i + 1..]);
        let upstream = if host_port.contains(':') {
            host_port.to_owned()
        } else {
            format!("{host_port}:5432")
        };
        let proxy = Proxy::start(&upstream);
        let proxied = proxy.url_for(url);
        (proxy, proxied)
    }

    /// The proxy's address as host:port.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `url` (a PostgreSQL URL) with its host and port replaced by the proxy's.
    pub fn url_for(&self, url: &str) -> String {
        let scheme_end = url.find("://").map_or(0, |i| i + 3);
        let rest = &url[scheme_end..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let userinfo = authority
            .rfind('@')
            .map_or(String::new(), |i| authority[..=i].to_owned());
        format!(
            "{}{userinfo}{}{}",
            &url[..scheme_end],
            self.addr(),
            &rest[authority_end..]
        )
    }

    /// Relays nothing from now on, keeping the connections: what is sent stays in flight.
    pub fn hold(&self) {
        self.mode.send_replace(Mode::Held);
    }

    /// How many messages are being held since the proxy was started.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        self.mode.send_replace(Mode::Cut);
    }

    /// Relays again.
    pub fn restore(&self) {
        self.mode.send_replace(Mode::Open);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.mode.send_replace(Mode::Cut);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Waits until the mode is Open (true) or Cut (false).
async fn wait_open(mode: &mut watch::Receiver<Mode>) -> bool {
    loop {
        let m = *mode.borrow_and_update();
        match m {
            Mode::Open => return true,
            Mode::Cut => return false,
            Mode::Held => {
                if mode.changed().await.is_err() {
                    return false;
                }
            }
        }
    }
}

async fn relay(
    client: TcpStream,
    upstream: String,
    mut mode: watch::Receiver<Mode>,
    held: Arc<AtomicUsize>,
) {
    if !wait_open(&mut mode).await {
        return;
    }
    let Ok(server) = TcpStream::connect(&upstream).await else {
        return;
    };
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = pump(&mut cr, &mut sw, mode.clone(), held.clone());
    let down = pump(&mut sr, &mut cw, mode.clone(), held);
    let cut = async {
        loop {
            if *mode.borrow_and_update() == Mode::Cut {
                return;
            }
            if mode.changed().await.is_err() {
                return;
            }
        }
    };
    // Whichever ends first ends the connection: both sockets are dropped here.
    tokio::select! {
        () = up => {}
        () = down => {}
        () = cut => {}
    }
}

async fn pump<R, W>(
    from: &mut R,
    to: &mut W,
    mut mode: watch::Receiver<Mode>,
    held: Arc<AtomicUsize>,
) where
    R: AsyncReadExt + Unpin,
    W: AsyncWriteExt + Unpin,
{
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if *mode.borrow() == Mode::Held {
            held.fetch_add(1, Ordering::SeqCst);
        }
        if !wait_open(&mut mode).await {
            return;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

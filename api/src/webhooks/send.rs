//! The outgoing side of webhook deliveries, as [Standard Webhooks] describes them: the
//! target URL, the signature, and one HTTP/1.1 POST.
//!
//! Deliveries go to URLs that users type in, so they are guarded against server-side request
//! forgery: [`resolve`] refuses a host any of whose addresses is not on the public internet
//! (loopback, private, link-local, …; see [`is_public`]) unless the operator admits its network
//! ([`Networks`]), and [`post`] connects to exactly the address [`resolve`] vetted, so a DNS
//! answer cannot change between the check and the connection. Redirects are never followed.
//!
//! [Standard Webhooks]: https://www.standardwebhooks.com/

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use sha2::Sha256;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::ServerName;

/// The longest target URL accepted, in bytes.
const MAX_URL_LEN: usize = 2000;
/// The longest response head read (status line and headers).
const MAX_HEAD: usize = 16 * 1024;
/// What deliveries call themselves.
const USER_AGENT: &str = "zhengwu-webhooks";
/// The headers [`post`] writes itself; `headers` may not repeat them.
const OWN_HEADERS: [&str; 6] = [
    "host",
    "user-agent",
    "content-type",
    "content-length",
    "connection",
    "transfer-encoding",
];
/// The prefix of a Standard Webhooks secret.
const SECRET_PREFIX: &str = "whsec_";

/// A webhook target URL, parsed and checked for form (not yet for its addresses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `https` rather than `http`.
    https: bool,
    /// The host as in the URL (lower-case, IDNA-encoded); an IPv6 address without brackets.
    host: String,
    /// The port, the scheme's default when the URL names none.
    port: u16,
    /// The path and the query, at least `/`.
    path_and_query: String,
}

impl Target {
    /// Parses an absolute http(s) URL (at most 2000 bytes). Anything else is refused with a
    /// short English reason, such as "must be an http or https URL", "must not carry a user
    /// name or password", "must not have a fragment" or "must have a host".
    pub fn parse(url: &str) -> Result<Target, &'static str> {
        if url.len() > MAX_URL_LEN {
            return Err("must be at most 2000 characters long");
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("must not contain spaces or control characters");
        }
        let parsed = url::Url::parse(url).map_err(|e| match e {
            url::ParseError::RelativeUrlWithoutBase => "must be an http or https URL",
            url::ParseError::EmptyHost => "must have a host",
            url::ParseError::InvalidPort => "must have a valid port",
            url::ParseError::IdnaError
            | url::ParseError::InvalidIpv4Address
            | url::ParseError::InvalidIpv6Address
            | url::ParseError::InvalidDomainCharacter => "must have a valid host",
            _ => "must be a valid URL",
        })?;
        let https = match parsed.scheme() {
            "http" => false,
            "https" => true,
            _ => return Err("must be an http or https URL"),
        };
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err("must not carry a user name or password");
        }
        if parsed.fragment().is_some() {
            return Err("must not have a fragment");
        }
        let host = match parsed.host() {
            Some(url::Host::Domain(d)) if !d.is_empty() => d.to_owned(),
            Some(url::Host::Ipv4(a)) => a.to_string(),
            Some(url::Host::Ipv6(a)) => a.to_string(),
            _ => return Err("must have a host"),
        };
        let port = match parsed.port_or_known_default() {
            Some(0) => return Err("must not use port 0"),
            Some(p) => p,
            None => return Err("must have a valid port"),
        };
        let mut path_and_query = parsed.path().to_owned();
        if !path_and_query.starts_with('/') {
            path_and_query.insert(0, '/');
        }
        if let Some(query) = parsed.query() {
            path_and_query.push('?');
            path_and_query.push_str(query);
        }
        Ok(Target {
            https,
            host,
            port,
            path_and_query,
        })
    }

    /// Whether the target is reached over TLS.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The host as in the URL: a lower-case domain name or an IP address (IPv6 without
    /// brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The `Host` header: the host, bracketed when IPv6, with the port unless it is the
    /// scheme's default.
    fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default = if self.https { 443 } else { 80 };
        if self.port == default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// One network of [`Networks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Net {
    V4 { base: u32, prefix: u8 },
    V6 { base: u128, prefix: u8 },
}

fn mask4(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask6(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

impl Net {
    fn contains(self, ip: IpAddr) -> bool {
        match (self, ip) {
            (Net::V4 { base, prefix }, IpAddr::V4(a)) => u32::from(a) & mask4(prefix) == base,
            (Net::V6 { base, prefix }, IpAddr::V6(a)) => u128::from(a) & mask6(prefix) == base,
            _ => false,
        }
    }
}

/// Networks admitted despite being private, loopback or link-local: the setting
/// `ZHENGWU_WEBHOOK_ALLOWED_NETWORKS`, a comma-separated list of CIDRs such as
/// `127.0.0.0/8, ::1/128, 10.1.2.3` (a bare address is a /32 or a /128).
#[derive(Debug, Clone, Default)]
pub struct Networks {
    nets: Vec<Net>,
}

impl Networks {
    /// Reads a comma-separated list of networks; an empty string (or empty entries) admits
    /// none. Host bits below the prefix are ignored (`10.1.2.3/8` is `10.0.0.0/8`). The error
    /// names the bad entry.
    pub fn parse(s: &str) -> Result<Networks, String> {
        let mut nets = Vec::new();
        for entry in s.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let bad = || format!("{entry:?} is not an IP address or a network like 10.0.0.0/8");
            let (addr, prefix) = match entry.split_once('/') {
                Some((addr, prefix)) => (addr.trim(), Some(prefix.trim())),
                None => (entry, None),
            };
            let ip: IpAddr = addr.parse().map_err(|_| bad())?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let prefix = match prefix {
                None => max,
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                    p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?
                }
                Some(_) => return Err(bad()),
            };
            nets.push(match ip {
                IpAddr::V4(a) => Net::V4 {
                    base: u32::from(a) & mask4(prefix),
                    prefix,
                },
                IpAddr::V6(a) => Net::V6 {
                    base: u128::from(a) & mask6(prefix),
                    prefix,
                },
            });
        }
        Ok(Networks { nets })
    }

    /// Whether one of the networks holds `ip`. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`)
    /// is also looked up as its IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let canonical = ip.to_canonical();
        self.nets
            .iter()
            .any(|n| n.contains(ip) || n.contains(canonical))
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let special = a == 0 // "this network", incl. unspecified
        || a == 10 // private
        || a == 127 // loopback
        || (a == 100 && (64..128).contains(&b)) // shared (carrier-grade NAT)
        || (a == 169 && b == 254) // link-local
        || (a == 172 && (16..32).contains(&b)) // private
        || (a == 192 && b == 168) // private
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // documentation
        || (a == 198 && b == 51 && c == 100) // documentation
        || (a == 203 && b == 0 && c == 113) // documentation
        || (a == 198 && (b & 0xfe) == 18) // benchmarking
        || a >= 224; // multicast, reserved, broadcast
    !special
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let bits = u128::from(ip);
    let s = ip.segments();
    let low_v4 = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    if ip.is_unspecified() || ip.is_loopback() {
        return false;
    }
    // IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96): the IPv4 address decides.
    if bits >> 32 == 0xffff || bits >> 32 == 0 {
        return is_public_v4(low_v4);
    }
    // NAT64 (64:ff9b::/96): the translator reaches the embedded IPv4 address.
    if bits >> 32 == 0x0064_ff9b_0000_0000_0000_0000 {
        return is_public_v4(low_v4);
    }
    // Local-use NAT64 (64:ff9b:1::/48).
    if s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1 {
        return false;
    }
    // 6to4 (2002::/16): the IPv4 address in the second and third groups decides.
    if s[0] == 0x2002 {
        return is_public_v4(Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2])));
    }
    // Only 2000::/3 is global unicast; this leaves out discard (100::/64), unique-local
    // (fc00::/7), link-local (fe80::/10), site-local (fec0::/10), multicast (ff00::/8) and
    // the unassigned rest.
    if s[0] & 0xe000 != 0x2000 {
        return false;
    }
    let special = (s[0] == 0x2001 && s[1] == 0xdb8) // documentation
        || (s[0] == 0x3fff && s[1] & 0xf000 == 0) // documentation (3fff::/20)
        || (s[0] == 0x2001 && s[1] == 0) // Teredo
        || (s[0] == 0x2001 && s[1] == 2 && s[2] == 0) // benchmarking
        || (s[0] == 0x2001 && s[1] & 0xfff0 == 0x10); // ORCHID (deprecated)
    !special
}

/// Whether an address is on the public internet. False for unspecified, loopback, private
/// (10/8, 172.16/12, 192.168/16), shared 100.64/10, link-local (169.254/16, fe80::/10),
/// unique-local fc00::/7, multicast, broadcast, documentation, benchmarking (198.18/15,
/// 2001:2::/48), 192.0.0/24, 0/8, 240/4, site-local fec0::/10, discard 100::/64, Teredo
/// 2001::/32, local-use NAT64 64:ff9b:1::/48 and IPv6 outside 2000::/3. IPv4-mapped and
/// IPv4-compatible IPv6 addresses, NAT64 64:ff9b::/96 and 6to4 2002::/16 are judged by the
/// IPv4 address they carry.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => is_public_v4(a),
        IpAddr::V6(a) => is_public_v6(a),
    }
}

/// Why a delivery could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The host resolves to an address that is neither public nor admitted.
    #[error("{0} is not a public address")]
    Forbidden(IpAddr),
    /// The host did not resolve, or to no address.
    #[error("cannot resolve the host: {0}")]
    Resolve(String),
    /// The connection could not be made, or broke.
    #[error("connection failed: {0}")]
    Connect(String),
    /// The TLS handshake failed (such as an untrusted certificate).
    #[error("TLS failed: {0}")]
    Tls(String),
    /// The exchange took longer than allowed.
    #[error("timed out")]
    Timeout,
    /// The request could not be written safely, or the peer did not answer HTTP/1.x.
    #[error("HTTP protocol error: {0}")]
    Protocol(String),
}

/// Resolves the target's host (an IP literal is taken as is, a name is looked up) and returns
/// the one address to connect to. Refuses with [`SendError::Forbidden`] if any of the
/// addresses is neither public nor in `allowed`, so a name resolving to a mix is refused. The
/// look-up is not bounded in time here; the caller may wrap it in a timeout.
pub async fn resolve(target: &Target, allowed: &Networks) -> Result<SocketAddr, SendError> {
    let addrs: Vec<SocketAddr> = match target.host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, target.port)],
        Err(_) => tokio::net::lookup_host((target.host.as_str(), target.port))
            .await
            .map_err(|e| SendError::Resolve(e.to_string()))?
            .collect(),
    };
    if let Some(ip) = addrs
        .iter()
        .map(SocketAddr::ip)
        .find(|ip| !is_public(*ip) && !allowed.contains(*ip))
    {
        return Err(SendError::Forbidden(ip));
    }
    addrs
        .first()
        .copied()
        .ok_or_else(|| SendError::Resolve(format!("{} has no address", target.host)))
}

/// The cryptography of rustls: *ring*, as for the database connections
/// (`persistence/src/tls.rs` says why not aws-lc-rs).
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The TLS client configuration: the Mozilla roots (webpki-roots), built once.
fn tls_config() -> Result<Arc<rustls::ClientConfig>, SendError> {
    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let mut config = rustls::ClientConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_root_certificates(roots)
                .with_no_client_auth();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            Ok(Arc::new(config))
        })
        .clone()
        .map_err(SendError::Tls)
}

fn protocol(msg: impl Into<String>) -> SendError {
    SendError::Protocol(msg.into())
}

fn connection(e: std::io::Error) -> SendError {
    SendError::Connect(e.to_string())
}

/// Whether `name` is an HTTP header name (a token).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Refuses a header value that could end the header early.
fn check_value(name: &str, value: &str) -> Result<(), SendError> {
    if value.contains(['\r', '\n', '\0']) {
        Err(protocol(format!("the {name} header contains a line break")))
    } else {
        Ok(())
    }
}

/// The request's bytes: head and body.
fn request(target: &Target, headers: &[(&str, String)], body: &[u8]) -> Result<Vec<u8>, SendError> {
    let path = &target.path_and_query;
    if !path.starts_with('/') || path.contains([' ', '\r', '\n', '\0']) {
        return Err(protocol("the target's path cannot be sent"));
    }
    let host = target.host_header();
    check_value("Host", &host)?;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {USER_AGENT}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        if !is_token(name) {
            return Err(protocol(format!("{name:?} is not a header name")));
        }
        if OWN_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
            return Err(protocol(format!("the {name} header is set by the sender")));
        }
        check_value(name, value)?;
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    Ok(bytes)
}

/// The length of the head at the start of `buf` (through its empty line), once complete.
/// Lines may end in CRLF or LF.
fn head_end(buf: &[u8]) -> Option<usize> {
    buf.iter().enumerate().find_map(|(i, b)| {
        let rest = buf.get(i + 1..)?;
        if *b != b'\n' {
            None
        } else if rest.starts_with(b"\r\n") {
            Some(i + 3)
        } else if rest.starts_with(b"\n") {
            Some(i + 2)
        } else {
            None
        }
    })
}

/// The status code of a response head: its first line is `HTTP/1.x NNN reason`.
fn status_of(head: &[u8]) -> Result<u16, SendError> {
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let bad = || protocol("the status line is not HTTP/1.x");
    let rest = line.strip_prefix(b"HTTP/1.").ok_or_else(bad)?;
    match rest {
        [minor, b' ', d1, d2, d3, tail @ ..]
            if minor.is_ascii_digit()
                && [d1, d2, d3].iter().all(|d| d.is_ascii_digit())
                && (tail.is_empty() || tail.starts_with(b" ")) =>
        {
            let code = [d1, d2, d3]
                .iter()
                .fold(0u16, |n, d| n * 10 + u16::from(**d - b'0'));
            if (100..600).contains(&code) {
                Ok(code)
            } else {
                Err(protocol(format!("the status code {code} is out of range")))
            }
        }
        _ => Err(bad()),
    }
}

/// Reads response heads until a final one (informational 1xx heads but 101 are skipped) and
/// returns its status code. At most [`MAX_HEAD`] bytes are read in all.
async fn read_status<S: AsyncRead + Unpin>(stream: &mut S) -> Result<u16, SendError> {
    let mut buf = Vec::with_capacity(1024);
    let mut start = 0;
    let mut chunk = [0u8; 4096];
    loop {
        while let Some(end) = buf.get(start..).and_then(head_end) {
            let status = status_of(&buf[start..start + end])?;
            if (100..200).contains(&status) && status != 101 {
                start += end;
            } else {
                return Ok(status);
            }
        }
        let pending = buf.get(start..).unwrap_or_default();
        let prefix = b"HTTP/1.";
        let n = pending.len().min(prefix.len());
        if pending[..n] != prefix[..n] {
            return Err(protocol("the peer did not answer HTTP/1.x"));
        }
        if buf.len() >= MAX_HEAD {
            return Err(protocol("the response head is longer than 16 KiB"));
        }
        let room = (MAX_HEAD - buf.len()).min(chunk.len());
        let read = stream.read(&mut chunk[..room]).await.map_err(connection)?;
        if read == 0 {
            return Err(protocol(if buf.is_empty() {
                "the peer closed the connection without answering"
            } else {
                "the peer closed the connection within the response head"
            }));
        }
        buf.extend_from_slice(&chunk[..read]);
    }
}

/// Writes the request and reads the answer's status code.
async fn exchange<S>(mut stream: S, request: &[u8]) -> Result<u16, SendError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    stream.write_all(request).await.map_err(connection)?;
    stream.flush().await.map_err(connection)?;
    read_status(&mut stream).await
}

/// POSTs `body` (JSON) to the target and returns the response's status code, connecting to
/// exactly `addr` — the address [`resolve`] vetted; the host is never resolved again.
///
/// The request is HTTP/1.1 with `Host` (with the port unless it is the scheme's default),
/// `User-Agent: zhengwu-webhooks`, `Content-Type: application/json`, `Content-Length`,
/// `Connection: close`, and `headers` (which may not repeat these, nor contain line breaks).
/// For https, TLS is checked against the Mozilla roots for the target's host. The whole
/// exchange (connection, TLS handshake, request, response head) is bounded by `timeout`.
/// Only the response head is read (at most 16 KiB); redirects are not followed, a 3xx is
/// returned as such.
pub async fn post(
    target: &Target,
    addr: SocketAddr,
    headers: &[(&str, String)],
    body: &[u8],
    timeout: Duration,
) -> Result<u16, SendError> {
    let request = request(target, headers, body)?;
    let tls = if target.https {
        let name = ServerName::try_from(target.host.clone())
            .map_err(|e| SendError::Tls(format!("{}: {e}", target.host)))?;
        Some((TlsConnector::from(tls_config()?), name))
    } else {
        None
    };
    let delivery = async {
        let tcp = TcpStream::connect(addr).await.map_err(connection)?;
        match tls {
            Some((connector, name)) => {
                let stream = connector
                    .connect(name, tcp)
                    .await
                    .map_err(|e| SendError::Tls(e.to_string()))?;
                exchange(stream, &request).await
            }
            None => exchange(tcp, &request).await,
        }
    };
    tokio::time::timeout(timeout, delivery)
        .await
        .map_err(|_| SendError::Timeout)?
}

/// A new signing secret: `whsec_` and the standard base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

type HmacSha256 = hmac::Hmac<Sha256>;

/// The Standard Webhooks signature of a message (the `webhook-signature` header): `v1,` and
/// the standard base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed with the
/// base64-decoded part of the secret after `whsec_`. `None` when the secret is not of that
/// form.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    use hmac::{KeyInit, Mac};
    let key = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    if key.is_empty() {
        return None;
    }
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use tokio::net::TcpListener;

    use super::*;

    fn target(url: &str) -> Target {
        Target::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn targets_parse() {
        let t = target("https://Example.COM/hooks?a=1&b=2");
        assert!(t.is_https());
        assert_eq!(t.host(), "example.com");
        assert_eq!(t.port, 443);
        assert_eq!(t.path_and_query, "/hooks?a=1&b=2");
        assert_eq!(t.host_header(), "example.com");

        let t = target("http://example.com");
        assert!(!t.is_https());
        assert_eq!((t.port, t.path_and_query.as_str()), (80, "/"));

        let t = target("http://[::1]:8080/x");
        assert_eq!((t.host(), t.port), ("::1", 8080));
        assert_eq!(t.host_header(), "[::1]:8080");

        let t = target("HTTP://10.0.0.1:443/");
        assert_eq!((t.host(), t.port), ("10.0.0.1", 443));
        assert_eq!(t.host_header(), "10.0.0.1:443");

        // WHATWG forms of IPv4 are read as addresses, so the address check sees them.
        assert_eq!(target("http://0x7f.1/").host(), "127.0.0.1");
        assert_eq!(
            target("https://bücher.example/").host(),
            "xn--bcher-kva.example"
        );
        assert_eq!(target("http://h/a%20b").path_and_query, "/a%20b");
    }

    #[test]
    fn targets_are_refused() {
        for (url, why) in [
            ("ftp://example.com/", "must be an http or https URL"),
            ("file:///etc/passwd", "must be an http or https URL"),
            ("example.com/hook", "must be an http or https URL"),
            ("/hook", "must be an http or https URL"),
            ("", "must be an http or https URL"),
            (
                "http://user@example.com/",
                "must not carry a user name or password",
            ),
            (
                "http://:pw@example.com/",
                "must not carry a user name or password",
            ),
            ("http://example.com/#top", "must not have a fragment"),
            ("http://example.com/#", "must not have a fragment"),
            ("http:///", "must have a host"),
            ("http://", "must have a host"),
            ("http://example.com:99999/", "must have a valid port"),
            ("http://example.com:0/", "must not use port 0"),
            ("http://[::1/", "must have a valid host"),
            (
                "http://exa mple.com/",
                "must not contain spaces or control characters",
            ),
            (
                "http://example.com/\r\nX: y",
                "must not contain spaces or control characters",
            ),
        ] {
            assert_eq!(Target::parse(url), Err(why), "{url}");
        }
        let long = format!("https://example.com/{}", "a".repeat(2000));
        assert_eq!(
            Target::parse(&long),
            Err("must be at most 2000 characters long")
        );
        assert!(Target::parse(&long[..2000]).is_ok());
    }

    #[test]
    fn public_addresses() {
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.1",
            "192.169.0.1",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "::8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "2001:3::1",
        ] {
            assert!(is_public(ip(public)), "{public}");
        }
        for private in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "127.255.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "192.0.0.1",
            "192.0.0.9",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "198.19.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "ff0e::1",
            "100::1",
            "2001:db8::1",
            "3fff::1",
            "2001:2::1",
            "2001::1",
            "2001:10::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::192.168.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::808:808",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            "4000::1",
        ] {
            assert!(!is_public(ip(private)), "{private}");
        }
    }

    #[test]
    fn networks_parse_and_contain() {
        let n = Networks::parse("127.0.0.0/8, ::1/128, 10.1.2.3,fd00::/8 ,").unwrap_or_else(|e| {
            panic!("{e}");
        });
        for inside in [
            "127.0.0.1",
            "127.9.9.9",
            "::1",
            "10.1.2.3",
            "fd00::1",
            "fdff::1",
        ] {
            assert!(n.contains(ip(inside)), "{inside}");
        }
        for outside in ["128.0.0.1", "::2", "10.1.2.4", "fc00::1", "8.8.8.8", "::"] {
            assert!(!n.contains(ip(outside)), "{outside}");
        }
        assert!(n.contains(ip("::ffff:127.0.0.1")));

        let none = Networks::parse("").unwrap_or_else(|e| panic!("{e}"));
        assert!(!none.contains(ip("127.0.0.1")));
        assert!(!Networks::default().contains(ip("::1")));

        let all = Networks::parse("0.0.0.0/0, ::/0").unwrap_or_else(|e| panic!("{e}"));
        assert!(all.contains(ip("1.2.3.4")) && all.contains(ip("fe80::1")));

        // Host bits below the prefix are dropped.
        let n = Networks::parse("10.1.2.3/8").unwrap_or_else(|e| panic!("{e}"));
        assert!(n.contains(ip("10.200.0.1")));
        let n = Networks::parse("fe80::1/10").unwrap_or_else(|e| panic!("{e}"));
        assert!(n.contains(ip("fe80::abcd")) && !n.contains(ip("fec0::1")));

        for bad in [
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "10.0.0/8",
            "localhost",
            "[::1]",
            "10.0.0.0/8/8",
        ] {
            let err = Networks::parse(&format!("127.0.0.1, {bad}")).err();
            let err = err.unwrap_or_else(|| panic!("{bad} was accepted"));
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn signatures_match_the_standard_webhooks_test_vector() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert_eq!(sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, body), None);
        assert_eq!(sign("whsec_not base64!", "m", 1, body), None);
        assert_eq!(sign("whsec_", "m", 1, body), None);
    }

    #[test]
    fn new_secrets_are_random_and_usable() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        let key = a.strip_prefix("whsec_").unwrap_or_default();
        assert_eq!(STANDARD.decode(key).map(|k| k.len()).ok(), Some(32));
        assert!(sign(&a, "m", 1, b"{}").is_some());
    }

    #[tokio::test]
    async fn resolve_refuses_what_is_not_public_unless_admitted() {
        let t = target("http://127.0.0.1:1/");
        let got = resolve(&t, &Networks::default()).await;
        assert!(
            matches!(got, Err(SendError::Forbidden(a)) if a == ip("127.0.0.1")),
            "{got:?}"
        );
        let allowed = Networks::parse("127.0.0.0/8").unwrap_or_else(|e| panic!("{e}"));
        let got = resolve(&t, &allowed).await.ok();
        assert_eq!(got, Some(SocketAddr::new(ip("127.0.0.1"), 1)));

        let t = target("http://[::1]:8/");
        let got = resolve(&t, &allowed).await;
        assert!(
            matches!(got, Err(SendError::Forbidden(a)) if a == ip("::1")),
            "{got:?}"
        );

        let t = target("http://localhost:1/");
        assert!(resolve(&t, &Networks::default()).await.is_err());
    }

    /// Reads one request (head and Content-Length body) from the listener's first connection,
    /// answers it with `response`, and returns it.
    async fn serve_once(listener: TcpListener, response: &'static [u8]) -> String {
        let (mut socket, _) = listener.accept().await.unwrap_or_else(|e| panic!("{e}"));
        let mut buf = Vec::new();
        let mut chunk = [0u8; 1024];
        loop {
            let n = socket
                .read(&mut chunk)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(n > 0, "the client closed early");
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .and_then(|l| l.parse::<usize>().ok())
                    .unwrap_or_default();
                if body.len() >= length {
                    break;
                }
            }
        }
        socket
            .write_all(response)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8_lossy(&buf).into_owned()
    }

    async fn listener() -> (TcpListener, SocketAddr) {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        (listener, addr)
    }

    #[tokio::test]
    async fn post_sends_the_request_and_returns_the_status() {
        let (listener, addr) = listener().await;
        let server = tokio::spawn(serve_once(listener, b"HTTP/1.1 204 No Content\r\n\r\n"));
        let t = target(&format!("http://127.0.0.1:{}/hooks/in?x=1", addr.port()));
        let body = br#"{"type":"case.created"}"#;
        let headers = [
            ("webhook-id", "msg_1".to_owned()),
            ("webhook-timestamp", "1614265330".to_owned()),
        ];
        let got = post(&t, addr, &headers, body, Duration::from_secs(5)).await;
        assert_eq!(got.ok(), Some(204));
        let request = server.await.unwrap_or_else(|e| panic!("{e}"));
        let (head, sent) = request.split_once("\r\n\r\n").unwrap_or_default();
        let mut lines = head.split("\r\n");
        assert_eq!(lines.next(), Some("POST /hooks/in?x=1 HTTP/1.1"));
        let mut lines: Vec<&str> = lines.collect();
        lines.sort_unstable();
        let host = format!("Host: 127.0.0.1:{}", addr.port());
        let length = format!("Content-Length: {}", body.len());
        let mut expected = vec![
            host.as_str(),
            "User-Agent: zhengwu-webhooks",
            "Content-Type: application/json",
            length.as_str(),
            "Connection: close",
            "webhook-id: msg_1",
            "webhook-timestamp: 1614265330",
        ];
        expected.sort_unstable();
        assert_eq!(lines, expected);
        assert_eq!(sent.as_bytes(), body);
    }

    #[tokio::test]
    async fn post_does_not_follow_redirects() {
        let (listener, addr) = listener().await;
        let response = b"HTTP/1.1 301 Moved Permanently\r\nLocation: http://127.0.0.1:1/\r\n\
                         Content-Length: 0\r\n\r\n";
        let server = tokio::spawn(serve_once(listener, response));
        let t = target(&format!("http://127.0.0.1:{}/", addr.port()));
        let got = post(&t, addr, &[], b"{}", Duration::from_secs(5)).await;
        assert_eq!(got.ok(), Some(301));
        let request = server.await.unwrap_or_else(|e| panic!("{e}"));
        assert!(request.starts_with("POST / HTTP/1.1\r\n"), "{request}");
    }

    #[tokio::test]
    async fn post_times_out_on_a_silent_peer() {
        let (listener, addr) = listener().await;
        let _server = tokio::spawn(async move {
            let accepted = listener.accept().await;
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(accepted);
        });
        let t = target(&format!("http://127.0.0.1:{}/", addr.port()));
        let started = std::time::Instant::now();
        let got = post(&t, addr, &[], b"{}", Duration::from_millis(200)).await;
        assert!(matches!(got, Err(SendError::Timeout)), "{got:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn post_refuses_line_breaks_and_its_own_headers() {
        let t = target("http://127.0.0.1:1/");
        let addr = SocketAddr::new(ip("127.0.0.1"), 1);
        let long = Duration::from_secs(5);
        for headers in [
            [("webhook-id", "a\r\nX-Evil: 1".to_owned())],
            [("webhook-id", "a\nb".to_owned())],
            [("bad name", "a".to_owned())],
            [("x\r\ny", "a".to_owned())],
            [("", "a".to_owned())],
            [("Host", "evil.example".to_owned())],
            [("content-length", "0".to_owned())],
        ] {
            let got = post(&t, addr, &headers, b"{}", long).await;
            assert!(
                matches!(got, Err(SendError::Protocol(_))),
                "{headers:?}: {got:?}"
            );
        }
    }

    #[test]
    fn https_requests_name_the_host_without_the_default_port() {
        let t = target("https://hooks.example.com/in");
        let req = request(&t, &[], b"{}").unwrap_or_default();
        let req = String::from_utf8_lossy(&req);
        assert!(
            req.starts_with("POST /in HTTP/1.1\r\nHost: hooks.example.com\r\n"),
            "{req}"
        );
        assert!(req.ends_with("\r\n\r\n{}"), "{req}");
        let t = target("https://hooks.example.com:8443/in");
        let req = request(&t, &[], b"").unwrap_or_default();
        assert!(String::from_utf8_lossy(&req).contains("\r\nHost: hooks.example.com:8443\r\n"));
    }

    #[tokio::test]
    async fn response_heads_are_read_with_care() {
        async fn status(mut input: &[u8]) -> Result<u16, SendError> {
            read_status(&mut input).await
        }
        let cases: [(&[u8], Option<u16>); 10] = [
            (b"HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody", Some(200)),
            (b"HTTP/1.0 404 Not Found\n\n", Some(404)),
            (b"HTTP/1.1 204\r\n\r\n", Some(204)),
            (
                b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\n\r\n",
                Some(202),
            ),
            (b"HTTP/1.1 101 Switching Protocols\r\n\r\n", Some(101)),
            (b"HTTP/1.1 200 OK\r\n", None),
            (b"", None),
            (b"SSH-2.0-OpenSSH_9.6\r\n", None),
            (b"HTTP/2 200\r\n\r\n", None),
            (b"HTTP/1.1 20 OK\r\n\r\n", None),
        ];
        for (input, expected) in cases {
            let got = status(input).await;
            match expected {
                Some(code) => assert_eq!(got.ok(), Some(code), "{input:?}"),
                None => assert!(
                    matches!(got, Err(SendError::Protocol(_))),
                    "{input:?}: {got:?}"
                ),
            }
        }
        let mut long = b"HTTP/1.1 200 OK\r\n".to_vec();
        for _ in 0..1000 {
            long.extend_from_slice(b"X-Padding: 0123456789\r\n");
        }
        long.extend_from_slice(b"\r\n");
        assert!(matches!(status(&long).await, Err(SendError::Protocol(_))));
    }
}

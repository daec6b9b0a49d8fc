//! Connections to PostgreSQL, over TLS where the URL asks for it, with libpq's meaning of
//! `sslmode` and `sslrootcert`:
//!
//! | `sslmode` | TLS | the server's certificate |
//! |---|---|---|
//! | `disable` | never | — |
//! | `allow`, `prefer` (the default) | when the server offers it | not checked |
//! | `require` | always | not checked, unless `sslrootcert` is given: then as `verify-ca` |
//! | `verify-ca` | always | signed by a root of `sslrootcert` |
//! | `verify-full` | always | signed by a root of `sslrootcert` and naming the host |
//!
//! `sslrootcert` is a PEM file of root certificates, or `system` for the Mozilla roots
//! (webpki-roots); without it, `~/.postgresql/root.crt` is used when it exists, as libpq
//! does. Client certificates (`sslcert`, `sslkey`) are not supported and refused.

use std::sync::Arc;

use diesel::ConnectionError;
use diesel_async::AsyncPgConnection;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// A database URL taken apart: what tokio-postgres reads, and the TLS settings it does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL without the TLS parameters.
    pub url: String,
    pub mode: SslMode,
    pub root_cert: Option<String>,
}

fn bad(msg: impl Into<String>) -> ConnectionError {
    ConnectionError::InvalidConnectionUrl(msg.into())
}

/// Reads the TLS parameters of a URL (`postgres://…?sslmode=verify-full&sslrootcert=…`) or
/// of a key-value string (`host=… sslmode=require`).
pub fn parse(url: &str) -> Result<Target, ConnectionError> {
    let mut mode = None;
    let mut root_cert = None;
    let mut take = |key: &str, value: &str| -> Result<bool, ConnectionError> {
        match key {
            "sslmode" => {
                mode = Some(match value {
                    "disable" => SslMode::Disable,
                    "allow" | "prefer" => SslMode::Prefer,
                    "require" => SslMode::Require,
                    "verify-ca" => SslMode::VerifyCa,
                    "verify-full" => SslMode::VerifyFull,
                    other => return Err(bad(format!("sslmode={other} is not known"))),
                });
                Ok(true)
            }
            "sslrootcert" => {
                root_cert = Some(value.to_owned());
                Ok(true)
            }
            "sslcert" | "sslkey" | "sslpassword" => Err(bad(format!(
                "{key}: client certificates are not supported; authenticate with a password"
            ))),
            "sslcrl" | "sslcrldir" | "sslsni" | "sslcompression" => Ok(true),
            _ => Ok(false),
        }
    };
    let rest = if let Some((base, query)) = url
        .split_once('?')
        .filter(|_| url.starts_with("postgres://") || url.starts_with("postgresql://"))
    {
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if !take(k, &percent_decoded(v))? {
                kept.push(pair);
            }
        }
        if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        }
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        url.to_owned()
    } else {
        let mut kept = Vec::new();
        for pair in url.split_whitespace() {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if !take(k, v.trim_matches('\''))? {
                kept.push(pair);
            }
        }
        kept.join(" ")
    };
    let mode = match (mode, &root_cert) {
        (Some(SslMode::Require), Some(_)) => SslMode::VerifyCa,
        (Some(m), _) => m,
        (None, _) => SslMode::Prefer,
    };
    Ok(Target {
        url: rest,
        mode,
        root_cert,
    })
}

fn percent_decoded(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The roots certificates are checked against.
fn roots(root_cert: Option<&str>) -> Result<RootCertStore, ConnectionError> {
    let mut store = RootCertStore::empty();
    let path = match root_cert {
        Some("system") => {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            return Ok(store);
        }
        Some(p) => std::path::PathBuf::from(p),
        None => {
            let default = std::env::var_os("HOME")
                .map(|h| std::path::Path::new(&h).join(".postgresql/root.crt"))
                .filter(|p| p.exists());
            default.ok_or_else(|| {
                bad(
                    "sslmode=verify-ca and verify-full need sslrootcert (a PEM file of root \
                     certificates, or `system`)",
                )
            })?
        }
    };
    let certs = CertificateDer::pem_file_iter(&path)
        .map_err(|e| bad(format!("sslrootcert {}: {e}", path.display())))?;
    for cert in certs {
        let cert = cert.map_err(|e| bad(format!("sslrootcert {}: {e}", path.display())))?;
        store
            .add(cert)
            .map_err(|e| bad(format!("sslrootcert {}: {e}", path.display())))?;
    }
    if store.is_empty() {
        return Err(bad(format!(
            "sslrootcert {}: no certificate in it",
            path.display()
        )));
    }
    Ok(store)
}

/// The cryptography of rustls: *ring* (TLS 1.2 and 1.3 with X25519 and the NIST curves,
/// what PostgreSQL servers speak). rustls marks it deprecated for lacking post-quantum key
/// exchange, which only its aws-lc-rs provider has; that one needs cmake and a long C
/// build on every machine that builds zhengwu, for a key exchange PostgreSQL does not offer
/// yet.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Accepts any certificate (`prefer`, `require`), still checking that the handshake is
/// signed by the certificate's key.
#[derive(Debug)]
struct Unverified(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Checks the chain but not the name (`verify-ca`).
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// The TLS client configuration of a target (`None` for `disable`).
pub fn client_config(t: &Target) -> Result<Option<rustls::ClientConfig>, ConnectionError> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(e.to_string()))?;
    let verifier: Arc<dyn ServerCertVerifier> = match t.mode {
        SslMode::Disable => return Ok(None),
        SslMode::Prefer | SslMode::Require => Arc::new(Unverified(provider())),
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let webpki = WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots(t.root_cert.as_deref())?),
                provider(),
            )
            .build()
            .map_err(|e| bad(e.to_string()))?;
            if t.mode == SslMode::VerifyCa {
                Arc::new(ChainOnly(webpki))
            } else {
                webpki
            }
        }
    };
    Ok(Some(
        builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth(),
    ))
}

/// Opens a connection to `url` (see the module's documentation for TLS).
pub async fn establish(url: &str) -> Result<AsyncPgConnection, ConnectionError> {
    let target = parse(url)?;
    let mut config: tokio_postgres::Config = target
        .url
        .parse()
        .map_err(|e: tokio_postgres::Error| bad(e.to_string()))?;
    // As libpq: no TLS over a Unix-domain socket, whatever `sslmode` says (PostgreSQL does
    // not offer it there, and a socket path is no name a certificate could be checked
    // against), so no TLS settings are read for one either.
    let local = only_unix_sockets(&config);
    config.ssl_mode(match target.mode {
        _ if local => tokio_postgres::config::SslMode::Disable,
        SslMode::Disable => tokio_postgres::config::SslMode::Disable,
        SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
        _ => tokio_postgres::config::SslMode::Require,
    });
    let place = describe_target(&config);
    let failed = |e: tokio_postgres::Error| {
        // The cause (a refused connection or certificate, a name that does not match) is in
        // the source.
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
        let hint = hint_for(&msg);
        ConnectionError::BadConnection(format!("{place}: {msg}. {hint}"))
    };
    let tls = if local { None } else { client_config(&target)? };
    match tls {
        None => {
            let (client, conn) = config
                .connect(tokio_postgres::NoTls)
                .await
                .map_err(failed)?;
            AsyncPgConnection::try_from_client_and_connection(client, conn).await
        }
        Some(tls) => {
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls);
            let (client, conn) = config.connect(tls).await.map_err(failed)?;
            AsyncPgConnection::try_from_client_and_connection(client, conn).await
        }
    }
}

/// Whether every host of the configuration is a Unix-domain socket's directory (a URL's
/// `host=/run/postgresql`, or a host written as a path).
fn only_unix_sockets(config: &tokio_postgres::Config) -> bool {
    let hosts = config.get_hosts();
    #[cfg(unix)]
    let unix =
        |h: &tokio_postgres::config::Host| matches!(h, tokio_postgres::config::Host::Unix(_));
    #[cfg(not(unix))]
    let unix = |_: &tokio_postgres::config::Host| false;
    !hosts.is_empty() && hosts.iter().all(unix)
}

/// Where a connection goes, as an operator reads it: "PostgreSQL at db:5432, database
/// zhengwu, user zhengwu" (never the password).
fn describe_target(config: &tokio_postgres::Config) -> String {
    use tokio_postgres::config::Host;
    let ports = config.get_ports();
    let hosts = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match h {
                Host::Tcp(name) => format!("{name}:{port}"),
                #[cfg(unix)]
                Host::Unix(dir) => format!("{}/.s.PGSQL.{port}", dir.display()),
            }
        })
        .collect::<Vec<_>>();
    let hosts = if hosts.is_empty() {
        "localhost:5432".to_owned()
    } else {
        hosts.join(", ")
    };
    let user = config.get_user().unwrap_or("(none)");
    let db = config.get_dbname().unwrap_or(user);
    format!("cannot connect to PostgreSQL at {hosts}, database {db}, user {user}")
}

/// What to check for a failed connection, by its cause.
fn hint_for(cause: &str) -> &'static str {
    let c = cause.to_ascii_lowercase();
    if c.contains("refused") {
        "Check that PostgreSQL is running and listens on that address and port \
         (listen_addresses, port), or correct DATABASE_URL."
    } else if c.contains("timed out") || c.contains("unreachable") || c.contains("no route") {
        "Check that the host is reachable from here (network, firewall) and that DATABASE_URL \
         names it."
    } else if c.contains("failed to lookup") || c.contains("name or service not known") {
        "Check the host name in DATABASE_URL."
    } else if c.contains("password") || c.contains("authentication") {
        "Check the user and password in DATABASE_URL and the server's pg_hba.conf."
    } else if c.contains("does not exist") {
        "Create the database or the role (createdb, createuser), or correct DATABASE_URL."
    } else if c.contains("certificate") || c.contains("tls") || c.contains("ssl") {
        "Check sslmode and sslrootcert in DATABASE_URL against the server's certificate."
    } else if c.contains("too many") {
        "The server has no free connection slots: raise max_connections or lower \
         ZHENGWU_DB_POOL_SIZE."
    } else {
        "Check DATABASE_URL and that the server accepts connections from here."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refused_connection_names_the_server_the_database_and_what_to_check() {
        // A port nothing listens on: bind one, note it, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let url = format!("postgres://clerk:secret@127.0.0.1:{port}/zw_city?connect_timeout=5");
        let Err(e) = establish(&url).await else {
            panic!("connected to a closed port");
        };
        let msg = e.to_string();
        assert!(
            msg.contains(&format!("127.0.0.1:{port}, database zw_city, user clerk")),
            "{msg}"
        );
        assert!(msg.to_ascii_lowercase().contains("refused"), "{msg}");
        assert!(msg.contains("Check that PostgreSQL is running"), "{msg}");
        assert!(!msg.contains("secret"), "{msg}");
    }

    #[test]
    fn a_unix_socket_is_told_from_a_network_host() {
        let hosts = |url: &str| {
            let config: tokio_postgres::Config = parse(url)
                .unwrap_or_else(|e| panic!("{e}"))
                .url
                .parse()
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            only_unix_sockets(&config)
        };
        assert!(hosts("postgres://u@/zw?host=/run/postgresql"));
        assert!(hosts(
            "postgres://u@%2Frun%2Fpostgresql:5433/zw?sslmode=require"
        ));
        assert!(hosts("host=/run/postgresql dbname=zw"));
        assert!(!hosts("postgres://u@127.0.0.1:5432/zw"));
        assert!(!hosts("postgres://u@db.example.cn/zw?sslmode=verify-full"));
        assert!(!hosts("host=/run/postgresql,db.example.cn dbname=zw"));
    }

    #[test]
    fn urls_give_up_their_tls_parameters() {
        let t = parse(
            "postgres://u@db.example.cn:5432/zw?sslmode=verify-full\
             &sslrootcert=%2Fetc%2Fca.pem&application_name=x",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            t.url,
            "postgres://u@db.example.cn:5432/zw?application_name=x"
        );
        assert_eq!(t.mode, SslMode::VerifyFull);
        assert_eq!(t.root_cert.as_deref(), Some("/etc/ca.pem"));
        let t = parse("postgres://u@h/zw").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (t.url.as_str(), t.mode),
            ("postgres://u@h/zw", SslMode::Prefer)
        );
        let t = parse("postgres://u@h/zw?sslmode=require").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (t.url.as_str(), t.mode),
            ("postgres://u@h/zw", SslMode::Require)
        );
        // libpq: require with a root certificate file checks the chain.
        let t = parse("host=h dbname=zw sslmode=require sslrootcert=/ca.pem")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (t.url.as_str(), t.mode),
            ("host=h dbname=zw", SslMode::VerifyCa)
        );
        assert!(parse("postgres://u@h/zw?sslmode=sometimes").is_err());
        assert!(parse("postgres://u@h/zw?sslmode=require&sslcert=/c.pem").is_err());
    }

    #[test]
    fn verification_needs_roots() {
        let t = Target {
            url: String::new(),
            mode: SslMode::VerifyFull,
            root_cert: Some("/nonexistent/root.pem".into()),
        };
        assert!(client_config(&t).is_err());
        let system = Target {
            root_cert: Some("system".into()),
            ..t
        };
        assert!(client_config(&system).is_ok_and(|c| c.is_some()));
    }
}

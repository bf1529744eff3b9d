//! Connecting to PostgreSQL: the settings from a `postgres://` URL and the standard `PG*`
//! environment variables, TLS where they ask for it, and error messages that never carry the
//! password.
//!
//! Settings are taken from the URL first and, for anything it leaves out, from `PGHOST`,
//! `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`, `PGSSLROOTCERT`,
//! `PGCONNECT_TIMEOUT` and `PGAPPNAME`, as `psql` does. Without a host the server's Unix socket
//! in `/var/run/postgresql` is used (Debian's), else `localhost`; without a user, the login
//! name (`USER`); without a connect timeout, 10 seconds, so an unreachable server fails in
//! bounded time.
//!
//! `sslmode` keeps libpq's meanings: `disable` (no TLS), `allow` and `prefer` (TLS when the
//! server offers it, its certificate not checked), `require` (TLS or no connection; the
//! certificate is checked against `sslrootcert` when one is given, as libpq does when it finds
//! a root certificate file), `verify-ca` (the certificate chain is checked against `sslrootcert`,
//! else the system's trusted roots) and `verify-full` (also the server's host name). TLS is
//! rustls with the *ring* provider: nothing to install on the machine, no OpenSSL headers.
//! On a Unix socket there is no TLS, whatever the mode (as in libpq).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use postgres::config::{Host, SslMode};
use postgres::{Client, NoTls};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::{Error, Result};

/// A PostgreSQL register's URL, as given. Its `Debug` and `Display` hide the password.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl(String);

impl PostgresUrl {
    /// `url` if it is a PostgreSQL URL (`postgres://` or `postgresql://`).
    pub fn parse(url: &str) -> Option<PostgresUrl> {
        let lower = url.get(..13).unwrap_or(url).to_ascii_lowercase();
        (lower.starts_with("postgres://") || lower.starts_with("postgresql://"))
            .then(|| PostgresUrl(url.to_string()))
    }

    /// The URL as given, password included: only for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgresUrl({self})")
    }
}

impl std::fmt::Display for PostgresUrl {
    /// The URL with any password replaced by `***`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.0;
        let scheme_end = s.find("://").map(|i| i + 3).unwrap_or(0);
        let rest = &s[scheme_end..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let shown = match rest[..authority_end].rfind('@') {
            Some(at) => match rest[..at].find(':') {
                Some(colon) => format!("{}{}:***{}", &s[..scheme_end], &rest[..colon], &rest[at..]),
                None => s.clone(),
            },
            None => s.clone(),
        };
        // A password may also come as a query parameter.
        let shown = match shown.find("password=") {
            Some(i) => {
                let end = shown[i..].find('&').map(|e| i + e).unwrap_or(shown.len());
                format!("{}password=***{}", &shown[..i], &shown[end..])
            }
            None => shown,
        };
        f.write_str(&shown)
    }
}

/// How TLS is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tls {
    Disable,
    /// `allow`, `prefer`: when offered, not checked.
    Prefer,
    /// `require`: always; checked only against a given root certificate.
    Require,
    /// `verify-ca`: always, the chain checked.
    VerifyCa,
    /// `verify-full`: always, the chain and the host name checked.
    VerifyFull,
}

/// Everything needed to connect, and the name of the register shown in messages.
pub(super) struct Target {
    config: postgres::Config,
    tls: Tls,
    root_cert: Option<PathBuf>,
    /// `postgres://USER@HOST:PORT/DATABASE`, never the password.
    pub(super) shown: String,
    /// The password, to scrub from any message a server or library writes.
    secret: Option<String>,
}

fn bad_url(found: String) -> Error {
    Error::Input {
        field: "--register".into(),
        expected: "a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE[?sslmode=…]".into(),
        found,
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn tls_mode(v: &str) -> Result<Tls> {
    Ok(match v {
        "disable" => Tls::Disable,
        "allow" | "prefer" => Tls::Prefer,
        "require" => Tls::Require,
        "verify-ca" => Tls::VerifyCa,
        "verify-full" => Tls::VerifyFull,
        other => {
            return Err(Error::Input {
                field: "sslmode".into(),
                expected: "disable, allow, prefer, require, verify-ca or verify-full".into(),
                found: format!("`{}`", other.escape_debug()),
            })
        }
    })
}

impl Target {
    /// The settings of `url`, completed from the environment (`env` reads a variable).
    pub(super) fn new(url: &PostgresUrl, env: impl Fn(&str) -> Option<String>) -> Result<Target> {
        let env = |k: &str| env(k).filter(|v| !v.is_empty());
        let raw = url.expose();
        // sslmode and sslrootcert are read here (the driver knows only three modes and no root
        // certificates); the rest goes to the driver's parser.
        let (base, query) = raw.split_once('?').unwrap_or((raw, ""));
        let mut kept = Vec::new();
        let mut mode = None;
        let mut root_cert = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "sslmode" => mode = Some(tls_mode(&percent_decode(v))?),
                "sslrootcert" => root_cert = Some(percent_decode(v)),
                _ => kept.push(pair),
            }
        }
        let rebuilt = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config: postgres::Config = rebuilt.parse().map_err(|e: postgres::Error| {
            bad_url(format!("`{url}` ({})", one_line(&e.to_string())))
        })?;
        if config.get_hosts().is_empty() {
            match env("PGHOST") {
                Some(h) => {
                    for h in h.split(',') {
                        config.host(h);
                    }
                }
                None if std::path::Path::new("/var/run/postgresql").is_dir() => {
                    config.host("/var/run/postgresql");
                }
                None => {
                    config.host("localhost");
                }
            }
        }
        if config.get_ports().is_empty() {
            if let Some(p) = env("PGPORT") {
                let port = p
                    .parse::<u16>()
                    .map_err(|_| bad_url(format!("PGPORT `{}`", p.escape_debug())))?;
                config.port(port);
            }
        }
        if config.get_user().is_none() {
            match env("PGUSER").or_else(|| env("USER")) {
                Some(u) => {
                    config.user(&u);
                }
                None => {
                    return Err(Error::Input {
                        field: "--register".into(),
                        expected: "a user in the URL (postgres://USER@…) or PGUSER".into(),
                        found: "none".into(),
                    })
                }
            }
        }
        if config.get_password().is_none() {
            if let Some(p) = env("PGPASSWORD") {
                config.password(&p);
            }
        }
        if config.get_dbname().is_none() {
            if let Some(d) = env("PGDATABASE") {
                config.dbname(&d);
            }
        }
        if config.get_connect_timeout().is_none() {
            let secs = match env("PGCONNECT_TIMEOUT") {
                Some(t) => t
                    .parse::<u64>()
                    .map_err(|_| bad_url(format!("PGCONNECT_TIMEOUT `{}`", t.escape_debug())))?,
                None => 10,
            };
            config.connect_timeout(Duration::from_secs(secs.max(2)));
        }
        if config.get_application_name().is_none() {
            config.application_name(&env("PGAPPNAME").unwrap_or_else(|| "stscalc".into()));
        }
        let tls = match mode {
            Some(m) => m,
            None => env("PGSSLMODE")
                .map(|m| tls_mode(&m))
                .transpose()?
                .unwrap_or(Tls::Prefer),
        };
        let root_cert = root_cert
            .or_else(|| env("PGSSLROOTCERT"))
            .filter(|r| r != "system")
            .map(PathBuf::from);
        config.ssl_mode(match tls {
            Tls::Disable => SslMode::Disable,
            Tls::Prefer => SslMode::Prefer,
            _ => SslMode::Require,
        });
        let secret = config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .filter(|p| !p.is_empty());
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => String::new(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let shown = format!(
            "postgres://{}@{}:{}/{}",
            config.get_user().unwrap_or(""),
            host,
            port,
            config
                .get_dbname()
                .or(config.get_user())
                .unwrap_or_default()
        );
        Ok(Target {
            config,
            tls,
            root_cert,
            shown,
            secret,
        })
    }

    /// Removes the password from a message written by the server or a library.
    pub(super) fn scrub(&self, msg: &str) -> String {
        let msg = one_line(msg);
        match &self.secret {
            Some(p) => msg.replace(p.as_str(), "***"),
            None => msg,
        }
    }

    /// Connects, with TLS as the settings ask.
    pub(super) fn connect(&self) -> Result<Client> {
        let result = match self.tls {
            Tls::Disable => self.config.connect(NoTls),
            _ => self.config.connect(self.rustls()?),
        };
        result.map_err(|e| Error::Connect {
            register: self.shown.clone(),
            cause: self.scrub(&cause(&e)),
        })
    }

    fn rustls(&self) -> Result<MakeRustlsConnect> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls_error = |what: String| Error::Connect {
            register: self.shown.clone(),
            cause: what,
        };
        let mut roots = RootCertStore::empty();
        match &self.root_cert {
            Some(path) => {
                let certs = CertificateDer::pem_file_iter(path)
                    .and_then(|i| i.collect::<std::result::Result<Vec<_>, _>>())
                    .map_err(|e| {
                        tls_error(format!(
                            "sslrootcert `{}` is not a readable PEM certificate file ({e})",
                            path.display()
                        ))
                    })?;
                roots.add_parsable_certificates(certs);
            }
            None if matches!(self.tls, Tls::VerifyCa | Tls::VerifyFull) => {
                roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            }
            None => {}
        }
        let check = match self.tls {
            Tls::Prefer => Check::Nothing,
            Tls::Require if self.root_cert.is_none() => Check::Nothing,
            Tls::Require | Tls::VerifyCa => Check::Chain,
            _ => Check::Full,
        };
        if check != Check::Nothing && roots.is_empty() {
            return Err(tls_error(
                "no trusted root certificate to check the server's against: give sslrootcert"
                    .into(),
            ));
        }
        let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(e.to_string()))?;
        let config = match check {
            Check::Full => builder.with_root_certificates(roots).with_no_client_auth(),
            _ => {
                let webpki = if check == Check::Chain {
                    Some(
                        rustls::client::WebPkiServerVerifier::builder_with_provider(
                            Arc::new(roots),
                            Arc::clone(&provider),
                        )
                        .build()
                        .map_err(|e| tls_error(e.to_string()))?,
                    )
                } else {
                    None
                };
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(Verifier { provider, webpki }))
                    .with_no_client_auth()
            }
        };
        Ok(MakeRustlsConnect::new(config))
    }
}

/// What is checked of the server's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Nothing,
    Chain,
    Full,
}

/// The certificate check of `prefer`/`require` (nothing: libpq's meaning) and `verify-ca` (the
/// chain, not the name). The handshake's signatures are always checked.
#[derive(Debug)]
struct Verifier {
    provider: Arc<CryptoProvider>,
    /// The chain check, for `verify-ca`.
    webpki: Option<Arc<rustls::client::WebPkiServerVerifier>>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match &self.webpki {
            None => Ok(ServerCertVerified::assertion()),
            Some(v) => {
                match v.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
                    Err(rustls::Error::InvalidCertificate(
                        CertificateError::NotValidForName
                        | CertificateError::NotValidForNameContext { .. },
                    )) => Ok(ServerCertVerified::assertion()),
                    other => other,
                }
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A message on one line.
pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What went wrong, as the server or the network said it.
pub(super) fn cause(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(c) = source {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        source = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str, vars: &[(&str, &str)]) -> Result<Target> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Target::new(&PostgresUrl::parse(url).unwrap(), move |k| {
            vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn url_display_hides_the_password() {
        let u = PostgresUrl::parse("postgres://ann:s3cret@db.example:5433/reg?sslmode=require")
            .unwrap();
        assert_eq!(
            u.to_string(),
            "postgres://ann:***@db.example:5433/reg?sslmode=require"
        );
        assert!(!format!("{u:?}").contains("s3cret"));
        let q = PostgresUrl::parse("postgresql://db/reg?user=ann&password=s3cret&x=1").unwrap();
        assert_eq!(
            q.to_string(),
            "postgresql://db/reg?user=ann&password=***&x=1"
        );
        assert!(PostgresUrl::parse("/var/lib/reg.sqlite3").is_none());
        assert!(PostgresUrl::parse("POSTGRESQL://x/y").is_some());
    }

    #[test]
    fn settings_come_from_the_url_then_the_pg_variables() {
        let t = target(
            "postgres://ann:pw@db.example:5433/reg?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem",
            &[("PGUSER", "bob"), ("PGDATABASE", "other"), ("PGPORT", "1")],
        )
        .unwrap();
        assert_eq!(t.shown, "postgres://ann@db.example:5433/reg");
        assert_eq!(t.tls, Tls::VerifyFull);
        assert_eq!(t.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        let t = target(
            "postgres://",
            &[
                ("PGHOST", "10.0.0.5"),
                ("PGPORT", "6543"),
                ("PGUSER", "bob"),
                ("PGPASSWORD", "hunter2"),
                ("PGDATABASE", "pharmacy"),
                ("PGSSLMODE", "require"),
            ],
        )
        .unwrap();
        assert_eq!(t.shown, "postgres://bob@10.0.0.5:6543/pharmacy");
        assert_eq!(t.tls, Tls::Require);
        assert_eq!(t.secret.as_deref(), Some("hunter2"));
        assert_eq!(
            t.scrub("FATAL: bad password hunter2\nfor bob"),
            "FATAL: bad password *** for bob"
        );
        let e = target("postgres://a@b/c?sslmode=sometimes", &[])
            .err()
            .unwrap();
        assert!(
            e.to_string().starts_with("`sslmode`: expected disable"),
            "{e}"
        );
    }
}

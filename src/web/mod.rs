//! The web app (`stscalc serve`): server-rendered pages for the clinician and the pharmacist,
//! and a JSON API for pharmacy systems, on the same library as the command line.
//!
//! A front end like the command line: each handler reads a form or a request document into
//! the options the command line would take (parsed by the same clap definitions, so every
//! default and check is the same), calls the same command functions, and answers with the
//! bytes the command line prints. Nothing here calculates.
//!
//! The server is axum on tokio: axum is the tokio project's own server, kept in step with
//! hyper and tokio, small (no macros needed, handlers are plain functions) and with the body
//! limit built in. Every command function is synchronous (SQLite, Chromium for PDFs), so each
//! runs on tokio's blocking pool, never on the threads that accept connections.
//!
//! Secure by default: loopback by default, any other address only when the register has
//! users, and then every request needs a login ([`auth`]); HTTPS with rustls ([`tls`]). On
//! loopback, requests whose `Host` is not a loopback name are refused (a page of another site
//! cannot reach the app by pointing its own name at 127.0.0.1); every page is a Tera template whose values are escaped; every
//! POST form carries a token ([`Csrf`]) and a cross-site `Origin` is refused; a
//! Content-Security-Policy without any script; bodies capped at [`BODY_LIMIT`]; nothing about
//! a request is logged.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::error::{Error, Result};
use crate::formula::Catalog;

pub mod api;
pub mod auth;
pub mod pages;
pub mod serve;
pub mod tls;

/// The largest request body accepted: a request document is a few kilobytes; 1 MiB leaves room
/// for a long lesion table and refuses a flood.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The Content-Security-Policy of every answer: nothing loads but the page itself and its own
/// styles (the sheets carry theirs inline), images from data: URLs (the labels' DataMatrix), no
/// script at all, forms only to this app, never inside another site's frame.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What the server was started with.
#[derive(Debug)]
pub struct Config {
    /// The formulas (embedded, and the `--formulas` folder's).
    pub catalog: Catalog,
    /// `--register`, when given.
    pub register: Option<PathBuf>,
    /// `--templates`, when given.
    pub templates: Option<PathBuf>,
    /// `--formulas`, when given (passed on to the register commands).
    pub formulas: Option<PathBuf>,
    /// Whether the server listens on loopback only (then requests must name a loopback host).
    pub loopback: bool,
    /// Whether users exist: then every page and call needs a login.
    pub accounts: bool,
    /// The certificate chain and key to serve HTTPS with (`--tls-cert`, `--tls-key`).
    pub tls: Option<std::sync::Arc<rustls::ServerConfig>>,
}

/// The server's state, shared by every request.
///
/// What every request would otherwise make again is made once, when the server starts: the
/// formulas (in [`Config::catalog`]), the page templates, compiled ([`App::pages`]), and the
/// command line's parser, built ([`Parsers`]). A request does its own reading, calculation and
/// rendering, nothing more.
#[derive(Debug)]
pub struct App {
    /// What the server was started with.
    pub config: Config,
    /// The token every POST form carries without accounts (and the login form's).
    pub csrf: Csrf,
    /// The sessions and login counters.
    pub accounts: auth::Accounts,
    /// The web app's page templates, compiled once ([`crate::render::html::Renderer::web`]).
    pub pages: crate::render::html::Renderer,
    /// The command line's parsers, built once and reused.
    parsers: Parsers,
    /// Permits to calculate ([`calculate`]): one per core.
    calculations: tokio::sync::Semaphore,
}

/// The command line's parser (clap's `Command` for the whole of [`crate::cli::Cli`]), built
/// once and reused by request after request. Building it (every subcommand's options and their
/// help) cost more than reading the options, calculating the session and rendering its page
/// together; parsing with a built one gives the same options and the same error messages,
/// since it is the same `Command`. A parser is taken from the pool for one parse and put back,
/// so the pool holds at most one per request parsed at once.
#[derive(Debug, Default)]
struct Parsers(std::sync::Mutex<Vec<clap::Command>>);

impl Parsers {
    /// `Cli::try_parse_from(words)`, on a parser from the pool.
    fn parse(
        &self,
        words: Vec<std::ffi::OsString>,
    ) -> std::result::Result<crate::cli::Cli, clap::Error> {
        use clap::{CommandFactory, FromArgMatches};
        let taken = self.0.lock().ok().and_then(|mut pool| pool.pop());
        let mut command = taken.unwrap_or_else(crate::cli::Cli::command);
        // As clap's `Parser::try_parse_from` does, on this command instead of a new one.
        let parsed = command
            .try_get_matches_from_mut(words)
            .and_then(|mut matches| {
                crate::cli::Cli::from_arg_matches_mut(&mut matches)
                    .map_err(|e| e.format(&mut command))
            });
        if let Ok(mut pool) = self.0.lock() {
            pool.push(command);
        }
        parsed
    }
}

/// The token that every POST form of this server carries: random, made when the server starts,
/// known only to the pages it serves (another site's page cannot read them), compared in
/// constant time.
#[derive(Debug)]
pub struct Csrf(pub(crate) String);

impl Csrf {
    /// A new random token.
    pub fn new() -> Result<Csrf> {
        use ring::rand::SecureRandom;
        let mut bytes = [0u8; 32];
        ring::rand::SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| Error::Refused("no random numbers for the form token".into()))?;
        Ok(Csrf(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// The token, for a form's hidden field.
    pub fn token(&self) -> &str {
        &self.0
    }

    /// Whether `given` is the token (in constant time: no timing tells how much matched).
    pub fn check(&self, given: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// Serves the app on `listener` until Ctrl-C; `started` runs once the server can answer.
pub fn serve(
    config: Config,
    listener: TcpListener,
    started: impl FnOnce() -> Result<()>,
) -> Result<()> {
    let io = |source| Error::Io {
        path: "--listen".into(),
        source,
    };
    listener.set_nonblocking(true).map_err(io)?;
    let accounts = auth::Accounts::new(config.accounts, config.tls.is_some());
    let app = Arc::new(App {
        config,
        csrf: Csrf::new()?,
        accounts,
        pages: crate::render::html::Renderer::web()?,
        parsers: Parsers::default(),
        calculations: tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, usize::from),
        ),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(io)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(io)?;
        started()?;
        let tls = app.config.tls.clone();
        let service = router(app).into_make_service_with_connect_info::<tls::Peer>();
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        if let Some(tls) = tls {
            let listener = tls::TlsListener::new(listener, tls).map_err(io)?;
            return axum::serve(listener, service)
                .with_graceful_shutdown(stop)
                .await
                .map_err(io);
        }
        axum::serve(listener, service)
            .with_graceful_shutdown(stop)
            .await
            .map_err(io)
    })
}

/// Every route of the app.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/api/batch", post(api::batch))
        .route("/api/session", post(api::session))
        .route("/api/supply", post(api::supply))
        .route("/api/verify", post(api::verify))
        .route("/api/lots/{lot}", get(api::lot))
        .route("/api/recall", get(api::recall))
        .merge(pages::routes())
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .layer(middleware::from_fn_with_state(app.clone(), auth::require))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Refuses a request that names another host (a name pointed at 127.0.0.1 by another site)
/// or, for a POST, comes from another site's page; adds the security headers to every answer.
async fn guard(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    // On loopback a request must name this machine (a page of another site pointing its own
    // name at 127.0.0.1 cannot reach the app); on a network address there are accounts, the
    // cookie is SameSite=Strict, and the host is the pharmacy's name for the server.
    let mut response = if app.config.loopback && !loopback_host(&host) {
        refused("this server answers only requests addressed to a loopback name (localhost, 127.0.0.1, [::1])")
    } else if request.method() == axum::http::Method::POST
        && !same_origin(request.headers().get(header::ORIGIN), &host)
    {
        refused("a form posted from another site's page")
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // Same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with
        // its own forms' POSTs, which the check above refuses; same-origin still sends nothing
        // (the query holds patients' names) to another site, and `null` for its posts.
        (header::REFERRER_POLICY, "same-origin"),
        // Patients' names and doses: never kept in a shared cache or the browser's.
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A 403 answer with one line of text.
fn refused(why: &str) -> Response {
    (StatusCode::FORBIDDEN, format!("forbidden: {why}\n")).into_response()
}

/// Whether a `Host` header names this machine: `localhost`, an address of 127.0.0.0/8 or
/// `[::1]`, with or without a port.
fn loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(n, _)| n),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether a POST's `Origin` (when the browser sends one) is this server's.
fn same_origin(origin: Option<&HeaderValue>, host: &str) -> bool {
    match origin.and_then(|o| o.to_str().ok()) {
        None => true,
        Some(o) => {
            o.strip_prefix("http://")
                .or_else(|| o.strip_prefix("https://"))
                == Some(host)
        }
    }
}

/// Who is asking: the logged-in user (none without accounts) and the form token to expect.
#[derive(Debug, Clone)]
pub struct Current {
    /// The user and role, with accounts.
    pub user: Option<(String, crate::register::Role)>,
    /// The form token of this session (the server's own without accounts).
    pub csrf: String,
}

tokio::task_local! {
    /// The request's [`Current`], set by [`auth::require`] around the handler.
    pub static CURRENT: Current;
}

std::thread_local! {
    /// The request's [`Current`] on the blocking thread running its command (see
    /// [`blocking`]).
    pub static BLOCKING: std::cell::RefCell<Option<Current>> = const { std::cell::RefCell::new(None) };
}

/// The request's [`Current`], on the async task or the blocking thread.
pub fn current() -> Option<Current> {
    CURRENT
        .try_with(Clone::clone)
        .ok()
        .or_else(|| BLOCKING.with(|b| b.borrow().clone()))
}

/// Runs a command function on the blocking pool; a panic (a bug) is a 500, never a crash.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> std::result::Result<T, Response> {
    // The request's user and form token go with the command to the blocking thread.
    let current = current();
    let f = move || {
        BLOCKING.with(|b| *b.borrow_mut() = current);
        let out = f();
        BLOCKING.with(|b| *b.borrow_mut() = None);
        out
    };
    tokio::task::spawn_blocking(f).await.map_err(|_| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error: please report it\n",
        )
            .into_response()
    })
}

/// Runs a calculation (a command that reads no register and starts no Chromium: a session
/// check, a batch plan) on the blocking pool, at most one per core at once, the others waiting
/// their turn in the order they came. A calculation only computes, so more at once than there
/// are cores would not finish any sooner: under load each new one started a thread of its own
/// (200 clients, 200 threads), and they slowed each other down (switching, the allocator's
/// locks). The register's and Chromium's commands wait on files and processes, and run on the
/// blocking pool as before ([`blocking`]).
pub(crate) async fn calculate<T: Send + 'static>(
    app: Arc<App>,
    f: impl FnOnce(&App) -> T + Send + 'static,
) -> std::result::Result<T, Response> {
    let turn = app.calculations.acquire().await.map_err(|_| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error: please report it\n",
        )
            .into_response()
    })?;
    let on = app.clone();
    let out = blocking(move || f(&on)).await;
    drop(turn);
    out
}

/// The command line's options for `argv` (the words after `stscalc`), with the server's own
/// `--register`, `--formulas` and `--templates`: the web app takes exactly the options and
/// defaults of the command line. A usage error is a one-line input error.
pub(crate) fn cli(app: &App, argv: &[String]) -> Result<crate::cli::Cli> {
    let mut words: Vec<std::ffi::OsString> = vec!["stscalc".into()];
    let c = &app.config;
    for (flag, path) in [
        ("--register", &c.register),
        ("--formulas", &c.formulas),
        ("--templates", &c.templates),
    ] {
        if let Some(p) = path {
            let mut w = std::ffi::OsString::from(format!("{flag}="));
            w.push(p.as_os_str());
            words.push(w);
        }
    }
    words.extend(argv.iter().map(Into::into));
    app.parsers.parse(words).map_err(|e| {
        // clap's report, made one line: the error and what it lists, without the usage.
        let text = e.to_string();
        let line = text
            .lines()
            .take_while(|l| !l.starts_with("Usage:"))
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let line = line.trim_start_matches("error: ");
        Error::Refused(crate::error::escape_cut(line, crate::error::MAX_LINE))
    })
}

/// An option and its value as one word (`--quantity=100 g`), so that a value can never be
/// read as another option.
pub(crate) fn opt(flag: &str, value: &str) -> String {
    format!("{flag}={value}")
}

#[cfg(test)]
mod tests {
    use super::Parsers;
    use clap::Parser;

    /// A reused parser reads every command line as a new one does: the same options, and the
    /// same error, whatever it parsed before (an error, another subcommand, the same one).
    #[test]
    fn a_reused_parser_reads_as_a_new_one() {
        let lines: &[&[&str]] = &[
            &[
                "stscalc",
                "session",
                "--format=json",
                "--lesions=12",
                "--per-lesion=0.2 mL",
            ],
            &["stscalc", "session", "--format=jsn"],
            &["stscalc", "session", "--no-such-option=1"],
            &["stscalc", "supply", "--format=json"],
            &["stscalc", "batch", "--format=json", "--request=request"],
            &[
                "stscalc",
                "session",
                "--format=text",
                "--lesions=3",
                "--per-lesion=30 mg",
            ],
            &["stscalc", "--register=/nowhere", "recall", "--lot=A1"],
            &[
                "stscalc",
                "session",
                "--format=json",
                "--lesions=12",
                "--per-lesion=0.2 mL",
            ],
        ];
        let parsers = Parsers::default();
        let mut errors = 0;
        for _ in 0..2 {
            for line in lines {
                let words: Vec<std::ffi::OsString> = line.iter().map(Into::into).collect();
                let fresh = crate::cli::Cli::try_parse_from(words.clone());
                let reused = parsers.parse(words);
                match (fresh, reused) {
                    (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{line:?}"),
                    (Err(a), Err(b)) => {
                        errors += 1;
                        assert_eq!(a.kind(), b.kind(), "{line:?}");
                        assert_eq!(a.to_string(), b.to_string(), "{line:?}");
                    }
                    (a, b) => panic!("{line:?}: a new parser gave {a:?}, the reused one {b:?}"),
                }
            }
        }
        // The two misspelt lines, twice each, were refused.
        assert_eq!(errors, 4);
        // One parser, put back after every parse: the pool did not grow.
        assert_eq!(parsers.0.lock().unwrap().len(), 1);
    }
}

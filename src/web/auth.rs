//! Accounts in the web app: login, sessions, the login rate limit, and who is asking.
//!
//! With users in the register, every page and API call needs a session: `POST /login` checks
//! the name and password (argon2id, [`crate::register::password`]) and sets a cookie holding a
//! random 256-bit token, `HttpOnly` (no script can read it), `SameSite=Strict` (no other site's
//! page can send it) and `Secure` under TLS. The server keeps the sessions in memory (a
//! restart logs everyone out): each has its own form token ([`super::Csrf`]), an idle expiry of
//! [`IDLE`] and an absolute one of [`LIFETIME`]. `POST /logout` ends it.
//!
//! A session remembers only who logged in. Whether that user may still do anything, and as
//! what role, is read from the register on every request ([`current_user`]): another process
//! may change the users table at any time (`stscalc user disable` on the command line, another
//! server on the same PostgreSQL register), and a disabled user's sessions must end at once,
//! not at their idle or absolute expiry.
//!
//! Failed logins are counted per user name and per client address: [`MAX_FAILURES`] failures
//! in a row lock that name, and that address, out for [`LOCKOUT`]. A wrong name, a wrong
//! password and a disabled account get the same message, and an unknown name is checked
//! against a decoy hash so it takes as long.
//!
//! Without users (allowed only on loopback) there is no login: one person's machine, and the
//! form token is the server's own.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

use super::{App, Csrf, Current, CURRENT};
use crate::register::password;

/// The session cookie's name.
pub const COOKIE: &str = "stscalc_session";
/// A session unused this long ends.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// A session ends this long after login, used or not (a shift).
pub const LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
/// Failed logins in a row, per name or per address, before a lockout.
pub const MAX_FAILURES: u32 = 5;
/// How long a lockout lasts.
pub const LOCKOUT: Duration = Duration::from_secs(60);
/// The one message of every refused login.
pub const WRONG: &str = "wrong user name or password";

/// One logged-in session: who logged in, never what they may do (their role and whether they
/// are enabled are the register's, read on every request).
#[derive(Debug)]
struct Session {
    user: String,
    csrf: Csrf,
    started: Instant,
    last: Instant,
}

/// Failed logins of one name or address.
#[derive(Debug, Default, Clone, Copy)]
struct Failures {
    count: u32,
    locked_until: Option<Instant>,
}

/// The sessions and the login counters of a server.
#[derive(Debug, Default)]
pub struct Accounts {
    /// Whether login is required (users existed when the server started).
    pub required: bool,
    /// Whether the cookie is marked `Secure` (TLS).
    pub secure: bool,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, Failures>>,
}

impl Accounts {
    /// Accounts of a server; `required` when users exist.
    pub fn new(required: bool, secure: bool) -> Accounts {
        Accounts {
            required,
            secure,
            ..Accounts::default()
        }
    }

    /// The live session of `token`: its user's name and its form token.
    fn session(&self, token: &str) -> Option<(String, String)> {
        let mut sessions = self.sessions.lock().ok()?;
        let now = Instant::now();
        sessions.retain(|_, s| now - s.last < IDLE && now - s.started < LIFETIME);
        let s = sessions.get_mut(token)?;
        s.last = now;
        Some((s.user.clone(), s.csrf.token().to_string()))
    }

    /// Ends the session of `token`.
    fn end(&self, token: &str) {
        if let Ok(mut s) = self.sessions.lock() {
            s.remove(token);
        }
    }

    fn locked(&self, keys: &[String]) -> bool {
        let now = Instant::now();
        let f = self.failures.lock();
        f.is_ok_and(|f| {
            keys.iter().any(|k| {
                f.get(k)
                    .and_then(|x| x.locked_until)
                    .is_some_and(|t| t > now)
            })
        })
    }

    fn failed(&self, keys: &[String]) {
        let now = Instant::now();
        if let Ok(mut f) = self.failures.lock() {
            for k in keys {
                let e = f.entry(k.clone()).or_default();
                if e.locked_until.is_some_and(|t| t <= now) {
                    *e = Failures::default();
                }
                e.count += 1;
                if e.count >= MAX_FAILURES {
                    e.locked_until = Some(now + LOCKOUT);
                }
            }
        }
    }

    fn succeeded(&self, keys: &[String]) {
        if let Ok(mut f) = self.failures.lock() {
            for k in keys {
                f.remove(k);
            }
        }
    }
}

/// The session token in the request's cookies.
fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// Sets [`CURRENT`] for the request, or, with accounts and no session, sends a page to the
/// login form and refuses an API call (401).
pub async fn require(
    State(app): State<Arc<App>>,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let open = path == "/login";
    let api = path.starts_with("/api/");
    // Without accounts, and for the login form, the server's own form token.
    let current = if !app.accounts.required || open {
        Some(Current {
            user: None,
            csrf: app.csrf.token().to_string(),
        })
    } else {
        match cookie_token(request.headers()) {
            None => None,
            Some(token) => match current_user(&app, &token).await {
                Ok(c) => c,
                Err(why) => return unavailable(api, &why),
            },
        }
    };
    match current {
        Some(c) => CURRENT.scope(c, next.run(request)).await,
        None if api => (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":"log in first: POST /login with name and password, then send its cookie"}"#,
        )
            .into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

/// Who the session of `token` is now: its user as the register has them at this moment, or
/// none (no such session, or its user is disabled or gone: then the session ends). An error
/// when the register cannot be read: the caller refuses the request (never lets it through on
/// what was true at login).
///
/// Read on every request, not cached: disabling a user or changing a role (by the command line,
/// or by another server on the same PostgreSQL register) must take effect at once, in every
/// process, and this server cannot be told of it. One read of one row by its primary key.
async fn current_user(app: &Arc<App>, token: &str) -> Result<Option<Current>, String> {
    let Some((name, csrf)) = app.accounts.session(token) else {
        return Ok(None);
    };
    let a = app.clone();
    let found = super::blocking(move || {
        crate::commands::register::open_existing(a.config.register.as_deref())
            .and_then(|s| s.user_login(&name).map_err(crate::commands::register::reg))
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|_| "internal error: please report it".to_string())??;
    match found {
        Some((user, _)) if !user.disabled => Ok(Some(Current {
            user: Some((user.name, user.role)),
            csrf,
        })),
        // Disabled, or no longer in the register (another register now at that path).
        _ => {
            app.accounts.end(token);
            Ok(None)
        }
    }
}

/// A request refused because the register could not be read to check its session (503), with
/// the one-line reason: JSON for the API, text for a page.
fn unavailable(api: bool, why: &str) -> Response {
    let why = format!("cannot check the session against the register: {why}");
    if api {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "error": why }).to_string(),
        )
            .into_response();
    }
    (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")).into_response()
}

/// `GET /login`: the form.
pub async fn login_form(State(app): State<Arc<App>>) -> Response {
    login_page(&app, StatusCode::OK, None)
}

fn login_page(app: &App, status: StatusCode, error: Option<&str>) -> Response {
    use super::pages::{Field, FormView, Page, Section};
    let page = Page {
        title: "Log in".into(),
        error: error.map(str::to_string),
        sections: vec![Section {
            form: Some(FormView {
                action: "/login".into(),
                method: "post",
                fields: vec![
                    Field::text("name", "User name", &Vec::new()),
                    Field::text("password", "Password", &Vec::new()).kind("password"),
                ],
                submit: "Log in".into(),
                ..FormView::default()
            }),
            ..Section::default()
        }],
        ..Page::default()
    };
    super::pages::show(app, status, page)
}

/// `POST /login`: checks the name and password, starts a session.
pub async fn login(
    State(app): State<Arc<App>>,
    ConnectInfo(super::tls::Peer(peer)): ConnectInfo<super::tls::Peer>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = super::pages::check_token(&app, &form) {
        return r;
    }
    if !app.accounts.required {
        return Redirect::to("/").into_response();
    }
    let field = |k: &str| {
        super::pages::param(&form, k)
            .unwrap_or_default()
            .to_string()
    };
    let (name, secret) = (field("name").trim().to_ascii_lowercase(), field("password"));
    let keys = [
        format!("user:{name}"),
        format!("addr:{}", client(peer.ip())),
    ];
    if app.accounts.locked(&keys) {
        let why = format!(
            "too many failed logins: wait {} seconds and try again",
            LOCKOUT.as_secs()
        );
        return login_page(&app, StatusCode::TOO_MANY_REQUESTS, Some(&why));
    }
    let a = app.clone();
    let checked = super::blocking(move || {
        let found = crate::commands::register::open_or_create(a.config.register.as_deref())
            .ok()
            .and_then(|s| s.user_login(&name).ok().flatten());
        match found {
            Some((user, hash)) => {
                let ok = password::verify(&secret, &hash) && !user.disabled;
                ok.then_some(user)
            }
            None => {
                password::verify(&secret, password::decoy());
                None
            }
        }
    })
    .await;
    let user = match checked {
        Ok(Some(u)) => u,
        Ok(None) => {
            app.accounts.failed(&keys);
            return login_page(&app, StatusCode::UNAUTHORIZED, Some(WRONG));
        }
        Err(r) => return r,
    };
    app.accounts.succeeded(&keys);
    let (Ok(token), Ok(csrf)) = (Csrf::new(), Csrf::new()) else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no random numbers\n").into_response();
    };
    let now = Instant::now();
    if let Ok(mut s) = app.accounts.sessions.lock() {
        s.insert(
            token.token().to_string(),
            Session {
                user: user.name,
                csrf,
                started: now,
                last: now,
            },
        );
    }
    let secure = if app.accounts.secure { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        token.token(),
        LIFETIME.as_secs()
    );
    let mut r = Redirect::to("/").into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// An IPv6 client is counted by its /64 (one machine usually has a whole /64 to pick from).
fn client(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// `POST /logout`: ends the session.
pub async fn logout(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = super::pages::check_token(&app, &form) {
        return r;
    }
    if let Some(t) = cookie_token(&headers) {
        app.accounts.end(&t);
    }
    let mut r = Redirect::to("/login").into_response();
    let secure = if app.accounts.secure { "; Secure" } else { "" };
    let gone = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}");
    if let Ok(v) = HeaderValue::from_str(&gone) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

//! The web app driven as a person drives it: Debian's headless Chromium under `chromedriver`
//! (the W3C WebDriver protocol), at tablet size (768 × 1024), typing into the pages' fields
//! and pressing their buttons, against the built `stscalc serve` on loopback with a real SQLite
//! register. A screenshot of every page is kept under `target/web-screenshots/webdriver-*.png`.
//!
//! The client is the few WebDriver commands the test needs, written over `ureq` (already the
//! API tests' client): WebDriver is plain HTTP and JSON, so a blocking client of a hundred lines
//! reads like the steps it takes, where `fantoccini` or `thirtyfour` would bring an async
//! runtime and a large dependency tree into the test build for the same dozen calls.
//!
//! The HTTP status a page was answered with is read in the browser itself, from the navigation
//! timing entry's `responseStatus` (Chromium 109 and later), so "refused with 403" is what the
//! browser received, not what another client was told.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::web::Server;

/// The element reference's key in a WebDriver answer (fixed by the W3C standard).
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A program on `PATH` (or the path in `env`, when set).
fn program(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}

/// `chromedriver` and Chromium, or none (said loudly; a failure with
/// `STSCALC_REQUIRE_BROWSER` set).
fn driver_and_browser() -> Option<(PathBuf, PathBuf)> {
    let driver = program("STSCALC_CHROMEDRIVER", &["chromedriver"]);
    let browser = program(
        "STSCALC_CHROMIUM",
        &["chromium", "chromium-browser", "google-chrome"],
    );
    if let (Some(d), Some(b)) = (driver, browser) {
        return Some((d, b));
    }
    let message =
        "SKIPPED WebDriver test: chromium or chromium-driver (chromedriver) not installed";
    if std::env::var_os("STSCALC_REQUIRE_BROWSER").is_some() {
        panic!("{message}, and STSCALC_REQUIRE_BROWSER is set");
    }
    eprintln!("\n!!!!!!!! {message} !!!!!!!!\n");
    None
}

/// A browser session under a `chromedriver` of its own; both end when dropped.
struct Browser {
    driver: Child,
    /// `http://127.0.0.1:PORT/session/ID`.
    session: String,
    http: ureq::Agent,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts `chromedriver` on a free loopback port (it prints the port it chose) and a
    /// headless Chromium at 768 × 1024.
    fn start(driver: &Path, chromium: &Path) -> Browser {
        let mut child = Command::new(driver)
            .args(["--port=0", "--allowed-ips=127.0.0.1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        // "ChromeDriver was started successfully on port 35575." — with no newline after it, so
        // read byte by byte; then keep draining its output so that it never blocks on a pipe.
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let (mut seen, mut byte, mut sent) = (String::new(), [0u8; 1], false);
            while out.read(&mut byte).is_ok_and(|n| n == 1) {
                if sent {
                    continue;
                }
                seen.push(byte[0] as char);
                // (Its first line, "Starting ChromeDriver … on port 0", names the port asked.)
                let rest = seen
                    .rsplit("successfully on port ")
                    .next()
                    .unwrap_or_default();
                if let Some(port) = rest.strip_suffix('.') {
                    if seen.contains("successfully on port ")
                        && port.bytes().all(|c| c.is_ascii_digit())
                    {
                        let _ = tx.send(port.to_string());
                        sent = true;
                    }
                }
            }
        });
        let port = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("chromedriver prints its port");
        let base = format!("http://127.0.0.1:{port}");
        let http: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
                    "--window-size=768,1024",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        }}});
        let mut b = Browser {
            driver: child,
            session: base.clone(),
            http,
            _profile: profile,
        };
        let v = b.call("POST", "/session", Some(caps));
        let id = v["sessionId"].as_str().expect("a session id").to_string();
        b.session = format!("{base}/session/{id}");
        b
    }

    /// One WebDriver command: `path` under the driver's address (the session's, once there is
    /// one); its answer's `value`, or a panic with the driver's error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e:.400}"))
    }

    /// One WebDriver command; the driver's error as text.
    fn try_call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> std::result::Result<Value, String> {
        let url = format!("{}{path}", self.session);
        let mut r = match body {
            Some(b) => self
                .http
                .post(&url)
                .header("content-type", "application/json")
                .send(b.to_string().as_bytes()),
            None if method == "DELETE" => self.http.delete(&url).call(),
            None => self.http.get(&url).call(),
        }
        .map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        let text = r
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| e.to_string())?;
        let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(text);
        }
        Ok(v["value"].clone())
    }

    /// Opens `url`.
    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    /// The element `css` selects (the first).
    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    /// Types `text` into the element `css` selects (found again if the page was still being
    /// replaced: a "stale element" is not a failure of the app).
    fn type_into(&self, css: &str, text: &str) {
        for _ in 0..50 {
            let e = self.find(css);
            let typed = self.try_call(
                "POST",
                &format!("/element/{e}/value"),
                Some(json!({ "text": text })),
            );
            if typed.is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("could not type into {css} on {}", self.path());
    }

    /// Picks the element `css` selects (an option of a list): a click that loads no page.
    fn pick(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    /// Clicks the element `css` selects (a button that submits its form, a link) and waits until the
    /// page it leads to has replaced this one and loaded: the old page is marked first, so a
    /// half-replaced page is never read.
    fn click(&self, css: &str) {
        self.script("window.__stscalcOldPage = true; return null;");
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/click"), Some(json!({})));
        let loaded = json!({
            "script": "return window.__stscalcOldPage === undefined && document.readyState === 'complete';",
            "args": [],
        });
        for _ in 0..300 {
            if let Ok(Value::Bool(true)) =
                self.try_call("POST", "/execute/sync", Some(loaded.clone()))
            {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the click on {css} led to no new page");
    }

    /// The text the element `css` selects shows. (Asked again if the page was still being
    /// replaced by the one a click led to: a "stale element" is not a failure of the app.)
    fn text(&self, css: &str) -> String {
        let script = json!({
            "script": "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
            "args": [css],
        });
        for _ in 0..50 {
            if let Ok(Value::String(t)) =
                self.try_call("POST", "/execute/sync", Some(script.clone()))
            {
                return t;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("no element {css} on {}", self.path());
    }

    /// Runs `script` in the page (WebDriver's own channel: the page's CSP allows no script of
    /// the page's).
    fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// The HTTP status the page shown was answered with.
    fn status(&self) -> u64 {
        self.script("return performance.getEntriesByType('navigation')[0].responseStatus;")
            .as_u64()
            .expect("a navigation status")
    }

    /// The cookies the browser holds for the page's site, `HttpOnly` ones included (WebDriver
    /// sees what the page's scripts cannot).
    fn cookies(&self) -> Vec<Value> {
        self.call("GET", "/cookie", None)
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The page's path (`/lots/…`).
    fn path(&self) -> String {
        self.script("return location.pathname;")
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Keeps a screenshot of the window as `target/web-screenshots/webdriver-NAME.png`.
    fn screenshot(&self, name: &str) -> PathBuf {
        let png = decode_base64(self.call("GET", "/screenshot", None).as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("webdriver-{name}.png"));
        std::fs::write(&path, &png).unwrap();
        // The window is 768 wide: the width in the PNG's header (bytes 16..20).
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 768);
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if self.session.contains("/session/") {
            let _ = self.http.delete(&self.session).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Standard base64 (what WebDriver sends a screenshot as) to bytes.
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .map(value)
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, d)| n | (u32::from(*d) << (18 - 6 * i)));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
fn base64_decodes_as_the_standard_says() {
    // RFC 4648 §10's test vectors.
    for (plain, coded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(decode_base64(coded), plain.as_bytes());
    }
}

/// A hostile lesion site: shown as text, never run or made an element.
const HOSTILE: &str = "<script>alert(1)</script>";

/// The two users' password (at least 12 characters, as `user add` wants).
const PASSWORD: &str = "a long test password";

#[test]
fn in_chromium_through_webdriver_a_session_typed_a_lot_issued_checked_released_and_recalled() {
    let Some((driver, chromium)) = driver_and_browser() else {
        return;
    };
    // A pharmacy's app: two pharmacists, ann at the bench and ben who releases.
    let server = Server::start_with(
        &[
            ("ann", "pharmacist", PASSWORD),
            ("ben", "pharmacist", PASSWORD),
        ],
        &[],
    );
    let b = Browser::start(&driver, &chromium);
    let base = &server.base;
    wrong_password(&b, base);
    log_in(&b, base, "ann", PASSWORD);
    let session_cookie: Vec<Value> = b
        .cookies()
        .into_iter()
        .filter(|c| c["name"] == "stscalc_session")
        .collect();
    assert_eq!(
        session_cookie.len(),
        1,
        "one session cookie after the login"
    );
    assert_eq!(session_cookie[0]["httpOnly"], true);
    assert_eq!(session_cookie[0]["sameSite"], "Strict");
    session(&b, base);
    let lot = batch(&b, base);
    recall_and_the_other_pages(&b, base, &lot);
}

/// A wrong password typed into the login form: refused (401) with the message on the page,
/// no session cookie in the browser, and the next page still the login form.
fn wrong_password(b: &Browser, base: &str) {
    b.go(&format!("{base}/lots"));
    assert_eq!(b.path(), "/login");
    b.screenshot("login");
    b.type_into("input[name=name]", "ann");
    b.type_into("input[name=password]", "not ann's password");
    b.click("main form button");
    assert_eq!(b.status(), 401);
    assert_eq!(b.path(), "/login");
    assert_eq!(b.text("#error"), "wrong user name or password");
    // The password typed is not given back in the form.
    assert_eq!(
        b.script("return document.querySelector('input[name=password]').value;"),
        ""
    );
    assert_eq!(
        b.script("return document.querySelector('#who');"),
        Value::Null
    );
    let cookies = b.cookies();
    assert!(
        cookies.iter().all(|c| c["name"] != "stscalc_session"),
        "a session cookie after a wrong password: {cookies:?}"
    );
    b.screenshot("login-refused");
    // Not logged in: a page still leads to the login form.
    b.go(&format!("{base}/lots"));
    assert_eq!(b.path(), "/login");
}

/// Logs in through the login form (every page leads there without a session); the page after
/// it names the user.
fn log_in(b: &Browser, base: &str, name: &str, password: &str) {
    b.go(&format!("{base}/lots"));
    assert_eq!(
        b.path(),
        "/login",
        "a page without a session leads to the login"
    );
    b.type_into("input[name=name]", name);
    b.type_into("input[name=password]", password);
    b.click("main form button");
    assert_eq!(b.status(), 200);
    assert_eq!(b.path(), "/");
    assert_eq!(b.text("#who"), format!("{name} (pharmacist)"));
}

/// Logs out with the header's button: back at the login form.
fn log_out(b: &Browser) {
    b.click("form.logout button");
    assert_eq!(b.path(), "/login");
}

/// A 12-lesion session typed row by row, the first site hostile; the totals read off the page.
fn session(b: &Browser, base: &str) {
    b.go(&format!("{base}/session"));
    assert_eq!(b.status(), 200);
    // The form has 12 lesion rows to start with.
    b.find("input[name=volume12]");
    // The formula stated, as a pharmacist states it: the select's first entry is whichever
    // solution formula comes first in the catalogue, not necessarily this one.
    b.pick("#f-formula option[value=sts-150-intralesional]");
    b.type_into("input[name=site1]", HOSTILE);
    b.pick("select[name=ulceration1] option[value=yes]");
    for i in 1..=12 {
        b.type_into(&format!("input[name=volume{i}]"), "0.2 mL");
    }
    b.screenshot("session-form");
    b.click("button[name=go]");
    if b.status() != 200 {
        panic!("the check was refused: {}", b.text("main"));
    }
    let check = b.text("#check pre");
    // By hand: 12 lesions × 0.2 mL = 2.4 mL injected; at 150 mg/mL (the formula's strength)
    // 2.4 mL × 150 mg/mL = 360 mg of sodium thiosulfate pentahydrate; each 0.2 mL is 30 mg.
    let total = check
        .lines()
        .find(|l| l.starts_with("Total"))
        .expect("a total line");
    let words: Vec<&str> = total.split_whitespace().collect();
    assert_eq!(words, ["Total", "2.4", "mL", "360", "mg"], "{total}");
    assert_eq!(check.matches("0.2 mL  30 mg").count(), 12, "{check}");
    // One 1 mL syringe per lesion, each with 0.14 mL of dead space: 12 × 0.14 = 1.68 mL,
    // so 2.4 + 1.68 = 4.08 mL of solution for the session.
    assert!(
        check.contains("4.08 mL (2.4 mL injected + 1.68 mL dead space)"),
        "{check}"
    );
    // The hostile site: back in its field as typed, and no script on the page at all.
    let site = b.script("return document.querySelector('input[name=site1]').value;");
    assert_eq!(site, HOSTILE);
    assert_eq!(b.script("return document.scripts.length;"), 0);
    b.screenshot("session");
    // The session sheet it links to shows the site as text.
    b.click("a[href^='/session/sheet?']");
    assert_eq!(b.status(), 200);
    assert!(
        b.text("body").contains(HOSTILE),
        "the site is not on the sheet"
    );
    assert_eq!(b.script("return document.scripts.length;"), 0);
    b.screenshot("session-sheet");
}

/// A batch planned and issued by ann through the pages (after a post without its token is
/// refused), verified by her, her release of her own lot refused, released by ben: two users.
/// Its lot number.
fn batch(b: &Browser, base: &str) -> String {
    b.go(&format!("{base}/batch"));
    b.pick("#f-formula option[value=sts-25-zinc-oxide]");
    b.type_into("#f-quantity", "100 g");
    b.type_into("#f-date", "2026-12-01");
    b.type_into(
        "#f-components",
        "sts=STS-A1@2027-05\nzinc-oxide-ointment=ZO-9@2027-03-31",
    );
    b.click("button[name=go]");
    assert_eq!(b.status(), 200);
    // By hand: 100 g at 25 % is 25 g of STS and 100 − 25 = 75 g of base.
    let plan = b.text("#plan pre");
    assert!(plan.contains("25 g") && plan.contains("75 g"), "{plan}");
    b.screenshot("batch");
    let plan_url = b
        .script("return location.href;")
        .as_str()
        .unwrap()
        .to_string();
    // With accounts there is no name to type: the register names the logged-in user.
    assert_eq!(
        b.script(
            "return document.querySelectorAll('input[name=by], input[name=checked_by]').length;"
        ),
        0
    );
    // The issue form without its token (taken out of the page): refused, 403, nothing issued.
    b.script("document.querySelector('#plan input[name=csrf]').remove();");
    b.click("#plan button[type=submit]");
    assert_eq!(b.status(), 403);
    let refused = b.text("body");
    assert!(refused.contains("token is missing or wrong"), "{refused}");
    b.go(&format!("{base}/lots"));
    assert!(!b.text("main").contains("STS25ZO"), "a lot was issued");
    // Back to the plan, with its token this time.
    b.go(&plan_url);
    b.click("#plan button[type=submit]");
    assert_eq!(b.status(), 200);
    let lot = "STS25ZO-20261201-01";
    assert_eq!(b.path(), format!("/lots/{lot}"));
    // Ann, who compounded it, verifies it from the weights she measured: the plan's 25 g and
    // 75 g.
    b.type_into(
        "form[action$='/verify'] textarea[name=actual]",
        "sts=25 g\nzinc-oxide-ointment=75 g",
    );
    b.click("form[action$='/verify'] button");
    assert_eq!(b.status(), 200);
    // Ann is a pharmacist, but released by the person who compounded it: refused (403), the
    // reason on the page, the lot still waiting.
    b.click("form[action$='/release'] button");
    assert_eq!(b.status(), 403);
    let error = b.text("#error");
    assert!(
        error.contains("`ann` compounded it, so another pharmacist must release it"),
        "{error}"
    );
    let record = b.text("#record pre");
    assert!(
        record.contains("verified pass") && !record.contains("Released by"),
        "{record}"
    );
    b.screenshot("lot-refused");
    // Ben, the second of the two, logs in and releases it.
    log_out(b);
    log_in(b, base, "ben", PASSWORD);
    b.go(&format!("{base}/lots/{lot}"));
    assert!(
        b.text("main")
            .contains("You release it as the second check of the compounder's work"),
        "the release form says what a release with accounts is"
    );
    b.click("form[action$='/release'] button");
    assert_eq!(b.status(), 200);
    assert_eq!(b.path(), format!("/lots/{lot}"));
    let record = b.text("#record pre");
    assert!(record.contains("released"), "{record}");
    assert!(
        record.contains("Released by ben, who logged in as the second check"),
        "{record}"
    );
    // Two users on the lot's events: ann compounded and verified, ben released.
    for event in ["lot.new by ann", "lot.verify by ann", "lot.release by ben"] {
        let (action, actor) = event.split_once(" by ").unwrap();
        assert!(
            record
                .lines()
                .any(|l| l.contains(action) && l.contains(actor)),
            "{event}: {record}"
        );
    }
    b.screenshot("lot");
    lot.to_string()
}

/// The recall by the STS lot finds `lot`; every other page at tablet size.
fn recall_and_the_other_pages(b: &Browser, base: &str, lot: &str) {
    b.go(&format!("{base}/recall"));
    b.type_into("#f-component", "sts=STS-A1");
    b.click("button[name=go]");
    assert_eq!(b.status(), 200);
    assert!(b.text("#found pre").contains(lot));
    b.screenshot("recall");
    b.go(&format!("{base}/lots"));
    assert!(b.text("main").contains(lot));
    for (path, name) in [
        ("/", "home"),
        ("/lots", "lots"),
        ("/audit", "audit"),
        ("/formulas", "formulas"),
        ("/formulas/sts-25-zinc-oxide", "formula"),
    ] {
        b.go(&format!("{base}{path}"));
        assert_eq!(b.status(), 200, "{path}");
        assert!(!b.text("h1").is_empty(), "{path}");
        b.screenshot(name);
    }
}

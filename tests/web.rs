//! The web app's JSON API (`stscalc serve`), run as a user runs it: the built binary listening
//! on an ephemeral loopback port, a real SQLite register in a temporary folder, and a real HTTP
//! client (ureq). Every API answer is compared with what the command line prints for the same
//! request document.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::common::{ok, stscalc};

/// A running `stscalc serve`, stopped (by its process id) when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The register it serves.
    pub register: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts `stscalc serve` on 127.0.0.1 port 0 (any free port) with a register of its own,
    /// and reads the address it prints.
    pub fn start() -> Server {
        Server::start_with(&[], &[])
    }

    /// [`Server::start`] with `users` (name, role, password) added first and `more` options
    /// of `serve` (`--listen` among them replaces 127.0.0.1:0).
    pub fn start_with(users: &[(&str, &str, &str)], more: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let register = dir.path().join("register.sqlite3");
        for (name, role, password) in users {
            add_user(&register, name, role, password);
        }
        let listen = if more.contains(&"--listen") {
            vec![]
        } else {
            vec!["--listen", "127.0.0.1:0"]
        };
        let mut child = crate::common::command()
            .arg("serve")
            .args(listen)
            .args(more)
            .arg("--register")
            .arg(&register)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("stscalc serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        // "stscalc serving on http://127.0.0.1:PORT/ (…)"
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://") || w.starts_with("https://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        Server {
            child,
            base,
            register,
            _dir: dir,
        }
    }

    /// `--register PATH` and `args`, for the command line on the same register.
    pub fn cli<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = vec!["--register", self.register.to_str().unwrap()];
        all.extend_from_slice(args);
        all
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer: status, content type and body.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn answer(mut r: ureq::http::Response<ureq::Body>) -> Answer {
    let headers = r
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect::<Vec<_>>();
    let content_type = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    Answer {
        status: r.status().as_u16(),
        content_type,
        headers,
        body: r
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            // A refused upload may be cut off by the server once it has answered.
            .unwrap_or_default(),
    }
}

/// `POST url` with `body`.
pub fn post(url: &str, body: impl AsRef<[u8]>) -> Answer {
    answer(
        agent()
            .post(url)
            .header("content-type", "application/json")
            .send(body.as_ref())
            .unwrap(),
    )
}

/// `GET url`.
pub fn get(url: &str) -> Answer {
    answer(agent().get(url).call().unwrap())
}

/// What the command line prints for `command --request FILE --format json`, the request in
/// a file of `dir`; `expect_exit` is its exit code.
fn cli_json(dir: &Path, command: &str, request: &str, expect_exit: i32) -> String {
    let file = dir.join(format!("{command}.json"));
    std::fs::write(&file, request).unwrap();
    let out = stscalc(&[
        command,
        "--request",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(expect_exit),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The command line's error line for a request, without `error: `.
fn cli_error(dir: &Path, command: &str, request: &str) -> String {
    let file = dir.join(format!("{command}-bad.json"));
    std::fs::write(&file, request).unwrap();
    let out = stscalc(&[
        command,
        "--request",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    err.trim_end()
        .strip_prefix("error: ")
        .unwrap_or(&err)
        .to_string()
}

/// An ointment batch with every component's lot, on a fixed date (so both runs agree).
const BATCH: &str = r#"{
  "formula": "sts-25-zinc-oxide",
  "quantity": "100 g",
  "compounded_at": "2026-11-21T09:30",
  "certificate": { "assay": "99.5 %", "basis": "as-is" },
  "components": [
    { "id": "sts", "lot": "LOT123", "expiry": "2027-05-31", "manufacturer": "Example Chemicals" },
    { "id": "zinc-oxide-ointment", "lot": "ZO-4471", "expiry": "2028-03" }
  ]
}"#;

#[test]
fn the_api_answers_exactly_the_json_the_command_line_prints_for_every_command() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    // The verification: 25 g of STS × 100 / 99.5 % assay = 25.125… g to weigh; 75 g of base.
    // The weights measured are those, so the batch passes (exit 0).
    let verify = BATCH.replace(
        "\"components\"",
        "\"actual\": { \"sts\": \"25.126 g\", \"zinc-oxide-ointment\": \"74.874 g\" },\n  \"components\"",
    );
    let solution = r#"{ "formula": "sts-150-intralesional", "quantity": "10 mL",
        "compounded_at": "2026-11-21", "stock": "sts-250-us" }"#;
    let cases = [
        ("batch", BATCH.to_string(), 0),
        ("batch", solution.to_string(), 0),
        ("verify", verify, 0),
        (
            "session",
            r#"{"lesions": 12, "per_lesion": "0.2 mL"}"#.to_string(),
            0,
        ),
        (
            "session",
            r#"{"lesion": ["0.1 mL", "0.3 mL"], "sessions": 3, "start": "2026-11-23"}"#
                .to_string(),
            0,
        ),
        (
            "supply",
            r#"{"formula": "sts-25-petrolatum", "per_application": "2 g", "per_day": 2, "days": 30}"#
                .to_string(),
            0,
        ),
    ];
    for (command, request, exit) in cases {
        let cli = cli_json(dir.path(), command, &request, exit);
        let api = post(&format!("{}/api/{command}", server.base), &request);
        assert_eq!(api.status, 200, "{command}: {}", api.body);
        assert_eq!(api.content_type, "application/json");
        assert_eq!(api.body, cli, "{command} {request}");
    }
    // And a figure read off the answer, by hand: 12 lesions × 0.2 mL = 2.4 mL in all.
    let session = post(
        &format!("{}/api/session", server.base),
        r#"{"lesions": 12, "per_lesion": "0.2 mL"}"#,
    )
    .json();
    assert_eq!(session["lesions"].as_array().unwrap().len(), 12);
    assert!(
        session.to_string().contains("2.4 mL"),
        "no total of 2.4 mL in the session's answer"
    );
}

#[test]
fn api_errors_are_the_command_lines_one_line_message_with_the_field_and_a_fitting_status() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    // A value refused: 422, the message the command line prints, the document's key.
    let bad =
        r#"{"formula": "sts-25-petrolatum", "per_application": "2 g", "per_day": 0, "days": 30}"#;
    let a = post(&format!("{}/api/supply", server.base), bad);
    assert_eq!(a.status, 422, "{}", a.body);
    let e = a.json();
    assert_eq!(e["error"], cli_error(dir.path(), "supply", bad));
    assert_eq!(e["field"], "per_day");
    assert!(e["error"].as_str().unwrap().contains("--per-day"));
    // Something missing: 422 naming it.
    let a = post(
        &format!("{}/api/session", server.base),
        r#"{"per_lesion": "0.2 mL"}"#,
    );
    assert_eq!(a.status, 422);
    assert_eq!(a.json()["field"], "lesions");
    // A document that cannot be read: 400, never 500.
    for body in [
        r#"{"lesions": 12, "per_lesoin": "0.2 mL"}"#.as_bytes(),
        b"{\"lesions\": ",
        b"\xff\xfe not text",
        r#"{"lesions": 1.5, "per_lesion": "0.2 mL"}"#.as_bytes(),
    ] {
        let a = post(&format!("{}/api/session", server.base), body);
        assert_eq!(a.status, 400, "{}", a.body);
        assert!(!a.json()["error"].as_str().unwrap().contains('\n'));
    }
    // The same unknown key from the command line gives the same message.
    let typo = r#"{"lesions": 12, "per_lesoin": "0.2 mL"}"#;
    let a = post(&format!("{}/api/session", server.base), typo);
    assert_eq!(
        a.json()["error"],
        cli_error(dir.path(), "session", typo).replace(
            &dir.path().join("session-bad.json").display().to_string(),
            "request"
        )
    );
    // An unknown formula: 422. A calculation refused (unsafe): 422.
    let a = post(
        &format!("{}/api/batch", server.base),
        r#"{"formula": "no-such", "quantity": "100 g"}"#,
    );
    assert_eq!(a.status, 422);
    // A body over the limit (1 MiB): refused, 413 (or the connection cut while the client
    // is still sending the rest): never read whole, never planned.
    let huge = format!(
        "{{\"override_reason\": \"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    match agent()
        .post(format!("{}/api/session", server.base))
        .send(huge.as_bytes())
    {
        Ok(r) => assert_eq!(r.status().as_u16(), 413),
        Err(e) => assert!(matches!(e, ureq::Error::Io(_)), "{e}"),
    }
    // An unknown lot: 404; a recall without what to look for: 400.
    let a = get(&format!("{}/api/lots/NO-SUCH-LOT", server.base));
    assert_eq!(a.status, 404);
    assert_eq!(a.json()["field"], "lot");
    assert_eq!(get(&format!("{}/api/recall", server.base)).status, 400);
}

#[test]
fn lots_and_recall_answer_as_lot_show_and_recall_print() {
    let server = Server::start();
    let issued: Value = serde_json::from_str(&ok(&server.cli(&[
        "lot",
        "new",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--component",
        "sts=STS-A1@2027-05",
        "--component",
        "zinc-oxide-ointment=ZO-9@2027-03-31",
        "--date",
        "2026-12-01",
        "--by",
        "Ann Lee",
        "--format",
        "json",
    ])))
    .unwrap();
    let lot = issued["record"]["lot"]["number"].as_str().unwrap();
    assert_eq!(lot, "STS25ZO-20261201-01");
    let api = get(&format!("{}/api/lots/{lot}", server.base));
    assert_eq!(api.status, 200, "{}", api.body);
    let mut api = api.json();
    let mut cli: Value =
        serde_json::from_str(&ok(&server.cli(&["lot", "show", lot, "--format", "json"]))).unwrap();
    // The reprint's time is the time of each reprint; everything else is the same.
    for v in [&mut api, &mut cli] {
        let notice = v["reprint"]["notice"].as_str().unwrap();
        assert!(notice.starts_with(&format!("REPRINT of the record of lot {lot} ")));
        v["reprint"] = Value::Null;
    }
    assert!(
        api == cli,
        "GET /api/lots/{lot} differs from lot show --format json"
    );
    assert_eq!(api["lot"]["summary"]["lot"], lot);
    // The recall by the STS lot finds it; the answer is the command line's.
    let url = format!("{}/api/recall?component=sts=STS-A1", server.base);
    let a = get(&url);
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body,
        ok(&server.cli(&["recall", "--component", "sts=STS-A1", "--format", "json"]))
    );
    assert_eq!(a.json()[0]["lot"]["lot"], lot);
}

#[test]
fn the_server_keeps_to_loopback_and_sends_its_security_headers() {
    // Any other address is refused, while the register has no users, before anything
    // listens: one line, exit 1.
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("r.sqlite3");
    for addr in ["0.0.0.0:8700", "[::]:8700"] {
        let out = stscalc(&[
            "serve",
            "--register",
            empty.to_str().unwrap(),
            "--listen",
            addr,
        ]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("`--listen`: expected a loopback address"),
            "{err}"
        );
    }
    let server = Server::start();
    let a = get(&format!("{}/api/lots/X", server.base));
    let csp = a.header("content-security-policy").unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("script-src"), "no script is allowed: {csp}");
    assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
    // A request for another host name (DNS pointed at 127.0.0.1 by another site) is refused.
    let r = agent()
        .get(format!("{}/api/lots/X", server.base))
        .header("host", "attacker.example")
        .call()
        .unwrap();
    assert_eq!(answer(r).status, 403);
}

/// Chromium, headless, at `size` (`768,1024`): the page's DOM after it loaded, and a
/// screenshot kept under target/web-screenshots/NAME.png.
fn browse(url: &str, size: &str, name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ];
    let chromium = std::env::var("STSCALC_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let run = |extra: &[String]| {
        let out = Command::new(&chromium)
            .args(common)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--window-size={size}"))
            .args(extra)
            .arg(url)
            .stdin(Stdio::null())
            .output()
            .expect("chromium runs");
        assert!(out.status.success(), "chromium failed on {url}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let png = dir.join(format!("{name}.png"));
    run(&[format!("--screenshot={}", png.display())]);
    assert!(
        std::fs::metadata(&png).unwrap().len() > 1000,
        "no screenshot"
    );
    run(&["--dump-dom".to_string()])
}

/// The form token of a page.
fn token(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form token") + 19;
    html[at..at + 64].to_string()
}

/// `POST url` as a browser posts a form, with `fields`.
fn post_form(url: &str, fields: &[(&str, &str)]) -> Answer {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    answer(
        agent
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .send(body.as_bytes())
            .unwrap(),
    )
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The session form's formula list offers only what `session` can check (formulas with a
/// dosing policy), the command line's default first: a form sent as it comes checks what
/// `stscalc session` checks, never the topical solution that sorts first by name.
#[test]
fn the_session_form_offers_the_dosed_formulas_the_default_first() {
    let server = Server::start();
    let page = get(&format!("{}/session", server.base));
    assert_eq!(page.status, 200);
    let select = page
        .body
        .split("name=\"formula\"")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .expect("a formula select");
    let options: Vec<&str> = select
        .split("<option value=\"")
        .skip(1)
        .filter_map(|o| o.split('"').next())
        .collect();
    assert_eq!(options.first(), Some(&"sts-150-intralesional"), "{select}");
    assert!(!options.contains(&"sts-10-topical-solution"), "{select}");
    assert!(!options.contains(&"sts-25-zinc-oxide"), "{select}");
}

#[test]
fn pages_in_a_real_browser_a_12_lesion_session_and_a_hostile_site_shown_as_text() {
    if !crate::common::browser_here() {
        return;
    }
    let server = Server::start();
    // Twelve lesions of 0.2 mL each, as the form sends them, the first with a hostile site.
    let mut q = String::from("site1=%3Cscript%3Ealert(1)%3C%2Fscript%3E&ulceration1=yes");
    for i in 1..=12 {
        q.push_str(&format!("&volume{i}=0.2+mL"));
    }
    q.push_str("&go=1");
    let url = format!("{}/session?{q}", server.base);
    for (size, name) in [
        ("768,1024", "session-tablet"),
        ("1366,900", "session-desktop"),
    ] {
        let dom = browse(&url, size, name);
        // 12 × 0.2 mL = 2.4 mL, read off the page.
        assert!(dom.contains("2.4 mL"), "no total of 2.4 mL on the page");
        assert!(dom.contains("id=\"check\""), "no check on the page");
        // The site is text in a field, never an element of the page.
        assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!dom.contains("<script>alert(1)"));
    }
    // The sheet and the labels of that session, printable.
    let sheet = get(&format!("{}/session/sheet?{q}", server.base));
    assert_eq!(sheet.status, 200);
    assert!(sheet.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let labels = get(&format!("{}/session/labels?{q}", server.base));
    assert_eq!(labels.status, 200, "{}", labels.body);
    // Every other page, at tablet size.
    for (path, name) in [
        ("/", "home"),
        ("/formulas", "formulas"),
        ("/formulas/sts-25-zinc-oxide", "formula"),
        ("/lots", "lots"),
        ("/recall", "recall"),
        ("/audit", "audit"),
    ] {
        let dom = browse(&format!("{}{path}", server.base), "768,1024", name);
        assert!(dom.contains("<h1>"), "{path}");
    }
}

/// A series' batch from the web form, as its printed command gives it: one vial per session
/// and the series' shorter BUD (`stscalc batch … --vials 4.08mL,4.08mL --date 2026-12-07
/// --bud-limit 8d`).
#[test]
fn the_batch_form_takes_a_series_batch_its_vials_and_bud_limit() {
    let server = Server::start();
    let q = "formula=sts-150-intralesional&vials=4.08mL%2C4.08mL&method=dilution\
             &date=2026-12-07&bud_limit=8d&go=1";
    let page = get(&format!("{}/batch?{q}", server.base));
    assert_eq!(page.status, 200, "{}", page.body);
    // 2 × 4.08 + 2 × 0.1 = 8.36 mL → 8.5 mL (3 : 2 in whole 0.1 mL steps): stock 5.1 mL.
    assert!(page.body.contains("8.5 mL") && page.body.contains("5.1 mL"));
    // 8 days, 7 Dec as day 1: used through 14 Dec, not the rule's 16 Dec.
    assert!(
        page.body.contains("Beyond-use date: 2026-12-14"),
        "{}",
        page.body
    );
    // The issue form carries both on.
    assert!(page.body.contains("name=\"vials\" value=\"4.08mL,4.08mL\""));
    assert!(page.body.contains("name=\"bud_limit\" value=\"8d\""));
}

#[test]
fn a_batch_issued_verified_and_released_by_two_people_through_the_pages() {
    let server = Server::start();
    let q = "formula=sts-25-zinc-oxide&quantity=100+g&date=2026-12-01\
             &components=sts%3DSTS-A1%402027-05%0D%0Azinc-oxide-ointment%3DZO-9%402027-03-31&go=1";
    let plan = get(&format!("{}/batch?{q}", server.base));
    assert_eq!(plan.status, 200);
    // 100 g × 25 % = 25 g of STS, 75 g of base: the plan is on the page.
    assert!(plan.body.contains("25 g") && plan.body.contains("75 g"));
    let csrf = token(&plan.body);
    let fields = [
        ("formula", "sts-25-zinc-oxide"),
        ("quantity", "100 g"),
        ("date", "2026-12-01"),
        (
            "components",
            "sts=STS-A1@2027-05\nzinc-oxide-ointment=ZO-9@2027-03-31",
        ),
        ("by", "Ann Lee"),
    ];
    // Without its token, the form is refused: 403, and nothing is registered.
    let a = post_form(&format!("{}/batch/issue", server.base), &fields);
    assert_eq!(a.status, 403);
    let mut with = fields.to_vec();
    with.push(("csrf", &csrf));
    let a = post_form(&format!("{}/batch/issue", server.base), &with);
    assert_eq!(a.status, 303, "{}", a.body);
    let lot = "STS25ZO-20261201-01";
    assert_eq!(a.header("location"), Some(&*format!("/lots/{lot}")));
    let lot_url = format!("{}/lots/{lot}", server.base);
    // The lot page's three forms each name their own fields: every id once, every label's
    // `for` an id of the page (a screen reader reads "Verified by" for the verify form's field).
    let page = get(&lot_url);
    assert_eq!(page.status, 200);
    let ids: Vec<&str> = page
        .body
        .split(" id=\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .collect();
    let unique: std::collections::HashSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an id twice: {ids:?}");
    for target in page.body.split("<label for=\"").skip(1) {
        let target = target.split('"').next().unwrap();
        assert!(
            ids.contains(&target),
            "a label for `{target}`, no such id: {ids:?}"
        );
    }
    assert!(page.body.contains("<label for=\"f-verify-by\">Verified by"));
    // Verified from the weights measured: exactly the 25 g and 75 g of the plan.
    let a = post_form(
        &format!("{lot_url}/verify"),
        &[
            ("csrf", &csrf),
            ("by", "Ann Lee"),
            ("actual", "sts=25 g\nzinc-oxide-ointment=75 g"),
        ],
    );
    assert_eq!(a.status, 303, "{}", a.body);
    // The compounder cannot check her own lot: 409 and the register's reason on the page.
    let a = post_form(
        &format!("{lot_url}/release"),
        &[
            ("csrf", &csrf),
            ("by", "Ann Lee"),
            ("checked_by", "Ann Lee"),
        ],
    );
    assert_eq!(a.status, 409, "{}", a.body);
    assert!(a.body.contains("second person"), "{}", a.body);
    let a = post_form(
        &format!("{lot_url}/release"),
        &[
            ("csrf", &csrf),
            ("by", "Ann Lee"),
            ("checked_by", "Bob Roy"),
        ],
    );
    assert_eq!(a.status, 303, "{}", a.body);
    let status: Value =
        serde_json::from_str(&ok(&server.cli(&["lot", "list", "--format", "json"]))).unwrap();
    assert_eq!(status[0]["status"], "released");
    // The recall by the STS lot finds it on the recall page; the record prints.
    let found = get(&format!("{}/recall?component=sts%3DSTS-A1", server.base));
    assert_eq!(found.status, 200);
    assert!(found.body.contains(lot));
    let record = get(&format!("{lot_url}/record"));
    assert_eq!(record.status, 200);
    assert!(record.body.contains("REPRINT"));
    if crate::common::browser_here() {
        let dom = browse(&lot_url, "768,1024", "lot");
        assert!(dom.contains("released"));
        browse(&format!("{}/batch?{q}", server.base), "768,1024", "batch");
    }
}

/// `stscalc user add` with the password on standard input.
fn add_user(register: &Path, name: &str, role: &str, password: &str) {
    use std::io::Write;
    let mut child = crate::common::command()
        .arg("--register")
        .arg(register)
        .args(["user", "add", name, "--role", role, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A request with the session `cookie` (if any), no redirects followed.
fn with_cookie(method: &str, url: &str, cookie: &str, form: &[(&str, &str)]) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let r = if method == "GET" {
        agent.get(url).header("cookie", cookie).call()
    } else {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        agent
            .post(url)
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .send(body.as_bytes())
    };
    answer(r.unwrap())
}

/// Logs in; the `name=token` of the session cookie.
fn login(base: &str, name: &str, password: &str) -> String {
    let form = get(&format!("{base}/login"));
    let csrf = token(&form.body);
    let a = with_cookie(
        "POST",
        &format!("{base}/login"),
        "",
        &[("csrf", &csrf), ("name", name), ("password", password)],
    );
    assert_eq!(a.status, 303, "{}", a.body);
    let set = a
        .header("set-cookie")
        .expect("a session cookie")
        .to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attr), "{set}");
    }
    assert!(!set.contains("Secure"), "no TLS, no Secure: {set}");
    let pair = set.split(';').next().unwrap().to_string();
    // 32 random bytes in hex.
    assert_eq!(pair.len(), "stscalc_session=".len() + 64, "{pair}");
    pair
}

#[test]
fn with_users_every_page_needs_a_login_and_the_register_names_the_logged_in_users() {
    let (ann, sam) = ("ann", "sam");
    let pw = "a long test password";
    let server = Server::start_with(&[(ann, "technician", pw), (sam, "pharmacist", pw)], &[]);
    let base = &server.base;
    // Nothing without a session: pages go to the login form, the API answers 401.
    let a = with_cookie("GET", &format!("{base}/lots"), "", &[]);
    assert_eq!((a.status, a.header("location")), (303, Some("/login")));
    assert_eq!(get(&format!("{base}/api/lots/X")).status, 401);
    let forged = with_cookie(
        "GET",
        &format!("{base}/lots"),
        &format!("stscalc_session={}", "0".repeat(64)),
        &[],
    );
    assert_eq!(forged.status, 303);
    // A wrong password and an unknown name get the same one message.
    let form = get(&format!("{base}/login"));
    let login_csrf = token(&form.body);
    for (name, password) in [(ann, "not the password"), ("nobody", pw)] {
        let a = with_cookie(
            "POST",
            &format!("{base}/login"),
            "",
            &[
                ("csrf", &login_csrf),
                ("name", name),
                ("password", password),
            ],
        );
        assert_eq!(a.status, 401, "{}", a.body);
        assert!(a.body.contains("wrong user name or password"), "{}", a.body);
        assert!(a.header("set-cookie").is_none());
    }
    let ann_cookie = login(base, ann, pw);
    let q = "formula=sts-25-zinc-oxide&quantity=100+g&date=2026-12-01\
             &components=sts%3DSTS-A1%402027-05%0D%0Azinc-oxide-ointment%3DZO-9%402027-03-31&go=1";
    let plan = with_cookie("GET", &format!("{base}/batch?{q}"), &ann_cookie, &[]);
    assert_eq!(plan.status, 200);
    assert!(
        plan.body.contains("ann (technician)"),
        "the page names the user"
    );
    let csrf = token(&plan.body);
    // The form token is the session's: the login form's (the server's) is refused.
    assert_ne!(csrf, login_csrf);
    let fields = [
        ("formula", "sts-25-zinc-oxide"),
        ("quantity", "100 g"),
        ("date", "2026-12-01"),
        (
            "components",
            "sts=STS-A1@2027-05\nzinc-oxide-ointment=ZO-9@2027-03-31",
        ),
        // A typed name is ignored: the register names the logged-in user.
        ("by", "Mallory"),
    ];
    let mut with = fields.to_vec();
    with.push(("csrf", &login_csrf));
    let issue = format!("{base}/batch/issue");
    assert_eq!(with_cookie("POST", &issue, &ann_cookie, &with).status, 403);
    with.pop();
    with.push(("csrf", &csrf));
    let a = with_cookie("POST", &issue, &ann_cookie, &with);
    assert_eq!(a.status, 303, "{}", a.body);
    let lot = "STS25ZO-20261201-01";
    let lot_url = format!("{base}/lots/{lot}");
    // A technician cannot release (nor has the lot been verified).
    let a = with_cookie(
        "POST",
        &format!("{lot_url}/release"),
        &ann_cookie,
        &[("csrf", &csrf)],
    );
    assert_eq!(a.status, 403, "{}", a.body);
    assert!(
        a.body.contains("only a pharmacist may release"),
        "{}",
        a.body
    );
    // Ann, who compounded it, verifies it too (the bench enters what it weighed); a typed
    // name is ignored.
    let ann_page = with_cookie("GET", &lot_url, &ann_cookie, &[]);
    assert!(
        !ann_page.body.contains("name=\"by\""),
        "no name to type with accounts"
    );
    let a = with_cookie(
        "POST",
        &format!("{lot_url}/verify"),
        &ann_cookie,
        &[
            ("csrf", &csrf),
            ("by", "Mallory"),
            ("actual", "sts=25 g\nzinc-oxide-ointment=75 g"),
        ],
    );
    assert_eq!(a.status, 303, "{}", a.body);
    // Sam, a pharmacist who did not compound it, releases it: the second of two people.
    let sam_cookie = login(base, sam, pw);
    let sam_csrf = token(&with_cookie("GET", &lot_url, &sam_cookie, &[]).body);
    let a = with_cookie(
        "POST",
        &format!("{lot_url}/release"),
        &sam_cookie,
        &[("csrf", &sam_csrf), ("checked_by", "Mallory")],
    );
    assert_eq!(a.status, 303, "{}", a.body);
    let events: Value =
        serde_json::from_str(&ok(&server.cli(&["audit", "--format", "json"]))).unwrap();
    let who: Vec<(&str, &str)> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("lot."))
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        who,
        [
            ("lot.new", "ann"),
            ("lot.verify", "ann"),
            ("lot.release", "sam")
        ]
    );
    let text = serde_json::to_string(&events).unwrap();
    assert!(
        !text.contains("argon2") && !text.contains("Mallory"),
        "{text}"
    );
    // Logout ends the session: its cookie no longer opens a page.
    let a = with_cookie(
        "POST",
        &format!("{base}/logout"),
        &sam_cookie,
        &[("csrf", &sam_csrf)],
    );
    assert_eq!(a.status, 303);
    assert!(a.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(with_cookie("GET", &lot_url, &sam_cookie, &[]).status, 303);
    // Five wrong passwords lock the name out for a minute: then even the right one is refused.
    for _ in 0..5 {
        let a = with_cookie(
            "POST",
            &format!("{base}/login"),
            "",
            &[
                ("csrf", &login_csrf),
                ("name", sam),
                ("password", "wrong password!"),
            ],
        );
        assert_eq!(a.status, 401);
    }
    let a = with_cookie(
        "POST",
        &format!("{base}/login"),
        "",
        &[("csrf", &login_csrf), ("name", sam), ("password", pw)],
    );
    assert_eq!(a.status, 429, "{}", a.body);
    assert!(a.body.contains("too many failed logins"), "{}", a.body);
}

#[test]
fn with_users_a_pharmacist_who_compounded_a_lot_cannot_release_it_and_a_second_one_can() {
    let pw = "a long test password";
    let server = Server::start_with(&[("ann", "pharmacist", pw), ("ben", "pharmacist", pw)], &[]);
    let base = &server.base;
    let ann = login(base, "ann", pw);
    let csrf = token(&with_cookie("GET", &format!("{base}/batch"), &ann, &[]).body);
    let a = with_cookie(
        "POST",
        &format!("{base}/batch/issue"),
        &ann,
        &[
            ("csrf", &csrf),
            ("formula", "sts-25-zinc-oxide"),
            ("quantity", "100 g"),
            ("date", "2026-12-01"),
            (
                "components",
                "sts=STS-A1@2027-05\nzinc-oxide-ointment=ZO-9@2027-03-31",
            ),
        ],
    );
    assert_eq!(a.status, 303, "{}", a.body);
    let lot_url = format!("{base}/lots/STS25ZO-20261201-01");
    let post = |cookie: &str, csrf: &str, what: &str, more: &[(&str, &str)]| {
        let mut form = vec![("csrf", csrf)];
        form.extend_from_slice(more);
        with_cookie("POST", &format!("{lot_url}/{what}"), cookie, &form)
    };
    let weights = [("actual", "sts=25 g\nzinc-oxide-ointment=75 g")];
    assert_eq!(post(&ann, &csrf, "verify", &weights).status, 303);
    // Ann is a pharmacist, but she compounded it: the register refuses her release (403, as a
    // role refusal), whatever checker a form might name.
    let a = post(&ann, &csrf, "release", &[("checked_by", "ben")]);
    assert_eq!(a.status, 403, "{}", a.body);
    assert!(
        a.body
            .contains("`ann` compounded it, so another pharmacist must release it"),
        "{}",
        a.body
    );
    let status: Value =
        serde_json::from_str(&ok(&server.cli(&["lot", "list", "--format", "json"]))).unwrap();
    assert_eq!(status[0]["status"], "verified_pass");
    // Ben releases: two people, each logged in.
    let ben = login(base, "ben", pw);
    let ben_csrf = token(&with_cookie("GET", &lot_url, &ben, &[]).body);
    assert_eq!(post(&ben, &ben_csrf, "release", &[]).status, 303);
    let lot: Value = serde_json::from_str(&ok(&server.cli(&[
        "lot",
        "show",
        "--format",
        "json",
        "STS25ZO-20261201-01",
    ])))
    .unwrap();
    let release = &lot["lot"]["release"];
    assert_eq!(
        (&release["by"], &release["checked_by"]),
        (&json!("ben"), &json!("ben"))
    );
    let events: Value =
        serde_json::from_str(&ok(&server.cli(&["audit", "--format", "json"]))).unwrap();
    let release = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "lot.release")
        .unwrap();
    assert_eq!(release["actor"], "ben");
    assert_eq!(
        release["data_json"],
        r#"{"checked_by":"ben","check":"authenticated_releaser"}"#
    );
    let shown = ok(&server.cli(&["lot", "show", "STS25ZO-20261201-01"]));
    assert!(
        shown.contains(
            "Released by ben, who logged in as the second check of the compounder's work"
        ),
        "{shown}"
    );
    // The stored release rebuilds its event: the register checks.
    let check = ok(&server.cli(&["register", "check"]));
    assert!(check.contains("1 lot"), "{check}");
}

#[test]
fn on_a_network_address_users_are_needed_and_tls_serves_https() {
    let dir = tempfile::tempdir().unwrap();
    // A self-signed certificate for localhost, made by openssl.
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let server = Server::start_with(
        &[("pat", "pharmacist", "a long test password")],
        &[
            "--listen",
            "0.0.0.0:0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(
        server.base.starts_with("https://0.0.0.0:"),
        "{}",
        server.base
    );
    let port = server.base.rsplit(':').next().unwrap();
    // curl, checking the certificate: the login form over HTTPS, with the security headers.
    let out = Command::new("curl")
        .args(["-sS", "-i", "--cacert"])
        .arg(&cert)
        .args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
        .arg(format!("https://localhost:{port}/login"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("name=\"password\""), "{text}");
    assert!(
        text.to_ascii_lowercase()
            .contains("content-security-policy"),
        "{text}"
    );
    // Plain HTTP on the TLS port gets no page.
    let plain = Command::new("curl")
        .args(["-sS", "-m", "5"])
        .arg(format!("http://127.0.0.1:{port}/login"))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("password"));
    // A key that is not a key: one line naming the option.
    let out = stscalc(&[
        "serve",
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        cert.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--tls-key"), "{err}");
}

/// The audit chain's events, as `stscalc audit --format json` prints them.
fn audit_events(server: &Server) -> Vec<Value> {
    let events: Value =
        serde_json::from_str(&ok(&server.cli(&["audit", "--format", "json"]))).unwrap();
    events.as_array().unwrap().clone()
}

#[test]
fn with_users_disabling_a_user_on_the_command_line_ends_their_sessions_at_once() {
    let pw = "a long test password";
    let server = Server::start_with(
        &[
            ("tina", "technician", pw),
            ("dan", "pharmacist", pw),
            ("pat", "pharmacist", pw),
        ],
        &[],
    );
    let base = &server.base;
    let (tina, dan) = (login(base, "tina", pw), login(base, "dan", pw));
    // Tina issues a lot while enabled; both sessions work and name their users.
    let tina_csrf = token(&with_cookie("GET", &format!("{base}/batch"), &tina, &[]).body);
    let issue = [
        ("csrf", tina_csrf.as_str()),
        ("formula", "sts-25-zinc-oxide"),
        ("quantity", "100 g"),
        ("date", "2026-12-01"),
        (
            "components",
            "sts=STS-A1@2027-05\nzinc-oxide-ointment=ZO-9@2027-03-31",
        ),
    ];
    let a = with_cookie("POST", &format!("{base}/batch/issue"), &tina, &issue);
    assert_eq!(a.status, 303, "{}", a.body);
    let lot_url = format!("{base}/lots/STS25ZO-20261201-01");
    assert_eq!(a.header("location"), Some("/lots/STS25ZO-20261201-01"));
    let dan_page = with_cookie("GET", &lot_url, &dan, &[]);
    assert!(
        dan_page.body.contains("dan (pharmacist)"),
        "{}",
        dan_page.body
    );
    let dan_csrf = token(&dan_page.body);
    let api_lot = format!("{base}/api/lots/STS25ZO-20261201-01");
    assert_eq!(with_cookie("GET", &api_lot, &dan, &[]).status, 200);

    // Another process (the command line) disables both; the server is not told.
    ok(&server.cli(&["user", "disable", "dan"]));
    ok(&server.cli(&["user", "disable", "tina"]));
    let before = audit_events(&server);
    assert_eq!(
        before
            .iter()
            .filter(|e| e["action"] == "user.disable")
            .count(),
        2
    );

    // Their old cookies now get what no session gets: the login form for a page and a form
    // post, 401 for the API. (A successful issue is also a 303: the location tells them apart.)
    let to_login = |a: Answer| {
        assert_eq!(
            (a.status, a.header("location")),
            (303, Some("/login")),
            "{}",
            a.body
        );
    };
    to_login(with_cookie("GET", &lot_url, &dan, &[]));
    to_login(with_cookie("GET", &format!("{base}/batch"), &tina, &[]));
    to_login(with_cookie(
        "POST",
        &format!("{base}/batch/issue"),
        &tina,
        &issue,
    ));
    to_login(with_cookie(
        "POST",
        &format!("{lot_url}/verify"),
        &tina,
        &[
            ("csrf", &tina_csrf),
            ("actual", "sts=25 g\nzinc-oxide-ointment=75 g"),
        ],
    ));
    to_login(with_cookie(
        "POST",
        &format!("{lot_url}/reject"),
        &dan,
        &[("csrf", &dan_csrf), ("reason", "disabled, still trying")],
    ));
    let a = with_cookie("GET", &api_lot, &dan, &[]);
    assert_eq!(a.status, 401, "{}", a.body);
    assert!(a.json()["error"]
        .as_str()
        .unwrap()
        .starts_with("log in first"));
    // Nothing was written: the same events, the one lot still in preparation (issued, not verified).
    let after = audit_events(&server);
    assert_eq!(after.len(), before.len(), "{after:?}");
    let lots: Value =
        serde_json::from_str(&ok(&server.cli(&["lot", "list", "--format", "json"]))).unwrap();
    assert_eq!(lots.as_array().unwrap().len(), 1, "{lots}");
    assert_eq!(lots[0]["status"], "in_preparation");
    // A fresh login is refused with the one message.
    let form = get(&format!("{base}/login"));
    let a = with_cookie(
        "POST",
        &format!("{base}/login"),
        "",
        &[
            ("csrf", &token(&form.body)),
            ("name", "dan"),
            ("password", pw),
        ],
    );
    assert_eq!(a.status, 401, "{}", a.body);

    // A role is read on every request too. No command changes a role, so the row is changed
    // directly (as another process could): pat, demoted to technician, may no longer reject.
    let pat = login(base, "pat", pw);
    let pat_page = with_cookie("GET", &lot_url, &pat, &[]);
    assert!(
        pat_page.body.contains("pat (pharmacist)"),
        "{}",
        pat_page.body
    );
    let pat_csrf = token(&pat_page.body);
    rusqlite::Connection::open(&server.register)
        .unwrap()
        .execute(
            "UPDATE users SET role = 'technician' WHERE name = 'pat'",
            [],
        )
        .unwrap();
    let pat_page = with_cookie("GET", &lot_url, &pat, &[]);
    assert!(
        pat_page.body.contains("pat (technician)"),
        "{}",
        pat_page.body
    );
    let a = with_cookie(
        "POST",
        &format!("{lot_url}/reject"),
        &pat,
        &[("csrf", &pat_csrf), ("reason", "demoted")],
    );
    assert_eq!(a.status, 403, "{}", a.body);
    assert!(
        a.body.contains("only a pharmacist may reject"),
        "{}",
        a.body
    );
    assert_eq!(audit_events(&server).len(), before.len());

    // A register that cannot be opened refuses the request (fails closed), one line, 503.
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |m| std::fs::set_permissions(&server.register, std::fs::Permissions::from_mode(m)).unwrap();
    mode(0o444);
    let page = with_cookie("GET", &lot_url, &pat, &[]);
    let api = with_cookie("GET", &api_lot, &pat, &[]);
    mode(0o600);
    assert_eq!(page.status, 503, "{}", page.body);
    assert!(
        page.body
            .starts_with("cannot check the session against the register: ")
            && page.body.trim_end().lines().count() == 1,
        "{}",
        page.body
    );
    assert_eq!(api.status, 503, "{}", api.body);
    assert!(api.json()["error"]
        .as_str()
        .unwrap()
        .starts_with("cannot check the session against the register: "));
    // The session outlives an unreadable register: it was not the user's doing.
    assert_eq!(with_cookie("GET", &lot_url, &pat, &[]).status, 200);
}

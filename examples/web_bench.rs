//! Load benchmark of the web app (issue 15), not a test: `stscalc serve` on loopback, 200
//! concurrent clients, 100,000 requests, half of them the session check page (a 12-lesion
//! session, `GET /session?…&go=1`, the page a clinician loads) and half the JSON API
//! (`POST /api/session` with `{"lesions": 12, "per_lesion": "0.2 mL"}`), each client
//! alternating the two on its own kept-alive connection.
//!
//! ```text
//! cargo run --release --example web_bench [-- --clients 200 --requests 100000]
//! ```
//!
//! Reports requests per second, p50/p99/max latency per endpoint, the errors (any answer but
//! 200, any failed connection), the server's resident memory (VmRSS, and its peak VmHWM,
//! from /proc) before and after the load, and the processor time the server and the clients
//! each used (from /proc): the clients run on the same cores, so the server's time per request
//! is the figure that measures the server alone, whatever else the machine was doing.
//!
//! The server runs in a process of its own (this program started again with `--serve`, which
//! calls the library's [`stscalc::web::serve`] exactly as `stscalc serve` does), so the memory
//! read is the server's alone; the clients share the machine's cores with it, as they would
//! on the one machine a pharmacy runs it on. Latencies are measured by the clients, from
//! sending a request to having read its whole answer.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The session check page's query: 12 lesions of 0.2 mL, checked.
const PAGE: &str = "/session?lesions=12&per_lesion=0.2+mL&go=1";
/// The API's request document for the same session.
const API_BODY: &str = r#"{"lesions": 12, "per_lesion": "0.2 mL"}"#;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--serve") {
        serve();
        return;
    }
    let number = |flag: &str, default: usize| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map_or(default, |v| v.parse().expect("a whole number"))
    };
    let clients = number("--clients", 200);
    let requests = number("--requests", 100_000);

    let mut server = Command::new(std::env::current_exe().expect("this program"))
        .arg("--serve")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().to_string();
    let pid = server.id();
    println!("server: {base} (process {pid})");
    println!("memory before: {}", memory(pid));

    let per_client = requests / clients;
    let (server_cpu, client_cpu) = (cpu_seconds(&pid.to_string()), cpu_seconds("self"));
    let started = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let base = base.clone();
            std::thread::spawn(move || client(&base, per_client, c))
        })
        .collect();
    let (mut page, mut api, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for h in handles {
        let r = h.join().expect("a client thread");
        page.extend(r.page);
        api.extend(r.api);
        errors.extend(r.errors);
    }
    let elapsed = started.elapsed();
    let total = page.len() + api.len() + errors.len();
    println!(
        "{total} requests from {clients} concurrent clients in {:.1} s: {:.0} requests per second",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    report("session check page (GET /session)", &mut page);
    report("API (POST /api/session)", &mut api);
    let mut all: Vec<Duration> = page.iter().chain(&api).copied().collect();
    report("all", &mut all);
    println!("errors: {}", errors.len());
    errors.sort();
    errors.dedup();
    for e in errors.iter().take(5) {
        println!("  e.g. {e}");
    }
    println!("memory after: {}", memory(pid));
    let (server_cpu, client_cpu) = (
        cpu_seconds(&pid.to_string()) - server_cpu,
        cpu_seconds("self") - client_cpu,
    );
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "processor time: server {server_cpu:.1} s ({:.0} µs per request), clients {client_cpu:.1} s ({:.0} µs per request), of {:.1} s on {cores} cores",
        server_cpu * 1e6 / total as f64,
        client_cpu * 1e6 / total as f64,
        elapsed.as_secs_f64() * cores as f64,
    );
    let _ = server.kill();
    let _ = server.wait();
}

/// The server half: serves on a free loopback port, prints its address, serves until killed.
fn serve() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let addr = listener.local_addr().unwrap();
    let config = stscalc::web::Config {
        catalog: stscalc::formula::Catalog::load(None).expect("the formulas"),
        register: None,
        templates: None,
        formulas: None,
        // One person's machine: loopback, no accounts, plain HTTP.
        loopback: true,
        accounts: false,
        tls: None,
    };
    stscalc::web::serve(config, listener, || {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "http://{addr}");
        let _ = out.flush();
        Ok(())
    })
    .expect("the server runs");
}

/// What one client measured.
struct Measured {
    page: Vec<Duration>,
    api: Vec<Duration>,
    errors: Vec<String>,
}

/// One client: `n` requests on one kept-alive connection, alternating the page and the API.
fn client(base: &str, n: usize, which: usize) -> Measured {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut m = Measured {
        page: Vec::with_capacity(n / 2 + 1),
        api: Vec::with_capacity(n / 2 + 1),
        errors: Vec::new(),
    };
    for i in 0..n {
        let on_page = (i + which) % 2 == 0;
        let t = Instant::now();
        let answer = if on_page {
            agent.get(format!("{base}{PAGE}")).call()
        } else {
            agent
                .post(format!("{base}/api/session"))
                .header("content-type", "application/json")
                .send(API_BODY.as_bytes())
        };
        let result = answer.map_err(|e| e.to_string()).and_then(|mut r| {
            let status = r.status().as_u16();
            let body = r.body_mut().read_to_string().map_err(|e| e.to_string())?;
            match status {
                // Each answer carries the session's total: 12 × 0.2 mL = 2.4 mL.
                200 if body.contains("2.4") => Ok(()),
                200 => Err("an answer without the total".to_string()),
                s => Err(format!("HTTP {s}")),
            }
        });
        let took = t.elapsed();
        match result {
            Ok(()) if on_page => m.page.push(took),
            Ok(()) => m.api.push(took),
            Err(e) => m.errors.push(e),
        }
    }
    m
}

/// Prints the count, p50, p99 and the slowest of `times`.
fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let at = |q: f64| {
        times
            .get(((times.len() as f64 * q).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{what}: {} answers, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        at(0.50),
        at(0.99),
        at(1.0)
    );
}

/// The server's resident memory and its peak, from /proc.
fn memory(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l[name.len()..].trim().to_string())
            .unwrap_or_else(|| "unknown".into())
    };
    format!("VmRSS {}, peak VmHWM {}", field("VmRSS:"), field("VmHWM:"))
}

/// The processor time (user and system, every thread) process `pid` has used so far, in
/// seconds, from /proc/PID/stat (`self` for this process). Its fields 14 and 15 count in
/// USER_HZ, which Linux fixes at 100 a second for /proc.
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // After the name, field 3 is the first: utime (14) and stime (15) are the 12th and 13th.
    (ticks(11) + ticks(12)) / 100.0
}

//! The backends the register's tests run on: a fresh SQLite file, or a fresh PostgreSQL
//! database on the server named by `STSCALC_TEST_POSTGRES` (a URL, e.g.
//! `postgresql://USER:PASSWORD@/postgres?host=/tmp/socket-dir`; the role must be allowed to
//! create databases and, for the tamper tests, be a superuser). Without it the PostgreSQL tests
//! say loudly that they were skipped; with `STSCALC_REQUIRE_POSTGRES=1` (set by `.ci/run`) they
//! fail instead. `.ci/run` starts a throwaway cluster for them.
//!
//! Each backend also gives the raw access someone with the `sqlite3` tool or `psql` has, for
//! the tamper tests.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use stscalc::register::{Location, PostgresUrl, RegisterStore, SqliteRegister};

/// Each named test function (taking `&dyn Backend`) as a test on a fresh SQLite file
/// (`register::sqlite::NAME`) and on a fresh PostgreSQL database (`register::postgres::NAME`).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&$crate::register_backends::Sqlite::new());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(b) = $crate::register_backends::Postgres::new(stringify!($name)) {
                        super::$name(&b);
                    }
                }
            )*
        }
    };
}
pub(crate) use on_both_backends;

/// A fresh register for one test, and raw access to its database.
pub trait Backend {
    /// `sqlite` or `postgres`.
    fn name(&self) -> &'static str;
    /// Where the register is (as `--register` would say).
    fn location(&self) -> Location;
    /// What `--register` says for it: the file's path or the database's URL.
    fn setting(&self) -> PathBuf;
    /// Opens the register (created on first use), through the interface a command gets.
    fn open(&self) -> Box<dyn RegisterStore> {
        stscalc::register::open(&self.location()).unwrap()
    }
    /// Runs SQL as someone with the database tool would; the error's text if it fails.
    fn raw(&self, sql: &str) -> Result<(), String>;
    /// One integer from a query.
    fn raw_i64(&self, sql: &str) -> i64;
    /// One text from a query.
    fn raw_text(&self, sql: &str) -> String;
    /// Gets past the append-only guards as the database's owner could: drops the named
    /// triggers (and on PostgreSQL stops enforcing foreign keys for this raw session, as the
    /// `sqlite3` tool does not enforce them).
    fn drop_guards(&self, triggers: &[&str]);
    /// Writes a schema version behind stscalc's back.
    fn set_schema_version(&self, v: u32);
}

/// A fresh SQLite file in a temporary folder.
pub struct Sqlite {
    pub dir: tempfile::TempDir,
    conn: RefCell<Option<rusqlite::Connection>>,
}

impl Sqlite {
    pub fn new() -> Sqlite {
        Sqlite {
            dir: tempfile::tempdir().unwrap(),
            conn: RefCell::new(None),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("register.sqlite3")
    }

    fn with<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> T) -> T {
        let mut c = self.conn.borrow_mut();
        let c = c.get_or_insert_with(|| {
            let c = rusqlite::Connection::open(self.path()).unwrap();
            // Off, as in the `sqlite3` tool (the bundled library turns it on by default).
            c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
            c
        });
        f(c)
    }
}

impl Backend for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }
    fn location(&self) -> Location {
        Location::Sqlite(self.path())
    }
    fn setting(&self) -> PathBuf {
        self.path()
    }
    fn open(&self) -> Box<dyn RegisterStore> {
        Box::new(SqliteRegister::open(&self.path()).unwrap())
    }
    fn raw(&self, sql: &str) -> Result<(), String> {
        self.with(|c| c.execute_batch(sql).map_err(|e| e.to_string()))
    }
    fn raw_i64(&self, sql: &str) -> i64 {
        self.with(|c| c.query_row(sql, [], |r| r.get(0)).unwrap())
    }
    fn raw_text(&self, sql: &str) -> String {
        self.with(|c| c.query_row(sql, [], |r| r.get(0)).unwrap())
    }
    fn drop_guards(&self, triggers: &[&str]) {
        for t in triggers {
            self.raw(&format!("DROP TRIGGER {t}")).unwrap();
        }
    }
    fn set_schema_version(&self, v: u32) {
        self.raw(&format!("PRAGMA user_version = {v}")).unwrap();
    }
}

/// The server's URL for the tests, or `None` (after saying so loudly) when none is given.
pub fn postgres_server(test: &str) -> Option<String> {
    match std::env::var("STSCALC_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let message = format!(
                "SKIPPED PostgreSQL register test `{test}`: STSCALC_TEST_POSTGRES is not set (a server URL; .ci/run starts one)"
            );
            if std::env::var_os("STSCALC_REQUIRE_POSTGRES").is_some() {
                panic!("{message}, and STSCALC_REQUIRE_POSTGRES is set");
            }
            // Written to the stderr handle itself, not through `eprintln!`, which the test
            // harness captures and hides for passing tests: a skip must be seen.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "\n!!!!!!!! {message} !!!!!!!!\n");
            None
        }
    }
}

/// `url` naming the database `db` instead.
pub fn with_dbname(url: &str, db: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}dbname={db}")
}

/// A connection to `url` as `psql` would make (no TLS: the test server is local).
pub fn connect(url: &str) -> postgres::Client {
    url.parse::<postgres::Config>()
        .unwrap()
        .connect(postgres::NoTls)
        .unwrap()
}

/// A fresh database on the test server, dropped after the test.
pub struct Postgres {
    admin: String,
    pub db: String,
    pub url: String,
    raw: RefCell<Option<postgres::Client>>,
}

static DATABASES: AtomicU32 = AtomicU32::new(0);

impl Postgres {
    /// A new empty database for `test`, or `None` when no server is given (and the skip was
    /// reported).
    pub fn new(test: &str) -> Option<Postgres> {
        let admin = postgres_server(test)?;
        let n = DATABASES.fetch_add(1, Ordering::SeqCst);
        let short: String = test
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(30)
            .collect();
        let db = format!(
            "t_{}_{}_{n}",
            std::process::id(),
            short.to_ascii_lowercase()
        );
        connect(&admin)
            .batch_execute(&format!("CREATE DATABASE {db}"))
            .unwrap();
        Some(Postgres {
            url: with_dbname(&admin, &db),
            admin,
            db,
            raw: RefCell::new(None),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut postgres::Client) -> T) -> T {
        let mut c = self.raw.borrow_mut();
        f(c.get_or_insert_with(|| connect(&self.url)))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.raw.borrow_mut().take();
        if let Ok(mut c) = std::panic::catch_unwind(|| connect(&self.admin)) {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db));
        }
    }
}

impl Backend for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }
    fn location(&self) -> Location {
        Location::Postgres(PostgresUrl::parse(&self.url).unwrap())
    }
    fn setting(&self) -> PathBuf {
        PathBuf::from(&self.url)
    }
    fn raw(&self, sql: &str) -> Result<(), String> {
        self.with(|c| {
            c.batch_execute(sql).map_err(|e| match e.as_db_error() {
                Some(db) => db.message().to_string(),
                None => e.to_string(),
            })
        })
    }
    fn raw_i64(&self, sql: &str) -> i64 {
        self.with(|c| c.query_one(sql, &[]).unwrap().get(0))
    }
    fn raw_text(&self, sql: &str) -> String {
        self.with(|c| c.query_one(sql, &[]).unwrap().get(0))
    }
    fn drop_guards(&self, triggers: &[&str]) {
        for t in triggers {
            let table = self.raw_text(&format!(
                "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = '{t}' LIMIT 1"
            ));
            self.raw(&format!("DROP TRIGGER {t} ON {table}")).unwrap();
        }
        self.raw("SET session_replication_role = replica").unwrap();
    }
    fn set_schema_version(&self, v: u32) {
        self.raw(&format!("UPDATE stscalc_schema SET version = {v}"))
            .unwrap();
    }
}

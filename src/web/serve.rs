//! `stscalc serve`: the web app and its JSON API ([`super`]) on one address, loopback by
//! default. The address is checked and bound, and the register opened (created on first use),
//! before the address is printed: a bad `--listen` or register is one line and exit 1, never a
//! server that fails on its first request.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::Path;

use crate::cli::{Cli, ServeArgs};
use crate::commands::register::open_or_create;
use crate::error::{Error, Result};
use crate::formula::Catalog;

/// `stscalc serve`.
pub fn run(cli: &Cli, args: &ServeArgs) -> Result<()> {
    let (register, templates, formulas) = (
        cli.register.as_deref(),
        cli.templates.as_deref(),
        cli.formulas.as_deref(),
    );
    let catalog = Catalog::load(formulas)?;
    let addr = listen_address(&args.listen)?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(super::tls::config(cert, key)?),
        _ => None,
    };
    // Opened once now: a path that is not a register is refused before anyone connects.
    let users = open_or_create(register)?
        .users()
        .map_err(crate::commands::register::reg)?;
    let accounts = users.iter().any(|u| !u.disabled);
    let loopback = addr.ip().is_loopback();
    if !loopback && !accounts {
        return Err(Error::input(
            "--listen",
            "a loopback address (127.0.0.1 or ::1) while the register has no users: on a network address every page needs a login, so add users first (`stscalc user add NAME --role pharmacist`), or put a reverse proxy with its own logins in front (see the README)",
            format!("{}, which is {}", crate::error::quote(args.listen.trim()), addr.ip()),
        ));
    }
    // The templates are read now too: a broken `--templates` folder is refused at the start.
    crate::render::html::Renderer::new(templates)?;
    let listener = TcpListener::bind(addr).map_err(|source| Error::Io {
        path: format!("--listen {addr}").into(),
        source,
    })?;
    let bound = listener.local_addr().map_err(|source| Error::Io {
        path: format!("--listen {addr}").into(),
        source,
    })?;
    super::serve(
        super::Config {
            catalog,
            register: register.map(Path::to_path_buf),
            templates: templates.map(Path::to_path_buf),
            formulas: formulas.map(Path::to_path_buf),
            loopback,
            accounts,
            tls: tls.clone(),
        },
        listener,
        || {
            let scheme = if tls.is_some() { "https" } else { "http" };
            let who = if accounts {
                "login required"
            } else {
                "loopback only, no accounts"
            };
            let line = format!("stscalc serving on {scheme}://{bound}/ ({who}; Ctrl-C stops it)\n");
            crate::output::emit(line.as_bytes(), None, false)
        },
    )
}

/// Reads `--listen`: an address and port (a name such as `localhost:8700` is resolved). A name
/// that resolves to loopback and network addresses at once is refused: it would be read as
/// one and served on the other.
pub fn listen_address(text: &str) -> Result<SocketAddr> {
    let t = text.trim();
    let expected = "an address and port such as `127.0.0.1:8700` or `[::1]:8700`";
    let addrs: Vec<SocketAddr> = t
        .to_socket_addrs()
        .map_err(|_| Error::input("--listen", expected, crate::error::quote(t)))?
        .collect();
    let first = *addrs
        .first()
        .ok_or_else(|| Error::input("--listen", expected, crate::error::quote(t)))?;
    if addrs
        .iter()
        .any(|a| a.ip().is_loopback() != first.ip().is_loopback())
    {
        return Err(Error::input(
            "--listen",
            "an address that is loopback or not, not a name that is both",
            crate::error::quote(t),
        ));
    }
    Ok(first)
}

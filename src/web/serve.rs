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
    // Opened once now: a path that is not a register is refused before anyone connects.
    drop(open_or_create(register)?);
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
        },
        listener,
        || {
            let line = format!(
                "stscalc serving on http://{bound}/ (loopback only, no accounts; Ctrl-C stops it)\n"
            );
            crate::output::emit(line.as_bytes(), None, false)
        },
    )
}

/// Reads `--listen`: an address and port (a name such as `localhost:8700` is resolved). Only a
/// loopback address is accepted: the web app has no user accounts yet, so on any other
/// address anyone on the network could issue and release lots.
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
    if let Some(open) = addrs.iter().find(|a| !a.ip().is_loopback()) {
        return Err(Error::input(
            "--listen",
            "a loopback address (127.0.0.1 or ::1): stscalc has no user accounts yet, so it serves only this machine; to serve a pharmacy's network put a reverse proxy with its own logins and TLS in front (see the README)",
            format!("{}, which is {}", crate::error::quote(t), open.ip()),
        ));
    }
    Ok(first)
}

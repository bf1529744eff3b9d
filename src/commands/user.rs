//! `stscalc user add|list|disable`: the web app's accounts, kept in the register with a
//! `user.add` / `user.disable` event each. The password is read from the terminal without echo,
//! or from standard input with `--password-stdin`; never from an argument.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use super::register::{open_existing, open_or_create, reg};
use crate::cli::{Format, UserCommand, UserRole};
use crate::error::{Error, Result};
use crate::output;
use crate::register::{password, Role};
use crate::render;

/// `stscalc user`.
pub fn run(register: Option<&Path>, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add {
            name,
            role,
            password_stdin,
        } => {
            let role = match role {
                UserRole::Technician => Role::Technician,
                UserRole::Pharmacist => Role::Pharmacist,
            };
            let secret = read_password(password_stdin)?;
            let hash = password::hash(&secret).map_err(reg)?;
            let mut store = open_or_create(register)?;
            let event = store.add_user(&actor(), &name, role, &hash).map_err(reg)?;
            let said = format!(
                "user {} added as {} (audit event {})\n",
                name.trim().to_ascii_lowercase(),
                role.as_str(),
                event.seq
            );
            output::emit(said.as_bytes(), None, false)
        }
        UserCommand::List { format } => {
            let users = open_existing(register)?.users().map_err(reg)?;
            let out = match format {
                Format::Json => render::json(&users)?,
                Format::Text if users.is_empty() => "no users\n".to_string(),
                Format::Text => users
                    .iter()
                    .map(|u| {
                        format!(
                            "{}  {}{}  added {}\n",
                            u.name,
                            u.role.as_str(),
                            if u.disabled { " (disabled)" } else { "" },
                            u.created_at
                        )
                    })
                    .collect(),
            };
            output::emit(out.as_bytes(), None, false)
        }
        UserCommand::Disable { name } => {
            let event = open_existing(register)?
                .disable_user(&actor(), &name)
                .map_err(reg)?;
            let said = format!(
                "user {} disabled (audit event {})\n",
                name.trim().to_ascii_lowercase(),
                event.seq
            );
            output::emit(said.as_bytes(), None, false)
        }
    }
}

/// Who ran the command, for the audit event: the operating system's login name.
fn actor() -> String {
    let login = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "unknown".into());
    format!("{} (command line)", login.trim())
}

/// The password: the first line of standard input with `--password-stdin`, else typed twice
/// on the terminal with echo off.
fn read_password(from_stdin: bool) -> Result<String> {
    let io = |source| Error::Io {
        path: "the password".into(),
        source,
    };
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(io)?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_string());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Refused(
            "`password`: expected a terminal to type it on, found none (give --password-stdin and the password on standard input)".into(),
        ));
    }
    let first = ask("password: ")?;
    let again = ask("the same password again: ")?;
    if first != again {
        return Err(Error::Refused(
            "`password`: the two passwords typed differ; nothing was written".into(),
        ));
    }
    Ok(first)
}

/// One line typed on the terminal with echo off (`stty -echo`), echo restored after.
fn ask(prompt: &str) -> Result<String> {
    let io = |source| Error::Io {
        path: "/dev/tty".into(),
        source,
    };
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::fs::File::open("/dev/tty")?)
            .status()
    };
    output::prompt(prompt)?;
    stty("-echo").map_err(io)?;
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    let _ = stty("echo");
    output::prompt("\n")?;
    read.map_err(io)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

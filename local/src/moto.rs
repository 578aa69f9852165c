//! moto, from the project's own virtual environment (`.venv`, made by `scripts/setup`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

/// A running moto. It exits when this value is dropped or this process ends (its standard
/// input closes), so nothing is left behind.
pub struct Moto {
    child: Child,
    _stdin: ChildStdin,
    pub endpoint: String,
}

impl Moto {
    /// Starts moto on a free port of 127.0.0.1.
    pub fn start(root: &Path) -> Result<Self, String> {
        let (child, stdin, port) = spawn_reporting_port(
            root,
            "moto",
            "scripts/moto_server.py",
            &[
                // TOTP codes are checked for real (moto uses one fixed secret for every user).
                ("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true"),
                ("MOTO_ALLOW_NONEXISTENT_REGION", "false"),
            ],
        )?;
        Ok(Self {
            child,
            _stdin: stdin,
            endpoint: format!("http://127.0.0.1:{port}"),
        })
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one of the project's Python servers (`script`) with the venv's Python; it prints its
/// port on its first line and exits when its standard input closes.
pub(crate) fn spawn_reporting_port(
    root: &Path,
    name: &str,
    script: &str,
    env: &[(&str, &str)],
) -> Result<(Child, ChildStdin, u16), String> {
    let python = root.join(".venv/bin/python");
    if !python.exists() {
        return Err(format!(
            "{} is missing: run scripts/setup (or make run / make test) first",
            python.display()
        ));
    }
    let mut child = Command::new(python)
        .arg(root.join(script))
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| format!("could not start {name}: {error}"))?;
    let stdin = child.stdin.take().ok_or(format!("{name} has no stdin"))?;
    let stdout = child.stdout.take().ok_or(format!("{name} has no stdout"))?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|error| format!("{name} did not start: {error}"))?;
    let port: u16 = line
        .trim()
        .parse()
        .map_err(|_| format!("{name} did not report its port (said {line:?})"))?;
    Ok((child, stdin, port))
}

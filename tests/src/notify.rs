//! A real desktop notification service for the end-to-end tests: a private D-Bus session bus
//! (`dbus-daemon`), Debian's `dunst` owning `org.freedesktop.Notifications` on it, and
//! `dbus-monitor` writing down every `Notify` call that reaches it. The app is started with
//! [`NotifyBus::env`] so its notifications go to this bus.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One `Notify` call as the bus saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    /// Seconds since the Unix epoch when the call went over the bus.
    pub at: f64,
    pub app_name: String,
    pub summary: String,
    pub body: String,
}

/// The bus, the daemon and the monitor; all stop when it is dropped.
pub struct NotifyBus {
    children: Vec<Child>,
    address: PathBuf,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

fn spawn(cmd: &mut Command, what: &str) -> Child {
    cmd.spawn().unwrap_or_else(|e| panic!("start {what} (cargo xtask test installs it): {e}"))
}

impl NotifyBus {
    /// Starts the bus, `dunst` and the monitor, and waits until `dunst` owns the name.
    pub fn start() -> NotifyBus {
        let dir = tempfile::tempdir().expect("bus folder");
        let socket = dir.path().join("bus");
        let address = format!("unix:path={}", socket.display());
        let bus = spawn(
            Command::new("dbus-daemon")
                .args(["--session", "--nofork", "--nopidfile", &format!("--address={address}")])
                .stdout(Stdio::null()),
            "dbus-daemon",
        );
        let mut me = NotifyBus {
            children: vec![bus],
            address: PathBuf::from(&address),
            log: dir.path().join("monitor.log"),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "dbus-daemon did not open {}", socket.display());
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = std::fs::File::create(&me.log).expect("monitor log");
        me.children.push(spawn(
            Command::new("dbus-monitor")
                .args(["--address", &address])
                .arg("type='method_call',interface='org.freedesktop.Notifications',member='Notify'")
                .stdout(log)
                .stderr(Stdio::null()),
            "dbus-monitor",
        ));
        me.children.push(spawn(
            Command::new("dunst")
                .env("DBUS_SESSION_BUS_ADDRESS", &address)
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
            "dunst",
        ));
        while !me.has_owner() {
            assert!(Instant::now() < deadline, "dunst did not take org.freedesktop.Notifications");
            std::thread::sleep(Duration::from_millis(100));
        }
        me
    }

    fn has_owner(&self) -> bool {
        Command::new("dbus-send")
            .arg(format!("--bus={}", self.address.display()))
            .args(["--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"])
            .args(["org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.Notifications"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
    }

    /// The environment that points an app at this bus.
    pub fn env(&self) -> (&'static str, &Path) {
        ("DBUS_SESSION_BUS_ADDRESS", &self.address)
    }

    /// Every notification the bus has carried so far.
    pub fn seen(&self) -> Vec<Seen> {
        let file = std::fs::File::open(&self.log).expect("open the monitor log");
        parse(BufReader::new(file).lines().map_while(Result::ok))
    }
}

impl Drop for NotifyBus {
    fn drop(&mut self) {
        for c in self.children.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Reads `dbus-monitor`'s text: a `method call time=…` header per call, then its arguments,
/// of which the strings are the app name, the icon, the summary and the body, in that order.
fn parse(lines: impl Iterator<Item = String>) -> Vec<Seen> {
    fn finish(c: Option<(f64, Vec<String>)>, out: &mut Vec<Seen>) {
        if let Some((at, s)) = c {
            let get = |i: usize| s.get(i).cloned().unwrap_or_default();
            out.push(Seen { at, app_name: get(0), summary: get(2), body: get(3) });
        }
    }
    let mut out = Vec::new();
    let mut current: Option<(f64, Vec<String>)> = None;
    for line in lines {
        if line.starts_with("method call") && line.contains("member=Notify") {
            finish(current.take(), &mut out);
            let at = line
                .split_whitespace()
                .find_map(|w| w.strip_prefix("time="))
                .and_then(|t| t.parse().ok())
                .unwrap_or(0.0);
            current = Some((at, Vec::new()));
        } else if let Some((_, strings)) = current.as_mut() {
            let t = line.trim_start();
            if let Some(rest) = t.strip_prefix("string \"") {
                strings.push(rest.strip_suffix('"').unwrap_or(rest).to_owned());
            } else if !line.starts_with(' ') && !line.is_empty() {
                finish(current.take(), &mut out);
            }
        }
    }
    finish(current, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_notify_call() {
        let text = r#"signal time=1700000000.000 sender=org.freedesktop.DBus -> destination=:1.2 serial=2 path=/org/freedesktop/DBus; interface=org.freedesktop.DBus; member=NameAcquired
   string ":1.2"
method call time=1780000123.456789 sender=:1.5 -> destination=org.freedesktop.Notifications serial=7 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify
   string "kindred-app"
   uint32 0
   string ""
   string "Kindred"
   string "Today is a day worth marking."
   array [
   ]
   int32 -1
"#;
        let seen = parse(text.lines().map(str::to_owned));
        assert_eq!(
            seen,
            [Seen {
                at: 1_780_000_123.456_789,
                app_name: "kindred-app".into(),
                summary: "Kindred".into(),
                body: "Today is a day worth marking.".into(),
            }]
        );
    }
}

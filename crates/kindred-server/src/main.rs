//! `kindred-server`: the program server binary. `serve` runs the sync API; the other commands
//! are the staff's tools (programs, people, invites, devices, contacts, program content), each
//! writing through the same single write path as device changes.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use axum_server::tls_rustls::RustlsConfig;
use clap::{Parser, Subcommand};
use kindred_core::sync::merge::Op;
use kindred_core::sync::pin::{self, Pin};
use kindred_server::http::{self, Limits, Network};
use kindred_server::tls::TlsFiles;
use kindred_server::{db, secrets, PersonRole, Service, StaffId, SystemClock};
use serde_json::{json, Map, Value};

#[derive(Debug, Parser)]
#[command(name = "kindred-server", version, about = "Kindred's program server")]
struct Cli {
    /// A SQLite file (default, created if missing) or a postgres:// URL.
    #[arg(long, env = "KINDRED_DATABASE", default_value = "kindred-server.sqlite3", global = true)]
    database: String,
    /// The payload MAC key file (64 hex digits, mode 0600), kept outside the database; created
    /// on first start of an empty database only. Default next to a SQLite file; required for
    /// PostgreSQL (or KINDRED_MAC_KEY), where every instance must share it.
    #[arg(long, env = "KINDRED_KEY_FILE", global = true)]
    key_file: Option<PathBuf>,
    /// The payload MAC key itself (64 hex digits), e.g. from a secret store, instead of a file.
    #[arg(long = "mac-key", env = "KINDRED_MAC_KEY", global = true, hide_env_values = true)]
    mac_key: Option<String>,
    /// Who runs staff commands: their staff id (letters, digits, '.', '_', '@', '-'), recorded
    /// with every staff write. Default `staff`, the id staff writes had before staff ids.
    #[arg(long, env = "KINDRED_STAFF_ID", default_value = "staff", global = true)]
    staff_id: String,
    /// The TLS certificate chain (PEM, the server's certificate first). With --tls-key, `serve`
    /// speaks HTTPS and `invite` prints the key check and pins phones need.
    #[arg(long, env = "KINDRED_TLS_CERT", global = true, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The TLS private key (PEM).
    #[arg(long, env = "KINDRED_TLS_KEY", global = true, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Pins (`sha256/<base64>`) of spare keys kept offline, announced so phones accept a
    /// rotation to them (repeat, or comma-separate). `kindred-server pin --cert FILE` prints one.
    #[arg(long, env = "KINDRED_TLS_BACKUP_PINS", global = true, value_delimiter = ',')]
    tls_backup_pin: Vec<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the sync API: over TLS with --tls-cert/--tls-key (re-read on SIGHUP); plain HTTP only
    /// on a loopback address (a TLS proxy on the same host).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// A proxy whose X-Forwarded-For names the client (repeat for each hop). Only set this
        /// for a proxy that overwrites the header.
        #[arg(long, env = "KINDRED_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxy: Vec<std::net::IpAddr>,
        /// Sync requests per minute per device.
        #[arg(long, default_value_t = 600)]
        device_per_minute: u32,
        /// Enrolment and refresh attempts per minute per address.
        #[arg(long, default_value_t = 10)]
        enrol_per_minute: u32,
        /// Seconds a whole request (arriving and answered) may take.
        #[arg(long, default_value_t = 30)]
        request_timeout_secs: u64,
    },
    /// Print the pin (`sha256/<base64>`) of a certificate's key, e.g. a spare key's.
    Pin {
        #[arg(long)]
        cert: PathBuf,
    },
    /// Programs.
    Program {
        #[command(subcommand)]
        cmd: ProgramCmd,
    },
    /// Add a mentee (by a program-assigned pseudonym, never a real name; prints the id), or
    /// show one (whether they deleted their data, never what it was).
    Mentee {
        #[command(subcommand)]
        cmd: MenteeCmd,
    },
    /// Mentors: add one (prints the id), assign or unassign mentees, issue a one-time
    /// set-up link for their sign-in, or disable their sign-in.
    Mentor {
        #[command(subcommand)]
        cmd: MentorCmd,
    },
    /// Issue a one-time invite code for a mentee's phone. Prints the code to type (with the
    /// server's key check when TLS is set up), then, with --server, the QR payload with pins.
    Invite {
        #[arg(long)]
        mentee: String,
        /// Hours the code stays valid (at most 24).
        #[arg(long, default_value_t = 24)]
        hours: i64,
        /// The server address phones use (https://…); put into the QR payload.
        #[arg(long)]
        server: Option<String>,
        /// Write the QR code here as SVG.
        #[arg(long)]
        qr: Option<PathBuf>,
    },
    /// A mentee's devices.
    Devices {
        #[command(subcommand)]
        cmd: DevicesCmd,
    },
    /// A mentee's mentor contacts.
    Contact {
        #[command(subcommand)]
        cmd: ContactCmd,
    },
    /// Publish program content: milestone ladders, resources, help numbers.
    Publish {
        #[command(subcommand)]
        cmd: PublishCmd,
    },
    /// Remove published program content.
    Unpublish {
        #[arg(long)]
        program: String,
        /// ladder, resource or help_number.
        #[arg(long)]
        entity: String,
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum ProgramCmd {
    /// Create a program; prints its id.
    Create { name: String },
}

#[derive(Debug, Subcommand)]
enum MenteeCmd {
    Create {
        #[arg(long)]
        program: String,
        label: String,
    },
    /// Prints the mentee as JSON: label, created, data_deleted_at, records held.
    Show { id: String },
}

#[derive(Debug, Subcommand)]
enum MentorCmd {
    /// Add a mentor (by the name mentees will see); prints the id.
    Create {
        #[arg(long)]
        program: String,
        label: String,
    },
    /// Assign a mentee to a mentor (same program). The mentor sees nothing until the mentee
    /// shares something with them on their phone.
    Assign {
        #[arg(long)]
        mentor: String,
        #[arg(long)]
        mentee: String,
    },
    /// End an assignment: the mentor sees nothing of this mentee from now on.
    Unassign {
        #[arg(long)]
        mentor: String,
        #[arg(long)]
        mentee: String,
    },
    /// A one-time link (valid 3 days) for the mentor to choose a password and set up their
    /// authenticator app; prints it. Issuing one again replaces an unused one.
    SetupLink {
        #[arg(long)]
        mentor: String,
        /// The name they will sign in with (3 to 40 of a-z, 0-9, '.', '_', '-').
        #[arg(long)]
        login: String,
        /// The server address mentors use (https://…).
        #[arg(long)]
        server: String,
    },
    /// Disable a mentor's sign-in (their sessions end at the next request).
    Disable {
        #[arg(long)]
        mentor: String,
    },
}

#[derive(Debug, Subcommand)]
enum DevicesCmd {
    List {
        #[arg(long)]
        mentee: String,
    },
    /// Revoke a device: it stops syncing at once and keeps its own data.
    Revoke { device_id: String },
}

#[derive(Debug, Subcommand)]
enum ContactCmd {
    Set {
        #[arg(long)]
        mentee: String,
        /// primary or backup.
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        sms: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum PublishCmd {
    Ladder {
        #[arg(long)]
        program: String,
        #[arg(long)]
        name: String,
        /// Milestone days, comma-separated (e.g. 1,7,30,60,90,180,365).
        #[arg(long, value_delimiter = ',')]
        days: Vec<u32>,
        /// Replace this ladder instead of adding one.
        #[arg(long)]
        id: Option<String>,
    },
    Resource {
        #[arg(long)]
        program: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        body: Option<String>,
        #[arg(long)]
        url: Option<String>,
        #[arg(long, default_value_t = 0)]
        position: i64,
        #[arg(long)]
        id: Option<String>,
    },
    HelpNumber {
        #[arg(long)]
        program: String,
        #[arg(long)]
        label: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        sms: Option<String>,
        #[arg(long)]
        hours: Option<String>,
        #[arg(long, default_value_t = 0)]
        position: i64,
        #[arg(long)]
        id: Option<String>,
    },
}

/// The payload MAC key: `--mac-key`, or the key file (made only for a database without data).
fn mac_key(cli: &Cli, storage: &dyn db::Storage) -> Result<[u8; 32]> {
    if let Some(secret) = &cli.mac_key {
        return Ok(secrets::parse_key(secret)?);
    }
    let path = match &cli.key_file {
        Some(p) => p.clone(),
        None if db::is_postgres(&cli.database) => {
            bail!(
                "PostgreSQL needs the payload MAC key given explicitly: --key-file PATH or \
                 KINDRED_MAC_KEY (every instance on the database must share it)."
            )
        }
        None => {
            let path = cli.database.strip_prefix("sqlite://").unwrap_or(&cli.database);
            PathBuf::from(format!("{path}.key"))
        }
    };
    Ok(secrets::load_or_create_key(&path, !db::has_data(storage)?)?)
}

fn obj(pairs: Vec<(&str, Value)>) -> Map<String, Value> {
    pairs.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.to_owned(), v)).collect()
}

fn publish(
    svc: &Service,
    program: &str,
    entity: &str,
    id: Option<&str>,
    fields: Map<String, Value>,
) -> Result<()> {
    let scope = svc.program_scope(program)?;
    let op = if id.is_some() { Op::Set } else { Op::Create };
    println!("{}", svc.staff_write(&scope, entity, id, op, fields)?);
    Ok(())
}

fn tls_files(cli: &Cli) -> Result<Option<TlsFiles>> {
    let (Some(cert), Some(key)) = (&cli.tls_cert, &cli.tls_key) else { return Ok(None) };
    let backup_pins = cli
        .tls_backup_pin
        .iter()
        .map(|p| {
            Pin::parse(p).with_context(|| format!("--tls-backup-pin {p:?} is not sha256/<base64>"))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(TlsFiles { cert: cert.clone(), key: key.clone(), backup_pins }))
}

/// Resolves on SIGINT or SIGTERM.
async fn stop_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} },
            Err(_) => drop(ctrl_c.await),
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}

/// Re-reads the certificate and key on every SIGHUP (a renewed certificate, or a rotation to
/// the backup key); a bad file is logged and the old one kept.
#[cfg(unix)]
fn reload_on_hangup(files: TlsFiles, config: RustlsConfig, svc: Arc<Service>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hup) = signal(SignalKind::hangup()) else { return };
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            match files.load() {
                Ok((c, pins)) => {
                    config.reload_from_config(c);
                    svc.set_pins(pins);
                    tracing::info!(event = "tls_reloaded", "certificate reloaded");
                }
                Err(e) => {
                    tracing::error!(event = "tls_reload_failed", error = %e, "kept the old certificate")
                }
            }
        }
    });
}

async fn serve(
    svc: Arc<Service>,
    tls: Option<TlsFiles>,
    listen: String,
    limits: Limits,
    network: Network,
) -> Result<()> {
    let listener =
        std::net::TcpListener::bind(&listen).with_context(|| format!("binding {listen}"))?;
    let addr = listener.local_addr()?;
    let router = http::router(svc.clone(), limits, network);
    match tls {
        Some(files) => {
            let (config, pins) = files.load()?;
            let config = RustlsConfig::from_config(config);
            svc.set_pins(pins);
            #[cfg(unix)]
            reload_on_hangup(files, config.clone(), svc.clone());
            tracing::info!(%addr, backend = svc.backend(), tls = true, "listening");
            // Tests and scripts read this line to learn the port when listening on :0.
            println!("listening on https://{addr}");
            let headers = limits.timeout.min(std::time::Duration::from_secs(10));
            http::serve_tls(listener, router, config, headers, stop_signal()).await?;
        }
        None => {
            if !http::plain_allowed(&addr) {
                bail!(
                    "Refusing plain HTTP on {addr}: phones need HTTPS. Give --tls-cert and \
                     --tls-key, or listen on a loopback address behind a TLS proxy on this host."
                );
            }
            tracing::info!(%addr, backend = svc.backend(), tls = false, "listening");
            println!("listening on http://{addr}");
            listener.set_nonblocking(true)?;
            http::serve(tokio::net::TcpListener::from_std(listener)?, router, stop_signal())
                .await?;
        }
    }
    Ok(())
}

/// The QR payload of an invite: address, code and pins.
fn invite_payload(server: &str, code: &str, pins: &[String]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("server", server).append_pair("code", code);
    for p in pins {
        q.append_pair("pin", p);
    }
    format!("kindred://enrol?{}", q.finish())
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    kindred_server::logging::init();
    let storage = db::open(&cli.database).context("opening the database")?;
    let key = mac_key(&cli, &*storage).context("reading the payload MAC key")?;
    let staff = StaffId::parse(&cli.staff_id).context("reading --staff-id")?;
    let tls = tls_files(&cli)?;
    let svc = Arc::new(Service::open(storage, Arc::new(SystemClock), key)?.with_staff(staff));
    match cli.command {
        Command::Serve {
            listen,
            device_per_minute,
            enrol_per_minute,
            request_timeout_secs,
            trusted_proxy,
        } => {
            let limits = Limits {
                device_per_minute,
                enrol_per_minute,
                timeout: std::time::Duration::from_secs(request_timeout_secs.max(1)),
                ..Limits::default()
            };
            let network = Network { trusted_proxies: trusted_proxy };
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(serve(svc.clone(), tls, listen, limits, network))?;
            // The runtime goes first: storage clients (PostgreSQL's runs its own runtime) must
            // not be dropped inside it.
            drop(rt);
        }
        Command::Pin { cert } => {
            let chain = kindred_server::tls::read_chain(&cert)?;
            println!("{}", kindred_server::tls::pin_of(&chain[0])?);
        }
        Command::Program { cmd: ProgramCmd::Create { name } } => {
            println!("{}", svc.create_program(&name)?)
        }
        Command::Mentee { cmd: MenteeCmd::Create { program, label } } => {
            println!("{}", svc.create_person(&program, PersonRole::Mentee, &label)?);
        }
        Command::Mentee { cmd: MenteeCmd::Show { id } } => {
            println!("{}", serde_json::to_string(&svc.mentee_info(&id)?)?);
        }
        Command::Mentor { cmd } => match cmd {
            MentorCmd::Create { program, label } => {
                println!("{}", svc.create_person(&program, PersonRole::Mentor, &label)?);
            }
            MentorCmd::Assign { mentor, mentee } => {
                svc.assign(&mentor, &mentee)?;
                eprintln!("Assigned. The mentor sees nothing until the mentee shares it.");
            }
            MentorCmd::Unassign { mentor, mentee } => svc.unassign(&mentor, &mentee)?,
            MentorCmd::SetupLink { mentor, login, server } => {
                let base = server.trim_end_matches('/');
                if !base.starts_with("https://") && !base.starts_with("http://127.0.0.1") {
                    bail!("--server must be the https:// address mentors use");
                }
                let token = svc.mentor_setup_link(&mentor, &login)?;
                println!("{base}/mentor/setup?t={token}");
            }
            MentorCmd::Disable { mentor } => svc.disable_mentor(&mentor)?,
        },
        Command::Invite { mentee, hours, server, qr } => {
            let code = svc.invite(&mentee, hours * 3600 * 1000)?;
            let pins = match &tls {
                Some(files) => files.pins()?,
                None => Vec::new(),
            };
            match pins.first() {
                Some(current) => println!("{}", pin::typed_code(&code, current)),
                None => {
                    println!("{code}");
                    eprintln!(
                        "No --tls-cert: phones can't check this server's key with this code."
                    );
                }
            }
            let pins: Vec<String> = pins.iter().map(Pin::to_string).collect();
            let payload = server.as_deref().map(|s| invite_payload(s, &code, &pins));
            if let Some(p) = &payload {
                println!("{p}");
            }
            if let Some(path) = qr {
                let Some(payload) = payload else {
                    bail!("--qr needs --server (the address phones use)")
                };
                let svg = qrcode::QrCode::new(payload.as_bytes())?
                    .render::<qrcode::render::svg::Color<'_>>()
                    .min_dimensions(256, 256)
                    .build();
                std::fs::write(&path, svg)
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!("QR code written to {}", path.display());
            }
        }
        Command::Devices { cmd: DevicesCmd::List { mentee } } => {
            for d in svc.devices(&mentee)? {
                println!("{}", serde_json::to_string(&d)?);
            }
        }
        Command::Devices { cmd: DevicesCmd::Revoke { device_id } } => {
            svc.revoke(&device_id)?;
            println!("revoked");
        }
        Command::Contact { cmd: ContactCmd::Set { mentee, role, name, phone, sms, email } } => {
            let f = obj(vec![
                ("name", json!(name)),
                ("phone", json!(phone)),
                ("sms", json!(sms)),
                ("email", json!(email)),
            ]);
            println!("{}", svc.set_contact(&mentee, &role, f)?);
        }
        Command::Publish { cmd } => match cmd {
            PublishCmd::Ladder { program, name, days, id } => {
                publish(
                    &svc,
                    &program,
                    "ladder",
                    id.as_deref(),
                    obj(vec![("name", json!(name)), ("days", json!(days))]),
                )?;
            }
            PublishCmd::Resource { program, title, body, url, position, id } => {
                let f = obj(vec![
                    ("title", json!(title)),
                    ("body", json!(body)),
                    ("url", json!(url)),
                    ("position", json!(position)),
                ]);
                publish(&svc, &program, "resource", id.as_deref(), f)?;
            }
            PublishCmd::HelpNumber { program, label, phone, sms, hours, position, id } => {
                let f = obj(vec![
                    ("label", json!(label)),
                    ("phone", json!(phone)),
                    ("sms", json!(sms)),
                    ("hours", json!(hours)),
                    ("position", json!(position)),
                ]);
                publish(&svc, &program, "help_number", id.as_deref(), f)?;
            }
        },
        Command::Unpublish { program, entity, id } => {
            let scope = svc.program_scope(&program)?;
            svc.staff_write(&scope, &entity, Some(&id), Op::Delete, Map::new())?;
            println!("removed");
        }
    }
    Ok(())
}

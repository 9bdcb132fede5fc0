//! Command line and environment configuration.

use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "fangxin",
    version,
    about = "放心消费创建管理平台 · Trusted-consumption campaign platform"
)]
pub struct Cli {
    #[command(flatten)]
    pub storage: Storage,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where the data lives: the database, the data folder and the object store. Shared by
/// `fangxin` and `fangxin-tools`, so both open the same database with the same audit key.
#[derive(Debug, Args)]
pub struct Storage {
    /// Database: `sqlite://PATH` or `postgres://USER@HOST:PORT/DB`.
    /// Default: a SQLite file in the data folder.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Folder for the SQLite database and uploaded files; created when missing.
    #[arg(long, env = "FANGXIN_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Keep uploaded files in this S3-compatible endpoint (e.g. `https://s3.example.cn`,
    /// `http://minio:9000`) instead of the data folder: needed when several server
    /// instances run. Path-style addressing, Signature Version 4.
    #[arg(long, env = "FANGXIN_S3_ENDPOINT", global = true)]
    pub s3_endpoint: Option<String>,

    #[arg(
        long,
        env = "FANGXIN_S3_BUCKET",
        default_value = "fangxin",
        global = true
    )]
    pub s3_bucket: String,

    #[arg(
        long,
        env = "FANGXIN_S3_REGION",
        default_value = "us-east-1",
        global = true
    )]
    pub s3_region: String,

    #[arg(long, env = "FANGXIN_S3_ACCESS_KEY", default_value = "", global = true)]
    pub s3_access_key: String,

    #[arg(
        long,
        env = "FANGXIN_S3_SECRET_KEY",
        default_value = "",
        global = true,
        hide_env_values = true
    )]
    pub s3_secret_key: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site (the default).
    Serve(ServeArgs),
    /// Apply database migrations and load reference data, then exit.
    Migrate,
    /// Create a staff account (the first system administrator, for one); prints its
    /// temporary password, which must be changed at first sign-in.
    CreateStaff(CreateStaffArgs),
    /// Work with the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Set the business date that notices, objections and rectification deadlines use
    /// (`--today 2026-10-14`), or go back to the real date (`--clear`). Only a server
    /// started with FANGXIN_TEST_CLOCK=1 reads it: this is for browser tests and demos.
    Clock(ClockArgs),
    /// Import a 12315 export (CSV or XLSX) all or nothing; prints rows per second, and
    /// the first problems when the file is refused.
    ImportComplaints(ImportComplaintsArgs),
    /// Take a consistent backup while the server runs (SQLite: the database and the
    /// uploaded files) into a new folder. PostgreSQL: use pg_dump (README).
    Backup(BackupArgs),
    /// Restore a folder made by `fangxin backup` into the data folder. Stop the server
    /// first; the database it replaces is kept beside it.
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// A new (or empty) folder for the backup.
    #[arg(long)]
    pub to: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A folder made by `fangxin backup`.
    #[arg(long)]
    pub from: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportComplaintsArgs {
    pub file: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct ClockArgs {
    /// YYYY-MM-DD
    #[arg(long)]
    pub today: Option<String>,
    #[arg(long)]
    pub clear: bool,
}

#[derive(Debug, Args)]
pub struct CreateStaffArgs {
    #[arg(long)]
    pub login: String,
    #[arg(long)]
    pub name: String,
    /// system_admin, security_admin, audit_admin, county_office, township_reviewer,
    /// panel_member, member_unit_staff or leader.
    #[arg(long)]
    pub role: String,
    /// Area code the account is scoped to, e.g. 341721 (the county) or 341721100 (a township).
    #[arg(long)]
    pub area: String,
    #[arg(long)]
    pub mobile: String,
    /// For member_unit_staff: the bureau's code (amr, sti, culture, …).
    #[arg(long, default_value = "")]
    pub member_unit: String,
    /// Use this temporary password instead of a generated one.
    #[arg(long, env = "FANGXIN_STAFF_PASSWORD")]
    pub password: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain; exit 1 and name the first bad entry if it is broken.
    Verify,
}

/// `fangxin` alone means `fangxin serve`, with serve's flags read from the environment.
#[derive(Parser)]
struct ServeDefaults {
    #[command(flatten)]
    args: ServeArgs,
}

impl Storage {
    /// Where uploaded files go: the S3 bucket when configured, else `<data>/objects`.
    pub fn object_store(&self, data_dir: &Path) -> store::objects::ObjectStore {
        use store::objects::{ObjectStore, S3Bucket, S3Settings};
        match &self.s3_endpoint {
            Some(endpoint) if !endpoint.is_empty() => ObjectStore::S3(S3Bucket::new(S3Settings {
                endpoint: endpoint.clone(),
                bucket: self.s3_bucket.clone(),
                region: self.s3_region.clone(),
                access_key: self.s3_access_key.clone(),
                secret_key: self.s3_secret_key.clone(),
            })),
            _ => ObjectStore::LocalDir(data_dir.join("objects")),
        }
    }
}

impl Default for Command {
    fn default() -> Self {
        Command::Serve(ServeDefaults::parse_from(["fangxin"]).args)
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. cargo-leptos passes LEPTOS_SITE_ADDR.
    #[arg(long, env = "FANGXIN_LISTEN")]
    pub listen: Option<String>,

    /// The built site (WASM, JS, CSS, public files), as written by `cargo leptos build`.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Mark the session cookie Secure: set this when served behind TLS.
    #[arg(long, env = "FANGXIN_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Sign-in and registration attempts allowed per client address per minute.
    #[arg(long, env = "FANGXIN_AUTH_RATE_LIMIT", default_value_t = 30)]
    pub auth_rate_limit: i64,

    /// How long a public page rendered for a visitor who is not signed in may be sent
    /// again, in milliseconds (this instance's own writes end it at once); 0 turns the
    /// page cache off.
    #[arg(long, env = "FANGXIN_PAGE_CACHE_TTL_MS", default_value_t = 1000)]
    pub page_cache_ttl_ms: u64,

    /// The site's address as visitors reach it (`https://fangxin.example.gov.cn`): put in
    /// QR codes, canonical and share links and the sitemap. Required behind a proxy; by
    /// default the listening address. Request headers (Host, X-Forwarded-*) never set it.
    #[arg(long, env = "FANGXIN_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Reverse proxies (IP addresses, comma-separated) whose X-Forwarded-For names the
    /// client; from any other peer the header is ignored.
    #[arg(long, env = "FANGXIN_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxy: Vec<std::net::IpAddr>,

    /// Addresses (comma-separated) that may read /metrics besides this machine's own.
    #[arg(long, env = "FANGXIN_METRICS_ALLOW", value_delimiter = ',')]
    pub metrics_allow: Vec<std::net::IpAddr>,
}

impl ServeArgs {
    /// The public address: `--public-url` (checked), else `http://` and the address listened on.
    pub fn public_origin(&self, listening: std::net::SocketAddr) -> Result<String, String> {
        match self.public_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) if (u.starts_with("https://") || u.starts_with("http://"))
                && !u["https://".len().min(u.len())..].contains(['?', '#', ' ']) =>
            {
                Ok(u.trim_end_matches('/').to_string())
            }
            Some(u) => Err(format!(
                "--public-url {u:?} is not an http(s) address such as https://fangxin.example.gov.cn"
            )),
            None => Ok(format!("http://{listening}")),
        }
    }

    pub fn listen_addr(&self) -> String {
        self.listen
            .clone()
            .or_else(|| std::env::var("LEPTOS_SITE_ADDR").ok())
            .unwrap_or_else(|| "127.0.0.1:3000".to_string())
    }
}

/// The file in the data folder that holds the audit chain's key when no
/// `FANGXIN_AUDIT_KEY` is set; made at first start.
pub const AUDIT_KEY_FILE: &str = "audit.key";
/// The append-only file of audit anchors (head sequence and hash, every ten minutes).
pub const AUDIT_ANCHORS_FILE: &str = "audit-anchors.log";

impl Storage {
    /// The audit chain's key: `FANGXIN_AUDIT_KEY` (64 hex digits; every instance of a
    /// PostgreSQL deployment sets the same), else the data folder's `audit.key`, made with
    /// 32 random bytes (readable by the owner only) when missing. Never in the database.
    pub fn audit_key(&self, data_dir: &Path) -> Result<store::audit::AuditKey, String> {
        if let Ok(v) = std::env::var("FANGXIN_AUDIT_KEY") {
            if !v.trim().is_empty() {
                return store::audit::AuditKey::parse_hex(&v)
                    .ok_or_else(|| "FANGXIN_AUDIT_KEY must be 64 hexadecimal digits".to_string());
            }
        }
        let path = data_dir.join(AUDIT_KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => store::audit::AuditKey::parse_hex(&text).ok_or_else(|| {
                format!(
                    "{} does not hold an audit key (64 hexadecimal digits)",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = store::audit::AuditKey::from_bytes(
                    app::accounts::session::random_bytes::<32>(),
                );
                write_private(&path, &key.to_hex())
                    .map_err(|e| format!("cannot write the audit key {}: {e}", path.display()))?;
                Ok(key)
            }
            Err(e) => Err(format!("cannot read the audit key {}: {e}", path.display())),
        }
    }

    /// Creates the data folder and proves it is writable, so a bad folder fails at start.
    pub fn prepare_data_dir(&self) -> Result<PathBuf, String> {
        let dir = &self.data_dir;
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the data folder {}: {e}", dir.display()))?;
        let probe = dir.join(".write-test");
        std::fs::write(&probe, b"ok")
            .map_err(|e| format!("the data folder {} is not writable: {e}", dir.display()))?;
        let _ = std::fs::remove_file(probe);
        Ok(dir.clone())
    }

    pub fn database_url(&self, data_dir: &Path) -> String {
        self.database_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("fangxin.db").display()))
    }
}

impl Storage {
    /// Opens the database with the audit key, migrated and with its reference data.
    pub async fn open(&self, data_dir: &Path) -> Result<store::Store, String> {
        let database_url = self.database_url(data_dir);
        let audit_key = self.audit_key(data_dir)?;
        let store = store::Store::connect(&database_url, &store::ConnectSettings::default())
            .await
            .map_err(|e| format!("{e} (DATABASE_URL={})", redact(&database_url)))?
            .with_audit_key(audit_key);
        store.migrate().await.map_err(|e| e.to_string())?;
        store
            .seed_reference_data()
            .await
            .map_err(|e| e.to_string())?;
        Ok(store)
    }
}

/// Hides a password in a database URL before it is printed.
/// Creates the S3 bucket of `objects` when there is one. A key allowed to write objects
/// but not to create buckets is fine (the bucket may exist already): say so and go on.
pub async fn ensure_bucket(objects: &store::objects::ObjectStore) {
    if let store::objects::ObjectStore::S3(bucket) = objects {
        if let Err(e) = bucket.create_bucket().await {
            tracing::warn!(error = %e, "could not create the S3 bucket (it may exist already)");
        }
    }
}

pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    match (rest.find('@'), rest.find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!(
                "{}{}:***{}",
                &url[..scheme_end + 3],
                &rest[..colon],
                &rest[at..]
            )
        }
        _ => url.to_string(),
    }
}

/// Writes a new file that only its owner may read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

/// Appends the chain's head to the anchors file (and the log) when it moved since `last`.
pub async fn write_audit_anchor(
    store: &store::Store,
    data_dir: &Path,
    last: &mut Option<store::audit::Anchor>,
) -> Result<(), String> {
    use std::io::Write;
    let anchor = store.audit_anchor().await.map_err(|e| e.to_string())?;
    if anchor.seq == 0 || last.as_ref() == Some(&anchor) {
        return Ok(());
    }
    let line = anchor.line(&store::now_text());
    tracing::info!(target: "audit_anchor", seq = anchor.seq, hash = %anchor.hash, "audit anchor");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(data_dir.join(AUDIT_ANCHORS_FILE))
        .and_then(|mut f| writeln!(f, "{line}"))
        .map_err(|e| format!("cannot append the audit anchor: {e}"))?;
    *last = Some(anchor);
    Ok(())
}

/// The anchors written so far (none when the file is missing).
pub fn read_audit_anchors(data_dir: &Path) -> Vec<store::audit::Anchor> {
    std::fs::read_to_string(data_dir.join(AUDIT_ANCHORS_FILE))
        .map(|t| {
            t.lines()
                .filter_map(store::audit::Anchor::parse_line)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://data/x.db"), "sqlite://data/x.db");
    }

    #[test]
    fn the_default_database_lives_in_the_data_folder() {
        let cli = Cli::parse_from(["fangxin", "--data-dir", "/tmp/fx"]);
        assert_eq!(
            cli.storage.database_url(Path::new("/tmp/fx")),
            "sqlite:///tmp/fx/fangxin.db"
        );
        assert!(cli.command.is_none());
    }
}

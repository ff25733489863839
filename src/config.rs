//! Command-line and environment configuration. Every flag has an env var.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Clone, Parser)]
#[command(name = "kontoregister", version, about = "Kontoregistret: sociala medier-konton")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Run the database migrations and exit.
    Migrate,
    /// Check the dated reminders once (archiving, IMY deadlines, the yearly
    /// review) and queue their mails; the server does this every ten minutes.
    Tick,
    /// Create an administrator and print a one-time password.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// PostgreSQL URL. Without it a private cluster is run in --data-dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// PostgreSQL URL of the tables' owner, for the migrations; the server then
    /// runs as DATABASE_URL's role with only the rights it needs.
    #[arg(long, env = "KONTOREGISTER_MIGRATION_DATABASE_URL", hide_env_values = true)]
    pub migration_database_url: Option<String>,
    /// Address to listen on.
    #[arg(long, env = "KONTOREGISTER_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Directory of the private PostgreSQL cluster (used without DATABASE_URL).
    #[arg(long, env = "KONTOREGISTER_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Mark cookies Secure and send HSTS (use when served over TLS).
    #[arg(long, env = "KONTOREGISTER_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "KONTOREGISTER_SESSION_TIMEOUT_MINUTES", default_value_t = 480)]
    pub session_timeout_minutes: i64,
    /// Seconds before a request is answered with 503.
    #[arg(long, env = "KONTOREGISTER_REQUEST_TIMEOUT_SECONDS", default_value_t = 15)]
    pub request_timeout_seconds: u64,
    /// Login attempts allowed per client address per minute.
    #[arg(long, env = "KONTOREGISTER_LOGIN_ATTEMPTS_PER_MINUTE", default_value_t = 20)]
    pub login_attempts_per_minute: i32,
    /// Requests to the public pages (verification, open data) allowed per client
    /// address per minute, on each server.
    #[arg(long, env = "KONTOREGISTER_PUBLIC_REQUESTS_PER_MINUTE", default_value_t = 120)]
    pub public_requests_per_minute: u32,
    /// The licence of the open-data files, as shown on /oppna-data.
    #[arg(long, env = "KONTOREGISTER_OPEN_DATA_LICENCE", default_value = "CC0 1.0")]
    pub open_data_licence: String,
    /// Where mail is sent, in lettre's URL form: `smtp://user:pass@host:587?tls=required`,
    /// or `smtp://127.0.0.1:2525` for a local relay. Without it mails stay in the outbox.
    #[arg(long, env = "KONTOREGISTER_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of the mails.
    #[arg(
        long,
        env = "KONTOREGISTER_MAIL_FROM",
        default_value = "Kontoregistret <kontoregistret@example.se>"
    )]
    pub mail_from: String,
    /// The address users reach Kontoregistret at: the base of the links in mails.
    #[arg(long, env = "KONTOREGISTER_PUBLIC_URL", default_value = "http://localhost:8080")]
    pub public_url: String,
    /// Seconds between the mail worker's looks at the outbox.
    #[arg(long, env = "KONTOREGISTER_MAIL_INTERVAL_SECONDS", default_value_t = 10, hide = true)]
    pub mail_interval_seconds: u64,
    /// Addresses (or networks, `10.0.0.0/8`) of the reverse proxies in front of
    /// the server, comma-separated: only from them is `X-Forwarded-For` believed.
    #[arg(long, env = "KONTOREGISTER_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_net)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Load demo data into an empty database.
    #[arg(long, env = "KONTOREGISTER_DEMO", default_value_t = false)]
    pub demo: bool,
    /// Password of every demo user (a random one is printed when unset).
    #[arg(long, env = "KONTOREGISTER_DEMO_PASSWORD", hide_env_values = true)]
    pub demo_password: Option<String>,
    /// Log filter, e.g. "info" or "kontoregister=debug,tower_http=info".
    #[arg(long, env = "KONTOREGISTER_LOG", default_value = "info,sqlx=warn")]
    pub log: String,
    /// Pretend today is this date (YYYY-MM-DD), for demonstrations and tests of
    /// date rules such as December archiving. Times of day stay real.
    #[arg(long, env = "KONTOREGISTER_TODAY", value_parser = parse_date, hide = true)]
    pub today: Option<time::Date>,
}

fn parse_date(s: &str) -> Result<time::Date, String> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| "expected a date as YYYY-MM-DD".to_string())
}

impl Config {
    /// Settings for tests and tools: defaults as the CLI has them.
    pub fn for_tests() -> Self {
        Cli::parse_from(["kontoregister"]).config
    }
}

/// An address or a network: `10.0.0.5`, `10.0.0.0/8`, `::1`.
fn parse_net(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{s:?} is not an IP address or network"))
}

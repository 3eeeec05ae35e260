//! Settings of `ioc serve`, from command-line flags and the environment. One typed struct;
//! tests build it with [`ServeConfig::for_tests`] and change the fields they care about.

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where the database is unless told otherwise.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/ioc.sqlite";

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// The database: a SQLite file (`sqlite://path/to/file.sqlite`), created if missing, one
    /// serving process per file; or PostgreSQL (`postgres://user@host/database`), for
    /// several instances on one database.
    #[arg(long, env = "IOC_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// A directory holding the province's data files (province.toml, agencies.toml,
    /// areas.toml, indicators.toml); the built-in demo province (Sơn La) when absent.
    #[arg(long, env = "IOC_PROVINCE_DIR")]
    pub province_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "IOC_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Do not start the demo feed.
    #[arg(long, env = "IOC_NO_DEMO")]
    pub no_demo: bool,

    /// Seed of the demo feed: the same seed gives the same figures.
    #[arg(long, env = "IOC_DEMO_SEED", default_value_t = 2025)]
    pub demo_seed: u64,

    /// Days of history the demo feed backfills at start.
    #[arg(long, env = "IOC_DEMO_HISTORY_DAYS", default_value_t = 365)]
    pub demo_history_days: u32,

    /// Milliseconds between the demo feed's live updates.
    #[arg(long, env = "IOC_DEMO_INTERVAL_MS", default_value_t = 3000)]
    pub demo_interval_ms: u64,

    /// The built site (CSS, JS, WASM); by default `site/` beside the executable's
    /// directory (e.g. `target/site` for `target/release/ioc`), else `target/site`.
    #[arg(long, env = "LEPTOS_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    /// How many recent events the live hub keeps for resuming clients.
    #[arg(long, env = "IOC_RETAIN_EVENTS", default_value_t = 100_000)]
    pub retain_events: usize,

    /// How many frames a live client may fall behind before its updates are coalesced.
    #[arg(long, env = "IOC_CLIENT_QUEUE", default_value_t = 256)]
    pub client_queue: usize,

    /// Seconds between heartbeat frames on the live stream.
    #[arg(long, env = "IOC_HEARTBEAT_SECS", default_value_t = 10)]
    pub heartbeat_secs: u64,

    /// Seconds a write to a live client may take before the client is closed as slow.
    #[arg(long, env = "IOC_WRITE_TIMEOUT_SECS", default_value_t = 10)]
    pub write_timeout_secs: u64,

    /// Most observations in one ingest batch.
    #[arg(long, env = "IOC_MAX_BATCH", default_value_t = 10_000)]
    pub max_batch: usize,

    /// Largest ingest request body, in bytes.
    #[arg(long, env = "IOC_MAX_BODY_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Origins allowed to post forms, call server functions and open live connections
    /// (repeat the flag, or comma-separate); the server's own address when absent.
    #[arg(
        long = "allowed-origin",
        env = "IOC_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// Addresses of reverse proxies in front of the server (repeat, or comma-separate): from
    /// them, the client's address is taken from `X-Forwarded-For` (for sign-in lockout,
    /// the per-address connection cap and the audit trail); from anyone else it is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "IOC_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Sites that may show display (wall) pages in a frame, as origins such as
    /// `https://portal.sonla.gov.vn` (repeat the flag, or comma-separate). Every other page,
    /// and display pages when this is absent, refuse to be framed. The display session
    /// cookie is `SameSite=Lax`, so the framing site must be the same site (a sibling
    /// subdomain of the same registered domain).
    #[arg(
        long = "display-frame-ancestor",
        env = "IOC_DISPLAY_FRAME_ANCESTORS",
        value_delimiter = ',',
        value_parser = parse_frame_ancestor
    )]
    pub display_frame_ancestors: Vec<String>,

    /// Mark session cookies Secure and name them `__Host-ioc_session` (when served over
    /// HTTPS, directly or behind a proxy).
    #[arg(long, env = "IOC_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Minutes without a request after which a person's session ends (fractions allowed).
    /// Wall screens' sessions do not idle out.
    #[arg(long, env = "IOC_SESSION_IDLE_MINUTES", default_value_t = 30.0, value_parser = positive)]
    pub session_idle_minutes: f64,

    /// Hours after signing in at which a person's session ends, however active (fractions
    /// allowed).
    #[arg(long, env = "IOC_SESSION_MAX_HOURS", default_value_t = 12.0, value_parser = positive)]
    pub session_max_hours: f64,

    /// Hours an ingest request's answer is kept for retries with the same Idempotency-Key
    /// (fractions allowed); older records are deleted.
    #[arg(long, env = "IOC_IDEMPOTENCY_RETENTION_HOURS", default_value_t = 168.0, value_parser = positive)]
    pub idempotency_retention_hours: f64,

    /// Seconds a client may take to send a request's headers before the connection is
    /// closed (slow clients cannot hold connections open).
    #[arg(long, env = "IOC_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,

    /// Seconds a client may take to send a request's body.
    #[arg(long, env = "IOC_BODY_TIMEOUT_SECS", default_value_t = 30)]
    pub body_timeout_secs: u64,

    /// Requests handled at once; more are answered 503 at once (live connections, once
    /// open, do not count; a wall of screens reconnecting together is several thousand
    /// upgrade requests at once).
    #[arg(long, env = "IOC_MAX_CONCURRENT_REQUESTS", default_value_t = 4096)]
    pub max_concurrent_requests: usize,

    /// Open live connections allowed from one address (a wall behind one router shares one).
    #[arg(long, env = "IOC_CONNECTIONS_PER_ADDRESS", default_value_t = 500)]
    pub connections_per_address: usize,

    /// Socket send buffer for accepted connections, in bytes (the system's when absent).
    #[arg(long, env = "IOC_SEND_BUFFER_BYTES")]
    pub send_buffer_bytes: Option<u32>,
}

impl ServeConfig {
    /// The defaults, on an ephemeral port, without the demo feed.
    pub fn for_tests(database_url: String) -> ServeConfig {
        ServeConfig {
            addr: "127.0.0.1:0".parse().expect("a valid address"),
            database: DatabaseArgs {
                database_url,
                province_dir: None,
            },
            no_demo: true,
            demo_seed: 2025,
            demo_history_days: 365,
            demo_interval_ms: 3000,
            site_root: None,
            retain_events: 100_000,
            client_queue: 256,
            heartbeat_secs: 10,
            write_timeout_secs: 10,
            max_batch: 10_000,
            max_body_bytes: 8 * 1024 * 1024,
            send_buffer_bytes: None,
            allowed_origins: Vec::new(),
            display_frame_ancestors: Vec::new(),
            trusted_proxies: Vec::new(),
            secure_cookies: false,
            session_idle_minutes: 30.0,
            session_max_hours: 12.0,
            idempotency_retention_hours: 168.0,
            header_timeout_secs: 10,
            body_timeout_secs: 30,
            max_concurrent_requests: 4096,
            connections_per_address: 500,
        }
    }

    pub fn heartbeat(&self) -> Duration {
        Duration::from_secs(self.heartbeat_secs.max(1))
    }

    pub fn write_timeout(&self) -> Duration {
        Duration::from_secs(self.write_timeout_secs.max(1))
    }

    /// The site root actually used (see `--site-root`).
    pub fn resolved_site_root(&self) -> PathBuf {
        if let Some(root) = &self.site_root {
            return root.clone();
        }
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent()?.parent().map(|target| target.join("site")))
            .filter(|site| site.join("pkg").is_dir())
            .unwrap_or_else(|| PathBuf::from("target/site"))
    }
}

impl ServeConfig {
    pub fn session_limits(&self) -> crate::auth::SessionLimits {
        crate::auth::SessionLimits {
            idle: Duration::from_secs_f64(self.session_idle_minutes * 60.0),
            absolute: Duration::from_secs_f64(self.session_max_hours * 3600.0),
        }
    }

    pub fn idempotency_retention(&self) -> Duration {
        Duration::from_secs_f64(self.idempotency_retention_hours * 3600.0)
    }

    pub fn http_limits(&self) -> crate::serve::HttpLimits {
        crate::serve::HttpLimits {
            header_timeout: Duration::from_secs(self.header_timeout_secs.max(1)),
            body_timeout: Duration::from_secs(self.body_timeout_secs.max(1)),
            max_concurrent_requests: self.max_concurrent_requests.max(1),
        }
    }

    pub fn demo_interval(&self) -> Duration {
        Duration::from_millis(self.demo_interval_ms.max(100))
    }
}

/// A number greater than zero (and finite).
fn positive(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 && n < 1e9 => Ok(n),
        _ => Err(format!("`{text}` is not a number greater than zero")),
    }
}

/// An origin (`https://host[:port]`) that may frame display pages; anything else, which
/// could smuggle directives into the CSP header, is refused.
fn parse_frame_ancestor(text: &str) -> Result<String, String> {
    let text = text.trim().trim_end_matches('/');
    let uri: axum::http::Uri = text
        .parse()
        .map_err(|_| format!("`{text}` is not an origin such as https://portal.example.gov.vn"))?;
    let scheme_ok = matches!(uri.scheme_str(), Some("https" | "http"));
    let plain = uri.path_and_query().is_none_or(|p| p.as_str() == "/")
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:/[]".contains(c));
    match (scheme_ok, uri.host(), plain) {
        (true, Some(_), true) => Ok(text.to_string()),
        _ => Err(format!(
            "`{text}` is not an origin such as https://portal.example.gov.vn (scheme, host and port only)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_frame_ancestor;

    #[test]
    fn frame_ancestors_are_plain_origins() {
        assert_eq!(
            parse_frame_ancestor("https://portal.sonla.gov.vn/").as_deref(),
            Ok("https://portal.sonla.gov.vn")
        );
        assert_eq!(
            parse_frame_ancestor("http://10.0.0.5:8080").as_deref(),
            Ok("http://10.0.0.5:8080")
        );
        for bad in [
            "portal.sonla.gov.vn",
            "ftp://portal.sonla.gov.vn",
            "https://portal.sonla.gov.vn/wall",
            "https://a.vn; script-src *",
            "*",
            "'self'",
        ] {
            assert!(parse_frame_ancestor(bad).is_err(), "{bad} accepted");
        }
    }
}

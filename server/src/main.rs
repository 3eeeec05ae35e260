//! `ioc`: the IOC Live server and its administration commands.

use anyhow::{bail, Context};
use app::store::tokens;
use clap::{Parser, Subcommand};
use server::config::{DatabaseArgs, ServeConfig};
use time::OffsetDateTime;
use tracing_subscriber::EnvFilter;

/// IOC Live — the real-time dashboard of a province's Intelligent Operations Center.
#[derive(Debug, Parser)]
#[command(name = "ioc", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the dashboard, the ingest API and the live stream (with the demo feed unless
    /// --no-demo).
    Serve(ServeConfig),
    /// Create the database if needed and apply migrations and the province data, then exit.
    Migrate(DatabaseArgs),
    /// Manage agency API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token for an agency and print it once (only its hash is stored).
    Create {
        /// The agency's code, e.g. STC (see GET /api/v1/indicators for owners).
        #[arg(long)]
        agency: String,
        /// What the token is for, e.g. the sending system's name.
        #[arg(long, default_value = "created with ioc token create")]
        label: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List tokens (never their secrets).
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a token by its id (see `token list`).
    Revoke {
        id: i64,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve(config) => {
            let listener = server::bind(config.addr, config.send_buffer_bytes)
                .with_context(|| format!("cannot listen on {}", config.addr))?;
            server::run(listener, config, shutdown_signal()).await
        }
        Command::Migrate(database) => {
            server::prepare(&database).await?;
            eprintln!("database ready: {}", database.database_url);
            Ok(())
        }
        Command::Token { command } => token(command).await,
    }
}

async fn token(command: TokenCommand) -> anyhow::Result<()> {
    let now = OffsetDateTime::now_utc();
    match command {
        TokenCommand::Create {
            agency,
            label,
            database,
        } => {
            let (db, province) = server::prepare(&database).await?;
            if province.catalogue.agency(&agency).is_none() {
                let known: Vec<&str> = province
                    .catalogue
                    .agencies
                    .iter()
                    .map(|a| a.code.as_str())
                    .collect();
                bail!(
                    "unknown agency '{agency}'; known agencies: {}",
                    known.join(", ")
                );
            }
            let (info, token) = tokens::create(&db, &agency, &label, now).await?;
            eprintln!(
                "token #{} for {agency} created; it is shown only now, store it safely:",
                info.id
            );
            println!("{token}");
        }
        TokenCommand::List { database } => {
            let (db, _) = server::prepare(&database).await?;
            println!(
                "{:>4}  {:<8}  {:<10}  {:<24}  {:<24}  label",
                "id", "agency", "state", "created", "last used"
            );
            for t in tokens::list(&db).await? {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                let last = t
                    .last_used_at
                    .map(app::store::time_text::format)
                    .unwrap_or_else(|| "never".into());
                println!(
                    "{:>4}  {:<8}  {:<10}  {:<24}  {:<24}  {}",
                    t.id,
                    t.agency,
                    state,
                    app::store::time_text::format(t.created_at),
                    last,
                    t.label
                );
            }
        }
        TokenCommand::Revoke { id, database } => {
            let (db, _) = server::prepare(&database).await?;
            if !tokens::revoke(&db, id, now).await? {
                bail!("no active token #{id}");
            }
            eprintln!("token #{id} revoked");
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

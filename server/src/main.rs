//! `ioc`: the IOC Live server and its administration commands.

use anyhow::{bail, Context};
use app::store::tokens;
use clap::{Parser, Subcommand};
use server::config::{DatabaseArgs, ServeConfig};
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
    Serve(Box<ServeConfig>),
    /// Create the database if needed and apply migrations and the province data, then exit.
    /// With --from and --to: copy a whole database into an empty PostgreSQL database.
    Migrate(MigrateArgs),
    /// Manage agency API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Create administrator accounts (the first one, or more); reset a password.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Manage wall screens and their read-only display tokens.
    Display {
        #[command(subcommand)]
        command: DisplayCommand,
    },
}

#[derive(Debug, clap::Args)]
struct MigrateArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Copy everything in this database (e.g. sqlite://data/ioc.sqlite) — figures with
    /// their offsets and epoch, the audit trail, accounts, tokens, displays, sessions —
    /// into the database of --to, then check the copy (row counts and checksums).
    #[arg(long, requires = "to")]
    from: Option<String>,
    /// The empty PostgreSQL database to copy into (postgres://user@host/database).
    #[arg(long, requires = "from")]
    to: Option<String>,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an administrator. The password is asked for (not echoed), or read from the
    /// first line of standard input with --password-stdin; it needs 12 or more characters.
    Create {
        /// The sign-in name (letters, digits, '.', '_', '-').
        #[arg(long)]
        username: String,
        /// The person's name as shown in the interface.
        #[arg(long)]
        name: String,
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Set a new password for any account (for example an administrator who forgot theirs).
    /// Its sessions end; its open live connections close at their next check.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum DisplayCommand {
    /// Create a display token for a wall screen and print it once; open the wall at
    /// /?display=<token> once and the screen keeps a display session.
    Create {
        /// Which screen it is, e.g. "Tường LED phòng họp".
        #[arg(long)]
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List displays (never their tokens).
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a display by its id (see `display list`); its open connections close.
    Revoke {
        id: i64,
        #[command(flatten)]
        database: DatabaseArgs,
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
            server::run(listener, *config, shutdown_signal()).await
        }
        Command::Migrate(MigrateArgs {
            from: Some(from),
            to: Some(to),
            ..
        }) => {
            let copied = server::copy::copy(&from, &to).await?;
            for (table, rows, checksum) in &copied.tables {
                println!("{table:<22} {rows:>10} rows  sha256 {checksum}");
            }
            eprintln!(
                "copied {} into {}: epoch {}, offset {}; every table read back and checked",
                server::db::redacted(&from),
                server::db::redacted(&to),
                copied.epoch,
                copied.head
            );
            Ok(())
        }
        Command::Migrate(MigrateArgs { database, .. }) => {
            server::prepare(&database).await?;
            eprintln!("database ready: {}", database.database_url);
            Ok(())
        }
        Command::Token { command } => token(command).await,
        Command::Admin { command } => admin(command).await,
        Command::Display { command } => display(command).await,
    }
}

/// Turns a refused or failed administrative operation into an error for the terminal.
fn refused(e: server::auth::admin::AdminError) -> anyhow::Error {
    match e {
        server::auth::admin::AdminError::Refused(r) => anyhow::anyhow!("{} ({})", r.en, r.vi),
        server::auth::admin::AdminError::Failed(e) => e,
    }
}

/// A new password: the first line of standard input, or asked for twice without echo.
fn read_new_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Mật khẩu / password: ")?;
    let again = rpassword::prompt_password("Nhập lại / again: ")?;
    if first != again {
        bail!("the two passwords differ");
    }
    Ok(first)
}

async fn admin(command: AdminCommand) -> anyhow::Result<()> {
    use server::auth::admin::{self as ops, Actor};
    match command {
        AdminCommand::Create {
            username,
            name,
            password_stdin,
            database,
        } => {
            let (db, province) = server::prepare(&database).await?;
            let new = ops::NewUser {
                username,
                display_name: name,
                role: app::model::account::Role::Admin,
                agency: None,
                password: read_new_password(password_stdin)?,
            };
            let user = ops::create_user(&db, &province.catalogue, &Actor::command_line(), new)
                .await
                .map_err(refused)?;
            eprintln!(
                "administrator '{}' created (#{}); sign in at /login",
                user.username, user.id
            );
        }
        AdminCommand::ResetPassword {
            username,
            password_stdin,
            database,
        } => {
            let (db, _) = server::prepare(&database).await?;
            let user = app::store::users::by_username(&mut *db.acquire().await?, username.trim())
                .await?
                .with_context(|| format!("no account '{username}'"))?;
            let password = read_new_password(password_stdin)?;
            ops::set_password(
                &db,
                &Actor::command_line(),
                user.id,
                password,
                ops::PasswordChange::Reset,
            )
            .await
            .map_err(refused)?;
            eprintln!(
                "password of '{}' reset; its sessions have ended",
                user.username
            );
        }
    }
    Ok(())
}

async fn display(command: DisplayCommand) -> anyhow::Result<()> {
    use server::auth::admin::{self as ops, Actor};
    match command {
        DisplayCommand::Create { name, database } => {
            let (db, _) = server::prepare(&database).await?;
            let (display, token) = ops::create_display(&db, &Actor::command_line(), &name)
                .await
                .map_err(refused)?;
            eprintln!("display #{} '{}' created; its token is shown only now. Open the wall at /?display=<token>:", display.id, display.name);
            println!("{token}");
        }
        DisplayCommand::List { database } => {
            let (db, _) = server::prepare(&database).await?;
            println!(
                "{:>4}  {:<10}  {:<24}  {:<24}  name",
                "id", "state", "created", "last seen"
            );
            for d in app::store::displays::list(&mut *db.acquire().await?).await? {
                let state = if d.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                let seen = d
                    .last_seen_at
                    .map(app::store::time_text::format)
                    .unwrap_or_else(|| "never".into());
                println!(
                    "{:>4}  {:<10}  {:<24}  {:<24}  {}",
                    d.id,
                    state,
                    app::store::time_text::format(d.created_at),
                    seen,
                    d.name
                );
            }
        }
        DisplayCommand::Revoke { id, database } => {
            let (db, _) = server::prepare(&database).await?;
            ops::revoke_display(&db, None, &Actor::command_line(), id)
                .await
                .map_err(refused)?;
            eprintln!("display #{id} revoked; its screen closes within a heartbeat");
        }
    }
    Ok(())
}

async fn token(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            agency,
            label,
            database,
        } => {
            let (db, province) = server::prepare(&database).await?;
            let actor = server::auth::admin::Actor::command_line();
            let (info, token) = server::auth::admin::create_token(
                &db,
                &province.catalogue,
                &actor,
                &agency,
                &label,
            )
            .await
            .map_err(refused)?;
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
            server::auth::admin::revoke_token(
                &db,
                None,
                &server::auth::admin::Actor::command_line(),
                id,
            )
            .await
            .map_err(refused)?;
            eprintln!("token #{id} revoked; a running server closes its live connections within a heartbeat");
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

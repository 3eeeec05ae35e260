//! The administration commands of the `ioc` binary, run as a person or a script would.

mod common;

use common::{next_data_frame, TestServer};
use futures_util::StreamExt;
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const IOC: &str = env!("CARGO_BIN_EXE_ioc");

/// Runs an `ioc` command to its end, off the test's runtime: the server under test runs on
/// that runtime, and a command waiting for a lock the server holds mid-transaction would
/// otherwise wait for ever.
async fn ioc(args: &[&str], database_url: &str, stdin: &str) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let (database_url, stdin) = (database_url.to_string(), stdin.to_string());
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(IOC)
            .args(&args)
            .args(["--database-url", &database_url])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn password_hash(db: &app::store::Db, username: &str) -> String {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_first_administrator_and_a_forgotten_password() {
    let database = common::TestDatabase::new().await;
    let url = database.url.clone();
    let create = [
        "admin",
        "create",
        "--username",
        "quantri",
        "--name",
        "Quản trị viên",
        "--password-stdin",
    ];

    let weak = ioc(&create, &url, "ngắn\n").await;
    assert!(!weak.status.success());
    assert!(
        text(&weak.stderr).contains("12 characters"),
        "{}",
        text(&weak.stderr)
    );

    let made = ioc(&create, &url, "mật khẩu đầu tiên dài\n").await;
    assert!(made.status.success(), "{}", text(&made.stderr));
    let db = server::db::open(&url).await.unwrap();
    let first = password_hash(&db, "quantri").await;
    assert_eq!(
        server::auth::password::verify("mật khẩu đầu tiên dài".into(), first.clone()).await,
        Ok(true)
    );

    let again = ioc(&create, &url, "mật khẩu đầu tiên dài\n").await;
    assert!(!again.status.success(), "the username is taken");

    let reset = [
        "admin",
        "reset-password",
        "--username",
        "quantri",
        "--password-stdin",
    ];
    let done = ioc(&reset, &url, "mật khẩu mới sau khi quên\n").await;
    assert!(done.status.success(), "{}", text(&done.stderr));
    let second = password_hash(&db, "quantri").await;
    assert!(
        server::auth::password::verify("mật khẩu mới sau khi quên".into(), second.clone()).await
            == Ok(true)
    );
    assert_eq!(
        server::auth::password::verify("mật khẩu đầu tiên dài".into(), second).await,
        Ok(false)
    );

    let unknown = ioc(
        &[
            "admin",
            "reset-password",
            "--username",
            "khongco",
            "--password-stdin",
        ],
        &url,
        "mật khẩu mới sau khi quên\n",
    )
    .await;
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("no account 'khongco'"));

    let actions: Vec<(String, String)> =
        sqlx::query_as("SELECT action, actor_name FROM audit_log ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    let actions: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["user_created", "password_reset"]);
}

#[tokio::test]
async fn a_display_token_is_printed_once_listed_and_revoked() {
    let database = common::TestDatabase::new().await;
    let url = database.url.clone();
    let made = ioc(
        &["display", "create", "--name", "Tường LED tầng 3"],
        &url,
        "",
    )
    .await;
    assert!(made.status.success(), "{}", text(&made.stderr));
    let token = text(&made.stdout).trim().to_string();
    assert!(token.starts_with("iocd_"), "{token}");

    let listed = ioc(&["display", "list"], &url, "").await;
    let listing = text(&listed.stdout);
    assert!(listing.contains("Tường LED tầng 3"), "{listing}");
    assert!(!listing.contains(&token), "the token is never shown again");

    let db = server::db::open(&url).await.unwrap();
    let found = app::store::displays::find_active(&mut db.acquire().await.unwrap(), &token)
        .await
        .unwrap()
        .expect("the printed token works");
    let revoked = ioc(&["display", "revoke", &found.id.to_string()], &url, "").await;
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    assert!(
        app::store::displays::find_active(&mut db.acquire().await.unwrap(), &token)
            .await
            .unwrap()
            .is_none()
    );
}

/// Waits for the server to close `ws`; returns the close code.
async fn closed_with(ws: &mut common::Socket, within: Duration) -> u16 {
    loop {
        match tokio::time::timeout(within, ws.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// The command line is another process: a running server learns of its revocations from
/// the database, at its next heartbeat, and closes the screens and systems concerned.
#[tokio::test]
async fn revocations_from_the_command_line_close_a_running_servers_connections() {
    let s = TestServer::start_with(|c| c.heartbeat_secs = 1).await;
    let made = ioc(
        &["display", "create", "--name", "Tường LED sảnh"],
        &s.database_url,
        "",
    )
    .await;
    assert!(made.status.success(), "{}", text(&made.stderr));
    let display = text(&made.stdout).trim().to_string();
    let made = ioc(
        &[
            "token",
            "create",
            "--agency",
            "STC",
            "--label",
            "hệ thống thu",
        ],
        &s.database_url,
        "",
    )
    .await;
    assert!(made.status.success(), "{}", text(&made.stderr));
    let agency = text(&made.stdout).trim().to_string();

    let mut wall = tokio_tungstenite::connect_async(s.live_request(None, Some(&display)))
        .await
        .unwrap()
        .0;
    let mut system = tokio_tungstenite::connect_async(s.live_request(None, Some(&agency)))
        .await
        .unwrap()
        .0;
    let mut bystander = s.connect(None).await;
    for ws in [&mut wall, &mut system, &mut bystander] {
        next_data_frame(ws, Duration::from_secs(5)).await;
    }

    let id = |what: &str, listing: &str, name: &str| -> String {
        listing
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{what} {name} listed: {listing}"))
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    let displays = text(&ioc(&["display", "list"], &s.database_url, "").await.stdout);
    let revoked = ioc(
        &[
            "display",
            "revoke",
            &id("display", &displays, "Tường LED sảnh"),
        ],
        &s.database_url,
        "",
    )
    .await;
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    assert_eq!(
        closed_with(&mut wall, Duration::from_secs(5)).await,
        app::model::live::CLOSE_REVOKED
    );

    let tokens = text(&ioc(&["token", "list"], &s.database_url, "").await.stdout);
    let revoked = ioc(
        &["token", "revoke", &id("token", &tokens, "hệ thống thu")],
        &s.database_url,
        "",
    )
    .await;
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    assert_eq!(
        closed_with(&mut system, Duration::from_secs(5)).await,
        app::model::live::CLOSE_REVOKED
    );

    // everyone else stays connected and keeps receiving heartbeats
    assert!(matches!(
        common::next_frame(&mut bystander, Duration::from_secs(3)).await,
        app::model::LiveFrame::Heartbeat { .. }
    ));
    s.stop().await;
}

/// One serving process per SQLite database (issue #11, item 4): a second `ioc serve` on the
/// same file refuses to start, saying why, while the first goes on; a database URL of a
/// kind the server does not support is refused by name, leaving nothing behind. (On
/// PostgreSQL several instances serve one database: `scale_out.rs`.)
#[tokio::test]
async fn a_second_server_on_one_database_and_an_unsupported_url_are_refused() {
    if common::sqlite_only("several instances may serve one PostgreSQL database") {
        return;
    }
    let first = TestServer::start().await;
    let port = common::free_port();
    let second = Command::new(IOC)
        .args([
            "serve",
            "--no-demo",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &first.database_url,
        ])
        .output()
        .unwrap();
    assert!(!second.status.success());
    let said = text(&second.stderr);
    assert!(
        said.contains("one serving process per SQLite database")
            && said.contains(&std::process::id().to_string()),
        "{said}"
    );
    assert!(
        reqwest::get(format!("http://127.0.0.1:{port}/api/v1/health"))
            .await
            .is_err(),
        "nothing serves on the second address"
    );
    assert_eq!(first.health().await["status"], "ok", "the first goes on");
    // the other commands work beside a running server
    let listed = ioc(&["display", "list"], &first.database_url, "").await;
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    first.stop().await;

    let dir = tempfile::tempdir().unwrap();
    for command in [
        vec!["serve", "--no-demo", "--addr", "127.0.0.1:0"],
        vec!["migrate"],
    ] {
        let out = Command::new(IOC)
            .args(&command)
            .args(["--database-url", "mysql://ioc@127.0.0.1/ioc"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{command:?}");
        let said = text(&out.stderr);
        assert!(
            said.contains("`mysql:` is not supported")
                && said.contains("sqlite://")
                && said.contains("postgres://"),
            "{command:?}: {said}"
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no directory named mysql: was made"
    );
}

/// Catalogue changes that would reinterpret stored figures are refused at start-up (issue
/// #11, item 13): an indicator with data keeps its unit and cadence.
#[tokio::test]
async fn a_catalogue_change_that_reinterprets_stored_figures_is_refused() {
    let database = common::TestDatabase::new().await;
    let (url, dir) = (database.url.clone(), &database.dir);
    let s = TestServer::start_with(|c| c.database.database_url = url.clone()).await;
    let token = s.token("VPUB").await;
    s.post_ok(
        &token,
        &common::batch(vec![common::online_rate("2026-11-20", 61.5)]),
    )
    .await;
    s.stop().await;

    // the province's files, with the online rate's unit and another indicator's cadence
    // changed; an indicator without data may change freely
    let province = dir.path().join("province");
    std::fs::create_dir(&province).unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("province/son-la");
    for file in std::fs::read_dir(&source).unwrap() {
        let file = file.unwrap();
        if file.file_type().unwrap().is_file() {
            std::fs::copy(file.path(), province.join(file.file_name())).unwrap();
        }
    }
    let indicators = std::fs::read_to_string(province.join("indicators.toml")).unwrap();
    let changed = change_field(&indicators, "services.online.rate", "unit", "\"count\"");
    std::fs::write(province.join("indicators.toml"), &changed).unwrap();
    let out = Command::new(IOC)
        .args(["migrate", "--database-url", &url, "--province-dir"])
        .arg(&province)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = text(&out.stderr);
    assert!(
        said.contains("services.online.rate") && said.contains("percent") && said.contains("count"),
        "{said}"
    );

    let unused = change_field(&indicators, "tasks.overdue", "cadence", "\"monthly\"");
    std::fs::write(province.join("indicators.toml"), unused).unwrap();
    let out = Command::new(IOC)
        .args(["migrate", "--database-url", &url, "--province-dir"])
        .arg(&province)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// `text` with `field = …` of the `[[indicator]]` whose code is `code` set to `value`.
fn change_field(text: &str, code: &str, field: &str, value: &str) -> String {
    let mut inside = false;
    text.lines()
        .map(|line| {
            if line.starts_with("code = ") {
                inside = line == format!("code = \"{code}\"");
            }
            if inside && line.starts_with(&format!("{field} = ")) {
                format!("{field} = {value}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

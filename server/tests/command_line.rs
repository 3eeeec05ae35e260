//! The administration commands of the `ioc` binary, run as a person or a script would.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const IOC: &str = env!("CARGO_BIN_EXE_ioc");

fn ioc(args: &[&str], database_url: &str, stdin: &str) -> Output {
    let mut child = Command::new(IOC)
        .args(args)
        .args(["--database-url", database_url])
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
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn password_hash(db: &app::store::Db, username: &str) -> String {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE username = ?")
        .bind(username)
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_first_administrator_and_a_forgotten_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ioc.sqlite").display());
    let create = [
        "admin",
        "create",
        "--username",
        "quantri",
        "--name",
        "Quản trị viên",
        "--password-stdin",
    ];

    let weak = ioc(&create, &url, "ngắn\n");
    assert!(!weak.status.success());
    assert!(
        text(&weak.stderr).contains("12 characters"),
        "{}",
        text(&weak.stderr)
    );

    let made = ioc(&create, &url, "mật khẩu đầu tiên dài\n");
    assert!(made.status.success(), "{}", text(&made.stderr));
    let db = server::db::open(&url).await.unwrap();
    let first = password_hash(&db, "quantri").await;
    assert!(server::auth::password::verify("mật khẩu đầu tiên dài".into(), first.clone()).await);

    let again = ioc(&create, &url, "mật khẩu đầu tiên dài\n");
    assert!(!again.status.success(), "the username is taken");

    let reset = [
        "admin",
        "reset-password",
        "--username",
        "quantri",
        "--password-stdin",
    ];
    let done = ioc(&reset, &url, "mật khẩu mới sau khi quên\n");
    assert!(done.status.success(), "{}", text(&done.stderr));
    let second = password_hash(&db, "quantri").await;
    assert!(
        server::auth::password::verify("mật khẩu mới sau khi quên".into(), second.clone()).await
    );
    assert!(!server::auth::password::verify("mật khẩu đầu tiên dài".into(), second).await);

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
    );
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
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ioc.sqlite").display());
    let made = ioc(
        &["display", "create", "--name", "Tường LED tầng 3"],
        &url,
        "",
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let token = text(&made.stdout).trim().to_string();
    assert!(token.starts_with("iocd_"), "{token}");

    let listed = ioc(&["display", "list"], &url, "");
    let listing = text(&listed.stdout);
    assert!(listing.contains("Tường LED tầng 3"), "{listing}");
    assert!(!listing.contains(&token), "the token is never shown again");

    let db = server::db::open(&url).await.unwrap();
    let found = app::store::displays::find_active(&mut db.acquire().await.unwrap(), &token)
        .await
        .unwrap()
        .expect("the printed token works");
    let revoked = ioc(&["display", "revoke", &found.id.to_string()], &url, "");
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    assert!(
        app::store::displays::find_active(&mut db.acquire().await.unwrap(), &token)
            .await
            .unwrap()
            .is_none()
    );
}

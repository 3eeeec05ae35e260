//! A real server on an ephemeral port with a database of its own, and clients for it.
//!
//! The suite runs on SQLite (a fresh file per test) unless `IOC_TEST_STORE=postgres`, when
//! each test gets a fresh database on the PostgreSQL server `IOC_TEST_POSTGRES_URL` names
//! (dropped at the end). `make test` runs it both ways when PostgreSQL answers.

#![allow(dead_code)]

use app::model::LiveFrame;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use server::config::ServeConfig;
use std::net::SocketAddr;
use std::time::Duration;
use tempfile::TempDir;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct TestServer {
    pub addr: SocketAddr,
    pub base: String,
    pub database_url: String,
    pub db: app::store::Db,
    pub http: reqwest::Client,
    /// A display token: read-only, sees everything. What the tests read the API with.
    pub viewer: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _database: TestDatabase,
}

/// Whether this run of the suite is on PostgreSQL (`IOC_TEST_STORE=postgres`).
pub fn on_postgres() -> bool {
    std::env::var("IOC_TEST_STORE").is_ok_and(|s| s.eq_ignore_ascii_case("postgres"))
}

/// For a test that only means something on SQLite: true (and says why) when this run is on
/// PostgreSQL, so the test returns early.
pub fn sqlite_only(why: &str) -> bool {
    if on_postgres() {
        eprintln!("SQLite only, skipped on PostgreSQL: {why}");
    }
    on_postgres()
}

/// Makes the database refuse audit entries of `action`, as an audit store that is
/// unavailable would: the action they record must not happen either.
pub async fn refuse_audit_of(db: &app::store::Db, action: &str) {
    let statements = if on_postgres() {
        vec![
            format!(
                "CREATE FUNCTION refuse_{action}() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN
                       IF NEW.action = '{action}' THEN RAISE EXCEPTION 'audit unavailable'; END IF;
                       RETURN NEW;
                     END $$"
            ),
            format!(
                "CREATE TRIGGER refuse_{action} BEFORE INSERT ON audit_log
                     FOR EACH ROW EXECUTE FUNCTION refuse_{action}()"
            ),
        ]
    } else {
        vec![format!(
            "CREATE TRIGGER refuse_{action} BEFORE INSERT ON audit_log WHEN NEW.action = '{action}'
             BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END"
        )]
    };
    for statement in statements {
        sqlx::raw_sql(&statement).execute(db).await.unwrap();
    }
}

/// A database for one test: a SQLite file in a temporary directory, or a fresh PostgreSQL
/// database, dropped with this.
pub struct TestDatabase {
    pub url: String,
    pub dir: TempDir,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn new() -> TestDatabase {
        let dir = tempfile::tempdir().expect("a temporary directory");
        if !on_postgres() {
            let url = format!("sqlite://{}", dir.path().join("ioc.sqlite").display());
            return TestDatabase {
                url,
                dir,
                postgres: None,
            };
        }
        use sqlx::{ConnectOptions, Connection, Executor};
        let admin = std::env::var("IOC_TEST_POSTGRES_URL").expect(
            "IOC_TEST_STORE=postgres needs IOC_TEST_POSTGRES_URL (postgres://user@host/database)",
        );
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "ioc_test_{}_{}_{:08x}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            rand::random::<u32>()
        );
        let options: sqlx::postgres::PgConnectOptions = admin.parse().expect("a PostgreSQL URL");
        let mut conn = options
            .connect()
            .await
            .expect("PostgreSQL answers at IOC_TEST_POSTGRES_URL");
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("a fresh database");
        conn.close().await.ok();
        let url = options.database(&name).to_url_lossy().to_string();
        TestDatabase {
            url,
            dir,
            postgres: Some((admin, name)),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // on a thread of its own: a test's runtime may be the one dropping this
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                use sqlx::{Connection, Executor};
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = conn
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await;
                }
            });
        })
        .join();
    }
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut ServeConfig)) -> TestServer {
        let database = TestDatabase::new().await;
        let mut config = ServeConfig::for_tests(database.url.clone());
        adjust(&mut config);
        let database_url = config.database.database_url.clone();
        let listener = server::bind(config.addr, config.send_buffer_bytes).expect("bind");
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::run(listener, config, async move {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::new();
        let base = format!("http://{addr}");
        // ready when health answers
        for _ in 0..200 {
            if let Ok(r) = http.get(format!("{base}/api/v1/health")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let db = server::db::open(&database_url)
            .await
            .expect("open the test database");
        let viewer = app::store::displays::create(
            &mut db.acquire().await.unwrap(),
            "test viewer",
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap()
        .1;
        TestServer {
            addr,
            base,
            database_url,
            db,
            http,
            viewer,
            stop: Some(stop),
            task: Some(task),
            _database: database,
        }
    }

    /// A new wall screen: its id and its display token, as `ioc display create` makes one.
    pub async fn display(&self, name: &str) -> (i64, String) {
        let (display, token) = app::store::displays::create(
            &mut self.db.acquire().await.unwrap(),
            name,
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
        (display.id, token)
    }

    /// A live-stream request as `browser`'s page makes it: its cookie, our Origin.
    pub fn live_request_of(
        &self,
        browser: &Browser,
    ) -> tokio_tungstenite::tungstenite::http::Request<()> {
        let mut request = self.live_request(None, None);
        request
            .headers_mut()
            .insert("Cookie", browser.cookie().parse().unwrap());
        request
            .headers_mut()
            .insert("Origin", self.base.parse().unwrap());
        request
    }

    /// A new token for `agency`, as `ioc token create` makes one.
    pub async fn token(&self, agency: &str) -> String {
        app::store::tokens::create(
            &mut self.db.acquire().await.unwrap(),
            agency,
            "test",
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap()
        .1
    }

    /// Posts a batch; returns status, JSON body and headers.
    pub async fn post(
        &self,
        token: &str,
        key: &str,
        body: &Value,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let response = self
            .http
            .post(format!("{}/api/v1/observations", self.base))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body, headers)
    }

    /// Posts and insists on 201.
    pub async fn post_ok(&self, token: &str, body: &Value) -> Value {
        let key = format!("k-{}", rand::random::<u64>());
        let (status, body, _) = self.post(token, &key, body).await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// GETs `path` and parses the JSON answer.
    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.viewer)
            .send()
            .await
            .expect("the server answers");
        (
            response.status().as_u16(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    pub async fn health(&self) -> Value {
        self.get_json("/api/v1/health").await.1
    }

    pub fn live_url(&self, since: Option<&str>) -> String {
        match since {
            Some(s) => format!("ws://{}/api/v1/live?since={s}", self.addr),
            None => format!("ws://{}/api/v1/live", self.addr),
        }
    }

    /// A websocket request for the live stream, with `token` as its bearer.
    pub fn live_request(
        &self,
        since: Option<&str>,
        token: Option<&str>,
    ) -> tokio_tungstenite::tungstenite::http::Request<()> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = self.live_url(since).into_client_request().unwrap();
        if let Some(token) = token {
            request
                .headers_mut()
                .insert("Authorization", format!("Bearer {token}").parse().unwrap());
        }
        request
    }

    /// Connects to the live stream as the test viewer.
    pub async fn connect(&self, since: Option<&str>) -> Socket {
        tokio_tungstenite::connect_async(self.live_request(since, Some(&self.viewer)))
            .await
            .expect("websocket connects")
            .0
    }

    /// Connects with a small receive buffer, so a client that stops reading stalls the
    /// server's writes quickly.
    pub async fn connect_small(&self, since: Option<&str>) -> Socket {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let stream = socket.connect(self.addr).await.unwrap();
        let (ws, _) = tokio_tungstenite::client_async(
            self.live_request(since, Some(&self.viewer)),
            MaybeTlsStream::Plain(stream),
        )
        .await
        .unwrap();
        ws
    }

    /// A new account with this role (and agency), as an administrator makes one.
    pub async fn user(
        &self,
        username: &str,
        role: app::model::account::Role,
        agency: Option<&str>,
    ) -> String {
        let password = format!("{username}-mật-khẩu-dài");
        let catalogue = server::province::load(&server::province::demo()).unwrap();
        let new = server::auth::admin::NewUser {
            username: username.into(),
            display_name: format!("Người dùng {username}"),
            role,
            agency: agency.map(Into::into),
            password: password.clone(),
        };
        server::auth::admin::create_user(
            &self.db,
            &catalogue,
            &server::auth::admin::Actor::command_line(),
            new,
        )
        .await
        .expect("user created");
        password
    }

    /// A new account with this role (and agency), signed in (see [`TestServer::sign_in`]).
    pub async fn signed_in_user(
        &self,
        username: &str,
        role: app::model::account::Role,
        agency: Option<&str>,
    ) -> Browser {
        let password = self.user(username, role, agency).await;
        self.sign_in(username, &password).await
    }

    /// A browser-like client (keeps cookies, sends our Origin) signed in as `username`.
    pub async fn sign_in(&self, username: &str, password: &str) -> Browser {
        let browser = Browser::new(self);
        let response = browser
            .post_form(
                "/login",
                &[
                    ("username", username),
                    ("password", password),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "signed in");
        assert_eq!(response.headers()["location"], "/");
        browser
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    }
}

/// A TCP port free at the moment.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The next live frame (skipping pings), or panic after `within`.
pub async fn next_frame(ws: &mut Socket, within: Duration) -> LiveFrame {
    loop {
        let msg = tokio::time::timeout(within, ws.next())
            .await
            .expect("a frame in time")
            .expect("socket open")
            .expect("no socket error");
        match msg {
            Message::Text(text) => return serde_json::from_str(&text).expect("a valid frame"),
            Message::Ping(data) => ws.send(Message::Pong(data)).await.unwrap(),
            Message::Close(frame) => panic!("closed: {frame:?}"),
            _ => {}
        }
    }
}

/// The next frame that is not a heartbeat, an alert notice or a list of explanations
/// (alerts are raised by the engine moments after the values that raise them:
/// `alerts_api.rs` follows them, and the explanations).
pub async fn next_data_frame(ws: &mut Socket, within: Duration) -> LiveFrame {
    loop {
        let frame = next_frame(ws, within).await;
        if !matches!(
            frame,
            LiveFrame::Heartbeat { .. } | LiveFrame::Alerts { .. } | LiveFrame::Explanations { .. }
        ) {
            return frame;
        }
    }
}

/// One observation of `services.online.rate` (owned by VPUB) for the province.
pub fn online_rate(period: &str, value: f64) -> Value {
    json!({"indicator": "services.online.rate", "area": "14", "period": period, "value": value, "unit": "percent"})
}

pub fn batch(items: Vec<Value>) -> Value {
    json!({ "observations": items })
}

/// A day `n` days after 2020-01-01, as a period (distinct keys for many observations).
pub fn day(n: i64) -> String {
    (time::macros::date!(2020 - 01 - 01) + time::Duration::days(n)).to_string()
}

/// An HTTP client that behaves like our own pages in a browser: it keeps cookies and sends
/// the server's Origin with its form posts.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
}

impl Browser {
    pub fn new(server: &TestServer) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            client,
            base: server.base.clone(),
            jar,
        }
    }

    /// The cookies this browser would send, as a `Cookie` header value.
    pub fn cookie(&self) -> String {
        use reqwest::cookie::CookieStore;
        self.jar
            .cookies(&self.base.parse().unwrap())
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// Posts the sign-in form.
    pub async fn try_sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("Origin", &self.base)
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

/// The data a live screen's page carries for its island, read as the browser reads it
/// (the `data` prop, in the compact encoding); panics unless it reads back to exactly what
/// was written (encoding it again gives the same text).
pub fn screen_data<T: serde::Serialize + serde::de::DeserializeOwned>(page: &str) -> T {
    let start = page.find("data-props=\"").expect("an island with props") + "data-props=\"".len();
    let end = start + page[start..].find('"').expect("the attribute ends");
    let props = page[start..end]
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let props: Value = serde_json::from_str(&props).expect("the props are JSON");
    let text = props["data"]
        .as_str()
        .expect("the data is the compact encoding's text");
    let data: T = app::model::compact::decode(text).expect("the browser can read the data");
    assert_eq!(
        app::model::compact::encode(&data).unwrap(),
        text,
        "the data reads back to what was written"
    );
    data
}

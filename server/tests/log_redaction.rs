//! A wall's display token never reaches the logs (issue #11, item 13): it travels once in
//! an address, and addresses are logged. Its own test binary, since it installs a global
//! log subscriber that records everything, at every level.

mod common;

use common::*;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn display_tokens_never_reach_the_logs() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_env_filter("trace")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let s = TestServer::start().await;
    let token = s.display("Tường").await.1;
    let wall = Browser::new(&s);
    assert_eq!(wall.get(&format!("/?display={token}")).await.status(), 303);
    assert_eq!(
        wall.get(&format!("/?lang=en&display={token}&x=1"))
            .await
            .status(),
        303
    );
    // a revoked or mistyped one too
    assert_eq!(
        Browser::new(&s)
            .get(&format!("/?display={token}x"))
            .await
            .status(),
        401
    );
    s.stop().await;
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        text.contains("display=[hidden]"),
        "the requests were logged, their token hidden"
    );
    let secret = token.strip_prefix("iocd_").unwrap();
    assert!(
        !text.contains(secret),
        "the token is in the logs: …{}…",
        text.lines()
            .find(|l| l.contains(secret))
            .unwrap_or_default()
    );
}

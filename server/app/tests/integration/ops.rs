use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use portal_storage::{Db, DbConfig, Kv};
use portal_testkit::{FaultProxy, TestDb, postgres_url, redis_url, unique_name, with_search_path};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Options, TestApp};

#[actix_web::test]
async fn healthz_and_readyz_answer() {
    let app = TestApp::start().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.expect("json")["status"], "ok");
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"][app.state.db.backend().name()], "ok");
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = TestApp::start().await;
    app.get("/").await;
    app.get("/no/such/page").await;
    let (status, body) = app.get_text("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(r#"portal_http_requests_total{method="GET",route="/",status="200"} 1"#),
        "{body}"
    );
    assert!(
        body.contains(r#"route="unmatched",status="404"} 1"#),
        "{body}"
    );
    assert!(body.contains("portal_http_request_duration_seconds_bucket"));
    assert!(body.contains("portal_build_info"));
}

fn addr_of(url: &str) -> SocketAddr {
    let url = url::Url::parse(url).expect("url");
    let host = url.host_str().expect("host").to_owned();
    let port = url.port_or_known_default().expect("port");
    (host, port)
        .to_socket_addrs()
        .expect("resolve")
        .next()
        .expect("address")
}

fn through(url: &str, proxy: &FaultProxy) -> String {
    let mut url = url::Url::parse(url).expect("url");
    url.set_host(Some("127.0.0.1")).expect("host");
    url.set_port(Some(proxy.addr.port())).expect("port");
    url.to_string()
}

async fn readyz(app: &TestApp) -> StatusCode {
    app.get("/readyz").await.status()
}

/// Takes the dependency behind `proxy` down and up again; /readyz must say 503 naming `check`, then 200.
async fn readyz_follows(app: &TestApp, proxy: &FaultProxy, check: &str) {
    assert_eq!(readyz(app).await, StatusCode::OK);
    proxy.down().await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["checks"][check], "unavailable", "{body}");
    proxy.up();
    // Connections are re-established on demand; give the client a moment.
    let mut status = readyz(app).await;
    for _ in 0..20 {
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
        status = readyz(app).await;
    }
    assert_eq!(status, StatusCode::OK);
}

/// PostgreSQL goes away and comes back; /readyz follows without a restart.
#[actix_web::test]
async fn readyz_follows_postgres_down_and_up() {
    let Some(admin_url) = postgres_url() else {
        eprintln!("DATABASE_URL is not PostgreSQL: skipped");
        return;
    };
    let _schema_owner = TestDb::new().await; // proves the server is reachable before we proxy it
    let proxy = FaultProxy::start(addr_of(&admin_url)).await.expect("proxy");
    let schema = unique_name("readyz");
    let url = with_search_path(&through(&admin_url, &proxy), &schema);
    let db = Db::open(&DbConfig {
        url,
        pool_size: 2,
        connect_timeout: Duration::from_secs(1),
    })
    .expect("open");
    let app = TestApp::start_with(Options {
        db: Some(db),
        ..Options::default()
    })
    .await;

    readyz_follows(&app, &proxy, "postgres").await;
}

/// Redis goes away and comes back; /readyz follows without a restart.
#[actix_web::test]
async fn readyz_follows_redis_down_and_up() {
    let Some(redis) = redis_url() else {
        eprintln!("REDIS_URL is not set: skipped");
        return;
    };
    let proxy = FaultProxy::start(addr_of(&redis)).await.expect("proxy");
    let kv = Kv::redis(
        &through(&redis, &proxy),
        &format!("{}:", unique_name("readyz")),
    )
    .expect("kv");
    let app = TestApp::start_with(Options {
        kv: Some(kv),
        ..Options::default()
    })
    .await;

    readyz_follows(&app, &proxy, "redis").await;
}

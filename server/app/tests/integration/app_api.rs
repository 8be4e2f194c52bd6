//! The 自己情報取得API as an app reads it: cursor pages newest first with the count, date ranges, each read
//! in the citizen's やりとり履歴 with the app and its purpose (and its last read on 連携中のサービス), a scope
//! the consent lacks refused with its code, and the per-app rate limit.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_server::services::apps::{self, NewApp};
use portal_server::services::{app_api, oauth};
use portal_storage::ids::CitizenId;
use portal_storage::models::app::App;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::{Options, TestApp};
use crate::notices::{notice, post};
use crate::own_data::{Citizen, insert_records, record, registry};

const REDIRECT: &str = "https://phr.example.jp/callback";
const VERIFIER: &str = "a-verifier-of-forty-three-characters-or-more-0123";

async fn register(app: &TestApp) -> App {
    apps::register(
        &app.state,
        NewApp {
            name: "けんこう手帳".to_owned(),
            operator: "株式会社ヘルスレコード".to_owned(),
            purpose: "健診結果を時系列で表示します".to_owned(),
            scopes: vec![
                "health_checkups".to_owned(),
                "prescriptions".to_owned(),
                "notices_read".to_owned(),
            ],
            redirect_uris: vec![REDIRECT.to_owned()],
            confidential: false,
        },
    )
    .await
    .expect("register")
    .expect("valid")
    .app
}

/// An access token for `scope`, through the same steps as the pages: request checked, consent, code.
async fn access_token(app: &TestApp, registered: &App, citizen: CitizenId, scope: &str) -> String {
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER));
    let params = [
        ("response_type", "code"),
        ("client_id", registered.client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
        ("state", "s"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();
    let request = oauth::check_authorize(&app.state, params)
        .await
        .expect("check")
        .expect("a valid request");
    let location = oauth::approve(&app.state, citizen, &request)
        .await
        .expect("approve");
    let code = url::Url::parse(&location)
        .expect("url")
        .query_pairs()
        .find(|(n, _)| n == "code")
        .expect("code")
        .1
        .into_owned();
    oauth::exchange_code(
        &app.state,
        registered,
        Some(&code),
        Some(REDIRECT),
        Some(VERIFIER),
    )
    .await
    .expect("exchange")
    .expect("tokens")
    .access_token
}

async fn query(app: &TestApp, token: &str, query: &str, variables: Value) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("graphql");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

const CHECKUPS: &str = "query($f: Int, $a: String, $from: String, $to: String) { me { healthCheckups(first: $f, after: $a, from: $from, to: $to) { totalCount edges { cursor node { updatedOn fields source { code name } } } pageInfo { hasNextPage endCursor } } } }";

#[actix_web::test]
async fn an_app_pages_through_its_citizens_records_and_each_read_is_in_their_history() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let insurer = agencies["kyoukaikenpo"];
    let hanako = Citizen::sign_in(&app, "佐藤 花子").await;
    let taro = Citizen::sign_in(&app, "鈴木 太郎").await;
    let mut rows = Vec::new();
    for year in 2001..=2025 {
        let on = format!("{year}-05-10");
        rows.push(record(
            hanako.id,
            insurer,
            "health_checkups",
            &on,
            json!({"checked_on": on, "bmi": "21.0", "blood_pressure": "120/80", "hba1c": format!("5.{}", year % 10)}),
        ));
    }
    rows.push(record(
        taro.id,
        insurer,
        "health_checkups",
        "2025-06-01",
        json!({"checked_on": "2025-06-01", "bmi": "30.0", "blood_pressure": "150/95", "hba1c": "7.1"}),
    ));
    insert_records(&app, rows).await;
    let registered = register(&app).await;
    let token = access_token(&app, &registered, hanako.id, "health_checkups").await;

    // Pages of 10, newest first, each carrying the count and a cursor to the next.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let (status, body) = query(&app, &token, CHECKUPS, json!({"f": 10, "a": after})).await;
        assert_eq!(status, 200, "{body}");
        let list = &body["data"]["me"]["healthCheckups"];
        assert_eq!(list["totalCount"], 25, "{body}");
        for edge in list["edges"].as_array().expect("edges") {
            seen.push(edge["node"]["updatedOn"].as_str().expect("date").to_owned());
            assert_eq!(edge["node"]["source"]["code"], "kyoukaikenpo");
        }
        pages += 1;
        if list["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = list["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(pages, 3);
    let mut newest_first: Vec<String> = (2001..=2025).rev().map(|y| format!("{y}-05-10")).collect();
    assert_eq!(
        seen, newest_first,
        "every record once, newest first, none of 鈴木's"
    );
    newest_first.clear();

    // A date range narrows the list and its count.
    let (_, body) = query(
        &app,
        &token,
        CHECKUPS,
        json!({"f": 100, "from": "2020-01-01", "to": "2022-12-31"}),
    )
    .await;
    let list = &body["data"]["me"]["healthCheckups"];
    assert_eq!(list["totalCount"], 3, "{body}");
    assert_eq!(list["edges"][0]["node"]["updatedOn"], "2022-05-10");

    // Bad arguments are the app's mistake, said plainly.
    for (variables, wanted) in [
        (json!({"f": 101}), "first must be from 1 to 100"),
        (json!({"from": "2020-13-01"}), "from must be a date"),
        (json!({"a": "not-a-cursor"}), "after is not a cursor"),
    ] {
        let (_, body) = query(&app, &token, CHECKUPS, variables).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_REQUEST",
            "{body}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains(wanted)),
            "{body}"
        );
    }

    // A scope the consent does not cover is an error naming it, not an empty list.
    let (_, body) = query(
        &app,
        &token,
        "{ me { prescriptions(first: 5) { totalCount } } }",
        Value::Null,
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["scope"], "prescriptions");
    assert_eq!(
        body["data"]["me"],
        Value::Null,
        "nothing is answered in its place"
    );

    // Every successful read (3 pages, the range, and the three refused for bad arguments are not reads)
    // joins 花子's history once folded, naming the app, its operator and its purpose.
    let folded = app_api::fold_history(&app.state.db).await.expect("fold");
    assert_eq!(folded, 4, "one history row per read");
    let history = hanako.html(&app, "/history", reqwest::StatusCode::OK).await;
    assert!(
        history.contains("けんこう手帳（株式会社ヘルスレコード）"),
        "{history}"
    );
    assert!(history.contains("健診結果を時系列で表示します"));
    let theirs = taro.html(&app, "/history", reqwest::StatusCode::OK).await;
    assert!(!theirs.contains("けんこう手帳"), "鈴木 was never read");

    // 連携中のサービス shows when it last read.
    let apps_page = hanako
        .html(&app, "/settings/apps", reqwest::StatusCode::OK)
        .await;
    assert!(apps_page.contains("けんこう手帳"), "{apps_page}");
    assert!(
        !apps_page.contains("まだ取得していません"),
        "a last read is shown"
    );
}

#[actix_web::test]
async fn an_app_reads_notices_without_marking_them_read() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let hanako = Citizen::sign_in(&app, "佐藤 花子").await;
    for (title, days_ago) in [("住民税の納付について", 3), ("健診のご案内", 1)] {
        post(
            &app,
            notice(agencies["131016"], title, days_ago),
            &[hanako.id],
        )
        .await;
    }
    let registered = register(&app).await;
    let token = access_token(&app, &registered, hanako.id, "notices_read").await;
    let page = "query($a: String) { me { notices(first: 1, after: $a) { totalCount edges { cursor node { title read source { code } } } pageInfo { hasNextPage endCursor } } } }";
    let (_, first) = query(&app, &token, page, Value::Null).await;
    let list = &first["data"]["me"]["notices"];
    assert_eq!(list["totalCount"], 2, "{first}");
    assert_eq!(
        list["edges"][0]["node"]["title"], "健診のご案内",
        "newest first"
    );
    assert_eq!(list["edges"][0]["node"]["read"], false);
    assert_eq!(list["edges"][0]["node"]["source"]["code"], "131016");
    assert_eq!(list["pageInfo"]["hasNextPage"], true);
    let (_, second) = query(
        &app,
        &token,
        page,
        json!({"a": list["pageInfo"]["endCursor"]}),
    )
    .await;
    let list = &second["data"]["me"]["notices"];
    assert_eq!(
        list["edges"][0]["node"]["title"], "住民税の納付について",
        "{second}"
    );
    assert_eq!(list["pageInfo"]["hasNextPage"], false);

    // The portal still counts both unread, and the reads are in the history as お知らせ.
    let inbox = hanako
        .html(&app, "/notices?unread=1", reqwest::StatusCode::OK)
        .await;
    assert!(inbox.contains("住民税の納付について") && inbox.contains("健診のご案内"));
    app_api::fold_history(&app.state.db).await.expect("fold");
    let history = hanako.html(&app, "/history", reqwest::StatusCode::OK).await;
    assert!(history.contains("けんこう手帳（株式会社ヘルスレコード）"));
    assert!(history.contains("お知らせ"), "{history}");

    // A token without the scope is refused on this field.
    let narrow = access_token(&app, &registered, hanako.id, "health_checkups").await;
    let (_, body) = query(&app, &narrow, page, Value::Null).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(body["errors"][0]["extensions"]["scope"], "notices_read");
}

#[actix_web::test]
async fn an_app_over_its_limit_is_told_when_to_come_back() {
    let app = TestApp::start_with(Options {
        app_requests_per_minute: Some(3),
        ..Options::default()
    })
    .await;
    let hanako = Citizen::sign_in(&app, "佐藤 花子").await;
    let registered = register(&app).await;
    let token = access_token(&app, &registered, hanako.id, "health_checkups").await;
    for _ in 0..3 {
        let (status, body) = query(&app, &token, CHECKUPS, json!({"f": 1})).await;
        assert_eq!(status, 200, "{body}");
    }
    let res = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&token)
        .json(&json!({"query": CHECKUPS}))
        .send()
        .await
        .expect("graphql");
    assert_eq!(res.status().as_u16(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&wait));
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
}

#[actix_web::test]
async fn reads_at_once_share_a_history_write_and_each_keeps_its_row() {
    let app = TestApp::start().await;
    let hanako = Citizen::sign_in(&app, "佐藤 花子").await;
    let registered = register(&app).await;
    let token = access_token(&app, &registered, hanako.id, "health_checkups").await;
    let reads = (0..24).map(|_| query(&app, &token, CHECKUPS, json!({"f": 1})));
    for (status, body) in futures_util::future::join_all(reads).await {
        assert_eq!(status, 200, "{body}");
    }
    let folded = app_api::fold_history(&app.state.db).await.expect("fold");
    assert_eq!(folded, 24, "one history row per read, none lost or doubled");

    // A row that cannot be written (no such citizen) fails its own read only, not those sharing its write.
    let row = |citizen| portal_storage::models::linkage::NewLinkage {
        citizen_id: citizen,
        at: portal_storage::now_millis(),
        requester_kind: "app".to_owned(),
        requester_id: registered.client_id.clone(),
        requester_name: "けんこう手帳".to_owned(),
        providers: Vec::new(),
        items: vec!["health_checkups".to_owned()],
        task_code: String::new(),
        purpose: "test".to_owned(),
        result: "no_data".to_owned(),
        withheld: false,
    };
    let pushes = [hanako.id, CitizenId::new(), hanako.id, hanako.id]
        .map(|citizen| app.state.history.push(row(citizen)));
    let results = futures_util::future::join_all(pushes).await;
    let failed: Vec<bool> = results.iter().map(Result::is_err).collect();
    assert_eq!(failed, [false, true, false, false], "{results:?}");
    let folded = app_api::fold_history(&app.state.db).await.expect("fold");
    assert_eq!(folded, 3);
}

use serde_json::{Value, json};

use crate::common::TestApp;

async fn query(app: &TestApp, query: &str) -> Value {
    let res = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    res.json().await.expect("json")
}

fn codes(response: &Value) -> Vec<&str> {
    response["errors"].as_array().map_or(Vec::new(), |errors| {
        errors
            .iter()
            .filter_map(|e| e["extensions"]["code"].as_str())
            .collect()
    })
}

#[actix_web::test]
async fn service_query_names_the_service_version_and_languages() {
    let app = TestApp::start().await;
    let response = query(
        &app,
        "{ service { name nameEn version languages { code name } } }",
    )
    .await;
    assert_eq!(response["errors"], Value::Null, "{response}");
    let service = &response["data"]["service"];
    assert_eq!(service["name"], "マイナポータル");
    assert_eq!(service["nameEn"], "Mynaportal");
    assert_eq!(service["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        service["languages"],
        json!([{ "code": "ja", "name": "日本語" }, { "code": "en", "name": "English" }])
    );
}

#[actix_web::test]
async fn get_requests_work_too() {
    let app = TestApp::start().await;
    let res = app.get("/graphql?query=%7Bservice%7Bversion%7D%7D").await;
    let body: Value = res.json().await.expect("json");
    assert_eq!(
        body["data"]["service"]["version"],
        env!("CARGO_PKG_VERSION")
    );
}

#[actix_web::test]
async fn every_error_carries_a_code() {
    let app = TestApp::start().await;
    assert_eq!(
        codes(&query(&app, "{ service { name ").await),
        vec!["GRAPHQL_PARSE_FAILED"]
    );
    assert_eq!(
        codes(&query(&app, "{ service { nope } }").await),
        vec!["GRAPHQL_VALIDATION_FAILED"]
    );

    // Introspection allows arbitrary nesting: deeper than the limit is refused before it runs.
    let mut deep = String::from("name");
    for _ in 0..12 {
        deep = format!("ofType {{ {deep} }}");
    }
    let response = query(
        &app,
        &format!("{{ __schema {{ types {{ fields {{ type {{ {deep} }} }} }} }} }}"),
    )
    .await;
    assert_eq!(codes(&response), vec!["QUERY_TOO_DEEP"], "{response}");

    let wide: String = (0..600)
        .map(|i| format!("a{i}: service {{ version }} "))
        .collect();
    let response = query(&app, &format!("{{ {wide} }}")).await;
    assert_eq!(codes(&response), vec!["QUERY_TOO_COMPLEX"], "{response}");
}

//! Registering private apps for the 自己情報取得API: only the portal's operator may, each field is checked
//! with its reason, a confidential app's secret is shown once and kept as an argon2id hash, and the
//! command line registers the same way.

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use portal_server::services::agencies;
use portal_storage::models::app::App;
use serde_json::{Value, json};

use crate::agency::{Client, graphql, token};
use crate::common::TestApp;

const REGISTER: &str = "mutation($a: AppInput!) { registerApp(app: $a) { clientId clientSecret name scopes redirectUris confidential } }";

pub(crate) async fn operator_token(app: &TestApp, code: &str) -> String {
    app.state
        .db
        .run(agencies::ensure_registry)
        .await
        .expect("registry");
    let created = agencies::add_client(&app.state.db, code, "tests")
        .await
        .expect("client");
    token(
        app,
        &Client {
            id: created.client_id,
            secret: created.client_secret,
        },
    )
    .await
}

fn phr() -> Value {
    json!({
        "name": "けんこう手帳", "operator": "株式会社ヘルスレコード",
        "purpose": "健診結果と処方薬を時系列で表示し、ご自身の健康管理に役立てます。",
        "scopes": ["prescriptions", "health_checkups", "prescriptions"],
        "redirectUris": ["https://phr.example.jp/callback", "http://127.0.0.1:53682/callback"],
        "confidential": true,
    })
}

#[actix_web::test]
async fn the_operator_registers_an_app_whose_secret_is_shown_once_and_kept_hashed() {
    let app = TestApp::start().await;
    let digital = operator_token(&app, "digital").await;

    let registered = graphql(&app, &digital, REGISTER, json!({"a": phr()})).await;
    let got = &registered["data"]["registerApp"];
    let client_id = got["clientId"].as_str().expect("client id").to_owned();
    let secret = got["clientSecret"].as_str().expect("a secret").to_owned();
    assert!(
        client_id.starts_with("app-") && secret.len() >= 40,
        "{registered}"
    );
    assert_eq!(
        got["scopes"],
        json!(["health_checkups", "prescriptions"]),
        "sorted, once each"
    );
    assert_eq!(got["redirectUris"].as_array().map(Vec::len), Some(2));

    let id = client_id.clone();
    let stored = app
        .state
        .db
        .run(move |c| App::find_by_client_id(c, &id))
        .await
        .expect("find")
        .expect("stored");
    let hash = stored.secret_hash.expect("a hash");
    assert!(hash.starts_with("$argon2id$") && !hash.contains(&secret));
    let parsed = PasswordHash::new(&hash).expect("PHC string");
    assert!(
        argon2::Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok()
    );
    assert!(
        argon2::Argon2::default()
            .verify_password(b"not-the-secret", &parsed)
            .is_err()
    );

    // Listed without the secret; a public app gets none.
    let listed = graphql(
        &app,
        &digital,
        "{ apps { clientId clientSecret } }",
        json!({}),
    )
    .await;
    assert_eq!(
        listed["data"]["apps"],
        json!([{"clientId": client_id, "clientSecret": null}])
    );
    let mut public = phr();
    public["confidential"] = json!(false);
    let public = graphql(&app, &digital, REGISTER, json!({"a": public})).await;
    assert!(
        public["data"]["registerApp"]["clientSecret"].is_null(),
        "{public}"
    );

    // Scopes are named for citizens in both languages.
    let scopes = graphql(
        &app,
        &digital,
        "{ appScopes { code nameJa nameEn } }",
        json!({}),
    )
    .await;
    let scopes = scopes["data"]["appScopes"]
        .as_array()
        .expect("scopes")
        .clone();
    assert_eq!(scopes.len(), 9);
    assert!(
        scopes
            .iter()
            .any(|s| s["code"] == "prescriptions" && s["nameJa"] == "薬剤情報（処方された薬）")
    );
}

#[actix_web::test]
async fn only_the_operator_registers_and_each_bad_field_is_named() {
    let app = TestApp::start().await;
    let ward = operator_token(&app, "131016").await;
    let refused = graphql(&app, &ward, REGISTER, json!({"a": phr()})).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );

    let digital = operator_token(&app, "digital").await;
    let cases = [
        (
            json!({"scopes": ["prescriptions", "my_number"]}),
            "app.scopes[1]",
        ),
        (json!({"scopes": []}), "app.scopes"),
        (
            json!({"redirectUris": ["http://phr.example.jp/callback"]}),
            "app.redirectUris[0]",
        ),
        (
            json!({"redirectUris": ["https://phr.example.jp/cb", "https://phr.example.jp/cb#x"]}),
            "app.redirectUris[1]",
        ),
        (json!({"redirectUris": []}), "app.redirectUris"),
        (json!({"purpose": " "}), "app.purpose"),
        (json!({"operator": ""}), "app.operator"),
    ];
    for (change, field) in cases {
        let mut input = phr();
        for (key, value) in change.as_object().expect("object") {
            input[key] = value.clone();
        }
        let answer = graphql(&app, &digital, REGISTER, json!({"a": input})).await;
        assert_eq!(
            answer["errors"][0]["extensions"]["field"], field,
            "{change}: {answer}"
        );
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    }
    let none = app.state.db.run(App::all).await.expect("apps");
    assert!(none.is_empty(), "nothing refused was stored");
}

//! ぴったりサービス: the catalogue open to anyone, and agencies publishing form definitions through GraphQL
//! (each kind of bad definition refused with its place and reason).

use portal_storage::models::application::FormDefinition;
use serde_json::{Value, json};

use crate::agency::{graphql, setup, token as agency_token};
use crate::common::{TestApp, title};

#[actix_web::test]
async fn the_catalogue_works_signed_out_and_its_search_ignores_kana_and_width() {
    let app = TestApp::start().await;
    let (status, html) = app.get_text("/services").await;
    assert_eq!(status, 200);
    assert!(
        title(&html).starts_with("手続きをさがす"),
        "{}",
        title(&html)
    );
    assert!(html.contains("児童手当の認定請求"));
    assert!(html.contains("転出届"));

    // The same words in hiragana, katakana and half-width katakana find the same procedure, and only it.
    for words in ["じどうてあて", "ジドウテアテ", "ｼﾞﾄﾞｳﾃｱﾃ"] {
        let (status, html) = app
            .get_text(&format!("/services?words={}", urlencoding(words)))
            .await;
        assert_eq!(status, 200);
        assert!(html.contains("児童手当の認定請求"), "{words}");
        assert!(!html.contains("転出届"), "{words}");
        assert!(html.contains("条件に合う手続きは1件です"), "{words}");
    }

    // By life event: 介護 lists the care certification and not the moving-out notice.
    let (_, html) = app.get_text("/services?life_event=care").await;
    assert!(html.contains("要介護・要支援認定の申請"));
    assert!(!html.contains("転出届"));

    // Nothing matches: said in words.
    let (_, html) = app.get_text("/services?words=zzzz").await;
    assert!(html.contains("条件に合う手続きはありません"));
}

/// The registry and the presets, as opening the database makes them.
pub(crate) async fn presets(app: &TestApp) {
    app.state
        .db
        .run(|c| {
            portal_server::services::agencies::ensure_registry(c)?;
            portal_server::services::form_definitions::ensure_presets(c)
        })
        .await
        .expect("presets");
}

fn urlencoding(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[actix_web::test]
async fn a_procedure_page_says_who_can_apply_what_is_needed_and_whether_it_is_online() {
    let app = TestApp::start().await;
    let (status, html) = app
        .get_text("/services/child_allowance?words=%E5%85%90")
        .await;
    assert_eq!(status, 200);
    assert!(title(&html).starts_with("児童手当の認定請求"));
    assert!(html.contains("申請できる方"));
    assert!(html.contains("必要なもの"));
    assert!(
        html.contains("href=\"/apply/child_allowance\""),
        "an online procedure has a start button"
    );
    assert!(
        html.contains("href=\"/services?words=%E5%85%90\""),
        "the way back keeps the search"
    );

    let (status, _) = app.get_text("/services/no_such_procedure").await;
    assert_eq!(status, 404);
}

const PUBLISH: &str = "mutation($d: String!) { publishForm(document: $d) { form { form version titleJa } problems { place reason } } }";

async fn publish(app: &TestApp, token: &str, document: &str) -> Value {
    let body = graphql(app, token, PUBLISH, json!({ "d": document })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["publishForm"].clone()
}

fn problems(result: &Value) -> Vec<(String, String)> {
    result["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["place"].as_str().unwrap_or_default().to_owned(),
                p["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

const GOOD: &str = r#"
id = "parking_permit"
version = 1
agency = "131130"
title = { ja = "駐車許可申請", en = "Parking permit" }

[[pages]]
id = "applicant"
title = { ja = "申請者", en = "Applicant" }

[[pages.fields]]
id = "name"
kind = "text"
label = { ja = "氏名", en = "Name" }
required = true
prefill = "basic.name"

[[pages.fields]]
id = "has_car"
kind = "yes_no"
label = { ja = "車をお持ちですか", en = "Do you have a car?" }

[[pages.fields]]
id = "plate"
kind = "text"
label = { ja = "ナンバー", en = "Number plate" }
show_if = { field = "has_car", equals = "yes" }
"#;

#[actix_web::test]
async fn an_agency_publishes_versions_and_bad_definitions_are_refused_with_place_and_reason() {
    let app = TestApp::start().await;
    let (_, _, client) = setup(&app, "131130").await;
    let token = agency_token(&app, &client).await;

    let published = publish(&app, &token, GOOD).await;
    assert_eq!(published["form"]["form"], "parking_permit", "{published}");
    assert_eq!(published["form"]["version"], 1);
    assert_eq!(problems(&published), vec![]);

    // Each kind of bad definition, with the place and (part of) the reason it is refused for.
    let cases: [(&str, &str, &str, &str); 6] = [
        (
            "kind = \"yes_no\"",
            "kind = \"slider\"",
            "pages[0].fields[1].kind",
            "slider",
        ),
        (
            "prefill = \"basic.name\"",
            "prefill = \"basic.shoe_size\"",
            "pages[0].fields[0].prefill",
            "basic.shoe_size",
        ),
        (
            "equals = \"yes\"",
            "equals = \"maybe\"",
            "pages[0].fields[2].show_if.equals",
            "maybe",
        ),
        (
            "field = \"has_car\"",
            "field = \"has_boat\"",
            "pages[0].fields[2].show_if.field",
            "has_boat",
        ),
        ("version = 2", "version = 3", "version", "version 1"),
        (
            "agency = \"131130\"",
            "agency = \"131016\"",
            "agency",
            "another agency",
        ),
    ];
    for (from, to, place, reason) in cases {
        let document = GOOD.replace("version = 1", "version = 2").replace(from, to);
        assert_ne!(
            document,
            GOOD.replace("version = 1", "version = 2"),
            "{from}"
        );
        let refused = publish(&app, &token, &document).await;
        assert!(refused["form"].is_null(), "{to}: {refused}");
        let found = problems(&refused);
        assert!(
            found.iter().any(|(p, r)| p == place && r.contains(reason)),
            "{to}: expected {place} ({reason}), got {found:?}"
        );
    }

    // A document that does not parse: the line and column.
    let refused = publish(&app, &token, "id = \"x\"\nversion = = 1\n").await;
    assert_eq!(problems(&refused)[0].0, "line 2, column 11", "{refused}");

    // The next version is accepted; both are listed.
    let second = publish(&app, &token, &GOOD.replace("version = 1", "version = 2")).await;
    assert_eq!(second["form"]["version"], 2, "{second}");
    let listed = graphql(&app, &token, "{ forms { form version } }", json!({})).await;
    assert_eq!(
        listed["data"]["forms"],
        json!([{"form": "parking_permit", "version": 2}, {"form": "parking_permit", "version": 1}])
    );
    let latest = app
        .state
        .db
        .run(|c| FormDefinition::latest(c, "parking_permit"))
        .await
        .expect("latest")
        .expect("published");
    assert_eq!(latest.version, 2);

    // Another agency cannot take over the form's id.
    let (_, _, other) = setup(&app, "141003").await;
    let other_token = agency_token(&app, &other).await;
    let taken = publish(
        &app,
        &other_token,
        &GOOD
            .replace("version = 1", "version = 3")
            .replace("131130", "141003"),
    )
    .await;
    assert!(
        problems(&taken)
            .iter()
            .any(|(p, r)| p == "id" && r.contains("another agency")),
        "{taken}"
    );
}

#[actix_web::test]
async fn the_standard_presets_are_published_once() {
    let app = TestApp::start().await;
    presets(&app).await;
    // A second start publishes nothing again.
    presets(&app).await;
    for key in [
        "child_allowance",
        "moving_out",
        "long_term_care",
        "disaster_certificate",
        "emergency_benefit",
    ] {
        let found = app
            .state
            .db
            .run(move |c| FormDefinition::latest(c, key))
            .await
            .expect("query");
        assert_eq!(found.map(|f| f.version), Some(1), "{key}");
    }
}

//! お知らせ through GraphQL for agency clients: posting to a list and to a rule, refusals that name the
//! field, corrections, withdrawal, and the figures — each agency seeing only its own notices.

use portal_storage::ids::NoticeId;
use portal_storage::models::notice::{Notice, is_listed};
use portal_storage::models::outbox::{OutboxMail, purpose};
use portal_storage::now_millis;
use serde_json::{Value, json};

use crate::agency::{graphql, setup, token};
use crate::common::TestApp;

const POST: &str = "mutation($n: NoticeInput!, $c: [String!]!) { postNotice(notice: $n, citizens: $c) { unknownCount unknownCitizens notice { id audience recipients } } }";
const BROADCAST: &str = "mutation($n: NoticeInput!, $a: AudienceInput!) { postBroadcast(notice: $n, audience: $a) { notice { id audience recipients } } }";
const FIGURES: &str = "query($id: ID!) { notice(id: $id) { title correctedAt withdrawnAt recipients readCount mails { queued sent failed cancelled } } }";
const CORRECT: &str = "mutation($id: ID!, $n: NoticeInput!) { correctNotice(id: $id, notice: $n) { title correctedAt } }";
const WITHDRAW: &str = "mutation($id: ID!) { withdrawNotice(id: $id) { withdrawnAt } }";

fn content(title: &str) -> Value {
    json!({
        "title": title,
        "body": "児童手当の現況をご確認ください。\n\nhttps://example.jp/jidou",
        "category": "benefits",
        "importance": "high",
        "deadline": "2026-12-25",
        "actionUrl": "https://example.jp/jidou",
        "actionLabel": "児童手当のページ",
    })
}

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

#[actix_web::test]
async fn a_list_notice_reaches_the_named_citizens_and_reports_unknown_pseudonyms() {
    let app = TestApp::start().await;
    let (citizen, pseudonym, client) = setup(&app, "131016").await;
    let token = token(&app, &client).await;
    let answer = graphql(
        &app,
        &token,
        POST,
        // The same citizen named twice is listed once.
        json!({"n": content("児童手当のお知らせ"), "c": [pseudonym, "not-a-pseudonym", pseudonym]}),
    )
    .await;
    let posted = &answer["data"]["postNotice"];
    assert_eq!(posted["unknownCount"], 1, "{answer}");
    assert_eq!(posted["unknownCitizens"], json!(["not-a-pseudonym"]));
    assert_eq!(posted["notice"]["audience"], "list");
    assert_eq!(posted["notice"]["recipients"], 1);
    let id: NoticeId = posted["notice"]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("a notice id");
    let (listed, stored) = app
        .state
        .db
        .run(move |c| Ok((is_listed(c, id, citizen)?, Notice::find(c, id)?)))
        .await
        .expect("read back");
    assert!(listed, "the named citizen is on the list");
    let stored = stored.expect("stored");
    assert_eq!(
        (stored.importance.as_str(), stored.deadline.as_deref()),
        ("high", Some("2026-12-25"))
    );
    let figures = graphql(&app, &token, FIGURES, json!({"id": id.to_string()})).await;
    assert_eq!(
        figures["data"]["notice"]["mails"],
        json!({"queued": 0, "sent": 0, "failed": 0, "cancelled": 0}),
        "{figures}"
    );
    assert_eq!(figures["data"]["notice"]["readCount"], 0);
}

#[actix_web::test]
async fn bad_content_is_refused_with_the_field() {
    let app = TestApp::start().await;
    let (_, pseudonym, client) = setup(&app, "131016").await;
    let token = token(&app, &client).await;
    let mut bad = content("x");
    bad["actionLabel"] = Value::Null;
    let answer = graphql(&app, &token, POST, json!({"n": bad, "c": [pseudonym]})).await;
    assert_eq!(code(&answer), "BAD_REQUEST", "{answer}");
    assert_eq!(
        answer["errors"][0]["extensions"]["field"],
        "notice.actionLabel"
    );
    let answer = graphql(&app, &token, POST, json!({"n": content("x"), "c": []})).await;
    assert_eq!(answer["errors"][0]["extensions"]["field"], "citizens");
}

#[actix_web::test]
async fn a_municipality_broadcasts_only_to_its_own_residents() {
    let app = TestApp::start().await;
    let (_, _, client) = setup(&app, "131016").await;
    let token = token(&app, &client).await;
    let own = graphql(
        &app,
        &token,
        BROADCAST,
        json!({"n": content("防災訓練のお知らせ"), "a": {"municipalities": ["131016"], "minAge": 18}}),
    )
    .await;
    let notice = &own["data"]["postBroadcast"]["notice"];
    assert_eq!(notice["audience"], "rule", "{own}");
    assert_eq!(
        notice["recipients"],
        Value::Null,
        "counted in the background"
    );
    let everyone = graphql(
        &app,
        &token,
        BROADCAST,
        json!({"n": content("全国のお知らせ"), "a": {"everyone": true}}),
    )
    .await;
    assert_eq!(code(&everyone), "FORBIDDEN", "{everyone}");
    let bad_code = graphql(
        &app,
        &token,
        BROADCAST,
        json!({"n": content("x"), "a": {"municipalities": ["131017"]}}),
    )
    .await;
    assert_eq!(
        bad_code["errors"][0]["extensions"]["field"], "audience.municipalities[0]",
        "{bad_code}"
    );
}

#[actix_web::test]
async fn corrections_and_withdrawals_are_the_posting_agencys_alone() {
    let app = TestApp::start().await;
    let (citizen, pseudonym, client) = setup(&app, "131016").await;
    let token = token(&app, &client).await;
    let posted = graphql(
        &app,
        &token,
        POST,
        json!({"n": content("住民税のお知らせ"), "c": [pseudonym]}),
    )
    .await;
    let id = posted["data"]["postNotice"]["notice"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Another agency's client sees no such notice, and cannot change it.
    let other = crate::agency::setup(&app, "kyoukaikenpo").await.2;
    let other = crate::agency::token(&app, &other).await;
    for (query, vars) in [
        (FIGURES, json!({"id": id})),
        (CORRECT, json!({"id": id, "n": content("乗っ取り")})),
        (WITHDRAW, json!({"id": id})),
    ] {
        let answer = graphql(&app, &other, query, vars).await;
        assert_eq!(code(&answer), "NOT_FOUND", "{answer}");
    }

    let corrected = graphql(
        &app,
        &token,
        CORRECT,
        json!({"id": id, "n": content("住民税のお知らせ（訂正）")}),
    )
    .await;
    assert_eq!(
        corrected["data"]["correctNotice"]["title"], "住民税のお知らせ（訂正）",
        "{corrected}"
    );
    assert!(corrected["data"]["correctNotice"]["correctedAt"].is_i64());

    // An alert waiting in the outbox is cancelled by the withdrawal.
    let notice: NoticeId = id.parse().expect("id");
    app.state
        .db
        .run(move |c| {
            let mut mail = OutboxMail::queued(
                purpose::NOTICE_ALERT,
                format!("notice_alert:{notice}:{citizen}"),
                "hanako@example.jp".to_owned(),
                "ja".to_owned(),
                "{}".to_owned(),
                now_millis(),
            );
            mail.notice_id = Some(notice);
            mail.citizen_id = Some(citizen);
            OutboxMail::enqueue(c, &[mail])
        })
        .await
        .expect("queue");
    let withdrawn = graphql(&app, &token, WITHDRAW, json!({"id": id})).await;
    assert!(
        withdrawn["data"]["withdrawNotice"]["withdrawnAt"].is_i64(),
        "{withdrawn}"
    );
    let figures = graphql(&app, &token, FIGURES, json!({"id": id})).await;
    assert_eq!(
        figures["data"]["notice"]["mails"],
        json!({"queued": 0, "sent": 0, "failed": 0, "cancelled": 1}),
        "{figures}"
    );
    let again = graphql(
        &app,
        &token,
        CORRECT,
        json!({"id": id, "n": content("もう一度")}),
    )
    .await;
    assert_eq!(
        code(&again),
        "BAD_REQUEST",
        "a withdrawn notice stays withdrawn"
    );
}

#[actix_web::test]
async fn notices_need_an_agency_token() {
    let app = TestApp::start().await;
    let answer: Value = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({"query": POST, "variables": {"n": content("x"), "c": ["p"]}}))
        .send()
        .await
        .expect("graphql")
        .json()
        .await
        .expect("json");
    assert_eq!(code(&answer), "UNAUTHENTICATED", "{answer}");
}

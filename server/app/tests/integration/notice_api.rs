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

/// A list long enough to be written by two connections at once (on PostgreSQL; SQLite writes it in one go):
/// every named citizen is listed once, and a post that fails at the end leaves no row behind.
#[actix_web::test]
async fn a_long_list_appears_whole_with_its_notice_or_not_at_all() {
    use portal_server::services::agencies;
    use portal_storage::StorageError;
    use portal_storage::models::agency::{Agency, AgencyPseudonym};
    use portal_storage::models::citizen::Citizen as Person;
    use portal_storage::models::notice::AUDIENCE_LIST;

    const LISTED: usize = 100_000;
    let app = TestApp::start().await;
    let agency = app
        .state
        .db
        .run(|c| {
            agencies::ensure_registry(c)?;
            Agency::find_by_code(c, "jps")
        })
        .await
        .expect("registry")
        .expect("the pension service");
    let people: Vec<Person> = (0..LISTED)
        .map(|i| Person {
            id: portal_storage::ids::CitizenId::new(),
            name: format!("試験 {i}"),
            name_kana: "シケン".to_owned(),
            birth_date: "1980-01-01".to_owned(),
            sex: "other".to_owned(),
            address: "東京都千代田区".to_owned(),
            municipality_code: "131016".to_owned(),
            email: None,
            lang: "ja".to_owned(),
            created_at: now_millis(),
        })
        .collect();
    let pseudonyms: Vec<AgencyPseudonym> = people
        .iter()
        .map(|p| AgencyPseudonym {
            agency_id: agency.id,
            pseudonym: agencies::pseudonym(&agency, p.id),
            citizen_id: p.id,
            created_at: now_millis(),
        })
        .collect();
    let mut names: Vec<String> = pseudonyms.iter().map(|p| p.pseudonym.clone()).collect();
    let (first, last) = (people[0].id, people[LISTED - 1].id);
    app.state
        .db
        .run(move |c| {
            Person::insert_bulk(c, &people)?;
            AgencyPseudonym::insert_bulk(c, &pseudonyms)
        })
        .await
        .expect("citizens");
    // One name twice, one unknown.
    names.push(names[7].clone());
    names.push("not-a-pseudonym".to_owned());

    let row = |title: &str| Notice {
        id: NoticeId::new(),
        agency_id: agency.id,
        audience: AUDIENCE_LIST.to_owned(),
        rule_areas: String::new(),
        rule_born_from: None,
        rule_born_to: None,
        title: title.to_owned(),
        body: "本文".to_owned(),
        lang: "ja".to_owned(),
        category: "pension".to_owned(),
        importance: "normal".to_owned(),
        deadline: None,
        action_url: None,
        action_label: None,
        expires_at: None,
        posted_at: now_millis(),
        corrected_at: None,
        withdrawn_at: None,
        recipients: None,
    };
    let posted = row("年金のお知らせ");
    let id = posted.id;
    let added = Notice::post_list(&app.state.db, posted, &names, |_, added| Ok(added))
        .await
        .expect("post");
    assert_eq!(added, LISTED, "each known citizen once");
    let (first_listed, last_listed) = app
        .state
        .db
        .run(move |c| Ok((is_listed(c, id, first)?, is_listed(c, id, last)?)))
        .await
        .expect("listed");
    assert!(first_listed && last_listed);

    let failed = row("届かないお知らせ");
    let gone = failed.id;
    let result: Result<(), StorageError> =
        Notice::post_list(&app.state.db, failed, &names, |_, _| {
            Err(StorageError::Malformed("refused at the end".to_owned()))
        })
        .await;
    assert!(result.is_err());
    let (notice, first_listed) = app
        .state
        .db
        .run(move |c| Ok((Notice::find(c, gone)?, is_listed(c, gone, first)?)))
        .await
        .expect("read back");
    assert!(notice.is_none(), "no notice");
    assert!(!first_listed, "and none of its list");
}

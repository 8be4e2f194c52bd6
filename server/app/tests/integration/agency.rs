//! Agencies through OAuth2 client credentials and GraphQL: publishing records, reading them for a task, and
//! the history row every read writes.

use portal_server::services::agencies;
use portal_storage::ids::CitizenId;
use portal_storage::models::agency::Agency;
use portal_storage::models::citizen::Citizen;
use portal_storage::models::linkage::{LinkageFilter, LinkageRecord};
use portal_storage::models::record::Record;
use portal_storage::now_millis;
use serde_json::{Value, json};

use crate::common::TestApp;

pub(crate) struct Client {
    pub(crate) id: String,
    pub(crate) secret: String,
}

impl Client {
    pub(crate) fn new(id: String, secret: String) -> Client {
        Client { id, secret }
    }
}

/// A citizen of Chiyoda named `name`, `name_kana` in kana.
pub(crate) fn person(name: &str, name_kana: &str) -> Citizen {
    Citizen {
        id: CitizenId::new(),
        name: name.to_owned(),
        name_kana: name_kana.to_owned(),
        birth_date: "1990-04-01".to_owned(),
        sex: "female".to_owned(),
        address: "東京都千代田区永田町一丁目7番1号".to_owned(),
        municipality_code: "131016".to_owned(),
        email: None,
        lang: "ja".to_owned(),
        created_at: now_millis(),
    }
}

/// The registry, one citizen, and a client of `agency`; returns the citizen and the agency's pseudonym.
pub(crate) async fn setup(app: &TestApp, agency: &str) -> (CitizenId, String, Client) {
    let person = person("山田 花子", "ヤマダ ハナコ");
    let id = person.id;
    let code = agency.to_owned();
    let pseudonym = app
        .state
        .db
        .run(move |c| {
            agencies::ensure_registry(c)?;
            Citizen::insert(c, &person)?;
            let agency = Agency::find_by_code(c, &code)?.expect("registered agency");
            Ok(agencies::enrol(c, &[(&agency, id)])?.remove(0))
        })
        .await
        .expect("setup");
    let client = agencies::add_client(&app.state.db, agency, "tests")
        .await
        .expect("client");
    (
        id,
        pseudonym,
        Client {
            id: client.client_id,
            secret: client.client_secret,
        },
    )
}

async fn token_response(app: &TestApp, form: &[(&str, &str)]) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/oauth/token"))
        .form(form)
        .send()
        .await
        .expect("token request");
    let status = res.status().as_u16();
    assert_eq!(
        res.headers().get("cache-control").map(|v| v.as_bytes()),
        Some(&b"no-store"[..]),
        "token answers are never cached"
    );
    (status, res.json().await.expect("json"))
}

pub(crate) async fn token(app: &TestApp, client: &Client) -> String {
    let (status, body) = token_response(
        app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client.id),
            ("client_secret", &client.secret),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    body["access_token"].as_str().expect("token").to_owned()
}

pub(crate) async fn graphql(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    app.client
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("graphql")
        .json()
        .await
        .expect("json")
}

const PUBLISH: &str = "mutation($r: [RecordInput!]!) { publishRecords(records: $r) { created updated rejected { index recordId field reason } } }";
const READ: &str = "query($c: String!, $t: String!, $k: [String!]) { citizenRecords(citizen: $c, task: $t, categories: $k) { linkageId records { category updatedOn source { code } fields } } }";

fn income(citizen: &str, id: &str, total: Value) -> Value {
    json!({
        "citizen": citizen, "category": "income_tax", "recordId": id, "updatedOn": "2026-06-01",
        "fields": {"fiscal_year": "2025", "total_income": total, "taxable_income": "2800000",
                   "resident_tax": "245000"}
    })
}

#[actix_web::test]
async fn token_errors_follow_rfc_6749() {
    let app = TestApp::start().await;
    let (_, _, client) = setup(&app, "nta").await;

    let (status, body) = token_response(&app, &[("grant_type", "client_credentials")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );

    let (status, body) = token_response(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client.id),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );

    let (status, body) = token_response(
        &app,
        &[
            ("grant_type", "password"),
            ("client_id", &client.id),
            ("client_secret", &client.secret),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );

    let (status, body) = token_response(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("grant_type", "client_credentials"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );

    // HTTP Basic with a wrong secret: 401 with a Basic challenge.
    let res = app
        .client
        .post(app.url("/oauth/token"))
        .basic_auth(&client.id, Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("basic");
    assert_eq!(res.status().as_u16(), 401);
    assert!(res.headers().contains_key("www-authenticate"));
    // And with the right one, a token.
    let res = app
        .client
        .post(app.url("/oauth/token"))
        .basic_auth(&client.id, Some(&client.secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("basic");
    assert_eq!(res.status().as_u16(), 200);

    // A bearer token that is not live is refused before GraphQL runs.
    let res = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth("not-a-token")
        .json(&json!({"query": "{ service { version } }"}))
        .send()
        .await
        .expect("graphql");
    assert_eq!(res.status().as_u16(), 401);
}

#[actix_web::test]
async fn publishing_is_idempotent_by_the_agency_record_id() {
    let app = TestApp::start().await;
    let (citizen, pseudonym, client) = setup(&app, "nta").await;
    let token = token(&app, &client).await;
    let batch = json!({"r": [income(&pseudonym, "T-1", json!(4_200_000)), income(&pseudonym, "T-2", json!("3900000"))]});

    let first = graphql(&app, &token, PUBLISH, batch.clone()).await;
    assert_eq!(first["data"]["publishRecords"]["created"], 2, "{first}");
    let again = graphql(&app, &token, PUBLISH, batch).await;
    assert_eq!(again["data"]["publishRecords"]["created"], 0, "{again}");
    assert_eq!(again["data"]["publishRecords"]["updated"], 2);

    let counts = app
        .state
        .db
        .run(move |c| Record::counts(c, citizen))
        .await
        .expect("counts");
    assert_eq!(counts.len(), 1);
    assert_eq!(counts[0].count, 2, "a resend updates, never duplicates");
}

#[actix_web::test]
async fn a_bad_item_is_rejected_with_its_index_and_the_good_ones_are_kept() {
    let app = TestApp::start().await;
    let (citizen, pseudonym, client) = setup(&app, "nta").await;
    let token = token(&app, &client).await;
    let batch = json!({"r": [
        income(&pseudonym, "T-1", json!(4_200_000)),
        income(&pseudonym, "T-2", json!("-1")),
        income("someone-else", "T-3", json!(1)),
        income(&pseudonym, "T-4", json!(100)),
    ]});
    let result = graphql(&app, &token, PUBLISH, batch).await;
    let publish = &result["data"]["publishRecords"];
    assert_eq!(publish["created"], 2, "{result}");
    let rejected = publish["rejected"].as_array().expect("rejected");
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0]["index"], 1);
    assert_eq!(rejected[0]["field"], "fields.total_income");
    assert!(
        rejected[0]["reason"]
            .as_str()
            .expect("reason")
            .contains("whole number of yen")
    );
    assert_eq!(rejected[1]["index"], 2);
    assert_eq!(rejected[1]["field"], "citizen");

    let counts = app
        .state
        .db
        .run(move |c| Record::counts(c, citizen))
        .await
        .expect("counts");
    assert_eq!(counts[0].count, 2);
}

#[actix_web::test]
async fn every_read_needs_a_task_and_is_written_to_the_citizens_history() {
    let app = TestApp::start().await;
    let (citizen, pseudonym, client) = setup(&app, "131016").await;
    let token = token(&app, &client).await;

    // Without a task: refused, and the attempt is recorded.
    let missing = graphql(
        &app,
        &token,
        "query($c: String!) { citizenRecords(citizen: $c) { linkageId } }",
        json!({"c": pseudonym}),
    )
    .await;
    assert_eq!(
        missing["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{missing}"
    );
    let empty = graphql(&app, &token, READ, json!({"c": pseudonym, "t": " "})).await;
    assert_eq!(
        empty["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{empty}"
    );
    assert!(
        empty["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("task")
    );

    // A task the municipality performs, for a category it allows.
    let read = graphql(
        &app,
        &token,
        READ,
        json!({"c": pseudonym, "t": "child_allowance", "k": ["household", "income_tax"]}),
    )
    .await;
    let linkage_id = read["data"]["citizenRecords"]["linkageId"]
        .as_str()
        .expect("linkage id")
        .to_owned();

    // A category the task does not cover is refused.
    let outside = graphql(
        &app,
        &token,
        READ,
        json!({"c": pseudonym, "t": "child_allowance", "k": ["prescriptions"]}),
    )
    .await;
    assert_eq!(outside["errors"][0]["extensions"]["code"], "FORBIDDEN");

    let history = app
        .state
        .db
        .run(move |c| LinkageRecord::page(c, citizen, &LinkageFilter::default(), 10, 0))
        .await
        .expect("history");
    assert_eq!(history.len(), 3, "the refused reads are recorded too");
    let allowed = history
        .iter()
        .find(|r| r.id.to_string() == linkage_id)
        .expect("the read's row");
    assert_eq!(allowed.requester_id, "131016");
    assert_eq!(allowed.task_code, "child_allowance");
    assert_eq!(allowed.items, "household,income_tax");
    assert_eq!(allowed.result, "no_data");
    assert_eq!(history[0].result, "refused");
}

#[actix_web::test]
async fn an_agency_cannot_read_with_another_agencys_pseudonym() {
    let app = TestApp::start().await;
    let (citizen, nta_pseudonym, _) = setup(&app, "nta").await;
    let chiyoda = agencies::add_client(&app.state.db, "131016", "tests")
        .await
        .expect("client");
    let token = token(
        &app,
        &Client {
            id: chiyoda.client_id,
            secret: chiyoda.client_secret,
        },
    )
    .await;
    let read = graphql(
        &app,
        &token,
        READ,
        json!({"c": nta_pseudonym, "t": "resident_tax"}),
    )
    .await;
    assert_eq!(
        read["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{read}"
    );
    assert!(read["data"].is_null());

    // Chiyoda's own pseudonym for the same citizen differs.
    let own = app
        .state
        .db
        .run(move |c| {
            let agency = Agency::find_by_code(c, "131016")?.expect("agency");
            Ok(agencies::pseudonym(&agency, citizen))
        })
        .await
        .expect("pseudonym");
    assert_ne!(own, nta_pseudonym);
}

#[actix_web::test]
async fn token_requests_are_limited_per_address() {
    let app = TestApp::start().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "agency-nobody"),
        ("client_secret", "x"),
    ];
    for _ in 0..60 {
        let (status, _) = token_response(&app, &form).await;
        assert_eq!(status, 401);
    }
    let res = app
        .client
        .post(app.url("/oauth/token"))
        .form(&form)
        .send()
        .await
        .expect("token request");
    assert_eq!(res.status().as_u16(), 429);
    assert_eq!(
        res.headers().get("retry-after").map(|v| v.as_bytes()),
        Some(&b"60"[..])
    );
}

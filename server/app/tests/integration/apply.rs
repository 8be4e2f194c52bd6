//! Applying online: a child allowance claim from start to receipt — prefilled values with their sources,
//! a draft saved at every page, specific errors that keep what was typed, check your answers, sending with a
//! receipt number and a linkage record — and nobody else's application within reach.

use portal_storage::models::outbox::{OutboxMail, purpose};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{TestApp, title};
use crate::own_data::{Answer, Citizen, between, insert_records, post, record, registry};
use crate::services::presets;

/// Signs in a citizen with a child in their household (as the municipality's records say).
pub(crate) async fn parent(app: &TestApp) -> Citizen {
    parent_with_card(app).await.0
}

/// [`parent`], with the card they signed in with.
pub(crate) async fn parent_with_card(app: &TestApp) -> (Citizen, portal_card::SoftwareCard) {
    presets(app).await;
    let agencies = registry(app).await;
    let (citizen, card) = Citizen::sign_in_as(app, "山田 花子", "ヤマダ ハナコ").await;
    let ward = agencies["131016"];
    insert_records(
        app,
        vec![
            record(
                citizen.id,
                ward,
                "household",
                "2026-10-01",
                json!({
                    "member_name": "山田 花子", "relationship": "本人", "birth_date": "1990-04-01",
                }),
            ),
            record(
                citizen.id,
                ward,
                "household",
                "2026-10-01",
                json!({
                    "member_name": "山田 太郎", "relationship": "子", "birth_date": "2020-05-05",
                }),
            ),
        ],
    )
    .await;
    (citizen, card)
}

/// The confirmation mails queued for a citizen, oldest first.
async fn sent_mails(app: &TestApp, citizen: portal_storage::ids::CitizenId) -> Vec<OutboxMail> {
    app.state
        .db
        .run(move |c| {
            use diesel::prelude::*;
            use portal_storage::schema::mail_outbox;
            Ok(portal_storage::with_conn!(c, |c| mail_outbox::table
                .filter(mail_outbox::citizen_id.eq(citizen))
                .filter(mail_outbox::purpose.eq(purpose::APPLICATION_SENT))
                .order(mail_outbox::created_at)
                .select(OutboxMail::as_select())
                .load(c))?)
        })
        .await
        .expect("mails")
}

/// Starts the claim and returns the address of its first page.
pub(crate) async fn start(app: &TestApp, citizen: &Citizen) -> String {
    let started = post(
        app,
        citizen,
        "/apply/child_allowance",
        "/apply/child_allowance",
        &[],
    )
    .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    started.location().to_owned()
}

/// Where a saved application continues: the page the application's own address sends to.
async fn resume(app: &TestApp, citizen: &Citizen, page: &str) -> String {
    let application = page.split("/pages/").next().expect("application");
    let resumed = citizen.get(app, application).await;
    assert_eq!(resumed.status, StatusCode::SEE_OTHER);
    resumed.headers["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

pub(crate) async fn send(
    app: &TestApp,
    citizen: &Citizen,
    page: &str,
    fields: &[(&str, &str)],
) -> Answer {
    post(app, citizen, page, page, fields).await
}

/// The error summary links each message to an element of the page.
pub(crate) fn assert_linked(answer: &Answer, message: &str) {
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert!(
        title(&answer.body).starts_with("エラー: "),
        "{}",
        title(&answer.body)
    );
    let summary = between(&answer.body, "error-summary__list", "</ul>");
    let link = summary
        .split("<a href=\"#")
        .skip(1)
        .find(|l| l.contains(message))
        .unwrap_or_else(|| panic!("“{message}” is not in the summary: {summary}"));
    let id = &link[..link.find('"').expect("href end")];
    assert!(
        answer.body.contains(&format!("id=\"{id}\"")),
        "the summary links to #{id}, which is on the page"
    );
}

#[actix_web::test]
async fn a_child_allowance_claim_goes_from_prefilled_pages_to_a_receipt() {
    let app = TestApp::start().await;
    let citizen = parent(&app).await;
    crate::email_address::register(&app, &citizen, "hanako@example.jp").await;

    let start_page = citizen
        .html(&app, "/apply/child_allowance", StatusCode::OK)
        .await;
    assert!(start_page.contains("児童手当認定請求書"));
    let first = start(&app, &citizen).await;
    assert!(first.ends_with("/pages/claimant"), "{first}");

    // Page 1: the name is locked and says where it came from; the address is prefilled and editable.
    let html = citizen.html(&app, &first, StatusCode::OK).await;
    assert!(html.contains("山田 花子"));
    assert!(
        html.contains("住民基本台帳（千代田区）の情報"),
        "the source is named"
    );
    assert!(
        !html.contains("name=\"name\""),
        "a locked value is not an input"
    );
    assert!(html.contains("name=\"address\""));
    let next = send(&app, &citizen, &first, &[("address", "")]).await;
    assert_linked(&next, "住所");
    let next = send(
        &app,
        &citizen,
        &first,
        &[("address", "東京都千代田区永田町一丁目7番1号")],
    )
    .await;
    assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
    let children = next.location().to_owned();
    assert!(children.ends_with("/pages/children"));

    // Page 2: the child comes from the household records; a wrong date keeps what was typed.
    let html = citizen.html(&app, &children, StatusCode::OK).await;
    assert!(
        html.contains("value=\"山田 太郎\""),
        "the child is prefilled"
    );
    let wrong = send(
        &app,
        &citizen,
        &children,
        &[
            ("children.0.child_name", "山田 太郎"),
            ("children.0.child_birth_date.year", "2020"),
            ("children.0.child_birth_date.month", "13"),
            ("children.0.child_birth_date.day", "5"),
            ("children.0.lives_together", "yes"),
        ],
    )
    .await;
    assert_linked(&wrong, "実在する日付");
    assert!(
        wrong.body.contains("value=\"13\""),
        "what was typed is kept"
    );
    let next = send(
        &app,
        &citizen,
        &children,
        &[
            ("children.0.child_name", "山田 太郎"),
            ("children.0.child_birth_date.year", "2020"),
            ("children.0.child_birth_date.month", "5"),
            ("children.0.child_birth_date.day", "5"),
            ("children.0.lives_together", "yes"),
        ],
    )
    .await;
    assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
    let payment = next.location().to_owned();

    // Page 3: another account, with a bank code of three digits, then right.
    let account = |bank: &'static str| {
        vec![
            ("account.use", "other"),
            ("account.bank_code", bank),
            ("account.branch_code", "001"),
            ("account.account_type", "ordinary"),
            ("account.number", "1234567"),
            ("account.holder_kana", "やまだ はなこ"),
            ("declaration", "agreed"),
        ]
    };
    let wrong = send(&app, &citizen, &payment, &account("001")).await;
    assert_linked(&wrong, "金融機関コード");
    let next = send(&app, &citizen, &payment, &account("0001")).await;
    assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
    let check = next.location().to_owned();
    assert!(check.ends_with("/check"), "{check}");

    // Check your answers: the answers, change links for what can be changed, then send.
    let html = citizen.html(&app, &check, StatusCode::OK).await;
    assert!(html.contains("ヤマダ ハナコ"), "the holder in katakana");
    assert!(
        html.contains("?return=check"),
        "change links come back here"
    );
    // The page a change link opens posts back to check your answers, not on to the next page.
    let claimant = check.replace("/check", "/pages/claimant");
    let changing = citizen
        .html(&app, &format!("{claimant}?return=check"), StatusCode::OK)
        .await;
    assert!(
        changing.contains(&format!("action=\"{claimant}?return=check\"")),
        "the form keeps where it came from"
    );
    let sent = send(&app, &citizen, &check, &[]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let receipt = citizen.html(&app, sent.location(), StatusCode::OK).await;
    assert!(receipt.contains("申請を送信しました"));
    let number = between(&receipt, "<strong>", "</strong>");
    assert!(number.starts_with("AP-"), "{number}");

    // The confirmation mail gives the receipt number and nothing of the answers.
    let mails = sent_mails(&app, citizen.id).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to_address, "hanako@example.jp");
    let params: serde_json::Value = serde_json::from_str(&mails[0].params).expect("json");
    assert_eq!(params["receipt"], number);
    assert!(!mails[0].params.contains("山田") && !mails[0].params.contains("1234567"));

    // Sent: it cannot be edited any more, it is listed, and the exchange is in the history.
    let again = citizen.get(&app, &first).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let list = citizen.html(&app, "/applications", StatusCode::OK).await;
    assert!(list.contains(number) && list.contains("送信済"));
    let history = citizen.html(&app, "/history", StatusCode::OK).await;
    assert!(
        history.contains("千代田区"),
        "the agency that received the answers"
    );

    // Someone else cannot see it.
    let (other, _) = Citizen::sign_in_as(&app, "佐藤 一郎", "サトウ イチロウ").await;
    let application = sent.location().split('?').next().expect("path").to_owned();
    assert_eq!(
        other.get(&app, &application).await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn a_draft_is_kept_and_resumed_where_answers_are_missing() {
    let app = TestApp::start().await;
    let citizen = parent(&app).await;
    let first = start(&app, &citizen).await;
    let next = send(
        &app,
        &citizen,
        &first,
        &[("address", "東京都千代田区永田町一丁目7番1号")],
    )
    .await;
    assert_eq!(next.status, StatusCode::SEE_OTHER);

    // The start page offers the saved draft, which continues at the first page still needing answers.
    let start_page = citizen
        .html(&app, "/apply/child_allowance", StatusCode::OK)
        .await;
    assert!(
        start_page.contains("続きから入力する"),
        "the saved draft is offered"
    );
    let again = resume(&app, &citizen, &first).await;
    assert!(again.ends_with("/pages/children"), "{again}");
    assert_eq!(
        start(&app, &citizen).await,
        first,
        "starting again opens the same draft"
    );
    let list = citizen.html(&app, "/applications", StatusCode::OK).await;
    assert!(list.contains("入力途中"));
    assert_eq!(
        list.matches("児童手当認定請求書").count(),
        1,
        "one draft, not two"
    );
}

const STATUS: &str = "mutation($id: ID!, $s: String!, $m: String, $f: [String!]) { setApplicationStatus(id: $id, status: $s, message: $m, fields: $f) { status correctionFields events { status actor } } }";

/// Fills in and sends a claim; returns the application's address.
pub(crate) async fn send_claim(app: &TestApp, citizen: &Citizen) -> String {
    let page = fill_claim(app, citizen).await;
    let sent = send(app, citizen, &page, &[]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    sent.location().split('?').next().expect("path").to_owned()
}

/// The payment page's answers: another account than the registered one, and the declaration.
pub(crate) const PAYMENT: [(&str, &str); 7] = [
    ("account.use", "other"),
    ("account.bank_code", "0001"),
    ("account.branch_code", "001"),
    ("account.account_type", "ordinary"),
    ("account.number", "1234567"),
    ("account.holder_kana", "ヤマダ ハナコ"),
    ("declaration", "agreed"),
];

/// Starts a claim and answers its first two pages; returns the payment page's address.
pub(crate) async fn payment_page(app: &TestApp, citizen: &Citizen) -> String {
    let mut page = start(app, citizen).await;
    let pages: [&[(&str, &str)]; 2] = [
        &[("address", "東京都千代田区永田町一丁目7番1号")],
        &[
            ("children.0.child_name", "山田 太郎"),
            ("children.0.child_birth_date.year", "2020"),
            ("children.0.child_birth_date.month", "5"),
            ("children.0.child_birth_date.day", "5"),
            ("children.0.lives_together", "yes"),
        ],
    ];
    for fields in pages {
        let next = send(app, citizen, &page, fields).await;
        assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
        page = next.location().to_owned();
    }
    assert!(page.ends_with("/pages/payment"), "{page}");
    page
}

/// Fills in a claim whole; returns the address of its check-your-answers page.
pub(crate) async fn fill_claim(app: &TestApp, citizen: &Citizen) -> String {
    let payment = payment_page(app, citizen).await;
    let next = send(app, citizen, &payment, &PAYMENT).await;
    assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
    let check = next.location().to_owned();
    assert!(check.ends_with("/check"), "{check}");
    check
}

#[actix_web::test]
async fn the_agency_asks_for_a_correction_and_completes_the_claim() {
    let app = TestApp::start().await;
    let citizen = parent(&app).await;
    let application = send_claim(&app, &citizen).await;
    let (_, _, client) = crate::agency::setup(&app, "131016").await;
    let token = crate::agency::token(&app, &client).await;
    let gql = |query: &'static str, variables: serde_json::Value| {
        crate::agency::graphql(&app, &token, query, variables)
    };

    // The agency lists the form's sent applications and reads the answers.
    let listed = gql(
        "{ applications(form: \"child_allowance\") { id receiptNumber status citizen answers } }",
        json!({}),
    )
    .await;
    let rows = listed["data"]["applications"]
        .as_array()
        .expect("list")
        .clone();
    assert_eq!(rows.len(), 1, "{listed}");
    let id = rows[0]["id"].as_str().expect("id").to_owned();
    assert!(application.ends_with(&id));
    assert_eq!(rows[0]["status"], "sent");
    assert_eq!(
        rows[0]["answers"]["address"]["value"],
        "東京都千代田区永田町一丁目7番1号"
    );

    // The CSV has the documented columns, the group flattened.
    let csv = gql(
        "{ exportApplications(form: \"child_allowance\", format: CSV) }",
        json!({}),
    )
    .await;
    let csv = csv["data"]["exportApplications"]
        .as_str()
        .expect("csv")
        .to_owned();
    let header = csv
        .lines()
        .next()
        .expect("header")
        .trim_start_matches('\u{feff}');
    assert!(
        header
            .starts_with("receipt_number,status,submitted_at,citizen,acted_by,acted_by_name,name,"),
        "{header}"
    );
    assert!(
        header.contains("children.1.child_name") && header.contains("account.bank_code"),
        "{header}"
    );
    assert!(csv.lines().nth(1).expect("row").contains("山田 太郎"));

    // Moves that skip a step, or a correction without fields, are refused with the reason.
    let skipped = gql(STATUS, json!({"id": id, "s": "completed"})).await;
    assert_eq!(
        skipped["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{skipped}"
    );
    for (s, m) in [("received", None::<&str>), ("reviewing", None)] {
        let moved = gql(STATUS, json!({"id": id, "s": s, "m": m})).await;
        assert_eq!(
            moved["data"]["setApplicationStatus"]["status"], s,
            "{moved}"
        );
    }
    let vague = gql(
        STATUS,
        json!({"id": id, "s": "correction", "m": "直してください"}),
    )
    .await;
    assert_eq!(
        vague["errors"][0]["extensions"]["field"], "fields",
        "{vague}"
    );
    let asked = gql(
        STATUS,
        json!({"id": id, "s": "correction", "m": "住所に番地まで書いてください", "f": ["address"]}),
    )
    .await;
    assert_eq!(
        asked["data"]["setApplicationStatus"]["correctionFields"],
        json!(["address"]),
        "{asked}"
    );

    // The citizen is told, sees the request, corrects and sends again under the same number.
    let inbox = citizen.html(&app, "/notices", StatusCode::OK).await;
    assert!(inbox.contains("補正依頼"), "a notice says so");
    let check = citizen.get(&app, &application).await;
    let check = check.headers["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(check.ends_with("/check"), "{check}");
    let html = citizen.html(&app, &check, StatusCode::OK).await;
    assert!(html.contains("住所に番地まで書いてください"));
    let page = format!("{}/pages/claimant", application);
    let fixed = send(
        &app,
        &citizen,
        &page,
        &[("address", "東京都千代田区永田町一丁目7番1号 101号室")],
    )
    .await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER, "{}", fixed.body);
    let again = send(&app, &citizen, &check, &[]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);

    // Back in review with the corrected answer; the agency completes it; the citizen sees every step.
    let one = gql(
        "query($id: ID!) { application(id: $id) { status answers receiptNumber } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(one["data"]["application"]["status"], "reviewing", "{one}");
    assert_eq!(
        one["data"]["application"]["answers"]["address"]["value"],
        "東京都千代田区永田町一丁目7番1号 101号室"
    );
    let done = gql(
        STATUS,
        json!({"id": id, "s": "completed", "m": "認定しました"}),
    )
    .await;
    assert_eq!(
        done["data"]["setApplicationStatus"]["status"], "completed",
        "{done}"
    );
    let page = citizen.html(&app, &application, StatusCode::OK).await;
    for step in [
        "送信済",
        "受付",
        "審査中",
        "補正依頼",
        "完了",
        "認定しました",
    ] {
        assert!(page.contains(step), "the history shows {step}");
    }
    // A completed application is not edited any more.
    let closed = citizen.get(&app, &format!("{application}/check")).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn a_claim_can_be_withdrawn_until_the_agency_starts_on_it() {
    let app = TestApp::start().await;
    let citizen = parent(&app).await;
    let application = send_claim(&app, &citizen).await;
    let page = citizen.html(&app, &application, StatusCode::OK).await;
    assert!(
        page.contains("申請を取り下げる"),
        "a sent claim can be withdrawn"
    );
    assert_eq!(
        title(&page),
        "児童手当認定請求書 - マイナポータル",
        "the title is the form's alone"
    );
    let withdraw = format!("{application}/withdraw");
    let done = post(&app, &citizen, &application, &withdraw, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = citizen.html(&app, done.location(), StatusCode::OK).await;
    assert!(page.contains("取り下げました") && page.contains("取下げ"));
    assert!(
        !page.contains("action=\"/applications/"),
        "nothing left to withdraw"
    );

    // Once the agency has started reviewing, it is too late.
    let other = send_claim(&app, &citizen).await;
    let id = other.rsplit('/').next().expect("id").to_owned();
    let (_, _, client) = crate::agency::setup(&app, "131016").await;
    let token = crate::agency::token(&app, &client).await;
    for s in ["received", "reviewing"] {
        let moved = crate::agency::graphql(&app, &token, STATUS, json!({"id": id, "s": s})).await;
        assert_eq!(
            moved["data"]["setApplicationStatus"]["status"], s,
            "{moved}"
        );
    }
    let late = post(&app, &citizen, &other, &format!("{other}/withdraw"), &[]).await;
    assert_eq!(late.location(), other, "no withdrawal");
    let page = citizen.html(&app, &other, StatusCode::OK).await;
    assert!(page.contains("審査中") && !page.contains("申請を取り下げる"));
}

#[actix_web::test]
async fn a_post_without_the_form_token_is_refused_everywhere_in_applying() {
    let app = TestApp::start().await;
    let citizen = parent(&app).await;
    let first = start(&app, &citizen).await;
    let application = first
        .split("/pages/")
        .next()
        .expect("application")
        .to_owned();
    for path in [
        "/apply/child_allowance".to_owned(),
        format!("{application}/check"),
        format!("{application}/withdraw"),
        "/benefits/01a21e1a-be59-7118-8d1b-aba4238bf873".to_owned(),
    ] {
        let forged = citizen
            .browser
            .post(app.url(&path))
            .form(&[("confirm", "agreed")])
            .send()
            .await
            .expect("POST");
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{path}");
    }
}

#[actix_web::test]
async fn citizen_and_agency_write_to_each_other_about_an_application() {
    let app = TestApp::start().await;
    let citizen = parent(&app).await;
    let application = send_claim(&app, &citizen).await;
    let messages = format!("{application}/messages");

    // An empty message, or one too long, comes back next to the field with what was typed.
    let empty = post(
        &app,
        &citizen,
        &application,
        &messages,
        &[("message", "  ")],
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(title(&empty.body).starts_with("エラー: "));
    assert!(
        empty
            .body
            .contains("<a href=\"#message\">メッセージを入力してください</a>")
    );
    let long = "あ".repeat(2_001);
    let too_long = post(
        &app,
        &citizen,
        &application,
        &messages,
        &[("message", &long)],
    )
    .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long.body.contains("2,000文字以内"));
    assert!(too_long.body.contains(&long), "what was typed is kept");

    let sent = post(
        &app,
        &citizen,
        &application,
        &messages,
        &[("message", "保険証の写しは後日郵送してもよいですか")],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = citizen.html(&app, sent.location(), StatusCode::OK).await;
    assert!(page.contains("メッセージを申請先に送りました。"));
    assert!(page.contains("あなたからのメッセージ") && page.contains("後日郵送"));

    // The agency reads it in the history, and answers; the citizen sees the answer.
    let (_, _, client) = crate::agency::setup(&app, "131016").await;
    let token = crate::agency::token(&app, &client).await;
    let id = application.rsplit('/').next().expect("id");
    let seen = crate::agency::graphql(
        &app,
        &token,
        "query($id: ID!) { application(id: $id) { events { kind actor body } } }",
        json!({"id": id}),
    )
    .await;
    let events = seen["data"]["application"]["events"]
        .as_array()
        .expect("events")
        .clone();
    assert!(
        events.iter().any(|e| e["kind"] == "message"
            && e["actor"] == "citizen"
            && e["body"] == "保険証の写しは後日郵送してもよいですか"),
        "{seen}"
    );
    let answered = crate::agency::graphql(
        &app,
        &token,
        "mutation($id: ID!, $m: String!) { sendApplicationMessage(id: $id, message: $m) }",
        json!({"id": id, "m": "郵送で結構です"}),
    )
    .await;
    assert!(answered["errors"].is_null(), "{answered}");
    let page = citizen.html(&app, &application, StatusCode::OK).await;
    assert!(page.contains("申請先からのメッセージ") && page.contains("郵送で結構です"));
}

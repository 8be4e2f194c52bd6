//! 即日給付: an agency publishes a benefit with an income limit; the eligible resident gets the notice and
//! claims with one confirmation, the others are told why not; the agency approves in bulk and the transfer
//! file reads back with the amount and the account of the claim.

use base64::Engine;
use portal_bank::transfer::TransferFile;
use portal_server::services::agencies;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::{hanako_account, payer, register};
use crate::agency::{Client, graphql, token};
use crate::common::TestApp;
use crate::own_data::{Citizen, insert_records, post, record, registry};
use crate::services::presets;

const PUBLISH: &str = "mutation($b: BenefitInput!) { publishBenefit(benefit: $b) { benefit { id noticeId eligible } assessed eligible ineligible { reason count } } }";
const APPROVE: &str = "mutation($id: ID!, $p: PayerInput!) { approveBenefitClaims(benefit: $id, payer: $p) { approved total file skipped { receiptNumber reason } } }";

fn in_days(days: i64) -> String {
    portal_server::japan_today()
        .saturating_add(time::Duration::days(days))
        .to_string()
}

fn benefit(deadline: &str) -> Value {
    json!({
        "form": "emergency_benefit", "titleJa": "緊急支援給付金", "titleEn": "Emergency support benefit",
        "amountPerHousehold": 100000, "amountPerMember": 50000, "municipalities": ["131016"],
        "maxIncome": 3000000, "deadline": deadline,
    })
}

async fn client(app: &TestApp, code: &str) -> String {
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

fn income(
    citizen: &Citizen,
    ward: portal_storage::ids::AgencyId,
    total: &str,
) -> portal_storage::models::record::Record {
    record(
        citizen.id,
        ward,
        "income_tax",
        "2026-06-01",
        json!({"fiscal_year": "2025", "total_income": total}),
    )
}

#[actix_web::test]
async fn a_benefit_goes_from_notice_to_one_confirmation_to_a_transfer_file() {
    let app = TestApp::start().await;
    presets(&app).await;
    let ward = registry(&app).await["131016"];
    let (hanako, _) = Citizen::sign_in_as(&app, "山田 花子", "ヤマダ ハナコ").await;
    let (ichiro, _) = Citizen::sign_in_as(&app, "佐藤 一郎", "サトウ イチロウ").await;
    let (jiro, _) = Citizen::sign_in_as(&app, "鈴木 次郎", "スズキ ジロウ").await;
    let household = |relationship: &str, name: &str| {
        record(
            hanako.id,
            ward,
            "household",
            "2026-10-01",
            json!({"member_name": name, "relationship": relationship, "birth_date": "2020-05-05"}),
        )
    };
    insert_records(
        &app,
        vec![
            household("本人", "山田 花子"),
            household("子", "山田 太郎"),
            income(&hanako, ward, "2000000"),
            income(&ichiro, ward, "9000000"),
        ],
    )
    .await;
    register(
        &app,
        hanako.id,
        hanako_account("1234567"),
        portal_storage::now_millis(),
    )
    .await;
    let token = client(&app, "131016").await;

    let published = graphql(&app, &token, PUBLISH, json!({"b": benefit(&in_days(30))})).await;
    let result = &published["data"]["publishBenefit"];
    assert_eq!(result["assessed"], 3, "{published}");
    assert_eq!(result["eligible"], 1, "{published}");
    assert_eq!(
        result["ineligible"],
        json!([{"reason": "income_over_limit", "count": 1}, {"reason": "no_income_record", "count": 1}])
    );
    let id = result["benefit"]["id"].as_str().expect("id").to_owned();
    assert!(result["benefit"]["noticeId"].is_string());
    let page = format!("/benefits/{id}");

    // Only the eligible resident is invited; every resident whose records were read sees the read.
    let inbox = hanako.html(&app, "/notices", StatusCode::OK).await;
    assert!(inbox.contains("緊急支援給付金のご案内"), "{inbox}");
    let other_inbox = ichiro.html(&app, "/notices", StatusCode::OK).await;
    assert!(!other_inbox.contains("緊急支援給付金のご案内"));
    let history = ichiro.html(&app, "/history", StatusCode::OK).await;
    assert!(
        history.contains("緊急支援給付金の支給対象の確認"),
        "{history}"
    );

    // The ineligible are told why, in terms they can act on, and cannot claim.
    let refused = ichiro.html(&app, &page, StatusCode::OK).await;
    assert!(
        refused
            .contains("2025年度の所得（9,000,000円）が、支給の上限（3,000,000円）を超えています。"),
        "{refused}"
    );
    assert!(!refused.contains("この内容で請求する"));
    let unknown = jiro.html(&app, &page, StatusCode::OK).await;
    assert!(unknown.contains("所得の記録がないため"), "{unknown}");
    let tried = post(&app, &ichiro, &page, &page, &[("confirm", "agreed")]).await;
    assert_eq!(tried.location(), page);

    // The eligible one sees the amount and the prefilled claim, and confirms once.
    let offer = hanako.html(&app, &page, StatusCode::OK).await;
    assert!(offer.contains("150,000円"), "{offer}");
    assert!(offer.contains("1世帯 100,000円 ＋ 世帯員 1人 × 50,000円"));
    assert!(
        offer.contains("山田 太郎") && offer.contains("1234567"),
        "{offer}"
    );
    let unconfirmed = post(&app, &hanako, &page, &page, &[]).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unconfirmed.body.contains("href=\"#confirm\""));
    assert!(
        unconfirmed
            .body
            .contains("内容を確認して、誤りがなければチェックを入れてください")
    );
    let claimed = post(&app, &hanako, &page, &page, &[("confirm", "agreed")]).await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER, "{}", claimed.body);
    let receipt_page = claimed.location().to_owned();
    assert!(receipt_page.ends_with("?sent=1"), "{receipt_page}");
    let receipt = hanako.html(&app, &receipt_page, StatusCode::OK).await;
    assert!(receipt.contains("AP-"), "{receipt}");
    let again = post(&app, &hanako, &page, &page, &[("confirm", "agreed")]).await;
    assert_eq!(
        again.location(),
        receipt_page.trim_end_matches("?sent=1"),
        "one claim per citizen"
    );

    // The agency approves every sent claim at once; the file pays the claim's amount into its account.
    let approved = graphql(&app, &token, APPROVE, json!({"id": id, "p": payer()})).await;
    let approval = &approved["data"]["approveBenefitClaims"];
    assert_eq!(approval["approved"], 1, "{approved}");
    assert_eq!(approval["total"], 150_000);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(approval["file"].as_str().expect("file"))
        .expect("base64");
    let file = TransferFile::parse(&bytes).expect("a Zengin file");
    assert_eq!(file.payments.len(), 1);
    let paid = &file.payments[0];
    assert_eq!(
        (
            paid.bank_code.as_str(),
            paid.branch_code.as_str(),
            paid.account_number.as_str()
        ),
        ("0001", "001", "1234567")
    );
    assert_eq!(paid.amount, 150_000);
    assert_eq!(file.header.transfer_date, (12, 10));

    // The citizen sees the claim completed and is told; a second approval pays nobody twice.
    let done = hanako
        .html(
            &app,
            receipt_page.trim_end_matches("?sent=1"),
            StatusCode::OK,
        )
        .await;
    assert!(done.contains("完了"), "{done}");
    let inbox = hanako.html(&app, "/notices", StatusCode::OK).await;
    assert!(inbox.contains("緊急支援給付金の支給が決まりました"));
    let twice = graphql(&app, &token, APPROVE, json!({"id": id, "p": payer()})).await;
    assert_eq!(
        twice["data"]["approveBenefitClaims"]["approved"], 0,
        "{twice}"
    );
    let listed = graphql(
        &app,
        &token,
        "{ benefits { id claimed paid eligible } }",
        json!({}),
    )
    .await;
    assert_eq!(
        listed["data"]["benefits"],
        json!([{"id": id, "claimed": 0, "paid": 1, "eligible": 1}])
    );
}

#[actix_web::test]
async fn a_benefit_with_a_wrong_rule_is_refused_with_the_field_and_reason() {
    let app = TestApp::start().await;
    presets(&app).await;
    let token = client(&app, "131016").await;
    let cases = [
        (
            json!({"municipalities": ["13101"]}),
            "benefit.municipalities[0]",
            "BAD_REQUEST",
        ),
        (json!({"municipalities": ["141003"]}), "", "FORBIDDEN"),
        (
            json!({"municipalities": []}),
            "benefit.municipalities",
            "BAD_REQUEST",
        ),
        (
            json!({"deadline": "2020-01-01"}),
            "benefit.deadline",
            "BAD_REQUEST",
        ),
        (
            json!({"deadline": "来月"}),
            "benefit.deadline",
            "BAD_REQUEST",
        ),
        (
            json!({"form": "child_allowance_x"}),
            "benefit.form",
            "BAD_REQUEST",
        ),
        (
            json!({"amountPerHousehold": 0, "amountPerMember": 0}),
            "benefit.amountPerHousehold",
            "BAD_REQUEST",
        ),
        (
            json!({"amountPerHousehold": -1}),
            "benefit.amountPerHousehold",
            "BAD_REQUEST",
        ),
        (json!({"titleJa": " "}), "benefit.titleJa", "BAD_REQUEST"),
    ];
    for (change, field, code) in cases {
        let mut input = benefit(&in_days(30));
        for (key, value) in change.as_object().expect("object") {
            input[key] = value.clone();
        }
        let answer = graphql(&app, &token, PUBLISH, json!({"b": input})).await;
        let error = &answer["errors"][0];
        assert_eq!(error["extensions"]["code"], code, "{change}: {answer}");
        if !field.is_empty() {
            assert_eq!(error["extensions"]["field"], field, "{change}: {answer}");
        }
    }
    // Another agency's form is not a claim form this agency can use.
    let tax = client(&app, "mhlw").await;
    let answer = graphql(&app, &tax, PUBLISH, json!({"b": benefit(&in_days(30))})).await;
    assert!(
        answer["errors"][0]["extensions"]["field"].is_string(),
        "{answer}"
    );
}

#[actix_web::test]
async fn a_citizen_signed_out_at_the_benefit_link_returns_to_it_after_signing_in() {
    let app = TestApp::start().await;
    presets(&app).await;
    let browser = crate::own_data::browser();
    let page = "/benefits/01a21e1a-be59-7118-8d1b-aba4238bf873?from=notice";
    let asked = browser.get(app.url(page)).send().await.expect("GET");
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    assert_eq!(asked.headers()["location"], "/sign-in");
    let (_, _, landed) = Citizen::sign_in_with(
        &app,
        &browser,
        crate::own_data::card_request("山田 花子", "ヤマダ ハナコ"),
    )
    .await;
    assert_eq!(landed, page, "back where the link pointed");

    // Once used, it is forgotten: the next sign-in in this browser goes to マイページ.
    let (_, _, next) = Citizen::sign_in_with(
        &app,
        &browser,
        crate::own_data::card_request("佐藤 一郎", "サトウ イチロウ"),
    )
    .await;
    assert_eq!(next, "/my-page");
}

#[actix_web::test]
async fn a_page_open_to_everyone_is_not_kept_for_after_sign_in() {
    let app = TestApp::start().await;
    presets(&app).await;
    let browser = crate::own_data::browser();
    let open = browser
        .get(app.url("/services/child_allowance"))
        .send()
        .await
        .expect("GET");
    assert_eq!(open.status(), StatusCode::OK);
    assert!(
        open.headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap_or_default().starts_with("return_to=")),
        "nothing kept"
    );
    let (_, _, landed) = Citizen::sign_in_with(
        &app,
        &browser,
        crate::own_data::card_request("山田 花子", "ヤマダ ハナコ"),
    )
    .await;
    assert_eq!(landed, "/my-page");
}

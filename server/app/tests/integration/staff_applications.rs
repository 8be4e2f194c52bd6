//! The staff console's 申請の処理 and 振込: a sent claim in the queue, opened with the proxy who sent it,
//! moved on with a message the citizen sees, refusals next to their field, another agency's application
//! not found, the role required; a payment batch whose transfer file is a Zengin file; the audit log.

use portal_bank::transfer::TransferFile;
use portal_storage::now_millis;
use reqwest::StatusCode;

use crate::accounts::{citizen, hanako_account, register};
use crate::common::TestApp;
use crate::own_data::Citizen;
use crate::staff::{Staff, add, sign_in};

/// Posts a status change of the application at `page` (the page carries the form's CSRF token).
async fn change(
    staff: &Staff,
    app: &TestApp,
    page: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let reply = staff
        .post(app, page, &format!("{page}/status"), fields)
        .await;
    (reply.status, reply.location, reply.body)
}

#[actix_web::test]
async fn staff_process_a_claim_a_proxy_sent_and_the_citizen_sees_it() {
    let app = TestApp::start().await;
    let parent = crate::apply::parent(&app).await;
    let son = Citizen::sign_in(&app, "山田 一郎").await;
    let relation = crate::proxies::appoint(&app, &parent, &son, "act").await;
    crate::proxies::act_for(&app, &son, &relation).await;
    let application = crate::apply::send_claim(&app, &son).await;
    let id = application.trim_start_matches("/applications/").to_owned();
    let page = format!("/staff/applications/{id}");

    let secret = add(&app, "131016", "shinsa@city.example.jp", &["applications"]).await;
    let staff = sign_in(&app, "shinsa@city.example.jp", &secret).await;

    // The queue lists it, with the proxy who sent it.
    let queue = staff.get(&app, "/staff/applications").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(
        queue.body.contains(&format!("href=\"{page}\"")),
        "{}",
        queue.body
    );
    assert!(queue.body.contains("代理人 山田 一郎"), "{}", queue.body);
    assert!(queue.body.contains("<th scope=\"col\""));
    let sent_only = staff
        .get(&app, "/staff/applications?form=child_allowance&status=sent")
        .await;
    assert!(sent_only.body.contains(&page));
    let none_done = staff
        .get(
            &app,
            "/staff/applications?form=child_allowance&status=completed",
        )
        .await;
    assert!(!none_done.body.contains(&page), "filtered by status");

    // Opened: who sent it for whom, the answers with their labels, the statuses it may move to.
    let opened = staff.get(&app, &page).await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    assert!(
        opened
            .body
            .contains("代理人 山田 一郎 さんが申請者に代わって送信しました"),
        "{}",
        opened.body
    );
    assert!(
        opened
            .body
            .contains("送信済（代理人 山田 一郎 さんが操作）"),
        "the history names the proxy: {}",
        opened.body
    );
    assert!(opened.body.contains("東京都千代田区永田町一丁目7番1号"));
    assert!(opened.body.contains("value=\"received\""));
    assert!(
        !opened.body.contains("value=\"completed\""),
        "not from sent"
    );

    for status in ["received", "reviewing"] {
        let (code, location, body) = change(&staff, &app, &page, &[("status", status)]).await;
        assert_eq!(code, StatusCode::SEE_OTHER, "{status}: {body}");
        assert_eq!(location, format!("{page}?done=status"));
    }
    let banner = staff.get(&app, &format!("{page}?done=status")).await;
    assert!(
        banner.body.contains("申請の状況を変更しました"),
        "{}",
        banner.body
    );

    // A correction without fields or message: both errors next to their fields, what was typed kept.
    let (code, _, body) = change(&staff, &app, &page, &[("status", "correction")]).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("href=\"#fields\""), "{body}");
    assert!(body.contains("href=\"#status-message\""), "{body}");
    assert!(body.contains("補正してほしい項目を選んでください"));
    assert!(body.contains("id=\"fields-error\""), "{body}");
    let (code, _, body) = change(
        &staff,
        &app,
        &page,
        &[("status", "correction"), ("fields", "address")],
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("id=\"status-message-error\""), "{body}");
    assert!(
        body.contains("value=\"address\" checked"),
        "the field ticked stays ticked: {body}"
    );
    assert!(body.contains("value=\"correction\" checked"), "{body}");
    // A status it cannot move to now is refused next to the radios.
    let (code, _, body) = change(&staff, &app, &page, &[("status", "received")]).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("id=\"status-error\""), "{body}");

    // A message: empty is refused, then sent.
    let empty = staff
        .post(
            &app,
            &page,
            &format!("{page}/messages"),
            &[("message", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.body.contains("id=\"message-error\""),
        "{}",
        empty.body
    );
    let sent = staff
        .post(
            &app,
            &page,
            &format!("{page}/messages"),
            &[("message", "住所の確認をしています。")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.location, format!("{page}?done=message"));

    let (code, _, body) = change(
        &staff,
        &app,
        &page,
        &[("status", "completed"), ("message", "審査が終わりました。")],
    )
    .await;
    assert_eq!(code, StatusCode::SEE_OTHER, "{body}");
    let done = staff.get(&app, &page).await;
    assert!(done.body.contains("この申請の状況はこれ以上変更できません"));
    assert!(done.body.contains("審査が終わりました。"));

    // The citizen sees the change and the messages.
    let seen = parent.html(&app, &application, StatusCode::OK).await;
    assert!(seen.contains("完了"), "{seen}");
    assert!(seen.contains("審査が終わりました。"), "{seen}");
    assert!(seen.contains("住所の確認をしています。"), "{seen}");

    // Every change is in the audit log, in words.
    let audit = staff.get(&app, "/staff/audit").await;
    assert_eq!(
        audit.body.matches("申請の状況の変更").count(),
        3,
        "{}",
        audit.body
    );
    assert!(audit.body.contains("申請者へのメッセージ"));
    assert!(audit.body.contains("completed"));

    // Another agency's staff do not find it; staff without the role are refused.
    let other = add(
        &app,
        "141003",
        "yokohama@city.example.jp",
        &["applications"],
    )
    .await;
    let other = sign_in(&app, "yokohama@city.example.jp", &other).await;
    assert_eq!(other.get(&app, &page).await.status, StatusCode::NOT_FOUND);
    let refused = other
        .post(
            &app,
            "/staff/applications",
            &format!("{page}/status"),
            &[("status", "rejected")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let payer = add(&app, "131016", "kaikei@city.example.jp", &["payments"]).await;
    let payer = sign_in(&app, "kaikei@city.example.jp", &payer).await;
    assert_eq!(
        payer.get(&app, "/staff/applications").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(payer.get(&app, &page).await.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_payment_batch_lists_who_cannot_be_paid_and_downloads_a_zengin_file() {
    let app = TestApp::start().await;
    let (hanako, pseudonym, _) = crate::agency::setup(&app, "131016").await;
    register(&app, hanako, hanako_account("1234567"), now_millis()).await;
    let (_, taro) = citizen(&app, "サトウ タロウ", "131016").await;

    let secret = add(&app, "131016", "kaikei@city.example.jp", &["payments"]).await;
    let staff = sign_in(&app, "kaikei@city.example.jp", &secret).await;
    let form = staff.get(&app, "/staff/payments").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("value=\"benefit_payment\""),
        "{}",
        form.body
    );
    assert!(
        form.body.contains("name=\"transfer_year\"") && form.body.contains("name=\"transfer_day\"")
    );

    let lines = format!("{pseudonym},10000,R1\n{taro},5000\nnot-a-pseudonym,100");
    let mut fields = vec![
        ("task", "benefit_payment"),
        ("requester_code", "1234567890"),
        ("requester_name", "チヨダク"),
        ("transfer_year", "2026"),
        ("transfer_month", "12"),
        ("transfer_day", "10"),
        ("bank_code", "0001"),
        ("branch_code", "004"),
        ("account_type", "current"),
        ("account_number", "0000001"),
        ("payments", lines.as_str()),
    ];

    // Refused: the error next to its field, everything typed kept.
    fields[1] = ("requester_code", "12");
    let refused = staff
        .post(&app, "/staff/payments", "/staff/payments", &fields)
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("href=\"#requester-code\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("id=\"requester-code-error\""));
    assert!(
        refused.body.contains("not-a-pseudonym,100"),
        "the payments are kept"
    );

    fields[1] = ("requester_code", "1234567890");
    let built = staff
        .post(&app, "/staff/payments", "/staff/payments", &fields)
        .await;
    assert_eq!(built.status, StatusCode::SEE_OTHER, "{}", built.body);
    assert!(built.location.starts_with("/staff/payments/batches/"));
    let result = staff.get(&app, &built.location).await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.body);
    assert!(result.body.contains("1件、合計10,000円"), "{}", result.body);
    assert!(
        result.body.contains(&taro),
        "listed apart without an account"
    );
    assert!(
        result.body.contains("not-a-pseudonym"),
        "listed apart as unknown"
    );
    let file_href = format!("{}/file", built.location);
    assert!(result.body.contains(&format!("href=\"{file_href}\"")));

    let res = staff
        .browser
        .get(app.url(&file_href))
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header("content-disposition").starts_with("attachment;"));
    assert_eq!(header("cache-control"), "no-store");
    let bytes = res.bytes().await.expect("bytes");
    let file = TransferFile::parse(&bytes).expect("a Zengin file");
    assert_eq!(file.payments.len(), 1);
    assert_eq!(file.total(), 10_000);
    assert_eq!(file.header.requester_code, "1234567890");
    assert_eq!(file.header.transfer_date, (12, 10));

    let audit = staff.get(&app, "/staff/audit").await;
    assert!(audit.body.contains("振込データの作成"), "{}", audit.body);
    assert!(audit.body.contains("振込ファイルのダウンロード"));

    // Another agency's staff cannot fetch it; staff without the role are refused.
    let other = add(&app, "141003", "yokohama@city.example.jp", &["payments"]).await;
    let other = sign_in(&app, "yokohama@city.example.jp", &other).await;
    assert_eq!(
        other.get(&app, &file_href).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get(&app, &built.location).await.status,
        StatusCode::NOT_FOUND
    );
    let clerk = add(
        &app,
        "131016",
        "madoguchi@city.example.jp",
        &["applications"],
    )
    .await;
    let clerk = sign_in(&app, "madoguchi@city.example.jp", &clerk).await;
    assert_eq!(
        clerk.get(&app, "/staff/payments").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        clerk.get(&app, &file_href).await.status,
        StatusCode::FORBIDDEN
    );
}

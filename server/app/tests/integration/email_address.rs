//! メールでのお知らせ通知: registering and changing the alert address with a code sent to it (wrong, expired
//! and exhausted codes, new codes and their limit), the categories, removal, and the unsubscribe link that
//! works without signing in (RFC 8058 one-click included). The code flows run against the database store
//! and, when REDIS_URL is set, Redis too.

use diesel::prelude::*;
use portal_server::services::email_address::{PendingChange, pending_key};
use portal_storage::ids::{CitizenId, MailId};
use portal_storage::models::email_address::EmailAddress;
use portal_storage::models::outbox::{OutboxMail, purpose, status};
use portal_storage::schema::mail_outbox;
use portal_storage::{Kv, now_millis};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Options, TestApp, title};
use crate::own_data::{Answer, Citizen, post};

/// One app per key-value store the environment offers: the database's, and Redis when REDIS_URL is set.
async fn apps() -> Vec<TestApp> {
    let mut stores = vec![None];
    if let Some(url) = portal_testkit::redis_url() {
        let prefix = format!("{}:", portal_testkit::unique_name("test"));
        stores.push(Some(Kv::redis(&url, &prefix).expect("redis")));
    }
    let mut apps = Vec::new();
    for kv in stores {
        apps.push(
            TestApp::start_with(Options {
                kv,
                ..Options::default()
            })
            .await,
        );
    }
    apps
}

async fn ask_for_code(app: &TestApp, citizen: &Citizen, address: &str) -> Answer {
    post(
        app,
        citizen,
        "/settings/email/address",
        "/settings/email/address",
        &[("email", address)],
    )
    .await
}

async fn enter_code(app: &TestApp, citizen: &Citizen, code: &str) -> Answer {
    post(
        app,
        citizen,
        "/settings/email/confirm",
        "/settings/email/confirm",
        &[("code", code)],
    )
    .await
}

/// The confirmation mails queued for the citizen, oldest first.
async fn confirmation_mails(app: &TestApp, citizen: CitizenId) -> Vec<OutboxMail> {
    app.state
        .db
        .run(move |c| {
            let rows = portal_storage::with_conn!(c, |c| mail_outbox::table
                .filter(mail_outbox::citizen_id.eq(citizen))
                .filter(mail_outbox::purpose.eq(purpose::CONFIRM_ADDRESS))
                .order(mail_outbox::id.asc())
                .select(OutboxMail::as_select())
                .load(c))?;
            Ok(rows)
        })
        .await
        .expect("outbox")
}

/// The code in the newest confirmation mail, which must have gone to `address`.
async fn latest_code(app: &TestApp, citizen: CitizenId, address: &str) -> String {
    let mails = confirmation_mails(app, citizen).await;
    let mail = mails.last().expect("a confirmation mail is queued");
    assert_eq!(mail.to_address, address, "the code goes to the new address");
    assert_eq!(mail.citizen_id, Some(citizen));
    assert_eq!(mail.status, status::QUEUED);
    assert!(
        mail.dedupe_key
            .starts_with(&format!("confirm_address:{citizen}:")),
        "{}",
        mail.dedupe_key
    );
    let params: Value = serde_json::from_str(&mail.params).expect("params are JSON");
    let code = params["code"].as_str().expect("params.code").to_owned();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    code
}

/// Any 6-digit code but the right one.
fn wrong(code: &str) -> String {
    if code == "000000" {
        "000001".to_owned()
    } else {
        "000000".to_owned()
    }
}

async fn confirmed(app: &TestApp, citizen: CitizenId) -> Option<EmailAddress> {
    app.state
        .db
        .run(move |c| EmailAddress::find_by_citizen(c, citizen))
        .await
        .expect("find")
}

/// Registers `address` and confirms it with its code.
pub(crate) async fn register(app: &TestApp, citizen: &Citizen, address: &str) -> EmailAddress {
    let asked = ask_for_code(app, citizen, address).await;
    assert_eq!(asked.location(), "/settings/email/confirm");
    let code = latest_code(app, citizen.id, address).await;
    let done = enter_code(app, citizen, &code).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    confirmed(app, citizen.id).await.expect("confirmed")
}

/// The error appears in the summary (linked to the field) and next to the field.
fn assert_field_error(html: &str, field: &str, message: &str) {
    assert!(
        title(html).starts_with("エラー: "),
        "error title: {}",
        title(html)
    );
    let summary = &html[html.find("error-summary__list").expect("error summary")..];
    assert!(
        summary.contains(&format!("<a href=\"#{field}\">{message}</a>")),
        "summary links {message} to #{field}"
    );
    assert!(
        html.contains(&format!(
            "<p id=\"{field}-error\" class=\"error-message\"><span class=\"visually-hidden\">エラー:</span> {message}</p>"
        )),
        "{message} next to the field"
    );
}

#[actix_web::test]
async fn signed_out_visitors_are_sent_to_sign_in() {
    let app = TestApp::start().await;
    for path in [
        "/settings/email",
        "/settings/email/address",
        "/settings/email/confirm",
        "/settings/email/categories",
        "/settings/email/remove",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.headers()["location"], "/sign-in", "{path}");
    }
    let res = app
        .post_form("/settings/email/address", &[("email", "a@example.jp")])
        .await;
    assert_eq!(res.headers()["location"], "/sign-in");
}

#[actix_web::test]
async fn an_address_is_registered_only_with_the_code_sent_to_it() {
    for app in apps().await {
        let citizen = Citizen::sign_in(&app, "山田 花子").await;
        let store = app.state.kv.backend_name();

        let my_page = citizen.html(&app, "/my-page", StatusCode::OK).await;
        assert!(
            my_page.contains("href=\"/settings/email\""),
            "linked from マイページ"
        );
        let overview = citizen.html(&app, "/settings/email", StatusCode::OK).await;
        assert_eq!(title(&overview), "メールでのお知らせ通知 - マイナポータル");
        assert!(overview.contains("メールアドレスは登録されていません。"));

        // Each problem with the address has its own message; what was typed stays.
        let too_long = format!("{}@example.jp", "a".repeat(250));
        for (typed, message) in [
            ("", "メールアドレスを入力してください"),
            (
                too_long.as_str(),
                "メールアドレスは254文字以内で入力してください",
            ),
            (
                "hanako@",
                "メールアドレスを正しい形式で入力してください（例: name@example.jp）",
            ),
        ] {
            let refused = ask_for_code(&app, &citizen, typed).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{store}");
            assert_field_error(&refused.body, "email", message);
            assert!(refused.body.contains(&format!("value=\"{typed}\"")));
        }
        assert!(confirmation_mails(&app, citizen.id).await.is_empty());

        // A valid address gets a code; nothing is registered until it is entered.
        let asked = ask_for_code(&app, &citizen, "hanako@example.jp").await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER, "{store}");
        assert_eq!(asked.location(), "/settings/email/confirm");
        let code = latest_code(&app, citizen.id, "hanako@example.jp").await;
        assert_eq!(confirmed(&app, citizen.id).await, None);
        let overview = citizen.html(&app, "/settings/email", StatusCode::OK).await;
        assert!(overview.contains("hanako@example.jp の確認が済んでいません。"));
        let form = citizen
            .html(&app, "/settings/email/confirm", StatusCode::OK)
            .await;
        assert!(form.contains("hanako@example.jp に、数字6桁の確認コードを送りました。"));

        let empty = enter_code(&app, &citizen, "").await;
        assert_field_error(&empty.body, "code", "確認コードを入力してください");
        let malformed = enter_code(&app, &citizen, "12345a").await;
        assert_field_error(
            &malformed.body,
            "code",
            "確認コードは、メールに書かれた数字6桁で入力してください",
        );

        let wrong_code = wrong(&code);
        let refused = enter_code(&app, &citizen, &wrong_code).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_field_error(
            &refused.body,
            "code",
            "確認コードが違います。あと4回入力できます",
        );
        assert!(
            refused.body.contains(&format!("value=\"{wrong_code}\"")),
            "the typed code stays"
        );
        assert_eq!(confirmed(&app, citizen.id).await, None, "{store}");

        // Full-width digits and a space, as a phone keyboard may type them.
        let typed: String = code
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).expect("digit"))
            .collect();
        let typed = format!("{} {}", &typed[..9], &typed[9..]);
        let done = enter_code(&app, &citizen, &typed).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{store}: {}", done.body);
        assert_eq!(done.location(), "/settings/email/categories?added=1");
        let row = confirmed(&app, citizen.id).await.expect("registered");
        assert_eq!(row.address, "hanako@example.jp");
        assert_eq!(
            row.categories, ",tax,pension,health,benefits,disaster,other,",
            "every category alerts after the first confirmation"
        );
        assert_eq!(row.unsubscribe_token.len(), 43);

        let categories = citizen.html(&app, done.location(), StatusCode::OK).await;
        assert!(categories.contains("hanako@example.jp を登録しました。"));
        assert_eq!(
            categories.matches(" checked").count(),
            6,
            "all six categories ticked"
        );
        // The code is single use.
        assert!(
            citizen
                .get(&app, "/settings/email/confirm")
                .await
                .headers
                .get("location")
                .is_some_and(|l| l == "/settings/email/address")
        );
        let pending = app
            .state
            .kv
            .get(&pending_key(citizen.id))
            .await
            .expect("kv");
        assert_eq!(pending, None, "{store}: the pending change is gone");
    }
}

#[actix_web::test]
async fn five_wrong_codes_void_the_change_until_a_new_code_is_sent() {
    for app in apps().await {
        let citizen = Citizen::sign_in(&app, "山田 花子").await;
        let store = app.state.kv.backend_name();
        ask_for_code(&app, &citizen, "hanako@example.jp").await;
        let code = latest_code(&app, citizen.id, "hanako@example.jp").await;
        let bad = wrong(&code);
        for left in [4, 3, 2, 1] {
            let refused = enter_code(&app, &citizen, &bad).await;
            assert_field_error(
                &refused.body,
                "code",
                &format!("確認コードが違います。あと{left}回入力できます"),
            );
        }
        let exhausted = "確認コードを5回間違えたため、このコードは使えなくなりました。「新しいコードを送る」を選んでください";
        let fifth = enter_code(&app, &citizen, &bad).await;
        assert_field_error(&fifth.body, "code", exhausted);
        // The sixth try fails even with the right code.
        let sixth = enter_code(&app, &citizen, &code).await;
        assert_eq!(sixth.status, StatusCode::UNPROCESSABLE_ENTITY, "{store}");
        assert_field_error(&sixth.body, "code", exhausted);
        assert!(sixth.body.contains(&format!("value=\"{code}\"")));
        assert_eq!(confirmed(&app, citizen.id).await, None, "{store}");
        let entry: PendingChange = serde_json::from_str(
            &app.state
                .kv
                .get(&pending_key(citizen.id))
                .await
                .expect("kv")
                .expect("pending"),
        )
        .expect("entry");
        assert_eq!(entry.tries, 5);
        assert_ne!(entry.code_hash, code, "the code is not stored as it is");

        // A new code has fresh tries; the old one no longer works.
        let resent = post(
            &app,
            &citizen,
            "/settings/email/confirm",
            "/settings/email/resend",
            &[],
        )
        .await;
        assert_eq!(resent.location(), "/settings/email/confirm?resent=1");
        let banner = citizen.html(&app, resent.location(), StatusCode::OK).await;
        assert!(banner.contains("hanako@example.jp に、新しい確認コードを送りました。"));
        let new_code = latest_code(&app, citizen.id, "hanako@example.jp").await;
        assert_eq!(confirmation_mails(&app, citizen.id).await.len(), 2);
        if new_code != code {
            let old = enter_code(&app, &citizen, &code).await;
            assert_field_error(
                &old.body,
                "code",
                "確認コードが違います。あと4回入力できます",
            );
        }
        let done = enter_code(&app, &citizen, &new_code).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{store}: {}", done.body);
        assert!(confirmed(&app, citizen.id).await.is_some());
    }
}

#[actix_web::test]
async fn an_expired_code_has_its_own_message() {
    for app in apps().await {
        let citizen = Citizen::sign_in(&app, "山田 花子").await;
        ask_for_code(&app, &citizen, "hanako@example.jp").await;
        let code = latest_code(&app, citizen.id, "hanako@example.jp").await;
        // Ten minutes pass: the entry says its code ran out a moment ago.
        let key = pending_key(citizen.id);
        let mut entry: PendingChange =
            serde_json::from_str(&app.state.kv.get(&key).await.expect("kv").expect("pending"))
                .expect("entry");
        assert!(
            (entry.expires_at - now_millis() - 600_000).abs() < 60_000,
            "the code lasts 10 minutes"
        );
        entry.expires_at = now_millis() - 1;
        app.state
            .kv
            .put(
                &key,
                &serde_json::to_string(&entry).expect("json"),
                std::time::Duration::from_secs(600),
            )
            .await
            .expect("age the entry");

        let late = enter_code(&app, &citizen, &code).await;
        assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_field_error(
            &late.body,
            "code",
            "確認コードの有効期限（10分）が切れています。「新しいコードを送る」を選んでください",
        );
        assert_eq!(confirmed(&app, citizen.id).await, None);
        let overview = citizen.html(&app, "/settings/email", StatusCode::OK).await;
        assert!(
            !overview.contains("確認が済んでいません"),
            "an expired change is not offered"
        );
    }
}

#[actix_web::test]
async fn a_change_keeps_the_old_address_until_the_new_one_is_confirmed() {
    for app in apps().await {
        let citizen = Citizen::sign_in(&app, "山田 花子").await;
        let first = register(&app, &citizen, "hanako@example.jp").await;

        // Categories: tax and health only, then saved with a banner.
        let saved = post(
            &app,
            &citizen,
            "/settings/email/categories",
            "/settings/email/categories",
            &[("categories", "tax"), ("categories", "health")],
        )
        .await;
        assert_eq!(saved.location(), "/settings/email?done=categories_saved");
        let overview = citizen.html(&app, saved.location(), StatusCode::OK).await;
        assert!(overview.contains("通知するお知らせの種類を保存しました"));
        assert!(overview.contains("税金、健康・医療"));
        assert!(overview.contains("hanako@example.jp"));
        let row = confirmed(&app, citizen.id).await.expect("row");
        assert_eq!(row.categories, ",tax,health,");
        let form = citizen
            .html(&app, "/settings/email/categories", StatusCode::OK)
            .await;
        assert_eq!(form.matches(" checked").count(), 2);
        let forged = post(
            &app,
            &citizen,
            "/settings/email/categories",
            "/settings/email/categories",
            &[("categories", "secrets")],
        )
        .await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST);

        // The same address again is refused; a new one waits for its code.
        let same = ask_for_code(&app, &citizen, " Hanako@Example.jp ").await;
        assert_field_error(
            &same.body,
            "email",
            "現在登録されているメールアドレスと同じです。別のメールアドレスを入力してください",
        );
        let form = citizen
            .html(&app, "/settings/email/address", StatusCode::OK)
            .await;
        assert_eq!(title(&form), "メールアドレスを変更する - マイナポータル");
        assert!(form.contains("現在のメールアドレス: hanako@example.jp"));
        ask_for_code(&app, &citizen, "hanako.new@example.jp").await;
        let code = latest_code(&app, citizen.id, "hanako.new@example.jp").await;
        let waiting = confirmed(&app, citizen.id).await.expect("row");
        assert_eq!(
            waiting.address, "hanako@example.jp",
            "unchanged until confirmed"
        );
        assert_eq!(waiting.unsubscribe_token, first.unsubscribe_token);
        enter_code(&app, &citizen, &wrong(&code)).await;
        assert_eq!(
            confirmed(&app, citizen.id).await.expect("row").address,
            "hanako@example.jp"
        );

        let done = enter_code(&app, &citizen, &code).await;
        assert_eq!(done.location(), "/settings/email?done=address_changed");
        let overview = citizen.html(&app, done.location(), StatusCode::OK).await;
        assert!(overview.contains("メールアドレスを変更しました"));
        let changed = confirmed(&app, citizen.id).await.expect("row");
        assert_eq!(changed.address, "hanako.new@example.jp");
        assert_eq!(changed.categories, ",tax,health,", "choices stay");
        assert_ne!(
            changed.unsubscribe_token, first.unsubscribe_token,
            "a new address gets a new unsubscribe token"
        );
        let old_link = app
            .get(&format!("/unsubscribe/{}", first.unsubscribe_token))
            .await;
        assert_eq!(old_link.status(), StatusCode::NOT_FOUND);

        // Nothing ticked is a choice too: no alerts.
        post(
            &app,
            &citizen,
            "/settings/email/categories",
            "/settings/email/categories",
            &[],
        )
        .await;
        assert_eq!(
            confirmed(&app, citizen.id).await.expect("row").categories,
            ""
        );
        let overview = citizen.html(&app, "/settings/email", StatusCode::OK).await;
        assert!(overview.contains("なし（メールは届きません）"));
    }
}

/// A queued alert for the citizen, as the fan-out would add it.
async fn queue_alert(app: &TestApp, citizen: CitizenId, address: &str) -> MailId {
    let mut mail = OutboxMail::queued(
        purpose::NOTICE_ALERT,
        format!("test_alert:{}", MailId::new()),
        address.to_owned(),
        "ja".to_owned(),
        "{}".to_owned(),
        now_millis(),
    );
    mail.citizen_id = Some(citizen);
    let id = mail.id;
    app.state
        .db
        .run(move |c| OutboxMail::enqueue(c, &[mail]))
        .await
        .expect("enqueue");
    id
}

async fn mail_status(app: &TestApp, id: MailId) -> String {
    app.state
        .db
        .run(move |c| {
            let found = portal_storage::with_conn!(c, |c| mail_outbox::table
                .find(id)
                .select(mail_outbox::status)
                .first::<String>(c))?;
            Ok(found)
        })
        .await
        .expect("status")
}

#[actix_web::test]
async fn removing_the_address_asks_first_and_stops_alerts() {
    let app = TestApp::start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    register(&app, &citizen, "hanako@example.jp").await;
    let alert = queue_alert(&app, citizen.id, "hanako@example.jp").await;

    let ask = citizen
        .html(&app, "/settings/email/remove", StatusCode::OK)
        .await;
    assert!(ask.contains("hanako@example.jp を削除します。"));
    assert!(
        confirmed(&app, citizen.id).await.is_some(),
        "GET removes nothing"
    );

    let removed = post(
        &app,
        &citizen,
        "/settings/email/remove",
        "/settings/email/remove",
        &[],
    )
    .await;
    assert_eq!(removed.location(), "/settings/email?done=removed");
    assert_eq!(confirmed(&app, citizen.id).await, None);
    assert_eq!(mail_status(&app, alert).await, status::CANCELLED);
    let overview = citizen.html(&app, removed.location(), StatusCode::OK).await;
    assert!(overview.contains("メールアドレスを削除しました。"));
    assert!(overview.contains("メールアドレスは登録されていません。"));
    // With nothing to remove or choose for, those pages lead back to the overview.
    for path in ["/settings/email/remove", "/settings/email/categories"] {
        let page = citizen.get(&app, path).await;
        assert_eq!(page.headers["location"], "/settings/email", "{path}");
    }
}

#[actix_web::test]
async fn codes_are_limited_per_hour_and_forms_need_their_token() {
    let app = TestApp::start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let no_token = citizen
        .browser
        .post(app.url("/settings/email/address"))
        .form(&[("email", "hanako@example.jp")])
        .send()
        .await
        .expect("POST");
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);

    ask_for_code(&app, &citizen, "hanako@example.jp").await;
    for _ in 0..4 {
        let resent = post(
            &app,
            &citizen,
            "/settings/email/confirm",
            "/settings/email/resend",
            &[],
        )
        .await;
        assert_eq!(resent.location(), "/settings/email/confirm?resent=1");
    }
    let message = "確認コードを送った回数が多すぎます。1時間ほど待ってから、もう一度お試しください";
    let refused = post(
        &app,
        &citizen,
        "/settings/email/confirm",
        "/settings/email/resend",
        &[],
    )
    .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_field_error(&refused.body, "resend", message);
    let refused = ask_for_code(&app, &citizen, "other@example.jp").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_field_error(&refused.body, "email", message);
    assert!(refused.body.contains("value=\"other@example.jp\""));
    assert_eq!(confirmation_mails(&app, citizen.id).await.len(), 5);
}

#[actix_web::test]
async fn the_unsubscribe_link_stops_alerts_without_signing_in() {
    for app in apps().await {
        let citizen = Citizen::sign_in(&app, "山田 花子").await;
        let row = register(&app, &citizen, "hanako@example.jp").await;
        let alert = queue_alert(&app, citizen.id, "hanako@example.jp").await;
        let path = format!("/unsubscribe/{}", row.unsubscribe_token);

        // A stranger's browser (no cookies): GET explains and changes nothing.
        let (status, page) = app.get_text(&path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            title(&page),
            "メールでのお知らせ通知を停止する - マイナポータル"
        );
        assert!(page.contains("ha***@example.jp へのお知らせの通知メールを停止します。"));
        assert!(
            !page.contains("hanako@example.jp"),
            "the address is partly hidden"
        );
        assert!(page.contains(&format!("<form method=\"post\" action=\"{path}\"")));
        let unchanged = confirmed(&app, citizen.id).await.expect("row");
        assert_eq!(unchanged.categories, row.categories);
        assert_eq!(mail_status(&app, alert).await, status::QUEUED);

        // A mail provider's one-click request: no cookies, no CSRF token, just the RFC 8058 body.
        let provider = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        for _ in 0..2 {
            let res = provider
                .post(app.url(&path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("List-Unsubscribe=One-Click")
                .send()
                .await
                .expect("POST");
            assert_eq!(res.status(), StatusCode::OK, "idempotent");
            let done = res.text().await.expect("body");
            assert_eq!(
                title(&done),
                "お知らせの通知を停止しました - マイナポータル"
            );
            assert!(
                done.contains("href=\"/sign-in\""),
                "offers signing in to change settings"
            );
        }
        let after = confirmed(&app, citizen.id)
            .await
            .expect("the address stays");
        assert_eq!(after.address, "hanako@example.jp");
        assert_eq!(after.categories, "", "no category alerts any more");
        assert_eq!(mail_status(&app, alert).await, status::CANCELLED);

        // The page's own button (an empty form) does the same.
        let res = provider.post(app.url(&path)).send().await.expect("POST");
        assert_eq!(res.status(), StatusCode::OK);

        // An unknown or malformed token: a 404 that says what to do instead, for GET and POST alike.
        let unknown = format!("/unsubscribe/{}", "A".repeat(43));
        for path in [unknown.as_str(), "/unsubscribe/short"] {
            let (status, page) = app.get_text(path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(
                title(&page),
                "エラー: このリンクは使えません - マイナポータル"
            );
            assert!(page.contains("href=\"/sign-in\""));
            let res = provider
                .post(app.url(path))
                .body("List-Unsubscribe=One-Click")
                .send()
                .await
                .expect("POST");
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }
}

#[actix_web::test]
async fn pages_speak_english_too() {
    let app = TestApp::start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    citizen.use_english(&app).await;
    let overview = citizen.html(&app, "/settings/email", StatusCode::OK).await;
    assert_eq!(title(&overview), "Email alerts for notices - Mynaportal");
    ask_for_code(&app, &citizen, "hanako@example.jp").await;
    let mails = confirmation_mails(&app, citizen.id).await;
    assert_eq!(
        mails[0].lang, "en",
        "the code mail is in the page's language"
    );
    let code = latest_code(&app, citizen.id, "hanako@example.jp").await;
    let refused = enter_code(&app, &citizen, &wrong(&code)).await;
    assert!(
        refused
            .body
            .contains("The confirmation code is wrong. You have 4 more tries")
    );
    for _ in 0..2 {
        enter_code(&app, &citizen, &wrong(&code)).await;
    }
    let fourth = enter_code(&app, &citizen, &wrong(&code)).await;
    assert!(
        fourth
            .body
            .contains("The confirmation code is wrong. You have 1 more try<"),
        "one try is one try"
    );
    let last = enter_code(&app, &citizen, &wrong(&code)).await;
    assert!(
        last.body.contains("You entered a wrong code 5 times"),
        "{}",
        last.body
    );
}

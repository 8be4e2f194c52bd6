//! Card sign-in end to end: the test plays the card app with software cards from the portal's test CA.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portal_card::{Authority, CardKind, Holder, Sex, SoftwareCard};
use portal_server::services::cards;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::TestApp;
use crate::own_data::browser;

fn holder(name: &str) -> Holder {
    Holder {
        name: name.to_owned(),
        name_kana: "ヤマダ ハナコ".to_owned(),
        address: "東京都千代田区永田町一丁目7番1号".to_owned(),
        birth_date: time::macros::date!(1990 - 04 - 01),
        sex: Sex::Female,
    }
}

async fn issue(app: &TestApp, name: &str) -> SoftwareCard {
    let expiry = portal_server::japan_today().saturating_add(time::Duration::days(3000));
    let request = cards::NewCard {
        holder: holder(name),
        municipality_code: "131016".to_owned(),
        kind: CardKind::Card,
        pin: "1234".to_owned(),
        password: "ABC123".to_owned(),
        expiry,
    };
    let (card, _) = cards::issue(&app.state.db, &app.ca_dir(), request)
        .await
        .expect("issue");
    card
}

/// Opens the sign-in page in `browser` and returns the challenge code from it.
async fn start(app: &TestApp, browser: &reqwest::Client) -> String {
    let res = browser.get(app.url("/sign-in")).send().await.expect("GET");
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("body");
    let marker = "/sign-in/qr/";
    let start = body.find(marker).expect("QR code on the page") + marker.len();
    body[start..start + 8].to_owned()
}

/// The card app: fetch the challenge, sign with the PIN, post certificate and signature.
async fn answer(
    app: &TestApp,
    card: &mut SoftwareCard,
    code: &str,
    tamper: bool,
) -> (StatusCode, Value) {
    let challenge: Value = app
        .get(&format!("/card/challenge/{code}"))
        .await
        .json()
        .await
        .expect("json");
    let message = challenge["message"].as_str().expect("message").to_owned();
    let mut signature = card.sign_auth("1234", message.as_bytes()).expect("sign");
    if tamper {
        signature[10] ^= 0x01;
    }
    post_answer(app, code, card.auth_certificate_der(), &signature).await
}

async fn post_answer(
    app: &TestApp,
    code: &str,
    certificate: &[u8],
    signature: &[u8],
) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url("/card/response"))
        .json(&serde_json::json!({
            "code": code,
            "certificate": STANDARD.encode(certificate),
            "signature": STANDARD.encode(signature),
        }))
        .send()
        .await
        .expect("POST");
    let status = res.status();
    (status, res.json().await.unwrap_or_default())
}

async fn continue_in(app: &TestApp, browser: &reqwest::Client, code: &str) -> reqwest::Response {
    let page = browser
        .get(app.url("/feedback"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let marker = "name=\"csrf_token\" value=\"";
    let start = page.find(marker).expect("csrf") + marker.len();
    let token = &page[start..start + 43];
    browser
        .post(app.url("/sign-in/continue"))
        .form(&[("csrf_token", token), ("code", code)])
        .send()
        .await
        .expect("POST")
}

#[actix_web::test]
async fn a_citizen_signs_in_with_the_card_and_only_that_browser_gets_the_session() {
    let app = TestApp::start().await;
    let mut card = issue(&app, "山田 花子").await;
    let (mine, theirs) = (browser(), browser());
    let code = start(&app, &mine).await;

    let status: Value = mine
        .get(app.url(&format!("/sign-in/status?code={code}")))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    assert_eq!(status["state"], "pending");

    let (status, body) = answer(&app, &mut card, &code, false).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Another browser cannot collect it.
    theirs.get(app.url("/sign-in")).send().await.expect("GET");
    let res = continue_in(&app, &theirs, &code).await;
    assert_eq!(
        res.headers()["location"],
        "/sign-in/failed?reason=other_browser"
    );

    let res = continue_in(&app, &mine, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/my-page");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii"))
        .find(|c| c.starts_with("session="))
        .expect("session cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );

    let page = mine.get(app.url("/my-page")).send().await.expect("GET");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("body").contains("山田 花子"));

    // The security audit log has the sign-in, with serial and address.
    let serial = card.serial_hex();
    let events = app
        .state
        .db
        .run(move |c| {
            portal_storage::models::security_event::SecurityEvent::recent_for_serial(c, &serial, 5)
        })
        .await
        .expect("audit log");
    assert_eq!(
        events
            .first()
            .map(|e| (e.kind.as_str(), e.client_addr.as_str())),
        Some(("sign_in.success", "127.0.0.1"))
    );

    // The session is handed out once.
    let res = continue_in(&app, &mine, &code).await;
    assert_eq!(res.headers()["location"], "/sign-in/failed?reason=expired");
}

#[actix_web::test]
async fn replayed_tampered_and_misdirected_answers_are_refused() {
    let app = TestApp::start().await;
    let mut card = issue(&app, "山田 花子").await;
    let browser = browser();

    // Tampered signature.
    let code = start(&app, &browser).await;
    let (status, body) = answer(&app, &mut card, &code, true).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("bad_signature"))
    );
    let res = continue_in(&app, &browser, &code).await;
    assert_eq!(
        res.headers()["location"],
        "/sign-in/failed?reason=bad_signature"
    );

    // A good answer, replayed.
    let code = start(&app, &browser).await;
    let challenge: Value = app
        .get(&format!("/card/challenge/{code}"))
        .await
        .json()
        .await
        .expect("json");
    let signature = card
        .sign_auth(
            "1234",
            challenge["message"].as_str().expect("message").as_bytes(),
        )
        .expect("sign");
    let (status, _) = post_answer(&app, &code, card.auth_certificate_der(), &signature).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = post_answer(&app, &code, card.auth_certificate_der(), &signature).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::GONE, Some("expired"))
    );

    // An answer to challenge A posted for challenge B.
    let a = start(&app, &browser).await;
    let b = start(&app, &browser).await;
    let challenge: Value = app
        .get(&format!("/card/challenge/{a}"))
        .await
        .json()
        .await
        .expect("json");
    let signature = card
        .sign_auth(
            "1234",
            challenge["message"].as_str().expect("message").as_bytes(),
        )
        .expect("sign");
    let (status, body) = post_answer(&app, &b, card.auth_certificate_der(), &signature).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("bad_signature"))
    );
}

#[actix_web::test]
async fn cards_the_portal_must_not_trust_are_refused_with_their_reason() {
    let app = TestApp::start().await;
    let browser = browser();
    let now = time::OffsetDateTime::now_utc();
    let expiry = portal_server::japan_today().saturating_add(time::Duration::days(3000));

    // Another authority's card.
    let mut foreign = Authority::generate(now).expect("authority");
    let mut card = foreign
        .issue(
            &holder("外部 太郎"),
            CardKind::Card,
            "1234",
            "ABC123",
            expiry,
            now,
        )
        .expect("issue");
    let code = start(&app, &browser).await;
    assert_eq!(
        answer(&app, &mut card, &code, false).await.1["error"],
        "unknown_issuer"
    );

    // Our CA, but never registered to a citizen.
    let mut ours = Authority::load(&app.ca_dir()).expect("authority");
    let mut card = ours
        .issue(
            &holder("未登録 次郎"),
            CardKind::Card,
            "1234",
            "ABC123",
            expiry,
            now,
        )
        .expect("issue");
    ours.save(&app.ca_dir()).expect("save");
    let code = start(&app, &browser).await;
    assert_eq!(
        answer(&app, &mut card, &code, false).await.1["error"],
        "unknown_card"
    );

    // Expired: issued years ago, ended before today.
    let long_ago = now - time::Duration::days(365 * 6);
    let mut card = ours
        .issue(
            &holder("期限 切子"),
            CardKind::Card,
            "1234",
            "ABC123",
            long_ago.date() + time::Duration::days(365),
            long_ago,
        )
        .expect("issue");
    ours.save(&app.ca_dir()).expect("save");
    let code = start(&app, &browser).await;
    assert_eq!(
        answer(&app, &mut card, &code, false).await.1["error"],
        "card_expired"
    );

    // Revoked: refused once the CRL is refreshed.
    let mut card = issue(&app, "山田 花子").await;
    cards::revoke(&app.ca_dir(), &card.serial_hex()).expect("revoke");
    app.state.cards.refresh().await.expect("refresh");
    let code = start(&app, &browser).await;
    assert_eq!(
        answer(&app, &mut card, &code, false).await.1["error"],
        "revoked"
    );
}

#[actix_web::test]
async fn failure_pages_explain_each_reason_and_my_page_needs_a_session() {
    let app = TestApp::start().await;
    for reason in portal_web::pages::sign_in::SignInFailure::ALL {
        let (status, body) = app
            .get_text(&format!("/sign-in/failed?reason={}", reason.code()))
            .await;
        assert!(status.is_client_error(), "{reason:?}");
        assert!(
            crate::common::title(&body).starts_with("エラー:"),
            "{reason:?}"
        );
        assert!(
            body.contains("href=\"/sign-in\""),
            "{reason:?}: a way forward"
        );
    }
    let res = app.get("/my-page").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/sign-in");
}

#[actix_web::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::start().await;
    let mut card = issue(&app, "山田 花子").await;
    let browser = browser();
    let code = start(&app, &browser).await;
    answer(&app, &mut card, &code, false).await;
    continue_in(&app, &browser, &code).await;
    assert_eq!(
        browser
            .get(app.url("/my-page"))
            .send()
            .await
            .expect("GET")
            .status(),
        StatusCode::OK
    );

    let page = browser
        .get(app.url("/my-page"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let marker = "name=\"csrf_token\" value=\"";
    let start_at = page.find(marker).expect("csrf") + marker.len();
    let token = page[start_at..start_at + 43].to_owned();
    let res = browser
        .post(app.url("/sign-out"))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.headers()["location"], "/signed-out");
    assert_eq!(
        browser
            .get(app.url("/my-page"))
            .send()
            .await
            .expect("GET")
            .status(),
        StatusCode::SEE_OTHER
    );
}

async fn demo_reader_post(
    app: &TestApp,
    browser: &reqwest::Client,
    code: &str,
    card: &str,
    pin: &str,
) -> reqwest::Response {
    let page = browser
        .get(app.url(&format!("/sign-in/demo-reader?code={code}")))
        .send()
        .await
        .expect("GET");
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("body");
    let marker = "name=\"csrf_token\" value=\"";
    let start_at = page.find(marker).expect("csrf") + marker.len();
    let token = page[start_at..start_at + 43].to_owned();
    browser
        .post(app.url("/sign-in/demo-reader"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("code", code),
            ("card", card),
            ("pin", pin),
        ])
        .send()
        .await
        .expect("POST")
}

#[actix_web::test]
async fn the_demo_reader_signs_in_with_a_demo_card_and_counts_wrong_pins() {
    let app = TestApp::start_with(crate::common::Options {
        demo: true,
        ..Default::default()
    })
    .await;
    let cards = portal_server::services::demo::ensure_cards(&app.state)
        .await
        .expect("demo cards");
    assert_eq!(cards.len(), 3);
    let (first, second) = (&cards[0], &cards[1]);
    let browser = browser();

    let code = start(&app, &browser).await;
    let res = demo_reader_post(&app, &browser, &code, &first.id, "0000").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.expect("body");
    assert!(
        body.contains("href=\"#pin\""),
        "error summary links to the PIN"
    );
    let res = demo_reader_post(&app, &browser, &code, &first.id, &first.pin).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/my-page");
    let page = browser
        .get(app.url("/my-page"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(page.contains(&first.name));

    // Three wrong PINs lock the card; the right PIN no longer helps.
    let code = start(&app, &browser).await;
    demo_reader_post(&app, &browser, &code, &second.id, "0000").await;
    demo_reader_post(&app, &browser, &code, &second.id, "0001").await;
    let res = demo_reader_post(&app, &browser, &code, &second.id, "0002").await;
    assert_eq!(res.headers()["location"], "/sign-in/failed?reason=locked");
    let res = demo_reader_post(&app, &browser, &code, &second.id, &second.pin).await;
    assert_eq!(res.headers()["location"], "/sign-in/failed?reason=locked");
    let card = portal_card::SoftwareCard::load(&second.file).expect("card");
    assert!(card.auth_locked());
}

#[actix_web::test]
async fn the_demo_reader_does_not_exist_outside_demo_mode() {
    let app = TestApp::start().await;
    assert_eq!(
        app.get("/sign-in/demo-reader?code=ABCDEFGH").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn signed_in_pages_schedule_the_idle_warning_which_can_extend_the_session() {
    let app = TestApp::start_with(crate::common::Options {
        session_idle_timeout_secs: Some(100),
        ..Default::default()
    })
    .await;
    let mut card = issue(&app, "山田 花子").await;
    let browser = browser();
    let code = start(&app, &browser).await;
    answer(&app, &mut card, &code, false).await;
    continue_in(&app, &browser, &code).await;

    // Idle 100 s, warned 20 s before: the page (without JavaScript) moves to the warning after about 80 s.
    let page = browser
        .get(app.url("/my-page"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let marker = "<meta http-equiv=\"refresh\" content=\"";
    let start_at = page
        .find(marker)
        .expect("meta refresh for the idle warning")
        + marker.len();
    let seconds: u64 = page[start_at..]
        .split(';')
        .next()
        .expect("seconds")
        .parse()
        .expect("number");
    assert!((75..=80).contains(&seconds), "warning after {seconds} s");
    assert!(page[start_at..].starts_with(&format!("{seconds};url=/session/warning")));

    let warning = browser
        .get(app.url("/session/warning"))
        .send()
        .await
        .expect("GET");
    assert_eq!(warning.status(), StatusCode::OK);
    let warning = warning.text().await.expect("body");
    assert!(warning.contains("action=\"/session/extend\""));
    let marker = "name=\"csrf_token\" value=\"";
    let at = warning.find(marker).expect("csrf") + marker.len();
    let res = browser
        .post(app.url("/session/extend"))
        .form(&[("csrf_token", &warning[at..at + 43])])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.headers()["location"], "/my-page");
}

#[actix_web::test]
async fn the_warning_page_sends_an_ended_session_to_the_signed_out_page() {
    let app = TestApp::start().await;
    let res = app.get("/session/warning").await;
    assert_eq!(res.headers()["location"], "/signed-out?timeout=1");
}

#[actix_web::test]
async fn a_configured_ca_and_crl_file_are_trusted_and_refreshed() {
    // The CA and its CRL live elsewhere; this portal only has the certificate and the CRL file.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let now = time::OffsetDateTime::now_utc();
    let mut authority = Authority::generate(now).expect("authority");
    let anchor = elsewhere.path().join("auth-ca.der");
    let crl = elsewhere.path().join("auth.crl");
    std::fs::write(&anchor, authority.auth_ca_der()).expect("write");
    std::fs::write(&crl, authority.auth_crl_der(now).expect("crl")).expect("write");
    let source = portal_server::cards::CardSource::Configured {
        anchor,
        crl: crl.to_str().expect("utf-8").to_owned(),
    };
    let app = TestApp::start_with(crate::common::Options {
        card_source: Some(source),
        ..Default::default()
    })
    .await;

    let expiry = portal_server::japan_today().saturating_add(time::Duration::days(3000));
    let mut card = authority
        .issue(
            &holder("外部 花子"),
            CardKind::Card,
            "1234",
            "ABC123",
            expiry,
            now,
        )
        .expect("issue");
    let browser = browser();
    // Chains to the configured CA, but nobody linked it to a citizen here.
    let code = start(&app, &browser).await;
    assert_eq!(
        answer(&app, &mut card, &code, false).await.1["error"],
        "unknown_card"
    );

    authority.revoke(card.serial(), now);
    std::fs::write(&crl, authority.auth_crl_der(now).expect("crl")).expect("write");
    app.state.cards.refresh().await.expect("refresh");
    let code = start(&app, &browser).await;
    assert_eq!(
        answer(&app, &mut card, &code, false).await.1["error"],
        "revoked"
    );
}

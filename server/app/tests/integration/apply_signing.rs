//! Signing a child allowance claim electronically before sending (電子署名): the card app signs the digest
//! with the card's signature key, the portal checks the certificate and that it is the citizen's own, sends
//! the claim exactly as the plain send does and keeps the signature; another person's card, answers changed
//! after signing and a wrong password send nothing. The card and its CA are simulated.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portal_card::{Authority, CardError, SoftwareCard, Verifier};
use portal_server::services::application_signing;
use portal_storage::ids::ApplicationId;
use portal_storage::models::application::{Application, ApplicationSignature, FormDefinition};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::apply::{fill_claim, parent_with_card, send, send_claim};
use crate::common::{Options, TestApp};
use crate::own_data::{Answer, Citizen, between, post};
use crate::services::presets;

/// The signature password `Citizen::sign_in_as` issues cards with.
const PASSWORD: &str = "ABC123";

fn application_of(path: &str) -> (String, ApplicationId) {
    let base = path
        .trim_end_matches("/check")
        .split('?')
        .next()
        .expect("path")
        .to_owned();
    let id = base.rsplit('/').next().expect("id").parse().expect("uuid");
    (base, id)
}

/// Opens the signing page: its code and the digest it shows (without the spaces that group it).
async fn open_signing(app: &TestApp, citizen: &Citizen, application: &str) -> (String, String) {
    let html = citizen
        .html(app, &format!("{application}/sign"), StatusCode::OK)
        .await;
    let code = between(&html, "/sign-in/qr/", ".svg")[..8].to_owned();
    let digest = between(&html, "<code class=\"digest\">", "</code>").replace(' ', "");
    (code, digest)
}

/// The card app: the challenge says what to sign; the card signs its digest with the signature key.
async fn card_signs(
    app: &TestApp,
    card: &mut SoftwareCard,
    code: &str,
    password: &str,
) -> Result<(StatusCode, Value), CardError> {
    let challenge: Value = app
        .get(&format!("/card/challenge/{code}"))
        .await
        .json()
        .await
        .expect("challenge");
    assert_eq!(challenge["purpose"], "application.sign");
    assert!(challenge["message"].is_null(), "{challenge}");
    assert!(
        challenge["document"].get("citizen").is_none(),
        "whose card must sign is not given away"
    );
    let digest =
        hex::decode(challenge["document"]["digest"].as_str().expect("digest")).expect("hex digest");
    let signed = card.sign_digest_with_signature_key(password, &digest)?;
    let res = app
        .client
        .post(app.url("/card/response"))
        .json(&json!({
            "code": code,
            "certificate": STANDARD.encode(&signed.certificate),
            "signature": STANDARD.encode(&signed.signature),
        }))
        .send()
        .await
        .expect("answer");
    let status = res.status();
    Ok((status, res.json().await.unwrap_or_default()))
}

/// Presses "continue" on the signing page.
async fn finish(app: &TestApp, citizen: &Citizen, application: &str, code: &str) -> Answer {
    // The CSRF token from a page without side effects (opening the signing page starts a challenge).
    post(
        app,
        citizen,
        "/applications",
        &format!("{application}/sign"),
        &[("code", code)],
    )
    .await
}

async fn stored(app: &TestApp, id: ApplicationId) -> (Application, Vec<ApplicationSignature>) {
    app.state
        .db
        .run(move |c| {
            use diesel::prelude::*;
            use portal_storage::schema::applications::dsl as a;
            let row = portal_storage::with_conn!(c, |c| a::applications
                .find(id)
                .select(Application::as_select())
                .first(c))?;
            Ok((row, ApplicationSignature::of(c, id)?))
        })
        .await
        .expect("application")
}

async fn agency_sees(app: &TestApp, id: ApplicationId) -> Value {
    let (_, _, client) = crate::agency::setup(app, "131016").await;
    let token = crate::agency::token(app, &client).await;
    let answer = crate::agency::graphql(
        app,
        &token,
        "query($id: ID!) { application(id: $id) { status receiptNumber signature { signedAt digest signer signerBirthDate certificate value } } }",
        json!({"id": id.to_string()}),
    )
    .await;
    answer["data"]["application"].clone()
}

#[actix_web::test]
async fn a_claim_signed_with_the_citizens_own_card_is_sent_with_a_signature_that_verifies() {
    let app = TestApp::start().await;
    let (citizen, mut card) = parent_with_card(&app).await;
    let check = fill_claim(&app, &citizen).await;
    let (application, id) = application_of(&check);

    let html = citizen.html(&app, &check, StatusCode::OK).await;
    assert!(html.contains("同意して送信する"), "the plain send stays");
    assert!(html.contains("署名して送信する"));
    assert!(html.contains(&format!(
        "<a href=\"{application}/sign\" class=\"button button--secondary\""
    )));

    let (code, digest) = open_signing(&app, &citizen, &application).await;
    assert_eq!(digest.len(), 64, "{digest}");
    let early = finish(&app, &citizen, &application, &code).await;
    assert_eq!(early.status, StatusCode::OK);
    assert!(early.body.contains("まだカードからの応答がありません。"));

    let (status, body) = card_signs(&app, &mut card, &code, PASSWORD)
        .await
        .expect("signed");
    assert_eq!(status, StatusCode::OK, "{body}");
    let sent = finish(&app, &citizen, &application, &code).await;
    assert_eq!(
        sent.location(),
        format!("{application}?sent=1"),
        "{}",
        sent.body
    );
    let receipt = citizen.html(&app, sent.location(), StatusCode::OK).await;
    assert!(receipt.contains("申請を送信しました"));
    assert!(receipt.contains("署名済み"), "the page says it was signed");
    let number = between(&receipt, "<strong>", "</strong>").to_owned();
    assert!(number.starts_with("AP-"), "{number}");
    let history = citizen.html(&app, "/history", StatusCode::OK).await;
    assert!(
        history.contains("千代田区"),
        "the linkage record, as always"
    );

    // The stored signature covers the canonical form of what was stored, and chains to the sign CA.
    let (row, signatures) = stored(&app, id).await;
    assert_eq!(row.status, "sent");
    assert_eq!(signatures.len(), 1);
    let signature = &signatures[0];
    assert_eq!(signature.digest, digest);
    assert_eq!(signature.signer_name, "山田 花子");
    assert_eq!(signature.signer_birth_date, "1990-04-01");
    let form_id = row.form_definition_id;
    let form = app
        .state
        .db
        .run(move |c| FormDefinition::find(c, form_id))
        .await
        .expect("form")
        .expect("form row");
    let answers = serde_json::from_str(&row.answers).expect("answers");
    let canonical = application_signing::canonical_form(id, &form.form_key, form.version, &answers)
        .expect("canonical form");
    assert_eq!(hex::encode(Sha256::digest(&canonical)), signature.digest);
    let authority = Authority::load(&app.ca_dir()).expect("CA");
    let verifier = Verifier::for_signatures(authority.sign_ca_der(), None).expect("verifier");
    let certificate = STANDARD.decode(&signature.certificate).expect("base64");
    let value = STANDARD.decode(&signature.signature).expect("base64");
    verifier
        .verify(
            &certificate,
            &canonical,
            &value,
            time::OffsetDateTime::now_utc(),
        )
        .expect("the stored signature verifies");
    let mut tampered = canonical.clone();
    tampered.push(b' ');
    assert!(
        verifier
            .verify(
                &certificate,
                &tampered,
                &value,
                time::OffsetDateTime::now_utc()
            )
            .is_err()
    );

    // Used once: the same code sends nothing more.
    let again = finish(&app, &citizen, &application, &code).await;
    assert_eq!(again.location(), application, "already sent");
    assert_eq!(stored(&app, id).await.1.len(), 1);

    // The agency sees the signature.
    let seen = agency_sees(&app, id).await;
    assert_eq!(seen["receiptNumber"], number.as_str(), "{seen}");
    assert_eq!(seen["signature"]["digest"], digest.as_str(), "{seen}");
    assert_eq!(seen["signature"]["signer"], "山田 花子");
    assert_eq!(seen["signature"]["signerBirthDate"], "1990-04-01");
    assert_eq!(
        seen["signature"]["certificate"],
        signature.certificate.as_str()
    );
    assert_eq!(seen["signature"]["value"], signature.signature.as_str());
    assert_eq!(seen["signature"]["signedAt"], signature.signed_at);
}

#[actix_web::test]
async fn another_citizens_card_is_refused_and_nothing_is_sent() {
    let app = TestApp::start().await;
    let (citizen, mut card) = parent_with_card(&app).await;
    let (_family, mut family_card) = Citizen::sign_in_as(&app, "山田 太郎", "ヤマダ タロウ").await;
    let check = fill_claim(&app, &citizen).await;
    let (application, id) = application_of(&check);

    let (code, _) = open_signing(&app, &citizen, &application).await;
    let (status, body) = card_signs(&app, &mut family_card, &code, PASSWORD)
        .await
        .expect("the card signs");
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "other_person", "the card app is told why");
    let refused = finish(&app, &citizen, &application, &code).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused
            .body
            .contains("ログインしている方とは別の方のカードで署名されました。"),
        "{}",
        refused.body
    );
    let (row, signatures) = stored(&app, id).await;
    assert_eq!((row.status.as_str(), signatures.len()), ("draft", 0));

    // An authentication certificate is no signature certificate either.
    let code = between(&refused.body, "/sign-in/qr/", ".svg")[..8].to_owned();
    let digest = [0u8; 32];
    let signature = card.sign_auth_digest("1234", &digest).expect("auth");
    let res = app
        .client
        .post(app.url("/card/response"))
        .json(&json!({
            "code": code,
            "certificate": STANDARD.encode(card.auth_certificate_der()),
            "signature": STANDARD.encode(&signature),
        }))
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(stored(&app, id).await.0.status, "draft");
}

#[actix_web::test]
async fn answers_changed_after_signing_are_not_sent() {
    let app = TestApp::start().await;
    let (citizen, mut card) = parent_with_card(&app).await;
    let check = fill_claim(&app, &citizen).await;
    let (application, id) = application_of(&check);

    let (code, digest) = open_signing(&app, &citizen, &application).await;
    let (status, _) = card_signs(&app, &mut card, &code, PASSWORD)
        .await
        .expect("signed");
    assert_eq!(status, StatusCode::OK);
    // In another tab, the address changes after signing.
    let changed = send(
        &app,
        &citizen,
        &format!("{application}/pages/claimant"),
        &[("address", "東京都千代田区永田町一丁目7番1号 202号室")],
    )
    .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let refused = finish(&app, &citizen, &application, &code).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused
            .body
            .contains("署名した後に申請内容が変わったため、送信していません。"),
        "{}",
        refused.body
    );
    let (row, signatures) = stored(&app, id).await;
    assert_eq!((row.status.as_str(), signatures.len()), ("draft", 0));

    // The new code is for the new answers; signing them sends.
    let (code, new_digest) = open_signing(&app, &citizen, &application).await;
    assert_ne!(new_digest, digest);
    card_signs(&app, &mut card, &code, PASSWORD)
        .await
        .expect("signed");
    let sent = finish(&app, &citizen, &application, &code).await;
    assert_eq!(sent.location(), format!("{application}?sent=1"));
    assert_eq!(stored(&app, id).await.1[0].digest, new_digest);
}

#[actix_web::test]
async fn a_wrong_password_is_the_cards_answer_and_nothing_is_stored() {
    let app = TestApp::start().await;
    let (citizen, mut card) = parent_with_card(&app).await;
    let check = fill_claim(&app, &citizen).await;
    let (application, id) = application_of(&check);
    let (code, _) = open_signing(&app, &citizen, &application).await;

    match card_signs(&app, &mut card, &code, "WRONG1").await {
        Err(CardError::WrongPin { tries_left }) => assert_eq!(tries_left, 4),
        other => panic!("{other:?}"),
    }
    let waiting = finish(&app, &citizen, &application, &code).await;
    assert_eq!(waiting.status, StatusCode::OK);
    assert!(waiting.body.contains("まだカードからの応答がありません。"));
    let (row, signatures) = stored(&app, id).await;
    assert_eq!((row.status.as_str(), signatures.len()), ("draft", 0));
    assert_eq!(card.sign_tries_left(), 4);
}

#[actix_web::test]
async fn the_plain_send_stays_unsigned() {
    let app = TestApp::start().await;
    let (citizen, _) = parent_with_card(&app).await;
    let application = send_claim(&app, &citizen).await;
    let (_, id) = application_of(&application);
    let page = citizen.html(&app, &application, StatusCode::OK).await;
    assert!(page.contains("送信済") && !page.contains("署名済み"));
    let (row, signatures) = stored(&app, id).await;
    assert_eq!((row.status.as_str(), signatures.len()), ("sent", 0));
    let seen = agency_sees(&app, id).await;
    assert_eq!(seen["status"], "sent", "{seen}");
    assert!(seen["signature"].is_null(), "{seen}");
}

/// Signs in with a demo card through the demo reader, as a browser does with JavaScript off.
async fn demo_sign_in(app: &TestApp, card: &str, pin: &str) -> Citizen {
    let browser = crate::own_data::browser();
    let html = browser
        .get(app.url("/sign-in"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let code = between(&html, "/sign-in/qr/", ".svg")[..8].to_owned();
    let csrf = between(&html, "name=\"csrf_token\" value=\"", "\"").to_owned();
    let res = browser
        .post(app.url("/sign-in/demo-reader"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("code", code.as_str()),
            ("card", card),
            ("pin", pin),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.headers()["location"], "/my-page");
    let entries = portal_server::services::demo::load_entries(&app.state);
    let entry = entries.iter().find(|e| e.id == card).expect("entry");
    let serial = SoftwareCard::load(&entry.file).expect("card").serial_hex();
    let id = app
        .state
        .db
        .run(move |c| portal_storage::models::citizen::Citizen::find_by_card_serial(c, &serial))
        .await
        .expect("find")
        .expect("citizen")
        .id;
    Citizen { id, browser }
}

async fn demo_signer_post(
    app: &TestApp,
    citizen: &Citizen,
    href: &str,
    card: &str,
    password: &str,
) -> Answer {
    let page = citizen.html(app, href, StatusCode::OK).await;
    let code = between(&page, "name=\"code\" value=\"", "\"").to_owned();
    post(
        app,
        citizen,
        href,
        "/sign-in/demo-reader/sign",
        &[("code", &code), ("card", card), ("password", password)],
    )
    .await
}

#[actix_web::test]
async fn the_demo_reader_signs_with_the_signature_password_and_counts_wrong_ones() {
    let app = TestApp::start_with(Options {
        demo: true,
        ..Default::default()
    })
    .await;
    portal_server::services::demo::ensure_cards(&app.state)
        .await
        .expect("demo cards");
    presets(&app).await;
    let citizen = demo_sign_in(&app, "demo-1", "1234").await;
    let check = fill_claim(&app, &citizen).await;
    let (application, id) = application_of(&check);

    let html = citizen
        .html(&app, &format!("{application}/sign"), StatusCode::OK)
        .await;
    let href = between(&html, "href=\"/sign-in/demo-reader/sign?code=", "\"");
    let href = format!("/sign-in/demo-reader/sign?code={href}");
    let digest = between(&html, "<code class=\"digest\">", "</code>").to_owned();
    let reader = citizen.html(&app, &href, StatusCode::OK).await;
    assert!(reader.contains("児童手当認定請求書") && reader.contains(&digest));
    assert!(reader.contains("山田 花子（署名用パスワード DEMO1234）"));
    assert!(reader.contains("for=\"password\""));

    // A wrong password is the card's answer: said next to the field, with the tries left.
    let wrong = demo_signer_post(&app, &citizen, &href, "demo-1", "WRONG1").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("href=\"#password\""));
    assert!(
        wrong.body.contains("あと4回間違えるとロックされます"),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("value=\"demo-1\" checked"));
    let short = demo_signer_post(&app, &citizen, &href, "demo-1", "ABC").await;
    assert!(
        short
            .body
            .contains("英大文字と数字の6〜16文字で入力してください")
    );

    // Five wrong passwords lock demo-3's signature key, with a message of its own.
    for _ in 0..4 {
        demo_signer_post(&app, &citizen, &href, "demo-3", "WRONG1").await;
    }
    let locked = demo_signer_post(&app, &citizen, &href, "demo-3", "WRONG1").await;
    assert!(
        locked
            .body
            .contains("署名用電子証明書のパスワードはロックされています"),
        "{}",
        locked.body
    );
    let still = demo_signer_post(&app, &citizen, &href, "demo-3", "DEMO1234").await;
    assert!(
        still
            .body
            .contains("署名用電子証明書のパスワードはロックされています")
    );
    assert_eq!(stored(&app, id).await.1.len(), 0, "nothing stored");

    // The right password signs; the signing page collects it and sends.
    let signed = demo_signer_post(&app, &citizen, &href, "demo-1", "demo1234").await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let back = signed.location().to_owned();
    assert!(
        back.starts_with(&format!("{application}/sign?code=")),
        "{back}"
    );
    let waiting = citizen.html(&app, &back, StatusCode::OK).await;
    let code = between(&waiting, "name=\"code\" value=\"", "\"").to_owned();
    let sent = finish(&app, &citizen, &application, &code).await;
    assert_eq!(sent.location(), format!("{application}?sent=1"));
    let receipt = citizen.html(&app, sent.location(), StatusCode::OK).await;
    assert!(receipt.contains("署名済み"));
    assert_eq!(stored(&app, id).await.1.len(), 1);

    // Another demo holder's card is refused, and the signing page says so at once.
    let check = fill_claim(&app, &citizen).await;
    let (application, _) = application_of(&check);
    let html = citizen
        .html(&app, &format!("{application}/sign"), StatusCode::OK)
        .await;
    let code = between(&html, "href=\"/sign-in/demo-reader/sign?code=", "\"");
    let href = format!("/sign-in/demo-reader/sign?code={code}");
    let other = demo_signer_post(&app, &citizen, &href, "demo-2", "DEMO1234").await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    let refused = citizen.get(&app, other.location()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused
            .text()
            .contains("ログインしている方とは別の方のカードで署名されました。")
    );
}

use portal_storage::models::feedback::Feedback;
use reqwest::StatusCode;

use crate::common::{TestApp, title};

#[actix_web::test]
async fn empty_form_shows_every_error_and_keeps_what_was_typed() {
    let app = TestApp::start().await;
    let token = app.csrf_token("/feedback").await;
    let res = app
        .post_form(
            "/feedback",
            &[
                ("csrf_token", &token),
                ("name", "山田 太郎"),
                ("happened_day", "31"),
                ("happened_month", "2"),
                ("happened_year", "2026"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.expect("body");
    assert!(title(&body).starts_with("エラー:"), "{}", title(&body));
    for (field, key) in [
        ("topic", "feedback.errors.topic_required"),
        ("message", "feedback.errors.message_required"),
        ("happened", "feedback.errors.happened_invalid"),
    ] {
        assert!(
            body.contains(&format!("href=\"#{field}")),
            "summary links to {field}"
        );
        assert!(
            body.contains(portal_web::Lang::Ja.t(key)),
            "message for {field} shown"
        );
    }
    assert!(body.contains("value=\"山田 太郎\""), "name kept");
    assert!(
        body.contains("value=\"31\"") && body.contains("value=\"2026\""),
        "date kept"
    );
    assert!(app.mails().is_empty());
}

#[actix_web::test]
async fn an_over_long_message_is_kept_in_full_with_its_error() {
    let app = TestApp::start().await;
    let token = app.csrf_token("/feedback").await;
    let message = "長".repeat(2500);
    let res = app
        .post_form(
            "/feedback",
            &[
                ("csrf_token", &token),
                ("topic", "other"),
                ("message", &message),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.expect("body");
    assert!(body.contains(&message), "the whole message is shown again");
    assert!(body.contains(portal_web::Lang::Ja.t("feedback.errors.message_too_long")));
}

#[actix_web::test]
async fn valid_feedback_is_stored_mailed_and_confirmed() {
    let app = TestApp::start().await;
    let token = app.csrf_token("/feedback").await;
    let res = app
        .post_form(
            "/feedback",
            &[
                ("csrf_token", &token),
                ("topic", "problem"),
                ("area", "sign_in"),
                ("message", "カードリーダーが認識されません。"),
                ("happened_day", "２０"),
                ("happened_month", "11"),
                ("happened_year", "2026"),
                ("reply", "yes"),
                ("email", "taro@example.jp"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let reference = location
        .strip_prefix("/feedback/sent?ref=")
        .expect("redirect to the sent page")
        .to_owned();

    let lookup = reference.clone();
    let stored = app
        .state
        .db
        .run(move |c| Feedback::find_by_reference(c, &lookup))
        .await
        .expect("query")
        .expect("row");
    assert_eq!(stored.topic, "problem");
    assert_eq!(stored.area.as_deref(), Some("sign_in"));
    assert_eq!(stored.happened_on.as_deref(), Some("2026-11-20"));
    assert_eq!(stored.reply_email.as_deref(), Some("taro@example.jp"));
    assert_eq!(stored.lang, "ja");

    let (status, body) = app.get_text(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&reference));

    let mails = app.mails();
    assert_eq!(mails.len(), 1);
    let mail = mailparse::parse_mail(&mails[0]).expect("parse mail");
    let subject = mail
        .headers
        .iter()
        .find(|h| h.get_key() == "Subject")
        .expect("subject")
        .get_value();
    assert!(subject.contains(&reference), "{subject}");
    let to = mail
        .headers
        .iter()
        .find(|h| h.get_key() == "To")
        .expect("to")
        .get_value();
    assert!(to.contains("feedback@localhost"), "{to}");
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    let kinds: Vec<_> = mail
        .subparts
        .iter()
        .map(|p| p.ctype.mimetype.clone())
        .collect();
    assert_eq!(kinds, vec!["text/plain", "text/html"]);
    let text = mail.subparts[0].get_body().expect("text body");
    assert!(text.contains("カードリーダーが認識されません。"), "{text}");
}

#[actix_web::test]
async fn the_sent_page_confirms_only_real_references() {
    let app = TestApp::start().await;
    assert_eq!(
        app.get("/feedback/sent?ref=FB-20261126-ABCDEF")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/feedback/sent?ref=<script>").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/feedback/sent").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn english_submissions_are_answered_in_english() {
    let app = TestApp::start().await;
    app.get("/language/en?next=/").await;
    let token = app.csrf_token("/feedback").await;
    let res = app
        .post_form(
            "/feedback",
            &[("csrf_token", &token), ("topic", "question")],
        )
        .await;
    let body = res.text().await.expect("body");
    assert!(title(&body).starts_with("Error:"), "{}", title(&body));
    assert!(body.contains(portal_web::Lang::En.t("feedback.errors.message_required")));
}

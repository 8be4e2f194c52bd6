use portal_server::mail::Mailer;
use portal_testkit::SmtpSink;
use reqwest::StatusCode;

use crate::common::{Options, TestApp};

#[actix_web::test]
async fn with_smtp_url_mail_goes_over_smtp() {
    let sink = SmtpSink::start().await.expect("smtp sink");
    let mailer = Mailer::smtp(&sink.url()).expect("smtp mailer");
    let app = TestApp::start_with(Options {
        mailer: Some(mailer),
        ..Options::default()
    })
    .await;
    let token = app.csrf_token("/feedback").await;
    let res = app
        .post_form(
            "/feedback",
            &[
                ("csrf_token", &token),
                ("topic", "suggestion"),
                ("message", "Please add dark mode."),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let reference = res.headers()["location"]
        .to_str()
        .expect("ascii")
        .rsplit('=')
        .next()
        .expect("ref")
        .to_owned();

    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "one message over SMTP");
    let mail = mailparse::parse_mail(messages[0].as_bytes()).expect("parse");
    let subject = mail
        .headers
        .iter()
        .find(|h| h.get_key() == "Subject")
        .expect("subject")
        .get_value();
    assert!(subject.contains(&reference), "{subject}");
    assert!(
        mail.subparts[0]
            .get_body()
            .expect("text")
            .contains("Please add dark mode.")
    );
    assert!(
        app.mails().is_empty(),
        "nothing written to the outbox folder"
    );
}

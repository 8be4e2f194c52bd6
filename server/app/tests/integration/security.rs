use reqwest::StatusCode;

use crate::common::TestApp;

#[actix_web::test]
async fn pages_carry_the_security_headers() {
    let app = TestApp::start().await;
    let res = app.get("/").await;
    let h = res.headers().clone();
    let csp = h["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
    assert!(h.contains_key("permissions-policy"));
    assert_eq!(h["cache-control"], "no-store");
    assert!(
        !h.contains_key("strict-transport-security"),
        "no HSTS over plain HTTP"
    );
    assert!(h.contains_key("x-request-id"));

    // The one inline script carries this response's nonce.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("nonce")
        .to_owned();
    let body = res.text().await.expect("body");
    assert!(
        body.contains(&format!("<script nonce=\"{nonce}\"")),
        "inline script without the CSP nonce"
    );
    assert!(
        !body.contains(" style=\""),
        "inline styles would need unsafe-inline"
    );

    // A fresh nonce per response.
    let again = app.get("/").await;
    assert_ne!(
        again.headers()["content-security-policy"]
            .to_str()
            .expect("ascii"),
        csp
    );
}

#[actix_web::test]
async fn hsts_is_sent_when_served_over_tls() {
    let app = TestApp::start().await;
    let res = app
        .client
        .get(app.url("/"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .expect("GET");
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    let cookie = res.headers()["set-cookie"].to_str().expect("ascii");
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[actix_web::test]
async fn posts_without_a_matching_csrf_token_are_refused() {
    let app = TestApp::start().await;
    let fields = [("topic", "question"), ("message", "こんにちは")];
    // No cookie, no token.
    let res = app.post_form("/feedback", &fields).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.expect("body").contains("<title>エラー:"));
    // Cookie present (page visited) but the token is wrong.
    let token = app.csrf_token("/feedback").await;
    let res = app
        .post_form(
            "/feedback",
            &[
                ("csrf_token", "x".repeat(43).as_str()),
                fields[0],
                fields[1],
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The right token passes.
    let res = app
        .post_form(
            "/feedback",
            &[("csrf_token", token.as_str()), fields[0], fields[1]],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(app.mails().len() == 1);
}

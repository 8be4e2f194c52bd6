use reqwest::StatusCode;

use crate::common::{TestApp, title};

#[actix_web::test]
async fn home_page_is_japanese_by_default_and_english_after_the_switch() {
    let app = TestApp::start().await;
    let (status, body) = app.get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<html lang=\"ja\""), "{body}");
    assert!(title(&body).contains("マイナポータル"));
    assert!(
        body.contains("href=\"/language/en?next=/\""),
        "switch link to English: {body}"
    );

    let res = app.get("/language/en?next=/accessibility").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/accessibility");
    let cookie = res.headers()["set-cookie"].to_str().expect("ascii");
    assert!(
        cookie.starts_with("lang=en;") && cookie.contains("HttpOnly"),
        "{cookie}"
    );

    let (_, body) = app.get_text("/").await;
    assert!(body.contains("<html lang=\"en\""), "{body}");
    assert!(title(&body).contains("Mynaportal"));
    assert!(body.contains("href=\"/language/ja?next=/\""));
}

#[actix_web::test]
async fn language_switch_refuses_unknown_languages_and_foreign_targets() {
    let app = TestApp::start().await;
    assert_eq!(
        app.get("/language/fr?next=/").await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app.get("/language/en?next=//evil.example/").await;
    assert_eq!(res.headers()["location"], "/");
}

#[actix_web::test]
async fn every_page_renders_in_both_languages() {
    let app = TestApp::start().await;
    for lang in ["ja", "en"] {
        app.get(&format!("/language/{lang}?next=/")).await;
        for path in ["/", "/accessibility", "/feedback", "/components"] {
            let (status, body) = app.get_text(path).await;
            assert_eq!(status, StatusCode::OK, "{path} in {lang}");
            assert!(
                body.contains(&format!("<html lang=\"{lang}\"")),
                "{path} in {lang}"
            );
            assert_eq!(body.matches("<h1").count(), 1, "{path} in {lang}: one h1");
            assert!(body.contains("id=\"main-content\""), "{path} in {lang}");
        }
    }
}

#[actix_web::test]
async fn unknown_paths_get_the_error_page_in_the_users_language() {
    let app = TestApp::start().await;
    let (status, body) = app.get_text("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(title(&body).starts_with("エラー:"), "{}", title(&body));
    assert!(body.contains("<html lang=\"ja\""));

    app.get("/language/en?next=/").await;
    let (status, body) = app.get_text("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(title(&body).starts_with("Error:"), "{}", title(&body));
}

#[actix_web::test]
async fn wrong_method_gets_an_error_page_with_allow() {
    let app = TestApp::start().await;
    let res = app
        .client
        .delete(app.url("/feedback"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body = res.text().await.expect("body");
    assert!(title(&body).starts_with("エラー:"), "{body}");
}

#[actix_web::test]
async fn static_assets_are_content_hashed_and_cached_for_a_year() {
    let app = TestApp::start().await;
    let css = portal_web::assets::url("css/portal.css");
    assert!(
        css.starts_with("/static/css/portal.") && css.ends_with(".css"),
        "{css}"
    );
    let res = app.get(&css).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/css")
    );
    let body = res.text().await.expect("css");
    assert!(!body.is_empty());
    // A stale hash is not served (it would be cached forever with the wrong content).
    assert_eq!(
        app.get("/static/css/portal.0000000000.css").await.status(),
        StatusCode::NOT_FOUND
    );
}

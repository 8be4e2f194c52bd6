//! The agency staff console: a password and a TOTP code to sign in, the same answer for a wrong login and a
//! wrong password, a lock after repeated failures (for unknown logins too), a code accepted once, roles, and
//! each agency seeing only its own audit log.

use portal_server::services::staff::{self, MAX_FAILURES};
use reqwest::StatusCode;

use crate::common::TestApp;
use crate::own_data::{browser, csrf_of};

pub(crate) struct Staff {
    pub browser: reqwest::Client,
}

pub(crate) struct Reply {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

impl Staff {
    pub fn new() -> Staff {
        Staff { browser: browser() }
    }

    pub async fn get(&self, app: &TestApp, path: &str) -> Reply {
        let res = self.browser.get(app.url(path)).send().await.expect("GET");
        reply(res).await
    }

    /// Posts `fields` with the CSRF token of the form on `form_page`.
    pub async fn post(
        &self,
        app: &TestApp,
        form_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Reply {
        let page = self.get(app, form_page).await;
        let token = csrf_of(&page.body);
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        let res = self
            .browser
            .post(app.url(path))
            .form(&all)
            .send()
            .await
            .expect("POST");
        reply(res).await
    }

    pub async fn password(&self, app: &TestApp, login: &str, password: &str) -> Reply {
        self.post(
            app,
            "/staff/sign-in",
            "/staff/sign-in",
            &[("login", login), ("password", password)],
        )
        .await
    }

    pub async fn code(&self, app: &TestApp, code: &str) -> Reply {
        self.post(
            app,
            "/staff/sign-in/code",
            "/staff/sign-in/code",
            &[("code", code)],
        )
        .await
    }
}

async fn reply(res: reqwest::Response) -> Reply {
    Reply {
        status: res.status(),
        location: res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        body: res.text().await.expect("body"),
    }
}

pub(crate) const PASSWORD: &str = "correct horse battery";

/// Adds a member of `agency`'s staff with `roles`; returns their authenticator key.
pub(crate) async fn add(app: &TestApp, agency: &str, login: &str, roles: &[&str]) -> String {
    app.state
        .db
        .run(portal_server::services::agencies::ensure_registry)
        .await
        .expect("registry");
    let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
    staff::create(&app.state, agency, login, "窓口 一郎", &roles, PASSWORD)
        .await
        .expect("create")
        .expect("valid")
        .totp_secret
}

/// Signs a new browser in as `login` with the password and the current code.
pub(crate) async fn sign_in(app: &TestApp, login: &str, secret: &str) -> Staff {
    let staff = Staff::new();
    let passed = staff.password(app, login, PASSWORD).await;
    assert_eq!(passed.status, StatusCode::SEE_OTHER, "{}", passed.body);
    let code = staff::current_code(secret).expect("code");
    let signed = staff.code(app, &code).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    assert_eq!(signed.location, "/staff");
    staff
}

#[actix_web::test]
async fn staff_sign_in_with_a_password_and_a_code_used_once() {
    let app = TestApp::start().await;
    let secret = add(
        &app,
        "131016",
        "madoguchi@city.example.jp",
        &["applications"],
    )
    .await;
    let staff = Staff::new();

    let home = staff.get(&app, "/staff").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location, "/staff/sign-in");
    // The code page is only for a sign-in whose password step passed.
    assert_eq!(
        staff.get(&app, "/staff/sign-in/code").await.location,
        "/staff/sign-in"
    );

    // A wrong password and an unknown login get the same words.
    let wrong = staff
        .password(&app, "madoguchi@city.example.jp", "not the password")
        .await;
    let unknown = staff
        .password(&app, "nobody@city.example.jp", PASSWORD)
        .await;
    for refused in [&wrong, &unknown] {
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("ログインIDまたはパスワードが違います")
        );
        assert!(
            !refused.body.contains(PASSWORD),
            "the password is never sent back"
        );
    }
    assert!(
        wrong.body.contains("value=\"madoguchi@city.example.jp\""),
        "the login is kept"
    );

    // The right password leads to the code; a wrong code is refused, the right one signs in.
    let passed = staff
        .password(&app, "Madoguchi@City.example.jp ", PASSWORD)
        .await;
    assert_eq!(passed.location, "/staff/sign-in/code", "{}", passed.body);
    let code = staff::current_code(&secret).expect("code");
    let wrong_code = if code == "000000" { "111111" } else { "000000" };
    let refused = staff.code(&app, wrong_code).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("確認コードが違うか"));
    let signed = staff.code(&app, &code).await;
    assert_eq!(signed.location, "/staff");
    let home = staff.get(&app, "/staff").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("窓口 一郎"));
    assert!(home.body.contains("href=\"/staff/applications\""));
    assert!(
        !home.body.contains("href=\"/staff/records\""),
        "only the roles held"
    );

    // The same code cannot sign in a second time (an overheard code is no use).
    let other = Staff::new();
    other
        .password(&app, "madoguchi@city.example.jp", PASSWORD)
        .await;
    let replayed = other.code(&app, &code).await;
    assert_eq!(replayed.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Signing out ends the session; the audit log has both.
    let audit = staff.get(&app, "/staff/audit").await;
    assert!(audit.body.contains("ログイン"), "{}", audit.body);
    let out = staff.post(&app, "/staff", "/staff/sign-out", &[]).await;
    assert_eq!(out.location, "/staff/sign-in");
    assert_eq!(staff.get(&app, "/staff").await.location, "/staff/sign-in");
}

#[actix_web::test]
async fn repeated_failures_lock_a_login_whether_or_not_it_exists() {
    let app = TestApp::start().await;
    let secret = add(&app, "131016", "kakari@city.example.jp", &["records"]).await;
    let staff = Staff::new();
    for _ in 1..MAX_FAILURES {
        let wrong = staff
            .password(&app, "kakari@city.example.jp", "wrong password")
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let locking = staff
        .password(&app, "kakari@city.example.jp", "wrong password")
        .await;
    assert_eq!(locking.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        locking.body.contains("15分間停止しています"),
        "{}",
        locking.body
    );
    // Locked, even the right password and code do not sign in.
    let right = staff
        .password(&app, "kakari@city.example.jp", PASSWORD)
        .await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);

    // A login that does not exist locks the same way: the answer tells nothing about which logins do.
    for _ in 1..MAX_FAILURES {
        staff
            .password(&app, "ghost@city.example.jp", "whatever it is")
            .await;
    }
    let ghost = staff
        .password(&app, "ghost@city.example.jp", "whatever it is")
        .await;
    assert_eq!(ghost.status, StatusCode::TOO_MANY_REQUESTS);
    let main = |body: &str, login: &str| {
        crate::own_data::between(body, "<main", "</main>").replace(login, "LOGIN")
    };
    assert_eq!(
        main(&ghost.body, "ghost@city.example.jp"),
        main(&locking.body, "kakari@city.example.jp"),
        "the same page for both"
    );

    // Wrong codes count too: another member is locked out from the code step.
    let other_secret = add(&app, "131016", "hoka@city.example.jp", &["records"]).await;
    let other = Staff::new();
    other.password(&app, "hoka@city.example.jp", PASSWORD).await;
    let code = staff::current_code(&other_secret).expect("code");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut last = other.code(&app, wrong).await;
    for _ in 1..MAX_FAILURES {
        last = other.code(&app, wrong).await;
    }
    assert_eq!(last.status, StatusCode::SEE_OTHER);
    assert_eq!(last.location, "/staff/sign-in?locked=1");
    assert_eq!(
        other.get(&app, "/staff/sign-in/code").await.location,
        "/staff/sign-in",
        "the pending sign-in is gone"
    );
    let _ = secret;
}

#[actix_web::test]
async fn staff_see_only_their_own_agency() {
    let app = TestApp::start().await;
    let ward = add(&app, "131016", "ward@city.example.jp", &["notices"]).await;
    let other = add(&app, "141003", "yokohama@city.example.jp", &["notices"]).await;
    let ward_staff = sign_in(&app, "ward@city.example.jp", &ward).await;
    // Different time step or not, the second member's code is their own.
    let yokohama_staff = sign_in(&app, "yokohama@city.example.jp", &other).await;
    let ward_log = ward_staff.get(&app, "/staff/audit").await.body;
    let yokohama_log = yokohama_staff.get(&app, "/staff/audit").await.body;
    assert!(ward_log.contains("窓口 一郎"));
    assert_eq!(
        ward_log.matches("<tr class=\"table__row\">").count(),
        2,
        "header and own sign-in"
    );
    assert_eq!(yokohama_log.matches("<tr class=\"table__row\">").count(), 2);
}

#[actix_web::test]
async fn staff_post_a_notice_watch_its_delivery_and_withdraw_it() {
    let app = TestApp::start().await;
    let secret = add(&app, "131016", "oshirase@city.example.jp", &["notices"]).await;
    let resident = crate::own_data::Citizen::sign_in(&app, "千代田 太郎").await;
    let staff = sign_in(&app, "oshirase@city.example.jp", &secret).await;

    // Nothing chosen: each field says what it needs, and what was typed stays.
    let refused = staff
        .post(
            &app,
            "/staff/notices/new",
            "/staff/notices/new",
            &[
                ("title", "健診のご案内"),
                ("body", ""),
                ("importance", "normal"),
                ("min_age", "70"),
                ("max_age", "65"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "本文を入力してください",
        "分類を選んでください",
        "「何歳まで」は",
    ] {
        assert!(refused.body.contains(message), "{message}");
    }
    assert!(refused.body.contains("value=\"健診のご案内\""));

    let posted = staff
        .post(
            &app,
            "/staff/notices/new",
            "/staff/notices/new",
            &[
                ("title", "健診のご案内"),
                ("body", "今年度の健診を受けてください。"),
                ("category", "health"),
                ("importance", "normal"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let page = posted.location.clone();
    assert!(page.ends_with("?done=posted"), "{page}");
    let shown = staff.get(&app, &page).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("お知らせを送りました"));
    assert!(shown.body.contains("<progress"));
    let path = page.trim_end_matches("?done=posted").to_owned();
    let figures = staff.get(&app, &format!("{path}.json")).await;
    let figures: serde_json::Value = serde_json::from_str(&figures.body).expect("json");
    assert!(
        figures["state"].is_string() && figures["done"].is_i64() && figures["total"].is_i64(),
        "{figures}"
    );

    // The ward's resident has it.
    let inbox = resident.html(&app, "/notices", StatusCode::OK).await;
    assert!(inbox.contains("健診のご案内"));

    // Withdrawn, it leaves the inbox; the audit log has both actions.
    let withdrawn = staff
        .post(&app, &path, &format!("{path}/withdraw"), &[])
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    let inbox = resident.html(&app, "/notices", StatusCode::OK).await;
    assert!(!inbox.contains("健診のご案内"));
    let audit = staff.get(&app, "/staff/audit").await.body;
    assert!(audit.contains("お知らせを送信") && audit.contains("お知らせを取り下げ"));

    // Staff of another agency, or without the role, do not reach it.
    let other = add(&app, "141003", "yokohama@city.example.jp", &["notices"]).await;
    let yokohama = sign_in(&app, "yokohama@city.example.jp", &other).await;
    assert_eq!(
        yokohama.get(&app, &path).await.status,
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
        clerk.get(&app, "/staff/notices").await.status,
        StatusCode::FORBIDDEN
    );
}

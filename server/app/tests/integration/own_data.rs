//! Fixtures for the わたしの情報 and やりとり履歴 tests: citizens signed in with their own card (as the card app
//! does it), the agency registry, and records and history rows written through the storage models.

use std::collections::HashMap;

use portal_card::{CardKind, Holder, Sex, SoftwareCard};
use portal_server::services::{agencies, cards};
use portal_storage::ids::{AgencyId, CitizenId, RecordId};
use portal_storage::models::agency::Agency;
use portal_storage::models::linkage::{LinkageRecord, NewLinkage};
use portal_storage::models::record::Record;
use portal_storage::now_millis;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::common::TestApp;

/// A citizen signed in, in a browser of their own.
pub struct Citizen {
    pub id: CitizenId,
    pub browser: reqwest::Client,
}

/// A response read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A card for a resident of 千代田区 named `name` (`kana`), PIN 1234, signature password ABC123.
pub fn card_request(name: &str, kana: &str) -> cards::NewCard {
    cards::NewCard {
        holder: Holder {
            name: name.to_owned(),
            name_kana: kana.to_owned(),
            address: "東京都千代田区永田町一丁目7番1号".to_owned(),
            birth_date: time::macros::date!(1990 - 04 - 01),
            sex: Sex::Female,
        },
        municipality_code: "131016".to_owned(),
        kind: CardKind::Card,
        pin: "1234".to_owned(),
        password: "ABC123".to_owned(),
        expiry: portal_server::japan_today().saturating_add(time::Duration::days(3000)),
    }
}

pub fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not found"))
        + start.len();
    let to = html[from..].find(end).expect("end marker") + from;
    &html[from..to]
}

impl Citizen {
    /// Issues a card to a new citizen named `name` and signs in with it: the sign-in page's code, the card
    /// app's signed answer, then "continue" in the same browser.
    pub async fn sign_in(app: &TestApp, name: &str) -> Citizen {
        Citizen::sign_in_as(app, name, "テスト").await.0
    }

    /// As [`Citizen::sign_in`], for a citizen whose registered kana name is `kana`; the card is kept, for
    /// pages that ask for it again.
    pub async fn sign_in_as(app: &TestApp, name: &str, kana: &str) -> (Citizen, SoftwareCard) {
        let browser = browser();
        let (id, card, location) =
            Citizen::sign_in_with(app, &browser, card_request(name, kana)).await;
        assert_eq!(location, "/my-page", "signed in");
        (Citizen { id, browser }, card)
    }

    /// Signs in with a new card for `request` in `browser` (which may have visited pages before); returns
    /// the citizen, the card and where the portal sent the browser after signing in.
    pub async fn sign_in_with(
        app: &TestApp,
        browser: &reqwest::Client,
        request: cards::NewCard,
    ) -> (CitizenId, SoftwareCard, String) {
        let (mut card, id) = cards::issue(&app.state.db, &app.ca_dir(), request)
            .await
            .expect("issue");
        let html = browser
            .get(app.url("/sign-in"))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("body");
        let code = &between(&html, "/sign-in/qr/", ".svg")[..8];
        let csrf = between(&html, "name=\"csrf_token\" value=\"", "\"");
        answer_with_card(app, &mut card, code).await;
        let done = browser
            .post(app.url("/sign-in/continue"))
            .form(&[("csrf_token", csrf), ("code", code)])
            .send()
            .await
            .expect("continue");
        let location = done.headers()["location"]
            .to_str()
            .expect("location")
            .to_owned();
        (id, card, location)
    }

    pub async fn get(&self, app: &TestApp, path: &str) -> Page {
        let res = self
            .browser
            .get(app.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        Page {
            status: res.status(),
            headers: res.headers().clone(),
            bytes: res.bytes().await.expect("body").to_vec(),
        }
    }

    /// The page at `path`, which must answer `status`.
    pub async fn html(&self, app: &TestApp, path: &str, status: StatusCode) -> String {
        let page = self.get(app, path).await;
        assert_eq!(page.status, status, "GET {path}");
        page.text()
    }

    /// Switches this browser to English, as the header's language link does.
    pub async fn use_english(&self, app: &TestApp) {
        self.get(app, "/language/en?next=/").await;
    }
}

/// Answers the challenge `code` with `card` (PIN 1234), as the card app does: what to sign comes from the
/// portal, the signature goes back to it.
pub async fn answer_with_card(app: &TestApp, card: &mut SoftwareCard, code: &str) {
    let challenge: Value = app
        .get(&format!("/card/challenge/{code}"))
        .await
        .json()
        .await
        .expect("challenge");
    let message = challenge["message"].as_str().expect("message");
    let signature = card.sign_auth("1234", message.as_bytes()).expect("sign");
    use base64::Engine;
    let encode = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let answered = app
        .client
        .post(app.url("/card/response"))
        .json(&serde_json::json!({
            "code": code,
            "certificate": encode(card.auth_certificate_der()),
            "signature": encode(&signature),
        }))
        .send()
        .await
        .expect("answer");
    assert_eq!(answered.status(), StatusCode::OK);
}

/// A response to a form, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("form has a csrf_token field") + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}

/// Posts `fields` to `path` from the citizen's browser, with the CSRF token of the form on `form_page`.
pub async fn post(
    app: &TestApp,
    citizen: &Citizen,
    form_page: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> Answer {
    let page = citizen.get(app, form_page).await;
    let token = csrf_of(&page.text());
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    let res = citizen
        .browser
        .post(app.url(path))
        .form(&all)
        .send()
        .await
        .expect("POST");
    Answer {
        status: res.status(),
        headers: res.headers().clone(),
        body: res.text().await.expect("body"),
    }
}

/// As [`post`], as `multipart/form-data` the way a browser posts a form with file inputs: `files` are
/// (input name, file name, bytes); a file input left empty is ("name", "", no bytes).
pub async fn post_files(
    app: &TestApp,
    citizen: &Citizen,
    form_page: &str,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Answer {
    let page = citizen.get(app, form_page).await;
    let token = csrf_of(&page.text());
    post_multipart(citizen, &app.url(path), &token, fields, files).await
}

/// A multipart post with the CSRF token `token` (right or not).
pub async fn post_multipart(
    citizen: &Citizen,
    url: &str,
    token: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Answer {
    let mut form = reqwest::multipart::Form::new().text("csrf_token", token.to_owned());
    for (name, value) in fields {
        form = form.text((*name).to_owned(), (*value).to_owned());
    }
    for (name, file_name, bytes) in files {
        let part = reqwest::multipart::Part::bytes(bytes.to_vec())
            .file_name((*file_name).to_owned())
            .mime_str("application/octet-stream")
            .expect("mime");
        form = form.part((*name).to_owned(), part);
    }
    let res = citizen
        .browser
        .post(url)
        .multipart(form)
        .send()
        .await
        .expect("POST");
    Answer {
        status: res.status(),
        headers: res.headers().clone(),
        body: res.text().await.expect("body"),
    }
}

/// The agency registry (千代田区, 国税庁, 日本年金機構…), by code.
pub async fn registry(app: &TestApp) -> HashMap<String, AgencyId> {
    app.state
        .db
        .run(agencies::ensure_registry)
        .await
        .expect("registry")
        .into_iter()
        .map(|a: Agency| (a.code, a.id))
        .collect()
}

/// A record of `category` with `fields` (a JSON object) from `agency`, last updated on `updated_on`.
pub fn record(
    citizen: CitizenId,
    agency: AgencyId,
    category: &str,
    updated_on: &str,
    fields: Value,
) -> Record {
    Record {
        id: RecordId::new(),
        citizen_id: citizen,
        agency_id: agency,
        category: category.to_owned(),
        external_id: RecordId::new().to_string(),
        data: fields.to_string(),
        updated_on: updated_on.to_owned(),
        published_at: now_millis(),
    }
}

pub async fn insert_records(app: &TestApp, rows: Vec<Record>) {
    app.state
        .db
        .run(move |c| Record::insert_bulk(c, &rows))
        .await
        .expect("insert records");
}

/// A prescription dispensed on `day` of April 2026.
pub fn prescription(citizen: CitizenId, agency: AgencyId, day: u32, drug: &str) -> Record {
    let date = format!("2026-04-{day:02}");
    record(
        citizen,
        agency,
        "prescriptions",
        &date,
        serde_json::json!({
            "dispensed_on": date, "pharmacy": "永田町薬局", "drug": drug, "quantity": "21錠",
            "days": "7",
        }),
    )
}

/// A read by an agency for a task: `at` in milliseconds.
pub fn agency_read(
    citizen: CitizenId,
    at: i64,
    requester: (&str, &str),
    providers: &[&str],
    items: &[&str],
    task: &str,
) -> NewLinkage {
    NewLinkage {
        citizen_id: citizen,
        at,
        requester_kind: "agency".to_owned(),
        requester_id: requester.0.to_owned(),
        requester_name: requester.1.to_owned(),
        providers: providers.iter().map(|s| (*s).to_owned()).collect(),
        items: items.iter().map(|s| (*s).to_owned()).collect(),
        task_code: task.to_owned(),
        purpose: String::new(),
        result: "provided".to_owned(),
        withheld: false,
    }
}

pub async fn append_history(app: &TestApp, rows: Vec<NewLinkage>) {
    app.state
        .db
        .run(move |c| {
            for row in rows {
                LinkageRecord::append(c, row)?;
            }
            Ok(())
        })
        .await
        .expect("append history");
}

/// Milliseconds at `hh:mm` on a day in Japan.
pub fn japan(date: time::Date, hour: i64, minute: i64) -> i64 {
    portal_server::services::history::japan_midnight_millis(date) + (hour * 60 + minute) * 60_000
}

/// How often `needle` occurs in `haystack`.
pub fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

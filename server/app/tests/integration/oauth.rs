//! The authorization server for private apps, attacked the ways RFC 6749 §10, RFC 6819 and RFC 9700 list:
//! codes replayed or exchanged by another client, PKCE skipped or downgraded, redirect URIs bent, refresh
//! tokens replayed, scopes widened, tokens of one app used by another. Each is refused with the RFC's
//! error code and status, and no answer leaks a token.

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_server::services::apps::{self, NewApp};
use portal_server::services::oauth::{ACCESS_PREFIX, AppPrincipal};
use portal_storage::ids::{AgencyId, CitizenId};
use portal_storage::models::consent::{ACCESS, AppConsent, AppToken};
use portal_storage::models::record::Record;
use portal_storage::schema::app_consents;
use portal_storage::{Kv, now_millis};
use rand::Rng;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::agency::{setup, token};
use crate::common::{Options, TestApp};
use crate::own_data::{
    Answer, Citizen, Page, between, browser, card_request, insert_records, prescription, record,
    registry,
};

const REDIRECT: &str = "https://phr.example.jp/callback";
/// Also registered for every app here: a redirect URI the app owns but did not use.
const LOOPBACK: &str = "http://127.0.0.1:53682/callback";
const OPERATOR: &str = "株式会社ヘルスレコード";
const PURPOSE: &str = "健診結果と処方薬を時系列で表示し、ご自身の健康管理に役立てます。";

/// A test app on the database's key-value store, or on Redis when REDIS_URL is set (codes and access
/// tokens live there).
async fn start() -> TestApp {
    let kv = portal_testkit::redis_url().map(|url| {
        let prefix = format!("{}:", portal_testkit::unique_name("test"));
        Kv::redis(&url, &prefix).expect("redis")
    });
    TestApp::start_with(Options {
        kv,
        ..Options::default()
    })
    .await
}

/// A registered private app: its client id, a confidential app's secret, and its name.
struct PrivateApp {
    id: String,
    secret: Option<String>,
    name: String,
}

impl PrivateApp {
    fn basic(&self) -> Option<(&str, &str)> {
        self.secret.as_deref().map(|s| (self.id.as_str(), s))
    }
}

async fn register(app: &TestApp, name: &str, confidential: bool, scopes: &[&str]) -> PrivateApp {
    let registered = apps::register(
        &app.state,
        NewApp {
            name: name.to_owned(),
            operator: OPERATOR.to_owned(),
            purpose: PURPOSE.to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            redirect_uris: vec![REDIRECT.to_owned(), LOOPBACK.to_owned()],
            confidential,
        },
    )
    .await
    .expect("register")
    .expect("a valid app");
    assert_eq!(registered.client_secret.is_some(), confidential);
    PrivateApp {
        id: registered.app.client_id,
        secret: registered.client_secret,
        name: name.to_owned(),
    }
}

async fn confidential(app: &TestApp, name: &str, scopes: &[&str]) -> PrivateApp {
    register(app, name, true, scopes).await
}

async fn public(app: &TestApp, name: &str, scopes: &[&str]) -> PrivateApp {
    register(app, name, false, scopes).await
}

/// A PKCE pair (RFC 7636 §4.1–4.2): a random verifier of unreserved characters and its S256 challenge.
struct Pkce {
    verifier: String,
    challenge: String,
}

const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

fn random_text(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(UNRESERVED[rng.random_range(0..UNRESERVED.len())]))
        .collect()
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Pkce {
    fn new() -> Pkce {
        Pkce::with_verifier(random_text(64))
    }

    fn with_verifier(verifier: String) -> Pkce {
        let challenge = s256(&verifier);
        Pkce {
            verifier,
            challenge,
        }
    }
}

/// A state value that needs escaping both in a URL and in HTML, so its round trip is tested too.
fn new_state() -> String {
    format!("{}&x=<\"'> /", random_text(16))
}

/// An authorization request as an app builds it.
fn request(client: &PrivateApp, scope: &str, state: &str, pkce: &Pkce) -> Vec<(String, String)> {
    [
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
        ("state", state),
        ("code_challenge", pkce.challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect()
}

/// `params` with `name` set to `value`, or left out when `value` is None.
fn with(params: &[(String, String)], name: &str, value: Option<&str>) -> Vec<(String, String)> {
    let mut changed: Vec<(String, String)> =
        params.iter().filter(|(n, _)| n != name).cloned().collect();
    if let Some(value) = value {
        changed.push((name.to_owned(), value.to_owned()));
    }
    changed
}

fn authorize_path(params: &[(String, String)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    format!("/oauth/authorize?{query}")
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// What a page's `&…;` references stand for.
fn unescape(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after.find(';').expect("a character reference ends with ;");
        let name = &after[..end];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).expect("hex reference"),
                    None => name
                        .strip_prefix('#')
                        .expect("numeric reference")
                        .parse()
                        .expect("decimal reference"),
                };
                char::from_u32(code).expect("a character")
            }
        };
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The hidden fields of the page's form, as a browser would post them.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let marker = "<input type=\"hidden\" name=\"";
    let mut fields = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(marker) {
        rest = &rest[at + marker.len()..];
        let name_end = rest.find('"').expect("name ends");
        let name = unescape(&rest[..name_end]);
        let value = between(rest, "value=\"", "\"");
        fields.push((name, unescape(value)));
    }
    fields
}

/// The authorization request, as the citizen's browser opens it.
async fn open(app: &TestApp, citizen: &Citizen, params: &[(String, String)]) -> Page {
    citizen.get(app, &authorize_path(params)).await
}

/// Posts the consent page's form back with `decision`, as the citizen pressing that button.
async fn decide(
    app: &TestApp,
    citizen: &Citizen,
    fields: &[(String, String)],
    decision: &str,
) -> Answer {
    let mut form = fields.to_vec();
    form.push(("decision".to_owned(), decision.to_owned()));
    let res = citizen
        .browser
        .post(app.url("/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .expect("POST /oauth/authorize");
    Answer {
        status: res.status(),
        headers: res.headers().clone(),
        body: res.text().await.expect("body"),
    }
}

/// The query of a redirect back to the app, which must go to exactly `redirect_uri`.
fn back_at(location: &str, redirect_uri: &str) -> Vec<(String, String)> {
    let (base, query) = location
        .split_once('?')
        .unwrap_or_else(|| panic!("a query in {location}"));
    assert_eq!(base, redirect_uri, "sent back to the redirect URI used");
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect()
}

/// A redirect back to the app with `error` (and the state when `state` is given).
#[track_caller]
fn assert_redirected_error(status: StatusCode, location: &str, error: &str, state: Option<&str>) {
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let query = back_at(location, REDIRECT);
    assert_eq!(param(&query, "error"), Some(error), "{location}");
    assert_eq!(param(&query, "state"), state, "{location}");
    assert_eq!(param(&query, "code"), None, "no code with an error");
}

/// The whole authorization: the consent page, approve, and the code from the redirect (whose state must
/// be the one sent).
async fn authorize(app: &TestApp, citizen: &Citizen, params: &[(String, String)]) -> String {
    let page = open(app, citizen, params).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let answer = decide(app, citizen, &hidden_fields(&page.text()), "approve").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let redirect_uri = param(params, "redirect_uri").expect("redirect_uri");
    let query = back_at(answer.location(), redirect_uri);
    assert_eq!(
        param(&query, "state"),
        param(params, "state"),
        "state comes back unchanged"
    );
    assert_eq!(param(&query, "error"), None);
    param(&query, "code").expect("a code").to_owned()
}

/// An answer of the token, revocation or introspection endpoint.
struct TokenAnswer {
    status: u16,
    /// `WWW-Authenticate`, when sent.
    challenge: Option<String>,
    /// The JSON body (null when empty).
    body: Value,
}

impl TokenAnswer {
    fn error(&self) -> Option<&str> {
        self.body["error"].as_str()
    }
}

/// Form values that are secrets: no answer may repeat them.
const SECRET_PARAMS: &[&str] = &[
    "code",
    "code_verifier",
    "refresh_token",
    "token",
    "client_secret",
];

/// Posts `form` to an OAuth endpoint (HTTP Basic with `basic`), and checks what every answer must be:
/// never cached; an error is `error` and `error_description` only, repeats no secret and carries no token;
/// `invalid_client` is 401, with a Basic challenge when Basic was tried.
async fn oauth_post(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> TokenAnswer {
    let mut req = app.client.post(app.url(path)).form(form);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    let res = req.send().await.expect("POST");
    let status = res.status().as_u16();
    assert_eq!(
        res.headers().get("cache-control").map(|v| v.as_bytes()),
        Some(&b"no-store"[..]),
        "{path} answers are never cached"
    );
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().expect("ascii").to_owned());
    let text = res.text().await.expect("body");
    let body: Value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
    };
    if status != 200 {
        let keys: BTreeSet<&str> = body
            .as_object()
            .unwrap_or_else(|| panic!("an error object: {text}"))
            .keys()
            .map(String::as_str)
            .collect();
        assert!(keys.contains("error"), "{text}");
        assert!(
            keys.is_subset(&BTreeSet::from(["error", "error_description"])),
            "only error and error_description: {text}"
        );
        assert!(
            !text.contains(ACCESS_PREFIX) && !text.contains("mprt_"),
            "no token in an error: {text}"
        );
        for (name, value) in form {
            if SECRET_PARAMS.contains(name) && value.len() >= 8 {
                assert!(!text.contains(value), "{name} repeated in an error: {text}");
            }
        }
        if body["error"] == "invalid_client" {
            assert_eq!(status, 401, "invalid_client is 401: {text}");
            if basic.is_some() {
                assert!(
                    challenge.as_deref().is_some_and(|c| c.starts_with("Basic")),
                    "a Basic challenge after Basic was tried: {challenge:?}"
                );
            }
        } else {
            assert_eq!(status, 400, "{text}");
        }
    }
    TokenAnswer {
        status,
        challenge,
        body,
    }
}

async fn token_request(
    app: &TestApp,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> TokenAnswer {
    oauth_post(app, "/oauth/token", form, basic).await
}

/// Posts `form` to `path` as `client` authenticates by default: HTTP Basic for a confidential app, its
/// `client_id` alone for a public one.
async fn as_client(
    app: &TestApp,
    path: &str,
    client: &PrivateApp,
    form: &[(&str, &str)],
) -> TokenAnswer {
    match client.basic() {
        Some(basic) => oauth_post(app, path, form, Some(basic)).await,
        None => {
            let mut form = form.to_vec();
            form.push(("client_id", &client.id));
            oauth_post(app, path, &form, None).await
        }
    }
}

async fn exchange(app: &TestApp, client: &PrivateApp, code: &str, verifier: &str) -> TokenAnswer {
    as_client(
        app,
        "/oauth/token",
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await
}

async fn refresh(
    app: &TestApp,
    client: &PrivateApp,
    refresh_token: &str,
    scope: Option<&str>,
) -> TokenAnswer {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    as_client(app, "/oauth/token", client, &form).await
}

async fn introspect(app: &TestApp, client: &PrivateApp, token: &str) -> Value {
    let answer = as_client(app, "/oauth/introspect", client, &[("token", token)]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

async fn active(app: &TestApp, client: &PrivateApp, token: &str) -> bool {
    let answer = introspect(app, client, token).await;
    match answer["active"].as_bool() {
        Some(true) => true,
        Some(false) => {
            assert_eq!(
                answer,
                json!({"active": false}),
                "nothing more when inactive"
            );
            false
        }
        None => panic!("no active member: {answer}"),
    }
}

async fn revoke(app: &TestApp, client: &PrivateApp, token: &str) -> u16 {
    as_client(app, "/oauth/revoke", client, &[("token", token)])
        .await
        .status
}

#[track_caller]
fn assert_refused(answer: &TokenAnswer, status: u16, error: &str) {
    assert_eq!(
        (answer.status, answer.error()),
        (status, Some(error)),
        "{}",
        answer.body
    );
}

/// A token pair as the token endpoint issued it.
#[derive(Debug, Clone)]
struct Tokens {
    access: String,
    refresh: String,
    scope: String,
}

#[track_caller]
fn issued(answer: &TokenAnswer) -> Tokens {
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = &answer.body;
    let access = body["access_token"].as_str().expect("access_token");
    let refresh = body["refresh_token"].as_str().expect("refresh_token");
    assert!(access.starts_with("mpat_") && access.len() > 40, "{body}");
    assert!(refresh.starts_with("mprt_") && refresh.len() > 40, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    let expires_in = body["expires_in"].as_u64().expect("expires_in");
    assert!(
        (1..=1800).contains(&expires_in),
        "short-lived: {expires_in}"
    );
    Tokens {
        access: access.to_owned(),
        refresh: refresh.to_owned(),
        scope: body["scope"].as_str().expect("scope").to_owned(),
    }
}

fn scope_set(scope: &str) -> BTreeSet<&str> {
    scope.split(' ').filter(|s| !s.is_empty()).collect()
}

/// Authorizes `client` for `scope` as `citizen` and exchanges the code.
async fn connect(app: &TestApp, citizen: &Citizen, client: &PrivateApp, scope: &str) -> Tokens {
    let pkce = Pkce::new();
    let code = authorize(app, citizen, &request(client, scope, &new_state(), &pkce)).await;
    issued(&exchange(app, client, &code, &pkce.verifier).await)
}

/// The citizen's live consents.
async fn consents(app: &TestApp, citizen: CitizenId) -> Vec<AppConsent> {
    app.state
        .db
        .run(move |c| AppConsent::live_for_citizen(c, citizen, now_millis()))
        .await
        .expect("consents")
        .into_iter()
        .map(|(consent, _)| consent)
        .collect()
}

/// Every consent the citizen ever gave, revoked or not.
async fn all_consents(app: &TestApp, citizen: CitizenId) -> i64 {
    use diesel::prelude::*;
    app.state
        .db
        .run(move |c| {
            let n = portal_storage::with_conn!(c, |c| app_consents::table
                .filter(app_consents::citizen_id.eq(citizen))
                .count()
                .get_result::<i64>(c))?;
            Ok(n)
        })
        .await
        .expect("count consents")
}

/// The revoke form's action for each app on 連携中のサービス.
async fn connected_page(app: &TestApp, citizen: &Citizen) -> String {
    citizen.html(app, "/settings/apps", StatusCode::OK).await
}

const COUNT: &str = "{ me { healthCheckups(first: 20) { totalCount } } }";
const CHECKUPS: &str = "query($first: Int, $after: String) { me { healthCheckups(first: $first, after: $after) { totalCount edges { node { fields updatedOn source { code } } } pageInfo { hasNextPage endCursor } } } }";

/// A GraphQL request with `token` as the bearer token.
async fn api(app: &TestApp, token: &str, query: &str, variables: Value) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("graphql");
    let status = res.status();
    (status, res.json().await.expect("json"))
}

/// The API refuses `token` as RFC 6750 says: 401 with an `invalid_token` challenge, and no data.
async fn assert_api_refused(app: &TestApp, token: &str) {
    let res = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({"query": COUNT}))
        .send()
        .await
        .expect("graphql");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let challenge = res.headers()["www-authenticate"].to_str().expect("ascii");
    assert!(
        challenge.starts_with("Bearer") && challenge.contains("error=\"invalid_token\""),
        "{challenge}"
    );
    let body: Value = res.json().await.expect("json");
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");
}

/// The API answers `token`.
async fn assert_api_answers(app: &TestApp, token: &str) {
    let (status, answer) = api(app, token, COUNT, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(
        answer["data"]["me"]["healthCheckups"]["totalCount"].is_i64(),
        "{answer}"
    );
}

#[actix_web::test]
async fn the_code_flow_issues_short_lived_tokens_to_confidential_and_public_apps() {
    let app = start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let phr = confidential(
        &app,
        "けんこう手帳",
        &["health_checkups", "prescriptions", "medical_expenses"],
    )
    .await;

    // The consent page names the app, who runs it, what for, each item asked for and the 90 days.
    let pkce = Pkce::new();
    let params = request(&phr, "health_checkups prescriptions", &new_state(), &pkce);
    let page = open(&app, &citizen, &params).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for shown in [
        "けんこう手帳",
        OPERATOR,
        PURPOSE,
        "健康診断の結果",
        "薬剤情報（処方された薬）",
        "90日間",
    ] {
        assert!(html.contains(shown), "the consent page shows {shown}");
    }
    assert!(
        !html.contains("医療費の情報"),
        "only the items asked for, not every registered one"
    );
    let csp = page.headers["content-security-policy"]
        .to_str()
        .expect("csp");
    assert!(
        csp.contains("form-action 'self' https://phr.example.jp;"),
        "the form may lead back to the app's origin: {csp}"
    );

    // Approve, then client_secret_basic.
    let answer = decide(&app, &citizen, &hidden_fields(&html), "approve").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let query = back_at(answer.location(), REDIRECT);
    assert_eq!(param(&query, "state"), param(&params, "state"));
    let code = param(&query, "code").expect("code");
    let first = issued(&exchange(&app, &phr, code, &pkce.verifier).await);
    assert_eq!(
        scope_set(&first.scope),
        BTreeSet::from(["health_checkups", "prescriptions"])
    );
    let described = introspect(&app, &phr, &first.access).await;
    assert_eq!(described["active"], true, "{described}");
    assert_eq!(described["client_id"], phr.id.as_str());
    assert_eq!(
        scope_set(described["scope"].as_str().expect("scope")),
        scope_set(&first.scope)
    );
    let stored = consents(&app, citizen.id).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].scope_codes().len(), 2);

    // client_secret_post; a new consent to the same app replaces the earlier one and its tokens.
    let pkce = Pkce::new();
    let code = authorize(
        &app,
        &citizen,
        &request(&phr, "health_checkups", &new_state(), &pkce),
    )
    .await;
    let secret = phr.secret.as_deref().expect("secret");
    let second = issued(
        &token_request(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &pkce.verifier),
                ("client_id", &phr.id),
                ("client_secret", secret),
            ],
            None,
        )
        .await,
    );
    assert_eq!(second.scope, "health_checkups");
    assert!(active(&app, &phr, &second.access).await);
    assert!(!active(&app, &phr, &first.access).await, "replaced");
    assert_refused(
        &refresh(&app, &phr, &first.refresh, None).await,
        400,
        "invalid_grant",
    );
    assert_eq!(consents(&app, citizen.id).await.len(), 1);

    // A signed-out citizen signs in first and comes back to the same request.
    let browser = browser();
    let pkce = Pkce::new();
    let params = request(&phr, "prescriptions", &new_state(), &pkce);
    let path = authorize_path(&params);
    let res = browser.get(app.url(&path)).send().await.expect("GET");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (id, _, location) =
        Citizen::sign_in_with(&app, &browser, card_request("鈴木 次郎", "スズキ ジロウ")).await;
    assert_eq!(location, path, "back to the authorization request");
    let later = Citizen { id, browser };
    let code = authorize(&app, &later, &params).await;
    issued(&exchange(&app, &phr, &code, &pkce.verifier).await);
    assert_eq!(consents(&app, id).await.len(), 1);

    // A public app: its client_id and PKCE, no secret.
    let pocket = public(&app, "ポケット家計簿", &["medical_expenses"]).await;
    let tokens = connect(&app, &citizen, &pocket, "medical_expenses").await;
    assert!(active(&app, &pocket, &tokens.access).await);

    // A public app that sends a secret, in the form or by Basic, is not authenticated …
    let pkce = Pkce::new();
    let code = authorize(
        &app,
        &citizen,
        &request(&pocket, "medical_expenses", &new_state(), &pkce),
    )
    .await;
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", pkce.verifier.as_str()),
    ];
    let mut posted = grant.to_vec();
    posted.extend([("client_id", pocket.id.as_str()), ("client_secret", secret)]);
    assert_refused(
        &token_request(&app, &posted, None).await,
        401,
        "invalid_client",
    );
    let by_basic = token_request(&app, &grant, Some((&pocket.id, "made-up-secret"))).await;
    assert_refused(&by_basic, 401, "invalid_client");

    // … nor a confidential app that sends none.
    let pkce = Pkce::new();
    let code = authorize(
        &app,
        &citizen,
        &request(&phr, "prescriptions", &new_state(), &pkce),
    )
    .await;
    let no_secret = token_request(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &pkce.verifier),
            ("client_id", &phr.id),
        ],
        None,
    )
    .await;
    assert_refused(&no_secret, 401, "invalid_client");
}

#[actix_web::test]
async fn a_code_used_twice_revokes_every_token_it_gave() {
    let app = start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let phr = confidential(&app, "けんこう手帳", &["health_checkups"]).await;
    let pkce = Pkce::new();
    let code = authorize(
        &app,
        &citizen,
        &request(&phr, "health_checkups", &new_state(), &pkce),
    )
    .await;
    let tokens = issued(&exchange(&app, &phr, &code, &pkce.verifier).await);
    assert!(active(&app, &phr, &tokens.access).await);
    assert!(active(&app, &phr, &tokens.refresh).await);

    assert_api_answers(&app, &tokens.access).await;

    let again = exchange(&app, &phr, &code, &pkce.verifier).await;
    assert_refused(&again, 400, "invalid_grant");
    assert!(!active(&app, &phr, &tokens.access).await, "access revoked");
    assert_api_refused(&app, &tokens.access).await;
    assert!(
        !active(&app, &phr, &tokens.refresh).await,
        "refresh revoked"
    );
    assert_refused(
        &refresh(&app, &phr, &tokens.refresh, None).await,
        400,
        "invalid_grant",
    );
    assert!(consents(&app, citizen.id).await.is_empty());
    let html = connected_page(&app, &citizen).await;
    assert!(!html.contains("けんこう手帳"), "no longer connected");
}

#[actix_web::test]
async fn pkce_is_checked_at_the_token_endpoint_and_a_failed_attempt_burns_the_code() {
    let app = start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let phr = confidential(&app, "けんこう手帳", &["health_checkups"]).await;
    let pkce = Pkce::new();
    let params = request(&phr, "health_checkups", &new_state(), &pkce);

    // No verifier: invalid_request, and the code is gone.
    let code = authorize(&app, &citizen, &params).await;
    let missing = as_client(
        &app,
        "/oauth/token",
        &phr,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_refused(&missing, 400, "invalid_request");
    assert_refused(
        &exchange(&app, &phr, &code, &pkce.verifier).await,
        400,
        "invalid_grant",
    );

    // Another verifier, the challenge itself (as if plain), or a verifier too short for RFC 7636 whose
    // S256 is the challenge: invalid_grant, and each code is gone after.
    let short = Pkce::with_verifier("abc123".to_owned());
    let cases = [
        (&pkce, Pkce::new().verifier),
        (&pkce, pkce.challenge.clone()),
        (&short, short.verifier.clone()),
    ];
    for (pair, wrong) in cases {
        let code = authorize(
            &app,
            &citizen,
            &request(&phr, "health_checkups", &new_state(), pair),
        )
        .await;
        assert_refused(
            &exchange(&app, &phr, &code, &wrong).await,
            400,
            "invalid_grant",
        );
        assert_refused(
            &exchange(&app, &phr, &code, &pair.verifier).await,
            400,
            "invalid_grant",
        );
    }
    // Nothing was issued on any of these.
    let tokens = app
        .state
        .db
        .run(|c| {
            use diesel::prelude::*;
            let n = portal_storage::with_conn!(c, |c| portal_storage::schema::app_tokens::table
                .count()
                .get_result::<i64>(c))?;
            Ok(n)
        })
        .await
        .expect("count tokens");
    assert_eq!(tokens, 0);
}

#[actix_web::test]
async fn an_authorization_request_without_s256_pkce_or_state_goes_back_with_invalid_request() {
    let app = start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let phr = confidential(&app, "けんこう手帳", &["health_checkups"]).await;
    let pkce = Pkce::new();
    let state = new_state();
    let good = request(&phr, "health_checkups", &state, &pkce);

    let cases = [
        (
            "plain",
            with(
                &with(&good, "code_challenge_method", Some("plain")),
                "code_challenge",
                Some(&pkce.verifier[..43]),
            ),
        ),
        (
            "plain, S256-shaped",
            with(&good, "code_challenge_method", Some("plain")),
        ),
        ("no method", with(&good, "code_challenge_method", None)),
        ("no challenge", with(&good, "code_challenge", None)),
        (
            "no PKCE at all",
            with(
                &with(&good, "code_challenge", None),
                "code_challenge_method",
                None,
            ),
        ),
        (
            "a challenge that is no SHA-256",
            with(&good, "code_challenge", Some("too-short")),
        ),
        (
            "state twice",
            [good.clone(), vec![("state".to_owned(), "other".to_owned())]].concat(),
        ),
    ];
    for (case, params) in cases {
        let page = open(&app, &citizen, &params).await;
        let location = page
            .headers
            .get("location")
            .map_or("", |v| v.to_str().expect("location"));
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{case}");
        assert_redirected_error(page.status, location, "invalid_request", Some(&state));
    }

    // Without state there is none to send back.
    let page = open(&app, &citizen, &with(&good, "state", None)).await;
    let location = page.headers["location"].to_str().expect("location");
    assert_redirected_error(page.status, location, "invalid_request", None);
    let page = open(&app, &citizen, &with(&good, "state", Some(""))).await;
    let location = page.headers["location"].to_str().expect("location");
    assert_redirected_error(page.status, location, "invalid_request", None);

    // Implicit grant is not offered.
    let page = open(&app, &citizen, &with(&good, "response_type", Some("token"))).await;
    let location = page.headers["location"].to_str().expect("location");
    assert_redirected_error(
        page.status,
        location,
        "unsupported_response_type",
        Some(&state),
    );

    // The consent form is checked again when posted: a request stripped of PKCE on the way back fails the
    // same way, and no consent is stored.
    let page = open(&app, &citizen, &good).await;
    assert_eq!(page.status, StatusCode::OK);
    let fields = hidden_fields(&page.text());
    let stripped: Vec<(String, String)> = fields
        .into_iter()
        .filter(|(n, _)| n != "code_challenge")
        .collect();
    let answer = decide(&app, &citizen, &stripped, "approve").await;
    assert_redirected_error(
        answer.status,
        answer.location(),
        "invalid_request",
        Some(&state),
    );
    assert_eq!(all_consents(&app, citizen.id).await, 0);
}

#[actix_web::test]
async fn a_redirect_uri_one_character_off_is_never_redirected_to() {
    let app = start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let phr = confidential(&app, "けんこう手帳", &["health_checkups"]).await;
    let pkce = Pkce::new();
    let good = request(&phr, "health_checkups", &new_state(), &pkce);

    for bent in [
        "https://phr.example.jp/callbacK",
        "https://phr.example.jp/callback/",
        "https://phr.example.jp/callbac",
        "https://phr.example.jp/callback?x=1",
        "https://phr.example.jpx/callback",
        "https://phr.example.jp.evil.example/callback",
        "http://phr.example.jp/callback",
        "https://phr.example.jp:443/callback",
        "https://PHR.example.jp/callback",
    ] {
        let page = open(&app, &citizen, &with(&good, "redirect_uri", Some(bent))).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bent}");
        assert!(
            page.headers.get("location").is_none(),
            "{bent}: no redirect"
        );
        assert!(
            page.text().contains("登録された戻り先と一致しません"),
            "{bent}: the citizen is told why"
        );
        assert!(!page.text().contains(bent), "{bent}: no link to it either");
    }
    let page = open(&app, &citizen, &with(&good, "redirect_uri", None)).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.headers.get("location").is_none());
    let twice = [
        good.clone(),
        vec![("redirect_uri".to_owned(), LOOPBACK.to_owned())],
    ]
    .concat();
    let page = open(&app, &citizen, &twice).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "redirect_uri twice");
    assert!(page.headers.get("location").is_none());

    // A consent form whose redirect URI was changed before posting: the same page, no redirect, no code.
    let page = open(&app, &citizen, &good).await;
    let fields: Vec<(String, String)> = hidden_fields(&page.text())
        .into_iter()
        .map(|(n, v)| {
            if n == "redirect_uri" {
                (n, "https://phr.example.jp.evil.example/callback".to_owned())
            } else {
                (n, v)
            }
        })
        .collect();
    let answer = decide(&app, &citizen, &fields, "approve").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.headers.get("location").is_none());
    assert_eq!(all_consents(&app, citizen.id).await, 0);

    // At the token endpoint the redirect URI must be the one the request used, even another registered
    // one; leaving it out is a missing parameter.
    let code = authorize(&app, &citizen, &good).await;
    let other = as_client(
        &app,
        "/oauth/token",
        &phr,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", LOOPBACK),
            ("code_verifier", &pkce.verifier),
        ],
    )
    .await;
    assert_refused(&other, 400, "invalid_grant");
    let code = authorize(&app, &citizen, &good).await;
    let missing = as_client(
        &app,
        "/oauth/token",
        &phr,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", &pkce.verifier),
        ],
    )
    .await;
    assert_refused(&missing, 400, "invalid_request");
    assert_refused(
        &exchange(&app, &phr, &code, &pkce.verifier).await,
        400,
        "invalid_grant",
    );
}

#[actix_web::test]
async fn a_refresh_token_used_twice_revokes_the_whole_family() {
    let app = start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let phr = confidential(&app, "けんこう手帳", &["health_checkups"]).await;
    let first = connect(&app, &citizen, &phr, "health_checkups").await;

    let second = issued(&refresh(&app, &phr, &first.refresh, None).await);
    assert_api_answers(&app, &second.access).await;
    assert_ne!(second.access, first.access);
    assert_ne!(second.refresh, first.refresh);
    assert_eq!(second.scope, "health_checkups");
    assert!(active(&app, &phr, &second.access).await);
    assert!(active(&app, &phr, &second.refresh).await);
    assert!(!active(&app, &phr, &first.refresh).await, "spent");
    assert!(
        connected_page(&app, &citizen)
            .await
            .contains("けんこう手帳")
    );

    // The spent token again: refused, and every token of the consent with it.
    assert_refused(
        &refresh(&app, &phr, &first.refresh, None).await,
        400,
        "invalid_grant",
    );
    assert_refused(
        &refresh(&app, &phr, &second.refresh, None).await,
        400,
        "invalid_grant",
    );
    assert!(!active(&app, &phr, &second.access).await);
    assert!(!active(&app, &phr, &second.refresh).await);
    assert_api_refused(&app, &second.access).await;
    assert_api_refused(&app, &first.access).await;
    assert!(!active(&app, &phr, &first.access).await);
    assert!(consents(&app, citizen.id).await.is_empty());
    let html = connected_page(&app, &citizen).await;
    assert!(!html.contains("けんこう手帳"), "no longer connected");
    assert!(html.contains("連携中のサービスはありません。"));
}

#[actix_web::test]
async fn scopes_never_grow_beyond_the_registration_or_the_consent() {
    let app = start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let phr = confidential(&app, "けんこう手帳", &["health_checkups", "prescriptions"]).await;
    let pkce = Pkce::new();
    let state = new_state();

    for scope in [
        "health_checkups income_tax",
        "my_number",
        "health_checkups HEALTH_CHECKUPS",
        "",
        " ",
    ] {
        let page = open(&app, &citizen, &request(&phr, scope, &state, &pkce)).await;
        let location = page
            .headers
            .get("location")
            .map_or("", |v| v.to_str().expect("location"));
        assert_redirected_error(page.status, location, "invalid_scope", Some(&state));
    }
    assert_eq!(all_consents(&app, citizen.id).await, 0);

    // Consent to one of the two; a refresh may narrow, never widen.
    let tokens = connect(&app, &citizen, &phr, "health_checkups").await;
    for wider in [
        "health_checkups prescriptions",
        "prescriptions",
        "income_tax",
        "my_number",
    ] {
        assert_refused(
            &refresh(&app, &phr, &tokens.refresh, Some(wider)).await,
            400,
            "invalid_scope",
        );
    }
    // The refused attempts did not spend the token.
    let same = issued(&refresh(&app, &phr, &tokens.refresh, Some("health_checkups")).await);
    assert_eq!(same.scope, "health_checkups");

    let both = connect(&app, &citizen, &phr, "prescriptions health_checkups").await;
    let narrower = issued(&refresh(&app, &phr, &both.refresh, Some("prescriptions")).await);
    assert_eq!(narrower.scope, "prescriptions");
    let described = introspect(&app, &phr, &narrower.access).await;
    assert_eq!(described["scope"], "prescriptions");
    // The consent itself keeps both: the next refresh may ask for both again.
    let again = issued(&refresh(&app, &phr, &narrower.refresh, None).await);
    assert_eq!(
        scope_set(&again.scope),
        BTreeSet::from(["health_checkups", "prescriptions"])
    );
}

#[actix_web::test]
async fn one_apps_credentials_codes_and_tokens_are_useless_to_another() {
    let app = start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let a = confidential(&app, "けんこう手帳", &["health_checkups"]).await;
    let b = confidential(&app, "くすり帳", &["health_checkups"]).await;
    let b_secret = b.secret.as_deref().expect("secret");

    let pkce = Pkce::new();
    let code = authorize(
        &app,
        &citizen,
        &request(&a, "health_checkups", &new_state(), &pkce),
    )
    .await;
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", pkce.verifier.as_str()),
    ];
    // A's id with B's secret, by Basic and in the form.
    let mixed = token_request(&app, &grant, Some((&a.id, b_secret))).await;
    assert_refused(&mixed, 401, "invalid_client");
    assert!(mixed.challenge.is_some());
    let mut posted = grant.to_vec();
    posted.extend([("client_id", a.id.as_str()), ("client_secret", b_secret)]);
    assert_refused(
        &token_request(&app, &posted, None).await,
        401,
        "invalid_client",
    );
    // Basic for one app, client_id of another in the form.
    let mut posted = grant.to_vec();
    posted.push(("client_id", a.id.as_str()));
    let two = token_request(&app, &posted, b.basic()).await;
    assert_refused(&two, 400, "invalid_request");

    // B, with its own valid credentials, presents A's code: refused.
    assert_refused(
        &exchange(&app, &b, &code, &pkce.verifier).await,
        400,
        "invalid_grant",
    );

    // A's refresh token presented by B is refused and stays A's.
    let tokens = connect(&app, &citizen, &a, "health_checkups").await;
    assert_refused(
        &refresh(&app, &b, &tokens.refresh, None).await,
        400,
        "invalid_grant",
    );
    assert!(active(&app, &a, &tokens.refresh).await);
    issued(&refresh(&app, &a, &tokens.refresh, None).await);
}

#[actix_web::test]
async fn an_expired_access_token_is_not_active() {
    let app = start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let phr = confidential(&app, "けんこう手帳", &["health_checkups"]).await;
    connect(&app, &citizen, &phr, "health_checkups").await;
    let consent = consents(&app, citizen.id).await.remove(0);
    let app_id = consent.app_id;

    // Two tokens stored as the server stores them, one whose time is up but is still in the store (as in
    // a store that expires keys late), one live.
    let now = now_millis();
    let mut made = Vec::new();
    for (name, expires_at) in [("expired", now - 1_000), ("live", now + 60_000)] {
        let token = format!("{ACCESS_PREFIX}{name}{}", random_text(32));
        let hash = hex::encode(Sha256::digest(token.as_bytes()));
        let principal = AppPrincipal {
            consent_id: consent.id,
            citizen_id: citizen.id,
            app_id,
            client_id: phr.id.clone(),
            app_name: phr.name.clone(),
            operator: OPERATOR.to_owned(),
            purpose: PURPOSE.to_owned(),
            scopes: vec!["health_checkups".to_owned()],
            issued_at: now - 900_000,
            expires_at,
        };
        app.state
            .kv
            .put(
                &format!("app-token:{hash}"),
                &serde_json::to_string(&principal).expect("json"),
                std::time::Duration::from_secs(600),
            )
            .await
            .expect("put");
        let row = AppToken {
            token_hash: hash,
            consent_id: consent.id,
            kind: ACCESS.to_owned(),
            issued_at: now - 900_000,
            expires_at,
            spent_at: None,
        };
        app.state
            .db
            .run(move |c| AppToken::insert_many(c, &[row]))
            .await
            .expect("token row");
        made.push(token);
    }
    assert!(!active(&app, &phr, &made[0]).await, "expired");
    assert!(active(&app, &phr, &made[1]).await, "live");

    assert_api_refused(&app, &made[0]).await;
    let (status, answer) = api(&app, &made[1], COUNT, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["data"]["me"]["healthCheckups"]["totalCount"], 0);
}

#[actix_web::test]
async fn the_citizen_revokes_a_consent_on_connected_apps() {
    let app = start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let other = Citizen::sign_in(&app, "佐藤 一郎").await;
    let phr = confidential(&app, "けんこう手帳", &["health_checkups"]).await;
    let tokens = connect(&app, &citizen, &phr, "health_checkups").await;

    let html = connected_page(&app, &citizen).await;
    assert!(html.contains("けんこう手帳") && html.contains("健康診断の結果"));
    let consent = consents(&app, citizen.id).await.remove(0);
    let action = format!("/settings/apps/{}/revoke", consent.id);
    assert!(html.contains(&action), "a revoke button for the consent");
    let csrf = between(&html, "name=\"csrf_token\" value=\"", "\"").to_owned();

    // Another citizen, with a valid form of their own, cannot revoke it; it is not theirs to see.
    let theirs = connected_page(&app, &other).await;
    assert!(!theirs.contains("けんこう手帳"));
    let other_csrf = between(&theirs, "name=\"csrf_token\" value=\"", "\"").to_owned();
    let res = other
        .browser
        .post(app.url(&action))
        .form(&[("csrf_token", other_csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A forged post without the token (or with a made-up one) is refused.
    for fields in [
        vec![],
        vec![("csrf_token", "forged-token-forged-token-forged-token-xx")],
    ] {
        let res = citizen
            .browser
            .post(app.url(&action))
            .form(&fields)
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    assert!(active(&app, &phr, &tokens.access).await, "still connected");
    assert_api_answers(&app, &tokens.access).await;

    let res = citizen
        .browser
        .post(app.url(&action))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().expect("location");
    assert!(
        location.starts_with("/settings/apps?revoked="),
        "{location}"
    );
    let html = citizen.html(&app, location, StatusCode::OK).await;
    assert!(
        html.contains("けんこう手帳 との連携を解除しました"),
        "the banner"
    );
    assert!(!html.contains(&action), "no longer listed");
    assert!(html.contains("連携中のサービスはありません。"));

    assert_refused(
        &refresh(&app, &phr, &tokens.refresh, None).await,
        400,
        "invalid_grant",
    );
    assert!(!active(&app, &phr, &tokens.access).await);
    assert!(!active(&app, &phr, &tokens.refresh).await);
    assert_api_refused(&app, &tokens.access).await;

    // Revoking again finds nothing.
    let res = citizen
        .browser
        .post(app.url(&action))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn an_app_revokes_only_its_own_tokens_and_learns_nothing_of_others() {
    let app = start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let a = confidential(&app, "けんこう手帳", &["health_checkups"]).await;
    let b = public(&app, "くすり帳", &["prescriptions"]).await;
    let a_tokens = connect(&app, &citizen, &a, "health_checkups").await;
    let b_tokens = connect(&app, &citizen, &b, "prescriptions").await;

    // B cannot revoke A's tokens (the answer is the same 200) and learns nothing about them.
    for token in [&a_tokens.access, &a_tokens.refresh] {
        assert_eq!(revoke(&app, &b, token).await, 200);
        assert_eq!(
            introspect(&app, &b, token).await,
            json!({"active": false}),
            "nothing about another app's token"
        );
        assert!(active(&app, &a, token).await, "A's token is still live");
    }
    assert_eq!(revoke(&app, &b, "mprt_no-such-token").await, 200);
    assert_eq!(
        introspect(&app, &b, "mpat_no-such-token").await,
        json!({"active": false})
    );

    // Wrong credentials are invalid_client at both endpoints.
    for path in ["/oauth/revoke", "/oauth/introspect"] {
        let answer = oauth_post(
            &app,
            path,
            &[("token", &a_tokens.access)],
            Some((&a.id, "wrong-secret")),
        )
        .await;
        assert_refused(&answer, 401, "invalid_client");
        assert!(answer.challenge.is_some());
    }
    assert!(active(&app, &a, &a_tokens.access).await);

    // B revokes its own access token: that one ends, its refresh token lives on.
    assert_eq!(revoke(&app, &b, &b_tokens.access).await, 200);
    assert!(!active(&app, &b, &b_tokens.access).await);
    assert_api_refused(&app, &b_tokens.access).await;
    assert!(active(&app, &b, &b_tokens.refresh).await);
    let b_next = issued(&refresh(&app, &b, &b_tokens.refresh, None).await);

    // A revokes its refresh token: the consent ends, with its access token.
    assert_eq!(revoke(&app, &a, &a_tokens.refresh).await, 200);
    assert!(!active(&app, &a, &a_tokens.access).await);
    assert!(!active(&app, &a, &a_tokens.refresh).await);
    assert_api_refused(&app, &a_tokens.access).await;
    assert_refused(
        &refresh(&app, &a, &a_tokens.refresh, None).await,
        400,
        "invalid_grant",
    );
    let html = connected_page(&app, &citizen).await;
    assert!(!html.contains("けんこう手帳"));
    assert!(html.contains("くすり帳"), "B's consent is untouched");
    assert!(active(&app, &b, &b_next.access).await);
}

#[actix_web::test]
async fn the_metadata_names_the_endpoints_and_only_s256() {
    let app = start().await;
    let res = app.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(res.status(), StatusCode::OK);
    let meta: Value = res.json().await.expect("json");
    let issuer = app.state.config.public_url();
    let issuer = issuer.trim_end_matches('/');
    assert_eq!(meta["issuer"], issuer);
    for (key, path) in [
        ("authorization_endpoint", "/oauth/authorize"),
        ("token_endpoint", "/oauth/token"),
        ("revocation_endpoint", "/oauth/revoke"),
        ("introspection_endpoint", "/oauth/introspect"),
    ] {
        assert_eq!(meta[key], format!("{issuer}{path}"), "{key}");
    }
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(meta["response_types_supported"], json!(["code"]));
    let grants: Vec<&str> = meta["grant_types_supported"]
        .as_array()
        .expect("grant types")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(grants.contains(&"authorization_code") && grants.contains(&"refresh_token"));
    assert!(!grants.contains(&"implicit") && !grants.contains(&"password"));
    let scopes = meta["scopes_supported"].as_array().expect("scopes");
    assert!(scopes.contains(&json!("health_checkups")));
}

#[actix_web::test]
async fn a_denial_goes_back_with_access_denied_and_stores_nothing() {
    let app = start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let phr = confidential(&app, "けんこう手帳", &["health_checkups"]).await;
    let state = new_state();
    let params = request(&phr, "health_checkups", &state, &Pkce::new());
    let page = open(&app, &citizen, &params).await;
    let fields = hidden_fields(&page.text());

    let answer = decide(&app, &citizen, &fields, "deny").await;
    assert_redirected_error(
        answer.status,
        answer.location(),
        "access_denied",
        Some(&state),
    );
    assert_eq!(all_consents(&app, citizen.id).await, 0);

    // An approval forged from another site (no CSRF token) is refused and stores nothing.
    let forged: Vec<(String, String)> = fields
        .iter()
        .filter(|(n, _)| n != "csrf_token")
        .cloned()
        .collect();
    let answer = decide(&app, &citizen, &forged, "approve").await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.headers.get("location").is_none());
    // Neither button: asked again, nothing stored.
    let answer = decide(&app, &citizen, &fields, "maybe").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(all_consents(&app, citizen.id).await, 0);
}

#[actix_web::test]
async fn malformed_requests_are_refused_without_redirecting_or_issuing() {
    let app = start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let phr = confidential(&app, "けんこう手帳", &["health_checkups"]).await;
    let pkce = Pkce::new();
    let good = request(&phr, "health_checkups", &new_state(), &pkce);

    for client_id in [Some("app-unknown"), None, Some("")] {
        let page = open(&app, &citizen, &with(&good, "client_id", client_id)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{client_id:?}");
        assert!(page.headers.get("location").is_none());
        assert!(page.text().contains("登録されていないか"), "{client_id:?}");
    }
    // Not even a signed-out browser is sent anywhere but this page.
    let res = app
        .get(&authorize_path(&with(
            &good,
            "client_id",
            Some("app-unknown"),
        )))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let code = authorize(&app, &citizen, &good).await;
    let repeated = as_client(
        &app,
        "/oauth/token",
        &phr,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code", "another-code"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &pkce.verifier),
        ],
    )
    .await;
    assert_refused(&repeated, 400, "invalid_request");
    let password = as_client(
        &app,
        "/oauth/token",
        &phr,
        &[
            ("grant_type", "password"),
            ("username", "山田 花子"),
            ("password", "1234"),
        ],
    )
    .await;
    assert_refused(&password, 400, "unsupported_grant_type");
    let implicit = as_client(&app, "/oauth/token", &phr, &[("grant_type", "implicit")]).await;
    assert_refused(&implicit, 400, "unsupported_grant_type");
    let none = as_client(&app, "/oauth/token", &phr, &[("code", &code)]).await;
    assert_refused(&none, 400, "invalid_request");
    // An app's credentials do not get a client-credentials token.
    let machine = as_client(
        &app,
        "/oauth/token",
        &phr,
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_refused(&machine, 400, "unauthorized_client");
    // A JSON body is not a token request.
    let res = app
        .client
        .post(app.url("/oauth/token"))
        .basic_auth(&phr.id, phr.secret.as_deref())
        .json(&json!({"grant_type": "authorization_code", "code": code}))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // The code survived all of this (none of these requests was an exchange of it).
    issued(&exchange(&app, &phr, &code, &pkce.verifier).await);
}

fn checkup(citizen: CitizenId, agency: AgencyId, on: &str, owner: &str, n: u32) -> Record {
    record(
        citizen,
        agency,
        "health_checkups",
        on,
        json!({"examined_on": on, "owner": owner, "n": n}),
    )
}

/// The (owner, n) of each record of a page, in order.
fn owners(page: &Value) -> Vec<(String, u64)> {
    page["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let fields = &e["node"]["fields"];
            (
                fields["owner"].as_str().expect("owner").to_owned(),
                fields["n"].as_u64().expect("n"),
            )
        })
        .collect()
}

async fn checkups(app: &TestApp, token: &str, first: i64, after: Option<&str>) -> Value {
    let (status, answer) = api(
        app,
        token,
        CHECKUPS,
        json!({"first": first, "after": after}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"]["me"]["healthCheckups"].clone()
}

#[actix_web::test]
async fn an_apps_token_reads_its_citizens_records_only_within_the_consented_scopes() {
    let app = start().await;
    let a = Citizen::sign_in(&app, "山田 花子").await;
    let b = Citizen::sign_in(&app, "佐藤 一郎").await;
    let phr = confidential(&app, "けんこう手帳", &["health_checkups", "prescriptions"]).await;
    let agencies = registry(&app).await;
    let chiyoda = agencies["131016"];
    insert_records(
        &app,
        vec![
            checkup(a.id, chiyoda, "2026-04-01", "A", 1),
            checkup(a.id, chiyoda, "2026-05-01", "A", 2),
            checkup(a.id, chiyoda, "2026-05-01", "A", 3),
            checkup(b.id, chiyoda, "2026-06-01", "B", 4),
            checkup(b.id, chiyoda, "2026-03-01", "B", 5),
            prescription(a.id, chiyoda, 2, "ロキソプロフェン錠"),
        ],
    )
    .await;
    let a_tokens = connect(&app, &a, &phr, "health_checkups").await;
    let b_tokens = connect(&app, &b, &phr, "health_checkups prescriptions").await;

    // A's token: A's three records, newest first, each with its source.
    let all = checkups(&app, &a_tokens.access, 20, None).await;
    assert_eq!(all["totalCount"], 3, "{all}");
    assert_eq!(all["pageInfo"]["hasNextPage"], false);
    let listed = owners(&all);
    assert!(listed.iter().all(|(owner, _)| owner == "A"), "{listed:?}");
    assert_eq!(listed.last().map(|(_, n)| *n), Some(1), "oldest last");
    let dates: Vec<&str> = all["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["updatedOn"].as_str().expect("updatedOn"))
        .collect();
    assert_eq!(dates, ["2026-05-01", "2026-05-01", "2026-04-01"]);
    assert_eq!(all["edges"][0]["node"]["source"]["code"], "131016");

    // Page by page: the same three, once each, and still only A's.
    let first = checkups(&app, &a_tokens.access, 2, None).await;
    assert_eq!(first["totalCount"], 3);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let cursor = first["pageInfo"]["endCursor"].as_str().expect("cursor");
    let rest = checkups(&app, &a_tokens.access, 2, Some(cursor)).await;
    assert_eq!(rest["totalCount"], 3);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    let paged: Vec<(String, u64)> = [owners(&first), owners(&rest)].concat();
    assert_eq!(paged, listed);

    // B's token: B's two; B's cursor in A's hands still reads only A's records.
    let b_all = checkups(&app, &b_tokens.access, 1, None).await;
    assert_eq!(b_all["totalCount"], 2);
    assert_eq!(owners(&b_all), [("B".to_owned(), 4)]);
    let b_cursor = b_all["pageInfo"]["endCursor"].as_str().expect("cursor");
    let crossed = checkups(&app, &a_tokens.access, 20, Some(b_cursor)).await;
    assert!(
        owners(&crossed).iter().all(|(owner, _)| owner == "A"),
        "{crossed}"
    );

    // A scope the consent lacks is an error coded FORBIDDEN, not an empty answer.
    let (status, refused) = api(
        &app,
        &a_tokens.access,
        "{ me { prescriptions(first: 20) { totalCount edges { node { fields } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    assert_eq!(refused["errors"][0]["path"], json!(["me", "prescriptions"]));
    assert!(refused["data"]["me"].is_null(), "{refused}");
    assert!(!refused.to_string().contains("ロキソプロフェン"));

    // A token narrowed at refresh reads only the narrower scope.
    let narrowed = issued(&refresh(&app, &phr, &b_tokens.refresh, Some("prescriptions")).await);
    let (_, refused) = api(&app, &narrowed.access, COUNT, json!({})).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    let (_, allowed) = api(
        &app,
        &narrowed.access,
        "{ me { prescriptions(first: 20) { totalCount } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        allowed["data"]["me"]["prescriptions"]["totalCount"], 0,
        "B has no prescriptions: {allowed}"
    );

    // `me` is for apps' tokens: an agency's token is refused, no token is unauthenticated.
    let (_, _, client) = setup(&app, "nta").await;
    let agency_token = token(&app, &client).await;
    let (_, answer) = api(&app, &agency_token, COUNT, json!({})).await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{answer}"
    );
    let anonymous: Value = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({"query": COUNT}))
        .send()
        .await
        .expect("graphql")
        .json()
        .await
        .expect("json");
    assert_eq!(
        anonymous["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{anonymous}"
    );
    // And an app's token reads nothing through the agencies' queries.
    let (_, answer) = api(
        &app,
        &a_tokens.access,
        "{ citizenRecords(citizen: \"x\", task: \"resident_tax\") { linkageId } }",
        json!({}),
    )
    .await;
    assert!(answer["data"].is_null(), "{answer}");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

const WITHDRAW: &str = "mutation($c: String!) { withdrawApp(clientId: $c) { app { clientId withdrawnAt } consentsRevoked tokensDropped } }";

#[actix_web::test]
async fn an_app_withdrawn_by_the_operator_stops_at_once_for_every_citizen() {
    let app = start().await;
    let hanako = Citizen::sign_in(&app, "山田 花子").await;
    let ichiro = Citizen::sign_in(&app, "佐藤 一郎").await;
    let phr = confidential(&app, "けんこう手帳", &["health_checkups"]).await;
    let other = public(&app, "家計簿アプリ", &["health_checkups"]).await;
    let theirs = [
        connect(&app, &hanako, &phr, "health_checkups").await,
        connect(&app, &ichiro, &phr, "health_checkups").await,
    ];
    let kept = connect(&app, &hanako, &other, "health_checkups").await;

    // Only the portal's operator withdraws apps.
    let ward = crate::apps::operator_token(&app, "131016").await;
    let refused = crate::agency::graphql(&app, &ward, WITHDRAW, json!({"c": phr.id})).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    assert_api_answers(&app, &theirs[0].access).await;

    let operator = crate::apps::operator_token(&app, "digital").await;
    let done = crate::agency::graphql(&app, &operator, WITHDRAW, json!({"c": phr.id})).await;
    let done = &done["data"]["withdrawApp"];
    assert_eq!(done["app"]["clientId"], phr.id.as_str(), "{done}");
    assert!(done["app"]["withdrawnAt"].is_i64(), "{done}");
    assert_eq!(done["consentsRevoked"], 2, "both citizens' consents");
    assert_eq!(done["tokensDropped"], 2, "both access tokens");

    // Its tokens stop at once: the API, refreshing, introspection by it (it no longer authenticates).
    for tokens in &theirs {
        assert_api_refused(&app, &tokens.access).await;
        assert_refused(
            &refresh(&app, &phr, &tokens.refresh, None).await,
            401,
            "invalid_client",
        );
    }
    assert!(consents(&app, ichiro.id).await.is_empty());
    // No citizen can be asked to consent to it again; the page says the app is unknown and sends nowhere.
    let page = open(
        &app,
        &hanako,
        &request(&phr, "health_checkups", &new_state(), &Pkce::new()),
    )
    .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.headers.get("location").is_none());
    let html = connected_page(&app, &hanako).await;
    assert!(
        !html.contains("けんこう手帳") && html.contains("家計簿アプリ"),
        "{html}"
    );
    // Another app's consent is untouched.
    assert_api_answers(&app, &kept.access).await;

    // Withdrawing it again finds no live app.
    let again = crate::agency::graphql(&app, &operator, WITHDRAW, json!({"c": phr.id})).await;
    assert_eq!(
        again["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{again}"
    );
}

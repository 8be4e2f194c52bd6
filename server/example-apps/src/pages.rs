//! The pages both apps have: the start page, `/connect`, `/callback`, `/disconnect`, a 404, and the page
//! shown for each [`Error`].
//!
//! Status codes: a disconnected app (the portal refused its tokens) answers **200** with a page headed
//! "マイナポータルとの連携が解除されています" and the button to connect again, since it is an ordinary
//! state the citizen acts on, not a failure of the request; the portal's rate limit answers **503** with
//! the portal's Retry-After passed on.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::error::Error;
use crate::html::{self, connect_button, escape};
use crate::portal::Portal;
use crate::session::AUTHORIZATION_TTL;

const CONNECT: &str = "マイナポータルと連携する";

/// Adds the shared routes. The app adds its data page(s).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(start))
        .route("/connect", web::get().to(connect))
        .route("/callback", web::get().to(callback))
        .route("/disconnect", web::post().to(disconnect));
}

/// An HTML page of this app with its layout.
pub fn page(portal: &Portal, status: StatusCode, title: &str, body: &str) -> HttpResponse {
    html::response(
        status,
        portal.csp(),
        html::layout(portal.info.name, title, body),
    )
}

async fn start(req: HttpRequest, portal: web::Data<Portal>) -> HttpResponse {
    let info = &portal.info;
    let connected = portal
        .sessions
        .id(&req)
        .is_some_and(|id| portal.sessions.tokens(&id).is_some());
    let scopes = info
        .scopes
        .iter()
        .map(|s| format!("<li>{}（<code>{}</code>）</li>", scope_label(s), escape(s)))
        .collect::<String>();
    let action = if connected {
        format!(
            "<h2>連携済みです</h2>\n<p><a href=\"{path}\">{link}</a></p>\n\
<form method=\"post\" action=\"/disconnect\">\n\
<button type=\"submit\" class=\"secondary\">連携を解除する (アプリ側)</button>\n</form>\n\
<p>このボタンはアプリが持つトークンを消すだけです。マイナポータル側の同意の取り消しは、\
マイナポータルの連携中のアプリの画面から行えます。</p>",
            path = escape(info.data_path),
            link = escape(info.data_link),
        )
    } else {
        format!(
            "<h2>はじめる</h2>\n<p>マイナポータルでログインし、このアプリへの情報の提供に同意すると、\
情報を表示します。</p>\n{}",
            connect_button(CONNECT)
        )
    };
    let body = format!(
        "<h1>{name}</h1>\n{about}\n<h2>マイナポータルから受け取る情報</h2>\n<ul>\n{scopes}</ul>\n{action}",
        name = escape(info.name),
        about = info.about_html,
    );
    page(&portal, StatusCode::OK, "はじめに", &body)
}

/// A scope's name for citizens.
fn scope_label(scope: &str) -> &'static str {
    match scope {
        "health_checkups" => "健康診断（特定健診）の結果",
        "prescriptions" => "薬の処方",
        "medical_expenses" => "医療費",
        "deductions" => "控除証明書",
        "income_tax" => "所得税",
        _ => "その他の情報",
    }
}

/// Starts the authorization: keeps the PKCE verifier and `state` under the session cookie and sends the
/// browser to the portal (303).
async fn connect(req: HttpRequest, portal: web::Data<Portal>) -> HttpResponse {
    let (url, pending) = portal.authorize();
    let id = portal
        .sessions
        .start_authorization(portal.sessions.id(&req), pending);
    HttpResponse::SeeOther()
        .cookie(portal.sessions.cookie(&id))
        .insert_header((header::LOCATION, url.as_str()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

#[derive(Debug, Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The portal sends the citizen back here: check `state`, show the portal's error if any, else exchange
/// the code (with the PKCE verifier) and go to the data page.
async fn callback(
    req: HttpRequest,
    portal: web::Data<Portal>,
    query: web::Query<Callback>,
) -> HttpResponse {
    match finish_authorization(&req, &portal, query.into_inner()).await {
        Ok(()) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, portal.info.data_path))
            .finish(),
        Err(e) => error_page(&portal, &e),
    }
}

async fn finish_authorization(
    req: &HttpRequest,
    portal: &Portal,
    query: Callback,
) -> Result<(), Error> {
    let id = portal
        .sessions
        .id(req)
        .ok_or(Error::NoPendingAuthorization)?;
    let pending = portal
        .sessions
        .take_pending(&id)
        .ok_or(Error::NoPendingAuthorization)?;
    if pending.started.elapsed() > AUTHORIZATION_TTL {
        return Err(Error::NoPendingAuthorization);
    }
    // Compared before anything else, errors included: they too must answer this session's request.
    if query.state.as_deref() != Some(pending.state.secret().as_str()) {
        return Err(Error::StateMismatch);
    }
    if let Some(error) = query.error {
        return Err(Error::Authorization {
            error,
            description: query.error_description,
        });
    }
    let code = query
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Error::BadRequest("the callback has neither code nor error".to_owned()))?;
    let tokens = portal.exchange(code, pending).await?;
    portal.sessions.set_tokens(&id, tokens);
    Ok(())
}

/// The app side of disconnecting: forget this session's tokens.
async fn disconnect(req: HttpRequest, portal: web::Data<Portal>) -> HttpResponse {
    if let Some(id) = portal.sessions.id(&req) {
        portal.sessions.forget_tokens(&id);
    }
    let body = format!(
        "<h1>連携を解除しました (アプリ側)</h1>\n\
<p>このアプリはマイナポータルのトークンを消しました。もう情報を取得しません。</p>\n\
<p>マイナポータル側の同意を取り消すには、マイナポータルの連携中のアプリの画面から操作してください。</p>\n\
<p><a href=\"/\">はじめのページへ</a></p>\n{}",
        connect_button("もう一度マイナポータルと連携する")
    );
    page(&portal, StatusCode::OK, "連携を解除しました", &body)
}

/// The 404 page.
pub async fn not_found(portal: web::Data<Portal>) -> HttpResponse {
    page(
        &portal,
        StatusCode::NOT_FOUND,
        "ページが見つかりません",
        "<h1>ページが見つかりません</h1>\n<p><a href=\"/\">はじめのページへ</a></p>",
    )
}

/// The page for an error.
pub fn error_page(portal: &Portal, error: &Error) -> HttpResponse {
    let connect_again = connect_button("もう一度マイナポータルと連携する");
    let (status, title, body) = match error {
        Error::Disconnected(why) => {
            tracing::info!(%why, "the portal refused the app's tokens");
            let title = "マイナポータルとの連携が解除されています";
            let body = format!(
                "<h1>{title}</h1>\n<p>マイナポータルがこのアプリへの情報の提供を止めています。\
マイナポータルで連携が解除されたか、同意の期限が切れた可能性があります。</p>\n\
<p>情報を表示するには、もう一度連携してください。</p>\n{connect_again}"
            );
            (StatusCode::OK, title, body)
        }
        Error::NotConnected => {
            let title = "マイナポータルと連携していません";
            let body = format!(
                "<h1>{title}</h1>\n<p>情報を表示するには、マイナポータルと連携してください。</p>\n{}",
                connect_button(CONNECT)
            );
            (StatusCode::OK, title, body)
        }
        Error::RateLimited { retry_after } => {
            let title = "しばらくしてから、もう一度お試しください";
            let when = match retry_after {
                Some(secs) => format!("{secs}秒ほど待ってから"),
                None => "しばらく待ってから".to_owned(),
            };
            let body = format!(
                "<h1>{title}</h1>\n<p>マイナポータルへの問い合わせが集中しています。\
{when}、ページを読み込み直してください。</p>\n<p><a href=\"{}\">もう一度表示する</a></p>",
                escape(portal.info.data_path)
            );
            let mut response = page(portal, StatusCode::SERVICE_UNAVAILABLE, title, &body);
            if let Some(secs) = retry_after
                && let Ok(value) = header::HeaderValue::from_str(&secs.to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return response;
        }
        Error::Authorization { error, description } if error == "access_denied" => {
            let title = "連携が許可されませんでした";
            let body = format!(
                "<h1>{title}</h1>\n<p>マイナポータルで情報の提供に同意しなかったため、\
このアプリは情報を受け取っていません。</p>\n{}\n<p>気が変わったら、もう一度連携できます。</p>\n{connect_again}",
                description
                    .as_deref()
                    .map(|d| format!("<p>マイナポータルからの説明: {}</p>", escape(d)))
                    .unwrap_or_default()
            );
            (StatusCode::OK, title, body)
        }
        Error::Authorization { error, description } => {
            tracing::warn!(%error, ?description, "the portal answered the authorization with an error");
            let title = "マイナポータルとの連携に失敗しました";
            let body = format!(
                "<h1>{title}</h1>\n<p>マイナポータルからのエラー: <code>{}</code></p>\n{}\n{connect_again}",
                escape(error),
                description
                    .as_deref()
                    .map(|d| format!("<p>{}</p>", escape(d)))
                    .unwrap_or_default()
            );
            (StatusCode::BAD_REQUEST, title, body)
        }
        Error::StateMismatch | Error::NoPendingAuthorization => {
            tracing::warn!(%error, "callback refused");
            let title = "連携の手続きを確認できませんでした";
            let body = format!(
                "<h1>{title}</h1>\n<p>この連携の応答は、このブラウザで始めた手続きのものではないか、\
時間が経ちすぎています。安全のため、受け付けませんでした。</p>\n\
<p>もう一度、はじめから連携してください。</p>\n{}",
                connect_button(CONNECT)
            );
            (StatusCode::BAD_REQUEST, title, body)
        }
        Error::BadRequest(why) => {
            let title = "リクエストが正しくありません";
            let body = format!(
                "<h1>{title}</h1>\n<p>{}</p>\n<p><a href=\"/\">はじめのページへ</a></p>",
                escape(why)
            );
            (StatusCode::BAD_REQUEST, title, body)
        }
        Error::Token(_)
        | Error::GraphQl(_)
        | Error::Status(_)
        | Error::Decode(_)
        | Error::Http(_) => {
            tracing::warn!(%error, "the portal could not be read");
            let title = "マイナポータルから情報を取得できませんでした";
            let body = format!(
                "<h1>{title}</h1>\n<p>時間をおいて、もう一度お試しください。</p>\n\
<p>詳細: {}</p>\n<p><a href=\"/\">はじめのページへ</a></p>",
                escape(&error.to_string())
            );
            (StatusCode::BAD_GATEWAY, title, body)
        }
        Error::Url(_) | Error::Io(_) => {
            tracing::error!(%error, "internal error");
            let title = "エラーが発生しました";
            let body = format!(
                "<h1>{title}</h1>\n<p>アプリの内部でエラーが発生しました。</p>\n\
<p><a href=\"/\">はじめのページへ</a></p>"
            );
            (StatusCode::INTERNAL_SERVER_ERROR, title, body)
        }
    };
    page(portal, status, title, &body)
}

/// The source agencies and last-updated date of a table's records, as the line under the table.
pub fn provenance_line(p: &crate::graphql::Provenance) -> String {
    let agencies = if p.agencies.is_empty() {
        "—".to_owned()
    } else {
        p.agencies
            .iter()
            .map(|a| escape(a))
            .collect::<Vec<_>>()
            .join("、")
    };
    let updated = p
        .last_updated
        .as_deref()
        .map(escape)
        .unwrap_or_else(|| "—".to_owned());
    format!("<p class=\"source\">情報提供元: {agencies}／最終更新日: {updated}</p>")
}

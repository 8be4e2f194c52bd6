//! From request to page: the shell every page shares, and HTML responses.

use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use askama::Template;
use portal_storage::models::citizen::Citizen;
use portal_storage::now_millis;
use portal_web::{Lang, Shell};

use crate::auth::extract::SignedIn;
use crate::auth::session::UnreadCount;
use crate::error::AppError;
use crate::middleware::security::RequestSecrets;
use crate::state::AppState;

pub const LANG_COOKIE: &str = "lang";

/// The language of this request: the `lang` cookie set by the language switch, else Japanese.
pub fn lang(req: &HttpRequest) -> Lang {
    req.cookie(LANG_COOKIE)
        .and_then(|c| Lang::from_code(c.value()))
        .unwrap_or_default()
}

pub fn shell(req: &HttpRequest) -> Shell {
    let secrets = req.extensions().get::<RequestSecrets>().cloned();
    let (nonce, csrf_token) = secrets.map(|s| (s.nonce, s.csrf_token)).unwrap_or_default();
    let path = match req.uri().path_and_query() {
        Some(pq) => pq.as_str().to_owned(),
        None => "/".to_owned(),
    };
    Shell {
        lang: lang(req),
        nonce,
        csrf_token,
        path,
        version: env!("CARGO_PKG_VERSION"),
        // Filled in by the session extractor on signed-in pages.
        session: None,
        staff: None,
    }
}

/// The shell of a page for the signed-in citizen: their name and unread notices in the header, and the idle
/// warning scheduled. Both are kept in the session, so most pages make no database trip for them.
/// A session whose citizen is gone counts as signed out.
pub async fn citizen_shell(
    req: &HttpRequest,
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<Shell, AppError> {
    let mut session = signed_in.session.clone();
    let name = match &session.name {
        Some(name) => name.clone(),
        None => {
            // The person signed in, also while they act for someone (the banner names the principal).
            let id = signed_in.actor;
            let citizen = state
                .db
                .run(move |c| Citizen::find(c, id))
                .await?
                .ok_or(AppError::SignInRequired)?;
            session.name = Some(citizen.name.clone());
            citizen.name
        }
    };
    let now = now_millis();
    let unread = match session.fresh_unread(signed_in.notices_changed_at, now) {
        Some(count) => count,
        None => {
            let count = crate::services::inbox::unread_count(state, signed_in.citizen).await?;
            // Stamped with the time before counting: a notice posted meanwhile outdates it.
            session.unread = Some(UnreadCount {
                count,
                counted_at: now,
            });
            count
        }
    };
    if session != signed_in.session {
        state.sessions().store(&signed_in.token, &session).await?;
    }
    let mut view = signed_in.view(&name);
    view.unread_notices = Some(unread);
    let mut shell = shell(req);
    shell.session = Some(view);
    Ok(shell)
}

/// The shell of a staff console page: the member's name and agency in the header, the console's navigation.
pub fn staff_shell(req: &HttpRequest, on_duty: &crate::auth::staff::StaffOnDuty) -> Shell {
    let member = &on_duty.duty.member;
    let mut shell = shell(req);
    shell.staff = Some(portal_web::StaffView {
        name: member.name.clone(),
        agency: match shell.lang {
            portal_web::Lang::En if !on_duty.duty.agency.name_en.is_empty() => {
                on_duty.duty.agency.name_en.clone()
            }
            _ => on_duty.duty.agency.name_ja.clone(),
        },
        roles: member.roles.split(',').map(str::to_owned).collect(),
    });
    shell
}

/// 303 to `location`: where a POST sends the browser next, or a page that lives elsewhere now.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location.to_owned()))
        .finish()
}

pub fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// A file to save rather than show: `filename` (ASCII) dated today in Japan, e.g.
/// `mynaportal-prescriptions-20261127.csv`. The citizen's data must not linger in shared caches.
pub fn download(content_type: &str, stem: &str, extension: &str, body: String) -> HttpResponse {
    download_bytes(content_type, stem, extension, body.into_bytes())
}

/// [`download`] of bytes that need not be text (a Zengin transfer file is JIS X 0201).
pub fn download_bytes(
    content_type: &str,
    stem: &str,
    extension: &str,
    body: Vec<u8>,
) -> HttpResponse {
    let today = crate::japan_today();
    let filename = format!(
        "mynaportal-{stem}-{:04}{:02}{:02}.{extension}",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(body)
}

pub fn page(status: StatusCode, template: &impl Template) -> Result<HttpResponse, AppError> {
    Ok(html(status, template.render()?))
}

/// A page that asks for the card, or the sign-in failure page when no challenge could be started.
pub fn card_page(
    status: StatusCode,
    page: Result<impl Template, portal_web::pages::sign_in::SignInFailure>,
) -> Result<HttpResponse, AppError> {
    match page {
        Ok(page) => self::page(status, &page),
        Err(failure) => Ok(see_other(&format!(
            "/sign-in/failed?reason={}",
            failure.code()
        ))),
    }
}

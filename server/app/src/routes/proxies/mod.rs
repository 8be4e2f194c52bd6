//! 代理人: the proxies page, naming a proxy, accepting an invitation, ending one, and switching to and from
//! acting for someone. The rules are in [`crate::services::proxies`].

pub mod accept;
pub mod act;
pub mod confirm;
pub mod end;
pub mod list;
pub mod new;
pub mod stop;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use portal_storage::models::proxy::Proxy;
use portal_web::components::FieldErrors;
use portal_web::pages::proxies::{ProxyAcceptPage, ProxyRow};

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::services::proxies::{FieldError, Refusal};
use crate::state::AppState;

/// A row of the page, its state as of `now` and `today` (YYYY-MM-DD, Japan).
fn row(proxy: &Proxy, name: Option<String>, now: i64, today: &str) -> ProxyRow {
    let state = if proxy.ended_at.is_some() {
        "ended"
    } else if proxy.proxy_id.is_none() {
        if proxy.invitation_open(now) {
            "waiting"
        } else {
            "expired"
        }
    } else if proxy.in_force(today) {
        "in_force"
    } else {
        "lapsed"
    };
    ProxyRow {
        id: proxy.id.to_string(),
        name,
        scope: proxy.scope.clone(),
        ends_on: proxy.ends_on.clone(),
        state,
    }
}

/// The message of a refused field of the naming form.
fn field_message(error: &FieldError) -> &'static str {
    match (error.field, error.reason) {
        ("scope", "too_many") => "proxies.error.scope_too_many",
        ("scope", _) => "proxies.error.scope_choose",
        (_, "missing") => "proxies.error.ends_on_missing",
        (_, "past") => "proxies.error.ends_on_past",
        (_, "too_far") => "proxies.error.ends_on_too_far",
        _ => "proxies.error.ends_on_invalid",
    }
}

/// The message of a refused invitation code.
fn refusal_message(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::Unknown => "proxies.error.code_unknown",
        Refusal::Own => "proxies.error.code_own",
        Refusal::Already => "proxies.error.code_already",
    }
}

/// The code form again, the code as typed, with why it was not accepted.
async fn code_refused(
    req: &HttpRequest,
    state: &AppState,
    signed_in: &SignedIn,
    code: String,
    message: &'static str,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    errors.add("code", message);
    let shell = render::citizen_shell(req, state, signed_in).await?;
    render::page(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ProxyAcceptPage {
            shell,
            code,
            errors,
        },
    )
}

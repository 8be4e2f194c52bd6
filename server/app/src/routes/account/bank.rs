use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;
use portal_web::pages::account::{AccountBankPage, FoundItem};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::state::AppState;

/// Results shown at most; a narrower query finds the rest.
const SHOWN: usize = 30;

#[derive(Deserialize)]
pub struct Query {
    /// Absent until the form is sent.
    q: Option<String>,
}

/// Finds the bank by name, kana or code: a GET form, so it works without JavaScript and its results can
/// be bookmarked. Each result leads to the branch finder of that bank.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let searched = query.q.is_some();
    let typed = query.q.clone().unwrap_or_default();
    let mut errors = FieldErrors::default();
    let mut found = Vec::new();
    if searched && typed.trim().is_empty() {
        errors.add("q", "account.bank.errors.q_empty");
    } else if searched {
        let directory = state.banks.get(&state.db).await?;
        found = directory
            .find_banks(&typed, SHOWN)
            .into_iter()
            .map(|b| FoundItem {
                href: format!("/account/branch?bank={}", b.code),
                name: b.name.clone(),
                detail: format!("{} ・ {}", b.kana, b.code),
            })
            .collect();
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render::page(
        status,
        &AccountBankPage {
            shell,
            query: typed,
            searched,
            found,
            errors,
        },
    )
}

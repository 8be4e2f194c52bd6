use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;
use portal_web::pages::account::{AccountBranchPage, FoundItem};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::render::see_other;
use crate::state::AppState;

/// Results shown at most; a bank with no more branches than this has them all listed before any search.
const SHOWN: usize = 50;

#[derive(Deserialize)]
pub struct Query {
    #[serde(default)]
    bank: String,
    q: Option<String>,
}

/// Finds the branch within the chosen bank; each result leads to the details form with both codes filled.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let directory = state.banks.get(&state.db).await?;
    let Some(bank) = directory.bank(query.bank.trim()) else {
        return Ok(see_other("/account/bank"));
    };
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let searched = query.q.is_some();
    let typed = query.q.clone().unwrap_or_default();
    let listing_all = !searched && directory.branches_of(&bank.code).len() <= SHOWN;
    let mut errors = FieldErrors::default();
    let mut found = Vec::new();
    if searched && typed.trim().is_empty() {
        errors.add("q", "account.branch.errors.q_empty");
    } else if searched || listing_all {
        found = directory
            .find_branches(&bank.code, &typed, SHOWN)
            .into_iter()
            .map(|b| FoundItem {
                href: format!("/account/details?bank={}&branch={}", bank.code, b.code),
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
        &AccountBranchPage {
            shell,
            bank_code: bank.code.clone(),
            bank_name: bank.name.clone(),
            query: typed,
            searched,
            found,
            listing_all,
            errors,
        },
    )
}

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::email_settings::{EmailCategoriesPage, EmailDone};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::{csrf, email_address as validation};
use crate::render;
use crate::render::see_other;
use crate::services::email_address;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    /// Set right after the first address was confirmed, for the banner saying so.
    #[serde(default)]
    added: String,
}

/// The categories form, ticked as saved; without an address there is nothing to choose for.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let Some(current) = email_address::current(&state, signed_in.citizen).await? else {
        return Ok(see_other("/settings/email"));
    };
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let selected = current
        .categories()
        .iter()
        .map(|c| c.code().to_owned())
        .collect();
    render::page(
        StatusCode::OK,
        &EmailCategoriesPage {
            shell,
            address: current.address,
            selected,
            added: query.added == "1",
        },
    )
}

/// Saves the ticked categories (none is a valid choice: no alerts) and returns to the overview. The body
/// is read raw: a checkbox group sends one `categories` pair per ticked box.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let token = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "csrf_token")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    csrf::verify(&req, &token)?;
    let categories = validation::categories(&body)
        .ok_or_else(|| AppError::BadRequest("unknown notice category".to_owned()))?;
    if !email_address::set_categories(&state, signed_in.citizen, categories).await? {
        return Ok(see_other("/settings/email"));
    }
    Ok(see_other(&format!(
        "/settings/email?done={}",
        EmailDone::CategoriesSaved.code()
    )))
}

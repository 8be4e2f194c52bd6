use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::now_millis;
use portal_web::pages::account::{AccountCheckPage, AccountDone, account_type_label};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render;
use crate::render::see_other;
use crate::services::bank_account::{self, Channel, Checked, Registered};
use crate::services::card_check::Purpose;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
}

/// The draft, checked again (the bank table may have changed since it was typed); `None` sends the
/// citizen back to the form, where the draft shows with its errors.
pub(super) async fn checked_draft(
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<Option<Checked>, AppError> {
    let Some(draft) = bank_account::draft(state, signed_in).await? else {
        return Ok(None);
    };
    let directory = state.banks.get(&state.db).await?;
    let kana = bank_account::registered_kana(state, signed_in.citizen).await?;
    Ok(bank_account::check(&directory, &kana, &draft).ok())
}

/// Registers the checked draft for the citizen on the portal, and says where to go next.
pub(super) async fn register(
    state: &AppState,
    signed_in: &SignedIn,
    checked: Checked,
    changing: bool,
) -> Result<HttpResponse, AppError> {
    let done = match bank_account::register(
        state,
        signed_in.citizen,
        checked,
        Channel::Portal,
        now_millis(),
    )
    .await?
    {
        Registered::Stored(_) if changing => AccountDone::Changed,
        Registered::Stored(_) => AccountDone::Registered,
        Registered::Superseded(_) => AccountDone::Superseded,
    };
    bank_account::drop_draft(state, signed_in).await?;
    Ok(see_other(&format!("/account?done={}", done.code())))
}

/// Every answer, with a link back to change it.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
) -> Result<HttpResponse, AppError> {
    let Some(checked) = checked_draft(&state, &signed_in).await? else {
        return Ok(see_other("/account/details"));
    };
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let change = bank_account::current(&state, signed_in.citizen)
        .await?
        .is_some();
    let t = |key| shell.t(key).to_owned();
    let rows = vec![
        (
            t("account.key.bank"),
            format!("{}（{}）", checked.bank_name, checked.bank_code),
            "/account/bank".to_owned(),
        ),
        (
            t("account.key.branch"),
            format!("{}（{}）", checked.branch_name, checked.branch_code),
            format!("/account/branch?bank={}", checked.bank_code),
        ),
        (
            t("account.key.type"),
            account_type_label(&shell, checked.account_type.code()),
            "/account/details#account_type".to_owned(),
        ),
        (
            t("account.key.number"),
            checked.account_number.clone(),
            "/account/details#account_number".to_owned(),
        ),
        (
            t("account.key.holder"),
            checked.holder_name.clone(),
            "/account/details#holder_name".to_owned(),
        ),
    ];
    render::page(
        StatusCode::OK,
        &AccountCheckPage {
            shell,
            rows,
            change,
        },
    )
}

/// A first registration is stored at once (the citizen has just signed in with the card); a change goes on
/// to the card confirmation first.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &body.csrf_token)?;
    let Some(checked) = checked_draft(&state, &signed_in).await? else {
        return Ok(see_other("/account/details"));
    };
    if bank_account::current(&state, signed_in.citizen)
        .await?
        .is_some()
    {
        return Ok(see_other(Purpose::AccountChange.path()));
    }
    register(&state, &signed_in, checked, false).await
}

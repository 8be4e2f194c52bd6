use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::{FieldErrors, FieldMessages};
use portal_web::pages::account::{AccountDetailsPage, AccountForm};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render;
use crate::render::see_other;
use crate::services::bank_account::{self, Field, Problem};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    /// Chosen in the finders.
    #[serde(default)]
    bank: Option<String>,
    #[serde(default)]
    branch: Option<String>,
}

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    /// `continue`, or `find_bank` to leave for the bank finder with what was typed kept.
    #[serde(default)]
    action: String,
    #[serde(flatten)]
    form: AccountForm,
}

/// The catalog key each field's error is shown under (its text is made for the submission).
fn error_key(field: Field) -> &'static str {
    match field {
        Field::Bank => "account.form.errors.bank_code",
        Field::Branch => "account.form.errors.branch_code",
        Field::AccountType => "account.form.errors.account_type",
        Field::AccountNumber => "account.form.errors.account_number",
        Field::HolderName => "account.form.errors.holder_name",
    }
}

/// The problems as the page shows them: one per field, in the order of the fields.
fn errors_of(problems: &[Problem], lang: portal_web::Lang) -> (FieldErrors, FieldMessages) {
    let mut errors = FieldErrors::default();
    let mut messages = FieldMessages::new(lang);
    for problem in problems {
        let field = problem.field();
        if errors.get(field.name()).is_none() {
            errors.add(field.name(), error_key(field));
            messages.add(error_key(field), problem.message(lang));
        }
    }
    (errors, messages)
}

async fn page(
    req: &HttpRequest,
    state: &AppState,
    signed_in: &SignedIn,
    form: AccountForm,
    problems: &[Problem],
) -> Result<AccountDetailsPage, AppError> {
    let shell = render::citizen_shell(req, state, signed_in).await?;
    let directory = state.banks.get(&state.db).await?;
    let chosen = directory
        .branch(form.bank_code.trim(), form.branch_code.trim())
        .zip(directory.bank(form.bank_code.trim()))
        .map(|(branch, bank)| format!("{} {}", bank.name, branch.name));
    let change = bank_account::current(state, signed_in.citizen)
        .await?
        .is_some();
    let registered_kana = bank_account::registered_kana(state, signed_in.citizen).await?;
    let (errors, messages) = errors_of(problems, shell.lang);
    Ok(AccountDetailsPage {
        shell,
        form,
        errors,
        messages,
        chosen,
        registered_kana,
        change,
    })
}

/// The form with what was typed so far, and the codes chosen in the finders.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let mut form = bank_account::draft(&state, &signed_in)
        .await?
        .unwrap_or_default();
    let Query { bank, branch } = query.into_inner();
    if let Some(bank) = bank {
        // A new bank's branch is chosen anew: an old branch code would name another bank's branch.
        if bank != form.bank_code {
            form.branch_code.clear();
        }
        form.bank_code = bank;
    }
    if let Some(branch) = branch {
        form.branch_code = branch;
    }
    bank_account::save_draft(&state, &signed_in, &form).await?;
    render::page(
        StatusCode::OK,
        &page(&req, &state, &signed_in, form, &[]).await?,
    )
}

/// Checks every field; the answers are kept whatever happens, and the page comes back with each field's
/// own error when something is wrong.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    let Submission {
        csrf_token,
        action,
        form,
    } = body.into_inner();
    csrf::verify(&req, &csrf_token)?;
    bank_account::save_draft(&state, &signed_in, &form).await?;
    if action == "find_bank" {
        return Ok(see_other("/account/bank"));
    }
    let directory = state.banks.get(&state.db).await?;
    let kana = bank_account::registered_kana(&state, signed_in.citizen).await?;
    match bank_account::check(&directory, &kana, &form) {
        Ok(_) => Ok(see_other("/account/check")),
        Err(problems) => render::page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&req, &state, &signed_in, form, &problems).await?,
        ),
    }
}

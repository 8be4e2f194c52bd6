//! Applying online (ぴったりサービス): the start page of a form, its question pages (one question group
//! each, saved at every page), check your answers, signing with the card before sending (optional), and the
//! application after sending; the citizen's list of applications (申請の状況). Every page is for the
//! signed-in citizen only.

pub mod check;
pub mod file;
pub mod list;
pub mod message;
pub mod page;
pub mod show;
pub mod sign;
pub mod sign_status;
pub mod start;
pub mod withdraw;

use std::collections::BTreeMap;

use portal_forms::answers::{self, AccountValue, Value};
use portal_forms::{Definition, Kind};
use portal_storage::ids::{ApplicationId, CitizenId};
use portal_web::Lang;

use crate::error::AppError;
use crate::services::applications::Opened;
use crate::services::prefill::Sources;
use crate::services::{bank_account, catalogue};
use crate::state::AppState;

/// An application id from the path; anything else is 404.
fn application_id(raw: &str) -> Result<ApplicationId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

fn page_href(id: ApplicationId, page_id: &str) -> String {
    format!("/applications/{id}/pages/{page_id}")
}

fn check_href(id: ApplicationId) -> String {
    format!("/applications/{id}/check")
}

/// The form's title in the page's language.
fn form_title(opened: &Opened, lang: Lang) -> String {
    if lang == Lang::Ja {
        opened.form.title_ja.clone()
    } else {
        opened.form.title_en.clone()
    }
}

/// Where each prefilled value came from, in words: "住民基本台帳（千代田区）の情報（2026年11月1日時点）".
pub(crate) fn source_texts(sources: &Sources, lang: Lang) -> BTreeMap<String, String> {
    sources
        .iter()
        .map(|(field, source)| {
            let holder = catalogue::agency_name(&source.holder, lang);
            let name = lang.tf(
                &format!("apply.source.{}", source.kind),
                &[("holder", &holder)],
            );
            let date = portal_web::format::date(lang, &source.as_of);
            let text = lang.tf("apply.source_line", &[("source", &name), ("date", &date)]);
            (field.clone(), text)
        })
        .collect()
}

/// The citizen's registered refund account as a form's account value, when one is registered and valid.
async fn registered_account(
    state: &AppState,
    citizen: CitizenId,
) -> Result<Option<AccountValue>, AppError> {
    Ok(bank_account::current(state, citizen)
        .await?
        .filter(|a| a.invalid_since.is_none())
        .map(|a| AccountValue {
            registered: true,
            bank_code: a.bank_code,
            branch_code: a.branch_code,
            account_type: a.account_type,
            number: a.account_number,
            holder_kana: a.holder_name,
        }))
}

/// A bank-account answer that chose the registered account carries its details, as registered now.
fn fill_registered(
    definition: &Definition,
    answers: &mut answers::Answers,
    registered: Option<&AccountValue>,
) {
    for (_, field) in definition.fields() {
        if field.kind() != Some(Kind::BankAccount) {
            continue;
        }
        if let Some(Value::Account(value)) = answers.0.get_mut(&field.id)
            && value.registered
            && let Some(registered) = registered
        {
            *value = registered.clone();
        }
    }
}

/// The page a saved draft continues on: the first page with a problem, or check your answers.
fn resume_href(opened: &Opened) -> String {
    let id = opened.application.id;
    match answers::check_all(&opened.definition, &opened.answers)
        .first()
        .and_then(|(page, _)| opened.definition.pages.get(*page))
    {
        Some(page) => page_href(id, &page.id),
        None => check_href(id),
    }
}

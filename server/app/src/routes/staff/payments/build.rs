use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use portal_web::components::FieldErrors;
use portal_web::pages::staff_payments::PaymentForm;
use serde::Deserialize;

use super::form::page;
use super::{Kept, ROLE, keep, tasks};
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::see_other;
use crate::services::payments::{self, Payer, PaymentOrder, PaymentRefusal};
use crate::services::staff;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    task: String,
    #[serde(default)]
    requester_code: String,
    #[serde(default)]
    requester_name: String,
    #[serde(default)]
    transfer_year: String,
    #[serde(default)]
    transfer_month: String,
    #[serde(default)]
    transfer_day: String,
    #[serde(default)]
    bank_code: String,
    #[serde(default)]
    branch_code: String,
    #[serde(default)]
    account_type: String,
    #[serde(default)]
    account_number: String,
    #[serde(default)]
    payments: String,
}

/// The payments typed, one a line: `pseudonym,amount[,reference]` (full-width digits and commas too);
/// `None` when a line is not that.
fn orders(text: &str) -> Option<Vec<PaymentOrder>> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let line = line.replace(['，', '、', '\t'], ",");
            let mut parts = line.split(',').map(str::trim);
            let citizen = parts.next().filter(|c| !c.is_empty())?.to_owned();
            let amount = portal_web::format::ascii_digits(parts.next()?)
                .replace(['円', '¥'], "")
                .parse::<u64>()
                .ok()
                .filter(|a| *a > 0)?;
            let reference = parts.next().unwrap_or_default().to_owned();
            parts.next().is_none().then_some(PaymentOrder {
                citizen,
                amount,
                reference,
            })
        })
        .collect()
}

/// A field of the batch as the service names it, as the form's field id and the words for its error.
fn field_of(name: &str) -> (&'static str, &'static str) {
    match name {
        "requesterCode" => ("requester-code", "staff.payments.errors.requester_code"),
        "requesterName" => ("requester-name", "staff.payments.errors.requester_name"),
        "transferDate" => ("transfer-date", "staff.payments.errors.transfer_date"),
        "bankCode" => ("bank-code", "staff.payments.errors.bank_code"),
        "branchCode" => ("branch-code", "staff.payments.errors.branch_code"),
        "accountType" => ("account-type", "staff.payments.errors.account_type"),
        "accountNumber" => ("account-number", "staff.payments.errors.account_number"),
        _ => ("payments", "staff.payments.errors.payments"),
    }
}

/// Builds the batch: the file is kept for the agency and the result page shows who is paid and who is
/// listed apart; refused, the form again with the error next to its field and everything as typed.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    on_duty.require(ROLE)?;
    let s = body.into_inner();
    csrf::verify(&req, &s.csrf_token)?;
    let form = PaymentForm {
        task: s.task,
        requester_code: s.requester_code,
        requester_name: s.requester_name,
        transfer_year: s.transfer_year,
        transfer_month: s.transfer_month,
        transfer_day: s.transfer_day,
        bank_code: s.bank_code,
        branch_code: s.branch_code,
        account_type: s.account_type,
        account_number: s.account_number,
        payments: s.payments,
    };
    let principal = on_duty.duty.principal();
    let mut errors = FieldErrors::default();
    if !tasks(&principal).contains(&form.task.as_str()) {
        errors.add("task", "staff.payments.errors.task");
    }
    let transfer_date = portal_web::format::date_from_parts(
        &form.transfer_year,
        &form.transfer_month,
        &form.transfer_day,
    );
    if transfer_date.is_empty() {
        errors.add("transfer-date", "staff.payments.errors.transfer_date");
    }
    let parsed = if form.payments.trim().is_empty() {
        errors.add("payments", "staff.payments.errors.payments_missing");
        None
    } else {
        let parsed = orders(&form.payments);
        if parsed.is_none() {
            errors.add("payments", "staff.payments.errors.payments_line");
        }
        parsed
    };
    if let (Some(orders), true) = (parsed, errors.is_empty()) {
        let payer = Payer {
            requester_code: portal_web::format::ascii_digits(form.requester_code.trim()),
            requester_name: form.requester_name.trim().to_owned(),
            transfer_date: transfer_date.clone(),
            bank_code: portal_web::format::ascii_digits(form.bank_code.trim()),
            branch_code: portal_web::format::ascii_digits(form.branch_code.trim()),
            account_type: form.account_type.clone(),
            account_number: portal_web::format::ascii_digits(form.account_number.trim()),
        };
        match payments::batch(&state, &principal, &form.task, payer, orders).await? {
            Ok(batch) => {
                let kept = Kept {
                    task: form.task.clone(),
                    transfer_date: transfer_date.clone(),
                    payments: batch.payments,
                    total: batch.total,
                    unknown: batch.unknown,
                    without_account: batch.without_account,
                    file: base64::engine::general_purpose::STANDARD.encode(&batch.file),
                };
                let id = keep(&state, principal.agency_id, &kept).await?;
                staff::audit(
                    &state,
                    &on_duty.duty.member,
                    "payments.batch",
                    &id,
                    &format!(
                        "{} {}: {} / {} yen, {} without account, {} unknown",
                        kept.task,
                        kept.transfer_date,
                        kept.payments,
                        kept.total,
                        kept.without_account.len(),
                        kept.unknown.len()
                    ),
                )
                .await?;
                return Ok(see_other(&format!("/staff/payments/batches/{id}")));
            }
            Err(PaymentRefusal::Invalid { field, .. }) => {
                let (id, key) = field_of(field);
                errors.add(id, key);
            }
            Err(_) => errors.add("task", "staff.payments.errors.task"),
        }
    }
    crate::render::page(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(&req, &on_duty, form, errors),
    )
}

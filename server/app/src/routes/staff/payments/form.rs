use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use portal_web::components::FieldErrors;
use portal_web::pages::staff_payments::{PaymentForm, StaffPaymentsPage};

use super::{ACCOUNT_TYPES, ROLE, task_name, tasks};
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::render;

/// The batch form, with `form` as typed.
pub fn page(
    req: &HttpRequest,
    on_duty: &StaffOnDuty,
    form: PaymentForm,
    errors: FieldErrors,
) -> StaffPaymentsPage {
    let shell = render::staff_shell(req, on_duty);
    let lang = shell.lang;
    let tasks = tasks(&on_duty.duty.principal())
        .into_iter()
        .map(|code| (code.to_owned(), task_name(lang, code), form.task == code))
        .collect();
    let account_types = ACCOUNT_TYPES
        .iter()
        .map(|code| {
            (
                (*code).to_owned(),
                lang.get(&format!("account.type.{code}"))
                    .unwrap_or(code)
                    .to_owned(),
                form.account_type == *code,
            )
        })
        .collect();
    StaffPaymentsPage {
        shell,
        tasks,
        account_types,
        form,
        errors,
    }
}

/// What the agency can pay (its payment tasks), and the form to build a batch.
pub async fn show(req: HttpRequest, on_duty: StaffOnDuty) -> Result<HttpResponse, AppError> {
    on_duty.require(ROLE)?;
    render::page(
        StatusCode::OK,
        &page(
            &req,
            &on_duty,
            PaymentForm::default(),
            FieldErrors::default(),
        ),
    )
}

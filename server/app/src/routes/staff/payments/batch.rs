use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::staff_payments::StaffPaymentBatchPage;

use super::{ROLE, kept, task_name};
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::render;
use crate::state::AppState;

/// A built batch: how many are paid, the total, who is listed apart, and the link to the file. Another
/// agency's, or one no longer kept, is not found.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    on_duty.require(ROLE)?;
    let id = path.into_inner();
    let batch = kept(&state, on_duty.duty.agency.id, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let shell = render::staff_shell(&req, &on_duty);
    let lang = shell.lang;
    render::page(
        StatusCode::OK,
        &StaffPaymentBatchPage {
            file_href: format!("/staff/payments/batches/{id}/file"),
            task: task_name(lang, &batch.task),
            transfer_date: portal_web::format::date(lang, &batch.transfer_date),
            payments: batch.payments,
            total: portal_web::format::yen(lang, &batch.total.to_string()),
            unknown: batch.unknown,
            without_account: batch.without_account,
            shell,
        },
    )
}

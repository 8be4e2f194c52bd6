use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::render;
use crate::services::notices;
use crate::state::AppState;

/// A notice's delivery as JSON, for the progress page's script: each figure's text as the page words it.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    on_duty.require(super::ROLE)?;
    let id = super::notice_id(&path)?;
    let (_, delivery) = notices::delivery(&state, &on_duty.duty.principal(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = render::lang(&req);
    let number = |n: i64| portal_web::format::grouped(&n.to_string());
    let recipients = match delivery.recipients {
        Some(n) => lang
            .t(if n == 1 {
                "staff.notices.people_one"
            } else {
                "staff.notices.people"
            })
            .replace("{count}", &number(n)),
        None => lang.t("staff.notices.counting").to_owned(),
    };
    let body = json!({
        "live": delivery.live(),
        "figures": {
            "stage_text": lang.t(&format!("staff.notices.stage.{}", delivery.stage)),
            "recipients": recipients,
            "read": number(delivery.read),
            "sent": number(delivery.sent),
            "queued": number(delivery.queued),
            "failed": number(delivery.failed),
        },
        "progress": { "value": delivery.handled(), "max": delivery.total() },
    });
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(body))
}

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::forms::csrf;
use crate::services::staff::{self, SESSION_COOKIE};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
}

/// Ends the console session here (recorded), and goes to the console's sign-in page.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &body.csrf_token)?;
    staff::audit(&state, &on_duty.duty.member, "sign_out", "", "").await?;
    staff::end(&state, &on_duty.token).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, "/staff/sign-in"))
        .cookie(super::removed(SESSION_COOKIE))
        .finish())
}

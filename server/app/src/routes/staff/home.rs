use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use portal_web::pages::staff::StaffHomePage;

use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::render;

pub async fn show(req: HttpRequest, on_duty: StaffOnDuty) -> Result<HttpResponse, AppError> {
    render::page(
        StatusCode::OK,
        &StaffHomePage {
            shell: render::staff_shell(&req, &on_duty),
            name: on_duty.duty.member.name.clone(),
            agency: on_duty.duty.agency.name_ja.clone(),
        },
    )
}

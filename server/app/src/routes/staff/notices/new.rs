use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::models::agency::AgencyKind;
use portal_web::components::FieldErrors;
use portal_web::pages::staff_notices::{NoticeForm, StaffNoticeNewPage};
use serde::Deserialize;

use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::forms::{csrf, staff_notice};
use crate::render::{self, see_other};
use crate::services::notices::{self, Refusal};
use crate::services::staff;
use crate::state::AppState;

/// A municipality's own code (it addresses only its residents); `None` for an agency that addresses
/// everyone.
fn municipality(on_duty: &StaffOnDuty) -> Option<String> {
    (on_duty.duty.principal().kind() == Some(AgencyKind::Municipality))
        .then(|| on_duty.duty.agency.code.clone())
}

fn page(
    req: &HttpRequest,
    on_duty: &StaffOnDuty,
    form: NoticeForm,
    errors: FieldErrors,
) -> StaffNoticeNewPage {
    StaffNoticeNewPage {
        shell: render::staff_shell(req, on_duty),
        form,
        errors,
        area: municipality(on_duty).map(|_| on_duty.duty.agency.name_ja.clone()),
    }
}

pub async fn show(req: HttpRequest, on_duty: StaffOnDuty) -> Result<HttpResponse, AppError> {
    on_duty.require(super::ROLE)?;
    let form = NoticeForm {
        importance: "normal".to_owned(),
        ..NoticeForm::default()
    };
    render::page(
        StatusCode::OK,
        &page(&req, &on_duty, form, FieldErrors::default()),
    )
}

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    #[serde(flatten)]
    form: NoticeForm,
}

/// Posts the notice to the agency's residents (its alerts go out in the background) and opens its
/// progress page; a refused field is shown next to it with everything kept as typed.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    on_duty.require(super::ROLE)?;
    let Submission { csrf_token, form } = body.into_inner();
    csrf::verify(&req, &csrf_token)?;
    let area = municipality(&on_duty);
    let (content, audience) =
        match staff_notice::validate(&form, area.as_deref(), crate::japan_today()) {
            Ok(valid) => valid,
            Err(errors) => {
                return render::page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &page(&req, &on_duty, form, errors),
                );
            }
        };
    match notices::post_to_rule(&state, &on_duty.duty.principal(), content, audience).await? {
        Ok(posted) => {
            let id = posted.notice.id.to_string();
            staff::audit(
                &state,
                &on_duty.duty.member,
                "notice_post",
                &id,
                &posted.notice.title,
            )
            .await?;
            Ok(see_other(&format!("/staff/notices/{id}?done=posted")))
        }
        // The form's own checks come first, so a refusal here is one they do not know: say it at the
        // top, keeping what was typed.
        Err(refusal) => {
            tracing::warn!(?refusal, "a notice the console's checks passed was refused");
            let mut errors = FieldErrors::default();
            let field = match &refusal {
                Refusal::Invalid { field, .. } if field.contains("maxAge") => "max_age",
                Refusal::Invalid { field, .. } if field.contains("minAge") => "min_age",
                Refusal::Invalid { field, .. } if field.contains("expires") => "expires",
                Refusal::Invalid { field, .. } if field.contains("body") => "body",
                _ => "title",
            };
            errors.add(field, "staff.notices.errors.refused");
            render::page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&req, &on_duty, form, errors),
            )
        }
    }
}

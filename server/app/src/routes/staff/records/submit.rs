use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::models::category::Category;

use super::{Entered, page};
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::forms::{csrf, upload};
use crate::render::{self, see_other};
use crate::services::record_import::{self, FileProblem, MAX_FILE_BYTES};
use crate::state::AppState;

/// The file input's name.
const FILE: &str = "file";

/// Checks the posted file for the chosen category, storing nothing but the job that holds the result: a
/// file that cannot be used comes back with its problem next to the input (and the category kept);
/// otherwise the job's preview.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    on_duty.require("records")?;
    let limits = BTreeMap::from([(FILE.to_owned(), MAX_FILE_BYTES)]);
    let posted = upload::read(&req, payload, &limits, crate::FORM_LIMIT_BYTES).await?;
    csrf::verify(&req, posted.value("csrf_token"))?;
    let chosen = posted.value("category").to_owned();
    let category = Category::from_code(&chosen);
    let file = posted.uploads.into_iter().find(|u| u.input == FILE);
    let lang = render::shell(&req).lang;
    let mut entered = Entered {
        chosen,
        ..Entered::default()
    };
    if category.is_none() {
        entered.category_error = Some("staff.records.errors.category_missing");
    }
    let file = match file {
        Some(file) if file.is_chosen() => Some(file),
        _ => {
            entered.file_error = Some(lang.t("staff.records.errors.file_missing").to_owned());
            None
        }
    };
    let (Some(category), Some(file)) = (category, file) else {
        return page(&req, &state, &on_duty, entered).await;
    };
    let problem = if file.cut || posted.cut_short {
        FileProblem::TooLarge
    } else {
        match record_import::prepare(
            &state,
            &on_duty.duty,
            category,
            &file.file_name,
            &file.bytes,
        )
        .await?
        {
            Ok(id) => return Ok(see_other(&format!("/staff/jobs/{id}"))),
            Err(problem) => problem,
        }
    };
    let (key, value) = problem.message();
    entered.file_error = Some(
        lang.t(&format!("staff.records.errors.{key}"))
            .replace("{value}", &value),
    );
    page(&req, &state, &on_duty, entered).await
}

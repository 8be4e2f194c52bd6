use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Form {
    #[serde(default)]
    csrf_token: String,
}

/// "Stay signed in": a new hour from now. Scripts get 204; without JavaScript, back to マイページ.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    mut signed_in: SignedIn,
    form: web::Form<Form>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &form.csrf_token)?;
    state
        .sessions()
        .extend(&signed_in.token, &mut signed_in.session)
        .await?;
    let wants_json = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return Ok(HttpResponse::NoContent().finish());
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, "/my-page"))
        .finish())
}

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::now_millis;
use portal_web::pages::proxies::ProxiesPage;
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::services::proxies;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    /// What just happened (`accepted`, `ended`, `withdrawn`, `stopped`) and with whom, for the banner.
    done: Option<String>,
    name: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let overview = proxies::overview(&state, signed_in.citizen).await?;
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let (now, today) = (now_millis(), crate::japan_today().to_string());
    let rows = |listed: Vec<proxies::Listed>| {
        listed
            .into_iter()
            .map(|l| super::row(&l.proxy, l.other, now, &today))
            .collect()
    };
    let query = query.into_inner();
    // Only a short name is echoed; the banner escapes it like any other value.
    let name = query
        .name
        .filter(|n| n.chars().count() <= 100)
        .unwrap_or_default();
    let done = match query.done.as_deref() {
        Some("accepted") => Some(("accepted", name)),
        Some("ended") => Some(("ended", name)),
        Some("withdrawn") => Some(("withdrawn", name)),
        Some("stopped") => Some(("stopped", name)),
        _ => None,
    };
    render::page(
        StatusCode::OK,
        &ProxiesPage {
            shell,
            given: rows(overview.given),
            held: rows(overview.held),
            done,
        },
    )
}

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::apps::{ConnectedApp, ConnectedAppsPage};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::services::history::japan_time;
use crate::services::oauth;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    /// The name of the app just disconnected, for the banner.
    revoked: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let connected = oauth::connected(&state, signed_in.citizen).await?;
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let apps = connected
        .into_iter()
        .map(|c| ConnectedApp {
            consent_id: c.consent.id.to_string(),
            scopes: c
                .consent
                .scope_codes()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            granted_on: japan_time(c.consent.granted_at).0,
            until: japan_time(c.consent.expires_at).0,
            last_read: c.last_read.map(japan_time),
            name: c.app.name,
            operator: c.app.operator,
            purpose: c.app.purpose,
        })
        .collect();
    render::page(
        StatusCode::OK,
        &ConnectedAppsPage {
            shell,
            apps,
            // Only a short name is echoed; the banner text escapes it like any other value.
            revoked: query
                .into_inner()
                .revoked
                .filter(|name| name.chars().count() <= 100),
        },
    )
}

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::models::citizen::Citizen;
use portal_storage::now_millis;
use portal_web::pages::sign_in::SessionWarningPage;
use portal_web::{ActingView, SessionView};

use crate::auth::session::SESSION_COOKIE;
use crate::error::AppError;
use crate::render;
use crate::state::AppState;

/// Reached by the page's meta refresh (no JavaScript) shortly before the idle time-out. Reading the session
/// here must not extend it, so it is looked up without touching.
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let token = req
        .cookie(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let sessions = state.sessions();
    match sessions.peek(&token).await? {
        Some(session) => {
            let seconds_left = session.idle_seconds_left(sessions.policy(), now_millis());
            let id = session.citizen()?;
            let name = state
                .db
                .run(move |c| Citizen::find(c, id))
                .await?
                .map(|c| c.name)
                .unwrap_or_default();
            // The same header as every signed-in page (consistent navigation); counting reads no session.
            // While acting for someone, their notices, as on every other page.
            let whose = session
                .acting_for
                .as_ref()
                .and_then(|a| a.principal_id.parse().ok())
                .unwrap_or(id);
            let unread = crate::services::inbox::unread_count(&state, whose).await?;
            let mut shell = render::shell(&req);
            shell.session = Some(SessionView {
                name,
                idle_seconds_left: seconds_left,
                warn_seconds_before: sessions.policy().warn_before.as_secs(),
                unread_notices: Some(unread),
                acting_for: session.acting_for.as_ref().map(|a| ActingView {
                    name: a.principal_name.clone(),
                    may_act: a.scope == portal_storage::models::proxy::ACT,
                }),
            });
            render::page(
                StatusCode::OK,
                &SessionWarningPage {
                    shell,
                    seconds_left,
                },
            )
        }
        None => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, "/signed-out?timeout=1"))
            .finish()),
    }
}

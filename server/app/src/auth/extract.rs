//! The signed-in citizen as a handler argument. Handlers that take [`SignedIn`] are for citizens only:
//! anyone else is sent to the sign-in page.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use portal_storage::ids::CitizenId;
use portal_web::SessionView;

use super::session::{SESSION_COOKIE, Session, SessionPolicy};
use crate::error::AppError;
use crate::state::AppState;

pub struct SignedIn {
    pub token: String,
    pub session: Session,
    /// When any notice last changed, for the session's cached unread count.
    pub notices_changed_at: Option<i64>,
    pub citizen: CitizenId,
    pub policy: SessionPolicy,
}

impl SignedIn {
    /// What the page shell shows: name, and when the idle warning is due (the unread notices are added by
    /// [`crate::render::citizen_shell`]).
    pub fn view(&self, name: &str) -> SessionView {
        SessionView {
            name: name.to_owned(),
            idle_seconds_left: self
                .session
                .idle_seconds_left(&self.policy, portal_storage::now_millis()),
            warn_seconds_before: self.policy.warn_before.as_secs(),
            // Counted by the page shell, which has the database at hand.
            unread_notices: None,
        }
    }
}

impl FromRequest for SignedIn {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<SignedIn, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let req = req.clone();
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                super::return_to::remember(&req);
                return Err(AppError::SignInRequired);
            };
            let sessions = state.sessions();
            let Some(resumed) = sessions.resume(&token).await? else {
                super::return_to::remember(&req);
                return Err(AppError::SignInRequired);
            };
            let citizen = resumed.session.citizen()?;
            Ok(SignedIn {
                token,
                session: resumed.session,
                notices_changed_at: resumed.notices_changed_at,
                citizen,
                policy: *sessions.policy(),
            })
        })
    }
}

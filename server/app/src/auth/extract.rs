//! The signed-in citizen as a handler argument. Handlers that take [`SignedIn`] are for citizens only:
//! anyone else is sent to the sign-in page.
//!
//! While the citizen acts as someone's proxy (代理人), `citizen` is the principal, so every page shows and
//! changes the principal's affairs, and `actor` is the person signed in. Whether the request is allowed at
//! all while acting is decided here, once for every page ([`crate::services::proxies::permits`]).

use std::future::Future;
use std::pin::Pin;

use actix_web::HttpMessage;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use portal_storage::ids::CitizenId;
use portal_storage::models::proxy::{ACT, ActingProxy};
use portal_web::{ActingView, SessionView};

use super::session::{ActingFor, SESSION_COOKIE, Session, SessionPolicy};
use crate::error::AppError;
use crate::services::proxies::{self, NotWhileActing};
use crate::state::AppState;

/// Set on a request refused while acting for someone, for the error page to say why and offer to switch
/// back.
#[derive(Debug, Clone)]
pub struct ActingRefusal {
    pub principal_name: String,
    pub reason: NotWhileActing,
}

pub struct SignedIn {
    pub token: String,
    pub session: Session,
    /// When any notice last changed, for the session's cached unread count.
    pub notices_changed_at: Option<i64>,
    /// Whose affairs the page is about: the principal while acting for someone, else the citizen signed in.
    pub citizen: CitizenId,
    /// The citizen signed in.
    pub actor: CitizenId,
    /// Whom they act for, and the scope they hold, checked on this request.
    pub acting: Option<Acting>,
    pub policy: SessionPolicy,
}

/// A session acting for someone, as checked on this request.
#[derive(Debug, Clone)]
pub struct Acting {
    pub on: ActingFor,
    /// `read` or `act`.
    pub scope: String,
}

impl SignedIn {
    /// The proxy to record on what is made now: `None` when the citizen acts for themselves.
    pub fn acting_proxy(&self) -> Option<ActingProxy> {
        self.acting.as_ref().map(|a| ActingProxy {
            id: self.actor,
            name: a.on.own_name.clone(),
        })
    }
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
            acting_for: self.acting.as_ref().map(|a| ActingView {
                name: a.on.principal_name.clone(),
                may_act: a.scope == ACT,
            }),
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
            let actor = resumed.session.citizen()?;
            let mut session = resumed.session;
            let acting = match session.acting_for.clone() {
                None => None,
                Some(on) => {
                    let refuse = |reason| {
                        req.extensions_mut().insert(ActingRefusal {
                            principal_name: on.principal_name.clone(),
                            reason,
                        });
                        AppError::NotWhileActing
                    };
                    let Some(scope) = proxies::scope_in_force(&state, &on, actor).await? else {
                        // Back to acting for themselves from the next page on.
                        session.acting_for = None;
                        session.unread = None;
                        sessions.store(&token, &session).await?;
                        return Err(refuse(NotWhileActing::Ended));
                    };
                    let changes = !req.method().is_safe();
                    if let Err(reason) = proxies::permits(&scope, changes, req.path()) {
                        return Err(refuse(reason));
                    }
                    Some(Acting { on, scope })
                }
            };
            let citizen = match &acting {
                Some(a) => {
                    a.on.principal_id
                        .parse()
                        .map_err(|_| AppError::BadRequest("malformed session".to_owned()))?
                }
                None => actor,
            };
            Ok(SignedIn {
                token,
                session,
                notices_changed_at: resumed.notices_changed_at,
                citizen,
                actor,
                acting,
                policy: *sessions.policy(),
            })
        })
    }
}

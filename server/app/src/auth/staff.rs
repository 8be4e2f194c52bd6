//! The signed-in member of agency staff as a handler argument: pages of the staff console take
//! [`StaffOnDuty`]; anyone without a live console session is sent to the console's sign-in page. A page
//! that needs a role checks it with [`StaffOnDuty::require`].

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use crate::error::AppError;
use crate::services::staff::{self, OnDuty, SESSION_COOKIE};
use crate::state::AppState;

pub struct StaffOnDuty {
    pub token: String,
    pub duty: OnDuty,
}

impl StaffOnDuty {
    /// Refuses (403) a member without `role`.
    pub fn require(&self, role: &str) -> Result<(), AppError> {
        if self.duty.member.has_role(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl FromRequest for StaffOnDuty {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<StaffOnDuty, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                return Err(AppError::StaffSignInRequired);
            };
            let Some(duty) = staff::resume(&state, &token).await? else {
                return Err(AppError::StaffSignInRequired);
            };
            Ok(StaffOnDuty { token, duty })
        })
    }
}

//! The one error type of the server crate, and the only place errors become HTTP statuses. Pages get the
//! HTML error page (rendered with the request's language by [`crate::middleware::error_pages`]); GraphQL
//! gets `extensions.code` (see [`crate::graphql::error`]).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use portal_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// A page for signed-in citizens, asked for without a live session.
    #[error("sign-in required")]
    SignInRequired,
    /// A page of the staff console, asked for without a live console session.
    #[error("staff sign-in required")]
    StaffSignInRequired,
    /// Signed in, but without the role or right the page needs.
    #[error("forbidden")]
    Forbidden,
    /// A POST whose CSRF token is missing or does not match the cookie.
    #[error("the form's security token is missing or does not match")]
    Csrf,
    /// Not allowed while acting as someone's proxy (the request says why: see
    /// [`crate::auth::extract::ActingRefusal`]).
    #[error("not allowed while acting for someone")]
    NotWhileActing,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A post larger than any form of the portal sends.
    #[error("the request is too large")]
    TooLarge,
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The bank table could not be read or a transfer file built.
    #[error(transparent)]
    Bank(#[from] portal_bank::BankError),
    #[error("sending mail failed: {0}")]
    Mail(String),
    /// The attachments' store could not be written or read.
    #[error("file store: {0}")]
    Files(#[source] std::io::Error),
    #[error("rendering a page failed: {0}")]
    Template(#[from] askama::Error),
    /// Raised while starting; never reaches a request.
    #[error("{0}")]
    Startup(String),
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::SignInRequired | AppError::StaffSignInRequired => StatusCode::SEE_OTHER,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Csrf | AppError::NotWhileActing => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            // Every connection busy or the database gone: the client may retry.
            AppError::Storage(
                StorageError::Pool(_) | StorageError::Timeout(..) | StorageError::Redis(_),
            ) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Storage(_)
            | AppError::Bank(_)
            | AppError::Mail(_)
            | AppError::Files(_)
            | AppError::Template(_)
            | AppError::Startup(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// An empty body: the error-page middleware fills in the page in the user's language.
    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let AppError::SignInRequired = self {
            return HttpResponse::SeeOther()
                .insert_header((actix_web::http::header::LOCATION, "/sign-in"))
                .finish();
        }
        if let AppError::StaffSignInRequired = self {
            return HttpResponse::SeeOther()
                .insert_header((actix_web::http::header::LOCATION, "/staff/sign-in"))
                .finish();
        }
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::info!(error = %self, "request refused");
        }
        HttpResponse::build(status).finish()
    }
}

//! Machine-readable error codes in `errors[].extensions.code`. Clients switch on these, never on messages.

use async_graphql::{ErrorExtensions, Response};

use crate::error::AppError;

pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
pub const QUERY_TOO_DEEP: &str = "QUERY_TOO_DEEP";
pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
pub const NOT_FOUND: &str = "NOT_FOUND";
pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
pub const FORBIDDEN: &str = "FORBIDDEN";
pub const BAD_REQUEST: &str = "BAD_REQUEST";
pub const UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
pub const INTERNAL: &str = "INTERNAL_SERVER_ERROR";

impl AppError {
    pub fn graphql_code(&self) -> &'static str {
        match self {
            AppError::NotFound => NOT_FOUND,
            AppError::SignInRequired | AppError::StaffSignInRequired => UNAUTHENTICATED,
            AppError::Forbidden => FORBIDDEN,
            AppError::BadRequest(_) | AppError::TooLarge | AppError::Csrf => BAD_REQUEST,
            AppError::NotWhileActing => FORBIDDEN,
            AppError::Storage(_) => UNAVAILABLE,
            AppError::Bank(_)
            | AppError::Mail(_)
            | AppError::Files(_)
            | AppError::Template(_)
            | AppError::Startup(_) => INTERNAL,
        }
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        // Internal details stay in the log; the client gets the code and a generic message.
        let message = match self {
            AppError::NotFound | AppError::BadRequest(_) => self.to_string(),
            _ => "the request could not be completed".to_owned(),
        };
        async_graphql::Error::new(message).extend_with(|_, e| e.set("code", self.graphql_code()))
    }
}

/// Gives every error without a code one: request-level errors (parse, validation, limits) come from
/// async-graphql itself and carry none.
pub fn add_codes(response: &mut Response, query: &str) {
    let mut parse_failed = None;
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if has_code {
            continue;
        }
        // Errors raised while resolving carry the path of their field; request-level ones have none.
        let code = if !error.path.is_empty() {
            INTERNAL
        } else if *parse_failed
            .get_or_insert_with(|| async_graphql::parser::parse_query(query).is_err())
        {
            PARSE_FAILED
        } else if error.message == "Query is nested too deep." {
            QUERY_TOO_DEEP
        } else if error.message == "Query is too complex." {
            QUERY_TOO_COMPLEX
        } else {
            VALIDATION_FAILED
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
}

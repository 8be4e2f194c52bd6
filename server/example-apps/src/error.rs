//! The crate's one error type. [`crate::pages::error_page`] turns each into the page a citizen sees.

/// What can go wrong while an app talks to the portal or answers the browser.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The portal refuses this app's tokens: an HTTP 401 that a refresh did not cure, a refresh answered
    /// `invalid_grant`, or a GraphQL error coded `UNAUTHENTICATED` or `FORBIDDEN`. The citizen (or the
    /// portal) has withdrawn the app's access; the app forgets its tokens.
    #[error("the portal no longer accepts this app's tokens: {0}")]
    Disconnected(String),
    /// This browser has not connected the app yet (or the app forgot its tokens).
    #[error("this browser session holds no tokens")]
    NotConnected,
    /// The portal answered HTTP 429; `retry_after` is its Retry-After in seconds, when it gave one.
    #[error("the portal asks to slow down (retry after {retry_after:?} s)")]
    RateLimited { retry_after: Option<u64> },
    /// The callback's `state` is not the one this browser session sent.
    #[error("the state parameter does not match this session's")]
    StateMismatch,
    /// A callback arrived for a browser session with no authorization under way.
    #[error("no authorization is under way for this browser session")]
    NoPendingAuthorization,
    /// The portal sent the citizen back with an error (RFC 6749 §4.1.2.1), e.g. `access_denied`.
    #[error("the portal answered the authorization request with {error}")]
    Authorization {
        error: String,
        description: Option<String>,
    },
    /// A request to this app that it cannot act on.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The token endpoint refused a request for another reason than `invalid_grant`.
    #[error("token endpoint: {0}")]
    Token(String),
    /// GraphQL errors other than the ones that mean the app was disconnected.
    #[error("GraphQL errors: {}", .0.join("; "))]
    GraphQl(Vec<String>),
    /// Any other unexpected HTTP status from the portal.
    #[error("the portal answered HTTP {0}")]
    Status(u16),
    /// The portal's answer was not the shape this app expects.
    #[error("unexpected answer from the portal: {0}")]
    Decode(String),
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[error("bad URL: {0}")]
    Url(#[from] url::ParseError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

//! `/oauth/authorize`: an app sends the citizen here (RFC 6749 §4.1.1 with PKCE). A request that names an
//! unknown app or a return address the app did not register is shown as an error and never redirected;
//! other faults go back to the app as §4.1.2.1 says. A signed-out citizen signs in with the card first and
//! comes back here; then the consent page asks, and the answer is posted back with the request, which is
//! checked again.

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use portal_web::pages::apps::{AuthorizeErrorPage, ConsentPage};

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::middleware::security::FormActionAlso;
use crate::render::{self, see_other};
use crate::services::history::japan_time;
use crate::services::oauth::{self, AuthorizeProblem, AuthorizeRequest, CONSENT_DAYS};
use crate::state::AppState;

fn pairs(raw: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw)
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect()
}

/// The error page for a request that cannot be sent back, or the redirect back to the app with the error.
fn refused(req: &HttpRequest, problem: AuthorizeProblem) -> Result<HttpResponse, AppError> {
    match problem {
        AuthorizeProblem::NoRedirect(reason_key) => render::page(
            StatusCode::BAD_REQUEST,
            &AuthorizeErrorPage {
                shell: render::shell(req),
                reason_key,
            },
        ),
        AuthorizeProblem::Redirect {
            redirect_uri,
            error,
            state,
        } => {
            let mut params = vec![
                ("error", error.code),
                ("error_description", error.description.as_str()),
            ];
            if let Some(state) = &state {
                params.push(("state", state));
            }
            Ok(see_other(&oauth::redirect_with(&redirect_uri, &params)))
        }
    }
}

/// The scheme, host and port of a redirect URI (checked at registration to be absolute).
fn origin(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{authority}"))
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let request = match oauth::check_authorize(&state, pairs(req.query_string().as_bytes())).await?
    {
        Ok(request) => request,
        Err(problem) => return refused(&req, problem),
    };
    // Only now: a broken request is answered without making the citizen sign in first.
    let signed_in = SignedIn::extract(&req).await?;
    consent_page(&req, &state, &signed_in, &request).await
}

async fn consent_page(
    req: &HttpRequest,
    state: &AppState,
    signed_in: &SignedIn,
    request: &AuthorizeRequest,
) -> Result<HttpResponse, AppError> {
    // The answer is a redirect to the app, which the page's CSP must allow the form to lead to.
    if let Some(origin) = origin(&request.redirect_uri) {
        req.extensions_mut().insert(FormActionAlso(origin));
    }
    let shell = render::citizen_shell(req, state, signed_in).await?;
    let (until, _) = japan_time(oauth::consent_end(portal_storage::now_millis()));
    render::page(
        StatusCode::OK,
        &ConsentPage {
            shell,
            app_name: request.app.name.clone(),
            operator: request.app.operator.clone(),
            purpose: request.app.purpose.clone(),
            scopes: request.scopes.iter().map(|s| s.code.to_owned()).collect(),
            days: CONSENT_DAYS,
            until,
            request: request.params.clone(),
        },
    )
}

/// The citizen's answer: approve (a code back to the app) or deny (`access_denied`).
pub async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let form = pairs(&body);
    let field = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    csrf::verify(&req, &field("csrf_token"))?;
    let request = match oauth::check_authorize(&state, form.clone()).await? {
        Ok(request) => request,
        Err(problem) => return refused(&req, problem),
    };
    match field("decision").as_str() {
        "approve" => {
            let location = oauth::approve(&state, signed_in.citizen, &request).await?;
            Ok(see_other(&location))
        }
        "deny" => Ok(see_other(&oauth::deny(&request))),
        // Neither button (a hand-made post): ask again.
        _ => consent_page(&req, &state, &signed_in, &request).await,
    }
}

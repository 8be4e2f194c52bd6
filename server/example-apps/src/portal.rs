//! The app's side of the portal: its OAuth2 client (authorization code + PKCE S256, refresh), its browser
//! sessions, and GraphQL calls that refresh an expired token once before giving up.

use std::net::SocketAddr;
use std::time::Instant;

use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    TokenResponse, TokenUrl,
};
use reqwest::header;
use serde_json::{Value, json};
use url::Url;

use crate::error::Error;
use crate::graphql::{self, Answer, Fetched};
use crate::html;
use crate::queries::Connection;
use crate::session::{Pending, Sessions, Tokens};

/// Records asked for per page (the portal's maximum).
pub const PAGE_SIZE: u32 = 100;
/// Pages followed per connection before the rest is left unread.
pub const MAX_PAGES: usize = 10;

/// The OAuth2 client once its authorization and token endpoints are set.
pub type OAuthClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// What tells one example app from the other.
#[derive(Debug, Clone)]
pub struct AppInfo {
    /// Its name, shown in every page's header and title.
    pub name: &'static str,
    /// What it does, for the start page: trusted HTML (one or more paragraphs).
    pub about_html: &'static str,
    /// The scopes it asks for.
    pub scopes: &'static [&'static str],
    /// Its data page, where `/callback` sends the citizen.
    pub data_path: &'static str,
    /// The link text for the data page.
    pub data_link: &'static str,
    /// The name of its session cookie.
    pub cookie: &'static str,
}

/// The command line's settings, common to both apps.
#[derive(Debug, Clone)]
pub struct Config {
    /// The portal's base URL, e.g. `http://127.0.0.1:8080`.
    pub portal: Url,
    /// Where the app listens; its redirect URI is `http://<listen>/callback`.
    pub listen: SocketAddr,
    pub client_id: String,
    /// A confidential app's secret (sent with HTTP Basic); none for a public app.
    pub client_secret: Option<String>,
}

impl Config {
    pub fn redirect_uri(&self) -> String {
        format!("http://{}/callback", self.listen)
    }
}

/// One app's connection to the portal, shared by every request.
#[derive(Debug)]
pub struct Portal {
    pub info: AppInfo,
    pub sessions: Sessions,
    oauth: OAuthClient,
    http: reqwest::Client,
    graphql: Url,
    csp: String,
}

/// `base` joined with `path`, keeping any path `base` already has (`http://h/portal` + `graphql` →
/// `http://h/portal/graphql`).
pub fn endpoint(base: &Url, path: &str) -> Result<Url, url::ParseError> {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let with_slash = format!("{}/", base.path());
        base.set_path(&with_slash);
    }
    base.join(path)
}

impl Portal {
    pub fn new(info: AppInfo, config: &Config) -> Result<Self, Error> {
        let mut oauth = BasicClient::new(ClientId::new(config.client_id.clone()))
            .set_auth_uri(AuthUrl::from_url(endpoint(
                &config.portal,
                "oauth/authorize",
            )?))
            .set_token_uri(TokenUrl::from_url(endpoint(&config.portal, "oauth/token")?))
            .set_redirect_uri(RedirectUrl::new(config.redirect_uri())?);
        oauth = match &config.client_secret {
            // Confidential: client_secret_basic, oauth2's default.
            Some(secret) => oauth.set_client_secret(ClientSecret::new(secret.clone())),
            // Public: client_id in the token request's body, PKCE alone proves the caller.
            None => oauth.set_auth_type(AuthType::RequestBody),
        };
        // As oauth2's documentation says: no redirects, so a token request cannot be sent elsewhere.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("portal-example-apps/", env!("CARGO_PKG_VERSION")))
            .timeout(std::time::Duration::from_secs(30))
            .build()?;
        let origin = config.portal.origin().ascii_serialization();
        Ok(Self {
            sessions: Sessions::new(info.cookie),
            info,
            oauth,
            http,
            graphql: endpoint(&config.portal, "graphql")?,
            csp: html::csp(&origin),
        })
    }

    /// The content security policy of this app's pages.
    pub fn csp(&self) -> &str {
        &self.csp
    }

    /// The authorization URL with the app's scopes, a PKCE S256 challenge and a random `state`, and what
    /// the callback will need to check and send back.
    pub fn authorize(&self) -> (Url, Pending) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = self
            .oauth
            .authorize_url(CsrfToken::new_random)
            .add_scopes(self.info.scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .set_pkce_challenge(challenge)
            .url();
        let pending = Pending {
            state,
            verifier,
            started: Instant::now(),
        };
        (url, pending)
    }

    /// Exchanges an authorization code, with the PKCE verifier, for tokens.
    pub async fn exchange(&self, code: String, pending: Pending) -> Result<Tokens, Error> {
        let answer = self
            .oauth
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(pending.verifier)
            .request_async(&self.http)
            .await;
        tokens_from(answer, None)
    }

    /// Uses the refresh token; keeps the old one when the portal sends no new one.
    async fn refresh(&self, refresh: &RefreshToken) -> Result<Tokens, Error> {
        let answer = self
            .oauth
            .exchange_refresh_token(refresh)
            .request_async(&self.http)
            .await;
        tokens_from(answer, Some(refresh))
    }

    /// Refreshes the session's tokens. Without a refresh token, or when the portal answers
    /// `invalid_grant`, the app has been disconnected: its tokens are forgotten.
    async fn refresh_session(&self, session: &str, tokens: &Tokens) -> Result<Tokens, Error> {
        let Some(refresh) = &tokens.refresh else {
            self.sessions.forget_tokens(session);
            return Err(Error::Disconnected(
                "the access token expired and there is no refresh token".to_owned(),
            ));
        };
        match self.refresh(refresh).await {
            Ok(fresh) => {
                self.sessions.set_tokens(session, fresh.clone());
                Ok(fresh)
            }
            Err(e @ Error::Disconnected(_)) => {
                self.sessions.forget_tokens(session);
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// One GraphQL POST with the access token.
    async fn post(
        &self,
        tokens: &Tokens,
        document: &str,
        variables: &Value,
    ) -> Result<Answer, Error> {
        let response = self
            .http
            .post(self.graphql.clone())
            .bearer_auth(tokens.access.secret())
            .json(&json!({"query": document, "variables": variables}))
            .send()
            .await?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await?;
        Ok(graphql::classify(status, retry_after.as_deref(), &body))
    }

    /// Runs a GraphQL document for the session and returns its `data`. An expired token is refreshed
    /// first; a 401 (or `UNAUTHENTICATED`) is answered by one refresh and one retry.
    pub async fn query(
        &self,
        session: &str,
        document: &str,
        variables: &Value,
    ) -> Result<Value, Error> {
        let mut tokens = self.sessions.tokens(session).ok_or(Error::NotConnected)?;
        if tokens.expired(Instant::now()) {
            tokens = self.refresh_session(session, &tokens).await?;
        }
        let mut answer = self.post(&tokens, document, variables).await?;
        if answer == Answer::Unauthenticated {
            tokens = self.refresh_session(session, &tokens).await?;
            answer = self.post(&tokens, document, variables).await?;
        }
        match answer {
            Answer::Data(data) => Ok(data),
            Answer::Unauthenticated => {
                self.sessions.forget_tokens(session);
                Err(Error::Disconnected(
                    "a refreshed token was not accepted either".to_owned(),
                ))
            }
            Answer::Forbidden(message) => {
                self.sessions.forget_tokens(session);
                Err(Error::Disconnected(message))
            }
            Answer::RateLimited(retry_after) => Err(Error::RateLimited { retry_after }),
            Answer::Errors(messages) => Err(Error::GraphQl(messages)),
            Answer::Status(status) => Err(Error::Status(status)),
            Answer::Malformed(why) => Err(Error::Decode(why)),
        }
    }

    /// Every record of one connection updated within `from..=to` (`YYYY-MM-DD`, either may be open),
    /// following `pageInfo.endCursor` for at most [`MAX_PAGES`] pages.
    pub async fn fetch_all(
        &self,
        session: &str,
        connection: Connection,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Fetched, Error> {
        let mut fetched = Fetched::default();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let variables = json!({"first": PAGE_SIZE, "after": after, "from": from, "to": to});
            let data = self.query(session, connection.document, &variables).await?;
            let page = graphql::connection_page(&data, connection.field).map_err(Error::Decode)?;
            fetched.total_count = page.total_count.or(fetched.total_count);
            fetched
                .records
                .extend(page.edges.into_iter().map(|e| e.node));
            match page.page_info.end_cursor {
                Some(cursor) if page.page_info.has_next_page => after = Some(cursor),
                _ => return Ok(fetched),
            }
        }
        fetched.truncated = true;
        Ok(fetched)
    }
}

type TokenAnswer = Result<
    BasicTokenResponse,
    RequestTokenError<oauth2::HttpClientError<reqwest::Error>, oauth2::basic::BasicErrorResponse>,
>;

/// Tokens from a token endpoint answer; `invalid_grant` means the grant is gone (disconnected).
fn tokens_from(answer: TokenAnswer, old_refresh: Option<&RefreshToken>) -> Result<Tokens, Error> {
    match answer {
        Ok(response) => Ok(Tokens {
            access: response.access_token().clone(),
            refresh: response.refresh_token().or(old_refresh).cloned(),
            expires_at: response.expires_in().map(|d| Instant::now() + d),
        }),
        Err(RequestTokenError::ServerResponse(e)) => {
            let description = e.error_description().cloned().unwrap_or_default();
            match e.error() {
                BasicErrorResponseType::InvalidGrant => {
                    Err(Error::Disconnected(format!("invalid_grant: {description}")))
                }
                BasicErrorResponseType::Extension(code) if code == "temporarily_unavailable" => {
                    Err(Error::RateLimited { retry_after: None })
                }
                other => Err(Error::Token(format!("{other}: {description}"))),
            }
        }
        Err(RequestTokenError::Request(e)) => Err(Error::Token(format!("request failed: {e}"))),
        Err(RequestTokenError::Parse(e, _)) => Err(Error::Token(format!("unreadable answer: {e}"))),
        Err(RequestTokenError::Other(e)) => Err(Error::Token(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(secret: Option<&str>) -> Config {
        Config {
            portal: Url::parse("http://127.0.0.1:8080").unwrap(),
            listen: "127.0.0.1:8091".parse().unwrap(),
            client_id: "app-123".into(),
            client_secret: secret.map(str::to_owned),
        }
    }

    fn info() -> AppInfo {
        AppInfo {
            name: "テスト",
            about_html: "<p>テスト</p>",
            scopes: &["health_checkups", "prescriptions"],
            data_path: "/records",
            data_link: "記録",
            cookie: "test_session",
        }
    }

    #[test]
    fn endpoints_keep_a_base_path() {
        let base = Url::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            endpoint(&base, "oauth/authorize").unwrap().as_str(),
            "http://127.0.0.1:8080/oauth/authorize"
        );
        let base = Url::parse("http://example.test/portal").unwrap();
        assert_eq!(
            endpoint(&base, "graphql").unwrap().as_str(),
            "http://example.test/portal/graphql"
        );
    }

    #[test]
    fn the_authorize_url_carries_scopes_pkce_and_state() {
        let portal = Portal::new(info(), &config(Some("s3cret"))).unwrap();
        let (url, pending) = portal.authorize();
        assert_eq!(url.path(), "/oauth/authorize");
        let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "app-123");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:8091/callback");
        assert_eq!(q["scope"], "health_checkups prescriptions");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["state"], *pending.state.secret());
        let expected = PkceCodeChallenge::from_code_verifier_sha256(&pending.verifier);
        assert_eq!(q["code_challenge"], *expected.as_str());
        let (_, again) = portal.authorize();
        assert_ne!(again.state.secret(), pending.state.secret());
    }
}

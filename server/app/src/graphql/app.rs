//! Private apps of the 自己情報取得API through GraphQL: the scopes anyone may look up, and registration, which
//! only the portal's operator (the Digital Agency's client) may do.

use async_graphql::{Context, ErrorExtensions, InputObject, Object, SimpleObject};
use portal_storage::models::app::App;
use portal_web::Lang;

use crate::graphql::agency::{agency, state};
use crate::graphql::error::FORBIDDEN;
use crate::services::apps::{self, NewApp, Registered, SCOPES};

/// A scope an app may ask a citizen for.
#[derive(SimpleObject)]
pub struct AppScope {
    code: String,
    name_ja: String,
    name_en: String,
    /// The わたしの情報 categories it reads (none for `notices_read`).
    categories: Vec<String>,
}

/// An app to register.
#[derive(InputObject)]
pub struct AppInput {
    name: String,
    /// The company or body that runs it.
    operator: String,
    /// Its one purpose, in the words citizens see on the consent page.
    purpose: String,
    /// Scope codes it may ask for (see `appScopes`).
    scopes: Vec<String>,
    /// Exact redirect URIs: https, or http on the loopback address for an app on the citizen's computer.
    redirect_uris: Vec<String>,
    /// Confidential apps (run on the operator's servers) get a secret; public ones rely on PKCE alone.
    confidential: bool,
}

/// A registered app.
#[derive(SimpleObject)]
pub struct RegisteredApp {
    client_id: String,
    /// A confidential app's secret: shown this once, kept only as an argon2id hash.
    client_secret: Option<String>,
    name: String,
    operator: String,
    purpose: String,
    scopes: Vec<String>,
    redirect_uris: Vec<String>,
    confidential: bool,
    /// Unix milliseconds when the operator withdrew it; null while it is live.
    withdrawn_at: Option<i64>,
}

impl RegisteredApp {
    fn of(app: &App, client_secret: Option<String>) -> RegisteredApp {
        RegisteredApp {
            client_id: app.client_id.clone(),
            client_secret,
            name: app.name.clone(),
            operator: app.operator.clone(),
            purpose: app.purpose.clone(),
            scopes: app.scope_codes().into_iter().map(str::to_owned).collect(),
            redirect_uris: app
                .redirect_uri_list()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            confidential: app.confidential,
            withdrawn_at: app.revoked_at,
        }
    }
}

impl From<Registered> for RegisteredApp {
    fn from(r: Registered) -> Self {
        RegisteredApp::of(&r.app, r.client_secret)
    }
}

/// Only the portal's operator registers apps.
fn operator<'a>(
    ctx: &Context<'a>,
) -> async_graphql::Result<&'a crate::services::agencies::AgencyPrincipal> {
    let principal = agency(ctx)?;
    if principal.code != "digital" {
        return Err(async_graphql::Error::new(
            "only the portal's operator (the Digital Agency) manages apps",
        )
        .extend_with(|_, e| e.set("code", FORBIDDEN)));
    }
    Ok(principal)
}

#[derive(Default)]
pub struct AppQuery;

#[Object]
impl AppQuery {
    /// Every scope an app may be registered for, with its names for citizens.
    async fn app_scopes(&self) -> Vec<AppScope> {
        SCOPES
            .iter()
            .map(|s| AppScope {
                code: s.code.to_owned(),
                name_ja: Lang::Ja.t(&format!("scope.{}", s.code)).to_owned(),
                name_en: Lang::En.t(&format!("scope.{}", s.code)).to_owned(),
                categories: s.categories.iter().map(|c| (*c).to_owned()).collect(),
            })
            .collect()
    }

    /// Every registered app (the operator only); secrets are never shown again.
    async fn apps(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RegisteredApp>> {
        operator(ctx)?;
        let listed = apps::list(state(ctx)?).await.map_err(|e| e.extend())?;
        Ok(listed.iter().map(|a| RegisteredApp::of(a, None)).collect())
    }
}

#[derive(Default)]
pub struct AppMutation;

#[Object]
impl AppMutation {
    /// Registers an app (the operator only). Refused with the field and reason: a missing name, operator or
    /// purpose, an unknown scope, a redirect URI that is not https (or loopback http) or has a fragment.
    async fn register_app(
        &self,
        ctx: &Context<'_>,
        app: AppInput,
    ) -> async_graphql::Result<RegisteredApp> {
        operator(ctx)?;
        let new = NewApp {
            name: app.name,
            operator: app.operator,
            purpose: app.purpose,
            scopes: app.scopes,
            redirect_uris: app.redirect_uris,
            confidential: app.confidential,
        };
        match apps::register(state(ctx)?, new).await {
            Ok(Ok(registered)) => Ok(registered.into()),
            Ok(Err(refusal)) => Err(super::notice::refused(refusal)),
            Err(e) => Err(e.extend()),
        }
    }

    /// Withdraws an app (the operator only): no citizen can consent to it again, every live consent to it
    /// is revoked and its tokens stop working at once. `NOT_FOUND` for a client id of no live app.
    async fn withdraw_app(
        &self,
        ctx: &Context<'_>,
        client_id: String,
    ) -> async_graphql::Result<WithdrawnApp> {
        operator(ctx)?;
        match apps::withdraw(state(ctx)?, &client_id)
            .await
            .map_err(|e| e.extend())?
        {
            Some(done) => Ok(WithdrawnApp {
                app: RegisteredApp::of(&done.app, None),
                consents_revoked: done.consents as i64,
                tokens_dropped: done.tokens as i64,
            }),
            None => Err(async_graphql::Error::new("no live app has that client id")
                .extend_with(|_, e| e.set("code", crate::graphql::error::NOT_FOUND))),
        }
    }
}

/// An app just withdrawn, and what that ended.
#[derive(SimpleObject)]
pub struct WithdrawnApp {
    app: RegisteredApp,
    /// Live consents revoked.
    consents_revoked: i64,
    /// Live access tokens dropped.
    tokens_dropped: i64,
}

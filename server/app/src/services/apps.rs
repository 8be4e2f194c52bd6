//! Private apps of the 自己情報取得API (personal health records, accounting and tax software): registered by
//! the portal's operator with one stated purpose, the scopes they may ask citizens for, exact redirect URIs,
//! and — for a confidential app — a secret shown once and kept as an argon2id hash. A public app (one that
//! runs on the citizen's device) has no secret and relies on PKCE alone.

use portal_storage::ids::AppId;
use portal_storage::models::app::App;
use portal_storage::models::consent::AppConsent;
use portal_storage::now_millis;

use crate::error::AppError;
use crate::random::token;
use crate::services::notices::Refusal;
use crate::state::AppState;

/// A scope: the data category it opens, named for citizens in the web catalogs (`scope.<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub code: &'static str,
    /// The わたしの情報 categories it reads (none: it reads notices).
    pub categories: &'static [&'static str],
}

/// Every scope an app may be registered for, by data category.
pub const SCOPES: &[Scope] = &[
    Scope {
        code: "basic_info",
        categories: &["resident"],
    },
    Scope {
        code: "health_checkups",
        categories: &["health_checkups"],
    },
    Scope {
        code: "prescriptions",
        categories: &["prescriptions"],
    },
    Scope {
        code: "medical_expenses",
        categories: &["medical_expenses"],
    },
    Scope {
        code: "health_insurance",
        categories: &["health_insurance"],
    },
    Scope {
        code: "deductions",
        categories: &["deductions"],
    },
    Scope {
        code: "income_tax",
        categories: &["income_tax"],
    },
    Scope {
        code: "pension",
        categories: &["pension"],
    },
    Scope {
        code: "notices_read",
        categories: &[],
    },
];

pub fn scope(code: &str) -> Option<&'static Scope> {
    SCOPES.iter().find(|s| s.code == code)
}

const NAME_MAX: usize = 100;
const PURPOSE_MAX: usize = 500;
const REDIRECT_MAX: usize = 10;

/// An app as the operator registers it.
#[derive(Debug, Clone, Default)]
pub struct NewApp {
    pub name: String,
    pub operator: String,
    pub purpose: String,
    pub scopes: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub confidential: bool,
}

/// A registration: the client id, and a confidential app's secret (shown this once).
#[derive(Debug, Clone)]
pub struct Registered {
    pub app: App,
    pub client_secret: Option<String>,
}

/// A redirect URI the authorization server may send a citizen back to: `https` with a host, or for an app
/// on the citizen's own computer the loopback address over `http` (RFC 8252 §7.3); never a fragment
/// (RFC 6749 §3.1.2), never credentials in it.
pub fn check_redirect_uri(uri: &str) -> Result<(), &'static str> {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return Err("must be an absolute URI (https://…)");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                host
            } else {
                authority
            }
        });
    if uri.contains('#') {
        return Err("must not have a fragment (#…)");
    }
    if authority.contains('@') {
        return Err("must not carry a user name or password");
    }
    if host.is_empty() || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must have a host and no spaces");
    }
    let loopback = matches!(host, "127.0.0.1" | "[::1]" | "localhost");
    match scheme {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(
            "must use https (http only for the loopback address of an app on the citizen's computer)",
        ),
    }
}

fn check(new: &NewApp) -> Result<(), Refusal> {
    let required = |field: &str, value: &str, max: usize| {
        let count = value.trim().chars().count();
        if count == 0 || count > max {
            Err(Refusal::invalid(
                field,
                format!("is required, at most {max} characters"),
            ))
        } else {
            Ok(())
        }
    };
    required("app.name", &new.name, NAME_MAX)?;
    required("app.operator", &new.operator, NAME_MAX)?;
    required("app.purpose", &new.purpose, PURPOSE_MAX)?;
    if new.scopes.is_empty() {
        return Err(Refusal::invalid(
            "app.scopes",
            "must name at least one scope (see `appScopes`)",
        ));
    }
    for (i, code) in new.scopes.iter().enumerate() {
        if scope(code.trim()).is_none() {
            return Err(Refusal::invalid(
                &format!("app.scopes[{i}]"),
                format!("{code:?} is not a scope (see `appScopes`)"),
            ));
        }
    }
    if new.redirect_uris.is_empty() || new.redirect_uris.len() > REDIRECT_MAX {
        return Err(Refusal::invalid(
            "app.redirectUris",
            format!("must list between 1 and {REDIRECT_MAX} redirect URIs"),
        ));
    }
    for (i, uri) in new.redirect_uris.iter().enumerate() {
        if let Err(reason) = check_redirect_uri(uri) {
            return Err(Refusal::invalid(&format!("app.redirectUris[{i}]"), reason));
        }
    }
    Ok(())
}

/// Registers an app; a confidential one gets a secret, returned here and never again.
pub async fn register(
    state: &AppState,
    new: NewApp,
) -> Result<Result<Registered, Refusal>, AppError> {
    if let Err(refusal) = check(&new) {
        return Ok(Err(refusal));
    }
    let mut scopes: Vec<&str> = new.scopes.iter().map(|s| s.trim()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    let secret = new.confidential.then(|| token(32));
    let secret_hash = match &secret {
        Some(secret) => {
            let secret = secret.clone();
            Some(
                tokio::task::spawn_blocking(move || {
                    crate::services::agencies::hash_secret(&secret)
                })
                .await
                .map_err(|e| AppError::BadRequest(e.to_string()))??,
            )
        }
        None => None,
    };
    let app = App {
        id: AppId::new(),
        client_id: format!("app-{}", token(16)),
        name: new.name.trim().to_owned(),
        operator: new.operator.trim().to_owned(),
        purpose: new.purpose.trim().to_owned(),
        scopes: scopes.join(","),
        redirect_uris: new
            .redirect_uris
            .iter()
            .map(|u| u.trim())
            .collect::<Vec<_>>()
            .join("\n"),
        confidential: new.confidential,
        secret_hash,
        created_at: now_millis(),
        revoked_at: None,
    };
    let row = app.clone();
    state.db.run(move |c| App::insert(c, &row)).await?;
    Ok(Ok(Registered {
        app,
        client_secret: secret,
    }))
}

/// What withdrawing an app ended.
#[derive(Debug)]
pub struct Withdrawal {
    pub app: App,
    /// Live consents revoked.
    pub consents: usize,
    /// Live access tokens dropped.
    pub tokens: usize,
}

/// Withdraws an app (the operator's decision, e.g. after misuse): the authorization server no longer knows
/// it (no consent page, code or token for it), and every live consent to it is revoked in the same
/// transaction; then its access tokens are dropped, so its next API call fails. `None` when no live app
/// has the client id. Tokens issued while this runs are dropped by the consent check that follows every
/// issue.
pub async fn withdraw(state: &AppState, client_id: &str) -> Result<Option<Withdrawal>, AppError> {
    let now = now_millis();
    let id = client_id.to_owned();
    let done = state
        .db
        .run(move |c| {
            portal_storage::transaction(c, |c| {
                let Some(app) = App::withdraw(c, &id, now)? else {
                    return Ok(None);
                };
                let (consents, tokens) = AppConsent::revoke_all_of_app(c, app.id, now)?;
                Ok(Some((app, consents, tokens)))
            })
        })
        .await?;
    let Some((app, consents, tokens)) = done else {
        return Ok(None);
    };
    crate::services::oauth::drop_access_tokens(state, &tokens).await?;
    tracing::info!(client_id = %app.client_id, consents, tokens = tokens.len(), "app withdrawn");
    Ok(Some(Withdrawal {
        app,
        consents,
        tokens: tokens.len(),
    }))
}

/// Every registered app, oldest first.
pub async fn list(state: &AppState) -> Result<Vec<App>, AppError> {
    Ok(state.db.run(App::all).await?)
}

#[cfg(test)]
mod tests {
    use super::check_redirect_uri;

    #[test]
    fn redirect_uris_are_https_or_the_loopback_address() {
        for good in [
            "https://phr.example.jp/callback",
            "https://tax.example.com:8443/oauth/done?x=1",
            "http://127.0.0.1:53682/callback",
            "http://localhost:8080/cb",
            "http://[::1]:9000/cb",
        ] {
            assert_eq!(check_redirect_uri(good), Ok(()), "{good}");
        }
        for (bad, why) in [
            ("http://phr.example.jp/callback", "https"),
            ("https://phr.example.jp/cb#top", "fragment"),
            ("https://user:pw@phr.example.jp/cb", "user name"),
            ("phr.example.jp/cb", "absolute"),
            ("https:///cb", "host"),
            ("javascript://alert(1)", "https"),
        ] {
            let refused = check_redirect_uri(bad).expect_err(bad);
            assert!(refused.contains(why), "{bad}: {refused}");
        }
    }
}

//! 代理人: naming another citizen as one's proxy, accepting, and ending it.
//!
//! The principal chooses the scope (`read`: see their data; `act`: also apply, reply and read notices for
//! them) and the last day, and gets a one-time invitation code, valid for seven days, to give the proxy in
//! person. The proxy accepts by signing in with their own My Number Card and entering the code, as in the
//! real portal, where accepting verifies the other party's card. Only the principal ends it early; card
//! renewal or suspension does not end it (it joins citizens, not cards).
//!
//! Even with `act`, a proxy may never: change the refund account (公金受取口座), consent to or disconnect
//! apps, name or end proxies, change the e-mail address or alerts, or sign the principal out everywhere.
//! Those bind the principal beyond one procedure, or decide who else may act; they stay the principal's own.

use portal_storage::ids::{CitizenId, ProxyId};
use portal_storage::models::proxy::{self, ACT, Proxy, READ};
use portal_storage::now_millis;
use rand::Rng;
use time::Date;

use crate::auth::session::ActingFor;
use crate::error::AppError;
use crate::random::REFERENCE_ALPHABET;
use crate::state::AppState;

/// How long an invitation code can be accepted.
pub const INVITATION_DAYS: i64 = 7;
/// How far ahead the last day may be.
pub const MAX_YEARS: i32 = 5;
/// Invitations and proxies a citizen may have running at once.
pub const MAX_RUNNING: usize = 10;
/// Rows shown on the proxies page, each way.
const LISTED: i64 = 50;

/// A field of the naming form and why it was refused (a locale key suffix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub reason: &'static str,
}

/// A new invitation, with its code (shown once).
#[derive(Debug)]
pub struct Invited {
    pub proxy: Proxy,
    /// `XXXX-XXXX-XXXX` in Crockford's alphabet.
    pub code: String,
}

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown, already used, withdrawn or expired: the same answer for each.
    Unknown,
    /// The citizen's own invitation.
    Own,
    /// Already the principal's proxy.
    Already,
}

/// The SHA-256 of a code as typed: case, spaces and hyphens do not matter.
fn code_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != 'ー' && *c != '－')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    crate::services::sign_in::digest(&normal)
}

fn new_code() -> String {
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..12)
        .map(|_| char::from(REFERENCE_ALPHABET[rng.random_range(0..REFERENCE_ALPHABET.len())]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The same day [`MAX_YEARS`] on (28 February for 29 February).
fn last_allowed(today: Date) -> Date {
    let year = today.year() + MAX_YEARS;
    today
        .replace_year(year)
        .or_else(|_| today.replace_day(28).and_then(|d| d.replace_year(year)))
        .unwrap_or(today)
}

/// Checks the naming form: the scope, and the last day (a date from today to [`MAX_YEARS`] ahead).
pub fn check(
    scope: &str,
    ends_on: &str,
    today: Date,
) -> Result<(&'static str, Date), Vec<FieldError>> {
    let mut errors = Vec::new();
    let scope = match scope {
        READ => Some(READ),
        ACT => Some(ACT),
        _ => {
            errors.push(FieldError {
                field: "scope",
                reason: "choose",
            });
            None
        }
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let ends = match Date::parse(ends_on.trim(), format) {
        _ if ends_on.trim().is_empty() => Err("missing"),
        Err(_) => Err("invalid"),
        Ok(day) if day < today => Err("past"),
        Ok(day) if day > last_allowed(today) => Err("too_far"),
        Ok(day) => Ok(day),
    };
    let ends = match ends {
        Ok(day) => Some(day),
        Err(reason) => {
            errors.push(FieldError {
                field: "ends_on",
                reason,
            });
            None
        }
    };
    match (scope, ends) {
        (Some(scope), Some(ends)) if errors.is_empty() => Ok((scope, ends)),
        _ => Err(errors),
    }
}

/// Names a proxy to come: checks the form, and stores an invitation whose code is returned this once.
pub async fn invite(
    state: &AppState,
    principal: CitizenId,
    scope: &str,
    ends_on: &str,
) -> Result<Result<Invited, Vec<FieldError>>, AppError> {
    let today = crate::japan_today();
    let (scope, ends) = match check(scope, ends_on, today) {
        Ok(checked) => checked,
        Err(errors) => return Ok(Err(errors)),
    };
    let now = now_millis();
    let today_text = today.to_string();
    let running = state
        .db
        .run(move |c| Proxy::running(c, principal, now, &today_text))
        .await?;
    if running >= MAX_RUNNING {
        return Ok(Err(vec![FieldError {
            field: "scope",
            reason: "too_many",
        }]));
    }
    let code = new_code();
    let row = Proxy {
        id: ProxyId::new(),
        principal_id: principal,
        proxy_id: None,
        scope: scope.to_owned(),
        ends_on: ends.to_string(),
        invitation_hash: Some(code_hash(&code)),
        invitation_expires_at: now.saturating_add(INVITATION_DAYS * 24 * 3_600_000),
        created_at: now,
        accepted_at: None,
        ended_at: None,
    };
    let stored = row.clone();
    state.db.run(move |c| Proxy::insert(c, &stored)).await?;
    Ok(Ok(Invited { proxy: row, code }))
}

/// The invitation a code opens, with the principal's name, as the proxy is asked to confirm it.
pub async fn invitation(
    state: &AppState,
    proxy: CitizenId,
    code: &str,
) -> Result<Result<(Proxy, String), Refusal>, AppError> {
    let hash = code_hash(code);
    let now = now_millis();
    let today = crate::japan_today().to_string();
    let found = state
        .db
        .run(move |c| {
            let Some((invitation, name)) = Proxy::find_invitation(c, &hash, now)? else {
                return Ok(Err(Refusal::Unknown));
            };
            if invitation.principal_id == proxy {
                return Ok(Err(Refusal::Own));
            }
            if Proxy::in_force_between(c, invitation.principal_id, proxy, &today)?.is_some() {
                return Ok(Err(Refusal::Already));
            }
            Ok(Ok((invitation, name)))
        })
        .await?;
    Ok(found)
}

/// Accepts the invitation `code` opens, for the signed-in `proxy`.
pub async fn accept(
    state: &AppState,
    proxy: CitizenId,
    code: &str,
) -> Result<Result<(Proxy, String), Refusal>, AppError> {
    let (invitation, name) = match invitation(state, proxy, code).await? {
        Ok(found) => found,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let id = invitation.id;
    let now = now_millis();
    // Another tab or person may have used the code meanwhile: the update says whether this one did.
    if !state
        .db
        .run(move |c| Proxy::accept(c, id, proxy, now))
        .await?
    {
        return Ok(Err(Refusal::Unknown));
    }
    tracing::info!(proxy_id = %id, "proxy accepted");
    Ok(Ok((
        Proxy {
            proxy_id: Some(proxy),
            accepted_at: Some(now),
            invitation_hash: None,
            ..invitation
        },
        name,
    )))
}

/// Ends a proxy, or withdraws an invitation, of `principal`'s; false when they have no such one running.
pub async fn end(state: &AppState, principal: CitizenId, id: ProxyId) -> Result<bool, AppError> {
    let now = now_millis();
    Ok(state
        .db
        .run(move |c| Proxy::end(c, id, principal, now))
        .await?)
}

/// One row of the proxies page, with the other citizen's name (none while an invitation waits).
#[derive(Debug, Clone)]
pub struct Listed {
    pub proxy: Proxy,
    pub other: Option<String>,
}

/// What the proxies page shows: the proxies the citizen named, and those they act for.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    pub given: Vec<Listed>,
    pub held: Vec<Listed>,
}

/// The citizen's proxies both ways, with the names of the others: three queries.
pub async fn overview(state: &AppState, citizen: CitizenId) -> Result<Overview, AppError> {
    Ok(state
        .db
        .run(move |c| {
            let given = Proxy::given(c, citizen, LISTED)?;
            let held = Proxy::held(c, citizen, LISTED)?;
            let ids: Vec<CitizenId> = given
                .iter()
                .filter_map(|p| p.proxy_id)
                .chain(held.iter().map(|p| p.principal_id))
                .collect();
            let names = proxy::names(c, &ids)?;
            let name_of = |id: Option<CitizenId>| id.and_then(|id| names.get(&id).cloned());
            Ok(Overview {
                given: given
                    .into_iter()
                    .map(|p| Listed {
                        other: name_of(p.proxy_id),
                        proxy: p,
                    })
                    .collect(),
                held: held
                    .into_iter()
                    .map(|p| Listed {
                        other: name_of(Some(p.principal_id)),
                        proxy: p,
                    })
                    .collect(),
            })
        })
        .await?)
}

/// The scope `proxy` holds for `principal` today, if a proxy relation is in force.
pub async fn scope_for(
    state: &AppState,
    principal: CitizenId,
    proxy: CitizenId,
) -> Result<Option<String>, AppError> {
    let today = crate::japan_today().to_string();
    let found = state
        .db
        .run(move |c| Proxy::in_force_between(c, principal, proxy, &today))
        .await?;
    Ok(found.map(|p| p.scope))
}

/// Why a request is refused while the citizen acts for someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotWhileActing {
    /// Stays the principal's own, whatever the scope (see the module's documentation).
    PrincipalsOwn,
    /// A change, and the proxy may only read.
    ReadOnly,
    /// The principal ended the relation, or its last day has passed.
    Ended,
}

/// Areas (a path and everything under it) that a proxy never enters, even with `act`.
const PRINCIPALS_OWN: &[&str] = &[
    "/account",
    "/settings/apps",
    "/settings/email",
    "/settings/proxies",
    "/sign-out/everywhere",
    "/oauth/authorize",
];

/// What a proxy may always do: stop acting, sign out, keep the session alive.
const ALWAYS: &[&str] = &["/settings/proxies/stop", "/sign-out", "/session/extend"];

fn under(path: &str, area: &str) -> bool {
    path.strip_prefix(area)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Whether a request may be made while acting with `scope`: decided by its method and path, before any
/// handler runs, so no page can forget the rule.
pub fn permits(scope: &str, changes: bool, path: &str) -> Result<(), NotWhileActing> {
    if ALWAYS.contains(&path) {
        return Ok(());
    }
    if PRINCIPALS_OWN.iter().any(|area| under(path, area)) {
        return Err(NotWhileActing::PrincipalsOwn);
    }
    if changes && scope != ACT {
        return Err(NotWhileActing::ReadOnly);
    }
    Ok(())
}

/// Whom the session acts for after switching to relation `id`: `None` unless `actor` holds it and it is in
/// force today.
pub async fn start_acting(
    state: &AppState,
    actor: CitizenId,
    id: ProxyId,
) -> Result<Option<ActingFor>, AppError> {
    let today = crate::japan_today().to_string();
    state
        .db
        .run(move |c| {
            let Some(found) = Proxy::find(c, id)? else {
                return Ok(None);
            };
            if found.proxy_id != Some(actor) || !found.in_force(&today) {
                return Ok(None);
            }
            let names = proxy::names(c, &[found.principal_id, actor])?;
            let (Some(principal_name), Some(own_name)) =
                (names.get(&found.principal_id), names.get(&actor))
            else {
                return Ok(None);
            };
            Ok(Some(ActingFor {
                relation: found.id.to_string(),
                principal_id: found.principal_id.to_string(),
                principal_name: principal_name.clone(),
                own_name: own_name.clone(),
                scope: found.scope,
            }))
        })
        .await
        .map_err(AppError::from)
}

/// The scope of the relation a session acts under, if it is still in force for `actor` and `principal`:
/// checked on every request made while acting (one read by primary key).
pub async fn scope_in_force(
    state: &AppState,
    acting: &ActingFor,
    actor: CitizenId,
) -> Result<Option<String>, AppError> {
    let (Ok(id), Ok(principal)) = (
        acting.relation.parse::<ProxyId>(),
        acting.principal_id.parse::<CitizenId>(),
    ) else {
        return Ok(None);
    };
    let today = crate::japan_today().to_string();
    let found = state.db.run(move |c| Proxy::find(c, id)).await?;
    Ok(found
        .filter(|p| p.principal_id == principal && p.proxy_id == Some(actor) && p.in_force(&today))
        .map(|p| p.scope))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_three_groups_of_four_unambiguous_characters_and_typing_does_not_matter() {
        let code = new_code();
        assert_eq!(code.len(), 14);
        assert!(
            code.split('-')
                .all(|g| g.len() == 4 && g.bytes().all(|b| REFERENCE_ALPHABET.contains(&b)))
        );
        let typed = code.replace('-', " ").to_lowercase();
        assert_eq!(code_hash(&typed), code_hash(&code));
        assert_ne!(code_hash(&new_code()), code_hash(&code));
    }

    #[test]
    fn the_form_needs_a_scope_and_a_last_day_from_today_to_five_years_ahead() {
        let today = time::macros::date!(2026 - 11 - 27);
        assert_eq!(
            check("act", "2027-03-31", today),
            Ok((ACT, time::macros::date!(2027 - 03 - 31)))
        );
        assert_eq!(check("read", "2026-11-27", today).map(|c| c.0), Ok(READ));
        let reasons = |scope, ends| {
            check(scope, ends, today)
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| (e.field, e.reason))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            reasons("", ""),
            [("scope", "choose"), ("ends_on", "missing")]
        );
        assert_eq!(reasons("all", "2027-01-01"), [("scope", "choose")]);
        assert_eq!(reasons("read", "2027-02-30"), [("ends_on", "invalid")]);
        assert_eq!(reasons("read", "2026-11-26"), [("ends_on", "past")]);
        assert_eq!(reasons("read", "2031-11-28"), [("ends_on", "too_far")]);
        assert_eq!(check("read", "2031-11-27", today).map(|c| c.0), Ok(READ));
    }

    #[test]
    fn a_proxy_never_enters_the_principals_own_areas_and_changes_nothing_when_reading_only() {
        use NotWhileActing::*;
        for path in [
            "/account",
            "/account/confirm/change",
            "/settings/apps",
            "/settings/apps/x/revoke",
            "/settings/email/address",
            "/settings/proxies",
            "/settings/proxies/new",
            "/sign-out/everywhere",
            "/oauth/authorize",
        ] {
            assert_eq!(permits(ACT, false, path), Err(PrincipalsOwn), "{path}");
            assert_eq!(permits(ACT, true, path), Err(PrincipalsOwn), "{path}");
        }
        assert_eq!(permits(READ, true, "/apply/benefit"), Err(ReadOnly));
        assert_eq!(permits(READ, true, "/notices/x/archive"), Err(ReadOnly));
        assert_eq!(permits(ACT, true, "/apply/benefit"), Ok(()));
        assert_eq!(permits(READ, false, "/my-data/tax"), Ok(()));
        // A prefix that is not a whole segment is another page.
        assert_eq!(permits(READ, false, "/accounts-help"), Ok(()));
        for path in ["/settings/proxies/stop", "/sign-out", "/session/extend"] {
            assert_eq!(permits(READ, true, path), Ok(()), "{path}");
        }
    }
}

//! Asking for the card again before a grave change, as the real portal does for the refund account: a
//! fresh signature by the signed-in citizen's own card, over a challenge that names the action and is bound
//! to this session. A session left open on a shared computer is therefore not enough to redirect someone's
//! benefits, and a family member's card in the same browser is refused.
//!
//! It is the sign-in challenge ([`crate::services::sign_in`]) with a purpose: the card signs a confirmation
//! message of its own kind ([`sign_in::confirm_message`]), and only this session, for this purpose, can
//! collect the outcome.

use portal_storage::ids::CitizenId;
use portal_web::pages::sign_in::SignInFailure;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::services::sign_in::{self, Status};
use crate::state::AppState;

/// What the card confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    AccountChange,
    AccountDelete,
}

impl Purpose {
    /// Signed into the card's message, and kept with the challenge.
    pub fn code(self) -> &'static str {
        match self {
            Purpose::AccountChange => "account.change",
            Purpose::AccountDelete => "account.delete",
        }
    }

    pub fn from_code(code: &str) -> Option<Purpose> {
        [Purpose::AccountChange, Purpose::AccountDelete]
            .into_iter()
            .find(|p| p.code() == code)
    }

    /// The page that asks for the card (and collects the outcome with a POST to the same address).
    pub fn path(self) -> &'static str {
        match self {
            Purpose::AccountChange => "/account/confirm/change",
            Purpose::AccountDelete => "/account/confirm/delete",
        }
    }
}

/// The secret the challenge is bound to: this session, and this purpose, so that an outcome for one
/// action cannot be collected for another.
fn binding(signed_in: &SignedIn, purpose: Purpose) -> String {
    format!("card-check:{}:{}", purpose.code(), signed_in.token)
}

/// Starts a confirmation; returns the code the card app answers.
pub async fn start(
    state: &AppState,
    signed_in: &SignedIn,
    purpose: Purpose,
    client: &str,
) -> Result<Result<String, SignInFailure>, AppError> {
    sign_in::start_for(
        state,
        &binding(signed_in, purpose),
        client,
        Some(purpose.code()),
    )
    .await
}

/// Where a confirmation stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    /// The card has not answered yet.
    Pending,
    /// The signed-in citizen's own card answered: go ahead, once.
    Confirmed,
    /// Another person's card answered (for example a family member's, in the same browser).
    OtherPerson(CitizenId),
    Failed(SignInFailure),
}

fn judge(status: Status, citizen: CitizenId) -> Confirmation {
    match status {
        Status::Pending => Confirmation::Pending,
        Status::SignedIn(who) if who == citizen => Confirmation::Confirmed,
        Status::SignedIn(who) => Confirmation::OtherPerson(who),
        Status::Failed(failure) => Confirmation::Failed(failure),
    }
}

/// For the waiting page's script; does not use the outcome up.
pub async fn status(
    state: &AppState,
    signed_in: &SignedIn,
    purpose: Purpose,
    code: &str,
) -> Result<Confirmation, AppError> {
    let status = sign_in::status(state, code, &binding(signed_in, purpose)).await?;
    Ok(judge(status, signed_in.citizen))
}

/// Collects the outcome, once: a confirmation allows one action.
pub async fn complete(
    state: &AppState,
    signed_in: &SignedIn,
    purpose: Purpose,
    code: &str,
    client: &str,
) -> Result<Confirmation, AppError> {
    let status = sign_in::complete(state, code, &binding(signed_in, purpose)).await?;
    let confirmation = judge(status, signed_in.citizen);
    if let Confirmation::OtherPerson(who) = &confirmation {
        sign_in::audit(
            state,
            "card_check.other_person",
            None,
            Some(signed_in.citizen),
            client,
            format!("{} answered by the card of {who}", purpose.code()),
        )
        .await;
    }
    Ok(confirmation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_citizens_own_card_confirms() {
        let me = CitizenId::new();
        let other = CitizenId::new();
        assert_eq!(judge(Status::SignedIn(me), me), Confirmation::Confirmed);
        assert_eq!(
            judge(Status::SignedIn(other), me),
            Confirmation::OtherPerson(other)
        );
        assert_eq!(judge(Status::Pending, me), Confirmation::Pending);
    }

    #[test]
    fn purposes_round_trip() {
        for p in [Purpose::AccountChange, Purpose::AccountDelete] {
            assert_eq!(Purpose::from_code(p.code()), Some(p));
        }
        assert_eq!(Purpose::from_code("sign_in"), None);
    }
}

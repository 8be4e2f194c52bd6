use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::account::{AccountDone, AccountEventRow, AccountPage, account_type_label};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::services::bank_account;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    #[serde(default)]
    done: String,
}

/// The account (number masked), what can be done with it, and its whole history.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let directory = state.banks.get(&state.db).await?;
    let account = bank_account::current(&state, signed_in.citizen).await?;
    let events = bank_account::history(&state, signed_in.citizen).await?;
    let history = events
        .iter()
        .map(|e| {
            let (date, time) = crate::services::history::japan_time(e.at);
            let account = [
                e.bank_code
                    .as_deref()
                    .map(|code| super::bank_text(&directory, code)),
                e.bank_code
                    .as_deref()
                    .zip(e.branch_code.as_deref())
                    .map(|(bank, code)| super::branch_text(&directory, bank, code)),
                e.account_type
                    .as_deref()
                    .map(|t| account_type_label(&shell, t)),
                e.number_last3.as_deref().map(|last| format!("****{last}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            AccountEventRow {
                when: portal_web::format::datetime(shell.lang, &date, &time),
                what: shell.t(&format!("account.event.{}", e.kind)).to_owned(),
                channel: shell
                    .t(&format!("account.channel.{}", e.channel))
                    .to_owned(),
                account,
            }
        })
        .collect();
    let account = account.map(|a| super::summary(&shell, &directory, &a));
    render::page(
        StatusCode::OK,
        &AccountPage {
            shell,
            account,
            history,
            done: AccountDone::from_code(&query.done),
        },
    )
}

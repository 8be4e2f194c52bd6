//! 公金受取口座 through GraphQL: a bank registers an account for a citizen at its counter (the same checks
//! as the portal's form); a paying agency reads a citizen's account for a task, or builds a payment batch
//! into a Zengin 総合振込 file.

use async_graphql::{Context, ErrorExtensions, InputObject, Object, SimpleObject};
use base64::Engine;
use portal_storage::models::agency::AgencyKind;
use portal_storage::models::bank_account::BankAccount;
use portal_web::Lang;

use super::agency::{agency, state};
use crate::error::AppError;
use crate::graphql::error::{BAD_REQUEST, FORBIDDEN, NOT_FOUND};
use crate::services::agencies;
use crate::services::bank_account::{self, AccountInput, Channel, Registered};
use crate::services::payments::{self, Batch, Payer, PaymentOrder, PaymentRefusal};

/// An account as typed at the counter.
#[derive(InputObject)]
pub struct PublicFundsAccountInput {
    /// 4 digits (金融機関コード).
    bank_code: String,
    /// 3 digits (支店コード).
    branch_code: String,
    /// `ordinary` (普通), `current` (当座) or `savings` (貯蓄).
    account_type: String,
    /// 7 digits.
    account_number: String,
    /// The holder's name in kana; it must match the citizen's registered kana name.
    holder_name: String,
}

/// A citizen's account as an agency with the right sees it.
#[derive(SimpleObject)]
pub struct PublicFundsAccount {
    bank_code: String,
    branch_code: String,
    account_type: String,
    account_number: String,
    /// Half-width katakana, as banks keep it.
    holder_name: String,
    /// Unix milliseconds: when the registration now stored was completed.
    completed_at: i64,
}

impl From<BankAccount> for PublicFundsAccount {
    fn from(a: BankAccount) -> Self {
        PublicFundsAccount {
            bank_code: a.bank_code,
            branch_code: a.branch_code,
            account_type: a.account_type,
            account_number: a.account_number,
            holder_name: a.holder_name,
            completed_at: a.completed_at,
        }
    }
}

/// What a registration did.
#[derive(SimpleObject)]
pub struct AccountRegistration {
    /// False when a registration completed later (through any channel) is already stored: it stands.
    stored: bool,
    /// The citizen's account as it is now, its number masked but for the last 3 digits.
    masked_account_number: String,
    completed_at: i64,
}

/// The paying agency's side of a transfer file.
#[derive(InputObject)]
pub struct PayerInput {
    /// Your 10-digit Zengin requester code (委託者コード).
    requester_code: String,
    /// Your name in katakana (at most 40 half-width characters).
    requester_name: String,
    /// YYYY-MM-DD: the day the transfers are made.
    transfer_date: String,
    bank_code: String,
    branch_code: String,
    account_type: String,
    account_number: String,
}

impl From<PayerInput> for Payer {
    fn from(payer: PayerInput) -> Self {
        Payer {
            requester_code: payer.requester_code,
            requester_name: payer.requester_name,
            transfer_date: payer.transfer_date,
            bank_code: payer.bank_code,
            branch_code: payer.branch_code,
            account_type: payer.account_type,
            account_number: payer.account_number,
        }
    }
}

/// One payment: to whom (your pseudonym for the citizen) and how much.
#[derive(InputObject)]
pub struct PaymentInput {
    citizen: String,
    /// Yen, at least 1.
    amount: u64,
    /// Your reference for the payment (up to 10 characters, written as 顧客コード1).
    reference: Option<String>,
}

/// A payment batch built.
#[derive(SimpleObject)]
pub struct PaymentFile {
    /// The Zengin 総合振込 file (120-byte records, Shift_JIS), base64.
    file: String,
    payments: i32,
    /// Yen.
    total: u64,
    /// Pseudonyms your agency does not have.
    unknown_citizens: Vec<String>,
    /// Citizens with no valid account (none registered, or invalid since a bank merger): pay them
    /// another way.
    citizens_without_account: Vec<String>,
}

impl From<Batch> for PaymentFile {
    fn from(b: Batch) -> Self {
        PaymentFile {
            file: base64::engine::general_purpose::STANDARD.encode(&b.file),
            payments: i32::try_from(b.payments).unwrap_or(i32::MAX),
            total: b.total,
            unknown_citizens: b.unknown,
            citizens_without_account: b.without_account,
        }
    }
}

fn refused(refusal: PaymentRefusal) -> async_graphql::Error {
    let field = match &refusal {
        PaymentRefusal::Invalid { field, .. } => *field,
        _ => "task",
    };
    let code = match refusal {
        PaymentRefusal::NotYourPayment(_) => FORBIDDEN,
        _ => BAD_REQUEST,
    };
    async_graphql::Error::new(refusal.to_string()).extend_with(|_, e| {
        e.set("code", code);
        e.set("field", field);
    })
}

fn unknown_citizen() -> async_graphql::Error {
    async_graphql::Error::new("your agency has no citizen with that pseudonym")
        .extend_with(|_, e| e.set("code", NOT_FOUND))
}

fn failed(e: AppError) -> async_graphql::Error {
    match e {
        AppError::NotFound => unknown_citizen(),
        other => other.extend(),
    }
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// A citizen's 公金受取口座, read for a payment task (benefit_payment, tax_refund, pension_payment) your
    /// agency performs; null when they have no valid account. Each read is recorded in the citizen's
    /// やりとり履歴.
    async fn public_funds_account(
        &self,
        ctx: &Context<'_>,
        citizen: String,
        task: String,
    ) -> async_graphql::Result<Option<PublicFundsAccount>> {
        let principal = agency(ctx)?;
        match payments::read(state(ctx)?, principal, &citizen, &task).await {
            Ok(Ok(account)) => Ok(account.map(PublicFundsAccount::from)),
            Ok(Err(refusal)) => Err(refused(refusal)),
            Err(e) => Err(failed(e)),
        }
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Registers a citizen's 公金受取口座 at your bank's counter (bank clients only). The same checks as on
    /// the portal: a known bank and branch, a 7-digit number, and a holder name matching the citizen's
    /// registered kana name. The last completed registration wins, whichever channel it came through:
    /// give `completedAt` (Unix milliseconds; now by default) when you send it later than it was made.
    /// The citizen is told (a notice, and a mail if they have an address). Each problem is an error with
    /// `extensions.field`.
    async fn register_public_funds_account(
        &self,
        ctx: &Context<'_>,
        citizen: String,
        account: PublicFundsAccountInput,
        completed_at: Option<i64>,
    ) -> async_graphql::Result<AccountRegistration> {
        let principal = agency(ctx)?;
        if principal.kind() != Some(AgencyKind::Bank) {
            return Err(
                async_graphql::Error::new("only a bank's client registers accounts")
                    .extend_with(|_, e| e.set("code", FORBIDDEN)),
            );
        }
        let app = state(ctx)?;
        let now = portal_storage::now_millis();
        let completed_at = completed_at.unwrap_or(now);
        if completed_at > now {
            return Err(
                async_graphql::Error::new("completedAt is in the future").extend_with(|_, e| {
                    e.set("code", BAD_REQUEST);
                    e.set("field", "completedAt");
                }),
            );
        }
        let citizen = agencies::citizen_named(&app.db, principal.agency_id, &citizen)
            .await
            .map_err(failed)?;
        let input = AccountInput {
            bank_code: account.bank_code,
            branch_code: account.branch_code,
            account_type: account.account_type,
            account_number: account.account_number,
            holder_name: account.holder_name,
        };
        let directory = app.banks.get(&app.db).await.map_err(|e| e.extend())?;
        let kana = bank_account::registered_kana(app, citizen)
            .await
            .map_err(failed)?;
        let checked = match bank_account::check(&directory, &kana, &input) {
            Ok(checked) => checked,
            Err(problems) => {
                let first = problems
                    .first()
                    .map(|p| p.field().name())
                    .unwrap_or("account");
                let messages: Vec<String> = problems.iter().map(|p| p.message(Lang::En)).collect();
                let fields: Vec<&str> = problems.iter().map(|p| p.field().name()).collect();
                return Err(
                    async_graphql::Error::new(messages.join(" ")).extend_with(|_, e| {
                        e.set("code", BAD_REQUEST);
                        e.set("field", first);
                        e.set("fields", fields.clone());
                    }),
                );
            }
        };
        let via = Channel::Bank {
            agency: principal.code.clone(),
        };
        let registered = bank_account::register(app, citizen, checked, via, completed_at)
            .await
            .map_err(|e| e.extend())?;
        let (stored, account) = match registered {
            Registered::Stored(a) => (true, a),
            Registered::Superseded(a) => (false, a),
        };
        Ok(AccountRegistration {
            stored,
            masked_account_number: account.masked_number(),
            completed_at: account.completed_at,
        })
    }

    /// Builds a Zengin 総合振込 file paying each citizen's 公金受取口座, for a payment task your agency
    /// performs (up to 10,000 payments). Every account read is recorded in the citizen's やりとり履歴;
    /// citizens without a valid account are listed apart.
    async fn build_payment_file(
        &self,
        ctx: &Context<'_>,
        task: String,
        payer: PayerInput,
        payments: Vec<PaymentInput>,
    ) -> async_graphql::Result<PaymentFile> {
        let principal = agency(ctx)?;
        let payer = Payer::from(payer);
        let orders = payments
            .into_iter()
            .map(|p| PaymentOrder {
                citizen: p.citizen,
                amount: p.amount,
                reference: p.reference.unwrap_or_default(),
            })
            .collect();
        match payments::batch(state(ctx)?, principal, &task, payer, orders).await {
            Ok(Ok(batch)) => Ok(batch.into()),
            Ok(Err(refusal)) => Err(refused(refusal)),
            Err(e) => Err(failed(e)),
        }
    }
}

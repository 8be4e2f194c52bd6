//! Agencies pay to 公金受取口座: one citizen's account read for a stated task, or a payment batch built
//! into a Zengin 総合振込 file. Every account read is a row of the citizen's やりとり履歴, written before the
//! account is handed over; citizens without a valid account are listed apart, never silently dropped.

use std::collections::HashMap;

use portal_bank::kana;
use portal_bank::transfer::{AccountType, Header, Payment, TransferFile};
use portal_storage::ids::CitizenId;
use portal_storage::models::agency::AgencyPseudonym;
use portal_storage::models::bank_account::BankAccount;
use portal_storage::models::linkage::{LinkageRecord, NewLinkage};
use portal_storage::models::task;
use portal_storage::{now_millis, transaction};

use crate::error::AppError;
use crate::services::agencies::{self, AgencyPrincipal};
use crate::state::AppState;

/// What the history calls the account, and who holds it.
const ITEM: &str = "public_funds_account";
const HOLDER: &str = "digital";
/// Citizens per payment batch: one call stays within a request's time.
pub const MAX_BATCH: usize = 10_000;

/// Why a read or a batch is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentRefusal {
    NoTask,
    UnknownTask(String),
    /// The task is not a payment, or not one this agency performs.
    NotYourPayment(String),
    /// A field of the batch (named as the API names it), and what is wrong with it.
    Invalid {
        field: &'static str,
        problem: String,
    },
}

impl std::fmt::Display for PaymentRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PaymentRefusal::NoTask => write!(f, "name the task (事務) you read the account for"),
            PaymentRefusal::UnknownTask(t) => write!(f, "{t:?} is not a task (see `tasks`)"),
            PaymentRefusal::NotYourPayment(t) => write!(
                f,
                "{t:?} is not a payment your agency makes: only benefit_payment, tax_refund and pension_payment, by the agencies that perform them, read accounts"
            ),
            PaymentRefusal::Invalid { field, problem } => write!(f, "{field}: {problem}"),
        }
    }
}

/// The payment task `code`, if this agency performs it.
pub(crate) fn payment_task(
    agency: &AgencyPrincipal,
    code: &str,
) -> Result<&'static task::Task, PaymentRefusal> {
    let code = code.trim();
    if code.is_empty() {
        return Err(PaymentRefusal::NoTask);
    }
    let found = task::find(code).ok_or_else(|| PaymentRefusal::UnknownTask(code.to_owned()))?;
    if !found.pays()
        || !agency
            .kind()
            .is_some_and(|k| found.performed_by.contains(&k))
    {
        return Err(PaymentRefusal::NotYourPayment(code.to_owned()));
    }
    Ok(found)
}

fn linkage(
    agency: &AgencyPrincipal,
    citizen: CitizenId,
    task: &str,
    result: &str,
    at: i64,
) -> NewLinkage {
    NewLinkage {
        citizen_id: citizen,
        at,
        requester_kind: "agency".to_owned(),
        requester_id: agency.code.clone(),
        requester_name: agency.name_ja.clone(),
        providers: if result == "provided" {
            vec![HOLDER.to_owned()]
        } else {
            Vec::new()
        },
        items: vec![ITEM.to_owned()],
        task_code: task.to_owned(),
        purpose: String::new(),
        result: result.to_owned(),
        withheld: false,
    }
}

/// One citizen's account as an agency reads it: `None` when they have no valid account. `Err(NotFound)`
/// for a pseudonym the agency does not have.
pub async fn read(
    state: &AppState,
    agency: &AgencyPrincipal,
    pseudonym: &str,
    task_code: &str,
) -> Result<Result<Option<BankAccount>, PaymentRefusal>, AppError> {
    let citizen = agencies::citizen_named(&state.db, agency.agency_id, pseudonym).await?;
    let checked = payment_task(agency, task_code).map(|t| t.code);
    let principal = agency.clone();
    let asked = task_code.trim().chars().take(64).collect::<String>();
    let outcome = state
        .db
        .run(move |c| {
            transaction(c, |c| {
                let account = match checked {
                    Ok(_) => BankAccount::find(c, citizen)?.filter(BankAccount::is_valid),
                    Err(_) => None,
                };
                let result = match (&checked, &account) {
                    (Err(_), _) => "refused",
                    (Ok(_), None) => "no_data",
                    (Ok(_), Some(_)) => "provided",
                };
                LinkageRecord::append(
                    c,
                    linkage(&principal, citizen, &asked, result, now_millis()),
                )?;
                Ok(checked.map(|_| account))
            })
        })
        .await?;
    Ok(outcome)
}

/// One payment of a batch: to whom (the agency's pseudonym) and how much.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOrder {
    pub citizen: String,
    /// Yen.
    pub amount: u64,
    /// The agency's reference for the payment (up to 10 characters, in the file's 顧客コード1).
    pub reference: String,
}

/// The paying agency's side of the file: its Zengin requester code and name, and the account it pays from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payer {
    pub requester_code: String,
    pub requester_name: String,
    /// YYYY-MM-DD.
    pub transfer_date: String,
    pub bank_code: String,
    pub branch_code: String,
    pub account_type: String,
    pub account_number: String,
}

/// A batch built: the file, and the citizens who could not be paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub file: Vec<u8>,
    pub payments: usize,
    pub total: u64,
    /// Pseudonyms the agency does not have.
    pub unknown: Vec<String>,
    /// Pseudonyms of citizens with no account, or one made invalid by a bank table change.
    pub without_account: Vec<String>,
}

/// Builds a 総合振込 file paying each known citizen with a valid account. Reads every account it pays from
/// (and records each read, whatever its result) in one transaction.
pub async fn batch(
    state: &AppState,
    agency: &AgencyPrincipal,
    task_code: &str,
    payer: Payer,
    orders: Vec<PaymentOrder>,
) -> Result<Result<Batch, PaymentRefusal>, AppError> {
    let task = match payment_task(agency, task_code) {
        Ok(task) => task,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if orders.is_empty() || orders.len() > MAX_BATCH {
        return Ok(Err(PaymentRefusal::Invalid {
            field: "payments",
            problem: format!("give between 1 and {MAX_BATCH} payments per batch"),
        }));
    }
    // Checked before any account is read, so a refused batch leaves no reads in anyone's history.
    if let Some(n) = orders.iter().position(|o| o.amount == 0) {
        return Ok(Err(PaymentRefusal::Invalid {
            field: "payments",
            problem: format!("payment {}: the amount must be at least 1 yen", n + 1),
        }));
    }
    let directory = state.banks.get(&state.db).await?;
    let header = match header(&directory, &payer) {
        Ok(header) => header,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let agency_id = agency.agency_id;
    let principal = agency.clone();
    let pseudonyms: Vec<String> = orders.iter().map(|o| o.citizen.clone()).collect();
    let (known, accounts) = state
        .db
        .run(move |c| {
            transaction(c, |c| {
                let known: HashMap<String, CitizenId> =
                    AgencyPseudonym::resolve(c, agency_id, &pseudonyms)?
                        .into_iter()
                        .collect();
                let citizens: Vec<CitizenId> = known.values().copied().collect();
                let accounts: HashMap<CitizenId, BankAccount> =
                    BankAccount::find_many(c, &citizens)?
                        .into_iter()
                        .filter(BankAccount::is_valid)
                        .map(|a| (a.citizen_id, a))
                        .collect();
                let at = now_millis();
                for citizen in &citizens {
                    let result = if accounts.contains_key(citizen) {
                        "provided"
                    } else {
                        "no_data"
                    };
                    LinkageRecord::append(c, linkage(&principal, *citizen, task.code, result, at))?;
                }
                Ok((known, accounts))
            })
        })
        .await?;
    let mut payments = Vec::new();
    let (mut unknown, mut without_account) = (Vec::new(), Vec::new());
    for order in orders {
        let Some(citizen) = known.get(&order.citizen) else {
            unknown.push(order.citizen);
            continue;
        };
        let Some(account) = accounts.get(citizen) else {
            without_account.push(order.citizen);
            continue;
        };
        let to = AccountTo {
            bank_code: &account.bank_code,
            branch_code: &account.branch_code,
            account_type: &account.account_type,
            number: &account.account_number,
            holder_kana: &account.holder_name,
        };
        match payment_to(&directory, &to, order.amount, &order.reference) {
            Some(payment) => payments.push(payment),
            None => without_account.push(order.citizen),
        }
    }
    let file = TransferFile { header, payments };
    let total = file.total();
    let count = file.payments.len();
    let bytes = match file.to_bytes() {
        Ok(bytes) => bytes,
        Err(e) => {
            return Ok(Err(PaymentRefusal::Invalid {
                field: "payments",
                problem: e.to_string(),
            }));
        }
    };
    Ok(Ok(Batch {
        file: bytes,
        payments: count,
        total,
        unknown,
        without_account,
    }))
}

/// An account a payment goes to, as stored or as a claim names it.
pub(crate) struct AccountTo<'a> {
    pub bank_code: &'a str,
    pub branch_code: &'a str,
    pub account_type: &'a str,
    pub number: &'a str,
    pub holder_kana: &'a str,
}

/// A payment of `amount` yen into `to`; `None` when its bank or branch is not in the Zengin table.
pub(crate) fn payment_to(
    directory: &portal_bank::directory::Directory,
    to: &AccountTo<'_>,
    amount: u64,
    reference: &str,
) -> Option<Payment> {
    let bank = directory.bank(to.bank_code)?;
    let branch = directory.branch(to.bank_code, to.branch_code)?;
    Some(Payment {
        bank_code: bank.code.clone(),
        bank_name: half_width(&bank.kana, 15),
        branch_code: branch.code.clone(),
        branch_name: half_width(&branch.kana, 15),
        account_type: AccountType::from_code(to.account_type).unwrap_or(AccountType::Ordinary),
        account_number: to.number.to_owned(),
        holder_name: to.holder_kana.to_owned(),
        amount,
        customer_code: reference.chars().take(10).collect(),
    })
}

/// A name as the file carries it: half-width kana, cut to the field's width.
fn half_width(kana_name: &str, width: usize) -> String {
    let cut: String = kana::to_half_width(kana_name)
        .unwrap_or_default()
        .chars()
        .take(width)
        .collect();
    // Padding would hide a trailing space, so the file refuses one: a cut may leave it.
    cut.trim_end().to_owned()
}

pub(crate) fn header(
    directory: &portal_bank::directory::Directory,
    payer: &Payer,
) -> Result<Header, PaymentRefusal> {
    let invalid = |field: &'static str, problem: &str| PaymentRefusal::Invalid {
        field,
        problem: problem.to_owned(),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(&payer.requester_code, 10) {
        return Err(invalid(
            "requesterCode",
            "is your 10-digit Zengin requester code (委託者コード)",
        ));
    }
    let requester_name = kana::to_half_width(&payer.requester_name)
        .ok()
        .filter(|n| !n.is_empty() && n.chars().count() <= 40)
        .ok_or_else(|| {
            invalid(
                "requesterName",
                "is your name in katakana, at most 40 half-width characters",
            )
        })?;
    let date = time::Date::parse(
        &payer.transfer_date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| invalid("transferDate", "is a date, YYYY-MM-DD"))?;
    let bank = directory
        .bank(&payer.bank_code)
        .ok_or_else(|| invalid("bankCode", "is not a bank in the Zengin table"))?;
    let branch = directory
        .branch(&payer.bank_code, &payer.branch_code)
        .ok_or_else(|| invalid("branchCode", "is not a branch of that bank"))?;
    let account_type = AccountType::from_code(&payer.account_type)
        .ok_or_else(|| invalid("accountType", "is ordinary, current or savings"))?;
    if !digits(&payer.account_number, 7) {
        return Err(invalid("accountNumber", "is 7 digits"));
    }
    Ok(Header {
        requester_code: payer.requester_code.clone(),
        requester_name,
        transfer_date: (u8::from(date.month()), date.day()),
        bank_code: bank.code.clone(),
        bank_name: half_width(&bank.kana, 15),
        branch_code: branch.code.clone(),
        branch_name: half_width(&branch.kana, 15),
        account_type,
        account_number: payer.account_number.clone(),
    })
}

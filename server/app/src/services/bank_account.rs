//! 公金受取口座: the checks every channel's registration goes through, registering (the last completed
//! registration wins), deleting, and telling the citizen about each change — a notice, and a mail when they
//! have an address — so that a change they did not make is seen at once.

use portal_bank::directory::Directory;
use portal_bank::kana::{self, NameProblem};
use portal_bank::transfer::AccountType;
use portal_storage::ids::{CitizenId, NoticeId};
use portal_storage::models::agency::Agency;
use portal_storage::models::bank_account::{BankAccount, BankAccountEvent, channel, event};
use portal_storage::models::citizen::Citizen;
use portal_storage::models::email_address::EmailAddress;
use portal_storage::models::inbox;
use portal_storage::models::notice::{AUDIENCE_LIST, Notice};
use portal_storage::models::outbox::{OutboxMail, purpose};
use portal_storage::{now_millis, transaction};
use portal_web::Lang;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::state::AppState;

/// How long what the citizen typed into the account form is kept between its pages.
const DRAFT_TTL: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// The account as typed (or sent by a bank), before any check.
pub use portal_web::pages::account::AccountForm as AccountInput;

/// The fields of an account, named as the form and the API name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Bank,
    Branch,
    AccountType,
    AccountNumber,
    HolderName,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Bank => "bank_code",
            Field::Branch => "branch_code",
            Field::AccountType => "account_type",
            Field::AccountNumber => "account_number",
            Field::HolderName => "holder_name",
        }
    }
}

/// What is wrong with one field; each says exactly what and how to put it right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    BankMissing,
    BankCodeFormat,
    BankUnknown { code: String },
    BranchMissing,
    BranchCodeFormat,
    BranchNotOfBank { code: String, bank: String },
    TypeMissing,
    NumberMissing,
    NumberNotDigits,
    NumberLength { found: usize },
    Holder(NameProblem),
}

impl Problem {
    pub fn field(&self) -> Field {
        match self {
            Problem::BankMissing | Problem::BankCodeFormat | Problem::BankUnknown { .. } => {
                Field::Bank
            }
            Problem::BranchMissing
            | Problem::BranchCodeFormat
            | Problem::BranchNotOfBank { .. } => Field::Branch,
            Problem::TypeMissing => Field::AccountType,
            Problem::NumberMissing | Problem::NumberNotDigits | Problem::NumberLength { .. } => {
                Field::AccountNumber
            }
            Problem::Holder(_) => Field::HolderName,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let ja = lang == Lang::Ja;
        match self {
            Problem::BankMissing if ja => {
                "金融機関を選んでください。名前か4桁の金融機関コードで探せます。".into()
            }
            Problem::BankMissing => {
                "Choose your bank. You can find it by its name or its 4-digit bank code.".into()
            }
            Problem::BankCodeFormat if ja => "金融機関コードは4桁の数字です。".into(),
            Problem::BankCodeFormat => "A bank code is 4 digits.".into(),
            Problem::BankUnknown { code } if ja => {
                format!("金融機関コード{code}の金融機関はありません。名前で探してください。")
            }
            Problem::BankUnknown { code } => {
                format!("No bank has the code {code}. Find your bank by its name.")
            }
            Problem::BranchMissing if ja => {
                "支店を選んでください。支店名か3桁の支店コードで探せます。".into()
            }
            Problem::BranchMissing => {
                "Choose your branch. You can find it by its name or its 3-digit branch code.".into()
            }
            Problem::BranchCodeFormat if ja => "支店コードは3桁の数字です。".into(),
            Problem::BranchCodeFormat => "A branch code is 3 digits.".into(),
            Problem::BranchNotOfBank { code, bank } if ja => format!(
                "{bank}に支店コード{code}の支店はありません。通帳やキャッシュカードの支店番号を確かめてください。"
            ),
            Problem::BranchNotOfBank { code, bank } => format!(
                "{bank} has no branch with the code {code}. Check the branch number in your bankbook or on your cash card."
            ),
            Problem::TypeMissing if ja => "預金の種類を選んでください（普通・当座・貯蓄）。".into(),
            Problem::TypeMissing => {
                "Choose the type of account (ordinary, current or savings).".into()
            }
            Problem::NumberMissing if ja => "口座番号を入力してください。".into(),
            Problem::NumberMissing => "Enter the account number.".into(),
            Problem::NumberNotDigits if ja => "口座番号は数字だけで入力してください。".into(),
            Problem::NumberNotDigits => "Enter the account number in digits only.".into(),
            Problem::NumberLength { found } if ja => format!(
                "口座番号は7桁です（入力は{found}桁）。7桁より短い番号は、先頭に0を付けて7桁にしてください。"
            ),
            Problem::NumberLength { found } => format!(
                "An account number is 7 digits (you entered {found}). If yours is shorter, add zeros at the front to make 7 digits."
            ),
            Problem::Holder(problem) if ja => problem.message_ja(),
            Problem::Holder(problem) => problem.message_en(),
        }
    }
}

/// An account that passed every check, as it will be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    pub branch_kana: String,
    pub account_type: AccountType,
    pub account_number: String,
    /// Half-width katakana, as banks keep it.
    pub holder_name: String,
}

/// Full-width digits as ASCII, spaces dropped: what people type from a bankbook.
fn digits(value: &str) -> String {
    crate::forms::normalize_digits(value)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Checks an account against the bank table and the citizen's registered kana name. Every field is
/// checked, so all problems are shown at once.
pub fn check(
    directory: &Directory,
    registered_kana: &str,
    input: &AccountInput,
) -> Result<Checked, Vec<Problem>> {
    let mut problems = Vec::new();
    let bank_code = digits(&input.bank_code);
    let bank = if bank_code.is_empty() {
        problems.push(Problem::BankMissing);
        None
    } else if bank_code.len() != 4 || !bank_code.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(Problem::BankCodeFormat);
        None
    } else if let Some(bank) = directory.bank(&bank_code) {
        Some(bank)
    } else {
        problems.push(Problem::BankUnknown {
            code: bank_code.clone(),
        });
        None
    };
    let branch_code = digits(&input.branch_code);
    let branch = if branch_code.is_empty() {
        problems.push(Problem::BranchMissing);
        None
    } else if branch_code.len() != 3 || !branch_code.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(Problem::BranchCodeFormat);
        None
    } else if let Some(bank) = bank {
        let found = directory.branch(&bank.code, &branch_code);
        if found.is_none() {
            problems.push(Problem::BranchNotOfBank {
                code: branch_code.clone(),
                bank: bank.name.clone(),
            });
        }
        found
    } else {
        None
    };
    let account_type = AccountType::from_code(input.account_type.trim());
    if account_type.is_none() {
        problems.push(Problem::TypeMissing);
    }
    let number = digits(&input.account_number);
    if number.is_empty() {
        problems.push(Problem::NumberMissing);
    } else if !number.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(Problem::NumberNotDigits);
    } else if number.len() != 7 {
        problems.push(Problem::NumberLength {
            found: number.len(),
        });
    }
    let holder = kana::same_holder(&input.holder_name, registered_kana);
    if let Err(problem) = &holder {
        problems.push(Problem::Holder(problem.clone()));
    }
    match (bank, branch, account_type, holder) {
        (Some(bank), Some(branch), Some(account_type), Ok(holder_name)) if problems.is_empty() => {
            Ok(Checked {
                bank_code: bank.code.clone(),
                bank_name: bank.name.clone(),
                branch_code: branch.code.clone(),
                branch_name: branch.name.clone(),
                branch_kana: branch.kana.clone(),
                account_type,
                account_number: number,
                holder_name,
            })
        }
        _ => Err(problems),
    }
}

/// Who registered: the citizen on the portal, or a bank (its agency code) at its counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    Portal,
    Bank { agency: String },
}

impl Channel {
    fn code(&self) -> &'static str {
        match self {
            Channel::Portal => channel::PORTAL,
            Channel::Bank { .. } => channel::BANK,
        }
    }

    fn agency(&self) -> Option<String> {
        match self {
            Channel::Portal => None,
            Channel::Bank { agency } => Some(agency.clone()),
        }
    }
}

/// What became of a registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// Stored: the citizen's account now.
    Stored(BankAccount),
    /// A registration completed later is already stored; this one changed nothing.
    Superseded(BankAccount),
}

/// The citizen's registered kana name, which the holder name must match.
pub async fn registered_kana(state: &AppState, citizen: CitizenId) -> Result<String, AppError> {
    let found = state.db.run(move |c| Citizen::find(c, citizen)).await?;
    found.map(|c| c.name_kana).ok_or(AppError::NotFound)
}

/// Stores a checked account, completed at `completed_at`, unless a later completed registration is already
/// stored; records the event and tells the citizen.
pub async fn register(
    state: &AppState,
    citizen: CitizenId,
    checked: Checked,
    via: Channel,
    completed_at: i64,
) -> Result<Registered, AppError> {
    let row = BankAccount {
        citizen_id: citizen,
        bank_code: checked.bank_code,
        branch_code: checked.branch_code,
        account_type: checked.account_type.code().to_owned(),
        account_number: checked.account_number,
        holder_name: checked.holder_name,
        branch_kana: checked.branch_kana,
        channel: via.code().to_owned(),
        channel_agency: via.agency(),
        completed_at,
        invalid_since: None,
        invalid_reason: None,
    };
    let at = now_millis();
    let (stored, kind) = state
        .db
        .run(move |c| {
            transaction(c, |c| {
                let before = BankAccount::find(c, citizen)?;
                if !BankAccount::register(c, &row)? {
                    let current = before.unwrap_or(row);
                    return Ok((Registered::Superseded(current), None));
                }
                let kind = if before.is_some() {
                    event::CHANGED
                } else {
                    event::REGISTERED
                };
                BankAccountEvent::insert(
                    c,
                    &BankAccountEvent::about(
                        &row,
                        kind,
                        &row.channel,
                        row.channel_agency.clone(),
                        at,
                    ),
                )?;
                Ok((Registered::Stored(row), Some(kind)))
            })
        })
        .await?;
    if let Some(kind) = kind {
        let told = if kind == event::CHANGED {
            Told::Changed
        } else {
            Told::Registered
        };
        tell(state, citizen, told, via.code(), at).await?;
    }
    Ok(stored)
}

/// Deletes the citizen's account (on the portal); returns whether there was one.
pub async fn delete(state: &AppState, citizen: CitizenId) -> Result<bool, AppError> {
    let at = now_millis();
    let deleted = state
        .db
        .run(move |c| {
            transaction(c, |c| {
                let Some(account) = BankAccount::find(c, citizen)? else {
                    return Ok(false);
                };
                BankAccount::delete(c, citizen)?;
                BankAccountEvent::insert(
                    c,
                    &BankAccountEvent::about(&account, event::DELETED, channel::PORTAL, None, at),
                )?;
                Ok(true)
            })
        })
        .await?;
    if deleted {
        tell(state, citizen, Told::Deleted, channel::PORTAL, at).await?;
    }
    Ok(deleted)
}

/// What the citizen is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Told {
    Registered,
    Changed,
    Deleted,
    /// The bank table changed under the account: register it again.
    Invalidated,
}

impl Told {
    fn code(self) -> &'static str {
        match self {
            Told::Registered => "registered",
            Told::Changed => "changed",
            Told::Deleted => "deleted",
            Told::Invalidated => "invalidated",
        }
    }
}

/// Tells the citizen what happened to their account, when and through which channel, and what to do if it
/// was not them: a notice from the Digital Agency in their inbox, and a mail to their confirmed address if
/// they have one, whatever alerts they chose (the mail names no account detail).
pub async fn tell(
    state: &AppState,
    citizen: CitizenId,
    told: Told,
    via: &str,
    at: i64,
) -> Result<(), AppError> {
    let (date, time) = crate::services::history::japan_time(at);
    let via = via.to_owned();
    state
        .db
        .run(move |c| {
            transaction(c, |c| {
                let Some(person) = Citizen::find(c, citizen)? else {
                    return Ok(());
                };
                let lang = Lang::from_code(&person.lang).unwrap_or_default();
                let Some(digital) = Agency::find_by_code(c, "digital")? else {
                    return Ok(());
                };
                let when = portal_web::format::datetime(lang, &date, &time);
                let notice = Notice {
                    id: NoticeId::new(),
                    agency_id: digital.id,
                    audience: AUDIENCE_LIST.to_owned(),
                    rule_areas: String::new(),
                    rule_born_from: None,
                    rule_born_to: None,
                    title: lang.t(&format!("account.notice.{}.title", told.code())).to_owned(),
                    body: lang.tf(
                        &format!("account.notice.{}.body", told.code()),
                        &[("when", &when), ("channel", lang.t(&format!("account.channel.{via}")))],
                    ),
                    lang: lang.code().to_owned(),
                    category: "benefits".to_owned(),
                    importance: "high".to_owned(),
                    deadline: None,
                    action_url: None,
                    action_label: None,
                    expires_at: None,
                    posted_at: at,
                    corrected_at: None,
                    withdrawn_at: None,
                    recipients: Some(1),
                };
                Notice::insert(c, &notice)?;
                inbox::add_to_list(c, notice.id, citizen)?;
                if let Some(address) = EmailAddress::find_by_citizen(c, citizen)? {
                    let mut mail = OutboxMail::queued(
                        purpose::ACCOUNT_CHANGED,
                        format!("account_changed:{citizen}:{at}:{}", told.code()),
                        address.address,
                        lang.code().to_owned(),
                        serde_json::json!({ "what": told.code(), "channel": via, "date": date, "time": time })
                            .to_string(),
                        at,
                    );
                    mail.citizen_id = Some(citizen);
                    OutboxMail::enqueue(c, &[mail])?;
                }
                Ok(())
            })
        })
        .await?;
    state.sessions().notices_changed().await?;
    Ok(())
}

/// The citizen's account, if any.
pub async fn current(
    state: &AppState,
    citizen: CitizenId,
) -> Result<Option<BankAccount>, AppError> {
    Ok(state.db.run(move |c| BankAccount::find(c, citizen)).await?)
}

/// The citizen's account history, newest first.
pub async fn history(
    state: &AppState,
    citizen: CitizenId,
) -> Result<Vec<BankAccountEvent>, AppError> {
    Ok(state
        .db
        .run(move |c| BankAccountEvent::for_citizen(c, citizen, 100))
        .await?)
}

/// Where the account form's answers wait between its pages: per session, so a draft never outlives the
/// sign-in it was typed in, nor reaches another browser.
fn draft_key(signed_in: &SignedIn) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(signed_in.token.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("account_draft:{hex}")
}

/// Keeps what was typed, checked or not, so no page of the journey loses it.
pub async fn save_draft(
    state: &AppState,
    signed_in: &SignedIn,
    input: &AccountInput,
) -> Result<(), AppError> {
    let json = serde_json::to_string(input).map_err(|e| AppError::BadRequest(e.to_string()))?;
    state
        .kv
        .put(&draft_key(signed_in), &json, DRAFT_TTL)
        .await?;
    Ok(())
}

/// What was typed so far, if anything.
pub async fn draft(
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<Option<AccountInput>, AppError> {
    let found = state.kv.get(&draft_key(signed_in)).await?;
    Ok(found.and_then(|json| serde_json::from_str(&json).ok()))
}

/// Forgets the draft once it is registered.
pub async fn drop_draft(state: &AppState, signed_in: &SignedIn) -> Result<(), AppError> {
    state.kv.delete(&draft_key(signed_in)).await?;
    Ok(())
}

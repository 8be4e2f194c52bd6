//! 即日給付 (the same-day emergency benefit): an agency publishes a benefit with eligibility rules over
//! what the portal holds about citizens; the eligible ones get a notice linking to the claim; the claim is
//! its claim form prefilled with the household and the 公金受取口座, so it takes one confirmation; the agency
//! approves the claims in bulk and gets a Zengin transfer file paying them the same day.
//!
//! The rules read two kinds of record: the household (世帯) and the income (`income_tax`'s
//! `total_income`, the newest fiscal year). The portal holds income per person, not per household, so the
//! household's income is the claimant's as the municipality's 住民税 record states it — the head of
//! household claims. Reading them to decide eligibility is the agency learning about the citizen, so it is
//! written to the citizen's やりとり履歴 like any other read.

use std::collections::{BTreeMap, HashMap};

use portal_bank::transfer::{Payment, TransferFile};
use portal_forms::Kind;
use portal_forms::answers::{Answers, Value};
use portal_storage::ids::{ApplicationEventId, ApplicationId, BenefitId, CitizenId};
use portal_storage::models::agency::{Agency, AgencyKind};
use portal_storage::models::application::{
    Application, ApplicationEvent, ApplicationStatus, FormDefinition,
};
use portal_storage::models::benefit::{Benefit, BenefitClaim, ClaimState};
use portal_storage::models::citizen::Citizen;
use portal_storage::models::linkage::{LinkageRecord, NewLinkage};
use portal_storage::models::record::{Record, SourcedRecord};
use portal_storage::{StorageError, now_millis, transaction};
use time::Date;

use crate::error::AppError;
use crate::services::agencies::{self, AgencyPrincipal, is_municipality_code};
use crate::services::applications::{self, Submitted};
use crate::services::notices::{self, Content, Refusal};
use crate::services::payments::{self, Payer};
use crate::state::AppState;

/// Citizens assessed per query batch when a benefit is published.
const CHUNK: i64 = 1_000;
/// Claims one approval takes (the transfer file's batch size).
pub const MAX_APPROVAL: i64 = payments::MAX_BATCH as i64;
/// The largest amount one claim can come to, in yen: a typo guard, not a policy.
const MAX_AMOUNT: i64 = 10_000_000;
const TITLE_MAX: usize = 100;
/// Statuses a claim can be approved from: sent and not withdrawn, rejected or completed.
const APPROVABLE: [&str; 3] = ["sent", "received", "reviewing"];

/// A benefit as the agency publishes it.
#[derive(Debug, Clone, Default)]
pub struct NewBenefit {
    pub form: String,
    pub title_ja: String,
    pub title_en: String,
    pub amount_per_household: i64,
    pub amount_per_member: i64,
    pub municipalities: Vec<String>,
    pub max_income: Option<i64>,
    /// YYYY-MM-DD.
    pub deadline: String,
}

/// Why a citizen cannot claim, in terms they can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ineligible {
    /// They live elsewhere (their municipality code).
    OutsideArea(String),
    /// Their income is above the limit (yen, and the fiscal year of the record).
    IncomeOver {
        income: i64,
        limit: i64,
        fiscal_year: String,
    },
    /// The benefit has an income limit and the portal holds no income record for them.
    NoIncomeRecord,
    /// The deadline has passed.
    Closed,
}

impl Ineligible {
    pub fn code(&self) -> &'static str {
        match self {
            Ineligible::OutsideArea(_) => "outside_area",
            Ineligible::IncomeOver { .. } => "income_over_limit",
            Ineligible::NoIncomeRecord => "no_income_record",
            Ineligible::Closed => "closed",
        }
    }
}

/// The outcome of the rules for one citizen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Eligibility {
    /// Eligible for `amount` yen: the household amount plus one per other `members`.
    Eligible {
        amount: i64,
        members: usize,
    },
    Ineligible(Ineligible),
}

fn record_field(record: &Record, key: &str) -> Option<String> {
    let data: serde_json::Value = serde_json::from_str(&record.data).ok()?;
    match data.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The benefit's rules for one citizen, over their household and income records (any order).
pub fn assess(
    benefit: &Benefit,
    citizen: &Citizen,
    records: &[&Record],
    today: Date,
) -> Eligibility {
    if parse_date(&benefit.deadline).is_some_and(|deadline| today > deadline) {
        return Eligibility::Ineligible(Ineligible::Closed);
    }
    if !benefit
        .municipality_codes()
        .contains(&citizen.municipality_code.as_str())
    {
        return Eligibility::Ineligible(Ineligible::OutsideArea(citizen.municipality_code.clone()));
    }
    if let Some(limit) = benefit.max_income {
        // The newest fiscal year's record; the same year's newest update.
        let newest = records
            .iter()
            .filter(|r| r.category == "income_tax")
            .filter_map(|r| {
                let income = record_field(r, "total_income")?
                    .trim()
                    .parse::<i64>()
                    .ok()?;
                let year = record_field(r, "fiscal_year").unwrap_or_default();
                Some((year, r.updated_on.clone(), income))
            })
            .max();
        match newest {
            None => return Eligibility::Ineligible(Ineligible::NoIncomeRecord),
            Some((fiscal_year, _, income)) if income > limit => {
                return Eligibility::Ineligible(Ineligible::IncomeOver {
                    income,
                    limit,
                    fiscal_year,
                });
            }
            Some(_) => {}
        }
    }
    let members = records
        .iter()
        .filter(|r| r.category == "household")
        .filter(|r| record_field(r, "relationship").as_deref() != Some("本人"))
        .count();
    let amount = benefit.amount_per_household
        + benefit.amount_per_member * i64::try_from(members).unwrap_or(0);
    Eligibility::Eligible {
        amount: amount.min(MAX_AMOUNT),
        members,
    }
}

fn parse_date(value: &str) -> Option<Date> {
    Date::parse(
        value.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

const CATEGORIES: [&str; 2] = ["household", "income_tax"];

/// The linkage row for reading one citizen's records to decide eligibility.
fn eligibility_read(
    agency: &Agency,
    benefit: &Benefit,
    citizen: CitizenId,
    read: &[&SourcedRecord],
    at: i64,
) -> NewLinkage {
    let mut providers: Vec<String> = read.iter().map(|r| r.agency_code.clone()).collect();
    providers.sort();
    providers.dedup();
    let mut items: Vec<String> = read.iter().map(|r| r.record.category.clone()).collect();
    items.sort();
    items.dedup();
    NewLinkage {
        citizen_id: citizen,
        at,
        requester_kind: "agency".to_owned(),
        requester_id: agency.code.clone(),
        requester_name: agency.name_ja.clone(),
        providers,
        items,
        task_code: format!("benefit:{}", benefit.id),
        purpose: format!("{}の支給対象の確認", benefit.title_ja),
        result: "provided".to_owned(),
        withheld: false,
    }
}

/// What publishing found.
#[derive(Debug, Clone)]
pub struct Published {
    pub benefit: Benefit,
    /// Citizens living in the benefit's municipalities.
    pub assessed: i64,
    pub eligible: i64,
    /// Ineligible citizens by [`Ineligible::code`].
    pub ineligible: BTreeMap<&'static str, i64>,
}

fn check_new(
    principal: &AgencyPrincipal,
    new: &NewBenefit,
    today: Date,
) -> Result<(String, String, Vec<String>), Refusal> {
    let title = |field: &str, value: &str| {
        let value = value.trim();
        if value.is_empty() || value.chars().count() > TITLE_MAX {
            Err(Refusal::invalid(
                field,
                format!("is required, at most {TITLE_MAX} characters"),
            ))
        } else {
            Ok(value.to_owned())
        }
    };
    let title_ja = title("benefit.titleJa", &new.title_ja)?;
    let title_en = title("benefit.titleEn", &new.title_en)?;
    for (field, amount) in [
        ("benefit.amountPerHousehold", new.amount_per_household),
        ("benefit.amountPerMember", new.amount_per_member),
    ] {
        if !(0..=MAX_AMOUNT).contains(&amount) {
            return Err(Refusal::invalid(
                field,
                format!("must be from 0 to {MAX_AMOUNT} yen"),
            ));
        }
    }
    if new.amount_per_household == 0 && new.amount_per_member == 0 {
        return Err(Refusal::invalid(
            "benefit.amountPerHousehold",
            "the benefit must pay something: give a household or a per-member amount",
        ));
    }
    if new.max_income.is_some_and(|m| m < 0) {
        return Err(Refusal::invalid(
            "benefit.maxIncome",
            "must be 0 yen or more",
        ));
    }
    let mut areas: Vec<String> = Vec::new();
    for (i, code) in new.municipalities.iter().enumerate() {
        let code = code.trim();
        if !is_municipality_code(code) {
            return Err(Refusal::invalid(
                &format!("benefit.municipalities[{i}]"),
                "must be a 6-digit local government code with its check digit, e.g. 131016",
            ));
        }
        if !areas.iter().any(|a| a == code) {
            areas.push(code.to_owned());
        }
    }
    if areas.is_empty() {
        return Err(Refusal::invalid(
            "benefit.municipalities",
            "must name at least one municipality the benefit is for",
        ));
    }
    if principal.kind() == Some(AgencyKind::Municipality)
        && areas.iter().any(|a| *a != principal.code)
    {
        return Err(Refusal::Forbidden(format!(
            "a municipality pays only its own residents: municipalities must be [\"{}\"]",
            principal.code
        )));
    }
    match parse_date(&new.deadline) {
        Some(deadline) if deadline >= today => {}
        Some(_) => {
            return Err(Refusal::invalid(
                "benefit.deadline",
                "must be today or later",
            ));
        }
        None => {
            return Err(Refusal::invalid(
                "benefit.deadline",
                "must be a date as YYYY-MM-DD",
            ));
        }
    }
    Ok((title_ja, title_en, areas))
}

fn yen(amount: i64) -> String {
    portal_web::format::grouped(&amount.to_string())
}

fn invitation(state: &AppState, benefit: &Benefit) -> Content {
    let per_member = if benefit.amount_per_member > 0 {
        format!(
            "（世帯員1人につき{}円を加算）",
            yen(benefit.amount_per_member)
        )
    } else {
        String::new()
    };
    Content {
        title: format!("{}のご案内", benefit.title_ja),
        body: format!(
            "あなたの世帯は{title}の支給対象です。\n\n支給額は1世帯{household}円{per_member}です。\
             世帯と公金受取口座は記入済みなので、内容を確認して請求するだけで手続きが終わります。\
             {deadline}までに請求してください。",
            title = benefit.title_ja,
            household = yen(benefit.amount_per_household),
            deadline = benefit.deadline,
        ),
        lang: Some("ja".to_owned()),
        category: "benefits".to_owned(),
        importance: Some("high".to_owned()),
        deadline: Some(benefit.deadline.clone()),
        action_url: Some(format!(
            "{}/benefits/{}",
            state.config.public_url(),
            benefit.id
        )),
        action_label: Some(format!("{}を請求する", benefit.title_ja)),
        expires_on: None,
    }
}

/// Publishes a benefit: assesses every resident of its municipalities (recording each read), and sends the
/// eligible ones a notice linking to the claim. The claim form must be one of the agency's own.
pub async fn publish(
    state: &AppState,
    principal: &AgencyPrincipal,
    new: NewBenefit,
) -> Result<Result<Published, Refusal>, AppError> {
    let today = crate::japan_today();
    let (title_ja, title_en, areas) = match check_new(principal, &new, today) {
        Ok(checked) => checked,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let agency_id = principal.agency_id;
    let form_key = new.form.trim().to_owned();
    let lookup = form_key.clone();
    let (form, agency) = state
        .db
        .run(move |c| {
            Ok((
                FormDefinition::latest(c, &lookup)?,
                Agency::find(c, agency_id)?,
            ))
        })
        .await?;
    let Some(agency) = agency else {
        return Err(AppError::NotFound);
    };
    if form.is_none_or(|f| f.agency_id != agency_id) {
        return Ok(Err(Refusal::invalid(
            "benefit.form",
            "must be the key of a form your agency has published (see `forms`), used as the claim form",
        )));
    }
    let benefit = Benefit {
        id: BenefitId::new(),
        agency_id,
        form_key,
        title_ja,
        title_en,
        amount_per_household: new.amount_per_household,
        amount_per_member: new.amount_per_member,
        municipalities: areas.join(","),
        max_income: new.max_income,
        deadline: parse_date(&new.deadline)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        notice_id: None,
        eligible: 0,
        created_at: now_millis(),
    };
    let stored = benefit.clone();
    state.db.run(move |c| Benefit::insert(c, &stored)).await?;

    let mut after: Option<CitizenId> = None;
    let mut assessed = 0_i64;
    let mut ineligible: BTreeMap<&'static str, i64> = BTreeMap::new();
    let mut eligible_pseudonyms: Vec<String> = Vec::new();
    loop {
        let (agency, benefit) = (agency.clone(), benefit.clone());
        let codes = areas.clone();
        let chunk = state
            .db
            .run(move |c| {
                transaction(c, |c| {
                    let wanted: Vec<&str> = codes.iter().map(String::as_str).collect();
                    let citizens = Citizen::in_municipalities(c, &wanted, after, CHUNK)?;
                    let ids: Vec<CitizenId> = citizens.iter().map(|c| c.id).collect();
                    let records = Record::of_citizens(c, &ids, &CATEGORIES)?;
                    let mut by_citizen: HashMap<CitizenId, Vec<&SourcedRecord>> = HashMap::new();
                    for record in &records {
                        by_citizen
                            .entry(record.record.citizen_id)
                            .or_default()
                            .push(record);
                    }
                    let at = now_millis();
                    let mut outcomes = Vec::with_capacity(citizens.len());
                    for citizen in &citizens {
                        let read = by_citizen.remove(&citizen.id).unwrap_or_default();
                        if !read.is_empty() {
                            LinkageRecord::append(
                                c,
                                eligibility_read(&agency, &benefit, citizen.id, &read, at),
                            )?;
                        }
                        let plain: Vec<&Record> = read.iter().map(|r| &r.record).collect();
                        outcomes.push((citizen.id, assess(&benefit, citizen, &plain, today)));
                    }
                    let eligible: Vec<(&Agency, CitizenId)> = outcomes
                        .iter()
                        .filter(|(_, e)| matches!(e, Eligibility::Eligible { .. }))
                        .map(|(id, _)| (&agency, *id))
                        .collect();
                    // The agency gets its pseudonyms for the eligible, to address the notice and the payment.
                    let pseudonyms = agencies::enrol(c, &eligible)?;
                    Ok::<_, StorageError>((ids.last().copied(), outcomes, pseudonyms))
                })
            })
            .await?;
        let (last, outcomes, pseudonyms) = chunk;
        assessed += i64::try_from(outcomes.len()).unwrap_or(0);
        for (_, outcome) in &outcomes {
            if let Eligibility::Ineligible(why) = outcome {
                *ineligible.entry(why.code()).or_default() += 1;
            }
        }
        eligible_pseudonyms.extend(pseudonyms);
        match last {
            Some(last) if i64::try_from(outcomes.len()).unwrap_or(0) == CHUNK => after = Some(last),
            _ => break,
        }
    }
    let eligible = i64::try_from(eligible_pseudonyms.len()).unwrap_or(i64::MAX);
    let mut benefit = benefit;
    if !eligible_pseudonyms.is_empty() {
        match notices::post_to_list(
            state,
            principal,
            invitation(state, &benefit),
            eligible_pseudonyms,
        )
        .await?
        {
            Ok(posted) => {
                let (id, notice) = (benefit.id, posted.notice.id);
                state
                    .db
                    .run(move |c| Benefit::set_notice(c, id, notice, eligible))
                    .await?;
                benefit.notice_id = Some(notice);
                benefit.eligible = eligible;
            }
            // The content is the portal's own; a refusal is a bug, and the benefit stands without a notice.
            Err(refusal) => tracing::error!(?refusal, "the benefit's notice was refused"),
        }
    }
    Ok(Ok(Published {
        benefit,
        assessed,
        eligible,
        ineligible,
    }))
}

/// An agency's benefits with their claim counts (claimed, paid).
pub async fn list(
    state: &AppState,
    principal: &AgencyPrincipal,
) -> Result<Vec<(Benefit, i64, i64)>, AppError> {
    let agency = principal.agency_id;
    Ok(state
        .db
        .run(move |c| {
            let benefits = Benefit::of_agency(c, agency, 100)?;
            let ids: Vec<BenefitId> = benefits.iter().map(|b| b.id).collect();
            let counts = BenefitClaim::counts(c, &ids)?;
            Ok(benefits
                .into_iter()
                .zip(counts)
                .map(|(benefit, (_, claimed, paid))| (benefit, claimed, paid))
                .collect())
        })
        .await?)
}

/// What the citizen's benefit page shows.
#[derive(Debug, Clone)]
pub struct ForCitizen {
    pub benefit: Benefit,
    pub agency_name_ja: String,
    pub agency_name_en: String,
    pub eligibility: Eligibility,
    /// Their claim, when they made one.
    pub claim: Option<BenefitClaim>,
}

/// A benefit as one citizen sees it: whether they can claim and for how much, or why not.
pub async fn for_citizen(
    state: &AppState,
    citizen: CitizenId,
    id: BenefitId,
) -> Result<Option<ForCitizen>, AppError> {
    let today = crate::japan_today();
    let found = state
        .db
        .run(move |c| {
            let Some(benefit) = Benefit::find(c, id)? else {
                return Ok(None);
            };
            let Some(person) = Citizen::find(c, citizen)? else {
                return Ok(None);
            };
            let agency = Agency::find(c, benefit.agency_id)?;
            let records = Record::for_categories(c, citizen, &CATEGORIES, 200)?;
            let claim = BenefitClaim::find(c, id, citizen)?;
            Ok::<_, StorageError>(Some((benefit, person, agency, records, claim)))
        })
        .await?;
    let Some((benefit, person, agency, records, claim)) = found else {
        return Ok(None);
    };
    let plain: Vec<&Record> = records.iter().map(|r| &r.record).collect();
    let eligibility = assess(&benefit, &person, &plain, today);
    Ok(Some(ForCitizen {
        agency_name_ja: agency
            .as_ref()
            .map(|a| a.name_ja.clone())
            .unwrap_or_default(),
        agency_name_en: agency.map(|a| a.name_en).unwrap_or_default(),
        benefit,
        eligibility,
        claim,
    }))
}

/// What a claim came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// Sent: the application's id.
    Sent(ApplicationId),
    /// Something the portal does not hold is missing (a bank account, say): the draft to finish.
    NeedsAnswers(ApplicationId),
    /// Claimed before: that claim's application.
    Already(ApplicationId),
    Ineligible(Ineligible),
}

/// Claims a benefit with one confirmation: the claim form is started (prefilled), its declarations are the
/// confirmation the citizen just gave, and it is sent. Eligibility is decided again now, on today's data.
pub async fn claim(
    state: &AppState,
    citizen: CitizenId,
    id: BenefitId,
    acting: Option<&portal_storage::models::proxy::ActingProxy>,
) -> Result<Option<Claimed>, AppError> {
    let Some(seen) = for_citizen(state, citizen, id).await? else {
        return Ok(None);
    };
    if let Some(claim) = &seen.claim {
        return Ok(Some(Claimed::Already(claim.application_id)));
    }
    let amount = match seen.eligibility {
        Eligibility::Eligible { amount, .. } => amount,
        Eligibility::Ineligible(why) => return Ok(Some(Claimed::Ineligible(why))),
    };
    let Some((application, _)) =
        applications::start(state, citizen, &seen.benefit.form_key, acting).await?
    else {
        return Err(AppError::NotFound);
    };
    let row = BenefitClaim {
        benefit_id: id,
        citizen_id: citizen,
        application_id: application,
        amount,
        state: ClaimState::Claimed.code().to_owned(),
        paid_on: None,
        claimed_at: now_millis(),
    };
    let inserted = state.db.run(move |c| BenefitClaim::insert(c, &row)).await?;
    if !inserted {
        // A second tab claimed first: that claim stands.
        if let Some(claim) = state
            .db
            .run(move |c| BenefitClaim::find(c, id, citizen))
            .await?
        {
            return Ok(Some(Claimed::Already(claim.application_id)));
        }
    }
    let Some(opened) = applications::open(state, citizen, application).await? else {
        return Err(AppError::NotFound);
    };
    let mut answers = opened.answers.clone();
    for (_, field) in opened.definition.fields() {
        if field.kind() == Some(Kind::Declaration) {
            answers.0.insert(field.id.clone(), Value::text("agreed"));
        }
    }
    applications::save(state, &opened, &answers, acting).await?;
    let Some(opened) = applications::open(state, citizen, application).await? else {
        return Err(AppError::NotFound);
    };
    Ok(Some(
        match applications::submit(state, &opened, acting).await? {
            Submitted::Sent(_) | Submitted::AlreadySent => Claimed::Sent(application),
            Submitted::Incomplete(_) => Claimed::NeedsAnswers(application),
        },
    ))
}

/// A claim left out of an approval, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub application: ApplicationId,
    pub receipt_number: String,
    pub reason: String,
}

/// What a bulk approval did.
#[derive(Debug, Clone)]
pub struct Approved {
    /// The Zengin 総合振込 file paying every approved claim; empty when none was approved.
    pub file: Vec<u8>,
    pub approved: usize,
    /// Yen.
    pub total: u64,
    pub skipped: Vec<Skipped>,
}

/// The end of a receipt number, as the file's 10-character customer code holds it.
fn last_chars(value: &str, n: usize) -> String {
    let skip = value.chars().count().saturating_sub(n);
    value.chars().skip(skip).collect()
}

/// The bank account a claim's answers name, as a payment of `amount`.
fn payment_of(
    directory: &portal_bank::directory::Directory,
    definition: &portal_forms::Definition,
    answers: &Answers,
    amount: u64,
    reference: &str,
) -> Option<Payment> {
    let account = definition
        .fields()
        .into_iter()
        .filter(|(_, f)| f.kind() == Some(Kind::BankAccount))
        .find_map(|(_, f)| match answers.0.get(&f.id) {
            Some(Value::Account(account)) => Some(account.clone()),
            _ => None,
        })?;
    payments::payment_to(
        directory,
        &payments::AccountTo {
            bank_code: &account.bank_code,
            branch_code: &account.branch_code,
            account_type: &account.account_type,
            number: &account.number,
            holder_kana: &account.holder_kana,
        },
        amount,
        reference,
    )
}

/// Approves a benefit's sent claims at once (all of them, or those named) and builds the transfer file
/// paying each its amount into the account its claim names, on the payer's transfer date. Each approved
/// application is completed, and its citizen told by a notice.
pub async fn approve(
    state: &AppState,
    principal: &AgencyPrincipal,
    id: BenefitId,
    only: Option<Vec<ApplicationId>>,
    payer: Payer,
) -> Result<Result<Approved, Refusal>, AppError> {
    if let Err(refusal) = payments::payment_task(principal, "benefit_payment") {
        return Ok(Err(Refusal::Forbidden(refusal.to_string())));
    }
    let directory = state.banks.get(&state.db).await?;
    let header = match payments::header(&directory, &payer) {
        Ok(header) => header,
        Err(payments::PaymentRefusal::Invalid { field, problem }) => {
            return Ok(Err(Refusal::invalid(&format!("payer.{field}"), problem)));
        }
        Err(other) => return Ok(Err(Refusal::Forbidden(other.to_string()))),
    };
    let agency_id = principal.agency_id;
    let found = state
        .db
        .run(move |c| {
            let Some(benefit) = Benefit::find(c, id)?.filter(|b| b.agency_id == agency_id) else {
                return Ok(None);
            };
            let claims = BenefitClaim::in_state(c, id, ClaimState::Claimed, MAX_APPROVAL)?;
            let mut forms: HashMap<_, FormDefinition> = HashMap::new();
            for (_, application) in &claims {
                if !forms.contains_key(&application.form_definition_id)
                    && let Some(form) = FormDefinition::find(c, application.form_definition_id)?
                {
                    forms.insert(form.id, form);
                }
            }
            Ok::<_, StorageError>(Some((benefit, claims, forms, Agency::find(c, agency_id)?)))
        })
        .await?;
    let Some((benefit, claims, forms, Some(agency))) = found else {
        return Ok(Err(Refusal::NotFound));
    };
    let mut definitions = HashMap::new();
    for (form_id, form) in forms {
        let (_, definition) = crate::services::form_definitions::parsed(form)?;
        definitions.insert(form_id, definition);
    }
    let mut payments_out = Vec::new();
    let mut approved: Vec<(ApplicationId, CitizenId)> = Vec::new();
    let mut skipped = Vec::new();
    for (claim, application) in claims {
        if only
            .as_ref()
            .is_some_and(|ids| !ids.contains(&application.id))
        {
            continue;
        }
        let receipt = application.receipt_number.clone().unwrap_or_default();
        let skip = |reason: &str| Skipped {
            application: application.id,
            receipt_number: receipt.clone(),
            reason: reason.to_owned(),
        };
        if !APPROVABLE.contains(&application.status.as_str()) {
            // A draft not yet sent, or one withdrawn or decided otherwise, is not paid.
            if application.status != ApplicationStatus::Draft.code() {
                skipped.push(skip(&format!("the application is {}", application.status)));
            }
            continue;
        }
        let answers: Answers = match serde_json::from_str(&application.answers) {
            Ok(answers) => answers,
            Err(_) => {
                skipped.push(skip("the application's answers cannot be read"));
                continue;
            }
        };
        let payment = definitions
            .get(&application.form_definition_id)
            .and_then(|d| {
                payment_of(
                    &directory,
                    d,
                    &answers,
                    u64::try_from(claim.amount).unwrap_or(0),
                    &last_chars(&receipt, 10),
                )
            });
        match payment {
            Some(payment) => {
                payments_out.push((application.id, payment));
                approved.push((application.id, application.citizen_id));
            }
            None => skipped.push(skip(
                "the account the claim names is not in the Zengin table: ask the citizen for another",
            )),
        }
    }
    if let Some(ids) = &only {
        for id in ids {
            if !approved.iter().any(|(a, _)| a == id)
                && !skipped.iter().any(|s| s.application == *id)
            {
                skipped.push(Skipped {
                    application: *id,
                    receipt_number: String::new(),
                    reason: "not an open claim of this benefit".to_owned(),
                });
            }
        }
    }
    if approved.is_empty() {
        return Ok(Ok(Approved {
            file: Vec::new(),
            approved: 0,
            total: 0,
            skipped,
        }));
    }
    let date = payer.transfer_date.clone();
    let ids: Vec<ApplicationId> = approved.iter().map(|(a, _)| *a).collect();
    let message = format!(
        "{}を承認しました。{}に公金受取口座へ振り込みます。",
        benefit.title_ja, date
    );
    let done = state
        .db
        .run(move |c| {
            transaction(c, |c| {
                let at = now_millis();
                Application::set_status_many(
                    c,
                    &ids,
                    &APPROVABLE,
                    ApplicationStatus::Completed,
                    at,
                )?;
                // Only those this approval completed: a withdrawal a moment before is not paid.
                let completed = Application::completed_at(c, &ids, at)?;
                let events: Vec<ApplicationEvent> = completed
                    .iter()
                    .map(|id| ApplicationEvent {
                        id: ApplicationEventId::new(),
                        application_id: *id,
                        kind: "status".to_owned(),
                        status: Some(ApplicationStatus::Completed.code().to_owned()),
                        actor: "agency".to_owned(),
                        body: Some(message.clone()),
                        at,
                        acted_by: None,
                        acted_by_name: None,
                    })
                    .collect();
                ApplicationEvent::insert_many(c, &events)?;
                BenefitClaim::mark_paid(c, id, &completed, &date)?;
                Ok::<_, StorageError>(completed)
            })
        })
        .await?;
    let payments: Vec<Payment> = payments_out
        .into_iter()
        .filter(|(id, _)| done.contains(id))
        .map(|(_, p)| p)
        .collect();
    let file = TransferFile { header, payments };
    let total = file.total();
    let count = file.payments.len();
    let bytes = match file.to_bytes() {
        Ok(bytes) => bytes,
        Err(e) => return Ok(Err(Refusal::invalid("payer", e.to_string()))),
    };
    let pseudonyms: Vec<String> = approved
        .iter()
        .filter(|(id, _)| done.contains(id))
        .map(|(_, citizen)| agencies::pseudonym(&agency, *citizen))
        .collect();
    if !pseudonyms.is_empty()
        && let Err(refusal) = notices::post_to_list(
            state,
            principal,
            approval_notice(state, &benefit, &payer.transfer_date),
            pseudonyms,
        )
        .await?
    {
        tracing::error!(?refusal, "the benefit's approval notice was refused");
    }
    Ok(Ok(Approved {
        file: bytes,
        approved: count,
        total,
        skipped,
    }))
}

fn approval_notice(state: &AppState, benefit: &Benefit, date: &str) -> Content {
    Content {
        title: format!("{}の支給が決まりました", benefit.title_ja),
        body: format!(
            "{}の請求を承認しました。{date}に、請求で確認した口座へ振り込みます。\n\n支給額は申請の状況で確認できます。",
            benefit.title_ja
        ),
        lang: Some("ja".to_owned()),
        category: "benefits".to_owned(),
        importance: Some("normal".to_owned()),
        deadline: None,
        action_url: Some(format!("{}/applications", state.config.public_url())),
        action_label: Some("申請の状況を見る".to_owned()),
        expires_on: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_storage::ids::{AgencyId, RecordId};

    fn benefit(max_income: Option<i64>) -> Benefit {
        Benefit {
            id: BenefitId::new(),
            agency_id: AgencyId::new(),
            form_key: "emergency_benefit".into(),
            title_ja: "緊急給付金".into(),
            title_en: "Emergency benefit".into(),
            amount_per_household: 100_000,
            amount_per_member: 50_000,
            municipalities: "131016".into(),
            max_income,
            deadline: "2026-12-31".into(),
            notice_id: None,
            eligible: 0,
            created_at: 0,
        }
    }

    fn citizen(municipality: &str) -> Citizen {
        Citizen {
            id: CitizenId::new(),
            name: "山田 花子".into(),
            name_kana: "ヤマダ ハナコ".into(),
            birth_date: "1990-04-01".into(),
            sex: "female".into(),
            address: "東京都千代田区".into(),
            municipality_code: municipality.into(),
            email: None,
            lang: "ja".into(),
            created_at: 0,
        }
    }

    fn record(category: &str, updated_on: &str, data: serde_json::Value) -> Record {
        Record {
            id: RecordId::new(),
            citizen_id: CitizenId::new(),
            agency_id: AgencyId::new(),
            category: category.into(),
            external_id: "x".into(),
            data: data.to_string(),
            updated_on: updated_on.into(),
            published_at: 0,
        }
    }

    fn day(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn the_amount_counts_the_household_members_besides_the_claimant() {
        let records = [
            record(
                "household",
                "2026-10-01",
                serde_json::json!({"relationship": "本人"}),
            ),
            record(
                "household",
                "2026-10-01",
                serde_json::json!({"relationship": "子"}),
            ),
            record(
                "household",
                "2026-10-01",
                serde_json::json!({"relationship": "配偶者"}),
            ),
        ];
        let refs: Vec<&Record> = records.iter().collect();
        assert_eq!(
            assess(&benefit(None), &citizen("131016"), &refs, day("2026-11-27")),
            Eligibility::Eligible {
                amount: 200_000,
                members: 2
            }
        );
    }

    #[test]
    fn the_newest_fiscal_year_decides_the_income_limit() {
        let records = [
            record(
                "income_tax",
                "2025-06-01",
                serde_json::json!({"fiscal_year": "2024", "total_income": "2000000"}),
            ),
            record(
                "income_tax",
                "2026-06-01",
                serde_json::json!({"fiscal_year": "2025", "total_income": "4200000"}),
            ),
        ];
        let refs: Vec<&Record> = records.iter().collect();
        assert_eq!(
            assess(
                &benefit(Some(3_000_000)),
                &citizen("131016"),
                &refs,
                day("2026-11-27")
            ),
            Eligibility::Ineligible(Ineligible::IncomeOver {
                income: 4_200_000,
                limit: 3_000_000,
                fiscal_year: "2025".into()
            })
        );
        assert!(matches!(
            assess(
                &benefit(Some(5_000_000)),
                &citizen("131016"),
                &refs,
                day("2026-11-27")
            ),
            Eligibility::Eligible {
                amount: 100_000,
                ..
            }
        ));
    }

    #[test]
    fn area_income_record_and_deadline_each_have_their_reason() {
        let none: Vec<&Record> = Vec::new();
        assert_eq!(
            assess(&benefit(None), &citizen("141003"), &none, day("2026-11-27")),
            Eligibility::Ineligible(Ineligible::OutsideArea("141003".into()))
        );
        assert_eq!(
            assess(
                &benefit(Some(1)),
                &citizen("131016"),
                &none,
                day("2026-11-27")
            ),
            Eligibility::Ineligible(Ineligible::NoIncomeRecord)
        );
        assert_eq!(
            assess(&benefit(None), &citizen("131016"), &none, day("2027-01-01")),
            Eligibility::Ineligible(Ineligible::Closed)
        );
    }
}

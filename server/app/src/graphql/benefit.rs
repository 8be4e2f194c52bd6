//! 即日給付 through GraphQL: an agency publishes a benefit with its eligibility rules (the eligible
//! residents get a notice linking to the claim), lists its benefits with their claims, and approves the
//! claims in bulk into a Zengin transfer file.

use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object, SimpleObject};
use base64::Engine;
use portal_storage::ids::{ApplicationId, BenefitId};
use portal_storage::models::benefit::Benefit;

use crate::graphql::account::PayerInput;
use crate::graphql::agency::{agency, state};
use crate::graphql::error::NOT_FOUND;
use crate::services::benefits::{self, Approved, NewBenefit, Published};
use crate::services::notices::Refusal;
use crate::services::payments::Payer;

/// A benefit to publish.
#[derive(InputObject)]
pub struct BenefitInput {
    /// The key of the claim form, one your agency has published (e.g. `emergency_benefit`).
    form: String,
    title_ja: String,
    title_en: String,
    /// Yen per household.
    amount_per_household: i64,
    /// Yen added per household member besides the claimant (0 for none).
    #[graphql(default)]
    amount_per_member: i64,
    /// The municipalities (6-digit codes) whose residents it is for; a municipality gives only its own.
    municipalities: Vec<String>,
    /// The highest household income (yen, the newest fiscal year's `income_tax.total_income`) that
    /// qualifies; none for no income limit. A resident with no income record does not qualify when set.
    max_income: Option<i64>,
    /// The last day to claim, YYYY-MM-DD.
    deadline: String,
}

/// A published benefit.
pub struct BenefitInfo {
    benefit: Benefit,
    claimed: i64,
    paid: i64,
}

#[Object(name = "Benefit")]
impl BenefitInfo {
    async fn id(&self) -> ID {
        ID(self.benefit.id.to_string())
    }
    async fn form(&self) -> &str {
        &self.benefit.form_key
    }
    async fn title_ja(&self) -> &str {
        &self.benefit.title_ja
    }
    async fn title_en(&self) -> &str {
        &self.benefit.title_en
    }
    async fn amount_per_household(&self) -> i64 {
        self.benefit.amount_per_household
    }
    async fn amount_per_member(&self) -> i64 {
        self.benefit.amount_per_member
    }
    async fn municipalities(&self) -> Vec<&str> {
        self.benefit.municipality_codes()
    }
    async fn max_income(&self) -> Option<i64> {
        self.benefit.max_income
    }
    async fn deadline(&self) -> &str {
        &self.benefit.deadline
    }
    /// The notice sent to the eligible residents (none when nobody was eligible).
    async fn notice_id(&self) -> Option<ID> {
        self.benefit.notice_id.map(|id| ID(id.to_string()))
    }
    /// Residents found eligible when it was published.
    async fn eligible(&self) -> i64 {
        self.benefit.eligible
    }
    /// Claims started and not yet paid (sent ones are approved with `approveBenefitClaims`).
    async fn claimed(&self) -> i64 {
        self.claimed
    }
    async fn paid(&self) -> i64 {
        self.paid
    }
}

/// How many residents one reason made ineligible.
#[derive(SimpleObject)]
pub struct IneligibleCount {
    /// `outside_area`, `income_over_limit`, `no_income_record` or `closed`.
    reason: String,
    count: i64,
}

/// What publishing found.
#[derive(SimpleObject)]
pub struct BenefitPublished {
    benefit: BenefitInfo,
    /// Residents of the benefit's municipalities whose data was read (each read is in their やりとり履歴).
    assessed: i64,
    /// Residents who qualify; each was sent the notice.
    eligible: i64,
    ineligible: Vec<IneligibleCount>,
}

impl From<Published> for BenefitPublished {
    fn from(p: Published) -> Self {
        BenefitPublished {
            benefit: BenefitInfo {
                benefit: p.benefit,
                claimed: 0,
                paid: 0,
            },
            assessed: p.assessed,
            eligible: p.eligible,
            ineligible: p
                .ineligible
                .into_iter()
                .map(|(reason, count)| IneligibleCount {
                    reason: reason.to_owned(),
                    count,
                })
                .collect(),
        }
    }
}

/// A claim an approval left out.
#[derive(SimpleObject)]
pub struct SkippedClaim {
    application: ID,
    receipt_number: String,
    reason: String,
}

/// A bulk approval: the claims completed and the file that pays them.
#[derive(SimpleObject)]
pub struct BenefitApproval {
    /// Claims approved (their applications are now 完了, and each citizen was told).
    approved: i32,
    /// Yen.
    total: u64,
    /// The Zengin 総合振込 file (120-byte records, Shift_JIS), base64; empty when nothing was approved.
    file: String,
    skipped: Vec<SkippedClaim>,
}

impl From<Approved> for BenefitApproval {
    fn from(a: Approved) -> Self {
        BenefitApproval {
            approved: i32::try_from(a.approved).unwrap_or(i32::MAX),
            total: a.total,
            file: base64::engine::general_purpose::STANDARD.encode(&a.file),
            skipped: a
                .skipped
                .into_iter()
                .map(|s| SkippedClaim {
                    application: ID(s.application.to_string()),
                    receipt_number: s.receipt_number,
                    reason: s.reason,
                })
                .collect(),
        }
    }
}

fn not_found() -> async_graphql::Error {
    async_graphql::Error::new("your agency has no benefit with that id")
        .extend_with(|_, e| e.set("code", NOT_FOUND))
}

fn refused(refusal: Refusal) -> async_graphql::Error {
    match refusal {
        Refusal::NotFound => not_found(),
        other => super::notice::refused(other),
    }
}

#[derive(Default)]
pub struct BenefitQuery;

#[Object]
impl BenefitQuery {
    /// Your agency's benefits, newest first (at most 100), with their claims.
    async fn benefits(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<BenefitInfo>> {
        let principal = agency(ctx)?;
        let listed = benefits::list(state(ctx)?, principal)
            .await
            .map_err(|e| e.extend())?;
        Ok(listed
            .into_iter()
            .map(|(benefit, claimed, paid)| BenefitInfo {
                benefit,
                claimed,
                paid,
            })
            .collect())
    }
}

#[derive(Default)]
pub struct BenefitMutation;

#[Object]
impl BenefitMutation {
    /// Publishes a benefit: every resident of its municipalities is assessed against its rules, and the
    /// eligible are sent a notice (category `benefits`) linking to a claim they finish with one confirmation.
    async fn publish_benefit(
        &self,
        ctx: &Context<'_>,
        benefit: BenefitInput,
    ) -> async_graphql::Result<BenefitPublished> {
        let principal = agency(ctx)?;
        let new = NewBenefit {
            form: benefit.form,
            title_ja: benefit.title_ja,
            title_en: benefit.title_en,
            amount_per_household: benefit.amount_per_household,
            amount_per_member: benefit.amount_per_member,
            municipalities: benefit.municipalities,
            max_income: benefit.max_income,
            deadline: benefit.deadline,
        };
        match benefits::publish(state(ctx)?, principal, new).await {
            Ok(Ok(published)) => Ok(published.into()),
            Ok(Err(refusal)) => Err(refused(refusal)),
            Err(e) => Err(e.extend()),
        }
    }

    /// Approves a benefit's sent claims in bulk — all of them, or the applications named — completing each
    /// and building the transfer file that pays each claim's amount into the account its claim names (your
    /// agency must perform `benefit_payment`). Claims that cannot be paid are listed with the reason.
    async fn approve_benefit_claims(
        &self,
        ctx: &Context<'_>,
        benefit: ID,
        applications: Option<Vec<ID>>,
        payer: PayerInput,
    ) -> async_graphql::Result<BenefitApproval> {
        let principal = agency(ctx)?;
        let id = benefit.parse::<BenefitId>().map_err(|_| not_found())?;
        let only = match applications {
            None => None,
            Some(ids) => Some(
                ids.iter()
                    .map(|id| id.parse::<ApplicationId>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| {
                        super::notice::refused(Refusal::invalid(
                            "applications",
                            "must be application ids",
                        ))
                    })?,
            ),
        };
        match benefits::approve(state(ctx)?, principal, id, only, Payer::from(payer)).await {
            Ok(Ok(approved)) => Ok(approved.into()),
            Ok(Err(refusal)) => Err(refused(refusal)),
            Err(e) => Err(e.extend()),
        }
    }
}

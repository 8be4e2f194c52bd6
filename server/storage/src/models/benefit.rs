//! 即日給付: benefits agencies publish with eligibility rules, and the claims citizens make for them.

use diesel::prelude::*;

use crate::ids::{AgencyId, ApplicationId, BenefitId, CitizenId, NoticeId};
use crate::models::application::Application;
use crate::schema::{applications, benefit_claims, benefits};
use crate::{AnyConnection, StorageError, with_conn};

/// A published benefit and its rules.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = benefits)]
pub struct Benefit {
    pub id: BenefitId,
    pub agency_id: AgencyId,
    /// The claim form (one of the agency's published forms).
    pub form_key: String,
    pub title_ja: String,
    pub title_en: String,
    /// Yen per household.
    pub amount_per_household: i64,
    /// Yen per household member besides the claimant.
    pub amount_per_member: i64,
    /// Comma-separated municipality codes the benefit is for.
    pub municipalities: String,
    /// The highest household income (yen) that qualifies; `None` for no income limit.
    pub max_income: Option<i64>,
    /// The last day to claim, YYYY-MM-DD.
    pub deadline: String,
    /// The notice sent to the eligible citizens.
    pub notice_id: Option<NoticeId>,
    /// How many citizens were found eligible when it was published.
    pub eligible: i64,
    pub created_at: i64,
}

impl Benefit {
    pub fn insert(conn: &mut AnyConnection, row: &Benefit) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(benefits::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    pub fn find(conn: &mut AnyConnection, id: BenefitId) -> Result<Option<Benefit>, StorageError> {
        let found = with_conn!(conn, |c| benefits::table
            .find(id)
            .select(Benefit::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// An agency's benefits, newest first.
    pub fn of_agency(
        conn: &mut AnyConnection,
        agency: AgencyId,
        limit: i64,
    ) -> Result<Vec<Benefit>, StorageError> {
        let rows = with_conn!(conn, |c| benefits::table
            .filter(benefits::agency_id.eq(agency))
            .order(benefits::created_at.desc())
            .limit(limit)
            .select(Benefit::as_select())
            .load(c))?;
        Ok(rows)
    }

    /// Records the notice sent to the eligible citizens, and how many they were.
    pub fn set_notice(
        conn: &mut AnyConnection,
        id: BenefitId,
        notice: NoticeId,
        eligible: i64,
    ) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::update(benefits::table.find(id))
            .set((
                benefits::notice_id.eq(Some(notice)),
                benefits::eligible.eq(eligible),
            ))
            .execute(c))?;
        Ok(())
    }

    pub fn municipality_codes(&self) -> Vec<&str> {
        self.municipalities
            .split(',')
            .filter(|c| !c.is_empty())
            .collect()
    }
}

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimState {
    Claimed,
    /// Approved and put into a transfer file.
    Paid,
}

impl ClaimState {
    pub fn code(self) -> &'static str {
        match self {
            ClaimState::Claimed => "claimed",
            ClaimState::Paid => "paid",
        }
    }
}

/// One citizen's claim of a benefit.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = benefit_claims)]
pub struct BenefitClaim {
    pub benefit_id: BenefitId,
    pub citizen_id: CitizenId,
    pub application_id: ApplicationId,
    /// Yen.
    pub amount: i64,
    /// A [`ClaimState`] code.
    pub state: String,
    /// The transfer date, once paid.
    pub paid_on: Option<String>,
    pub claimed_at: i64,
}

impl BenefitClaim {
    /// Inserts the claim unless the citizen already has one for the benefit; true when inserted.
    pub fn insert(conn: &mut AnyConnection, row: &BenefitClaim) -> Result<bool, StorageError> {
        let inserted = with_conn!(conn, |c| diesel::insert_into(benefit_claims::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c))?;
        Ok(inserted == 1)
    }

    pub fn find(
        conn: &mut AnyConnection,
        benefit: BenefitId,
        citizen: CitizenId,
    ) -> Result<Option<BenefitClaim>, StorageError> {
        let found = with_conn!(conn, |c| benefit_claims::table
            .find((benefit, citizen))
            .select(BenefitClaim::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// A benefit's claims in one state with their applications, oldest first (one query).
    pub fn in_state(
        conn: &mut AnyConnection,
        benefit: BenefitId,
        state: ClaimState,
        limit: i64,
    ) -> Result<Vec<(BenefitClaim, Application)>, StorageError> {
        let rows =
            with_conn!(conn, |c| benefit_claims::table
                .inner_join(
                    applications::table.on(applications::id.eq(benefit_claims::application_id)),
                )
                .filter(benefit_claims::benefit_id.eq(benefit))
                .filter(benefit_claims::state.eq(state.code()))
                .order(benefit_claims::claimed_at)
                .limit(limit)
                .select((BenefitClaim::as_select(), Application::as_select()))
                .load(c))?;
        Ok(rows)
    }

    /// Marks claims paid on `date`; returns how many were still claimed.
    pub fn mark_paid(
        conn: &mut AnyConnection,
        benefit: BenefitId,
        applications: &[ApplicationId],
        date: &str,
    ) -> Result<usize, StorageError> {
        let changed = with_conn!(conn, |c| diesel::update(benefit_claims::table)
            .filter(benefit_claims::benefit_id.eq(benefit))
            .filter(benefit_claims::application_id.eq_any(applications))
            .filter(benefit_claims::state.eq(ClaimState::Claimed.code()))
            .set((
                benefit_claims::state.eq(ClaimState::Paid.code()),
                benefit_claims::paid_on.eq(Some(date)),
            ))
            .execute(c))?;
        Ok(changed)
    }

    /// How many claims of each benefit are in each state: (benefit, claimed, paid), one grouped query that
    /// the `(benefit_id, state)` index answers.
    pub fn counts(
        conn: &mut AnyConnection,
        benefits: &[BenefitId],
    ) -> Result<Vec<(BenefitId, i64, i64)>, StorageError> {
        let rows: Vec<(BenefitId, String, i64)> = with_conn!(conn, |c| benefit_claims::table
            .filter(benefit_claims::benefit_id.eq_any(benefits))
            .group_by((benefit_claims::benefit_id, benefit_claims::state))
            .select((
                benefit_claims::benefit_id,
                benefit_claims::state,
                diesel::dsl::count_star(),
            ))
            .load(c))?;
        Ok(benefits
            .iter()
            .map(|id| {
                let of = |state: ClaimState| {
                    rows.iter()
                        .find(|(b, s, _)| b == id && s == state.code())
                        .map_or(0, |(_, _, n)| *n)
                };
                (*id, of(ClaimState::Claimed), of(ClaimState::Paid))
            })
            .collect())
    }
}

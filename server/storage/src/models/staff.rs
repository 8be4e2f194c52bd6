//! Agency staff (職員) of the browser console, their audit log, and the console's long jobs.

use diesel::prelude::*;

use crate::ids::{AgencyId, StaffAuditId, StaffId, StaffJobId};
use crate::schema::{staff_audit, staff_jobs, staff_members};
use crate::{AnyConnection, StorageError, with_conn};

/// The roles a member of staff may hold; each opens one part of the console.
pub const ROLES: [&str; 4] = ["notices", "records", "applications", "payments"];

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_members)]
pub struct StaffMember {
    pub id: StaffId,
    pub agency_id: AgencyId,
    /// What they sign in with (an e-mail address or a staff number), unique across agencies.
    pub login: String,
    pub name: String,
    /// Comma-separated [`ROLES`].
    pub roles: String,
    /// argon2id, PHC string.
    pub password_hash: String,
    /// RFC 6238 shared key, base32 without padding.
    pub totp_secret: String,
    pub totp_last_step: i64,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

impl StaffMember {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.split(',').any(|r| r == role)
    }

    pub fn insert(conn: &mut AnyConnection, row: &StaffMember) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(staff_members::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    pub fn by_login(
        conn: &mut AnyConnection,
        login: &str,
    ) -> Result<Option<StaffMember>, StorageError> {
        let found = with_conn!(conn, |c| staff_members::table
            .filter(staff_members::login.eq(login))
            .select(StaffMember::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    pub fn find(
        conn: &mut AnyConnection,
        id: StaffId,
    ) -> Result<Option<StaffMember>, StorageError> {
        let found = with_conn!(conn, |c| staff_members::table
            .find(id)
            .select(StaffMember::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// Records that the code of time step `step` was used: false when that step, or a later one, already
    /// was (a code seen twice is refused, so an overheard code cannot be replayed).
    pub fn use_totp_step(
        conn: &mut AnyConnection,
        id: StaffId,
        step: i64,
    ) -> Result<bool, StorageError> {
        let changed = with_conn!(conn, |c| diesel::update(staff_members::table.find(id))
            .filter(staff_members::totp_last_step.lt(step))
            .set(staff_members::totp_last_step.eq(step))
            .execute(c))?;
        Ok(changed == 1)
    }

    /// Every member of an agency's staff, by name.
    pub fn of_agency(
        conn: &mut AnyConnection,
        agency: AgencyId,
    ) -> Result<Vec<StaffMember>, StorageError> {
        let rows = with_conn!(conn, |c| staff_members::table
            .filter(staff_members::agency_id.eq(agency))
            .order(staff_members::name)
            .select(StaffMember::as_select())
            .load(c))?;
        Ok(rows)
    }
}

/// One action of a member of staff.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_audit)]
pub struct AuditEntry {
    pub id: StaffAuditId,
    pub agency_id: AgencyId,
    pub staff_id: StaffId,
    pub at: i64,
    /// What was done, e.g. `sign_in`, `notice.post`, `records.publish`.
    pub action: String,
    /// What it was done to (an id, a file name), or empty.
    pub target: String,
    /// Anything else worth keeping (counts, the new status).
    pub detail: String,
}

impl AuditEntry {
    pub fn insert(conn: &mut AnyConnection, row: &AuditEntry) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(staff_audit::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    /// A page of the agency's log, newest first, with each entry's staff name: one query on
    /// `staff_audit_agency_at`.
    pub fn page(
        conn: &mut AnyConnection,
        agency: AgencyId,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<(AuditEntry, String)>, StorageError> {
        let rows = with_conn!(conn, |c| staff_audit::table
            .inner_join(staff_members::table)
            .filter(staff_audit::agency_id.eq(agency))
            .order((staff_audit::at.desc(), staff_audit::id.desc()))
            .limit(limit)
            .offset(offset)
            .select((AuditEntry::as_select(), staff_members::name))
            .load(c))?;
        Ok(rows)
    }
}

/// The states of a console job.
pub mod job_state {
    /// Checked and waiting for a member of staff to start it (or discard it); no worker takes it.
    pub const PREVIEW: &str = "preview";
    pub const QUEUED: &str = "queued";
    pub const RUNNING: &str = "running";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
}

/// A long job started in the console, with its progress.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_jobs)]
pub struct StaffJob {
    pub id: StaffJobId,
    pub agency_id: AgencyId,
    pub staff_id: StaffId,
    /// What it does, e.g. `records_import`.
    pub kind: String,
    /// A [`job_state`].
    pub state: String,
    pub total: i64,
    pub done: i64,
    /// JSON: what the job works through.
    pub payload: String,
    /// JSON: what it came to, once finished.
    pub result: Option<String>,
    /// Until when the process working on it holds it (milliseconds); after that another may take over.
    pub lease_until: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

impl StaffJob {
    pub fn insert(conn: &mut AnyConnection, row: &StaffJob) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(staff_jobs::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    /// The agency's job `id` (another agency's is as good as missing).
    pub fn find_for(
        conn: &mut AnyConnection,
        agency: AgencyId,
        id: StaffJobId,
    ) -> Result<Option<StaffJob>, StorageError> {
        let found = with_conn!(conn, |c| staff_jobs::table
            .find(id)
            .filter(staff_jobs::agency_id.eq(agency))
            .select(StaffJob::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// The agency's newest jobs.
    pub fn recent(
        conn: &mut AnyConnection,
        agency: AgencyId,
        limit: i64,
    ) -> Result<Vec<StaffJob>, StorageError> {
        let rows = with_conn!(conn, |c| staff_jobs::table
            .filter(staff_jobs::agency_id.eq(agency))
            .order(staff_jobs::created_at.desc())
            .limit(limit)
            .select(StaffJob::as_select())
            .load(c))?;
        Ok(rows)
    }

    /// Claims one job to work on: a queued one, or a running one whose lease ran out (its process stopped);
    /// the conditional update makes sure only one process gets it.
    pub fn claim(
        conn: &mut AnyConnection,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<StaffJob>, StorageError> {
        Self::claim_among(conn, None, now, lease_until)
    }

    /// [`StaffJob::claim`] for jobs of one kind only, for a worker that knows how to do that kind.
    pub fn claim_kind(
        conn: &mut AnyConnection,
        kind: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<StaffJob>, StorageError> {
        Self::claim_among(conn, Some(kind), now, lease_until)
    }

    fn claim_among(
        conn: &mut AnyConnection,
        kind: Option<&str>,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<StaffJob>, StorageError> {
        use job_state::{QUEUED, RUNNING};
        let candidates: Vec<StaffJob> = with_conn!(conn, |c| {
            let mut query = staff_jobs::table
                .filter(
                    staff_jobs::state.eq(QUEUED).or(staff_jobs::state
                        .eq(RUNNING)
                        .and(staff_jobs::lease_until.lt(now))),
                )
                .order(staff_jobs::created_at)
                .limit(5)
                .select(StaffJob::as_select())
                .into_boxed();
            if let Some(kind) = kind {
                query = query.filter(staff_jobs::kind.eq(kind));
            }
            query.load(c)
        })?;
        for job in candidates {
            let taken = with_conn!(conn, |c| diesel::update(staff_jobs::table.find(job.id))
                .filter(staff_jobs::state.eq(&job.state))
                .filter(staff_jobs::lease_until.eq(job.lease_until))
                .set((
                    staff_jobs::state.eq(RUNNING),
                    staff_jobs::lease_until.eq(lease_until),
                ))
                .execute(c))?;
            if taken == 1 {
                return Ok(Some(StaffJob {
                    state: RUNNING.to_owned(),
                    lease_until,
                    ..job
                }));
            }
        }
        Ok(None)
    }

    /// The agency's job `id` without its payload and result (which may be large): enough to show progress.
    pub fn brief_for(
        conn: &mut AnyConnection,
        agency: AgencyId,
        id: StaffJobId,
    ) -> Result<Option<JobBrief>, StorageError> {
        let found = with_conn!(conn, |c| staff_jobs::table
            .find(id)
            .filter(staff_jobs::agency_id.eq(agency))
            .select(JobBrief::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// The agency's newest jobs of `kind`, without their payloads and results.
    pub fn recent_of_kind(
        conn: &mut AnyConnection,
        agency: AgencyId,
        kind: &str,
        limit: i64,
    ) -> Result<Vec<JobBrief>, StorageError> {
        let rows = with_conn!(conn, |c| staff_jobs::table
            .filter(staff_jobs::agency_id.eq(agency))
            .filter(staff_jobs::kind.eq(kind))
            .order(staff_jobs::created_at.desc())
            .limit(limit)
            .select(JobBrief::as_select())
            .load(c))?;
        Ok(rows)
    }

    /// Moves the agency's job `id` from preview to the queue; false when it was not in preview (already
    /// started, or discarded, by a second press or another member).
    pub fn queue(
        conn: &mut AnyConnection,
        agency: AgencyId,
        id: StaffJobId,
    ) -> Result<bool, StorageError> {
        let changed = with_conn!(conn, |c| diesel::update(staff_jobs::table.find(id))
            .filter(staff_jobs::agency_id.eq(agency))
            .filter(staff_jobs::state.eq(job_state::PREVIEW))
            .set(staff_jobs::state.eq(job_state::QUEUED))
            .execute(c))?;
        Ok(changed == 1)
    }

    /// Deletes the agency's job `id` while it is still a preview (its rows are not kept once unwanted);
    /// false when it was not one.
    pub fn discard(
        conn: &mut AnyConnection,
        agency: AgencyId,
        id: StaffJobId,
    ) -> Result<bool, StorageError> {
        let changed = with_conn!(conn, |c| diesel::delete(
            staff_jobs::table
                .find(id)
                .filter(staff_jobs::agency_id.eq(agency))
                .filter(staff_jobs::state.eq(job_state::PREVIEW))
        )
        .execute(c))?;
        Ok(changed == 1)
    }

    /// Saves progress with the result so far, and extends the lease: a worker that takes the job over
    /// after a restart carries on from both.
    pub fn progress_with(
        conn: &mut AnyConnection,
        id: StaffJobId,
        done: i64,
        result: &str,
        lease_until: i64,
    ) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::update(staff_jobs::table.find(id))
            .set((
                staff_jobs::done.eq(done),
                staff_jobs::result.eq(Some(result)),
                staff_jobs::lease_until.eq(lease_until),
            ))
            .execute(c))?;
        Ok(())
    }

    /// Saves progress and extends the lease.
    pub fn progress(
        conn: &mut AnyConnection,
        id: StaffJobId,
        done: i64,
        lease_until: i64,
    ) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::update(staff_jobs::table.find(id))
            .set((
                staff_jobs::done.eq(done),
                staff_jobs::lease_until.eq(lease_until),
            ))
            .execute(c))?;
        Ok(())
    }

    /// Ends the job in `state` (done or failed) with its result.
    pub fn finish(
        conn: &mut AnyConnection,
        id: StaffJobId,
        state: &str,
        done: i64,
        result: &str,
        at: i64,
    ) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::update(staff_jobs::table.find(id))
            .set((
                staff_jobs::state.eq(state),
                staff_jobs::done.eq(done),
                staff_jobs::result.eq(Some(result)),
                staff_jobs::finished_at.eq(Some(at)),
            ))
            .execute(c))?;
        Ok(())
    }
}

/// A job without its payload and result.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = staff_jobs)]
pub struct JobBrief {
    pub id: StaffJobId,
    pub staff_id: StaffId,
    pub kind: String,
    pub state: String,
    pub total: i64,
    pub done: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

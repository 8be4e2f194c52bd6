//! ぴったりサービス: published form definitions, citizens' applications and what happened to them.

use diesel::prelude::*;

use crate::ids::{
    AgencyId, ApplicationEventId, ApplicationId, ApplicationSignatureId, CitizenId,
    FormDefinitionId,
};
use crate::models::proxy::ActingProxy;
use crate::schema::{application_events, application_signatures, applications, form_definitions};
use crate::{AnyConnection, StorageError, with_conn};

/// One published version of a form.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = form_definitions)]
pub struct FormDefinition {
    pub id: FormDefinitionId,
    pub agency_id: AgencyId,
    /// The definition's own id, e.g. `child_allowance`.
    pub form_key: String,
    pub version: i32,
    pub title_ja: String,
    pub title_en: String,
    /// The TOML document as published.
    pub document: String,
    pub published_at: i64,
}

impl FormDefinition {
    pub fn insert(conn: &mut AnyConnection, row: &FormDefinition) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(form_definitions::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    pub fn find(
        conn: &mut AnyConnection,
        id: FormDefinitionId,
    ) -> Result<Option<FormDefinition>, StorageError> {
        let found = with_conn!(conn, |c| form_definitions::table
            .find(id)
            .select(FormDefinition::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// The newest version of a form (the `(form_key, version)` unique index answers it).
    pub fn latest(
        conn: &mut AnyConnection,
        form_key: &str,
    ) -> Result<Option<FormDefinition>, StorageError> {
        let found = with_conn!(conn, |c| form_definitions::table
            .filter(form_definitions::form_key.eq(form_key))
            .order(form_definitions::version.desc())
            .select(FormDefinition::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// Every version of every form of one agency, newest version first within a form.
    pub fn of_agency(
        conn: &mut AnyConnection,
        agency: AgencyId,
    ) -> Result<Vec<FormDefinition>, StorageError> {
        let rows = with_conn!(conn, |c| form_definitions::table
            .filter(form_definitions::agency_id.eq(agency))
            .order((form_definitions::form_key, form_definitions::version.desc()))
            .select(FormDefinition::as_select())
            .load(c))?;
        Ok(rows)
    }
}

/// Where an application stands. Drafts are the citizen's own; the rest is the agency's process
/// (送信済 → 受付 → 審査中 → 補正依頼 → 完了 / 却下), or 取下げ by the citizen before it is processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicationStatus {
    Draft,
    Sent,
    Received,
    Reviewing,
    Correction,
    Completed,
    Rejected,
    Withdrawn,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 8] = [
        ApplicationStatus::Draft,
        ApplicationStatus::Sent,
        ApplicationStatus::Received,
        ApplicationStatus::Reviewing,
        ApplicationStatus::Correction,
        ApplicationStatus::Completed,
        ApplicationStatus::Rejected,
        ApplicationStatus::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "draft",
            ApplicationStatus::Sent => "sent",
            ApplicationStatus::Received => "received",
            ApplicationStatus::Reviewing => "reviewing",
            ApplicationStatus::Correction => "correction",
            ApplicationStatus::Completed => "completed",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn from_code(code: &str) -> Option<ApplicationStatus> {
        ApplicationStatus::ALL
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// Nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Completed
                | ApplicationStatus::Rejected
                | ApplicationStatus::Withdrawn
        )
    }
}

/// An application as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = applications)]
pub struct Application {
    pub id: ApplicationId,
    pub citizen_id: CitizenId,
    pub form_definition_id: FormDefinitionId,
    pub agency_id: AgencyId,
    /// An [`ApplicationStatus`] code.
    pub status: String,
    /// JSON of the answers.
    pub answers: String,
    /// JSON of the prefilled values' sources.
    pub sources: String,
    pub receipt_number: Option<String>,
    pub correction_fields: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    /// The proxy (代理人) who last saved or sent it for the citizen; `None` when the citizen did.
    pub acted_by: Option<CitizenId>,
    pub acted_by_name: Option<String>,
}

/// One of a citizen's applications with its form, for their list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationListed {
    pub application: Application,
    pub form_key: String,
    pub title_ja: String,
    pub title_en: String,
}

impl Application {
    pub fn status(&self) -> Option<ApplicationStatus> {
        ApplicationStatus::from_code(&self.status)
    }

    pub fn insert(conn: &mut AnyConnection, row: &Application) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(applications::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    /// The application if it is this citizen's: someone else's is as good as missing.
    pub fn find_for(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        id: ApplicationId,
    ) -> Result<Option<Application>, StorageError> {
        let found = with_conn!(conn, |c| applications::table
            .find(id)
            .filter(applications::citizen_id.eq(citizen))
            .select(Application::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// The citizen's open draft of a form, if any (newest), to resume rather than start again.
    pub fn draft_of(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        form_key: &str,
    ) -> Result<Option<Application>, StorageError> {
        let found = with_conn!(conn, |c| applications::table
            .inner_join(form_definitions::table)
            .filter(applications::citizen_id.eq(citizen))
            .filter(applications::status.eq(ApplicationStatus::Draft.code()))
            .filter(form_definitions::form_key.eq(form_key))
            .order(applications::updated_at.desc())
            .select(Application::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// Saves a draft's answers (only while it is a draft or sent back for correction).
    pub fn save_answers(
        conn: &mut AnyConnection,
        id: ApplicationId,
        answers: &str,
        sources: &str,
        at: i64,
        acted_by: Option<&ActingProxy>,
    ) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::update(applications::table.find(id))
            .filter(applications::status.eq_any([
                ApplicationStatus::Draft.code(),
                ApplicationStatus::Correction.code(),
            ]))
            .set((
                applications::answers.eq(answers),
                applications::sources.eq(sources),
                applications::updated_at.eq(at),
                applications::acted_by.eq(acted_by.map(|a| a.id)),
                applications::acted_by_name.eq(acted_by.map(|a| a.name.as_str())),
            ))
            .execute(c))?;
        Ok(())
    }

    /// Submits a draft: false when it was no longer a draft (submitted twice, from two tabs).
    pub fn submit(
        conn: &mut AnyConnection,
        id: ApplicationId,
        answers: &str,
        receipt_number: &str,
        at: i64,
        acted_by: Option<&ActingProxy>,
    ) -> Result<bool, StorageError> {
        let changed = with_conn!(conn, |c| diesel::update(applications::table.find(id))
            .filter(applications::status.eq(ApplicationStatus::Draft.code()))
            .set((
                applications::status.eq(ApplicationStatus::Sent.code()),
                applications::answers.eq(answers),
                applications::receipt_number.eq(receipt_number),
                applications::submitted_at.eq(at),
                applications::updated_at.eq(at),
                applications::acted_by.eq(acted_by.map(|a| a.id)),
                applications::acted_by_name.eq(acted_by.map(|a| a.name.as_str())),
            ))
            .execute(c))?;
        Ok(changed == 1)
    }

    /// Deletes a draft (never a submitted application).
    pub fn delete_draft(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        id: ApplicationId,
    ) -> Result<bool, StorageError> {
        let deleted = with_conn!(conn, |c| diesel::delete(
            applications::table
                .find(id)
                .filter(applications::citizen_id.eq(citizen))
                .filter(applications::status.eq(ApplicationStatus::Draft.code()))
        )
        .execute(c))?;
        Ok(deleted == 1)
    }

    /// The citizen's applications with their forms, most recently changed first (`applications_citizen`).
    pub fn list_for(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ApplicationListed>, StorageError> {
        let rows = with_conn!(conn, |c| applications::table
            .inner_join(form_definitions::table)
            .filter(applications::citizen_id.eq(citizen))
            .order((applications::updated_at.desc(), applications::id.desc()))
            .limit(limit)
            .offset(offset)
            .select((
                Application::as_select(),
                form_definitions::form_key,
                form_definitions::title_ja,
                form_definitions::title_en,
            ))
            .load::<(Application, String, String, String)>(c))?;
        Ok(rows
            .into_iter()
            .map(
                |(application, form_key, title_ja, title_en)| ApplicationListed {
                    application,
                    form_key,
                    title_ja,
                    title_en,
                },
            )
            .collect())
    }

    /// An application sent to `agency` (drafts are the citizen's alone); `None` otherwise.
    pub fn find_for_agency(
        conn: &mut AnyConnection,
        agency: AgencyId,
        id: ApplicationId,
    ) -> Result<Option<Application>, StorageError> {
        let found = with_conn!(conn, |c| applications::table
            .find(id)
            .filter(applications::agency_id.eq(agency))
            .filter(applications::status.ne(ApplicationStatus::Draft.code()))
            .select(Application::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// One version's sent applications, oldest sent first, optionally of one status, after a cursor
    /// (`submitted_at`, id): the `applications_form_status` index serves it.
    pub fn list_for_form(
        conn: &mut AnyConnection,
        form: FormDefinitionId,
        status: Option<&str>,
        after: Option<(i64, ApplicationId)>,
        limit: i64,
    ) -> Result<Vec<Application>, StorageError> {
        let rows = with_conn!(conn, |c| {
            let mut query = applications::table
                .filter(applications::form_definition_id.eq(form))
                .filter(applications::status.ne(ApplicationStatus::Draft.code()))
                .into_boxed();
            if let Some(status) = status {
                query = query.filter(applications::status.eq(status.to_owned()));
            }
            if let Some((at, id)) = after {
                query = query.filter(
                    applications::submitted_at
                        .gt(at)
                        .or(applications::submitted_at
                            .eq(at)
                            .and(applications::id.gt(id))),
                );
            }
            query
                .order((applications::submitted_at.asc(), applications::id.asc()))
                .limit(limit)
                .select(Application::as_select())
                .load(c)
        })?;
        Ok(rows)
    }

    /// One page of the sent applications of some versions of a form, newest first, one status or all
    /// (the staff console's queue).
    pub fn page_for_forms(
        conn: &mut AnyConnection,
        forms: &[FormDefinitionId],
        status: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Application>, StorageError> {
        let rows = with_conn!(conn, |c| {
            let mut query = applications::table
                .filter(applications::form_definition_id.eq_any(forms))
                .filter(applications::status.ne(ApplicationStatus::Draft.code()))
                .into_boxed();
            if let Some(status) = status {
                query = query.filter(applications::status.eq(status.to_owned()));
            }
            query
                .order((applications::submitted_at.desc(), applications::id.desc()))
                .limit(limit)
                .offset(offset)
                .select(Application::as_select())
                .load(c)
        })?;
        Ok(rows)
    }

    /// Moves an application from one of `from` to `to`; false when it was in none of them (changed meanwhile).
    /// `correction_fields` is kept only while a correction is asked for.
    pub fn set_status(
        conn: &mut AnyConnection,
        id: ApplicationId,
        from: &[&str],
        to: ApplicationStatus,
        correction_fields: Option<&str>,
        at: i64,
    ) -> Result<bool, StorageError> {
        let changed = with_conn!(conn, |c| diesel::update(applications::table.find(id))
            .filter(applications::status.eq_any(from))
            .set((
                applications::status.eq(to.code()),
                applications::correction_fields.eq(correction_fields),
                applications::updated_at.eq(at),
            ))
            .execute(c))?;
        Ok(changed == 1)
    }

    /// Moves many applications at once (a bulk approval); those no longer in a `from` status are left.
    pub fn set_status_many(
        conn: &mut AnyConnection,
        ids: &[ApplicationId],
        from: &[&str],
        to: ApplicationStatus,
        at: i64,
    ) -> Result<usize, StorageError> {
        let changed = with_conn!(conn, |c| diesel::update(applications::table)
            .filter(applications::id.eq_any(ids))
            .filter(applications::status.eq_any(from))
            .set((
                applications::status.eq(to.code()),
                applications::correction_fields.eq(None::<String>),
                applications::updated_at.eq(at),
            ))
            .execute(c))?;
        Ok(changed)
    }

    /// Which of `ids` were completed at `at` (by the update that stamped them).
    pub fn completed_at(
        conn: &mut AnyConnection,
        ids: &[ApplicationId],
        at: i64,
    ) -> Result<Vec<ApplicationId>, StorageError> {
        let rows = with_conn!(conn, |c| applications::table
            .filter(applications::id.eq_any(ids))
            .filter(applications::status.eq(ApplicationStatus::Completed.code()))
            .filter(applications::updated_at.eq(at))
            .select(applications::id)
            .load(c))?;
        Ok(rows)
    }

    /// Sends a corrected application back to the agency: its answers replaced, back to review.
    pub fn resubmit(
        conn: &mut AnyConnection,
        id: ApplicationId,
        answers: &str,
        at: i64,
        acted_by: Option<&ActingProxy>,
    ) -> Result<bool, StorageError> {
        let changed = with_conn!(conn, |c| diesel::update(applications::table.find(id))
            .filter(applications::status.eq(ApplicationStatus::Correction.code()))
            .set((
                applications::status.eq(ApplicationStatus::Reviewing.code()),
                applications::answers.eq(answers),
                applications::correction_fields.eq(None::<String>),
                applications::updated_at.eq(at),
                applications::acted_by.eq(acted_by.map(|a| a.id)),
                applications::acted_by_name.eq(acted_by.map(|a| a.name.as_str())),
            ))
            .execute(c))?;
        Ok(changed == 1)
    }

    pub fn count_for(conn: &mut AnyConnection, citizen: CitizenId) -> Result<i64, StorageError> {
        let count = with_conn!(conn, |c| applications::table
            .filter(applications::citizen_id.eq(citizen))
            .count()
            .get_result(c))?;
        Ok(count)
    }
}

/// A status change or a message.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = application_events)]
pub struct ApplicationEvent {
    pub id: ApplicationEventId,
    pub application_id: ApplicationId,
    /// `status` or `message`.
    pub kind: String,
    pub status: Option<String>,
    /// `citizen` or `agency`.
    pub actor: String,
    pub body: Option<String>,
    pub at: i64,
    /// For the citizen's own events: the proxy (代理人) who acted for them, if one did.
    pub acted_by: Option<CitizenId>,
    pub acted_by_name: Option<String>,
}

impl ApplicationEvent {
    pub fn insert(conn: &mut AnyConnection, row: &ApplicationEvent) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(application_events::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    pub fn insert_many(
        conn: &mut AnyConnection,
        rows: &[ApplicationEvent],
    ) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(application_events::table)
            .values(rows)
            .execute(c))?;
        Ok(())
    }

    /// An application's history, oldest first.
    pub fn of(
        conn: &mut AnyConnection,
        application: ApplicationId,
    ) -> Result<Vec<ApplicationEvent>, StorageError> {
        let rows = with_conn!(conn, |c| application_events::table
            .filter(application_events::application_id.eq(application))
            .order((application_events::at, application_events::id))
            .select(ApplicationEvent::as_select())
            .load(c))?;
        Ok(rows)
    }
}

/// An electronic signature of a sent application, made with the citizen's signature certificate over the
/// submission's digest.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = application_signatures)]
pub struct ApplicationSignature {
    pub id: ApplicationSignatureId,
    pub application_id: ApplicationId,
    /// SHA-256 of the submission's canonical form, lower-case hex.
    pub digest: String,
    /// PKCS#1 v1.5 SHA-256 signature, base64.
    pub signature: String,
    /// The signature certificate, X.509 DER, base64.
    pub certificate: String,
    /// The signer's name and birth date (YYYY-MM-DD) as the certificate gives them.
    pub signer_name: String,
    pub signer_birth_date: String,
    pub signed_at: i64,
}

impl ApplicationSignature {
    pub fn insert(
        conn: &mut AnyConnection,
        row: &ApplicationSignature,
    ) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(application_signatures::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    /// An application's signatures, newest first (`application_signatures_application`).
    pub fn of(
        conn: &mut AnyConnection,
        application: ApplicationId,
    ) -> Result<Vec<ApplicationSignature>, StorageError> {
        let rows = with_conn!(conn, |c| application_signatures::table
            .filter(application_signatures::application_id.eq(application))
            .order((
                application_signatures::signed_at.desc(),
                application_signatures::id.desc()
            ))
            .select(ApplicationSignature::as_select())
            .load(c))?;
        Ok(rows)
    }
}

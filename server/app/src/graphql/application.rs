//! Applications through GraphQL (ぴったりサービス), for the agency a form belongs to: its sent applications
//! by form and status, one with its history and attached files, exports, status changes and messages. The
//! citizen is named by the agency's pseudonym, as everywhere in the agency API.

use async_graphql::{ComplexObject, Context, Enum, ErrorExtensions, ID, Object, SimpleObject};
use base64::Engine;
use portal_forms::answers::{FileRef, Value};
use portal_storage::ids::ApplicationId;
use portal_storage::models::application::{
    ApplicationEvent, ApplicationSignature, ApplicationStatus,
};

use crate::graphql::agency::{agency, state};
use crate::graphql::error::{BAD_REQUEST, NOT_FOUND};
use crate::services::application_review::{self, Seen};
use crate::services::notices::Refusal;
use crate::services::{application_signing, attachments};

/// One event of an application's history.
#[derive(SimpleObject)]
pub struct ApplicationEventInfo {
    /// `status` or `message`.
    kind: String,
    status: Option<String>,
    /// `citizen` or `agency`.
    actor: String,
    body: Option<String>,
    /// Milliseconds since 1970.
    at: i64,
    /// For the citizen's events: the name of the proxy (代理人) who acted for them; null when they acted
    /// themselves.
    acted_by_name: Option<String>,
}

/// A proxy (代理人) who acted for the citizen.
#[derive(SimpleObject)]
pub struct ActingPerson {
    /// Your agency's pseudonym for the proxy.
    citizen: String,
    /// The proxy's name as it was when they acted.
    name: String,
}

impl From<ApplicationEvent> for ApplicationEventInfo {
    fn from(e: ApplicationEvent) -> Self {
        ApplicationEventInfo {
            kind: e.kind,
            status: e.status,
            actor: e.actor,
            body: e.body,
            at: e.at,
            acted_by_name: e.acted_by_name,
        }
    }
}

/// A file attached to an application, without its content (`applicationAttachment` gives that).
#[derive(SimpleObject)]
pub struct AttachmentInfo {
    /// The id of the form's file field it was attached to.
    field: String,
    /// The name the citizen's file had (without any path).
    name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`: the type found in the content when it was uploaded,
    /// whatever the name says.
    content_type: String,
    /// Size in bytes.
    bytes: i64,
}

impl AttachmentInfo {
    fn of(field: &str, file: &FileRef) -> AttachmentInfo {
        AttachmentInfo {
            field: field.to_owned(),
            name: file.name.clone(),
            content_type: attachments::content_type(&file.kind).to_owned(),
            bytes: i64::try_from(file.bytes).unwrap_or(i64::MAX),
        }
    }
}

/// The citizen's electronic signature of what was sent (simulated JPKI: the card and its CAs are a
/// simulation). To check it: the signature is RSASSA-PKCS1-v1_5 with SHA-256 by the certificate's key
/// over the submission's canonical form, whose SHA-256 is `digest` (see the README, "Signing an
/// application"); the certificate chains to the portal's signature CA.
#[derive(SimpleObject)]
pub struct ApplicationSignatureInfo {
    /// Milliseconds since 1970: when the portal verified the card's signature.
    signed_at: i64,
    /// SHA-256 of the submission's canonical form, lower-case hex.
    digest: String,
    /// The signer's name as the signature certificate gives it (基本4情報).
    signer: String,
    /// The signer's birth date as the certificate gives it, YYYY-MM-DD.
    signer_birth_date: String,
    /// The signature certificate, X.509 DER, base64.
    certificate: String,
    /// The signature, base64.
    value: String,
}

impl From<ApplicationSignature> for ApplicationSignatureInfo {
    fn from(s: ApplicationSignature) -> Self {
        ApplicationSignatureInfo {
            signed_at: s.signed_at,
            digest: s.digest,
            signer: s.signer_name,
            signer_birth_date: s.signer_birth_date,
            certificate: s.certificate,
            value: s.signature,
        }
    }
}

/// One attached file with its content.
#[derive(SimpleObject)]
pub struct Attachment {
    #[graphql(flatten)]
    info: AttachmentInfo,
    /// The file's bytes in base64 (RFC 4648, standard alphabet, padded).
    content_base64: String,
}

/// A sent application.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct AgencyApplication {
    id: ID,
    receipt_number: String,
    /// sent, received, reviewing, correction, completed, rejected or withdrawn.
    status: String,
    /// Milliseconds since 1970.
    submitted_at: Option<i64>,
    /// Your agency's pseudonym for the citizen.
    citizen: String,
    /// The proxy (代理人) who sent it for the citizen; null when the citizen sent it.
    acted_by: Option<ActingPerson>,
    form: String,
    form_version: i32,
    /// The answers by field id, as `portal_forms::answers::Answers` stores them.
    answers: async_graphql::Json<serde_json::Value>,
    /// While a correction is asked for: the fields named.
    correction_fields: Vec<String>,
    /// The files attached, by field id; read one's content with `applicationAttachment(application, field)`.
    attachments: Vec<AttachmentInfo>,
    /// Oldest first; empty in lists (ask for one application to read it).
    events: Vec<ApplicationEventInfo>,
    #[graphql(skip)]
    application_id: ApplicationId,
    /// The digest of the answers as stored, which a signature must cover to be shown.
    #[graphql(skip)]
    digest: Option<String>,
}

#[ComplexObject]
impl AgencyApplication {
    /// The citizen's electronic signature of the answers as they are now; null when they were sent
    /// unsigned (also when a corrected application was sent again without signing).
    async fn signature(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ApplicationSignatureInfo>> {
        let Some(digest) = self.digest.clone() else {
            return Ok(None);
        };
        let id = self.application_id;
        let all = state(ctx)?
            .db
            .run(move |c| ApplicationSignature::of(c, id))
            .await
            .map_err(|e| crate::error::AppError::from(e).extend())?;
        Ok(application_signing::current(&all, &digest)
            .cloned()
            .map(ApplicationSignatureInfo::from))
    }
}

fn shown(seen: Seen, events: Vec<ApplicationEvent>) -> AgencyApplication {
    let digest = application_signing::digest_hex(
        seen.application.id,
        &seen.form.form_key,
        seen.form.version,
        &seen.answers,
    )
    .ok();
    let a = seen.application;
    AgencyApplication {
        application_id: a.id,
        digest,
        id: ID(a.id.to_string()),
        receipt_number: a.receipt_number.unwrap_or_default(),
        status: a.status,
        submitted_at: a.submitted_at,
        citizen: seen.citizen,
        acted_by: seen
            .acted_by
            .map(|(citizen, name)| ActingPerson { citizen, name }),
        form: seen.form.form_key,
        form_version: seen.form.version,
        attachments: seen
            .answers
            .0
            .iter()
            .filter_map(|(field, value)| match value {
                Value::File(file) => Some(AttachmentInfo::of(field, file)),
                _ => None,
            })
            .collect(),
        answers: async_graphql::Json(serde_json::to_value(&seen.answers).unwrap_or_default()),
        correction_fields: a
            .correction_fields
            .and_then(|f| serde_json::from_str(&f).ok())
            .unwrap_or_default(),
        events: events.into_iter().map(ApplicationEventInfo::from).collect(),
    }
}

fn not_found() -> async_graphql::Error {
    async_graphql::Error::new("your agency has no sent application with that id")
        .extend_with(|_, e| e.set("code", NOT_FOUND))
}

fn refused(refusal: Refusal) -> async_graphql::Error {
    match refusal {
        Refusal::NotFound => not_found(),
        other => super::notice::refused(other),
    }
}

fn application_id(id: &ID) -> async_graphql::Result<ApplicationId> {
    id.parse::<ApplicationId>().map_err(|_| not_found())
}

fn status(code: &str) -> async_graphql::Result<ApplicationStatus> {
    ApplicationStatus::from_code(code).ok_or_else(|| {
        async_graphql::Error::new(format!("“{code}” is not a status of an application"))
            .extend_with(|_, e| {
                e.set("code", BAD_REQUEST);
                e.set("field", "status");
            })
    })
}

/// How an export is written.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ExportFormat {
    /// One row per application: receipt_number, status, submitted_at, citizen, acted_by and acted_by_name
    /// (the proxy who sent it for the citizen, if one did), then one column per field
    /// (groups flattened as `<group>.<n>.<field>`, see `portal_forms::answers::csv_header`).
    Csv,
    /// A JSON array of the applications as `applications` returns them.
    Json,
}

#[derive(Default)]
pub struct ApplicationQuery;

#[Object]
impl ApplicationQuery {
    /// Sent applications of one of your forms (the newest version unless `version`), oldest first, of one
    /// status or all; `after` an application's id for the next page. Needs an agency token.
    async fn applications(
        &self,
        ctx: &Context<'_>,
        form: String,
        version: Option<i32>,
        status: Option<String>,
        after: Option<ID>,
        #[graphql(default = 50)] first: i32,
    ) -> async_graphql::Result<Vec<AgencyApplication>> {
        let principal = agency(ctx)?;
        let status = status.as_deref().map(self::status).transpose()?;
        let after = after.as_ref().map(application_id).transpose()?;
        let listed = application_review::list(
            state(ctx)?,
            principal,
            form,
            version,
            status,
            after,
            i64::from(first),
        )
        .await
        .map_err(|e| e.extend())?
        .ok_or_else(|| {
            async_graphql::Error::new("your agency has no such form")
                .extend_with(|_, e| e.set("code", NOT_FOUND))
        })?;
        Ok(listed.into_iter().map(|s| shown(s, Vec::new())).collect())
    }

    /// One sent application with its history. Needs an agency token.
    async fn application(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<AgencyApplication> {
        let principal = agency(ctx)?;
        let (seen, events) = application_review::get(state(ctx)?, principal, application_id(&id)?)
            .await
            .map_err(|e| e.extend())?
            .ok_or_else(not_found)?;
        Ok(shown(seen, events))
    }

    /// One file attached to a sent application of your agency's, with its content: `field` is the id of the
    /// form's file field, as `attachments` lists them. An application that is not your agency's, or a field
    /// without a file, is NOT_FOUND. Needs an agency token.
    async fn application_attachment(
        &self,
        ctx: &Context<'_>,
        application: ID,
        field: String,
    ) -> async_graphql::Result<Attachment> {
        let principal = agency(ctx)?;
        let state = state(ctx)?;
        let (seen, _) = application_review::get(state, principal, application_id(&application)?)
            .await
            .map_err(|e| e.extend())?
            .ok_or_else(not_found)?;
        let (file, bytes) = attachments::read(state, &seen.answers, &field)
            .await
            .map_err(|e| e.extend())?
            .ok_or_else(|| {
                async_graphql::Error::new("that application has no file in that field").extend_with(
                    |_, e| {
                        e.set("code", NOT_FOUND);
                        e.set("field", "field");
                    },
                )
            })?;
        Ok(Attachment {
            info: AttachmentInfo::of(&field, &file),
            content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        })
    }

    /// All sent applications of a form version (up to 500) as CSV or JSON. Needs an agency token.
    async fn export_applications(
        &self,
        ctx: &Context<'_>,
        form: String,
        version: Option<i32>,
        format: ExportFormat,
    ) -> async_graphql::Result<String> {
        let principal = agency(ctx)?;
        let state = state(ctx)?;
        let missing = || {
            async_graphql::Error::new("your agency has no such form")
                .extend_with(|_, e| e.set("code", NOT_FOUND))
        };
        match format {
            ExportFormat::Csv => application_review::export_csv(state, principal, form, version)
                .await
                .map_err(|e| e.extend())?
                .ok_or_else(missing),
            ExportFormat::Json => {
                let listed = application_review::list(
                    state,
                    principal,
                    form,
                    version,
                    None,
                    None,
                    application_review::MAX_LIST,
                )
                .await
                .map_err(|e| e.extend())?
                .ok_or_else(missing)?;
                let rows: Vec<serde_json::Value> = listed
                    .into_iter()
                    .map(|s| {
                        let a = &s.application;
                        serde_json::json!({
                            "id": a.id.to_string(),
                            "receiptNumber": a.receipt_number,
                            "status": a.status,
                            "submittedAt": a.submitted_at,
                            "citizen": s.citizen,
                            "actedBy": s.acted_by.as_ref().map(|(citizen, name)| {
                                serde_json::json!({ "citizen": citizen, "name": name })
                            }),
                            "form": s.form.form_key,
                            "formVersion": s.form.version,
                            "answers": s.answers,
                        })
                    })
                    .collect();
                Ok(serde_json::Value::Array(rows).to_string())
            }
        }
    }
}

#[derive(Default)]
pub struct ApplicationMutation;

#[Object]
impl ApplicationMutation {
    /// Moves an application on: received, reviewing, correction (name the `fields` and say what in
    /// `message`), completed or rejected. The citizen gets a notice. Needs an agency token.
    async fn set_application_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: String,
        message: Option<String>,
        fields: Option<Vec<String>>,
    ) -> async_graphql::Result<AgencyApplication> {
        let principal = agency(ctx)?;
        let to = self::status(&status)?;
        let state = state(ctx)?;
        let id = application_id(&id)?;
        application_review::change_status(
            state,
            principal,
            id,
            to,
            message,
            fields.unwrap_or_default(),
        )
        .await
        .map_err(|e| e.extend())?
        .map_err(refused)?;
        let (seen, events) = application_review::get(state, principal, id)
            .await
            .map_err(|e| e.extend())?
            .ok_or_else(not_found)?;
        Ok(shown(seen, events))
    }

    /// Sends the citizen a message about their application (it joins the history; they get a notice).
    async fn send_application_message(
        &self,
        ctx: &Context<'_>,
        id: ID,
        message: String,
    ) -> async_graphql::Result<bool> {
        let principal = agency(ctx)?;
        application_review::send_message(state(ctx)?, principal, application_id(&id)?, message)
            .await
            .map_err(|e| e.extend())?
            .map_err(refused)?;
        Ok(true)
    }
}

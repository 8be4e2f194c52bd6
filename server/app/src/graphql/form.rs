//! Form definitions through GraphQL (ぴったりサービス): an agency publishes versions of its forms and lists
//! them. The document format is described in the `portal-forms` crate and its presets.

use async_graphql::{Context, ErrorExtensions, Object, SimpleObject};

use crate::graphql::agency::{agency, state};
use crate::services::form_definitions;

/// One thing wrong with a definition.
#[derive(SimpleObject)]
pub struct FormProblem {
    /// Where: `pages[1].fields[0].prefill`, or `line 4, column 7` for a document that does not parse.
    place: String,
    reason: String,
}

/// A published version of a form.
#[derive(SimpleObject)]
pub struct PublishedForm {
    id: String,
    /// The definition's own id, e.g. `child_allowance`.
    form: String,
    version: i32,
    title_ja: String,
    title_en: String,
    /// When it was published, milliseconds since 1970.
    published_at: i64,
}

impl From<portal_storage::models::application::FormDefinition> for PublishedForm {
    fn from(row: portal_storage::models::application::FormDefinition) -> Self {
        PublishedForm {
            id: row.id.to_string(),
            form: row.form_key,
            version: row.version,
            title_ja: row.title_ja,
            title_en: row.title_en,
            published_at: row.published_at,
        }
    }
}

/// What publishing did: the published version, or every problem (nothing is published then).
#[derive(SimpleObject)]
pub struct PublishFormResult {
    form: Option<PublishedForm>,
    problems: Vec<FormProblem>,
}

#[derive(Default)]
pub struct FormQuery;

#[Object]
impl FormQuery {
    /// Every version of your agency's forms. Needs an agency token.
    async fn forms(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PublishedForm>> {
        let principal = agency(ctx)?;
        let id = principal.agency_id;
        let rows = state(ctx)?
            .db
            .run(move |c| portal_storage::models::application::FormDefinition::of_agency(c, id))
            .await
            .map_err(|e| crate::error::AppError::from(e).extend())?;
        Ok(rows.into_iter().map(PublishedForm::from).collect())
    }
}

#[derive(Default)]
pub struct FormMutation;

#[Object]
impl FormMutation {
    /// Publishes a version of a form definition (TOML). A definition with any problem is refused whole and
    /// every problem is listed with its place and reason. Needs an agency token.
    async fn publish_form(
        &self,
        ctx: &Context<'_>,
        document: String,
    ) -> async_graphql::Result<PublishFormResult> {
        let principal = agency(ctx)?;
        let outcome = form_definitions::publish(
            &state(ctx)?.db,
            principal.agency_id,
            principal.code.clone(),
            document,
        )
        .await
        .map_err(|e| e.extend())?;
        Ok(match outcome {
            Ok(row) => PublishFormResult {
                form: Some(row.into()),
                problems: Vec::new(),
            },
            Err(problems) => PublishFormResult {
                form: None,
                problems: problems
                    .into_iter()
                    .map(|p| FormProblem {
                        place: p.place,
                        reason: p.reason,
                    })
                    .collect(),
            },
        })
    }
}

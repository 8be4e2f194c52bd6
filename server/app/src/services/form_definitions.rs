//! Form definitions (ぴったりサービス): agencies publish versions through GraphQL; the standard presets are
//! published when the database is first opened. A definition with any problem is refused whole, with the
//! place and reason of each problem.

use std::collections::{HashMap, HashSet};

use portal_forms::{Context, Definition, PRESETS, Problem};
use portal_storage::ids::{AgencyId, FormDefinitionId};
use portal_storage::models::agency::Agency;
use portal_storage::models::application::FormDefinition;
use portal_storage::models::category::Category;
use portal_storage::{AnyConnection, Db, StorageError, now_millis};

use crate::error::AppError;
use crate::services::agencies::REGISTRY;

/// The agency the bundled presets are published as: the demo municipality (千代田区), which the catalogue
/// names as the procedures' handler.
pub const PRESET_AGENCY: &str = "131016";

/// What a definition is checked against: every record category's fields, and every agency code.
pub fn context() -> Context {
    Context {
        record_fields: Category::ALL
            .iter()
            .map(|c| {
                (
                    c.code().to_owned(),
                    c.fields().iter().map(|f| f.key.to_owned()).collect(),
                )
            })
            .collect::<HashMap<_, _>>(),
        agencies: REGISTRY
            .iter()
            .map(|(code, ..)| (*code).to_owned())
            .collect::<HashSet<_>>(),
    }
}

/// Why a publication was refused.
#[derive(Debug)]
pub enum Refused {
    Problems(Vec<Problem>),
    Storage(StorageError),
}

impl From<StorageError> for Refused {
    fn from(e: StorageError) -> Self {
        Refused::Storage(e)
    }
}

fn problem(place: &str, reason: String) -> Refused {
    Refused::Problems(vec![Problem {
        place: place.to_owned(),
        reason,
    }])
}

/// Checks and stores one version in the caller's transaction. The definition must name the publishing
/// agency, the form key must be the agency's own (or new), and the version must follow the newest.
pub fn publish_in(
    conn: &mut AnyConnection,
    agency: AgencyId,
    agency_code: &str,
    document: &str,
) -> Result<FormDefinition, Refused> {
    let definition = Definition::parse_checked(document, &context()).map_err(Refused::Problems)?;
    if definition.agency != agency_code {
        return Err(problem(
            "agency",
            format!(
                "“{}” is another agency: you can only publish forms of your own agency ({agency_code})",
                definition.agency
            ),
        ));
    }
    if let Some(latest) = FormDefinition::latest(conn, &definition.id)? {
        if latest.agency_id != agency {
            return Err(problem(
                "id",
                format!(
                    "the form “{}” belongs to another agency: choose another id",
                    definition.id
                ),
            ));
        }
        let next = i64::from(latest.version) + 1;
        if i64::from(definition.version) != next {
            return Err(problem(
                "version",
                format!(
                    "version {} is already published; publish the next one as version {next}",
                    latest.version
                ),
            ));
        }
    } else if definition.version != 1 {
        return Err(problem(
            "version",
            format!(
                "the first version of “{}” is version 1, not {}",
                definition.id, definition.version
            ),
        ));
    }
    let row = FormDefinition {
        id: FormDefinitionId::new(),
        agency_id: agency,
        form_key: definition.id.clone(),
        version: i32::try_from(definition.version).unwrap_or(i32::MAX),
        title_ja: definition.title.ja.clone(),
        title_en: definition.title.en.clone(),
        document: document.to_owned(),
        published_at: now_millis(),
    };
    FormDefinition::insert(conn, &row)?;
    Ok(row)
}

/// Publishes a definition for an agency (see [`publish_in`]), in one transaction.
pub async fn publish(
    db: &Db,
    agency: AgencyId,
    agency_code: String,
    document: String,
) -> Result<Result<FormDefinition, Vec<Problem>>, AppError> {
    let outcome = db
        .run(move |c| {
            portal_storage::transaction(c, |c| {
                match publish_in(c, agency, &agency_code, &document) {
                    Ok(row) => Ok(Ok(row)),
                    Err(Refused::Problems(p)) => Ok(Err(p)),
                    Err(Refused::Storage(e)) => Err(e),
                }
            })
        })
        .await?;
    Ok(outcome)
}

/// Publishes every bundled preset that is not yet published (by form key), as [`PRESET_AGENCY`].
pub fn ensure_presets(conn: &mut AnyConnection) -> Result<(), StorageError> {
    let Some(agency) = Agency::find_by_code(conn, PRESET_AGENCY)? else {
        return Ok(());
    };
    for (key, document) in PRESETS {
        if FormDefinition::latest(conn, key)?.is_some() {
            continue;
        }
        match publish_in(conn, agency.id, PRESET_AGENCY, document) {
            Ok(_) => {}
            Err(Refused::Storage(e)) => return Err(e),
            // A test checks every preset; a broken one is skipped rather than stopping the portal.
            Err(Refused::Problems(problems)) => {
                tracing::error!(form = key, ?problems, "a bundled form preset has problems")
            }
        }
    }
    Ok(())
}

/// The newest version of a form, parsed; `None` when no such form is published.
pub async fn latest(
    db: &Db,
    form_key: String,
) -> Result<Option<(FormDefinition, Definition)>, AppError> {
    let Some(row) = db
        .run(move |c| FormDefinition::latest(c, &form_key))
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(parsed(row)?))
}

/// A stored version with its definition read back. Stored documents were checked when published.
pub fn parsed(row: FormDefinition) -> Result<(FormDefinition, Definition), AppError> {
    let definition = Definition::parse(&row.document).map_err(|problems| {
        AppError::Storage(StorageError::Malformed(format!(
            "form {} v{}: {problems:?}",
            row.form_key, row.version
        )))
    })?;
    Ok((row, definition))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_passes_the_portal_check() {
        let context = context();
        for (key, document) in PRESETS {
            let definition = Definition::parse_checked(document, &context)
                .unwrap_or_else(|p| panic!("{key}: {p:?}"));
            assert_eq!(definition.agency, PRESET_AGENCY, "{key}");
        }
    }
}

//! Prefill (ワンスオンリー): a new application's answers taken from what the portal already holds about the
//! citizen — the basic four, the household, own-data records and the refund account — each with where it
//! came from and its date. Reading these for the citizen's own form is their own use, not an exchange with
//! an agency, so it writes no linkage record; submitting the form to the agency does.

use std::collections::BTreeMap;

use portal_forms::answers::{AccountValue, Answers, Value};
use portal_forms::{Definition, Field, Kind};
use portal_storage::ids::CitizenId;
use portal_storage::models::bank_account::BankAccount;
use portal_storage::models::citizen::Citizen;
use portal_storage::models::email_address::EmailAddress;
use portal_storage::models::record::{Record, SourcedRecord};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::services::inbox::japan_date;
use crate::state::AppState;

/// Where a prefilled value came from: the source's kind (`basic`, `household`, `records`, `account`,
/// `contact`), who holds it (an agency code, or `portal` for what the citizen registered here) and as of
/// which day (YYYY-MM-DD).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub kind: String,
    pub holder: String,
    pub as_of: String,
}

/// Field id → source, for every prefilled field.
pub type Sources = BTreeMap<String, Source>;

/// How many records of a category are read to prefill (a household has a few members; other categories
/// use the newest record).
const RECORDS_READ: i64 = 20;

/// Everything the portal holds that a definition's prefill paths name, read in as few queries as the paths
/// need (one each for the citizen, the records of the named categories, the account and the e-mail address).
struct Held {
    citizen: Citizen,
    records: Vec<SourcedRecord>,
    account: Option<BankAccount>,
    email: Option<EmailAddress>,
}

fn paths(definition: &Definition) -> Vec<String> {
    definition
        .fields()
        .into_iter()
        .filter_map(|(_, f)| f.prefill.clone())
        .collect()
}

fn record_category(path: &str) -> Option<&str> {
    if path.starts_with("household.") {
        return Some("household");
    }
    path.strip_prefix("records.")?.split('.').next()
}

async fn read_held(
    state: &AppState,
    citizen: CitizenId,
    definition: &Definition,
) -> Result<Held, AppError> {
    let paths = paths(definition);
    let mut categories: Vec<String> = paths
        .iter()
        .filter_map(|p| record_category(p).map(str::to_owned))
        .collect();
    categories.sort();
    categories.dedup();
    let wants_account = paths.iter().any(|p| p == "account");
    let wants_email = paths.iter().any(|p| p == "contact.email");
    let held = state
        .db
        .run(move |c| {
            let citizen = Citizen::find(c, citizen)?.ok_or_else(|| {
                portal_storage::StorageError::Malformed("the citizen is gone".to_owned())
            })?;
            let wanted: Vec<&str> = categories.iter().map(String::as_str).collect();
            let records = if wanted.is_empty() {
                Vec::new()
            } else {
                Record::for_categories(c, citizen.id, &wanted, RECORDS_READ * 4)?
            };
            let account = if wants_account {
                BankAccount::find(c, citizen.id)?
            } else {
                None
            };
            let email = if wants_email {
                EmailAddress::find_by_citizen(c, citizen.id)?
            } else {
                None
            };
            Ok(Held {
                citizen,
                records,
                account,
                email,
            })
        })
        .await?;
    Ok(held)
}

fn text(value: impl Into<String>) -> Value {
    Value::Text {
        value: value.into(),
    }
}

fn record_fields(record: &Record) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::from_str::<serde_json::Value>(&record.data) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

fn field_text(fields: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<String> {
    match fields.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A household member's value for a group's sub-field that names `member.<key>`.
fn member_entry(
    group: &Field,
    fields: &serde_json::Map<String, serde_json::Value>,
) -> BTreeMap<String, Value> {
    group
        .fields
        .iter()
        .filter_map(|sub| {
            let key = sub.prefill.as_deref()?.strip_prefix("member.")?;
            let record_key = match key {
                "name" => "member_name",
                other => other,
            };
            Some((sub.id.clone(), text(field_text(fields, record_key)?)))
        })
        .collect()
}

/// The value and source of one field's prefill path, if the portal holds it.
fn value_of(field: &Field, path: &str, held: &Held) -> Option<(Value, Source)> {
    let c = &held.citizen;
    let basic = |value: &str| {
        Some((
            text(value),
            Source {
                kind: "basic".into(),
                holder: c.municipality_code.clone(),
                as_of: japan_date(c.created_at),
            },
        ))
    };
    match path {
        "basic.name" => basic(&c.name),
        "basic.name_kana" => basic(&c.name_kana),
        "basic.birth_date" => basic(&c.birth_date),
        "basic.sex" => basic(&c.sex),
        "basic.address" => basic(&c.address),
        "basic.municipality" => basic(&c.municipality_code),
        "household.members" | "household.children" => {
            let members: Vec<&SourcedRecord> = held
                .records
                .iter()
                .filter(|r| r.record.category == "household")
                .filter(|r| {
                    let relationship =
                        field_text(&record_fields(&r.record), "relationship").unwrap_or_default();
                    relationship != "本人" && (path == "household.members" || relationship == "子")
                })
                .collect();
            let newest = members.iter().map(|r| r.record.updated_on.clone()).max()?;
            let holder = members.first()?.agency_code.clone();
            let entries = members
                .iter()
                .map(|r| member_entry(field, &record_fields(&r.record)))
                .filter(|e| !e.is_empty())
                .collect::<Vec<_>>();
            (!entries.is_empty()).then(|| {
                (
                    Value::Group { entries },
                    Source {
                        kind: "household".into(),
                        holder,
                        as_of: newest,
                    },
                )
            })
        }
        "contact.email" => held.email.as_ref().map(|e| {
            (
                text(e.address.clone()),
                Source {
                    kind: "contact".into(),
                    holder: "portal".into(),
                    as_of: japan_date(e.updated_at),
                },
            )
        }),
        "account" => held
            .account
            .as_ref()
            .filter(|a| a.invalid_since.is_none())
            .map(|a| {
                (
                    Value::Account(AccountValue {
                        registered: true,
                        bank_code: a.bank_code.clone(),
                        branch_code: a.branch_code.clone(),
                        account_type: a.account_type.clone(),
                        number: a.account_number.clone(),
                        holder_kana: a.holder_name.clone(),
                    }),
                    Source {
                        kind: "account".into(),
                        holder: a.channel_agency.clone().unwrap_or_else(|| "portal".into()),
                        as_of: japan_date(a.completed_at),
                    },
                )
            }),
        _ => {
            let rest = path.strip_prefix("records.")?;
            let (category, key) = rest.split_once('.')?;
            // Records come newest first within a category.
            let record = held
                .records
                .iter()
                .find(|r| r.record.category == category)?;
            let value = field_text(&record_fields(&record.record), key)?;
            Some((
                text(value),
                Source {
                    kind: "records".into(),
                    holder: record.agency_code.clone(),
                    as_of: record.record.updated_on.clone(),
                },
            ))
        }
    }
}

/// The answers a new application starts with, and where each came from. A field of a kind its source
/// cannot fill (checked when the definition was published) is left empty.
pub async fn prefill(
    state: &AppState,
    citizen: CitizenId,
    definition: &Definition,
) -> Result<(Answers, Sources), AppError> {
    let held = read_held(state, citizen, definition).await?;
    let mut answers = Answers::default();
    let mut sources = Sources::new();
    for (_, field) in definition.fields() {
        let Some(path) = field.prefill.as_deref() else {
            continue;
        };
        if path.starts_with("member.") {
            continue;
        }
        let wanted_group = field.kind() == Some(Kind::Group);
        if let Some((value, source)) = value_of(field, path, &held) {
            if wanted_group != matches!(value, Value::Group { .. }) {
                continue;
            }
            answers.0.insert(field.id.clone(), value);
            sources.insert(field.id.clone(), source);
        }
    }
    Ok((answers, sources))
}

//! The portal's GraphQL answers: the records' shape, and how an answer is classified (data, a token the
//! portal no longer accepts, rate limiting, other errors).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// One record of a connection's `node`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub category: String,
    /// The record's fields, all as text (keys per category; see [`crate::queries`]).
    #[serde(deserialize_with = "text_fields")]
    pub fields: BTreeMap<String, String>,
    pub source: Source,
    /// `YYYY-MM-DD`.
    pub updated_on: String,
}

impl Record {
    /// A field's value, trimmed; `None` when absent or empty.
    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// The agency a record comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
}

/// `fields` is a JSON object of strings. Numbers and booleans are taken as their text, nulls are left
/// out, and an object sent as a JSON-encoded string is decoded first.
fn text_fields<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let value = Value::deserialize(d)?;
    let object = match value {
        Value::Object(map) => map,
        Value::String(text) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => map,
            _ => return Err(serde::de::Error::custom("fields is not a JSON object")),
        },
        Value::Null => return Ok(BTreeMap::new()),
        _ => return Err(serde::de::Error::custom("fields is not a JSON object")),
    };
    Ok(object
        .into_iter()
        .filter_map(|(k, v)| match v {
            Value::Null => None,
            Value::String(s) => Some((k, s)),
            other => Some((k, other.to_string())),
        })
        .collect())
}

/// One page of a connection.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionPage {
    pub total_count: Option<u64>,
    pub edges: Vec<Edge>,
    pub page_info: PageInfo,
}

#[derive(Debug, Deserialize)]
pub struct Edge {
    pub cursor: Option<String>,
    pub node: Record,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// A connection's records, every page followed up to a cap.
#[derive(Debug, Default)]
pub struct Fetched {
    pub records: Vec<Record>,
    pub total_count: Option<u64>,
    /// More pages were left unread (the cap was reached).
    pub truncated: bool,
}

/// Where a table's records come from: their agencies (in order of first appearance, once each) and the
/// latest `updatedOn`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    pub agencies: Vec<String>,
    pub last_updated: Option<String>,
}

impl Provenance {
    pub fn of<'a>(records: impl IntoIterator<Item = &'a Record>) -> Self {
        let mut p = Provenance::default();
        for r in records {
            if !p.agencies.contains(&r.source.name) {
                p.agencies.push(r.source.name.clone());
            }
            if p.last_updated
                .as_deref()
                .is_none_or(|d| r.updated_on.as_str() > d)
            {
                p.last_updated = Some(r.updated_on.clone());
            }
        }
        p
    }
}

/// What one GraphQL answer means to the app.
#[derive(Debug, PartialEq)]
pub enum Answer {
    /// The `data` member, with no errors.
    Data(Value),
    /// HTTP 401, or a GraphQL error coded `UNAUTHENTICATED`: the access token is not accepted (it may
    /// have expired, so a refresh is worth one try).
    Unauthenticated,
    /// A GraphQL error coded `FORBIDDEN`: the token no longer covers this data.
    Forbidden(String),
    /// HTTP 429 with its Retry-After seconds.
    RateLimited(Option<u64>),
    /// Other GraphQL errors (their messages).
    Errors(Vec<String>),
    /// Another HTTP status.
    Status(u16),
    /// A body that is not a GraphQL answer.
    Malformed(String),
}

#[derive(Debug, Deserialize)]
struct Response {
    data: Option<Value>,
    #[serde(default)]
    errors: Vec<GraphQlError>,
}

#[derive(Debug, Deserialize)]
struct GraphQlError {
    #[serde(default)]
    message: String,
    extensions: Option<Extensions>,
}

#[derive(Debug, Deserialize)]
struct Extensions {
    code: Option<String>,
}

/// Classifies the portal's answer to a GraphQL POST from its status, Retry-After header and body.
pub fn classify(status: u16, retry_after: Option<&str>, body: &[u8]) -> Answer {
    match status {
        401 => return Answer::Unauthenticated,
        429 => {
            return Answer::RateLimited(retry_after.and_then(|v| v.trim().parse::<u64>().ok()));
        }
        // GraphQL over HTTP may answer errors with a 4xx and a GraphQL body; read it if it is one.
        200 | 400 | 403 => {}
        other => return Answer::Status(other),
    }
    let response: Response = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) if status == 200 => return Answer::Malformed(e.to_string()),
        Err(_) => return Answer::Status(status),
    };
    let code_of = |e: &GraphQlError| e.extensions.as_ref().and_then(|x| x.code.clone());
    if response
        .errors
        .iter()
        .any(|e| code_of(e).as_deref() == Some("UNAUTHENTICATED"))
    {
        return Answer::Unauthenticated;
    }
    if let Some(e) = response
        .errors
        .iter()
        .find(|e| code_of(e).as_deref() == Some("FORBIDDEN"))
    {
        return Answer::Forbidden(e.message.clone());
    }
    if !response.errors.is_empty() {
        return Answer::Errors(response.errors.into_iter().map(|e| e.message).collect());
    }
    match response.data {
        Some(data) if status == 200 => Answer::Data(data),
        Some(_) => Answer::Status(status),
        None => Answer::Malformed("an answer with neither data nor errors".to_owned()),
    }
}

/// Reads `data.me.<field>` as one connection page.
pub fn connection_page(data: &Value, field: &str) -> Result<ConnectionPage, String> {
    let page = data
        .get("me")
        .and_then(|me| me.get(field))
        .filter(|v| !v.is_null())
        .ok_or_else(|| format!("no me.{field} in the answer"))?;
    serde_json::from_value(page.clone()).map_err(|e| format!("me.{field}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn http_statuses_are_classified() {
        assert_eq!(classify(401, None, b""), Answer::Unauthenticated);
        assert_eq!(
            classify(429, Some("30"), b""),
            Answer::RateLimited(Some(30))
        );
        assert_eq!(
            classify(429, Some("Wed, 21 Oct 2015 07:28:00 GMT"), b""),
            Answer::RateLimited(None)
        );
        assert_eq!(classify(502, None, b"<html>"), Answer::Status(502));
        assert_eq!(classify(400, None, b"not json"), Answer::Status(400));
    }

    #[test]
    fn graphql_error_codes_are_classified() {
        let body = json!({"data": null, "errors": [
            {"message": "scope prescriptions was withdrawn", "extensions": {"code": "FORBIDDEN"}}
        ]});
        assert_eq!(
            classify(200, None, body.to_string().as_bytes()),
            Answer::Forbidden("scope prescriptions was withdrawn".to_owned())
        );
        let body = json!({"errors": [
            {"message": "other", "extensions": {"code": "BAD_USER_INPUT"}},
            {"message": "token expired", "extensions": {"code": "UNAUTHENTICATED"}}
        ]});
        assert_eq!(
            classify(200, None, body.to_string().as_bytes()),
            Answer::Unauthenticated
        );
        let body = json!({"errors": [{"message": "first must be at most 100"}]});
        assert_eq!(
            classify(200, None, body.to_string().as_bytes()),
            Answer::Errors(vec!["first must be at most 100".to_owned()])
        );
        assert!(matches!(classify(200, None, b"{"), Answer::Malformed(_)));
    }

    #[test]
    fn a_page_of_records_is_read() {
        let body = json!({"data": {"me": {"healthCheckups": {
            "totalCount": 2,
            "edges": [{"cursor": "c1", "node": {
                "category": "health_checkups",
                "fields": {"checked_on": "2024-06-01", "bmi": "22.4", "hba1c": 5.6, "guidance": null},
                "source": {"code": "mhlw", "name": "厚生労働省", "nameEn": "MHLW"},
                "updatedOn": "2024-07-01"
            }}],
            "pageInfo": {"hasNextPage": true, "endCursor": "c1"}
        }}}});
        let Answer::Data(data) = classify(200, None, body.to_string().as_bytes()) else {
            panic!("expected data");
        };
        let page = connection_page(&data, "healthCheckups").unwrap();
        assert_eq!(page.total_count, Some(2));
        assert!(page.page_info.has_next_page);
        assert_eq!(page.page_info.end_cursor.as_deref(), Some("c1"));
        let record = &page.edges[0].node;
        assert_eq!(record.field("checked_on"), Some("2024-06-01"));
        assert_eq!(record.field("hba1c"), Some("5.6"));
        assert_eq!(record.field("guidance"), None);
        assert_eq!(record.source.name, "厚生労働省");
        assert!(connection_page(&data, "prescriptions").is_err());
    }

    #[test]
    fn provenance_names_each_agency_once_and_the_latest_update() {
        let record = |agency: &str, updated: &str| Record {
            category: "prescriptions".into(),
            fields: BTreeMap::new(),
            source: Source {
                code: agency.into(),
                name: agency.into(),
                name_en: None,
            },
            updated_on: updated.into(),
        };
        let records = [
            record("支払基金", "2024-03-01"),
            record("国保中央会", "2024-05-10"),
            record("支払基金", "2024-04-30"),
        ];
        assert_eq!(
            Provenance::of(&records),
            Provenance {
                agencies: vec!["支払基金".into(), "国保中央会".into()],
                last_updated: Some("2024-05-10".into()),
            }
        );
        assert_eq!(Provenance::of(&[]), Provenance::default());
    }

    #[test]
    fn fields_sent_as_a_json_string_are_decoded() {
        let node = json!({
            "category": "deductions",
            "fields": "{\"year\":\"2024\",\"amount\":\"50000\"}",
            "source": {"code": "nta", "name": "国税庁", "nameEn": null},
            "updatedOn": "2024-10-15"
        });
        let record: Record = serde_json::from_value(node).unwrap();
        assert_eq!(record.field("amount"), Some("50000"));
    }
}

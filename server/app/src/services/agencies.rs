//! Agencies: the registry, their machine clients and access tokens (OAuth2 client credentials), and their
//! pseudonyms (機関別符号) for citizens.

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use hmac::{Hmac, Mac};
use portal_storage::ids::{AgencyId, CitizenId};
use portal_storage::models::agency::{Agency, AgencyClient, AgencyKind, AgencyPseudonym};
use portal_storage::{AnyConnection, Db, Kv, StorageError, now_millis};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::random::token;

/// How long an agency's access token lasts.
pub const TOKEN_TTL: Duration = Duration::from_secs(10 * 60);

/// The agencies every installation knows: (code, kind, Japanese name, English name). Municipalities carry
/// their local public body code (全国地方公共団体コード, with its check digit).
pub const REGISTRY: &[(&str, AgencyKind, &str, &str)] = &[
    (
        "digital",
        AgencyKind::Ministry,
        "デジタル庁",
        "Digital Agency",
    ),
    (
        "mhlw",
        AgencyKind::Ministry,
        "厚生労働省",
        "Ministry of Health, Labour and Welfare",
    ),
    (
        "cfa",
        AgencyKind::Ministry,
        "こども家庭庁",
        "Children and Families Agency",
    ),
    ("nta", AgencyKind::Tax, "国税庁", "National Tax Agency"),
    (
        "jps",
        AgencyKind::Pension,
        "日本年金機構",
        "Japan Pension Service",
    ),
    (
        "kyoukaikenpo",
        AgencyKind::Insurer,
        "全国健康保険協会",
        "Japan Health Insurance Association",
    ),
    (
        "its-kenpo",
        AgencyKind::Insurer,
        "関東ITソフトウェア健康保険組合",
        "Kanto IT Software Health Insurance Society",
    ),
    (
        "011011",
        AgencyKind::Municipality,
        "札幌市中央区",
        "Chuo Ward, Sapporo",
    ),
    (
        "131016",
        AgencyKind::Municipality,
        "千代田区",
        "Chiyoda City",
    ),
    ("131130", AgencyKind::Municipality, "渋谷区", "Shibuya City"),
    (
        "141003",
        AgencyKind::Municipality,
        "横浜市",
        "Yokohama City",
    ),
    (
        "231002",
        AgencyKind::Municipality,
        "名古屋市",
        "Nagoya City",
    ),
    (
        "271276",
        AgencyKind::Municipality,
        "大阪市北区",
        "Kita Ward, Osaka",
    ),
    ("401307", AgencyKind::Municipality, "福岡市", "Fukuoka City"),
    // Banks' counters register 公金受取口座 for their customers; codes are `bank-` and the Zengin code.
    (
        "bank-0001",
        AgencyKind::Bank,
        "株式会社みずほ銀行",
        "Mizuho Bank",
    ),
    (
        "bank-0009",
        AgencyKind::Bank,
        "株式会社三井住友銀行",
        "Sumitomo Mitsui Banking Corporation",
    ),
];

/// Checks a local public body code: 5 digits and the check digit the MIC scheme defines.
pub fn is_municipality_code(code: &str) -> bool {
    let digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
    if code.len() != 6 || digits.len() != 6 {
        return false;
    }
    let sum: u32 = digits[..5]
        .iter()
        .zip([6, 5, 4, 3, 2])
        .map(|(d, w)| d * w)
        .sum();
    let check = (11 - sum % 11) % 10;
    digits[5] == check
}

/// Makes sure every agency of [`REGISTRY`] exists; new ones get a fresh pseudonym key.
pub fn ensure_registry(conn: &mut AnyConnection) -> Result<Vec<Agency>, StorageError> {
    REGISTRY
        .iter()
        .map(|(code, kind, ja, en)| {
            Agency::ensure(
                conn,
                &Agency {
                    id: AgencyId::new(),
                    code: (*code).to_owned(),
                    kind: kind.code().to_owned(),
                    name_ja: (*ja).to_owned(),
                    name_en: (*en).to_owned(),
                    pseudonym_key: hex::encode(rand::random::<[u8; 32]>()),
                    created_at: now_millis(),
                },
            )
        })
        .collect()
}

/// The agency's pseudonym for a citizen: HMAC-SHA256 under the agency's own key, so pseudonyms of two
/// agencies cannot be linked without the portal's keys.
pub fn pseudonym(agency: &Agency, citizen: CitizenId) -> String {
    let key = hex::decode(&agency.pseudonym_key)
        .unwrap_or_else(|_| agency.pseudonym_key.clone().into_bytes());
    match Hmac::<Sha256>::new_from_slice(&key) {
        Ok(mut mac) => {
            mac.update(citizen.to_string().as_bytes());
            hex::encode(&mac.finalize().into_bytes()[..16])
        }
        // HMAC takes keys of any length; this arm is unreachable in practice.
        Err(_) => String::new(),
    }
}

/// The citizen an agency's pseudonym names. `NotFound` for a pseudonym the agency does not have (perhaps
/// another agency's): there is no citizen to act for, or to record a read for.
pub async fn citizen_named(
    db: &Db,
    agency: AgencyId,
    pseudonym: &str,
) -> Result<CitizenId, AppError> {
    let wanted = vec![pseudonym.to_owned()];
    db.run(move |c| AgencyPseudonym::resolve(c, agency, &wanted))
        .await?
        .into_iter()
        .next()
        .map(|(_, citizen)| citizen)
        .ok_or(AppError::NotFound)
}

/// Gives agencies their pseudonyms for citizens (as the 符号 issuance of the real network does) and records
/// them so the agencies can address those citizens.
pub fn enrol(
    conn: &mut AnyConnection,
    pairs: &[(&Agency, CitizenId)],
) -> Result<Vec<String>, StorageError> {
    let now = now_millis();
    let rows: Vec<AgencyPseudonym> = pairs
        .iter()
        .map(|(agency, citizen)| AgencyPseudonym {
            agency_id: agency.id,
            pseudonym: pseudonym(agency, *citizen),
            citizen_id: *citizen,
            created_at: now,
        })
        .collect();
    AgencyPseudonym::insert_many(conn, &rows)?;
    Ok(rows.into_iter().map(|r| r.pseudonym).collect())
}

/// A new client's credentials; the secret is shown once and only its hash is kept.
#[derive(Debug, Clone, Serialize)]
pub struct NewClient {
    pub agency: String,
    pub client_id: String,
    pub client_secret: String,
}

pub async fn add_client(db: &Db, agency_code: &str, label: &str) -> Result<NewClient, AppError> {
    let code = agency_code.to_owned();
    let agency = db
        .run(move |c| Agency::find_by_code(c, &code))
        .await?
        .ok_or_else(|| AppError::BadRequest(format!("no agency with code {agency_code:?}")))?;
    let client_id = format!("agency-{}-{}", agency.code, token(6).to_lowercase());
    let client_secret = token(32);
    let secret_hash = hash_secret(&client_secret)?;
    let row = AgencyClient {
        client_id: client_id.clone(),
        agency_id: agency.id,
        secret_hash,
        label: label.to_owned(),
        created_at: now_millis(),
        revoked_at: None,
    };
    db.run(move |c| AgencyClient::insert(c, &row)).await?;
    Ok(NewClient {
        agency: agency.code,
        client_id,
        client_secret,
    })
}

pub(crate) fn hash_secret(secret: &str) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::BadRequest(e.to_string()))
}

/// Who an access token speaks for. Kept with the token so a request needs no database trip to know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyPrincipal {
    pub agency_id: AgencyId,
    pub code: String,
    pub kind: String,
    pub name_ja: String,
    pub client_id: String,
}

impl AgencyPrincipal {
    pub fn kind(&self) -> Option<AgencyKind> {
        AgencyKind::from_code(&self.kind)
    }
}

fn token_key(token: &str) -> String {
    format!(
        "agency-token:{}",
        hex::encode(Sha256::digest(token.as_bytes()))
    )
}

/// Checks a client's credentials and issues an access token; `None` when the client is unknown, revoked
/// or the secret is wrong (the caller answers `invalid_client` without saying which).
pub async fn issue_token(
    db: &Db,
    kv: &Kv,
    client_id: &str,
    secret: &str,
) -> Result<Option<String>, AppError> {
    let id = client_id.to_owned();
    let Some((client, agency)) = db.run(move |c| AgencyClient::find_active(c, &id)).await? else {
        return Ok(None);
    };
    let secret = secret.to_owned();
    // argon2 is deliberately slow: keep it off the async workers.
    let valid = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&client.secret_hash)
            .map(|hash| {
                Argon2::default()
                    .verify_password(secret.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|e| AppError::Storage(StorageError::Task(e)))?;
    if !valid {
        return Ok(None);
    }
    let principal = AgencyPrincipal {
        agency_id: agency.id,
        code: agency.code,
        kind: agency.kind,
        name_ja: agency.name_ja,
        client_id: client.client_id,
    };
    let access_token = token(32);
    let json =
        serde_json::to_string(&principal).map_err(|e| AppError::BadRequest(e.to_string()))?;
    kv.put(&token_key(&access_token), &json, TOKEN_TTL).await?;
    Ok(Some(access_token))
}

/// The agency behind a bearer token, if it is live.
pub async fn principal(kv: &Kv, access_token: &str) -> Result<Option<AgencyPrincipal>, AppError> {
    Ok(kv
        .get(&token_key(access_token))
        .await?
        .and_then(|json| serde_json::from_str(&json).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipality_codes_carry_a_check_digit() {
        for (code, kind, _, _) in REGISTRY {
            if *kind == AgencyKind::Municipality {
                assert!(is_municipality_code(code), "{code}");
            }
        }
        assert!(!is_municipality_code("131017"));
        assert!(!is_municipality_code("13101"));
    }

    #[test]
    fn pseudonyms_differ_between_agencies() {
        let agency = |key: &str| Agency {
            id: AgencyId::new(),
            code: "x".into(),
            kind: "municipality".into(),
            name_ja: "x".into(),
            name_en: "x".into(),
            pseudonym_key: key.into(),
            created_at: 0,
        };
        let citizen = CitizenId::new();
        let (a, b) = (agency(&"11".repeat(32)), agency(&"22".repeat(32)));
        assert_eq!(pseudonym(&a, citizen), pseudonym(&a, citizen));
        assert_ne!(pseudonym(&a, citizen), pseudonym(&b, citizen));
        assert_eq!(pseudonym(&a, citizen).len(), 32);
    }
}

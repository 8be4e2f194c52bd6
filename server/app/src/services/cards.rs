//! Issuing simulated My Number Cards from the portal's test CA and registering them, as J-LIS links a
//! certificate serial to a resident for Mynaportal.

use std::path::Path;

use portal_card::{Authority, CardKind, Holder, Serial, SoftwareCard};
use portal_storage::Db;
use portal_storage::ids::CitizenId;
use portal_storage::models::citizen::{CardLink, Citizen};
use portal_storage::now_millis;
use time::OffsetDateTime;

use crate::error::AppError;

fn card_error(e: portal_card::CardError) -> AppError {
    AppError::BadRequest(e.to_string())
}

/// What a new card needs: its holder, where they live, the card kind, PINs and the card's own expiry.
pub struct NewCard {
    pub holder: Holder,
    pub municipality_code: String,
    pub kind: CardKind,
    pub pin: String,
    pub password: String,
    pub expiry: time::Date,
}

/// Issues a card from the CA in `ca_dir` and links its serial to a new citizen. Returns the card and the
/// citizen's id.
pub async fn issue(
    db: &Db,
    ca_dir: &Path,
    request: NewCard,
) -> Result<(SoftwareCard, CitizenId), AppError> {
    let now = OffsetDateTime::now_utc();
    let NewCard {
        holder,
        municipality_code,
        kind,
        pin,
        password,
        expiry,
    } = request;
    let (dir, issued_for) = (ca_dir.to_owned(), holder.clone());
    let card = tokio::task::spawn_blocking(move || {
        Authority::update(&dir, now, |authority| {
            authority.issue(&issued_for, kind, &pin, &password, expiry, now)
        })
        .map_err(card_error)
    })
    .await
    .map_err(|e| AppError::Startup(e.to_string()))??;

    let citizen = Citizen {
        id: CitizenId::new(),
        name: holder.name.clone(),
        name_kana: holder.name_kana.clone(),
        birth_date: holder.birth_date.to_string(),
        sex: match holder.sex {
            portal_card::Sex::Male => "male".to_owned(),
            portal_card::Sex::Female => "female".to_owned(),
        },
        address: holder.address.clone(),
        municipality_code,
        email: None,
        lang: "ja".to_owned(),
        created_at: now_millis(),
    };
    let link = CardLink {
        serial: card.serial_hex(),
        citizen_id: citizen.id,
        not_after: card.not_after().unix_timestamp() * 1000,
        linked_at: now_millis(),
    };
    let id = citizen.id;
    db.run(move |c| {
        Citizen::insert(c, &citizen)?;
        CardLink::link(c, &link)
    })
    .await?;
    Ok((card, id))
}

/// Revokes a certificate by serial; the server refuses it from its next CRL refresh on.
pub fn revoke(ca_dir: &Path, serial_hex: &str) -> Result<(), AppError> {
    let serial = Serial::from_hex(serial_hex)
        .ok_or_else(|| AppError::BadRequest(format!("{serial_hex:?} is not a hex serial")))?;
    let now = OffsetDateTime::now_utc();
    if !ca_dir.is_dir() {
        return Err(AppError::BadRequest(format!(
            "no card authority in {}",
            ca_dir.display()
        )));
    }
    Authority::update(ca_dir, now, |authority| {
        authority.revoke(&serial, now);
        Ok(())
    })
    .map_err(card_error)
}

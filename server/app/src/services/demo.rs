//! Demo mode only (`serve --demo`, never a production configuration): simulated cards for trying the
//! portal with nothing but a browser, and the demo reader that plays the card app for them.

use std::path::{Path, PathBuf};

use portal_card::{CardKind, Holder, Sex, SoftwareCard};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::services::cards::{self, NewCard};
use crate::state::AppState;

/// One demo card: its file and, since this is a demo, its PIN in the clear.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoCardEntry {
    pub id: String,
    pub name: String,
    pub pin: String,
    pub file: PathBuf,
}

pub fn dir(state: &AppState) -> PathBuf {
    state.config.data_dir.join("demo-cards")
}

fn manifest_path(dir: &Path) -> PathBuf {
    dir.join("manifest.json")
}

/// The demo cards, issuing them on the first start in demo mode.
pub async fn ensure_cards(state: &AppState) -> Result<Vec<DemoCardEntry>, AppError> {
    let dir = dir(state);
    if let Ok(json) = std::fs::read_to_string(manifest_path(&dir))
        && let Ok(entries) = serde_json::from_str::<Vec<DemoCardEntry>>(&json)
    {
        return Ok(entries);
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| AppError::Startup(format!("{}: {e}", dir.display())))?;
    let people = [
        (
            "demo-1",
            "山田 花子",
            "ヤマダ ハナコ",
            (1990, 4, 1),
            Sex::Female,
            "東京都千代田区永田町一丁目7番1号",
            "131016",
            "1234",
        ),
        (
            "demo-2",
            "佐藤 太郎",
            "サトウ タロウ",
            (1975, 11, 3),
            Sex::Male,
            "大阪府大阪市北区中之島一丁目3番20号",
            "271276",
            "5678",
        ),
        (
            "demo-3",
            "鈴木 一郎",
            "スズキ イチロウ",
            (2001, 2, 28),
            Sex::Male,
            "北海道札幌市中央区北1条西2丁目",
            "011011",
            "2468",
        ),
    ];
    let expiry = crate::japan_today().saturating_add(time::Duration::days(365 * 8));
    let mut entries = Vec::new();
    for (id, name, kana, (y, m, d), sex, address, municipality, pin) in people {
        let birth_date = time::Month::try_from(m)
            .ok()
            .and_then(|m| time::Date::from_calendar_date(y, m, d).ok())
            .ok_or_else(|| AppError::Startup("demo birth date".to_owned()))?;
        let request = NewCard {
            holder: Holder {
                name: name.to_owned(),
                name_kana: kana.to_owned(),
                address: address.to_owned(),
                birth_date,
                sex,
            },
            municipality_code: municipality.to_owned(),
            kind: CardKind::Card,
            pin: pin.to_owned(),
            password: "DEMO1234".to_owned(),
            expiry,
        };
        let (card, _) =
            cards::issue(&state.db, &state.config.data_dir.join("card-ca"), request).await?;
        let file = dir.join(format!("{id}.json"));
        card.save(&file)
            .map_err(|e| AppError::Startup(e.to_string()))?;
        entries.push(DemoCardEntry {
            id: id.to_owned(),
            name: name.to_owned(),
            pin: pin.to_owned(),
            file,
        });
    }
    let json =
        serde_json::to_string_pretty(&entries).map_err(|e| AppError::Startup(e.to_string()))?;
    std::fs::write(manifest_path(&dir), json).map_err(|e| AppError::Startup(e.to_string()))?;
    Ok(entries)
}

pub fn load_entries(state: &AppState) -> Vec<DemoCardEntry> {
    std::fs::read_to_string(manifest_path(&dir(state)))
        .ok()
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

pub fn load_card(entry: &DemoCardEntry) -> Result<SoftwareCard, AppError> {
    SoftwareCard::load(&entry.file).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// Demo data: a small town of synthetic citizens, and records and a history of reads for the first two
/// demo card holders (demo-1 with long lists, demo-2 with a few; demo-3 keeps none). Runs once: seeded
/// citizens and citizens with records are left alone on later starts.
pub async fn ensure_data(state: &AppState, cards: &[DemoCardEntry]) -> Result<(), AppError> {
    use portal_storage::models::citizen::Citizen;

    use crate::services::seed::{self, Plan};

    let town = Plan {
        citizens: 200,
        records_per_citizen: 30,
        reads_per_citizen: 4,
        seed: 1,
    };
    if !seed::is_loaded(&state.db, town.seed).await? {
        seed::run(&state.db, &town, |_| {}).await?;
    }
    for (entry, records, reads) in cards
        .iter()
        .zip([(150, 30), (40, 5)])
        .map(|(e, (r, n))| (e, r, n))
    {
        let serial = load_card(entry)?.serial_hex();
        let Some(citizen) = state
            .db
            .run(move |c| Citizen::find_by_card_serial(c, &serial))
            .await?
        else {
            continue;
        };
        let plan = Plan {
            citizens: 0,
            records_per_citizen: records,
            reads_per_citizen: reads,
            seed: 7,
        };
        seed::for_existing(&state.db, vec![(citizen.id, entry.id.clone())], plan).await?;
    }
    Ok(())
}

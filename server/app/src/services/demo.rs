//! Demo mode only (`serve --demo`, never a production configuration): simulated cards for trying the
//! portal with nothing but a browser, and the demo reader that plays the card app for them.

use std::path::{Path, PathBuf};

use portal_card::{CardKind, Holder, Sex, SoftwareCard};
use portal_storage::ids::{AgencyId, NoticeId};
use portal_storage::models::agency::Agency;
use portal_storage::models::inbox;
use portal_storage::models::notice::{
    AUDIENCE_LIST, AUDIENCE_RULE, Importance, Notice, NoticeCategory,
};
use portal_storage::{AnyConnection, StorageError};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::services::cards::{self, NewCard};
use crate::state::AppState;

/// The signature password (署名用) of every demo card.
pub const DEMO_PASSWORD: &str = "DEMO1234";

fn demo_password() -> String {
    DEMO_PASSWORD.to_owned()
}

/// One demo card: its file and, since this is a demo, its PIN and signature password in the clear.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoCardEntry {
    pub id: String,
    pub name: String,
    pub pin: String,
    /// Manifests written before the password was listed have the one every demo card was issued with.
    #[serde(default = "demo_password")]
    pub password: String,
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
            password: DEMO_PASSWORD.to_owned(),
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
            password: DEMO_PASSWORD.to_owned(),
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

/// The demo staff account: login, password and authenticator key (all fixed, demo only).
pub struct DemoStaff {
    pub login: &'static str,
    pub password: &'static str,
    pub secret: String,
}

/// A member of 千代田区's staff with every role, for trying the staff console; added on the first start.
pub async fn ensure_staff(state: &AppState) -> Result<DemoStaff, AppError> {
    use portal_storage::models::staff::{ROLES, StaffMember};

    const LOGIN: &str = "demo-staff@example.jp";
    const PASSWORD: &str = "demo-staff-password";
    let existing = state.db.run(|c| StaffMember::by_login(c, LOGIN)).await?;
    let secret = match existing {
        Some(member) => member.totp_secret,
        None => {
            state
                .db
                .run(crate::services::agencies::ensure_registry)
                .await?;
            let roles: Vec<String> = ROLES.iter().map(|r| (*r).to_owned()).collect();
            crate::services::staff::create(state, "131016", LOGIN, "デモ 職員", &roles, PASSWORD)
                .await?
                .map_err(AppError::BadRequest)?
                .totp_secret
        }
    };
    Ok(DemoStaff {
        login: LOGIN,
        password: PASSWORD,
        secret,
    })
}

/// Demo data: a small town of synthetic citizens, and records and a history of reads for the first two
/// demo card holders (demo-1 with long lists, demo-2 with a few; demo-3 keeps none), and notices for all
/// three. Runs once: seeded citizens and citizens with records are left alone on later starts.
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
    ensure_notices(state, cards).await
}

/// A demo notice: (key, agency code, category, importance, language, title, body, deadline, action link
/// and its text, posted and corrected at). Times are fixed, so the pages look the same on every start.
type DemoNotice = (
    &'static str,
    &'static str,
    NoticeCategory,
    Importance,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<(&'static str, &'static str)>,
    i64,
    Option<i64>,
);

/// Notices for each demo card holder (by card), listed to them alone: demo-1 gets three (an important one
/// with a deadline and a link, one in English, one corrected after posting), demo-2 and demo-3 one each.
const DEMO_LISTED: &[(&str, DemoNotice)] = &[
    (
        "demo-1",
        (
            "benefit",
            "131016",
            NoticeCategory::Benefits,
            Importance::High,
            "ja",
            "物価高騰対策給付金の申請を受け付けています",
            "千代田区から、物価高騰対策給付金のご案内です。\n\n\
             あなたの世帯は、給付金の対象となる可能性があります。\n\
             申請期限までに、次のページから申請してください。\n\
             https://www.example.com/chiyoda/benefit\n\n\
             申請には、マイナンバーカードと、振込先の口座が分かるものが必要です。",
            Some("2027-02-26"),
            Some((
                "https://www.example.com/chiyoda/benefit",
                "給付金を申請する（千代田区）",
            )),
            1_795_568_400_000,
            None,
        ),
    ),
    (
        "demo-1",
        (
            "checkup",
            "kyoukaikenpo",
            NoticeCategory::Health,
            Importance::Normal,
            "en",
            "Your health checkup results are ready",
            "The results of your health checkup are now available.\n\n\
             You can see them under Your information, in Health checkups.\n\
             To learn what the results mean, see https://www.example.com/kenpo/checkup.",
            None,
            None,
            1_794_978_000_000,
            None,
        ),
    ),
    (
        "demo-1",
        (
            "year-end",
            "nta",
            NoticeCategory::Tax,
            Importance::Normal,
            "ja",
            "年末調整の書類の提出について",
            "年末調整に必要な書類を、勤務先に提出してください。\n\n\
             提出期限は、勤務先の指示に従ってください。\n\
             （11月12日: 提出先の記載を訂正しました。）",
            Some("2027-01-31"),
            None,
            1_794_268_800_000,
            Some(1_794_472_200_000),
        ),
    ),
    (
        "demo-2",
        (
            "pension-statement",
            "jps",
            NoticeCategory::Pension,
            Importance::Normal,
            "ja",
            "ねんきん定期便をお送りしました",
            "これまでの年金の加入記録と、年金の見込額をお知らせする「ねんきん定期便」をお送りしました。\n\n\
             内容に誤りがある場合は、お近くの年金事務所にお問い合わせください。",
            None,
            None,
            1_794_700_800_000,
            None,
        ),
    ),
    (
        "demo-3",
        (
            "certificate",
            "digital",
            NoticeCategory::Other,
            Importance::High,
            "ja",
            "電子証明書の有効期限が近づいています",
            "マイナンバーカードの電子証明書の有効期限が近づいています。\n\n\
             お住まいの市区町村の窓口で、更新の手続をしてください。",
            None,
            None,
            1_793_836_800_000,
            None,
        ),
    ),
];

/// One notice by rule for the demo town's 大阪市北区 (demo-2 lives there; so do some of the seeded
/// citizens).
const DEMO_RULE: DemoNotice = (
    "shelter-drill",
    "271276",
    NoticeCategory::Disaster,
    Importance::High,
    "ja",
    "避難所の開設訓練を行います",
    "大雨に備えて、区内の小学校で避難所の開設訓練を行います。\n\n\
     当日は、防災行政無線で訓練の放送をします。",
    None,
    None,
    1_795_305_600_000,
    None,
);

/// A demo notice's id, the same on every start: derived from what it is for, so inserting it again is
/// recognisably the same notice.
fn demo_notice_id(key: &str) -> NoticeId {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("demo-notice:{key}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    NoticeId(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

fn demo_notice(id: NoticeId, agency: AgencyId, notice: &DemoNotice, rule: Option<&str>) -> Notice {
    let (_, _, category, importance, lang, title, body, deadline, action, posted_at, corrected_at) =
        *notice;
    Notice {
        id,
        agency_id: agency,
        audience: if rule.is_some() {
            AUDIENCE_RULE
        } else {
            AUDIENCE_LIST
        }
        .to_owned(),
        rule_areas: rule.unwrap_or_default().to_owned(),
        rule_born_from: None,
        rule_born_to: None,
        title: title.to_owned(),
        body: body.to_owned(),
        lang: lang.to_owned(),
        category: category.code().to_owned(),
        importance: importance.code().to_owned(),
        deadline: deadline.map(str::to_owned),
        action_url: action.map(|(url, _)| url.to_owned()),
        action_label: action.map(|(_, label)| label.to_owned()),
        expires_at: None,
        posted_at,
        corrected_at,
        withdrawn_at: None,
        recipients: Some(1),
    }
}

/// The demo notices: each demo card holder's own (ids follow the citizen, so a new demo citizen gets new
/// ones) and the town's rule notice. Notices already there are left alone, with whatever the citizen did
/// with them.
async fn ensure_notices(state: &AppState, cards: &[DemoCardEntry]) -> Result<(), AppError> {
    use portal_storage::models::citizen::Citizen;

    let mut holders = Vec::new();
    for entry in cards {
        let serial = load_card(entry)?.serial_hex();
        if let Some(citizen) = state
            .db
            .run(move |c| Citizen::find_by_card_serial(c, &serial))
            .await?
        {
            holders.push((entry.id.clone(), citizen.id));
        }
    }
    state
        .db
        .run(move |c| {
            let agency = |c: &mut AnyConnection, code: &str| {
                Agency::find_by_code(c, code)?
                    .map(|a| a.id)
                    .ok_or_else(|| StorageError::Malformed(format!("agency {code} is missing")))
            };
            for (card, notice) in DEMO_LISTED {
                let Some((_, citizen)) = holders.iter().find(|(id, _)| id == card) else {
                    continue;
                };
                let id = demo_notice_id(&format!("{citizen}:{}", notice.0));
                if Notice::find(c, id)?.is_none() {
                    let agency_id = agency(c, notice.1)?;
                    Notice::insert(c, &demo_notice(id, agency_id, notice, None))?;
                }
                inbox::add_to_list(c, id, *citizen)?;
            }
            let id = demo_notice_id(DEMO_RULE.0);
            if Notice::find(c, id)?.is_none() {
                let agency_id = agency(c, DEMO_RULE.1)?;
                Notice::insert(
                    c,
                    &demo_notice(id, agency_id, &DEMO_RULE, Some(DEMO_RULE.1)),
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}

//! Synthetic demo data: citizens (names with kana, addresses, municipality codes, birth dates, households),
//! records across every category and a history of agency reads. Deterministic for a given seed: each
//! citizen's data comes from a generator seeded by (seed, index), and ids are built from it too. Rows are
//! written in bulk: into a fresh database in one transaction that builds the big tables' indexes at the end,
//! otherwise one transaction per batch of citizens.

use std::collections::HashMap;

use portal_storage::ids::{CitizenId, LinkageId, RecordId};
use portal_storage::models::agency::{Agency, AgencyPseudonym};
use portal_storage::models::citizen::Citizen;
use portal_storage::models::linkage::{LinkageRecord, row_hash};
use portal_storage::models::record::Record;
use portal_storage::models::task;
use portal_storage::{AnyConnection, Db, StorageError, transaction};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::services::agencies;

/// What to create.
#[derive(Debug, Clone)]
pub struct Plan {
    pub citizens: u64,
    pub records_per_citizen: u32,
    pub reads_per_citizen: u32,
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Seeded {
    pub citizens: u64,
    pub records: u64,
    pub linkage_rows: u64,
}

impl Seeded {
    fn add(&mut self, citizens: &[Citizen], generated: &Generated) {
        self.merge(Seeded {
            citizens: citizens.len() as u64,
            records: generated.records.len() as u64,
            linkage_rows: generated.linkage.len() as u64,
        });
    }

    fn merge(&mut self, other: Seeded) {
        self.citizens += other.citizens;
        self.records += other.records;
        self.linkage_rows += other.linkage_rows;
    }
}

/// Citizens written per transaction.
const BATCH: u64 = 2000;
/// Batches written at the same time.
const WRITERS: usize = 2;
/// 2026-01-01T00:00:00Z: seeded ids and dates are laid out from here, so they never depend on the clock.
const EPOCH_MS: i64 = 1_767_225_600_000;
const DAY_MS: i64 = 86_400_000;

const SURNAMES: &[(&str, &str)] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
];
const GIVEN: &[(&str, &str, &str)] = &[
    ("翔太", "ショウタ", "male"),
    ("大輔", "ダイスケ", "male"),
    ("健一", "ケンイチ", "male"),
    ("蓮", "レン", "male"),
    ("悠真", "ユウマ", "male"),
    ("拓也", "タクヤ", "male"),
    ("陽菜", "ヒナ", "female"),
    ("美咲", "ミサキ", "female"),
    ("結衣", "ユイ", "female"),
    ("さくら", "サクラ", "female"),
    ("花子", "ハナコ", "female"),
    ("恵子", "ケイコ", "female"),
];
/// Municipality code and the address up to the ward or city.
const PLACES: &[(&str, &str)] = &[
    ("011011", "北海道札幌市中央区"),
    ("131016", "東京都千代田区"),
    ("131130", "東京都渋谷区"),
    ("141003", "神奈川県横浜市中区"),
    ("231002", "愛知県名古屋市中区"),
    ("271276", "大阪府大阪市北区"),
    ("401307", "福岡県福岡市中央区"),
];
const TOWNS: &[&str] = &[
    "本町",
    "中央",
    "栄町",
    "緑町",
    "旭町",
    "桜木町",
    "東町",
    "西町",
];
const PHARMACIES: &[&str] = &["さくら薬局", "みどり調剤薬局", "ひかり薬局", "あおば薬局"];
const DRUGS: &[(&str, &str)] = &[
    ("アムロジピン錠5mg", "1錠"),
    ("ロキソプロフェンNa錠60mg", "3錠"),
    ("ムコダインDS50%", "1.5g"),
    ("メトホルミン塩酸塩錠250mg", "2錠"),
    ("カロナール錠200", "3錠"),
    ("アレグラ錠60mg", "2錠"),
];
const CLINICS: &[&str] = &[
    "中央クリニック",
    "市立病院",
    "さくら内科",
    "みなと歯科医院",
    "ひまわり小児科",
];
const DEDUCTIONS: &[(&str, &str)] = &[
    ("生命保険料控除", "日本生命保険"),
    ("小規模企業共済等掛金控除（iDeCo）", "国民年金基金連合会"),
    ("寄附金控除（ふるさと納税）", "北海道上士幌町"),
];
const VACCINES: &[&str] = &[
    "インフルエンザHAワクチン",
    "新型コロナワクチン",
    "MRワクチン",
    "肺炎球菌ワクチン",
];

fn id_bytes(rng: &mut StdRng) -> [u8; 10] {
    rng.random()
}

/// A UUIDv7-shaped id from the seeded generator: time-ordered (good for index locality) and reproducible.
fn seeded_uuid(at_ms: i64, rng: &mut StdRng) -> uuid::Uuid {
    let ms = u64::try_from(at_ms).unwrap_or_default();
    uuid::Builder::from_unix_timestamp_millis(ms, &id_bytes(rng)).into_uuid()
}

fn rng_for(seed: u64, index: u64) -> StdRng {
    StdRng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index)
}

fn date(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

/// Synthetic citizen number `index` of `seed`; households are runs of up to 4 neighbouring indexes.
fn citizen(seed: u64, index: u64) -> Citizen {
    let mut rng = rng_for(seed, index);
    // The household's head decides surname and address.
    let head = index - index % 4;
    let mut home = rng_for(seed, head);
    let (surname, surname_kana) = SURNAMES[home.random_range(0..SURNAMES.len())];
    let (code, city) = PLACES[home.random_range(0..PLACES.len())];
    let address = format!(
        "{city}{}{}丁目{}番{}号",
        TOWNS[home.random_range(0..TOWNS.len())],
        home.random_range(1..=5),
        home.random_range(1..=20),
        home.random_range(1..=30)
    );
    let (given, given_kana, sex) = GIVEN[rng.random_range(0..GIVEN.len())];
    let age_years = if index == head {
        rng.random_range(30..80)
    } else {
        rng.random_range(0..80)
    };
    let birth_ms = EPOCH_MS - age_years * 365 * DAY_MS - rng.random_range(0..365) * DAY_MS;
    Citizen {
        id: CitizenId(seeded_uuid(
            EPOCH_MS - DAY_MS + i64::try_from(index).unwrap_or(0),
            &mut rng,
        )),
        name: format!("{surname} {given}"),
        name_kana: format!("{surname_kana} {given_kana}"),
        birth_date: date(birth_ms),
        sex: sex.to_owned(),
        address,
        municipality_code: code.to_owned(),
        email: None,
        lang: "ja".to_owned(),
        created_at: EPOCH_MS,
    }
}

/// The id citizen number `index` of `seed` gets, without generating the rest of them.
pub fn citizen_id(seed: u64, index: u64) -> CitizenId {
    citizen(seed, index).id
}

/// The agencies records come from: by code.
struct Registry {
    by_code: HashMap<String, Agency>,
}

impl Registry {
    fn get(&self, code: &str) -> Result<&Agency, StorageError> {
        self.by_code
            .get(code)
            .ok_or_else(|| StorageError::Malformed(format!("agency {code} is not registered")))
    }
}

/// Everything generated for one citizen.
#[derive(Default)]
struct Generated {
    records: Vec<Record>,
    pseudonyms: Vec<AgencyPseudonym>,
    linkage: Vec<LinkageRecord>,
}

fn generate(
    registry: &Registry,
    person: &Citizen,
    key: &str,
    rng: &mut StdRng,
    // Ids come from their own stream, so the content does not depend on them.
    ids: &mut StdRng,
    plan: &Plan,
    out: &mut Generated,
) -> Result<(), StorageError> {
    let municipality = registry.get(&person.municipality_code)?;
    let (nta, jps, insurer) = (
        registry.get("nta")?,
        registry.get("jps")?,
        registry.get("kyoukaikenpo")?,
    );
    for agency in [municipality, nta, jps, insurer] {
        out.pseudonyms.push(AgencyPseudonym {
            agency_id: agency.id,
            pseudonym: agencies::pseudonym(agency, person.id),
            citizen_id: person.id,
            created_at: EPOCH_MS,
        });
    }
    let birth_year: i64 = person
        .birth_date
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(1980);
    let adult = birth_year <= 2006;
    // The order in which categories fill up: the basics first, then the frequent ones, repeating.
    let cycle: &[&str] = if adult {
        &[
            "prescriptions",
            "medical_expenses",
            "income_tax",
            "prescriptions",
            "health_checkups",
            "pension",
            "deductions",
            "medical_expenses",
            "vaccinations",
            "prescriptions",
            "child_allowance",
            "welfare",
        ]
    } else {
        &[
            "prescriptions",
            "medical_expenses",
            "vaccinations",
            "prescriptions",
            "medical_expenses",
        ]
    };
    let head: Vec<&str> = vec!["resident", "household", "health_insurance"];
    let count = plan.records_per_citizen as usize;
    for k in 0..count {
        let mut category = if k < head.len() {
            head[k]
        } else {
            cycle[(k - head.len()) % cycle.len()]
        };
        // Few people receive welfare or child allowance; the rest of those slots go to everyday records.
        if (category == "welfare" && rng.random_range(0..10) > 0)
            || (category == "child_allowance" && rng.random_range(0..3) > 0)
        {
            category = "prescriptions";
        }
        let days_ago = rng.random_range(0..730);
        let on = date(EPOCH_MS - days_ago * DAY_MS);
        let month = on.get(..7).unwrap_or("2025-01").to_owned();
        let year = on.get(..4).unwrap_or("2025").to_owned();
        let (agency, data) = match category {
            "resident" => (
                municipality,
                json!({
                    "name": person.name, "name_kana": person.name_kana, "birth_date": person.birth_date,
                    "sex": if person.sex == "male" { "男" } else { "女" }, "address": person.address,
                }),
            ),
            "household" => (
                municipality,
                json!({
                    "member_name": person.name, "relationship": "本人", "birth_date": person.birth_date,
                    "head_of_household": person.name,
                }),
            ),
            "health_insurance" => (
                insurer,
                json!({
                    "insurer": insurer.name_ja, "insurer_number": "01130012", "status": "加入",
                    "valid_from": date(EPOCH_MS - 3 * 365 * DAY_MS),
                }),
            ),
            "income_tax" => {
                let income: u64 = rng.random_range(150..1200) * 10_000;
                (
                    nta,
                    json!({
                        "fiscal_year": year, "total_income": income.to_string(),
                        "taxable_income": (income * 7 / 10).to_string(),
                        "resident_tax": (income * 7 / 100).to_string(),
                    }),
                )
            }
            "pension" => (
                jps,
                json!({
                    "period_from": format!("{}-04", birth_year + 20), "scheme": "国民年金",
                    "months": rng.random_range(12..480).to_string(),
                    "premiums_paid": (rng.random_range(10..900) * 10_000).to_string(),
                }),
            ),
            "medical_expenses" => {
                let cost: u64 = rng.random_range(1..300) * 100;
                (
                    insurer,
                    json!({
                        "treated_in": month, "provider": CLINICS[rng.random_range(0..CLINICS.len())],
                        "days": rng.random_range(1..5).to_string(), "total_cost": (cost * 10).to_string(),
                        "paid_by_patient": (cost * 3).to_string(),
                    }),
                )
            }
            "prescriptions" => {
                let (drug, quantity) = DRUGS[rng.random_range(0..DRUGS.len())];
                (
                    insurer,
                    json!({
                        "dispensed_on": on, "pharmacy": PHARMACIES[rng.random_range(0..PHARMACIES.len())],
                        "drug": drug, "quantity": quantity, "days": rng.random_range(3..60).to_string(),
                    }),
                )
            }
            "health_checkups" => (
                insurer,
                json!({
                    "checked_on": on, "bmi": format!("{:.1}", rng.random_range(18.0..30.0_f64)),
                    "blood_pressure": format!("{}/{}", rng.random_range(100..150), rng.random_range(60..95)),
                    "hba1c": format!("{:.1}", rng.random_range(4.8..7.0_f64)),
                }),
            ),
            "vaccinations" => (
                municipality,
                json!({
                    "vaccinated_on": on, "vaccine": VACCINES[rng.random_range(0..VACCINES.len())],
                    "dose": rng.random_range(1..4).to_string(), "place": CLINICS[rng.random_range(0..CLINICS.len())],
                }),
            ),
            "child_allowance" => (
                municipality,
                json!({
                    "fiscal_year": year, "children": rng.random_range(1..4).to_string(),
                    "monthly_amount": "10000", "paid_on": on,
                }),
            ),
            "deductions" => {
                let (deduction, issuer) = DEDUCTIONS[rng.random_range(0..DEDUCTIONS.len())];
                (
                    nta,
                    json!({
                        "year": year, "deduction": deduction, "issuer": issuer,
                        "amount": (rng.random_range(1..30) * 5_000).to_string(),
                    }),
                )
            }
            _ => (
                municipality,
                json!({
                    "program": "障害福祉サービス", "status": "支給決定", "granted_on": on,
                    "monthly_amount": (rng.random_range(1..20) * 5_000).to_string(),
                }),
            ),
        };
        let published = EPOCH_MS - days_ago * DAY_MS;
        out.records.push(Record {
            id: RecordId(seeded_uuid(published, ids)),
            citizen_id: person.id,
            agency_id: agency.id,
            category: category.to_owned(),
            external_id: format!("{category}-{key}-{k}"),
            data: data.to_string(),
            updated_on: on,
            published_at: published,
        });
    }
    // Reads: oldest first, chained.
    let mut reads: Vec<i64> = (0..plan.reads_per_citizen)
        .map(|_| EPOCH_MS - rng.random_range(1..700) * DAY_MS + rng.random_range(0..DAY_MS))
        .collect();
    reads.sort_unstable();
    let mut prev_hash = String::new();
    for (n, at) in reads.into_iter().enumerate() {
        let (requester, task_code) = match rng.random_range(0..10) {
            0..=3 => (municipality, "resident_tax"),
            4..=5 => (municipality, "child_allowance"),
            6 => (jps, "pension_benefit"),
            7..=8 => (insurer, "high_cost_medical_care"),
            _ => (nta, "tax_investigation"),
        };
        let Some(task) = task::find(task_code) else {
            continue;
        };
        let providers: Vec<&str> = match task_code {
            "high_cost_medical_care" => vec!["kyoukaikenpo", "nta"],
            "pension_benefit" => vec![municipality.code.as_str(), "nta"],
            _ => vec![municipality.code.as_str(), "nta"],
        };
        let items: Vec<&str> = task.categories.iter().take(3).map(|c| c.code()).collect();
        let mut row = LinkageRecord {
            id: LinkageId(seeded_uuid(at, ids)),
            citizen_id: person.id,
            seq: i64::try_from(n).unwrap_or(0) + 1,
            at,
            requester_kind: "agency".to_owned(),
            requester_id: requester.code.clone(),
            requester_name: requester.name_ja.clone(),
            providers: providers.join(","),
            items: items.join(","),
            task_code: task_code.to_owned(),
            purpose: String::new(),
            result: "provided".to_owned(),
            withheld: task.withheld,
            prev_hash: prev_hash.clone(),
            hash: String::new(),
        };
        row.hash = row_hash(&row);
        prev_hash = row.hash.clone();
        out.linkage.push(row);
    }
    Ok(())
}

fn write(
    conn: &mut AnyConnection,
    citizens: &[Citizen],
    generated: &Generated,
) -> Result<(), StorageError> {
    Citizen::insert_bulk(conn, citizens)?;
    AgencyPseudonym::insert_bulk(conn, &generated.pseudonyms)?;
    Record::insert_bulk(conn, &generated.records)?;
    LinkageRecord::insert_chains_bulk(conn, &generated.linkage)?;
    Ok(())
}

fn load_registry(conn: &mut AnyConnection) -> Result<Registry, StorageError> {
    Ok(Registry {
        by_code: agencies::ensure_registry(conn)?
            .into_iter()
            .map(|a| (a.code.clone(), a))
            .collect(),
    })
}

/// Creates `plan.citizens` citizens with their data; `progress` is told after each batch.
/// Whether the citizens of `seed` are already in the database (its first citizen is).
pub async fn is_loaded(db: &Db, seed: u64) -> Result<bool, StorageError> {
    let first = citizen(seed, 0).id;
    Ok(db.run(move |c| Citizen::find(c, first)).await?.is_some())
}

pub async fn run(db: &Db, plan: &Plan, progress: impl Fn(u64)) -> Result<Seeded, StorageError> {
    if plan.citizens > 0 && is_loaded(db, plan.seed).await? {
        return Err(StorageError::Malformed(format!(
            "seed {} is already loaded in this database; use another --seed",
            plan.seed
        )));
    }
    let registry = std::sync::Arc::new(db.run(load_registry).await?);
    let done = if plan.citizens > 0 && db.run(tables_to_fill_are_empty).await? {
        run_into_empty(db, plan, registry, progress).await?
    } else {
        run_in_batches(db, plan, registry, progress).await?
    };
    // Fresh statistics: without them the planner guesses a citizen has a third of a million records after
    // a large load and scans in parallel instead of reading the index (seen: 7 pages/s instead of 2,300 at
    // a million citizens, until autovacuum got round to it).
    if plan.citizens > 0 {
        db.analyze().await?;
    }
    Ok(done)
}

/// The big tables a seed fills; when both are empty, the load builds their indexes once at the end.
const BIG_TABLES: [&str; 2] = ["records", "linkage_records"];

fn tables_to_fill_are_empty(conn: &mut AnyConnection) -> Result<bool, StorageError> {
    Ok(Record::none_stored(conn)? && LinkageRecord::none_stored(conn)?)
}

/// The citizens from `start` to `end` with everything they come with.
fn generate_batch(
    registry: &Registry,
    plan: &Plan,
    start: u64,
    end: u64,
) -> Result<(Vec<Citizen>, Generated), StorageError> {
    let citizens: Vec<Citizen> = (start..end).map(|i| citizen(plan.seed, i)).collect();
    let mut generated = Generated::default();
    for (person, index) in citizens.iter().zip(start..end) {
        let mut rng = rng_for(plan.seed ^ 0x5EED, index);
        let mut ids = rng_for(plan.seed ^ 0x1D5, index);
        generate(
            registry,
            person,
            &format!("{}-{index}", plan.seed),
            &mut rng,
            &mut ids,
            plan,
            &mut generated,
        )?;
    }
    Ok((citizens, generated))
}

fn batches(plan: &Plan) -> impl Iterator<Item = (u64, u64)> + Send + 'static {
    let total = plan.citizens;
    (0..total.div_ceil(BATCH)).map(move |n| (n * BATCH, ((n + 1) * BATCH).min(total)))
}

/// Into a database with no records yet (a fresh one): one transaction that drops the big tables' indexes and
/// constraints, writes every batch and builds them again (see [`portal_storage::bulk`]). On PostgreSQL this
/// is several times faster than keeping the indexes up to date row by row; a failure leaves nothing behind.
async fn run_into_empty(
    db: &Db,
    plan: &Plan,
    registry: std::sync::Arc<Registry>,
    progress: impl Fn(u64),
) -> Result<Seeded, StorageError> {
    let (sender, mut written) = tokio::sync::mpsc::unbounded_channel();
    let plan = plan.clone();
    let work = db.run(move |c| {
        transaction(c, |c| {
            let deferred = portal_storage::bulk::defer(c, &BIG_TABLES)?;
            let mut done = Seeded::default();
            for (start, end) in batches(&plan) {
                let (citizens, generated) = generate_batch(&registry, &plan, start, end)?;
                write(c, &citizens, &generated)?;
                done.add(&citizens, &generated);
                // The receiver only prints progress; it is gone only if the caller stopped listening.
                let _ = sender.send(done.citizens);
            }
            if let Some(deferred) = deferred {
                portal_storage::bulk::restore(c, deferred)?;
            }
            Ok(done)
        })
    });
    tokio::pin!(work);
    loop {
        tokio::select! {
            Some(citizens) = written.recv() => progress(citizens),
            result = &mut work => {
                // The last batches' reports may still be queued when the work ends first.
                while let Ok(citizens) = written.try_recv() {
                    progress(citizens);
                }
                return result;
            }
        }
    }
}

/// Into a database that already holds records: batches in their own transactions, two at once on two
/// connections (the database's index upkeep, not generating the data, is what limits the speed, and a
/// second writer keeps a second core busy).
async fn run_in_batches(
    db: &Db,
    plan: &Plan,
    registry: std::sync::Arc<Registry>,
    progress: impl Fn(u64),
) -> Result<Seeded, StorageError> {
    use futures_util::StreamExt;

    let mut written = futures_util::stream::iter(batches(plan))
        .map(|(start, end)| {
            let (registry, plan) = (registry.clone(), plan.clone());
            db.run(move |c| {
                let (citizens, generated) = generate_batch(&registry, &plan, start, end)?;
                transaction(c, |c| write(c, &citizens, &generated))?;
                let mut done = Seeded::default();
                done.add(&citizens, &generated);
                Ok(done)
            })
        })
        .buffer_unordered(WRITERS);
    let mut done = Seeded::default();
    while let Some(batch) = written.next().await {
        done.merge(batch?);
        progress(done.citizens);
    }
    Ok(done)
}

/// Gives existing citizens (the demo card holders) records and history, once: citizens who already have
/// records are left alone. Each citizen comes with a stable key (the demo card's name): what is shown comes
/// from the key, so it is the same on every fresh start; ids come from the citizen, so they never collide
/// with an earlier start's in a database that outlived its data folder.
pub async fn for_existing(
    db: &Db,
    citizens: Vec<(CitizenId, String)>,
    plan: Plan,
) -> Result<Seeded, StorageError> {
    db.run(move |c| {
        let registry = load_registry(c)?;
        let mut generated = Generated::default();
        let mut count = 0;
        for (id, key) in citizens {
            let Some(person) = Citizen::find(c, id)? else {
                continue;
            };
            if !Record::counts(c, id)?.is_empty() {
                continue;
            }
            let stream = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
            let mut rng = rng_for(plan.seed, stream);
            let mut ids = rng_for(plan.seed, id.0.as_u64_pair().1);
            generate(
                &registry,
                &person,
                &format!("demo-{id}"),
                &mut rng,
                &mut ids,
                &plan,
                &mut generated,
            )?;
            count += 1;
        }
        transaction(c, |c| {
            AgencyPseudonym::insert_many(c, &generated.pseudonyms)?;
            Record::insert_bulk(c, &generated.records)?;
            LinkageRecord::insert_chains_bulk(c, &generated.linkage)
        })?;
        Ok(Seeded {
            citizens: count,
            records: generated.records.len() as u64,
            linkage_rows: generated.linkage.len() as u64,
        })
    })
    .await
}

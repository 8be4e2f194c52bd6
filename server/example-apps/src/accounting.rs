//! The accounting app's computations: a year's 確定申告 deduction summary from the portal's records, and
//! the summary as CSV.
//!
//! - 医療費控除: the `paid_by_patient` of the year's `medical_expenses` (by `treated_in`, `YYYY-MM`),
//!   less 100,000 yen or, when the year's total income is known from `income_tax`, 5% of it if that is
//!   less; at most 2,000,000 yen. Insurance reimbursements are not known to the portal and are not
//!   subtracted.
//! - The year's `deductions` certificates (by `year`): 生命保険料 and 地震保険料 (insurance premiums),
//!   iDeCo and 小規模企業共済 (小規模企業共済等掛金), ふるさと納税 and 寄附金 (donations). Their amounts are
//!   the certified amounts; the deduction each gives is worked out on the return itself.

use std::borrow::Cow;

use crate::graphql::{Provenance, Record};

/// The medical expense deduction's fixed threshold.
pub const MEDICAL_THRESHOLD: u64 = 100_000;
/// The medical expense deduction's ceiling.
pub const MEDICAL_CEILING: u64 = 2_000_000;

/// The kinds of deduction certificates the summary counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    LifeInsurance,
    EarthquakeInsurance,
    Ideco,
    Donation,
}

impl Kind {
    /// The certificate's kind from its `deduction` text; `None` for kinds the summary does not count.
    pub fn of(deduction: &str) -> Option<Self> {
        if deduction.contains("生命保険料") {
            Some(Self::LifeInsurance)
        } else if deduction.contains("地震保険料") {
            Some(Self::EarthquakeInsurance)
        } else if deduction.to_lowercase().contains("ideco") || deduction.contains("小規模企業共済")
        {
            Some(Self::Ideco)
        } else if deduction.contains("ふるさと納税") || deduction.contains("寄附金") {
            Some(Self::Donation)
        } else {
            None
        }
    }

    /// The category's name on the return.
    pub fn label(self) -> &'static str {
        match self {
            Self::LifeInsurance => "生命保険料控除",
            Self::EarthquakeInsurance => "地震保険料控除",
            Self::Ideco => "小規模企業共済等掛金控除（iDeCo等）",
            Self::Donation => "寄附金控除（ふるさと納税等）",
        }
    }

    pub const ALL: [Kind; 4] = [
        Self::LifeInsurance,
        Self::EarthquakeInsurance,
        Self::Ideco,
        Self::Donation,
    ];
}

/// Yen as the portal writes it: digits, tolerating thousands separators, a 円 suffix and spaces.
pub fn parse_yen(text: &str) -> Option<u64> {
    let digits: String = text
        .trim()
        .trim_end_matches('円')
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// What is subtracted from the medical expenses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Threshold {
    /// 100,000 yen: the year's total income is not known (or 5% of it is not less).
    Fixed,
    /// 5% of the year's total income, which is less than 100,000 yen.
    FivePercent {
        total_income: u64,
        source: String,
        updated_on: String,
    },
}

/// The medical expense deduction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Medical {
    /// The sum of `paid_by_patient`.
    pub paid: u64,
    /// How many records were counted.
    pub records: usize,
    pub threshold: u64,
    pub basis: Threshold,
    /// The year's total income, when known (whichever threshold it gave).
    pub total_income: Option<u64>,
    /// `paid − threshold`, at least 0 and at most [`MEDICAL_CEILING`].
    pub deduction: u64,
    pub provenance: Provenance,
}

/// One counted certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: Kind,
    pub deduction: String,
    pub issuer: String,
    pub amount: u64,
    pub source: String,
    pub updated_on: String,
}

/// A year's deduction summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub year: i32,
    pub medical: Medical,
    /// Certificates, by kind, then oldest update first.
    pub items: Vec<Item>,
    /// Records of the year that were left out because an amount could not be read.
    pub unreadable: Vec<String>,
}

/// The year's total income from `income_tax` records (`fiscal_year`), the latest updated one's.
fn total_income<'a>(year: &str, income: &'a [Record]) -> Option<(u64, &'a Record)> {
    income
        .iter()
        .filter(|r| r.field("fiscal_year") == Some(year))
        .filter_map(|r| Some((parse_yen(r.field("total_income")?)?, r)))
        .max_by(|a, b| a.1.updated_on.cmp(&b.1.updated_on))
}

/// The threshold: 100,000 yen, or 5% of a known total income when that is less.
pub fn medical_threshold(total_income: Option<u64>) -> u64 {
    match total_income {
        Some(income) => (income / 20).min(MEDICAL_THRESHOLD),
        None => MEDICAL_THRESHOLD,
    }
}

/// Builds the summary of `year` from the three connections' records.
pub fn summarize(
    year: i32,
    medical: &[Record],
    deductions: &[Record],
    income: &[Record],
) -> Summary {
    let year_text = year.to_string();
    let month_prefix = format!("{year}-");
    let mut unreadable = Vec::new();

    let mut paid = 0u64;
    let mut counted = Vec::new();
    for record in medical {
        if !record
            .field("treated_in")
            .is_some_and(|t| t.starts_with(&month_prefix))
        {
            continue;
        }
        let value = record.field("paid_by_patient").unwrap_or("");
        match parse_yen(value) {
            Some(amount) => {
                paid = paid.saturating_add(amount);
                counted.push(record);
            }
            None => unreadable.push(format!(
                "医療費（{}、{}）の自己負担額「{value}」",
                record.field("treated_in").unwrap_or(""),
                record.field("provider").unwrap_or("医療機関不明"),
            )),
        }
    }
    let known_income = total_income(&year_text, income);
    let threshold = medical_threshold(known_income.map(|(i, _)| i));
    let basis = match known_income {
        Some((income, record)) if threshold < MEDICAL_THRESHOLD => Threshold::FivePercent {
            total_income: income,
            source: record.source.name.clone(),
            updated_on: record.updated_on.clone(),
        },
        _ => Threshold::Fixed,
    };
    let medical = Medical {
        paid,
        records: counted.len(),
        threshold,
        basis,
        total_income: known_income.map(|(i, _)| i),
        deduction: paid.saturating_sub(threshold).min(MEDICAL_CEILING),
        provenance: Provenance::of(counted),
    };

    let mut items = Vec::new();
    for record in deductions {
        if record.field("year") != Some(year_text.as_str()) {
            continue;
        }
        let deduction = record.field("deduction").unwrap_or("");
        let Some(kind) = Kind::of(deduction) else {
            continue;
        };
        let issuer = record.field("issuer").unwrap_or("").to_owned();
        let value = record.field("amount").unwrap_or("");
        let Some(amount) = parse_yen(value) else {
            unreadable.push(format!("{deduction}（{issuer}）の金額「{value}」"));
            continue;
        };
        items.push(Item {
            kind,
            deduction: deduction.to_owned(),
            issuer,
            amount,
            source: record.source.name.clone(),
            updated_on: record.updated_on.clone(),
        });
    }
    items.sort_by(|a, b| {
        (a.kind, &a.updated_on, &a.issuer).cmp(&(b.kind, &b.updated_on, &b.issuer))
    });
    Summary {
        year,
        medical,
        items,
        unreadable,
    }
}

/// One line of the summary, as the page's table and the CSV show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub category: &'static str,
    pub item: String,
    pub issuer: String,
    pub amount: u64,
    pub source: String,
    pub updated_on: String,
}

const MEDICAL: &str = "医療費控除";

impl Summary {
    /// The summary's lines: the medical expense deduction's three (paid, subtracted, deduction), then one
    /// per certificate.
    pub fn rows(&self) -> Vec<Row> {
        let m = &self.medical;
        let agencies = m.provenance.agencies.join("、");
        let updated = m.provenance.last_updated.clone().unwrap_or_default();
        let subtracted = match &m.basis {
            Threshold::Fixed => Row {
                category: MEDICAL,
                item: "差し引く金額（10万円）".to_owned(),
                issuer: String::new(),
                amount: m.threshold,
                source: String::new(),
                updated_on: String::new(),
            },
            Threshold::FivePercent {
                total_income,
                source,
                updated_on,
            } => Row {
                category: MEDICAL,
                item: format!(
                    "差し引く金額（総所得金額等 {}円の5%）",
                    crate::html::yen(*total_income)
                ),
                issuer: String::new(),
                amount: m.threshold,
                source: source.clone(),
                updated_on: updated_on.clone(),
            },
        };
        let mut rows = vec![
            Row {
                category: MEDICAL,
                item: format!("支払った医療費（自己負担額）の合計（{}件）", m.records),
                issuer: String::new(),
                amount: m.paid,
                source: agencies.clone(),
                updated_on: updated.clone(),
            },
            subtracted,
            Row {
                category: MEDICAL,
                item: "医療費控除額（上限200万円）".to_owned(),
                issuer: String::new(),
                amount: m.deduction,
                source: agencies,
                updated_on: updated,
            },
        ];
        rows.extend(self.items.iter().map(|i| Row {
            category: i.kind.label(),
            item: i.deduction.clone(),
            issuer: i.issuer.clone(),
            amount: i.amount,
            source: i.source.clone(),
            updated_on: i.updated_on.clone(),
        }));
        rows
    }

    /// Per category: the medical expense deduction, then each kind's certified total and count.
    pub fn totals(&self) -> Vec<(&'static str, u64, usize)> {
        let mut totals = vec![(MEDICAL, self.medical.deduction, self.medical.records)];
        for kind in Kind::ALL {
            let of_kind = self.items.iter().filter(|i| i.kind == kind);
            let (sum, count) = of_kind.fold((0u64, 0usize), |(s, c), i| {
                (s.saturating_add(i.amount), c + 1)
            });
            totals.push((kind.label(), sum, count));
        }
        totals
    }
}

/// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled. Text that
/// a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, carriage return first) gets a leading
/// `'`, so a certificate's issuer cannot run one.
pub fn csv_field(text: &str) -> Cow<'_, str> {
    let guarded: Cow<'_, str> = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", guarded.replace('"', "\"\"")))
    } else {
        guarded
    }
}

/// The CSV file's header.
pub const CSV_HEADER: [&str; 7] = [
    "対象年",
    "区分",
    "内容",
    "発行元",
    "金額（円）",
    "情報提供元",
    "最終更新日",
];

/// The summary as CSV: UTF-8 with a byte order mark (so spreadsheet software reads the Japanese), CRLF
/// line ends, the header, then one line per [`Summary::rows`] row. Amounts are plain digits.
pub fn csv(summary: &Summary) -> String {
    let mut out = String::from('\u{feff}');
    let line = |out: &mut String, cells: &[&str]| {
        let cells: Vec<Cow<'_, str>> = cells.iter().map(|c| csv_field(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    line(&mut out, &CSV_HEADER);
    let year = summary.year.to_string();
    for row in summary.rows() {
        let amount = row.amount.to_string();
        line(
            &mut out,
            &[
                &year,
                row.category,
                &row.item,
                &row.issuer,
                &amount,
                &row.source,
                &row.updated_on,
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::Source;
    use std::collections::BTreeMap;

    fn record(category: &str, agency: &str, updated_on: &str, fields: &[(&str, &str)]) -> Record {
        Record {
            category: category.into(),
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            source: Source {
                code: agency.into(),
                name: agency.into(),
                name_en: None,
            },
            updated_on: updated_on.into(),
        }
    }

    fn expense(treated_in: &str, paid: &str) -> Record {
        record(
            "medical_expenses",
            "社会保険診療報酬支払基金",
            &format!("{treated_in}-28"),
            &[
                ("treated_in", treated_in),
                ("provider", "さくら内科"),
                ("days", "1"),
                ("total_cost", "10000"),
                ("paid_by_patient", paid),
            ],
        )
    }

    fn certificate(year: &str, deduction: &str, issuer: &str, amount: &str) -> Record {
        record(
            "deductions",
            "国税庁",
            "2024-10-15",
            &[
                ("year", year),
                ("deduction", deduction),
                ("issuer", issuer),
                ("amount", amount),
            ],
        )
    }

    fn income(fiscal_year: &str, total: &str) -> Record {
        record(
            "income_tax",
            "国税庁",
            "2025-03-20",
            &[("fiscal_year", fiscal_year), ("total_income", total)],
        )
    }

    fn expenses_2024() -> Vec<Record> {
        vec![
            expense("2024-01", "45000"),
            expense("2024-06", "38,500"),
            expense("2024-12", "61200"),
            // Another year: not counted.
            expense("2023-12", "90000"),
        ]
    }

    #[test]
    fn yen_amounts_are_read() {
        assert_eq!(parse_yen("50000"), Some(50000));
        assert_eq!(parse_yen("1,234,567円"), Some(1234567));
        assert_eq!(parse_yen(" 800 "), Some(800));
        assert_eq!(parse_yen(""), None);
        assert_eq!(parse_yen("-500"), None);
        assert_eq!(parse_yen("約5万"), None);
    }

    #[test]
    fn certificates_are_classified_by_their_deduction_text() {
        assert_eq!(Kind::of("一般生命保険料"), Some(Kind::LifeInsurance));
        assert_eq!(
            Kind::of("介護医療保険料（生命保険料控除）"),
            Some(Kind::LifeInsurance)
        );
        assert_eq!(Kind::of("地震保険料"), Some(Kind::EarthquakeInsurance));
        assert_eq!(Kind::of("iDeCo掛金"), Some(Kind::Ideco));
        assert_eq!(Kind::of("小規模企業共済掛金"), Some(Kind::Ideco));
        assert_eq!(Kind::of("ふるさと納税"), Some(Kind::Donation));
        assert_eq!(Kind::of("寄附金（認定NPO法人）"), Some(Kind::Donation));
        assert_eq!(Kind::of("住宅借入金等特別控除"), None);
    }

    #[test]
    fn medical_expenses_over_the_fixed_threshold() {
        // 45,000 + 38,500 + 61,200 = 144,700; less 100,000 = 44,700.
        let summary = summarize(2024, &expenses_2024(), &[], &[]);
        assert_eq!(summary.medical.paid, 144_700);
        assert_eq!(summary.medical.records, 3);
        assert_eq!(summary.medical.threshold, 100_000);
        assert_eq!(summary.medical.basis, Threshold::Fixed);
        assert_eq!(summary.medical.deduction, 44_700);
        assert_eq!(
            summary.medical.provenance.last_updated.as_deref(),
            Some("2024-12-28")
        );
    }

    #[test]
    fn a_low_income_lowers_the_threshold_to_five_percent() {
        // 5% of 1,500,000 is 75,000 (< 100,000): 144,700 − 75,000 = 69,700.
        let incomes = [income("2024", "1500000"), income("2023", "900000")];
        let summary = summarize(2024, &expenses_2024(), &[], &incomes);
        assert_eq!(summary.medical.threshold, 75_000);
        assert_eq!(summary.medical.deduction, 69_700);
        assert!(matches!(
            summary.medical.basis,
            Threshold::FivePercent {
                total_income: 1_500_000,
                ..
            }
        ));
        // 5% of 4,000,000 is 200,000: the 100,000 yen threshold stays.
        let summary = summarize(2024, &expenses_2024(), &[], &[income("2024", "4000000")]);
        assert_eq!(summary.medical.threshold, 100_000);
        assert_eq!(summary.medical.basis, Threshold::Fixed);
        assert_eq!(summary.medical.total_income, Some(4_000_000));
    }

    #[test]
    fn the_medical_deduction_is_never_negative_nor_over_the_ceiling() {
        let small = summarize(2024, &[expense("2024-03", "30000")], &[], &[]);
        assert_eq!(small.medical.deduction, 0);
        let large = summarize(2024, &[expense("2024-03", "2500000")], &[], &[]);
        assert_eq!(large.medical.deduction, 2_000_000);
    }

    #[test]
    fn the_years_certificates_are_summed_by_kind() {
        let certificates = [
            certificate("2024", "一般生命保険料", "さくら生命", "84000"),
            certificate("2024", "地震保険料", "やまと損保", "25,000"),
            certificate("2024", "iDeCo", "国民年金基金連合会", "276000"),
            certificate("2024", "ふるさと納税", "北海道上士幌町", "30000"),
            certificate("2024", "ふるさと納税", "宮崎県都城市", "20000"),
            certificate("2023", "ふるさと納税", "宮崎県都城市", "50000"),
            certificate("2024", "住宅借入金等特別控除", "みどり銀行", "120000"),
            certificate("2024", "寄附金", "日本赤十字社", "不明"),
        ];
        let summary = summarize(2024, &[], &certificates, &[]);
        assert_eq!(summary.items.len(), 5);
        assert_eq!(
            summary.totals(),
            vec![
                ("医療費控除", 0, 0),
                ("生命保険料控除", 84_000, 1),
                ("地震保険料控除", 25_000, 1),
                ("小規模企業共済等掛金控除（iDeCo等）", 276_000, 1),
                ("寄附金控除（ふるさと納税等）", 50_000, 2),
            ]
        );
        assert_eq!(summary.unreadable, ["寄附金（日本赤十字社）の金額「不明」"]);
    }

    #[test]
    fn csv_fields_are_quoted_and_guarded() {
        assert_eq!(csv_field("さくら生命"), "さくら生命");
        assert_eq!(csv_field("Sakura Life, Inc."), "\"Sakura Life, Inc.\"");
        assert_eq!(csv_field("\"特選\"保険"), "\"\"\"特選\"\"保険\"");
        assert_eq!(csv_field("二行\n目"), "\"二行\n目\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn the_csv_has_a_bom_a_japanese_header_and_one_line_per_row() {
        let certificates = [
            certificate("2024", "一般生命保険料", "さくら生命, 東京支社", "84000"),
            certificate("2024", "ふるさと納税", "北海道上士幌町", "30000"),
        ];
        let summary = summarize(2024, &expenses_2024(), &certificates, &[]);
        let csv = csv(&summary);
        assert!(csv.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines,
            [
                "対象年,区分,内容,発行元,金額（円）,情報提供元,最終更新日",
                "2024,医療費控除,支払った医療費（自己負担額）の合計（3件）,,144700,社会保険診療報酬支払基金,2024-12-28",
                "2024,医療費控除,差し引く金額（10万円）,,100000,,",
                "2024,医療費控除,医療費控除額（上限200万円）,,44700,社会保険診療報酬支払基金,2024-12-28",
                "2024,生命保険料控除,一般生命保険料,\"さくら生命, 東京支社\",84000,国税庁,2024-10-15",
                "2024,寄附金控除（ふるさと納税等）,ふるさと納税,北海道上士幌町,30000,国税庁,2024-10-15",
                "",
            ]
        );
    }
}

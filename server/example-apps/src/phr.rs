//! The PHR app's computations: ordering records, and each year's HbA1c and BMI as a text trend.

use std::collections::BTreeMap;

use crate::graphql::Record;

/// Sorts records newest first by a `YYYY-MM-DD` field (records without it last), then by `updatedOn`.
pub fn newest_first(records: &mut [Record], date_key: &str) {
    records.sort_by(|a, b| {
        let key = |r: &Record| (r.field(date_key).map(str::to_owned), r.updated_on.clone());
        key(b).cmp(&key(a))
    });
}

/// A non-negative decimal in tenths, rounded half up: `"5.6"` → 56, `"22.35"` → 224, `"6.0%"` → 60.
/// Exact (no floating point), so a trend never shows 0.30000000000000004.
pub fn tenths(text: &str) -> Option<u64> {
    let text = text.trim().trim_end_matches('%').trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let mut digits = fraction.bytes().map(|b| u64::from(b - b'0'));
    let first = digits.next().unwrap_or(0);
    let round_up = digits.next().is_some_and(|d| d >= 5);
    whole
        .checked_mul(10)?
        .checked_add(first)?
        .checked_add(u64::from(round_up))
}

/// Formats tenths back as a one-decimal number: 56 → `5.6`.
pub fn format_tenths(value: u64) -> String {
    format!("{}.{}", value / 10, value % 10)
}

/// One year's value of a check-up measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearValue {
    pub year: String,
    pub tenths: u64,
}

/// A measure (`hba1c`, `bmi`) per year of `checked_on`, from that year's latest check-up that has it,
/// oldest year first.
pub fn yearly(records: &[Record], key: &str) -> Vec<YearValue> {
    let mut by_year: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for record in records {
        let (Some(date), Some(value)) = (record.field("checked_on"), record.field(key)) else {
            continue;
        };
        let (Some(year), Some(value)) = (date.get(..4), tenths(value)) else {
            continue;
        };
        let entry = by_year
            .entry(year.to_owned())
            .or_insert_with(|| (date.to_owned(), value));
        if date > entry.0.as_str() {
            *entry = (date.to_owned(), value);
        }
    }
    by_year
        .into_iter()
        .map(|(year, (_, tenths))| YearValue { year, tenths })
        .collect()
}

/// The trend as a sentence: `2021年 5.4 → 2022年 5.6 → 2023年 5.9（2021年から0.5上昇）`.
pub fn describe(points: &[YearValue]) -> Option<String> {
    let first = points.first()?;
    let last = points.last()?;
    let path = points
        .iter()
        .map(|p| format!("{}年 {}", p.year, format_tenths(p.tenths)))
        .collect::<Vec<_>>()
        .join(" → ");
    if points.len() == 1 {
        return Some(path);
    }
    let change = if last.tenths > first.tenths {
        format!("{}上昇", format_tenths(last.tenths - first.tenths))
    } else if last.tenths < first.tenths {
        format!("{}低下", format_tenths(first.tenths - last.tenths))
    } else {
        "変化なし".to_owned()
    };
    Some(format!("{path}（{}年から{change}）", first.year))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::Source;

    fn checkup(checked_on: &str, hba1c: &str, bmi: &str) -> Record {
        let mut fields = BTreeMap::new();
        fields.insert("checked_on".to_owned(), checked_on.to_owned());
        fields.insert("hba1c".to_owned(), hba1c.to_owned());
        fields.insert("bmi".to_owned(), bmi.to_owned());
        Record {
            category: "health_checkups".into(),
            fields,
            source: Source {
                code: "kyokai".into(),
                name: "全国健康保険協会".into(),
                name_en: None,
            },
            updated_on: format!("{}-01", checked_on.get(..7).unwrap_or("2000-01")),
        }
    }

    #[test]
    fn tenths_round_half_up_exactly() {
        assert_eq!(tenths("5.6"), Some(56));
        assert_eq!(tenths("22.35"), Some(224));
        assert_eq!(tenths("22.34"), Some(223));
        assert_eq!(tenths(" 6.0% "), Some(60));
        assert_eq!(tenths("24"), Some(240));
        assert_eq!(tenths("9.96"), Some(100));
        assert_eq!(tenths(""), None);
        assert_eq!(tenths("-1.0"), None);
        assert_eq!(tenths("5,6"), None);
        assert_eq!(format_tenths(100), "10.0");
    }

    #[test]
    fn newest_check_up_comes_first() {
        let mut records = vec![
            checkup("2022-05-20", "5.6", "23.0"),
            checkup("2024-06-01", "5.9", "24.1"),
            checkup("2023-05-18", "5.7", "23.4"),
        ];
        newest_first(&mut records, "checked_on");
        let dates: Vec<_> = records
            .iter()
            .filter_map(|r| r.field("checked_on"))
            .collect();
        assert_eq!(dates, ["2024-06-01", "2023-05-18", "2022-05-20"]);
    }

    #[test]
    fn the_trend_takes_each_years_latest_check_up() {
        let records = [
            checkup("2022-05-20", "5.6", "23.0"),
            checkup("2023-05-18", "5.7", "23.4"),
            // A second check-up in 2023, later in the year: it is 2023's value.
            checkup("2023-11-02", "5.8", "23.6"),
            checkup("2024-06-01", "6.1", "22.95"),
        ];
        let hba1c = yearly(&records, "hba1c");
        assert_eq!(
            hba1c,
            [
                YearValue {
                    year: "2022".into(),
                    tenths: 56
                },
                YearValue {
                    year: "2023".into(),
                    tenths: 58
                },
                YearValue {
                    year: "2024".into(),
                    tenths: 61
                },
            ]
        );
        assert_eq!(
            describe(&hba1c).as_deref(),
            Some("2022年 5.6 → 2023年 5.8 → 2024年 6.1（2022年から0.5上昇）")
        );
        let bmi = yearly(&records, "bmi");
        assert_eq!(
            describe(&bmi).as_deref(),
            Some("2022年 23.0 → 2023年 23.6 → 2024年 23.0（2022年から変化なし）")
        );
    }

    #[test]
    fn a_falling_or_single_value_is_described() {
        let points = [
            YearValue {
                year: "2020".into(),
                tenths: 251,
            },
            YearValue {
                year: "2021".into(),
                tenths: 243,
            },
        ];
        assert_eq!(
            describe(&points).as_deref(),
            Some("2020年 25.1 → 2021年 24.3（2020年から0.8低下）")
        );
        assert_eq!(describe(&points[..1]).as_deref(), Some("2020年 25.1"));
        assert_eq!(describe(&[]), None);
    }
}

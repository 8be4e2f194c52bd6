//! Values written the way each language writes them: dates, months, times and amounts of yen. The patterns
//! and month names come from the catalogs (`format.*`), so a language is added there, not here.
//!
//! Inputs are the portal's stored forms (ISO dates `YYYY-MM-DD`, months `YYYY-MM`, whole yen as digits);
//! anything else is shown as given rather than hidden, since it is the citizen's own data.

use crate::Lang;

/// How a field's value is written. The server maps each field's stored kind to one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Shown as stored.
    Text,
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM`.
    Month,
    /// Whole yen, digits only.
    Yen,
    /// A count, digits only: grouped by thousands.
    Number,
}

/// `raw` written as `kind` in `lang`.
pub fn value(lang: Lang, kind: ValueKind, raw: &str) -> String {
    match kind {
        ValueKind::Text => raw.to_owned(),
        ValueKind::Date => date(lang, raw),
        ValueKind::Month => month(lang, raw),
        ValueKind::Yen => yen(lang, raw),
        ValueKind::Number => grouped(raw),
    }
}

/// The parts of `YYYY-MM-DD` (or `YYYY-MM` when `with_day` is false) without leading zeros in month and day.
fn parts(raw: &str, with_day: bool) -> Option<(String, u8, Option<u8>)> {
    let mut split = raw.split('-');
    let year = split
        .next()
        .filter(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))?;
    let month = split
        .next()
        .filter(|m| m.len() == 2)
        .and_then(|m| m.parse::<u8>().ok())
        .filter(|m| (1..=12).contains(m))?;
    let day = if with_day {
        Some(
            split
                .next()
                .filter(|d| d.len() == 2)
                .and_then(|d| d.parse::<u8>().ok())
                .filter(|d| (1..=31).contains(d))?,
        )
    } else {
        None
    };
    split
        .next()
        .is_none()
        .then(|| (year.to_owned(), month, day))
}

fn month_name(lang: Lang, month: u8) -> &'static str {
    lang.t(&format!("format.month_name.{month}"))
}

/// `2026-11-07` → 2026年11月7日 / 7 November 2026.
pub fn date(lang: Lang, raw: &str) -> String {
    match parts(raw, true) {
        Some((year, month, Some(day))) => lang.tf(
            "format.date",
            &[
                ("year", &year),
                ("month", month_name(lang, month)),
                ("day", &day.to_string()),
            ],
        ),
        _ => raw.to_owned(),
    }
}

/// `2026-04` → 2026年4月 / April 2026.
pub fn month(lang: Lang, raw: &str) -> String {
    match parts(raw, false) {
        Some((year, month, None)) => lang.tf(
            "format.month",
            &[("year", &year), ("month", month_name(lang, month))],
        ),
        _ => raw.to_owned(),
    }
}

/// A date and a 24-hour time (`HH:MM`) in Japan time: 2026年11月7日 14:05 / 7 November 2026, 14:05.
pub fn datetime(lang: Lang, raw_date: &str, time: &str) -> String {
    lang.tf(
        "format.datetime",
        &[("date", &date(lang, raw_date)), ("time", time)],
    )
}

/// `4200000` → 4,200,000円 / ¥4,200,000.
pub fn yen(lang: Lang, raw: &str) -> String {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return raw.to_owned();
    }
    lang.tf("format.yen", &[("amount", &grouped(raw))])
}

/// Digits grouped by thousands with commas, as both languages write amounts; anything else as given.
pub fn grouped(raw: &str) -> String {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return raw.to_owned();
    }
    let digits = raw.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A date typed in three boxes as YYYY-MM-DD when every part is a number (full-width digits too); empty
/// when nothing was typed; the parts as typed otherwise, for the caller to refuse as not a date.
pub fn date_from_parts(year: &str, month: &str, day: &str) -> String {
    let parts = [year, month, day].map(str::trim);
    if parts.iter().all(|p| p.is_empty()) {
        return String::new();
    }
    match parts.map(|p| ascii_digits(p).parse::<u32>().ok()) {
        [Some(y), Some(m), Some(d)] if (1000..=9999).contains(&y) => {
            format!("{y:04}-{m:02}-{d:02}")
        }
        _ => parts.join("/"),
    }
}

/// Full-width digits (０-９, as Japanese input methods type them) as ASCII; anything else unchanged.
pub fn ascii_digits(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - 0xFF10 + u32::from(b'0')).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_language() {
        assert_eq!(date(Lang::Ja, "2026-11-07"), "2026年11月7日");
        assert_eq!(date(Lang::En, "2026-11-07"), "7 November 2026");
        assert_eq!(month(Lang::Ja, "2025-04"), "2025年4月");
        assert_eq!(month(Lang::En, "2025-04"), "April 2025");
        assert_eq!(
            datetime(Lang::En, "2026-01-02", "09:05"),
            "2 January 2026, 09:05"
        );
        assert_eq!(
            datetime(Lang::Ja, "2026-01-02", "09:05"),
            "2026年1月2日 09:05"
        );
        // Not a date: shown as stored, not hidden.
        assert_eq!(date(Lang::Ja, "2026-13-01"), "2026-13-01");
        assert_eq!(date(Lang::Ja, "soon"), "soon");
        assert_eq!(month(Lang::Ja, "2026-04-01"), "2026-04-01");
    }

    #[test]
    fn amounts_are_grouped() {
        assert_eq!(yen(Lang::Ja, "4200000"), "4,200,000円");
        assert_eq!(yen(Lang::En, "4200000"), "¥4,200,000");
        assert_eq!(yen(Lang::En, "0"), "¥0");
        assert_eq!(grouped("999"), "999");
        assert_eq!(grouped("1000"), "1,000");
        assert_eq!(grouped("007"), "7");
        assert_eq!(grouped("12a"), "12a");
        assert_eq!(value(Lang::Ja, ValueKind::Text, "<b>"), "<b>");
    }

    #[test]
    fn full_width_digits_become_ascii() {
        assert_eq!(ascii_digits("２０２７年3"), "2027年3");
    }
}

use ::time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};
use serde::{Deserialize, Serialize};

use crate::error::CardError;

/// Japan Standard Time: certificate validity ends at the end of a day in JST, as on the real cards.
pub(crate) const JST: UtcOffset = ::time::macros::offset!(+9);

/// The person a card is issued to: the 基本4情報 (name, address, birth date, sex) plus the kana reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// 氏名 as on the residence record, family and given name separated by a full-width space.
    pub name: String,
    /// フリガナ: printed on the card face only; it is in neither certificate.
    pub name_kana: String,
    /// 住所 from the prefecture on, without postal code, as in the signature certificate.
    pub address: String,
    #[serde(with = "iso_date")]
    pub birth_date: Date,
    pub sex: Sex,
}

/// 性別 as the signature certificate encodes it.
///
/// The residence register records only 男 and 女, and public readers of real certificates decode `1` as
/// male and `2` as female, so there are two variants; no third code is invented for the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// The code carried in otherName 1.2.392.200149.8.5.5.3.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "1",
            Sex::Female => "2",
        }
    }

    pub fn from_code(code: &str) -> Option<Sex> {
        match code {
            "1" => Some(Sex::Male),
            "2" => Some(Sex::Female),
            _ => None,
        }
    }
}

impl Holder {
    pub(crate) fn validate(&self, today: Date) -> Result<(), CardError> {
        if self.name.trim().is_empty() {
            return Err(CardError::InvalidHolder("the name is empty"));
        }
        if self.address.trim().is_empty() {
            return Err(CardError::InvalidHolder("the address is empty"));
        }
        if self.birth_date > today {
            return Err(CardError::InvalidHolder("the birth date is in the future"));
        }
        Ok(())
    }
}

/// The birthday in `year`. A 29 February birthday falls on 28 February in common years: under the Act on
/// Age Calculation one turns a year older at the end of the day before the birthday, i.e. on 28 February.
pub(crate) fn birthday_in(birth: Date, year: i32) -> Date {
    Date::from_calendar_date(year, birth.month(), birth.day())
        .or_else(|_| Date::from_calendar_date(year, Month::February, 28))
        .unwrap_or(birth)
}

/// The holder's 5th birthday after `issued` (strictly after: a card issued on a birthday counts from the
/// next one), the end of certificate validity unless the card expires first.
pub(crate) fn fifth_birthday_after(birth: Date, issued: Date) -> Date {
    let this_year = birthday_in(birth, issued.year());
    let first = if this_year > issued {
        issued.year()
    } else {
        issued.year() + 1
    };
    birthday_in(birth, first + 4)
}

/// 23:59:59 JST on `day`, which is how far a certificate ending on that day is valid.
pub(crate) fn end_of_day_jst(day: Date) -> OffsetDateTime {
    PrimitiveDateTime::new(day, Time::MIDNIGHT)
        .assume_offset(JST)
        .saturating_add(Duration::days(1) - Duration::SECOND)
}

/// The locality for the signature certificate's subject, taken from the address: the real cards carry the
/// municipality (e.g. `Kiyose-shi`); lacking a romanised register we keep it in kanji, e.g. `清瀬市`.
/// Falls back to the whole address when no municipality suffix is found.
pub(crate) fn municipality(address: &str) -> String {
    let chars: Vec<char> = address.trim().chars().collect();
    let after_prefecture = prefecture_len(&chars);
    let rest = chars.get(after_prefecture..).unwrap_or_default();
    // Index 0 is skipped so that names beginning with a suffix character (市川市, 町田市) are not cut short.
    let find = |suffixes: &[char]| {
        rest.iter()
            .enumerate()
            .skip(1)
            .find(|(_, c)| suffixes.contains(c))
            .map(|(i, _)| i)
    };
    let end = find(&['市', '区']).or_else(|| find(&['町', '村']));
    match end {
        Some(mut i) => {
            // 四日市市, 廿日市市: the name itself ends in 市.
            if rest.get(i) == Some(&'市') && rest.get(i + 1) == Some(&'市') {
                i += 1;
            }
            rest.get(..=i).unwrap_or(rest).iter().collect()
        }
        None => address.trim().chars().take(64).collect(),
    }
}

/// Length in characters of the leading prefecture (東京都, 北海道, 京都府, 大阪府, 〜県), or 0.
fn prefecture_len(chars: &[char]) -> usize {
    if chars.starts_with(&['北', '海', '道']) {
        return 3;
    }
    // 京都府 must not stop at its 都; other prefectures are 2–3 characters then the suffix.
    if chars.starts_with(&['京', '都', '府']) {
        return 3;
    }
    chars
        .iter()
        .take(4)
        .position(|c| matches!(c, '都' | '府' | '県'))
        .map_or(0, |i| i + 1)
}

/// `Date` as `YYYY-MM-DD` in the card file, without turning on `time`'s serde features workspace-wide.
pub(crate) mod iso_date {
    use ::time::{Date, Month};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        ))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).ok_or_else(|| D::Error::custom(format!("not a YYYY-MM-DD date: {s}")))
    }

    pub(crate) fn parse(s: &str) -> Option<Date> {
        let mut parts = s.splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month = Month::try_from(parts.next()?.parse::<u8>().ok()?).ok()?;
        let day = parts.next()?.parse().ok()?;
        Date::from_calendar_date(year, month, day).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::time::macros::{date, datetime};

    #[test]
    fn fifth_birthday_counts_birthdays_strictly_after_issue() {
        // Birthday later in the year: the first one after issue is this year.
        assert_eq!(
            fifth_birthday_after(date!(1990 - 06 - 15), date!(2024 - 03 - 01)),
            date!(2028 - 06 - 15)
        );
        // Birthday already passed this year.
        assert_eq!(
            fifth_birthday_after(date!(1990 - 01 - 10), date!(2024 - 03 - 01)),
            date!(2029 - 01 - 10)
        );
        // Issued on the birthday itself: that one does not count.
        assert_eq!(
            fifth_birthday_after(date!(1990 - 03 - 01), date!(2024 - 03 - 01)),
            date!(2029 - 03 - 01)
        );
    }

    #[test]
    fn leap_day_birthday_falls_on_28_february_in_common_years() {
        assert_eq!(
            fifth_birthday_after(date!(2000 - 02 - 29), date!(2024 - 03 - 01)),
            date!(2029 - 02 - 28)
        );
        assert_eq!(
            fifth_birthday_after(date!(2000 - 02 - 29), date!(2023 - 03 - 01)),
            date!(2028 - 02 - 29)
        );
    }

    #[test]
    fn end_of_day_is_jst() {
        assert_eq!(
            end_of_day_jst(date!(2028 - 06 - 15)),
            datetime!(2028-06-15 14:59:59 UTC)
        );
    }

    #[test]
    fn municipality_is_cut_from_the_address() {
        assert_eq!(municipality("東京都清瀬市中里5丁目842番地"), "清瀬市");
        assert_eq!(municipality("東京都千代田区霞が関1-1"), "千代田区");
        assert_eq!(municipality("東京都新宿区市谷本村町5-1"), "新宿区");
        assert_eq!(municipality("神奈川県横浜市中区日本大通1"), "横浜市");
        assert_eq!(municipality("千葉県市川市八幡1-1-1"), "市川市");
        assert_eq!(municipality("三重県四日市市諏訪町1-5"), "四日市市");
        assert_eq!(municipality("京都府京都市上京区"), "京都市");
        assert_eq!(municipality("北海道札幌市中央区北1条西2丁目"), "札幌市");
        assert_eq!(
            municipality("東京都西多摩郡瑞穂町箱根ケ崎2335"),
            "西多摩郡瑞穂町"
        );
        assert_eq!(municipality("1-1 Kasumigaseki"), "1-1 Kasumigaseki");
    }

    #[test]
    fn sex_codes_round_trip() {
        for sex in [Sex::Male, Sex::Female] {
            assert_eq!(Sex::from_code(sex.code()), Some(sex));
        }
        assert_eq!(Sex::from_code("3"), None);
    }
}

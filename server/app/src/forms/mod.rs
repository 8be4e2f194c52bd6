//! Form validation: what the user typed in, either a validated value or [`FieldErrors`] that drive the error
//! summary and the message next to each field.
//!
//! [`FieldErrors`]: portal_web::components::FieldErrors

pub mod csrf;
pub mod email_address;
pub mod feedback;
pub mod history;
pub mod staff_notice;
pub mod upload;

/// The highest page number a list answers; beyond it (or for anything but a plain number from 1) the
/// page does not exist.
const MAX_PAGE: usize = 100_000;

/// The `?page=` of a paged list: absent or empty means the first page; `None` for anything that is not a
/// page number, which the handlers answer with 404.
pub fn page_number(raw: Option<&str>) -> Option<usize> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        return Some(1);
    }
    if raw.len() > 6 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_PAGE).contains(n))
}

/// Full-width digits (０-９), which Japanese input methods often produce, read as ASCII digits.
pub fn normalize_digits(value: &str) -> String {
    value
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            other => other,
        })
        .collect()
}

/// A 署名用 password as typed: full-width letters and digits read as ASCII and letters as capitals, as the
/// card apps' keyboards offer only A–Z and 0–9. Whether it is then 6–16 of them is the card's to say.
pub fn normalize_sign_password(value: &str) -> String {
    value
        .trim()
        .chars()
        .map(|c| match c {
            // The full-width forms sit at a fixed distance from ASCII.
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            other => other,
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{normalize_sign_password, page_number};

    #[test]
    fn sign_passwords_are_read_as_capitals_and_ascii() {
        assert_eq!(normalize_sign_password(" demo1234 "), "DEMO1234");
        assert_eq!(normalize_sign_password("ＤＥＭＯ１２３４"), "DEMO1234");
        assert_eq!(normalize_sign_password("ｄｅｍｏ"), "DEMO");
        assert_eq!(normalize_sign_password("AB-12"), "AB-12");
    }

    #[test]
    fn page_numbers_are_plain_numbers_from_one() {
        assert_eq!(page_number(None), Some(1));
        assert_eq!(page_number(Some("")), Some(1));
        assert_eq!(page_number(Some("3")), Some(3));
        for bad in [
            "0",
            "-1",
            "+2",
            "2.0",
            "abc",
            " 2",
            "1000001",
            "99999999999999999999",
        ] {
            assert_eq!(page_number(Some(bad)), None, "{bad}");
        }
    }
}

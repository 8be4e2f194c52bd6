//! Form validation: what the user typed in, either a validated value or [`FieldErrors`] that drive the error
//! summary and the message next to each field.
//!
//! [`FieldErrors`]: portal_web::components::FieldErrors

pub mod csrf;
pub mod feedback;

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

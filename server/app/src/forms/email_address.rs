use lettre::Address;
use portal_storage::models::notice::NoticeCategory;
use portal_web::components::FieldErrors;
use portal_web::pages::email_settings::{EmailAddressForm, EmailConfirmForm};

use super::normalize_digits;

/// The longest address accepted: the most SMTP can carry in a path (RFC 5321 and its erratum 1690).
pub const ADDRESS_MAX_CHARS: usize = 254;

/// The alert address typed in: present, not too long, an address, and not the one already confirmed
/// (sending a code to prove an address already proved would only confuse).
pub fn validate_address(
    form: &EmailAddressForm,
    current: Option<&str>,
) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let email = form.email.trim();
    if email.is_empty() {
        errors.add("email", "email.settings.errors.email_required");
    } else if email.chars().count() > ADDRESS_MAX_CHARS {
        errors.add("email", "email.settings.errors.email_too_long");
    } else if email.parse::<Address>().is_err() {
        errors.add("email", "email.settings.errors.email_invalid");
    } else if current.is_some_and(|c| same_address(c, email)) {
        errors.add("email", "email.settings.errors.email_same");
    }
    if errors.is_empty() {
        Ok(email.to_owned())
    } else {
        Err(errors)
    }
}

/// Domains are case-insensitive; so, in practice, are the local parts of every provider citizens use.
fn same_address(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The confirmation code typed in, as its 6 ASCII digits. Full-width digits, spaces and hyphens (people
/// copy "123 456" or "123-456") are allowed.
pub fn validate_code(form: &EmailConfirmForm) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let code: String = normalize_digits(&form.code)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.is_empty() {
        errors.add("code", "email.settings.errors.code_required");
    } else if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        errors.add("code", "email.settings.errors.code_format");
    }
    if errors.is_empty() {
        Ok(code)
    } else {
        Err(errors)
    }
}

/// The ticked `categories` of the categories form, from its URL-encoded body (one pair per ticked box,
/// which serde's form decoding cannot gather into a list). `None` when a value is not a category: only a
/// forged request sends one.
pub fn categories(body: &[u8]) -> Option<Vec<NoticeCategory>> {
    let mut chosen = Vec::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        if name == "categories" {
            chosen.push(NoticeCategory::from_code(&value)?);
        }
    }
    Some(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_web::Lang;

    fn address(email: &str, current: Option<&str>) -> Result<String, Vec<&'static str>> {
        validate_address(
            &EmailAddressForm {
                email: email.into(),
            },
            current,
        )
        .map_err(|e| e.iter().map(|e| e.message_key).collect())
    }

    fn code(typed: &str) -> Result<String, Vec<&'static str>> {
        validate_code(&EmailConfirmForm { code: typed.into() })
            .map_err(|e| e.iter().map(|e| e.message_key).collect())
    }

    #[test]
    fn addresses_get_a_specific_error_each() {
        assert_eq!(
            address(" taro@example.jp ", None),
            Ok("taro@example.jp".into())
        );
        assert_eq!(
            address("  ", None),
            Err(vec!["email.settings.errors.email_required"])
        );
        let long = format!("{}@example.jp", "a".repeat(250));
        assert_eq!(
            address(&long, None),
            Err(vec!["email.settings.errors.email_too_long"])
        );
        assert_eq!(
            address("taro@", None),
            Err(vec!["email.settings.errors.email_invalid"])
        );
        assert_eq!(
            address("Taro@Example.JP", Some("taro@example.jp")),
            Err(vec!["email.settings.errors.email_same"])
        );
        assert_eq!(
            address("hanako@example.jp", Some("taro@example.jp")),
            Ok("hanako@example.jp".into())
        );
    }

    #[test]
    fn codes_are_six_digits_however_typed() {
        assert_eq!(code("123456"), Ok("123456".into()));
        assert_eq!(code("１２３ ４５６"), Ok("123456".into()));
        assert_eq!(code("123-456"), Ok("123456".into()));
        assert_eq!(code(""), Err(vec!["email.settings.errors.code_required"]));
        for bad in ["12345", "1234567", "12345a", "١٢٣٤٥٦"] {
            assert_eq!(
                code(bad),
                Err(vec!["email.settings.errors.code_format"]),
                "{bad}"
            );
        }
    }

    #[test]
    fn categories_are_gathered_from_repeated_fields() {
        assert_eq!(
            categories(b"csrf_token=x&categories=tax&categories=other"),
            Some(vec![NoticeCategory::Tax, NoticeCategory::Other])
        );
        assert_eq!(categories(b"csrf_token=x"), Some(vec![]));
        assert_eq!(categories(b"categories=secrets"), None);
    }

    /// The server's own message keys (errors and the page it builds from category codes) are in both
    /// catalogs; the web crate's test checks the keys its templates name.
    #[test]
    fn every_message_key_exists_in_both_languages() {
        let keys = [
            "email.settings.errors.email_required",
            "email.settings.errors.email_too_long",
            "email.settings.errors.email_invalid",
            "email.settings.errors.email_same",
            "email.settings.errors.too_many_codes",
            "email.settings.errors.code_required",
            "email.settings.errors.code_format",
            "email.settings.errors.code_wrong",
            "email.settings.errors.code_wrong_one",
            "email.settings.errors.code_too_many_tries",
            "email.settings.errors.code_expired",
        ];
        for lang in Lang::ALL {
            for key in keys {
                assert!(lang.get(key).is_some(), "{key} missing in {lang:?}");
            }
        }
    }
}

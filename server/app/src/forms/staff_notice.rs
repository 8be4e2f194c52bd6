//! The staff console's form for posting a notice to the agency's residents: checked here so that each
//! field gets its own message in the page's language, before the notice service checks it again.

use portal_storage::models::notice::{Importance, NoticeCategory};
use portal_web::components::FieldErrors;
use portal_web::format::ascii_digits;
use portal_web::pages::staff_notices::NoticeForm;
use time::Date;

use crate::services::notices::{Audience, BODY_MAX, Content, TITLE_MAX};

/// What the form says, ready for the service. `agency_code`: a municipality addresses only its own
/// residents, so its own code is the audience; any other agency addresses everyone.
pub fn validate(
    form: &NoticeForm,
    municipality: Option<&str>,
    today: Date,
) -> Result<(Content, Audience), FieldErrors> {
    let mut errors = FieldErrors::default();
    let title = form.title.trim();
    if title.is_empty() {
        errors.add("title", "staff.notices.errors.title_missing");
    } else if title.chars().count() > TITLE_MAX {
        errors.add("title", "staff.notices.errors.title_long");
    }
    let body = form.body.trim();
    if body.is_empty() {
        errors.add("body", "staff.notices.errors.body_missing");
    } else if body.chars().count() > BODY_MAX {
        errors.add("body", "staff.notices.errors.body_long");
    }
    if NoticeCategory::from_code(&form.category).is_none() {
        errors.add("category", "staff.notices.errors.category_choose");
    }
    if Importance::from_code(&form.importance).is_none() {
        errors.add("importance", "staff.notices.errors.importance_choose");
    }
    let age = |raw: &str| -> Result<Option<i32>, ()> {
        let raw = ascii_digits(raw.trim());
        if raw.is_empty() {
            return Ok(None);
        }
        raw.parse::<i32>()
            .ok()
            .filter(|a| (0..=150).contains(a))
            .map(Some)
            .ok_or(())
    };
    let min_age = age(&form.min_age).unwrap_or_else(|()| {
        errors.add("min_age", "staff.notices.errors.age_invalid");
        None
    });
    let max_age = age(&form.max_age).unwrap_or_else(|()| {
        errors.add("max_age", "staff.notices.errors.age_invalid");
        None
    });
    if let (Some(min), Some(max)) = (min_age, max_age)
        && min > max
    {
        errors.add("max_age", "staff.notices.errors.age_order");
    }
    let expires_on = expiry(form, today).unwrap_or_else(|key| {
        errors.add("expires", key);
        None
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    let content = Content {
        title: title.to_owned(),
        body: body.to_owned(),
        lang: None,
        category: form.category.clone(),
        importance: Some(form.importance.clone()),
        deadline: None,
        action_url: None,
        action_label: None,
        expires_on,
    };
    let audience = Audience {
        everyone: municipality.is_none(),
        municipalities: municipality.map(|m| vec![m.to_owned()]).unwrap_or_default(),
        min_age,
        max_age,
    };
    Ok((content, audience))
}

/// The last day shown, if given: a real date from today on.
fn expiry(form: &NoticeForm, today: Date) -> Result<Option<String>, &'static str> {
    let parts = [&form.expires_year, &form.expires_month, &form.expires_day]
        .map(|p| ascii_digits(p.trim()));
    if parts.iter().all(String::is_empty) {
        return Ok(None);
    }
    let [Ok(year), Ok(month), Ok(day)] = [
        parts[0].parse::<i32>(),
        parts[1].parse::<i32>(),
        parts[2].parse::<i32>(),
    ] else {
        return Err("staff.notices.errors.expires_invalid");
    };
    let date = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .zip(u8::try_from(day).ok())
        .and_then(|(m, d)| Date::from_calendar_date(year, m, d).ok())
        .ok_or("staff.notices.errors.expires_invalid")?;
    if date < today {
        return Err("staff.notices.errors.expires_past");
    }
    Ok(Some(date.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> NoticeForm {
        NoticeForm {
            title: "健診のご案内".into(),
            body: "今年度の健診を受けてください。".into(),
            category: "health".into(),
            importance: "normal".into(),
            ..NoticeForm::default()
        }
    }

    #[test]
    fn each_field_gets_its_own_message() {
        let today = time::macros::date!(2026 - 11 - 28);
        let empty = validate(&NoticeForm::default(), Some("131016"), today).expect_err("empty");
        let fields: Vec<_> = empty.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "body", "category", "importance"]);
        let ages = NoticeForm {
            min_age: "70".into(),
            max_age: "６５".into(),
            expires_year: "2026".into(),
            expires_month: "2".into(),
            expires_day: "30".into(),
            ..form()
        };
        let refused = validate(&ages, None, today).expect_err("ages");
        assert_eq!(
            refused.get("max_age"),
            Some("staff.notices.errors.age_order")
        );
        assert_eq!(
            refused.get("expires"),
            Some("staff.notices.errors.expires_invalid")
        );
    }

    #[test]
    fn a_municipality_addresses_its_own_residents_and_others_everyone() {
        let today = time::macros::date!(2026 - 11 - 28);
        let (_, ward) = validate(&form(), Some("131016"), today).expect("valid");
        assert_eq!(
            (ward.everyone, ward.municipalities),
            (false, vec!["131016".to_owned()])
        );
        let (content, national) = validate(&form(), None, today).expect("valid");
        assert!(national.everyone);
        assert_eq!(content.expires_on, None);
    }
}

use lettre::Address;
use portal_web::components::FieldErrors;
use portal_web::pages::{
    FEEDBACK_AREAS, FEEDBACK_MESSAGE_MAX_CHARS as MESSAGE_MAX_CHARS, FEEDBACK_TOPICS, FeedbackForm,
};
use time::Date;

use super::normalize_digits;

pub const NAME_MAX_CHARS: usize = 100;

/// A feedback submission that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidFeedback {
    pub topic: String,
    pub area: Option<String>,
    pub message: String,
    pub happened_on: Option<Date>,
    pub reply_email: Option<String>,
    pub name: Option<String>,
}

/// Checks every field and reports all problems at once, in page order.
pub fn validate(form: &FeedbackForm, today: Date) -> Result<ValidFeedback, FieldErrors> {
    let mut errors = FieldErrors::default();

    let topic = form.topic.trim();
    if !FEEDBACK_TOPICS.contains(&topic) {
        errors.add("topic", "feedback.errors.topic_required");
    }

    let area = form.area.trim();
    // The empty value is the select's "not chosen".
    if !FEEDBACK_AREAS.contains(&area) {
        errors.add("area", "feedback.errors.area_invalid");
    }

    // Browsers send line breaks as CRLF; the character count the user sees counts each as one.
    let message = form.message.replace("\r\n", "\n");
    let message = message.trim();
    if message.is_empty() {
        errors.add("message", "feedback.errors.message_required");
    } else if message.chars().count() > MESSAGE_MAX_CHARS {
        errors.add("message", "feedback.errors.message_too_long");
    }

    let happened_on = match happened(form, today) {
        Ok(date) => date,
        Err(key) => {
            errors.add("happened", key);
            None
        }
    };

    let wants_reply = form.reply == "yes";
    let email = form.email.trim();
    if wants_reply && email.is_empty() {
        errors.add("email", "feedback.errors.email_required");
    } else if !email.is_empty() && email.parse::<Address>().is_err() {
        errors.add("email", "feedback.errors.email_invalid");
    }

    let name = form.name.trim();
    if name.chars().count() > NAME_MAX_CHARS {
        errors.add("name", "feedback.errors.name_too_long");
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidFeedback {
        topic: topic.to_owned(),
        area: (!area.is_empty()).then(|| area.to_owned()),
        message: message.to_owned(),
        happened_on,
        reply_email: (wants_reply && !email.is_empty()).then(|| email.to_owned()),
        name: (!name.is_empty()).then(|| name.to_owned()),
    })
}

/// The optional "when did it happen" date: all three parts or none, a real date, not in the future.
fn happened(form: &FeedbackForm, today: Date) -> Result<Option<Date>, &'static str> {
    let parts = [
        &form.happened_day,
        &form.happened_month,
        &form.happened_year,
    ]
    .map(|p| normalize_digits(p));
    let given = parts.iter().filter(|p| !p.is_empty()).count();
    if given == 0 {
        return Ok(None);
    }
    if given < 3 {
        return Err("feedback.errors.happened_incomplete");
    }
    let [day, month, year] = parts;
    let (Ok(day), Ok(month), Ok(year)) =
        (day.parse::<u8>(), month.parse::<u8>(), year.parse::<i32>())
    else {
        return Err("feedback.errors.happened_invalid");
    };
    let month = time::Month::try_from(month).map_err(|_| "feedback.errors.happened_invalid")?;
    if !(1900..=9999).contains(&year) {
        return Err("feedback.errors.happened_invalid");
    }
    let date = Date::from_calendar_date(year, month, day)
        .map_err(|_| "feedback.errors.happened_invalid")?;
    if date > today {
        return Err("feedback.errors.happened_future");
    }
    Ok(Some(date))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 26);

    fn form() -> FeedbackForm {
        FeedbackForm {
            topic: "problem".into(),
            message: "読み取れません".into(),
            ..FeedbackForm::default()
        }
    }

    fn keys(errors: &FieldErrors) -> Vec<(&'static str, &'static str)> {
        errors.iter().map(|e| (e.field, e.message_key)).collect()
    }

    #[test]
    fn minimal_form_is_valid() {
        let valid = validate(&form(), TODAY).expect("valid");
        assert_eq!(valid.topic, "problem");
        assert_eq!(valid.message, "読み取れません");
        assert_eq!(
            (valid.area, valid.happened_on, valid.reply_email, valid.name),
            (None, None, None, None)
        );
    }

    #[test]
    fn empty_form_reports_required_fields_in_page_order() {
        let errors = validate(&FeedbackForm::default(), TODAY).expect_err("invalid");
        assert_eq!(
            keys(&errors),
            vec![
                ("topic", "feedback.errors.topic_required"),
                ("message", "feedback.errors.message_required")
            ]
        );
    }

    #[test]
    fn unknown_topic_and_area_are_refused() {
        let f = FeedbackForm {
            topic: "spam".into(),
            area: "elsewhere".into(),
            ..form()
        };
        let errors = validate(&f, TODAY).expect_err("invalid");
        assert_eq!(
            keys(&errors),
            vec![
                ("topic", "feedback.errors.topic_required"),
                ("area", "feedback.errors.area_invalid")
            ]
        );
    }

    #[test]
    fn message_length_counts_characters_not_bytes() {
        let f = FeedbackForm {
            message: "あ".repeat(MESSAGE_MAX_CHARS),
            ..form()
        };
        assert!(validate(&f, TODAY).is_ok());
        let f = FeedbackForm {
            message: "あ".repeat(MESSAGE_MAX_CHARS + 1),
            ..form()
        };
        assert_eq!(
            keys(&validate(&f, TODAY).expect_err("too long")),
            vec![("message", "feedback.errors.message_too_long")]
        );
    }

    #[test]
    fn line_breaks_count_as_one_character() {
        let f = FeedbackForm {
            message: "あ\r\n".repeat(MESSAGE_MAX_CHARS / 2),
            ..form()
        };
        let valid = validate(&f, TODAY).expect("CRLF counts once");
        assert!(!valid.message.contains('\r'));
    }

    #[test]
    fn dates_must_be_complete_real_and_past() {
        let with = |d: &str, m: &str, y: &str| FeedbackForm {
            happened_day: d.into(),
            happened_month: m.into(),
            happened_year: y.into(),
            ..form()
        };
        let err = |f: FeedbackForm| keys(&validate(&f, TODAY).expect_err("invalid"));
        assert_eq!(
            err(with("1", "", "2026")),
            vec![("happened", "feedback.errors.happened_incomplete")]
        );
        assert_eq!(
            err(with("30", "2", "2026")),
            vec![("happened", "feedback.errors.happened_invalid")]
        );
        assert_eq!(
            err(with("1", "13", "2026")),
            vec![("happened", "feedback.errors.happened_invalid")]
        );
        assert_eq!(
            err(with("x", "1", "2026")),
            vec![("happened", "feedback.errors.happened_invalid")]
        );
        assert_eq!(
            err(with("27", "11", "2026")),
            vec![("happened", "feedback.errors.happened_future")]
        );
        let valid =
            validate(&with("２６", "１１", "２０２６"), TODAY).expect("full-width digits are fine");
        assert_eq!(valid.happened_on, Some(TODAY));
    }

    #[test]
    fn reply_needs_a_valid_email() {
        let f = FeedbackForm {
            reply: "yes".into(),
            ..form()
        };
        assert_eq!(
            keys(&validate(&f, TODAY).expect_err("invalid")),
            vec![("email", "feedback.errors.email_required")]
        );
        let f = FeedbackForm {
            reply: "yes".into(),
            email: "taro@".into(),
            ..form()
        };
        assert_eq!(
            keys(&validate(&f, TODAY).expect_err("invalid")),
            vec![("email", "feedback.errors.email_invalid")]
        );
        let f = FeedbackForm {
            reply: "yes".into(),
            email: " taro@example.jp ".into(),
            ..form()
        };
        assert_eq!(
            validate(&f, TODAY).expect("valid").reply_email.as_deref(),
            Some("taro@example.jp")
        );
        // An address without the reply box ticked is not kept: we only store what we need.
        let f = FeedbackForm {
            email: "taro@example.jp".into(),
            ..form()
        };
        assert_eq!(validate(&f, TODAY).expect("valid").reply_email, None);
    }

    #[test]
    fn long_names_are_refused() {
        let f = FeedbackForm {
            name: "名".repeat(NAME_MAX_CHARS + 1),
            ..form()
        };
        assert_eq!(
            keys(&validate(&f, TODAY).expect_err("invalid")),
            vec![("name", "feedback.errors.name_too_long")]
        );
    }
}

use portal_storage::models::category::Category;
use portal_web::components::FieldErrors;
use portal_web::pages::history::HistoryFilterForm;
use time::Date;

use super::normalize_digits;
use crate::services::history::Filter;

/// Checks the やりとり履歴 filter and reports every problem at once, in page order. Each date is all three
/// parts or none, and a real date; the period may not end before it starts.
pub fn validate(form: &HistoryFilterForm) -> Result<Filter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let from = date(
        [&form.from_year, &form.from_month, &form.from_day],
        "history.errors.from_incomplete",
        "history.errors.from_invalid",
    )
    .unwrap_or_else(|key| {
        errors.add("from", key);
        None
    });
    let to = date(
        [&form.to_year, &form.to_month, &form.to_day],
        "history.errors.to_incomplete",
        "history.errors.to_invalid",
    )
    .unwrap_or_else(|key| {
        errors.add("to", key);
        None
    });
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        errors.add("to", "history.errors.to_before_from");
    }
    let requester = form.requester.trim();
    let category = form.category.trim();
    let category = if category.is_empty() {
        None
    } else {
        let known = Category::from_code(category);
        if known.is_none() {
            errors.add("category", "history.errors.category_invalid");
        }
        known
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Filter {
        from,
        to,
        requester: (!requester.is_empty()).then(|| requester.to_owned()),
        category,
    })
}

/// A date from its typed parts (year, month, day): `None` when none is given.
fn date(
    parts: [&String; 3],
    incomplete: &'static str,
    invalid: &'static str,
) -> Result<Option<Date>, &'static str> {
    let [year, month, day] = parts.map(|p| normalize_digits(p));
    let given = [&year, &month, &day]
        .iter()
        .filter(|p| !p.is_empty())
        .count();
    if given == 0 {
        return Ok(None);
    }
    if given < 3 {
        return Err(incomplete);
    }
    let (Ok(year), Ok(month), Ok(day)) =
        (year.parse::<i32>(), month.parse::<u8>(), day.parse::<u8>())
    else {
        return Err(invalid);
    };
    if !(1900..=9999).contains(&year) {
        return Err(invalid);
    }
    let month = time::Month::try_from(month).map_err(|_| invalid)?;
    Date::from_calendar_date(year, month, day)
        .map(Some)
        .map_err(|_| invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(from: [&str; 3], to: [&str; 3]) -> HistoryFilterForm {
        HistoryFilterForm {
            from_year: from[0].into(),
            from_month: from[1].into(),
            from_day: from[2].into(),
            to_year: to[0].into(),
            to_month: to[1].into(),
            to_day: to[2].into(),
            ..HistoryFilterForm::default()
        }
    }

    fn keys(errors: &FieldErrors) -> Vec<(&'static str, &'static str)> {
        errors.iter().map(|e| (e.field, e.message_key)).collect()
    }

    #[test]
    fn an_empty_filter_matches_everything() {
        assert_eq!(
            validate(&HistoryFilterForm::default()),
            Ok(Filter::default())
        );
    }

    #[test]
    fn dates_are_whole_and_real_and_in_order() {
        let ok = validate(&form(["２０２６", "4", "1"], ["2026", "04", "30"])).unwrap_or_default();
        assert_eq!(
            ok.from.map(|d| d.to_string()).as_deref(),
            Some("2026-04-01")
        );
        assert_eq!(ok.to.map(|d| d.to_string()).as_deref(), Some("2026-04-30"));
        let errors = validate(&form(["2026", "2", "30"], ["2026", "", "1"]))
            .err()
            .unwrap_or_default();
        assert_eq!(
            keys(&errors),
            [
                ("from", "history.errors.from_invalid"),
                ("to", "history.errors.to_incomplete")
            ]
        );
        let errors = validate(&form(["2026", "5", "1"], ["2026", "4", "1"]))
            .err()
            .unwrap_or_default();
        assert_eq!(keys(&errors), [("to", "history.errors.to_before_from")]);
        let errors = validate(&form(["x", "1", "1"], ["", "", ""]))
            .err()
            .unwrap_or_default();
        assert_eq!(keys(&errors), [("from", "history.errors.from_invalid")]);
    }

    #[test]
    fn an_unknown_category_is_refused() {
        let errors = validate(&HistoryFilterForm {
            category: "secrets".into(),
            ..HistoryFilterForm::default()
        })
        .err()
        .unwrap_or_default();
        assert_eq!(
            keys(&errors),
            [("category", "history.errors.category_invalid")]
        );
        let ok = validate(&HistoryFilterForm {
            category: "pension".into(),
            requester: " 131016 ".into(),
            ..HistoryFilterForm::default()
        })
        .unwrap_or_default();
        assert_eq!(ok.category, Some(Category::Pension));
        assert_eq!(ok.requester.as_deref(), Some("131016"));
    }
}

//! The typed categories of わたしの情報: which fields a record of each category has and how each is checked
//! when an agency publishes it. Labels live in the message catalogs (`category.<code>.*`, `field.<key>`).

use serde_json::{Map, Value};

/// How a field's value is written and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// ISO 8601 date, YYYY-MM-DD.
    Date,
    /// Year and month, YYYY-MM.
    Month,
    /// A (fiscal) year, e.g. 2025.
    Year,
    /// A whole number of yen, not negative.
    Yen,
    /// A whole number, not negative (days, months, doses, children).
    Count,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub kind: FieldKind,
    pub required: bool,
}

const fn req(key: &'static str, kind: FieldKind) -> Field {
    Field {
        key,
        kind,
        required: true,
    }
}

const fn opt(key: &'static str, kind: FieldKind) -> Field {
    Field {
        key,
        kind,
        required: false,
    }
}

impl FieldKind {
    /// The kind as a lower-case word.
    pub fn code(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Date => "date",
            FieldKind::Month => "month",
            FieldKind::Year => "year",
            FieldKind::Yen => "yen",
            FieldKind::Count => "count",
        }
    }
}

use FieldKind::{Count, Date, Month, Text, Year, Yen};

macro_rules! categories {
    ($($variant:ident = $code:literal [$($field:expr),+ $(,)?]),+ $(,)?) => {
        /// A category of わたしの情報.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Category {
            $($variant),+
        }

        impl Category {
            /// Every category, in the order the overview lists them.
            pub const ALL: &'static [Category] = &[$(Category::$variant),+];

            /// The stable code used in URLs, the API and the database.
            pub fn code(self) -> &'static str {
                match self {
                    $(Category::$variant => $code),+
                }
            }

            /// The fields of a record of this category, in display order.
            pub fn fields(self) -> &'static [Field] {
                match self {
                    $(Category::$variant => const { &[$($field),+] }),+
                }
            }
        }
    };
}

categories! {
    Resident = "resident" [
        req("name", Text), req("name_kana", Text), req("birth_date", Date), req("sex", Text),
        req("address", Text),
    ],
    Household = "household" [
        req("member_name", Text), req("relationship", Text), req("birth_date", Date),
        opt("head_of_household", Text),
    ],
    IncomeTax = "income_tax" [
        req("fiscal_year", Year), req("total_income", Yen), req("taxable_income", Yen),
        req("resident_tax", Yen),
    ],
    Pension = "pension" [
        req("period_from", Month), opt("period_to", Month), req("scheme", Text), req("months", Count),
        opt("premiums_paid", Yen),
    ],
    HealthInsurance = "health_insurance" [
        req("insurer", Text), req("insurer_number", Text), req("status", Text), req("valid_from", Date),
        opt("valid_to", Date),
    ],
    MedicalExpenses = "medical_expenses" [
        req("treated_in", Month), req("provider", Text), req("days", Count), req("total_cost", Yen),
        req("paid_by_patient", Yen),
    ],
    Prescriptions = "prescriptions" [
        req("dispensed_on", Date), req("pharmacy", Text), req("drug", Text), req("quantity", Text),
        req("days", Count),
    ],
    HealthCheckups = "health_checkups" [
        req("checked_on", Date), req("bmi", Text), req("blood_pressure", Text), req("hba1c", Text),
        opt("guidance", Text),
    ],
    Vaccinations = "vaccinations" [
        req("vaccinated_on", Date), req("vaccine", Text), req("dose", Count), opt("lot", Text),
        req("place", Text),
    ],
    ChildAllowance = "child_allowance" [
        req("fiscal_year", Year), req("children", Count), req("monthly_amount", Yen), opt("paid_on", Date),
    ],
    Deductions = "deductions" [
        req("year", Year), req("deduction", Text), req("issuer", Text), req("amount", Yen),
    ],
    Welfare = "welfare" [
        req("program", Text), req("status", Text), req("granted_on", Date), opt("monthly_amount", Yen),
    ],
}

impl Category {
    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.code() == code)
    }

    /// Checks a record's fields: an object with only this category's keys, every required one present,
    /// each value of its kind. Values are kept as strings; numbers may be sent as JSON numbers.
    pub fn validate(self, data: &Value) -> Result<Map<String, Value>, FieldError> {
        let Value::Object(object) = data else {
            return Err(FieldError {
                field: None,
                code: "not_object",
                reason: "expected an object of fields".to_owned(),
            });
        };
        if let Some(unknown) = object
            .keys()
            .find(|k| !self.fields().iter().any(|f| f.key == k.as_str()))
        {
            return Err(FieldError {
                field: Some(unknown.clone()),
                code: "unknown_field",
                reason: format!(
                    "is not a field of category {}; expected {}",
                    self.code(),
                    self.fields()
                        .iter()
                        .map(|f| f.key)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        let mut clean = Map::new();
        for field in self.fields() {
            let value = match object.get(field.key) {
                None | Some(Value::Null) if field.required => {
                    return Err(FieldError {
                        field: Some(field.key.to_owned()),
                        code: "required",
                        reason: "is required".to_owned(),
                    });
                }
                None | Some(Value::Null) => continue,
                Some(Value::String(s)) => s.trim().to_owned(),
                Some(Value::Number(n)) => n.to_string(),
                Some(_) => {
                    return Err(FieldError {
                        field: Some(field.key.to_owned()),
                        code: "not_scalar",
                        reason: "must be a string or a number".to_owned(),
                    });
                }
            };
            check_kind(field.kind, &value).map_err(|reason| FieldError {
                field: Some(field.key.to_owned()),
                code: field.kind.code(),
                reason,
            })?;
            clean.insert(field.key.to_owned(), Value::String(value));
        }
        Ok(clean)
    }
}

/// Why a field was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field, when the problem is with one field.
    pub field: Option<String>,
    /// What kind of problem, for words in other languages: `required`, `unknown_field`, a [`FieldKind`]'s
    /// code (the value is not of that kind), `not_scalar` or `not_object`.
    pub code: &'static str,
    pub reason: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "field `{field}` {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

fn digits(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

/// Checks an ISO date YYYY-MM-DD, including the day of the month.
pub fn is_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 || !digits(y) || !digits(m) || !digits(d) {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn check_kind(kind: FieldKind, value: &str) -> Result<(), String> {
    let ok = match kind {
        Text => !value.is_empty() && value.chars().count() <= 200,
        Date => is_date(value),
        Month => value.len() == 7 && is_date(&format!("{value}-01")),
        Year => value.len() == 4 && digits(value),
        Yen | Count => digits(value) && value.len() <= 15,
    };
    if ok {
        return Ok(());
    }
    Err(match kind {
        Text => "must be text of 1 to 200 characters".to_owned(),
        Date => format!("must be a date written YYYY-MM-DD, got {value:?}"),
        Month => format!("must be a month written YYYY-MM, got {value:?}"),
        Year => format!("must be a year written YYYY, got {value:?}"),
        Yen => format!("must be a whole number of yen, not negative, got {value:?}"),
        Count => format!("must be a whole number, not negative, got {value:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn there_are_twelve_categories_with_unique_codes() {
        assert_eq!(Category::ALL.len(), 12);
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(*c));
        }
    }

    #[test]
    fn fields_are_checked_by_kind() {
        let ok = Category::IncomeTax.validate(&json!({
            "fiscal_year": "2025", "total_income": 4_200_000, "taxable_income": "2800000",
            "resident_tax": "245000"
        }));
        assert_eq!(
            ok.expect("valid")["total_income"],
            Value::String("4200000".into())
        );
        let bad = Category::IncomeTax
            .validate(&json!({
                "fiscal_year": "2025", "total_income": "-5", "taxable_income": "0", "resident_tax": "0"
            }))
            .expect_err("negative yen");
        assert_eq!(bad.field.as_deref(), Some("total_income"));
        let missing = Category::Vaccinations
            .validate(&json!({"vaccine": "x", "dose": 1, "place": "p"}))
            .expect_err("missing date");
        assert_eq!(missing.field.as_deref(), Some("vaccinated_on"));
        let unknown = Category::Welfare
            .validate(&json!({"program": "a", "status": "b", "granted_on": "2024-02-29", "x": 1}))
            .expect_err("unknown key");
        assert_eq!(unknown.field.as_deref(), Some("x"));
    }

    #[test]
    fn dates_are_real_calendar_dates() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2023-13-01"));
        assert!(!is_date("2023-1-01"));
    }
}

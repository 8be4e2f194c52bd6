//! The GraphQL documents the apps send to the portal, one per connection under `me`, so that each can be
//! paged on its own (`after` is one connection's cursor). Every document takes the same variables:
//! `first` (at most 100), `after` (the previous page's `pageInfo.endCursor`), and `from`/`to`, inclusive
//! `YYYY-MM-DD` bounds on `updatedOn`.

/// One connection under `me`: the document that reads it and the field its answer is under.
#[derive(Debug, Clone, Copy)]
pub struct Connection {
    pub document: &'static str,
    /// The field of `me` the connection is under in the answer's `data`.
    pub field: &'static str,
}

/// A connection's document: every one selects the same fields and takes the same variables.
macro_rules! connection {
    ($operation:literal, $field:literal) => {
        Connection {
            document: concat!(
                "query ",
                $operation,
                "($first: Int, $after: String, $from: String, $to: String) {\n  me {\n    ",
                $field,
                "(first: $first, after: $after, from: $from, to: $to) {\n      totalCount\n      \
                 edges { cursor node { category fields source { code name nameEn } updatedOn } }\n      \
                 pageInfo { hasNextPage endCursor }\n    }\n  }\n}"
            ),
            field: $field,
        }
    };
}

/// Health check-ups (特定健診): `checked_on`, `bmi`, `blood_pressure`, `hba1c`, `guidance`.
pub const HEALTH_CHECKUPS: Connection = connection!("HealthCheckups", "healthCheckups");

/// Prescriptions dispensed: `dispensed_on`, `pharmacy`, `drug`, `quantity`, `days`.
pub const PRESCRIPTIONS: Connection = connection!("Prescriptions", "prescriptions");

/// Medical expenses (医療費通知): `treated_in` (YYYY-MM), `provider`, `days`, `total_cost`,
/// `paid_by_patient`.
pub const MEDICAL_EXPENSES: Connection = connection!("MedicalExpenses", "medicalExpenses");

/// Deduction certificates (控除証明書): `year`, `deduction`, `issuer`, `amount`.
pub const DEDUCTIONS: Connection = connection!("Deductions", "deductions");

/// Income tax: `fiscal_year`, `total_income`, `taxable_income`, `resident_tax`.
pub const INCOME_TAX: Connection = connection!("IncomeTax", "incomeTax");

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

/// Health check-ups (特定健診): `checked_on`, `bmi`, `blood_pressure`, `hba1c`, `guidance`.
pub const HEALTH_CHECKUPS: Connection = Connection {
    document: r#"query HealthCheckups($first: Int, $after: String, $from: String, $to: String) {
  me {
    healthCheckups(first: $first, after: $after, from: $from, to: $to) {
      totalCount
      edges { cursor node { category fields source { code name nameEn } updatedOn } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"#,
    field: "healthCheckups",
};

/// Prescriptions dispensed: `dispensed_on`, `pharmacy`, `drug`, `quantity`, `days`.
pub const PRESCRIPTIONS: Connection = Connection {
    document: r#"query Prescriptions($first: Int, $after: String, $from: String, $to: String) {
  me {
    prescriptions(first: $first, after: $after, from: $from, to: $to) {
      totalCount
      edges { cursor node { category fields source { code name nameEn } updatedOn } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"#,
    field: "prescriptions",
};

/// Medical expenses (医療費通知): `treated_in` (YYYY-MM), `provider`, `days`, `total_cost`,
/// `paid_by_patient`.
pub const MEDICAL_EXPENSES: Connection = Connection {
    document: r#"query MedicalExpenses($first: Int, $after: String, $from: String, $to: String) {
  me {
    medicalExpenses(first: $first, after: $after, from: $from, to: $to) {
      totalCount
      edges { cursor node { category fields source { code name nameEn } updatedOn } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"#,
    field: "medicalExpenses",
};

/// Deduction certificates (控除証明書): `year`, `deduction`, `issuer`, `amount`.
pub const DEDUCTIONS: Connection = Connection {
    document: r#"query Deductions($first: Int, $after: String, $from: String, $to: String) {
  me {
    deductions(first: $first, after: $after, from: $from, to: $to) {
      totalCount
      edges { cursor node { category fields source { code name nameEn } updatedOn } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"#,
    field: "deductions",
};

/// Income tax: `fiscal_year`, `total_income`, `taxable_income`, `resident_tax`.
pub const INCOME_TAX: Connection = Connection {
    document: r#"query IncomeTax($first: Int, $after: String, $from: String, $to: String) {
  me {
    incomeTax(first: $first, after: $after, from: $from, to: $to) {
      totalCount
      edges { cursor node { category fields source { code name nameEn } updatedOn } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"#,
    field: "incomeTax",
};

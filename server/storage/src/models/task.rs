//! The tasks (事務) an agency may read a citizen's data for, as the My Number Act's tables list them: who may
//! ask, for which categories. Plain-language explanations are in the message catalogs (`task.<code>.*`).

use crate::models::agency::AgencyKind;
use crate::models::category::Category;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    pub code: &'static str,
    /// The kinds of agency that perform this task.
    pub performed_by: &'static [AgencyKind],
    /// What the task may read.
    pub categories: &'static [Category],
    /// Reads for this task are recorded but their details withheld from the citizen (不開示), as the law allows
    /// for e.g. tax investigations.
    pub withheld: bool,
}

use AgencyKind::{Insurer, Ministry, Municipality, Tax};
use Category::{
    ChildAllowance, Deductions, HealthCheckups, HealthInsurance, Household, IncomeTax,
    MedicalExpenses, Resident, Vaccinations, Welfare,
};

pub const TASKS: &[Task] = &[
    Task {
        code: "child_allowance",
        performed_by: &[Municipality],
        categories: &[Resident, Household, IncomeTax, ChildAllowance],
        withheld: false,
    },
    Task {
        code: "resident_tax",
        performed_by: &[Municipality],
        categories: &[Resident, IncomeTax, Deductions],
        withheld: false,
    },
    Task {
        code: "health_insurance_eligibility",
        performed_by: &[Municipality, Insurer],
        categories: &[Resident, Household, IncomeTax, HealthInsurance],
        withheld: false,
    },
    Task {
        code: "high_cost_medical_care",
        performed_by: &[Insurer, Municipality],
        categories: &[IncomeTax, MedicalExpenses, HealthInsurance],
        withheld: false,
    },
    Task {
        code: "pension_benefit",
        performed_by: &[AgencyKind::Pension],
        categories: &[Resident, Household, IncomeTax, Category::Pension],
        withheld: false,
    },
    Task {
        code: "public_assistance",
        performed_by: &[Municipality],
        categories: &[Resident, Household, IncomeTax, Category::Pension, Welfare],
        withheld: false,
    },
    Task {
        code: "disability_welfare",
        performed_by: &[Municipality],
        categories: &[Resident, Household, IncomeTax, Welfare],
        withheld: false,
    },
    Task {
        code: "vaccination",
        performed_by: &[Municipality],
        categories: &[Resident, Vaccinations, HealthCheckups],
        withheld: false,
    },
    // Payments: they read no records, only the citizen's 公金受取口座 (see [`Task::pays`]).
    Task {
        code: "benefit_payment",
        performed_by: &[Municipality, Ministry],
        categories: &[],
        withheld: false,
    },
    Task {
        code: "tax_refund",
        performed_by: &[Tax],
        categories: &[],
        withheld: false,
    },
    Task {
        code: "pension_payment",
        performed_by: &[AgencyKind::Pension],
        categories: &[],
        withheld: false,
    },
    Task {
        code: "tax_investigation",
        performed_by: &[Tax],
        categories: &[Resident, IncomeTax, Deductions, Category::Pension],
        withheld: true,
    },
];

impl Task {
    /// Whether the task pays the citizen, and so may read their 公金受取口座.
    pub fn pays(&self) -> bool {
        matches!(
            self.code,
            "benefit_payment" | "tax_refund" | "pension_payment"
        )
    }
}

pub fn find(code: &str) -> Option<&'static Task> {
    TASKS.iter().find(|t| t.code == code)
}

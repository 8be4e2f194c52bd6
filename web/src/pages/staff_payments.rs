//! 振込 in the staff console: building a payment batch into a Zengin 総合振込 file, then its result and
//! the file to download.

use askama::Template;

use crate::Shell;
use crate::components::FieldErrors;

/// What the payer form holds, as typed (nothing is lost when it is refused).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentForm {
    pub task: String,
    pub requester_code: String,
    pub requester_name: String,
    /// The transfer date as typed in its three boxes.
    pub transfer_year: String,
    pub transfer_month: String,
    pub transfer_day: String,
    pub bank_code: String,
    pub branch_code: String,
    pub account_type: String,
    pub account_number: String,
    /// One payment a line: `pseudonym,amount[,reference]`.
    pub payments: String,
}

/// Build a batch: the payment task, the agency's account and the transfer date, and whom to pay.
///
/// | field            | id (label target)  | name              |
/// |------------------|--------------------|-------------------|
/// | task             | `task`             | `task`            |
/// | requester code   | `requester-code`   | `requester_code`  |
/// | requester name   | `requester-name`   | `requester_name`  |
/// | transfer date    | `transfer-date` (year), `-month`, `-day` | `transfer_year`, `_month`, `_day` |
/// | bank code        | `bank-code`        | `bank_code`       |
/// | branch code      | `branch-code`      | `branch_code`     |
/// | account type     | `account-type`     | `account_type`    |
/// | account number   | `account-number`   | `account_number`  |
/// | payments         | `payments`         | `payments`        |
#[derive(Template)]
#[template(path = "pages/staff_payments.html")]
pub struct StaffPaymentsPage {
    pub shell: Shell,
    /// The payment tasks the agency performs: (code, words, selected).
    pub tasks: Vec<(String, String, bool)>,
    /// (code, words, selected) for the paying account's type.
    pub account_types: Vec<(String, String, bool)>,
    pub form: PaymentForm,
    pub errors: FieldErrors,
}

impl StaffPaymentsPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// A batch built: how many are paid, the total, who is listed apart, and the file.
#[derive(Template)]
#[template(path = "pages/staff_payment_batch.html")]
pub struct StaffPaymentBatchPage {
    pub shell: Shell,
    pub file_href: String,
    pub task: String,
    pub transfer_date: String,
    pub payments: usize,
    /// Yen, with separators.
    pub total: String,
    /// Pseudonyms the agency does not have.
    pub unknown: Vec<String>,
    /// Pseudonyms of citizens without a valid account.
    pub without_account: Vec<String>,
}

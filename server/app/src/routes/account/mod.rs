//! 公金受取口座 (`/account`): the overview and history, the bank and branch finders, the details form, check
//! your answers, the card confirmation before a change or deletion, and the deletion page. Every page is
//! for the signed-in citizen only.

use portal_bank::directory::Directory;
use portal_storage::models::bank_account::BankAccount;
use portal_web::Shell;
use portal_web::pages::account::{AccountSummary, account_type_label};

pub mod bank;
pub mod branch;
pub mod check;
pub mod confirm;
pub mod delete;
pub mod details;
pub mod overview;
pub mod status;

/// "みずほ銀行（0001）": the bank's current name from the table, with its code; the code alone if the
/// table no longer has it.
fn bank_text(directory: &Directory, code: &str) -> String {
    match directory.bank(code) {
        Some(bank) => format!("{}（{code}）", bank.name),
        None => code.to_owned(),
    }
}

fn branch_text(directory: &Directory, bank: &str, code: &str) -> String {
    match directory.branch(bank, code) {
        Some(branch) => format!("{}（{code}）", branch.name),
        None => code.to_owned(),
    }
}

/// The account in words, for the overview and the deletion page.
fn summary(shell: &Shell, directory: &Directory, account: &BankAccount) -> AccountSummary {
    let (date, time) = crate::services::history::japan_time(account.completed_at);
    let when = portal_web::format::datetime(shell.lang, &date, &time);
    let channel = shell.t(&format!("account.channel.{}", account.channel));
    AccountSummary {
        bank: bank_text(directory, &account.bank_code),
        branch: branch_text(directory, &account.bank_code, &account.branch_code),
        account_type: account_type_label(shell, &account.account_type),
        number: account.masked_number(),
        holder: account.holder_name.clone(),
        registered: shell.tf(
            "account.registered_text",
            &[("when", &when), ("channel", channel)],
        ),
        invalid: !account.is_valid(),
    }
}

/// What can go wrong in this crate. Invalid input that a person typed is not an error here: [`crate::kana`]
/// answers it with a [`crate::kana::NameProblem`] to show next to the field.
#[derive(Debug, thiserror::Error)]
pub enum BankError {
    /// A bank directory file could not be read or is not the zengin-code format.
    #[error("bank directory: {0}")]
    Directory(String),
    /// A transfer file cannot be written from these values, or a file read back breaks the format.
    #[error("transfer file, record {record}: {problem}")]
    Transfer { record: usize, problem: String },
}

//! わたしの情報: the overview of the categories, one category's records, and their downloads.

pub mod category;
pub mod csv;
pub mod json;
pub mod overview;

use portal_storage::models::category::Category;

use crate::error::AppError;

/// The category named in the path; an unknown one is a page that does not exist.
fn category(code: &str) -> Result<Category, AppError> {
    Category::from_code(code).ok_or(AppError::NotFound)
}

//! やりとり履歴: the filtered list, and the same rows as CSV.

pub mod csv;
pub mod list;

use portal_web::pages::history::HistoryFilterForm;
use serde::Deserialize;

/// The query of both: the filter as typed, and the page.
#[derive(Deserialize)]
pub struct Query {
    #[serde(flatten)]
    form: HistoryFilterForm,
    page: Option<String>,
}

//! Everything the portal shows: askama templates, component macros, page view-models, static assets and
//! the ja/en message catalogs. This crate knows nothing of the database; the server fills the view-models.

pub mod assets;
pub mod components;
pub mod form_view;
pub mod format;
pub mod i18n;
pub mod pages;
mod shell;

pub use i18n::Lang;
pub use shell::{ActingView, SessionView, Shell, StaffView};

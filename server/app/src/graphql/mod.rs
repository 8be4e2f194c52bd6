//! The GraphQL schema: one `build_schema` with depth and complexity limits. `schema.graphql` at the top of
//! the repository is its SDL, written by `portal graphql-schema --output schema.graphql`; a test fails when
//! the two differ.

pub mod error;
mod query;

use async_graphql::{EmptyMutation, EmptySubscription, SDLExportOptions, Schema};

pub use query::Query;

pub type PortalSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Deeper queries than this are refused before they run.
pub const MAX_DEPTH: usize = 10;
/// Each field costs 1 by default; lists will multiply by their page size.
pub const MAX_COMPLEXITY: usize = 500;

pub fn build_schema() -> PortalSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The SDL with fields, arguments and enum items sorted, so diffs show only real changes.
pub fn sdl(schema: &PortalSchema) -> String {
    schema.sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}

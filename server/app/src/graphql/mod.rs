//! The GraphQL schema: one `build_schema` with depth and complexity limits. `schema.graphql` at the top of
//! the repository is its SDL, written by `portal graphql-schema --output schema.graphql`; a test fails when
//! the two differ.

mod account;
mod agency;
mod app;
mod app_data;
mod application;
mod benefit;
pub mod error;
mod form;
mod notice;
mod query;

use async_graphql::{EmptySubscription, MergedObject, SDLExportOptions, Schema};

pub use account::{AccountMutation, AccountQuery};
pub use agency::{AgencyMutation, AgencyQuery};
pub use app::{AppMutation, AppQuery};
pub use app_data::AppDataQuery;
pub use application::{ApplicationMutation, ApplicationQuery};
pub use benefit::{BenefitMutation, BenefitQuery};
pub use form::{FormMutation, FormQuery};
pub use notice::{NoticeMutation, NoticeQuery};
pub use query::ServiceQuery;

/// Every query field: public facts about the service, and what agencies read.
#[derive(MergedObject, Default)]
pub struct Query(
    ServiceQuery,
    AgencyQuery,
    NoticeQuery,
    AccountQuery,
    FormQuery,
    ApplicationQuery,
    BenefitQuery,
    AppQuery,
    AppDataQuery,
);

/// Every mutation: what agencies publish and post.
#[derive(MergedObject, Default)]
pub struct Mutation(
    AgencyMutation,
    NoticeMutation,
    AccountMutation,
    FormMutation,
    ApplicationMutation,
    BenefitMutation,
    AppMutation,
);

pub type PortalSchema = Schema<Query, Mutation, EmptySubscription>;

/// Deeper queries than this are refused before they run.
pub const MAX_DEPTH: usize = 10;
/// Each field costs 1 by default; lists will multiply by their page size.
pub const MAX_COMPLEXITY: usize = 500;

pub fn build_schema() -> PortalSchema {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
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

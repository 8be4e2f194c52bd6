use actix_web::web;
use async_graphql_actix_web::{GraphQLRequest, GraphQLResponse};

use crate::graphql::error::add_codes;
use crate::state::AppState;

pub async fn execute(state: web::Data<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    let request = request.into_inner();
    let query = request.query.clone();
    let mut response = state.schema.execute(request).await;
    add_codes(&mut response, &query);
    response.into()
}

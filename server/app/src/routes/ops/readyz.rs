use std::time::Duration;

use actix_web::{HttpResponse, web};
use portal_storage::Kv;

use crate::state::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// 200 when the database (and Redis, when configured) answer; 503 naming what is down. Checked on every
/// call, so it turns back to 200 as soon as the dependency returns, without a restart.
pub async fn check(state: web::Data<AppState>) -> HttpResponse {
    let redis = async {
        match &state.kv {
            Kv::Redis { .. } => Some(state.kv.ping(CHECK_TIMEOUT).await),
            Kv::Database(_) => None,
        }
    };
    let (database, redis) = tokio::join!(state.db.ping(CHECK_TIMEOUT), redis);
    let mut checks = serde_json::Map::new();
    let mut ready = true;
    let mut note = |name: &str, result: Result<(), portal_storage::StorageError>| {
        let status = match result {
            Ok(()) => "ok",
            Err(e) => {
                tracing::warn!(dependency = name, error = %e, "not ready");
                ready = false;
                "unavailable"
            }
        };
        checks.insert(name.to_owned(), status.into());
    };
    note(state.db.backend().name(), database);
    if let Some(redis) = redis {
        note("redis", redis);
    }
    let body = serde_json::json!({ "status": if ready { "ready" } else { "unavailable" }, "checks": checks });
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

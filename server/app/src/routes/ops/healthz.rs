use actix_web::HttpResponse;

/// The process is up and serving; says nothing about its dependencies (that is /readyz).
pub async fn check() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

use actix_web::{HttpResponse, web};

use crate::middleware::metrics::Metrics;

pub async fn export(metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render())
}

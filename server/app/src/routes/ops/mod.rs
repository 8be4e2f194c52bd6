pub mod healthz;
pub mod metrics;
pub mod readyz;

//! Middleware, outermost last in `build_app`: tracing (request id) → metrics → security headers → error
//! pages.

pub mod error_pages;
pub mod metrics;
pub mod security;

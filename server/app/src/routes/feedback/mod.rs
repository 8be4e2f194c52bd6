pub mod form;
pub mod sent;
pub mod submit;

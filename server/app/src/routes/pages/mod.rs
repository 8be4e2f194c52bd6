pub mod accessibility;
pub mod components;
pub mod home;

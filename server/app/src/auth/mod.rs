//! Who is asking: sessions of signed-in citizens.

pub mod extract;
pub mod return_to;
pub mod session;
pub mod staff;

//! 公金受取口座 (the account refunds and benefits are paid to): what the portal needs of Japanese banking,
//! without a database.
//!
//! - [`directory`]: every bank and branch (code, name, kana) from the Zengin data the `zengin` crate bundles,
//!   or from a newer copy of the zengin-code data folder; and what changed between two such tables.
//! - [`kana`]: holder names as banks keep them: half-width katakana in the Zengin character set, with the
//!   conversions banks apply (hiragana and full-width to half-width, small kana to large, voiced marks apart).
//! - [`transfer`]: the Zengin 総合振込 file (120-byte records: header, data, trailer, end), written and read
//!   back.

pub mod directory;
mod error;
pub mod kana;
pub mod transfer;

pub use error::BankError;

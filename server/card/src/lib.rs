//! A **simulation** of JPKI (公的個人認証サービス) My Number Cards: a test certificate authority, software
//! cards with PIN counters, and the verifier the portal runs at sign-in.
//!
//! Nothing here is a real card or talks to one, and nothing here trusts or embeds the real J-LIS CA
//! certificates. Every CA this crate makes is named `OU=Portal Test CA (simulated, not J-LIS)`. The
//! shape follows the real cards (shared/domain/mynaportal-and-jpki.md §1):
//!
//! - [`Authority`]: two self-signed RSA-2048 CAs, one for user authentication (利用者証明用) and one for
//!   digital signature (署名用), issuing certificates and CRLs. Its files are a directory of PEM files
//!   and a JSON state file.
//! - [`SoftwareCard`]: what a card's chip holds: for each application a private key, a certificate, a
//!   PIN and its counter. The authentication certificate's subject is `C=JP, CN=<opaque id>` with no
//!   personal data; the signature certificate carries the 基本4情報 as subjectAltName otherNames. The
//!   authentication PIN is 4 digits and locks after 3 wrong tries; the signature password is 6–16 of
//!   A–Z/0–9 and locks after 5.
//! - [`Verifier`]: checks a sign-in: chain to the authentication CA, validity, CRL, usage, RSA-2048 and
//!   the PKCS#1 v1.5 SHA-256 signature, with the chain result cached per certificate. The same checks,
//!   with the signature CA as anchor and its usages ([`Verifier::for_signatures`]), verify a document's
//!   electronic signature.
//!
//! Choices where the real profile is unknown or cannot be followed:
//! - Sex codes are `1` male and `2` female ([`Sex`]); the register has no third value.
//! - A 29 February birthday is taken as 28 February in common years (Act on Age Calculation).
//! - The birth date otherName is `YYYYMMDD`, without the era digit real cards reportedly prefix.
//! - Certificate policies (1.2.392.200149.8.5.1.3.30 auth, …1.1.20 signature) are written as a
//!   non-critical extension, since webpki refuses critical extensions it does not process.
//! - The locality in the signature certificate is the municipality cut from the address, in kanji.
//! - No CRL distribution point is written (the real ones are directory names); the server is given the
//!   CRL directly.
//! - Signature certificates are issued to every holder; real ones are not issued to under-15s.

mod authority;
mod card;
mod error;
mod holder;
mod identity;
mod util;
mod verifier;

pub use authority::{
    AUTH_POLICY_OID, Application, Authority, CardKeys, CardKind, OID_ADDRESS, OID_BIRTH_DATE,
    OID_NAME, OID_SEX, SIGN_POLICY_OID, Serial, TEST_CA_UNIT,
};
pub use card::{
    AUTH_MAX_TRIES, DigestSignature, SIGN_MAX_TRIES, SoftwareCard, check_auth_pin,
    check_sign_password,
};
pub use error::{CardError, VerifyError};
pub use holder::{Holder, Sex};
pub use identity::{SignatureIdentity, read_signature_identity};
pub use verifier::{VerifiedCertificate, Verifier};

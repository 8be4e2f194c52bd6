use std::path::PathBuf;

/// What can go wrong issuing, storing or using a card.
///
/// Verification verdicts are [`VerifyError`], kept apart on purpose: the server maps each of them to a
/// sign-in message and matches them exhaustively, which card-side variants would only get in the way of.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    /// The 利用者証明用 PIN must be exactly 4 ASCII digits.
    #[error("the authentication PIN must be exactly 4 digits")]
    InvalidAuthPinFormat,
    /// The 署名用 password must be 6 to 16 characters of A–Z and 0–9.
    #[error("the signature password must be 6 to 16 characters of A-Z and 0-9")]
    InvalidSignPasswordFormat,
    /// A wrong PIN or password; the application locks when `tries_left` reaches 0.
    #[error("wrong PIN or password ({tries_left} tries left)")]
    WrongPin { tries_left: u8 },
    /// The application is locked: too many wrong tries, or a kiosk reset that needs the other, locked, PIN.
    #[error("the PIN is locked; it can only be reset")]
    Locked,
    /// The holder's data cannot go on a card.
    #[error("invalid holder: {0}")]
    InvalidHolder(&'static str),
    /// The card would expire before it is issued.
    #[error("the card expiry date is before the issue date")]
    ExpiryBeforeIssue,
    /// Key generation, signing or certificate building failed.
    #[error("crypto: {0}")]
    Crypto(String),
    /// A card file, authority file or certificate is malformed.
    #[error("malformed {what}: {detail}")]
    Malformed { what: &'static str, detail: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl CardError {
    pub(crate) fn crypto(e: impl std::fmt::Display) -> Self {
        Self::Crypto(e.to_string())
    }

    pub(crate) fn malformed(what: &'static str, e: impl std::fmt::Display) -> Self {
        Self::Malformed {
            what,
            detail: e.to_string(),
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Why a sign-in signature (or a document's electronic signature) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Not a DER certificate we can read.
    #[error("the certificate is malformed")]
    Malformed,
    /// Not issued by the trusted CA: another authority, or the other of the two JPKI CAs (a signature
    /// certificate offered for sign-in, or an authentication certificate offered to sign a document).
    #[error("the certificate was not issued by the trusted CA")]
    UnknownIssuer,
    #[error("the certificate has expired")]
    Expired,
    #[error("the certificate is not valid yet")]
    NotYetValid,
    #[error("the certificate has been revoked")]
    Revoked,
    /// The CRL in use is past its nextUpdate; refresh it.
    #[error("the revocation list is out of date")]
    CrlExpired,
    /// Not made for this use: for sign-in, a missing clientAuth EKU or digitalSignature key usage; for
    /// signing, a missing digitalSignature or nonRepudiation key usage, or a clientAuth EKU.
    #[error("the certificate is not for this use")]
    WrongUsage,
    /// The key is not RSA-2048.
    #[error("the certificate key is not RSA-2048")]
    WrongKey,
    #[error("the signature does not match")]
    BadSignature,
    /// The trust anchor given to [`crate::Verifier::new`] is unusable.
    #[error("invalid trust anchor: {0}")]
    InvalidTrustAnchor(String),
    /// The CRL given to the verifier is malformed, or not signed by the trust anchor.
    #[error("invalid revocation list: {0}")]
    InvalidCrl(String),
    /// Any other chain failure webpki reports.
    #[error("certificate rejected: {0}")]
    Rejected(String),
}

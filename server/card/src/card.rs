use std::fmt;
use std::path::Path;

use ::time::OffsetDateTime;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::authority::{CardKind, Serial};
use crate::error::CardError;
use crate::holder::Holder;
use crate::util::{random_bytes, read, sha256, write_private};

/// Wrong tries before the 利用者証明用 PIN locks.
pub const AUTH_MAX_TRIES: u8 = 3;
/// Wrong tries before the 署名用 password locks.
pub const SIGN_MAX_TRIES: u8 = 5;
const FILE_FORMAT: u32 = 1;

/// The 利用者証明用 PIN: exactly 4 ASCII digits.
pub fn check_auth_pin(pin: &str) -> Result<(), CardError> {
    if pin.len() == 4 && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(CardError::InvalidAuthPinFormat)
    }
}

/// The 署名用 password: 6 to 16 characters of A–Z and 0–9.
pub fn check_sign_password(password: &str) -> Result<(), CardError> {
    let ok = (6..=16).contains(&password.len())
        && password
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(CardError::InvalidSignPasswordFormat)
    }
}

/// One JPKI application on the card: key, certificate, PIN (salted SHA-256) and its counter.
struct App {
    key_pkcs8: Vec<u8>,
    key: RsaKeyPair,
    certificate: Vec<u8>,
    pin_salt: [u8; 16],
    pin_sha256: [u8; 32],
    tries_left: u8,
    locked: bool,
    max_tries: u8,
}

fn pin_hash(salt: &[u8; 16], pin: &str) -> [u8; 32] {
    let mut input = salt.to_vec();
    input.extend_from_slice(pin.as_bytes());
    sha256(&input)
}

impl App {
    fn new(
        (key_pkcs8, certificate): (Vec<u8>, Vec<u8>),
        pin: &str,
        max_tries: u8,
    ) -> Result<App, CardError> {
        let key = RsaKeyPair::from_pkcs8(&key_pkcs8).map_err(CardError::crypto)?;
        let mut app = App {
            key_pkcs8,
            key,
            certificate,
            pin_salt: [0; 16],
            pin_sha256: [0; 32],
            tries_left: max_tries,
            locked: false,
            max_tries,
        };
        app.set_pin(pin)?;
        Ok(app)
    }

    fn set_pin(&mut self, pin: &str) -> Result<(), CardError> {
        self.pin_salt = random_bytes()?;
        self.pin_sha256 = pin_hash(&self.pin_salt, pin);
        self.tries_left = self.max_tries;
        self.locked = false;
        Ok(())
    }

    /// VERIFY: a right PIN restores the counter, a wrong one spends a try; the last try locks.
    fn verify(&mut self, pin: &str) -> Result<(), CardError> {
        if self.locked || self.tries_left == 0 {
            self.locked = true;
            return Err(CardError::Locked);
        }
        let candidate = pin_hash(&self.pin_salt, pin);
        if bool::from(candidate.ct_eq(&self.pin_sha256)) {
            self.tries_left = self.max_tries;
            return Ok(());
        }
        self.tries_left -= 1;
        if self.tries_left == 0 {
            self.locked = true;
            return Err(CardError::Locked);
        }
        Err(CardError::WrongPin {
            tries_left: self.tries_left,
        })
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CardError> {
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(CardError::crypto)?;
        Ok(signature)
    }

    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, CardError> {
        let digest =
            aws_lc_rs::digest::Digest::import_less_safe(digest, &aws_lc_rs::digest::SHA256)
                .map_err(|_| CardError::Crypto("the digest is not 32 bytes".into()))?;
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign_digest(&RSA_PKCS1_SHA256, &digest, &mut signature)
            .map_err(CardError::crypto)?;
        Ok(signature)
    }

    fn to_file(&self) -> AppFile {
        AppFile {
            private_key: STANDARD.encode(&self.key_pkcs8),
            certificate: STANDARD.encode(&self.certificate),
            pin_salt: STANDARD.encode(self.pin_salt),
            pin_sha256: STANDARD.encode(self.pin_sha256),
            tries_left: self.tries_left,
            locked: self.locked,
        }
    }

    fn from_file(file: AppFile, max_tries: u8) -> Result<App, CardError> {
        let b64 = |what: &'static str, s: &str| {
            STANDARD
                .decode(s)
                .map_err(|e| CardError::malformed(what, e))
        };
        let key_pkcs8 = b64("card private key", &file.private_key)?;
        let key = RsaKeyPair::from_pkcs8(&key_pkcs8)
            .map_err(|e| CardError::malformed("card private key", e))?;
        let pin_salt = b64("card PIN salt", &file.pin_salt)?
            .try_into()
            .map_err(|_| CardError::malformed("card PIN salt", "not 16 bytes"))?;
        let pin_sha256 = b64("card PIN hash", &file.pin_sha256)?
            .try_into()
            .map_err(|_| CardError::malformed("card PIN hash", "not 32 bytes"))?;
        if file.tries_left > max_tries {
            return Err(CardError::malformed(
                "card",
                format!("{} tries left, at most {max_tries}", file.tries_left),
            ));
        }
        Ok(App {
            key_pkcs8,
            key,
            certificate: b64("card certificate", &file.certificate)?,
            pin_salt,
            pin_sha256,
            tries_left: file.tries_left,
            locked: file.locked || file.tries_left == 0,
            max_tries,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct CardFile {
    format: u32,
    kind: CardKind,
    holder: Holder,
    auth: AppFile,
    sign: AppFile,
}

#[derive(Serialize, Deserialize)]
struct AppFile {
    /// PKCS#8 DER, base64.
    private_key: String,
    /// X.509 DER, base64.
    certificate: String,
    pin_salt: String,
    /// SHA-256(salt ‖ PIN), base64.
    pin_sha256: String,
    tries_left: u8,
    locked: bool,
}

/// What signing a document gives: the signature and the signature certificate (X.509 DER) that verifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestSignature {
    pub signature: Vec<u8>,
    pub certificate: Vec<u8>,
}

/// A simulated My Number Card (or スマホ用電子証明書): what its chip holds, as a file.
///
/// Every PIN check changes the card's state, so save it after each call that takes a PIN, as the chip
/// would have. The PINs are stored as salted SHA-256, which keeps them out of plain sight but cannot stop
/// a brute force of a 4-digit PIN by whoever holds the file: like a real card, the file is the secret and
/// the counter only guards its use through this API.
pub struct SoftwareCard {
    kind: CardKind,
    holder: Holder,
    auth: App,
    sign: App,
    auth_serial: Serial,
    not_after: OffsetDateTime,
}

impl fmt::Debug for SoftwareCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareCard")
            .field("kind", &self.kind)
            .field("serial", &self.auth_serial.to_hex())
            .field("auth_tries_left", &self.auth.tries_left)
            .field("sign_tries_left", &self.sign.tries_left)
            .finish_non_exhaustive()
    }
}

impl SoftwareCard {
    pub(crate) fn new(
        kind: CardKind,
        holder: Holder,
        auth: (Vec<u8>, Vec<u8>),
        sign: (Vec<u8>, Vec<u8>),
        auth_pin: &str,
        sign_password: &str,
    ) -> Result<SoftwareCard, CardError> {
        let auth = App::new(auth, auth_pin, AUTH_MAX_TRIES)?;
        let sign = App::new(sign, sign_password, SIGN_MAX_TRIES)?;
        SoftwareCard::assemble(kind, holder, auth, sign)
    }

    fn assemble(
        kind: CardKind,
        holder: Holder,
        auth: App,
        sign: App,
    ) -> Result<SoftwareCard, CardError> {
        let (_, cert) = x509_parser::parse_x509_certificate(&auth.certificate)
            .map_err(|e| CardError::malformed("card certificate", e))?;
        let auth_serial = Serial::from_bytes(cert.raw_serial());
        let not_after = cert.validity().not_after.to_datetime();
        x509_parser::parse_x509_certificate(&sign.certificate)
            .map_err(|e| CardError::malformed("card certificate", e))?;
        Ok(SoftwareCard {
            kind,
            holder,
            auth,
            sign,
            auth_serial,
            not_after,
        })
    }

    pub fn to_json(&self) -> Result<String, CardError> {
        let file = CardFile {
            format: FILE_FORMAT,
            kind: self.kind,
            holder: self.holder.clone(),
            auth: self.auth.to_file(),
            sign: self.sign.to_file(),
        };
        serde_json::to_string_pretty(&file).map_err(|e| CardError::malformed("card", e))
    }

    pub fn from_json(json: &str) -> Result<SoftwareCard, CardError> {
        let file: CardFile =
            serde_json::from_str(json).map_err(|e| CardError::malformed("card", e))?;
        if file.format != FILE_FORMAT {
            return Err(CardError::malformed(
                "card",
                format!("file format {} (expected {FILE_FORMAT})", file.format),
            ));
        }
        let auth = App::from_file(file.auth, AUTH_MAX_TRIES)?;
        let sign = App::from_file(file.sign, SIGN_MAX_TRIES)?;
        SoftwareCard::assemble(file.kind, file.holder, auth, sign)
    }

    /// Writes the card file, readable by the owner only (it holds both private keys).
    pub fn save(&self, path: &Path) -> Result<(), CardError> {
        write_private(path, self.to_json()?.as_bytes())
    }

    pub fn load(path: &Path) -> Result<SoftwareCard, CardError> {
        let bytes = read(path)?;
        let json = std::str::from_utf8(&bytes).map_err(|e| CardError::malformed("card", e))?;
        SoftwareCard::from_json(json)
    }

    pub fn kind(&self) -> CardKind {
        self.kind
    }

    /// What is printed on the card face (a phone has none; the simulation keeps it for both).
    pub fn holder(&self) -> &Holder {
        &self.holder
    }

    /// The authentication certificate, readable without the PIN as on the card (the phone apps ask for
    /// the PIN first; the simulation does not tell them apart).
    pub fn auth_certificate_der(&self) -> &[u8] {
        &self.auth.certificate
    }

    /// The signature certificate: it carries the 基本4情報, so reading it needs the signature password.
    pub fn sign_certificate_der_with_password(
        &mut self,
        password: &str,
    ) -> Result<&[u8], CardError> {
        self.sign.verify(password)?;
        Ok(&self.sign.certificate)
    }

    /// Signs `message` with the authentication key: PKCS#1 v1.5 over SHA-256(`message`).
    ///
    /// A wrong PIN spends one of 3 tries ([`CardError::WrongPin`]); the third locks the application
    /// ([`CardError::Locked`] from then on, even for the right PIN); a right PIN restores all 3. A PIN of
    /// the wrong shape is refused before it reaches the "chip" and spends nothing, as reader apps do.
    pub fn sign_auth(&mut self, pin: &str, message: &[u8]) -> Result<Vec<u8>, CardError> {
        check_auth_pin(pin)?;
        self.auth.verify(pin)?;
        self.auth.sign(message)
    }

    /// Like [`SoftwareCard::sign_auth`] for a caller that hashed the message itself, as the card's SIGN
    /// command takes a digest: `digest` is SHA-256(message).
    pub fn sign_auth_digest(&mut self, pin: &str, digest: &[u8]) -> Result<Vec<u8>, CardError> {
        check_auth_pin(pin)?;
        self.auth.verify(pin)?;
        self.auth.sign_digest(digest)
    }

    /// Signs `message` with the signature key (5 tries), PKCS#1 v1.5 over SHA-256.
    pub fn sign_with_signature_key(
        &mut self,
        password: &str,
        message: &[u8],
    ) -> Result<Vec<u8>, CardError> {
        check_sign_password(password)?;
        self.sign.verify(password)?;
        self.sign.sign(message)
    }

    /// Signs a document's SHA-256 `digest` with the signature key (5 tries), as the card's SIGN command
    /// does, and reads the signature certificate under the same password check: one VERIFY, so a wrong
    /// password spends one try, not two. The signature is PKCS#1 v1.5 over the digest, the same as
    /// [`SoftwareCard::sign_with_signature_key`] over the document itself.
    pub fn sign_digest_with_signature_key(
        &mut self,
        password: &str,
        digest: &[u8],
    ) -> Result<DigestSignature, CardError> {
        check_sign_password(password)?;
        self.sign.verify(password)?;
        Ok(DigestSignature {
            signature: self.sign.sign_digest(digest)?,
            certificate: self.sign.certificate.clone(),
        })
    }

    /// Changes the authentication PIN; needs the current one (which counts as a try).
    pub fn change_auth_pin(&mut self, old: &str, new: &str) -> Result<(), CardError> {
        check_auth_pin(old)?;
        check_auth_pin(new)?;
        self.auth.verify(old)?;
        self.auth.set_pin(new)
    }

    /// Changes the signature password; needs the current one (which counts as a try).
    pub fn change_sign_password(&mut self, old: &str, new: &str) -> Result<(), CardError> {
        check_sign_password(old)?;
        check_sign_password(new)?;
        self.sign.verify(old)?;
        self.sign.set_pin(new)
    }

    /// Sets a new authentication PIN by proving the signature password, as the convenience-store kiosk
    /// does after a face match; this also unlocks a locked authentication PIN. When the signature
    /// password is locked too, this fails with [`CardError::Locked`]: only 初期化 at the municipal
    /// window helps then, which the simulation does by issuing a new card.
    pub fn reset_auth_pin(&mut self, sign_password: &str, new_pin: &str) -> Result<(), CardError> {
        check_sign_password(sign_password)?;
        check_auth_pin(new_pin)?;
        self.sign.verify(sign_password)?;
        self.auth.set_pin(new_pin)
    }

    /// Sets a new signature password by proving the authentication PIN (kiosk reset, see
    /// [`SoftwareCard::reset_auth_pin`]).
    pub fn reset_sign_password(
        &mut self,
        auth_pin: &str,
        new_password: &str,
    ) -> Result<(), CardError> {
        check_auth_pin(auth_pin)?;
        check_sign_password(new_password)?;
        self.auth.verify(auth_pin)?;
        self.sign.set_pin(new_password)
    }

    pub fn auth_tries_left(&self) -> u8 {
        self.auth.tries_left
    }

    pub fn sign_tries_left(&self) -> u8 {
        self.sign.tries_left
    }

    pub fn auth_locked(&self) -> bool {
        self.auth.locked
    }

    pub fn sign_locked(&self) -> bool {
        self.sign.locked
    }

    /// The authentication certificate's serial number.
    pub fn serial(&self) -> &Serial {
        &self.auth_serial
    }

    /// The authentication certificate's serial: lower-case hex, no leading zero bytes.
    pub fn serial_hex(&self) -> String {
        self.auth_serial.to_hex()
    }

    /// End of validity of both certificates.
    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_pin_format() {
        assert!(check_auth_pin("0123").is_ok());
        for bad in ["123", "12345", "12a4", "１２３４", "", "12 4"] {
            assert!(
                matches!(check_auth_pin(bad), Err(CardError::InvalidAuthPinFormat)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn sign_password_format() {
        for good in ["ABC123", "A1B2C3D4E5F6G7H8", "123456", "ABCDEF"] {
            assert!(check_sign_password(good).is_ok(), "{good:?}");
        }
        for bad in [
            "ABC12",
            "A1B2C3D4E5F6G7H8I",
            "abc123",
            "ABC 123",
            "ABC-123",
            "ＡＢＣ１２３",
        ] {
            assert!(
                matches!(
                    check_sign_password(bad),
                    Err(CardError::InvalidSignPasswordFormat)
                ),
                "{bad:?}"
            );
        }
    }
}

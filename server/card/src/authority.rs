use std::fmt;
use std::path::Path;

use ::time::{Duration, OffsetDateTime};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CustomExtension,
    DistinguishedName, DnType, DnValue, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod,
    KeyPair, KeyUsagePurpose, OtherNameValue, PKCS_RSA_SHA256, PublicKeyData, RevokedCertParams,
    RsaKeySize, SanType, SerialNumber,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use serde::{Deserialize, Serialize};

use crate::card::{SoftwareCard, check_auth_pin, check_sign_password};
use crate::error::CardError;
use crate::holder::{Holder, JST, end_of_day_jst, fifth_birthday_after, municipality};
use crate::util::{hex_lower, pem_encode, random_bytes, read, write_private};

/// Certificate policy of the 利用者証明用 (authentication) certificate.
pub const AUTH_POLICY_OID: &[u64] = &[1, 2, 392, 200149, 8, 5, 1, 3, 30];
/// Certificate policy of the 署名用 (signature) certificate.
pub const SIGN_POLICY_OID: &[u64] = &[1, 2, 392, 200149, 8, 5, 1, 1, 20];
/// otherName OIDs of the signature certificate's subjectAltName (基本4情報).
pub const OID_NAME: &[u64] = &[1, 2, 392, 200149, 8, 5, 5, 1];
pub const OID_SEX: &[u64] = &[1, 2, 392, 200149, 8, 5, 5, 3];
pub const OID_BIRTH_DATE: &[u64] = &[1, 2, 392, 200149, 8, 5, 5, 4];
pub const OID_ADDRESS: &[u64] = &[1, 2, 392, 200149, 8, 5, 5, 5];

/// Marks every CA name as ours: a test CA must never pass for J-LIS.
pub const TEST_CA_UNIT: &str = "Portal Test CA (simulated, not J-LIS)";
const OU_OID: &[u64] = &[2, 5, 4, 11];
const CA_YEARS_IN_DAYS: i64 = 3652;
const CRL_LIFETIME: Duration = Duration::hours(24);
const STATE_FILE: &str = "state.json";
/// Held while the authority is read, changed and written back (see [`Authority::update`]).
const LOCK_FILE: &str = "authority.lock";

/// Which of the two JPKI applications (and CAs) something belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Application {
    /// 利用者証明用: sign-in.
    Auth,
    /// 署名用: signing documents, carries the 基本4情報.
    Sign,
}

impl Application {
    fn unit(self) -> &'static str {
        match self {
            Application::Auth => "JPKI for user authentication",
            Application::Sign => "JPKI for digital signature",
        }
    }

    fn file_stem(self) -> &'static str {
        match self {
            Application::Auth => "auth-ca",
            Application::Sign => "sign-ca",
        }
    }
}

/// Where the certificates live: a plastic card, or a phone's secure element (スマホ用電子証明書).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CardKind {
    Card,
    Smartphone,
}

impl CardKind {
    /// The content of the token EF `0006`: what a reader sees to tell the two apart (Android for phones).
    pub fn token(self) -> &'static str {
        match self {
            CardKind::Card => "JPKIAPICCTOKEN2",
            CardKind::Smartphone => "JPKIAPGPSETOKEN",
        }
    }
}

/// A certificate serial number (positive, big-endian, without leading zero bytes).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Serial(Vec<u8>);

impl Serial {
    pub fn from_bytes(bytes: &[u8]) -> Serial {
        let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        Serial(bytes.get(start..).unwrap_or_default().to_vec())
    }

    /// Parses hex (either case, optional `:` separators as openssl prints them).
    pub fn from_hex(hex: &str) -> Option<Serial> {
        let digits: Vec<u8> = hex.bytes().filter(|b| *b != b':').collect();
        if digits.is_empty() || !digits.len().is_multiple_of(2) {
            return None;
        }
        let bytes = digits
            .chunks(2)
            .map(|pair| {
                let s = std::str::from_utf8(pair).ok()?;
                u8::from_str_radix(s, 16).ok()
            })
            .collect::<Option<Vec<u8>>>()?;
        Some(Serial::from_bytes(&bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Lower-case hex without leading zero bytes: the form the server keys accounts on.
    pub fn to_hex(&self) -> String {
        hex_lower(&self.0)
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// The two key pairs of a card not yet issued: generating them is the slow part of issuing.
pub struct CardKeys {
    auth: KeyPair,
    sign: KeyPair,
}

impl CardKeys {
    pub fn generate() -> Result<CardKeys, CardError> {
        Ok(CardKeys {
            auth: generate_rsa_key()?,
            sign: generate_rsa_key()?,
        })
    }
}

impl fmt::Debug for CardKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CardKeys(..)")
    }
}

/// One of the two CAs: its key, certificate and the parameters rcgen signs with.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    cert_der: Vec<u8>,
}

impl Ca {
    fn generate(app: Application, now: OffsetDateTime) -> Result<Ca, CardError> {
        let key = generate_rsa_key()?;
        let mut params = ca_params(app)?;
        params.not_before = now - Duration::minutes(1);
        params.not_after = now + Duration::days(CA_YEARS_IN_DAYS);
        params.serial_number = Some(SerialNumber::from_slice(&random_serial()?));
        let cert = params.self_signed(&key).map_err(CardError::crypto)?;
        Ok(Ca {
            params,
            key,
            cert_der: cert.der().to_vec(),
        })
    }

    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }

    fn load(app: Application, dir: &Path) -> Result<Ca, CardError> {
        let stem = app.file_stem();
        let cert_path = dir.join(format!("{stem}.pem"));
        let key_path = dir.join(format!("{stem}.key.pem"));
        let cert_der = CertificateDer::from_pem_slice(&read(&cert_path)?)
            .map_err(|e| CardError::malformed("CA certificate", e))?
            .to_vec();
        let key_der = PrivatePkcs8KeyDer::from_pem_slice(&read(&key_path)?)
            .map_err(|e| CardError::malformed("CA key", e))?;
        let key = KeyPair::from_pkcs8_der_and_sign_algo(&key_der, &PKCS_RSA_SHA256)
            .map_err(|e| CardError::malformed("CA key", e))?;
        // The issuer name is rebuilt from code, not read back; refuse a pair that does not match it.
        let (_, cert) = x509_parser::parse_x509_certificate(&cert_der)
            .map_err(|e| CardError::malformed("CA certificate", e))?;
        if cert.public_key().raw != key.subject_public_key_info().as_slice() {
            return Err(CardError::malformed(
                "CA key",
                format!(
                    "{} does not match {}",
                    key_path.display(),
                    cert_path.display()
                ),
            ));
        }
        let units: Vec<&str> = cert
            .subject()
            .iter_organizational_unit()
            .filter_map(|ou| ou.as_str().ok())
            .collect();
        if units != [app.unit(), TEST_CA_UNIT] {
            return Err(CardError::malformed(
                "CA certificate",
                format!("{} is not this simulation's {stem}", cert_path.display()),
            ));
        }
        Ok(Ca {
            params: ca_params(app)?,
            key,
            cert_der,
        })
    }

    fn save(&self, app: Application, dir: &Path) -> Result<(), CardError> {
        let stem = app.file_stem();
        let cert_path = dir.join(format!("{stem}.pem"));
        std::fs::write(&cert_path, pem_encode("CERTIFICATE", &self.cert_der))
            .map_err(|e| CardError::io(&cert_path, e))?;
        write_private(
            &dir.join(format!("{stem}.key.pem")),
            self.key.serialize_pem().as_bytes(),
        )
    }
}

fn printable(s: &str) -> Result<DnValue, CardError> {
    Ok(DnValue::PrintableString(
        s.try_into().map_err(CardError::crypto)?,
    ))
}

/// `C=JP, O=JPKI, OU=<application>, OU=Portal Test CA (…)`, all PrintableString as on the real CAs.
fn ca_name(app: Application) -> Result<DistinguishedName, CardError> {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, printable("JP")?);
    dn.push(DnType::OrganizationName, printable("JPKI")?);
    dn.push(DnType::OrganizationalUnitName, printable(app.unit())?);
    // rcgen keys names by type, so a second OU goes in under its raw OID (same encoding).
    dn.push(
        DnType::CustomDnType(OU_OID.to_vec()),
        printable(TEST_CA_UNIT)?,
    );
    Ok(dn)
}

fn ca_params(app: Application) -> Result<CertificateParams, CardError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = ca_name(app)?;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.key_identifier_method = KeyIdMethod::Sha256;
    Ok(params)
}

fn generate_rsa_key() -> Result<KeyPair, CardError> {
    KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).map_err(CardError::crypto)
}

/// 16 random bytes, first byte 0x01–0x7F: positive, and exactly 16 bytes once DER drops leading zeros.
fn random_serial() -> Result<[u8; 16], CardError> {
    let mut serial = random_bytes::<16>()?;
    serial[0] = (serial[0] & 0x7f).max(1);
    Ok(serial)
}

/// An opaque 23-character upper-case alphanumeric id, the only thing in an auth certificate's subject.
fn opaque_id() -> Result<String, CardError> {
    const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = String::with_capacity(23);
    while out.len() < 23 {
        for b in random_bytes::<32>()? {
            // 252 = 7 × 36: rejecting the rest keeps every character equally likely.
            if b < 252 && out.len() < 23 {
                out.push(char::from(ALPHABET[usize::from(b % 36)]));
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    /// Number of the last CRL issued by each CA (CRL numbers must increase per issuer).
    auth_crl_number: u64,
    sign_crl_number: u64,
    /// Certificates issued so far, for the operator's curiosity.
    issued: u64,
    revoked: Vec<Revocation>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Revocation {
    /// Lower-case hex.
    serial: String,
    /// Unix seconds.
    revoked_at: i64,
}

/// The simulated JPKI certificate authority: an authentication CA and a signature CA, each RSA-2048 and
/// self-signed, named like J-LIS's but marked `OU=Portal Test CA (simulated, not J-LIS)`.
pub struct Authority {
    auth: Ca,
    sign: Ca,
    state: State,
}

impl fmt::Debug for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authority")
            .field("issued", &self.state.issued)
            .field("revoked", &self.state.revoked.len())
            .finish_non_exhaustive()
    }
}

impl Authority {
    /// Two new CAs valid for 10 years from `now`.
    pub fn generate(now: OffsetDateTime) -> Result<Authority, CardError> {
        Ok(Authority {
            auth: Ca::generate(Application::Auth, now)?,
            sign: Ca::generate(Application::Sign, now)?,
            state: State::default(),
        })
    }

    /// Reads `auth-ca.pem`, `auth-ca.key.pem`, `sign-ca.pem`, `sign-ca.key.pem` and `state.json` from `dir`.
    pub fn load(dir: &Path) -> Result<Authority, CardError> {
        let state_path = dir.join(STATE_FILE);
        let state = serde_json::from_slice(&read(&state_path)?)
            .map_err(|e| CardError::malformed("authority state", e))?;
        Ok(Authority {
            auth: Ca::load(Application::Auth, dir)?,
            sign: Ca::load(Application::Sign, dir)?,
            state,
        })
    }

    /// Writes the files [`Authority::load`] reads; keys and state are readable by the owner only.
    pub fn save(&self, dir: &Path) -> Result<(), CardError> {
        std::fs::create_dir_all(dir).map_err(|e| CardError::io(dir, e))?;
        self.auth.save(Application::Auth, dir)?;
        self.sign.save(Application::Sign, dir)?;
        let state = serde_json::to_vec_pretty(&self.state)
            .map_err(|e| CardError::malformed("authority state", e))?;
        write_private(&dir.join(STATE_FILE), &state)
    }

    /// Loads the authority in `dir`, or generates and saves one when `dir` has none.
    pub fn load_or_generate(dir: &Path, now: OffsetDateTime) -> Result<Authority, CardError> {
        // Any file of an authority means load (and fail loudly if incomplete), never overwrite its keys.
        let present = [
            STATE_FILE,
            "auth-ca.pem",
            "auth-ca.key.pem",
            "sign-ca.pem",
            "sign-ca.key.pem",
        ]
        .iter()
        .any(|name| dir.join(name).exists());
        if present {
            return Authority::load(dir);
        }
        let authority = Authority::generate(now)?;
        authority.save(dir)?;
        Ok(authority)
    }

    /// Loads (or first generates) the authority in `dir`, lets `change` act on it and saves it, holding an
    /// exclusive lock on `dir/authority.lock` throughout. Every process that changes the authority (the
    /// server renewing its CRL, `portal card issue`, revocation) goes through here, so none reads files
    /// another is rewriting or saves over another's change.
    pub fn update<T>(
        dir: &Path,
        now: OffsetDateTime,
        change: impl FnOnce(&mut Authority) -> Result<T, CardError>,
    ) -> Result<T, CardError> {
        std::fs::create_dir_all(dir).map_err(|e| CardError::io(dir, e))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| CardError::io(&lock_path, e))?;
        lock.lock().map_err(|e| CardError::io(&lock_path, e))?;
        let mut authority = Authority::load_or_generate(dir, now)?;
        let result = change(&mut authority)?;
        authority.save(dir)?;
        // Dropping the file releases the lock.
        drop(lock);
        Ok(result)
    }

    /// The user-authentication CA certificate: the trust anchor for sign-in.
    pub fn auth_ca_der(&self) -> &[u8] {
        &self.auth.cert_der
    }

    /// The digital-signature CA certificate.
    pub fn sign_ca_der(&self) -> &[u8] {
        &self.sign.cert_der
    }

    pub fn ca_der(&self, app: Application) -> &[u8] {
        match app {
            Application::Auth => self.auth_ca_der(),
            Application::Sign => self.sign_ca_der(),
        }
    }

    /// Revokes a certificate of either CA. Serials are random 127-bit numbers, so one list serves both
    /// CAs: an entry on the other CA's CRL never matches anything it issued. Persisted by [`Authority::save`].
    pub fn revoke(&mut self, serial: &Serial, now: OffsetDateTime) {
        let hex = serial.to_hex();
        if !self.state.revoked.iter().any(|r| r.serial == hex) {
            self.state.revoked.push(Revocation {
                serial: hex,
                revoked_at: now.unix_timestamp(),
            });
        }
    }

    pub fn is_revoked(&self, serial: &Serial) -> bool {
        let hex = serial.to_hex();
        self.state.revoked.iter().any(|r| r.serial == hex)
    }

    /// A fresh DER CRL of the authentication CA: thisUpdate `now`, nextUpdate `now` + 24 h. Each CRL
    /// takes the next CRL number; [`Authority::save`] afterwards so that numbers never go back.
    pub fn auth_crl_der(&mut self, now: OffsetDateTime) -> Result<Vec<u8>, CardError> {
        self.crl_der(Application::Auth, now)
    }

    /// A fresh DER CRL of the signature CA.
    pub fn sign_crl_der(&mut self, now: OffsetDateTime) -> Result<Vec<u8>, CardError> {
        self.crl_der(Application::Sign, now)
    }

    pub fn crl_der(&mut self, app: Application, now: OffsetDateTime) -> Result<Vec<u8>, CardError> {
        let number = match app {
            Application::Auth => &mut self.state.auth_crl_number,
            Application::Sign => &mut self.state.sign_crl_number,
        };
        *number += 1;
        let crl_number = SerialNumber::from(*number);
        let revoked_certs = self
            .state
            .revoked
            .iter()
            .filter_map(|r| {
                Some(RevokedCertParams {
                    serial_number: SerialNumber::from_slice(
                        Serial::from_hex(&r.serial)?.as_bytes(),
                    ),
                    revocation_time: OffsetDateTime::from_unix_timestamp(r.revoked_at).ok()?,
                    reason_code: None,
                    invalidity_date: None,
                })
            })
            .collect();
        let params = CertificateRevocationListParams {
            this_update: now,
            next_update: now + CRL_LIFETIME,
            crl_number,
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: KeyIdMethod::Sha256,
        };
        let ca = match app {
            Application::Auth => &self.auth,
            Application::Sign => &self.sign,
        };
        let crl = params.signed_by(&ca.issuer()).map_err(CardError::crypto)?;
        Ok(crl.der().to_vec())
    }

    /// Issues a card: two RSA-2048 keys and their certificates, the PINs set as given.
    ///
    /// Both certificates are valid from a minute before `now` until the end (JST) of the holder's 5th
    /// birthday after `now`, or of `card_expiry` if that comes first. Key generation takes 40–200 ms per
    /// key; a caller that shares the authority behind a lock can make the keys first with
    /// [`CardKeys::generate`] and call [`Authority::issue_with_keys`].
    pub fn issue(
        &mut self,
        holder: &Holder,
        kind: CardKind,
        auth_pin: &str,
        sign_password: &str,
        card_expiry: ::time::Date,
        now: OffsetDateTime,
    ) -> Result<SoftwareCard, CardError> {
        check_auth_pin(auth_pin)?;
        check_sign_password(sign_password)?;
        let keys = CardKeys::generate()?;
        self.issue_with_keys(
            keys,
            holder,
            kind,
            auth_pin,
            sign_password,
            card_expiry,
            now,
        )
    }

    /// [`Authority::issue`] with keys generated beforehand.
    #[expect(clippy::too_many_arguments, reason = "issue's arguments plus the keys")]
    pub fn issue_with_keys(
        &mut self,
        keys: CardKeys,
        holder: &Holder,
        kind: CardKind,
        auth_pin: &str,
        sign_password: &str,
        card_expiry: ::time::Date,
        now: OffsetDateTime,
    ) -> Result<SoftwareCard, CardError> {
        check_auth_pin(auth_pin)?;
        check_sign_password(sign_password)?;
        let today = now.to_offset(JST).date();
        holder.validate(today)?;
        if card_expiry < today {
            return Err(CardError::ExpiryBeforeIssue);
        }
        let last_day = fifth_birthday_after(holder.birth_date, today).min(card_expiry);
        let not_before = now - Duration::minutes(1);
        let not_after = end_of_day_jst(last_day);
        let CardKeys {
            auth: auth_key,
            sign: sign_key,
        } = keys;

        let mut auth = CertificateParams::default();
        auth.not_before = not_before;
        auth.not_after = not_after;
        auth.serial_number = Some(SerialNumber::from_slice(&random_serial()?));
        let mut subject = DistinguishedName::new();
        subject.push(DnType::CountryName, printable("JP")?);
        subject.push(DnType::CommonName, printable(&opaque_id()?)?);
        auth.distinguished_name = subject;
        auth.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        auth.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        auth.use_authority_key_identifier_extension = true;
        auth.custom_extensions = vec![policy_extension(AUTH_POLICY_OID)];
        let auth_cert = auth
            .signed_by(&auth_key, &self.auth.issuer())
            .map_err(CardError::crypto)?;

        let mut sign = CertificateParams::default();
        sign.not_before = not_before;
        sign.not_after = not_after;
        sign.serial_number = Some(SerialNumber::from_slice(&random_serial()?));
        let mut subject = DistinguishedName::new();
        subject.push(DnType::CountryName, printable("JP")?);
        subject.push(
            DnType::LocalityName,
            DnValue::Utf8String(municipality(&holder.address)),
        );
        subject.push(DnType::CommonName, printable(&opaque_id()?)?);
        sign.distinguished_name = subject;
        sign.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        sign.use_authority_key_identifier_extension = true;
        sign.custom_extensions = vec![policy_extension(SIGN_POLICY_OID)];
        // Same order as on real cards: name, birth date, sex, address.
        let other = |oid: &[u64], value: String| {
            SanType::OtherName((oid.to_vec(), OtherNameValue::Utf8String(value)))
        };
        sign.subject_alt_names = vec![
            other(OID_NAME, holder.name.clone()),
            other(OID_BIRTH_DATE, birth_date_value(holder.birth_date)),
            other(OID_SEX, holder.sex.code().to_owned()),
            other(OID_ADDRESS, holder.address.clone()),
        ];
        let sign_cert = sign
            .signed_by(&sign_key, &self.sign.issuer())
            .map_err(CardError::crypto)?;

        self.state.issued += 2;
        SoftwareCard::new(
            kind,
            holder.clone(),
            (auth_key.serialize_der(), auth_cert.der().to_vec()),
            (sign_key.serialize_der(), sign_cert.der().to_vec()),
            auth_pin,
            sign_password,
        )
    }
}

/// Non-critical: webpki refuses certificates with critical extensions it does not process, and the
/// verifier never needs the policy to decide.
fn policy_extension(policy: &[u64]) -> CustomExtension {
    CustomExtension::from_oid_content(&[2, 5, 29, 32], crate::util::certificate_policies(policy))
}

/// `YYYYMMDD`. Public readers report real cards prefix an era digit (e.g. `4` for 平成); the simulation
/// writes the plain Gregorian date, and [`crate::read_signature_identity`] accepts both.
pub(crate) fn birth_date_value(date: ::time::Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
impl Authority {
    /// Signs arbitrary parameters with the authentication CA, to build certificates the real profile
    /// never has and check that the verifier refuses them.
    pub(crate) fn sign_with_auth_ca(
        &self,
        params: &CertificateParams,
        key: &KeyPair,
    ) -> Result<Vec<u8>, CardError> {
        self.sign_with_ca(Application::Auth, params, key)
    }

    /// [`Authority::sign_with_auth_ca`] with either CA.
    pub(crate) fn sign_with_ca(
        &self,
        app: Application,
        params: &CertificateParams,
        key: &KeyPair,
    ) -> Result<Vec<u8>, CardError> {
        let ca = match app {
            Application::Auth => &self.auth,
            Application::Sign => &self.sign,
        };
        let cert = params
            .signed_by(key, &ca.issuer())
            .map_err(CardError::crypto)?;
        Ok(cert.der().to_vec())
    }
}

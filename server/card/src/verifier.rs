use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use ::time::OffsetDateTime;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, KeyUsage, OwnedCertRevocationList,
    RevocationCheckDepth, RevocationOptionsBuilder, UnknownStatusPolicy,
};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;
use x509_parser::revocation_list::CertificateRevocationList;

use crate::authority::Application;
use crate::error::VerifyError;
use crate::util::{hex_lower, sha256};

/// Chain results kept at most; when full the cache starts over, which costs one full check per card.
const CACHE_CAPACITY: usize = 100_000;
/// The CA signs with sha256WithRSAEncryption only, as J-LIS does.
static CHAIN_ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] =
    &[webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256];

/// What a successful verification proves about the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCertificate {
    /// The certificate's serial, lower-case hex without leading zero bytes. For an authentication
    /// certificate it is the account key, as J-LIS links a serial to a person.
    pub serial_hex: String,
    pub not_after: OffsetDateTime,
    /// The opaque id in the subject; an auth certificate carries no personal data (a signature
    /// certificate carries the 基本4情報 in subjectAltName, see [`crate::read_signature_identity`]).
    pub subject_cn: String,
}

/// A certificate that passed the chain, revocation and usage checks, with what each later call needs.
struct Checked {
    verified: VerifiedCertificate,
    not_before: i64,
    not_after: i64,
    key: ParsedPublicKey,
}

struct Crl {
    list: CertRevocationList<'static>,
    next_update: i64,
}

/// Verifies signatures made with the certificates of one CA: sign-ins with authentication certificates
/// ([`Verifier::new`]), or documents signed with signature certificates ([`Verifier::for_signatures`]).
///
/// One CA is trusted per verifier: webpki lets a certificate without any EKU through for client auth, so
/// a signature-CA certificate must fail on its issuer at sign-in (and an authentication certificate at
/// signing). The chain and CRL result is cached per certificate (the CRL cannot change under a
/// `Verifier`; [`Verifier::with_crl`] makes a new one), so a repeated verification costs one RSA
/// verification plus the validity and CRL-freshness checks.
pub struct Verifier {
    app: Application,
    ca_der: Vec<u8>,
    anchor: TrustAnchor<'static>,
    crl: Option<Crl>,
    cache: RwLock<HashMap<[u8; 32], Arc<Checked>>>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("crl_next_update", &self.crl.as_ref().map(|c| c.next_update))
            .field("cached", &self.cached_certificates())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Verifies sign-ins: `auth_ca_der` is the trust anchor; without a CRL no revocation is checked
    /// (tests and demos only).
    pub fn new(auth_ca_der: &[u8], crl_der: Option<&[u8]>) -> Result<Verifier, VerifyError> {
        Verifier::for_application(Application::Auth, auth_ca_der, crl_der)
    }

    /// Verifies electronic signatures of documents: `sign_ca_der` (the 署名用 CA) is the trust anchor, and
    /// a certificate must carry the digitalSignature and nonRepudiation key usages and no clientAuth EKU.
    pub fn for_signatures(
        sign_ca_der: &[u8],
        crl_der: Option<&[u8]>,
    ) -> Result<Verifier, VerifyError> {
        Verifier::for_application(Application::Sign, sign_ca_der, crl_der)
    }

    fn for_application(
        app: Application,
        ca_der: &[u8],
        crl_der: Option<&[u8]>,
    ) -> Result<Verifier, VerifyError> {
        let anchor = webpki::anchor_from_trusted_cert(&CertificateDer::from(ca_der))
            .map_err(|e| VerifyError::InvalidTrustAnchor(format!("{e:?}")))?
            .to_owned();
        let crl = crl_der.map(|der| load_crl(ca_der, der)).transpose()?;
        Ok(Verifier {
            app,
            ca_der: ca_der.to_vec(),
            anchor,
            crl,
            cache: RwLock::new(HashMap::new()),
        })
    }

    /// The same trust anchor and use with a newer CRL, and an empty cache.
    pub fn with_crl(&self, crl_der: &[u8]) -> Result<Verifier, VerifyError> {
        Verifier::for_application(self.app, &self.ca_der, Some(crl_der))
    }

    /// Which CA this verifier trusts.
    pub fn application(&self) -> Application {
        self.app
    }

    /// When the CRL in use goes stale; refresh before then.
    pub fn crl_next_update(&self) -> Option<OffsetDateTime> {
        self.crl
            .as_ref()
            .and_then(|c| OffsetDateTime::from_unix_timestamp(c.next_update).ok())
    }

    /// How many certificates have a cached chain result.
    pub fn cached_certificates(&self) -> usize {
        self.cache.read().map_or(0, |cache| cache.len())
    }

    /// Checks that `cert_der` is a valid, unrevoked certificate of the trusted CA for this verifier's use
    /// at `now`, and that `signature` is its PKCS#1 v1.5 SHA-256 signature over `message`.
    pub fn verify(
        &self,
        cert_der: &[u8],
        message: &[u8],
        signature: &[u8],
        now: OffsetDateTime,
    ) -> Result<VerifiedCertificate, VerifyError> {
        let checked = self.checked(cert_der, now)?;
        checked
            .key
            .verify_sig(message, signature)
            .map_err(|_| VerifyError::BadSignature)?;
        Ok(checked.verified.clone())
    }

    /// As [`Verifier::verify`] for a signature over a document known by its SHA-256 `digest` (what the
    /// card's SIGN command is given): the same signature as over the document itself.
    pub fn verify_digest(
        &self,
        cert_der: &[u8],
        digest: &[u8],
        signature: &[u8],
        now: OffsetDateTime,
    ) -> Result<VerifiedCertificate, VerifyError> {
        // A digest of the wrong length cannot have been signed: refuse it as a bad signature.
        let digest =
            aws_lc_rs::digest::Digest::import_less_safe(digest, &aws_lc_rs::digest::SHA256)
                .map_err(|_| VerifyError::BadSignature)?;
        let checked = self.checked(cert_der, now)?;
        checked
            .key
            .verify_digest_sig(&digest, signature)
            .map_err(|_| VerifyError::BadSignature)?;
        Ok(checked.verified.clone())
    }

    /// The certificate's checks, from the cache when it has them, and what holds at `now` only.
    fn checked(&self, cert_der: &[u8], now: OffsetDateTime) -> Result<Arc<Checked>, VerifyError> {
        let now_unix = now.unix_timestamp();
        let key = sha256(cert_der);
        let cached = self
            .cache
            .read()
            .ok()
            .and_then(|cache| cache.get(&key).cloned());
        let checked = match cached {
            Some(checked) => checked,
            None => {
                let checked = Arc::new(self.check_certificate(cert_der, now_unix)?);
                if let Ok(mut cache) = self.cache.write() {
                    if cache.len() >= CACHE_CAPACITY {
                        cache.clear();
                    }
                    cache.insert(key, Arc::clone(&checked));
                }
                checked
            }
        };
        // Time moves on while the cached result stands still: these hold for this call only.
        if now_unix < checked.not_before {
            return Err(VerifyError::NotYetValid);
        }
        if now_unix > checked.not_after {
            return Err(VerifyError::Expired);
        }
        if self.crl.as_ref().is_some_and(|c| now_unix > c.next_update) {
            return Err(VerifyError::CrlExpired);
        }
        Ok(checked)
    }

    /// The expensive part: chain, validity, revocation (webpki), then what webpki leaves out.
    fn check_certificate(&self, cert_der: &[u8], now_unix: i64) -> Result<Checked, VerifyError> {
        let der = CertificateDer::from(cert_der);
        let end_entity = EndEntityCert::try_from(&der).map_err(|_| VerifyError::Malformed)?;
        let crls = self.crl.as_ref().map(|c| [&c.list]);
        let revocation = match &crls {
            Some(crls) => Some(
                RevocationOptionsBuilder::new(crls)
                    .map_err(|_| VerifyError::InvalidCrl("no CRL".into()))?
                    .with_depth(RevocationCheckDepth::EndEntity)
                    .with_status_policy(UnknownStatusPolicy::Deny)
                    // Without this webpki accepts a CRL past its nextUpdate.
                    .with_expiration_policy(ExpirationPolicy::Enforce)
                    .build(),
            ),
            None => None,
        };
        let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            u64::try_from(now_unix).unwrap_or(0),
        ));
        end_entity
            .verify_for_usage(
                CHAIN_ALGORITHMS,
                std::slice::from_ref(&self.anchor),
                &[],
                time,
                KeyUsage::client_auth(),
                revocation,
                None,
            )
            .map_err(map_webpki_error)?;

        let (_, cert) = X509Certificate::from_der(cert_der).map_err(|_| VerifyError::Malformed)?;
        // webpki passes a certificate with no EKU at all and ignores keyUsage: check both here.
        let client_auth = cert
            .extended_key_usage()
            .ok()
            .flatten()
            .is_some_and(|eku| eku.value.client_auth);
        let key_usage = cert.key_usage().ok().flatten().map(|ku| ku.value);
        let digital_signature = key_usage.is_some_and(|ku| ku.digital_signature());
        let usage_fits = match self.app {
            Application::Auth => client_auth && digital_signature,
            // A signature certificate commits its holder (nonRepudiation) and is never for signing in.
            Application::Sign => {
                digital_signature
                    && key_usage.is_some_and(|ku| ku.non_repudiation())
                    && !client_auth
            }
        };
        if !usage_fits {
            return Err(VerifyError::WrongUsage);
        }
        let spki = cert.public_key();
        match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) if rsa.key_size() == 2048 => {}
            _ => return Err(VerifyError::WrongKey),
        }
        let key = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &*spki.subject_public_key.data)
            .map_err(|_| VerifyError::WrongKey)?;
        let subject_cn = cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .ok_or(VerifyError::Malformed)?
            .to_owned();
        let serial = crate::Serial::from_bytes(cert.raw_serial());
        let validity = cert.validity();
        Ok(Checked {
            verified: VerifiedCertificate {
                serial_hex: hex_lower(serial.as_bytes()),
                not_after: validity.not_after.to_datetime(),
                subject_cn,
            },
            not_before: validity.not_before.timestamp(),
            not_after: validity.not_after.timestamp(),
            key,
        })
    }
}

/// Parses the CRL once and checks it belongs to the CA, so a bad file fails here and not at each sign-in.
fn load_crl(ca_der: &[u8], crl_der: &[u8]) -> Result<Crl, VerifyError> {
    let invalid = |what: &str| VerifyError::InvalidCrl(what.to_owned());
    let (_, ca) = X509Certificate::from_der(ca_der)
        .map_err(|e| VerifyError::InvalidTrustAnchor(e.to_string()))?;
    let (_, crl) =
        CertificateRevocationList::from_der(crl_der).map_err(|_| invalid("malformed"))?;
    if crl.issuer().as_raw() != ca.subject().as_raw() {
        return Err(invalid("issued by another CA"));
    }
    crl.verify_signature(ca.public_key())
        .map_err(|_| invalid("not signed by the CA"))?;
    let next_update = crl
        .next_update()
        .ok_or_else(|| invalid("no nextUpdate"))?
        .timestamp();
    let list =
        OwnedCertRevocationList::from_der(crl_der).map_err(|e| invalid(&format!("{e:?}")))?;
    Ok(Crl {
        list: list.into(),
        next_update,
    })
}

fn map_webpki_error(error: webpki::Error) -> VerifyError {
    use webpki::Error as E;
    match error {
        // A certificate naming our CA but signed by another key (another authority) fails on the signature.
        E::UnknownIssuer | E::InvalidSignatureForPublicKey => VerifyError::UnknownIssuer,
        E::CertExpired { .. } => VerifyError::Expired,
        E::CertNotValidYet { .. } => VerifyError::NotYetValid,
        E::CertRevoked => VerifyError::Revoked,
        E::CrlExpired { .. } => VerifyError::CrlExpired,
        E::RequiredEkuNotFoundContext(_) => VerifyError::WrongUsage,
        E::BadDer | E::BadDerTime | E::TrailingData(_) => VerifyError::Malformed,
        other => VerifyError::Rejected(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use ::time::macros::datetime;
    use rcgen::{
        CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, KeyPair,
        KeyUsagePurpose, PKCS_RSA_SHA256, RsaKeySize, SerialNumber,
    };

    use super::*;
    use crate::Authority;

    const NOW: OffsetDateTime = datetime!(2025-04-01 03:00 UTC);

    fn params(
        key_usages: Vec<KeyUsagePurpose>,
        ekus: Vec<ExtendedKeyUsagePurpose>,
        serial: u8,
    ) -> CertificateParams {
        let mut params = CertificateParams::default();
        params.not_before = NOW - ::time::Duration::days(1);
        params.not_after = NOW + ::time::Duration::days(365);
        params.serial_number = Some(SerialNumber::from_slice(&[0x40, serial]));
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "JP");
        dn.push(DnType::CommonName, "TESTONLY0000000000000001");
        params.distinguished_name = dn;
        params.key_usages = key_usages;
        params.extended_key_usages = ekus;
        params
    }

    /// webpki passes these; the verifier's own checks must not.
    #[test]
    fn usage_and_key_size_are_checked_beyond_webpki() {
        let authority = Authority::generate(NOW).unwrap();
        let verifier = Verifier::new(authority.auth_ca_der(), None).unwrap();
        let key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap();
        let garbage = [0u8; 256];
        let verify = |params: CertificateParams, key: &KeyPair| {
            let der = authority.sign_with_auth_ca(&params, key).unwrap();
            verifier.verify(&der, b"challenge", &garbage, NOW)
        };
        use ExtendedKeyUsagePurpose::{ClientAuth, ServerAuth};
        use KeyUsagePurpose::{DigitalSignature, KeyEncipherment};

        // The control: a well-formed certificate gets as far as the signature.
        let good = params(vec![DigitalSignature], vec![ClientAuth], 1);
        assert_eq!(verify(good, &key), Err(VerifyError::BadSignature));

        let no_eku = params(vec![DigitalSignature], vec![], 2);
        assert_eq!(verify(no_eku, &key), Err(VerifyError::WrongUsage));
        let server_eku = params(vec![DigitalSignature], vec![ServerAuth], 3);
        assert_eq!(verify(server_eku, &key), Err(VerifyError::WrongUsage));
        let no_signing = params(vec![KeyEncipherment], vec![ClientAuth], 4);
        assert_eq!(verify(no_signing, &key), Err(VerifyError::WrongUsage));
        let no_key_usage = params(vec![], vec![ClientAuth], 5);
        assert_eq!(verify(no_key_usage, &key), Err(VerifyError::WrongUsage));

        let big = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_3072).unwrap();
        let big_key = params(vec![DigitalSignature], vec![ClientAuth], 6);
        assert_eq!(verify(big_key, &big), Err(VerifyError::WrongKey));
    }

    /// A document's signature needs a certificate of the signature CA that commits its holder
    /// (nonRepudiation) and is not a sign-in certificate.
    #[test]
    fn signature_certificates_need_their_own_usages() {
        let authority = Authority::generate(NOW).unwrap();
        let verifier = Verifier::for_signatures(authority.sign_ca_der(), None).unwrap();
        assert_eq!(verifier.application(), Application::Sign);
        let key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap();
        let garbage = [0u8; 256];
        let digest = [7u8; 32];
        let verify = |app, params: CertificateParams| {
            let der = authority.sign_with_ca(app, &params, &key).unwrap();
            verifier.verify_digest(&der, &digest, &garbage, NOW)
        };
        use ExtendedKeyUsagePurpose::ClientAuth;
        use KeyUsagePurpose::{ContentCommitment, DigitalSignature};

        let good = params(vec![DigitalSignature, ContentCommitment], vec![], 1);
        assert_eq!(
            verify(Application::Sign, good.clone()),
            Err(VerifyError::BadSignature)
        );
        assert_eq!(
            verifier.verify_digest(&[0x30], &digest, &garbage, NOW),
            Err(VerifyError::Malformed)
        );
        let short = authority
            .sign_with_ca(Application::Sign, &good, &key)
            .unwrap();
        assert_eq!(
            verifier.verify_digest(&short, &digest[..31], &garbage, NOW),
            Err(VerifyError::BadSignature)
        );
        let no_commitment = params(vec![DigitalSignature], vec![], 2);
        assert_eq!(
            verify(Application::Sign, no_commitment),
            Err(VerifyError::WrongUsage)
        );
        let for_sign_in = params(
            vec![DigitalSignature, ContentCommitment],
            vec![ClientAuth],
            3,
        );
        assert_eq!(
            verify(Application::Sign, for_sign_in),
            Err(VerifyError::WrongUsage)
        );
        let auth_ca = params(vec![DigitalSignature, ContentCommitment], vec![], 4);
        assert_eq!(
            verify(Application::Auth, auth_ca),
            Err(VerifyError::UnknownIssuer)
        );
    }
}

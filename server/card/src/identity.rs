use ::time::Date;
use x509_parser::der_parser::asn1_rs::{Any, FromDer, Utf8String};
use x509_parser::extensions::GeneralName;
use x509_parser::oid_registry::Oid;
use x509_parser::prelude::X509Certificate;

use crate::authority::{OID_ADDRESS, OID_BIRTH_DATE, OID_NAME, OID_SEX};
use crate::error::CardError;
use crate::holder::Sex;

/// The 基本4情報 carried by a signature certificate's subjectAltName.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureIdentity {
    pub name: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub address: String,
}

/// Reads the 基本4情報 from a signature certificate. It does not verify the certificate.
///
/// The birth date is read as `YYYYMMDD`, or as an era digit followed by `YYYYMMDD` as real cards are
/// reported to write it.
pub fn read_signature_identity(cert_der: &[u8]) -> Result<SignatureIdentity, CardError> {
    let bad = |detail: &str| CardError::malformed("signature certificate", detail);
    let (_, cert) = X509Certificate::from_der(cert_der).map_err(|_| bad("not a certificate"))?;
    let san = cert
        .subject_alternative_name()
        .map_err(|_| bad("bad subjectAltName"))?
        .ok_or_else(|| bad("no subjectAltName"))?;
    let value = |arcs: &[u64]| -> Result<String, CardError> {
        let oid = Oid::from(arcs).map_err(|_| bad("bad OID"))?;
        san.value
            .general_names
            .iter()
            .find_map(|name| match name {
                GeneralName::OtherName(o, raw) if *o == oid => other_name_text(raw),
                _ => None,
            })
            .ok_or_else(|| bad("missing otherName"))
    };
    let birth = value(OID_BIRTH_DATE)?;
    let digits = match birth.len() {
        8 => birth.as_str(),
        9 => birth.get(1..).unwrap_or_default(),
        _ => return Err(bad("birth date is not YYYYMMDD")),
    };
    let birth_date = parse_yyyymmdd(digits).ok_or_else(|| bad("birth date is not YYYYMMDD"))?;
    Ok(SignatureIdentity {
        name: value(OID_NAME)?,
        birth_date,
        sex: Sex::from_code(&value(OID_SEX)?).ok_or_else(|| bad("unknown sex code"))?,
        address: value(OID_ADDRESS)?,
    })
}

/// The otherName value: x509-parser hands over the whole `[0] EXPLICIT` wrapper around a UTF8String.
fn other_name_text(raw: &[u8]) -> Option<String> {
    let (_, wrapper) = Any::from_der(raw).ok()?;
    let (_, text) = Utf8String::from_der(wrapper.data).ok()?;
    Some(text.string())
}

fn parse_yyyymmdd(s: &str) -> Option<Date> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    crate::holder::iso_date::parse(&format!("{}-{}-{}", s.get(..4)?, s.get(4..6)?, s.get(6..)?))
}

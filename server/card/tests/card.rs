//! Issue, use and verify simulated cards. RSA key generation dominates the run time, so most tests share
//! one authority and issue only the cards they need.
#![expect(
    clippy::unwrap_used,
    reason = "the fixture helpers outside #[test] functions"
)]

use std::sync::{Mutex, MutexGuard, OnceLock};

use ::time::macros::{date, datetime};
use ::time::{Date, Duration, OffsetDateTime};
use portal_card::{
    Authority, CardError, CardKeys, CardKind, Holder, Serial, Sex, SoftwareCard, Verifier,
    VerifyError, read_signature_identity,
};
use x509_parser::prelude::*;

const NOW: OffsetDateTime = datetime!(2025-04-01 03:00 UTC);
const PIN: &str = "1234";
const PASSWORD: &str = "ABC123XYZ";
const CHALLENGE: &[u8] = b"portal sign-in challenge 7f3a";

fn authority() -> MutexGuard<'static, Authority> {
    static AUTHORITY: OnceLock<Mutex<Authority>> = OnceLock::new();
    AUTHORITY
        .get_or_init(|| Mutex::new(Authority::generate(NOW).unwrap()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn holder() -> Holder {
    Holder {
        name: "数字　花子".into(),
        name_kana: "スウジ　ハナコ".into(),
        address: "東京都清瀬市中里五丁目842番地".into(),
        birth_date: date!(1990 - 06 - 15),
        sex: Sex::Female,
    }
}

fn issue_at(holder: &Holder, expiry: Date, now: OffsetDateTime) -> SoftwareCard {
    // Keys first, so that tests running in parallel do not queue on the lock for key generation.
    let keys = CardKeys::generate().unwrap();
    authority()
        .issue_with_keys(keys, holder, CardKind::Card, PIN, PASSWORD, expiry, now)
        .unwrap()
}

fn issue() -> SoftwareCard {
    issue_at(&holder(), date!(2035 - 06 - 15), NOW)
}

fn verifier_with_crl(now: OffsetDateTime) -> Verifier {
    let mut authority = authority();
    let crl = authority.auth_crl_der(now).unwrap();
    Verifier::new(authority.auth_ca_der(), Some(&crl)).unwrap()
}

fn parse(der: &[u8]) -> X509Certificate<'_> {
    X509Certificate::from_der(der).unwrap().1
}

#[test]
fn a_good_signature_verifies_and_names_the_certificate() {
    let mut card = issue();
    let verifier = verifier_with_crl(NOW);
    let signature = card.sign_auth(PIN, CHALLENGE).unwrap();
    let verified = verifier
        .verify(card.auth_certificate_der(), CHALLENGE, &signature, NOW)
        .unwrap();
    assert_eq!(verified.serial_hex, card.serial_hex());
    assert_eq!(verified.not_after, card.not_after());
    let cert = parse(card.auth_certificate_der());
    let cn = cert
        .subject()
        .iter_common_name()
        .next()
        .unwrap()
        .as_str()
        .unwrap();
    assert_eq!(verified.subject_cn, cn);

    // The second sign-in uses the cached chain result and still checks the signature.
    assert_eq!(verifier.cached_certificates(), 1);
    let again = card.sign_auth(PIN, b"another challenge").unwrap();
    assert_eq!(
        verifier
            .verify(
                card.auth_certificate_der(),
                b"another challenge",
                &again,
                NOW
            )
            .unwrap(),
        verified
    );
    assert_eq!(
        verifier.verify(card.auth_certificate_der(), CHALLENGE, &again, NOW),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(verifier.cached_certificates(), 1);
}

#[test]
fn a_digest_signature_is_the_same_signature() {
    let mut card = issue();
    let verifier = verifier_with_crl(NOW);
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, CHALLENGE);
    let signature = card.sign_auth_digest(PIN, digest.as_ref()).unwrap();
    assert_eq!(signature, card.sign_auth(PIN, CHALLENGE).unwrap());
    verifier
        .verify(card.auth_certificate_der(), CHALLENGE, &signature, NOW)
        .unwrap();
}

#[test]
fn wrong_pins_count_down_and_lock_even_the_right_pin_out() {
    let mut card = issue();
    assert_eq!(card.auth_tries_left(), 3);
    assert!(matches!(
        card.sign_auth("0000", CHALLENGE),
        Err(CardError::WrongPin { tries_left: 2 })
    ));
    assert!(matches!(
        card.sign_auth("0001", CHALLENGE),
        Err(CardError::WrongPin { tries_left: 1 })
    ));
    assert!(matches!(
        card.sign_auth("0002", CHALLENGE),
        Err(CardError::Locked)
    ));
    assert_eq!(card.auth_tries_left(), 0);
    assert!(card.auth_locked());
    assert!(matches!(
        card.sign_auth(PIN, CHALLENGE),
        Err(CardError::Locked)
    ));
    assert!(matches!(
        card.change_auth_pin(PIN, "5678"),
        Err(CardError::Locked)
    ));
    // The signature application has its own counter.
    assert_eq!(card.sign_tries_left(), 5);
    card.sign_with_signature_key(PASSWORD, b"doc").unwrap();
}

#[test]
fn a_right_pin_restores_the_counter() {
    let mut card = issue();
    let _ = card.sign_auth("9999", CHALLENGE);
    let _ = card.sign_auth("9998", CHALLENGE);
    assert_eq!(card.auth_tries_left(), 1);
    card.sign_auth(PIN, CHALLENGE).unwrap();
    assert_eq!(card.auth_tries_left(), 3);
}

#[test]
fn the_signature_password_locks_after_five() {
    let mut card = issue();
    for left in (1..=4).rev() {
        assert!(matches!(
            card.sign_with_signature_key("WRONG1", b"doc"),
            Err(CardError::WrongPin { tries_left }) if tries_left == left
        ));
    }
    assert!(matches!(
        card.sign_certificate_der_with_password("WRONG1"),
        Err(CardError::Locked)
    ));
    assert!(matches!(
        card.sign_certificate_der_with_password(PASSWORD),
        Err(CardError::Locked)
    ));
    assert_eq!(card.auth_tries_left(), 3);
}

/// A document signed with the signature key verifies against the signature CA (chain, CRL, usages) with
/// the certificate read in the same password check; an authentication verifier refuses it.
#[test]
fn a_document_signature_verifies_against_the_signature_ca() {
    let mut card = issue();
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b"an application");
    let signed = card
        .sign_digest_with_signature_key(PASSWORD, digest.as_ref())
        .unwrap();
    assert_eq!(
        signed.signature,
        card.sign_with_signature_key(PASSWORD, b"an application")
            .unwrap(),
        "signing the digest is signing the document"
    );
    let certificate = card
        .sign_certificate_der_with_password(PASSWORD)
        .unwrap()
        .to_vec();
    assert_eq!(signed.certificate, certificate);

    let crl = authority().sign_crl_der(NOW).unwrap();
    let verifier = Verifier::for_signatures(authority().sign_ca_der(), Some(&crl)).unwrap();
    let verified = verifier
        .verify_digest(&certificate, digest.as_ref(), &signed.signature, NOW)
        .unwrap();
    verifier
        .verify(&certificate, b"an application", &signed.signature, NOW)
        .unwrap();
    assert_eq!(
        verifier.verify_digest(&certificate, &[0u8; 32], &signed.signature, NOW),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(
        verifier_with_crl(NOW).verify(&certificate, b"an application", &signed.signature, NOW),
        Err(VerifyError::UnknownIssuer),
        "a signature certificate is no sign-in certificate"
    );
    let auth_signature = card.sign_auth(PIN, b"an application").unwrap();
    assert_eq!(
        verifier.verify(
            card.auth_certificate_der(),
            b"an application",
            &auth_signature,
            NOW
        ),
        Err(VerifyError::UnknownIssuer),
        "nor an authentication certificate a signature certificate"
    );

    // Revoking the signature certificate makes the signature CA's next CRL refuse it.
    let serial = Serial::from_hex(&verified.serial_hex).unwrap();
    authority().revoke(&serial, NOW);
    let later = NOW + Duration::hours(1);
    let crl = authority().sign_crl_der(later).unwrap();
    assert_eq!(
        verifier.with_crl(&crl).unwrap().verify_digest(
            &certificate,
            digest.as_ref(),
            &signed.signature,
            later
        ),
        Err(VerifyError::Revoked)
    );
}

#[test]
fn signing_a_digest_spends_one_try_per_wrong_password() {
    let mut card = issue();
    let digest = [1u8; 32];
    assert!(matches!(
        card.sign_digest_with_signature_key("WRONG1", &digest),
        Err(CardError::WrongPin { tries_left: 4 })
    ));
    assert!(matches!(
        card.sign_digest_with_signature_key("wrong", &digest),
        Err(CardError::InvalidSignPasswordFormat)
    ));
    assert_eq!(
        card.sign_tries_left(),
        4,
        "a malformed password spends nothing"
    );
    card.sign_digest_with_signature_key(PASSWORD, &digest)
        .unwrap();
    assert_eq!(card.sign_tries_left(), 5);
    for _ in 0..5 {
        let _ = card.sign_digest_with_signature_key("WRONG1", &digest);
    }
    assert!(matches!(
        card.sign_digest_with_signature_key(PASSWORD, &digest),
        Err(CardError::Locked)
    ));
}

#[test]
fn malformed_pins_are_refused_without_spending_a_try() {
    let mut authority = authority();
    let expiry = date!(2035 - 01 - 01);
    for pin in ["123", "12345", "12a4", ""] {
        assert!(matches!(
            authority.issue(&holder(), CardKind::Card, pin, PASSWORD, expiry, NOW),
            Err(CardError::InvalidAuthPinFormat)
        ));
    }
    for password in ["ABC12", "abc123", "ABCDEFGHIJ1234567", "ABC 123"] {
        assert!(matches!(
            authority.issue(&holder(), CardKind::Card, PIN, password, expiry, NOW),
            Err(CardError::InvalidSignPasswordFormat)
        ));
    }
    drop(authority);

    let mut card = issue();
    assert!(matches!(
        card.sign_auth("12345", CHALLENGE),
        Err(CardError::InvalidAuthPinFormat)
    ));
    assert!(matches!(
        card.change_auth_pin(PIN, "12"),
        Err(CardError::InvalidAuthPinFormat)
    ));
    assert!(matches!(
        card.sign_with_signature_key("abc123", b"doc"),
        Err(CardError::InvalidSignPasswordFormat)
    ));
    assert_eq!(card.auth_tries_left(), 3);
    assert_eq!(card.sign_tries_left(), 5);
}

#[test]
fn the_auth_certificate_carries_no_personal_data() {
    let card = issue();
    let der = card.auth_certificate_der();
    let cert = parse(der);

    let attributes: Vec<(String, String)> = cert
        .subject()
        .iter_attributes()
        .map(|a| (a.attr_type().to_id_string(), a.as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(attributes.len(), 2, "{attributes:?}");
    assert_eq!(attributes[0], ("2.5.4.6".to_owned(), "JP".to_owned()));
    assert_eq!(attributes[1].0, "2.5.4.3");
    let cn = &attributes[1].1;
    assert_eq!(cn.len(), 23);
    assert!(
        cn.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
        "{cn}"
    );

    assert!(cert.subject_alternative_name().unwrap().is_none());
    let holder = holder();
    for personal in [&holder.name, &holder.address, &"19900615".to_owned()] {
        assert!(
            !der.windows(personal.len())
                .any(|w| w == personal.as_bytes()),
            "{personal} is in the auth certificate"
        );
    }

    assert!(
        cert.extended_key_usage()
            .unwrap()
            .unwrap()
            .value
            .client_auth
    );
    let ku = cert.key_usage().unwrap().unwrap().value;
    assert!(ku.digital_signature() && !ku.non_repudiation());
    let policies = cert
        .get_extension_unique(&x509_parser::oid_registry::OID_X509_EXT_CERTIFICATE_POLICIES)
        .unwrap()
        .expect("certificatePolicies");
    assert!(!policies.critical);
    match policies.parsed_extension() {
        ParsedExtension::CertificatePolicies(p) => {
            assert_eq!(p[0].policy_id.to_id_string(), "1.2.392.200149.8.5.1.3.30")
        }
        other => panic!("{other:?}"),
    }

    let serial = cert.raw_serial();
    assert_eq!(serial.len(), 16);
    assert!(serial[0] & 0x80 == 0 && serial[0] != 0);
    assert_eq!(card.serial_hex(), Serial::from_bytes(serial).to_hex());
    assert_eq!(card.serial_hex().len(), 32);

    let issuer: Vec<&str> = cert
        .issuer()
        .iter_attributes()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        issuer,
        [
            "JP",
            "JPKI",
            "JPKI for user authentication",
            "Portal Test CA (simulated, not J-LIS)"
        ]
    );
    let algorithm = &cert.signature_algorithm.algorithm;
    assert_eq!(algorithm.to_id_string(), "1.2.840.113549.1.1.11");
}

#[test]
fn opaque_ids_and_serials_differ_between_cards() {
    let a = issue();
    let b = issue();
    assert_ne!(a.serial_hex(), b.serial_hex());
    let cn = |card: &SoftwareCard| {
        parse(card.auth_certificate_der())
            .subject()
            .iter_common_name()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_ne!(cn(&a), cn(&b));
}

#[test]
fn the_signature_certificate_carries_the_basic_four() {
    let mut card = issue();
    let der = card
        .sign_certificate_der_with_password(PASSWORD)
        .unwrap()
        .to_vec();
    let identity = read_signature_identity(&der).unwrap();
    let holder = holder();
    assert_eq!(identity.name, holder.name);
    assert_eq!(identity.birth_date, holder.birth_date);
    assert_eq!(identity.sex, Sex::Female);
    assert_eq!(identity.address, holder.address);

    let cert = parse(&der);
    let san = cert.subject_alternative_name().unwrap().unwrap();
    let oids: Vec<String> = san
        .value
        .general_names
        .iter()
        .map(|name| match name {
            GeneralName::OtherName(oid, _) => oid.to_id_string(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        oids,
        [
            "1.2.392.200149.8.5.5.1",
            "1.2.392.200149.8.5.5.4",
            "1.2.392.200149.8.5.5.3",
            "1.2.392.200149.8.5.5.5"
        ]
    );
    let birth = san
        .value
        .general_names
        .iter()
        .find_map(|name| match name {
            GeneralName::OtherName(oid, raw) if oid.to_id_string().ends_with(".5.5.4") => {
                Some(*raw)
            }
            _ => None,
        })
        .unwrap();
    assert!(birth.ends_with(b"19900615"));

    let locality = cert.subject().iter_locality().next().unwrap();
    assert_eq!(locality.as_str().unwrap(), "清瀬市");
    let ku = cert.key_usage().unwrap().unwrap().value;
    assert!(ku.digital_signature() && ku.non_repudiation());
    assert!(cert.extended_key_usage().unwrap().is_none());
    assert_eq!(
        cert.issuer()
            .iter_organizational_unit()
            .next()
            .unwrap()
            .as_str()
            .unwrap(),
        "JPKI for digital signature"
    );
}

#[test]
fn validity_ends_at_the_fifth_birthday_or_card_expiry() {
    // Birthday 15 June, issued 1 April 2025: the 5th birthday after issue is 15 June 2029.
    let card = issue_at(&holder(), date!(2035 - 01 - 01), NOW);
    assert_eq!(card.not_after(), datetime!(2029-06-15 23:59:59 +9));
    let cert = parse(card.auth_certificate_der());
    assert_eq!(
        cert.validity().not_before.to_datetime(),
        NOW - Duration::minutes(1)
    );

    // The card expires first.
    let mut card = issue_at(&holder(), date!(2027 - 12 - 31), NOW);
    assert_eq!(card.not_after(), datetime!(2027-12-31 23:59:59 +9));
    let sign = card.sign_certificate_der_with_password(PASSWORD).unwrap();
    assert_eq!(
        parse(sign).validity().not_after.to_datetime(),
        datetime!(2027-12-31 23:59:59 +9)
    );

    // Born on 29 February: the 5th birthday falls in a common year, on 28 February.
    let leap = Holder {
        birth_date: date!(2004 - 02 - 29),
        ..holder()
    };
    let card = issue_at(&leap, date!(2035 - 01 - 01), NOW);
    assert_eq!(card.not_after(), datetime!(2030-02-28 23:59:59 +9));

    assert!(matches!(
        authority().issue(
            &holder(),
            CardKind::Smartphone,
            PIN,
            PASSWORD,
            date!(2025 - 03 - 31),
            NOW
        ),
        Err(CardError::ExpiryBeforeIssue)
    ));
}

#[test]
fn a_revoked_certificate_is_refused_once_the_crl_lists_it() {
    let mut card = issue();
    let signature = card.sign_auth(PIN, CHALLENGE).unwrap();
    let before = verifier_with_crl(NOW);
    before
        .verify(card.auth_certificate_der(), CHALLENGE, &signature, NOW)
        .unwrap();

    authority().revoke(card.serial(), NOW);
    let later = NOW + Duration::hours(1);
    let crl = authority().auth_crl_der(later).unwrap();
    let after = before.with_crl(&crl).unwrap();
    assert_eq!(
        after.verify(card.auth_certificate_der(), CHALLENGE, &signature, later),
        Err(VerifyError::Revoked)
    );

    // Another card of the same authority is unaffected.
    let mut other = issue();
    let signature = other.sign_auth(PIN, CHALLENGE).unwrap();
    after
        .verify(other.auth_certificate_der(), CHALLENGE, &signature, later)
        .unwrap();
}

#[test]
fn a_stale_crl_is_refused() {
    let mut card = issue();
    let signature = card.sign_auth(PIN, CHALLENGE).unwrap();
    let verifier = verifier_with_crl(NOW);
    let stale = NOW + Duration::hours(25);
    // Fresh verifier (full check) and a warmed one (cached chain result) both refuse.
    let warmed = verifier_with_crl(NOW);
    warmed
        .verify(card.auth_certificate_der(), CHALLENGE, &signature, NOW)
        .unwrap();
    for v in [&verifier, &warmed] {
        assert_eq!(
            v.verify(card.auth_certificate_der(), CHALLENGE, &signature, stale),
            Err(VerifyError::CrlExpired)
        );
    }
    assert_eq!(
        verifier.crl_next_update(),
        Some(NOW.replace_nanosecond(0).unwrap() + Duration::hours(24))
    );
}

#[test]
fn a_card_from_another_authority_is_an_unknown_issuer() {
    let mut stranger = Authority::generate(NOW).unwrap();
    let mut card = stranger
        .issue(
            &holder(),
            CardKind::Card,
            PIN,
            PASSWORD,
            date!(2030 - 01 - 01),
            NOW,
        )
        .unwrap();
    let signature = card.sign_auth(PIN, CHALLENGE).unwrap();
    for verifier in [
        verifier_with_crl(NOW),
        Verifier::new(authority().auth_ca_der(), None).unwrap(),
    ] {
        assert_eq!(
            verifier.verify(card.auth_certificate_der(), CHALLENGE, &signature, NOW),
            Err(VerifyError::UnknownIssuer)
        );
    }
    // Nor is another authority's CRL accepted.
    let foreign_crl = stranger.auth_crl_der(NOW).unwrap();
    assert!(matches!(
        Verifier::new(authority().auth_ca_der(), Some(&foreign_crl)),
        Err(VerifyError::InvalidCrl(_))
    ));
}

#[test]
fn a_signature_certificate_is_not_a_sign_in_certificate() {
    let mut card = issue();
    let sign_cert = card
        .sign_certificate_der_with_password(PASSWORD)
        .unwrap()
        .to_vec();
    let signature = card.sign_with_signature_key(PASSWORD, CHALLENGE).unwrap();
    let verifier = verifier_with_crl(NOW);
    assert_eq!(
        verifier.verify(&sign_cert, CHALLENGE, &signature, NOW),
        Err(VerifyError::UnknownIssuer)
    );
    // The signature CA's CRL does not belong to the authentication CA either.
    let sign_crl = authority().sign_crl_der(NOW).unwrap();
    assert!(matches!(
        Verifier::new(authority().auth_ca_der(), Some(&sign_crl)),
        Err(VerifyError::InvalidCrl(_))
    ));
}

#[test]
fn expired_and_not_yet_valid_certificates_are_refused() {
    // Issued in 2015 to someone born 1 January 1980: valid until 1 January 2020.
    let issued = datetime!(2015-03-01 00:00 UTC);
    let old = Holder {
        birth_date: date!(1980 - 01 - 01),
        ..holder()
    };
    let mut card = issue_at(&old, date!(2025 - 01 - 01), issued);
    assert_eq!(card.not_after(), datetime!(2020-01-01 23:59:59 +9));
    let signature = card.sign_auth(PIN, CHALLENGE).unwrap();
    let verifier = verifier_with_crl(NOW);
    assert_eq!(
        verifier.verify(card.auth_certificate_der(), CHALLENGE, &signature, NOW),
        Err(VerifyError::Expired)
    );

    let mut fresh = issue();
    let signature = fresh.sign_auth(PIN, CHALLENGE).unwrap();
    let no_crl = Verifier::new(authority().auth_ca_der(), None).unwrap();
    let early = NOW - Duration::hours(1);
    assert_eq!(
        no_crl.verify(fresh.auth_certificate_der(), CHALLENGE, &signature, early),
        Err(VerifyError::NotYetValid)
    );
    // Valid a little later; and refused again on the cached path once past notAfter.
    no_crl
        .verify(fresh.auth_certificate_der(), CHALLENGE, &signature, NOW)
        .unwrap();
    assert_eq!(
        no_crl.verify(
            fresh.auth_certificate_der(),
            CHALLENGE,
            &signature,
            fresh.not_after() + Duration::seconds(1)
        ),
        Err(VerifyError::Expired)
    );
}

#[test]
fn tampered_signatures_messages_and_certificates_are_refused() {
    let mut card = issue();
    let verifier = verifier_with_crl(NOW);
    let signature = card.sign_auth(PIN, CHALLENGE).unwrap();
    let cert = card.auth_certificate_der();

    let mut bad = signature.clone();
    bad[17] ^= 0x01;
    assert_eq!(
        verifier.verify(cert, CHALLENGE, &bad, NOW),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(
        verifier.verify(cert, b"portal sign-in challenge 7f3b", &signature, NOW),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(
        verifier.verify(cert, CHALLENGE, &signature[1..], NOW),
        Err(VerifyError::BadSignature)
    );
    // A signature by another card's key over the same challenge.
    let mut other = issue();
    let foreign = other.sign_auth(PIN, CHALLENGE).unwrap();
    assert_eq!(
        verifier.verify(cert, CHALLENGE, &foreign, NOW),
        Err(VerifyError::BadSignature)
    );

    // One flipped byte inside the signed part of the certificate breaks the chain.
    let mut forged = cert.to_vec();
    let cn_at = forged.len() / 3;
    forged[cn_at] ^= 0x01;
    assert!(
        verifier
            .verify(&forged, CHALLENGE, &signature, NOW)
            .is_err()
    );
    assert_eq!(
        verifier.verify(b"not a certificate", CHALLENGE, &signature, NOW),
        Err(VerifyError::Malformed)
    );
    verifier.verify(cert, CHALLENGE, &signature, NOW).unwrap();
}

#[test]
fn pins_change_with_the_current_pin_and_reset_with_the_other() {
    let mut card = issue();
    assert!(matches!(
        card.change_auth_pin("0000", "5678"),
        Err(CardError::WrongPin { tries_left: 2 })
    ));
    card.change_auth_pin(PIN, "5678").unwrap();
    assert_eq!(card.auth_tries_left(), 3);
    assert!(matches!(
        card.sign_auth(PIN, CHALLENGE),
        Err(CardError::WrongPin { tries_left: 2 })
    ));
    card.sign_auth("5678", CHALLENGE).unwrap();

    card.change_sign_password(PASSWORD, "NEWPASS9").unwrap();
    card.sign_with_signature_key("NEWPASS9", b"doc").unwrap();

    // Lock the auth PIN, then reset it at the "kiosk" with the signature password.
    for _ in 0..3 {
        let _ = card.sign_auth("0000", CHALLENGE);
    }
    assert!(card.auth_locked());
    card.reset_auth_pin("NEWPASS9", "2468").unwrap();
    assert!(!card.auth_locked());
    assert_eq!(card.auth_tries_left(), 3);
    card.sign_auth("2468", CHALLENGE).unwrap();

    // And the other way round.
    for _ in 0..5 {
        let _ = card.sign_with_signature_key("WRONG1", b"doc");
    }
    assert!(card.sign_locked());
    card.reset_sign_password("2468", "FRESH1").unwrap();
    card.sign_with_signature_key("FRESH1", b"doc").unwrap();

    // With both locked, only the municipal window helps.
    for _ in 0..3 {
        let _ = card.sign_auth("0000", CHALLENGE);
    }
    for _ in 0..5 {
        let _ = card.sign_with_signature_key("WRONG1", b"doc");
    }
    assert!(matches!(
        card.reset_auth_pin("FRESH1", "1111"),
        Err(CardError::Locked)
    ));
    assert!(matches!(
        card.reset_sign_password("2468", "FRESH2"),
        Err(CardError::Locked)
    ));
}

#[test]
fn the_card_file_round_trips_with_its_counters() {
    let mut card = issue();
    let _ = card.sign_auth("0000", CHALLENGE);
    let _ = card.sign_with_signature_key("WRONG1", b"doc");
    let _ = card.sign_with_signature_key("WRONG2", b"doc");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("card.json");
    card.save(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let json = std::fs::read_to_string(&path).unwrap();
    assert!(!json.contains(PASSWORD));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["kind"], "card");
    assert_eq!(value["auth"]["tries_left"], 2);
    assert_eq!(value["sign"]["tries_left"], 3);
    assert_eq!(value["auth"]["locked"], false);
    assert_eq!(value["holder"]["birth_date"], "1990-06-15");
    for key in ["private_key", "certificate", "pin_salt", "pin_sha256"] {
        assert!(value["auth"][key].is_string(), "{key}");
    }

    let mut loaded = SoftwareCard::load(&path).unwrap();
    assert_eq!(loaded.auth_tries_left(), 2);
    assert_eq!(loaded.sign_tries_left(), 3);
    assert_eq!(loaded.serial_hex(), card.serial_hex());
    assert_eq!(loaded.not_after(), card.not_after());
    assert_eq!(loaded.holder(), card.holder());
    assert_eq!(loaded.auth_certificate_der(), card.auth_certificate_der());
    let signature = loaded.sign_auth(PIN, CHALLENGE).unwrap();
    verifier_with_crl(NOW)
        .verify(loaded.auth_certificate_der(), CHALLENGE, &signature, NOW)
        .unwrap();
    assert_eq!(loaded.auth_tries_left(), 3);

    // A locked card stays locked through the file.
    for _ in 0..3 {
        let _ = loaded.sign_auth("0000", CHALLENGE);
    }
    let reloaded = SoftwareCard::from_json(&loaded.to_json().unwrap()).unwrap();
    assert!(reloaded.auth_locked());
    assert!(SoftwareCard::from_json("{}").is_err());
}

#[test]
fn concurrent_changes_to_the_authority_take_turns_and_none_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    // Generated once first, as the server does at start.
    Authority::update(dir.path(), NOW, |_| Ok(())).unwrap();
    let threads: Vec<_> = (0..4u8)
        .map(|t| {
            let dir = dir.path().to_owned();
            std::thread::spawn(move || {
                for i in 0..10u8 {
                    let serial = Serial::from_hex(&format!("7f{t:02x}{i:02x}")).unwrap();
                    Authority::update(&dir, NOW, |authority| {
                        authority.revoke(&serial, NOW);
                        authority.auth_crl_der(NOW).map(|_| ())
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let mut authority = Authority::load(dir.path()).unwrap();
    for t in 0..4u8 {
        for i in 0..10u8 {
            let serial = Serial::from_hex(&format!("7f{t:02x}{i:02x}")).unwrap();
            assert!(authority.is_revoked(&serial), "revocation {t}/{i} was lost");
        }
    }
    let crl = authority.auth_crl_der(NOW).unwrap();
    let number = x509_parser::revocation_list::CertificateRevocationList::from_der(&crl)
        .unwrap()
        .1
        .crl_number()
        .unwrap()
        .to_string();
    assert_eq!(number, "41", "each of the 40 changes numbered its own CRL");
}

#[test]
fn the_authority_survives_save_and_load() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = Authority::load_or_generate(dir.path(), NOW).unwrap();
    let crl_number = |der: &[u8]| {
        x509_parser::revocation_list::CertificateRevocationList::from_der(der)
            .unwrap()
            .1
            .crl_number()
            .unwrap()
            .to_string()
    };
    assert_eq!(crl_number(&first.auth_crl_der(NOW).unwrap()), "1");
    let mut card = first
        .issue(
            &holder(),
            CardKind::Smartphone,
            PIN,
            PASSWORD,
            date!(2030 - 01 - 01),
            NOW,
        )
        .unwrap();
    first.revoke(card.serial(), NOW);
    first.save(dir.path()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for key in ["auth-ca.key.pem", "sign-ca.key.pem"] {
            let mode = std::fs::metadata(dir.path().join(key))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{key}");
        }
    }

    let mut second = Authority::load_or_generate(dir.path(), NOW).unwrap();
    assert_eq!(second.auth_ca_der(), first.auth_ca_der());
    assert_eq!(second.sign_ca_der(), first.sign_ca_der());
    assert!(second.is_revoked(card.serial()));
    let crl = second.auth_crl_der(NOW).unwrap();
    assert_eq!(crl_number(&crl), "2");
    assert_eq!(crl_number(&second.auth_crl_der(NOW).unwrap()), "3");

    // Certificates issued after loading chain to the saved CA; the revoked one stays revoked.
    let mut fresh = second
        .issue(
            &holder(),
            CardKind::Card,
            PIN,
            PASSWORD,
            date!(2030 - 01 - 01),
            NOW,
        )
        .unwrap();
    let verifier = Verifier::new(first.auth_ca_der(), Some(&crl)).unwrap();
    let signature = fresh.sign_auth(PIN, CHALLENGE).unwrap();
    verifier
        .verify(fresh.auth_certificate_der(), CHALLENGE, &signature, NOW)
        .unwrap();
    let signature = card.sign_auth(PIN, CHALLENGE).unwrap();
    assert_eq!(
        verifier.verify(card.auth_certificate_der(), CHALLENGE, &signature, NOW),
        Err(VerifyError::Revoked)
    );
    assert_eq!(card.kind().token(), "JPKIAPGPSETOKEN");
}

#[test]
fn openssl_agrees_on_chain_purpose_and_revocation() {
    let Ok(version) = std::process::Command::new("openssl")
        .arg("version")
        .output()
    else {
        eprintln!("openssl not installed: skipped");
        return;
    };
    assert!(version.status.success());
    let pem = |label: &str, der: &[u8]| {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let mut card = issue();
    let ca = write("ca.pem", pem("CERTIFICATE", authority().auth_ca_der()));
    let cert = write("card.pem", pem("CERTIFICATE", card.auth_certificate_der()));
    let sign_cert = write(
        "sign.pem",
        pem(
            "CERTIFICATE",
            card.sign_certificate_der_with_password(PASSWORD).unwrap(),
        ),
    );
    let verify = |crl: &std::path::Path, leaf: &std::path::Path| {
        let out = std::process::Command::new("openssl")
            .args(["verify", "-CAfile"])
            .arg(&ca)
            .args(["-crl_check", "-CRLfile"])
            .arg(crl)
            .args(["-purpose", "sslclient", "-attime"])
            .arg(NOW.unix_timestamp().to_string())
            .arg(leaf)
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let crl = write(
        "crl.pem",
        pem("X509 CRL", &authority().auth_crl_der(NOW).unwrap()),
    );
    let out = verify(&crl, &cert);
    assert!(out.contains(": OK"), "{out}");
    let out = verify(&crl, &sign_cert);
    assert!(!out.contains(": OK"), "{out}");

    authority().revoke(card.serial(), NOW);
    let crl = write(
        "crl.pem",
        pem("X509 CRL", &authority().auth_crl_der(NOW).unwrap()),
    );
    let out = verify(&crl, &cert);
    assert!(out.contains("certificate revoked"), "{out}");
}

#[test]
fn the_verifier_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Verifier>();
    assert_send_sync::<Authority>();
    assert_send_sync::<SoftwareCard>();

    let mut card = issue();
    let signature = card.sign_auth(PIN, CHALLENGE).unwrap();
    let verifier = std::sync::Arc::new(verifier_with_crl(NOW));
    let cert = card.auth_certificate_der().to_vec();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (verifier, cert, signature) = (verifier.clone(), cert.clone(), signature.clone());
            std::thread::spawn(move || verifier.verify(&cert, CHALLENGE, &signature, NOW))
        })
        .collect();
    for thread in threads {
        thread.join().unwrap().unwrap();
    }
    assert_eq!(verifier.cached_certificates(), 1);
}

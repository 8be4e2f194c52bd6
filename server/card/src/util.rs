//! Small helpers: the DER that rcgen cannot express, PEM, private files, randomness.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::error::CardError;

/// DER of `certificatePolicies` with one policy and no qualifiers (rcgen has no builder for it).
pub(crate) fn certificate_policies(policy: &[u64]) -> Vec<u8> {
    let oid = tlv(0x06, &oid_body(policy));
    let info = tlv(0x30, &oid);
    tlv(0x30, &info)
}

fn oid_body(arcs: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    let (first, second) = (
        arcs.first().copied().unwrap_or(0),
        arcs.get(1).copied().unwrap_or(0),
    );
    base128(first * 40 + second, &mut out);
    for &arc in arcs.iter().skip(2) {
        base128(arc, &mut out);
    }
    out
}

fn base128(mut value: u64, out: &mut Vec<u8>) {
    let mut digits = vec![(value & 0x7f) as u8];
    value >>= 7;
    while value > 0 {
        digits.push((value & 0x7f) as u8 | 0x80);
        value >>= 7;
    }
    out.extend(digits.iter().rev());
}

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(body);
    out
}

pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], CardError> {
    let mut out = [0u8; N];
    aws_lc_rs::rand::fill(&mut out).map_err(|_| CardError::Crypto("no randomness".into()))?;
    Ok(out)
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `data` so that only the owner can read it (keys, PIN hashes), replacing `path` atomically.
pub(crate) fn write_private(path: &Path, data: &[u8]) -> Result<(), CardError> {
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = options.open(&tmp).and_then(|mut file| {
        file.write_all(data)?;
        file.sync_all()
    });
    result.map_err(|e| CardError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| CardError::io(path, e))
}

pub(crate) fn read(path: &Path) -> Result<Vec<u8>, CardError> {
    std::fs::read(path).map_err(|e| CardError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_oid_encoding() {
        // The JPKI arc 1.2.392.200149 is 2A 83 08 8C 9B 55, as public readers of real cards match it.
        let der = certificate_policies(&[1, 2, 392, 200149, 8, 5, 1, 3, 30]);
        assert_eq!(
            der,
            [
                0x30, 0x0f, 0x30, 0x0d, 0x06, 0x0b, 0x2a, 0x83, 0x08, 0x8c, 0x9b, 0x55, 0x08, 0x05,
                0x01, 0x03, 0x1e
            ]
        );
    }
}

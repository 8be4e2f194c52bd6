use base64::Engine;
use rand::{Rng, RngCore};

/// `bytes` random bytes from the OS generator, URL-safe base64 without padding.
pub fn token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Crockford's base32 alphabet: no I, L, O or U, so a reference read out over the phone is unambiguous.
pub const REFERENCE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A reference shown to people (`FB-20261126-7K3Q9M`): a prefix, the day, and six characters of
/// [`REFERENCE_ALPHABET`].
pub fn reference(prefix: &str, today: time::Date) -> String {
    let mut rng = rand::rng();
    let suffix: String = (0..6)
        .map(|_| char::from(REFERENCE_ALPHABET[rng.random_range(0..REFERENCE_ALPHABET.len())]))
        .collect();
    format!(
        "{prefix}-{:04}{:02}{:02}-{suffix}",
        today.year(),
        u8::from(today.month()),
        today.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_carry_the_date_and_six_unambiguous_characters() {
        let reference = reference("FB", time::macros::date!(2026 - 11 - 26));
        let (prefix, suffix) = reference.split_at("FB-20261126-".len());
        assert_eq!(prefix, "FB-20261126-");
        assert_eq!(suffix.len(), 6);
        assert!(
            suffix.bytes().all(|b| REFERENCE_ALPHABET.contains(&b)),
            "{reference}"
        );
    }
}

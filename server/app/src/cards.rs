//! Trust in My Number Card certificates: the authentication CA and its CRL for sign-in, and the signature
//! CA and its CRL for electronically signed applications.
//!
//! On one machine the portal runs its own test CA (simulated JPKI, never the real J-LIS CAs), created under
//! `<data_dir>/card-ca` on first start; `portal card …` issues and revokes cards there. The server re-reads
//! the CA's revocations and re-publishes its CRL on a schedule, so a revoked card is refused without a
//! restart and the CRL never goes stale. Elsewhere the CA certificate and CRL are configured
//! (`card_trust_anchor`, `card_crl`: a file or an http(s) URL) and the CRL is fetched on the same schedule;
//! no signature CA is configured then, so the portal offers no electronic signing.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use portal_card::{Authority, Verifier};
use time::OffsetDateTime;

use crate::error::AppError;

/// How often revocations are picked up.
pub const CRL_REFRESH: Duration = Duration::from_secs(60);

/// Where trust comes from.
#[derive(Debug, Clone)]
pub enum CardSource {
    /// The portal's own simulated CA in this folder (created on first start); its CRL is re-issued on
    /// every refresh, so it never goes stale.
    TestCa(PathBuf),
    /// A configured authentication CA certificate (PEM or DER) and its CRL, read from a file or fetched
    /// from an http(s) URL on every refresh; no CA key on this machine.
    Configured { anchor: PathBuf, crl: String },
}

pub struct CardTrust {
    source: CardSource,
    verifier: RwLock<Arc<Verifier>>,
    /// Signature certificates: only with the test CA (see the module comment).
    signatures: RwLock<Option<Arc<Verifier>>>,
}

/// The verifiers one refresh builds: sign-in, and signatures when the source has a signature CA.
type Verifiers = (Verifier, Option<Verifier>);

fn startup(what: &str) -> impl Fn(String) -> AppError + '_ {
    move |e| AppError::Startup(format!("{what}: {e}"))
}

/// DER from a PEM (the first block) or DER file's bytes.
fn der_from(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(bytes.to_vec());
    };
    let Some(begin) = text.find("-----BEGIN ") else {
        return Ok(bytes.to_vec());
    };
    let body_start = text[begin..]
        .find('\n')
        .map(|i| begin + i + 1)
        .ok_or("truncated PEM")?;
    let body_end = text[body_start..]
        .find("-----END ")
        .map(|i| body_start + i)
        .ok_or("PEM without END line")?;
    let body: String = text[body_start..body_end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|e| format!("PEM body: {e}"))
}

impl CardTrust {
    /// Opens the trust source and builds the first verifier; a problem here stops the start with its reason.
    pub async fn open(source: CardSource) -> Result<CardTrust, AppError> {
        let (verifier, signatures) = Self::build(&source).await?;
        Ok(CardTrust {
            source,
            verifier: RwLock::new(Arc::new(verifier)),
            signatures: RwLock::new(signatures.map(Arc::new)),
        })
    }

    async fn build(source: &CardSource) -> Result<Verifiers, AppError> {
        match source {
            CardSource::TestCa(dir) => {
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || Self::build_test_ca(&dir))
                    .await
                    .map_err(|e| AppError::Startup(e.to_string()))?
            }
            CardSource::Configured { anchor, crl } => {
                let anchor_bytes = tokio::fs::read(anchor).await.map_err(|e| {
                    AppError::Startup(format!("card CA certificate {}: {e}", anchor.display()))
                })?;
                let anchor_der = der_from(&anchor_bytes).map_err(startup("card CA certificate"))?;
                let crl_bytes = if crl.starts_with("http://") || crl.starts_with("https://") {
                    let res = reqwest::get(crl.as_str())
                        .await
                        .map_err(|e| AppError::Startup(format!("card CRL {crl}: {e}")))?;
                    if !res.status().is_success() {
                        return Err(AppError::Startup(format!(
                            "card CRL {crl}: HTTP {}",
                            res.status()
                        )));
                    }
                    res.bytes()
                        .await
                        .map_err(|e| AppError::Startup(format!("card CRL {crl}: {e}")))?
                        .to_vec()
                } else {
                    tokio::fs::read(crl)
                        .await
                        .map_err(|e| AppError::Startup(format!("card CRL {crl}: {e}")))?
                };
                let crl_der = der_from(&crl_bytes).map_err(startup("card CRL"))?;
                let verifier = Verifier::new(&anchor_der, Some(&crl_der))
                    .map_err(|e| AppError::Startup(format!("card trust: {e}")))?;
                Ok((verifier, None))
            }
        }
    }

    fn build_test_ca(dir: &Path) -> Result<Verifiers, AppError> {
        let now = OffsetDateTime::now_utc();
        let (auth_ca, auth_crl, sign_ca, sign_crl) = Authority::update(dir, now, |authority| {
            let auth_crl = authority.auth_crl_der(now)?;
            let sign_crl = authority.sign_crl_der(now)?;
            Ok((
                authority.auth_ca_der().to_vec(),
                auth_crl,
                authority.sign_ca_der().to_vec(),
                sign_crl,
            ))
        })
        .map_err(|e| AppError::Startup(format!("card CA in {}: {e}", dir.display())))?;
        for (file, crl) in [("auth.crl", &auth_crl), ("sign.crl", &sign_crl)] {
            if let Err(e) = std::fs::write(dir.join(file), crl) {
                tracing::warn!(error = %e, file, "could not publish the CRL file");
            }
        }
        let verifier = Verifier::new(&auth_ca, Some(&auth_crl))
            .map_err(|e| AppError::Startup(format!("card verifier: {e}")))?;
        let signatures = Verifier::for_signatures(&sign_ca, Some(&sign_crl))
            .map_err(|e| AppError::Startup(format!("signature verifier: {e}")))?;
        Ok((verifier, Some(signatures)))
    }

    pub fn verifier(&self) -> Arc<Verifier> {
        match self.verifier.read() {
            Ok(v) => v.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The verifier of electronic signatures; `None` when no signature CA is trusted (signing is then not
    /// offered).
    pub fn signature_verifier(&self) -> Option<Arc<Verifier>> {
        match self.signatures.read() {
            Ok(v) => v.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Picks up revocations made since the last refresh. On failure the previous CRLs stay in force until
    /// their nextUpdate; after that the verifiers refuse every card (a stale CRL proves nothing).
    pub async fn refresh(&self) -> Result<(), AppError> {
        let (verifier, signatures) = Self::build(&self.source).await?;
        let (fresh, signatures) = (Arc::new(verifier), signatures.map(Arc::new));
        match self.verifier.write() {
            Ok(mut v) => *v = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        match self.signatures.write() {
            Ok(mut v) => *v = signatures,
            Err(poisoned) => *poisoned.into_inner() = signatures,
        }
        Ok(())
    }
}

pub fn spawn_refresh(trust: Arc<CardTrust>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CRL_REFRESH);
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = trust.refresh().await {
                tracing::warn!(error = %e, "refreshing the card CRL failed");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::der_from;

    #[test]
    fn pem_and_der_are_both_accepted() {
        let pem = b"-----BEGIN X509 CRL-----\nAQID\nBA==\n-----END X509 CRL-----\n";
        assert_eq!(der_from(pem).expect("pem"), vec![1, 2, 3, 4]);
        assert_eq!(
            der_from(&[0x30, 0x82, 0xff]).expect("der"),
            vec![0x30, 0x82, 0xff]
        );
        assert!(der_from(b"-----BEGIN X509 CRL-----\nAQID").is_err());
    }
}

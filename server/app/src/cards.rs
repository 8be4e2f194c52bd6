//! Trust in My Number Card authentication certificates: the authentication CA and its CRL.
//!
//! On one machine the portal runs its own test CA (simulated JPKI, never the real J-LIS CAs), created under
//! `<data_dir>/card-ca` on first start; `portal card …` issues and revokes cards there. The server re-reads
//! the CA's revocations and re-publishes its CRL on a schedule, so a revoked card is refused without a
//! restart and the CRL never goes stale.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use portal_card::{Authority, Verifier};
use time::OffsetDateTime;

use crate::error::AppError;

/// How often revocations are picked up.
pub const CRL_REFRESH: Duration = Duration::from_secs(60);

pub struct CardTrust {
    dir: PathBuf,
    verifier: RwLock<Arc<Verifier>>,
}

impl CardTrust {
    /// Loads (or on first start creates) the test CA in `dir` and publishes a fresh CRL.
    pub fn open(dir: &Path) -> Result<CardTrust, AppError> {
        let verifier = Self::build(dir)?;
        Ok(CardTrust {
            dir: dir.to_owned(),
            verifier: RwLock::new(Arc::new(verifier)),
        })
    }

    fn build(dir: &Path) -> Result<Verifier, AppError> {
        let now = OffsetDateTime::now_utc();
        let mut authority = Authority::load_or_generate(dir, now)
            .map_err(|e| AppError::Startup(format!("card CA in {}: {e}", dir.display())))?;
        let crl = authority
            .auth_crl_der(now)
            .map_err(|e| AppError::Startup(format!("card CRL: {e}")))?;
        authority
            .save(dir)
            .map_err(|e| AppError::Startup(format!("card CA in {}: {e}", dir.display())))?;
        if let Err(e) = std::fs::write(dir.join("auth.crl"), &crl) {
            tracing::warn!(error = %e, "could not publish the CRL file");
        }
        Verifier::new(authority.auth_ca_der(), Some(&crl))
            .map_err(|e| AppError::Startup(format!("card verifier: {e}")))
    }

    pub fn verifier(&self) -> Arc<Verifier> {
        match self.verifier.read() {
            Ok(v) => v.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Picks up revocations made since the last refresh (e.g. by `portal card revoke`).
    pub fn refresh(&self) -> Result<(), AppError> {
        let fresh = Arc::new(Self::build(&self.dir)?);
        match self.verifier.write() {
            Ok(mut v) => *v = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
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
            let trust = trust.clone();
            match tokio::task::spawn_blocking(move || trust.refresh()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "refreshing the card CRL failed"),
                Err(e) => tracing::warn!(error = %e, "refreshing the card CRL stopped"),
            }
        }
    });
}

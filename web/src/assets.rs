//! Static files embedded in the binary and served under content-hashed names, so they can be cached for a
//! year (`immutable`) and still change the moment a new build ships.

use sha2::{Digest, Sha256};
use std::sync::LazyLock;

pub struct Asset {
    /// Logical name used by templates, e.g. `css/portal.css`.
    pub name: &'static str,
    /// Name with the content hash, e.g. `css/portal.3f2a9c01d4.css`; served at `/static/<hashed>`.
    pub hashed: String,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! embed {
    ($name:literal, $type:literal) => {
        (
            $name,
            $type,
            include_bytes!(concat!("../static/", $name)).as_slice(),
        )
    };
}

const FILES: &[(&str, &str, &[u8])] = &[
    embed!("css/portal.css", "text/css; charset=utf-8"),
    embed!("js/portal.js", "text/javascript; charset=utf-8"),
    embed!("images/favicon.svg", "image/svg+xml"),
];

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, content_type, bytes)| {
            let digest = hex::encode(Sha256::digest(bytes));
            let short = digest.get(..10).unwrap_or(&digest);
            let hashed = match name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{short}.{ext}"),
                None => format!("{name}.{short}"),
            };
            Asset {
                name,
                hashed,
                content_type,
                bytes,
            }
        })
        .collect()
});

/// URL of an asset by logical name. An unknown name yields a URL that 404s, and a test catches it.
pub fn url(name: &str) -> String {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(asset) => format!("/static/{}", asset.hashed),
        None => format!("/static/missing/{name}"),
    }
}

/// The asset served at `/static/<hashed>`.
pub fn find(hashed: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.hashed == hashed)
}

pub fn all() -> &'static [Asset] {
    &ASSETS
}

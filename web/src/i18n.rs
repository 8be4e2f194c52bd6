//! Message catalogs. Every string a page shows comes from `locales/<lang>.toml`, never from a template.
//! Keys are dotted paths (`home.title`); a test keeps both catalogs with the same keys and checks that every
//! key a template names exists.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The languages the portal speaks. Japanese is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    /// The BCP 47 tag used in `lang` attributes and in the language cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language the switch in the header offers.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }

    /// The message for `key`; the key itself when missing (tests keep that from happening).
    pub fn t(self, key: &str) -> &'static str {
        match self.get(key) {
            Some(text) => text,
            None => {
                // Leaking is bounded by the number of distinct missing keys, which tests keep at zero.
                Box::leak(key.to_owned().into_boxed_str())
            }
        }
    }

    /// The message for `key`, or `None` when the catalog has no such key (for optional variants such as
    /// `<key>_one`).
    pub fn get(self, key: &str) -> Option<&'static str> {
        let catalog = match self {
            Lang::Ja => &*JA,
            Lang::En => &*EN,
        };
        catalog.get(key).map(String::as_str)
    }

    /// `t` with `{name}` placeholders replaced.
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

pub const JA_SOURCE: &str = include_str!("../locales/ja.toml");
pub const EN_SOURCE: &str = include_str!("../locales/en.toml");

static JA: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| parse_catalog(JA_SOURCE).unwrap_or_default());
static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| parse_catalog(EN_SOURCE).unwrap_or_default());

/// Flattens nested TOML tables into dotted keys.
pub fn parse_catalog(source: &str) -> Result<HashMap<String, String>, String> {
    let table: toml::Table = source.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let mut out = HashMap::new();
    flatten("", &table, &mut out)?;
    Ok(out)
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut HashMap<String, String>,
) -> Result<(), String> {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::String(text) => {
                out.insert(full, text.clone());
            }
            toml::Value::Table(inner) => flatten(&full, inner, out)?,
            other => {
                return Err(format!(
                    "{full}: expected a string or a table, found {}",
                    other.type_str()
                ));
            }
        }
    }
    Ok(())
}

//! The service catalogue (ぴったりサービス): every procedure, whether it can be done online, who can use it,
//! what is needed, and the form behind it; found by agency, category, life event and words.
//!
//! The search ignores what people cannot see or do not mean: full- and half-width letters, digits and kana,
//! hiragana against katakana, and upper against lower case ("じどうてあて", "ジドウテアテ" and "ｼﾞﾄﾞｳﾃｱﾃ" all
//! find 児童手当, whose reading is in the catalogue).

use serde::Deserialize;

use crate::Localized;

/// The life events the catalogue is browsed by.
pub const LIFE_EVENTS: [&str; 5] = ["childbirth", "care", "moving", "disaster", "benefits"];

/// One procedure.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    pub id: String,
    pub title: Localized,
    /// How the title reads, in kana, so a search by reading finds it.
    pub reading: String,
    /// The agency code of who handles it.
    pub agency: String,
    /// One of the notice categories' words for the subject: tax, pension, health, benefits, disaster, other.
    pub category: String,
    /// From [`LIFE_EVENTS`].
    pub life_events: Vec<String>,
    pub summary: Localized,
    /// Who can apply.
    pub who: Localized,
    /// What is needed, one item each.
    pub needs: Vec<Localized>,
    /// The form definition's id when it can be done online; `None` when it cannot (the page says where to go).
    #[serde(default)]
    pub form: Option<String>,
}

impl Procedure {
    pub fn online(&self) -> bool {
        self.form.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    procedures: Vec<Procedure>,
}

/// What the citizen narrowed the catalogue to; empty means everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub words: String,
    pub agency: Option<String>,
    pub category: Option<String>,
    pub life_event: Option<String>,
}

/// The procedures, in the order of the catalogue file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    pub procedures: Vec<Procedure>,
}

impl Catalogue {
    /// The catalogue shipped with the portal (`presets/procedures.toml`).
    pub fn bundled() -> Result<Catalogue, toml::de::Error> {
        Catalogue::parse(include_str!("../presets/procedures.toml"))
    }

    pub fn parse(text: &str) -> Result<Catalogue, toml::de::Error> {
        let document: Document = toml::from_str(text)?;
        Ok(Catalogue {
            procedures: document.procedures,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Procedure> {
        self.procedures.iter().find(|p| p.id == id)
    }

    /// The procedures that pass `filter`. Every word must be found in the title (either language), the
    /// reading or the summary, after [`fold`].
    pub fn find(&self, filter: &Filter) -> Vec<&Procedure> {
        let words: Vec<String> = fold(&filter.words)
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        self.procedures
            .iter()
            .filter(|p| filter.agency.as_ref().is_none_or(|a| *a == p.agency))
            .filter(|p| filter.category.as_ref().is_none_or(|c| *c == p.category))
            .filter(|p| {
                filter
                    .life_event
                    .as_ref()
                    .is_none_or(|e| p.life_events.contains(e))
            })
            .filter(|p| {
                if words.is_empty() {
                    return true;
                }
                let haystack = fold(&format!(
                    "{} {} {} {} {}",
                    p.title.ja, p.title.en, p.reading, p.summary.ja, p.summary.en
                ));
                words.iter().all(|w| haystack.contains(w.as_str()))
            })
            .collect()
    }
}

/// Half-width katakana and punctuation (U+FF61–U+FF9F) as full-width, in code point order.
const HALF_WIDTH_KANA: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜";

/// Folds text for searching: full-width ASCII to ASCII, lower case, the ideographic space to a space,
/// half-width katakana to full-width (with its voiced marks joined), and hiragana to katakana.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let code = u32::from(c);
        let folded = match code {
            0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            0x3041..=0x3096 => char::from_u32(code + 0x60).unwrap_or(c),
            0xFF61..=0xFF9F => {
                let index = usize::try_from(code - 0xFF61).unwrap_or(0);
                let full = HALF_WIDTH_KANA.chars().nth(index).unwrap_or(c);
                // A half-width voiced or semi-voiced mark joins the kana before it, as one full-width kana.
                if matches!(full, '゛' | '゜')
                    && let Some(previous) = out.pop()
                {
                    out.push(voiced(previous, full == '゜'));
                    continue;
                }
                full
            }
            _ => c,
        };
        out.extend(folded.to_lowercase());
    }
    out
}

/// カ + ゛ = ガ, ハ + ゜ = パ, ウ + ゛ = ヴ; a kana that takes no such mark stays as it is. In the
/// full-width block each voiced kana follows its base, and the semi-voiced one follows that.
fn voiced(base: char, semi: bool) -> char {
    let step = match (base, semi) {
        ('ウ', false) => return 'ヴ',
        (_, false) if "カキクケコサシスセソタチツテトハヒフヘホ".contains(base) => {
            1
        }
        (_, true) if "ハヒフヘホ".contains(base) => 2,
        _ => return base,
    };
    char::from_u32(u32::from(base) + step).unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_case_and_kana_are_folded() {
        assert_eq!(fold("じどうてあて"), "ジドウテアテ");
        assert_eq!(fold("ｼﾞﾄﾞｳﾃｱﾃ"), "ジドウテアテ");
        assert_eq!(fold("ﾊﾟﾋﾞﾌﾟﾃﾞﾄﾞｳﾞ"), "パビプデドヴ");
        assert_eq!(fold("ＡＢＣ１２３"), "abc123");
        assert_eq!(fold("児童手当　請求"), "児童手当 請求");
    }

    #[test]
    fn every_bundled_procedure_is_complete_and_its_form_exists() {
        let catalogue = Catalogue::bundled().expect("the bundled catalogue parses");
        assert!(catalogue.procedures.len() >= 5);
        let forms: Vec<&str> = crate::PRESETS.iter().map(|(id, _)| *id).collect();
        for p in &catalogue.procedures {
            for event in &p.life_events {
                assert!(LIFE_EVENTS.contains(&event.as_str()), "{}: {event}", p.id);
            }
            if let Some(form) = &p.form {
                assert!(forms.contains(&form.as_str()), "{}: no preset {form}", p.id);
            }
            assert!(!p.needs.is_empty(), "{} says what is needed", p.id);
        }
        for (form, _) in crate::PRESETS {
            assert!(
                catalogue
                    .procedures
                    .iter()
                    .any(|p| p.form.as_deref() == Some(form)),
                "the preset {form} is offered in the catalogue"
            );
        }
    }

    #[test]
    fn searching_ignores_width_and_kana_and_combines_filters() {
        let catalogue = Catalogue::bundled().expect("catalogue");
        for words in [
            "じどうてあて",
            "ジドウテアテ",
            "ｼﾞﾄﾞｳﾃｱﾃ",
            "児童手当",
            "CHILD allowance",
        ] {
            let found = catalogue.find(&Filter {
                words: words.to_owned(),
                ..Filter::default()
            });
            assert!(
                found.iter().any(|p| p.id == "child_allowance"),
                "{words} finds the child allowance"
            );
        }
        let disaster = catalogue.find(&Filter {
            life_event: Some("disaster".to_owned()),
            ..Filter::default()
        });
        assert!(!disaster.is_empty());
        assert!(
            disaster
                .iter()
                .all(|p| p.life_events.iter().any(|e| e == "disaster"))
        );
        let none = catalogue.find(&Filter {
            words: "児童手当".to_owned(),
            life_event: Some("disaster".to_owned()),
            ..Filter::default()
        });
        assert!(none.is_empty(), "both filters apply");
    }
}

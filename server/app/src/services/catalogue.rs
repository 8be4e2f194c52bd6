//! The service catalogue (ぴったりサービス) as the pages show it: procedures in the page's language, with
//! the names of their agencies, life events and categories.

use std::sync::OnceLock;

use portal_forms::catalogue::{Catalogue, Filter, LIFE_EVENTS, Procedure};
use portal_web::Lang;
use portal_web::pages::notices::category_name;
use portal_web::pages::services::{FilterOption, ServiceFilterForm, ServiceRow, WORDS_MAX_CHARS};

use crate::services::agencies::REGISTRY;

/// The bundled catalogue, read once. Its file is part of the binary and a test reads it, so it cannot fail
/// to parse in a build that passed; an empty catalogue is the safe answer if it ever did.
pub fn bundled() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        Catalogue::bundled().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the bundled service catalogue does not parse");
            Catalogue {
                procedures: Vec::new(),
            }
        })
    })
}

/// An agency's name in `lang`, or its code for one the registry does not know.
pub fn agency_name(code: &str, lang: Lang) -> String {
    REGISTRY
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, _, ja, en)| if lang == Lang::Ja { *ja } else { *en })
        .unwrap_or(code)
        .to_owned()
}

fn localized(text: &portal_forms::Localized, lang: Lang) -> String {
    if lang == Lang::Ja {
        text.ja.clone()
    } else {
        text.en.clone()
    }
}

fn chosen(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// The procedures the filter finds, in catalogue order.
pub fn find(form: &ServiceFilterForm, lang: Lang) -> Vec<ServiceRow> {
    let filter = Filter {
        words: form.words.chars().take(WORDS_MAX_CHARS).collect(),
        agency: chosen(&form.agency),
        category: chosen(&form.category),
        life_event: chosen(&form.life_event),
    };
    bundled()
        .find(&filter)
        .into_iter()
        .map(|p| ServiceRow {
            id: p.id.clone(),
            title: localized(&p.title, lang),
            summary: localized(&p.summary, lang),
            agency: agency_name(&p.agency, lang),
            online: p.online(),
        })
        .collect()
}

/// Every life event, named.
pub fn life_events(lang: Lang) -> Vec<FilterOption> {
    LIFE_EVENTS
        .iter()
        .map(|code| {
            let name = lang
                .get(&format!("services.life_event.{code}"))
                .unwrap_or(code);
            ((*code).to_owned(), name.to_owned())
        })
        .collect()
}

/// The categories and agencies that have a procedure, each once, in catalogue order.
pub fn categories_and_agencies(lang: Lang) -> (Vec<FilterOption>, Vec<FilterOption>) {
    let mut categories: Vec<FilterOption> = Vec::new();
    let mut agencies: Vec<FilterOption> = Vec::new();
    for p in &bundled().procedures {
        if !categories.iter().any(|(c, _)| *c == p.category) {
            categories.push((p.category.clone(), category_name(lang, &p.category)));
        }
        if !agencies.iter().any(|(c, _)| *c == p.agency) {
            agencies.push((p.agency.clone(), agency_name(&p.agency, lang)));
        }
    }
    (categories, agencies)
}

/// One procedure, for its page.
pub fn get(id: &str) -> Option<&'static Procedure> {
    bundled().get(id)
}

/// The page's texts of a procedure in `lang`: (title, summary, who, needs).
pub fn texts(p: &Procedure, lang: Lang) -> (String, String, String, Vec<String>) {
    (
        localized(&p.title, lang),
        localized(&p.summary, lang),
        localized(&p.who, lang),
        p.needs.iter().map(|n| localized(n, lang)).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_catalogue_parses_and_names_known_agencies() {
        let catalogue = Catalogue::bundled().expect("the bundled catalogue parses");
        assert!(catalogue.procedures.len() >= 5);
        for p in &catalogue.procedures {
            assert_ne!(agency_name(&p.agency, Lang::Ja), p.agency, "{}", p.id);
        }
    }

    #[test]
    fn every_life_event_has_its_name_in_both_catalogs() {
        for lang in Lang::ALL {
            for (code, name) in life_events(lang) {
                assert_ne!(code, name, "{lang:?}");
            }
        }
    }

    #[test]
    fn a_search_in_hiragana_finds_the_kanji_title() {
        let form = ServiceFilterForm {
            words: "じどうてあて".into(),
            ..ServiceFilterForm::default()
        };
        let rows = find(&form, Lang::Ja);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].id, "child_allowance");
    }
}

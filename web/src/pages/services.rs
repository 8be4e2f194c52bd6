//! ぴったりサービス: the catalogue of procedures (works signed out) and the page of one procedure.

use askama::Template;

use crate::Shell;
use crate::shell::encode_query_value;

/// The longest search text taken, in characters; more is cut off rather than refused.
pub const WORDS_MAX_CHARS: usize = 100;

/// The catalogue filter as typed (a GET form, so a search can be bookmarked and works without JavaScript).
///
/// | field      | id (label target) | name         |
/// |------------|-------------------|--------------|
/// | words      | `words`           | `words`      |
/// | life event | `life_event`      | `life_event` |
/// | category   | `category`        | `category`   |
/// | agency     | `agency`          | `agency`     |
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct ServiceFilterForm {
    pub words: String,
    pub life_event: String,
    pub category: String,
    pub agency: String,
}

impl ServiceFilterForm {
    /// The filter's query string, empty fields left out: for links that keep the search.
    pub fn query(&self) -> String {
        [
            ("words", self.words.trim()),
            ("life_event", self.life_event.trim()),
            ("category", self.category.trim()),
            ("agency", self.agency.trim()),
        ]
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", encode_query_value(value)))
        .collect::<Vec<_>>()
        .join("&")
    }

    pub fn is_filtered(&self) -> bool {
        !self.query().is_empty()
    }
}

/// One procedure in the catalogue list, ready to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceRow {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// Who handles it, in the page's language.
    pub agency: String,
    pub online: bool,
}

/// An option of one of the filter's selects: (value, text).
pub type FilterOption = (String, String);

/// 手続きをさがす (`/services`): browse by life event (links), narrow by words, category and agency (a GET
/// form), then every procedure that matches, saying whether it can be done online.
#[derive(Template)]
#[template(path = "pages/services.html")]
pub struct ServicesPage {
    pub shell: Shell,
    pub form: ServiceFilterForm,
    /// (code, name) of every life event.
    pub life_events: Vec<FilterOption>,
    /// (code, name) of every category that has a procedure.
    pub categories: Vec<FilterOption>,
    /// (code, name) of every agency that has a procedure.
    pub agencies: Vec<FilterOption>,
    pub rows: Vec<ServiceRow>,
}

impl ServicesPage {
    /// A select's options: "all" first, the chosen one selected.
    fn options(&self, all: &[FilterOption], chosen: &str) -> Vec<(String, String, bool)> {
        let mut options = vec![(
            String::new(),
            self.shell.t("services.filter.all").to_owned(),
            chosen.trim().is_empty(),
        )];
        options.extend(
            all.iter()
                .map(|(code, name)| (code.clone(), name.clone(), code == chosen.trim())),
        );
        options
    }

    pub fn life_event_options(&self) -> Vec<(String, String, bool)> {
        self.options(&self.life_events, &self.form.life_event)
    }

    pub fn category_options(&self) -> Vec<(String, String, bool)> {
        self.options(&self.categories, &self.form.category)
    }

    pub fn agency_options(&self) -> Vec<(String, String, bool)> {
        self.options(&self.agencies, &self.form.agency)
    }

    /// "3 procedures" or, after a search, "3 procedures match".
    pub fn showing(&self) -> String {
        let key = if self.form.is_filtered() {
            "services.results.matching"
        } else {
            "services.results.all"
        };
        self.shell.tn(key, self.rows.len())
    }

    /// The life event links: (href, name, whether it is the one chosen).
    pub fn life_event_links(&self) -> Vec<(String, String, bool)> {
        self.life_events
            .iter()
            .map(|(code, name)| {
                (
                    format!("/services?life_event={}", encode_query_value(code)),
                    name.clone(),
                    *code == self.form.life_event.trim(),
                )
            })
            .collect()
    }
}

/// The page of one procedure (`/services/{id}`): what it is, who can apply, what is needed, who handles it,
/// and either a start button (online) or where to go instead.
#[derive(Template)]
#[template(path = "pages/service.html")]
pub struct ServicePage {
    pub shell: Shell,
    pub title: String,
    pub summary: String,
    pub who: String,
    pub needs: Vec<String>,
    pub agency: String,
    /// Where the online application starts; `None` when it cannot be done online.
    pub start_href: Option<String>,
    /// The catalogue search the citizen came from, to go back to it (`/services?…`).
    pub back_href: String,
}

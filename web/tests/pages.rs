//! Renders every page in both languages and checks the structure that WCAG and the house rules need, so a
//! template change that breaks it fails here before axe ever runs: one h1, `lang`, the skip link first,
//! `<main id="main-content">`, no inline styles, unique ids, every id reference resolvable, error-summary
//! links landing on form controls, the "エラー: " title prefix, the CSP nonce on every script, and every
//! static asset resolvable.

use std::collections::{BTreeSet, HashSet};

use askama::Template;
use portal_web::components::FieldErrors;
use portal_web::i18n::{EN_SOURCE, JA_SOURCE, parse_catalog};
use portal_web::pages::email::{FeedbackHtml, FeedbackSubject, FeedbackText};
use portal_web::pages::{
    AccessibilityPage, ComponentsPage, ErrorPage, FeedbackForm, FeedbackPage, FeedbackSentPage,
    HomePage,
};
use portal_web::{Lang, Shell, assets};

const NONCE: &str = "t3stNonce";
const CSRF: &str = "csrf-t0ken";

/// Every error the server can report on the feedback form, one per field, in page order.
const ALL_FEEDBACK_ERRORS: &[(&str, &str)] = &[
    ("topic", "feedback.errors.topic_required"),
    ("area", "feedback.errors.area_invalid"),
    ("message", "feedback.errors.message_too_long"),
    ("happened", "feedback.errors.happened_invalid"),
    ("email", "feedback.errors.email_required"),
    ("name", "feedback.errors.name_too_long"),
];

const ERROR_STATUSES: &[u16] = &[400, 403, 404, 405, 413, 429, 500, 503, 418];

fn shell(lang: Lang, path: &str) -> Shell {
    Shell {
        lang,
        nonce: NONCE.into(),
        csrf_token: CSRF.into(),
        path: path.into(),
        version: "9.9.9",
    }
}

fn render(template: &impl Template) -> String {
    template
        .render()
        .unwrap_or_else(|e| panic!("render failed: {e}"))
}

fn filled_form() -> FeedbackForm {
    FeedbackForm {
        topic: "suggestion".into(),
        area: "refund_account".into(),
        message: "手続の<b>画面</b>が\n分かりにくいです & \"改善\"を".into(),
        happened_day: "31".into(),
        happened_month: "2".into(),
        happened_year: "2026".into(),
        reply: "yes".into(),
        email: "taro@example".into(),
        name: "山田 太郎".into(),
    }
}

fn all_errors() -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (field, key) in ALL_FEEDBACK_ERRORS {
        errors.add(field, key);
    }
    errors
}

/// Every page with a name, whether its title must carry the error prefix, and the error-summary targets.
fn all_pages(lang: Lang) -> Vec<(String, String, bool, Vec<&'static str>)> {
    let mut pages = vec![
        (
            "home".to_owned(),
            render(&HomePage {
                shell: shell(lang, "/"),
            }),
            false,
            vec![],
        ),
        (
            "accessibility".to_owned(),
            render(&AccessibilityPage {
                shell: shell(lang, "/accessibility"),
            }),
            false,
            vec![],
        ),
        (
            "feedback (empty)".to_owned(),
            render(&FeedbackPage {
                shell: shell(lang, "/feedback"),
                form: FeedbackForm::default(),
                errors: FieldErrors::default(),
            }),
            false,
            vec![],
        ),
        (
            "feedback (all errors)".to_owned(),
            render(&FeedbackPage {
                shell: shell(lang, "/feedback"),
                form: filled_form(),
                errors: all_errors(),
            }),
            true,
            ALL_FEEDBACK_ERRORS
                .iter()
                .map(|(field, _)| *field)
                .collect(),
        ),
        (
            "feedback sent".to_owned(),
            render(&FeedbackSentPage {
                shell: shell(lang, "/feedback/sent"),
                reference: "FB-2026-000123".into(),
            }),
            false,
            vec![],
        ),
        (
            "components".to_owned(),
            render(&ComponentsPage {
                shell: shell(lang, "/_components"),
            }),
            false,
            ComponentsPage {
                shell: shell(lang, "/_components"),
            }
            .example_errors()
            .iter()
            .map(|e| e.field)
            .collect(),
        ),
    ];
    for status in ERROR_STATUSES {
        pages.push((
            format!("error {status}"),
            render(&ErrorPage {
                shell: shell(lang, "/some/where?x=1"),
                status: *status,
            }),
            true,
            vec![],
        ));
    }
    pages
}

/// Values of `attr="…"` (preceded by whitespace, so `data-id` is not `id`).
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    for sep in [" ", "\n"] {
        let needle = format!("{sep}{attr}=\"");
        let mut from = 0;
        while let Some(found) = html[from..].find(&needle) {
            let start = from + found + needle.len();
            let end = html[start..].find('"').map_or(html.len(), |e| start + e);
            out.push(&html[start..end]);
            from = end;
        }
    }
    out
}

/// The tag name of the element carrying `id="<id>"`.
fn tag_with_id<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let at = html.find(&format!(" id=\"{id}\""))?;
    let open = html[..at].rfind('<')?;
    let name = &html[open + 1..at];
    Some(name.split_whitespace().next().unwrap_or(name))
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    let to = html[from..].find(end)? + from;
    Some(&html[from..to])
}

fn check_structure(
    name: &str,
    lang: Lang,
    html: &str,
    error_title: bool,
    summary_targets: &[&str],
) {
    let ctx = format!("{name} [{}]", lang.code());

    assert!(html.starts_with("<!DOCTYPE html>"), "{ctx}: no doctype");
    assert!(
        html.contains(&format!("<html lang=\"{}\">", lang.code())),
        "{ctx}: wrong or missing lang"
    );
    assert_eq!(
        html.matches("<h1").count(),
        1,
        "{ctx}: needs exactly one <h1>"
    );
    assert!(
        html.contains("<main id=\"main-content\""),
        "{ctx}: no <main id=\"main-content\">"
    );
    assert!(
        !html.contains(" style=") && !html.contains("<style"),
        "{ctx}: inline style (CSP forbids it)"
    );

    // The skip link is the first element in <body> and targets main.
    let body = between(html, "<body>", "</body>").unwrap_or_else(|| panic!("{ctx}: no <body>"));
    assert!(
        body.trim_start()
            .starts_with("<a href=\"#main-content\" class=\"skip-link\""),
        "{ctx}: the skip link must be the first element in <body>, found: {}",
        &body.trim_start()[..80.min(body.trim_start().len())]
    );

    // Every script carries the nonce; the only inline one is the js-enabled marker.
    let scripts = html.matches("<script").count();
    assert_eq!(
        scripts,
        html.matches(&format!("nonce=\"{NONCE}\"")).count(),
        "{ctx}: script without the nonce"
    );
    assert_eq!(
        html.matches("<script nonce=").count(),
        1,
        "{ctx}: exactly one inline script expected"
    );
    for (at, _) in html.match_indices(" on") {
        let rest = &html[at + 3..];
        let name_len = rest.chars().take_while(char::is_ascii_lowercase).count();
        assert!(
            !(name_len > 0 && rest[name_len..].starts_with("=\"")),
            "{ctx}: inline event handler"
        );
    }

    // Title: error pages and forms with errors start with the prefix; others do not.
    let title = between(html, "<title>", "</title>").unwrap_or_else(|| panic!("{ctx}: no <title>"));
    let prefix = lang.t("error.title_prefix");
    assert!(!title.trim().is_empty(), "{ctx}: empty title");
    assert_eq!(
        title.starts_with(prefix),
        error_title,
        "{ctx}: title {title:?} and the error prefix {prefix:?}"
    );
    assert!(
        title.ends_with(lang.t("service.name")),
        "{ctx}: title {title:?} should end with the service name"
    );

    // Ids are unique, and every reference to an id resolves.
    let ids = attr_values(html, "id");
    let unique: BTreeSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), unique.len(), "{ctx}: duplicate ids: {:?}", {
        let mut seen = BTreeSet::new();
        ids.iter()
            .filter(|id| !seen.insert(**id))
            .collect::<Vec<_>>()
    });
    for attr in ["aria-describedby", "aria-labelledby", "aria-controls"] {
        for value in attr_values(html, attr) {
            for id in value.split_whitespace() {
                assert!(
                    unique.contains(&id),
                    "{ctx}: {attr} names #{id}, which is not on the page"
                );
            }
        }
    }
    for id in attr_values(html, "for") {
        assert_eq!(
            tag_with_id(html, id).map(|t| matches!(t, "input" | "select" | "textarea")),
            Some(true),
            "{ctx}: <label for=\"{id}\"> has no form control"
        );
    }
    for href in attr_values(html, "href") {
        if let Some(id) = href.strip_prefix('#') {
            assert!(
                unique.contains(&id),
                "{ctx}: link to #{id}, which is not on the page"
            );
        }
    }

    // Every visible form control has a label.
    for (tag, rest) in html
        .match_indices("<input")
        .chain(html.match_indices("<select"))
        .chain(html.match_indices("<textarea"))
        .map(|(i, t)| (t, &html[i..]))
    {
        let element = &rest[..rest.find('>').unwrap_or(rest.len())];
        if element.contains("type=\"hidden\"") {
            continue;
        }
        let id = between(element, " id=\"", "\"")
            .unwrap_or_else(|| panic!("{ctx}: {tag} without id: {element}"));
        assert!(
            html.contains(&format!("for=\"{id}\"")),
            "{ctx}: #{id} has no <label for>"
        );
    }

    // The error summary links exactly to the fields in error, and each target is a form control.
    let summary = between(html, "class=\"error-summary\"", "</ul>");
    match (summary, summary_targets.is_empty()) {
        (None, true) => {}
        (None, false) => panic!("{ctx}: error summary missing"),
        (Some(_), true) => panic!("{ctx}: error summary shown without errors"),
        (Some(summary), false) => {
            let links: Vec<_> = attr_values(summary, "href")
                .into_iter()
                .map(|h| h.trim_start_matches('#'))
                .collect();
            assert_eq!(links, summary_targets, "{ctx}: error summary links");
            for id in links {
                assert!(
                    matches!(tag_with_id(html, id), Some("input" | "select" | "textarea")),
                    "{ctx}: error summary target #{id} is not a form control"
                );
                assert!(
                    html.contains(&format!("id=\"{id}-error\"")),
                    "{ctx}: #{id} has no error message"
                );
            }
        }
    }

    // No untranslated key (t() returns the key itself when missing) and no unfilled placeholder.
    let keys = catalog_keys();
    for text in html.split(['<', '>', '"']).map(str::trim) {
        assert!(!keys.contains(text), "{ctx}: untranslated key {text}");
    }
    for placeholder in ["{version}", "{status}", "{page}", "{key}", "{reference}"] {
        assert!(!html.contains(placeholder), "{ctx}: unfilled {placeholder}");
    }

    // Static assets resolve to embedded files.
    for url in attr_values(html, "href")
        .into_iter()
        .chain(attr_values(html, "src"))
    {
        if let Some(hashed) = url.strip_prefix("/static/") {
            assert!(
                assets::find(hashed).is_some(),
                "{ctx}: asset {url} is not embedded"
            );
        }
    }

    // The language switch names the other language in that language.
    let other = lang.other().code();
    assert!(
        html.contains(&format!(
            "lang=\"{other}\" hreflang=\"{other}\">{}</a>",
            lang.t("header.language_switch")
        )),
        "{ctx}: language switch"
    );
}

fn catalog_keys() -> &'static HashSet<String> {
    static KEYS: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys: HashSet<String> = parse_catalog(JA_SOURCE)
            .unwrap_or_default()
            .into_keys()
            .collect();
        keys.extend(parse_catalog(EN_SOURCE).unwrap_or_default().into_keys());
        assert!(keys.len() > 100, "catalogs did not load");
        keys
    })
}

#[test]
fn every_page_has_an_accessible_structure() {
    let mut count = 0;
    for lang in Lang::ALL {
        for (name, html, error_title, targets) in all_pages(lang) {
            check_structure(&name, lang, &html, error_title, &targets);
            count += 1;
        }
    }
    assert_eq!(count, 2 * (6 + ERROR_STATUSES.len()));
}

#[test]
fn structure_check_catches_problems() {
    let good = render(&HomePage {
        shell: shell(Lang::Ja, "/"),
    });
    let broken = [
        good.replacen("<h1", "<h1 class=\"x\"></h1><h1", 1),
        good.replacen("<main id=\"main-content\"", "<main", 1),
        good.replacen("<body>", "<body><div style=\"color:red\"></div>", 1),
        good.replacen("<body>\n<a", "<body>\n<p>x</p><a", 1),
        good.replacen("</main>", "<p aria-describedby=\"nowhere\"></p></main>", 1),
        good.replacen("</main>", "<p id=\"main-content\"></p></main>", 1),
        good.replacen("</main>", "<a href=\"#nowhere\">x</a></main>", 1),
        good.replacen("</main>", "<p>home.features.heading</p></main>", 1),
        good.replacen("<title>", "<title>エラー: ", 1),
        good.replacen("<script nonce=\"t3stNonce\">", "<script>", 1),
        good.replacen("</main>", "<button onclick=\"x()\">x</button></main>", 1),
        good.replacen("</main>", "<label for=\"ghost\">x</label></main>", 1),
    ];
    for (i, html) in broken.iter().enumerate() {
        assert_ne!(html, &good, "mutation {i} did not apply");
        let result =
            std::panic::catch_unwind(|| check_structure("mutated", Lang::Ja, html, false, &[]));
        assert!(result.is_err(), "mutation {i} was not caught");
    }
}

#[test]
fn navigation_marks_the_current_page() {
    let html = render(&FeedbackPage {
        shell: shell(Lang::En, "/feedback"),
        form: FeedbackForm::default(),
        errors: FieldErrors::default(),
    });
    assert_eq!(html.matches("aria-current=").count(), 1);
    assert!(html.contains("href=\"/feedback\" aria-current=\"page\">Feedback</a>"));
    let sent = render(&FeedbackSentPage {
        shell: shell(Lang::En, "/feedback/sent"),
        reference: "R".into(),
    });
    assert!(sent.contains("href=\"/feedback\" aria-current=\"true\">"));
    let home = render(&HomePage {
        shell: shell(Lang::Ja, "/?x"),
    });
    assert!(home.contains("href=\"/\" aria-current=\"page\">"));
    assert!(home.contains("href=\"/language/en?next=/%3Fx\""));
}

#[test]
fn feedback_form_keeps_what_was_typed_and_shows_each_error() {
    for lang in Lang::ALL {
        let html = render(&FeedbackPage {
            shell: shell(lang, "/feedback"),
            form: filled_form(),
            errors: all_errors(),
        });
        let form = between(
            &html,
            "<form method=\"post\" action=\"/feedback\" novalidate>",
            "</form>",
        )
        .unwrap_or_else(|| panic!("no POST form with novalidate"));
        assert!(form.contains(&format!(
            "<input type=\"hidden\" name=\"csrf_token\" value=\"{CSRF}\">"
        )));
        assert!(
            form.contains("value=\"suggestion\" checked"),
            "topic not kept"
        );
        assert!(
            form.contains("<option value=\"refund_account\" selected>"),
            "area not kept"
        );
        assert!(
            form.contains(
                "&#60;b&#62;画面&#60;/b&#62;が\n分かりにくいです &#38; &#34;改善&#34;を</textarea>"
            ),
            "message not kept or not escaped"
        );
        assert!(form.contains("id=\"happened\" name=\"happened_year\" type=\"text\" inputmode=\"numeric\" value=\"2026\""));
        assert!(form.contains("id=\"happened-month\" name=\"happened_month\" type=\"text\" inputmode=\"numeric\" value=\"2\""));
        assert!(form.contains("id=\"happened-day\" name=\"happened_day\" type=\"text\" inputmode=\"numeric\" value=\"31\""));
        assert!(
            form.contains("id=\"reply\" name=\"reply\" type=\"checkbox\" value=\"yes\" checked")
        );
        assert!(form.contains("id=\"email\" name=\"email\" type=\"email\" value=\"taro@example\""));
        assert!(form.contains("autocomplete=\"email\" spellcheck=\"false\""));
        assert!(form.contains("id=\"name\" name=\"name\" type=\"text\" value=\"山田 太郎\""));
        assert!(form.contains("autocomplete=\"name\""));
        assert!(form.contains("data-prevent-double-click=\"true\""));
        assert!(
            !form.contains(" maxlength="),
            "the character count must not block typing"
        );
        for (field, key) in ALL_FEEDBACK_ERRORS {
            let message = lang.t(key);
            assert!(
                html.contains(&format!("<p id=\"{field}-error\" class=\"error-message\"><span class=\"visually-hidden\">{}</span> {message}</p>", lang.t("error_message.prefix"))),
                "{field}: error message next to the field"
            );
            assert_eq!(
                html.matches(message).count(),
                2,
                "{field}: message in the summary and by the field"
            );
        }
        // Groups get the error on the fieldset, inputs and selects directly.
        assert!(html.contains("<fieldset class=\"fieldset\" aria-describedby=\"topic-error\">"));
        assert!(html.contains("<fieldset class=\"fieldset\" role=\"group\" aria-describedby=\"happened-hint happened-error\">"));
        assert!(html.contains("aria-describedby=\"message-hint message-info message-error\""));
        assert!(html.contains("aria-describedby=\"email-hint email-error\""));
    }
}

#[test]
fn feedback_choices_match_the_values_the_server_accepts() {
    use portal_web::pages::{FEEDBACK_AREAS, FEEDBACK_TOPICS};
    let html = render(&FeedbackPage {
        shell: shell(Lang::Ja, "/feedback"),
        form: FeedbackForm::default(),
        errors: FieldErrors::default(),
    });
    let radios: Vec<_> = html
        .match_indices("name=\"topic\" type=\"radio\" value=\"")
        .map(|(at, m)| between(&html[at + m.len() - 1..], "\"", "\"").unwrap_or_default())
        .collect();
    assert_eq!(radios, FEEDBACK_TOPICS);
    let select = between(&html, "<select", "</select>").unwrap_or_default();
    let options: Vec<_> = attr_values(select, "value");
    assert_eq!(options, FEEDBACK_AREAS);
}

#[test]
fn feedback_form_without_errors_has_no_error_markup() {
    let html = render(&FeedbackPage {
        shell: shell(Lang::Ja, "/feedback"),
        form: FeedbackForm::default(),
        errors: FieldErrors::default(),
    });
    assert!(
        !html.contains("error-summary")
            && !html.contains("--error")
            && !html.contains("error-message")
    );
    assert!(!html.contains(" checked") && !html.contains("selected>ログイン"));
    assert!(html.contains("<option value=\"\" selected>"));
}

#[test]
fn error_pages_are_specific() {
    let headings: BTreeSet<_> = [400u16, 403, 404, 405, 413, 429, 500, 503]
        .iter()
        .map(|status| {
            ErrorPage {
                shell: shell(Lang::Ja, "/"),
                status: *status,
            }
            .heading()
        })
        .collect();
    assert_eq!(headings.len(), 8, "each status needs its own heading");
    let not_found = render(&ErrorPage {
        shell: shell(Lang::Ja, "/x"),
        status: 404,
    });
    assert!(not_found.contains("<title>エラー: ページが見つかりません - マイナポータル</title>"));
    assert!(not_found.contains("<h1 class=\"heading-xl\">ページが見つかりません</h1>"));
    assert!(not_found.contains("<a class=\"link\" href=\"/\">"));
    let en = render(&ErrorPage {
        shell: shell(Lang::En, "/x"),
        status: 404,
    });
    assert!(en.contains("<title>Error: Page not found - Mynaportal</title>"));
    let unknown = render(&ErrorPage {
        shell: shell(Lang::En, "/x"),
        status: 418,
    });
    assert!(unknown.contains(Lang::En.t("error.generic.heading")));
}

#[test]
fn components_gallery_has_every_component_and_no_posting_form() {
    for lang in Lang::ALL {
        let html = render(&ComponentsPage {
            shell: shell(lang, "/_components"),
        });
        assert!(
            !html.contains("<form"),
            "gallery inputs must not be in a form"
        );
        assert!(
            !html.contains("type=\"submit\""),
            "gallery buttons must not submit"
        );
        for class in [
            "class=\"input",
            "class=\"textarea",
            "character-count",
            "class=\"select",
            "radios__input",
            "checkboxes__input",
            "date-input",
            "error-summary",
            "notification-banner--success",
            "role=\"region\"",
            "button--secondary",
            "button--start",
            "warning-text",
            "summary-list__actions",
            "<caption",
            "scope=\"row\"",
            "rel=\"prev\"",
            "rel=\"next\"",
            "aria-current=\"page\"",
            "pagination__item--ellipsis",
            "form-group--error",
            "data-disable-auto-focus",
        ] {
            assert!(html.contains(class), "gallery lacks {class}");
        }
        let sections = html.matches("<section class=\"gallery-section\">").count();
        assert!(sections >= 13, "gallery has {sections} sections");
        assert_eq!(
            html.matches("<section class=\"gallery-section\">\n<h2")
                .count(),
            sections,
            "each section starts with an h2"
        );
    }
}

#[test]
fn assets_used_by_the_layout_exist() {
    let base = include_str!("../templates/base.html");
    let mut names = Vec::new();
    let mut rest = base;
    while let Some(at) = rest.find("shell.asset(\"") {
        rest = &rest[at + "shell.asset(\"".len()..];
        if let Some(end) = rest.find('"') {
            names.push(&rest[..end]);
        }
    }
    assert_eq!(
        names,
        ["images/favicon.svg", "css/portal.css", "js/portal.js"]
    );
    for name in names {
        let url = assets::url(name);
        assert!(
            !url.starts_with("/static/missing/"),
            "{name} is not embedded"
        );
        let asset = assets::find(url.trim_start_matches("/static/"))
            .unwrap_or_else(|| panic!("{url} not served"));
        assert!(!asset.bytes.is_empty(), "{name} is empty");
    }
    assert!(assets::url("css/nope.css").starts_with("/static/missing/"));
}

#[test]
fn stylesheet_and_script_follow_the_rules() {
    let css = include_str!("../static/css/portal.css");
    for needed in [
        "#ffdd00",
        ".visually-hidden",
        ".skip-link:focus",
        "prefers-reduced-motion",
        "@media print",
        "#d4351c",
        "Noto Sans JP",
    ] {
        assert!(css.contains(needed), "portal.css lacks {needed}");
    }
    assert!(!css.contains("@import"), "no external CSS");
    let js = include_str!("../static/js/portal.js");
    for needed in [
        "data-prevent-double-click",
        "aria-live",
        "error-summary",
        "preventScroll",
        "skip-link",
    ] {
        assert!(js.contains(needed), "portal.js lacks {needed}");
    }
    assert!(
        !js.contains("eval(") && !js.contains("innerHTML"),
        "portal.js must not build code or markup from strings"
    );
}

#[test]
fn emails_render_in_both_languages() {
    let form = filled_form();
    let subject = render(&FeedbackSubject { reference: "FB-1" });
    assert_eq!(subject, "[マイナポータル] ご意見・お問い合わせ FB-1");
    for lang in Lang::ALL {
        let code = lang.code();
        let text = render(&FeedbackText {
            reference: "FB-1",
            form: &form,
            lang: code,
        });
        assert!(text.contains("FB-1"));
        assert!(
            text.contains("手続の<b>画面</b>が\n分かりにくいです & \"改善\"を"),
            "text body must not be HTML-escaped"
        );
        assert!(text.contains(&portal_web::pages::feedback_topic_label(lang, "suggestion")));
        assert!(text.contains(lang.t("feedback.area.refund_account")));
        assert!(text.contains("taro@example") && text.contains("山田 太郎"));
        assert!(text.contains(lang.t("common.yes")));
        let html = render(&FeedbackHtml {
            reference: "FB-1",
            form: &form,
            lang: code,
        });
        assert!(html.contains(&format!("<html lang=\"{code}\">")));
        assert!(
            html.contains("&#60;b&#62;画面&#60;/b&#62;が<br/>分かりにくいです"),
            "HTML body must escape and keep line breaks"
        );
        assert!(!html.contains(" style="));
        assert_eq!(html.matches("<h1").count(), 1);
    }
    let ja = render(&FeedbackText {
        reference: "R",
        form: &form,
        lang: "ja",
    });
    assert!(ja.contains("2026年2月31日"));
    let empty = render(&FeedbackText {
        reference: "R",
        form: &FeedbackForm::default(),
        lang: "en",
    });
    assert!(empty.contains("Date the problem happened: (not given)"));
    assert!(empty.contains("Reply wanted: No"));
}

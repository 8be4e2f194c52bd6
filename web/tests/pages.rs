//! Renders every page in both languages and checks the structure that WCAG and the house rules need, so a
//! template change that breaks it fails here before axe ever runs: one h1, `lang`, the skip link first,
//! `<main id="main-content">`, no inline styles, unique ids, every id reference resolvable, error-summary
//! links landing on form controls, the "エラー: " title prefix, the CSP nonce on every script, and every
//! static asset resolvable.

use std::collections::{BTreeSet, HashSet};

use askama::Template;
use portal_web::components::FieldErrors;
use portal_web::i18n::{EN_SOURCE, JA_SOURCE, parse_catalog};
use portal_web::pages::apply::ApplySignPage;
use portal_web::pages::email::{FeedbackHtml, FeedbackSubject, FeedbackText};
use portal_web::pages::sign_in::{
    DemoCard, DemoReaderForm, DemoReaderPage, DemoSignerPage, MyPage, SessionWarningPage,
    SignInFailedPage, SignInFailure, SignInPage, SignedOutPage,
};
use portal_web::pages::{
    AccessibilityPage, ComponentsPage, ErrorPage, FeedbackForm, FeedbackPage, FeedbackSentPage,
    HomePage,
};
use portal_web::{Lang, SessionView, Shell, assets};

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
        session: None,
        staff: None,
    }
}

/// The shell of a signed-in page: 1 hour of idle time left, warned 2 minutes before. The name has markup in
/// it, to check it is escaped.
fn signed_in(lang: Lang, path: &str) -> Shell {
    Shell {
        session: Some(SessionView {
            name: "山田 <花子>".into(),
            idle_seconds_left: 3600,
            warn_seconds_before: 120,
            unread_notices: Some(3),
            acting_for: None,
        }),
        ..shell(lang, path)
    }
}

const CODE: &str = "K7Q2-M9XD";

fn sign_in_page(lang: Lang, demo: bool, still_waiting: bool) -> SignInPage {
    SignInPage {
        shell: shell(lang, "/sign-in"),
        code: CODE.into(),
        qr_url: format!("/sign-in/qr/{CODE}.svg"),
        respond_url: format!("http://127.0.0.1:8080/card/challenge/{CODE}"),
        status_url: format!("/sign-in/status/{CODE}"),
        expires_in_minutes: 5,
        demo,
        still_waiting,
    }
}

fn demo_cards() -> Vec<DemoCard> {
    vec![
        DemoCard {
            id: "demo-1".into(),
            label: "山田 花子 (PIN 1234)".into(),
        },
        DemoCard {
            id: "demo-2".into(),
            label: "佐藤 一郎 (PIN 5678)".into(),
        },
    ]
}

/// The demo reader after a wrong PIN on a card with `tries_left` tries left, plus a card error, so both
/// fields show an error.
fn demo_reader_with_errors(lang: Lang, tries_left: Option<u8>) -> DemoReaderPage {
    let mut errors = FieldErrors::default();
    errors.add("card", "demo_reader.errors.card_required");
    errors.add("pin", "demo_reader.errors.pin_wrong");
    DemoReaderPage {
        shell: shell(lang, "/sign-in/demo-reader"),
        cards: demo_cards(),
        form: DemoReaderForm {
            code: CODE.into(),
            card: "demo-2".into(),
            pin: "9999".into(),
        },
        errors,
        tries_left,
    }
}

const DIGEST: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// The signing page of an application, in demo mode, with or without an error at the continue button.
fn apply_sign_page(lang: Lang, error: Option<&'static str>) -> ApplySignPage {
    let mut errors = FieldErrors::default();
    if let Some(key) = error {
        errors.add("sign-continue", key);
    }
    ApplySignPage {
        shell: signed_in(
            lang,
            "/applications/0190d6a4-5f2e-7c3b-9a1d-2e4f6a8b0c1d/sign",
        ),
        form_title: "児童手当認定請求書".into(),
        digest: DIGEST.into(),
        code: CODE.into(),
        qr_url: format!("/sign-in/qr/{CODE}.svg"),
        status_url: format!("/applications/x/sign/status?code={CODE}"),
        action_url: "/applications/x/sign".into(),
        back_href: "/applications/x/check".into(),
        expires_in_minutes: 5,
        demo_href: Some(portal_web::pages::sign_in::demo_signer_href(CODE)),
        still_waiting: false,
        errors,
    }
}

/// The demo reader signing an application; with `tries_left`, after a wrong password and without a card.
fn demo_signer(lang: Lang, errors: bool, tries_left: Option<u8>) -> DemoSignerPage {
    let mut found = FieldErrors::default();
    if errors {
        found.add("card", "demo_reader.errors.card_required");
        found.add("password", "demo_reader.sign.errors.password_wrong");
    }
    DemoSignerPage {
        shell: shell(lang, "/sign-in/demo-reader/sign"),
        cards: demo_cards(),
        form: DemoReaderForm {
            code: CODE.into(),
            card: if errors {
                "demo-2".into()
            } else {
                String::new()
            },
            pin: String::new(),
        },
        form_title: "児童手当認定請求書".into(),
        digest: DIGEST.into(),
        errors: found,
        tries_left,
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
                acting: None,
            }),
            true,
            vec![],
        ));
    }
    pages.extend(sign_in_pages(lang));
    pages.extend(own_data_pages(lang));
    pages
}

/// わたしの情報 and やりとり履歴, in their states: with data, empty, paged, filtered, and with filter errors.
fn own_data_pages(lang: Lang) -> Vec<(String, String, bool, Vec<&'static str>)> {
    use portal_web::format::ValueKind;
    use portal_web::pages::history::{HistoryEntry, HistoryFilterForm, HistoryPage, Requester};
    use portal_web::pages::my_data::{
        CategorySummary, FieldValue, MyDataPage, RecordRow, RecordsPage,
    };

    let page = |name: &str, html: String| (name.to_owned(), html, false, vec![]);
    let categories = ["resident", "prescriptions", "welfare"];
    let records = |total: u64, page: usize, rows: usize| RecordsPage {
        shell: signed_in(lang, "/my-data/prescriptions"),
        category: "prescriptions",
        fields: vec!["dispensed_on", "pharmacy", "drug", "quantity", "days"],
        rows: (0..rows)
            .map(|i| RecordRow {
                values: vec![
                    FieldValue {
                        kind: ValueKind::Date,
                        raw: Some("2026-04-01".into()),
                    },
                    FieldValue {
                        kind: ValueKind::Text,
                        raw: Some(format!("<薬局> {i}")),
                    },
                    FieldValue {
                        kind: ValueKind::Text,
                        raw: Some("ロキソプロフェン錠60mg".into()),
                    },
                    FieldValue {
                        kind: ValueKind::Text,
                        raw: None,
                    },
                    FieldValue {
                        kind: ValueKind::Number,
                        raw: Some("14".into()),
                    },
                ],
                source: "千代田区".into(),
                updated_on: "2026-04-02".into(),
            })
            .collect(),
        total,
        last_updated: (total > 0).then(|| "2026-04-02".into()),
        page,
    };
    let entry = |withheld: bool| HistoryEntry {
        date: "2026-11-07".into(),
        time: "14:05".into(),
        withheld,
        requester_name: "千代田区".into(),
        requester_kind: "agency".into(),
        agency_kind: Some("municipality".into()),
        providers: vec!["国税庁".into(), "日本年金機構".into()],
        items: vec!["income_tax".into(), "household".into()],
        task: Some("child_allowance".into()),
        purpose: String::new(),
        result: "provided".into(),
    };
    let history = |form: HistoryFilterForm, errors: FieldErrors, entries, page, has_next| {
        render(&HistoryPage {
            shell: signed_in(lang, "/history"),
            form,
            errors,
            requesters: vec![Requester {
                id: "131016".into(),
                name: "千代田区".into(),
            }],
            categories: categories.to_vec(),
            entries,
            page,
            has_next,
        })
    };
    let filtered = HistoryFilterForm {
        from_year: "2026".into(),
        from_month: "4".into(),
        from_day: "1".into(),
        requester: "131016".into(),
        category: "income_tax".into(),
        ..HistoryFilterForm::default()
    };
    let mut errors = FieldErrors::default();
    errors.add("from", "history.errors.from_invalid");
    errors.add("to", "history.errors.to_incomplete");
    vec![
        page(
            "my data",
            render(&MyDataPage {
                shell: signed_in(lang, "/my-data"),
                categories: categories
                    .iter()
                    .enumerate()
                    .map(|(i, code)| CategorySummary {
                        code,
                        count: i as u64,
                        last_updated: (i > 0).then(|| "2026-04-02".into()),
                    })
                    .collect(),
            }),
        ),
        page("my data category", render(&records(45, 2, 20))),
        page("my data category (empty)", render(&records(0, 1, 0))),
        page(
            "history",
            history(
                HistoryFilterForm::default(),
                FieldErrors::default(),
                vec![entry(false), entry(true)],
                1,
                true,
            ),
        ),
        page(
            "history (filtered, page 2)",
            history(
                filtered.clone(),
                FieldErrors::default(),
                vec![entry(false)],
                2,
                false,
            ),
        ),
        page(
            "history (empty)",
            history(
                HistoryFilterForm::default(),
                FieldErrors::default(),
                vec![],
                1,
                false,
            ),
        ),
        (
            "history (errors)".to_owned(),
            history(
                HistoryFilterForm {
                    from_month: "13".into(),
                    to_year: "2026".into(),
                    ..filtered
                },
                errors,
                vec![],
                1,
                false,
            ),
            true,
            vec!["from", "to"],
        ),
    ]
}

/// Number of pages [`own_data_pages`] renders in one language.
const OWN_DATA_PAGES: usize = 7;

/// Sign-in, sign-out and session pages, and ordinary pages with a signed-in shell.
fn sign_in_pages(lang: Lang) -> Vec<(String, String, bool, Vec<&'static str>)> {
    let page = |name: &str, html: String| (name.to_owned(), html, false, vec![]);
    let mut pages = vec![
        page("sign in", render(&sign_in_page(lang, false, false))),
        page(
            "sign in (demo, still waiting)",
            render(&sign_in_page(lang, true, true)),
        ),
        page(
            "home (signed in)",
            render(&HomePage {
                shell: signed_in(lang, "/"),
            }),
        ),
        page(
            "feedback (signed in)",
            render(&FeedbackPage {
                shell: signed_in(lang, "/feedback"),
                form: FeedbackForm::default(),
                errors: FieldErrors::default(),
            }),
        ),
        page(
            "my page",
            render(&MyPage {
                shell: signed_in(lang, "/my-page"),
                name: "山田 <花子>".into(),
            }),
        ),
        page(
            "session warning",
            render(&SessionWarningPage {
                shell: signed_in(lang, "/session/warning"),
                seconds_left: 115,
            }),
        ),
        page(
            "session warning (no time left)",
            render(&SessionWarningPage {
                shell: signed_in(lang, "/session/warning"),
                seconds_left: 0,
            }),
        ),
        page(
            "demo reader",
            render(&DemoReaderPage {
                shell: shell(lang, "/sign-in/demo-reader?code=K7Q2-M9XD"),
                cards: demo_cards(),
                form: DemoReaderForm {
                    code: CODE.into(),
                    ..DemoReaderForm::default()
                },
                errors: FieldErrors::default(),
                tries_left: None,
            }),
        ),
    ];
    for (everywhere, timed_out) in [(false, false), (true, false), (false, true)] {
        pages.push(page(
            &format!("signed out (everywhere {everywhere}, timed out {timed_out})"),
            render(&SignedOutPage {
                shell: shell(lang, "/signed-out"),
                everywhere,
                timed_out,
            }),
        ));
    }
    for reason in SignInFailure::ALL {
        pages.push((
            format!("sign in failed ({})", reason.code()),
            render(&SignInFailedPage {
                shell: shell(lang, &format!("/sign-in/failed?reason={}", reason.code())),
                reason,
            }),
            true,
            vec![],
        ));
    }
    for tries_left in [Some(2), Some(1), None] {
        pages.push((
            format!("demo reader (errors, {tries_left:?} tries left)"),
            render(&demo_reader_with_errors(lang, tries_left)),
            true,
            vec!["card", "pin"],
        ));
    }
    // With a refusal, its summary links to the continue button (see the signing test), as the account
    // confirmation's does: there is no field to put it by.
    pages.push(page("apply sign", render(&apply_sign_page(lang, None))));
    pages.push(page("demo signer", render(&demo_signer(lang, false, None))));
    pages.push((
        "demo signer (errors)".to_owned(),
        render(&demo_signer(lang, true, Some(4))),
        true,
        vec!["card", "password"],
    ));
    pages
}

/// Number of pages [`sign_in_pages`] renders in one language.
const SIGN_IN_PAGES: usize = 8 + 3 + SignInFailure::ALL.len() + 3 + 3;

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

/// What is inside `<body …>` … `</body>` (the body carries data attributes on signed-in pages).
fn body_of(html: &str) -> Option<&str> {
    let open = html.find("<body")?;
    let from = html[open..].find('>')? + open + 1;
    let to = html[from..].find("</body>")? + from;
    Some(&html[from..to])
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
    let body = body_of(html).unwrap_or_else(|| panic!("{ctx}: no <body>"));
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
    for placeholder in [
        "{version}",
        "{status}",
        "{page}",
        "{key}",
        "{reference}",
        "{name}",
        "{code}",
    ] {
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
    assert_eq!(
        count,
        2 * (6 + ERROR_STATUSES.len() + SIGN_IN_PAGES + OWN_DATA_PAGES)
    );
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
                acting: None,
            }
            .heading()
        })
        .collect();
    assert_eq!(headings.len(), 8, "each status needs its own heading");
    let not_found = render(&ErrorPage {
        shell: shell(Lang::Ja, "/x"),
        status: 404,
        acting: None,
    });
    assert!(not_found.contains("<title>エラー: ページが見つかりません - マイナポータル</title>"));
    assert!(not_found.contains("<h1 class=\"heading-xl\">ページが見つかりません</h1>"));
    assert!(not_found.contains("<a class=\"link\" href=\"/\">"));
    let en = render(&ErrorPage {
        shell: shell(Lang::En, "/x"),
        status: 404,
        acting: None,
    });
    assert!(en.contains("<title>Error: Page not found - Mynaportal</title>"));
    let unknown = render(&ErrorPage {
        shell: shell(Lang::En, "/x"),
        status: 418,
        acting: None,
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
        ".sign-in__qr",
        ".sign-in__code",
        ".demo-notice",
        ".session-dialog::backdrop",
        ".header__sign-out:focus",
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
        // Sign-in waiting state and the idle time-out dialog.
        "sign-in-status",
        "statusUrl",
        "showModal",
        "data-session-extend",
        "idleSeconds",
        "warnSeconds",
        "session-expiry",
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

fn csrf_field() -> String {
    format!("<input type=\"hidden\" name=\"csrf_token\" value=\"{CSRF}\">")
}

#[test]
fn signed_in_shell_schedules_the_idle_warning_and_offers_sign_out() {
    for lang in Lang::ALL {
        let html = render(&HomePage {
            shell: signed_in(lang, "/"),
        });
        let head = between(&html, "<head>", "</head>").unwrap_or_default();
        assert!(
            head.contains(
                "<noscript><meta http-equiv=\"refresh\" content=\"3480;url=/session/warning\"></noscript>"
            ),
            "no-JS idle warning: refresh 3600 - 120 seconds from now, only without JavaScript"
        );
        assert_eq!(html.matches("http-equiv=\"refresh\"").count(), 1);
        assert!(html.contains("<body data-idle-seconds=\"3600\" data-warn-seconds=\"120\">"));

        let header = between(&html, "<header", "</header>").unwrap_or_default();
        let form = between(
            header,
            "<form method=\"post\" action=\"/sign-out\" class=\"header__sign-out-form\">",
            "</form>",
        )
        .unwrap_or_else(|| panic!("no sign-out form in the header"));
        assert!(form.contains(&csrf_field()), "sign-out form without csrf");
        assert!(form.contains(&format!(
            "<button type=\"submit\" class=\"header__sign-out\">{}</button>",
            lang.t("header.sign_out")
        )));
        assert!(
            header.contains(
                &lang
                    .t("header.signed_in_as")
                    .replace("{name}", "山田 &#60;花子&#62;")
            ),
            "the name is shown, escaped"
        );
        assert!(!header.contains("href=\"/sign-in\""), "no sign-in link");
        assert!(header.contains(&format!(
            "href=\"/my-page\">{}</a>",
            lang.t("header.nav.my_page")
        )));

        // The dialog the script opens: labelled by its heading, a stay form (with the csrf token the script
        // posts) and a sign-out form.
        let dialog = between(&html, "<dialog", "</dialog>").unwrap_or_default();
        assert!(dialog.contains("aria-labelledby=\"session-dialog-title\""));
        assert!(dialog.contains(&format!(
            "<h2 class=\"heading-m session-dialog__title\" id=\"session-dialog-title\">{}</h2>",
            lang.t("session.title")
        )));
        assert!(
            dialog
                .contains("<form method=\"post\" action=\"/session/extend\" data-session-extend>")
        );
        assert!(dialog.contains("<form method=\"post\" action=\"/sign-out\">"));
        assert_eq!(dialog.matches(&csrf_field()).count(), 2);
        assert!(
            dialog.contains(
                &Shell {
                    lang,
                    ..Shell::default()
                }
                .duration_text(120u64)
            )
        );
    }

    // Already inside the warning window: the refresh is due at once, never negative.
    let mut late = signed_in(Lang::Ja, "/");
    if let Some(session) = late.session.as_mut() {
        session.idle_seconds_left = 30;
    }
    let html = render(&HomePage { shell: late });
    assert!(html.contains("content=\"0;url=/session/warning\""));
}

#[test]
fn signed_out_shell_offers_sign_in_and_schedules_nothing() {
    for lang in Lang::ALL {
        let html = render(&HomePage {
            shell: shell(lang, "/"),
        });
        assert!(html.contains(&format!(
            "<a href=\"/sign-in\" class=\"header__sign-in\">{}</a>",
            lang.t("header.sign_in")
        )));
        for absent in [
            "http-equiv",
            "data-idle-seconds",
            "<dialog",
            "/my-page",
            "action=\"/sign-out\"",
        ] {
            assert!(!html.contains(absent), "signed-out page has {absent}");
        }
        assert!(html.contains("<body>"));
    }
}

#[test]
fn session_warning_page_offers_both_choices_and_reloads_after_the_end() {
    for lang in Lang::ALL {
        let html = render(&SessionWarningPage {
            shell: signed_in(lang, "/session/warning"),
            seconds_left: 115,
        });
        // No refresh to itself at `warning_after()`, no dialog, no timer for the dialog: this page is the
        // warning. Once the session has ended it reloads, so the server can say so.
        assert_eq!(html.matches("http-equiv=\"refresh\"").count(), 1);
        assert!(html.contains(
            "<noscript><meta http-equiv=\"refresh\" content=\"117;url=/session/warning\"></noscript>"
        ));
        assert!(!html.contains("<dialog") && !html.contains("data-idle-seconds"));
        assert!(html.contains("data-module=\"session-expiry\" data-reload-after=\"117\""));
        let time = Shell {
            lang,
            ..Shell::default()
        }
        .duration_text(115u64);
        assert!(html.contains(&lang.t("session.countdown").replace("{time}", &time)));

        let main = between(&html, "<main", "</main>").unwrap_or_default();
        let stay = between(
            main,
            "<form method=\"post\" action=\"/session/extend\" novalidate>",
            "</form>",
        )
        .unwrap_or_else(|| panic!("no stay form"));
        assert!(stay.contains(&csrf_field()));
        assert!(stay.contains(&format!(
            "class=\"button\" data-module=\"button\">{}</button>",
            lang.t("session.stay")
        )));
        let leave = between(
            main,
            "<form method=\"post\" action=\"/sign-out\" novalidate>",
            "</form>",
        )
        .unwrap_or_else(|| panic!("no sign-out form"));
        assert!(leave.contains(&csrf_field()));
        assert!(leave.contains("button--secondary"));

        let ended = render(&SessionWarningPage {
            shell: signed_in(lang, "/session/warning"),
            seconds_left: 0,
        });
        assert!(!ended.contains("http-equiv") && !ended.contains("session-expiry"));
    }
}

#[test]
fn sign_in_page_shows_the_code_the_steps_and_the_waiting_state() {
    for lang in Lang::ALL {
        let html = render(&sign_in_page(lang, false, false));
        assert!(html.contains(&format!(
            "<title>{} - {}</title>",
            lang.t("sign_in.title"),
            lang.t("service.name")
        )));
        assert!(html.contains(&format!(
            "<img class=\"sign-in__qr\" src=\"/sign-in/qr/{CODE}.svg\" width=\"240\" height=\"240\" alt=\"{}\">",
            lang.t("sign_in.code.qr_alt")
        )));
        assert!(html.contains(&format!(
            "<span aria-hidden=\"true\">{CODE}</span><span class=\"visually-hidden\">K 7 Q 2{}M 9 X D</span>",
            lang.t("sign_in.code.group_separator")
        )));
        assert!(html.contains(&lang.t("sign_in.code.expires").replace("{count}", "5")));

        let status = between(&html, "<p class=\"sign-in__status\"", "</p>").unwrap_or_default();
        assert!(status.contains(" role=\"status\" aria-live=\"polite\""));
        assert!(status.contains(&format!(" data-status-url=\"/sign-in/status/{CODE}\"")));
        assert!(status.contains(" data-expires-in-seconds=\"300\""));
        assert!(status.ends_with(lang.t("sign_in.waiting.status")));

        let form = between(
            &html,
            "<form method=\"post\" action=\"/sign-in/continue\" novalidate>",
            "</form>",
        )
        .unwrap_or_else(|| panic!("no continue form"));
        assert!(form.contains(&csrf_field()));
        assert!(form.contains(&format!(
            "<input type=\"hidden\" name=\"code\" value=\"{CODE}\">"
        )));
        assert!(form.contains(&format!("{}</button>", lang.t("sign_in.waiting.continue"))));

        assert_eq!(html.matches("<ol class=\"list list--number\">").count(), 2);
        assert!(html.contains(&format!("<code>portal card sign --code {CODE}</code>")));
        assert!(html.contains(lang.t("sign_in.pc.simulated")));
        assert!(html.contains("href=\"/sign-in/failed?reason=locked\""));
        assert!(
            !html.contains("/sign-in/demo-reader")
                && !html.contains(lang.t("sign_in.demo.heading"))
        );
        assert!(!html.contains("sign-in-still-waiting"));

        let demo = render(&sign_in_page(lang, true, true));
        assert!(demo.contains(&format!("href=\"/sign-in/demo-reader?code={CODE}\"")));
        assert!(demo.contains(lang.t("sign_in.demo.heading")));
        assert!(demo.contains(lang.t("sign_in.demo.body")));
        assert!(demo.contains("aria-labelledby=\"sign-in-still-waiting-title\""));
        assert!(demo.contains(lang.t("sign_in.waiting.still_waiting")));
    }
}

#[test]
fn each_sign_in_failure_explains_itself_and_offers_a_new_start() {
    for lang in Lang::ALL {
        let mut headings = BTreeSet::new();
        let mut bodies = BTreeSet::new();
        for reason in SignInFailure::ALL {
            let page = SignInFailedPage {
                shell: shell(lang, "/sign-in/failed"),
                reason,
            };
            headings.insert(page.heading());
            bodies.insert(page.body());
            let html = render(&page);
            assert!(html.contains(&format!(
                "<title>{}{} - {}</title>",
                lang.t("error.title_prefix"),
                page.heading(),
                lang.t("service.name")
            )));
            assert!(html.contains(&format!("<h1 class=\"heading-xl\">{}</h1>", page.heading())));
            assert!(html.contains(&format!(
                "<a href=\"/sign-in\" class=\"button\" draggable=\"false\">{}</a>",
                lang.t("sign_in_failed.start_again")
            )));
            let locked_help = html.contains(lang.t("sign_in_failed.locked.kiosk"))
                && html.contains(lang.t("sign_in_failed.locked.office"));
            assert_eq!(locked_help, reason == SignInFailure::Locked, "{reason:?}");
        }
        assert_eq!(headings.len(), SignInFailure::ALL.len(), "one heading each");
        assert_eq!(
            bodies.len(),
            SignInFailure::ALL.len(),
            "one explanation each"
        );
    }
}

#[test]
fn demo_reader_is_marked_as_a_simulation_and_keeps_the_pin_private() {
    for lang in Lang::ALL {
        let html = render(&DemoReaderPage {
            shell: shell(lang, "/sign-in/demo-reader"),
            cards: demo_cards(),
            form: DemoReaderForm {
                code: CODE.into(),
                ..DemoReaderForm::default()
            },
            errors: FieldErrors::default(),
            tries_left: None,
        });
        let main = between(&html, "<main", "</main>").unwrap_or_default();
        let notice = main.find("class=\"demo-notice\"").unwrap_or(usize::MAX);
        assert!(
            notice < main.find("<h1").unwrap_or(0),
            "the simulation notice comes first"
        );
        assert!(main.contains(lang.t("demo_reader.notice.text")));
        let form = between(
            &html,
            "<form method=\"post\" action=\"/sign-in/demo-reader\" novalidate>",
            "</form>",
        )
        .unwrap_or_else(|| panic!("no demo reader form"));
        assert!(form.contains(&csrf_field()));
        assert!(form.contains(&format!(
            "<input type=\"hidden\" name=\"code\" value=\"{CODE}\">"
        )));
        assert!(form.contains("id=\"card\" name=\"card\" type=\"radio\" value=\"demo-1\""));
        assert!(form.contains("id=\"card-2\" name=\"card\" type=\"radio\" value=\"demo-2\""));
        assert!(form.contains(
            "<input class=\"input input--width-4\" id=\"pin\" name=\"pin\" type=\"text\" value=\"\""
        ));
        assert!(form.contains("autocomplete=\"off\" inputmode=\"numeric\""));
        assert!(form.contains(&format!(">{}</label>", lang.t("demo_reader.pin.label"))));
        assert!(form.contains(&format!("{}</button>", lang.t("demo_reader.submit"))));
        assert!(!html.contains("error-summary") && !html.contains(" checked"));

        for (tries_left, expected) in [
            (
                Some(2),
                lang.t("demo_reader.errors.pin_wrong")
                    .replace("{count}", "2"),
            ),
            (
                Some(1),
                lang.t("demo_reader.errors.pin_wrong_one")
                    .replace("{count}", "1"),
            ),
            (
                None,
                lang.t("demo_reader.errors.pin_wrong_uncounted").to_owned(),
            ),
        ] {
            let html = render(&demo_reader_with_errors(lang, tries_left));
            assert_eq!(
                html.matches(&expected).count(),
                2,
                "{tries_left:?}: message in the summary and by the field"
            );
            assert!(!html.contains("{count}"));
            assert!(html.contains(lang.t("demo_reader.errors.card_required")));
            assert!(
                html.contains("value=\"demo-2\" checked"),
                "the chosen card is kept"
            );
            assert!(!html.contains("9999"), "the PIN typed is never sent back");
        }
    }
}

#[test]
fn signing_pages_show_what_is_signed_and_ask_for_the_signature_password() {
    for lang in Lang::ALL {
        let html = render(&apply_sign_page(lang, None));
        let grouped = "9f86d081 884c7d65 9a2feaa0 c55ad015 a3bf4f1b 2b0b822c d15d6c15 b0f00a08";
        assert!(html.contains(grouped), "the digest, grouped for reading");
        assert!(html.contains("id=\"sign-continue\""));
        assert!(html.contains("action=\"/applications/x/sign\""));
        assert!(html.contains("href=\"/sign-in/demo-reader/sign?code=K7Q2-M9XD\""));
        assert!(html.contains("portal card sign --code K7Q2-M9XD"));
        let refused = render(&apply_sign_page(lang, Some("apply.sign.errors.changed")));
        let summary = between(&refused, "class=\"error-summary\"", "</ul>").unwrap_or_default();
        assert!(summary.contains(&format!(
            "<a href=\"#sign-continue\">{}</a>",
            lang.t("apply.sign.errors.changed")
        )));
        assert!(title_of(&refused).starts_with(lang.t("error.title_prefix")));

        let html = render(&demo_signer(lang, false, None));
        let form = between(
            &html,
            "<form method=\"post\" action=\"/sign-in/demo-reader/sign\" novalidate>",
            "</form>",
        )
        .unwrap_or_else(|| panic!("no demo signer form"));
        assert!(form.contains(&csrf_field()));
        assert!(form.contains(&format!(
            "<input type=\"hidden\" name=\"code\" value=\"{CODE}\">"
        )));
        assert!(form.contains("id=\"card\" name=\"card\" type=\"radio\" value=\"demo-1\""));
        assert!(form.contains("id=\"password\" name=\"password\" type=\"password\" value=\"\""));
        assert!(form.contains("autocomplete=\"off\""));
        assert!(form.contains(&format!(
            ">{}</label>",
            lang.t("demo_reader.sign.password_label")
        )));
        assert!(form.contains(&format!("{}</button>", lang.t("demo_reader.sign.submit"))));
        assert!(html.contains(grouped) && html.contains("児童手当認定請求書"));

        let html = render(&demo_signer(lang, true, Some(4)));
        let expected = lang
            .t("demo_reader.sign.errors.password_wrong")
            .replace("{count}", "4");
        assert_eq!(
            html.matches(&expected).count(),
            2,
            "message in the summary and by the field"
        );
        assert!(
            html.contains("value=\"demo-2\" checked"),
            "the chosen card is kept"
        );
    }
}

fn title_of(html: &str) -> &str {
    between(html, "<title>", "</title>").unwrap_or_default()
}

#[test]
fn my_page_greets_and_offers_both_sign_outs() {
    for lang in Lang::ALL {
        let html = render(&MyPage {
            shell: signed_in(lang, "/my-page"),
            name: "山田 <花子>".into(),
        });
        assert!(html.contains(&format!(
            "<h1 class=\"heading-xl\">{}</h1>",
            lang.t("my_page.title")
        )));
        assert!(
            html.contains(
                &lang
                    .t("my_page.greeting")
                    .replace("{name}", "山田 &#60;花子&#62;")
            )
        );
        assert!(html.contains("href=\"/my-page\" aria-current=\"page\">"));
        assert!(
            !html.contains(lang.t("my_page.coming.heading")),
            "nothing is announced as coming, so the section is left out"
        );
        let available = between(
            &html,
            lang.t("my_page.available.heading"),
            lang.t("my_page.sign_out.heading"),
        )
        .unwrap_or_default();
        for href in [
            "/my-data",
            "/services",
            "/applications",
            "/history",
            "/notices",
            "/account",
            "/settings/email",
        ] {
            assert!(
                available.contains(&format!("<a class=\"link\" href=\"{href}\">")),
                "マイページ links to {href}"
            );
        }
        let main = between(&html, "<main", "</main>").unwrap_or_default();
        let one = between(
            main,
            "<form method=\"post\" action=\"/sign-out\" novalidate>",
            "</form>",
        )
        .unwrap_or_else(|| panic!("no sign-out form"));
        assert!(one.contains(&csrf_field()));
        let all = between(
            main,
            "<form method=\"post\" action=\"/sign-out/everywhere\" novalidate>",
            "</form>",
        )
        .unwrap_or_else(|| panic!("no sign-out-everywhere form"));
        assert!(all.contains(&csrf_field()));
        assert!(all.contains(lang.t("my_page.sign_out.everywhere_hint")));
        assert!(all.contains(&format!(
            "aria-describedby=\"sign-out-everywhere-hint\">{}</button>",
            lang.t("my_page.sign_out.everywhere")
        )));
    }
}

#[test]
fn signed_out_page_confirms_and_explains_the_time_out() {
    for lang in Lang::ALL {
        let page = |everywhere, timed_out| {
            render(&SignedOutPage {
                shell: shell(lang, "/signed-out"),
                everywhere,
                timed_out,
            })
        };
        let mut headings = BTreeSet::new();
        for (everywhere, timed_out, key) in [
            (false, false, "signed_out.body"),
            (true, false, "signed_out.everywhere.body"),
            (false, true, "signed_out.timed_out.body"),
        ] {
            let html = page(everywhere, timed_out);
            assert!(
                html.contains("notification-banner notification-banner--success\" role=\"alert\"")
            );
            assert!(html.contains(lang.t(key)), "{key}");
            assert!(html.contains("<a href=\"/sign-in\" class=\"button\""));
            headings
                .insert(between(&html, "<h1 class=\"heading-xl\">", "</h1>").map(str::to_owned));
        }
        assert_eq!(headings.len(), 3, "each case has its own heading");
        let timed_out = page(false, true);
        assert!(timed_out.contains(lang.t("signed_out.timed_out.nothing_lost")));
        assert!(timed_out.contains(lang.t("signed_out.timed_out.banner")));
    }
}

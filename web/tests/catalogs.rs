//! The message catalogs: both parse, carry exactly the same keys and placeholders, and hold every key the
//! templates, the view-models and the server use.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use portal_web::i18n::{EN_SOURCE, JA_SOURCE, parse_catalog};

/// Keys the server uses directly: in `FieldErrors` for the feedback, demo reader and history filter forms
/// (with the `_one`/`_uncounted` variants `CountedMessages` picks), the title prefix of error pages, page
/// titles, the names it shows in GraphQL, and the CSV downloads' headers. (Keys built from stored codes —
/// categories, fields, tasks — are checked by a test in the server, which knows the codes.)
const SERVER_KEYS: &[&str] = &[
    "error.title_prefix",
    "service.name",
    "language.name",
    "feedback.errors.topic_required",
    "feedback.errors.area_invalid",
    "feedback.errors.message_required",
    "feedback.errors.message_too_long",
    "feedback.errors.happened_incomplete",
    "feedback.errors.happened_invalid",
    "feedback.errors.happened_future",
    "feedback.errors.email_required",
    "feedback.errors.email_invalid",
    "feedback.errors.name_too_long",
    "sign_in.title",
    "my_page.title",
    "demo_reader.errors.card_required",
    "demo_reader.errors.pin_format",
    "demo_reader.errors.pin_wrong",
    "demo_reader.errors.pin_wrong_one",
    "demo_reader.errors.pin_wrong_uncounted",
    "demo_reader.errors.locked",
    "history.errors.from_incomplete",
    "history.errors.from_invalid",
    "history.errors.to_incomplete",
    "history.errors.to_invalid",
    "history.errors.to_before_from",
    "history.errors.category_invalid",
    "history.csv.when",
    "history.csv.explanation",
    "history.withheld.tag",
    "my_data.source",
    "my_data.updated_on",
];

fn catalogs() -> [(&'static str, HashMap<String, String>); 2] {
    let ja =
        parse_catalog(JA_SOURCE).unwrap_or_else(|e| panic!("locales/ja.toml does not parse: {e}"));
    let en =
        parse_catalog(EN_SOURCE).unwrap_or_else(|e| panic!("locales/en.toml does not parse: {e}"));
    [("ja", ja), ("en", en)]
}

fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.insert(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

#[test]
fn catalogs_parse_and_have_the_same_keys() {
    let [(_, ja), (_, en)] = catalogs();
    assert!(ja.len() > 100, "ja.toml looks truncated: {} keys", ja.len());
    let ja_keys: BTreeSet<_> = ja.keys().collect();
    let en_keys: BTreeSet<_> = en.keys().collect();
    let only_ja: Vec<_> = ja_keys.difference(&en_keys).collect();
    let only_en: Vec<_> = en_keys.difference(&ja_keys).collect();
    assert!(
        only_ja.is_empty() && only_en.is_empty(),
        "catalogs differ\n  only in ja.toml: {only_ja:?}\n  only in en.toml: {only_en:?}"
    );
}

#[test]
fn catalog_entries_are_not_empty_and_share_placeholders() {
    let [(_, ja), (_, en)] = catalogs();
    let mut problems = Vec::new();
    for (key, ja_text) in &ja {
        let Some(en_text) = en.get(key) else { continue };
        if ja_text.trim().is_empty() || en_text.trim().is_empty() {
            problems.push(format!("{key}: empty"));
        }
        if placeholders(ja_text) != placeholders(en_text) {
            problems.push(format!(
                "{key}: placeholders differ: ja {ja_text:?} / en {en_text:?}"
            ));
        }
    }
    problems.sort();
    assert!(
        problems.is_empty(),
        "catalog problems:\n  {}",
        problems.join("\n  ")
    );
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// String literals passed as first argument to `t(`, `tf(`, `tn(`, `tv(` (whatever the receiver), and
/// for `tn` also its `_one` variant.
fn keys_in_calls(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for (name, plural) in [
        ("t(\"", false),
        ("tf(\"", false),
        ("tn(\"", true),
        ("tv(\"", false),
    ] {
        let mut from = 0;
        while let Some(found) = source[from..].find(name) {
            let start = from + found;
            from = start + name.len();
            let before = source[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &source[from..];
            if let Some(end) = rest.find('"') {
                let key = &rest[..end];
                keys.push(key.to_owned());
                if plural {
                    keys.push(format!("{key}_one"));
                }
            }
        }
    }
    keys
}

/// Message keys passed as data rather than through `t`: `Some("key")` error keys in templates, and the
/// second argument of `errors.add("field", "key")` in the view-models.
fn keys_as_data(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for marker in ["Some(\"", ".add(\""] {
        let mut from = 0;
        while let Some(found) = source[from..].find(marker) {
            from += found + marker.len();
            let rest = &source[from..];
            let literal = if marker == ".add(\"" {
                // Skip the field id, take the next literal.
                rest.split('"').nth(2)
            } else {
                rest.split('"').next()
            };
            if let Some(key) = literal.filter(|k| k.contains('.') && !k.contains(' ')) {
                keys.push(key.to_owned());
            }
        }
    }
    keys
}

#[test]
fn every_key_used_exists_in_both_catalogs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    files_under(&root.join("templates"), &mut files);
    files_under(&root.join("src"), &mut files);
    let mut used: Vec<(String, String)> = Vec::new();
    for file in &files {
        let source = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let shown = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        for key in keys_in_calls(&source)
            .into_iter()
            .chain(keys_as_data(&source))
        {
            used.push((key, shown.clone()));
        }
    }
    for key in SERVER_KEYS {
        used.push(((*key).to_owned(), "server (validation)".to_owned()));
    }
    assert!(
        used.len() > 200,
        "found only {} key uses; is the scanner broken?",
        used.len()
    );

    let mut missing = BTreeSet::new();
    for (lang, catalog) in catalogs() {
        for (key, file) in &used {
            // Keys in the test helpers themselves (e.g. `t("…")` inside a doc comment) are not real uses.
            if key.contains('…') || key.is_empty() {
                continue;
            }
            if !catalog.contains_key(key) {
                missing.insert(format!("{key} (used in {file}) missing from {lang}.toml"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "missing catalog keys:\n  {}",
        missing.into_iter().collect::<Vec<_>>().join("\n  ")
    );
}

#[test]
fn scanner_finds_keys() {
    let keys =
        keys_in_calls(r#"{{ shell.t("a.b") }} {{ lang.tn("c.d", 3) }} {{ format("x") }} t("e.f")"#);
    assert_eq!(keys, vec!["a.b", "e.f", "c.d", "c.d_one"]);
    let data = keys_as_data(r#"error = Some("g.h") errors.add("field", "i.j"); Some("not a key")"#);
    assert_eq!(data, vec!["g.h", "i.j"]);
}

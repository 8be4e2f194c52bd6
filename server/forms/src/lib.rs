//! Form definitions for ぴったりサービス: the document an agency publishes to describe a procedure's form,
//! checked before it is accepted, so that a citizen never meets a broken form.
//!
//! A definition is TOML (see `presets/` for complete examples):
//!
//! ```toml
//! id = "child_allowance"        # lower-case letters, digits and _
//! version = 1                   # a published version never changes; a new one gets a new number
//! agency = "131016"             # the agency code of who receives the submissions
//! title = { ja = "児童手当認定請求書", en = "Child allowance claim" }
//!
//! [[pages]]
//! id = "claimant"
//! title = { ja = "請求者", en = "Claimant" }
//!
//! [[pages.fields]]
//! id = "name"
//! kind = "text"                 # see [`Kind`]
//! label = { ja = "氏名", en = "Name" }
//! required = true
//! prefill = "basic.name"        # see [`PREFILL_PATHS`]; `records.<category>.<field>` for own data
//! locked = true                 # a prefilled value the citizen cannot change
//!
//! [[pages.fields]]
//! id = "spouse_name"
//! kind = "text"
//! label = { ja = "配偶者の氏名", en = "Spouse's name" }
//! show_if = { field = "has_spouse", equals = "yes" }   # shown only when that field has that value
//! ```
//!
//! [`Definition::parse`] reads the document and [`Definition::check`] lists every problem with its place
//! (`pages[2].fields[1].prefill`) and reason; a definition with any problem is refused whole.
//!
//! # Answers
//!
//! [`answers`] holds what a citizen typed. [`answers::read_page`] reads one page's post: the valid answers,
//! normalised (katakana, half-width digits, `YYYY-MM-DD`, `123-4567`), every raw value as typed (to show a
//! page with errors again) and the errors, each linked to its input. A value that fails is not stored; a
//! field hidden by `show_if` is neither checked nor kept. [`answers::check_all`] checks the whole form at
//! submission. Answers are stored as JSON, field id → value: `{"type": "text", "value": "2026-11-27"}`,
//! `many` (`values`), `group` (`entries`), `file` (`key`, `name`, `kind`, `bytes`) or `account`.
//!
//! Input names, as the pages post them (the HTML id is [`answers::input_id`]: `f-` and the name with `.` as
//! `-`; a whole-field error links to the first input):
//!
//! | kind | names |
//! |---|---|
//! | most kinds | `<id>` |
//! | checkboxes | `<id>`, once for each ticked box |
//! | date | `<id>.year`, `<id>.month`, `<id>.day` |
//! | group | `<id>.<n>.<field>` for entry n = 0, 1, …; a date in an entry `<id>.<n>.<field>.year` … |
//! | bank_account | `<id>.use` (`registered` or `other`); for another account `<id>.bank_code`, `<id>.branch_code`, `<id>.account_type` (`ordinary`, `current`, `savings`), `<id>.number`, `<id>.holder_kana` |
//! | file | `<id>`, a file input: the form posts as `multipart/form-data`; the upload is checked by its content with [`answers::check_file`]. A group cannot hold a file field. |
//!
//! The CSV export ([`answers::csv_header`], [`answers::csv_row`]) has one column per field, in the order of
//! the form, headed by its id:
//!
//! - a group: `<id>.<n>.<field>` for n = 1 to its `max_items` (10 when not said), entry by entry;
//! - a bank account: `<id>.bank_code`, `<id>.branch_code`, `<id>.account_type`, `<id>.number` (7 digits),
//!   `<id>.holder_kana`; the registered account has its details as the page filled them in;
//! - a date `YYYY-MM-DD`; a number in digits, without separators; a postal code `123-4567`; a select or radios
//!   the choice's value; checkboxes their values joined by `; `; yes/no `yes` or `no`; a declaration
//!   `agreed`; a file its original name;
//! - a hidden or unanswered field: an empty cell.
//!
//! The server writes the cells as CSV (UTF-8 with a byte order mark, RFC 4180 quoting, formulas defused).

pub mod answers;
pub mod catalogue;

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

/// A text in both portal languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    #[serde(default)]
    pub ja: String,
    #[serde(default)]
    pub en: String,
}

/// One choice of a select, radios or checkboxes field.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: Localized,
}

/// Show the field only when another field of the form has a value (`equals`), or any value (`filled`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    #[serde(default)]
    pub equals: Option<String>,
    #[serde(default)]
    pub filled: Option<bool>,
}

/// What kind of input a field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Katakana (hiragana is accepted and converted).
    Kana,
    Number,
    /// A Western-calendar date; the era is shown as help.
    Date,
    /// A postal code, which fills in the address.
    PostalCode,
    Select,
    Radios,
    Checkboxes,
    YesNo,
    /// A repeatable group of fields (household members).
    Group,
    File,
    /// A statement the citizen must agree to.
    Declaration,
    /// The refund account (公金受取口座), offered from the registration.
    BankAccount,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::Text,
        Kind::Kana,
        Kind::Number,
        Kind::Date,
        Kind::PostalCode,
        Kind::Select,
        Kind::Radios,
        Kind::Checkboxes,
        Kind::YesNo,
        Kind::Group,
        Kind::File,
        Kind::Declaration,
        Kind::BankAccount,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Kana => "kana",
            Kind::Number => "number",
            Kind::Date => "date",
            Kind::PostalCode => "postal_code",
            Kind::Select => "select",
            Kind::Radios => "radios",
            Kind::Checkboxes => "checkboxes",
            Kind::YesNo => "yes_no",
            Kind::Group => "group",
            Kind::File => "file",
            Kind::Declaration => "declaration",
            Kind::BankAccount => "bank_account",
        }
    }

    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    fn has_choices(self) -> bool {
        matches!(self, Kind::Select | Kind::Radios | Kind::Checkboxes)
    }

    /// The values a condition on a field of this kind can test for, when they are fixed.
    fn fixed_values(self) -> Option<&'static [&'static str]> {
        match self {
            Kind::YesNo => Some(&["yes", "no"]),
            Kind::Declaration => Some(&["agreed"]),
            _ => None,
        }
    }
}

/// One field as written. `kind` stays text here so that an unknown kind is reported with its place.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub id: String,
    pub kind: String,
    pub label: Localized,
    #[serde(default)]
    pub hint: Option<Localized>,
    #[serde(default)]
    pub required: bool,
    /// Where the value comes from: one of [`PREFILL_PATHS`] or `records.<category>.<field>`.
    #[serde(default)]
    pub prefill: Option<String>,
    /// A prefilled value the citizen cannot change (it still shows its source).
    #[serde(default)]
    pub locked: bool,
    #[serde(default)]
    pub show_if: Option<Condition>,
    /// select, radios, checkboxes.
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// number.
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    /// text, kana.
    #[serde(default)]
    pub max_length: Option<usize>,
    /// group: its fields, and how many entries at most.
    #[serde(default)]
    pub fields: Vec<Field>,
    #[serde(default)]
    pub max_items: Option<usize>,
    /// file: accepted types (`pdf`, `jpeg`, `png`) and the largest size.
    #[serde(default)]
    pub accept: Vec<String>,
    #[serde(default)]
    pub max_bytes: Option<u64>,
}

impl Field {
    pub fn kind(&self) -> Option<Kind> {
        Kind::from_code(&self.kind)
    }
}

/// One page of the form: one question group, as the GOV.UK pattern asks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub id: String,
    pub title: Localized,
    #[serde(default)]
    pub fields: Vec<Field>,
}

/// A form definition, one version of it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub id: String,
    pub version: u32,
    pub agency: String,
    pub title: Localized,
    #[serde(default)]
    pub pages: Vec<Page>,
}

/// One thing wrong with a definition: where (`pages[0].fields[2].kind`, or `line 4, column 7` for a
/// document that does not parse) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {reason}")]
pub struct Problem {
    pub place: String,
    pub reason: String,
}

/// The prefill sources a field can name, besides `records.<category>.<field>` (the citizen's own data).
pub const PREFILL_PATHS: [&str; 11] = [
    "basic.name",
    "basic.name_kana",
    "basic.birth_date",
    "basic.sex",
    "basic.address",
    "basic.postal_code",
    "basic.municipality",
    "household.members",
    "household.children",
    "contact.email",
    "account",
];

/// What a field of a group prefilled from the household (`household.members`, or `household.children`
/// for the members who are the citizen's children) takes from each member.
pub const MEMBER_PATHS: [&str; 3] = ["member.name", "member.birth_date", "member.relationship"];

/// The most entries a group may allow (each is a set of columns in the CSV export).
pub const MAX_GROUP_ITEMS: usize = 50;

/// File types a file field may accept (checked by content when uploaded).
pub const FILE_TYPES: [&str; 3] = ["pdf", "jpeg", "png"];

/// The largest attachment any definition may allow.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// What a definition is checked against: the record categories and their field names that
/// `records.<category>.<field>` may name, and the agency codes that exist.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub record_fields: HashMap<String, Vec<String>>,
    pub agencies: HashSet<String>,
}

fn is_identifier(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value.starts_with(|c: char| c.is_ascii_lowercase())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Definition {
    /// Reads a TOML document; a syntax error or a misplaced key is one problem with its line and column.
    pub fn parse(text: &str) -> Result<Definition, Vec<Problem>> {
        toml::from_str(text).map_err(|e| {
            let place = match e.span() {
                Some(span) => {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    format!("line {line}, column {column}")
                }
                None => "document".to_owned(),
            };
            vec![Problem {
                place,
                reason: e.message().to_owned(),
            }]
        })
    }

    /// Parses and checks: the definition, or every problem found.
    pub fn parse_checked(text: &str, context: &Context) -> Result<Definition, Vec<Problem>> {
        let definition = Definition::parse(text)?;
        let problems = definition.check(context);
        if problems.is_empty() {
            Ok(definition)
        } else {
            Err(problems)
        }
    }

    /// Every field with its place, in the order of the form (a group's fields after the group).
    pub fn fields(&self) -> Vec<(String, &Field)> {
        fn walk<'a>(prefix: &str, fields: &'a [Field], out: &mut Vec<(String, &'a Field)>) {
            for (i, field) in fields.iter().enumerate() {
                let place = format!("{prefix}.fields[{i}]");
                out.push((place.clone(), field));
                walk(&place, &field.fields, out);
            }
        }
        let mut out = Vec::new();
        for (p, page) in self.pages.iter().enumerate() {
            walk(&format!("pages[{p}]"), &page.fields, &mut out);
        }
        out
    }

    /// Every problem, each with its place and reason; empty when the definition can be published.
    pub fn check(&self, context: &Context) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut problem = |place: &str, reason: String| {
            problems.push(Problem {
                place: place.to_owned(),
                reason,
            })
        };
        if !is_identifier(&self.id) {
            problem(
                "id",
                format!(
                    "“{}” is not an id: use lower-case letters, digits and _, starting with a letter",
                    self.id
                ),
            );
        }
        if self.version == 0 {
            problem("version", "versions start at 1".to_owned());
        }
        if !context.agencies.is_empty() && !context.agencies.contains(&self.agency) {
            problem(
                "agency",
                format!("no agency has the code “{}”", self.agency),
            );
        }
        check_localized(&mut problem, "title", &self.title);
        if self.pages.is_empty() {
            problem("pages", "a form needs at least one page".to_owned());
        }
        let mut page_ids = HashSet::new();
        for (p, page) in self.pages.iter().enumerate() {
            let place = format!("pages[{p}]");
            if !is_identifier(&page.id) {
                problem(
                    &format!("{place}.id"),
                    format!("“{}” is not an id", page.id),
                );
            } else if !page_ids.insert(page.id.as_str()) {
                problem(
                    &format!("{place}.id"),
                    format!("the page id “{}” is used twice", page.id),
                );
            }
            check_localized(&mut problem, &format!("{place}.title"), &page.title);
            if page.fields.is_empty() {
                problem(
                    &format!("{place}.fields"),
                    "a page needs at least one field".to_owned(),
                );
            }
        }
        // Ids are unique in the whole form (a group's fields included): conditions and exports name them.
        let fields = self.fields();
        let mut by_id: HashMap<&str, (usize, &Field)> = HashMap::new();
        for (index, (place, field)) in fields.iter().enumerate() {
            if !is_identifier(&field.id) {
                problem(
                    &format!("{place}.id"),
                    format!(
                        "“{}” is not an id: use lower-case letters, digits and _, starting with a letter",
                        field.id
                    ),
                );
            } else if by_id.insert(field.id.as_str(), (index, field)).is_some() {
                problem(
                    &format!("{place}.id"),
                    format!("the field id “{}” is used twice", field.id),
                );
            }
        }
        for (index, (place, field)) in fields.iter().enumerate() {
            check_field(&mut problem, place, field, context);
            let in_group = place.matches(".fields[").count() > 1;
            if !in_group
                && let Some(path) = field.prefill.as_deref()
                && path.starts_with("member.")
            {
                problem(
                    &format!("{place}.prefill"),
                    format!("“{path}” fills a field of a household group, not a field of the page"),
                );
            }
            if let Some(condition) = &field.show_if {
                let at = format!("{place}.show_if");
                match by_id.get(condition.field.as_str()) {
                    None => problem(
                        &format!("{at}.field"),
                        format!("no field has the id “{}”", condition.field),
                    ),
                    Some((target_index, _)) if *target_index >= index => problem(
                        &format!("{at}.field"),
                        format!(
                            "“{}” comes at or after this field: a condition can only look back",
                            condition.field
                        ),
                    ),
                    Some((_, target)) => check_condition(&mut problem, &at, condition, target),
                }
            }
        }
        problems
    }
}

fn check_localized(problem: &mut impl FnMut(&str, String), place: &str, text: &Localized) {
    for (lang, value) in [("ja", &text.ja), ("en", &text.en)] {
        if value.trim().is_empty() {
            problem(
                &format!("{place}.{lang}"),
                "the text is empty: every text is needed in Japanese and English".to_owned(),
            );
        }
    }
}

fn check_condition(
    problem: &mut impl FnMut(&str, String),
    at: &str,
    condition: &Condition,
    target: &Field,
) {
    match (&condition.equals, condition.filled) {
        (None, None) | (Some(_), Some(_)) => problem(
            at,
            "say either `equals = \"<value>\"` or `filled = true`".to_owned(),
        ),
        (Some(value), None) => {
            let kind = target.kind();
            let allowed: Option<Vec<&str>> = match kind {
                Some(k) if k.has_choices() => {
                    Some(target.choices.iter().map(|c| c.value.as_str()).collect())
                }
                Some(k) => k.fixed_values().map(<[&str]>::to_vec),
                None => None,
            };
            if let Some(allowed) = allowed
                && !allowed.contains(&value.as_str())
            {
                problem(
                    &format!("{at}.equals"),
                    format!(
                        "“{}” can never be “{value}”: its values are {}",
                        target.id,
                        allowed.join(", ")
                    ),
                );
            }
        }
        (None, Some(_)) => {}
    }
}

fn check_field(
    problem: &mut impl FnMut(&str, String),
    place: &str,
    field: &Field,
    context: &Context,
) {
    check_localized(problem, &format!("{place}.label"), &field.label);
    if let Some(hint) = &field.hint {
        check_localized(problem, &format!("{place}.hint"), hint);
    }
    let Some(kind) = field.kind() else {
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.code()).collect();
        problem(
            &format!("{place}.kind"),
            format!(
                "“{}” is not a kind of field: use one of {}",
                field.kind,
                known.join(", ")
            ),
        );
        return;
    };
    if kind.has_choices() {
        if field.choices.len() < 2 {
            problem(
                &format!("{place}.choices"),
                format!("a {} field needs at least two choices", kind.code()),
            );
        }
        let mut seen = HashSet::new();
        for (c, choice) in field.choices.iter().enumerate() {
            if choice.value.trim().is_empty() {
                problem(
                    &format!("{place}.choices[{c}].value"),
                    "the value is empty".to_owned(),
                );
            } else if !seen.insert(choice.value.as_str()) {
                problem(
                    &format!("{place}.choices[{c}].value"),
                    format!("the value “{}” is used twice", choice.value),
                );
            }
            check_localized(
                problem,
                &format!("{place}.choices[{c}].label"),
                &choice.label,
            );
        }
    } else if !field.choices.is_empty() {
        problem(
            &format!("{place}.choices"),
            format!("a {} field has no choices", kind.code()),
        );
    }
    if let (Some(min), Some(max)) = (field.min, field.max)
        && min > max
    {
        problem(
            &format!("{place}.min"),
            format!("the minimum {min} is above the maximum {max}"),
        );
    }
    if (field.min.is_some() || field.max.is_some()) && kind != Kind::Number {
        problem(
            &format!("{place}.min"),
            "only a number field has a minimum and maximum".to_owned(),
        );
    }
    if field.max_length == Some(0) {
        problem(
            &format!("{place}.max_length"),
            "the longest length must be 1 or more".to_owned(),
        );
    }
    match kind {
        Kind::Group => {
            if field.fields.is_empty() {
                problem(
                    &format!("{place}.fields"),
                    "a group needs at least one field".to_owned(),
                );
            }
            if field.fields.iter().any(|f| f.kind() == Some(Kind::Group)) {
                problem(
                    &format!("{place}.fields"),
                    "a group cannot hold another group".to_owned(),
                );
            }
            // An upload is one file per field, named and fetched by the field's id; entries come and go
            // and are renumbered, so a file in one would have no fixed address.
            if field.fields.iter().any(|f| f.kind() == Some(Kind::File)) {
                problem(
                    &format!("{place}.fields"),
                    "a group cannot hold a file field: put it on the page".to_owned(),
                );
            }
            match field.max_items {
                Some(0) => problem(
                    &format!("{place}.max_items"),
                    "a group must allow at least one entry".to_owned(),
                ),
                Some(n) if n > MAX_GROUP_ITEMS => problem(
                    &format!("{place}.max_items"),
                    format!("a group allows at most {MAX_GROUP_ITEMS} entries"),
                ),
                _ => {}
            }
            let from_household = field
                .prefill
                .as_deref()
                .is_some_and(|p| p.starts_with("household."));
            for (f, sub) in field.fields.iter().enumerate() {
                if !from_household
                    && sub
                        .prefill
                        .as_deref()
                        .is_some_and(|p| p.starts_with("member."))
                {
                    problem(
                        &format!("{place}.fields[{f}].prefill"),
                        "member.* fills a field of a group prefilled from household.members or household.children".to_owned(),
                    );
                }
            }
        }
        _ if !field.fields.is_empty() => {
            problem(
                &format!("{place}.fields"),
                "only a group field holds fields".to_owned(),
            );
        }
        _ => {}
    }
    if kind == Kind::File {
        if field.accept.is_empty() {
            problem(
                &format!("{place}.accept"),
                format!("say which files are accepted: {}", FILE_TYPES.join(", ")),
            );
        }
        for (a, accepted) in field.accept.iter().enumerate() {
            if !FILE_TYPES.contains(&accepted.as_str()) {
                problem(
                    &format!("{place}.accept[{a}]"),
                    format!(
                        "“{accepted}” is not a file type the portal checks: use {}",
                        FILE_TYPES.join(", ")
                    ),
                );
            }
        }
        match field.max_bytes {
            None => problem(
                &format!("{place}.max_bytes"),
                "say the largest file size in bytes".to_owned(),
            ),
            Some(bytes) if bytes == 0 || bytes > MAX_FILE_BYTES => problem(
                &format!("{place}.max_bytes"),
                format!("the largest size must be from 1 byte to {MAX_FILE_BYTES} bytes (10 MB)"),
            ),
            Some(_) => {}
        }
    }
    if let Some(path) = &field.prefill {
        check_prefill(problem, &format!("{place}.prefill"), path, kind, context);
    } else if field.locked {
        problem(
            &format!("{place}.locked"),
            "only a prefilled field can be locked".to_owned(),
        );
    }
}

fn check_prefill(
    problem: &mut impl FnMut(&str, String),
    at: &str,
    path: &str,
    kind: Kind,
    context: &Context,
) {
    if path.starts_with("member.") {
        if !MEMBER_PATHS.contains(&path) {
            problem(
                at,
                format!(
                    "“{path}” is not a member's value: use one of {}",
                    MEMBER_PATHS.join(", ")
                ),
            );
        } else if (path == "member.birth_date") != (kind == Kind::Date)
            || !matches!(kind, Kind::Date | Kind::Text | Kind::Kana)
        {
            problem(at, format!("“{path}” cannot fill a {} field", kind.code()));
        }
        return;
    }
    let fits = match path {
        "household.members" | "household.children" => kind == Kind::Group,
        "account" => kind == Kind::BankAccount,
        "basic.postal_code" => kind == Kind::PostalCode || kind == Kind::Text,
        "basic.birth_date" => kind == Kind::Date,
        "basic.name_kana" => kind == Kind::Kana || kind == Kind::Text,
        _ => !matches!(
            kind,
            Kind::Group | Kind::BankAccount | Kind::File | Kind::Declaration
        ),
    };
    if let Some(rest) = path.strip_prefix("records.") {
        let mut parts = rest.splitn(2, '.');
        let (category, name) = (parts.next().unwrap_or_default(), parts.next());
        match (context.record_fields.get(category), name) {
            (None, _) => problem(at, format!("“{category}” is not a category of records")),
            (Some(_), None) => problem(
                at,
                format!("name the field too: records.{category}.<field>"),
            ),
            (Some(names), Some(name)) if !names.iter().any(|n| n == name) => problem(
                at,
                format!(
                    "records of “{category}” have no field “{name}”: they have {}",
                    names.join(", ")
                ),
            ),
            _ => {}
        }
        if matches!(
            kind,
            Kind::Group | Kind::BankAccount | Kind::File | Kind::Declaration
        ) {
            problem(
                at,
                format!("a {} field cannot be prefilled from a record", kind.code()),
            );
        }
    } else if !PREFILL_PATHS.contains(&path) {
        problem(
            at,
            format!(
                "“{path}” is not a prefill source: use one of {} or records.<category>.<field>",
                PREFILL_PATHS.join(", ")
            ),
        );
    } else if !fits {
        problem(at, format!("“{path}” cannot fill a {} field", kind.code()));
    }
}

/// The standard definitions shipped with the portal, by file name.
pub const PRESETS: [(&str, &str); 5] = [
    (
        "child_allowance",
        include_str!("../presets/child_allowance.toml"),
    ),
    ("moving_out", include_str!("../presets/moving_out.toml")),
    (
        "long_term_care",
        include_str!("../presets/long_term_care.toml"),
    ),
    (
        "disaster_certificate",
        include_str!("../presets/disaster_certificate.toml"),
    ),
    (
        "emergency_benefit",
        include_str!("../presets/emergency_benefit.toml"),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Context {
        Context {
            record_fields: HashMap::from([(
                "income_tax".to_owned(),
                vec!["year".to_owned(), "income".to_owned()],
            )]),
            agencies: HashSet::from(["131016".to_owned()]),
        }
    }

    /// A small valid form, with `extra` appended as a second page's fields.
    fn form(extra: &str) -> String {
        format!(
            r#"
id = "sample"
version = 1
agency = "131016"
title = {{ ja = "見本", en = "Sample" }}

[[pages]]
id = "first"
title = {{ ja = "一", en = "One" }}

[[pages.fields]]
id = "married"
kind = "yes_no"
label = {{ ja = "結婚していますか", en = "Are you married?" }}

[[pages]]
id = "second"
title = {{ ja = "二", en = "Two" }}
{extra}"#
        )
    }

    fn problems(extra: &str) -> Vec<Problem> {
        match Definition::parse_checked(&form(extra), &context()) {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        }
    }

    fn field(body: &str) -> String {
        format!("\n[[pages.fields]]\nlabel = {{ ja = \"項目\", en = \"Item\" }}\n{body}\n")
    }

    #[test]
    fn every_preset_is_a_valid_definition() {
        for (name, text) in PRESETS {
            let definition = Definition::parse_checked(text, &Context::default())
                .unwrap_or_else(|p| panic!("{name}: {p:?}"));
            assert_eq!(definition.id, name);
        }
    }

    #[test]
    fn a_good_field_passes() {
        assert_eq!(problems(&field("id = \"x\"\nkind = \"text\"")), Vec::new());
    }

    #[test]
    fn an_unknown_kind_is_refused_at_its_place() {
        let found = problems(&field("id = \"x\"\nkind = \"colour\""));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].place, "pages[1].fields[0].kind");
        assert!(
            found[0].reason.contains("“colour” is not a kind of field"),
            "{}",
            found[0].reason
        );
    }

    #[test]
    fn bad_prefill_paths_are_refused_with_the_reason() {
        let cases = [
            (
                "kind = \"text\"\nprefill = \"basic.shoe_size\"",
                "is not a prefill source",
            ),
            (
                "kind = \"text\"\nprefill = \"records.weather.today\"",
                "“weather” is not a category of records",
            ),
            (
                "kind = \"text\"\nprefill = \"records.income_tax.colour\"",
                "have no field “colour”",
            ),
            (
                "kind = \"text\"\nprefill = \"records.income_tax\"",
                "name the field too",
            ),
            (
                "kind = \"text\"\nprefill = \"account\"",
                "cannot fill a text field",
            ),
            (
                "kind = \"text\"\nlocked = true",
                "only a prefilled field can be locked",
            ),
            (
                "kind = \"text\"\nprefill = \"member.name\"",
                "fills a field of a household group",
            ),
        ];
        for (body, reason) in cases {
            let found = problems(&field(&format!("id = \"x\"\n{body}")));
            assert_eq!(found.len(), 1, "{body}: {found:?}");
            assert!(
                found[0].place.starts_with("pages[1].fields[0]."),
                "{found:?}"
            );
            assert!(
                found[0].reason.contains(reason),
                "{body}: {}",
                found[0].reason
            );
        }
    }

    #[test]
    fn member_values_fill_only_fields_of_a_household_group() {
        let group = |prefill: &str, sub: &str| {
            field(&format!(
                "id = \"kids\"\nkind = \"group\"\n{prefill}\n\n[[pages.fields.fields]]\nid = \"kid\"\nlabel = {{ ja = \"氏名\", en = \"Name\" }}\n{sub}"
            ))
        };
        let good = group(
            "prefill = \"household.children\"",
            "kind = \"text\"\nprefill = \"member.name\"",
        );
        assert_eq!(problems(&good), Vec::new());
        let cases = [
            (
                group("", "kind = \"text\"\nprefill = \"member.name\""),
                "pages[1].fields[0].fields[0].prefill",
                "prefilled from household",
            ),
            (
                group(
                    "prefill = \"household.members\"",
                    "kind = \"text\"\nprefill = \"member.shoe_size\"",
                ),
                "pages[1].fields[0].fields[0].prefill",
                "is not a member's value",
            ),
            (
                group(
                    "prefill = \"household.members\"",
                    "kind = \"text\"\nprefill = \"member.birth_date\"",
                ),
                "pages[1].fields[0].fields[0].prefill",
                "cannot fill a text field",
            ),
            (
                group("max_items = 51", "kind = \"text\""),
                "pages[1].fields[0].max_items",
                "at most 50",
            ),
        ];
        for (text, place, reason) in cases {
            let found = problems(&text);
            assert!(
                found
                    .iter()
                    .any(|p| p.place == place && p.reason.contains(reason)),
                "{place} {reason}: {found:?}"
            );
        }
    }

    #[test]
    fn broken_conditions_are_refused() {
        let cases = [
            (
                "show_if = { field = \"nobody\", equals = \"yes\" }",
                "pages[1].fields[0].show_if.field",
                "no field has the id “nobody”",
            ),
            (
                "show_if = { field = \"married\", equals = \"maybe\" }",
                "pages[1].fields[0].show_if.equals",
                "can never be “maybe”",
            ),
            (
                "show_if = { field = \"married\" }",
                "pages[1].fields[0].show_if",
                "either",
            ),
            (
                "show_if = { field = \"x\", filled = true }",
                "pages[1].fields[0].show_if.field",
                "can only look back",
            ),
        ];
        for (condition, place, reason) in cases {
            let found = problems(&field(&format!("id = \"x\"\nkind = \"text\"\n{condition}")));
            assert_eq!(found.len(), 1, "{condition}: {found:?}");
            assert_eq!(found[0].place, place);
            assert!(found[0].reason.contains(reason), "{}", found[0].reason);
        }
        assert_eq!(
            problems(&field(
                "id = \"x\"\nkind = \"text\"\nshow_if = { field = \"married\", equals = \"yes\" }"
            )),
            Vec::new()
        );
    }

    #[test]
    fn choices_groups_files_and_ids_are_checked() {
        let cases = [
            (
                "id = \"x\"\nkind = \"radios\"",
                "pages[1].fields[0].choices",
                "at least two choices",
            ),
            (
                "id = \"x\"\nkind = \"group\"",
                "pages[1].fields[0].fields",
                "at least one field",
            ),
            (
                "id = \"x\"\nkind = \"group\"\n\n[[pages.fields.fields]]\nid = \"scan\"\nkind = \"file\"\nlabel = { ja = \"写し\", en = \"Copy\" }\naccept = [\"pdf\"]\nmax_bytes = 10",
                "pages[1].fields[0].fields",
                "cannot hold a file field",
            ),
            (
                "id = \"x\"\nkind = \"file\"\naccept = [\"exe\"]\nmax_bytes = 10",
                "pages[1].fields[0].accept[0]",
                "“exe”",
            ),
            (
                "id = \"x\"\nkind = \"file\"\naccept = [\"pdf\"]\nmax_bytes = 99999999",
                "pages[1].fields[0].max_bytes",
                "10 MB",
            ),
            (
                "id = \"married\"\nkind = \"text\"",
                "pages[1].fields[0].id",
                "used twice",
            ),
            (
                "id = \"Bad-Id\"\nkind = \"text\"",
                "pages[1].fields[0].id",
                "is not an id",
            ),
            (
                "id = \"x\"\nkind = \"number\"\nmin = 5\nmax = 1",
                "pages[1].fields[0].min",
                "above the maximum",
            ),
        ];
        for (body, place, reason) in cases {
            let found = problems(&field(body));
            assert!(
                found
                    .iter()
                    .any(|p| p.place == place && p.reason.contains(reason)),
                "{body}: {found:?}"
            );
        }
    }

    #[test]
    fn a_document_that_does_not_parse_says_where() {
        let found = Definition::parse("id = \"x\"\nversion = \"one\"\n").expect_err("bad");
        assert_eq!(found.len(), 1);
        assert!(found[0].place.starts_with("line 2,"), "{found:?}");
        let unknown = Definition::parse(&form("\ncolour = \"red\"\n")).expect_err("unknown key");
        assert!(unknown[0].reason.contains("colour"), "{unknown:?}");
    }

    #[test]
    fn texts_are_needed_in_both_languages_and_the_agency_must_exist() {
        let text = form("")
            .replace("en = \"One\"", "en = \"\"")
            .replace("131016", "999999");
        let found = Definition::parse_checked(&text, &context()).expect_err("problems");
        let places: Vec<&str> = found.iter().map(|p| p.place.as_str()).collect();
        assert!(places.contains(&"pages[0].title.en"), "{places:?}");
        assert!(places.contains(&"agency"), "{places:?}");
        assert!(
            places.contains(&"pages[1].fields"),
            "the empty second page: {places:?}"
        );
    }
}

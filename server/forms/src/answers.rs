//! What a citizen typed into a form: read and checked page by page on the server, kept as a draft, checked
//! whole at submission, shown on the check-answers page and in the receipt, and exported as CSV.
//!
//! Everything here is pure: the pages, the storage and the uploads live elsewhere. Every message names the
//! field by its label, in Japanese and English, in the GOV.UK manner ("Enter name" / "氏名を入力してください").
//! Answers only ever hold valid, normalised values; what was typed stays in [`PageOutcome::typed`] so a page
//! with errors is shown again exactly as it was filled in.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{Definition, FILE_TYPES, Field, Kind, Localized, MAX_FILE_BYTES};

/// How many entries a group takes when its definition does not say.
pub const DEFAULT_MAX_ITEMS: usize = 10;

/// The account types (預金種目) a bank account field takes, as posted and stored.
pub const ACCOUNT_TYPES: [&str; 3] = ["ordinary", "current", "savings"];

/// How deep a chain of conditions is followed. A published definition only looks back, so a chain ends;
/// the limit keeps an unchecked, circular one from recursing without end.
const MAX_CONDITION_DEPTH: u8 = 16;

/// The values of one group entry, by the group's field ids.
pub type Entry = BTreeMap<String, Value>;

/// field id → value; serde JSON round trip (this is what is stored as a draft and a submission).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers(pub BTreeMap<String, Value>);

/// One answer. Dates (YYYY-MM-DD), numbers, postal codes (123-4567), choices, yes/no and declarations are
/// all text, in their normalised form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Value {
    Text {
        value: String,
    },
    /// Checkboxes: the ticked choices' values, in the order of the choices.
    Many {
        values: Vec<String>,
    },
    /// A group's entries, in the order they were entered, empty ones left out.
    Group {
        entries: Vec<Entry>,
    },
    File(FileRef),
    Account(AccountValue),
}

impl Value {
    /// A text value.
    pub fn text(value: impl Into<String>) -> Value {
        Value::Text {
            value: value.into(),
        }
    }

    /// Whether the value says anything: an empty text, list or group is no answer.
    pub fn is_answered(&self) -> bool {
        match self {
            Value::Text { value } => !value.trim().is_empty(),
            Value::Many { values } => !values.is_empty(),
            Value::Group { entries } => !entries.is_empty(),
            Value::File(_) | Value::Account(_) => true,
        }
    }

    /// Whether a condition's `equals` holds: a text is that value, a list holds it, an account is
    /// "registered" or "other" as chosen.
    fn has(&self, expected: &str) -> bool {
        match self {
            Value::Text { value } => value == expected,
            Value::Many { values } => values.iter().any(|v| v == expected),
            Value::Account(account) => account.use_code() == expected,
            Value::Group { .. } | Value::File(_) => false,
        }
    }
}

/// An uploaded file, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    /// The storage key.
    pub key: String,
    /// The original file name.
    pub name: String,
    /// `pdf`, `jpeg` or `png`, as found by [`check_file`].
    pub kind: String,
    pub bytes: u64,
}

/// The account a payment goes to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountValue {
    /// The registered 公金受取口座; its details are filled in from the registration by the page, not typed.
    pub registered: bool,
    /// 4 digits.
    pub bank_code: String,
    /// 3 digits.
    pub branch_code: String,
    /// One of [`ACCOUNT_TYPES`].
    pub account_type: String,
    /// 7 digits, zero-padded on the left.
    pub number: String,
    /// The holder's name in katakana.
    pub holder_kana: String,
}

impl AccountValue {
    fn use_code(&self) -> &'static str {
        if self.registered {
            "registered"
        } else {
            "other"
        }
    }
}

/// An error shown next to an input and in the page's error summary. `input` is the HTML id of the input it
/// links to (see [`input_id`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field id (a group's field id for an error inside an entry).
    pub field: String,
    pub input: String,
    pub message: Localized,
}

/// What one page's post came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageOutcome {
    /// The previous answers with this page's fields replaced by what was valid.
    pub answers: Answers,
    /// Every raw value by input name, so a page with errors is shown again with exactly what was typed. A
    /// repeated name (checkboxes) holds its values one a line. Locked fields show their kept value.
    pub typed: BTreeMap<String, String>,
    pub errors: Vec<FieldError>,
}

/// The HTML id of an input name: "f-" + name with '.' replaced by '-'. A date's year box takes the date's
/// own id (`birth.year` → `f-birth`; the month is `f-birth-month`), as the portal's date input names them,
/// so an error about the whole date links to its first box.
pub fn input_id(name: &str) -> String {
    let name = name.strip_suffix(".year").unwrap_or(name);
    format!("f-{}", name.replace('.', "-"))
}

// ---------------------------------------------------------------------------------------------------------
// Reading a page

/// The posted pairs by name, each name's values in the order posted.
#[derive(Debug, Default)]
struct Posted(BTreeMap<String, Vec<String>>);

impl Posted {
    fn new(input: &[(String, String)]) -> Posted {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in input {
            map.entry(name.clone()).or_default().push(value.clone());
        }
        Posted(map)
    }

    /// The first value of a name; a single input posted twice can only be a forgery, and the first wins.
    fn one(&self, name: &str) -> &str {
        self.0
            .get(name)
            .and_then(|values| values.first())
            .map_or("", String::as_str)
    }

    fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }

    /// The inputs of a field: the name itself and every name under it (`name.…`).
    fn under<'a>(&'a self, name: &'a str) -> impl Iterator<Item = (&'a String, &'a Vec<String>)> {
        self.0
            .range::<str, _>((std::ops::Bound::Included(name), std::ops::Bound::Unbounded))
            .take_while(move |(key, _)| key.starts_with(name))
            .filter(move |(key, _)| {
                key.strip_prefix(name)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
    }

    fn is_blank_under(&self, name: &str) -> bool {
        self.under(name)
            .all(|(_, values)| values.iter().all(|v| v.trim().is_empty()))
    }

    /// The entry numbers posted for a group (`name.<n>.…`), in order.
    fn indices(&self, name: &str) -> BTreeSet<usize> {
        self.under(name)
            .filter_map(|(key, _)| key.get(name.len() + 1..))
            .filter_map(|rest| rest.split('.').next())
            .filter_map(|n| n.parse().ok())
            .collect()
    }
}

/// Reads one page's posted form (urlencoded pairs, in order; a name may repeat for checkboxes).
/// `locked`: ids of prefilled, locked fields — their posted values are ignored and the previous value kept.
///
/// A page index that does not exist changes nothing and reports nothing.
pub fn read_page(
    definition: &Definition,
    page: usize,
    input: &[(String, String)],
    previous: &Answers,
    locked: &BTreeSet<String>,
) -> PageOutcome {
    let mut outcome = PageOutcome {
        answers: previous.clone(),
        ..PageOutcome::default()
    };
    let Some(page) = definition.pages.get(page) else {
        return outcome;
    };
    let posted = Posted::new(input);
    for field in &page.fields {
        if locked.contains(&field.id) {
            if let Some(value) = previous.0.get(&field.id) {
                typed_of(field, &field.id, value, &mut outcome.typed);
            }
            continue;
        }
        for (name, values) in posted.under(&field.id) {
            outcome.typed.insert(name.clone(), values.join("\n"));
        }
        // What was there is replaced by what is valid now, or by nothing.
        outcome.answers.0.remove(&field.id);
        // Later fields' conditions see this page's valid answers so far, merged over the previous ones.
        if !shown(definition, field, None, &outcome.answers, None, 0) {
            continue;
        }
        let context = Context {
            definition,
            answers: &outcome.answers,
        };
        match read_field(
            &context,
            field,
            &field.id,
            &posted,
            previous.0.get(&field.id),
        ) {
            Ok(Some(value)) => {
                outcome.answers.0.insert(field.id.clone(), value);
            }
            Ok(None) => {}
            Err(errors) => outcome.errors.extend(errors),
        }
    }
    outcome
}

/// The input values a page is first shown with, from stored answers (a draft, or a page visited again):
/// the same shape as [`PageOutcome::typed`]. An unknown page has no inputs.
pub fn typed_from_answers(
    definition: &Definition,
    page: usize,
    answers: &Answers,
) -> BTreeMap<String, String> {
    let mut typed = BTreeMap::new();
    for field in definition.pages.get(page).map_or(&[][..], |p| &p.fields) {
        if let Some(value) = answers.0.get(&field.id) {
            typed_of(field, &field.id, value, &mut typed);
        }
    }
    typed
}

fn typed_of(field: &Field, name: &str, value: &Value, typed: &mut BTreeMap<String, String>) {
    let mut inputs = BTreeMap::new();
    inputs_of(field, name, value, &mut inputs);
    typed.extend(
        inputs
            .into_iter()
            .map(|(name, values)| (name, values.join("\n"))),
    );
}

/// A stored value as the inputs that would post it: how a draft fills its page, and how a stored value is
/// checked again (it is read back as if posted).
fn inputs_of(field: &Field, name: &str, value: &Value, out: &mut BTreeMap<String, Vec<String>>) {
    let mut put = |suffix: &str, text: &str| {
        out.insert(format!("{name}{suffix}"), vec![text.to_owned()]);
    };
    match (field.kind(), value) {
        (Some(Kind::Date), Value::Text { value }) => match value.split('-').collect::<Vec<_>>()[..]
        {
            [year, month, day] => {
                put(".year", year);
                put(".month", without_leading_zeros(month));
                put(".day", without_leading_zeros(day));
            }
            _ => put(".year", value),
        },
        (Some(Kind::Checkboxes), Value::Many { values }) => {
            out.insert(name.to_owned(), values.clone());
        }
        (Some(Kind::Group), Value::Group { entries }) => {
            for (i, entry) in entries.iter().enumerate() {
                for sub in &field.fields {
                    if let Some(value) = entry.get(&sub.id) {
                        inputs_of(sub, &format!("{name}.{i}.{}", sub.id), value, out);
                    }
                }
            }
        }
        (Some(Kind::BankAccount), Value::Account(account)) => {
            put(".use", account.use_code());
            if !account.registered {
                put(".bank_code", &account.bank_code);
                put(".branch_code", &account.branch_code);
                put(".account_type", &account.account_type);
                put(".number", &account.number);
                put(".holder_kana", &account.holder_kana);
            }
        }
        // A file is not an input: it stays as it was uploaded.
        (Some(Kind::File), _) => {}
        (_, Value::Text { value }) => put("", value),
        _ => {}
    }
}

fn without_leading_zeros(digits: &str) -> &str {
    match digits.trim_start_matches('0') {
        "" => digits,
        rest => rest,
    }
}

/// The definition and the answers so far, which conditions are evaluated against.
struct Context<'a> {
    definition: &'a Definition,
    answers: &'a Answers,
}

/// What one field's inputs came to, under the input name `name` (`id`, or `group.<n>.id` in a group).
/// `previous` is the field's stored value: a file and the registered account keep it.
fn read_field(
    context: &Context,
    field: &Field,
    name: &str,
    posted: &Posted,
    previous: Option<&Value>,
) -> Result<Option<Value>, Vec<FieldError>> {
    // A kind the portal does not know is refused when a definition is checked; such a field has no answer.
    let Some(kind) = field.kind() else {
        return Ok(None);
    };
    let read = match kind {
        Kind::Group => return read_group(context, field, name, posted, previous),
        Kind::Date => read_date(field, name, posted).map(|date| date.map(Value::text)),
        Kind::Checkboxes => read_checkboxes(field, name, posted),
        Kind::File => read_file(field, name, previous),
        Kind::BankAccount => read_account(field, name, posted, previous),
        _ => read_text(field, kind, posted.one(name))
            .map(|text| text.map(Value::text))
            .map_err(|message| vec![(name.to_owned(), message)]),
    };
    read.map_err(|problems| {
        problems
            .into_iter()
            .map(|(input, message)| FieldError {
                field: field.id.clone(),
                input: input_id(&input),
                message,
            })
            .collect()
    })
}

/// Problems by the input name they link to.
type Problems = Vec<(String, Localized)>;

/// The kinds that are one input holding one text.
fn read_text(field: &Field, kind: Kind, raw: &str) -> Result<Option<String>, Localized> {
    let raw = raw.trim();
    if raw.is_empty() {
        return if field.required {
            Err(message::required(field, kind))
        } else {
            Ok(None)
        };
    }
    let value = match kind {
        Kind::Kana => katakana(raw).ok_or_else(|| message::not_katakana(field))?,
        Kind::Number => number(field, raw)?,
        Kind::PostalCode => postal_code(raw).ok_or_else(|| message::postal_code(field))?,
        Kind::Select | Kind::Radios => {
            if !field.choices.iter().any(|c| c.value == raw) {
                return Err(message::not_a_choice(field));
            }
            raw.to_owned()
        }
        Kind::YesNo if raw == "yes" || raw == "no" => raw.to_owned(),
        Kind::Declaration if raw == "agreed" => raw.to_owned(),
        // Anything else is a forged value: say what is wanted.
        Kind::YesNo | Kind::Declaration => return Err(message::required(field, kind)),
        _ => raw.to_owned(),
    };
    if let Some(max) = field.max_length
        && value.chars().count() > max
    {
        return Err(message::too_long(field, max));
    }
    Ok(Some(value))
}

/// Full-width digits and letters as half-width, the ideographic space as a space, and the dashes people
/// type for a hyphen or minus as '-'; trimmed. For numbers, dates, postal codes and bank codes.
fn half_width(raw: &str) -> String {
    raw.trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' | 'ｰ' => '-',
            _ => c,
        })
        .collect()
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Katakana with single spaces between words: hiragana becomes katakana and half-width kana full-width (its
/// voiced marks joined); `None` when anything else is left.
fn katakana(raw: &str) -> Option<String> {
    let folded = crate::catalogue::fold(raw);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let joined = words.join(" ");
    let is_kana = |c: char| matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | '・');
    (!joined.is_empty() && joined.chars().all(|c| c == ' ' || is_kana(c))).then_some(joined)
}

/// An integer, written with or without thousands separators ("1,000"), stored without them.
fn number(field: &Field, raw: &str) -> Result<String, Localized> {
    let text = half_width(raw);
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text.as_str()),
    };
    let digits = if body.contains(',') {
        // Commas only as thousands separators: "1,000" but not "1,00".
        let mut groups = body.split(',');
        let first = groups.next().unwrap_or_default();
        let grouped = (1..=3).contains(&first.len())
            && is_digits(first)
            && groups.all(|g| g.len() == 3 && is_digits(g));
        if !grouped {
            return Err(message::not_a_number(field));
        }
        body.replace(',', "")
    } else {
        body.to_owned()
    };
    if !is_digits(&digits) {
        let decimal = digits
            .split_once('.')
            .is_some_and(|(whole, part)| is_digits(whole) && is_digits(part));
        return Err(if decimal {
            message::not_whole(field)
        } else {
            message::not_a_number(field)
        });
    }
    let magnitude = digits
        .bytes()
        .try_fold(0i64, |n, b| {
            n.checked_mul(10)?.checked_add(i64::from(b - b'0'))
        })
        .ok_or_else(|| {
            // Beyond what is stored: the range, when the bound it passes is set; else just too many digits.
            let bounded = if negative { field.min } else { field.max };
            match bounded.and_then(|_| message::out_of_range(field)) {
                Some(range) => range,
                None => message::too_large(field),
            }
        })?;
    let value = if negative { -magnitude } else { magnitude };
    let below = field.min.is_some_and(|min| value < min);
    let above = field.max.is_some_and(|max| value > max);
    if below || above {
        return Err(message::out_of_range(field).unwrap_or_else(|| message::too_large(field)));
    }
    Ok(value.to_string())
}

/// "1234567", "123-4567", "〒123-4567", in full or half width, as "123-4567".
fn postal_code(raw: &str) -> Option<String> {
    let text = half_width(raw);
    let text: String = text
        .trim_start_matches('〒')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let (head, tail) = match text.split_once('-') {
        Some((head, tail)) => (head.to_owned(), tail.to_owned()),
        None if text.len() == 7 => (text.get(..3)?.to_owned(), text.get(3..)?.to_owned()),
        None => return None,
    };
    (head.len() == 3 && tail.len() == 4 && is_digits(&head) && is_digits(&tail))
        .then(|| format!("{head}-{tail}"))
}

/// Three boxes, year-month-day, as YYYY-MM-DD.
fn read_date(field: &Field, name: &str, posted: &Posted) -> Result<Option<String>, Problems> {
    let parts = ["year", "month", "day"].map(|part| {
        let input = format!("{name}.{part}");
        let value = half_width(posted.one(&input));
        (part, input, value)
    });
    let year_input = format!("{name}.year");
    let missing: Vec<&(&str, String, String)> = parts
        .iter()
        .filter(|(_, _, value)| value.is_empty())
        .collect();
    if missing.len() == parts.len() {
        return if field.required {
            Err(vec![(year_input, message::required(field, Kind::Date))])
        } else {
            Ok(None)
        };
    }
    if let Some((_, first, _)) = missing.first() {
        let names: Vec<&str> = missing.iter().map(|(part, _, _)| *part).collect();
        return Err(vec![(first.clone(), message::date_missing(field, &names))]);
    }
    let [(_, _, year), (_, _, month), (_, _, day)] = &parts;
    if year.len() != 4 || !is_digits(year) {
        return Err(vec![(year_input, message::year_digits(field))]);
    }
    let small = |text: &str| {
        (text.len() <= 2 && is_digits(text))
            .then(|| text.parse::<u32>().ok())
            .flatten()
    };
    let year: i32 = year.parse().unwrap_or_default();
    match (small(month), small(day)) {
        (Some(month), Some(day)) if is_real_date(year, month, day) => {
            Ok(Some(format!("{year:04}-{month:02}-{day:02}")))
        }
        _ => Err(vec![(year_input, message::not_a_date(field))]),
    }
}

fn is_real_date(year: i32, month: u32, day: u32) -> bool {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// A stored date's parts, when it is one.
fn date_parts(value: &str) -> Option<(i32, u32, u32)> {
    let mut parts = value.split('-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    (parts.next().is_none() && is_real_date(year, month, day)).then_some((year, month, day))
}

fn read_checkboxes(field: &Field, name: &str, posted: &Posted) -> Result<Option<Value>, Problems> {
    let ticked: BTreeSet<&str> = posted
        .all(name)
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    if ticked.is_empty() {
        return if field.required {
            Err(vec![(
                name.to_owned(),
                message::required(field, Kind::Checkboxes),
            )])
        } else {
            Ok(None)
        };
    }
    if ticked
        .iter()
        .any(|v| !field.choices.iter().any(|c| c.value == *v))
    {
        return Err(vec![(name.to_owned(), message::not_a_choice(field))]);
    }
    let values = field
        .choices
        .iter()
        .filter(|c| ticked.contains(c.value.as_str()))
        .map(|c| c.value.clone())
        .collect();
    Ok(Some(Value::Many { values }))
}

/// Uploads are handled elsewhere: the stored file stays, and is still checked against the field.
fn read_file(
    field: &Field,
    name: &str,
    previous: Option<&Value>,
) -> Result<Option<Value>, Problems> {
    match previous {
        Some(Value::File(file)) => match check_file_ref(field, file) {
            Ok(()) => Ok(Some(Value::File(file.clone()))),
            Err(message) => Err(vec![(name.to_owned(), message)]),
        },
        _ if field.required => Err(vec![(
            name.to_owned(),
            message::required(field, Kind::File),
        )]),
        _ => Ok(None),
    }
}

const ACCOUNT_PARTS: [&str; 5] = [
    "bank_code",
    "branch_code",
    "account_type",
    "number",
    "holder_kana",
];

fn read_account(
    field: &Field,
    name: &str,
    posted: &Posted,
    previous: Option<&Value>,
) -> Result<Option<Value>, Problems> {
    let input = |part: &str| format!("{name}.{part}");
    let typed = |part: &str| posted.one(&input(part)).trim().to_owned();
    let any_typed = ACCOUNT_PARTS.iter().any(|part| !typed(part).is_empty());
    match typed("use").as_str() {
        "" if field.required || any_typed => Err(vec![(
            input("use"),
            message::required(field, Kind::BankAccount),
        )]),
        "" => Ok(None),
        // The page fills the registered account's details in; they are kept when the page is posted again.
        "registered" => Ok(Some(Value::Account(match previous {
            Some(Value::Account(account)) if account.registered => account.clone(),
            _ => AccountValue {
                registered: true,
                ..AccountValue::default()
            },
        }))),
        "other" => {
            let mut problems = Vec::new();
            let mut digits = |part: &str, lengths: std::ops::RangeInclusive<usize>, pad: usize| {
                let value = half_width(&typed(part));
                if value.is_empty() {
                    problems.push((input(part), message::account_missing(part)));
                } else if !is_digits(&value) || !lengths.contains(&value.len()) {
                    problems.push((input(part), message::account_wrong(part)));
                }
                format!("{value:0>pad$}")
            };
            let bank_code = digits("bank_code", 4..=4, 4);
            let branch_code = digits("branch_code", 3..=3, 3);
            let number = digits("number", 1..=7, 7);
            let account_type = typed("account_type");
            if account_type.is_empty() {
                problems.push((
                    input("account_type"),
                    message::account_missing("account_type"),
                ));
            } else if !ACCOUNT_TYPES.contains(&account_type.as_str()) {
                problems.push((
                    input("account_type"),
                    message::account_wrong("account_type"),
                ));
            }
            let holder = typed("holder_kana");
            let holder_kana = if holder.is_empty() {
                problems.push((
                    input("holder_kana"),
                    message::account_missing("holder_kana"),
                ));
                String::new()
            } else {
                katakana(&holder).unwrap_or_else(|| {
                    problems.push((input("holder_kana"), message::account_wrong("holder_kana")));
                    String::new()
                })
            };
            // The order of the inputs on the page, so the error summary reads top to bottom.
            problems.sort_by_key(|(name, _)| {
                ACCOUNT_PARTS
                    .iter()
                    .position(|part| name.ends_with(&format!(".{part}")))
            });
            if !problems.is_empty() {
                return Err(problems);
            }
            Ok(Some(Value::Account(AccountValue {
                registered: false,
                bank_code,
                branch_code,
                account_type,
                number,
                holder_kana,
            })))
        }
        _ => Err(vec![(input("use"), message::not_a_choice(field))]),
    }
}

/// A group's entries, `name.<n>.<field>` for each entry number posted. An entry left wholly empty is
/// dropped; an error inside an entry names the entry by its number on the page.
fn read_group(
    context: &Context,
    group: &Field,
    name: &str,
    posted: &Posted,
    previous: Option<&Value>,
) -> Result<Option<Value>, Vec<FieldError>> {
    let max = group.max_items.unwrap_or(DEFAULT_MAX_ITEMS);
    let previous_entries = match previous {
        Some(Value::Group { entries }) => entries.as_slice(),
        _ => &[],
    };
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for index in posted.indices(name) {
        let prefix = format!("{name}.{index}");
        if posted.is_blank_under(&prefix) {
            continue;
        }
        // One over the limit is enough to refuse; reading further would only cost time.
        if entries.len() > max {
            break;
        }
        let mut entry = Entry::new();
        for field in &group.fields {
            if !shown(
                context.definition,
                field,
                Some(group),
                context.answers,
                Some(&entry),
                0,
            ) {
                continue;
            }
            let before = previous_entries.get(index).and_then(|e| e.get(&field.id));
            let input = format!("{prefix}.{}", field.id);
            match read_field(context, field, &input, posted, before) {
                Ok(Some(value)) => {
                    entry.insert(field.id.clone(), value);
                }
                Ok(None) => {}
                Err(found) => errors.extend(found.into_iter().map(|error| FieldError {
                    message: message::in_entry(group, index.saturating_add(1), &error.message),
                    ..error
                })),
            }
        }
        entries.push(entry);
    }
    let whole = |message: Localized| FieldError {
        field: group.id.clone(),
        input: input_id(&first_input(group, name)),
        message,
    };
    if entries.len() > max {
        errors.push(whole(message::too_many(group, max)));
    }
    if entries.is_empty() && group.required {
        errors.push(whole(message::required(group, Kind::Group)));
    }
    if !errors.is_empty() {
        Err(errors)
    } else if entries.is_empty() {
        Ok(None)
    } else {
        Ok(Some(Value::Group { entries }))
    }
}

/// The input an error about the whole field links to: the first one of the field.
fn first_input(field: &Field, name: &str) -> String {
    match field.kind() {
        Some(Kind::Date) => format!("{name}.year"),
        Some(Kind::BankAccount) => format!("{name}.use"),
        Some(Kind::Group) => field.fields.first().map_or_else(
            || name.to_owned(),
            |first| first_input(first, &format!("{name}.0.{}", first.id)),
        ),
        _ => name.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Conditions

/// show_if evaluated against the answers (a field whose condition's field is hidden is hidden too).
///
/// For a field of a group, a condition on another field of the same group needs the entry: see
/// [`visible_in_entry`]; here such a field is hidden.
pub fn visible(definition: &Definition, field: &Field, answers: &Answers) -> bool {
    let group = locate(definition, &field.id).and_then(|(_, group)| group);
    shown(definition, field, group, answers, None, 0)
}

/// Whether a field of `group` is shown in one of its entries: a condition may name a field of the same
/// entry, or any field outside the group.
pub fn visible_in_entry(
    definition: &Definition,
    group: &Field,
    field: &Field,
    answers: &Answers,
    entry: &Entry,
) -> bool {
    shown(definition, field, Some(group), answers, Some(entry), 0)
}

fn shown(
    definition: &Definition,
    field: &Field,
    group: Option<&Field>,
    answers: &Answers,
    entry: Option<&Entry>,
    depth: u8,
) -> bool {
    if depth > MAX_CONDITION_DEPTH {
        return false;
    }
    if let Some(group) = group
        && !shown(definition, group, None, answers, None, depth + 1)
    {
        return false;
    }
    let Some(condition) = &field.show_if else {
        return true;
    };
    // A condition on a field that does not exist is refused when a definition is checked.
    let Some((target, target_group)) = locate(definition, &condition.field) else {
        return false;
    };
    let (value, target_entry) = match (group, target_group) {
        (_, None) => (answers.0.get(&target.id), None),
        (Some(ours), Some(theirs)) if ours.id == theirs.id => {
            (entry.and_then(|e| e.get(&target.id)), entry)
        }
        // Another group's field has a value per entry, none for the form as a whole.
        (_, Some(_)) => (None, None),
    };
    if !shown(
        definition,
        target,
        target_group,
        answers,
        target_entry,
        depth + 1,
    ) {
        return false;
    }
    match (&condition.equals, condition.filled) {
        (Some(expected), _) => value.is_some_and(|v| v.has(expected)),
        (None, Some(filled)) => value.is_some_and(Value::is_answered) == filled,
        (None, None) => true,
    }
}

/// A field by its id, with the group it belongs to.
fn locate<'a>(definition: &'a Definition, id: &str) -> Option<(&'a Field, Option<&'a Field>)> {
    definition
        .pages
        .iter()
        .flat_map(|p| &p.fields)
        .find_map(|field| {
            if field.id == id {
                return Some((field, None));
            }
            field
                .fields
                .iter()
                .find(|sub| sub.id == id)
                .map(|sub| (sub, Some(field)))
        })
}

/// Answers without the values of fields that are hidden now (submitted answers never carry a hidden field).
/// Values under ids the definition does not have are dropped too, and so is a group's entry left empty.
pub fn without_hidden(definition: &Definition, answers: &Answers) -> Answers {
    let mut kept = Answers::default();
    for field in definition.pages.iter().flat_map(|p| &p.fields) {
        let Some(value) = answers.0.get(&field.id) else {
            continue;
        };
        if !shown(definition, field, None, answers, None, 0) {
            continue;
        }
        let value = match value {
            Value::Group { entries } if field.kind() == Some(Kind::Group) => {
                let entries: Vec<Entry> = entries
                    .iter()
                    .map(|entry| {
                        field
                            .fields
                            .iter()
                            .filter(|sub| {
                                shown(definition, sub, Some(field), answers, Some(entry), 0)
                            })
                            .filter_map(|sub| Some((sub.id.clone(), entry.get(&sub.id)?.clone())))
                            .collect::<Entry>()
                    })
                    .filter(|entry| !entry.is_empty())
                    .collect();
                if entries.is_empty() {
                    continue;
                }
                Value::Group { entries }
            }
            other => other.clone(),
        };
        kept.0.insert(field.id.clone(), value);
    }
    kept
}

/// At submission: every required, visible field answered and every value still valid; errors with the page
/// index they belong to, so the check-answers page can link to the page.
///
/// A stored value is checked by reading it back as if it were posted; one that reads back different (not
/// in its normalised form, or of the wrong type) is reported too.
pub fn check_all(definition: &Definition, answers: &Answers) -> Vec<(usize, FieldError)> {
    let answers = without_hidden(definition, answers);
    let context = Context {
        definition,
        answers: &answers,
    };
    let mut errors = Vec::new();
    for (page, fields) in definition.pages.iter().map(|p| &p.fields).enumerate() {
        for field in fields {
            let Some(kind) = field.kind() else {
                continue;
            };
            if !shown(definition, field, None, &answers, None, 0) {
                continue;
            }
            let whole = |message: Localized| FieldError {
                field: field.id.clone(),
                input: input_id(&first_input(field, &field.id)),
                message,
            };
            let Some(value) = answers.0.get(&field.id).filter(|v| v.is_answered()) else {
                if field.required {
                    errors.push((page, whole(message::required(field, kind))));
                }
                continue;
            };
            let mut inputs = BTreeMap::new();
            inputs_of(field, &field.id, value, &mut inputs);
            match read_field(&context, field, &field.id, &Posted(inputs), Some(value)) {
                Err(found) => errors.extend(found.into_iter().map(|e| (page, e))),
                Ok(read) if read.as_ref() != Some(value) => {
                    errors.push((page, whole(message::check(field))));
                }
                Ok(_) => {}
            }
        }
    }
    errors
}

// ---------------------------------------------------------------------------------------------------------
// Files

/// The types a file field accepts; a field that does not say accepts them all.
fn accepted(field: &Field) -> Vec<&'static str> {
    if field.accept.is_empty() {
        return FILE_TYPES.to_vec();
    }
    FILE_TYPES
        .into_iter()
        .filter(|t| field.accept.iter().any(|a| a == t))
        .collect()
}

/// The largest file a field takes: its own limit, never above the portal's.
pub fn file_limit(field: &Field) -> u64 {
    field
        .max_bytes
        .unwrap_or(MAX_FILE_BYTES)
        .min(MAX_FILE_BYTES)
}

/// The type of a file by its first bytes; a name or a declared type can say anything.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpeg")
    } else if bytes.starts_with(&[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("png")
    } else {
        None
    }
}

/// The type of an upload by its content (magic numbers: %PDF-, FF D8 FF, 89 50 4E 47 0D 0A 1A 0A), checked
/// against the field's `accept` and `max_bytes` (default [`MAX_FILE_BYTES`]); an empty file is an error.
/// Error messages name the field and the limit in MB.
pub fn check_file(field: &Field, bytes: &[u8]) -> Result<&'static str, Localized> {
    if bytes.is_empty() {
        return Err(message::file_empty(field));
    }
    let kind = sniff(bytes)
        .filter(|kind| accepted(field).contains(kind))
        .ok_or_else(|| message::file_type(field, &accepted(field)))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > file_limit(field) {
        return Err(message::file_size(field, file_limit(field)));
    }
    Ok(kind)
}

/// The field's size message, for an upload cut off before all of it was read (so [`check_file`] never
/// saw its size).
pub fn file_too_large(field: &Field) -> Localized {
    message::file_size(field, file_limit(field))
}

/// A stored file still fits its field (the definition is fixed, but a stored value may not be).
fn check_file_ref(field: &Field, file: &FileRef) -> Result<(), Localized> {
    let accepted = accepted(field);
    if file.bytes == 0 {
        Err(message::file_empty(field))
    } else if !accepted.contains(&file.kind.as_str()) {
        Err(message::file_type(field, &accepted))
    } else if file.bytes > file_limit(field) {
        Err(message::file_size(field, file_limit(field)))
    } else {
        Ok(())
    }
}

/// A size in MB for a message: "5", "1.5", never less than "0.1".
fn megabytes(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    // Rounded down: the limit said is never more than the limit.
    let tenths = (u128::from(bytes) * 10 / u128::from(MB)).max(1);
    if tenths.is_multiple_of(10) {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// A file size for people: "820 KB", "1.2 MB".
pub fn file_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    if bytes < KB * KB {
        format!("{} KB", bytes.div_ceil(KB).max(1))
    } else {
        let tenths = (u128::from(bytes) * 10 + u128::from(KB * KB) / 2) / u128::from(KB * KB);
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

// ---------------------------------------------------------------------------------------------------------
// Showing answers

/// The Japanese eras, newest first: where each begins, in the Western calendar.
const ERAS: [((i32, u32, u32), &str, &str); 5] = [
    ((2019, 5, 1), "令和", "Reiwa"),
    ((1989, 1, 8), "平成", "Heisei"),
    ((1926, 12, 25), "昭和", "Showa"),
    ((1912, 7, 30), "大正", "Taisho"),
    ((1868, 1, 25), "明治", "Meiji"),
];

/// The Japanese era of a Western date, for help text: 2026-11-27 → ja "令和8年", en "Reiwa 8". Eras: 明治
/// 1868-01-25..., 大正 1912-07-30, 昭和 1926-12-25, 平成 1989-01-08, 令和 2019-05-01; year 1 is 元年 in ja
/// ("令和元年"). `None` for a date that does not exist or comes before 明治.
pub fn era(year: i32, month: u32, day: u32) -> Option<Localized> {
    if !is_real_date(year, month, day) {
        return None;
    }
    let ((start, _, _), ja, en) = ERAS
        .iter()
        .find(|(start, _, _)| (year, month, day) >= *start)?;
    let n = year - start + 1;
    Some(Localized {
        ja: if n == 1 {
            format!("{ja}元年")
        } else {
            format!("{ja}{n}年")
        },
        en: format!("{en} {n}"),
    })
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn pick(ja: bool, japanese: &str, english: &str) -> String {
    (if ja { japanese } else { english }).to_owned()
}

fn label(text: &Localized, ja: bool) -> String {
    pick(ja, &text.ja, &text.en)
}

/// How a value reads on the check-answers page and in the receipt (ja or en), e.g. a date as 2026年11月27日
/// / 27 November 2026, a choice by its label, yes/no as はい/いいえ / Yes/No, a declaration as 同意します /
/// Agreed, an account as "0001 · 001 · 普通 · 1234567 · ヤマダ タロウ" (registered: mention that it is the
/// registered 公金受取口座), a file by its name and size. A group has one line per entry.
pub fn display(field: &Field, value: &Value, ja: bool) -> String {
    match (field.kind(), value) {
        (Some(Kind::Date), Value::Text { value }) => match date_parts(value) {
            Some((y, m, d)) if ja => format!("{y}年{m}月{d}日"),
            Some((y, m, d)) => {
                let month = usize::try_from(m - 1)
                    .ok()
                    .and_then(|i| MONTHS.get(i))
                    .copied()
                    .unwrap_or_default();
                format!("{d} {month} {y}")
            }
            None => value.clone(),
        },
        (Some(Kind::Number), Value::Text { value }) => with_separators(value),
        (Some(Kind::Select | Kind::Radios), Value::Text { value }) => {
            choice_label(field, value, ja)
        }
        (Some(Kind::YesNo), Value::Text { value }) => match value.as_str() {
            "yes" => pick(ja, "はい", "Yes"),
            "no" => pick(ja, "いいえ", "No"),
            other => other.to_owned(),
        },
        (Some(Kind::Declaration), Value::Text { value }) if value == "agreed" => {
            pick(ja, "同意します", "Agreed")
        }
        (_, Value::Text { value }) => value.clone(),
        (_, Value::Many { values }) => values
            .iter()
            .map(|v| choice_label(field, v, ja))
            .collect::<Vec<_>>()
            .join(if ja { "、" } else { ", " }),
        (_, Value::Group { entries }) => entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let parts: Vec<String> = field
                    .fields
                    .iter()
                    .filter_map(|sub| {
                        let value = entry.get(&sub.id)?;
                        Some(format!(
                            "{}: {}",
                            label(&sub.label, ja),
                            display(sub, value, ja)
                        ))
                    })
                    .collect();
                format!(
                    "{} {}: {}",
                    label(&field.label, ja),
                    i + 1,
                    parts.join(if ja { "、" } else { "; " })
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        (_, Value::File(file)) if ja => format!("{}（{}）", file.name, file_size(file.bytes)),
        (_, Value::File(file)) => format!("{} ({})", file.name, file_size(file.bytes)),
        (_, Value::Account(account)) => display_account(account, ja),
    }
}

fn choice_label(field: &Field, value: &str, ja: bool) -> String {
    field
        .choices
        .iter()
        .find(|c| c.value == value)
        .map_or_else(|| value.to_owned(), |c| label(&c.label, ja))
}

fn with_separators(value: &str) -> String {
    let (sign, digits) = match value.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", value),
    };
    if !is_digits(digits) {
        return value.to_owned();
    }
    let mut out = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An account as [`display`] shows it.
pub fn display_account(account: &AccountValue, ja: bool) -> String {
    let kind = match account.account_type.as_str() {
        "ordinary" => pick(ja, "普通", "Ordinary"),
        "current" => pick(ja, "当座", "Current"),
        "savings" => pick(ja, "貯蓄", "Savings"),
        other => other.to_owned(),
    };
    let details = [
        account.bank_code.clone(),
        account.branch_code.clone(),
        kind,
        account.number.clone(),
        account.holder_kana.clone(),
    ]
    .into_iter()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    if !account.registered {
        return details;
    }
    let registered = pick(
        ja,
        "登録済みの公金受取口座",
        "Your registered public funds account (公金受取口座)",
    );
    if details.is_empty() {
        registered
    } else {
        format!("{registered}: {details}")
    }
}

// ---------------------------------------------------------------------------------------------------------
// CSV

/// Every column of a field with its cell: the one walk that both the header and the rows come from, so they
/// always line up.
fn columns(field: &Field, name: &str, value: Option<&Value>, out: &mut Vec<(String, String)>) {
    match field.kind() {
        Some(Kind::Group) => {
            let entries = match value {
                Some(Value::Group { entries }) => entries.as_slice(),
                _ => &[],
            };
            for n in 1..=field.max_items.unwrap_or(DEFAULT_MAX_ITEMS) {
                let entry = entries.get(n - 1);
                for sub in &field.fields {
                    let value = entry.and_then(|e| e.get(&sub.id));
                    columns(sub, &format!("{name}.{n}.{}", sub.id), value, out);
                }
            }
        }
        Some(Kind::BankAccount) => {
            let account = match value {
                Some(Value::Account(account)) => Some(account),
                _ => None,
            };
            for part in ACCOUNT_PARTS {
                let cell = account.map_or("", |a| match part {
                    "bank_code" => &a.bank_code,
                    "branch_code" => &a.branch_code,
                    "account_type" => &a.account_type,
                    "number" => &a.number,
                    _ => &a.holder_kana,
                });
                out.push((format!("{name}.{part}"), cell.to_owned()));
            }
        }
        _ => {
            let cell = match value {
                Some(Value::Text { value }) => value.clone(),
                Some(Value::Many { values }) => values.join("; "),
                Some(Value::File(file)) => file.name.clone(),
                _ => String::new(),
            };
            out.push((name.to_owned(), cell));
        }
    }
}

fn walk(definition: &Definition, answers: &Answers) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for field in definition.pages.iter().flat_map(|p| &p.fields) {
        columns(field, &field.id, answers.0.get(&field.id), &mut out);
    }
    out
}

/// CSV export: one column per field (place order = Definition::fields order); a group is flattened into
/// `<group>.<n>.<field>` columns for n = 1..=max_items (default 10); checkboxes joined by "; "; a file as its
/// name; an account as bank_code, branch_code, account_type, number, holder_kana in columns
/// `<id>.bank_code` etc.; a date as YYYY-MM-DD. Hidden/unanswered → empty cell.
pub fn csv_header(definition: &Definition) -> Vec<String> {
    walk(definition, &Answers::default())
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// One submission's cells, in the columns of [`csv_header`].
pub fn csv_row(definition: &Definition, answers: &Answers) -> Vec<String> {
    walk(definition, &without_hidden(definition, answers))
        .into_iter()
        .map(|(_, cell)| cell)
        .collect()
}

// ---------------------------------------------------------------------------------------------------------
// Messages

/// Every message shown for an answer, naming the field by its label. A label that is a question or a
/// sentence is quoted ("「同居していますか」", "“Are you married?”"); a noun phrase is worked in as it is.
mod message {
    use crate::{Field, Kind, Localized};

    fn both(ja: String, en: String) -> Localized {
        Localized { ja, en }
    }

    fn is_sentence_ja(label: &str) -> bool {
        ["か", "？", "?", "。", "ます", "ません", "です"]
            .iter()
            .any(|end| label.ends_with(end))
    }

    fn is_question_en(label: &str) -> bool {
        label.ends_with('?')
    }

    /// The label as the subject or object of a Japanese message.
    fn ja(field: &Field) -> String {
        let label = field.label.ja.trim();
        if is_sentence_ja(label) {
            format!("「{label}」")
        } else {
            label.to_owned()
        }
    }

    /// The label starting an English message: "Date of birth must be a real date".
    fn subject(field: &Field) -> String {
        let label = field.label.en.trim();
        if is_question_en(label) {
            format!("“{label}”")
        } else {
            label.to_owned()
        }
    }

    /// The label after a verb: "Enter date of birth".
    fn object(field: &Field) -> String {
        let label = field.label.en.trim();
        if is_question_en(label) {
            format!("“{label}”")
        } else {
            lower_first(label)
        }
    }

    /// Lower-cases the first letter, unless the first word is "I" or an abbreviation ("PDF").
    fn lower_first(text: &str) -> String {
        let first_word = text.split_whitespace().next().unwrap_or_default();
        let abbreviation =
            first_word.chars().count() >= 2 && first_word.chars().take(2).all(char::is_uppercase);
        if first_word == "I" || abbreviation {
            return text.to_owned();
        }
        let mut chars = text.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_lowercase().chain(chars).collect()
        })
    }

    /// A declaration in the citizen's own words, as the portal says it to them: "I agree" → "you agree".
    fn second_person(text: &str) -> String {
        let words: Vec<&str> = text.split(' ').collect();
        let mut out = Vec::with_capacity(words.len());
        let mut i = 0;
        while let Some(word) = words.get(i) {
            let next = words.get(i + 1).copied();
            match (*word, next) {
                ("I", Some("am")) => {
                    out.push("you are".to_owned());
                    i += 1;
                }
                ("I", _) => out.push("you".to_owned()),
                ("I'm", _) => out.push("you're".to_owned()),
                ("my", _) => out.push("your".to_owned()),
                ("My", _) => out.push("Your".to_owned()),
                ("me", _) => out.push("you".to_owned()),
                _ => out.push((*word).to_owned()),
            }
            i += 1;
        }
        out.join(" ")
    }

    /// The verb phrase before the label: "Enter name", or "Enter an answer for “Why?”".
    fn verb(field: &Field, verb: &str) -> String {
        if is_question_en(field.label.en.trim()) {
            format!("{verb} an answer for {}", object(field))
        } else {
            format!("{verb} {}", object(field))
        }
    }

    pub fn required(field: &Field, kind: Kind) -> Localized {
        let label = ja(field);
        match kind {
            Kind::Select | Kind::Radios | Kind::Checkboxes | Kind::BankAccount => {
                both(format!("{label}を選択してください"), verb(field, "Select"))
            }
            Kind::YesNo => both(
                format!("{label}について「はい」か「いいえ」を選択してください"),
                format!("Select yes or no for {}", object(field)),
            ),
            Kind::Declaration => declaration(field),
            Kind::File => both(format!("{label}を添付してください"), verb(field, "Attach")),
            Kind::Group => both(
                format!("{label}を1件以上入力してください"),
                if is_question_en(field.label.en.trim()) {
                    format!("Enter at least one answer for {}", object(field))
                } else {
                    format!("Enter at least one {}", object(field))
                },
            ),
            _ => both(format!("{label}を入力してください"), verb(field, "Enter")),
        }
    }

    fn declaration(field: &Field) -> Localized {
        let label = field.label.ja.trim();
        // "…に同意します" is already what to agree to: "…に同意してください".
        let ja = match label.strip_suffix("します") {
            Some(stem) if stem.ends_with("同意") => format!("{stem}してください"),
            _ => format!("「{label}」に同意してください"),
        };
        let en = second_person(&lower_first(field.label.en.trim()));
        both(ja, format!("Confirm that {}", en.trim_end_matches('.')))
    }

    pub fn too_long(field: &Field, max: usize) -> Localized {
        both(
            format!("{}は{max}文字以内で入力してください", ja(field)),
            format!("{} must be {max} characters or fewer", subject(field)),
        )
    }

    pub fn not_katakana(field: &Field) -> Localized {
        both(
            format!("{}はカタカナで入力してください", ja(field)),
            format!("{} must be written in katakana", subject(field)),
        )
    }

    pub fn not_a_number(field: &Field) -> Localized {
        both(
            format!("{}は数字で入力してください", ja(field)),
            format!("{} must be a number", subject(field)),
        )
    }

    pub fn not_whole(field: &Field) -> Localized {
        both(
            format!("{}は整数で入力してください", ja(field)),
            format!("{} must be a whole number", subject(field)),
        )
    }

    /// The range a number must be in, when the field has one.
    pub fn out_of_range(field: &Field) -> Option<Localized> {
        let (label, subject) = (ja(field), subject(field));
        Some(match (field.min, field.max) {
            (Some(min), Some(max)) => both(
                format!("{label}は{min}以上{max}以下で入力してください"),
                format!("{subject} must be between {min} and {max}"),
            ),
            (Some(min), None) => both(
                format!("{label}は{min}以上で入力してください"),
                format!("{subject} must be {min} or more"),
            ),
            (None, Some(max)) => both(
                format!("{label}は{max}以下で入力してください"),
                format!("{subject} must be {max} or less"),
            ),
            (None, None) => return None,
        })
    }

    pub fn too_large(field: &Field) -> Localized {
        both(
            format!("{}の桁数が多すぎます", ja(field)),
            format!("{} is too large", subject(field)),
        )
    }

    pub fn postal_code(field: &Field) -> Localized {
        both(
            format!("{}は7桁の数字で入力してください（例：123-4567）", ja(field)),
            format!("{} must be 7 digits, like 123-4567", subject(field)),
        )
    }

    pub fn date_missing(field: &Field, parts: &[&str]) -> Localized {
        let ja_parts: Vec<&str> = parts
            .iter()
            .map(|p| match *p {
                "year" => "年",
                "month" => "月",
                _ => "日",
            })
            .collect();
        both(
            format!("{}の{}を入力してください", ja(field), ja_parts.join("と")),
            format!("{} must include a {}", subject(field), parts.join(" and ")),
        )
    }

    pub fn year_digits(field: &Field) -> Localized {
        both(
            format!("{}の年は西暦4桁で入力してください（例：2026）", ja(field)),
            format!("{} must include a 4-digit year, like 2026", subject(field)),
        )
    }

    pub fn not_a_date(field: &Field) -> Localized {
        both(
            format!("{}は実在する日付を入力してください", ja(field)),
            format!("{} must be a real date", subject(field)),
        )
    }

    pub fn not_a_choice(field: &Field) -> Localized {
        both(
            format!("{}は一覧から選択してください", ja(field)),
            format!("{} from the list", verb(field, "Select")),
        )
    }

    pub fn too_many(field: &Field, max: usize) -> Localized {
        both(
            format!("{}は{max}件まで入力できます", ja(field)),
            format!("Enter no more than {max} entries for {}", object(field)),
        )
    }

    /// An error inside a group's entry, with the entry's number: "児童 2: …" / "Child 2: …".
    pub fn in_entry(group: &Field, number: usize, message: &Localized) -> Localized {
        both(
            format!("{} {number}: {}", group.label.ja.trim(), message.ja),
            format!("{} {number}: {}", group.label.en.trim(), message.en),
        )
    }

    /// The parts of an account typed by hand.
    fn account_part(part: &str) -> (&'static str, &'static str) {
        match part {
            "bank_code" => ("金融機関コード", "bank code"),
            "branch_code" => ("支店コード", "branch code"),
            "account_type" => ("預金種目", "account type"),
            "number" => ("口座番号", "account number"),
            _ => ("口座名義（カタカナ）", "account holder's name in katakana"),
        }
    }

    pub fn account_missing(part: &str) -> Localized {
        let (ja, en) = account_part(part);
        if part == "account_type" {
            both(
                format!("{ja}を選択してください"),
                format!("Select the {en}"),
            )
        } else {
            both(format!("{ja}を入力してください"), format!("Enter the {en}"))
        }
    }

    pub fn account_wrong(part: &str) -> Localized {
        let both = |ja: &str, en: &str| both(ja.to_owned(), en.to_owned());
        match part {
            "bank_code" => both(
                "金融機関コードは4桁の数字で入力してください",
                "Bank code must be 4 digits",
            ),
            "branch_code" => both(
                "支店コードは3桁の数字で入力してください",
                "Branch code must be 3 digits",
            ),
            "account_type" => both(
                "預金種目は一覧から選択してください",
                "Select the account type from the list",
            ),
            "number" => both(
                "口座番号は7桁以内の数字で入力してください",
                "Account number must be 7 digits or fewer",
            ),
            _ => both(
                "口座名義はカタカナで入力してください",
                "Account holder's name must be written in katakana",
            ),
        }
    }

    pub fn file_empty(field: &Field) -> Localized {
        both(
            format!("選択した{}のファイルは空です", ja(field)),
            format!("The selected file for {} is empty", object(field)),
        )
    }

    pub fn file_type(field: &Field, accepted: &[&str]) -> Localized {
        let names: Vec<String> = accepted.iter().map(|t| t.to_uppercase()).collect();
        let en = match names.as_slice() {
            [] => "file the form cannot take".to_owned(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
        };
        both(
            format!(
                "{}は{}のファイルを添付してください",
                ja(field),
                names.join("、")
            ),
            format!("{} must be a {en}", subject(field)),
        )
    }

    pub fn file_size(field: &Field, limit: u64) -> Localized {
        let mb = super::megabytes(limit);
        both(
            format!("{}は{mb}MB以下のファイルを添付してください", ja(field)),
            format!("{} must be {mb} MB or smaller", subject(field)),
        )
    }

    /// A stored value that is not in the form it would be read in: the citizen looks at it again.
    pub fn check(field: &Field) -> Localized {
        both(
            format!("{}の内容を確認してください", ja(field)),
            format!("Check {}", object(field)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind, on four pages, with a condition on the same page, one on an earlier page, a chain, and a
    /// condition inside a group's entry.
    const SAMPLE: &str = r#"
id = "sample"
version = 1
agency = "131016"
title = { ja = "見本", en = "Sample" }

[[pages]]
id = "about"
title = { ja = "あなたについて", en = "About you" }

[[pages.fields]]
id = "name"
kind = "text"
label = { ja = "氏名", en = "Name" }
required = true
max_length = 10

[[pages.fields]]
id = "name_kana"
kind = "kana"
label = { ja = "氏名（フリガナ）", en = "Name in katakana" }
required = true
max_length = 12

[[pages.fields]]
id = "age"
kind = "number"
label = { ja = "年齢", en = "Age" }
min = 0
max = 120

[[pages.fields]]
id = "income"
kind = "number"
label = { ja = "所得", en = "Income" }
min = 0

[[pages.fields]]
id = "birth"
kind = "date"
label = { ja = "生年月日", en = "Date of birth" }
required = true

[[pages.fields]]
id = "postal"
kind = "postal_code"
label = { ja = "郵便番号", en = "Postal code" }

[[pages.fields]]
id = "married"
kind = "yes_no"
label = { ja = "結婚していますか", en = "Are you married?" }
required = true

[[pages.fields]]
id = "spouse_name"
kind = "text"
label = { ja = "配偶者の氏名", en = "Spouse's name" }
required = true
show_if = { field = "married", equals = "yes" }

[[pages]]
id = "choices"
title = { ja = "選択", en = "Choices" }

[[pages.fields]]
id = "colour"
kind = "select"
label = { ja = "色", en = "Colour" }
choices = [
  { value = "red", label = { ja = "赤", en = "Red" } },
  { value = "blue", label = { ja = "青", en = "Blue" } },
]

[[pages.fields]]
id = "size"
kind = "radios"
label = { ja = "大きさ", en = "Size" }
required = true
choices = [
  { value = "s", label = { ja = "小", en = "Small" } },
  { value = "m", label = { ja = "中", en = "Medium" } },
]

[[pages.fields]]
id = "pets"
kind = "checkboxes"
label = { ja = "飼っている動物", en = "Pets you keep" }
required = true
choices = [
  { value = "cat", label = { ja = "猫", en = "Cat" } },
  { value = "dog", label = { ja = "犬", en = "Dog" } },
  { value = "fish", label = { ja = "魚", en = "Fish" } },
]

[[pages.fields]]
id = "agree"
kind = "declaration"
label = { ja = "記載した内容に誤りはありません", en = "What I have entered is true" }
required = true

[[pages]]
id = "household"
title = { ja = "世帯", en = "Household" }

[[pages.fields]]
id = "members"
kind = "group"
label = { ja = "世帯員", en = "Member" }
required = true
max_items = 3

[[pages.fields.fields]]
id = "member_name"
kind = "text"
label = { ja = "氏名", en = "Name" }
required = true

[[pages.fields.fields]]
id = "member_birth"
kind = "date"
label = { ja = "生年月日", en = "Date of birth" }

[[pages.fields.fields]]
id = "working"
kind = "yes_no"
label = { ja = "働いていますか", en = "Do they work?" }

[[pages.fields.fields]]
id = "employer"
kind = "text"
label = { ja = "勤務先", en = "Employer" }
required = true
show_if = { field = "working", equals = "yes" }

[[pages]]
id = "money"
title = { ja = "口座と書類", en = "Account and documents" }

[[pages.fields]]
id = "account"
kind = "bank_account"
label = { ja = "振込先口座", en = "Account to be paid into" }
required = true

[[pages.fields]]
id = "document"
kind = "file"
label = { ja = "本人確認書類", en = "Proof of identity" }
required = true
accept = ["pdf", "png"]
max_bytes = 1048576

[[pages.fields]]
id = "spouse_note"
kind = "text"
label = { ja = "配偶者についての補足", en = "Note about your spouse" }
required = true
show_if = { field = "spouse_name", filled = true }
"#;

    fn sample() -> Definition {
        match Definition::parse_checked(SAMPLE, &crate::Context::default()) {
            Ok(definition) => definition,
            Err(problems) => panic!("the sample definition: {problems:?}"),
        }
    }

    fn preset(id: &str) -> Definition {
        let (_, text) = crate::PRESETS
            .iter()
            .find(|(name, _)| *name == id)
            .expect("preset");
        Definition::parse(text).expect("preset parses")
    }

    fn field<'a>(definition: &'a Definition, id: &str) -> &'a Field {
        locate(definition, id).expect("field").0
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn text(value: &str) -> Value {
        Value::text(value)
    }

    /// Page 0 filled in correctly, with `changes` replacing (or, with an empty name, adding) inputs.
    fn about(changes: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut base = vec![
            ("name", "山田 太郎"),
            ("name_kana", "ヤマダ タロウ"),
            ("age", "40"),
            ("income", ""),
            ("birth.year", "1986"),
            ("birth.month", "4"),
            ("birth.day", "1"),
            ("postal", ""),
            ("married", "no"),
        ];
        for (name, value) in changes {
            match base.iter_mut().find(|(n, _)| n == name) {
                Some(pair) => pair.1 = value,
                None => base.push((name, value)),
            }
        }
        pairs(&base)
    }

    fn read(page: usize, input: &[(String, String)], previous: &Answers) -> PageOutcome {
        read_page(&sample(), page, input, previous, &BTreeSet::new())
    }

    /// The only error of an outcome.
    fn only_error(outcome: &PageOutcome) -> &FieldError {
        assert_eq!(outcome.errors.len(), 1, "{:#?}", outcome.errors);
        &outcome.errors[0]
    }

    #[test]
    fn the_sample_and_its_conditions_are_a_valid_definition() {
        sample();
    }

    #[test]
    fn a_good_page_is_stored_normalised() {
        let outcome = read(0, &about(&[]), &Answers::default());
        assert_eq!(outcome.errors, Vec::new());
        let answers = &outcome.answers.0;
        assert_eq!(answers.get("name"), Some(&text("山田 太郎")));
        assert_eq!(answers.get("birth"), Some(&text("1986-04-01")));
        assert_eq!(answers.get("married"), Some(&text("no")));
        assert_eq!(
            answers.get("income"),
            None,
            "an empty optional field is unanswered"
        );
        assert_eq!(
            outcome.typed.get("birth.month").map(String::as_str),
            Some("4")
        );
    }

    #[test]
    fn text_required_and_too_long_have_their_own_messages_and_the_input_is_kept() {
        let outcome = read(0, &about(&[("name", "   ")]), &Answers::default());
        let error = only_error(&outcome);
        assert_eq!(error.field, "name");
        assert_eq!(error.input, "f-name");
        assert_eq!(error.message.ja, "氏名を入力してください");
        assert_eq!(error.message.en, "Enter name");
        assert_eq!(outcome.typed.get("name").map(String::as_str), Some("   "));

        let long = "山田太郎山田太郎山田太郎";
        let outcome = read(0, &about(&[("name", long)]), &Answers::default());
        let error = only_error(&outcome);
        assert_eq!(error.message.ja, "氏名は10文字以内で入力してください");
        assert_eq!(error.message.en, "Name must be 10 characters or fewer");
        assert_eq!(outcome.typed.get("name").map(String::as_str), Some(long));
        assert_eq!(outcome.answers.0.get("name"), None);
    }

    #[test]
    fn kana_is_normalised_to_katakana_and_anything_else_is_refused() {
        for (typed, stored) in [
            ("やまだ　たろう", "ヤマダ タロウ"),
            ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
            ("  ぱぴぷ  ﾊﾟﾋﾟﾌﾟ ", "パピプ パピプ"),
            ("ヴィー・ジェイ", "ヴィー・ジェイ"),
        ] {
            let outcome = read(0, &about(&[("name_kana", typed)]), &Answers::default());
            assert_eq!(outcome.errors, Vec::new(), "{typed}");
            assert_eq!(
                outcome.answers.0.get("name_kana"),
                Some(&text(stored)),
                "{typed}"
            );
        }
        for typed in ["Yamada", "山田", "ヤマダ1"] {
            let outcome = read(0, &about(&[("name_kana", typed)]), &Answers::default());
            let error = only_error(&outcome);
            assert_eq!(error.input, "f-name_kana");
            assert_eq!(
                error.message.ja,
                "氏名（フリガナ）はカタカナで入力してください"
            );
            assert_eq!(
                error.message.en,
                "Name in katakana must be written in katakana"
            );
            assert_eq!(
                outcome.typed.get("name_kana").map(String::as_str),
                Some(typed)
            );
        }
        let outcome = read(
            0,
            &about(&[("name_kana", "やまだ　たろう　じゅにあー")]),
            &Answers::default(),
        );
        assert_eq!(
            only_error(&outcome).message.en,
            "Name in katakana must be 12 characters or fewer"
        );
    }

    #[test]
    fn numbers_take_commas_and_full_width_digits_and_keep_to_their_range() {
        for (typed, stored) in [
            ("１，０００", "1000"),
            ("1,234,567", "1234567"),
            ("０", "0"),
        ] {
            let outcome = read(0, &about(&[("income", typed)]), &Answers::default());
            assert_eq!(outcome.errors, Vec::new(), "{typed}");
            assert_eq!(outcome.answers.0.get("income"), Some(&text(stored)));
        }
        let cases = [
            (
                "income",
                "abc",
                "所得は数字で入力してください",
                "Income must be a number",
            ),
            (
                "income",
                "1,00",
                "所得は数字で入力してください",
                "Income must be a number",
            ),
            (
                "income",
                "1.5",
                "所得は整数で入力してください",
                "Income must be a whole number",
            ),
            (
                "income",
                "-1",
                "所得は0以上で入力してください",
                "Income must be 0 or more",
            ),
            (
                "income",
                "99999999999999999999999",
                "所得の桁数が多すぎます",
                "Income is too large",
            ),
            (
                "age",
                "121",
                "年齢は0以上120以下で入力してください",
                "Age must be between 0 and 120",
            ),
            (
                "age",
                "－５",
                "年齢は0以上120以下で入力してください",
                "Age must be between 0 and 120",
            ),
        ];
        for (name, typed, ja, en) in cases {
            let outcome = read(0, &about(&[(name, typed)]), &Answers::default());
            let error = only_error(&outcome);
            assert_eq!(
                (error.message.ja.as_str(), error.message.en.as_str()),
                (ja, en),
                "{typed}"
            );
            assert_eq!(error.input, input_id(name));
            assert_eq!(outcome.typed.get(name).map(String::as_str), Some(typed));
        }
    }

    #[test]
    fn dates_need_three_real_parts_each_problem_with_its_message() {
        let ok = read(
            0,
            &about(&[
                ("birth.year", "２０２６"),
                ("birth.month", "１１"),
                ("birth.day", "２７"),
            ]),
            &Answers::default(),
        );
        assert_eq!(ok.errors, Vec::new());
        assert_eq!(ok.answers.0.get("birth"), Some(&text("2026-11-27")));

        let cases = [
            (
                ("", "", ""),
                "f-birth",
                "生年月日を入力してください",
                "Enter date of birth",
            ),
            (
                ("2026", "", "1"),
                "f-birth-month",
                "生年月日の月を入力してください",
                "Date of birth must include a month",
            ),
            (
                ("", "2", ""),
                "f-birth",
                "生年月日の年と日を入力してください",
                "Date of birth must include a year and day",
            ),
            (
                ("26", "2", "1"),
                "f-birth",
                "生年月日の年は西暦4桁で入力してください（例：2026）",
                "Date of birth must include a 4-digit year, like 2026",
            ),
            (
                ("2026", "2", "30"),
                "f-birth",
                "生年月日は実在する日付を入力してください",
                "Date of birth must be a real date",
            ),
            (
                ("2026", "13", "1"),
                "f-birth",
                "生年月日は実在する日付を入力してください",
                "Date of birth must be a real date",
            ),
            (
                ("2025", "2", "29"),
                "f-birth",
                "生年月日は実在する日付を入力してください",
                "Date of birth must be a real date",
            ),
        ];
        for ((year, month, day), input, ja, en) in cases {
            let outcome = read(
                0,
                &about(&[
                    ("birth.year", year),
                    ("birth.month", month),
                    ("birth.day", day),
                ]),
                &Answers::default(),
            );
            let error = only_error(&outcome);
            assert_eq!(error.field, "birth");
            assert_eq!(error.input, input, "{year}-{month}-{day}");
            assert_eq!(
                (error.message.ja.as_str(), error.message.en.as_str()),
                (ja, en)
            );
            assert_eq!(
                outcome.typed.get("birth.day").map(String::as_str),
                Some(day)
            );
            assert_eq!(outcome.answers.0.get("birth"), None);
        }
        let leap = read(
            0,
            &about(&[
                ("birth.year", "2024"),
                ("birth.month", "02"),
                ("birth.day", "29"),
            ]),
            &Answers::default(),
        );
        assert_eq!(leap.answers.0.get("birth"), Some(&text("2024-02-29")));
    }

    #[test]
    fn postal_codes_in_any_common_form_are_stored_with_a_hyphen() {
        for typed in [
            "1234567",
            "123-4567",
            "〒123-4567",
            "〒１２３－４５６７",
            "１２３ー４５６７",
            " 123 4567 ",
        ] {
            let outcome = read(0, &about(&[("postal", typed)]), &Answers::default());
            assert_eq!(outcome.errors, Vec::new(), "{typed}");
            assert_eq!(
                outcome.answers.0.get("postal"),
                Some(&text("123-4567")),
                "{typed}"
            );
        }
        for typed in ["123-456", "12345678", "abc-defg", "1234-567"] {
            let outcome = read(0, &about(&[("postal", typed)]), &Answers::default());
            let error = only_error(&outcome);
            assert_eq!(
                error.message.ja,
                "郵便番号は7桁の数字で入力してください（例：123-4567）"
            );
            assert_eq!(
                error.message.en,
                "Postal code must be 7 digits, like 123-4567"
            );
            assert_eq!(outcome.typed.get("postal").map(String::as_str), Some(typed));
        }
    }

    fn choices(changes: &[(&str, &str)]) -> PageOutcome {
        read(1, &pairs(changes), &Answers::default())
    }

    #[test]
    fn choices_must_come_from_the_list() {
        let outcome = choices(&[
            ("colour", "blue"),
            ("size", "m"),
            ("pets", "dog"),
            ("pets", "cat"),
            ("pets", "dog"),
            ("agree", "agreed"),
        ]);
        assert_eq!(outcome.errors, Vec::new());
        assert_eq!(outcome.answers.0.get("colour"), Some(&text("blue")));
        assert_eq!(
            outcome.answers.0.get("pets"),
            Some(&Value::Many {
                values: vec!["cat".to_owned(), "dog".to_owned()]
            }),
            "in the order of the choices, once each"
        );
        assert_eq!(
            outcome.typed.get("pets").map(String::as_str),
            Some("dog\ncat\ndog")
        );

        let outcome = choices(&[
            ("colour", "green"),
            ("size", "xl"),
            ("pets", "cat"),
            ("pets", "lion"),
            ("agree", "yes"),
        ]);
        let messages: Vec<(&str, &str, &str)> = outcome
            .errors
            .iter()
            .map(|e| {
                (
                    e.input.as_str(),
                    e.message.ja.as_str(),
                    e.message.en.as_str(),
                )
            })
            .collect();
        assert_eq!(
            messages,
            vec![
                (
                    "f-colour",
                    "色は一覧から選択してください",
                    "Select colour from the list"
                ),
                (
                    "f-size",
                    "大きさは一覧から選択してください",
                    "Select size from the list"
                ),
                (
                    "f-pets",
                    "飼っている動物は一覧から選択してください",
                    "Select pets you keep from the list"
                ),
                (
                    "f-agree",
                    "「記載した内容に誤りはありません」に同意してください",
                    "Confirm that what you have entered is true"
                ),
            ]
        );
        assert_eq!(
            outcome.typed.get("colour").map(String::as_str),
            Some("green")
        );
        assert!(outcome.answers.0.is_empty(), "{:?}", outcome.answers);

        let outcome = choices(&[]);
        let messages: Vec<&str> = outcome
            .errors
            .iter()
            .map(|e| e.message.en.as_str())
            .collect();
        assert_eq!(
            messages,
            vec![
                "Select size",
                "Select pets you keep",
                "Confirm that what you have entered is true"
            ]
        );
        assert_eq!(
            outcome.errors[1].message.ja,
            "飼っている動物を選択してください"
        );
    }

    #[test]
    fn yes_no_takes_only_yes_or_no_and_a_question_label_is_quoted() {
        let outcome = read(0, &about(&[("married", "maybe")]), &Answers::default());
        let error = only_error(&outcome);
        assert_eq!(error.input, "f-married");
        assert_eq!(
            error.message.ja,
            "「結婚していますか」について「はい」か「いいえ」を選択してください"
        );
        assert_eq!(error.message.en, "Select yes or no for “Are you married?”");
        assert_eq!(
            outcome.typed.get("married").map(String::as_str),
            Some("maybe")
        );
    }

    #[test]
    fn show_if_hides_a_field_and_skips_its_validation() {
        let hidden = read(
            0,
            &about(&[
                ("married", "no"),
                ("spouse_name", "山田花子山田花子山田花子"),
            ]),
            &Answers::default(),
        );
        assert_eq!(hidden.errors, Vec::new(), "a hidden field is not checked");
        assert_eq!(hidden.answers.0.get("spouse_name"), None, "nor stored");
        assert!(
            hidden.typed.contains_key("spouse_name"),
            "but what was typed is kept"
        );

        let shown = read(
            0,
            &about(&[("married", "yes"), ("spouse_name", "")]),
            &Answers::default(),
        );
        let error = only_error(&shown);
        assert_eq!(error.field, "spouse_name");
        assert_eq!(error.message.en, "Enter spouse's name");

        // The condition's field answered wrongly is unanswered, so what depends on it is hidden.
        let unanswered = read(
            0,
            &about(&[("married", "maybe"), ("spouse_name", "")]),
            &Answers::default(),
        );
        assert_eq!(only_error(&unanswered).field, "married");

        // A condition on an earlier page, and a chain: spouse_note shows when spouse_name is filled.
        let definition = sample();
        let note = field(&definition, "spouse_note");
        let mut answers = Answers::default();
        answers.0.insert("married".to_owned(), text("yes"));
        answers.0.insert("spouse_name".to_owned(), text("山田花子"));
        assert!(visible(&definition, note, &answers));
        let money = read(3, &pairs(&[("account.use", "registered")]), &answers);
        assert!(
            money.errors.iter().any(|e| e.field == "spouse_note"),
            "{:?}",
            money.errors
        );
        answers.0.insert("married".to_owned(), text("no"));
        assert!(
            !visible(&definition, note, &answers),
            "spouse_name is hidden, so spouse_note is too, though spouse_name still has a value"
        );
        let money = read(3, &pairs(&[("account.use", "registered")]), &answers);
        assert!(
            money.errors.iter().all(|e| e.field != "spouse_note"),
            "{:?}",
            money.errors
        );
    }

    #[test]
    fn a_value_that_fails_replaces_the_valid_one_before() {
        let first = read(0, &about(&[]), &Answers::default());
        assert_eq!(first.answers.0.get("age"), Some(&text("40")));
        let again = read(0, &about(&[("age", "forty")]), &first.answers);
        assert_eq!(again.answers.0.get("age"), None);
        assert_eq!(again.typed.get("age").map(String::as_str), Some("forty"));
        // Other pages' answers are left as they were.
        let mut previous = first.answers.clone();
        previous.0.insert("colour".to_owned(), text("red"));
        let again = read(0, &about(&[]), &previous);
        assert_eq!(again.answers.0.get("colour"), Some(&text("red")));
    }

    #[test]
    fn locked_fields_ignore_what_is_posted_and_keep_their_value() {
        let mut previous = Answers::default();
        previous.0.insert("name".to_owned(), text("山田 太郎"));
        previous.0.insert("birth".to_owned(), text("1986-04-01"));
        let locked: BTreeSet<String> = ["name".to_owned(), "birth".to_owned()].into();
        let outcome = read_page(
            &sample(),
            0,
            &about(&[("name", "forged"), ("birth.year", ""), ("birth.month", "x")]),
            &previous,
            &locked,
        );
        assert_eq!(outcome.errors, Vec::new());
        assert_eq!(outcome.answers.0.get("name"), Some(&text("山田 太郎")));
        assert_eq!(outcome.answers.0.get("birth"), Some(&text("1986-04-01")));
        assert_eq!(
            outcome.typed.get("name").map(String::as_str),
            Some("山田 太郎")
        );
        assert_eq!(
            outcome.typed.get("birth.year").map(String::as_str),
            Some("1986")
        );
        assert_eq!(
            outcome.typed.get("birth.month").map(String::as_str),
            Some("4")
        );
    }

    fn household(list: &[(&str, &str)]) -> PageOutcome {
        read(2, &pairs(list), &Answers::default())
    }

    #[test]
    fn group_entries_are_read_and_empty_ones_dropped() {
        let outcome = household(&[
            ("members.0.member_name", "山田 太郎"),
            ("members.0.member_birth.year", "1986"),
            ("members.0.member_birth.month", "4"),
            ("members.0.member_birth.day", "1"),
            ("members.0.working", "yes"),
            ("members.0.employer", "区役所"),
            ("members.1.member_name", " "),
            ("members.1.member_birth.year", ""),
            ("members.2.member_name", "山田 花子"),
            ("members.2.working", "no"),
            ("members.2.employer", "ignored: hidden in this entry"),
        ]);
        assert_eq!(outcome.errors, Vec::new());
        let Some(Value::Group { entries }) = outcome.answers.0.get("members") else {
            panic!("a group: {:?}", outcome.answers);
        };
        assert_eq!(entries.len(), 2, "the empty entry is dropped: {entries:?}");
        assert_eq!(entries[0].get("member_birth"), Some(&text("1986-04-01")));
        assert_eq!(entries[0].get("employer"), Some(&text("区役所")));
        assert_eq!(entries[1].get("member_name"), Some(&text("山田 花子")));
        assert_eq!(
            entries[1].get("employer"),
            None,
            "hidden by the entry's own answer"
        );
    }

    #[test]
    fn group_errors_name_the_entry_and_link_to_its_input() {
        let outcome = household(&[
            ("members.0.member_name", "山田 太郎"),
            ("members.0.member_birth.year", "1986"),
            ("members.0.member_birth.month", "2"),
            ("members.0.member_birth.day", "30"),
            ("members.2.member_name", ""),
            ("members.2.working", "yes"),
        ]);
        let errors: Vec<(&str, &str, &str, &str)> = outcome
            .errors
            .iter()
            .map(|e| {
                (
                    e.field.as_str(),
                    e.input.as_str(),
                    e.message.ja.as_str(),
                    e.message.en.as_str(),
                )
            })
            .collect();
        assert_eq!(
            errors,
            vec![
                (
                    "member_birth",
                    "f-members-0-member_birth",
                    "世帯員 1: 生年月日は実在する日付を入力してください",
                    "Member 1: Date of birth must be a real date"
                ),
                (
                    "member_name",
                    "f-members-2-member_name",
                    "世帯員 3: 氏名を入力してください",
                    "Member 3: Enter name"
                ),
                (
                    "employer",
                    "f-members-2-employer",
                    "世帯員 3: 勤務先を入力してください",
                    "Member 3: Enter employer"
                ),
            ]
        );
        assert_eq!(outcome.answers.0.get("members"), None);
        assert_eq!(
            outcome
                .typed
                .get("members.0.member_birth.day")
                .map(String::as_str),
            Some("30")
        );
    }

    #[test]
    fn a_required_group_needs_an_entry_and_takes_no_more_than_its_limit() {
        let outcome = household(&[("members.0.member_name", ""), ("members.1.member_name", "")]);
        let error = only_error(&outcome);
        assert_eq!(error.field, "members");
        assert_eq!(error.input, "f-members-0-member_name");
        assert_eq!(error.message.ja, "世帯員を1件以上入力してください");
        assert_eq!(error.message.en, "Enter at least one member");

        let outcome = household(&[
            ("members.0.member_name", "一"),
            ("members.1.member_name", "二"),
            ("members.2.member_name", "三"),
            ("members.7.member_name", "四"),
        ]);
        let error = only_error(&outcome);
        assert_eq!(error.field, "members");
        assert_eq!(error.message.ja, "世帯員は3件まで入力できます");
        assert_eq!(error.message.en, "Enter no more than 3 entries for member");
        assert_eq!(outcome.answers.0.get("members"), None);
    }

    fn money(list: &[(&str, &str)], previous: &Answers) -> PageOutcome {
        read(3, &pairs(list), previous)
    }

    fn a_file() -> FileRef {
        FileRef {
            key: "uploads/abc".to_owned(),
            name: "license.pdf".to_owned(),
            kind: "pdf".to_owned(),
            bytes: 900_000,
        }
    }

    #[test]
    fn the_registered_account_or_another_account_checked_part_by_part() {
        let outcome = money(&[("account.use", "registered")], &Answers::default());
        assert_eq!(
            outcome.answers.0.get("account"),
            Some(&Value::Account(AccountValue {
                registered: true,
                ..AccountValue::default()
            }))
        );
        // The page fills the registration in; posting the page again keeps it.
        let filled = AccountValue {
            registered: true,
            bank_code: "0001".to_owned(),
            ..AccountValue::default()
        };
        let previous = Answers(BTreeMap::from([(
            "account".to_owned(),
            Value::Account(filled.clone()),
        )]));
        let again = money(&[("account.use", "registered")], &previous);
        assert_eq!(
            again.answers.0.get("account"),
            Some(&Value::Account(filled))
        );

        let outcome = money(
            &[
                ("account.use", "other"),
                ("account.bank_code", "０００１"),
                ("account.branch_code", "001"),
                ("account.account_type", "ordinary"),
                ("account.number", "12345"),
                ("account.holder_kana", "やまだ　たろう"),
            ],
            &Answers::default(),
        );
        assert!(
            outcome.errors.iter().all(|e| e.field != "account"),
            "{:?}",
            outcome.errors
        );
        assert_eq!(
            outcome.answers.0.get("account"),
            Some(&Value::Account(AccountValue {
                registered: false,
                bank_code: "0001".to_owned(),
                branch_code: "001".to_owned(),
                account_type: "ordinary".to_owned(),
                number: "0012345".to_owned(),
                holder_kana: "ヤマダ タロウ".to_owned(),
            }))
        );

        let outcome = money(
            &[
                ("account.use", "other"),
                ("account.bank_code", "1"),
                ("account.branch_code", "12a"),
                ("account.account_type", "gold"),
                ("account.number", "12345678"),
                ("account.holder_kana", "Yamada"),
            ],
            &Answers::default(),
        );
        let errors: Vec<(&str, &str)> = outcome
            .errors
            .iter()
            .filter(|e| e.field == "account")
            .map(|e| (e.input.as_str(), e.message.en.as_str()))
            .collect();
        assert_eq!(
            errors,
            vec![
                ("f-account-bank_code", "Bank code must be 4 digits"),
                ("f-account-branch_code", "Branch code must be 3 digits"),
                (
                    "f-account-account_type",
                    "Select the account type from the list"
                ),
                (
                    "f-account-number",
                    "Account number must be 7 digits or fewer"
                ),
                (
                    "f-account-holder_kana",
                    "Account holder's name must be written in katakana"
                ),
            ]
        );
        assert_eq!(
            outcome.typed.get("account.number").map(String::as_str),
            Some("12345678")
        );

        let outcome = money(&[("account.use", "other")], &Answers::default());
        let missing: Vec<&str> = outcome
            .errors
            .iter()
            .filter(|e| e.field == "account")
            .map(|e| e.message.ja.as_str())
            .collect();
        assert_eq!(
            missing,
            vec![
                "金融機関コードを入力してください",
                "支店コードを入力してください",
                "預金種目を選択してください",
                "口座番号を入力してください",
                "口座名義（カタカナ）を入力してください",
            ]
        );

        for (input, ja) in [
            (vec![], "振込先口座を選択してください"),
            (
                vec![("account.use", "stolen")],
                "振込先口座は一覧から選択してください",
            ),
        ] {
            let outcome = money(&input, &Answers::default());
            let error = outcome
                .errors
                .iter()
                .find(|e| e.field == "account")
                .expect("an account error");
            assert_eq!(error.input, "f-account-use");
            assert_eq!(error.message.ja, ja);
        }
    }

    #[test]
    fn a_file_field_keeps_the_uploaded_file_and_asks_for_one_when_there_is_none() {
        let outcome = money(&[("account.use", "registered")], &Answers::default());
        let error = only_error(&outcome);
        assert_eq!(
            (error.field.as_str(), error.input.as_str()),
            ("document", "f-document")
        );
        assert_eq!(error.message.ja, "本人確認書類を添付してください");
        assert_eq!(error.message.en, "Attach proof of identity");

        let previous = Answers(BTreeMap::from([(
            "document".to_owned(),
            Value::File(a_file()),
        )]));
        let outcome = money(
            &[("account.use", "registered"), ("document", "forged")],
            &previous,
        );
        assert_eq!(outcome.errors, Vec::new());
        assert_eq!(
            outcome.answers.0.get("document"),
            Some(&Value::File(a_file()))
        );
    }

    fn complete() -> Answers {
        let mut answers = Answers::default();
        for (page, input) in [
            (0, about(&[])),
            (
                1,
                pairs(&[("size", "s"), ("pets", "fish"), ("agree", "agreed")]),
            ),
            (2, pairs(&[("members.0.member_name", "山田 太郎")])),
            (3, pairs(&[("account.use", "registered")])),
        ] {
            let outcome = read(page, &input, &answers);
            answers = outcome.answers;
        }
        answers
            .0
            .insert("document".to_owned(), Value::File(a_file()));
        answers
    }

    #[test]
    fn check_all_finds_what_is_missing_or_wrong_with_its_page() {
        let definition = sample();
        let answers = complete();
        assert_eq!(check_all(&definition, &answers), Vec::new());

        let mut missing = answers.clone();
        missing.0.remove("name");
        missing.0.remove("members");
        let found: Vec<(usize, String, String)> = check_all(&definition, &missing)
            .into_iter()
            .map(|(page, e)| (page, e.field, e.input))
            .collect();
        assert_eq!(
            found,
            vec![
                (0, "name".to_owned(), "f-name".to_owned()),
                (
                    2,
                    "members".to_owned(),
                    "f-members-0-member_name".to_owned()
                ),
            ]
        );

        // A stored value that is no longer valid, or not in its normalised form.
        let mut wrong = answers.clone();
        wrong.0.insert("age".to_owned(), text("200"));
        wrong.0.insert("postal".to_owned(), text("1234567"));
        wrong.0.insert("pets".to_owned(), text("fish"));
        let mut file = a_file();
        file.kind = "jpeg".to_owned();
        wrong.0.insert("document".to_owned(), Value::File(file));
        let found: Vec<(usize, String, String)> = check_all(&definition, &wrong)
            .into_iter()
            .map(|(page, e)| (page, e.field, e.message.en))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    0,
                    "age".to_owned(),
                    "Age must be between 0 and 120".to_owned()
                ),
                (0, "postal".to_owned(), "Check postal code".to_owned()),
                (1, "pets".to_owned(), "Check pets you keep".to_owned()),
                (
                    3,
                    "document".to_owned(),
                    "Proof of identity must be a PDF or PNG".to_owned()
                ),
            ]
        );

        // A required field that is hidden is not asked for; shown, it is.
        let mut married = answers.clone();
        married.0.insert("married".to_owned(), text("yes"));
        let found = check_all(&definition, &married);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0, found[0].1.field.as_str()), (0, "spouse_name"));
    }

    #[test]
    fn without_hidden_drops_hidden_values_unknown_ids_and_hidden_entry_fields() {
        let definition = sample();
        let mut answers = complete();
        answers
            .0
            .insert("spouse_name".to_owned(), text("山田 花子"));
        answers.0.insert("spouse_note".to_owned(), text("note"));
        answers.0.insert("forged".to_owned(), text("x"));
        answers.0.insert(
            "members".to_owned(),
            Value::Group {
                entries: vec![
                    Entry::from([
                        ("member_name".to_owned(), text("一")),
                        ("working".to_owned(), text("no")),
                        ("employer".to_owned(), text("hidden")),
                    ]),
                    Entry::from([("employer".to_owned(), text("only a hidden value"))]),
                ],
            },
        );
        let kept = without_hidden(&definition, &answers);
        assert_eq!(kept.0.get("spouse_name"), None);
        assert_eq!(kept.0.get("spouse_note"), None, "hidden through the chain");
        assert_eq!(kept.0.get("forged"), None);
        assert_eq!(kept.0.get("name"), answers.0.get("name"));
        assert_eq!(
            kept.0.get("members"),
            Some(&Value::Group {
                entries: vec![Entry::from([
                    ("member_name".to_owned(), text("一")),
                    ("working".to_owned(), text("no")),
                ])]
            })
        );
        answers.0.insert("married".to_owned(), text("yes"));
        let kept = without_hidden(&definition, &answers);
        assert_eq!(kept.0.get("spouse_note"), Some(&text("note")));
    }

    /// The smallest files of each type, as their first bytes.
    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
    ];
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];

    #[test]
    fn uploads_are_known_by_their_content_and_limited_in_size() {
        let definition = sample();
        let document = field(&definition, "document");
        assert_eq!(check_file(document, PDF), Ok("pdf"));
        assert_eq!(check_file(document, PNG), Ok("png"));
        let refused = check_file(document, JPEG).expect_err("jpeg is not accepted");
        assert_eq!(
            refused.ja,
            "本人確認書類はPDF、PNGのファイルを添付してください"
        );
        assert_eq!(refused.en, "Proof of identity must be a PDF or PNG");
        let renamed = check_file(document, b"just text, named evidence.pdf").expect_err("text");
        assert_eq!(renamed, refused);
        let empty = check_file(document, b"").expect_err("empty");
        assert_eq!(empty.ja, "選択した本人確認書類のファイルは空です");
        assert_eq!(empty.en, "The selected file for proof of identity is empty");

        let mut big = PNG.to_vec();
        big.resize(1024 * 1024 + 1, 0);
        let too_big = check_file(document, &big).expect_err("over 1 MB");
        assert_eq!(
            too_big.ja,
            "本人確認書類は1MB以下のファイルを添付してください"
        );
        assert_eq!(too_big.en, "Proof of identity must be 1 MB or smaller");
        big.truncate(1024 * 1024);
        assert_eq!(
            check_file(document, &big),
            Ok("png"),
            "exactly the limit is allowed"
        );

        let photo = field(&preset("disaster_certificate"), "photo").clone();
        assert_eq!(check_file(&photo, JPEG), Ok("jpeg"));
        assert_eq!(
            check_file(&photo, PDF).expect_err("pdf").en,
            "Photo of the damage must be a JPEG or PNG"
        );
        let mut odd = photo;
        odd.max_bytes = Some(1_572_864);
        let mut big = JPEG.to_vec();
        big.resize(2_000_000, 0);
        assert_eq!(
            check_file(&odd, &big).expect_err("big").en,
            "Photo of the damage must be 1.5 MB or smaller"
        );
    }

    #[test]
    fn eras_and_their_boundaries() {
        let era_of = |y, m, d| era(y, m, d).map(|l| (l.ja, l.en));
        let pair = |ja: &str, en: &str| Some((ja.to_owned(), en.to_owned()));
        assert_eq!(era_of(2026, 11, 27), pair("令和8年", "Reiwa 8"));
        assert_eq!(era_of(2019, 5, 1), pair("令和元年", "Reiwa 1"));
        assert_eq!(era_of(2019, 4, 30), pair("平成31年", "Heisei 31"));
        assert_eq!(era_of(1989, 1, 8), pair("平成元年", "Heisei 1"));
        assert_eq!(era_of(1989, 1, 7), pair("昭和64年", "Showa 64"));
        assert_eq!(era_of(1926, 12, 25), pair("昭和元年", "Showa 1"));
        assert_eq!(era_of(1926, 12, 24), pair("大正15年", "Taisho 15"));
        assert_eq!(era_of(1912, 7, 30), pair("大正元年", "Taisho 1"));
        assert_eq!(era_of(1912, 7, 29), pair("明治45年", "Meiji 45"));
        assert_eq!(era_of(1868, 1, 25), pair("明治元年", "Meiji 1"));
        assert_eq!(era_of(1868, 1, 24), None);
        assert_eq!(era_of(2026, 2, 30), None);
        assert_eq!(era_of(2026, 0, 1), None);
    }

    #[test]
    fn values_are_displayed_for_people() {
        let definition = sample();
        let show = |id: &str, value: &Value| {
            let field = field(&definition, id);
            (display(field, value, true), display(field, value, false))
        };
        let pair = |ja: &str, en: &str| (ja.to_owned(), en.to_owned());
        assert_eq!(
            show("birth", &text("2026-11-27")),
            pair("2026年11月27日", "27 November 2026")
        );
        assert_eq!(
            show("birth", &text("1989-01-08")),
            pair("1989年1月8日", "8 January 1989")
        );
        assert_eq!(
            show("income", &text("-1234567")),
            pair("-1,234,567", "-1,234,567")
        );
        assert_eq!(show("income", &text("100")), pair("100", "100"));
        assert_eq!(show("size", &text("m")), pair("中", "Medium"));
        assert_eq!(show("married", &text("yes")), pair("はい", "Yes"));
        assert_eq!(show("married", &text("no")), pair("いいえ", "No"));
        assert_eq!(show("agree", &text("agreed")), pair("同意します", "Agreed"));
        assert_eq!(
            show(
                "pets",
                &Value::Many {
                    values: vec!["cat".to_owned(), "fish".to_owned()]
                }
            ),
            pair("猫、魚", "Cat, Fish")
        );
        assert_eq!(
            show("document", &Value::File(a_file())),
            pair("license.pdf（879 KB）", "license.pdf (879 KB)")
        );
        let other = AccountValue {
            registered: false,
            bank_code: "0001".to_owned(),
            branch_code: "001".to_owned(),
            account_type: "ordinary".to_owned(),
            number: "1234567".to_owned(),
            holder_kana: "ヤマダ タロウ".to_owned(),
        };
        assert_eq!(
            show("account", &Value::Account(other.clone())),
            pair(
                "0001 · 001 · 普通 · 1234567 · ヤマダ タロウ",
                "0001 · 001 · Ordinary · 1234567 · ヤマダ タロウ"
            )
        );
        let registered = AccountValue {
            registered: true,
            ..other
        };
        let (ja, en) = show("account", &Value::Account(registered));
        assert_eq!(
            ja,
            "登録済みの公金受取口座: 0001 · 001 · 普通 · 1234567 · ヤマダ タロウ"
        );
        assert!(
            en.starts_with("Your registered public funds account (公金受取口座): 0001"),
            "{en}"
        );
        let group = Value::Group {
            entries: vec![
                Entry::from([
                    ("member_name".to_owned(), text("山田 太郎")),
                    ("working".to_owned(), text("yes")),
                ]),
                Entry::from([("member_name".to_owned(), text("山田 花子"))]),
            ],
        };
        assert_eq!(
            show("members", &group),
            pair(
                "世帯員 1: 氏名: 山田 太郎、働いていますか: はい\n世帯員 2: 氏名: 山田 花子",
                "Member 1: Name: 山田 太郎; Do they work?: Yes\nMember 2: Name: 山田 花子"
            )
        );
    }

    #[test]
    fn the_csv_header_of_the_child_allowance_flattens_the_group_and_the_account() {
        let header = csv_header(&preset("child_allowance"));
        let mut expected: Vec<String> = ["name", "name_kana", "birth_date", "address"]
            .map(str::to_owned)
            .to_vec();
        for n in 1..=10 {
            for sub in ["child_name", "child_birth_date", "lives_together"] {
                expected.push(format!("children.{n}.{sub}"));
            }
        }
        for part in [
            "bank_code",
            "branch_code",
            "account_type",
            "number",
            "holder_kana",
        ] {
            expected.push(format!("account.{part}"));
        }
        expected.push("insurance_card".to_owned());
        expected.push("declaration".to_owned());
        assert_eq!(header, expected);
    }

    #[test]
    fn a_csv_row_lines_up_with_the_header() {
        let definition = preset("child_allowance");
        let answers = Answers(BTreeMap::from([
            ("name".to_owned(), text("山田 太郎")),
            ("name_kana".to_owned(), text("ヤマダ タロウ")),
            ("birth_date".to_owned(), text("1986-04-01")),
            ("address".to_owned(), text("東京都千代田区1-1")),
            (
                "children".to_owned(),
                Value::Group {
                    entries: vec![
                        Entry::from([
                            ("child_name".to_owned(), text("山田 一郎")),
                            ("child_birth_date".to_owned(), text("2015-06-01")),
                            ("lives_together".to_owned(), text("yes")),
                        ]),
                        Entry::from([
                            ("child_name".to_owned(), text("山田 二郎")),
                            ("child_birth_date".to_owned(), text("2018-09-30")),
                            ("lives_together".to_owned(), text("no")),
                        ]),
                    ],
                },
            ),
            (
                "account".to_owned(),
                Value::Account(AccountValue {
                    registered: false,
                    bank_code: "0001".to_owned(),
                    branch_code: "001".to_owned(),
                    account_type: "ordinary".to_owned(),
                    number: "0012345".to_owned(),
                    holder_kana: "ヤマダ タロウ".to_owned(),
                }),
            ),
            ("insurance_card".to_owned(), Value::File(a_file())),
            ("declaration".to_owned(), text("agreed")),
            ("not_in_the_form".to_owned(), text("dropped")),
        ]));
        assert_eq!(check_all(&definition, &answers), Vec::new());
        let header = csv_header(&definition);
        let row = csv_row(&definition, &answers);
        assert_eq!(row.len(), header.len());
        let cell = |column: &str| {
            let i = header.iter().position(|h| h == column).expect("column");
            row[i].as_str()
        };
        assert_eq!(cell("name"), "山田 太郎");
        assert_eq!(cell("birth_date"), "1986-04-01");
        assert_eq!(cell("children.1.child_name"), "山田 一郎");
        assert_eq!(cell("children.2.child_birth_date"), "2018-09-30");
        assert_eq!(cell("children.2.lives_together"), "no");
        assert_eq!(cell("children.3.child_name"), "");
        assert_eq!(cell("children.10.lives_together"), "");
        assert_eq!(cell("account.bank_code"), "0001");
        assert_eq!(cell("account.account_type"), "ordinary");
        assert_eq!(cell("account.number"), "0012345");
        assert_eq!(cell("account.holder_kana"), "ヤマダ タロウ");
        assert_eq!(cell("insurance_card"), "license.pdf");
        assert_eq!(cell("declaration"), "agreed");

        // Checkboxes joined, hidden values left out.
        let definition = sample();
        let mut answers = complete();
        answers.0.insert(
            "pets".to_owned(),
            Value::Many {
                values: vec!["cat".to_owned(), "dog".to_owned()],
            },
        );
        answers.0.insert("spouse_name".to_owned(), text("hidden"));
        let header = csv_header(&definition);
        let row = csv_row(&definition, &answers);
        let cell = |column: &str| {
            let i = header.iter().position(|h| h == column).expect("column");
            row[i].clone()
        };
        assert_eq!(cell("pets"), "cat; dog");
        assert_eq!(cell("spouse_name"), "");
        assert_eq!(cell("members.1.member_name"), "山田 太郎");
        assert_eq!(cell("members.3.employer"), "");
        assert!(
            !header.contains(&"members.4.member_name".to_owned()),
            "max_items is 3"
        );
        assert_eq!(
            cell("account.bank_code"),
            "",
            "the registered account not filled in"
        );
    }

    #[test]
    fn answers_round_trip_through_json() {
        let mut answers = complete();
        answers.0.insert(
            "pets".to_owned(),
            Value::Many {
                values: vec!["cat".to_owned()],
            },
        );
        answers.0.insert(
            "account".to_owned(),
            Value::Account(AccountValue {
                registered: false,
                bank_code: "0001".to_owned(),
                branch_code: "001".to_owned(),
                account_type: "savings".to_owned(),
                number: "0000001".to_owned(),
                holder_kana: "ア".to_owned(),
            }),
        );
        let json = serde_json::to_string(&answers).expect("serialise");
        let back: Answers = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, answers);
        let shape: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(
            shape["name"],
            serde_json::json!({"type": "text", "value": "山田 太郎"})
        );
        assert_eq!(shape["document"]["type"], "file");
        assert_eq!(shape["document"]["key"], "uploads/abc");
        assert_eq!(shape["account"]["type"], "account");
        assert_eq!(
            shape["members"]["entries"][0]["member_name"]["value"],
            "山田 太郎"
        );
    }

    #[test]
    fn a_draft_fills_its_page_as_it_would_be_typed() {
        let answers = complete();
        let typed = typed_from_answers(&sample(), 0, &answers);
        assert_eq!(typed.get("birth.year").map(String::as_str), Some("1986"));
        assert_eq!(typed.get("birth.month").map(String::as_str), Some("4"));
        assert_eq!(typed.get("birth.day").map(String::as_str), Some("1"));
        let input: Vec<(String, String)> = typed.into_iter().collect();
        assert_eq!(
            read(0, &input, &answers).answers,
            answers,
            "reading it back changes nothing"
        );
        let typed = typed_from_answers(&sample(), 2, &answers);
        assert_eq!(
            typed.get("members.0.member_name").map(String::as_str),
            Some("山田 太郎")
        );
        assert!(typed_from_answers(&sample(), 99, &answers).is_empty());
    }

    #[test]
    fn labels_are_worked_into_messages_by_what_they_are() {
        let definition = preset("long_term_care");
        let declaration = field(&definition, "declaration");
        let message = message::required(declaration, Kind::Declaration);
        assert_eq!(
            message.ja,
            "認定調査と主治医意見書の写しの提供に同意してください"
        );
        assert_eq!(
            message.en,
            "Confirm that you agree to the assessment and to the doctor's opinion being shared"
        );
        let child = preset("child_allowance");
        let lives = field(&child, "lives_together");
        assert_eq!(
            message::required(lives, Kind::YesNo).en,
            "Select yes or no for “Does the child live with you?”"
        );
        assert_eq!(
            message::required(field(&child, "children"), Kind::Group).en,
            "Enter at least one child"
        );
        assert_eq!(
            input_id("children.0.child_birth_date.year"),
            "f-children-0-child_birth_date"
        );
    }

    #[test]
    fn nothing_posted_panics_the_reader() {
        let definition = sample();
        let strange = pairs(&[
            ("members.18446744073709551615.member_name", "x"),
            ("members.99999999999999999999999.member_name", "y"),
            ("members..member_name", "z"),
            ("members.", "w"),
            ("members.-1.member_name", "v"),
            ("members.0", "u"),
            ("", ""),
            ("birth.year", "２０２６年"),
            ("age", "-"),
            ("age", "9223372036854775808"),
            ("postal", "〒"),
        ]);
        for page in 0..6 {
            let outcome = read_page(
                &definition,
                page,
                &strange,
                &Answers::default(),
                &BTreeSet::new(),
            );
            if page >= definition.pages.len() {
                assert_eq!(outcome, PageOutcome::default());
            }
        }
        // "members.0" makes entry 0 not empty, and it has no name; the entry with the largest number is read.
        let outcome = read(2, &strange, &Answers::default());
        let messages: Vec<&str> = outcome
            .errors
            .iter()
            .map(|e| e.message.en.as_str())
            .collect();
        assert_eq!(messages, vec!["Member 1: Enter name"]);
        assert_eq!(
            outcome
                .typed
                .get("members.18446744073709551615.member_name")
                .map(String::as_str),
            Some("x")
        );
        // A circular condition in a definition that was never checked ends as hidden.
        let mut circular = definition.clone();
        circular.pages[0].fields[0].show_if = Some(crate::Condition {
            field: "spouse_name".to_owned(),
            equals: None,
            filled: Some(true),
        });
        let name = circular.pages[0].fields[0].clone();
        assert!(!visible(&circular, &name, &complete()));
        check_all(&circular, &complete());
        without_hidden(&circular, &complete());
    }
}

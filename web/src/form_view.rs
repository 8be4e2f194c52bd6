//! A form definition's page and the citizen's answers, turned into what the question page and the
//! check-your-answers page draw ([`FieldView`]s and [`AnswerSection`]s).
//!
//! The input names are the ones [`portal_forms::answers::read_page`] reads (see the crate doc of
//! `portal_forms`), and every error links to an element the page really has: the ids are
//! [`answers::input_id`] of the names, as the component macros expect them (radios and checkboxes: the
//! first item; a date: the year box, then `-month`, `-day`; a bank account: its `.use` radios).
//!
//! A page works without JavaScript: a field whose condition names a field of the same page is always drawn,
//! with a hint saying when to answer it (`read_page` ignores it when the condition does not hold). Only a
//! field whose condition names an earlier page's answer is left out when it is hidden.

use std::collections::{BTreeMap, BTreeSet};

use portal_forms::answers::{self, Answers, Entry, FieldError, FileRef, Value};
use portal_forms::{Condition, Definition, Field, Kind, Localized};

use crate::Lang;
use crate::components::FieldMessages;
use crate::pages::apply::{AccountView, AnswerRow, AnswerSection, FieldView, FormError, SubInput};

/// How deep a chain of same-page conditions is followed (a checked definition only looks back).
const MAX_DEPTH: u8 = 16;

/// What a question page is drawn from.
#[derive(Debug, Clone, Copy)]
pub struct PageContext<'a> {
    pub definition: &'a Definition,
    pub page: usize,
    /// Saved answers (with this post's valid values merged when re-showing a page with errors): for
    /// visibility and locked values.
    pub answers: &'a Answers,
    /// The input values to show, by input name ([`answers::typed_from_answers`] on GET,
    /// [`answers::PageOutcome::typed`] after a post with errors).
    pub typed: &'a BTreeMap<String, String>,
    pub errors: &'a [FieldError],
    /// field id → where its prefilled value came from, already in words
    /// ("住民基本台帳（千代田区）の情報（2026年11月1日時点）").
    pub sources: &'a BTreeMap<String, String>,
    /// ids of prefilled, locked fields: shown as text with their source, not as inputs.
    pub locked: &'a BTreeSet<String>,
    /// The registered refund account in words, when the citizen has one (offered first by a bank_account
    /// field).
    pub registered_account: Option<&'a str>,
    /// group field id → how many entries to show at least (the page's "add another" asks for one more).
    pub entries_wanted: &'a BTreeMap<String, usize>,
    /// Where the application's attachments are downloaded: `<files_href><field id>`; empty for no links.
    pub files_href: &'a str,
    pub lang: Lang,
}

/// The page's items in order, its errors for the summary (in page order), and the messages the macros look
/// the errors up in (each error's key is the id of the input it links to).
pub fn page_fields(ctx: &PageContext<'_>) -> (Vec<FieldView>, Vec<FormError>, FieldMessages) {
    let mut builder = Builder {
        ctx,
        ja: ctx.lang == Lang::Ja,
        views: Vec::new(),
        drawn: Vec::new(),
    };
    let fields = ctx
        .definition
        .pages
        .get(ctx.page)
        .map_or(&[][..], |p| p.fields.as_slice());
    for field in fields {
        builder.field(field);
    }
    let Builder { views, drawn, .. } = builder;

    // The summary reads top to bottom as the page is drawn; an error whose input is not drawn goes with
    // its field, or last.
    let position = |error: &FieldError| {
        drawn
            .iter()
            .position(|(id, _)| *id == error.input)
            .or_else(|| drawn.iter().position(|(_, field)| *field == error.field))
            .unwrap_or(usize::MAX)
    };
    let mut ordered: Vec<&FieldError> = ctx.errors.iter().collect();
    ordered.sort_by_key(|e| position(e));

    let mut messages = FieldMessages::new(ctx.lang);
    let mut summary = Vec::with_capacity(ordered.len());
    let mut used = BTreeSet::new();
    for (n, error) in ordered.into_iter().enumerate() {
        // A second error on the same input keeps its own text in the summary; the field shows the first.
        let key = if used.insert(error.input.clone()) {
            error.input.clone()
        } else {
            format!("{}#{n}", error.input)
        };
        messages.add(key.clone(), localized(&error.message, ctx.lang == Lang::Ja));
        summary.push(FormError {
            field: error.input.clone(),
            message_key: key,
        });
    }
    (views, summary, messages)
}

/// The text of an attachment's download link, which says what it downloads: "保険証.png をダウンロード
/// （PNG、1 KB）" / "Download 保険証.png (PNG, 1 KB)".
pub fn download_text(file: &FileRef, lang: Lang) -> String {
    lang.tf(
        "apply.file.download",
        &[
            ("name", &file.name),
            ("kind", &file.kind.to_uppercase()),
            ("size", &answers::file_size(file.bytes)),
        ],
    )
}

/// Check your answers, and the receipt: one section per page (its title in `lang`), one row per visible
/// field with its value as [`answers::display`] gives it (an unanswered field as `common.not_given`), and a
/// change link `change_href(page index)` for every field that is not a locked, prefilled value. A
/// `change_href` that returns "" (the receipt) gives no links. An attached file has a download link,
/// `<files_href><field id>` (none when `files_href` is empty). A page with nothing visible has no section.
pub fn answer_sections(
    definition: &Definition,
    answers: &Answers,
    locked: &BTreeSet<String>,
    lang: Lang,
    change_href: &dyn Fn(usize) -> String,
    files_href: &str,
) -> Vec<AnswerSection> {
    let ja = lang == Lang::Ja;
    definition
        .pages
        .iter()
        .enumerate()
        .map(|(index, page)| AnswerSection {
            title: localized(&page.title, ja),
            rows: page
                .fields
                .iter()
                .filter(|field| {
                    field.kind().is_some() && answers::visible(definition, field, answers)
                })
                .map(|field| {
                    let value = answers.0.get(&field.id).filter(|v| v.is_answered());
                    let (download_href, download_text) = match value {
                        Some(Value::File(file)) if !files_href.is_empty() => (
                            format!("{files_href}{}", field.id),
                            self::download_text(file, lang),
                        ),
                        _ => (String::new(), String::new()),
                    };
                    AnswerRow {
                        download_href,
                        download_text,
                        key: localized(&field.label, ja),
                        value: value.map_or_else(
                            || lang.t("common.not_given").to_owned(),
                            |v| answers::display(field, v, ja),
                        ),
                        change_href: if value.is_some() && locked.contains(&field.id) {
                            String::new()
                        } else {
                            change_href(index)
                        },
                    }
                })
                .collect(),
        })
        .filter(|section| !section.rows.is_empty())
        .collect()
}

fn localized(text: &Localized, ja: bool) -> String {
    if ja { text.ja.clone() } else { text.en.clone() }
}

/// A field by its id: the page it is on, the field, and the group it belongs to.
fn locate<'d>(
    definition: &'d Definition,
    id: &str,
) -> Option<(usize, &'d Field, Option<&'d Field>)> {
    definition.pages.iter().enumerate().find_map(|(page, p)| {
        p.fields.iter().find_map(|field| {
            if field.id == id {
                return Some((page, field, None));
            }
            field
                .fields
                .iter()
                .find(|sub| sub.id == id)
                .map(|sub| (page, sub, Some(field)))
        })
    })
}

/// Whether a field is drawn, and the "answer if" hint it gets: `None` to leave it out.
type Shown = Option<Option<String>>;

struct Builder<'c, 'a> {
    ctx: &'c PageContext<'a>,
    ja: bool,
    views: Vec<FieldView>,
    /// Every id an error can link to, in the order drawn, with the (top-level) field it belongs to.
    drawn: Vec<(String, String)>,
}

impl Builder<'_, '_> {
    fn text(&self, text: &Localized) -> String {
        localized(text, self.ja)
    }

    fn t(&self, key: &str) -> String {
        self.ctx.lang.t(key).to_owned()
    }

    fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.ctx.lang.tf(key, args)
    }

    fn typed(&self, name: &str) -> String {
        self.ctx.typed.get(name).cloned().unwrap_or_default()
    }

    /// The key of the error linked to one of `ids`, the first id first.
    fn error_for(&self, ids: &[&str]) -> Option<String> {
        ids.iter().find_map(|id| {
            self.ctx
                .errors
                .iter()
                .find(|e| e.input == *id)
                .map(|e| e.input.clone())
        })
    }

    fn mark(&mut self, id: &str, field: &str) {
        self.drawn.push((id.to_owned(), field.to_owned()));
    }

    /// A field's label, with "（任意）" / "(optional)" when it is not required (a declaration is agreed to,
    /// not answered).
    fn label(&self, field: &Field, kind: Kind) -> String {
        let label = self.text(&field.label);
        if field.required || kind == Kind::Declaration {
            return label;
        }
        let optional = self.t("apply.optional");
        if self.ja {
            format!("{label}{optional}")
        } else {
            format!("{label} {optional}")
        }
    }

    /// "Answer if you chose “Yes” for “Do you have children?”".
    fn answer_if(&self, condition: &Condition, target: &Field) -> String {
        let label = self.text(&target.label);
        match (&condition.equals, condition.filled) {
            (Some(value), _) => {
                let choice = match (target.kind(), value.as_str()) {
                    (Some(Kind::YesNo), "yes") => self.t("common.yes"),
                    (Some(Kind::YesNo), "no") => self.t("common.no"),
                    (Some(Kind::Declaration), "agreed") => self.t("apply.agree"),
                    (Some(Kind::BankAccount), "registered") => self.t("apply.account.registered"),
                    (Some(Kind::BankAccount), "other") => self.t("apply.account.other"),
                    _ => target
                        .choices
                        .iter()
                        .find(|c| c.value == *value)
                        .map_or_else(|| value.clone(), |c| self.text(&c.label)),
                };
                self.tf("apply.answer_if", &[("label", &label), ("choice", &choice)])
            }
            (None, Some(false)) => self.tf("apply.answer_if_empty", &[("label", &label)]),
            (None, _) => self.tf("apply.answer_if_filled", &[("label", &label)]),
        }
    }

    /// A field of the page (not in a group): drawn when it has no condition, when its condition names a
    /// field of this page that is drawn (with the "answer if" hint), or when the answers show it.
    fn page_field_shown(&self, field: &Field, depth: u8) -> Shown {
        let Some(condition) = &field.show_if else {
            return Some(None);
        };
        let definition = self.ctx.definition;
        match locate(definition, &condition.field) {
            Some((page, target, None)) if page == self.ctx.page && depth < MAX_DEPTH => {
                self.page_field_shown(target, depth + 1)?;
                Some(Some(self.answer_if(condition, target)))
            }
            _ => answers::visible(definition, field, self.ctx.answers).then_some(None),
        }
    }

    /// A field of a group's entry: as [`Self::page_field_shown`], a field of the same group counting as one of
    /// this page.
    fn entry_field_shown(&self, group: &Field, field: &Field, entry: &Entry, depth: u8) -> Shown {
        let Some(condition) = &field.show_if else {
            return Some(None);
        };
        let definition = self.ctx.definition;
        match locate(definition, &condition.field) {
            Some((_, target, Some(owner))) if owner.id == group.id && depth < MAX_DEPTH => {
                self.entry_field_shown(group, target, entry, depth + 1)?;
                Some(Some(self.answer_if(condition, target)))
            }
            Some((page, target, None)) if page == self.ctx.page && depth < MAX_DEPTH => {
                self.page_field_shown(target, depth + 1)?;
                Some(Some(self.answer_if(condition, target)))
            }
            _ => answers::visible_in_entry(definition, group, field, self.ctx.answers, entry)
                .then_some(None),
        }
    }

    fn field(&mut self, field: &Field) {
        // A kind the portal does not know is refused when a definition is checked; it has no input.
        let Some(kind) = field.kind() else {
            return;
        };
        let Some(answer_if) = self.page_field_shown(field, 0) else {
            return;
        };
        let stored = self.ctx.answers.0.get(&field.id);
        if self.ctx.locked.contains(&field.id)
            && let Some(value) = stored.filter(|v| v.is_answered())
        {
            self.views.push(FieldView {
                kind: kind.code().to_owned(),
                name: field.id.clone(),
                id: answers::input_id(&field.id),
                label: self.text(&field.label),
                source: self.ctx.sources.get(&field.id).cloned().unwrap_or_default(),
                locked: true,
                shown_value: answers::display(field, value, self.ja),
                ..FieldView::default()
            });
            return;
        }
        if kind == Kind::Group {
            self.group(field, answer_if);
        } else {
            let view = self.input(field, kind, &field.id, &field.id, answer_if, stored);
            self.views.push(view);
        }
    }

    /// One field drawn as inputs, under the input name `name` (`id`, or `group.<n>.id` in an entry).
    /// `owner` is the page's field it belongs to (itself, or its group).
    fn input(
        &mut self,
        field: &Field,
        kind: Kind,
        name: &str,
        owner: &str,
        answer_if: Option<String>,
        stored: Option<&Value>,
    ) -> FieldView {
        let mut hint: Vec<String> = answer_if.into_iter().collect();
        if let Some(text) = &field.hint {
            hint.push(self.text(text));
        }
        let mut view = FieldView {
            kind: kind.code().to_owned(),
            name: name.to_owned(),
            id: answers::input_id(name),
            label: self.label(field, kind),
            source: self.ctx.sources.get(&field.id).cloned().unwrap_or_default(),
            ..FieldView::default()
        };
        match kind {
            Kind::Text | Kind::Kana => {
                view.value = self.typed(name);
                view.width = match field.max_length {
                    Some(n) if n <= 10 => "10",
                    Some(n) if n <= 20 => "20",
                    _ => "",
                };
                view.autocomplete = match field.prefill.as_deref().unwrap_or_default() {
                    "basic.name" => "name",
                    "basic.postal_code" => "postal-code",
                    "contact.email" => "email",
                    _ => "",
                };
            }
            Kind::Number | Kind::PostalCode => {
                view.value = self.typed(name);
                view.inputmode = "numeric";
                view.width = "10";
                if kind == Kind::PostalCode {
                    view.autocomplete = "postal-code";
                }
            }
            Kind::Date => {
                view.date = (
                    self.typed(&format!("{name}.year")),
                    self.typed(&format!("{name}.month")),
                    self.typed(&format!("{name}.day")),
                );
                let (year, month, day) = &view.date;
                let era = match (
                    year.trim().parse(),
                    month.trim().parse(),
                    day.trim().parse(),
                ) {
                    (Ok(y), Ok(m), Ok(d)) => answers::era(y, m, d),
                    _ => None,
                };
                if let Some(era) = era {
                    hint.push(self.tf("apply.era", &[("era", &self.text(&era))]));
                }
            }
            Kind::Select => {
                let chosen = self.typed(name);
                view.select_options =
                    std::iter::once((String::new(), self.t("apply.choose"), chosen.is_empty()))
                        .chain(
                            field
                                .choices
                                .iter()
                                .map(|c| (c.value.clone(), self.text(&c.label), c.value == chosen)),
                        )
                        .collect();
            }
            Kind::Radios => {
                let chosen = self.typed(name);
                view.options = field
                    .choices
                    .iter()
                    .map(|c| {
                        let checked = c.value == chosen;
                        (c.value.clone(), self.text(&c.label), String::new(), checked)
                    })
                    .collect();
            }
            Kind::YesNo => {
                let chosen = self.typed(name);
                view.options = [("yes", "common.yes"), ("no", "common.no")]
                    .into_iter()
                    .map(|(value, key)| {
                        (
                            value.to_owned(),
                            self.t(key),
                            String::new(),
                            chosen == value,
                        )
                    })
                    .collect();
            }
            Kind::Checkboxes => {
                let typed = self.typed(name);
                let ticked: BTreeSet<&str> = typed.lines().map(str::trim).collect();
                view.options = field
                    .choices
                    .iter()
                    .map(|c| {
                        let checked = ticked.contains(c.value.as_str());
                        (c.value.clone(), self.text(&c.label), String::new(), checked)
                    })
                    .collect();
            }
            Kind::Declaration => {
                let agreed = self.typed(name).trim() == "agreed";
                view.options = vec![(
                    "agreed".to_owned(),
                    self.t("apply.agree"),
                    String::new(),
                    agreed,
                )];
            }
            Kind::File => {
                let accepted: Vec<&str> = if field.accept.is_empty() {
                    portal_forms::FILE_TYPES.to_vec()
                } else {
                    field.accept.iter().map(String::as_str).collect()
                };
                view.accept = accepted
                    .into_iter()
                    .filter_map(|kind| match kind {
                        "pdf" => Some("application/pdf"),
                        "jpeg" => Some("image/jpeg"),
                        "png" => Some("image/png"),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
                    .join(",");
                if let Some(value @ Value::File(file)) = stored {
                    view.file = Some(answers::display(field, value, self.ja));
                    if !self.ctx.files_href.is_empty() {
                        view.file_href = format!("{}{}", self.ctx.files_href, field.id);
                        view.file_download = download_text(file, self.ctx.lang);
                    }
                    // Nothing chosen keeps the stored file: a file input cannot be filled in again.
                    hint.push(self.t("apply.file.keep"));
                }
            }
            Kind::BankAccount => {
                // The `.use` radios come first: an error about the whole field links to them.
                view.id = answers::input_id(&format!("{name}.use"));
                if self.ctx.registered_account.is_none() {
                    hint.push(self.t("apply.account.none_registered"));
                }
                view.account = Some(self.account(field, name, owner, &view.id));
            }
            // Drawn by `group`.
            Kind::Group => {}
        }
        // The template draws the source under a locked value and a group's legend only: an input that was
        // prefilled says where its value came from in its hint.
        if !view.source.is_empty() {
            hint.push(view.source.clone());
        }
        view.hint = hint.join(" ");
        view.error = if kind == Kind::Date {
            let month = format!("{}-month", view.id);
            let day = format!("{}-day", view.id);
            self.error_for(&[&view.id, &month, &day])
        } else {
            self.error_for(&[&view.id])
        };
        view.described_by = described_by(&view.id, !view.hint.is_empty(), view.error.is_some());
        // The drawn ids, in the order of the page (a bank account's parts were marked by `account`).
        if kind != Kind::BankAccount {
            self.mark(&view.id, owner);
            if kind == Kind::Date {
                self.mark(&format!("{}-month", view.id), owner);
                self.mark(&format!("{}-day", view.id), owner);
            }
        }
        view
    }

    /// The account inputs of a bank_account field named `name`, whose radios have the id `use_id`.
    fn account(&mut self, field: &Field, name: &str, owner: &str, use_id: &str) -> AccountView {
        self.mark(use_id, owner);
        let use_name = format!("{name}.use");
        let mut chosen = self.typed(&use_name);
        // Without a registered account, another account is the only answer a required field has.
        if chosen.is_empty() && self.ctx.registered_account.is_none() && field.required {
            chosen = "other".to_owned();
        }
        let mut use_options = Vec::new();
        if let Some(registered) = self.ctx.registered_account {
            use_options.push((
                "registered".to_owned(),
                self.t("apply.account.registered"),
                registered.to_owned(),
                chosen == "registered",
            ));
        }
        use_options.push((
            "other".to_owned(),
            self.t("apply.account.other"),
            String::new(),
            chosen == "other",
        ));
        // In the order the template draws them: the four boxes, then the account type.
        let parts: [(&str, &'static str, &'static str); 4] = [
            ("bank_code", "numeric", "4"),
            ("branch_code", "numeric", "4"),
            ("number", "numeric", "10"),
            ("holder_kana", "", "20"),
        ];
        let inputs = parts
            .into_iter()
            .map(|(part, inputmode, width)| {
                let input_name = format!("{name}.{part}");
                let id = answers::input_id(&input_name);
                self.mark(&id, owner);
                SubInput {
                    error: self.error_for(&[&id]),
                    id,
                    label: self.t(&format!("apply.account.{part}")),
                    hint: String::new(),
                    value: self.typed(&input_name),
                    name: input_name,
                    inputmode,
                    width,
                }
            })
            .collect();
        let type_name = format!("{name}.account_type");
        let type_id = answers::input_id(&type_name);
        self.mark(&type_id, owner);
        let chosen_type = self.typed(&type_name);
        let type_options = std::iter::once((
            String::new(),
            self.t("apply.choose"),
            chosen_type.is_empty(),
        ))
        .chain(answers::ACCOUNT_TYPES.iter().map(|value| {
            (
                (*value).to_owned(),
                self.t(&format!("apply.account.{value}")),
                chosen_type == *value,
            )
        }))
        .collect();
        AccountView {
            use_name,
            use_legend: self.t("apply.account.use"),
            use_options,
            other_lead: self.t("apply.account.other_lead"),
            inputs,
            type_error: self.error_for(&[&type_id]),
            type_id,
            type_name,
            type_label: self.t("apply.account.account_type"),
            type_options,
        }
    }

    /// A repeatable group: its frame, one framed entry per entry shown, and its add button.
    fn group(&mut self, group: &Field, answer_if: Option<String>) {
        let name = group.id.as_str();
        let id = answers::input_id(name);
        let plain_label = self.text(&group.label);
        let max = group.max_items.unwrap_or(answers::DEFAULT_MAX_ITEMS).max(1);
        let stored: &[Entry] = match self.ctx.answers.0.get(&group.id) {
            Some(Value::Group { entries }) => entries,
            _ => &[],
        };
        let prefix = format!("{name}.");
        let typed_count = self
            .ctx
            .typed
            .range::<str, _>((
                std::ops::Bound::Included(prefix.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(key, _)| key.starts_with(&prefix))
            .filter_map(|(key, _)| {
                key.get(prefix.len()..)?
                    .split('.')
                    .next()?
                    .parse::<usize>()
                    .ok()
            })
            .map(|n| n.saturating_add(1))
            .max()
            .unwrap_or(0);
        let wanted = self.ctx.entries_wanted.get(&group.id).copied().unwrap_or(0);
        let count = [typed_count, stored.len(), wanted, 1]
            .into_iter()
            .max()
            .unwrap_or(1)
            .min(max);

        let mut hint: Vec<String> = answer_if.into_iter().collect();
        if let Some(text) = &group.hint {
            hint.push(self.text(text));
        }
        let hint = hint.join(" ");
        let error = self.error_for(&[&id]);
        self.mark(&id, &group.id);
        self.views.push(FieldView {
            frame: "group_start",
            kind: Kind::Group.code().to_owned(),
            name: name.to_owned(),
            id: id.clone(),
            label: self.label(group, Kind::Group),
            source: self.ctx.sources.get(&group.id).cloned().unwrap_or_default(),
            described_by: described_by(&id, !hint.is_empty(), error.is_some()),
            hint,
            error,
            ..FieldView::default()
        });

        let empty = Entry::new();
        for index in 0..count {
            let entry_name = format!("{name}.{index}");
            let number = (index + 1).to_string();
            self.views.push(FieldView {
                frame: "entry_start",
                kind: Kind::Group.code().to_owned(),
                id: answers::input_id(&entry_name),
                label: self.tf(
                    "apply.entry",
                    &[("label", &plain_label), ("number", &number)],
                ),
                name: entry_name.clone(),
                ..FieldView::default()
            });
            let entry = stored.get(index).unwrap_or(&empty);
            for sub in &group.fields {
                let Some(kind) = sub.kind() else {
                    continue;
                };
                let Some(answer_if) = self.entry_field_shown(group, sub, entry, 0) else {
                    continue;
                };
                let sub_name = format!("{entry_name}.{}", sub.id);
                let view = self.input(
                    sub,
                    kind,
                    &sub_name,
                    &group.id,
                    answer_if,
                    entry.get(&sub.id),
                );
                self.views.push(view);
            }
            let removable = count > 1 || !group.required;
            self.views.push(FieldView {
                frame: "entry_end",
                kind: Kind::Group.code().to_owned(),
                name: entry_name,
                button_value: if removable {
                    format!("remove:{name}:{index}")
                } else {
                    String::new()
                },
                button_text: self.tf("apply.remove", &[("label", &plain_label)]),
                ..FieldView::default()
            });
        }
        self.views.push(FieldView {
            frame: "group_end",
            kind: Kind::Group.code().to_owned(),
            name: name.to_owned(),
            id,
            button_value: if count < max {
                format!("add:{name}")
            } else {
                String::new()
            },
            button_text: self.tf("apply.add", &[("label", &plain_label)]),
            ..FieldView::default()
        });
    }
}

/// The `aria-describedby` of a fieldset the template draws itself.
fn described_by(id: &str, hint: bool, error: bool) -> String {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{id}-hint"));
    }
    if error {
        ids.push(format!("{id}-error"));
    }
    ids.join(" ")
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use askama::Template;
    use portal_forms::answers::{self, AccountValue, Answers, Entry, FieldError, FileRef, Value};
    use portal_forms::{Definition, PRESETS};

    use super::{PageContext, answer_sections, page_fields};
    use crate::pages::apply::{ApplyPage, FieldView, FormError};
    use crate::{Lang, Shell};

    /// Every kind of field. Page one asks a question a field of page two depends on; page two has a
    /// condition on its own field, a bank account and an optional group of at most two entries.
    const SAMPLE: &str = r#"
id = "sample"
version = 1
agency = "131016"
title = { ja = "見本", en = "Sample" }

[[pages]]
id = "one"
title = { ja = "一", en = "One" }

[[pages.fields]]
id = "married"
kind = "yes_no"
label = { ja = "結婚していますか", en = "Are you married?" }
required = true

[[pages]]
id = "two"
title = { ja = "二", en = "Two" }

[[pages.fields]]
id = "name"
kind = "text"
label = { ja = "氏名", en = "Name" }
required = true
max_length = 20

[[pages.fields]]
id = "kana"
kind = "kana"
label = { ja = "フリガナ", en = "Name in katakana" }
required = true

[[pages.fields]]
id = "spouse"
kind = "text"
label = { ja = "配偶者の氏名", en = "Spouse's name" }
show_if = { field = "married", equals = "yes" }

[[pages.fields]]
id = "born"
kind = "date"
label = { ja = "生年月日", en = "Date of birth" }
required = true

[[pages.fields]]
id = "postcode"
kind = "postal_code"
label = { ja = "郵便番号", en = "Postcode" }

[[pages.fields]]
id = "count"
kind = "number"
label = { ja = "人数", en = "How many" }
min = 0
max = 10

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
label = { ja = "ペット", en = "Pets" }
choices = [
  { value = "cat", label = { ja = "猫", en = "Cat" } },
  { value = "dog", label = { ja = "犬", en = "Dog" } },
]

[[pages.fields]]
id = "has_kids"
kind = "yes_no"
label = { ja = "お子さんはいますか", en = "Do you have children?" }
required = true

[[pages.fields]]
id = "kids_note"
kind = "text"
label = { ja = "お子さんについて", en = "About your children" }
show_if = { field = "has_kids", equals = "yes" }

[[pages.fields]]
id = "account"
kind = "bank_account"
label = { ja = "振込先口座", en = "Account" }
required = true

[[pages.fields]]
id = "kids"
kind = "group"
label = { ja = "子", en = "Child" }
max_items = 2

[[pages.fields.fields]]
id = "kid_name"
kind = "text"
label = { ja = "子の氏名", en = "Child's name" }
required = true

[[pages.fields.fields]]
id = "kid_born"
kind = "date"
label = { ja = "子の生年月日", en = "Child's date of birth" }
required = true

[[pages.fields]]
id = "agree"
kind = "declaration"
label = { ja = "内容に誤りはありません", en = "This is true" }
required = true
"#;

    fn sample() -> Definition {
        Definition::parse(SAMPLE).expect("the sample parses")
    }

    fn preset(name: &str) -> Definition {
        let (_, text) = PRESETS
            .iter()
            .find(|(n, _)| *n == name)
            .expect("the preset exists");
        Definition::parse(text).expect("the preset parses")
    }

    fn text(value: &str) -> Value {
        Value::text(value)
    }

    /// What a test varies of a page's context; the rest is empty.
    #[derive(Default)]
    struct Setup {
        answers: Answers,
        typed: BTreeMap<String, String>,
        errors: Vec<FieldError>,
        sources: BTreeMap<String, String>,
        locked: BTreeSet<String>,
        registered: Option<String>,
        wanted: BTreeMap<String, usize>,
    }

    impl Setup {
        fn context<'a>(
            &'a self,
            definition: &'a Definition,
            page: usize,
            lang: Lang,
        ) -> PageContext<'a> {
            PageContext {
                definition,
                page,
                answers: &self.answers,
                typed: &self.typed,
                errors: &self.errors,
                sources: &self.sources,
                locked: &self.locked,
                registered_account: self.registered.as_deref(),
                entries_wanted: &self.wanted,
                files_href: "files/",
                lang,
            }
        }

        /// The page as the server draws it on GET: typed from the answers.
        fn shown_again(mut self, definition: &Definition, page: usize) -> Setup {
            self.typed = answers::typed_from_answers(definition, page, &self.answers);
            self
        }
    }

    /// The page's views and its HTML, as `ApplyPage` renders them.
    fn render(ctx: &PageContext<'_>) -> (Vec<FieldView>, Vec<FormError>, String) {
        let (fields, errors, messages) = page_fields(ctx);
        let page_title = ctx
            .definition
            .pages
            .get(ctx.page)
            .map(|p| {
                if ctx.lang == Lang::Ja {
                    p.title.ja.clone()
                } else {
                    p.title.en.clone()
                }
            })
            .unwrap_or_default();
        let page = ApplyPage {
            shell: Shell {
                lang: ctx.lang,
                nonce: "n0nce".into(),
                csrf_token: "csrf".into(),
                path: "/apply/sample/1".into(),
                version: "9.9.9",
                session: None,
                staff: None,
            },
            form_title: ctx.definition.title.ja.clone(),
            page_title,
            progress: String::new(),
            back_href: "/apply/sample".into(),
            action: "/apply/sample/1".into(),
            has_prefilled: fields.iter().any(|f| !f.source.is_empty()),
            has_file: fields.iter().any(|f| f.kind == "file"),
            fields: fields.clone(),
            errors: errors.clone(),
            messages,
        };
        let html = page.render().expect("the page renders");
        (fields, errors, html)
    }

    // --- A little HTML reading ---------------------------------------------------------------------------

    /// The opening tags `<tag …>` of the page.
    fn tags<'h>(html: &'h str, tag: &str) -> Vec<&'h str> {
        let open = format!("<{tag} ");
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find(&open) {
            let after = &rest[start..];
            let end = after.find('>').map_or(after.len(), |e| e + 1);
            out.push(&after[..end]);
            rest = &after[end..];
        }
        out
    }

    fn attr(tag: &str, name: &str) -> Option<String> {
        let marker = format!(" {name}=\"");
        let start = tag.find(&marker)? + marker.len();
        let end = tag[start..].find('"')?;
        Some(tag[start..start + end].to_owned())
    }

    fn ids(html: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find(" id=\"") {
            let after = &rest[start + 5..];
            let end = after.find('"').unwrap_or(after.len());
            out.push(after[..end].to_owned());
            rest = &after[end..];
        }
        out
    }

    /// The controls of the form that post something: text boxes, radios and checkboxes (name, value),
    /// selects (name, the values offered).
    #[derive(Debug, Default)]
    struct Controls {
        text: BTreeSet<String>,
        choices: BTreeSet<(String, String)>,
        selects: BTreeMap<String, Vec<String>>,
        files: BTreeSet<String>,
    }

    impl Controls {
        fn of(html: &str) -> Controls {
            let mut controls = Controls::default();
            for tag in tags(html, "input") {
                let name = attr(tag, "name").unwrap_or_default();
                match attr(tag, "type").as_deref() {
                    Some("text") => {
                        controls.text.insert(name);
                    }
                    Some("radio" | "checkbox") => {
                        controls
                            .choices
                            .insert((name, attr(tag, "value").unwrap_or_default()));
                    }
                    Some("file") => {
                        controls.files.insert(name);
                    }
                    _ => assert_eq!(name, "csrf_token", "an input nobody reads: {tag}"),
                }
            }
            let mut rest = html;
            while let Some(start) = rest.find("<select ") {
                let after = &rest[start..];
                let end = after.find("</select>").expect("the select ends");
                let body = &after[..end];
                let name = tags(body, "select")
                    .first()
                    .and_then(|t| attr(t, "name"))
                    .unwrap_or_default();
                let values = tags(body, "option")
                    .iter()
                    .map(|t| attr(t, "value").unwrap_or_default())
                    .collect();
                controls.selects.insert(name, values);
                rest = &after[end..];
            }
            controls
        }

        /// Every name a post of this form can carry.
        fn names(&self) -> BTreeSet<String> {
            self.text
                .iter()
                .cloned()
                .chain(self.choices.iter().map(|(name, _)| name.clone()))
                .chain(self.selects.keys().cloned())
                .collect()
        }

        /// A post filling the form in as a browser would, from `fill`: every value must be one the page
        /// offers under that name.
        fn post(&self, fill: &[(&str, &str)]) -> Vec<(String, String)> {
            for (name, value) in fill {
                let name = (*name).to_owned();
                let offered = self.text.contains(&name)
                    || value.is_empty()
                    || self.choices.contains(&(name.clone(), (*value).to_owned()))
                    || self
                        .selects
                        .get(&name)
                        .is_some_and(|values| values.iter().any(|v| v == value));
                assert!(offered, "the page offers no {name} = {value:?}: {self:?}");
            }
            fill.iter()
                .filter(|(name, value)| !value.is_empty() || self.text.contains(*name))
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect()
        }
    }

    fn assert_unique_ids(html: &str) {
        let mut seen = BTreeSet::new();
        for id in ids(html) {
            assert!(seen.insert(id.clone()), "the id {id} is used twice");
        }
    }

    /// The summary's links, in order.
    fn summary_links(html: &str) -> Vec<String> {
        let Some(start) = html.find("error-summary__list") else {
            return Vec::new();
        };
        let list = &html[start..];
        let list = &list[..list.find("</ul>").unwrap_or(list.len())];
        tags(list, "a")
            .iter()
            .filter_map(|t| attr(t, "href"))
            .map(|href| href.trim_start_matches('#').to_owned())
            .collect()
    }

    /// Every summary link lands on an element of the page, and every error's text is shown twice: in the
    /// summary and at its field.
    fn assert_errors_link_up(html: &str, errors: &[FieldError], ja: bool) {
        let links = summary_links(html);
        assert_eq!(links.len(), errors.len(), "{links:?}");
        let all = ids(html);
        for link in &links {
            assert!(
                all.contains(link),
                "the summary links to #{link}, which the page lacks"
            );
        }
        for error in errors {
            let message = if ja {
                &error.message.ja
            } else {
                &error.message.en
            };
            let message = message.replace('\'', "&#39;").replace('"', "&#34;");
            assert!(
                html.matches(message.as_str()).count() >= 2,
                "“{message}” is not both in the summary and at its field"
            );
        }
    }

    // --- The tests ---------------------------------------------------------------------------------------

    /// Input names and the values posted under them.
    type Fill = &'static [(&'static str, &'static str)];

    const SAMPLE_FILL: Fill = &[
        ("name", "山田 太郎"),
        ("kana", "やまだ たろう"),
        ("spouse", "山田 花子"),
        ("born.year", "1990"),
        ("born.month", "4"),
        ("born.day", "1"),
        ("postcode", "1000001"),
        ("count", "3"),
        ("colour", "blue"),
        ("size", "m"),
        ("pets", "cat"),
        ("pets", "dog"),
        ("has_kids", "yes"),
        ("kids_note", "二人"),
        ("account.use", "other"),
        ("account.bank_code", "0001"),
        ("account.branch_code", "001"),
        ("account.account_type", "ordinary"),
        ("account.number", "1234567"),
        ("account.holder_kana", "ヤマダ タロウ"),
        ("kids.0.kid_name", "山田 一郎"),
        ("kids.0.kid_born.year", "2020"),
        ("kids.0.kid_born.month", "5"),
        ("kids.0.kid_born.day", "5"),
        ("agree", "agreed"),
    ];

    #[test]
    fn the_names_drawn_are_the_names_read() {
        let definition = sample();
        let setup = Setup {
            answers: Answers(BTreeMap::from([("married".into(), text("yes"))])),
            ..Setup::default()
        };
        for lang in Lang::ALL {
            let (_, errors, html) = render(&setup.context(&definition, 1, lang));
            assert!(errors.is_empty());
            assert_unique_ids(&html);
            let controls = Controls::of(&html);
            let filled: BTreeSet<String> =
                SAMPLE_FILL.iter().map(|(n, _)| (*n).to_owned()).collect();
            assert_eq!(
                controls.names(),
                filled,
                "the page draws other names than the post fills"
            );
            let post = controls.post(SAMPLE_FILL);
            let outcome =
                answers::read_page(&definition, 1, &post, &setup.answers, &BTreeSet::new());
            assert_eq!(outcome.errors, Vec::new());
            let expected = Answers(BTreeMap::from([
                ("married".into(), text("yes")),
                ("name".into(), text("山田 太郎")),
                ("kana".into(), text("ヤマダ タロウ")),
                ("spouse".into(), text("山田 花子")),
                ("born".into(), text("1990-04-01")),
                ("postcode".into(), text("100-0001")),
                ("count".into(), text("3")),
                ("colour".into(), text("blue")),
                ("size".into(), text("m")),
                (
                    "pets".into(),
                    Value::Many {
                        values: vec!["cat".into(), "dog".into()],
                    },
                ),
                ("has_kids".into(), text("yes")),
                ("kids_note".into(), text("二人")),
                (
                    "account".into(),
                    Value::Account(AccountValue {
                        registered: false,
                        bank_code: "0001".into(),
                        branch_code: "001".into(),
                        account_type: "ordinary".into(),
                        number: "1234567".into(),
                        holder_kana: "ヤマダ タロウ".into(),
                    }),
                ),
                (
                    "kids".into(),
                    Value::Group {
                        entries: vec![Entry::from([
                            ("kid_name".into(), text("山田 一郎")),
                            ("kid_born".into(), text("2020-05-05")),
                        ])],
                    },
                ),
                ("agree".into(), text("agreed")),
            ]));
            assert_eq!(outcome.answers, expected);

            // Drawn again from those answers, the page is filled in as it was posted.
            let again = Setup {
                answers: outcome.answers.clone(),
                ..Setup::default()
            }
            .shown_again(&definition, 1);
            let (_, _, html) = render(&again.context(&definition, 1, lang));
            let post = Controls::of(&html);
            assert!(html.contains("value=\"ヤマダ タロウ\""));
            assert!(
                html.contains("value=\"blue\" selected"),
                "the colour stays chosen"
            );
            assert!(
                html.contains("value=\"ordinary\" selected"),
                "the account type stays chosen"
            );
            assert!(post.choices.contains(&("pets".into(), "dog".into())));
        }

        // The preset's pages: the claimant page draws only the address when the rest is locked; the
        // children page a household group; the payment page the registered account.
        let definition = preset("child_allowance");
        let locked: BTreeSet<String> = ["name", "name_kana", "birth_date"].map(String::from).into();
        let previous = Answers(BTreeMap::from([
            ("name".into(), text("山田 太郎")),
            ("name_kana".into(), text("ヤマダ タロウ")),
            ("birth_date".into(), text("1990-04-01")),
            (
                "account".into(),
                Value::Account(AccountValue {
                    registered: true,
                    ..AccountValue::default()
                }),
            ),
        ]));
        let cases: [(usize, Fill, &str, Value); 3] = [
            (
                0,
                &[("address", "東京都千代田区1-1")],
                "address",
                text("東京都千代田区1-1"),
            ),
            (
                1,
                &[
                    ("children.0.child_name", "山田 一郎"),
                    ("children.0.child_birth_date.year", "2020"),
                    ("children.0.child_birth_date.month", "5"),
                    ("children.0.child_birth_date.day", "5"),
                    ("children.0.lives_together", "yes"),
                ],
                "children",
                Value::Group {
                    entries: vec![Entry::from([
                        ("child_name".into(), text("山田 一郎")),
                        ("child_birth_date".into(), text("2020-05-05")),
                        ("lives_together".into(), text("yes")),
                    ])],
                },
            ),
            (
                2,
                &[
                    ("account.use", "registered"),
                    ("account.bank_code", ""),
                    ("account.branch_code", ""),
                    ("account.account_type", ""),
                    ("account.number", ""),
                    ("account.holder_kana", ""),
                    ("declaration", "agreed"),
                ],
                "declaration",
                text("agreed"),
            ),
        ];
        for (page, fill, id, value) in cases {
            let setup = Setup {
                answers: previous.clone(),
                locked: locked.clone(),
                registered: Some("ゆうちょ銀行 〇一八支店 普通 1234567".into()),
                ..Setup::default()
            }
            .shown_again(&definition, page);
            let (_, _, html) = render(&setup.context(&definition, page, Lang::Ja));
            assert_unique_ids(&html);
            let controls = Controls::of(&html);
            let filled: BTreeSet<String> = fill.iter().map(|(n, _)| (*n).to_owned()).collect();
            assert_eq!(controls.names(), filled, "page {page}");
            let outcome =
                answers::read_page(&definition, page, &controls.post(fill), &previous, &locked);
            assert_eq!(outcome.errors, Vec::new(), "page {page}");
            assert_eq!(outcome.answers.0.get(id), Some(&value), "page {page}");
            if page == 2 {
                assert_eq!(outcome.answers.0.get("account"), previous.0.get("account"));
                assert!(controls.files.contains("insurance_card"));
                assert!(html.contains("accept=\"application/pdf,image/jpeg,image/png\""));
            }
        }
    }

    /// A post of the sample's second page, with the answers of its first, and the page drawn after it.
    fn posted(
        fill: &[(&str, &str)],
        lang: Lang,
    ) -> (Vec<FieldView>, Vec<FormError>, String, Vec<FieldError>) {
        let definition = sample();
        let previous = Answers(BTreeMap::from([("married".into(), text("no"))]));
        let input: Vec<(String, String)> = fill
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        let outcome = answers::read_page(&definition, 1, &input, &previous, &BTreeSet::new());
        let setup = Setup {
            answers: outcome.answers,
            typed: outcome.typed,
            errors: outcome.errors.clone(),
            ..Setup::default()
        };
        let (views, summary, html) = render(&setup.context(&definition, 1, lang));
        (views, summary, html, outcome.errors)
    }

    fn with(changes: &[(&str, &str)]) -> Vec<(&'static str, String)> {
        let mut fill: Vec<(&'static str, String)> = SAMPLE_FILL
            .iter()
            .filter(|(name, _)| *name != "spouse")
            .map(|(n, v)| (*n, (*v).to_owned()))
            .collect();
        for (name, value) in changes {
            for pair in fill.iter_mut().filter(|(n, _)| n == name) {
                pair.1 = (*value).to_owned();
            }
        }
        fill
    }

    fn pairs<'a>(fill: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
        fill.iter().map(|(n, v)| (*n, v.as_str())).collect()
    }

    #[test]
    fn every_error_links_to_its_input() {
        let fill = with(&[
            ("born.month", ""),
            ("kana", "abc"),
            ("size", ""),
            ("account.bank_code", "12"),
            ("account.account_type", ""),
            ("account.number", "x"),
            ("kids.0.kid_born.month", "13"),
        ]);
        for lang in Lang::ALL {
            let (_, summary, html, errors) = posted(&pairs(&fill), lang);
            assert_eq!(errors.len(), 7, "{errors:?}");
            assert_errors_link_up(&html, &errors, lang == Lang::Ja);
            // In the order of the page, whatever order they were read in.
            assert_eq!(
                summary_links(&html),
                [
                    "f-kana",
                    "f-born-month",
                    "f-size",
                    "f-account-bank_code",
                    "f-account-number",
                    "f-account-account_type",
                    "f-kids-0-kid_born"
                ]
            );
            assert_eq!(summary.len(), 7);
            assert!(html.contains("id=\"f-account-bank_code-error\""));
            assert!(
                html.contains("id=\"f-born-error\""),
                "the date shows its month's error"
            );
        }

        // The account's own choice left out, and an empty post of every page of every preset.
        let (_, _, html, errors) = posted(&pairs(&with(&[("account.use", "")])), Lang::Ja);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(summary_links(&html), ["f-account-use"]);
        assert_errors_link_up(&html, &errors, true);
        for (name, text) in PRESETS {
            let definition = Definition::parse(text).expect("the preset parses");
            for page in 0..definition.pages.len() {
                let outcome = answers::read_page(
                    &definition,
                    page,
                    &[],
                    &Answers::default(),
                    &BTreeSet::new(),
                );
                let setup = Setup {
                    answers: outcome.answers,
                    typed: outcome.typed,
                    errors: outcome.errors.clone(),
                    ..Setup::default()
                };
                for lang in Lang::ALL {
                    let (_, _, html) = render(&setup.context(&definition, page, lang));
                    assert_unique_ids(&html);
                    let links = summary_links(&html);
                    let all = ids(&html);
                    for link in links {
                        assert!(
                            all.contains(&link),
                            "{name} page {page}: no element #{link}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn what_was_typed_is_shown_again_after_an_error() {
        let fill = with(&[
            ("kana", "abc"),
            ("account.bank_code", "12"),
            ("kids.0.kid_born.month", "13"),
        ]);
        let (views, _, html, errors) = posted(&pairs(&fill), Lang::Ja);
        assert_eq!(errors.len(), 3, "{errors:?}");
        for shown in [
            "value=\"abc\"",
            "value=\"12\"",
            "value=\"13\"",
            "value=\"山田 太郎\"",
            "value=\"1990\"",
            "value=\"二人\"",
        ] {
            assert!(html.contains(shown), "{shown} is not shown again");
        }
        assert!(
            html.contains("value=\"m\" checked"),
            "the size stays chosen"
        );
        assert!(
            html.contains("value=\"other\" checked"),
            "the account stays chosen"
        );
        let born = views
            .iter()
            .find(|v| v.name == "born")
            .expect("born is drawn");
        assert_eq!(born.date, ("1990".into(), "4".into(), "1".into()));
        assert_eq!(born.hint, "和暦：平成2年");
        let kana = views
            .iter()
            .find(|v| v.name == "kana")
            .expect("kana is drawn");
        assert_eq!(kana.error.as_deref(), Some("f-kana"));
    }

    #[test]
    fn a_locked_prefilled_field_is_text_with_its_source() {
        let definition = preset("child_allowance");
        let source = "住民基本台帳（千代田区）の情報（2026年11月1日時点）";
        let mut setup = Setup {
            answers: Answers(BTreeMap::from([
                ("name".into(), text("山田 太郎")),
                ("name_kana".into(), text("ヤマダ タロウ")),
                ("birth_date".into(), text("1990-04-01")),
                ("address".into(), text("東京都千代田区1-1")),
            ])),
            locked: ["name", "name_kana", "birth_date"].map(String::from).into(),
            sources: ["name", "name_kana", "birth_date", "address"]
                .map(|id| (id.to_owned(), source.to_owned()))
                .into(),
            ..Setup::default()
        }
        .shown_again(&definition, 0);
        let (views, _, html) = render(&setup.context(&definition, 0, Lang::Ja));
        assert!(
            html.contains("<p class=\"prefilled__value\">山田 太郎</p>"),
            "{html}"
        );
        assert!(html.contains("<p class=\"prefilled__value\">1990年4月1日</p>"));
        assert!(
            !html.contains("name=\"name\""),
            "a locked field is no input"
        );
        assert!(!html.contains("name=\"birth_date.year\""));
        assert_eq!(
            html.matches(source).count(),
            4,
            "each field shows its source"
        );
        assert!(html.contains("name=\"address\" type=\"text\" value=\"東京都千代田区1-1\""));
        let name = views.iter().find(|v| v.name == "name").expect("name");
        assert!(name.locked && name.source == source);

        // Locked but with nothing prefilled, the field is asked for.
        setup.answers.0.remove("name");
        let (views, _, html) = render(&setup.context(&definition, 0, Lang::Ja));
        assert!(html.contains("name=\"name\""));
        let name = views.iter().find(|v| v.name == "name").expect("name");
        assert!(!name.locked);
        assert_eq!(name.autocomplete, "name");
    }

    #[test]
    fn conditions_on_earlier_pages_hide_conditions_on_this_page_explain() {
        let definition = sample();
        for (married, drawn) in [("no", false), ("yes", true)] {
            let setup = Setup {
                answers: Answers(BTreeMap::from([("married".into(), text(married))])),
                ..Setup::default()
            };
            let (views, _, html) = render(&setup.context(&definition, 1, Lang::Ja));
            assert_eq!(
                html.contains("name=\"spouse\""),
                drawn,
                "married = {married}"
            );
            assert_eq!(views.iter().any(|v| v.name == "spouse"), drawn);
            // has_kids is on this page: its dependant is always drawn, saying when to answer it.
            let note = views
                .iter()
                .find(|v| v.name == "kids_note")
                .expect("kids_note is drawn");
            assert_eq!(
                note.hint,
                "「お子さんはいますか」で「はい」を選んだ場合に入力してください"
            );
            assert!(html.contains("id=\"f-kids_note-hint\""));
            assert_eq!(note.label, "お子さんについて（任意）");
        }
        let setup = Setup::default();
        let (views, _, _) = render(&setup.context(&definition, 1, Lang::En));
        let note = views.iter().find(|v| v.name == "kids_note").expect("drawn");
        assert_eq!(
            note.hint,
            "Answer if you chose “Yes” for “Do you have children?”"
        );
        assert_eq!(note.label, "About your children (optional)");
        let account = views.iter().find(|v| v.name == "account").expect("drawn");
        assert!(account.hint.contains("no registered public funds account"));
        let options = &account
            .account
            .as_ref()
            .expect("the account view")
            .use_options;
        assert_eq!(options.len(), 1, "only another account can be given");
        assert!(options[0].3, "and it is chosen already");
    }

    #[test]
    fn groups_show_the_entries_asked_for_up_to_their_limit() {
        let definition = sample();
        let frames = |views: &[FieldView], frame: &str| -> Vec<FieldView> {
            views.iter().filter(|v| v.frame == frame).cloned().collect()
        };
        let setup = Setup::default();
        let (views, _, html) = render(&setup.context(&definition, 1, Lang::Ja));
        assert_eq!(frames(&views, "entry_start").len(), 1);
        let end = &frames(&views, "group_end")[0];
        assert_eq!(end.button_value, "add:kids");
        assert!(html.contains("value=\"add:kids\""));
        assert!(html.contains("子を追加"));
        assert_eq!(
            frames(&views, "entry_end")[0].button_value,
            "remove:kids:0",
            "an optional group"
        );
        // Enter in a box presses the form's first button: a hidden "continue", not "remove".
        let form = html.find("<form method=").expect("the form");
        let first_button = tags(&html[form..], "button")
            .into_iter()
            .next()
            .expect("a button");
        assert!(first_button.contains("tabindex=\"-1\""), "{first_button}");
        assert_eq!(attr(first_button, "name"), None);

        // "Add another" asks for one more: an empty second entry, and no add button at the limit.
        let typed = BTreeMap::from([("kids.0.kid_name".to_owned(), "山田 一郎".to_owned())]);
        let setup = Setup {
            typed,
            wanted: BTreeMap::from([("kids".to_owned(), 2)]),
            ..Setup::default()
        };
        let (views, _, html) = render(&setup.context(&definition, 1, Lang::Ja));
        let starts = frames(&views, "entry_start");
        assert_eq!(
            starts.iter().map(|v| v.label.as_str()).collect::<Vec<_>>(),
            ["子 1", "子 2"]
        );
        assert!(html.contains("name=\"kids.0.kid_name\" type=\"text\" value=\"山田 一郎\""));
        assert!(html.contains("name=\"kids.1.kid_name\" type=\"text\" value=\"\""));
        assert!(html.contains("name=\"kids.1.kid_born.day\""));
        assert_eq!(frames(&views, "group_end")[0].button_value, "");
        assert!(!html.contains("value=\"add:kids\""));
        assert!(html.contains("value=\"remove:kids:1\""));

        // Asking for more than the limit shows the limit.
        let setup = Setup {
            wanted: BTreeMap::from([("kids".to_owned(), 5)]),
            ..Setup::default()
        };
        let (views, _, _) = render(&setup.context(&definition, 1, Lang::Ja));
        assert_eq!(frames(&views, "entry_start").len(), 2);

        // A required group's only entry cannot be removed; a second typed entry is shown and can.
        let definition = preset("child_allowance");
        let setup = Setup::default();
        let (views, _, _) = render(&setup.context(&definition, 1, Lang::Ja));
        assert_eq!(frames(&views, "entry_end")[0].button_value, "");
        let setup = Setup {
            typed: BTreeMap::from([("children.1.child_name".to_owned(), "山田 二郎".to_owned())]),
            ..Setup::default()
        };
        let (views, _, _) = render(&setup.context(&definition, 1, Lang::Ja));
        let ends = frames(&views, "entry_end");
        assert_eq!(ends.len(), 2);
        assert_eq!(ends[1].button_value, "remove:children:1");
    }

    #[test]
    fn answer_sections_have_rows_and_change_links_for_what_can_change() {
        let definition = preset("child_allowance");
        let answers = Answers(BTreeMap::from([
            ("name".into(), text("山田 太郎")),
            ("name_kana".into(), text("ヤマダ タロウ")),
            ("birth_date".into(), text("1990-04-01")),
            ("address".into(), text("東京都千代田区1-1")),
            (
                "children".into(),
                Value::Group {
                    entries: vec![Entry::from([
                        ("child_name".into(), text("山田 一郎")),
                        ("child_birth_date".into(), text("2020-05-05")),
                        ("lives_together".into(), text("yes")),
                    ])],
                },
            ),
            (
                "account".into(),
                Value::Account(AccountValue {
                    registered: true,
                    ..AccountValue::default()
                }),
            ),
            ("declaration".into(), text("agreed")),
        ]));
        let locked: BTreeSet<String> = ["name", "name_kana", "birth_date"].map(String::from).into();
        let href = |page: usize| format!("/apply/child_allowance/{page}");
        let sections = answer_sections(&definition, &answers, &locked, Lang::Ja, &href, "files/");
        assert_eq!(
            sections
                .iter()
                .map(|s| s.title.as_str())
                .collect::<Vec<_>>(),
            ["請求者", "養育している児童", "振込先と添付書類"]
        );
        let rows: Vec<(&str, &str, &str)> = sections
            .iter()
            .flat_map(|s| &s.rows)
            .map(|r| (r.key.as_str(), r.value.as_str(), r.change_href.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                ("氏名", "山田 太郎", ""),
                ("氏名（フリガナ）", "ヤマダ タロウ", ""),
                ("生年月日", "1990年4月1日", ""),
                ("住所", "東京都千代田区1-1", "/apply/child_allowance/0"),
                (
                    "児童",
                    "児童 1: 児童の氏名: 山田 一郎、児童の生年月日: 2020年5月5日、同居していますか: はい",
                    "/apply/child_allowance/1"
                ),
                (
                    "振込先口座",
                    "登録済みの公金受取口座",
                    "/apply/child_allowance/2"
                ),
                (
                    "健康保険の資格情報が分かる書類",
                    "（未入力）",
                    "/apply/child_allowance/2"
                ),
                (
                    "記載した内容に誤りはありません",
                    "同意します",
                    "/apply/child_allowance/2"
                ),
            ]
        );

        // The receipt: no links; in English.
        let sections = answer_sections(
            &definition,
            &answers,
            &locked,
            Lang::En,
            &|_| String::new(),
            "",
        );
        assert!(
            sections
                .iter()
                .flat_map(|s| &s.rows)
                .all(|r| r.change_href.is_empty())
        );
        let file = sections[2]
            .rows
            .iter()
            .find(|r| r.key.starts_with("Proof"))
            .expect("a row");
        assert_eq!(file.value, "(not given)");

        // A hidden field has no row.
        let sample = sample();
        let answers = Answers(BTreeMap::from([
            ("married".into(), text("no")),
            ("spouse".into(), text("山田 花子")),
        ]));
        let sections = answer_sections(&sample, &answers, &BTreeSet::new(), Lang::Ja, &href, "");
        assert!(
            !sections
                .iter()
                .flat_map(|s| &s.rows)
                .any(|r| r.key == "配偶者の氏名")
        );
    }

    #[test]
    fn an_attached_file_links_to_its_download_saying_what_it_is() {
        let definition = preset("child_allowance");
        let card = FileRef {
            key: "k3y".into(),
            name: "保険証.png".into(),
            kind: "png".into(),
            bytes: 1500,
        };
        let answers = Answers(BTreeMap::from([(
            "insurance_card".into(),
            Value::File(card),
        )]));
        let row = |lang: Lang, files_href: &str| {
            answer_sections(
                &definition,
                &answers,
                &BTreeSet::new(),
                lang,
                &|_| String::new(),
                files_href,
            )
            .into_iter()
            .flat_map(|s| s.rows)
            .find(|r| r.key == "健康保険の資格情報が分かる書類" || r.key.starts_with("Proof"))
            .expect("the file's row")
        };
        let ja = row(Lang::Ja, "files/");
        assert_eq!(ja.value, "保険証.png（2 KB）");
        assert_eq!(ja.download_href, "files/insurance_card");
        assert_eq!(ja.download_text, "保険証.png をダウンロード（PNG、2 KB）");
        let en = row(Lang::En, "/applications/x/files/");
        assert_eq!(en.download_href, "/applications/x/files/insurance_card");
        assert_eq!(en.download_text, "Download 保険証.png (PNG, 2 KB)");
        let none = row(Lang::Ja, "");
        assert_eq!(none.download_href, "");
        assert_eq!(none.download_text, "");

        // The question page shows the stored file with its link, and says that choosing none keeps it.
        let setup = Setup {
            answers: answers.clone(),
            ..Setup::default()
        };
        let (views, _, html) = render(&setup.context(&definition, 2, Lang::Ja));
        let file = views
            .iter()
            .find(|v| v.name == "insurance_card")
            .expect("the file input");
        assert_eq!(file.file.as_deref(), Some("保険証.png（2 KB）"));
        assert_eq!(file.file_href, "files/insurance_card");
        assert!(
            file.hint.contains("ファイルを選ばずに進んで"),
            "{}",
            file.hint
        );
        assert!(
            html.contains(
                "<a class=\"link\" href=\"files/insurance_card\">保険証.png をダウンロード（PNG、2 KB）</a>"
            ),
            "{html}"
        );
        assert!(html.contains("enctype=\"multipart/form-data\""));
    }
}

//! Files attached to applications: a page's uploads checked by their content and stored, the answers
//! naming them, and the stored files no answer names any more deleted.
//!
//! An answer holds a [`FileRef`] (the store's key, the original name, the type found in the content and
//! the size); the bytes are in [`crate::files::Files`]. A file field is always a field of a page, never of
//! a group (the definition check refuses that), so a file is addressed by its application and field id.

use std::collections::{BTreeMap, BTreeSet};

use portal_forms::answers::{self, Answers, FieldError, FileRef, Value};
use portal_forms::{Definition, Field, Kind};

use crate::error::AppError;
use crate::forms::upload::Upload;
use crate::state::AppState;

/// The file inputs of a page, each with the largest file it takes (what [`crate::forms::upload::read`]
/// keeps of it). Locked fields have no input.
pub fn file_limits(
    definition: &Definition,
    page: usize,
    locked: &BTreeSet<String>,
) -> BTreeMap<String, usize> {
    file_fields(definition, page, locked)
        .map(|field| {
            let limit = usize::try_from(answers::file_limit(field)).unwrap_or(usize::MAX);
            (field.id.clone(), limit)
        })
        .collect()
}

fn file_fields<'d>(
    definition: &'d Definition,
    page: usize,
    locked: &'d BTreeSet<String>,
) -> impl Iterator<Item = &'d Field> {
    definition
        .pages
        .get(page)
        .map_or(&[][..], |p| p.fields.as_slice())
        .iter()
        .filter(|f| f.kind() == Some(Kind::File) && !locked.contains(&f.id))
}

/// What a page's uploads came to.
#[derive(Debug, Default)]
pub struct Received {
    /// The answers to read the page against: the previous ones with each good upload in its field (the
    /// page's reader keeps a field's stored file when nothing else is posted for it).
    pub answers: Answers,
    /// One error for each upload refused, linked to its input.
    pub errors: Vec<FieldError>,
    /// The keys stored now: to delete again if the answers naming them are not saved.
    pub stored: Vec<String>,
}

/// An upload's type, size and emptiness checked against its field; the field's message when it fails. A
/// file cut off before its end is too large, whatever the part that was read looks like.
fn check(field: &Field, upload: &Upload) -> Result<&'static str, portal_forms::Localized> {
    match answers::check_file(field, &upload.bytes) {
        Err(message) if !(upload.cut && upload.bytes.is_empty()) => Err(message),
        _ if upload.cut => Err(answers::file_too_large(field)),
        checked => checked,
    }
}

/// Checks each file chosen on the page and stores the good ones. A file input left empty keeps the stored
/// file. When the post was cut short nothing is stored: the page is shown again, not saved.
pub async fn receive(
    state: &AppState,
    definition: &Definition,
    page: usize,
    previous: &Answers,
    locked: &BTreeSet<String>,
    uploads: Vec<Upload>,
    cut_short: bool,
) -> Result<Received, AppError> {
    let mut received = Received {
        answers: previous.clone(),
        ..Received::default()
    };
    for field in file_fields(definition, page, locked) {
        // A single input posted twice can only be a forgery: the first wins, as for text inputs.
        let Some(upload) = uploads
            .iter()
            .find(|u| u.input == field.id && u.is_chosen())
        else {
            continue;
        };
        let kind = match check(field, upload) {
            Ok(kind) => kind,
            Err(message) => {
                received.errors.push(FieldError {
                    field: field.id.clone(),
                    input: answers::input_id(&field.id),
                    message,
                });
                continue;
            }
        };
        if cut_short {
            continue;
        }
        let key = state.files.put(upload.bytes.clone()).await?;
        received.stored.push(key.clone());
        let name = if upload.file_name.is_empty() {
            format!("{}.{kind}", field.id)
        } else {
            upload.file_name.clone()
        };
        received.answers.0.insert(
            field.id.clone(),
            Value::File(FileRef {
                key,
                name,
                kind: kind.to_owned(),
                bytes: u64::try_from(upload.bytes.len()).unwrap_or(u64::MAX),
            }),
        );
    }
    Ok(received)
}

/// Every stored file the answers name.
pub fn keys(answers: &Answers) -> BTreeSet<String> {
    fn collect(value: &Value, out: &mut BTreeSet<String>) {
        match value {
            Value::File(file) => {
                out.insert(file.key.clone());
            }
            Value::Group { entries } => entries
                .iter()
                .flat_map(|entry| entry.values())
                .for_each(|v| collect(v, out)),
            Value::Text { .. } | Value::Many { .. } | Value::Account(_) => {}
        }
    }
    let mut out = BTreeSet::new();
    answers.0.values().for_each(|v| collect(v, &mut out));
    out
}

/// Deletes the files that were named (by `before`, or stored now) and that `after`, the answers saved,
/// no longer names: a file replaced, or in a field that is no longer shown.
pub async fn forget_unnamed(
    state: &AppState,
    before: &Answers,
    stored: impl IntoIterator<Item = String>,
    after: &Answers,
) {
    let kept = keys(after);
    let gone: BTreeSet<String> = keys(before)
        .into_iter()
        .chain(stored)
        .filter(|key| !kept.contains(key))
        .collect();
    state.files.forget(gone).await;
}

/// A stored file's media type, by the type its content was found to be.
pub fn content_type(kind: &str) -> &'static str {
    match kind {
        "pdf" => "application/pdf",
        "jpeg" => "image/jpeg",
        "png" => "image/png",
        // Stored kinds come from `check_file`; anything else is served as bytes, never rendered.
        _ => "application/octet-stream",
    }
}

/// The file in an answer, and its bytes: `None` when the field holds no file or the store has lost it.
pub async fn read(
    state: &AppState,
    answers: &Answers,
    field: &str,
) -> Result<Option<(FileRef, Vec<u8>)>, AppError> {
    let Some(Value::File(file)) = answers.0.get(field) else {
        return Ok(None);
    };
    Ok(state
        .files
        .get(&file.key)
        .await?
        .map(|bytes| (file.clone(), bytes)))
}

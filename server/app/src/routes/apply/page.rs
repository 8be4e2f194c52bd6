use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_forms::answers::{self, Answers, FieldError, Value};
use portal_web::Shell;
use portal_web::form_view::{PageContext, page_fields};
use portal_web::pages::apply::ApplyPage;

use super::{
    application_id, check_href, fill_registered, form_title, page_href, registered_account,
    source_texts,
};
use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::{csrf, upload};
use crate::render::{self, see_other};
use crate::services::applications::{self, Opened};
use crate::services::attachments;
use crate::state::AppState;

/// What to draw a question page with, besides the application.
struct Drawn<'a> {
    index: usize,
    answers: &'a Answers,
    typed: &'a BTreeMap<String, String>,
    errors: &'a [FieldError],
    entries_wanted: &'a BTreeMap<String, usize>,
    /// Came from check your answers (a change link): the page posts back there.
    from_check: bool,
}

/// Whether the page was opened from check your answers, which it then returns to.
fn from_check(req: &HttpRequest) -> bool {
    req.query_string()
        .split('&')
        .any(|pair| pair == "return=check")
}

async fn draw(
    state: &AppState,
    shell: Shell,
    opened: &Opened,
    drawn: Drawn<'_>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let lang = shell.lang;
    let definition = &opened.definition;
    let page = definition
        .pages
        .get(drawn.index)
        .ok_or(AppError::NotFound)?;
    let registered = registered_account(state, opened.application.citizen_id)
        .await?
        .map(|value| answers::display_account(&value, lang == portal_web::Lang::Ja));
    let sources = source_texts(&opened.sources, lang);
    let locked = opened.locked();
    let (fields, errors, messages) = page_fields(&PageContext {
        definition,
        page: drawn.index,
        answers: drawn.answers,
        typed: drawn.typed,
        errors: drawn.errors,
        sources: &sources,
        locked: &locked,
        registered_account: registered.as_deref(),
        entries_wanted: drawn.entries_wanted,
        // The page is `/applications/<id>/pages/<page>`; attachments are `/applications/<id>/files/<field>`.
        files_href: "../files/",
        lang,
    });
    let id = opened.application.id;
    let total = definition.pages.len();
    let back_href = match drawn
        .index
        .checked_sub(1)
        .and_then(|i| definition.pages.get(i))
    {
        // Relative: the previous page is a sibling of this one.
        Some(previous) => previous.id.clone(),
        None => format!("/apply/{}", opened.form.form_key),
    };
    render::page(
        status,
        &ApplyPage {
            form_title: form_title(opened, lang),
            page_title: if lang == portal_web::Lang::Ja {
                page.title.ja.clone()
            } else {
                page.title.en.clone()
            },
            progress: lang.tf(
                "apply.progress",
                &[
                    ("page", &(drawn.index + 1).to_string()),
                    ("total", &total.to_string()),
                ],
            ),
            back_href,
            action: if drawn.from_check {
                format!("{}?return=check", page_href(id, &page.id))
            } else {
                page_href(id, &page.id)
            },
            has_prefilled: fields.iter().any(|f| !f.source.is_empty()),
            has_file: fields.iter().any(|f| f.kind == "file" && !f.locked),
            fields,
            errors,
            messages,
            shell,
        },
    )
}

async fn opened_page(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
    page_id: &str,
) -> Result<Result<(Opened, usize), HttpResponse>, AppError> {
    let id = application_id(id)?;
    let opened = applications::open(state, signed_in.citizen, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !opened.editable() {
        return Ok(Err(see_other(&format!("/applications/{id}"))));
    }
    let index = opened.page_index(page_id).ok_or(AppError::NotFound)?;
    Ok(Ok((opened, index)))
}

/// A question page with the saved answers.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, page_id) = path.into_inner();
    let (opened, index) = match opened_page(&state, &signed_in, &id, &page_id).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let typed = answers::typed_from_answers(&opened.definition, index, &opened.answers);
    let drawn = Drawn {
        index,
        answers: &opened.answers,
        typed: &typed,
        errors: &[],
        entries_wanted: &BTreeMap::new(),
        from_check: from_check(&req),
    };
    draw(&state, shell, &opened, drawn, StatusCode::OK).await
}

/// What the page's buttons ask for, besides "save and continue".
enum Action {
    Continue,
    /// Another entry of a group.
    Add(String),
    /// Remove a group's entry (from 0).
    Remove(String, usize),
}

fn action(input: &[(String, String)]) -> Action {
    let Some((_, value)) = input.iter().find(|(name, _)| name == "action") else {
        return Action::Continue;
    };
    let mut parts = value.split(':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("add"), Some(group), None) => Action::Add(group.to_owned()),
        (Some("remove"), Some(group), Some(index)) => match index.parse() {
            Ok(index) => Action::Remove(group.to_owned(), index),
            Err(_) => Action::Continue,
        },
        _ => Action::Continue,
    }
}

/// How many entries of `group` the page shows now: those typed, at least one.
fn entries_shown(typed: &BTreeMap<String, String>, group: &str) -> usize {
    let prefix = format!("{group}.");
    typed
        .keys()
        .filter_map(|name| {
            name.strip_prefix(&prefix)?
                .split('.')
                .next()?
                .parse::<usize>()
                .ok()
        })
        .max()
        .map_or(1, |last| last + 1)
}

/// Saves what is valid on the page (a draft keeps everything good at every page), then: with errors, the
/// page again with what was typed and an error summary; for "add another", the page with one more entry;
/// otherwise the next page (or check your answers, when the change came from there).
///
/// A page with a file input posts `multipart/form-data`: each file chosen is checked by its content and
/// stored, replacing the field's file; one refused gets its message, and the rest of the page is saved as
/// always. A post that passes its cap (see [`crate::forms::upload`]) is not saved: the page comes back with
/// the size message and what was read.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String)>,
    query: web::Query<BTreeMap<String, String>>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let (id, page_id) = path.into_inner();
    let (opened, index) = match opened_page(&state, &signed_in, &id, &page_id).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let locked: BTreeSet<String> = opened.locked();
    let limits = attachments::file_limits(&opened.definition, index, &locked);
    let posted = upload::read(&req, payload, &limits, crate::FORM_LIMIT_BYTES).await?;
    // Before anything is stored: a forged post stores nothing.
    csrf::verify(&req, posted.value("csrf_token"))?;
    let input = posted.pairs;
    let received = attachments::receive(
        &state,
        &opened.definition,
        index,
        &opened.answers,
        &locked,
        posted.uploads,
        posted.cut_short,
    )
    .await?;
    let mut outcome = answers::read_page(
        &opened.definition,
        index,
        &input,
        &received.answers,
        &locked,
    );
    // A refused upload's own message replaces what the reader said of the field (that it is missing).
    let refused = received.errors;
    outcome
        .errors
        .retain(|e| !refused.iter().any(|r| r.field == e.field));
    outcome.errors.extend(refused.iter().cloned());
    if posted.cut_short {
        let shell = render::citizen_shell(&req, &state, &signed_in).await?;
        // Inputs after the cut were never read: the saved answers stand, shown with what was read.
        let mut typed = answers::typed_from_answers(&opened.definition, index, &opened.answers);
        typed.extend(outcome.typed);
        let drawn = Drawn {
            index,
            answers: &opened.answers,
            typed: &typed,
            errors: &refused,
            entries_wanted: &BTreeMap::new(),
            from_check: from_check(&req),
        };
        return draw(
            &state,
            shell,
            &opened,
            drawn,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let registered = registered_account(&state, signed_in.citizen).await?;
    fill_registered(
        &opened.definition,
        &mut outcome.answers,
        registered.as_ref(),
    );
    let mut answers = outcome.answers.clone();
    let action = action(&input);
    let mut typed = outcome.typed.clone();
    let mut wanted = BTreeMap::new();
    match &action {
        Action::Add(group) => {
            wanted.insert(group.clone(), entries_shown(&typed, group) + 1);
        }
        Action::Remove(group, at) => {
            if let Some(Value::Group { entries }) = answers.0.get_mut(group)
                && *at < entries.len()
            {
                entries.remove(*at);
            }
            // The page is drawn again from the saved entries, so the removed one goes and the rest move up.
            typed = answers::typed_from_answers(&opened.definition, index, &answers);
        }
        Action::Continue => {}
    }
    if let Err(e) =
        applications::save(&state, &opened, &answers, signed_in.acting_proxy().as_ref()).await
    {
        state.files.forget(received.stored).await;
        return Err(e);
    }
    attachments::forget_unnamed(&state, &opened.answers, received.stored, &answers).await;
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let errors = match action {
        Action::Continue if outcome.errors.is_empty() => {
            let id = opened.application.id;
            let next = if query.get("return").is_some_and(|r| r == "check") {
                check_href(id)
            } else {
                match opened.definition.pages.get(index + 1) {
                    Some(next) => page_href(id, &next.id),
                    None => check_href(id),
                }
            };
            return Ok(see_other(&next));
        }
        Action::Continue => outcome.errors,
        // Adding or removing an entry is not an answer yet: no errors shown for it, but a refused file
        // is said at once, as it is gone.
        Action::Add(_) | Action::Remove(..) => refused,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let drawn = Drawn {
        index,
        answers: &answers,
        typed: &typed,
        errors: &errors,
        entries_wanted: &wanted,
        from_check: from_check(&req),
    };
    draw(&state, shell, &opened, drawn, status).await
}

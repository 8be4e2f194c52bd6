use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::models::proxy::ACT;
use portal_web::pages::notices::{NoticePage, NoticeWithdrawnPage};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::services::inbox::{self, Opened, Reader};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    /// Set by the archive buttons' redirect: what was just done, for the confirmation.
    done: Option<String>,
}

/// One notice; opening it marks it read, so the header's count is taken again after that. A notice that is not
/// the citizen's (or does not exist, or has expired) is 404; one its agency withdrew is 410, saying who
/// withdrew it and when.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    mut signed_in: SignedIn,
    path: web::Path<String>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let id = super::notice_id(&path)?;
    let reader = match &signed_in.acting {
        None => Reader::Citizen,
        Some(acting) if acting.scope == ACT => Reader::Proxy(signed_in.actor),
        Some(_) => Reader::Viewer,
    };
    let opened = inbox::open(&state, signed_in.citizen, id, reader).await?;
    state
        .sessions()
        .forget_unread(&signed_in.token, &mut signed_in.session)
        .await?;
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let lang = shell.lang;
    match opened {
        Opened::Withdrawn(item, at) => render::page(
            StatusCode::GONE,
            &NoticeWithdrawnPage {
                title: item.notice.title.clone(),
                lang: inbox::notice_lang(&item.notice.lang).to_owned(),
                agency: inbox::agency_name(&item, lang),
                withdrawn_on: inbox::japan_date(at),
                shell,
            },
        ),
        Opened::Shown(item) => {
            let archived = item.archived_at.is_some();
            // The confirmation shows only while it is still true (a reload after moving it back says nothing).
            let done = match query.done.as_deref() {
                Some("archived") if archived => Some("archived"),
                Some("unarchived") if !archived => Some("unarchived"),
                _ => None,
            };
            let notice = &item.notice;
            render::page(
                StatusCode::OK,
                &NoticePage {
                    id: notice.id.to_string(),
                    title: notice.title.clone(),
                    lang: inbox::notice_lang(&notice.lang).to_owned(),
                    body: notice.body.clone(),
                    agency: inbox::agency_name(&item, lang),
                    posted_on: inbox::japan_date(notice.posted_at),
                    corrected_on: notice.corrected_at.map(inbox::japan_date),
                    category: notice.category.clone(),
                    important: inbox::is_important(&notice.importance),
                    deadline: notice.deadline.clone(),
                    action: inbox::action_link(
                        notice.action_url.as_deref(),
                        notice.action_label.as_deref(),
                    ),
                    archived,
                    done,
                    shell,
                },
            )
        }
    }
}

use askama::Template;
use portal_storage::ids::FeedbackId;
use portal_storage::models::feedback::Feedback;
use portal_storage::now_millis;
use portal_web::Lang;
use portal_web::pages::FeedbackForm;
use portal_web::pages::email::{FeedbackHtml, FeedbackSubject, FeedbackText};

use crate::error::AppError;
use crate::forms::feedback::ValidFeedback;
use crate::mail::Mail;
use crate::state::AppState;

/// Stores the feedback and alerts the operator's mailbox. Returns the reference shown to the sender.
///
/// The row is written before the mail is sent: if mail fails, the message is still kept and the sender is
/// not asked to type it again.
pub async fn submit(
    state: &AppState,
    lang: Lang,
    feedback: ValidFeedback,
) -> Result<String, AppError> {
    let today = time::OffsetDateTime::now_utc().date();
    let reference = crate::random::reference("FB", today);
    let row = Feedback {
        id: FeedbackId::new(),
        reference: reference.clone(),
        topic: feedback.topic.clone(),
        area: feedback.area.clone(),
        message: feedback.message.clone(),
        happened_on: feedback.happened_on.map(|d| d.to_string()),
        reply_email: feedback.reply_email.clone(),
        name: feedback.name.clone(),
        lang: lang.code().to_owned(),
        created_at: now_millis(),
    };
    state
        .db
        .run(move |conn| Feedback::insert(conn, &row))
        .await?;

    // The mail shows what was received, as the sender typed it.
    let form = FeedbackForm {
        topic: feedback.topic,
        area: feedback.area.unwrap_or_default(),
        message: feedback.message,
        happened_day: feedback
            .happened_on
            .map(|d| d.day().to_string())
            .unwrap_or_default(),
        happened_month: feedback
            .happened_on
            .map(|d| u8::from(d.month()).to_string())
            .unwrap_or_default(),
        happened_year: feedback
            .happened_on
            .map(|d| d.year().to_string())
            .unwrap_or_default(),
        reply: if feedback.reply_email.is_some() {
            "yes".to_owned()
        } else {
            String::new()
        },
        email: feedback.reply_email.unwrap_or_default(),
        name: feedback.name.unwrap_or_default(),
    };
    let mail = Mail {
        to: state.feedback_to.clone(),
        subject: FeedbackSubject {
            reference: &reference,
        }
        .render()?,
        text: FeedbackText {
            reference: &reference,
            form: &form,
            lang: lang.code(),
        }
        .render()?,
        html: FeedbackHtml {
            reference: &reference,
            form: &form,
            lang: lang.code(),
        }
        .render()?,
    };
    if let Err(e) = state.mailer.send(&state.mail_from, mail).await {
        tracing::error!(error = %e, %reference, "feedback stored but the alert mail failed");
    }
    Ok(reference)
}

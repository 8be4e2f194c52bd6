use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::application_id;
use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::services::{applications, attachments};
use crate::state::AppState;

/// A file attached to one of the citizen's own applications, `/applications/<id>/files/<field>`, as it
/// was uploaded, at any status. Anyone else's application, a field without a file, or a file the store
/// no longer has: 404.
pub async fn download(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, field) = path.into_inner();
    let opened = applications::open(&state, signed_in.citizen, application_id(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let (file, bytes) = attachments::read(&state, &opened.answers, &field)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, attachments::content_type(&file.kind)))
        .insert_header((header::CONTENT_DISPOSITION, disposition(&file.name)))
        // The type was found in the content; the browser must not guess another.
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

/// `attachment` with the original name (RFC 6266): `filename*` in UTF-8 (RFC 5987) for the Japanese
/// names people give their files, and `filename` with only plain ASCII for old clients.
fn disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| match c {
            ' ' => ' ',
            '"' | '\\' | '%' => '_',
            c if c.is_ascii_graphic() => c,
            _ => '_',
        })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        // RFC 5987 attr-char; every other byte percent-encoded.
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn names_are_given_in_utf_8_and_as_safe_ascii() {
        assert_eq!(
            disposition("保険証.png"),
            "attachment; filename=\"___.png\"; filename*=UTF-8''%E4%BF%9D%E9%99%BA%E8%A8%BC.png"
        );
        assert_eq!(
            disposition("my \"card\" 100%.pdf"),
            "attachment; filename=\"my _card_ 100_.pdf\"; filename*=UTF-8''my%20%22card%22%20100%25.pdf"
        );
    }
}

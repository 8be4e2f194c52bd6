//! A posted form that may carry files: `multipart/form-data` (a page with a file input) read as a stream
//! under hard limits, or `application/x-www-form-urlencoded` (every other page).
//!
//! Memory stays bounded whatever is sent: of each file the reader keeps its input's limit and one byte more
//! (enough for the check to say "too large"), and it stops reading altogether once the whole post passes
//! its cap: the page's file limits together, and [`ROOM_BESIDE_FILES`] for the text inputs, the parts'
//! headers and a file a little over its limit, which is read to its end so that the browser gets the
//! page with the size message rather than a broken connection.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

use actix_multipart::Multipart;
use actix_web::error::PayloadError;
use actix_web::{HttpMessage, HttpRequest, web};
use futures_util::StreamExt;

use crate::error::AppError;

/// See the module's doc.
pub const ROOM_BESIDE_FILES: usize = 1024 * 1024;

/// The most characters of an uploaded file's name that are kept.
pub const MAX_NAME_CHARS: usize = 100;

/// One file input's part.
#[derive(Debug, Default)]
pub struct Upload {
    /// The input's name.
    pub input: String,
    /// The file's name as the browser gave it, cleaned by [`clean_name`]; empty when no file was chosen.
    pub file_name: String,
    /// The file's first bytes: all of it, or its input's limit and one byte more.
    pub bytes: Vec<u8>,
    /// Not all of the file was kept: it is larger than its limit, or the post passed its cap in it.
    pub cut: bool,
}

impl Upload {
    /// A file input left empty posts a part with no name and no bytes.
    pub fn is_chosen(&self) -> bool {
        !(self.file_name.is_empty() && self.bytes.is_empty() && !self.cut)
    }
}

/// What a form posted.
#[derive(Debug, Default)]
pub struct Posted {
    /// The text inputs, in the order posted (a name repeats for checkboxes).
    pub pairs: Vec<(String, String)>,
    pub uploads: Vec<Upload>,
    /// The post passed its cap and was not read to its end: inputs after the cut are missing.
    pub cut_short: bool,
}

impl Posted {
    /// The first value posted for `name`, or "".
    pub fn value(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Reads the post. `file_limits`: the file inputs this form has, each with the largest file it takes; a
/// file posted under any other name is read past and dropped. The text of either encoding is limited to
/// `text_limit` bytes (413 beyond).
pub async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    file_limits: &BTreeMap<String, usize>,
    text_limit: usize,
) -> Result<Posted, AppError> {
    let content_type = req.content_type();
    if content_type.eq_ignore_ascii_case("multipart/form-data") {
        read_multipart(req, payload, file_limits, text_limit).await
    } else if content_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        let body = payload
            .to_bytes_limited(text_limit)
            .await
            .map_err(|_| AppError::TooLarge)?
            .map_err(|e| AppError::BadRequest(format!("the form could not be read: {e}")))?;
        Ok(Posted {
            pairs: url::form_urlencoded::parse(&body).into_owned().collect(),
            ..Posted::default()
        })
    } else {
        Err(AppError::BadRequest(format!(
            "a form is posted as multipart/form-data or application/x-www-form-urlencoded, not “{content_type}”"
        )))
    }
}

async fn read_multipart(
    req: &HttpRequest,
    payload: web::Payload,
    file_limits: &BTreeMap<String, usize>,
    text_limit: usize,
) -> Result<Posted, AppError> {
    let cap = file_limits
        .values()
        .fold(ROOM_BESIDE_FILES, |sum, limit| sum.saturating_add(*limit));
    // The stream gives the first `cap` bytes, then errs; the flag tells that end from a malformed post.
    let over = Rc::new(Cell::new(false));
    let flag = over.clone();
    let mut read = 0usize;
    let capped = payload.map(move |chunk| {
        if flag.get() {
            return Err(PayloadError::Overflow);
        }
        let mut chunk = chunk?;
        let room = cap.saturating_sub(read);
        if chunk.len() > room {
            flag.set(true);
            chunk.truncate(room);
        }
        read = read.saturating_add(chunk.len());
        Ok(chunk)
    });
    let malformed = |e: actix_multipart::MultipartError| {
        AppError::BadRequest(format!("the form could not be read: {e}"))
    };
    let mut multipart = Multipart::new(req.headers(), capped);
    let mut posted = Posted::default();
    let mut text_read = 0usize;
    while let Some(part) = multipart.next().await {
        let mut part = match part {
            Ok(part) => part,
            Err(_) if over.get() => {
                posted.cut_short = true;
                break;
            }
            Err(e) => return Err(malformed(e)),
        };
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(clean_name);
        match file_name {
            Some(file_name) => {
                let keep = file_limits.get(&name).map(|limit| limit.saturating_add(1));
                let mut upload = Upload {
                    input: name,
                    file_name,
                    ..Upload::default()
                };
                while let Some(chunk) = part.next().await {
                    let chunk = match chunk {
                        Ok(chunk) => chunk,
                        Err(_) if over.get() => {
                            upload.cut = true;
                            posted.cut_short = true;
                            break;
                        }
                        Err(e) => return Err(malformed(e)),
                    };
                    // Past what is kept, the rest is read and dropped.
                    let room = keep.unwrap_or(0).saturating_sub(upload.bytes.len());
                    if chunk.len() > room {
                        upload.cut = true;
                    }
                    upload
                        .bytes
                        .extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
                }
                if keep.is_some() {
                    posted.uploads.push(upload);
                }
            }
            None => {
                let mut value = Vec::new();
                while let Some(chunk) = part.next().await {
                    let chunk = match chunk {
                        Ok(chunk) => chunk,
                        Err(_) if over.get() => {
                            posted.cut_short = true;
                            break;
                        }
                        Err(e) => return Err(malformed(e)),
                    };
                    text_read = text_read.saturating_add(chunk.len());
                    if text_read > text_limit {
                        return Err(AppError::TooLarge);
                    }
                    value.extend_from_slice(&chunk);
                }
                if posted.cut_short {
                    break;
                }
                let value = String::from_utf8(value).map_err(|_| {
                    AppError::BadRequest(format!("the input {name} is not UTF-8 text"))
                })?;
                posted.pairs.push((name, value));
            }
        }
        if posted.cut_short {
            break;
        }
    }
    Ok(posted)
}

/// An uploaded file's name as it is kept and shown: without a path (some browsers send one), without
/// control and text-direction characters (which could make "gnp.exe" read as "exe.png"), trimmed, and at
/// most [`MAX_NAME_CHARS`] characters, keeping a short extension.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = base
        .chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    let name = kept.trim();
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    match name.rsplit_once('.') {
        Some((stem, extension)) if (1..=10).contains(&extension.chars().count()) => {
            let room = MAX_NAME_CHARS - extension.chars().count() - 1;
            let stem: String = stem.chars().take(room).collect();
            format!("{}.{extension}", stem.trim_end())
        }
        _ => name.chars().take(MAX_NAME_CHARS).collect(),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::FromRequest;
    use actix_web::http::header::CONTENT_TYPE;
    use actix_web::test::TestRequest;

    use super::*;

    /// One part of a multipart body with the boundary `XyZ`: a file part when `file` names one.
    fn part(name: &str, file: Option<&str>, bytes: &[u8]) -> Vec<u8> {
        let mut out =
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"").into_bytes();
        if let Some(file) = file {
            out.extend(format!("; filename=\"{file}\"\r\nContent-Type: image/png").bytes());
        }
        out.extend(b"\r\n\r\n");
        out.extend(bytes);
        out.extend(b"\r\n");
        out
    }

    async fn post(
        content_type: &str,
        body: Vec<u8>,
        limits: &[(&str, usize)],
    ) -> Result<Posted, AppError> {
        let (req, mut payload) = TestRequest::post()
            .insert_header((CONTENT_TYPE, content_type))
            .set_payload(body)
            .to_http_parts();
        let payload = web::Payload::from_request(&req, &mut payload)
            .await
            .expect("payload");
        let limits = limits.iter().map(|(n, l)| ((*n).to_owned(), *l)).collect();
        read(&req, payload, &limits, 1000).await
    }

    async fn multipart(parts: &[Vec<u8>], limits: &[(&str, usize)]) -> Result<Posted, AppError> {
        let mut body = parts.concat();
        body.extend(b"--XyZ--\r\n");
        post("multipart/form-data; boundary=XyZ", body, limits).await
    }

    #[actix_web::test]
    async fn files_are_kept_up_to_their_limit_and_the_inputs_after_them_are_read() {
        let posted = multipart(
            &[
                part("csrf_token", None, b"t0ken"),
                part("card", Some("保険証.png"), b"\x89PNG small"),
                part("big", Some("big.png"), &[7u8; 50]),
                part("stranger", Some("x.png"), b"not asked for"),
                part("declaration", None, "同意".as_bytes()),
            ],
            &[("card", 100), ("big", 10)],
        )
        .await
        .expect("read");
        assert!(!posted.cut_short);
        assert_eq!(posted.value("csrf_token"), "t0ken");
        assert_eq!(posted.value("declaration"), "同意");
        let [card, big] = posted.uploads.as_slice() else {
            panic!("two uploads: {:?}", posted.uploads);
        };
        assert_eq!(
            (card.input.as_str(), card.file_name.as_str()),
            ("card", "保険証.png")
        );
        assert_eq!(card.bytes, b"\x89PNG small");
        assert!(!card.cut);
        assert_eq!(big.bytes.len(), 11, "the limit and one byte more");
        assert!(big.cut);
    }

    #[actix_web::test]
    async fn a_post_past_its_cap_stops_being_read() {
        let huge = vec![0u8; ROOM_BESIDE_FILES + 64];
        let posted = multipart(
            &[
                part("before", None, b"kept"),
                part("card", Some("huge.png"), &huge),
                part("after", None, b"never read"),
            ],
            &[("card", 10)],
        )
        .await
        .expect("read");
        assert!(posted.cut_short);
        assert_eq!(posted.value("before"), "kept");
        assert_eq!(posted.value("after"), "");
        let [card] = posted.uploads.as_slice() else {
            panic!("one upload");
        };
        assert!(card.cut && card.bytes.len() == 11);
    }

    #[actix_web::test]
    async fn text_past_its_limit_and_strange_posts_are_refused() {
        let long = vec![b'a'; 1001];
        assert!(matches!(
            multipart(&[part("message", None, &long)], &[]).await,
            Err(AppError::TooLarge)
        ));
        assert!(matches!(
            post("application/x-www-form-urlencoded", long, &[]).await,
            Err(AppError::TooLarge)
        ));
        assert!(matches!(
            post("text/plain", b"a=b".to_vec(), &[]).await,
            Err(AppError::BadRequest(_))
        ));
        assert!(matches!(
            post(
                "multipart/form-data; boundary=XyZ",
                b"--XyZ\r\ngarbage".to_vec(),
                &[]
            )
            .await,
            Err(AppError::BadRequest(_))
        ));
        let form = post(
            "application/x-www-form-urlencoded",
            b"csrf_token=t&pets=cat&pets=dog&name=%E5%B1%B1%E7%94%B0".to_vec(),
            &[],
        )
        .await
        .expect("read");
        assert_eq!(
            form.pairs,
            [
                ("csrf_token", "t"),
                ("pets", "cat"),
                ("pets", "dog"),
                ("name", "山田")
            ]
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
        assert!(form.uploads.is_empty());
    }

    #[test]
    fn file_names_lose_their_path_and_tricks_and_stay_short() {
        assert_eq!(clean_name("保険証.png"), "保険証.png");
        assert_eq!(clean_name("C:\\Users\\hanako\\保険証.png"), "保険証.png");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("  card\u{0}.pdf "), "card.pdf");
        assert_eq!(clean_name("photo\u{202E}gnp.exe"), "photognp.exe");
        assert_eq!(clean_name("dir/"), "");
        let long = format!("{}.jpeg", "あ".repeat(300));
        let short = clean_name(&long);
        assert_eq!(short.chars().count(), MAX_NAME_CHARS);
        assert!(short.ends_with("あ.jpeg"), "{short}");
        let no_extension = "x".repeat(150);
        assert_eq!(clean_name(&no_extension).chars().count(), MAX_NAME_CHARS);
    }

    #[test]
    fn an_empty_file_input_is_no_choice() {
        assert!(!Upload::default().is_chosen());
        let empty_file = Upload {
            file_name: "empty.pdf".to_owned(),
            ..Upload::default()
        };
        assert!(
            empty_file.is_chosen(),
            "an empty file is checked, and refused"
        );
    }
}

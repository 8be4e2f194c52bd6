//! Attachments: the child allowance claim's proof of health insurance (`insurance_card`, PDF, JPEG or PNG
//! up to 5 MB) uploaded on its payment page, checked by content, kept when no file is chosen, replaced,
//! downloaded by its owner only, read by the agency, and deleted with its draft.

use std::path::{Path, PathBuf};

use base64::Engine;
use reqwest::StatusCode;
use serde_json::json;

use crate::apply::{PAYMENT, assert_linked, parent, payment_page, send};
use crate::common::TestApp;
use crate::own_data::{Answer, Citizen, between, post_files, post_multipart};

/// A 1×1 PNG: the signature, IHDR, IDAT and IEND chunks.
fn png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
        .expect("png")
}

/// The insurance card field's limit.
const FIVE_MB: usize = 5 * 1024 * 1024;

/// The payment page posted with the account, the declaration and `files`.
async fn pay(
    app: &TestApp,
    citizen: &Citizen,
    page: &str,
    files: &[(&str, &str, &[u8])],
) -> Answer {
    post_files(app, citizen, page, page, &PAYMENT, files).await
}

fn application_of(page: &str) -> &str {
    page.split("/pages/").next().expect("application")
}

/// Every file in the store.
fn stored(app: &TestApp) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.state.config.data_dir.join("files"), &mut out);
    out
}

#[actix_web::test]
async fn a_png_is_stored_shown_and_downloaded_by_its_owner_only() {
    let app = TestApp::start().await;
    let citizen = parent(&app).await;
    let page = payment_page(&app, &citizen).await;
    let html = citizen.html(&app, &page, StatusCode::OK).await;
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    assert!(
        html.contains("id=\"f-insurance_card\" name=\"insurance_card\" type=\"file\""),
        "{html}"
    );

    let sent = pay(
        &app,
        &citizen,
        &page,
        &[("insurance_card", "保険証.png", png().as_slice())],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let check = sent.location().to_owned();
    assert!(check.ends_with("/check"), "{check}");
    let files = stored(&app);
    assert_eq!(files.len(), 1, "{files:?}");
    let key = files[0].file_name().expect("name").to_string_lossy();
    assert!(
        !key.contains("保険証") && !key.contains("png"),
        "the key owes nothing to the name: {key}"
    );

    // Check your answers names the file and links to it, saying what the link downloads.
    let html = citizen.html(&app, &check, StatusCode::OK).await;
    assert!(html.contains("保険証.png（1 KB）"), "{html}");
    assert!(
        html.contains(
            "<a class=\"link\" href=\"files/insurance_card\">保険証.png をダウンロード（PNG、1 KB）</a>"
        ),
        "{html}"
    );
    // The question page shows it too, and says that choosing nothing keeps it.
    let html = citizen.html(&app, &page, StatusCode::OK).await;
    assert!(
        html.contains("href=\"../files/insurance_card\">保険証.png をダウンロード"),
        "{html}"
    );

    // The download: the same bytes, their type, the name in UTF-8, never sniffed nor cached.
    let application = application_of(&page).to_owned();
    let download = format!("{application}/files/insurance_card");
    let file = citizen.get(&app, &download).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, png());
    let header = |name: &str| {
        file.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "image/png");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"___.png\"; filename*=UTF-8''%E4%BF%9D%E9%99%BA%E8%A8%BC.png"
    );
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("cache-control"), "private, no-store");

    // Nobody else gets it, nor a field that holds no file.
    let (other, _) = Citizen::sign_in_as(&app, "佐藤 一郎", "サトウ イチロウ").await;
    assert_eq!(
        other.get(&app, &download).await.status,
        StatusCode::NOT_FOUND
    );
    let address = format!("{application}/files/address");
    assert_eq!(
        citizen.get(&app, &address).await.status,
        StatusCode::NOT_FOUND
    );

    // Sent: the application's page links to it, and the agency reads it through GraphQL.
    let sent = send(&app, &citizen, &check, &[]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let html = citizen.html(&app, &application, StatusCode::OK).await;
    assert!(
        html.contains(&format!(
            "href=\"{download}\">保険証.png をダウンロード（PNG、1 KB）</a>"
        )),
        "{html}"
    );
    let id = application.rsplit('/').next().expect("id");
    let (_, _, client) = crate::agency::setup(&app, "131016").await;
    let token = crate::agency::token(&app, &client).await;
    let listed = crate::agency::graphql(
        &app,
        &token,
        "query($id: ID!) { application(id: $id) { attachments { field name contentType bytes } } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        listed["data"]["application"]["attachments"],
        json!([{"field": "insurance_card", "name": "保険証.png", "contentType": "image/png", "bytes": png().len()}]),
        "{listed}"
    );
    const ATTACHMENT: &str = "query($id: ID!, $f: String!) { applicationAttachment(application: $id, field: $f) { field name contentType bytes contentBase64 } }";
    let read = crate::agency::graphql(
        &app,
        &token,
        ATTACHMENT,
        json!({"id": id, "f": "insurance_card"}),
    )
    .await;
    let content = read["data"]["applicationAttachment"]["contentBase64"]
        .as_str()
        .unwrap_or_else(|| panic!("{read}"));
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(content)
            .expect("base64"),
        png()
    );
    let none =
        crate::agency::graphql(&app, &token, ATTACHMENT, json!({"id": id, "f": "address"})).await;
    assert_eq!(
        none["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{none}"
    );
    // Another agency gets what `application` gives it: not found.
    let (_, _, nta) = crate::agency::setup(&app, "nta").await;
    let nta = crate::agency::token(&app, &nta).await;
    let foreign = crate::agency::graphql(
        &app,
        &nta,
        ATTACHMENT,
        json!({"id": id, "f": "insurance_card"}),
    )
    .await;
    assert_eq!(
        foreign["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{foreign}"
    );
    assert!(foreign["data"].is_null(), "{foreign}");
}

#[actix_web::test]
async fn a_refused_file_says_why_and_the_rest_of_the_page_is_kept() {
    let app = TestApp::start().await;
    let citizen = parent(&app).await;
    let page = payment_page(&app, &citizen).await;

    // Text named like a picture: refused by its content, everything else typed kept and saved.
    let text = pay(
        &app,
        &citizen,
        &page,
        &[(
            "insurance_card",
            "card.png",
            b"this is not a picture".as_slice(),
        )],
    )
    .await;
    assert_linked(&text, "PDF、JPEG、PNGのファイルを添付してください");
    for typed in [
        "value=\"0001\"",
        "value=\"1234567\"",
        "value=\"ヤマダ ハナコ\"",
    ] {
        assert!(text.body.contains(typed), "{typed} is kept");
    }
    assert!(
        text.body.contains("value=\"agreed\" checked"),
        "the declaration stays ticked"
    );
    assert!(stored(&app).is_empty(), "nothing stored");
    let again = citizen.html(&app, &page, StatusCode::OK).await;
    assert!(
        again.contains("value=\"1234567\""),
        "the valid answers were saved"
    );

    // Over the field's 5 MB: its size message, not a bare 413.
    let mut big = png();
    big.resize(FIVE_MB + 1, 0);
    let too_big = pay(
        &app,
        &citizen,
        &page,
        &[("insurance_card", "big.png", big.as_slice())],
    )
    .await;
    assert_linked(&too_big, "5MB以下のファイルを添付してください");
    assert!(too_big.body.contains("value=\"ヤマダ ハナコ\""));
    assert!(stored(&app).is_empty(), "nothing stored");

    // An empty file is refused too.
    let empty = pay(
        &app,
        &citizen,
        &page,
        &[("insurance_card", "empty.pdf", b"".as_slice())],
    )
    .await;
    assert_linked(&empty, "ファイルは空です");

    // Exactly 5 MB is taken.
    big.truncate(FIVE_MB);
    let fits = pay(
        &app,
        &citizen,
        &page,
        &[("insurance_card", "big.png", big.as_slice())],
    )
    .await;
    assert_eq!(fits.status, StatusCode::SEE_OTHER, "{}", fits.body);
    assert_eq!(stored(&app).len(), 1);
}

#[actix_web::test]
async fn no_file_chosen_keeps_the_stored_one_and_another_replaces_it() {
    let app = TestApp::start().await;
    let citizen = parent(&app).await;
    let page = payment_page(&app, &citizen).await;
    let first = pay(
        &app,
        &citizen,
        &page,
        &[("insurance_card", "保険証.png", png().as_slice())],
    )
    .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let check = first.location().to_owned();
    let before = stored(&app);
    assert_eq!(before.len(), 1);

    // The file input left empty, as a browser posts it.
    let kept = pay(
        &app,
        &citizen,
        &page,
        &[("insurance_card", "", b"".as_slice())],
    )
    .await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
    assert_eq!(stored(&app), before, "the same file, still there");
    let html = citizen.html(&app, &check, StatusCode::OK).await;
    assert!(html.contains("保険証.png（1 KB）"), "{html}");

    // A refused file keeps the stored one too.
    let refused = pay(
        &app,
        &citizen,
        &page,
        &[("insurance_card", "x.pdf", b"GIF89a".as_slice())],
    )
    .await;
    assert_linked(&refused, "PDF、JPEG、PNGのファイルを添付してください");
    assert!(
        refused.body.contains("保険証.png（1 KB）"),
        "still attached"
    );
    assert_eq!(stored(&app), before);

    // Another file replaces it: the old one is deleted from the store.
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.extend([b'x'; 3000]);
    let replaced = pay(
        &app,
        &citizen,
        &page,
        &[("insurance_card", "新しい保険証.pdf", pdf.as_slice())],
    )
    .await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER, "{}", replaced.body);
    let after = stored(&app);
    assert_eq!(after.len(), 1);
    assert_ne!(after, before, "the old file is gone");
    let html = citizen.html(&app, &check, StatusCode::OK).await;
    assert!(
        html.contains("新しい保険証.pdf をダウンロード（PDF、3 KB）"),
        "{html}"
    );
    assert!(!html.contains("保険証.png"));
    let file = citizen
        .get(
            &app,
            &format!("{}/files/insurance_card", application_of(&page)),
        )
        .await;
    assert_eq!(file.headers["content-type"], "application/pdf");
    assert_eq!(file.bytes, pdf);
}

#[actix_web::test]
async fn a_forged_upload_stores_nothing() {
    let app = TestApp::start().await;
    let citizen = parent(&app).await;
    let page = payment_page(&app, &citizen).await;
    let html = citizen.html(&app, &page, StatusCode::OK).await;
    assert!(between(&html, "name=\"csrf_token\" value=\"", "\"").len() > 20);
    let forged = post_multipart(
        &citizen,
        &app.url(&page),
        "not-the-token",
        &PAYMENT,
        &[("insurance_card", "保険証.png", png().as_slice())],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(stored(&app).is_empty());
    let html = citizen.html(&app, &page, StatusCode::OK).await;
    assert!(!html.contains("1234567"), "nothing saved");
}

#[actix_web::test]
async fn a_deleted_draft_takes_its_files_with_it() {
    let app = TestApp::start().await;
    let citizen = parent(&app).await;
    let page = payment_page(&app, &citizen).await;
    let sent = pay(
        &app,
        &citizen,
        &page,
        &[("insurance_card", "保険証.png", png().as_slice())],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(stored(&app).len(), 1);
    let application = application_of(&page);
    let id = application
        .rsplit('/')
        .next()
        .expect("id")
        .parse()
        .expect("application id");
    let deleted = portal_server::services::applications::delete_draft(&app.state, citizen.id, id)
        .await
        .expect("delete");
    assert!(deleted);
    assert!(stored(&app).is_empty(), "the file went with the draft");
    assert_eq!(
        citizen.get(&app, application).await.status,
        StatusCode::NOT_FOUND
    );
}

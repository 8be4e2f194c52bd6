//! 情報の登録 in the staff console: a CSV file checked without storing anything (its refused rows with their
//! line and reason), published by the worker once started, taken up again after a worker stopped mid-way;
//! the records role, each agency's own jobs, and files that cannot be used.

use portal_server::services::record_import::{self, GoodRow, Payload};
use portal_storage::ids::{CitizenId, StaffJobId};
use portal_storage::models::agency::Agency;
use portal_storage::models::record::Record;
use portal_storage::models::staff::{StaffJob, StaffMember};
use portal_storage::now_millis;
use reqwest::StatusCode;

use crate::common::TestApp;
use crate::own_data::csrf_of;
use crate::staff::{Reply, Staff, add, sign_in};

const HEADER: &str =
    "citizen,record_id,fiscal_year,total_income,taxable_income,resident_tax,updated_on";

/// Posts `bytes` as the file `name` for `category` from the upload form, as the browser does.
async fn upload(app: &TestApp, staff: &Staff, category: &str, name: &str, bytes: &[u8]) -> Reply {
    let form = staff.get(app, "/staff/records").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let part = reqwest::multipart::Part::bytes(bytes.to_vec())
        .file_name(name.to_owned())
        .mime_str("text/csv")
        .expect("mime");
    let multipart = reqwest::multipart::Form::new()
        .text("csrf_token", csrf_of(&form.body))
        .text("category", category.to_owned())
        .part("file", part);
    let res = staff
        .browser
        .post(app.url("/staff/records"))
        .multipart(multipart)
        .send()
        .await
        .expect("POST");
    Reply {
        status: res.status(),
        location: res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        body: res.text().await.expect("body"),
    }
}

async fn income_tax_records(app: &TestApp, citizen: CitizenId) -> Vec<Record> {
    app.state
        .db
        .run(move |c| Record::for_categories(c, citizen, &["income_tax"], 100))
        .await
        .expect("records")
        .into_iter()
        .map(|r| r.record)
        .collect()
}

#[actix_web::test]
async fn staff_records_a_checked_file_shows_its_bad_rows_then_publishes_the_good_ones() {
    let app = TestApp::start().await;
    let (citizen, pseudonym, _) = crate::agency::setup(&app, "131016").await;
    let secret = add(&app, "131016", "toroku@city.example.jp", &["records"]).await;
    let staff = sign_in(&app, "toroku@city.example.jp", &secret).await;

    let form = staff.get(&app, "/staff/records").await;
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    assert!(form.body.contains("id=\"file\""));
    assert!(form.body.contains("まだ登録はありません"));

    let csv = format!(
        "\u{feff}{HEADER}\r\n{pseudonym},R-1,2025,4200000,2800000,245000,2026-06-01\r\n\
         {pseudonym},R-2,2025,-5,0,0,2026-06-01\r\n\
         \"{pseudonym}\",\"R-3\",2024,\"3900000\",2500000,210000,2026-06-01\r\n\
         nobody,R-4,2025,1,1,1,2026-06-01\r\n"
    );
    let checked = upload(&app, &staff, "income_tax", "所得.csv", csv.as_bytes()).await;
    assert_eq!(checked.status, StatusCode::SEE_OTHER, "{}", checked.body);
    let job_page = checked.location.clone();
    assert!(job_page.starts_with("/staff/jobs/"), "{job_page}");
    assert!(
        income_tax_records(&app, citizen).await.is_empty(),
        "checking stores nothing"
    );

    let preview = staff.get(&app, &job_page).await;
    assert_eq!(preview.status, StatusCode::OK);
    let body = &preview.body;
    assert!(body.contains("登録できる行: 2行"), "{body}");
    assert!(body.contains("誤りのある行: 2行"), "{body}");
    // Each bad row with its line (the header is line 1), the column and what is wrong.
    let bad = crate::own_data::between(body, "誤りの内容", "</table>");
    assert!(
        bad.contains("<th scope=\"row\" class=\"table__header\">3</th>"),
        "{bad}"
    );
    assert!(bad.contains("<code>total_income</code>"), "{bad}");
    assert!(bad.contains("マイナスにならない整数（円）"), "{bad}");
    assert!(
        bad.contains("<th scope=\"row\" class=\"table__header\">5</th>"),
        "{bad}"
    );
    assert!(bad.contains("<code>citizen</code>"), "{bad}");
    assert!(
        bad.contains("どの住民の仮名（識別子）でもありません"),
        "{bad}"
    );
    let good = crate::own_data::between(body, "登録される内容（", "</table>");
    assert!(
        good.contains("R-1") && good.contains("R-3") && !good.contains("R-2"),
        "{good}"
    );
    assert!(body.contains("2行を登録する"), "{body}");
    assert!(
        !body.contains("http-equiv=\"refresh\""),
        "no refresh before it starts"
    );

    let started = staff
        .post(&app, &job_page, &format!("{job_page}/start"), &[])
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    assert_eq!(started.location, job_page);
    let waiting = staff.get(&app, &job_page).await;
    assert!(waiting.body.contains("<progress"), "{}", waiting.body);
    assert!(waiting.body.contains("2件中0件"), "{}", waiting.body);
    assert!(!waiting.body.contains("category."), "no catalog key shows");
    assert!(
        waiting
            .body
            .contains("<noscript><meta http-equiv=\"refresh\" content=\"2\"></noscript>")
    );
    let json: serde_json::Value = staff
        .browser
        .get(app.url(&format!("{job_page}.json")))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    assert_eq!(
        json,
        serde_json::json!({"state": "queued", "done": 0, "total": 2})
    );

    assert!(record_import::work_once(&app.state).await.expect("work"));
    assert!(!record_import::work_once(&app.state).await.expect("no more"));
    let done = staff.get(&app, &job_page).await;
    assert!(done.body.contains("登録が完了しました"), "{}", done.body);
    assert!(done.body.contains("新しく登録: 2件"), "{}", done.body);
    assert!(
        !done.body.contains("http-equiv=\"refresh\""),
        "the refresh stops"
    );
    let stored = income_tax_records(&app, citizen).await;
    let mut ids: Vec<&str> = stored.iter().map(|r| r.external_id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["R-1", "R-3"]);

    let list = staff.get(&app, "/staff/records").await;
    assert!(
        list.body.contains(&format!("href=\"{job_page}\"")),
        "{}",
        list.body
    );
    let audit = staff.get(&app, "/staff/audit").await.body;
    for words in ["CSVファイルの確認", "情報の登録の開始", "情報の登録の完了"]
    {
        assert!(audit.contains(words), "{words}: {audit}");
    }
    // Started once only: a second press changes nothing.
    let again = staff
        .post(&app, &job_page, &format!("{job_page}/start"), &[])
        .await;
    assert_eq!(again.location, job_page);
    assert!(
        !record_import::work_once(&app.state)
            .await
            .expect("nothing queued")
    );
}

#[actix_web::test]
async fn staff_records_a_job_whose_worker_stopped_is_taken_up_where_it_got_to() {
    let app = TestApp::start().await;
    let (citizen, pseudonym, _) = crate::agency::setup(&app, "131016").await;
    add(&app, "131016", "yakin@city.example.jp", &["records"]).await;
    let rows: Vec<GoodRow> = (0..5)
        .map(|i| GoodRow {
            line: i + 2,
            citizen: pseudonym.clone(),
            record_id: format!("N-{i}"),
            updated_on: "2026-06-01".to_owned(),
            fields: serde_json::json!({
                "fiscal_year": "2025", "total_income": "100", "taxable_income": "50",
                "resident_tax": "5"
            })
            .as_object()
            .cloned()
            .expect("object"),
        })
        .collect();
    let payload = serde_json::to_string(&Payload {
        category: "income_tax".to_owned(),
        file_name: "nightly.csv".to_owned(),
        rows,
    })
    .expect("json");
    let id = StaffJobId::new();
    app.state
        .db
        .run(move |c| {
            let agency = Agency::find_by_code(c, "131016")?.expect("agency");
            let member = StaffMember::by_login(c, "yakin@city.example.jp")?.expect("member");
            // Two rows were published before the worker stopped; its lease ran out a minute ago.
            StaffJob::insert(
                c,
                &StaffJob {
                    id,
                    agency_id: agency.id,
                    staff_id: member.id,
                    kind: record_import::KIND.to_owned(),
                    state: "running".to_owned(),
                    total: 5,
                    done: 2,
                    payload,
                    result: Some("{\"rejected\":[],\"created\":2}".to_owned()),
                    lease_until: now_millis() - 60_000,
                    created_at: now_millis() - 120_000,
                    finished_at: None,
                },
            )
        })
        .await
        .expect("job");

    assert!(record_import::work_once(&app.state).await.expect("work"));
    let job = app
        .state
        .db
        .run(move |c| {
            let agency = Agency::find_by_code(c, "131016")?.expect("agency");
            StaffJob::find_for(c, agency.id, id)
        })
        .await
        .expect("find")
        .expect("job");
    assert_eq!((job.state.as_str(), job.done), ("done", 5));
    let (_, outcome) = record_import::contents(&job);
    assert_eq!(
        outcome.created, 5,
        "the count carried on from the saved one"
    );
    let stored = income_tax_records(&app, citizen).await;
    let mut ids: Vec<&str> = stored.iter().map(|r| r.external_id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        ["N-2", "N-3", "N-4"],
        "only the rows after the saved progress"
    );
}

#[actix_web::test]
async fn staff_records_need_the_role_and_jobs_stay_within_the_agency() {
    let app = TestApp::start().await;
    let (_, pseudonym, _) = crate::agency::setup(&app, "131016").await;
    let clerk = add(&app, "131016", "kakari@city.example.jp", &["records"]).await;
    let notices = add(&app, "131016", "oshirase@city.example.jp", &["notices"]).await;
    let elsewhere = add(&app, "141003", "yokohama@city.example.jp", &["records"]).await;
    let clerk = sign_in(&app, "kakari@city.example.jp", &clerk).await;
    let notices = sign_in(&app, "oshirase@city.example.jp", &notices).await;
    let elsewhere = sign_in(&app, "yokohama@city.example.jp", &elsewhere).await;

    assert_eq!(
        notices.get(&app, "/staff/records").await.status,
        StatusCode::FORBIDDEN
    );
    let csv = format!("{HEADER}\n{pseudonym},R-1,2025,1,1,1,2026-06-01\n");
    let job_page = upload(&app, &clerk, "income_tax", "a.csv", csv.as_bytes())
        .await
        .location;
    assert!(job_page.starts_with("/staff/jobs/"));

    // Anyone of the agency may look; only the records role may start or discard.
    let seen = notices.get(&app, &job_page).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(
        !seen.body.contains("/start\""),
        "no button without the role"
    );
    let refused = notices
        .post(&app, &job_page, &format!("{job_page}/start"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    for path in [job_page.clone(), format!("{job_page}.json")] {
        assert_eq!(
            elsewhere.get(&app, &path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        clerk.get(&app, "/staff/jobs/not-a-job").await.status,
        StatusCode::NOT_FOUND
    );

    let discarded = clerk
        .post(&app, &job_page, &format!("{job_page}/discard"), &[])
        .await;
    assert_eq!(discarded.location, "/staff/records");
    assert_eq!(
        clerk.get(&app, &job_page).await.status,
        StatusCode::NOT_FOUND,
        "gone with its rows"
    );
}

#[actix_web::test]
async fn staff_records_a_file_that_cannot_be_used_gets_its_error_next_to_the_input() {
    let app = TestApp::start().await;
    crate::agency::setup(&app, "131016").await;
    let secret = add(&app, "131016", "madoguchi@city.example.jp", &["records"]).await;
    let staff = sign_in(&app, "madoguchi@city.example.jp", &secret).await;

    let missing = upload(
        &app,
        &staff,
        "income_tax",
        "a.csv",
        b"citizen,record_id,updated_on,fiscal_year,total_income\nx,1,2026-01-01,2025,1\n",
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &missing.body;
    assert!(body.starts_with("<!DOCTYPE html>"));
    assert!(
        body.contains("見出し行に、次の列がありません: taxable_income, resident_tax"),
        "{body}"
    );
    assert!(body.contains("id=\"file-error\""), "{body}");
    assert!(
        body.contains("<a href=\"#file\">"),
        "the summary links to the input"
    );
    assert!(
        body.contains("value=\"income_tax\" checked"),
        "the category is kept: {body}"
    );

    let shift_jis = upload(
        &app,
        &staff,
        "income_tax",
        "a.csv",
        &[0x8e, 0x81, 0x96, 0xbc],
    )
    .await;
    assert!(shift_jis.body.contains("UTF-8のCSVファイルではありません"));
    let quote = upload(
        &app,
        &staff,
        "income_tax",
        "a.csv",
        format!("{HEADER}\nx,\"open,2025,1,1,1,2026-01-01\n").as_bytes(),
    )
    .await;
    assert!(
        quote.body.contains("2行目で始まるダブルクォート"),
        "{}",
        quote.body
    );

    let no_category = upload(&app, &staff, "", "a.csv", HEADER.as_bytes()).await;
    assert_eq!(no_category.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_category
            .body
            .contains("登録する情報の分類を選んでください")
    );
    assert!(no_category.body.contains("<a href=\"#category\">"));
}

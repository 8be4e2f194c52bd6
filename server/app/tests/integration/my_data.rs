//! わたしの情報: the overview, a category's table with its pages, the downloads, and whose data shows.

use portal_storage::models::category::Category;
use portal_web::Lang;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestApp, title};
use crate::own_data::{Citizen, count, insert_records, prescription, record, registry};

#[actix_web::test]
async fn signed_out_visitors_are_sent_to_sign_in() {
    let app = TestApp::start().await;
    for path in [
        "/my-data",
        "/my-data/prescriptions",
        "/my-data/prescriptions?page=2",
        "/my-data/prescriptions.csv",
        "/my-data/prescriptions.json",
        "/my-data/no_such_category",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.headers()["location"], "/sign-in", "{path}");
    }
}

#[actix_web::test]
async fn the_overview_lists_every_category_with_its_count_and_last_update() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let (hanako, taro) = (
        Citizen::sign_in(&app, "山田 花子").await,
        Citizen::sign_in(&app, "佐藤 太郎").await,
    );
    let ward = agencies["131016"];
    insert_records(
        &app,
        vec![
            prescription(hanako.id, ward, 3, "A錠"),
            prescription(hanako.id, ward, 20, "B錠"),
            prescription(hanako.id, ward, 9, "C錠"),
            record(
                hanako.id,
                agencies["nta"],
                "income_tax",
                "2025-06-01",
                json!({"fiscal_year": "2025", "total_income": "4200000", "taxable_income": "2800000", "resident_tax": "245000"}),
            ),
            // Someone else's: never counted for 花子.
            record(
                taro.id,
                ward,
                "welfare",
                "2026-01-05",
                json!({"program": "生活保護", "status": "受給中", "granted_on": "2026-01-05"}),
            ),
        ],
    )
    .await;

    let html = hanako.html(&app, "/my-data", StatusCode::OK).await;
    assert_eq!(title(&html), "わたしの情報 - マイナポータル");
    assert!(html.contains("山田 花子"), "the header names the citizen");
    let main = &html[html.find("<main").expect("main")..];
    let links: Vec<&str> = main
        .match_indices("href=\"/my-data/")
        .map(|(at, m)| {
            let rest = &main[at + m.len()..];
            &rest[..rest.find('"').expect("quote")]
        })
        .collect();
    let codes: Vec<&str> = Category::ALL.iter().map(|c| c.code()).collect();
    assert_eq!(links, codes, "every category, in the portal's order");
    assert!(html.contains(">薬剤情報</a></h2>"));
    assert!(
        html.contains("3件（最終更新日: 2026年4月20日）"),
        "count and newest update"
    );
    assert!(html.contains("1件（最終更新日: 2025年6月1日）"));
    assert_eq!(
        count(&html, "記録はありません"),
        10,
        "the ten empty categories say so"
    );
    assert!(
        html.contains("href=\"/history\""),
        "points to the exchange history"
    );

    let theirs = taro.html(&app, "/my-data", StatusCode::OK).await;
    assert!(theirs.contains("1件（最終更新日: 2026年1月5日）"));
    assert_eq!(count(&theirs, "記録はありません"), 11);

    hanako.use_english(&app).await;
    let english = hanako.html(&app, "/my-data", StatusCode::OK).await;
    assert!(english.contains(">Prescriptions</a></h2>"));
    assert!(english.contains("3 records (last updated 20 April 2026)"));
    assert!(english.contains("1 record (last updated 1 June 2025)"));
}

#[actix_web::test]
async fn a_category_is_an_accessible_table_in_the_pages_language() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    insert_records(
        &app,
        vec![
            record(
                citizen.id,
                agencies["131016"],
                "child_allowance",
                "2026-06-10",
                json!({"fiscal_year": "2026", "children": "2", "monthly_amount": "20000"}),
            ),
            record(
                citizen.id,
                agencies["cfa"],
                "child_allowance",
                "2025-06-10",
                json!({"fiscal_year": "2025", "children": "1", "monthly_amount": "<b>", "paid_on": "2025-06-15"}),
            ),
        ],
    )
    .await;
    let html = citizen
        .html(&app, "/my-data/child_allowance", StatusCode::OK)
        .await;
    assert_eq!(
        title(&html),
        "児童手当関係情報 - わたしの情報 - マイナポータル"
    );
    assert!(html.contains(
        "<caption class=\"table__caption table__caption--m\">児童手当関係情報（全2件のうち1件目から2件目）</caption>"
    ));
    for label in [
        "年度",
        "対象児童数",
        "月額",
        "支給日",
        "提供元",
        "最終更新日",
    ] {
        assert!(
            html.contains(&format!(
                "<th scope=\"col\" class=\"table__header\">{label}</th>"
            )),
            "column header {label}"
        );
    }
    // Newest first; the first field heads each row.
    let first = html
        .find("<th scope=\"row\" class=\"table__header\">2026</th>")
        .expect("2026 row");
    let second = html
        .find("<th scope=\"row\" class=\"table__header\">2025</th>")
        .expect("2025 row");
    assert!(first < second, "newest update first");
    for cell in [
        "20,000円",
        "千代田区",
        "2026年6月10日",
        "記載なし",
        "こども家庭庁",
        "2025年6月15日",
    ] {
        assert!(
            html.contains(&format!("<td class=\"table__cell\">{cell}</td>")),
            "cell {cell}"
        );
    }
    assert!(
        html.contains("<td class=\"table__cell\">&#60;b&#62;</td>"),
        "values are escaped"
    );
    assert!(html.contains("href=\"/my-data/child_allowance.csv\" download>"));
    assert!(html.contains("href=\"/my-data/child_allowance.json\" download>"));
    assert!(
        !html.contains("class=\"pagination\""),
        "one page: no pagination"
    );

    citizen.use_english(&app).await;
    let english = citizen
        .html(&app, "/my-data/child_allowance", StatusCode::OK)
        .await;
    assert!(english.contains("<caption class=\"table__caption table__caption--m\">Child allowance: records 1 to 2 of 2</caption>"));
    assert!(english.contains("<th scope=\"col\" class=\"table__header\">Monthly amount</th>"));
    for cell in ["¥20,000", "Chiyoda City", "10 June 2026", "Not recorded"] {
        assert!(
            english.contains(&format!("<td class=\"table__cell\">{cell}</td>")),
            "cell {cell}"
        );
    }
}

#[actix_web::test]
async fn a_long_list_has_pages_and_a_page_that_is_not_there_is_404() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    // 45 prescriptions: on 45 different days, so the order is known (newest first).
    let rows = (0..45)
        .map(|i| {
            let mut r = prescription(citizen.id, agencies["131016"], 1, &format!("薬{i:02}"));
            r.updated_on = format!("2026-{:02}-{:02}", 1 + i / 28, 1 + i % 28);
            r
        })
        .collect();
    insert_records(&app, rows).await;

    let first = citizen
        .html(&app, "/my-data/prescriptions", StatusCode::OK)
        .await;
    assert_eq!(count(&first, "<th scope=\"row\""), 20);
    assert!(
        first.contains("薬44") && !first.contains("薬24"),
        "the newest 20"
    );
    assert!(first.contains("<nav class=\"pagination\" aria-label=\"ページ送り\">"));
    assert!(
        first.contains("href=\"?page=1\" aria-label=\"1ページ目\" aria-current=\"page\">1</a>")
    );
    assert!(first.contains("href=\"?page=3\" aria-label=\"3ページ目\">3</a>"));
    assert!(first.contains("href=\"?page=2\" rel=\"next\""));
    assert!(!first.contains("rel=\"prev\""));
    assert!(first.contains("薬剤情報（全45件のうち1件目から20件目）"));

    let last = citizen
        .html(&app, "/my-data/prescriptions?page=3", StatusCode::OK)
        .await;
    assert_eq!(
        title(&last),
        "薬剤情報（3ページ目） - わたしの情報 - マイナポータル"
    );
    assert_eq!(count(&last, "<th scope=\"row\""), 5);
    assert!(last.contains("薬04") && last.contains("薬00") && !last.contains("薬05"));
    assert!(last.contains("href=\"?page=2\" rel=\"prev\""));
    assert!(!last.contains("rel=\"next\""));
    assert!(last.contains("（全45件のうち41件目から45件目）"));

    for path in [
        "/my-data/prescriptions?page=4",
        "/my-data/prescriptions?page=0",
        "/my-data/prescriptions?page=-1",
        "/my-data/prescriptions?page=two",
        "/my-data/prescriptions?page=99999999999999999999",
    ] {
        let html = citizen.html(&app, path, StatusCode::NOT_FOUND).await;
        assert!(
            title(&html).starts_with("エラー: ページが見つかりません"),
            "{path}"
        );
    }
    // An empty category has its first page only.
    citizen
        .html(&app, "/my-data/welfare?page=1", StatusCode::OK)
        .await;
    citizen
        .html(&app, "/my-data/welfare?page=2", StatusCode::NOT_FOUND)
        .await;
}

#[actix_web::test]
async fn an_empty_category_says_so_and_an_unknown_one_is_404() {
    let app = TestApp::start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let html = citizen
        .html(&app, "/my-data/vaccinations", StatusCode::OK)
        .await;
    assert!(html.contains("<h1 class=\"heading-xl\">予防接種情報</h1>"));
    assert!(html.contains(Lang::Ja.t("my_data.category.empty")));
    assert!(!html.contains("<table"), "no empty table");
    assert!(!html.contains(".csv\""), "nothing to download");

    for path in [
        "/my-data/unknown",
        "/my-data/unknown.csv",
        "/my-data/unknown.json",
        "/my-data/Prescriptions",
        "/my-data/prescriptions.xml",
        "/my-data/prescriptions/extra",
    ] {
        let html = citizen.html(&app, path, StatusCode::NOT_FOUND).await;
        assert!(
            title(&html).starts_with("エラー: "),
            "{path}: the error page"
        );
    }
}

#[actix_web::test]
async fn csv_downloads_open_in_excel_with_labels_in_the_pages_language() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let (hanako, taro) = (
        Citizen::sign_in(&app, "山田 花子").await,
        Citizen::sign_in(&app, "佐藤 太郎").await,
    );
    let ward = agencies["131016"];
    insert_records(
        &app,
        vec![
            prescription(hanako.id, ward, 2, "ロキソプロフェン錠60mg, \"後発\""),
            prescription(hanako.id, ward, 1, "=HYPERLINK(\"x\")"),
            prescription(taro.id, ward, 5, "太郎の薬"),
        ],
    )
    .await;
    let page = hanako.get(&app, "/my-data/prescriptions.csv").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-type"], "text/csv; charset=utf-8");
    let today = portal_server::japan_today();
    assert_eq!(
        page.headers["content-disposition"],
        format!(
            "attachment; filename=\"mynaportal-prescriptions-{:04}{:02}{:02}.csv\"",
            today.year(),
            u8::from(today.month()),
            today.day()
        )
    );
    assert_eq!(page.headers["cache-control"], "no-store");
    assert_eq!(
        &page.bytes[..3],
        [0xEF, 0xBB, 0xBF],
        "UTF-8 byte order mark"
    );
    let text = page.text();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(lines[0], "調剤日,薬局,薬剤名,数量,日数,提供元,最終更新日");
    assert_eq!(
        lines[1],
        "2026-04-02,永田町薬局,\"ロキソプロフェン錠60mg, \"\"後発\"\"\",21錠,7,千代田区,2026-04-02"
    );
    assert_eq!(
        lines[2],
        "2026-04-01,永田町薬局,\"'=HYPERLINK(\"\"x\"\")\",21錠,7,千代田区,2026-04-01"
    );
    assert_eq!(lines[3], "", "ends with a line break");
    assert_eq!(lines.len(), 4, "only this citizen's records");
    assert!(!text.contains("太郎の薬"));

    hanako.use_english(&app).await;
    let english = hanako.get(&app, "/my-data/prescriptions.csv").await.text();
    assert!(english.starts_with(
        "\u{feff}Dispensed on,Pharmacy,Medicine,Quantity,Days,Provided by,Last updated\r\n"
    ));
    assert!(english.contains(",Chiyoda City,"));

    // An empty category downloads as just the header row.
    let empty = hanako.get(&app, "/my-data/welfare.csv").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(
        empty.text(),
        "\u{feff}Scheme,Status,Decided on,Monthly amount,Provided by,Last updated\r\n"
    );
}

#[actix_web::test]
async fn json_downloads_carry_category_fields_and_source_per_record() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let (hanako, taro) = (
        Citizen::sign_in(&app, "山田 花子").await,
        Citizen::sign_in(&app, "佐藤 太郎").await,
    );
    insert_records(
        &app,
        vec![
            record(
                hanako.id,
                agencies["jps"],
                "pension",
                "2026-03-31",
                json!({"period_from": "2012-04", "scheme": "国民年金", "months": "120"}),
            ),
            record(
                taro.id,
                agencies["jps"],
                "pension",
                "2026-03-31",
                json!({"period_from": "1998-04", "scheme": "厚生年金", "months": "300"}),
            ),
        ],
    )
    .await;
    let page = hanako.get(&app, "/my-data/pension.json").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-type"], "application/json");
    assert!(
        page.headers["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("attachment; filename=\"mynaportal-pension-")
    );
    assert_eq!(page.headers["cache-control"], "no-store");
    let body: Value = serde_json::from_slice(&page.bytes).expect("json");
    assert_eq!(body["category"], "pension");
    assert_eq!(
        body["fields"],
        json!([
            "period_from",
            "period_to",
            "scheme",
            "months",
            "premiums_paid"
        ])
    );
    assert_eq!(
        body["records"],
        json!([{
            "category": "pension",
            "fields": {"period_from": "2012-04", "scheme": "国民年金", "months": "120"},
            "source": {"code": "jps", "name_ja": "日本年金機構", "name_en": "Japan Pension Service"},
            "updated_on": "2026-03-31",
        }]),
        "only this citizen's record"
    );
}

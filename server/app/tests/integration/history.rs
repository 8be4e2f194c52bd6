//! やりとり履歴: the rows and their words, withheld rows, the filter (and its errors), pages, the CSV, and
//! whose rows show.

use portal_storage::models::linkage::NewLinkage;
use portal_web::Lang;
use reqwest::StatusCode;
use time::macros::date;

use crate::common::{TestApp, title};
use crate::own_data::{Citizen, agency_read, append_history, count, japan, registry};

const WARD: (&str, &str) = ("131016", "千代田区");
const PENSION: (&str, &str) = ("jps", "日本年金機構");

fn app_read(citizen: portal_storage::ids::CitizenId, at: i64) -> NewLinkage {
    NewLinkage {
        requester_kind: "app".to_owned(),
        requester_id: "kakeibo-app".to_owned(),
        requester_name: "かんたん家計簿".to_owned(),
        providers: vec!["nta".to_owned()],
        items: vec!["income_tax".to_owned()],
        task_code: String::new(),
        purpose: "家計の管理のため".to_owned(),
        ..agency_read(citizen, at, WARD, &[], &[], "")
    }
}

/// A tax investigation by the Osaka ward office's name, withheld: its requester must never show.
fn withheld_read(citizen: portal_storage::ids::CitizenId, at: i64) -> NewLinkage {
    NewLinkage {
        withheld: true,
        ..agency_read(
            citizen,
            at,
            ("271276", "大阪市北区"),
            &["141003"],
            &["deductions"],
            "tax_investigation",
        )
    }
}

#[actix_web::test]
async fn signed_out_visitors_are_sent_to_sign_in() {
    let app = TestApp::start().await;
    for path in [
        "/history",
        "/history?page=2",
        "/history.csv",
        "/history?from_year=x",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.headers()["location"], "/sign-in", "{path}");
    }
}

#[actix_web::test]
async fn each_row_says_when_who_from_whom_what_for_which_task_and_the_result() {
    let app = TestApp::start().await;
    registry(&app).await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let day = date!(2026 - 04 - 10);
    let mut refused = agency_read(
        citizen.id,
        japan(day, 8, 0),
        WARD,
        &[],
        &["welfare"],
        "made_up_task",
    );
    refused.result = "refused".to_owned();
    append_history(
        &app,
        vec![
            refused,
            agency_read(
                citizen.id,
                japan(day, 14, 5),
                WARD,
                &["nta", "131016"],
                &["income_tax", "household"],
                "child_allowance",
            ),
            app_read(citizen.id, japan(day, 9, 30)),
        ],
    )
    .await;

    let html = citizen.html(&app, "/history", StatusCode::OK).await;
    assert_eq!(title(&html), "やりとり履歴 - マイナポータル");
    let headings: Vec<&str> = html
        .match_indices("<h3 class=\"heading-s\">")
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            &rest[..rest.find('<').expect("end")]
        })
        .collect();
    assert_eq!(
        headings,
        [
            "2026年4月10日 14:05",
            "2026年4月10日 09:30",
            "2026年4月10日 08:00"
        ],
        "newest first, in Japan time"
    );
    for text in [
        "千代田区（市区町村）",
        "国税庁、千代田区",
        "所得・住民税情報、世帯情報",
        "児童手当の支給に関する事務",
        Lang::Ja.t("task.child_allowance.description"),
        "情報を提供しました",
        "かんたん家計簿（外部のサービス）",
        "家計の管理のため",
        "made_up_task",
        "照会を受け付けませんでした",
        "<dt class=\"summary-list__key\">照会した者</dt>",
    ] {
        assert!(html.contains(text), "shows {text}");
    }
    // Nobody is filtered for: no "clear" link, and no page links for three rows.
    assert!(!html.contains(Lang::Ja.t("history.filter.clear")));
    assert!(!html.contains("class=\"pagination\""));
    assert!(html.contains("href=\"/history.csv\" download>"));
    // The requester select offers both, named in the page's language.
    assert!(html.contains("<option value=\"131016\">千代田区</option>"));
    assert!(html.contains("<option value=\"kakeibo-app\">かんたん家計簿</option>"));

    citizen.use_english(&app).await;
    let english = citizen.html(&app, "/history", StatusCode::OK).await;
    for text in [
        "10 April 2026, 14:05",
        "Chiyoda City (municipality)",
        "National Tax Agency, Chiyoda City",
        "Income and resident tax, Household",
        "Paying child allowance",
        "Your municipality checks your household and income",
        "かんたん家計簿 (app)",
        "Request refused",
        "<option value=\"131016\">Chiyoda City</option>",
    ] {
        assert!(english.contains(text), "shows {text}");
    }
}

#[actix_web::test]
async fn withheld_rows_show_only_their_time_and_never_match_a_filter() {
    let app = TestApp::start().await;
    registry(&app).await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let day = date!(2026 - 05 - 01);
    append_history(
        &app,
        vec![
            withheld_read(citizen.id, japan(day, 10, 0)),
            agency_read(
                citizen.id,
                japan(day, 9, 0),
                PENSION,
                &["jps"],
                &["pension"],
                "pension_benefit",
            ),
        ],
    )
    .await;
    let html = citizen.html(&app, "/history", StatusCode::OK).await;
    assert!(html.contains("2026年5月1日 10:00"));
    assert!(html.contains(Lang::Ja.t("history.withheld.body")));
    assert!(html.contains("<strong class=\"tag tag--grey\">不開示</strong>"));
    // (The items are withheld too, but every category's name is in the filter's list.)
    for hidden in ["大阪市北区", "271276", "横浜市", "国税の調査"] {
        assert!(!html.contains(hidden), "{hidden} is withheld");
    }
    assert!(
        html.contains("日本年金機構（年金機関）"),
        "the open row shows in full"
    );

    // Filtering by the withheld row's requester or items finds nothing.
    for query in ["requester=271276", "category=deductions"] {
        let html = citizen
            .html(&app, &format!("/history?{query}"), StatusCode::OK)
            .await;
        assert!(!html.contains("10:00"), "{query}");
        assert!(
            html.contains(Lang::Ja.t("history.results.none_filtered")),
            "{query}"
        );
    }
    // A period filter still shows it: only its time is known.
    let html = citizen
        .html(
            &app,
            "/history?from_year=2026&from_month=5&from_day=1",
            StatusCode::OK,
        )
        .await;
    assert!(html.contains("2026年5月1日 10:00") && html.contains("不開示"));

    let csv = citizen.get(&app, "/history.csv").await.text();
    assert!(csv.contains("2026-05-01 10:00,不開示,不開示,不開示,不開示,不開示,不開示\r\n"));
    for hidden in ["大阪市北区", "横浜市", "国税の調査"] {
        assert!(!csv.contains(hidden), "{hidden} is withheld in the CSV");
    }
}

#[actix_web::test]
async fn each_filter_narrows_the_list_and_is_kept_in_the_form() {
    let app = TestApp::start().await;
    registry(&app).await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let (april, may) = (date!(2026 - 04 - 30), date!(2026 - 05 - 01));
    append_history(
        &app,
        vec![
            // The last minute of 30 April and the first of 1 May, in Japan time.
            agency_read(
                citizen.id,
                japan(april, 23, 59),
                WARD,
                &["nta"],
                &["income_tax"],
                "resident_tax",
            ),
            agency_read(
                citizen.id,
                japan(may, 0, 0),
                PENSION,
                &["jps"],
                &["pension"],
                "pension_benefit",
            ),
            agency_read(
                citizen.id,
                japan(may, 12, 0),
                WARD,
                &["131016"],
                &["household"],
                "child_allowance",
            ),
        ],
    )
    .await;
    let times = |html: &str| -> Vec<String> {
        html.match_indices("<h3 class=\"heading-s\">")
            .map(|(at, m)| {
                let rest = &html[at + m.len()..];
                rest[..rest.find('<').expect("end")].to_owned()
            })
            .collect()
    };

    let all = citizen.html(&app, "/history", StatusCode::OK).await;
    assert_eq!(times(&all).len(), 3);

    let april_only = citizen
        .html(
            &app,
            "/history?from_year=2026&from_month=4&from_day=30&to_year=2026&to_month=4&to_day=30",
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        times(&april_only),
        ["2026年4月30日 23:59"],
        "the whole day, in Japan time"
    );
    assert!(
        april_only.contains("name=\"from_day\" type=\"text\" inputmode=\"numeric\" value=\"30\"")
    );
    assert!(
        april_only.contains("name=\"to_month\" type=\"text\" inputmode=\"numeric\" value=\"4\"")
    );
    assert!(april_only.contains(Lang::Ja.t("history.filter.clear")));

    let from_may = citizen
        .html(
            &app,
            "/history?from_year=2026&from_month=5&from_day=1",
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        times(&from_may),
        ["2026年5月1日 12:00", "2026年5月1日 00:00"]
    );

    let by_pension = citizen
        .html(&app, "/history?requester=jps", StatusCode::OK)
        .await;
    assert_eq!(times(&by_pension), ["2026年5月1日 00:00"]);
    assert!(by_pension.contains("<option value=\"jps\" selected>日本年金機構</option>"));

    let by_category = citizen
        .html(&app, "/history?category=income_tax", StatusCode::OK)
        .await;
    assert_eq!(times(&by_category), ["2026年4月30日 23:59"]);
    assert!(
        by_category.contains("<option value=\"income_tax\" selected>所得・住民税情報</option>")
    );
    assert!(by_category.contains("href=\"/history.csv?category=income_tax\" download>"));

    let combined = citizen
        .html(
            &app,
            "/history?requester=131016&category=household&from_year=2026&from_month=5&from_day=1",
            StatusCode::OK,
        )
        .await;
    assert_eq!(times(&combined), ["2026年5月1日 12:00"]);

    let none = citizen
        .html(
            &app,
            "/history?requester=131016&category=pension",
            StatusCode::OK,
        )
        .await;
    assert!(times(&none).is_empty());
    assert!(none.contains(Lang::Ja.t("history.results.none_filtered")));
}

#[actix_web::test]
async fn bad_dates_are_reported_by_their_fields_and_what_was_typed_is_kept() {
    let app = TestApp::start().await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let html = citizen
        .html(
            &app,
            "/history?from_year=2026&from_month=13&from_day=1&to_year=2026&to_day=5&category=pension",
            StatusCode::BAD_REQUEST,
        )
        .await;
    assert!(
        title(&html).starts_with("エラー: やりとり履歴"),
        "{}",
        title(&html)
    );
    let summary = &html[html.find("class=\"error-summary\"").expect("error summary")..];
    let summary = &summary[..summary.find("</ul>").expect("list")];
    assert!(summary.contains(&format!(
        "<a href=\"#from\">{}</a>",
        Lang::Ja.t("history.errors.from_invalid")
    )));
    assert!(summary.contains(&format!(
        "<a href=\"#to\">{}</a>",
        Lang::Ja.t("history.errors.to_incomplete")
    )));
    for (field, key) in [
        ("from", "history.errors.from_invalid"),
        ("to", "history.errors.to_incomplete"),
    ] {
        assert!(
            html.contains(&format!(
                "<p id=\"{field}-error\" class=\"error-message\"><span class=\"visually-hidden\">エラー:</span> {}</p>",
                Lang::Ja.t(key)
            )),
            "{field}: the message by the field"
        );
    }
    assert!(html.contains(
        "<fieldset class=\"fieldset\" role=\"group\" aria-describedby=\"from-hint from-error\">"
    ));
    assert!(
        html.contains("name=\"from_month\" type=\"text\" inputmode=\"numeric\" value=\"13\""),
        "kept"
    );
    assert!(
        html.contains("name=\"to_day\" type=\"text\" inputmode=\"numeric\" value=\"5\""),
        "kept"
    );
    assert!(html.contains("<option value=\"pension\" selected>"), "kept");
    assert!(
        !html.contains(Lang::Ja.t("history.results.heading")),
        "no results for a bad filter"
    );

    let reversed = citizen
        .html(
            &app,
            "/history?from_year=2026&from_month=5&from_day=2&to_year=2026&to_month=5&to_day=1",
            StatusCode::BAD_REQUEST,
        )
        .await;
    assert!(reversed.contains(Lang::Ja.t("history.errors.to_before_from")));
    let unknown = citizen
        .html(&app, "/history?category=secrets", StatusCode::BAD_REQUEST)
        .await;
    assert!(unknown.contains("<a href=\"#category\">"));
    assert!(unknown.contains("id=\"category-error\""));

    // The CSV of a bad filter is refused too.
    let csv = citizen
        .get(&app, "/history.csv?from_year=2026&from_month=13&from_day=1")
        .await;
    assert_eq!(csv.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn pages_keep_the_filter_and_a_page_past_the_end_is_404() {
    let app = TestApp::start().await;
    registry(&app).await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let day = date!(2026 - 06 - 01);
    let mut rows: Vec<NewLinkage> = (0..45)
        .map(|i| {
            agency_read(
                citizen.id,
                japan(day, 0, i),
                WARD,
                &["nta"],
                &["income_tax"],
                "resident_tax",
            )
        })
        .collect();
    // Rows the filter leaves out, between them.
    rows.extend((0..5).map(|i| {
        agency_read(
            citizen.id,
            japan(day, 0, i),
            PENSION,
            &["jps"],
            &["pension"],
            "pension_benefit",
        )
    }));
    append_history(&app, rows).await;

    let query = "category=income_tax";
    let first = citizen
        .html(&app, &format!("/history?{query}"), StatusCode::OK)
        .await;
    assert_eq!(count(&first, "<li class=\"history-list__item\">"), 20);
    assert!(first.contains("2026年6月1日 00:44"), "newest first");
    assert!(first.contains("1件目から20件目までを表示しています。"));
    assert!(
        first.contains(&format!("href=\"?{query}&#38;page=2\" rel=\"next\"")),
        "next keeps the filter"
    );
    assert!(!first.contains("rel=\"prev\""));

    let third = citizen
        .html(&app, &format!("/history?{query}&page=3"), StatusCode::OK)
        .await;
    assert_eq!(title(&third), "やりとり履歴（3ページ目） - マイナポータル");
    assert_eq!(count(&third, "<li class=\"history-list__item\">"), 5);
    assert!(third.contains("2026年6月1日 00:00") && !third.contains("日本年金機構（"));
    assert!(third.contains("rel=\"prev\"") && !third.contains("rel=\"next\""));

    for path in [
        format!("/history?{query}&page=4"),
        "/history?page=0".to_owned(),
        "/history?page=abc".to_owned(),
    ] {
        let html = citizen.html(&app, &path, StatusCode::NOT_FOUND).await;
        assert!(title(&html).starts_with("エラー: "), "{path}");
    }
}

#[actix_web::test]
async fn the_csv_has_every_row_the_filter_matches_and_only_the_citizens_own() {
    let app = TestApp::start().await;
    registry(&app).await;
    let (hanako, taro) = (
        Citizen::sign_in(&app, "山田 花子").await,
        Citizen::sign_in(&app, "佐藤 太郎").await,
    );
    let day = date!(2026 - 07 - 01);
    let mut rows: Vec<NewLinkage> = (0..25)
        .map(|i| {
            agency_read(
                hanako.id,
                japan(day, 1, i),
                WARD,
                &["nta"],
                &["income_tax"],
                "resident_tax",
            )
        })
        .collect();
    rows.push(app_read(hanako.id, japan(day, 2, 0)));
    rows.push(agency_read(
        taro.id,
        japan(day, 3, 0),
        PENSION,
        &["jps"],
        &["pension"],
        "pension_benefit",
    ));
    append_history(&app, rows).await;

    let page = hanako.get(&app, "/history.csv?requester=131016").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        page.headers["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("attachment; filename=\"mynaportal-history-")
    );
    assert_eq!(page.headers["cache-control"], "no-store");
    assert_eq!(&page.bytes[..3], [0xEF, 0xBB, 0xBF]);
    let text = page.text();
    let lines: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .trim_end()
        .split("\r\n")
        .collect();
    assert_eq!(
        lines[0],
        "日時（日本時間）,照会した者,情報を提供した機関,情報の項目,事務・目的,事務の内容,結果"
    );
    assert_eq!(lines.len(), 26, "all 25 matching rows, not one page");
    assert!(lines[1].starts_with(
        "2026-07-01 01:24,千代田区（市区町村）,国税庁,所得・住民税情報,住民税の賦課に関する事務,"
    ));
    assert!(lines[1].ends_with(",情報を提供しました"));
    assert!(!text.contains("かんたん家計簿"), "filtered out");

    let everything = hanako.get(&app, "/history.csv").await.text();
    assert!(everything.contains("かんたん家計簿（外部のサービス）"));
    assert!(
        !everything.contains("日本年金機構"),
        "another citizen's row"
    );
    let page = hanako.html(&app, "/history", StatusCode::OK).await;
    assert!(!page.contains("日本年金機構"), "another citizen's row");
    assert!(
        !page.contains("<option value=\"jps\""),
        "another citizen's requester"
    );

    hanako.use_english(&app).await;
    let english = hanako
        .get(&app, "/history.csv?requester=131016")
        .await
        .text();
    assert!(english.starts_with(
        "\u{feff}Date and time (Japan time),Requested by,Provided by,Information,Task or purpose,What the task involves,Result\r\n"
    ));
    assert!(english.contains(",Chiyoda City (municipality),National Tax Agency,Income and resident tax,Charging resident tax,"));
}

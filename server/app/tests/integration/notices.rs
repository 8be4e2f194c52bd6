//! お知らせ: whose notices show (lists and rules), what hides them, reading and archiving, the filter and
//! search, the unread count in the header, and how a notice's text is shown.

use diesel::prelude::*;
use portal_storage::ids::{AgencyId, CitizenId, NoticeId};
use portal_storage::models::agency::Agency;
use portal_storage::models::inbox;
use portal_storage::models::notice::{
    AUDIENCE_LARGE_LIST, AUDIENCE_LIST, AUDIENCE_RULE, Notice, is_listed,
};
use portal_storage::schema::citizens;
use portal_storage::{now_millis, transaction, with_conn};
use reqwest::StatusCode;

use crate::common::{TestApp, title};
use crate::own_data::{Citizen, count, registry};

const DAY_MS: i64 = 86_400_000;

/// A list notice from `agency`, posted `days_ago`, with the rest plain.
pub(crate) fn notice(agency: AgencyId, title: &str, days_ago: i64) -> Notice {
    Notice {
        id: NoticeId::new(),
        agency_id: agency,
        audience: AUDIENCE_LIST.to_owned(),
        rule_areas: String::new(),
        rule_born_from: None,
        rule_born_to: None,
        title: title.to_owned(),
        body: "本文です。".to_owned(),
        lang: "ja".to_owned(),
        category: "other".to_owned(),
        importance: "normal".to_owned(),
        deadline: None,
        action_url: None,
        action_label: None,
        expires_at: None,
        posted_at: now_millis() - days_ago * DAY_MS,
        corrected_at: None,
        withdrawn_at: None,
        recipients: Some(1),
    }
}

/// A rule notice for `areas` (comma-separated codes, empty for everywhere) and birth dates in `born`.
fn rule(agency: AgencyId, title: &str, areas: &str, born: (Option<&str>, Option<&str>)) -> Notice {
    Notice {
        audience: AUDIENCE_RULE.to_owned(),
        rule_areas: areas.to_owned(),
        rule_born_from: born.0.map(str::to_owned),
        rule_born_to: born.1.map(str::to_owned),
        recipients: None,
        ..notice(agency, title, 1)
    }
}

/// Stores `row`, listed to `to`.
pub(crate) async fn post(app: &TestApp, row: Notice, to: &[CitizenId]) -> NoticeId {
    let id = row.id;
    let to = to.to_vec();
    app.state
        .db
        .run(move |c| {
            Notice::insert(c, &row)?;
            for citizen in to {
                inbox::add_to_list(c, id, citizen)?;
            }
            Ok(())
        })
        .await
        .expect("post notice");
    changed(app).await;
    id
}

/// Names `to` on the large list `row` by its agency's pseudonyms, as posting a list of
/// [`portal_storage::models::notice::LARGE_LIST_FROM`] names or more stores it (and stores `row` first when
/// `fresh`). Returns how many were added.
async fn list_large(app: &TestApp, row: &Notice, to: &[CitizenId], fresh: bool) -> usize {
    let (row, to) = (row.clone(), to.to_vec());
    let added = app
        .state
        .db
        .run(move |c| {
            transaction(c, |c| {
                let agency = Agency::find(c, row.agency_id)?.expect("agency");
                let pairs: Vec<(&Agency, CitizenId)> = to.iter().map(|id| (&agency, *id)).collect();
                let pseudonyms = portal_server::services::agencies::enrol(c, &pairs)?;
                if fresh {
                    Notice::insert(c, &row)?;
                }
                Notice::add_listed(c, &row, &pseudonyms, fresh)
            })
        })
        .await
        .expect("list");
    changed(app).await;
    added
}

/// What the portal's own posting does: cached unread counts are counted again.
async fn changed(app: &TestApp) {
    app.state
        .sessions()
        .notices_changed()
        .await
        .expect("notices changed");
}

/// Moves the citizen and changes their birth date (cards issued in the tests all say 千代田区, 1990-04-01).
async fn relocate(app: &TestApp, citizen: CitizenId, municipality: &str, born: &str) {
    let (municipality, born) = (municipality.to_owned(), born.to_owned());
    app.state
        .db
        .run(move |c| {
            with_conn!(c, |c| diesel::update(citizens::table.find(citizen))
                .set((
                    citizens::municipality_code.eq(&municipality),
                    citizens::birth_date.eq(&born),
                ))
                .execute(c))?;
            Ok(())
        })
        .await
        .expect("relocate");
    changed(app).await;
}

async fn withdraw(app: &TestApp, id: NoticeId, at: i64) {
    app.state
        .db
        .run(move |c| Notice::withdraw(c, id, at))
        .await
        .expect("withdraw");
    changed(app).await;
}

fn csrf(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("a form") + marker.len();
    let end = html[start..].find('"').expect("quote") + start;
    html[start..end].to_owned()
}

/// Posts the archive (or unarchive) button of the notice page `html`.
async fn press(
    app: &TestApp,
    citizen: &Citizen,
    html: &str,
    id: NoticeId,
    action: &str,
) -> reqwest::Response {
    citizen
        .browser
        .post(app.url(&format!("/notices/{id}/{action}")))
        .form(&[("csrf_token", csrf(html))])
        .send()
        .await
        .expect("POST")
}

/// The header's link to お知らせ, as its text says it.
fn header_count(html: &str) -> &str {
    let marker = "class=\"header__notices\">";
    let start = html.find(marker).expect("header link") + marker.len();
    &html[start..start + html[start..].find('<').expect("end")]
}

/// The titles listed, in order.
fn listed(html: &str) -> Vec<String> {
    html.match_indices("<span lang=\"")
        .filter_map(|(at, _)| {
            let rest = &html[at..];
            let start = rest.find('>')? + 1;
            let end = rest.find("</span></a></h3>")?;
            (start < end).then(|| rest[start..end].to_owned())
        })
        .collect()
}

#[actix_web::test]
async fn signed_out_visitors_are_sent_to_sign_in() {
    let app = TestApp::start().await;
    let id = NoticeId::new();
    for path in ["/notices".to_owned(), format!("/notices/{id}")] {
        let res = app.get(&path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.headers()["location"], "/sign-in", "{path}");
    }
}

#[actix_web::test]
async fn a_list_notice_reaches_only_those_listed() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let (hanako, taro) = (
        Citizen::sign_in(&app, "山田 花子").await,
        Citizen::sign_in(&app, "佐藤 太郎").await,
    );
    let empty = hanako.html(&app, "/notices", StatusCode::OK).await;
    assert_eq!(title(&empty), "お知らせ - マイナポータル");
    assert!(
        empty.contains("お知らせはまだ届いていません。"),
        "says none came"
    );
    assert!(!empty.contains("条件に合うお知らせはありません"));
    assert_eq!(header_count(&empty), "お知らせ（未読 0件）");
    assert!(empty.contains(
        "<a class=\"service-navigation__link\" href=\"/notices\" aria-current=\"page\">お知らせ</a>"
    ));

    let hers = post(&app, notice(agencies["nta"], "花子さんへ", 1), &[hanako.id]).await;
    let html = hanako.html(&app, "/notices", StatusCode::OK).await;
    assert_eq!(listed(&html), ["花子さんへ"]);
    assert!(html.contains(&format!("href=\"/notices/{hers}\"")));
    assert!(html.contains("国税庁"), "names the sender");
    assert!(
        html.contains("<span class=\"visually-hidden\">未読：</span>"),
        "unread is said in words to screen readers"
    );
    assert_eq!(header_count(&html), "お知らせ（未読 1件）");
    let elsewhere = hanako.html(&app, "/my-data", StatusCode::OK).await;
    assert_eq!(
        header_count(&elsewhere),
        "お知らせ（未読 1件）",
        "every signed-in page"
    );

    let theirs = taro.html(&app, "/notices", StatusCode::OK).await;
    assert!(listed(&theirs).is_empty());
    assert_eq!(header_count(&theirs), "お知らせ（未読 0件）");
    let page = taro.get(&app, &format!("/notices/{hers}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "another's notice");
    for path in [
        "/notices/not-an-id",
        &format!("/notices/{}", NoticeId::new()),
    ] {
        assert_eq!(hanako.get(&app, path).await.status, StatusCode::NOT_FOUND);
    }
    let mut html = taro.html(&app, "/notices", StatusCode::OK).await;
    let res = press(&app, &taro, &html, hers, "archive").await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "cannot archive another's"
    );
    html = hanako.html(&app, "/notices", StatusCode::OK).await;
    assert_eq!(listed(&html), ["花子さんへ"], "still hers, untouched");
    assert!(html.contains("未読："));
}

#[actix_web::test]
async fn a_large_list_is_stored_once_and_reaches_only_those_it_names() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let (hanako, taro, jiro) = (
        Citizen::sign_in(&app, "山田 花子").await,
        Citizen::sign_in(&app, "佐藤 太郎").await,
        Citizen::sign_in(&app, "鈴木 次郎").await,
    );
    let row = Notice {
        audience: AUDIENCE_LARGE_LIST.to_owned(),
        ..notice(agencies["nta"], "大勢へ", 1)
    };
    let id = row.id;
    // A name given twice is listed once.
    assert_eq!(
        list_large(&app, &row, &[hanako.id, jiro.id, hanako.id], true).await,
        2
    );
    let chunks = app
        .state
        .db
        .run(move |c| {
            use portal_storage::schema::notice_list_chunks as k;
            Ok(with_conn!(c, |c| k::table
                .filter(k::notice_id.eq(id))
                .select((k::size, k::citizens))
                .load::<(i32, String)>(c))?)
        })
        .await
        .expect("chunks");
    assert_eq!(
        chunks.iter().map(|(size, _)| size).sum::<i32>(),
        2,
        "stored in chunks, not a row per citizen"
    );
    assert!(
        chunks
            .iter()
            .any(|(_, ids)| ids.contains(&hanako.id.to_string()))
    );

    for (citizen, count) in [
        (&hanako, "お知らせ（未読 1件）"),
        (&jiro, "お知らせ（未読 1件）"),
    ] {
        let html = citizen.html(&app, "/notices", StatusCode::OK).await;
        assert_eq!(listed(&html), ["大勢へ"]);
        assert_eq!(header_count(&html), count);
    }
    let theirs = taro.html(&app, "/notices", StatusCode::OK).await;
    assert!(listed(&theirs).is_empty(), "not named");
    assert_eq!(header_count(&theirs), "お知らせ（未読 0件）");
    assert_eq!(
        taro.get(&app, &format!("/notices/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    // An addition skips those already listed.
    assert_eq!(
        list_large(&app, &row, &[taro.id, hanako.id], false).await,
        1
    );
    let now_theirs = taro.html(&app, "/notices", StatusCode::OK).await;
    assert_eq!(listed(&now_theirs), ["大勢へ"]);
    let named = app
        .state
        .db
        .run(move |c| {
            [hanako.id, taro.id, jiro.id, CitizenId::new()]
                .into_iter()
                .map(|citizen| is_listed(c, id, citizen))
                .collect::<Result<Vec<bool>, _>>()
        })
        .await
        .expect("listed");
    assert_eq!(named, [true, true, true, false]);

    // Reading and archiving work as for a broadcast: the citizen's own row, written when they act.
    let page = hanako
        .html(&app, &format!("/notices/{id}"), StatusCode::OK)
        .await;
    assert_eq!(header_count(&page), "お知らせ（未読 0件）");
    assert_eq!(
        header_count(&jiro.html(&app, "/notices", StatusCode::OK).await),
        "お知らせ（未読 1件）",
        "another's reading is not theirs"
    );
    let res = press(&app, &hanako, &page, id, "archive").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(listed(&hanako.html(&app, "/notices", StatusCode::OK).await).is_empty());
    let archive = hanako
        .html(&app, "/notices?view=archive", StatusCode::OK)
        .await;
    assert_eq!(listed(&archive), ["大勢へ"]);
    let read = app
        .state
        .db
        .run(move |c| Notice::read_count(c, id))
        .await
        .expect("read count");
    assert_eq!(read, 1);
}

#[actix_web::test]
async fn the_header_count_is_kept_in_the_session_until_notices_change() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let first = citizen.html(&app, "/my-data", StatusCode::OK).await;
    assert_eq!(header_count(&first), "お知らせ（未読 0件）");

    // Stored behind the portal's back: the session's count stands, no database trip is made for it …
    let row = notice(agencies["nta"], "こっそり届いたお知らせ", 1);
    let id = row.id;
    let to = citizen.id;
    app.state
        .db
        .run(move |c| {
            Notice::insert(c, &row)?;
            inbox::add_to_list(c, id, to)
        })
        .await
        .expect("store");
    let cached = citizen.html(&app, "/my-data", StatusCode::OK).await;
    assert_eq!(header_count(&cached), "お知らせ（未読 0件）");

    // … until a notice changes anywhere, as posting through the portal records.
    changed(&app).await;
    let counted = citizen.html(&app, "/my-data", StatusCode::OK).await;
    assert_eq!(header_count(&counted), "お知らせ（未読 1件）");

    // Reading it counts again at once.
    let opened = citizen
        .html(&app, &format!("/notices/{id}"), StatusCode::OK)
        .await;
    assert_eq!(header_count(&opened), "お知らせ（未読 0件）");
    let after = citizen.html(&app, "/my-data", StatusCode::OK).await;
    assert_eq!(header_count(&after), "お知らせ（未読 0件）");
}

#[actix_web::test]
async fn rule_notices_match_by_municipality_and_age() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let (chiyoda, osaka) = (
        Citizen::sign_in(&app, "千代田 一郎").await,
        Citizen::sign_in(&app, "大阪 二郎").await,
    );
    relocate(&app, osaka.id, "271276", "1955-06-15").await;
    let ward = agencies["131016"];
    post(&app, rule(ward, "全国のみなさんへ", "", (None, None)), &[]).await;
    post(
        &app,
        rule(ward, "千代田区のみなさんへ", "131016", (None, None)),
        &[],
    )
    .await;
    post(
        &app,
        rule(
            ward,
            "大阪市北区と札幌市中央区へ",
            "011011,271276",
            (None, None),
        ),
        &[],
    )
    .await;
    // A code that merely contains another is a different place.
    post(
        &app,
        rule(ward, "似た番号の町へ", "1310161", (None, None)),
        &[],
    )
    .await;
    post(
        &app,
        rule(ward, "65歳以上の方へ", "", (None, Some("1961-12-31"))),
        &[],
    )
    .await;
    post(
        &app,
        rule(
            ward,
            "1990年生まれの方へ",
            "",
            (Some("1990-01-01"), Some("1990-12-31")),
        ),
        &[],
    )
    .await;
    post(
        &app,
        rule(
            ward,
            "1990年4月2日以降生まれの方へ",
            "",
            (Some("1990-04-02"), None),
        ),
        &[],
    )
    .await;

    let html = chiyoda.html(&app, "/notices", StatusCode::OK).await;
    let mut seen = listed(&html);
    seen.sort();
    let mut expected = [
        "全国のみなさんへ",
        "千代田区のみなさんへ",
        "1990年生まれの方へ",
    ];
    expected.sort_unstable();
    assert_eq!(seen, expected, "born 1990-04-01 in 千代田区");
    assert_eq!(header_count(&html), "お知らせ（未読 3件）");

    let html = osaka.html(&app, "/notices", StatusCode::OK).await;
    let mut seen = listed(&html);
    seen.sort();
    let mut expected = [
        "全国のみなさんへ",
        "大阪市北区と札幌市中央区へ",
        "65歳以上の方へ",
    ];
    expected.sort_unstable();
    assert_eq!(seen, expected, "born 1955 in 大阪市北区");
    assert_eq!(header_count(&html), "お知らせ（未読 3件）");

    // Reading a rule notice counts for the reader only.
    let everyone = html
        .split("href=\"/notices/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a notice link")
        .to_owned();
    let opened = osaka
        .html(&app, &format!("/notices/{everyone}"), StatusCode::OK)
        .await;
    assert_eq!(header_count(&opened), "お知らせ（未読 2件）");
    let other = chiyoda.html(&app, "/notices", StatusCode::OK).await;
    assert_eq!(header_count(&other), "お知らせ（未読 3件）");
}

#[actix_web::test]
async fn withdrawn_and_expired_notices_leave_the_inbox() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let jps = agencies["jps"];
    let withdrawn = post(&app, notice(jps, "取り下げるお知らせ", 3), &[citizen.id]).await;
    let expired = post(
        &app,
        Notice {
            expires_at: Some(now_millis() - 1000),
            ..notice(jps, "期限切れのお知らせ", 3)
        },
        &[citizen.id],
    )
    .await;
    post(
        &app,
        Notice {
            expires_at: Some(now_millis() + DAY_MS),
            ..notice(jps, "まだ有効なお知らせ", 3)
        },
        &[citizen.id],
    )
    .await;
    let withdrawn_rule = post(&app, rule(jps, "取り下げる全国向け", "", (None, None)), &[]).await;
    // 2026-11-20 12:00 in Japan.
    withdraw(&app, withdrawn, 1_795_143_600_000).await;
    withdraw(&app, withdrawn_rule, now_millis()).await;

    let html = citizen.html(&app, "/notices", StatusCode::OK).await;
    assert_eq!(listed(&html), ["まだ有効なお知らせ"]);
    assert_eq!(header_count(&html), "お知らせ（未読 1件）");

    let gone = citizen
        .html(&app, &format!("/notices/{withdrawn}"), StatusCode::GONE)
        .await;
    assert_eq!(
        title(&gone),
        "エラー: このお知らせは取り下げられました - マイナポータル"
    );
    assert!(gone.contains("このお知らせは、2026年11月20日に日本年金機構が取り下げました。"));
    assert!(
        gone.contains("取り下げるお知らせ"),
        "says which notice it was"
    );
    assert!(!gone.contains("本文です。"), "the text itself is gone");
    citizen.use_english(&app).await;
    let gone = citizen
        .html(&app, &format!("/notices/{withdrawn}"), StatusCode::GONE)
        .await;
    assert!(gone.contains("Japan Pension Service withdrew this notice on 20 November 2026."));

    assert_eq!(
        citizen
            .get(&app, &format!("/notices/{expired}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn opening_marks_read_and_archiving_moves_it_away_and_back() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let cfa = agencies["cfa"];
    let first = post(&app, notice(cfa, "一通目", 2), &[citizen.id]).await;
    post(&app, notice(cfa, "二通目", 1), &[citizen.id]).await;
    let everyone = post(&app, rule(cfa, "全員へ", "", (None, None)), &[]).await;

    let html = citizen.html(&app, "/notices", StatusCode::OK).await;
    assert_eq!(
        listed(&html),
        ["全員へ", "二通目", "一通目"],
        "newest first"
    );
    assert_eq!(header_count(&html), "お知らせ（未読 3件）");

    let page = citizen
        .html(&app, &format!("/notices/{first}"), StatusCode::OK)
        .await;
    assert_eq!(title(&page), "一通目 - お知らせ - マイナポータル");
    assert_eq!(
        header_count(&page),
        "お知らせ（未読 2件）",
        "counted after opening"
    );
    let read_at = || async {
        app.state
            .db
            .run(move |c| {
                let addressee = inbox::Addressee::load(c, citizen.id)?.expect("citizen");
                Ok(inbox::open(c, &addressee, first)?.and_then(|i| i.read_at))
            })
            .await
            .expect("read_at")
    };
    let first_read = read_at().await.expect("marked read");
    citizen
        .html(&app, &format!("/notices/{first}"), StatusCode::OK)
        .await;
    assert_eq!(
        read_at().await,
        Some(first_read),
        "keeps the first read time"
    );

    // Without the form's token nothing happens.
    let refused = citizen
        .browser
        .post(app.url(&format!("/notices/{first}/archive")))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .expect("POST");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let res = press(&app, &citizen, &page, first, "archive").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(back, format!("/notices/{first}?done=archived"));
    let done = citizen.html(&app, &back, StatusCode::OK).await;
    assert!(
        done.contains("このお知らせをアーカイブしました。"),
        "confirms"
    );
    assert!(done.contains(&format!("action=\"/notices/{first}/unarchive\"")));
    let inbox_html = citizen.html(&app, "/notices", StatusCode::OK).await;
    assert_eq!(listed(&inbox_html), ["全員へ", "二通目"]);
    let archive = citizen
        .html(&app, "/notices?view=archive", StatusCode::OK)
        .await;
    assert_eq!(title(&archive), "アーカイブ - お知らせ - マイナポータル");
    assert_eq!(listed(&archive), ["一通目"]);

    // A rule notice can be archived unread: it leaves the count.
    let rule_page = citizen
        .html(&app, &format!("/notices/{everyone}"), StatusCode::OK)
        .await;
    let res = press(&app, &citizen, &rule_page, everyone, "archive").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let archive = citizen
        .html(&app, "/notices?view=archive", StatusCode::OK)
        .await;
    assert_eq!(listed(&archive), ["全員へ", "一通目"]);
    assert_eq!(header_count(&archive), "お知らせ（未読 1件）");

    let res = press(&app, &citizen, &done, first, "unarchive").await;
    assert_eq!(
        res.headers()["location"],
        format!("/notices/{first}?done=unarchived").as_str()
    );
    let restored = citizen
        .html(
            &app,
            &format!("/notices/{first}?done=unarchived"),
            StatusCode::OK,
        )
        .await;
    assert!(restored.contains("このお知らせを受信箱に戻しました。"));
    let inbox_html = citizen.html(&app, "/notices", StatusCode::OK).await;
    assert_eq!(listed(&inbox_html), ["二通目", "一通目"]);
    assert!(
        !citizen
            .html(
                &app,
                &format!("/notices/{first}?done=archived"),
                StatusCode::OK
            )
            .await
            .contains("アーカイブしました"),
        "a stale confirmation is not shown"
    );
}

#[actix_web::test]
async fn the_filter_and_search_narrow_the_list() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let me = [citizen.id];
    let tax = post(
        &app,
        Notice {
            category: "tax".to_owned(),
            body: "Please file your Tax Return by March.".to_owned(),
            lang: "en".to_owned(),
            ..notice(agencies["nta"], "Tax return", 5)
        },
        &me,
    )
    .await;
    post(
        &app,
        Notice {
            category: "pension".to_owned(),
            body: "年金額が100%改定されます。".to_owned(),
            ..notice(agencies["jps"], "年金額の改定", 4)
        },
        &me,
    )
    .await;
    post(
        &app,
        Notice {
            category: "tax".to_owned(),
            body: "住民税_決定のお知らせ".to_owned(),
            ..notice(agencies["131016"], "住民税の決定", 3)
        },
        &me,
    )
    .await;
    citizen
        .html(&app, &format!("/notices/{tax}"), StatusCode::OK)
        .await;

    let cases: &[(&str, &[&str])] = &[
        ("", &["住民税の決定", "年金額の改定", "Tax return"]),
        ("?unread=1", &["住民税の決定", "年金額の改定"]),
        ("?category=tax", &["住民税の決定", "Tax return"]),
        ("?agency=jps", &["年金額の改定"]),
        ("?category=tax&agency=nta", &["Tax return"]),
        ("?words=tax+RETURN", &["Tax return"]),
        ("?words=march", &["Tax return"]),
        ("?words=%E5%B9%B4%E9%87%91", &["年金額の改定"]),
        ("?words=100%25", &["年金額の改定"]),
        // The wildcards of LIKE are taken as typed.
        ("?words=%25", &["年金額の改定"]),
        ("?words=_", &["住民税の決定"]),
        (
            "?words=%E4%BD%8F%E6%B0%91%E7%A8%8E%E3%80%80%E6%B1%BA%E5%AE%9A",
            &["住民税の決定"],
        ),
        ("?unread=1&category=tax&agency=nta", &[]),
        ("?category=no_such_category", &[]),
    ];
    for (query, expected) in cases {
        let html = citizen
            .html(&app, &format!("/notices{query}"), StatusCode::OK)
            .await;
        assert_eq!(listed(&html), *expected, "{query}");
        if expected.is_empty() {
            assert!(
                html.contains("条件に合うお知らせはありません。"),
                "says the filter is why: {query}"
            );
            assert!(html.contains(">絞り込みを解除する</a>"));
        }
    }

    let html = citizen
        .html(&app, "/notices?agency=jps&words=%E5%B9%B4", StatusCode::OK)
        .await;
    assert!(html.contains("<option value=\"jps\" selected>日本年金機構</option>"));
    assert!(html.contains("value=\"年\""), "keeps what was typed");
    assert_eq!(
        count(&html, "<option value=\""),
        4 + 7,
        "all and the three senders; all and six categories"
    );
    assert_eq!(
        citizen.get(&app, "/notices?page=2").await.status,
        StatusCode::NOT_FOUND,
        "past the last page"
    );
    assert_eq!(
        citizen.get(&app, "/notices?page=x").await.status,
        StatusCode::NOT_FOUND
    );
    let archive = citizen
        .html(&app, "/notices?view=archive", StatusCode::OK)
        .await;
    assert!(archive.contains("アーカイブしたお知らせはありません。"));
}

#[actix_web::test]
async fn a_long_inbox_has_pages_that_keep_the_filter() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let rows: Vec<Notice> = (0..23)
        .map(|i| Notice {
            category: "health".to_owned(),
            ..notice(agencies["mhlw"], &format!("お知らせ{i:02}"), 30 - i)
        })
        .collect();
    for row in rows {
        post(&app, row, &[citizen.id]).await;
    }
    let html = citizen
        .html(&app, "/notices?category=health", StatusCode::OK)
        .await;
    assert_eq!(listed(&html).len(), 20);
    assert_eq!(listed(&html)[0], "お知らせ22");
    assert!(html.contains("23件中 1件目から20件目"));
    assert!(html.contains("href=\"?category=health&#38;page=2\""));
    let second = citizen
        .html(&app, "/notices?category=health&page=2", StatusCode::OK)
        .await;
    assert_eq!(listed(&second), ["お知らせ02", "お知らせ01", "お知らせ00"]);
    assert_eq!(title(&second), "お知らせ（2ページ目） - マイナポータル");
}

#[actix_web::test]
async fn a_notice_is_shown_safely_in_its_own_language() {
    let app = TestApp::start().await;
    let agencies = registry(&app).await;
    let citizen = Citizen::sign_in(&app, "山田 花子").await;
    let id = post(
        &app,
        Notice {
            lang: "en".to_owned(),
            importance: "high".to_owned(),
            category: "benefits".to_owned(),
            deadline: Some("2027-03-31".to_owned()),
            action_url: Some("https://www.example.com/apply?a=1&b=2".to_owned()),
            action_label: Some("Apply now".to_owned()),
            corrected_at: Some(1_795_143_600_000),
            body: "Dear <b>citizen</b>,\r\n<script>alert(1)</script>\n\nSee https://www.example.com/x?y=1&z=\"2\" for more.\nThanks."
                .to_owned(),
            ..notice(agencies["digital"], "Benefit <update>", 2)
        },
        &[citizen.id],
    )
    .await;
    let list = citizen.html(&app, "/notices", StatusCode::OK).await;
    assert!(list.contains("<span class=\"visually-hidden\">未読、重要、訂正あり：</span><span lang=\"en\">Benefit &#60;update&#62;</span>"));
    assert!(list.contains(">重要</strong>") && list.contains(">訂正あり</strong>"));
    assert!(list.contains("2027年3月31日"), "the deadline");

    let html = citizen
        .html(&app, &format!("/notices/{id}"), StatusCode::OK)
        .await;
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"),
        "chrome in Japanese"
    );
    assert!(html.contains("<h1 class=\"heading-xl\" lang=\"en\">Benefit &#60;update&#62;</h1>"));
    assert!(html.contains("<div class=\"notice-body\" lang=\"en\">"));
    assert!(
        !html.contains("<script>alert"),
        "markup in the text is not markup"
    );
    assert!(!html.contains("<b>citizen"));
    assert!(html.contains(
        "<p>Dear &#60;b&#62;citizen&#60;/b&#62;,<br>&#60;script&#62;alert(1)&#60;/script&#62;</p>"
    ));
    assert!(html.contains(
        "<p>See <a class=\"link\" href=\"https://www.example.com/x?y=1&#38;z=\">https://www.example.com/x?y=1&#38;z=</a>&#34;2&#34; for more.<br>Thanks.</p>"
    ));
    assert!(html.contains("このお知らせは、2026年11月20日に訂正されました。"));
    assert!(
        html.contains(
            "href=\"https://www.example.com/apply?a=1&#38;b=2\" lang=\"en\">Apply now</a>"
        )
    );
    for fact in ["デジタル庁", "給付・手当", "2027年3月31日", ">重要<"] {
        assert!(html.contains(fact), "{fact}");
    }

    citizen.use_english(&app).await;
    let english = citizen
        .html(&app, &format!("/notices/{id}"), StatusCode::OK)
        .await;
    assert!(english.contains("This notice was corrected on 20 November 2026."));
    assert!(english.contains("Benefits and allowances"));
    assert_eq!(header_count(&english), "Notices (0 unread)");
    let list = citizen.html(&app, "/notices", StatusCode::OK).await;
    assert!(list.contains("<span class=\"visually-hidden\">Important, Corrected: </span>"));
    assert!(title(&list).starts_with("Notices - "));
}

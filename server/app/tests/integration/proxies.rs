//! 代理人: a principal names a proxy with a scope and a last day; the proxy accepts with the one-time code
//! after signing in with their own card; only the principal ends it; a code opens nothing once used,
//! withdrawn or expired.

use diesel::prelude::*;
use portal_server::services::proxies::{self, MAX_RUNNING, Refusal};
use portal_storage::models::proxy::Proxy;
use portal_storage::schema::proxies as table;
use portal_storage::{now_millis, with_conn};

use crate::common::TestApp;
use crate::own_data::{Citizen, between, post};
use reqwest::StatusCode;

fn in_days(days: i64) -> String {
    portal_server::japan_today()
        .saturating_add(time::Duration::days(days))
        .to_string()
}

async fn stored(app: &TestApp, id: portal_storage::ids::ProxyId) -> Proxy {
    app.state
        .db
        .run(move |c| {
            Ok(with_conn!(c, |c| table::table
                .find(id)
                .select(Proxy::as_select())
                .first(c))?)
        })
        .await
        .expect("row")
}

#[actix_web::test]
async fn a_proxy_accepts_with_their_own_card_and_only_the_principal_ends_it() {
    let app = TestApp::start().await;
    let parent = Citizen::sign_in(&app, "山田 花子").await;
    let child = Citizen::sign_in(&app, "山田 太郎").await;
    let stranger = Citizen::sign_in(&app, "佐藤 一郎").await;

    let refused = proxies::invite(&app.state, parent.id, "", "2020-01-01")
        .await
        .expect("invite")
        .expect_err("an empty scope and a past day");
    let fields: Vec<_> = refused.iter().map(|e| (e.field, e.reason)).collect();
    assert_eq!(fields, [("scope", "choose"), ("ends_on", "past")]);

    let invited = proxies::invite(&app.state, parent.id, "act", &in_days(90))
        .await
        .expect("invite")
        .expect("valid");
    let row = stored(&app, invited.proxy.id).await;
    let hash = row.invitation_hash.clone().expect("hash kept");
    assert!(
        !hash.contains(&invited.code) && !hash.contains(&invited.code.replace('-', "")),
        "only the code's hash is stored"
    );
    assert_eq!(row.proxy_id, None);

    // Not one's own proxy.
    let own = proxies::accept(&app.state, parent.id, &invited.code)
        .await
        .expect("accept");
    assert_eq!(own.err(), Some(Refusal::Own));

    // Typed loosely (lower case, spaces for hyphens), it still opens the invitation.
    let typed = invited.code.to_lowercase().replace('-', " ");
    let (shown, name) = proxies::invitation(&app.state, child.id, &typed)
        .await
        .expect("look")
        .expect("open");
    assert_eq!((shown.scope.as_str(), name.as_str()), ("act", "山田 花子"));
    let (accepted, _) = proxies::accept(&app.state, child.id, &typed)
        .await
        .expect("accept")
        .expect("accepted");
    assert_eq!(accepted.proxy_id, Some(child.id));
    assert_eq!(stored(&app, accepted.id).await.invitation_hash, None);
    assert_eq!(
        proxies::scope_for(&app.state, parent.id, child.id)
            .await
            .expect("scope")
            .as_deref(),
        Some("act")
    );

    // Used once, the code opens nothing, for anyone.
    for who in [&stranger, &child] {
        let again = proxies::accept(&app.state, who.id, &invited.code)
            .await
            .expect("accept");
        assert_eq!(again.err(), Some(Refusal::Unknown));
    }

    // Both see it, with the other's name.
    let mine = proxies::overview(&app.state, parent.id)
        .await
        .expect("overview");
    assert_eq!(mine.given.len(), 1);
    assert_eq!(mine.given[0].other.as_deref(), Some("山田 太郎"));
    assert!(mine.held.is_empty());
    let theirs = proxies::overview(&app.state, child.id)
        .await
        .expect("overview");
    assert_eq!(theirs.held[0].other.as_deref(), Some("山田 花子"));

    // A second invitation from the same principal cannot be accepted by someone already their proxy.
    let second = proxies::invite(&app.state, parent.id, "read", &in_days(30))
        .await
        .expect("invite")
        .expect("valid");
    let again = proxies::accept(&app.state, child.id, &second.code)
        .await
        .expect("accept");
    assert_eq!(again.err(), Some(Refusal::Already));

    // Only the principal ends it.
    for who in [&child, &stranger] {
        assert!(
            !proxies::end(&app.state, who.id, accepted.id)
                .await
                .expect("end"),
        );
    }
    assert!(
        proxies::scope_for(&app.state, parent.id, child.id)
            .await
            .expect("scope")
            .is_some()
    );
    assert!(
        proxies::end(&app.state, parent.id, accepted.id)
            .await
            .expect("end")
    );
    assert_eq!(
        proxies::scope_for(&app.state, parent.id, child.id)
            .await
            .expect("scope"),
        None
    );
    assert!(
        !proxies::end(&app.state, parent.id, accepted.id)
            .await
            .expect("end"),
        "ended once"
    );
}

#[actix_web::test]
async fn invitations_expire_or_are_withdrawn_and_a_proxy_ends_after_its_last_day() {
    let app = TestApp::start().await;
    let parent = Citizen::sign_in(&app, "山田 花子").await;
    let child = Citizen::sign_in(&app, "山田 太郎").await;

    let expired = proxies::invite(&app.state, parent.id, "read", &in_days(10))
        .await
        .expect("invite")
        .expect("valid");
    let id = expired.proxy.id;
    app.state
        .db
        .run(move |c| {
            Ok(with_conn!(c, |c| diesel::update(table::table.find(id))
                .set(table::invitation_expires_at.eq(now_millis() - 1))
                .execute(c))?)
        })
        .await
        .expect("age the invitation");
    let late = proxies::accept(&app.state, child.id, &expired.code)
        .await
        .expect("accept");
    assert_eq!(late.err(), Some(Refusal::Unknown));

    let withdrawn = proxies::invite(&app.state, parent.id, "read", &in_days(10))
        .await
        .expect("invite")
        .expect("valid");
    assert!(
        proxies::end(&app.state, parent.id, withdrawn.proxy.id)
            .await
            .expect("withdraw")
    );
    let gone = proxies::accept(&app.state, child.id, &withdrawn.code)
        .await
        .expect("accept");
    assert_eq!(gone.err(), Some(Refusal::Unknown));

    // In force through its last day, not after.
    let today = proxies::invite(&app.state, parent.id, "read", &in_days(0))
        .await
        .expect("invite")
        .expect("today is allowed");
    let (accepted, _) = proxies::accept(&app.state, child.id, &today.code)
        .await
        .expect("accept")
        .expect("accepted");
    assert!(
        proxies::scope_for(&app.state, parent.id, child.id)
            .await
            .expect("scope")
            .is_some()
    );
    let id = accepted.id;
    let yesterday = in_days(-1);
    app.state
        .db
        .run(move |c| {
            Ok(with_conn!(c, |c| diesel::update(table::table.find(id))
                .set(table::ends_on.eq(yesterday))
                .execute(c))?)
        })
        .await
        .expect("pass the last day");
    assert_eq!(
        proxies::scope_for(&app.state, parent.id, child.id)
            .await
            .expect("scope"),
        None
    );
}

#[actix_web::test]
async fn a_citizen_has_at_most_ten_invitations_and_proxies_running() {
    let app = TestApp::start().await;
    let parent = Citizen::sign_in(&app, "山田 花子").await;
    for _ in 0..MAX_RUNNING {
        proxies::invite(&app.state, parent.id, "read", &in_days(30))
            .await
            .expect("invite")
            .expect("valid");
    }
    let refused = proxies::invite(&app.state, parent.id, "read", &in_days(30))
        .await
        .expect("invite")
        .expect_err("one too many");
    assert_eq!((refused[0].field, refused[0].reason), ("scope", "too_many"));
}

/// Names `proxy` as `parent`'s proxy with `scope` through the pages (the code shown once, then typed by the
/// proxy and confirmed), and returns the relation's id from the proxy's list.
pub(crate) async fn appoint(
    app: &TestApp,
    parent: &Citizen,
    proxy: &Citizen,
    scope: &str,
) -> String {
    let last = portal_server::japan_today().saturating_add(time::Duration::days(30));
    let (year, month, day) = (
        last.year().to_string(),
        u8::from(last.month()).to_string(),
        last.day().to_string(),
    );
    let shown = post(
        app,
        parent,
        "/settings/proxies/new",
        "/settings/proxies/new",
        &[
            ("scope", scope),
            ("ends_year", &year),
            ("ends_month", &month),
            ("ends_day", &day),
        ],
    )
    .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    let code = between(&shown.body, "class=\"proxy-code\"", "</strong>")
        .rsplit('>')
        .next()
        .expect("code")
        .to_owned();
    let confirm = post(
        app,
        proxy,
        "/settings/proxies/accept",
        "/settings/proxies/accept",
        &[("code", &code)],
    )
    .await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(confirm.body.contains("山田 花子"), "the principal is named");
    let accepted = post(
        app,
        proxy,
        "/settings/proxies/accept",
        "/settings/proxies/accept/confirm",
        &[("code", &code)],
    )
    .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let list = proxy.html(app, "/settings/proxies", StatusCode::OK).await;
    between(&list, "action=\"/settings/proxies/", "/act\"").to_owned()
}

pub(crate) async fn act_for(app: &TestApp, proxy: &Citizen, relation: &str) {
    let path = format!("/settings/proxies/{relation}/act");
    let switched = post(app, proxy, "/settings/proxies", &path, &[]).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER, "{}", switched.body);
    assert_eq!(switched.location(), "/my-page");
}

#[actix_web::test]
async fn a_proxy_applies_for_the_parent_who_sees_their_reads_and_ends_it() {
    let app = TestApp::start().await;
    let parent = crate::apply::parent(&app).await;
    let son = Citizen::sign_in(&app, "山田 一郎").await;
    let relation = appoint(&app, &parent, &son, "act").await;
    act_for(&app, &son, &relation).await;

    // Every page says whom they act for, with the way back.
    let my_page = son.html(&app, "/my-page", StatusCode::OK).await;
    assert!(
        my_page.contains("山田 花子 さんの代理人として操作しています"),
        "{my_page}"
    );
    assert!(my_page.contains("action=\"/settings/proxies/stop\""));
    assert!(
        !my_page.contains("href=\"/account\""),
        "the refund account is not offered"
    );

    // What stays the parent's own is refused, whatever the scope, with the reason.
    for path in [
        "/account",
        "/settings/apps",
        "/settings/email",
        "/settings/proxies/new",
    ] {
        let refused = son.html(&app, path, StatusCode::FORBIDDEN).await;
        assert!(
            refused.contains("代理人はこの操作をできません"),
            "{path}: {refused}"
        );
    }
    let everywhere = post(&app, &son, "/my-page", "/sign-out/everywhere", &[]).await;
    assert_eq!(everywhere.status, StatusCode::FORBIDDEN);
    let parent_page = parent.html(&app, "/my-page", StatusCode::OK).await;
    assert!(
        !parent_page.contains("代理人として操作"),
        "the parent's own session is untouched"
    );

    // The son reads the parent's data: the parent's やりとり履歴 names him.
    let household = son.html(&app, "/my-data/household", StatusCode::OK).await;
    assert!(
        household.contains("山田 太郎"),
        "the parent's records are shown"
    );
    portal_server::services::app_api::fold_history(&app.state.db)
        .await
        .expect("fold");
    let history = parent.html(&app, "/history", StatusCode::OK).await;
    assert!(history.contains("山田 一郎"), "{history}");
    assert!(history.contains("代理人による閲覧"), "{history}");

    // He files the claim for her: it is hers, and the agency sees both people.
    let application = crate::apply::send_claim(&app, &son).await;
    let own_list = parent.html(&app, "/applications", StatusCode::OK).await;
    assert!(own_list.contains(application.trim_start_matches("/applications/")));
    let own = parent.html(&app, &application, StatusCode::OK).await;
    assert!(own.contains("山田 一郎 さんが代理で送信しました"), "{own}");
    assert!(
        own.contains("（代理人: 山田 一郎 さん）"),
        "the history says who sent it"
    );
    let (_, _, client) = crate::agency::setup(&app, "131016").await;
    let token = crate::agency::token(&app, &client).await;
    let listed = crate::agency::graphql(
        &app,
        &token,
        "{ applications(form: \"child_allowance\") { citizen actedBy { citizen name } events { actor actedByName } } }",
        serde_json::json!({}),
    )
    .await;
    let row = &listed["data"]["applications"][0];
    assert_eq!(row["actedBy"]["name"], "山田 一郎", "{listed}");
    assert_ne!(
        row["actedBy"]["citizen"], row["citizen"],
        "two people, two pseudonyms"
    );
    let csv = crate::agency::graphql(
        &app,
        &token,
        "{ exportApplications(form: \"child_allowance\", format: CSV) }",
        serde_json::json!({}),
    )
    .await;
    assert!(
        csv["data"]["exportApplications"]
            .as_str()
            .is_some_and(|csv| csv.contains(",山田 一郎,")),
        "{csv}"
    );

    // The parent ends it: his very next request is refused and he is himself again.
    let path = format!("/settings/proxies/{relation}/end");
    let ended = post(&app, &parent, "/settings/proxies", &path, &[]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.body);
    let refused = son.html(&app, "/applications", StatusCode::FORBIDDEN).await;
    assert!(
        refused.contains("山田 花子 さんの代理人ではなくなりました"),
        "{refused}"
    );
    let own = son.html(&app, "/applications", StatusCode::OK).await;
    assert!(!own.contains("代理人として操作"), "{own}");
    assert!(!own.contains(application.trim_start_matches("/applications/")));
    // And he cannot switch back to acting for her.
    let again = post(
        &app,
        &son,
        "/settings/proxies",
        &format!("/settings/proxies/{relation}/act"),
        &[],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_proxy_who_may_only_read_changes_nothing_and_an_expired_one_nothing_at_all() {
    let app = TestApp::start().await;
    let parent = crate::apply::parent(&app).await;
    let son = Citizen::sign_in(&app, "山田 一郎").await;
    let relation = appoint(&app, &parent, &son, "read").await;
    act_for(&app, &son, &relation).await;

    son.html(&app, "/my-data/household", StatusCode::OK).await;
    let refused = post(&app, &son, "/services", "/apply/child_allowance", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("閲覧だけを任されています"),
        "{}",
        refused.body
    );
    let drafts = parent.html(&app, "/applications", StatusCode::OK).await;
    assert!(
        !drafts.contains("/applications/"),
        "no draft was started: {drafts}"
    );

    // Past its last day, the relation no longer lets him in.
    let id: portal_storage::ids::ProxyId = relation.parse().expect("id");
    let yesterday = in_days(-1);
    app.state
        .db
        .run(move |c| {
            Ok(with_conn!(c, |c| diesel::update(table::table.find(id))
                .set(table::ends_on.eq(&yesterday))
                .execute(c))?)
        })
        .await
        .expect("update");
    let lapsed = son
        .html(&app, "/my-data/household", StatusCode::FORBIDDEN)
        .await;
    assert!(lapsed.contains("代理人ではなくなりました"), "{lapsed}");
}

//! 代理人: a principal names a proxy with a scope and a last day; the proxy accepts with the one-time code
//! after signing in with their own card; only the principal ends it; a code opens nothing once used,
//! withdrawn or expired.

use diesel::prelude::*;
use portal_server::services::proxies::{self, MAX_RUNNING, Refusal};
use portal_storage::models::proxy::Proxy;
use portal_storage::schema::proxies as table;
use portal_storage::{now_millis, with_conn};

use crate::common::TestApp;
use crate::own_data::Citizen;

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

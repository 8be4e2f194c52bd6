use std::time::Duration;

use portal_server::auth::session::{SessionPolicy, Sessions, UnreadCount};
use portal_storage::ids::CitizenId;
use portal_storage::{Kv, now_millis};
use portal_testkit::{TestDb, test_kv};

/// A second handle on the same store, as a restarted server would open it.
fn reopen(kv: &Kv, db: &portal_storage::Db) -> Kv {
    match kv {
        Kv::Database(_) => Kv::Database(db.clone()),
        Kv::Redis { prefix, .. } => {
            Kv::redis(&portal_testkit::redis_url().expect("redis url"), prefix).expect("reconnect")
        }
    }
}

#[tokio::test]
async fn sessions_resume_end_and_survive_a_restart() {
    let test_db = TestDb::new().await;
    for kv in test_kv(&test_db.db) {
        let name = kv.backend_name();
        let sessions = Sessions::new(&kv, SessionPolicy::default());
        let citizen = CitizenId::new();
        let token = sessions.create(citizen).await.expect("create");
        let other = sessions.create(citizen).await.expect("create");
        assert_ne!(token, other, "{name}: every sign-in gets a new token");

        let session = sessions
            .resume(&token)
            .await
            .expect("resume")
            .expect("live session")
            .session;
        assert_eq!(session.citizen_id, citizen.to_string(), "{name}");
        assert!(
            session.idle_seconds_left(&SessionPolicy::default(), now_millis()) > 3600 - 5,
            "{name}"
        );
        assert!(
            sessions
                .resume("not-a-token")
                .await
                .expect("resume")
                .is_none(),
            "{name}"
        );

        let restarted = reopen(&kv, &test_db.db);
        let after_restart = Sessions::new(&restarted, SessionPolicy::default())
            .resume(&token)
            .await
            .expect("resume");
        assert!(after_restart.is_some(), "{name}: a restart keeps sessions");

        sessions.end(&token).await.expect("end");
        assert!(
            sessions.resume(&token).await.expect("resume").is_none(),
            "{name}: signed out"
        );
        assert!(
            sessions.resume(&other).await.expect("resume").is_some(),
            "{name}: other session untouched"
        );
    }
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_older_session_of_that_citizen_only() {
    let test_db = TestDb::new().await;
    for kv in test_kv(&test_db.db) {
        let name = kv.backend_name();
        let sessions = Sessions::new(&kv, SessionPolicy::default());
        let (alice, bob) = (CitizenId::new(), CitizenId::new());
        let phone = sessions.create(alice).await.expect("create");
        let laptop = sessions.create(alice).await.expect("create");
        let bobs = sessions.create(bob).await.expect("create");

        sessions.end_all(alice).await.expect("end all");
        assert!(
            sessions.resume(&phone).await.expect("resume").is_none(),
            "{name}"
        );
        assert!(
            sessions.resume(&laptop).await.expect("resume").is_none(),
            "{name}"
        );
        assert!(
            sessions.resume(&bobs).await.expect("resume").is_some(),
            "{name}: other citizens unaffected"
        );

        tokio::time::sleep(Duration::from_millis(5)).await;
        let fresh = sessions.create(alice).await.expect("create");
        assert!(
            sessions.resume(&fresh).await.expect("resume").is_some(),
            "{name}: signing in again works"
        );
    }
}

#[tokio::test]
async fn sessions_are_stored_under_a_digest_of_the_token() {
    let test_db = TestDb::new().await;
    let kv = Kv::Database(test_db.db.clone());
    let token = Sessions::new(&kv, SessionPolicy::default())
        .create(CitizenId::new())
        .await
        .expect("create");
    assert!(
        kv.get(&format!("session:{token}"))
            .await
            .expect("get")
            .is_none(),
        "raw token is not a key"
    );
}

#[tokio::test]
async fn an_idle_session_ends_and_activity_keeps_it_alive() {
    let test_db = TestDb::new().await;
    let policy = SessionPolicy {
        idle: Duration::from_millis(1500),
        ..SessionPolicy::default()
    };
    for kv in test_kv(&test_db.db) {
        let name = kv.backend_name();
        let sessions = Sessions::new(&kv, policy);
        let idle = sessions.create(CitizenId::new()).await.expect("create");
        let active = sessions.create(CitizenId::new()).await.expect("create");
        tokio::time::sleep(Duration::from_millis(900)).await;
        let mut session = sessions
            .resume(&active)
            .await
            .expect("resume")
            .expect("live")
            .session;
        sessions
            .extend(&active, &mut session)
            .await
            .expect("extend");
        tokio::time::sleep(Duration::from_millis(900)).await;
        assert!(
            sessions.resume(&idle).await.expect("resume").is_none(),
            "{name}: idle session ended"
        );
        assert!(
            sessions.resume(&active).await.expect("resume").is_some(),
            "{name}: extended session lives"
        );
    }
}

#[tokio::test]
async fn what_pages_cache_is_kept_with_the_session_and_notices_outdate_the_count() {
    let test_db = TestDb::new().await;
    for kv in test_kv(&test_db.db) {
        let backend = kv.backend_name();
        let sessions = Sessions::new(&kv, SessionPolicy::default());
        let token = sessions.create(CitizenId::new()).await.expect("create");
        let mut session = sessions
            .resume(&token)
            .await
            .expect("resume")
            .expect("live")
            .session;
        assert_eq!(
            session.name, None,
            "{backend}: a new session knows no name yet"
        );
        let counted_at = now_millis();
        session.name = Some("山田 花子".to_owned());
        session.unread = Some(UnreadCount {
            count: 3,
            counted_at,
        });
        sessions.store(&token, &session).await.expect("store");
        let again = sessions
            .resume(&token)
            .await
            .expect("resume")
            .expect("live");
        assert_eq!(
            again.session.name.as_deref(),
            Some("山田 花子"),
            "{backend}"
        );
        assert_eq!(
            again.session.created_at, session.created_at,
            "{backend}: the same session"
        );
        assert_eq!(
            again
                .session
                .fresh_unread(again.notices_changed_at, now_millis()),
            Some(3),
            "{backend}: no notice changed since it was counted"
        );
        assert_eq!(
            again
                .session
                .fresh_unread(again.notices_changed_at, counted_at + 61_000),
            None,
            "{backend}: a count over a minute old is counted again"
        );

        sessions.notices_changed().await.expect("changed");
        let after = sessions
            .resume(&token)
            .await
            .expect("resume")
            .expect("live");
        assert!(after.notices_changed_at >= Some(counted_at), "{backend}");
        assert_eq!(
            after
                .session
                .fresh_unread(after.notices_changed_at, now_millis()),
            None,
            "{backend}: a notice posted since outdates the count"
        );

        let mut cached = after.session;
        sessions
            .forget_unread(&token, &mut cached)
            .await
            .expect("forget");
        let forgotten = sessions
            .resume(&token)
            .await
            .expect("resume")
            .expect("live");
        assert_eq!(forgotten.session.unread, None, "{backend}");
        assert_eq!(forgotten.session.name.as_deref(), Some("山田 花子"));
    }
}

//! Storage behaviour, on whichever backend the environment selects (SQLite by default; PostgreSQL when
//! DATABASE_URL is set) and, for the key-value store, on Redis too when REDIS_URL is set.

use std::time::Duration;

use portal_storage::ids::FeedbackId;
use portal_storage::models::feedback::Feedback;
use portal_storage::{Kv, now_millis};
use portal_testkit::{TestDb, test_kv};

fn sample_feedback(reference: &str) -> Feedback {
    Feedback {
        id: FeedbackId::new(),
        reference: reference.to_owned(),
        topic: "problem".to_owned(),
        area: Some("sign_in".to_owned()),
        message: "カードが読み取れません".to_owned(),
        happened_on: Some("2026-11-20".to_owned()),
        reply_email: None,
        name: None,
        lang: "ja".to_owned(),
        created_at: now_millis(),
    }
}

#[tokio::test]
async fn migrations_apply_revert_and_apply_again() {
    let test_db = TestDb::empty();
    let first = test_db.db.migrate().await.expect("migrate up");
    assert!(
        first.len() >= 2,
        "expected the embedded migrations to apply, got {first:?}"
    );
    assert!(
        test_db
            .db
            .migrate()
            .await
            .expect("migrate again")
            .is_empty(),
        "a second run applies nothing"
    );

    let reverted = test_db.db.revert_all().await.expect("migrate down");
    assert_eq!(reverted.len(), first.len());
    let again = test_db.db.migrate().await.expect("migrate up again");
    assert_eq!(again, first);

    // The tables really exist after the second run.
    let row = sample_feedback("FB-TEST-0001");
    test_db
        .db
        .run(move |c| Feedback::insert(c, &row))
        .await
        .expect("insert after re-migration");
}

#[tokio::test]
async fn feedback_round_trips_with_its_typed_id() {
    let test_db = TestDb::new().await;
    let row = sample_feedback("FB-TEST-0002");
    let stored = row.clone();
    test_db
        .db
        .run(move |c| Feedback::insert(c, &stored))
        .await
        .expect("insert");
    let found = test_db
        .db
        .run(|c| Feedback::find_by_reference(c, "FB-TEST-0002"))
        .await
        .expect("query");
    assert_eq!(found, Some(row));
    let missing = test_db
        .db
        .run(|c| Feedback::find_by_reference(c, "FB-NOPE"))
        .await
        .expect("query");
    assert_eq!(missing, None);
}

#[tokio::test]
async fn feedback_reference_is_unique() {
    let test_db = TestDb::new().await;
    let first = sample_feedback("FB-TEST-0003");
    test_db
        .db
        .run(move |c| Feedback::insert(c, &first))
        .await
        .expect("insert");
    let duplicate = sample_feedback("FB-TEST-0003");
    let result = test_db
        .db
        .run(move |c| Feedback::insert(c, &duplicate))
        .await;
    assert!(
        result.is_err(),
        "a second row with the same reference must be refused"
    );
}

#[tokio::test]
async fn ping_answers_when_the_database_is_there() {
    let test_db = TestDb::new().await;
    test_db.db.ping(Duration::from_secs(2)).await.expect("ping");
}

async fn each_kv(check: impl AsyncFn(Kv)) {
    let test_db = TestDb::new().await;
    for kv in test_kv(&test_db.db) {
        check(kv).await;
    }
}

#[tokio::test]
async fn kv_put_get_replace_delete() {
    each_kv(async |kv| {
        let name = kv.backend_name();
        assert_eq!(kv.get("a").await.expect("get"), None, "{name}");
        kv.put("a", "one", Duration::from_secs(60))
            .await
            .expect("put");
        assert_eq!(
            kv.get("a").await.expect("get").as_deref(),
            Some("one"),
            "{name}"
        );
        kv.put("a", "two", Duration::from_secs(60))
            .await
            .expect("replace");
        assert_eq!(
            kv.get("a").await.expect("get").as_deref(),
            Some("two"),
            "{name}"
        );
        kv.delete("a").await.expect("delete");
        assert_eq!(kv.get("a").await.expect("get"), None, "{name}");
        kv.delete("a")
            .await
            .expect("deleting a missing key is fine");
    })
    .await;
}

#[tokio::test]
async fn kv_values_expire() {
    each_kv(async |kv| {
        let name = kv.backend_name();
        kv.put("short", "v", Duration::from_millis(150))
            .await
            .expect("put");
        kv.put("long", "v", Duration::from_secs(60))
            .await
            .expect("put");
        assert!(kv.get("short").await.expect("get").is_some(), "{name}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            kv.get("short").await.expect("get"),
            None,
            "{name}: expired value still readable"
        );
        assert_eq!(
            kv.take("short").await.expect("take"),
            None,
            "{name}: expired value still takeable"
        );
        assert!(kv.get("long").await.expect("get").is_some(), "{name}");
        // Replacing an expired entry works and gets a fresh lifetime.
        kv.put("short", "w", Duration::from_secs(60))
            .await
            .expect("put");
        assert_eq!(
            kv.get("short").await.expect("get").as_deref(),
            Some("w"),
            "{name}"
        );
    })
    .await;
}

#[tokio::test]
async fn kv_get_many_answers_in_the_order_asked() {
    each_kv(async |kv| {
        let name = kv.backend_name();
        kv.put("m1", "one", Duration::from_secs(60))
            .await
            .expect("put");
        kv.put("m3", "three", Duration::from_secs(60))
            .await
            .expect("put");
        kv.put("gone", "x", Duration::from_millis(100))
            .await
            .expect("put");
        tokio::time::sleep(Duration::from_millis(200)).await;
        let found = kv
            .get_many(&["m3", "missing", "m1", "gone"])
            .await
            .expect("get_many");
        assert_eq!(
            found,
            vec![Some("three".to_owned()), None, Some("one".to_owned()), None],
            "{name}"
        );
    })
    .await;
}

#[tokio::test]
async fn kv_take_gives_a_value_to_exactly_one_caller() {
    each_kv(async |kv| {
        let name = kv.backend_name();
        for round in 0..5 {
            let key = format!("challenge-{round}");
            kv.put(&key, "secret", Duration::from_secs(60))
                .await
                .expect("put");
            let racers: Vec<_> = (0..8)
                .map(|_| {
                    let (kv, key) = (kv.clone(), key.clone());
                    tokio::spawn(async move { kv.take(&key).await })
                })
                .collect();
            let mut winners = 0;
            for racer in racers {
                if racer.await.expect("join").expect("take").is_some() {
                    winners += 1;
                }
            }
            assert_eq!(winners, 1, "{name}: round {round}");
            assert_eq!(kv.get(&key).await.expect("get"), None, "{name}");
        }
    })
    .await;
}

#[tokio::test]
async fn kv_counters_count_within_a_window_and_restart_after_it() {
    each_kv(async |kv| {
        let name = kv.backend_name();
        let window = Duration::from_millis(400);
        for expected in 1..=3 {
            assert_eq!(
                kv.incr("tries", window).await.expect("incr"),
                expected,
                "{name}"
            );
        }
        assert_eq!(
            kv.incr("other", window).await.expect("incr"),
            1,
            "{name}: counters are per key"
        );
        // Counters and plain values do not share keys.
        assert_eq!(kv.get("tries").await.expect("get"), None, "{name}");
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(
            kv.incr("tries", window).await.expect("incr"),
            1,
            "{name}: a new window starts at 1"
        );
    })
    .await;
}

#[tokio::test]
async fn kv_counters_are_atomic_under_concurrency() {
    each_kv(async |kv| {
        let name = kv.backend_name();
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let kv = kv.clone();
                tokio::spawn(async move { kv.incr("burst", Duration::from_secs(60)).await })
            })
            .collect();
        let mut seen = Vec::new();
        for task in tasks {
            seen.push(task.await.expect("join").expect("incr"));
        }
        seen.sort_unstable();
        assert_eq!(
            seen,
            (1..=20).collect::<Vec<i64>>(),
            "{name}: every increment counted once"
        );
    })
    .await;
}

#[tokio::test]
async fn kv_purge_removes_only_expired_rows() {
    let test_db = TestDb::new().await;
    let kv = Kv::Database(test_db.db.clone());
    kv.put("gone", "v", Duration::from_millis(1))
        .await
        .expect("put");
    kv.incr("gone-counter", Duration::from_millis(1))
        .await
        .expect("incr");
    kv.put("kept", "v", Duration::from_secs(60))
        .await
        .expect("put");
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(kv.purge_expired().await.expect("purge"), 2);
    assert_eq!(kv.get("kept").await.expect("get").as_deref(), Some("v"));
}

fn sample_citizen() -> portal_storage::models::citizen::Citizen {
    portal_storage::models::citizen::Citizen {
        id: portal_storage::ids::CitizenId::new(),
        name: "山田 花子".to_owned(),
        name_kana: "ヤマダ ハナコ".to_owned(),
        birth_date: "1990-04-01".to_owned(),
        sex: "female".to_owned(),
        address: "東京都千代田区永田町1-7-1".to_owned(),
        municipality_code: "131016".to_owned(),
        email: None,
        lang: "ja".to_owned(),
        created_at: now_millis(),
    }
}

#[tokio::test]
async fn card_serials_map_to_citizens_and_a_renewed_card_links_again() {
    use portal_storage::models::citizen::{CardLink, Citizen};
    let test_db = TestDb::new().await;
    let citizen = sample_citizen();
    let (row, id) = (citizen.clone(), citizen.id);
    test_db
        .db
        .run(move |c| Citizen::insert(c, &row))
        .await
        .expect("insert citizen");

    for serial in ["0a1b2c", "0d0e0f"] {
        let link = CardLink {
            serial: serial.to_owned(),
            citizen_id: id,
            not_after: now_millis() + 1,
            linked_at: now_millis(),
        };
        let again = link.clone();
        test_db
            .db
            .run(move |c| CardLink::link(c, &link))
            .await
            .expect("link");
        test_db
            .db
            .run(move |c| CardLink::link(c, &again))
            .await
            .expect("linking twice is harmless");
    }
    for serial in ["0a1b2c", "0d0e0f"] {
        let found = test_db
            .db
            .run(move |c| Citizen::find_by_card_serial(c, serial))
            .await
            .expect("query");
        assert_eq!(found.as_ref(), Some(&citizen), "serial {serial}");
    }
    let unknown = test_db
        .db
        .run(|c| Citizen::find_by_card_serial(c, "ffff"))
        .await
        .expect("query");
    assert_eq!(unknown, None);
    let links = test_db
        .db
        .run(move |c| CardLink::for_citizen(c, id))
        .await
        .expect("query");
    assert_eq!(links.len(), 2);
}

#[tokio::test]
async fn a_card_link_needs_an_existing_citizen() {
    use portal_storage::models::citizen::CardLink;
    let test_db = TestDb::new().await;
    let link = CardLink {
        serial: "0a".to_owned(),
        citizen_id: portal_storage::ids::CitizenId::new(),
        not_after: 0,
        linked_at: 0,
    };
    let result = test_db.db.run(move |c| CardLink::link(c, &link)).await;
    assert!(result.is_err(), "foreign key must refuse a link to nobody");
}

#[tokio::test]
async fn security_events_are_kept_newest_first_per_serial() {
    use portal_storage::ids::SecurityEventId;
    use portal_storage::models::security_event::SecurityEvent;
    let test_db = TestDb::new().await;
    for (at, kind) in [
        (1, "sign_in.failure"),
        (2, "sign_in.success"),
        (3, "card.locked"),
    ] {
        let event = SecurityEvent {
            id: SecurityEventId::new(),
            at,
            kind: kind.to_owned(),
            serial: Some("0a".to_owned()),
            citizen_id: None,
            client_addr: "127.0.0.1".to_owned(),
            detail: String::new(),
        };
        test_db
            .db
            .run(move |c| SecurityEvent::record(c, &event))
            .await
            .expect("record");
    }
    let recent = test_db
        .db
        .run(|c| SecurityEvent::recent_for_serial(c, "0a", 2))
        .await
        .expect("query");
    let kinds: Vec<_> = recent.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["card.locked", "sign_in.success"]);
}

#[derive(diesel::QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Definition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

/// Every index and constraint of the seeding command's big tables, as PostgreSQL would recreate them.
fn definitions(
    c: &mut diesel::PgConnection,
) -> Result<Vec<Definition>, portal_storage::StorageError> {
    use diesel::RunQueryDsl;
    let mut found = diesel::sql_query(
        "SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index \
         WHERE indrelid IN ('records'::regclass, 'linkage_records'::regclass) \
         UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE conrelid IN ('records'::regclass, 'linkage_records'::regclass)",
    )
    .load::<Definition>(c)?;
    found.sort();
    Ok(found)
}

#[tokio::test]
async fn a_bulk_load_builds_back_every_index_and_constraint_or_keeps_them_on_failure() {
    use portal_storage::{AnyConnection, StorageError, bulk, transaction};

    let test_db = TestDb::new().await;
    let tables = ["records", "linkage_records"];
    let checked = test_db
        .db
        .run(move |c| {
            let AnyConnection::Postgres(pg) = c else {
                // SQLite is left alone.
                assert_eq!(bulk::defer(c, &tables)?, None);
                return Ok(false);
            };
            let before = definitions(pg)?;
            assert!(before.len() >= 8, "{before:?}");
            transaction(c, |c| {
                let deferred = bulk::defer(c, &tables)?.expect("PostgreSQL defers");
                // Two fewer: a primary key's index comes back with its constraint.
                assert_eq!(deferred.len(), before.len() - 2);
                let AnyConnection::Postgres(pg) = c else {
                    unreachable!()
                };
                assert!(definitions(pg)?.is_empty(), "all dropped while loading");
                bulk::restore(c, deferred)
            })?;
            let AnyConnection::Postgres(pg) = c else {
                unreachable!()
            };
            assert_eq!(definitions(pg)?, before, "built back exactly");

            // A load that fails rolls the drops back with it.
            let failed: Result<(), StorageError> = transaction(c, |c| {
                bulk::defer(c, &tables)?;
                Err(StorageError::Malformed("the load failed".to_owned()))
            });
            assert!(failed.is_err());
            let AnyConnection::Postgres(pg) = c else {
                unreachable!()
            };
            assert_eq!(definitions(pg)?, before, "still there after a failed load");
            Ok(true)
        })
        .await
        .expect("bulk");
    if let Ok(url) = std::env::var("DATABASE_URL") {
        assert_eq!(checked, url.starts_with("postgres"));
    }
}

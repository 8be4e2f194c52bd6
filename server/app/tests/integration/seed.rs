//! The seeding command's two ways of loading, on the backend the environment selects: into a database with no
//! records yet (one transaction; on PostgreSQL the big tables' indexes are built at the end), and into one that
//! has some (batches).

use diesel::prelude::*;
use portal_server::services::seed::{self, Plan};
use portal_storage::schema::{linkage_records, records};
use portal_storage::with_conn;

use crate::common::TestApp;

async fn counts(app: &TestApp) -> (i64, i64) {
    app.state
        .db
        .run(|c| {
            let records = with_conn!(c, |c| records::table.count().get_result::<i64>(c))?;
            let reads = with_conn!(c, |c| linkage_records::table.count().get_result::<i64>(c))?;
            Ok((records, reads))
        })
        .await
        .expect("count")
}

#[actix_web::test]
async fn a_fresh_database_is_loaded_at_once_and_a_second_seed_adds_to_it() {
    let app = TestApp::start().await;
    assert_eq!(counts(&app).await, (0, 0), "a fresh database");
    let plan = |seed| Plan {
        citizens: 30,
        records_per_citizen: 4,
        reads_per_citizen: 2,
        seed,
    };
    let reported = std::sync::Mutex::new(Vec::new());
    let first = seed::run(&app.state.db, &plan(1), |n| {
        reported.lock().expect("progress").push(n)
    })
    .await
    .expect("first seed");
    assert_eq!(
        (first.citizens, first.records, first.linkage_rows),
        (30, 120, 60)
    );
    assert_eq!(reported.lock().expect("progress").last(), Some(&30));
    assert_eq!(counts(&app).await, (120, 60));

    // The indexes are back: an agency's record id is unique again, so the same seed is refused, and another
    // seed goes in batches beside the first.
    let again = seed::run(&app.state.db, &plan(1), |_| {}).await;
    assert!(again.is_err(), "the same seed twice");
    let second = seed::run(&app.state.db, &plan(2), |_| {})
        .await
        .expect("second seed");
    assert_eq!(second.records, 120);
    assert_eq!(counts(&app).await, (240, 120));
    let duplicate = app
        .state
        .db
        .run(|c| {
            let row = with_conn!(c, |c| records::table
                .select((records::agency_id, records::external_id))
                .first::<(String, String)>(c))?;
            Ok(row)
        })
        .await
        .expect("a record");
    let clash = app
        .state
        .db
        .run(move |c| {
            let copied = with_conn!(c, |c| diesel::sql_query(
                "INSERT INTO records (id, citizen_id, agency_id, category, external_id, data, updated_on, published_at) \
                 SELECT 'copy', citizen_id, agency_id, category, external_id, data, updated_on, published_at \
                 FROM records WHERE agency_id = $1 AND external_id = $2"
            )
            .bind::<diesel::sql_types::Text, _>(&duplicate.0)
            .bind::<diesel::sql_types::Text, _>(&duplicate.1)
            .execute(c))?;
            Ok(copied)
        })
        .await;
    assert!(
        clash.is_err(),
        "the unique index on the agency's record id is back"
    );
}

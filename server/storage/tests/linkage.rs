#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the first thing that goes wrong"
)]

//! Records and the やりとり履歴 hash chain, on whichever backend the environment selects.

use diesel::connection::SimpleConnection;
use portal_storage::ids::{AgencyId, CitizenId, RecordId};
use portal_storage::models::agency::Agency;
use portal_storage::models::citizen::Citizen;
use portal_storage::models::linkage::{LinkageFilter, LinkageRecord, NewLinkage};
use portal_storage::models::record::Record;
use portal_storage::{AnyConnection, now_millis, with_conn};
use portal_testkit::TestDb;

fn citizen() -> Citizen {
    Citizen {
        id: CitizenId::new(),
        name: "山田 花子".to_owned(),
        name_kana: "ヤマダ ハナコ".to_owned(),
        birth_date: "1990-04-01".to_owned(),
        sex: "female".to_owned(),
        address: "東京都千代田区永田町一丁目7番1号".to_owned(),
        municipality_code: "131016".to_owned(),
        email: None,
        lang: "ja".to_owned(),
        created_at: now_millis(),
    }
}

fn agency(code: &str) -> Agency {
    Agency {
        id: AgencyId::new(),
        code: code.to_owned(),
        kind: "municipality".to_owned(),
        name_ja: "千代田区".to_owned(),
        name_en: "Chiyoda City".to_owned(),
        pseudonym_key: "00".repeat(32),
        created_at: now_millis(),
    }
}

fn read(citizen: CitizenId, at: i64, task: &str) -> NewLinkage {
    NewLinkage {
        citizen_id: citizen,
        at,
        requester_kind: "agency".to_owned(),
        requester_id: "131016".to_owned(),
        requester_name: "千代田区".to_owned(),
        providers: vec!["nta".to_owned()],
        items: vec!["income_tax".to_owned(), "household".to_owned()],
        task_code: task.to_owned(),
        purpose: String::new(),
        result: "provided".to_owned(),
        withheld: false,
    }
}

fn exec(conn: &mut AnyConnection, sql: &str) {
    with_conn!(conn, |c| c.batch_execute(sql)).expect(sql);
}

async fn with_chain(rows: usize) -> (TestDb, CitizenId, Vec<LinkageRecord>) {
    let test_db = TestDb::new().await;
    let person = citizen();
    let id = person.id;
    let written = test_db
        .db
        .run(move |c| {
            Citizen::insert(c, &person)?;
            (0..rows)
                .map(|i| LinkageRecord::append(c, read(id, 1_000 + i as i64, "child_allowance")))
                .collect()
        })
        .await
        .expect("append");
    (test_db, id, written)
}

#[tokio::test]
async fn appended_rows_chain_and_verify() {
    let (test_db, id, rows) = with_chain(3).await;
    assert_eq!(rows.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(rows[0].prev_hash, "");
    assert_eq!(rows[1].prev_hash, rows[0].hash);
    let verdict = test_db
        .db
        .run(|c| LinkageRecord::verify_all(c, 100))
        .await
        .expect("verify");
    let verified = verdict.expect("an untouched chain verifies");
    assert_eq!((verified.chains, verified.rows), (1, 3));

    let page = test_db
        .db
        .run(move |c| LinkageRecord::page(c, id, &LinkageFilter::default(), 2, 0))
        .await
        .expect("page");
    assert_eq!(
        page.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [3, 2],
        "newest first"
    );
}

#[tokio::test]
async fn an_altered_row_is_named() {
    let (test_db, _, rows) = with_chain(3).await;
    let target = rows[1].id;
    let verdict = test_db
        .db
        .run(move |c| {
            exec(
                c,
                &format!(
                    "UPDATE linkage_records SET requester_name = '誰か' WHERE id = '{target}'"
                ),
            );
            LinkageRecord::verify_all(c, 100)
        })
        .await
        .expect("verify");
    let broken = verdict.expect_err("an altered row breaks the chain");
    assert_eq!(broken.row_id, Some(target));
    assert!(broken.to_string().contains(&target.to_string()));
}

#[tokio::test]
async fn a_deleted_row_is_named() {
    let (test_db, _, rows) = with_chain(3).await;
    let (gone, next) = (rows[1].id, rows[2].id);
    let verdict = test_db
        .db
        .run(move |c| {
            exec(
                c,
                &format!("DELETE FROM linkage_records WHERE id = '{gone}'"),
            );
            LinkageRecord::verify_all(c, 100)
        })
        .await
        .expect("verify");
    let broken = verdict.expect_err("a deleted row breaks the chain");
    assert_eq!(broken.row_id, Some(next), "the row after the gap is named");
    assert!(broken.reason.contains("seq 2"), "{broken}");

    // Deleting the newest row is caught by the chain's head.
    let (test_db, id, rows) = with_chain(2).await;
    let last = rows[1].id;
    let verdict = test_db
        .db
        .run(move |c| {
            exec(
                c,
                &format!("DELETE FROM linkage_records WHERE id = '{last}'"),
            );
            LinkageRecord::verify_all(c, 100)
        })
        .await
        .expect("verify");
    let broken = verdict.expect_err("a deleted last row breaks the chain");
    assert_eq!((broken.citizen_id, broken.seq), (id, 2));
}

#[tokio::test]
async fn retention_removes_old_rows_and_the_rest_still_verifies() {
    let (test_db, id, _) = with_chain(4).await;
    let (removed, verdict, left) = test_db
        .db
        .run(move |c| {
            let removed = LinkageRecord::prune(c, 1_002, 10)?;
            let verdict = LinkageRecord::verify_all(c, 100)?;
            let left = LinkageRecord::page(c, id, &LinkageFilter::default(), 10, 0)?;
            // The chain goes on after the cut.
            LinkageRecord::append(c, read(id, 5_000, "resident_tax"))?;
            Ok((removed, verdict, left))
        })
        .await
        .expect("prune");
    assert_eq!(removed, 2);
    assert_eq!(verdict.expect("pruned chain verifies").rows, 2);
    assert_eq!(left.iter().map(|r| r.seq).collect::<Vec<_>>(), [4, 3]);
    let verdict = test_db
        .db
        .run(|c| LinkageRecord::verify_all(c, 100))
        .await
        .expect("verify");
    assert_eq!(verdict.expect("still verifies").rows, 3);
}

#[tokio::test]
async fn history_filters_by_period_requester_and_category() {
    let (test_db, id, _) = with_chain(3).await;
    let by_category = |category: &str| LinkageFilter {
        category: Some(category.to_owned()),
        ..LinkageFilter::default()
    };
    let (period, income, pension, nobody) = test_db
        .db
        .run(move |c| {
            let period = LinkageFilter {
                from: Some(1_001),
                until: Some(1_002),
                ..LinkageFilter::default()
            };
            let nobody = LinkageFilter {
                requester_id: Some("nta".to_owned()),
                ..LinkageFilter::default()
            };
            Ok((
                LinkageRecord::page(c, id, &period, 10, 0)?,
                LinkageRecord::page(c, id, &by_category("household"), 10, 0)?,
                LinkageRecord::page(c, id, &by_category("pension"), 10, 0)?,
                LinkageRecord::page(c, id, &nobody, 10, 0)?,
            ))
        })
        .await
        .expect("filter");
    assert_eq!(period.iter().map(|r| r.seq).collect::<Vec<_>>(), [2]);
    assert_eq!(income.len(), 3);
    assert!(pension.is_empty());
    assert!(nobody.is_empty());
}

#[tokio::test]
async fn a_resent_record_updates_instead_of_duplicating() {
    let test_db = TestDb::new().await;
    let person = citizen();
    let (id, office) = (person.id, agency("131016"));
    let record = |external: &str, data: &str| Record {
        id: RecordId::new(),
        citizen_id: id,
        agency_id: office.id,
        category: "income_tax".to_owned(),
        external_id: external.to_owned(),
        data: data.to_owned(),
        updated_on: "2026-06-01".to_owned(),
        published_at: now_millis(),
    };
    let first = vec![record("A-1", "{}"), record("A-2", "{}")];
    let again = vec![record("A-2", r#"{"v":"2"}"#), record("A-3", "{}")];
    let agency_id = office.id;
    let (one, two, counts) = test_db
        .db
        .run(move |c| {
            Citizen::insert(c, &person)?;
            Agency::ensure(c, &office)?;
            let one = Record::upsert_batch(c, agency_id, &first)?;
            let two = Record::upsert_batch(c, agency_id, &again)?;
            Ok((one, two, Record::counts(c, id)?))
        })
        .await
        .expect("upsert");
    assert_eq!((one.created, one.updated), (2, 0));
    assert_eq!((two.created, two.updated), (1, 1));
    assert_eq!(counts.len(), 1);
    assert_eq!(
        counts[0].count, 3,
        "three distinct records, none duplicated"
    );
}

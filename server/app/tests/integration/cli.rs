use std::process::Command;

fn portal(env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_portal"));
    cmd.args(args)
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run portal");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8");
    (
        out.status.code().unwrap_or(-1),
        text(out.stdout),
        text(out.stderr),
    )
}

#[test]
fn malformed_configuration_exits_with_one_clear_line() {
    let (code, _, stderr) = portal(&[("PORTAL_LISTEN", "localhost")], &["migrate"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "portal: configuration error: PORTAL_LISTEN=\"localhost\" in the environment: \
         expected an address and port such as 127.0.0.1:8080\n"
    );

    let (code, _, stderr) = portal(&[("PORTAL_WORKRS", "4")], &["migrate"]);
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("portal: configuration error: unknown setting PORTAL_WORKRS"),
        "{stderr}"
    );
}

#[test]
fn unknown_keys_in_the_file_stop_the_process() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("portal.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:0\"\nlog_formt = \"text\"\n").expect("write");
    let (code, _, stderr) = portal(&[], &["--config", file.to_str().expect("utf-8"), "migrate"]);
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("unknown setting log_formt in "), "{stderr}");
}

#[test]
fn migrate_creates_the_sqlite_database_under_the_data_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let (code, _, stderr) = portal(
        &[("PORTAL_DATA_DIR", data.to_str().expect("utf-8"))],
        &["migrate"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(data.join("portal.db").exists());
}

#[test]
fn help_lists_commands_and_settings() {
    let (code, stdout, _) = portal(&[], &["--help"]);
    assert_eq!(code, 0);
    for needle in [
        "serve",
        "migrate",
        "graphql-schema",
        "DATABASE_URL",
        "REDIS_URL",
        "SMTP_URL",
        "PORTAL_LISTEN",
    ] {
        assert!(stdout.contains(needle), "--help lacks {needle}");
    }
}

#[test]
fn the_card_app_issues_a_card_whose_pin_locks_after_three_wrong_tries_and_resets_with_the_password()
{
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let card = dir.path().join("card.json");
    let env = [("PORTAL_DATA_DIR", data.to_str().expect("utf-8"))];
    let card_arg = card.to_str().expect("utf-8");
    let (code, stdout, stderr) = portal(
        &env,
        &[
            "card",
            "issue",
            "--name",
            "山田 花子",
            "--kana",
            "ヤマダ ハナコ",
            "--birth-date",
            "1990-04-01",
            "--sex",
            "female",
            "--address",
            "東京都千代田区永田町1-7-1",
            "--pin",
            "1234",
            "--password",
            "ABC123",
            "--out",
            card_arg,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("issued card"), "{stdout}");

    let change = |old: &str, new: &str| {
        portal(
            &env,
            &[
                "card",
                "change-pin",
                "--card",
                card_arg,
                "--old-pin",
                old,
                "--new-pin",
                new,
            ],
        )
    };
    let (code, _, stderr) = change("0000", "4321");
    assert_eq!(code, 1);
    assert!(stderr.contains("2 tries left"), "{stderr}");
    change("0001", "4321");
    let (_, _, stderr) = change("0002", "4321");
    assert!(stderr.contains("locked"), "{stderr}");
    let (code, _, stderr) = change("1234", "4321");
    assert_eq!(code, 1, "the right PIN no longer helps");
    assert!(stderr.contains("locked"), "{stderr}");

    let (code, _, stderr) = portal(
        &env,
        &[
            "card",
            "reset-pin",
            "--card",
            card_arg,
            "--password",
            "ABC123",
            "--new-pin",
            "4321",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = change("4321", "1234");
    assert_eq!(code, 0, "{stderr}");
}

/// Seeding, then `linkage verify` on an untouched and on a tampered history, on the backend the tests use.
#[actix_web::test]
async fn linkage_verify_names_an_altered_and_a_deleted_row() {
    use diesel::connection::SimpleConnection;
    use portal_storage::with_conn;

    let test_db = portal_testkit::TestDb::new().await;
    let url = test_db.url.clone();
    let env = [("DATABASE_URL", url.as_str())];
    let (code, stdout, stderr) = portal(
        &env,
        &["seed", "--citizens", "5", "--records", "4", "--reads", "3"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("seeded 5 citizens, 20 records, 15 history rows"),
        "{stdout}"
    );
    let (code, stdout, _) = portal(&env, &["linkage", "verify"]);
    assert_eq!((code, stdout.trim()), (0, "ok: 5 chains, 15 rows verified"));

    let tamper = |sql: String| {
        let db = test_db.db.clone();
        async move {
            db.run(move |c| {
                let id: String = with_conn!(c, |c| {
                    use diesel::prelude::*;
                    use portal_storage::schema::linkage_records::dsl as l;
                    l::linkage_records
                        .filter(l::seq.eq(2))
                        .order(l::citizen_id.asc())
                        .select(l::id)
                        .first(c)
                })?;
                with_conn!(c, |c| c.batch_execute(&sql.replace("{id}", &id)))?;
                Ok(id)
            })
            .await
            .expect("tamper")
        }
    };
    let altered =
        tamper("UPDATE linkage_records SET result = 'no_data' WHERE id = '{id}'".to_owned()).await;
    let (code, stdout, _) = portal(&env, &["linkage", "verify"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(&altered) && stdout.contains("altered"),
        "{stdout}"
    );

    // Undo by deleting it: now the gap is named.
    let deleted = tamper("DELETE FROM linkage_records WHERE id = '{id}'".to_owned()).await;
    assert_eq!(deleted, altered);
    let (code, stdout, _) = portal(&env, &["linkage", "verify"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("seq 2") && stdout.contains("deleted"),
        "{stdout}"
    );
}

#[actix_web::test]
async fn seeding_is_deterministic_for_a_seed() {
    use portal_storage::{Db, DbConfig};

    let dirs = [
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    ];
    let mut contents = Vec::new();
    for dir in &dirs {
        let data = dir.path().join("data");
        let env = [("PORTAL_DATA_DIR", data.to_str().expect("utf-8"))];
        let (code, _, stderr) = portal(
            &env,
            &["seed", "--citizens", "8", "--records", "3", "--seed", "42"],
        );
        assert_eq!(code, 0, "{stderr}");
        let (code, _, stderr) = portal(&env, &["seed", "--citizens", "8", "--seed", "42"]);
        assert_eq!(code, 1, "the same seed twice is refused");
        assert!(stderr.contains("already loaded"), "{stderr}");
        let db = Db::open(&DbConfig {
            url: format!("sqlite://{}", data.join("portal.db").display()),
            pool_size: 1,
            connect_timeout: std::time::Duration::from_secs(5),
        })
        .expect("open");
        let rows = db
            .run(|c| {
                use diesel::prelude::*;
                use portal_storage::schema::{citizens, records};
                portal_storage::with_conn!(c, |c| {
                    let people: Vec<(String, String, String)> = citizens::table
                        .order(citizens::id)
                        .select((citizens::id, citizens::name_kana, citizens::address))
                        .load(c)?;
                    let data: Vec<(String, String)> = records::table
                        .order(records::id)
                        .select((records::id, records::data))
                        .load(c)?;
                    Ok((people, data))
                })
            })
            .await
            .expect("read back");
        assert_eq!(rows.0.len(), 8);
        assert_eq!(rows.1.len(), 24);
        contents.push(rows);
    }
    assert_eq!(
        contents[0], contents[1],
        "the same seed gives the same citizens and records"
    );
}

/// `portal card sign` answers an application's signing challenge: it shows what is signed, refuses a wrong
/// signature password with the tries left, and signs with the right one; the portal then sends the claim.
#[actix_web::test]
async fn the_card_app_signs_an_application_with_the_signature_password() {
    use reqwest::StatusCode;

    let app = crate::common::TestApp::start().await;
    let (citizen, card) = crate::apply::parent_with_card(&app).await;
    let check = crate::apply::fill_claim(&app, &citizen).await;
    let application = check.trim_end_matches("/check").to_owned();
    let html = citizen
        .html(&app, &format!("{application}/sign"), StatusCode::OK)
        .await;
    let code = crate::own_data::between(&html, "/sign-in/qr/", ".svg")[..8].to_owned();
    let digest = crate::own_data::between(&html, "<code class=\"digest\">", "</code>").to_owned();

    let dir = tempfile::tempdir().expect("tempdir");
    let card_file = dir.path().join("card.json");
    card.save(&card_file).expect("card file");
    let sign = |password: &'static str| {
        let (card_file, code, url) = (card_file.clone(), code.clone(), app.url.clone());
        // The portal runs on this test's thread: the command waits on another.
        actix_web::rt::task::spawn_blocking(move || {
            portal(
                &[],
                &[
                    "card",
                    "sign",
                    "--card",
                    card_file.to_str().expect("utf-8"),
                    "--code",
                    &code,
                    "--url",
                    &url,
                    "--password",
                    password,
                ],
            )
        })
    };
    let (status, _, stderr) = sign("WRONG1").await.expect("run");
    assert_eq!(status, 1);
    assert!(stderr.contains("児童手当認定請求書"), "{stderr}");
    assert!(
        stderr.contains(&digest),
        "the digest as the page shows it: {stderr}"
    );
    assert!(stderr.contains("4 tries left"), "{stderr}");

    let (status, stdout, stderr) = sign("abc123").await.expect("run");
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.contains("signed the application"), "{stdout}");
    let sent = crate::own_data::post(
        &app,
        &citizen,
        "/applications",
        &format!("{application}/sign"),
        &[("code", &code)],
    )
    .await;
    assert_eq!(
        sent.location(),
        format!("{application}?sent=1"),
        "{}",
        sent.body
    );
    let card = portal_card::SoftwareCard::load(&card_file).expect("card");
    assert_eq!(
        card.sign_tries_left(),
        5,
        "the right password restores the count"
    );
}

#[test]
fn an_app_is_registered_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let env = [("PORTAL_DATA_DIR", data.to_str().expect("utf-8"))];
    let (code, stdout, stderr) = portal(
        &env,
        &[
            "app",
            "register",
            "--name",
            "確定申告アシスト",
            "--operator",
            "株式会社テスト会計",
            "--purpose",
            "医療費控除と各種控除の集計",
            "--scope",
            "medical_expenses",
            "--scope",
            "deductions",
            "--redirect-uri",
            "http://127.0.0.1:8765/callback",
            "--public",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let shown: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert!(
        shown["client_id"]
            .as_str()
            .is_some_and(|c| c.starts_with("app-"))
    );
    assert!(
        shown["client_secret"].is_null(),
        "a public app has no secret"
    );
    let (code, listed, _) = portal(&env, &["app", "list"]);
    assert_eq!(code, 0);
    assert!(listed.contains("確定申告アシスト") && listed.contains("public"));
    assert!(!listed.contains("withdrawn"), "{listed}");

    // Withdrawn: listed as such; a second withdrawal finds no live app.
    let client_id = shown["client_id"].as_str().expect("client id");
    let (code, stdout, stderr) = portal(&env, &["app", "withdraw", client_id]);
    assert_eq!(code, 0, "{stderr}");
    let done: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(done["client_id"], client_id);
    assert_eq!(done["consents_revoked"], 0, "nobody had connected");
    let (_, listed, _) = portal(&env, &["app", "list"]);
    assert!(listed.contains("\twithdrawn "), "{listed}");
    let (code, _, stderr) = portal(&env, &["app", "withdraw", client_id]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no live app"), "{stderr}");

    let (code, _, stderr) = portal(
        &env,
        &[
            "app",
            "register",
            "--name",
            "x",
            "--operator",
            "y",
            "--purpose",
            "z",
            "--scope",
            "everything",
            "--redirect-uri",
            "https://a.example/cb",
        ],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("app.scopes[0]"), "{stderr}");
}

#[test]
fn a_member_of_staff_is_added_from_the_command_line_with_an_authenticator_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let env = [("PORTAL_DATA_DIR", data.to_str().expect("utf-8"))];
    let add = |login: &str, password: &str| {
        portal(
            &env,
            &[
                "staff",
                "add",
                "--agency",
                "131016",
                "--login",
                login,
                "--name",
                "窓口 花子",
                "--role",
                "notices",
                "--password",
                password,
            ],
        )
    };
    let (code, stdout, stderr) = add("Hanako@City.example.jp", "correct horse battery");
    assert_eq!(code, 0, "{stderr}");
    let shown: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(shown["login"], "hanako@city.example.jp");
    let secret = shown["totp_secret"].as_str().expect("secret");
    assert!(
        shown["totp_uri"]
            .as_str()
            .is_some_and(|u| u.starts_with("otpauth://totp/") && u.contains(secret))
    );
    // The stand-in for the authenticator app gives six digits for that key.
    let (code, code_now, _) = portal(&env, &["staff", "code", "--secret", secret]);
    assert_eq!(code, 0);
    assert!(code_now.trim().len() == 6 && code_now.trim().bytes().all(|b| b.is_ascii_digit()));
    // A short password and a login taken are refused, saying why.
    let (code, _, stderr) = add("other@city.example.jp", "short");
    assert_eq!(code, 1);
    assert!(stderr.contains("at least 12"), "{stderr}");
    let (code, _, stderr) = add("hanako@city.example.jp", "correct horse battery");
    assert_eq!(code, 1);
    assert!(stderr.contains("taken"), "{stderr}");
    // The password may come from the environment instead, out of the shell history.
    let (code, _, stderr) = portal(
        &[
            ("PORTAL_DATA_DIR", data.to_str().expect("utf-8")),
            ("NEW_STAFF_PASSWORD", "correct horse battery"),
        ],
        &[
            "staff",
            "add",
            "--agency",
            "131016",
            "--login",
            "env@city.example.jp",
            "--name",
            "窓口 次郎",
            "--role",
            "records",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
}

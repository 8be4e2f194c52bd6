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

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

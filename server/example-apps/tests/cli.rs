#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the first thing that goes wrong"
)]

//! The two binaries start and describe their command line. Running them here also makes `cargo test`
//! build both into the target directory, where the browser tests (e2e/fixtures/apps.ts) start them.

use std::process::Command;

fn help(bin: &str) -> String {
    let out = Command::new(bin)
        .arg("--help")
        .env_remove("RUST_LOG")
        .output()
        .unwrap_or_else(|e| panic!("{bin} did not start: {e}"));
    assert!(
        out.status.success(),
        "{bin} --help failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the help is UTF-8")
}

fn assert_names_options(bin: &str, prefix: &str, default_listen: &str) {
    let text = help(bin);
    for option in ["--portal", "--listen", "--client-id", "--client-secret"] {
        assert!(
            text.contains(option),
            "{bin} --help names {option}:\n{text}"
        );
    }
    for var in ["PORTAL", "LISTEN", "CLIENT_ID", "CLIENT_SECRET"] {
        let name = format!("{prefix}_{var}");
        assert!(text.contains(&name), "{bin} --help names {name}:\n{text}");
    }
    assert!(
        text.contains(default_listen),
        "{bin} --help gives the default address {default_listen}:\n{text}"
    );
}

#[test]
fn phr_app_help_names_its_options() {
    assert_names_options(env!("CARGO_BIN_EXE_phr-app"), "PHR_APP", "127.0.0.1:8091");
}

#[test]
fn accounting_app_help_names_its_options() {
    assert_names_options(
        env!("CARGO_BIN_EXE_accounting-app"),
        "ACCOUNTING_APP",
        "127.0.0.1:8092",
    );
}

#[test]
fn a_missing_client_id_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_phr-app"))
        .args(["--portal", "http://127.0.0.1:1"])
        .env_remove("PHR_APP_CLIENT_ID")
        .output()
        .expect("phr-app starts");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--client-id"));
}

//! The card app on the command line (`portal card …`): issues simulated cards from the portal's test CA,
//! answers sign-in challenges as the smartphone app does after reading the card by NFC, signs applications
//! with the signature certificate, and revokes cards. Simulation only: it never touches real cards or the
//! real JPKI CAs.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portal_card::{CardError, CardKind, Sex, SoftwareCard};

use crate::config::Config;
use crate::services::{cards, sign_in};
use crate::startup;

pub fn ca_dir(config: &Config) -> PathBuf {
    config.data_dir.join("card-ca")
}

/// Issues a card, registers its holder and writes the card file to `out`.
pub async fn issue(config: &Config, request: cards::NewCard, out: &Path) -> anyhow::Result<()> {
    let db = startup::open_database(config).await?;
    let (card, citizen) = cards::issue(&db, &ca_dir(config), request).await?;
    card.save(out)
        .with_context(|| format!("writing {}", out.display()))?;
    println!(
        "issued card {} (serial {}) for citizen {citizen}",
        out.display(),
        card.serial_hex()
    );
    Ok(())
}

pub fn revoke(config: &Config, card_file: &Path) -> anyhow::Result<()> {
    let card = SoftwareCard::load(card_file)
        .with_context(|| format!("reading {}", card_file.display()))?;
    cards::revoke(&ca_dir(config), &card.serial_hex())?;
    println!(
        "revoked serial {}; the portal refuses it from its next CRL refresh",
        card.serial_hex()
    );
    Ok(())
}

/// The given value, or one line asked for on the terminal with `prompt`.
fn read_secret(given: Option<String>, prompt: &str) -> anyhow::Result<String> {
    if let Some(value) = given {
        return Ok(value);
    }
    eprint!("{prompt}: ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

/// The PIN from `--pin`, or asked for on the terminal.
fn read_pin(given: Option<String>) -> anyhow::Result<String> {
    read_secret(
        given,
        "利用者証明用電子証明書の暗証番号 (4桁) / authentication PIN (4 digits)",
    )
}

/// Answers the challenge shown as `code` (or the QR code's URL) at `portal_url`: a sign-in or a
/// confirmation with the authentication key and `pin`, or an application's signature with the signature
/// key and `password`.
pub async fn sign(
    portal_url: &str,
    card_file: &Path,
    code: &str,
    pin: Option<String>,
    password: Option<String>,
) -> anyhow::Result<()> {
    let code = code.rsplit('/').next().unwrap_or(code);
    let code = sign_in::normalize_code(code);
    let base = portal_url.trim_end_matches('/');
    let client = reqwest::Client::new();
    let challenge: serde_json::Value = {
        let res = client
            .get(format!("{base}/card/challenge/{code}"))
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("the code {code} is unknown or has expired: start the sign-in again");
        }
        res.json().await?
    };
    if challenge["document"].is_object() {
        return sign_document(&client, base, card_file, &code, &challenge, password).await;
    }
    let message = challenge["message"]
        .as_str()
        .context("the portal sent no message to sign")?
        .to_owned();

    let mut card = SoftwareCard::load(card_file)
        .with_context(|| format!("reading {}", card_file.display()))?;
    let pin = read_pin(pin)?;
    let signed = card.sign_auth(&pin, message.as_bytes());
    // The PIN counter lives on the card: save it whatever happened.
    card.save(card_file)
        .with_context(|| format!("writing {}", card_file.display()))?;
    let signature = match signed {
        Ok(signature) => signature,
        Err(CardError::WrongPin { tries_left }) => {
            bail!("wrong PIN: {tries_left} tries left before the card locks")
        }
        Err(CardError::Locked) => bail!(
            "the card's PIN is locked after 3 wrong tries: reset it at your municipal office \
             (or with `portal card reset-pin` if you know the signature password)"
        ),
        Err(e) => return Err(e.into()),
    };
    let res = client
        .post(format!("{base}/card/response"))
        .json(&serde_json::json!({
            "code": code,
            "certificate": STANDARD.encode(card.auth_certificate_der()),
            "signature": STANDARD.encode(signature),
        }))
        .send()
        .await?;
    let status = res.status();
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    if status.is_success() {
        match challenge["purpose"].as_str() {
            // A confirmation (a change of the refund account, say) rather than a sign-in.
            Some(purpose) => println!("confirmed {purpose}: continue in the browser"),
            None => println!("signed in: continue in the browser"),
        }
        Ok(())
    } else {
        bail!(
            "the portal refused the card: {}",
            body["error"].as_str().unwrap_or("unknown reason")
        )
    }
}

/// Signs an application: shows what is signed, asks for the signature password, signs the digest with the
/// signature key and sends the signature with the signature certificate.
async fn sign_document(
    client: &reqwest::Client,
    base: &str,
    card_file: &Path,
    code: &str,
    challenge: &serde_json::Value,
    password: Option<String>,
) -> anyhow::Result<()> {
    let document = &challenge["document"];
    let digest_hex = document["digest"]
        .as_str()
        .context("the portal sent no digest to sign")?;
    let digest = hex::decode(digest_hex).context("the digest is not hex")?;
    if digest.len() != 32 {
        bail!("the digest is not SHA-256");
    }
    let title = |key: &str| document[key].as_str().unwrap_or_default().to_owned();
    eprintln!(
        "電子署名する申請 / application to sign: {} / {}",
        title("title_ja"),
        title("title_en")
    );
    eprintln!(
        "申請内容のハッシュ値 / fingerprint (SHA-256): {}",
        portal_web::pages::apply::group_digest(digest_hex)
    );
    let mut card = SoftwareCard::load(card_file)
        .with_context(|| format!("reading {}", card_file.display()))?;
    let password = read_secret(
        password,
        "署名用電子証明書のパスワード (英数字6〜16文字) / signature password (6-16 letters and digits)",
    )?;
    let password = crate::forms::normalize_sign_password(&password);
    let signed = card.sign_digest_with_signature_key(&password, &digest);
    // The password counter lives on the card: save it whatever happened.
    card.save(card_file)
        .with_context(|| format!("writing {}", card_file.display()))?;
    let signed = match signed {
        Ok(signed) => signed,
        Err(CardError::WrongPin { tries_left }) => {
            bail!("wrong signature password: {tries_left} tries left before it locks")
        }
        Err(CardError::Locked) => bail!(
            "the signature password is locked after 5 wrong tries: only your municipal office can \
             unlock it (初期化)"
        ),
        Err(e) => return Err(e.into()),
    };
    let res = client
        .post(format!("{base}/card/response"))
        .json(&serde_json::json!({
            "code": code,
            "certificate": STANDARD.encode(&signed.certificate),
            "signature": STANDARD.encode(&signed.signature),
        }))
        .send()
        .await?;
    let status = res.status();
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    if status.is_success() {
        println!("signed the application: continue in the browser to send it");
        Ok(())
    } else {
        bail!(
            "the portal refused the signature: {}",
            body["error"].as_str().unwrap_or("unknown reason")
        )
    }
}

pub fn change_pin(card_file: &Path, old_pin: &str, new_pin: &str) -> anyhow::Result<()> {
    let mut card = SoftwareCard::load(card_file)?;
    let result = card.change_auth_pin(old_pin, new_pin);
    // Wrong tries count, as on the card.
    card.save(card_file)?;
    match result {
        Ok(()) => {
            println!("PIN changed");
            Ok(())
        }
        Err(CardError::WrongPin { tries_left }) => {
            bail!("wrong PIN: {tries_left} tries left before the card locks")
        }
        Err(e) => Err(e.into()),
    }
}

pub fn reset_pin(card_file: &Path, password: &str, new_pin: &str) -> anyhow::Result<()> {
    let mut card = SoftwareCard::load(card_file)?;
    let result = card.reset_auth_pin(password, new_pin);
    card.save(card_file)?;
    result?;
    println!("PIN reset; the card is unlocked");
    Ok(())
}

pub fn parse_sex(value: &str) -> Result<Sex, String> {
    match value {
        "male" | "1" => Ok(Sex::Male),
        "female" | "2" => Ok(Sex::Female),
        _ => Err("male or female".to_owned()),
    }
}

pub fn parse_kind(value: &str) -> Result<CardKind, String> {
    match value {
        "card" => Ok(CardKind::Card),
        "smartphone" => Ok(CardKind::Smartphone),
        _ => Err("card or smartphone".to_owned()),
    }
}

pub fn parse_date(value: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, format).map_err(|_| "a date as YYYY-MM-DD".to_owned())
}

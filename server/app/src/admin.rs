//! Operator commands: agency clients and pseudonyms (`portal agency …`), the history's integrity and
//! retention (`portal linkage …`), and synthetic data (`portal seed`).

use std::path::Path;

use anyhow::{Context, bail};
use portal_card::SoftwareCard;
use portal_storage::ids::CitizenId;
use portal_storage::models::agency::Agency;
use portal_storage::models::citizen::Citizen;

use crate::config::Config;
use crate::services::{agencies, history_retention, seed};
use crate::startup;

/// Registers a machine client for an agency and prints its credentials (the secret only this once).
pub async fn add_client(config: &Config, agency: &str, label: &str) -> anyhow::Result<()> {
    let db = startup::open_database(config).await?;
    let client = agencies::add_client(&db, agency, label).await?;
    println!("{}", serde_json::to_string_pretty(&client)?);
    eprintln!("Keep the secret now: only its hash is stored.");
    Ok(())
}

/// Registers an app and prints its client id (and a confidential app's secret, this once); a refused
/// registration prints the field and reason and exits 1.
pub async fn register_app(
    config: Config,
    new: crate::services::apps::NewApp,
) -> anyhow::Result<bool> {
    let state = startup::build_state(config).await?;
    match crate::services::apps::register(&state, new).await? {
        Ok(registered) => {
            let shown = serde_json::json!({
                "client_id": registered.app.client_id,
                "client_secret": registered.client_secret,
                "scopes": registered.app.scope_codes(),
                "redirect_uris": registered.app.redirect_uri_list(),
            });
            println!("{}", serde_json::to_string_pretty(&shown)?);
            if registered.client_secret.is_some() {
                eprintln!("Keep the secret now: only its hash is stored.");
            }
            Ok(true)
        }
        Err(crate::services::notices::Refusal::Invalid { field, reason }) => {
            eprintln!("portal: {field} {reason}");
            Ok(false)
        }
        Err(other) => {
            eprintln!("portal: {other:?}");
            Ok(false)
        }
    }
}

/// Adds a member of staff and prints their login and authenticator key (shown once); a refusal prints the
/// reason and exits 1.
pub async fn add_staff(
    config: Config,
    agency: &str,
    login: &str,
    name: &str,
    roles: &[String],
    password: &str,
) -> anyhow::Result<bool> {
    let state = startup::build_state(config).await?;
    match crate::services::staff::create(&state, agency, login, name, roles, password).await? {
        Ok(created) => {
            println!("{}", serde_json::to_string_pretty(&created)?);
            eprintln!(
                "Put the key into the member's authenticator app now: it is not shown again."
            );
            Ok(true)
        }
        Err(reason) => {
            eprintln!("portal: {reason}");
            Ok(false)
        }
    }
}

/// Prints the code an authenticator app with `secret` shows now; false for a key that is not base32.
pub fn staff_code(secret: &str) -> bool {
    match crate::services::staff::current_code(secret) {
        Some(code) => {
            println!("{code}");
            true
        }
        None => {
            eprintln!("portal: the key is not base32");
            false
        }
    }
}

/// Withdraws an app and prints what that ended; false when no live app has the client id.
pub async fn withdraw_app(config: Config, client_id: &str) -> anyhow::Result<bool> {
    let state = startup::build_state(config).await?;
    match crate::services::apps::withdraw(&state, client_id).await? {
        Some(done) => {
            let shown = serde_json::json!({
                "client_id": done.app.client_id,
                "consents_revoked": done.consents,
                "tokens_dropped": done.tokens,
            });
            println!("{}", serde_json::to_string_pretty(&shown)?);
            Ok(true)
        }
        None => {
            eprintln!("portal: no live app has the client id {client_id}");
            Ok(false)
        }
    }
}

/// Prints every registered app: client id, kind, name, operator, scopes and, once withdrawn, when.
pub async fn list_apps(config: Config) -> anyhow::Result<()> {
    let state = startup::build_state(config).await?;
    for app in crate::services::apps::list(&state).await? {
        let withdrawn = app
            .revoked_at
            .map(|at| {
                let (on, time) = crate::services::history::japan_time(at);
                format!("\twithdrawn {on} {time}")
            })
            .unwrap_or_default();
        println!(
            "{}\t{}\t{}\t{}\t{}{withdrawn}",
            app.client_id,
            if app.confidential {
                "confidential"
            } else {
                "public"
            },
            app.name,
            app.operator,
            app.scopes
        );
    }
    Ok(())
}

/// Prints every agency: code, kind and names.
pub async fn list(config: &Config) -> anyhow::Result<()> {
    let db = startup::open_database(config).await?;
    for agency in db.run(Agency::all).await? {
        println!(
            "{}\t{}\t{}\t{}",
            agency.code, agency.kind, agency.name_ja, agency.name_en
        );
    }
    Ok(())
}

/// Gives an agency its pseudonym for a citizen — the citizen named by id or by the card they hold — and
/// prints it. Stands in for the pseudonym issuance of the real information-provision network.
pub async fn pseudonym(
    config: &Config,
    agency_code: &str,
    citizen: Option<CitizenId>,
    card: Option<&Path>,
) -> anyhow::Result<()> {
    let db = startup::open_database(config).await?;
    let code = agency_code.to_owned();
    let agency = db
        .run(move |c| Agency::find_by_code(c, &code))
        .await?
        .with_context(|| {
            format!("no agency with code {agency_code:?} (see `portal agency list`)")
        })?;
    let citizen = match (citizen, card) {
        (Some(id), _) => db
            .run(move |c| Citizen::find(c, id))
            .await?
            .with_context(|| format!("no citizen {id}"))?,
        (None, Some(file)) => {
            let card =
                SoftwareCard::load(file).with_context(|| format!("reading {}", file.display()))?;
            let serial = card.serial_hex();
            db.run(move |c| Citizen::find_by_card_serial(c, &serial))
                .await?
                .context("that card is not linked to any citizen")?
        }
        (None, None) => bail!("name the citizen with --citizen or --card"),
    };
    let id = citizen.id;
    let pseudonyms = db
        .run(move |c| agencies::enrol(c, &[(&agency, id)]))
        .await?;
    for p in pseudonyms {
        println!("{p}");
    }
    Ok(())
}

/// Verifies every history chain. Exit status 1 and the first broken row when one does not verify.
pub async fn verify(config: &Config) -> anyhow::Result<bool> {
    let db = startup::open_database(config).await?;
    match history_retention::verify(&db).await? {
        Ok(verified) => {
            println!(
                "ok: {} chains, {} rows verified",
                verified.chains, verified.rows
            );
            Ok(true)
        }
        Err(broken) => {
            println!("broken: {broken}");
            Ok(false)
        }
    }
}

/// Removes history rows past the retention period now, instead of waiting for the daily job.
pub async fn prune(config: &Config) -> anyhow::Result<()> {
    let db = startup::open_database(config).await?;
    let removed = history_retention::prune(&db, config.linkage_retention_days).await?;
    println!(
        "removed {removed} rows older than {} days",
        config.linkage_retention_days
    );
    Ok(())
}

/// Creates synthetic citizens with records and history.
pub async fn seed(config: &Config, plan: seed::Plan) -> anyhow::Result<()> {
    let db = startup::open_database(config).await?;
    let started = std::time::Instant::now();
    let done = seed::run(&db, &plan, |progress| {
        eprintln!(
            "  {} of {} citizens ({:.0} s)",
            progress,
            plan.citizens,
            started.elapsed().as_secs_f64()
        );
    })
    .await?;
    println!(
        "seeded {} citizens, {} records, {} history rows in {:.1} s",
        done.citizens,
        done.records,
        done.linkage_rows,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Prints the bank table loaded (loading the bundled one on an empty database).
pub async fn banks_status(config: Config) -> anyhow::Result<()> {
    let state = startup::build_state(config).await?;
    let table = state.banks.get(&state.db).await?;
    println!(
        "bank table of {}: {} banks, {} branches",
        table.version,
        table.banks.len(),
        table.branches.len()
    );
    Ok(())
}

/// Prints a transfer file as JSON: the header, each payment and the trailer's count and total.
pub fn read_transfer(file: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let parsed = portal_bank::transfer::TransferFile::parse(&bytes)
        .with_context(|| format!("{} is not a Zengin transfer file", file.display()))?;
    let h = &parsed.header;
    let json = serde_json::json!({
        "header": {
            "requesterCode": h.requester_code,
            "requesterName": h.requester_name,
            "transferDate": format!("{:02}-{:02}", h.transfer_date.0, h.transfer_date.1),
            "bankCode": h.bank_code,
            "branchCode": h.branch_code,
            "accountType": h.account_type.code(),
            "accountNumber": h.account_number,
        },
        "payments": parsed.payments.iter().map(|p| serde_json::json!({
            "bankCode": p.bank_code,
            "bankName": p.bank_name,
            "branchCode": p.branch_code,
            "branchName": p.branch_name,
            "accountType": p.account_type.code(),
            "accountNumber": p.account_number,
            "holderName": p.holder_name,
            "amount": p.amount,
            "customerCode": p.customer_code,
        })).collect::<Vec<_>>(),
        "count": parsed.payments.len(),
        "total": parsed.total(),
    });
    println!("{}", serde_json::to_string_pretty(&json)?);
    Ok(())
}

/// Imports a zengin-code data folder and prints what changed and which accounts became invalid.
pub async fn banks_import(config: Config, folder: &Path) -> anyhow::Result<()> {
    let new = portal_bank::directory::Directory::from_folder(folder)
        .with_context(|| format!("reading the bank table in {}", folder.display()))?;
    let state = startup::build_state(config).await?;
    let imported = crate::services::banks::import(&state, new).await?;
    println!(
        "loaded the bank table of {}: {} banks, {} branches; {} branches changed or went; {} accounts made invalid (their citizens were told)",
        imported.version,
        imported.banks,
        imported.branches,
        imported.changed_branches,
        imported.invalidated.len()
    );
    Ok(())
}

//! `phr-app`: an example personal health record app. It reads the citizen's health check-ups and
//! prescriptions from the portal's 自己情報取得API and shows them over time.

use std::net::SocketAddr;
use std::process::ExitCode;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use clap::Parser;
use portal_example_apps::graphql::{Fetched, Provenance, Record};
use portal_example_apps::html::escape;
use portal_example_apps::pages::{error_page, page, provenance_line};
use portal_example_apps::portal::{MAX_PAGES, PAGE_SIZE};
use portal_example_apps::{AppInfo, Config, Error, Portal, phr, queries};
use url::Url;

/// An example personal health record (PHR) app for the portal's 自己情報取得API: it shows the citizen's
/// health check-ups and prescriptions over time.
///
/// It is a confidential OAuth2 client (give --client-secret) or a public one (leave it out); either way
/// it uses the authorization code flow with PKCE S256. Its redirect URI is http://<LISTEN>/callback,
/// which must be registered with the portal exactly.
#[derive(Debug, Parser)]
#[command(name = "phr-app", version)]
struct Args {
    /// The portal's base URL (its /oauth/authorize, /oauth/token and /graphql are under it).
    #[arg(long, env = "PHR_APP_PORTAL", value_name = "URL")]
    portal: Url,
    /// Where to listen; also the host and port of the redirect URI.
    #[arg(
        long,
        env = "PHR_APP_LISTEN",
        value_name = "ADDR",
        default_value = "127.0.0.1:8091"
    )]
    listen: SocketAddr,
    /// The client id the portal gave the app when it was registered.
    #[arg(long, env = "PHR_APP_CLIENT_ID", value_name = "ID")]
    client_id: String,
    /// A confidential app's client secret (sent with HTTP Basic). Leave it out for a public app.
    /// Prefer the environment variable: a command line is visible to other users.
    #[arg(
        long,
        env = "PHR_APP_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    client_secret: Option<String>,
}

const INFO: AppInfo = AppInfo {
    name: "けんこう記録（PHRサンプル）",
    about_html: "<p>マイナポータルから特定健診の結果と薬の処方の記録を受け取り、\
年ごとの変化と一緒に新しい順に表示する、個人の健康記録（PHR）アプリの例です。</p>",
    scopes: &["health_checkups", "prescriptions"],
    data_path: "/records",
    data_link: "健診結果と処方の記録を見る",
    cookie: "phr_app_session",
};

#[actix_web::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let config = Config {
        portal: args.portal,
        listen: args.listen,
        client_id: args.client_id,
        client_secret: args.client_secret,
    };
    portal_example_apps::run("phr-app", INFO, config, routes).await
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/records", web::get().to(records));
}

async fn records(req: HttpRequest, portal: web::Data<Portal>) -> HttpResponse {
    let Some(session) = portal.sessions.id(&req) else {
        return error_page(&portal, &Error::NotConnected);
    };
    match render(&portal, &session).await {
        Ok(body) => page(&portal, StatusCode::OK, "健診結果と処方の記録", &body),
        Err(e) => error_page(&portal, &e),
    }
}

async fn render(portal: &Portal, session: &str) -> Result<String, Error> {
    let checkups = portal
        .fetch_all(session, queries::HEALTH_CHECKUPS, None, None)
        .await?;
    let prescriptions = portal
        .fetch_all(session, queries::PRESCRIPTIONS, None, None)
        .await?;
    Ok(format!(
        "<h1>健診結果と処方の記録</h1>\n{}\n{}\n{}\n\
<form method=\"post\" action=\"/disconnect\">\n\
<button type=\"submit\" class=\"secondary\">連携を解除する (アプリ側)</button>\n</form>",
        trend_section(&checkups.records),
        checkups_section(checkups),
        prescriptions_section(prescriptions),
    ))
}

fn cell(record: &Record, key: &str) -> String {
    record.field(key).map(escape).unwrap_or_default()
}

fn truncation_note(fetched: &Fetched) -> String {
    if !fetched.truncated {
        return String::new();
    }
    format!(
        "<p>記録が多いため、はじめの{}件だけを表示しています（全{}件）。</p>\n",
        MAX_PAGES * PAGE_SIZE as usize,
        fetched
            .total_count
            .map(|n| n.to_string())
            .unwrap_or_else(|| "?".to_owned())
    )
}

fn trend_section(checkups: &[Record]) -> String {
    let line = |label: &str, unit: &str, key: &str| {
        let text = phr::describe(&phr::yearly(checkups, key))
            .map(|t| escape(&t))
            .unwrap_or_else(|| "記録がありません".to_owned());
        format!("<li>{label}（{unit}）: {text}</li>")
    };
    format!(
        "<section aria-labelledby=\"trend\">\n<h2 id=\"trend\">年ごとの推移</h2>\n\
<p>各年の最後の健診の値です。</p>\n<ul>\n{}\n{}\n</ul>\n</section>",
        line("HbA1c", "%", "hba1c"),
        line("BMI", "kg/m²", "bmi"),
    )
}

fn checkups_section(mut fetched: Fetched) -> String {
    phr::newest_first(&mut fetched.records, "checked_on");
    let rows = fetched
        .records
        .iter()
        .map(|r| {
            format!(
                "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td>{}</td>\
<td class=\"num\">{}</td><td>{}</td></tr>",
                cell(r, "checked_on"),
                cell(r, "bmi"),
                cell(r, "blood_pressure"),
                cell(r, "hba1c"),
                cell(r, "guidance"),
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let table = if fetched.records.is_empty() {
        "<p>健診結果の記録はありません。</p>".to_owned()
    } else {
        format!(
            "<table>\n<caption>健診結果（新しい順）</caption>\n<thead><tr>\
<th scope=\"col\">受診日</th><th scope=\"col\">BMI</th><th scope=\"col\">血圧（mmHg）</th>\
<th scope=\"col\">HbA1c（%）</th><th scope=\"col\">保健指導</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>"
        )
    };
    format!(
        "<section aria-labelledby=\"checkups\">\n<h2 id=\"checkups\">健診結果</h2>\n{}{table}\n{}\n</section>",
        truncation_note(&fetched),
        provenance_line(&Provenance::of(&fetched.records)),
    )
}

fn prescriptions_section(mut fetched: Fetched) -> String {
    phr::newest_first(&mut fetched.records, "dispensed_on");
    let rows = fetched
        .records
        .iter()
        .map(|r| {
            format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td>\
<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                cell(r, "dispensed_on"),
                cell(r, "pharmacy"),
                cell(r, "drug"),
                cell(r, "quantity"),
                cell(r, "days"),
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let table = if fetched.records.is_empty() {
        "<p>処方の記録はありません。</p>".to_owned()
    } else {
        format!(
            "<table>\n<caption>処方（新しい順）</caption>\n<thead><tr>\
<th scope=\"col\">調剤日</th><th scope=\"col\">薬局</th><th scope=\"col\">薬品名</th>\
<th scope=\"col\">数量</th><th scope=\"col\">日数</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>"
        )
    };
    format!(
        "<section aria-labelledby=\"prescriptions\">\n<h2 id=\"prescriptions\">処方</h2>\n{}{table}\n{}\n</section>",
        truncation_note(&fetched),
        provenance_line(&Provenance::of(&fetched.records)),
    )
}

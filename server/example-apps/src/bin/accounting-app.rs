//! `accounting-app`: an example accounting app. It reads the citizen's medical expenses, deduction
//! certificates and income tax from the portal's 自己情報取得API and builds a year's 確定申告 deduction
//! summary, shown as a page and downloadable as CSV.

use std::net::SocketAddr;
use std::process::ExitCode;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use clap::Parser;
use portal_example_apps::accounting::{self, MEDICAL_THRESHOLD, Summary, Threshold};
use portal_example_apps::html::{escape, yen};
use portal_example_apps::pages::{error_page, page};
use portal_example_apps::{AppInfo, Config, Error, Portal, queries};
use serde::Deserialize;
use url::Url;

/// An example accounting app for the portal's 自己情報取得API: it builds a year's 確定申告 deduction summary
/// (medical expenses, insurance premiums, iDeCo, furusato nozei) and offers it as CSV.
///
/// It is a public OAuth2 client when --client-secret is left out (client_id in the token request's
/// body, PKCE S256 alone), a confidential one otherwise. Its redirect URI is http://<LISTEN>/callback,
/// which must be registered with the portal exactly.
#[derive(Debug, Parser)]
#[command(name = "accounting-app", version)]
struct Args {
    /// The portal's base URL (its /oauth/authorize, /oauth/token and /graphql are under it).
    #[arg(long, env = "ACCOUNTING_APP_PORTAL", value_name = "URL")]
    portal: Url,
    /// Where to listen; also the host and port of the redirect URI.
    #[arg(
        long,
        env = "ACCOUNTING_APP_LISTEN",
        value_name = "ADDR",
        default_value = "127.0.0.1:8092"
    )]
    listen: SocketAddr,
    /// The client id the portal gave the app when it was registered.
    #[arg(long, env = "ACCOUNTING_APP_CLIENT_ID", value_name = "ID")]
    client_id: String,
    /// A confidential app's client secret (sent with HTTP Basic). Leave it out for a public app.
    /// Prefer the environment variable: a command line is visible to other users.
    #[arg(
        long,
        env = "ACCOUNTING_APP_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    client_secret: Option<String>,
}

const INFO: AppInfo = AppInfo {
    name: "かんたん確定申告（会計サンプル）",
    about_html: "<p>マイナポータルから医療費通知、控除証明書（生命保険料・地震保険料・iDeCo・ふるさと納税など）\
と所得税の情報を受け取り、確定申告に使う控除の集計表を作る会計アプリの例です。\
集計表はCSVファイルでダウンロードできます。</p>",
    scopes: &["medical_expenses", "deductions", "income_tax"],
    data_path: "/summary",
    data_link: "控除の集計を見る",
    cookie: "accounting_app_session",
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
    portal_example_apps::run("accounting-app", INFO, config, routes).await
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/summary", web::get().to(summary_page))
        .route("/summary.csv", web::get().to(summary_csv));
}

#[derive(Debug, Deserialize)]
struct YearQuery {
    year: Option<String>,
}

/// The year asked for; by default last year (the one a 確定申告 is filed for now).
fn year_of(query: &YearQuery) -> Result<i32, Error> {
    match query
        .year
        .as_deref()
        .map(str::trim)
        .filter(|y| !y.is_empty())
    {
        None => Ok(portal_example_apps::current_year_in_japan() - 1),
        Some(text) => text
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| {
                Error::BadRequest(format!(
                    "対象年「{text}」は西暦4桁（2000〜2100）で指定してください。"
                ))
            }),
    }
}

/// Reads the three connections and builds the summary. Records are asked for from January 1st of the
/// year on (`from` bounds `updatedOn`): a year's certificates and notices are issued during it or after.
async fn build(portal: &Portal, session: &str, year: i32) -> Result<Summary, Error> {
    let from = format!("{year}-01-01");
    let medical = portal
        .fetch_all(session, queries::MEDICAL_EXPENSES, Some(&from), None)
        .await?;
    let deductions = portal
        .fetch_all(session, queries::DEDUCTIONS, Some(&from), None)
        .await?;
    let income = portal
        .fetch_all(session, queries::INCOME_TAX, Some(&from), None)
        .await?;
    Ok(accounting::summarize(
        year,
        &medical.records,
        &deductions.records,
        &income.records,
    ))
}

async fn summary_page(
    req: HttpRequest,
    portal: web::Data<Portal>,
    query: web::Query<YearQuery>,
) -> HttpResponse {
    let result = async {
        let year = year_of(&query)?;
        let session = portal.sessions.id(&req).ok_or(Error::NotConnected)?;
        let summary = build(&portal, &session, year).await?;
        Ok::<_, Error>(render(&summary))
    }
    .await;
    match result {
        Ok(body) => page(&portal, StatusCode::OK, "確定申告の控除の集計", &body),
        Err(e) => error_page(&portal, &e),
    }
}

async fn summary_csv(
    req: HttpRequest,
    portal: web::Data<Portal>,
    query: web::Query<YearQuery>,
) -> HttpResponse {
    let result = async {
        let year = year_of(&query)?;
        let session = portal.sessions.id(&req).ok_or(Error::NotConnected)?;
        let summary = build(&portal, &session, year).await?;
        Ok::<_, Error>((year, accounting::csv(&summary)))
    }
    .await;
    match result {
        Ok((year, csv)) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"deductions-{year}.csv\""),
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(csv),
        Err(e) => error_page(&portal, &e),
    }
}

fn render(summary: &Summary) -> String {
    let year = summary.year;
    let m = &summary.medical;
    let rows = summary
        .rows()
        .iter()
        .map(|r| {
            format!(
                "<tr><td>{}</td><th scope=\"row\">{}</th><td>{}</td><td class=\"num\">{}</td>\
<td>{}</td><td>{}</td></tr>",
                escape(r.category),
                escape(&r.item),
                escape(&r.issuer),
                yen(r.amount),
                escape(&r.source),
                escape(&r.updated_on),
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let totals = summary
        .totals()
        .iter()
        .map(|(label, amount, count)| {
            format!(
                "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{count}</td></tr>",
                escape(label),
                yen(*amount)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let threshold_note = match (&m.basis, m.total_income) {
        (Threshold::FivePercent { total_income, .. }, _) => format!(
            "<p>{year}年の総所得金額等（{}円）の5%が10万円より少ないため、医療費から差し引く金額を{}円としました。</p>",
            yen(*total_income),
            yen(m.threshold)
        ),
        (Threshold::Fixed, Some(income)) => format!(
            "<p>{year}年の総所得金額等（{}円）の5%が10万円以上のため、医療費から差し引く金額は{}円です。</p>",
            yen(income),
            yen(MEDICAL_THRESHOLD)
        ),
        (Threshold::Fixed, None) => format!(
            "<p>{year}年の総所得金額等がマイナポータルから分からないため、医療費から差し引く金額を{}円としました。\
総所得金額等が200万円未満の方は、その5%を差し引く金額にできます。</p>",
            yen(MEDICAL_THRESHOLD)
        ),
    };
    let unreadable = if summary.unreadable.is_empty() {
        String::new()
    } else {
        format!(
            "<h2>集計に含めなかった記録</h2>\n<p>金額を読み取れなかったため、次の記録は集計に含めていません。</p>\n<ul>\n{}\n</ul>\n",
            summary
                .unreadable
                .iter()
                .map(|u| format!("<li>{}</li>", escape(u)))
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    let sources = {
        let mut agencies: Vec<&str> = Vec::new();
        let mut latest: Option<&str> = None;
        let rows = summary.rows();
        for r in &rows {
            for a in r.source.split('、').filter(|a| !a.is_empty()) {
                if !agencies.contains(&a) {
                    agencies.push(a);
                }
            }
            if !r.updated_on.is_empty() && latest.is_none_or(|l| r.updated_on.as_str() > l) {
                latest = Some(&r.updated_on);
            }
        }
        format!(
            "<p class=\"source\">情報提供元: {}／最終更新日: {}</p>",
            if agencies.is_empty() {
                "—".to_owned()
            } else {
                agencies
                    .iter()
                    .map(|a| escape(a))
                    .collect::<Vec<_>>()
                    .join("、")
            },
            latest.map(escape).unwrap_or_else(|| "—".to_owned())
        )
    };
    format!(
        "<h1>{year}年分 確定申告の控除の集計</h1>\n\
<form method=\"get\" action=\"/summary\">\n<label for=\"year\">対象年（西暦）</label>\n\
<input id=\"year\" name=\"year\" type=\"number\" inputmode=\"numeric\" min=\"2000\" max=\"2100\" value=\"{year}\">\n\
<button type=\"submit\" class=\"secondary\">この年を集計する</button>\n</form>\n\
<h2>区分ごとの合計</h2>\n<table>\n<caption>{year}年分 区分ごとの合計（医療費は控除額、その他は証明書の金額）</caption>\n\
<thead><tr><th scope=\"col\">区分</th><th scope=\"col\">金額（円）</th><th scope=\"col\">件数</th></tr></thead>\n\
<tbody>\n{totals}\n</tbody>\n</table>\n{sources}\n\
<h2>明細</h2>\n<table>\n<caption>{year}年分 控除の明細</caption>\n\
<thead><tr><th scope=\"col\">区分</th><th scope=\"col\">内容</th><th scope=\"col\">発行元</th>\
<th scope=\"col\">金額（円）</th><th scope=\"col\">情報提供元</th><th scope=\"col\">最終更新日</th></tr></thead>\n\
<tbody>\n{rows}\n</tbody>\n</table>\n{sources}\n\
<p><a href=\"/summary.csv?year={year}\" download>集計表をCSVファイルでダウンロードする（{year}年分）</a></p>\n\
<h2>計算について</h2>\n{threshold_note}\n\
<p>医療費控除額は、支払った医療費から差し引く金額を引いたもので、上限は200万円です。\
保険金などで補填される金額はマイナポータルの情報に含まれないため、引いていません。</p>\n\
<p>生命保険料・地震保険料・iDeCo等・ふるさと納税等は、控除証明書に書かれた金額です。\
実際の控除額は、申告書の作成時に計算されます。</p>\n{unreadable}\
<form method=\"post\" action=\"/disconnect\">\n\
<button type=\"submit\" class=\"secondary\">連携を解除する (アプリ側)</button>\n</form>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_year_defaults_to_last_year_and_is_checked() {
        let q = |y: Option<&str>| YearQuery {
            year: y.map(str::to_owned),
        };
        assert_eq!(
            year_of(&q(None)).unwrap(),
            portal_example_apps::current_year_in_japan() - 1
        );
        assert_eq!(year_of(&q(Some("2024"))).unwrap(), 2024);
        assert!(year_of(&q(Some("24"))).is_err());
        assert!(year_of(&q(Some("2024<script>"))).is_err());
    }
}

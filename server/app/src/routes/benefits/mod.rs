//! 即日給付 for the citizen: the benefit a notice links to, with the amount and the prefilled claim to
//! confirm in one step, or the reason they cannot claim.

pub mod claim;
pub mod show;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use portal_forms::Kind;
use portal_forms::answers::Value;
use portal_storage::ids::BenefitId;
use portal_web::Lang;
use portal_web::components::FieldErrors;
use portal_web::form_view::answer_sections;
use portal_web::pages::apply::{BenefitAmount, BenefitPage};

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::routes::apply::source_texts;
use crate::services::benefits::{self, Eligibility, ForCitizen, Ineligible};
use crate::services::{catalogue, form_definitions, prefill};
use crate::state::AppState;

fn benefit_id(raw: &str) -> Result<BenefitId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

fn yen(lang: Lang, amount: i64) -> String {
    portal_web::format::yen(lang, &amount.to_string())
}

/// Why the citizen cannot claim, in words.
fn reason(lang: Lang, seen: &ForCitizen, why: &Ineligible) -> String {
    let benefit = &seen.benefit;
    match why {
        Ineligible::OutsideArea(municipality) => {
            let areas = benefit
                .municipality_codes()
                .iter()
                .map(|code| catalogue::agency_name(code, lang))
                .collect::<Vec<_>>()
                .join(if lang == Lang::Ja { "・" } else { ", " });
            lang.tf(
                "benefit.ineligible.outside_area",
                &[
                    ("areas", &areas),
                    ("municipality", &catalogue::agency_name(municipality, lang)),
                ],
            )
        }
        Ineligible::IncomeOver {
            income,
            limit,
            fiscal_year,
        } => lang.tf(
            "benefit.ineligible.income_over",
            &[
                ("year", fiscal_year),
                ("income", &portal_web::format::grouped(&income.to_string())),
                ("limit", &portal_web::format::grouped(&limit.to_string())),
            ],
        ),
        Ineligible::NoIncomeRecord => lang.t("benefit.ineligible.no_income").to_owned(),
        Ineligible::Closed => lang.tf(
            "benefit.ineligible.closed",
            &[("date", &portal_web::format::date(lang, &benefit.deadline))],
        ),
    }
}

/// The benefit page for this citizen; `errors` when the confirmation was missing.
async fn draw(
    req: &HttpRequest,
    state: &AppState,
    signed_in: &SignedIn,
    id: BenefitId,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let seen = benefits::for_citizen(state, signed_in.citizen, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let shell = render::citizen_shell(req, state, signed_in).await?;
    let lang = shell.lang;
    let benefit = &seen.benefit;
    let mut page = BenefitPage {
        title: if lang == Lang::Ja {
            benefit.title_ja.clone()
        } else {
            benefit.title_en.clone()
        },
        agency: if lang == Lang::Ja {
            seen.agency_name_ja.clone()
        } else {
            seen.agency_name_en.clone()
        },
        deadline: portal_web::format::date(lang, &benefit.deadline),
        amount: None,
        ineligible: None,
        claimed_href: seen
            .claim
            .as_ref()
            .map(|c| format!("/applications/{}", c.application_id)),
        sections: Vec::new(),
        sources: Vec::new(),
        needs_account: false,
        declaration: String::new(),
        action: format!("/benefits/{id}"),
        errors,
        shell,
    };
    match &seen.eligibility {
        _ if page.claimed_href.is_some() => {}
        Eligibility::Ineligible(why) => page.ineligible = Some(reason(lang, &seen, why)),
        Eligibility::Eligible { amount, members } => {
            page.amount = Some(BenefitAmount {
                total: yen(lang, *amount),
                breakdown: if *members > 0 && benefit.amount_per_member > 0 {
                    lang.tf(
                        "benefit.breakdown_members",
                        &[
                            (
                                "household",
                                &portal_web::format::grouped(
                                    &benefit.amount_per_household.to_string(),
                                ),
                            ),
                            ("members", &members.to_string()),
                            (
                                "per_member",
                                &portal_web::format::grouped(
                                    &benefit.amount_per_member.to_string(),
                                ),
                            ),
                        ],
                    )
                } else {
                    lang.tf(
                        "benefit.breakdown",
                        &[(
                            "household",
                            &portal_web::format::grouped(&benefit.amount_per_household.to_string()),
                        )],
                    )
                },
            });
            let (_, definition) = form_definitions::latest(&state.db, benefit.form_key.clone())
                .await?
                .ok_or(AppError::NotFound)?;
            let (answers, sources) =
                prefill::prefill(state, signed_in.citizen, &definition).await?;
            // The declaration is what the confirmation below says: it is not shown as an answer.
            let mut shown = definition.clone();
            for p in &mut shown.pages {
                p.fields.retain(|f| f.kind() != Some(Kind::Declaration));
            }
            let all = definition.fields();
            page.declaration = all
                .iter()
                .find(|(_, f)| f.kind() == Some(Kind::Declaration))
                .map(|(_, f)| {
                    if lang == Lang::Ja {
                        f.label.ja.clone()
                    } else {
                        f.label.en.clone()
                    }
                })
                .unwrap_or_else(|| lang.t("benefit.confirm_legend").to_owned());
            page.needs_account = all.iter().any(|(_, f)| {
                f.kind() == Some(Kind::BankAccount)
                    && !matches!(answers.0.get(&f.id), Some(Value::Account(_)))
            });
            let texts = source_texts(&sources, lang);
            page.sources = all
                .iter()
                .filter_map(|(_, f)| {
                    let source = texts.get(&f.id)?;
                    let label = if lang == Lang::Ja {
                        &f.label.ja
                    } else {
                        &f.label.en
                    };
                    Some(lang.tf("benefit.source", &[("label", label), ("source", source)]))
                })
                .collect();
            let no_change = |_: usize| String::new();
            page.sections = answer_sections(
                &shown,
                &answers,
                &std::collections::BTreeSet::new(),
                lang,
                &no_change,
                // Not started yet: nothing is attached.
                "",
            );
        }
    }
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render::page(status, &page)
}

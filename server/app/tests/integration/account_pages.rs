//! 公金受取口座 in the browser: the finders, every wrong field answered with its own message next to it and
//! nothing typed lost, check your answers, and the card asked for again — the signed-in citizen's own card
//! only — before a change or a deletion.

use portal_server::services::bank_account::{self, Problem};
use portal_storage::models::bank_account::{BankAccount, BankAccountEvent};
use portal_web::Lang;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{TestApp, title};
use crate::own_data::{Answer, Citizen, answer_with_card, between, post};

const KANA: &str = "ヤマダ ハナコ";

/// The form's fields as a browser sends them.
struct Typed<'a> {
    bank: &'a str,
    branch: &'a str,
    kind: &'a str,
    number: &'a str,
    holder: &'a str,
}

const GOOD: Typed<'static> = Typed {
    bank: "0001",
    branch: "001",
    kind: "ordinary",
    number: "1234567",
    holder: "やまだ はなこ",
};

async fn send_details(app: &TestApp, citizen: &Citizen, typed: &Typed<'_>, action: &str) -> Answer {
    post(
        app,
        citizen,
        "/account/details",
        "/account/details",
        &[
            ("bank_code", typed.bank),
            ("branch_code", typed.branch),
            ("account_type", typed.kind),
            ("account_number", typed.number),
            ("holder_name", typed.holder),
            ("action", action),
        ],
    )
    .await
}

/// The error is in the summary, linked to the field, and next to the field; and every value typed is
/// still in the form.
fn assert_refused(answer: &Answer, typed: &Typed<'_>, field: &str, message: &str) {
    let html = &answer.body;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
    assert!(title(html).starts_with("エラー: "), "{}", title(html));
    let summary = between(html, "error-summary__list", "</ul>");
    assert!(
        summary.contains(&format!("<a href=\"#{field}\">{message}</a>")),
        "the summary links “{message}” to #{field}: {summary}"
    );
    assert!(
        html.contains(&format!(
            "<p id=\"{field}-error\" class=\"error-message\"><span class=\"visually-hidden\">エラー:</span> {message}</p>"
        )),
        "“{message}” next to #{field}"
    );
    assert_eq!(
        summary.matches("<li>").count(),
        1,
        "only {field} is wrong: {summary}"
    );
    for (id, value) in [
        ("bank_code", typed.bank),
        ("branch_code", typed.branch),
        ("account_number", typed.number),
        ("holder_name", typed.holder),
    ] {
        assert!(
            html.contains(&format!(
                "id=\"{id}\" name=\"{id}\" type=\"text\" value=\"{value}\""
            )),
            "#{id} keeps “{value}”"
        );
    }
    assert!(
        html.contains(&format!("value=\"{}\" checked", typed.kind)),
        "the type stays chosen"
    );
}

/// The code of the card confirmation page at `path`.
async fn confirmation_code(app: &TestApp, citizen: &Citizen, path: &str) -> String {
    let html = citizen.html(app, path, StatusCode::OK).await;
    between(&html, "/sign-in/qr/", ".svg")[..8].to_owned()
}

async fn confirm(app: &TestApp, citizen: &Citizen, path: &str, code: &str) -> Answer {
    // The CSRF token from a page without side effects (opening the confirmation page starts a challenge).
    post(app, citizen, "/account", path, &[("code", code)]).await
}

async fn account(app: &TestApp, citizen: &Citizen) -> Option<BankAccount> {
    let id = citizen.id;
    app.state
        .db
        .run(move |c| BankAccount::find(c, id))
        .await
        .expect("find")
}

#[actix_web::test]
async fn every_wrong_field_says_what_is_wrong_and_keeps_what_was_typed() {
    let app = TestApp::start().await;
    let (hanako, _card) = Citizen::sign_in_as(&app, "山田 花子", KANA).await;
    let directory = app.state.banks.get(&app.state.db).await.expect("table");

    // The finders: by name, then the branch within the bank; each result leads on with its code.
    let banks = hanako
        .html(&app, "/account/bank?q=みずほ", StatusCode::OK)
        .await;
    assert!(
        banks.contains("href=\"/account/branch?bank=0001\""),
        "みずほ銀行 is found"
    );
    let branches = hanako
        .html(
            &app,
            "/account/branch?bank=0001&q=とうきょう",
            StatusCode::OK,
        )
        .await;
    assert!(
        branches.contains("href=\"/account/details?bank=0001&#38;branch=001\""),
        "東京営業部 is found by its reading"
    );
    let empty = hanako.get(&app, "/account/bank?q=").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .text()
            .contains("金融機関名、よみがな、または4桁の金融機関コードを入力してください。")
    );
    let details = hanako
        .html(
            &app,
            "/account/details?bank=0001&branch=001",
            StatusCode::OK,
        )
        .await;
    assert!(details.contains("value=\"0001\"") && details.contains("value=\"001\""));
    assert!(details.contains("みずほ 東京営業部"), "the choice is named");

    let unknown_bank = (1000..10000)
        .map(|n| format!("{n:04}"))
        .find(|code| directory.bank(code).is_none())
        .expect("a free bank code");
    let foreign_branch = (0..1000)
        .map(|n| format!("{n:03}"))
        .find(|code| directory.branch("0001", code).is_none())
        .expect("a branch code みずほ does not use");
    let cases = [
        (
            Typed {
                bank: &unknown_bank,
                ..GOOD
            },
            "bank_code",
            format!("金融機関コード{unknown_bank}の金融機関はありません。名前で探してください。"),
        ),
        (
            Typed {
                branch: &foreign_branch,
                ..GOOD
            },
            "branch_code",
            format!(
                "みずほに支店コード{foreign_branch}の支店はありません。通帳やキャッシュカードの支店番号を確かめてください。"
            ),
        ),
        (
            Typed {
                number: "123456",
                ..GOOD
            },
            "account_number",
            "口座番号は7桁です（入力は6桁）。7桁より短い番号は、先頭に0を付けて7桁にしてください。"
                .to_owned(),
        ),
        (
            Typed {
                number: "12345678",
                ..GOOD
            },
            "account_number",
            "口座番号は7桁です（入力は8桁）。7桁より短い番号は、先頭に0を付けて7桁にしてください。"
                .to_owned(),
        ),
        (
            Typed {
                holder: "山田 花子",
                ..GOOD
            },
            "holder_name",
            "漢字（山田花子）は使えません。口座名義はカタカナで、通帳に記載のとおり入力してください。"
                .to_owned(),
        ),
        (
            Typed {
                holder: "ヤマダ タロウ",
                ..GOOD
            },
            "holder_name",
            "口座名義がマイナンバーカードの氏名（フリガナ）と一致しません。公金受取口座はご本人名義の口座のみ登録できます。"
                .to_owned(),
        ),
    ];
    for (typed, field, message) in &cases {
        let answer = send_details(&app, &hanako, typed, "continue").await;
        assert_refused(&answer, typed, field, message);
    }
    // The same checks answer in English for an English page.
    let mismatch = Problem::Holder(portal_bank::kana::NameProblem::Mismatch).message(Lang::En);
    hanako.use_english(&app).await;
    let answer = send_details(&app, &hanako, &cases[5].0, "continue").await;
    assert!(
        answer.body.contains(&mismatch.replace('\'', "&#x27;"))
            || answer.body.contains(&mismatch.replace('\'', "&#39;")),
        "{mismatch}"
    );
    hanako.get(&app, "/language/ja?next=/").await;

    // Leaving for the finder keeps what was typed; choosing a new bank clears only the branch.
    let typed = Typed {
        number: "7654321",
        ..GOOD
    };
    let left = send_details(&app, &hanako, &typed, "find_bank").await;
    assert_eq!(
        (left.status, left.location()),
        (StatusCode::SEE_OTHER, "/account/bank")
    );
    let back = hanako
        .html(&app, "/account/details?bank=0005", StatusCode::OK)
        .await;
    assert!(back.contains("value=\"7654321\""), "the number is kept");
    assert!(back.contains("value=\"やまだ はなこ\""), "the name is kept");
    assert!(back.contains("id=\"branch_code\" name=\"branch_code\" type=\"text\" value=\"\""));
    assert_eq!(account(&app, &hanako).await, None, "nothing is registered");
}

#[actix_web::test]
async fn a_change_or_deletion_needs_the_signed_in_citizens_own_card_again() {
    let app = TestApp::start().await;
    let (hanako, mut card) = Citizen::sign_in_as(&app, "山田 花子", KANA).await;
    let (_other, mut family_card) = Citizen::sign_in_as(&app, "山田 太郎", "ヤマダ タロウ").await;

    // A first registration: details, check your answers, registered at once.
    let sent = send_details(&app, &hanako, &GOOD, "continue").await;
    assert_eq!(sent.location(), "/account/check", "{}", sent.body);
    let check = hanako.html(&app, "/account/check", StatusCode::OK).await;
    for shown in ["みずほ（0001）", "東京営業部（001）", "1234567", "ﾔﾏﾀﾞ ﾊﾅｺ"]
    {
        assert!(check.contains(shown), "check your answers shows {shown}");
    }
    let done = post(&app, &hanako, "/account/check", "/account/check", &[]).await;
    assert_eq!(done.location(), "/account?done=registered");
    let overview = hanako
        .html(&app, "/account?done=registered", StatusCode::OK)
        .await;
    assert!(
        overview.contains("****567") && !overview.contains("1234567"),
        "masked"
    );
    assert!(overview.contains("公金受取口座を登録しました"));

    // A change goes on to the card; another person's card is refused and changes nothing.
    let new = Typed {
        number: "7654321",
        ..GOOD
    };
    assert_eq!(
        send_details(&app, &hanako, &new, "continue")
            .await
            .location(),
        "/account/check"
    );
    let to_card = post(&app, &hanako, "/account/check", "/account/check", &[]).await;
    assert_eq!(to_card.location(), "/account/confirm/change");
    let code = confirmation_code(&app, &hanako, "/account/confirm/change").await;
    let challenge: Value = app
        .get(&format!("/card/challenge/{code}"))
        .await
        .json()
        .await
        .expect("challenge");
    assert!(
        challenge["message"]
            .as_str()
            .expect("message")
            .starts_with("mynaportal-confirm-v1\npurpose=account.change\n"),
        "the card signs what it confirms, not a sign-in"
    );
    let early = confirm(&app, &hanako, "/account/confirm/change", &code).await;
    assert_eq!(early.status, StatusCode::OK);
    assert!(
        early.body.contains("まだカードからの応答がありません。"),
        "still waiting"
    );
    answer_with_card(&app, &mut family_card, &code).await;
    let refused = confirm(&app, &hanako, "/account/confirm/change", &code).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused
            .body
            .contains("ログインしている方とは別の方のカードで確認されました。")
    );
    assert_eq!(
        account(&app, &hanako)
            .await
            .expect("account")
            .account_number,
        "1234567",
        "unchanged"
    );

    // The citizen's own card changes it, once.
    let code = confirmation_code(&app, &hanako, "/account/confirm/change").await;
    answer_with_card(&app, &mut card, &code).await;
    let changed = confirm(&app, &hanako, "/account/confirm/change", &code).await;
    assert_eq!(
        changed.location(),
        "/account?done=changed",
        "{}",
        changed.body
    );
    assert_eq!(
        account(&app, &hanako)
            .await
            .expect("account")
            .account_number,
        "7654321"
    );
    let again = confirm(&app, &hanako, "/account/confirm/change", &code).await;
    assert_eq!(again.location(), "/account/details", "the draft is used up");

    // Deleting: the page says what goes, then the card.
    let delete = hanako.html(&app, "/account/delete", StatusCode::OK).await;
    assert!(delete.contains("****321"));
    let code = confirmation_code(&app, &hanako, "/account/confirm/delete").await;
    answer_with_card(&app, &mut card, &code).await;
    let deleted = confirm(&app, &hanako, "/account/confirm/delete", &code).await;
    assert_eq!(deleted.location(), "/account?done=deleted");
    assert_eq!(account(&app, &hanako).await, None);

    // The history shows all three, newest first, with the last three digits only.
    let overview = hanako.html(&app, "/account", StatusCode::OK).await;
    let table = between(&overview, "<tbody", "</tbody>");
    let kinds: Vec<usize> = ["削除", "変更", "登録"]
        .iter()
        .map(|k| table.find(&format!(">{k}<")).expect(k))
        .collect();
    assert!(kinds.windows(2).all(|w| w[0] < w[1]), "newest first");
    assert!(!overview.contains("7654321") && overview.contains("****321"));
    let id = hanako.id;
    let events = app
        .state
        .db
        .run(move |c| BankAccountEvent::for_citizen(c, id, 10))
        .await
        .expect("events");
    assert_eq!(events.len(), 3);
    assert!(
        bank_account::current(&app.state, hanako.id)
            .await
            .expect("current")
            .is_none()
    );
}

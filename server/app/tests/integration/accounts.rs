//! 公金受取口座: every check with its own message, the last completed registration winning across channels,
//! the citizen told of each change, an import invalidating the accounts under a changed branch, and payment
//! files that read back with their totals.

use base64::Engine;
use portal_bank::directory::Directory;
use portal_bank::kana::NameProblem;
use portal_bank::transfer::{AccountType, Payment, TransferFile};
use portal_server::services::agencies;
use portal_server::services::bank_account::{
    self, AccountInput, Channel, Field, Problem, Registered,
};
use portal_server::services::banks;
use portal_storage::ids::CitizenId;
use portal_storage::models::agency::Agency;
use portal_storage::models::bank_account::{BankAccount, BankAccountEvent};
use portal_storage::models::citizen::Citizen;
use portal_storage::models::email_address::EmailAddress;
use portal_storage::models::inbox::{self, Addressee, InboxFilter};
use portal_storage::models::linkage::{LinkageFilter, LinkageRecord};
use portal_storage::models::outbox::{OutboxMail, purpose};
use portal_storage::{now_millis, with_conn};
use portal_web::Lang;
use serde_json::{Value, json};

use crate::agency::{graphql, person, setup, token};
use crate::common::TestApp;

const REGISTER: &str = "mutation($c: String!, $a: PublicFundsAccountInput!, $at: Int) { registerPublicFundsAccount(citizen: $c, account: $a, completedAt: $at) { stored maskedAccountNumber completedAt } }";
const READ: &str = "query($c: String!, $t: String!) { publicFundsAccount(citizen: $c, task: $t) { bankCode branchCode accountType accountNumber holderName } }";
const BATCH: &str = "mutation($t: String!, $p: PayerInput!, $x: [PaymentInput!]!) { buildPaymentFile(task: $t, payer: $p, payments: $x) { file payments total unknownCitizens citizensWithoutAccount } }";

/// Hanako's account at みずほ 東京営業部.
pub(crate) fn hanako_account(number: &str) -> AccountInput {
    AccountInput {
        bank_code: "0001".to_owned(),
        branch_code: "001".to_owned(),
        account_type: "ordinary".to_owned(),
        account_number: number.to_owned(),
        holder_name: "ヤマダ ハナコ".to_owned(),
    }
}

async fn table(app: &TestApp) -> std::sync::Arc<Directory> {
    app.state
        .banks
        .get(&app.state.db)
        .await
        .expect("bank table")
}

/// A citizen with `kana` as their registered name, known to `agency_code` by the returned pseudonym.
pub(crate) async fn citizen(app: &TestApp, kana: &str, agency_code: &str) -> (CitizenId, String) {
    let person = person("テスト 市民", kana);
    let id = person.id;
    let code = agency_code.to_owned();
    let pseudonym = app
        .state
        .db
        .run(move |c| {
            Citizen::insert(c, &person)?;
            let agency = Agency::find_by_code(c, &code)?.expect("agency");
            Ok(agencies::enrol(c, &[(&agency, id)])?.remove(0))
        })
        .await
        .expect("citizen");
    (id, pseudonym)
}

/// Enrols an existing citizen with another agency; returns that agency's pseudonym.
async fn enrol(app: &TestApp, citizen: CitizenId, agency_code: &str) -> String {
    let code = agency_code.to_owned();
    app.state
        .db
        .run(move |c| {
            let agency = Agency::find_by_code(c, &code)?.expect("agency");
            Ok(agencies::enrol(c, &[(&agency, citizen)])?.remove(0))
        })
        .await
        .expect("enrol")
}

pub(crate) async fn register(
    app: &TestApp,
    citizen: CitizenId,
    input: AccountInput,
    at: i64,
) -> Registered {
    let kana = bank_account::registered_kana(&app.state, citizen)
        .await
        .expect("kana");
    let directory = table(app).await;
    let checked = bank_account::check(&directory, &kana, &input).expect("a valid account");
    bank_account::register(&app.state, citizen, checked, Channel::Portal, at)
        .await
        .expect("register")
}

async fn inbox_titles(app: &TestApp, citizen: CitizenId) -> Vec<String> {
    app.state
        .db
        .run(move |c| {
            let addressee = Addressee::load(c, citizen)?.expect("citizen");
            let page = inbox::page(c, &addressee, &InboxFilter::default(), now_millis(), 50, 0)?;
            Ok(page.items.into_iter().map(|i| i.notice.title).collect())
        })
        .await
        .expect("inbox")
}

async fn account_mails(app: &TestApp, citizen: CitizenId) -> Vec<OutboxMail> {
    app.state
        .db
        .run(move |c| {
            use diesel::prelude::*;
            use portal_storage::schema::mail_outbox;
            Ok(with_conn!(c, |c| mail_outbox::table
                .filter(mail_outbox::citizen_id.eq(citizen))
                .filter(mail_outbox::purpose.eq(purpose::ACCOUNT_CHANGED))
                .order(mail_outbox::created_at)
                .select(OutboxMail::as_select())
                .load(c))?)
        })
        .await
        .expect("mails")
}

async fn stored(app: &TestApp, citizen: CitizenId) -> Option<BankAccount> {
    app.state
        .db
        .run(move |c| BankAccount::find(c, citizen))
        .await
        .expect("account")
}

#[actix_web::test]
async fn every_wrong_field_gets_its_own_message_and_a_right_one_is_kept_as_banks_keep_it() {
    let app = TestApp::start().await;
    let directory = table(&app).await;
    assert!(directory.banks.len() > 1000, "the bundled Zengin table");
    let unknown_bank = (1..10_000)
        .map(|n| format!("{n:04}"))
        .find(|code| directory.bank(code).is_none())
        .expect("a free bank code");
    let missing_branch = (0..1000)
        .map(|n| format!("{n:03}"))
        .find(|code| directory.branch("0001", code).is_none())
        .expect("a free branch code");
    let kana = "ヤマダ ハナコ";
    let problems =
        |input: AccountInput| bank_account::check(&directory, kana, &input).expect_err("refused");

    let unknown = problems(AccountInput {
        bank_code: unknown_bank.clone(),
        ..hanako_account("1234567")
    });
    assert_eq!(
        unknown,
        [Problem::BankUnknown {
            code: unknown_bank.clone()
        }]
    );
    assert_eq!(unknown[0].field(), Field::Bank);
    assert_eq!(
        unknown[0].message(Lang::Ja),
        format!("金融機関コード{unknown_bank}の金融機関はありません。名前で探してください。")
    );

    let branch = problems(AccountInput {
        branch_code: missing_branch.clone(),
        ..hanako_account("1234567")
    });
    assert_eq!(branch[0].field(), Field::Branch);
    assert!(
        branch[0].message(Lang::Ja).starts_with(&format!(
            "みずほに支店コード{missing_branch}の支店はありません。"
        )),
        "{}",
        branch[0].message(Lang::Ja)
    );

    for (number, found) in [("123456", 6), ("12345678", 8)] {
        let wrong = problems(hanako_account(number));
        assert_eq!(wrong, [Problem::NumberLength { found }]);
        assert!(
            wrong[0]
                .message(Lang::En)
                .contains(&format!("you entered {found}"))
        );
    }
    assert_eq!(
        problems(hanako_account("12a4567")),
        [Problem::NumberNotDigits]
    );

    let kanji = problems(AccountInput {
        holder_name: "山田花子".to_owned(),
        ..hanako_account("1234567")
    });
    assert_eq!(
        kanji,
        [Problem::Holder(NameProblem::Kanji {
            chars: "山田花子".to_owned()
        })]
    );
    assert!(kanji[0].message(Lang::Ja).contains("山田花子"));

    let family = problems(AccountInput {
        holder_name: "ヤマダ タロウ".to_owned(),
        ..hanako_account("1234567")
    });
    assert_eq!(family, [Problem::Holder(NameProblem::Mismatch)]);
    assert_eq!(family[0].field(), Field::HolderName);

    // Everything wrong at once: each field says so.
    let all = problems(AccountInput {
        bank_code: "12".to_owned(),
        branch_code: String::new(),
        account_type: "checking".to_owned(),
        account_number: String::new(),
        holder_name: String::new(),
    });
    let fields: Vec<Field> = all.iter().map(Problem::field).collect();
    assert_eq!(
        fields,
        [
            Field::Bank,
            Field::Branch,
            Field::AccountType,
            Field::AccountNumber,
            Field::HolderName
        ]
    );

    // Full-width digits and hiragana, as people type them, are kept as banks keep them.
    let checked = bank_account::check(
        &directory,
        kana,
        &AccountInput {
            bank_code: "０００１".to_owned(),
            branch_code: "００１".to_owned(),
            account_type: "savings".to_owned(),
            account_number: "０１２３４５６".to_owned(),
            holder_name: "やまだ　はなこ".to_owned(),
        },
    )
    .expect("valid");
    assert_eq!(checked.bank_code, "0001");
    assert_eq!(checked.branch_code, "001");
    assert_eq!(checked.account_number, "0123456");
    assert_eq!(checked.account_type, AccountType::Savings);
    assert_eq!(checked.holder_name, "ﾔﾏﾀﾞ ﾊﾅｺ");
    assert_eq!(checked.branch_kana, "トウキヨウ");
}

#[actix_web::test]
async fn the_last_completed_registration_wins_whatever_the_channel_and_the_citizen_is_told() {
    let app = TestApp::start().await;
    let (hanako, _, _) = setup(&app, "131016").await;
    app.state
        .db
        .run(move |c| {
            EmailAddress::save_confirmed(
                c,
                hanako,
                "hanako@example.jp",
                "tok-hanako",
                now_millis(),
            )?;
            Ok(())
        })
        .await
        .expect("address");
    let started = now_millis() - 60_000;
    let Registered::Stored(first) =
        register(&app, hanako, hanako_account("1111111"), started).await
    else {
        panic!("stored")
    };
    assert_eq!(first.masked_number(), "****111");

    // The bank's counter registers a newer one: it replaces the portal's.
    let pseudonym = enrol(&app, hanako, "bank-0001").await;
    let client = agencies::add_client(&app.state.db, "bank-0001", "counter")
        .await
        .expect("client");
    let bank = token(
        &app,
        &crate::agency::Client::new(client.client_id, client.client_secret),
    )
    .await;
    let account = |number: &str, holder: &str| {
        json!({"bankCode": "0009", "branchCode": "001", "accountType": "ordinary",
               "accountNumber": number, "holderName": holder})
    };
    let answer = graphql(
        &app,
        &bank,
        REGISTER,
        json!({"c": pseudonym, "a": account("2222222", "ﾔﾏﾀﾞ ﾊﾅｺ")}),
    )
    .await;
    assert_eq!(
        answer["data"]["registerPublicFundsAccount"]["stored"], true,
        "{answer}"
    );
    assert_eq!(
        answer["data"]["registerPublicFundsAccount"]["maskedAccountNumber"],
        "****222"
    );
    let now = stored(&app, hanako).await.expect("account");
    assert_eq!(
        (now.bank_code.as_str(), now.account_number.as_str()),
        ("0009", "2222222")
    );
    assert_eq!(now.channel, "bank");
    assert_eq!(now.channel_agency.as_deref(), Some("bank-0001"));

    // One completed before it but sent late changes nothing.
    let late = graphql(
        &app,
        &bank,
        REGISTER,
        json!({"c": pseudonym, "a": account("3333333", "ヤマダ ハナコ"), "at": started - 1}),
    )
    .await;
    assert_eq!(
        late["data"]["registerPublicFundsAccount"]["stored"], false,
        "{late}"
    );
    assert_eq!(
        stored(&app, hanako).await.expect("account").account_number,
        "2222222"
    );
    // Nor does an older portal registration.
    assert!(matches!(
        register(&app, hanako, hanako_account("4444444"), started + 1).await,
        Registered::Superseded(_)
    ));

    // The bank follows the same checks: another person's name is refused, naming the field.
    let refused = graphql(
        &app,
        &bank,
        REGISTER,
        json!({"c": pseudonym, "a": account("5555555", "ヤマダ タロウ")}),
    )
    .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{refused}"
    );
    assert_eq!(refused["errors"][0]["extensions"]["field"], "holder_name");
    // And only a bank registers.
    let (_, _, city) = setup(&app, "131016").await;
    let city = token(&app, &city).await;
    let forbidden = graphql(
        &app,
        &city,
        REGISTER,
        json!({"c": pseudonym, "a": account("5555555", "ヤマダ ハナコ")}),
    )
    .await;
    assert_eq!(forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN");

    // Told twice, by notice and by mail, with no account detail in the mail.
    let titles = inbox_titles(&app, hanako).await;
    assert_eq!(
        titles,
        [
            "公金受取口座が変更されました",
            "公金受取口座が登録されました"
        ]
    );
    let mails = account_mails(&app, hanako).await;
    assert_eq!(mails.len(), 2);
    let params: Value = serde_json::from_str(&mails[1].params).expect("json");
    assert_eq!(
        (params["what"].as_str(), params["channel"].as_str()),
        (Some("changed"), Some("bank"))
    );
    assert!(
        mails
            .iter()
            .all(|m| !m.params.contains("2222222") && !m.params.contains("1111111"))
    );

    let history = app
        .state
        .db
        .run(move |c| BankAccountEvent::for_citizen(c, hanako, 10))
        .await
        .expect("history");
    let kinds: Vec<(&str, &str, Option<&str>)> = history
        .iter()
        .map(|e| {
            (
                e.kind.as_str(),
                e.channel.as_str(),
                e.number_last3.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("changed", "bank", Some("222")),
            ("registered", "portal", Some("111"))
        ]
    );

    assert!(
        bank_account::delete(&app.state, hanako)
            .await
            .expect("delete")
    );
    assert!(stored(&app, hanako).await.is_none());
    assert_eq!(
        inbox_titles(&app, hanako).await[0],
        "公金受取口座が削除されました"
    );
}

#[actix_web::test]
async fn an_import_that_renames_a_branch_invalidates_its_accounts_and_tells_their_citizens() {
    let app = TestApp::start().await;
    let (hanako, pseudonym, city) = setup(&app, "131016").await;
    let (taro, taro_pseudonym) = citizen(&app, "サトウ タロウ", "131016").await;
    register(&app, hanako, hanako_account("1234567"), now_millis()).await;
    register(
        &app,
        taro,
        AccountInput {
            branch_code: "004".to_owned(),
            holder_name: "サトウ タロウ".to_owned(),
            ..hanako_account("7654321")
        },
        now_millis(),
    )
    .await;

    let mut newer = (*table(&app).await).clone();
    newer.version = "20261201".to_owned();
    let tokyo = newer
        .branches
        .iter_mut()
        .find(|b| b.bank_code == "0001" && b.code == "001")
        .expect("東京営業部");
    tokyo.kana = "トウキヨウエイギヨウブ".to_owned();
    let imported = banks::import(&app.state, newer).await.expect("import");
    assert_eq!(imported.version, "20261201");
    assert_eq!(imported.changed_branches, 1);
    assert_eq!(
        imported
            .invalidated
            .iter()
            .map(|a| a.citizen_id)
            .collect::<Vec<_>>(),
        [hanako]
    );
    let hers = stored(&app, hanako).await.expect("kept, marked invalid");
    assert!(hers.invalid_since.is_some());
    assert_eq!(hers.invalid_reason.as_deref(), Some("branch_kana_changed"));
    assert!(
        stored(&app, taro).await.expect("his").is_valid(),
        "another branch is untouched"
    );
    assert_eq!(
        table(&app).await.version,
        "20261201",
        "the new table is in use"
    );
    assert_eq!(
        inbox_titles(&app, hanako).await[0],
        "公金受取口座をもう一度登録してください"
    );

    // Payments list her apart instead of paying to a branch that no longer is what she registered.
    let token = token(&app, &city).await;
    let answer = graphql(
        &app,
        &token,
        BATCH,
        json!({"t": "benefit_payment", "p": payer(), "x": [
            {"citizen": pseudonym, "amount": 100000},
            {"citizen": taro_pseudonym, "amount": 100000},
        ]}),
    )
    .await;
    let built = &answer["data"]["buildPaymentFile"];
    assert_eq!(built["payments"], 1, "{answer}");
    assert_eq!(built["citizensWithoutAccount"], json!([pseudonym]));
}

pub(crate) fn payer() -> Value {
    json!({"requesterCode": "1234567890", "requesterName": "チヨダク", "transferDate": "2026-12-10",
           "bankCode": "0001", "branchCode": "004", "accountType": "current", "accountNumber": "0000001"})
}

#[actix_web::test]
async fn a_payment_file_reads_back_with_every_field_and_its_totals_and_each_read_is_recorded() {
    let app = TestApp::start().await;
    let (hanako, pseudonym, city) = setup(&app, "131016").await;
    let (taro, taro_pseudonym) = citizen(&app, "サトウ タロウ", "131016").await;
    let (jiro, jiro_pseudonym) = citizen(&app, "スズキ ジロウ", "131016").await;
    register(&app, hanako, hanako_account("1234567"), now_millis()).await;
    register(
        &app,
        taro,
        AccountInput {
            bank_code: "0009".to_owned(),
            branch_code: "001".to_owned(),
            account_type: "savings".to_owned(),
            holder_name: "さとう　たろう".to_owned(),
            ..hanako_account("0000042")
        },
        now_millis(),
    )
    .await;
    let token = token(&app, &city).await;

    let read = graphql(
        &app,
        &token,
        READ,
        json!({"c": taro_pseudonym, "t": "benefit_payment"}),
    )
    .await;
    assert_eq!(
        read["data"]["publicFundsAccount"],
        json!({"bankCode": "0009", "branchCode": "001", "accountType": "savings",
               "accountNumber": "0000042", "holderName": "ｻﾄｳ ﾀﾛｳ"})
    );
    let wrong_task = graphql(
        &app,
        &token,
        READ,
        json!({"c": taro_pseudonym, "t": "tax_refund"}),
    )
    .await;
    assert_eq!(
        wrong_task["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{wrong_task}"
    );

    // A batch with a payment of nothing is refused before any account is read.
    let zero = graphql(
        &app,
        &token,
        BATCH,
        json!({"t": "benefit_payment", "p": payer(), "x": [
            {"citizen": pseudonym, "amount": 50000},
            {"citizen": taro_pseudonym, "amount": 0},
        ]}),
    )
    .await;
    assert_eq!(
        zero["errors"][0]["extensions"]["field"], "payments",
        "{zero}"
    );
    assert!(
        zero["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("payment 2")),
        "{zero}"
    );

    let answer = graphql(
        &app,
        &token,
        BATCH,
        json!({"t": "benefit_payment", "p": payer(), "x": [
            {"citizen": pseudonym, "amount": 50000, "reference": "R0001"},
            {"citizen": taro_pseudonym, "amount": 70000, "reference": "R0002"},
            {"citizen": jiro_pseudonym, "amount": 10000},
            {"citizen": "not-a-pseudonym", "amount": 10000},
        ]}),
    )
    .await;
    let built = &answer["data"]["buildPaymentFile"];
    assert_eq!(built["payments"], 2, "{answer}");
    assert_eq!(built["total"], 120000);
    assert_eq!(built["citizensWithoutAccount"], json!([jiro_pseudonym]));
    assert_eq!(built["unknownCitizens"], json!(["not-a-pseudonym"]));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(built["file"].as_str().expect("file"))
        .expect("base64");
    assert_eq!(
        bytes.len(),
        5 * 122,
        "header, two data records, trailer and end, each 120 bytes + CRLF"
    );
    let file = TransferFile::parse(&bytes).expect("a well-formed file");
    assert_eq!(file.total(), 120_000);
    assert_eq!(file.header.requester_code, "1234567890");
    assert_eq!(file.header.requester_name, "ﾁﾖﾀﾞｸ");
    assert_eq!(file.header.transfer_date, (12, 10));
    assert_eq!(file.header.bank_name, "ﾐｽﾞﾎ");
    assert_eq!(file.header.account_type, AccountType::Current);
    // (bank code, bank kana), (branch code, branch kana), type, number, holder, yen, reference.
    let payment = |bank: (&str, &str),
                   branch: (&str, &str),
                   kind,
                   number: &str,
                   holder: &str,
                   amount,
                   code: &str| Payment {
        bank_code: bank.0.to_owned(),
        bank_name: bank.1.to_owned(),
        branch_code: branch.0.to_owned(),
        branch_name: branch.1.to_owned(),
        account_type: kind,
        account_number: number.to_owned(),
        holder_name: holder.to_owned(),
        amount,
        customer_code: code.to_owned(),
    };
    assert_eq!(
        file.payments,
        [
            payment(
                ("0001", "ﾐｽﾞﾎ"),
                ("001", "ﾄｳｷﾖｳ"),
                AccountType::Ordinary,
                "1234567",
                "ﾔﾏﾀﾞ ﾊﾅｺ",
                50_000,
                "R0001"
            ),
            payment(
                ("0009", "ﾐﾂｲｽﾐﾄﾓ"),
                ("001", "ｼﾞﾝﾎﾞｳﾁﾖｳ"),
                AccountType::Savings,
                "0000042",
                "ｻﾄｳ ﾀﾛｳ",
                70_000,
                "R0002"
            ),
        ]
    );

    // Each citizen's やりとり履歴 has the reads: Taro's single read and the batch, Jiro's with no data.
    let rows = |citizen: CitizenId| {
        let db = app.state.db.clone();
        async move {
            db.run(move |c| LinkageRecord::page(c, citizen, &LinkageFilter::default(), 10, 0))
                .await
                .expect("history")
        }
    };
    let taro_rows = rows(taro).await;
    assert_eq!(
        taro_rows
            .iter()
            .map(|r| r.result.as_str())
            .collect::<Vec<_>>(),
        ["provided", "refused", "provided"]
    );
    assert!(taro_rows.iter().all(|r| r.items == "public_funds_account"));
    assert_eq!(
        rows(jiro)
            .await
            .iter()
            .map(|r| r.result.as_str())
            .collect::<Vec<_>>(),
        ["no_data"]
    );
}

//! The mail sent when a citizen's 公金受取口座 is registered, changed, deleted or made invalid: when, through
//! which channel, and what to do if it was not them. It goes whatever alerts the citizen chose, and names no
//! account detail (mail is not a safe channel; the portal shows the details after sign-in).

use askama::Template;

use crate::Lang;

pub struct AccountMail<'a> {
    pub lang: Lang,
    /// `registered`, `changed`, `deleted` or `invalidated`.
    pub what: &'a str,
    /// Date and time in Japan, as the citizen's language writes them.
    pub when: &'a str,
    /// `portal`, `bank` or `system`.
    pub channel: &'a str,
    pub account_url: &'a str,
}

impl AccountMail<'_> {
    pub fn subject(&self) -> String {
        let title = self.lang.t(&format!("account.notice.{}.title", self.what));
        match self.lang {
            Lang::Ja => format!("【マイナポータル】{title}"),
            Lang::En => format!("[Mynaportal] {title}"),
        }
    }

    /// The paragraphs of the notice the citizen also gets.
    pub fn paragraphs(&self) -> Vec<String> {
        let channel = self.lang.t(&format!("account.channel.{}", self.channel));
        self.lang
            .tf(
                &format!("account.notice.{}.body", self.what),
                &[("when", self.when), ("channel", channel)],
            )
            .split("\n\n")
            .map(str::to_owned)
            .collect()
    }

    pub fn text(&self) -> Result<String, askama::Error> {
        AccountMailText { mail: self }.render()
    }

    pub fn html(&self) -> Result<String, askama::Error> {
        AccountMailHtml { mail: self }.render()
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
}

#[derive(Template)]
#[template(path = "email/account/body.txt")]
struct AccountMailText<'a> {
    mail: &'a AccountMail<'a>,
}

#[derive(Template)]
#[template(path = "email/account/body.html")]
struct AccountMailHtml<'a> {
    mail: &'a AccountMail<'a>,
}

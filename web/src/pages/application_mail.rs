//! The mail confirming that an application was sent (or sent again after a correction): its receipt
//! number and where to follow it. It names neither the form nor any answer: a form's name alone can say
//! something private (a care certification, a disaster), and mail is not a safe channel.

use askama::Template;

use crate::Lang;

pub struct ApplicationMail<'a> {
    pub lang: Lang,
    /// `AP-YYYYMMDD-XXXXXX`.
    pub receipt: &'a str,
    /// Date and time in Japan, as the citizen's language writes them.
    pub when: &'a str,
    pub application_url: &'a str,
}

impl ApplicationMail<'_> {
    pub fn subject(&self) -> String {
        self.lang
            .tf("application.mail.subject", &[("receipt", self.receipt)])
    }

    pub fn paragraphs(&self) -> Vec<String> {
        self.lang
            .tf(
                "application.mail.body",
                &[("receipt", self.receipt), ("when", self.when)],
            )
            .split("\n\n")
            .map(str::to_owned)
            .collect()
    }

    pub fn text(&self) -> Result<String, askama::Error> {
        ApplicationMailText { mail: self }.render()
    }

    pub fn html(&self) -> Result<String, askama::Error> {
        ApplicationMailHtml { mail: self }.render()
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
}

#[derive(Template)]
#[template(path = "email/application/body.txt")]
struct ApplicationMailText<'a> {
    mail: &'a ApplicationMail<'a>,
}

#[derive(Template)]
#[template(path = "email/application/body.html")]
struct ApplicationMailHtml<'a> {
    mail: &'a ApplicationMail<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_gives_the_receipt_and_the_link_in_both_parts() {
        for lang in [Lang::Ja, Lang::En] {
            let mail = ApplicationMail {
                lang,
                receipt: "AP-20261127-ABC234",
                when: "2026年11月27日 14:05",
                application_url: "https://portal.example/applications/x",
            };
            assert!(mail.subject().contains("AP-20261127-ABC234"));
            for body in [mail.text().expect("text"), mail.html().expect("html")] {
                assert!(body.contains("AP-20261127-ABC234"), "{body}");
                assert!(
                    body.contains("https://portal.example/applications/x"),
                    "{body}"
                );
                assert!(
                    body.contains(mail.t("application.mail.no_details")),
                    "{body}"
                );
            }
        }
    }
}

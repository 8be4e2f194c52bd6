//! The mail the outbox sends about notices (お知らせ) and address confirmation. An alert or reminder says
//! only which agency a notice is from and where to read it: mail is not a safe channel, so neither the
//! notice's title nor anything about the citizen ever goes into it.

use askama::Template;

use crate::Lang;

/// Which notice mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeMailKind {
    /// A new notice is waiting.
    Alert,
    /// The notice is still unread after some days.
    Reminder,
}

/// What a notice alert or reminder shows. `agency` is the agency's name in `lang`.
pub struct NoticeMail<'a> {
    pub lang: Lang,
    pub kind: NoticeMailKind,
    pub agency: &'a str,
    /// `<public_url>/notices`.
    pub inbox_url: &'a str,
    /// `<public_url>/unsubscribe/<token>`.
    pub unsubscribe_url: &'a str,
}

impl NoticeMail<'_> {
    pub fn subject(&self) -> String {
        let key = match self.kind {
            NoticeMailKind::Alert => "mail.alert_subject",
            NoticeMailKind::Reminder => "mail.reminder_subject",
        };
        self.lang.tf(key, &[("agency", self.agency)])
    }

    pub fn text(&self) -> Result<String, askama::Error> {
        NoticeMailText { mail: self }.render()
    }

    pub fn html(&self) -> Result<String, askama::Error> {
        NoticeMailHtml { mail: self }.render()
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    /// The opening sentence, naming the agency.
    pub fn lead(&self) -> String {
        let key = match self.kind {
            NoticeMailKind::Alert => "mail.alert_lead",
            NoticeMailKind::Reminder => "mail.reminder_lead",
        };
        self.lang.tf(key, &[("agency", self.agency)])
    }
}

#[derive(Template)]
#[template(path = "email/notice/body.txt")]
struct NoticeMailText<'a> {
    mail: &'a NoticeMail<'a>,
}

#[derive(Template)]
#[template(path = "email/notice/body.html")]
struct NoticeMailHtml<'a> {
    mail: &'a NoticeMail<'a>,
}

/// The code that confirms a new alert address.
pub struct ConfirmMail<'a> {
    pub lang: Lang,
    pub code: &'a str,
}

impl ConfirmMail<'_> {
    pub fn subject(&self) -> String {
        self.lang.t("mail.confirm_subject").to_owned()
    }

    pub fn text(&self) -> Result<String, askama::Error> {
        ConfirmMailText { mail: self }.render()
    }

    pub fn html(&self) -> Result<String, askama::Error> {
        ConfirmMailHtml { mail: self }.render()
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn code_line(&self) -> String {
        self.lang.tf("mail.confirm_code", &[("code", self.code)])
    }
}

#[derive(Template)]
#[template(path = "email/confirm/body.txt")]
struct ConfirmMailText<'a> {
    mail: &'a ConfirmMail<'a>,
}

#[derive(Template)]
#[template(path = "email/confirm/body.html")]
struct ConfirmMailHtml<'a> {
    mail: &'a ConfirmMail<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_mail_names_the_agency_and_links_to_the_inbox_in_both_parts() {
        for lang in Lang::ALL {
            for kind in [NoticeMailKind::Alert, NoticeMailKind::Reminder] {
                let mail = NoticeMail {
                    lang,
                    kind,
                    agency: "Chiyoda <City>",
                    inbox_url: "https://portal.example/notices",
                    unsubscribe_url: "https://portal.example/unsubscribe/abc",
                };
                let (text, html) = (mail.text().expect("text"), mail.html().expect("html"));
                assert!(text.contains("Chiyoda <City>"), "{text}");
                assert!(
                    html.contains("Chiyoda &#60;City&#62;")
                        || html.contains("Chiyoda &lt;City&gt;"),
                    "{html}"
                );
                for body in [&text, &html] {
                    assert!(body.contains("https://portal.example/notices"));
                    assert!(body.contains("https://portal.example/unsubscribe/abc"));
                }
                assert!(html.contains(&format!("lang=\"{}\"", lang.code())));
                assert!(mail.subject().contains("Chiyoda <City>"));
            }
        }
    }
}

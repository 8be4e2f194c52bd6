//! The outbox's own SMTP connections: the exchange driven step by step, so the hand-over of a message can be
//! recorded between its last byte and the final dot that makes the server commit it.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use std::time::Duration;

use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail as MailFrom, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

use super::{SendError, send_error};

/// Where and how to reach the SMTP server, for the outbox's own connections: `SMTP_URL` read as lettre's
/// `from_url` reads it (`smtp://host:port`, `smtp://host?tls=required` or `?tls=opportunistic` for
/// STARTTLS, `smtps://user:pass@host` for TLS from the start; the path names the client in EHLO).
pub struct SmtpRelay {
    host: String,
    port: u16,
    tls: RelayTls,
    credentials: Option<Credentials>,
    hello: ClientId,
}

enum RelayTls {
    None,
    /// `smtps`: TLS from the first byte.
    Wrapper(TlsParameters),
    /// `?tls=required`: STARTTLS or no mail.
    Required(TlsParameters),
    /// `?tls=opportunistic`: STARTTLS when the server offers it.
    Opportunistic(TlsParameters),
}

impl SmtpRelay {
    pub(super) fn from_url(url: &str) -> Result<SmtpRelay, String> {
        let url = url::Url::parse(url).map_err(|e| e.to_string())?;
        let host = url.host_str().ok_or("no host")?.to_owned();
        let tls_param = url
            .query_pairs()
            .find(|(key, _)| key == "tls")
            .map(|(_, value)| value.into_owned());
        let tls = || TlsParameters::new(host.clone()).map_err(|e| e.to_string());
        // The default ports are lettre's: 25 plain, 587 with STARTTLS, 465 with TLS from the start.
        let (port, tls) = match (url.scheme(), tls_param.as_deref()) {
            ("smtp", None) => (25, RelayTls::None),
            ("smtp", Some("required")) => (587, RelayTls::Required(tls()?)),
            ("smtp", Some("opportunistic")) => (587, RelayTls::Opportunistic(tls()?)),
            ("smtps", _) => (465, RelayTls::Wrapper(tls()?)),
            (scheme, tls) => return Err(format!("unknown scheme {scheme:?} or tls={tls:?}")),
        };
        let credentials = match url.password() {
            Some(password) => {
                let decode = |s: &str| percent_decoded(s).ok_or("malformed credentials");
                Some(Credentials::new(decode(url.username())?, decode(password)?))
            }
            None => None,
        };
        let name = url.path().trim_matches('/');
        let hello = if name.is_empty() {
            ClientId::default()
        } else {
            ClientId::Domain(name.to_owned())
        };
        Ok(SmtpRelay {
            port: url.port().unwrap_or(port),
            host,
            tls,
            credentials,
            hello,
        })
    }

    /// A connection ready for MAIL FROM: connected, encrypted as the URL asks and authenticated.
    fn connect(&self, timeout: Duration) -> Result<SmtpConnection, lettre::transport::smtp::Error> {
        let wrapper = match &self.tls {
            RelayTls::Wrapper(tls) => Some(tls),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(timeout),
            &self.hello,
            wrapper,
            None,
        )?;
        match &self.tls {
            RelayTls::Required(tls) => conn.starttls(tls, &self.hello)?,
            RelayTls::Opportunistic(tls) if conn.can_starttls() => {
                conn.starttls(tls, &self.hello)?;
            }
            _ => {}
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)?;
        }
        Ok(conn)
    }
}

/// `%XX` escapes of a URL's user or password decoded; `None` when malformed or not UTF-8.
fn percent_decoded(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hi = bytes.next().and_then(|h| char::from(h).to_digit(16))?;
            let lo = bytes.next().and_then(|l| char::from(l).to_digit(16))?;
            out.push(u8::try_from(hi * 16 + lo).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

/// How a send with a hand-over ended, when the server did not refuse the message.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The server answered the final dot with 250: it has the message.
    Accepted,
    /// The hand-over was refused (the reason given), so the final dot was never written and the server
    /// discarded the message.
    Withheld(String),
    /// Handed over, then no answer to the final dot (the connection broke or timed out): the server most
    /// likely has the message, and sending it again could deliver it twice.
    Unconfirmed(String),
}

/// Unwinds out of lettre's `message_iter` when the hand-over is refused: see [`SmtpSession::send`].
struct Withhold(String);

/// One worker's SMTP connection for a batch, opened at the first mail and kept while the exchanges succeed.
/// Its calls block: run them on the blocking thread pool.
pub struct SmtpSession {
    relay: Arc<SmtpRelay>,
    /// For connecting and for each read or write.
    timeout: Duration,
    conn: Option<SmtpConnection>,
}

impl SmtpSession {
    pub(super) fn new(relay: Arc<SmtpRelay>, timeout: Duration) -> SmtpSession {
        SmtpSession {
            relay,
            timeout,
            conn: None,
        }
    }

    /// Sends `message` and calls `hand_over` once the server has all of it but the final dot, which is what
    /// makes the server commit a message: the dot is written only when `hand_over` returns Ok, so a record
    /// made there is never missing for a message the server may have. `Err` means the server did not take
    /// the message: it failed before the hand-over, or refused at the dot (5xx [`SendError::Permanent`]).
    /// After anything but [`Delivery::Accepted`] the connection is closed; the next send opens another.
    pub fn send(
        &mut self,
        message: &Message,
        hand_over: impl FnOnce() -> Result<(), String>,
    ) -> Result<Delivery, SendError> {
        let mut conn = match self.conn.take() {
            Some(conn) if !conn.has_broken() => conn,
            _ => self
                .relay
                .connect(self.timeout)
                // Failing to connect, to start TLS or to sign in says nothing about this mail, even with a
                // 5xx reply (a wrong password): tried again later, never failed for good.
                .map_err(|e| SendError::Transient(e.to_string()))?,
        };
        let (outcome, reusable) = exchange(&mut conn, message, hand_over);
        match reusable {
            Reusable::Yes => self.conn = Some(conn),
            // The server answered and is waiting for the next command.
            Reusable::AfterReply => {
                let _ = conn.quit();
            }
            // Dropping the connection closes it without a dot: after a refused hand-over the server must
            // see the message end unfinished, and after a network failure there is nobody to say QUIT to.
            Reusable::No => {}
        }
        outcome
    }

    /// Ends the session with QUIT, if it is connected.
    pub fn close(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            let _ = conn.quit();
        }
    }

    pub fn is_connected(&self) -> bool {
        self.conn.is_some()
    }
}

enum Reusable {
    Yes,
    AfterReply,
    No,
}

/// One MAIL FROM … DATA exchange on `conn`, with `hand_over` called between the message and the final dot.
fn exchange(
    conn: &mut SmtpConnection,
    message: &Message,
    hand_over: impl FnOnce() -> Result<(), String>,
) -> (Result<Delivery, SendError>, Reusable) {
    let failed = |e: lettre::transport::smtp::Error| {
        let reusable = if e.status().is_some() {
            Reusable::AfterReply
        } else {
            Reusable::No
        };
        (Err(send_error(&e)), reusable)
    };
    let envelope = message.envelope();
    let body = message.formatted();
    // As lettre's own send: SMTPUTF8 and 8BITMIME asked for when needed, and only if the server has them.
    let mut parameters = Vec::new();
    let info = conn.server_info();
    let mut addresses = envelope.from().into_iter().chain(envelope.to());
    if addresses.any(|a| !str::is_ascii(a.as_ref())) {
        if !info.supports_feature(Extension::SmtpUtfEight) {
            let e = "the address is not ASCII and the server does not support SMTPUTF8";
            return (Err(SendError::Transient(e.to_owned())), Reusable::Yes);
        }
        parameters.push(MailParameter::SmtpUtfEight);
    }
    if !body.is_ascii() {
        if !info.supports_feature(Extension::EightBitMime) {
            let e = "the message is not ASCII and the server does not support 8BITMIME";
            return (Err(SendError::Transient(e.to_owned())), Reusable::Yes);
        }
        parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    if let Err(e) = conn.command(MailFrom::new(envelope.from().cloned(), parameters)) {
        return failed(e);
    }
    for to in envelope.to() {
        if let Err(e) = conn.command(Rcpt::new(to.clone(), Vec::new())) {
            return failed(e);
        }
    }
    if let Err(e) = conn.command(Data) {
        return failed(e);
    }

    // lettre writes each item of the iterator, then the dot; the item after the message is empty and does
    // the hand-over. lettre offers no way to stop before the dot, so a refused hand-over unwinds out of
    // message_iter (resume_unwind, which runs no panic hook) and is caught just below; the connection is
    // then dropped unfinished. (Were panics ever set to abort, the process would end there instead, which
    // leaves the dot unwritten just the same.)
    let mut hand_over = Some(hand_over);
    let mut handed_over = false;
    let parts = std::iter::once(body.as_slice()).chain(std::iter::from_fn(|| {
        let hand_over = hand_over.take()?;
        match hand_over() {
            Ok(()) => {
                handed_over = true;
                Some(&[][..])
            }
            Err(reason) => resume_unwind(Box::new(Withhold(reason))),
        }
    }));
    let sent = catch_unwind(AssertUnwindSafe(|| conn.message_iter(parts)));
    match sent {
        Ok(Ok(_)) => (Ok(Delivery::Accepted), Reusable::Yes),
        // The server refused at the dot: it does not have the message, whatever the hand-over said.
        Ok(Err(e)) if e.status().is_some() => failed(e),
        Ok(Err(e)) if handed_over => (Ok(Delivery::Unconfirmed(e.to_string())), Reusable::No),
        // The message itself could not be written: the server never got the dot.
        Ok(Err(e)) => failed(e),
        Err(payload) => match withheld(payload) {
            Ok(reason) => (Ok(Delivery::Withheld(reason)), Reusable::No),
            Err(payload) => resume_unwind(payload),
        },
    }
}

fn withheld(payload: Box<dyn Any + Send>) -> Result<String, Box<dyn Any + Send>> {
    payload.downcast::<Withhold>().map(|w| w.0)
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::thread::JoinHandle;

    use super::*;
    use crate::mail::{Headers, Mail, Mailer};

    /// What a scripted one-connection SMTP server read between DATA and the end, and whether the dot came.
    struct Seen {
        data: String,
        dot: bool,
    }

    /// Serves one connection: 250 to everything, 354 to DATA, `dot_reply` to the final dot.
    fn scripted_server(dot_reply: &'static str) -> (String, JoinHandle<Seen>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("smtp://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut out = stream;
            let mut seen = Seen {
                data: String::new(),
                dot: false,
            };
            let mut in_data = false;
            out.write_all(b"220 scripted\r\n").unwrap();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if in_data {
                    if line == ".\r\n" {
                        seen.dot = true;
                        in_data = false;
                        out.write_all(dot_reply.as_bytes()).unwrap();
                    } else {
                        seen.data.push_str(&line);
                    }
                    continue;
                }
                let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                let reply = match verb.as_str() {
                    "EHLO" => "250-scripted\r\n250 8BITMIME\r\n",
                    "DATA" => {
                        in_data = true;
                        "354 go on\r\n"
                    }
                    "QUIT" => {
                        let _ = out.write_all(b"221 bye\r\n");
                        break;
                    }
                    _ => "250 OK\r\n",
                };
                out.write_all(reply.as_bytes()).unwrap();
            }
            seen
        });
        (url, server)
    }

    fn message() -> Message {
        Mailer::message(
            &"Portal <no-reply@portal.example>".parse().unwrap(),
            Mail {
                to: "someone@example.jp".parse().unwrap(),
                subject: "お知らせ".to_owned(),
                text: "本文\n.\n".to_owned(),
                html: "<p>本文</p>".to_owned(),
            },
            &Headers {
                message_id: Some("<m1@portal.example>".to_owned()),
                extra: Vec::new(),
            },
        )
        .unwrap()
    }

    /// Built without `Mailer::smtp`, whose async transport needs a Tokio runtime.
    fn session(url: &str) -> SmtpSession {
        SmtpSession {
            relay: Arc::new(SmtpRelay::from_url(url).unwrap()),
            timeout: Duration::from_secs(5),
            conn: None,
        }
    }

    #[test]
    fn the_dot_follows_the_hand_over() {
        let (url, server) = scripted_server("250 queued\r\n");
        let mut session = session(&url);
        let mut calls = 0;
        let delivery = session.send(&message(), || {
            calls += 1;
            Ok(())
        });
        assert_eq!(delivery.unwrap(), Delivery::Accepted);
        assert_eq!(calls, 1);
        assert!(session.is_connected(), "kept for the next mail");
        session.close();
        let seen = server.join().unwrap();
        assert!(seen.dot);
        assert!(seen.data.contains("Message-ID: <m1@portal.example>"));
    }

    #[test]
    fn a_refused_hand_over_leaves_the_message_without_its_dot() {
        let (url, server) = scripted_server("250 queued\r\n");
        let mut session = session(&url);
        let delivery = session.send(&message(), || Err("claim lost".to_owned()));
        assert_eq!(
            delivery.unwrap(),
            Delivery::Withheld("claim lost".to_owned())
        );
        assert!(!session.is_connected());
        let seen = server.join().unwrap();
        assert!(!seen.dot, "the server must discard the message");
        assert!(seen.data.contains("Message-ID: <m1@portal.example>"));
    }

    #[test]
    fn a_refusal_at_the_dot_is_a_failure_after_the_hand_over() {
        for (reply, permanent) in [("451 4.3.0 later\r\n", false), ("554 5.7.1 no\r\n", true)] {
            let (url, server) = scripted_server(reply);
            let mut session = session(&url);
            let error = session.send(&message(), || Ok(())).unwrap_err();
            assert_eq!(
                matches!(error, SendError::Permanent(_)),
                permanent,
                "{error}"
            );
            assert!(error.to_string().contains(&reply[..3]), "{error}");
            assert!(!session.is_connected());
            assert!(server.join().unwrap().dot);
        }
    }

    #[test]
    fn smtp_url_forms() {
        let relay = SmtpRelay::from_url("smtps://user:p%40ss@mail.example").unwrap();
        assert_eq!((relay.host.as_str(), relay.port), ("mail.example", 465));
        assert!(matches!(relay.tls, RelayTls::Wrapper(_)));
        assert_eq!(
            relay.credentials,
            Some(Credentials::new("user".to_owned(), "p@ss".to_owned()))
        );
        let relay = SmtpRelay::from_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(relay.port, 2525);
        assert!(matches!(relay.tls, RelayTls::None) && relay.credentials.is_none());
        let relay = SmtpRelay::from_url("smtp://mail.example?tls=required").unwrap();
        assert_eq!(relay.port, 587);
        assert!(matches!(relay.tls, RelayTls::Required(_)));
        assert!(SmtpRelay::from_url("http://mail.example").is_err());
        assert_eq!(percent_decoded("a%2Fb%zz"), None);
    }
}

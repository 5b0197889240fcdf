//! Delivering the applicant's notifications from the outbox (`gongkai_store::notifications`): e-mail through
//! SMTP (lettre; `smtp://` with STARTTLS required by `?tls=required`, `smtps://` for TLS from the first
//! byte, user and password in the URL), SMS through an HTTP(S) gateway configured by a JSON template — no
//! vendor's API is built in.
//!
//! Every instance runs a worker; the store's claim gives each notice to one of them. A notice that fails
//! before anything was handed over (the server unreachable or refusing the connection, a 4xx SMTP answer, a
//! rejected sign-in, a gateway's 5xx) is tried again with backoff; a permanent refusal (a 5xx SMTP answer
//! about the message, a gateway's 4xx or an answer that is not its configured success) fails at once; a
//! conversation that breaks off after the message was handed over (a dropped connection, a timeout) is
//! `unknown` — never sent a second time by the machine. Either way the step it tells of was recorded long
//! before: delivery never blocks or undoes a step.

use std::sync::Arc;
use std::time::Duration;

use gongkai_store::notifications::{self, Channel, Channels, Miss, Outgoing};
use gongkai_store::{Store, StoreError};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Notices claimed, and sent, at a time over as many pooled SMTP connections: all of a claim start at once,
/// so none waits out its lease before it is tried. Each connection is held back by the server's delayed
/// acknowledgement (lettre writes a message's end in a separate packet, and Nagle's algorithm waits for the
/// acknowledgement of the body: about 40 ms a message on Linux), so throughput comes from connections in
/// parallel; 32 stays well inside a relay's usual per-client limit (Postfix: 50).
pub const BATCH: i64 = 32;
/// The longest one attempt may take, whatever the server does (lettre's own timeout covers only the
/// connection): past it the attempt is abandoned.
const ATTEMPT: Duration = Duration::from_secs(60);
/// How long a claim holds: well past [`ATTEMPT`], so only a stopped process leaves a claim to run out.
pub const LEASE_SECONDS: i64 = 300;
/// How long the worker waits when there is nothing to send.
pub const IDLE: Duration = Duration::from_millis(500);
/// The longest the connection or a gateway request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A configuration that cannot be used (the CLI names the flag).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the SMTP URL is not usable: {0}")]
    SmtpUrl(String),
    #[error("the sender `{0}` is not an e-mail address (such as 公开办 <gongkai@example.gov.cn>)")]
    From(String),
    #[error("the SMS gateway URL is not an http:// or https:// URL")]
    SmsUrl,
    #[error("the SMS template must be JSON with {{phone}} and {{text}} in string values: {0}")]
    SmsTemplate(String),
    #[error("the SMS success check must be a JSON pointer and a value, such as /code=0")]
    SmsSuccess,
}

/// Makes ring the TLS provider of the process (the SMS gateway's client takes the process default). Calling
/// it again does nothing. rustls 0.23.48 deprecates its ring provider for lacking post-quantum key exchange;
/// the alternative, aws-lc-rs, needs cmake and minutes of C compilation on every cold build, and a hop to
/// the agency's SMS gateway does not need post-quantum secrecy. lettre uses the same provider.
#[allow(deprecated)]
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Sends e-mail through one SMTP server.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The domain of Message-IDs.
    domain: String,
}

impl Mailer {
    /// A mailer for `url` (`smtp://user:password@host:587?tls=required`, `smtps://host:465`,
    /// `smtp://localhost:25`) sending as `from`. Call it inside the Tokio runtime (lettre's connection pool
    /// starts a task there).
    pub fn new(url: &str, from: &str) -> Result<Mailer, ConfigError> {
        let from: Mailbox = from.parse().map_err(|_| ConfigError::From(from.to_owned()))?;
        let pool = lettre::transport::smtp::PoolConfig::new().max_size(BATCH as u32);
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|err| ConfigError::SmtpUrl(err.to_string()))?
            .timeout(Some(TIMEOUT))
            .pool_config(pool)
            .build();
        let domain = from.email.domain().to_owned();
        Ok(Mailer { transport, from, domain })
    }

    fn message(&self, notice: &Outgoing) -> Result<Message, Failure> {
        let to: Mailbox =
            notice.recipient.parse().map_err(|_| Failure::permanent("收件地址无效"))?;
        let text = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(notice.body.clone());
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(notice.subject.clone())
            // One id per notice: a resent notice (after an unknown outcome) can be recognised as the same.
            .message_id(Some(format!("<gongkai-notice-{}@{}>", notice.id, self.domain)));
        let built = match &notice.attachment {
            Some((name, data)) => {
                let pdf = ContentType::parse("application/pdf")
                    .map_err(|err| Failure::permanent(err.to_string()))?;
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(text)
                        .singlepart(Attachment::new(name.clone()).body(data.clone(), pdf)),
                )
            }
            None => builder.singlepart(text),
        };
        built.map_err(|err| Failure::permanent(format!("邮件无法生成：{err}")))
    }

    async fn send(&self, notice: &Outgoing) -> Result<(), Failure> {
        let message = self.message(notice)?;
        // First a connection (from the pool, checked with NOOP): failing here, nothing was handed over.
        match tokio::time::timeout(TIMEOUT, self.transport.test_connection()).await {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => return Err(Failure::passing("邮件服务器无法连接")),
            Ok(Err(err)) => return Err(smtp_failure(&err, Miss::Passing)),
            Err(_) => return Err(Failure::passing("邮件服务器连接超时")),
        }
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            // A broken-off conversation may have handed the message over.
            Err(err) => Err(smtp_failure(&err, Miss::Unknown)),
        }
    }
}

/// What an SMTP error means for the notice: an answer with a code says (4xx passing; 5xx permanent, except a
/// rejected sign-in, which is the platform's configuration, not the recipient); no answer means `otherwise`.
fn smtp_failure(err: &lettre::transport::smtp::Error, otherwise: Miss) -> Failure {
    let code = err.status().map(|code| code.to_string());
    let miss = if err.is_transient() {
        Miss::Passing
    } else if err.is_permanent() {
        if matches!(code.as_deref(), Some("530" | "534" | "535" | "538")) {
            tracing::error!(error = %err, "the SMTP server refused gongkai's sign-in: check --smtp-url");
            Miss::Passing
        } else {
            Miss::Permanent
        }
    } else {
        otherwise
    };
    Failure { message: format!("邮件服务器：{err}"), miss }
}

/// Sends SMS through an HTTP gateway: a POST of the JSON `template` with `{phone}` and `{text}` replaced
/// (JSON-escaped) — whatever the gateway's field names are.
pub struct SmsGateway {
    client: reqwest::Client,
    url: reqwest::Url,
    template: String,
    /// A JSON pointer into the gateway's answer and the value that means success (many gateways answer 200
    /// with an error code in the body); without it any 2xx is success.
    success: Option<(String, String)>,
}

/// The SMS template used when none is configured.
pub const DEFAULT_SMS_TEMPLATE: &str = r#"{"phone":"{phone}","text":"{text}"}"#;

impl SmsGateway {
    /// A gateway at `url` taking `template`; `success` (`/code=0`) names the answer that means sent.
    pub fn new(
        url: &str,
        template: &str,
        success: Option<&str>,
    ) -> Result<SmsGateway, ConfigError> {
        let success = success
            .map(|check| {
                check
                    .split_once('=')
                    .filter(|(pointer, _)| pointer.starts_with('/'))
                    .map(|(pointer, value)| (pointer.to_owned(), value.to_owned()))
                    .ok_or(ConfigError::SmsSuccess)
            })
            .transpose()?;
        let parsed = reqwest::Url::parse(url).map_err(|_| ConfigError::SmsUrl)?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ConfigError::SmsUrl);
        }
        // The template must stay JSON once filled in: try it with text that needs escaping.
        let sample = fill(template, "13800000000", "测\"试\\\n");
        if !template.contains("{phone}") || !template.contains("{text}") {
            return Err(ConfigError::SmsTemplate("a placeholder is missing".to_owned()));
        }
        serde_json::from_str::<serde_json::Value>(&sample)
            .map_err(|err| ConfigError::SmsTemplate(err.to_string()))?;
        install_tls();
        let client =
            reqwest::Client::builder().timeout(TIMEOUT).build().map_err(|_| ConfigError::SmsUrl)?;
        Ok(SmsGateway { client, url: parsed, template: template.to_owned(), success })
    }

    async fn send(&self, notice: &Outgoing) -> Result<(), Failure> {
        let body = fill(&self.template, &notice.recipient, &notice.body);
        let answer = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|err| {
                // Not connected: nothing was handed over. Anything later (a timeout, a dropped answer) may
                // have reached the gateway.
                let miss = if err.is_connect() { Miss::Passing } else { Miss::Unknown };
                Failure { message: format!("短信网关：{}", err.without_url()), miss }
            })?;
        let status = answer.status();
        if !status.is_success() {
            // A 4xx is the request's fault (a number the gateway refuses) except throttling and timeouts.
            let miss = if status.is_client_error()
                && status != reqwest::StatusCode::TOO_MANY_REQUESTS
                && status != reqwest::StatusCode::REQUEST_TIMEOUT
            {
                Miss::Permanent
            } else {
                Miss::Passing
            };
            return Err(Failure { message: format!("短信网关答复 {status}"), miss });
        }
        let Some((pointer, expected)) = &self.success else { return Ok(()) };
        let text = answer.text().await.unwrap_or_default();
        let found = serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|value| {
            value.pointer(pointer).map(|found| match found {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            })
        });
        if found.as_deref() == Some(expected.as_str()) {
            Ok(())
        } else {
            let excerpt: String = text.chars().take(200).collect();
            Err(Failure {
                message: format!("短信网关未确认发送：{excerpt}"),
                miss: Miss::Permanent,
            })
        }
    }
}

/// `template` with `{phone}` and `{text}` replaced by their JSON-escaped forms (without quotes: the
/// template's quotes hold them).
fn fill(template: &str, phone: &str, text: &str) -> String {
    let escape = |value: &str| {
        let quoted = serde_json::Value::String(value.to_owned()).to_string();
        quoted[1..quoted.len() - 1].to_owned()
    };
    template.replace("{phone}", &escape(phone)).replace("{text}", &escape(text))
}

/// Why an attempt failed, and what that means for the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    message: String,
    miss: Miss,
}

impl Failure {
    fn permanent(message: impl Into<String>) -> Failure {
        Failure { message: message.into(), miss: Miss::Permanent }
    }

    fn passing(message: impl Into<String>) -> Failure {
        Failure { message: message.into(), miss: Miss::Passing }
    }
}

/// The outbox's worker: the configured channels and the store.
#[derive(Clone)]
pub struct Outbox {
    store: Store,
    mailer: Option<Arc<Mailer>>,
    sms: Option<Arc<SmsGateway>>,
    attempt: Duration,
}

impl Outbox {
    pub fn new(store: Store, mailer: Option<Mailer>, sms: Option<SmsGateway>) -> Outbox {
        Outbox { store, mailer: mailer.map(Arc::new), sms: sms.map(Arc::new), attempt: ATTEMPT }
    }

    /// The same outbox giving up an attempt after `attempt` (default 60 s; tests shorten it).
    pub fn with_attempt_timeout(mut self, attempt: Duration) -> Outbox {
        self.attempt = attempt;
        self
    }

    /// The channels this outbox delivers through (what steps queue as pending rather than skipped).
    pub fn channels(&self) -> Channels {
        Channels { email: self.mailer.is_some(), sms: self.sms.is_some() }
    }

    async fn deliver(&self, notice: &Outgoing) -> Result<(), Failure> {
        let attempt = async {
            match notice.channel {
                Channel::Email => match &self.mailer {
                    Some(mailer) => mailer.send(notice).await,
                    None => Err(Failure::passing("本实例未配置邮件发送")),
                },
                Channel::Sms => match &self.sms {
                    Some(sms) => sms.send(notice).await,
                    None => Err(Failure::passing("本实例未配置短信网关")),
                },
            }
        };
        tokio::time::timeout(self.attempt, attempt).await.unwrap_or_else(|_| {
            Err(Failure {
                message: "发送超时，无法确认是否送达".to_owned(), miss: Miss::Unknown
            })
        })
    }

    /// Takes the notices due now, sends them (each case's in order, the cases at the same time) and records
    /// each result; returns how many were claimed. Claims left by a stopped process become `unknown` first.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        let expired = notifications::expire_leases(&self.store).await?;
        if expired > 0 {
            tracing::warn!(
                notices = expired,
                "notices whose sending was interrupted are marked unknown"
            );
        }
        let claimed =
            notifications::claim(&self.store, self.channels(), LEASE_SECONDS, BATCH).await?;
        let count = claimed.len();
        // One case's notices go out one after the other, in the order written (the receipt before a
        // withdrawal taken within the same second); different cases' at the same time.
        let mut cases: Vec<Vec<Outgoing>> = Vec::new();
        for notice in claimed {
            match cases.iter_mut().find(|case| case[0].tracking_number == notice.tracking_number) {
                Some(case) => case.push(notice),
                None => cases.push(vec![notice]),
            }
        }
        let mut running = tokio::task::JoinSet::new();
        for case in cases {
            let outbox = self.clone();
            running.spawn(async move {
                for notice in &case {
                    let result = outbox.deliver(notice).await;
                    outbox.record(notice, result).await;
                }
            });
        }
        while let Some(joined) = running.join_next().await {
            if let Err(err) = joined {
                tracing::error!(error = %err, "a notice's delivery task failed");
            }
        }
        Ok(count)
    }

    /// Records one attempt's result (a store error is logged: the claim then runs out and the notice
    /// becomes `unknown`, which a person can resend).
    async fn record(&self, notice: &Outgoing, result: Result<(), Failure>) {
        let recorded = match &result {
            Ok(()) => notifications::mark_sent(&self.store, notice).await,
            Err(failure) => {
                tracing::warn!(
                    notice = notice.id,
                    tracking = %notice.tracking_number,
                    attempts = notice.attempts,
                    miss = ?failure.miss,
                    error = %failure.message,
                    "a notice was not delivered"
                );
                notifications::mark_failed(&self.store, notice, &failure.message, failure.miss)
                    .await
            }
        };
        match recorded {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                notice = notice.id,
                "a notice's result came after its claim was taken over; not recorded"
            ),
            Err(err) => {
                tracing::error!(notice = notice.id, error = %err, "recording a notice's result failed")
            }
        }
    }

    /// Runs the worker for as long as the process: sends what is due, waits [`IDLE`] when nothing is.
    pub fn spawn(self) {
        if self.mailer.is_none() && self.sms.is_none() {
            return;
        }
        tokio::spawn(async move {
            loop {
                match self.deliver_due().await {
                    Ok(count) if count as i64 == BATCH => continue,
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err, "delivering notices failed; retrying"),
                }
                tokio::time::sleep(IDLE).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sms_template_is_filled_with_escaped_values() {
        let body = fill(DEFAULT_SMS_TEMPLATE, "13812345678", "【某局】\"引号\"\n换行");
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(value["phone"], "13812345678");
        assert_eq!(value["text"], "【某局】\"引号\"\n换行");
    }

    #[test]
    fn a_bad_gateway_configuration_is_refused() {
        assert!(matches!(
            SmsGateway::new("ftp://x", DEFAULT_SMS_TEMPLATE, None),
            Err(ConfigError::SmsUrl)
        ));
        assert!(matches!(
            SmsGateway::new("http://127.0.0.1:9/sms", r#"{"to":"{phone}"}"#, None),
            Err(ConfigError::SmsTemplate(_))
        ));
        assert!(matches!(
            SmsGateway::new("http://127.0.0.1:9/sms", r#"{"to":"{phone}","text":{text}}"#, None),
            Err(ConfigError::SmsTemplate(_))
        ));
        assert!(
            SmsGateway::new(
                "https://sms.example.gov.cn/send",
                DEFAULT_SMS_TEMPLATE,
                Some("/code=0")
            )
            .is_ok()
        );
        assert!(matches!(
            SmsGateway::new("https://sms.example.gov.cn/send", DEFAULT_SMS_TEMPLATE, Some("code")),
            Err(ConfigError::SmsSuccess)
        ));
        assert!(matches!(
            Mailer::new("smtp://localhost:25", "not an address"),
            Err(ConfigError::From(_))
        ));
        assert!(matches!(Mailer::new("gopher://x", "a@b.cn"), Err(ConfigError::SmtpUrl(_))));
    }
}

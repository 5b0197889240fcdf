//! Delivering the applicant's notifications from the outbox (`gongkai_store::notifications`): e-mail through
//! SMTP (lettre; `smtp://` with STARTTLS required by `?tls=required`, `smtps://` for TLS from the first
//! byte, user and password in the URL), SMS through an HTTP(S) gateway configured by a JSON template — no
//! vendor's API is built in.
//!
//! Every instance runs a worker; the store's claim gives each notice to one of them. A notice that fails for
//! a passing reason (the server unreachable, a 4xx SMTP answer, a gateway's 5xx) is tried again with backoff;
//! a permanent refusal (a 5xx SMTP answer, a gateway's 4xx) fails at once. Either way the step it tells of
//! was recorded long before: delivery never blocks or undoes a step.

use std::sync::Arc;
use std::time::Duration;

use gongkai_store::notifications::{self, Channel, Channels, Outgoing};
use gongkai_store::{Store, StoreError};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long a claimed notice may take before the claim is taken for a stopped process.
pub const LEASE_SECONDS: i64 = 300;
/// Notices claimed at a time.
pub const BATCH: i64 = 64;
/// Notices sent at the same time (SMTP connections are pooled).
const PARALLEL: usize = 8;
/// How long the worker waits when there is nothing to send.
pub const IDLE: Duration = Duration::from_millis(500);
/// The longest an SMTP conversation or a gateway request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A configuration that cannot be used (the CLI names the flag).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the SMTP URL is not usable: {0}")]
    SmtpUrl(String),
    #[error("the sender `{0}` is not an e-mail address (such as 公开办 <gongkai@example.gov.cn>)")]
    From(String),
    #[error("the SMS gateway URL `{0}` is not an http:// or https:// URL")]
    SmsUrl(String),
    #[error("the SMS template must be JSON with {{phone}} and {{text}} in string values: {0}")]
    SmsTemplate(String),
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
    /// `smtp://localhost:25`) sending as `from`.
    pub fn new(url: &str, from: &str) -> Result<Mailer, ConfigError> {
        let from: Mailbox = from.parse().map_err(|_| ConfigError::From(from.to_owned()))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|err| ConfigError::SmtpUrl(err.to_string()))?
            .timeout(Some(TIMEOUT))
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
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(err) => Err(Failure {
                message: format!("邮件服务器：{err}"),
                permanent: err.is_permanent(),
            }),
        }
    }
}

/// Sends SMS through an HTTP gateway: a POST of the JSON `template` with `{phone}` and `{text}` replaced
/// (JSON-escaped) — whatever the gateway's field names are.
pub struct SmsGateway {
    client: reqwest::Client,
    url: reqwest::Url,
    template: String,
}

/// The SMS template used when none is configured.
pub const DEFAULT_SMS_TEMPLATE: &str = r#"{"phone":"{phone}","text":"{text}"}"#;

impl SmsGateway {
    pub fn new(url: &str, template: &str) -> Result<SmsGateway, ConfigError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| ConfigError::SmsUrl(url.to_owned()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ConfigError::SmsUrl(url.to_owned()));
        }
        // The template must stay JSON once filled in: try it with text that needs escaping.
        let sample = fill(template, "13800000000", "测\"试\\\n");
        if !template.contains("{phone}") || !template.contains("{text}") {
            return Err(ConfigError::SmsTemplate("a placeholder is missing".to_owned()));
        }
        serde_json::from_str::<serde_json::Value>(&sample)
            .map_err(|err| ConfigError::SmsTemplate(err.to_string()))?;
        install_tls();
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .map_err(|err| ConfigError::SmsUrl(err.to_string()))?;
        Ok(SmsGateway { client, url: parsed, template: template.to_owned() })
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
            .map_err(|err| Failure::passing(format!("短信网关无法连接：{err}")))?;
        let status = answer.status();
        if status.is_success() {
            return Ok(());
        }
        // A 4xx is the request's fault (a number the gateway refuses) except for throttling and timeouts.
        let permanent = status.is_client_error()
            && status != reqwest::StatusCode::TOO_MANY_REQUESTS
            && status != reqwest::StatusCode::REQUEST_TIMEOUT;
        Err(Failure { message: format!("短信网关答复 {status}"), permanent })
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

/// Why an attempt failed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    message: String,
    permanent: bool,
}

impl Failure {
    fn permanent(message: impl Into<String>) -> Failure {
        Failure { message: message.into(), permanent: true }
    }

    fn passing(message: impl Into<String>) -> Failure {
        Failure { message: message.into(), permanent: false }
    }
}

/// The outbox's worker: the configured channels and the store.
#[derive(Clone)]
pub struct Outbox {
    store: Store,
    mailer: Option<Arc<Mailer>>,
    sms: Option<Arc<SmsGateway>>,
}

impl Outbox {
    pub fn new(store: Store, mailer: Option<Mailer>, sms: Option<SmsGateway>) -> Outbox {
        Outbox { store, mailer: mailer.map(Arc::new), sms: sms.map(Arc::new) }
    }

    /// The channels this outbox delivers through (what steps queue as pending rather than skipped).
    pub fn channels(&self) -> Channels {
        Channels { email: self.mailer.is_some(), sms: self.sms.is_some() }
    }

    async fn deliver(&self, notice: &Outgoing) -> Result<(), Failure> {
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
    }

    /// Takes the notices due now, sends them (several at a time) and records each result; returns how many
    /// were claimed. Claims left by a stopped process become `unknown` first.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        let expired = notifications::expire_leases(&self.store).await?;
        if expired > 0 {
            tracing::warn!(
                notices = expired,
                "notices whose sending was interrupted are marked unknown"
            );
        }
        let claimed = notifications::claim(&self.store, LEASE_SECONDS, BATCH).await?;
        let count = claimed.len();
        let mut running = tokio::task::JoinSet::new();
        let mut queue = claimed.into_iter();
        loop {
            while running.len() < PARALLEL {
                let Some(notice) = queue.next() else { break };
                let outbox = self.clone();
                running.spawn(async move {
                    let result = outbox.deliver(&notice).await;
                    outbox.record(&notice, result).await
                });
            }
            match running.join_next().await {
                Some(Ok(recorded)) => recorded?,
                Some(Err(err)) => tracing::error!(error = %err, "a notice's delivery task failed"),
                None => break,
            }
        }
        Ok(count)
    }

    async fn record(
        &self,
        notice: &Outgoing,
        result: Result<(), Failure>,
    ) -> Result<(), StoreError> {
        match result {
            Ok(()) => notifications::mark_sent(&self.store, notice.id).await,
            Err(failure) => {
                tracing::warn!(
                    notice = notice.id,
                    tracking = %notice.tracking_number,
                    attempts = notice.attempts,
                    permanent = failure.permanent,
                    error = %failure.message,
                    "a notice was not delivered"
                );
                notifications::mark_failed(
                    &self.store,
                    notice.id,
                    notice.attempts,
                    &failure.message,
                    failure.permanent,
                )
                .await
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
            SmsGateway::new("ftp://x", DEFAULT_SMS_TEMPLATE),
            Err(ConfigError::SmsUrl(_))
        ));
        assert!(matches!(
            SmsGateway::new("http://127.0.0.1:9/sms", r#"{"to":"{phone}"}"#),
            Err(ConfigError::SmsTemplate(_))
        ));
        assert!(matches!(
            SmsGateway::new("http://127.0.0.1:9/sms", r#"{"to":"{phone}","text":{text}}"#),
            Err(ConfigError::SmsTemplate(_))
        ));
        assert!(SmsGateway::new("https://sms.example.gov.cn/send", DEFAULT_SMS_TEMPLATE).is_ok());
        assert!(matches!(
            Mailer::new("smtp://localhost:25", "not an address"),
            Err(ConfigError::From(_))
        ));
        assert!(matches!(Mailer::new("gopher://x", "a@b.cn"), Err(ConfigError::SmtpUrl(_))));
    }
}

//! The sender: claims due rows of the outbox (`FOR UPDATE SKIP LOCKED`, so
//! two servers never send one row twice), sends them through SMTP with
//! lettre, and retries a failure after 1 min, 5 min, 30 min, 2 h and 12 h
//! before it is marked failed. It runs beside the server and never blocks a
//! request. Without an SMTP URL nothing is sent.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;

use super::db::{self, Due};

/// The waits after the 1st, 2nd, … failed attempt; after the last, failed.
pub const BACKOFF: [time::Duration; 5] = [
    time::Duration::minutes(1),
    time::Duration::minutes(5),
    time::Duration::minutes(30),
    time::Duration::hours(2),
    time::Duration::hours(12),
];

/// Where and as whom mail is sent, and the base of the links.
#[derive(Clone)]
pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl Sender {
    /// From lettre's URL form, e.g. `smtp://user:pass@host:587?tls=required`.
    pub fn new(smtp_url: &str, from: &str, public_url: &str) -> anyhow::Result<Sender> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| anyhow::anyhow!("KONTOREGISTER_SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = from.parse().map_err(|e| anyhow::anyhow!("KONTOREGISTER_MAIL_FROM {from:?}: {e}"))?;
        Ok(Sender { transport, from, public_url: public_url.trim_end_matches('/').to_string() })
    }

    fn message(&self, m: &Due) -> anyhow::Result<Message> {
        let link = format!("{}{}", self.public_url, m.link_path);
        let text = format!(
            "{}\n\n{}: {link}\n\n-- \nKontoregistret. Du får det här brevet för att du har en roll i Kontoregistret.\n",
            m.body, m.link_label
        );
        let paragraphs: String =
            m.body.split("\n\n").map(|p| format!("<p>{}</p>", escape(p))).collect::<Vec<_>>().join("\n");
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n{paragraphs}\n<p><a href=\"{}\">{}</a></p>\n<p style=\"color:#555\">Kontoregistret. Du får det här brevet för att du har en roll i Kontoregistret.</p>\n</body></html>\n",
            escape(&m.subject),
            escape(&link),
            escape(&m.link_label)
        );
        Ok(Message::builder()
            .from(self.from.clone())
            .to(m.to_address.parse()?)
            .subject(&m.subject)
            .multipart(MultiPart::alternative_plain_html(text, html))?)
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Send what is due now, a batch at a time; the number sent.
pub async fn send_due(pool: &PgPool, sender: &Sender) -> sqlx::Result<usize> {
    let mut sent = 0;
    loop {
        let mut tx = pool.begin().await?;
        let due = db::claim(&mut tx, 20).await?;
        if due.is_empty() {
            return Ok(sent);
        }
        for m in &due {
            let outcome = match sender.message(m) {
                Ok(msg) => sender.transport.send(msg).await.map(|_| ()).map_err(|e| e.to_string()),
                Err(e) => Err(format!("the mail could not be written: {e}")),
            };
            match outcome {
                Ok(()) => {
                    db::mark_sent(&mut tx, m.mail_id).await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!("mail {} to {} failed: {e}", m.mail_id, m.to_address);
                    let retry = BACKOFF.get(m.attempts as usize).copied();
                    db::mark_failed(&mut tx, m.mail_id, &e, retry).await?;
                }
            }
        }
        tx.commit().await?;
    }
}

/// The worker of a server: running when an SMTP URL is configured, else
/// `None` (and the mails stay in the outbox, marked as not sent).
pub fn start(
    config: &crate::config::Config,
    pool: PgPool,
) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    let Some(url) = &config.smtp_url else {
        tracing::info!("no SMTP URL configured: mails stay in the outbox");
        return Ok(None);
    };
    let sender = Sender::new(url, &config.mail_from, &config.public_url)?;
    let every = Duration::from_secs(config.mail_interval_seconds.max(1));
    Ok(Some(tokio::spawn(run(pool, sender, every))))
}

/// Run beside the server: send what is due every `every`, until the process ends.
pub(crate) async fn run(pool: PgPool, sender: Sender, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = send_due(&pool, &sender).await {
            tracing::warn!("sending mail failed: {e}");
        }
    }
}

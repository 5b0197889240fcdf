-- gongkai schema, version 12: the applicant's notifications (issue #19), an outbox. A row is written in the
-- transaction of the intake or step it tells of, and a worker delivers it (e-mail through SMTP, SMS through
-- the configured gateway): so a crash never loses a notice, and a notice is sent at most once — a row found
-- 'sending' after its lease ran out (the process stopped mid-send) becomes 'unknown' and waits for a person,
-- never for an automatic second send. 'skipped' keeps the fact that nothing was sent and why (no SMTP
-- configured, a malformed address). The receipt's verification code waits in `secret` only until the row
-- leaves 'pending'. Times the worker compares are unix seconds; `claim` is the current claim's random token,
-- so a late result of an earlier claim is never recorded.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    secret TEXT,
    letter_id BIGINT REFERENCES letters (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unknown', 'skipped')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT,
    claim TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_application ON notifications (application_id);

-- gongkai schema, version 7: hardening (issue #16).
--
-- Attempt throttles: attempts per key (an account from one network, an account, a network, a tracking or
-- booking number), counted before the check and forgiven one by one as time passes; past a policy's free
-- ones each blocks the key for a growing time. Shared by every instance, so a guesser gains nothing by
-- spreading over the load balancer's instances. Times are Unix seconds. `account` names the staff account
-- of sign-in keys, so that a password reset clears them.
CREATE TABLE throttles (
    key TEXT PRIMARY KEY,
    account TEXT,
    failures BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL DEFAULT 0,
    last_failure BIGINT NOT NULL
);
CREATE INDEX throttles_last_failure ON throttles (last_failure);
CREATE INDEX throttles_account ON throttles (account);

-- The check value of the server's secret key (an HMAC of a fixed text under it): a server started with
-- another key file is refused, since every verification code issued would stop verifying.
CREATE TABLE secret_keys (
    name TEXT PRIMARY KEY,
    check_value TEXT NOT NULL
);

-- Forms that must act once: the first result of a one-time form token, returned again on a reload or a
-- second click instead of acting twice (NULL while the first is being handled). `sealed` holds what the
-- first answer showed once (a verification code), encrypted under the server's key; forgotten after a day.
CREATE TABLE form_submissions (
    token TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    -- A digest of the CSRF token of the browser that claimed it: only that browser gets the result again.
    owner TEXT NOT NULL,
    result TEXT,
    sealed TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX form_submissions_created ON form_submissions (created_at);

-- Sessions are now stored under a digest of their id (a database read does not yield live session ids):
-- the old rows, stored under the ids themselves, are ended.
DELETE FROM sessions;

-- A letter's copy with the applicant's personal data masked, for readers other than the case's handler and
-- the head who signs (reviewers, agency admins, supervisors). Letters made before have none.
ALTER TABLE letters ADD COLUMN masked_sha256 TEXT REFERENCES blobs (sha256);

-- Daily upload quotas: one applicant's (by ID number) and the whole platform's public uploads of a day.
CREATE INDEX applications_id_number ON applications (id_number, submitted);
CREATE INDEX applications_submitted ON applications (submitted);
CREATE INDEX attachments_application ON attachments (application_id);

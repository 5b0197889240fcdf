-- gongkai schema, version 7: hardening (issue #16).
--
-- Attempt throttles: failures per key (an account and an address, an account, a tracking or booking
-- number), each failure past a policy's free ones blocking the key for a growing time. Shared by every
-- instance, so a guesser gains nothing by spreading over the load balancer's instances. A key's failures
-- are forgotten a day after its last one.
CREATE TABLE throttles (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    blocked_until TEXT,
    last_failure TEXT NOT NULL
);
CREATE INDEX throttles_last_failure ON throttles (last_failure);

-- Forms that must act once: the first result of a one-time form token, returned again on a reload or a
-- second click instead of acting twice (NULL while the first is being handled). `sealed` holds what the
-- first answer showed once (a verification code), encrypted under the server's key; forgotten after a day.
CREATE TABLE form_submissions (
    token TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
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

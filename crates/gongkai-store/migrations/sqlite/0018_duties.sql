-- Scheduled duties (issue #21): the audit chain's daily verification, backups, the search index's health.
-- One instance at a time runs a platform-wide duty: it holds the duty's lease (holder, until) while it runs;
-- a lease past its time is free again, so a killed instance does not stop the duty for good. Each run is
-- kept with its outcome, for the admin's page and /metrics. Operations data: not in backups.
CREATE TABLE duty_leases (
    duty TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE duty_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    duty TEXT NOT NULL,
    holder TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    -- ok: done, all in order; problem: done, and it found something wrong (a break in the chain); failed: it
    -- could not be done (the database or the disk failed), to be tried again sooner.
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'problem', 'failed')),
    detail TEXT NOT NULL
);
CREATE INDEX duty_runs_by_duty ON duty_runs (duty, id);

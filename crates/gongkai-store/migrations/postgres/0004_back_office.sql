-- gongkai schema, version 4: the back office.

-- Staff sign-in sessions (tower-sessions records): the session id, its data as JSON and when it expires
-- (Unix seconds). Expired rows are ignored on load and deleted by the hourly sweep.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- What a handling step records beyond the clock event: the reason for an extension, the items a 补正 asks
-- for, who was consulted and what they said, the reply's outcome and withheld parts (JSON object).
ALTER TABLE application_events ADD COLUMN details TEXT NOT NULL DEFAULT '{}';

CREATE INDEX applications_handler ON applications (handler_id);

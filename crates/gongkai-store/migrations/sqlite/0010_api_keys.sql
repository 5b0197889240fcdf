-- gongkai schema, version 10: agency API keys (issue #22).
--
-- A key is `gk_<prefix>_<secret>`: the prefix (12 hex digits) finds the row, the secret (64 hex digits, 256
-- random bits) is kept only as its SHA-256 (a key is random, not a password: no slow hash is needed). Scopes
-- are space-separated (`catalog:write applications:read …`); `expires_on` is the last day the key works (a
-- date in China), NULL for none; a revoked key keeps its row so the audit trail's name stays explained.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL UNIQUE,
    secret_sha256 TEXT NOT NULL,
    scopes TEXT NOT NULL,
    expires_on TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT,
    last_used_at TEXT,
    UNIQUE (agency_id, name)
);

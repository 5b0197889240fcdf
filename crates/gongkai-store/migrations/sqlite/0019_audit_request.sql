-- The request an audit entry was written for (issue #21): its X-Request-Id, the id on the log lines of the
-- request, so an entry and the server's logs of the same request can be found from each other. NULL for
-- entries written outside a request (the CLI, scheduled duties) and for entries older than this column.
-- When present it is part of the entry's hash (gongkai_store::audit).
ALTER TABLE audit_log ADD COLUMN request_id TEXT;
CREATE INDEX audit_log_request ON audit_log (request_id) WHERE request_id IS NOT NULL;

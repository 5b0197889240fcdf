-- gongkai schema, version 6: searching the audit trail (the 审计日志 page) without reading all of it — one
-- actor's entries, one record's (a subject prefix is a range), and a time window, each newest first by id.
-- Ranges compare bytewise ("C"), as on SQLite, whatever the database's collation.
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_subject ON audit_log (subject COLLATE "C", id);
CREATE INDEX audit_log_at ON audit_log (at COLLATE "C");
-- Statistics now, so the planner uses the new indexes before autovacuum (if it runs at all) analyzes the log.
ANALYZE audit_log;

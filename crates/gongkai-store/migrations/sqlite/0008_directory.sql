-- gongkai schema, version 8: agencies set up, moved and closed by the platform's own people (issue #17).
--
-- A closed agency (撤销, 合并) stays in the tree with its archive: the day it closed, and the agency that took
-- over its work (NULL when none did). Nothing else of it changes.
ALTER TABLE agencies ADD COLUMN closed_on TEXT;
ALTER TABLE agencies ADD COLUMN successor_id BIGINT REFERENCES agencies (id);

-- Registers uploaded in the back office: the file kept (as a blob) between the preview and the confirmation,
-- who uploaded it, and the import's outcome (rows written, or why not) once it ran, so that the office sees
-- it from any instance.
CREATE TABLE register_uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    kind TEXT NOT NULL CHECK (kind IN ('applications', 'catalog', 'reviews', 'lawsuits', 'responses', 'trainings', 'meetings')),
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    result TEXT
);
CREATE INDEX register_uploads_agency ON register_uploads (agency_id, uploaded_at);

-- Annual reports an agency published before it came on the platform (历史报告): the file as published, its
-- year, and what the auditor read of it when it was uploaded — the format, the table's figures (JSON cells)
-- for the cross-year rules of the first year on the platform, the findings (JSON), or why it was not read.
CREATE TABLE history_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    year BIGINT NOT NULL,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    media_type TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    format TEXT,
    figures TEXT,
    findings TEXT,
    unread TEXT,
    UNIQUE (agency_id, year)
);

-- A reading point's closure days (闭馆日, beyond the public holidays the calendar knows): YYYY-MM-DD, comma
-- separated. No booking is taken on them.
ALTER TABLE reading_points ADD COLUMN closed_days TEXT NOT NULL DEFAULT '';

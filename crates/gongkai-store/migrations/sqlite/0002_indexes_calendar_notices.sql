-- gongkai schema, version 2.
-- Every per-agency table is read by agency (loading an agency's records for its report, the back office's
-- lists), so each gets an index led by agency_id; without them a 3,000-agency database scans whole tables.
CREATE INDEX reviews_agency ON reviews (agency_id);
CREATE INDEX lawsuits_agency ON lawsuits (agency_id);
CREATE INDEX complaints_agency ON complaints (agency_id);
CREATE INDEX responses_agency ON responses (agency_id);
CREATE INDEX staff_assignments_agency ON staff_assignments (agency_id);
CREATE INDEX offices_agency ON offices (agency_id);
CREATE INDEX reading_points_agency ON reading_points (agency_id);
CREATE INDEX meetings_agency ON meetings (agency_id);
CREATE INDEX trainings_agency ON trainings (agency_id);
CREATE INDEX fees_agency ON fees (agency_id);
CREATE INDEX attachments_item ON attachments (item_id);
CREATE INDEX user_roles_agency ON user_roles (agency_id);

-- The text of a calendar year entered by a platform admin (gongkai's notice format, as in
-- crates/gongkai-core/data/calendar), so every instance applies the same schedule.
ALTER TABLE calendar_years ADD COLUMN notice TEXT NOT NULL DEFAULT '';

-- The staff member handling an application: the only one who sees the applicant's personal data unmasked.
ALTER TABLE applications ADD COLUMN handler_id BIGINT REFERENCES users (id);

-- Letters generated for an application (补正告知书, 征求意见书, 延期告知书, 收费通知, 答复书/告知书): the file
-- itself is a content-addressed blob; sending is recorded with its date (国办公开办函〔2016〕235号).
CREATE TABLE letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    kind TEXT NOT NULL CHECK (kind IN ('supplement', 'consultation', 'extension', 'fee', 'reply', 'transfer')),
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    media_type TEXT NOT NULL,
    generated_by TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    sent_on TEXT,
    sent_by TEXT
);
CREATE INDEX letters_application ON letters (application_id);

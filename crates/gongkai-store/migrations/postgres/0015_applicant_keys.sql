-- Applicants recognised across applications (issue #19): a keyed hash of the applicant's ID number (or phone),
-- filled in by the server (it holds the key) for every application lacking it; '' where there is none.
ALTER TABLE applications ADD COLUMN applicant_key TEXT;
CREATE INDEX applications_applicant ON applications (applicant_key, agency_id, submitted);

-- gongkai schema, version 3: what the public portal shows and keeps.

-- An agency's public profile: 机构概况 and 主要职责 (paragraphs separated by blank lines), and the contact
-- details of the 公开指南 beyond office, phone, address and hours.
ALTER TABLE agencies ADD COLUMN overview TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN duties TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN postcode TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN fax TEXT NOT NULL DEFAULT '';

-- 领导信息: in the agency's order.
CREATE TABLE leaders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    seq BIGINT NOT NULL,
    name TEXT NOT NULL,
    post TEXT NOT NULL,
    duties TEXT NOT NULL DEFAULT '',
    biography TEXT NOT NULL DEFAULT '',
    UNIQUE (agency_id, seq)
);

-- The catalog is browsed by category and year, and the platform lists the newest items.
CREATE INDEX catalog_items_agency_category ON catalog_items (agency_id, category, published);
CREATE INDEX catalog_items_published ON catalog_items (published);

-- The search outbox: one row per catalog change, in the same transaction as the change. Every instance's
-- search index catches up from it (and re-reads the last minute, so a change committed late under a lower
-- sequence number is not missed).
CREATE TABLE catalog_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX catalog_changes_changed ON catalog_changes (changed_at);

-- A published annual report is frozen as files (HTML, DOCX, PDF, XLSX, JSON) rendered when it was published.
CREATE TABLE report_files (
    report_id BIGINT NOT NULL REFERENCES annual_reports (id),
    kind TEXT NOT NULL CHECK (kind IN ('html', 'docx', 'pdf', 'xlsx', 'json')),
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    PRIMARY KEY (report_id, kind)
);

-- Reading-point bookings (网上预约): the slots of a day, and a seat per booking. The partial unique index makes
-- "never more active bookings than seats" a database guarantee, whichever instance takes the booking.
ALTER TABLE reading_points ADD COLUMN slots TEXT NOT NULL DEFAULT '09:00-10:30,10:30-12:00,14:00-15:30,15:30-17:00';
ALTER TABLE bookings ADD COLUMN seat BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD COLUMN reference TEXT;
UPDATE bookings SET seat = id, reference = 'B' || id;
CREATE UNIQUE INDEX bookings_seat ON bookings (reading_point_id, day, slot, seat) WHERE cancelled_at IS NULL;
CREATE UNIQUE INDEX bookings_reference ON bookings (reference);

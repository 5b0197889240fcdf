-- gongkai schema, version 1. Never edit an applied migration: add a new one (see ../README.md).

-- Agencies as a tree: province → city/county → department.
CREATE TABLE agencies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('government', 'department')),
    region TEXT NOT NULL,
    parent_id BIGINT REFERENCES agencies (id),
    index_pattern TEXT NOT NULL,
    office TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    hours TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX agencies_parent ON agencies (parent_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

-- A role within an agency (clerk, reviewer, head, agency_admin, supervisor of the agency's region),
-- or platform-wide (platform_admin, agency_id NULL).
CREATE TABLE user_roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    agency_id BIGINT REFERENCES agencies (id),
    role TEXT NOT NULL CHECK (role IN ('clerk', 'reviewer', 'head', 'agency_admin', 'platform_admin', 'supervisor')),
    UNIQUE (user_id, agency_id, role)
);

CREATE TABLE catalog_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    index_number TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    genre TEXT NOT NULL DEFAULT '',
    doc_number TEXT NOT NULL DEFAULT '',
    formed TEXT,
    published TEXT NOT NULL,
    validity TEXT NOT NULL DEFAULT '有效',
    disclosure TEXT NOT NULL DEFAULT '主动公开',
    normative BIGINT NOT NULL DEFAULT 0,
    withdrawn_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (agency_id, index_number)
);
CREATE INDEX catalog_items_agency_published ON catalog_items (agency_id, published);

CREATE TABLE item_channels (
    item_id BIGINT NOT NULL REFERENCES catalog_items (id),
    channel TEXT NOT NULL CHECK (channel IN ('website', 'gazette', 'weibo', 'wechat', 'other')),
    published TEXT NOT NULL,
    PRIMARY KEY (item_id, channel)
);

-- Content-addressed files; attachments name them.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT REFERENCES catalog_items (id),
    application_id BIGINT,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256)
);

CREATE TABLE normative_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    kind TEXT NOT NULL CHECK (kind IN ('rule', 'document')),
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    made TEXT NOT NULL,
    published TEXT,
    repealed TEXT
);
CREATE INDEX normative_documents_agency ON normative_documents (agency_id);

-- Personal data (name, ID number, phone, address) is kept because 2019 条例 art. 29 requires it on the
-- application; it is never logged and shown masked except to the staff handling the case.
CREATE TABLE applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    tracking_number TEXT NOT NULL UNIQUE,
    verification_hash TEXT NOT NULL DEFAULT '',
    applicant_type TEXT NOT NULL,
    applicant_name TEXT NOT NULL DEFAULT '',
    id_type TEXT NOT NULL DEFAULT '',
    id_number TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    delivery_form TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    submitted TEXT NOT NULL,
    signed_for TEXT,
    confirmed TEXT,
    regime TEXT,
    outcome TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX applications_agency_submitted ON applications (agency_id, submitted);

-- Append-only: the application's history; state and due date are derived from it by the core.
CREATE TABLE application_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    seq BIGINT NOT NULL,
    event TEXT NOT NULL,
    recorded_by TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL,
    UNIQUE (application_id, seq)
);

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    application TEXT,
    filed TEXT NOT NULL,
    result TEXT,
    decided TEXT
);
CREATE TABLE lawsuits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    application TEXT,
    filed TEXT NOT NULL,
    after_review BIGINT NOT NULL,
    as_review_organ BIGINT NOT NULL,
    result TEXT,
    decided TEXT
);
CREATE TABLE complaints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    received TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE TABLE responses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    topic TEXT,
    head_attended BIGINT NOT NULL
);
-- Figures from other systems; value in ten-thousandths of the unit.
CREATE TABLE declared_figures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    year BIGINT NOT NULL,
    measure TEXT NOT NULL,
    value BIGINT NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (agency_id, year, measure)
);
CREATE TABLE staff_assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    label TEXT NOT NULL,
    full_time BIGINT NOT NULL,
    from_day TEXT NOT NULL,
    to_day TEXT
);
CREATE TABLE offices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    name TEXT NOT NULL,
    from_day TEXT NOT NULL,
    to_day TEXT
);
CREATE TABLE funding (
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    year BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (agency_id, year)
);
CREATE TABLE reading_points (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    hours TEXT NOT NULL DEFAULT '',
    capacity BIGINT NOT NULL DEFAULT 4,
    opened TEXT NOT NULL,
    closed TEXT
);
CREATE TABLE bookings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reading_point_id BIGINT NOT NULL REFERENCES reading_points (id),
    day TEXT NOT NULL,
    slot TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    created_at TEXT NOT NULL,
    cancelled_at TEXT
);
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    day TEXT NOT NULL,
    title TEXT NOT NULL
);
CREATE TABLE trainings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    day TEXT NOT NULL,
    title TEXT NOT NULL,
    trainees BIGINT NOT NULL
);
CREATE TABLE fees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    application TEXT NOT NULL,
    day TEXT NOT NULL,
    amount_yuan BIGINT NOT NULL,
    waived BIGINT NOT NULL
);
CREATE TABLE staff_texts (
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    year BIGINT NOT NULL,
    section TEXT NOT NULL,
    paragraphs TEXT NOT NULL,
    PRIMARY KEY (agency_id, year, section)
);
CREATE TABLE annual_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    year BIGINT NOT NULL,
    format TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'signed', 'published')),
    preparer TEXT,
    reviewer TEXT,
    head TEXT,
    phone TEXT,
    comments TEXT NOT NULL DEFAULT '',
    submitted_at TEXT,
    signed_at TEXT,
    published_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (agency_id, year)
);
-- A year's holiday notice entered when the State Council publishes it (gongkai's notice format).
CREATE TABLE calendar_years (
    year BIGINT PRIMARY KEY,
    source TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    correction BIGINT NOT NULL DEFAULT 0
);
-- Named counters (tracking numbers), incremented atomically.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
-- Append-only, hash-chained: hash = sha256(prev_hash | at | actor | address | action | subject | before | after).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    address TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    before_state TEXT,
    after_state TEXT,
    prev_hash TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL UNIQUE
);
-- The chain's head, updated with every append: deleting the newest entries is caught too.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    entries BIGINT NOT NULL,
    hash TEXT NOT NULL
);

-- Append-only tables refuse updates and deletes.
CREATE TRIGGER application_events_no_update BEFORE UPDATE ON application_events
BEGIN SELECT RAISE(ABORT, 'application_events is append-only'); END;
CREATE TRIGGER application_events_no_delete BEFORE DELETE ON application_events
BEGIN SELECT RAISE(ABORT, 'application_events is append-only'); END;

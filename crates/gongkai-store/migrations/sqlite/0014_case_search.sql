-- Case search (issue #19): the text of each application (description, applicant's name) as character
-- bigrams in a contentless FTS5 index, its rowid the application's id. It is derived data: filled from the
-- applications past `application_search_mark.indexed` before each search (handling::search::catch_up), never
-- backed up, rebuilt after a restore.
CREATE VIRTUAL TABLE application_search USING fts5(description, applicant, content = '', tokenize = 'unicode61');
CREATE TABLE application_search_mark (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    indexed BIGINT NOT NULL
);
-- The tracking numbers as trigrams: any part of three characters or more is found from the index.
CREATE VIRTUAL TABLE application_numbers USING fts5(number, content = '', tokenize = 'trigram');
INSERT INTO application_search_mark (id, indexed) VALUES (1, 0);
-- Searching by handler.
CREATE INDEX applications_agency_handler ON applications (agency_id, handler_id);

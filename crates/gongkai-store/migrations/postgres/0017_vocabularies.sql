-- Each agency's controlled vocabularies (issue #20): 目录分类, 主题分类, 体裁. A row is a term (alias_of NULL)
-- or another name of one (alias_of = the term); `position` keeps the agency's order. An agency without rows
-- of a kind has an open list: the values its items use.
CREATE TABLE vocabulary_terms (
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    kind TEXT NOT NULL CHECK (kind IN ('category', 'subject', 'genre')),
    position INTEGER NOT NULL,
    term TEXT NOT NULL,
    alias_of TEXT,
    PRIMARY KEY (agency_id, kind, term)
);

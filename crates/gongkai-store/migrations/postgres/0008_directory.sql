-- gongkai schema, version 8: agencies set up, moved and closed by the platform's own people (issue #17).
--
-- A closed agency (撤销, 合并) stays in the tree with its archive: the day it closed, and the agency that took
-- over its work (NULL when none did). Nothing else of it changes.
ALTER TABLE agencies ADD COLUMN closed_on TEXT;
ALTER TABLE agencies ADD COLUMN successor_id BIGINT REFERENCES agencies (id);

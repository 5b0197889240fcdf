-- gongkai schema, version 13 (issue #19). A letter keeps its own title: the kinds are few (a reply may be a
-- 答复书, a 告知书 or a 终止办理告知书), and the applicant and staff are shown what the letter says it is.
-- Letters written before keep NULL and are named by their kind. An application transferred (转办) from
-- another agency of the platform names the one it came from; its applicant tracks it with the code of that
-- one.
ALTER TABLE letters ADD COLUMN title TEXT;
ALTER TABLE applications ADD COLUMN transferred_from TEXT;
CREATE INDEX applications_transferred_from ON applications (transferred_from);

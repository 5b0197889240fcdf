-- gongkai schema, version 9: a reading point's week and the leaders' photos (issue #17).
--
-- The weekdays whose slots differ from the day's (`slots`): `3=09:00-10:30;5=` — ISO weekday number, then
-- that weekday's slots, nothing for a weekday the point does not open. Empty: every working day alike.
ALTER TABLE reading_points ADD COLUMN weekly_slots TEXT NOT NULL DEFAULT '';

-- A leader's photo (领导信息), JPEG or PNG, kept as a blob; NULL when the agency gave none.
ALTER TABLE leaders ADD COLUMN photo_sha256 TEXT REFERENCES blobs (sha256);

-- gongkai schema, version 11: a complaint's handling (issue #19). A complaint (举报投诉) may name the
-- application it is about (a tracking number of the same agency) and, once handled, the day it was concluded,
-- its result (`founded`, `partly_founded`, `unfounded`) and what was done. Existing complaints keep NULLs:
-- not linked, not yet concluded.
ALTER TABLE complaints ADD COLUMN application TEXT;
ALTER TABLE complaints ADD COLUMN concluded TEXT;
ALTER TABLE complaints ADD COLUMN result TEXT;
ALTER TABLE complaints ADD COLUMN handling TEXT;

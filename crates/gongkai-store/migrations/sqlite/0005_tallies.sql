-- gongkai schema, version 5: what a region's roll-up reads without visiting every record.
--
-- Both are kept by the database itself, in the transaction of the change, so every write path (publishing,
-- imports, registers, restore) keeps them exact; `records::load_for_year` reads them, and a store test
-- compares them with counting the rows after random changes, on both backends.

-- A year's catalog items per agency and category (the year of `published`), with the normative ones and the
-- first item (lowest id) of the category that year: the order in which the agency first used its categories.
CREATE TABLE catalog_tallies (
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    year BIGINT NOT NULL,
    category TEXT NOT NULL,
    items BIGINT NOT NULL,
    normative BIGINT NOT NULL,
    first_item BIGINT NOT NULL,
    PRIMARY KEY (agency_id, year, category)
);

-- A year's catalog items per agency and channel (the year of the item's `published`).
CREATE TABLE channel_tallies (
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    year BIGINT NOT NULL,
    channel TEXT NOT NULL,
    items BIGINT NOT NULL,
    PRIMARY KEY (agency_id, year, channel)
);

INSERT INTO catalog_tallies (agency_id, year, category, items, normative, first_item)
SELECT agency_id, CAST(substr(published, 1, 4) AS INTEGER), category, COUNT(*),
       SUM(CASE WHEN normative <> 0 THEN 1 ELSE 0 END), MIN(id)
FROM catalog_items GROUP BY agency_id, CAST(substr(published, 1, 4) AS INTEGER), category;

INSERT INTO channel_tallies (agency_id, year, channel, items)
SELECT i.agency_id, CAST(substr(i.published, 1, 4) AS INTEGER), c.channel, COUNT(*)
FROM item_channels c JOIN catalog_items i ON i.id = c.item_id
GROUP BY i.agency_id, CAST(substr(i.published, 1, 4) AS INTEGER), c.channel;

CREATE TRIGGER catalog_tally_insert AFTER INSERT ON catalog_items BEGIN
    INSERT INTO catalog_tallies (agency_id, year, category, items, normative, first_item)
    VALUES (NEW.agency_id, CAST(substr(NEW.published, 1, 4) AS INTEGER), NEW.category, 1,
            CASE WHEN NEW.normative <> 0 THEN 1 ELSE 0 END, NEW.id)
    ON CONFLICT (agency_id, year, category) DO UPDATE SET
        items = items + 1, normative = normative + excluded.normative,
        first_item = MIN(first_item, excluded.first_item);
END;

-- An item moved to another agency, year or category, or made (non-)normative: out of its old tally, into
-- the new one; the old tally's first item found again if it was this one; an emptied tally removed.
CREATE TRIGGER catalog_tally_update AFTER UPDATE OF agency_id, published, category, normative ON catalog_items
WHEN OLD.agency_id <> NEW.agency_id OR substr(OLD.published, 1, 4) <> substr(NEW.published, 1, 4)
  OR OLD.category <> NEW.category OR (OLD.normative <> 0) <> (NEW.normative <> 0)
BEGIN
    UPDATE catalog_tallies SET items = items - 1,
        normative = normative - (CASE WHEN OLD.normative <> 0 THEN 1 ELSE 0 END)
    WHERE agency_id = OLD.agency_id AND year = CAST(substr(OLD.published, 1, 4) AS INTEGER)
      AND category = OLD.category;
    INSERT INTO catalog_tallies (agency_id, year, category, items, normative, first_item)
    VALUES (NEW.agency_id, CAST(substr(NEW.published, 1, 4) AS INTEGER), NEW.category, 1,
            CASE WHEN NEW.normative <> 0 THEN 1 ELSE 0 END, NEW.id)
    ON CONFLICT (agency_id, year, category) DO UPDATE SET
        items = items + 1, normative = normative + excluded.normative,
        first_item = MIN(first_item, excluded.first_item);
    UPDATE catalog_tallies SET first_item = (
        SELECT MIN(id) FROM catalog_items
        WHERE agency_id = OLD.agency_id AND category = OLD.category
          AND published >= substr(OLD.published, 1, 4) || '-01-01'
          AND published <= substr(OLD.published, 1, 4) || '-12-31')
    WHERE agency_id = OLD.agency_id AND year = CAST(substr(OLD.published, 1, 4) AS INTEGER)
      AND category = OLD.category AND first_item = OLD.id AND items > 0;
    DELETE FROM catalog_tallies
    WHERE agency_id = OLD.agency_id AND year = CAST(substr(OLD.published, 1, 4) AS INTEGER)
      AND category = OLD.category AND items = 0;
    -- Its channels move with it when the agency or the year changed.
    UPDATE channel_tallies SET items = items - 1
    WHERE (OLD.agency_id <> NEW.agency_id OR substr(OLD.published, 1, 4) <> substr(NEW.published, 1, 4))
      AND agency_id = OLD.agency_id AND year = CAST(substr(OLD.published, 1, 4) AS INTEGER)
      AND channel IN (SELECT channel FROM item_channels WHERE item_id = OLD.id);
    INSERT INTO channel_tallies (agency_id, year, channel, items)
    SELECT NEW.agency_id, CAST(substr(NEW.published, 1, 4) AS INTEGER), channel, 1
    FROM item_channels
    WHERE item_id = NEW.id
      AND (OLD.agency_id <> NEW.agency_id OR substr(OLD.published, 1, 4) <> substr(NEW.published, 1, 4))
    ON CONFLICT (agency_id, year, channel) DO UPDATE SET items = items + 1;
END;

CREATE TRIGGER catalog_tally_delete AFTER DELETE ON catalog_items BEGIN
    UPDATE catalog_tallies SET items = items - 1,
        normative = normative - (CASE WHEN OLD.normative <> 0 THEN 1 ELSE 0 END)
    WHERE agency_id = OLD.agency_id AND year = CAST(substr(OLD.published, 1, 4) AS INTEGER)
      AND category = OLD.category;
    UPDATE catalog_tallies SET first_item = (
        SELECT MIN(id) FROM catalog_items
        WHERE agency_id = OLD.agency_id AND category = OLD.category
          AND published >= substr(OLD.published, 1, 4) || '-01-01'
          AND published <= substr(OLD.published, 1, 4) || '-12-31')
    WHERE agency_id = OLD.agency_id AND year = CAST(substr(OLD.published, 1, 4) AS INTEGER)
      AND category = OLD.category AND first_item = OLD.id AND items > 0;
    DELETE FROM catalog_tallies
    WHERE agency_id = OLD.agency_id AND year = CAST(substr(OLD.published, 1, 4) AS INTEGER)
      AND category = OLD.category AND items = 0;
    UPDATE channel_tallies SET items = items - 1
    WHERE agency_id = OLD.agency_id AND year = CAST(substr(OLD.published, 1, 4) AS INTEGER)
      AND channel IN (SELECT channel FROM item_channels WHERE item_id = OLD.id);
END;

CREATE TRIGGER channel_tally_insert AFTER INSERT ON item_channels BEGIN
    INSERT INTO channel_tallies (agency_id, year, channel, items)
    SELECT agency_id, CAST(substr(published, 1, 4) AS INTEGER), NEW.channel, 1
    FROM catalog_items WHERE id = NEW.item_id
    ON CONFLICT (agency_id, year, channel) DO UPDATE SET items = items + 1;
END;

CREATE TRIGGER channel_tally_update AFTER UPDATE OF item_id, channel ON item_channels
WHEN OLD.item_id <> NEW.item_id OR OLD.channel <> NEW.channel
BEGIN
    UPDATE channel_tallies SET items = items - 1
    WHERE channel = OLD.channel AND (agency_id, year) IN (
        SELECT agency_id, CAST(substr(published, 1, 4) AS INTEGER) FROM catalog_items WHERE id = OLD.item_id);
    INSERT INTO channel_tallies (agency_id, year, channel, items)
    SELECT agency_id, CAST(substr(published, 1, 4) AS INTEGER), NEW.channel, 1
    FROM catalog_items WHERE id = NEW.item_id
    ON CONFLICT (agency_id, year, channel) DO UPDATE SET items = items + 1;
END;

CREATE TRIGGER channel_tally_delete AFTER DELETE ON item_channels BEGIN
    UPDATE channel_tallies SET items = items - 1
    WHERE channel = OLD.channel AND (agency_id, year) IN (
        SELECT agency_id, CAST(substr(published, 1, 4) AS INTEGER) FROM catalog_items WHERE id = OLD.item_id);
END;

-- The day of an application's reply (its `replied` event), kept beside it so that a year's load can skip
-- the applications that ended before the year. Events are append-only, so it never changes once set; NULL
-- means no reply yet. A reply ends an application (`clock::ending`), so an application replied before a
-- year counts in none of that year's figures.
ALTER TABLE applications ADD COLUMN replied TEXT;

UPDATE applications SET replied = (
    SELECT json_extract(e.event, '$.on') FROM application_events e
    WHERE e.application_id = applications.id AND json_extract(e.event, '$.event') = 'replied'
    ORDER BY e.seq LIMIT 1);

CREATE TRIGGER application_replied AFTER INSERT ON application_events
WHEN json_extract(NEW.event, '$.event') = 'replied'
BEGIN
    UPDATE applications SET replied = json_extract(NEW.event, '$.on')
    WHERE id = NEW.application_id AND replied IS NULL;
END;

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

-- One item into or out of its category tally (`p_delta` = 1 or -1).
CREATE FUNCTION catalog_tally_add(p_agency BIGINT, p_published TEXT, p_category TEXT, p_normative BIGINT,
                                  p_item BIGINT, p_delta BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_year BIGINT := CAST(substr(p_published, 1, 4) AS INTEGER);
    v_normative BIGINT := CASE WHEN p_normative <> 0 THEN 1 ELSE 0 END;
BEGIN
    IF p_delta > 0 THEN
        INSERT INTO catalog_tallies AS t (agency_id, year, category, items, normative, first_item)
        VALUES (p_agency, v_year, p_category, 1, v_normative, p_item)
        ON CONFLICT (agency_id, year, category) DO UPDATE SET
            items = t.items + 1, normative = t.normative + excluded.normative,
            first_item = LEAST(t.first_item, excluded.first_item);
    ELSE
        UPDATE catalog_tallies t SET items = t.items - 1, normative = t.normative - v_normative
        WHERE t.agency_id = p_agency AND t.year = v_year AND t.category = p_category;
        DELETE FROM catalog_tallies t
        WHERE t.agency_id = p_agency AND t.year = v_year AND t.category = p_category AND t.items = 0;
        UPDATE catalog_tallies t SET first_item = (
            SELECT MIN(i.id) FROM catalog_items i
            WHERE i.agency_id = p_agency AND i.category = p_category
              AND i.published >= substr(p_published, 1, 4) || '-01-01'
              AND i.published <= substr(p_published, 1, 4) || '-12-31')
        WHERE t.agency_id = p_agency AND t.year = v_year AND t.category = p_category AND t.first_item = p_item;
    END IF;
END;
$$;

-- One item's channel into or out of the channel tally of its agency and year (`p_delta` = 1 or -1).
CREATE FUNCTION channel_tally_add(p_agency BIGINT, p_published TEXT, p_channel TEXT, p_delta BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO channel_tallies AS t (agency_id, year, channel, items)
    VALUES (p_agency, CAST(substr(p_published, 1, 4) AS INTEGER), p_channel, p_delta)
    ON CONFLICT (agency_id, year, channel) DO UPDATE SET items = t.items + excluded.items;
END;
$$;

CREATE FUNCTION catalog_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    c RECORD;
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM catalog_tally_add(NEW.agency_id, NEW.published, NEW.category, NEW.normative, NEW.id, 1);
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM catalog_tally_add(OLD.agency_id, OLD.published, OLD.category, OLD.normative, OLD.id, -1);
        FOR c IN SELECT channel FROM item_channels WHERE item_id = OLD.id LOOP
            PERFORM channel_tally_add(OLD.agency_id, OLD.published, c.channel, -1);
        END LOOP;
        RETURN NULL;
    END IF;
    -- UPDATE: out of the old tally and into the new one when anything counted changed.
    IF OLD.agency_id <> NEW.agency_id OR substr(OLD.published, 1, 4) <> substr(NEW.published, 1, 4)
       OR OLD.category <> NEW.category OR (OLD.normative <> 0) <> (NEW.normative <> 0) THEN
        PERFORM catalog_tally_add(NEW.agency_id, NEW.published, NEW.category, NEW.normative, NEW.id, 1);
        PERFORM catalog_tally_add(OLD.agency_id, OLD.published, OLD.category, OLD.normative, OLD.id, -1);
    END IF;
    IF OLD.agency_id <> NEW.agency_id OR substr(OLD.published, 1, 4) <> substr(NEW.published, 1, 4) THEN
        FOR c IN SELECT channel FROM item_channels WHERE item_id = NEW.id LOOP
            PERFORM channel_tally_add(OLD.agency_id, OLD.published, c.channel, -1);
            PERFORM channel_tally_add(NEW.agency_id, NEW.published, c.channel, 1);
        END LOOP;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER catalog_tally AFTER INSERT OR DELETE OR UPDATE OF agency_id, published, category, normative
ON catalog_items FOR EACH ROW EXECUTE FUNCTION catalog_tally_change();

CREATE FUNCTION channel_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    item RECORD;
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        SELECT agency_id, published INTO item FROM catalog_items WHERE id = OLD.item_id;
        IF FOUND THEN
            PERFORM channel_tally_add(item.agency_id, item.published, OLD.channel, -1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT agency_id, published INTO item FROM catalog_items WHERE id = NEW.item_id;
        IF FOUND THEN
            PERFORM channel_tally_add(item.agency_id, item.published, NEW.channel, 1);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER channel_tally AFTER INSERT OR DELETE OR UPDATE OF item_id, channel
ON item_channels FOR EACH ROW EXECUTE FUNCTION channel_tally_change();

-- The day of an application's reply (its `replied` event), kept beside it so that a year's load can skip
-- the applications that ended before the year. Events are append-only, so it never changes once set; NULL
-- means no reply yet. A reply ends an application (`clock::ending`), so an application replied before a
-- year counts in none of that year's figures.
ALTER TABLE applications ADD COLUMN replied TEXT;

UPDATE applications SET replied = (
    SELECT e.event::jsonb ->> 'on' FROM application_events e
    WHERE e.application_id = applications.id AND e.event::jsonb ->> 'event' = 'replied'
    ORDER BY e.seq LIMIT 1);

CREATE FUNCTION application_replied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.event::jsonb ->> 'event' = 'replied' THEN
        UPDATE applications SET replied = NEW.event::jsonb ->> 'on'
        WHERE id = NEW.application_id AND replied IS NULL;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER application_replied AFTER INSERT ON application_events
FOR EACH ROW EXECUTE FUNCTION application_replied();

-- The search engine's feed: every change to a searchable document, written by triggers in
-- the transaction of the change, so that no code path (publication, withdrawal, a bulk
-- load) can change a document without the search index hearing of it.
--
-- Rows are written with a `seq` and no position; the search engine's sealer gives the
-- committed rows without one a position in `seq` order under an advisory lock (as the
-- outbox does), so a reader that has seen position N never misses a row committed later.
CREATE TABLE search_changes (
    seq         bigserial PRIMARY KEY,
    position    bigint UNIQUE,
    doc_kind    text NOT NULL CHECK (doc_kind IN ('item', 'knowledge', 'matter')),
    doc_id      uuid NOT NULL
);
CREATE INDEX search_changes_unsealed_idx ON search_changes (seq) WHERE position IS NULL;

-- Which database an index on disk was built from: an index whose recorded identity differs
-- (a restored or recreated database) is rebuilt rather than trusted.
CREATE TABLE search_identity (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    id          uuid NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO search_identity DEFAULT VALUES;

CREATE FUNCTION search_changes_of_item() RETURNS trigger AS $$
BEGIN
    INSERT INTO search_changes (doc_kind, doc_id)
    VALUES ('item', CASE WHEN TG_OP = 'DELETE' THEN OLD.item_id ELSE NEW.item_id END);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A version becomes current (insert) or stops being so (update of is_current).
CREATE TRIGGER disclosure_versions_search_change
    AFTER INSERT OR DELETE OR UPDATE OF is_current ON disclosure_versions
    FOR EACH ROW EXECUTE FUNCTION search_changes_of_item();

CREATE FUNCTION search_changes_of_entry() RETURNS trigger AS $$
BEGIN
    INSERT INTO search_changes (doc_kind, doc_id)
    VALUES ('knowledge', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Any change of a knowledge-base entry (its texts, state or validity).
CREATE TRIGGER knowledge_entries_search_change
    AFTER INSERT OR DELETE OR UPDATE ON knowledge_entries
    FOR EACH ROW EXECUTE FUNCTION search_changes_of_entry();

CREATE FUNCTION search_changes_of_matter() RETURNS trigger AS $$
BEGIN
    -- Each branch names the column of its own table (a statement is planned when run).
    IF TG_TABLE_NAME = 'service_matters' THEN
        INSERT INTO search_changes (doc_kind, doc_id) VALUES ('matter', NEW.id);
    ELSE
        INSERT INTO search_changes (doc_kind, doc_id) VALUES ('matter', NEW.matter_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A matter's state or published version changes, or a version is written (the guide the
-- public sees is the published version of a matter published or suspended).
CREATE TRIGGER service_matters_search_change
    AFTER INSERT OR UPDATE ON service_matters
    FOR EACH ROW EXECUTE FUNCTION search_changes_of_matter();
CREATE TRIGGER service_matter_versions_search_change
    AFTER INSERT OR UPDATE ON service_matter_versions
    FOR EACH ROW EXECUTE FUNCTION search_changes_of_matter();

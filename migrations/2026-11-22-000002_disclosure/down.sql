DROP TABLE disclosure_index_counters;
DROP TRIGGER disclosure_versions_frozen ON disclosure_versions;
DROP TABLE disclosure_versions;
DROP FUNCTION disclosure_versions_frozen();
DROP TABLE disclosure_attachments;
DROP TABLE disclosure_items;
DROP TABLE disclosure_guides;
DROP TABLE disclosure_categories;

DROP TRIGGER disclosure_versions_search_change ON disclosure_versions;
DROP FUNCTION search_changes_of_item();
DROP TABLE search_identity;
DROP TABLE search_changes;

DROP TRIGGER service_matter_versions_search_change ON service_matter_versions;
DROP TRIGGER service_matters_search_change ON service_matters;
DROP FUNCTION search_changes_of_matter();
DROP TRIGGER knowledge_entries_search_change ON knowledge_entries;
DROP FUNCTION search_changes_of_entry();
DROP TRIGGER disclosure_versions_search_change ON disclosure_versions;
DROP FUNCTION search_changes_of_item();
DROP TABLE search_identity;
DROP TABLE search_changes;

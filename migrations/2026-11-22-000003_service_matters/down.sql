DROP TRIGGER service_matter_versions_frozen ON service_matter_versions;
DROP FUNCTION service_matter_versions_frozen();
DROP TABLE service_matter_versions;
DROP TABLE service_matters;

DROP TABLE knowledge_entries;
DROP TABLE hotline_events;
DROP TABLE hotline_tickets;
ALTER TABLE api_clients DROP CONSTRAINT api_clients_role_check;
ALTER TABLE api_clients ADD CONSTRAINT api_clients_role_check CHECK (role IN ('org_admin', 'disclosure_officer', 'reviewer', 'clerk', 'supervisor'));
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('sys_admin', 'org_admin', 'disclosure_officer', 'reviewer', 'clerk', 'supervisor', 'applicant'));

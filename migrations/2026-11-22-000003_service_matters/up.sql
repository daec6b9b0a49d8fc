-- Service matters (政务服务事项) and their versioned guides (办事指南).

CREATE TABLE service_matters (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    basic_code          text NOT NULL CHECK (basic_code ~ '^[0-9A-Za-z]{1,10}$'),
    implementation_code text NOT NULL UNIQUE CHECK (implementation_code ~ '^[0-9A-Za-z]{1,24}$'),
    -- the version being edited or reviewed, and the one the public sees
    working_version     integer NOT NULL DEFAULT 1,
    published_version   integer,
    state               text NOT NULL CHECK (state IN ('draft', 'submitted', 'published', 'suspended', 'abolished')),
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_matters_org_idx ON service_matters (organization_id, id);
CREATE INDEX service_matters_basic_idx ON service_matters (basic_code);

CREATE TABLE service_matter_versions (
    matter_id           uuid NOT NULL REFERENCES service_matters (id),
    number              integer NOT NULL CHECK (number >= 1),
    name                text NOT NULL,
    matter_type         text NOT NULL,
    implementer_nature  text NOT NULL,
    service_objects     text[] NOT NULL,
    legal_basis         text NOT NULL,
    conditions          text NOT NULL,
    procedure           jsonb NOT NULL,
    statutory_days      integer NOT NULL CHECK (statutory_days BETWEEN 0 AND 365),
    promised_days       integer NOT NULL CHECK (promised_days BETWEEN 0 AND 365),
    case_kind           text NOT NULL CHECK (case_kind IN ('immediate', 'promised')),
    max_visits          integer NOT NULL CHECK (max_visits BETWEEN 0 AND 10),
    online_depth        text NOT NULL,
    fees                jsonb NOT NULL,
    materials           jsonb NOT NULL,
    result_certificate  text,
    window_ids          uuid[] NOT NULL DEFAULT '{}',
    consultation_phone  text,
    complaint_phone     text,
    entered_hall        boolean NOT NULL,
    classified          boolean NOT NULL DEFAULT false,
    -- a revision of a published matter is submitted, then published, as the first version was
    submitted_at        timestamptz,
    published_at        timestamptz,
    published_by        uuid REFERENCES users (id),
    search_vector       tsvector NOT NULL DEFAULT ''::tsvector,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (matter_id, number),
    CHECK (promised_days <= statutory_days)
);
CREATE INDEX service_matter_versions_publisher_idx ON service_matter_versions (published_by);
CREATE INDEX service_matter_versions_search_idx ON service_matter_versions USING gin (search_vector);
CREATE INDEX service_matter_versions_windows_idx ON service_matter_versions USING gin (window_ids);
CREATE INDEX service_matter_versions_objects_idx ON service_matter_versions USING gin (service_objects);
CREATE INDEX service_matter_versions_type_idx ON service_matter_versions (matter_type);

-- A published version never changes (cases keep the version they were applied under).
CREATE FUNCTION service_matter_versions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'service matter versions are never removed';
    END IF;
    IF OLD.published_at IS NOT NULL
       AND (to_jsonb(NEW) - 'search_vector') IS DISTINCT FROM (to_jsonb(OLD) - 'search_vector') THEN
        RAISE EXCEPTION 'a published service matter version is never modified';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER service_matter_versions_frozen BEFORE UPDATE OR DELETE ON service_matter_versions
    FOR EACH ROW EXECUTE FUNCTION service_matter_versions_frozen();

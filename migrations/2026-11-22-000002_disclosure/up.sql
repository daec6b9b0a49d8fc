-- Proactive disclosure: the catalogue, guides, items with their workflow, frozen published
-- versions, attachments and index-number counters.

CREATE TABLE disclosure_categories (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    parent_id       uuid REFERENCES disclosure_categories (id),
    code            text NOT NULL CHECK (code ~ '^[0-9A-Za-z_-]{1,12}$'),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    sort_order      integer NOT NULL DEFAULT 0,
    standard        boolean NOT NULL DEFAULT false,
    retired         boolean NOT NULL DEFAULT false,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, code)
);
CREATE INDEX disclosure_categories_org_idx ON disclosure_categories (organization_id, sort_order, code);
CREATE INDEX disclosure_categories_parent_idx ON disclosure_categories (parent_id);

CREATE TABLE disclosure_guides (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id),
    how_to_obtain   text NOT NULL,
    how_to_apply    text NOT NULL,
    office          text NOT NULL,
    address         text NOT NULL,
    office_hours    text NOT NULL,
    phone           text NOT NULL,
    email           text,
    index_format    text,
    version         integer NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE disclosure_items (
    id                      uuid PRIMARY KEY,
    organization_id         uuid NOT NULL REFERENCES organizations (id),
    issuing_organization_id uuid NOT NULL REFERENCES organizations (id),
    category_id             uuid NOT NULL REFERENCES disclosure_categories (id),
    kind                    text NOT NULL CHECK (kind IN ('document', 'interpretation')),
    interprets_id           uuid REFERENCES disclosure_items (id),
    title                   text NOT NULL,
    summary                 text NOT NULL,
    content                 text NOT NULL,
    content_format          text NOT NULL CHECK (content_format IN ('plain', 'markdown')),
    doc_number              text,
    subject_terms           text[] NOT NULL DEFAULT '{}',
    formed_on               date NOT NULL,
    attribute               text NOT NULL CHECK (attribute IN ('proactive', 'on_application', 'not_disclosed')),
    non_disclosure_ground   text,
    channels                text[] NOT NULL DEFAULT '{}',
    validity                text NOT NULL CHECK (validity IN ('valid', 'expired', 'repealed')),
    cadence                 text NOT NULL CHECK (cadence IN ('long_term', 'periodic', 'dynamic')),
    state                   text NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'published', 'withdrawn')),
    index_number            text UNIQUE,
    -- OGI Art.26: formed_on + 20 working days
    publish_due             date NOT NULL,
    -- the number of the version the public sees; NULL before the first publication and after withdrawal
    published_version       integer,
    first_published_at      timestamptz,
    rejection_reason        text,
    withdraw_reason         text,
    author_id               uuid NOT NULL REFERENCES users (id),
    reviewer_id             uuid REFERENCES users (id),
    search_vector           tsvector NOT NULL DEFAULT ''::tsvector,
    version                 integer NOT NULL DEFAULT 1,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'interpretation') = (interprets_id IS NOT NULL)),
    CHECK ((attribute = 'not_disclosed') = (non_disclosure_ground IS NOT NULL))
);
CREATE INDEX disclosure_items_org_idx ON disclosure_items (organization_id, id);
CREATE INDEX disclosure_items_category_idx ON disclosure_items (category_id);
CREATE INDEX disclosure_items_interprets_idx ON disclosure_items (interprets_id) WHERE interprets_id IS NOT NULL;
CREATE INDEX disclosure_items_issuing_idx ON disclosure_items (issuing_organization_id);
CREATE INDEX disclosure_items_author_idx ON disclosure_items (author_id);
CREATE INDEX disclosure_items_reviewer_idx ON disclosure_items (reviewer_id);
CREATE INDEX disclosure_items_state_idx ON disclosure_items (state, id);
-- proactive items never published yet, by due date: the publication-duty watch list
CREATE INDEX disclosure_items_due_idx ON disclosure_items (publish_due)
    WHERE first_published_at IS NULL AND attribute = 'proactive';
CREATE INDEX disclosure_items_search_idx ON disclosure_items USING gin (search_vector);

CREATE TABLE disclosure_attachments (
    id              uuid PRIMARY KEY,
    item_id         uuid NOT NULL REFERENCES disclosure_items (id),
    filename        text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    content_type    text NOT NULL,
    size_bytes      bigint NOT NULL CHECK (size_bytes >= 0),
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    storage_key     text NOT NULL,
    uploaded_by     uuid NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX disclosure_attachments_item_idx ON disclosure_attachments (item_id, created_at);
CREATE INDEX disclosure_attachments_uploader_idx ON disclosure_attachments (uploaded_by);

-- Every publication is filed here exactly as published (公开内容备案).
CREATE TABLE disclosure_versions (
    item_id                 uuid NOT NULL REFERENCES disclosure_items (id),
    number                  integer NOT NULL CHECK (number >= 1),
    organization_id         uuid NOT NULL REFERENCES organizations (id),
    org_path                text NOT NULL,
    issuing_organization_id uuid NOT NULL REFERENCES organizations (id),
    category_id             uuid NOT NULL REFERENCES disclosure_categories (id),
    kind                    text NOT NULL,
    interprets_id           uuid,
    index_number            text NOT NULL,
    title                   text NOT NULL,
    summary                 text NOT NULL,
    content                 text NOT NULL,
    content_format          text NOT NULL,
    doc_number              text,
    subject_terms           text[] NOT NULL,
    formed_on               date NOT NULL,
    year                    integer NOT NULL,
    attribute               text NOT NULL,
    non_disclosure_ground   text,
    channels                text[] NOT NULL,
    validity                text NOT NULL,
    cadence                 text NOT NULL,
    attachments             jsonb NOT NULL DEFAULT '[]',
    pii_exception           jsonb,
    published_at            timestamptz NOT NULL,
    published_by            uuid NOT NULL REFERENCES users (id),
    -- the version the public sees now
    is_current              boolean NOT NULL DEFAULT false,
    search_vector           tsvector NOT NULL,
    PRIMARY KEY (item_id, number)
);
CREATE INDEX disclosure_versions_category_idx ON disclosure_versions (category_id);
CREATE INDEX disclosure_versions_org_fk_idx ON disclosure_versions (organization_id);
CREATE INDEX disclosure_versions_issuing_idx ON disclosure_versions (issuing_organization_id);
CREATE INDEX disclosure_versions_publisher_idx ON disclosure_versions (published_by);
CREATE INDEX disclosure_versions_current_search_idx ON disclosure_versions USING gin (search_vector) WHERE is_current;
CREATE INDEX disclosure_versions_current_recent_idx ON disclosure_versions (published_at DESC, item_id) WHERE is_current;
CREATE INDEX disclosure_versions_current_path_idx ON disclosure_versions (org_path text_pattern_ops, published_at DESC) WHERE is_current;
CREATE INDEX disclosure_versions_current_category_idx ON disclosure_versions (category_id, published_at DESC) WHERE is_current;
CREATE INDEX disclosure_versions_current_doc_idx ON disclosure_versions (doc_number) WHERE is_current AND doc_number IS NOT NULL;
CREATE INDEX disclosure_versions_title_trgm_idx ON disclosure_versions USING gin (title gin_trgm_ops) WHERE is_current;

-- A filed version never changes; only which version is current (and its derived search
-- index) does.
CREATE FUNCTION disclosure_versions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'filed disclosure versions are never removed';
    END IF;
    IF (to_jsonb(NEW) - 'is_current' - 'search_vector') IS DISTINCT FROM (to_jsonb(OLD) - 'is_current' - 'search_vector') THEN
        RAISE EXCEPTION 'filed disclosure versions are never modified';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER disclosure_versions_frozen BEFORE UPDATE OR DELETE ON disclosure_versions
    FOR EACH ROW EXECUTE FUNCTION disclosure_versions_frozen();

-- Serial numbers of index numbers per organisation and year; incremented inside the
-- publishing transaction, so a rolled-back publication leaves no gap.
CREATE TABLE disclosure_index_counters (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    year            integer NOT NULL,
    last_serial     integer NOT NULL,
    PRIMARY KEY (organization_id, year)
);

-- Foundation: organisations, accounts, halls and windows, the working-day calendar,
-- the hash-chained audit log and idempotency records.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE organizations (
    id              uuid PRIMARY KEY,
    parent_id       uuid REFERENCES organizations (id),
    -- materialised path of ids from the root, '/' separated and terminated: '/a/b/c/'
    path            text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('region_government', 'department', 'public_institution', 'hall')),
    level           text NOT NULL CHECK (level IN ('city', 'county', 'township', 'village')),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    short_name      text,
    division_code   text CHECK (division_code ~ '^([0-9]{6}|[0-9]{12})$'),
    credit_code     text CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
    address         text,
    phone           text,
    office_hours    text,
    active          boolean NOT NULL DEFAULT true,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organizations_path_key ON organizations (path text_pattern_ops);
CREATE INDEX organizations_parent_idx ON organizations (parent_id);
CREATE INDEX organizations_kind_level_idx ON organizations (kind, level);
CREATE INDEX organizations_name_trgm_idx ON organizations USING gin (name gin_trgm_ops);
CREATE UNIQUE INDEX organizations_credit_code_key ON organizations (credit_code) WHERE credit_code IS NOT NULL;

CREATE TABLE users (
    id                  uuid PRIMARY KEY,
    username            text NOT NULL CHECK (username ~ '^[A-Za-z0-9_.@-]{3,64}$'),
    password_hash       text NOT NULL,
    display_name        text NOT NULL,
    role                text NOT NULL CHECK (role IN ('sys_admin', 'org_admin', 'disclosure_officer', 'reviewer', 'clerk', 'supervisor', 'applicant')),
    organization_id     uuid REFERENCES organizations (id),
    applicant_type      text CHECK (applicant_type IN ('natural_person', 'legal_person')),
    legal_person_kind   text CHECK (legal_person_kind IN ('commercial_enterprise', 'research_institution', 'social_welfare_organization', 'legal_service_institution', 'other')),
    phone               text,
    email               text,
    active              boolean NOT NULL DEFAULT true,
    failed_logins       integer NOT NULL DEFAULT 0,
    locked_until        timestamptz,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    -- staff belong to an organisation, applicants never; a system administrator may stand
    -- outside every tree (the first account, made before any organisation exists)
    CHECK (CASE role WHEN 'applicant' THEN organization_id IS NULL
                     WHEN 'sys_admin' THEN true
                     ELSE organization_id IS NOT NULL END),
    CHECK ((role = 'applicant') = (applicant_type IS NOT NULL)),
    CHECK ((applicant_type = 'legal_person') = (legal_person_kind IS NOT NULL) OR applicant_type IS NULL)
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE INDEX users_organization_idx ON users (organization_id);
CREATE INDEX users_role_idx ON users (role);

CREATE TABLE api_clients (
    id              uuid PRIMARY KEY,
    client_id       text NOT NULL UNIQUE CHECK (client_id ~ '^[A-Za-z0-9_.-]{3,64}$'),
    secret_hash     text NOT NULL,
    name            text NOT NULL,
    role            text NOT NULL CHECK (role IN ('org_admin', 'disclosure_officer', 'reviewer', 'clerk', 'supervisor')),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    active          boolean NOT NULL DEFAULT true,
    failed_logins   integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_clients_organization_idx ON api_clients (organization_id);

CREATE TABLE refresh_tokens (
    id              uuid PRIMARY KEY,
    -- SHA-256 of the token; the token itself is never stored
    token_hash      bytea NOT NULL UNIQUE,
    -- every token descending from one login shares a family; reuse of a rotated
    -- token revokes the whole family
    family_id       uuid NOT NULL,
    user_id         uuid NOT NULL REFERENCES users (id),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz,
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE TABLE windows (
    id              uuid PRIMARY KEY,
    hall_id         uuid NOT NULL REFERENCES organizations (id),
    number          text NOT NULL CHECK (length(number) BETWEEN 1 AND 20),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    combined        boolean NOT NULL DEFAULT false,
    active          boolean NOT NULL DEFAULT true,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (hall_id, number)
);

CREATE TABLE window_staff (
    window_id       uuid NOT NULL REFERENCES windows (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id),
    post            text NOT NULL CHECK (post IN ('a', 'b')),
    PRIMARY KEY (window_id, user_id)
);
CREATE INDEX window_staff_user_idx ON window_staff (user_id);

CREATE TABLE calendar_years (
    year            integer PRIMARY KEY CHECK (year BETWEEN 1990 AND 2200),
    version         integer NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE calendar_days (
    day             date PRIMARY KEY,
    year            integer NOT NULL REFERENCES calendar_years (year) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('holiday', 'adjusted_working_day'))
);
CREATE INDEX calendar_days_year_idx ON calendar_days (year);

CREATE TABLE audit_events (
    id              bigserial PRIMARY KEY,
    occurred_at     timestamptz NOT NULL,
    actor_id        uuid,
    actor_kind      text NOT NULL CHECK (actor_kind IN ('user', 'client', 'system', 'anonymous')),
    action          text NOT NULL,
    entity_type     text NOT NULL,
    entity_id       text NOT NULL,
    -- path of the organisation the entity belongs to, for scoping reads; NULL for
    -- entities of no organisation (the calendar, applicants)
    org_path        text,
    before          jsonb,
    after           jsonb,
    request_id      text,
    prev_hash       bytea NOT NULL,
    hash            bytea NOT NULL
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, id);
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at, id);
CREATE INDEX audit_events_org_path_idx ON audit_events (org_path text_pattern_ops, id);

-- The audit log is append-only: ordinary code paths can neither change nor remove an event.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TABLE idempotency_keys (
    principal       text NOT NULL,
    key             text NOT NULL,
    method          text NOT NULL,
    path            text NOT NULL,
    request_hash    bytea NOT NULL,
    status          integer,
    response        jsonb,
    location        text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

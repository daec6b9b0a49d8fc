-- Signed checkpoints of the audit chain's head. The chain itself shows an event edited or
-- removed inside it; a checkpoint also shows the removal of its newest events, since it
-- names an event (and how many came up to it) that the chain must still hold. Each is
-- signed with a key the database does not hold (HMAC-SHA-256), and links to the previous
-- checkpoint's signature, so that a database edit alone cannot forge one or drop one from
-- the middle; exported, they can be notarised outside.
CREATE TABLE audit_checkpoints (
    id              bigserial PRIMARY KEY,
    -- the newest event when the checkpoint was taken, its hash, and the number of events
    -- up to and including it
    event_id        bigint NOT NULL,
    event_hash      bytea NOT NULL,
    events          bigint NOT NULL CHECK (events > 0),
    created_at      timestamptz NOT NULL,
    prev_signature  bytea,
    -- the first 8 bytes of SHA-256 of the signing key, to tell a rotated key from a forgery
    key_id          text NOT NULL,
    signature       bytea NOT NULL
);
CREATE INDEX audit_checkpoints_event_idx ON audit_checkpoints (event_id);

CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoints is append-only';
END $$;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();

-- The audit log on a fixed number of hash chains (shards). Every audited write appended to
-- one chain under one advisory lock held to commit, so all audited writes of the system ran
-- one after the other. Each event now belongs to a chain (`chain`, 0 to 31); an append
-- locks, reads the head of and links to its own chain only, so that writes on different
-- chains do not wait for each other. The events written before are chain 0, whose head the
-- new appends to chain 0 simply continue.
--
-- Adding a column with a constant default rewrites no row (PostgreSQL 11+ keeps the
-- default in the catalogue), so the append-only trigger (BEFORE UPDATE OR DELETE) does not
-- fire and the hashes, which do not cover the chain, stay valid.
ALTER TABLE audit_events ADD COLUMN chain smallint NOT NULL DEFAULT 0;
-- A chain's head (ORDER BY id DESC LIMIT 1) and its walk in order.
CREATE INDEX audit_events_chain_idx ON audit_events (chain, id);

-- The heads a checkpoint names: for every non-empty chain, its newest event, that event's
-- hash and the number of events of the chain up to and including it. A checkpoint with no
-- heads here was taken before the chains (v1): it names chain 0's head in its own row.
CREATE TABLE audit_checkpoint_heads (
    checkpoint_id   bigint NOT NULL REFERENCES audit_checkpoints (id),
    chain           smallint NOT NULL,
    event_id        bigint NOT NULL,
    event_hash      bytea NOT NULL,
    events          bigint NOT NULL CHECK (events > 0),
    PRIMARY KEY (checkpoint_id, chain)
);
CREATE INDEX audit_checkpoint_heads_chain_idx ON audit_checkpoint_heads (chain, event_id);

CREATE FUNCTION audit_checkpoint_heads_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoint_heads is append-only';
END $$;
CREATE TRIGGER audit_checkpoint_heads_no_update BEFORE UPDATE OR DELETE ON audit_checkpoint_heads
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_heads_append_only();

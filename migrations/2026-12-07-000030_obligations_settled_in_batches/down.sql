CREATE OR REPLACE FUNCTION obligation_queue_object() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
    INSERT INTO obligation_queue (source, object_id) VALUES (TG_ARGV[0], (r ->> TG_ARGV[1])::uuid);
    RETURN NULL;
END $$;
ALTER TABLE obligation_queue ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX obligation_queue_xid_idx ON obligation_queue (xid);

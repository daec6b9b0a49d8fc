-- The server no longer settles the obligations a transaction queued inside that transaction
-- (about ten statements in every write with a deadline): a refresher settles the queue every
-- `ZHENGWU_OBLIGATIONS_REFRESH_INTERVAL_MS` (100 ms by default), a batch of writes in a few
-- set-based statements. Readers take queued objects from the records, as before, so answers
-- do not change. The queue's transaction id, which the in-transaction settling looked its
-- own rows up by, and its index go.
DROP INDEX obligation_queue_xid_idx;
ALTER TABLE obligation_queue DROP COLUMN xid;

-- The queueing trigger read the object's id from the whole row made into JSON (a case's row
-- carries its materials); it now reads the one column. Its second argument names the
-- column: `id`, or `case_id` for a case's outcome and steps.
CREATE OR REPLACE FUNCTION obligation_queue_object() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_ARGV[1] = 'case_id' THEN
        INSERT INTO obligation_queue (source, object_id) VALUES (TG_ARGV[0], r.case_id);
    ELSIF TG_ARGV[1] = 'id' THEN
        INSERT INTO obligation_queue (source, object_id) VALUES (TG_ARGV[0], r.id);
    ELSE
        RAISE EXCEPTION 'obligation_queue_object: no such key column %', TG_ARGV[1];
    END IF;
    RETURN NULL;
END $$;

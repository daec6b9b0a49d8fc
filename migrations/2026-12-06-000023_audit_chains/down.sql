-- Back to one chain. Events appended to chains other than 0 stay, but the single chain that
-- the previous code walks (every event in id order) no longer links them: verify it only
-- on a log written before this migration.
DROP TABLE audit_checkpoint_heads;
DROP FUNCTION audit_checkpoint_heads_append_only();
DROP INDEX audit_events_chain_idx;
ALTER TABLE audit_events DROP COLUMN chain;
-- Checkpoints taken since (v2, signed over their heads) do not verify under the v1 message
-- the previous code checks.

ALTER TABLE case_outcomes DROP COLUMN delivered_on, DROP COLUMN delivery_due;

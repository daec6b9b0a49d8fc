DROP INDEX disclosure_requests_applicant_idx;
CREATE INDEX disclosure_requests_applicant_idx ON disclosure_requests (applicant_id);
ALTER TABLE disclosure_requests DROP COLUMN receipt_seq;

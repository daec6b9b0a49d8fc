-- Failed logins are counted per account name (as typed, whether or not an account has it)
-- and client address, not per account: an unknown name is throttled like a known one, and
-- failures from one address never lock the account's owner out elsewhere.
CREATE TABLE login_throttle (
    -- 'user:' and the lower-case username, or 'client:' and the client id
    subject         text NOT NULL,
    address         text NOT NULL,
    failures        integer NOT NULL CHECK (failures >= 0),
    blocked_until   timestamptz,
    last_failure_at timestamptz NOT NULL,
    PRIMARY KEY (subject, address)
);
CREATE INDEX login_throttle_last_failure_idx ON login_throttle (last_failure_at);

ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until;
ALTER TABLE api_clients DROP COLUMN failed_logins, DROP COLUMN locked_until;
